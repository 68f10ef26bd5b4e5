// rapport search: results as you type, from the site's sharded search
// index, with no dependencies and no external services.
//
// Every form[data-search] on the page gets it. The manifest's URL comes from
// the form's data-index attribute (it carries the site's base path); every
// other file of the index is resolved against it, so a site published under
// a sub-path works unchanged. The manifest is fetched the first time a
// search box gets focus; the rest is fetched as queries need it and kept:
//
// - a query word fetches its group (the words of the index that start with
//   its first two letters) and matches it against every word there: the
//   word itself, from 3 letters the words it starts, from 5 letters the
//   words one typo away (a letter added, missing, wrong, or two swapped);
// - a large group keeps its documents in sub-shards by three letters, of
//   which only those holding matched words are fetched;
// - the results on screen fetch their documents' chunk (title, path,
//   context line, and the passages their snippet is cut from).
//
// Ranking, highest first (docs/search.md has the details): documents that
// hold every word of the query, then those that hold more of them; then
// the points of each word at its best field (a title that is the word, an
// acronym or alias that is the word, a title word, a key word, a team's
// reading, any other text), less for a prefix and less again for a typo;
// then shorter titles; then terms, teams, pages, stories, commitments; then
// site order.
//
// Two modes:
// - the header box (a combobox): a popup listbox of the best results,
//   ArrowUp/ArrowDown to choose, Enter to open, Escape to close;
// - the search page (form[data-search-page]): a plain list of links under
//   the box, filled from ?q= and kept in step with the address bar.
// Without JavaScript the header form submits to the search page, which then
// explains that search needs JavaScript and links the lists instead.
(function () {
  "use strict";

  var KIND = { t: "Term", m: "Team", s: "Story", c: "Commitment", p: "Page" };
  var KIND_BONUS = { t: 4, m: 3, p: 2, s: 1, c: 0 };
  // By level, as the index writes it: other text, a team's reading, a word
  // of a key, a word of the title, a key that is the word, a title that is
  // the word.
  var LEVEL_POINTS = [1, 3, 6, 8, 12, 14];
  var EXACT = 1;
  var PREFIX = 0.6;
  var TYPO = 0.4;
  var PREFIX_FROM = 3;
  var TYPO_FROM = 5;
  var FORMAT = 3;
  var POPUP_RESULTS = 8;
  var PAGE_RESULTS = 50;
  var STATUS_DELAY = 600;
  var SNIPPET_BEFORE = 60;
  var SNIPPET_LENGTH = 180;
  var PATIENCE = 3000;

  var stats = {
    // Milliseconds from each keystroke to its results on screen, fetching
    // included (a keystroke overtaken by the next one counts until the
    // results that include it are drawn). One entry a keystroke.
    timings: [],
    // Milliseconds each drawn search spent computing (matching, ranking,
    // snippets, drawing), without waiting for the network.
    computeTimings: [],
    lastMs: null,
    lastCount: null,
    // Why the index could not be loaded, if it could not.
    error: null,
    // Fetching and reading the manifest, once.
    loadMs: null,
    docs: 0,
    // Every index file fetched, in order (URLs).
    fetched: []
  };

  // ---- Words ------------------------------------------------------------

  var ACCENTS = /[\u0300-\u036f]/g;
  var NON_ASCII = /[^\x00-\x7f]/;
  // Letters and digits of any script, as Rust's char::is_alphanumeric.
  var WORD = /[\p{Alphabetic}\p{N}]+/gu;
  // The same, for walking a text with exec (match() resets lastIndex).
  var RUN = /[\p{Alphabetic}\p{N}]+/gu;

  // Lowercase without accents: "Café" and "cafe" match.
  function fold(text) {
    var lower = text.toLowerCase();
    if (NON_ASCII.test(lower) && lower.normalize) {
      return lower.normalize("NFD").replace(ACCENTS, "");
    }
    return lower;
  }

  function words(folded) {
    return folded.match(WORD) || [];
  }

  // The first `n` characters (code points) of `word`.
  function head(word, n) {
    return Array.from(word).slice(0, n).join("");
  }

  function letters(word) {
    return Array.from(word).length;
  }

  function hex(key) {
    var bytes = new TextEncoder().encode(key);
    var out = "";
    for (var i = 0; i < bytes.length; i++) { out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return out;
  }

  // Whether `a` and `b` are at most one edit apart: a letter added,
  // missing or wrong, or two neighbours swapped.
  function oneEdit(a, b) {
    var la = a.length, lb = b.length;
    if (la - lb > 1 || lb - la > 1) { return false; }
    var i = 0;
    while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) { i++; }
    if (i === la && i === lb) { return true; }
    if (la === lb) {
      if (a.slice(i + 1) === b.slice(i + 1)) { return true; }
      return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
    }
    if (la < lb) { return a.slice(i) === b.slice(i + 1); }
    return a.slice(i + 1) === b.slice(i);
  }

  // How `word` of the index matches the query word `q`: EXACT, PREFIX
  // (it starts with q), TYPO (it, or its start, is one edit from q), or 0.
  function matchFactor(word, q, qLetters) {
    if (word === q) { return EXACT; }
    if (qLetters >= PREFIX_FROM && word.lastIndexOf(q, 0) === 0) { return PREFIX; }
    if (qLetters >= TYPO_FROM) {
      var n = q.length;
      if (oneEdit(q, word.slice(0, n)) || oneEdit(q, word.slice(0, n + 1)) || oneEdit(q, word.slice(0, n - 1))) {
        return TYPO;
      }
    }
    return 0;
  }

  // The query's distinct words, folded.
  function parse(query) {
    var list = words(fold(query));
    var seen = Object.create(null);
    var out = [];
    for (var i = 0; i < list.length; i++) {
      if (!seen[list[i]]) { seen[list[i]] = true; out.push(list[i]); }
    }
    return out;
  }

  // ---- The index --------------------------------------------------------

  var indexes = Object.create(null);

  function Index(url) {
    this.url = url;
    // The shards sit in a folder named like the manifest, beside it:
    // search-index.json -> search-index/.
    this.base = url.replace(/\.json(?=$|[?#])/, "/").replace(/[?#].*$/, "");
    this.stamp = "";
    this.count = 0;
    this.chunk = 1;
    this.kinds = null;
    this.titles = null;
    this.groups = null;
    this.files = Object.create(null);
    this.postings = Object.create(null);
    this.error = null;
  }

  // Fetches `url` as JSON. A first request that has no answer at all after
  // PATIENCE milliseconds is given up and made once more, with no time
  // limit: a stalled connection should not leave the results hanging, and
  // a slow one still gets there.
  function getJson(url, retry) {
    stats.fetched.push(url);
    var controller = retry && window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, PATIENCE) : null;
    return fetch(url, { credentials: "same-origin", signal: controller ? controller.signal : undefined })
      .then(function (response) {
        // An answer has started: however slow the rest, let it come.
        clearTimeout(timer);
        if (!response.ok) { throw new Error("HTTP " + response.status + " for " + url); }
        return response.json();
      })
      .catch(function (error) {
        clearTimeout(timer);
        if (retry && error && error.name === "AbortError") { return getJson(url, false); }
        throw error;
      });
  }

  Index.prototype.fetchJson = function (path) {
    var files = this.files;
    if (!files[path]) {
      files[path] = getJson(new URL(path + "?v=" + this.stamp, this.base).href, true);
      files[path].catch(function () { delete files[path]; });
    }
    return files[path];
  };

  Index.prototype.read = function (manifest) {
    if (manifest.version !== FORMAT) {
      throw new Error("search index format " + manifest.version + ", this script reads " + FORMAT);
    }
    this.stamp = manifest.stamp;
    this.count = manifest.docs;
    this.chunk = manifest.chunk;
    var kinds = new Array(this.count);
    var at = 0;
    for (var r = 0; r < manifest.kinds.length; r++) {
      for (var k = 0; k < manifest.kinds[r][1]; k++) { kinds[at++] = manifest.kinds[r][0]; }
    }
    this.kinds = kinds;
    var titles = new Uint8Array(this.count);
    for (var i = 0; i < this.count; i++) { titles[i] = parseInt(manifest.titles.charAt(i), 36) || 0; }
    this.titles = titles;
    this.groups = Object.create(null);
    for (var g = 0; g < manifest.groups.length; g++) { this.groups[manifest.groups[g]] = true; }
  };

  // The postings of `word`, decoded: {docs: Int32Array, levels: Uint8Array}.
  function decode(list) {
    var docs = new Int32Array(list.length);
    var levels = new Uint8Array(list.length);
    var doc = 0;
    for (var i = 0; i < list.length; i++) {
      var v = list[i];
      doc += Math.floor(v / 8);
      docs[i] = doc;
      levels[i] = v % 8;
    }
    return { docs: docs, levels: levels };
  }

  Index.prototype.postingsOf = function (word, shard) {
    var cached = this.postings[word];
    if (!cached) {
      var at = binarySearch(shard.words, word);
      cached = this.postings[word] = decode(at >= 0 ? shard.postings[at] : []);
    }
    return cached;
  };

  function binarySearch(list, word) {
    var lo = 0, hi = list.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid] === word) { return mid; }
      if (list[mid] < word) { lo = mid + 1; } else { hi = mid - 1; }
    }
    return -1;
  }

  // The words of the index that match the query word `q`, each with its
  // factor and postings. Synchronous when everything needed is here;
  // else a promise.
  Index.prototype.lookup = function (q) {
    var self = this;
    var group = head(q, 2);
    if (!this.groups[group]) { return []; }
    return this.fetchJson("g/" + hex(group) + ".json").then(function (shard) {
      var qLetters = letters(q);
      var matched = [];
      for (var i = 0; i < shard.words.length; i++) {
        var f = matchFactor(shard.words[i], q, qLetters);
        if (f) { matched.push({ word: shard.words[i], factor: f, postings: null }); }
      }
      if (!shard.split) {
        for (var m = 0; m < matched.length; m++) { matched[m].postings = self.postingsOf(matched[m].word, shard); }
        return matched;
      }
      var parts = Object.create(null);
      var waits = [];
      matched.forEach(function (match) {
        if (self.postings[match.word]) { match.postings = self.postings[match.word]; return; }
        var part = head(match.word, 3);
        if (!parts[part]) {
          parts[part] = self.fetchJson("s/" + hex(part) + ".json");
          waits.push(parts[part]);
        }
        waits.push(parts[part].then(function (sub) { match.postings = self.postingsOf(match.word, sub); }));
      });
      return Promise.all(waits).then(function () { return matched; });
    });
  };

  Index.prototype.doc = function (id) {
    var chunk = Math.floor(id / this.chunk);
    var self = this;
    return this.fetchJson("d/" + chunk + ".json").then(function (data) {
      var row = data.docs[id - chunk * self.chunk];
      return { id: id, kind: row[0], title: row[1], path: row[2], keys: row[3], meta: row[4], passages: row[5] };
    });
  };

  function load(url) {
    var entry = indexes[url];
    if (!entry) {
      entry = indexes[url] = { index: new Index(url), promise: null, error: null };
      var started = performance.now();
      entry.promise = getJson(url, true)
        .then(function (manifest) {
          entry.index.read(manifest);
          stats.loadMs = performance.now() - started;
          stats.docs = entry.index.count;
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

  // Per query word, the best points each document earns; then per
  // document, how many words it holds and the sum of their points.
  function rank(index, matches, limit) {
    var n = index.count;
    var hits = new Uint8Array(n);
    var score = new Float64Array(n);
    var best = new Float64Array(n);
    var found = [];
    for (var w = 0; w < matches.length; w++) {
      var touched = [];
      for (var m = 0; m < matches[w].length; m++) {
        var match = matches[w][m];
        var docs = match.postings.docs, levels = match.postings.levels;
        for (var i = 0; i < docs.length; i++) {
          var d = docs[i];
          var s = LEVEL_POINTS[levels[i]] * match.factor;
          if (s > best[d]) {
            if (!best[d]) { touched.push(d); }
            best[d] = s;
          }
        }
      }
      for (var t = 0; t < touched.length; t++) {
        var doc = touched[t];
        if (!hits[doc]) { found.push(doc); }
        hits[doc]++;
        score[doc] += best[doc];
        best[doc] = 0;
      }
    }
    var kinds = index.kinds, titles = index.titles;
    function before(a, b) {
      if (hits[a] !== hits[b]) { return hits[a] > hits[b]; }
      if (score[a] !== score[b]) { return score[a] > score[b]; }
      if (titles[a] !== titles[b]) { return titles[a] < titles[b]; }
      var ka = KIND_BONUS[kinds[a]] || 0, kb = KIND_BONUS[kinds[b]] || 0;
      if (ka !== kb) { return ka > kb; }
      return a < b;
    }
    // Only the best `limit` are kept in order: a common word is in nearly
    // every document, and sorting them all would cost more than ranking.
    var top = [];
    var all = 0;
    for (var f = 0; f < found.length; f++) {
      var id = found[f];
      if (hits[id] === matches.length) { all++; }
      if (top.length >= limit && !before(id, top[top.length - 1])) { continue; }
      if (top.length >= limit) { top.pop(); }
      var k = top.length;
      top.push(id);
      while (k > 0 && before(id, top[k - 1])) { top[k] = top[k - 1]; k--; }
      top[k] = id;
    }
    return {
      ids: top,
      count: found.length,
      all: all,
      hits: top.map(function (x) { return hits[x]; }),
      scores: top.map(function (x) { return score[x]; })
    };
  }

  // Runs `query` against the index: {words, matched (index word -> true),
  // results: [{doc, hits, score}], count, all}. Resolves synchronously
  // (a plain value) when nothing needs fetching.
  function search(index, query, limit) {
    var qs = parse(query);
    var lookups = qs.map(function (q) { return index.lookup(q); });
    function finish(matches) {
      var started = performance.now();
      var ranked = rank(index, matches, limit);
      var rankMs = performance.now() - started;
      var matched = Object.create(null);
      matches.forEach(function (list) { list.forEach(function (m) { matched[m.word] = true; }); });
      return Promise.all(ranked.ids.map(function (id) { return index.doc(id); })).then(function (docs) {
        return {
          words: qs,
          matched: matched,
          results: docs.map(function (doc, i) { return { doc: doc, hits: ranked.hits[i], score: ranked.scores[i] }; }),
          count: ranked.count,
          all: ranked.all,
          rankMs: rankMs
        };
      });
    }
    return Promise.all(lookups).then(finish);
  }

  // ---- Snippets and marks -----------------------------------------------

  // The word runs of `text` as [start, end, matched], `matched` when one of
  // the run's folded words matched the query.
  function runs(text, matched) {
    var out = [];
    RUN.lastIndex = 0;
    var m;
    if (!NON_ASCII.test(text)) {
      // Plain ASCII folds letter for letter: one lowercase copy will do.
      var lower = text.toLowerCase();
      while ((m = RUN.exec(lower)) !== null) {
        out.push([m.index, m.index + m[0].length, matched[m[0]] === true]);
      }
      return out;
    }
    while ((m = RUN.exec(text)) !== null) {
      var parts = words(fold(m[0]));
      var hit = false;
      for (var i = 0; i < parts.length && !hit; i++) { hit = matched[parts[i]] === true; }
      out.push([m.index, m.index + m[0].length, hit]);
    }
    return out;
  }

  // `text` with the matched words in <mark>, as DOM nodes (never as HTML).
  function marked(text, matched) {
    var fragment = document.createDocumentFragment();
    var from = 0;
    var list = runs(text, matched);
    for (var i = 0; i < list.length; i++) {
      if (!list[i][2]) { continue; }
      if (list[i][0] > from) { fragment.appendChild(document.createTextNode(text.slice(from, list[i][0]))); }
      var mark = document.createElement("mark");
      mark.textContent = text.slice(list[i][0], list[i][1]);
      fragment.appendChild(mark);
      from = list[i][1];
    }
    if (from < text.length) { fragment.appendChild(document.createTextNode(text.slice(from))); }
    return fragment;
  }

  // The passage that holds the most matched words (the first of equals),
  // cut to about SNIPPET_LENGTH characters around its first match:
  // {label, text}. The start of the first passage when none matches.
  function snippet(doc, matched) {
    var chosen = null, chosenAt = 0, chosenCount = 0;
    for (var p = 0; p < doc.passages.length; p++) {
      var text = doc.passages[p][1];
      var list = runs(text, matched);
      var distinct = Object.create(null), count = 0, first = -1;
      for (var i = 0; i < list.length; i++) {
        if (!list[i][2]) { continue; }
        var word = fold(text.slice(list[i][0], list[i][1]));
        if (!distinct[word]) { distinct[word] = true; count++; }
        if (first < 0) { first = list[i][0]; }
      }
      if (count > chosenCount) { chosen = doc.passages[p]; chosenAt = first; chosenCount = count; }
    }
    if (!chosen) {
      if (!doc.passages.length) { return null; }
      chosen = doc.passages[0];
      chosenAt = 0;
    }
    var full = chosen[1];
    var start = 0;
    if (chosenAt > SNIPPET_BEFORE) {
      start = full.lastIndexOf(" ", chosenAt - SNIPPET_BEFORE) + 1;
    }
    var end = Math.min(full.length, start + SNIPPET_LENGTH);
    if (end < full.length) {
      var space = full.lastIndexOf(" ", end);
      if (space > chosenAt) { end = space; }
    }
    return {
      label: chosen[0],
      text: (start > 0 ? "…" : "") + full.slice(start, end) + (end < full.length ? "…" : "")
    };
  }

  // ---- Drawing results --------------------------------------------------

  function resolve(url, doc) {
    var u = new URL(doc.path, url);
    return u.origin === window.location.origin ? u.pathname + u.search + u.hash : u.href;
  }

  function span(className, content) {
    var element = document.createElement("span");
    element.className = className;
    if (typeof content === "string") { element.textContent = content; } else { element.appendChild(content); }
    return element;
  }

  function resultLink(url, doc, matched) {
    var link = document.createElement("a");
    link.href = resolve(url, doc);
    link.className = "search-link";
    var headLine = span("search-head", "");
    headLine.appendChild(span("search-kind search-kind-" + doc.kind, KIND[doc.kind] || "Page"));
    headLine.appendChild(span("search-title", marked(doc.title, matched)));
    link.appendChild(headLine);
    // Aliases and other keys the context line does not show already.
    var keys = doc.keys.filter(function (key) { return doc.meta.split(" · ").indexOf(key) === -1; });
    if (keys.length) { link.appendChild(span("search-keys", marked(keys.join(" · "), matched))); }
    if (doc.meta) { link.appendChild(span("search-meta", marked(doc.meta, matched))); }
    var cut = snippet(doc, matched);
    if (cut) {
      var text = span("search-text", "");
      if (cut.label) { text.appendChild(span("search-label", cut.label + ": ")); }
      text.appendChild(marked(cut.text, matched));
      link.appendChild(text);
    }
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
    var limit = onPage ? PAGE_RESULTS : POPUP_RESULTS;
    var active = -1;
    var open = false;
    var statusTimer = null;
    // The query whose results are on screen, and the one being searched.
    var lastQuery = null;
    var running = null;
    var generation = 0;
    // When each keystroke not yet on screen happened.
    var pending = [];

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

    function flushTimings() {
      var now = performance.now();
      for (var i = 0; i < pending.length; i++) { stats.timings.push(now - pending[i]); }
      pending = [];
    }

    // Searches `query` and draws its results, unless another query has
    // started meanwhile. Resolves once they are on screen (or overtaken).
    function run(query) {
      var mine = ++generation;
      var qs = parse(query);
      if (!qs.length) {
        running = null;
        lastQuery = query;
        results = [];
        total = 0;
        list.textContent = "";
        setOpen(false);
        say(onPage ? "Type to search terms, teams, stories, commitments and pages." : "", true);
        flushTimings();
        return Promise.resolve();
      }
      var started = performance.now();
      running = search(entry.index, query, limit).then(function (found) {
        if (mine !== generation) { return; }
        var drawStarted = performance.now();
        draw(query, qs, found);
        stats.computeTimings.push(found.rankMs + performance.now() - drawStarted);
        stats.lastMs = performance.now() - started;
        stats.lastCount = found.count;
        flushTimings();
      }, function (error) {
        if (mine !== generation) { return; }
        entry.error = error;
        stats.error = String(error);
        failed();
        flushTimings();
      });
      return running;
    }

    function draw(query, qs, found) {
      results = found.results;
      total = found.count;
      lastQuery = query;
      running = null;
      list.textContent = "";
      // Which query the list answers, for tests and user styles.
      list.setAttribute("data-query", query);
      active = -1;
      for (var i = 0; i < results.length; i++) {
        var item = document.createElement("li");
        var link = resultLink(url, results[i].doc, found.matched);
        item.className = "search-result";
        if (!onPage) {
          item.id = id + "-option-" + i;
          item.setAttribute("role", "option");
          item.setAttribute("aria-selected", "false");
          link.tabIndex = -1;
        }
        item.appendChild(link);
        list.appendChild(item);
      }
      if (total > results.length) {
        var more = document.createElement("li");
        more.className = "search-more";
        if (onPage) {
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = "Show " + Math.min(PAGE_RESULTS, total - results.length) + " more";
          button.addEventListener("click", function () {
            var first = results.length;
            limit += PAGE_RESULTS;
            run(input.value).then(function () {
              var links = list.querySelectorAll("a");
              if (links[first]) { links[first].focus(); }
            });
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
      var short = qs.every(function (q) { return letters(q) < PREFIX_FROM; });
      if (!total) {
        var none = document.createElement("li");
        none.className = "search-none";
        notice(none);
        none.textContent = short ?
          "Keep typing: words of three letters or more also find the words they start." :
          "Nothing matches “" + query.trim() + "”. Try fewer or other words.";
        list.appendChild(none);
      }
      setOpen(true);
      if (!onPage && results.length) { highlight(0); }
      // "Loading…" must not outlive the results it announced.
      if (status && status.textContent.indexOf("Loading") === 0) { status.textContent = ""; }
      var count = total ? plural(total, "result", "results") : "No results";
      if (total && found.all < total && qs.length > 1) {
        count += " (" + found.all + " with every word)";
      }
      if (results.length < total) { count += ", showing the first " + results.length; }
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
      pending.push(performance.now());
      if (onPage && window.history && window.history.replaceState) {
        var here = new URL(window.location.href);
        if (query.trim()) { here.searchParams.set("q", query); } else { here.searchParams.delete("q"); }
        window.history.replaceState(null, "", here.pathname + here.search + here.hash);
      }
      if (entry) {
        if (entry.error) { failed(); flushTimings(); return; }
        run(query);
        return;
      }
      if (query.trim()) { say("Loading the search index…", true); }
      start().then(function () {
        if (input.value !== query) { return; }
        if (entry.error) { failed(); flushTimings(); return; }
        run(query);
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
        if (!onPage && input.value.trim() && document.activeElement === input && lastQuery !== null && !entry.error) {
          run(input.value);
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
          if (!entry || input.value !== lastQuery || running) {
            // Typed faster than the index arrived: open the best result
            // as soon as it is there.
            event.preventDefault();
            start().then(function () {
              if (entry.error) { form.submit(); return; }
              var ready = lastQuery === input.value && !running ? null : run(input.value);
              Promise.resolve(ready).then(openActive);
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
            generation++;
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
    return { url: url, load: start };
  }

  var forms = document.querySelectorAll("form[data-search]");
  var first = null;
  for (var i = 0; i < forms.length; i++) {
    var instance = setup(forms[i]);
    if (!first && instance) { first = instance; }
  }

  window.rapportSearch = {
    timings: stats.timings,
    computeTimings: stats.computeTimings,
    stats: stats,
    get lastMs() { return stats.lastMs; },
    get lastCount() { return stats.lastCount; },
    // Fetches the manifest of the first search box now rather than on focus.
    load: function () { return first ? first.load().then(function () { return stats; }) : Promise.resolve(stats); },
    // Searches the first box's index without drawing, for tests and
    // benchmarks: resolves to {count, all, results: [{kind, title, path,
    // hits, score, snippet: {label, text}}]}.
    search: function (text, limit) {
      if (!first) { return Promise.resolve(null); }
      return first.load().then(function (entry) {
        if (entry.error) { throw entry.error; }
        return search(entry.index, text, limit || PAGE_RESULTS);
      }).then(function (found) {
        return {
          count: found.count,
          all: found.all,
          matched: Object.keys(found.matched).sort(),
          results: found.results.map(function (r) {
            return {
              kind: r.doc.kind, title: r.doc.title, path: r.doc.path,
              hits: r.hits, score: r.score, snippet: snippet(r.doc, found.matched)
            };
          })
        };
      });
    }
  };
})();
