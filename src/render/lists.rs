//! Long lists, split into pages, so that no page grows with the site.
//!
//! A page that would list every item of a kind shows its first items and
//! links to the whole list, which has pages of its own with stable URLs:
//! `<list>/` for the first page and `<list>/page/<n>/` for the others, each
//! with `rel="prev"` and `rel="next"` links, as Hugo and Zola do. The lists:
//!
//! | list | URL | items |
//! |---|---|---|
//! | a state of the board | `commitments/state/<state>/` (beside the commitments' own pages, never in their place) | commitment cards |
//! | promises a team made / received | `teams/<slug>/made/`, `…/received/` | commitment cards |
//! | stories crediting a team | `teams/<slug>/stories/` | story cards |
//! | terms a team owns / reads its own way / uses without a reading | `teams/<slug>/owns/`, `…/reads/`, `…/undefined/` | terms |
//! | the promises of a pair of teams | `happiness/from-<a>-to-<b>/` | commitment cards |
//! | where a term is used | `glossary/<slug>/used-in/` | item links |
//! | uses without a reading, terms without an owner | `gaps/unread/`, `gaps/unowned/` | gaps |
//!
//! The glossary, the stories and the gaps matrix are paginated in place
//! (`glossary/page/2/`). Everything here is a pure function of the content
//! and the views; which pages exist is decided from the lists' lengths.

use minijinja::Value;
use serde::Serialize;

use crate::model::{Content, Kind, State};
use crate::render::reader::ReaderInput;
use crate::render::reader::trust::{PairCounts, pair_id};
use crate::render::reader::vocabulary::{team_unread, unread_views, vocabulary_gaps};
use crate::render::view::to_value;

/// Items per page of a list.
pub(crate) const PER_PAGE: usize = 50;
/// Terms per page of the glossary.
pub(crate) const GLOSSARY_PER_PAGE: usize = 100;
/// Stories per page of the stories page.
pub(crate) const STORIES_PER_PAGE: usize = 30;
/// Rows per page of the gaps matrix.
pub(crate) const MATRIX_PER_PAGE: usize = 50;
/// How many of a team's promises in one state its page shows before
/// linking to the whole list.
pub(crate) const TEAM_PREVIEW: usize = 4;

/// A list with pages of its own.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ListKey {
    /// The commitments in one state, board order.
    State(State),
    /// The promises team `slug` made.
    Made(String),
    /// The promises other teams made to team `slug`.
    Received(String),
    /// The stories that credit team `slug`.
    Credited(String),
    /// The terms team `slug` owns.
    Owns(String),
    /// The terms team `slug` reads its own way.
    Reads(String),
    /// The terms team `slug` uses without having written its reading.
    Undefined(String),
    /// The promises team `.0` made to team `.1`.
    Pair(String, String),
    /// The items that link to term `slug`.
    UsedIn(String),
    /// Every use of a term by a team without its reading.
    Unread,
    /// The terms without an owner.
    Unowned,
}

impl ListKey {
    /// The URL path of the list's first page, relative to the base path.
    pub(crate) fn url_path(&self) -> String {
        match self {
            ListKey::State(state) => format!("commitments/state/{}/", state.name()),
            ListKey::Made(team) => format!("teams/{team}/made/"),
            ListKey::Received(team) => format!("teams/{team}/received/"),
            ListKey::Credited(team) => format!("teams/{team}/stories/"),
            ListKey::Owns(team) => format!("teams/{team}/owns/"),
            ListKey::Reads(team) => format!("teams/{team}/reads/"),
            ListKey::Undefined(team) => format!("teams/{team}/undefined/"),
            ListKey::Pair(owner, recipient) => format!("happiness/{}/", pair_id(owner, recipient)),
            ListKey::UsedIn(term) => format!("glossary/{term}/used-in/"),
            ListKey::Unread => "gaps/unread/".to_string(),
            ListKey::Unowned => "gaps/unowned/".to_string(),
        }
    }

