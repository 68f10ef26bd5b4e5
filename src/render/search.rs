//! `/search-index.json`: what the in-page search (`search.js`) looks through.
//!
//! One compact array per page: kind, title, path, keys, a context line and
//! the start of the page's text. The whole index is fetched once, the first
//! time someone focuses a search box, and searched in the browser, so it is
//! kept small on purpose: positional arrays instead of objects, paths
//! relative to the base path (the script resolves them against the index's
//! own URL, which is what makes a sub-path deployment work), and only the
//! first [`TEXT_CHARS`] characters of each page's plain text, cut at a word
//! boundary. Lowercased copies for matching are made by the script when it
//! loads the index, not shipped in it. The format and the ranking rules are
//! described in docs/search.md.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::model::{Content, ItemKey, ItemRef, Kind};
use crate::render::OutputFile;
use crate::render::markdown::RenderedBody;

/// Where the index is written, relative to the output folder.
pub const INDEX_PATH: &str = "search-index.json";

/// The version of the index format; bump it when the array layout changes.
pub(crate) const FORMAT_VERSION: u32 = 2;

/// How much of a page's text the index keeps.
pub(crate) const TEXT_CHARS: usize = 240;

/// One page in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    /// `t` term, `m` team, `s` story, `c` commitment, `p` page.
    pub kind: char,
    pub title: String,
    /// The URL path relative to the base path (`glossary/mql/`).
    pub path: String,
    /// What people type and what weighs most: a term's acronym and
    /// aliases, a team's short name.
    pub keys: Vec<String>,
    /// One line of context shown under the title (owner, teams, dates,
    /// state); searched like the text.
    pub meta: String,
    /// The start of the page's plain text.
    pub text: String,
}

/// The list pages that have no content file of their own, with the title
/// and description their page shows (see `pages::context`); an intro
/// (`glossary/_index.md`) adds its text.
const LIST_PAGES: [(&str, &str, &str); 7] = [
    (
        "Glossary",
        "glossary/",
        "The shared vocabulary: every term, its owner and how each team reads it, A–Z.",
    ),
    (
        "Teams",
        "teams/",
        "Every team: what it owns, what it promised and how it delivered.",
    ),
    (
        "Success stories",
        "stories/",
        "Wins we share: every story credits each team that contributed.",
    ),
    (
        "Commitments",
        "commitments/",
        "What each team promised, to whom and for when, and whether it delivered.",
    ),
    (
        "Happiness and trust",
        "happiness/",
        "How the teams we promise things to fare with our promises, month by month, and which promises between teams are kept on time.",
    ),
    (
        "Vocabulary gaps",
        "gaps/",
        "Terms that still need an owner, or the readings of more teams.",
    ),
    (
        "How scores are computed",
        "scores/",
        "Every score on this site comes from a script the teams maintain: here is what each one counts.",
    ),
];

/// The index's lines, kept by the dev server so that an edit rebuilds only
/// the documents of the items it touched.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    /// Each document's line of the index, as [`encode`] writes it.
    lines: Vec<String>,
    /// Item -> its document's position in `lines`.
    positions: HashMap<ItemKey, usize>,
}

impl SearchIndex {
    pub(crate) fn new(content: &Content, bodies: &HashMap<ItemKey, RenderedBody>) -> SearchIndex {
        let (docs, positions) = documents_with_positions(content, bodies);
        let lines = docs.iter().map(encode).collect();
        SearchIndex { lines, positions }
    }

    /// Makes the documents of `keys` again, for items whose body changed
    /// (their front matter, and so their place in the index, did not).
    /// Returns whether the index changed.
    pub(crate) fn refresh(
        &mut self,
        content: &Content,
        bodies: &HashMap<ItemKey, RenderedBody>,
        keys: &[ItemKey],
    ) -> bool {
        let mut changed = false;
        for key in keys {
            let Some(item) = content.get(key) else { continue };
            match (self.positions.get(key), document(content, item, bodies.get(key))) {
                (Some(&i), Some(doc)) => {
                    let line = encode(&doc);
                    if self.lines[i] != line {
                        self.lines[i] = line;
                        changed = true;
                    }
                }
                _ => {
                    // A list intro or the home text: the list pages carry them.
                    let start = self.lines.len() - LIST_PAGES.len();
                    let lists: Vec<String> = list_documents(content, bodies).iter().map(encode).collect();
                    if self.lines[start..] != lists[..] {
                        self.lines.truncate(start);
                        self.lines.extend(lists);
                        changed = true;
                    }
                }
            }
        }
        changed
    }

