//! What templates see: each item turned into a template value once per
//! build, with its relations already resolved (a team's commitments, a
//! term's readings with their teams, the stories that delivered on a
//! commitment).
//!
//! Values are built once and shared between pages (minijinja values are
//! reference-counted), so a team page listing forty commitments costs forty
//! pointer copies, not forty serialisations. The same structs serialise to
//! JSON for `/data/*.json`.

use std::collections::{BTreeMap, HashMap};

use minijinja::Value;
use minijinja::value::Serde;
use serde::Serialize;

use crate::date::Date;
use crate::model::commitment::against_due;
use crate::model::{Commitment, Content, ItemKey, Kind, State, Story, Team, Term};
use crate::render::markdown::{Heading, RenderedBody};
use crate::score::{Explanation, HappinessPoint, ScoreBook};

/// A short reference to a team, for badges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamLink {
    pub slug: String,
    pub title: String,
    pub short: String,
    pub url: String,
    pub color: String,
    /// Text colour that reads on `color` (`#fff` or `#111`).
    pub ink: String,
}

/// A short reference to any item.
#[derive(Debug, Clone, Serialize)]
pub struct ItemLink {
    pub kind: Kind,
    pub slug: String,
    pub title: String,
    pub url: String,
}

/// What lists show of a team: its badge, summary, counts and score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamCard {
    pub kind: Kind,
    pub slug: String,
    pub title: String,
    pub short: String,
    pub url: String,
    pub color: String,
    pub ink: String,
    pub lead: Option<String>,
    pub summary: String,
    pub score: Option<f64>,
    /// The scoring hook ran and returned `()`: "no value" (for a team, with
    /// the default script: nothing it promised has come due yet).
    pub score_empty: bool,
    pub made_counts: PromiseCounts,
    pub received_counts: PromiseCounts,
    pub owns_count: usize,
    pub stories_count: usize,
}

/// What lists show of a glossary term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermCard {
    pub kind: Kind,
    pub slug: String,
    pub title: String,
    pub url: String,
    pub acronym: Option<String>,
    pub aliases: Vec<String>,
    pub owner: Option<TeamLink>,
    /// Every team that gave its reading.
    pub readers: Vec<TeamLink>,
    pub readings_differ: bool,
    pub letter: String,
    pub summary: String,
}

/// What lists show of a story.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryCard {
    pub kind: Kind,
    pub slug: String,
    pub title: String,
    pub url: String,
    pub date: Date,
    pub customer: Option<String>,
    pub outcome: Option<String>,
    pub teams: Vec<TeamLink>,
    pub score: Option<f64>,
    /// The scoring hook ran and returned `()`: "no value" (for a team, with
    /// the default script: nothing it promised has come due yet).
    pub score_empty: bool,
    pub summary: String,
}

/// What lists show of a commitment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitmentCard {
    pub kind: Kind,
    pub slug: String,
    pub title: String,
    pub url: String,
    pub owner: TeamLink,
    pub to: Vec<TeamLink>,
    pub to_external: Vec<String>,
    pub promised: Date,
    pub due: Date,
    pub effective_due: Date,
    pub delivered: Option<Date>,
    /// When it was declared missed or dropped.
    pub closed: Option<Date>,
    pub ended: Option<Date>,
    pub state: &'static str,
    pub state_label: &'static str,
    pub days_late: i64,
    /// Where its end (or today) stands against the original due date:
    /// "39 days after the original date", "1 day before the original date".
    pub against_due: String,
    pub slips: usize,
    pub satisfaction: Option<u8>,
    pub score: Option<f64>,
    /// The scoring hook ran and returned `()`: "no value" (for a team, with
    /// the default script: nothing it promised has come due yet).
    pub score_empty: bool,
    pub summary: String,
}

/// What lists show of a plain page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageCard {
    pub kind: Kind,
    pub title: String,
    pub url: String,
    pub summary: String,
}

/// Every item's card as data and as a template value, aligned with the
/// lists of [`Content`]. List pages use only cards, so a change that leaves
/// an item's card as it was leaves every list as it was.
#[derive(Debug, Clone, Default)]
pub struct Cards {
    pub teams: Vec<TeamCard>,
    pub terms: Vec<TermCard>,
    pub stories: Vec<StoryCard>,
    pub commitments: Vec<CommitmentCard>,
    pub pages: Vec<PageCard>,
    pub values: CardValues,
}

