//! Honest numbers: promises that end, monthly figures counted when things
//! happened, and hooks that may give no value. Every figure below is
//! counted by hand from the `figures` fixture (today is 2026-06-15; the
//! default scripts score it):
//!
//! | slug | owner → to | promised | due | what happened |
//! |---|---|---|---|---|
//! | dropped-early | alpha → beta | 01-05 | 02-15 | dropped 02-14, with a reason |
//! | rescheduled | alpha → beta | 01-10 | 03-10 | rescheduled on 04-05 to 05-20, delivered 05-18, rated 4 |
//! | future-delivery | beta → alpha | 02-01 | 06-10 | "delivered" 06-20, after today |
//! | missed | beta → alpha | 03-01 | 04-01 | declared missed 04-20 |
//! | not-due | gamma → alpha | 05-01 | 09-30 | open |

use serde_json::Value;

use crate::support::{SiteTest, between, commitment};

fn figures() -> SiteTest {
    SiteTest::new("figures").build().assert_exit(0)
}

fn json(test: &SiteTest, rel: &str) -> Value {
    serde_json::from_str(&test.page(rel)).unwrap_or_else(|err| panic!("{rel}: {err}"))
}

/// One month of `scores.json`: month, value, then made, due, rescheduled,
/// on time, late, missed, dropped, overdue, and the satisfaction.
type Row = (String, Option<f64>, [u64; 8], Option<f64>);

const FIELDS: [&str; 8] = [
    "made",
    "due",
    "rescheduled",
    "on_time",
    "late",
    "missed",
    "dropped",
    "overdue",
];

fn months(scores: &Value, team: &str) -> Vec<Row> {
    scores["teams"][team]["happiness"]
        .as_array()
        .unwrap_or_else(|| panic!("no months for {team}"))
        .iter()
        .map(|m| {
            let counts = FIELDS.map(|f| m[f].as_u64().unwrap_or_else(|| panic!("{f} of {m}")));
            (
                m["month"].as_str().unwrap().to_string(),
                m["value"].as_f64(),
                counts,
                m["satisfaction"].as_f64(),
            )
        })
        .collect()
}

fn row(month: &str, value: Option<f64>, counts: [u64; 8], satisfaction: Option<f64>) -> Row {
    (month.to_string(), value, counts, satisfaction)
}

#[test]
fn each_team_month_counts_what_happened_when_it_happened() {
    let test = figures();
    let scores = json(&test, "data/scores.json");
    //                 made due resch on-time late missed dropped overdue
    // Alpha: both promises made in January. February: dropped-early was due
    // and was dropped (25 with the default rule). March: rescheduled was
    // due on its original date and overdue at the month's end (0): its
    // rescheduling on 5 April came later. April: the rescheduling alone
    // settles nothing, so no value. May: delivered late, rated 4
    // (0.6 × 50 + 0.4 × 75 = 60). June: nothing, no value; no July.
    assert_eq!(
        months(&scores, "alpha"),
        [
            row("2026-01", None, [2, 0, 0, 0, 0, 0, 0, 0], None),
            row("2026-02", Some(25.0), [0, 1, 0, 0, 0, 0, 1, 0], None),
            row("2026-03", Some(0.0), [0, 1, 0, 0, 0, 0, 0, 1], None),
            row("2026-04", None, [0, 0, 1, 0, 0, 0, 0, 0], None),
            row("2026-05", Some(60.0), [0, 0, 0, 0, 1, 0, 0, 0], Some(4.0)),
            row("2026-06", None, [0, 0, 0, 0, 0, 0, 0, 0], None),
        ]
    );
    // Beta: missed counts in April, its `closed` month. The delivery dated
    // 20 June has not happened on the 15th: it counts nowhere, and the
    // promise, due on 10 June, is overdue today.
    assert_eq!(
        months(&scores, "beta"),
        [
            row("2026-02", None, [1, 0, 0, 0, 0, 0, 0, 0], None),
            row("2026-03", None, [1, 0, 0, 0, 0, 0, 0, 0], None),
            row("2026-04", Some(0.0), [0, 1, 0, 0, 0, 1, 0, 0], None),
            row("2026-05", None, [0, 0, 0, 0, 0, 0, 0, 0], None),
            row("2026-06", Some(0.0), [0, 1, 0, 0, 0, 0, 0, 1], None),
        ]
    );
    // Gamma's promise is due in September: not counted, no month after June.
    assert_eq!(
        months(&scores, "gamma"),
        [
            row("2026-05", None, [1, 0, 0, 0, 0, 0, 0, 0], None),
            row("2026-06", None, [0, 0, 0, 0, 0, 0, 0, 0], None),
        ]
    );
    // Reliability: alpha's dropped promise with a reason scores 50 and its
    // late one 0 (69 days late, told after the original date); beta's late
    // "delivery" 80 (10 days) and the missed one 0. Gamma has nothing due:
    // no number, `null`, said as "nothing due yet".
    let team = |slug: &str| &scores["teams"][slug];
    assert_eq!(team("alpha")["score"], 25.0);
    assert_eq!(team("beta")["score"], 40.0);
    assert_eq!(team("gamma")["score"], Value::Null);
    assert_eq!(team("gamma")["no_value"], true);
    assert_eq!(team("alpha")["no_value"], false);
}

