//! rapport: a static site generator for internal alignment sites.
//!
//! A site is a folder of Markdown files with YAML front matter: teams, a
//! shared glossary, success stories and commitment records. The pipeline
//! runs one way, with I/O only at its ends:
//! [`load`] (the only reader) -> [`model`] and [`validate`] -> [`script`]
//! (scores) -> [`render`] (pages in memory) -> [`write`] (the only writer).
//! [`site::Site`] is the loaded, validated content; [`build::Build`] runs
//! the stages after it and assembles the output, the one way a site is
//! built; `serve` keeps a build in memory and re-renders what a change
//! touched. See ARCHITECTURE.md.

pub mod build;
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
pub(crate) mod memory;
pub mod model;
pub mod render;
pub mod scaffold;
pub mod score;
pub mod script;
pub mod serve;
pub mod site;
pub mod timings;
pub mod validate;
pub mod write;

pub use build::Build;
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use site::{BuildOptions, Site};
