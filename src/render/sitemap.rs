//! `/sitemap.xml`: every page's address, with its last change where known.
//!
//! An item's page changed when its file last did: the git date, else the
//! front matter's `updated`, else its `date`. A list page (home, glossary,
//! teams, stories, commitments, a folder) changed when the newest of the
//! items it lists did. Pages with nothing to date (the scores page) have no
//! `lastmod`. docs/data.md documents the file.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::date::Date;
use crate::model::{ItemRef, Kind};
use crate::render::pages::PageJob;
use crate::render::xml::escape;
use crate::site::Site;

/// The sitemap of `jobs`. URLs are absolute when `base_url` names a host,
/// else paths from the site root.
pub(crate) fn sitemap(site: &Site, jobs: &[PageJob]) -> String {
    let prefix = match site.config.origin() {
        Some(origin) => format!("{origin}{}", site.config.base_path()),
        None => site.config.base_path(),
    };
    let lastmods = Lastmods::new(site);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for job in jobs.iter().filter(|j| j.in_sitemap()) {
        let _ = write!(
            out,
            "  <url><loc>{}</loc>",
            escape(&format!("{prefix}{}", job.url_path()))
        );
        if let Some(date) = lastmods.of(site, job) {
            let _ = write!(out, "<lastmod>{date}</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// When an item last changed: git, else `updated`, else `date`.
pub(crate) fn item_lastmod(site: &Site, item: ItemRef<'_>) -> Option<Date> {
    let meta = item.meta();
    site.last_updated(&meta.path).or(meta.updated).or(meta.date)
}

/// The newest change of every list, gathered in one pass over the items.
struct Lastmods {
    /// Newest of every item.
    all: Option<Date>,
    /// Newest of each kind's items, with the kind's intro (`glossary/_index.md`).
    by_kind: HashMap<Kind, Date>,
    /// Each plain page's date, by URL path, for folder pages.
    pages: Vec<(String, Date)>,
}

impl Lastmods {
    fn new(site: &Site) -> Lastmods {
        let mut lastmods = Lastmods {
            all: None,
            by_kind: HashMap::new(),
            pages: Vec::new(),
        };
        for item in site.content.items() {
            let Some(date) = item_lastmod(site, item) else {
                continue;
            };
            let meta = item.meta();
            lastmods.all = lastmods.all.max(Some(date));
            let kind = match meta.kind {
                Kind::Page => Kind::from_section(meta.url_path.trim_end_matches('/')),
                kind => Some(kind),
            };
            if let Some(kind) = kind {
                let newest = lastmods.by_kind.entry(kind).or_insert(date);
                *newest = (*newest).max(date);
            }
            if meta.kind == Kind::Page {
                lastmods.pages.push((meta.url_path.clone(), date));
            }
        }
        lastmods
    }

    fn of(&self, site: &Site, job: &PageJob) -> Option<Date> {
        match job {
            PageJob::Item(key) => item_lastmod(site, site.content.get(key)?),
            PageJob::Home => self.all,
            PageJob::Glossary(_) => self.by_kind.get(&Kind::Term).copied(),
            PageJob::Teams => self.by_kind.get(&Kind::Team).copied(),
            PageJob::Stories(_) => self.by_kind.get(&Kind::Story).copied(),
            PageJob::Commitments => self.by_kind.get(&Kind::Commitment).copied(),
            PageJob::Folder(folder) => self
                .pages
                .iter()
                .filter(|(path, _)| path.starts_with(folder.as_str()))
                .map(|(_, date)| *date)
                .max(),
            // The scores page and the 404 page list nothing dated.
            _ => None,
        }
    }
}
