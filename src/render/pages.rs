//! The pages a site has, and the template and context of each.
//!
//! [`plan`] lists every page as a [`PageJob`]; [`context`] gives a job its
//! template and template context from the shared [`Views`]. Jobs are
//! independent of each other, so they render in parallel, and a job names
//! its page by item key or list, so the dev server can re-render just the
//! jobs a change touches.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use minijinja::{Value, context};
use serde::Serialize;

use crate::config::RepoConfig;
use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::git::{self, GitInfo};
use crate::model::{Content, ItemKey, Kind, State};
use crate::render::lists::{self, ListKey, page_count, page_path, paginator};
use crate::render::markdown::RenderedBody;
use crate::render::reader::{self, GapsCache, ReaderInput};
use crate::render::record::{self, RecordInput};
use crate::render::usage::Usage;
use crate::render::view::{ItemLink, StateGroup, ViewInput, Views, group_by_state, index_letter, item_link, to_value};
use crate::score::{Hook, ScoreBook};

/// One page of the site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageJob {
    Home,
    /// Page `n` (from 1) of the glossary, A–Z.
    Glossary(usize),
    Teams,
    /// Page `n` of the stories, newest first.
    Stories(usize),
    Commitments,
    /// How each score is computed: the hooks and their doc comments.
    Scoring,
    /// Every team's happiness index and the trust matrix between teams.
    Happiness,
    /// Page `n` of the vocabulary gaps (the matrix has pages; the lists
    /// above it are on the first).
    Gaps(usize),
    /// Full search results for `?q=`, drawn by `search.js`.
    Search,
    /// Every quiet change git history shows in the commitment records
    /// (see `render::record`).
    Ledger(usize),
    /// The page of one item (team, term, story, commitment or plain page).
    Item(ItemKey),
    /// A folder of plain pages that has no `_index.md`: a generated list.
    Folder(String),
    /// Page `n` of a long list ([`lists`]).
    List(ListKey, usize),
    NotFound,
}

impl PageJob {
    /// The URL path of the page relative to the base path.
    pub fn url_path(&self) -> String {
        match self {
            PageJob::Home => String::new(),
            PageJob::Glossary(n) => page_path("glossary/", *n),
            PageJob::Teams => "teams/".into(),
            PageJob::Stories(n) => page_path("stories/", *n),
            PageJob::Commitments => "commitments/".into(),
            PageJob::Scoring => "scores/".into(),
            PageJob::Happiness => "happiness/".into(),
            PageJob::Gaps(n) => page_path("gaps/", *n),
            PageJob::Search => "search/".into(),
            PageJob::Ledger(n) => page_path("ledger/", *n),
            PageJob::Item(key) => match key.kind {
                Kind::Page => key.slug.clone(),
                kind => format!("{}/{}/", kind.section(), key.slug),
            },
            PageJob::Folder(url_path) => url_path.clone(),
            PageJob::List(list, n) => page_path(&list.url_path(), *n),
            PageJob::NotFound => "404.html".into(),
        }
    }

    /// Where the page is written in the output.
    pub fn output_path(&self) -> String {
        match self {
            PageJob::NotFound => "404.html".into(),
            _ => format!("{}index.html", self.url_path()),
        }
    }

    pub fn in_sitemap(&self) -> bool {
        !matches!(self, PageJob::NotFound)
    }
}

/// How many of the most used unread terms the first gaps page shows; the
/// rest are on each team's list of words it uses without a reading.
const UNREAD_ON_GAPS: usize = 30;

/// How many items a page shows of list `key` before linking to the whole
/// list; the list has pages of its own only when it is longer.
pub(crate) fn preview(key: &ListKey) -> usize {
    match key {
        // Every pair has its page: the trust matrix links each cell to it.
        ListKey::Pair(..) => 0,
        // The team page shows this many per state: the list has pages as
        // soon as one state has more.
        ListKey::Made(_) | ListKey::Received(_) => lists::TEAM_PREVIEW,
        ListKey::Credited(_) => 6,
        ListKey::Owns(_) | ListKey::UsedIn(_) => 20,
        ListKey::Reads(_) | ListKey::Undefined(_) => 10,
        // The home page shows this many overdue and at-risk promises, the
        // board this many of each state.
        ListKey::State(_) => HOME_ATTENTION,
        // The whole list is every team's list put together: the gaps page
        // shows its start and links to each team's.
        ListKey::Unread => usize::MAX,
        ListKey::Unowned => 30,
    }
}

