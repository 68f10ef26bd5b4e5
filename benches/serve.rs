//! How fast `rapport serve` shows an edit: the time from saving one story's
//! body to the live-reload event, on benchmark sites of 1,000 and 10,000
//! items side by side. Targets: a median of at most 20 ms at 10,000 items,
//! and at most 1.2 times the 1,000-item median.
//!
//! Run with `cargo bench --bench serve`. Sites are generated with
//! `../shared/bench/gen-corpus` into `target/bench-serve-<N>/` if missing.
//! With `RAPPORT_BENCH_BASE=<path to another rapport binary>`, that binary
//! is measured too, on the same sites in the same run, and each figure is
//! printed as a ratio to its.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const EDITS: usize = 25;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut binaries = vec![("this".to_string(), env!("CARGO_BIN_EXE_rapport").to_string())];
    if let Ok(base) = std::env::var("RAPPORT_BENCH_BASE") {
        binaries.push(("base".to_string(), base));
    }
    println!("rapport serve: saving a story's body -> reload event ({EDITS} edits each, after 3 warm-up edits)");
    println!(
        "{:>6}  {:>7}  {:>10}  {:>9}  {:>9}  {:>9}  {:>12}  {:>14}",
        "binary", "items", "full build", "median", "p90", "max", "server median", "pages rendered"
    );
    let mut medians: Vec<Vec<f64>> = vec![Vec::new(); binaries.len()];
    for items in [1_000, 10_000] {
        let site = root.join(format!("target/bench-serve-{items}"));
        generate(&root, &site, items);
        for (i, (name, binary)) in binaries.iter().enumerate() {
            let result = measure(binary, &site);
            println!(
                "{:>6}  {:>7}  {:>8} ms  {:>6.1} ms  {:>6.1} ms  {:>6.1} ms  {:>9.1} ms  {:>14}",
                name,
                items,
                result.full_build_ms,
                result.median,
                result.p90,
                result.max,
                result.server_median,
                result.pages
            );
            medians[i].push(result.median);
        }
    }
    for ((name, _), m) in binaries.iter().zip(&medians) {
        println!(
            "{name}: ratio of medians, 10,000 / 1,000 items: {:.2} (1.00 = does not grow with the site)",
            m[1] / m[0]
        );
    }
    if medians.len() == 2 {
        println!(
            "this / base, median at 1,000 items: {:.2}; at 10,000 items: {:.2}",
            medians[0][0] / medians[1][0],
            medians[0][1] / medians[1][1]
        );
    }
    let this = &medians[0];
    let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
    println!(
        "target: median <= 20 ms at 10,000 items: {:.1} ms {}; <= 1.2x the 1,000-item median: {:.2}x {}",
        this[1],
        verdict(this[1] <= 20.0),
        this[1] / this[0],
        verdict(this[1] / this[0] <= 1.2)
    );
}

struct Measured {
    full_build_ms: u128,
    median: f64,
    p90: f64,
    max: f64,
    server_median: f64,
    pages: String,
}

fn generate(root: &Path, site: &Path, items: usize) {
    if site.join("content/stories").is_dir() {
        return;
    }
    let status = Command::new("python3")
        .arg(root.join("../shared/bench/gen-corpus"))
        .arg(site)
        .args(["--items", &items.to_string()])
        .status()
        .expect("run gen-corpus");
    assert!(status.success(), "gen-corpus failed");
}

fn measure(binary: &str, site: &Path) -> Measured {
    let mut child = Command::new(binary)
        .args(["serve", "--port", "0", "--today", "2026-11-20", "--root"])
        .arg(site)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start rapport serve");
    let lines = lines_of(&mut child);
    let built = Instant::now();
    let mut full_build_ms = 0;
    let mut port = 0;
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(300)) {
        if let Some(ms) = line.strip_prefix("built ").and_then(|rest| rest.split(" in ").nth(1)) {
            full_build_ms = ms
                .trim_end_matches(|c: char| !c.is_ascii_digit())
                .split(' ')
                .next()
                .unwrap_or("0")
                .parse()
                .unwrap_or(0);
        }
        if let Some(rest) = line.split("127.0.0.1:").nth(1) {
            port = rest.split('/').next().and_then(|p| p.parse().ok()).expect("port");
            break;
        }
    }
    assert!(port != 0, "no server after {:?}", built.elapsed());
    let mut events = Events::open(port);

    let stories = site.join("content/stories");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&stories)
        .expect("stories")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    let mut times = Vec::new();
    let mut server = Vec::new();
    let mut pages = Vec::new();
    for i in 0..EDITS + 3 {
        let file = &files[(i * 37) % files.len()];
        let mut text = std::fs::read_to_string(file).expect("read story");
        text.push_str(&format!("\nWe added sentence {i} while the server was watching.\n"));
        let saved = Instant::now();
        std::fs::write(file, text).expect("save story");
        events.wait_for_reload(Duration::from_secs(30));
        let elapsed = saved.elapsed().as_secs_f64() * 1000.0;
        // The server's own line: "... changed: rebuilt N pages in X ms (...)",
        // X being its time to the reload event.
        let mut line = String::new();
        while let Ok(l) = lines.recv_timeout(Duration::from_secs(5)) {
            if l.contains("changed: rebuilt") {
                line = l;
                break;
            }
        }
        if i >= 3 {
            times.push(elapsed);
            if let Some(rest) = line.split("rebuilt ").nth(1) {
                let mut words = rest.split_whitespace();
                pages.push(words.next().unwrap_or("?").to_string());
                if let Some(ms) = rest.split(" in ").nth(1).and_then(|r| r.split(' ').next()) {
                    server.push(ms.parse::<f64>().unwrap_or(f64::NAN));
                }
            }
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    stop(&mut child);
    times.sort_by(f64::total_cmp);
    server.sort_by(f64::total_cmp);
    pages.sort();
    pages.dedup();
    Measured {
        full_build_ms,
        median: times[times.len() / 2],
        p90: times[times.len() * 9 / 10],
        max: times[times.len() - 1],
        server_median: server.get(server.len() / 2).copied().unwrap_or(f64::NAN),
        pages: pages.join("/"),
    }
}

/// Stops the server as Ctrl-C does, so it removes its private socket.
fn stop(child: &mut Child) {
    let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn lines_of(child: &mut Child) -> Receiver<String> {
    let stderr = child.stderr.take().expect("stderr");
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn open(port: u16) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .write_all(format!("GET /__rapport/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").as_bytes())
            .expect("send");
        stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        let mut events = Events {
            reader: BufReader::new(stream),
        };
        events.wait_for("event: hello", Duration::from_secs(30));
        events
    }

    fn wait_for_reload(&mut self, timeout: Duration) {
        self.wait_for("event: reload", timeout);
    }

    fn wait_for(&mut self, wanted: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let mut line = String::new();
        while Instant::now() < deadline {
            line.clear();
            match self.reader.read_line(&mut line) {
                Ok(0) => panic!("the event stream closed"),
                Ok(_) if line.trim_end() == wanted => return,
                Ok(_) if line.trim_end() == "event: errors" => {
                    let mut data = String::new();
                    let _ = self.reader.read_line(&mut data);
                    panic!("the rebuild failed instead of reloading: {data}");
                }
                Ok(_) => {}
                Err(err) => panic!("reading events: {err}"),
            }
        }
        panic!("no `{wanted}` within {timeout:?}");
    }
}
