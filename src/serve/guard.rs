//! The connection guard: every connection to `rapport serve` passes through
//! here before tiny_http sees it.
//!
//! tiny_http reads a request's line and headers itself and has no limit: a
//! header line grows until its CRLF comes, so eight clients sending 50 MB
//! headers made the server hold half a gigabyte. tiny_http can neither be
//! given a limit nor be handed a connection it did not accept itself, so
//! the guard accepts the TCP connections, reads each request head (request
//! line and headers) up to [`MAX_HEAD`] bytes, refuses a longer one with 414
//! or 431 without reading further, and relays bounded heads and their
//! bodies to tiny_http over a private local socket (a Unix socket in a
//! folder only this user can open, so nothing can reach tiny_http around
//! the guard); the answers flow back the same way. tiny_http still parses
//! every request and writes every answer.
//!
//! Each request goes to tiny_http on a private connection of its own (a
//! link), closed for writing once the request is sent, and the answers are
//! copied back in the order of the requests, pipelined ones included.
//! tiny_http gives every connection one thread of its pool for as long as
//! the connection is open, and its pool can queue a new connection with no
//! thread left to take it (it counts a thread as idle until that thread has
//! woken up, so a few connections arriving together are all queued for the
//! same one): with a browser's keep-alive connections and a live-reload
//! stream holding the threads, the queued connection waited until another
//! closed, and one of a few parallel requests went unanswered for as long
//! as the page stayed open. A link holds its thread only until its one
//! request is answered, so whatever tiny_http queues is soon taken. Keeping
//! the client's connection open is the guard's business: it closes it after
//! an answer only when the request asked for that, by tiny_http's rule
//! ([`closes_connection`]).
//!
//! Request bodies are relayed only up to [`MAX_BODY`] (413 past it), and
//! never with `Transfer-Encoding` (501): the server takes no bodies, and the
//! guard must know where each request ends to find the next head.
//!
//! The guard also turns Nagle's algorithm off on the accepted sockets:
//! tiny_http writes an answer's head and body separately, and with Nagle on
//! the body waited for the client's delayed ACK, about 40 ms per request on
//! a keep-alive connection.
//!
//! Each connection costs two small threads here (one reads requests, one
//! copies answers); an idle keep-alive connection holds them until the
//! client closes it, and holds nothing of tiny_http's.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
#[cfg(unix)]
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::time::Duration;

use anyhow::{Context, Result};

/// The most a request line plus headers may take, CRLFs included.
pub(crate) const MAX_HEAD: usize = 8 * 1024;

/// The largest request body relayed. The server answers GET and HEAD only,
/// so a body is never used; but tiny_http allocates the whole announced
/// length at once to skip an unread body, and one request announcing a few
/// terabytes aborted the server.
pub(crate) const MAX_BODY: u64 = 64 * 1024;

/// Bytes moved per read while relaying bodies and answers.
const RELAY_BUFFER: usize = 16 * 1024;

/// Stack of the relay threads: their buffers live on the heap.
const RELAY_STACK: usize = 128 * 1024;

/// How many requests of one connection may be on their way to tiny_http
/// while an earlier answer is still being copied back: a client that
/// pipelines a thousand requests holds a few links at a time, not a
/// thousand.
const PIPELINE: usize = 4;

/// How long a refusal waits for the answers to the requests before it on
/// the same connection, so that it comes after them.
const EARLIER_ANSWERS: Duration = Duration::from_secs(5);

/// After a refusal, how much of what the client still sends is read and
/// dropped before closing, so the refusal is not lost to a reset.
const LINGER_BYTES: usize = 64 * 1024;
const LINGER_TIME: Duration = Duration::from_secs(1);

/// What the start of a connection's unread bytes holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Head {
    /// Not a whole head yet, and still under the limit: read more.
    Partial,
    /// A whole head of `len` bytes, followed by a body of `body` bytes.
    Complete { len: usize, body: u64 },
    /// A head the guard answers itself and then closes the connection.
    Refuse(Refusal),
}

