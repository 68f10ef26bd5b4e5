//! Checks across files: duplicate slugs and URLs, and references between
//! items (owners, recipients, credited teams, related terms, delivered
//! commitments).
//!
//! Checks inside one file live in [`crate::model::read`]; links in Markdown
//! bodies are checked where they are rendered ([`crate::render::markdown`]),
//! except in files left out of the site for their errors ([`Partial`]s),
//! whose references and links are checked here so that one run reports
//! every problem of a file.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Diagnostic, closest};
use crate::model::{Content, FieldRef, Item, ItemKey, Kind, Meta, Partial, Ref};

/// URL paths that list pages own; a plain page may not take them.
const RESERVED: [&str; 9] = [
    "glossary/",
    "teams/",
    "stories/",
    "commitments/",
    "scores/",
    "search/",
    "happiness/",
    "gaps/",
    "ledger/",
];

/// Keeps the first item (by path) for every slug, case-insensitively, and
/// reports the others. Also refuses plain pages that would replace a list
/// page. What is refused stays as an [`Item::Partial`], so that its
/// references and links are still checked and links to it are not broken.
pub(crate) fn remove_duplicates(mut items: Vec<Item>) -> (Vec<Item>, Vec<Diagnostic>) {
    items.sort_by(|a, b| a.meta().path.cmp(&b.meta().path));
    let mut seen: HashMap<(Kind, String), String> = HashMap::new();
    let mut urls: HashMap<String, String> = HashMap::new();
    let mut kept = Vec::with_capacity(items.len());
    let mut diagnostics = Vec::new();
    for item in items {
        if matches!(item, Item::Partial(_)) {
            // Already left out for its errors: it takes no slug or URL.
            kept.push(item);
            continue;
        }
        let meta = item.meta();
        if meta.kind == Kind::Page {
            let reserved = RESERVED.contains(&meta.url_path.as_str());
            let is_intro = reserved && is_section_intro(&item);
            if reserved && !is_intro {
                diagnostics.push(
                    Diagnostic::error(
                        &meta.path,
                        format!("page would replace the list page at `/{}`", meta.url_path),
                    )
                    .at(1, 1)
                    .hint(format!(
                        "to give that page an intro, write `content/{}_index.md`; otherwise rename this file",
                        meta.url_path
                    )),
                );
                kept.push(Item::Partial(Partial::of_item(item)));
                continue;
            }
        }
        let folded = (meta.kind, meta.slug.to_lowercase());
        // Two items of different kinds can still want the same URL
        // (`content/teams/sales/index.md` and the team `sales`).
        let url = meta.url_path.to_lowercase();
        if let Some(first) = seen.get(&folded) {
            let what = if meta.kind == Kind::Page {
                format!("duplicate page URL `/{}`", meta.url_path)
            } else {
                format!("duplicate {} slug `{}`", meta.kind.name(), meta.slug)
            };
            diagnostics.push(
                Diagnostic::error(&meta.path, format!("{what}: `{first}` has it too"))
                    .at(1, 1)
                    .hint(if meta.kind == Kind::Page {
                        "URLs are compared ignoring case; rename or move one of the files"
                    } else {
                        "slugs are compared ignoring case; rename one file or set a different `slug`"
                    }),
            );
            kept.push(Item::Partial(Partial::of_item(item)));
        } else if let Some(first) = urls.get(&url) {
            diagnostics.push(
                Diagnostic::error(
                    &meta.path,
                    format!("`/{}` is also the page of `{first}`", meta.url_path),
                )
                .at(1, 1)
                .hint("two files cannot have the same URL; rename or move one of them"),
            );
            kept.push(Item::Partial(Partial::of_item(item)));
        } else {
            seen.insert(folded, meta.path.clone());
            urls.insert(url, meta.path.clone());
            kept.push(item);
        }
    }
    (kept, diagnostics)
}

