//! Search: the sharded index (`/search-index.json` and `/search-index/`),
//! read back from Rust to prove every word is findable; the search box and
//! page in the HTML; and the script in headless Chromium (finding words
//! anywhere, prefixes, typos, ranking, snippets), at the root and under a
//! sub-path.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::Value;

use crate::serve::Served;
use crate::support::{SiteTest, assert_contains, between};
use crate::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(20);

/// The built index, read the way search.js reads it.
struct Index {
    dir: PathBuf,
    manifest: Value,
}

impl Index {
    fn open(out: &Path) -> Index {
        let text = std::fs::read_to_string(out.join("search-index.json")).expect("the manifest");
        let manifest: Value = serde_json::from_str(&text).expect("the manifest is JSON");
        assert_eq!(manifest["version"], 3, "format version");
        Index {
            dir: out.join("search-index"),
            manifest,
        }
    }

    fn json(&self, rel: &str) -> Value {
        let path = self.dir.join(rel);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Every document's row, in index order.
    fn rows(&self) -> Vec<Value> {
        let count = self.manifest["docs"].as_u64().expect("docs") as usize;
        let chunk = self.manifest["chunk"].as_u64().expect("chunk") as usize;
        let mut rows = Vec::new();
        for c in 0..count.div_ceil(chunk) {
            let data = self.json(&format!("d/{c}.json"));
            rows.extend(data["docs"].as_array().expect("a chunk's docs").iter().cloned());
        }
        assert_eq!(rows.len(), count, "every document is in a chunk");
        rows
    }

    /// The words of the index that start with `prefix` (two letters or more).
    fn words_starting(&self, prefix: &str) -> Vec<String> {
        let group: String = prefix.chars().take(2).collect();
        let known = self.manifest["groups"].as_array().expect("groups");
        if !known.iter().any(|g| g == group.as_str()) {
            return Vec::new();
        }
        let shard = self.json(&format!("g/{}.json", hex(&group)));
        shard["words"]
            .as_array()
            .expect("a group's words")
            .iter()
            .filter_map(Value::as_str)
            .filter(|w| w.starts_with(prefix))
            .map(str::to_string)
            .collect()
    }

    /// The documents `word` is in, with its level there.
    fn postings(&self, word: &str) -> Vec<(usize, u64)> {
        let group: String = word.chars().take(2).collect();
        let mut shard = self.json(&format!("g/{}.json", hex(&group)));
        if shard["split"] == true {
            let part: String = word.chars().take(3).collect();
            shard = self.json(&format!("s/{}.json", hex(&part)));
        }
        let words = shard["words"].as_array().expect("words");
        let Some(at) = words.iter().position(|w| w == word) else {
            return Vec::new();
        };
        let mut doc = 0;
        shard["postings"][at]
            .as_array()
            .expect("postings")
            .iter()
            .map(|v| {
                let v = v.as_u64().expect("a posting is a number");
                doc += (v >> 3) as usize;
                (doc, v & 7)
            })
            .collect()
    }

    /// The paths of the documents that hold a word starting with `prefix`.
    fn paths_with_prefix(&self, prefix: &str) -> BTreeSet<String> {
        let rows = self.rows();
        self.words_starting(prefix)
            .iter()
            .flat_map(|w| self.postings(w))
            .map(|(doc, _)| rows[doc][2].as_str().expect("path").to_string())
            .collect()
    }
}

fn hex(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

fn row_with_title<'a>(rows: &'a [Value], title: &str) -> &'a Value {
    rows.iter()
        .find(|d| d[1] == title)
        .unwrap_or_else(|| panic!("no document titled {title:?} in the index"))
}

