//! The machine-readable outputs and git history: `/atom.xml` and
//! `/sitemap.xml` parsed with a real XML parser, the shape of every
//! `/data/*.json`, and "last updated" / "edit this page" on a site inside
//! (and outside) a git repository with commits at known dates.

use std::collections::{BTreeMap, HashSet};

use roxmltree::{Document, Node};
use serde_json::Value;

use crate::support::{SiteTest, TODAY, git, has_git, html_pages, inside_git};

const ATOM: &str = "http://www.w3.org/2005/Atom";
const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const HOST_BASE: &str = "https://intranet.example.com/alignment/";

/// The `good` fixture built with a `base_url` that names a host.
fn good_with_host() -> SiteTest {
    SiteTest::new("good")
        .build_with(&["--base-url", HOST_BASE])
        .assert_exit(0)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Node<'a, 'i> {
    node.children()
        .find(|n| n.has_tag_name((ATOM, name)))
        .unwrap_or_else(|| panic!("<{}> has no <{name}>", node.tag_name().name()))
}

fn text_of(node: Node<'_, '_>, name: &str) -> String {
    child(node, name).text().unwrap_or_default().to_string()
}

/// `YYYY-MM-DDT00:00:00Z`, the only timestamps the feed writes (RFC 3339).
fn assert_timestamp(text: &str) {
    let bytes = text.as_bytes();
    assert!(
        text.len() == 20
            && text.ends_with("T00:00:00Z")
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && text[..4].bytes().all(|b| b.is_ascii_digit()),
        "not an RFC 3339 timestamp: {text:?}"
    );
}

fn assert_date(text: &str) {
    let bytes = text.as_bytes();
    assert!(
        text.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && text
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit()),
        "not a YYYY-MM-DD date: {text:?}"
    );
}

#[test]
fn atom_feed_lists_stories_deliveries_and_reschedulings_newest_first() {
    let test = good_with_host();
    let xml = test.page("atom.xml");
    let doc = Document::parse(&xml).unwrap_or_else(|err| panic!("atom.xml is not XML ({err}):\n{xml}"));
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")), "{xml}");

    // RFC 4287 4.1.1: a feed has an id, a title, an updated and an author.
    assert_eq!(text_of(feed, "title"), "Fixture Alignment");
    assert_eq!(text_of(feed, "id"), HOST_BASE);
    assert_eq!(text_of(feed, "updated"), "2026-05-10T00:00:00Z");
    assert_eq!(text_of(child(feed, "author"), "name"), "Fixture Alignment");
    let self_link = feed
        .children()
        .find(|n| n.has_tag_name((ATOM, "link")) && n.attribute("rel") == Some("self"))
        .expect("a rel=self link");
    assert_eq!(
        self_link.attribute("href"),
        Some("https://intranet.example.com/alignment/atom.xml")
    );

    let entries: Vec<Node> = feed.children().filter(|n| n.has_tag_name((ATOM, "entry"))).collect();
    let mut ids = HashSet::new();
    let mut seen = Vec::new();
    for entry in &entries {
        let id = text_of(*entry, "id");
        assert!(ids.insert(id.clone()), "entry id {id} is not unique");
        assert!(!text_of(*entry, "title").is_empty());
        assert!(!text_of(*entry, "summary").is_empty());
        let updated = text_of(*entry, "updated");
        assert_timestamp(&updated);
        let link = child(*entry, "link");
        assert_eq!(link.attribute("rel"), Some("alternate"));
        let href = link.attribute("href").unwrap_or_default();
        assert!(href.starts_with(HOST_BASE), "entry link is not absolute: {href}");
        assert!(id.starts_with(HOST_BASE), "entry id is not the page's URL: {id}");
        let kind = child(*entry, "category")
            .attribute("term")
            .unwrap_or_default()
            .to_string();
        seen.push((
            updated[..10].to_string(),
            kind,
            text_of(*entry, "title"),
            href.to_string(),
        ));
    }

    let expected = [
        (
            "2026-05-10",
            "story",
            "The spring webinar filled the funnel",
            "stories/webinar-launch/",
        ),
        (
            "2026-05-02",
            "overdue",
            "Overdue: Route MQLs to sales within an hour",
            "commitments/lead-routing/",
        ),
        (
            "2026-04-10",
            "delivered",
            "Delivered: Publish a pricing page",
            "commitments/pricing-page/",
        ),
        (
            "2026-03-16",
            "dropped",
            "Dropped: Partner portal",
            "commitments/partner-portal/#history",
        ),
        (
            "2026-03-05",
            "missed",
            "Missed: Monthly churn report",
            "commitments/churn-report/#history",
        ),
        (
            "2026-03-01",
            "story",
            "Keeping Acme at renewal",
            "stories/acme-renewal/",
        ),
        (
            "2026-02-20",
            "rescheduled",
            "Rescheduled: Publish a pricing page",
            "commitments/pricing-page/#history",
        ),
        (
            "2026-01-28",
            "delivered",
            "Delivered: First reply to priority tickets within 4 hours",
            "commitments/faster-replies/",
        ),
    ];
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(date, kind, title, path)| {
            (
                date.to_string(),
                kind.to_string(),
                title.to_string(),
                format!("{HOST_BASE}{path}"),
            )
        })
        .collect();
    assert_eq!(seen, expected, "{xml}");

    // The rescheduling says why; the late delivery says by how much.
    assert!(
        xml.contains("Reason: Legal review of the Enterprise tier ran long."),
        "{xml}"
    );
    assert!(xml.contains("40 days after the date first promised"), "{xml}");
    // Bad news travels as fast as good: when, how late, and why.
    assert!(
        xml.contains("Support declared its promise to Sales, Marketing missed, 4 days after the original date. Reason: The billing export it needs was not ready."),
        "{xml}"
    );
    assert!(
        xml.contains("Sales dropped its promise to Marketing, 16 days before the original date. Reason: The partner programme was paused."),
        "{xml}"
    );
    assert!(
        xml.contains("was due on 1 May 2026 and has not been delivered."),
        "{xml}"
    );

    // Every page announces the feed, under the base path.
    test.assert_page(
        "index.html",
        &["<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/alignment/atom.xml\""],
    )
    .assert_page(
        "glossary/mql/index.html",
        &["<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/alignment/atom.xml\""],
    );
}

