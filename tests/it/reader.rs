//! The reader's views on the `reader` fixture, whose every figure is counted
//! by hand below: the trust matrix, the promises-vs-deliveries timeline, the
//! team charts, a commitment's history, "used in" back-links, the vocabulary
//! gaps and the stories filter. Then, in headless Chromium, the stories
//! filter at work and screenshots of the example site for review.
//!
//! The fixture (today is 2026-06-15) has four teams and nine commitments:
//!
//! | slug | owner → to | promised | due (effective) | outcome | state |
//! |---|---|---|---|---|---|
//! | webinar-deck | marketing → sales | 01-05 | 02-10 | delivered 02-09, rated 5 | on time |
//! | case-studies | marketing → sales | 01-20 | 03-01 | delivered 03-20, rated 3 | late |
//! | brand-refresh | marketing → sales, support | 02-01 | 03-15 (04-30) | delivered 04-20 | late |
//! | event-kit | marketing → support | 02-10 | 04-01 | missed, closed 03-20 | missed |
//! | lead-feedback | sales → marketing | 03-01 | 05-01 | – | overdue |
//! | quote-template | sales → marketing | 03-10 | 04-10 | delivered 04-08 | on time |
//! | onboarding-calls | sales → sales, support | 04-01 | 05-15 | delivered 05-10 | on time |
//! | help-centre | support → marketing | 04-15 | 07-31 | – | open |
//! | chat-support | support → sales | 01-10 | 03-31 | dropped, closed 03-10 | dropped |
//!
//! Legal promised nothing and received nothing. The fixture's `happiness`
//! hook is the share of the month's settled promises that were on time
//! (50 when none was settled).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::serve::Served;
use crate::support::{SiteTest, assert_contains, assert_in_order, between, manifest_dir};
use crate::webdriver::Browser;

fn reader() -> SiteTest {
    SiteTest::new("reader")
        .build()
        .assert_exit(0)
        .assert_stderr(&["0 errors, 0 warnings"])
}

/// The `<section>` (or other element) that starts at `id="<id>"`, up to the
/// next `marker`.
fn part<'a>(page: &'a str, id: &str, marker: &str) -> &'a str {
    between(page, &format!("id=\"{id}\""), marker)
}

