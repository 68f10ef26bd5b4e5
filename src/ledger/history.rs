//! Reading the ledger from git: one pass over the history for the whole
//! site, never a process per file or per version.
//!
//! 1. `git log --reverse -M --raw -- content/commitments` lists, oldest
//!    first, every commit that touched a commitment file, with the blob of
//!    each file before and after and the renames git detected.
//! 2. One `git cat-file --batch` reads every blob those lines name; only
//!    the front matter of each is kept ([`Version`]).
//! 3. The commits are replayed in order: a path is followed through its
//!    renames (and a deletion followed by a new file at the same path is a
//!    restoration), each commit's versions are compared by [`rules`], and
//!    commits that changed nothing in the front matter are left out.
//!
//! Comparing the blobs a commit's own diff names (not the previous commit
//! seen) keeps each commit's record right on side branches. Merges add no
//! lines of their own: what a branch changed is credited to the branch's
//! commits.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use rayon::prelude::*;

use crate::date::Date;
use crate::ledger::rules::{self, Comparison, QuietRule};
use crate::ledger::version::{Values, Version};
use crate::ledger::{Commit, Entry, Event, Ledger, LedgerState, QuietChange, QuietEntry, Record, Removed};

/// The folder whose files are commitments, relative to the site root.
pub(crate) const FOLDER: &str = "content/commitments";

/// Reads the ledger of the site at `root`; off (with the reason) outside
/// git or without history.
pub fn read(root: &Path) -> Ledger {
    let shallow = match git(root, &["rev-parse", "--is-shallow-repository"]) {
        Ok(out) => out.trim() == "true",
        Err(GitError::Missing) => return off("`git` is not installed"),
        Err(GitError::Failed(_)) => return off("the site is not in a git repository"),
    };
    let log = match git(
        root,
        &[
            "log",
            "--reverse",
            "-M",
            "--raw",
            "--no-abbrev",
            "--no-color",
            "--format=%x00%H %as %aN",
            "--relative",
            "--",
            FOLDER,
        ],
    ) {
        Ok(log) => log,
        Err(_) => return off("git history cannot be read (the repository may have no commits yet)"),
    };
    let commits = parse_log(&log);
    // In the order of history: versions of one file sit near each other in
    // git's packs, so its delta cache serves them.
    let mut seen = HashSet::new();
    let wanted = commits
        .iter()
        .flat_map(|c| &c.changes)
        .flat_map(|ch| [ch.old_blob.as_deref(), ch.new_blob.as_deref()])
        .flatten()
        .filter(|id| seen.insert(*id));
    let versions = match read_blobs(root, wanted) {
        Ok(versions) => versions,
        Err(reason) => return off(&reason),
    };
    let mut ledger = replay(&commits, &versions);
    ledger.state = if shallow { LedgerState::Shallow } else { LedgerState::On };
    ledger
}

fn off(reason: &str) -> Ledger {
    Ledger {
        state: LedgerState::Off(reason.to_string()),
        ..Ledger::default()
    }
}

/// One commit of the log with the commitment files it touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawCommit {
    pub commit: Arc<Commit>,
    pub changes: Vec<RawChange>,
}

/// One line of `--raw` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawChange {
    /// `A`, `M`, `D`, `R`, `C` or `T`.
    pub status: char,
    /// `None` for the all-zero id (no file on that side).
    pub old_blob: Option<String>,
    pub new_blob: Option<String>,
    /// The path after the commit (before it, for a deletion).
    pub path: String,
    /// For renames and copies, the path before.
    pub from: Option<String>,
}

/// Parses `git log --raw --format=%x00%H %as %aN` output.
pub(crate) fn parse_log(log: &str) -> Vec<RawCommit> {
    let mut out = Vec::new();
    for chunk in log.split('\0').filter(|c| !c.trim().is_empty()) {
        let mut lines = chunk.lines();
        let Some(header) = lines.next() else { continue };
        let mut parts = header.splitn(3, ' ');
        let (Some(hash), Some(date), author) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let Ok(date) = Date::parse(date) else { continue };
        let commit = Arc::new(Commit {
            hash: hash.to_string(),
            date,
            author: author.unwrap_or_default().trim().to_string(),
        });
        let changes = lines.filter_map(parse_raw_line).collect();
        out.push(RawCommit { commit, changes });
    }
    out
}

