//! `rapport scores` (in progress).
use std::process::ExitCode;
use crate::cli::ScoresArgs;
pub fn run(_args: &ScoresArgs) -> anyhow::Result<ExitCode> { anyhow::bail!("scores is being built") }