/// How long list `key` is.
pub(crate) fn list_len(key: &ListKey, input: &ReaderInput<'_>) -> usize {
    let content = input.content;
    let team = |slug: &str| content.position(Kind::Team, slug);
    let of = |lists: &[Vec<usize>], slug: &str| team(slug).and_then(|i| lists.get(i)).map_or(0, Vec::len);
    let relations = &content.relations;
    match key {
        ListKey::State(state) => content.commitments.iter().filter(|c| c.derived.state == *state).count(),
        ListKey::Made(t) => of(&relations.made, t),
        ListKey::Received(t) => of(&relations.received, t),
        ListKey::Credited(t) => of(&relations.credited, t),
        ListKey::Owns(t) => of(&relations.owns, t),
        ListKey::Reads(t) => of(&relations.reads, t),
        ListKey::Undefined(t) => team(t).map_or(0, |i| reader::vocabulary::team_unread(input, i, 0, 0).1),
        ListKey::Pair(o, r) => lists::pair(content, o, r).len(),
        ListKey::UsedIn(t) => content
            .position(Kind::Term, t)
            .map(|i| input.views.term_used_in_count(i))
            .unwrap_or(0),
        ListKey::Unread => reader::vocabulary::vocabulary_gaps(input).unread.len(),
        ListKey::Unowned => reader::vocabulary::vocabulary_gaps(input).unowned.len(),
    }
}

/// The list's URL when it has pages of its own (it is longer than its
/// preview), else `None`.
pub(crate) fn list_url(key: &ListKey, input: &ReaderInput<'_>) -> Option<String> {
    (list_len(key, input) > preview(key)).then(|| format!("{}{}", input.base_path, key.url_path()))
}

/// Every page of list `key`, when it has pages of its own.
pub(crate) fn list_pages(key: &ListKey, input: &ReaderInput<'_>) -> Vec<PageJob> {
    list_jobs(key, input)
}

fn list_jobs(key: &ListKey, input: &ReaderInput<'_>) -> Vec<PageJob> {
    jobs_of(key, list_len(key, input))
}

/// The pages of list `key` of `len` items: none unless it is longer than
/// its preview.
fn jobs_of(key: &ListKey, len: usize) -> Vec<PageJob> {
    if len == 0 || len <= preview(key) {
        return Vec::new();
    }
    (1..=page_count(len, lists::PER_PAGE))
        .map(|n| PageJob::List(key.clone(), n))
        .collect()
}

/// Every list that may have pages of its own, with its length, computed
/// together (the gaps once for all).
fn all_lists(input: &ReaderInput<'_>) -> Vec<(ListKey, usize)> {
    let content = input.content;
    let relations = &content.relations;
    let gaps = reader::vocabulary::vocabulary_gaps(input);
    let mut out: Vec<(ListKey, usize)> = State::ALL
        .iter()
        .map(|s| (ListKey::State(*s), list_len(&ListKey::State(*s), input)))
        .collect();
    for (i, team) in content.teams.iter().enumerate() {
        let slug = team.meta.slug.clone();
        let undefined = gaps.by_team.get(i).map_or(0, Vec::len);
        out.extend([
            (ListKey::Made(slug.clone()), relations.made[i].len()),
            (ListKey::Received(slug.clone()), relations.received[i].len()),
            (ListKey::Credited(slug.clone()), relations.credited[i].len()),
            (ListKey::Owns(slug.clone()), relations.owns[i].len()),
            (ListKey::Reads(slug.clone()), relations.reads[i].len()),
            (ListKey::Undefined(slug), undefined),
        ]);
    }
    for (owner, recipient) in pairs(content) {
        let key = ListKey::Pair(owner, recipient);
        let len = list_len(&key, input);
        out.push((key, len));
    }
    for term in &content.terms {
        let key = ListKey::UsedIn(term.meta.slug.clone());
        let len = list_len(&key, input);
        out.push((key, len));
    }
    out.push((ListKey::Unread, gaps.unread.len()));
    out.push((ListKey::Unowned, gaps.unowned.len()));
    out
}

/// Every pair of teams with a promise from the first to the second.
fn pairs(content: &Content) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for c in &content.commitments {
        for to in &c.to {
            if to.slug != c.owner.slug
                && content.contains(Kind::Team, &to.slug)
                && content.contains(Kind::Team, &c.owner.slug)
            {
                out.insert((c.owner.slug.clone(), to.slug.clone()));
            }
        }
    }
    out
}

