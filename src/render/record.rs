//! What pages show of the promise ledger ([`crate::ledger`]): a
//! commitment's "Record history", the `/ledger/` page of every quiet change
//! and removed promise, and a team's count of quiet changes with its
//! calendar and feed links. Plain values for templates; docs/themes.md
//! lists their fields.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::config::RepoConfig;
use crate::date::Date;
use crate::git;
use crate::ledger::{Entry, Ledger, QuietChange, QuietEntry, Removed};
use crate::model::{Commitment, Content, slugify};

/// What the ledger knows about one commitment: `record` in `commitment.html`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RecordView {
    /// Whether the ledger could be read (false outside git).
    pub on: bool,
    /// Said when the ledger is off or covers only part of the history.
    pub note: Option<String>,
    /// Every commit that changed the front matter (or the name), oldest first.
    pub entries: Vec<EntryView>,
    /// How many quiet changes the record has.
    pub quiet_count: usize,
}

/// One commit of a record.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EntryView {
    pub date: Date,
    pub author: String,
    pub hash: String,
    pub short: String,
    /// The commit on the forge, with `[repo] url`.
    pub url: Option<String>,
    /// `created`, `changed`, `renamed`, `deleted` or `restored`.
    pub event: &'static str,
    pub renamed_from: Option<String>,
    pub changes: Vec<ChangeView>,
    /// Quiet changes that are not one of `changes` (the due date in force
    /// moved later).
    pub other_quiet: Vec<QuietView>,
    pub quiet_count: usize,
}

/// One field's old and new value.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChangeView {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// The change rewrote the record.
    pub quiet: bool,
    /// For a quiet change, what should have been done instead.
    pub advice: Option<&'static str>,
}

/// A quiet change, for templates.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct QuietView {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// The rule's name (docs/ledger.md).
    pub rule: &'static str,
    pub advice: &'static str,
}

/// One row of `/ledger/`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct QuietRow {
    /// The row's anchor on `/ledger/`.
    pub id: String,
    pub date: Date,
    pub title: String,
    /// The commitment's page while it exists.
    pub url: Option<String>,
    pub path: String,
    pub owner: Option<TeamRef>,
    #[serde(flatten)]
    pub change: QuietView,
    pub author: String,
    pub hash: String,
    pub short: String,
    pub commit_url: Option<String>,
}

/// A promise deleted while open.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RemovedRow {
    pub id: String,
    pub title: String,
    pub path: String,
    pub owner: Option<TeamRef>,
    /// The due date in force when it was removed.
    pub due: Option<Date>,
    pub date: Date,
    pub author: String,
    pub hash: String,
    pub short: String,
    pub commit_url: Option<String>,
}

/// A team by slug, with its title and page when it exists.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TeamRef {
    pub slug: String,
    pub title: String,
    pub url: Option<String>,
}

/// `ledger` in `ledger.html`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LedgerView {
    pub on: bool,
    pub note: Option<String>,
    /// This page's quiet changes, newest first.
    pub quiet: Vec<QuietRow>,
    /// How many quiet changes all the pages list.
    pub quiet_total: usize,
    /// Promises deleted while open, newest first (on the first page only).
    pub removed: Vec<RemovedRow>,
}

/// `ledger` in `team.html`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TeamLedgerView {
    pub on: bool,
    /// Quiet changes in the promises the team made (removals included).
    pub quiet_count: usize,
    /// Its promises deleted while open.
    pub removed_count: usize,
    /// `/teams/<slug>/calendar.ics`.
    pub calendar_url: String,
    /// `/teams/<slug>/atom.xml`.
    pub feed_url: String,
}

/// What the ledger values are made from.
#[derive(Clone, Copy)]
pub(crate) struct RecordInput<'a> {
    pub ledger: &'a Ledger,
    pub content: &'a Content,
    pub repo: &'a RepoConfig,
    pub base_path: &'a str,
}

