//! One version of a commitment's front matter, as the ledger compares them.
//!
//! The ledger reads every version of every commitment file in the history,
//! tens of thousands on a large site, and most fields are the same from one
//! version to the next. So a version is kept as its top-level fields' YAML
//! text (a [`Version`] is a list of blocks: a `key:` line and the lines that
//! belong to it), two versions are compared block by block, and only a
//! block whose text changed is parsed, once, through a [`Values`] cache
//! shared by the whole pass. Front matter written in a shape the line
//! scanner does not follow (quoted or complex keys) is parsed whole and
//! its fields re-serialised, which compares the same way.

use std::collections::HashMap;
use std::sync::Arc;

use serde_yaml::{Mapping, Value};

use crate::date::Date;
use crate::front_matter::{self, scalar_text};

/// One version of a file's front matter: each top-level field with the
/// YAML text it was written as.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Version {
    /// `(key, text)` in file order; the text is the whole block, key line
    /// included, so that it parses on its own.
    blocks: Vec<(String, Arc<str>)>,
    /// Whether the text had front matter that could be cut into fields.
    pub readable: bool,
}

/// One revision as written, every part as text (so that a rewritten reason
/// counts as a change even where the dates are the same).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct RevisionText {
    pub date: Option<String>,
    pub new_due: Option<String>,
    pub reason: String,
}

impl RevisionText {
    /// "2026-03-13 (dated 2026-01-21): Legal review ran long".
    pub(crate) fn display(&self) -> String {
        let mut out = self.new_due.clone().unwrap_or_else(|| "no new date".to_string());
        if let Some(date) = &self.date {
            out.push_str(&format!(" (dated {date})"));
        }
        if !self.reason.is_empty() {
            out.push_str(": ");
            out.push_str(&self.reason);
        }
        out
    }

    fn new_due_date(&self) -> Option<Date> {
        self.new_due.as_deref().and_then(|d| Date::parse(d).ok())
    }
}

/// Parsed field values by block text, shared across a pass: the same
/// `owner: sales` block is parsed once for every file and version.
#[derive(Debug, Default)]
pub(crate) struct Values {
    parsed: HashMap<Arc<str>, Option<Value>>,
}

impl Values {
    pub(crate) fn new() -> Values {
        Values::default()
    }

    /// The value of a block (`due: 2026-01-30` gives `2026-01-30`); `None`
    /// when the block does not parse on its own or holds `null`.
    fn of(&mut self, block: &Arc<str>) -> Option<Value> {
        if let Some(value) = self.parsed.get(block) {
            return value.clone();
        }
        let value = simple_scalar(block).unwrap_or_else(|| {
            serde_yaml::from_str::<Mapping>(block)
                .ok()
                .and_then(|map| map.into_iter().next().map(|(_, v)| v))
                .filter(|v| !v.is_null())
        });
        self.parsed.insert(Arc::clone(block), value.clone());
        value
    }
}

impl Version {
    /// A readable version with no fields: what a file is compared with in
    /// its first commit.
    pub(crate) fn empty() -> Version {
        Version {
            blocks: Vec::new(),
            readable: true,
        }
    }

    /// The front matter of a whole file's text; unreadable without fences.
    pub(crate) fn of_file(text: &str) -> Version {
        match front_matter::split("", text) {
            Ok(split) => Version::of_yaml(split.yaml),
            Err(_) => Version::default(),
        }
    }

    /// The fields of front-matter YAML.
    pub(crate) fn of_yaml(yaml: &str) -> Version {
        scan_blocks(yaml).unwrap_or_else(|| parse_blocks(yaml))
    }

