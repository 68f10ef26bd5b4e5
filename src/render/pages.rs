//! The pages a site has, and the template and context of each.
//!
//! [`plan`] lists every page as a [`PageJob`]; [`context`] gives a job its
//! template and template context from the shared [`Views`]. Jobs are
//! independent of each other, so they render in parallel, and a job names
//! its page by item key or list, so the dev server can re-render just the
//! jobs a change touches.

use std::collections::{BTreeMap, BTreeSet};

use minijinja::{Value, context};
use serde::Serialize;

use crate::config::RepoConfig;
use crate::date::Date;
use crate::git::{self, GitInfo};
use crate::model::{Content, ItemKey, Kind, State};
use crate::render::reader::{self, ReaderInput};
use crate::render::usage::Usage;
use crate::render::view::{ItemLink, StateGroup, Views, group_by_state, index_letter, item_link, to_value};
use crate::score::{Hook, ScoreBook};

/// One page of the site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageJob {
    Home,
    Glossary,
    Teams,
    Stories,
    Commitments,
    /// How each score is computed: the hooks and their doc comments.
    Scoring,
    /// Every team's happiness index and the trust matrix between teams.
    Happiness,
    /// Glossary terms with no owner, or read by one team or none.
    Gaps,
    /// Full search results for `?q=`, drawn by `search.js`.
    Search,
    /// The page of one item (team, term, story, commitment or plain page).
    Item(ItemKey),
    /// A folder of plain pages that has no `_index.md`: a generated list.
    Folder(String),
    NotFound,
}

impl PageJob {
    /// The URL path of the page relative to the base path.
    pub(crate) fn url_path(&self) -> String {
        match self {
            PageJob::Home => String::new(),
            PageJob::Glossary => "glossary/".into(),
            PageJob::Teams => "teams/".into(),
            PageJob::Stories => "stories/".into(),
            PageJob::Commitments => "commitments/".into(),
            PageJob::Scoring => "scores/".into(),
            PageJob::Happiness => "happiness/".into(),
            PageJob::Gaps => "gaps/".into(),
            PageJob::Search => "search/".into(),
            PageJob::Item(key) => match key.kind {
                Kind::Page => key.slug.clone(),
                kind => format!("{}/{}/", kind.section(), key.slug),
            },
            PageJob::Folder(url_path) => url_path.clone(),
            PageJob::NotFound => "404.html".into(),
        }
    }

    /// Where the page is written in the output.
    pub(crate) fn output_path(&self) -> String {
        match self {
            PageJob::NotFound => "404.html".into(),
            _ => format!("{}index.html", self.url_path()),
        }
    }

    pub(crate) fn in_sitemap(&self) -> bool {
        !matches!(self, PageJob::NotFound)
    }
}