/// The record history of the commitment read from `path`.
pub(crate) fn commitment_record(input: &RecordInput<'_>, path: &str) -> RecordView {
    let entries: Vec<EntryView> = input
        .ledger
        .record(path)
        .map(|r| r.entries.iter().map(|e| entry_view(e, input.repo)).collect())
        .unwrap_or_default();
    RecordView {
        on: input.ledger.is_on(),
        note: input.ledger.note(),
        quiet_count: entries.iter().map(|e| e.quiet_count).sum(),
        entries,
    }
}

/// Quiet changes per page of `/ledger/`.
pub(crate) const LEDGER_PER_PAGE: usize = 100;

/// The quiet changes `/ledger/` lists, newest first: those of deleted files
/// and of files on the site. A file that is there but not on the site (a
/// draft, or a file with errors) is left out: a draft's title must not leak.
pub(crate) fn listed_quiet<'a>(content: &Content, ledger: &'a Ledger) -> impl Iterator<Item = &'a QuietEntry> {
    let on_site: HashSet<&str> = content.commitments.iter().map(|c| c.meta.path.as_str()).collect();
    ledger
        .quiet
        .iter()
        .filter(move |q| !q.present || on_site.contains(q.path.as_str()))
}

/// The URL path of the `/ledger/` page that lists the quiet change at
/// `position` of [`listed_quiet`], with its anchor.
pub(crate) fn ledger_path(position: usize, anchor: &str) -> String {
    let page = position / LEDGER_PER_PAGE + 1;
    format!("{}#{anchor}", crate::render::lists::page_path("ledger/", page))
}

/// Page `number` of `/ledger/`.
pub(crate) fn ledger_page(input: &RecordInput<'_>, number: usize) -> LedgerView {
    let by_path: HashMap<&str, &Commitment> = input
        .content
        .commitments
        .iter()
        .map(|c| (c.meta.path.as_str(), c))
        .collect();
    let listed: Vec<&QuietEntry> = listed_quiet(input.content, input.ledger).collect();
    let quiet_total = listed.len();
    let quiet = listed
        .into_iter()
        .skip((number.max(1) - 1) * LEDGER_PER_PAGE)
        .take(LEDGER_PER_PAGE)
        .map(|q| {
            let current = by_path.get(q.path.as_str()).filter(|_| q.present);
            QuietRow {
                id: quiet_anchor(q),
                date: q.change.date,
                title: current.map_or_else(|| q.title.clone(), |c| c.meta.title.clone()),
                url: current.map(|c| format!("{}{}", input.base_path, c.meta.url_path)),
                path: q.path.clone(),
                owner: current
                    .map(|c| c.owner.slug.clone())
                    .or_else(|| q.owner.clone())
                    .map(|slug| team_ref(input, &slug)),
                change: quiet_view(&q.change),
                author: q.change.author.clone(),
                short: short(&q.change.commit).to_string(),
                commit_url: git::commit_url(input.repo, &q.change.commit),
                hash: q.change.commit.clone(),
            }
        })
        .collect();
    let removed = input
        .ledger
        .removed
        .iter()
        .filter(|_| number <= 1)
        .map(|r| RemovedRow {
            id: removed_anchor(r),
            title: r.title.clone(),
            path: r.path.clone(),
            owner: r.owner.as_deref().map(|slug| team_ref(input, slug)),
            due: r.due,
            date: r.commit.date,
            author: r.commit.author.clone(),
            hash: r.commit.hash.clone(),
            short: r.commit.short().to_string(),
            commit_url: git::commit_url(input.repo, &r.commit.hash),
        })
        .collect();
    LedgerView {
        on: input.ledger.is_on(),
        note: input.ledger.note(),
        quiet,
        quiet_total,
        removed,
    }
}

