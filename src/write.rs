//! Putting a rendered site on disk: the only code that writes output.
//!
//! The site is written into a staging folder beside the output folder
//! (`.<name>.rapport-new-<pid>`) and then swapped in, so a reader (or a web
//! server) sees either the old site or the new one, and a failed build never
//! touches the last good site. On Linux the swap is one atomic exchange
//! (`renameat2` with `RENAME_EXCHANGE`), so even a build killed mid-swap
//! leaves a whole site at the output path; elsewhere, or on a file system
//! without the exchange, it is two renames (the old site is moved aside to
//! `.<name>.rapport-old-<pid>` first). A build that is killed leaves its
//! staging folders behind; the next build removes those whose process is
//! gone.
//!
//! Before anything is written, the output folder is checked: it may not be
//! the site root, `/`, the home folder, a folder holding `content/`, or a
//! folder inside `content/`, `themes/` or `scripts/`; an existing non-empty
//! folder is replaced only if rapport wrote it (it holds the marker file
//! [`MARKER`]).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The file rapport leaves in every output folder it writes.
pub(crate) const MARKER: &str = ".rapport-output";

#[cfg(test)]
/// Writes `files` (output path, bytes) as the new contents of `out`,
/// atomically replacing it.
pub(crate) fn write_site(root: &Path, out: &Path, files: &[(&str, &[u8])]) -> Result<()> {
    let staged = StagedSite::create(root, out)?;
    staged.write_all(files)?;
    staged.publish()
}

/// A new site being written into its staging folder beside the output
/// folder. Files may be written from many threads at once; `publish` swaps
/// the folder in, and a staged site dropped unpublished (a build with
/// errors, a failed write) is removed, leaving the last good site as it was.
#[derive(Debug)]
pub(crate) struct StagedSite {
    staging: PathBuf,
    out: PathBuf,
    retired: PathBuf,
    published: bool,
}

impl StagedSite {
    /// Checks `out` (see [`check_output_dir`]), removes the staging folders
    /// of killed builds, and creates this build's.
    pub(crate) fn create(root: &Path, out: &Path) -> Result<StagedSite> {
        let out = absolute(out)?;
        check_output_dir(root, &out)?;
        let parent = out
            .parent()
            .with_context(|| format!("output folder `{}` has no parent folder", out.display()))?;
        fs::create_dir_all(parent).with_context(|| format!("failed to create `{}`", parent.display()))?;
        let name = out
            .file_name()
            .with_context(|| format!("output folder `{}` has no name", out.display()))?
            .to_string_lossy()
            .into_owned();
        remove_stale_staging(parent, &name)?;
        let pid = std::process::id();
        let staged = StagedSite {
            staging: parent.join(staging_name(&name, Staging::New, pid)),
            retired: parent.join(staging_name(&name, Staging::Old, pid)),
            out,
            published: false,
        };
        fs::create_dir_all(&staged.staging)
            .with_context(|| format!("failed to create `{}`", staged.staging.display()))?;
        fs::write(
            staged.staging.join(MARKER),
            "This folder is written by rapport and replaced on every build.\n",
        )
        .with_context(|| format!("failed to write into `{}`", staged.staging.display()))?;
        Ok(staged)
    }

    /// Writes one file at output path `rel`.
    pub(crate) fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = safe_join(&self.staging, rel)?;
        if let Err(err) = fs::write(&path, bytes) {
            // Most files go into a folder of their own: create it on demand.
            if err.kind() != io::ErrorKind::NotFound {
                return Err(err).with_context(|| format!("failed to write `{}`", path.display()));
            }
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).with_context(|| format!("failed to create `{}`", parent.display()))?;
            }
            fs::write(&path, bytes).with_context(|| format!("failed to write `{}`", path.display()))?;
        }
        Ok(())
    }

    /// Writes `files`, in parallel.
    #[cfg(test)]
    pub(crate) fn write_all(&self, files: &[(&str, &[u8])]) -> Result<()> {
        use rayon::prelude::*;
        files.par_iter().try_for_each(|(rel, bytes)| self.write(rel, bytes))
    }

    /// Swaps the staged site in as the output folder.
    pub(crate) fn publish(mut self) -> Result<()> {
        // Whatever happens in the swap, the folders are left for the next
        // build to tidy: removing one now could remove the only whole site.
        self.published = true;
        swap_in(&self.staging, &self.out, &self.retired)
    }
}

impl Drop for StagedSite {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// The two kinds of folder a build keeps beside the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Staging {
    /// The new site while it is written.
    New,
    /// The old site on its way out (two-rename swap only).
    Old,
}

