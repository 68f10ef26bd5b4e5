//! `rapport build` of the `good` fixture: the content of every kind of page,
//! links, safety defaults, drafts, determinism, atomic output and `base_url`
//! with a sub-path.
//!
//! The fixture (today pinned to 2026-06-15) has three teams, five terms plus
//! a draft, two stories, seven commitments (one per state), a plain page, a
//! `guides/` section with `_index.md`, a home text and a static file.

use std::fs;

use crate::support::{SiteTest, assert_contains, assert_in_order, between, html_pages, output_files};

fn good() -> SiteTest {
    SiteTest::new("good").build().assert_exit(0)
}

#[test]
fn good_site_builds_every_page_and_reports_a_summary() {
    // The warnings: the planted `javascript:` link and two lints of the
    // built-in scripts (see check::good_site_checks_clean_and_writes_nothing).
    let test = good().assert_stderr(&["0 errors, 3 warnings"]);
    let html = html_pages(test.out()).len();
    assert!(html >= 26);
    let test = test.assert_stderr(&[&format!("built {html} pages")]);
    let files: Vec<String> = output_files(test.out()).into_keys().collect();
    let expected = [
        ".rapport-output",
        "404.html",
        "about/index.html",
        "commitments/case-study/index.html",
        "commitments/churn-report/index.html",
        "commitments/faster-replies/index.html",
        "commitments/index.html",
        "commitments/lead-routing/index.html",
        "commitments/onboarding-guide/index.html",
        "commitments/partner-portal/index.html",
        "commitments/pricing-page/index.html",
        "favicon.svg",
        "files/handbook.txt",
        "glossary/arr/index.html",
        "glossary/churn/index.html",
        "glossary/escalation/index.html",
        "glossary/index.html",
        "glossary/mql/index.html",
        "glossary/sql/index.html",
        "guides/index.html",
        "guides/writing/index.html",
        "index.html",
        "sitemap.xml",
        "stories/acme-renewal/index.html",
        "stories/index.html",
        "stories/webinar-launch/index.html",
        "style.css",
        "teams/index.html",
        "teams/marketing/index.html",
        "teams/sales/index.html",
        "teams/support/index.html",
    ];
    // Other features may add files (feeds, data, search); none of these may go missing.
    for path in expected {
        assert!(
            files.iter().any(|f| f == path),
            "missing `{path}` in the output:\n{}",
            files.join("\n")
        );
    }
    // Nothing is written into the site itself.
    assert!(!test.root().join("public").exists());
}

#[test]
fn home_page_shows_intro_counts_stories_and_teams() {
    good()
        .assert_page(
            "index.html",
            &[
                "<title>Fixture Alignment</title>",
                "A small site the integration tests build.",
                // The home text from content/_index.md, with its links resolved.
                "Welcome to the fixture site.",
                "<a class=\"wikilink term\" href=\"/glossary/mql/\"",
                "<a href=\"/about/\">about page</a>",
                // The draft term is not counted.
                "<span class=\"stat-value\">5</span> <span class=\"stat-label\">glossary terms</span>",
                "<span class=\"stat-value\">3</span> <span class=\"stat-label\">teams</span>",
                "<span class=\"stat-value\">2</span> <span class=\"stat-label\">success stories</span>",
                "<span class=\"stat-value\">7</span> <span class=\"stat-label\">commitments</span>",
                "<a href=\"/teams/marketing/\"><strong>Marketing</strong></a>",
            ],
        )
        // Newest story first.
        .assert_page_order(
            "index.html",
            &[
                "Latest success stories",
                "The spring webinar filled the funnel",
                "Keeping Acme at renewal",
            ],
        );
}

/// The home page lists the overdue and at-risk promises under "Needs
/// attention". It does not: home.html builds the list with `{% set %}`
/// inside a `{% for %}`, and minijinja (like Jinja2) scopes that assignment
/// to the loop, so the list is always empty. Remove `ignore` once the
/// template is fixed.
#[test]
fn home_page_lists_commitments_needing_attention() {
    let test = good();
    let page = test.page("index.html");
    let attention = between(&page, "Needs attention", "</section>");
    assert_contains(
        "the attention list",
        attention,
        &["Route MQLs to sales within an hour", "Acme case study"],
    );
    assert!(!attention.contains("Publish a pricing page"), "{attention}");
}

#[test]
fn glossary_lists_terms_a_to_z_with_acronyms() {
    let test = good();
    let page = test.page("glossary/index.html");
    let jump = between(&page, "<nav class=\"letter-jump\"", "</nav>");
    assert_in_order(
        "the letter jump list",
        jump,
        &[">A</a>", ">C</a>", ">E</a>", ">M</a>", ">S</a>"],
    );
    assert!(!jump.contains(">N</a>"), "the draft term has no letter: {jump}");
    assert_in_order(
        "glossary/index.html",
        &page,
        &[
            "id=\"letter-a\"",
            "<a href=\"/glossary/arr/\">Annual Recurring Revenue</a> <abbr class=\"acronym\">ARR</abbr>",
            "Also: run rate.",
            "id=\"letter-c\"",
            "<a href=\"/glossary/churn/\">Churn</a>",
            "<span class=\"muted reading-count\">2 readings</span>",
            "id=\"letter-e\"",
            "<a href=\"/glossary/escalation/\">Escalation</a>",
            "id=\"letter-m\"",
            "<a href=\"/glossary/mql/\">Marketing Qualified Lead</a> <abbr class=\"acronym\">MQL</abbr>",
            "Also: qualified lead, MQLs.",
            "id=\"letter-s\"",
            "<a href=\"/glossary/sql/\">Sales Qualified Lead</a> <abbr class=\"acronym\">SQL</abbr>",
        ],
    );
    // The summary is the first paragraph of the body.
    assert_contains(
        "glossary/index.html",
        &page,
        &["The yearly value of all active subscriptions."],
    );
    assert!(!page.contains("Net Promoter Score"), "drafts are left out");
}

