//! `rapport check` on the `bad` fixture: every planted problem is reported
//! at its file and line, in one run, in each output format.

use crate::support::{SiteTest, assert_contains};

/// Every problem planted in `tests/fixtures/bad/`: file, line, a fragment of
/// the message or hint, and the column where it matters.
const PLANTED: &[(&str, usize, &str, Option<usize>)] = &[
    ("content/glossary/unterminated.md", 1, "unterminated front matter", None),
    ("content/glossary/no-front-matter.md", 1, "missing front matter", None),
    // The YAML parser's position, mapped from the front matter to the file.
    (
        "content/glossary/bad-yaml.md",
        4,
        "invalid YAML in front matter: mapping values are not allowed",
        Some(13),
    ),
    (
        "content/teams/legal.md",
        5,
        "`draft` should be true or false, found text",
        None,
    ),
    ("content/teams/legal.md", 4, "`color` `green` is not a colour", Some(8)),
    ("content/stories/no-teams.md", 1, "missing required field `teams`", None),
    (
        "content/commitments/missing-due.md",
        1,
        "missing required field `due`",
        None,
    ),
    (
        "content/stories/bad-date.md",
        4,
        "bad date in `date`: `2026-02-30`",
        Some(7),
    ),
    (
        "content/commitments/bad-revision.md",
        8,
        "bad date in `new_due` of revision 1",
        Some(5),
    ),
    (
        "content/commitments/status-typo.md",
        7,
        "unknown status `deliverd`",
        Some(9),
    ),
    (
        "content/commitments/unrated.md",
        7,
        "`satisfaction` must be 1 to 5, found 9",
        Some(15),
    ),
    (
        "content/commitments/unknown-owner.md",
        3,
        "unknown team `salse` in `owner`",
        Some(8),
    ),
    (
        "content/stories/acme-renewal.md",
        4,
        "unknown team `markting` in `teams`",
        Some(16),
    ),
    (
        "content/glossary/lead.md",
        6,
        "unknown team `suport` in `definitions`",
        Some(3),
    ),
    (
        "content/glossary/lead.md",
        9,
        "unknown term `pipline` in `related`",
        Some(5),
    ),
    (
        "content/stories/acme-renewal.md",
        6,
        "unknown commitment `pricing-pag` in `commitments`",
        Some(5),
    ),
    (
        "content/about.md",
        7,
        "unresolved link `[[story:acme-renwal]]`",
        Some(11),
    ),
    (
        "content/about.md",
        6,
        "unresolved link `[[nonexistent-term]]`",
        Some(18),
    ),
    ("content/about.md", 9, "broken link `glossary/missing.md`", Some(3)),
    ("content/about.md", 10, "broken link `teams/sale.md`", Some(3)),
    ("content/about.md", 10, "broken link `lead.md`", Some(31)),
    // `MQL.md` sorts first, so `mql.md` is the duplicate.
    (
        "content/glossary/mql.md",
        1,
        "duplicate term slug `mql`: `content/glossary/MQL.md` has it too",
        None,
    ),
    // `churn-rate.md` takes the slug `pipeline` with `slug:`.
    (
        "content/glossary/pipeline.md",
        1,
        "duplicate term slug `pipeline`: `content/glossary/churn-rate.md`",
        None,
    ),
    (
        "content/commitments/due-before.md",
        5,
        "`due` 2026-02-01 is before `promised` 2026-03-01",
        Some(6),
    ),
    (
        "content/commitments/open-delivered.md",
        7,
        "`delivered: 2026-01-20` contradicts `status: open`",
        Some(9),
    ),
    (
        "content/commitments/delivered-no-date.md",
        6,
        "`status: delivered` without a `delivered` date",
        Some(9),
    ),
    // Files with a field error and other problems besides: see
    // `a_file_with_errors_still_has_its_references_and_links_checked`.
    (
        "content/commitments/many-problems.md",
        3,
        "unknown team `salse` in `owner`",
        Some(8),
    ),
    (
        "content/commitments/many-problems.md",
        4,
        "unknown team `markting` in `to`",
        Some(6),
    ),
    (
        "content/commitments/many-problems.md",
        7,
        "unknown status `finished`",
        Some(9),
    ),
    (
        "content/commitments/many-problems.md",
        9,
        "unresolved link `[[nope]]`",
        Some(13),
    ),
    (
        "content/stories/many-problems.md",
        3,
        "bad date in `date`: `2026-99-01`",
        Some(7),
    ),
    (
        "content/stories/many-problems.md",
        4,
        "unknown team `markting` in `teams`",
        Some(16),
    ),
    (
        "content/stories/many-problems.md",
        6,
        "unknown team `suport` in `contributions`",
        Some(3),
    ),
    (
        "content/stories/many-problems.md",
        7,
        "unknown commitment `nonesuch` in `commitments`",
        Some(15),
    ),
    (
        "content/stories/many-problems.md",
        9,
        "broken link `../guides/missing.md`",
        Some(13),
    ),
    (
        "content/stories/many-problems.md",
        9,
        "unresolved link `[[story:acme-renwal]]`",
        Some(51),
    ),
    (
        "content/glossary/half-read.md",
        3,
        "unknown team `suport` in `owner`",
        Some(8),
    ),
    (
        "content/glossary/half-read.md",
        4,
        "`draft` should be true or false, found text",
        Some(1),
    ),
    (
        "content/glossary/half-read.md",
        5,
        "unknown term `pipline` in `related`",
        Some(11),
    ),
    (
        "content/glossary/half-read.md",
        7,
        "unresolved link `[[pipline]]`",
        Some(51),
    ),
];

