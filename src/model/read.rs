//! From one content file's text to a typed [`Item`], with every problem in
//! that file as a diagnostic.
//!
//! The folder decides the kind (`content/teams/x.md` is a team), the file
//! stem the default slug. Checks that need only the file itself (required
//! fields, types, dates, enum values, the commitment status rules) happen
//! here; checks across files happen in [`crate::validate`].

use std::sync::Arc;

use serde_yaml::Mapping;

use crate::date::Date;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::front_matter::{self, Fields, Split};
use crate::model::commitment::{self, Dates, Revision, Status};
use crate::model::{
    Commitment, Contribution, FieldRef, Item, ItemKey, Kind, Meta, Page, Partial, Reading, Ref, Story, Team, Term,
    commitment_references, slugify, story_references,
};

/// Fields every kind accepts.
pub(crate) const COMMON_FIELDS: [&str; 6] = ["title", "slug", "draft", "tags", "date", "updated"];
pub(crate) const TEAM_FIELDS: [&str; 4] = ["short", "color", "lead", "members"];
pub(crate) const TERM_FIELDS: [&str; 5] = ["acronym", "aliases", "owner", "definitions", "related"];
pub(crate) const STORY_FIELDS: [&str; 5] = ["teams", "contributions", "customer", "outcome", "commitments"];
pub(crate) const COMMITMENT_FIELDS: [&str; 11] = [
    "owner",
    "to",
    "to_external",
    "promised",
    "due",
    "delivered",
    "closed",
    "reason",
    "status",
    "revisions",
    "satisfaction",
];

