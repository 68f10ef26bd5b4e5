//! Stories by year, and the teams to filter them by.

use minijinja::{Value, context};
use serde::Serialize;

use crate::render::reader::{ReaderInput, team_link_at};
use crate::render::view::{TeamLink, to_value};

/// The stories of one year, newest first.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StoryYear {
    pub year: i32,
    /// Positions in `content.stories`.
    #[serde(skip)]
    pub stories: Vec<usize>,
}

/// A team that stories credit, for the stories filter.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StoryTeam {
    pub team: TeamLink,
    /// How many stories credit it.
    pub count: usize,
}

/// The stories from position `skip`, `take` of them, grouped by the year
/// of their date, newest first.
pub(crate) fn story_years(input: &ReaderInput<'_>, skip: usize, take: usize) -> Vec<StoryYear> {
    let mut years: Vec<StoryYear> = Vec::new();
    for (i, story) in input.content.stories.iter().enumerate().skip(skip).take(take) {
        let year = story.date.year();
        match years.last_mut() {
            Some(last) if last.year == year => last.stories.push(i),
            _ => years.push(StoryYear { year, stories: vec![i] }),
        }
    }
    years
}

/// The teams that stories credit, in title order, with how many each.
pub(crate) fn story_teams(input: &ReaderInput<'_>) -> Vec<StoryTeam> {
    let content = input.content;
    content
        .teams
        .iter()
        .enumerate()
        .filter_map(|(i, _)| {
            let count = content.relations.credited[i].len();
            (count > 0).then(|| StoryTeam {
                team: team_link_at(input, i),
                count,
            })
        })
        .collect()
}

/// `years` (the stories from `skip`, `take` of them, by year, as cards)
/// and `filter` (the teams to filter by) of a page of stories.
pub(crate) fn stories_value(input: &ReaderInput<'_>, skip: usize, take: usize) -> (Value, Value) {
    let cards = &input.views.cards.values.stories;
    let years: Vec<Value> = story_years(input, skip, take)
        .into_iter()
        .map(|y| {
            let stories: Vec<Value> = y.stories.iter().filter_map(|i| cards.get(*i).cloned()).collect();
            context! { year => y.year, stories }
        })
        .collect();
    (Value::from(years), to_value(story_teams(input)))
}
