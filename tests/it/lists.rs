//! Long lists split into pages: every "all N …" link leads to a page that
//! exists and lists them all, nothing a page cuts off is out of reach, and
//! a page of the site's own never takes a list's URL.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::{SiteTest, html_pages};

/// The site-root paths of the internal links of a page.
fn internal_links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.split(['#', '?']).next().unwrap_or("").to_string())
        .collect()
}

/// The output file a site-root path is served from.
fn file_of(path: &str) -> String {
    let path = path.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

fn assert_no_broken_link(site: &SiteTest, pages: &BTreeMap<String, String>) {
    for (page, html) in pages {
        for link in internal_links(html) {
            let file = file_of(&link);
            assert!(
                site.out().join(&file).exists(),
                "{page} links to {link}, which was not built"
            );
        }
    }
}

/// Sales promised Support `overdue` things that are overdue and `open`
/// that are not due yet.
fn promises(mut site: SiteTest, overdue: usize, open: usize) -> SiteTest {
    site = site
        .file("content/teams/sales.md", "---\ntitle: Sales\n---\nWe sell.\n")
        .file("content/teams/support.md", "---\ntitle: Support\n---\nWe help.\n");
    for i in 0..overdue + open {
        let due = if i < overdue { "2026-03-01" } else { "2026-09-01" };
        site = site.file(
            &format!("content/commitments/promise-{i:02}.md"),
            &format!("---\ntitle: Promise number {i:02}\nowner: sales\nto: [support]\npromised: 2026-01-05\ndue: {due}\n---\nWe will.\n"),
        );
    }
    site
}

#[test]
fn every_more_link_leads_to_a_built_page_that_lists_every_item() {
    // 8 overdue: more than the home page shows, fewer than a page of a list.
    let site = promises(SiteTest::empty(), 8, 3).build().assert_exit(0);
    let pages = html_pages(site.out());
    assert_no_broken_link(&site, &pages);

    let home = &pages["index.html"];
    assert!(
        home.contains("href=\"/commitments/state/overdue/\">All 8 overdue commitments"),
        "{home}"
    );
    let overdue = &pages["commitments/state/overdue/index.html"];
    for i in 0..8 {
        assert!(
            overdue.contains(&format!("Promise number {i:02}")),
            "promise {i} is not on the overdue list"
        );
    }

    // The team page shows a few of each state and links to the whole list,
    // so that none of the 11 is out of reach.
    let team = &pages["teams/sales/index.html"];
    assert!(team.contains("href=\"/teams/sales/made/\""), "{team}");
    let made = &pages["teams/sales/made/index.html"];
    for i in 0..11 {
        assert!(
            made.contains(&format!("Promise number {i:02}")),
            "promise {i} is not on Sales' list"
        );
    }
}

#[test]
fn a_page_of_the_sites_own_at_a_generated_url_is_an_error_at_its_file_and_states_never_collide() {
    // A commitment may be named after a state: the lists of a state live
    // at `/commitments/state/<state>/`.
    let site = promises(SiteTest::empty(), 1, 8)
        .file(
            "content/commitments/open.md",
            "---\ntitle: Open the new office\nowner: sales\nto: [support]\npromised: 2026-01-05\ndue: 2026-09-01\n---\nWe will.\n",
        )
        .file("content/gaps/unowned.md", "---\ntitle: Unowned words\n---\nA page.\n")
        .file("content/scores/_index.md", "---\ntitle: Scores\n---\nAn intro.\n")
        .check();
    assert!(
        site.diagnostics()
            .iter()
            .all(|d| d.path != "content/commitments/open.md"),
        "{:?}",
        site.diagnostics()
    );
    site.find_diagnostic(
        "content/gaps/unowned.md",
        1,
        "where rapport writes the list at `/gaps/unowned/`",
    );
    site.find_diagnostic(
        "content/scores/_index.md",
        1,
        "where rapport writes the page at `/scores/`",
    );
}

#[test]
fn a_term_on_a_later_glossary_page_links_back_to_its_letter_there() {
    let mut site = SiteTest::empty();
    for i in 0..101 {
        site = site.file(
            &format!("content/glossary/alpha-{i:03}.md"),
            &format!("---\ntitle: Alpha {i:03}\n---\nA word.\n"),
        );
    }
    let site = site
        .file("content/glossary/zeta.md", "---\ntitle: Zeta\n---\nThe last word.\n")
        .build()
        .assert_exit(0);
    let term = site.page("glossary/zeta/index.html");
    assert!(
        term.contains("href=\"/glossary/page/2/#letter-z\">Z</a>"),
        "{term:.1500}"
    );
    assert!(site.page("glossary/page/2/index.html").contains("id=\"letter-z\""));
    let pages = html_pages(site.out());
    assert_no_broken_link(&site, &pages);
}

#[test]
fn the_link_to_every_reading_of_a_team_counts_every_reading() {
    let mut site = SiteTest::empty()
        .file("content/teams/sales.md", "---\ntitle: Sales\n---\nWe sell.\n")
        .file("content/teams/support.md", "---\ntitle: Support\n---\nWe help.\n");
    // Support reads 11 of Sales' terms, one of them its own way.
    for i in 0..11 {
        let ours = if i == 0 { "Something else entirely." } else { "A word." };
        site = site.file(
            &format!("content/glossary/word-{i:02}.md"),
            &format!(
                "---\ntitle: Word {i:02}\nowner: sales\ndefinitions:\n  sales: A word.\n  support: {ours}\n---\nA word.\n"
            ),
        );
    }
    let site = site.build().assert_exit(0);
    let team = site.page("teams/support/index.html");
    assert!(team.contains("All 11 terms we have a reading of"), "{team}");
    let reads = site.page("teams/support/reads/index.html");
    let listed: BTreeSet<&str> = (0..11)
        .map(|i| {
            if reads.contains(&format!("Word {i:02}")) {
                "yes"
            } else {
                "no"
            }
        })
        .collect();
    assert_eq!(listed, BTreeSet::from(["yes"]));
}