#[test]
fn term_page_shows_readings_side_by_side_and_owner() {
    let test = good();
    let page = test.page("glossary/mql/index.html");
    assert_contains(
        "glossary/mql/index.html",
        &page,
        &[
            "<h1>Marketing Qualified Lead <abbr class=\"acronym\">MQL</abbr></h1>",
            "Owned by <a class=\"team-badge\" href=\"/teams/marketing/\"",
            "also called <em>qualified lead</em>, <em>MQLs</em>",
            "2 teams have written how they read it.",
        ],
    );
    let readings = between(&page, "<div class=\"reading-grid\">", "</section>");
    assert_in_order(
        "the readings",
        readings,
        &[
            "<span>Marketing</span> <span class=\"muted\">(owner)</span>",
            "<blockquote>A contact who scored 60 points in the lead model.</blockquote>",
            "<span>Sales</span>",
            "<blockquote>Somebody marketing thinks might talk to us.</blockquote>",
        ],
    );
    assert_eq!(readings.matches("<figure class=\"reading\"").count(), 2, "{readings}");
    assert_eq!(readings.matches("(owner)").count(), 1, "{readings}");
    let related = between(&page, "<h2>Related terms</h2>", "</ul>");
    assert_contains(
        "related terms",
        related,
        &[
            "<a href=\"/glossary/sql/\">Sales Qualified Lead</a>",
            "<a href=\"/glossary/churn/\">Churn</a>",
        ],
    );
    let used_in = between(&page, "<h2>Used in</h2>", "</ul>");
    assert_contains(
        "used in",
        used_in,
        &[
            "<a href=\"/stories/webinar-launch/\">",
            "<a href=\"/about/\">About this site</a>",
        ],
    );
    // A term without readings or owner says so rather than showing an empty grid.
    test.assert_page("glossary/arr/index.html", &["<span class=\"flag\">No owner yet</span>"])
        .refute_page("glossary/arr/index.html", &["reading-grid"]);
}

#[test]
fn teams_page_and_team_page_show_terms_promises_by_state_and_stories() {
    let test = good().assert_page_order(
        "teams/index.html",
        &[
            "<a href=\"/teams/marketing/\">Marketing</a>",
            "Led by Ana Lindqvist",
            "<a href=\"/teams/sales/\">Sales</a>",
            "Led by Dana Whitfield",
            "<a href=\"/teams/support/\">Support</a>",
        ],
    );
    let page = test.page("teams/sales/index.html");
    assert_contains(
        "teams/sales/index.html",
        &page,
        &[
            "Sales <span class=\"muted\">(SLS)</span>",
            "Led by Dana Whitfield · Marcus Oyelaran, Priya Raman",
            "We find customers who need us and tell them honestly whether we fit.",
            "style=\"--team: #1f5fa8;",
        ],
    );
    let owns = between(&page, "<h3>Terms we own</h3>", "</div>");
    assert_contains(
        "terms sales owns",
        owns,
        &["<a href=\"/glossary/sql/\">Sales Qualified Lead</a>"],
    );
    assert!(!owns.contains("Churn"), "{owns}");
    let reads = between(&page, "<h3>Terms we read our own way</h3>", "</div>");
    assert_contains("terms sales reads", reads, &["Churn", "Marketing Qualified Lead"]);

    let made = between(&page, "id=\"made\"", "id=\"received\"");
    assert_in_order(
        "promises sales made",
        made,
        &[
            "state-open\">Open</span>",
            "Onboarding guide for new reps",
            "state-dropped\">Dropped</span>",
            "Partner portal",
        ],
    );
    assert!(!made.contains("Publish a pricing page"), "{made}");

    let received = between(&page, "id=\"received\"", "id=\"stories\"");
    assert_in_order(
        "promises made to sales, by state",
        received,
        &[
            "state-overdue\">Overdue</span>",
            "Route MQLs to sales within an hour",
            "45 days late",
            "state-at-risk\">At risk</span>",
            "Acme case study",
            "state-late\">Delivered late</span>",
            "Publish a pricing page",
            "rescheduled 1 time",
            "state-on-time\">Delivered on time</span>",
            "First reply to priority tickets within 4 hours",
            "state-missed\">Missed</span>",
            "Monthly churn report",
        ],
    );
    assert!(!received.contains("Partner portal"), "{received}");

    let stories = between(&page, "id=\"stories\"", "</section>");
    assert_in_order(
        "stories crediting sales",
        stories,
        &["/stories/webinar-launch/", "/stories/acme-renewal/"],
    );
    // Support is credited by one story only.
    let support = test.page("teams/support/index.html");
    let support_stories = between(&support, "id=\"stories\"", "</section>");
    assert!(support_stories.contains("Keeping Acme at renewal"), "{support_stories}");
    assert!(!support_stories.contains("webinar"), "{support_stories}");
}

