//! `rapport scores`: team scores, the happiness index by month and the
//! lowest-scoring commitments, printed without building pages
//! ([`crate::script::report`] computes the report). Errors of the site and
//! of the scripts go to stderr and the report to stdout, so `--format json
//! | jq` works; lint warnings are only counted, since `rapport check` is
//! where they are read.

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::cli::{ScoresArgs, ScoresFormat};
use crate::commands::{EXIT_SITE_ERRORS, options};
use crate::console;
use crate::diagnostic::{Diagnostics, Format, did_you_mean};
use crate::script::report::report;
use crate::site::Site;

/// Runs `rapport scores`.
pub(crate) fn scores(args: &ScoresArgs) -> Result<ExitCode> {
    let site = Site::load(&args.site.root, &options(&args.site))?;
    if let Some(team) = &args.team
        && site.content.team(team).is_none()
    {
        let hint = did_you_mean(team, site.content.slugs(crate::model::Kind::Team))
            .unwrap_or_else(|| "`--team` takes a team's slug, the name of its file under `content/teams/`".to_string());
        bail!("unknown team `{team}`; {hint}");
    }
    let scored = crate::script::score_site(&site);
    let mut diagnostics: Diagnostics = site.diagnostics.iter().chain(&scored.diagnostics).cloned().collect();
    diagnostics.finish(&site.source_texts());
    let errors: Diagnostics = diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
    eprint!("{}", errors.render(Format::Human, console::colour_enabled()));
    let warnings = diagnostics.warning_count();
    if warnings > 0 {
        eprintln!("{}; `rapport check` shows them", console::count(warnings, "warning"));
    }
    let report = report(
        &site.content,
        &scored.scores,
        &site.today.to_string(),
        args.team.as_deref(),
    );
    match args.format {
        ScoresFormat::Table => print!("{}", report.table()),
        ScoresFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        ScoresFormat::Csv => print!("{}", report.csv()),
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_SITE_ERRORS)
    })
}
