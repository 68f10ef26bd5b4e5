//! The promise ledger on a real git repository built in a temporary folder:
//! commits with fixed author names and dates that move a due date without a
//! revision, add a revision properly, rewrite a revision, delete an open
//! promise and rename a file; then what the commitment pages, `/ledger/`,
//! `/data/commitments.json`, the scripts, the team feeds and `check` say
//! about it. Also: the calendars, parsed with a real iCalendar parser, and
//! a site outside git or in a shallow clone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use roxmltree::Document;
use serde_json::Value;

use crate::support::{SiteTest, commitment, git, has_git, html_pages, inside_git};

/// "Today" for the ledger site's builds: after every commit.
const TODAY: &str = "2026-03-10";
const HOST_BASE: &str = "https://intranet.example.com/";
const ATOM: &str = "http://www.w3.org/2005/Atom";

/// Replaces `from` by `to` in a file of the site, which must contain it.
fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// The ledger fixture in a git repository (the site in `site/`), with its
/// history, and the hash of each commit.
struct History {
    test: SiteTest,
    /// Each commit's full hash, in order: [C1 .. C6].
    commits: Vec<String>,
}

impl History {
    fn commit(&self, n: usize) -> &str {
        &self.commits[n - 1]
    }

    fn short(&self, n: usize) -> &str {
        &self.commit(n)[..7]
    }
}

/// - C1 Ada Lovelace, 10 January: every file.
/// - C2 Bob Quiet, 3 February: `pricing` due 1 → 20 March, `old-name` due
///   1 → 15 June, and the draft `secret`'s due, none with a revision (quiet).
/// - C3 Cara Honest, 10 February: `onboarding` gets a revision (honest).
/// - C4 Dan Rewriter, 15 February: `revised`'s revision rewritten (quiet).
/// - C5 Eve Remover, 20 February: `doomed` (open) and `finished`
///   (delivered) deleted: the first is a promise removed from the record.
/// - C6 Finn Mover, 1 March: `old-name.md` renamed `new-name.md`.
fn ledger_site() -> Option<History> {
    if !has_git() {
        eprintln!("skipped: `git` is not installed");
        return None;
    }
    let test = SiteTest::new("ledger");
    let repo = test.dir().to_path_buf();
    if inside_git(&repo) {
        eprintln!("skipped: the temporary folder is already inside a git repository");
        return None;
    }
    let root = test.root().to_path_buf();
    let mut commits = Vec::new();
    let mut commit = |author: &str, date: &str, message: &str| {
        git(&repo, &["add", "-A", "site"], author, date);
        git(&repo, &["commit", "--quiet", "-m", message], author, date);
        commits.push(git(&repo, &["rev-parse", "HEAD"], author, date));
    };
    git(&repo, &["init", "--quiet"], "Ada Lovelace", "2026-01-10T12:00:00+00:00");
    commit("Ada Lovelace", "2026-01-10T12:00:00+00:00", "The promises");

    edit(
        &root,
        "content/commitments/pricing.md",
        "due: 2026-03-01",
        "due: 2026-03-20",
    );
    edit(
        &root,
        "content/commitments/old-name.md",
        "due: 2026-06-01",
        "due: 2026-06-15",
    );
    edit(
        &root,
        "content/commitments/secret.md",
        "due: 2026-05-01",
        "due: 2026-05-20",
    );
    commit("Bob Quiet", "2026-02-03T09:00:00+00:00", "New dates");

    edit(
        &root,
        "content/commitments/onboarding.md",
        "due: 2026-04-01\n",
        "due: 2026-04-01\nrevisions:\n  - date: 2026-02-10\n    new_due: 2026-04-20\n    reason: Customer interviews took longer.\n",
    );
    commit("Cara Honest", "2026-02-10T09:00:00+00:00", "Reschedule onboarding");

    edit(
        &root,
        "content/commitments/revised.md",
        "new_due: 2026-02-20",
        "new_due: 2026-03-05",
    );
    commit("Dan Rewriter", "2026-02-15T09:00:00+00:00", "Fix the forecast date");

    std::fs::remove_file(root.join("content/commitments/doomed.md")).unwrap();
    std::fs::remove_file(root.join("content/commitments/finished.md")).unwrap();
    commit("Eve Remover", "2026-02-20T09:00:00+00:00", "Tidy up");

    git(
        &repo,
        &[
            "mv",
            "site/content/commitments/old-name.md",
            "site/content/commitments/new-name.md",
        ],
        "Finn Mover",
        "2026-03-01T09:00:00+00:00",
    );
    commit("Finn Mover", "2026-03-01T09:00:00+00:00", "Rename the territory map");
    Some(History { test, commits })
}

