//! What each command does, on top of the library: load, render, print the
//! report, write. Returns the process exit status: 0 clean (warnings
//! allowed), 1 when the site has errors, 2 for usage or internal failures
//! (those come back as `Err`).

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;

use crate::cli::{BuildArgs, CheckArgs, Cli, Command, InitArgs, NewArgs, SiteArgs};
use crate::console;
use crate::date::Date;
use crate::diagnostic::{Diagnostics, Format};
use crate::ledger::worktree::{self, BaseSource};
use crate::scaffold;
use crate::site::{BuildOptions, Site};
use crate::write;

/// Exit status for a site with errors.
pub const EXIT_SITE_ERRORS: u8 = 1;
/// Exit status for usage and internal failures.
pub const EXIT_FAILURE: u8 = 2;

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build(args) => build(&args),
        Command::Check(args) => check(&args),
        Command::Serve(args) => crate::serve::run(&args),
        Command::Init(args) => init(&args),
        Command::New(args) => new(&args),
        Command::Scores(args) => crate::script::report::run(&args),
    }
}

/// Build options from the flags, with today from the system clock.
pub fn options(args: &SiteArgs) -> BuildOptions {
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
    let build = site.render();
    print_diagnostics(&build.diagnostics, args.format);
    print_ledger_note(&site);
    let errors = build.diagnostics.error_count();
    let warnings = build.diagnostics.warning_count();
    let out = &args.out;
    if errors > 0 {
        eprintln!(
            "build failed: {}, {}; {} was left as it was ({} ms)",
            console::count(errors, "error"),
            console::count(warnings, "warning"),
            out.display(),
            started.elapsed().as_millis()
        );
        return Ok(ExitCode::from(EXIT_SITE_ERRORS));
    }
    write::write_site(&args.site.root, out, &build.rendered.files)?;
    eprintln!(
        "built {} pages ({} files) into {}: {}, {} in {} ms",
        build.rendered.pages,
        build.rendered.files.len(),
        out.display(),
        console::count(errors, "error"),
        console::count(warnings, "warning"),
        started.elapsed().as_millis()
    );
    Ok(ExitCode::SUCCESS)
}

fn check(args: &CheckArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let site = Site::load(&args.site.root, &options(&args.site))?;
    let mut build = site.render();
    let quiet = uncommitted_quiet_changes(&site, args.since.as_deref());
    if !quiet.is_empty() {
        build.diagnostics.extend(quiet);
        build.diagnostics.finish(&site.source_texts());
    }
    print_diagnostics(&build.diagnostics, args.format);
    print_ledger_note(&site);
    let errors = build.diagnostics.error_count();
    if args.format == Format::Human {
        eprintln!(
            "checked {} pages: {}, {} in {} ms",
            build.rendered.pages,
            console::count(errors, "error"),
            console::count(build.diagnostics.warning_count(), "warning"),
            started.elapsed().as_millis()
        );
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
fn uncommitted_quiet_changes(site: &Site, since: Option<&str>) -> Vec<crate::Diagnostic> {
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
    worktree::check(&site.sources.root, &base, source, &site.sources.content)
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
