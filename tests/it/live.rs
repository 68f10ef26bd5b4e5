//! Incremental rebuilds (`rapport::live::LiveSite`): after each change, the
//! live output must be byte for byte what a full build of the same files
//! gives, while a body edit re-renders only a few pages.

use std::collections::BTreeSet;
use std::fs;

use rapport::date::Date;
use rapport::live::LiveSite;
use rapport::{BuildOptions, Site};

use crate::support::{SiteTest, TODAY};

fn options() -> BuildOptions {
    BuildOptions::new(Date::parse(TODAY).unwrap())
}

/// A full build of the site as it is on disk now.
fn full_build(site: &SiteTest) -> std::collections::BTreeMap<String, Vec<u8>> {
    let built = rapport::Build::of(Site::load(site.root(), &options()).unwrap());
    built.output().into_iter().map(|f| (f.path, f.bytes)).collect()
}

fn assert_same_as_full_build(live: &LiveSite, site: &SiteTest) {
    let full = full_build(site);
    let live_files: Vec<&String> = live.outputs().keys().collect();
    let full_files: Vec<&String> = full.keys().collect();
    assert_eq!(live_files, full_files, "the same files");
    for (path, bytes) in &full {
        assert!(
            live.outputs()[path][..] == bytes[..],
            "{path} differs from a full build:\n--- live ---\n{}\n--- full ---\n{}",
            String::from_utf8_lossy(&live.outputs()[path]),
            String::from_utf8_lossy(bytes)
        );
    }
}

fn edit(site: &SiteTest, rel: &str, change: impl FnOnce(String) -> String) -> BTreeSet<String> {
    let path = site.root().join(rel);
    let text = fs::read_to_string(&path).unwrap();
    let changed = change(text.clone());
    assert_ne!(text, changed, "the edit changes {rel}");
    fs::write(&path, changed).unwrap();
    BTreeSet::from([rel.to_string()])
}

#[test]
fn body_edits_match_a_full_build_and_render_few_pages() {
    let site = SiteTest::new("good");
    let (mut live, first) = LiveSite::open(site.root(), options()).unwrap();
    assert!(first.ok(), "{:?}", first.diagnostics);
    let total = first.rendered;

    // The end of a story: only its own page changes.
    let changed = edit(&site, "content/stories/acme-renewal.md", |t| {
        format!("{t}\nWe wrote the follow-up together.\n")
    });
    let rebuild = live.apply(&changed);
    assert!(rebuild.incremental, "a body edit takes the fast path");
    assert!(
        rebuild.rendered <= 3,
        "re-rendered {} of {total} pages",
        rebuild.rendered
    );
    assert!(
        rebuild.changed.contains(&"stories/acme-renewal/index.html".to_string()),
        "{:?}",
        rebuild.changed
    );
    assert_same_as_full_build(&live, &site);

    // The first paragraph of a commitment: its card changes, so the board,
    // the home page and its teams' pages follow.
    let changed = edit(&site, "content/commitments/faster-replies.md", |t| {
        let at = t.rfind("\n---\n").unwrap() + 5;
        format!("{}A new first paragraph for the card.\n\n{}", &t[..at], &t[at..])
    });
    let rebuild = live.apply(&changed);
    assert!(rebuild.incremental);
    assert!(
        rebuild.rendered < total / 2,
        "re-rendered {} of {total} pages",
        rebuild.rendered
    );
    assert_same_as_full_build(&live, &site);

    // A new link in a story: the linked term's "used in" list changes.
    let changed = edit(&site, "content/stories/webinar-launch.md", |t| {
        format!("{t}\nSee also [[churn]].\n")
    });
    let rebuild = live.apply(&changed);
    assert!(rebuild.incremental);
    assert!(
        rebuild.changed.contains(&"glossary/churn/index.html".to_string()),
        "{:?}",
        rebuild.changed
    );
    assert_same_as_full_build(&live, &site);

    // A team's mission and a term's later paragraphs.
    let changed = edit(&site, "content/teams/support.md", |t| {
        format!("{t}\nWe answer within the hour.\n")
    });
    assert!(live.apply(&changed).incremental);
    assert_same_as_full_build(&live, &site);
    let changed = edit(&site, "content/glossary/churn.md", |t| {
        format!("{t}\nA later paragraph.\n")
    });
    assert!(live.apply(&changed).incremental);
    assert_same_as_full_build(&live, &site);

    // A team's readings and the score it hands its commitments stay put.
    assert_same_as_full_build(&live, &site);
}