#[test]
fn atom_feed_without_a_host_uses_urns_and_paths() {
    let test = SiteTest::new("good").build().assert_exit(0);
    let xml = test.page("atom.xml");
    let doc = Document::parse(&xml).expect("atom.xml is XML");
    let feed = doc.root_element();
    assert_eq!(text_of(feed, "id"), "urn:rapport:fixture-alignment:feed");
    let mut ids = HashSet::new();
    for entry in feed.children().filter(|n| n.has_tag_name((ATOM, "entry"))) {
        let id = text_of(entry, "id");
        assert!(id.starts_with("urn:rapport:fixture-alignment:"), "{id}");
        assert!(ids.insert(id.clone()), "entry id {id} is not unique");
        let href = child(entry, "link").attribute("href").unwrap_or_default();
        assert!(href.starts_with('/') && !href.starts_with("//"), "{href}");
    }
    assert_eq!(ids.len(), 8);
    assert!(ids.contains("urn:rapport:fixture-alignment:commitment:pricing-page:revision-1"));
    assert!(ids.contains("urn:rapport:fixture-alignment:story:acme-renewal"));
}

/// The `<loc>` -> `<lastmod>` of a sitemap, checking its structure.
fn sitemap_entries(xml: &str) -> BTreeMap<String, Option<String>> {
    let doc = Document::parse(xml).unwrap_or_else(|err| panic!("sitemap.xml is not XML ({err}):\n{xml}"));
    let urlset = doc.root_element();
    assert!(urlset.has_tag_name((SITEMAP, "urlset")), "{xml}");
    let mut out = BTreeMap::new();
    for url in urlset.children().filter(Node::is_element) {
        assert!(url.has_tag_name((SITEMAP, "url")), "{xml}");
        let field = |name: &str| {
            url.children()
                .find(|n| n.has_tag_name((SITEMAP, name)))
                .and_then(|n| n.text())
                .map(str::to_string)
        };
        let loc = field("loc").expect("every <url> has a <loc>");
        let lastmod = field("lastmod");
        if let Some(date) = &lastmod {
            assert_date(date);
        }
        assert!(out.insert(loc.clone(), lastmod).is_none(), "{loc} is listed twice");
    }
    out
}

