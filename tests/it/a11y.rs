//! Can everyone read it: the example site, built with today pinned, checked
//! the way a person with any browser, screen or screen reader would meet it.
//!
//! - every page is one link away from the header or footer of every page;
//! - axe-core finds nothing on one page of every kind, in light and dark
//!   mode, in headless Chromium;
//! - the Nu HTML checker finds no error in any page;
//! - on a 390 px phone, chart text is at least 11 px and nothing in a chart
//!   is drawn outside it.
//!
//! axe-core and the Nu checker come from npm (`.ci/run` installs them under
//! `target/a11y-tools/`). Without them the tests say so and pass, unless
//! `RAPPORT_REQUIRE_AXE=1` or `RAPPORT_REQUIRE_VNU=1` (set by `.ci/run`)
//! makes a missing tool a failure.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::reader::serve_folder;
use crate::support::{SiteTest, between, exclusive, html_pages, manifest_dir};
use crate::webdriver::Browser;

/// The example site (the repository's own content), built as a reader gets
/// it.
fn example_site() -> SiteTest {
    let root = manifest_dir().to_string_lossy().into_owned();
    let site = SiteTest::empty();
    let out = site.out().to_string_lossy().into_owned();
    site.run(&["build", "--root", &root, "--out", &out, "--today", "2026-11-29"])
        .assert_exit(0)
}

/// One page of every kind: `(kind, path under the site)`.
const PAGES: [(&str, &str); 18] = [
    ("home", ""),
    ("glossary", "glossary/"),
    ("term", "glossary/mql/"),
    ("teams", "teams/"),
    ("team", "teams/marketing/"),
    ("stories", "stories/"),
    ("story", "stories/keystone-renewal/"),
    ("commitments", "commitments/"),
    // Rated, late and rescheduled.
    ("commitment", "commitments/pricing-page/"),
    // Open: its timeline has a "Today" marker.
    ("open commitment", "commitments/roadmap-themes-2027/"),
    ("happiness", "happiness/"),
    ("gaps", "gaps/"),
    ("scores", "scores/"),
    ("search", "search/?q=renewal"),
    ("page", "about/"),
    ("section", "guides/"),
    ("guide", "guides/how-to-contribute/"),
    ("404", "404.html"),
];

/// The folder npm installed the checkers into.
fn tools() -> PathBuf {
    manifest_dir().join("target/a11y-tools/node_modules")
}

/// `path` when it exists; else `None` after saying why, or a failure when
/// `require` is set to 1.
fn tool(test: &str, path: &Path, require: &str) -> Option<PathBuf> {
    if path.exists() {
        return Some(path.to_path_buf());
    }
    let reason = format!(
        "{} is missing (npm install --prefix target/a11y-tools axe-core@4 vnu-jar, as .ci/run does)",
        path.display()
    );
    if std::env::var(require).is_ok_and(|v| v == "1") {
        panic!("{test}: {require}=1 but {reason}");
    }
    eprintln!("skipping {test}: {reason}");
    None
}

/// The `href`s of the links in `html`.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

/// The page `href` (relative to the site root) points to, when it is a
/// page of the site: `glossary/mql/` -> `glossary/mql/index.html`.
fn target(href: &str) -> Option<String> {
    let path = href.strip_prefix('/')?.split(['#', '?']).next()?;
    if path.is_empty() || path.ends_with('/') {
        Some(format!("{path}index.html"))
    } else {
        Some(path.to_string())
    }
}

