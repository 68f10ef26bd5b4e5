//! A site kept in memory between rebuilds, for `rapport serve`.
//!
//! [`LiveSite`] holds the files it read, what each content file parsed to,
//! and everything the last build computed: the model, the scores, the
//! rendered bodies, the views, every page. [`LiveSite::apply`] takes the
//! paths that changed on disk and picks the cheapest correct rebuild:
//!
//! - **Body edits** (the front matter of every changed file is byte for byte
//!   what it was): re-render those bodies, re-run the hooks for those items
//!   and the teams that read them, refresh their views, and re-render only
//!   the pages that show something that changed — the item's own page,
//!   pages whose "used in" lists changed, and, when its card (summary, score)
//!   changed, the lists and team pages that show the card.
//! - **Anything else** (front matter, new or deleted files, templates,
//!   scripts, config): a full rebuild, which still re-parses only the files
//!   whose text changed.
//!
//! Either way it reports which output files changed, so the browser reloads
//! only the pages that show something new, and a failed rebuild keeps the
//! last good output.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use rayon::prelude::*;

use crate::build::Build;
use crate::diagnostic::{Diagnostic, Diagnostics, LineIndex, fill_snippets};
use crate::front_matter;
use crate::load::{self, Role, SourceTree, TextFile};
use crate::model::read::{ReadOutcome, read_item};
use crate::model::text;
use crate::model::{ItemKey, Kind};
use crate::render::data::{self};
use crate::render::lists::ListKey;
use crate::render::pages::{self, PageJob};
use crate::render::reader::{GapsCache, ReaderInput};
use crate::render::view::ViewInput;
use crate::render::{self};
use crate::site::{BuildOptions, Site, resolve_today};
use crate::timings::Timings;

/// What one rebuild did.
#[derive(Debug, Clone)]
pub struct Rebuild {
    /// Shared with the live site, which keeps them while nothing they come
    /// from changes.
    pub diagnostics: Arc<Diagnostics>,
    /// Output paths that were added, changed or removed since the last good
    /// build (empty when the rebuild failed).
    pub changed: Vec<String>,
    /// How many pages were rendered.
    pub rendered: usize,
    pub elapsed: Duration,
    /// Whether the fast path for body edits was taken.
    pub incremental: bool,
    /// How long each step of the fast path took (empty for other
    /// rebuilds), for `rapport serve --timings`.
    pub timings: Timings,
}

impl Rebuild {
    pub fn ok(&self) -> bool {
        !self.diagnostics.has_errors()
    }

    /// This rebuild followed by `later`, which finished its work: one
    /// rebuild with the changes of both and the diagnostics of `later`.
    fn then(mut self, later: Rebuild) -> Rebuild {
        self.changed.extend(later.changed);
        self.changed.sort();
        self.changed.dedup();
        self.diagnostics = later.diagnostics;
        self.elapsed += later.elapsed;
        self.timings.stages.extend(later.timings.stages);
        self
    }
}

/// The last build, with its diagnostics split by whether an item's body
/// carries them.
struct State {
    build: Build,
    /// Diagnostics that do not change with an item's body: loading,
    /// validation, the theme, failed hooks. Snippets filled in.
    fixed: Vec<Diagnostic>,
    /// Diagnostics that come with an item's body: its links, its lints.
    by_item: HashMap<String, Vec<Diagnostic>>,
    /// What the last fast rebuilds left for after their reload event.
    deferred: Option<Deferred>,
    /// The sorted diagnostics of the last rebuild, with the page errors
    /// and the load error they were made with: a fast rebuild that changed
    /// none of these reuses them (sorting thousands of warnings took longer
    /// than the rest of a body edit).
    reported: Option<Reported>,
}

/// Diagnostics as [`LiveSite::finish`] last gathered them.
struct Reported {
    page_errors: Vec<Diagnostic>,
    load_error: Option<Diagnostic>,
    diagnostics: Arc<Diagnostics>,
}

/// The files a fast rebuild makes after its reload event: the data files
/// and the search index, which no page shows. What they must be made from.
#[derive(Debug, Default)]
struct Deferred {
    /// The items whose bodies changed: their search documents.
    edited: Vec<ItemKey>,
    /// The items whose data records may have changed.
    dirty: Vec<ItemKey>,
    /// Whether a score changed (`data/scores.json`).
    scores: bool,
}

