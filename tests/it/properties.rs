//! Property tests: the readers of user input never panic, whatever they are
//! given, and the positions they report stay inside the file. Arbitrary
//! bytes through the file reader, arbitrary front-matter structures and
//! YAML-like text through the item reader, arbitrary link targets through
//! the link resolver, arbitrary Markdown through the renderer. 256 cases
//! each, so the suite stays fast.

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use serde_yaml::{Mapping, Value};

use rapport::config::RawHtml;
use rapport::date::Date;
use rapport::diagnostic::{Diagnostic, LineIndex, Pos, closest};
use rapport::links::{self, LinkIndex};
use rapport::model::read::read_item;
use rapport::render::markdown::{self, Abbreviations, BodyInput, MarkdownOptions};
use rapport::{BuildOptions, Site, front_matter, load};

use crate::support::{SiteTest, TODAY, manifest_dir};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn today() -> Date {
    Date::parse(TODAY).unwrap()
}

/// The `good` fixture, loaded once: its link index resolves the links.
fn good_site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| Site::load(&manifest_dir().join("tests/fixtures/good"), &BuildOptions::new(today())).unwrap())
}

fn link_index() -> &'static LinkIndex {
    static INDEX: OnceLock<LinkIndex> = OnceLock::new();
    INDEX.get_or_init(|| LinkIndex::new(&good_site().content, &[]))
}

/// Every diagnostic is at a line of `text` (or at line 0, the whole file).
fn assert_inside(diagnostics: &[Diagnostic], text: &str) {
    let lines = text.split('\n').count();
    for d in diagnostics {
        assert!(
            d.line <= lines,
            "line {} of {lines}: {d:?}\n--- text ---\n{text}",
            d.line
        );
        assert!(d.line == 0 || d.column >= 1, "{d:?}");
    }
}

/// The folders that decide an item's kind.
const PLACES: [&str; 5] = [
    "content/teams/x.md",
    "content/glossary/x.md",
    "content/stories/x.md",
    "content/commitments/x.md",
    "content/guides/x.md",
];

/// Field names rapport knows, and some it does not.
const KEYS: [&str; 24] = [
    "title",
    "slug",
    "draft",
    "tags",
    "date",
    "updated",
    "short",
    "color",
    "lead",
    "members",
    "acronym",
    "aliases",
    "owner",
    "definitions",
    "related",
    "teams",
    "contributions",
    "customer",
    "outcome",
    "commitments",
    "promised",
    "due",
    "revisions",
    "satisfaction",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        any::<f64>().prop_map(|f| Value::Number(f.into())),
        "(19|20|21|99)[0-9]{2}-[01][0-9]-[0-3][0-9]".prop_map(Value::String),
        prop::sample::select(&KEYS[..]).prop_map(|k| Value::String(k.to_string())),
        "\\PC{0,12}".prop_map(Value::String),
    ]
}

/// Arbitrary YAML values, a few levels deep.
fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Sequence),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|pairs| Value::Mapping(pairs.into_iter().collect::<Mapping>())),
        ]
    })
}

fn key() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => prop::sample::select(&KEYS[..]).prop_map(|k| Value::String(k.to_string())),
        1 => "[a-z_]{1,8}".prop_map(Value::String),
        1 => scalar(),
    ]
}

/// Front matter as a map of fields, known ones mostly.
fn front_matter_map() -> impl Strategy<Value = Mapping> {
    prop::collection::vec((key(), value()), 0..10).prop_map(|pairs| pairs.into_iter().collect())
}