/// `build` of the site with today pinned after every commit and a host.
fn build(test: SiteTest) -> SiteTest {
    let out = test.out().to_string_lossy().into_owned();
    test.run(&[
        "build",
        "--root",
        "site",
        "--out",
        &out,
        "--today",
        TODAY,
        "--base-url",
        HOST_BASE,
    ])
    .assert_exit(0)
}

#[test]
fn quiet_changes_show_on_the_page_in_the_ledger_in_the_data_and_to_scripts() {
    let Some(history) = ledger_site() else { return };
    let (c2, c4) = (history.commit(2).to_string(), history.commit(4).to_string());
    let test = build(history.test);
    assert!(
        !test.last().stderr.contains("note:"),
        "the ledger is on and says nothing:\n{}",
        test.last().stderr
    );

    // The due date moved without a revision: one quiet change, with its
    // commit, date, author, field and values, and what to do instead.
    let test = test.assert_page(
        "commitments/pricing/index.html",
        &[
            "<h2 id=\"record\">Record history</h2>",
            "<span class=\"flag\">1 quiet change</span>",
            &format!(
                "<li id=\"commit-{}\" class=\"record-changed record-has-quiet\">",
                &c2[..7]
            ),
            "<time datetime=\"2026-02-03\">3 February 2026</time> · Bob Quiet · ",
            &format!(
                "<a href=\"https://git.example.com/org/handbook/commit/{c2}\"><code>{}</code></a>",
                &c2[..7]
            ),
            "<li class=\"record-quiet\"><code>due</code>: <del>2026-03-01</del> → <ins>2026-03-20</ins>",
            "Instead: leave `due` as first promised and add a revision with the new date and a reason.",
            // The first commit made the record: never quiet.
            "Ada Lovelace",
        ],
    );
    let pricing = test.page("commitments/pricing/index.html");
    assert_eq!(pricing.matches("class=\"record-quiet\"").count(), 1, "{pricing}");

    // A revision added properly is in the history, and is not quiet.
    let test = test.assert_page(
        "commitments/onboarding/index.html",
        &[
            "Cara Honest",
            "<code>revisions[1]</code>: <span class=\"muted\">none</span> → <ins>2026-04-20 (dated 2026-02-10): Customer interviews took longer.</ins>",
        ],
    )
    .refute_page("commitments/onboarding/index.html", &["record-quiet", "quiet change"]);

    // A past revision rewritten later is quiet.
    let test = test.assert_page(
        "commitments/revised/index.html",
        &[
            "Dan Rewriter",
            "<li class=\"record-quiet\"><code>revisions[1]</code>: <del>2026-02-20 (dated 2026-01-08): The CRM export was late.</del> → <ins>2026-03-05 (dated 2026-01-08): The CRM export was late.</ins>",
            "Instead: leave past revisions as they were and add a new revision with a reason.",
        ],
    );

    // A rename keeps the history: the quiet change made under the old name
    // is on the page of the new one.
    let test = test.assert_page_order(
        "commitments/new-name/index.html",
        &[
            "Ada Lovelace",
            "Bob Quiet",
            "<del>2026-06-01</del> → <ins>2026-06-15</ins>",
            "Finn Mover",
            "Renamed from <code>content/commitments/old-name.md</code>",
        ],
    );

    // `/ledger/`: every quiet change, newest first; the open promise deleted
    // is a removed promise; the delivered one deleted is not.
    let test = test.assert_page_order(
        "ledger/index.html",
        &[
            "Quiet changes <span class=\"muted\">4</span>",
            "Community forum <span class=\"muted\">(deleted)</span>",
            "Eve Remover",
            "<a href=\"/commitments/revised/#record\">Quarterly forecast</a>",
            "Dan Rewriter",
            "<a href=\"/commitments/new-name/#record\">Territory map</a>",
            "<a href=\"/commitments/pricing/#record\">Publish a pricing page</a>",
            "<code>due</code>: <del>2026-03-01</del> → <ins>2026-03-20</ins>",
            &format!("<code>{}</code></a> Bob Quiet", &c2[..7]),
            "Promises removed from the record <span class=\"muted\">1</span>",
            "<strong>Community forum</strong>",
        ],
    );
    // The team page counts its quiet changes: pricing's and the removal.
    // A draft is not on the site, nor its quiet changes.
    let test = test
        .refute_page("ledger/index.html", &["Support rota", "Secret"])
        .assert_page("teams/marketing/index.html", &["Quiet changes</a></dt><dd>2</dd>"])
        .assert_page("teams/support/index.html", &["Quiet changes</a></dt><dd>0</dd>"]);

    // `/data/commitments.json`.
    let data: Value = serde_json::from_str(&test.page("data/commitments.json")).unwrap();
    assert_eq!(
        commitment(&data, "pricing")["quiet_changes"],
        serde_json::json!([{
            "date": "2026-02-03",
            "commit": c2,
            "author": "Bob Quiet",
            "field": "due",
            "old": "2026-03-01",
            "new": "2026-03-20",
            "rule": "due",
        }])
    );
    assert_eq!(commitment(&data, "onboarding")["quiet_changes"], serde_json::json!([]));
    let revised = &commitment(&data, "revised")["quiet_changes"][0];
    assert_eq!(
        (&revised["commit"], &revised["field"], &revised["rule"]),
        (
            &Value::from(c4),
            &Value::from("revisions[1]"),
            &Value::from("revision-edited")
        )
    );
    assert_eq!(commitment(&data, "new-name")["quiet_changes"][0]["commit"], c2.as_str());

    // The default `score_commitment` takes 10 points off per quiet change:
    // pricing and onboarding are both open and not due yet.
    let scores: Value = serde_json::from_str(&test.page("data/scores.json")).unwrap();
    assert_eq!(scores["commitments"]["onboarding"], 100.0);
    assert_eq!(scores["commitments"]["pricing"], 90.0);

    // A script sees `quiet_changes`: a list of maps (`new` is a keyword in
    // Rhai, so it is read as `q["new"]`).
    let test = test.file(
        "scripts/ledger.rhai",
        "fn lint(item) {\n    if item.kind != \"commitment\" { return []; }\n    let out = [];\n    for q in item.quiet_changes {\n        out.push(`quiet: ${q.date} ${q.field} ${q.old} -> ${q[\"new\"]} ${q.rule} by ${q.author} in ${q.commit}`);\n    }\n    out\n}\n",
    );
    let test = test.run(&["check", "--root", "site", "--today", TODAY, "--format", "json"]);
    let report: Value = serde_json::from_str(&test.last().stdout).unwrap();
    let messages: BTreeSet<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["message"].as_str())
        .filter(|m| m.starts_with("quiet: "))
        .map(str::to_string)
        .collect();
    assert!(
        messages.contains(&format!(
            "quiet: 2026-02-03 due 2026-03-01 -> 2026-03-20 due by Bob Quiet in {c2}"
        )),
        "{messages:#?}\n{}",
        test.last().stdout
    );
    assert_eq!(messages.len(), 3, "pricing, revised, new-name: {messages:#?}");
}