#[test]
fn sitemap_lists_each_page_once_with_absolute_urls_and_lastmod() {
    let test = good_with_host();
    let entries = sitemap_entries(&test.page("sitemap.xml"));
    let pages: HashSet<String> = html_pages(test.out())
        .into_keys()
        .filter(|path| path.ends_with("index.html"))
        .map(|path| format!("{HOST_BASE}{}", path.trim_end_matches("index.html")))
        .collect();
    for loc in entries.keys() {
        assert!(loc.starts_with(HOST_BASE), "not absolute: {loc}");
        assert!(pages.contains(loc), "{loc} is not a page of the build");
    }
    assert_eq!(entries.len(), pages.len(), "one <url> per page");

    let lastmod = |path: &str| {
        entries
            .get(&format!("{HOST_BASE}{path}"))
            .unwrap_or_else(|| panic!("no {path} in the sitemap"))
            .as_deref()
    };
    // Outside git, an item's lastmod is its front matter's `updated` or `date`...
    assert_eq!(lastmod("stories/acme-renewal/"), Some("2026-03-01"));
    assert_eq!(lastmod("stories/webinar-launch/"), Some("2026-05-10"));
    // ...a list's is the newest of its items...
    assert_eq!(lastmod("stories/"), Some("2026-05-10"));
    assert_eq!(lastmod(""), Some("2026-05-10"));
    // ...and what has no date has none.
    assert_eq!(lastmod("teams/sales/"), None);
    assert_eq!(lastmod("scores/"), None);
}

/// A data file of the last build, checking the envelope every file shares.
fn data_file(test: &SiteTest, name: &str) -> Vec<Value> {
    let text = test.page(&format!("data/{name}.json"));
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|err| panic!("data/{name}.json: {err}"));
    let object = json.as_object().expect("a top-level object");
    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
    assert_eq!(keys, ["version", "today", name], "data/{name}.json");
    assert_eq!(json["version"], 2);
    assert_eq!(json["today"], TODAY);
    let items = json[name].as_array().expect("a list").clone();
    let slugs: Vec<&str> = items.iter().map(|i| i["slug"].as_str().expect("a slug")).collect();
    let mut sorted = slugs.clone();
    sorted.sort_unstable();
    assert_eq!(slugs, sorted, "data/{name}.json is sorted by slug");
    items
}

#[derive(Clone, Copy)]
enum Type {
    Str,
    Int,
    Bool,
    List,
    Object,
    /// A string or null.
    OptStr,
    /// A number or null.
    OptNum,
}

fn assert_fields(what: &str, item: &Value, fields: &[(&str, Type)]) {
    let object = item.as_object().unwrap_or_else(|| panic!("{what} is not an object"));
    for (name, ty) in fields {
        let value = object
            .get(*name)
            .unwrap_or_else(|| panic!("{what} lacks `{name}`: {item}"));
        let ok = match ty {
            Type::Str => value.is_string(),
            Type::Int => value.is_i64() || value.is_u64(),
            Type::Bool => value.is_boolean(),
            Type::List => value.is_array(),
            Type::Object => value.is_object(),
            Type::OptStr => value.is_string() || value.is_null(),
            Type::OptNum => value.is_number() || value.is_null(),
        };
        assert!(ok, "{what}: `{name}` has the wrong type: {value}");
    }
}

const COMMON: [(&str, Type); 13] = [
    ("slug", Type::Str),
    ("title", Type::Str),
    ("url", Type::Str),
    ("source", Type::Str),
    ("tags", Type::List),
    ("date", Type::OptStr),
    ("updated", Type::OptStr),
    ("last_updated", Type::OptStr),
    ("summary", Type::Str),
    ("body_markdown", Type::Str),
    ("links_to", Type::List),
    ("linked_from", Type::List),
    ("extra", Type::Object),
];

