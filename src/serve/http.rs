//! Answering HTTP requests from the current snapshot.
//!
//! A request is answered only when its `Host` header names this server
//! ([`Hosts`]): a web page on another name that was pointed at 127.0.0.1
//! (DNS rebinding) gets 421 and learns nothing, not even whether a path
//! exists. Files come from memory, never from the disk, so no path can reach
//! outside the built site; even so, a path that tries (`..`, `%2e%2e`,
//! encoded slashes, backslashes, NUL) is refused with 400 before any lookup.
//! Folders serve their `index.html`, `/x` redirects to `/x/`, unknown paths
//! get the theme's 404 page with status 404. HTML gets the live-reload
//! script injected (only here: `rapport build` output never has it).

use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use tiny_http::{HTTPVersion, Header, Method, Request, Response, StatusCode};

use crate::serve::reload::ReloadHub;
use crate::serve::store::{Entry, Snapshot, Store, made_after_reload};

/// The client script: live reload, CSS swaps, scroll keeping, error overlay.
pub(crate) const LIVE_JS: &str = include_str!("live.js");

/// What a request asks for, once its URL is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// A file of the site, by output path (`glossary/mql/index.html`).
    File(String),
    /// A path that names a folder without its trailing slash.
    MaybeFolder {
        file: String,
        folder_location: String,
    },
    LiveScript,
    LiveEvents,
    LiveStatus,
    /// A malformed or escaping path.
    BadRequest(&'static str),
}

/// Decides what `raw_url` (path and query as received) asks for.
pub(crate) fn route(raw_url: &str) -> Route {
    let (raw_path, query) = match raw_url.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (raw_url, None),
    };
    let raw_path = raw_path.split('#').next().unwrap_or("");
    if !raw_path.starts_with('/') {
        return Route::BadRequest("the path must start with /");
    }
    match raw_path {
        "/__rapport/live.js" => return Route::LiveScript,
        "/__rapport/events" => return Route::LiveEvents,
        "/__rapport/status" => return Route::LiveStatus,
        _ => {}
    }
    let lower = raw_path.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return Route::BadRequest("encoded slashes and NUL are not allowed");
    }
    let Some(path) = percent_decode(raw_path) else {
        return Route::BadRequest("invalid percent-encoding");
    };
    if path.contains('\\') || path.contains('\0') || path.chars().any(char::is_control) {
        return Route::BadRequest("backslashes and control characters are not allowed");
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| *s == ".." || *s == ".") {
        return Route::BadRequest("`.` and `..` are not allowed in paths");
    }
    let joined = segments.join("/");
    if path.ends_with('/') || joined.is_empty() {
        let file = if joined.is_empty() {
            "index.html".to_string()
        } else {
            format!("{joined}/index.html")
        };
        return Route::File(file);
    }
    // The redirect keeps the path as it was sent (still percent-encoded) but
    // never its empty segments: `//host` in a Location is another site.
    let raw_segments: Vec<&str> = raw_path.split('/').filter(|s| !s.is_empty()).collect();
    let query = query.map(|q| format!("?{q}")).unwrap_or_default();
    Route::MaybeFolder {
        folder_location: encode_location(&format!("/{}/{query}", raw_segments.join("/"))),
        file: joined,
    }
}

/// Percent-encodes what may not stand in a `Location` as it is: bytes
/// outside printable ASCII, and backslashes, which browsers read as `/`.
fn encode_location(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_graphic() && byte != b'\\' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The snapshot entries that may answer `route`, in the order they are
/// tried: the file itself, then for a path without a trailing slash the
/// folder's `index.html` (which answers with a redirect). Every key is a
/// relative path of plain segments.
pub(crate) fn entry_keys(route: &Route) -> Vec<String> {
    match route {
        Route::File(file) => vec![file.clone()],
        Route::MaybeFolder { file, .. } => vec![file.clone(), format!("{file}/index.html")],
        _ => Vec::new(),
    }
}

/// The `Host` values this server answers to: `localhost`, `127.0.0.1` and
/// `[::1]`, and the address it was bound to, each with the bound port (or
/// none when that is 80). Bound to every address (`0.0.0.0`, `::`), any IP
/// address is a name of this server; a name that must be looked up in DNS
/// never is, other than `localhost`, because DNS is what a rebinding attack
/// controls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hosts {
    bound: IpAddr,
    port: u16,
}

