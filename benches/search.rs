//! Search on the 10,000-item benchmark site: the size of
//! `/search-index.json` (raw and gzip-compressed) and the time each
//! keystroke's search takes in a real browser.
//!
//! Run from the project root with `cargo bench --bench search`. The site is
//! generated once into `target/bench-site` by
//! `python3 ../shared/bench/gen-corpus target/bench-site --items 10000`.
//! The bench builds it with the library, serves the output from memory on a
//! loopback port, opens the home page in headless Chromium (Debian's
//! `chromium` and `chromium-driver`; without them the browser half is
//! skipped with the reason) and types queries into the header search box
//! key by key. `search.js` times each search with `performance.now()`
//! (`window.rapportSearch.timings`, ranking only, and `renderTimings`,
//! ranking plus drawing the list); the bench prints their median and max.
//! Targets: under 50 ms a keystroke, under 3 MB compressed.

// The bench uses only part of the test suite's WebDriver client.
#[allow(dead_code)]
#[path = "../tests/it/webdriver.rs"]
mod webdriver;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rapport::date::Date;
use rapport::render::search;
use rapport::{BuildOptions, Site};
use serde_json::Value;

use crate::webdriver::Browser;

/// What people type: common words (thousands of matches), two-word
/// queries, an acronym, a team name and a query that matches nothing.
const QUERIES: [&str; 7] = [
    "retention",
    "customer success",
    "pricing promise",
    "A1367",
    "field enablement",
    "escalation risk",
    "qzx",
];

/// Runs of the index build; the median is reported.
const RUNS: usize = 5;

const INDEX_TARGET: usize = 3 * 1024 * 1024;
const KEYSTROKE_TARGET_MS: f64 = 50.0;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let site_dir = root.join("target/bench-site");
    ensure_site(&root, &site_dir);
    let today = Date::parse("2026-06-15").expect("a date");
    let mut options = BuildOptions::new(today);
    options.today = Some(today);

    let started = Instant::now();
    let site = Site::load(&site_dir, &options).expect("the bench site loads");
    let build = rapport::Build::of(site);
    let build_ms = ms(started.elapsed());
    let files: HashMap<String, Arc<[u8]>> = build.files.clone().into_iter().collect();
    let site = build.site;
    let index = files
        .get(search::INDEX_PATH)
        .expect("the build writes the search index");
    let docs = serde_json::from_slice::<Value>(index).expect("the index is JSON")["docs"]
        .as_array()
        .map_or(0, Vec::len);

    // The index alone, from a prepared site (bodies already rendered).
    let mut scored = rapport::script::score_site(&site);
    let scores = std::mem::take(&mut scored.scores);
    let prepared = rapport::render::prepare(&site, scores, scored.template_call());
    let mut times = Vec::new();
    for _ in 0..=RUNS {
        let started = Instant::now();
        let json = search::index_json(&search::documents(&site.content, &prepared.bodies));
        times.push(started.elapsed());
        assert_eq!(json.len(), index.len());
    }
    times.sort();
    let index_ms = ms(times[times.len() / 2]);

    let gzip = gzip_size(index, "-6");
    let gzip9 = gzip_size(index, "-9");
    println!(
        "rapport search benchmark: {} items, {docs} documents in the index",
        site.content.len()
    );
    println!("  whole build (load + score + render):   {build_ms:>9.1} ms");
    println!("  search index build (median of {RUNS}):     {index_ms:>9.1} ms");
    println!(
        "  search-index.json raw:                 {:>9} bytes ({})",
        index.len(),
        mib(index.len())
    );
    println!(
        "  search-index.json gzip -6:             {:>9} bytes ({}; target < 3 MB: {})",
        gzip,
        mib(gzip),
        verdict(gzip < INDEX_TARGET)
    );
    println!(
        "  search-index.json gzip -9:             {:>9} bytes ({})",
        gzip9,
        mib(gzip9)
    );

    let Some(browser) = Browser::start("the search benchmark's browser half", 1280, 900) else {
        return;
    };
    let server = MemoryServer::start(files);
    browser.goto(&format!("http://127.0.0.1:{}/", server.port));
    browser.wait_for(
        "search.js to set up the header box",
        "return document.getElementById('site-search-q').getAttribute('role') === 'combobox';",
        Duration::from_secs(30),
    );
    // A headless window never has the focus, so the box's focus event
    // (which loads the index for people) does not come: load it directly.
    browser.eval("window.rapportSearch.load(); document.getElementById('site-search-q').focus(); return true;");
    let loaded = browser.wait_for(
        "the search index to load",
        "var s = window.rapportSearch.stats; return s.docs ? s.loadMs : s.error;",
        Duration::from_secs(60),
    );
    // Let the warm-up search that follows the load finish.
    std::thread::sleep(Duration::from_millis(500));
    println!(
        "  index fetch + parse + prepare in the page: {:>6.1} ms (once, on first focus)",
        loaded.as_f64().unwrap_or(f64::NAN)
    );
    println!("  per keystroke, measured in the page with performance.now():");
    println!(
        "    {:<20} {:>5} {:>9} {:>9} {:>11} {:>11} {:>8}",
        "query", "keys", "median", "max", "+draw med", "+draw max", "results"
    );
    let mut all_search = Vec::new();
    let mut all_draw = Vec::new();
    for query in QUERIES {
        browser.eval(
            "var i = document.getElementById('site-search-q'); i.value = ''; i.dispatchEvent(new Event('input'));
             window.rapportSearch.timings.length = 0; window.rapportSearch.renderTimings.length = 0; i.focus(); return true;",
        );
        browser.type_keys(query);
        let keys = query.chars().count();
        let timings = browser.wait_for(
            "one timing a keystroke",
            &format!(
                "var r = window.rapportSearch; return r.timings.length >= {keys} ? [r.timings, r.renderTimings, document.querySelector('.site-search [role=status]').textContent, document.getElementById('site-search-q').value] : null;"
            ),
            Duration::from_secs(60),
        );
        let search_ms = numbers(&timings[0]);
        let draw_ms = numbers(&timings[1]);
        assert_eq!(timings[3], query, "the box holds what was typed");
        assert_eq!(search_ms.len(), keys, "{query}: one search a keystroke");
        let results = result_count(&browser);
        println!(
            "    {:<20} {:>5} {:>6.1} ms {:>6.1} ms {:>8.1} ms {:>8.1} ms {:>8}",
            format!("{query:?}"),
            keys,
            median(&search_ms),
            max(&search_ms),
            median(&draw_ms),
            max(&draw_ms),
            results
        );
        all_search.extend(search_ms);
        all_draw.extend(draw_ms);
    }
    println!(
        "    {:<20} {:>5} {:>6.1} ms {:>6.1} ms {:>8.1} ms {:>8.1} ms   (target < {KEYSTROKE_TARGET_MS} ms: {})",
        "all keystrokes",
        all_search.len(),
        median(&all_search),
        max(&all_search),
        median(&all_draw),
        max(&all_draw),
        verdict(max(&all_draw) < KEYSTROKE_TARGET_MS)
    );
}

