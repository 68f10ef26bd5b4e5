//! The site's content as typed values: teams, glossary terms, success
//! stories, commitments and plain pages, plus the lookups between them.
//!
//! Every item keeps the text of the file it came from (shared, not copied) so
//! that its Markdown body can be rendered and its diagnostics can point into
//! it. References (`owner: sales`) are kept as [`Ref`]s with their position in
//! the file; [`crate::validate`] checks them against [`Content`].

pub(crate) mod commitment;
pub mod read;
pub(crate) mod relations;
pub mod text;

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::date::Date;
use crate::diagnostic::Pos;

pub(crate) use commitment::{Derived, MonthFigures, Revision, State, Status};
pub(crate) use relations::Relations;

/// The kinds of content, by the folder under `content/` they live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Team,
    Term,
    Story,
    Commitment,
    Page,
}

impl Kind {
    /// The folder under `content/` and the URL section (`glossary`).
    pub(crate) fn section(self) -> &'static str {
        match self {
            Kind::Team => "teams",
            Kind::Term => "glossary",
            Kind::Story => "stories",
            Kind::Commitment => "commitments",
            Kind::Page => "",
        }
    }

    /// The word used in messages and in `[[kind:slug]]` links.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Team => "team",
            Kind::Term => "term",
            Kind::Story => "story",
            Kind::Commitment => "commitment",
            Kind::Page => "page",
        }
    }

    /// The kind whose folder is `section`, if any.
    pub(crate) fn from_section(section: &str) -> Option<Kind> {
        match section {
            "teams" => Some(Kind::Team),
            "glossary" => Some(Kind::Term),
            "stories" => Some(Kind::Story),
            "commitments" => Some(Kind::Commitment),
            _ => None,
        }
    }

    /// The kind named in a `[[kind:slug]]` link prefix.
    pub(crate) fn from_link_prefix(prefix: &str) -> Option<Kind> {
        match prefix.to_lowercase().as_str() {
            "team" => Some(Kind::Team),
            "term" | "glossary" => Some(Kind::Term),
            "story" => Some(Kind::Story),
            "commitment" => Some(Kind::Commitment),
            _ => None,
        }
    }

    pub(crate) const RECORDS: [Kind; 4] = [Kind::Team, Kind::Term, Kind::Story, Kind::Commitment];
}

/// Identifies one item: its kind and slug (for pages, the URL path).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ItemKey {
    pub kind: Kind,
    pub slug: String,
}

impl ItemKey {
    pub(crate) fn new(kind: Kind, slug: impl Into<String>) -> ItemKey {
        ItemKey {
            kind,
            slug: slug.into(),
        }
    }
}

/// A reference to another item by slug, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ref {
    pub slug: String,
    #[serde(skip)]
    pub pos: Pos,
}

/// A reference in front matter with the field it is written in and the kind
/// of item it must name: what [`crate::validate`] checks, the same way for
/// items and for [`Partial`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRef {
    pub field: &'static str,
    pub kind: Kind,
    pub target: Ref,
}

impl FieldRef {
    fn push_all<'a>(out: &mut Vec<FieldRef>, field: &'static str, kind: Kind, refs: impl IntoIterator<Item = &'a Ref>) {
        out.extend(refs.into_iter().map(|target| FieldRef {
            field,
            kind,
            target: target.clone(),
        }));
    }
}

/// The references of a story, from its fields.
pub(crate) fn story_references(teams: &[Ref], contributions: &[Contribution], commitments: &[Ref]) -> Vec<FieldRef> {
    let mut out = Vec::new();
    FieldRef::push_all(&mut out, "teams", Kind::Team, teams);
    FieldRef::push_all(
        &mut out,
        "contributions",
        Kind::Team,
        contributions.iter().map(|c| &c.team),
    );
    FieldRef::push_all(&mut out, "commitments", Kind::Commitment, commitments);
    out
}

