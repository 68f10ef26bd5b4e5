//! `/data/*.json`: the site's content and numbers for other tools.
//!
//! One file per kind (`teams.json`, `terms.json`, `stories.json`,
//! `commitments.json`) plus `scores.json`. Each is an object with a
//! `version` (bumped when a field changes meaning or goes away; new fields
//! may appear without one), the `today` that derived fields were computed
//! for, and the list. Items are sorted by slug and every field is always
//! present (`null` or `[]` when empty), in a fixed order, so a file changes
//! only when the site does and a diff of two builds reads well.
//!
//! Bodies are given as the Markdown the author wrote (`body_markdown`) and
//! as the plain-text first paragraph (`summary`), with the page's `url`:
//! HTML is what the site is for, and tools are better served by text they
//! can parse or re-render. References are slugs, resolved lists of
//! `{kind, slug}`. docs/data.md documents every field.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use rayon::prelude::*;

use serde::Serialize;

use crate::date::Date;
use crate::model::{Commitment, Content, ItemKey, Kind, Meta, Status, Story, Team, Term};
use crate::render::markdown::RenderedBody;
use crate::render::view::{PromiseCounts, counts};
use crate::render::{OutputFile, Prepared};
use crate::score::{Explanation, HappinessPoint, ScoreBook};
use crate::site::Site;

/// The version of the data files' format.
pub(crate) const VERSION: u32 = 2;

/// The item lists of `data/{teams,terms,stories,commitments}.json` as JSON
/// fragments, one per item, in slug order. Built in parallel; the dev
/// server keeps them so that an edit re-serialises only the items it
/// touched ([`refresh`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataFragments {
    /// Teams, terms, stories, commitments: (slug, the item's JSON object).
    lists: [Vec<(String, String)>; 4],
}

/// Each list file: the kind it holds, its path, its list's key.
const LISTS: [(Kind, &str, &str); 4] = [
    (Kind::Team, "data/teams.json", "teams"),
    (Kind::Term, "data/terms.json", "terms"),
    (Kind::Story, "data/stories.json", "stories"),
    (Kind::Commitment, "data/commitments.json", "commitments"),
];

/// `data/scores.json`, the scores by item.
const SCORES_FILE: &str = "data/scores.json";

/// The path of every data file, for links to them.
pub(crate) fn paths() -> impl Iterator<Item = &'static str> {
    LISTS.iter().map(|(_, path, _)| *path).chain([SCORES_FILE])
}

/// Every item's fragment.
pub(crate) fn fragments(site: &Site, prepared: &Prepared) -> DataFragments {
    let input = DataInput::new(site, prepared);
    DataFragments {
        lists: [0, 1, 2, 3].map(|list| list_fragments(site, &input, list)),
    }
}

/// The fragments of list `list` (a position in [`LISTS`]), sorted by slug.
fn list_fragments(site: &Site, input: &DataInput<'_>, list: usize) -> Vec<(String, String)> {
    let content = &site.content;
    let mut items: Vec<(String, String)> = match LISTS[list].0 {
        Kind::Team => content
            .teams
            .par_iter()
            .map(|t| (t.meta.slug.clone(), fragment(&team_data(t, input))))
            .collect(),
        Kind::Term => content
            .terms
            .par_iter()
            .map(|t| (t.meta.slug.clone(), fragment(&term_data(t, input))))
            .collect(),
        Kind::Story => content
            .stories
            .par_iter()
            .map(|s| (s.meta.slug.clone(), fragment(&story_data(s, input))))
            .collect(),
        Kind::Commitment => content
            .commitments
            .par_iter()
            .map(|c| (c.meta.slug.clone(), fragment(&commitment_data(c, input))))
            .collect(),
        // Pages have no data file.
        Kind::Page => Vec::new(),
    };
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items
}

/// Every data file, each handed to `each` as soon as it is made and its
/// fragments dropped: for a build that writes them and keeps nothing (the
/// largest list's fragments and file are the most held at once).
pub(crate) fn each_file(site: &Site, prepared: &Prepared, mut each: impl FnMut(OutputFile)) {
    let input = DataInput::new(site, prepared);
    for (list, (_, path, _)) in LISTS.iter().enumerate() {
        let mut fragments = DataFragments::default();
        fragments.lists[list] = list_fragments(site, &input, list);
        each(list_files(site, &fragments, &[path]).remove(0));
    }
    each(scores_file(site, &prepared.scores));
}