impl Deferred {
    /// Adds what a later fast rebuild left, before this was made.
    fn merge(&mut self, later: Deferred) {
        self.edited.extend(later.edited);
        self.dirty.extend(later.dirty);
        self.scores |= later.scores;
    }
}

/// A site in memory that applies changes from disk.
pub struct LiveSite {
    root: PathBuf,
    options: BuildOptions,
    tree: SourceTree,
    /// What each content file parsed to, with the text it was parsed from.
    reads: HashMap<String, (Arc<str>, ReadOutcome)>,
    state: Option<State>,
    /// The output of the last good build.
    outputs: BTreeMap<String, Arc<[u8]>>,
    /// Whether a build has ever succeeded.
    has_good: bool,
    /// Whether `outputs` is exactly the current state's files (the last
    /// rebuild succeeded), so a fast rebuild need only compare what it wrote.
    in_step: bool,
    /// Why the last attempt to read the site failed as a whole (the root
    /// went away). Reported by every rebuild, fast ones too, until a read
    /// succeeds again.
    load_error: Option<Diagnostic>,
}

impl LiveSite {
    /// Loads and builds the site at `root`.
    pub fn open(root: &Path, options: BuildOptions) -> Result<(LiveSite, Rebuild)> {
        let tree = load::load(root)?;
        let mut live = LiveSite {
            root: root.to_path_buf(),
            options,
            tree,
            reads: HashMap::new(),
            state: None,
            outputs: BTreeMap::new(),
            has_good: false,
            in_step: false,
            load_error: None,
        };
        let rebuild = live.rebuild(Instant::now());
        Ok((live, rebuild))
    }

    /// The output of the last good build (or of the first build, even with
    /// errors, when none has succeeded yet: better than an empty site).
    pub fn outputs(&self) -> &BTreeMap<String, Arc<[u8]>> {
        &self.outputs
    }

    /// The theme the site uses now (`rapport.toml` may change it).
    pub(crate) fn theme(&self) -> &str {
        &self.tree.config.theme
    }

    /// Applies the changes to `paths` (relative to the root) and rebuilds
    /// every output file.
    pub fn apply(&mut self, paths: &BTreeSet<String>) -> Rebuild {
        let first = self.apply_before_reload(paths);
        match self.apply_deferred() {
            Some(later) => first.then(later),
            None => first,
        }
    }

    /// Whether a fast rebuild left files to make ([`LiveSite::apply_deferred`]).
    pub fn has_deferred(&self) -> bool {
        self.state.as_ref().is_some_and(|s| s.deferred.is_some())
    }

    /// Makes the files the fast rebuilds left for after their reload event:
    /// the data files and the search index, which no page shows. The dev
    /// server holds requests for them until this has run. `None` when
    /// nothing was left.
    pub fn apply_deferred(&mut self) -> Option<Rebuild> {
        let started = Instant::now();
        let state = self.state.as_mut()?;
        let mut later = state.deferred.take()?;
        for keys in [&mut later.edited, &mut later.dirty] {
            keys.sort();
            keys.dedup();
        }
        let build = &mut state.build;
        let search = build
            .search
            .refresh(&build.site.content, &build.prepared.bodies, &later.edited);
        let mut others = build.refresh_data(&later.dirty);
        if later.scores {
            others.push(data::scores_file(&build.site, &build.prepared.scores));
        }
        others.extend(search.written);
        let mut touched = build.remove_files(search.removed);
        touched.extend(build.replace_files(others));
        let mut timings = Timings::default();
        let mut lap = started;
        timings.lap("data, search", &mut lap);
        let mut rebuild = self.finish(started, 0, true, Some(touched));
        timings.lap("compare data", &mut lap);
        rebuild.timings = timings;
        Some(rebuild)
    }

    /// Applies the changes to `paths` and rebuilds what the pages show; a
    /// fast rebuild leaves the data files and the search index for
    /// [`LiveSite::apply_deferred`], so the reload event goes out first.
    pub fn apply_before_reload(&mut self, paths: &BTreeSet<String>) -> Rebuild {
        let started = Instant::now();
        if self.load_error.is_some() {
            return self.rescan(started);
        }
        if self.only_assets_changed(paths) {
            return self.apply_asset_edits(paths, started);
        }
        if let Some(edits) = self.body_edits(paths) {
            if let Some(rebuild) = self.apply_body_edits(edits, started) {
                return rebuild;
            }
            // The fast path gave up (a hook failed, a term's definition
            // changed): the tree is up to date, so a full rebuild is right.
            return self.rebuild(started);
        }
        if self.needs_rescan(paths) {
            return self.rescan(started);
        }
        for path in paths {
            self.reread(path);
        }
        self.rebuild(started)
    }

