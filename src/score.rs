//! The results of the scoring hooks, as plain data.
//!
//! [`crate::script`] runs the maintainers' Rhai hooks and fills a
//! [`ScoreBook`]; templates, `/data/scores.json` and `rapport scores` read
//! it. A missing hook (or a hook that failed on an item) simply leaves no
//! score, and every view shows "not scored" rather than a made-up number.

use std::collections::HashMap;

use serde::Serialize;

/// One month of a team's happiness index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HappinessPoint {
    /// `YYYY-MM`.
    pub month: String,
    /// The hook's value, 0..=100, or `None` when the hook gave none.
    pub value: Option<f64>,
    pub made: u32,
    pub due: u32,
    pub on_time: u32,
    pub late: u32,
    pub missed: u32,
    pub dropped: u32,
    pub satisfaction: Option<f64>,
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

/// Every score of a build, by item slug.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScoreBook {
    pub commitments: HashMap<String, f64>,
    pub stories: HashMap<String, f64>,
    pub teams: HashMap<String, f64>,
    pub happiness: HashMap<String, Vec<HappinessPoint>>,
    /// Hook name -> explanation, for the hooks the scripts define.
    pub explanations: HashMap<String, Explanation>,
}

impl ScoreBook {
    pub fn commitment(&self, slug: &str) -> Option<f64> {
        self.commitments.get(slug).copied()
    }

    pub fn story(&self, slug: &str) -> Option<f64> {
        self.stories.get(slug).copied()
    }

    pub fn team(&self, slug: &str) -> Option<f64> {
        self.teams.get(slug).copied()
    }

    pub fn happiness(&self, team: &str) -> &[HappinessPoint] {
        self.happiness.get(team).map_or(&[], Vec::as_slice)
    }
}
