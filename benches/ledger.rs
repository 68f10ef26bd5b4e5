//! What the promise ledger costs: the history pass alone, a whole build
//! with and without it, and a body edit in the dev server with and without
//! it, on the 10,000-item benchmark site with 5 commits touching every
//! commitment file.
//!
//! Run from the project root with `cargo bench --bench ledger`. The site is
//! generated once into `target/bench-ledger-site` by
//! `python3 ../shared/bench/gen-corpus ... --items 10000`, then committed,
//! then changed and committed five times: four commits rename every
//! commitment's title and one moves every `due` date to the 28th (a quiet
//! change in most files). Each figure is the median of several runs, with
//! the CPU time (this process and the git processes it ran) beside the
//! wall time, since the machine may be shared. The target: the history
//! pass adds at most 1 s to a cold build, and nothing to a body edit.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rapport::date::Date;
use rapport::live::LiveSite;
use rapport::{BuildOptions, Site};

/// Runs of each measurement; the median is reported.
const RUNS: usize = 3;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let site = root.join("target/bench-ledger-site");
    ensure_site(&root, &site);
    let today = Date::parse("2026-06-15").expect("a date");
    let mut options = BuildOptions::new(today);
    options.today = Some(today);
    let config = site.join("rapport.toml");

    let pass = measure(RUNS, || {
        let ledger = rapport::ledger::history::read(&site);
        assert!(ledger.is_on(), "{:?}", ledger.state);
        assert!(ledger.records.len() > 4000, "{} records", ledger.records.len());
        ledger.quiet.len()
    });
    println!(
        "history pass alone: {} ({} quiet changes found)",
        pass.describe(),
        pass.last
    );
    if std::env::var_os("LEDGER_BENCH_PASS_ONLY").is_some() {
        return;
    }

    // Loading alone: reading the files and git, building the model. The
    // history pass overlaps reading the files; this is what it costs.
    let load = |enabled: bool| {
        set_ledger(&config, enabled);
        measure(RUNS, || {
            let site = Site::load(&site, &options).expect("the bench site loads");
            site.content.commitments.iter().map(|c| c.quiet_changes.len()).sum()
        })
    };
    let load_on = load(true);
    let load_off = load(false);
    println!(
        "load, ledger on:  {} ({} quiet changes attached)",
        load_on.describe(),
        load_on.last
    );
    println!("load, ledger off: {}", load_off.describe());
    println!(
        "history pass in a load: {:.0} ms wall, {:.0} ms CPU",
        ms(load_on.wall) - ms(load_off.wall),
        ms(load_on.cpu) - ms(load_off.cpu)
    );

    let build = |enabled: bool| {
        set_ledger(&config, enabled);
        measure(RUNS, || {
            let site = Site::load(&site, &options).expect("the bench site loads");
            let build = rapport::Build::of(site);
            assert!(build.page_count() > 10_000);
            build.files.len()
        })
    };
    let on = build(true);
    let off = build(false);
    println!("cold build, ledger on:  {}", on.describe());
    println!("cold build, ledger off: {}", off.describe());
    println!(
        "ledger cost in a whole build (history pass, record sections, /ledger/): {:.0} ms wall ({:.2}x), {:.0} ms CPU",
        ms(on.wall) - ms(off.wall),
        ms(on.wall) / ms(off.wall),
        ms(on.cpu) - ms(off.cpu)
    );

    let edit = |enabled: bool| {
        set_ledger(&config, enabled);
        let (mut live, first) = LiveSite::open(&site, options.clone()).expect("the site opens");
        assert!(first.ok());
        let path = "content/commitments/commitment-00001.md";
        let original = fs::read_to_string(site.join(path)).expect("the commitment");
        let mut n = 0;
        let result = measure(RUNS + 2, || {
            n += 1;
            fs::write(site.join(path), format!("{original}\nEdit {n}.\n")).expect("write");
            let rebuild = live.apply(&BTreeSet::from([path.to_string()]));
            assert!(rebuild.incremental, "a body edit takes the fast path");
            rebuild.changed.len()
        });
        fs::write(site.join(path), original).expect("restore");
        result
    };
    let edit_on = edit(true);
    let edit_off = edit(false);
    set_ledger(&config, true);
    println!("body edit in serve, ledger on:  {}", edit_on.describe());
    println!("body edit in serve, ledger off: {}", edit_off.describe());
}