    /// Reads the whole site again, then rebuilds. When the site cannot be
    /// read at all, the error is kept and reported by every rebuild until a
    /// later read succeeds: a fast rebuild must not clear it.
    fn rescan(&mut self, started: Instant) -> Rebuild {
        match load::load(&self.root) {
            Ok(tree) => {
                self.tree = tree;
                self.load_error = None;
                self.rebuild(started)
            }
            Err(err) => {
                self.load_error = Some(
                    Diagnostic::error(".", format!("cannot read the site: {err:#}"))
                        .hint("the site's folder was moved or removed; restore it"),
                );
                self.in_step = false;
                self.finish(started, 0, false, None)
            }
        }
    }

    /// A changed config (which may switch the theme) or a folder event
    /// (whose files changed without events of their own) means reading the
    /// whole site again; parsed content is still reused where unchanged.
    fn needs_rescan(&self, paths: &BTreeSet<String>) -> bool {
        paths.iter().any(|rel| {
            let role = load::classify(rel, &self.tree.config.theme);
            let full = self.root.join(rel);
            role == Role::Config
                || full.is_dir()
                || (!full.exists() && role != Role::Other && !self.knows(rel))
                || load::SITE_FOLDERS.contains(&rel.as_str())
        })
    }

    /// Whether `rel` is a file of the tree (so its removal is a file's).
    fn knows(&self, rel: &str) -> bool {
        let tree = &self.tree;
        tree.content
            .iter()
            .chain(&tree.templates)
            .chain(&tree.scripts)
            .any(|f| f.path == rel)
            || tree.assets.iter().any(|a| a.source == rel)
    }

    /// Replaces or removes one file of the tree.
    fn reread(&mut self, rel: &str) {
        let role = load::classify(rel, &self.tree.config.theme);
        // A dangling link or a pipe is still there: reading it gives its
        // diagnostic, which must not vanish with the file.
        let exists = std::fs::symlink_metadata(self.root.join(rel)).is_ok();
        let tree = &mut self.tree;
        let texts = match role {
            Role::Content => Some(&mut tree.content),
            Role::Template => Some(&mut tree.templates),
            Role::Script => Some(&mut tree.scripts),
            _ => None,
        };
        if let Some(list) = texts {
            list.retain(|f| f.path != rel);
            tree.diagnostics.retain(|d| d.path != rel);
            if exists {
                match load::read_text(&self.root, rel) {
                    Ok(file) => list.push(file),
                    Err(d) => tree.diagnostics.push(d),
                }
            }
            list.sort_by(|a, b| a.path.cmp(&b.path));
            if role == Role::Script {
                tree.has_scripts_dir = self.root.join("scripts").is_dir();
            }
            return;
        }
        if matches!(role, Role::Static | Role::ThemeAsset | Role::ContentAsset) {
            tree.assets.retain(|a| a.source != rel);
            if exists {
                match load::read_asset(&self.root, rel, role) {
                    Ok(Some(asset)) => tree.assets.push(asset),
                    Ok(None) => {}
                    Err(d) => tree.diagnostics.push(d),
                }
            }
            tree.assets.sort_by(|a, b| a.source.cmp(&b.source));
        }
    }