fn staging_name(name: &str, kind: Staging, pid: u32) -> String {
    let kind = match kind {
        Staging::New => "new",
        Staging::Old => "old",
    };
    format!(".{name}.rapport-{kind}-{pid}")
}

/// The kind and writer of a folder named by [`staging_name`] for `name`.
fn parse_staging_name(file_name: &str, name: &str) -> Option<(Staging, u32)> {
    let rest = file_name
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix(".rapport-")?;
    let (kind, pid) = rest.split_once('-')?;
    let kind = match kind {
        "new" => Staging::New,
        "old" => Staging::Old,
        _ => return None,
    };
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((kind, pid.parse().ok()?))
}

/// Removes the staging folders that earlier builds into `parent/name` left
/// when they were killed: folders named the way rapport names them whose
/// writer is no longer running (or is this process, which has not started
/// writing yet). A folder of a build still running is left alone, and so is
/// anything named otherwise. Returns how many were removed.
fn remove_stale_staging(parent: &Path, name: &str) -> Result<usize> {
    let own = std::process::id();
    let mut removed = 0;
    let entries = fs::read_dir(parent).with_context(|| format!("failed to read `{}`", parent.display()))?;
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some((_, pid)) = file_name.to_str().and_then(|f| parse_staging_name(f, name)) else {
            continue;
        };
        // Not following symlinks: only a real folder is rapport's.
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        if pid == own || !process_alive(pid) {
            let path = entry.path();
            fs::remove_dir_all(&path).with_context(|| {
                format!(
                    "failed to remove `{}`, left by a build that was stopped",
                    path.display()
                )
            })?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Whether process `pid` is still running. Unknown means running, so that
/// nothing of a live build is ever removed.
pub(crate) fn process_alive(pid: u32) -> bool {
    // 0 and negative numbers name process groups for kill(2), never one process.
    if pid == 0 || i32::try_from(pid).is_err() {
        return true;
    }
    #[cfg(target_os = "linux")]
    if Path::new("/proc/self/stat").exists() {
        // A killed process stays a zombie until its parent waits for it; it
        // writes nothing more, so it counts as gone. The state follows the
        // command name, which may itself hold `)`.
        return match fs::read_to_string(format!("/proc/{pid}/stat")) {
            Ok(stat) => {
                let state = stat
                    .rsplit_once(')')
                    .and_then(|(_, rest)| rest.trim_start().chars().next());
                !matches!(state, Some('Z' | 'X'))
            }
            Err(_) => false,
        };
    }
    #[cfg(unix)]
    {
        // SAFETY: kill with signal 0 only checks that `pid` exists; the pid
        // is positive, so it names one process and never a group.
        let found = unsafe { libc::kill(pid as libc::pid_t, 0) } == 0;
        found || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Puts the finished staging folder at `out`, replacing the old site.
fn swap_in(staging: &Path, out: &Path, retired: &Path) -> Result<()> {
    if fs::symlink_metadata(out).is_err() {
        return fs::rename(staging, out)
            .with_context(|| format!("failed to move the new site into `{}`", out.display()));
    }
    match exchange(staging, out) {
        Ok(()) => {
            failpoint("after-first-rename");
            // The staging name now holds the old site.
            return remove_old_site(staging);
        }
        Err(err) if !exchange_unsupported(&err) => {
            return Err(err).with_context(|| format!("failed to swap the new site into `{}`", out.display()));
        }
        Err(_) => {}
    }
    swap_with_renames(staging, out, retired)
}

/// The swap where there is no atomic exchange: the old site aside, then the
/// new one in. A crash between the two leaves no folder at `out` until the
/// next build.
fn swap_with_renames(staging: &Path, out: &Path, retired: &Path) -> Result<()> {
    fs::rename(out, retired).with_context(|| format!("failed to move the old site `{}` aside", out.display()))?;
    failpoint("after-first-rename");
    if let Err(err) = fs::rename(staging, out) {
        // Put the old site back rather than leave nothing.
        let _ = fs::rename(retired, out);
        return Err(err).with_context(|| format!("failed to move the new site into `{}`", out.display()));
    }
    remove_old_site(retired)
}

/// Removes the old site's folder, its folders in parallel (a site of
/// 10,000 items is some 18,000 files in as many folders: removing them one
/// by one was a tenth of a build).
fn remove_old_site(folder: &Path) -> Result<()> {
    remove_tree(folder).with_context(|| format!("failed to remove the old site `{}`", folder.display()))
}

/// `fs::remove_dir_all`, each folder's entries in parallel. A symbolic
/// link is removed, never followed.
fn remove_tree(folder: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let entries: Vec<fs::DirEntry> = fs::read_dir(folder)?.collect::<io::Result<_>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            remove_tree(&entry.path())
        } else {
            fs::remove_file(entry.path())
        }
    })?;
    fs::remove_dir(folder)
}

/// Swaps two existing paths in one step (`renameat2(RENAME_EXCHANGE)`).
#[cfg(all(target_os = "linux", any(target_env = "gnu", target_env = "musl")))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;

    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are NUL-terminated paths that live across the call;
    // AT_FDCWD makes relative paths relative to the current folder.
    let status = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if status == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(all(target_os = "linux", any(target_env = "gnu", target_env = "musl"))))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// The file system or kernel has no atomic exchange: use two renames.