#[test]
fn an_ended_promise_is_frozen_whatever_today_is() {
    let test = figures();
    let june = json(&test, "data/commitments.json");
    let test = test
        .run(&["build", "--root", "site", "--out", "later", "--today", "2026-11-29"])
        .assert_exit(0);
    let later: Value =
        serde_json::from_str(&std::fs::read_to_string(test.dir().join("later/data/commitments.json")).unwrap())
            .unwrap();
    for data in [&june, &later] {
        let dropped = commitment(data, "dropped-early");
        assert_eq!(
            (
                &dropped["state"],
                &dropped["closed"],
                &dropped["ended"],
                &dropped["days_late"]
            ),
            (
                &Value::from("dropped"),
                &Value::from("2026-02-14"),
                &Value::from("2026-02-14"),
                &Value::from(-1)
            ),
            "{dropped}"
        );
        assert_eq!(dropped["reason"], "The customer cancelled the project it was for.");
        let missed = commitment(data, "missed");
        assert_eq!(
            (&missed["ended"], &missed["days_late"]),
            (&Value::from("2026-04-20"), &Value::from(19))
        );
        let late = commitment(data, "rescheduled");
        assert_eq!(late["days_late"], 69, "counted from the original due date");
    }
    // The open one keeps counting: -107 days in June, 60 in November.
    assert_eq!(commitment(&june, "not-due")["days_late"], -107);
    assert_eq!(commitment(&later, "not-due")["days_late"], 60);
    assert_eq!(commitment(&june, "not-due")["ended"], Value::Null);

    // The page says when and how it ended, never "N days late" nor "not yet".
    let page = test.page("commitments/dropped-early/index.html");
    let facts = between(&page, "<dl class=\"facts\">", "</dl>");
    assert!(
        facts.contains(
            "<dt>Dropped</dt><dd>on <time datetime=\"2026-02-14\">14 February 2026</time>, 1 day before the original date</dd>"
        ),
        "{facts}"
    );
    assert!(
        facts.contains("<dt>Why</dt><dd>The customer cancelled the project it was for.</dd>"),
        "{facts}"
    );
    assert!(!facts.contains("Days late") && !facts.contains("not yet"), "{facts}");
    let page = test.page("commitments/missed/index.html");
    assert!(
        page.contains("<dt>Declared missed</dt><dd>on <time datetime=\"2026-04-20\">20 April 2026</time>, 19 days after the original date</dd>"),
        "{page}"
    );
    // The history's table and chart carry the `closed` event and its reason.
    let history = between(&page, "id=\"history\"", "</section>");
    assert!(
        history.contains(
            "<td>Declared missed, 19 days after the original date: The only person who knew the old system left.</td>"
        ),
        "{history}"
    );
    assert!(history.contains("class=\"tl-missed\""), "{history}");
    // A card on the board says it too.
    let board = test.page("commitments/index.html");
    let card = between(&board, "/commitments/dropped-early/", "</article>");
    assert!(
        card.contains("dropped <time datetime=\"2026-02-14\">14 February 2026</time>, 1 day before the original date"),
        "{card}"
    );
    assert!(!card.contains("days late"), "{card}");
}

