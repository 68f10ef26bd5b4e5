//! Putting a rendered site on disk: the only code that writes output.
//!
//! The site is written into a temporary folder beside the output folder and
//! then swapped in with renames, so a reader (or a web server) sees either
//! the old site or the new one, and a failed build never touches the last
//! good site. Before anything is written, the output folder is checked: it
//! may not be the site root, `/`, the home folder, a folder holding
//! `content/`, or a folder inside `content/`, `themes/` or `scripts/`; an
//! existing non-empty folder is replaced only if rapport wrote it (it holds
//! the marker file [`MARKER`]).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::render::OutputFile;

/// The file rapport leaves in every output folder it writes.
pub const MARKER: &str = ".rapport-output";

/// Writes `files` as the new contents of `out`, atomically replacing it.
pub fn write_site(root: &Path, out: &Path, files: &[OutputFile]) -> Result<()> {
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
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.rapport-new-{pid}"));
    let retired = parent.join(format!(".{name}.rapport-old-{pid}"));
    for leftover in [&staging, &retired] {
        if leftover.exists() {
            fs::remove_dir_all(leftover).with_context(|| format!("failed to remove `{}`", leftover.display()))?;
        }
    }
    if let Err(err) = write_tree(&staging, files) {
        let _ = fs::remove_dir_all(&staging);
        return Err(err);
    }
    if out.exists() {
        fs::rename(&out, &retired).with_context(|| format!("failed to move the old site `{}` aside", out.display()))?;
    }
    if let Err(err) = fs::rename(&staging, &out) {
        // Put the old site back rather than leave nothing.
        let _ = fs::rename(&retired, &out);
        return Err(err).with_context(|| format!("failed to move the new site into `{}`", out.display()));
    }
    if retired.exists() {
        fs::remove_dir_all(&retired)
            .with_context(|| format!("failed to remove the old site `{}`", retired.display()))?;
    }
    Ok(())
}

fn write_tree(dir: &Path, files: &[OutputFile]) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("failed to create `{}`", dir.display()))?;
    fs::write(
        dir.join(MARKER),
        "This folder is written by rapport and replaced on every build.\n",
    )
    .with_context(|| format!("failed to write into `{}`", dir.display()))?;
    for file in files {
        let path = safe_join(dir, &file.path)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("failed to create `{}`", parent.display()))?;
        }
        fs::write(&path, &file.bytes).with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    Ok(())
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
pub fn check_output_dir(root: &Path, out: &Path) -> Result<()> {
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

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.to_string(),
            bytes: text.as_bytes().to_vec(),
        }
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
    fn refuses_paths_that_leave_the_output() {
        assert!(safe_join(Path::new("/tmp/x"), "../etc/passwd").is_err());
        assert_eq!(
            safe_join(Path::new("/tmp/x"), "a/b.html").unwrap(),
            PathBuf::from("/tmp/x/a/b.html")
        );
    }
}