/// The files of `bad` with several problems, one of which leaves the file
/// out of the site.
const SEVERAL: [&str; 3] = [
    "content/commitments/many-problems.md",
    "content/stories/many-problems.md",
    "content/glossary/half-read.md",
];

#[test]
fn bad_site_reports_every_planted_error_at_its_file_and_line() {
    let test = SiteTest::new("bad").check().assert_exit(1);
    for (path, line, fragment, column) in PLANTED {
        let d = test.find_diagnostic(path, *line, fragment);
        assert!(d.is_error(), "{d}");
        if let Some(column) = column {
            assert_eq!(d.column, *column, "column of {d}");
        }
        assert!(!d.hint.is_empty(), "every error says what to do: {d}");
        assert!(!d.snippet.is_empty(), "every error shows its line: {d}");
    }
    // Nothing else is reported: no cascades, no duplicates.
    let errors = test.errors();
    let unexpected: Vec<String> = errors
        .iter()
        .filter(|d| {
            !PLANTED
                .iter()
                .any(|(path, line, fragment, _)| d.path == *path && d.line == *line && d.message.contains(fragment))
        })
        .map(|d| d.to_string())
        .collect();
    assert!(unexpected.is_empty(), "unexpected errors:\n{}", unexpected.join("\n"));
    assert_eq!(errors.len(), PLANTED.len());
    assert!(PLANTED.len() >= 15);
}

#[test]
fn bad_site_hints_name_what_was_meant() {
    let test = SiteTest::new("bad").check();
    let hint = |path: &str, line: usize, fragment: &str| test.find_diagnostic(path, line, fragment).hint.clone();
    let cases = [
        (
            "content/commitments/status-typo.md",
            7,
            "unknown status",
            "did you mean `delivered`?",
        ),
        (
            "content/commitments/unknown-owner.md",
            3,
            "salse",
            "did you mean `sales`?",
        ),
        (
            "content/stories/acme-renewal.md",
            4,
            "markting",
            "did you mean `marketing`?",
        ),
        ("content/glossary/lead.md", 6, "suport", "did you mean `support`?"),
        ("content/glossary/lead.md", 9, "pipline", "did you mean `pipeline`?"),
        (
            "content/stories/acme-renewal.md",
            6,
            "pricing-pag",
            "did you mean `pricing-page`?",
        ),
        (
            "content/about.md",
            7,
            "acme-renwal",
            "did you mean `[[story:acme-renewal]]`?",
        ),
        (
            "content/about.md",
            10,
            "teams/sale.md",
            "did you mean `teams/sales.md`?",
        ),
        // The file moved: same name, another folder.
        ("content/about.md", 10, "`lead.md`", "did you mean `glossary/lead.md`?"),
        ("content/glossary/bad-yaml.md", 4, "invalid YAML", "must be quoted"),
        ("content/glossary/mql.md", 1, "duplicate", "compared ignoring case"),
    ];
    for (path, line, fragment, expected) in cases {
        let got = hint(path, line, fragment);
        assert!(
            got.contains(expected),
            "{path}:{line} {fragment}: hint {got:?} should contain {expected:?}"
        );
    }
    // Nothing is close to `missing.md`: no random suggestion.
    let missing = hint("content/about.md", 9, "glossary/missing.md");
    assert!(!missing.contains("did you mean"), "{missing}");
}

