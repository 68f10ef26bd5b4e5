//! When each file last changed, from git history, gathered in one pass.
//!
//! One `git log` process lists every commit touching the site with the
//! files it changed, newest first; the first date seen for a path is its
//! last change. This runs at load time (it reads the repository, so it
//! belongs with the reading stage). A site outside git, or a machine
//! without git, simply has no dates: pages then omit "last updated".

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use crate::date::Date;

/// What git knows about the site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitInfo {
    /// Last commit date of each file, by path relative to the site root.
    pub dates: HashMap<String, Date>,
    /// The site root's path inside the repository (`docs/site/`, or empty).
    pub prefix: String,
}

/// Reads the history of the site at `root`; empty when there is none.
pub fn history(root: &Path) -> GitInfo {
    let Some(prefix) = run(root, &["rev-parse", "--show-prefix"]) else {
        return GitInfo::default();
    };
    let Some(log) = run(
        root,
        &[
            "log",
            "--relative",
            "--no-renames",
            "--format=%x00%cs",
            "--name-only",
            "--",
            ".",
        ],
    ) else {
        return GitInfo::default();
    };
    GitInfo {
        dates: parse_log(&log),
        prefix: prefix.trim().to_string(),
    }
}

fn run(root: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Parses `git log --format=%x00%cs --name-only` output: each commit is a NUL,
/// its date, and the paths it touched. Newest commits come first, so the
/// first date seen for a path is its last change.
fn parse_log(log: &str) -> HashMap<String, Date> {
    let mut dates = HashMap::new();
    for commit in log.split('\0').filter(|c| !c.trim().is_empty()) {
        let mut lines = commit.lines();
        let Some(date) = lines.next().and_then(|d| Date::parse(d).ok()) else {
            continue;
        };
        for path in lines.map(str::trim).filter(|p| !p.is_empty()) {
            dates.entry(unquote(path)).or_insert(date);
        }
    }
    dates
}

/// Git quotes paths with unusual characters (`"caf\303\251.md"`).
fn unquote(path: &str) -> String {
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

    #[test]
    fn newest_date_wins() {
        let log = "\u{0}2026-03-02\n\ncontent/a.md\ncontent/b.md\n\u{0}2026-01-15\n\ncontent/a.md\ncontent/c.md\n";
        let dates = parse_log(log);
        assert_eq!(dates["content/a.md"].to_string(), "2026-03-02");
        assert_eq!(dates["content/b.md"].to_string(), "2026-03-02");
        assert_eq!(dates["content/c.md"].to_string(), "2026-01-15");
    }

    #[test]
    fn quoted_paths() {
        assert_eq!(unquote("\"caf\\303\\251.md\""), "café.md");
        assert_eq!(unquote("plain.md"), "plain.md");
    }

    #[test]
    fn outside_git_there_is_nothing() {
        let dir = std::env::temp_dir().join(format!("rapport-git-none-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A folder under /tmp is not inside a repository (unless /tmp is).
        let info = history(&dir);
        assert!(info.dates.is_empty());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