/// The cards as template values.
#[derive(Debug, Clone, Default)]
pub struct CardValues {
    pub teams: Vec<Value>,
    pub terms: Vec<Value>,
    pub stories: Vec<Value>,
    pub commitments: Vec<Value>,
    pub pages: Vec<Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadingView {
    pub team: Value,
    pub text: String,
    pub is_owner: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermView {
    pub kind: Kind,
    pub slug: String,
    pub title: String,
    pub url: String,
    pub path: String,
    pub acronym: Option<String>,
    pub aliases: Vec<String>,
    pub owner: Option<Value>,
    pub readings: Vec<ReadingView>,
    /// True when two or more teams read the term and their readings differ.
    pub readings_differ: bool,
    pub related: Vec<ItemLink>,
    pub used_in: Vec<ItemLink>,
    pub letter: String,
    pub body: Value,
    pub summary: String,
    pub headings: Vec<Heading>,
    pub tags: Vec<String>,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContributionView {
    pub team: Value,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoryView {
    pub kind: Kind,
    pub slug: String,
    pub title: String,
    pub url: String,
    pub path: String,
    pub date: Date,
    pub teams: Vec<Value>,
    pub contributions: Vec<ContributionView>,
    pub customer: Option<String>,
    pub outcome: Option<String>,
    pub commitments: Vec<Value>,
    pub score: Option<f64>,
    /// The scoring hook ran and returned `()`: "no value" (for a team, with
    /// the default script: nothing it promised has come due yet).
    pub score_empty: bool,
    pub body: Value,
    pub summary: String,
    pub headings: Vec<Heading>,
    pub tags: Vec<String>,
    pub updated: Option<Date>,
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RevisionView {
    pub date: Option<Date>,
    pub new_due: Date,
    pub reason: String,
}

/// A commitment without its relations to stories, for lists.
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentView {
    pub kind: Kind,
    pub slug: String,
    pub title: String,
    pub url: String,
    pub path: String,
    pub owner: Value,
    pub to: Vec<Value>,
    pub to_external: Vec<String>,
    pub promised: Date,
    pub due: Date,
    pub delivered: Option<Date>,
    /// When it was declared missed or dropped, and why.
    pub closed: Option<Date>,
    pub reason: Option<String>,
    pub status: Option<&'static str>,
    pub effective_due: Date,
    pub ended: Option<Date>,
    pub days_late: i64,
    /// See [`CommitmentCard::against_due`].
    pub against_due: String,
    pub slips: usize,
    pub state: &'static str,
    pub state_label: &'static str,
    pub revisions: Vec<RevisionView>,
    pub satisfaction: Option<u8>,
    pub score: Option<f64>,
    /// The scoring hook ran and returned `()`: "no value" (for a team, with
    /// the default script: nothing it promised has come due yet).
    pub score_empty: bool,
    pub stories: Vec<ItemLink>,
    pub body: Value,
    pub summary: String,
    pub headings: Vec<Heading>,
    pub tags: Vec<String>,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Commitments of one state, for boards.
#[derive(Debug, Clone, Serialize)]
pub struct StateGroup {
    pub state: &'static str,
    pub label: &'static str,
    pub items: Vec<Value>,
}

/// Counts of a team's promises, by state.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PromiseCounts {
    pub total: usize,
    pub on_time: usize,
    pub late: usize,
    pub overdue: usize,
    pub at_risk: usize,
    pub open: usize,
    pub missed: usize,
    pub dropped: usize,
    /// On-time deliveries over everything that came due (delivered, missed
    /// or overdue), as a percentage; `None` when nothing came due yet.
    pub on_time_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TeamView {
    pub kind: Kind,
    pub slug: String,
    pub title: String,
    pub short: String,
    pub url: String,
    pub path: String,
    pub color: String,
    pub ink: String,
    pub lead: Option<String>,
    pub members: Vec<String>,
    pub mission: Value,
    pub summary: String,
    pub owns: Vec<ItemLink>,
    /// Terms this team reads, owned by another team.
    pub reads: Vec<ItemLink>,
    pub made: Vec<StateGroup>,
    pub received: Vec<StateGroup>,
    pub made_counts: PromiseCounts,
    pub received_counts: PromiseCounts,
    pub stories: Vec<Value>,
    pub score: Option<f64>,
    /// The scoring hook ran and returned `()`: "no value" (for a team, with
    /// the default script: nothing it promised has come due yet).
    pub score_empty: bool,
    pub happiness: Vec<HappinessPoint>,
    pub tags: Vec<String>,
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub kind: Kind,
    pub title: String,
    pub url: String,
    pub path: String,
    pub is_section: bool,
    pub body: Value,
    pub summary: String,
    pub headings: Vec<Heading>,
    pub tags: Vec<String>,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    pub extra: serde_json::Map<String, serde_json::Value>,
}

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
    /// The serialisable views, for `/data/*.json`.
    pub data: DataViews,
}

/// The same views as plain data, for JSON.
#[derive(Debug, Clone, Default)]
pub struct DataViews {
    pub teams: Vec<TeamView>,
    pub terms: Vec<TermView>,
    pub stories: Vec<StoryView>,
    pub commitments: Vec<CommitmentView>,
}

/// What views are built from.
pub struct ViewInput<'a> {
    pub content: &'a Content,
    pub bodies: &'a HashMap<ItemKey, RenderedBody>,
    pub scores: &'a ScoreBook,
    pub base_path: &'a str,
}

impl Views {
    pub fn build(input: &ViewInput<'_>) -> Views {
        let ViewInput {
            content,
            bodies,
            scores,
            base_path,
        } = *input;
        let url = |url_path: &str| format!("{base_path}{url_path}");
        let empty = RenderedBody::default();
        let body_of = |key: ItemKey| bodies.get(&key).unwrap_or(&empty);

        let links: BTreeMap<String, TeamLink> = content
            .teams
            .iter()
            .map(|t| (t.meta.slug.clone(), team_link(t, &url)))
            .collect();
        let link_of = |slug: &str| links.get(slug).cloned().unwrap_or_else(|| unknown_team(slug));
        let team_links: BTreeMap<String, Value> = links.iter().map(|(k, v)| (k.clone(), to_value(v))).collect();
        let team_value = |slug: &str| {
            team_links
                .get(slug)
                .cloned()
                .unwrap_or_else(|| to_value(unknown_team(slug)))
        };

        let relations = Relations::new(content, bodies, &url);
        let cards = Cards::build(&CardInput {
            content,
            bodies,
            scores,
            link_of: &link_of,
            url: &url,
        });

        let commitment_card_by_slug: HashMap<&str, &Value> = content
            .commitments
            .iter()
            .zip(&cards.values.commitments)
            .map(|(c, v)| (c.meta.slug.as_str(), v))
            .collect();

        let commitment_data: Vec<CommitmentView> = content
            .commitments
            .iter()
            .map(|c| {
                let body = body_of(c.meta.key());
                commitment_view(
                    c,
                    body,
                    &team_value,
                    &url,
                    scores,
                    relations.delivered_by.get(c.meta.slug.as_str()),
                )
            })
            .collect();
        let commitments: Vec<Value> = commitment_data.iter().map(to_value).collect();

        let story_data: Vec<StoryView> = content
            .stories
            .iter()
            .map(|s| {
                let body = body_of(s.meta.key());
                story_view(s, body, &team_value, &url, scores, &commitment_card_by_slug)
            })
            .collect();
        let stories: Vec<Value> = story_data.iter().map(to_value).collect();

        let term_data: Vec<TermView> = content
            .terms
            .iter()
            .map(|t| {
                let body = body_of(t.meta.key());
                let back = relations.used_in.get(&t.meta.key()).cloned().unwrap_or_default();
                term_view(t, body, &team_value, &url, content, back)
            })
            .collect();
        let terms: Vec<Value> = term_data.iter().map(to_value).collect();

        let team_data: Vec<TeamView> = content
            .teams
            .iter()
            .zip(&cards.teams)
            .map(|(t, card)| {
                team_view(TeamViewInput {
                    team: t,
                    card,
                    body: body_of(t.meta.key()),
                    content,
                    commitment_cards: &cards.values.commitments,
                    story_cards: &cards.values.stories,
                    scores,
                    url: &url,
                })
            })
            .collect();
        let teams: Vec<Value> = team_data.iter().map(to_value).collect();

        let pages: Vec<Value> = content
            .pages
            .iter()
            .map(|p| {
                let body = body_of(p.meta.key());
                to_value(PageView {
                    kind: Kind::Page,
                    title: p.meta.title.clone(),
                    url: url(&p.meta.url_path),
                    path: p.meta.path.clone(),
                    is_section: p.is_section,
                    body: Value::from_safe_string(body.html.clone()),
                    summary: body.summary.clone(),
                    headings: body.headings.clone(),
                    tags: p.meta.tags.clone(),
                    date: p.meta.date,
                    updated: p.meta.updated,
                    extra: p.meta.extra.clone(),
                })
            })
            .collect();

        Views {
            cards,
            teams,
            terms,
            stories,
            commitments,
            pages,
            team_links,
            data: DataViews {
                teams: team_data,
                terms: term_data,
                stories: story_data,
                commitments: commitment_data,
            },
        }
    }
}

/// Which views [`Views::refresh`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// Items whose card changed: every list that shows them must be redrawn.
    pub cards: Vec<ItemKey>,
    /// Items whose full view was recomputed: their own pages.
    pub full: Vec<ItemKey>,
}

impl Views {
    /// Recomputes, after a change that kept every item's front matter, the
    /// views of `keys` (items whose body or score changed), the full views
    /// that show their cards, and the full views of `extra_full` (items
    /// whose back-links changed). Team links, which come from front matter
    /// only, are kept.
    pub fn refresh(&mut self, input: &ViewInput<'_>, keys: &[ItemKey], extra_full: &[ItemKey]) -> Refreshed {
        let ViewInput {
            content,
            bodies,
            scores,
            base_path,
        } = *input;
        let url = |url_path: &str| format!("{base_path}{url_path}");
        let empty = RenderedBody::default();
        let body_of = |key: &ItemKey| bodies.get(key).unwrap_or(&empty);
        let summary = |key: &ItemKey| body_of(key).summary.clone();
        let team_links = &self.team_links;
        let link_of = |slug: &str| {
            content
                .team(slug)
                .map(|t| team_link(t, &url))
                .unwrap_or_else(|| unknown_team(slug))
        };
        let team_value = |slug: &str| {
            team_links
                .get(slug)
                .cloned()
                .unwrap_or_else(|| to_value(unknown_team(slug)))
        };

        let mut refreshed = Refreshed::default();
        let mut full: Vec<ItemKey> = Vec::new();
        for key in keys {
            let Some(i) = content.position(key.kind, &key.slug) else {
                continue;
            };
            let changed = match key.kind {
                Kind::Team => {
                    let card = team_card(&content.teams[i], content, &link_of, scores, summary(key));
                    replace_card(&mut self.cards.teams[i], &mut self.cards.values.teams[i], card)
                }
                Kind::Term => {
                    let card = term_card(&content.terms[i], &link_of, &url, summary(key));
                    replace_card(&mut self.cards.terms[i], &mut self.cards.values.terms[i], card)
                }
                Kind::Story => {
                    let s = &content.stories[i];
                    let card = StoryCard {
                        kind: Kind::Story,
                        slug: s.meta.slug.clone(),
                        title: s.meta.title.clone(),
                        url: url(&s.meta.url_path),
                        date: s.date,
                        customer: s.customer.clone(),
                        outcome: s.outcome.clone(),
                        teams: s.teams.iter().map(|t| link_of(&t.slug)).collect(),
                        score: scores.story(&s.meta.slug),
                        score_empty: scores.story_has_no_value(&s.meta.slug),
                        summary: summary(key),
                    };
                    let changed = replace_card(&mut self.cards.stories[i], &mut self.cards.values.stories[i], card);
                    if changed {
                        // Team pages show the cards of the stories that credit them.
                        full.extend(s.teams.iter().map(|t| ItemKey::new(Kind::Team, t.slug.clone())));
                    }
                    changed
                }
                Kind::Commitment => {
                    let c = &content.commitments[i];
                    let card = commitment_card(c, &link_of, &url, scores, summary(key));
                    let changed = replace_card(
                        &mut self.cards.commitments[i],
                        &mut self.cards.values.commitments[i],
                        card,
                    );
                    if changed {
                        // Team pages show the promises they made and received;
                        // story pages the commitments they delivered on.
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
                Kind::Page => {
                    let p = &content.pages[i];
                    let card = PageCard {
                        kind: Kind::Page,
                        title: p.meta.title.clone(),
                        url: url(&p.meta.url_path),
                        summary: summary(key),
                    };
                    replace_card(&mut self.cards.pages[i], &mut self.cards.values.pages[i], card)
                }
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
            let body = body_of(key);
            match key.kind {
                Kind::Team => {
                    let view = team_view(TeamViewInput {
                        team: &content.teams[i],
                        card: &self.cards.teams[i],
                        body,
                        content,
                        commitment_cards: &self.cards.values.commitments,
                        story_cards: &self.cards.values.stories,
                        scores,
                        url: &url,
                    });
                    self.teams[i] = to_value(&view);
                    self.data.teams[i] = view;
                }
                Kind::Term => {
                    let term = &content.terms[i];
                    let back = used_in_of(content, bodies, key, &url);
                    let view = term_view(term, body, &team_value, &url, content, back);
                    self.terms[i] = to_value(&view);
                    self.data.terms[i] = view;
                }
                Kind::Story => {
                    let cards: HashMap<&str, &Value> = content
                        .commitments
                        .iter()
                        .zip(&self.cards.values.commitments)
                        .map(|(c, v)| (c.meta.slug.as_str(), v))
                        .collect();
                    let view = story_view(&content.stories[i], body, &team_value, &url, scores, &cards);
                    self.stories[i] = to_value(&view);
                    self.data.stories[i] = view;
                }
                Kind::Commitment => {
                    let c = &content.commitments[i];
                    let delivered_by: Vec<ItemLink> = content.relations.delivered_by[i]
                        .iter()
                        .map(|s| &content.stories[*s])
                        .map(|s| item_link(Kind::Story, &s.meta.slug, &s.meta.title, &url(&s.meta.url_path)))
                        .collect();
                    let view = commitment_view(c, body, &team_value, &url, scores, Some(&delivered_by));
                    self.commitments[i] = to_value(&view);
                    self.data.commitments[i] = view;
                }
                Kind::Page => {
                    let p = &content.pages[i];
                    self.pages[i] = to_value(PageView {
                        kind: Kind::Page,
                        title: p.meta.title.clone(),
                        url: url(&p.meta.url_path),
                        path: p.meta.path.clone(),
                        is_section: p.is_section,
                        body: Value::from_safe_string(body.html.clone()),
                        summary: body.summary.clone(),
                        headings: body.headings.clone(),
                        tags: p.meta.tags.clone(),
                        date: p.meta.date,
                        updated: p.meta.updated,
                        extra: p.meta.extra.clone(),
                    });
                }
            }
        }
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

/// The items whose bodies link to `key`, for its "used in" list.
fn used_in_of(
    content: &Content,
    bodies: &HashMap<ItemKey, RenderedBody>,
    key: &ItemKey,
    url: &dyn Fn(&str) -> String,
) -> Vec<ItemLink> {
    let mut links: Vec<ItemLink> = content
        .items()
        .map(|item| item.meta())
        .filter(|meta| meta.key() != *key && bodies.get(&meta.key()).is_some_and(|b| b.links.contains(key)))
        .map(|meta| item_link(meta.kind, &meta.slug, &meta.title, &url(&meta.url_path)))
        .collect();
    links.sort_by(|a, b| (a.kind, &a.title).cmp(&(b.kind, &b.title)));
    links
}

/// Relations between items that views show from the other side.
struct Relations<'a> {
    /// Item -> the items whose bodies link to it.
    used_in: HashMap<&'a ItemKey, Vec<ItemLink>>,
    /// Commitment slug -> the stories that delivered on it.
    delivered_by: HashMap<&'a str, Vec<ItemLink>>,
}

impl<'a> Relations<'a> {
    fn new(content: &'a Content, bodies: &'a HashMap<ItemKey, RenderedBody>, url: &dyn Fn(&str) -> String) -> Self {
        let mut used_in: HashMap<&ItemKey, Vec<ItemLink>> = HashMap::new();
        for item in content.items() {
            let meta = item.meta();
            if let Some(body) = bodies.get(&meta.key()) {
                for target in &body.links {
                    if *target != meta.key() {
                        used_in.entry(target).or_default().push(item_link(
                            meta.kind,
                            &meta.slug,
                            &meta.title,
                            &url(&meta.url_path),
                        ));
                    }
                }
            }
        }
        for links in used_in.values_mut() {
            links.sort_by(|a, b| (a.kind, &a.title).cmp(&(b.kind, &b.title)));
        }
        let mut delivered_by: HashMap<&str, Vec<ItemLink>> = HashMap::new();
        for story in &content.stories {
            for c in &story.commitments {
                delivered_by.entry(c.slug.as_str()).or_default().push(item_link(
                    Kind::Story,
                    &story.meta.slug,
                    &story.meta.title,
                    &url(&story.meta.url_path),
                ));
            }
        }
        Relations { used_in, delivered_by }
    }
}

struct CardInput<'a> {
    content: &'a Content,
    bodies: &'a HashMap<ItemKey, RenderedBody>,
    scores: &'a ScoreBook,
    link_of: &'a dyn Fn(&str) -> TeamLink,
    url: &'a dyn Fn(&str) -> String,
}

impl Cards {
    fn build(input: &CardInput<'_>) -> Cards {
        let CardInput {
            content,
            bodies,
            scores,
            link_of,
            url,
        } = *input;
        let summary = |key: ItemKey| bodies.get(&key).map(|b| b.summary.clone()).unwrap_or_default();
        let commitments: Vec<CommitmentCard> = content
            .commitments
            .iter()
            .map(|c| commitment_card(c, link_of, url, scores, summary(c.meta.key())))
            .collect();
        let stories: Vec<StoryCard> = content
            .stories
            .iter()
            .map(|s| StoryCard {
                kind: Kind::Story,
                slug: s.meta.slug.clone(),
                title: s.meta.title.clone(),
                url: url(&s.meta.url_path),
                date: s.date,
                customer: s.customer.clone(),
                outcome: s.outcome.clone(),
                teams: s.teams.iter().map(|t| link_of(&t.slug)).collect(),
                score: scores.story(&s.meta.slug),
                score_empty: scores.story_has_no_value(&s.meta.slug),
                summary: summary(s.meta.key()),
            })
            .collect();
        let terms: Vec<TermCard> = content
            .terms
            .iter()
            .map(|t| term_card(t, link_of, url, summary(t.meta.key())))
            .collect();
        let teams: Vec<TeamCard> = content
            .teams
            .iter()
            .map(|t| team_card(t, content, link_of, scores, summary(t.meta.key())))
            .collect();
        let pages: Vec<PageCard> = content
            .pages
            .iter()
            .map(|p| PageCard {
                kind: Kind::Page,
                title: p.meta.title.clone(),
                url: url(&p.meta.url_path),
                summary: summary(p.meta.key()),
            })
            .collect();
        let values = CardValues {
            teams: teams.iter().map(to_value).collect(),
            terms: terms.iter().map(to_value).collect(),
            stories: stories.iter().map(to_value).collect(),
            commitments: commitments.iter().map(to_value).collect(),
            pages: pages.iter().map(to_value).collect(),
        };
        Cards {
            teams,
            terms,
            stories,
            commitments,
            pages,
            values,
        }
    }
}

/// Any serialisable value as a template value (values inside it are kept).
pub fn to_value<T: Serialize>(value: T) -> Value {
    Value::from(Serde(value))
}

pub fn item_link(kind: Kind, slug: &str, title: &str, url: &str) -> ItemLink {
    ItemLink {
        kind,
        slug: slug.to_string(),
        title: title.to_string(),
        url: url.to_string(),
    }
}

/// The link of a team that does not exist (a reference that failed
/// validation): grey, pointing nowhere.
fn unknown_team(slug: &str) -> TeamLink {
    TeamLink {
        slug: slug.to_string(),
        title: slug.to_string(),
        short: slug.to_string(),
        url: String::new(),
        color: "#6b7280".to_string(),
        ink: "#fff".to_string(),
    }
}

fn commitment_card(
    c: &Commitment,
    link_of: &dyn Fn(&str) -> TeamLink,
    url: &dyn Fn(&str) -> String,
    scores: &ScoreBook,
    summary: String,
) -> CommitmentCard {
    CommitmentCard {
        kind: Kind::Commitment,
        slug: c.meta.slug.clone(),
        title: c.meta.title.clone(),
        url: url(&c.meta.url_path),
        owner: link_of(&c.owner.slug),
        to: c.to.iter().map(|t| link_of(&t.slug)).collect(),
        to_external: c.to_external.clone(),
        promised: c.promised,
        due: c.due,
        effective_due: c.derived.effective_due,
        delivered: c.delivered,
        closed: c.closed,
        ended: c.derived.ended,
        state: c.derived.state.name(),
        state_label: c.derived.state.label(),
        days_late: c.derived.days_late,
        against_due: against_due(c.derived.days_late),
        slips: c.derived.slips,
        satisfaction: c.satisfaction,
        score: scores.commitment(&c.meta.slug),
        score_empty: scores.commitment_has_no_value(&c.meta.slug),
        summary,
    }
}

fn term_card(t: &Term, link_of: &dyn Fn(&str) -> TeamLink, url: &dyn Fn(&str) -> String, summary: String) -> TermCard {
    TermCard {
        kind: Kind::Term,
        slug: t.meta.slug.clone(),
        title: t.meta.title.clone(),
        url: url(&t.meta.url_path),
        acronym: t.acronym.clone(),
        aliases: t.aliases.clone(),
        owner: t.owner.as_ref().map(|o| link_of(&o.slug)),
        readers: t.definitions.iter().map(|r| link_of(&r.team.slug)).collect(),
        readings_differ: readings_differ(t),
        letter: index_letter(&t.meta.title),
        summary,
    }
}

/// Two or more teams gave readings, and they are not all the same text.
fn readings_differ(t: &Term) -> bool {
    let distinct: std::collections::HashSet<String> = t
        .definitions
        .iter()
        .map(|r| r.text.trim().to_lowercase())
        .filter(|text| !text.is_empty())
        .collect();
    distinct.len() >= 2
}

fn team_card(
    t: &Team,
    content: &Content,
    link_of: &dyn Fn(&str) -> TeamLink,
    scores: &ScoreBook,
    summary: String,
) -> TeamCard {
    let slug = t.meta.slug.as_str();
    let link = link_of(slug);
    let relations = &content.relations;
    let i = content.position(Kind::Team, slug).unwrap_or(usize::MAX);
    let of = |lists: &[Vec<usize>]| lists.get(i).map_or(&[][..], Vec::as_slice).to_vec();
    let made = of(&relations.made)
        .into_iter()
        .map(|c| content.commitments[c].derived.state);
    let received = of(&relations.received)
        .into_iter()
        .map(|c| content.commitments[c].derived.state);
    TeamCard {
        kind: Kind::Team,
        slug: link.slug,
        title: link.title,
        short: link.short,
        url: link.url,
        color: link.color,
        ink: link.ink,
        lead: t.lead.clone(),
        summary,
        score: scores.team(slug),
        score_empty: scores.team_has_no_value(slug),
        made_counts: counts(made),
        received_counts: counts(received),
        owns_count: of(&relations.owns).len(),
        stories_count: of(&relations.credited).len(),
    }
}

fn team_link(team: &Team, url: &dyn Fn(&str) -> String) -> TeamLink {
    let color = team.color.clone().unwrap_or_else(|| fallback_colour(&team.meta.slug));
    TeamLink {
        slug: team.meta.slug.clone(),
        title: team.meta.title.clone(),
        short: team.short.clone().unwrap_or_else(|| team.meta.title.clone()),
        url: url(&team.meta.url_path),
        ink: ink_for(&color).to_string(),
        color,
    }
}

/// A stable colour for a team without one, from its slug.
fn fallback_colour(slug: &str) -> String {
    const PALETTE: [&str; 8] = [
        "#2563eb", "#b45309", "#047857", "#7c3aed", "#be123c", "#0e7490", "#4d7c0f", "#9333ea",
    ];
    let hash = slug
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    PALETTE[hash as usize % PALETTE.len()].to_string()
}

/// White or near-black text, whichever reads better on `hex`.
pub fn ink_for(hex: &str) -> &'static str {
    let channel = |i: usize| {
        let v = u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
        let c = f64::from(v) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    // Contrast against white vs. against #111111 (luminance ~0.0056).
    let with_white = 1.05 / (luminance + 0.05);
    let with_black = (luminance + 0.05) / 0.0556;
    if with_white >= with_black { "#fff" } else { "#111" }
}

fn term_view(
    term: &Term,
    body: &RenderedBody,
    team_value: &dyn Fn(&str) -> Value,
    url: &dyn Fn(&str) -> String,
    content: &Content,
    used_in: Vec<ItemLink>,
) -> TermView {
    let owner = term.owner.as_ref().map(|o| o.slug.as_str());
    let readings: Vec<ReadingView> = term
        .definitions
        .iter()
        .map(|r| ReadingView {
            team: team_value(&r.team.slug),
            text: r.text.clone(),
            is_owner: Some(r.team.slug.as_str()) == owner,
        })
        .collect();
    let related = term
        .related
        .iter()
        .filter_map(|r| content.term(&r.slug))
        .map(|t| item_link(Kind::Term, &t.meta.slug, &t.meta.title, &url(&t.meta.url_path)))
        .collect();
    TermView {
        kind: Kind::Term,
        slug: term.meta.slug.clone(),
        title: term.meta.title.clone(),
        url: url(&term.meta.url_path),
        path: term.meta.path.clone(),
        acronym: term.acronym.clone(),
        aliases: term.aliases.clone(),
        owner: term.owner.as_ref().map(|o| team_value(&o.slug)),
        readings,
        readings_differ: readings_differ(term),
        related,
        used_in,
        letter: index_letter(&term.meta.title),
        body: Value::from_safe_string(body.html.clone()),
        summary: body.summary.clone(),
        headings: body.headings.clone(),
        tags: term.meta.tags.clone(),
        date: term.meta.date,
        updated: term.meta.updated,
        extra: term.meta.extra.clone(),
    }
}

/// The A–Z letter a title files under: its first letter, or `#`.
pub fn index_letter(title: &str) -> String {
    title
        .chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| {
            if c.is_ascii_alphabetic() {
                c.to_ascii_uppercase().to_string()
            } else {
                "#".to_string()
            }
        })
        .unwrap_or_else(|| "#".to_string())
}

fn story_view(
    story: &Story,
    body: &RenderedBody,
    team_value: &dyn Fn(&str) -> Value,
    url: &dyn Fn(&str) -> String,
    scores: &ScoreBook,
    commitments: &HashMap<&str, &Value>,
) -> StoryView {
    StoryView {
        kind: Kind::Story,
        slug: story.meta.slug.clone(),
        title: story.meta.title.clone(),
        url: url(&story.meta.url_path),
        path: story.meta.path.clone(),
        date: story.date,
        teams: story.teams.iter().map(|t| team_value(&t.slug)).collect(),
        contributions: story
            .contributions
            .iter()
            .map(|c| ContributionView {
                team: team_value(&c.team.slug),
                text: c.text.clone(),
            })
            .collect(),
        customer: story.customer.clone(),
        outcome: story.outcome.clone(),
        commitments: story
            .commitments
            .iter()
            .filter_map(|c| commitments.get(c.slug.as_str()).map(|v| (*v).clone()))
            .collect(),
        score: scores.story(&story.meta.slug),
        score_empty: scores.story_has_no_value(&story.meta.slug),
        body: Value::from_safe_string(body.html.clone()),
        summary: body.summary.clone(),
        headings: body.headings.clone(),
        tags: story.meta.tags.clone(),
        updated: story.meta.updated,
        extra: story.meta.extra.clone(),
    }
}

fn commitment_view(
    c: &Commitment,
    body: &RenderedBody,
    team_value: &dyn Fn(&str) -> Value,
    url: &dyn Fn(&str) -> String,
    scores: &ScoreBook,
    stories: Option<&Vec<ItemLink>>,
) -> CommitmentView {
    CommitmentView {
        kind: Kind::Commitment,
        slug: c.meta.slug.clone(),
        title: c.meta.title.clone(),
        url: url(&c.meta.url_path),
        path: c.meta.path.clone(),
        owner: team_value(&c.owner.slug),
        to: c.to.iter().map(|t| team_value(&t.slug)).collect(),
        to_external: c.to_external.clone(),
        promised: c.promised,
        due: c.due,
        delivered: c.delivered,
        closed: c.closed,
        reason: c.reason.clone(),
        status: c.status.map(|s| s.name()),
        effective_due: c.derived.effective_due,
        ended: c.derived.ended,
        days_late: c.derived.days_late,
        against_due: against_due(c.derived.days_late),
        slips: c.derived.slips,
        state: c.derived.state.name(),
        state_label: c.derived.state.label(),
        revisions: c
            .revisions
            .iter()
            .map(|r| RevisionView {
                date: r.date,
                new_due: r.new_due,
                reason: r.reason.clone(),
            })
            .collect(),
        satisfaction: c.satisfaction,
        score: scores.commitment(&c.meta.slug),
        score_empty: scores.commitment_has_no_value(&c.meta.slug),
        stories: stories.cloned().unwrap_or_default(),
        body: Value::from_safe_string(body.html.clone()),
        summary: body.summary.clone(),
        headings: body.headings.clone(),
        tags: c.meta.tags.clone(),
        date: c.meta.date,
        updated: c.meta.updated,
        extra: c.meta.extra.clone(),
    }
}

struct TeamViewInput<'a> {
    team: &'a Team,
    card: &'a TeamCard,
    body: &'a RenderedBody,
    content: &'a Content,
    /// Cards of every commitment, aligned with `content.commitments`.
    commitment_cards: &'a [Value],
    /// Cards of every story, aligned with `content.stories`.
    story_cards: &'a [Value],
    scores: &'a ScoreBook,
    url: &'a dyn Fn(&str) -> String,
}

fn team_view(input: TeamViewInput<'_>) -> TeamView {
    let TeamViewInput {
        team,
        card,
        body,
        content,
        commitment_cards: commitments,
        story_cards: stories,
        scores,
        url,
    } = input;
    let slug = team.meta.slug.as_str();
    let link = card;
    let relations = &content.relations;
    let i = content.position(Kind::Team, slug).unwrap_or(usize::MAX);
    let of = |lists: &'_ [Vec<usize>]| lists.get(i).map_or(&[][..], Vec::as_slice).to_vec();
    let states = |list: Vec<usize>| -> Vec<(State, &Value)> {
        list.into_iter()
            .filter_map(|c| Some((content.commitments[c].derived.state, commitments.get(c)?)))
            .collect()
    };
    let made = states(of(&relations.made));
    let received = states(of(&relations.received));
    let term_links = |list: Vec<usize>| -> Vec<ItemLink> {
        list.into_iter()
            .map(|t| &content.terms[t])
            .map(|t| item_link(Kind::Term, &t.meta.slug, &t.meta.title, &url(&t.meta.url_path)))
            .collect()
    };
    let owns = term_links(of(&relations.owns));
    let reads = term_links(of(&relations.reads));
    let credited: Vec<Value> = of(&relations.credited)
        .into_iter()
        .filter_map(|s| stories.get(s).cloned())
        .collect();
    TeamView {
        kind: Kind::Team,
        slug: link.slug.clone(),
        title: link.title.clone(),
        short: link.short.clone(),
        url: link.url.clone(),
        path: team.meta.path.clone(),
        color: link.color.clone(),
        ink: link.ink.clone(),
        lead: team.lead.clone(),
        members: team.members.clone(),
        mission: Value::from_safe_string(body.html.clone()),
        summary: body.summary.clone(),
        owns,
        reads,
        made_counts: link.made_counts.clone(),
        received_counts: link.received_counts.clone(),
        made: group_by_state(&made),
        received: group_by_state(&received),
        stories: credited,
        score: scores.team(slug),
        score_empty: scores.team_has_no_value(slug),
        happiness: scores.happiness(slug).to_vec(),
        tags: team.meta.tags.clone(),
        extra: team.meta.extra.clone(),
    }
}

/// Groups commitments by state in board order, leaving out empty states.
pub fn group_by_state(items: &[(State, &Value)]) -> Vec<StateGroup> {
    State::ALL
        .iter()
        .filter_map(|state| {
            let values: Vec<Value> = items
                .iter()
                .filter(|(s, _)| s == state)
                .map(|(_, v)| (*v).clone())
                .collect();
            (!values.is_empty()).then(|| StateGroup {
                state: state.name(),
                label: state.label(),
                items: values,
            })
        })
        .collect()
}

pub fn counts(states: impl Iterator<Item = State>) -> PromiseCounts {
    let mut c = PromiseCounts::default();
    for state in states {
        c.total += 1;
        match state {
            State::OnTime => c.on_time += 1,
            State::Late => c.late += 1,
            State::Overdue => c.overdue += 1,
            State::AtRisk => c.at_risk += 1,
            State::Open => c.open += 1,
            State::Missed => c.missed += 1,
            State::Dropped => c.dropped += 1,
        }
    }
    let came_due = c.on_time + c.late + c.missed + c.overdue;
    c.on_time_rate = (came_due > 0).then(|| 100.0 * c.on_time as f64 / came_due as f64);
    c
}

/// Explanations of the hooks, by hook name, for templates.
pub fn explanations(scores: &ScoreBook) -> BTreeMap<String, Explanation> {
    scores
        .explanations
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ink_reads_on_its_background() {
        assert_eq!(ink_for("#ffffff"), "#111");
        assert_eq!(ink_for("#1f2937"), "#fff");
        assert_eq!(ink_for("#2563eb"), "#fff");
        assert_eq!(ink_for("#fde047"), "#111");
    }

    #[test]
    fn letters() {
        assert_eq!(index_letter("churn"), "C");
        assert_eq!(index_letter("\"Quoted\""), "Q");
        assert_eq!(index_letter("3-way match"), "#");
    }
}
