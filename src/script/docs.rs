//! The functions a script defines, where, and what their `///` doc comments
//! say.
//!
//! Rhai keeps doc comments only with its `metadata` feature, which would
//! pull in a JSON exporter rapport does not need; a line scan is enough for
//! the way functions are written by hand (`fn name(a, b) {` on one line,
//! doc comments right above it). The doc comment of a hook is the "how this
//! is computed" text that the site shows next to every score.

use crate::script::sources::ScriptSource;

/// One function definition in a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FunctionDoc {
    pub name: String,
    /// The number of parameters.
    pub arity: usize,
    /// Defined with `private fn`: not callable from templates.
    pub private: bool,
    /// The script that defines it.
    pub path: String,
    /// The 1-based line of `fn`.
    pub line: usize,
    /// The doc comment above it without the `///` markers, lines joined
    /// with `\n`; empty when there is none.
    pub doc: String,
}

/// Every function `script` defines, in file order.
pub(crate) fn functions(script: &ScriptSource) -> Vec<FunctionDoc> {
    let mut out = Vec::new();
    let mut doc: Vec<String> = Vec::new();
    let mut in_block = false;
    for (i, raw) in script.text.lines().enumerate() {
        let line = raw.trim();
        if in_block {
            let (text, closed) = match line.find("*/") {
                Some(end) => (&line[..end], true),
                None => (line, false),
            };
            doc.push(text.trim_start_matches('*').trim().to_string());
            in_block = !closed;
            continue;
        }
        if let Some(text) = line.strip_prefix("///")
            && !text.starts_with('/')
        {
            doc.push(text.strip_prefix(' ').unwrap_or(text).trim_end().to_string());
            continue;
        }
        if let Some(rest) = line.strip_prefix("/**") {
            doc.clear();
            match rest.find("*/") {
                Some(end) => doc.push(rest[..end].trim().to_string()),
                None => {
                    doc.push(rest.trim().to_string());
                    in_block = true;
                }
            }
            continue;
        }
        if let Some((name, arity, private)) = definition(line) {
            out.push(FunctionDoc {
                name,
                arity,
                private,
                path: script.path.clone(),
                line: i + 1,
                doc: tidy(&doc),
            });
        }
        doc.clear();
    }
    out
}

/// `fn name(a, b) {` or `private fn name() {` -> (name, arity, private).
fn definition(line: &str) -> Option<(String, usize, bool)> {
    let (private, rest) = match line.strip_prefix("private") {
        Some(rest) if rest.starts_with(char::is_whitespace) => (true, rest.trim_start()),
        _ => (false, line),
    };
    let rest = rest.strip_prefix("fn")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim_start();
    let open = rest.find('(')?;
    let name = rest[..open].trim();
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let params = &rest[open + 1..];
    let params = params.find(')').map_or(params, |close| &params[..close]);
    let arity = if params.trim().is_empty() {
        0
    } else {
        params.split(',').filter(|p| !p.trim().is_empty()).count()
    };
    Some((name.to_string(), arity, private))
}

/// Drops leading and trailing empty lines.
fn tidy(lines: &[String]) -> String {
    let start = lines.iter().position(|l| !l.is_empty()).unwrap_or(lines.len());
    let end = lines.iter().rposition(|l| !l.is_empty()).map_or(start, |i| i + 1);
    lines[start..end].join("\n")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn finds_functions_and_their_doc_comments() {
        let text = "\
/// Scores a commitment.
///
/// On time is 100.
fn score_commitment(c) {
    100
}

// not a doc comment
fn helper() { 1 }

/** A block
 * doc comment. */
private fn secret(a, b, ) { a }
fn_not_a_function = 1;
";
        let script = ScriptSource {
            path: "scripts/s.rhai".to_string(),
            text: Arc::from(text),
        };
        let found = functions(&script);
        let summary: Vec<_> = found
            .iter()
            .map(|f| (f.name.as_str(), f.arity, f.private, f.line))
            .collect();
        assert_eq!(
            summary,
            [
                ("score_commitment", 1, false, 4),
                ("helper", 0, false, 9),
                ("secret", 2, true, 13)
            ]
        );
        assert_eq!(found[0].doc, "Scores a commitment.\n\nOn time is 100.");
        assert_eq!(found[1].doc, "");
        assert_eq!(found[2].doc, "A block\ndoc comment.");
    }
}
