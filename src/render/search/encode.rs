//! The index's files as bytes: the manifest, group files, sub-shards and
//! document chunks. Every layout here is documented in docs/search.md
//! (section "The index"); `search.js` reads it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::document::SearchDoc;
use super::words::head;
use super::{DOCS_PER_CHUNK, FORMAT_VERSION, GROUP_LIMIT, Posting, Postings, SHARD_DIR};
use crate::render::OutputFile;

/// One file of the index besides the manifest, with a hash of its bytes
/// for the manifest's stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShardFile {
    pub path: String,
    pub bytes: Vec<u8>,
    pub hash: u64,
}

impl ShardFile {
    fn new(path: String, text: String) -> ShardFile {
        let bytes = text.into_bytes();
        let hash = hash(&bytes, HASH_START);
        ShardFile { path, bytes, hash }
    }

    pub(crate) fn output(&self) -> OutputFile {
        OutputFile {
            path: self.path.clone(),
            bytes: self.bytes.clone(),
        }
    }
}

/// The files of one group: the group file alone, with the postings inline,
/// when they are short; else a group file that lists the words and one
/// sub-shard per three-letter prefix.
pub(crate) fn group_files(key: &str, words: &[&str], postings: &Postings) -> Vec<ShardFile> {
    let lists: Vec<&[Posting]> = words.iter().map(|w| postings[*w].as_slice()).collect();
    let inline = shard_json(words, &lists);
    if inline.len() <= GROUP_LIMIT {
        return vec![ShardFile::new(group_path(key), inline)];
    }
    let mut out = String::with_capacity(words.iter().map(|w| w.len() + 3).sum::<usize>() + 32);
    out.push_str("{\"words\":");
    push_strings(&mut out, words.iter().copied());
    out.push_str(",\"split\":true}\n");
    let mut files = vec![ShardFile::new(group_path(key), out)];
    let mut parts: BTreeMap<&str, (Vec<&str>, Vec<&[Posting]>)> = BTreeMap::new();
    for (word, list) in words.iter().zip(&lists) {
        let part = parts.entry(head(word, 3)).or_default();
        part.0.push(word);
        part.1.push(list);
    }
    for (part, (words, lists)) in parts {
        files.push(ShardFile::new(sub_shard_path(part), shard_json(&words, &lists)));
    }
    files
}

/// `search-index/g/<hex of the key>.json`.
pub(crate) fn group_path(key: &str) -> String {
    format!("{SHARD_DIR}g/{}.json", hex(key))
}

/// `search-index/s/<hex of the prefix>.json`.
pub(crate) fn sub_shard_path(prefix: &str) -> String {
    format!("{SHARD_DIR}s/{}.json", hex(prefix))
}

/// `search-index/d/<number>.json`.
pub(crate) fn chunk_path(chunk: usize) -> String {
    format!("{SHARD_DIR}d/{chunk}.json")
}

/// A key's UTF-8 bytes in hexadecimal: safe in any URL and on any file
/// system, whatever the script of the word.
fn hex(key: &str) -> String {
    let mut out = String::with_capacity(key.len() * 2);
    for byte in key.bytes() {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// `{"words":[...],"postings":[[...],...]}`: each word's documents in
/// ascending order, each as `(gap << 3) | level`, the gap counted from the
/// previous document (from 0 for the first).
fn shard_json(words: &[&str], lists: &[&[Posting]]) -> String {
    let size = lists.iter().map(|l| l.len() * 4).sum::<usize>() + words.len() * 12 + 32;
    let mut out = String::with_capacity(size);
    out.push_str("{\"words\":");
    push_strings(&mut out, words.iter().copied());
    out.push_str(",\"postings\":[");
    for (i, list) in lists.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("\n[");
        let mut previous = 0;
        for (j, (doc, level)) in list.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let gap = u64::from(doc - previous);
            let _ = write!(out, "{}", (gap << 3) | *level as u64);
            previous = *doc;
        }
        out.push(']');
    }
    out.push_str("\n]}\n");
    out
}

/// One chunk: `{"docs":[row,...]}`, a row a line.
pub(crate) fn chunk_file(chunk: usize, rows: &[String]) -> ShardFile {
    let mut out = String::with_capacity(rows.iter().map(|r| r.len() + 2).sum::<usize>() + 16);
    out.push_str("{\"docs\":[");
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('\n');
        out.push_str(row);
    }
    out.push_str("\n]}\n");
    ShardFile::new(chunk_path(chunk), out)
}