#[test]
fn an_uncommitted_quiet_edit_is_a_warning_at_the_fields_line() {
    let Some(history) = ledger_site() else { return };
    let c1 = history.commit(1).to_string();
    let test = history.test;
    let root = test.root().to_path_buf();
    // Not committed: the due date moves without a revision...
    edit(
        &root,
        "content/commitments/onboarding.md",
        "due: 2026-04-01",
        "due: 2026-04-10",
    );
    // ... and a revision is added the honest way.
    edit(
        &root,
        "content/commitments/pricing.md",
        "due: 2026-03-20\n",
        "due: 2026-03-20\nrevisions:\n  - date: 2026-03-09\n    new_due: 2026-03-31\n    reason: Legal review.\n",
    );
    let test = test.run(&["check", "--root", "site", "--today", TODAY, "--format", "github"]);
    let out = &test.last().stdout;
    assert!(
        out.contains("::warning file=content/commitments/onboarding.md,line=6,col=1::this moves the due date of “Onboarding checklist” from 2026-04-01 to 2026-04-10 without a revision%0Akeep `due: 2026-04-01` and add a revision with `new_due: 2026-04-10` and a reason"),
        "{out}"
    );
    assert!(!out.contains("pricing.md"), "an honest revision is no warning:\n{out}");
    assert_eq!(test.last().code, 0, "warnings do not fail `check`");

    // Against the first commit, every quiet change since is reported,
    // the renamed file's in its new name.
    let test = test.run(&[
        "check", "--root", "site", "--today", TODAY, "--format", "json", "--since", &c1,
    ]);
    let report: Value = serde_json::from_str(&test.last().stdout).unwrap();
    let found: BTreeSet<(String, u64, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["message"].as_str().is_some_and(|m| m.starts_with("this ")))
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, u64, String)> = [
        ("content/commitments/doomed.md", 0, "this removes the open promise “Community forum” from the record"),
        ("content/commitments/new-name.md", 6, "this moves the due date of “Territory map” from 2026-06-01 to 2026-06-15 without a revision"),
        ("content/commitments/onboarding.md", 6, "this moves the due date of “Onboarding checklist” from 2026-04-01 to 2026-04-10 without a revision"),
        ("content/commitments/pricing.md", 6, "this moves the due date of “Publish a pricing page” from 2026-03-01 to 2026-03-20 without a revision"),
        ("content/commitments/secret.md", 6, "this moves the due date of “Secret reorganisation” from 2026-05-01 to 2026-05-20 without a revision"),
        ("content/commitments/revised.md", 8, "this rewrites revision 1 of “Quarterly forecast”: 2026-02-20 (dated 2026-01-08): The CRM export was late. → 2026-03-05 (dated 2026-01-08): The CRM export was late."),
    ]
    .into_iter()
    .map(|(p, l, m)| (p.to_string(), l, m.to_string()))
    .collect();
    assert_eq!(found, expected, "{}", test.last().stdout);

    // A base that does not exist is said so, at the config's line.
    let config = std::fs::read_to_string(root.join("rapport.toml")).unwrap();
    let test = test.file("rapport.toml", &format!("{config}\n[ledger]\nbase = \"origin/nope\"\n"));
    let test = test.check();
    let base = test
        .diagnostics()
        .iter()
        .find(|d| d.path == "rapport.toml")
        .expect("a warning about the base");
    assert_eq!(
        base.message,
        "cannot compare commitments with `origin/nope`: there is no such commit here"
    );
    assert_eq!((base.line, base.severity.as_str()), (8, "warning"));
}

