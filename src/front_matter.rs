//! Splitting a content file into YAML front matter and Markdown body, parsing
//! the YAML, and reading typed fields with positions for diagnostics.
//!
//! serde_yaml gives values but no positions for them, so positions come from a
//! small line-based [`Locator`] over the front-matter text. It is only
//! consulted when something needs a position (a diagnostic, a reference), so
//! the common path parses each file exactly once.

use serde_yaml::{Mapping, Value};

use crate::date::Date;
use crate::diagnostic::{Diagnostic, Pos};

/// A content file cut at its front-matter fences.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    /// The YAML between the fences.
    pub yaml: &'a str,
    /// The 1-based file line of the first YAML line.
    pub yaml_line: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// Byte offset of `body` in the file text.
    pub body_offset: usize,
}

/// Cuts `text` at its `---` fences. `path` is only used in diagnostics.
pub fn split<'a>(path: &str, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[start..];
    let first_line_end = rest.find('\n').unwrap_or(rest.len());
    let first_line = rest[..first_line_end].trim_end_matches('\r').trim_end();
    if first_line != "---" {
        let hint = if first_line == "+++" {
            "rapport reads YAML front matter between `---` lines, not TOML between `+++`"
        } else {
            "start the file with a line `---`, then `title: ...`, then a closing `---`"
        };
        return Err(Diagnostic::error(path, "missing front matter").at(1, 1).hint(hint));
    }
    let yaml_start = start + first_line_end + 1;
    if yaml_start > text.len() {
        return Err(unterminated(path));
    }
    let mut offset = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n', '\r']).trim_end();
        if trimmed == "---" || trimmed == "..." {
            let yaml = &text[yaml_start..offset];
            let body_offset = offset + line.len();
            return Ok(Split {
                yaml,
                yaml_line: 2,
                body: &text[body_offset..],
                body_offset,
            });
        }
        offset += line.len();
    }
    Err(unterminated(path))
}

fn unterminated(path: &str) -> Diagnostic {
    Diagnostic::error(path, "unterminated front matter: no closing `---` line")
        .at(1, 1)
        .hint("add a line `---` after the last front-matter field, before the Markdown")
}

/// How deeply `[` and `{` may nest in front matter. Real front matter
/// nests two or three levels; the YAML scanner takes time quadratic in the
/// depth (40,000 levels took 9.5 s), so deeper text is refused before it is
/// parsed.
pub(crate) const MAX_NESTING: usize = 64;

/// Parses the YAML of `split` into a mapping (an empty front matter is an
/// empty mapping).
pub fn parse_yaml(path: &str, split: &Split<'_>) -> Result<Mapping, Diagnostic> {
    if let Some(offset) = too_deep(split.yaml) {
        let pos = Pos::of_offset(split.yaml, offset);
        return Err(Diagnostic::error(
            path,
            format!("front matter nests `[` and `{{` more than {MAX_NESTING} levels deep"),
        )
        .at(split.yaml_line + pos.line - 1, pos.column)
        .hint("front matter needs a few levels at most; look for brackets that are never closed, or quote a text that starts with `[` or `{`"));
    }
    match serde_yaml::from_str::<Value>(split.yaml) {
        Ok(Value::Mapping(map)) => Ok(map),
        Ok(Value::Null) => Ok(Mapping::new()),
        Ok(other) => Err(Diagnostic::error(
            path,
            format!("front matter must be `key: value` fields, found {}", describe(&other)),
        )
        .at(split.yaml_line, 1)
        .hint("write one field per line, such as `title: Churn`")),
        Err(err) => Err(yaml_error(path, split, &err)),
    }
}

