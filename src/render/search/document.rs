//! What search knows of one page: the fields it finds words in, how much
//! each field weighs, and what a result shows (title, kind, a line of
//! context and the passages a snippet is cut from).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::BuildHasherDefault;

use crate::model::{Content, ItemKey, ItemRef, Kind};
use crate::render::markdown::RenderedBody;

use super::WordHasher;
use super::words::{fold, words};

/// How much a word weighs in a document, by the field it is in; a word in
/// several fields counts at its best. `search.js` turns these into points
/// (`LEVEL_POINTS`), in this order: the title, then acronyms and aliases,
/// then team readings, then everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Level {
    /// Body text, a story's contributions and lead, a commitment's reasons,
    /// the context line.
    Text = 0,
    /// A team's reading of a term (`definitions`).
    Reading = 1,
    /// A word of an acronym, alias or a team's short name.
    Key = 2,
    /// A word of the title.
    Title = 3,
    /// An acronym, alias or short name that is this one word.
    WholeKey = 4,
    /// A title that is this one word.
    WholeTitle = 5,
}

/// One stretch of text a result's snippet may be cut from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Passage {
    /// Shown before the snippet ("Sales", "Missed"); not searched.
    pub label: String,
    pub text: String,
    pub level: Level,
}

/// One page in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SearchDoc {
    /// `t` term, `m` team, `s` story, `c` commitment, `p` page.
    pub kind: char,
    pub title: String,
    /// The URL path relative to the base path (`glossary/mql/`).
    pub path: String,
    /// A term's acronym and aliases, a team's short name.
    pub keys: Vec<String>,
    /// One line of context shown under the title (owner, teams, dates,
    /// state); searched like the text.
    pub meta: String,
    /// Everything else that is searched, in the order a snippet looks
    /// through it: readings, contributions, reasons, a story's lead, the
    /// body.
    pub passages: Vec<Passage>,
}

impl SearchDoc {
    /// Every distinct word of the document with its best level, sorted.
    pub(crate) fn words(&self) -> DocWords {
        let mut fields: Vec<(String, Level)> = Vec::with_capacity(self.keys.len() * 2 + self.passages.len() + 3);
        push_field(&mut fields, &self.title, Level::Title, Level::WholeTitle);
        for key in &self.keys {
            push_field(&mut fields, key, Level::Key, Level::WholeKey);
        }
        fields.push((fold(&self.meta), Level::Text));
        for passage in &self.passages {
            fields.push((fold(&passage.text), passage.level));
        }
        // Sized for a long page at once: growing the table costs more than
        // filling it.
        let mut best: HashMap<&str, Level, BuildHasherDefault<WordHasher>> =
            HashMap::with_capacity_and_hasher(1024, BuildHasherDefault::default());
        for (text, level) in &fields {
            for word in words(text) {
                let slot = best.entry(word).or_insert(*level);
                *slot = (*slot).max(*level);
            }
        }
        let mut list: Vec<(&str, Level)> = best.into_iter().collect();
        list.sort_unstable();
        // One string for all the words: a page has hundreds, and a string
        // each would cost more than finding them.
        let mut text = String::with_capacity(list.iter().map(|(w, _)| w.len() + 1).sum());
        let mut levels = Vec::with_capacity(list.len());
        for (word, level) in list {
            text.push_str(word);
            text.push(' ');
            levels.push(level);
        }
        DocWords { text, levels }
    }

    /// How many words the title has, for ranking ties (shorter first).
    pub(crate) fn title_words(&self) -> usize {
        words(&fold(&self.title)).count()
    }
}

/// The distinct words of a document, sorted, each with its best level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocWords {
    /// The words, each followed by a space.
    text: String,
    levels: Vec<Level>,
}

impl DocWords {
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, Level)> {
        self.text.split_terminator(' ').zip(self.levels.iter().copied())
    }
}

/// Adds a field's folded text at `level`, and again at `whole` when it is a
/// single word.
fn push_field(fields: &mut Vec<(String, Level)>, text: &str, level: Level, whole: Level) {
    let folded = fold(text);
    let single = {
        let mut list = words(&folded);
        matches!((list.next(), list.next()), (Some(_), None))
    };
    if single {
        fields.push((folded.clone(), whole));
    }
    fields.push((folded, level));
}