    /// A full rebuild from the tree in memory.
    fn rebuild(&mut self, started: Instant) -> Rebuild {
        let today = resolve_today(&self.tree, &self.options);
        let reads = &self.reads;
        let outcomes: Vec<(String, Arc<str>, ReadOutcome)> = self
            .tree
            .content
            .par_iter()
            .map(|file| {
                let cached = reads
                    .get(&file.path)
                    .filter(|(text, _)| Arc::ptr_eq(text, &file.text) || **text == *file.text);
                let outcome = match cached {
                    Some((_, outcome)) => outcome.clone(),
                    None => read_item(&file.path, file.text.clone(), today),
                };
                (file.path.clone(), file.text.clone(), outcome)
            })
            .collect();
        let mut reads = HashMap::with_capacity(outcomes.len());
        let mut list = Vec::with_capacity(outcomes.len());
        for (path, text, outcome) in outcomes {
            reads.insert(path, (text, outcome.clone()));
            list.push(outcome);
        }
        self.reads = reads;
        let site = Site::from_outcomes(self.tree.clone(), list, &self.options);
        let build = Build::of(site);
        let rendered = build.pages.len();

        // Diagnostics, split by whether an item's body carries them.
        let site = &build.site;
        let sources = site.source_texts();
        let item_paths: HashSet<&str> = site.content.items().map(|i| i.meta().path.as_str()).collect();
        let mut by_item: HashMap<String, Vec<Diagnostic>> = HashMap::new();
        let body_diagnostics = build
            .prepared
            .bodies
            .values()
            .flat_map(|b| b.diagnostics.iter().cloned());
        let script_warnings = build
            .scored
            .diagnostics
            .iter()
            .chain(&build.scored.template_diagnostics())
            .filter(|d| !d.is_error() && item_paths.contains(d.path.as_str()))
            .cloned()
            .collect::<Vec<_>>();
        for d in body_diagnostics.chain(script_warnings) {
            by_item.entry(d.path.clone()).or_default().push(d);
        }
        fill_snippets(by_item.values_mut().flatten(), &sources);
        let mut fixed: Vec<Diagnostic> = site
            .diagnostics
            .iter()
            .chain(build.prepared.diagnostics.iter().filter(|d| !is_body_diagnostic(d)))
            .chain(&build.prepared.partial_diagnostics)
            .chain(
                build
                    .scored
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error() || !item_paths.contains(d.path.as_str())),
            )
            .cloned()
            .collect();
        fill_snippets(&mut fixed, &sources);
        drop(sources);
        drop(item_paths);
        self.state = Some(State {
            build,
            fixed,
            by_item,
            deferred: None,
            reported: None,
        });
        self.finish(started, rendered, false, None)
    }

    /// Whether every path is a static file of the site or its theme that
    /// existed before and still does: pages do not depend on their bytes.
    fn only_assets_changed(&self, paths: &BTreeSet<String>) -> bool {
        self.state.is_some()
            && !paths.is_empty()
            && paths.iter().all(|rel| {
                matches!(
                    load::classify(rel, &self.tree.config.theme),
                    Role::Static | Role::ThemeAsset | Role::ContentAsset
                ) && self.tree.assets.iter().any(|a| a.source == *rel)
                    && self.root.join(rel).is_file()
            })
    }

    /// Copies changed static files again; no page is rendered.
    fn apply_asset_edits(&mut self, paths: &BTreeSet<String>, started: Instant) -> Rebuild {
        for rel in paths {
            self.reread(rel);
        }
        // A file that could not be read is a diagnostic: the full path reports it.
        let unreadable = self.tree.diagnostics.iter().any(|d| paths.contains(&d.path));
        let Some(state) = self.state.as_mut().filter(|_| !unreadable) else {
            return self.rebuild(started);
        };
        state.build.site.sources.assets = self.tree.assets.clone();
        let assets = render::asset_files(&state.build.site);
        let touched = state.build.replace_files(assets);
        self.finish(started, 0, true, Some(touched))
    }

    /// The content files of `paths` if every path is an existing content
    /// file that is part of the site and only its body changed.
    fn body_edits(&self, paths: &BTreeSet<String>) -> Option<Vec<BodyEdit>> {
        let state = self.state.as_ref()?;
        let theme = &self.tree.config.theme;
        let mut edits = Vec::with_capacity(paths.len());
        for rel in paths {
            if load::classify(rel, theme) != Role::Content {
                return None;
            }
            let (old_text, _) = self.reads.get(rel)?;
            let file = load::read_text(&self.root, rel).ok()?;
            if *file.text == **old_text {
                continue;
            }
            let old = front_matter::split(rel, old_text).ok()?;
            let new = front_matter::split(rel, &file.text).ok()?;
            if old.yaml != new.yaml || old.yaml_line != new.yaml_line {
                return None;
            }
            let key = state.build.site.content.key_of_path(rel)?;
            // A term's first sentence is its tooltip in every link to it.
            if key.kind == Kind::Term && text::one_line(old.body) != text::one_line(new.body) {
                return None;
            }
            edits.push(BodyEdit {
                body_offset: new.body_offset,
                file,
                key,
            });
        }
        Some(edits)
    }

    /// The fast path. `None` when it cannot finish (the caller rebuilds).
    fn apply_body_edits(&mut self, edits: Vec<BodyEdit>, started: Instant) -> Option<Rebuild> {
        if edits.is_empty() {
            return Some(self.finish(started, 0, true, Some(Vec::new())));
        }
        let mut timings = Timings::default();
        let mut lap = started;
        timings.lap("read", &mut lap);
        let today = resolve_today(&self.tree, &self.options);
        let state = self.state.as_mut()?;
        let keys: Vec<ItemKey> = edits.iter().map(|e| e.key.clone()).collect();

        // The files and the model.
        for edit in &edits {
            let path = edit.file.path.clone();
            let text = edit.file.text.clone();
            for tree in [&mut self.tree, &mut state.build.site.sources] {
                replace_text(&mut tree.content, &edit.file);
            }
            self.reads
                .insert(path.clone(), (text.clone(), read_item(&path, text.clone(), today)));
            state
                .build
                .site
                .content
                .replace_source(&edit.key, text, edit.body_offset);
        }
        timings.lap("parse", &mut lap);

        // Bodies, and the items whose "used in" list changed.
        let mut backlinks: BTreeSet<ItemKey> = BTreeSet::new();
        for key in &keys {
            let body = render::render_body(&state.build.site, &state.build.prepared, key)?;
            let old = state.build.prepared.bodies.insert(key.clone(), body);
            let new_links: HashSet<&ItemKey> = state.build.prepared.bodies[key].links.iter().collect();
            let old_links: HashSet<&ItemKey> = old.as_ref().map(|b| b.links.iter().collect()).unwrap_or_default();
            backlinks.extend(old_links.symmetric_difference(&new_links).map(|k| (*k).clone()));
        }
        timings.lap("bodies", &mut lap);
        // Scores and lints of these items and of the teams that read them,
        // beside the terms their teams use (the gaps page and those teams'
        // pages) and the search index, which read only the bodies.
        let build = &mut state.build;
        let Build {
            site, scored, prepared, ..
        } = build;
        let content = &site.content;
        let (rescored, usage_teams) = rayon::join(
            || scored.rescore(content, &keys, site.today),
            || prepared.usage.refresh(content, &prepared.bodies, &keys),
        );
        let rescored = rescored?;
        timings.lap("rescore", &mut lap);
        if !usage_teams.is_empty() {
            build.prepared.gaps = GapsCache::new();
        }
        let scores = &mut state.build.prepared.scores;
        let mut refresh: Vec<ItemKey> = keys.clone();
        let mut scores_changed = false;
        for (slug, score) in &rescored.commitments {
            scores_changed |= set_score(&mut scores.commitments, slug, *score);
        }
        for (slug, score) in &rescored.stories {
            scores_changed |= set_score(&mut scores.stories, slug, *score);
        }
        let mut teams_changed = false;
        for (slug, score, happiness) in &rescored.teams {
            let old_score = scores.teams.get(slug).copied();
            let old_happiness = scores.happiness(slug).to_vec();
            if old_score != *score || old_happiness != *happiness {
                teams_changed = true;
                set_score(&mut scores.teams, slug, *score);
                scores.happiness.insert(slug.clone(), happiness.clone());
                refresh.push(ItemKey::new(Kind::Team, slug.clone()));
            }
        }
        // The diagnostics these bodies carry: links and lints.
        for key in &keys {
            let Some(meta) = state.build.site.content.get(key).map(|i| i.meta()) else {
                continue;
            };
            let mut list: Vec<Diagnostic> = state.build.prepared.bodies[key].diagnostics.clone();
            list.extend(rescored.warnings.get(&meta.path).cloned().unwrap_or_default());
            let lines = LineIndex::new(&meta.source);
            for d in &mut list {
                d.fill_snippet_from(&lines);
            }
            let same = match state.by_item.get(&meta.path) {
                Some(old) => *old == list,
                None => list.is_empty(),
            };
            if !same {
                state.reported = None;
            }
            state.by_item.insert(meta.path.clone(), list);
        }
        timings.lap("diagnostics", &mut lap);

        // Views, then the pages that show what changed.
        let base_path = state.build.site.config.base_path();
        let extra_full: Vec<ItemKey> = backlinks.into_iter().collect();
        let refreshed = state.build.prepared.views.refresh(
            &ViewInput {
                content: &state.build.site.content,
                bodies: &state.build.prepared.bodies,
                scores: &state.build.prepared.scores,
                base_path: &base_path,
            },
            &refresh,
            &extra_full,
        );
        timings.lap("views", &mut lap);
        let build = &state.build;
        let reader = ReaderInput {
            content: &build.site.content,
            scores: &build.prepared.scores,
            views: &build.prepared.views,
            usage: &build.prepared.usage,
            gaps: &build.prepared.gaps,
            base_path: &base_path,
            today: build.site.today,
            ledger: &build.site.git.ledger,
        };
        // Back-links and term uses change which list pages exist: when they
        // changed, the site must still have the same pages, or it is a full
        // rebuild's job.
        if (!usage_teams.is_empty() || !extra_full.is_empty()) && !pages::plan(&reader).iter().eq(build.pages.keys()) {
            return None;
        }
        let mut jobs: BTreeSet<PageJob> = BTreeSet::new();
        for key in &refreshed.full {
            jobs.insert(page_of(key, &build.site));
            if key.kind == Kind::Term {
                jobs.extend(pages::list_pages(&ListKey::UsedIn(key.slug.clone()), &reader));
            }
        }
        for key in &refreshed.cards {
            jobs.extend(pages::pages_showing_card(key, &reader));
        }
        if teams_changed {
            // Reliability and happiness show on these besides the team pages.
            jobs.extend([PageJob::Home, PageJob::Teams, PageJob::Scoring, PageJob::Happiness]);
        }
        if !usage_teams.is_empty() {
            jobs.extend(build.pages.keys().filter(|j| matches!(j, PageJob::Gaps(_))).cloned());
            jobs.extend(pages::list_pages(&ListKey::Unread, &reader));
            for slug in usage_teams {
                jobs.extend(pages::list_pages(&ListKey::Undefined(slug.clone()), &reader));
                jobs.insert(PageJob::Item(ItemKey::new(Kind::Team, slug)));
            }
        }
        jobs.retain(|job| state.build.pages.contains_key(job));
        let jobs: Vec<PageJob> = jobs.into_iter().collect();
        let rendered = jobs.len();
        timings.lap("plan", &mut lap);
        let build = &mut state.build;
        let touched = build.render_again(&jobs);
        timings.lap("pages", &mut lap);

        // The data files and the search index wait until after the reload
        // event: no page shows them ([`LiveSite::apply_deferred`]).
        let mut dirty: Vec<ItemKey> = refresh.clone();
        dirty.extend(extra_full.iter().cloned());
        let later = Deferred {
            edited: keys,
            dirty,
            scores: scores_changed || teams_changed,
        };
        match &mut state.deferred {
            Some(pending) => pending.merge(later),
            None => state.deferred = Some(later),
        }
        let mut rebuild = self.finish(started, rendered, true, Some(touched));
        timings.lap("finish", &mut lap);
        rebuild.timings = timings;
        Some(rebuild)
    }

    /// Gathers the diagnostics of the current state, and publishes its
    /// files as the last good output when there is no error. `touched` are
    /// the output paths a fast rebuild wrote again (`None`: all of them).
    fn finish(
        &mut self,
        started: Instant,
        rendered: usize,
        incremental: bool,
        touched: Option<Vec<String>>,
    ) -> Rebuild {
        let Some(state) = &mut self.state else {
            return Rebuild {
                diagnostics: Arc::new(self.load_error.iter().cloned().collect()),
                changed: Vec::new(),
                rendered,
                elapsed: started.elapsed(),
                incremental,
                timings: Timings::default(),
            };
        };
        let page_errors = state.build.page_errors();
        let diagnostics = match &state.reported {
            Some(last) if last.page_errors == page_errors && last.load_error == self.load_error => {
                last.diagnostics.clone()
            }
            _ => {
                let mut diagnostics: Diagnostics = state.fixed.iter().cloned().collect();
                diagnostics.extend(state.by_item.values().flatten().cloned());
                let mut with_snippets = page_errors.clone();
                if !with_snippets.is_empty() {
                    fill_snippets(&mut with_snippets, &state.build.site.source_texts());
                }
                diagnostics.extend(with_snippets);
                diagnostics.extend(self.load_error.iter().cloned());
                diagnostics.sort();
                diagnostics.limit();
                let diagnostics = Arc::new(diagnostics);
                state.reported = Some(Reported {
                    page_errors,
                    load_error: self.load_error.clone(),
                    diagnostics: diagnostics.clone(),
                });
                diagnostics
            }
        };
        let state = &*state;

        let ok = !diagnostics.has_errors();
        let mut changed = Vec::new();
        if ok || !self.has_good {
            changed = match (&touched, self.in_step) {
                // Only what the fast path wrote can differ from the last
                // good output, which is this state's previous output.
                (Some(paths), true) => {
                    let mut list: Vec<String> = paths
                        .iter()
                        .filter(|p| match (self.outputs.get(*p), state.build.files.get(*p)) {
                            (Some(old), Some(new)) => old[..] != new[..],
                            _ => true,
                        })
                        .cloned()
                        .collect();
                    list.sort();
                    list.dedup();
                    list
                }
                _ => diff(&self.outputs, &state.build.files),
            };
            for path in &changed {
                match state.build.files.get(path) {
                    Some(bytes) => {
                        self.outputs.insert(path.clone(), bytes.clone());
                    }
                    None => {
                        self.outputs.remove(path);
                    }
                }
            }
            self.has_good |= ok;
            self.in_step = true;
        } else {
            // The last good output stays; it is no longer this state's.
            self.in_step = false;
        }
        Rebuild {
            diagnostics,
            changed,
            rendered,
            elapsed: started.elapsed(),
            incremental,
            timings: Timings::default(),
        }
    }
}