#[test]
fn trust_matrix_cells_are_on_time_rates_between_teams_linking_to_their_commitments() {
    let test = reader();
    let page = test.page("happiness/index.html");
    let chart = between(part(&page, "trust", "</section>"), "<svg xmlns", "</svg>");
    // Marketing → Sales: webinar-deck on time, case-studies and brand-refresh
    // late: 1 of 3. Marketing → Support: brand-refresh late, event-kit
    // missed: 0 of 2. Sales → Marketing: quote-template on time,
    // lead-feedback overdue: 1 of 2. Sales → Support: onboarding-calls on
    // time: 1 of 1 (its promise to Sales itself is left out).
    assert_contains(
        "the heat map",
        chart,
        &[
            "<a href=\"/happiness/from-marketing-to-sales/\"><title>Marketing → Sales: 33.3% on time, 3 commitments</title>",
            ">33%</text>",
            "<a href=\"/happiness/from-marketing-to-support/\"><title>Marketing → Support: 0% on time, 2 commitments</title>",
            "<a href=\"/happiness/from-sales-to-marketing/\"><title>Sales → Marketing: 50% on time, 2 commitments</title>",
            "<a href=\"/happiness/from-sales-to-support/\"><title>Sales → Support: 100% on time, 1 commitment</title>",
        ],
    );
    assert_eq!(
        chart.matches("class=\"heat-cell").count(),
        4,
        "four cells came due: {chart}"
    );
    // Support's promises are open (help-centre) or dropped (chat-support):
    // nothing came due, so their cells are empty but still link to them.
    for (pair, recipient) in [("support-to-marketing", "Marketing"), ("support-to-sales", "Sales")] {
        let cell = format!(
            "<a href=\"/happiness/from-{pair}/\"><title>Support → {recipient}: nothing due yet, 1 commitment</title>"
        );
        assert!(chart.contains(&cell), "{cell}: {chart}");
    }
    // A team's promises to itself are not in the matrix.
    assert!(!chart.contains("Sales → Sales"), "{chart}");
    // Legal took no part in any promise: it is on neither axis.
    assert!(!page.contains("/teams/legal/"), "legal is not in the matrix");

    let table = between(&page, "<table class=\"trust-table\">", "</table>");
    assert_in_order(
        "the trust table",
        table,
        &[
            "<th scope=\"row\"><a href=\"/teams/marketing/\">Marketing</a></th><td></td>",
            "<a href=\"/happiness/from-marketing-to-sales/\">33%</a> <span class=\"muted\">1/3</span>",
            "<a href=\"/happiness/from-marketing-to-support/\">0%</a> <span class=\"muted\">0/2</span>",
            "<th scope=\"row\"><a href=\"/teams/sales/\">Sales</a></th>",
            "<a href=\"/happiness/from-sales-to-marketing/\">50%</a> <span class=\"muted\">1/2</span>",
            "<a href=\"/happiness/from-sales-to-support/\">100%</a> <span class=\"muted\">1/1</span>",
            "<th scope=\"row\"><a href=\"/teams/support/\">Support</a></th>",
            "<a href=\"/happiness/from-support-to-marketing/\">nothing due yet</a> <span class=\"muted\">of 1</span>",
            "<a href=\"/happiness/from-support-to-sales/\">nothing due yet</a> <span class=\"muted\">of 1</span>",
        ],
    );
    // The rule is on the page.
    assert_contains(
        "happiness/index.html",
        &page,
        &[
            "on time ÷ (on time + late + missed + overdue)",
            "a team's promises to itself are left out",
        ],
    );

    // Each cell's commitments have a page of their own, with the figures.
    let pair = |id: &str| test.page(&format!("happiness/{id}/index.html"));
    let marketing_sales = pair("from-marketing-to-sales");
    assert_contains(
        "marketing to sales",
        &marketing_sales,
        &[
            "<h1>Marketing to Sales</h1>",
            "<strong>33% on time: 1 of 3 that came due, 2 late; 3 commitments in all.</strong>",
            "/commitments/webinar-deck/",
            "/commitments/case-studies/",
            "/commitments/brand-refresh/",
        ],
    );
    assert!(!marketing_sales.contains("event-kit"), "{marketing_sales}");
    assert_contains(
        "marketing to support",
        &pair("from-marketing-to-support"),
        &[
            "1 late, 1 missed",
            "/commitments/brand-refresh/",
            "/commitments/event-kit/",
        ],
    );
    assert_contains(
        "sales to marketing",
        &pair("from-sales-to-marketing"),
        &[
            "1 overdue",
            "/commitments/lead-feedback/",
            "/commitments/quote-template/",
        ],
    );
    assert_contains(
        "support to marketing",
        &pair("from-support-to-marketing"),
        &[
            "Nothing has come due yet; 1 commitment in all.",
            "/commitments/help-centre/",
        ],
    );
    // The happiness page itself no longer repeats every commitment.
    assert!(!page.contains("/commitments/webinar-deck/"), "{page}");
    assert!(
        !test.out().join("happiness/from-sales-to-sales").exists(),
        "no pair with itself"
    );
}