/// A YAML error in words a person who writes front matter understands, at
/// the line it is about.
fn yaml_error(path: &str, split: &Split<'_>, err: &serde_yaml::Error) -> Diagnostic {
    let at = err.location().map_or(Pos::new(split.yaml_line, 1), |l| {
        Pos::new(split.yaml_line + l.line() - 1, l.column())
    });
    let text = yaml_message(err);
    // A problem with a value comes after the value's path: `definitions: ...`.
    let (field, reason) = match text.split_once(": ") {
        Some((field, reason)) if is_field_path(field) => (Some(field), reason),
        _ => (None, text.as_str()),
    };
    if let Some(key) = reason.strip_prefix("duplicate entry with key ") {
        let key = key.trim_matches('"');
        let place = field.map_or_else(|| "the front matter".to_string(), |f| format!("`{f}`"));
        return Diagnostic::error(path, format!("`{key}` appears twice in {place}"))
            .at_pos(duplicate_position(split, at, key).unwrap_or(at))
            .hint(format!(
                "keep one `{key}:` line and remove the other; each field may appear only once"
            ));
    }
    if reason.contains("cannot start any token") && is_tab_at(split, at) {
        return Diagnostic::error(path, "tabs are not allowed for indentation in YAML; use spaces")
            .at_pos(at)
            .hint("replace the tab at the start of this line with spaces (most editors can insert spaces for the Tab key)");
    }
    if let Some(number) = too_large_number(reason) {
        let name = field.unwrap_or("a value");
        let key = field.map_or("field", |f| f.rsplit(['.', ']']).next().unwrap_or(f));
        return Diagnostic::error(path, format!("`{name}` is too large a number: `{number}`"))
            .at_pos(at)
            .hint(format!(
                "a number can have at most 19 digits; if this is a code or an ID rather than a number, put it in quotes: `{key}: \"{number}\"`"
            ));
    }
    if reason.contains("recursion limit exceeded") {
        return Diagnostic::error(path, "front matter nests too deeply")
            .at_pos(at)
            .hint("front matter needs a few levels at most; look for a runaway list such as `- - - -`");
    }
    if reason.contains("repetition limit exceeded") {
        return Diagnostic::error(
            path,
            "front matter repeats its anchors too many times (each `*name` copies the value of `&name`)",
        )
        .at_pos(at)
        .hint("use fewer `*` aliases, or write the values out");
    }
    Diagnostic::error(path, format!("invalid YAML in front matter: {text}"))
        .at_pos(at)
        .hint(yaml_hint(&text))
}

/// serde_yaml's message without its trailing " at line X column Y".
fn yaml_message(err: &serde_yaml::Error) -> String {
    let text = err.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Whether `text` is a path of fields as serde_yaml writes it before a
/// message (`satisfaction`, `revisions[0].new_due`), not part of the message.
fn is_field_path(text: &str) -> bool {
    !text.is_empty() && !text.contains(' ') && !text.contains('`')
}

fn yaml_hint(message: &str) -> &'static str {
    if message.contains("mapping values are not allowed") {
        "a value containing `: ` must be quoted, like `title: \"Churn: what it means\"`"
    } else if message.contains("tab") {
        "indent YAML with spaces, not tabs"
    } else if message.contains("invalid type") || message.contains("invalid value") {
        "check the value's type; quote it to make it text"
    } else {
        "check the indentation and the quoting on this line and the one above; text with `: `, ` #` or a leading `[`, `{`, `*` or `&` needs quotes"
    }
}

/// The number in serde_yaml's "invalid type: integer `…` as u128" (an
/// integer too large for 64 bits), if that is the message.
fn too_large_number(reason: &str) -> Option<&str> {
    let rest = reason.strip_prefix("invalid type: integer `")?;
    let (number, tail) = rest.split_once('`')?;
    (tail.starts_with(" as u128") || tail.starts_with(" as i128")).then_some(number)
}

/// Whether the character at `at` (a file position) is a tab, or the line's
/// indentation holds one.
fn is_tab_at(split: &Split<'_>, at: Pos) -> bool {
    let Some(line) = split.yaml.lines().nth(at.line.saturating_sub(split.yaml_line)) else {
        return false;
    };
    let indent = &line[..line.len() - line.trim_start().len()];
    indent.contains('\t') || line.chars().nth(at.column.saturating_sub(1)) == Some('\t')
}

