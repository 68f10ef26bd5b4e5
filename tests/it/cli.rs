//! The commands that write sources: `rapport new` and `rapport init`, and
//! the exit status of usage errors.

use std::fs;

use crate::support::{SiteTest, output_files};

#[test]
fn new_term_creates_a_file_that_passes_check() {
    let test = SiteTest::new("good")
        .run(&[
            "new",
            "term",
            "Churn Rate",
            "--root",
            "site",
            "--today",
            crate::support::TODAY,
        ])
        .assert_exit(0)
        .assert_stderr(&["created content/glossary/churn-rate.md"]);
    let text = fs::read_to_string(test.root().join("content/glossary/churn-rate.md")).unwrap();
    assert!(text.starts_with("---\ntitle: \"Churn Rate\"\n"), "{text}");
    test.check().assert_exit(0).build().assert_exit(0).assert_page(
        "glossary/churn-rate/index.html",
        &["<h1>Churn Rate</h1>", "The shared definition, in one or two sentences"],
    );
}

#[test]
fn new_never_overwrites_a_file() {
    let test = SiteTest::new("good")
        .run(&["new", "term", "Churn Rate", "--root", "site"])
        .assert_exit(0);
    let path = test.root().join("content/glossary/churn-rate.md");
    fs::write(&path, "---\ntitle: Churn Rate\n---\nOur own words.\n").unwrap();
    let test = test
        .run(&["new", "term", "Churn Rate", "--root", "site"])
        .assert_exit(2)
        .assert_stderr(&["already exists", "never overwrites"]);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "---\ntitle: Churn Rate\n---\nOur own words.\n"
    );
    // An existing fixture file is refused too.
    let mql = test.root().join("content/glossary/mql.md");
    let before = fs::read(&mql).unwrap();
    let test = test.run(&["new", "term", "MQL", "--root", "site"]).assert_exit(2);
    assert_eq!(fs::read(&mql).unwrap(), before);
    drop(test);
}

#[test]
fn new_of_every_kind_passes_check() {
    let mut test = SiteTest::new("good");
    let kinds = [
        (
            "team",
            "Revenue Operations",
            "content/teams/revenue-operations.md",
            "teams/revenue-operations/index.html",
        ),
        (
            "term",
            "Time to Value",
            "content/glossary/time-to-value.md",
            "glossary/time-to-value/index.html",
        ),
        (
            "story",
            "Faster Onboarding",
            "content/stories/faster-onboarding.md",
            "stories/faster-onboarding/index.html",
        ),
        (
            "commitment",
            "Weekly Churn Digest",
            "content/commitments/weekly-churn-digest.md",
            "commitments/weekly-churn-digest/index.html",
        ),
        (
            "page",
            "Team Rituals",
            "content/team-rituals.md",
            "team-rituals/index.html",
        ),
    ];
    for (kind, title, file, _) in kinds {
        test = test
            .run(&["new", kind, title, "--root", "site", "--today", crate::support::TODAY])
            .assert_exit(0);
        assert!(test.root().join(file).is_file(), "`new {kind}` should create {file}");
    }
    test = test.check().assert_exit(0);
    // Skeletons pass `check`: no errors. Lints may nudge (a new story
    // credits one team until its author adds the others).
    let problems: Vec<String> = test
        .diagnostics()
        .iter()
        .filter(|d| d.is_error() || (!d.hint.contains("lints.rhai") && !d.path.ends_with("glossary/mql.md")))
        .map(|d| d.to_string())
        .collect();
    assert!(
        problems.is_empty(),
        "new files should check clean:\n{}",
        problems.join("\n")
    );
    test = test.build().assert_exit(0);
    for (_, title, _, page) in kinds {
        test = test.assert_page(page, &[title]);
    }
}

#[test]
fn new_story_in_a_site_without_teams_explains_what_to_do() {
    SiteTest::empty()
        .run(&["new", "story", "A win", "--root", "site"])
        .assert_exit(2)
        .assert_stderr(&["no team yet", "rapport new team"]);
}

#[test]
fn init_writes_a_site_that_builds() {
    let test = SiteTest::empty()
        .run(&["init", "fresh"])
        .assert_exit(0)
        .assert_stderr(&["wrote an example site"]);
    let fresh = test.dir().join("fresh");
    for file in [
        "rapport.toml",
        "content/_index.md",
        "content/glossary/mql.md",
        "content/teams/sales.md",
    ] {
        assert!(fresh.join(file).is_file(), "init should write {file}");
    }
    let test = test
        .run(&["check", "--root", "fresh"])
        .assert_exit(0)
        .run(&["build", "--root", "fresh", "--out", "fresh-out"])
        .assert_exit(0)
        .assert_stderr(&["built ", "0 errors"]);
    let out = output_files(&test.dir().join("fresh-out"));
    for page in [
        "index.html",
        "glossary/index.html",
        "glossary/mql/index.html",
        "teams/sales/index.html",
        "commitments/index.html",
        "stories/index.html",
        "404.html",
        "sitemap.xml",
    ] {
        assert!(out.contains_key(page), "init's site should build {page}");
    }
    let mql = String::from_utf8(out["glossary/mql/index.html"].clone()).unwrap();
    assert!(mql.contains("Marketing Qualified Lead"), "{mql}");
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let test = SiteTest::empty();
    let dir = test.dir().join("busy");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    let test = test
        .run(&["init", "busy"])
        .assert_exit(2)
        .assert_stderr(&["refusing to write into", "not empty"]);
    let left: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["notes.txt"]);
    assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
    // An empty folder is fine.
    fs::create_dir_all(test.dir().join("empty")).unwrap();
    test.run(&["init", "empty"]).assert_exit(0);
}

#[test]
fn usage_errors_exit_2() {
    SiteTest::new("good")
        .run(&["build", "--root", "site", "--today", "yesterday"])
        .assert_exit(2)
        .run(&["frobnicate"])
        .assert_exit(2)
        .run(&["build", "--root", "no-such-folder"])
        .assert_exit(2)
        .assert_stderr(&["no-such-folder"]);
}

#[test]
fn every_command_has_help() {
    let mut test = SiteTest::empty();
    for command in ["build", "check", "serve", "init", "new", "scores"] {
        test = test
            .run(&[command, "--help"])
            .assert_exit(0)
            .assert_stdout(&["Usage: rapport"]);
    }
    test.run(&["--help"])
        .assert_exit(0)
        .assert_stdout(&["build", "check", "init", "new"]);
}

#[test]
fn new_takes_only_the_flags_it_uses() {
    let test = SiteTest::empty().run(&["new", "--help"]).assert_exit(0);
    let help = &test.last().stdout;
    assert!(help.contains("--root"), "{help}");
    for unused in ["--drafts", "--base-url"] {
        assert!(!help.contains(unused), "`new` does not use {unused}: {help}");
    }
}

#[test]
fn a_theme_without_a_folder_is_a_warning_and_a_bad_name_an_error() {
    SiteTest::new("good")
        .file("rapport.toml", "title = \"Good\"\ntheme = \"nope\"\n")
        .check()
        .assert_exit(0)
        .find_diagnostic("rapport.toml", 2, "there is no theme folder `themes/nope/`");
    SiteTest::new("good")
        .file("rapport.toml", "title = \"Good\"\ntheme = \"../content\"\n")
        .check()
        .assert_exit(1)
        .find_diagnostic("rapport.toml", 2, "is not a folder name");
}