#[test]
fn every_page_is_linked_from_the_header_or_footer_or_from_a_page_they_link() {
    let site = example_site();
    let pages = html_pages(site.out());
    // The frame of every page (header and footer) links the lists, the
    // pages that belong to no list, the feed and the data files.
    for (path, html) in &pages {
        let frame = format!(
            "{}{}",
            between(html, "<header class=\"site-header\">", "</header>"),
            between(html, "<footer class=\"site-footer\">", "</footer>")
        );
        let links: BTreeSet<String> = hrefs(&frame).into_iter().collect();
        for needed in [
            "/glossary/",
            "/teams/",
            "/stories/",
            "/commitments/",
            "/happiness/",
            "/gaps/",
            "/scores/",
            "/guides/",
            "/about/",
            "/atom.xml",
            "/data/teams.json",
            "/data/terms.json",
            "/data/stories.json",
            "/data/commitments.json",
            "/data/scores.json",
        ] {
            assert!(
                links.contains(needed),
                "{path}: no link to {needed} in the header or footer: {links:?}"
            );
        }
    }
    // From the home page, following links, a reader reaches every page and
    // every file for tools.
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue = vec!["index.html".to_string()];
    while let Some(page) = queue.pop() {
        if !seen.insert(page.clone()) {
            continue;
        }
        if let Some(html) = pages.get(&page) {
            queue.extend(hrefs(html).iter().filter_map(|h| target(h)));
        }
    }
    let files = crate::support::output_files(site.out());
    let unreached: Vec<&String> = files
        .keys()
        .filter(|p| p.ends_with(".html") || p.ends_with(".json") || p.ends_with(".xml"))
        // The 404 page is what the server answers for a missing page; the
        // search index and sitemap are for search.js and crawlers.
        .filter(|p| !matches!(p.as_str(), "404.html" | "search-index.json" | "sitemap.xml"))
        // The search index's shards, which search.js fetches.
        .filter(|p| !p.starts_with("search-index/"))
        .filter(|p| !seen.contains(*p))
        .collect();
    assert!(unreached.is_empty(), "no link leads to {unreached:?}");
}

#[test]
fn every_example_page_passes_the_nu_html_checker() {
    let test = "every_example_page_passes_the_nu_html_checker";
    let Some(jar) = tool(test, &tools().join("vnu-jar/build/dist/vnu.jar"), "RAPPORT_REQUIRE_VNU") else {
        return;
    };
    // A Java virtual machine on every core: alone, like the browser tests
    // below.
    let _alone = exclusive();
    let site = example_site();
    let pages: Vec<PathBuf> = html_pages(site.out()).keys().map(|p| site.out().join(p)).collect();
    assert!(pages.len() > 50, "the example site has pages: {}", pages.len());
    let output = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "json"])
        .args(&pages)
        .output()
        .expect("java runs the Nu checker (apt-get install default-jre-headless)");
    // The checker writes its JSON report to standard error.
    let report: Value = serde_json::from_slice(&output.stderr)
        .unwrap_or_else(|e| panic!("the checker's report: {e}: {}", String::from_utf8_lossy(&output.stderr)));
    let messages = report["messages"].as_array().cloned().unwrap_or_default();
    let errors: Vec<String> = messages
        .iter()
        .map(|m| {
            format!(
                "{}:{}: {} ({})",
                m["url"]
                    .as_str()
                    .unwrap_or("?")
                    .rsplit("/public/")
                    .next()
                    .unwrap_or("?"),
                m["lastLine"],
                m["message"].as_str().unwrap_or("?"),
                m["extract"].as_str().unwrap_or("").trim()
            )
        })
        .collect();
    assert!(
        errors.is_empty(),
        "{} errors from the Nu checker:\n{}",
        errors.len(),
        errors.join("\n")
    );
    assert!(output.status.success(), "the checker failed: {output:?}");
}

/// Runs axe-core (already injected) on the open page; one line per
/// violation and element.
fn axe_violations(browser: &Browser) -> Vec<(String, String)> {
    let result = browser.eval(
        "return axe.run(document, { resultTypes: ['violations'] }).then(function (r) { \
           return r.violations.map(function (v) { \
             return { id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) { \
               return n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\\s+/g, ' '); }) }; }); });",
    );
    let mut out = Vec::new();
    for violation in result.as_array().cloned().unwrap_or_default() {
        let id = violation["id"].as_str().unwrap_or("?").to_string();
        for node in violation["nodes"].as_array().cloned().unwrap_or_default() {
            out.push((
                id.clone(),
                format!(
                    "{} ({}): {}",
                    violation["help"].as_str().unwrap_or(""),
                    violation["impact"].as_str().unwrap_or(""),
                    node.as_str().unwrap_or("")
                ),
            ));
        }
    }
    out
}

