//! What templates see: each item turned into a template value once per
//! build, with its relations already resolved (a team's commitments, a
//! term's readings with their teams, the stories that delivered on a
//! commitment).
//!
//! Values are built once and shared between pages (minijinja values are
//! reference-counted), so a team page listing forty commitments costs forty
//! pointer copies, not forty serialisations.
//!
//! - `links.rs`: team badges and item links;
//! - `cards.rs`: what lists show of an item;
//! - `full.rs`: what an item's own page shows.
//!
//! A full build ([`Views::build`]) and the dev server's refresh after a body
//! edit ([`Views::refresh`]) make every card and full view with the same
//! constructors, through one [`Ctx`], so the two cannot drift apart.

pub(crate) mod cards;
pub(crate) mod full;
pub(crate) mod links;

use std::collections::{BTreeMap, HashMap};

use minijinja::Value;
use minijinja::value::Serde;
use serde::Serialize;

use crate::model::{Content, ItemKey, Kind};
use crate::render::markdown::RenderedBody;
use crate::score::ScoreBook;

pub(crate) use crate::model::commitment::{PromiseCounts, counts};
pub(crate) use cards::{Cards, CommitmentCard, PageCard, StoryCard, TeamCard, TermCard, index_letter};
pub(crate) use full::{StateGroup, group_by_state};
pub(crate) use links::{ItemLink, TeamLink, item_link};

use cards::{commitment_card, page_card, story_card, team_card, term_card};
use full::{BackLinks, TeamViewInput, commitment_view, page_view, story_view, team_view, term_view, used_in_of};
use links::{team_link, unknown_team};

/// Every item as a template value for its own page (the full views), and
/// as a card for lists, aligned with the lists of [`Content`].
#[derive(Debug, Clone, Default)]
pub struct Views {
    pub cards: Cards,
    pub teams: Vec<Value>,
    pub terms: Vec<Value>,
    pub stories: Vec<Value>,
    pub commitments: Vec<Value>,
    pub pages: Vec<Value>,
    pub team_links: BTreeMap<String, Value>,
    /// When the terms' full views are not kept: each term's "used in", as
    /// kind and position of the linking items ([`Views::term`]).
    term_used_in: Vec<Vec<(Kind, usize)>>,
}

/// What views are built from.
pub(crate) struct ViewInput<'a> {
    pub content: &'a Content,
    pub bodies: &'a HashMap<ItemKey, RenderedBody>,
    pub scores: &'a ScoreBook,
    pub base_path: &'a str,
}

/// Which views [`Views::refresh`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Refreshed {
    /// Items whose card changed: every list that shows them must be redrawn.
    pub cards: Vec<ItemKey>,
    /// Items whose full view was recomputed: their own pages.
    pub full: Vec<ItemKey>,
}

/// What every constructor reads.
struct Ctx<'a> {
    content: &'a Content,
    bodies: &'a HashMap<ItemKey, RenderedBody>,
    scores: &'a ScoreBook,
    base_path: &'a str,
    /// Each team's link as a template value.
    team_links: &'a BTreeMap<String, Value>,
    empty: RenderedBody,
}