/// The list pages that have no content file of their own, with the title
/// and description their page shows (see `pages::context`); an intro
/// (`glossary/_index.md`) adds its text.
pub(crate) const LIST_PAGES: [(&str, &str, &str); 7] = [
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

/// The documents of the list pages, with their intros' text.
pub(crate) fn list_documents(content: &Content, bodies: &HashMap<ItemKey, RenderedBody>) -> Vec<SearchDoc> {
    LIST_PAGES
        .iter()
        .map(|(title, path, description)| {
            let intro = content
                .page(path)
                .and_then(|page| bodies.get(&page.meta.key()))
                .map_or("", |body| body.text.as_str());
            let mut passages = vec![text_passage("", description)];
            if !intro.trim().is_empty() {
                passages.push(text_passage("", intro));
            }
            SearchDoc {
                kind: 'p',
                title: title.to_string(),
                path: path.to_string(),
                keys: Vec::new(),
                meta: String::new(),
                passages,
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
    let mut passages = Vec::new();
    let (kind, keys, line) = match item {
        ItemRef::Term(t) => {
            let mut keys: Vec<String> = t.acronym.iter().cloned().collect();
            keys.extend(t.aliases.iter().cloned());
            let mut line: Vec<String> = t.acronym.iter().cloned().collect();
            if let Some(owner) = &t.owner {
                line.push(format!("owned by {}", team_title(&owner.slug)));
            }
            for reading in &t.definitions {
                passages.push(Passage {
                    label: team_title(&reading.team.slug),
                    text: collapse(&reading.text),
                    level: Level::Reading,
                });
            }
            ('t', keys, line.join(" · "))
        }
        ItemRef::Team(t) => (
            'm',
            t.short.iter().cloned().collect(),
            t.short.clone().unwrap_or_default(),
        ),
        ItemRef::Story(s) => {
            let teams: Vec<String> = s.teams.iter().map(|r| team_title(&r.slug)).collect();
            for (label, part) in [("Customer", &s.customer), ("Outcome", &s.outcome)] {
                if let Some(part) = part {
                    passages.push(text_passage(label, part));
                }
            }
            for contribution in &s.contributions {
                passages.push(text_passage(&team_title(&contribution.team.slug), &contribution.text));
            }
            ('s', Vec::new(), format!("{} · {}", s.date.long(), teams.join(", ")))
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
            if let Some(reason) = &c.reason {
                passages.push(text_passage(c.derived.state.label(), reason));
            }
            for revision in &c.revisions {
                let label = format!("Rescheduled to {}", revision.new_due.long());
                passages.push(text_passage(&label, &revision.reason));
            }
            ('c', Vec::new(), line)
        }
        ItemRef::Page(_) => ('p', Vec::new(), String::new()),
    };
    if let Some(body) = body.filter(|b| !b.text.trim().is_empty()) {
        passages.push(text_passage("", &body.text));
    }
    passages.retain(|p| !p.text.is_empty());
    Some(SearchDoc {
        kind,
        title: meta.title.clone(),
        path: meta.url_path.clone(),
        keys,
        meta: line,
        passages,
    })
}

fn text_passage(label: &str, text: &str) -> Passage {
    Passage {
        label: label.to_string(),
        text: collapse(text),
        level: Level::Text,
    }
}

/// `text` with every run of white space made one space, trimmed.
fn collapse(text: &str) -> String {
    if text.is_ascii() {
        return collapse_ascii(text);
    }
    crate::model::text::collapse_whitespace(text)
}

/// [`collapse`] for ASCII text, byte by byte: the common case, and three
/// times faster than splitting at Unicode white space.
fn collapse_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // White space as `split_whitespace` has it in ASCII (vertical tab too).
    let mut space = false;
    for &byte in text.as_bytes() {
        if matches!(byte, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r') {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(char::from(byte));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> SearchDoc {
        SearchDoc {
            kind: 't',
            title: "Churn".into(),
            path: "glossary/churn/".into(),
            keys: vec!["logo churn".into(), "CR".into()],
            meta: "CR · owned by Support".into(),
            passages: vec![
                Passage {
                    label: "Sales".into(),
                    text: "Customers lost; retention is the opposite.".into(),
                    level: Level::Reading,
                },
                Passage {
                    label: String::new(),
                    text: "Churn is counted monthly. Uptime does not matter.".into(),
                    level: Level::Text,
                },
            ],
        }
    }

    #[test]
    fn each_word_counts_at_its_best_field() {
        let all = doc().words();
        let words: HashMap<&str, Level> = all.iter().collect();
        assert_eq!(words["churn"], Level::WholeTitle);
        assert_eq!(words["cr"], Level::WholeKey);
        assert_eq!(words["logo"], Level::Key);
        assert_eq!(words["retention"], Level::Reading);
        assert_eq!(words["uptime"], Level::Text);
        assert_eq!(words["support"], Level::Text, "the context line is searched");
        assert!(!words.contains_key("sales"), "a passage's label is not searched");
    }

    #[test]
    fn white_space_collapses() {
        assert_eq!(collapse("  one\n\ntwo \t three "), "one two three");
        assert_eq!(collapse("  é\n\nà \u{a0} b "), "é à b");
        assert_eq!(
            collapse("\u{c}x\u{b}y\u{b}"),
            "x y",
            "vertical tab and form feed, as split_whitespace"
        );
    }
}