#[test]
fn happiness_page_charts_every_team_in_its_colour() {
    let test = reader();
    let page = test.page("happiness/index.html");
    // Small multiples: one chart per team with a value, each in its colour,
    // all on the same months (January to June: never after today's).
    let index = part(&page, "index", "</section>");
    assert_eq!(index.matches("<svg xmlns").count(), 3, "{index}");
    for (slug, title, color) in [
        ("marketing", "Marketing", "#c2410c"),
        ("sales", "Sales", "#1f5fa8"),
        ("support", "Support", "#15803d"),
    ] {
        let chart = between(index, &format!("id=\"happiness-{slug}-title\""), "</svg>");
        assert_contains(
            "a small multiple",
            chart,
            &[
                &format!(">{title} happiness index</title>"),
                &format!("stroke=\"{color}\""),
                ">Jan 2026</text>",
                ">Jun 2026</text>",
                ">Index, 0 to 100</text>",
            ],
        );
        assert!(!chart.contains("Jul 2026"), "{chart}");
    }
    assert!(index.contains("<title>Marketing, Feb 2026: 100</title>"), "{index}");
    // Sales made its first promise in March: no dot before.
    let sales = between(index, "id=\"happiness-sales-title\"", "</svg>");
    assert!(
        !sales.contains("Sales, Jan 2026") && !sales.contains("Sales, Feb 2026"),
        "{sales}"
    );
    assert!(sales.contains("<title>Sales, Mar 2026: 50</title>"), "{sales}");
    let table = between(&page, "<table class=\"happiness-all-table\">", "</table>");
    assert_in_order(
        "the happiness table",
        table,
        &[
            ">MKT</a></th>",
            ">SLS</a></th>",
            ">SUP</a></th>",
            "Jan 2026</time></th><td>50</td><td>–</td><td>50</td>",
            "Mar 2026</time></th><td>0</td><td>50</td><td>0</td>",
            "Apr 2026</time></th><td>0</td><td>100</td><td>50</td>",
            "Jun 2026</time></th><td>50</td><td>50</td><td>50</td>",
        ],
    );
    assert!(!table.contains("Jul 2026"), "no month after today: {table}");
    // The nav links the page; a page of that name would replace it.
    assert_contains(
        "the nav",
        &page,
        &["<a href=\"/happiness/\" aria-current=\"page\">Happiness</a>"],
    );
    SiteTest::new("reader")
        .file("content/happiness.md", "---\ntitle: Happiness\n---\nMine.\n")
        .file("content/gaps.md", "---\ntitle: Gaps\n---\nMine.\n")
        .check()
        .assert_exit(1)
        .assert_diagnostic(
            "content/happiness.md",
            1,
            "page would replace the list page at `/happiness/`",
        )
        .assert_diagnostic("content/gaps.md", 1, "page would replace the list page at `/gaps/`");
}

#[test]
fn commitments_page_counts_promises_and_deliveries_by_month() {
    let test = reader();
    let page = test.page("commitments/index.html");
    // made: by `promised`; due: by the original due date, and only up to
    // today (help-centre, due in July, is not counted); rescheduled: by the
    // revision's date; on time and late: by `delivered`; missed and dropped:
    // by `closed`; overdue: as it stood at each month's end (lead-feedback,
    // due 1 May, from May on). No month after June, today's.
    let table = between(&page, "<details class=\"chart-data\">", "</details>");
    assert_in_order(
        "the timeline's data",
        table,
        &[
            "<th scope=\"col\">Month</th><th scope=\"col\">Made</th><th scope=\"col\">Due <span class=\"th-note\">(original date)</span></th><th scope=\"col\">Rescheduled</th><th scope=\"col\">On time</th><th scope=\"col\">Late</th><th scope=\"col\">Missed</th><th scope=\"col\">Dropped</th><th scope=\"col\">Overdue <span class=\"th-note\">(at month end)</span></th><th scope=\"col\">Satisfaction</th>",
            "Jan 2026</time></th><td>3</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>–</td>",
            "Feb 2026</time></th><td>2</td><td>1</td><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>5.0</td>",
            "Mar 2026</time></th><td>2</td><td>3</td><td>1</td><td>0</td><td>1</td><td>1</td><td>1</td><td>0</td><td>3.0</td>",
            "Apr 2026</time></th><td>2</td><td>2</td><td>0</td><td>1</td><td>1</td><td>0</td><td>0</td><td>0</td><td>–</td>",
            "May 2026</time></th><td>0</td><td>2</td><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td><td>–</td>",
            "Jun 2026</time></th><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td><td>–</td>",
            "<th scope=\"row\">Total</th><td>9</td><td>8</td><td>1</td><td>3</td><td>2</td><td>1</td><td>1</td><td>1 <span class=\"th-note\">today</span></td><td>4.0</td>",
        ],
    );
    assert!(!table.contains("Jul 2026"), "no month after today: {table}");
    let chart = between(&page, "<svg xmlns", "</svg>");
    assert_contains(
        "the timeline chart",
        chart,
        &[
            "class=\"chart chart-bars\"",
            "<title id=\"promises-timeline-title\">Promises and deliveries by month</title>",
            "In all: 9 made, 8 due, 1 rescheduled, 3 delivered on time, 2 late, 1 missed, 1 dropped; 1 overdue at the end of Jun 2026.",
            "<title>Jan 2026: 3 promises made</title>",
            "<title>Mar 2026: 3 promises originally due</title>",
            "<title>Mar 2026: 1 declared missed</title>",
            "<title>Mar 2026: 1 rescheduling</title>",
            "<title>May 2026: 1 overdue at the end of the month</title>",
        ],
    );
    assert!(!chart.contains("Jul 2026"), "{chart}");
    // The chart sits above the board, inside a sideways-scrolling box.
    assert_in_order(
        "commitments/index.html",
        &page,
        &[
            "<div class=\"chart-scroll\" tabindex=\"0\"><svg",
            "id=\"state-overdue\"",
            "id=\"state-dropped\"",
        ],
    );
}