/// A document's row: `[kind,title,path,[keys],meta,[[label,text],...]]`.
pub(crate) fn doc_row(doc: &SearchDoc) -> String {
    let size = doc
        .passages
        .iter()
        .map(|p| p.text.len() + p.label.len() + 8)
        .sum::<usize>()
        + doc.title.len()
        + 64;
    let mut out = String::with_capacity(size);
    out.push('[');
    push_json(&mut out, doc.kind.encode_utf8(&mut [0; 4]));
    out.push(',');
    push_json(&mut out, &doc.title);
    out.push(',');
    push_json(&mut out, &doc.path);
    out.push(',');
    push_strings(&mut out, doc.keys.iter().map(String::as_str));
    out.push(',');
    push_json(&mut out, &doc.meta);
    out.push_str(",[");
    for (i, passage) in doc.passages.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        push_json(&mut out, &passage.label);
        out.push(',');
        push_json(&mut out, &passage.text);
        out.push(']');
    }
    out.push_str("]]");
    out
}

/// The manifest: the format, the stamp, how documents are chunked, each
/// document's kind (as runs) and title length (a base-36 digit each, at
/// most `z`), and the groups that exist.
pub(crate) fn manifest(stamp: u64, kinds: &[char], title_words: &[usize], groups: &[&str]) -> String {
    let mut out = String::with_capacity(title_words.len() + groups.len() * 6 + 256);
    let _ = write!(
        out,
        "{{\"version\":{FORMAT_VERSION},\"stamp\":\"{stamp:016x}\",\"docs\":{},\"chunk\":{DOCS_PER_CHUNK},\n\"kinds\":[",
        kinds.len()
    );
    let mut runs: Vec<(char, usize)> = Vec::new();
    for &kind in kinds {
        match runs.last_mut() {
            Some((k, n)) if *k == kind => *n += 1,
            _ => runs.push((kind, 1)),
        }
    }
    for (i, (kind, n)) in runs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "[\"{kind}\",{n}]");
    }
    out.push_str("],\n\"titles\":\"");
    for &n in title_words {
        out.push(char::from_digit(n.min(35) as u32, 36).unwrap_or('z'));
    }
    out.push_str("\",\n\"groups\":");
    push_strings(&mut out, groups.iter().copied());
    out.push_str("}\n");
    out
}

const HASH_START: u64 = 0xcbf2_9ce4_8422_2325;
const HASH_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over 8-byte words: not for security, only to notice a change.
fn hash(bytes: &[u8], mut h: u64) -> u64 {
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut array = [0; 8];
        array.copy_from_slice(word);
        h = (h ^ u64::from_le_bytes(array)).wrapping_mul(HASH_PRIME);
    }
    for byte in words.remainder() {
        h = (h ^ u64::from(*byte)).wrapping_mul(HASH_PRIME);
    }
    (h ^ bytes.len() as u64).wrapping_mul(HASH_PRIME)
}

/// The stamp of the whole index, from each file's path and hash.
pub(crate) fn stamp<'a>(files: impl Iterator<Item = (&'a str, u64)>) -> u64 {
    let mut h = HASH_START;
    for (path, file_hash) in files {
        h = hash(path.as_bytes(), h);
        h = hash(&file_hash.to_le_bytes(), h);
    }
    h
}

/// A JSON array of strings.
fn push_strings<'a>(out: &mut String, items: impl Iterator<Item = &'a str>) {
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json(out, item);
    }
    out.push(']');
}

