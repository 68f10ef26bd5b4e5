//! Content as Rhai values.
//!
//! Each item is passed to scripts as an `item`: a read-only object map.
//! Scripts read it like any Rhai map (`c.state`, `c["state"]`, `c.keys()`,
//! `"delivered" in c`), but cannot change it; `c.to_map()` gives an
//! ordinary map to change. Dates are `YYYY-MM-DD` strings and missing
//! optional fields are `()`, so `c.delivered == ()` reads naturally.
//!
//! Why not plain Rhai maps: a map is copied into every call that receives
//! it, and building ten thousand of them, with their bodies, costs more than
//! every hook together. An `item` is a shared snapshot of the model item
//! (one clone per build; the source text is shared, not copied); passing it
//! costs a reference count, and a field becomes a Rhai value only when a
//! script reads it. Being read-only, it is also safe to share across the
//! threads that run hooks in parallel.

use std::fmt;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use rhai::{Array, Dynamic, Engine, FLOAT, INT, ImmutableString, Map};

use crate::date::Date;
use crate::model::{Commitment, Content, ItemRef, Kind, Meta, MonthFigures, Page, State, Status, Story, Team, Term};

/// The fields every item has.
pub(crate) const COMMON_FIELDS: [&str; 10] = [
    "kind", "slug", "title", "path", "draft", "tags", "date", "updated", "extra", "body",
];
pub(crate) const TEAM_FIELDS: [&str; 4] = ["short", "color", "lead", "members"];
pub(crate) const TERM_FIELDS: [&str; 5] = ["acronym", "aliases", "owner", "definitions", "related"];
pub(crate) const STORY_FIELDS: [&str; 6] = ["teams", "contributions", "customer", "outcome", "commitments", "score"];
pub(crate) const COMMITMENT_FIELDS: [&str; 18] = [
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
    "effective_due",
    "ended",
    "days_late",
    "slips",
    "state",
    "quiet_changes",
    "score",
];
pub(crate) const PAGE_FIELDS: [&str; 2] = ["url_path", "is_section"];

/// One item, as scripts see it.
#[derive(Clone)]
pub struct Item(Arc<ItemData>);

struct ItemData {
    record: Record,
    /// Each field as a Rhai value, made on first use, by index in `keys`:
    /// a hook and `lint` often read the same fields.
    values: Vec<OnceLock<Dynamic>>,
    /// The Markdown body as a Rhai string, made on first use.
    body: OnceLock<ImmutableString>,
    /// The item's score, once its hook has given one (`score_commitment`
    /// and `score_story` run before `score_team` and `happiness`).
    score: OnceLock<FLOAT>,
}

/// A snapshot of the model item.
enum Record {
    Team(Team),
    Term(Term),
    Story(Story),
    Commitment(Commitment),
    Page(Page),
}

impl Item {
    pub(crate) fn new(item: ItemRef<'_>) -> Item {
        let record = match item {
            ItemRef::Team(x) => Record::Team(x.clone()),
            ItemRef::Term(x) => Record::Term(x.clone()),
            ItemRef::Story(x) => Record::Story(x.clone()),
            ItemRef::Commitment(x) => Record::Commitment(x.clone()),
            ItemRef::Page(x) => Record::Page(x.clone()),
        };
        let count = COMMON_FIELDS.len() + own_fields(&record).len();
        Item(Arc::new(ItemData {
            values: (0..count).map(|_| OnceLock::new()).collect(),
            record,
            body: OnceLock::new(),
            score: OnceLock::new(),
        }))
    }

    /// Records the item's score, for the hooks that run after its own.
    pub(crate) fn set_score(&self, score: FLOAT) {
        let _ = self.0.score.set(score);
    }

    /// The item's source file (`content/commitments/pricing-page.md`).
    pub(crate) fn path(&self) -> &str {
        &self.meta().path
    }

    fn meta(&self) -> &Meta {
        match &self.0.record {
            Record::Team(x) => &x.meta,
            Record::Term(x) => &x.meta,
            Record::Story(x) => &x.meta,
            Record::Commitment(x) => &x.meta,
            Record::Page(x) => &x.meta,
        }
    }