/// The references of a commitment, from its fields.
pub(crate) fn commitment_references(owner: Option<&Ref>, to: &[Ref]) -> Vec<FieldRef> {
    let mut out = Vec::new();
    FieldRef::push_all(&mut out, "owner", Kind::Team, owner);
    FieldRef::push_all(&mut out, "to", Kind::Team, to);
    out
}

/// What every item has: identity, common front matter and its source.
#[derive(Debug, Clone)]
pub struct Meta {
    pub kind: Kind,
    pub slug: String,
    pub title: String,
    /// Path of the source file relative to the site root (`content/glossary/mql.md`).
    pub path: String,
    /// URL path relative to the site's base path, `glossary/mql/`; `` for home.
    pub url_path: String,
    pub draft: bool,
    pub tags: Vec<String>,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    /// Fields the kind does not define, in file order.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The whole source file.
    pub source: Arc<str>,
    /// Where the Markdown body starts in `source`.
    pub body_offset: usize,
}

impl Meta {
    /// The Markdown body.
    pub(crate) fn body(&self) -> &str {
        &self.source[self.body_offset..]
    }

    pub(crate) fn key(&self) -> ItemKey {
        ItemKey::new(self.kind, self.slug.clone())
    }
}

/// A team or department.
#[derive(Debug, Clone)]
pub struct Team {
    pub meta: Meta,
    pub short: Option<String>,
    pub color: Option<String>,
    pub lead: Option<String>,
    pub members: Vec<String>,
}

/// How one team reads a glossary term.
#[derive(Debug, Clone)]
pub struct Reading {
    pub team: Ref,
    pub text: String,
}

/// A glossary term.
#[derive(Debug, Clone)]
pub struct Term {
    pub meta: Meta,
    pub acronym: Option<String>,
    pub aliases: Vec<String>,
    pub owner: Option<Ref>,
    pub definitions: Vec<Reading>,
    pub related: Vec<Ref>,
}

/// What one team did for a story.
#[derive(Debug, Clone)]
pub struct Contribution {
    pub team: Ref,
    pub text: String,
}

/// A success story.
#[derive(Debug, Clone)]
pub struct Story {
    pub meta: Meta,
    pub date: Date,
    pub teams: Vec<Ref>,
    pub contributions: Vec<Contribution>,
    pub customer: Option<String>,
    pub outcome: Option<String>,
    pub commitments: Vec<Ref>,
}

/// A promise one team made to others.
#[derive(Debug, Clone)]
pub struct Commitment {
    pub meta: Meta,
    pub owner: Ref,
    pub to: Vec<Ref>,
    pub to_external: Vec<String>,
    pub promised: Date,
    pub due: Date,
    pub delivered: Option<Date>,
    /// When it was declared missed or dropped.
    pub closed: Option<Date>,
    /// Why it was missed or dropped.
    pub reason: Option<String>,
    pub status: Option<Status>,
    pub revisions: Vec<Revision>,
    pub satisfaction: Option<u8>,
    pub derived: Derived,
    /// The quiet changes git history shows in this record, oldest first
    /// (see [`crate::ledger`]); given by the site from its ledger, empty
    /// outside git.
    pub quiet_changes: Vec<crate::ledger::QuietChange>,
}

impl Term {
    pub(crate) fn references(&self) -> Vec<FieldRef> {
        let mut out = Vec::new();
        FieldRef::push_all(&mut out, "owner", Kind::Team, &self.owner);
        FieldRef::push_all(
            &mut out,
            "definitions",
            Kind::Team,
            self.definitions.iter().map(|r| &r.team),
        );
        FieldRef::push_all(&mut out, "related", Kind::Term, &self.related);
        out
    }

    /// The names a `[[link]]` may use for this term, besides its slug.
    pub(crate) fn names(&self) -> Vec<String> {
        std::iter::once(self.meta.title.clone())
            .chain(self.acronym.clone())
            .chain(self.aliases.iter().cloned())
            .filter(|name| !name.trim().is_empty())
            .collect()
    }
}