#[test]
fn stories_page_and_story_page_show_credits_and_contributions() {
    let test = good().assert_page_order(
        "stories/index.html",
        &[
            "The spring webinar filled the funnel",
            "Keeping Acme at renewal",
            "Acme Corp",
        ],
    );
    let page = test.page("stories/acme-renewal/index.html");
    assert_contains(
        "stories/acme-renewal/index.html",
        &page,
        &[
            "<h1>Keeping Acme at renewal</h1>",
            "<time datetime=\"2026-03-01\">1 March 2026</time> · Acme Corp",
            "<strong>Outcome:</strong> Renewed for three years at $120,000 ARR.",
            // Wiki-links in the body.
            "<a class=\"wikilink team\" href=\"/teams/support/\">Support</a>",
        ],
    );
    let credits = between(&page, "<ul class=\"contributions\">", "</ul>");
    assert_in_order(
        "contributions",
        credits,
        &[
            "href=\"/teams/sales/\"",
            "<span>Ran the renewal call and listened first.</span>",
            "href=\"/teams/support/\"",
            "<span>Wrote the incident review within 48 hours.</span>",
        ],
    );
    let delivered = between(&page, "Commitments this story delivered on", "</section>");
    assert!(delivered.contains("/commitments/faster-replies/"), "{delivered}");
    test.assert_page(
        "commitments/faster-replies/index.html",
        &["Stories it made possible", "/stories/acme-renewal/"],
    );
}

#[test]
fn commitments_board_groups_every_state() {
    let test = good();
    let page = test.page("commitments/index.html");
    let cases = [
        ("overdue", "Overdue", "lead-routing"),
        ("at-risk", "At risk", "case-study"),
        ("open", "Open", "onboarding-guide"),
        ("late", "Delivered late", "pricing-page"),
        ("on-time", "Delivered on time", "faster-replies"),
        ("missed", "Missed", "churn-report"),
        ("dropped", "Dropped", "partner-portal"),
    ];
    for (state, label, slug) in cases {
        let column = between(&page, &format!("id=\"state-{state}\""), "</section>");
        assert!(column.contains(&format!(">{label}</span>")), "{state}: {column}");
        assert!(
            column.contains(&format!("/commitments/{slug}/")),
            "{slug} should be {state}: {column}"
        );
        assert_eq!(column.matches("commitment-card").count(), 1, "{state}: {column}");
    }
    let order: Vec<String> = cases
        .iter()
        .map(|(state, _, _)| format!("id=\"state-{state}\""))
        .collect();
    let order: Vec<&str> = order.iter().map(String::as_str).collect();
    assert_in_order("commitments/index.html", &page, &order);
}

#[test]
fn commitment_page_shows_revision_history_with_reasons() {
    good()
        .assert_page(
            "commitments/pricing-page/index.html",
            &[
                "<h1>Publish a pricing page</h1>",
                "<span class=\"external\">prospects</span>",
                "<span class=\"state state-late\">Delivered late</span>",
                "<dt>Originally due</dt><dd><time datetime=\"2026-03-01\">",
                "<dt>Now due</dt><dd><time datetime=\"2026-04-15\">",
                "<dt>Days late on the original date</dt><dd>40</dd>",
                "<dt>Rescheduled</dt><dd>1 time</dd>",
                "aria-label=\"4 out of 5\"",
            ],
        )
        .assert_page_order(
            "commitments/pricing-page/index.html",
            &[
                "<ol class=\"history\">",
                "Promised for <time datetime=\"2026-03-01\">",
                "<time datetime=\"2026-02-20\">20 February 2026</time></span> Rescheduled to <time datetime=\"2026-04-15\">",
                "<q>Legal review of the Enterprise tier ran long.</q>",
                "Delivered, 40 days after the original date.",
                "</ol>",
            ],
        )
        .assert_page(
            "commitments/lead-routing/index.html",
            &["Overdue since <time datetime=\"2026-05-01\">", "<dt>Days late</dt><dd>45 <span class=\"muted\">so far</span>"],
        )
        .assert_page("commitments/faster-replies/index.html", &["Delivered on time.", "<dt>Days late</dt><dd>0</dd>"])
        .assert_page(
            "commitments/churn-report/index.html",
            &[
                "<dt>Declared missed</dt><dd>on <time datetime=\"2026-03-05\">5 March 2026</time>, 4 days after the original date</dd>",
                "<dt>Why</dt><dd>The billing export it needs was not ready.</dd>",
                "<li class=\"history-missed\"><span class=\"history-date\"><time datetime=\"2026-03-05\">5 March 2026</time></span> Declared missed, 4 days after the original date.",
                "<q>The billing export it needs was not ready.</q>",
            ],
        )
        .assert_page(
            "commitments/partner-portal/index.html",
            &[
                "<dt>Dropped</dt><dd>on <time datetime=\"2026-03-16\">16 March 2026</time>, 16 days before the original date</dd>",
                "<li class=\"history-dropped\"><span class=\"history-date\"><time datetime=\"2026-03-16\">16 March 2026</time></span> Dropped, 16 days before the original date.",
            ],
        )
        .assert_page("commitments/case-study/index.html", &["<span class=\"state state-at-risk\">At risk</span>"])
        .assert_page("commitments/onboarding-guide/index.html", &["<span class=\"state state-open\">Open</span>"]);
}

