//! The harness every integration test uses: a copy of a fixture site in a
//! fresh temporary folder, the real `rapport` binary run against it, and
//! assertions on what it printed and wrote.
//!
//! Calls chain and hand the test back, so a case reads top to bottom:
//! `SiteTest::new("good").build().assert_exit(0).assert_page("index.html", &["..."])`.
//! The temporary folder is removed when the test passes and kept (its path
//! printed) when it fails, so a failure can be inspected.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// "Today" for every build, so that overdue and days-late never drift.
pub const TODAY: &str = "2026-06-15";

/// The `rapport` binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_rapport");

/// The project root.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A folder of the shared real-world corpora (`../shared/corpora/<name>`).
pub fn corpus(name: &str) -> PathBuf {
    let dir = manifest_dir().join("../shared/corpora").join(name);
    assert!(dir.is_dir(), "corpus `{}` is missing", dir.display());
    dir
}

/// What one run of the binary did.
#[derive(Debug, Clone)]
pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// One diagnostic of `check --format json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub severity: String,
    pub message: String,
    pub hint: String,
    pub snippet: String,
}

impl Diag {
    fn from_json(value: &Value) -> Diag {
        let text = |key: &str| value[key].as_str().unwrap_or_default().to_string();
        let number = |key: &str| {
            value[key]
                .as_u64()
                .unwrap_or_else(|| panic!("`{key}` is not a number in {value}")) as usize
        };
        Diag {
            path: text("path"),
            line: number("line"),
            column: number("column"),
            severity: text("severity"),
            message: text("message"),
            hint: text("hint"),
            snippet: text("snippet"),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == "error"
    }
}

impl std::fmt::Display for Diag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}:{}:{} {} (hint: {})",
            self.severity, self.path, self.line, self.column, self.message, self.hint
        )
    }
}

/// A site in a temporary folder, and the last run of the binary on it.
pub struct SiteTest {
    /// The temporary folder: the site is `dir/site`, outputs go beside it.
    dir: PathBuf,
    root: PathBuf,
    out: PathBuf,
    last: Option<Run>,
    diagnostics: Vec<Diag>,
}

impl SiteTest {
    /// A copy of `tests/fixtures/<fixture>/`.
    pub fn new(fixture: &str) -> SiteTest {
        let test = SiteTest::empty();
        let source = manifest_dir().join("tests/fixtures").join(fixture);
        assert!(source.is_dir(), "no fixture `{}`", source.display());
        copy_dir(&source, &test.root);
        test
    }

