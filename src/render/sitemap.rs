//! `/sitemap.xml`: every page's address, with its last change where known.

use std::fmt::Write as _;

use crate::render::pages::PageJob;
use crate::site::Site;

/// The sitemap of `jobs`. URLs are absolute when `base_url` names a host,
/// else paths from the site root.
pub fn sitemap(site: &Site, jobs: &[PageJob]) -> String {
    let prefix = match site.config.origin() {
        Some(origin) => format!("{origin}{}", site.config.base_path()),
        None => site.config.base_path(),
    };
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for job in jobs.iter().filter(|j| j.in_sitemap()) {
        let _ = write!(
            out,
            "  <url><loc>{}</loc>",
            xml_escape(&format!("{prefix}{}", job.url_path()))
        );
        if let Some(date) = lastmod(site, job) {
            let _ = write!(out, "<lastmod>{date}</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

fn lastmod(site: &Site, job: &PageJob) -> Option<String> {
    let PageJob::Item(key) = job else {
        return None;
    };
    let item = site.content.get(key)?;
    let meta = item.meta();
    if let Some(date) = site.last_updated(&meta.path) {
        return Some(date.to_string());
    }
    meta.updated.or(meta.date).map(|d| d.to_string())
}

/// Escapes text for XML element content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