#[test]
fn plain_page_section_page_and_404() {
    good()
        .assert_page(
            "about/index.html",
            &[
                "<title>About this site · Fixture Alignment</title>",
                "<h1>About this site</h1>",
                "This site explains our words.",
            ],
        )
        .assert_page(
            "guides/index.html",
            &[
                "<h1>Guides</h1>",
                "How to write for this site.",
                "In this section",
                "<a href=\"/guides/writing/\">Writing a commitment</a>",
            ],
        )
        .assert_page("guides/writing/index.html", &["<h1>Writing a commitment</h1>"])
        .assert_page(
            "404.html",
            &["<h1>Page not found</h1>", "<a href=\"/glossary/\">Glossary</a>"],
        );
}

#[test]
fn sitemap_lists_every_page() {
    let test = good();
    let sitemap = test.page("sitemap.xml");
    assert!(sitemap.starts_with("<?xml"), "{sitemap}");
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|rest| rest.split("</loc>").next().unwrap())
        .collect();
    let pages: Vec<String> = html_pages(test.out())
        .into_keys()
        .filter(|path| path.ends_with("index.html"))
        .map(|path| format!("/{}", path.trim_end_matches("index.html")))
        .collect();
    for page in &pages {
        assert!(locs.contains(&page.as_str()), "sitemap.xml lacks {page}:\n{sitemap}");
    }
    assert_eq!(locs.len(), pages.len(), "one <loc> per page:\n{sitemap}");
    assert!(!sitemap.contains("404"), "{sitemap}");
    assert!(
        sitemap.contains("<loc>/stories/acme-renewal/</loc><lastmod>2026-03-01</lastmod>"),
        "{sitemap}"
    );
}

#[test]
fn static_files_are_copied_verbatim() {
    let test = good();
    let source = fs::read(test.root().join("static/files/handbook.txt")).unwrap();
    assert_eq!(fs::read(test.out().join("files/handbook.txt")).unwrap(), source);
    assert!(test.page("style.css").len() > 1000, "the theme's stylesheet is copied");
}

#[test]
fn wiki_links_and_relative_markdown_links_become_urls() {
    good()
        .assert_page(
            "about/index.html",
            &[
                // [the MQL entry](glossary/mql.md)
                "<a href=\"/glossary/mql/\">the MQL entry</a>",
                // [[Marketing Qualified Lead|the long name]]
                "<a class=\"wikilink term\" href=\"/glossary/mql/\" title=\"A lead that fits our profile",
                ">the long name</a>",
                // [[story:acme-renewal]] shows the story's title.
                "<a class=\"wikilink story\" href=\"/stories/acme-renewal/\">Keeping Acme at renewal</a>",
                "<a class=\"wikilink commitment\" href=\"/commitments/pricing-page/\">Publish a pricing page</a>",
            ],
        )
        .assert_page(
            "glossary/mql/index.html",
            &[
                // [the churn entry](churn.md#history) keeps its fragment.
                "<a href=\"/glossary/churn/#history\">the churn entry</a>",
                // [[sql|the next stage]]
                "<a class=\"wikilink term\" href=\"/glossary/sql/\" title=\"A lead sales has qualified on a call.\">the next stage</a>",
                "<a class=\"wikilink team\" href=\"/teams/sales/\">Sales</a>",
            ],
        )
        // [go back home](../_index.md) from a page in a section.
        .assert_page("guides/writing/index.html", &["<a href=\"/\">go back home</a>"])
        .refute_page("about/index.html", &[".md\"", "[["]);
}

#[test]
fn raw_html_is_dropped_and_script_urls_never_emitted() {
    let test = good()
        .assert_page(
            "glossary/mql/index.html",
            &["Some inline raw HTML and a <a href=\"#\">bad link</a>."],
        )
        .refute_page(
            "glossary/mql/index.html",
            // The theme's own `<script src=...>` is allowed; the body's `<script>` is not.
            &["<script>", "alert(\"raw\")", "<b>inline raw</b>"],
        );
    assert_no_script_urls(&test);
}

/// Raw HTML in one page, for the tests below: comments, a script, and script
/// URLs written every way the sanitiser must see through.
const RAW_PAGE: &str = r#"---
title: Raw HTML
---
Intro <!-- an inline note --> and <b>bold</b>.

<!--more-->

<script>alert("raw")</script>

<div class="links">
<a href="javascript:alert(1)">plain</a>
<iframe src="JAVASCRIPT:alert(2)"></iframe>
<a href="jav&#x61;script:alert(3)">entity</a>
<a href=" javascript:alert(4)">space</a>
<img src=javascript:alert(5)>
<form action="javascript:alert(6)"><button formaction=javascript:alert(7)>go</button></form>
<svg><a xlink:href="javascript:alert(8)"><text>svg</text></a></svg>
<a class="kept"
   href="vbscript:msgbox(9)"
   title="over lines">lines</a>