/// `:100644 100644 <old> <new> M\tpath` (renames: `R087\told\tnew`).
pub(crate) fn parse_raw_line(line: &str) -> Option<RawChange> {
    let line = line.strip_prefix(':')?;
    let (meta, paths) = line.split_once('\t')?;
    let mut fields = meta.split_whitespace();
    let (old_mode, new_mode) = (fields.next()?, fields.next()?);
    let (old_blob, new_blob) = (fields.next()?, fields.next()?);
    let status = fields.next()?.chars().next()?;
    // Only files: symlinks (120000) and submodules (160000) hold no record.
    let is_file = |mode: &str| mode.starts_with("100");
    if !is_file(old_mode) && !is_file(new_mode) {
        return None;
    }
    let blob = |id: &str| (!id.bytes().all(|b| b == b'0')).then(|| id.to_string());
    let (from, path) = match paths.split_once('\t') {
        Some((from, to)) if matches!(status, 'R' | 'C') => (Some(unquote(from)), unquote(to)),
        _ => (None, unquote(paths)),
    };
    Some(RawChange {
        status,
        old_blob: blob(old_blob),
        new_blob: blob(new_blob),
        path,
        from,
    })
}

/// Object ids to values. Ids are hashes already, so a cheap hash of their
/// text spreads them as well as SipHash does, at a fraction of the cost
/// (the ledger looks up tens of thousands).
pub(crate) type IdMap<V> = HashMap<String, V, BuildHasherDefault<IdHasher>>;