/// The ledger's line on the page of team `slug`.
pub(crate) fn team_ledger(input: &RecordInput<'_>, slug: &str) -> TeamLedgerView {
    let made = input.content.commitments.iter().filter(|c| c.owner.slug == slug);
    let removed_count = input
        .ledger
        .removed
        .iter()
        .filter(|r| r.owner.as_deref() == Some(slug))
        .count();
    // A removal is a quiet change too; earlier quiet changes of a deleted
    // file are counted with it.
    let gone = input
        .ledger
        .quiet
        .iter()
        .filter(|q| !q.present && q.owner.as_deref() == Some(slug))
        .count();
    TeamLedgerView {
        on: input.ledger.is_on(),
        quiet_count: made.map(|c| c.quiet_changes.len()).sum::<usize>() + gone,
        removed_count,
        calendar_url: format!("{}teams/{slug}/calendar.ics", input.base_path),
        feed_url: format!("{}teams/{slug}/atom.xml", input.base_path),
    }
}

/// The anchor of a quiet change's row on `/ledger/`.
pub(crate) fn quiet_anchor(q: &QuietEntry) -> String {
    let stem = q.path.rsplit('/').next().unwrap_or(&q.path).trim_end_matches(".md");
    format!(
        "quiet-{}-{}-{}",
        slugify(stem),
        short(&q.change.commit),
        slugify(&q.change.field)
    )
}

/// The anchor of a removed promise's row on `/ledger/`.
pub(crate) fn removed_anchor(r: &Removed) -> String {
    let stem = r.path.rsplit('/').next().unwrap_or(&r.path).trim_end_matches(".md");
    format!("removed-{}-{}", slugify(stem), r.commit.short())
}

pub(crate) fn quiet_view(q: &QuietChange) -> QuietView {
    QuietView {
        field: q.field.clone(),
        old: q.old.clone(),
        new: q.new.clone(),
        rule: q.rule.name(),
        advice: q.rule.advice(),
    }
}

fn short(hash: &str) -> &str {
    hash.get(..7).unwrap_or(hash)
}

fn team_ref(input: &RecordInput<'_>, slug: &str) -> TeamRef {
    match input.content.team(slug) {
        Some(team) => TeamRef {
            slug: slug.to_string(),
            title: team.meta.title.clone(),
            url: Some(format!("{}{}", input.base_path, team.meta.url_path)),
        },
        None => TeamRef {
            slug: slug.to_string(),
            title: slug.to_string(),
            url: None,
        },
    }
}

fn entry_view(entry: &Entry, repo: &RepoConfig) -> EntryView {
    let quiet_of = |field: &str| entry.quiet.iter().find(|q| q.field == field);
    let changes = entry
        .changes
        .iter()
        .map(|c| {
            let quiet = quiet_of(&c.field);
            ChangeView {
                field: c.field.clone(),
                old: c.old.clone(),
                new: c.new.clone(),
                quiet: quiet.is_some(),
                advice: quiet.map(|q| q.rule.advice()),
            }
        })
        .collect();
    let other_quiet = entry
        .quiet
        .iter()
        .filter(|q| !entry.changes.iter().any(|c| c.field == q.field))
        .map(quiet_view)
        .collect();
    let renamed_from = match &entry.event {
        crate::ledger::Event::Renamed { from } => Some(from.clone()),
        _ => None,
    };
    EntryView {
        date: entry.commit.date,
        author: entry.commit.author.clone(),
        hash: entry.commit.hash.clone(),
        short: entry.commit.short().to_string(),
        url: git::commit_url(repo, &entry.commit.hash),
        event: entry.event.name(),
        renamed_from,
        changes,
        other_quiet,
        quiet_count: entry.quiet.len(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_quiet_change_past_the_first_hundred_is_linked_on_its_page() {
        assert_eq!(super::ledger_path(0, "q"), "ledger/#q");
        assert_eq!(super::ledger_path(99, "q"), "ledger/#q");
        assert_eq!(super::ledger_path(100, "q"), "ledger/page/2/#q");
    }
}