#[test]
fn closed_is_required_to_end_a_promise_and_refused_on_an_open_one() {
    SiteTest::new("figures")
        .file(
            "content/commitments/no-date.md",
            "---\ntitle: Dropped without a date\nowner: alpha\npromised: 2026-01-01\ndue: 2026-02-01\nstatus: dropped\nreason: Nobody asked for it.\n---\nBody.\n",
        )
        .file(
            "content/commitments/open-but-closed.md",
            "---\ntitle: Open with a closed date\nowner: alpha\npromised: 2026-01-01\ndue: 2026-08-01\nstatus: open\nclosed: 2026-03-01\n---\nBody.\n",
        )
        .check()
        .assert_exit(1)
        .assert_diagnostic(
            "content/commitments/no-date.md",
            6,
            "`status: dropped` without a `closed` date",
        )
        .assert_diagnostic("content/commitments/no-date.md", 6, "the site never guesses that date")
        .assert_diagnostic(
            "content/commitments/open-but-closed.md",
            7,
            "`closed: 2026-03-01` on `status: open`",
        )
        // The future-dated delivery of the fixture is a warning at its line.
        .assert_diagnostic(
            "content/commitments/future-delivery.md",
            7,
            "`delivered` 2026-06-20 is after today (2026-06-15)",
        );
}

#[test]
fn a_missed_promise_without_a_reason_is_a_warning() {
    let test = SiteTest::new("figures")
        .file(
            "content/commitments/missed.md",
            "---\ntitle: Missed\nowner: beta\npromised: 2026-03-01\ndue: 2026-04-01\nstatus: missed\nclosed: 2026-04-20\n---\nBody.\n",
        )
        .check()
        .assert_exit(0)
        .assert_diagnostic("content/commitments/missed.md", 6, "without a `reason`: say why");
    assert!(test.diagnostics().iter().any(|d| d.severity == "warning"));
}

/// The months after today's that no month chart may draw.
const AFTER_TODAY: [&str; 7] = [
    "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026", "Dec 2026", "2027",
];

#[test]
fn month_charts_leave_gaps_for_no_value_and_stop_at_today() {
    let test = figures();
    // Alpha's index has values in February, March and May only: three dots,
    // none in January, April or June, and the line is broken at the gap.
    let team = test.page("teams/alpha/index.html");
    let chart = between(&team, "id=\"team-alpha-happiness-title\"", "</svg>");
    let dots: Vec<&str> = chart.match_indices("<circle").map(|(i, _)| &chart[i..]).collect();
    assert_eq!(dots.len(), 3, "{chart}");
    for value in ["Alpha, Feb 2026: 25", "Alpha, Mar 2026: 0", "Alpha, May 2026: 60"] {
        assert!(chart.contains(&format!("<title>{value}</title>")), "{value}: {chart}");
    }
    for month in ["Jan 2026", "Apr 2026", "Jun 2026"] {
        assert!(!chart.contains(&format!("Alpha, {month}")), "{month}: {chart}");
    }
    assert!(chart.contains(">Index, 0 to 100</text>"), "y axis title: {chart}");
    // The small multiple on the happiness page: the same three dots.
    let page = test.page("happiness/index.html");
    let multiple = between(&page, "id=\"happiness-alpha-title\"", "</svg>");
    assert_eq!(multiple.matches("<circle").count(), 3, "{multiple}");
    // Gamma has no value in any month: no chart for it.
    assert!(!page.contains("id=\"happiness-gamma-title\""), "{page}");

    // No month chart on any page draws a month after today's.
    let pages = crate::support::html_pages(test.out());
    let mut month_charts = 0;
    for (path, html) in &pages {
        for (at, _) in html.match_indices("<svg xmlns") {
            let svg = between(&html[at..], "<svg", "</svg>");
            if !(svg.contains("chart-line") || svg.contains("chart-bars")) {
                continue;
            }
            month_charts += 1;
            for month in AFTER_TODAY {
                assert!(!svg.contains(month), "{path} draws {month}: {svg}");
            }
        }
    }
    assert!(month_charts >= 6, "{month_charts} month charts");
}

