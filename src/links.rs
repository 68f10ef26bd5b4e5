//! Resolving what authors link to: `[[wiki-links]]` to terms, teams, stories
//! and commitments, and relative Markdown links to other content files.
//!
//! [`LinkIndex`] is built once per build from [`Content`] with hash maps, so
//! each link costs a lookup. Terms are found by slug, title, acronym or alias,
//! case-insensitively, in that order of precedence.
//!
//! Files left out of the site for their errors ([`crate::model::Partial`])
//! still exist: a link to one is not reported (its own error is the one to
//! fix), and [`check_body`] checks the links in its body.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::closest;
use crate::model::read::place;
use crate::model::text::one_line;
use crate::model::{Content, ItemKey, ItemRef, Kind};

/// Where a link goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub key: ItemKey,
    /// URL path relative to the base path (`glossary/mql/`).
    pub url_path: String,
    pub title: String,
    /// What to show for a `[[link]]` without a label.
    pub label: String,
    /// A one-line description for the link's `title` attribute.
    pub tooltip: Option<String>,
}

/// Why a link did not resolve, with what the author may have meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub message: String,
    pub hint: String,
    /// The target exists but its own file has errors: that file's error is
    /// the one to report, not every link to it.
    pub quiet: bool,
}

/// Everything links can point at, by every name they may use.
#[derive(Debug, Clone, Default)]
pub struct LinkIndex {
    /// Lowercased slug/title/acronym/alias -> term slug, by precedence.
    terms: HashMap<String, String>,
    /// (kind, lowercased slug) -> slug, for teams, stories and commitments.
    slugs: HashMap<(Kind, String), String>,
    /// Source path (`content/glossary/mql.md`) -> item key, for every
    /// content file, left out or not.
    paths: HashMap<String, ItemKey>,
    /// Item key -> (url path, title, acronym, tooltip).
    targets: HashMap<ItemKey, TargetInfo>,
    /// Where the files left out for their errors would be, by key.
    left_out: HashMap<ItemKey, TargetInfo>,
    /// Display names of terms for suggestions.
    term_names: Vec<String>,
    drafts: HashSet<ItemKey>,
    /// Items whose file has errors, by key.
    broken: HashSet<ItemKey>,
    /// Lowercased titles, acronyms and aliases of terms whose file has errors.
    broken_names: HashSet<String>,
    /// Non-Markdown files under `content/`, by path relative to `content/`.
    assets: HashSet<String>,
}

#[derive(Debug, Clone)]
struct TargetInfo {
    url_path: String,
    title: String,
    acronym: Option<String>,
    tooltip: Option<String>,
}

impl LinkIndex {
    /// Builds the index. `drafts` are items left out of this build: links to
    /// them are reported with a hint to build with `--drafts`.
    pub fn new(content: &Content, drafts: &[ItemKey]) -> LinkIndex {
        let mut index = LinkIndex::default();
        for item in content.items() {
            let meta = item.meta();
            let key = meta.key();
            let (acronym, tooltip) = match item {
                ItemRef::Term(t) => (t.acronym.clone(), one_line(meta.body())),
                ItemRef::Team(t) => (t.short.clone(), None),
                _ => (None, None),
            };
            index.paths.insert(meta.path.clone(), key.clone());
            index.targets.insert(
                key.clone(),
                TargetInfo {
                    url_path: meta.url_path.clone(),
                    title: meta.title.clone(),
                    acronym,
                    tooltip,
                },
            );
            if meta.kind != Kind::Term && meta.kind != Kind::Page {
                index
                    .slugs
                    .insert((meta.kind, meta.slug.to_lowercase()), meta.slug.clone());
            }
        }
        // Lowest precedence first, so that higher ones overwrite.
        for t in content.terms.iter().rev() {
            for alias in &t.aliases {
                index.terms.insert(alias.to_lowercase(), t.meta.slug.clone());
            }
        }
        for t in content.terms.iter().rev() {
            if let Some(acronym) = &t.acronym {
                index.terms.insert(acronym.to_lowercase(), t.meta.slug.clone());
            }
        }
        for t in content.terms.iter().rev() {
            index.terms.insert(t.meta.title.to_lowercase(), t.meta.slug.clone());
        }
        for t in content.terms.iter().rev() {
            index.terms.insert(t.meta.slug.to_lowercase(), t.meta.slug.clone());
        }
        index.term_names = content
            .terms
            .iter()
            .flat_map(|t| {
                std::iter::once(t.meta.slug.clone())
                    .chain(t.acronym.clone())
                    .chain(std::iter::once(t.meta.title.clone()))
            })
            .collect();
        for key in drafts {
            index.drafts.insert(key.clone());
        }
        index.broken = content.broken.clone();
        for partial in &content.partials {
            let meta = &partial.meta;
            index.paths.entry(meta.path.clone()).or_insert_with(|| meta.key());
            index.left_out.entry(meta.key()).or_insert_with(|| TargetInfo {
                url_path: meta.url_path.clone(),
                title: meta.title.clone(),
                acronym: None,
                tooltip: None,
            });
            if meta.kind == Kind::Term {
                index
                    .broken_names
                    .extend(partial.names.iter().map(|name| name.to_lowercase()));
            }
        }
        index
    }