/// Opens `path` of the site served on `port` and waits for the scripts:
/// the search page fills its results from `?q=`.
fn open(browser: &Browser, port: u16, path: &str) {
    browser.goto(&format!("http://127.0.0.1:{port}/{path}"));
    if path.starts_with("search/") {
        browser.wait_for(
            "the search results",
            "var s = document.querySelector('[data-search-status]'); return s ? s.innerText : '';",
            Duration::from_secs(10),
        );
    }
}

#[test]
fn axe_finds_nothing_on_any_kind_of_page_in_light_and_dark_mode() {
    let test = "axe_finds_nothing_on_any_kind_of_page_in_light_and_dark_mode";
    let Some(axe) = tool(test, &tools().join("axe-core/axe.min.js"), "RAPPORT_REQUIRE_AXE") else {
        return;
    };
    // A minute of Chromium at full tilt: alone, so as not to slow the tests
    // that count or time something (as every test here that starts a
    // browser or Java).
    let _alone = exclusive();
    let Some(browser) = Browser::start(test, 1366, 900) else {
        return;
    };
    let axe = std::fs::read_to_string(axe).expect("axe.min.js");
    let site = example_site();
    let port = serve_folder(site.out());
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for scheme in ["light", "dark"] {
        browser.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        );
        for (width, height) in [(1366, 900), (390, 844)] {
            browser.resize(width, height);
            for (kind, path) in PAGES {
                open(&browser, port, path);
                let dark = browser.eval("return matchMedia('(prefers-color-scheme: dark)').matches;");
                assert_eq!(
                    dark,
                    json!(scheme == "dark"),
                    "{kind}: the page is not in {scheme} mode"
                );
                browser.eval(&format!("{axe}\nreturn true;"));
                for (rule, line) in axe_violations(&browser) {
                    found
                        .entry(rule)
                        .or_default()
                        .push(format!("{kind} ({scheme}, {width}px) /{path}: {line}"));
                }
            }
        }
    }
    let summary: Vec<String> = found
        .iter()
        .map(|(rule, lines)| format!("{rule}: {} elements\n  {}", lines.len(), lines.join("\n  ")))
        .collect();
    assert!(found.is_empty(), "axe-core violations:\n{}", summary.join("\n"));
}