    /// The nav section its pages belong to.
    pub(crate) fn section(&self) -> &'static str {
        match self {
            ListKey::State(_) => "commitments",
            ListKey::Made(_)
            | ListKey::Received(_)
            | ListKey::Credited(_)
            | ListKey::Owns(_)
            | ListKey::Reads(_)
            | ListKey::Undefined(_) => "teams",
            ListKey::Pair(..) => "happiness",
            ListKey::UsedIn(_) | ListKey::Unread | ListKey::Unowned => "glossary",
        }
    }
}

/// The URL path of page `number` of a list whose first page is `first`.
pub(crate) fn page_path(first: &str, number: usize) -> String {
    if number <= 1 {
        first.to_string()
    } else {
        format!("{first}page/{number}/")
    }
}

/// How many pages `total` items take, at least one.
pub(crate) fn page_count(total: usize, per_page: usize) -> usize {
    total.div_ceil(per_page.max(1)).max(1)
}

/// What a paginated page's template receives as `paginator`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Paginator {
    /// This page's number, from 1.
    pub number: usize,
    pub total_pages: usize,
    pub total_items: usize,
    /// The position of this page's first item in the list, from 1.
    pub first_item: usize,
    /// The position of this page's last item.
    pub last_item: usize,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    /// Every page's number and URL, for a page list.
    pub pages: Vec<PageLink>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
}

/// The paginator of page `number` of a list of `total` items whose first
/// page is at `first` (relative to `base_path`).
pub(crate) fn paginator(base_path: &str, first: &str, number: usize, total: usize, per_page: usize) -> Paginator {
    let total_pages = page_count(total, per_page);
    let url = |n: usize| format!("{base_path}{}", page_path(first, n));
    let first_item = ((number - 1) * per_page + 1).min(total);
    Paginator {
        number,
        total_pages,
        total_items: total,
        first_item,
        last_item: (number * per_page).min(total),
        prev_url: (number > 1).then(|| url(number - 1)),
        next_url: (number < total_pages).then(|| url(number + 1)),
        pages: (1..=total_pages)
            .map(|n| PageLink {
                number: n,
                url: url(n),
                current: n == number,
            })
            .collect(),
    }
}

/// The items of page `number` of `items`.
pub(crate) fn page_of<T: Clone>(items: &[T], number: usize, per_page: usize) -> Vec<T> {
    items
        .iter()
        .skip(number.saturating_sub(1) * per_page)
        .take(per_page)
        .cloned()
        .collect()
}

/// The commitments in `state`, by position, in board order (the content's).
pub(crate) fn in_state(content: &Content, state: State) -> Vec<usize> {
    content
        .commitments
        .iter()
        .enumerate()
        .filter(|(_, c)| c.derived.state == state)
        .map(|(i, _)| i)
        .collect()
}

/// The commitments team `owner` made to team `recipient`, by position.
pub(crate) fn pair(content: &Content, owner: &str, recipient: &str) -> Vec<usize> {
    let Some(o) = content.position(Kind::Team, owner) else {
        return Vec::new();
    };
    content.relations.made[o]
        .iter()
        .copied()
        .filter(|c| content.commitments[*c].to.iter().any(|t| t.slug == recipient))
        .collect()
}

/// What one page of a list shows.
pub(crate) struct ListPage {
    pub title: String,
    /// What the list is, in a sentence.
    pub description: String,
    /// Figures about the list, in a sentence, if it has any.
    pub note: Option<String>,
    /// `commitments`, `stories`, `terms`, `readings`, `unread`, `links` or
    /// `unowned`: how the template draws the items.
    pub kind: &'static str,
    pub items: Vec<Value>,
    pub total: usize,
    /// The page the list belongs to: its title and URL path.
    pub parent: (String, String),
}

/// The items of page `number` of list `key`, as template values, with
/// what the page says of the list; `None` when the list's owner (a team, a
/// term) does not exist. Only the page's items are made into values.
pub(crate) fn list_items(key: &ListKey, input: &ReaderInput<'_>, number: usize) -> Option<ListPage> {
    let mut page = whole_list(key, input, number)?;
    if page.items.len() > PER_PAGE {
        page.items = page_of(&page.items, number, PER_PAGE);
    }
    Some(page)
}

