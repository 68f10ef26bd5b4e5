//! From a loaded [`Site`] to output files in memory: Markdown bodies, views,
//! pages through the theme, and the machine-readable files.
//!
//! Rendering does no I/O and reads no clock: it takes the site and returns
//! [`OutputFile`]s plus diagnostics, which is what lets `check` run the whole
//! pipeline without writing and lets the dev server keep a site in memory.
//! Bodies and pages render in parallel with rayon.

pub mod calendar;
pub mod charts;
pub mod data;
pub mod feed;
pub mod markdown;
pub mod pages;
pub mod reader;
pub mod record;
pub mod search;
pub mod sitemap;
pub mod theme;
pub mod usage;
pub mod view;

use std::collections::HashMap;

use minijinja::Value;
use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::embedded;
use crate::links::LinkIndex;
use crate::model::ItemKey;
use crate::render::markdown::{Abbreviations, BodyInput, MarkdownOptions, RenderedBody};
use crate::render::pages::{ContextInput, PageJob};
use crate::render::theme::{ScriptCall, Theme};
use crate::render::view::{ViewInput, Views, to_value};
use crate::score::ScoreBook;
use crate::site::Site;

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// `/`-separated path in the output folder (`glossary/mql/index.html`).
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A rendered site: its files and the problems rendering found.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Sorted by path.
    pub files: Vec<OutputFile>,
    pub diagnostics: Vec<Diagnostic>,
    /// How many HTML pages are among the files.
    pub pages: usize,
}

/// What every template sees as `site`.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    /// The path prefix of every URL (`/` or `/alignment/`).
    pub base_path: String,
    /// The full base URL when the config gives a host, else the base path.
    pub base_url: String,
    pub language: String,
    pub today: String,
    pub teams: Vec<Value>,
    pub nav: Vec<NavLink>,
    pub generator: String,
    pub repo_url: String,
    pub repo_branch: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavLink {
    pub title: &'static str,
    pub url: String,
    pub section: &'static str,
}

/// Renders every body: HTML, outgoing links, text and link diagnostics.
pub fn render_bodies(site: &Site, index: &LinkIndex, abbreviations: &Abbreviations) -> HashMap<ItemKey, RenderedBody> {
    let options = markdown_options(site);
    let base_path = site.config.base_path();
    let metas: Vec<_> = site.content.items().map(|item| item.meta()).collect();
    metas
        .par_iter()
        .map(|meta| {
            let input = BodyInput {
                path: &meta.path,
                source: &meta.source,
                body_offset: meta.body_offset,
                base_path: &base_path,
            };
            (meta.key(), markdown::render(&input, index, abbreviations, &options))
        })
        .collect()
}

pub fn markdown_options(site: &Site) -> MarkdownOptions {
    MarkdownOptions {
        raw_html: site.config.markdown.raw_html,
        heading_anchors: site.config.markdown.heading_anchors,
        abbreviations: site.config.markdown.abbreviations,
    }
}

/// Acronym -> "Title: one-line definition", for `<abbr title>`.
pub fn abbreviations(index: &LinkIndex) -> Abbreviations {
    index
        .acronyms()
        .filter(|(acronym, _, _)| acronym.chars().count() >= 2 && acronym.chars().any(char::is_uppercase))
        .map(|(acronym, key, title)| {
            // "MQL": "A Marketing Qualified Lead is…" names the term already;
            // "NRR": "Net Revenue Retention: Revenue kept…" needs the name.
            let text = match index.tooltip(key) {
                Some(tip) if tip.to_lowercase().contains(&title.to_lowercase()) => tip.to_string(),
                Some(tip) => format!("{title}: {tip}"),
                None => title.to_string(),
            };
            (acronym.to_string(), text)
        })
        .collect()
}

/// The `site` value of every template.
pub fn site_view(site: &Site, views: &Views) -> SiteView {
    let base_path = site.config.base_path();
    let nav = [
        ("Glossary", "glossary/", "glossary"),
        ("Teams", "teams/", "teams"),
        ("Stories", "stories/", "stories"),
        ("Commitments", "commitments/", "commitments"),
        ("Happiness", "happiness/", "happiness"),
    ]
    .into_iter()
    .map(|(title, path, section)| NavLink {
        title,
        url: format!("{base_path}{path}"),
        section,
    })
    .collect();
    SiteView {
        title: site.config.title.clone(),
        description: site.config.description.clone(),
        base_url: match site.config.origin() {
            Some(origin) => format!("{origin}{base_path}"),
            None => base_path.clone(),
        },
        base_path,
        language: site.config.language.clone(),
        today: site.today.to_string(),
        teams: views.team_links.values().cloned().collect(),
        nav,
        generator: format!("rapport {}", env!("CARGO_PKG_VERSION")),
        repo_url: site.config.repo.url.clone(),
        repo_branch: site.config.repo.branch.clone(),
    }
}

/// Everything a build computes before writing pages; kept by the dev server
/// between rebuilds.
pub struct Prepared {
    pub index: LinkIndex,
    /// Acronym -> title, for `<abbr>` in bodies.
    pub abbreviations: Abbreviations,
    pub bodies: HashMap<ItemKey, RenderedBody>,
    pub scores: ScoreBook,
    pub views: Views,
    pub site_value: Value,
    pub theme: Theme,
    pub diagnostics: Vec<Diagnostic>,
}