/// Where the second `key:` of the block mapping that starts at `start` is:
/// serde_yaml points at the mapping, not at the key written twice.
fn duplicate_position(split: &Split<'_>, start: Pos, key: &str) -> Option<Pos> {
    let first = start.line.checked_sub(split.yaml_line)?;
    let indent = start.column.saturating_sub(1);
    let mut seen = 0;
    for (i, line) in split.yaml.lines().enumerate().skip(first) {
        let trimmed = line.trim_start();
        let this_indent = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if i > first && this_indent < indent {
            break;
        }
        // A list item's first key sits after its `- `.
        let (trimmed, this_indent) = match trimmed.strip_prefix("- ") {
            Some(rest) if i == first => (rest.trim_start(), line.len() - rest.trim_start().len()),
            _ => (trimmed, this_indent),
        };
        if this_indent != indent {
            continue;
        }
        let rest = trimmed
            .strip_prefix(key)
            .or_else(|| trimmed.strip_prefix(&format!("\"{key}\"")))
            .or_else(|| trimmed.strip_prefix(&format!("'{key}'")));
        if rest.is_some_and(|r| r.trim_start().starts_with(':')) {
            seen += 1;
            if seen == 2 {
                return Some(Pos::new(split.yaml_line + i, indent + 1));
            }
        }
    }
    None
}

/// The byte offset of the first `[` or `{` in `yaml` that opens more than
/// [`MAX_NESTING`] levels, if any. A light scan that knows where YAML reads
/// brackets as structure: at the start of a value and inside flow
/// collections, not inside quotes, comments, block scalars (`|`, `>`) or
/// plain text such as `title: Use [[mql]] links`.
fn too_deep(yaml: &str) -> Option<usize> {
    let bytes = yaml.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    let mut line_start = true;
    let mut line_indent = 0;
    // Whether the next character would begin a value.
    let mut value_start = true;
    // The indentation of the line that opened a block scalar, while in one.
    let mut block_scalar: Option<usize> = None;
    let end_of_line = |from: usize| {
        bytes[from..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |n| from + n)
    };
    while i < bytes.len() {
        if line_start {
            line_start = false;
            let indent = bytes[i..].iter().take_while(|b| **b == b' ').count();
            let blank = bytes[i + indent..]
                .iter()
                .take_while(|b| **b != b'\n')
                .all(|b| b.is_ascii_whitespace());
            if let Some(parent) = block_scalar {
                if blank || indent > parent {
                    i = end_of_line(i);
                    continue;
                }
                block_scalar = None;
            }
            line_indent = indent;
            i += indent;
            if depth == 0 {
                value_start = true;
            }
            continue;
        }
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        let spaced = |n: Option<u8>| n.is_none_or(|n| n.is_ascii_whitespace());
        match b {
            b'\n' => line_start = true,
            b'#' if i == 0 || bytes[i - 1].is_ascii_whitespace() => {
                i = end_of_line(i);
                continue;
            }
            b'\'' | b'"' if value_start => {
                i = skip_quoted(bytes, i);
                value_start = false;
                continue;
            }
            b'[' | b'{' if depth > 0 || value_start => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
                value_start = true;
            }
            b']' | b'}' if depth > 0 => {
                depth -= 1;
                value_start = false;
            }
            b',' if depth > 0 => value_start = true,
            b':' if depth > 0 || spaced(next) => value_start = true,
            b'-' | b'?' if depth == 0 && value_start && spaced(next) => {}
            b'|' | b'>' if depth == 0 && value_start => {
                block_scalar = Some(line_indent);
                i = end_of_line(i);
                continue;
            }
            b' ' | b'\t' | b'\r' => {}
            _ => value_start = false,
        }
        i += 1;
    }
    None
}

