//! Commitments over time: the derived fields (`effective_due`, `slips`,
//! `days_late`, `state`) and the monthly figures that the timeline and the
//! happiness index are built from.
//!
//! The rules are exactly those of the content format, so that every number on
//! the site can be recomputed by hand. They are pure functions of a
//! commitment and "today".

use std::collections::BTreeMap;

use serde::Serialize;

use crate::date::{Date, YearMonth};

/// The `status` an author writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Open,
    AtRisk,
    Delivered,
    Missed,
    Dropped,
}

impl Status {
    pub const NAMES: [&'static str; 5] = ["open", "at-risk", "delivered", "missed", "dropped"];

    pub fn parse(text: &str) -> Option<Status> {
        match text.trim().to_lowercase().as_str() {
            "open" => Some(Status::Open),
            "at-risk" => Some(Status::AtRisk),
            "delivered" => Some(Status::Delivered),
            "missed" => Some(Status::Missed),
            "dropped" => Some(Status::Dropped),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::AtRisk => "at-risk",
            Status::Delivered => "delivered",
            Status::Missed => "missed",
            Status::Dropped => "dropped",
        }
    }
}

/// Where a commitment stands, derived from its fields and today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Overdue,
    AtRisk,
    Open,
    OnTime,
    Late,
    Missed,
    Dropped,
}

impl State {
    /// Board order: what needs attention first.
    pub const ALL: [State; 7] = [
        State::Overdue,
        State::AtRisk,
        State::Open,
        State::Late,
        State::OnTime,
        State::Missed,
        State::Dropped,
    ];

    pub fn name(self) -> &'static str {
        match self {
            State::Overdue => "overdue",
            State::AtRisk => "at-risk",
            State::Open => "open",
            State::OnTime => "on-time",
            State::Late => "late",
            State::Missed => "missed",
            State::Dropped => "dropped",
        }
    }

    /// A heading for people.
    pub fn label(self) -> &'static str {
        match self {
            State::Overdue => "Overdue",
            State::AtRisk => "At risk",
            State::Open => "Open",
            State::OnTime => "Delivered on time",
            State::Late => "Delivered late",
            State::Missed => "Missed",
            State::Dropped => "Dropped",
        }
    }

    pub fn is_delivered(self) -> bool {
        matches!(self, State::OnTime | State::Late)
    }

    /// Still to be delivered.
    pub fn is_pending(self) -> bool {
        matches!(self, State::Overdue | State::AtRisk | State::Open)
    }
}

/// One rescheduling of a commitment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    pub date: Option<Date>,
    pub new_due: Date,
    pub reason: String,
}

/// The fields a commitment's state is computed from.
#[derive(Debug, Clone, Copy)]
pub struct Dates<'a> {
    pub due: Date,
    pub delivered: Option<Date>,
    pub status: Option<Status>,
    pub revisions: &'a [Revision],
}

/// The derived fields of a commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Derived {
    pub effective_due: Date,
    pub slips: usize,
    pub days_late: i64,
    pub state: State,
}

/// Applies the content format's rules, first match wins.
pub fn derive(dates: Dates<'_>, today: Date) -> Derived {
    let effective_due = dates.revisions.last().map_or(dates.due, |r| r.new_due);
    let reference = dates.delivered.unwrap_or(today);
    let days_late = dates.due.days_until(reference);
    let state = match (dates.status, dates.delivered) {
        (Some(Status::Dropped), _) => State::Dropped,
        (Some(Status::Missed), _) => State::Missed,
        (_, Some(delivered)) if delivered <= dates.due => State::OnTime,
        (_, Some(_)) => State::Late,
        _ if today > effective_due => State::Overdue,
        (Some(Status::AtRisk), _) => State::AtRisk,
        _ => State::Open,
    };
    Derived {
        effective_due,
        slips: dates.revisions.len(),
        days_late,
        state,
    }
}

/// One calendar month of promises and deliveries.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MonthFigures {
    pub month: String,
    pub made: u32,
    pub due: u32,
    pub on_time: u32,
    pub late: u32,
    pub missed: u32,
    pub dropped: u32,
    /// Mean rating of the promises delivered this month, if any was rated.
    pub satisfaction: Option<f64>,
}

/// What the monthly figures need to know about one commitment.
#[derive(Debug, Clone, Copy)]
pub struct MonthInput {
    pub promised: Date,
    pub effective_due: Date,
    pub delivered: Option<Date>,
    pub state: State,
    pub satisfaction: Option<u8>,
}