/// FNV-1a, for object ids.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Default for IdHasher {
    fn default() -> IdHasher {
        IdHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Reads the blobs `ids` with one `git cat-file --batch` and keeps the
/// front matter of each.
pub(crate) fn read_blobs<'a>(
    root: &Path,
    ids: impl IntoIterator<Item = &'a str>,
) -> Result<IdMap<Arc<Version>>, String> {
    let mut input = String::new();
    let mut count = 0;
    for id in ids {
        input.push_str(id);
        input.push('\n');
        count += 1;
    }
    let mut versions = IdMap::with_capacity_and_hasher(count, BuildHasherDefault::default());
    if count == 0 {
        return Ok(versions);
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        // `--buffer`: without it git flushes after every object.
        .args(["cat-file", "--batch", "--buffer"])
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| format!("`git cat-file` could not start ({err})"))?;
    let mut stdin = child.stdin.take().ok_or("`git cat-file` has no input")?;
    // Written from another thread: git answers while it reads, and a full
    // pipe on either side would otherwise stop both.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let stdout = child.stdout.take().ok_or("`git cat-file` has no output")?;
    widen_pipe(&stdout);
    let mut reader = BufReader::with_capacity(1 << 20, stdout);
    let mut header = Vec::new();
    let mut front = Vec::new();
    loop {
        header.clear();
        if reader.read_until(b'\n', &mut header).map_err(|e| e.to_string())? == 0 {
            break;
        }
        let header = String::from_utf8_lossy(&header);
        let mut parts = header.split_whitespace();
        let (Some(id), Some(kind)) = (parts.next(), parts.next()) else {
            continue;
        };
        if kind == "missing" {
            continue;
        }
        let size: usize = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        read_front_matter(&mut reader, size, &mut front)?;
        let text = String::from_utf8_lossy(&front);
        versions.insert(id.to_string(), Arc::new(Version::of_file(&text)));
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(versions)
}

/// Asks for a 1 MB pipe (Linux), so that git and the reader take turns a
/// few hundred times instead of a few thousand; the default stays if the
/// system refuses.
#[cfg(target_os = "linux")]
fn widen_pipe(pipe: &std::process::ChildStdout) {
    use std::os::fd::AsRawFd;
    // SAFETY: F_SETPIPE_SZ only resizes the pipe behind a descriptor we own.
    unsafe {
        libc::fcntl(pipe.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20);
    }
}

#[cfg(not(target_os = "linux"))]
fn widen_pipe(_pipe: &std::process::ChildStdout) {}

/// Reads one blob of `size` bytes (and the newline after it) from the
/// batch output, keeping in `front` only its front matter: the body is
/// skipped in the reader's buffer, never copied or decoded.
fn read_front_matter(reader: &mut impl BufRead, size: usize, front: &mut Vec<u8>) -> Result<(), String> {
    front.clear();
    let mut remaining = size + 1;
    let mut done = false;
    while remaining > 0 {
        let buf = reader.fill_buf().map_err(|e| e.to_string())?;
        if buf.is_empty() {
            return Err("`git cat-file` stopped in the middle of a file".to_string());
        }
        let take = buf.len().min(remaining);
        if !done {
            // The content, without the newline that ends each object.
            let content = take.min(remaining.saturating_sub(1));
            front.extend_from_slice(&buf[..content]);
            match front_matter_end(front) {
                Scan::End(end) => {
                    front.truncate(end);
                    done = true;
                }
                Scan::None => {
                    front.clear();
                    done = true;
                }
                Scan::More if front.len() > MAX_FRONT_MATTER => {
                    front.clear();
                    done = true;
                }
                Scan::More => {}
            }
        }
        reader.consume(take);
        remaining -= take;
    }
    Ok(())
}

/// More front matter than any record has: the file is not read further.
const MAX_FRONT_MATTER: usize = 1 << 16;

/// How far the front matter of the start of a file goes.
enum Scan {
    /// It ends with the fence line that ends at this offset.
    End(usize),
    /// The file does not start with a fence.
    None,
    /// No closing fence yet.
    More,
}

fn front_matter_end(bytes: &[u8]) -> Scan {
    let mut start = 0;
    let mut first = true;
    while let Some(newline) = bytes[start..].iter().position(|&b| b == b'\n') {
        let end = start + newline + 1;
        let line = bytes[start..end].trim_ascii_end();
        if first {
            let line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
            if line != b"---" {
                return Scan::None;
            }
        } else if line == b"---" || line == b"..." {
            return Scan::End(end);
        }
        first = false;
        start = end;
    }
    Scan::More
}

/// What one change does to one record, found in the first pass.
struct Step<'a> {
    commit: &'a Arc<Commit>,
    event: Event,
    /// The path after the change (before it, for a deletion).
    path: &'a str,
    old: Option<Arc<Version>>,
    new: Option<Arc<Version>>,
}

/// Where a record ends up.
struct Place {
    path: String,
    present: bool,
}

/// What the second pass made of one record.
#[derive(Default)]
struct Replayed {
    entries: Vec<Entry>,
    /// Each quiet change with the title and owner it was made under.
    quiet: Vec<(String, Option<String>, QuietChange)>,
    /// Set when the file was last deleted while open.
    removal: Option<Removed>,
}

