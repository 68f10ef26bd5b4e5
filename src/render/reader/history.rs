//! One commitment's history as a small timeline: promised, originally due,
//! each new due date, then delivered, declared missed or dropped (on its
//! `closed` date, with its reason), or today while it is still open.

use minijinja::{Value, context};
use serde::Serialize;

use crate::date::Date;
use crate::model::commitment::against_due;
use crate::model::{Commitment, State};
use crate::render::charts::{self, ChartText, EventKind, TimelineEvent};
use crate::render::reader::ReaderInput;
use crate::render::view::to_value;

/// One commitment's history as a timeline.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct History {
    pub svg: String,
    /// The events the timeline marks, by date.
    pub events: Vec<HistoryEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct HistoryEvent {
    pub date: Date,
    /// `promised`, `due`, `rescheduled`, `delivered`, `missed`, `dropped`, `today`.
    pub kind: &'static str,
    /// What happened, in a sentence.
    pub text: String,
}

/// The history of commitment `index` (a position in `content.commitments`):
/// promised, originally due, each new due date, then delivered, declared
/// missed or dropped (on its `closed` date, with its reason), or today
/// while it is still open.
pub(crate) fn commitment_history(input: &ReaderInput<'_>, index: usize) -> History {
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

/// `history` of a commitment page.
pub(crate) fn history_value(input: &ReaderInput<'_>, index: usize) -> Value {
    let history = commitment_history(input, index);
    context! {
        chart => Value::from_safe_string(history.svg),
        events => to_value(&history.events),
    }
}

/// The events of a commitment's history, each with its short chart label.
pub(super) fn history_events(c: &Commitment, today: Date) -> Vec<(HistoryEvent, String)> {
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

pub(super) fn event_kind(kind: &str) -> EventKind {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Commitment, Kind, State};
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
}
