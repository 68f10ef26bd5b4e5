//! Calling the hooks on every item, checking what they return, and turning
//! the results into a [`ScoreBook`] and diagnostics.
//!
//! Every call of every hook is one job; the jobs run in parallel on the
//! script pool, sharing the compiled program and the read-only items. They
//! run in two phases: `score_commitment`, `score_story` and `lint`, then
//! `score_team` and `happiness`, which read the first phase's scores as
//! `c.score` instead of computing them again. Results are gathered in job
//! order, so the diagnostics are the same on every run. A hook that hits a sandbox limit is switched off for the
//! rest of the build (otherwise an endless loop in `lint` would be paid
//! once per item): it gives no results, and one diagnostic names the first
//! item, in content order, that stopped it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use rhai::{Array, Dynamic};

use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::front_matter::{self, Locator};
use crate::model::commitment::{MonthInput, monthly};
use crate::model::{Content, Meta, MonthFigures};
use crate::score::{Explanation, HappinessPoint, Hook, ScoreBook};
use crate::script::convert::{self, Converted, Item};
use crate::script::engine::{Failure, FailureKind, Limits, Scripts, install};
use crate::script::helpers::{CallTag, Note, describe};
use crate::script::sources::Location;

/// What the hooks are called with, built once from the content.
pub struct Inputs<'a> {
    content: &'a Content,
    converted: Snapshots<'a>,
    /// Per team: the commitments it made and the stories that credit it
    /// (empty for a team a partial run leaves out).
    team_commitments: Vec<Array>,
    team_stories: Vec<Array>,
    /// Per team: its months, as figures and as Rhai maps.
    months: Vec<Vec<(MonthFigures, Dynamic)>>,
}

/// The item snapshots the hooks receive: made for one run, or kept by the
/// dev server from run to run ([`Inputs::for_teams`]).
enum Snapshots<'a> {
    Made(Converted),
    Kept(&'a Converted),
}

impl std::ops::Deref for Snapshots<'_> {
    type Target = Converted;

    fn deref(&self) -> &Converted {
        match self {
            Snapshots::Made(converted) => converted,
            Snapshots::Kept(converted) => converted,
        }
    }
}

impl<'a> Inputs<'a> {
    /// The hooks' arguments for `content`, with monthly figures up to
    /// `today`.
    pub fn new(content: &'a Content, today: Date) -> Inputs<'a> {
        Inputs::with(content, Snapshots::Made(Converted::new(content)), None, today)
    }

    /// The arguments of the team and month hooks of the teams at
    /// `teams` only, from snapshots kept between runs: a body edit in the
    /// dev server re-runs a few teams' hooks, and making every item's
    /// snapshot again cost more than running them.
    pub(crate) fn for_teams(content: &'a Content, kept: &'a Converted, teams: &[usize], today: Date) -> Inputs<'a> {
        Inputs::with(content, Snapshots::Kept(kept), Some(teams), today)
    }