#[test]
fn chart_text_is_legible_apart_and_inside_its_chart_on_a_phone_and_a_desktop() {
    let test = "chart_text_is_legible_apart_and_inside_its_chart_on_a_phone_and_a_desktop";
    let _alone = exclusive();
    let Some(browser) = Browser::start(test, 390, 844) else {
        return;
    };
    let site = example_site();
    let port = serve_folder(site.out());
    let mut problems = Vec::new();
    let mut texts = 0;
    for width in [390, 1366] {
        browser.resize(width, 900);
        for (kind, path) in PAGES {
            open(&browser, port, path);
            // For each text of each chart: its size on screen (the font
            // size in user units times the chart's scale), whether its box
            // on screen (rotated or not) lies inside the chart's, and the
            // texts of the same chart it runs into.
            let found = browser.eval(
                "var out = []; \
                 document.querySelectorAll('svg.chart').forEach(function (svg) { \
                   var box = svg.getBoundingClientRect(); \
                   var scale = box.width / svg.viewBox.baseVal.width; \
                   var texts = Array.from(svg.querySelectorAll('text')); \
                   var boxes = texts.map(function (t) { return t.getBoundingClientRect(); }); \
                   texts.forEach(function (t, i) { \
                     var b = boxes[i]; \
                     var size = parseFloat(getComputedStyle(t).fontSize) * scale; \
                     var inside = b.left >= box.left - 0.5 && b.top >= box.top - 0.5 && \
                       b.right <= box.right + 0.5 && b.bottom <= box.bottom + 0.5; \
                     var hits = []; \
                     boxes.forEach(function (o, j) { \
                       var dx = Math.min(b.right, o.right) - Math.max(b.left, o.left); \
                       var dy = Math.min(b.bottom, o.bottom) - Math.max(b.top, o.top); \
                       if (j > i && dx > -2 && dy > 2) { hits.push(texts[j].firstChild.textContent); } }); \
                     out.push({ text: t.firstChild ? t.firstChild.textContent : '', size: size, inside: inside, \
                       hits: hits, chart: svg.getAttribute('class') }); }); }); \
                 return out;",
            );
            for text in found.as_array().cloned().unwrap_or_default() {
                texts += 1;
                let size = text["size"].as_f64().unwrap_or(0.0);
                let what = format!(
                    "{kind} /{path} at {width}px: {} “{}”",
                    text["chart"],
                    text["text"].as_str().unwrap_or("")
                );
                if size < 10.95 {
                    problems.push(format!("{what} is {size:.1}px"));
                }
                if text["inside"] != json!(true) {
                    problems.push(format!("{what} is drawn outside the chart"));
                }
                if text["hits"].as_array().is_some_and(|h| !h.is_empty()) {
                    problems.push(format!("{what} runs into {}", text["hits"]));
                }
            }
        }
    }
    assert!(texts > 400, "the pages have charts with text: {texts} texts");
    assert!(problems.is_empty(), "chart text:\n{}", problems.join("\n"));
}

/// The audit's findings in the words of the example site's pages.
#[test]
fn reader_pages_name_teams_once_and_in_full_in_sentences() {
    let site = example_site();
    // "Owned by Fin": a badge in a sentence has the team's full name.
    let term = site.page("glossary/seat/index.html");
    assert!(
        term.contains("Owned by <a class=\"team-badge\" href=\"/teams/finance/\" style=\"--team: #4d6614; --ink: #fff\" title=\"Finance\">Finance</a>"),
        "{}",
        between(&term, "<p class=\"page-meta\">", "</p>")
    );
    // "Support Support": a badge whose short name is the full name is not
    // followed by the name again...
    let escalation = site.page("glossary/escalation/index.html");
    assert!(
        escalation.contains("title=\"Support\">Support</a> <span class=\"muted\">(owner)</span></figcaption>"),
        "{escalation}"
    );
    assert!(
        !escalation.contains(">Support</a> <span>Support</span>"),
        "{escalation}"
    );
    let gaps = site.page("gaps/index.html");
    assert!(
        gaps.contains("title=\"Support\">Support</a> <span class=\"gap-says\">uses</span>"),
        "{gaps}"
    );
    assert!(!gaps.contains("<span class=\"gap-says\">Support uses</span>"), "{gaps}");
    // ...while a short badge still is.
    assert!(
        gaps.contains(">CS</a> <span class=\"gap-says\">Customer Success uses</span>"),
        "{gaps}"
    );
    // A pair of the trust matrix has its page, titled "Legal to Sales",
    // each team named once.
    let pair = site.page("happiness/from-legal-to-sales/index.html");
    assert!(pair.contains("<h1>Legal to Sales</h1>"), "{pair}");
    assert_eq!(between(&pair, "<h1>", "</h1>").matches("Legal").count(), 1);
    // A commitment's sentence: "Marketing promised Sales".
    let commitment = site.page("commitments/pricing-page/index.html");
    let meta = between(&commitment, "<p class=\"page-meta\">", "</p>");
    assert!(meta.contains("title=\"Marketing\">Marketing</a> promised"), "{meta}");
    // The rating is an image with a name, not a span with a label.
    assert!(
        commitment.contains("<span class=\"rating\" role=\"img\" aria-label=\"4 out of 5\">★★★★☆</span>"),
        "{commitment}"
    );
}

