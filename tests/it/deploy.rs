//! Publishing under a sub-path behind a real nginx (Debian's `nginx`,
//! started by the test on a loopback port): every internal link of the
//! built site must answer, none may 404. nginx is stopped the way it wants
//! (SIGQUIT to its master, which stops its workers), and the test checks
//! that no process of it is left.

use std::collections::{BTreeSet, VecDeque};
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::serve::request;
use crate::support::SiteTest;

const NGINX: &str = "/usr/sbin/nginx";

/// A private nginx serving one folder under a sub-path.
struct Nginx {
    child: Child,
    port: u16,
    /// The folder of its configuration, which its master's command line names.
    dir: PathBuf,
    stopped: bool,
}

impl Nginx {
    fn start(dir: &Path, site: &Path, sub_path: &str, port: u16) -> Nginx {
        let conf = dir.join("nginx.conf");
        let temp = dir.join("nginx-temp");
        fs::create_dir_all(&temp).expect("nginx temp");
        let text = format!(
            r#"daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        # The README's configuration for a site under a sub-path.
        location {sub_path} {{
            alias {site}/;
            index index.html;
            try_files $uri $uri/ =404;
            error_page 404 {sub_path}404.html;
        }}
    }}
}}
"#,
            dir = dir.display(),
            temp = temp.display(),
            site = site.display(),
        );
        fs::write(&conf, text).expect("nginx.conf");
        let child = Command::new(NGINX)
            .args(["-c"])
            .arg(&conf)
            .args(["-p"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not start: {}",
                fs::read_to_string(dir.join("nginx-error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Nginx {
            child,
            port,
            dir: dir.to_path_buf(),
            stopped: false,
        }
    }

    /// The master's worker processes.
    fn workers(&self) -> Vec<u32> {
        children_of(self.child.id())
    }

    /// Stops nginx gracefully: SIGQUIT to the master, which waits for its
    /// workers; SIGKILL only if it has not stopped in 10 seconds. Returns the
    /// processes still running afterwards: `workers` that were seen before,
    /// and anything whose command line names this nginx's folder.
    fn stop(&mut self, workers: &[u32]) -> Vec<String> {
        if !self.stopped {
            self.stopped = true;
            if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
                // SAFETY: signals our own child, not yet waited for, so the
                // pid is still the master's.
                unsafe {
                    libc::kill(pid, libc::SIGQUIT);
                }
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline && !matches!(self.child.try_wait(), Ok(Some(_))) {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let mut left: Vec<String> = workers
            .iter()
            .filter_map(|&pid| {
                let cmdline = cmdline_of(pid)?;
                cmdline.contains("nginx").then(|| format!("{pid}: {cmdline}"))
            })
            .collect();
        let needle = self.dir.to_string_lossy().into_owned();
        left.extend(
            all_processes()
                .into_iter()
                .filter_map(|pid| cmdline_of(pid).map(|c| (pid, c)))
                .filter(|(_, cmdline)| cmdline.contains(&needle))
                .map(|(pid, cmdline)| format!("{pid}: {cmdline}")),
        );
        left
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let workers = self.workers();
        self.stop(&workers);
    }
}

fn all_processes() -> Vec<u32> {
    fs::read_dir("/proc")
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// A running (not zombie) process's command line, arguments joined by spaces.
fn cmdline_of(pid: u32) -> Option<String> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let state = stat.rsplit_once(')')?.1.split_whitespace().next()?;
    if state == "Z" || state == "X" {
        return None;
    }
    let raw = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    Some(String::from_utf8_lossy(&raw).replace('\0', " ").trim().to_string())
}

fn children_of(parent: u32) -> Vec<u32> {
    all_processes()
        .into_iter()
        .filter(|&pid| {
            fs::read_to_string(format!("/proc/{pid}/stat")).ok().and_then(|stat| {
                let rest = stat.rsplit_once(')')?.1.to_string();
                rest.split_whitespace().nth(1)?.parse::<u32>().ok()
            }) == Some(parent)
        })
        .collect()
}

fn nginx_available(test: &str) -> bool {
    if Path::new(NGINX).exists() {
        return true;
    }
    if std::env::var("RAPPORT_REQUIRE_NGINX").is_ok_and(|v| v == "1") {
        panic!("{test}: RAPPORT_REQUIRE_NGINX=1 but {NGINX} is not installed (apt-get install nginx)");
    }
    eprintln!("skipping {test}: {NGINX} is not installed (apt-get install nginx)");
    false
}

/// Every `href="..."` and `src="..."` value in an HTML page.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&"));
                rest = &rest[end..];
            }
        }
    }
    out
}

#[test]
fn nginx_serves_a_sub_path_build_with_no_broken_internal_link() {
    if !nginx_available("nginx_serves_a_sub_path_build_with_no_broken_internal_link") {
        return;
    }
    let port = TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let base = format!("http://127.0.0.1:{port}/alignment/");
    let site = SiteTest::new("good").build_with(&["--base-url", &base]).assert_exit(0);
    let mut nginx = Nginx::start(site.dir(), site.out(), "/alignment/", port);
    let workers = nginx.workers();
    assert!(!workers.is_empty(), "nginx started a worker process");

    let mut queue = VecDeque::from(["/alignment/".to_string()]);
    let mut seen = BTreeSet::new();
    let mut broken = Vec::new();
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let response = request(nginx.port, "GET", &path, &[]);
        if response.status != 200 {
            broken.push(format!("{path}: {}", response.status));
            continue;
        }
        let is_html = response
            .header("Content-Type")
            .is_some_and(|t| t.starts_with("text/html"));
        if !is_html {
            continue;
        }
        for link in links(&response.body) {
            let link = link
                .strip_prefix(&format!("http://127.0.0.1:{port}"))
                .unwrap_or(&link)
                .to_string();
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
                || link.starts_with('#')
            {
                continue;
            }
            assert!(
                link.starts_with("/alignment/"),
                "{path} links outside the sub-path: {link}"
            );
            let target = link.split('#').next().unwrap_or(&link).to_string();
            if !seen.contains(&target) {
                queue.push_back(target);
            }
        }
    }
    assert!(broken.is_empty(), "broken internal links: {broken:#?}");
    assert!(
        seen.len() >= 25,
        "the crawl reached only {} pages: {seen:?}",
        seen.len()
    );
    for page in [
        "/alignment/glossary/mql/",
        "/alignment/teams/sales/",
        "/alignment/style.css",
    ] {
        assert!(seen.contains(page), "the crawl never reached {page}");
    }
    assert_eq!(request(nginx.port, "GET", "/alignment/sitemap.xml", &[]).status, 200);
    // The theme's 404 page answers for unknown paths, with its links intact.
    let missing = request(nginx.port, "GET", "/alignment/no/such/page/", &[]);
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Page not found"));

    // Every process the test started is gone, workers included.
    let left = nginx.stop(&workers);
    assert!(left.is_empty(), "nginx processes left running: {left:#?}");
}
