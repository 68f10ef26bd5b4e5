//! Rhai scripting (in progress).
pub mod report;