    fn with(content: &'a Content, converted: Snapshots<'a>, teams: Option<&[usize]>, today: Date) -> Inputs<'a> {
        let relations = &content.relations;
        let wanted = |team: usize| teams.is_none_or(|list| list.contains(&team));
        // Per wanted team, the snapshots of the items at its positions.
        let per_team = |lists: &[Vec<usize>], of: &[Item]| -> Vec<Array> {
            lists
                .iter()
                .enumerate()
                .map(|(team, list)| {
                    if wanted(team) {
                        list.iter().map(|i| Dynamic::from(of[*i].clone())).collect()
                    } else {
                        Array::new()
                    }
                })
                .collect()
        };
        let team_commitments = per_team(&relations.made, &converted.commitments);
        let team_stories = per_team(&relations.credited, &converted.stories);
        let months = relations
            .made
            .iter()
            .enumerate()
            .map(|(team, made)| {
                if !wanted(team) {
                    return Vec::new();
                }
                let inputs: Vec<MonthInput> = made.iter().map(|c| MonthInput::of(&content.commitments[*c])).collect();
                monthly(inputs, today)
                    .into_iter()
                    .map(|figures| {
                        let value = convert::month(&figures);
                        (figures, value)
                    })
                    .collect()
            })
            .collect();
        Inputs {
            content,
            converted,
            team_commitments,
            team_stories,
            months,
        }
    }

    /// The snapshots of the items, with the scores the run gave them, for
    /// a dev server to keep ([`Inputs::for_teams`]).
    pub(crate) fn into_snapshots(self) -> Option<Converted> {
        match self.converted {
            Snapshots::Made(converted) => Some(converted),
            Snapshots::Kept(_) => None,
        }
    }

    /// `limits` raised to fit the largest array and string the hooks receive.
    pub fn fit(&self, limits: Limits) -> Limits {
        let arrays = self.team_commitments.iter().chain(&self.team_stories).map(Vec::len);
        let bodies = self.content.items().map(|item| item.meta().source.len());
        limits.fit(arrays.max().unwrap_or(0), bodies.max().unwrap_or(0))
    }

    /// Frees the snapshots of the items in parallel.
    pub fn drop_in_parallel(self) {
        let Inputs {
            converted,
            team_commitments,
            team_stories,
            ..
        } = self;
        drop((team_commitments, team_stories));
        if let Snapshots::Made(converted) = converted {
            converted.drop_in_parallel();
        }
    }

    /// Every item with its map, in content order (teams, terms, stories,
    /// commitments, pages).
    fn items(&self) -> Vec<(&'a Meta, &Item)> {
        let c = &self.converted;
        let values = c
            .teams
            .iter()
            .chain(&c.terms)
            .chain(&c.stories)
            .chain(&c.commitments)
            .chain(&c.pages);
        self.content.items().map(|item| item.meta()).zip(values).collect()
    }
}

/// One hook call.
#[derive(Debug, Clone, Copy)]
enum Job {
    Commitment(usize),
    Story(usize),
    Team(usize),
    Happiness(usize, usize),
    /// Index into [`Inputs::items`].
    Lint(usize),
}

impl Job {
    fn hook(self) -> Hook {
        match self {
            Job::Commitment(_) => Hook::ScoreCommitment,
            Job::Story(_) => Hook::ScoreStory,
            Job::Team(_) => Hook::ScoreTeam,
            Job::Happiness(..) => Hook::Happiness,
            Job::Lint(_) => Hook::Lint,
        }
    }
}

/// What one call gave.
#[derive(Debug, Clone)]
enum Outcome {
    /// A number, or `None` when the hook returned `()`: "no value".
    Score(Option<f64>),
    /// The warnings `lint` gave, already placed at their files and lines.
    Lints(Vec<Diagnostic>),
    /// It returned something else than the hook must: the description.
    Wrong(String),
    Failed(Failure),
    /// Not called: its hook hit a limit on another item.
    Skipped,
}

/// Runs every hook the scripts define over `inputs`.
pub fn run(scripts: &Scripts, inputs: &Inputs<'_>) -> (ScoreBook, Vec<Diagnostic>) {
    run_focused(scripts, inputs, None)
}

/// Which items a partial run calls the item hooks on, and which teams
/// the team and month hooks; the others' snapshots carry the scores an
/// earlier run over the same front matter gave them.
pub(crate) struct Focus<'f> {
    pub keys: &'f [crate::model::ItemKey],
    /// Positions of the teams.
    pub teams: &'f [usize],
}

