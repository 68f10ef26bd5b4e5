//! `/search-index.json`: what the in-page search looks through.
//!
//! One compact array per page: kind, title, URL, keys (acronym, aliases,
//! short names: what people type and what weighs most) and a short text.
//! Kept small on purpose (the whole index is fetched once, the first time
//! someone focuses the search box): the text is the start of the page's
//! plain text, cut at a word boundary.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::model::{Content, ItemKey, ItemRef, Kind};
use crate::render::markdown::RenderedBody;

/// How much of a page's text the index keeps.
pub const TEXT_CHARS: usize = 240;

/// One page in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    /// `t` term, `m` team, `s` story, `c` commitment, `p` page.
    pub kind: char,
    pub title: String,
    /// Absolute path (`/glossary/mql/`).
    pub url: String,
    /// Space-separated acronym, aliases and short names.
    pub keys: String,
    pub text: String,
}

/// The index entry of each item, in content order.
pub fn documents(content: &Content, bodies: &HashMap<ItemKey, RenderedBody>, base_path: &str) -> Vec<SearchDoc> {
    content
        .items()
        .filter_map(|item| document(item, bodies.get(&item.meta().key()), base_path))
        .collect()
}

/// The index entry of one item (`None` for the home text).
pub fn document(item: ItemRef<'_>, body: Option<&RenderedBody>, base_path: &str) -> Option<SearchDoc> {
    let meta = item.meta();
    if meta.kind == Kind::Page && meta.url_path.is_empty() {
        return None;
    }
    let (kind, keys, lead) = match item {
        ItemRef::Term(t) => {
            let mut keys: Vec<&str> = t.acronym.iter().map(String::as_str).collect();
            keys.extend(t.aliases.iter().map(String::as_str));
            ('t', keys.join(" "), String::new())
        }
        ItemRef::Team(t) => ('m', t.short.clone().unwrap_or_default(), String::new()),
        ItemRef::Story(s) => {
            let mut lead = String::new();
            for part in [&s.customer, &s.outcome].into_iter().flatten() {
                lead.push_str(part);
                lead.push_str(". ");
            }
            ('s', String::new(), lead)
        }
        ItemRef::Commitment(c) => ('c', c.owner.slug.clone(), String::new()),
        ItemRef::Page(_) => ('p', String::new(), String::new()),
    };
    let body_text = body.map_or("", |b| b.text.as_str());
    Some(SearchDoc {
        kind,
        title: meta.title.clone(),
        url: format!("{base_path}{}", meta.url_path),
        keys,
        text: cut(&format!("{lead}{body_text}"), TEXT_CHARS),
    })
}

/// The start of `text`, at most `max` characters, ending at a word boundary.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.trim().to_string();
    }
    let end = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
    let head = &text[..end];
    let at = head.rfind(char::is_whitespace).unwrap_or(end);
    head[..at].trim_end().to_string()
}

/// The JSON document for `docs`: `{"version":1,"docs":[[kind,title,url,keys,text],...]}`.
pub fn index_json(docs: &[SearchDoc]) -> String {
    let mut out = String::with_capacity(docs.len() * 360 + 32);
    out.push_str("{\"version\":1,\"docs\":[");
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        let _ = write!(
            out,
            "[{},{},{},{},{}]",
            json(&doc.kind.to_string()),
            json(&doc.title),
            json(&doc.url),
            json(&doc.keys),
            json(&doc.text)
        );
    }
    out.push_str("]}\n");
    out
}

fn json(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_word_boundaries() {
        assert_eq!(cut("short text", 240), "short text");
        assert_eq!(cut("one two three four", 10), "one two");
        assert_eq!(cut("ééé ééé ééé", 6), "ééé");
    }

    #[test]
    fn index_shape() {
        let docs = vec![SearchDoc {
            kind: 't',
            title: "Marketing \"Qualified\" Lead".into(),
            url: "/glossary/mql/".into(),
            keys: "MQL".into(),
            text: "A lead.".into(),
        }];
        let json = index_json(&docs);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["version"], 1);
        assert_eq!(value["docs"][0][1], "Marketing \"Qualified\" Lead");
        assert_eq!(value["docs"][0][3], "MQL");
    }
}