    /// The field names of this item, common ones first.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &'static str> {
        COMMON_FIELDS.iter().chain(own_fields(&self.0.record)).copied()
    }

    /// The value of field `name`, or `()` when the item has no such field
    /// (as a map gives for a missing key).
    pub(crate) fn get(&self, name: &str) -> Dynamic {
        // `score` is set between the phases of a run, so it is not cached.
        if name == "score" {
            return self.field(name).unwrap_or(Dynamic::UNIT);
        }
        match self.keys().position(|k| k == name) {
            Some(i) => self.0.values[i]
                .get_or_init(|| self.field(name).unwrap_or(Dynamic::UNIT))
                .clone(),
            None => Dynamic::UNIT,
        }
    }

    /// Whether the item has field `name` (even one whose value is `()`).
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.keys().any(|k| k == name)
    }

    fn field(&self, name: &str) -> Option<Dynamic> {
        let meta = self.meta();
        // A story's `date` is required, and kept outside `Meta`.
        if let (Record::Story(s), "date") = (&self.0.record, name) {
            return Some(date(s.date));
        }
        let common = match name {
            "kind" => Some(shared_name(meta.kind.name())),
            "slug" => Some(text(&meta.slug)),
            "title" => Some(text(&meta.title)),
            "path" => Some(text(&meta.path)),
            "draft" => Some(meta.draft.into()),
            "tags" => Some(texts(meta.tags.iter().map(String::as_str))),
            "date" => Some(optional_date(meta.date)),
            "updated" => Some(optional_date(meta.updated)),
            "extra" => Some(json_map(&meta.extra)),
            "body" => Some(self.0.body.get_or_init(|| meta.body().into()).clone().into()),
            _ => None,
        };
        if common.is_some() {
            return common;
        }
        if name == "score" && matches!(self.0.record, Record::Story(_) | Record::Commitment(_)) {
            return Some(self.0.score.get().map_or(Dynamic::UNIT, |s| Dynamic::from_float(*s)));
        }
        match &self.0.record {
            Record::Team(t) => team_field(t, name),
            Record::Term(t) => term_field(t, name),
            Record::Story(s) => story_field(s, name),
            Record::Commitment(c) => commitment_field(c, name),
            Record::Page(p) => page_field(p, name),
        }
    }

    /// An ordinary Rhai map with every field, to change or iterate.
    pub(crate) fn to_map(&self) -> Map {
        self.keys().map(|k| (k.into(), self.get(k))).collect()
    }
}

/// The fields of one kind, after the common ones.
fn own_fields(record: &Record) -> &'static [&'static str] {
    match record {
        Record::Team(_) => &TEAM_FIELDS,
        Record::Term(_) => &TERM_FIELDS,
        Record::Story(_) => &STORY_FIELDS,
        Record::Commitment(_) => &COMMITMENT_FIELDS,
        Record::Page(_) => &PAGE_FIELDS,
    }
}

impl fmt::Debug for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "item {}", self.meta().path)
    }
}

fn team_field(team: &Team, name: &str) -> Option<Dynamic> {
    Some(match name {
        "short" => optional_text(team.short.as_deref()),
        "color" => optional_text(team.color.as_deref()),
        "lead" => optional_text(team.lead.as_deref()),
        "members" => texts(team.members.iter().map(String::as_str)),
        _ => return None,
    })
}

fn term_field(term: &Term, name: &str) -> Option<Dynamic> {
    Some(match name {
        "acronym" => optional_text(term.acronym.as_deref()),
        "aliases" => texts(term.aliases.iter().map(String::as_str)),
        "owner" => optional_text(term.owner.as_ref().map(|o| o.slug.as_str())),
        "definitions" => term
            .definitions
            .iter()
            .map(|r| (r.team.slug.as_str().into(), text(&r.text)))
            .collect::<Map>()
            .into(),
        "related" => texts(term.related.iter().map(|r| r.slug.as_str())),
        _ => return None,
    })
}

fn story_field(story: &Story, name: &str) -> Option<Dynamic> {
    Some(match name {
        "teams" => texts(story.teams.iter().map(|t| t.slug.as_str())),
        "contributions" => story
            .contributions
            .iter()
            .map(|c| (c.team.slug.as_str().into(), text(&c.text)))
            .collect::<Map>()
            .into(),
        "customer" => optional_text(story.customer.as_deref()),
        "outcome" => optional_text(story.outcome.as_deref()),
        "commitments" => texts(story.commitments.iter().map(|c| c.slug.as_str())),
        _ => return None,
    })
}

