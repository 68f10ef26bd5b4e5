//! Every team's happiness index as small multiples: one small chart per
//! team on shared months and a shared 0 to 100 scale, with the table of
//! every value.

use std::collections::{BTreeMap, BTreeSet};

use minijinja::{Value, context};
use serde::Serialize;

use crate::date::YearMonth;
use crate::render::charts::{self, ChartText, Series};
use crate::render::reader::trust::trust_matrix;
use crate::render::reader::{ReaderInput, month_label, team_link_at};
use crate::render::view::{TeamLink, to_value};

/// The title of every happiness chart's y axis.
pub(crate) const HAPPINESS_AXIS: &str = "Index, 0 to 100";

/// Every team's happiness index, one small chart per team.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HappinessOverview {
    /// One chart per team of `teams`, on shared months and scale.
    pub panels: Vec<HappinessPanel>,
    /// The teams with at least one value, in title order.
    pub teams: Vec<TeamLink>,
    /// One row per month, one value per team of `teams`.
    pub rows: Vec<HappinessRow>,
}

/// One team's small chart of [`HappinessOverview`].
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HappinessPanel {
    pub team: TeamLink,
    pub svg: String,
    /// The latest month with a value (`YYYY-MM`) and that value.
    pub latest: Option<(String, f64)>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct HappinessRow {
    /// `YYYY-MM`.
    pub month: String,
    pub values: Vec<Option<f64>>,
}

/// Every team's happiness index by month as small multiples: one small
/// chart per team, all on the same months (up to today's) and the same 0 to
/// 100 scale, so that they compare at a glance however many teams there
/// are. Teams whose `happiness` hook gave no value are left out.
pub(crate) fn happiness_overview(input: &ReaderInput<'_>) -> HappinessOverview {
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

/// `happiness` and `trust` of the happiness page.
pub(crate) fn happiness_value(input: &ReaderInput<'_>) -> (Value, Value) {
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
    let trust = context! {
        chart => trust.svg.map(Value::from_safe_string),
        teams => to_value(&trust.teams),
        rows => to_value(&trust.rows),
    };
    (happiness, trust)
}

/// "Happiness index of Sales by month, 0 to 100, from Jan 2026 to Apr 2026:
/// lowest 0 (Mar 2026), highest 100 (Feb 2026), latest 0 (Apr 2026)."
pub(super) fn happiness_description(team: &str, months: &[String], values: &[Option<f64>]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_name_the_lowest_highest_and_latest_values() {
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