/// Serialises again the items `keys` (whose body, links or scores
/// changed); the others keep their fragments. Returns the paths of the list
/// files whose bytes change.
pub(crate) fn refresh(
    fragments: &mut DataFragments,
    site: &Site,
    prepared: &Prepared,
    keys: &[ItemKey],
) -> Vec<&'static str> {
    let mut changed = [false; 4];
    let input = DataInput::for_keys(site, prepared, keys);
    let content = &site.content;
    for key in keys {
        let Some(list) = LISTS.iter().position(|(kind, _, _)| *kind == key.kind) else {
            continue;
        };
        let json = match key.kind {
            Kind::Team => content.team(&key.slug).map(|t| fragment(&team_data(t, &input))),
            Kind::Term => content.term(&key.slug).map(|t| fragment(&term_data(t, &input))),
            Kind::Story => content.story(&key.slug).map(|s| fragment(&story_data(s, &input))),
            Kind::Commitment => content
                .commitment(&key.slug)
                .map(|c| fragment(&commitment_data(c, &input))),
            Kind::Page => None,
        };
        let items = &mut fragments.lists[list];
        match (items.binary_search_by(|(slug, _)| slug.as_str().cmp(&key.slug)), json) {
            (Ok(i), Some(json)) => {
                if items[i].1 != json {
                    items[i].1 = json;
                    changed[list] = true;
                }
            }
            (Ok(i), None) => {
                items.remove(i);
                changed[list] = true;
            }
            (Err(i), Some(json)) => {
                items.insert(i, (key.slug.clone(), json));
                changed[list] = true;
            }
            (Err(_), None) => {}
        }
    }
    LISTS
        .iter()
        .zip(changed)
        .filter(|(_, changed)| *changed)
        .map(|((_, path, _), _)| *path)
        .collect()
}

/// The data files from their fragments: exactly the bytes serde_json's
/// pretty printer gives for the whole file.
pub(crate) fn files_from(site: &Site, prepared: &Prepared, fragments: &DataFragments) -> Vec<OutputFile> {
    let mut files = list_files(site, fragments, &LISTS.map(|(_, path, _)| path));
    files.push(scores_file(site, &prepared.scores));
    files
}

/// The list files among `paths` (the others are left out).
pub(crate) fn list_files(site: &Site, fragments: &DataFragments, paths: &[&str]) -> Vec<OutputFile> {
    LISTS
        .iter()
        .zip(&fragments.lists)
        .filter(|((_, path, _), _)| paths.contains(path))
        .map(|((_, path, name), items)| {
            let size = items.iter().map(|(_, json)| json.len() + 2).sum::<usize>() + 96;
            let mut text = String::with_capacity(size);
            let _ = write!(
                text,
                "{{\n  \"version\": {VERSION},\n  \"today\": \"{}\",\n  \"{name}\": [",
                site.today
            );
            if items.is_empty() {
                text.push_str("]\n}\n");
            } else {
                for (i, (_, json)) in items.iter().enumerate() {
                    text.push_str(if i == 0 { "\n" } else { ",\n" });
                    text.push_str(json);
                }
                text.push_str("\n  ]\n}\n");
            }
            OutputFile {
                path: (*path).to_string(),
                bytes: text.into_bytes(),
            }
        })
        .collect()
}

/// One item's object, pretty-printed and indented to sit in its file's list.
fn fragment<T: Serialize>(data: &T) -> String {
    let text = serde_json::to_string_pretty(data).unwrap_or_default();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("    ");
        out.push_str(line);
    }
    out
}

/// The fields every item has, first in each item's object.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Common<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    /// The page's address: absolute when `base_url` names a host, else a
    /// path from the server's root.
    pub url: String,
    /// The file, relative to the site root.
    pub source: &'a str,
    pub tags: &'a [String],
    /// `date` of the front matter.
    pub date: Option<Date>,
    /// `updated` of the front matter.
    pub updated: Option<Date>,
    /// The file's last commit, from git; `null` outside git.
    pub last_updated: Option<Date>,
}

/// The fields every item has last: its text, links and unknown fields.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Text<'a> {
    /// The first paragraph as plain text.
    pub summary: &'a str,
    /// The body as written, after the front matter.
    pub body_markdown: &'a str,
    /// Items the body links to, in order of first appearance.
    pub links_to: Vec<Link<'a>>,
    /// Items whose bodies link to this one, sorted.
    pub linked_from: Vec<Link<'a>>,
    /// Front matter fields the kind does not define, in file order.
    pub extra: &'a serde_json::Map<String, serde_json::Value>,
}

/// A reference to another item.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) struct Link<'a> {
    pub kind: Kind,
    /// The slug; for plain pages, the URL path below the base path.
    pub slug: &'a str,
}