/// Like [`run`], but with a focus only the focused items are scored and
/// linted, and only the focused teams' team and month hooks run; the other
/// items keep the scores their snapshots carry, which those hooks see.
pub(crate) fn run_focused(
    scripts: &Scripts,
    inputs: &Inputs<'_>,
    focus: Option<Focus<'_>>,
) -> (ScoreBook, Vec<Diagnostic>) {
    let mut book = ScoreBook::default();
    let mut diagnostics = Vec::new();
    let mut defined = [false; 5];
    for hook in Hook::ALL {
        let arity = hook.params().len();
        if let Some(f) = scripts.function(hook.name(), arity) {
            defined[hook.index()] = true;
            book.explanations.insert(
                hook.name().to_string(),
                Explanation {
                    hook: hook.name().to_string(),
                    script: f.path.clone(),
                    doc: f.doc.clone(),
                },
            );
        } else if let Some(f) = scripts.function_named(hook.name()) {
            diagnostics.push(
                Diagnostic::warning(
                    &f.path,
                    format!(
                        "`{}` takes {} parameter{} here, but rapport calls it with {}",
                        hook.name(),
                        f.arity,
                        if f.arity == 1 { "" } else { "s" },
                        arity
                    ),
                )
                .at(f.line, 1)
                .hint(format!(
                    "define it as `fn {}({})`; until then it is not called",
                    hook.name(),
                    hook.params().join(", ")
                )),
            );
        }
    }

    let items = inputs.items();
    let content = inputs.content;
    let runner = Runner::new(scripts, inputs, &items);
    // Phase one scores commitments and stories and lints everything; phase
    // two scores teams and months, and sees the scores of phase one.
    let in_focus = |meta: &Meta| {
        focus
            .as_ref()
            .is_none_or(|f| f.keys.iter().any(|k| k.kind == meta.kind && k.slug == meta.slug))
    };
    let mut first = Vec::new();
    if defined[Hook::ScoreCommitment.index()] {
        first.extend(
            (0..content.commitments.len())
                .filter(|&i| in_focus(&content.commitments[i].meta))
                .map(Job::Commitment),
        );
    }
    if defined[Hook::ScoreStory.index()] {
        first.extend(
            (0..content.stories.len())
                .filter(|&i| in_focus(&content.stories[i].meta))
                .map(Job::Story),
        );
    }
    if defined[Hook::Lint.index()] {
        first.extend((0..items.len()).filter(|&i| in_focus(items[i].0)).map(Job::Lint));
    }
    let mut second = Vec::new();
    if defined[Hook::ScoreTeam.index()] {
        match &focus {
            Some(focus) => second.extend(focus.teams.iter().copied().map(Job::Team)),
            None => second.extend((0..content.teams.len()).map(Job::Team)),
        }
    }
    if defined[Hook::Happiness.index()] {
        for (team, months) in inputs.months.iter().enumerate() {
            second.extend((0..months.len()).map(|m| Job::Happiness(team, m)));
        }
    }
    let mut outcomes = runner.run_all(&first);
    for (job, outcome) in first.iter().zip(&outcomes) {
        if let Outcome::Score(Some(score)) = outcome {
            match *job {
                Job::Commitment(i) => inputs.converted.commitments[i].set_score(*score),
                Job::Story(i) => inputs.converted.stories[i].set_score(*score),
                _ => {}
            }
        }
    }
    outcomes.extend(runner.run_all(&second));
    let mut jobs = first;
    jobs.extend(second);

    let mut problems = Problems::default();
    // A month is not an item with a slug: its values are kept apart.
    let mut happiness: HashMap<(usize, usize), Option<f64>> = HashMap::new();
    for (job, outcome) in jobs.iter().zip(outcomes) {
        let hook = job.hook();
        match outcome {
            Outcome::Skipped => {}
            Outcome::Score(score) => match *job {
                Job::Commitment(i) => {
                    book.commitments.insert(content.commitments[i].meta.slug.clone(), score);
                }
                Job::Story(i) => {
                    book.stories.insert(content.stories[i].meta.slug.clone(), score);
                }
                Job::Team(i) => {
                    book.teams.insert(content.teams[i].meta.slug.clone(), score);
                }
                Job::Happiness(team, month) => {
                    happiness.insert((team, month), score);
                }
                Job::Lint(_) => {}
            },
            Outcome::Lints(warnings) => diagnostics.extend(warnings),
            Outcome::Wrong(description) => {
                let at = scripts.definition(hook.name(), hook.params().len());
                problems.add(hook, at, Problem::Wrong(description), runner.subject(*job));
            }
            Outcome::Failed(failure) => {
                let at = failure
                    .at
                    .clone()
                    .or_else(|| scripts.definition(hook.name(), hook.params().len()));
                problems.add(hook, at, Problem::Failed(failure), runner.subject(*job));
            }
        }
    }
    diagnostics.extend(problems.diagnostics());

    // Happiness: every team's months, with the hook's value where it gave one.
    for (team_index, team) in content.teams.iter().enumerate() {
        let points = inputs.months[team_index]
            .iter()
            .enumerate()
            .map(|(m, (figures, _))| HappinessPoint {
                value: happiness.get(&(team_index, m)).copied().flatten(),
                figures: figures.clone(),
            })
            .collect();
        book.happiness.insert(team.meta.slug.clone(), points);
    }
    (book, diagnostics)
}

