//! Watching the site for changes and turning bursts of file events into
//! batches of changed paths.
//!
//! Only the folders a build reads are watched (`content/`, `themes/`,
//! `scripts/`, `static/`) plus the root itself, non-recursively, for
//! `rapport.toml` and for those folders appearing later; a `target/` or
//! `.git/` next to them never wakes the server. Editors' temporary and
//! backup files are dropped here ([`crate::load::classify`]). A batch ends
//! when no event has arrived for a short quiet period ([`QUIET`]), so an
//! atomic save (write a temp file, rename it over the original) is one
//! rebuild, soon after the save. Once a batch holds more files or events
//! than a save makes, it is a burst (a `git checkout`, a script, a
//! search-and-replace) and ends only after a longer quiet
//! ([`BURST_QUIET`]): a busy machine pauses the program writing the files
//! for longer than a save's quiet, and a burst handed over at each pause
//! was several rebuilds, and reloads of half-changed sites (a file created
//! but not yet written is an error for a moment). No batch waits longer
//! than [`MAX_WAIT`], so files that never stop changing still get
//! rebuilds. When the system dropped events (its queue overflowed in a
//! huge burst), the batch says the whole site changed, and the rebuild
//! reads it all again.
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
/// Files in one batch from which it is a burst: an editor's save changes
/// one (its temporary and backup files are dropped), "save all" a few.
pub(crate) const BURST_FILES: usize = 3;
/// Events in one batch past which it is a burst even with fewer files (a
/// large file written in many pieces): a save makes a handful (vim's, with
/// its probe and backup files, about ten).
pub(crate) const BURST_EVENTS: usize = 32;
/// How long a burst must be quiet before it is handed over.
pub(crate) const BURST_QUIET: Duration = Duration::from_millis(100);
/// The longest a batch waits for quiet before it is handed over anyway: a
/// checkout of thousands of files on a busy machine takes seconds.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(5);

/// The quiet that ends a batch of `files` changed paths from `events`
/// events.
pub(crate) fn quiet_after(files: usize, events: usize) -> Duration {
    if files >= BURST_FILES || events > BURST_EVENTS {
        BURST_QUIET
    } else {
        QUIET
    }
}

/// What the file watcher reports.
enum Change {
    /// Something happened at this path.
    Path(PathBuf),
    /// Events were lost: anything may have changed.
    Everything,
}

/// A running watcher: keep it alive for as long as events are wanted.
pub struct SiteWatcher {
    watcher: Box<dyn Watcher + Send>,
    events: Receiver<Change>,
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
            self.add(&mut batch, first);
            let mut events = 1;
            let started = Instant::now();
            loop {
                let left = MAX_WAIT.saturating_sub(started.elapsed());
                if left.is_zero() {
                    break;
                }
                match self.events.recv_timeout(quiet_after(batch.len(), events).min(left)) {
                    Ok(change) => {
                        self.add(&mut batch, change);
                        events += 1;
                    }
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
            }
            if !batch.is_empty() {
                return Some(batch);
            }
        }
    }

    fn add(&mut self, batch: &mut BTreeSet<String>, change: Change) {
        let path = match change {
            Change::Path(path) => path,
            Change::Everything => {
                // A watched folder in the batch makes the rebuild read the
                // whole site again ([`crate::live`]).
                batch.extend(WATCHED_FOLDERS.iter().map(|folder| folder.to_string()));
                return;
            }
        };
        let path = path.as_path();
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
    sender: Sender<Change>,
}

impl notify::EventHandler for EventSender {
    fn handle_event(&mut self, event: notify::Result<Event>) {
        let Ok(event) = event else { return };
        if event.need_rescan() {
            let _ = self.sender.send(Change::Everything);
            return;
        }
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        for path in event.paths {
            let _ = self.sender.send(Change::Path(path));
        }
    }
}

#[cfg(test)]
mod tests {
    use notify::EventHandler;
    use notify::event::{CreateKind, Flag};

    use super::*;

    #[test]
    fn a_burst_needs_a_longer_quiet_than_a_save() {
        // A save: one file, a few events; "save all" of two files.
        assert_eq!(quiet_after(1, 3), QUIET);
        assert_eq!(quiet_after(0, 10), QUIET);
        assert_eq!(quiet_after(BURST_FILES - 1, 6), QUIET);
        // A checkout: more files; a large file written in many pieces.
        assert_eq!(quiet_after(BURST_FILES, BURST_FILES), BURST_QUIET);
        assert_eq!(quiet_after(1, BURST_EVENTS + 1), BURST_QUIET);
        assert!(BURST_QUIET > QUIET && MAX_WAIT > BURST_QUIET);
    }

    #[test]
    fn lost_events_rebuild_the_whole_site() {
        let (sender, events) = channel();
        let mut handler = EventSender { sender };
        // inotify's queue overflowed: notify says so with no path at all.
        handler.handle_event(Ok(Event::new(EventKind::Other).set_flag(Flag::Rescan)));
        handler.handle_event(Ok(
            Event::new(EventKind::Create(CreateKind::File)).add_path(PathBuf::from("/site/content/a.md"))
        ));
        assert!(matches!(events.try_recv(), Ok(Change::Everything)));
        assert!(matches!(events.try_recv(), Ok(Change::Path(p)) if p == Path::new("/site/content/a.md")));

        // The batch names every watched folder, which makes the rebuild
        // read the whole site again.
        let root = std::env::temp_dir().join(format!("rapport-watch-rescan-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        let mut watcher = SiteWatcher::start(&root, "default", false).unwrap();
        let mut batch = BTreeSet::new();
        watcher.add(&mut batch, Change::Everything);
        drop(watcher);
        std::fs::remove_dir_all(&root).unwrap();
        let folders: BTreeSet<String> = WATCHED_FOLDERS.iter().map(|f| f.to_string()).collect();
        assert_eq!(batch, folders);
    }
}