/// The offset just past the quoted scalar that starts at `start`.
fn skip_quoted(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// "a list", "a map", "a number", ... for messages.
pub(crate) fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a map",
        Value::Tagged(_) => "a tagged value",
    }
}

/// Finds the positions of keys and values in front-matter YAML by scanning
/// its lines: enough for the block and flow styles people write by hand.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Locator<'a> {
    yaml: &'a str,
    first_line: usize,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(split: &Split<'a>) -> Locator<'a> {
        Locator {
            yaml: split.yaml,
            first_line: split.yaml_line,
        }
    }

    /// The position of the top-level `key:`; the fence line when absent.
    pub(crate) fn key(&self, key: &str) -> Pos {
        self.key_line(key)
            .map(|i| Pos::new(self.first_line + i, 1))
            .unwrap_or_else(|| Pos::new(self.first_line.saturating_sub(1).max(1), 1))
    }

    /// The position of the first occurrence of `needle` in the block of the
    /// top-level `key` (its line and the indented lines below it), searched as
    /// a whole word. Falls back to the key's position.
    pub(crate) fn value(&self, key: &str, needle: &str) -> Pos {
        self.value_from(key, needle, 0)
    }

    /// Like [`Locator::value`], but for the `nth` occurrence (0-based).
    pub(crate) fn value_from(&self, key: &str, needle: &str, nth: usize) -> Pos {
        let Some(start) = self.key_line(key) else {
            return self.key(key);
        };
        let mut seen = 0;
        for (i, line) in self.block_lines(start) {
            let search_from = if i == start {
                line.find(':').map_or(0, |c| c + 1)
            } else {
                0
            };
            let mut from = search_from;
            while let Some(found) = find_word(&line[from..], needle) {
                let at = from + found;
                if seen == nth {
                    return Pos::new(self.first_line + i, line[..at].chars().count() + 1);
                }
                seen += 1;
                from = at + needle.len().max(1);
            }
        }
        self.key(key)
    }

    /// The position of `sub:` nested inside the block of top-level `key`
    /// (`definitions: {sales: ...}`), else of `key`.
    pub(crate) fn nested_key(&self, key: &str, sub: &str) -> Pos {
        let Some(start) = self.key_line(key) else {
            return self.key(key);
        };
        for (i, line) in self.block_lines(start) {
            let from = if i == start {
                line.find(':').map_or(0, |c| c + 1)
            } else {
                0
            };
            if let Some(found) = find_word(&line[from..], sub) {
                let at = from + found;
                if line[at + sub.len()..].trim_start().starts_with(':') {
                    return Pos::new(self.first_line + i, line[..at].chars().count() + 1);
                }
            }
        }
        self.key(key)
    }

    /// The position of the `index`-th list item (`- ...`) under `key`.
    pub(crate) fn item(&self, key: &str, index: usize) -> Pos {
        let Some(start) = self.key_line(key) else {
            return self.key(key);
        };
        let mut item_indent = None;
        let mut seen = 0;
        for (i, line) in self.block_lines(start).skip(1) {
            let indent = line.len() - line.trim_start().len();
            if line.trim_start().starts_with('-') && item_indent.is_none_or(|w| w == indent) {
                item_indent = Some(indent);
                if seen == index {
                    return Pos::new(self.first_line + i, indent + 1);
                }
                seen += 1;
            }
        }
        self.key(key)
    }

    /// The position of `field:` inside the `index`-th list item under `key`.
    pub(crate) fn item_field(&self, key: &str, index: usize, field: &str) -> Pos {
        let item = self.item(key, index);
        let lines: Vec<&str> = self.yaml.lines().collect();
        let first = item.line - self.first_line;
        let item_indent = item.column - 1;
        for (i, line) in lines.iter().enumerate().skip(first) {
            let indent = line.len() - line.trim_start().len();
            if i > first && indent <= item_indent && !line.trim().is_empty() {
                break;
            }
            if let Some(found) = find_word(line, field)
                && line[found + field.len()..].trim_start().starts_with(':')
            {
                return Pos::new(self.first_line + i, line[..found].chars().count() + 1);
            }
        }
        item
    }

    /// Whether the top-level `key` is written at all (even with no value).
    pub(crate) fn has_key(&self, key: &str) -> bool {
        self.key_line(key).is_some()
    }

    fn key_line(&self, key: &str) -> Option<usize> {
        self.yaml.lines().position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
                || line
                    .strip_prefix(&format!("\"{key}\""))
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
    }

    /// The key's own line and the lines that belong to it: indented lines and
    /// `- ` items at column 1.
    fn block_lines(&self, start: usize) -> impl Iterator<Item = (usize, &'a str)> {
        let mut done = false;
        self.yaml.lines().enumerate().skip(start).take_while(move |(i, line)| {
            if done {
                return false;
            }
            if *i == start {
                return true;
            }
            let belongs =
                line.trim().is_empty() || line.starts_with([' ', '\t', '-']) || line.trim_start().starts_with('#');
            if !belongs {
                done = true;
            }
            belongs
        })
    }
}

