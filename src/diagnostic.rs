//! Problems found in a user's site, as values.
//!
//! Loading, validating, scoring and rendering never stop at the first problem:
//! each stage returns what it could make plus a list of [`Diagnostic`]s, so one
//! run reports everything. A diagnostic carries the file (relative to the site
//! root, with `/` separators), a 1-based line and column, a message, a hint and
//! the offending source line. The snippet is filled in at the end, from the
//! texts the site loaded, by [`Diagnostics::finish`].
//!
//! Positions and snippets go through a [`LineIndex`], built once per file,
//! so a file with twenty thousand problems costs a binary search per
//! problem, not a scan from the top of the file. A snippet is at most
//! [`SNIPPET_WIDTH`] characters of its line, around the column. Warnings are
//! capped ([`WARNINGS_PER_FILE`] per file, [`WARNINGS_IN_ALL`] in all): the
//! rest are counted, not listed, so a runaway `lint` cannot print hundreds
//! of megabytes, while the counts stay true.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

/// How bad a problem is: errors fail `check` and `build`, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in the user's site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Path relative to the site root, `/`-separated (`content/glossary/mql.md`).
    pub path: String,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub column: usize,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The source line the problem is on, filled in by [`Diagnostics::finish`];
    /// at most [`SNIPPET_WIDTH`] characters of it, around the column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// How many characters of the line come before the snippet (0 when the
    /// snippet starts the line), so that the column can be placed in it.
    /// (A `u32` keeps a diagnostic small; a longer line's offset saturates.)
    #[serde(skip_serializing_if = "is_zero")]
    pub snippet_offset: u32,
}

fn is_zero<N: Default + PartialEq>(n: &N) -> bool {
    *n == N::default()
}

/// The most characters of a line a snippet shows.
pub const SNIPPET_WIDTH: usize = 160;
/// The most warnings listed for one file; the rest are counted.
pub const WARNINGS_PER_FILE: usize = 20;
/// The most warnings listed in one report; the rest are counted.
pub const WARNINGS_IN_ALL: usize = 1000;

impl Diagnostic {
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, path, message)
    }

    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, path, message)
    }

    fn new(severity: Severity, path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            path: path.into(),
            line: 0,
            column: 0,
            severity,
            message: message.into(),
            hint: None,
            snippet: None,
            snippet_offset: 0,
        }
    }

    /// Sets the 1-based position.
    pub fn at(mut self, line: usize, column: usize) -> Diagnostic {
        self.line = line;
        self.column = column;
        self
    }

    pub fn at_pos(self, pos: Pos) -> Diagnostic {
        self.at(pos.line, pos.column)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_snippet(mut self, snippet: impl Into<String>) -> Diagnostic {
        self.snippet = Some(snippet.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sets the snippet, when missing, from `text`, the file's text. For
    /// many diagnostics of one file, [`fill_snippets`] reads it once.
    pub fn fill_snippet(&mut self, text: &str) {
        if self.snippet.is_none() && self.line > 0 {
            self.fill_snippet_from(&LineIndex::new(text));
        }
    }

    /// Sets the snippet, when missing, from the file's line index.
    pub fn fill_snippet_from(&mut self, lines: &LineIndex<'_>) {
        if self.snippet.is_some() || self.line == 0 {
            return;
        }
        let Some((snippet, offset)) = lines.window(self.line, self.column) else {
            return;
        };
        self.snippet = Some(snippet);
        self.snippet_offset = u32::try_from(offset).unwrap_or(u32::MAX);
    }

    fn sort_key(&self) -> (&str, usize, usize, Severity, &str) {
        (&self.path, self.line, self.column, self.severity, &self.message)
    }
}

/// A 1-based line and column in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub fn new(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }

    /// The position of byte `offset` in `text`, counting columns in characters.
    pub fn of_offset(text: &str, offset: usize) -> Pos {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Pos { line, column }
    }
}

/// Where each line of a text starts, found once, so that the positions of
/// many offsets in one file cost a binary search each instead of a scan
/// from the top (twenty thousand broken links in one file were quadratic).
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of each line's start; the first is 0.
    starts: Vec<usize>,
    /// Characters before every [`CHUNK`]-byte boundary, so that a column
    /// on a very long line is counted from the nearest boundary.
    chars_before: Vec<usize>,
}

