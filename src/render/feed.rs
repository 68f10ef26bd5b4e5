//! `/atom.xml`: what happened, newest first — new success stories,
//! commitments delivered, every rescheduling with its reason, and the bad
//! news as soon as the good: a promise declared missed or dropped (on its
//! `closed` date, with its reason) or gone overdue (on the day after its
//! due date). Nothing dated after today is listed: it has not happened.
//!
//! Dates come from the content, never from the clock, so the feed is the
//! same bytes for the same site. Entry ids are the entries' absolute URLs
//! when `base_url` names a host, else stable `urn:` names. Each entry
//! carries its kind as an Atom `<category>` (`story`, `delivered`,
//! `rescheduled`, `missed`, `dropped`, `overdue`) so readers and tools can
//! filter. docs/data.md is the
//! reference.
//!
//! Each team has a feed of its own, `/teams/<slug>/atom.xml` ([`team_files`]):
//! the same entries for the promises the team made and received, plus each
//! promise made (`made`) and each quiet change the promise ledger found
//! (`quiet-change`, see docs/ledger.md).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use rayon::prelude::*;

use crate::date::Date;
use crate::ledger::{Ledger, QuietRule};
use crate::model::commitment::against_due;
use crate::model::{Commitment, Content, State};
use crate::render::OutputFile;
use crate::render::record::{ledger_path, quiet_anchor};
use crate::render::xml::escape as xml_escape;
use crate::site::Site;

/// How many entries the feed keeps.
pub(crate) const MAX_ENTRIES: usize = 100;

/// One entry of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FeedEntry {
    pub kind: EntryKind,
    pub date: Date,
    pub title: String,
    /// URL path relative to the base path, with an optional fragment.
    pub url_path: String,
    /// Unique within the feed: `story/slug`, `commitment/slug/delivered`, ...
    pub key: String,
    pub summary: String,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum EntryKind {
    /// A success story, on its `date`.
    Story,
    /// A commitment delivered, on its `delivered` date.
    Delivered,
    /// A commitment rescheduled, on the revision's `date`.
    Rescheduled,
    /// A commitment declared missed, on its `closed` date.
    Missed,
    /// A commitment dropped, on its `closed` date.
    Dropped,
    /// A commitment still open after its (effective) due date, on the day
    /// after that date: the day it became overdue.
    Overdue,
    /// A promise made, on its `promised` date (team feeds only).
    Made,
    /// A quiet change found by the ledger, on its commit's date (team
    /// feeds only).
    QuietChange,
}

impl EntryKind {
    /// The `<category term>` of the entry.
    pub(crate) fn name(self) -> &'static str {
        match self {
            EntryKind::Story => "story",
            EntryKind::Delivered => "delivered",
            EntryKind::Rescheduled => "rescheduled",
            EntryKind::Missed => "missed",
            EntryKind::Dropped => "dropped",
            EntryKind::Overdue => "overdue",
            EntryKind::Made => "made",
            EntryKind::QuietChange => "quiet-change",
        }
    }
}

/// Where the feed's links point.
#[derive(Debug, Clone)]
pub(crate) struct FeedSite<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// `https://intranet.example.com` when `base_url` has a host.
    pub origin: Option<&'a str>,
    /// `/` or `/alignment/`.
    pub base_path: &'a str,
    /// Used for `updated` when the feed has no entry.
    pub today: Date,
    /// The feed's own path below the base path (`atom.xml`).
    pub self_path: &'a str,
    /// The page the feed is about, below the base path (`` for home).
    pub page_path: &'a str,
    /// Unique among the site's feeds, for the feed's `urn:` id (`feed`).
    pub key: &'a str,
}

