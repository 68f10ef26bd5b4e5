//! Rhai scripts: each hook's numbers on the `scripting` fixture (its rules
//! are simple enough to recompute by hand; see the comments), a changed
//! rule, the sandbox's limits, script errors at their positions, template
//! helpers and `rapport scores`.
//!
//! The fixture pins `[scripts] max_operations = 100000` so that the limit
//! cases stay quick in debug builds; every case must still end well under
//! [`NO_HANG`].

use std::fs;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{SiteTest, manifest_dir};

/// How long a run that hits a limit may take, debug build included.
const NO_HANG: Duration = Duration::from_secs(10);

/// The fixture's `scripts/rules.rhai`.
fn rules() -> String {
    fs::read_to_string(manifest_dir().join("tests/fixtures/scripting/scripts/rules.rhai")).unwrap()
}

/// The fixture with one rule of `rules.rhai` rewritten.
fn with_rule(old: &str, new: &str) -> SiteTest {
    let text = rules();
    assert!(text.contains(old), "the fixture's rules no longer contain {old:?}");
    SiteTest::new("scripting").file("scripts/rules.rhai", &text.replacen(old, new, 1))
}

/// `data/scores.json` of the last build.
fn scores(test: &SiteTest) -> Value {
    serde_json::from_str(&test.page("data/scores.json")).expect("data/scores.json is JSON")
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?}"))
        + 1
}