fn exchange_unsupported(err: &io::Error) -> bool {
    if err.kind() == io::ErrorKind::Unsupported {
        return true;
    }
    #[cfg(unix)]
    if let Some(code) = err.raw_os_error() {
        return [libc::EINVAL, libc::ENOSYS, libc::EOPNOTSUPP, libc::ENOTSUP].contains(&code);
    }
    false
}

/// For tests only: `RAPPORT_FAILPOINT=<name>` stops the process dead at
/// the point called `name`, as `kill -9` would, so a test can crash a build
/// at the one moment a random kill almost never hits. Read nowhere else.
fn failpoint(name: &str) {
    if std::env::var_os("RAPPORT_FAILPOINT").is_some_and(|v| v == name) {
        #[cfg(unix)]
        // SAFETY: sends SIGKILL to this process; nothing runs after it.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
        std::process::abort();
    }
}

/// Joins an output-relative path, refusing anything that would leave `dir`.
fn safe_join(dir: &Path, rel: &str) -> Result<PathBuf> {
    let mut path = dir.to_path_buf();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => bail!("output path `{rel}` leaves the output folder"),
            p if p.contains('\\') || p.contains('\0') => bail!("output path `{rel}` has a forbidden character"),
            p => path.push(p),
        }
    }
    Ok(path)
}

fn absolute(path: &Path) -> Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .context("failed to read the current folder")?
            .join(path)
    };
    Ok(normalize(&joined))
}

/// Removes `.` and `..` without touching the file system (the output
/// folder may not exist yet); resolves symlinks of the existing prefix.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c.as_os_str()),
        }
    }
    out
}

