//! The results of the scoring hooks, as plain data.
//!
//! [`crate::script`] runs the maintainers' Rhai hooks and fills a
//! [`ScoreBook`]; templates, `/data/scores.json` and `rapport scores` read
//! it. A missing hook (or a hook that failed on an item) simply leaves no
//! score, and every view shows "not scored" rather than a made-up number.
//! A hook that returns `()` says "no value" (a team with nothing due yet):
//! the item is scored, with no number, and the site says so. The hooks'
//! names ([`Hook`]) and the template call of script functions
//! ([`ScriptCall`]) live here too, so that rendering reads scores without
//! depending on the script engine.

use std::collections::HashMap;
use std::sync::Arc;

use minijinja::Value;

use serde::Serialize;

use crate::model::MonthFigures;

/// A template's call of a script function: `script("name", args...)`.
/// The scripts provide it ([`crate::script`]); the theme calls it.
pub(crate) type ScriptCall = Arc<dyn Fn(&str, Vec<Value>) -> Result<Value, String> + Send + Sync>;

/// One month of a team's happiness index: the hook's value and the
/// monthly figures it was computed from (month, made, due, rescheduled, on
/// time, late, missed, dropped, overdue, satisfaction).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HappinessPoint {
    /// The hook's value, 0..=100, or `None` when the hook gave none (it
    /// returned `()`, failed, or is not defined).
    pub value: Option<f64>,
    #[serde(flatten)]
    pub figures: MonthFigures,
}

/// Which hook produced a score, with the script's explanation of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub hook: String,
    /// The script file that defines the hook (`scripts/scoring.rhai`).
    pub script: String,
    /// The `///` doc comment above the hook, as text.
    pub doc: String,
}

/// Every score of a build, by item slug. An item is in its map when its
/// hook ran on it: with `Some(score)`, or `None` when the hook returned `()`
/// ("no value"). An item the hook did not score is not in the map.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScoreBook {
    pub commitments: HashMap<String, Option<f64>>,
    pub stories: HashMap<String, Option<f64>>,
    pub teams: HashMap<String, Option<f64>>,
    pub happiness: HashMap<String, Vec<HappinessPoint>>,
    /// Hook name -> explanation, for the hooks the scripts define.
    pub explanations: HashMap<String, Explanation>,
}

impl ScoreBook {
    /// The commitment's score, if its hook gave a number.
    pub(crate) fn commitment(&self, slug: &str) -> Option<f64> {
        self.commitments.get(slug).copied().flatten()
    }

    pub(crate) fn story(&self, slug: &str) -> Option<f64> {
        self.stories.get(slug).copied().flatten()
    }

    pub(crate) fn team(&self, slug: &str) -> Option<f64> {
        self.teams.get(slug).copied().flatten()
    }

    /// The hook ran on the commitment and returned `()`: "no value".
    pub(crate) fn commitment_has_no_value(&self, slug: &str) -> bool {
        matches!(self.commitments.get(slug), Some(None))
    }

    pub(crate) fn story_has_no_value(&self, slug: &str) -> bool {
        matches!(self.stories.get(slug), Some(None))
    }

    /// `score_team` returned `()`: with the default script, nothing the
    /// team promised has come due yet.
    pub(crate) fn team_has_no_value(&self, slug: &str) -> bool {
        matches!(self.teams.get(slug), Some(None))
    }

    pub(crate) fn happiness(&self, team: &str) -> &[HappinessPoint] {
        self.happiness.get(team).map_or(&[], Vec::as_slice)
    }
}

/// A hook rapport calls, with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Hook {
    ScoreCommitment,
    ScoreStory,
    ScoreTeam,
    Happiness,
    Lint,
}

impl Hook {
    pub(crate) const ALL: [Hook; 5] = [
        Hook::ScoreCommitment,
        Hook::ScoreStory,
        Hook::ScoreTeam,
        Hook::Happiness,
        Hook::Lint,
    ];

    /// The function name scripts define.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Hook::ScoreCommitment => "score_commitment",
            Hook::ScoreStory => "score_story",
            Hook::ScoreTeam => "score_team",
            Hook::Happiness => "happiness",
            Hook::Lint => "lint",
        }
    }

    /// The parameters rapport passes, for messages and docs.
    pub(crate) fn params(self) -> &'static [&'static str] {
        match self {
            Hook::ScoreCommitment => &["c"],
            Hook::ScoreStory => &["s"],
            Hook::ScoreTeam => &["team", "commitments", "stories"],
            Hook::Happiness => &["team", "month"],
            Hook::Lint => &["item"],
        }
    }

    /// What the hook's result is called on the site.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Hook::ScoreCommitment => "Commitment score",
            Hook::ScoreStory => "Story score",
            Hook::ScoreTeam => "Reliability",
            Hook::Happiness => "Happiness index",
            Hook::Lint => "Lints",
        }
    }

    /// The hook's position in [`Hook::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}
