//! One build: the state of every stage after a loaded site, and the one way
//! to assemble its output.
//!
//! [`Build::of`] runs the stages in order on a [`Site`] (the loaded and
//! validated content): the scripts' hooks, the bodies, views and term uses
//! ([`render::prepare`]), every page, the data files item by item, the
//! search index, and the files that do not change with bodies. It keeps
//! each stage's result, so that `build` and `check` read the output and
//! the diagnostics from it, and the dev server ([`crate::live`]) keeps one
//! between rebuilds and updates only the parts an edit touches, through the
//! same functions. There is no other place that assembles a site.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Instant;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::ItemKey;
use crate::render::data::{self, DataFragments};
use crate::render::pages::{self, PageJob};
use crate::render::reader::{GapsCache, ReaderInput};
use crate::render::search::SearchIndex;
use crate::render::{self, OutputFile, Pages, Prepared, RenderedPage};
use crate::script::{self, Scored};
use crate::site::Site;
use crate::timings::Timings;

/// The result of rendering one page: its output path, or none for a job
/// with no page, or the template's error. The HTML is in [`Build::files`]
/// when the build keeps it.
pub(crate) type PageResult = Result<Option<String>, Diagnostic>;

/// Every stage's state of one build.
pub struct Build {
    pub site: Site,
    pub scored: Scored,
    pub prepared: Prepared,
    /// Every page of the site, with its last rendering.
    pub pages: BTreeMap<PageJob, PageResult>,
    /// The pages whose last rendering failed: finding them among every
    /// page after each edit cost the dev server a millisecond.
    failed: BTreeSet<PageJob>,
    /// `data/*.json` item by item.
    pub data: DataFragments,
    pub(crate) search: SearchIndex,
    /// Every output file by path, pages and other files, even when the
    /// build has errors; empty when the pages were handed to a writer
    /// (`rapport build`), which then had every other file too
    /// ([`Build::handed_on`]), and when they were discarded (`check`).
    pub files: BTreeMap<String, Arc<[u8]>>,
    /// How long each stage took.
    pub timings: Timings,
    /// How many files other than pages were handed to the writer (when
    /// pages were: `rapport build`); they are not in `files`.
    pub(crate) others_written: usize,
}

impl Build {
    /// Runs every stage on `site`, keeping every output file in memory.
    pub fn of(site: Site) -> Build {
        Build::with(site, Pages::Keep)
    }

    /// Runs every stage on `site`; `pages` says what becomes of each page
    /// as soon as it is rendered. The other output files are kept.
    pub(crate) fn with(site: Site, pages: Pages<'_>) -> Build {
        let mut timings = Timings::default();
        let keep = matches!(pages, Pages::Keep);
        let mut scored = timings.time("score", || script::score_site_keeping(&site, keep));
        // The scripts' copies of every item are gone.
        crate::memory::give_back();
        let scores = std::mem::take(&mut scored.scores);
        let template_call = scored.template_call();
        // Only the dev server (which keeps its pages) keeps every full view.
        let prepared = render::prepare_timed(&site, scores, template_call, keep, &mut |stage, took| {
            timings.push(stage, took);
        });
        let base_path = site.config.base_path();
        let reader = ReaderInput {
            content: &site.content,
            scores: &prepared.scores,
            views: &prepared.views,
            usage: &prepared.usage,
            gaps: &prepared.gaps,
            base_path: &base_path,
            today: site.today,
            ledger: &site.git.ledger,
        };
        timings.time("gaps", || crate::render::reader::vocabulary::vocabulary_gaps(&reader));
        let jobs = timings.time("plan", || pages::plan(&reader));
        let collisions = pages::collisions(&reader);
        // `check` keeps no output: the data files and the search index,
        // which can have no error of their own, are not made.
        let outputs = !matches!(pages, Pages::Discard);
        let hand = match pages {
            Pages::Hand(write) => Some(write),
            _ => None,
        };
        if hand.is_some() {
            // What the stages before freed (the scripts' copies of every
            // item among them), before the pages are rendered on top.
            crate::memory::give_back();
        }
        let results = timings.time("pages", || render::render_jobs(&site, &prepared, &jobs, pages));
        let mut prepared = prepared;
        prepared.diagnostics.extend(collisions);
        if let Some(write) = hand {
            return Build::handed_on(site, scored, prepared, &jobs, results, timings, write);
        }
        let mut build = Build::without_pages(site, scored, prepared, timings);
        if !outputs {
            build.keep_pages(results);
            return build;
        }
        build.data = build
            .timings
            .time("data", || data::fragments(&build.site, &build.prepared));
        build.search = build.timings.time("search", || {
            SearchIndex::new(&build.site.content, &build.prepared.bodies)
        });
        let started = Instant::now();
        let others: Vec<OutputFile> = render::fixed_files(&build.site, &jobs)
            .into_iter()
            .chain(data::files_from(&build.site, &build.prepared, &build.data))
            .chain(build.search.files())
            .collect();
        // Static files first, so that a page at the same path wins.
        for file in others {
            build.files.insert(file.path, Arc::from(file.bytes));
        }
        build.keep_pages(results);
        build.timings.push("assemble", started.elapsed());
        build
    }