#[test]
fn team_feeds_parse_as_atom_and_link_only_to_existing_pages() {
    let Some(history) = ledger_site() else { return };
    let c2 = history.short(2).to_string();
    let test = build(history.test);
    let pages = html_pages(test.out());
    let mut kinds = BTreeMap::new();
    for team in ["marketing", "sales", "support"] {
        let page = &pages[&format!("teams/{team}/index.html")];
        assert!(
            page.contains(&format!(
                "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/teams/{team}/atom.xml\""
            )),
            "teams/{team}/ does not announce its feed"
        );
        assert!(page.contains(&format!("href=\"/teams/{team}/calendar.ics\"")));
        let xml = test.page(&format!("teams/{team}/atom.xml"));
        let doc = Document::parse(&xml).unwrap_or_else(|err| panic!("teams/{team}/atom.xml: {err}\n{xml}"));
        let feed = doc.root_element();
        assert!(feed.has_tag_name((ATOM, "feed")), "{xml}");
        let link = |node: roxmltree::Node, rel: &str| {
            node.children()
                .find(|n| n.has_tag_name((ATOM, "link")) && n.attribute("rel") == Some(rel))
                .and_then(|n| n.attribute("href"))
                .map(str::to_string)
        };
        assert_eq!(
            link(feed, "self").as_deref(),
            Some(format!("{HOST_BASE}teams/{team}/atom.xml").as_str())
        );
        assert_eq!(
            link(feed, "alternate").as_deref(),
            Some(format!("{HOST_BASE}teams/{team}/").as_str())
        );
        let mut ids = BTreeSet::new();
        for entry in feed.children().filter(|n| n.has_tag_name((ATOM, "entry"))) {
            let id = entry
                .children()
                .find(|n| n.has_tag_name((ATOM, "id")))
                .and_then(|n| n.text())
                .unwrap_or_default()
                .to_string();
            assert!(ids.insert(id.clone()), "{team}: entry id {id} twice");
            let href = link(entry, "alternate").expect("an entry link");
            let rel = href.strip_prefix(HOST_BASE).expect("an absolute link");
            let (path, fragment) = rel.split_once('#').unwrap_or((rel, ""));
            let file = format!("{path}index.html");
            let html = pages
                .get(&file)
                .unwrap_or_else(|| panic!("{team}: {href} links to a page that does not exist"));
            if !fragment.is_empty() {
                assert!(
                    html.contains(&format!("id=\"{fragment}\"")),
                    "{team}: {href}: no such anchor"
                );
            }
            let kind = entry
                .children()
                .find(|n| n.has_tag_name((ATOM, "category")))
                .and_then(|n| n.attribute("term"))
                .unwrap_or_default()
                .to_string();
            let title = entry
                .children()
                .find(|n| n.has_tag_name((ATOM, "title")))
                .and_then(|n| n.text())
                .unwrap_or_default()
                .to_string();
            let summary = entry
                .children()
                .find(|n| n.has_tag_name((ATOM, "summary")))
                .and_then(|n| n.text())
                .unwrap_or_default()
                .to_string();
            kinds.entry(team).or_insert_with(Vec::new).push((kind, title, summary));
        }
    }
    let marketing = &kinds["marketing"];
    let has = |kind: &str, title: &str| marketing.iter().any(|(k, t, _)| k == kind && t == title);
    assert!(has("made", "Promised: Publish a pricing page"), "{marketing:#?}");
    assert!(
        has("quiet-change", "Quiet change: Publish a pricing page"),
        "{marketing:#?}"
    );
    assert!(has("quiet-change", "Quiet change: Community forum"), "{marketing:#?}");
    // Promises received count too: sales received the pricing page.
    assert!(
        kinds["sales"].iter().any(|(k, t, s)| k == "quiet-change"
            && t == "Quiet change: Publish a pricing page"
            && s.contains(&format!(
                "Bob Quiet changed `due` from 2026-03-01 to 2026-03-20 without a revision in commit {c2}"
            ))),
        "{:#?}",
        kinds["sales"]
    );
    // A rescheduling with its reason, in the team that made the promise.
    assert!(
        kinds["support"]
            .iter()
            .any(|(k, _, s)| k == "rescheduled" && s.contains("Customer interviews took longer.")),
        "{:#?}",
        kinds["support"]
    );
}