/// The result of reading one file.
#[derive(Debug, Clone)]
pub struct ReadOutcome {
    /// The item; for a file with errors, an [`Item::Partial`] with what
    /// could be read of it, which is left out of the site.
    pub item: Option<Item>,
    /// The item's key even when it could not be built, so that references
    /// to a broken file are not reported as unknown as well.
    pub key: Option<ItemKey>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Where a content file sits: its kind, default slug and URL path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placement {
    pub kind: Kind,
    pub slug: String,
    pub url_path: String,
    pub is_section: bool,
}

/// Decides kind, slug and URL from a path relative to `content/`
/// (`glossary/mql.md`, `guides/_index.md`).
pub(crate) fn place(rel: &str) -> Placement {
    let rel = rel.trim_start_matches('/');
    let (dir, file) = rel.rsplit_once('/').unwrap_or(("", rel));
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let is_section = stem == "_index" || stem == "index";
    let dir_url = dir
        .split('/')
        .filter(|s| !s.is_empty())
        .map(slugify)
        .collect::<Vec<_>>()
        .join("/");
    let first = dir.split('/').next().unwrap_or("");
    match Kind::from_section(first) {
        Some(kind) if !is_section => {
            let slug = slugify(stem);
            Placement {
                kind,
                url_path: format!("{}/{slug}/", kind.section()),
                slug,
                is_section: false,
            }
        }
        _ => {
            let url_path = match (is_section, dir_url.is_empty()) {
                (true, true) => String::new(),
                (true, false) => format!("{dir_url}/"),
                (false, true) => format!("{}/", slugify(stem)),
                (false, false) => format!("{dir_url}/{}/", slugify(stem)),
            };
            Placement {
                kind: Kind::Page,
                slug: url_path.clone(),
                url_path,
                is_section,
            }
        }
    }
}

/// Reads the content file at `path` (relative to the site root, under
/// `content/`) whose text is `source`.
pub fn read_item(path: &str, source: Arc<str>, today: Date) -> ReadOutcome {
    let rel = path.strip_prefix("content/").unwrap_or(path);
    let placement = place(rel);
    let split = match front_matter::split(path, &source) {
        Ok(split) => split,
        Err(diagnostic) => return unreadable(path, placement, source, 0, Vec::new(), diagnostic),
    };
    let map = match front_matter::parse_yaml(path, &split) {
        Ok(map) => map,
        Err(diagnostic) => {
            let names = match placement.kind {
                Kind::Term => likely_names(split.yaml),
                _ => Vec::new(),
            };
            let body_offset = split.body_offset;
            return unreadable(path, placement, source, body_offset, names, diagnostic);
        }
    };
    let mut fields = Fields::new(path, map, &split);
    let common = read_common(&mut fields, &placement);
    let body_offset = split.body_offset;
    let kind_fields: &[&str] = match placement.kind {
        Kind::Team => &TEAM_FIELDS,
        Kind::Term => &TERM_FIELDS,
        Kind::Story => &STORY_FIELDS,
        Kind::Commitment => &COMMITMENT_FIELDS,
        Kind::Page => &[],
    };
    let built = match placement.kind {
        Kind::Team => Built::Team(read_team(&mut fields)),
        Kind::Term => Built::Term(read_term(&mut fields)),
        Kind::Story => read_story(&mut fields, common.date),
        Kind::Commitment => read_commitment(&mut fields, today),
        Kind::Page => Built::Page,
    };
    let (rest, mut diagnostics) = fields.into_rest();
    let extra = read_extra(path, rest, kind_fields, &split, &mut diagnostics);
    let key = ItemKey::new(placement.kind, common.slug.clone());
    let complete = common.title.is_some() && !diagnostics.iter().any(Diagnostic::is_error);
    let meta = Meta {
        kind: placement.kind,
        slug: common.slug,
        title: common.title.unwrap_or_default(),
        path: path.to_string(),
        url_path: common.url_path,
        draft: common.draft,
        tags: common.tags,
        date: common.date,
        updated: common.updated,
        extra,
        source,
        body_offset,
    };
    let item = match built {
        Built::Team(x) if complete => Item::Team(Team { meta, ..x }),
        Built::Term(x) if complete => Item::Term(Term { meta, ..x }),
        Built::Story(x) if complete => Item::Story(Story { meta, ..x }),
        Built::Commitment(x) if complete => Item::Commitment(Commitment { meta, ..x }),
        Built::Page if complete => Item::Page(Page {
            meta,
            is_section: placement.is_section,
        }),
        // The file has errors: it is left out, but what it refers and
        // links to is still checked.
        incomplete => Item::Partial(partial(meta, incomplete)),
    };
    ReadOutcome {
        item: Some(item),
        key: Some(key),
        diagnostics,
    }
}

/// A file whose front matter cannot be read: only where it is (and the
/// names it likely has), so that links to it are not reported as broken as
/// well.
fn unreadable(
    path: &str,
    placement: Placement,
    source: Arc<str>,
    body_offset: usize,
    names: Vec<String>,
    diagnostic: Diagnostic,
) -> ReadOutcome {
    let key = ItemKey::new(placement.kind, placement.slug.clone());
    let meta = Meta {
        kind: placement.kind,
        slug: placement.slug,
        title: String::new(),
        path: path.to_string(),
        url_path: placement.url_path,
        draft: false,
        tags: Vec::new(),
        date: None,
        updated: None,
        extra: serde_json::Map::new(),
        source,
        body_offset,
    };
    ReadOutcome {
        item: Some(Item::Partial(Partial {
            meta,
            references: Vec::new(),
            names,
            checked: false,
        })),
        key: Some(key),
        diagnostics: vec![diagnostic],
    }
}

/// The names a term whose front matter is not valid YAML likely has: its
/// plain `title:` and `acronym:` lines. They only keep `[[links]]` by those
/// names quiet while the file's own error is the one to fix, so a guess is
/// good enough.
fn likely_names(yaml: &str) -> Vec<String> {
    yaml.lines()
        .filter_map(|line| line.strip_prefix("title:").or_else(|| line.strip_prefix("acronym:")))
        .map(|value| value.trim().trim_matches(['"', '\'']).trim().to_string())
        .filter(|name| !name.is_empty())
        .collect()
}

/// What a file with errors keeps of what was read.
fn partial(meta: Meta, built: Built) -> Partial {
    let references = match built {
        Built::Team(_) | Built::Page => Vec::new(),
        Built::Term(x) => {
            let term = Term { meta, ..x };
            return Partial {
                references: term.references(),
                names: term.names(),
                meta: term.meta,
                checked: true,
            };
        }
        Built::Story(x) => x.references(),
        Built::Commitment(x) => x.references(),
        Built::Incomplete(references) => references,
    };
    Partial {
        meta,
        references,
        names: Vec::new(),
        checked: true,
    }
}

/// A kind's own fields, before [`Meta`] is known (its `meta` is a stand-in).
enum Built {
    Team(Team),
    Term(Term),
    Story(Story),
    Commitment(Commitment),
    Page,
    /// Required fields are missing: only the references that were read.
    Incomplete(Vec<FieldRef>),
}

struct Common {
    title: Option<String>,
    slug: String,
    url_path: String,
    draft: bool,
    tags: Vec<String>,
    date: Option<Date>,
    updated: Option<Date>,
}

fn read_common(fields: &mut Fields<'_>, placement: &Placement) -> Common {
    let title = fields.required_text("title", "title: A clear title");
    let mut slug = placement.slug.clone();
    let mut url_path = placement.url_path.clone();
    if let Some(custom) = fields.text("slug") {
        let clean = slugify(&custom);
        if clean.is_empty() || clean != custom {
            let pos = fields.locator.value("slug", custom.trim());
            fields.diagnostics.push(
                Diagnostic::error(fields.path, format!("`slug` `{custom}` is not a valid slug"))
                    .at_pos(pos)
                    .hint(if clean.is_empty() {
                        "use lowercase letters, digits and `-`".to_string()
                    } else {
                        format!("use lowercase letters, digits and `-`, like `slug: {clean}`")
                    }),
            );
        } else if placement.kind == Kind::Page {
            if placement.is_section {
                let pos = fields.locator.key("slug");
                fields.diagnostics.push(
                    Diagnostic::warning(fields.path, "`slug` is ignored on a section page")
                        .at_pos(pos)
                        .hint("a section's URL is its folder's name; rename the folder to change it"),
                );
            } else {
                let parent = url_path
                    .trim_end_matches('/')
                    .rsplit_once('/')
                    .map_or(String::new(), |(p, _)| format!("{p}/"));
                url_path = format!("{parent}{clean}/");
                slug = url_path.clone();
            }
        } else {
            url_path = format!("{}/{clean}/", placement.kind.section());
            slug = clean;
        }
    }
    Common {
        title,
        slug,
        url_path,
        draft: fields.bool("draft").unwrap_or(false),
        tags: fields.text_list("tags"),
        date: fields.date("date"),
        updated: fields.date("updated"),
    }
}

/// A stand-in [`Meta`]: the kind readers fill their own fields, then
/// [`read_item`] replaces it with the real one.
fn placeholder_meta() -> Meta {
    Meta {
        kind: Kind::Page,
        slug: String::new(),
        title: String::new(),
        path: String::new(),
        url_path: String::new(),
        draft: false,
        tags: Vec::new(),
        date: None,
        updated: None,
        extra: serde_json::Map::new(),
        source: Arc::from(""),
        body_offset: 0,
    }
}

fn read_team(fields: &mut Fields<'_>) -> Team {
    if !fields.has("color") && fields.locator.has_key("color") {
        // `color: #1f6feb` unquoted: YAML reads everything after `#` as a comment.
        let pos = fields.locator.key("color");
        fields.diagnostics.push(
            Diagnostic::error(
                fields.path,
                "`color` has no value; an unquoted `#` starts a YAML comment",
            )
            .at_pos(pos)
            .hint("quote the colour: `color: \"#1f6feb\"`"),
        );
    }
    let color = fields.text("color").and_then(|c| {
        if is_hex_colour(&c) {
            Some(c.to_lowercase())
        } else {
            let pos = fields.locator.value("color", c.trim().trim_start_matches('#'));
            fields.diagnostics.push(
                Diagnostic::error(fields.path, format!("`color` `{c}` is not a colour like `#1f6feb`"))
                    .at_pos(pos)
                    .hint("write `color: \"#rrggbb\"` with six hex digits, in quotes (YAML reads `#` as a comment)"),
            );
            None
        }
    });
    Team {
        meta: placeholder_meta(),
        short: fields.text("short"),
        color,
        lead: fields.text("lead"),
        members: fields.text_list("members"),
    }
}

fn is_hex_colour(text: &str) -> bool {
    let t = text.trim();
    t.len() == 7 && t.starts_with('#') && t[1..].chars().all(|c| c.is_ascii_hexdigit())
}

fn refs(fields: &mut Fields<'_>, key: &str) -> Vec<Ref> {
    let slugs = fields.text_list(key);
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    slugs
        .into_iter()
        .map(|slug| {
            let nth = seen.entry(slug.clone()).or_insert(0);
            let pos = fields.locator.value_from(key, slug.trim(), *nth);
            *nth += 1;
            Ref {
                slug: slug.trim().to_string(),
                pos,
            }
        })
        .collect()
}

fn one_ref(fields: &mut Fields<'_>, key: &str) -> Option<Ref> {
    let slug = fields.text(key)?;
    let pos = fields.locator.value(key, slug.trim());
    Some(Ref {
        slug: slug.trim().to_string(),
        pos,
    })
}

fn keyed_texts(fields: &mut Fields<'_>, key: &str) -> Vec<(Ref, String)> {
    fields
        .text_map(key)
        .into_iter()
        .map(|(slug, text)| {
            let pos = fields.locator.nested_key(key, &slug);
            (Ref { slug, pos }, text)
        })
        .collect()
}

fn read_term(fields: &mut Fields<'_>) -> Term {
    Term {
        meta: placeholder_meta(),
        acronym: fields.text("acronym").filter(|a| !a.trim().is_empty()),
        aliases: fields.text_list("aliases"),
        owner: one_ref(fields, "owner"),
        definitions: keyed_texts(fields, "definitions")
            .into_iter()
            .map(|(team, text)| Reading { team, text })
            .collect(),
        related: refs(fields, "related"),
    }
}

fn read_story(fields: &mut Fields<'_>, date: Option<Date>) -> Built {
    if date.is_none() {
        fields.missing_unless_reported("date", "date: 2026-03-31");
    }
    let teams = refs(fields, "teams");
    if teams.is_empty() && !fields.locator.has_key("teams") {
        fields.missing("teams", "teams: [sales, support]");
    } else if teams.is_empty() {
        let pos = fields.locator.key("teams");
        fields.diagnostics.push(
            Diagnostic::error(fields.path, "`teams` must list at least one team")
                .at_pos(pos)
                .hint("credit every team that contributed, like `teams: [sales, support]`"),
        );
    }
    let contributions: Vec<Contribution> = keyed_texts(fields, "contributions")
        .into_iter()
        .map(|(team, text)| Contribution { team, text })
        .collect();
    let customer = fields.text("customer");
    let outcome = fields.text("outcome");
    let commitments = refs(fields, "commitments");
    let Some(date) = date else {
        return Built::Incomplete(story_references(&teams, &contributions, &commitments));
    };
    Built::Story(Story {
        meta: placeholder_meta(),
        date,
        teams,
        contributions,
        customer,
        outcome,
        commitments,
    })
}

fn read_commitment(fields: &mut Fields<'_>, today: Date) -> Built {
    let owner = one_ref(fields, "owner");
    if owner.is_none() {
        fields.missing_unless_reported("owner", "owner: marketing");
    }
    let to = refs(fields, "to");
    let to_external = fields.text_list("to_external");
    let promised = fields.required_date("promised");
    let due = fields.required_date("due");
    let delivered = fields.date("delivered");
    let closed = fields.date("closed");
    let reason = fields
        .text("reason")
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let status = fields.text("status").and_then(|text| match Status::parse(&text) {
        Some(status) => Some(status),
        None => {
            let pos = fields.locator.value("status", text.trim());
            let hint = did_you_mean(text.trim(), Status::NAMES)
                .map(|d| format!("{d} (one of {})", Status::NAMES.join(", ")))
                .unwrap_or_else(|| format!("use one of {}", Status::NAMES.join(", ")));
            fields.diagnostics.push(
                Diagnostic::error(fields.path, format!("unknown status `{}`", text.trim()))
                    .at_pos(pos)
                    .hint(hint),
            );
            None
        }
    });
    let revisions = read_revisions(fields);
    let satisfaction = fields.integer("satisfaction").and_then(|n| {
        if (1..=5).contains(&n) {
            Some(n as u8)
        } else {
            let pos = fields.locator.value("satisfaction", &n.to_string());
            fields.diagnostics.push(
                Diagnostic::error(fields.path, format!("`satisfaction` must be 1 to 5, found {n}"))
                    .at_pos(pos)
                    .hint("rate the outcome from 1 (unhappy) to 5 (delighted)"),
            );
            None
        }
    });
    let (owner, promised, due) = match (owner, promised, due) {
        (Some(owner), Some(promised), Some(due)) => (owner, promised, due),
        (owner, _, _) => return Built::Incomplete(commitment_references(owner.as_ref(), &to)),
    };
    let ending = Ending {
        status,
        delivered,
        closed,
        reason: reason.as_deref(),
    };
    check_commitment_dates(fields, promised, due, ending, &revisions, today);
    let derived = commitment::derive(
        Dates {
            due,
            delivered,
            closed,
            status,
            revisions: &revisions,
        },
        today,
    );
    Built::Commitment(Commitment {
        meta: placeholder_meta(),
        owner,
        to,
        to_external,
        promised,
        due,
        delivered,
        closed,
        reason,
        status,
        revisions,
        satisfaction,
        derived,
        quiet_changes: Vec::new(),
    })
}

fn read_revisions(fields: &mut Fields<'_>) -> Vec<Revision> {
    let maps = fields.map_list("revisions");
    let mut out = Vec::with_capacity(maps.len());
    for (i, map) in maps.into_iter().enumerate() {
        if let Some(revision) = read_revision(fields, i, map) {
            out.push(revision);
        }
    }
    out
}

fn read_revision(fields: &mut Fields<'_>, index: usize, map: Mapping) -> Option<Revision> {
    let path = fields.path;
    let loc = fields.locator;
    let mut date_of = |field: &str, required: bool| -> Option<Date> {
        let value = map.get(field).filter(|v| !v.is_null());
        let Some(value) = value else {
            if required {
                fields.diagnostics.push(
                    Diagnostic::error(path, format!("revision {} has no `{field}`", index + 1))
                        .at_pos(loc.item("revisions", index))
                        .hint(format!("each revision needs `{field}: YYYY-MM-DD`")),
                );
            }
            return None;
        };
        let text = front_matter::scalar_text(value).unwrap_or_default();
        match front_matter::site_date(&text) {
            Ok(d) => Some(d),
            Err(reason) => {
                fields.diagnostics.push(
                    Diagnostic::error(
                        path,
                        format!("bad date in `{field}` of revision {}: {reason}", index + 1),
                    )
                    .at_pos(loc.item_field("revisions", index, field))
                    .hint(front_matter::date_hint(&text, &format!("{field}: 2026-03-31"))),
                );
                None
            }
        }
    };
    let date = date_of("date", false);
    let new_due = date_of("new_due", true);
    let reason = map
        .get("reason")
        .and_then(front_matter::scalar_text)
        .unwrap_or_default();
    for key in map.keys().filter_map(front_matter::scalar_text) {
        if !["date", "new_due", "reason"].contains(&key.as_str()) {
            let hint = front_matter::typo_of(&key, &["date", "new_due", "reason"])
                .map(|k| format!("did you mean `{k}`?"))
                .unwrap_or_else(|| "a revision has `date`, `new_due` and `reason`".to_string());
            fields.diagnostics.push(
                Diagnostic::warning(path, format!("unknown field `{key}` in a revision"))
                    .at_pos(loc.item_field("revisions", index, &key))
                    .hint(hint),
            );
        }
    }
    Some(Revision {
        date,
        new_due: new_due?,
        reason: reason.trim().to_string(),
    })
}

/// How a commitment's record says it ended, or that it has not.
#[derive(Clone, Copy)]
struct Ending<'a> {
    status: Option<Status>,
    delivered: Option<Date>,
    closed: Option<Date>,
    reason: Option<&'a str>,
}