/// Renders bodies, computes views and compiles the theme.
pub fn prepare(site: &Site, scores: ScoreBook, script: Option<ScriptCall>) -> Prepared {
    let index = LinkIndex::new(&site.content, &site.drafts.iter().cloned().collect::<Vec<_>>());
    let abbreviations = abbreviations(&index);
    let bodies = render_bodies(site, &index, &abbreviations);
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for body in bodies.values() {
        diagnostics.extend(body.diagnostics.iter().cloned());
    }
    let base_path = site.config.base_path();
    let views = Views::build(&ViewInput {
        content: &site.content,
        bodies: &bodies,
        scores: &scores,
        base_path: &base_path,
    });
    let site_value = to_value(site_view(site, &views));
    let (theme, theme_diagnostics) = Theme::new(&site.sources.templates, &site.config.theme, script);
    diagnostics.extend(theme_diagnostics);
    Prepared {
        abbreviations,
        index,
        bodies,
        scores,
        views,
        site_value,
        theme,
        diagnostics,
    }
}

/// Renders the body of one item again (the dev server's fast path), with
/// the links and acronyms of the last full build.
pub fn render_body(site: &Site, prepared: &Prepared, key: &ItemKey) -> Option<RenderedBody> {
    let meta = site.content.get(key)?.meta();
    let base_path = site.config.base_path();
    let input = BodyInput {
        path: &meta.path,
        source: &meta.source,
        body_offset: meta.body_offset,
        base_path: &base_path,
    };
    Some(markdown::render(
        &input,
        &prepared.index,
        &prepared.abbreviations,
        &markdown_options(site),
    ))
}

/// Renders the pages in `jobs`, each with its own result.
pub fn render_jobs(
    site: &Site,
    prepared: &Prepared,
    jobs: &[PageJob],
) -> Vec<(PageJob, Result<Option<OutputFile>, Diagnostic>)> {
    let base_path = site.config.base_path();
    let input = ContextInput {
        content: &site.content,
        scores: &prepared.scores,
        views: &prepared.views,
        site: &prepared.site_value,
        base_path: &base_path,
        git: &site.git,
        repo: &site.config.repo,
        today: site.today,
    };
    jobs.par_iter()
        .map(|job| {
            let result = match pages::context(job, &input) {
                None => Ok(None),
                Some(ctx) => prepared.theme.render(ctx.template, ctx.context).map(|html| {
                    Some(OutputFile {
                        path: job.output_path(),
                        bytes: html.into_bytes(),
                    })
                }),
            };
            (job.clone(), result)
        })
        .collect()
}

/// Renders the pages in `jobs`.
pub fn render_pages(site: &Site, prepared: &Prepared, jobs: &[PageJob]) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    gather(render_jobs(site, prepared, jobs))
}

/// Renders the whole site.
pub fn render_site(site: &Site, scores: ScoreBook, script: Option<ScriptCall>) -> Rendered {
    let prepared = prepare(site, scores, script);
    let jobs = pages::plan(&site.content);
    let (files, page_diagnostics) = gather(render_jobs(site, &prepared, &jobs));
    let mut diagnostics = prepared.diagnostics.clone();
    diagnostics.extend(page_diagnostics);
    assemble(files, extra_files(site, &prepared, &jobs), diagnostics)
}

/// Pages plus the other files, sorted by path; a page wins over a static
/// file at the same path.
pub fn assemble(pages: Vec<OutputFile>, extra: Vec<OutputFile>, diagnostics: Vec<Diagnostic>) -> Rendered {
    let count = pages.len();
    let mut files = pages;
    files.extend(extra);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    Rendered {
        files,
        diagnostics,
        pages: count,
    }
}

/// The files and the diagnostics of page results; one broken template
/// fails every page that uses it, and is reported once.
pub fn gather(results: Vec<(PageJob, Result<Option<OutputFile>, Diagnostic>)>) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let mut files = Vec::with_capacity(results.len());
    let mut diagnostics = Vec::new();
    for (_, result) in results {
        match result {
            Ok(Some(file)) => files.push(file),
            Ok(None) => {}
            Err(d) => diagnostics.push(d),
        }
    }
    diagnostics.sort_by(|a, b| (&a.path, a.line, &a.message).cmp(&(&b.path, b.line, &b.message)));
    diagnostics.dedup_by(|a, b| a.path == b.path && a.line == b.line && a.message == b.message);
    (files, diagnostics)
}

/// The files that are not pages: `data/*.json`, the Atom feed, sitemap,
/// theme and site static files.
pub fn extra_files(site: &Site, prepared: &Prepared, jobs: &[PageJob]) -> Vec<OutputFile> {
    let mut files = Vec::new();
    files.extend(data::files(site, prepared));
    files.push(search::file(site, prepared));
    files.extend(fixed_files(site, jobs));
    files
}

/// The files that do not change when only bodies or scores do: the feed,
/// the sitemap, and the theme's and the site's static files.
pub fn fixed_files(site: &Site, jobs: &[PageJob]) -> Vec<OutputFile> {
    let mut files = Vec::new();
    files.push(feed::file(site));
    files.extend(feed::team_files(site));
    files.extend(calendar::files(site));
    files.push(OutputFile {
        path: "sitemap.xml".into(),
        bytes: sitemap::sitemap(site, jobs).into_bytes(),
    });
    files.extend(asset_files(site));
    files
}

/// The theme's and the site's static files, copied as they are.
pub fn asset_files(site: &Site) -> Vec<OutputFile> {
    // Later entries win: built-in theme, then the site's theme, then static/.
    let mut assets: HashMap<String, Vec<u8>> = HashMap::new();
    for (path, bytes) in embedded::theme_static() {
        assets.insert(path.to_string(), bytes.to_vec());
    }
    let mut site_assets: Vec<_> = site.sources.assets.iter().collect();
    site_assets.sort_by_key(|a| !a.source.starts_with("themes/"));
    for asset in site_assets {
        assets.insert(asset.output.clone(), asset.bytes.to_vec());
    }
    assets
        .into_iter()
        .map(|(path, bytes)| OutputFile { path, bytes })
        .collect()
}
