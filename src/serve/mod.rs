//! `rapport serve` (in progress).
use std::process::ExitCode;
use crate::cli::ServeArgs;
pub fn run(_args: &ServeArgs) -> anyhow::Result<ExitCode> { anyhow::bail!("serve is being built") }