/// The good fixture plus pages whose words sit where the old index (the
/// first 240 characters of each page) never looked: a late paragraph, a
/// team's reading, a closing reason and a revision's reason.
fn search_site() -> SiteTest {
    SiteTest::new("good")
        .file(
            "content/glossary/retention.md",
            "---\ntitle: Retention\nowner: sales\ndefinitions:\n  support: \"Accounts that keep renewing after a kerfuffle.\"\n---\nKeeping the customers we have.\n",
        )
        .file(
            "content/commitments/telemetry.md",
            "---\ntitle: Ship the usage telemetry\nowner: support\nto: [sales]\npromised: 2026-01-10\ndue: 2026-03-01\nrevisions:\n  - date: 2026-02-15\n    new_due: 2026-04-01\n    reason: \"Waiting on the hyperscaler quota.\"\nstatus: missed\nclosed: 2026-04-20\nreason: \"The vendor never shipped the capacitor firmware.\"\n---\n\
             The first paragraph says what we promised and why it mattered to the accounts that asked for it.\n\n\
             The second paragraph explains the plan, the owners, the weekly check-ins and the review with Sales.\n\n\
             The third paragraph lists the risks we saw at the start and what we did about each of them.\n\n\
             The fourth paragraph, far below the start, mentions the zeppelin hangar where the servers live.\n",
        )
        .file(
            "content/guides/zeppelin.md",
            "---\ntitle: Zeppelin launch checklist\n---\nWhat to check before a launch: the constructor's toString.\n",
        )
}

#[test]
fn every_word_of_every_field_is_in_the_index() {
    let site = search_site().build().assert_exit(0);
    let index = Index::open(site.out());
    let rows = index.rows();
    for row in &rows {
        let row = row
            .as_array()
            .unwrap_or_else(|| panic!("a document is an array: {row}"));
        assert_eq!(row.len(), 6, "[kind, title, path, keys, meta, passages]: {row:?}");
        assert!(
            matches!(row[0].as_str(), Some("t" | "m" | "s" | "c" | "p")),
            "kind: {row:?}"
        );
        let path = row[2].as_str().expect("path");
        assert!(!path.starts_with('/'), "paths are relative to the base path: {row:?}");
        assert!(
            site.out().join(path).join("index.html").is_file(),
            "{path} is in the index but not in the output"
        );
    }
    let paths = |word: &str| -> Vec<String> {
        index
            .postings(word)
            .iter()
            .map(|(doc, _)| rows[*doc][2].as_str().unwrap_or_default().to_string())
            .collect()
    };
    // A word only in a body's fourth paragraph, a reading, a closing reason, a revision's reason.
    assert_eq!(paths("zeppelin"), ["commitments/telemetry/", "guides/zeppelin/"]);
    assert_eq!(paths("hangar"), ["commitments/telemetry/"]);
    assert_eq!(paths("kerfuffle"), ["glossary/retention/"]);
    assert_eq!(paths("capacitor"), ["commitments/telemetry/"]);
    assert_eq!(paths("hyperscaler"), ["commitments/telemetry/"]);
    // A story's contribution.
    assert_eq!(paths("listened"), ["stories/acme-renewal/"]);
    // Levels: the title that is the word (5), a title word (3), an acronym (4), a reading (1), text (0).
    let level = |word: &str, path: &str| {
        index
            .postings(word)
            .iter()
            .find(|(doc, _)| rows[*doc][2] == path)
            .map(|(_, level)| *level)
    };
    assert_eq!(level("retention", "glossary/retention/"), Some(5));
    assert_eq!(level("zeppelin", "guides/zeppelin/"), Some(3));
    assert_eq!(level("zeppelin", "commitments/telemetry/"), Some(0));
    assert_eq!(level("mql", "glossary/mql/"), Some(4));
    assert_eq!(level("kerfuffle", "glossary/retention/"), Some(1));

    // What a result shows: the passages a snippet is cut from, labelled.
    let telemetry = row_with_title(&rows, "Ship the usage telemetry");
    assert_eq!(
        telemetry[4], "Support to Sales · due 1 April 2026 · Missed",
        "the context line"
    );
    assert_eq!(
        telemetry[5][0],
        serde_json::json!(["Missed", "The vendor never shipped the capacitor firmware."])
    );
    assert_eq!(
        telemetry[5][1],
        serde_json::json!(["Rescheduled to 1 April 2026", "Waiting on the hyperscaler quota."])
    );
    let mql = row_with_title(&rows, "Marketing Qualified Lead");
    assert_eq!(mql[3], serde_json::json!(["MQL", "qualified lead", "MQLs"]));
    assert_eq!(
        row_with_title(&rows, "Retention")[5][0],
        serde_json::json!(["Support", "Accounts that keep renewing after a kerfuffle."])
    );
    // Raw HTML never reaches the index, and neither does the home text.
    for file in crate::support::output_files(site.out()).keys() {
        if file.starts_with("search-index") {
            let text = std::fs::read_to_string(site.out().join(file)).expect("an index file");
            assert!(!text.contains("<script"), "{file}: {text}");
        }
    }
    assert!(!rows.iter().any(|d| d[2] == ""), "the home page is not a result");
    for kind in ["t", "m", "s", "c", "p"] {
        assert!(rows.iter().any(|d| d[0] == kind), "no document of kind {kind}");
    }
}