impl<'a> Ctx<'a> {
    fn new(input: &ViewInput<'a>, team_links: &'a BTreeMap<String, Value>) -> Ctx<'a> {
        Ctx {
            content: input.content,
            bodies: input.bodies,
            scores: input.scores,
            base_path: input.base_path,
            team_links,
            empty: RenderedBody::default(),
        }
    }

    fn url(&self, url_path: &str) -> String {
        format!("{}{url_path}", self.base_path)
    }

    fn body(&self, key: &ItemKey) -> &RenderedBody {
        self.bodies.get(key).unwrap_or(&self.empty)
    }

    fn summary(&self, key: &ItemKey) -> String {
        self.body(key).summary.clone()
    }

    fn link_of(&self, slug: &str) -> TeamLink {
        self.content
            .team(slug)
            .map(|t| team_link(t, &|p| self.url(p)))
            .unwrap_or_else(|| unknown_team(slug))
    }

    fn team_value(&self, slug: &str) -> Value {
        self.team_links
            .get(slug)
            .cloned()
            .unwrap_or_else(|| to_value(unknown_team(slug)))
    }

    fn team_card(&self, i: usize) -> TeamCard {
        let t = &self.content.teams[i];
        team_card(
            t,
            self.content,
            &|s| self.link_of(s),
            self.scores,
            self.summary(&t.meta.key()),
        )
    }

    fn term_card(&self, i: usize) -> TermCard {
        let t = &self.content.terms[i];
        term_card(t, &|s| self.link_of(s), &|p| self.url(p), self.summary(&t.meta.key()))
    }

    fn story_card(&self, i: usize) -> StoryCard {
        let s = &self.content.stories[i];
        story_card(
            s,
            &|slug| self.link_of(slug),
            &|p| self.url(p),
            self.scores,
            self.summary(&s.meta.key()),
        )
    }

    fn commitment_card(&self, i: usize) -> CommitmentCard {
        let c = &self.content.commitments[i];
        commitment_card(
            c,
            &|slug| self.link_of(slug),
            &|p| self.url(p),
            self.scores,
            self.summary(&c.meta.key()),
        )
    }

    fn page_card(&self, i: usize) -> PageCard {
        let p = &self.content.pages[i];
        page_card(p, &|path| self.url(path), self.summary(&p.meta.key()))
    }

    fn team_view(&self, i: usize, cards: &Cards) -> Value {
        let team = &self.content.teams[i];
        to_value(team_view(TeamViewInput {
            team,
            card: &cards.teams[i],
            body: self.body(&team.meta.key()),
            content: self.content,
            commitment_cards: &cards.values.commitments,
            story_cards: &cards.values.stories,
            scores: self.scores,
            url: &|p| self.url(p),
        }))
    }

    /// `used_in`: the items whose bodies link to the term.
    fn term_view(&self, i: usize, used_in: Vec<ItemLink>) -> Value {
        let t = &self.content.terms[i];
        to_value(term_view(
            t,
            self.body(&t.meta.key()),
            &|s| self.team_value(s),
            &|p| self.url(p),
            self.content,
            used_in,
        ))
    }

    fn story_view(&self, i: usize, cards: &Cards) -> Value {
        let s = &self.content.stories[i];
        let commitment_cards: HashMap<&str, &Value> = s
            .commitments
            .iter()
            .filter_map(|r| {
                let c = self.content.position(Kind::Commitment, &r.slug)?;
                Some((r.slug.as_str(), cards.values.commitments.get(c)?))
            })
            .collect();
        to_value(story_view(
            s,
            self.body(&s.meta.key()),
            &|slug| self.team_value(slug),
            &|p| self.url(p),
            self.scores,
            &commitment_cards,
        ))
    }

    fn commitment_view(&self, i: usize) -> Value {
        let c = &self.content.commitments[i];
        let delivered_by: Vec<ItemLink> = self.content.relations.delivered_by[i]
            .iter()
            .map(|s| &self.content.stories[*s])
            .map(|s| item_link(Kind::Story, &s.meta.slug, &s.meta.title, &self.url(&s.meta.url_path)))
            .collect();
        to_value(commitment_view(
            c,
            self.body(&c.meta.key()),
            &|slug| self.team_value(slug),
            &|p| self.url(p),
            self.scores,
            Some(&delivered_by),
        ))
    }

    fn page_view(&self, i: usize) -> Value {
        let p = &self.content.pages[i];
        to_value(page_view(p, self.body(&p.meta.key()), &|path| self.url(path)))
    }
}