/// The pages that show the card of `key` (its summary, state, score...),
/// besides its own page: what must be redrawn when only that card changed.
/// Keep in step with the list contexts in [`context`].
pub(crate) fn pages_showing_card(key: &ItemKey, input: &ReaderInput<'_>) -> Vec<PageJob> {
    let content = input.content;
    let team_page = |slug: &str| PageJob::Item(ItemKey::new(Kind::Team, slug));
    let mut jobs = match key.kind {
        // The happiness page charts every team's index.
        Kind::Team => vec![PageJob::Home, PageJob::Teams, PageJob::Scoring, PageJob::Happiness],
        Kind::Term => {
            let mut jobs = Vec::new();
            if let Some(i) = content.position(Kind::Term, &key.slug) {
                jobs.push(PageJob::Glossary(i / lists::GLOSSARY_PER_PAGE + 1));
                let term = &content.terms[i];
                if let Some(owner) = &term.owner {
                    jobs.extend(list_jobs(&ListKey::Owns(owner.slug.clone()), input));
                }
                for reading in &term.definitions {
                    jobs.extend(list_jobs(&ListKey::Reads(reading.team.slug.clone()), input));
                }
            }
            jobs
        }
        Kind::Story => {
            let mut jobs = vec![PageJob::Home];
            if let Some(i) = content.position(Kind::Story, &key.slug) {
                jobs.push(PageJob::Stories(i / lists::STORIES_PER_PAGE + 1));
                for team in &content.stories[i].teams {
                    jobs.push(team_page(&team.slug));
                    jobs.extend(list_jobs(&ListKey::Credited(team.slug.clone()), input));
                }
            }
            jobs
        }
        Kind::Commitment => {
            let mut jobs = vec![PageJob::Home, PageJob::Commitments];
            if let Some(i) = content.position(Kind::Commitment, &key.slug) {
                let c = &content.commitments[i];
                jobs.extend(list_jobs(&ListKey::State(c.derived.state), input));
                jobs.push(team_page(&c.owner.slug));
                jobs.extend(list_jobs(&ListKey::Made(c.owner.slug.clone()), input));
                for to in &c.to {
                    jobs.push(team_page(&to.slug));
                    jobs.extend(list_jobs(&ListKey::Received(to.slug.clone()), input));
                    jobs.extend(list_jobs(&ListKey::Pair(c.owner.slug.clone(), to.slug.clone()), input));
                }
                jobs.extend(
                    content.relations.delivered_by[i]
                        .iter()
                        .map(|s| PageJob::Item(content.stories[*s].meta.key())),
                );
            }
            jobs
        }
        // Folder pages list their children by title only.
        Kind::Page => Vec::new(),
    };
    jobs.sort();
    jobs.dedup();
    jobs
}

/// Each team with uses of terms without a reading: its link, how many, and
/// where its whole list is (its own list's page, or its team page).
fn unread_by_team(gaps: &reader::vocabulary::VocabularyGaps, input: &ReaderInput<'_>) -> Vec<Value> {
    gaps.teams
        .iter()
        .zip(&gaps.by_team)
        .filter_map(|(team, positions)| {
            let count = positions.len();
            (count > 0).then(|| {
                let url = list_url(&ListKey::Undefined(team.slug.clone()), input)
                    .unwrap_or_else(|| format!("{}#undefined", team.url));
                context! { team => to_value(team), count, url }
            })
        })
        .collect()
}

/// How many overdue and at-risk cards the home page shows of each.
const HOME_ATTENTION: usize = 6;

/// The pages every site has, whatever its content.
const SITE_PAGES: [PageJob; 6] = [
    PageJob::Home,
    PageJob::Teams,
    PageJob::Commitments,
    PageJob::Scoring,
    PageJob::Happiness,
    PageJob::Search,
];

/// Whether `meta`'s item has a page of its own: the home text and list
/// intros are shown on their list pages instead.
fn has_own_page(meta: &crate::model::Meta) -> bool {
    !(meta.kind == Kind::Page && (meta.url_path.is_empty() || is_list_intro(&meta.url_path)))
}

/// Every page of the site, sorted.
pub(crate) fn plan(input: &ReaderInput<'_>) -> Vec<PageJob> {
    let content = input.content;
    let mut jobs = SITE_PAGES.to_vec();
    jobs.push(PageJob::NotFound);
    let quiet = record::listed_quiet(content, input.ledger).count();
    jobs.extend((1..=page_count(quiet, record::LEDGER_PER_PAGE)).map(PageJob::Ledger));
    jobs.extend((1..=page_count(content.terms.len(), lists::GLOSSARY_PER_PAGE)).map(PageJob::Glossary));
    jobs.extend((1..=page_count(content.stories.len(), lists::STORIES_PER_PAGE)).map(PageJob::Stories));
    let rows = reader::vocabulary::vocabulary_gaps(input).rows.len();
    jobs.extend((1..=page_count(rows, lists::MATRIX_PER_PAGE)).map(PageJob::Gaps));
    for item in content.items() {
        let meta = item.meta();
        if !has_own_page(meta) {
            continue;
        }
        jobs.push(PageJob::Item(meta.key()));
    }
    for folder in folders_without_page(content) {
        jobs.push(PageJob::Folder(folder));
    }
    let mut generated: HashSet<String> = HashSet::new();
    for (key, len) in all_lists(input) {
        generated.insert(key.url_path());
        jobs.extend(jobs_of(&key, len));
    }
    generated.extend(jobs.iter().filter(|j| !is_content_page(j)).map(PageJob::url_path));
    // A page of the site's own at a URL rapport generates (a commitment
    // named `open`, `content/gaps/unowned.md`) is left out: `collisions`
    // reports it.
    jobs.retain(|job| !is_content_page(job) || !generated.contains(&job.url_path()));
    jobs.sort();
    jobs
}