#[test]
fn the_example_site_finds_every_file_that_mentions_a_word() {
    // The issue: "churn" is in 15 files of the example site and search
    // found 3 of them; "uptime" is in 3 and it found none.
    let site = SiteTest::empty()
        .run(&["init", "site"])
        .assert_exit(0)
        .build()
        .assert_exit(0);
    let index = Index::open(site.out());
    for word in ["churn", "uptime"] {
        let expected: BTreeSet<String> = crate::support::output_files(&site.root().join("content"))
            .into_iter()
            .filter(|(_, bytes)| written(&String::from_utf8_lossy(bytes)).contains(word))
            .filter_map(|(path, _)| url_of(&path))
            .collect();
        assert!(expected.len() >= 3, "{word}: the example site changed: {expected:?}");
        let found = index.paths_with_prefix(word);
        let missing: Vec<&String> = expected.difference(&found).collect();
        assert!(missing.is_empty(), "{word}: not found in {missing:?} (found {found:?})");
    }
}

/// A content file's text, lowercased, without its lists of slugs
/// (`related:` terms, tags): those are links and labels, not writing.
fn written(text: &str) -> String {
    text.lines()
        .filter(|line| {
            let item = line.trim_start().strip_prefix("- ").unwrap_or("");
            let slug = !item.is_empty() && item.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            !slug && !line.starts_with("related:") && !line.starts_with("tags:")
        })
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase()
}

/// The URL path of a content file (relative to `content/`), or `None` for
/// the home text, which no result stands for.
fn url_of(path: &str) -> Option<String> {
    let path = path.strip_suffix(".md")?;
    if path == "_index" || path == "index" {
        return None;
    }
    let path = path
        .strip_suffix("/_index")
        .or_else(|| path.strip_suffix("/index"))
        .unwrap_or(path);
    Some(format!("{path}/"))
}

#[test]
fn the_same_site_gives_the_same_index_bytes() {
    let site = search_site().build().assert_exit(0);
    let first: BTreeMap<String, Vec<u8>> = crate::support::output_files(site.out())
        .into_iter()
        .filter(|(p, _)| p.starts_with("search-index"))
        .collect();
    let site = site.build_into("again", &[]).assert_exit(0);
    let second: BTreeMap<String, Vec<u8>> = crate::support::output_files(&site.dir().join("again"))
        .into_iter()
        .filter(|(p, _)| p.starts_with("search-index"))
        .collect();
    assert!(first.len() > 10, "{:?}", first.keys());
    assert_eq!(first, second);
}