/// The pages that show the card of `key` (its summary, state, score...),
/// besides its own page: what must be redrawn when only that card changed.
/// Keep in step with the list contexts in [`context`].
pub(crate) fn pages_showing_card(key: &ItemKey, content: &Content) -> Vec<PageJob> {
    let team_page = |slug: &str| PageJob::Item(ItemKey::new(Kind::Team, slug));
    let mut jobs = match key.kind {
        // The happiness page charts every team's index.
        Kind::Team => vec![PageJob::Home, PageJob::Teams, PageJob::Scoring, PageJob::Happiness],
        Kind::Term => vec![PageJob::Glossary],
        Kind::Story => {
            let mut jobs = vec![PageJob::Home, PageJob::Stories];
            if let Some(story) = content.story(&key.slug) {
                jobs.extend(story.teams.iter().map(|t| team_page(&t.slug)));
            }
            jobs
        }
        Kind::Commitment => {
            // The happiness page lists the commitments behind the trust matrix.
            let mut jobs = vec![PageJob::Home, PageJob::Commitments, PageJob::Happiness];
            if let Some(c) = content.commitment(&key.slug) {
                jobs.push(team_page(&c.owner.slug));
                jobs.extend(c.to.iter().map(|t| team_page(&t.slug)));
                let delivered_by = content
                    .position(Kind::Commitment, &key.slug)
                    .and_then(|i| content.relations.delivered_by.get(i))
                    .into_iter()
                    .flatten();
                jobs.extend(delivered_by.map(|s| PageJob::Item(content.stories[*s].meta.key())));
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

/// Every page of the site, sorted.
pub(crate) fn plan(content: &Content) -> Vec<PageJob> {
    let mut jobs = vec![
        PageJob::Home,
        PageJob::Glossary,
        PageJob::Teams,
        PageJob::Stories,
        PageJob::Commitments,
        PageJob::Scoring,
        PageJob::Happiness,
        PageJob::Gaps,
        PageJob::Search,
        PageJob::NotFound,
    ];
    for item in content.items() {
        let meta = item.meta();
        if meta.kind == Kind::Page && (meta.url_path.is_empty() || is_list_intro(&meta.url_path)) {
            // The home text and list intros are shown on their list pages.
            continue;
        }
        jobs.push(PageJob::Item(meta.key()));
    }
    for folder in folders_without_page(content) {
        jobs.push(PageJob::Folder(folder));
    }
    jobs.sort();
    jobs
}

/// Whether the page at `url_path` is the intro of a list page.
pub(crate) fn is_list_intro(url_path: &str) -> bool {
    matches!(
        url_path,
        "glossary/" | "teams/" | "stories/" | "commitments/" | "happiness/" | "gaps/"
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
    pub scores: &'a ScoreBook,
    pub views: &'a Views,
    /// Which terms each team uses.
    pub usage: &'a Usage,
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
        scores,
        views,
        usage,
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
        base_path,
        today,
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
            let board = board(content, views);
            (
                "home.html",
                context! {
                    site, page => meta(title, "home", "home", "", home.map(|p| p.meta.path.as_str())),
                    intro => intro(""),
                    stories => views.cards.values.stories.iter().take(3).cloned().collect::<Vec<_>>(),
                    board => to_value(board),
                    teams => views.cards.values.teams.clone(),
                    term_count => views.terms.len(),
                    story_count => views.stories.len(),
                    commitment_count => views.commitments.len(),
                },
            )
        }
        PageJob::Glossary => (
            "glossary.html",
            context! {
                site, page => meta("Glossary", "glossary", "glossary", "The shared vocabulary: every term, its owner and how each team reads it.", None),
                intro => intro("glossary/"),
                letters => to_value(letters(content, views)),
                terms => views.cards.values.terms.clone(),
            },
        ),
        PageJob::Teams => (
            "teams.html",
            context! {
                site, page => meta("Teams", "teams", "teams", "Every team: what it owns, what it promised and how it delivered.", None),
                intro => intro("teams/"),
                teams => views.cards.values.teams.clone(),
            },
        ),
        PageJob::Stories => {
            let (years, filter) = reader::stories_value(&reader);
            (
                "stories.html",
                context! {
                    site, page => meta("Success stories", "stories", "stories", "Wins we share: every story credits each team that contributed.", None),
                    intro => intro("stories/"),
                    stories => views.cards.values.stories.clone(),
                    years, filter,
                },
            )
        }
        PageJob::Commitments => (
            "commitments.html",
            context! {
                site, page => meta("Commitments", "commitments", "commitments", "What each team promised, to whom and for when, and whether it delivered.", None),
                intro => intro("commitments/"),
                board => to_value(board(content, views)),
                commitments => views.cards.values.commitments.clone(),
                timeline => reader::timeline_value(&reader),
            },
        ),
        PageJob::Item(key) => {
            let i = content.position(key.kind, &key.slug)?;
            match key.kind {
                Kind::Team => {
                    let t = &content.teams[i];
                    let (charts, vocabulary) = reader::team_value(&reader, i);
                    (
                        "team.html",
                        context! { site, page => meta(&t.meta.title, "team", "teams", &first_line(&views.teams[i]), Some(&t.meta.path)), team => views.teams[i].clone(), charts, vocabulary },
                    )
                }
                Kind::Term => {
                    let t = &content.terms[i];
                    (
                        "term.html",
                        context! { site, page => meta(&t.meta.title, "term", "glossary", &first_line(&views.terms[i]), Some(&t.meta.path)), term => views.terms[i].clone() },
                    )
                }
                Kind::Story => {
                    let s = &content.stories[i];
                    (
                        "story.html",
                        context! { site, page => meta(&s.meta.title, "story", "stories", &first_line(&views.stories[i]), Some(&s.meta.path)), story => views.stories[i].clone() },
                    )
                }
                Kind::Commitment => {
                    let c = &content.commitments[i];
                    (
                        "commitment.html",
                        context! { site, page => meta(&c.meta.title, "commitment", "commitments", &first_line(&views.commitments[i]), Some(&c.meta.path)), commitment => views.commitments[i].clone(), history => reader::history_value(&reader, i) },
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
        PageJob::Gaps => (
            "gaps.html",
            context! {
                site, page => meta("Vocabulary gaps", "gaps", "glossary", "Where a team uses a word without having said what it means by it, and the terms no team owns.", None),
                intro => intro("gaps/"),
                gaps => reader::gaps_value(&reader),
            },
        ),
        PageJob::Search => (
            "search.html",
            context! { site, page => meta("Search", "search", "", "Search the glossary, teams, success stories, commitments and pages.", None) },
        ),
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
fn letters(content: &Content, views: &Views) -> Vec<Letter> {
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (term, view) in content.terms.iter().zip(&views.cards.values.terms) {
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