fn check_commitment_dates(
    fields: &mut Fields<'_>,
    promised: Date,
    due: Date,
    ending: Ending<'_>,
    revisions: &[Revision],
    today: Date,
) {
    let Ending {
        status,
        delivered,
        closed,
        reason,
    } = ending;
    let path = fields.path;
    let loc = fields.locator;
    if due < promised {
        fields.diagnostics.push(
            Diagnostic::error(path, format!("`due` {due} is before `promised` {promised}"))
                .at_pos(loc.value("due", &due.to_string()))
                .hint("a promise is due after it is made; check the year and the month"),
        );
    }
    match (status, delivered) {
        (Some(Status::Delivered), None) => fields.diagnostics.push(
            Diagnostic::error(path, "`status: delivered` without a `delivered` date")
                .at_pos(loc.value("status", "delivered"))
                .hint("add `delivered: YYYY-MM-DD`, the day it was delivered"),
        ),
        (Some(s @ (Status::Open | Status::AtRisk)), Some(d)) => fields.diagnostics.push(
            Diagnostic::error(path, format!("`delivered: {d}` contradicts `status: {}`", s.name()))
                .at_pos(loc.value("status", s.name()))
                .hint("remove `status` (a delivered date means delivered) or remove the `delivered` date"),
        ),
        _ => {}
    }
    if let (Some(s @ (Status::Missed | Status::Dropped)), Some(d)) = (status, delivered) {
        fields.diagnostics.push(
            Diagnostic::warning(path, format!("`status: {}` with a `delivered` date {d}", s.name()))
                .at_pos(loc.value("status", s.name()))
                .hint("a delivered promise is not missed or dropped; remove one of the two"),
        );
    }
    match (status, closed) {
        (Some(s @ (Status::Missed | Status::Dropped)), None) => {
            let verb = if s == Status::Missed {
                "declared missed"
            } else {
                "dropped"
            };
            fields.diagnostics.push(
                Diagnostic::error(path, format!("`status: {}` without a `closed` date", s.name()))
                    .at_pos(loc.value("status", s.name()))
                    .hint(format!(
                        "add `closed: YYYY-MM-DD`, the day it was {verb}; the site never guesses that date"
                    )),
            );
        }
        (Some(Status::Missed | Status::Dropped), Some(_)) => {}
        (other, Some(d)) => {
            let what = match other {
                Some(s) => format!("`status: {}`", s.name()),
                None if delivered.is_some() => "a delivered promise".to_string(),
                None => "an open promise".to_string(),
            };
            fields.diagnostics.push(
                Diagnostic::error(path, format!("`closed: {d}` on {what}"))
                    .at_pos(loc.key("closed"))
                    .hint(
                        "`closed` is the day a promise was declared missed or dropped: add `status: missed` or \
                         `status: dropped`, or remove `closed`",
                    ),
            );
        }
        (_, None) => {}
    }
    match (status, reason) {
        (Some(s @ (Status::Missed | Status::Dropped)), None) => {
            let pos = if fields.locator.has_key("reason") {
                loc.key("reason")
            } else {
                loc.value("status", s.name())
            };
            fields.diagnostics.push(
                Diagnostic::warning(path, format!("a {} promise without a `reason`: say why", s.name()))
                    .at_pos(pos)
                    .hint(format!(
                        "add `reason: ...`, one or two sentences on why it was {} and what the other teams can do now",
                        s.name()
                    )),
            );
        }
        (Some(Status::Missed | Status::Dropped), Some(_)) | (_, None) => {}
        (_, Some(_)) => fields.diagnostics.push(
            Diagnostic::warning(path, "`reason` is read only on a missed or dropped promise")
                .at_pos(loc.key("reason"))
                .hint("to explain a new due date, add a revision with its `reason`; otherwise write it in the body"),
        ),
    }
    if let Some(d) = delivered
        && d < promised
    {
        fields.diagnostics.push(
            Diagnostic::warning(path, format!("`delivered` {d} is before `promised` {promised}"))
                .at_pos(loc.value("delivered", &d.to_string()))
                .hint("check the dates: a promise is delivered after it is made"),
        );
    }
    if let Some(d) = closed
        && d < promised
    {
        fields.diagnostics.push(
            Diagnostic::warning(path, format!("`closed` {d} is before `promised` {promised}"))
                .at_pos(loc.value("closed", &d.to_string()))
                .hint("check the dates: a promise is missed or dropped after it is made"),
        );
    }
    for (field, day) in [
        ("promised", Some(promised)),
        ("delivered", delivered),
        ("closed", closed),
    ] {
        if let Some(day) = day
            && day > today
        {
            fields.diagnostics.push(
                Diagnostic::warning(path, format!("`{field}` {day} is after today ({today})"))
                    .at_pos(loc.value(field, &day.to_string()))
                    .hint(future_hint(field)),
            );
        }
    }
    for (i, r) in revisions.iter().enumerate() {
        if r.new_due < promised {
            fields.diagnostics.push(
                Diagnostic::error(
                    path,
                    format!(
                        "revision {} moves the due date to {}, before `promised`",
                        i + 1,
                        r.new_due
                    ),
                )
                .at_pos(loc.item_field("revisions", i, "new_due"))
                .hint("a new due date comes after the promise was made"),
            );
        }
        if let Some(day) = r.date
            && day > today
        {
            fields.diagnostics.push(
                Diagnostic::warning(
                    path,
                    format!("revision {} is dated {day}, after today ({today})", i + 1),
                )
                .at_pos(loc.item_field("revisions", i, "date"))
                .hint(future_hint("date")),
            );
        }
    }
}