#[test]
fn team_page_charts_its_happiness_in_its_colour_with_its_months_beneath() {
    let test = reader();
    let page = test.page("teams/marketing/index.html");
    let happiness = between(&page, "id=\"happiness\"", "</section>");
    assert_in_order(
        "marketing's happiness section",
        happiness,
        &[
            "<svg xmlns",
            "<title id=\"team-marketing-happiness-title\">Marketing happiness index</title>",
            "<desc id=\"team-marketing-happiness-desc\">Happiness index of Marketing by month, 0 to 100, from Jan 2026 to Jun 2026: lowest 0 (Mar 2026), highest 100 (Feb 2026), latest 50 (Jun 2026).</desc>",
            "stroke=\"#c2410c\"",
            "</svg>",
            "<svg xmlns",
            "<title id=\"team-marketing-promises-title\">Promises Marketing made and delivered, by month</title>",
            "In all: 4 made, 4 due, 1 rescheduled, 1 delivered on time, 2 late, 1 missed, 0 dropped; 0 overdue at the end of Jun 2026.",
            "</svg>",
            "<summary>Data</summary>",
            "<table class=\"happiness-table\">",
            "Jan 2026</time></th><td>50</td><td>2</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>–</td>",
            "Feb 2026</time></th><td>100</td><td>2</td><td>1</td><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>5.0</td>",
            "Mar 2026</time></th><td>0</td><td>0</td><td>2</td><td>1</td><td>0</td><td>1</td><td>1</td><td>0</td><td>0</td><td>3.0</td>",
            "Apr 2026</time></th><td>0</td><td>0</td><td>1</td><td>0</td><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>–</td>",
            "Jun 2026</time></th><td>50</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>–</td>",
        ],
    );
    // Legal made no promise: no months, so no charts.
    let legal = test.page("teams/legal/index.html");
    assert!(!legal.contains("class=\"chart "), "{legal}");

    // Vocabulary: marketing owns Lead and reads Pipeline (owned by sales)
    // its own way; sales owns Pipeline and NRR and reads the unowned
    // Handover.
    let reads = between(&page, "<h3>Terms we read our own way</h3>", "</div>");
    assert_contains(
        "terms marketing reads",
        reads,
        &[
            "<a href=\"/glossary/pipeline/\">Pipeline</a>",
            // "owned by Sales": a sentence, so the full name.
            "<span class=\"muted\">owned by</span> <a class=\"team-badge\" href=\"/teams/sales/\" style=\"--team: #1f5fa8; --ink: #fff\" title=\"Sales\">Sales</a>",
            "<q>Every lead we generated this quarter.</q>",
        ],
    );
    let owns = between(&page, "<h3>Terms we own</h3>", "</div>");
    assert_contains(
        "terms marketing owns",
        owns,
        &["<a href=\"/glossary/lead/\">Lead</a> <span class=\"muted\">· 1 reading</span>"],
    );
    let sales = test.page("teams/sales/index.html");
    let sales_owns = between(&sales, "<h3>Terms we own</h3>", "</div>");
    assert_contains(
        "terms sales owns",
        sales_owns,
        &[
            "Net Revenue Retention</a> <abbr class=\"acronym\">NRR</abbr>",
            "Pipeline</a>",
        ],
    );
    let sales_reads = between(&sales, "<h3>Terms we read our own way</h3>", "</div>");
    assert_contains(
        "terms sales reads",
        sales_reads,
        &["Handover</a> <span class=\"flag\">no owner</span>"],
    );
    assert!(!sales_reads.contains("Pipeline"), "sales owns it: {sales_reads}");
}