<a href="/guides/writing/">safe</a>
</div>
"#;

#[test]
fn html_comments_show_as_text_when_raw_html_is_off() {
    let test = SiteTest::new("good")
        .file("content/guides/raw.md", RAW_PAGE)
        .build()
        .assert_exit(0)
        .assert_page(
            "guides/raw/index.html",
            &[
                "<p>Intro &lt;!-- an inline note --&gt; and bold.</p>",
                "<p>&lt;!--more--&gt;</p>",
            ],
        )
        .refute_page(
            "guides/raw/index.html",
            &[
                "<!--more-->",
                "<!-- an inline note -->",
                "alert(",
                "<div class=\"links\">",
                "<b>bold</b>",
            ],
        );
    assert_no_script_urls(&test);
}

#[test]
fn trusted_raw_html_is_kept_as_written_but_script_urls_are_not() {
    let test = SiteTest::new("good")
        .file(
            "rapport.toml",
            "title = \"Fixture Alignment\"\n[markdown]\nraw_html = \"trusted\"\n",
        )
        .file("content/guides/raw.md", RAW_PAGE)
        .build()
        .assert_exit(0)
        .assert_page(
            "glossary/mql/index.html",
            &["<b>inline raw</b>", "<script>alert(\"raw\")</script>"],
        )
        .assert_page(
            "guides/raw/index.html",
            &[
                // Comments and `<script>` are emitted as written ...
                "<p>Intro <!-- an inline note --> and <b>bold</b>.</p>",
                "<!--more-->",
                "<script>alert(\"raw\")</script>",
                // ... script URLs become `#`, the rest of each tag kept.
                "<a href=\"#\">plain</a>",
                "<iframe src=\"#\"></iframe>",
                "<a href=\"#\">entity</a>",
                "<a href=\"#\">space</a>",
                "<img src=#>",
                "<form action=\"#\"><button formaction=#>go</button></form>",
                "<svg><a xlink:href=\"#\"><text>svg</text></a></svg>",
                "<a class=\"kept\"\n   href=\"#\"\n   title=\"over lines\">lines</a>",
                "<a href=\"/guides/writing/\">safe</a>",
            ],
        );
    let raw = test.page("guides/raw/index.html").to_lowercase();
    for scheme in ["javascript:", "vbscript:", "jav&#x61;script:"] {
        assert!(!raw.contains(scheme), "raw HTML emits {scheme}\n{raw}");
    }
    // Each removed URL is a warning at its line in the file.
    let stderr = &test.last().stderr;
    for line in [11, 12, 13, 14, 15, 16, 16, 17] {
        assert!(
            stderr.contains(&format!("content/guides/raw.md:{line}:")),
            "no warning at line {line}\n{stderr}"
        );
    }
    assert!(stderr.contains("a `vbscript:` link was removed"), "{stderr}");
    assert_eq!(
        stderr.matches("a `javascript:` link was removed").count(),
        // The planted Markdown link in `mql.md`, and eight in raw HTML.
        9,
        "{stderr}"
    );
    assert_no_script_urls(&test);
}

/// Raw HTML the sanitiser keeps whole: `<details>` around Markdown, a
/// table, an image, a link, `<kbd>`.
const ALLOWED_PAGE: &str = r#"---
title: Allowed HTML
---
<details>
<summary>More</summary>

Some **Markdown** inside, and [[mql]].

</details>

<table>
<tr><th>Keys</th></tr>
<tr><td><kbd>Ctrl</kbd>+<kbd>C</kbd></td></tr>
</table>

An <img src="https://x.example/a.png" alt="a"> and <a href="https://x.example/">a link</a>.
"#;

fn sanitised() -> SiteTest {
    SiteTest::new("good")
        .file(
            "rapport.toml",
            "title = \"Fixture Alignment\"\n[markdown]\nraw_html = true\n",
        )
        .file("content/guides/raw.md", RAW_PAGE)
        .file("content/guides/allowed.md", ALLOWED_PAGE)
}

#[test]
fn sanitised_raw_html_keeps_the_allow_list() {
    let test = sanitised()
        .build()
        .assert_exit(0)
        .assert_page(
            "guides/allowed/index.html",
            &[
                "<details>\n<summary>More</summary>\n<p>Some <strong>Markdown</strong> inside, and \
                 <a class=\"wikilink term\" href=\"/glossary/mql/\"",
                "</p>\n</details>",
                "<tr><td><kbd>Ctrl</kbd>+<kbd>C</kbd></td></tr>",
                "<img src=\"https://x.example/a.png\" alt=\"a\"> and <a href=\"https://x.example/\">a link</a>.",
            ],
        )
        .assert_page(
            "guides/raw/index.html",
            &[
                "<p>Intro <!-- an inline note --> and <b>bold</b>.</p>",
                "<!--more-->",
                "<div class=\"links\">\n<a>plain</a>",
                "<a>entity</a>\n<a>space</a>\n<img>\n",
                "go\n",
                "<a class=\"kept\" title=\"over lines\">lines</a>",
                "<a href=\"/guides/writing/\">safe</a>\n</div>",
            ],
        )
        // A body with raw HTML keeps its wiki-links and relative `.md` links;
        // its `<script>` goes, and its Markdown `javascript:` link stays `#`.
        .assert_page(
            "glossary/mql/index.html",
            &[
                "<a class=\"wikilink team\" href=\"/teams/sales/\">Sales</a>",
                "<a href=\"/glossary/churn/#history\">the churn entry</a>",
                "Some <b>inline raw</b> HTML and a <a href=\"#\">bad link</a>.",
            ],
        )
        .refute_page("glossary/mql/index.html", &["alert(\"raw\")"]);
    let page = test.page("guides/raw/index.html");
    let body = between(&page, "<div class=\"prose\">", "</article>");
    for gone in ["alert(", "<iframe", "<form", "<button", "<svg", "xlink:href", "msgbox"] {
        assert!(!body.contains(gone), "{gone} in\n{body}");
    }
    assert_no_script_urls(&test);
}