/// A field error (a bad date, an unknown status) leaves a file out of the
/// site, but its references and the links in its body are still checked:
/// one run reports every problem, each once, with the usual hints.
#[test]
fn a_file_with_errors_still_has_its_references_and_links_checked() {
    let test = SiteTest::new("bad").check().assert_exit(1);
    let planted: Vec<_> = PLANTED.iter().filter(|(path, ..)| SEVERAL.contains(path)).collect();
    for (path, line, fragment, column) in &planted {
        let d = test.find_diagnostic(path, *line, fragment);
        assert!(d.is_error(), "{d}");
        assert_eq!(Some(d.column), *column, "column of {d}");
    }
    for path in SEVERAL {
        let reported = test.errors().iter().filter(|d| d.path == path).count();
        let expected = planted.iter().filter(|(p, ..)| *p == path).count();
        assert_eq!(reported, expected, "{path}: one report per problem");
    }
    let hint = |path: &str, line: usize, fragment: &str| test.find_diagnostic(path, line, fragment).hint.clone();
    let cases = [
        (
            "content/commitments/many-problems.md",
            3,
            "salse",
            "did you mean `sales`?",
        ),
        (
            "content/commitments/many-problems.md",
            4,
            "markting",
            "did you mean `marketing`?",
        ),
        (
            "content/stories/many-problems.md",
            9,
            "../guides/missing.md",
            "relative to this file",
        ),
        (
            "content/stories/many-problems.md",
            9,
            "acme-renwal",
            "did you mean `[[story:acme-renewal]]`?",
        ),
        (
            "content/glossary/half-read.md",
            5,
            "pipline",
            "did you mean `pipeline`?",
        ),
        (
            "content/glossary/half-read.md",
            7,
            "pipline",
            "did you mean `[[pipeline]]`?",
        ),
    ];
    for (path, line, fragment, expected) in cases {
        let got = hint(path, line, fragment);
        assert!(
            got.contains(expected),
            "{path}:{line} {fragment}: hint {got:?} should contain {expected:?}"
        );
    }
    // They exist, though left out: the links to them on the last lines of
    // `about.md` are not broken.
    assert!(
        test.errors()
            .iter()
            .all(|d| d.path != "content/about.md" || d.line < 11),
        "links to files with errors are not reported"
    );
}

/// Invalid YAML leaves a file out; links to it by path, slug or title must
/// not add "no content file" or "unresolved link" errors to the file that
/// was right.
#[test]
fn a_yaml_error_is_not_reported_again_as_broken_links_to_the_file() {
    let test = SiteTest::new("good")
        .file(
            "content/glossary/mql.md",
            "---\ntitle: Marketing Qualified Lead\nacronym: MQL\nowner: [marketing\n---\nA lead marketing scored.\n",
        )
        .file(
            "content/guides/leads.md",
            "---\ntitle: Leads\n---\nSee [MQL](../glossary/mql.md), [its history](../glossary/mql.md#history),\n[[mql]], [[MQL]] and [[glossary:mql]].\n",
        )
        .check()
        .assert_exit(1);
    let errors: Vec<String> = test.errors().iter().map(|d| d.to_string()).collect();
    assert_eq!(errors.len(), 1, "only the root cause:\n{}", errors.join("\n"));
    test.find_diagnostic("content/glossary/mql.md", 5, "invalid YAML");
}

/// With `Sales.md` and `sales.md` both there, the second is reported as a
/// duplicate; a link to it names a file that exists and is not broken.
#[test]
fn a_link_to_a_case_only_duplicate_is_not_a_missing_file() {
    let test = SiteTest::new("good");
    let sales = std::fs::read_to_string(test.root().join("content/teams/sales.md")).unwrap();
    let test = test
        .file("content/teams/Sales.md", &sales)
        .file(
            "content/guides/who.md",
            "---\ntitle: Who\n---\nAsk [sales](../teams/sales.md) or [Sales](../teams/Sales.md).\n",
        )
        .check()
        .assert_exit(1);
    let errors: Vec<String> = test.errors().iter().map(|d| d.to_string()).collect();
    assert_eq!(errors.len(), 1, "{}", errors.join("\n"));
    test.find_diagnostic("content/teams/sales.md", 1, "duplicate team slug `sales`");
}