/// How many documents the last search matched, from the status text.
fn result_count(browser: &Browser) -> String {
    let value = browser.eval("return window.rapportSearch.lastCount;");
    match value.as_u64() {
        Some(n) => n.to_string(),
        None => "?".into(),
    }
}

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NAN, f64::max)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(bytes: usize) -> String {
    format!("{:.2} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// The size of `bytes` after `gzip <level>`.
fn gzip_size(bytes: &[u8], level: &str) -> usize {
    let mut child = Command::new("gzip")
        .args(["-c", level])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gzip runs");
    let mut stdin = child.stdin.take().expect("gzip's stdin");
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("gzip finishes");
    writer.join().expect("the writer thread").expect("write to gzip");
    assert!(output.status.success(), "gzip failed");
    output.stdout.len()
}

/// Generates the bench site if it is missing.
fn ensure_site(root: &Path, site_dir: &Path) {
    if site_dir.join("content").is_dir() {
        return;
    }
    eprintln!("generating {} ...", site_dir.display());
    let status = Command::new("python3")
        .current_dir(root)
        .args(["../shared/bench/gen-corpus", "target/bench-site", "--items", "10000"])
        .status()
        .expect("python3 runs");
    assert!(status.success(), "gen-corpus failed");
}

/// The built site served from memory at the root of a loopback port, a
/// thread per connection: no live-reload script, nothing written to disk.
struct MemoryServer {
    port: u16,
}

impl MemoryServer {
    fn start(files: HashMap<String, Arc<[u8]>>) -> MemoryServer {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a free port");
        let port = listener.local_addr().expect("an address").port();
        let files = Arc::new(files);
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let files = files.clone();
                std::thread::spawn(move || answer(stream, &files));
            }
        });
        MemoryServer { port }
    }
}

fn answer(mut stream: TcpStream, files: &HashMap<String, Arc<[u8]>>) {
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        header.clear();
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/").trim_start_matches('/');
    let key = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    let (status, body): (&str, &[u8]) = match files.get(&key) {
        Some(bytes) => ("200 OK", bytes),
        None => ("404 Not Found", b"not found"),
    };
    let kind = match key.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}
