//! A team's page: its happiness index and monthly promises as charts, and
//! its vocabulary (the terms it owns and those it reads its own way).

use minijinja::{Value, context};
use serde::Serialize;

use crate::model::MonthFigures;
use crate::render::charts::{self, ChartText, Series};
use crate::render::reader::happiness::{HAPPINESS_AXIS, happiness_description};
use crate::render::reader::timeline::bars_description;
use crate::render::reader::vocabulary::{UnreadUse, team_unread};
use crate::render::reader::{ReaderInput, team_link, team_link_at};
use crate::render::view::{TeamLink, to_value};
use crate::score::HappinessPoint;

/// A team's charts: its happiness index and its promises and deliveries,
/// month by month, over the commitments it made.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TeamCharts {
    /// The happiness line in the team's colour; `None` when the `happiness`
    /// hook gave no value (no hook, or no month).
    pub happiness: Option<String>,
    /// Monthly bars of the team's own promises; `None` when it made none.
    pub promises: Option<String>,
    /// The months both charts draw, with the hook's value and the figures.
    pub months: Vec<HappinessPoint>,
}

/// How many of its words without a reading a team page shows.
pub(crate) const UNREAD_SHOWN: usize = 10;

/// A team's vocabulary: the terms it owns and the terms it reads its own way.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TeamVocabulary {
    pub owns: Vec<OwnedTerm>,
    /// Terms the team gave a reading of that is not the owner's: another
    /// team owns the term (or none does) and the team's reading differs from
    /// the owner's reading.
    pub reads: Vec<OwnReading>,
    /// The first terms the team uses without having written its reading,
    /// most used first: "words you use but have not defined".
    pub unread: Vec<UnreadUse>,
    /// How many such terms there are in all.
    pub unread_total: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct OwnedTerm {
    pub title: String,
    pub url: String,
    pub acronym: Option<String>,
    /// How many teams gave their reading.
    pub readings: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct OwnReading {
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

/// The happiness index and monthly promises of team `index` (a position in
/// `content.teams`).
pub(crate) fn team_charts(input: &ReaderInput<'_>, index: usize) -> TeamCharts {
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
pub(crate) fn team_vocabulary(input: &ReaderInput<'_>, index: usize) -> TeamVocabulary {
    let content = input.content;
    let Some(team) = content.teams.get(index) else {
        return TeamVocabulary {
            owns: Vec::new(),
            reads: Vec::new(),
            unread: Vec::new(),
            unread_total: 0,
        };
    };
    let slug = team.meta.slug.as_str();
    let url = |path: &str| format!("{}{path}", input.base_path);
    let owns = content.relations.owns[index]
        .iter()
        .map(|t| &content.terms[*t])
        .map(|t| OwnedTerm {
            title: t.meta.title.clone(),
            url: url(&t.meta.url_path),
            acronym: t.acronym.clone(),
            readings: t.definitions.len(),
        })
        .collect();
    let reads = content.relations.reads[index]
        .iter()
        .map(|t| &content.terms[*t])
        .filter_map(|t| {
            let owner = t.owner.as_ref().map(|o| o.slug.as_str());
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
    let (unread, unread_total) = team_unread(input, index, 0, UNREAD_SHOWN);
    TeamVocabulary {
        owns,
        reads,
        unread,
        unread_total,
    }
}

/// `charts` and `vocabulary` of a team page.
pub(crate) fn team_value(input: &ReaderInput<'_>, index: usize) -> (Value, Value) {
    let charts = team_charts(input, index);
    let charts = context! {
        happiness => charts.happiness.map(Value::from_safe_string),
        promises => charts.promises.map(Value::from_safe_string),
        months => to_value(&charts.months),
    };
    (charts, to_value(team_vocabulary(input, index)))
}

/// Two readings are the same when they differ only in case and spacing.
pub(super) fn same_reading(a: &str, b: &str) -> bool {
    let words = |s: &str| s.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>();
    words(a) == words(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_that_differ_only_in_case_and_spacing_are_the_same() {
        assert!(same_reading("A  lead we  called.", "a lead we called."));
        assert!(!same_reading("A lead we called.", "A lead we emailed."));
    }
}
