//! Publishing under a sub-path behind a real nginx (Debian's `nginx`,
//! started by the test on a loopback port): every internal link of the
//! built site must answer, none may 404.

use std::collections::{BTreeSet, VecDeque};
use std::fs;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::serve::request;
use crate::support::SiteTest;

const NGINX: &str = "/usr/sbin/nginx";

/// A private nginx serving one folder under a sub-path.
struct Nginx {
    child: Child,
    port: u16,
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
        Nginx { child, port }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
    let nginx = Nginx::start(site.dir(), site.out(), "/alignment/", port);

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
}
