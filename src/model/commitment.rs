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
    pub(crate) const NAMES: [&'static str; 5] = ["open", "at-risk", "delivered", "missed", "dropped"];

    pub(crate) fn parse(text: &str) -> Option<Status> {
        match text.trim().to_lowercase().as_str() {
            "open" => Some(Status::Open),
            "at-risk" => Some(Status::AtRisk),
            "delivered" => Some(Status::Delivered),
            "missed" => Some(Status::Missed),
            "dropped" => Some(Status::Dropped),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
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
    pub(crate) const ALL: [State; 7] = [
        State::Overdue,
        State::AtRisk,
        State::Open,
        State::Late,
        State::OnTime,
        State::Missed,
        State::Dropped,
    ];

    pub(crate) fn name(self) -> &'static str {
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
    pub(crate) fn label(self) -> &'static str {
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

    pub(crate) fn is_delivered(self) -> bool {
        matches!(self, State::OnTime | State::Late)
    }

    /// Still to be delivered.
    pub(crate) fn is_pending(self) -> bool {
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
pub(crate) struct Dates<'a> {
    pub due: Date,
    pub delivered: Option<Date>,
    /// When it was declared missed or dropped.
    pub closed: Option<Date>,
    pub status: Option<Status>,
    pub revisions: &'a [Revision],
}

/// The derived fields of a commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Derived {
    pub effective_due: Date,
    pub slips: usize,
    /// The day the promise stopped being open: `delivered`, else `closed`.
    pub ended: Option<Date>,
    /// From the original `due` to `ended`, or to today while it is open:
    /// frozen once the promise has ended.
    pub days_late: i64,
    pub state: State,
}

/// Applies the content format's rules, first match wins.
pub(crate) fn derive(dates: Dates<'_>, today: Date) -> Derived {
    let effective_due = dates.revisions.last().map_or(dates.due, |r| r.new_due);
    let ended = dates.delivered.or(dates.closed);
    let days_late = dates.due.days_until(ended.unwrap_or(today));
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
        ended,
        days_late,
        state,
    }
}

/// The due date as it stood on day `day`: the `new_due` of the last
/// revision dated on or before it (in file order), else the original `due`.
/// Undated revisions are not placed in time, so they never apply here.
pub(crate) fn due_as_of(due: Date, revisions: &[Revision], day: Date) -> Date {
    revisions
        .iter()
        .rfind(|r| r.date.is_some_and(|d| d <= day))
        .map_or(due, |r| r.new_due)
}

/// Where a day stands against the original due date, `days` after it:
/// "39 days after the original date", "1 day before the original date",
/// "on the original date".
pub(crate) fn against_due(days: i64) -> String {
    let unit = |n: i64| if n == 1 { "day" } else { "days" };
    match days {
        0 => "on the original date".to_string(),
        d if d > 0 => format!("{d} {} after the original date", unit(d)),
        d => format!("{} {} before the original date", -d, unit(-d)),
    }
}

/// One calendar month of promises and deliveries.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MonthFigures {
    pub month: String,
    /// Promises whose `promised` date falls in the month.
    pub made: u32,
    /// Promises whose original `due` falls in the month (a rescheduling
    /// does not move them).
    pub due: u32,
    /// Revisions dated in the month.
    pub rescheduled: u32,
    /// Deliveries in the month, on or before the original due date.
    pub on_time: u32,
    /// Deliveries in the month, after the original due date.
    pub late: u32,
    /// Promises declared missed in the month (their `closed` date).
    pub missed: u32,
    /// Promises dropped in the month (their `closed` date).
    pub dropped: u32,
    /// Promises overdue at the month's end (today, for the current month),
    /// with their due date as it stood then.
    pub overdue: u32,
    /// Mean rating of the promises delivered this month, if any was rated.
    pub satisfaction: Option<f64>,
}

impl MonthFigures {
    /// Adds every count of `other` (not `month` nor `satisfaction`).
    pub(crate) fn add_counts(&mut self, other: &MonthFigures) {
        self.made += other.made;
        self.due += other.due;
        self.rescheduled += other.rescheduled;
        self.on_time += other.on_time;
        self.late += other.late;
        self.missed += other.missed;
        self.dropped += other.dropped;
        self.overdue += other.overdue;
    }
}

/// What the monthly figures need to know about one commitment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MonthInput<'a> {
    pub promised: Date,
    /// The original due date.
    pub due: Date,
    pub revisions: &'a [Revision],
    pub delivered: Option<Date>,
    pub closed: Option<Date>,
    pub ended: Option<Date>,
    pub state: State,
    pub satisfaction: Option<u8>,
}