#[test]
fn data_files_hold_every_item_with_its_derived_fields() {
    let test = good_with_host();

    let teams = data_file(&test, "teams");
    let terms = data_file(&test, "terms");
    let stories = data_file(&test, "stories");
    let commitments = data_file(&test, "commitments");
    // The fixture's files, less `glossary/nps.md`, a draft.
    assert_eq!(
        (teams.len(), terms.len(), stories.len(), commitments.len()),
        (3, 5, 2, 7)
    );

    for team in &teams {
        assert_fields("team", team, &COMMON);
        assert_fields(
            "team",
            team,
            &[
                ("short", Type::OptStr),
                ("color", Type::Str),
                ("lead", Type::OptStr),
                ("members", Type::List),
                ("score", Type::OptNum),
                ("made", Type::Object),
                ("received", Type::Object),
                ("commitments_made", Type::List),
                ("commitments_received", Type::List),
                ("owns", Type::List),
                ("reads", Type::List),
                ("stories", Type::List),
            ],
        );
    }
    for term in &terms {
        assert_fields("term", term, &COMMON);
        assert_fields(
            "term",
            term,
            &[
                ("acronym", Type::OptStr),
                ("aliases", Type::List),
                ("owner", Type::OptStr),
                ("definitions", Type::List),
                ("readings_differ", Type::Bool),
                ("related", Type::List),
            ],
        );
    }
    for story in &stories {
        assert_fields("story", story, &COMMON);
        assert_fields(
            "story",
            story,
            &[
                ("date", Type::Str),
                ("customer", Type::OptStr),
                ("outcome", Type::OptStr),
                ("teams", Type::List),
                ("contributions", Type::List),
                ("commitments", Type::List),
                ("score", Type::OptNum),
            ],
        );
    }
    for c in &commitments {
        assert_fields("commitment", c, &COMMON);
        assert_fields(
            "commitment",
            c,
            &[
                ("owner", Type::Str),
                ("to", Type::List),
                ("to_external", Type::List),
                ("promised", Type::Str),
                ("due", Type::Str),
                ("delivered", Type::OptStr),
                ("closed", Type::OptStr),
                ("reason", Type::OptStr),
                ("status", Type::OptStr),
                ("revisions", Type::List),
                ("satisfaction", Type::OptNum),
                ("state", Type::Str),
                ("effective_due", Type::Str),
                ("ended", Type::OptStr),
                ("days_late", Type::Int),
                ("slips", Type::Int),
                ("score", Type::OptNum),
                ("stories", Type::List),
            ],
        );
    }

    let by_slug = |list: &[Value], slug: &str| -> Value {
        list.iter()
            .find(|i| i["slug"] == slug)
            .cloned()
            .unwrap_or_else(|| panic!("no {slug}"))
    };
    let pricing = by_slug(&commitments, "pricing-page");
    assert_eq!(pricing["state"], "late");
    assert_eq!(pricing["days_late"], 40);
    assert_eq!(pricing["slips"], 1);
    assert_eq!(pricing["effective_due"], "2026-04-15");
    assert_eq!(pricing["due"], "2026-03-01");
    assert_eq!(pricing["delivered"], "2026-04-10");
    assert_eq!(pricing["status"], Value::Null);
    assert_eq!(pricing["satisfaction"], 4);
    assert_eq!(pricing["to"], serde_json::json!(["sales"]));
    assert_eq!(pricing["to_external"], serde_json::json!(["prospects"]));
    assert_eq!(
        pricing["revisions"],
        serde_json::json!([{"date": "2026-02-20", "new_due": "2026-04-15", "reason": "Legal review of the Enterprise tier ran long."}])
    );
    assert_eq!(pricing["url"], format!("{HOST_BASE}commitments/pricing-page/"));
    assert_eq!(pricing["source"], "content/commitments/pricing-page.md");
    assert_eq!(pricing["body_markdown"], "A public page with per-seat prices.");
    assert!(pricing["score"].is_number(), "the default scripts score it");

    let routing = by_slug(&commitments, "lead-routing");
    assert_eq!(routing["state"], "overdue");
    assert_eq!(routing["days_late"], 45);
    let replies = by_slug(&commitments, "faster-replies");
    assert_eq!(replies["state"], "on-time");
    assert_eq!(replies["days_late"], -4);
    assert_eq!(replies["stories"], serde_json::json!(["acme-renewal"]));
    assert_eq!(routing["ended"], Value::Null);
    assert_eq!(pricing["ended"], "2026-04-10");
    let churn = by_slug(&commitments, "churn-report");
    assert_eq!(churn["state"], "missed");
    assert_eq!(
        (&churn["closed"], &churn["ended"], &churn["days_late"]),
        (&Value::from("2026-03-05"), &Value::from("2026-03-05"), &Value::from(4))
    );
    assert_eq!(churn["reason"], "The billing export it needs was not ready.");
    let portal = by_slug(&commitments, "partner-portal");
    assert_eq!(portal["status"], "dropped");
    assert_eq!(
        (&portal["ended"], &portal["days_late"]),
        (&Value::from("2026-03-16"), &Value::from(-16))
    );

    let mql = by_slug(&terms, "mql");
    assert_eq!(mql["acronym"], "MQL");
    assert_eq!(mql["owner"], "marketing");
    assert_eq!(mql["readings_differ"], true);
    assert_eq!(
        mql["definitions"][1],
        serde_json::json!({"team": "sales", "text": "Somebody marketing thinks might talk to us."})
    );
    assert_eq!(mql["related"], serde_json::json!(["sql", "churn"]));
    assert!(
        mql["body_markdown"]
            .as_str()
            .unwrap()
            .contains("[[sql|the next stage]]"),
        "bodies are the Markdown as written"
    );
    assert!(
        mql["links_to"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"kind": "team", "slug": "sales"})),
        "{mql}"
    );
    assert!(
        mql["linked_from"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"kind": "story", "slug": "webinar-launch"})),
        "{mql}"
    );
    assert_eq!(mql["last_updated"], Value::Null, "the fixture is not in git");

    let marketing = by_slug(&teams, "marketing");
    assert_eq!(marketing["made"]["total"], 3);
    assert_eq!(marketing["made"]["late"], 1);
    assert!(
        marketing["owns"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("mql"))
    );

    let acme = by_slug(&stories, "acme-renewal");
    assert_eq!(acme["date"], "2026-03-01");
    assert_eq!(acme["teams"], serde_json::json!(["sales", "support"]));
    assert_eq!(acme["commitments"], serde_json::json!(["faster-replies"]));

    // scores.json keeps its shape and gains the version.
    let scores: Value = serde_json::from_str(&test.page("data/scores.json")).unwrap();
    assert_eq!(scores["version"], 2);
    assert!(scores["teams"]["marketing"]["happiness"].is_array());

    // Same input, same bytes.
    let first: Vec<String> = ["teams", "terms", "stories", "commitments", "scores"]
        .iter()
        .map(|name| test.page(&format!("data/{name}.json")))
        .collect();
    let test = test.build_with(&["--base-url", HOST_BASE]).assert_exit(0);
    for (name, before) in ["teams", "terms", "stories", "commitments", "scores"].iter().zip(first) {
        assert_eq!(
            test.page(&format!("data/{name}.json")),
            before,
            "data/{name}.json changed"
        );
    }
}