    pub(crate) fn file(&self) -> OutputFile {
        OutputFile {
            path: INDEX_PATH.to_string(),
            bytes: join(&self.lines).into_bytes(),
        }
    }
}

/// The index entry of each item, in content order, then the list pages.
pub fn documents(content: &Content, bodies: &HashMap<ItemKey, RenderedBody>) -> Vec<SearchDoc> {
    documents_with_positions(content, bodies).0
}

/// [`documents`], with where each item's document is.
fn documents_with_positions(
    content: &Content,
    bodies: &HashMap<ItemKey, RenderedBody>,
) -> (Vec<SearchDoc>, HashMap<ItemKey, usize>) {
    let mut positions = HashMap::new();
    let mut docs = Vec::with_capacity(content.len() + LIST_PAGES.len());
    for item in content.items() {
        let key = item.meta().key();
        if let Some(doc) = document(content, item, bodies.get(&key)) {
            positions.insert(key, docs.len());
            docs.push(doc);
        }
    }
    docs.extend(list_documents(content, bodies));
    (docs, positions)
}

/// The documents of the list pages, with their intros' text.
fn list_documents(content: &Content, bodies: &HashMap<ItemKey, RenderedBody>) -> Vec<SearchDoc> {
    LIST_PAGES
        .iter()
        .map(|(title, path, description)| {
            let intro = content
                .page(path)
                .and_then(|page| bodies.get(&page.meta.key()))
                .map_or("", |body| body.text.as_str());
            SearchDoc {
                kind: 'p',
                title: title.to_string(),
                path: path.to_string(),
                keys: Vec::new(),
                meta: String::new(),
                text: cut(&format!("{description} {intro}"), TEXT_CHARS),
            }
        })
        .collect()
}

/// The index entry of one item; `None` for the home text and the list
/// intros, which the list pages stand for.
pub(crate) fn document(content: &Content, item: ItemRef<'_>, body: Option<&RenderedBody>) -> Option<SearchDoc> {
    let meta = item.meta();
    if meta.kind == Kind::Page && (meta.url_path.is_empty() || LIST_PAGES.iter().any(|l| l.1 == meta.url_path)) {
        return None;
    }
    let team_title = |slug: &str| {
        content
            .team(slug)
            .map_or_else(|| slug.to_string(), |t| t.meta.title.clone())
    };
    let (kind, keys, line, lead) = match item {
        ItemRef::Term(t) => {
            let mut keys: Vec<String> = t.acronym.iter().cloned().collect();
            keys.extend(t.aliases.iter().cloned());
            let mut line: Vec<String> = t.acronym.iter().cloned().collect();
            if let Some(owner) = &t.owner {
                line.push(format!("owned by {}", team_title(&owner.slug)));
            }
            ('t', keys, line.join(" · "), String::new())
        }
        ItemRef::Team(t) => (
            'm',
            t.short.iter().cloned().collect(),
            t.short.clone().unwrap_or_default(),
            String::new(),
        ),
        ItemRef::Story(s) => {
            let teams: Vec<String> = s.teams.iter().map(|r| team_title(&r.slug)).collect();
            let mut lead = String::new();
            for part in [&s.customer, &s.outcome].into_iter().flatten() {
                lead.push_str(part.trim_end_matches('.'));
                lead.push_str(". ");
            }
            (
                's',
                Vec::new(),
                format!("{} · {}", s.date.long(), teams.join(", ")),
                lead,
            )
        }
        ItemRef::Commitment(c) => {
            let mut to: Vec<String> = c.to.iter().map(|r| team_title(&r.slug)).collect();
            to.extend(c.to_external.iter().cloned());
            let mut line = team_title(&c.owner.slug);
            if !to.is_empty() {
                line.push_str(" to ");
                line.push_str(&to.join(", "));
            }
            let _ = write!(
                line,
                " · due {} · {}",
                c.derived.effective_due.long(),
                c.derived.state.label()
            );
            ('c', Vec::new(), line, String::new())
        }
        ItemRef::Page(_) => ('p', Vec::new(), String::new(), String::new()),
    };
    // Enough of the body for the cut, not all of it.
    let body_text = body.map_or("", |b| prefix(&b.text, TEXT_CHARS * 8));
    Some(SearchDoc {
        kind,
        title: meta.title.clone(),
        path: meta.url_path.clone(),
        keys,
        meta: line,
        text: cut(&format!("{lead}{body_text}"), TEXT_CHARS),
    })
}