/// `atom.xml` of `site`.
pub(crate) fn file(site: &Site) -> OutputFile {
    let origin = site.config.origin();
    let base_path = site.config.base_path();
    let feed_site = FeedSite {
        title: &site.config.title,
        description: &site.config.description,
        origin: origin.as_deref(),
        base_path: &base_path,
        today: site.today,
        self_path: "atom.xml",
        page_path: "",
        key: "feed",
    };
    OutputFile {
        path: "atom.xml".to_string(),
        bytes: atom(&feed_site, &entries(&site.content, site.today)).into_bytes(),
    }
}

/// The entries of a site's feed up to `today`, newest first.
pub(crate) fn entries(content: &Content, today: Date) -> Vec<FeedEntry> {
    let team_title = |slug: &str| content.team(slug).map_or(slug.to_string(), |t| t.meta.title.clone());
    let mut out = Vec::new();
    for story in &content.stories {
        let teams: Vec<String> = story.teams.iter().map(|t| team_title(&t.slug)).collect();
        let summary = match &story.outcome {
            Some(outcome) => format!("{outcome} Credited: {}.", teams.join(", ")),
            None => format!("A success story credited to {}.", teams.join(", ")),
        };
        out.push(FeedEntry {
            kind: EntryKind::Story,
            date: story.date,
            title: story.meta.title.clone(),
            url_path: story.meta.url_path.clone(),
            key: format!("story/{}", story.meta.slug),
            summary,
        });
    }
    for c in &content.commitments {
        out.extend(commitment_entries(c, &team_title));
    }
    out.retain(|e| e.date <= today);
    out.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.key.cmp(&b.key)));
    out.truncate(MAX_ENTRIES);
    out
}

fn commitment_entries(c: &Commitment, team_title: &dyn Fn(&str) -> String) -> Vec<FeedEntry> {
    let owner = team_title(&c.owner.slug);
    let to = to_phrase(c, team_title);
    let mut out = Vec::new();
    for (i, revision) in c.revisions.iter().enumerate() {
        let Some(date) = revision.date else { continue };
        let reason = if revision.reason.is_empty() {
            "No reason given.".to_string()
        } else {
            format!("Reason: {}", revision.reason)
        };
        out.push(FeedEntry {
            kind: EntryKind::Rescheduled,
            date,
            title: format!("Rescheduled: {}", c.meta.title),
            url_path: format!("{}#history", c.meta.url_path),
            key: format!("commitment/{}/revision-{}", c.meta.slug, i + 1),
            summary: format!("{owner} moved its promise{to} to {}. {reason}", revision.new_due.long()),
        });
    }
    if let (Some(delivered), true) = (c.delivered, c.derived.state.is_delivered()) {
        let how = if c.derived.state == State::OnTime {
            "on time".to_string()
        } else {
            format!("{} days after the date first promised", c.derived.days_late)
        };
        out.push(FeedEntry {
            kind: EntryKind::Delivered,
            date: delivered,
            title: format!("Delivered: {}", c.meta.title),
            url_path: c.meta.url_path.clone(),
            key: format!("commitment/{}/delivered", c.meta.slug),
            summary: format!("{owner} delivered{to}, {how}."),
        });
    }
    let reason = || match c.reason.as_deref() {
        Some(reason) => format!("Reason: {reason}"),
        None => "No reason given.".to_string(),
    };
    match (c.derived.state, c.closed) {
        (State::Missed, Some(closed)) => out.push(FeedEntry {
            kind: EntryKind::Missed,
            date: closed,
            title: format!("Missed: {}", c.meta.title),
            url_path: format!("{}#history", c.meta.url_path),
            key: format!("commitment/{}/missed", c.meta.slug),
            summary: format!(
                "{owner} declared its promise{to} missed, {}. {}",
                against_due(c.derived.days_late),
                reason()
            ),
        }),
        (State::Dropped, Some(closed)) => out.push(FeedEntry {
            kind: EntryKind::Dropped,
            date: closed,
            title: format!("Dropped: {}", c.meta.title),
            url_path: format!("{}#history", c.meta.url_path),
            key: format!("commitment/{}/dropped", c.meta.slug),
            summary: format!(
                "{owner} dropped its promise{to}, {}. {}",
                against_due(c.derived.days_late),
                reason()
            ),
        }),
        (State::Overdue, _) => {
            let due = c.derived.effective_due;
            if let Some(date) = due.add_days(1) {
                let revised = if c.derived.slips > 0 {
                    format!(" (first due {})", c.due.long())
                } else {
                    String::new()
                };
                out.push(FeedEntry {
                    kind: EntryKind::Overdue,
                    date,
                    title: format!("Overdue: {}", c.meta.title),
                    url_path: c.meta.url_path.clone(),
                    key: format!("commitment/{}/overdue", c.meta.slug),
                    summary: format!(
                        "{owner}'s promise{to} was due on {}{revised} and has not been delivered.",
                        due.long()
                    ),
                });
            }
        }
        _ => {}
    }
    out
}