/// The stride of [`LineIndex::chars_before`].
const CHUNK: usize = 1024;

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut chars_before = Vec::with_capacity(bytes.len() / CHUNK + 1);
        let mut count = 0;
        for chunk in bytes.chunks(CHUNK) {
            chars_before.push(count);
            count += count_chars(chunk);
        }
        chars_before.push(count);
        LineIndex {
            text,
            starts,
            chars_before,
        }
    }

    /// The position of byte `offset`, counting columns in characters.
    pub fn pos(&self, offset: usize) -> Pos {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|start| *start <= offset);
        let start = self.starts[line - 1];
        // Short line prefixes (nearly all) are counted directly; a long one
        // from the nearest boundary of the chunk table.
        let before = if offset - start <= CHUNK {
            count_chars(&self.text.as_bytes()[start..offset])
        } else {
            self.chars_upto(offset) - self.chars_upto(start)
        };
        Pos {
            line,
            column: before + 1,
        }
    }

    /// The 1-based line `n`, without its line break; `None` past the end.
    pub fn line(&self, n: usize) -> Option<&'a str> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        if start == self.text.len() && (n > 1 || start == 0) {
            // After a final line break there is no line, nor in an empty
            // text, as with `str::lines`.
            return None;
        }
        let end = self.starts.get(n).map_or(self.text.len(), |next| next - 1);
        Some(self.text[start..end].trim_end_matches('\r'))
    }

    /// At most [`SNIPPET_WIDTH`] characters of line `n` around `column`,
    /// with `…` where the line was cut, and how many characters of the line
    /// come before the cut. Costs the width, not the line's length: one
    /// long line may carry thousands of diagnostics.
    pub fn window(&self, n: usize, column: usize) -> Option<(String, usize)> {
        let line = self.line(n)?;
        if line.len() <= SNIPPET_WIDTH || line.char_indices().nth(SNIPPET_WIDTH).is_none() {
            return Some((line.to_string(), 0));
        }
        // The column sits a quarter of the way in, so what follows it shows.
        let start = column.saturating_sub(1).saturating_sub(SNIPPET_WIDTH / 4);
        let line_start = self.starts[n - 1];
        let line_end = line_start + line.len();
        let from = self.byte_of_char(self.chars_upto(line_start) + start).min(line_end);
        let mut chars = self.text[from..line_end].chars();
        let shown: String = chars.by_ref().take(SNIPPET_WIDTH).collect();
        let more = chars.next().is_some();
        let mut snippet = String::with_capacity(shown.len() + 6);
        if start > 0 {
            snippet.push('…');
        }
        snippet.push_str(&shown);
        if more {
            snippet.push('…');
        }
        // The leading `…` stands where the cut characters were: one character.
        Some((snippet, start.saturating_sub(1)))
    }

    /// The byte offset of the character numbered `index` (0-based) in the
    /// whole text, or the text's length past its end.
    fn byte_of_char(&self, index: usize) -> usize {
        let chunk = self
            .chars_before
            .partition_point(|before| *before <= index)
            .saturating_sub(1);
        let mut count = self.chars_before[chunk];
        let bytes = self.text.as_bytes();
        for (i, byte) in bytes.iter().enumerate().skip(chunk * CHUNK) {
            if !is_continuation(*byte) {
                if count == index {
                    return i;
                }
                count += 1;
            }
        }
        bytes.len()
    }

    /// Characters in `text[..offset]`, `offset` on a character boundary.
    fn chars_upto(&self, offset: usize) -> usize {
        let chunk = offset / CHUNK;
        let from = chunk * CHUNK;
        self.chars_before[chunk] + count_chars(&self.text.as_bytes()[from..offset])
    }
}

/// The characters that start in `bytes` (UTF-8).
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| !is_continuation(**b)).count()
}

