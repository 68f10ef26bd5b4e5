//! From a loaded [`Site`] to output files in memory: Markdown bodies, views,
//! pages through the theme, and the machine-readable files.
//!
//! Rendering does no I/O and reads no clock: it takes the site and returns
//! [`OutputFile`]s plus diagnostics, which is what lets `check` run the whole
//! pipeline without writing and lets the dev server keep a site in memory.
//! Bodies and pages render in parallel with rayon.

pub(crate) mod calendar;
pub(crate) mod charts;
pub(crate) mod data;
pub(crate) mod feed;
mod html_scan;
pub(crate) mod lists;
pub mod markdown;
pub(crate) mod pages;
pub(crate) mod reader;
pub(crate) mod record;
mod sanitise;
mod script_urls;
pub mod search;
pub(crate) mod sitemap;
pub(crate) mod theme;
pub(crate) mod usage;
pub(crate) mod view;
pub(crate) mod xml;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use minijinja::Value;
use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::embedded;
use crate::links::LinkIndex;
use crate::model::ItemKey;
use crate::render::markdown::{Abbreviations, BodyInput, MarkdownOptions, RenderedBody};
use crate::render::pages::{ContextInput, PageJob};
use crate::render::reader::GapsCache;
use crate::render::theme::Theme;
use crate::render::usage::Usage;
use crate::render::view::{ViewInput, Views, to_value};
use crate::score::{ScoreBook, ScriptCall};
use crate::site::Site;

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// `/`-separated path in the output folder (`glossary/mql/index.html`).
    pub path: String,
    pub bytes: Vec<u8>,
}

