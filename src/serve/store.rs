//! What the dev server serves: an immutable snapshot of the last good build,
//! swapped in whole after each successful rebuild, plus the current status
//! (the diagnostics of the latest rebuild) for the error overlay.
//!
//! Requests clone an `Arc` of the snapshot and read from it, so a request
//! never sees a half-finished rebuild: it sees the old site or the new one.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Condvar, Mutex, OnceLock, RwLock};
use std::time::Duration;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::render::{data, search};

/// One file of a snapshot.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub bytes: Arc<[u8]>,
    /// A strong ETag from the bytes, made on the first request that needs
    /// it, so that publishing a rebuild does not hash files nobody asks for.
    etag: OnceLock<String>,
}

impl Entry {
    pub(crate) fn new(bytes: Arc<[u8]>) -> Entry {
        Entry {
            bytes,
            etag: OnceLock::new(),
        }
    }

    /// The ETag, quoted as HTTP wants it.
    pub(crate) fn etag(&self) -> &str {
        self.etag.get_or_init(|| {
            let mut hasher = DefaultHasher::new();
            self.bytes.hash(&mut hasher);
            format!("\"{:016x}\"", hasher.finish())
        })
    }
}

/// A whole built site, by output path (`glossary/mql/index.html`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Snapshot {
    pub files: HashMap<Arc<str>, Arc<Entry>>,
}

/// The result of the latest rebuild, for the overlay and the reload events.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    /// Changes on every rebuild and differs between server runs, so a page
    /// that reconnects after a restart knows it is stale.
    pub version: String,
    /// Errors of the latest rebuild; empty when it succeeded.
    pub errors: Vec<Diagnostic>,
}

/// The snapshot being served and the current status.
#[derive(Debug, Default)]
pub(crate) struct Store {
    snapshot: RwLock<Arc<Snapshot>>,
    status: RwLock<Arc<Status>>,
    /// Whether the files no page shows (the data files, the search index)
    /// are being made after a reload event went out: requests for them
    /// wait ([`Store::wait_for_files_behind`]).
    behind: Mutex<bool>,
    caught_up: Condvar,
}

/// The output paths made after the reload event of a fast rebuild: the
/// data files and the search index ([`crate::live::LiveSite::apply_deferred`]).
pub(crate) fn made_after_reload(path: &str) -> bool {
    data::paths().any(|data| data == path) || path == search::INDEX_PATH || path.starts_with(search::SHARD_DIR)
}

/// The longest a request waits for files being made after a reload.
const BEHIND_WAIT: Duration = Duration::from_secs(10);

impl Store {
    pub(crate) fn new() -> Store {
        Store::default()
    }

    pub(crate) fn snapshot(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub(crate) fn status(&self) -> Arc<Status> {
        match self.status.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Serves `snapshot` from now on.
    pub(crate) fn publish(&self, snapshot: Snapshot) {
        let next = Arc::new(snapshot);
        match self.snapshot.write() {
            Ok(mut guard) => *guard = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
    }

    /// Says whether the files made after the reload event
    /// ([`made_after_reload`]) are behind the snapshot's pages.
    pub(crate) fn set_behind(&self, behind: bool) {
        let mut flag = self.behind.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *flag = behind;
        if !behind {
            self.caught_up.notify_all();
        }
    }

    /// Waits until the files made after the reload event have caught up
    /// with the pages, so that a request never sees a data file or a
    /// search shard older than the page that led to it.
    pub(crate) fn wait_for_files_behind(&self) {
        let flag = self.behind.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let _ = self.caught_up.wait_timeout_while(flag, BEHIND_WAIT, |behind| *behind);
    }

    pub(crate) fn set_status(&self, status: Status) {
        let next = Arc::new(status);
        match self.status.write() {
            Ok(mut guard) => *guard = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
    }
}