fn is_content_page(job: &PageJob) -> bool {
    matches!(job, PageJob::Item(_) | PageJob::Folder(_))
}

/// The site's own pages whose URL rapport generates for a page or a list
/// of its own, whether or not that list is long enough to have pages now:
/// each is an error at its file, and is left out of the plan.
pub(crate) fn collisions(input: &ReaderInput<'_>) -> Vec<Diagnostic> {
    let content = input.content;
    let mut generated: HashMap<String, String> = all_lists(input)
        .into_iter()
        .map(|(key, _)| (key.url_path(), format!("the list at `/{}`", key.url_path())))
        .collect();
    let first_pages = [
        PageJob::Glossary(1),
        PageJob::Stories(1),
        PageJob::Gaps(1),
        PageJob::Ledger(1),
    ];
    for job in SITE_PAGES.into_iter().chain(first_pages) {
        generated.insert(job.url_path(), format!("the page at `/{}`", job.url_path()));
    }
    let mut out = Vec::new();
    for item in content.items() {
        let meta = item.meta();
        if !has_own_page(meta) {
            continue;
        }
        let url = PageJob::Item(meta.key()).url_path();
        if let Some(what) = generated.get(&url) {
            out.push(
                Diagnostic::error(
                    &meta.path,
                    format!("this file's page would be at `/{url}`, where rapport writes {what}"),
                )
                .at(1, 1)
                .hint("rename the file: its name decides its URL"),
            );
        }
    }
    out
}

/// Whether the page at `url_path` is the intro of a list page.
pub(crate) fn is_list_intro(url_path: &str) -> bool {
    matches!(
        url_path,
        "glossary/" | "teams/" | "stories/" | "commitments/" | "happiness/" | "gaps/" | "ledger/"
    )
}

/// Folders holding plain pages (at any depth) with no page of their own.
fn folders_without_page(content: &Content) -> BTreeSet<String> {
    let mut folders = BTreeSet::new();
    for page in &content.pages {
        let mut path = page.meta.url_path.trim_end_matches('/');
        while let Some((parent, _)) = path.rsplit_once('/') {
            folders.insert(format!("{parent}/"));
            path = parent;
        }
    }
    folders.retain(|f| content.page(f).is_none() && !is_list_intro(f));
    folders
}

/// The links a folder page lists: its pages and its sub-folders.
pub(crate) fn children(content: &Content, folder: &str, base_path: &str) -> Vec<ItemLink> {
    let mut out: BTreeMap<String, ItemLink> = BTreeMap::new();
    for page in &content.pages {
        let Some(rest) = page.meta.url_path.strip_prefix(folder) else {
            continue;
        };
        if rest.is_empty() {
            continue;
        }
        let first = rest.split('/').next().unwrap_or(rest);
        let child_path = format!("{folder}{first}/");
        if child_path == page.meta.url_path {
            out.insert(
                child_path.clone(),
                item_link(
                    Kind::Page,
                    &page.meta.slug,
                    &page.meta.title,
                    &format!("{base_path}{child_path}"),
                ),
            );
        } else {
            out.entry(child_path.clone()).or_insert_with(|| {
                let title = content
                    .page(&child_path)
                    .map_or_else(|| folder_title(&child_path), |p| p.meta.title.clone());
                item_link(Kind::Page, &child_path, &title, &format!("{base_path}{child_path}"))
            });
        }
    }
    let mut list: Vec<ItemLink> = out.into_values().collect();
    list.sort_by_key(|l| l.title.to_lowercase());
    list
}

/// "travel-and-leave/" -> "Travel and leave".
pub(crate) fn folder_title(url_path: &str) -> String {
    let last = url_path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let words = last.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What every page template receives as `page`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PageMeta {
    pub title: String,
    pub url: String,
    /// `home`, `glossary`, `teams`, `stories`, `commitments`, `happiness`,
    /// `gaps`, `scores`, `search`, `team`, `term`, `story`, `commitment`,
    /// `page`, `section`, `404`.
    pub kind: &'static str,
    pub description: String,
    /// The nav section this page belongs to, for highlighting.
    pub section: &'static str,
    /// The source file, relative to the site root, when there is one.
    pub source: Option<String>,
    /// When the source file last changed, from git history; `None` outside
    /// git, for files git does not know, and for pages without a source.
    pub updated: Option<Date>,
    /// "Edit this page": the source file on the forge, from `[repo]` in
    /// `rapport.toml`; `None` without it or without a source.
    pub edit_url: Option<String>,
}

/// A template name and its context for one job.
pub(crate) struct PageContext {
    pub template: &'static str,
    pub context: Value,
}

/// The data shared by every page's context.
pub(crate) struct ContextInput<'a> {
    pub content: &'a Content,
    /// The rendered bodies, for the full views not kept ([`Views::story`]).
    pub bodies: &'a HashMap<ItemKey, RenderedBody>,
    pub scores: &'a ScoreBook,
    pub views: &'a Views,
    /// Which terms each team uses.
    pub usage: &'a Usage,
    pub gaps: &'a GapsCache,
    pub site: &'a Value,
    pub base_path: &'a str,
    /// Git dates and the site's place in the repository.
    pub git: &'a GitInfo,
    /// `[repo]` of the config, for edit links.
    pub repo: &'a RepoConfig,
    /// The build's today, for the charts of open commitments.
    pub today: Date,
}