#[test]
fn a_link_to_a_draft_says_it_is_a_draft() {
    SiteTest::new("good")
        .file(
            "content/guides/later.md",
            "---\ntitle: Later\ndraft: true\n---\nSoon.\n",
        )
        .file(
            "content/guides/now.md",
            "---\ntitle: Now\n---\nRead [later](later.md).\n",
        )
        .check()
        .assert_exit(1)
        .assert_diagnostic("content/guides/now.md", 4, "`content/guides/later.md` is a draft");
}

#[test]
fn near_miss_field_names_are_warnings_that_name_the_field() {
    let test = SiteTest::new("bad")
        .check()
        .assert_diagnostic("content/commitments/typo-field.md", 6, "delivred");
    let d = test.find_diagnostic("content/commitments/typo-field.md", 6, "unknown field `delivred`");
    assert_eq!(d.severity, "warning");
    assert!(d.message.contains("did you mean `delivered`?"), "{d}");
    let warnings: Vec<String> = test
        .diagnostics()
        .iter()
        .filter(|d| !d.is_error())
        .map(|d| d.to_string())
        .collect();
    assert_eq!(warnings.len(), 1, "{}", warnings.join("\n"));
}

#[test]
fn human_format_shows_position_snippet_and_caret() {
    let test = SiteTest::new("bad").check_as("human").assert_exit(1);
    let stderr = &test.last().stderr;
    assert_contains(
        "the human report",
        stderr,
        &[
            "error: unknown team `salse` in `owner`\n --> content/commitments/unknown-owner.md:3:8\n  |\n3 | owner: salse\n  |        ^^^^^\n  = hint: did you mean `sales`?\n",
            // The caret covers the whole link, brackets included.
            "error: unresolved link `[[nonexistent-term]]`: no term `nonexistent-term`\n --> content/about.md:6:18\n  |\n6 | It also links to [[nonexistent-term]] and to\n  |                  ^^^^^^^^^^^^^^^^^^^^\n",
            "--> content/glossary/bad-yaml.md:4:13",
            "warning: unknown field `delivred`; did you mean `delivered`?",
            "checked ",
            "40 errors, 1 warning",
        ],
    );
    assert!(!stderr.contains("\x1b["), "NO_COLOR is honoured");
    // Sorted by file, then line.
    let paths: Vec<&str> = stderr.lines().filter_map(|l| l.trim().strip_prefix("--> ")).collect();
    let mut sorted = paths.clone();
    sorted.sort_by_key(|p| {
        let mut parts = p.rsplitn(3, ':');
        let _column = parts.next();
        let line: usize = parts.next().unwrap().parse().unwrap();
        (parts.next().unwrap().to_string(), line)
    });
    assert_eq!(paths, sorted);
}

#[test]
fn github_format_prints_workflow_commands() {
    let test = SiteTest::new("bad").check_as("github").assert_exit(1);
    let stdout = &test.last().stdout;
    assert_contains(
        "the github report",
        stdout,
        &[
            "::error file=content/commitments/unknown-owner.md,line=3,col=8::unknown team `salse` in `owner`%0Adid you mean `sales`?\n",
            "::error file=content/glossary/bad-yaml.md,line=4,col=13::invalid YAML",
            "::warning file=content/commitments/typo-field.md,line=6,col=1::unknown field `delivred`",
        ],
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("::error ")).count(),
        PLANTED.len()
    );
}

#[test]
fn bad_site_does_not_build() {
    let test = SiteTest::new("bad")
        .build()
        .assert_exit(1)
        .assert_stderr(&["build failed: 40 errors"]);
    assert!(!test.out().exists(), "a failed first build writes nothing");
}