impl<'a> MonthInput<'a> {
    pub(crate) fn of(c: &'a super::Commitment) -> MonthInput<'a> {
        MonthInput {
            promised: c.promised,
            due: c.due,
            revisions: &c.revisions,
            delivered: c.delivered,
            closed: c.closed,
            ended: c.derived.ended,
            state: c.derived.state,
            satisfaction: c.satisfaction,
        }
    }
}

/// Monthly figures by the content format's rules, from the first month with
/// any event up to and including today's month, empty months included so
/// that charts have no holes. A date after today counts nowhere: the
/// figures say what has happened.
pub(crate) fn monthly<'a>(inputs: impl IntoIterator<Item = MonthInput<'a>>, today: Date) -> Vec<MonthFigures> {
    #[derive(Default)]
    struct Acc {
        figures: MonthFigures,
        ratings: Vec<u8>,
    }
    let inputs: Vec<MonthInput<'a>> = inputs.into_iter().collect();
    let this_month = today.year_month();
    let mut months: BTreeMap<YearMonth, Acc> = BTreeMap::new();
    let mut count = |day: Date, add: &mut dyn FnMut(&mut Acc)| {
        if day <= today {
            add(months.entry(day.year_month()).or_default());
        }
    };
    for c in &inputs {
        count(c.promised, &mut |acc| acc.figures.made += 1);
        count(c.due, &mut |acc| acc.figures.due += 1);
        for r in c.revisions {
            if let Some(date) = r.date {
                count(date, &mut |acc| acc.figures.rescheduled += 1);
            }
        }
        match (c.state, c.delivered, c.closed) {
            (State::OnTime | State::Late, Some(delivered), _) => count(delivered, &mut |acc| {
                if c.state == State::OnTime {
                    acc.figures.on_time += 1;
                } else {
                    acc.figures.late += 1;
                }
                if let Some(rating) = c.satisfaction {
                    acc.ratings.push(rating);
                }
            }),
            (State::Missed, _, Some(closed)) => count(closed, &mut |acc| acc.figures.missed += 1),
            (State::Dropped, _, Some(closed)) => count(closed, &mut |acc| acc.figures.dropped += 1),
            _ => {}
        }
    }
    let Some(first) = months.keys().next().copied() else {
        return Vec::new();
    };
    let mut out: Vec<MonthFigures> = first
        .through(this_month)
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
        .collect();
    // Overdue at each month's end D: made on or before D, not ended on or
    // before D, and due (as it stood at D) before D. Only the months from
    // the promise to its end can count it.
    for c in &inputs {
        let from = c.promised.year_month().max(first);
        let to = c.ended.map_or(this_month, |e| e.year_month().min(this_month));
        let mut month = from;
        while month <= to {
            let end = if month == this_month { today } else { month.last_day() };
            let open_at_end = c.ended.is_none_or(|e| e > end);
            if c.promised <= end && open_at_end && due_as_of(c.due, c.revisions, end) < end {
                let index = month_index(first, month);
                if let Some(figures) = out.get_mut(index) {
                    figures.overdue += 1;
                }
            }
            month = month.next();
        }
    }
    out
}

/// How many months `month` is after `first`.
fn month_index(first: YearMonth, month: YearMonth) -> usize {
    let months = (month.year - first.year) * 12 + i32::from(month.month) - i32::from(first.month);
    usize::try_from(months).unwrap_or(usize::MAX)
}

/// Counts of a team's promises, by state.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PromiseCounts {
    pub total: usize,
    pub on_time: usize,
    pub late: usize,
    pub overdue: usize,
    pub at_risk: usize,
    pub open: usize,
    pub missed: usize,
    pub dropped: usize,
    /// On-time deliveries over everything that came due (delivered, missed
    /// or overdue), as a percentage; `None` when nothing came due yet.
    pub on_time_rate: Option<f64>,
}

