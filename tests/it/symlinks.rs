//! Symbolic links in a site: a link whose target is outside the site root is
//! never read (a warning at the link, nothing of the target in the output or
//! in any diagnostic), in `build`, `check`, the dev server's rebuilds and its
//! watcher; links inside the site keep working.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::mpsc::channel;
use std::time::Duration;

use rapport::BuildOptions;
use rapport::date::Date;
use rapport::live::LiveSite;
use rapport::serve::watch::SiteWatcher;

use crate::serve::Served;
use crate::support::{SiteTest, TODAY, output_files};

/// What the files outside the site hold; it must appear nowhere.
const SECRET: &str = "SECRET-OUTSIDE-THE-SITE-7f3a";

/// A folder beside the site (inside the test's temporary folder, outside
/// the site root) holding secrets.
fn outside(site: &SiteTest) -> PathBuf {
    let dir = site.dir().join("outside");
    fs::create_dir_all(dir.join("folder")).unwrap();
    fs::write(dir.join("shadow"), format!("root:{SECRET}:19000:0:99999:7:::\n")).unwrap();
    fs::write(dir.join("environ"), format!("CI_TOKEN={SECRET}\0HOME=/root\0")).unwrap();
    fs::write(dir.join("folder/inner.txt"), SECRET).unwrap();
    fs::write(dir.join("first-line.md"), format!("{SECRET} is not front matter\n")).unwrap();
    fs::write(dir.join("page.md"), format!("---\ntitle: Leaked page\n---\n{SECRET}\n")).unwrap();
    dir
}

fn link(target: &Path, site: &SiteTest, rel: &str) {
    let at = site.root().join(rel);
    fs::create_dir_all(at.parent().unwrap()).unwrap();
    symlink(target, at).unwrap();
}

fn assert_no_secret_in_output(site: &SiteTest) {
    for (path, bytes) in output_files(site.out()) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(SECRET),
            "`{path}` in the output holds what is outside the site"
        );
    }
}

fn options() -> BuildOptions {
    BuildOptions::new(Date::parse(TODAY).unwrap())
}

#[test]
fn symlinks_out_of_the_site_are_not_published() {
    let site = SiteTest::new("good");
    let outside = outside(&site);
    link(&outside.join("shadow"), &site, "static/shadow.txt");
    link(&outside.join("environ"), &site, "content/guides/env.txt");
    link(&outside.join("folder"), &site, "static/etc");
    link(&outside.join("page.md"), &site, "content/glossary/leak.md");
    link(&outside.join("first-line.md"), &site, "content/guides/first-line.md");
    let site = site.build().assert_exit(0);
    let files = output_files(site.out());
    for leaked in [
        "shadow.txt",
        "guides/env.txt",
        "etc/inner.txt",
        "glossary/leak/index.html",
    ] {
        assert!(!files.contains_key(leaked), "`{leaked}` was published");
    }
    assert_no_secret_in_output(&site);
    assert!(!site.last().stderr.contains(SECRET), "{}", site.last().stderr);

    let site = site.check().assert_exit(0);
    for rel in [
        "static/shadow.txt",
        "content/guides/env.txt",
        "static/etc",
        "content/glossary/leak.md",
        "content/guides/first-line.md",
    ] {
        let d = site.find_diagnostic(rel, 0, "points outside the site; not followed");
        assert_eq!(d.severity, "warning", "{d}");
    }
    let report = &site.last().stdout;
    assert!(
        !report.contains(SECRET),
        "a diagnostic shows the outside file:\n{report}"
    );
    assert!(!report.contains("outside/"), "a diagnostic names the target:\n{report}");
}

#[test]
fn symlinked_top_folders_out_of_the_site_are_not_read() {
    let site = SiteTest::new("good").file("rapport.toml", "title = \"T\"\ntheme = \"linked\"\n");
    let outside = outside(&site);
    fs::create_dir_all(outside.join("scripts")).unwrap();
    fs::write(
        outside.join("scripts/lints.rhai"),
        format!("fn lint(item) {{ [\"{SECRET}\"] }}\n"),
    )
    .unwrap();
    fs::create_dir_all(outside.join("theme/templates")).unwrap();
    fs::write(outside.join("theme/templates/base.html"), SECRET).unwrap();
    link(&outside.join("scripts"), &site, "scripts");
    link(&outside.join("theme"), &site, "themes/linked");
    let site = site.build().assert_exit(0);
    assert_no_secret_in_output(&site);
    let site = site
        .check()
        .assert_diagnostic("scripts", 0, "points outside the site")
        .assert_diagnostic("themes/linked", 0, "points outside the site");
    assert!(!site.last().stdout.contains(SECRET), "{}", site.last().stdout);
}

#[test]
fn a_config_file_linked_out_of_the_site_is_not_read() {
    let site = SiteTest::new("good");
    let outside = outside(&site);
    fs::write(outside.join("rapport.toml"), format!("title = \"{SECRET}\"\n")).unwrap();
    fs::remove_file(site.root().join("rapport.toml")).unwrap();
    link(&outside.join("rapport.toml"), &site, "rapport.toml");
    let site = site.build().assert_exit(0);
    assert_no_secret_in_output(&site);
    site.check()
        .assert_diagnostic("rapport.toml", 0, "points outside the site");
}

