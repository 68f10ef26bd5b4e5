//! The trust matrix: how reliably each team kept its promises to each other
//! team, with the pairs of teams and the commitments behind each cell.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{Kind, State};
use crate::render::charts::{self, Axis, Cell, ChartText};
use crate::render::reader::{ReaderInput, team_link_at};
use crate::render::view::TeamLink;

/// The trust matrix: how reliably each team kept its promises to each other
/// team. See [`trust_matrix`] for the rule.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TrustMatrix {
    /// The heat map, or `None` past [`MAX_CHART_TEAMS`] teams, where the
    /// table (coloured the same way) is the matrix.
    pub svg: Option<String>,
    /// The teams on both axes: every team that made a promise to another
    /// team or received one, in title order.
    pub teams: Vec<TeamLink>,
    /// One row per owner team of `teams`, one cell per recipient.
    pub rows: Vec<TrustRow>,
    /// Every pair of teams with at least one commitment, owner then
    /// recipient in title order.
    pub pairs: Vec<TrustPair>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TrustRow {
    pub team: TeamLink,
    /// `None` where the row team made the column team no promise, and on
    /// the diagonal.
    pub cells: Vec<Option<TrustCell>>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TrustCell {
    /// Percentage of on-time deliveries among the promises that came due;
    /// `None` when none came due yet.
    pub rate: Option<f64>,
    pub on_time: usize,
    pub came_due: usize,
    /// Every commitment of the pair, due or not.
    pub total: usize,
    /// The pair's list of commitments.
    pub href: String,
}

/// The commitments one team made to another.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TrustPair {
    /// The page anchor, `from-<owner>-to-<recipient>`.
    pub id: String,
    pub owner: TeamLink,
    pub recipient: TeamLink,
    pub on_time: usize,
    pub late: usize,
    pub missed: usize,
    pub overdue: usize,
    /// `on_time + late + missed + overdue`.
    pub came_due: usize,
    pub total: usize,
    pub rate: Option<f64>,
}

/// Past this many teams the heat map would weigh megabytes (a cell of
/// markup per pair of teams, 60 teams make 3,540): the table, with each
/// cell coloured by its rate, is the matrix then.
pub(crate) const MAX_CHART_TEAMS: usize = 24;

/// The trust matrix: for each owner team (rows) and recipient team
/// (columns), the on-time rate of the promises the owner made to the
/// recipient.
///
/// The rule: a commitment counts for every team in its `to` list other than
/// its owner (a team's promise to itself is not trust between teams). Of
/// those, the ones that *came due* are on time, late, missed or overdue;
/// open, at-risk and dropped commitments do not count. The rate is
/// `on_time / (on_time + late + missed + overdue)` as a percentage, and the
/// cell is empty when nothing came due. It is the same rule as a team's
/// "on time" figure, restricted to one recipient.
/// How a pair's commitments (positions in `content.commitments`) ended:
/// the numbers behind a trust-matrix cell and its pair page's note.
pub(crate) struct PairCounts {
    pub on_time: usize,
    pub late: usize,
    pub missed: usize,
    pub overdue: usize,
    /// On time, late, missed or overdue: what the rate is of.
    pub came_due: usize,
}

impl PairCounts {
    pub(crate) fn of(content: &crate::model::Content, commitments: &[usize]) -> PairCounts {
        let count = |state: State| {
            commitments
                .iter()
                .filter(|i| content.commitments[**i].derived.state == state)
                .count()
        };
        let (on_time, late, missed, overdue) = (
            count(State::OnTime),
            count(State::Late),
            count(State::Missed),
            count(State::Overdue),
        );
        PairCounts {
            on_time,
            late,
            missed,
            overdue,
            came_due: on_time + late + missed + overdue,
        }
    }
}