/// Medians of several runs.
struct Measured {
    wall: Duration,
    cpu: Duration,
    /// What the last run returned.
    last: usize,
}

impl Measured {
    fn describe(&self) -> String {
        format!("{:.0} ms wall, {:.0} ms CPU", ms(self.wall), ms(self.cpu))
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn measure(runs: usize, mut f: impl FnMut() -> usize) -> Measured {
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let mut last = 0;
    for _ in 0..runs {
        let (cpu_before, wall_before) = (cpu_time(), Instant::now());
        last = f();
        walls.push(wall_before.elapsed());
        cpus.push(cpu_time().saturating_sub(cpu_before));
    }
    walls.sort();
    cpus.sort();
    Measured {
        wall: walls[walls.len() / 2],
        cpu: cpus[cpus.len() / 2],
        last,
    }
}

/// User and system time of this process and its waited-for children
/// (the git processes), from `/proc/self/stat`; zero elsewhere.
fn cpu_time() -> Duration {
    let Ok(stat) = fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime, stime, cutime, cstime are fields 14-17 of the line, 12-15
    // after the name (field 2), counting the state (field 3) as the first.
    let ticks: u64 = fields
        .get(11..15)
        .map_or(0, |f| f.iter().filter_map(|t| t.parse::<u64>().ok()).sum());
    Duration::from_millis(ticks * 10)
}

fn set_ledger(config: &Path, enabled: bool) {
    if enabled {
        let _ = fs::remove_file(config);
    } else {
        fs::write(config, "[ledger]\nenabled = false\n").expect("write rapport.toml");
    }
}

fn ensure_site(root: &Path, site: &Path) {
    if site.join(".git").is_dir() {
        return;
    }
    let _ = fs::remove_dir_all(site);
    eprintln!("generating {} ...", site.display());
    let status = Command::new("python3")
        .current_dir(root)
        .arg("../shared/bench/gen-corpus")
        .arg(site)
        .args(["--items", "10000"])
        .status()
        .expect("python3 runs");
    assert!(status.success(), "gen-corpus failed");
    git(site, &["init", "--quiet"], None);
    git(site, &["add", "-A"], None);
    git(
        site,
        &["commit", "--quiet", "-m", "base"],
        Some("2026-01-01T10:00:00+00:00"),
    );
    let folder = site.join("content/commitments");
    for round in 1..=5 {
        for entry in fs::read_dir(&folder).expect("the commitments folder") {
            let path = entry.expect("an entry").path();
            let text = fs::read_to_string(&path).expect("a commitment");
            let changed: Vec<String> = text
                .lines()
                .map(|line| match (round, line) {
                    (2, l) if l.starts_with("due: ") && l.len() == 15 => format!("{}28", &l[..13]),
                    (r, l) if r != 2 && l.starts_with("title: \"") && l.ends_with('"') => {
                        format!("{} r{r}\"", &l[..l.len() - 1])
                    }
                    (_, l) => l.to_string(),
                })
                .collect();
            fs::write(&path, changed.join("\n") + "\n").expect("write a commitment");
        }
        let date = format!("2026-0{}-01T10:00:00+00:00", round + 1);
        git(
            site,
            &["commit", "--quiet", "-am", &format!("touch {round}")],
            Some(&date),
        );
    }
}

fn git(dir: &Path, args: &[&str], date: Option<&str>) {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["-c", "user.name=Bench", "-c", "user.email=bench@example.com"])
        .args(["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"])
        .args(args);
    if let Some(date) = date {
        command.env("GIT_AUTHOR_DATE", date).env("GIT_COMMITTER_DATE", date);
    }
    let status = command.status().expect("git runs");
    assert!(status.success(), "git {args:?} failed");
}