/// `teams/<slug>/atom.xml` for every team.
pub fn team_files(site: &Site) -> Vec<OutputFile> {
    let origin = site.config.origin();
    let base_path = site.config.base_path();
    let by_team = team_entries(&site.content, &site.git.ledger, site.today);
    site.content
        .teams
        .par_iter()
        .map(|team| {
            let slug = team.meta.slug.as_str();
            let title = format!("{}: promises made by and to {}", site.config.title, team.meta.title);
            let description = format!(
                "What changed in the promises {} made and received: made, rescheduled, delivered, missed, dropped, overdue, and quiet changes to the record.",
                team.meta.title
            );
            let self_path = format!("teams/{slug}/atom.xml");
            let key = format!("team:{slug}");
            let feed_site = FeedSite {
                title: &title,
                description: &description,
                origin: origin.as_deref(),
                base_path: &base_path,
                today: site.today,
                self_path: &self_path,
                page_path: &team.meta.url_path,
                key: &key,
            };
            let entries = by_team.get(slug).map_or(&[][..], Vec::as_slice);
            OutputFile {
                path: self_path.clone(),
                bytes: atom(&feed_site, entries).into_bytes(),
            }
        })
        .collect()
}

/// The entries of every team's feed, by team slug: each commitment's
/// entries (and when it was made) go to its owner and its recipients, each
/// quiet change to the owner and recipients of its commitment. Newest
/// first, up to [`MAX_ENTRIES`], nothing after `today`.
pub fn team_entries(content: &Content, ledger: &Ledger, today: Date) -> BTreeMap<String, Vec<FeedEntry>> {
    let team_title = |slug: &str| content.team(slug).map_or(slug.to_string(), |t| t.meta.title.clone());
    let mut by_team: BTreeMap<String, Vec<FeedEntry>> = BTreeMap::new();
    let mut teams_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in &content.commitments {
        let mut teams: Vec<&str> = std::iter::once(c.owner.slug.as_str())
            .chain(c.to.iter().map(|t| t.slug.as_str()))
            .collect();
        teams.sort_unstable();
        teams.dedup();
        let mut entries = commitment_entries(c, &team_title);
        entries.push(made_entry(c, &team_title));
        for team in &teams {
            by_team
                .entry((*team).to_string())
                .or_default()
                .extend(entries.iter().cloned());
        }
        teams_of.insert(c.meta.path.as_str(), teams);
    }
    let by_path: HashMap<&str, &Commitment> = content.commitments.iter().map(|c| (c.meta.path.as_str(), c)).collect();
    // Where each is on `/ledger/`, whose pages list them in this order.
    let mut position = 0;
    for q in &ledger.quiet {
        let current = by_path.get(q.path.as_str()).filter(|_| q.present);
        if q.present && current.is_none() {
            // A draft or a file with errors: not on the site, as on `/ledger/`.
            continue;
        }
        let at = position;
        position += 1;
        let (title, url_path, key) = match current {
            Some(c) => (
                c.meta.title.clone(),
                format!("{}#record", c.meta.url_path),
                format!("commitment/{}/{}", c.meta.slug, quiet_anchor(q)),
            ),
            None => {
                let anchor = quiet_anchor(q);
                (q.title.clone(), ledger_path(at, &anchor), format!("ledger/{anchor}"))
            }
        };
        let change = &q.change;
        let what = match change.rule {
            QuietRule::Removed => "deleted the file of this open promise".to_string(),
            _ => format!(
                "changed `{}` from {} to {} without a revision",
                change.field,
                change.old.as_deref().unwrap_or("nothing"),
                change.new.as_deref().unwrap_or("nothing")
            ),
        };
        let entry = FeedEntry {
            kind: EntryKind::QuietChange,
            date: change.date,
            title: format!("Quiet change: {title}"),
            url_path,
            key,
            summary: format!(
                "{} {what} in commit {}. Instead: {}.",
                change.author,
                change.commit.get(..7).unwrap_or(&change.commit),
                change.rule.advice()
            ),
        };
        let teams: Vec<&str> = match (current, &q.owner) {
            (Some(c), _) => teams_of.get(c.meta.path.as_str()).cloned().unwrap_or_default(),
            (None, Some(owner)) => vec![owner.as_str()],
            (None, None) => Vec::new(),
        };
        for team in teams {
            by_team.entry(team.to_string()).or_default().push(entry.clone());
        }
    }
    for entries in by_team.values_mut() {
        entries.retain(|e| e.date <= today);
        entries.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.key.cmp(&b.key)));
        entries.dedup_by(|a, b| a.key == b.key);
        entries.truncate(MAX_ENTRIES);
    }
    by_team
}