#[test]
fn good_site_checks_clean_and_writes_nothing() {
    let test = SiteTest::new("good").check().assert_exit(0);
    let all: Vec<String> = test.diagnostics().iter().map(|d| d.to_string()).collect();
    assert!(test.errors().is_empty(), "{}", all.join("\n"));
    // The warnings are the planted `javascript:` link and two lints of the
    // built-in scripts: a term nobody owns, an overdue promise with no reason.
    assert_eq!(all.len(), 3, "{}", all.join("\n"));
    test.find_diagnostic("content/glossary/mql.md", 22, "`javascript:` link was removed");
    test.find_diagnostic("content/glossary/arr.md", 1, "has no `owner`");
    test.find_diagnostic("content/commitments/lead-routing.md", 6, "no revision gives a reason");
    assert!(!test.out().exists());
    assert!(!test.root().join("public").exists());
}

#[test]
fn percent_sign_before_a_multibyte_character_in_a_link_does_not_panic() {
    SiteTest::new("good")
        .file(
            "content/guides/odd.md",
            "---\ntitle: Odd\n---\nA [link](a%aé.md) and [another](100%.md).\n",
        )
        .check()
        .assert_exit(1)
        .assert_diagnostic("content/guides/odd.md", 4, "broken link `a%aé.md`")
        .assert_diagnostic("content/guides/odd.md", 4, "broken link `100%.md`");
}

#[test]
fn crlf_files_report_the_right_lines() {
    SiteTest::new("good")
        .file(
            "content/glossary/windows.md",
            "---\r\ntitle: Windows\r\nowner: salse\r\n---\r\nBody with [[nope]].\r\n",
        )
        .check()
        .assert_exit(1)
        .assert_diagnostic("content/glossary/windows.md", 3, "unknown team `salse`")
        .assert_diagnostic("content/glossary/windows.md", 5, "[[nope]]");
}

#[test]
fn a_file_that_is_not_utf8_is_a_diagnostic() {
    let test = SiteTest::new("good");
    std::fs::write(
        test.root().join("content/latin.md"),
        b"---\ntitle: Latin\n---\ncaf\xe9\n",
    )
    .unwrap();
    test.check()
        .assert_exit(1)
        .assert_diagnostic("content/latin.md", 4, "not valid UTF-8");
}

#[test]
fn template_error_names_the_template_and_line() {
    SiteTest::new("good")
        .file(
            "themes/default/templates/page.html",
            "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ page.title | nosuchfilter }}</h1>\n{% endblock %}\n",
        )
        .check()
        .assert_exit(1)
        .assert_diagnostic("themes/default/templates/page.html", 3, "nosuchfilter");
}

/// Makes a named pipe at `path` (with `mkfifo`, which every Unix has).
fn make_fifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

#[test]
fn dangling_links_loops_and_pipes_are_diagnostics_and_every_other_file_is_checked() {
    use std::os::unix::fs::symlink;
    let test = SiteTest::new("good").file(
        "content/glossary/wrong-owner.md",
        "---\ntitle: Wrong owner\nowner: salse\n---\nBody.\n",
    );
    let root = test.root().to_path_buf();
    symlink("nowhere.md", root.join("content/glossary/dead.md")).unwrap();
    symlink("missing.png", root.join("static/dead.png")).unwrap();
    symlink("loop-b", root.join("content/loop-a")).unwrap();
    symlink("loop-a", root.join("content/loop-b")).unwrap();
    symlink("..", root.join("content/guides/up")).unwrap();
    make_fifo(&root.join("content/glossary/pipe.md"));
    make_fifo(&root.join("static/pipe.css"));
    let test = test
        .check()
        .assert_exit(1)
        .assert_diagnostic("content/glossary/dead.md", 0, "broken symbolic link")
        .assert_diagnostic("static/dead.png", 0, "broken symbolic link")
        .assert_diagnostic("content/loop-a", 0, "symbolic link loop")
        .assert_diagnostic("content/loop-b", 0, "symbolic link loop")
        .assert_diagnostic("content/guides/up", 0, "symbolic link loop")
        .assert_diagnostic("content/glossary/pipe.md", 0, "not a regular file")
        .assert_diagnostic("static/pipe.css", 0, "not a regular file")
        // Every other file is still read and checked.
        .assert_diagnostic("content/glossary/wrong-owner.md", 3, "unknown team `salse`");
    assert!(!test.last().stderr.contains("failed to walk"), "{}", test.last().stderr);
    // The build says the same, and fails as a site with errors (1), not as
    // a failure to run (2).
    test.build()
        .assert_exit(1)
        .assert_stderr(&["broken symbolic link", "content/glossary/dead.md"]);
}

