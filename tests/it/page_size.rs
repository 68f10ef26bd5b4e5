//! Pages stay light at 10,000 items: the benchmark site of
//! `../shared/bench/gen-corpus` is built once, and no HTML page may weigh
//! more than 1 MB; long lists are split into pages of their own with
//! `rel="next"`/`rel="prev"` links, and each pair of teams has its page.

use std::process::Command;

use crate::support::{SiteTest, html_pages, manifest_dir};

/// The largest an HTML page may be at 10,000 items.
const MAX_PAGE: usize = 1_000_000;

/// The benchmark site of `items` items, built with the day the benchmark
/// pins.
fn bench_site(items: usize) -> SiteTest {
    let site = SiteTest::empty();
    let generator = manifest_dir().join("../shared/bench/gen-corpus");
    assert!(
        generator.is_file(),
        "the generator `{}` is missing",
        generator.display()
    );
    let status = Command::new("python3")
        .arg(&generator)
        .arg(site.root())
        .args(["--items", &items.to_string()])
        .status()
        .expect("python3 runs the benchmark generator");
    assert!(status.success(), "gen-corpus failed");
    let out = site.out().to_string_lossy().into_owned();
    site.run(&["build", "--root", "site", "--out", &out, "--today", "2026-06-15"])
        .assert_exit(0)
}

#[test]
fn no_page_of_the_ten_thousand_item_site_weighs_more_than_a_megabyte() {
    let site = bench_site(10_000);
    let pages = html_pages(site.out());
    assert!(pages.len() > 10_000, "only {} pages", pages.len());

    let (largest, text) = pages.iter().max_by_key(|(_, text)| text.len()).unwrap();
    assert!(
        text.len() <= MAX_PAGE,
        "{largest} weighs {} bytes, more than {MAX_PAGE}",
        text.len()
    );
    // The list pages themselves are short, whatever the number of items.
    for index in [
        "index.html",
        "commitments/index.html",
        "glossary/index.html",
        "stories/index.html",
    ] {
        let size = pages[index].len();
        assert!(size <= 200_000, "{index} weighs {size} bytes");
    }

    // The commitments still at risk are a list of pages, chained both ways,
    // with stable URLs.
    let first = &pages["commitments/state/at-risk/index.html"];
    assert!(
        first.contains(r#"<link rel="next" href="/commitments/state/at-risk/page/2/">"#),
        "{first:.2000}"
    );
    let second = &pages["commitments/state/at-risk/page/2/index.html"];
    assert!(second.contains(r#"<link rel="prev" href="/commitments/state/at-risk/">"#));

    // Each cell of the trust matrix links to the page of its pair, which
    // lists the promises between the two teams.
    let happiness = &pages["happiness/index.html"];
    let pair = happiness
        .split("href=\"/happiness/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|path| path.contains("-to-"))
        .expect("a trust-matrix cell linking to its pair's page");
    let pair_page = &pages[&format!("happiness/{pair}index.html")];
    assert!(pair_page.contains("class=\"card"), "{pair} lists no promise");
}