/// Runs jobs.
struct Runner<'s, 'i, 'a> {
    scripts: &'s Scripts,
    inputs: &'i Inputs<'a>,
    items: &'i [(&'a Meta, &'i Item)],
    /// Each hook's name, shared by the call tags.
    names: [Arc<str>; 5],
}

impl<'s, 'i, 'a> Runner<'s, 'i, 'a> {
    fn new(scripts: &'s Scripts, inputs: &'i Inputs<'a>, items: &'i [(&'a Meta, &'i Item)]) -> Runner<'s, 'i, 'a> {
        Runner {
            scripts,
            inputs,
            items,
            names: Hook::ALL.map(|hook| Arc::from(hook.name())),
        }
    }

    /// Runs `jobs` in parallel. A hook that hits a limit is not called
    /// again; the first job, in content order, that hits it is found, so
    /// the report does not depend on thread timing, and every other result
    /// of that hook is dropped.
    fn run_all(&self, jobs: &[Job]) -> Vec<Outcome> {
        let tripped: [AtomicBool; 5] = Default::default();
        let mut outcomes: Vec<Outcome> = install(|| {
            jobs.par_iter()
                .map(|job| {
                    let flag = &tripped[job.hook().index()];
                    if flag.load(Ordering::Relaxed) {
                        return Outcome::Skipped;
                    }
                    let outcome = self.run(*job);
                    if is_limit(&outcome) {
                        flag.store(true, Ordering::Relaxed);
                    }
                    outcome
                })
                .collect()
        });
        for hook in Hook::ALL {
            if !tripped[hook.index()].load(Ordering::Relaxed) {
                continue;
            }
            let mut first = jobs
                .iter()
                .zip(&outcomes)
                .position(|(job, outcome)| job.hook() == hook && is_limit(outcome));
            if let Some(limit) = first {
                let earlier: Vec<usize> = (0..limit)
                    .filter(|&i| jobs[i].hook() == hook && matches!(outcomes[i], Outcome::Skipped))
                    .collect();
                for i in earlier {
                    let outcome = install(|| self.run(jobs[i]));
                    let hit = is_limit(&outcome);
                    outcomes[i] = outcome;
                    if hit {
                        first = Some(i);
                        break;
                    }
                }
            }
            for (i, (job, outcome)) in jobs.iter().zip(outcomes.iter_mut()).enumerate() {
                if job.hook() == hook && Some(i) != first {
                    *outcome = Outcome::Skipped;
                }
            }
        }
        outcomes
    }

    /// The index into `items` (teams, terms, stories, commitments, pages)
    /// of the item a job is about.
    fn item_index(&self, job: Job) -> usize {
        let content = self.inputs.content;
        let stories = content.teams.len() + content.terms.len();
        let commitments = stories + content.stories.len();
        match job {
            Job::Team(i) | Job::Happiness(i, _) => i,
            Job::Story(i) => stories + i,
            Job::Commitment(i) => commitments + i,
            Job::Lint(i) => i,
        }
    }

    fn run(&self, job: Job) -> Outcome {
        let hook = job.hook();
        let tag = CallTag {
            function: self.names[hook.index()].clone(),
            item: self.items.get(self.item_index(job)).map(|(_, item)| (*item).clone()),
            quiet: false,
        };
        let inputs = self.inputs;
        let converted = &inputs.converted;
        let args = || -> Vec<Dynamic> {
            match job {
                Job::Commitment(i) => vec![Dynamic::from(converted.commitments[i].clone())],
                Job::Story(i) => vec![Dynamic::from(converted.stories[i].clone())],
                Job::Team(i) => vec![
                    Dynamic::from(converted.teams[i].clone()),
                    Dynamic::from_array(inputs.team_commitments[i].clone()),
                    Dynamic::from_array(inputs.team_stories[i].clone()),
                ],
                Job::Happiness(team, m) => vec![
                    Dynamic::from(converted.teams[team].clone()),
                    inputs.months[team][m].1.clone(),
                ],
                Job::Lint(i) => vec![Dynamic::from(self.items[i].1.clone())],
            }
        };
        match self.scripts.call(hook.name(), &args, &tag) {
            Ok(value) if hook == Hook::Lint => match lints(&value) {
                Ok(messages) => Outcome::Lints(self.lint_warnings(job, messages)),
                Err(description) => Outcome::Wrong(description),
            },
            Ok(value) => match score(&value) {
                Ok(score) => Outcome::Score(score),
                Err(description) => Outcome::Wrong(description),
            },
            Err(failure) => Outcome::Failed(failure),
        }
    }

    /// `lint`'s messages as warnings at the item's file, each at the line
    /// of the field it names.
    fn lint_warnings(&self, job: Job, messages: Vec<String>) -> Vec<Diagnostic> {
        let Some((meta, _)) = self.items.get(self.item_index(job)) else {
            return Vec::new();
        };
        let from = self
            .scripts
            .definition(Hook::Lint.name(), 1)
            .map(|l| l.path)
            .unwrap_or_default();
        messages
            .iter()
            .map(|m| m.trim())
            .filter(|m| !m.is_empty())
            .map(|message| {
                Diagnostic::warning(&meta.path, message)
                    .at(field_line(meta, message), 1)
                    .hint(format!("reported by `lint` in `{from}`"))
            })
            .collect()
    }

    /// The source file a job is about.
    fn path(&self, job: Job) -> &str {
        self.items
            .get(self.item_index(job))
            .map_or("", |(meta, _)| meta.path.as_str())
    }

    /// How messages name what a job was about.
    fn subject(&self, job: Job) -> String {
        match job {
            Job::Happiness(team, m) => format!("`{}` ({})", self.path(job), self.inputs.months[team][m].0.month),
            _ => format!("`{}`", self.path(job)),
        }
    }
}