/// A team's reading of a term, or its part in a story.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TeamText<'a> {
    pub team: &'a str,
    pub text: &'a str,
}

/// One team in `teams.json`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TeamData<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub short: Option<&'a str>,
    /// The colour the site shows: `color` of the file, or the stable
    /// fallback the site picked.
    pub color: String,
    pub lead: Option<&'a str>,
    pub members: &'a [String],
    /// `score_team`'s reliability score.
    pub score: Option<f64>,
    /// Counts of the promises the team made, by state.
    pub made: PromiseCounts,
    /// Counts of the promises made to the team by others, by state.
    pub received: PromiseCounts,
    pub commitments_made: Vec<&'a str>,
    pub commitments_received: Vec<&'a str>,
    /// Terms the team owns.
    pub owns: Vec<&'a str>,
    /// Terms owned elsewhere that the team gave a reading of.
    pub reads: Vec<&'a str>,
    /// Stories that credit the team.
    pub stories: Vec<&'a str>,
    #[serde(flatten)]
    pub text: Text<'a>,
}

/// One term in `terms.json`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TermData<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub acronym: Option<&'a str>,
    pub aliases: &'a [String],
    pub owner: Option<&'a str>,
    /// Each team's reading, in file order.
    pub definitions: Vec<TeamText<'a>>,
    /// Two or more teams gave readings and they are not all the same text.
    pub readings_differ: bool,
    pub related: Vec<&'a str>,
    #[serde(flatten)]
    pub text: Text<'a>,
}

/// One story in `stories.json`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StoryData<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub customer: Option<&'a str>,
    pub outcome: Option<&'a str>,
    pub teams: Vec<&'a str>,
    /// Each team's part, in file order.
    pub contributions: Vec<TeamText<'a>>,
    /// Commitments the story delivered on.
    pub commitments: Vec<&'a str>,
    /// `score_story`'s score.
    pub score: Option<f64>,
    #[serde(flatten)]
    pub text: Text<'a>,
}

/// One rescheduling.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RevisionData<'a> {
    pub date: Option<Date>,
    pub new_due: Date,
    pub reason: &'a str,
}

/// One commitment in `commitments.json`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CommitmentData<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub owner: &'a str,
    pub to: Vec<&'a str>,
    pub to_external: &'a [String],
    pub promised: Date,
    pub due: Date,
    pub delivered: Option<Date>,
    /// When it was declared missed or dropped.
    pub closed: Option<Date>,
    /// Why it was missed or dropped.
    pub reason: Option<&'a str>,
    /// `status` as written, or `null`.
    pub status: Option<&'static str>,
    pub revisions: Vec<RevisionData<'a>>,
    pub satisfaction: Option<u8>,
    /// Derived: `on-time`, `late`, `overdue`, `at-risk`, `open`, `missed`
    /// or `dropped`.
    pub state: &'static str,
    pub effective_due: Date,
    /// `delivered`, else `closed`, else `null`.
    pub ended: Option<Date>,
    /// From the original `due` to `ended` (or today while open).
    pub days_late: i64,
    pub slips: usize,
    /// `score_commitment`'s score.
    pub score: Option<f64>,
    /// Stories that delivered on the commitment.
    pub stories: Vec<&'a str>,
    /// Commits that rewrote the record instead of adding to it (the
    /// ledger, docs/ledger.md), oldest first; `[]` outside git.
    pub quiet_changes: &'a [crate::ledger::QuietChange],
    #[serde(flatten)]
    pub text: Text<'a>,
}

/// `data/scores.json`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ScoresData<'a> {
    pub version: u32,
    /// The day the scores were computed for (`YYYY-MM-DD`).
    pub today: String,
    /// Hook name -> its script and doc comment.
    pub hooks: BTreeMap<&'a str, &'a Explanation>,
    pub teams: BTreeMap<&'a str, TeamScores<'a>>,
    /// Slug -> score; `null` where the hook returned `()` ("no value").
    pub commitments: BTreeMap<&'a str, Option<f64>>,
    pub stories: BTreeMap<&'a str, Option<f64>>,
}

/// A team's reliability and happiness index.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TeamScores<'a> {
    /// `score_team`'s value, or `null`.
    pub score: Option<f64>,
    /// `score_team` returned `()` ("no value"; with the default script,
    /// nothing the team promised has come due yet).
    pub no_value: bool,
    pub happiness: &'a [HappinessPoint],
}