    /// The rest of a build whose pages were handed to `write` as they
    /// rendered (`rapport build`): every other output file is handed on as
    /// soon as it is made, and each stage's state is dropped once nothing
    /// after it reads it (the views after the data files, the search index
    /// once written), so the peak memory is the largest stage, not their
    /// sum. A page wins over another file at its path, then the data files
    /// and the search index (under folders of their own, so never at one
    /// path), then the feeds, calendars, sitemap and static files, as in
    /// [`Build::with`]'s kept output. Failed writes are errors at their
    /// paths.
    fn handed_on(
        site: Site,
        scored: Scored,
        mut prepared: Prepared,
        jobs: &[PageJob],
        results: Vec<(PageJob, Result<Option<RenderedPage>, Diagnostic>)>,
        mut timings: Timings,
        write: &render::WritePage<'_>,
    ) -> Build {
        use rayon::prelude::*;
        let mut taken: HashSet<String> = results
            .iter()
            .filter_map(|(_, result)| result.as_ref().ok()?.as_ref().map(|page| page.path.clone()))
            .collect();
        let mut written = 0;
        let mut hand_on = |files: Vec<OutputFile>, taken: &mut HashSet<String>| -> Vec<Diagnostic> {
            // The last of several files at one path wins, as in a map.
            let mut seen = HashSet::new();
            let files: Vec<OutputFile> = files
                .into_iter()
                .rev()
                .filter(|file| !taken.contains(&file.path) && seen.insert(file.path.clone()))
                .collect();
            written += files.len();
            let errors = files
                .par_iter()
                .filter_map(|file| write(&file.path, &file.bytes).err())
                .collect();
            taken.extend(seen);
            errors
        };
        let mut errors = Vec::new();
        // Nothing after the pages reads the views but the data files, which
        // read the team cards (their colours).
        let teams = std::mem::take(&mut prepared.views.cards.teams);
        prepared.views = Default::default();
        prepared.views.cards.teams = teams;
        prepared.usage = Default::default();
        prepared.gaps = GapsCache::new();
        crate::memory::give_back();
        timings.time("data", || {
            data::each_file(&site, &prepared, |file| errors.extend(hand_on(vec![file], &mut taken)));
        });
        // The search index reads only the bodies' plain text, and is the
        // last to read the bodies.
        let mut bodies = std::mem::take(&mut prepared.bodies);
        for body in bodies.values_mut() {
            body.html = String::new();
            body.summary = String::new();
            body.links = Vec::new();
            body.headings = Vec::new();
        }
        crate::memory::give_back();
        timings.time("search", || {
            let files = SearchIndex::files_of(&site.content, bodies);
            errors.extend(hand_on(files, &mut taken));
        });
        let started = Instant::now();
        errors.extend(hand_on(render::fixed_files(&site, jobs), &mut taken));
        prepared.diagnostics.extend(errors);
        timings.push("assemble", started.elapsed());
        let mut build = Build::without_pages(site, scored, prepared, timings);
        build.others_written = written;
        build.keep_pages(results);
        build
    }

    /// A build of these stages with no page, data file, search index or
    /// other output yet.
    fn without_pages(site: Site, scored: Scored, prepared: Prepared, timings: Timings) -> Build {
        Build {
            site,
            scored,
            prepared,
            pages: BTreeMap::new(),
            failed: BTreeSet::new(),
            data: DataFragments::default(),
            search: SearchIndex::default(),
            files: BTreeMap::new(),
            timings,
            others_written: 0,
        }
    }

