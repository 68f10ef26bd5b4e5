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

use std::collections::{BTreeMap, BTreeSet};

use minijinja::{Value, context};
use serde::Serialize;

use crate::date::{Date, YearMonth};
use crate::model::commitment::{MonthInput, against_due, monthly};
use crate::model::{Commitment, Content, Kind, MonthFigures, State};
use crate::render::charts::{self, Axis, Cell, ChartText, EventKind, Series, TimelineEvent};
use crate::render::view::{TeamCard, TeamLink, Views, to_value};
use crate::score::{HappinessPoint, ScoreBook};

/// What the reader's views are computed from.
#[derive(Clone, Copy)]
pub struct ReaderInput<'a> {
    pub content: &'a Content,
    pub scores: &'a ScoreBook,
    /// The views of this build: team colours and names, cards for lists.
    pub views: &'a Views,
    /// The path prefix of every URL (`/` or `/alignment/`).
    pub base_path: &'a str,
    pub today: Date,
}

/// A team's charts: its happiness index and its promises and deliveries,
/// month by month, over the commitments it made.
#[derive(Debug, Clone, Serialize)]
pub struct TeamCharts {
    /// The happiness line in the team's colour; `None` when the `happiness`
    /// hook gave no value (no hook, or no month).
    pub happiness: Option<String>,
    /// Monthly bars of the team's own promises; `None` when it made none.
    pub promises: Option<String>,
    /// The months both charts draw, with the hook's value and the figures.
    pub months: Vec<HappinessPoint>,
}