/// Appends `text` as a JSON string. `<` is escaped too, so no file of the
/// index can close a `<script>` element if someone inlines it.
pub(crate) fn push_json(out: &mut String, text: &str) {
    out.push('"');
    // Copy runs of plain characters at once; most text has nothing to escape.
    let mut from = 0;
    for (at, c) in text.char_indices() {
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '<' => "\\u003c",
            // Line and paragraph separators are valid JSON but not valid
            // in older JavaScript string literals.
            '\u{2028}' => "\\u2028",
            '\u{2029}' => "\\u2029",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.push_str(&text[from..at]);
        if escaped.is_empty() {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push_str(escaped);
        }
        from = at + c.len_utf8();
    }
    out.push_str(&text[from..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::super::document::{Level, Passage};
    use super::*;

    #[test]
    fn postings_are_gaps_and_levels() {
        let mut postings = Postings::default();
        postings.insert(
            "churn".to_string(),
            vec![(2, Level::Title), (3, Level::Text), (10, Level::Reading)],
        );
        postings.insert("chart".to_string(), vec![(0, Level::WholeKey)]);
        let files = group_files("ch", &["chart", "churn"], &postings);
        assert_eq!(files.len(), 1, "a small group is one file");
        assert_eq!(files[0].path, "search-index/g/6368.json");
        let value: serde_json::Value = serde_json::from_slice(&files[0].bytes).unwrap();
        assert_eq!(value["words"], serde_json::json!(["chart", "churn"]));
        // chart: doc 0 at level 4; churn: doc 2 (title), +1 (text), +7 (reading).
        assert_eq!(value["postings"], serde_json::json!([[4], [19, 8, 57]]));
    }

    #[test]
    fn a_large_group_splits_by_three_letters() {
        let many: Vec<Posting> = (0..GROUP_LIMIT as u32).map(|d| (d, Level::Text)).collect();
        let mut postings = Postings::default();
        for word in ["re", "renewal", "retention", "retro"] {
            postings.insert(word.to_string(), many.clone());
        }
        let files = group_files("re", &["re", "renewal", "retention", "retro"], &postings);
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "search-index/g/7265.json",
                "search-index/s/7265.json",
                "search-index/s/72656e.json",
                "search-index/s/726574.json"
            ]
        );
        let group: serde_json::Value = serde_json::from_slice(&files[0].bytes).unwrap();
        assert_eq!(group["split"], true);
        assert_eq!(
            group["words"],
            serde_json::json!(["re", "renewal", "retention", "retro"])
        );
        let ret: serde_json::Value = serde_json::from_slice(&files[3].bytes).unwrap();
        assert_eq!(ret["words"], serde_json::json!(["retention", "retro"]));
        assert_eq!(ret["postings"][1].as_array().map(Vec::len), Some(many.len()));
    }

    #[test]
    fn rows_escape_and_keep_passages_in_order() {
        let doc = SearchDoc {
            kind: 'c',
            title: "Ship \"it\"".into(),
            path: "commitments/ship/".into(),
            keys: Vec::new(),
            meta: "Sales · Missed".into(),
            passages: vec![
                Passage {
                    label: "Missed".into(),
                    text: "A vendor </script> slipped.".into(),
                    level: Level::Text,
                },
                Passage {
                    label: String::new(),
                    text: "Body\u{1}.".into(),
                    level: Level::Text,
                },
            ],
        };
        let row = doc_row(&doc);
        assert!(!row.contains("</script>"), "{row}");
        let value: serde_json::Value = serde_json::from_str(&row).unwrap();
        assert_eq!(
            value,
            serde_json::json!([
                "c",
                "Ship \"it\"",
                "commitments/ship/",
                [],
                "Sales · Missed",
                [["Missed", "A vendor </script> slipped."], ["", "Body\u{1}."]]
            ])
        );
    }

    #[test]
    fn the_manifest_describes_every_document() {
        let json = manifest(0xabc, &['m', 'm', 't', 'p'], &[1, 2, 40, 3], &["a", "ch"]);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["version"], FORMAT_VERSION);
        assert_eq!(value["stamp"], "0000000000000abc");
        assert_eq!(value["docs"], 4);
        assert_eq!(value["chunk"], DOCS_PER_CHUNK);
        assert_eq!(value["kinds"], serde_json::json!([["m", 2], ["t", 1], ["p", 1]]));
        assert_eq!(value["titles"], "12z3");
        assert_eq!(value["groups"], serde_json::json!(["a", "ch"]));
    }

    #[test]
    fn hashes_notice_any_change() {
        assert_ne!(hash(b"retention", HASH_START), hash(b"retentioN", HASH_START));
        assert_ne!(hash(b"abcdefgh", HASH_START), hash(b"abcdefgh\0", HASH_START));
        assert_ne!(stamp([("a", 1)].into_iter()), stamp([("b", 1)].into_iter()));
    }
}