    /// A site with no files at all.
    pub fn empty() -> SiteTest {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let thread = std::thread::current();
        let test_name: String = thread
            .name()
            .unwrap_or("test")
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect();
        let dir = std::env::temp_dir().join(format!(
            "rapport-it-{test_name}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        let root = dir.join("site");
        fs::create_dir_all(&root).unwrap();
        SiteTest {
            out: dir.join("public"),
            dir,
            root,
            last: None,
            diagnostics: Vec::new(),
        }
    }

    /// The site's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The output folder `build` writes into.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// The temporary folder around the site, for other outputs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes (or replaces) a file of the site.
    pub fn file(self, rel: &str, text: &str) -> SiteTest {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    /// Copies every file of `source` into the site folder `rel`.
    pub fn copy_into(self, source: &Path, rel: &str) -> SiteTest {
        copy_dir(source, &self.root.join(rel));
        self
    }

    /// Runs `rapport` with `args` in the temporary folder.
    pub fn run(mut self, args: &[&str]) -> SiteTest {
        let output = Command::new(BIN)
            .args(args)
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .output()
            .expect("failed to start rapport");
        self.last = Some(Run {
            args: args.iter().map(|a| a.to_string()).collect(),
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
        self.assert_no_panic()
    }

    /// `rapport build` of the site into [`SiteTest::out`], today pinned.
    pub fn build(self) -> SiteTest {
        self.build_with(&[])
    }

    /// `rapport build` with extra flags.
    pub fn build_with(self, extra: &[&str]) -> SiteTest {
        let out = self.out.to_string_lossy().into_owned();
        self.build_into(&out, extra)
    }

    /// `rapport build` into `out` (relative to the temporary folder) with extra flags.
    pub fn build_into(self, out: &str, extra: &[&str]) -> SiteTest {
        let mut args = vec!["build", "--root", "site", "--out", out, "--today", TODAY];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `rapport check --format json`, keeping the diagnostics it reports.
    pub fn check(self) -> SiteTest {
        let mut test = self.check_as("json");
        let stdout = &test.last().stdout;
        let report: Value = serde_json::from_str(stdout)
            .unwrap_or_else(|err| panic!("`check --format json` did not print JSON ({err}):\n{stdout}"));
        let diagnostics: Vec<Diag> = report["diagnostics"]
            .as_array()
            .expect("a `diagnostics` list")
            .iter()
            .map(Diag::from_json)
            .collect();
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        assert_eq!(
            report["errors"].as_u64(),
            Some(errors as u64),
            "`errors` count:\n{stdout}"
        );
        assert_eq!(
            report["warnings"].as_u64(),
            Some((diagnostics.len() - errors) as u64),
            "`warnings` count:\n{stdout}"
        );
        test.diagnostics = diagnostics;
        test
    }

    /// `rapport check --format <format>`.
    pub fn check_as(self, format: &str) -> SiteTest {
        self.run(&["check", "--root", "site", "--today", TODAY, "--format", format])
    }

    /// The last run.
    pub fn last(&self) -> &Run {
        self.last.as_ref().expect("run rapport first")
    }

    /// The diagnostics of the last [`SiteTest::check`].
    pub fn diagnostics(&self) -> &[Diag] {
        &self.diagnostics
    }

    pub fn errors(&self) -> Vec<&Diag> {
        self.diagnostics.iter().filter(|d| d.is_error()).collect()
    }

    pub fn assert_exit(self, code: i32) -> SiteTest {
        let run = self.last();
        assert_eq!(
            run.code,
            code,
            "`rapport {}` exited {} instead of {code}\n--- stdout\n{}\n--- stderr\n{}",
            run.args.join(" "),
            run.code,
            run.stdout,
            run.stderr
        );
        self
    }

    pub fn assert_stderr(self, needles: &[&str]) -> SiteTest {
        assert_contains(
            &format!("stderr of `rapport {}`", self.last().args.join(" ")),
            &self.last().stderr,
            needles,
        );
        self
    }

    pub fn assert_stdout(self, needles: &[&str]) -> SiteTest {
        assert_contains(
            &format!("stdout of `rapport {}`", self.last().args.join(" ")),
            &self.last().stdout,
            needles,
        );
        self
    }

    fn assert_no_panic(self) -> SiteTest {
        let run = self.last();
        assert!(
            !run.stderr.contains("panicked"),
            "`rapport {}` panicked:\n{}",
            run.args.join(" "),
            run.stderr
        );
        self
    }

    /// Asserts that the page at `rel` in the output holds every needle.
    pub fn assert_page(self, rel: &str, needles: &[&str]) -> SiteTest {
        let text = self.page(rel);
        assert_contains(rel, &text, needles);
        self
    }

    /// Asserts that the page at `rel` holds none of the needles.
    pub fn refute_page(self, rel: &str, needles: &[&str]) -> SiteTest {
        let text = self.page(rel);
        for needle in needles {
            assert!(
                !text.contains(needle),
                "{rel} should not contain {needle:?}:\n{}",
                main_of(&text)
            );
        }
        self
    }

    /// Asserts that the needles appear in the page at `rel` in this order.
    pub fn assert_page_order(self, rel: &str, needles: &[&str]) -> SiteTest {
        let text = self.page(rel);
        assert_in_order(rel, &text, needles);
        self
    }

    /// The text of an output file.
    pub fn page(&self, rel: &str) -> String {
        let path = self.out.join(rel);
        fs::read_to_string(&path).unwrap_or_else(|err| {
            let files: Vec<String> = output_files(&self.out).into_keys().collect();
            panic!(
                "cannot read output `{rel}`: {err}; the output has:\n{}",
                files.join("\n")
            )
        })
    }

    /// Asserts a diagnostic at `path` and `line` whose message or hint holds `fragment`.
    pub fn assert_diagnostic(self, path: &str, line: usize, fragment: &str) -> SiteTest {
        self.find_diagnostic(path, line, fragment);
        self
    }

    /// The diagnostic at `path` and `line` whose message or hint holds `fragment`.
    pub fn find_diagnostic(&self, path: &str, line: usize, fragment: &str) -> &Diag {
        self.diagnostics
            .iter()
            .find(|d| d.path == path && d.line == line && (d.message.contains(fragment) || d.hint.contains(fragment)))
            .unwrap_or_else(|| {
                let all: Vec<String> = self.diagnostics.iter().map(Diag::to_string).collect();
                panic!(
                    "no diagnostic at {path}:{line} mentioning {fragment:?}; got:\n{}",
                    all.join("\n")
                )
            })
    }
}

impl Drop for SiteTest {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept the test site at {}", self.dir.display());
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Copies the files under `from` into `to`, creating folders.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` by `/`-separated relative path, with its bytes.
pub fn output_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap();
                let rel: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.insert(rel.join("/"), fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The HTML pages of an output folder, as text.
pub fn html_pages(dir: &Path) -> BTreeMap<String, String> {
    output_files(dir)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect()
}

pub fn assert_contains(what: &str, text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            text.contains(needle),
            "{what} should contain {needle:?}:\n{}",
            main_of(text)
        );
    }
}

pub fn assert_in_order(what: &str, text: &str, needles: &[&str]) {
    let mut from = 0;
    for needle in needles {
        match text[from..].find(needle) {
            Some(i) => from += i + needle.len(),
            None => panic!(
                "{what} should contain {needle:?} after the needles before it ({needles:?}):\n{}",
                main_of(text)
            ),
        }
    }
}

/// The part of `text` between `start` and the next `end` after it.
pub fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in:\n{}", main_of(text)))
        + start.len();
    let to = text[from..].find(end).map_or(text.len(), |i| from + i);
    &text[from..to]
}

/// The `<main>` of a page, or the whole text: what failure messages show.
fn main_of(text: &str) -> &str {
    match (text.find("<main"), text.find("</main>")) {
        (Some(a), Some(b)) if a < b => &text[a..b],
        _ => text,
    }
}

/// A site of `items` content files made by the shared benchmark generator
/// (`../shared/bench/gen-corpus`, deterministic for a given size).
pub fn generated_site(items: usize) -> SiteTest {
    let site = SiteTest::empty();
    let generator = manifest_dir().join("../shared/bench/gen-corpus");
    assert!(generator.is_file(), "`{}` is missing", generator.display());
    let output = Command::new("python3")
        .arg(&generator)
        .arg(site.root())
        .args(["--items", &items.to_string()])
        .output()
        .expect("run python3 gen-corpus");
    assert!(
        output.status.success(),
        "gen-corpus failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    site
}

/// Folders beside an output whose names rapport gives its staging folders
/// (`.<name>.rapport-new-<pid>`, `.<name>.rapport-old-<pid>`).
pub fn staging_folders(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.contains(".rapport-new-") || name.contains(".rapport-old-"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Held by the tests that time something or load the machine, so that they
/// never run at the same time as each other.
pub fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs git in `dir` with a clean configuration, as `author` at `date`;
/// returns what it printed, and panics when git fails.
pub fn git(dir: &Path, args: &[&str], author: &str, date: &str) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_COMMITTER_NAME", author)
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_EMAIL", "author@example.com")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .args(["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

pub fn has_git() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether `dir` is inside a git work tree (then "outside git" cannot be
/// tested there).
pub fn inside_git(dir: &Path) -> bool {
    Command::new("git")
        .args(["rev-parse", "--is-inside-work-tree"])
        .current_dir(dir)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The commitment `slug` in a parsed `/data/commitments.json`.
pub fn commitment<'a>(data: &'a Value, slug: &str) -> &'a Value {
    data["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == slug)
        .unwrap_or_else(|| panic!("no commitment {slug}"))
}