#[test]
fn search_box_and_page_carry_the_base_path() {
    let site = SiteTest::new("good")
        .build_with(&["--base-url", "https://intranet.example.com/alignment/"])
        .assert_exit(0)
        .assert_page(
            "glossary/mql/index.html",
            &[
                r#"<script src="/alignment/search.js" defer></script>"#,
                r#"<form class="site-search" role="search" action="/alignment/search/" data-search data-index="/alignment/search-index.json">"#,
                r#"<label class="visually-hidden" for="site-search-q">Search the site</label>"#,
                r#"<input id="site-search-q" type="search" name="q""#,
                r#"role="listbox""#,
                r#"role="status""#,
            ],
        )
        .assert_page(
            "search/index.html",
            &[
                r#"data-search data-search-page data-index="/alignment/search-index.json""#,
                "Search runs in your browser and needs JavaScript",
                r#"<a href="/alignment/glossary/">Glossary A–Z</a>"#,
                r#"<a href="/alignment/teams/">Teams</a>"#,
                r#"<a href="/alignment/stories/">Success stories</a>"#,
                r#"<a href="/alignment/commitments/">Commitments</a>"#,
            ],
        )
        // One search box on the search page: its own.
        .refute_page("search/index.html", &["site-search-q"]);
    for (path, html) in crate::support::html_pages(site.out()) {
        assert!(
            !html.contains("\"/search-index.json\"") && !html.contains("\"/search.js\""),
            "{path} points at the site root instead of /alignment/"
        );
    }
    // The index itself holds relative paths, so it does not change with the base path.
    let rows = Index::open(site.out()).rows();
    assert_eq!(row_with_title(&rows, "Marketing Qualified Lead")[2], "glossary/mql/");
}

/// Types `keys` into the header search box of the page open in `browser`
/// and waits until the results list shows something.
fn search_in_header(browser: &Browser, keys: &str) {
    browser.wait_for(
        "search.js to set up the header box",
        "return document.getElementById('site-search-q').getAttribute('role') === 'combobox';",
        WAIT,
    );
    browser.eval("document.getElementById('site-search-q').focus(); return true;");
    browser.type_keys(keys);
    browser.wait_for(
        "results in the header listbox",
        "var l = document.getElementById('site-search-results'); return !l.hidden && l.getAttribute('data-query') === document.getElementById('site-search-q').value && l.querySelectorAll('[role=option]').length;",
        WAIT,
    );
}

/// Runs `query` through `window.rapportSearch.search` in the page open in
/// `browser`: `{count, all, matched, results: [{kind, title, path, hits,
/// score, snippet: {label, text}}]}`.
fn search(browser: &Browser, query: &str) -> Value {
    let quoted = serde_json::to_string(query).expect("a JSON string");
    browser.eval(&format!(
        "window.__found = null; window.rapportSearch.search({quoted}, 50).then(function (r) {{ window.__found = r; }}, function (e) {{ window.__found = {{ error: String(e) }}; }}); return true;"
    ));
    let found = browser.wait_for(&format!("the results of {query:?}"), "return window.__found;", WAIT);
    assert!(found["error"].is_null(), "{query}: {found}");
    found
}