#[test]
fn commitment_page_draws_its_history_as_a_small_timeline() {
    let test = reader();
    let page = test.page("commitments/brand-refresh/index.html");
    let history = between(&page, "id=\"history\"", "</section>");
    assert_in_order(
        "brand-refresh's history",
        history,
        &[
            "class=\"chart chart-timeline\"",
            "<title id=\"history-brand-refresh-title\">History of “Refreshed slide templates”</title>",
            "class=\"tl-promised\"",
            "class=\"tl-due\"",
            "class=\"tl-delivered state-late\"",
            "class=\"tl-rescheduled\"",
            "</svg>",
            "<ol class=\"history\">",
            "</ol>",
            "<summary>Data</summary>",
            "<time datetime=\"2026-02-01\">1 February 2026</time></th><td>Promised for 15 March 2026.</td>",
            "<time datetime=\"2026-03-15\">15 March 2026</time></th><td>Originally due.</td>",
            "<time datetime=\"2026-04-20\">20 April 2026</time></th><td>Delivered, 36 days after the original due date.</td>",
            "<time datetime=\"2026-04-30\">30 April 2026</time></th><td>New due date, set on 1 March 2026: Waiting for the new brand guide.</td>",
        ],
    );
    // Open and overdue: the timeline runs to today.
    let overdue = test.page("commitments/lead-feedback/index.html");
    assert_contains(
        "lead-feedback's history",
        between(&overdue, "id=\"history\"", "</section>"),
        &[
            "class=\"tl-today\"",
            "<time datetime=\"2026-06-15\">15 June 2026</time></th><td>Today, 45 days past the due date and not delivered yet.</td>",
        ],
    );
    // Missed on its `closed` date, before the due date, with its reason.
    let missed = test.page("commitments/event-kit/index.html");
    let missed = between(&missed, "id=\"history\"", "</section>");
    assert_contains(
        "event-kit's history",
        missed,
        &[
            "class=\"tl-missed\"",
            "Missed: The trade show was cancelled before the kit was printed.",
            "<time datetime=\"2026-03-20\">20 March 2026</time></th><td>Declared missed, 12 days before the original date: The trade show was cancelled before the kit was printed.</td>",
        ],
    );
    assert!(!missed.contains("tl-today"), "{missed}");
}

#[test]
fn terms_show_used_in_back_links_abbreviations_and_differing_readings() {
    let test = reader();
    let page = test.page("glossary/pipeline/index.html");
    let used_in = between(&page, "<h2>Used in</h2>", "</ul>");
    assert_in_order(
        "pipeline is used in",
        used_in,
        &[
            "<span class=\"kind-label\">story</span> <a href=\"/stories/webinar-wins/\">The webinar that filled the pipeline</a>",
            "<span class=\"kind-label\">commitment</span> <a href=\"/commitments/webinar-deck/\">Webinar deck for the spring launch</a>",
            "<span class=\"kind-label\">page</span> <a href=\"/\">Reader Fixture</a>",
        ],
    );
    let readings = between(&page, "<div class=\"reading-grid\">", "</section>");
    assert_in_order(
        "pipeline's readings",
        readings,
        &[
            "<span>Sales</span> <span class=\"muted\">(owner)</span>",
            "<span>Marketing</span> <span class=\"muted own-reading\">(its own reading)</span>",
        ],
    );
    test.assert_page(
        "glossary/nrr/index.html",
        &["<span class=\"kind-label\">page</span> <a href=\"/about/\">About the numbers</a>"],
    )
    // An acronym in body text is an <abbr> with the term's name and
    // definition; a [[link]] carries the definition as a tooltip.
    .assert_page(
        "stories/webinar-wins/index.html",
        &[
            "<abbr title=\"Net Revenue Retention: Revenue kept from last year&#39;s customers, expansions included.\">NRR</abbr>",
            "<a class=\"wikilink term\" href=\"/glossary/pipeline/\" title=\"The open sales opportunities, each with a value and a close date.\">Pipeline</a>",
        ],
    )
    // Off in the config: plain text.
    .file("rapport.toml", "title = \"Reader Fixture\"\n[markdown]\nabbreviations = false\n")
    .build()
    .assert_exit(0)
    .refute_page("stories/webinar-wins/index.html", &["<abbr"]);
}

