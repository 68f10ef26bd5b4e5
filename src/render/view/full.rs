//! Full views: what an item's own page shows, with its relations resolved
//! (a team's commitments by state, a term's readings with their teams and
//! the items that use it, the stories that delivered on a commitment). One
//! constructor per kind, used by the full build and the refresh alike.

use std::collections::HashMap;

use minijinja::Value;
use serde::Serialize;

use crate::date::Date;
use crate::model::commitment::PromiseCounts;
use crate::model::commitment::against_due;
use crate::model::{Commitment, Content, ItemKey, Kind, Page, State, Story, Team, Term};
use crate::render::markdown::{Heading, RenderedBody};
use crate::render::view::cards::{TeamCard, index_letter, readings_differ};
use crate::render::view::links::{ItemLink, item_link};
use crate::score::{HappinessPoint, ScoreBook};

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReadingView {
    pub team: Value,
    pub text: String,
    pub is_owner: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TermView {
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
pub(crate) struct ContributionView {
    pub team: Value,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct StoryView {
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
pub(crate) struct RevisionView {
    pub date: Option<Date>,
    pub new_due: Date,
    pub reason: String,
}

/// A commitment without its relations to stories, for lists.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CommitmentView {
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
pub(crate) struct StateGroup {
    pub state: &'static str,
    pub label: &'static str,
    pub items: Vec<Value>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TeamView {
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
pub(crate) struct PageView {
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

/// For each term (by position), the items whose bodies link to it, as
/// kind and position, in the order its "used in" list shows them (by
/// kind, then title): what [`BackLinks`] gives the terms, without making
/// their links until a page shows them.
pub(super) fn term_back_links(content: &Content, bodies: &HashMap<ItemKey, RenderedBody>) -> Vec<Vec<(Kind, usize)>> {
    let mut used_in: Vec<Vec<(Kind, usize)>> = vec![Vec::new(); content.terms.len()];
    for item in content.items() {
        let meta = item.meta();
        let key = meta.key();
        let (Some(body), Some(at)) = (bodies.get(&key), content.position(meta.kind, &meta.slug)) else {
            continue;
        };
        for target in body.links.iter().filter(|t| t.kind == Kind::Term && **t != key) {
            if let Some(term) = content.position(Kind::Term, &target.slug) {
                used_in[term].push((meta.kind, at));
            }
        }
    }
    let title = |&(kind, at): &(Kind, usize)| meta_at(content, kind, at).map(|m| m.title.as_str());
    for links in &mut used_in {
        links.sort_by(|a, b| (a.0, title(a)).cmp(&(b.0, title(b))));
    }
    used_in
}

/// The item of kind `kind` at position `at` of its list.
pub(super) fn meta_at(content: &Content, kind: Kind, at: usize) -> Option<&crate::model::Meta> {
    Some(match kind {
        Kind::Team => &content.teams.get(at)?.meta,
        Kind::Term => &content.terms.get(at)?.meta,
        Kind::Story => &content.stories.get(at)?.meta,
        Kind::Commitment => &content.commitments.get(at)?.meta,
        Kind::Page => &content.pages.get(at)?.meta,
    })
}

/// The items whose bodies link to each item, for its "used in" list.
pub(super) struct BackLinks<'a> {
    /// Item -> the items whose bodies link to it.
    pub(super) used_in: HashMap<&'a ItemKey, Vec<ItemLink>>,
}

impl<'a> BackLinks<'a> {
    pub(super) fn new(
        content: &'a Content,
        bodies: &'a HashMap<ItemKey, RenderedBody>,
        url: &dyn Fn(&str) -> String,
    ) -> Self {
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
        BackLinks { used_in }
    }
}

/// The items whose bodies link to `key`, for its "used in" list.
pub(super) fn used_in_of(
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

pub(super) fn term_view(
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

pub(super) fn story_view(
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

pub(super) fn commitment_view(
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

pub(super) struct TeamViewInput<'a> {
    pub(super) team: &'a Team,
    pub(super) card: &'a TeamCard,
    pub(super) body: &'a RenderedBody,
    pub(super) content: &'a Content,
    /// Cards of every commitment, aligned with `content.commitments`.
    pub(super) commitment_cards: &'a [Value],
    /// Cards of every story, aligned with `content.stories`.
    pub(super) story_cards: &'a [Value],
    pub(super) scores: &'a ScoreBook,
    pub(super) url: &'a dyn Fn(&str) -> String,
}

pub(super) fn team_view(input: TeamViewInput<'_>) -> TeamView {
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

pub(super) fn page_view(p: &Page, body: &RenderedBody, url: &dyn Fn(&str) -> String) -> PageView {
    PageView {
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
    }
}

/// Groups commitments by state in board order, leaving out empty states.
pub(crate) fn group_by_state(items: &[(State, &Value)]) -> Vec<StateGroup> {
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
