//! `rapport serve`: build, serve on localhost, watch, rebuild, reload.
//!
//! One thread waits for file changes and rebuilds ([`crate::live`]); the
//! [`guard`] accepts connections and hands tiny_http only requests whose
//! head fits in 8 KB; a pool of worker threads answers them from the last
//! good snapshot ([`store`], [`http`]) when their `Host` names this server;
//! live-reload streams are held by the [`reload`] hub, which is told after
//! each rebuild has been published. Nothing is written to disk but the
//! private socket between the guard and tiny_http: the site is served from
//! memory.

pub(crate) mod guard;
pub(crate) mod http;
pub(crate) mod reload;
pub(crate) mod store;
pub mod watch;

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};

use crate::live::{LiveSite, Rebuild, url_of_output};
use crate::serve::guard::Upstream;
use crate::serve::http::Hosts;
use crate::serve::reload::{ReloadEvent, ReloadHub};
use crate::serve::store::{Entry, Snapshot, Status, Store};
use crate::serve::watch::SiteWatcher;

/// Threads answering requests; event streams do not hold one.
const WORKERS: usize = 16;

/// A running dev server, for `run` and for tests.
pub(crate) struct Server {
    pub address: SocketAddr,
    pub store: Arc<Store>,
    pub hub: Arc<ReloadHub>,
    upstream: Arc<Upstream>,
    instance: String,
    version: u64,
}

impl Server {
    /// Binds `bind:port` (port 0 picks a free one) and starts the guard and
    /// the workers.
    pub(crate) fn start(bind: &str, port: u16) -> Result<Server> {
        // `localhost` is the loopback address, never a name to resolve.
        let ip = if bind.eq_ignore_ascii_case("localhost") {
            "127.0.0.1"
        } else {
            bind
        };
        let ip: IpAddr = ip
            .parse()
            .with_context(|| format!("`{bind}` is not an IP address to bind; use 127.0.0.1"))?;
        let address = SocketAddr::new(ip, port);
        let listener = match TcpListener::bind(address) {
            Ok(listener) => listener,
            Err(err) if err.kind() == ErrorKind::AddrInUse => bail!(
                "port {port} on {bind} is already in use; pick another with `--port {}`, or `--port 0` for any free port",
                port.wrapping_add(1).max(1)
            ),
            Err(err) => bail!("cannot listen on {address}: {err}"),
        };
        let address = listener
            .local_addr()
            .context("the server is not listening on an IP address")?;
        let (upstream, inner) = Upstream::open()?;
        let upstream = Arc::new(upstream);
        let http = match tiny_http::Server::from_listener(inner, None) {
            Ok(server) => Arc::new(server),
            Err(err) => {
                upstream.remove();
                return Err(anyhow!("failed to start the HTTP server: {err}"));
            }
        };
        let store = Arc::new(Store::new());
        let hub = Arc::new(ReloadHub::new());
        let hosts = Arc::new(Hosts::new(address));
        for _ in 0..WORKERS {
            let (http, store, hub, hosts) = (http.clone(), store.clone(), hub.clone(), hosts.clone());
            std::thread::spawn(move || {
                while let Ok(request) = http.recv() {
                    http::handle(request, &store, &hub, &hosts);
                }
            });
        }
        let stop = Arc::new(AtomicBool::new(false));
        {
            let (upstream, stop) = (upstream.clone(), stop.clone());
            std::thread::spawn(move || guard::accept_loop(listener, upstream, stop));
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
            upstream,
            instance,
            version: 0,
        })
    }

    /// The address to open in a browser: the bound one, or loopback when
    /// bound to every address.
    pub(crate) fn local_url(&self) -> String {
        let ip = match self.address.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}/", SocketAddr::new(ip, self.address.port()))
    }

    /// Publishes a rebuild: a good one replaces the snapshot and tells the
    /// pages what changed; a failed one keeps the snapshot and sends the
    /// errors to the overlay.
    ///
    /// When the rebuild left the data files and the search index for
    /// later ([`LiveSite::has_deferred`]), requests for those wait until
    /// [`Server::publish_deferred`] has served them.
    pub(crate) fn publish(&mut self, live: &LiveSite, rebuild: &Rebuild, first: bool) {
        self.version += 1;
        let version = format!("{}-{}", self.instance, self.version);
        let errors: Vec<_> = rebuild.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
        if live.has_deferred() {
            self.store.set_behind(true);
        }
        if first {
            let files = live
                .outputs()
                .iter()
                .map(|(path, bytes)| (Arc::from(path.as_str()), Arc::new(Entry::new(bytes.clone()))))
                .collect();
            self.store.publish(Snapshot { files });
        } else {
            self.publish_changes(live, rebuild);
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

    /// Serves the files a fast rebuild made after its reload event (no
    /// page shows them, so no event goes out) and lets the requests
    /// waiting for them through.
    pub(crate) fn publish_deferred(&mut self, live: &LiveSite, later: &Rebuild) {
        self.publish_changes(live, later);
        self.store.set_behind(false);
    }

    /// The snapshot follows the live outputs, which move on a good
    /// rebuild, or on any rebuild while none has succeeded yet. Only the
    /// changed files get new entries (and new ETags).
    fn publish_changes(&mut self, live: &LiveSite, rebuild: &Rebuild) {
        if rebuild.changed.is_empty() {
            return;
        }
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

    /// What must be removed when the process ends: the private socket.
    pub(crate) fn upstream(&self) -> Arc<Upstream> {
        self.upstream.clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.upstream.remove();
    }
}

/// What [`watch_loop`] tells of each batch: the changed paths, the rebuild
/// of the pages, and what a fast rebuild made after their reload event.
pub(crate) type Report<'r> = dyn FnMut(&BTreeSet<String>, &Rebuild, Option<&Rebuild>) + 'r;

/// Rebuilds on every batch of changes until the watcher stops, telling
/// `report` what changed and what the rebuild gave: the pages first, with
/// their reload event, then what a fast rebuild left for after it.
pub(crate) fn watch_loop(watcher: &mut SiteWatcher, live: &mut LiveSite, server: &mut Server, report: &mut Report<'_>) {
    while let Some(batch) = watcher.next_batch() {
        let rebuild = live.apply_before_reload(&batch);
        watcher.set_theme(live.theme());
        server.publish(live, &rebuild, false);
        slow_deferred_for_tests();
        let later = live.apply_deferred();
        if let Some(later) = &later {
            server.publish_deferred(live, later);
        }
        report(&batch, &rebuild, later.as_ref());
    }
}

/// For tests only: `RAPPORT_SLOW_DEFERRED_MS=<ms>` waits that long before
/// making what a fast rebuild left for after its reload event, so a test
/// can ask for those files while they are behind. Read nowhere else.
fn slow_deferred_for_tests() {
    let wait = std::env::var("RAPPORT_SLOW_DEFERRED_MS").ok();
    if let Some(ms) = wait.and_then(|ms| ms.parse().ok()) {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}