#[test]
fn a_body_that_a_hook_reads_rescores_the_item_and_its_team() {
    let site = SiteTest::new("good");
    // A rule that reads the body: the fast path must re-run it, and the
    // team hook that reads its score.
    let scripts = site.root().join("scripts");
    fs::create_dir_all(&scripts).unwrap();
    fs::write(
        scripts.join("scoring.rhai"),
        "fn score_commitment(c) { if has_word(c.body, \"paused\") { 60 } else { 20 } }\n\
         fn score_team(team, commitments, stories) { let s = []; for c in commitments { if c.score != () { s.push(c.score); } } if s.is_empty() { () } else { mean(s) } }\n",
    )
    .unwrap();
    let (mut live, first) = LiveSite::open(site.root(), options()).unwrap();
    assert!(first.ok(), "{:?}", first.diagnostics);
    let before = live.outputs()["data/scores.json"].clone();
    let changed = edit(&site, "content/commitments/partner-portal.md", |t| {
        t.replace("Dropped when the partner programme was paused.", "Nothing more to say.")
    });
    let rebuild = live.apply(&changed);
    assert!(rebuild.incremental);
    assert!(
        rebuild.changed.contains(&"data/scores.json".to_string()),
        "{:?}",
        rebuild.changed
    );
    assert_ne!(live.outputs()["data/scores.json"], before);
    assert_same_as_full_build(&live, &site);
}

#[test]
fn front_matter_edits_and_new_files_rebuild_fully_and_match() {
    let site = SiteTest::new("good");
    let (mut live, _) = LiveSite::open(site.root(), options()).unwrap();

    let changed = edit(&site, "content/commitments/faster-replies.md", |t| {
        t.replacen("title: ", "title: Now ", 1)
    });
    let rebuild = live.apply(&changed);
    assert!(!rebuild.incremental);
    assert_same_as_full_build(&live, &site);

    let rel = "content/glossary/nps-detractor.md";
    fs::write(
        site.root().join(rel),
        "---\ntitle: Detractor\nowner: support\n---\nSomeone who scores us 0 to 6.\n",
    )
    .unwrap();
    let rebuild = live.apply(&BTreeSet::from([rel.to_string()]));
    assert!(rebuild.ok(), "{:?}", rebuild.diagnostics);
    assert!(
        rebuild
            .changed
            .contains(&"glossary/nps-detractor/index.html".to_string())
    );
    assert_same_as_full_build(&live, &site);

    fs::remove_file(site.root().join(rel)).unwrap();
    let rebuild = live.apply(&BTreeSet::from([rel.to_string()]));
    assert!(
        rebuild
            .changed
            .contains(&"glossary/nps-detractor/index.html".to_string())
    );
    assert!(!live.outputs().contains_key("glossary/nps-detractor/index.html"));
    assert_same_as_full_build(&live, &site);
}

#[test]
fn a_broken_edit_keeps_the_last_good_output_and_a_fix_restores_it() {
    let site = SiteTest::new("good");
    let (mut live, _) = LiveSite::open(site.root(), options()).unwrap();
    let before = live.outputs().clone();
    let changed = edit(&site, "content/stories/acme-renewal.md", |t| {
        format!("{t}\nSee [[no-such-term]].\n")
    });
    let rebuild = live.apply(&changed);
    assert!(!rebuild.ok());
    assert!(rebuild.changed.is_empty());
    assert_eq!(live.outputs(), &before, "the last good output stays");
    let changed = edit(&site, "content/stories/acme-renewal.md", |t| {
        t.replace("\nSee [[no-such-term]].\n", "\nSee [[churn]].\n")
    });
    let rebuild = live.apply(&changed);
    assert!(rebuild.ok(), "{:?}", rebuild.diagnostics);
    assert_same_as_full_build(&live, &site);
}