#[test]
fn a_site_outside_git_builds_and_says_once_that_the_ledger_is_off() {
    let test = SiteTest::new("ledger");
    if inside_git(test.dir()) {
        eprintln!("skipped: the temporary folder is inside a git repository");
        return;
    }
    let test = build(test);
    let stderr = &test.last().stderr;
    assert_eq!(
        stderr
            .matches("note: the ledger is off: the site is not in a git repository")
            .count(),
        1,
        "{stderr}"
    );
    let test = test
        .assert_page(
            "commitments/pricing/index.html",
            &["<p class=\"muted\">The ledger is off: the site is not in a git repository.</p>"],
        )
        .assert_page(
            "ledger/index.html",
            &["The ledger is off: the site is not in a git repository."],
        )
        .refute_page("teams/marketing/index.html", &["Quiet changes"]);
    let data: Value = serde_json::from_str(&test.page("data/commitments.json")).unwrap();
    assert_eq!(commitment(&data, "pricing")["quiet_changes"], serde_json::json!([]));
}

#[test]
fn a_shallow_clone_is_said_so_and_its_first_commit_is_no_quiet_change() {
    let Some(history) = ledger_site() else { return };
    let dir = history.test.dir().to_path_buf();
    let clone = dir.join("clone");
    git(
        &dir,
        &[
            "clone",
            "--quiet",
            "--depth",
            "2",
            &format!("file://{}", dir.display()),
            "clone",
        ],
        "Ada Lovelace",
        "2026-03-02T09:00:00+00:00",
    );
    let out = dir.join("clone-out");
    let output = Command::new(crate::support::BIN)
        .args(["build", "--root"])
        .arg(clone.join("site"))
        .arg("--out")
        .arg(&out)
        .args(["--today", TODAY])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("note: the ledger covers only the history present: this is a shallow clone"),
        "{stderr}"
    );
    // The two commits present: Eve's deletion and Finn's rename. Pricing
    // first appears whole in the oldest one, with nothing quiet about it.
    let pricing = std::fs::read_to_string(out.join("commitments/pricing/index.html")).unwrap();
    assert!(pricing.contains("Eve Remover"), "{pricing}");
    assert!(!pricing.contains("Bob Quiet") && !pricing.contains("record-quiet"));
    let ledger = std::fs::read_to_string(out.join("ledger/index.html")).unwrap();
    assert!(ledger.contains("this is a shallow clone"), "{ledger}");
}