/// Whether `byte` continues a UTF-8 character rather than starting one.
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// Fills in every missing snippet from `sources` (path -> text), reading
/// each file's lines once.
pub fn fill_snippets<'d>(diagnostics: impl IntoIterator<Item = &'d mut Diagnostic>, sources: &HashMap<String, &str>) {
    let mut by_path: BTreeMap<&str, Vec<&'d mut Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        if d.snippet.is_none() && d.line > 0 && sources.contains_key(&d.path) {
            // The key borrows from `sources`, not from the diagnostic.
            if let Some((path, _)) = sources.get_key_value(&d.path) {
                by_path.entry(path.as_str()).or_default().push(d);
            }
        }
    }
    for (path, list) in by_path {
        let Some(text) = sources.get(path) else { continue };
        let lines = LineIndex::new(text);
        for d in list {
            d.fill_snippet_from(&lines);
        }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The output formats of `check` (and of `build`'s report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Colourful, with the source line and a caret.
    #[default]
    Human,
    /// One JSON document: `{"diagnostics": [...], "errors": n, "warnings": n}`.
    Json,
    /// GitHub Actions workflow commands (`::error file=...`).
    Github,
}

/// A sorted, de-duplicated list of diagnostics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// Warnings past [`WARNINGS_PER_FILE`], by file: counted, not listed.
    not_shown_in: BTreeMap<String, usize>,
    /// Warnings past [`WARNINGS_IN_ALL`]: counted, not listed.
    not_shown_beyond: usize,
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(diagnostics);
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn as_slice(&self) -> &[Diagnostic] {
        &self.items
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// Every warning, those not listed (past the caps) included.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count() + self.not_shown()
    }

    /// How many warnings are counted but not listed, past the caps.
    pub fn not_shown(&self) -> usize {
        self.not_shown_in.values().sum::<usize>() + self.not_shown_beyond
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Sorts by file and position, drops exact duplicates, caps the
    /// warnings ([`Diagnostics::limit`]) and fills in each missing snippet
    /// from `sources` (path -> text).
    pub fn finish(&mut self, sources: &HashMap<String, &str>) {
        self.sort();
        self.limit();
        fill_snippets(&mut self.items, sources);
        // Two diagnostics may have differed only in a snippet one had.
        self.sort();
    }

    /// Keeps the first [`WARNINGS_PER_FILE`] warnings of each file and the
    /// first [`WARNINGS_IN_ALL`] in all (in sorted order); the others are
    /// counted, so [`Diagnostics::warning_count`] stays true and the report
    /// says how many were not shown. Errors are never dropped: each one
    /// fails the build and must be findable.
    pub fn limit(&mut self) {
        let mut per_file: HashMap<String, usize> = HashMap::new();
        let mut listed = 0;
        let mut kept = Vec::with_capacity(self.items.len().min(WARNINGS_IN_ALL * 2));
        for d in std::mem::take(&mut self.items) {
            if !d.is_error() {
                let seen = per_file.entry(d.path.clone()).or_default();
                *seen += 1;
                if *seen > WARNINGS_PER_FILE {
                    *self.not_shown_in.entry(d.path).or_default() += 1;
                    continue;
                }
                if listed >= WARNINGS_IN_ALL {
                    self.not_shown_beyond += 1;
                    continue;
                }
                listed += 1;
            }
            kept.push(d);
        }
        self.items = kept;
        // A file none of whose warnings is listed gets no note of its own:
        // its count joins the overall one.
        let shown: std::collections::HashSet<&str> = self
            .items
            .iter()
            .filter(|d| !d.is_error())
            .map(|d| d.path.as_str())
            .collect();
        let orphans: Vec<String> = self
            .not_shown_in
            .keys()
            .filter(|path| !shown.contains(path.as_str()))
            .cloned()
            .collect();
        for path in orphans {
            self.not_shown_beyond += self.not_shown_in.remove(&path).unwrap_or(0);
        }
    }

    /// Sorts by file and position and drops exact duplicates.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.items.dedup();
    }

    /// Renders every diagnostic in `format`, ready to print.
    pub fn render(&self, format: Format, colour: bool) -> String {
        match format {
            Format::Human => self.render_human(colour),
            Format::Json => self.render_json(),
            Format::Github => self.render_github(),
        }
    }

    fn render_human(&self, colour: bool) -> String {
        let mut out = String::new();
        for (i, d) in self.items.iter().enumerate() {
            out.push_str(&render_one_human(d, colour));
            let last_of_file = self.items.get(i + 1).is_none_or(|next| next.path != d.path);
            if let Some(n) = self.not_shown_in.get(&d.path).filter(|_| last_of_file) {
                let _ = writeln!(out, "note: {} in {} not shown\n", more_warnings(*n), d.path);
            }
        }
        if let Some(note) = self.note_beyond() {
            let _ = writeln!(out, "note: {note}\n");
        }
        out
    }

    /// The closing note about warnings past [`WARNINGS_IN_ALL`], if any.
    fn note_beyond(&self) -> Option<String> {
        (self.not_shown_beyond > 0).then(|| {
            format!(
                "{} not shown (at most {WARNINGS_PER_FILE} per file and {WARNINGS_IN_ALL} in all are listed); fix the rule that gives so many, then check again",
                more_warnings(self.not_shown_beyond)
            )
        })
    }

    fn render_json(&self) -> String {
        #[derive(Serialize)]
        struct Report<'a> {
            diagnostics: &'a [Diagnostic],
            errors: usize,
            /// Every warning, listed or not.
            warnings: usize,
            /// Warnings past the caps, counted but not listed.
            #[serde(skip_serializing_if = "is_zero")]
            warnings_not_shown: usize,
        }
        let report = Report {
            diagnostics: &self.items,
            errors: self.error_count(),
            warnings: self.warning_count(),
            warnings_not_shown: self.not_shown(),
        };
        let mut json = serde_json::to_string_pretty(&report).unwrap_or_default();
        json.push('\n');
        json
    }

    fn render_github(&self) -> String {
        let mut out = String::new();
        for d in &self.items {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut message = d.message.clone();
            if let Some(hint) = &d.hint {
                message.push('\n');
                message.push_str(hint);
            }
            let _ = write!(out, "::{level} file={}", github_property(&d.path));
            if d.line > 0 {
                let _ = write!(out, ",line={}", d.line);
            }
            if d.column > 0 {
                let _ = write!(out, ",col={}", d.column);
            }
            let _ = writeln!(out, "::{}", github_data(&message));
        }
        for (path, n) in &self.not_shown_in {
            let _ = writeln!(
                out,
                "::notice file={}::{}",
                github_property(path),
                github_data(&format!("{} not shown", more_warnings(*n)))
            );
        }
        if let Some(note) = self.note_beyond() {
            let _ = writeln!(out, "::notice::{}", github_data(&note));
        }
        out
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics {
            items: iter.into_iter().collect(),
            ..Diagnostics::default()
        }
    }
}