#[test]
fn glossary_links_every_letter_acronyms_and_the_gaps_page() {
    let test = reader();
    let page = test.page("glossary/index.html");
    let jump = between(&page, "<nav class=\"letter-jump\"", "</nav>");
    assert_in_order(
        "the letter jump",
        jump,
        &[
            "<span class=\"letter-empty\" aria-hidden=\"true\">A</span>",
            "<a href=\"/glossary/#letter-c\">C</a>",
            "<a href=\"/glossary/#letter-h\">H</a>",
            "<a href=\"/glossary/#letter-l\">L</a>",
            "<a href=\"/glossary/#letter-n\">N</a>",
            "<a href=\"/glossary/#letter-p\">P</a>",
            "<span class=\"letter-empty\" aria-hidden=\"true\">Z</span>",
            "<a href=\"#acronyms\">Acronyms</a>",
            "<a href=\"/gaps/\">Gaps</a>",
        ],
    );
    let acronyms = part(&page, "acronyms", "</section>");
    assert_contains(
        "the acronyms",
        acronyms,
        &[
            "<dt><abbr title=\"Net Revenue Retention\">NRR</abbr></dt><dd><a href=\"/glossary/nrr/\">Net Revenue Retention</a></dd>",
        ],
    );
    assert_contains(
        "glossary/index.html",
        &page,
        &["<span class=\"flag flag-quiet\">no owner</span>"],
    );
}

#[test]
fn gaps_page_shows_who_uses_a_term_without_a_reading() {
    // Uses, by the content format's rule: `lead-feedback` (sales → marketing)
    // says "lead" in its title and body, twice; Marketing owns Lead, Sales
    // has no reading: a gap of 2. `webinar-wins` (marketing, sales) says
    // NRR, which Sales owns and Marketing has no reading of: a gap of 1.
    // Pipeline is used by both, but Sales owns it and Marketing reads it.
    let test = reader();
    let page = test.page("gaps/index.html");
    assert_contains(
        "gaps/index.html",
        &page,
        &[
            "<h1>Vocabulary gaps</h1>",
            "Of 5 terms and 4 teams: <a href=\"#unread\">2 times a team uses a term without having said what it means by it</a>, and <a href=\"#unowned\">2 terms without an owner</a>.",
            // It belongs to the glossary in the nav.
            "<a href=\"/glossary/\" aria-current=\"page\">Glossary</a>",
        ],
    );
    let unread = part(&page, "unread", "</section>");
    assert_in_order(
        "used without a reading, most used first",
        unread,
        &[
            "title=\"Sales\">SLS</a> <span class=\"gap-says\">Sales uses</span> <a href=\"/glossary/lead/\">Lead</a>",
            "<span class=\"gap-count\">2 times</span>",
            "In <a href=\"/commitments/lead-feedback/\">Feedback on every rejected lead</a>.",
            "Marketing uses</span> <a href=\"/glossary/nrr/\">Net Revenue Retention</a> <abbr class=\"acronym\">NRR</abbr>",
            "<span class=\"gap-count\">1 time</span>",
            "In <a href=\"/stories/webinar-wins/\">The webinar that filled the pipeline</a>.",
        ],
    );
    assert!(!unread.contains("Pipeline</a>"), "{unread}");
    let unowned = part(&page, "unowned", "</section>");
    assert_in_order(
        "terms without an owner",
        unowned,
        &[
            "<a href=\"/glossary/churn/\">Churn</a> <span class=\"muted\">· 1 reading</span>",
            "<a href=\"/glossary/handover/\">Handover</a> <span class=\"muted\">· 2 readings</span>",
        ],
    );
    // The matrix: terms with a gap, most readings first; a column per team.
    let matrix = between(&page, "<table class=\"gap-matrix\">", "</table>");
    assert_in_order(
        "the matrix",
        matrix,
        &[
            ">Legal</a></th>",
            ">MKT</a></th>",
            ">SLS</a></th>",
            ">SUP</a></th>",
            "Handover</a> <span class=\"flag\">no owner</span></th><td>2</td>",
            "Churn</a> <span class=\"flag\">no owner</span></th><td>1</td>",
            "Lead</a></th><td>1</td><td class=\"gap-cell\"><span aria-hidden=\"true\">·</span></td><td class=\"gap-cell gap-owns\">",
            "<td class=\"gap-cell gap-uses\"><a href=\"/commitments/lead-feedback/\" title=\"uses it 2 times without a reading\">!2</a></td>",
            "Net Revenue Retention</a></th><td>0</td>",
            "<td class=\"gap-cell gap-uses\"><a href=\"/stories/webinar-wins/\" title=\"uses it 1 time without a reading\">!1</a></td><td class=\"gap-cell gap-owns\">",
        ],
    );
    assert!(!matrix.contains("Pipeline"), "no gap for pipeline: {matrix}");
    // Each team's page lists the words it uses without having defined them.
    let sales = test.page("teams/sales/index.html");
    let undefined = between(&sales, "id=\"undefined\"", "</div>");
    assert!(
        undefined.contains("<a href=\"/glossary/lead/\">Lead</a> <span class=\"muted\">· 2 times, in <a href=\"/commitments/lead-feedback/\">Feedback on every rejected lead</a></span>"),
        "{undefined}"
    );
    let support = test.page("teams/support/index.html");
    assert!(
        between(&support, "id=\"undefined\"", "</div>").contains("None: every term our records use"),
        "{support}"
    );
}