    /// Renders `jobs` again and puts their pages in place; returns the
    /// output paths written.
    pub(crate) fn render_again(&mut self, jobs: &[PageJob]) -> Vec<String> {
        let results = render::render_jobs(&self.site, &self.prepared, jobs, Pages::Keep);
        self.keep_pages(results)
    }

    /// Puts rendered pages in place (their HTML in `files` when kept, after
    /// the other files, so that a page wins over a static file at its
    /// path); returns their output paths.
    fn keep_pages(&mut self, results: Vec<(PageJob, Result<Option<RenderedPage>, Diagnostic>)>) -> Vec<String> {
        let mut touched = Vec::with_capacity(results.len());
        for (job, result) in results {
            let result = result.map(|page| {
                page.map(|page| {
                    if let Some(html) = page.html {
                        self.files.insert(page.path.clone(), Arc::from(html));
                    }
                    touched.push(page.path.clone());
                    page.path
                })
            });
            if result.is_err() {
                self.failed.insert(job.clone());
            } else {
                self.failed.remove(&job);
            }
            self.pages.insert(job, result);
        }
        touched
    }

    /// The errors of the pages that failed to render, one per page.
    pub(crate) fn page_errors(&self) -> Vec<Diagnostic> {
        self.failed
            .iter()
            .filter_map(|job| self.pages.get(job)?.as_ref().err().cloned())
            .collect()
    }

    /// The output paths of the pages, which win over other files at the
    /// same path.
    pub(crate) fn page_paths(&self) -> HashSet<&str> {
        self.pages
            .values()
            .filter_map(|r| r.as_ref().ok().and_then(|p| p.as_deref()))
            .collect()
    }

    /// Puts `files` in place; returns their paths.
    pub(crate) fn replace_files(&mut self, files: Vec<OutputFile>) -> Vec<String> {
        let mut touched = Vec::with_capacity(files.len());
        for file in files {
            touched.push(file.path.clone());
            self.files.insert(file.path, Arc::from(file.bytes));
        }
        touched
    }

    /// Drops output files that are gone (a search shard no item has words
    /// in any more), returning their paths.
    pub(crate) fn remove_files(&mut self, paths: Vec<String>) -> Vec<String> {
        for path in &paths {
            self.files.remove(path);
        }
        paths
    }

    /// How many pages the site has.
    pub fn page_count(&self) -> usize {
        self.pages.values().filter(|r| matches!(r, Ok(Some(_)))).count()
    }

    /// The errors of pages that failed to render (one broken template fails
    /// every page that uses it, and is reported once).
    pub(crate) fn page_diagnostics(&self) -> Vec<Diagnostic> {
        let mut list = self.page_errors();
        list.sort_by(|a, b| (&a.path, a.line, &a.message).cmp(&(&b.path, b.line, &b.message)));
        list.dedup_by(|a, b| a.path == b.path && a.line == b.line && a.message == b.message);
        list
    }

    /// Every diagnostic of the build, sorted, with snippets.
    pub fn diagnostics(&self) -> Diagnostics {
        let mut diagnostics: Diagnostics = self.site.diagnostics.iter().cloned().collect();
        diagnostics.extend(self.prepared.diagnostics.iter().cloned());
        diagnostics.extend(self.prepared.partial_diagnostics.iter().cloned());
        diagnostics.extend(self.page_diagnostics());
        diagnostics.extend(self.scored.diagnostics.iter().cloned());
        diagnostics.extend(self.scored.template_diagnostics());
        diagnostics.finish(&self.site.source_texts());
        diagnostics
    }

    /// The output files, sorted by path.
    pub fn output(&self) -> Vec<OutputFile> {
        self.files
            .iter()
            .map(|(path, bytes)| OutputFile {
                path: path.clone(),
                bytes: bytes.to_vec(),
            })
            .collect()
    }

    /// The items whose data records changed, serialised again; returns the
    /// data files whose bytes changed.
    pub(crate) fn refresh_data(&mut self, keys: &[ItemKey]) -> Vec<OutputFile> {
        let lists = data::refresh(&mut self.data, &self.site, &self.prepared, keys);
        data::list_files(&self.site, &self.data, &lists)
    }
}