/// The template and context of `job`, or `None` if its item is gone.
pub(crate) fn context(job: &PageJob, input: &ContextInput<'_>) -> Option<PageContext> {
    let ContextInput {
        content,
        bodies,
        scores,
        views,
        usage,
        gaps,
        site,
        base_path,
        git,
        repo,
        today,
    } = *input;
    let reader = ReaderInput {
        content,
        scores,
        views,
        usage,
        gaps,
        base_path,
        today,
        ledger: &git.ledger,
    };
    let ledger = RecordInput {
        ledger: &git.ledger,
        content,
        repo,
        base_path,
    };
    let view_input = ViewInput {
        content,
        bodies,
        scores,
        base_path,
    };
    let url = format!("{base_path}{}", job.url_path());
    let intro = |path: &str| {
        content
            .position(Kind::Page, path)
            .map(|i| views.pages[i].clone())
            .unwrap_or(Value::UNDEFINED)
    };
    let meta = |title: &str, kind: &'static str, section: &'static str, description: &str, source: Option<&str>| {
        to_value(PageMeta {
            title: title.to_string(),
            url: url.clone(),
            kind,
            description: description.to_string(),
            section,
            source: source.map(str::to_string),
            updated: source.and_then(|s| git.dates.get(s).copied()),
            edit_url: source.and_then(|s| git::edit_url(repo, &git.prefix, s)),
        })
    };
    let (template, ctx) = match job {
        PageJob::Home => {
            let home = content.page("");
            let title = home.map_or("Home", |p| p.meta.title.as_str());
            // What needs attention: the first overdue and at-risk cards.
            let mut attention = Vec::new();
            let mut more = Vec::new();
            for state in [State::Overdue, State::AtRisk] {
                let list = lists::in_state(content, state);
                attention.extend(
                    list.iter()
                        .take(preview(&ListKey::State(state)))
                        .filter_map(|c| views.cards.values.commitments.get(*c).cloned()),
                );
                if let Some(url) = list_url(&ListKey::State(state), &reader) {
                    more.push(context! { label => state.label(), count => list.len(), url });
                }
            }
            (
                "home.html",
                context! {
                    site, page => meta(title, "home", "home", "", home.map(|p| p.meta.path.as_str())),
                    intro => intro(""),
                    stories => views.cards.values.stories.iter().take(3).cloned().collect::<Vec<_>>(),
                    attention, attention_more => more,
                    teams => views.cards.values.teams.clone(),
                    term_count => content.terms.len(),
                    story_count => content.stories.len(),
                    commitment_count => content.commitments.len(),
                },
            )
        }
        PageJob::Glossary(n) => {
            let total = content.terms.len();
            let per = lists::GLOSSARY_PER_PAGE;
            let first = (n - 1) * per;
            let cards: Vec<Value> = lists::page_of(&views.cards.values.terms, *n, per);
            let page_terms = content.terms.iter().skip(first).take(per);
            (
                "glossary.html",
                context! {
                    site, page => meta("Glossary", "glossary", "glossary", "The shared vocabulary: every term, its owner and how each team reads it.", None),
                    intro => if *n == 1 { intro("glossary/") } else { Value::UNDEFINED },
                    letters => to_value(letters(page_terms.zip(&cards))),
                    jump => to_value(letter_jump(content, base_path)),
                    terms => cards,
                    paginator => to_value(paginator(base_path, "glossary/", *n, total, per)),
                },
            )
        }
        PageJob::Teams => (
            "teams.html",
            context! {
                site, page => meta("Teams", "teams", "teams", "Every team: what it owns, what it promised and how it delivered.", None),
                intro => intro("teams/"),
                teams => views.cards.values.teams.clone(),
            },
        ),
        PageJob::Stories(n) => {
            let per = lists::STORIES_PER_PAGE;
            let (years, filter) = reader::stories_value(&reader, (n - 1) * per, per);
            (
                "stories.html",
                context! {
                    site, page => meta("Success stories", "stories", "stories", "Wins we share: every story credits each team that contributed.", None),
                    intro => if *n == 1 { intro("stories/") } else { Value::UNDEFINED },
                    stories => lists::page_of(&views.cards.values.stories, *n, per),
                    years, filter,
                    paginator => to_value(paginator(base_path, "stories/", *n, content.stories.len(), per)),
                },
            )
        }
        PageJob::Commitments => {
            let groups: Vec<Value> = board(content, views)
                .into_iter()
                .map(|group| {
                    let state = State::ALL.iter().find(|s| s.name() == group.state).copied();
                    let total = group.items.len();
                    let more = state.and_then(|s| list_url(&ListKey::State(s), &reader));
                    let shown: Vec<Value> = group
                        .items
                        .into_iter()
                        .take(preview(&ListKey::State(State::Open)))
                        .collect();
                    context! { state => group.state, label => group.label, items => shown, total, more }
                })
                .collect();
            (
                "commitments.html",
                context! {
                    site, page => meta("Commitments", "commitments", "commitments", "What each team promised, to whom and for when, and whether it delivered.", None),
                    intro => intro("commitments/"),
                    board => groups,
                    timeline => reader::timeline_value(&reader),
                },
            )
        }
        PageJob::Item(key) => {
            let i = content.position(key.kind, &key.slug)?;
            match key.kind {
                Kind::Team => {
                    let t = &content.teams[i];
                    let team = views.team(i, &view_input);
                    let (charts, vocabulary) = reader::team_value(&reader, i);
                    let slug = &t.meta.slug;
                    let more = context! {
                        made => list_url(&ListKey::Made(slug.clone()), &reader),
                        received => list_url(&ListKey::Received(slug.clone()), &reader),
                        stories => list_url(&ListKey::Credited(slug.clone()), &reader),
                        owns => list_url(&ListKey::Owns(slug.clone()), &reader),
                        reads => list_url(&ListKey::Reads(slug.clone()), &reader),
                        undefined => list_url(&ListKey::Undefined(slug.clone()), &reader),
                    };
                    let totals = context! { reads => list_len(&ListKey::Reads(slug.clone()), &reader) };
                    let previews = context! {
                        made => preview(&ListKey::Made(String::new())),
                        stories => preview(&ListKey::Credited(String::new())),
                        owns => preview(&ListKey::Owns(String::new())),
                        reads => preview(&ListKey::Reads(String::new())),
                    };
                    (
                        "team.html",
                        context! { site, page => meta(&t.meta.title, "team", "teams", &first_line(&team), Some(&t.meta.path)), team, charts, vocabulary, more, totals, preview => previews, ledger => to_value(record::team_ledger(&ledger, &t.meta.slug)) },
                    )
                }
                Kind::Term => {
                    let t = &content.terms[i];
                    let term = views.term(i, &view_input);
                    let used_in_more = list_url(&ListKey::UsedIn(t.meta.slug.clone()), &reader);
                    // The glossary page that lists the term, at its letter.
                    let letter = index_letter(&t.meta.title);
                    let anchor = if letter == "#" {
                        "other".to_string()
                    } else {
                        letter.to_lowercase()
                    };
                    let letter_url = format!(
                        "{base_path}{}#letter-{anchor}",
                        page_path("glossary/", i / lists::GLOSSARY_PER_PAGE + 1)
                    );
                    (
                        "term.html",
                        context! { site, page => meta(&t.meta.title, "term", "glossary", &first_line(&term), Some(&t.meta.path)), term, used_in_preview => preview(&ListKey::UsedIn(String::new())), used_in_more, letter_url },
                    )
                }
                Kind::Story => {
                    let s = &content.stories[i];
                    let story = views.story(i, &view_input);
                    (
                        "story.html",
                        context! { site, page => meta(&s.meta.title, "story", "stories", &first_line(&story), Some(&s.meta.path)), story },
                    )
                }
                Kind::Commitment => {
                    let c = &content.commitments[i];
                    let commitment = views.commitment(i, &view_input);
                    (
                        "commitment.html",
                        context! { site, page => meta(&c.meta.title, "commitment", "commitments", &first_line(&commitment), Some(&c.meta.path)), commitment, history => reader::history_value(&reader, i), record => to_value(record::commitment_record(&ledger, &c.meta.path)) },
                    )
                }
                Kind::Page => {
                    let p = &content.pages[i];
                    let kind = if p.is_section { "section" } else { "page" };
                    let template = if p.is_section { "section.html" } else { "page.html" };
                    (
                        template,
                        context! {
                            site, page => meta(&p.meta.title, kind, "", &first_line(&views.pages[i]), Some(&p.meta.path)),
                            content => views.pages[i].clone(),
                            children => to_value(if p.is_section { children(content, &p.meta.url_path, base_path) } else { Vec::new() }),
                        },
                    )
                }
            }
        }
        PageJob::Folder(folder) => (
            "section.html",
            context! {
                site, page => meta(&folder_title(folder), "section", "", "", None),
                content => Value::UNDEFINED,
                children => to_value(children(content, folder, base_path)),
            },
        ),
        PageJob::Scoring => (
            "scores.html",
            context! {
                site, page => meta("How scores are computed", "scores", "", "Every score on this site comes from a script the teams maintain: here is what each one counts.", None),
                hooks => to_value(hook_views(scores)),
                teams => views.cards.values.teams.clone(),
            },
        ),
        PageJob::Happiness => {
            let (happiness, trust) = reader::happiness_value(&reader);
            (
                "happiness.html",
                context! {
                    site, page => meta("Happiness and trust", "happiness", "happiness", "How the teams we promise things to fare with our promises, month by month, and which promises between teams are kept on time.", None),
                    intro => intro("happiness/"),
                    happiness, trust,
                },
            )
        }
        PageJob::Gaps(n) => {
            let gaps = reader::vocabulary::vocabulary_gaps(&reader);
            let per = lists::MATRIX_PER_PAGE;
            let unread_total = gaps.unread.len();
            let unowned_total = gaps.unowned.len();
            let rows_total = gaps.rows.len();
            let first_page = *n == 1;
            let value = context! {
                term_count => gaps.term_count,
                team_count => gaps.team_count,
                unread_total, unowned_total, rows_total,
                unread => if first_page { to_value(reader::vocabulary::unread_views(&reader, gaps.unread.iter().take(UNREAD_ON_GAPS))) } else { Value::UNDEFINED },
                unowned => if first_page { to_value(gaps.unowned.iter().take(preview(&ListKey::Unowned)).collect::<Vec<_>>()) } else { Value::UNDEFINED },
                unread_by_team => if first_page { Value::from(unread_by_team(&gaps, &reader)) } else { Value::UNDEFINED },
                unowned_more => list_url(&ListKey::Unowned, &reader),
                teams => to_value(&gaps.teams),
                rows => to_value(reader::vocabulary::gap_rows(&reader, &lists::page_of(&gaps.rows, *n, per))),
            };
            (
                "gaps.html",
                context! {
                    site, page => meta("Vocabulary gaps", "gaps", "glossary", "Where a team uses a word without having said what it means by it, and the terms no team owns.", None),
                    intro => if first_page { intro("gaps/") } else { Value::UNDEFINED },
                    gaps => value,
                    paginator => to_value(paginator(base_path, "gaps/", *n, rows_total, per)),
                },
            )
        }
        PageJob::List(key, n) => {
            let list = lists::list_items(key, &reader, *n)?;
            let per = lists::PER_PAGE;
            (
                "list.html",
                context! {
                    site, page => meta(&list.title, "list", key.section(), &list.description, None),
                    list => context! {
                        kind => list.kind,
                        note => list.note,
                        items => list.items,
                        total => list.total,
                        parent => context! { title => list.parent.0, url => format!("{base_path}{}", list.parent.1) },
                    },
                    paginator => to_value(paginator(base_path, &key.url_path(), *n, list.total, per)),
                },
            )
        }
        PageJob::Search => (
            "search.html",
            context! { site, page => meta("Search", "search", "", "Search the glossary, teams, success stories, commitments and pages.", None) },
        ),
        PageJob::Ledger(n) => {
            let view = record::ledger_page(&ledger, *n);
            (
                "ledger.html",
                context! {
                    site, page => meta("Ledger", "ledger", "commitments", "Changes to the commitment records that rewrote a promise instead of adding to it, from git history.", None),
                    intro => if *n == 1 { intro("ledger/") } else { Value::UNDEFINED },
                    paginator => to_value(paginator(base_path, "ledger/", *n, view.quiet_total, record::LEDGER_PER_PAGE)),
                    ledger => to_value(view),
                },
            )
        }
        PageJob::NotFound => (
            "404.html",
            context! { site, page => meta("Page not found", "404", "", "", None) },
        ),
    };
    Some(PageContext { template, context: ctx })
}