/// Text made of the pieces YAML and Markdown are made of.
fn yamlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\n".to_string()),
        Just("  ".to_string()),
        Just("\t".to_string()),
        Just("- ".to_string()),
        Just(": ".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(", ".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("#".to_string()),
        Just("|\n".to_string()),
        Just("&a ".to_string()),
        Just("*a".to_string()),
        Just("---\n".to_string()),
        Just("\r\n".to_string()),
        Just("[[".to_string()),
        Just("]]".to_string()),
        Just("\u{feff}".to_string()),
        prop::sample::select(&KEYS[..]).prop_map(str::to_string),
        "\\PC{0,6}",
    ];
    prop::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_file_reader_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let site = SiteTest::empty();
        let path = site.root().join("content/x.md");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        match load::read_text(site.root(), "content/x.md") {
            Ok(file) => {
                prop_assert_eq!(file.text.as_bytes(), &bytes[..]);
                let out = read_item(&file.path, file.text.clone(), today());
                assert_inside(&out.diagnostics, &file.text);
            }
            Err(d) => {
                prop_assert!(std::str::from_utf8(&bytes).is_err(), "{:?}", d);
                prop_assert!(d.message.contains("UTF-8"), "{:?}", d);
            }
        }
    }

    #[test]
    fn the_item_reader_takes_any_text(text in "\\PC{0,300}", place in prop::sample::select(&PLACES[..])) {
        let out = read_item(place, Arc::from(text.as_str()), today());
        assert_inside(&out.diagnostics, &text);
    }

    #[test]
    fn the_item_reader_takes_any_yamlish_front_matter(
        yaml in yamlish(),
        body in yamlish(),
        place in prop::sample::select(&PLACES[..]),
    ) {
        let text = format!("---\n{yaml}\n---\n{body}");
        let out = read_item(place, Arc::from(text.as_str()), today());
        assert_inside(&out.diagnostics, &text);
    }

    #[test]
    fn the_item_reader_takes_any_front_matter_structure(
        map in front_matter_map(),
        body in "\\PC{0,80}",
        place in prop::sample::select(&PLACES[..]),
    ) {
        let yaml = serde_yaml::to_string(&Value::Mapping(map.clone())).unwrap();
        let text = format!("---\n{yaml}---\n{body}");
        let split = front_matter::split(place, &text).unwrap();
        // What serde_yaml wrote, it reads back (nesting is far below the cap).
        let parsed = front_matter::parse_yaml(place, &split);
        prop_assert!(parsed.is_ok(), "{:?}\n{}", parsed.err(), yaml);
        let out = read_item(place, Arc::from(text.as_str()), today());
        assert_inside(&out.diagnostics, &text);
    }

    #[test]
    fn wiki_link_targets_of_any_text_resolve_or_say_why(target in "\\PC{0,40}") {
        let index = link_index();
        match index.resolve_wiki(&target) {
            Ok(found) => prop_assert!(!found.url_path.is_empty()),
            Err(why) => prop_assert!(why.message.starts_with("unresolved link"), "{}", why.message),
        }
        for kind in ["team:", "story:", "commitment:", "term:", "page:"] {
            let _ = index.resolve_wiki(&format!("{kind}{target}"));
        }
        let _ = index.resolve_path("content/stories/x.md", &target);
        let _ = links::percent_decode(&target);
        let _ = rapport::model::text::one_line(&target);
    }

    #[test]
    fn the_markdown_renderer_takes_any_text(
        body in prop_oneof!["\\PC{0,300}", yamlish()],
        raw_html in prop_oneof![Just(RawHtml::Off), Just(RawHtml::Sanitised), Just(RawHtml::Trusted)],
        heading_anchors in any::<bool>(),
        abbreviations in any::<bool>(),
    ) {
        let source = format!("---\ntitle: X\n---\n{body}");
        let input = BodyInput {
            path: "content/guides/x.md",
            source: &source,
            body_offset: source.len() - body.len(),
            base_path: "/",
        };
        let options = MarkdownOptions { raw_html, heading_anchors, abbreviations };
        let mut known = Abbreviations::new();
        known.insert("MQL".to_string(), "Marketing Qualified Lead".to_string());
        let rendered = markdown::render(&input, link_index(), &known, &options);
        assert_inside(&rendered.diagnostics, &source);
        // Only trusted raw HTML may carry a script.
        if raw_html != RawHtml::Trusted {
            prop_assert!(!rendered.html.contains("<script"), "{}", rendered.html);
        }
    }

    #[test]
    fn line_index_positions_match_a_scan(text in "\\PC{0,200}(\n\\PC{0,50}){0,5}", at in any::<prop::sample::Index>()) {
        let offset = at.index(text.len() + 1);
        let lines = LineIndex::new(&text);
        prop_assert_eq!(lines.pos(offset), Pos::of_offset(&text, offset));
        for (n, line) in text.lines().enumerate() {
            prop_assert_eq!(lines.line(n + 1), Some(line.trim_end_matches('\r')));
        }
        prop_assert_eq!(lines.line(text.lines().count() + 1), None);
    }

    #[test]
    fn snippet_windows_keep_the_column_on_its_character(line in "\\PC{150,600}", at in any::<prop::sample::Index>()) {
        let chars: Vec<char> = line.chars().collect();
        let column = at.index(chars.len()) + 1;
        let text = format!("first\n{line}\nlast\n");
        let (snippet, cut) = LineIndex::new(&text).window(2, column).unwrap();
        prop_assert!(snippet.chars().count() <= 162);
        let shown: Vec<char> = snippet.chars().collect();
        prop_assert_eq!(shown[column - 1 - cut], chars[column - 1]);
    }

    #[test]
    fn suggestions_are_those_of_the_plain_rule(wanted in "[a-z ]{0,12}", names in prop::collection::vec("[a-z ]{0,16}", 0..12)) {
        // The rule without its cheap bounds: what `closest` must agree with.
        let lower = wanted.to_lowercase();
        let mut plain: Vec<(f64, &str)> = names
            .iter()
            .map(String::as_str)
            .filter_map(|c| {
                let l = c.to_lowercase();
                let similarity = strsim::jaro_winkler(&lower, &l);
                let prefix = l.starts_with(&lower) || lower.starts_with(&l);
                let close = strsim::levenshtein(&lower, &l) <= 2.max(lower.chars().count() / 3)
                    || similarity >= 0.88
                    || (prefix && lower.len() >= 3);
                close.then_some((similarity, c))
            })
            .collect();
        plain.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        plain.dedup_by(|a, b| a.1 == b.1);
        let expected: Vec<&str> = plain.into_iter().take(3).map(|(_, c)| c).collect();
        prop_assert_eq!(closest(&wanted, names.iter().map(String::as_str), 3), expected);
    }
}