/// Counts promises by state, with the on-time rate.
pub(crate) fn counts(states: impl Iterator<Item = State>) -> PromiseCounts {
    let mut c = PromiseCounts::default();
    for state in states {
        c.total += 1;
        match state {
            State::OnTime => c.on_time += 1,
            State::Late => c.late += 1,
            State::Overdue => c.overdue += 1,
            State::AtRisk => c.at_risk += 1,
            State::Open => c.open += 1,
            State::Missed => c.missed += 1,
            State::Dropped => c.dropped += 1,
        }
    }
    let came_due = c.on_time + c.late + c.missed + c.overdue;
    c.on_time_rate = (came_due > 0).then(|| 100.0 * c.on_time as f64 / came_due as f64);
    c
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

    fn dated(date: &str, new_due: &str) -> Revision {
        Revision {
            date: Some(d(date)),
            new_due: d(new_due),
            reason: "legal review".into(),
        }
    }

    #[test]
    fn state_rules_in_order() {
        let today = d("2026-06-15");
        let revised = [revision("2026-07-01")];
        type Case<'a> = (
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            Option<Status>,
            &'a [Revision],
            State,
            i64,
        );
        let cases: [Case; 10] = [
            ("2026-06-01", Some("2026-05-30"), None, None, &[], State::OnTime, -2),
            (
                "2026-06-01",
                Some("2026-06-01"),
                None,
                Some(Status::Delivered),
                &[],
                State::OnTime,
                0,
            ),
            // A rescheduling does not reset lateness.
            ("2026-06-01", Some("2026-06-20"), None, None, &revised, State::Late, 19),
            ("2026-06-01", None, None, None, &[], State::Overdue, 14),
            (
                "2026-06-01",
                None,
                None,
                Some(Status::AtRisk),
                &revised,
                State::AtRisk,
                14,
            ),
            ("2026-06-01", None, None, Some(Status::AtRisk), &[], State::Overdue, 14),
            ("2026-07-01", None, None, None, &[], State::Open, -16),
            // Missed and dropped count to their `closed` date, not to today.
            (
                "2026-06-01",
                None,
                Some("2026-06-04"),
                Some(Status::Missed),
                &[],
                State::Missed,
                3,
            ),
            (
                "2026-06-01",
                None,
                Some("2026-05-31"),
                Some(Status::Dropped),
                &[],
                State::Dropped,
                -1,
            ),
            (
                "2026-06-01",
                Some("2026-05-01"),
                Some("2026-05-20"),
                Some(Status::Dropped),
                &[],
                State::Dropped,
                -31,
            ),
        ];
        for (due, delivered, closed, status, revisions, state, days_late) in cases {
            let got = derive(
                Dates {
                    due: d(due),
                    delivered: delivered.map(d),
                    closed: closed.map(d),
                    status,
                    revisions,
                },
                today,
            );
            assert_eq!(
                (got.state, got.days_late),
                (state, days_late),
                "{due} {delivered:?} {closed:?} {status:?}"
            );
            assert_eq!(got.slips, revisions.len());
            assert_eq!(got.ended, delivered.or(closed).map(d));
        }
    }

    #[test]
    fn days_late_is_frozen_once_a_promise_has_ended() {
        let dropped = |today: &str| {
            derive(
                Dates {
                    due: d("2026-01-15"),
                    delivered: None,
                    closed: Some(d("2026-01-14")),
                    status: Some(Status::Dropped),
                    revisions: &[],
                },
                d(today),
            )
        };
        assert_eq!(dropped("2026-02-01").days_late, -1);
        assert_eq!(dropped("2026-11-29").days_late, -1);
        assert_eq!(dropped("2026-11-29").ended, Some(d("2026-01-14")));
        assert_eq!(against_due(-1), "1 day before the original date");
        assert_eq!(against_due(39), "39 days after the original date");
        assert_eq!(against_due(0), "on the original date");
    }

    fn input<'a>(promised: &str, due: &str, revisions: &'a [Revision]) -> MonthInput<'a> {
        MonthInput {
            promised: d(promised),
            due: d(due),
            revisions,
            delivered: None,
            closed: None,
            ended: None,
            state: State::Open,
            satisfaction: None,
        }
    }

    fn delivered<'a>(mut input: MonthInput<'a>, on: &str, state: State, rating: Option<u8>) -> MonthInput<'a> {
        input.delivered = Some(d(on));
        input.ended = Some(d(on));
        input.state = state;
        input.satisfaction = rating;
        input
    }

    fn closed<'a>(mut input: MonthInput<'a>, on: &str, state: State) -> MonthInput<'a> {
        input.closed = Some(d(on));
        input.ended = Some(d(on));
        input.state = state;
        input
    }

    fn month<'a>(months: &'a [MonthFigures], name: &str) -> &'a MonthFigures {
        months
            .iter()
            .find(|m| m.month == name)
            .unwrap_or_else(|| panic!("no month {name}"))
    }

    #[test]
    fn monthly_figures_count_what_happened_when_it_happened() {
        let revisions = [dated("2026-02-20", "2026-04-15")];
        let inputs = [
            delivered(
                input("2026-01-10", "2026-03-01", &[]),
                "2026-02-20",
                State::OnTime,
                Some(4),
            ),
            delivered(
                input("2026-01-20", "2026-02-01", &[]),
                "2026-02-25",
                State::Late,
                Some(2),
            ),
            closed(input("2026-02-01", "2026-03-15", &[]), "2026-04-02", State::Missed),
            // Rescheduled in February from March to April, delivered in April.
            delivered(
                input("2026-01-05", "2026-03-10", &revisions),
                "2026-04-10",
                State::Late,
                None,
            ),
        ];
        let months = monthly(inputs, d("2026-05-20"));
        let names: Vec<_> = months.iter().map(|m| m.month.as_str()).collect();
        assert_eq!(names, ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]);
        let jan = month(&months, "2026-01");
        assert_eq!((jan.made, jan.due, jan.rescheduled), (3, 0, 0));
        let feb = month(&months, "2026-02");
        assert_eq!(
            (feb.made, feb.due, feb.rescheduled, feb.on_time, feb.late),
            (1, 1, 1, 1, 1)
        );
        assert_eq!(feb.satisfaction, Some(3.0));
        // The rescheduled promise still counts as due in March, its original
        // month; the missed one counts in April, when it was declared missed.
        let mar = month(&months, "2026-03");
        assert_eq!((mar.due, mar.missed, mar.overdue), (3, 0, 1));
        let apr = month(&months, "2026-04");
        assert_eq!((apr.missed, apr.late, apr.overdue), (1, 1, 0));
        assert_eq!(apr.satisfaction, None);
        let may = month(&months, "2026-05");
        assert_eq!(
            may.on_time + may.late + may.missed + may.dropped + may.made + may.due + may.overdue,
            0
        );
    }

    #[test]
    fn overdue_is_counted_as_it_stood_at_each_month_end() {
        // Due in February, rescheduled only on 10 April to June: overdue at
        // the end of February and March, not at the end of April or May,
        // and overdue again at today in July.
        let revisions = [dated("2026-04-10", "2026-06-30")];
        let inputs = [input("2026-01-10", "2026-02-15", &revisions)];
        let months = monthly(inputs, d("2026-07-03"));
        let overdue: Vec<(&str, u32)> = months.iter().map(|m| (m.month.as_str(), m.overdue)).collect();
        assert_eq!(
            overdue,
            [
                ("2026-01", 0),
                ("2026-02", 1),
                ("2026-03", 1),
                ("2026-04", 0),
                ("2026-05", 0),
                ("2026-06", 0),
                ("2026-07", 1)
            ]
        );
        assert_eq!(month(&months, "2026-04").rescheduled, 1);
        assert_eq!(month(&months, "2026-02").due, 1);
        assert_eq!(month(&months, "2026-06").due, 0);
    }

    #[test]
    fn no_month_after_today_and_no_future_date_counts() {
        let inputs = [
            // Delivered "in the future": not counted, though due today.
            delivered(
                input("2026-03-01", "2026-05-31", &[]),
                "2026-06-20",
                State::Late,
                Some(5),
            ),
            // Promised for August: its due month is never listed.
            input("2026-04-01", "2026-08-31", &[]),
        ];
        let months = monthly(inputs, d("2026-05-31"));
        let names: Vec<_> = months.iter().map(|m| m.month.as_str()).collect();
        assert_eq!(names, ["2026-03", "2026-04", "2026-05"]);
        let may = month(&months, "2026-05");
        assert_eq!((may.due, may.late, may.on_time, may.overdue), (1, 0, 0, 0));
        assert_eq!(may.satisfaction, None);
        // A site whose first event is after today has no months at all.
        assert!(monthly([input("2026-09-01", "2026-10-01", &[])], d("2026-05-31")).is_empty());
    }

    #[test]
    fn dropped_counts_in_its_closed_month_and_is_never_overdue_after() {
        let inputs = [closed(
            input("2025-12-01", "2026-01-15", &[]),
            "2026-02-09",
            State::Dropped,
        )];
        let months = monthly(inputs, d("2026-04-01"));
        let got: Vec<(&str, u32, u32, u32)> = months
            .iter()
            .map(|m| (m.month.as_str(), m.due, m.dropped, m.overdue))
            .collect();
        assert_eq!(
            got,
            [
                ("2025-12", 0, 0, 0),
                ("2026-01", 1, 0, 1),
                ("2026-02", 0, 1, 0),
                ("2026-03", 0, 0, 0),
                ("2026-04", 0, 0, 0)
            ]
        );
    }
}
