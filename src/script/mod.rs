//! Rhai plugin scripts: the scoring rules, lints and template helpers that
//! a site's maintainers write in `scripts/*.rhai`.
//!
//! [`score_site`] is the "score" stage of the build: it compiles the
//! scripts once ([`engine`]), converts the content to read-only Rhai maps
//! once ([`convert`]), calls every hook on every item in parallel
//! ([`hooks`]) and returns the [`ScoreBook`] with the diagnostics. The
//! compiled scripts stay alive for the render stage, where templates call
//! script functions through [`Scored::template_call`]. `rapport scores`
//! ([`report`]) prints the same results for a maintainer trying a rule.
//!
//! See docs/scripting.md for what scripts see and may do.

pub(crate) mod convert;
pub(crate) mod docs;
pub mod engine;
pub(crate) mod helpers;
pub mod hooks;
pub(crate) mod imports;
pub(crate) mod report;
pub mod sources;

use std::sync::Arc;

use rhai::Dynamic;

use crate::diagnostic::Diagnostic;
use crate::score::ScoreBook;
use crate::score::ScriptCall;
use crate::script::convert::Converted;
use crate::script::engine::{EngineOptions, Limits, Scripts, install};
use crate::script::helpers::CallTag;
use crate::script::hooks::Inputs;
use crate::site::Site;

/// What the scripts made of a site.
pub struct Scored {
    pub scores: ScoreBook,
    /// Syntax errors, failed calls, wrong return values, limit hits and
    /// lint warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// The compiled scripts, for template calls; `None` without scripts.
    pub scripts: Option<Arc<Scripts>>,
    /// The items as the hooks saw them, with their scores, when the caller
    /// keeps them for [`Scored::rescore`] (the dev server).
    kept: Option<Converted>,
}

/// Compiles the site's scripts and runs every hook.
pub fn score_site(site: &Site) -> Scored {
    score_site_keeping(site, false)
}

/// [`score_site`], keeping the items as the hooks saw them when `keep`, so
/// that a body edit re-runs the hooks it touches without making every
/// item's snapshot again.
pub(crate) fn score_site_keeping(site: &Site, keep: bool) -> Scored {
    let sources = sources::site_scripts(site);
    if sources.is_empty() {
        return Scored {
            scores: ScoreBook::default(),
            diagnostics: Vec::new(),
            scripts: None,
            kept: None,
        };
    }
    let inputs = Inputs::new(&site.content, site.today);
    let options = EngineOptions {
        today: site.today,
        limits: inputs.fit(Limits::new(site.config.scripts.max_operations.max(1))),
    };
    let (scripts, mut diagnostics) = Scripts::compile(&sources, &options);
    let Some(scripts) = scripts else {
        return Scored {
            scores: ScoreBook::default(),
            diagnostics,
            scripts: None,
            kept: None,
        };
    };
    let (scores, hook_diagnostics) = hooks::run(&scripts, &inputs);
    let kept = if keep { inputs.into_snapshots() } else { None };
    diagnostics.extend(hook_diagnostics);
    diagnostics.extend(hooks::notes_to_diagnostics(scripts.take_notes()));
    Scored {
        scores,
        diagnostics,
        scripts: Some(Arc::new(scripts)),
        kept,
    }
}

impl Scored {
    /// `script("name", args...)` for templates, under the same limits as
    /// the hooks.
    pub fn template_call(&self) -> Option<ScriptCall> {
        let scripts = self.scripts.clone()?;
        Some(Arc::new(move |name: &str, args: Vec<minijinja::Value>| {
            call_from_template(&scripts, name, args)
        }))
    }

    /// The `warn(...)` calls that templates' script calls made since the
    /// hooks ran, as warnings.
    pub(crate) fn template_diagnostics(&self) -> Vec<Diagnostic> {
        self.scripts
            .as_ref()
            .map(|s| hooks::notes_to_diagnostics(s.take_notes()))
            .unwrap_or_default()
    }
}