impl Story {
    pub(crate) fn references(&self) -> Vec<FieldRef> {
        story_references(&self.teams, &self.contributions, &self.commitments)
    }
}

impl Commitment {
    pub(crate) fn references(&self) -> Vec<FieldRef> {
        commitment_references(Some(&self.owner), &self.to)
    }
}

/// A plain page (guides, about) or a section's intro (`_index.md`).
#[derive(Debug, Clone)]
pub struct Page {
    pub meta: Meta,
    /// True for `_index.md` / `index.md`: the page of a folder.
    pub is_section: bool,
}

/// What could be read of a content file with errors, or of one that lost
/// its slug or URL to another file. It is left out of the site, but its
/// references and the links in its body are still checked, so that one run
/// reports every problem of the file; and links to it from other files are
/// not reported as broken, since the file exists and its own error is the
/// one to fix.
#[derive(Debug, Clone)]
pub struct Partial {
    /// Its path, kind, slug and the URL it would have; `title` is empty when
    /// the file has none.
    pub meta: Meta,
    /// The references whose fields could be read.
    pub references: Vec<FieldRef>,
    /// For a term, the names `[[links]]` may use for it besides its slug.
    pub names: Vec<String>,
    /// Whether its front matter could be read, so that its references and
    /// body are worth checking (an unreadable one may hide where the body
    /// starts).
    pub checked: bool,
}

impl Partial {
    /// An item that cannot be part of the site after all (a duplicate).
    pub(crate) fn of_item(item: Item) -> Partial {
        let names = match item {
            Item::Partial(p) => return p,
            Item::Term(ref t) => t.names(),
            _ => Vec::new(),
        };
        Partial {
            references: item.references(),
            meta: item.meta().clone(),
            names,
            checked: true,
        }
    }
}

/// One item of any kind, as read from its file.
#[derive(Debug, Clone)]
pub enum Item {
    Team(Team),
    Term(Term),
    Story(Story),
    Commitment(Commitment),
    Page(Page),
    /// A file with errors: kept to check what it refers and links to.
    Partial(Partial),
}

impl Item {
    pub(crate) fn meta(&self) -> &Meta {
        match self {
            Item::Team(x) => &x.meta,
            Item::Term(x) => &x.meta,
            Item::Story(x) => &x.meta,
            Item::Commitment(x) => &x.meta,
            Item::Page(x) => &x.meta,
            Item::Partial(x) => &x.meta,
        }
    }

    /// Every reference in its front matter.
    pub(crate) fn references(&self) -> Vec<FieldRef> {
        match self {
            Item::Term(x) => x.references(),
            Item::Story(x) => x.references(),
            Item::Commitment(x) => x.references(),
            Item::Partial(x) => x.references.clone(),
            Item::Team(_) | Item::Page(_) => Vec::new(),
        }
    }
}

