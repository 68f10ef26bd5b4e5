//! A site in memory: its config, today, its content and every problem found
//! while reading it. The public surface of the library:
//! [`Site::load`] then [`Site::render`] gives the output in memory, and
//! [`crate::write::write_site`] puts it on disk.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use rayon::prelude::*;

use crate::config::Config;
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::git::{self, GitInfo};
use crate::load::{self, SourceTree};
use crate::model::read::{ReadOutcome, read_item};
use crate::model::{Content, Item, ItemKey};
use crate::render::{self, Rendered};
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
}

/// A site rendered in memory, with every diagnostic of the run.
#[derive(Debug, Clone)]
pub struct Build {
    pub rendered: Rendered,
    pub diagnostics: Diagnostics,
}

impl Site {
    /// Reads and validates the site at `root`. Fails only when the root
    /// itself cannot be read; problems in the site are diagnostics.
    pub fn load(root: &Path, options: &BuildOptions) -> Result<Site> {
        let tree = load::load(root)?;
        Ok(Site::from_sources(tree, options))
    }

    /// Builds the model from files already in memory.
    pub fn from_sources(tree: SourceTree, options: &BuildOptions) -> Site {
        let today = resolve_today(&tree, options);
        let outcomes: Vec<ReadOutcome> = tree
            .content
            .par_iter()
            .map(|file| read_item(&file.path, file.text.clone(), today))
            .collect();
        Site::from_outcomes(tree, outcomes, options)
    }

    /// Builds the model from files already in memory and already read
    /// (the dev server keeps the outcome of each file between rebuilds).
    pub fn from_outcomes(mut tree: SourceTree, outcomes: Vec<ReadOutcome>, options: &BuildOptions) -> Site {
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
        crate::ledger::attach(&mut items, &tree.git.ledger);
        let (items, duplicate_diagnostics) = validate::remove_duplicates(items);
        diagnostics.extend(duplicate_diagnostics);
        let content = Content::new(items, broken);
        diagnostics.extend(validate::check_references(&content, &drafts));
        let git = Arc::clone(&tree.git);
        Site {
            config,
            today,
            content,
            drafts,
            sources: tree,
            diagnostics,
            git,
        }
    }

    /// Renders the site in memory and gathers every diagnostic, sorted, with
    /// snippets.
    pub fn render(&self) -> Build {
        let mut scored = crate::script::score_site(self);
        let scores = std::mem::take(&mut scored.scores);
        let rendered = render::render_site(self, scores, scored.template_call());
        let mut diagnostics: Diagnostics = self.diagnostics.iter().cloned().collect();
        diagnostics.extend(rendered.diagnostics.iter().cloned());
        diagnostics.extend(scored.diagnostics.iter().cloned());
        diagnostics.extend(scored.template_diagnostics());
        diagnostics.finish(&self.source_texts());
        Build { rendered, diagnostics }
    }

    /// Every source text by path, for diagnostic snippets.
    pub fn source_texts(&self) -> HashMap<String, &str> {
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
    pub fn last_updated(&self, path: &str) -> Option<Date> {
        self.git.dates.get(path).copied()
    }

    /// The "edit this page" link of the source file at `path`, from
    /// `[repo]` in the config.
    pub fn edit_url(&self, path: &str) -> Option<String> {
        git::edit_url(&self.config.repo, &self.git.prefix, path)
    }
}

/// Today for a build: `--today`, else `today` in rapport.toml, else the
/// system's date.
pub fn resolve_today(tree: &SourceTree, options: &BuildOptions) -> Date {
    options.today.or(tree.config.today).unwrap_or(options.system_today)
}
