//! What each command does, on top of the library: load, render, print the
//! report, write. Returns the process exit status: 0 clean (warnings
//! allowed), 1 when the site has errors, 2 for usage or internal failures
//! (those come back as `Err`).

mod scores;
mod serve;

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;

use crate::build::Build;
use crate::cli::{BuildArgs, CheckArgs, Cli, Command, InitArgs, NewArgs, SiteArgs};
use crate::console;
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Diagnostics, Format};
use crate::ledger::worktree::{self, BaseSource};
use crate::render::Pages;
use crate::scaffold;
use crate::site::{BuildOptions, Site};
use crate::write;

/// Exit status for a site with errors.
pub(crate) const EXIT_SITE_ERRORS: u8 = 1;
/// Exit status for usage and internal failures.
pub const EXIT_FAILURE: u8 = 2;

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build(args) => build(&args),
        Command::Check(args) => check(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Init(args) => init(&args),
        Command::New(args) => new(&args),
        Command::Scores(args) => scores::scores(&args),
    }
}

/// Build options from the flags, with today from the system clock.
pub(crate) fn options(args: &SiteArgs) -> BuildOptions {
    BuildOptions {
        drafts: args.drafts,
        today: args.today,
        base_url: args.base_url.clone(),
        system_today: Date::today_utc(),
    }
}

fn print_diagnostics(diagnostics: &Diagnostics, format: Format) {
    match format {
        Format::Human => eprint!("{}", diagnostics.render(Format::Human, console::colour_enabled())),
        other => print!("{}", diagnostics.render(other, false)),
    }
}

fn build(args: &BuildArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let site = Site::load(&args.site.root, &options(&args.site))?;
    let out = &args.out;
    // Pages go straight into the staging folder as they are rendered, from
    // every rendering thread; the folder is swapped in only if the build
    // has no error, and removed otherwise.
    let staged = write::StagedSite::create(&args.site.root, out)?;
    let write_page = |path: &str, html: &[u8]| {
        staged.write(path, html).map_err(|err| {
            Diagnostic::error(path, format!("{err:#}"))
                .hint("check that the output folder's disk has room and is writable")
        })
    };
    let build = Build::with(site, Pages::Hand(&write_page));
    let diagnostics = build.diagnostics();
    print_diagnostics(&diagnostics, args.format);
    print_ledger_note(&build.site);
    let errors = diagnostics.error_count();
    let warnings = diagnostics.warning_count();
    if errors > 0 {
        drop(staged);
        eprintln!(
            "build failed: {}, {}; {} was left as it was ({} ms)",
            console::count(errors, "error"),
            console::count(warnings, "warning"),
            out.display(),
            started.elapsed().as_millis()
        );
        return Ok(ExitCode::from(EXIT_SITE_ERRORS));
    }
    // Every file was handed to the staging folder as it was made.
    let writing = Instant::now();
    staged.publish()?;
    let wrote = writing.elapsed();
    eprintln!(
        "built {} pages ({} files) into {}: {}, {} in {} ms",
        build.page_count(),
        build.others_written + build.page_paths().len(),
        out.display(),
        console::count(errors, "error"),
        console::count(warnings, "warning"),
        started.elapsed().as_millis()
    );
    if args.timings {
        let mut timings = build.site.timings.clone();
        timings.extend(&build.timings);
        timings.push("publish", wrote);
        eprint!("{}", timings.report());
    }
    Ok(ExitCode::SUCCESS)
}

fn check(args: &CheckArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let site = Site::load(&args.site.root, &options(&args.site))?;
    let build = Build::with(site, Pages::Discard);
    let mut diagnostics = build.diagnostics();
    let quiet = uncommitted_quiet_changes(&build.site, args.since.as_deref());
    if !quiet.is_empty() {
        diagnostics.extend(quiet);
        diagnostics.finish(&build.site.source_texts());
    }
    print_diagnostics(&diagnostics, args.format);
    print_ledger_note(&build.site);
    let errors = diagnostics.error_count();
    if args.format == Format::Human {
        eprintln!(
            "checked {} pages: {}, {} in {} ms",
            build.page_count(),
            console::count(errors, "error"),
            console::count(diagnostics.warning_count(), "warning"),
            started.elapsed().as_millis()
        );
    }
    if args.timings {
        let mut timings = build.site.timings.clone();
        timings.extend(&build.timings);
        eprint!("{}", timings.report());
    }
    Ok(if errors > 0 {
        ExitCode::from(EXIT_SITE_ERRORS)
    } else {
        ExitCode::SUCCESS
    })
}

/// Says once, on stderr, when the promise ledger is off or partial.
fn print_ledger_note(site: &Site) {
    if let Some(note) = site.git.ledger.note() {
        eprintln!("note: {note}");
    }
}

/// The quiet changes in the working tree against `--since`, else
/// `[ledger] base`, else `HEAD` (nothing when the ledger is off).
fn uncommitted_quiet_changes(site: &Site, since: Option<&str>) -> Vec<Diagnostic> {
    if !site.git.ledger.is_on() {
        return Vec::new();
    }
    let config = &site.config.ledger;
    let (base, source) = match since {
        Some(since) => (since.to_string(), BaseSource::Flag),
        None if config.base != crate::config::LedgerConfig::default().base => {
            let text = site.sources.config_file.as_ref().map_or("", |f| &f.text);
            (
                config.base.clone(),
                BaseSource::Config(crate::config::find_key(text, "base")),
            )
        }
        None => (config.base.clone(), BaseSource::Default),
    };
    let files: Vec<(&str, &str)> = site
        .sources
        .content
        .iter()
        .map(|f| (f.path.as_str(), &*f.text))
        .collect();
    worktree::check(&site.sources.root, &base, source, &files)
}

fn init(args: &InitArgs) -> Result<ExitCode> {
    let written = scaffold::init(&args.dir)?;
    eprintln!(
        "wrote an example site of {} files into {}\nnext: cd {} && rapport serve",
        written,
        args.dir.display(),
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn new(args: &NewArgs) -> Result<ExitCode> {
    // Drafts count: a new file must not take a draft's slug either.
    let site_args = SiteArgs {
        root: args.root.clone(),
        drafts: true,
        today: args.today,
        base_url: None,
    };
    let site = Site::load(&args.root, &options(&site_args))?;
    let path = scaffold::new(&site, args.kind, &args.title)?;
    let shown = path.strip_prefix(&args.root).unwrap_or(Path::new(&path));
    eprintln!("created {}", shown.display());
    Ok(ExitCode::SUCCESS)
}