/// " to Sales, Acme Corp": whom `c` was promised to, or nothing.
fn to_phrase(c: &Commitment, team_title: &dyn Fn(&str) -> String) -> String {
    let mut recipients: Vec<String> = c.to.iter().map(|t| team_title(&t.slug)).collect();
    recipients.extend(c.to_external.iter().cloned());
    if recipients.is_empty() {
        String::new()
    } else {
        format!(" to {}", recipients.join(", "))
    }
}

fn made_entry(c: &Commitment, team_title: &dyn Fn(&str) -> String) -> FeedEntry {
    let to = to_phrase(c, team_title);
    FeedEntry {
        kind: EntryKind::Made,
        date: c.promised,
        title: format!("Promised: {}", c.meta.title),
        url_path: c.meta.url_path.clone(),
        key: format!("commitment/{}/made", c.meta.slug),
        summary: format!("{} promised this{to}, for {}.", team_title(&c.owner.slug), c.due.long()),
    }
}

/// The Atom document for `entries`.
pub(crate) fn atom(site: &FeedSite<'_>, entries: &[FeedEntry]) -> String {
    let base = format!("{}{}", site.origin.unwrap_or(""), site.base_path);
    let id_of = |key: &str, url_path: &str| match site.origin {
        Some(_) => format!("{base}{url_path}"),
        None => format!(
            "urn:rapport:{}:{}",
            crate::model::slugify(site.title),
            key.replace('/', ":")
        ),
    };
    let updated = entries.first().map_or(site.today, |e| e.date);
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"");
    if site.origin.is_some() {
        let _ = write!(out, " xml:base=\"{}\"", xml_escape(&base));
    }
    out.push_str(">\n");
    let _ = writeln!(out, "  <title>{}</title>", xml_escape(site.title));
    if !site.description.is_empty() {
        let _ = writeln!(out, "  <subtitle>{}</subtitle>", xml_escape(site.description));
    }
    // The site's feed is known by the site's address; a team's by its own.
    let feed_id = match site.page_path {
        "" => id_of(site.key, ""),
        _ => id_of(site.key, site.self_path),
    };
    let _ = writeln!(out, "  <id>{}</id>", xml_escape(&feed_id));
    let _ = writeln!(out, "  <updated>{}</updated>", timestamp(updated));
    let _ = writeln!(
        out,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        xml_escape(&format!("{base}{}", site.self_path))
    );
    let _ = writeln!(
        out,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        xml_escape(&format!("{base}{}", site.page_path))
    );
    let _ = writeln!(out, "  <author><name>{}</name></author>", xml_escape(site.title));
    let _ = writeln!(out, "  <generator>rapport</generator>");
    for entry in entries {
        let href = format!("{base}{}", entry.url_path);
        out.push_str("  <entry>\n");
        let _ = writeln!(out, "    <title>{}</title>", xml_escape(&entry.title));
        let _ = writeln!(
            out,
            "    <id>{}</id>",
            xml_escape(&id_of(&entry.key, &fragment_id(entry)))
        );
        let _ = writeln!(out, "    <updated>{}</updated>", timestamp(entry.date));
        let _ = writeln!(
            out,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            xml_escape(&href)
        );
        let _ = writeln!(out, "    <category term=\"{}\"/>", entry.kind.name());
        let _ = writeln!(out, "    <summary>{}</summary>", xml_escape(&entry.summary));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// A URL that is unique per entry, for ids: rescheduling and delivery
/// entries of one commitment share a page, so they get a fragment.
fn fragment_id(entry: &FeedEntry) -> String {
    match entry.key.rsplit_once('/') {
        Some((_, last)) if entry.key.starts_with("commitment/") => {
            let page = entry.url_path.split('#').next().unwrap_or(&entry.url_path);
            format!("{page}#{last}")
        }
        _ => entry.url_path.clone(),
    }
}

fn timestamp(date: Date) -> String {
    format!("{date}T00:00:00Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(date: &str, key: &str, url: &str) -> FeedEntry {
        FeedEntry {
            kind: EntryKind::Delivered,
            date: Date::parse(date).unwrap(),
            title: format!("T <{key}>"),
            url_path: url.to_string(),
            key: key.to_string(),
            summary: "S & more".to_string(),
        }
    }

    #[test]
    fn atom_with_a_host_uses_urls_as_ids() {
        let site = FeedSite {
            title: "Northwind",
            description: "",
            origin: Some("https://intranet.example.com"),
            base_path: "/alignment/",
            today: Date::parse("2026-11-20").unwrap(),
            self_path: "atom.xml",
            page_path: "",
            key: "feed",
        };
        let xml = atom(
            &site,
            &[
                entry("2026-03-10", "commitment/pricing/delivered", "commitments/pricing/"),
                entry(
                    "2026-01-21",
                    "commitment/pricing/revision-1",
                    "commitments/pricing/#history",
                ),
            ],
        );
        assert!(xml.contains("<updated>2026-03-10T00:00:00Z</updated>"));
        assert!(xml.contains("<id>https://intranet.example.com/alignment/commitments/pricing/#delivered</id>"));
        assert!(xml.contains("<id>https://intranet.example.com/alignment/commitments/pricing/#revision-1</id>"));
        assert!(xml.contains("href=\"https://intranet.example.com/alignment/atom.xml\""));
        assert!(xml.contains("<title>T &lt;commitment/pricing/delivered&gt;</title>"));
        assert!(xml.contains("<summary>S &amp; more</summary>"));
    }

    #[test]
    fn atom_without_a_host_uses_urns() {
        let site = FeedSite {
            title: "Northwind Alignment",
            description: "d",
            origin: None,
            base_path: "/",
            today: Date::parse("2026-11-20").unwrap(),
            self_path: "atom.xml",
            page_path: "",
            key: "feed",
        };
        let xml = atom(&site, &[]);
        assert!(xml.contains("<id>urn:rapport:northwind-alignment:feed</id>"));
        assert!(xml.contains("<updated>2026-11-20T00:00:00Z</updated>"));
    }
}