/// The list's items: every item for the lists of values already made (the
/// cards), only page `number`'s for the others.
fn whole_list(key: &ListKey, input: &ReaderInput<'_>, number: usize) -> Option<ListPage> {
    let content = input.content;
    let views = input.views;
    let team_at = |slug: &str| content.position(Kind::Team, slug);
    let commitment_cards = |list: &[usize]| -> Vec<Value> {
        list.iter()
            .filter_map(|c| views.cards.values.commitments.get(*c).cloned())
            .collect()
    };
    let team_title = |slug: &str| team_at(slug).map(|i| content.teams[i].meta.title.clone());
    Some(match key {
        ListKey::State(state) => {
            let items = commitment_cards(&in_state(content, *state));
            ListPage {
                title: format!("{} commitments", state.label()),
                description: format!("Every commitment whose state is “{}”, in board order.", state.label()),
                kind: "commitments",
                note: None,
                total: items.len(),
                items,
                parent: ("Commitments".to_string(), "commitments/".to_string()),
            }
        }
        ListKey::Made(slug) | ListKey::Received(slug) => {
            let i = team_at(slug)?;
            let title = team_title(slug)?;
            let made = matches!(key, ListKey::Made(_));
            let list = if made {
                &content.relations.made[i]
            } else {
                &content.relations.received[i]
            };
            // Board order: by state, then as the content lists them.
            let mut ordered: Vec<usize> = list.clone();
            ordered.sort_by_key(|c| {
                State::ALL
                    .iter()
                    .position(|s| *s == content.commitments[*c].derived.state)
            });
            let items = commitment_cards(&ordered);
            ListPage {
                title: if made {
                    format!("Promises {title} made")
                } else {
                    format!("Promises made to {title}")
                },
                description: if made {
                    format!("Every promise {title} made, by state.")
                } else {
                    format!("Every promise another team made to {title}, by state.")
                },
                kind: "commitments",
                note: None,
                total: items.len(),
                items,
                parent: (title, content.teams[i].meta.url_path.clone()),
            }
        }
        ListKey::Credited(slug) => {
            let i = team_at(slug)?;
            let title = team_title(slug)?;
            let items: Vec<Value> = content.relations.credited[i]
                .iter()
                .filter_map(|s| views.cards.values.stories.get(*s).cloned())
                .collect();
            ListPage {
                title: format!("Stories that credit {title}"),
                description: format!("Every success story {title} contributed to, newest first."),
                kind: "stories",
                note: None,
                total: items.len(),
                items,
                parent: (title, content.teams[i].meta.url_path.clone()),
            }
        }
        ListKey::Owns(slug) | ListKey::Reads(slug) => {
            let i = team_at(slug)?;
            let title = team_title(slug)?;
            let owns = matches!(key, ListKey::Owns(_));
            let list = if owns {
                &content.relations.owns[i]
            } else {
                &content.relations.reads[i]
            };
            let items: Vec<Value> = list
                .iter()
                .filter_map(|t| views.cards.values.terms.get(*t).cloned())
                .collect();
            ListPage {
                title: if owns {
                    format!("Terms {title} owns")
                } else {
                    format!("Terms {title} has a reading of")
                },
                description: if owns {
                    format!("The terms whose shared definition {title} keeps, A–Z.")
                } else {
                    format!("The terms another team (or no team) owns that {title} wrote its reading of, A–Z.")
                },
                kind: "terms",
                note: None,
                total: items.len(),
                items,
                parent: (title, content.teams[i].meta.url_path.clone()),
            }
        }
        ListKey::Undefined(slug) => {
            let i = team_at(slug)?;
            let title = team_title(slug)?;
            let (page, total) = team_unread(input, i, (number - 1) * PER_PAGE, PER_PAGE);
            let items: Vec<Value> = page.into_iter().map(to_value).collect();
            ListPage {
                title: format!("Words {title} uses but has not defined"),
                description: format!(
                    "The terms {title}'s records use without {title} having written how it reads them, most used first."
                ),
                kind: "unread",
                note: None,
                total,
                items,
                parent: (title, content.teams[i].meta.url_path.clone()),
            }
        }
        ListKey::Pair(owner, recipient) => {
            let (from, to) = (team_title(owner)?, team_title(recipient)?);
            let items = commitment_cards(&pair(content, owner, recipient));
            ListPage {
                title: format!("{from} to {to}"),
                description: format!(
                    "Every promise {from} made to {to}: the commitments behind their cell of the trust matrix."
                ),
                kind: "commitments",
                note: Some(pair_note(content, &pair(content, owner, recipient))),
                total: items.len(),
                items,
                parent: ("Happiness and trust".to_string(), "happiness/".to_string()),
            }
        }
        ListKey::UsedIn(slug) => {
            let i = content.position(Kind::Term, slug)?;
            let term = &content.terms[i];
            let items: Vec<Value> = views.term_used_in(i, content, input.base_path);
            ListPage {
                title: format!("Where “{}” is used", term.meta.title),
                description: format!("Every page whose text links to {}.", term.meta.title),
                kind: "links",
                note: None,
                total: items.len(),
                items,
                parent: (term.meta.title.clone(), term.meta.url_path.clone()),
            }
        }
        ListKey::Unread | ListKey::Unowned => {
            let gaps = vocabulary_gaps(input);
            let (title, description, kind, total, items): (&str, &str, &str, usize, Vec<Value>) = match key {
                ListKey::Unread => (
                    "Used without a reading",
                    "Every time a team uses a term without having written how it reads it, most used first.",
                    "unread",
                    gaps.unread.len(),
                    unread_views(input, page_of(&gaps.unread, number, PER_PAGE).iter())
                        .into_iter()
                        .map(to_value)
                        .collect(),
                ),
                _ => (
                    "Terms without an owner",
                    "The terms no team keeps the shared definition of, A–Z.",
                    "unowned",
                    gaps.unowned.len(),
                    page_of(&gaps.unowned, number, PER_PAGE)
                        .into_iter()
                        .map(to_value)
                        .collect(),
                ),
            };
            ListPage {
                title: title.to_string(),
                description: description.to_string(),
                kind,
                note: None,
                total,
                items,
                parent: ("Vocabulary gaps".to_string(), "gaps/".to_string()),
            }
        }
    })
}