#[test]
fn scores_page_shows_code_in_hook_docs_as_code() {
    let site = example_site();
    let scores = site.page("scores/index.html");
    let hook = between(&scores, "id=\"score_commitment\"", "</section>");
    // scripts/scoring.rhai says "(its `reason`)".
    assert!(hook.contains("(its <code>reason</code>)"), "{hook}");
    assert!(!hook.contains('`'), "no raw backticks: {hook}");
}

#[test]
fn home_page_shows_what_needs_attention_before_its_intro() {
    let site = example_site();
    let home = site.page("index.html");
    let attention = home.find("<h2>Needs attention</h2>").expect("the attention section");
    let intro = home.find("class=\"prose home-intro\"").expect("the intro");
    assert!(attention < intro, "the intro comes after what needs attention");
    // A rescheduled card names the original date it is late on.
    assert!(
        home.contains("137 days late so far on the original date, <time datetime=\"2026-07-15\">15 July 2026</time>"),
        "{home}"
    );
}

#[test]
fn trust_matrix_legend_tells_a_blank_cell_from_a_dashed_one() {
    let site = example_site();
    let page = site.page("happiness/index.html");
    let chart = between(&page, "class=\"chart chart-heat\"", "</svg>");
    assert!(chart.contains(">no promise</text>"), "{chart}");
    assert!(chart.contains(">none due yet</text>"), "{chart}");
    assert!(!chart.contains(">none</text>"), "{chart}");
}

/// In dark mode the theme lightens team-coloured lines and dots; the keys
/// that name them (a small multiple's coloured rule, a legend's swatch)
/// used to keep the raw colour and no longer matched.
#[test]
fn dark_mode_lightens_colour_keys_like_the_lines_they_name() {
    let test = "dark_mode_lightens_colour_keys_like_the_lines_they_name";
    let _alone = exclusive();
    let Some(browser) = Browser::start(test, 1366, 900) else {
        return;
    };
    let site = example_site();
    let port = serve_folder(site.out());
    for scheme in ["light", "dark"] {
        browser.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        );
        open(&browser, port, "happiness/");
        let pairs = browser.eval(
            "return Array.from(document.querySelectorAll('.multiple')).map(function (m) { \
               var dot = m.querySelector('.chart-dots circle'); \
               return [getComputedStyle(m).borderTopColor, getComputedStyle(dot).fill]; });",
        );
        let pairs = pairs.as_array().cloned().unwrap_or_default();
        assert_eq!(pairs.len(), 7, "{scheme}: a small multiple per team with a value");
        for pair in &pairs {
            assert_eq!(pair[0], pair[1], "{scheme}: a small multiple's rule and its dots");
        }
        // A legend in a team colour, as charts.rs draws one for several
        // series, beside the line it names.
        let legend = browser.eval(
            "document.body.insertAdjacentHTML('beforeend', \
               '<svg class=\"chart\" viewBox=\"0 0 40 20\"><g class=\"chart-series\" style=\"--series: #c2410c\">' + \
               '<path class=\"chart-line\" d=\"M0 5h40\" stroke=\"#c2410c\"/></g>' + \
               '<path class=\"chart-swatch\" d=\"M0 15h14\" style=\"--series: #c2410c\" stroke=\"#c2410c\"/></svg>'); \
             var svg = document.body.lastElementChild; \
             return [getComputedStyle(svg.querySelector('.chart-line')).stroke, \
                     getComputedStyle(svg.querySelector('.chart-swatch')).stroke];",
        );
        assert_eq!(legend[0], legend[1], "{scheme}: a legend swatch and its line");
        if scheme == "dark" {
            assert_ne!(legend[0], json!("rgb(194, 65, 12)"), "dark mode lightens the line");
        }
    }
}
