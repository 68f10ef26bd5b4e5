//! rapport: a static site generator for internal alignment sites.
//!
//! A site is a folder of Markdown files with YAML front matter: teams, a
//! shared glossary, success stories and commitment records. The pipeline
//! runs one way, with I/O only at its ends:
//! [`load`] (the only reader) -> [`model`] and [`validate`] -> [`script`]
//! (scores) -> [`render`] (pages in memory) -> [`write`] (the only writer).
//! [`site::Site`] ties the stages together; `serve` keeps a site in memory
//! and re-renders what a change touched. See ARCHITECTURE.md.

pub mod cli;
pub mod commands;
pub mod config;
pub mod console;
pub mod date;
pub mod diagnostic;
pub mod embedded;
pub mod front_matter;
pub mod git;
pub mod ledger;
pub mod links;
pub mod live;
pub mod load;
pub mod model;
pub mod render;
pub mod scaffold;
pub mod score;
pub mod script;
pub mod serve;
pub mod site;
pub mod validate;
pub mod write;

pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use site::{BuildOptions, Site};
