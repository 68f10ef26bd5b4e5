//! `rapport serve` under load, on loopback only and bounded in time: 200
//! keep-alive connections for 5 seconds (Debian's `wrk`) while 100 pages
//! hold live-reload streams open. No request may fail, and every stream
//! must still deliver the next reload. The 99th percentile latency is
//! printed, not asserted.

use std::io::Write;
use std::process::Command;
use std::time::Duration;

use crate::serve::{Events, Served};
use crate::support::{SiteTest, exclusive};

const WRK: &str = "wrk";

fn wrk_available(test: &str) -> bool {
    if Command::new(WRK).arg("--version").output().is_ok() {
        return true;
    }
    if std::env::var("RAPPORT_REQUIRE_WRK").is_ok_and(|v| v == "1") {
        panic!("{test}: RAPPORT_REQUIRE_WRK=1 but `wrk` is not installed (apt-get install wrk)");
    }
    eprintln!("skipping {test}: `wrk` is not installed (apt-get install wrk)");
    false
}

/// The value after `label` on the line of wrk's report that starts with it.
fn report_value<'a>(report: &'a str, label: &str) -> Option<&'a str> {
    report
        .lines()
        .find_map(|line| line.trim_start().strip_prefix(label))
        .map(str::trim)
}

#[test]
fn two_hundred_keep_alive_connections_beside_a_hundred_reload_streams_all_succeed() {
    if !wrk_available("two_hundred_keep_alive_connections_beside_a_hundred_reload_streams_all_succeed") {
        return;
    }
    // Nothing else timed runs while the machine is this busy, and the load
    // yields the processor to the other tests (some have time limits).
    let _alone = exclusive();
    let served = Served::start_nice(SiteTest::new("good"));
    let port = served.port;
    let mut streams: Vec<Events> = (0..100).map(|_| served.events()).collect();

    let output = Command::new("nice")
        .args(["-n", "10", WRK])
        .args(["--threads", "2", "--connections", "200", "--duration", "5s"])
        .args(["--timeout", "5s", "--latency"])
        .args(["--header", &format!("Host: 127.0.0.1:{port}")])
        .arg(format!("http://127.0.0.1:{port}/glossary/mql/"))
        .output()
        .expect("run wrk");
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "wrk failed:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let requests: u64 = report
        .lines()
        .find_map(|line| {
            line.trim()
                .split_once(" requests in ")
                .map(|(n, _)| n.trim().to_string())
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no request count in wrk's report:\n{report}"));
    let p99 = report_value(&report, "99%").unwrap_or("?");
    let rate = report_value(&report, "Requests/sec:").unwrap_or("?");
    // Printed past the test harness's capture, so it shows in CI logs.
    let _ = writeln!(
        std::io::stderr(),
        "load: {requests} requests in 5 s over 200 keep-alive connections with 100 reload streams open: {rate} requests/s, p99 {p99}"
    );
    assert!(
        report_value(&report, "Socket errors:").is_none(),
        "requests failed at the socket:\n{report}"
    );
    assert!(
        report_value(&report, "Non-2xx or 3xx responses:").is_none(),
        "requests were answered with errors:\n{report}"
    );
    assert!(requests >= 200, "only {requests} requests in 5 s:\n{report}");

    // Every stream survived the load and still hears the next rebuild.
    let rel = "content/glossary/mql.md";
    let text = served.read(rel);
    served.write(rel, &format!("{text}\nEdited after the load.\n"));
    for (i, stream) in streams.iter_mut().enumerate() {
        let data = stream.expect("reload", Duration::from_secs(30));
        assert!(
            data["changed"]
                .as_array()
                .is_some_and(|c| c.iter().any(|p| p == "/glossary/mql/")),
            "stream {i}: {data}"
        );
    }
    assert!(served.get("/glossary/mql/").body.contains("Edited after the load."));
}
