//! `rapport build` killed at any moment (`kill -9`): the output folder is
//! always a whole site, the old one or the new one, never half of each and
//! never missing; and the next build removes every staging folder the
//! killed ones left.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::support::{BIN, SiteTest, TODAY, generated_site, output_files, staging_folders};

/// A page the second version of a site has and the first has not.
const MARKER_PAGE: &str = "content/crash-marker.md";

/// `rapport build` yielding the processor to the other tests (`nice`, which
/// execs it, so the child's pid is the build's).
fn build_command(site: &SiteTest, out: &str) -> Command {
    let mut command = Command::new("nice");
    command
        .args(["-n", "10", BIN])
        .args(["build", "--root", "site", "--out", out, "--today", TODAY])
        .current_dir(site.dir())
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn build_ok(site: &SiteTest, out: &str) {
    let status = build_command(site, out).status().expect("run rapport build");
    assert!(status.success(), "`rapport build --out {out}` failed: {status}");
}

/// Which of the two known sites `out` holds, whole; panics on anything else.
fn which_site(
    out: &BTreeMap<String, Vec<u8>>,
    old: &BTreeMap<String, Vec<u8>>,
    new: &BTreeMap<String, Vec<u8>>,
) -> &'static str {
    if out == old {
        return "old";
    }
    if out == new {
        return "new";
    }
    let missing = old.keys().filter(|k| !out.contains_key(*k)).count();
    panic!(
        "the output is neither the old site nor the new one: {} files, {missing} of the old site's missing, marker {}",
        out.len(),
        if out.contains_key(".rapport-output") {
            "present"
        } else {
            "missing"
        }
    );
}

fn write_marker(site: &SiteTest) {
    fs::write(
        site.root().join(MARKER_PAGE),
        "---\ntitle: Written by the second build\n---\nThis page exists only in the new site.\n",
    )
    .expect("write the marker page");
}

#[test]
fn a_build_killed_between_the_renames_leaves_a_whole_site() {
    let site = SiteTest::new("good");
    build_ok(&site, "public");
    let old = output_files(site.out());
    write_marker(&site);
    build_ok(&site, "expected");
    let new = output_files(&site.dir().join("expected"));
    assert!(new.contains_key("crash-marker/index.html"));

    // The moment a random kill almost never hits: right after the first
    // rename of the swap. With two plain renames the output is gone here.
    let status = build_command(&site, "public")
        .env("RAPPORT_FAILPOINT", "after-first-rename")
        .status()
        .expect("run rapport build");
    assert_eq!(status.signal(), Some(9), "the failpoint kills the build: {status}");
    assert!(site.out().is_dir(), "a build killed mid-swap left no output folder");
    let seen = which_site(&output_files(site.out()), &old, &new);
    assert_eq!(seen, "new", "the swap is one exchange, done before the kill");
    assert_eq!(
        staging_folders(site.dir()).len(),
        1,
        "the old site waits in its staging folder"
    );

    // The next build clears what the killed one left.
    build_ok(&site, "public");
    assert_eq!(staging_folders(site.dir()), Vec::<String>::new());
    assert_eq!(which_site(&output_files(site.out()), &old, &new), "new");
}

/// A small generator for the kill delays: no dependency, and the seed is
/// printed so a failing run can be repeated with `RAPPORT_CRASH_SEED`.
struct XorShift(u64);

impl XorShift {
    fn next_fraction(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn builds_killed_at_random_moments_leave_the_old_or_the_new_site() {
    let site = generated_site(300);
    let started = Instant::now();
    build_ok(&site, "public");
    let first = started.elapsed();
    let old = output_files(site.out());
    write_marker(&site);
    let started = Instant::now();
    build_ok(&site, "expected");
    let build_time = first.max(started.elapsed());
    let new = output_files(&site.dir().join("expected"));
    fs::remove_dir_all(site.dir().join("expected")).expect("remove expected");

    let seed = std::env::var("RAPPORT_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    eprintln!("kill delays from seed {seed} (RAPPORT_CRASH_SEED), a full build takes {build_time:?}");
    let mut random = XorShift(seed);
    let mut outcomes = Vec::new();
    let mut current = "old";
    for round in 0..10 {
        // Build towards the other site each round, so a finished swap is seen.
        if current == "old" {
            write_marker(&site);
        } else if site.root().join(MARKER_PAGE).exists() {
            fs::remove_file(site.root().join(MARKER_PAGE)).expect("remove the marker page");
        }
        // From early in the load to past the usual end, where the swap is.
        let delay = build_time.mul_f64(0.2 + 1.4 * random.next_fraction());
        let mut child = build_command(&site, "public").spawn().expect("start rapport build");
        std::thread::sleep(delay);
        let _ = child.kill();
        let status = child.wait().expect("wait for the build");
        current = which_site(&output_files(site.out()), &old, &new);
        outcomes.push(format!(
            "round {round}: killed after {} ms ({}), output is the {current} site, {} staging folders",
            delay.as_millis(),
            if status.signal() == Some(9) {
                "killed"
            } else {
                "had finished"
            },
            staging_folders(site.dir()).len()
        ));
    }
    eprintln!("{}", outcomes.join("\n"));

    build_ok(&site, "public");
    let expected = if site.root().join(MARKER_PAGE).exists() {
        "new"
    } else {
        "old"
    };
    assert_eq!(which_site(&output_files(site.out()), &old, &new), expected);
    assert_eq!(
        staging_folders(site.dir()),
        Vec::<String>::new(),
        "a good build removes what killed builds left"
    );
}