/// One content file whose body (only) changed.
struct BodyEdit {
    file: TextFile,
    key: ItemKey,
    body_offset: usize,
}

fn replace_text(files: &mut [TextFile], file: &TextFile) {
    if let Some(slot) = files.iter_mut().find(|f| f.path == file.path) {
        slot.text = file.text.clone();
    }
}

/// Sets or removes a score book entry; returns whether it changed.
fn set_score(map: &mut HashMap<String, Option<f64>>, slug: &str, score: Option<Option<f64>>) -> bool {
    let old = match score {
        Some(s) => map.insert(slug.to_string(), s),
        None => map.remove(slug),
    };
    old != score
}

/// `prepare` gathers the bodies' diagnostics too; the live state keeps them
/// with each body instead (they change with it), so they are skipped there.
fn is_body_diagnostic(d: &Diagnostic) -> bool {
    d.path.starts_with("content/")
}

/// The page that shows an item: its own, or for the home text and list
/// intros (`_index.md`), the page they introduce.
fn page_of(key: &ItemKey, site: &Site) -> PageJob {
    if key.kind != Kind::Page {
        return PageJob::Item(key.clone());
    }
    match site.content.page(&key.slug).map(|p| p.meta.url_path.as_str()) {
        Some("") => PageJob::Home,
        Some("glossary/") => PageJob::Glossary(1),
        Some("teams/") => PageJob::Teams,
        Some("stories/") => PageJob::Stories(1),
        Some("commitments/") => PageJob::Commitments,
        Some("happiness/") => PageJob::Happiness,
        Some("gaps/") => PageJob::Gaps(1),
        Some("ledger/") => PageJob::Ledger(1),
        _ => PageJob::Item(key.clone()),
    }
}

/// Paths added, changed or removed between two outputs.
fn diff(old: &BTreeMap<String, Arc<[u8]>>, new: &BTreeMap<String, Arc<[u8]>>) -> Vec<String> {
    let mut changed: Vec<String> = new
        .iter()
        .filter(|(path, bytes)| {
            old.get(*path)
                .is_none_or(|o| !Arc::ptr_eq(o, bytes) && o[..] != bytes[..])
        })
        .map(|(path, _)| path.clone())
        .collect();
    changed.extend(old.keys().filter(|p| !new.contains_key(*p)).cloned());
    changed.sort();
    changed
}

/// The URL path of an output path: `glossary/mql/index.html` -> `/glossary/mql/`.
pub(crate) fn url_of_output(path: &str) -> String {
    match path.strip_suffix("index.html") {
        Some(dir) => format!("/{dir}"),
        None => format!("/{path}"),
    }
}
