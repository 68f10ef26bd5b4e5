//! `rapport serve`: build, serve on localhost, watch, rebuild, reload.
//!
//! One thread waits for file changes and rebuilds ([`crate::live`]); a pool
//! of worker threads answers HTTP requests from the last good snapshot
//! ([`store`], [`http`]); live-reload streams are held by the [`reload`] hub,
//! which is told after each rebuild has been published. Nothing is written
//! to disk: the site is served from memory.

pub mod http;
pub mod reload;
pub mod store;
pub mod watch;

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

use crate::cli::ServeArgs;
use crate::commands;
use crate::console;
use crate::diagnostic::{Diagnostics, Format};
use crate::live::{LiveSite, Rebuild, url_of_output};
use crate::serve::reload::{ReloadEvent, ReloadHub};
use crate::serve::store::{Entry, Snapshot, Status, Store};
use crate::serve::watch::SiteWatcher;

/// Threads answering requests; event streams do not hold one.
const WORKERS: usize = 16;

/// A running dev server, for `run` and for tests.
pub struct Server {
    pub address: SocketAddr,
    pub store: Arc<Store>,
    pub hub: Arc<ReloadHub>,
    http: Arc<tiny_http::Server>,
    instance: String,
    version: u64,
}

impl Server {
    /// Binds `bind:port` (port 0 picks a free one) and starts the workers.
    pub fn start(bind: &str, port: u16) -> Result<Server> {
        // `localhost` is the loopback address, never a name to resolve.
        let ip = if bind.eq_ignore_ascii_case("localhost") {
            "127.0.0.1"
        } else {
            bind
        };
        let address: SocketAddr = format!("{ip}:{port}")
            .parse()
            .with_context(|| format!("`{bind}` is not an IP address to bind; use 127.0.0.1"))?;
        let http = match tiny_http::Server::http(address) {
            Ok(server) => Arc::new(server),
            Err(err) => {
                let in_use = err
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == ErrorKind::AddrInUse);
                if in_use {
                    bail!(
                        "port {port} on {bind} is already in use; pick another with `--port {}`, or `--port 0` for any free port",
                        port.wrapping_add(1).max(1)
                    );
                }
                bail!("cannot listen on {address}: {err}");
            }
        };
        let address = http
            .server_addr()
            .to_ip()
            .context("the server is not listening on an IP address")?;
        let store = Arc::new(Store::new());
        let hub = Arc::new(ReloadHub::new());
        for _ in 0..WORKERS {
            let (http, store, hub) = (http.clone(), store.clone(), hub.clone());
            std::thread::spawn(move || {
                while let Ok(request) = http.recv() {
                    http::handle(request, &store, &hub);
                }
            });
        }
        let beat = hub.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(10));
                beat.heartbeat();
            }
        });
        let instance = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| format!("{:x}", d.as_nanos()))
            .unwrap_or_default();
        Ok(Server {
            address,
            store,
            hub,
            http,
            instance,
            version: 0,
        })
    }

    /// Publishes a rebuild: a good one replaces the snapshot and tells the
    /// pages what changed; a failed one keeps the snapshot and sends the
    /// errors to the overlay.
    pub fn publish(&mut self, live: &LiveSite, rebuild: &Rebuild, first: bool) {
        self.version += 1;
        let version = format!("{}-{}", self.instance, self.version);
        let errors: Vec<_> = rebuild.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
        if first {
            let files = live
                .outputs()
                .iter()
                .map(|(path, bytes)| (Arc::from(path.as_str()), Arc::new(Entry::new(bytes.clone()))))
                .collect();
            self.store.publish(Snapshot { files });
        } else if !rebuild.changed.is_empty() {
            // The snapshot follows the live outputs, which move on a good
            // rebuild, or on any rebuild while none has succeeded yet. Only
            // the changed files get new entries (and new ETags).
            let mut files = self.store.snapshot().files.clone();
            for path in &rebuild.changed {
                match live.outputs().get(path) {
                    Some(bytes) => {
                        files.insert(Arc::from(path.as_str()), Arc::new(Entry::new(bytes.clone())));
                    }
                    None => {
                        files.remove(path.as_str());
                    }
                }
            }
            self.store.publish(Snapshot { files });
        }
        self.store.set_status(Status {
            version: version.clone(),
            errors: errors.clone(),
        });
        if first {
            return;
        }
        if !errors.is_empty() {
            let event = ReloadEvent {
                version: &version,
                changed: Vec::new(),
                all: false,
                css_only: false,
                errors: &errors,
            };
            self.hub
                .broadcast("errors", &serde_json::to_string(&event).unwrap_or_default());
            return;
        }
        let css_only = !rebuild.changed.is_empty() && rebuild.changed.iter().all(|p| p.ends_with(".css"));
        let all = rebuild.changed.len() > 500;
        let event = ReloadEvent {
            version: &version,
            changed: if all {
                Vec::new()
            } else {
                rebuild.changed.iter().map(|p| url_of_output(p)).collect()
            },
            all,
            css_only,
            errors: &[],
        };
        self.hub
            .broadcast("reload", &serde_json::to_string(&event).unwrap_or_default());
    }

    /// Stops accepting requests.
    pub fn stop(&self) {
        for _ in 0..WORKERS {
            self.http.unblock();
        }
    }
}

/// Runs `rapport serve` until Ctrl-C.
pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    let mut options = commands::options(&args.site);
    // Served pages live at the root of this server, whatever base_url says.
    options.base_url = Some("/".to_string());
    let root = args.site.root.as_path();
    // Watch before the first build, so that nothing saved while it runs is missed.
    let theme = crate::load::read_config(root).theme;
    let mut watcher = SiteWatcher::start(root, &theme, args.poll)?;
    // Listen first, so that a busy port is reported before a long build.
    let mut server = Server::start(&args.bind, args.port)?;
    let (mut live, first) = LiveSite::open(root, options)?;
    report(&first);
    server.publish(&live, &first, true);
    let url = format!("http://{}/", server.address);
    eprintln!("serving {} at {url} (Ctrl-C to stop)", root.display());
    if !is_loopback(&args.bind) {
        eprintln!("warning: listening on {}, which other machines can reach", args.bind);
    }
    if args.open {
        open_browser(&url);
    }
    ctrlc::set_handler(|| {
        eprintln!("\nstopped");
        std::process::exit(0);
    })
    .context("failed to install the Ctrl-C handler")?;
    watcher.set_theme(live.theme());
    watch_loop(&mut watcher, &mut live, &mut server);
    Ok(ExitCode::SUCCESS)
}

/// Rebuilds on every batch of changes until the watcher stops.
pub fn watch_loop(watcher: &mut SiteWatcher, live: &mut LiveSite, server: &mut Server) {
    while let Some(batch) = watcher.next_batch() {
        let rebuild = live.apply(&batch);
        watcher.set_theme(live.theme());
        server.publish(live, &rebuild, false);
        report_change(&batch, &rebuild);
    }
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

fn report_change(batch: &BTreeSet<String>, rebuild: &Rebuild) {
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
    eprintln!(
        "{}{more} changed: rebuilt {} pages in {} ms ({} files changed)",
        shown.join(", "),
        rebuild.rendered,
        rebuild.elapsed.as_millis(),
        rebuild.changed.len()
    );
}

fn is_loopback(bind: &str) -> bool {
    bind.eq_ignore_ascii_case("localhost") || bind.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
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
