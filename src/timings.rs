//! How long each stage of a build took, for `rapport build --timings` and
//! the benchmarks: load, parse, validate, score, bodies, views, pages, data,
//! search, write; and, where the system says, the peak memory after each
//! stage (the stage that raises it is the one to look at).

use std::time::{Duration, Instant};

/// How long each stage of a build took, for `rapport build --timings`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timings {
    /// Stage name and time, in the order the stages ran.
    pub stages: Vec<(&'static str, Duration)>,
    /// The peak memory so far (MB) right after each stage, by stage name.
    pub(crate) peaks: Vec<(&'static str, f64)>,
}

impl Timings {
    /// Runs `run` and records how long it took as `stage`.
    pub(crate) fn time<T>(&mut self, stage: &'static str, run: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let out = run();
        self.push(stage, started.elapsed());
        out
    }

    /// Records a stage timed elsewhere.
    pub(crate) fn push(&mut self, stage: &'static str, took: Duration) {
        self.stages.push((stage, took));
        self.note_peak(stage);
    }

    /// Records the time since `lap` as `stage` and restarts `lap`, without
    /// asking the system for the peak memory: for the dev server's fast
    /// path, whose stages take microseconds.
    pub(crate) fn lap(&mut self, stage: &'static str, lap: &mut Instant) {
        let now = Instant::now();
        self.stages.push((stage, now - *lap));
        *lap = now;
    }

    /// Records a stage that ran before every stage recorded so far.
    /// (No peak for it: the peak now is that of the stages after it.)
    pub(crate) fn push_front(&mut self, stage: &'static str, took: Duration) {
        self.stages.insert(0, (stage, took));
    }

    fn note_peak(&mut self, stage: &'static str) {
        if let Some(peak) = peak_memory_mb() {
            self.peaks.push((stage, peak));
        }
    }

    /// Adds the stages of `other` after this one's.
    pub(crate) fn extend(&mut self, other: &Timings) {
        self.stages.extend(other.stages.iter().cloned());
        self.peaks.extend(other.peaks.iter().cloned());
    }

    /// One line per stage: name, milliseconds, share of the total, and the
    /// peak memory so far when it is known.
    pub(crate) fn report(&self) -> String {
        let total: Duration = self.stages.iter().map(|(_, d)| *d).sum();
        let mut out = String::new();
        for (stage, took) in &self.stages {
            let share = if total.is_zero() {
                0.0
            } else {
                100.0 * took.as_secs_f64() / total.as_secs_f64()
            };
            let peak = self
                .peaks
                .iter()
                .find(|(name, _)| name == stage)
                .map(|(_, mb)| format!("  peak so far {mb:>6.0} MB"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {stage:<14} {:>8.2} ms {share:>5.1}%{peak}\n",
                took.as_secs_f64() * 1000.0
            ));
        }
        out.push_str(&format!("  {:<14} {:>8.2} ms\n", "total", total.as_secs_f64() * 1000.0));
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
