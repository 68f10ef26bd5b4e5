//! Cards: what list pages show of each item (its summary, state, score and
//! team badges), one constructor per kind, used by the full build and by
//! the dev server's refresh alike.

use minijinja::Value;
use serde::Serialize;

use crate::date::Date;
use crate::model::commitment::against_due;
use crate::model::commitment::{PromiseCounts, counts};
use crate::model::{Commitment, Content, Kind, Page, Story, Team, Term};
use crate::render::view::links::TeamLink;
use crate::render::view::to_value;
use crate::score::ScoreBook;

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

/// Every item's card as a template value, aligned with the lists of
/// [`Content`], and the teams' cards also as data (their colours and names
/// are read across the site). List pages use only cards, so a change that
/// leaves an item's card as it was leaves every list as it was.
#[derive(Debug, Clone, Default)]
pub struct Cards {
    pub teams: Vec<TeamCard>,
    pub values: CardValues,
}

impl Cards {
    /// The cards, with their template values.
    pub(crate) fn new(
        teams: Vec<TeamCard>,
        terms: Vec<TermCard>,
        stories: Vec<StoryCard>,
        commitments: Vec<CommitmentCard>,
        pages: Vec<PageCard>,
    ) -> Cards {
        let values = CardValues {
            teams: teams.iter().map(to_value).collect(),
            terms: terms.iter().map(to_value).collect(),
            stories: stories.iter().map(to_value).collect(),
            commitments: commitments.iter().map(to_value).collect(),
            pages: pages.iter().map(to_value).collect(),
        };
        Cards { teams, values }
    }
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

pub(super) fn commitment_card(
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

pub(super) fn term_card(
    t: &Term,
    link_of: &dyn Fn(&str) -> TeamLink,
    url: &dyn Fn(&str) -> String,
    summary: String,
) -> TermCard {
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
pub(super) fn readings_differ(t: &Term) -> bool {
    let distinct: std::collections::HashSet<String> = t
        .definitions
        .iter()
        .map(|r| r.text.trim().to_lowercase())
        .filter(|text| !text.is_empty())
        .collect();
    distinct.len() >= 2
}

pub(super) fn team_card(
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

pub(super) fn story_card(
    s: &Story,
    link_of: &dyn Fn(&str) -> TeamLink,
    url: &dyn Fn(&str) -> String,
    scores: &ScoreBook,
    summary: String,
) -> StoryCard {
    StoryCard {
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
        summary,
    }
}

pub(super) fn page_card(p: &Page, url: &dyn Fn(&str) -> String, summary: String) -> PageCard {
    PageCard {
        kind: Kind::Page,
        title: p.meta.title.clone(),
        url: url(&p.meta.url_path),
        summary,
    }
}

/// The A–Z letter a title files under: its first letter, or `#`.
pub(crate) fn index_letter(title: &str) -> String {
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
