//! The vocabulary gaps: where a team uses a term without having said what
//! it means by it (the gap that matters: "Support says churn 14 times and
//! has never said what it means by it"), the terms no team owns, and the
//! term × team matrix behind both, terms with the most readings first
//! (where misunderstanding is likeliest).
//!
//! Uses come from [`crate::render::usage`] (the content format's *uses*
//! rule). A team "has written its reading" when the term's `definitions`
//! hold one for it; the owner counts as having written its reading too,
//! since the term's shared definition is the owner's.

use std::sync::Arc;

use rayon::prelude::*;

use serde::Serialize;

use crate::model::{ItemKey, Term};
use crate::render::reader::{ReaderInput, team_link, team_link_at};
use crate::render::view::{ItemLink, TeamLink, item_link};

/// How many places of use a gap links to; the rest are counted.
pub(crate) const USED_IN_SHOWN: usize = 3;

/// Where each team stands with each term.
#[derive(Debug, Clone)]
pub(crate) struct VocabularyGaps {
    pub term_count: usize,
    pub team_count: usize,
    /// Every team use of a term without a reading, most uses first, as
    /// positions: a page makes the views of the few it shows
    /// ([`unread_views`]), as 56,000 views would weigh 100 MB at 10,000
    /// items.
    pub unread: Vec<Unread>,
    /// By team (position in the content): where its uses are in `unread`.
    pub by_team: Vec<Vec<usize>>,
    /// Terms no team owns, A–Z.
    pub unowned: Vec<TermLine>,
    /// The matrix's columns: every team, by title.
    pub teams: Vec<TeamLink>,
    /// The matrix's rows: terms with a gap (no owner, or used by a team
    /// without its reading), most readings first, then A–Z, by position;
    /// [`gap_rows`] makes a page's rows.
    pub rows: Vec<usize>,
}

/// One team using one term without having written its reading, by
/// position in the content.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unread {
    pub term: usize,
    pub team: usize,
    pub count: u32,
}

/// A term, as the gaps page names it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TermLine {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub acronym: Option<String>,
    pub owner: Option<TeamLink>,
    /// How many teams wrote their reading.
    pub readings: usize,
}

/// One team using one term without having written its reading.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct UnreadUse {
    pub term: TermLine,
    pub team: TeamLink,
    /// Mentions and links over the team's records.
    pub count: u32,
    /// The first places of use ([`USED_IN_SHOWN`]).
    pub used_in: Vec<ItemLink>,
    /// How many more places use it.
    pub more: usize,
}

/// One row of the matrix.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GapRow {
    pub term: TermLine,
    /// One per team of [`VocabularyGaps::teams`].
    pub cells: Vec<GapCell>,
}

/// One cell of the matrix.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GapCell {
    /// `owns` (the owner: the shared definition is its reading), `reads`
    /// (it wrote its reading), `uses` (it uses the term without a reading)
    /// or `""` (neither).
    pub state: &'static str,
    /// Its uses of the term (0 when it does not use it).
    pub count: u32,
    /// For `uses`: the first place it uses it.
    pub href: Option<String>,
}

/// The gaps of the whole glossary, computed once per build (many pages show
/// parts of them) and kept in [`ReaderInput::gaps`].
pub(crate) fn vocabulary_gaps(input: &ReaderInput<'_>) -> Arc<VocabularyGaps> {
    input.gaps.get_or_init(|| Arc::new(compute_gaps(input))).clone()
}

fn compute_gaps(input: &ReaderInput<'_>) -> VocabularyGaps {
    let content = input.content;
    let teams: Vec<TeamLink> = (0..content.teams.len()).map(|i| team_link_at(input, i)).collect();
    // Each term on its own, in parallel; then put together in term order.
    let per_term: Vec<(Vec<Unread>, Option<TermLine>, bool)> = content
        .terms
        .par_iter()
        .enumerate()
        .map(|(t, term)| {
            let mut unread = Vec::new();
            for team in 0..content.teams.len() {
                if let Some(uses) = input.usage.get(t, team)
                    && cell_state(input, term, team, true) == "uses"
                {
                    unread.push(Unread {
                        term: t,
                        team,
                        count: uses.count,
                    });
                }
            }
            let unowned = term.owner.is_none().then(|| term_line(input, term));
            let row = term.owner.is_none() || !unread.is_empty();
            (unread, unowned, row)
        })
        .collect();
    let mut unread = Vec::new();
    let mut unowned = Vec::new();
    let mut rows = Vec::new();
    for (t, (uses, line, row)) in per_term.into_iter().enumerate() {
        unread.extend(uses);
        unowned.extend(line);
        if row {
            rows.push(t);
        }
    }
    let titles: Vec<String> = content.terms.iter().map(|t| t.meta.title.to_lowercase()).collect();
    unread.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| titles[a.term].cmp(&titles[b.term]))
            .then_with(|| teams[a.team].title.cmp(&teams[b.team].title))
    });
    // Terms are in A–Z order already; the sort is stable.
    rows.sort_by_key(|t| std::cmp::Reverse(content.terms[*t].definitions.len()));
    let mut by_team = vec![Vec::new(); content.teams.len()];
    for (i, u) in unread.iter().enumerate() {
        by_team[u.team].push(i);
    }
    VocabularyGaps {
        term_count: content.terms.len(),
        team_count: content.teams.len(),
        unread,
        by_team,
        unowned,
        teams,
        rows,
    }
}