#[test]
fn stories_page_lists_stories_by_year_with_a_team_filter_that_works_without_javascript() {
    let test = reader();
    let page = test.page("stories/index.html");
    assert_contains(
        "stories/index.html",
        &page,
        &["<script src=\"/filter.js\" defer></script>"],
    );
    assert!(!page.contains("onclick"), "no inline handlers");
    let filter = between(&page, "data-story-filter>", "</nav>");
    assert_in_order(
        "the team filter",
        filter,
        &[
            "<a class=\"team-badge\" href=\"/teams/marketing/#stories\" data-team=\"marketing\" style=\"--team: #c2410c; --ink: #fff\" title=\"Stories that credit Marketing\">MKT <span class=\"count\">1</span></a>",
            "href=\"/teams/sales/#stories\" data-team=\"sales\"",
            ">SLS <span class=\"count\">2</span>",
            "href=\"/teams/support/#stories\" data-team=\"support\"",
            ">SUP <span class=\"count\">2</span>",
            "aria-live=\"polite\"",
        ],
    );
    assert!(!filter.contains("legal"), "no story credits legal: {filter}");
    assert_in_order(
        "stories by year",
        &page,
        &[
            "<h2 id=\"year-2026\">2026</h2>",
            "data-teams=\"marketing sales\"",
            "The webinar that filled the pipeline",
            "data-teams=\"sales support\"",
            "The renewal we saved",
            "<h2 id=\"year-2025\">2025</h2>",
            "data-teams=\"support\"",
            "The year-end fix",
        ],
    );
    let script = std::fs::read_to_string(test.out().join("filter.js")).expect("filter.js in the output");
    assert_contains("filter.js", &script, &["aria-pressed", "data-story-filter"]);
    // The links land on the team page's stories.
    test.assert_page(
        "teams/sales/index.html",
        &["<h2 id=\"stories\">Stories that credit us</h2>"],
    );
}