#[test]
fn sanitised_raw_html_removals_are_warnings_at_their_place() {
    let test = sanitised().check().assert_exit(0);
    let raw = "content/guides/raw.md";
    for (line, column, message) in [
        (8, 1, "removed `<script>` and its content from raw HTML"),
        (11, 10, "removed `javascript:` URL from `href` of `<a>`"),
        (12, 1, "removed `<iframe>` and its content from raw HTML"),
        (13, 10, "removed `javascript:` URL from `href` of `<a>`"),
        (14, 10, "removed `javascript:` URL from `href` of `<a>`"),
        (15, 10, "removed `javascript:` URL from `src` of `<img>`"),
        (16, 1, "removed `<form>` from raw HTML, keeping its content"),
        (16, 36, "removed `<button>` from raw HTML, keeping its content"),
        (17, 1, "removed `<svg>` and its content from raw HTML"),
        (19, 10, "removed `vbscript:` URL from `href` of `<a>`"),
    ] {
        let d = test.find_diagnostic(raw, line, message);
        assert_eq!((d.column, d.is_error()), (column, false), "{d}");
    }
    let from_raw: Vec<_> = test.diagnostics().iter().filter(|d| d.path == raw).collect();
    assert_eq!(from_raw.len(), 10, "{from_raw:#?}");
    test.find_diagnostic("content/glossary/mql.md", 20, "removed `<script>` and its content");
    assert!(
        test.diagnostics().iter().all(|d| d.path != "content/guides/allowed.md"),
        "{:#?}",
        test.diagnostics()
    );
}

#[test]
fn sanitised_raw_html_drops_handlers_and_styles_with_a_warning_each() {
    let test = SiteTest::new("good")
        .file(
            "rapport.toml",
            "title = \"Fixture Alignment\"\n[markdown]\nraw_html = true\n",
        )
        .file(
            "content/guides/handlers.md",
            "---\ntitle: Handlers\n---\nA <a href=\"/\" onclick=\"steal()\">link</a> and \
             <span style=\"display:none\">hidden</span>.\n\n<object data=\"x.swf\"><p>fallback</p></object>\n",
        )
        .build()
        .assert_exit(0)
        .assert_page(
            "guides/handlers/index.html",
            &["<p>A <a href=\"/\">link</a> and <span>hidden</span>.</p>"],
        )
        .refute_page(
            "guides/handlers/index.html",
            &["steal()", "display:none", "<object", "fallback"],
        )
        .check();
    let path = "content/guides/handlers.md";
    for (line, column, message) in [
        (4, 15, "removed `onclick` attribute from `<a>`"),
        (4, 52, "removed `style` attribute from `<span>`"),
        (6, 1, "removed `<object>` and its content from raw HTML"),
    ] {
        assert_eq!(test.find_diagnostic(path, line, message).column, column);
    }
}

#[test]
fn raw_html_true_builds_the_example_site_as_false_does() {
    // The example site has no raw HTML: sanitising must not touch a byte.
    let test = SiteTest::empty().run(&["init", "example"]).assert_exit(0);
    let config_path = test.dir().join("example/rapport.toml");
    let config = fs::read_to_string(&config_path).unwrap();
    assert!(config.contains("\nraw_html = false\n"), "{config}");
    let test = test.run(&["build", "--root", "example", "--out", "off"]).assert_exit(0);
    fs::write(
        &config_path,
        config.replace("\nraw_html = false\n", "\nraw_html = true\n"),
    )
    .unwrap();
    let test = test.run(&["build", "--root", "example", "--out", "on"]).assert_exit(0);
    let off = output_files(&test.dir().join("off"));
    let on = output_files(&test.dir().join("on"));
    assert!(off.len() > 50, "{}", off.len());
    assert_eq!(off.keys().collect::<Vec<_>>(), on.keys().collect::<Vec<_>>());
    let differ: Vec<&String> = off.keys().filter(|path| off[*path] != on[*path]).collect();
    assert!(differ.is_empty(), "raw_html = true changed {differ:?}");
}

