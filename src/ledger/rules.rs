//! What changed between two versions of a commitment, and which of those
//! changes rewrote the record instead of adding to it.
//!
//! The content format makes a commitment's record append-only where it
//! matters: the day a promise was made and the date first promised stay as
//! written, a new date is a new revision with a reason, past revisions stay,
//! and a delivery or a closing, once recorded, stays. A **quiet change** is
//! a commit that breaks one of those rules (docs/ledger.md): the site would
//! otherwise show the new text as if it had always said so. The same rules
//! judge each commit of the history and, in `rapport check`, the edits not
//! committed yet.

use serde::Serialize;

use crate::ledger::version::{RevisionText, Values, Version};

/// Which rule a quiet change broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuietRule {
    /// `promised` changed.
    Promised,
    /// The original `due` changed.
    Due,
    /// A past revision was rewritten.
    RevisionEdited,
    /// A past revision was deleted.
    RevisionRemoved,
    /// The due date in force moved later with no new revision.
    LaterWithoutRevision,
    /// `delivered` changed or went away once set.
    Delivered,
    /// `closed` changed or went away once set.
    Closed,
    /// The file was deleted while the promise was open.
    Removed,
}

impl QuietRule {
    /// The rule's name in data files and scripts (`due`, `revision-edited`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            QuietRule::Promised => "promised",
            QuietRule::Due => "due",
            QuietRule::RevisionEdited => "revision-edited",
            QuietRule::RevisionRemoved => "revision-removed",
            QuietRule::LaterWithoutRevision => "later-without-revision",
            QuietRule::Delivered => "delivered",
            QuietRule::Closed => "closed",
            QuietRule::Removed => "removed",
        }
    }

    /// What should have been done instead.
    pub(crate) fn advice(self) -> &'static str {
        match self {
            QuietRule::Promised => "a promise keeps the day it was made: leave `promised` as it was",
            QuietRule::Due | QuietRule::LaterWithoutRevision => {
                "leave `due` as first promised and add a revision with the new date and a reason"
            }
            QuietRule::RevisionEdited | QuietRule::RevisionRemoved => {
                "leave past revisions as they were and add a new revision with a reason"
            }
            QuietRule::Delivered => "a recorded delivery date stays: explain a correction in the body",
            QuietRule::Closed => "a recorded end stays: explain a correction in the body",
            QuietRule::Removed => "keep the file and mark the promise `status: dropped` with `closed` and a `reason`",
        }
    }
}

/// One field that differs between two versions. Revisions are compared
/// entry by entry, as `revisions[2]` (1-based, as messages count them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A change that rewrote the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Quiet {
    pub rule: QuietRule,
    /// The field it concerns (`due`, `revisions[1]`).
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// For revisions, the 0-based index of the entry in the newer version,
    /// where it still is; for positions in `check`.
    pub index: Option<usize>,
}

/// What a commit changed in the front matter, and what of it was quiet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Comparison {
    pub changes: Vec<FieldChange>,
    pub quiet: Vec<Quiet>,
}

/// Every field of a version, as a change from nothing (the first commit of
/// a file).
pub(crate) fn created(version: &Version, values: &mut Values) -> Comparison {
    let mut comparison = compare(&Version::empty(), version, values);
    comparison.quiet.clear();
    comparison
}

/// Compares two versions of one commitment; `old` is the earlier.
pub(crate) fn compare(old: &Version, new: &Version, values: &mut Values) -> Comparison {
    let mut out = Comparison::default();
    let mut keys: Vec<&str> = old.keys().collect();
    keys.extend(new.keys().filter(|k| old.block(k).is_none()));
    let mut added_revisions = 0;
    for key in keys {
        if old.same_text(new, key) {
            continue;
        }
        if key == "revisions" {
            added_revisions = compare_revisions(old, new, values, &mut out);
            continue;
        }
        let before = old.display(values, key);
        let after = new.display(values, key);
        if before == after {
            continue;
        }
        let rule = match key {
            "promised" => Some(QuietRule::Promised),
            "due" => Some(QuietRule::Due),
            "delivered" => Some(QuietRule::Delivered),
            "closed" => Some(QuietRule::Closed),
            _ => None,
        };
        if let (Some(rule), Some(_)) = (rule, &before) {
            out.quiet.push(Quiet {
                rule,
                field: key.to_string(),
                old: before.clone(),
                new: after.clone(),
                index: None,
            });
        }
        out.changes.push(FieldChange {
            field: key.to_string(),
            old: before,
            new: after,
        });
    }
    let dates_touched = !old.same_text(new, "due") || !old.same_text(new, "revisions");
    let already = out.quiet.iter().any(|q| {
        matches!(
            q.rule,
            QuietRule::Due | QuietRule::RevisionEdited | QuietRule::RevisionRemoved
        )
    });
    if dates_touched && !already && added_revisions == 0 {
        let (before, after) = (old.effective_due(values), new.effective_due(values));
        if let (Some(before), Some(after)) = (before, after)
            && after > before
        {
            out.quiet.push(Quiet {
                rule: QuietRule::LaterWithoutRevision,
                field: "due".to_string(),
                old: Some(before.to_string()),
                new: Some(after.to_string()),
                index: None,
            });
        }
    }
    out
}