#[test]
fn each_hook_gives_the_numbers_its_rule_says() {
    let test = SiteTest::new("scripting").build().assert_exit(0);
    let data = scores(&test);
    // score_commitment: on time 100; 5 days late -> 100 - 10 * 5; missed 0; open 50.
    assert_eq!(data["commitments"]["on-time"], 100.0);
    assert_eq!(data["commitments"]["late-five"], 50.0);
    assert_eq!(data["commitments"]["missed"], 0.0);
    assert_eq!(data["commitments"]["open"], 50.0);
    // score_story: 10 per credited team.
    assert_eq!(data["stories"]["shared"], 20.0);
    assert_eq!(data["stories"]["solo"], 10.0);
    // score_team: mean of its commitments (alpha: 100, 50, 50) + 1 per story (alpha: 2).
    let alpha = data["teams"]["alpha"]["score"].as_f64().unwrap();
    assert!((alpha - (200.0 / 3.0 + 2.0)).abs() < 1e-9, "{alpha}");
    assert_eq!(data["teams"]["beta"]["score"], 1.0);
    // happiness: alpha's months run from its first promise (January) to
    // today's month (June; its December due date is not counted). January: 2 made (20) + 1 on time (20) +
    // satisfaction 5 (50) = 90; March: 1 late (5) + satisfaction 3 (30) = 35;
    // May: 1 made = 10.
    let months: Vec<(String, f64)> = data["teams"]["alpha"]["happiness"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["month"].as_str().unwrap().to_string(), p["value"].as_f64().unwrap()))
        .collect();
    assert_eq!(months.len(), 6, "{months:?}");
    assert_eq!(months[0], ("2026-01".to_string(), 90.0));
    assert_eq!(months[2], ("2026-03".to_string(), 35.0));
    assert_eq!(months[4], ("2026-05".to_string(), 10.0));
    assert_eq!(months[5], ("2026-06".to_string(), 0.0));
    let january = &data["teams"]["alpha"]["happiness"][0];
    assert_eq!(
        (january["made"].as_u64(), january["on_time"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(january["satisfaction"], 5.0);
    // Beta's one promise, declared missed on 3 April: 10 for February's
    // promise, then 0; it counts as missed in April, its `closed` month.
    assert_eq!(data["teams"]["beta"]["happiness"][0]["value"], 10.0);
    assert_eq!(data["teams"]["beta"]["happiness"][2]["missed"], 1);
    // The explanations come from the `///` comments.
    assert_eq!(data["hooks"]["score_story"]["script"], "scripts/rules.rhai");
    assert_eq!(
        data["hooks"]["score_story"]["doc"],
        "Ten points for each credited team."
    );
}

#[test]
fn scores_are_on_the_pages_and_link_to_their_explanation() {
    SiteTest::new("scripting")
        .build()
        .assert_exit(0)
        .assert_page(
            "commitments/late-five/index.html",
            &[
                r#"<a class="score" href="/scores/#score_commitment""#,
                r#"<span class="score-value">50</span>"#,
            ],
        )
        .assert_page(
            "stories/shared/index.html",
            &[
                r#"href="/scores/#score_story""#,
                r#"<span class="score-value">20</span>"#,
            ],
        )
        .assert_page(
            "teams/index.html",
            &[
                r#"href="/scores/#score_team""#,
                r#"<span class="score-value">69</span>"#,
            ],
        )
        .assert_page(
            "teams/alpha/index.html",
            &["69<span class=\"muted\">/100</span>", "happiness-table", "Jan 2026"],
        )
        .assert_page(
            "scores/index.html",
            &[
                r#"id="score_commitment""#,
                "<code>score_team(team, commitments, stories)</code> in <code>scripts/rules.rhai</code>",
                "each day late costs 10 points",
                r#"id="happiness""#,
            ],
        );
}

#[test]
fn items_are_read_only_maps() {
    let text = rules();
    let test = with_rule("10 * s.teams.len()", "s.title = \"changed\";\n    10")
        .check()
        .assert_exit(1);
    let d = test.find_diagnostic(
        "scripts/rules.rhai",
        line_of(&text, "10 * s.teams.len()"),
        "no writable property 'title'",
    );
    assert!(d.hint.contains("to_map()"), "{d}");
    // Reading works as on a map, and a copy made with `to_map` can change.
    let reads = "let m = s.to_map(); m.title = \"x\";\n    \
                 if type_of(s) == \"item\" && \"teams\" in s && s[\"slug\"] == s.slug && s.nope == () \
                 && m.title == \"x\" && !s.keys().contains(\"state\") { 77 } else { 0 }";
    let test = with_rule("10 * s.teams.len()", reads).build().assert_exit(0);
    assert_eq!(scores(&test)["stories"]["shared"], 77.0);
}

#[test]
fn score_team_sees_the_scores_of_its_commitments() {
    // alpha's commitments scored 100, 50 and 50.
    let rule = "let total = 0.0;\n    for c in commitments { total += c.score; }\n    return total / 10;";
    let test = with_rule(
        "if commitments.is_empty() {",
        &format!("{rule}\n    if commitments.is_empty() {{"),
    )
    .build()
    .assert_exit(0);
    assert_eq!(scores(&test)["teams"]["alpha"]["score"], 20.0);
}

#[test]
fn a_changed_rule_changes_the_output() {
    let test = with_rule("100 - 10 * c.days_late", "100 - 4 * c.days_late")
        .build()
        .assert_exit(0);
    let data = scores(&test);
    assert_eq!(data["commitments"]["late-five"], 80.0);
    assert_eq!(data["commitments"]["on-time"], 100.0);
    test.assert_page(
        "commitments/late-five/index.html",
        &[r#"<span class="score-value">80</span>"#],
    );
}

#[test]
fn a_missing_hook_simply_means_no_score() {
    let test = with_rule("fn score_story(s) {\n    10 * s.teams.len()\n}", "")
        .check()
        .assert_exit(0);
    assert!(
        test.diagnostics().iter().all(|d| !d.message.contains("score_story")),
        "{:?}",
        test.diagnostics()
    );
    let test = test.build().assert_exit(0);
    assert_eq!(scores(&test)["stories"], serde_json::json!({}));
    assert!(scores(&test)["hooks"].get("score_story").is_none());
    test.refute_page("stories/shared/index.html", &["class=\"score\""])
        .refute_page("scores/index.html", &[r#"id="score_story""#]);
}

#[test]
fn lint_warnings_point_at_the_field_they_name() {
    SiteTest::new("scripting")
        .check()
        .assert_exit(0)
        .assert_diagnostic("content/stories/solo.md", 4, "credits one team in `teams`")
        .assert_diagnostic("content/glossary/orphan.md", 1, "no `owner` yet");
}

#[test]
fn a_wrong_return_type_names_hook_script_and_item() {
    let text = rules();
    let test = with_rule("10 * s.teams.len()", "\"high\"").check().assert_exit(1);
    let line = line_of(&text, "fn score_story(s)");
    let d = test.find_diagnostic("scripts/rules.rhai", line, "`score_story` returned the text \"high\"");
    assert!(d.message.contains("content/stories/"), "{d}");
    assert!(d.message.contains("a score must be a number from 0 to 100"), "{d}");
    assert!(d.is_error());

    let test = with_rule("clamp(100 - 10 * c.days_late, 0, 100)", "100 + c.days_late")
        .check()
        .assert_exit(1);
    test.find_diagnostic(
        "scripts/rules.rhai",
        line_of(&text, "fn score_commitment(c)"),
        "`score_commitment` returned 105 for `content/commitments/late-five.md`",
    );

    let test = with_rule("    out\n}", "    \"not an array\"\n}")
        .check()
        .assert_exit(1);
    test.find_diagnostic(
        "scripts/rules.rhai",
        line_of(&text, "fn lint(item)"),
        "`lint` must return an array of strings",
    );
}

#[test]
fn a_syntax_error_is_reported_at_its_position_and_other_scripts_still_run() {
    let test = SiteTest::new("scripting")
        .file(
            "scripts/broken.rhai",
            "fn fine() { 1 }\n\nfn broken(x) {\n    let y = x +;\n}\n",
        )
        .check()
        .assert_exit(1);
    let d = test.find_diagnostic("scripts/broken.rhai", 4, "syntax error in script");
    assert_eq!(d.column, 16, "{d}");
    assert_eq!(d.snippet, "    let y = x +;");
    let test = test.build().assert_exit(1);
    assert!(!test.out().join("index.html").exists());
    // The other script still scored: check that through `scores`.
    SiteTest::new("scripting")
        .file("scripts/broken.rhai", "fn broken( {\n")
        .run(&["scores", "--root", "site", "--format", "json", "--today", "2026-06-15"])
        .assert_exit(1)
        .assert_stdout(&["\"team\": \"alpha\"", "\"score\": 1.0"]);
}

#[test]
fn an_import_outside_scripts_is_refused() {
    let text = rules();
    let test = with_rule(
        "fn shout(text) {\n",
        "fn shout(text) {\n    import \"../content/teams/alpha.md\" as secret;\n",
    )
    .check()
    .assert_exit(1);
    let d = test.find_diagnostic(
        "scripts/rules.rhai",
        line_of(&text, "fn shout(text)") + 1,
        "import of `../content/teams/alpha.md` refused",
    );
    assert!(d.hint.contains("scripts/"), "{d}");
}

#[test]
fn an_import_of_another_script_works() {
    let test = SiteTest::new("scripting")
        .file("scripts/lib/points.rhai", "fn per_team() { 25 }\n")
        .file(
            "scripts/rules.rhai",
            &rules().replacen(
                "10 * s.teams.len()",
                "import \"lib/points\" as p;\n    p::per_team() * s.teams.len()",
                1,
            ),
        )
        .build()
        .assert_exit(0);
    assert_eq!(scores(&test)["stories"]["shared"], 50.0);
}

/// Runs `check` with `rule` in place of `old` and returns the diagnostic
/// about the limit, after checking the run did not hang.
fn limit_case(old: &str, rule: &str, needle: &str) -> (SiteTest, usize) {
    let started = Instant::now();
    let test = with_rule(old, rule).check().assert_exit(1);
    let took = started.elapsed();
    assert!(took < NO_HANG, "the run took {took:?}");
    let d = test
        .errors()
        .into_iter()
        .find(|d| d.message.contains(needle))
        .unwrap_or_else(|| panic!("no error mentioning {needle:?}: {:?}", test.diagnostics()))
        .clone();
    assert_eq!(d.path, "scripts/rules.rhai", "{d}");
    (test, d.line)
}

#[test]
fn an_endless_loop_stops_with_script_line_hook_and_item() {
    let rule = "fn lint(item) {\n    let n = 0;\n    loop {\n        n += 1;\n    }\n}\n\nfn old_lint(item) {";
    let (test, line) = limit_case("fn lint(item) {", rule, "ran more than 100000 operations");
    let start = line_of(&rules(), "fn lint(item) {");
    assert!(
        (start + 2..=start + 3).contains(&line),
        "line {line}, loop at {}",
        start + 2
    );
    let d = test.find_diagnostic("scripts/rules.rhai", line, "`lint` was stopped on");
    // The first item in content order: teams come first.
    assert!(d.message.contains("`content/teams/alpha.md`"), "{d}");
    assert!(d.hint.contains("max_operations"), "{d}");
    // One diagnostic for the hook, not one per item; the other hooks still scored.
    assert_eq!(test.errors().len(), 1, "{:?}", test.errors());
}

#[test]
fn unbounded_recursion_stops_with_script_line_hook_and_item() {
    let rule = "fn score_story(s) {\n    deeper(1)\n}\n\nfn deeper(n) {\n    deeper(n + 1)\n}\n\nfn old_story(s) {";
    let (test, line) = limit_case("fn score_story(s) {", rule, "more than 64 levels deep");
    assert_eq!(line, line_of(&rules(), "fn score_story(s) {") + 5);
    test.find_diagnostic(
        "scripts/rules.rhai",
        line,
        "`score_story` was stopped on `content/stories/",
    );
}

#[test]
fn a_huge_string_stops_with_a_diagnostic() {
    let rule = "fn score_commitment(c) {\n    let s = \"ab\";\n    loop {\n        s += s;\n    }\n}\n\nfn old_commitment(c) {";
    let (test, line) = limit_case(
        "fn score_commitment(c) {",
        rule,
        "string longer than the limit of 1048576 bytes",
    );
    assert_eq!(line, line_of(&rules(), "fn score_commitment(c) {") + 3);
    test.find_diagnostic(
        "scripts/rules.rhai",
        line,
        "`score_commitment` was stopped on `content/commitments/",
    );
}

#[test]
fn a_huge_array_stops_with_a_diagnostic() {
    // One call makes the array whole: a loop of pushes would check the
    // array's size on each push and, on a busy machine, could run into the
    // time limit first.
    let rule = "fn score_team(team, commitments, stories) {\n    let a = [];\n    a.pad(20000, 1);\n    a.len()\n}\n\nfn old_team(team, commitments, stories) {";
    let (test, line) = limit_case(
        "fn score_team(team, commitments, stories) {",
        rule,
        "array of more than 10000 items",
    );
    assert_eq!(line, line_of(&rules(), "fn score_team(team") + 2);
    test.find_diagnostic(
        "scripts/rules.rhai",
        line,
        "`score_team` was stopped on `content/teams/alpha.md`",
    );
}

#[test]
fn a_slow_endless_loop_stops_on_the_time_limit() {
    // Each `a.len()` checks the whole array's size, so this loop runs out of
    // time (one second a call) long before it runs out of operations.
    let rule = "fn score_story(s) {\n    let a = [];\n    for i in 0..9000 { a.push(i); }\n    loop { a.len(); }\n}\n\nfn old_story(s) {";
    let started = Instant::now();
    let test = with_rule("fn score_story(s) {", rule)
        .file(
            "rapport.toml",
            "title = \"Scripting fixture\"\n[scripts]\nmax_operations = 1000000000\n",
        )
        .check()
        .assert_exit(1);
    let took = started.elapsed();
    assert!(took < NO_HANG, "the run took {took:?}");
    let d = test
        .errors()
        .into_iter()
        .find(|d| d.message.contains("ran for more than 1 s"))
        .unwrap_or_else(|| panic!("no time-limit error: {:?}", test.diagnostics()))
        .clone();
    assert_eq!(d.path, "scripts/rules.rhai", "{d}");
    assert!(
        d.message.contains("`score_story` was stopped on `content/stories/"),
        "{d}"
    );
    let start = line_of(&rules(), "fn score_story(s) {");
    assert!((start + 1..=start + 3).contains(&d.line), "{d}");
}

#[test]
fn a_map_that_grows_without_end_is_stopped() {
    // Rhai checks a map's size when it is passed to a function, not on each
    // `m[key] = value`; an endless loop still ends on the operation limit.
    let rule = "fn score_story(s) {\n    let m = #{};\n    let i = 0;\n    while i < 20000 { m[`k${i}`] = i; i += 1; }\n    m.len()\n}\n\nfn old_story(s) {";
    let test = with_rule("fn score_story(s) {", rule)
        .file(
            "rapport.toml",
            "title = \"Scripting fixture\"\n[scripts]\nmax_operations = 10000000\n",
        )
        .check()
        .assert_exit(1);
    let d = test
        .errors()
        .into_iter()
        .find(|d| d.message.contains("object map of more than 10000 entries"))
        .unwrap_or_else(|| panic!("no map-size error: {:?}", test.diagnostics()))
        .clone();
    assert!(
        d.message.contains("`score_story` was stopped on `content/stories/"),
        "{d}"
    );
    // At `m.len()`, or at the hook when locating the line took too long
    // (stepping through 20,000 iterations in a debug build).
    let start = line_of(&rules(), "fn score_story(s) {");
    assert!(d.line == start || d.line == start + 4, "{d}");
    let endless = "fn score_story(s) {\n    let m = #{};\n    let i = 0;\n    loop { m[`k${i}`] = i; i += 1; }\n}\n\nfn old_story(s) {";
    limit_case("fn score_story(s) {", endless, "ran more than 100000 operations");
}

#[test]
fn a_runtime_error_names_the_line_and_counts_the_items() {
    let text = rules();
    let test = with_rule("10 * s.teams.len()", "10 * s.teams.size()")
        .check()
        .assert_exit(1);
    let d = test.find_diagnostic(
        "scripts/rules.rhai",
        line_of(&text, "10 * s.teams.len()"),
        "`score_story` failed on",
    );
    assert!(d.message.contains("and 1 other"), "{d}");
    assert!(d.message.contains("function not found: size"), "{d}");
}

#[test]
fn templates_call_public_script_functions() {
    SiteTest::new("scripting").build().assert_exit(0).assert_page(
        "about/index.html",
        &[r#"<p id="shout">ABOUT SCRIPTS!</p>"#, r#"<p id="days">10</p>"#],
    );
    let test = SiteTest::new("scripting")
        .file(
            "themes/default/templates/page.html",
            "{% extends \"base.html\" %}{% block main %}{{ script(\"secret\") }}{% endblock %}\n",
        )
        .check()
        .assert_exit(1);
    test.find_diagnostic("themes/default/templates/page.html", 1, "`secret` is private");
}

#[test]
fn print_and_warn_say_which_script_and_item() {
    let text = rules();
    let print_line = line_of(&text, "10 * s.teams.len()");
    let test = with_rule(
        "10 * s.teams.len()",
        "print(\"scoring \" + s.slug); if s.teams.len() < 2 { warn(\"a lonely story\"); } 10 * s.teams.len()",
    )
    .check()
    .assert_exit(0)
    .assert_stderr(&[&format!("scripts/rules.rhai:{print_line}: scoring solo")]);
    let d = test.find_diagnostic("content/stories/solo.md", 1, "a lonely story");
    assert!(d.hint.contains(&format!("scripts/rules.rhai:{print_line}")), "{d}");
    assert!(d.hint.contains("`score_story`"), "{d}");
}

#[test]
fn a_hook_with_the_wrong_parameters_is_reported_and_not_called() {
    let test = with_rule(
        "fn score_team(team, commitments, stories) {",
        "fn score_team(team) {\n    let commitments = []; let stories = [];",
    )
    .check()
    .assert_exit(0);
    let line = line_of(&rules(), "fn score_team(team");
    test.find_diagnostic(
        "scripts/rules.rhai",
        line,
        "`score_team` takes 1 parameter here, but rapport calls it with 3",
    );
}

#[test]
fn without_a_scripts_folder_the_built_in_scripts_run() {
    let test = SiteTest::new("scripting");
    fs::remove_dir_all(test.root().join("scripts")).unwrap();
    fs::remove_dir_all(test.root().join("themes")).unwrap();
    let test = test.build().assert_exit(0);
    let data = scores(&test);
    assert_eq!(data["hooks"]["score_commitment"]["script"], "scripts/scoring.rhai");
    // The default rules: on time and rated 5 stars is 100.
    assert_eq!(data["commitments"]["on-time"], 100.0);
    test.assert_page("scores/index.html", &["scripts/scoring.rhai"]);
}

#[test]
fn an_empty_scripts_folder_scores_nothing() {
    let test = SiteTest::new("scripting");
    fs::remove_file(test.root().join("scripts/rules.rhai")).unwrap();
    fs::write(
        test.root().join("themes/default/templates/page.html"),
        "{% extends \"base.html\" %}{% block main %}{% endblock %}\n",
    )
    .unwrap();
    let test = test.build().assert_exit(0);
    assert_eq!(scores(&test)["commitments"], serde_json::json!({}));
    test.assert_page("scores/index.html", &["define no scoring hooks"]);
}

#[test]
fn scores_json_on_the_example_site() {
    let root = manifest_dir().to_string_lossy().into_owned();
    let test = SiteTest::empty()
        .run(&["scores", "--root", &root, "--format", "json"])
        .assert_exit(0);
    let report: Value = serde_json::from_str(&test.last().stdout).expect("`scores --format json` prints JSON");
    assert_eq!(report["today"], "2026-11-20");
    let teams = report["teams"].as_array().unwrap();
    assert!(teams.len() >= 5, "{teams:?}");
    // Every team has a number, but Legal, whose one promise is not due yet:
    // the default `score_team` returns `()` for it, "nothing due yet".
    for team in teams {
        if team["team"] == "legal" {
            assert_eq!(
                (&team["score"], &team["nothing_due_yet"]),
                (&Value::Null, &Value::Bool(true))
            );
        } else {
            assert!(team["score"].is_number(), "{team}");
            assert_eq!(team["nothing_due_yet"], false);
        }
    }
    let lowest = report["lowest_commitments"].as_array().unwrap();
    assert!(!lowest.is_empty());
    let listed: Vec<f64> = lowest.iter().map(|c| c["score"].as_f64().unwrap()).collect();
    assert!(listed.windows(2).all(|w| w[0] <= w[1]), "{listed:?}");
    assert!(
        lowest
            .iter()
            .any(|c| c["commitment"] == "tidewater-case-study" && c["score"] == 0.0)
    );
    let happiness = report["happiness"].as_array().unwrap();
    assert!(
        happiness
            .iter()
            .any(|m| m["team"] == "support" && m["index"].is_number())
    );

    let test = SiteTest::empty()
        .run(&["scores", "--root", &root, "--format", "csv", "--team", "marketing"])
        .assert_exit(0)
        .assert_stdout(&[
            "kind,team,month,commitment,score\n",
            "team,marketing,,,",
            "commitment,marketing,,tidewater-case-study,0\n",
        ]);
    assert!(!test.last().stdout.contains(",sales,"), "{}", test.last().stdout);

    SiteTest::empty()
        .run(&["scores", "--root", &root, "--team", "markting"])
        .assert_exit(2)
        .assert_stderr(&["unknown team `markting`; did you mean `marketing`?"]);
    SiteTest::empty()
        .run(&["scores", "--root", &root])
        .assert_exit(0)
        .assert_stdout(&[
            "Team scores (as of 2026-11-20)",
            "Happiness index by month",
            "Lowest-scoring commitments",
        ]);
}

#[test]
fn the_example_site_has_no_script_errors_and_the_lints_catch_the_silent_overdue() {
    let root = manifest_dir().to_string_lossy().into_owned();
    let test = SiteTest::empty()
        .run(&["check", "--root", &root, "--format", "json"])
        .assert_exit(0);
    let report: Value = serde_json::from_str(&test.last().stdout).unwrap();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics
            .iter()
            .any(|d| d["path"] == "content/commitments/annual-prepay-refund-policy.md"
                && d["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("no revision gives a reason")),
        "{diagnostics:?}"
    );
    assert_eq!(report["errors"], 0);
}