fn is_limit(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Failed(f) if f.kind == FailureKind::Limit)
}

/// A score: a number from 0 to 100, or `()` for "no value".
fn score(value: &Dynamic) -> Result<Option<f64>, String> {
    if value.is_unit() {
        return Ok(None);
    }
    let number = if let Ok(n) = value.as_int() {
        n as f64
    } else if let Ok(f) = value.as_float() {
        f
    } else {
        return Err(describe(value));
    };
    if number.is_finite() && (0.0..=100.0).contains(&number) {
        Ok(Some(number))
    } else {
        Err(format!("{number}"))
    }
}

/// Lint messages: an array of strings.
fn lints(value: &Dynamic) -> Result<Vec<String>, String> {
    let Some(list) = value.read_lock::<Array>() else {
        return Err(describe(value));
    };
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            item.clone()
                .into_immutable_string()
                .map(|s| s.to_string())
                .map_err(|_| format!("an array whose item {i} is {}", describe(item)))
        })
        .collect()
}

/// The line a lint message is about: the line of a front-matter field the
/// message names in backticks (`` `owner` ``), else line 1.
fn field_line(meta: &Meta, message: &str) -> usize {
    let Ok(split) = front_matter::split(&meta.path, &meta.source) else {
        return 1;
    };
    let locator = Locator::new(&split);
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .find(|name| !name.is_empty() && locator.has_key(name))
        .map_or(1, |name| locator.key(name).line)
}