    /// The top-level keys, in file order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.blocks.iter().map(|(k, _)| k.as_str())
    }

    pub(crate) fn block(&self, key: &str) -> Option<&Arc<str>> {
        self.blocks.iter().find(|(k, _)| k == key).map(|(_, b)| b)
    }

    /// Whether `key` is written the same way in both versions (so it
    /// certainly has the same value).
    pub(crate) fn same_text(&self, other: &Version, key: &str) -> bool {
        self.block(key) == other.block(key)
    }

    pub(crate) fn value(&self, values: &mut Values, key: &str) -> Option<Value> {
        self.block(key).and_then(|block| values.of(block))
    }

    /// A field as one line of text for people: scalars as written, lists
    /// joined with commas, maps as `key: value` pairs.
    pub(crate) fn display(&self, values: &mut Values, key: &str) -> Option<String> {
        self.value(values, key).and_then(|v| display(&v))
    }

    /// A scalar field's text, trimmed; `None` when missing, empty or not a scalar.
    pub(crate) fn text(&self, values: &mut Values, key: &str) -> Option<String> {
        self.value(values, key)
            .as_ref()
            .and_then(scalar_text)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    }

    pub(crate) fn date(&self, values: &mut Values, key: &str) -> Option<Date> {
        self.text(values, key).and_then(|t| Date::parse(&t).ok())
    }

    /// The `revisions` list as written.
    pub(crate) fn revisions(&self, values: &mut Values) -> Vec<RevisionText> {
        let Some(Value::Sequence(items)) = self.value(values, "revisions") else {
            return Vec::new();
        };
        items
            .iter()
            .map(|item| {
                let part = |name: &str| {
                    item.as_mapping()
                        .and_then(|m| m.get(name))
                        .and_then(scalar_text)
                        .map(|t| t.trim().to_string())
                        .filter(|t| !t.is_empty())
                };
                match item {
                    Value::Mapping(_) => RevisionText {
                        date: part("date"),
                        new_due: part("new_due"),
                        reason: part("reason").unwrap_or_default(),
                    },
                    other => RevisionText {
                        date: None,
                        new_due: None,
                        reason: display(other).unwrap_or_default(),
                    },
                }
            })
            .collect()
    }

    /// The due date in force: the last revision's `new_due`, else `due`
    /// (the content format's rule).
    pub(crate) fn effective_due(&self, values: &mut Values) -> Option<Date> {
        self.revisions(values)
            .iter()
            .rev()
            .find_map(RevisionText::new_due_date)
            .or_else(|| self.date(values, "due"))
    }

    /// Whether the promise is still open in this version: nothing says it
    /// was delivered, missed or dropped.
    pub(crate) fn is_open(&self, values: &mut Values) -> bool {
        let status = self.text(values, "status").map(|s| s.to_lowercase());
        let ended = matches!(status.as_deref(), Some("delivered" | "missed" | "dropped"));
        !ended && self.value(values, "delivered").is_none() && self.value(values, "closed").is_none()
    }
}

/// A YAML value as one line for people.
pub(crate) fn display(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Sequence(items) => Some(items.iter().filter_map(display).collect::<Vec<_>>().join(", ")),
        Value::Mapping(map) => Some(
            map.iter()
                .filter_map(|(k, v)| Some(format!("{}: {}", scalar_text(k)?, display(v).unwrap_or_default())))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Value::Tagged(t) => display(&t.value),
        scalar => scalar_text(scalar).map(|t| t.trim().to_string()),
    }
}

/// The value of a one-line block whose value is certainly a string
/// (`owner: sales`, `due: 2026-01-30`, `title: "A: b"`), read without the
/// YAML parser, which most blocks need not wake: `None` when unsure
/// (numbers, booleans, escapes, flow collections...), then YAML decides.
fn simple_scalar(block: &str) -> Option<Option<Value>> {
    let line = block.strip_suffix('\n').unwrap_or(block);
    if line.contains('\n') {
        return None;
    }
    let (_, value) = line.split_once(':')?;
    let value = value.trim();
    if value.is_empty() {
        return Some(None);
    }
    let string = |s: &str| Some(Some(Value::String(s.to_string())));
    if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        return if inner.contains(['"', '\\']) {
            None
        } else {
            string(inner)
        };
    }
    if let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        return if inner.contains('\'') { None } else { string(inner) };
    }
    let is_date = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if is_date {
        return string(value);
    }
    let first = value.chars().next()?;
    let words = ["true", "false", "null", "yes", "no", "on", "off", "y", "n"];
    let plain = first.is_alphabetic()
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && !words.contains(&value.to_lowercase().as_str());
    if plain { string(value) } else { None }
}

/// Cuts YAML into top-level blocks by its lines: a line at column 1 that
/// reads `key:` starts a block; indented lines, `- ` items, comments and
/// blank lines belong to the block above. `None` when a line at column 1
/// is anything else (a quoted or complex key): then the YAML is parsed.
fn scan_blocks(yaml: &str) -> Option<Version> {
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in yaml.split_inclusive('\n') {
        let continues = line.trim().is_empty() || line.starts_with([' ', '\t', '-', '#']);
        if continues {
            if let Some((_, text)) = blocks.last_mut() {
                text.push_str(line);
            }
            continue;
        }
        let key = key_of(line)?;
        if blocks.iter().any(|(k, _)| k == key) {
            // A repeated key is an error the site reports; compare the
            // versions as the YAML parser reads them.
            return None;
        }
        blocks.push((key.to_string(), line.to_string()));
    }
    Some(Version {
        blocks: blocks.into_iter().map(|(k, t)| (k, Arc::from(t))).collect(),
        readable: true,
    })
}