/// "1 more warning", "9980 more warnings".
fn more_warnings(n: usize) -> String {
    if n == 1 {
        "1 more warning".to_string()
    } else {
        format!("{n} more warnings")
    }
}

/// One diagnostic in the human format:
///
/// ```text
/// error: unknown team `salse`
///   --> content/commitments/pricing.md:4:8
///    |
///  4 | owner: salse
///    |        ^^^^^
///    = hint: did you mean `sales`?
/// ```
pub fn render_one_human(d: &Diagnostic, colour: bool) -> String {
    let paint = |code: &str, text: &str| {
        if colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let (label, code) = match d.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}{} {}",
        paint(code, label),
        paint("1", ":"),
        paint("1", &d.message)
    );
    let location = match (d.line, d.column) {
        (0, _) => d.path.clone(),
        (line, 0) => format!("{}:{line}", d.path),
        (line, column) => format!("{}:{line}:{column}", d.path),
    };
    let gutter_width = d.line.to_string().len();
    let pad = " ".repeat(gutter_width);
    let _ = writeln!(out, "{pad}{} {location}", paint("1;34", "-->"));
    if let Some(snippet) = &d.snippet {
        let bar = paint("1;34", "|");
        let shown = snippet.replace('\t', "    ");
        let _ = writeln!(out, "{pad} {bar}");
        let _ = writeln!(out, "{} {bar} {shown}", paint("1;34", &d.line.to_string()));
        let cut = d.snippet_offset as usize;
        if d.column > cut {
            let before: String = snippet.chars().take(d.column - 1 - cut).collect();
            let indent = before.replace('\t', "    ").chars().count();
            let rest: String = snippet.chars().skip(d.column - 1 - cut).collect();
            let width = caret_width(&rest);
            let _ = writeln!(
                out,
                "{pad} {bar} {}{}",
                " ".repeat(indent),
                paint(code, &"^".repeat(width))
            );
        }
    }
    if let Some(hint) = &d.hint {
        let _ = writeln!(out, "{pad} {} {hint}", paint("1;36", "= hint:"));
    }
    out.push('\n');
    out
}

/// How many characters to underline: the token that starts at the column.
fn caret_width(rest: &str) -> usize {
    // A wiki-link is one token, brackets and all.
    if let Some(end) = rest.strip_prefix("[[").and_then(|r| r.find("]]")) {
        return (rest[..end + 4].chars().count()).clamp(1, 60);
    }
    let token = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ']' | '}' | ')'))
        .count();
    token.clamp(1, 60)
}