fn canonical_or_same(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Refuses output folders whose replacement would destroy something.
pub(crate) fn check_output_dir(root: &Path, out: &Path) -> Result<()> {
    let root = canonical_or_same(&absolute(root)?);
    let out = match out.parent() {
        // Resolve symlinks in the existing part of the path.
        Some(parent) if parent.exists() => canonical_or_same(parent).join(out.file_name().unwrap_or_default()),
        _ => out.to_path_buf(),
    };
    if out.parent().is_none() {
        bail!("refusing to write the site into `/`; choose an output folder such as `public/`");
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && canonical_or_same(&home) == out
    {
        bail!("refusing to write the site into your home folder; choose an output folder such as `public/`");
    }
    if out == root {
        bail!(
            "refusing to write the site into its own root `{}`; choose an output folder such as `public/`",
            out.display()
        );
    }
    if root.starts_with(&out) {
        bail!(
            "refusing to write the site into `{}`, which contains the site root",
            out.display()
        );
    }
    if out.join("content").is_dir() {
        bail!(
            "refusing to write the site into `{}`: it holds a `content/` folder",
            out.display()
        );
    }
    for protected in ["content", "themes", "scripts"] {
        if out.starts_with(root.join(protected)) {
            bail!(
                "refusing to write the site inside `{protected}/`; rapport never writes there. Choose an output folder such as `public/`"
            );
        }
    }
    if out.exists() {
        if !out.is_dir() {
            bail!("output `{}` exists and is not a folder", out.display());
        }
        let empty = fs::read_dir(&out)
            .with_context(|| format!("failed to read `{}`", out.display()))?
            .next()
            .is_none();
        if !empty && !out.join(MARKER).exists() {
            bail!(
                "refusing to replace `{}`: it is not empty and was not written by rapport (no `{MARKER}` file); remove it or choose another output folder",
                out.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file<'a>(path: &'a str, text: &'a str) -> (&'a str, &'a [u8]) {
        (path, text.as_bytes())
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rapport-write-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn replaces_previous_output() {
        let root = temp_dir("replace");
        let out = root.join("public");
        write_site(&root, &out, &[file("a/index.html", "one"), file("old.html", "x")]).unwrap();
        write_site(&root, &out, &[file("a/index.html", "two")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "two");
        assert!(!out.join("old.html").exists());
        let leftovers: Vec<_> = fs::read_dir(&root).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn refuses_dangerous_outputs() {
        let root = temp_dir("refuse");
        fs::create_dir_all(root.join("content")).unwrap();
        fs::create_dir_all(root.join("precious")).unwrap();
        fs::write(root.join("precious/notes.txt"), "keep").unwrap();
        let cases = [
            (root.clone(), "its own root"),
            (root.join("content/out"), "inside `content/`"),
            (PathBuf::from("/"), "into `/`"),
            (root.join("precious"), "not written by rapport"),
            (root.parent().unwrap().to_path_buf(), "contains the site root"),
        ];
        for (out, expected) in cases {
            let err = write_site(&root, &out, &[file("index.html", "x")]).unwrap_err();
            assert!(err.to_string().contains(expected), "{}: {err}", out.display());
        }
        assert_eq!(fs::read_to_string(root.join("precious/notes.txt")).unwrap(), "keep");
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn removing_the_old_site_removes_links_without_following_them() {
        let dir = temp_dir("remove-tree");
        let outside = dir.join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("keep.txt"), "keep").unwrap();
        let old = dir.join("old");
        for folder in ["a/b/c", "a/d", "e"] {
            fs::create_dir_all(old.join(folder)).unwrap();
            fs::write(old.join(folder).join("index.html"), "x").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, old.join("a/link")).unwrap();
        remove_old_site(&old).unwrap();
        assert!(!old.exists());
        assert_eq!(fs::read_to_string(outside.join("keep.txt")).unwrap(), "keep");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn staging_names_round_trip() {
        assert_eq!(staging_name("public", Staging::New, 42), ".public.rapport-new-42");
        assert_eq!(
            parse_staging_name(".public.rapport-old-42", "public"),
            Some((Staging::Old, 42))
        );
        assert_eq!(
            parse_staging_name(".public.rapport-new-7", "public"),
            Some((Staging::New, 7))
        );
        for other in [
            ".public.rapport-new-",
            ".public.rapport-new-12x",
            ".public.rapport-new--3",
            ".public.rapport-mid-3",
            ".public.rapport-new-99999999999",
            ".publicx.rapport-new-3",
            "public.rapport-new-3",
            ".site.rapport-new-3",
            ".public.backup",
        ] {
            assert_eq!(parse_staging_name(other, "public"), None, "{other}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn stale_staging_of_dead_builds_is_removed_and_live_ones_kept() {
        let root = temp_dir("stale");
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        assert!(!process_alive(dead), "a reaped child is gone");
        let live = std::os::unix::process::parent_id();
        assert!(process_alive(live));
        let make = |name: &str| {
            fs::create_dir_all(root.join(name).join("glossary")).unwrap();
            fs::write(root.join(name).join("glossary/index.html"), "old").unwrap();
        };
        make(&staging_name("public", Staging::New, dead));
        make(&staging_name("public", Staging::Old, dead));
        make(&staging_name("public", Staging::New, live));
        make(".public.backup");
        make(&staging_name("other", Staging::New, dead));
        fs::write(
            root.join(staging_name("public", Staging::Old, 1)),
            "a file, not a folder",
        )
        .unwrap();

        let out = root.join("public");
        write_site(&root, &out, &[file("index.html", "new")]).unwrap();
        let mut left: Vec<String> = fs::read_dir(&root)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut expected = vec![
            staging_name("other", Staging::New, dead),
            ".public.backup".to_string(),
            staging_name("public", Staging::New, live),
            ".public.rapport-old-1".to_string(),
            "public".to_string(),
        ];
        expected.sort();
        assert_eq!(left, expected);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn the_two_rename_swap_replaces_the_site_too() {
        let root = temp_dir("renames");
        let out = root.join("public");
        write_site(&root, &out, &[file("a.html", "one")]).unwrap();
        let staging = root.join(".public.rapport-new-1");
        fs::create_dir_all(&staging).unwrap();
        fs::write(staging.join("b.html"), "two").unwrap();
        swap_with_renames(&staging, &out, &root.join(".public.rapport-old-1")).unwrap();
        assert_eq!(fs::read_to_string(out.join("b.html")).unwrap(), "two");
        assert!(!out.join("a.html").exists());
        let left: Vec<_> = fs::read_dir(&root).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("public")]);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn refuses_paths_that_leave_the_output() {
        assert!(safe_join(Path::new("/tmp/x"), "../etc/passwd").is_err());
        assert_eq!(
            safe_join(Path::new("/tmp/x"), "a/b.html").unwrap(),
            PathBuf::from("/tmp/x/a/b.html")
        );
    }
}