/// Finds `needle` in `haystack` where it is not part of a longer word.
fn find_word(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut from = 0;
    while let Some(found) = haystack[from..].find(needle) {
        let at = from + found;
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + needle.len()..].chars().next();
        if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
            return Some(at);
        }
        from = at + needle.len();
    }
    None
}

/// Reads typed fields out of a front-matter mapping, removing each field it
/// reads, and records a diagnostic for every field of the wrong shape. What
/// is left at the end is the item's `extra`.
pub(crate) struct Fields<'a> {
    pub path: &'a str,
    map: Mapping,
    pub locator: Locator<'a>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(path: &'a str, map: Mapping, split: &Split<'a>) -> Fields<'a> {
        Fields {
            path,
            map,
            locator: Locator::new(split),
            diagnostics: Vec::new(),
        }
    }

    /// Removes `key`, treating an explicit `null` as absent.
    pub(crate) fn take(&mut self, key: &str) -> Option<Value> {
        match self.map.remove(key) {
            None | Some(Value::Null) => None,
            Some(Value::Tagged(tagged)) => Some(tagged.value),
            Some(value) => Some(value),
        }
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.map.get(key).is_some_and(|v| !v.is_null())
    }

    fn wrong_type(&mut self, key: &str, want: &str, found: &Value, example: &str) {
        let pos = self.locator.key(key);
        self.diagnostics.push(
            Diagnostic::error(
                self.path,
                format!("`{key}` should be {want}, found {}", describe(found)),
            )
            .at_pos(pos)
            .hint(format!("write it like `{example}`")),
        );
    }

    pub(crate) fn missing(&mut self, key: &str, example: &str) {
        self.diagnostics.push(
            Diagnostic::error(self.path, format!("missing required field `{key}`"))
                .at(1, 1)
                .hint(format!("add `{example}` to the front matter")),
        );
    }

    /// Text; numbers and booleans are accepted as their text.
    pub(crate) fn text(&mut self, key: &str) -> Option<String> {
        let value = self.take(key)?;
        match scalar_text(&value) {
            Some(text) => Some(text),
            None => {
                self.wrong_type(key, "text", &value, &format!("{key}: some text"));
                None
            }
        }
    }

    /// Reports `key` as missing unless a diagnostic about it exists already
    /// (a wrong type or a bad value is reported once, not twice).
    pub(crate) fn missing_unless_reported(&mut self, key: &str, example: &str) {
        let quoted = format!("`{key}`");
        if !self.diagnostics.iter().any(|d| d.message.contains(&quoted)) {
            self.missing(key, example);
        }
    }

    pub(crate) fn required_text(&mut self, key: &str, example: &str) -> Option<String> {
        let present = self.has(key);
        let text = self.text(key);
        match text {
            Some(t) if !t.trim().is_empty() => Some(t),
            Some(_) => {
                let pos = self.locator.key(key);
                self.diagnostics.push(
                    Diagnostic::error(self.path, format!("`{key}` is empty"))
                        .at_pos(pos)
                        .hint(format!("write it like `{example}`")),
                );
                None
            }
            None => {
                if !present {
                    self.missing(key, example);
                }
                None
            }
        }
    }

    pub(crate) fn bool(&mut self, key: &str) -> Option<bool> {
        let value = self.take(key)?;
        match value {
            Value::Bool(b) => Some(b),
            other => {
                self.wrong_type(key, "true or false", &other, &format!("{key}: true"));
                None
            }
        }
    }

    pub(crate) fn date(&mut self, key: &str) -> Option<Date> {
        let value = self.take(key)?;
        let Some(text) = scalar_text(&value) else {
            self.wrong_type(key, "a date", &value, &format!("{key}: 2026-03-31"));
            return None;
        };
        match site_date(&text) {
            Ok(date) => Some(date),
            Err(reason) => {
                let pos = self.locator.value(key, text.trim());
                self.diagnostics.push(
                    Diagnostic::error(self.path, format!("bad date in `{key}`: {reason}"))
                        .at_pos(pos)
                        .hint(date_hint(&text, &format!("{key}: 2026-03-31"))),
                );
                None
            }
        }
    }

    pub(crate) fn required_date(&mut self, key: &str) -> Option<Date> {
        if !self.has(key) {
            self.missing(key, &format!("{key}: 2026-03-31"));
            return None;
        }
        self.date(key)
    }

    /// An integer; floats with no fraction are accepted.
    pub(crate) fn integer(&mut self, key: &str) -> Option<i64> {
        let value = self.take(key)?;
        let number = match &value {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
            _ => None,
        };
        if number.is_none() {
            self.wrong_type(key, "a whole number", &value, &format!("{key}: 4"));
        }
        number
    }

    /// A list of texts; a single text is accepted as a list of one.
    pub(crate) fn text_list(&mut self, key: &str) -> Vec<String> {
        let Some(value) = self.take(key) else {
            return Vec::new();
        };
        match value {
            Value::Sequence(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in &items {
                    match scalar_text(item) {
                        Some(text) => out.push(text),
                        None if item.is_null() => {}
                        None => {
                            let pos = self.locator.key(key);
                            self.diagnostics.push(
                                Diagnostic::error(
                                    self.path,
                                    format!("`{key}` should be a list of texts, found {} in it", describe(item)),
                                )
                                .at_pos(pos)
                                .hint(format!("write it like `{key}: [one, two]`")),
                            );
                        }
                    }
                }
                out
            }
            other => match scalar_text(&other) {
                Some(text) => vec![text],
                None => {
                    self.wrong_type(key, "a list", &other, &format!("{key}: [one, two]"));
                    Vec::new()
                }
            },
        }
    }

    /// A map of text keys to text values, in file order.
    pub(crate) fn text_map(&mut self, key: &str) -> Vec<(String, String)> {
        let Some(value) = self.take(key) else {
            return Vec::new();
        };
        let Value::Mapping(map) = value else {
            self.wrong_type(key, "a map", &value, &format!("{key}: {{sales: \"...\"}}"));
            return Vec::new();
        };
        let mut out = Vec::with_capacity(map.len());
        for (k, v) in map {
            let Some(k) = scalar_text(&k) else { continue };
            match v {
                Value::Null => out.push((k, String::new())),
                v => match scalar_text(&v) {
                    Some(text) => out.push((k, text)),
                    None => {
                        let pos = self.locator.nested_key(key, &k);
                        self.diagnostics.push(
                            Diagnostic::error(self.path, format!("`{key}.{k}` should be text, found {}", describe(&v)))
                                .at_pos(pos)
                                .hint(format!("write it like `{k}: \"...\"` under `{key}`")),
                        );
                    }
                },
            }
        }
        out
    }

    /// A list of maps (such as `revisions`), each given as a [`Mapping`].
    pub(crate) fn map_list(&mut self, key: &str) -> Vec<Mapping> {
        let Some(value) = self.take(key) else {
            return Vec::new();
        };
        let Value::Sequence(items) = value else {
            self.wrong_type(key, "a list", &value, &format!("{key}: [{{...}}, {{...}}]"));
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            match item {
                Value::Mapping(map) => out.push(map),
                other => {
                    let pos = self.locator.item(key, i);
                    self.diagnostics.push(
                        Diagnostic::error(
                            self.path,
                            format!("item {} of `{key}` should be a map, found {}", i + 1, describe(&other)),
                        )
                        .at_pos(pos)
                        .hint("write each item as `- date: ...` with its fields indented below"),
                    );
                }
            }
        }
        out
    }

    /// What no typed reader took: the item's `extra` fields, in file order.
    pub(crate) fn into_rest(self) -> (Mapping, Vec<Diagnostic>) {
        (self.map, self.diagnostics)
    }
}

