//! Search: the shape of `/search-index.json`, the search box and page in
//! the HTML, and the script in headless Chromium, at the root and under a
//! sub-path.

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

/// The `docs` of a built site's index, after checking the envelope.
fn index_docs(site: &SiteTest) -> Vec<Value> {
    let index: Value = serde_json::from_str(&site.page("search-index.json")).expect("the index is JSON");
    assert_eq!(index["version"], 2, "format version");
    index["docs"].as_array().expect("a `docs` array").clone()
}

fn doc_with_title<'a>(docs: &'a [Value], title: &str) -> &'a Value {
    docs.iter()
        .find(|d| d[1] == title)
        .unwrap_or_else(|| panic!("no document titled {title:?} in the index"))
}

#[test]
fn search_index_holds_every_kind_with_the_keys_of_terms() {
    let site = SiteTest::new("good").build().assert_exit(0);
    let docs = index_docs(&site);
    for doc in &docs {
        let row = doc
            .as_array()
            .unwrap_or_else(|| panic!("a document is an array: {doc}"));
        assert_eq!(row.len(), 6, "[kind, title, path, keys, meta, text]: {doc}");
        assert!(
            matches!(row[0].as_str(), Some("t" | "m" | "s" | "c" | "p")),
            "kind: {doc}"
        );
        assert!(row[1].as_str().is_some_and(|t| !t.is_empty()), "title: {doc}");
        let path = row[2].as_str().expect("path");
        assert!(!path.starts_with('/'), "paths are relative to the base path: {doc}");
        assert!(
            row[3].as_array().is_some_and(|k| k.iter().all(Value::is_string)),
            "keys: {doc}"
        );
        assert!(row[4].is_string() && row[5].is_string(), "meta and text: {doc}");
        // Every indexed page exists.
        assert!(
            site.out().join(path).join("index.html").is_file(),
            "{path} is in the index but not in the output"
        );
    }
    for kind in ["t", "m", "s", "c", "p"] {
        assert!(docs.iter().any(|d| d[0] == kind), "no document of kind {kind}");
    }

    // The acronym, the aliases and the title of a term, and who owns it.
    let mql = doc_with_title(&docs, "Marketing Qualified Lead");
    assert_eq!(mql[0], "t");
    assert_eq!(mql[2], "glossary/mql/");
    assert_eq!(mql[3], serde_json::json!(["MQL", "qualified lead", "MQLs"]));
    assert_eq!(mql[4], "MQL · owned by Marketing");
    assert!(
        mql[5]
            .as_str()
            .unwrap_or_default()
            .starts_with("A lead that fits our profile"),
        "{mql}"
    );
    // A team's short name is its key; a commitment says who promised what to whom.
    assert_eq!(doc_with_title(&docs, "Support")[3], serde_json::json!(["SUP"]));
    assert_eq!(
        doc_with_title(&docs, "Publish a pricing page")[4],
        "Marketing to Sales, prospects · due 15 April 2026 · Delivered late"
    );
    // Raw HTML never reaches the index, and neither does the home text.
    let raw = site.page("search-index.json");
    assert!(!raw.contains("<script"), "{raw}");
    assert!(!docs.iter().any(|d| d[2] == ""), "the home page is not a result");
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
    let docs = index_docs(&site);
    assert_eq!(doc_with_title(&docs, "Marketing Qualified Lead")[2], "glossary/mql/");
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
        "var l = document.getElementById('site-search-results'); return !l.hidden && l.querySelectorAll('[role=option]').length;",
        WAIT,
    );
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