/// What the scores page shows about one hook.
#[derive(Debug, Clone, Serialize)]
struct HookView {
    /// The hook's name, also the page anchor (`#score_commitment`).
    hook: &'static str,
    /// What its result is called on the site ("Reliability").
    label: &'static str,
    /// The parameters it takes, as written in scripts.
    signature: String,
    script: String,
    /// The doc comment: paragraphs, and lists where lines start with `- `.
    doc: Vec<DocBlock>,
}

#[derive(Debug, Clone, Serialize)]
struct DocBlock {
    /// A bulleted list rather than a paragraph.
    list: bool,
    /// The paragraph's text, or the list's items.
    lines: Vec<String>,
}

/// The scoring hooks the scripts define, in the order docs/scripting.md
/// lists them (`lint` gives warnings, not scores).
fn hook_views(scores: &ScoreBook) -> Vec<HookView> {
    Hook::ALL
        .iter()
        .filter(|hook| **hook != Hook::Lint)
        .filter_map(|hook| {
            let explanation = scores.explanations.get(hook.name())?;
            Some(HookView {
                hook: hook.name(),
                label: hook.label(),
                signature: format!("{}({})", hook.name(), hook.params().join(", ")),
                script: explanation.script.clone(),
                doc: doc_blocks(&explanation.doc),
            })
        })
        .collect()
}

