//! Terminal output: whether to use colour, and the one-line summaries.
//!
//! Colour is used only when stderr is a terminal and `NO_COLOR` is unset
//! (<https://no-color.org>); everything else in rapport prints plain text.

use std::io::IsTerminal;

/// Whether diagnostics printed to stderr should be coloured.
pub(crate) fn colour_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// "1 error", "2 warnings".
pub(crate) fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
