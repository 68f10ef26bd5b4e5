//! `/data/*.json`: the site's numbers for other tools.
//!
//! `data/scores.json` holds every score the scripts gave, each team's
//! happiness series and the explanation of each hook. Maps are sorted by
//! slug so that the file only changes when a score does.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::render::{OutputFile, Prepared};
use crate::score::{Explanation, HappinessPoint, ScoreBook};
use crate::site::Site;

/// Every data file of the site.
pub fn files(site: &Site, prepared: &Prepared) -> Vec<OutputFile> {
    vec![scores_file(site, &prepared.scores)]
}

/// `data/scores.json`.
#[derive(Debug, Clone, Serialize)]
pub struct ScoresData<'a> {
    /// The day the scores were computed for (`YYYY-MM-DD`).
    pub today: String,
    /// Hook name -> its script and doc comment.
    pub hooks: BTreeMap<&'a str, &'a Explanation>,
    pub teams: BTreeMap<&'a str, TeamScores<'a>>,
    pub commitments: BTreeMap<&'a str, f64>,
    pub stories: BTreeMap<&'a str, f64>,
}

/// A team's reliability and happiness index.
#[derive(Debug, Clone, Serialize)]
pub struct TeamScores<'a> {
    pub score: Option<f64>,
    pub happiness: &'a [HappinessPoint],
}

/// `data/scores.json` for `scores`.
pub fn scores_file(site: &Site, scores: &ScoreBook) -> OutputFile {
    let data = ScoresData {
        today: site.today.to_string(),
        hooks: scores.explanations.iter().map(|(k, v)| (k.as_str(), v)).collect(),
        teams: site
            .content
            .teams
            .iter()
            .map(|t| {
                let slug = t.meta.slug.as_str();
                (
                    slug,
                    TeamScores {
                        score: scores.team(slug),
                        happiness: scores.happiness(slug),
                    },
                )
            })
            .collect(),
        commitments: scores.commitments.iter().map(|(k, v)| (k.as_str(), *v)).collect(),
        stories: scores.stories.iter().map(|(k, v)| (k.as_str(), *v)).collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&data).unwrap_or_default();
    bytes.push(b'\n');
    OutputFile {
        path: "data/scores.json".to_string(),
        bytes,
    }
}