fn commitment_field(c: &Commitment, name: &str) -> Option<Dynamic> {
    Some(match name {
        "owner" => text(&c.owner.slug),
        "to" => texts(c.to.iter().map(|t| t.slug.as_str())),
        "to_external" => texts(c.to_external.iter().map(String::as_str)),
        "promised" => date(c.promised),
        "due" => date(c.due),
        "delivered" => optional_date(c.delivered),
        "closed" => optional_date(c.closed),
        "reason" => optional_text(c.reason.as_deref()),
        "status" => c.status.map_or(Dynamic::UNIT, |s| shared_name(s.name())),
        "revisions" => c
            .revisions
            .iter()
            .map(|r| {
                let mut revision = Map::new();
                revision.insert("date".into(), optional_date(r.date));
                revision.insert("new_due".into(), date(r.new_due));
                revision.insert("reason".into(), text(&r.reason));
                Dynamic::from_map(revision)
            })
            .collect::<Array>()
            .into(),
        "satisfaction" => c
            .satisfaction
            .map_or(Dynamic::UNIT, |s| Dynamic::from_int(INT::from(s))),
        "effective_due" => date(c.derived.effective_due),
        "ended" => optional_date(c.derived.ended),
        "days_late" => Dynamic::from_int(c.derived.days_late),
        "slips" => Dynamic::from_int(c.derived.slips as INT),
        "state" => shared_name(c.derived.state.name()),
        "quiet_changes" => c
            .quiet_changes
            .iter()
            .map(|q| {
                let mut change = Map::new();
                change.insert("date".into(), date(q.date));
                change.insert("field".into(), text(&q.field));
                change.insert("old".into(), optional_text(q.old.as_deref()));
                change.insert("new".into(), optional_text(q.new.as_deref()));
                change.insert("rule".into(), shared_name(q.rule.name()));
                change.insert("commit".into(), text(&q.commit));
                change.insert("author".into(), text(&q.author));
                Dynamic::from_map(change)
            })
            .collect::<Array>()
            .into(),
        _ => return None,
    })
}

fn page_field(page: &Page, name: &str) -> Option<Dynamic> {
    Some(match name {
        "url_path" => text(&page.meta.url_path),
        "is_section" => page.is_section.into(),
        _ => return None,
    })
}

/// Registers the `item` type: a getter for every field name, `c["name"]`,
/// and the read-only part of the map API.
pub(crate) fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Item>("item");
    let names = COMMON_FIELDS
        .iter()
        .chain(&TEAM_FIELDS)
        .chain(&TERM_FIELDS)
        .chain(&STORY_FIELDS)
        .chain(&COMMITMENT_FIELDS)
        .chain(&PAGE_FIELDS);
    let mut seen = std::collections::HashSet::new();
    for name in names.copied().filter(|n| seen.insert(*n)) {
        engine.register_get(name, move |item: &mut Item| item.get(name));
    }
    engine.register_indexer_get(|item: &mut Item, name: &str| item.get(name));
    engine.register_fn("keys", |item: &mut Item| -> Array {
        item.keys().map(Dynamic::from).collect()
    });
    engine.register_fn("values", |item: &mut Item| -> Array {
        item.keys().map(|k| item.get(k)).collect()
    });
    engine.register_fn("len", |item: &mut Item| -> INT { item.keys().count() as INT });
    engine.register_fn("contains", |item: &mut Item, name: &str| item.contains(name));
    engine.register_fn("get", |item: &mut Item, name: &str| item.get(name));
    engine.register_fn("to_map", |item: &mut Item| item.to_map());
    engine.register_fn("to_string", |item: &mut Item| {
        Dynamic::from_map(item.to_map()).to_string()
    });
    engine.register_fn("to_debug", |item: &mut Item| {
        format!("{:?}", Dynamic::from_map(item.to_map()))
    });
}