/// Splits a doc comment into paragraphs and `- ` lists.
fn doc_blocks(doc: &str) -> Vec<DocBlock> {
    let mut blocks: Vec<DocBlock> = Vec::new();
    let mut fresh = true;
    for line in doc.lines().map(str::trim) {
        if line.is_empty() {
            fresh = true;
            continue;
        }
        let item = line.strip_prefix("- ").or_else(|| line.strip_prefix("* "));
        match (item, blocks.last_mut()) {
            (Some(item), Some(block)) if block.list && !fresh => block.lines.push(item.to_string()),
            (Some(item), _) => blocks.push(DocBlock {
                list: true,
                lines: vec![item.to_string()],
            }),
            (None, Some(block)) if !fresh => match block.lines.last_mut() {
                // A continuation line: of the list item, or of the paragraph.
                Some(last) => {
                    last.push(' ');
                    last.push_str(line);
                }
                None => block.lines.push(line.to_string()),
            },
            (None, _) => blocks.push(DocBlock {
                list: false,
                lines: vec![line.to_string()],
            }),
        }
        fresh = false;
    }
    blocks
}

fn first_line(view: &Value) -> String {
    view.get_attr("summary")
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .map(|s| {
            if s.chars().count() > 200 {
                let mut cut: String = s.chars().take(199).collect();
                cut.push('…');
                cut
            } else {
                s
            }
        })
        .unwrap_or_default()
}

