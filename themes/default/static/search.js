// rapport search: results as you type, from /search-index.json, with no
// dependencies and no external services. Without JavaScript the search box
// is a plain form that leads to the search page, which links the A–Z
// glossary and the lists instead.
(function () {
  "use strict";
  var KIND = { t: "Term", m: "Team", s: "Story", c: "Commitment", p: "Page" };
  var MAX_RESULTS = 12;
  var docs = null;
  var loading = null;

  function indexUrl(form) {
    return form.getAttribute("data-index") || "/search-index.json";
  }

  function load(form) {
    if (docs) { return Promise.resolve(docs); }
    if (loading) { return loading; }
    loading = fetch(indexUrl(form), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        docs = data.docs.map(function (d) {
          var title = d[1].toLowerCase();
          var keys = d[3].toLowerCase();
          return {
            kind: d[0], title: d[1], url: d[2], text: d[4],
            lTitle: title, lKeys: keys, lText: d[4].toLowerCase(),
            keyWords: keys ? keys.split(/\s+/) : [],
            titleWords: title.split(/[^\p{L}\p{N}]+/u)
          };
        });
        return docs;
      });
    return loading;
  }

  // Acronyms, aliases and titles weigh most; the text decides the rest.
  function scoreTerm(doc, term) {
    var best = 0;
    if (doc.keyWords.indexOf(term) !== -1) { best = 100; }
    else if (doc.lTitle === term) { best = 95; }
    else if (doc.lTitle.indexOf(term) === 0) { best = 70; }
    else if (doc.lKeys.indexOf(term) !== -1) { best = 60; }
    else {
      for (var i = 0; i < doc.titleWords.length; i++) {
        if (doc.titleWords[i].indexOf(term) === 0) { best = 45; break; }
      }
      if (!best && doc.lTitle.indexOf(term) !== -1) { best = 25; }
      if (!best && doc.lText.indexOf(term) !== -1) { best = 5; }
    }
    return best;
  }

  function search(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length || !docs) { return []; }
    var found = [];
    for (var i = 0; i < docs.length; i++) {
      var doc = docs[i];
      var total = 0;
      for (var j = 0; j < terms.length; j++) {
        var s = scoreTerm(doc, terms[j]);
        if (!s) { total = 0; break; }
        total += s;
      }
      if (total) {
        if (doc.kind === "t") { total += 3; }
        found.push({ doc: doc, score: total });
      }
    }
    found.sort(function (a, b) {
      return b.score - a.score || a.doc.title.length - b.doc.title.length ||
        (a.doc.title < b.doc.title ? -1 : a.doc.title > b.doc.title ? 1 : 0);
    });
    return found.slice(0, MAX_RESULTS).map(function (f) { return f.doc; });
  }

  function excerpt(doc, query) {
    var text = doc.text;
    var at = doc.lText.indexOf(query.toLowerCase().split(/\s+/)[0] || "");
    if (at > 60) { text = "…" + text.slice(at - 40); }
    return text.length > 140 ? text.slice(0, 140) + "…" : text;
  }

  function setup(form) {
    var input = form.querySelector("input[type=search]");
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var status = form.querySelector("[data-search-status]");
    var active = -1;
    var current = [];

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      for (var i = 0; i < items.length; i++) {
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(query) {
      var started = performance.now();
      current = search(query);
      var took = performance.now() - started;
      window.rapportSearch.lastMs = took;
      window.rapportSearch.timings.push(took);
      list.textContent = "";
      current.forEach(function (doc, i) {
        var item = document.createElement("li");
        item.id = "search-result-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        var link = document.createElement("a");
        link.href = doc.url;
        link.tabIndex = -1;
        var kind = document.createElement("span");
        kind.className = "search-kind";
        kind.textContent = KIND[doc.kind] || "";
        var title = document.createElement("span");
        title.className = "search-title";
        title.textContent = doc.title;
        var text = document.createElement("span");
        text.className = "search-text";
        text.textContent = excerpt(doc, query);
        link.appendChild(kind);
        link.appendChild(title);
        link.appendChild(text);
        item.appendChild(link);
        list.appendChild(item);
      });
      var shown = query.trim() !== "";
      list.hidden = !shown;
      input.setAttribute("aria-expanded", shown ? "true" : "false");
      if (status) {
        status.textContent = shown ? (current.length ? current.length + " result" + (current.length === 1 ? "" : "s") : "No results") : "";
      }
      if (shown && !current.length) {
        var none = document.createElement("li");
        none.className = "search-none";
        none.textContent = "No page matches “" + query + "”.";
        list.appendChild(none);
      }
      highlight(current.length ? 0 : -1);
    }

    function update() {
      var query = input.value;
      load(form).then(function () { if (input.value === query) { render(query); } });
    }

    input.addEventListener("focus", function () { load(form); });
    input.addEventListener("input", update);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && current.length) {
        event.preventDefault();
        highlight(Math.min(active + 1, current.length - 1));
      } else if (event.key === "ArrowUp" && current.length) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        var target = current[active >= 0 ? active : 0];
        if (target) {
          event.preventDefault();
          window.location.href = target.url;
        }
      } else if (event.key === "Escape") {
        close();
      }
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) { close(); }
    });
    // On the search page, ?q= fills the box and shows its results.
    var query = new URLSearchParams(window.location.search).get("q");
    if (query && form.hasAttribute("data-search-page")) {
      input.value = query;
      update();
    }
    window.rapportSearch.query = function (q) { input.value = q; return load(form).then(function () { render(q); return current; }); };
  }

  window.rapportSearch = { lastMs: null, timings: [], search: search };
  var forms = document.querySelectorAll("form[data-search]");
  for (var i = 0; i < forms.length; i++) { setup(forms[i]); }
})();