/// A team's vocabulary: the terms it owns and the terms it reads its own way.
#[derive(Debug, Clone, Serialize)]
pub struct TeamVocabulary {
    pub owns: Vec<OwnedTerm>,
    /// Terms the team gave a reading of that is not the owner's: another
    /// team owns the term (or none does) and the team's reading differs from
    /// the owner's reading.
    pub reads: Vec<OwnReading>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OwnedTerm {
    pub title: String,
    pub url: String,
    pub acronym: Option<String>,
    /// How many teams gave their reading.
    pub readings: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct OwnReading {
    pub title: String,
    pub url: String,
    pub acronym: Option<String>,
    /// The team's own reading.
    pub ours: String,
    /// The owning team, if any.
    pub owner: Option<TeamLink>,
    /// The owner's reading, when it gave one.
    pub owner_reading: Option<String>,
}

/// Promises and deliveries per month, with the totals.
#[derive(Debug, Clone, Serialize)]
pub struct MonthlyChart {
    pub svg: String,
    pub months: Vec<MonthFigures>,
    /// The sum of every month (`month` is empty, `satisfaction` is the mean
    /// rating of every rated delivery).
    pub totals: MonthFigures,
}

/// One commitment's history as a timeline.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub svg: String,
    /// The events the timeline marks, by date.
    pub events: Vec<HistoryEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryEvent {
    pub date: Date,
    /// `promised`, `due`, `rescheduled`, `delivered`, `missed`, `dropped`, `today`.
    pub kind: &'static str,
    /// What happened, in a sentence.
    pub text: String,
}

/// The title of every happiness chart's y axis.
pub const HAPPINESS_AXIS: &str = "Index, 0 to 100";

/// Every team's happiness index, one small chart per team.
#[derive(Debug, Clone, Serialize)]
pub struct HappinessOverview {
    /// One chart per team of `teams`, on shared months and scale.
    pub panels: Vec<HappinessPanel>,
    /// The teams with at least one value, in title order.
    pub teams: Vec<TeamLink>,
    /// One row per month, one value per team of `teams`.
    pub rows: Vec<HappinessRow>,
}

/// One team's small chart of [`HappinessOverview`].
#[derive(Debug, Clone, Serialize)]
pub struct HappinessPanel {
    pub team: TeamLink,
    pub svg: String,
    /// The latest month with a value (`YYYY-MM`) and that value.
    pub latest: Option<(String, f64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HappinessRow {
    /// `YYYY-MM`.
    pub month: String,
    pub values: Vec<Option<f64>>,
}

/// The trust matrix: how reliably each team kept its promises to each other
/// team. See [`trust_matrix`] for the rule.
#[derive(Debug, Clone, Serialize)]
pub struct TrustMatrix {
    pub svg: String,
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
pub struct TrustRow {
    pub team: TeamLink,
    /// `None` where the row team made the column team no promise, and on
    /// the diagonal.
    pub cells: Vec<Option<TrustCell>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrustCell {
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
pub struct TrustPair {
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
    /// Positions in `content.commitments`, in its order.
    #[serde(skip)]
    pub commitments: Vec<usize>,
}

/// Terms whose vocabulary is not settled yet.
#[derive(Debug, Clone, Serialize)]
pub struct VocabularyGaps {
    /// Terms no team owns.
    pub unowned: Vec<TermGap>,
    /// Terms fewer than two teams gave their reading of.
    pub few_readings: Vec<TermGap>,
    /// How many terms the glossary has.
    pub term_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermGap {
    pub title: String,
    pub url: String,
    pub acronym: Option<String>,
    pub owner: Option<TeamLink>,
    /// The teams that gave their reading.
    pub readers: Vec<TeamLink>,
    /// What the term still needs, one sentence each.
    pub missing: Vec<String>,
}

/// The stories of one year, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct StoryYear {
    pub year: i32,
    /// Positions in `content.stories`.
    #[serde(skip)]
    pub stories: Vec<usize>,
}

/// A team that stories credit, for the stories filter.
#[derive(Debug, Clone, Serialize)]
pub struct StoryTeam {
    pub team: TeamLink,
    /// How many stories credit it.
    pub count: usize,
}

/// The happiness index and monthly promises of team `index` (a position in
/// `content.teams`).
pub fn team_charts(input: &ReaderInput<'_>, index: usize) -> TeamCharts {
    let team = team_link_at(input, index);
    let months = input.scores.happiness(&team.slug).to_vec();
    let labels: Vec<String> = months.iter().map(|p| p.figures.month.clone()).collect();
    let values: Vec<Option<f64>> = months.iter().map(|p| p.value).collect();
    let happiness = values.iter().any(Option::is_some).then(|| {
        charts::line_chart(
            &ChartText {
                id: format!("team-{}-happiness", team.slug),
                title: format!("{} happiness index", team.title),
                description: happiness_description(&team.title, &labels, &values),
            },
            HAPPINESS_AXIS,
            &labels,
            &[Series {
                label: team.title.clone(),
                color: team.color.clone(),
                values,
            }],
        )
    });
    let figures: Vec<MonthFigures> = months.iter().map(|p| p.figures.clone()).collect();
    let promises = (!figures.is_empty()).then(|| {
        charts::monthly_bars(
            &ChartText {
                id: format!("team-{}-promises", team.slug),
                title: format!("Promises {} made and delivered, by month", team.title),
                description: bars_description(&format!("Promises {} made", team.title), &figures),
            },
            &figures,
        )
    });
    TeamCharts {
        happiness,
        promises,
        months,
    }
}

/// The terms team `index` owns, and those it reads differently from their
/// owner (or reads when no team owns them).
pub fn team_vocabulary(input: &ReaderInput<'_>, index: usize) -> TeamVocabulary {
    let content = input.content;
    let Some(team) = content.teams.get(index) else {
        return TeamVocabulary {
            owns: Vec::new(),
            reads: Vec::new(),
        };
    };
    let slug = team.meta.slug.as_str();
    let url = |path: &str| format!("{}{path}", input.base_path);
    let owns = content
        .terms
        .iter()
        .filter(|t| t.owner.as_ref().is_some_and(|o| o.slug == slug))
        .map(|t| OwnedTerm {
            title: t.meta.title.clone(),
            url: url(&t.meta.url_path),
            acronym: t.acronym.clone(),
            readings: t.definitions.len(),
        })
        .collect();
    let reads = content
        .terms
        .iter()
        .filter_map(|t| {
            let owner = t.owner.as_ref().map(|o| o.slug.as_str());
            if owner == Some(slug) {
                return None;
            }
            let ours = t.definitions.iter().find(|r| r.team.slug == slug)?;
            let owner_reading = owner.and_then(|o| t.definitions.iter().find(|r| r.team.slug == o));
            if owner_reading.is_some_and(|r| same_reading(&r.text, &ours.text)) {
                return None;
            }
            Some(OwnReading {
                title: t.meta.title.clone(),
                url: url(&t.meta.url_path),
                acronym: t.acronym.clone(),
                ours: ours.text.clone(),
                owner: owner.map(|o| team_link(input, o)),
                owner_reading: owner_reading.map(|r| r.text.clone()),
            })
        })
        .collect();
    TeamVocabulary { owns, reads }
}

/// Promises made, due and resolved per month over every commitment: the
/// site-wide promises-vs-deliveries timeline.
pub fn promises_timeline(input: &ReaderInput<'_>) -> MonthlyChart {
    let months = monthly(input.content.commitments.iter().map(MonthInput::of), input.today);
    let svg = charts::monthly_bars(
        &ChartText {
            id: "promises-timeline".into(),
            title: "Promises and deliveries by month".into(),
            description: bars_description("Promises made", &months),
        },
        &months,
    );
    let totals = totals(&months, input.content.commitments.iter(), input.today);
    MonthlyChart { svg, months, totals }
}

/// The history of commitment `index` (a position in `content.commitments`):
/// promised, originally due, each new due date, then delivered, declared
/// missed or dropped (on its `closed` date, with its reason), or today
/// while it is still open.
pub fn commitment_history(input: &ReaderInput<'_>, index: usize) -> History {
    let Some(c) = input.content.commitments.get(index) else {
        return History {
            svg: String::new(),
            events: Vec::new(),
        };
    };
    let events = history_events(c, input.today);
    let chart_events: Vec<TimelineEvent> = events
        .iter()
        .map(|(event, short)| TimelineEvent {
            date: event.date.to_string(),
            label: short.clone(),
            kind: event_kind(event.kind),
        })
        .collect();
    let description = events
        .iter()
        .map(|(e, _)| format!("{}: {}", e.date.long(), e.text))
        .collect::<Vec<_>>()
        .join(" ");
    let svg = charts::commitment_timeline(
        &ChartText {
            id: format!("history-{}", c.meta.slug),
            title: format!("History of “{}”", c.meta.title),
            description,
        },
        &chart_events,
        c.derived.state,
    );
    History {
        svg,
        events: events.into_iter().map(|(e, _)| e).collect(),
    }
}

/// Every team's happiness index by month as small multiples: one small
/// chart per team, all on the same months (up to today's) and the same 0 to
/// 100 scale, so that they compare at a glance however many teams there
/// are. Teams whose `happiness` hook gave no value are left out.
pub fn happiness_overview(input: &ReaderInput<'_>) -> HappinessOverview {
    let mut by_team: Vec<(TeamLink, BTreeMap<String, f64>)> = Vec::new();
    let mut all_months: BTreeSet<YearMonth> = BTreeSet::new();
    for (i, team) in input.content.teams.iter().enumerate() {
        let values: BTreeMap<String, f64> = input
            .scores
            .happiness(&team.meta.slug)
            .iter()
            .filter_map(|p| Some((p.figures.month.clone(), p.value?)))
            .collect();
        if values.is_empty() {
            continue;
        }
        all_months.extend(values.keys().filter_map(|m| YearMonth::parse(m)));
        by_team.push((team_link_at(input, i), values));
    }
    // From the first month with a value to today's: never a future month.
    let this_month = input.today.year_month();
    let months: Vec<String> = match all_months.first() {
        Some(first) if *first <= this_month => first.through(this_month).iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    };
    let series: Vec<Series> = by_team
        .iter()
        .map(|(team, values)| Series {
            label: team.title.clone(),
            color: team.color.clone(),
            values: months.iter().map(|m| values.get(m).copied()).collect(),
        })
        .collect();
    let panels = by_team
        .iter()
        .zip(&series)
        .map(|((team, _), series)| {
            let svg = charts::small_multiple(
                &ChartText {
                    id: format!("happiness-{}", team.slug),
                    title: format!("{} happiness index", team.title),
                    description: happiness_description(&team.title, &months, &series.values),
                },
                HAPPINESS_AXIS,
                &months,
                series,
            );
            let latest = months
                .iter()
                .zip(&series.values)
                .rev()
                .find_map(|(m, v)| Some((m.clone(), (*v)?)));
            HappinessPanel {
                team: team.clone(),
                svg,
                latest,
            }
        })
        .collect();
    let rows = months
        .iter()
        .enumerate()
        .map(|(m, month)| HappinessRow {
            month: month.clone(),
            values: series.iter().map(|s| s.values.get(m).copied().flatten()).collect(),
        })
        .collect();
    HappinessOverview {
        panels,
        teams: by_team.into_iter().map(|(team, _)| team).collect(),
        rows,
    }
}

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
pub fn trust_matrix(input: &ReaderInput<'_>) -> TrustMatrix {
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
            let came_due = on_time + late + missed + overdue;
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
                commitments,
            }
        })
        .collect();
    let pair_of: BTreeMap<(&str, &str), &TrustPair> = pairs
        .iter()
        .map(|p| ((p.owner.slug.as_str(), p.recipient.slug.as_str()), p))
        .collect();
    let href = |id: &str| format!("{}happiness/#{id}", input.base_path);
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
    let svg = charts::heat_map(
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
    );
    TrustMatrix {
        svg,
        teams,
        rows,
        pairs,
    }
}

/// Terms with no owner, and terms fewer than two teams gave their reading
/// of, each with what it still needs.
pub fn vocabulary_gaps(input: &ReaderInput<'_>) -> VocabularyGaps {
    let content = input.content;
    let mut unowned = Vec::new();
    let mut few_readings = Vec::new();
    for term in &content.terms {
        let owner = term.owner.as_ref().map(|o| team_link(input, &o.slug));
        let readers: Vec<TeamLink> = term
            .definitions
            .iter()
            .map(|r| team_link(input, &r.team.slug))
            .collect();
        let mut missing = Vec::new();
        if owner.is_none() {
            missing.push("No team owns it: give it an owner.".to_string());
        }
        match readers.as_slice() {
            [] => missing.push("No team has written how it reads it.".to_string()),
            [only] => missing.push(format!(
                "Only {} has written how it reads it: ask the other teams that use it for theirs.",
                only.title
            )),
            _ => {}
        }
        if let Some(owner) = &owner
            && !readers.is_empty()
            && !readers.iter().any(|r| r.slug == owner.slug)
        {
            missing.push(format!("{}, its owner, has not written its own reading.", owner.title));
        }
        if missing.is_empty() {
            continue;
        }
        let gap = TermGap {
            title: term.meta.title.clone(),
            url: format!("{}{}", input.base_path, term.meta.url_path),
            acronym: term.acronym.clone(),
            owner,
            readers,
            missing,
        };
        if gap.readers.len() < 2 {
            few_readings.push(gap.clone());
        }
        if gap.owner.is_none() {
            unowned.push(gap);
        }
    }
    VocabularyGaps {
        unowned,
        few_readings,
        term_count: content.terms.len(),
    }
}

/// Stories grouped by the year of their date, newest first.
pub fn story_years(input: &ReaderInput<'_>) -> Vec<StoryYear> {
    let mut years: Vec<StoryYear> = Vec::new();
    for (i, story) in input.content.stories.iter().enumerate() {
        let year = story.date.year();
        match years.last_mut() {
            Some(last) if last.year == year => last.stories.push(i),
            _ => years.push(StoryYear { year, stories: vec![i] }),
        }
    }
    years
}

/// The teams that stories credit, in title order, with how many each.
pub fn story_teams(input: &ReaderInput<'_>) -> Vec<StoryTeam> {
    let content = input.content;
    content
        .teams
        .iter()
        .enumerate()
        .filter_map(|(i, team)| {
            let count = content
                .stories
                .iter()
                .filter(|s| s.teams.iter().any(|t| t.slug == team.meta.slug))
                .count();
            (count > 0).then(|| StoryTeam {
                team: team_link_at(input, i),
                count,
            })
        })
        .collect()
}

/// `charts` and `vocabulary` of a team page.
pub fn team_value(input: &ReaderInput<'_>, index: usize) -> (Value, Value) {
    let charts = team_charts(input, index);
    let charts = context! {
        happiness => charts.happiness.map(Value::from_safe_string),
        promises => charts.promises.map(Value::from_safe_string),
        months => to_value(&charts.months),
    };
    (charts, to_value(team_vocabulary(input, index)))
}

/// `timeline` of the commitments page.
pub fn timeline_value(input: &ReaderInput<'_>) -> Value {
    let timeline = promises_timeline(input);
    context! {
        chart => Value::from_safe_string(timeline.svg),
        months => to_value(&timeline.months),
        totals => to_value(&timeline.totals),
    }
}

/// `history` of a commitment page.
pub fn history_value(input: &ReaderInput<'_>, index: usize) -> Value {
    let history = commitment_history(input, index);
    context! {
        chart => Value::from_safe_string(history.svg),
        events => to_value(&history.events),
    }
}

/// `happiness` and `trust` of the happiness page.
pub fn happiness_value(input: &ReaderInput<'_>) -> (Value, Value) {
    let overview = happiness_overview(input);
    let panels: Vec<Value> = overview
        .panels
        .into_iter()
        .map(|p| {
            context! {
                team => to_value(&p.team),
                chart => Value::from_safe_string(p.svg),
                latest => p.latest.as_ref().map(|(_, v)| *v),
                latest_month => p.latest.map(|(m, _)| m),
            }
        })
        .collect();
    let happiness = context! {
        panels,
        teams => to_value(&overview.teams),
        rows => to_value(&overview.rows),
    };
    let trust = trust_matrix(input);
    let cards = &input.views.cards.values.commitments;
    let pairs: Vec<Value> = trust
        .pairs
        .iter()
        .map(|pair| {
            let commitments: Vec<Value> = pair.commitments.iter().filter_map(|i| cards.get(*i).cloned()).collect();
            context! { commitments, ..to_value(pair) }
        })
        .collect();
    let trust = context! {
        chart => Value::from_safe_string(trust.svg),
        teams => to_value(&trust.teams),
        rows => to_value(&trust.rows),
        pairs,
    };
    (happiness, trust)
}

/// `gaps` of the vocabulary gaps page.
pub fn gaps_value(input: &ReaderInput<'_>) -> Value {
    to_value(vocabulary_gaps(input))
}

/// `years` (stories by year, as cards) and `filter` (the teams to filter
/// by) of the stories page.
pub fn stories_value(input: &ReaderInput<'_>) -> (Value, Value) {
    let cards = &input.views.cards.values.stories;
    let years: Vec<Value> = story_years(input)
        .into_iter()
        .map(|y| {
            let stories: Vec<Value> = y.stories.iter().filter_map(|i| cards.get(*i).cloned()).collect();
            context! { year => y.year, stories }
        })
        .collect();
    (Value::from(years), to_value(story_teams(input)))
}

/// `from-<owner>-to-<recipient>`, the anchor of a pair's commitments.
pub fn pair_id(owner: &str, recipient: &str) -> String {
    format!("from-{owner}-to-{recipient}")
}

/// The link of team `slug`: its card's name, colour and URL.
fn team_link(input: &ReaderInput<'_>, slug: &str) -> TeamLink {
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
fn team_link_at(input: &ReaderInput<'_>, i: usize) -> TeamLink {
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

fn link_of_card(card: &TeamCard) -> TeamLink {
    TeamLink {
        slug: card.slug.clone(),
        title: card.title.clone(),
        short: card.short.clone(),
        url: card.url.clone(),
        color: card.color.clone(),
        ink: card.ink.clone(),
    }
}

/// The sum of the months, except `overdue`, which is a count at each
/// month's end: its total is the latest month's (today's) count. The mean
/// rating is that of every rated delivery up to today.
fn totals<'a>(months: &[MonthFigures], commitments: impl Iterator<Item = &'a Commitment>, today: Date) -> MonthFigures {
    let mut sum = MonthFigures::default();
    for m in months {
        sum.add_counts(m);
    }
    sum.overdue = months.last().map_or(0, |m| m.overdue);
    let ratings: Vec<u8> = commitments
        .filter(|c| c.derived.state.is_delivered() && c.delivered.is_some_and(|d| d <= today))
        .filter_map(|c| c.satisfaction)
        .collect();
    if !ratings.is_empty() {
        let total: u32 = ratings.iter().map(|r| u32::from(*r)).sum();
        sum.satisfaction = Some(f64::from(total) / ratings.len() as f64);
    }
    sum
}

/// Two readings are the same when they differ only in case and spacing.
fn same_reading(a: &str, b: &str) -> bool {
    let words = |s: &str| s.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>();
    words(a) == words(b)
}

/// The events of a commitment's history, each with its short chart label.
fn history_events(c: &Commitment, today: Date) -> Vec<(HistoryEvent, String)> {
    let event = |date: Date, kind: &'static str, text: String| HistoryEvent { date, kind, text };
    let mut events = vec![
        (
            event(c.promised, "promised", format!("Promised for {}.", c.due.long())),
            "Promised".to_string(),
        ),
        (
            event(c.due, "due", "Originally due.".to_string()),
            if c.revisions.is_empty() { "Due" } else { "First due" }.to_string(),
        ),
    ];
    for r in &c.revisions {
        let when = r.date.map(|d| format!(" on {}", d.long())).unwrap_or_default();
        let reason = r.reason.trim();
        let text = if reason.is_empty() {
            format!("New due date, set{when}, with no reason given.")
        } else {
            format!("New due date, set{when}: {reason}")
        };
        let short = if reason.is_empty() {
            "New due".to_string()
        } else {
            format!("New due: {reason}")
        };
        events.push((event(r.new_due, "rescheduled", text), short));
    }
    let state = c.derived.state;
    match (state, c.delivered, c.closed) {
        (State::OnTime | State::Late, Some(delivered), _) => {
            let days = c.derived.days_late;
            let text = if state == State::OnTime {
                "Delivered on time.".to_string()
            } else {
                format!(
                    "Delivered, {days} {} after the original due date.",
                    if days == 1 { "day" } else { "days" }
                )
            };
            let short = if state == State::OnTime {
                "Delivered"
            } else {
                "Delivered late"
            };
            events.push((event(delivered, "delivered", text), short.to_string()));
        }
        (State::Missed | State::Dropped, _, Some(closed)) => {
            let (kind, verb, short) = if state == State::Missed {
                ("missed", "Declared missed", "Missed")
            } else {
                ("dropped", "Dropped", "Dropped")
            };
            let when = against_due(c.derived.days_late);
            let reason = c.reason.as_deref().unwrap_or("").trim();
            let (text, short) = if reason.is_empty() {
                (format!("{verb}, {when}, with no reason given."), short.to_string())
            } else {
                (format!("{verb}, {when}: {reason}"), format!("{short}: {reason}"))
            };
            events.push((event(closed, kind, text), short));
        }
        _ => {}
    }
    if state.is_pending() && today >= c.promised {
        let text = if state == State::Overdue {
            let days = c.derived.effective_due.days_until(today);
            format!(
                "Today, {days} {} past the due date and not delivered yet.",
                if days == 1 { "day" } else { "days" }
            )
        } else {
            "Today; not delivered yet.".to_string()
        };
        events.push((event(today, "today", text), "Today".to_string()));
    }
    // Stable: events on one day keep their order (promised before due).
    events.sort_by_key(|(e, _)| e.date);
    events
}

fn event_kind(kind: &str) -> EventKind {
    match kind {
        "promised" => EventKind::Promised,
        "due" => EventKind::Due,
        "rescheduled" => EventKind::Rescheduled,
        "delivered" => EventKind::Delivered,
        "missed" => EventKind::Missed,
        "dropped" => EventKind::Dropped,
        _ => EventKind::Today,
    }
}

fn month_label(month: &str) -> String {
    YearMonth::parse(month).map_or_else(|| month.to_string(), YearMonth::short_label)
}

/// "Happiness index of Sales by month, 0 to 100, from Jan 2026 to Apr 2026:
/// lowest 0 (Mar 2026), highest 100 (Feb 2026), latest 0 (Apr 2026)."
fn happiness_description(team: &str, months: &[String], values: &[Option<f64>]) -> String {
    let known: Vec<(&String, f64)> = months
        .iter()
        .zip(values)
        .filter_map(|(m, v)| Some((m, (*v)?)))
        .collect();
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return format!("{team} has no happiness index yet.");
    };
    let mut text = format!(
        "Happiness index of {team} by month, 0 to 100, from {} to {}",
        month_label(first),
        month_label(last)
    );
    let lowest = known.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    let highest = known.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    if let (Some(low), Some(high), Some(latest)) = (lowest, highest, known.last()) {
        text.push_str(&format!(
            ": lowest {} ({}), highest {} ({}), latest {} ({}).",
            low.1.round(),
            month_label(low.0),
            high.1.round(),
            month_label(high.0),
            latest.1.round(),
            month_label(latest.0)
        ));
    } else {
        text.push('.');
    }
    text
}

/// "Promises made, originally due, rescheduled, and delivered on time, late,
/// missed or dropped, each month from Jan 2026 to Jul 2026, with those
/// overdue at each month's end. In all: 9 made, …; 1 overdue at the end of
/// Jul 2026."
fn bars_description(what: &str, months: &[MonthFigures]) -> String {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return format!("{what}: none yet.");
    };
    let sum = |f: fn(&MonthFigures) -> u32| months.iter().map(f).sum::<u32>();
    format!(
        "{what}, originally due, rescheduled, and delivered on time, late, missed or dropped, each month from {} to \
         {}, with the promises overdue at each month's end. In all: {} made, {} due, {} rescheduled, {} delivered on \
         time, {} late, {} missed, {} dropped; {} overdue at the end of {}.",
        month_label(&first.month),
        month_label(&last.month),
        sum(|m| m.made),
        sum(|m| m.due),
        sum(|m| m.rescheduled),
        sum(|m| m.on_time),
        sum(|m| m.late),
        sum(|m| m.missed),
        sum(|m| m.dropped),
        last.overdue,
        month_label(&last.month),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Meta, Ref, Revision};

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn commitment(
        due: &str,
        delivered: Option<&str>,
        closed: Option<&str>,
        revisions: Vec<Revision>,
        state: State,
    ) -> Commitment {
        let revisions_due = revisions.last().map(|r| r.new_due);
        Commitment {
            meta: Meta {
                kind: Kind::Commitment,
                slug: "c".into(),
                title: "C".into(),
                path: "content/commitments/c.md".into(),
                url_path: "commitments/c/".into(),
                draft: false,
                tags: Vec::new(),
                date: None,
                updated: None,
                extra: serde_json::Map::new(),
                source: std::sync::Arc::from(""),
                body_offset: 0,
            },
            owner: Ref {
                slug: "sales".into(),
                pos: Default::default(),
            },
            to: Vec::new(),
            to_external: Vec::new(),
            promised: d("2026-01-10"),
            due: d(due),
            delivered: delivered.map(d),
            closed: closed.map(d),
            reason: None,
            status: None,
            revisions,
            satisfaction: None,
            derived: crate::model::Derived {
                effective_due: revisions_due.unwrap_or(d(due)),
                slips: 0,
                ended: delivered.or(closed).map(d),
                days_late: 0,
                state,
            },
            quiet_changes: Vec::new(),
        }
    }

    #[test]
    fn history_lists_each_event_by_date() {
        let revision = Revision {
            date: Some(d("2026-02-20")),
            new_due: d("2026-04-15"),
            reason: "Legal review ran long.".into(),
        };
        let mut c = commitment("2026-03-01", Some("2026-04-10"), None, vec![revision], State::Late);
        c.derived.days_late = 40;
        let events = history_events(&c, d("2026-06-15"));
        let kinds: Vec<(&str, String)> = events.iter().map(|(e, _)| (e.kind, e.date.to_string())).collect();
        assert_eq!(
            kinds,
            [
                ("promised", "2026-01-10".to_string()),
                ("due", "2026-03-01".to_string()),
                ("delivered", "2026-04-10".to_string()),
                ("rescheduled", "2026-04-15".to_string()),
            ]
        );
        assert_eq!(events[1].1, "First due");
        assert_eq!(events[2].0.text, "Delivered, 40 days after the original due date.");
        assert_eq!(events[3].1, "New due: Legal review ran long.");
    }

    #[test]
    fn open_history_ends_today() {
        let open = commitment("2026-03-01", None, None, Vec::new(), State::Overdue);
        let events = history_events(&open, d("2026-03-11"));
        let last = &events.last().unwrap().0;
        assert_eq!((last.kind, last.date), ("today", d("2026-03-11")));
        assert_eq!(last.text, "Today, 10 days past the due date and not delivered yet.");
    }

    #[test]
    fn missed_and_dropped_end_on_their_closed_date_with_their_reason() {
        let mut missed = commitment("2026-09-01", None, Some("2026-06-01"), Vec::new(), State::Missed);
        missed.derived.days_late = -92;
        missed.reason = Some("The event was cancelled.".into());
        let events = history_events(&missed, d("2026-11-15"));
        let kinds: Vec<(&str, Date)> = events.iter().map(|(e, _)| (e.kind, e.date)).collect();
        assert_eq!(
            kinds,
            [
                ("promised", d("2026-01-10")),
                ("missed", d("2026-06-01")),
                ("due", d("2026-09-01"))
            ]
        );
        assert_eq!(
            events[1].0.text,
            "Declared missed, 92 days before the original date: The event was cancelled."
        );
        assert_eq!(events[1].1, "Missed: The event was cancelled.");
        assert!(events.iter().all(|(e, _)| e.kind != "today"));

        let mut dropped = commitment("2026-01-15", None, Some("2026-01-14"), Vec::new(), State::Dropped);
        dropped.derived.days_late = -1;
        let events = history_events(&dropped, d("2026-11-29"));
        let dropped = events.iter().find(|(e, _)| e.kind == "dropped").unwrap();
        assert_eq!(dropped.0.date, d("2026-01-14"));
        assert_eq!(
            dropped.0.text,
            "Dropped, 1 day before the original date, with no reason given."
        );
    }

    #[test]
    fn readings_that_differ_only_in_case_and_spacing_are_the_same() {
        assert!(same_reading("A  lead we  called.", "a lead we called."));
        assert!(!same_reading("A lead we called.", "A lead we emailed."));
    }

    #[test]
    fn descriptions_sum_the_months() {
        let months = [
            MonthFigures {
                month: "2026-01".into(),
                made: 2,
                ..MonthFigures::default()
            },
            MonthFigures {
                month: "2026-02".into(),
                made: 1,
                due: 2,
                on_time: 1,
                late: 1,
                ..MonthFigures::default()
            },
        ];
        assert_eq!(
            bars_description("Promises made", &months),
            "Promises made, originally due, rescheduled, and delivered on time, late, missed or dropped, each month \
             from Jan 2026 to Feb 2026, with the promises overdue at each month's end. In all: 3 made, 2 due, 0 \
             rescheduled, 1 delivered on time, 1 late, 0 missed, 0 dropped; 0 overdue at the end of Feb 2026."
        );
        let text = happiness_description(
            "Sales",
            &["2026-01".into(), "2026-02".into(), "2026-03".into()],
            &[Some(50.0), None, Some(72.4)],
        );
        assert_eq!(
            text,
            "Happiness index of Sales by month, 0 to 100, from Jan 2026 to Mar 2026: lowest 50 (Jan 2026), \
             highest 72 (Mar 2026), latest 72 (Mar 2026)."
        );
    }
}
