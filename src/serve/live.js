// rapport serve: live reload and error overlay. Injected only by the dev
// server; `rapport build` output never contains it.
(function () {
  "use strict";
  var KEY = "rapport-scroll";
  var version = null;
  var overlay = null;

  // Keep the reader's place across reloads.
  try {
    var saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
    if (saved && saved.path === location.pathname) {
      sessionStorage.removeItem(KEY);
      var restore = function () { window.scrollTo(saved.x, saved.y); };
      if (document.readyState === "complete") { restore(); } else { window.addEventListener("load", restore); }
    }
  } catch (e) { /* storage may be disabled */ }

  function reload() {
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ path: location.pathname, x: window.scrollX, y: window.scrollY }));
    } catch (e) { /* ignore */ }
    location.reload();
  }

  function swapStylesheets() {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) { return; }
      url.searchParams.set("rapport", String(Date.now()));
      var next = link.cloneNode();
      next.href = url.pathname + url.search;
      next.addEventListener("load", function () { link.remove(); });
      next.addEventListener("error", function () { link.remove(); });
      link.after(next);
    });
  }

  function showsThisPage(changed) {
    var here = location.pathname;
    if (!here.endsWith("/") && here.indexOf(".", here.lastIndexOf("/")) === -1) { here += "/"; }
    for (var i = 0; i < changed.length; i++) {
      if (changed[i] === here || changed[i] === decodeURI(here)) { return true; }
    }
    return false;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function hideErrors() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  function showErrors(errors) {
    hideErrors();
    if (!errors || errors.length === 0) { return; }
    overlay = el("div", "rapport-overlay");
    overlay.setAttribute("role", "alert");
    overlay.setAttribute("data-rapport-overlay", "");
    var style = el("style", null,
      ".rapport-overlay{position:fixed;inset:auto 0 0 0;max-height:70vh;overflow:auto;z-index:2147483647;" +
      "background:#1b1f24;color:#f0f3f6;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;" +
      "border-top:4px solid #f85149;box-shadow:0 -8px 24px rgba(0,0,0,.35);padding:12px 16px}" +
      ".rapport-overlay h2{font:600 15px system-ui,sans-serif;margin:0 0 8px;color:#ff7b72}" +
      ".rapport-overlay button{float:right;font:inherit;background:#30363d;color:#f0f3f6;border:1px solid #484f58;border-radius:6px;padding:2px 10px;cursor:pointer}" +
      ".rapport-overlay ol{margin:0;padding-left:20px}.rapport-overlay li{margin:0 0 10px}" +
      ".rapport-overlay .loc{color:#79c0ff}.rapport-overlay pre{margin:4px 0;padding:6px 8px;background:#0d1117;border-radius:6px;white-space:pre-wrap}" +
      ".rapport-overlay .hint{color:#a5d6ff}");
    overlay.appendChild(style);
    var close = el("button", null, "Dismiss");
    close.type = "button";
    close.addEventListener("click", hideErrors);
    overlay.appendChild(close);
    overlay.appendChild(el("h2", null,
      "The last change has " + errors.length + " error" + (errors.length === 1 ? "" : "s") +
      ". You are seeing the last good version of the site."));
    var list = el("ol");
    errors.forEach(function (d) {
      var item = el("li");
      var where = d.path + (d.line ? ":" + d.line + (d.column ? ":" + d.column : "") : "");
      item.appendChild(el("span", "loc", where));
      item.appendChild(document.createTextNode(" " + d.message));
      if (d.snippet) { item.appendChild(el("pre", null, d.snippet)); }
      if (d.hint) { item.appendChild(el("div", "hint", "hint: " + d.hint)); }
      list.appendChild(item);
    });
    overlay.appendChild(list);
    (document.body || document.documentElement).appendChild(overlay);
  }

  function parse(event) {
    try { return JSON.parse(event.data); } catch (e) { return null; }
  }

  var source = null;

  function connect() {
    source = new EventSource("/__rapport/events");
    source.addEventListener("hello", function (event) {
      var data = parse(event);
      if (!data) { return; }
      if (version !== null && data.version !== version && data.errors.length === 0) {
        // The server restarted or rebuilt while we were away.
        reload();
        return;
      }
      version = data.version;
      showErrors(data.errors);
    });
    source.addEventListener("reload", function (event) {
      var data = parse(event);
      if (!data) { return; }
      version = data.version;
      hideErrors();
      if (data.css_only) { swapStylesheets(); return; }
      if (data.all || showsThisPage(data.changed)) { reload(); }
    });
    source.addEventListener("errors", function (event) {
      var data = parse(event);
      if (data) { showErrors(data.errors); }
    });
    window.__rapportLive = source;
  }

  if (window.EventSource) {
    connect();
    // A page kept in the back/forward cache must not keep its stream open:
    // browsers allow only a few connections per host, and each open stream
    // holds one.
    window.addEventListener("pagehide", function () { if (source) { source.close(); } });
    window.addEventListener("pageshow", function (event) { if (event.persisted) { connect(); } });
  }
})();