pub(crate) fn trust_matrix(input: &ReaderInput<'_>) -> TrustMatrix {
    let content = input.content;
    let mut pairs: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (i, c) in content.commitments.iter().enumerate() {
        let Some(owner) = content.position(Kind::Team, &c.owner.slug) else {
            continue;
        };
        let recipients: BTreeSet<usize> =
            c.to.iter()
                .filter_map(|r| content.position(Kind::Team, &r.slug))
                .filter(|r| *r != owner)
                .collect();
        for recipient in recipients {
            pairs.entry((owner, recipient)).or_default().push(i);
        }
    }
    let involved: BTreeSet<usize> = pairs.keys().flat_map(|(o, r)| [*o, *r]).collect();
    let axis: Vec<usize> = involved.into_iter().collect();
    let teams: Vec<TeamLink> = axis.iter().map(|i| team_link_at(input, *i)).collect();
    let pairs: Vec<TrustPair> = pairs
        .into_iter()
        .map(|((o, r), commitments)| {
            let owner = team_link_at(input, o);
            let recipient = team_link_at(input, r);
            let PairCounts {
                on_time,
                late,
                missed,
                overdue,
                came_due,
            } = PairCounts::of(content, &commitments);
            TrustPair {
                id: pair_id(&owner.slug, &recipient.slug),
                rate: (came_due > 0).then(|| 100.0 * on_time as f64 / came_due as f64),
                total: commitments.len(),
                owner,
                recipient,
                on_time,
                late,
                missed,
                overdue,
                came_due,
            }
        })
        .collect();
    let pair_of: BTreeMap<(&str, &str), &TrustPair> = pairs
        .iter()
        .map(|p| ((p.owner.slug.as_str(), p.recipient.slug.as_str()), p))
        .collect();
    // Each pair's commitments have a page of their own.
    let href = |id: &str| format!("{}happiness/{id}/", input.base_path);
    let rows: Vec<TrustRow> = teams
        .iter()
        .map(|owner| TrustRow {
            team: owner.clone(),
            cells: teams
                .iter()
                .map(|recipient| {
                    pair_of
                        .get(&(owner.slug.as_str(), recipient.slug.as_str()))
                        .map(|p| TrustCell {
                            rate: p.rate,
                            on_time: p.on_time,
                            came_due: p.came_due,
                            total: p.total,
                            href: href(&p.id),
                        })
                })
                .collect(),
        })
        .collect();
    let axes: Vec<Axis> = teams
        .iter()
        .map(|t| Axis {
            label: t.title.clone(),
            short: t.short.clone(),
            color: t.color.clone(),
            url: t.url.clone(),
        })
        .collect();
    let cells: Vec<Vec<Option<Cell>>> = rows
        .iter()
        .map(|row| {
            row.cells
                .iter()
                .zip(&teams)
                .map(|(cell, recipient)| {
                    let cell = cell.as_ref()?;
                    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
                    Some(Cell {
                        rate: cell.rate.unwrap_or(f64::NAN),
                        count: count(if cell.rate.is_some() { cell.came_due } else { cell.total }),
                        href: cell.href.clone(),
                        label: format!("{} → {}", row.team.title, recipient.title),
                        pending: cell.rate.is_none(),
                    })
                })
                .collect()
        })
        .collect();
    let filled = cells.iter().flatten().flatten().filter(|c| !c.pending).count();
    let svg = (teams.len() <= MAX_CHART_TEAMS).then(|| charts::heat_map(
        &ChartText {
            id: "trust-matrix".into(),
            title: "Trust matrix: promises kept on time, by team".into(),
            description: format!(
                "On-time rate of the promises each team (rows) made to each other team (columns): on time divided by \
                 on time, late, missed and overdue. {filled} of {} pairs of teams have promises that came due; the \
                 table below gives every figure.",
                teams.len() * teams.len().saturating_sub(1)
            ),
        },
        &axes,
        &axes,
        &cells,
    ));
    TrustMatrix {
        svg,
        teams,
        rows,
        pairs,
    }
}

/// `from-<owner>-to-<recipient>`, the anchor of a pair's commitments.
pub(crate) fn pair_id(owner: &str, recipient: &str) -> String {
    format!("from-{owner}-to-{recipient}")
}