/// Every item of a site as an [`Item`], aligned with the lists of
/// [`Content`].
#[derive(Clone, Default)]
pub(crate) struct Converted {
    pub teams: Vec<Item>,
    pub terms: Vec<Item>,
    pub stories: Vec<Item>,
    pub commitments: Vec<Item>,
    pub pages: Vec<Item>,
}

impl Converted {
    /// Snapshots every item, in parallel.
    pub(crate) fn new(content: &Content) -> Converted {
        Converted {
            teams: content.teams.par_iter().map(|x| Item::new(ItemRef::Team(x))).collect(),
            terms: content.terms.par_iter().map(|x| Item::new(ItemRef::Term(x))).collect(),
            stories: content
                .stories
                .par_iter()
                .map(|x| Item::new(ItemRef::Story(x)))
                .collect(),
            commitments: content
                .commitments
                .par_iter()
                .map(|x| Item::new(ItemRef::Commitment(x)))
                .collect(),
            pages: content.pages.par_iter().map(|x| Item::new(ItemRef::Page(x))).collect(),
        }
    }

    /// Takes a new snapshot of the item `key`, whose body changed (its
    /// place among the items did not). Its score is unset until a hook
    /// gives it one, as in a new run.
    pub(crate) fn renew(&mut self, content: &Content, key: &crate::model::ItemKey) {
        let (Some(at), Some(item)) = (content.position(key.kind, &key.slug), content.get(key)) else {
            return;
        };
        let list = match key.kind {
            Kind::Team => &mut self.teams,
            Kind::Term => &mut self.terms,
            Kind::Story => &mut self.stories,
            Kind::Commitment => &mut self.commitments,
            Kind::Page => &mut self.pages,
        };
        if let Some(slot) = list.get_mut(at) {
            *slot = Item::new(item);
        }
    }

    /// Frees the snapshots in parallel.
    pub(crate) fn drop_in_parallel(self) {
        let Converted {
            teams,
            terms,
            stories,
            commitments,
            pages,
        } = self;
        [teams, terms, stories, commitments, pages]
            .into_par_iter()
            .flatten()
            .for_each(drop);
    }
}

/// One month of a team's promises, for `happiness(team, month)`.
pub(crate) fn month(figures: &MonthFigures) -> Dynamic {
    let mut map = Map::new();
    map.insert("month".into(), text(&figures.month));
    for (key, value) in [
        ("made", figures.made),
        ("due", figures.due),
        ("rescheduled", figures.rescheduled),
        ("on_time", figures.on_time),
        ("late", figures.late),
        ("missed", figures.missed),
        ("dropped", figures.dropped),
        ("overdue", figures.overdue),
    ] {
        map.insert(key.into(), Dynamic::from_int(INT::from(value)));
    }
    map.insert(
        "satisfaction".into(),
        figures.satisfaction.map_or(Dynamic::UNIT, Dynamic::from_float),
    );
    map.into()
}

/// A kind, state or status name: made once, then shared, since scripts
/// read them on nearly every call.
fn shared_name(word: &'static str) -> Dynamic {
    static NAMES: OnceLock<Vec<(&'static str, ImmutableString)>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let kinds = Kind::RECORDS.iter().chain(&[Kind::Page]).map(|k| k.name());
        let states = State::ALL.iter().map(|s| s.name());
        let statuses = Status::NAMES.iter().copied();
        kinds
            .chain(states)
            .chain(statuses)
            .map(|w| (w, ImmutableString::from(w)))
            .collect()
    });
    match names.iter().find(|(w, _)| *w == word) {
        Some((_, shared)) => shared.clone().into(),
        None => text(word),
    }
}

fn text(s: &str) -> Dynamic {
    ImmutableString::from(s).into()
}

fn texts<'a>(list: impl Iterator<Item = &'a str>) -> Dynamic {
    list.map(text).collect::<Array>().into()
}

fn optional_text(s: Option<&str>) -> Dynamic {
    s.map_or(Dynamic::UNIT, text)
}

fn date(d: Date) -> Dynamic {
    d.to_string().into()
}

fn optional_date(d: Option<Date>) -> Dynamic {
    d.map_or(Dynamic::UNIT, date)
}

fn json_map(map: &serde_json::Map<String, serde_json::Value>) -> Dynamic {
    map.iter()
        .map(|(k, v)| (k.as_str().into(), from_json(v)))
        .collect::<Map>()
        .into()
}

