//! A site kept in memory between rebuilds, for `rapport serve`.
//!
//! [`LiveSite`] holds the files it read, what each content file parsed to,
//! and the output of the last good build. [`LiveSite::apply`] takes the
//! paths that changed on disk, re-reads only those, re-parses only content
//! files whose text changed, rebuilds, and reports which output files
//! changed, so the browser reloads only the pages that show something new.
//! A failed rebuild keeps the last good output.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use rayon::prelude::*;

use crate::diagnostic::Diagnostics;
use crate::load::{self, Role, SourceTree};
use crate::model::read::{ReadOutcome, read_item};
use crate::site::{BuildOptions, Site, resolve_today};

/// What one rebuild did.
#[derive(Debug, Clone)]
pub struct Rebuild {
    pub diagnostics: Diagnostics,
    /// Output paths that were added, changed or removed since the last good
    /// build (empty when the rebuild failed).
    pub changed: Vec<String>,
    /// How many pages were rendered.
    pub rendered: usize,
    pub elapsed: Duration,
}

impl Rebuild {
    pub fn ok(&self) -> bool {
        !self.diagnostics.has_errors()
    }
}

/// A site in memory that applies changes from disk.
pub struct LiveSite {
    root: PathBuf,
    options: BuildOptions,
    tree: SourceTree,
    /// What each content file parsed to, with the text it was parsed from.
    reads: HashMap<String, (Arc<str>, ReadOutcome)>,
    /// The output of the last good build.
    outputs: BTreeMap<String, Arc<[u8]>>,
    /// Whether a build has ever succeeded.
    has_good: bool,
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
            outputs: BTreeMap::new(),
            has_good: false,
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
    pub fn theme(&self) -> &str {
        &self.tree.config.theme
    }

    /// Applies the changes to `paths` (relative to the root) and rebuilds.
    pub fn apply(&mut self, paths: &BTreeSet<String>) -> Rebuild {
        let started = Instant::now();
        if self.needs_rescan(paths) {
            match load::load(&self.root) {
                Ok(tree) => self.tree = tree,
                Err(err) => {
                    let mut diagnostics = Diagnostics::new();
                    diagnostics.push(crate::diagnostic::Diagnostic::error(
                        ".",
                        format!("cannot read the site: {err:#}"),
                    ));
                    return Rebuild {
                        diagnostics,
                        changed: Vec::new(),
                        rendered: 0,
                        elapsed: started.elapsed(),
                    };
                }
            }
        } else {
            for path in paths {
                self.reread(path);
            }
        }
        self.rebuild(started)
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
                || crate::serve::watch::WATCHED_FOLDERS.contains(&rel.as_str())
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
        let exists = self.root.join(rel).is_file();
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
        let build = site.render();
        let rendered = build.rendered.pages;
        let ok = !build.diagnostics.has_errors();
        let mut changed = Vec::new();
        if ok || !self.has_good {
            let next: BTreeMap<String, Arc<[u8]>> = build
                .rendered
                .files
                .into_iter()
                .map(|f| (f.path, Arc::from(f.bytes)))
                .collect();
            changed = diff(&self.outputs, &next);
            self.outputs = next;
            self.has_good |= ok;
        }
        Rebuild {
            diagnostics: build.diagnostics,
            changed,
            rendered,
            elapsed: started.elapsed(),
        }
    }
}

/// Paths added, changed or removed between two outputs.
fn diff(old: &BTreeMap<String, Arc<[u8]>>, new: &BTreeMap<String, Arc<[u8]>>) -> Vec<String> {
    let mut changed: Vec<String> = new
        .iter()
        .filter(|(path, bytes)| old.get(*path).is_none_or(|o| o[..] != bytes[..]))
        .map(|(path, _)| path.clone())
        .collect();
    changed.extend(old.keys().filter(|p| !new.contains_key(*p)).cloned());
    changed.sort();
    changed
}

/// The URL path of an output path: `glossary/mql/index.html` -> `/glossary/mql/`.
pub fn url_of_output(path: &str) -> String {
    match path.strip_suffix("index.html") {
        Some(dir) => format!("/{dir}"),
        None => format!("/{path}"),
    }
}