/// Monthly figures over every month from the first to the last date any
/// input touches, with empty months included so that charts have no gaps.
pub fn monthly(inputs: impl IntoIterator<Item = MonthInput>) -> Vec<MonthFigures> {
    #[derive(Default)]
    struct Acc {
        figures: MonthFigures,
        ratings: Vec<u8>,
    }
    let mut months: BTreeMap<YearMonth, Acc> = BTreeMap::new();
    for c in inputs {
        months.entry(c.promised.year_month()).or_default().figures.made += 1;
        let due = months.entry(c.effective_due.year_month()).or_default();
        due.figures.due += 1;
        match c.state {
            State::Missed => due.figures.missed += 1,
            State::Dropped => due.figures.dropped += 1,
            _ => {}
        }
        if let (Some(delivered), true) = (c.delivered, c.state.is_delivered()) {
            let acc = months.entry(delivered.year_month()).or_default();
            if c.state == State::OnTime {
                acc.figures.on_time += 1;
            } else {
                acc.figures.late += 1;
            }
            if let Some(rating) = c.satisfaction {
                acc.ratings.push(rating);
            }
        }
    }
    let (Some(first), Some(last)) = (months.keys().next().copied(), months.keys().next_back().copied()) else {
        return Vec::new();
    };
    first
        .through(last)
        .into_iter()
        .map(|month| {
            let acc = months.remove(&month).unwrap_or_default();
            let mut figures = acc.figures;
            figures.month = month.to_string();
            if !acc.ratings.is_empty() {
                let sum: u32 = acc.ratings.iter().map(|r| u32::from(*r)).sum();
                figures.satisfaction = Some(f64::from(sum) / acc.ratings.len() as f64);
            }
            figures
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn revision(new_due: &str) -> Revision {
        Revision {
            date: None,
            new_due: d(new_due),
            reason: "legal review".into(),
        }
    }

    #[test]
    fn state_rules_in_order() {
        let today = d("2026-06-15");
        let revised = [revision("2026-07-01")];
        type Case<'a> = (&'a str, Option<&'a str>, Option<Status>, &'a [Revision], State, i64);
        let cases: [Case; 9] = [
            ("2026-06-01", Some("2026-05-30"), None, &[], State::OnTime, -2),
            (
                "2026-06-01",
                Some("2026-06-01"),
                Some(Status::Delivered),
                &[],
                State::OnTime,
                0,
            ),
            // A rescheduling does not reset lateness.
            ("2026-06-01", Some("2026-06-20"), None, &revised, State::Late, 19),
            ("2026-06-01", None, None, &[], State::Overdue, 14),
            ("2026-06-01", None, Some(Status::AtRisk), &revised, State::AtRisk, 14),
            ("2026-06-01", None, Some(Status::AtRisk), &[], State::Overdue, 14),
            ("2026-07-01", None, None, &[], State::Open, -16),
            ("2026-06-01", None, Some(Status::Missed), &[], State::Missed, 14),
            (
                "2026-06-01",
                Some("2026-05-01"),
                Some(Status::Dropped),
                &[],
                State::Dropped,
                -31,
            ),
        ];
        for (due, delivered, status, revisions, state, days_late) in cases {
            let got = derive(
                Dates {
                    due: d(due),
                    delivered: delivered.map(d),
                    status,
                    revisions,
                },
                today,
            );
            assert_eq!(
                (got.state, got.days_late),
                (state, days_late),
                "{due} {delivered:?} {status:?}"
            );
            assert_eq!(got.slips, revisions.len());
        }
    }

    #[test]
    fn monthly_figures_follow_the_spec() {
        let inputs = [
            MonthInput {
                promised: d("2026-01-10"),
                effective_due: d("2026-03-01"),
                delivered: Some(d("2026-02-20")),
                state: State::OnTime,
                satisfaction: Some(4),
            },
            MonthInput {
                promised: d("2026-01-20"),
                effective_due: d("2026-02-01"),
                delivered: Some(d("2026-02-25")),
                state: State::Late,
                satisfaction: Some(2),
            },
            MonthInput {
                promised: d("2026-02-01"),
                effective_due: d("2026-03-15"),
                delivered: None,
                state: State::Missed,
                satisfaction: None,
            },
        ];
        let months = monthly(inputs);
        let names: Vec<_> = months.iter().map(|m| m.month.as_str()).collect();
        assert_eq!(names, ["2026-01", "2026-02", "2026-03"]);
        assert_eq!((months[0].made, months[0].due), (2, 0));
        assert_eq!(
            (months[1].made, months[1].due, months[1].on_time, months[1].late),
            (1, 1, 1, 1)
        );
        assert_eq!(months[1].satisfaction, Some(3.0));
        assert_eq!((months[2].due, months[2].missed), (2, 1));
        assert_eq!(months[2].satisfaction, None);
    }
}