/// Replays the commits, oldest first, into the ledger: a first pass
/// decides which record each change belongs to (following renames and
/// restorations), then each record's changes are compared on its own, in
/// parallel.
pub(crate) fn replay(commits: &[RawCommit], versions: &IdMap<Arc<Version>>) -> Ledger {
    let mut steps: Vec<Vec<Step<'_>>> = Vec::new();
    let mut places: Vec<Place> = Vec::new();
    let mut live: HashMap<&str, usize> = HashMap::new();
    let mut gone: HashMap<&str, usize> = HashMap::new();
    let version = |id: &Option<String>| id.as_ref().and_then(|id| versions.get(id.as_str())).cloned();
    for raw in commits {
        // Deletions and renames free their paths before additions take them.
        let mut changes: Vec<&RawChange> = raw.changes.iter().collect();
        changes.sort_by_key(|c| !matches!(c.status, 'D' | 'R'));
        for change in changes {
            let path = change.path.as_str();
            let (id, event) = match change.status {
                'D' => {
                    let Some(id) = live.remove(path) else { continue };
                    gone.insert(path, id);
                    (id, Event::Deleted)
                }
                'R' => {
                    let from = change.from.as_deref().unwrap_or_default();
                    let id = match live.remove(from) {
                        Some(id) => id,
                        None => new_record(&mut steps, &mut places, path),
                    };
                    live.insert(path, id);
                    (id, Event::Renamed { from: from.to_string() })
                }
                'A' | 'C' => match (gone.remove(path), live.get(path)) {
                    (Some(id), _) => {
                        live.insert(path, id);
                        (id, Event::Restored)
                    }
                    (None, Some(&id)) => (id, Event::Changed),
                    (None, None) => {
                        let id = new_record(&mut steps, &mut places, path);
                        live.insert(path, id);
                        (id, Event::Created)
                    }
                },
                _ => match live.get(path) {
                    Some(&id) => (id, Event::Changed),
                    None => {
                        let id = new_record(&mut steps, &mut places, path);
                        live.insert(path, id);
                        (id, Event::Changed)
                    }
                },
            };
            places[id] = Place {
                path: path.to_string(),
                present: event != Event::Deleted,
            };
            steps[id].push(Step {
                commit: &raw.commit,
                event,
                path,
                old: version(&change.old_blob),
                new: version(&change.new_blob),
            });
        }
    }

    let replayed: Vec<Replayed> = steps
        .par_iter()
        .map_init(Values::new, |values, steps| replay_record(steps, values))
        .collect();

    let mut ledger = Ledger::default();
    let mut removed = Vec::new();
    let mut quiet = Vec::new();
    for (place, record) in places.iter().zip(replayed) {
        for (title, owner, change) in record.quiet {
            quiet.push(QuietEntry {
                path: place.path.clone(),
                present: place.present,
                title,
                owner,
                change,
            });
        }
        if place.present {
            ledger.records.insert(
                place.path.clone(),
                Record {
                    entries: record.entries,
                },
            );
        } else if let Some(removal) = record.removal {
            removed.push(removal);
        }
    }
    removed.sort_by(|a, b| b.commit.date.cmp(&a.commit.date).then_with(|| a.path.cmp(&b.path)));
    ledger.removed = removed;
    // Newest first: by date, then by the commit's place in the history.
    let order: HashMap<&str, usize> = commits
        .iter()
        .enumerate()
        .map(|(i, c)| (c.commit.hash.as_str(), i))
        .collect();
    quiet.sort_by(|a, b| {
        let place = |q: &QuietEntry| order.get(q.change.commit.as_str()).copied().unwrap_or(0);
        (b.change.date, place(b))
            .cmp(&(a.change.date, place(a)))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.change.field.cmp(&b.change.field))
    });
    ledger.quiet = quiet;
    ledger
}

/// Starts a record at `path`.
fn new_record(steps: &mut Vec<Vec<Step<'_>>>, places: &mut Vec<Place>, path: &str) -> usize {
    steps.push(Vec::new());
    places.push(Place {
        path: path.to_string(),
        present: true,
    });
    steps.len() - 1
}

