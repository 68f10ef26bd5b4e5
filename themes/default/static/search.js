// rapport search: results as you type, from the site's search-index.json,
// with no dependencies and no external services.
//
// Every form[data-search] on the page gets it. The index URL comes from the
// form's data-index attribute (it carries the site's base path), and the
// index holds paths relative to it, so a site published under a sub-path
// works unchanged. The index is fetched once, the first time a search box
// gets focus; lowercased, accent-free copies for matching are made then.
//
// Two modes:
// - the header box (a combobox): a popup listbox of the best results,
//   ArrowUp/ArrowDown to choose, Enter to open, Escape to close;
// - the search page (form[data-search-page]): a plain list of links under
//   the box, filled from ?q= and kept in step with the address bar.
// Without JavaScript the header form submits to the search page, which then
// explains that search needs JavaScript and links the lists instead.
//
// Ranking, highest first (docs/search.md has the details): the whole query
// equal to an acronym, alias or short name; equal to a title; the start of
// a key or a title; then, word by word (every word must match somewhere),
// whole key words, whole title words, starts of key and title words,
// anywhere in a title, and last the context line and text. Terms, then
// teams, then pages win ties; then shorter titles.
(function () {
  "use strict";

  var KIND = { t: "Term", m: "Team", s: "Story", c: "Commitment", p: "Page" };
  var KIND_BONUS = { t: 6, m: 5, p: 3, s: 1, c: 0 };
  var POPUP_RESULTS = 8;
  var PAGE_RESULTS = 50;
  var STATUS_DELAY = 600;

  var stats = {
    // Milliseconds each search took (ranking only), one entry a keystroke.
    timings: [],
    // Milliseconds each search plus drawing its results took.
    renderTimings: [],
    lastMs: null,
    lastCount: null,
    // Why the index could not be loaded, if it could not.
    error: null,
    // Fetching, parsing and preparing the index, once.
    loadMs: null,
    docs: 0
  };

  // ---- The index --------------------------------------------------------

  var indexes = {};

  var ACCENTS = /[\u0300-\u036f]/g;
  var NON_ASCII = /[^\x00-\x7f]/;

  // Lowercase without accents: "Café" and "cafe" match.
  function fold(text) {
    var lower = text.toLowerCase();
    if (NON_ASCII.test(lower) && lower.normalize) {
      return lower.normalize("NFD").replace(ACCENTS, "");
    }
    return lower;
  }

  // Letters and digits of any script; everything else separates words.
  var WORD_CHAR = /[\p{L}\p{N}]/u;

  function isWordChar(code) {
    if (code < 128) { return (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90); }
    return code === code && WORD_CHAR.test(String.fromCharCode(code));
  }

  function Doc(row) {
    this.kind = row[0];
    this.title = row[1];
    this.path = row[2];
    this.keys = row[3];
    this.meta = row[4];
    this.text = row[5];
    this.url = null;
    this.fTitle = fold(this.title);
    this.fKeys = this.keys.map(fold);
    this.fKeyText = this.fKeys.join("\n");
    // Everything in one string, so a word that appears nowhere is ruled
    // out with one indexOf; the context line and the text come last, from
    // `restAt` on.
    var head = this.fTitle + "\n" + this.fKeyText + "\n";
    this.restAt = head.length;
    this.hay = head + fold(this.meta) + "\n" + fold(this.text);
  }

  function load(url) {
    var entry = indexes[url];
    if (!entry) {
      entry = indexes[url] = { docs: null, error: null, promise: null, last: null };
      var started = performance.now();
      entry.promise = fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) {
          var rows = data.docs || [];
          var docs = new Array(rows.length);
          for (var i = 0; i < rows.length; i++) { docs[i] = new Doc(rows[i]); }
          entry.docs = docs;
          stats.loadMs = performance.now() - started;
          stats.docs = docs.length;
          // Let the JavaScript engine compile the ranking before the first
          // keystroke needs it.
          setTimeout(function () {
            if (!entry.last) { rank(entry, "e", POPUP_RESULTS); entry.last = null; }
          }, 0);
          return entry;
        })
        .catch(function (error) {
          entry.error = error;
          stats.error = String(error);
          return entry;
        });
    }
    return entry.promise;
  }

  // ---- Ranking ----------------------------------------------------------

  var EDGE_PUNCTUATION = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

  // The query's words, folded, without the punctuation around them
  // ("(MQL)," -> "mql"); `key` is what the next keystroke extends.
  function parse(query) {
    var key = fold(query).replace(/\s+/g, " ").replace(/^ /, "");
    var list = [];
    var raw = key.split(" ");
    for (var i = 0; i < raw.length; i++) {
      var word = raw[i].replace(EDGE_PUNCTUATION, "");
      if (word) { list.push(word); }
    }
    return { key: key, words: list, phrase: list.join(" ") };
  }

  // Whether `word` starts a word of `text` at or after `from`: 2 when it is
  // a whole word there, 1 when it only starts one, else 0. Looks at a few
  // occurrences only: enough to rank, cheap on long texts.
  function wordMatch(text, word, from) {
    var best = 0;
    var at = text.indexOf(word, from);
    for (var n = 0; at !== -1 && n < 8; n++) {
      if (at === 0 || !isWordChar(text.charCodeAt(at - 1))) {
        if (!isWordChar(text.charCodeAt(at + word.length))) { return 2; }
        best = 1;
      }
      at = text.indexOf(word, at + 1);
    }
    return best;
  }

  // How well `doc` matches the query `q`; 0 when it does not.
  function score(doc, q) {
    var total = KIND_BONUS[doc.kind] || 0;
    var phrase = q.phrase;
    var keys = doc.fKeys;
    var best = 0;
    if (doc.fTitle === phrase) { best = 1000; }
    for (var k = 0; k < keys.length && best < 950; k++) {
      if (keys[k] === phrase) { best = 950; }
      else if (best < 400 && keys[k].lastIndexOf(phrase, 0) === 0) { best = 400; }
    }
    if (best < 300 && doc.fTitle.lastIndexOf(phrase, 0) === 0) { best = 300; }
    else if (best < 150 && q.words.length > 1 && doc.fTitle.indexOf(phrase) !== -1) { best = 150; }
    total += best;

    for (var i = 0; i < q.words.length; i++) {
      var w = q.words[i];
      var inKey = doc.fKeyText ? wordMatch(doc.fKeyText, w, 0) : 0;
      var inTitle = inKey === 2 ? 0 : wordMatch(doc.fTitle, w, 0);
      var s;
      if (inKey === 2) { s = 80; }
      else if (inTitle === 2) { s = 60; }
      else if (inKey === 1) { s = 50; }
      else if (inTitle === 1) { s = 40; }
      else if (doc.hay.lastIndexOf(w, doc.restAt - 1) !== -1) { s = 20; }
      else {
        var inRest = wordMatch(doc.hay, w, doc.restAt);
        if (inRest) { s = inRest === 2 ? 8 : 6; }
        else if (doc.hay.indexOf(w, doc.restAt) !== -1) { s = 2; }
        else { return 0; }
      }
      total += s;
    }
    return total;
  }

  function byRank(a, b) {
    if (b.score !== a.score) { return b.score - a.score; }
    var ta = a.doc.title, tb = b.doc.title;
    if (ta.length !== tb.length) { return ta.length - tb.length; }
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  }

  var probe = { doc: null, score: 0 };

  // The best `limit` documents for `query`, best first, as {doc, score},
  // and how many match in all. Only the best are kept and ordered (a
  // one-letter query matches nearly every document: sorting them all
  // would cost more than ranking them).
  function rank(entry, query, limit) {
    var q = parse(query);
    if (!q.words.length || !entry.docs) {
      entry.last = null;
      return { top: [], count: 0 };
    }
    // Typing one more character can only narrow the matches: start from
    // the previous query's candidates when this query extends it.
    var docs = entry.docs;
    var pool = null;
    if (entry.last && q.key.lastIndexOf(entry.last.key, 0) === 0) { pool = entry.last.pool; }
    var count = pool ? pool.length : docs.length;
    var next = [];
    var top = [];
    var matches = 0;
    var ws = q.words;
    for (var i = 0; i < count; i++) {
      var d = pool ? pool[i] : i;
      var doc = docs[d];
      var hay = doc.hay;
      var all = true;
      for (var j = 0; j < ws.length; j++) {
        if (hay.indexOf(ws[j]) === -1) { all = false; break; }
      }
      if (!all) { continue; }
      next.push(d);
      var s = score(doc, q);
      if (!s) { continue; }
      matches++;
      if (top.length >= limit) {
        probe.doc = doc;
        probe.score = s;
        if (byRank(probe, top[top.length - 1]) >= 0) { continue; }
        top.pop();
      }
      var item = { doc: doc, score: s };
      var k = top.length;
      top.push(item);
      while (k > 0 && byRank(item, top[k - 1]) < 0) { top[k] = top[k - 1]; k--; }
      top[k] = item;
    }
    entry.last = { key: q.key, pool: next };
    probe.doc = null;
    return { top: top, count: matches };
  }

  // ---- Drawing results --------------------------------------------------

  function resolve(url, doc) {
    if (!doc.url) {
      var u = new URL(doc.path, url);
      doc.url = u.origin === window.location.origin ? u.pathname + u.search + u.hash : u.href;
    }
    return doc.url;
  }

  // `text` with each query word marked, as DOM nodes (never as HTML).
  function marked(text, q) {
    var fragment = document.createDocumentFragment();
    var folded = fold(text);
    var ranges = [];
    if (folded.length === text.length) {
      for (var i = 0; i < q.words.length; i++) {
        var w = q.words[i];
        for (var at = folded.indexOf(w); at !== -1 && ranges.length < 20; at = folded.indexOf(w, at + w.length)) {
          ranges.push([at, at + w.length]);
        }
      }
      ranges.sort(function (a, b) { return a[0] - b[0]; });
    }
    var from = 0;
    for (var r = 0; r < ranges.length; r++) {
      var start = Math.max(ranges[r][0], from);
      var end = ranges[r][1];
      if (end <= from) { continue; }
      if (start > from) { fragment.appendChild(document.createTextNode(text.slice(from, start))); }
      var mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      fragment.appendChild(mark);
      from = end;
    }
    if (from < text.length) { fragment.appendChild(document.createTextNode(text.slice(from))); }
    return fragment;
  }

  // Up to ~150 characters of the text, around the first query word found in it.
  function excerpt(doc, q) {
    var text = doc.text;
    var folded = fold(text);
    var at = -1;
    for (var i = 0; i < q.words.length && at === -1; i++) { at = folded.indexOf(q.words[i]); }
    var start = 0;
    if (at > 60 && folded.length === text.length) {
      start = text.lastIndexOf(" ", at - 40) + 1;
    }
    var end = Math.min(text.length, start + 150);
    if (end < text.length) {
      var space = text.lastIndexOf(" ", end);
      if (space > start + 60) { end = space; }
    }
    return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }

  function span(className, content) {
    var element = document.createElement("span");
    element.className = className;
    if (typeof content === "string") { element.textContent = content; } else { element.appendChild(content); }
    return element;
  }

  function resultLink(url, doc, q) {
    var link = document.createElement("a");
    link.href = resolve(url, doc);
    link.className = "search-link";
    var head = span("search-head", "");
    head.appendChild(span("search-kind search-kind-" + doc.kind, KIND[doc.kind] || "Page"));
    head.appendChild(span("search-title", marked(doc.title, q)));
    link.appendChild(head);
    if (doc.meta) { link.appendChild(span("search-meta", marked(doc.meta, q))); }
    var text = excerpt(doc, q);
    if (text) { link.appendChild(span("search-text", marked(text, q))); }
    return link;
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  // ---- One search form --------------------------------------------------

  var instances = 0;

  function setup(form) {
    var input = form.querySelector("input[name=q]");
    if (!input) { return; }
    var list = document.getElementById(input.getAttribute("aria-controls") || "") ||
      form.querySelector("[data-search-results]");
    var status = form.querySelector("[data-search-status]");
    if (!list) { return; }
    var onPage = form.hasAttribute("data-search-page");
    var url = new URL(form.getAttribute("data-index") || "search-index.json", document.baseURI).href;
    var id = "search-" + (instances++);
    var entry = null;
    var results = [];
    var total = 0;
    var shown = [];
    var limit = onPage ? PAGE_RESULTS : POPUP_RESULTS;
    var active = -1;
    var open = false;
    var statusTimer = null;
    var lastQuery = null;

    if (!onPage) {
      // The ARIA 1.2 combobox pattern; set here rather than in the HTML so
      // that without this script the box is a plain search field.
      if (!list.id) { list.id = id + "-results"; }
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", list.id);
      list.setAttribute("role", "listbox");
    }
    if (onPage) {
      var fallback = document.querySelectorAll("[data-search-nojs]");
      for (var f = 0; f < fallback.length; f++) { fallback[f].hidden = true; }
    }

    function say(text, now) {
      if (!status) { return; }
      clearTimeout(statusTimer);
      // Screen readers hear the count once typing pauses, not per key.
      if (now) { status.textContent = text; } else {
        statusTimer = setTimeout(function () { status.textContent = text; }, STATUS_DELAY);
      }
    }

    function setOpen(value) {
      open = value;
      if (!onPage) {
        list.hidden = !value;
        input.setAttribute("aria-expanded", value ? "true" : "false");
        form.classList.toggle("search-open", value);
      }
      if (!value) { highlight(-1); }
    }

    function options() { return list.querySelectorAll("[role=option]"); }

    // A listbox may only hold options: a message in it is a disabled one.
    function notice(item) {
      if (onPage) { return; }
      item.id = id + "-notice";
      item.setAttribute("role", "option");
      item.setAttribute("aria-disabled", "true");
      item.setAttribute("aria-selected", "false");
    }

    function highlight(index) {
      if (onPage) { return; }
      var items = options();
      if (active >= 0 && items[active]) { items[active].setAttribute("aria-selected", "false"); }
      active = index >= 0 && index < items.length ? index : -1;
      if (active >= 0) {
        items[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", items[active].id);
        if (items[active].scrollIntoView) { items[active].scrollIntoView({ block: "nearest" }); }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function failed() {
      list.textContent = "";
      var item = document.createElement("li");
      item.className = "search-none";
      notice(item);
      item.textContent = "Search is unavailable: the search index could not be loaded.";
      list.appendChild(item);
      setOpen(true);
      say("Search is unavailable.", true);
      var fallback = document.querySelectorAll("[data-search-nojs]");
      for (var i = 0; i < fallback.length; i++) { fallback[i].hidden = false; }
    }

    function draw(query) {
      if (!entry) { return; }
      if (entry.error) { failed(); return; }
      var started = performance.now();
      var ranked = rank(entry, query, limit);
      results = ranked.top;
      total = ranked.count;
      var took = performance.now() - started;
      stats.lastMs = took;
      stats.lastCount = total;
      stats.timings.push(took);
      var q = parse(query);
      lastQuery = query;
      list.textContent = "";
      active = -1;
      shown = results;
      for (var i = 0; i < shown.length; i++) {
        var item = document.createElement("li");
        var link = resultLink(url, shown[i].doc, q);
        if (onPage) {
          item.className = "search-result";
        } else {
          item.id = id + "-option-" + i;
          item.className = "search-result";
          item.setAttribute("role", "option");
          item.setAttribute("aria-selected", "false");
          link.tabIndex = -1;
        }
        item.appendChild(link);
        list.appendChild(item);
      }
      if (q.words.length && total > shown.length) {
        var more = document.createElement("li");
        more.className = "search-more";
        if (onPage) {
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = "Show " + Math.min(PAGE_RESULTS, total - shown.length) + " more";
          button.addEventListener("click", function () {
            var first = shown.length;
            limit += PAGE_RESULTS;
            draw(input.value);
            var links = list.querySelectorAll("a");
            if (links[first]) { links[first].focus(); }
          });
          more.appendChild(button);
        } else {
          more.id = id + "-option-all";
          more.setAttribute("role", "option");
          more.setAttribute("aria-selected", "false");
          var all = document.createElement("a");
          all.tabIndex = -1;
          all.href = new URL("search/?q=" + encodeURIComponent(query.trim()), url).href;
          all.textContent = "Show all " + total + " results";
          more.appendChild(all);
        }
        list.appendChild(more);
      }
      if (q.words.length && !total) {
        var none = document.createElement("li");
        none.className = "search-none";
        notice(none);
        none.textContent = "Nothing matches “" + query.trim() + "”. Try fewer or shorter words.";
        list.appendChild(none);
      }
      stats.renderTimings.push(performance.now() - started);
      if (!q.words.length) {
        setOpen(false);
        say(onPage ? "Type to search terms, teams, stories, commitments and pages." : "", true);
        return;
      }
      setOpen(true);
      if (!onPage && results.length) { highlight(0); }
      var count = total ? plural(total, "result", "results") : "No results";
      if (shown.length < total) { count += ", showing the first " + shown.length; }
      say(count + (onPage || !total ? "." : ". Use the up and down arrow keys to choose, Enter to open."), false);
    }

    function start() {
      return load(url).then(function (loaded) {
        entry = loaded;
        return loaded;
      });
    }

    function update() {
      var query = input.value;
      if (onPage && window.history && window.history.replaceState) {
        var here = new URL(window.location.href);
        if (query.trim()) { here.searchParams.set("q", query); } else { here.searchParams.delete("q"); }
        window.history.replaceState(null, "", here.pathname + here.search + here.hash);
      }
      if (entry) { draw(query); return; }
      if (query.trim()) { say("Loading the search index…", true); }
      start().then(function () {
        if (input.value !== query) { return; }
        draw(query);
      });
    }

    function openActive() {
      if (entry && entry.error) { form.submit(); return; }
      var target = options()[active >= 0 ? active : 0];
      var link = target && target.querySelector("a");
      if (link) {
        window.location.assign(link.href);
      } else if (input.value.trim()) {
        form.submit();
      }
    }

    input.addEventListener("focus", function () {
      start().then(function () {
        if (!onPage && input.value.trim() && document.activeElement === input && lastQuery !== null) {
          draw(input.value);
        }
      });
    });
    input.addEventListener("input", update);
    input.addEventListener("keydown", function (event) {
      if (event.isComposing || onPage) { return; }
      var count = options().length;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!open) { if (input.value.trim()) { update(); } return; }
          if (event.altKey) { return; }
          if (count) { highlight(active + 1 >= count ? 0 : active + 1); }
          break;
        case "ArrowUp":
          event.preventDefault();
          if (open && count) { highlight(active <= 0 ? count - 1 : active - 1); }
          break;
        case "Enter":
          if (!input.value.trim() || (entry && entry.error)) { return; }
          if (!entry || input.value !== lastQuery) {
            // Typed faster than the index arrived: open the best result
            // as soon as it is there.
            event.preventDefault();
            start().then(function () {
              if (lastQuery !== input.value) { draw(input.value); }
              openActive();
            });
            return;
          }
          if (open && active >= 0) {
            event.preventDefault();
            openActive();
          }
          // Otherwise the form goes to the search page.
          break;
        case "Escape":
          if (open) {
            event.preventDefault();
            setOpen(false);
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            lastQuery = null;
            results = [];
            total = 0;
            list.textContent = "";
            say("", true);
          }
          break;
        default:
      }
    });
    if (!onPage) {
      // Keep the focus in the box while a result is clicked.
      list.addEventListener("mousedown", function (event) { event.preventDefault(); });
      list.addEventListener("mousemove", function (event) {
        var option = event.target.closest ? event.target.closest("[role=option]") : null;
        if (!option) { return; }
        var items = options();
        for (var i = 0; i < items.length; i++) {
          if (items[i] === option && i !== active) { highlight(i); }
        }
      });
      form.addEventListener("focusout", function (event) {
        if (!event.relatedTarget || !form.contains(event.relatedTarget)) { setOpen(false); }
      });
      document.addEventListener("keydown", function (event) {
        // "/" anywhere but in a text field jumps to the search box.
        var target = event.target;
        var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
        if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
          event.preventDefault();
          input.focus();
          input.select();
        }
      });
    } else {
      form.addEventListener("submit", function (event) {
        // The results are already on the page; the address bar has ?q=.
        event.preventDefault();
        update();
      });
      var initial = new URLSearchParams(window.location.search).get("q");
      if (initial) { input.value = initial; }
      update();
    }
    return {
      input: input,
      load: start,
      query: function (text) {
        input.value = text;
        return start().then(function () { draw(text); return results.map(function (r) { return r.doc; }); });
      }
    };
  }

  var forms = document.querySelectorAll("form[data-search]");
  var first = null;
  for (var i = 0; i < forms.length; i++) {
    var instance = setup(forms[i]);
    if (!first && instance) { first = instance; }
  }

  window.rapportSearch = {
    timings: stats.timings,
    renderTimings: stats.renderTimings,
    stats: stats,
    get lastMs() { return stats.lastMs; },
    get lastCount() { return stats.lastCount; },
    // Runs `text` through the first search box on the page; resolves to the
    // ranked documents ({kind, title, path, ...}).
    query: function (text) { return first ? first.query(text) : Promise.resolve([]); },
    // Fetches the index of the first search box now rather than on focus.
    load: function () { return first ? first.load().then(function () { return stats; }) : Promise.resolve(stats); },
    // The ranking alone, over index rows, for tests and benchmarks.
    engine: function (rows) {
      var entry = { docs: rows.map(function (row) { return new Doc(row); }), error: null, promise: null, last: null };
      return {
        search: function (text, limit) { return rank(entry, text, limit || PAGE_RESULTS); }
      };
    }
  };
})();