/// What to say about a date in the future: it has not happened yet, so no
/// figure counts it until it has.
fn future_hint(field: &str) -> String {
    format!(
        "`{field}` records something that happened, and this has not happened yet; no monthly figure counts it \
         until that day. Check the year, or set `--today` if you are building for another day"
    )
}

/// Keeps unknown fields as `extra`, warning about near-misses of known ones.
fn read_extra(
    path: &str,
    rest: Mapping,
    kind_fields: &[&str],
    split: &Split<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> serde_json::Map<String, serde_json::Value> {
    let locator = front_matter::Locator::new(split);
    let known: Vec<&str> = COMMON_FIELDS.iter().chain(kind_fields).copied().collect();
    let mut extra = serde_json::Map::new();
    for (key, value) in &rest {
        let Some(key) = front_matter::scalar_text(key) else {
            continue;
        };
        let lower = key.to_lowercase();
        if lower != key && known.contains(&lower.as_str()) {
            diagnostics.push(
                Diagnostic::warning(
                    path,
                    format!("unknown field `{key}`; field names are lowercase: `{lower}`"),
                )
                .at_pos(locator.key(&key))
                .hint(format!("rename it to `{lower}`")),
            );
        } else if let Some(meant) = front_matter::typo_of(&key, &known) {
            diagnostics.push(
                Diagnostic::warning(path, format!("unknown field `{key}`; did you mean `{meant}`?"))
                    .at_pos(locator.key(&key))
                    .hint(format!(
                        "rename it to `{meant}`, or it is kept as an extra field and ignored"
                    )),
            );
        }
        extra.insert(key, front_matter::yaml_to_json(value));
    }
    extra
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use crate::model::State;

    fn today() -> Date {
        Date::parse("2026-06-15").unwrap()
    }

    fn read(path: &str, text: &str) -> ReadOutcome {
        read_item(path, Arc::from(text), today())
    }

    #[test]
    fn placement_by_folder() {
        let cases = [
            ("teams/sales.md", Kind::Team, "sales", "teams/sales/", false),
            ("glossary/MQL.md", Kind::Term, "mql", "glossary/mql/", false),
            ("about.md", Kind::Page, "about/", "about/", false),
            (
                "guides/how-to.md",
                Kind::Page,
                "guides/how-to/",
                "guides/how-to/",
                false,
            ),
            ("guides/_index.md", Kind::Page, "guides/", "guides/", true),
            (
                "handbook/about-us/index.md",
                Kind::Page,
                "handbook/about-us/",
                "handbook/about-us/",
                true,
            ),
            ("_index.md", Kind::Page, "", "", true),
            ("teams/_index.md", Kind::Page, "teams/", "teams/", true),
        ];
        for (rel, kind, slug, url, section) in cases {
            let p = place(rel);
            assert_eq!(
                (p.kind, p.slug.as_str(), p.url_path.as_str(), p.is_section),
                (kind, slug, url, section),
                "{rel}"
            );
        }
    }

    #[test]
    fn reads_a_commitment_with_derived_fields() {
        let text = "---\ntitle: Pricing page\nowner: marketing\nto: [sales]\npromised: 2026-01-10\ndue: 2026-03-01\nrevisions:\n  - date: 2026-02-20\n    new_due: 2026-04-15\n    reason: legal review ran long\ndelivered: 2026-04-10\nsatisfaction: 4\nreviewer: Ana\n---\nBody\n";
        let out = read("content/commitments/pricing.md", text);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let Some(Item::Commitment(c)) = out.item else {
            panic!("not a commitment")
        };
        assert_eq!(c.meta.slug, "pricing");
        assert_eq!(c.meta.url_path, "commitments/pricing/");
        assert_eq!(c.derived.state, State::Late);
        assert_eq!(c.derived.days_late, 40);
        assert_eq!(c.derived.slips, 1);
        assert_eq!(c.derived.effective_due.to_string(), "2026-04-15");
        assert_eq!(c.meta.extra["reviewer"], "Ana");
        assert_eq!(c.meta.body(), "Body\n");
    }

    #[test]
    fn commitment_errors_point_at_their_lines() {
        let text = "---\ntitle: X\nowner: sales\npromised: 2026-03-01\ndue: 2026-02-01\nstatus: deliverd\ndelivred: 2026-03-02\n---\n";
        let out = read("content/commitments/x.md", text);
        assert!(matches!(out.item, Some(Item::Partial(_))), "{:?}", out.item);
        let lines: Vec<(usize, &str)> = out.diagnostics.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert!(
            lines.contains(&(5, "`due` 2026-02-01 is before `promised` 2026-03-01")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|(l, m)| *l == 6 && m.contains("unknown status")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == 7 && m.contains("did you mean `delivered`")),
            "{lines:?}"
        );
        let status = out
            .diagnostics
            .iter()
            .find(|d| d.message.contains("unknown status"))
            .unwrap();
        assert!(status.hint.as_ref().unwrap().contains("`delivered`"));
    }

    #[test]
    fn a_file_with_errors_keeps_its_references_and_body() {
        let text = "---\ntitle: S\ndate: 2026-99-01\nteams: [sales, markting]\ncontributions:\n  support: helped\ncommitments: [pricing]\n---\nBody with [[nope]].\n";
        let out = read("content/stories/s.md", text);
        assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
        let Some(Item::Partial(partial)) = out.item else {
            panic!("not a partial: {:?}", out.item)
        };
        assert!(partial.checked);
        assert_eq!(partial.meta.key(), ItemKey::new(Kind::Story, "s"));
        assert_eq!(partial.meta.body(), "Body with [[nope]].\n");
        let refs: Vec<(&str, Kind, &str, usize, usize)> = partial
            .references
            .iter()
            .map(|r| {
                (
                    r.field,
                    r.kind,
                    r.target.slug.as_str(),
                    r.target.pos.line,
                    r.target.pos.column,
                )
            })
            .collect();
        assert_eq!(
            refs,
            [
                ("teams", Kind::Team, "sales", 4, 9),
                ("teams", Kind::Team, "markting", 4, 16),
                ("contributions", Kind::Team, "support", 6, 3),
                ("commitments", Kind::Commitment, "pricing", 7, 15),
            ]
        );
    }

    #[test]
    fn a_term_with_errors_keeps_the_names_links_use() {
        let text = "---\ntitle: Marketing Qualified Lead\nacronym: MQL\naliases: [marketing lead]\ndraft: maybe\n---\n";
        let Some(Item::Partial(partial)) = read("content/glossary/mql.md", text).item else {
            panic!("not a partial")
        };
        assert_eq!(partial.names, ["Marketing Qualified Lead", "MQL", "marketing lead"]);
    }

    #[test]
    fn a_file_with_invalid_yaml_is_kept_by_path_only() {
        let out = read(
            "content/glossary/mql.md",
            "---\ntitle: \"Marketing Qualified Lead\"\nacronym: MQL\nowner: [sales\n---\nBody\n",
        );
        assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
        let Some(Item::Partial(partial)) = out.item else {
            panic!("not a partial")
        };
        assert!(!partial.checked);
        assert!(partial.references.is_empty());
        assert_eq!(partial.meta.path, "content/glossary/mql.md");
        assert_eq!(partial.meta.url_path, "glossary/mql/");
        assert_eq!(partial.names, ["Marketing Qualified Lead", "MQL"]);
    }

    #[test]
    fn closed_and_reason_rules() {
        let base = "---\ntitle: X\nowner: sales\npromised: 2026-01-01\ndue: 2026-02-01\n";
        let at = |text: &str| {
            let out = read("content/commitments/a.md", &format!("{base}{text}---\n"));
            out.diagnostics
                .iter()
                .map(|d| (d.severity, d.line, d.message.clone()))
                .collect::<Vec<_>>()
        };
        // Dropped without `closed`: an error at the status line, and no item.
        let out = read(
            "content/commitments/a.md",
            &format!("{base}status: dropped\nreason: no budget\n---\n"),
        );
        assert!(matches!(out.item, Some(Item::Partial(_))));
        let got = at("status: dropped\nreason: no budget\n");
        assert_eq!(
            got,
            [(
                Severity::Error,
                6,
                "`status: dropped` without a `closed` date".to_string()
            )]
        );
        // `closed` on an open promise: an error at the `closed` line.
        let got = at("status: open\nclosed: 2026-01-20\n");
        assert_eq!(
            got,
            [(Severity::Error, 7, "`closed: 2026-01-20` on `status: open`".to_string())]
        );
        assert_eq!(
            at("closed: 2026-01-20\n")[0].2,
            "`closed: 2026-01-20` on an open promise"
        );
        // Missed without a reason: a warning, and the item is built.
        let out = read(
            "content/commitments/a.md",
            &format!("{base}status: missed\nclosed: 2026-02-03\n---\n"),
        );
        let Some(Item::Commitment(c)) = &out.item else {
            panic!("not a commitment: {:?}", out.diagnostics)
        };
        assert_eq!(
            (c.derived.ended, c.derived.days_late),
            (Some(Date::parse("2026-02-03").unwrap()), 2)
        );
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].severity, Severity::Warning);
        assert!(out.diagnostics[0].message.contains("without a `reason`: say why"));
        // A reason on a promise that has not ended is a warning at its line.
        let got = at("reason: we were busy\n");
        assert_eq!(got[0].0, Severity::Warning);
        assert_eq!(got[0].1, 6);
    }

    #[test]
    fn dates_after_today_are_warnings() {
        let text = "---\ntitle: X\nowner: sales\npromised: 2026-01-01\ndue: 2026-08-01\ndelivered: 2026-07-20\nrevisions:\n  - date: 2026-07-01\n    new_due: 2026-08-01\n    reason: r\n---\n";
        let out = read("content/commitments/a.md", text);
        let got: Vec<(usize, &str)> = out.diagnostics.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (6, "`delivered` 2026-07-20 is after today (2026-06-15)"),
                (8, "revision 1 is dated 2026-07-01, after today (2026-06-15)")
            ]
        );
        assert!(out.diagnostics.iter().all(|d| d.severity == Severity::Warning));
    }

    #[test]
    fn delivered_status_rules() {
        let base = "---\ntitle: X\nowner: sales\npromised: 2026-01-01\ndue: 2026-02-01\n";
        let no_date = read("content/commitments/a.md", &format!("{base}status: delivered\n---\n"));
        assert!(no_date.diagnostics[0].message.contains("without a `delivered` date"));
        let open = read(
            "content/commitments/b.md",
            &format!("{base}status: open\ndelivered: 2026-01-20\n---\n"),
        );
        assert!(open.diagnostics[0].message.contains("contradicts `status: open`"));
    }

    #[test]
    fn missing_required_fields() {
        let out = read("content/stories/s.md", "---\ntitle: S\n---\n");
        let messages: Vec<_> = out.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            ["missing required field `date`", "missing required field `teams`"]
        );
        let untitled = read("content/teams/t.md", "---\nshort: T\n---\n");
        assert_eq!(untitled.diagnostics[0].message, "missing required field `title`");
        assert_eq!(untitled.key, Some(ItemKey::new(Kind::Team, "t")));
    }

    #[test]
    fn k8s_style_front_matter_is_accepted() {
        let text = "---\ntitle: Add-ons\nid: addons\ndate: 2019-12-15\nfull_link: /docs/x/\nshort_description: >\n  Resources that extend Kubernetes.\n\naka:\ntags:\n- tool\n---\n  Resources.\n\n<!--more-->\n";
        let out = read("content/glossary/addons.md", text);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let Some(Item::Term(t)) = out.item else { panic!() };
        assert_eq!(t.meta.tags, ["tool"]);
        assert_eq!(t.meta.extra["short_description"], "Resources that extend Kubernetes.\n");
        assert!(t.meta.extra["aka"].is_null());
    }

    #[test]
    fn unquoted_colour_and_capitalised_fields_are_reported() {
        let out = read("content/teams/t.md", "---\ntitle: T\ncolor: #1f6feb\n---\n");
        assert!(
            out.diagnostics[0].message.contains("unquoted `#`"),
            "{:?}",
            out.diagnostics
        );
        assert_eq!(out.diagnostics[0].line, 3);
        let caps = read("content/teams/u.md", "---\ntitle: U\nShort: U\n---\n");
        assert!(
            caps.diagnostics[0].message.contains("field names are lowercase"),
            "{:?}",
            caps.diagnostics
        );
    }

    #[test]
    fn custom_slug_changes_url() {
        let out = read("content/glossary/x.md", "---\ntitle: X\nslug: churn-rate\n---\n");
        let Some(Item::Term(t)) = out.item else { panic!() };
        assert_eq!(t.meta.url_path, "glossary/churn-rate/");
        let bad = read("content/glossary/y.md", "---\ntitle: Y\nslug: Churn Rate\n---\n");
        assert!(bad.diagnostics[0].message.contains("not a valid slug"));
    }
}