/// The first day a date in front matter may be.
pub(crate) const FIRST_DATE: &str = "1970-01-01";
/// The last day a date in front matter may be.
pub(crate) const LAST_DATE: &str = "2100-12-31";

/// A date of the site's content: `YYYY-MM-DD` (see [`Date::parse`]) from
/// [`FIRST_DATE`] to [`LAST_DATE`]. A year typo (`9026` for `2026`) is a
/// real calendar day, but it would draw monthly series 84,000 months long;
/// no alignment record is dated outside this window.
pub(crate) fn site_date(text: &str) -> Result<Date, String> {
    let date = Date::parse(text)?;
    let first = Date::parse(FIRST_DATE)?;
    let last = Date::parse(LAST_DATE)?;
    if date < first || date > last {
        return Err(format!(
            "`{date}` is outside the dates rapport accepts, {FIRST_DATE} to {LAST_DATE}"
        ));
    }
    Ok(date)
}

/// The hint for a date [`site_date`] refused: about the year when it is a
/// real day outside the window, else about the format (`example` is a
/// field written right, such as `due: 2026-03-31`).
pub(crate) fn date_hint(text: &str, example: &str) -> String {
    if Date::parse(text).is_ok() {
        format!("is the year a typo? dates run from {FIRST_DATE} to {LAST_DATE}")
    } else {
        format!("write dates as YYYY-MM-DD, like `{example}`")
    }
}

