//! The edits not in the ledger yet: `rapport check` compares each
//! commitment file in the working tree with its version at a base commit
//! (`HEAD`, `[ledger] base` or `--since REF`) by the ledger's rules, so a
//! quiet change is a warning at the field's line before it is committed,
//! and `check --format github` annotates it in a pull request.
//!
//! One `git diff --raw` lists the files that differ from the base (with
//! renames), one `git cat-file --batch` reads their base versions; the
//! working tree's texts are the ones the site loaded.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Pos};
use crate::front_matter::{self, Locator};
use crate::ledger::history::{self, FOLDER, GitError, git, parse_raw_line};
use crate::ledger::rules::{self, Quiet, QuietRule};
use crate::ledger::version::{Values, Version};

/// Where the base came from, for a diagnostic about the base itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BaseSource {
    /// `HEAD`, by default.
    Default,
    /// `--since REF`.
    Flag,
    /// `[ledger] base` in rapport.toml, at this position.
    Config(Pos),
}

/// Warnings for the quiet changes in the working tree against `base`.
/// Outside git nothing is compared (the ledger says once that it is off).
pub(crate) fn check(root: &Path, base: &str, source: BaseSource, content: &[(&str, &str)]) -> Vec<Diagnostic> {
    if base.starts_with('-') || base.trim().is_empty() {
        return vec![base_problem(base, source, "it is not a commit name")];
    }
    match git(root, &["rev-parse", "--is-inside-work-tree"]) {
        Ok(_) => {}
        Err(_) => return Vec::new(),
    }
    let spec = format!("{base}^{{commit}}");
    if git(root, &["rev-parse", "--verify", "--quiet", &spec]).is_err() {
        if source == BaseSource::Default {
            // A repository with no commit yet: nothing is recorded to compare with.
            return Vec::new();
        }
        return vec![base_problem(base, source, "there is no such commit here")];
    }
    let diff = match git(
        root,
        &[
            "diff",
            "--raw",
            "-M",
            "--no-abbrev",
            "--no-color",
            "--relative",
            base,
            "--",
            FOLDER,
        ],
    ) {
        Ok(diff) => diff,
        Err(GitError::Failed(reason)) => return vec![base_problem(base, source, &reason)],
        Err(GitError::Missing) => return Vec::new(),
    };
    let changes: Vec<_> = diff.lines().filter_map(parse_raw_line).collect();
    let olds = changes.iter().filter_map(|c| c.old_blob.as_deref());
    let versions = match history::read_blobs(root, olds) {
        Ok(versions) => versions,
        Err(reason) => return vec![base_problem(base, source, &reason)],
    };
    let mut values = Values::new();
    let mut out = Vec::new();
    for change in &changes {
        let Some(old) = change.old_blob.as_ref().and_then(|id| versions.get(id)) else {
            continue;
        };
        if !old.readable {
            continue;
        }
        if change.status == 'D' {
            if old.is_open(&mut values) {
                let title = old.text(&mut values, "title").unwrap_or_else(|| change.path.clone());
                out.push(
                    Diagnostic::warning(
                        &change.path,
                        format!("this removes the open promise “{title}” from the record"),
                    )
                    .hint(QuietRule::Removed.advice()),
                );
            }
            continue;
        }
        let Some(&(path, text)) = content.iter().find(|(path, _)| *path == change.path) else {
            continue;
        };
        let new = Version::of_file(text);
        if !new.readable {
            continue;
        }
        let comparison = rules::compare(old, &new, &mut values);
        if comparison.quiet.is_empty() {
            continue;
        }
        let title = new
            .text(&mut values, "title")
            .or_else(|| old.text(&mut values, "title"))
            .unwrap_or_else(|| change.path.clone());
        let Ok(split) = front_matter::split(path, text) else {
            continue;
        };
        let locator = Locator::new(&split);
        for quiet in &comparison.quiet {
            out.push(
                Diagnostic::warning(path, message(quiet, &title))
                    .at_pos(position(&locator, quiet))
                    .hint(hint(quiet)),
            );
        }
    }
    out
}

