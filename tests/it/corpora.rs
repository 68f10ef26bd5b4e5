//! Real content from elsewhere, used in place from `../shared/corpora/`:
//! the Kubernetes glossary as glossary terms and the 18F handbook as plain
//! pages. Their front matter and bodies are what real authors write (folded
//! strings, empty values, extra fields, raw HTML comments, Hugo shortcodes).
//! With raw HTML off (the default), comments and shortcodes show as text.

use std::fs;
use std::path::Path;

use rapport::date::Date;
use rapport::{BuildOptions, Site};

use crate::support::{SiteTest, TODAY, corpus, html_pages};

fn markdown_files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn load(root: &Path) -> Site {
    let options = BuildOptions::new(Date::parse(TODAY).unwrap());
    Site::load(root, &options).unwrap()
}

#[test]
fn kubernetes_glossary_builds_one_page_per_term() {
    let terms = corpus("k8s-glossary").join("terms");
    let files = markdown_files(&terms);
    assert_eq!(files.len(), 140);
    let test = SiteTest::empty()
        .copy_into(&terms, "content/glossary")
        .build()
        .assert_exit(0);
    let stderr = &test.last().stderr;
    assert!(stderr.contains(" 0 errors, "), "{stderr}");
    // The only warnings are the built-in lints: these terms have no owner
    // and no team readings, which the k8s glossary does not record.
    for line in stderr.lines().filter(|l| l.starts_with("warning:")) {
        assert!(line.contains("`owner`") || line.contains("reading"), "{line}");
    }

    let pages = html_pages(test.out());
    let term_pages: Vec<&String> = pages
        .keys()
        .filter(|p| p.starts_with("glossary/") && p.ends_with("/index.html") && p.matches('/').count() == 2)
        .collect();
    assert_eq!(term_pages.len(), 140, "one page per term");
    assert!(stderr.contains(&format!("built {} pages", pages.len())), "{stderr}");
    // Every file's stem is a page (k8s file names are already slugs).
    for file in &files {
        let slug = file.trim_end_matches(".md").to_lowercase();
        assert!(
            pages.contains_key(&format!("glossary/{slug}/index.html")),
            "no page for {file}"
        );
    }

    // `<!--more-->` and other raw HTML comments are not emitted as HTML ...
    for (path, html) in &pages {
        assert!(!html.contains("<!--more-->"), "{path} emits <!--more-->");
    }
    // ... but stay visible as (escaped) text, as do Hugo shortcodes.
    let pod = &pages["glossary/pod/index.html"];
    assert!(pod.contains("<p>&lt;!--more--&gt;</p>"), "{pod}");
    let with_more = pages.values().filter(|html| html.contains("&lt;!--more--&gt;")).count();
    assert_eq!(with_more, 137, "every term with `<!--more-->` shows it");
    assert!(
        pod.contains(
            "running {{&lt; glossary_tooltip text=\"containers\" term_id=\"container\" &gt;}} on your cluster"
        ),
        "{pod}"
    );
    assert!(pod.contains("<h1>Pod</h1>"), "{pod}");
    let with_shortcodes = pages
        .values()
        .filter(|html| html.contains("{{&lt; glossary_tooltip"))
        .count();
    assert!(with_shortcodes > 50, "{with_shortcodes} pages show shortcodes");

    // Extra front matter is kept rather than rejected; folded strings are read.
    let site = load(test.root());
    assert_eq!(site.content.terms.len(), 140);
    let pod = site.content.term("pod").unwrap();
    assert_eq!(
        pod.meta.extra["short_description"],
        "A Pod represents a set of running containers in your cluster.\n"
    );
    assert_eq!(pod.meta.extra["full_link"], "/docs/concepts/workloads/pods/");
    assert_eq!(pod.meta.tags, ["core-object", "fundamental"]);
}

#[test]
fn eighteen_f_handbook_builds_as_plain_pages() {
    let pages_dir = corpus("18f-handbook").join("pages");
    let files = markdown_files(&pages_dir);
    assert_eq!(files.len(), 246);
    let test = SiteTest::empty().copy_into(&pages_dir, "content/handbook").build();
    let run = test.last();
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    // No warnings either: `outdated: true` (an 18F field) once drew "did you
    // mean `updated`?".
    let test = test.assert_exit(0).assert_stderr(&[" 0 errors, 0 warnings"]);

    // Every file became a page, none lost to a clash of URLs.
    let site = load(test.root());
    let handbook: Vec<_> = site
        .content
        .pages
        .iter()
        .filter(|p| p.meta.path.starts_with("content/handbook/"))
        .collect();
    assert_eq!(handbook.len(), 246);
    let written = html_pages(test.out());
    for page in &handbook {
        let output = format!("{}index.html", page.meta.url_path);
        let html = written
            .get(&output)
            .unwrap_or_else(|| panic!("{} has no page at {output}", page.meta.path));
        assert!(
            html.contains(&format!("<h1>{}</h1>", escape(&page.meta.title))),
            "{output} lacks its title"
        );
    }
    // The summary counts what was written: the 246 pages, the folders
    // without an index page, and the site's own pages.
    let summary = &test.last().stderr;
    let handbook_pages = written.keys().filter(|p| p.starts_with("handbook/")).count();
    assert!(handbook_pages > 246, "{handbook_pages} handbook pages\n{summary}");
    assert!(
        summary.contains(&format!("built {} pages", written.len())),
        "{} pages written\n{summary}",
        written.len()
    );
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}