/// "33% on time: 1 of 3 that came due, 2 late; 4 in all", the rule of
/// the trust matrix's cells.
fn pair_note(content: &Content, list: &[usize]) -> String {
    let PairCounts {
        on_time,
        late,
        missed,
        overdue,
        came_due,
    } = PairCounts::of(content, list);
    let total = list.len();
    let in_all = format!("{total} commitment{} in all", if total == 1 { "" } else { "s" });
    if came_due == 0 {
        return format!("Nothing has come due yet; {in_all}.");
    }
    let mut text = format!(
        "{}% on time: {on_time} of {came_due} that came due",
        (100.0 * on_time as f64 / came_due as f64).round()
    );
    for (n, word) in [(late, "late"), (missed, "missed"), (overdue, "overdue")] {
        if n > 0 {
            text.push_str(&format!(", {n} {word}"));
        }
    }
    format!("{text}; {in_all}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_have_stable_urls_and_neighbours() {
        assert_eq!(page_path("glossary/", 1), "glossary/");
        assert_eq!(page_path("glossary/", 3), "glossary/page/3/");
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(50, 50), 1);
        assert_eq!(page_count(51, 50), 2);
        let p = paginator("/alignment/", "commitments/overdue/", 2, 120, 50);
        assert_eq!((p.first_item, p.last_item, p.total_pages), (51, 100, 3));
        assert_eq!(p.prev_url.as_deref(), Some("/alignment/commitments/overdue/"));
        assert_eq!(p.next_url.as_deref(), Some("/alignment/commitments/overdue/page/3/"));
        assert_eq!(
            page_of(&(1..=120).collect::<Vec<_>>(), 3, 50),
            (101..=120).collect::<Vec<_>>()
        );
        assert_eq!(
            ListKey::Pair("sales".into(), "support".into()).url_path(),
            "happiness/from-sales-to-support/"
        );
    }
}