#[test]
fn story_filter_toggles_stories_in_place() {
    let Some(browser) = Browser::start("story_filter_toggles_stories_in_place", 1280, 900) else {
        return;
    };
    let served = Served::start("reader");
    browser.goto(&format!("http://127.0.0.1:{}/stories/", served.port));
    browser.wait_for(
        "the filter buttons",
        "return document.querySelectorAll('[data-story-filter] button[aria-pressed]').length;",
        Duration::from_secs(10),
    );
    let visible = |browser: &Browser| -> Vec<String> {
        let value = browser.eval(
            "return Array.from(document.querySelectorAll('[data-teams]'))\
             .filter(function (c) { return c.offsetParent !== null; })\
             .map(function (c) { return c.querySelector('h3').innerText; });",
        );
        value
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    assert_eq!(visible(&browser).len(), 3);
    browser.eval("document.querySelector('button[data-team=\"marketing\"]').click(); return true;");
    assert_eq!(visible(&browser), ["The webinar that filled the pipeline"]);
    assert_eq!(
        browser.eval("return document.querySelector('button[data-team=\"marketing\"]').getAttribute('aria-pressed');"),
        "true"
    );
    assert!(
        browser.text().contains("Showing 1 of 3 stories, crediting Marketing."),
        "{}",
        browser.text()
    );
    // The 2025 heading goes with its last story.
    assert_eq!(
        browser.eval("return document.getElementById('year-2025').offsetParent === null;"),
        true
    );
    browser.eval("document.querySelector('button[data-team=\"support\"]').click(); return true;");
    assert_eq!(visible(&browser).len(), 3, "marketing or support");
    browser.eval("document.querySelector('.filter-reset').click(); return true;");
    assert_eq!(visible(&browser).len(), 3);
    assert_eq!(
        browser.eval("return document.querySelectorAll('[aria-pressed=\"true\"]').length;"),
        0
    );
}

/// Full-page screenshots of the example site's build at desktop and phone
/// widths, saved under `target/screenshots/` for review. At phone width no
/// page may scroll sideways (charts and tables scroll inside their own
/// boxes).
#[test]
fn screenshots_of_the_reader_pages_at_desktop_and_phone_widths() {
    let Some(browser) = Browser::start("screenshots_of_the_reader_pages_at_desktop_and_phone_widths", 1280, 900) else {
        return;
    };
    let root = manifest_dir();
    let site = SiteTest::empty()
        .copy_into(&root.join("content"), "content")
        .copy_into(&root.join("scripts"), "scripts")
        .file(
            "rapport.toml",
            &std::fs::read_to_string(root.join("rapport.toml")).expect("rapport.toml"),
        );
    // With the example's own `today`, as `cargo run -- serve` shows it.
    let out = site.out().to_string_lossy().into_owned();
    let site = site.run(&["build", "--root", "site", "--out", &out]).assert_exit(0);
    // The built output as a web server would serve it (the dev server adds
    // its live-reload script, which is not part of the site).
    let port = serve_folder(site.out());
    let dir = screenshot_dir();
    let pages = [
        ("home", ""),
        ("term", "glossary/mql/"),
        ("team", "teams/marketing/"),
        ("commitments", "commitments/"),
    ];
    for (width, label) in [(1280, "desktop"), (390, "phone")] {
        for (name, path) in pages {
            browser.resize(width, 900);
            browser.goto(&format!("http://127.0.0.1:{port}/{path}"));
            let layout = browser.eval(
                "return [document.documentElement.clientWidth, document.documentElement.scrollWidth, \
                 document.documentElement.scrollHeight];",
            );
            let number = |i: usize| layout[i].as_u64().unwrap_or(0) as u32;
            let (client, scroll, height) = (number(0), number(1), number(2));
            assert!(
                scroll <= client,
                "{name} at {width}px scrolls sideways: {scroll}px of content in {client}px"
            );
            // The whole page, as tall as it is (within reason).
            browser.resize(width, height.clamp(600, 7000));
            let file = dir.join(format!("{name}-{label}.png"));
            browser.screenshot(&file);
            assert_png(&file, client);
        }
    }
    eprintln!("screenshots in {}", dir.display());
}

/// Serves the files of `dir` on a free loopback port until the test ends:
/// `GET /path/` answers `path/index.html`. Enough for a browser to load a
/// built site, no more.
pub(crate) fn serve_folder(dir: &Path) -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a free port");
    let port = listener.local_addr().expect("an address").port();
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || answer(stream, &dir));
        }
    });
    port
}

fn answer(mut stream: TcpStream, dir: &Path) {
    let mut reader = BufReader::new(&mut stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // Skip the headers.
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        header.clear();
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/").trim_start_matches('/');
    let mut file = dir.join(path);
    if path.is_empty() || path.ends_with('/') {
        file = file.join("index.html");
    }
    let (status, body) = match std::fs::read(&file) {
        Ok(body) if !path.contains("..") => ("200 OK", body),
        _ => ("404 Not Found", b"not found".to_vec()),
    };
    let kind = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
}

/// `target/screenshots/` of the project, whatever the cargo target folder.
fn screenshot_dir() -> PathBuf {
    manifest_dir().join("target/screenshots")
}

/// A PNG of at least `width` pixels across (the device may scale up), tall
/// enough to be a page and big enough not to be blank.
fn assert_png(path: &Path, width: u32) {
    let bytes = std::fs::read(path).expect("the screenshot");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    let word = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let (w, h) = (word(16), word(20));
    assert!(w >= width && h >= 600, "{}: {w}×{h}", path.display());
    assert!(
        bytes.len() > 20_000,
        "{} looks blank: {} bytes",
        path.display(),
        bytes.len()
    );
}