#[test]
fn a_stylesheet_edit_copies_it_without_rendering_a_page() {
    let site = SiteTest::new("good").file("static/extra.css", "body { color: black; }\n");
    let (mut live, first) = LiveSite::open(site.root(), options()).unwrap();
    assert!(first.ok(), "{:?}", first.diagnostics);
    let changed = edit(&site, "static/extra.css", |t| t.replace("black", "navy"));
    let rebuild = live.apply(&changed);
    assert!(rebuild.incremental);
    assert_eq!(rebuild.rendered, 0);
    assert_eq!(rebuild.changed, vec!["extra.css".to_string()]);
    assert_same_as_full_build(&live, &site);

    // A new static file is not an edit: the full path takes it.
    fs::write(site.root().join("static/more.css"), "p { margin: 0; }\n").unwrap();
    let rebuild = live.apply(&BTreeSet::from(["static/more.css".to_string()]));
    assert!(!rebuild.incremental);
    assert_same_as_full_build(&live, &site);
}

#[test]
fn a_dangling_symlink_error_survives_body_edits_until_it_is_gone() {
    let site = SiteTest::new("good");
    let (mut live, first) = LiveSite::open(site.root(), options()).unwrap();
    assert!(first.ok(), "{:?}", first.diagnostics);
    let dead = "content/glossary/dead.md";
    std::os::unix::fs::symlink("nowhere.md", site.root().join(dead)).unwrap();
    let has_dead = |rebuild: &rapport::live::Rebuild| {
        rebuild
            .diagnostics
            .iter()
            .any(|d| d.is_error() && d.path == dead && d.message.contains("broken symbolic link"))
    };
    let rebuild = live.apply(&BTreeSet::from([dead.to_string()]));
    assert!(has_dead(&rebuild), "{:?}", rebuild.diagnostics);

    // A body edit of another file takes the fast path, and the error stays
    // for as long as `check` would report it.
    let changed = edit(&site, "content/stories/acme-renewal.md", |t| {
        format!("{t}\nOne more line.\n")
    });
    let rebuild = live.apply(&changed);
    assert!(rebuild.incremental, "a body edit takes the fast path");
    assert!(has_dead(&rebuild), "the error was forgotten: {:?}", rebuild.diagnostics);
    assert!(!rebuild.ok());

    // Gone with its cause.
    fs::remove_file(site.root().join(dead)).unwrap();
    let rebuild = live.apply(&BTreeSet::from([dead.to_string()]));
    assert!(rebuild.ok(), "{:?}", rebuild.diagnostics);
    assert_same_as_full_build(&live, &site);
}

#[test]
fn a_site_that_cannot_be_read_stays_an_error_until_it_can() {
    let site = SiteTest::new("good");
    let (mut live, _) = LiveSite::open(site.root(), options()).unwrap();
    let root = site.root().to_path_buf();
    let away = site.dir().join("moved-away");
    fs::rename(&root, &away).unwrap();
    let path = BTreeSet::from(["content/glossary/mql.md".to_string()]);
    let rebuild = live.apply(&path);
    assert!(!rebuild.ok(), "{:?}", rebuild.diagnostics);
    fs::rename(&away, &root).unwrap();
    let rebuild = live.apply(&path);
    assert!(rebuild.ok(), "{:?}", rebuild.diagnostics);
    assert_same_as_full_build(&live, &site);
}