/// A borrowed view of any item, for code that walks every kind.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ItemRef<'a> {
    Team(&'a Team),
    Term(&'a Term),
    Story(&'a Story),
    Commitment(&'a Commitment),
    Page(&'a Page),
}

impl<'a> ItemRef<'a> {
    pub(crate) fn meta(self) -> &'a Meta {
        match self {
            ItemRef::Team(x) => &x.meta,
            ItemRef::Term(x) => &x.meta,
            ItemRef::Story(x) => &x.meta,
            ItemRef::Commitment(x) => &x.meta,
            ItemRef::Page(x) => &x.meta,
        }
    }

    /// Every reference in its front matter.
    pub(crate) fn references(self) -> Vec<FieldRef> {
        match self {
            ItemRef::Term(x) => x.references(),
            ItemRef::Story(x) => x.references(),
            ItemRef::Commitment(x) => x.references(),
            ItemRef::Team(_) | ItemRef::Page(_) => Vec::new(),
        }
    }
}

/// Positions by slug, with a hash that is fast on short keys.
type SlugMap = HashMap<String, usize, ahash::RandomState>;

/// Every item of the site, sorted, with lookups by key.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// Sorted by title.
    pub teams: Vec<Team>,
    /// Sorted by title, case-insensitively.
    pub terms: Vec<Term>,
    /// Newest first.
    pub stories: Vec<Story>,
    /// By effective due date, then slug.
    pub commitments: Vec<Commitment>,
    /// Plain pages and section intros, by URL path; the home text has URL path ``.
    pub pages: Vec<Page>,
    /// Files left out of the site for their errors or as duplicates, by path.
    pub partials: Vec<Partial>,
    /// Each item's position in its list, by kind then slug (URL path for
    /// pages): a lookup hashes the slug as given, without building a key.
    index: [SlugMap; 5],
    /// Who made, received, credited, owns and delivered what.
    pub relations: Relations,
    /// Items whose file had errors: references to them are not reported again.
    pub broken: std::collections::HashSet<ItemKey>,
}

impl Content {
    /// Sorts the items and builds the lookups. Duplicates must already have
    /// been removed (see [`crate::validate::remove_duplicates`]); the keys
    /// of [`Partial`]s join `broken`.
    pub(crate) fn new(items: Vec<Item>, broken: std::collections::HashSet<ItemKey>) -> Content {
        let mut content = Content {
            broken,
            ..Content::default()
        };
        for item in items {
            match item {
                Item::Team(x) => content.teams.push(x),
                Item::Term(x) => content.terms.push(x),
                Item::Story(x) => content.stories.push(x),
                Item::Commitment(x) => content.commitments.push(x),
                Item::Page(x) => content.pages.push(x),
                Item::Partial(x) => {
                    content.broken.insert(x.meta.key());
                    content.partials.push(x);
                }
            }
        }
        content.teams.sort_by(|a, b| by_title(&a.meta, &b.meta));
        content.terms.sort_by(|a, b| by_title(&a.meta, &b.meta));
        content
            .stories
            .sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.meta.slug.cmp(&b.meta.slug)));
        content.commitments.sort_by(|a, b| {
            a.derived
                .effective_due
                .cmp(&b.derived.effective_due)
                .then_with(|| a.meta.slug.cmp(&b.meta.slug))
        });
        content.pages.sort_by(|a, b| a.meta.url_path.cmp(&b.meta.url_path));
        content.partials.sort_by(|a, b| a.meta.path.cmp(&b.meta.path));
        content.reindex();
        content.relations = Relations::of(&content);
        content
    }

    fn reindex(&mut self) {
        fn slugs<'a>(metas: impl Iterator<Item = &'a Meta>) -> SlugMap {
            metas.enumerate().map(|(i, meta)| (meta.slug.clone(), i)).collect()
        }
        self.index = [
            slugs(self.teams.iter().map(|x| &x.meta)),
            slugs(self.terms.iter().map(|x| &x.meta)),
            slugs(self.stories.iter().map(|x| &x.meta)),
            slugs(self.commitments.iter().map(|x| &x.meta)),
            slugs(self.pages.iter().map(|x| &x.meta)),
        ];
    }

    pub fn len(&self) -> usize {
        self.teams.len() + self.terms.len() + self.stories.len() + self.commitments.len() + self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The position of the item `slug` of `kind` in its list.
    pub(crate) fn position(&self, kind: Kind, slug: &str) -> Option<usize> {
        self.index[kind as usize].get(slug).copied()
    }

    pub(crate) fn contains(&self, kind: Kind, slug: &str) -> bool {
        self.position(kind, slug).is_some()
    }

    pub(crate) fn team(&self, slug: &str) -> Option<&Team> {
        self.position(Kind::Team, slug).map(|i| &self.teams[i])
    }

    pub fn term(&self, slug: &str) -> Option<&Term> {
        self.position(Kind::Term, slug).map(|i| &self.terms[i])
    }

    pub(crate) fn story(&self, slug: &str) -> Option<&Story> {
        self.position(Kind::Story, slug).map(|i| &self.stories[i])
    }

    pub(crate) fn commitment(&self, slug: &str) -> Option<&Commitment> {
        self.position(Kind::Commitment, slug).map(|i| &self.commitments[i])
    }

    pub(crate) fn page(&self, url_path: &str) -> Option<&Page> {
        self.position(Kind::Page, url_path).map(|i| &self.pages[i])
    }

    pub(crate) fn get(&self, key: &ItemKey) -> Option<ItemRef<'_>> {
        let i = self.position(key.kind, &key.slug)?;
        Some(match key.kind {
            Kind::Team => ItemRef::Team(&self.teams[i]),
            Kind::Term => ItemRef::Term(&self.terms[i]),
            Kind::Story => ItemRef::Story(&self.stories[i]),
            Kind::Commitment => ItemRef::Commitment(&self.commitments[i]),
            Kind::Page => ItemRef::Page(&self.pages[i]),
        })
    }

    /// Replaces the source text of the item `key`, whose front matter is
    /// unchanged: only its Markdown body (and so where the body starts) may
    /// differ. Returns false when there is no such item.
    pub(crate) fn replace_source(&mut self, key: &ItemKey, source: std::sync::Arc<str>, body_offset: usize) -> bool {
        let Some(i) = self.position(key.kind, &key.slug) else {
            return false;
        };
        let meta = match key.kind {
            Kind::Team => &mut self.teams[i].meta,
            Kind::Term => &mut self.terms[i].meta,
            Kind::Story => &mut self.stories[i].meta,
            Kind::Commitment => &mut self.commitments[i].meta,
            Kind::Page => &mut self.pages[i].meta,
        };
        meta.source = source;
        meta.body_offset = body_offset;
        true
    }

    /// The key of the item read from `path`, if it is part of the site.
    pub(crate) fn key_of_path(&self, path: &str) -> Option<ItemKey> {
        self.items().map(ItemRef::meta).find(|m| m.path == path).map(Meta::key)
    }

    /// Every item, in kind order then list order.
    pub(crate) fn items(&self) -> impl Iterator<Item = ItemRef<'_>> {
        self.teams
            .iter()
            .map(ItemRef::Team)
            .chain(self.terms.iter().map(ItemRef::Term))
            .chain(self.stories.iter().map(ItemRef::Story))
            .chain(self.commitments.iter().map(ItemRef::Commitment))
            .chain(self.pages.iter().map(ItemRef::Page))
    }

    /// The slugs of one kind, for "did you mean".
    pub(crate) fn slugs(&self, kind: Kind) -> Vec<&str> {
        match kind {
            Kind::Team => self.teams.iter().map(|x| x.meta.slug.as_str()).collect(),
            Kind::Term => self.terms.iter().map(|x| x.meta.slug.as_str()).collect(),
            Kind::Story => self.stories.iter().map(|x| x.meta.slug.as_str()).collect(),
            Kind::Commitment => self.commitments.iter().map(|x| x.meta.slug.as_str()).collect(),
            Kind::Page => self.pages.iter().map(|x| x.meta.slug.as_str()).collect(),
        }
    }
}

fn by_title(a: &Meta, b: &Meta) -> std::cmp::Ordering {
    a.title
        .to_lowercase()
        .cmp(&b.title.to_lowercase())
        .then_with(|| a.slug.cmp(&b.slug))
}

/// Turns a file stem or a title into a URL slug: lowercase letters, digits,
/// `-` and `_`; anything else becomes `-`.
pub(crate) fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            out.extend(c.to_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_examples() {
        assert_eq!(slugify("Marketing Qualified Lead"), "marketing-qualified-lead");
        assert_eq!(slugify("MQL"), "mql");
        assert_eq!(slugify("  A -- b!  "), "a-b");
        assert_eq!(slugify("Über_Team"), "über_team");
    }
}
