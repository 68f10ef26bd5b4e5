//! Pagefind on the same 10,000-item site as `cargo bench --bench search`:
//! indexing time in-process, whether two runs give the same bytes, bytes
//! fetched per query and the time per keystroke in headless Chromium.
//!
//! Usage, from the project root, after a release build of rapport:
//!
//! ```text
//! target/release/rapport build --root target/bench-site --out target/bench-out --today 2026-06-15
//! cargo run --release --manifest-path benches/pagefind-eval/Cargo.toml -- target/bench-out
//! ```
//!
//! Pages are indexed from their `<main>` (`root_selector`), as rapport's own
//! index holds only the page's content. The browser half imports
//! `/pagefind/pagefind.js` and, for each query on a freshly loaded page,
//! runs `pagefind.search()` for every prefix of the query as it would be
//! typed (a key every 120 ms) and loads the data of the first 8 results,
//! which is what a result list shows. Bytes count each fetched file at the
//! smaller of its size and its gzip -6 size (Pagefind's index files are
//! compressed already).

#[allow(dead_code)]
#[path = "../../../tests/it/webdriver.rs"]
mod webdriver;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use serde_json::Value;

const QUERIES: [&str; 8] = [
    "retention",
    "customer success",
    "pricing promise",
    "A1367",
    "retnetion",
    "field enablement",
    "escalation risk",
    "qzx",
];
const RUNS: usize = 2;

type Files = HashMap<String, Arc<[u8]>>;

#[tokio::main]
async fn main() {
    let site = PathBuf::from(std::env::args().nth(1).expect("usage: pagefind-eval SITE_OUT"));
    let mut files: Files = HashMap::new();
    let mut pages = Vec::new();
    for entry in walkdir::WalkDir::new(&site).sort_by_file_name() {
        let entry = entry.expect("a readable site");
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(&site)
            .expect("inside")
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(entry.path()).expect("a readable file");
        if rel.ends_with(".html") {
            pages.push((rel.clone(), String::from_utf8_lossy(&bytes).into_owned()));
        }
        files.insert(rel, Arc::from(bytes));
    }

    let mut times = Vec::new();
    let mut bundle: Vec<(String, Vec<u8>)> = Vec::new();
    let mut same = true;
    for _ in 0..RUNS {
        let started = Instant::now();
        let options = PagefindServiceConfig::builder()
            .force_language("en".to_string())
            .root_selector("main".to_string())
            .build();
        let mut index = PagefindIndex::new(Some(options)).expect("valid options");
        for (rel, html) in &pages {
            let url = format!("/{}", rel.trim_end_matches("index.html"));
            index
                .add_html_file(Some(rel.clone()), Some(url), html.clone())
                .await
                .expect("indexed");
        }
        let mut out: Vec<(String, Vec<u8>)> = index
            .get_files()
            .await
            .expect("the bundle")
            .into_iter()
            .map(|f| {
                (
                    f.filename.to_string_lossy().trim_start_matches('/').to_string(),
                    f.contents,
                )
            })
            .collect();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        out.sort();
        if !bundle.is_empty() && bundle != out {
            same = false;
        }
        bundle = out;
    }
    let bytes: usize = bundle.iter().map(|(_, b)| b.len()).sum();
    println!("pagefind 1.6.0 on {} pages", pages.len());
    println!("  indexing in-process (add_html_file + get_files), {RUNS} runs: {times:.0?} ms");
    println!(
        "  bundle: {} files, {bytes} bytes; two runs byte-identical: {same}",
        bundle.len()
    );
    for (path, bytes) in bundle {
        files.insert(format!("pagefind/{path}"), Arc::from(bytes));
    }

    let Some(browser) = webdriver::Browser::start("pagefind-eval", 1280, 900) else {
        return;
    };
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let port = serve(Arc::new(files.clone()), log.clone());
    println!("  per query (prefixes as typed, search + data of the first 8):");
    println!(
        "    {:<20} {:>4} {:>8} {:>8} {:>8} {:>8} {:>6} {:>10}",
        "query", "keys", "median", "p95", "max", "results", "files", "bytes"
    );
    let mut all = Vec::new();
    for query in QUERIES {
        browser.goto(&format!("http://127.0.0.1:{port}/"));
        log.lock().expect("the log").clear();
        let quoted = serde_json::to_string(query).expect("JSON");
        browser.eval(&format!(
            "window.__pf = null; (async function () {{
               var pf = await import('/pagefind/pagefind.js');
               await pf.init();
               var q = {quoted}, times = [], count = 0, top = [];
               for (var i = 1; i <= q.length; i++) {{
                 await new Promise(function (r) {{ setTimeout(r, 120); }});
                 var t0 = performance.now();
                 var found = await pf.search(q.slice(0, i));
                 if (found) {{ count = found.results.length; top = await Promise.all(found.results.slice(0, 8).map(function (r) {{ return r.data(); }})); }}
                 times.push(performance.now() - t0);
               }}
               window.__pf = [times, count, top.slice(0, 3).map(function (d) {{ return d.meta.title; }})];
             }})().catch(function (e) {{ window.__pf = ['error', String(e)]; }}); return true;"
        ));
        let result = browser.wait_for("pagefind's results", "return window.__pf;", Duration::from_secs(600));
        assert_ne!(result[0], "error", "{query}: {}", result[1]);
        let times: Vec<f64> = result[0]
            .as_array()
            .expect("times")
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        let fetched = log.lock().expect("the log").clone();
        let sent: usize = fetched
            .iter()
            .filter(|p| p.starts_with("pagefind/"))
            .filter_map(|p| files.get(p))
            .map(|b| b.len().min(gzip_size(b)))
            .sum();
        let index_files = fetched.iter().filter(|p| p.starts_with("pagefind/")).count();
        println!(
            "    {:<20} {:>4} {:>5.1} ms {:>5.1} ms {:>5.1} ms {:>8} {:>6} {:>10}",
            format!("{query:?}"),
            times.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&times, 1.0),
            result[1],
            index_files,
            sent
        );
        println!("      first results: {}", result[2]);
        all.extend(times);
    }
    println!(
        "    all keystrokes: {} keys, median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        percentile(&all, 1.0)
    );
}

