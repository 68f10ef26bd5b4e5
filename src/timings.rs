//! How long each stage of a build took, for `rapport build --timings` and
//! the benchmarks: load, parse, validate, score, bodies, views, pages, data,
//! search, write.

use std::time::{Duration, Instant};

/// How long each stage of a build took, for `rapport build --timings`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timings {
    /// Stage name and time, in the order the stages ran.
    pub stages: Vec<(&'static str, Duration)>,
}

impl Timings {
    /// Runs `run` and records how long it took as `stage`.
    pub(crate) fn time<T>(&mut self, stage: &'static str, run: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let out = run();
        self.stages.push((stage, started.elapsed()));
        out
    }

    /// Records a stage timed elsewhere.
    pub(crate) fn push(&mut self, stage: &'static str, took: Duration) {
        self.stages.push((stage, took));
    }

    /// Adds the stages of `other` after this one's.
    pub(crate) fn extend(&mut self, other: &Timings) {
        self.stages.extend(other.stages.iter().cloned());
    }

    /// One line per stage: name, milliseconds, share of the total.
    pub(crate) fn report(&self) -> String {
        let total: Duration = self.stages.iter().map(|(_, d)| *d).sum();
        let mut out = String::new();
        for (stage, took) in &self.stages {
            let share = if total.is_zero() {
                0.0
            } else {
                100.0 * took.as_secs_f64() / total.as_secs_f64()
            };
            out.push_str(&format!(
                "  {stage:<14} {:>8.1} ms {share:>5.1}%\n",
                took.as_secs_f64() * 1000.0
            ));
        }
        out.push_str(&format!("  {:<14} {:>8.1} ms\n", "total", total.as_secs_f64() * 1000.0));
        if let Some(peak) = peak_memory_mb() {
            out.push_str(&format!("  {:<14} {peak:>8.0} MB\n", "peak memory"));
        }
        out
    }
}

/// The most memory the process has held so far (its peak resident set),
/// where the system says (Linux).
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