fn is_section_intro(item: &Item) -> bool {
    matches!(item, Item::Page(p) if p.is_section)
}

/// Checks every reference in front matter against the items that exist,
/// for the items and for the files left out for their errors alike (the
/// links in bodies are checked as bodies are rendered, the left-out files'
/// included: [`crate::render::check_partials`]).
pub(crate) fn check_references(content: &Content, drafts: &HashSet<ItemKey>) -> Vec<Diagnostic> {
    let checker = RefChecker {
        content,
        drafts,
        slugs: Kind::RECORDS.iter().map(|k| (*k, content.slugs(*k))).collect(),
    };
    let mut out = Vec::new();
    for item in content.items() {
        checker.check_all(item.meta(), &item.references(), &mut out);
    }
    let partials: Vec<&Partial> = content.partials.iter().filter(|p| p.checked).collect();
    for partial in &partials {
        checker.check_all(&partial.meta, &partial.references, &mut out);
    }
    out
}

struct RefChecker<'a> {
    content: &'a Content,
    drafts: &'a HashSet<ItemKey>,
    slugs: HashMap<Kind, Vec<&'a str>>,
}

impl RefChecker<'_> {
    /// Checks the references of the item (or partial item) `meta`.
    fn check_all(&self, meta: &Meta, references: &[FieldRef], out: &mut Vec<Diagnostic>) {
        let path = &meta.path;
        let credited: HashSet<&str> = references
            .iter()
            .filter(|r| r.field == "teams")
            .map(|r| r.target.slug.as_str())
            .collect();
        for reference in references {
            let target = &reference.target;
            if reference.field == "related" && target.slug == meta.slug {
                out.push(
                    Diagnostic::warning(path, "a term cannot be related to itself")
                        .at_pos(target.pos)
                        .hint("remove it from `related`"),
                );
                continue;
            }
            let found = self.check(path, target, reference.kind, reference.field, out);
            // A story whose `teams` could not be read already has that error.
            if found
                && reference.field == "contributions"
                && !credited.is_empty()
                && !credited.contains(target.slug.as_str())
            {
                out.push(
                    Diagnostic::warning(
                        path,
                        format!("`{}` has a contribution but is not in `teams`", target.slug),
                    )
                    .at_pos(target.pos)
                    .hint(format!("add `{}` to `teams` so the story credits it", target.slug)),
                );
            }
        }
    }

    /// Reports `reference` if no item of `kind` has its slug; true when it resolves.
    fn check(&self, path: &str, reference: &Ref, kind: Kind, field: &str, out: &mut Vec<Diagnostic>) -> bool {
        if self.content.contains(kind, &reference.slug) {
            return true;
        }
        let key = ItemKey::new(kind, reference.slug.clone());
        if self.content.broken.contains(&key) {
            // Its own file already has an error; one report is enough.
            return false;
        }
        let hint = if self.drafts.contains(&key) {
            format!(
                "`{}` is a draft; build with --drafts, or remove the reference",
                reference.slug
            )
        } else {
            let known = self.slugs.get(&kind).map(Vec::as_slice).unwrap_or_default();
            let near = closest(&reference.slug, known.iter().copied(), 3);
            if near.is_empty() {
                let mut list: Vec<&str> = known.iter().copied().take(8).collect();
                list.sort_unstable();
                if list.is_empty() {
                    format!(
                        "there are no {}s yet; add one under `content/{}/`",
                        kind.name(),
                        kind.section()
                    )
                } else {
                    format!(
                        "known {}s include {}",
                        kind.name(),
                        list.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
                    )
                }
            } else {
                format!(
                    "did you mean {}?",
                    near.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" or ")
                )
            }
        };
        out.push(
            Diagnostic::error(
                path,
                format!("unknown {} `{}` in `{field}`", kind.name(), reference.slug),
            )
            .at_pos(reference.pos)
            .hint(hint),
        );
        false
    }
}