/// Whether the `icalendar` Python package can be used, or why not.
fn icalendar_parser() -> Option<()> {
    let works = Command::new("python3")
        .args(["-c", "import icalendar"])
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some(());
    }
    if std::env::var_os("RAPPORT_REQUIRE_ICALENDAR").is_some() {
        panic!("RAPPORT_REQUIRE_ICALENDAR is set but python3 cannot import `icalendar` (pip install icalendar)");
    }
    eprintln!(
        "skipped: python3 cannot import `icalendar` (pip install icalendar; RAPPORT_REQUIRE_ICALENDAR=1 makes this a failure)"
    );
    None
}

/// The events of an `.ics` file as the `icalendar` package reads them.
fn parse_calendar(path: &Path) -> Vec<Value> {
    let script = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
assert cal.get("VERSION") == "2.0", cal.get("VERSION")
events = []
for e in cal.walk("VEVENT"):
    events.append({
        "uid": str(e["UID"]),
        "start": e.decoded("DTSTART").isoformat(),
        "end": e.decoded("DTEND").isoformat(),
        "summary": str(e["SUMMARY"]),
        "url": str(e.get("URL", "")),
        "sequence": int(e["SEQUENCE"]),
        "stamp": e.decoded("DTSTAMP").isoformat(),
    })
print(json.dumps(events))
"#;
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{} does not parse: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn calendars_hold_exactly_the_open_promises_at_their_effective_due_dates() {
    // The at-risk case study rescheduled once.
    let test = SiteTest::new("good");
    let case_study = std::fs::read_to_string(test.root().join("content/commitments/case-study.md")).unwrap();
    let test = test
        .file(
            "content/commitments/case-study.md",
            &case_study.replace(
                "due: 2026-07-31\n",
                "due: 2026-07-31\nrevisions:\n  - date: 2026-06-01\n    new_due: 2026-08-14\n    reason: Legal asked for a second round.\n",
            ),
        )
        .build_with(&["--base-url", HOST_BASE])
        .assert_exit(0);
    // RFC 5545 3.1: CRLF line ends, lines of at most 75 octets.
    for file in ["calendar.ics", "teams/sales/calendar.ics"] {
        let bytes = std::fs::read(test.out().join(file)).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{file}: a line of {} octets: {line}", line.len());
            assert!(!line.contains('\n'), "{file}: a bare newline");
        }
    }
    let Some(()) = icalendar_parser() else { return };
    let data: Value = serde_json::from_str(&test.page("data/commitments.json")).unwrap();
    let teams: Value = serde_json::from_str(&test.page("data/teams.json")).unwrap();
    let team_title = |slug: &str| {
        teams["teams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["slug"] == slug)
            .map(|t| t["title"].as_str().unwrap().to_string())
            .unwrap()
    };
    let open: Vec<&Value> = data["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| ["open", "at-risk", "overdue"].contains(&c["state"].as_str().unwrap()))
        .collect();
    assert!(open.len() >= 3, "the fixture has open promises");
    let expected = |of: &dyn Fn(&Value) -> bool| -> BTreeMap<String, (String, String, i64)> {
        open.iter()
            .filter(|c| of(c))
            .map(|c| {
                let slug = c["slug"].as_str().unwrap().to_string();
                let owner = team_title(c["owner"].as_str().unwrap());
                let mut to: Vec<String> = c["to"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| team_title(t.as_str().unwrap()))
                    .collect();
                to.extend(
                    c["to_external"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t.as_str().unwrap().to_string()),
                );
                let summary = format!("{owner} → {}: {}", to.join(", "), c["title"].as_str().unwrap());
                (
                    format!("{HOST_BASE}commitments/{slug}/"),
                    (
                        c["effective_due"].as_str().unwrap().to_string(),
                        summary,
                        c["slips"].as_i64().unwrap(),
                    ),
                )
            })
            .collect()
    };
    let got = |file: &str| -> BTreeMap<String, (String, String, i64)> {
        let events = parse_calendar(&test.out().join(file));
        let mut uids = BTreeSet::new();
        events
            .iter()
            .map(|e| {
                assert!(uids.insert(e["uid"].as_str().unwrap().to_string()), "{file}: UID twice");
                let start = e["start"].as_str().unwrap().to_string();
                // All-day: a date, and the event ends the next day.
                assert_eq!(start.len(), 10, "{file}: not an all-day event: {e}");
                assert!(e["end"].as_str().unwrap() > start.as_str());
                (
                    e["url"].as_str().unwrap().to_string(),
                    (
                        start,
                        e["summary"].as_str().unwrap().to_string(),
                        e["sequence"].as_i64().unwrap(),
                    ),
                )
            })
            .collect()
    };
    assert_eq!(got("calendar.ics"), expected(&|_| true));
    for team in ["marketing", "sales", "support"] {
        let theirs = |c: &Value| c["owner"] == team || c["to"].as_array().unwrap().iter().any(|t| t == team);
        assert_eq!(got(&format!("teams/{team}/calendar.ics")), expected(&theirs), "{team}");
    }
    // A rescheduled promise carries its reschedulings as its SEQUENCE.
    let events = parse_calendar(&test.out().join("calendar.ics"));
    let case_study = events
        .iter()
        .find(|e| e["uid"] == "case-study.commitment@intranet.example.com")
        .expect("the case study is open");
    assert_eq!(
        (case_study["sequence"].as_i64(), case_study["start"].as_str()),
        (Some(1), Some("2026-08-14"))
    );
}

#[test]
fn a_long_ledger_has_pages_of_a_hundred_quiet_changes_and_the_removed_promises_first() {
    if !has_git() {
        eprintln!("skipped: `git` is not installed");
        return;
    }
    let promise = |slug: &str, due: &str| {
        format!(
            "---\ntitle: Promise {slug}\nowner: sales\nto: [support]\npromised: 2026-01-02\ndue: {due}\n---\nWe will.\n"
        )
    };
    let test = SiteTest::empty()
        .file("content/teams/sales.md", "---\ntitle: Sales\n---\nWe sell.\n")
        .file("content/teams/support.md", "---\ntitle: Support\n---\nWe help.\n")
        .file("content/commitments/gone.md", &promise("gone", "2026-06-01"))
        .file("content/commitments/moving.md", &promise("moving", "2026-06-01"));
    let repo = test.dir().to_path_buf();
    if inside_git(&repo) {
        eprintln!("skipped: the temporary folder is already inside a git repository");
        return;
    }
    let commit = |n: usize, message: &str| {
        let date = format!("2026-02-01T{:02}:{:02}:00+00:00", n / 60, n % 60);
        git(&repo, &["add", "-A", "site"], "Quiet Mover", &date);
        git(&repo, &["commit", "--quiet", "-m", message], "Quiet Mover", &date);
    };
    git(&repo, &["init", "--quiet"], "Quiet Mover", "2026-02-01T00:00:00+00:00");
    commit(0, "The promises");
    // The oldest quiet change: an open promise deleted. Then 101 newer ones.
    std::fs::remove_file(test.root().join("content/commitments/gone.md")).unwrap();
    commit(1, "Remove a promise");
    // Day `n` after 1 June 2026.
    let day = |n: usize| {
        let (mut month, mut day) = (6, 1 + n);
        for length in [30, 31, 31, 30, 31] {
            if day <= length {
                break;
            }
            day -= length;
            month += 1;
        }
        format!("2026-{month:02}-{day:02}")
    };
    let mut due = day(0);
    for n in 0..101 {
        let next = day(n + 1);
        edit(
            test.root(),
            "content/commitments/moving.md",
            &format!("due: {due}"),
            &format!("due: {next}"),
        );
        due = next;
        commit(n + 2, "A day later");
    }
    let test = build(test);

    let first = test.page("ledger/index.html");
    assert!(first.contains(r#"rel="next" href="/ledger/page/2/""#), "{first:.3000}");
    assert!(
        first.contains("Promises removed from the record"),
        "the removed promises are on the first page"
    );
    let second = test.page("ledger/page/2/index.html");
    assert!(
        second.contains("id=\"quiet-gone-"),
        "the oldest quiet change is on the second page"
    );
    assert!(!first.contains("id=\"quiet-gone-"));
    assert_eq!(first.matches("<tr id=\"quiet-").count(), 100);
}