/// `data/scores.json` for `scores`.
pub(crate) fn scores_file(site: &Site, scores: &ScoreBook) -> OutputFile {
    let data = ScoresData {
        version: VERSION,
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
                        no_value: scores.team_has_no_value(slug),
                        happiness: scores.happiness(slug),
                    },
                )
            })
            .collect(),
        commitments: scores.commitments.iter().map(|(k, v)| (k.as_str(), *v)).collect(),
        stories: scores.stories.iter().map(|(k, v)| (k.as_str(), *v)).collect(),
    };
    json_file(SCORES_FILE, &data)
}

/// What the item records are made from.
struct DataInput<'a> {
    site: &'a Site,
    content: &'a Content,
    bodies: &'a HashMap<ItemKey, RenderedBody>,
    scores: &'a ScoreBook,
    /// `https://host/base/` or `/base/`.
    url_prefix: String,
    /// Item -> the items whose bodies link to it.
    linked_from: HashMap<&'a ItemKey, Vec<Link<'a>>>,
    /// Team slug -> the colour the site shows.
    colors: HashMap<&'a str, &'a str>,
}

impl<'a> DataInput<'a> {
    /// What the records of `keys` alone need: only their back-links are
    /// gathered.
    fn for_keys(site: &'a Site, prepared: &'a Prepared, keys: &[ItemKey]) -> DataInput<'a> {
        if keys.len() <= 16 {
            return DataInput::gather(site, prepared, |target| keys.contains(target));
        }
        let wanted: std::collections::HashSet<&ItemKey> = keys.iter().collect();
        DataInput::gather(site, prepared, |target| wanted.contains(target))
    }

    fn new(site: &'a Site, prepared: &'a Prepared) -> DataInput<'a> {
        DataInput::gather(site, prepared, |_| true)
    }

    fn gather(site: &'a Site, prepared: &'a Prepared, wanted: impl Fn(&ItemKey) -> bool) -> DataInput<'a> {
        let base_path = site.config.base_path();
        let url_prefix = match site.config.origin() {
            Some(origin) => format!("{origin}{base_path}"),
            None => base_path,
        };
        // Every rendered body is an item's; the order does not matter, as
        // each list is sorted below.
        let mut linked_from: HashMap<&ItemKey, Vec<Link<'a>>> = HashMap::new();
        for (source, body) in &prepared.bodies {
            for target in &body.links {
                if wanted(target) && target != source {
                    linked_from.entry(target).or_default().push(Link {
                        kind: source.kind,
                        slug: &source.slug,
                    });
                }
            }
        }
        for links in linked_from.values_mut() {
            links.sort();
            links.dedup();
        }
        let colors = prepared
            .views
            .cards
            .teams
            .iter()
            .map(|card| (card.slug.as_str(), card.color.as_str()))
            .collect();
        DataInput {
            site,
            content: &site.content,
            bodies: &prepared.bodies,
            scores: &prepared.scores,
            url_prefix,
            linked_from,
            colors,
        }
    }

    fn common(&self, meta: &'a Meta) -> Common<'a> {
        Common {
            slug: &meta.slug,
            title: &meta.title,
            url: format!("{}{}", self.url_prefix, meta.url_path),
            source: &meta.path,
            tags: &meta.tags,
            date: meta.date,
            updated: meta.updated,
            last_updated: self.site.last_updated(&meta.path),
        }
    }

    fn text(&self, meta: &'a Meta) -> Text<'a> {
        let key = meta.key();
        let body = self.bodies.get(&key);
        let mut links_to: Vec<Link<'a>> = Vec::new();
        for target in body.map_or(&[][..], |b| b.links.as_slice()) {
            let link = Link {
                kind: target.kind,
                slug: &target.slug,
            };
            if !links_to.contains(&link) {
                links_to.push(link);
            }
        }
        Text {
            summary: body.map_or("", |b| b.summary.as_str()),
            body_markdown: meta.body().trim_start_matches(['\r', '\n']).trim_end(),
            links_to,
            linked_from: self.linked_from.get(&key).cloned().unwrap_or_default(),
            extra: &meta.extra,
        }
    }
}

fn team_data<'a>(team: &'a Team, input: &DataInput<'a>) -> TeamData<'a> {
    let slug = team.meta.slug.as_str();
    let content = input.content;
    let relations = &content.relations;
    let i = content.position(Kind::Team, slug).unwrap_or(usize::MAX);
    let of = |lists: &'a [Vec<usize>]| lists.get(i).map_or(&[][..], Vec::as_slice);
    let made: Vec<&Commitment> = of(&relations.made).iter().map(|c| &content.commitments[*c]).collect();
    let received: Vec<&Commitment> = of(&relations.received)
        .iter()
        .map(|c| &content.commitments[*c])
        .collect();
    let owns = of(&relations.owns).iter().map(|t| content.terms[*t].meta.slug.as_str());
    let reads = of(&relations.reads)
        .iter()
        .map(|t| content.terms[*t].meta.slug.as_str());
    let stories = of(&relations.credited)
        .iter()
        .map(|s| content.stories[*s].meta.slug.as_str());
    TeamData {
        common: input.common(&team.meta),
        short: team.short.as_deref(),
        color: input
            .colors
            .get(slug)
            .map_or_else(|| team.color.clone().unwrap_or_default(), |c| (*c).to_string()),
        lead: team.lead.as_deref(),
        members: &team.members,
        score: input.scores.team(slug),
        made: counts(made.iter().map(|c| c.derived.state)),
        received: counts(received.iter().map(|c| c.derived.state)),
        commitments_made: slugs(made.iter().map(|c| c.meta.slug.as_str())),
        commitments_received: slugs(received.iter().map(|c| c.meta.slug.as_str())),
        owns: slugs(owns),
        reads: slugs(reads),
        stories: slugs(stories),
        text: input.text(&team.meta),
    }
}

fn term_data<'a>(term: &'a Term, input: &DataInput<'a>) -> TermData<'a> {
    let distinct: std::collections::HashSet<String> = term
        .definitions
        .iter()
        .map(|r| r.text.trim().to_lowercase())
        .filter(|text| !text.is_empty())
        .collect();
    TermData {
        common: input.common(&term.meta),
        acronym: term.acronym.as_deref(),
        aliases: &term.aliases,
        owner: term.owner.as_ref().map(|o| o.slug.as_str()),
        definitions: term
            .definitions
            .iter()
            .map(|r| TeamText {
                team: &r.team.slug,
                text: &r.text,
            })
            .collect(),
        readings_differ: distinct.len() >= 2,
        related: term.related.iter().map(|r| r.slug.as_str()).collect(),
        text: input.text(&term.meta),
    }
}

fn story_data<'a>(story: &'a Story, input: &DataInput<'a>) -> StoryData<'a> {
    StoryData {
        common: Common {
            date: Some(story.date),
            ..input.common(&story.meta)
        },
        customer: story.customer.as_deref(),
        outcome: story.outcome.as_deref(),
        teams: story.teams.iter().map(|t| t.slug.as_str()).collect(),
        contributions: story
            .contributions
            .iter()
            .map(|c| TeamText {
                team: &c.team.slug,
                text: &c.text,
            })
            .collect(),
        commitments: story.commitments.iter().map(|c| c.slug.as_str()).collect(),
        score: input.scores.story(&story.meta.slug),
        text: input.text(&story.meta),
    }
}

fn commitment_data<'a>(c: &'a Commitment, input: &DataInput<'a>) -> CommitmentData<'a> {
    let slug = c.meta.slug.as_str();
    let content = input.content;
    let stories = content
        .position(Kind::Commitment, slug)
        .and_then(|i| content.relations.delivered_by.get(i))
        .into_iter()
        .flatten()
        .map(|s| content.stories[*s].meta.slug.as_str());
    CommitmentData {
        common: input.common(&c.meta),
        owner: &c.owner.slug,
        to: c.to.iter().map(|t| t.slug.as_str()).collect(),
        to_external: &c.to_external,
        promised: c.promised,
        due: c.due,
        delivered: c.delivered,
        closed: c.closed,
        reason: c.reason.as_deref(),
        status: c.status.map(Status::name),
        revisions: c
            .revisions
            .iter()
            .map(|r| RevisionData {
                date: r.date,
                new_due: r.new_due,
                reason: &r.reason,
            })
            .collect(),
        satisfaction: c.satisfaction,
        state: c.derived.state.name(),
        effective_due: c.derived.effective_due,
        ended: c.derived.ended,
        days_late: c.derived.days_late,
        slips: c.derived.slips,
        score: input.scores.commitment(slug),
        stories: slugs(stories),
        quiet_changes: &c.quiet_changes,
        text: input.text(&c.meta),
    }
}

/// Slugs, sorted and without repeats.
fn slugs<'a>(iter: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut list: Vec<&str> = iter.collect();
    list.sort_unstable();
    list.dedup();
    list
}

/// Pretty JSON with a final newline. Serialising these plain structs cannot
/// fail (string keys, no custom serialisers that error).
fn json_file<T: Serialize>(path: &str, data: &T) -> OutputFile {
    let mut bytes = serde_json::to_vec_pretty(data).unwrap_or_default();
    bytes.push(b'\n');
    OutputFile {
        path: path.to_string(),
        bytes,
    }
}
