//! `/calendar.ics` and `/teams/<slug>/calendar.ics` (RFC 5545): every
//! promise not yet ended (open, at risk or overdue) as an all-day event on
//! its due date in force, so a team can subscribe to what it owes and what
//! it is owed in its calendar program.
//!
//! Each event's `UID` is stable (the commitment's slug at the site's host),
//! and its `SEQUENCE` is the number of reschedulings, so a calendar program
//! replaces the event when a promise is rescheduled instead of adding one.
//! `DTSTAMP` is the day of the promise's last recorded change (promised or
//! rescheduled), never the clock, so the same site gives the same bytes.
//! Lines end with CRLF and are folded at 75 octets, as the RFC asks.
//! docs/data.md is the reference.

use std::fmt::Write as _;

use rayon::prelude::*;

use crate::date::Date;
use crate::model::{Commitment, Content, State, slugify};
use crate::render::OutputFile;
use crate::site::Site;

/// Where the calendars' links point.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CalendarSite<'a> {
    pub title: &'a str,
    /// `https://intranet.example.com` when `base_url` has a host.
    pub origin: Option<&'a str>,
    pub base_path: &'a str,
}

/// The site's calendar and one per team.
pub(crate) fn files(site: &Site) -> Vec<OutputFile> {
    let origin = site.config.origin();
    let base_path = site.config.base_path();
    let cal = CalendarSite {
        title: &site.config.title,
        origin: origin.as_deref(),
        base_path: &base_path,
    };
    let content = &site.content;
    let open: Vec<&Commitment> = content
        .commitments
        .iter()
        .filter(|c| c.derived.state.is_pending())
        .collect();
    let mut files = vec![OutputFile {
        path: "calendar.ics".to_string(),
        bytes: calendar(&cal, &format!("{}: open promises", cal.title), &open, content).into_bytes(),
    }];
    // Each team's calendar on its own, side by side.
    files.par_extend(content.teams.par_iter().map(|team| {
        let slug = team.meta.slug.as_str();
        let theirs: Vec<&Commitment> = open
            .iter()
            .copied()
            .filter(|c| c.owner.slug == slug || c.to.iter().any(|t| t.slug == slug))
            .collect();
        let name = format!("{}: promises made by and to {}", cal.title, team.meta.title);
        OutputFile {
            path: format!("teams/{slug}/calendar.ics"),
            bytes: calendar(&cal, &name, &theirs, content).into_bytes(),
        }
    }));
    files
}

/// The iCalendar text for `commitments` (in the order given).
pub(crate) fn calendar(cal: &CalendarSite<'_>, name: &str, commitments: &[&Commitment], content: &Content) -> String {
    let mut out = String::new();
    let mut line = |text: &str| fold(&mut out, text);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line(&format!("PRODID:-//rapport//rapport {}//EN", env!("CARGO_PKG_VERSION")));
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", escape(name)));
    let host = match cal.origin {
        Some(origin) => origin.split_once("://").map_or(origin, |(_, host)| host).to_string(),
        None => format!("{}.rapport.invalid", slugify(cal.title)),
    };
    let team_title = |slug: &str| content.team(slug).map_or(slug.to_string(), |t| t.meta.title.clone());
    for c in commitments {
        let due = c.derived.effective_due;
        let Some(end) = due.add_days(1) else { continue };
        let owner = team_title(&c.owner.slug);
        let mut recipients: Vec<String> = c.to.iter().map(|t| team_title(&t.slug)).collect();
        recipients.extend(c.to_external.iter().cloned());
        let summary = if recipients.is_empty() {
            format!("{owner}: {}", c.meta.title)
        } else {
            format!("{owner} → {}: {}", recipients.join(", "), c.meta.title)
        };
        let url = cal
            .origin
            .map(|origin| format!("{origin}{}{}", cal.base_path, c.meta.url_path));
        let stamp = c.revisions.iter().filter_map(|r| r.date).fold(c.promised, Date::max);
        line("BEGIN:VEVENT");
        line(&format!("UID:{}.commitment@{host}", c.meta.slug));
        line(&format!("DTSTAMP:{}T000000Z", compact(stamp)));
        line(&format!("DTSTART;VALUE=DATE:{}", compact(due)));
        line(&format!("DTEND;VALUE=DATE:{}", compact(end)));
        line(&format!("SEQUENCE:{}", c.derived.slips));
        line(&format!("SUMMARY:{}", escape(&summary)));
        line(&format!(
            "DESCRIPTION:{}",
            escape(&description(c, &owner, &recipients, cal, url.as_deref()))
        ));
        if let Some(url) = &url {
            line(&format!("URL:{url}"));
        }
        line(&format!("CATEGORIES:{}", c.derived.state.name()));
        let status = if c.derived.state == State::AtRisk {
            "TENTATIVE"
        } else {
            "CONFIRMED"
        };
        line(&format!("STATUS:{status}"));
        line("TRANSP:TRANSPARENT");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

/// What the event says: who promised what to whom, when, and how it stands.
fn description(
    c: &Commitment,
    owner: &str,
    recipients: &[String],
    cal: &CalendarSite<'_>,
    url: Option<&str>,
) -> String {
    let to = if recipients.is_empty() {
        String::new()
    } else {
        format!(" to {}", recipients.join(", "))
    };
    let mut text = format!(
        "{owner} promised this{to} on {}, for {}.",
        c.promised.long(),
        c.due.long()
    );
    if let Some(last) = c.revisions.last() {
        let count = match c.derived.slips {
            1 => "once".to_string(),
            n => format!("{n} times"),
        };
        let _ = write!(
            text,
            " Rescheduled {count}, now due {}.",
            c.derived.effective_due.long()
        );
        if !last.reason.is_empty() {
            let _ = write!(text, " Latest reason: {}", last.reason);
        }
    }
    match c.derived.state {
        State::Overdue => text.push_str(" Overdue: not delivered yet."),
        State::AtRisk => text.push_str(" At risk."),
        _ => {}
    }
    let page = match url {
        Some(url) => url.to_string(),
        None => format!("{}{}", cal.base_path, c.meta.url_path),
    };
    let _ = write!(text, "\n{page}");
    text
}

/// `2026-03-13` as `20260313`.
fn compact(date: Date) -> String {
    date.to_string().replace('-', "")
}

/// Escapes a TEXT value (RFC 5545 3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `text` as one content line, folded so that no line is longer
/// than 75 octets (a fold never splits a character), ending in CRLF.
fn fold(out: &mut String, text: &str) {
    let mut width = 0;
    for c in text.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_on_character_boundaries() {
        let mut out = String::new();
        let text = format!("SUMMARY:{}", "é".repeat(60));
        fold(&mut out, &text);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = out.trim_end().replace("\r\n ", "");
        assert_eq!(unfolded, text);
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(escape("a, b; c\\d\nnext"), "a\\, b\\; c\\\\d\\nnext");
    }
}