/// Compares each version of one record with the one before it.
fn replay_record(steps: &[Step<'_>], values: &mut Values) -> Replayed {
    let mut out = Replayed::default();
    let mut last: Option<Arc<Version>> = None;
    for step in steps {
        let commit = step.commit;
        // Compare with the version this commit's diff names, or, when that
        // one could not be read, with the last that could.
        let before = step.old.clone().filter(|v| v.readable).or_else(|| last.clone());
        let new = step.new.clone().filter(|v| v.readable);
        let (comparison, shown) = match (&step.event, &before, &new) {
            (Event::Deleted, Some(before), _) => {
                out.removal = None;
                let mut comparison = Comparison::default();
                if before.is_open(values) {
                    let title = before.text(values, "title").unwrap_or_default();
                    out.removal = Some(Removed {
                        path: step.path.to_string(),
                        title: title.clone(),
                        owner: before.text(values, "owner"),
                        due: before.effective_due(values),
                        commit: Arc::clone(commit),
                    });
                    comparison.quiet.push(rules::Quiet {
                        rule: QuietRule::Removed,
                        field: "file".to_string(),
                        old: Some(title),
                        new: None,
                        index: None,
                    });
                }
                (comparison, Some(Arc::clone(before)))
            }
            (Event::Created, _, Some(new)) | (_, None, Some(new)) => (rules::created(new, values), Some(new.clone())),
            (_, Some(before), Some(new)) => (rules::compare(before, new, values), Some(new.clone())),
            _ => (Comparison::default(), None),
        };
        if step.event == Event::Restored {
            out.removal = None;
        }
        if let Some(new) = new {
            last = Some(new);
        }
        // The first commit of a file makes the record: nothing in it is quiet.
        let quiet: Vec<QuietChange> = match step.event {
            Event::Created => Vec::new(),
            _ => comparison
                .quiet
                .iter()
                .map(|q| QuietChange {
                    date: commit.date,
                    commit: commit.hash.clone(),
                    author: commit.author.clone(),
                    field: q.field.clone(),
                    old: q.old.clone(),
                    new: q.new.clone(),
                    rule: q.rule,
                })
                .collect(),
        };
        if let Some(version) = &shown
            && !quiet.is_empty()
        {
            let title = version.text(values, "title").unwrap_or_default();
            let owner = version.text(values, "owner");
            for change in &quiet {
                out.quiet.push((title.clone(), owner.clone(), change.clone()));
            }
        }
        // A commit that changed only the body is not part of the record.
        if !comparison.changes.is_empty() || !quiet.is_empty() || step.event != Event::Changed {
            out.entries.push(Entry {
                commit: Arc::clone(commit),
                event: step.event.clone(),
                changes: comparison.changes,
                quiet,
            });
        }
    }
    out
}

/// Why a git command gave nothing.
#[derive(Debug)]
pub(crate) enum GitError {
    /// `git` could not be started.
    Missing,
    /// It ran and failed, with what it said.
    Failed(String),
}

/// Runs git in `root` and returns its output.
pub(crate) fn git(root: &Path, args: &[&str]) -> Result<String, GitError> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|_| GitError::Missing)?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(GitError::Failed(
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
        ))
    }
}