fn github_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Suggestions for a misspelt name: the closest candidates by edit distance,
/// formatted as "did you mean `a` or `b`?", or `None` when nothing is close.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let close = closest(wanted, candidates, 3);
    match close.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean `{one}`?")),
        [first @ .., last] => Some(format!(
            "did you mean {} or `{last}`?",
            first.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Up to `most` candidates close to `wanted`, best first.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>, most: usize) -> Vec<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    let wanted_len = wanted_lower.chars().count();
    let edits = 2.max(wanted_len / 3);
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let lower = c.to_lowercase();
            let prefix = lower.starts_with(&wanted_lower) || wanted_lower.starts_with(&lower);
            let len = lower.chars().count();
            let (short, long) = (len.min(wanted_len), len.max(wanted_len));
            // Cheap bounds first, as a page may hold thousands of broken
            // links: an edit distance is at least the difference in length,
            // and a Jaro-Winkler similarity of 0.88 needs the shorter name
            // to be at least 0.4 of the longer.
            let may_edit = long - short <= edits;
            if !may_edit && (short as f64) < 0.4 * long as f64 && !(prefix && wanted_lower.len() >= 3) {
                return None;
            }
            let similarity = strsim::jaro_winkler(&wanted_lower, &lower);
            let close = similarity >= 0.88
                || (prefix && wanted_lower.len() >= 3)
                || (may_edit && strsim::levenshtein(&wanted_lower, &lower) <= edits);
            close.then_some((similarity, c))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(most).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\ncdé f\n";
        assert_eq!(Pos::of_offset(text, 0), Pos::new(1, 1));
        assert_eq!(Pos::of_offset(text, 3), Pos::new(2, 1));
        // `f` comes after a two-byte character.
        assert_eq!(Pos::of_offset(text, 8), Pos::new(2, 5));
    }

    #[test]
    fn line_index_agrees_with_a_scan() {
        let cases = ["", "a", "a\n", "ab\ncdé f\n", "\n\n", "x\r\ny", "é\n\nz"];
        for text in cases {
            let lines = LineIndex::new(text);
            for offset in 0..=text.len() {
                assert_eq!(lines.pos(offset), Pos::of_offset(text, offset), "{text:?} at {offset}");
            }
            let expected: Vec<&str> = text.lines().collect();
            for n in 1..=expected.len() + 1 {
                assert_eq!(lines.line(n), expected.get(n - 1).copied(), "{text:?} line {n}");
            }
        }
    }

    #[test]
    fn warnings_past_the_caps_are_counted_not_listed() {
        let mut diags: Diagnostics = (0..30)
            .map(|i| Diagnostic::warning("a.md", format!("w{i:02}")).at(i + 1, 1))
            .chain([Diagnostic::error("a.md", "e").at(40, 1)])
            .collect();
        diags.finish(&HashMap::new());
        assert_eq!(diags.len(), WARNINGS_PER_FILE + 1, "every error stays");
        assert_eq!(diags.warning_count(), 30);
        assert_eq!(diags.not_shown(), 10);
        let text = diags.render(Format::Human, false);
        assert!(text.contains("note: 10 more warnings in a.md not shown"), "{text}");
    }

    #[test]
    fn human_format_shows_snippet_and_caret() {
        let mut diags = Diagnostics::new();
        diags.push(
            Diagnostic::error("content/a.md", "unknown team `salse`")
                .at(2, 8)
                .hint("did you mean `sales`?"),
        );
        let sources = HashMap::from([("content/a.md".to_string(), "---\nowner: salse\n---\n")]);
        diags.finish(&sources);
        let text = diags.render(Format::Human, false);
        assert!(text.contains("--> content/a.md:2:8"), "{text}");
        assert!(text.contains("2 | owner: salse"), "{text}");
        assert!(text.contains("  |        ^^^^^"), "{text}");
        assert!(text.contains("= hint: did you mean `sales`?"), "{text}");
    }

    #[test]
    fn carets_underline_one_token() {
        let cases = [
            ("salse", 5),
            ("markting]", 8),
            ("[[nonexistent-term]] and", 20),
            ("[[unclosed and more", 10),
            ("", 1),
        ];
        for (rest, width) in cases {
            assert_eq!(caret_width(rest), width, "{rest:?}");
        }
    }

    #[test]
    fn github_format_escapes_properties() {
        let mut diags = Diagnostics::new();
        diags.push(Diagnostic::warning("a,b.md", "x\ny").at(3, 1));
        let text = diags.render(Format::Github, false);
        assert_eq!(text, "::warning file=a%2Cb.md,line=3,col=1::x%0Ay\n");
    }

    #[test]
    fn suggestions_prefer_the_closest() {
        let names = ["sales", "support", "marketing"];
        assert_eq!(did_you_mean("salse", names), Some("did you mean `sales`?".into()));
        assert_eq!(did_you_mean("zzzzzz", names), None);
    }

    #[test]
    fn sorting_orders_by_file_then_line() {
        let mut diags: Diagnostics = [
            Diagnostic::error("b.md", "x").at(1, 1),
            Diagnostic::error("a.md", "y").at(9, 1),
            Diagnostic::error("a.md", "z").at(2, 1),
        ]
        .into_iter()
        .collect();
        diags.finish(&HashMap::new());
        let order: Vec<_> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["z", "y", "x"]);
    }
}