/// An answer the guard gives instead of tiny_http.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: u16,
    pub reason: &'static str,
    pub message: &'static str,
}

const URI_TOO_LONG: Refusal = Refusal {
    status: 414,
    reason: "URI Too Long",
    message: "the request line is longer than 8 KB",
};

const HEADERS_TOO_LARGE: Refusal = Refusal {
    status: 431,
    reason: "Request Header Fields Too Large",
    message: "the request line and headers are longer than 8 KB",
};

const BAD_LENGTH: Refusal = Refusal {
    status: 400,
    reason: "Bad Request",
    message: "the Content-Length header is not one number",
};

const BODY_TOO_LARGE: Refusal = Refusal {
    status: 413,
    reason: "Content Too Large",
    message: "request bodies over 64 KB are not accepted",
};

const NO_CHUNKED_BODIES: Refusal = Refusal {
    status: 501,
    reason: "Not Implemented",
    message: "request bodies with Transfer-Encoding are not supported",
};

impl Refusal {
    /// The whole answer, ready to write.
    pub(crate) fn response(&self) -> String {
        let body = format!("{}\n", self.message);
        format!(
            "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.status,
            self.reason,
            body.len()
        )
    }
}

/// Reads the head at the start of `bytes`, which never hold more than
/// [`MAX_HEAD`] bytes of it.
pub(crate) fn scan_head(bytes: &[u8]) -> Head {
    let Some(end) = find(bytes, b"\r\n\r\n") else {
        if bytes.len() < MAX_HEAD {
            return Head::Partial;
        }
        return Head::Refuse(if find(bytes, b"\r\n").is_some() {
            HEADERS_TOO_LARGE
        } else {
            URI_TOO_LONG
        });
    };
    let len = end + 4;
    if len > MAX_HEAD {
        return Head::Refuse(HEADERS_TOO_LARGE);
    }
    let mut length: Option<u64> = None;
    // The request line first, then one header per line.
    for line in bytes[..end].split(|&b| b == b'\n').skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], trim(&line[colon + 1..]));
        if name.eq_ignore_ascii_case(b"transfer-encoding") {
            return Head::Refuse(NO_CHUNKED_BODIES);
        }
        if name.eq_ignore_ascii_case(b"content-length") {
            let parsed = std::str::from_utf8(value)
                .ok()
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<u64>().ok());
            match (parsed, length) {
                (Some(n), None) => length = Some(n),
                (Some(n), Some(m)) if n == m => {}
                _ => return Head::Refuse(BAD_LENGTH),
            }
        }
    }
    match length {
        Some(body) if body > MAX_BODY => Head::Refuse(BODY_TOO_LARGE),
        body => Head::Complete {
            len,
            body: body.unwrap_or(0),
        },
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// Whether the request whose head is `head` ends its connection, by
/// tiny_http's rule: `Connection: close` or `upgrade`, or HTTP/1.0 without
/// `keep-alive`. A version other than 1.0 or 1.1 ends it too: tiny_http
/// answers such a request with an error.
pub(crate) fn closes_connection(head: &[u8]) -> bool {
    let mut lines = head.split(|&b| b == b'\n');
    let request_line = lines.next().map(trim).unwrap_or_default();
    let version = request_line.split(|&b| b == b' ').nth(2).unwrap_or_default();
    // The first `Connection` header counts, as in tiny_http.
    let connection = lines.find_map(|line| {
        let colon = line.iter().position(|&b| b == b':')?;
        trim(&line[..colon])
            .eq_ignore_ascii_case(b"connection")
            .then(|| trim(&line[colon + 1..]).to_ascii_lowercase())
    });
    let says = |word: &[u8]| connection.as_deref().is_some_and(|value| find(value, word).is_some());
    if says(b"close") || says(b"upgrade") {
        return true;
    }
    match version {
        b"HTTP/1.1" => false,
        b"HTTP/1.0" => !says(b"keep-alive"),
        _ => true,
    }
}

/// The private socket tiny_http listens on behind the guard.
#[cfg(unix)]
pub(crate) struct Upstream {
    /// A folder only this user may enter, holding the socket.
    dir: PathBuf,
    path: PathBuf,
}

#[cfg(unix)]
type Link = std::os::unix::net::UnixStream;

#[cfg(unix)]
impl Upstream {
    /// Creates the private socket, in `rapport-serve-<pid>` under the
    /// temporary folder, and removes such folders of servers that are gone
    /// (killed before they could clean up).
    pub(crate) fn open() -> Result<(Upstream, tiny_http::Listener)> {
        use std::os::unix::fs::DirBuilderExt;

        let base = std::env::temp_dir();
        remove_stale_sockets(&base);
        let dir = base.join(format!("rapport-serve-{}", std::process::id()));
        // Only this process can own that name; anything there is a leftover.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .with_context(|| format!("failed to create `{}` for the server's socket", dir.display()))?;
        let path = dir.join("http.sock");
        let listener = std::os::unix::net::UnixListener::bind(&path).with_context(|| {
            format!(
                "failed to create the server's socket `{}`; set TMPDIR to a short, writable folder",
                path.display()
            )
        })?;
        Ok((Upstream { dir, path }, listener.into()))
    }

    fn connect(&self) -> io::Result<Link> {
        Link::connect(&self.path)
    }

    /// Removes the private folder; the server takes no new connections after.
    pub(crate) fn remove(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Removes `rapport-serve-<pid>` folders whose server is no longer running.
#[cfg(unix)]
fn remove_stale_sockets(base: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("rapport-serve-"))
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && pid != std::process::id() && !crate::write::process_alive(pid) {
            // Another user's folder cannot be removed; that is fine.
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Without Unix sockets, tiny_http listens on a loopback port instead.
#[cfg(not(unix))]
pub(crate) struct Upstream {
    address: std::net::SocketAddr,
}

#[cfg(not(unix))]
type Link = TcpStream;

#[cfg(not(unix))]
impl Upstream {
    pub(crate) fn open() -> Result<(Upstream, tiny_http::Listener)> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).context("failed to open the server's loopback port")?;
        let address = listener
            .local_addr()
            .context("the server's loopback port has no address")?;
        Ok((Upstream { address }, listener.into()))
    }

    fn connect(&self) -> io::Result<Link> {
        TcpStream::connect(self.address)
    }

    pub(crate) fn remove(&self) {}
}

/// Accepts connections on `listener` until `stop` is set, relaying each to
/// `upstream` on threads of its own.
pub(crate) fn accept_loop(listener: TcpListener, upstream: Arc<Upstream>, stop: Arc<AtomicBool>) {
    for client in listener.incoming() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let client = match client {
            Ok(client) => client,
            Err(_) => {
                // Out of file descriptors and the like: wait rather than spin.
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let upstream = upstream.clone();
        let spawned = std::thread::Builder::new()
            .name("rapport-guard".to_string())
            .stack_size(RELAY_STACK)
            .spawn(move || relay(client, &upstream));
        // A thread that cannot start drops its connection, and that is all.
        drop(spawned);
    }
}

/// What the copying thread sends back for one request, in order.
enum Answer {
    /// tiny_http's answer, read from the request's link until tiny_http
    /// closes it.
    Link(Link),
    /// The guard's own answer, after which the connection closes.
    Refuse(Refusal),
}

/// Relays one connection: this thread reads the client's requests and
/// sends each on a link of its own; a second one copies the answers back.
fn relay(client: TcpStream, upstream: &Upstream) {
    let _ = client.set_nodelay(true);
    let Ok(client_out) = client.try_clone() else {
        return;
    };
    let (answers, to_copy) = sync_channel(PIPELINE);
    let (copied, all_copied) = channel();
    let copier = std::thread::Builder::new()
        .name("rapport-guard".to_string())
        .stack_size(RELAY_STACK)
        .spawn(move || copy_answers(&to_copy, client_out, &copied));
    if copier.is_err() {
        let _ = client.shutdown(Shutdown::Both);
        return;
    }
    forward_requests(client, upstream, &answers, &all_copied);
}

/// Client to tiny_http: whole heads only, each within the limit and on a
/// link of its own, then exactly the body its `Content-Length` announces.
/// Returning drops `answers`: the copier sends what is owed, then closes.
fn forward_requests(
    mut client: TcpStream,
    upstream: &Upstream,
    answers: &SyncSender<Answer>,
    all_copied: &Receiver<()>,
) {
    let mut pending: Vec<u8> = Vec::with_capacity(MAX_HEAD);
    let mut buffer = vec![0u8; RELAY_BUFFER];
    loop {
        let (len, body) = match scan_head(&pending) {
            Head::Complete { len, body } => (len, body),
            Head::Refuse(refusal) => {
                if answers.send(Answer::Refuse(refusal)).is_ok() {
                    linger(client, all_copied);
                }
                return;
            }
            Head::Partial => {
                // Read no more of a head than the limit leaves room for.
                match client.read(&mut buffer[..MAX_HEAD - pending.len()]) {
                    // The client is done sending: what it sent is answered.
                    Ok(0) | Err(_) => return,
                    Ok(n) => pending.extend_from_slice(&buffer[..n]),
                }
                continue;
            }
        };
        let closes = closes_connection(&pending[..len]);
        let Ok(mut link) = upstream.connect() else {
            return;
        };
        let Ok(answer) = link.try_clone() else {
            return;
        };
        // Queued before the request is sent, so that answers keep the
        // order of the requests; waits while PIPELINE answers are owed.
        if answers.send(Answer::Link(answer)).is_err() || link.write_all(&pending[..len]).is_err() {
            return;
        }
        pending.drain(..len);
        if send_body(&mut client, &mut link, &mut pending, body, &mut buffer).is_err() {
            return;
        }
        // The request is whole: tiny_http answers it and closes the link.
        let _ = link.shutdown(Shutdown::Write);
        if closes {
            return;
        }
    }
}

/// Sends the `left` bytes of a body to `link`: first those already read
/// into `pending`, then what the client still sends. A body is at most
/// [`MAX_BODY`], which the link's buffer holds while tiny_http answers.
fn send_body(
    client: &mut TcpStream,
    link: &mut Link,
    pending: &mut Vec<u8>,
    mut left: u64,
    buffer: &mut [u8],
) -> io::Result<()> {
    let n = pending.len().min(usize::try_from(left).unwrap_or(usize::MAX));
    link.write_all(&pending[..n])?;
    pending.drain(..n);
    left -= n as u64;
    while left > 0 {
        let room = buffer.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = client.read(&mut buffer[..room])?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        link.write_all(&buffer[..n])?;
        left -= n as u64;
    }
    Ok(())
}

/// After a refusal has been queued: waits until it is written, then reads
/// a little of what the client still sends before closing. Closing with
/// unread bytes would reset the connection and could destroy the answer
/// before the client reads it; all of it is never read.
fn linger(mut client: TcpStream, all_copied: &Receiver<()>) {
    if all_copied.recv_timeout(EARLIER_ANSWERS).is_ok() {
        let _ = client.set_read_timeout(Some(LINGER_TIME));
        let mut sink = [0u8; 4096];
        let mut drained = 0;
        while drained < LINGER_BYTES {
            match client.read(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    }
    let _ = client.shutdown(Shutdown::Both);
}

/// tiny_http to client: each answer in turn, until the requests end or the
/// client is gone; then closes the connection.
fn copy_answers(to_copy: &Receiver<Answer>, mut client: TcpStream, copied: &Sender<()>) {
    let mut buffer = vec![0u8; RELAY_BUFFER];
    for answer in to_copy {
        match answer {
            Answer::Link(mut link) => {
                if copy_answer(&mut link, &mut client, &mut buffer).is_err() {
                    // The client is gone: tell tiny_http (and a live-reload
                    // stream's next write) at once, and stop reading
                    // requests (the next one queued finds no copier).
                    let _ = link.shutdown(Shutdown::Both);
                    let _ = client.shutdown(Shutdown::Both);
                    return;
                }
            }
            Answer::Refuse(refusal) => {
                let _ = client.write_all(refusal.response().as_bytes());
                let _ = client.flush();
                let _ = client.shutdown(Shutdown::Write);
                let _ = copied.send(());
                return;
            }
        }
    }
    // No more requests, and every one has its answer.
    let _ = client.shutdown(Shutdown::Both);
}

/// Copies one answer: everything tiny_http writes on `link` until it closes
/// it. An error is the client's: a link that fails ends its answer.
fn copy_answer(link: &mut Link, client: &mut TcpStream, buffer: &mut [u8]) -> io::Result<()> {
    loop {
        match link.read(buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => client.write_all(&buffer[..n])?,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_measured_and_bodies_counted() {
        let head = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        assert_eq!(
            scan_head(head),
            Head::Complete {
                len: head.len(),
                body: 0
            }
        );
        let mut pipelined = head.to_vec();
        pipelined.extend_from_slice(b"GET /x HTTP/1.1\r\n");
        assert_eq!(
            scan_head(&pipelined),
            Head::Complete {
                len: head.len(),
                body: 0
            }
        );
        let post = b"POST / HTTP/1.1\r\ncontent-length:  12 \r\n\r\nhello world!";
        assert_eq!(
            scan_head(post),
            Head::Complete {
                len: post.len() - 12,
                body: 12
            }
        );
        assert_eq!(scan_head(b"GET / HTTP/1.1\r\nHost: a\r\n"), Head::Partial);
        assert_eq!(scan_head(b""), Head::Partial);
    }

    #[test]
    fn heads_over_the_limit_are_refused() {
        let long_line = vec![b'a'; MAX_HEAD];
        assert_eq!(scan_head(&long_line), Head::Refuse(URI_TOO_LONG));
        let mut many_headers = b"GET / HTTP/1.1\r\n".to_vec();
        while many_headers.len() < MAX_HEAD {
            many_headers.extend_from_slice(b"X-Filler: 0123456789\r\n");
        }
        many_headers.truncate(MAX_HEAD);
        assert_eq!(scan_head(&many_headers), Head::Refuse(HEADERS_TOO_LARGE));
        // Exactly at the limit is still a head.
        let mut exact = b"GET / HTTP/1.1\r\nX: ".to_vec();
        exact.resize(MAX_HEAD - 4, b'x');
        exact.extend_from_slice(b"\r\n\r\n");
        assert_eq!(scan_head(&exact), Head::Complete { len: MAX_HEAD, body: 0 });
    }

    #[test]
    fn bodies_the_guard_cannot_measure_are_refused() {
        for head in [
            &b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"[..],
            b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 99999999999999\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 65537\r\n\r\n",
        ] {
            assert!(
                matches!(scan_head(head), Head::Refuse(_)),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn connections_close_when_the_request_says_so() {
        let closes = |head: &str| closes_connection(head.as_bytes());
        assert!(!closes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        assert!(!closes("GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n"));
        assert!(closes("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
        assert!(closes("GET / HTTP/1.1\r\nconnection:Keep-Alive, Close\r\n\r\n"));
        assert!(closes(
            "GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
        ));
        assert!(closes("GET / HTTP/1.0\r\n\r\n"));
        assert!(!closes("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        // Only the first `Connection` header counts, as in tiny_http.
        assert!(!closes(
            "GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n"
        ));
        // A header merely containing the word is not `Connection`.
        assert!(!closes("GET / HTTP/1.1\r\nX-Connection: close\r\n\r\n"));
        for head in [
            "GET / HTTP/2.0\r\n\r\n",
            "GET /\r\n\r\n",
            "nonsense\r\n\r\n",
            "GET /a b HTTP/1.1\r\n\r\n",
        ] {
            assert!(closes(head), "{head:?}");
        }
    }

    #[test]
    fn refusals_are_whole_answers() {
        let text = HEADERS_TOO_LARGE.response();
        assert!(text.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
        assert!(head.contains("Connection: close"));
    }
}
