//! The vocabulary gaps: terms no team owns, and terms fewer than two teams
//! gave their reading of.

use minijinja::Value;
use serde::Serialize;

use crate::render::reader::{ReaderInput, team_link};
use crate::render::view::{TeamLink, to_value};

/// Terms whose vocabulary is not settled yet.
#[derive(Debug, Clone, Serialize)]
pub struct VocabularyGaps {
    /// Terms no team owns.
    pub unowned: Vec<TermGap>,
    /// Terms fewer than two teams gave their reading of.
    pub few_readings: Vec<TermGap>,
    /// How many terms the glossary has.
    pub term_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermGap {
    pub title: String,
    pub url: String,
    pub acronym: Option<String>,
    pub owner: Option<TeamLink>,
    /// The teams that gave their reading.
    pub readers: Vec<TeamLink>,
    /// What the term still needs, one sentence each.
    pub missing: Vec<String>,
}

/// Terms with no owner, and terms fewer than two teams gave their reading
/// of, each with what it still needs.
pub fn vocabulary_gaps(input: &ReaderInput<'_>) -> VocabularyGaps {
    let content = input.content;
    let mut unowned = Vec::new();
    let mut few_readings = Vec::new();
    for term in &content.terms {
        let owner = term.owner.as_ref().map(|o| team_link(input, &o.slug));
        let readers: Vec<TeamLink> = term
            .definitions
            .iter()
            .map(|r| team_link(input, &r.team.slug))
            .collect();
        let mut missing = Vec::new();
        if owner.is_none() {
            missing.push("No team owns it: give it an owner.".to_string());
        }
        match readers.as_slice() {
            [] => missing.push("No team has written how it reads it.".to_string()),
            [only] => missing.push(format!(
                "Only {} has written how it reads it: ask the other teams that use it for theirs.",
                only.title
            )),
            _ => {}
        }
        if let Some(owner) = &owner
            && !readers.is_empty()
            && !readers.iter().any(|r| r.slug == owner.slug)
        {
            missing.push(format!("{}, its owner, has not written its own reading.", owner.title));
        }
        if missing.is_empty() {
            continue;
        }
        let gap = TermGap {
            title: term.meta.title.clone(),
            url: format!("{}{}", input.base_path, term.meta.url_path),
            acronym: term.acronym.clone(),
            owner,
            readers,
            missing,
        };
        if gap.readers.len() < 2 {
            few_readings.push(gap.clone());
        }
        if gap.owner.is_none() {
            unowned.push(gap);
        }
    }
    VocabularyGaps {
        unowned,
        few_readings,
        term_count: content.terms.len(),
    }
}

/// `gaps` of the vocabulary gaps page.
pub fn gaps_value(input: &ReaderInput<'_>) -> Value {
    to_value(vocabulary_gaps(input))
}
