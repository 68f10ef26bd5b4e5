//! Watching the site for changes and turning bursts of file events into
//! batches of changed paths.
//!
//! Only the folders a build reads are watched (`content/`, `themes/`,
//! `scripts/`, `static/`) plus the root itself, non-recursively, for
//! `rapport.toml` and for those folders appearing later; a `target/` or
//! `.git/` next to them never wakes the server. Editors' temporary and
//! backup files are dropped here ([`crate::load::classify`]). A batch ends
//! when no event has arrived for a short quiet period, so an atomic save
//! (write a temp file, rename it over the original) or a `git checkout` of
//! a thousand files becomes one rebuild, or two at most.
//!
//! Symbolic links are not followed by the watcher: a link out of the site
//! (to `/etc`, to a home folder) must not make the server watch, or list,
//! what is outside. A link inside the site still works for builds, since
//! [`crate::load`] follows it; edits made through such a link are seen when
//! its target is itself under a watched folder.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify::{Event, EventKind, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};

use crate::load::{self, Role, SITE_FOLDERS as WATCHED_FOLDERS};

/// How long the stream of events must be quiet before a batch is handed over.
pub(crate) const QUIET: Duration = Duration::from_millis(12);
/// The longest a batch waits for quiet before it is handed over anyway.
pub(crate) const MAX_WAIT: Duration = Duration::from_millis(1500);

/// A running watcher: keep it alive for as long as events are wanted.
pub struct SiteWatcher {
    watcher: Box<dyn Watcher + Send>,
    events: Receiver<PathBuf>,
    root: PathBuf,
    theme: String,
}

impl SiteWatcher {
    /// Starts watching the site at `root`. With `poll`, files are compared
    /// on a timer instead of relying on native change events.
    pub fn start(root: &Path, theme: &str, poll: bool) -> Result<SiteWatcher> {
        let root = std::fs::canonicalize(root).with_context(|| format!("failed to resolve `{}`", root.display()))?;
        let (sender, events) = channel();
        let handler = EventSender { sender };
        let mut watcher: Box<dyn Watcher + Send> = if poll {
            let config = notify::Config::default()
                .with_poll_interval(Duration::from_millis(250))
                .with_compare_contents(true)
                .with_follow_symlinks(false);
            Box::new(PollWatcher::new(handler, config).context("failed to start the polling watcher")?)
        } else {
            Box::new(
                RecommendedWatcher::new(handler, notify::Config::default().with_follow_symlinks(false))
                    .context("failed to start the file watcher")?,
            )
        };
        watcher
            .watch(&root, RecursiveMode::NonRecursive)
            .with_context(|| format!("failed to watch `{}`", root.display()))?;
        for folder in WATCHED_FOLDERS {
            let dir = root.join(folder);
            if is_folder_inside(&root, &dir) {
                watcher
                    .watch(&dir, RecursiveMode::Recursive)
                    .with_context(|| format!("failed to watch `{}`", dir.display()))?;
            }
        }
        Ok(SiteWatcher {
            watcher,
            events,
            root,
            theme: theme.to_string(),
        })
    }

    /// Blocks until something in the site changed, then gathers the rest of
    /// the burst. Returns the changed paths relative to the root, or `None`
    /// when the watcher has stopped.
    pub fn next_batch(&mut self) -> Option<BTreeSet<String>> {
        loop {
            let first = self.events.recv().ok()?;
            let mut batch = BTreeSet::new();
            self.add(&mut batch, &first);
            let started = Instant::now();
            loop {
                let left = MAX_WAIT.saturating_sub(started.elapsed());
                if left.is_zero() {
                    break;
                }
                match self.events.recv_timeout(QUIET.min(left)) {
                    Ok(path) => self.add(&mut batch, &path),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
            }
            if !batch.is_empty() {
                return Some(batch);
            }
        }
    }

    fn add(&mut self, batch: &mut BTreeSet<String>, path: &Path) {
        let Some(rel) = load::relative(&self.root, path) else {
            return;
        };
        // A watched folder that appears after start: watch it and treat it
        // as changed, so its files are picked up.
        if WATCHED_FOLDERS.contains(&rel.as_str()) {
            if is_folder_inside(&self.root, path) {
                let _ = self.watcher.watch(path, RecursiveMode::Recursive);
            }
            batch.insert(rel);
            return;
        }
        let role = load::classify(&rel, &self.theme);
        if role != Role::Other || is_folder_event(&rel, path) {
            batch.insert(rel);
        }
    }

    /// Changes the theme whose files count (after `rapport.toml` changed).
    pub(crate) fn set_theme(&mut self, theme: &str) {
        self.theme = theme.to_string();
    }
}

/// Whether `path` is a folder whose canonical path is inside the site's
/// canonical `root`: a watched folder that is a link out of the site is not
/// watched (the build warns about it and reads nothing of it).
fn is_folder_inside(root: &Path, path: &Path) -> bool {
    path.canonicalize()
        .is_ok_and(|target| target.starts_with(root) && target.is_dir())
}

/// A folder inside a watched folder was created, removed or renamed: its
/// files may have come or gone without events of their own.
fn is_folder_event(rel: &str, path: &Path) -> bool {
    let top = rel.split('/').next().unwrap_or("");
    WATCHED_FOLDERS.contains(&top)
        && !rel.split('/').any(load::is_ignored_name)
        && (path.is_dir() || path.extension().is_none())
}

struct EventSender {
    sender: Sender<PathBuf>,
}

impl notify::EventHandler for EventSender {
    fn handle_event(&mut self, event: notify::Result<Event>) {
        let Ok(event) = event else { return };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        for path in event.paths {
            let _ = self.sender.send(path);
        }
    }
}