/// The terms team `index` uses without having written its reading, most
/// used first ("words you use but have not defined"): `take` of them from
/// position `skip`, and how many there are in all.
pub(crate) fn team_unread(input: &ReaderInput<'_>, index: usize, skip: usize, take: usize) -> (Vec<UnreadUse>, usize) {
    let gaps = vocabulary_gaps(input);
    let Some(positions) = gaps.by_team.get(index) else {
        return (Vec::new(), 0);
    };
    let page = unread_views(input, positions.iter().skip(skip).take(take).map(|i| &gaps.unread[*i]));
    (page, positions.len())
}

fn cell_state(input: &ReaderInput<'_>, term: &Term, team: usize, uses: bool) -> &'static str {
    let slug = input.content.teams[team].meta.slug.as_str();
    if term.owner.as_ref().is_some_and(|o| o.slug == slug) {
        "owns"
    } else if term.definitions.iter().any(|r| r.team.slug == slug) {
        "reads"
    } else if uses {
        "uses"
    } else {
        ""
    }
}

fn term_line(input: &ReaderInput<'_>, term: &Term) -> TermLine {
    TermLine {
        slug: term.meta.slug.clone(),
        title: term.meta.title.clone(),
        url: format!("{}{}", input.base_path, term.meta.url_path),
        acronym: term.acronym.clone(),
        owner: term.owner.as_ref().map(|o| team_link(input, &o.slug)),
        readings: term.definitions.len(),
    }
}

/// The views of `uses`, for a page that shows them.
pub(crate) fn unread_views<'a>(input: &ReaderInput<'_>, uses: impl Iterator<Item = &'a Unread>) -> Vec<UnreadUse> {
    uses.filter_map(|u| {
        let term = input.content.terms.get(u.term)?;
        let records = input.usage.get(u.term, u.team).map_or(&[][..], |t| &t.records[..]);
        let used_in = records
            .iter()
            .take(USED_IN_SHOWN)
            .filter_map(|key| {
                let meta = input.content.get(key)?.meta();
                Some(item_link(meta.kind, &meta.slug, &meta.title, &url_of(input, key)))
            })
            .collect();
        Some(UnreadUse {
            term: term_line(input, term),
            team: team_link_at(input, u.team),
            count: u.count,
            used_in,
            more: records.len().saturating_sub(USED_IN_SHOWN),
        })
    })
    .collect()
}

/// The matrix rows of the terms at `terms`, for a page that shows them.
pub(crate) fn gap_rows(input: &ReaderInput<'_>, terms: &[usize]) -> Vec<GapRow> {
    let content = input.content;
    terms
        .iter()
        .filter_map(|&t| {
            let term = content.terms.get(t)?;
            let cells = (0..content.teams.len())
                .map(|team| {
                    let uses = input.usage.get(t, team);
                    let state = cell_state(input, term, team, uses.is_some());
                    GapCell {
                        state,
                        count: uses.map_or(0, |u| u.count),
                        href: (state == "uses")
                            .then(|| uses.and_then(|u| u.records.first()).map(|k| url_of(input, k)))
                            .flatten(),
                    }
                })
                .collect();
            Some(GapRow {
                term: term_line(input, term),
                cells,
            })
        })
        .collect()
}

fn url_of(input: &ReaderInput<'_>, key: &ItemKey) -> String {
    let path = input.content.get(key).map_or("", |item| item.meta().url_path.as_str());
    format!("{}{path}", input.base_path)
}