/// At most `max` bytes of the start of `text`, on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The start of `text` with runs of white space made one space, at most
/// `max` characters, ending at a word boundary.
fn cut(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(max.min(text.len()) + 4);
    let mut chars = 0;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        let space = usize::from(!out.is_empty());
        if chars + space + len > max {
            if out.is_empty() {
                // One word longer than the limit: keep its start.
                out.extend(word.chars().take(max));
            }
            break;
        }
        if space == 1 {
            out.push(' ');
        }
        out.push_str(word);
        chars += space + len;
    }
    out
}

/// The JSON document for `docs`:
/// `{"version":2,"docs":[[kind,title,path,[keys],meta,text],...]}`, one
/// document a line.
pub fn index_json(docs: &[SearchDoc]) -> String {
    let lines: Vec<String> = docs.iter().map(encode).collect();
    join(&lines)
}

/// The index from its documents' lines.
fn join(lines: &[String]) -> String {
    let size = lines.iter().map(|l| l.len() + 2).sum::<usize>() + 32;
    let mut out = String::with_capacity(size);
    let _ = write!(out, "{{\"version\":{FORMAT_VERSION},\"docs\":[");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('\n');
        out.push_str(line);
    }
    out.push_str("\n]}\n");
    out
}

/// One document as a JSON array.
fn encode(doc: &SearchDoc) -> String {
    let mut out = String::with_capacity(doc.text.len() + doc.title.len() + doc.path.len() + 64);
    out.push('[');
    push_json(&mut out, doc.kind.encode_utf8(&mut [0; 4]));
    out.push(',');
    push_json(&mut out, &doc.title);
    out.push(',');
    push_json(&mut out, &doc.path);
    out.push_str(",[");
    for (k, key) in doc.keys.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        push_json(&mut out, key);
    }
    out.push_str("],");
    push_json(&mut out, &doc.meta);
    out.push(',');
    push_json(&mut out, &doc.text);
    out.push(']');
    out
}

/// Appends `text` as a JSON string. `<` is escaped too, so the index can
/// never close a `<script>` element if someone inlines it.
fn push_json(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            // Line and paragraph separators are valid JSON but not valid
            // in older JavaScript string literals.
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_word_boundaries() {
        assert_eq!(cut("short text", 240), "short text");
        assert_eq!(cut("  spaced \n\n out  ", 240), "spaced out");
        assert_eq!(cut("one two three four", 10), "one two");
        assert_eq!(cut("ééé ééé ééé", 7), "ééé ééé");
        assert_eq!(cut("ééé ééé ééé", 6), "ééé");
        assert_eq!(cut("abcdefghij", 4), "abcd");
    }

    #[test]
    fn index_shape() {
        let docs = vec![
            SearchDoc {
                kind: 't',
                title: "Marketing \"Qualified\" Lead".into(),
                path: "glossary/mql/".into(),
                keys: vec!["MQL".into(), "qualified lead".into()],
                meta: "MQL · owned by Marketing".into(),
                text: "A lead </script> with\tcontrol\u{1} characters.".into(),
            },
            SearchDoc {
                kind: 'p',
                title: "About".into(),
                path: "about/".into(),
                keys: Vec::new(),
                meta: String::new(),
                text: String::new(),
            },
        ];
        let json = index_json(&docs);
        assert!(!json.contains("</script>"));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["version"], FORMAT_VERSION);
        let first = &value["docs"][0];
        assert_eq!(first[0], "t");
        assert_eq!(first[1], "Marketing \"Qualified\" Lead");
        assert_eq!(first[2], "glossary/mql/");
        assert_eq!(first[3], serde_json::json!(["MQL", "qualified lead"]));
        assert_eq!(first[4], "MQL · owned by Marketing");
        assert_eq!(first[5], "A lead </script> with\tcontrol\u{1} characters.");
        assert_eq!(value["docs"][1][3], serde_json::json!([]));
        assert_eq!(index_json(&[]), "{\"version\":2,\"docs\":[\n]}\n");
    }
}