/// Why a request's `Host` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostRefusal {
    /// HTTP/1.1 without a `Host` header, or with several (400).
    Missing,
    /// A `Host` that names another server (421).
    Misdirected,
}

impl Hosts {
    pub(crate) fn new(bound: SocketAddr) -> Hosts {
        Hosts {
            bound: bound.ip(),
            port: bound.port(),
        }
    }

    /// Whether a request with these `Host` values may be answered. HTTP/1.0
    /// may leave the header out (it predates it, and browsers always send
    /// it, so leaving it out is no way around the check); HTTP/1.1 must send
    /// exactly one.
    pub(crate) fn check(&self, hosts: &[&str], version: &HTTPVersion) -> Result<(), HostRefusal> {
        match hosts {
            [] if *version < HTTPVersion(1, 1) => Ok(()),
            [host] if self.allows(host) => Ok(()),
            [host] if !host.trim().is_empty() => Err(HostRefusal::Misdirected),
            _ => Err(HostRefusal::Missing),
        }
    }

    /// Whether one `Host` value names this server.
    pub(crate) fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host.trim()) else {
            return false;
        };
        if port.unwrap_or(80) != self.port {
            return false;
        }
        match name {
            HostName::Ip(ip) => {
                ip == IpAddr::V4(Ipv4Addr::LOCALHOST)
                    || ip == IpAddr::V6(Ipv6Addr::LOCALHOST)
                    || ip == self.bound
                    || self.bound.is_unspecified()
            }
            HostName::Name(name) => name.eq_ignore_ascii_case("localhost"),
        }
    }

    /// The address to tell a refused client to open.
    pub(crate) fn home(&self) -> String {
        format!("http://localhost:{}/", self.port)
    }
}

enum HostName<'a> {
    Ip(IpAddr),
    Name(&'a str),
}

