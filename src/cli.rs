//! The command line, as clap derive types. `main.rs` parses it and hands
//! the result to [`crate::commands`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::date::Date;
use crate::diagnostic::Format;
use crate::scaffold::NewKind;

/// rapport builds an internal alignment site (shared glossary, success
/// stories, commitment records) from Markdown with YAML front matter.
#[derive(Debug, Parser)]
#[command(name = "rapport", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into an output folder (replaced atomically).
    Build(BuildArgs),
    /// Load, validate and render in memory; write nothing; report every problem.
    Check(CheckArgs),
    /// Build, serve on localhost and rebuild with live reload on every change.
    Serve(ServeArgs),
    /// Write a complete example site into an empty or new folder.
    Init(InitArgs),
    /// Create a new content file with a front-matter skeleton that passes `check`.
    New(NewArgs),
    /// Print team scores, the happiness index and the lowest-scoring commitments.
    Scores(ScoresArgs),
}

/// Options every command that reads a site takes.
#[derive(Debug, Clone, Args)]
pub struct SiteArgs {
    /// The site's root folder.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Include items marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Pin "today" (YYYY-MM-DD) for a reproducible build; overrides `today` in rapport.toml.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<Date>,
    /// Override `base_url` of rapport.toml, such as `https://intranet.example.com/alignment/`.
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    pub base_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// The output folder, relative to the current folder.
    #[arg(long, default_value = "public", value_name = "DIR")]
    pub out: PathBuf,
    /// How to print problems.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print how long each stage took (load, parse, validate, score,
    /// links, bodies, views, term uses, gaps, plan, pages, data, search,
    /// assemble, publish) and the peak memory after each, to stderr.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// How to print problems: `human`, `json`, or `github` (Actions annotations).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print how long each stage took, and the peak memory after each, to
    /// stderr.
    #[arg(long)]
    pub timings: bool,
    /// Compare commitment records with this commit instead of `HEAD` (or
    /// `[ledger] base`): quiet changes since then are warnings.
    #[arg(long, value_name = "REF")]
    pub since: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Address to bind; keep the default to stay private to this machine.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Watch by polling, for network and WSL mounts where change events are unreliable.
    #[arg(long)]
    pub poll: bool,
    /// After each fast rebuild (only bodies changed), print how long each
    /// of its steps took (read, parse, bodies, rescore, diagnostics, views,
    /// plan, pages, data, finish), to stderr.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the site in (new or empty).
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// What to create.
    #[arg(value_enum)]
    pub kind: NewKind,
    /// Its title; the file name is made from it.
    pub title: String,
    /// The site's root folder.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// The date new stories and commitments start from (YYYY-MM-DD); overrides `today` in rapport.toml.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<Date>,
}

/// How `scores` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScoresFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct ScoresArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScoresFormat::Table)]
    pub format: ScoresFormat,
    /// Only this team (its slug).
    #[arg(long, value_name = "SLUG")]
    pub team: Option<String>,
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text)
}

fn parse_base_url(text: &str) -> Result<String, String> {
    crate::config::check_base_url(text).map(|()| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_build_flags() {
        let cli = Cli::try_parse_from([
            "rapport",
            "build",
            "--root",
            "site",
            "--out",
            "dist",
            "--drafts",
            "--today",
            "2026-03-01",
            "--base-url",
            "/a/",
        ])
        .unwrap();
        let Command::Build(args) = cli.command else { panic!() };
        assert_eq!(args.out, PathBuf::from("dist"));
        assert!(args.site.drafts);
        assert_eq!(args.site.today.unwrap().to_string(), "2026-03-01");
        assert!(Cli::try_parse_from(["rapport", "build", "--today", "yesterday"]).is_err());
    }
}
