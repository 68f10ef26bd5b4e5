//! rapport's integration tests: one test binary, a module per feature. Each
//! case runs the real `rapport` binary on a small fixture site from
//! `tests/fixtures/<case>/`, copied into a temporary folder by
//! [`support::SiteTest`].

mod support;

mod a11y;
mod browser;
mod build;
mod check;
mod cli;
mod commonmark;
mod corpora;
mod crash;
mod deploy;
mod feeds;
mod figures;
mod layers;
mod ledger;
mod lists;
mod live;
mod load;
mod page_size;
mod properties;
mod reader;
mod scale;
mod scripting;
mod search;
mod serve;
mod symlinks;
mod webdriver;