/// Git quotes paths with unusual characters (`"caf\303\251.md"`).
pub(crate) fn unquote(path: &str) -> String {
    let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return path.to_string();
    };
    let mut bytes = Vec::with_capacity(inner.len());
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next() {
            Some(d @ b'0'..=b'7') => {
                let mut value = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&next @ b'0'..=b'7') = chars.peek() {
                        value = value * 8 + u32::from(next - b'0');
                        chars.next();
                    }
                }
                bytes.push(value as u8);
            }
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(other) => bytes.push(other),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(n: u8) -> String {
        format!("{n:040}")
    }

    fn commit(hash: &str, date: &str, changes: Vec<RawChange>) -> RawCommit {
        RawCommit {
            commit: Arc::new(Commit {
                hash: hash.to_string(),
                date: Date::parse(date).unwrap(),
                author: "Ada".to_string(),
            }),
            changes,
        }
    }

    fn change(status: char, old: Option<u8>, new: Option<u8>, path: &str, from: Option<&str>) -> RawChange {
        RawChange {
            status,
            old_blob: old.map(blob),
            new_blob: new.map(blob),
            path: path.to_string(),
            from: from.map(str::to_string),
        }
    }

    #[test]
    fn only_the_front_matter_of_each_blob_is_kept() {
        let objects = [
            "---\ntitle: A\ndue: 2026-01-30\n---\nA long body.\n",
            "no front matter\n",
            "---\r\ntitle: C\r\n---\r\nBody\r\n",
            "---\ntitle: B\n---",
        ];
        let batch: String = objects.iter().map(|o| format!("{o}\n")).collect();
        // A small buffer, so that files straddle its refills.
        let mut reader = BufReader::with_capacity(8, batch.as_bytes());
        let mut front = Vec::new();
        let mut got = Vec::new();
        for object in objects {
            read_front_matter(&mut reader, object.len(), &mut front).unwrap();
            got.push(String::from_utf8(front.clone()).unwrap());
        }
        assert_eq!(
            got,
            [
                "---\ntitle: A\ndue: 2026-01-30\n---\n",
                "",
                "---\r\ntitle: C\r\n---\r\n",
                "---\ntitle: B\n---"
            ]
        );
        assert!(reader.fill_buf().unwrap().is_empty(), "every byte was read");
        assert!(Version::of_file(&got[3]).readable);
    }

    #[test]
    fn raw_lines() {
        let log = "\u{0}abc123 2026-01-10 Ada Lovelace\n\n:000000 100644 0000000000000000000000000000000000000000 1111111111111111111111111111111111111111 A\tcontent/commitments/a.md\n\u{0}def456 2026-02-01 Bob\n\n:100644 100644 1111111111111111111111111111111111111111 2222222222222222222222222222222222222222 R087\tcontent/commitments/a.md\tcontent/commitments/b.md\n:120000 120000 3333333333333333333333333333333333333333 4444444444444444444444444444444444444444 M\tcontent/commitments/link.md\n";
        let commits = parse_log(log);
        assert_eq!(commits.len(), 2);
        assert_eq!(commits[0].commit.author, "Ada Lovelace");
        assert_eq!(commits[0].changes[0].status, 'A');
        assert_eq!(commits[0].changes[0].old_blob, None);
        let rename = &commits[1].changes;
        assert_eq!(rename.len(), 1, "the symlink is not a record");
        assert_eq!(rename[0].status, 'R');
        assert_eq!(rename[0].from.as_deref(), Some("content/commitments/a.md"));
        assert_eq!(rename[0].path, "content/commitments/b.md");
    }

    #[test]
    fn replay_follows_renames_and_finds_removed_promises() {
        let v = |yaml: &str| Arc::new(Version::of_yaml(yaml));
        let versions: IdMap<Arc<Version>> = [
            (blob(1), v("title: A\nowner: sales\ndue: 2026-03-01\n")),
            (blob(2), v("title: A\nowner: sales\ndue: 2026-04-01\n")),
            (blob(3), v("title: B\nowner: support\ndue: 2026-05-01\n")),
            (
                blob(4),
                v("title: C\nowner: support\ndue: 2026-05-01\ndelivered: 2026-04-30\n"),
            ),
        ]
        .into_iter()
        .collect();
        let commits = vec![
            commit(
                "c1",
                "2026-01-01",
                vec![
                    change('A', None, Some(1), "content/commitments/a.md", None),
                    change('A', None, Some(3), "content/commitments/b.md", None),
                    change('A', None, Some(4), "content/commitments/c.md", None),
                ],
            ),
            commit(
                "c2",
                "2026-02-01",
                vec![change(
                    'R',
                    Some(1),
                    Some(2),
                    "content/commitments/a2.md",
                    Some("content/commitments/a.md"),
                )],
            ),
            commit(
                "c3",
                "2026-03-01",
                vec![
                    change('D', Some(3), None, "content/commitments/b.md", None),
                    change('D', Some(4), None, "content/commitments/c.md", None),
                ],
            ),
        ];
        let ledger = replay(&commits, &versions);
        let record = &ledger.records["content/commitments/a2.md"];
        let events: Vec<&str> = record.entries.iter().map(|e| e.event.name()).collect();
        assert_eq!(events, ["created", "renamed"]);
        let quiet = record.quiet_changes();
        assert_eq!(quiet.len(), 1);
        assert_eq!(
            (quiet[0].rule, quiet[0].field.as_str(), quiet[0].commit.as_str()),
            (QuietRule::Due, "due", "c2")
        );
        // The open promise deleted is removed; the delivered one is not.
        assert_eq!(ledger.removed.len(), 1);
        assert_eq!(ledger.removed[0].title, "B");
        assert_eq!(ledger.removed[0].owner.as_deref(), Some("support"));
        let fields: Vec<(&str, bool)> = ledger
            .quiet
            .iter()
            .map(|q| (q.change.field.as_str(), q.present))
            .collect();
        assert_eq!(fields, [("file", false), ("due", true)]);
        assert_eq!(ledger.quiet[1].path, "content/commitments/a2.md");
    }
}