#[test]
fn git_history_gives_last_updated_and_edit_links() {
    if !has_git() {
        eprintln!("skipped: `git` is not installed");
        return;
    }
    let test = SiteTest::new("good");
    let config = std::fs::read_to_string(test.root().join("rapport.toml")).unwrap();
    let test = test.file(
        "rapport.toml",
        &format!("{config}\n[repo]\nurl = \"https://git.example.com/org/handbook/\"\nbranch = \"trunk\"\n"),
    );
    // The repository holds the site in `site/`, so paths on the forge carry that prefix.
    let repo = test.dir().to_path_buf();
    if inside_git(&repo) {
        eprintln!("skipped: the temporary folder is already inside a git repository");
        return;
    }
    git(&repo, &["init", "--quiet"], "Test Author", "2026-01-10T12:00:00+00:00");
    git(&repo, &["add", "site"], "Test Author", "2026-01-10T12:00:00+00:00");
    git(
        &repo,
        &["commit", "--quiet", "-m", "first"],
        "Test Author",
        "2026-01-10T12:00:00+00:00",
    );
    let mql = test.root().join("content/glossary/mql.md");
    let text = std::fs::read_to_string(&mql).unwrap();
    std::fs::write(&mql, format!("{text}\nOne more line.\n")).unwrap();
    git(
        &repo,
        &["commit", "--quiet", "-am", "second"],
        "Test Author",
        "2026-03-05T09:30:00+00:00",
    );
    // A file not committed yet: no date, but it can still be edited.
    let test = test.file(
        "content/glossary/pipeline.md",
        "---\ntitle: Pipeline\nowner: sales\n---\nDeals in progress.\n",
    );

    let test = test
        .build_with(&["--base-url", HOST_BASE])
        .assert_exit(0)
        .assert_page(
            "glossary/mql/index.html",
            &[
                "Last updated <time datetime=\"2026-03-05\">5 March 2026</time>",
                "<a class=\"edit-link\" href=\"https://git.example.com/org/handbook/edit/trunk/site/content/glossary/mql.md\" rel=\"edit\">Edit this page</a>",
            ],
        )
        .assert_page(
            "teams/sales/index.html",
            &[
                "Last updated <time datetime=\"2026-01-10\">10 January 2026</time>",
                "href=\"https://git.example.com/org/handbook/edit/trunk/site/content/teams/sales.md\"",
            ],
        )
        .assert_page(
            "index.html",
            &["href=\"https://git.example.com/org/handbook/edit/trunk/site/content/_index.md\""],
        )
        .assert_page(
            "glossary/pipeline/index.html",
            &["href=\"https://git.example.com/org/handbook/edit/trunk/site/content/glossary/pipeline.md\""],
        )
        .refute_page("glossary/pipeline/index.html", &["Last updated"])
        // A list page has no file of its own.
        .refute_page("glossary/index.html", &["Last updated", "Edit this page"]);

    let entries = sitemap_entries(&test.page("sitemap.xml"));
    let lastmod = |path: &str| entries[&format!("{HOST_BASE}{path}")].clone();
    assert_eq!(lastmod("glossary/mql/").as_deref(), Some("2026-03-05"));
    // Git wins over the front matter's date (2026-03-01).
    assert_eq!(lastmod("stories/acme-renewal/").as_deref(), Some("2026-01-10"));
    assert_eq!(lastmod("teams/sales/").as_deref(), Some("2026-01-10"));
    assert_eq!(lastmod("glossary/").as_deref(), Some("2026-03-05"));
    assert_eq!(lastmod("glossary/pipeline/"), None);

    let terms: Value = serde_json::from_str(&test.page("data/terms.json")).unwrap();
    let last_updated = |slug: &str| {
        terms["terms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["slug"] == slug)
            .map(|t| t["last_updated"].clone())
    };
    assert_eq!(last_updated("mql"), Some(Value::from("2026-03-05")));
    assert_eq!(last_updated("sql"), Some(Value::from("2026-01-10")));
    assert_eq!(last_updated("pipeline"), Some(Value::Null));
}

#[test]
fn a_site_outside_git_has_no_last_updated() {
    let test = SiteTest::new("good");
    if inside_git(test.dir()) {
        eprintln!("skipped: the temporary folder is inside a git repository");
        return;
    }
    let test = test.build().assert_exit(0);
    for (path, html) in html_pages(test.out()) {
        assert!(!html.contains("Last updated"), "{path} shows a date without git");
        assert!(
            !html.contains("Edit this page"),
            "{path} has an edit link without [repo]"
        );
    }

    // With `[repo]` but no git, edit links assume the site is the repository's root.
    let config = std::fs::read_to_string(test.root().join("rapport.toml")).unwrap();
    test.file(
        "rapport.toml",
        &format!("{config}\n[repo]\nedit_url = \"https://gitlab.example.com/org/site/-/edit/main/{{path}}\"\n"),
    )
    .build()
    .assert_exit(0)
    .assert_page(
        "glossary/mql/index.html",
        &["<a class=\"edit-link\" href=\"https://gitlab.example.com/org/site/-/edit/main/content/glossary/mql.md\" rel=\"edit\">Edit this page</a>"],
    )
    .refute_page("glossary/mql/index.html", &["Last updated"]);
}