/// A JSON value as a Rhai value (`null` is `()`).
pub(crate) fn from_json(value: &serde_json::Value) -> Dynamic {
    use serde_json::Value;
    match value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Dynamic::from_int(i),
            None => Dynamic::from_float(n.as_f64().unwrap_or(FLOAT::NAN)),
        },
        Value::String(s) => text(s),
        Value::Array(list) => list.iter().map(from_json).collect::<Array>().into(),
        Value::Object(map) => json_map(map),
    }
}

/// A Rhai value as JSON: `()` is `null`, an item is its map, and values
/// JSON has no form for (function pointers, other custom types) are their
/// text.
pub(crate) fn to_json(value: &Dynamic) -> serde_json::Value {
    use serde_json::Value;
    if value.is_unit() {
        return Value::Null;
    }
    if let Ok(b) = value.as_bool() {
        return Value::Bool(b);
    }
    if let Ok(i) = value.as_int() {
        return Value::from(i);
    }
    if let Ok(f) = value.as_float() {
        return serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number);
    }
    if let Some(list) = value.read_lock::<Array>() {
        return Value::Array(list.iter().map(to_json).collect());
    }
    if let Some(map) = value.read_lock::<Map>() {
        return Value::Object(map.iter().map(|(k, v)| (k.to_string(), to_json(v))).collect());
    }
    if let Some(item) = value.read_lock::<Item>() {
        return to_json(&Dynamic::from_map(item.to_map()));
    }
    if let Ok(text) = value.clone().into_immutable_string() {
        return Value::String(text.to_string());
    }
    Value::String(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commitment() -> Item {
        let text = "---\ntitle: Pricing page\nowner: marketing\nto: [sales]\npromised: 2026-01-05\ndue: 2026-02-01\n\
                    revisions:\n  - date: 2026-01-20\n    new_due: 2026-03-01\n    reason: legal review\n\
                    delivered: 2026-02-11\nsatisfaction: 4\nlaunch_week: 7\n---\nWe shipped it.\n";
        let today = Date::parse("2026-06-15").unwrap();
        let outcome = crate::model::read::read_item("content/commitments/pricing-page.md", Arc::from(text), today);
        match outcome.item {
            Some(crate::model::Item::Commitment(c)) => Item::new(ItemRef::Commitment(&c)),
            other => panic!("{other:?} {:?}", outcome.diagnostics),
        }
    }

    #[test]
    fn items_give_every_field_and_derived_value() {
        let c = commitment();
        let text = |name: &str| {
            c.get(name)
                .into_immutable_string()
                .map(|s| s.to_string())
                .unwrap_or_default()
        };
        assert_eq!(text("kind"), "commitment");
        assert_eq!(text("slug"), "pricing-page");
        assert_eq!(text("state"), "late");
        assert_eq!(text("effective_due"), "2026-03-01");
        assert_eq!(text("delivered"), "2026-02-11");
        assert_eq!(text("body"), "We shipped it.\n");
        assert_eq!(c.get("days_late").as_int(), Ok(10));
        assert_eq!(c.get("slips").as_int(), Ok(1));
        assert_eq!(c.get("satisfaction").as_int(), Ok(4));
        assert!(c.get("status").is_unit());
        assert!(c.get("nope").is_unit());
        assert_eq!(to_json(&c.get("extra")), serde_json::json!({"launch_week": 7}));
        assert_eq!(
            to_json(&c.get("revisions")),
            serde_json::json!([{"date": "2026-01-20", "new_due": "2026-03-01", "reason": "legal review"}])
        );
        assert!(c.contains("to_external") && !c.contains("teams"));
        assert_eq!(c.to_map().len(), c.keys().count());
    }

    #[test]
    fn the_score_appears_once_set() {
        let c = commitment();
        assert!(c.get("score").is_unit());
        c.set_score(72.5);
        assert_eq!(c.get("score").as_float(), Ok(72.5));
    }

    #[test]
    fn json_round_trips() {
        let json = serde_json::json!({"a": [1, 2.5, "x", null, true], "b": {"c": "d"}});
        assert_eq!(to_json(&from_json(&json)), json);
    }
}
