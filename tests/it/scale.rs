//! Inputs that used to take time quadratic in their size: many broken links
//! in one file (each diagnostic scanned the file for its line) and deeply
//! nested front matter (the YAML scanner). Each bound is generous, for a
//! debug build on a busy machine, and still far below what the bug took;
//! the precise figures are in `benches/limits.rs`.

use std::time::{Duration, Instant};

use rapport::date::Date;
use rapport::front_matter;
use rapport::{BuildOptions, Site};

use crate::support::{SiteTest, TODAY};

/// What a test may take at most: ten times what it takes on an idle
/// machine, as the suite shares two cores with other builds; the bugs took
/// from 9 s (nesting) to over 30 s (links) in a debug build.
const BOUND: Duration = Duration::from_secs(10);

/// A site of one term and one page holding `body`: little else to build.
fn site_with(rel: &str, body: &str) -> SiteTest {
    SiteTest::empty()
        .file("content/glossary/known.md", "---\ntitle: Known\n---\nA term.\n")
        .file(rel, &format!("---\ntitle: Links\n---\n{body}"))
}

fn check_site(site: &SiteTest) -> (rapport::Diagnostics, Duration) {
    let started = Instant::now();
    let site = Site::load(site.root(), &BuildOptions::new(Date::parse(TODAY).unwrap())).unwrap();
    (rapport::Build::of(site).diagnostics(), started.elapsed())
}

#[test]
fn twenty_thousand_unresolved_links_in_one_file_are_reported_in_linear_time() {
    let body: String = (0..20_000).map(|i| format!("See [[nope-{i}]] here.\n")).collect();
    let site = site_with("content/guides/links.md", &body);
    let (diagnostics, took) = check_site(&site);
    let links: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.path == "content/guides/links.md" && d.message.starts_with("unresolved link"))
        .collect();
    assert_eq!(links.len(), 20_000);
    // Each at its own line, with that line as its snippet.
    assert_eq!((links[0].line, links[0].column), (4, 5));
    let last = links.iter().find(|d| d.message.contains("`[[nope-19999]]`")).unwrap();
    assert_eq!(last.line, 20_003);
    assert_eq!(last.snippet.as_deref(), Some("See [[nope-19999]] here."));
    assert!(took < BOUND, "20,000 broken links took {took:?}");
}

#[test]
fn unresolved_links_on_one_long_line_have_short_snippets_at_the_right_column() {
    // Each diagnostic once carried the whole line as its snippet: 3,000
    // links on a 40 KB line printed 120 MB.
    let body: String = (0..3_000).map(|i| format!("[[nope-{i}]] ")).collect();
    let site = site_with("content/guides/line.md", &format!("é {body}\n"));
    let (diagnostics, _) = check_site(&site);
    let links: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.path == "content/guides/line.md" && d.message.starts_with("unresolved link"))
        .collect();
    assert_eq!(links.len(), 3_000);
    let d = links.iter().find(|d| d.message.contains("`[[nope-2000]]`")).unwrap();
    let column = body.find("[[nope-2000]]").unwrap() + 3; // `é ` is two characters, three bytes
    assert_eq!((d.line, d.column), (4, column));
    for d in &links {
        let snippet = d.snippet.as_deref().unwrap();
        assert!(snippet.chars().count() <= 162, "{} characters", snippet.chars().count());
    }
    // The column falls on the link inside the cut snippet.
    let at = d.column - 1 - d.snippet_offset as usize;
    let shown: String = d.snippet.as_deref().unwrap().chars().skip(at).take(13).collect();
    assert_eq!(shown, "[[nope-2000]]");
}

#[test]
fn front_matter_nested_forty_thousand_deep_is_refused_quickly_at_its_line() {
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let yaml = format!("title: Deep\nx: {}1{}\n", open.repeat(40_000), close.repeat(40_000));
        let text = format!("---\n{yaml}---\nBody.\n");
        let started = Instant::now();
        let split = front_matter::split("content/a.md", &text).unwrap();
        let err = front_matter::parse_yaml("content/a.md", &split).unwrap_err();
        let took = started.elapsed();
        assert!(err.message.contains("more than 64 levels deep"), "{}", err.message);
        // The bracket that opens level 65, on the line of `x:`.
        assert_eq!(err.line, 3, "{err:?}");
        assert_eq!(err.column, 4 + 64 * open.len(), "{err:?}");
        assert!(took < BOUND, "{open} nested 40,000 deep took {took:?}");
    }
}

#[test]
fn brackets_in_text_quotes_and_block_scalars_are_not_nesting() {
    let deep = "[".repeat(100);
    let yaml = format!(
        "title: Use [[mql]] and {deep} in text\nquoted: \"{deep}\"\nsingle: '{deep}'\nblock: |\n  {deep}\n  more {deep}\nlist: [a, '{deep}', \"b]\"]\n# {deep}\n"
    );
    let text = format!("---\n{yaml}---\n");
    let split = front_matter::split("content/a.md", &text).unwrap();
    let map = front_matter::parse_yaml("content/a.md", &split).unwrap();
    assert_eq!(map.len(), 5);
    // Sixty-four levels are still fine.
    let text = format!("---\nx: {}1{}\n---\n", "[".repeat(64), "]".repeat(64));
    let split = front_matter::split("content/a.md", &text).unwrap();
    assert!(front_matter::parse_yaml("content/a.md", &split).is_ok());
}