#[test]
fn symlinks_inside_the_site_keep_working() {
    let site = SiteTest::new("good")
        .file(
            "shared/term.md",
            "---\ntitle: Linked Term\n---\nA term kept elsewhere in the site.\n",
        )
        .file("pictures/photo.txt", "a picture\n");
    link(
        Path::new("../../shared/term.md"),
        &site,
        "content/glossary/linked-term.md",
    );
    link(Path::new("../pictures"), &site, "static/pictures");
    link(&site.root().join("pictures/photo.txt"), &site, "static/photo.txt");
    let site = site.build().assert_exit(0).assert_page(
        "glossary/linked-term/index.html",
        &["A term kept elsewhere in the site."],
    );
    assert_eq!(site.page("pictures/photo.txt"), "a picture\n");
    assert_eq!(site.page("photo.txt"), "a picture\n");
    let site = site.check().assert_exit(0);
    assert!(
        site.diagnostics().iter().all(|d| !d.message.contains("symbolic link")),
        "{:?}",
        site.diagnostics()
    );
}

#[test]
fn a_symlink_added_while_serving_is_not_followed_out() {
    let site = SiteTest::new("good");
    let outside = outside(&site);
    let (mut live, first) = LiveSite::open(site.root(), options()).unwrap();
    assert!(first.ok(), "{:?}", first.diagnostics);

    link(&outside.join("shadow"), &site, "static/shadow.txt");
    link(&outside.join("page.md"), &site, "content/glossary/leak.md");
    link(&outside.join("folder"), &site, "static/etc");
    let paths = BTreeSet::from([
        "static/shadow.txt".to_string(),
        "content/glossary/leak.md".to_string(),
        "static/etc".to_string(),
    ]);
    let rebuild = live.apply(&paths);
    for rel in paths {
        assert!(
            rebuild
                .diagnostics
                .iter()
                .any(|d| d.path == rel && d.message.contains("points outside the site")),
            "no warning at {rel}: {:?}",
            rebuild.diagnostics
        );
    }
    for (path, bytes) in live.outputs() {
        assert!(
            !String::from_utf8_lossy(bytes).contains(SECRET),
            "`{path}` is served with the secret"
        );
    }
    assert!(!live.outputs().contains_key("shadow.txt"));

    // A file that becomes a link out of the site while served is dropped.
    let rel = "content/guides/writing.md";
    fs::remove_file(site.root().join(rel)).unwrap();
    link(&outside.join("page.md"), &site, rel);
    let rebuild = live.apply(&BTreeSet::from([rel.to_string()]));
    assert!(
        rebuild
            .diagnostics
            .iter()
            .any(|d| d.path == rel && d.message.contains("points outside")),
        "{:?}",
        rebuild.diagnostics
    );
    for (path, bytes) in live.outputs() {
        assert!(
            !String::from_utf8_lossy(bytes).contains(SECRET),
            "`{path}` is served with the secret"
        );
    }
}

#[test]
fn the_watcher_does_not_follow_a_symlink_out_of_the_site() {
    let site = SiteTest::new("good");
    let outside = outside(&site);
    link(&outside.join("folder"), &site, "static/etc");
    let mut watcher = SiteWatcher::start(site.root(), "default", false).unwrap();

    // A change outside, seen through the link only if the watcher followed it.
    fs::write(outside.join("folder/new.txt"), SECRET).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let rel = "content/guides/writing.md";
    let text = fs::read_to_string(site.root().join(rel)).unwrap();
    fs::write(site.root().join(rel), format!("{text}\nMore.\n")).unwrap();

    let (sender, batches) = channel();
    std::thread::spawn(move || {
        while let Some(batch) = watcher.next_batch() {
            if sender.send(batch).is_err() {
                break;
            }
        }
    });
    let mut seen = BTreeSet::new();
    while !seen.contains(rel) {
        let batch = batches
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("no event for {rel}; saw {seen:?}"));
        seen.extend(batch);
    }
    assert!(
        seen.iter().all(|p| !p.starts_with("static/etc/")),
        "the watcher followed the link out of the site: {seen:?}"
    );
}

#[test]
fn serve_never_serves_what_a_link_out_of_the_site_points_to() {
    let site = SiteTest::new("good");
    let outside = outside(&site);
    link(&outside.join("shadow"), &site, "static/shadow.txt");
    let served = Served::start_site(site, &[]);
    assert_eq!(served.get("/shadow.txt").status, 404);

    // A link added while serving, then an edit that is sure to reload.
    let mut events = served.events();
    link(&outside.join("environ"), &served.site, "static/environ.txt");
    link(&outside.join("page.md"), &served.site, "content/guides/leak.md");
    let rel = "content/guides/writing.md";
    let text = served.read(rel);
    served.write(rel, &format!("{text}\nAfter the links.\n"));
    events.expect("reload", Duration::from_secs(30));
    assert!(served.get("/guides/writing/").body.contains("After the links."));
    for path in ["/environ.txt", "/guides/leak/", "/shadow.txt"] {
        let response = served.get(path);
        assert_eq!(response.status, 404, "{path}");
        assert!(!response.body.contains(SECRET), "{path}");
    }
}