#[test]
fn the_commitments_chart_agrees_with_the_teams_months() {
    let test = figures();
    let scores = json(&test, "data/scores.json");
    // The sum of the teams' months.
    let mut sums: std::collections::BTreeMap<String, [u64; 8]> = Default::default();
    for team in ["alpha", "beta", "gamma"] {
        for (month, _, counts, _) in months(&scores, team) {
            let sum = sums.entry(month).or_default();
            for (s, c) in sum.iter_mut().zip(counts) {
                *s += c;
            }
        }
    }
    let page = test.page("commitments/index.html");
    let table = between(&page, "<table class=\"month-table\">", "</table>");
    let chart = between(&page, "id=\"promises-timeline-title\"", "</svg>");
    let label = |month: &str| {
        let (year, m) = month.split_once('-').unwrap();
        let names = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        format!("{} {year}", names[m.parse::<usize>().unwrap() - 1])
    };
    assert_eq!(sums.len(), 6, "January to June: {sums:?}");
    for (month, counts) in &sums {
        // The table row: made, due, rescheduled, on time, late, missed,
        // dropped, overdue, in that order.
        let cells: String = counts.iter().map(|c| format!("<td>{c}</td>")).collect();
        let row = format!("{}</time></th>{cells}", label(month));
        assert!(table.contains(&row), "{row}: {table}");
        // The chart: a bar, mark or point per non-zero figure, whose tooltip
        // is the same number.
        let name = label(month);
        let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let tooltips = [
            plural(counts[0], "promise made", "promises made"),
            plural(counts[1], "promise originally due", "promises originally due"),
            plural(counts[2], "rescheduling", "reschedulings"),
            format!("{} delivered on time", counts[3]),
            format!("{} delivered late", counts[4]),
            format!("{} declared missed", counts[5]),
            format!("{} dropped", counts[6]),
            format!("{} overdue at the end of the month", counts[7]),
        ];
        for (count, tooltip) in counts.iter().zip(tooltips) {
            let title = format!("<title>{name}: {tooltip}</title>");
            assert_eq!(chart.contains(&title), *count > 0, "{title}");
        }
    }
    // The totals row and the chart's description agree with the months.
    let total = |i: usize| sums.values().map(|c| c[i]).sum::<u64>();
    let today_overdue = sums.values().last().unwrap()[7];
    let totals: String = (0..7).map(|i| format!("<td>{}</td>", total(i))).collect();
    assert!(
        table.contains(&format!(
            "<th scope=\"row\">Total</th>{totals}<td>{today_overdue} <span class=\"th-note\">today</span></td>"
        )),
        "{table}"
    );
    assert!(
        chart.contains(&format!(
            "In all: {} made, {} due, {} rescheduled, {} delivered on time, {} late, {} missed, {} dropped; {} overdue at the end of Jun 2026.",
            total(0),
            total(1),
            total(2),
            total(3),
            total(4),
            total(5),
            total(6),
            today_overdue
        )),
        "{chart}"
    );
}

#[test]
fn scores_say_what_they_are_and_nothing_due_yet_is_not_a_number() {
    let test = figures();
    let teams = test.page("teams/index.html");
    assert!(
        teams.contains("<span class=\"score-label\">reliability</span> <span class=\"score-value\">25</span>"),
        "{teams}"
    );
    let gamma = between(&teams, "/teams/gamma/", "</h2>");
    assert!(
        gamma.contains(
            "<span class=\"score-label\">reliability</span> <span class=\"score-value\">nothing due yet</span>"
        ),
        "{gamma}"
    );
    test.assert_page(
        "teams/gamma/index.html",
        &["Reliability</a></dt><dd><span class=\"muted\">nothing due yet</span></dd>"],
    )
    .assert_page(
        "scores/index.html",
        &[
            "<a href=\"/teams/gamma/\">Gamma</a></th><td><span class=\"muted\">nothing due yet</span></td>",
            "a hook may return <code>()</code> for “no value”",
        ],
    )
    .assert_page(
        "commitments/missed/index.html",
        &["<span class=\"score-label\">score</span> <span class=\"score-value\">0</span>"],
    );
}
