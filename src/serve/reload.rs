//! Live reload over Server-Sent Events.
//!
//! A page served by `rapport serve` opens `/__rapport/events`. The
//! [`ReloadHub`] takes over that connection's socket (so no worker thread is
//! held while the stream is open) and writes events to every open stream
//! when a rebuild has finished: `reload` with the pages that changed, `css`
//! when only stylesheets did, `errors` when the rebuild failed. A comment
//! line every 15 seconds finds closed connections. Each write is flushed at
//! once: the stream is plain, not chunked, so nothing sits in a buffer.

use std::io::Write;
use std::sync::Mutex;

use serde::Serialize;
use tiny_http::Request;

use crate::serve::store::Status;

/// An event for the pages.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReloadEvent<'a> {
    pub version: &'a str,
    /// URL paths whose content changed (`/glossary/mql/`); empty with `all`.
    pub changed: Vec<String>,
    /// True when too many pages changed to list.
    pub all: bool,
    /// True when only stylesheets changed: swap them without reloading.
    pub css_only: bool,
    pub errors: &'a [crate::diagnostic::Diagnostic],
}

/// The open event streams.
#[derive(Default)]
pub(crate) struct ReloadHub {
    clients: Mutex<Vec<Box<dyn Write + Send>>>,
}

impl ReloadHub {
    pub(crate) fn new() -> ReloadHub {
        ReloadHub::default()
    }

    /// Takes over `request`'s connection as an event stream and greets it
    /// with the current status, so a page opened while the site has errors
    /// shows them, and a page from before a restart notices the new version.
    pub(crate) fn attach(&self, request: Request, status: &Status) {
        let mut writer = request.into_writer();
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\nretry: 1000\n\n";
        let hello = event("hello", &serde_json::to_string(status).unwrap_or_default());
        if writer.write_all(head.as_bytes()).is_err()
            || writer.write_all(hello.as_bytes()).is_err()
            || writer.flush().is_err()
        {
            return;
        }
        self.lock().push(writer);
    }

    /// Sends `name` with JSON `data` to every stream; drops closed ones.
    pub(crate) fn broadcast(&self, name: &str, data: &str) {
        self.send_raw(&event(name, data));
    }

    /// Writes a comment line, which pages ignore, to find closed streams.
    pub(crate) fn heartbeat(&self) {
        self.send_raw(": ping\n\n");
    }

    fn send_raw(&self, text: &str) {
        let mut clients = self.lock();
        clients.retain_mut(|w| w.write_all(text.as_bytes()).is_ok() && w.flush().is_ok());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Box<dyn Write + Send>>> {
        match self.clients.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

fn event(name: &str, data: &str) -> String {
    // JSON has no raw newlines, so one `data:` line carries it.
    format!("event: {name}\ndata: {data}\n\n")
}