#[test]
fn an_unreadable_folder_is_a_diagnostic_and_the_rest_is_checked() {
    use std::os::unix::fs::PermissionsExt;
    let test = SiteTest::new("good")
        .file("content/private/secret.md", "---\ntitle: Secret\n---\n")
        .file(
            "content/glossary/wrong-owner.md",
            "---\ntitle: Wrong owner\nowner: salse\n---\nBody.\n",
        );
    let private = test.root().join("content/private");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read_dir(&private).is_ok() {
        // Root reads any folder: there is nothing unreadable to test here.
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: folders are readable whatever their mode (running as root)");
        return;
    }
    let test = test.check();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o755)).unwrap();
    test.assert_exit(1)
        .assert_diagnostic("content/private", 0, "cannot read folder")
        .assert_diagnostic("content/glossary/wrong-owner.md", 3, "unknown team `salse`");
}

#[test]
fn a_duplicate_key_is_reported_at_the_second_one() {
    SiteTest::new("good")
        .file(
            "content/glossary/twice.md",
            "---\ntitle: Twice\nacronym: TW\ntitle: Again\n---\n",
        )
        .file(
            "content/glossary/nested.md",
            "---\ntitle: Nested\ndefinitions:\n  sales: one\n  support: two\n  sales: three\n---\n",
        )
        .check()
        .assert_exit(1)
        .assert_diagnostic(
            "content/glossary/twice.md",
            4,
            "`title` appears twice in the front matter",
        )
        .assert_diagnostic(
            "content/glossary/nested.md",
            6,
            "`sales` appears twice in `definitions`",
        );
}

#[test]
fn a_tab_in_yaml_indentation_says_so_without_a_quoting_hint() {
    let test = SiteTest::new("good")
        .file(
            "content/glossary/tabbed.md",
            "---\ntitle: Tabbed\ndefinitions:\n\tsales: x\n---\n",
        )
        .check()
        .assert_exit(1);
    let d = test.find_diagnostic(
        "content/glossary/tabbed.md",
        4,
        "tabs are not allowed for indentation in YAML; use spaces",
    );
    assert!(!d.hint.contains("quot"), "{d}");
    assert!(!d.message.contains("cannot start any token"), "{d}");
}

#[test]
fn an_alias_bomb_is_explained_without_a_quoting_hint() {
    let mut yaml = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        yaml.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let test = SiteTest::new("good")
        .file("content/glossary/bomb.md", &format!("---\ntitle: Bomb\n{yaml}---\n"))
        .check()
        .assert_exit(1);
    let d = test.find_diagnostic("content/glossary/bomb.md", 2, "repeats its anchors too many times");
    assert!(!d.hint.contains("quot"), "{d}");
}

#[test]
fn a_huge_integer_names_the_field_in_plain_words() {
    let test = SiteTest::new("good")
        .file(
            "content/commitments/huge.md",
            "---\ntitle: Huge\nowner: sales\npromised: 2026-01-01\ndue: 2026-02-01\nsatisfaction: 99999999999999999999999999\n---\n",
        )
        .check()
        .assert_exit(1);
    let d = test.find_diagnostic(
        "content/commitments/huge.md",
        6,
        "`satisfaction` is too large a number: `99999999999999999999999999`",
    );
    assert_eq!(d.column, 15, "{d}");
    assert!(!d.message.contains("u128"), "{d}");
    assert!(d.hint.contains("\"99999999999999999999999999\""), "{d}");
}

#[test]
fn max_operations_zero_is_one_error_not_one_per_hook() {
    let test = SiteTest::new("good")
        .file("rapport.toml", "title = \"T\"\n[scripts]\nmax_operations = 0\n")
        .check()
        .assert_exit(1)
        .assert_diagnostic("rapport.toml", 3, "`scripts.max_operations` must be above 0");
    let errors = test.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
}

