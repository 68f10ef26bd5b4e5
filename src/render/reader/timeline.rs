//! The promises-vs-deliveries timeline: the monthly figures over every
//! commitment, as bars with a table and totals.

use minijinja::{Value, context};
use serde::Serialize;

use crate::date::Date;
use crate::model::commitment::{MonthInput, monthly};
use crate::model::{Commitment, MonthFigures};
use crate::render::charts::{self, ChartText};
use crate::render::reader::{ReaderInput, month_label};
use crate::render::view::to_value;

/// Promises and deliveries per month, with the totals.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MonthlyChart {
    pub svg: String,
    pub months: Vec<MonthFigures>,
    /// The sum of every month (`month` is empty, `satisfaction` is the mean
    /// rating of every rated delivery).
    pub totals: MonthFigures,
}

/// Promises made, due and resolved per month over every commitment: the
/// site-wide promises-vs-deliveries timeline.
pub(crate) fn promises_timeline(input: &ReaderInput<'_>) -> MonthlyChart {
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

/// `timeline` of the commitments page.
pub(crate) fn timeline_value(input: &ReaderInput<'_>) -> Value {
    let timeline = promises_timeline(input);
    context! {
        chart => Value::from_safe_string(timeline.svg),
        months => to_value(&timeline.months),
        totals => to_value(&timeline.totals),
    }
}

/// The sum of the months, except `overdue`, which is a count at each
/// month's end: its total is the latest month's (today's) count. The mean
/// rating is that of every rated delivery up to today.
pub(super) fn totals<'a>(
    months: &[MonthFigures],
    commitments: impl Iterator<Item = &'a Commitment>,
    today: Date,
) -> MonthFigures {
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

/// "Promises made, originally due, rescheduled, and delivered on time, late,
/// missed or dropped, each month from Jan 2026 to Jul 2026, with those
/// overdue at each month's end. In all: 9 made, …; 1 overdue at the end of
/// Jul 2026."
pub(super) fn bars_description(what: &str, months: &[MonthFigures]) -> String {
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
    }
}