/// The failures of a run, grouped so that one mistake on many items is
/// one diagnostic.
#[derive(Default)]
struct Problems {
    groups: BTreeMap<(Hook, Option<Location>, String), Group>,
}

struct Group {
    order: usize,
    problem: Problem,
    subjects: Vec<String>,
}

enum Problem {
    Wrong(String),
    Failed(Failure),
}

impl Problem {
    fn key(&self) -> String {
        match self {
            Problem::Wrong(description) => format!("wrong {description}"),
            Problem::Failed(failure) => format!("failed {}", failure.message),
        }
    }
}

impl Problems {
    fn add(&mut self, hook: Hook, at: Option<Location>, problem: Problem, subject: String) {
        let order = self.groups.len();
        let key = (hook, at, problem.key());
        self.groups
            .entry(key)
            .or_insert_with(|| Group {
                order,
                problem,
                subjects: Vec::new(),
            })
            .subjects
            .push(subject);
    }

    fn diagnostics(self) -> Vec<Diagnostic> {
        let mut groups: Vec<_> = self.groups.into_iter().collect();
        groups.sort_by_key(|(_, g)| g.order);
        groups
            .into_iter()
            .map(|((hook, at, _), group)| {
                let first = group.subjects.first().cloned().unwrap_or_default();
                let more = match group.subjects.len() {
                    0 | 1 => String::new(),
                    2 => " and 1 other".to_string(),
                    n => format!(" and {} others", n - 1),
                };
                let name = hook.name();
                let (path, line, column) =
                    at.map_or_else(|| ("scripts".to_string(), 0, 0), |l| (l.path, l.line, l.column));
                match group.problem {
                    Problem::Wrong(description) => {
                        let (expected, hint) = if hook == Hook::Lint {
                            (
                                "`lint` must return an array of strings (`[]` when all is well)",
                                "return `[]`, or an array such as `[\"a story should credit more than one team\"]`"
                                    .to_string(),
                            )
                        } else {
                            (
                                "a score must be a number from 0 to 100",
                                "return an integer or a float from 0 to 100; `clamp(x, 0, 100)` keeps a value in range"
                                    .to_string(),
                            )
                        };
                        Diagnostic::error(
                            path,
                            format!("`{name}` returned {description} for {first}{more}; {expected}"),
                        )
                        .at(line, column)
                        .hint(hint)
                    }
                    Problem::Failed(failure) if failure.kind == FailureKind::Limit => {
                        Diagnostic::error(path, format!("`{name}` was stopped on {first}: {}", failure.message))
                            .at(line, column)
                            .hint(format!("{}; `{name}` gives no results in this build", failure.hint))
                    }
                    Problem::Failed(failure) => {
                        Diagnostic::error(path, format!("`{name}` failed on {first}{more}: {}", failure.message))
                            .at(line, column)
                            .hint(failure.hint)
                    }
                }
            })
            .collect()
    }
}

/// `warn(...)` calls as warnings: at the item the call was about, else at
/// the call in the script.
pub(crate) fn notes_to_diagnostics(notes: Vec<Note>) -> Vec<Diagnostic> {
    notes
        .into_iter()
        .map(|note| {
            let from = match (&note.at, &note.function) {
                (Some(at), Some(f)) => format!("from `warn` at {}:{} in `{f}`", at.path, at.line),
                (Some(at), None) => format!("from `warn` at {}:{}", at.path, at.line),
                (None, Some(f)) => format!("from `warn` in `{f}`"),
                (None, None) => "from `warn` in a script".to_string(),
            };
            match (&note.item, &note.at) {
                (Some(item), _) => Diagnostic::warning(item, &note.message).at(1, 1).hint(from),
                (None, Some(at)) => Diagnostic::warning(&at.path, &note.message)
                    .at(at.line, at.column)
                    .hint(from),
                (None, None) => Diagnostic::warning("scripts", &note.message).hint(from),
            }
        })
        .collect()
}