/// The key of a `key: value` line, if it is one.
fn key_of(line: &str) -> Option<&str> {
    let line = line.trim_end();
    let colon = line.char_indices().find_map(|(i, c)| {
        let after = &line[i + 1..];
        (c == ':' && (after.is_empty() || after.starts_with([' ', '\t']))).then_some(i)
    })?;
    let key = &line[..colon];
    let plain = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    plain.then_some(key)
}

/// The fields of YAML the line scanner cannot cut: parsed whole, each
/// field written back as a block of its own.
fn parse_blocks(yaml: &str) -> Version {
    let Ok(map) = serde_yaml::from_str::<Mapping>(yaml) else {
        return Version::default();
    };
    let blocks = map
        .into_iter()
        .filter_map(|(k, v)| {
            let key = scalar_text(&k)?;
            let mut single = Mapping::new();
            single.insert(Value::String(key.clone()), v);
            let text = serde_yaml::to_string(&single).ok()?;
            Some((key, Arc::from(text)))
        })
        .collect();
    Version { blocks, readable: true }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "---\ntitle: \"Pricing: the page\"\nowner: marketing\nto:\n- sales\n- support\npromised: 2025-10-06\ndue: 2026-01-30\n# a comment\nrevisions:\n  - date: 2026-01-21\n    new_due: 2026-03-13\n    reason: Legal review ran long.\n---\nBody.\n";

    #[test]
    fn blocks_follow_top_level_keys() {
        let v = Version::of_file(FILE);
        assert!(v.readable);
        assert_eq!(
            v.keys().collect::<Vec<_>>(),
            ["title", "owner", "to", "promised", "due", "revisions"]
        );
        assert_eq!(v.block("to").map(|b| &**b), Some("to:\n- sales\n- support\n"));
        let mut values = Values::new();
        assert_eq!(v.display(&mut values, "title").as_deref(), Some("Pricing: the page"));
        assert_eq!(v.display(&mut values, "to").as_deref(), Some("sales, support"));
        assert_eq!(
            v.date(&mut values, "due").map(|d| d.to_string()).as_deref(),
            Some("2026-01-30")
        );
        let revisions = v.revisions(&mut values);
        assert_eq!(revisions.len(), 1);
        assert_eq!(
            revisions[0].display(),
            "2026-03-13 (dated 2026-01-21): Legal review ran long."
        );
        assert_eq!(
            v.effective_due(&mut values).map(|d| d.to_string()).as_deref(),
            Some("2026-03-13")
        );
        assert!(v.is_open(&mut values));
    }

    #[test]
    fn simple_values_read_as_yaml_reads_them() {
        let cases = [
            "owner: sales\n",
            "due: 2026-01-30\n",
            "title: \"Pricing: the page\"\n",
            "title: 'It is'\n",
            "title: Plain words, with a comma\n",
            "status: at-risk\r\n",
            "reason:\n",
            "satisfaction: 4\n",
            "draft: yes\n",
            "title: \"Escaped \\\"quote\\\"\"\n",
            "to: [sales, support]\n",
            "title: a # comment\n",
        ];
        for block in cases {
            let by_yaml = serde_yaml::from_str::<Mapping>(block)
                .ok()
                .and_then(|m| m.into_iter().next().map(|(_, v)| v))
                .filter(|v| !v.is_null());
            if let Some(fast) = simple_scalar(block) {
                assert_eq!(fast, by_yaml, "{block:?}");
            }
        }
        assert!(simple_scalar("satisfaction: 4\n").is_none());
        assert!(simple_scalar("owner: sales\n").is_some());
    }

    #[test]
    fn unusual_keys_are_parsed_whole() {
        let v = Version::of_yaml("\"title\": Quoted\ndue: 2026-01-30\n");
        assert!(v.readable);
        let mut values = Values::new();
        assert_eq!(v.text(&mut values, "title").as_deref(), Some("Quoted"));
        assert_eq!(v.text(&mut values, "due").as_deref(), Some("2026-01-30"));
        assert!(!Version::of_file("no front matter").readable);
        assert!(!Version::of_yaml("title: [unclosed\n\"x\": y\n").readable);
    }

    #[test]
    fn ended_promises_are_not_open() {
        let mut values = Values::new();
        for (yaml, open) in [
            ("due: 2026-01-30\n", true),
            ("due: 2026-01-30\nstatus: at-risk\n", true),
            ("due: 2026-01-30\ndelivered: 2026-01-29\n", false),
            ("due: 2026-01-30\nstatus: Dropped\nclosed: 2026-01-10\n", false),
            ("due: 2026-01-30\nstatus: missed\n", false),
        ] {
            assert_eq!(Version::of_yaml(yaml).is_open(&mut values), open, "{yaml}");
        }
    }
}
