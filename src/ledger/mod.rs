//! The promise ledger: what git history says about each commitment record.
//!
//! A commitment is only as honest as its last edit: anyone can move a
//! `due` date, rewrite a revision or delete an open promise, and the file
//! then reads as if it had always said so. The content lives in git, so
//! [`history::read`] reads every version of every commitment file in one
//! pass over the history (one `git log`, one `git cat-file`), follows
//! renames, and keeps for each file the commits that changed its front
//! matter, field by field. [`rules`] says which of those changes were
//! **quiet changes**: edits that rewrote the record instead of adding to
//! it (docs/ledger.md). [`worktree`] applies the same rules to the edits
//! not committed yet, for `rapport check`.
//!
//! The ledger is read with the rest of git history at load time
//! ([`crate::git::history`]), on a thread of its own that runs while the
//! site's files are read and parsed ([`LedgerCell`]), so the dev server
//! reads it again only when it reads the whole site again, never on a body
//! edit. Outside git, the ledger is off and says so once; the site builds
//! as before.

pub mod history;
pub(crate) mod rules;
pub(crate) mod version;
pub(crate) mod worktree;

use std::collections::BTreeMap;
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

use serde::Serialize;

use crate::date::Date;

pub(crate) use rules::{FieldChange, QuietRule};

/// Whether the ledger could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerState {
    /// Read from the whole history.
    On,
    /// Read from a shallow clone: only the history present.
    Shallow,
    /// Not read, and why.
    Off(String),
}

impl Default for LedgerState {
    fn default() -> LedgerState {
        LedgerState::Off("no git history was read".to_string())
    }
}

/// What the history says about the site's commitment files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    pub state: LedgerState,
    /// The history of each commitment file there is now, by its path
    /// relative to the site root.
    pub records: BTreeMap<String, Record>,
    /// Commitment files deleted while their promise was open, and not
    /// restored since: newest first.
    pub removed: Vec<Removed>,
    /// Every quiet change of every commitment file, present or deleted,
    /// newest first.
    pub quiet: Vec<QuietEntry>,
}

/// One commit, as the record shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commit {
    /// The full hash.
    pub hash: String,
    /// The author date (the day the change was written).
    pub date: Date,
    /// The author's name.
    pub author: String,
}

impl Commit {
    /// The hash's first seven characters, as git shows it.
    pub(crate) fn short(&self) -> &str {
        self.hash.get(..7).unwrap_or(&self.hash)
    }
}

/// The history of one commitment file: every commit that changed its front
/// matter (or its name), oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub entries: Vec<Entry>,
}

impl Record {
    /// The quiet changes of the record, oldest first.
    pub(crate) fn quiet_changes(&self) -> Vec<QuietChange> {
        self.entries.iter().flat_map(|e| e.quiet.iter().cloned()).collect()
    }
}

/// What one commit did to a commitment file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub commit: Arc<Commit>,
    pub event: Event,
    /// Each front-matter field that changed (all of them when created).
    pub changes: Vec<FieldChange>,
    pub quiet: Vec<QuietChange>,
}

/// How a commit touched the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Created,
    Changed,
    /// Renamed (and perhaps changed); `from` is the earlier path.
    Renamed {
        from: String,
    },
    Deleted,
    /// Added again at a path where it had been deleted.
    Restored,
}

impl Event {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Event::Created => "created",
            Event::Changed => "changed",
            Event::Renamed { .. } => "renamed",
            Event::Deleted => "deleted",
            Event::Restored => "restored",
        }
    }
}

/// A change that rewrote the record, with its commit: what scripts,
/// `/data/commitments.json` and the pages see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuietChange {
    pub date: Date,
    /// The commit's full hash.
    pub commit: String,
    pub author: String,
    /// `due`, `promised`, `revisions[2]`, `delivered`, `closed`, or `file`
    /// for a promise removed from the record.
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub rule: QuietRule,
}

/// A commitment file deleted while its promise was open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// The path it had when deleted.
    pub path: String,
    pub title: String,
    /// The owner's slug, as the last version wrote it.
    pub owner: Option<String>,
    /// The due date in force when it was removed.
    pub due: Option<Date>,
    /// The commit that deleted it.
    pub commit: Arc<Commit>,
}

/// A quiet change with the commitment it happened to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuietEntry {
    /// The file's path now, or the last one it had if it was deleted.
    pub path: String,
    /// Whether the file is still there.
    pub present: bool,
    /// Its title and owner's slug in the version the change produced.
    pub title: String,
    pub owner: Option<String>,
    pub change: QuietChange,
}

impl Ledger {
    /// One line to print once when the ledger is off or partial.
    pub(crate) fn note(&self) -> Option<String> {
        match &self.state {
            LedgerState::On => None,
            LedgerState::Shallow => Some(
                "the ledger covers only the history present: this is a shallow clone (`git fetch --unshallow` reads the rest)"
                    .to_string(),
            ),
            LedgerState::Off(reason) => Some(format!("the ledger is off: {reason}")),
        }
    }

    pub fn is_on(&self) -> bool {
        matches!(self.state, LedgerState::On | LedgerState::Shallow)
    }

    /// The record of the file at `path`, if git knows it.
    pub(crate) fn record(&self, path: &str) -> Option<&Record> {
        self.records.get(path)
    }
}

/// The ledger, perhaps still being read: the history pass starts when the
/// site starts loading and is waited for where the ledger is first used
/// (when the model is built, outside rayon's threads, which the pass's
/// own parallel part needs), so reading git overlaps reading the files.
/// Derefs to the [`Ledger`].
#[derive(Clone, Default)]
pub struct LedgerCell(Arc<CellInner>);

#[derive(Default)]
struct CellInner {
    value: OnceLock<Ledger>,
    reading: Mutex<Option<JoinHandle<Ledger>>>,
}

impl LedgerCell {
    /// A ledger already read.
    pub(crate) fn ready(ledger: Ledger) -> LedgerCell {
        let cell = LedgerCell::default();
        let _ = cell.0.value.set(ledger);
        cell
    }

    /// A ledger being read by `reading`.
    pub(crate) fn reading(reading: JoinHandle<Ledger>) -> LedgerCell {
        LedgerCell(Arc::new(CellInner {
            value: OnceLock::new(),
            reading: Mutex::new(Some(reading)),
        }))
    }

    /// The ledger, waiting for the history pass if it is still running.
    pub(crate) fn get(&self) -> &Ledger {
        self.0.value.get_or_init(|| {
            let reading = self.0.reading.lock().ok().and_then(|mut r| r.take());
            match reading.map(JoinHandle::join) {
                Some(Ok(ledger)) => ledger,
                Some(Err(_)) => Ledger {
                    state: LedgerState::Off("reading the history failed".to_string()),
                    ..Ledger::default()
                },
                None => Ledger::default(),
            }
        })
    }
}

impl Deref for LedgerCell {
    type Target = Ledger;

    fn deref(&self) -> &Ledger {
        self.get()
    }
}

impl PartialEq for LedgerCell {
    fn eq(&self, other: &LedgerCell) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.get() == other.get()
    }
}

impl Eq for LedgerCell {}

impl std::fmt::Debug for LedgerCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.value.get() {
            Some(ledger) => f.debug_tuple("LedgerCell").field(ledger).finish(),
            None => f.write_str("LedgerCell(reading)"),
        }
    }
}