fn base_problem(base: &str, source: BaseSource, reason: &str) -> Diagnostic {
    let (path, pos) = match source {
        BaseSource::Config(pos) => (crate::config::CONFIG_FILE, pos),
        BaseSource::Flag => ("--since", Pos::default()),
        BaseSource::Default => (".", Pos::default()),
    };
    Diagnostic::warning(path, format!("cannot compare commitments with `{base}`: {reason}"))
        .at_pos(pos)
        .hint("name a branch, tag or commit that exists here; in CI, fetch it first (`git fetch origin main`)")
}

/// Where the changed field is written now.
fn position(locator: &Locator<'_>, quiet: &Quiet) -> Pos {
    match (quiet.rule, quiet.index) {
        (QuietRule::RevisionEdited, Some(index)) => locator.item("revisions", index),
        (QuietRule::RevisionEdited | QuietRule::RevisionRemoved, _) => locator.key("revisions"),
        (QuietRule::LaterWithoutRevision, _) if !locator.has_key("due") => locator.key("revisions"),
        _ => locator.key(quiet.field.as_str()),
    }
}

fn message(quiet: &Quiet, title: &str) -> String {
    let old = quiet.old.as_deref().unwrap_or("none");
    let new = quiet.new.as_deref().unwrap_or("none");
    let n = quiet
        .field
        .trim_start_matches("revisions[")
        .trim_end_matches(']')
        .to_string();
    match (quiet.rule, &quiet.new) {
        (QuietRule::Due, None) => format!("this removes the original due date of “{title}” ({old})"),
        (QuietRule::Due, Some(_)) if new < old => {
            format!("this changes the original due date of “{title}” from {old} to {new} without a revision")
        }
        (QuietRule::Due | QuietRule::LaterWithoutRevision, _) => {
            format!("this moves the due date of “{title}” from {old} to {new} without a revision")
        }
        (QuietRule::Promised, _) => format!("this changes the day “{title}” was promised, from {old} to {new}"),
        (QuietRule::RevisionEdited, _) => format!("this rewrites revision {n} of “{title}”: {old} → {new}"),
        (QuietRule::RevisionRemoved, _) => format!("this removes revision {n} of “{title}” ({old})"),
        (QuietRule::Delivered, None) => format!("this removes the recorded delivery of “{title}” ({old})"),
        (QuietRule::Delivered, Some(_)) => {
            format!("this changes the recorded delivery of “{title}” from {old} to {new}")
        }
        (QuietRule::Closed, None) => format!("this removes the recorded end of “{title}” ({old})"),
        (QuietRule::Closed, Some(_)) => format!("this changes the recorded end of “{title}” from {old} to {new}"),
        (QuietRule::Removed, _) => format!("this removes the open promise “{title}” from the record"),
    }
}

fn hint(quiet: &Quiet) -> String {
    match (quiet.rule, &quiet.old, &quiet.new) {
        (QuietRule::Due, Some(old), Some(new)) => {
            format!("keep `due: {old}` and add a revision with `new_due: {new}` and a reason (see docs/ledger.md)")
        }
        (QuietRule::LaterWithoutRevision, _, Some(new)) => {
            format!("add a revision with `new_due: {new}` and a reason (see docs/ledger.md)")
        }
        (QuietRule::Promised, Some(old), _) => {
            format!("a promise keeps the day it was made: put back `promised: {old}`")
        }
        (rule, _, _) => format!("{} (see docs/ledger.md)", rule.advice()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_commitment_and_the_values() {
        let quiet = Quiet {
            rule: QuietRule::Due,
            field: "due".into(),
            old: Some("2026-01-30".into()),
            new: Some("2026-02-15".into()),
            index: None,
        };
        assert_eq!(
            message(&quiet, "Pricing page"),
            "this moves the due date of “Pricing page” from 2026-01-30 to 2026-02-15 without a revision"
        );
        assert!(hint(&quiet).starts_with("keep `due: 2026-01-30` and add a revision with `new_due: 2026-02-15`"));
        let edited = Quiet {
            rule: QuietRule::RevisionEdited,
            field: "revisions[2]".into(),
            old: Some("a".into()),
            new: Some("b".into()),
            index: Some(1),
        };
        assert_eq!(message(&edited, "T"), "this rewrites revision 2 of “T”: a → b");
    }
}
