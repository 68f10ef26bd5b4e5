//! A site in memory: its config, today, its content and every problem found
//! while reading and validating it — the loaded, validated content that the
//! later stages read. The public surface of the library: [`Site::load`],
//! then [`crate::build::Build::of`] gives the output in memory, and
//! [`crate::write::write_site`] puts it on disk.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use rayon::prelude::*;

use crate::config::Config;
use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::git::GitInfo;
use crate::load::{self, SourceTree};
use crate::model::read::{ReadOutcome, read_item};
use crate::model::{Content, Item, ItemKey};
use crate::timings::Timings;
use crate::validate;

/// Choices made on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOptions {
    /// Include items with `draft: true`.
    pub drafts: bool,
    /// Overrides `today` of the config (`--today`).
    pub today: Option<Date>,
    /// Overrides `base_url` of the config (`--base-url`).
    pub base_url: Option<String>,
    /// The system's date, used when neither the flag nor the config pins today.
    pub system_today: Date,
}

impl BuildOptions {
    /// Options for a build on `system_today` with nothing overridden.
    pub fn new(system_today: Date) -> BuildOptions {
        BuildOptions {
            drafts: false,
            today: None,
            base_url: None,
            system_today,
        }
    }
}

/// A loaded site.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    pub today: Date,
    pub content: Content,
    /// Drafts left out of this build.
    pub drafts: HashSet<ItemKey>,
    pub sources: SourceTree,
    /// Problems found while loading and validating.
    pub diagnostics: Vec<Diagnostic>,
    /// Last change of each source file from git history, by path, and the
    /// site's place in the repository; read once by [`load::load`].
    pub git: Arc<GitInfo>,
    /// How long reading, parsing and validating took.
    pub timings: Timings,
}

impl Site {
    /// Reads and validates the site at `root`. Fails only when the root
    /// itself cannot be read; problems in the site are diagnostics.
    pub fn load(root: &Path, options: &BuildOptions) -> Result<Site> {
        let started = Instant::now();
        let tree = load::load(root)?;
        let took = started.elapsed();
        let mut site = Site::from_sources(tree, options);
        site.timings.push_front("load", took);
        Ok(site)
    }

    /// Builds the model from files already in memory.
    pub(crate) fn from_sources(tree: SourceTree, options: &BuildOptions) -> Site {
        let today = resolve_today(&tree, options);
        let started = Instant::now();
        let outcomes: Vec<ReadOutcome> = tree
            .content
            .par_iter()
            .map(|file| read_item(&file.path, file.text.clone(), today))
            .collect();
        let took = started.elapsed();
        let mut site = Site::from_outcomes(tree, outcomes, options);
        site.timings.push_front("parse", took);
        site
    }

    /// Builds the model from files already in memory and already read
    /// (the dev server keeps the outcome of each file between rebuilds).
    pub(crate) fn from_outcomes(mut tree: SourceTree, outcomes: Vec<ReadOutcome>, options: &BuildOptions) -> Site {
        let mut config = tree.config.clone();
        let today = resolve_today(&tree, options);
        let mut diagnostics = std::mem::take(&mut tree.diagnostics);
        if let Some(base_url) = &options.base_url {
            match crate::config::check_base_url(base_url) {
                Ok(()) => config.base_url = base_url.clone(),
                Err(reason) => diagnostics.push(
                    Diagnostic::error("--base-url", format!("invalid `--base-url`: {reason}"))
                        .hint("use `/`, a path such as `/alignment/`, or a full URL such as `https://intranet.example.com/alignment/`"),
                ),
            }
        }
        let mut items: Vec<Item> = Vec::with_capacity(outcomes.len());
        let mut broken = HashSet::new();
        let mut drafts = HashSet::new();
        for outcome in outcomes {
            diagnostics.extend(outcome.diagnostics);
            match outcome.item {
                Some(item) if item.meta().draft && !options.drafts => {
                    drafts.insert(item.meta().key());
                }
                Some(item) => items.push(item),
                None => {
                    if let Some(key) = outcome.key {
                        broken.insert(key);
                    }
                }
            }
        }
        // The ledger's history pass ran on its own thread while the files
        // were read; this waits for it if it is not done.
        let waited = Instant::now();
        attach_quiet_changes(&mut items, &tree.git.ledger);
        let ledger_wait = waited.elapsed();
        let started = Instant::now();
        let (items, duplicate_diagnostics) = validate::remove_duplicates(items);
        diagnostics.extend(duplicate_diagnostics);
        let content = Content::new(items, broken);
        diagnostics.extend(validate::check_references(&content, &drafts));
        let git = Arc::clone(&tree.git);
        let mut timings = Timings::default();
        timings.push("ledger (wait)", ledger_wait);
        timings.push("validate", started.elapsed());
        Site {
            config,
            today,
            content,
            drafts,
            sources: tree,
            diagnostics,
            git,
            timings,
        }
    }

    /// Every source text by path, for diagnostic snippets.
    pub(crate) fn source_texts(&self) -> HashMap<String, &str> {
        let mut map: HashMap<String, &str> = HashMap::new();
        for (name, source) in crate::embedded::theme_templates() {
            map.insert(format!("themes/default/templates/{name}"), source);
        }
        for (path, source) in crate::embedded::default_scripts() {
            map.entry(path.to_string()).or_insert(source);
        }
        let files = self
            .sources
            .content
            .iter()
            .chain(&self.sources.templates)
            .chain(&self.sources.scripts)
            .chain(&self.sources.config_file);
        for file in files {
            map.insert(file.path.clone(), &file.text);
        }
        map
    }

    /// When the file at `path` last changed, from git, if known.
    pub(crate) fn last_updated(&self, path: &str) -> Option<Date> {
        self.git.dates.get(path).copied()
    }
}

/// Today for a build: `--today`, else `today` in rapport.toml, else the
/// system's date.
pub(crate) fn resolve_today(tree: &SourceTree, options: &BuildOptions) -> Date {
    options.today.or(tree.config.today).unwrap_or(options.system_today)
}

/// Gives each commitment the quiet changes the ledger found in its record.
fn attach_quiet_changes(items: &mut [Item], ledger: &crate::ledger::LedgerCell) {
    let ledger = ledger.get();
    if ledger.records.is_empty() {
        return;
    }
    for item in items {
        if let Item::Commitment(c) = item
            && let Some(record) = ledger.records.get(&c.meta.path)
        {
            c.quiet_changes = record.quiet_changes();
        }
    }
}
