//! How items point at each other, computed once when the content is
//! assembled: the promises a team made and received, the stories that
//! credit it, the terms it owns and reads, and the stories that delivered
//! on a commitment.
//!
//! Every view, data file, script input and list page reads these instead
//! of filtering every list again (which made a site of 10,000 items pay for
//! each commitment a scan of every story). They are positions in the lists
//! of [`Content`], in content order, so that what is built from them keeps
//! the site's order. They depend on front matter only: an edit to a body
//! never changes them.

use std::collections::HashMap;

use crate::model::Content;

/// The relations of a [`Content`], by position in its lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relations {
    /// By team: the commitments it made (it is their `owner`).
    pub made: Vec<Vec<usize>>,
    /// By team: the commitments another team made to it (it is in `to`).
    pub received: Vec<Vec<usize>>,
    /// By team: the stories that credit it (it is in `teams`).
    pub credited: Vec<Vec<usize>>,
    /// By team: the terms it owns.
    pub owns: Vec<Vec<usize>>,
    /// By team: the terms it gave a reading of without owning them.
    pub reads: Vec<Vec<usize>>,
    /// By commitment: the stories whose `commitments` list it.
    pub delivered_by: Vec<Vec<usize>>,
}

impl Relations {
    /// Gathers every relation in one pass over each list.
    pub(crate) fn of(content: &Content) -> Relations {
        let teams: HashMap<&str, usize> = content
            .teams
            .iter()
            .enumerate()
            .map(|(i, t)| (t.meta.slug.as_str(), i))
            .collect();
        let commitments: HashMap<&str, usize> = content
            .commitments
            .iter()
            .enumerate()
            .map(|(i, c)| (c.meta.slug.as_str(), i))
            .collect();
        let n = content.teams.len();
        let mut r = Relations {
            made: vec![Vec::new(); n],
            received: vec![Vec::new(); n],
            credited: vec![Vec::new(); n],
            owns: vec![Vec::new(); n],
            reads: vec![Vec::new(); n],
            delivered_by: vec![Vec::new(); content.commitments.len()],
        };
        let push = |list: &mut Vec<usize>, i: usize| {
            if list.last() != Some(&i) {
                list.push(i);
            }
        };
        for (i, c) in content.commitments.iter().enumerate() {
            let owner = teams.get(c.owner.slug.as_str()).copied();
            if let Some(owner) = owner {
                push(&mut r.made[owner], i);
            }
            for to in &c.to {
                if let Some(&team) = teams.get(to.slug.as_str())
                    && Some(team) != owner
                {
                    push(&mut r.received[team], i);
                }
            }
        }
        for (i, s) in content.stories.iter().enumerate() {
            for team in &s.teams {
                if let Some(&team) = teams.get(team.slug.as_str()) {
                    push(&mut r.credited[team], i);
                }
            }
            for c in &s.commitments {
                if let Some(&c) = commitments.get(c.slug.as_str()) {
                    push(&mut r.delivered_by[c], i);
                }
            }
        }
        for (i, t) in content.terms.iter().enumerate() {
            let owner = t.owner.as_ref().and_then(|o| teams.get(o.slug.as_str()).copied());
            if let Some(owner) = owner {
                push(&mut r.owns[owner], i);
            }
            for reading in &t.definitions {
                if let Some(&team) = teams.get(reading.team.slug.as_str())
                    && Some(team) != owner
                {
                    push(&mut r.reads[team], i);
                }
            }
        }
        r
    }
}