    /// Registers the files under `content/` that are copied beside pages
    /// (`guides/diagram.png`), so relative links to them can be anchored.
    pub fn with_assets<'a>(mut self, paths: impl IntoIterator<Item = &'a str>) -> LinkIndex {
        self.assets = paths.into_iter().map(str::to_string).collect();
        self
    }

    /// Whether `path` (relative to `content/`) is a file copied to the output.
    pub(crate) fn has_asset(&self, path: &str) -> bool {
        self.assets.contains(path)
    }

    /// Resolves the target of a `[[...]]` link (without its `|label`).
    pub fn resolve_wiki(&self, target: &str) -> Result<Target, Unresolved> {
        let target = target.trim();
        let (kind, name) = match target.split_once(':') {
            Some((prefix, rest)) if Kind::from_link_prefix(prefix).is_some() => {
                (Kind::from_link_prefix(prefix), rest.trim())
            }
            _ => (None, target),
        };
        // A fragment (`[[mql#history]]`) links into the page.
        let (name, fragment) = match name.split_once('#') {
            Some((n, f)) => (n.trim(), Some(f.trim())),
            None => (name, None),
        };
        let lower = name.to_lowercase();
        let found = match kind {
            None | Some(Kind::Term) => self
                .terms
                .get(&lower)
                .map(|slug| ItemKey::new(Kind::Term, slug.clone())),
            Some(kind) => self
                .slugs
                .get(&(kind, lower.clone()))
                .map(|slug| ItemKey::new(kind, slug.clone())),
        };
        let Some(key) = found else {
            return Err(self.unresolved(kind.unwrap_or(Kind::Term), name));
        };
        let mut resolved = self.target(&key).ok_or_else(|| self.unresolved(key.kind, name))?;
        if kind.is_none() || kind == Some(Kind::Term) {
            // `[[mql]]` shows the acronym; `[[Marketing Qualified Lead]]` as written.
            let info = &self.targets[&key];
            resolved.label = match &info.acronym {
                Some(acronym) if lower == key.slug || lower == acronym.to_lowercase() => acronym.clone(),
                _ if lower == key.slug => info.title.clone(),
                _ => name.to_string(),
            };
        }
        if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
            resolved.url_path = format!("{}#{fragment}", resolved.url_path);
        }
        Ok(resolved)
    }

    /// Resolves a relative link `href` written in the file at `from`
    /// (`content/stories/x.md`) to another content file.
    pub fn resolve_path(&self, from: &str, href: &str) -> Result<Target, Unresolved> {
        let (path_part, fragment) = match href.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (href, None),
        };
        // A query means nothing to a static page; it is dropped.
        let path_part = path_part.split('?').next().unwrap_or(path_part);
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        let joined = normalize(&format!("{dir}/{}", percent_decode(path_part)));
        let Some(key) = joined.as_deref().and_then(|p| self.paths.get(p)) else {
            let wanted = joined.unwrap_or_else(|| href.to_string());
            if self.is_draft_path(&wanted) {
                return Err(Unresolved {
                    message: format!("broken link `{href}`: `{wanted}` is a draft"),
                    hint: "build with --drafts to include it, or remove the link".to_string(),
                    quiet: false,
                });
            }
            let hint = match self.near_path(&wanted) {
                Some(p) => format!("did you mean `{}`?", relative_href(dir, &p)),
                None => "link to a `.md` file under `content/`, relative to this file".to_string(),
            };
            return Err(Unresolved {
                message: format!("broken link `{href}`: no content file `{wanted}`"),
                hint,
                quiet: false,
            });
        };
        // A file left out for its errors resolves to where its page would
        // be: its own error is reported, and the build fails on it anyway.
        let mut target = self
            .target(key)
            .or_else(|| self.left_out_target(key))
            .ok_or_else(|| Unresolved {
                message: format!("broken link `{href}`"),
                hint: "the target is a draft; build with --drafts".to_string(),
                quiet: false,
            })?;
        if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
            target.url_path = format!("{}#{fragment}", target.url_path);
        }
        Ok(target)
    }

    /// Whether the content file at `path` is a draft left out of this build
    /// (found by the slug its path gives it).
    fn is_draft_path(&self, path: &str) -> bool {
        let Some(rel) = path.strip_prefix("content/") else {
            return false;
        };
        let placement = place(rel);
        self.drafts.contains(&ItemKey::new(placement.kind, placement.slug))
    }

    /// Where the file `key`, left out for its errors, would be.
    fn left_out_target(&self, key: &ItemKey) -> Option<Target> {
        let info = self.left_out.get(key)?;
        Some(Target {
            key: key.clone(),
            url_path: info.url_path.clone(),
            title: info.title.clone(),
            label: info.title.clone(),
            tooltip: None,
        })
    }

    /// The content file a broken link to `wanted` probably meant: a file of
    /// the same name in another folder (it moved), else a near-miss of the
    /// name in the same folder. Names are compared without `.md`, since a
    /// shared folder and extension would make every sibling look close.
    fn near_path(&self, wanted: &str) -> Option<String> {
        let (wanted_dir, file) = split_path(wanted);
        let moved = self.paths.keys().filter(|p| split_path(p).1 == file).min();
        if let Some(p) = moved {
            return Some(p.clone());
        }
        let stem = |name: &'_ str| name.strip_suffix(".md").unwrap_or(name).to_string();
        let siblings: Vec<String> = self
            .paths
            .keys()
            .map(|p| split_path(p))
            .filter(|(dir, _)| *dir == wanted_dir)
            .map(|(_, name)| stem(name))
            .collect();
        let near = closest(&stem(file), siblings.iter().map(String::as_str), 1);
        near.first().map(|name| match wanted_dir {
            "" => format!("{name}.md"),
            dir => format!("{dir}/{name}.md"),
        })
    }

    /// Where the item `key` lives.
    pub(crate) fn target(&self, key: &ItemKey) -> Option<Target> {
        let info = self.targets.get(key)?;
        Some(Target {
            key: key.clone(),
            url_path: info.url_path.clone(),
            title: info.title.clone(),
            label: info.title.clone(),
            tooltip: info.tooltip.clone(),
        })
    }

    fn unresolved(&self, kind: Kind, name: &str) -> Unresolved {
        let suggestions: Vec<String> = if kind == Kind::Term {
            closest(name, self.term_names.iter().map(String::as_str), 3)
                .into_iter()
                .map(str::to_string)
                .collect()
        } else {
            let slugs = self
                .slugs
                .iter()
                .filter(|((k, _), _)| *k == kind)
                .map(|(_, s)| s.as_str());
            let mut near: Vec<String> = closest(name, slugs, 3).into_iter().map(str::to_string).collect();
            near.sort();
            near
        };
        let prefix = if kind == Kind::Term {
            String::new()
        } else {
            format!("{}:", kind.name())
        };
        let draft = self.drafts.contains(&ItemKey::new(kind, name.to_lowercase()));
        let hint = if draft {
            format!("`{name}` is a draft; build with --drafts to include it")
        } else if suggestions.is_empty() {
            match kind {
                Kind::Term => format!(
                    "no glossary term has that slug, title, acronym or alias; add `content/glossary/{}.md` or fix the link",
                    crate::model::slugify(name)
                ),
                _ => format!("no {} has that slug; check `content/{}/`", kind.name(), kind.section()),
            }
        } else {
            format!(
                "did you mean {}?",
                suggestions
                    .iter()
                    .map(|s| format!("`[[{prefix}{s}]]`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        };
        let quiet = self.broken.contains(&ItemKey::new(kind, crate::model::slugify(name)))
            || (kind == Kind::Term && self.broken_names.contains(&name.to_lowercase()));
        Unresolved {
            message: format!("unresolved link `[[{prefix}{name}]]`: no {} `{name}`", kind.name()),
            hint,
            quiet,
        }
    }

    /// The tooltip (one-line definition) of a term, for templates.
    pub(crate) fn tooltip(&self, key: &ItemKey) -> Option<&str> {
        self.targets.get(key)?.tooltip.as_deref()
    }

    /// Every term acronym with its term, for `<abbr>` in body text.
    pub(crate) fn acronyms(&self) -> impl Iterator<Item = (&str, &ItemKey, &str)> {
        self.targets.iter().filter_map(|(key, info)| {
            let acronym = info.acronym.as_deref()?;
            (key.kind == Kind::Term).then_some((acronym, key, info.title.as_str()))
        })
    }
}

/// A `/`-separated path's folder and file name.
fn split_path(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// Collapses `.` and `..` in a `/`-separated path; `None` if it climbs out.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

fn relative_href(from_dir: &str, to: &str) -> String {
    let from: Vec<&str> = from_dir.split('/').filter(|s| !s.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut out: Vec<&str> = vec![".."; from.len() - common];
    out.extend(&to_parts[common..]);
    out.join("/")
}

/// Decodes `%XX` escapes; invalid ones are kept as they are.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // `get` rather than slicing: the two bytes after `%` may cut a
        // multi-byte character (`%aé`), which is text, not an escape.
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_relative_paths() {
        assert_eq!(
            normalize("content/stories/../glossary/mql.md").as_deref(),
            Some("content/glossary/mql.md")
        );
        assert_eq!(normalize("content/./a.md").as_deref(), Some("content/a.md"));
        assert_eq!(normalize("../../x"), None);
        assert_eq!(
            relative_href("content/stories", "content/glossary/mql.md"),
            "../glossary/mql.md"
        );
        assert_eq!(percent_decode("a%20b.md"), "a b.md");
        assert_eq!(percent_decode("a%aé.md"), "a%aé.md");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%+1"), "%+1");
    }
}