fn percentile(values: &[f64], share: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() as f64 * share).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[at]
}

fn gzip_size(bytes: &[u8]) -> usize {
    let mut child = Command::new("gzip")
        .args(["-c", "-6"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gzip runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("gzip finishes");
    writer.join().expect("writer").expect("write");
    output.stdout.len()
}

/// Serves `files` on a loopback port, logging each requested path.
fn serve(files: Arc<Files>, log: Arc<Mutex<Vec<String>>>) -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a free port");
    let port = listener.local_addr().expect("an address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let (files, log) = (files.clone(), log.clone());
            std::thread::spawn(move || answer(stream, &files, &log));
        }
    });
    port
}

fn answer(mut stream: TcpStream, files: &Files, log: &Mutex<Vec<String>>) {
    let Ok(clone) = stream.try_clone() else { return };
    let mut reader = BufReader::new(clone);
    let _ = stream.set_nodelay(true);
    // Keep-alive, as any production web server does: the connection
    // answers requests until the browser closes it.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_or(true, |n| n == 0) {
            return;
        }
        respond(&mut reader, &mut stream, &line, files, log);
    }
}

fn respond(
    reader: &mut BufReader<TcpStream>,
    stream: &mut TcpStream,
    line: &str,
    files: &Files,
    log: &Mutex<Vec<String>>,
) {
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
    log.lock().expect("the log").push(key.clone());
    let (status, body): (&str, &[u8]) = match files.get(&key) {
        Some(bytes) => ("200 OK", bytes),
        None => ("404 Not Found", b"not found"),
    };
    let kind = match key.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\r\n",
        body.len()
    );
    // One write, and no Nagle delay: two small writes can wait 40 ms for
    // the client's delayed ACK.
    let mut response = head.into_bytes();
    response.extend_from_slice(body);
    let _ = stream.write_all(&response);
}
