//! How long the Rhai hooks take on a 10,000-item site, and what share of
//! the whole build that is.
//!
//! Run from the project root with `cargo bench --bench scripting`. The site
//! is generated once into `target/bench-site` by
//! `python3 ../shared/bench/gen-corpus target/bench-site --items 10000`; it
//! has no `scripts/` folder, so the built-in scripts (the repository's
//! `scripts/`) run. Each figure is the median of several runs; the target
//! for "all hooks over all items" is at most 100 ms on a 2-core machine.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rapport::date::Date;
use rapport::script::engine::{EngineOptions, Limits, Scripts};
use rapport::script::hooks::{self, Inputs};
use rapport::script::sources;
use rapport::{BuildOptions, Site};

/// Runs of each measurement; the median is reported.
const RUNS: usize = 7;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let site_dir = root.join("target/bench-site");
    ensure_site(&root, &site_dir);
    let mut options = BuildOptions::new(Date::parse("2026-06-15").expect("a date"));
    options.today = Some(Date::parse("2026-06-15").expect("a date"));
    let threads = rayon::current_num_threads();

    // A build as `Build::of` runs it, timed stage by stage, so the scoring
    // figure and the whole build come from the same runs.
    let mut builds = Vec::new();
    let mut scorings = Vec::new();
    let mut diagnostics = 0;
    for run in 0..=RUNS {
        let started = Instant::now();
        let site = Site::load(&site_dir, &options).expect("the bench site loads");
        let built = rapport::Build::of(site);
        let build = started.elapsed();
        assert!(built.page_count() > 10_000, "only {} pages", built.page_count());
        let scoring = built
            .timings
            .stages
            .iter()
            .find(|(stage, _)| *stage == "score")
            .map_or(Duration::ZERO, |(_, took)| *took);
        diagnostics = built.scored.diagnostics.len();
        // The first run warms the caches and the thread pools.
        if run > 0 {
            builds.push(build);
            scorings.push(scoring);
        }
    }
    let build = median_of(builds);
    let all = median_of(scorings);

    let site = Site::load(&site_dir, &options).expect("the bench site loads");
    let scripts = sources::site_scripts(&site);
    let (commitments, stories, teams) = (
        site.content.commitments.len(),
        site.content.stories.len(),
        site.content.teams.len(),
    );

    // Its parts.
    let mut converts = Vec::new();
    for _ in 0..=RUNS {
        let started = Instant::now();
        let inputs = Inputs::new(&site.content, site.today);
        converts.push(started.elapsed());
        inputs.drop_in_parallel();
    }
    let convert = median_of(converts);
    let inputs = Inputs::new(&site.content, site.today);
    let engine_options = EngineOptions {
        today: site.today,
        limits: inputs.fit(Limits::new(site.config.scripts.max_operations)),
    };
    let compile = median(|| {
        let (compiled, _) = Scripts::compile(&scripts, &engine_options);
        assert!(compiled.is_some());
    });
    let (compiled, _) = Scripts::compile(&scripts, &engine_options);
    let compiled = compiled.expect("the built-in scripts compile");
    let mut calls = 0;
    let mut hook_runs = Vec::new();
    for _ in 0..=RUNS {
        // A fresh snapshot, as in a build: items cache the fields read.
        let inputs = Inputs::new(&site.content, site.today);
        let started = Instant::now();
        let (book, _) = hooks::run(&compiled, &inputs);
        hook_runs.push(started.elapsed());
        let months: usize = book.happiness.values().map(Vec::len).sum();
        calls = book.commitments.len() + book.stories.len() + book.teams.len() + months + site.content.len();
        inputs.drop_in_parallel();
    }
    let hooks_only = median_of(hook_runs);

    println!(
        "rapport scripting benchmark: {} items ({teams} teams, {commitments} commitments, {stories} stories), {threads} threads, median of {RUNS} runs",
        site.content.len()
    );
    println!("  whole build (load + score + render):  {:>8.1} ms", ms(build));
    // The parts below are measured apart from the builds, on a fresh
    // snapshot each time, so they need not add up exactly.
    println!(
        "  all hooks over all items:             {:>8.1} ms  ({:.1}% of the build; target <= 100 ms)",
        ms(all),
        100.0 * all.as_secs_f64() / build.as_secs_f64()
    );
    println!("    snapshot the items for scripts:     {:>8.1} ms", ms(convert));
    println!("    compile the scripts:                {:>8.1} ms", ms(compile));
    println!(
        "    call the hooks ({calls} calls):     {:>8.1} ms  ({:.1} µs per call)",
        ms(hooks_only),
        hooks_only.as_secs_f64() * 1e6 / calls.max(1) as f64
    );
    println!("  script diagnostics (lint warnings):   {diagnostics:>8}");
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

/// The median duration of `RUNS` runs of `f`, after one warm-up run.
fn median(mut f: impl FnMut()) -> Duration {
    f();
    median_of(
        (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed()
            })
            .collect(),
    )
}

fn median_of(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
