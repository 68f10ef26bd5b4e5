//! Inputs that used to cost time quadratic in their size, or output without
//! end, measured: 20,000 unresolved `[[links]]` in one file (on separate
//! lines and on one line), front matter of every awkward shape up to 1 MB,
//! and a `lint` that returns thousands of warnings per item.
//!
//! Run from the project root with `cargo bench --bench limits`. Each case is
//! built in a temporary copy of `tests/fixtures/good`. Targets: 20,000
//! unresolved links reported in under 0.5 s; any front matter under 1 MB
//! parsed or refused in under 0.2 s; a runaway `lint` prints a bounded
//! report.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rapport::date::Date;
use rapport::diagnostic::Format;
use rapport::{BuildOptions, Site, front_matter};

/// Runs of each case; the median is reported.
const RUNS: usize = 5;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let fixture = root.join("tests/fixtures/good");
    let work = std::env::temp_dir().join(format!("rapport-bench-limits-{}", std::process::id()));

    println!("== unresolved links (target: under 500 ms for 20,000)");
    let lines: String = (0..20_000).map(|i| format!("See [[nope-{i}]] here.\n")).collect();
    let one_line: String = (0..20_000).map(|i| format!("[[nope-{i}]] ")).collect();
    let baseline = median(|| check(&copy_site(&fixture, &work, None)).0);
    println!("  the fixture alone: {}", ms(baseline));
    for (name, body) in [("on 20,000 lines", lines), ("on one line", one_line)] {
        let site = copy_site(
            &fixture,
            &work,
            Some(("content/guides/links.md", format!("---\ntitle: L\n---\n{body}\n"))),
        );
        let mut count = 0;
        let took = median(|| {
            let (took, diagnostics) = check(&site);
            count = diagnostics;
            took
        });
        println!(
            "  20,000 links {name}: {} ({count} diagnostics), {} over the fixture",
            ms(took),
            ms(took.saturating_sub(baseline))
        );
    }

    println!("== front matter under 1 MB (target: parsed or refused in under 200 ms)");
    let mut worst = Duration::ZERO;
    for (name, yaml) in front_matter_shapes() {
        let text = format!("---\ntitle: A\n{yaml}---\nBody.\n");
        let mut outcome = String::new();
        let took = median(|| {
            let started = Instant::now();
            let split = front_matter::split("content/a.md", &text).expect("fences");
            outcome = match front_matter::parse_yaml("content/a.md", &split) {
                Ok(map) => format!("{} fields", map.len()),
                Err(d) => d.message,
            };
            started.elapsed()
        });
        worst = worst.max(took);
        println!("  {name:<34} {:>8} KB  {:>9}  {outcome}", text.len() / 1024, ms(took));
    }
    println!("  slowest: {}", ms(worst));

    println!("== a runaway lint: 2,000 warnings on every item");
    let site = copy_site(&fixture, &work, None);
    std::fs::create_dir_all(site.join("scripts")).expect("scripts folder");
    std::fs::write(
        site.join("scripts/lints.rhai"),
        "fn lint(item) {\n    let out = [];\n    for i in 0..2000 {\n        out.push(`noise ${i}`);\n    }\n    out\n}\n",
    )
    .expect("write the lint");
    let mut report = (0, 0, 0);
    let took = median(|| {
        let started = Instant::now();
        let diagnostics = rapport::Build::of(load(&site)).diagnostics();
        let text = diagnostics.render(Format::Human, false);
        report = (diagnostics.warning_count(), diagnostics.len(), text.len());
        started.elapsed()
    });
    println!(
        "  {} warnings counted, {} listed, {} KB of report, {}",
        report.0,
        report.1,
        report.2 / 1024,
        ms(took)
    );
    let _ = std::fs::remove_dir_all(&work);
}

/// The shapes that are slow to scan or parse, each under 1 MB.
fn front_matter_shapes() -> Vec<(&'static str, String)> {
    let n = 40_000;
    let mut shapes = vec![
        (
            "[ nested 40,000 deep",
            format!("x: {}{}\n", "[".repeat(n), "]".repeat(n)),
        ),
        (
            "{a: nested 40,000 deep",
            format!("x: {}1{}\n", "{a: ".repeat(n), "}".repeat(n)),
        ),
        ("- - - nested 40,000 deep", format!("x:\n{}1\n", "- ".repeat(n))),
        (
            "indentation 1,300 deep",
            (1..1300).fold(String::from("x:\n"), |mut s, i| {
                let _ = writeln!(s, "{}k{i}:", " ".repeat(i));
                s
            }),
        ),
        (
            "a flow list of 450,000 items",
            format!("x: [{}]\n", vec!["1"; 450_000].join(",")),
        ),
        (
            "a flow map of 90,000 keys",
            format!(
                "x: {{{}}}\n",
                (0..90_000).map(|i| format!("k{i}: 1")).collect::<Vec<_>>().join(", ")
            ),
        ),
        ("90,000 fields", (0..90_000).map(|i| format!("k{i}: v\n")).collect()),
        ("one 1 MB plain scalar", format!("x: {}\n", "a".repeat(1_000_000))),
        (
            "450,000 escapes in quotes",
            format!("x: \"{}\"\n", "\\n".repeat(450_000)),
        ),
        (
            "25,000 anchors and aliases",
            (0..25_000)
                .map(|i| format!("a{i}: &a{i} [1, 2]\nb{i}: *a{i}\n"))
                .collect(),
        ),
    ];
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let _ = writeln!(bomb, "a{i}: &a{i} [{}]", vec![format!("*a{}", i - 1); 9].join(", "));
    }
    shapes.push(("an alias bomb", bomb));
    shapes
}

fn load(site: &Path) -> Site {
    Site::load(site, &BuildOptions::new(Date::parse("2026-06-15").expect("a date"))).expect("load the site")
}

/// Loads and renders the site like `rapport check`; the time and how many
/// diagnostics it reported.
fn check(site: &Path) -> (Duration, usize) {
    let started = Instant::now();
    let count = rapport::Build::of(load(site)).diagnostics().len();
    (started.elapsed(), count)
}

/// A fresh copy of the fixture, with one file added.
fn copy_site(fixture: &Path, work: &Path, extra: Option<(&str, String)>) -> PathBuf {
    let site = work.join("site");
    let _ = std::fs::remove_dir_all(&site);
    copy_dir(fixture, &site);
    if let Some((rel, text)) = extra {
        std::fs::write(site.join(rel), text).expect("write the file");
    }
    site
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a folder");
    for entry in std::fs::read_dir(from).expect("read the fixture").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// The median of [`RUNS`] timings of `run`.
fn median(mut run: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS).map(|_| run()).collect();
    times.sort();
    times[RUNS / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