/// `name[:port]` or `[v6][:port]`; `None` when malformed.
fn split_host(host: &str) -> Option<(HostName<'_>, Option<u16>)> {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let ip: Ipv6Addr = inside.parse().ok()?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (HostName::Ip(IpAddr::V6(ip)), port)
    } else {
        let (name, port) = match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        };
        let name = match name.parse::<Ipv4Addr>() {
            Ok(ip) => HostName::Ip(IpAddr::V4(ip)),
            Err(_) if !name.is_empty() => HostName::Name(name),
            Err(_) => return None,
        };
        (name, port)
    };
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
    };
    Some((name, port))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` of an output path.
pub(crate) fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => {
            if path.ends_with("atom.xml") {
                "application/atom+xml"
            } else {
                "application/xml"
            }
        }
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Adds the live-reload script to an HTML page, before `</body>`.
pub(crate) fn inject_live_script(html: &[u8]) -> Vec<u8> {
    const TAG: &[u8] = b"<script src=\"/__rapport/live.js\" defer></script>\n";
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + TAG.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(TAG);
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
}

fn header(name: &str, value: &str) -> Header {
    // Both come from this module: fixed names and values made of ASCII.
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|_| Header::from_bytes(&b"X-Invalid"[..], &b"1"[..]).expect("static header"))
}

/// Answers one request. Live-reload event streams are handed to `hub`,
/// which keeps them open without holding this thread.
pub(crate) fn handle(request: Request, store: &Store, hub: &ReloadHub, hosts: &Hosts) {
    let host_values: Vec<&str> = request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str())
        .collect();
    if let Err(refusal) = hosts.check(&host_values, request.http_version()) {
        let response = match refusal {
            HostRefusal::Missing => {
                Response::from_string("bad request: send one Host header\n").with_status_code(400)
            }
            HostRefusal::Misdirected => Response::from_string(format!(
                "misdirected request: the Host header does not name this server (a guard against DNS rebinding); open {}\n",
                hosts.home()
            ))
            .with_status_code(421),
        };
        let _ = request.respond(response.with_header(header("Content-Type", "text/plain; charset=utf-8")));
        return;
    }
    if !matches!(request.method(), Method::Get | Method::Head) {
        let response = Response::from_string("only GET and HEAD are supported\n")
            .with_status_code(405)
            .with_header(header("Allow", "GET, HEAD"));
        let _ = request.respond(response);
        return;
    }
    let route = route(request.url());
    let if_none_match = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("If-None-Match"))
        .map(|h| h.value.as_str().to_string());
    match route {
        Route::LiveEvents => hub.attach(request, &store.status()),
        Route::LiveScript => {
            let entry = Entry::new(Arc::from(LIVE_JS.as_bytes()));
            respond_entry(request, "live.js", &entry, false, if_none_match.as_deref(), 200);
        }
        Route::LiveStatus => {
            let json = serde_json::to_string(&*store.status()).unwrap_or_else(|_| "{}".to_string());
            let response = Response::from_string(json)
                .with_header(header("Content-Type", "application/json"))
                .with_header(header("Cache-Control", "no-store"));
            let _ = request.respond(response);
        }
        Route::BadRequest(reason) => {
            let _ = request.respond(Response::from_string(format!("bad request: {reason}\n")).with_status_code(400));
        }
        Route::File(_) | Route::MaybeFolder { .. } => {
            let keys = entry_keys(&route);
            if keys.iter().any(|key| made_after_reload(key)) {
                store.wait_for_files_behind();
            }
            let snapshot = store.snapshot();
            match keys.iter().position(|key| snapshot.files.contains_key(key.as_str())) {
                Some(0) => {
                    let entry = &snapshot.files[keys[0].as_str()];
                    respond_entry(request, &keys[0], entry, true, if_none_match.as_deref(), 200);
                }
                Some(_) => {
                    let location = match &route {
                        Route::MaybeFolder { folder_location, .. } => folder_location.as_str(),
                        _ => "/",
                    };
                    let response = Response::from_string(format!("moved to {location}\n"))
                        .with_status_code(301)
                        .with_header(header("Location", location));
                    let _ = request.respond(response);
                }
                None => not_found(request, &snapshot),
            }
        }
    }
}

fn not_found(request: Request, snapshot: &Snapshot) {
    match snapshot.files.get("404.html") {
        Some(entry) => respond_entry(request, "404.html", entry, true, None, 404),
        None => {
            let _ = request.respond(Response::from_string("404 not found\n").with_status_code(404));
        }
    }
}

fn respond_entry(request: Request, path: &str, entry: &Entry, live: bool, if_none_match: Option<&str>, status: u16) {
    let kind = content_type(path);
    let is_html = kind.starts_with("text/html");
    // The injected script is part of what is served, so it is part of the tag.
    let etag = if is_html && live {
        format!("{}-live\"", entry.etag().trim_end_matches('"'))
    } else {
        entry.etag().to_string()
    };
    if status == 200 && if_none_match.is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag)) {
        let response = Response::empty(StatusCode(304))
            .with_header(header("ETag", &etag))
            .with_header(header("Cache-Control", "no-cache"));
        let _ = request.respond(response);
        return;
    }
    let body: Vec<u8> = if is_html && live {
        inject_live_script(&entry.bytes)
    } else {
        entry.bytes.to_vec()
    };
    // tiny_http leaves the body out of answers to HEAD by itself.
    let length = body.len();
    let mut response = Response::new(StatusCode(status), Vec::new(), Cursor::new(body), Some(length), None)
        .with_header(header("Content-Type", kind))
        .with_header(header("Cache-Control", "no-cache"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    if status == 200 {
        response = response.with_header(header("ETag", &etag));
    }
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let file = |p: &str| Route::File(p.to_string());
        assert_eq!(route("/"), file("index.html"));
        assert_eq!(route("/glossary/mql/"), file("glossary/mql/index.html"));
        assert_eq!(route("/glossary/mql/?x=1"), file("glossary/mql/index.html"));
        assert_eq!(
            route("/style.css"),
            Route::MaybeFolder {
                file: "style.css".into(),
                folder_location: "/style.css/".into()
            }
        );
        assert_eq!(
            route("/glossary?q=a"),
            Route::MaybeFolder {
                file: "glossary".into(),
                folder_location: "/glossary/?q=a".into()
            }
        );
        assert_eq!(route("/a%20b/"), file("a b/index.html"));
        assert_eq!(route("/__rapport/events"), Route::LiveEvents);
    }

    #[test]
    fn traversal_is_refused() {
        for url in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/glossary/..%2f..%2fetc/passwd",
            "/..%5c..%5cetc",
            "/a\\..\\b",
            "/a%00b",
            "/./index.html",
            "etc/passwd",
            "/%zz",
        ] {
            assert!(matches!(route(url), Route::BadRequest(_)), "{url}: {:?}", route(url));
        }
    }

    #[test]
    fn injects_before_body_end() {
        let out = inject_live_script(b"<html><body><p>x</p></body></html>");
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.ends_with("<script src=\"/__rapport/live.js\" defer></script>\n</body></html>"),
            "{text}"
        );
        assert!(
            String::from_utf8(inject_live_script(b"<p>no body"))
                .unwrap()
                .contains("live.js")
        );
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("atom.xml"), "application/atom+xml");
        assert_eq!(content_type("data/scores.json"), "application/json");
        assert_eq!(content_type("logo.SVG"), "image/svg+xml");
    }

    #[test]
    fn redirects_never_leave_the_server() {
        // `//glossary` once redirected to `//glossary/`, which a browser
        // reads as the site `glossary`.
        assert_eq!(
            route("//glossary?x"),
            Route::MaybeFolder {
                file: "glossary".into(),
                folder_location: "/glossary/?x".into()
            }
        );
        assert_eq!(
            route("//evil.example//a"),
            Route::MaybeFolder {
                file: "evil.example/a".into(),
                folder_location: "/evil.example/a/".into()
            }
        );
        assert_eq!(
            route("/%C3%A9t%C3%A9?q=\\a b"),
            Route::MaybeFolder {
                file: "été".into(),
                folder_location: "/%C3%A9t%C3%A9/?q=%5Ca%20b".into()
            }
        );
    }

    #[test]
    fn hosts_that_name_the_server() {
        let local = Hosts::new("127.0.0.1:4000".parse().unwrap());
        for host in [
            "127.0.0.1:4000",
            "localhost:4000",
            "LocalHost:4000",
            "[::1]:4000",
            " localhost:4000 ",
        ] {
            assert!(local.allows(host), "{host}");
        }
        for host in [
            "evil.example:4000",
            "localhost:4001",
            "localhost",
            "127.0.0.1",
            "localhost.:4000",
            "127.0.0.1:4000:4000",
            "127.0.0.1:+4000",
            "127.0.0.1:",
            ":4000",
            "",
            "[::1]",
            "[::1]4000",
            "::1:4000",
            "[evil]:4000",
            "10.0.0.1:4000",
            "127.1:4000",
            "0x7f000001:4000",
            "localhost:4000/x",
        ] {
            assert!(!local.allows(host), "{host}");
        }
        let on_80 = Hosts::new("127.0.0.1:80".parse().unwrap());
        assert!(on_80.allows("localhost") && on_80.allows("127.0.0.1:80"));
        let everywhere = Hosts::new("0.0.0.0:4000".parse().unwrap());
        assert!(everywhere.allows("192.168.1.20:4000") && everywhere.allows("[fe80::1]:4000"));
        assert!(!everywhere.allows("my-laptop:4000") && !everywhere.allows("192.168.1.20:4001"));
        let one = Hosts::new("192.168.1.20:4000".parse().unwrap());
        assert!(one.allows("192.168.1.20:4000") && one.allows("localhost:4000"));
        assert!(!one.allows("192.168.1.21:4000"));

        let v11 = HTTPVersion(1, 1);
        let v10 = HTTPVersion(1, 0);
        assert_eq!(local.check(&["localhost:4000"], &v11), Ok(()));
        assert_eq!(local.check(&[], &v11), Err(HostRefusal::Missing));
        assert_eq!(local.check(&[""], &v11), Err(HostRefusal::Missing));
        assert_eq!(
            local.check(&["localhost:4000", "localhost:4000"], &v11),
            Err(HostRefusal::Missing)
        );
        assert_eq!(local.check(&["evil.example"], &v11), Err(HostRefusal::Misdirected));
        assert_eq!(local.check(&[], &v10), Ok(()));
        assert_eq!(local.check(&["evil.example"], &v10), Err(HostRefusal::Misdirected));
    }

    mod properties {
        use std::path::{Component, Path};

        use proptest::collection::vec;
        use proptest::sample::select;
        use proptest::strategy::Strategy;
        use proptest::test_runner::Config;
        use proptest::{prop_assert, prop_assert_eq, proptest};

        use super::super::{Route, entry_keys, route};

        /// Pieces that traversal attempts are made of, plus ordinary ones.
        const PIECES: &[&str] = &[
            "/",
            "//",
            ".",
            "..",
            "%2e",
            "%2E",
            "%2e%2e",
            ".%2e",
            "%2f",
            "%2F",
            "%5c",
            "%5C",
            "%00",
            "%",
            "%z",
            "%zz",
            "%252e",
            "%c0%ae",
            "%e2%80%ae",
            "\\",
            "\0",
            "\u{1}",
            "a",
            "b.html",
            "index.html",
            "glossary",
            "?",
            "#",
            "?x=../..",
            ":",
            "C:",
            "~",
            " ",
            "%20",
            "é",
            "%C3%A9",
            "\u{202e}",
            "\u{feff}",
        ];

        fn pieced() -> impl Strategy<Value = String> {
            vec(select(PIECES), 0..14).prop_map(|pieces| pieces.concat())
        }

        /// Everything a resolved path must be: relative plain segments that
        /// cannot leave the output, whatever the platform.
        fn check_resolved(url: &str, route: &Route) -> Result<(), proptest::test_runner::TestCaseError> {
            for key in entry_keys(route) {
                prop_assert!(!key.is_empty(), "{url:?} -> empty key");
                prop_assert!(!key.starts_with('/'), "{url:?} -> absolute {key:?}");
                prop_assert!(!key.contains('\\'), "{url:?} -> backslash in {key:?}");
                prop_assert!(
                    !key.chars().any(char::is_control),
                    "{url:?} -> control character in {key:?}"
                );
                for segment in key.split('/') {
                    prop_assert!(
                        !segment.is_empty() && segment != "." && segment != "..",
                        "{url:?} -> segment {segment:?} in {key:?}"
                    );
                }
                prop_assert!(
                    Path::new(&key).components().all(|c| matches!(c, Component::Normal(_))),
                    "{url:?} -> {key:?} is not plain segments"
                );
                prop_assert!(
                    Path::new("/srv/site").join(&key).starts_with("/srv/site"),
                    "{url:?} -> {key:?} leaves the output"
                );
            }
            if let Route::MaybeFolder { folder_location, .. } = route {
                prop_assert!(
                    folder_location.starts_with('/'),
                    "{url:?} -> Location {folder_location:?}"
                );
                prop_assert!(
                    !folder_location.starts_with("//"),
                    "{url:?} -> Location {folder_location:?}"
                );
                prop_assert!(
                    folder_location.bytes().all(|b| b.is_ascii_graphic() && b != b'\\'),
                    "{url:?} -> Location {folder_location:?}"
                );
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(Config::with_cases(4000))]

            #[test]
            fn any_text_resolves_inside_the_site(url in proptest::arbitrary::any::<String>()) {
                let resolved = route(&url);
                check_resolved(&url, &resolved)?;
            }

            #[test]
            fn traversal_pieces_resolve_inside_the_site(url in pieced()) {
                let resolved = route(&url);
                check_resolved(&url, &resolved)?;
                let with_slash = format!("/{url}");
                let resolved = route(&with_slash);
                check_resolved(&with_slash, &resolved)?;
            }

            #[test]
            fn plain_paths_are_not_refused(segments in vec("[a-z0-9][a-z0-9._-]{0,8}", 1..5)) {
                let segments: Vec<String> = segments.into_iter().filter(|s| s != "." && s != "..").collect();
                if !segments.is_empty() {
                    let joined = segments.join("/");
                    prop_assert_eq!(route(&format!("/{joined}/")), Route::File(format!("{joined}/index.html")));
                }
            }
        }
    }
}