/// What every template sees as `site`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SiteView {
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
    /// The footer's links to every page no header link leads to: the site's
    /// own top-level pages and folders (About, Guides), the vocabulary
    /// gaps, how scores are computed and search.
    pub footer: Vec<FooterLink>,
    /// The files for other tools: the Atom feed and `/data/*.json`.
    pub files: Vec<FooterLink>,
    pub generator: String,
    pub repo_url: String,
    pub repo_branch: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct NavLink {
    pub title: &'static str,
    pub url: String,
    pub section: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct FooterLink {
    pub title: String,
    pub url: String,
}

/// Renders every body: HTML, outgoing links, text and link diagnostics.
pub(crate) fn render_bodies(
    site: &Site,
    index: &LinkIndex,
    abbreviations: &Abbreviations,
) -> HashMap<ItemKey, RenderedBody> {
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

pub(crate) fn markdown_options(site: &Site) -> MarkdownOptions {
    MarkdownOptions {
        raw_html: site.config.markdown.raw_html,
        heading_anchors: site.config.markdown.heading_anchors,
        abbreviations: site.config.markdown.abbreviations,
    }
}

/// Acronym -> "Title: one-line definition", for `<abbr title>`.
pub(crate) fn abbreviations(index: &LinkIndex) -> Abbreviations {
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
pub(crate) fn site_view(site: &Site, views: &Views) -> SiteView {
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
    let link = |title: &str, path: &str| FooterLink {
        title: title.to_string(),
        url: format!("{base_path}{path}"),
    };
    // The plain pages and folders at the top of the site; the list intros
    // (`glossary/_index.md`) show on their lists, which the header links.
    let mut footer: Vec<FooterLink> = pages::children(&site.content, "", &base_path)
        .into_iter()
        .filter(|l| !pages::is_list_intro(l.url.strip_prefix(&base_path).unwrap_or(&l.url)))
        .map(|l| FooterLink {
            title: l.title,
            url: l.url,
        })
        .collect();
    footer.extend([
        link("Vocabulary gaps", "gaps/"),
        link("How scores are computed", "scores/"),
        link("Promise ledger", "ledger/"),
        link("Search", "search/"),
    ]);
    let mut files = vec![link("Atom feed", "atom.xml"), link("Calendar", "calendar.ics")];
    files.extend(data::paths().map(|path| link(path.trim_start_matches("data/"), path)));
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
        footer,
        files,
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
    /// Which terms each team uses, for the vocabulary gaps.
    pub usage: Usage,
    /// The vocabulary gaps, once computed.
    pub(crate) gaps: GapsCache,
    pub site_value: Value,
    pub theme: Theme,
    pub diagnostics: Vec<Diagnostic>,
    /// The link problems of the files left out for their errors.
    pub partial_diagnostics: Vec<Diagnostic>,
}

/// Renders bodies, computes views and compiles the theme.
pub fn prepare(site: &Site, scores: ScoreBook, script: Option<ScriptCall>) -> Prepared {
    prepare_timed(site, scores, script, true, &mut |_, _| {})
}

/// [`prepare`], telling `timed` how long each step took; `item_views`:
/// whether the full views of stories and commitments are kept
/// ([`Views::build`]).
pub(crate) fn prepare_timed(
    site: &Site,
    scores: ScoreBook,
    script: Option<ScriptCall>,
    item_views: bool,
    timed: &mut dyn FnMut(&'static str, Duration),
) -> Prepared {
    let mut step = |name: &'static str, started: Instant| timed(name, started.elapsed());
    let started = Instant::now();
    // Files under `content/` are copied beside their pages: links to them
    // are anchored at the copy.
    let content_assets = site
        .sources
        .assets
        .iter()
        .filter(|a| a.source.starts_with("content/"))
        .map(|a| a.output.as_str());
    let index =
        LinkIndex::new(&site.content, &site.drafts.iter().cloned().collect::<Vec<_>>()).with_assets(content_assets);
    let abbreviations = abbreviations(&index);
    let partial_diagnostics = check_partials(site, &index);
    step("links", started);
    let started = Instant::now();
    let bodies = render_bodies(site, &index, &abbreviations);
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for body in bodies.values() {
        diagnostics.extend(body.diagnostics.iter().cloned());
    }
    step("bodies", started);
    let started = Instant::now();
    let base_path = site.config.base_path();
    let views = Views::build(
        &ViewInput {
            content: &site.content,
            bodies: &bodies,
            scores: &scores,
            base_path: &base_path,
        },
        item_views,
    );
    step("views", started);
    let started = Instant::now();
    let usage = Usage::new(&site.content, &bodies);
    step("term uses", started);
    let started = Instant::now();
    let site_value = to_value(site_view(site, &views));
    let (theme, theme_diagnostics) = Theme::new(&site.sources.templates, &site.config.theme, script);
    diagnostics.extend(theme_diagnostics);
    step("theme", started);
    Prepared {
        abbreviations,
        index,
        bodies,
        scores,
        views,
        usage,
        gaps: GapsCache::new(),
        site_value,
        theme,
        diagnostics,
        partial_diagnostics,
    }
}

/// The link problems in the bodies of files left out of the site for their
/// errors: one run reports every problem of a file, its broken links too.
pub(crate) fn check_partials(site: &Site, index: &LinkIndex) -> Vec<Diagnostic> {
    let options = MarkdownOptions {
        raw_html: crate::config::RawHtml::Off,
        heading_anchors: false,
        abbreviations: false,
    };
    site.content
        .partials
        .par_iter()
        .filter(|p| p.checked)
        .flat_map(|p| {
            let input = BodyInput {
                path: &p.meta.path,
                source: &p.meta.source,
                body_offset: p.meta.body_offset,
                base_path: "/",
            };
            markdown::render(&input, index, &Abbreviations::new(), &options).diagnostics
        })
        .collect()
}

/// Renders the body of one item again (the dev server's fast path), with
/// the links and acronyms of the last full build.
pub(crate) fn render_body(site: &Site, prepared: &Prepared, key: &ItemKey) -> Option<RenderedBody> {
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

/// Writes one page (output path, HTML), or says why it could not.
pub(crate) type WritePage<'a> = dyn Fn(&str, &[u8]) -> Result<(), Diagnostic> + Sync + 'a;

/// What becomes of each page as soon as it is rendered.
#[derive(Clone, Copy)]
pub(crate) enum Pages<'a> {
    /// Kept in memory: the dev server serves them from there.
    Keep,
    /// Handed to a writer on the rendering thread, then dropped, so that
    /// `rapport build` never holds the whole site and writes in parallel.
    Hand(&'a WritePage<'a>),
    /// Rendered only to find errors (`rapport check`).
    Discard,
}

/// One rendered page: its output path, and its HTML when kept.
#[derive(Debug, Clone)]
pub(crate) struct RenderedPage {
    pub path: String,
    pub html: Option<Vec<u8>>,
}

/// Renders the pages in `jobs`, each with its own result; `pages` says
/// what becomes of the HTML.
pub(crate) fn render_jobs(
    site: &Site,
    prepared: &Prepared,
    jobs: &[PageJob],
    pages: Pages<'_>,
) -> Vec<(PageJob, Result<Option<RenderedPage>, Diagnostic>)> {
    let base_path = site.config.base_path();
    let input = ContextInput {
        content: &site.content,
        bodies: &prepared.bodies,
        scores: &prepared.scores,
        views: &prepared.views,
        usage: &prepared.usage,
        gaps: &prepared.gaps,
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
                Some(ctx) => {
                    let path = job.output_path();
                    match pages {
                        Pages::Keep => prepared.theme.render(ctx.template, ctx.context).map(|html| {
                            Some(RenderedPage {
                                path,
                                html: Some(html.into_bytes()),
                            })
                        }),
                        Pages::Hand(write) => prepared
                            .theme
                            .render(ctx.template, ctx.context)
                            .and_then(|html| write(&path, html.as_bytes()))
                            .map(|()| Some(RenderedPage { path, html: None })),
                        Pages::Discard => prepared
                            .theme
                            .render_to(ctx.template, ctx.context, std::io::sink())
                            .map(|()| Some(RenderedPage { path, html: None })),
                    }
                }
            };
            (job.clone(), result)
        })
        .collect()
}

/// The files that do not change when only bodies or scores do: the feeds,
/// the calendars, the sitemap, and the theme's and the site's static
/// files. They are made
/// side by side and returned in this order (a later file wins at a path).
pub(crate) fn fixed_files(site: &Site, jobs: &[PageJob]) -> Vec<OutputFile> {
    let ((feed, team_feeds), (calendars, (sitemap, assets))) = rayon::join(
        || rayon::join(|| feed::file(site), || feed::team_files(site)),
        || {
            rayon::join(
                || calendar::files(site),
                || rayon::join(|| sitemap::sitemap(site, jobs), || asset_files(site)),
            )
        },
    );
    let mut files = vec![feed];
    files.extend(team_feeds);
    files.extend(calendars);
    files.push(OutputFile {
        path: "sitemap.xml".into(),
        bytes: sitemap.into_bytes(),
    });
    files.extend(assets);
    files
}

/// The theme's and the site's static files, copied as they are.
pub(crate) fn asset_files(site: &Site) -> Vec<OutputFile> {
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