#[test]
fn dates_outside_1970_to_2100_are_errors_at_the_field() {
    let test = SiteTest::new("good")
        .file(
            "content/commitments/typo-year.md",
            "---\ntitle: Typo year\nowner: sales\npromised: 0000-01-01\ndue: 9026-02-10\nrevisions:\n  - date: 2026-01-05\n    new_due: 9999-12-31\n---\n",
        )
        .file(
            "content/stories/old.md",
            "---\ntitle: Old\ndate: 1969-12-31\nupdated: 2101-01-01\nteams: [sales]\n---\n",
        )
        .check()
        .assert_exit(1)
        .assert_diagnostic("content/commitments/typo-year.md", 4, "outside the dates rapport accepts")
        .assert_diagnostic("content/commitments/typo-year.md", 5, "`9026-02-10` is outside the dates")
        .assert_diagnostic("content/commitments/typo-year.md", 8, "bad date in `new_due` of revision 1")
        .assert_diagnostic("content/stories/old.md", 3, "`1969-12-31` is outside the dates")
        .assert_diagnostic("content/stories/old.md", 4, "`2101-01-01` is outside the dates");
    let d = test.find_diagnostic("content/commitments/typo-year.md", 5, "outside the dates");
    assert_eq!(d.column, 6, "{d}");
    assert!(d.hint.contains("is the year a typo?"), "{d}");
    // The edges are days like any other.
    SiteTest::new("good")
        .file(
            "content/commitments/edges.md",
            "---\ntitle: Edges\nowner: sales\npromised: 1970-01-01\ndue: 2100-12-31\n---\n",
        )
        .check()
        .assert_exit(0);
}

#[test]
fn a_runaway_lint_is_capped_per_file_and_in_all_with_true_counts() {
    // 100 warnings on each of some eighty items: past 20 per file, and past
    // 1,000 in all once each file's first 20 are listed.
    let mut test = SiteTest::new("good").file(
        "scripts/lints.rhai",
        "fn lint(item) {\n    let out = [];\n    for i in 0..100 {\n        out.push(`noise ${i}`);\n    }\n    out\n}\n",
    );
    for i in 0..60 {
        test = test.file(
            &format!("content/notes/n-{i:02}.md"),
            &format!("---\ntitle: Note {i}\n---\nA note.\n"),
        );
    }
    let test = test.check_as("json").assert_exit(0);
    let report: serde_json::Value = serde_json::from_str(&test.last().stdout).unwrap();
    let listed = report["diagnostics"].as_array().unwrap();
    let total = report["warnings"].as_u64().unwrap() as usize;
    let not_shown = report["warnings_not_shown"].as_u64().unwrap() as usize;
    // Some eighty items (a draft is not linted), each with 100 warnings.
    assert!(total >= 8_000, "every warning is counted: {total}");
    assert_eq!(listed.len() + not_shown, total, "listed plus not shown is the total");
    let mut per_file = std::collections::BTreeMap::new();
    for d in listed {
        *per_file.entry(d["path"].as_str().unwrap().to_string()).or_insert(0) += 1;
    }
    assert!(per_file.values().all(|n| *n <= 20), "{per_file:?}");
    assert_eq!(listed.len(), 1000, "the first 1,000 are listed");

    let test = test.check_as("human").assert_exit(0);
    let stderr = &test.last().stderr;
    assert!(stderr.len() < 200_000, "{} bytes of output", stderr.len());
    assert_contains(
        "the human report",
        stderr,
        &[
            "note: 80 more warnings in content/",
            "not shown (at most 20 per file and 1000 in all are listed)",
            &format!("0 errors, {total} warnings"),
        ],
    );
}

#[test]
fn a_script_out_of_time_points_at_the_loop_not_at_its_setup() {
    // The setup is quick, but slow to step through again (every call copies
    // the growing array); the loop after it runs until the time limit.
    let test = SiteTest::new("good")
        .file("rapport.toml", "title = \"T\"\n[scripts]\nmax_operations = 1000000000\n")
        .file(
            "scripts/lints.rhai",
            "fn lint(item) {\n    let big = [];\n    for i in 0..3000 {\n        big.push(i);\n    }\n    let n = 0;\n    loop {\n        n += big.len();\n    }\n    []\n}\n",
        )
        .check()
        .assert_exit(1);
    let d = test.find_diagnostic("scripts/lints.rhai", 8, "it ran for more than 1 s");
    assert!(d.message.starts_with("`lint` was stopped on"), "{d}");
}