/// Commitments by state, in board order.
fn board(content: &Content, views: &Views) -> Vec<StateGroup> {
    let items: Vec<(State, &Value)> = content
        .commitments
        .iter()
        .zip(&views.cards.values.commitments)
        .map(|(c, v)| (c.derived.state, v))
        .collect();
    group_by_state(&items)
}

#[derive(Debug, Clone, Serialize)]
struct Letter {
    letter: String,
    terms: Vec<Value>,
}

/// Terms grouped under their first letter, A–Z.
fn letters<'a>(terms: impl Iterator<Item = (&'a crate::model::Term, &'a Value)>) -> Vec<Letter> {
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (term, view) in terms {
        groups
            .entry(index_letter(&term.meta.title))
            .or_default()
            .push(view.clone());
    }
    groups
        .into_iter()
        .map(|(letter, terms)| Letter { letter, terms })
        .collect()
}

/// A letter of the glossary's jump list and where its first term is.
#[derive(Debug, Clone, Serialize)]
struct LetterLink {
    letter: String,
    url: String,
}

/// Every letter the glossary has, each with the URL of the page (and the
/// anchor) of its first term.
fn letter_jump(content: &Content, base_path: &str) -> Vec<LetterLink> {
    let mut out: Vec<LetterLink> = Vec::new();
    for (i, term) in content.terms.iter().enumerate() {
        let letter = index_letter(&term.meta.title);
        if out.iter().any(|l| l.letter == letter) {
            continue;
        }
        let anchor = if letter == "#" {
            "letter-other".to_string()
        } else {
            format!("letter-{}", letter.to_lowercase())
        };
        let page = page_path("glossary/", i / lists::GLOSSARY_PER_PAGE + 1);
        out.push(LetterLink {
            url: format!("{base_path}{page}#{anchor}"),
            letter,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_comments_become_paragraphs_and_lists() {
        let blocks = doc_blocks("First line\ncontinues.\n\n- on time: 100\n- late: less\n  per day\nAfter.");
        let shape: Vec<(bool, Vec<&str>)> = blocks
            .iter()
            .map(|b| (b.list, b.lines.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            shape,
            [
                (false, vec!["First line continues."]),
                (true, vec!["on time: 100", "late: less per day After."]),
            ]
        );
    }

    #[test]
    fn output_paths() {
        assert_eq!(PageJob::Home.output_path(), "index.html");
        assert_eq!(PageJob::NotFound.output_path(), "404.html");
        assert_eq!(
            PageJob::Item(ItemKey::new(Kind::Term, "mql")).output_path(),
            "glossary/mql/index.html"
        );
        assert_eq!(
            PageJob::Item(ItemKey::new(Kind::Page, "guides/x/")).output_path(),
            "guides/x/index.html"
        );
        assert_eq!(folder_title("handbook/travel-and-leave/"), "Travel and leave");
    }
}
