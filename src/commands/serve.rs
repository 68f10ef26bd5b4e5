//! `rapport serve`: the dev server's command line side. It starts the
//! watcher and the server ([`crate::serve`]), builds the site in memory
//! ([`crate::live`]), and prints what each rebuild did.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::ServeArgs;
use crate::commands::options;
use crate::console;
use crate::diagnostic::{Diagnostics, Format};
use crate::live::{LiveSite, Rebuild};
use crate::serve::watch::SiteWatcher;
use crate::serve::{Server, watch_loop};

/// Runs `rapport serve` until Ctrl-C.
pub(crate) fn serve(args: &ServeArgs) -> Result<ExitCode> {
    let mut options = options(&args.site);
    // Served pages live at the root of this server, whatever base_url says.
    options.base_url = Some("/".to_string());
    let root = args.site.root.as_path();
    // Watch before the first build, so that nothing saved while it runs is missed.
    let theme = crate::load::read_config(root).theme;
    let mut watcher = SiteWatcher::start(root, &theme, args.poll)?;
    // Listen first, so that a busy port is reported before a long build.
    let mut server = Server::start(&args.bind, args.port)?;
    // Ctrl-C ends the process at once; the private socket goes with it.
    let upstream = server.upstream();
    ctrlc::set_handler(move || {
        upstream.remove();
        eprintln!("\nstopped");
        std::process::exit(0);
    })
    .context("failed to install the Ctrl-C handler")?;
    if !server.address.ip().is_loopback() {
        let drafts = if args.site.drafts { " (drafts included)" } else { "" };
        eprintln!(
            "warning: listening on {}: the site{drafts} is now visible to every machine that can reach this one; \
             open it by IP address (host names other than localhost are refused, against DNS rebinding); \
             leave out --bind to keep it private",
            server.address
        );
    }
    let (mut live, first) = LiveSite::open(root, options)?;
    report(&first);
    server.publish(&live, &first, true);
    let url = server.local_url();
    eprintln!("serving {} at {url} (Ctrl-C to stop)", root.display());
    if args.open {
        open_browser(&url);
    }
    watcher.set_theme(live.theme());
    let timings = args.timings;
    watch_loop(&mut watcher, &mut live, &mut server, &mut |batch, rebuild, later| {
        report_change(batch, rebuild, later);
        if timings && !rebuild.timings.stages.is_empty() {
            let mut stages = rebuild.timings.clone();
            stages
                .stages
                .extend(later.iter().flat_map(|l| l.timings.stages.iter().cloned()));
            eprint!("{}", stages.report());
        }
    });
    Ok(ExitCode::SUCCESS)
}

fn report(rebuild: &Rebuild) {
    eprint!(
        "{}",
        rebuild.diagnostics.render(Format::Human, console::colour_enabled())
    );
    eprintln!(
        "built {} pages in {} ms: {}, {}",
        rebuild.rendered,
        rebuild.elapsed.as_millis(),
        console::count(rebuild.diagnostics.error_count(), "error"),
        console::count(rebuild.diagnostics.warning_count(), "warning")
    );
}

/// One line per rebuild. `later` is what a fast rebuild made after its
/// reload event (the data files and the search index), timed apart: the
/// first time is how long an author waits to see the page.
fn report_change(batch: &BTreeSet<String>, rebuild: &Rebuild, later: Option<&Rebuild>) {
    let shown: Vec<&str> = batch.iter().take(3).map(String::as_str).collect();
    let more = if batch.len() > 3 {
        format!(" and {} more", batch.len() - 3)
    } else {
        String::new()
    };
    let errors: Diagnostics = rebuild.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
    if !errors.is_empty() {
        eprint!("{}", errors.render(Format::Human, console::colour_enabled()));
        eprintln!(
            "{}{more} changed: {}; still serving the last good site",
            shown.join(", "),
            console::count(errors.len(), "error")
        );
        return;
    }
    let after = match later {
        Some(later) => format!(
            "; data and search index {} ms later ({} files changed)",
            later.elapsed.as_millis(),
            later.changed.len()
        ),
        None => String::new(),
    };
    eprintln!(
        "{}{more} changed: rebuilt {} pages in {} ms ({} files changed){after}",
        shown.join(", "),
        rebuild.rendered,
        rebuild.elapsed.as_millis(),
        rebuild.changed.len()
    );
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("could not start `{opener}`; open {url} yourself");
    }
}