fn titles(found: &Value) -> Vec<String> {
    found["results"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["title"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn search_finds_words_anywhere_tolerates_typos_and_ranks() {
    let test = "search_finds_words_anywhere_tolerates_typos_and_ranks";
    let Some(browser) = Browser::start(test, 1280, 900) else {
        return;
    };
    let served = Served::start_site(search_site(), &[]);
    browser.goto(&format!("http://127.0.0.1:{}/", served.port));

    // A word only in a body's fourth paragraph; the snippet is cut around it.
    let found = search(&browser, "hangar");
    assert_eq!(titles(&found), ["Ship the usage telemetry"], "{found}");
    let snippet = found["results"][0]["snippet"]["text"].as_str().unwrap_or_default();
    assert!(snippet.contains("zeppelin hangar"), "{snippet}");
    assert!(snippet.starts_with('…'), "the snippet starts near the match: {snippet}");
    // A team's reading, a closing reason, a revision's reason, each labelled.
    for (query, title, label) in [
        ("kerfuffle", "Retention", "Support"),
        ("capacitor", "Ship the usage telemetry", "Missed"),
        ("hyperscaler", "Ship the usage telemetry", "Rescheduled to 1 April 2026"),
        ("listened", "Keeping Acme at renewal", "Sales"),
    ] {
        let found = search(&browser, query);
        assert_eq!(titles(&found), [title], "{query}: {found}");
        assert_eq!(found["results"][0]["snippet"]["label"], label, "{query}: {found}");
    }
    // One typo in a word of five letters or more; none in shorter ones.
    let found = search(&browser, "retnetion");
    assert_eq!(titles(&found).first().map(String::as_str), Some("Retention"), "{found}");
    assert_eq!(found["matched"], serde_json::json!(["retention"]));
    assert_eq!(
        titles(&search(&browser, "chrun")).first().map(String::as_str),
        Some("Churn")
    );
    assert_eq!(search(&browser, "chrn")["count"], 0, "four letters: no typo allowed");
    // A prefix finds the word; two letters find only whole words.
    let found = search(&browser, "retent");
    assert_eq!(titles(&found).first().map(String::as_str), Some("Retention"), "{found}");
    assert_eq!(search(&browser, "re")["count"], 0);
    // Words that are also names of JavaScript's object properties.
    assert_eq!(titles(&search(&browser, "constructor")), ["Zeppelin launch checklist"]);
    assert_eq!(titles(&search(&browser, "tostring")), ["Zeppelin launch checklist"]);
    assert_eq!(search(&browser, "__proto__ hasOwnProperty")["count"], 0);
    // A title match ranks above a body match.
    assert_eq!(
        titles(&search(&browser, "zeppelin")),
        ["Zeppelin launch checklist", "Ship the usage telemetry"]
    );
    // Every word above some words, even when some words are in a title.
    let found = search(&browser, "zeppelin hangar");
    assert_eq!(
        titles(&found),
        ["Ship the usage telemetry", "Zeppelin launch checklist"],
        "{found}"
    );
    assert_eq!(found["all"], 1);
    assert_eq!(found["results"][0]["hits"], 2);
    assert_eq!(found["results"][1]["hits"], 1);
    // "Where did someone write about a late delivery reason?": some words suffice.
    let found = search(&browser, "late delivery reason");
    assert!(found["count"].as_u64().unwrap_or(0) > 0, "{found}");

    // The search page: the snippet marks the match.
    browser.goto(&format!("http://127.0.0.1:{}/search/?q=kerfufle", served.port));
    let marks = browser.wait_for(
        "marked snippets on the search page",
        "var m = Array.from(document.querySelectorAll('#search-page-results .search-text mark')).map(function (e) { return e.textContent; }); return m.length ? m : null;",
        WAIT,
    );
    assert_eq!(marks, serde_json::json!(["kerfuffle"]));
    let text = browser.eval("return document.querySelector('#search-page-results .search-text').textContent;");
    assert_eq!(text, "Support: Accounts that keep renewing after a kerfuffle.");
    browser.screenshot(&screenshot_path("search-page-snippet.png"));
}

/// The titles of the listed options, in order.
fn option_titles(browser: &Browser) -> Vec<String> {
    let value = browser.eval(
        "return Array.from(document.querySelectorAll('#site-search-results [role=option] .search-title')).map(function (e) { return e.textContent; });",
    );
    value
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn page_title(browser: &Browser) -> String {
    browser
        .eval("return document.title;")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";
const ARROW_UP: &str = "\u{E013}";
const ARROW_DOWN: &str = "\u{E015}";

#[test]
fn typing_an_acronym_lists_its_term_first_and_enter_opens_it() {
    let test = "typing_an_acronym_lists_its_term_first_and_enter_opens_it";
    let Some(browser) = Browser::start(test, 1280, 900) else {
        return;
    };
    let served = Served::start("good");
    let base = format!("http://127.0.0.1:{}", served.port);
    browser.goto(&format!("{base}/stories/acme-renewal/"));
    search_in_header(&browser, "MQL");
    let titles = option_titles(&browser);
    assert_eq!(
        titles.first().map(String::as_str),
        Some("Marketing Qualified Lead"),
        "{titles:?}"
    );
    // The combobox pattern: expanded, the first option chosen, a status for screen readers.
    let state = browser.eval(
        "var i = document.getElementById('site-search-q'); var o = document.querySelector('#site-search-results [role=option]');
         return [i.getAttribute('aria-expanded'), i.getAttribute('aria-activedescendant') === o.id, o.getAttribute('aria-selected'), i.getAttribute('aria-autocomplete')];",
    );
    assert_eq!(state, serde_json::json!(["true", true, "true", "list"]));
    browser.wait_for(
        "the result count in the status",
        "return /^\\d+ results?\\./.test(document.querySelector('.site-search [role=status]').textContent);",
        WAIT,
    );
    browser.screenshot(&screenshot_path("search-header-desktop.png"));

    // Down and up move the choice; Escape closes; Down opens again.
    let selected =
        "return document.querySelector('#site-search-results [aria-selected=true] .search-title').textContent;";
    if titles.len() > 1 {
        browser.type_keys(ARROW_DOWN);
        assert_eq!(browser.eval(selected), titles[1].as_str());
        browser.type_keys(ARROW_UP);
        assert_eq!(browser.eval(selected), titles[0].as_str());
    }
    browser.type_keys(ESCAPE);
    assert_eq!(
        browser.eval("return [document.getElementById('site-search-results').hidden, document.getElementById('site-search-q').getAttribute('aria-expanded')];"),
        serde_json::json!([true, "false"])
    );
    browser.type_keys(ARROW_DOWN);
    assert_eq!(browser.eval(selected), "Marketing Qualified Lead");

    browser.type_keys(ENTER);
    browser.wait_for(
        "the term's page",
        "return location.pathname === '/glossary/mql/' && document.readyState === 'complete';",
        WAIT,
    );
    assert_eq!(browser.url(), format!("{base}/glossary/mql/"));
    assert_eq!(page_title(&browser), "Marketing Qualified Lead · Fixture Alignment");

    // An alias and a title word find the term too; a team's short name finds the team.
    for (query, first) in [
        ("qualified lead", "Marketing Qualified Lead"),
        ("SLS", "Sales"),
        ("Churn", "Churn"),
    ] {
        browser.goto(&format!("{base}/"));
        search_in_header(&browser, query);
        let titles = option_titles(&browser);
        assert_eq!(titles.first().map(String::as_str), Some(first), "{query}: {titles:?}");
    }

    // At phone width the box spans the header and the list the screen.
    browser.resize(390, 844);
    browser.goto(&format!("{base}/"));
    search_in_header(&browser, "lead");
    let layout = browser.eval(
        "var r = document.getElementById('site-search-results').getBoundingClientRect();
         return [Math.round(r.left) >= 0, Math.round(r.right) <= document.documentElement.clientWidth, document.documentElement.scrollWidth <= document.documentElement.clientWidth];",
    );
    assert_eq!(
        layout,
        serde_json::json!([true, true, true]),
        "the popup fits a phone screen"
    );
    browser.screenshot(&screenshot_path("search-header-phone.png"));
}

#[test]
fn search_page_shows_results_for_q_and_works_under_a_sub_path() {
    let test = "search_page_shows_results_for_q_and_works_under_a_sub_path";
    let Some(browser) = Browser::start(test, 1280, 900) else {
        return;
    };
    // The port must be known before the build, which writes it into the sitemap.
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a free port");
    let port = listener.local_addr().expect("an address").port();
    let base = format!("http://127.0.0.1:{port}/alignment/");
    let site = SiteTest::new("good").build_with(&["--base-url", &base]).assert_exit(0);
    let _server = StaticServer::start(listener, site.out(), "/alignment/");

    // The header box: the index and the result links carry the sub-path.
    browser.goto(&format!("{base}teams/"));
    search_in_header(&browser, "SQL");
    assert_eq!(
        option_titles(&browser).first().map(String::as_str),
        Some("Sales Qualified Lead")
    );
    let href =
        browser.eval("return document.querySelector('#site-search-results [role=option] a').getAttribute('href');");
    assert_eq!(href, "/alignment/glossary/sql/");
    browser.type_keys(ENTER);
    browser.wait_for(
        "the term's page under the sub-path",
        "return location.pathname === '/alignment/glossary/sql/' && document.readyState === 'complete';",
        WAIT,
    );
    assert_eq!(page_title(&browser), "Sales Qualified Lead · Fixture Alignment");

    // The search page: results for ?q=, the no-JavaScript note hidden.
    browser.goto(&format!("{base}search/?q=acme"));
    let titles = browser.wait_for(
        "results on the search page",
        "var t = Array.from(document.querySelectorAll('#search-page-results .search-title')).map(function (e) { return e.textContent; }); return t.length ? t : null;",
        WAIT,
    );
    let titles: Vec<&str> = titles
        .as_array()
        .expect("titles")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // A title that starts with the query comes before one that only holds it.
    assert_eq!(
        titles[..2],
        ["Acme case study", "Keeping Acme at renewal"],
        "{titles:?}"
    );
    assert_eq!(
        browser.eval("return [document.getElementById('search-page-q').value, document.querySelector('[data-search-nojs]').hidden, document.querySelector('#search-page-results a').getAttribute('href')];"),
        serde_json::json!(["acme", true, "/alignment/commitments/case-study/"])
    );
    browser.wait_for(
        "the count on the search page",
        "return /^\\d+ results?\\.$/.test(document.getElementById('search-page-status').textContent);",
        WAIT,
    );
    // Typing on the page keeps the address in step.
    browser.eval("var i = document.getElementById('search-page-q'); i.focus(); i.select(); return true;");
    browser.type_keys("churn");
    browser.wait_for(
        "the new query in the address bar",
        "return location.search === '?q=churn' && document.querySelector('#search-page-results .search-title').textContent === 'Churn';",
        WAIT,
    );
    browser.resize(390, 844);
    browser.screenshot(&screenshot_path("search-page-phone.png"));
    let text = browser.text();
    assert_contains("the search page", &text, &["Monthly churn report"]);
    let html = site.page("search/index.html");
    assert_contains("search page", between(&html, "<main", "</main>"), &["data-search-nojs"]);
}

fn screenshot_path(name: &str) -> PathBuf {
    crate::support::manifest_dir().join("target/screenshots").join(name)
}

/// A static file server for a built site published under `prefix`, on a
/// thread per connection; stops when dropped.
struct StaticServer {
    stop: Arc<AtomicBool>,
    port: u16,
}

impl StaticServer {
    fn start(listener: TcpListener, root: &Path, prefix: &str) -> StaticServer {
        let port = listener.local_addr().expect("an address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let (root, prefix, flag) = (root.to_path_buf(), prefix.to_string(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (root, prefix) = (root.clone(), prefix.clone());
                std::thread::spawn(move || serve_one(stream, &root, &prefix));
            }
        });
        StaticServer { stop, port }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve_one(mut stream: TcpStream, root: &Path, prefix: &str) {
    let mut line = String::new();
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // Read the rest of the head.
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        header.clear();
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let file = path
        .strip_prefix(prefix)
        .filter(|rel| !rel.split('/').any(|part| part == ".."))
        .map(|rel| {
            let file = root.join(rel);
            if rel.is_empty() || rel.ends_with('/') {
                file.join("index.html")
            } else {
                file
            }
        });
    let (status, body, kind) = match file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
        Some((file, body)) => ("200 OK", body, content_type(&file)),
        None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("xml") => "application/xml",
        _ => "application/octet-stream",
    }
}
