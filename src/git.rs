//! When each file last changed, from git history, gathered in one pass.
//!
//! One `git log` process lists every commit touching the site with the
//! files it changed, newest first; the first date seen for a path is its
//! last change. This runs at load time (it reads the repository, so it
//! belongs with the reading stage). A site outside git, or a machine
//! without git, simply has no dates: pages then omit "last updated".
//!
//! [`edit_url`] turns a source path into the "edit this page" link from
//! `[repo]` in `rapport.toml`; it needs the site's place in the repository,
//! which is the other thing git tells. The promise ledger
//! ([`crate::ledger`]) is started here too, on a thread of its own that
//! keeps running while the site's files are read.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use crate::config::{LedgerConfig, RepoConfig};
use crate::date::Date;
use crate::ledger::history::unquote;
use crate::ledger::{self, Ledger, LedgerCell, LedgerState};

/// What git knows about the site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitInfo {
    /// Last commit date of each file, by path relative to the site root.
    pub dates: HashMap<String, Date>,
    /// The site root's path inside the repository (`docs/site/`, or empty).
    pub prefix: String,
    /// What the history says about each commitment record (perhaps still
    /// being read: it is waited for where it is first used).
    pub ledger: LedgerCell,
}

/// Reads the history of the site at `root`; empty when there is none.
/// The ledger's history pass starts on a thread of its own, unless
/// `[ledger] enabled = false`, and is not waited for here.
pub(crate) fn history(root: &Path, ledger_config: &LedgerConfig) -> GitInfo {
    let ledger = if ledger_config.enabled {
        let path = root.to_path_buf();
        match std::thread::Builder::new()
            .name("ledger".to_string())
            .spawn(move || ledger::history::read(&path))
        {
            Ok(reading) => LedgerCell::reading(reading),
            Err(_) => LedgerCell::ready(ledger::history::read(root)),
        }
    } else {
        LedgerCell::ready(off("`[ledger] enabled = false` in rapport.toml"))
    };
    GitInfo { ledger, ..dates(root) }
}

fn off(reason: &str) -> Ledger {
    Ledger {
        state: LedgerState::Off(reason.to_string()),
        ..Ledger::default()
    }
}

/// The last commit date of each file and the site's place in the repository.
fn dates(root: &Path) -> GitInfo {
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
        ledger: LedgerCell::default(),
    }
}

/// The branch edit links use when `[repo] branch` is empty.
pub(crate) const DEFAULT_BRANCH: &str = "main";

/// The "edit this page" link of the file at `path` (relative to the site
/// root), or `None` without `[repo] url` or `edit_url`.
///
/// `[repo] edit_url` is a template whose `{path}` becomes the file's path in
/// the repository; otherwise the link is `{url}/edit/{branch}/{path}`, as
/// GitHub, Gitea and Forgejo spell it. The path in the repository is
/// `prefix` (where the site sits in it, from [`history`]) plus `path`, each
/// segment percent-encoded.
pub(crate) fn edit_url(repo: &RepoConfig, prefix: &str, path: &str) -> Option<String> {
    let repo_path = encode_path(&format!("{prefix}{path}"));
    if !repo.edit_url.is_empty() {
        return Some(repo.edit_url.replace("{path}", &repo_path));
    }
    let url = repo.url.trim().trim_end_matches('/');
    if url.is_empty() {
        return None;
    }
    let branch = match repo.branch.trim() {
        "" => DEFAULT_BRANCH,
        branch => branch,
    };
    Some(format!("{url}/edit/{}/{repo_path}", encode_path(branch)))
}

/// The page of commit `hash` on the forge, `{url}/commit/{hash}` as
/// GitHub, Gitea, Forgejo and GitLab spell it; `None` without `[repo] url`.
pub fn commit_url(repo: &RepoConfig, hash: &str) -> Option<String> {
    let url = repo.url.trim().trim_end_matches('/');
    let plain = !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit());
    (!url.is_empty() && plain).then(|| format!("{url}/commit/{hash}"))
}

/// Percent-encodes each segment of a `/`-separated path (RFC 3986 `pchar`
/// less the few characters some forges treat specially).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b'@' | b'+' | b',' | b'=' => {
                out.push(char::from(byte))
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
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
    fn edit_urls() {
        let repo = |url: &str, branch: &str, edit_url: &str| RepoConfig {
            url: url.to_string(),
            branch: branch.to_string(),
            edit_url: edit_url.to_string(),
        };
        let cases = [
            (repo("", "", ""), "", "content/a.md", None),
            (
                repo("https://git.example.com/org/site/", "", ""),
                "",
                "content/a.md",
                Some("https://git.example.com/org/site/edit/main/content/a.md"),
            ),
            (
                repo("https://git.example.com/org/site", "trunk", ""),
                "docs/site/",
                "content/glossary/café #1.md",
                Some("https://git.example.com/org/site/edit/trunk/docs/site/content/glossary/caf%C3%A9%20%231.md"),
            ),
            (
                repo(
                    "https://ignored.example.com",
                    "main",
                    "https://gitlab.example.com/org/site/-/edit/main/{path}",
                ),
                "site/",
                "content/a.md",
                Some("https://gitlab.example.com/org/site/-/edit/main/site/content/a.md"),
            ),
        ];
        for (repo, prefix, path, expected) in cases {
            assert_eq!(
                edit_url(&repo, prefix, path).as_deref(),
                expected,
                "{repo:?} {prefix} {path}"
            );
        }
    }

    #[test]
    fn outside_git_there_is_nothing() {
        let dir = std::env::temp_dir().join(format!("rapport-git-none-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A folder under /tmp is not inside a repository (unless /tmp is).
        let info = history(&dir, &LedgerConfig::default());
        assert!(info.dates.is_empty());
        assert!(!info.ledger.is_on());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
