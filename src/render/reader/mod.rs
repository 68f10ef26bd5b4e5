//! What the reader's site shows across items: a team's happiness index and
//! deliveries, the promises-vs-deliveries timeline, one commitment's history,
//! every team's happiness, the trust matrix between teams, the vocabulary
//! gaps, and stories by year with the teams to filter them by.
//!
//! Everything here is a pure function of the content, the scores, the views
//! already built, the base path and today: it returns plain data, plus SVG
//! strings from [`crate::render::charts`]. Each chart comes with the numbers
//! it draws, so that templates put a table beside it (the chart for the eye,
//! the table for screen readers, print and copying). The `*_value` functions
//! turn the data into what page contexts receive: template values, with the
//! SVGs marked safe (the chart functions escape every text they carry).

pub(crate) mod happiness;
pub(crate) mod history;
pub(crate) mod stories;
pub(crate) mod team;
pub(crate) mod timeline;
pub(crate) mod trust;
pub(crate) mod vocabulary;

pub(crate) use happiness::happiness_value;
pub(crate) use history::history_value;
pub(crate) use stories::stories_value;
pub(crate) use team::team_value;
pub(crate) use timeline::timeline_value;

use crate::date::{Date, YearMonth};
use crate::model::{Content, Kind};
use crate::render::usage::Usage;

/// Where [`vocabulary::vocabulary_gaps`] keeps its result for a build.
pub(crate) type GapsCache = std::sync::OnceLock<std::sync::Arc<vocabulary::VocabularyGaps>>;
use crate::render::view::{TeamCard, TeamLink, Views};
use crate::score::ScoreBook;
/// What the reader's views are computed from.
#[derive(Clone, Copy)]
pub(crate) struct ReaderInput<'a> {
    pub content: &'a Content,
    pub scores: &'a ScoreBook,
    /// The views of this build: team colours and names, cards for lists.
    pub views: &'a Views,
    /// Which terms each team uses.
    pub usage: &'a Usage,
    /// The vocabulary gaps, computed on first use: many pages show parts of
    /// them. Cleared when term uses change.
    pub gaps: &'a GapsCache,
    /// The path prefix of every URL (`/` or `/alignment/`).
    pub base_path: &'a str,
    pub today: Date,
    /// The promise ledger: how many pages `/ledger/` has.
    pub ledger: &'a crate::ledger::Ledger,
}

/// The link of team `slug`: its card's name, colour and URL.
pub(super) fn team_link(input: &ReaderInput<'_>, slug: &str) -> TeamLink {
    match input.content.position(Kind::Team, slug) {
        Some(i) => team_link_at(input, i),
        None => TeamLink {
            slug: slug.to_string(),
            title: slug.to_string(),
            short: slug.to_string(),
            url: String::new(),
            color: "#6b7280".to_string(),
            ink: "#fff".to_string(),
        },
    }
}

/// The link of the team at position `i` of `content.teams`.
pub(super) fn team_link_at(input: &ReaderInput<'_>, i: usize) -> TeamLink {
    match input.views.cards.teams.get(i) {
        Some(card) => link_of_card(card),
        None => {
            let slug = input.content.teams.get(i).map_or("", |t| t.meta.slug.as_str());
            TeamLink {
                slug: slug.to_string(),
                title: slug.to_string(),
                short: slug.to_string(),
                url: String::new(),
                color: "#6b7280".to_string(),
                ink: "#fff".to_string(),
            }
        }
    }
}

pub(super) fn link_of_card(card: &TeamCard) -> TeamLink {
    TeamLink {
        slug: card.slug.clone(),
        title: card.title.clone(),
        short: card.short.clone(),
        url: card.url.clone(),
        color: card.color.clone(),
        ink: card.ink.clone(),
    }
}

pub(super) fn month_label(month: &str) -> String {
    YearMonth::parse(month).map_or_else(|| month.to_string(), YearMonth::short_label)
}