/// The text of a scalar: strings as-is, numbers and booleans printed.
pub(crate) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(t) => scalar_text(&t.value),
        _ => None,
    }
}

/// Converts a YAML value into JSON for templates, scripts and data files.
pub(crate) fn yaml_to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                serde_json::Value::from(i)
            } else if let Some(u) = n.as_u64() {
                serde_json::Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
        }
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Sequence(items) => serde_json::Value::Array(items.iter().map(yaml_to_json).collect()),
        Value::Mapping(map) => serde_json::Value::Object(
            map.iter()
                .filter_map(|(k, v)| Some((scalar_text(k)?, yaml_to_json(v))))
                .collect(),
        ),
        Value::Tagged(t) => yaml_to_json(&t.value),
    }
}

/// The known field `key` is probably a typo of, if any (`delivred` ->
/// `delivered`): a small edit distance, stricter for short names. Two edits
/// count only when the first letter is right: people mistype the middle of
/// a word, and a different first letter is usually a different word
/// (`outdated` is not `updated`).
pub(crate) fn typo_of<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let key_lower = key.to_lowercase();
    let limit = if key_lower.chars().count() <= 4 { 1 } else { 2 };
    let same_start = |k: &str| key_lower.chars().next() == k.chars().next();
    known
        .iter()
        .filter(|k| **k != key_lower)
        .map(|k| (strsim::damerau_levenshtein(&key_lower, k), *k))
        .filter(|(d, k)| *d <= limit && k.len() > 2 && (*d < 2 || same_start(k)))
        .min_by_key(|(d, k)| (*d, *k))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_ok(text: &str) -> Split<'_> {
        split("a.md", text).expect("split")
    }

    #[test]
    fn splits_fences_and_body() {
        let text = "---\ntitle: A\n---\nBody\n";
        let s = split_ok(text);
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!(&text[s.body_offset..], "Body\n");
    }

    #[test]
    fn splits_crlf_and_bom() {
        let text = "\u{feff}---\r\ntitle: A\r\n---\r\nBody\r\n";
        let s = split_ok(text);
        assert_eq!(s.yaml, "title: A\r\n");
        assert_eq!(s.body, "Body\r\n");
    }

    #[test]
    fn missing_and_unterminated() {
        let missing = split("a.md", "# Title\n").unwrap_err();
        assert_eq!(missing.message, "missing front matter");
        let open = split("a.md", "---\ntitle: A\nBody\n").unwrap_err();
        assert!(open.message.contains("unterminated"));
        let toml = split("a.md", "+++\ntitle = 'A'\n+++\n").unwrap_err();
        assert!(toml.hint.unwrap().contains("TOML"));
    }

    #[test]
    fn yaml_errors_map_to_file_lines() {
        let text = "---\ntitle: A\nowner: [sales\n---\n";
        let s = split_ok(text);
        let err = parse_yaml("a.md", &s).unwrap_err();
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        assert!(err.line >= 3, "line {}", err.line);
    }

    #[test]
    fn locator_finds_keys_values_and_items() {
        let text = "---\ntitle: A\nteams: [sales, markting]\nrevisions:\n  - date: 2026-01-01\n    new_due: 2026-02-01\n  - date: 2026-03-01\n    new_due: 2026-13-01\ndefinitions:\n  sales: hot\n  support: cold\ntags:\n- a\n- b\n---\n";
        let s = split_ok(text);
        let loc = Locator::new(&s);
        assert_eq!(loc.key("teams"), Pos::new(3, 1));
        assert_eq!(loc.value("teams", "markting"), Pos::new(3, 16));
        assert_eq!(loc.item("revisions", 1), Pos::new(7, 3));
        assert_eq!(loc.item_field("revisions", 1, "new_due"), Pos::new(8, 5));
        assert_eq!(loc.nested_key("definitions", "support"), Pos::new(11, 3));
        assert_eq!(loc.value("tags", "b"), Pos::new(14, 3));
    }

    #[test]
    fn typos_are_near_misses_only() {
        let known = ["title", "delivered", "due", "owner", "tags", "slug"];
        assert_eq!(typo_of("delivred", &known), Some("delivered"));
        assert_eq!(typo_of("titel", &known), Some("title"));
        assert_eq!(typo_of("subtitle", &known), None);
        assert_eq!(typo_of("take", &known), None);
        assert_eq!(typo_of("keywords", &known), None);
        assert_eq!(typo_of("delvred", &known), Some("delivered"));
        assert_eq!(typo_of("outdated", &["updated", "date"]), None);
    }

    #[test]
    fn fields_report_wrong_types() {
        let text = "---\ntitle: [a, b]\ndraft: maybe\ntags: x\n---\n";
        let s = split_ok(text);
        let map = parse_yaml("a.md", &s).unwrap();
        let mut f = Fields::new("a.md", map, &s);
        assert_eq!(f.text("title"), None);
        assert_eq!(f.bool("draft"), None);
        assert_eq!(f.text_list("tags"), vec!["x".to_string()]);
        let (_, diags) = f.into_rest();
        assert_eq!(diags.len(), 2);
        assert_eq!((diags[0].line, diags[1].line), (2, 3));
    }
}