#[test]
fn heading_attribute_onclick_is_not_emitted_with_raw_html_off() {
    // `{key=value}` after a heading used to reach the page as written, so
    // Markdown alone could add an event handler with raw HTML off.
    let test = SiteTest::new("good")
        .file(
            "content/guides/heading.md",
            "---\ntitle: Heading\n---\n## Plans {#plans lang=en onmouseover=alert(1) style=display:none}\n",
        )
        .build()
        .assert_exit(0)
        .assert_page("guides/heading/index.html", &["<h2 id=\"plans\" lang=\"en\">Plans"])
        .refute_page("guides/heading/index.html", &["onmouseover", "display:none"])
        .check();
    let path = "content/guides/heading.md";
    assert_eq!(
        test.find_diagnostic(path, 4, "removed `onmouseover` attribute from heading")
            .column,
        26
    );
    assert_eq!(
        test.find_diagnostic(path, 4, "removed `style` attribute from heading")
            .column,
        47
    );
}

#[test]
fn raw_html_setting_other_than_false_true_or_trusted_is_a_config_error() {
    let test = SiteTest::new("good")
        .file(
            "rapport.toml",
            "title = \"Fixture Alignment\"\n[markdown]\nraw_html = \"sanitise\"\n",
        )
        .check()
        .assert_exit(1);
    let d = test.find_diagnostic(
        "rapport.toml",
        3,
        "`raw_html` must be `true`, `false` or `\"trusted\"`, not `\"sanitise\"`",
    );
    assert_eq!(d.column, 12);
    assert!(d.hint.contains("allow-list"), "{d}");
}

fn assert_no_script_urls(test: &SiteTest) {
    for (path, html) in html_pages(test.out()) {
        let lower = html.to_lowercase();
        for attr in [
            "href=\"javascript:",
            "src=\"javascript:",
            "href='javascript:",
            "src=javascript:",
            "action=\"javascript:",
            "formaction=javascript:",
            "href=\"vbscript:",
        ] {
            assert!(!lower.contains(attr), "{path} emits {attr}");
        }
    }
}

#[test]
fn site_theme_overrides_a_built_in_template() {
    SiteTest::new("good")
        .file(
            "themes/default/templates/404.html",
            "{% extends \"base.html\" %}{% block main %}<h1>Lost? Try {{ site.title }}</h1>{% endblock %}",
        )
        .build()
        .assert_exit(0)
        .assert_page(
            "404.html",
            &["<h1>Lost? Try Fixture Alignment</h1>", "<link rel=\"stylesheet\""],
        )
        .refute_page("404.html", &["Page not found</h1>"])
        // The other templates are still the built-in ones.
        .assert_page("about/index.html", &["<h1>About this site</h1>"]);
}

#[test]
fn drafts_are_built_only_with_the_drafts_flag() {
    let test = good();
    assert!(!test.out().join("glossary/nps").exists());
    assert!(!test.page("sitemap.xml").contains("/glossary/nps/"));
    test.build_with(&["--drafts"])
        .assert_exit(0)
        .assert_page(
            "glossary/nps/index.html",
            &["<h1>Net Promoter Score <abbr class=\"acronym\">NPS</abbr></h1>"],
        )
        .assert_page("sitemap.xml", &["<loc>/glossary/nps/</loc>"]);
}

#[test]
fn two_builds_are_byte_identical() {
    let test = SiteTest::new("good")
        .build_into("out-one", &[])
        .assert_exit(0)
        .build_into("out-two", &[])
        .assert_exit(0);
    let one = output_files(&test.dir().join("out-one"));
    let two = output_files(&test.dir().join("out-two"));
    assert!(one.len() > 25, "{} files", one.len());
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &one {
        assert!(two[path] == *bytes, "`{path}` differs between two builds");
    }
}

#[test]
fn failed_build_leaves_the_last_good_output_untouched() {
    let test = good();
    let before = output_files(test.out());
    let test = test
        .file(
            "content/glossary/churn.md",
            "---\ntitle: Churn\nowner: nobody\n---\nBroken now.\n",
        )
        .build()
        .assert_exit(1)
        .assert_stderr(&["unknown team `nobody`", "build failed", "was left as it was"]);
    assert_eq!(
        output_files(test.out()),
        before,
        "the output changed after a failed build"
    );
    assert_no_staging_left(&test);
}

#[test]
fn timings_name_every_stage_with_its_time_and_the_peak_memory() {
    let test = SiteTest::new("good").build_with(&["--timings"]).assert_exit(0);
    let test = test.assert_stderr(&[
        "load",
        "parse",
        "validate",
        "score",
        "bodies",
        "views",
        "term uses",
        "pages",
        "data",
        "search",
        "assemble",
        "publish",
        "total",
    ]);
    // Linux says how much memory the process held: after each stage, and in all.
    if cfg!(target_os = "linux") {
        test.assert_stderr(&["peak so far", "peak memory"]);
    }
    SiteTest::new("good")
        .run(&["check", "--root", "site", "--today", crate::support::TODAY, "--timings"])
        .assert_exit(0)
        .assert_stderr(&["pages", "total"]);
}

/// The test's folder holds the site and its output, and nothing a build
/// left behind.
fn assert_no_staging_left(test: &SiteTest) {
    let leftovers: Vec<String> = fs::read_dir(test.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers.len(), 2, "no staging folders left behind: {leftovers:?}");
}