/// Calls a public script function with template values.
fn call_from_template(scripts: &Scripts, name: &str, args: Vec<minijinja::Value>) -> Result<minijinja::Value, String> {
    let Some(function) = scripts.function(name, args.len()) else {
        return Err(match scripts.function_named(name) {
            Some(f) => format!(
                "script function `{name}` takes {} argument{}, not {}",
                f.arity,
                if f.arity == 1 { "" } else { "s" },
                args.len()
            ),
            None => {
                let public: Vec<String> = scripts
                    .functions()
                    .iter()
                    .filter(|f| !f.private)
                    .map(|f| format!("`{}`", f.name))
                    .collect();
                format!("no script function `{name}`; the scripts define {}", public.join(", "))
            }
        });
    };
    if function.private {
        return Err(format!(
            "script function `{name}` is private; templates can call only functions defined without `private`"
        ));
    }
    let values: Vec<Dynamic> = args
        .iter()
        .map(|v| convert::from_json(&serde_json::to_value(v).unwrap_or(serde_json::Value::Null)))
        .collect();
    let tag = CallTag {
        function: Arc::from(name),
        item: None,
        quiet: false,
    };
    match install(|| scripts.call(name, &|| values.clone(), &tag)) {
        Ok(value) => Ok(minijinja::Value::from(minijinja::value::Serde(convert::to_json(
            &value,
        )))),
        Err(failure) => {
            let at = failure
                .at
                .map(|l| format!(" at {}:{}:{}", l.path, l.line, l.column))
                .unwrap_or_default();
            Err(format!("script function `{name}` failed{at}: {}", failure.message))
        }
    }
}

/// The scores and lint warnings of some items, computed again after their
/// bodies changed, for the dev server's fast rebuilds.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rescored {
    /// New scores of the changed commitments and stories, as the score
    /// book's entries (`None`: not scored; `Some(None)`: "no value").
    pub commitments: Vec<(String, Option<Option<f64>>)>,
    pub stories: Vec<(String, Option<Option<f64>>)>,
    /// New reliability and happiness of the teams the changes touch.
    pub teams: Vec<(String, Option<Option<f64>>, Vec<crate::score::HappinessPoint>)>,
    /// Lint warnings (and `warn` notes) of the changed items, by item path.
    pub warnings: std::collections::HashMap<String, Vec<Diagnostic>>,
}

impl Scored {
    /// Runs the hooks again for the items `keys` only, whose bodies changed
    /// (their front matter did not), and for the teams whose scores read
    /// them. Hooks are functions of their arguments: the snapshots kept
    /// from the last run, with these items' taken again, give the same
    /// results as a whole run. `None` when a hook fails on the way, or
    /// nothing was kept: the caller then rebuilds everything, which reports
    /// the failure properly.
    pub(crate) fn rescore(
        &mut self,
        content: &crate::model::Content,
        keys: &[crate::model::ItemKey],
        today: crate::date::Date,
    ) -> Option<Rescored> {
        use crate::model::{ItemRef, Kind};
        use std::collections::{BTreeSet, HashSet};

        let Some(scripts) = &self.scripts else {
            return Some(Rescored::default());
        };
        let kept = self.kept.as_mut()?;
        let mut teams: BTreeSet<String> = BTreeSet::new();
        for key in keys {
            match content.get(key)? {
                ItemRef::Team(t) => {
                    teams.insert(t.meta.slug.clone());
                }
                ItemRef::Story(s) => teams.extend(s.teams.iter().map(|t| t.slug.clone())),
                ItemRef::Commitment(c) => {
                    teams.insert(c.owner.slug.clone());
                }
                ItemRef::Term(_) | ItemRef::Page(_) => {}
            }
        }
        for key in keys {
            kept.renew(content, key);
        }
        let positions: Vec<usize> = teams
            .iter()
            .filter_map(|slug| content.position(Kind::Team, slug))
            .collect();
        let inputs = Inputs::for_teams(content, kept, &positions, today);
        // Only the changed items are scored and linted again; the others of
        // their teams keep the scores they have, which the team hooks read.
        let focus = hooks::Focus {
            keys,
            teams: &positions,
        };
        let (book, diagnostics) = hooks::run_focused(scripts, &inputs, Some(focus));
        let notes = hooks::notes_to_diagnostics(scripts.take_notes());
        drop(inputs);
        if diagnostics.iter().chain(&notes).any(Diagnostic::is_error) {
            return None;
        }
        let paths: HashSet<&str> = keys
            .iter()
            .filter_map(|k| content.get(k).map(|item| item.meta().path.as_str()))
            .collect();
        let mut rescored = Rescored::default();
        for path in &paths {
            rescored.warnings.insert((*path).to_string(), Vec::new());
        }
        for d in diagnostics.into_iter().chain(notes) {
            if let Some(list) = rescored.warnings.get_mut(&d.path) {
                list.push(d);
            }
        }
        for key in keys {
            match key.kind {
                Kind::Commitment => rescored
                    .commitments
                    .push((key.slug.clone(), book.commitments.get(&key.slug).copied())),
                Kind::Story => rescored
                    .stories
                    .push((key.slug.clone(), book.stories.get(&key.slug).copied())),
                _ => {}
            }
        }
        for slug in teams {
            let happiness = book.happiness(&slug).to_vec();
            let score = book.teams.get(&slug).copied();
            rescored.teams.push((slug.clone(), score, happiness));
        }
        Some(rescored)
    }
}