/// Compares the revision lists: an old entry found unchanged anywhere in
/// the new list is kept; old entries not found pair up, in order, with new
/// entries not found (an edit), and the rest were removed; new entries left
/// over were added. Returns how many were added.
fn compare_revisions(old: &Version, new: &Version, values: &mut Values, out: &mut Comparison) -> usize {
    let before = old.revisions(values);
    let after = new.revisions(values);
    let mut matched = vec![false; after.len()];
    let mut lost: Vec<(usize, &RevisionText)> = Vec::new();
    for (i, revision) in before.iter().enumerate() {
        match (0..after.len()).find(|&j| !matched[j] && after[j] == *revision) {
            Some(j) => matched[j] = true,
            None => lost.push((i, revision)),
        }
    }
    let mut fresh = matched.iter().enumerate().filter(|(_, m)| !**m).map(|(j, _)| j);
    let mut added = 0;
    for (i, revision) in lost {
        let field = format!("revisions[{}]", i + 1);
        let old_text = Some(revision.display());
        match fresh.next() {
            Some(j) => {
                let new_text = Some(after[j].display());
                out.quiet.push(Quiet {
                    rule: QuietRule::RevisionEdited,
                    field: field.clone(),
                    old: old_text.clone(),
                    new: new_text.clone(),
                    index: Some(j),
                });
                out.changes.push(FieldChange {
                    field,
                    old: old_text,
                    new: new_text,
                });
            }
            None => {
                out.quiet.push(Quiet {
                    rule: QuietRule::RevisionRemoved,
                    field: field.clone(),
                    old: old_text.clone(),
                    new: None,
                    index: None,
                });
                out.changes.push(FieldChange {
                    field,
                    old: old_text,
                    new: None,
                });
            }
        }
    }
    for j in fresh {
        added += 1;
        out.changes.push(FieldChange {
            field: format!("revisions[{}]", j + 1),
            old: None,
            new: Some(after[j].display()),
        });
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "title: Pricing page\nowner: marketing\npromised: 2025-10-06\ndue: 2026-01-30\n";

    fn compare_yaml(old: &str, new: &str) -> Comparison {
        compare(&Version::of_yaml(old), &Version::of_yaml(new), &mut Values::new())
    }

    fn rules(c: &Comparison) -> Vec<(QuietRule, &str)> {
        c.quiet.iter().map(|q| (q.rule, q.field.as_str())).collect()
    }

    #[test]
    fn each_rule_and_what_is_not_quiet() {
        let revised =
            format!("{BASE}revisions:\n  - date: 2026-01-21\n    new_due: 2026-03-13\n    reason: Legal review.\n");
        type Case<'a> = (String, String, Vec<(QuietRule, &'a str)>);
        let cases: Vec<Case> = vec![
            // Moving `due` is quiet; so is changing `promised`.
            (
                BASE.into(),
                BASE.replace("due: 2026-01-30", "due: 2026-02-15"),
                vec![(QuietRule::Due, "due")],
            ),
            (
                BASE.into(),
                BASE.replace("promised: 2025-10-06", "promised: 2025-11-01"),
                vec![(QuietRule::Promised, "promised")],
            ),
            // A revision with a reason is the honest way; a title edit is fine.
            (BASE.into(), revised.clone(), vec![]),
            (BASE.into(), BASE.replace("Pricing page", "Pricing"), vec![]),
            // Rewriting or removing a past revision is quiet.
            (
                revised.clone(),
                revised.replace("2026-03-13", "2026-04-01"),
                vec![(QuietRule::RevisionEdited, "revisions[1]")],
            ),
            (
                revised.clone(),
                BASE.into(),
                vec![(QuietRule::RevisionRemoved, "revisions[1]")],
            ),
            // Delivered and closed may be set once, not changed after.
            (BASE.into(), format!("{BASE}delivered: 2026-01-29\n"), vec![]),
            (
                format!("{BASE}delivered: 2026-01-29\n"),
                format!("{BASE}delivered: 2026-01-20\n"),
                vec![(QuietRule::Delivered, "delivered")],
            ),
            (
                format!("{BASE}status: dropped\nclosed: 2026-01-10\n"),
                format!("{BASE}status: open\n"),
                vec![(QuietRule::Closed, "closed")],
            ),
            // The same value written another way is no change at all.
            (
                BASE.into(),
                BASE.replace("due: 2026-01-30", "due: \"2026-01-30\"  # same day"),
                vec![],
            ),
        ];
        for (old, new, expected) in cases {
            let got = compare_yaml(&old, &new);
            assert_eq!(rules(&got), expected, "{old}\n=>\n{new}");
        }
    }

    #[test]
    fn changes_say_old_and_new_values() {
        let got = compare_yaml(BASE, &BASE.replace("due: 2026-01-30", "due: 2026-02-15"));
        assert_eq!(
            got.changes,
            [FieldChange {
                field: "due".into(),
                old: Some("2026-01-30".into()),
                new: Some("2026-02-15".into()),
            }]
        );
        assert_eq!(got.quiet[0].old.as_deref(), Some("2026-01-30"));
        assert_eq!(got.quiet[0].new.as_deref(), Some("2026-02-15"));
    }

    #[test]
    fn a_revision_added_before_an_edited_one_pairs_in_order() {
        let one = format!("{BASE}revisions:\n  - date: 2026-01-21\n    new_due: 2026-03-13\n    reason: A.\n");
        let two = format!(
            "{BASE}revisions:\n  - date: 2026-01-21\n    new_due: 2026-03-20\n    reason: A.\n  - date: 2026-03-01\n    new_due: 2026-04-13\n    reason: B.\n"
        );
        let got = compare_yaml(&one, &two);
        assert_eq!(rules(&got), [(QuietRule::RevisionEdited, "revisions[1]")]);
        let fields: Vec<&str> = got.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["revisions[1]", "revisions[2]"]);
    }

    #[test]
    fn creation_lists_every_field_and_is_never_quiet() {
        let got = created(&Version::of_yaml(BASE), &mut Values::new());
        assert!(got.quiet.is_empty());
        let fields: Vec<&str> = got.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["title", "owner", "promised", "due"]);
        assert!(got.changes.iter().all(|c| c.old.is_none()));
    }
}