#[test]
fn a_template_error_while_pages_are_written_leaves_the_last_good_output() {
    // `rapport build` writes each page into the staging folder as soon as
    // it is rendered: a page whose template fails after others were
    // written must still leave the old site whole and no staging folder.
    let test = good();
    let before = output_files(test.out());
    let test = test
        .file(
            "themes/default/templates/page.html",
            "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ page.title | nosuchfilter }}</h1>\n{% endblock %}\n",
        )
        .build()
        .assert_exit(1)
        .assert_stderr(&["nosuchfilter", "build failed", "was left as it was"]);
    assert_eq!(
        output_files(test.out()),
        before,
        "the output changed after a failed build"
    );
    assert_no_staging_left(&test);
}

#[test]
fn rebuild_replaces_the_output_and_drops_removed_pages() {
    let test = good();
    fs::remove_file(test.root().join("content/glossary/escalation.md")).unwrap();
    let test = test.build().assert_exit(0);
    assert!(
        !test.out().join("glossary/escalation").exists(),
        "a removed term's page is gone"
    );
    assert!(test.out().join("glossary/churn/index.html").exists());
}

#[test]
fn refuses_output_folders_it_could_destroy() {
    let test = SiteTest::new("good")
        .build_into("site", &[])
        .assert_exit(2)
        .assert_stderr(&["refusing to write the site into its own root"]);
    // A folder holding `content/` (another site).
    fs::create_dir_all(test.dir().join("other/content")).unwrap();
    fs::write(test.dir().join("other/content/keep.md"), "keep").unwrap();
    let test = test
        .build_into("other", &[])
        .assert_exit(2)
        .assert_stderr(&["holds a `content/` folder"]);
    assert_eq!(
        fs::read_to_string(test.dir().join("other/content/keep.md")).unwrap(),
        "keep"
    );
    // A non-empty folder that rapport did not write.
    fs::create_dir_all(test.dir().join("precious")).unwrap();
    fs::write(test.dir().join("precious/notes.txt"), "mine").unwrap();
    let test = test
        .build_into("precious", &[])
        .assert_exit(2)
        .assert_stderr(&["not written by rapport"]);
    assert_eq!(
        fs::read_to_string(test.dir().join("precious/notes.txt")).unwrap(),
        "mine"
    );
    let test = test
        .build_into("site/content/out", &[])
        .assert_exit(2)
        .assert_stderr(&["inside `content/`"]);
    assert!(!test.root().join("content/out").exists());
}

#[test]
fn base_url_with_a_sub_path_prefixes_every_link() {
    let test = SiteTest::new("good")
        .build_with(&["--base-url", "https://intranet.example.com/alignment/"])
        .assert_exit(0);
    let pages = html_pages(test.out());
    assert!(pages.len() > 20);
    for (path, html) in &pages {
        for attr in ["href=\"/", "src=\"/", "action=\"/"] {
            for (i, _) in html.match_indices(attr) {
                let rest = &html[i + attr.len() - 1..];
                assert!(
                    rest.starts_with("/alignment/"),
                    "{path}: a root-relative link escapes the sub-path: {}",
                    &rest[..rest.len().min(60)]
                );
            }
        }
    }
    let test = test
        .assert_page(
            "about/index.html",
            &[
                "href=\"/alignment/style.css\"",
                "<a href=\"/alignment/glossary/mql/\">the MQL entry</a>",
                "<a class=\"wikilink story\" href=\"/alignment/stories/acme-renewal/\">",
            ],
        )
        .assert_page(
            "guides/writing/index.html",
            &["<a href=\"/alignment/\">go back home</a>"],
        )
        .assert_page(
            "glossary/mql/index.html",
            &["href=\"/alignment/glossary/churn/#history\""],
        );
    let sitemap = test.page("sitemap.xml");
    let locs: Vec<&str> = sitemap.split("<loc>").skip(1).collect();
    assert!(locs.len() > 20);
    for loc in locs {
        assert!(loc.starts_with("https://intranet.example.com/alignment/"), "{loc}");
    }
}

#[test]
fn a_bad_base_url_flag_is_reported() {
    SiteTest::new("good")
        .build_with(&["--base-url", "ftp://intranet/alignment/"])
        .assert_exit(2)
        .assert_stderr(&["--base-url", "scheme `ftp`"]);
}

#[test]
fn links_to_files_beside_a_page_point_at_their_copy() {
    // `guides/x.md` becomes `guides/x/index.html` while `guides/plan.png`
    // is copied to `guides/plan.png`: the link must climb out of the page's
    // own folder. The index of content files was never filled in a build
    // until the dead-code sweep found it set only by a unit test.
    let test = SiteTest::new("good")
        .file(
            "content/guides/floor-plan.md",
            "---\ntitle: Floor plan\n---\n![The office](plan.png) and [the PDF](files/plan.pdf).\n",
        )
        .file("content/guides/plan.png", "not really a png")
        .file("content/guides/files/plan.pdf", "not really a pdf")
        .build()
        .assert_exit(0);
    let test = test.assert_page(
        "guides/floor-plan/index.html",
        &[
            "<img src=\"/guides/plan.png\" alt=\"The office\"",
            "<a href=\"/guides/files/plan.pdf\">the PDF</a>",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(test.out().join("guides/plan.png")).unwrap(),
        "not really a png"
    );
}