/// A site whose lists are long enough to have pages of their own: 60 open
/// promises from Sales to Support, and 15 terms Support uses undefined.
fn site_with_long_lists() -> SiteTest {
    let mut site = SiteTest::empty()
        .file("content/teams/sales.md", "---\ntitle: Sales\n---\nWe sell.\n")
        .file("content/teams/support.md", "---\ntitle: Support\n---\nWe help.\n");
    for i in 0..60 {
        site = site.file(
            &format!("content/commitments/promise-{i:02}.md"),
            &format!(
                "---\ntitle: Promise {i:02}\nowner: sales\nto: [support]\npromised: 2026-05-01\ndue: 2026-09-{:02}\n---\nWe will do thing {i:02}.\n",
                i % 28 + 1
            ),
        );
    }
    for i in 0..15 {
        site = site.file(
            &format!("content/glossary/word-{i:02}.md"),
            &format!("---\ntitle: Word{i:02}\nowner: sales\n---\nA word.\n"),
        );
    }
    site
}

#[test]
fn edits_that_move_items_between_list_pages_match_a_full_build() {
    let site = site_with_long_lists();
    let (mut live, first) = LiveSite::open(site.root(), options()).unwrap();
    assert!(first.ok(), "{:?}", first.diagnostics);
    assert!(live.outputs().contains_key("commitments/state/open/page/2/index.html"));
    assert!(
        live.outputs()
            .contains_key("happiness/from-sales-to-support/page/2/index.html")
    );

    // A title shows on every list page that holds the promise.
    let changed = edit(&site, "content/commitments/promise-55.md", |t| {
        t.replace("title: Promise 55", "title: Promise fifty-five")
    });
    live.apply(&changed);
    let holders: Vec<&String> = live
        .outputs()
        .iter()
        .filter(|(path, bytes)| {
            path.contains("/page/") && String::from_utf8_lossy(bytes).contains("Promise fifty-five")
        })
        .map(|(path, _)| path)
        .collect();
    assert!(!holders.is_empty(), "no list page past the first shows the new title");
    assert_same_as_full_build(&live, &site);

    // Support starts using a dozen terms it never defined: its list of them
    // now has pages, which a full build would also write.
    let words: String = (0..15).map(|i| format!("Word{i:02} ")).collect();
    let changed = edit(&site, "content/teams/support.md", |t| format!("{t}\nWe say {words}.\n"));
    live.apply(&changed);
    assert_same_as_full_build(&live, &site);

    // And stops again.
    let changed = edit(&site, "content/teams/support.md", |t| {
        t.replace(&format!("\nWe say {words}.\n"), "")
    });
    live.apply(&changed);
    assert_same_as_full_build(&live, &site);
}

#[test]
fn a_body_edit_reloads_pages_first_then_makes_the_data_and_search_files() {
    let site = SiteTest::new("good");
    let (mut live, first) = LiveSite::open(site.root(), options()).unwrap();
    assert!(first.ok(), "{:?}", first.diagnostics);
    let sentence = "We mapped every handover on one wall.";
    let changed = edit(&site, "content/stories/acme-renewal.md", |t| {
        format!("{t}\n{sentence}\n")
    });
    let shows = |live: &LiveSite, path: &str| String::from_utf8_lossy(&live.outputs()[path]).contains(sentence);

    let pages = live.apply_before_reload(&changed);
    assert!(pages.incremental && pages.ok(), "{:?}", pages.diagnostics);
    assert!(pages.changed.contains(&"stories/acme-renewal/index.html".to_string()));
    assert!(shows(&live, "stories/acme-renewal/index.html"));
    // The data files and the search index wait: no page shows them.
    assert!(live.has_deferred());
    assert!(
        pages
            .changed
            .iter()
            .all(|p| !p.starts_with("data/") && !p.starts_with("search-index"))
    );
    assert!(!shows(&live, "data/stories.json"));

    let later = live.apply_deferred().expect("files left for after the reload");
    assert!(!live.has_deferred());
    assert!(
        later.changed.contains(&"data/stories.json".to_string()),
        "{:?}",
        later.changed
    );
    assert!(
        later.changed.iter().any(|p| p.starts_with("search-index/")),
        "{:?}",
        later.changed
    );
    assert!(shows(&live, "data/stories.json"));
    assert_same_as_full_build(&live, &site);
    assert!(live.apply_deferred().is_none(), "nothing is left twice");
}