impl Views {
    /// Every card and full view. With `item_views` false the full views of
    /// teams, terms, stories and commitments (most of the site, and the
    /// largest views) are not kept: each is made when its page renders
    /// ([`Views::team`], [`Views::term`], [`Views::story`],
    /// [`Views::commitment`]), the terms' "used in" kept as positions,
    /// as a build that writes its pages as they render wants; the dev
    /// server keeps them all, to compare after an edit.
    pub(crate) fn build(input: &ViewInput<'_>, item_views: bool) -> Views {
        use rayon::prelude::*;
        let content = input.content;
        let url = |url_path: &str| format!("{}{url_path}", input.base_path);
        let team_links: BTreeMap<String, Value> = content
            .teams
            .iter()
            .map(|t| (t.meta.slug.clone(), to_value(team_link(t, &url))))
            .collect();
        let ctx = Ctx::new(input, &team_links);

        let cards = Cards::new(
            (0..content.teams.len())
                .into_par_iter()
                .map(|i| ctx.team_card(i))
                .collect(),
            (0..content.terms.len())
                .into_par_iter()
                .map(|i| ctx.term_card(i))
                .collect(),
            (0..content.stories.len())
                .into_par_iter()
                .map(|i| ctx.story_card(i))
                .collect(),
            (0..content.commitments.len())
                .into_par_iter()
                .map(|i| ctx.commitment_card(i))
                .collect(),
            (0..content.pages.len())
                .into_par_iter()
                .map(|i| ctx.page_card(i))
                .collect(),
        );
        let (terms, term_used_in) = if item_views {
            let back = BackLinks::new(content, input.bodies, &url);
            let terms = (0..content.terms.len())
                .into_par_iter()
                .map(|i| {
                    let used_in = back
                        .used_in
                        .get(&content.terms[i].meta.key())
                        .cloned()
                        .unwrap_or_default();
                    ctx.term_view(i, used_in)
                })
                .collect();
            (terms, Vec::new())
        } else {
            (Vec::new(), full::term_back_links(content, input.bodies))
        };
        let (stories, commitments) = if item_views {
            (
                (0..content.stories.len())
                    .into_par_iter()
                    .map(|i| ctx.story_view(i, &cards))
                    .collect(),
                (0..content.commitments.len())
                    .into_par_iter()
                    .map(|i| ctx.commitment_view(i))
                    .collect(),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let teams = if item_views {
            (0..content.teams.len())
                .into_par_iter()
                .map(|i| ctx.team_view(i, &cards))
                .collect()
        } else {
            Vec::new()
        };
        let views = Views {
            teams,
            terms,
            stories,
            commitments,
            pages: (0..content.pages.len())
                .into_par_iter()
                .map(|i| ctx.page_view(i))
                .collect(),
            cards,
            team_links: BTreeMap::new(),
            term_used_in,
        };
        drop(ctx);
        Views { team_links, ..views }
    }

    /// Term `i`'s full view: the one kept, or made now.
    pub(crate) fn term(&self, i: usize, input: &ViewInput<'_>) -> Value {
        match self.terms.get(i) {
            Some(view) => view.clone(),
            None => {
                let used_in = self.term_links(i, input.content, input.base_path);
                Ctx::new(input, &self.team_links).term_view(i, used_in)
            }
        }
    }

    /// The items whose bodies link to term `i`, as its page lists them.
    pub(crate) fn term_used_in(&self, i: usize, content: &Content, base_path: &str) -> Vec<Value> {
        match self.terms.get(i) {
            Some(view) => view
                .get_attr("used_in")
                .ok()
                .and_then(|list| list.try_iter().ok())
                .map(|items| items.collect())
                .unwrap_or_default(),
            None => self.term_links(i, content, base_path).iter().map(to_value).collect(),
        }
    }

    /// How many items link to term `i`.
    pub(crate) fn term_used_in_count(&self, i: usize) -> usize {
        match self.terms.get(i) {
            Some(view) => view.get_attr("used_in").ok().and_then(|list| list.len()).unwrap_or(0),
            None => self.term_used_in.get(i).map_or(0, Vec::len),
        }
    }

    fn term_links(&self, i: usize, content: &Content, base_path: &str) -> Vec<ItemLink> {
        let Some(refs) = self.term_used_in.get(i) else {
            return Vec::new();
        };
        refs.iter()
            .filter_map(|&(kind, at)| {
                let meta = full::meta_at(content, kind, at)?;
                Some(item_link(
                    kind,
                    &meta.slug,
                    &meta.title,
                    &format!("{base_path}{}", meta.url_path),
                ))
            })
            .collect()
    }

    /// Team `i`'s full view: the one kept, or made now.
    pub(crate) fn team(&self, i: usize, input: &ViewInput<'_>) -> Value {
        match self.teams.get(i) {
            Some(view) => view.clone(),
            None => Ctx::new(input, &self.team_links).team_view(i, &self.cards),
        }
    }

    /// Story `i`'s full view: the one kept, or made now.
    pub(crate) fn story(&self, i: usize, input: &ViewInput<'_>) -> Value {
        match self.stories.get(i) {
            Some(view) => view.clone(),
            None => Ctx::new(input, &self.team_links).story_view(i, &self.cards),
        }
    }

    /// Commitment `i`'s full view: the one kept, or made now.
    pub(crate) fn commitment(&self, i: usize, input: &ViewInput<'_>) -> Value {
        match self.commitments.get(i) {
            Some(view) => view.clone(),
            None => Ctx::new(input, &self.team_links).commitment_view(i),
        }
    }

    /// Recomputes, after a change that kept every item's front matter, the
    /// views of `keys` (items whose body or score changed), the full views
    /// that show their cards, and the full views of `extra_full` (items
    /// whose back-links changed). Team links, which come from front matter
    /// only, are kept.
    pub(crate) fn refresh(&mut self, input: &ViewInput<'_>, keys: &[ItemKey], extra_full: &[ItemKey]) -> Refreshed {
        let content = input.content;
        let team_links = std::mem::take(&mut self.team_links);
        let ctx = Ctx::new(input, &team_links);
        let mut refreshed = Refreshed::default();
        let mut full: Vec<ItemKey> = Vec::new();
        for key in keys {
            let Some(i) = content.position(key.kind, &key.slug) else {
                continue;
            };
            let cards = &mut self.cards;
            let values = &mut cards.values;
            let changed = match key.kind {
                Kind::Team => replace_card(&mut cards.teams[i], &mut values.teams[i], ctx.team_card(i)),
                Kind::Term => replace_value(&mut values.terms[i], ctx.term_card(i)),
                Kind::Story => {
                    let changed = replace_value(&mut values.stories[i], ctx.story_card(i));
                    if changed {
                        // Team pages show the cards of the stories that credit them.
                        let s = &content.stories[i];
                        full.extend(s.teams.iter().map(|t| ItemKey::new(Kind::Team, t.slug.clone())));
                    }
                    changed
                }
                Kind::Commitment => {
                    let changed = replace_value(&mut values.commitments[i], ctx.commitment_card(i));
                    if changed {
                        // Team pages show the promises they made and received;
                        // story pages the commitments they delivered on.
                        let c = &content.commitments[i];
                        full.push(ItemKey::new(Kind::Team, c.owner.slug.clone()));
                        full.extend(c.to.iter().map(|t| ItemKey::new(Kind::Team, t.slug.clone())));
                        full.extend(
                            content.relations.delivered_by[i]
                                .iter()
                                .map(|s| content.stories[*s].meta.key()),
                        );
                    }
                    changed
                }
                Kind::Page => replace_value(&mut values.pages[i], ctx.page_card(i)),
            };
            if changed {
                refreshed.cards.push(key.clone());
            }
            full.push(key.clone());
        }
        full.extend(extra_full.iter().cloned());
        full.sort();
        full.dedup();
        for key in &full {
            let Some(i) = content.position(key.kind, &key.slug) else {
                continue;
            };
            match key.kind {
                Kind::Team => self.teams[i] = ctx.team_view(i, &self.cards),
                Kind::Term => {
                    let used_in = used_in_of(content, input.bodies, key, &|p| ctx.url(p));
                    self.terms[i] = ctx.term_view(i, used_in);
                }
                Kind::Story => self.stories[i] = ctx.story_view(i, &self.cards),
                Kind::Commitment => self.commitments[i] = ctx.commitment_view(i),
                Kind::Page => self.pages[i] = ctx.page_view(i),
            }
        }
        drop(ctx);
        self.team_links = team_links;
        refreshed.full = full;
        refreshed
    }
}

/// Replaces a card when it changed; true if it did.
fn replace_card<T: PartialEq + Serialize>(old: &mut T, value: &mut Value, new: T) -> bool {
    if *old == new {
        return false;
    }
    *value = to_value(&new);
    *old = new;
    true
}

/// Replaces the card value `value` by that of `new`; whether it changed.
/// (Only the teams' cards are kept as data: the others are compared as
/// template values, which compare as the data they were made from.)
fn replace_value<T: Serialize>(value: &mut Value, new: T) -> bool {
    let new = to_value(&new);
    if *value == new {
        return false;
    }
    *value = new;
    true
}

/// Any serialisable value as a template value (values inside it are kept).
pub(crate) fn to_value<T: Serialize>(value: T) -> Value {
    Value::from(Serde(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::view::links::ink_for;

    #[test]
    fn ink_reads_on_its_background() {
        assert_eq!(ink_for("#ffffff"), "#111");
        assert_eq!(ink_for("#1f2937"), "#fff");
        assert_eq!(ink_for("#2563eb"), "#fff");
        assert_eq!(ink_for("#fde047"), "#111");
    }

    #[test]
    fn card_values_compare_as_the_data_they_were_made_from() {
        #[derive(Serialize, Clone)]
        struct Card {
            title: String,
            score: Option<f64>,
            teams: Vec<&'static str>,
            nested: BTreeMap<String, i64>,
        }
        let card = Card {
            title: "Pricing page".into(),
            score: Some(72.5),
            teams: vec!["sales", "marketing"],
            nested: BTreeMap::from([("late".to_string(), 3)]),
        };
        let mut value = to_value(&card);
        assert!(!replace_value(&mut value, card.clone()), "the same card is no change");
        let changes: [&dyn Fn(&mut Card); 4] = [
            &|c| c.title.push('!'),
            &|c| c.score = None,
            &|c| c.teams.reverse(),
            &|c| {
                c.nested.insert("late".into(), 4);
            },
        ];
        for change in changes {
            let mut changed = card.clone();
            change(&mut changed);
            let mut value = to_value(&card);
            assert!(replace_value(&mut value, changed.clone()), "a changed card is a change");
            assert!(value == to_value(&changed), "and is replaced");
        }
    }

    #[test]
    fn letters() {
        assert_eq!(index_letter("churn"), "C");
        assert_eq!(index_letter("\"Quoted\""), "Q");
        assert_eq!(index_letter("3-way match"), "#");
    }
}
