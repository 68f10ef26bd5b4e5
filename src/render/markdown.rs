//! Markdown bodies to HTML: pulldown-cmark with tables, footnotes,
//! strikethrough, task lists and wiki-links, plus what rapport adds on top.
//!
//! The event stream is rewritten on its way to the HTML writer:
//! `[[wiki-links]]` and relative `.md` links become page URLs (an unresolved
//! one is a diagnostic at its file position); raw HTML is dropped unless
//! `raw_html` is on; `javascript:` and `vbscript:` URLs are never emitted;
//! headings get ids and `#` anchors; known acronyms become `<abbr>`. The same
//! pass collects the outgoing links, the plain text and the first paragraph,
//! so each body is parsed exactly once per build.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html};
use pulldown_cmark_escape::{escape_href, escape_html};
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Pos};
use crate::links::{LinkIndex, Target};
use crate::model::{ItemKey, slugify};

/// How bodies are rendered (from `[markdown]` in `rapport.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkdownOptions {
    pub raw_html: bool,
    pub heading_anchors: bool,
    pub abbreviations: bool,
}

/// Where a body comes from and where its links go.
#[derive(Debug, Clone, Copy)]
pub struct BodyInput<'a> {
    /// The file's path relative to the site root, for diagnostics and
    /// relative links.
    pub path: &'a str,
    /// The whole file text.
    pub source: &'a str,
    /// Where the Markdown starts in `source`.
    pub body_offset: usize,
    /// The site's base path (`/` or `/alignment/`), prefixed to page URLs.
    pub base_path: &'a str,
}

/// A heading of a body, for tables of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A body rendered to HTML, with what the page around it needs to know.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RenderedBody {
    pub html: String,
    /// Items this body links to, in order of first appearance.
    pub links: Vec<ItemKey>,
    pub diagnostics: Vec<Diagnostic>,
    /// The first paragraph as plain text.
    pub summary: String,
    /// All the text, plain, for search.
    pub text: String,
    pub headings: Vec<Heading>,
}

/// Acronyms to mark up as `<abbr>`: acronym -> title.
pub type Abbreviations = HashMap<String, String>;

/// Renders one body.
pub fn render(
    input: &BodyInput<'_>,
    index: &LinkIndex,
    abbreviations: &Abbreviations,
    options: &MarkdownOptions,
) -> RenderedBody {
    let first = render_with(input, index, abbreviations, options, parser_options());
    if !first.unresolved_wiki_link {
        return first.body;
    }
    // A body with an unresolved `[[link]]` is reported (the build fails), and
    // shown as plain CommonMark, where `[[...]]` is just brackets: the text
    // reads as written, and pages stay exactly CommonMark where no wiki-link
    // applies. Links and diagnostics come from the first pass.
    let plain = render_with(
        input,
        index,
        abbreviations,
        options,
        parser_options() - Options::ENABLE_WIKILINKS,
    );
    RenderedBody {
        html: plain.body.html,
        ..first.body
    }
}

struct Pass {
    body: RenderedBody,
    unresolved_wiki_link: bool,
}

fn render_with(
    input: &BodyInput<'_>,
    index: &LinkIndex,
    abbreviations: &Abbreviations,
    options: &MarkdownOptions,
    parser: Options,
) -> Pass {
    let body = &input.source[input.body_offset..];
    let parser = Parser::new_ext(body, parser).into_offset_iter();
    let mut state = Rewriter {
        input,
        index,
        abbreviations: if options.abbreviations {
            Some(abbreviations)
        } else {
            None
        },
        options,
        out: Vec::new(),
        result: RenderedBody::default(),
        linked: HashSet::new(),
        heading: None,
        wiki: None,
        link_depth: 0,
        code_depth: 0,
        paragraphs_seen: 0,
        in_first_paragraph: false,
        heading_ids: HashSet::new(),
        unresolved_wiki_link: false,
    };
    for (event, range) in parser {
        state.event(event, range.start);
    }
    let mut html_out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut html_out, state.out.into_iter());
    let mut result = state.result;
    result.html = html_out;
    result.summary = result.summary.trim().to_string();
    result.text = collapse_whitespace(&result.text);
    Pass {
        body: result,
        unresolved_wiki_link: state.unresolved_wiki_link,
    }
}

/// The pulldown-cmark extensions rapport enables.
pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_WIKILINKS
}

/// The plain text of the first paragraph of `markdown`, if it has one.
pub fn first_paragraph_text(markdown: &str) -> Option<String> {
    let mut text = String::new();
    let mut inside = false;
    // A wiki-link without a label shows its target: `team:sales` reads as `sales`.
    let mut bare_wiki = false;
    for event in Parser::new_ext(markdown, parser_options()) {
        match event {
            Event::Start(Tag::Paragraph) => inside = true,
            Event::End(TagEnd::Paragraph) if inside => break,
            Event::Start(Tag::Link {
                link_type: LinkType::WikiLink { has_pothole },
                ..
            }) => bare_wiki = !has_pothole,
            Event::End(TagEnd::Link) => bare_wiki = false,
            Event::Text(t) if inside && bare_wiki => {
                let target = t.split_once(':').map_or(&*t, |(_, rest)| rest);
                text.push_str(&target.replace('-', " "));
            }
            Event::Text(t) | Event::Code(t) if inside => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if inside => text.push(' '),
            _ => {}
        }
    }
    let text = collapse_whitespace(&text);
    (!text.is_empty()).then_some(text)
}

struct HeadingBuffer<'a> {
    level: HeadingLevel,
    id: Option<CowStr<'a>>,
    classes: Vec<CowStr<'a>>,
    attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
    events: Vec<Event<'a>>,
    text: String,
}

struct WikiLink {
    /// Whether the author gave a label (`[[mql|leads]]`).
    has_label: bool,
    /// The label to show when there is none.
    label: String,
    resolved: bool,
}

struct Rewriter<'i, 'a> {
    input: &'i BodyInput<'i>,
    index: &'i LinkIndex,
    abbreviations: Option<&'i Abbreviations>,
    options: &'i MarkdownOptions,
    out: Vec<Event<'a>>,
    result: RenderedBody,
    linked: HashSet<ItemKey>,
    heading: Option<HeadingBuffer<'a>>,
    wiki: Option<WikiLink>,
    link_depth: usize,
    code_depth: usize,
    paragraphs_seen: usize,
    in_first_paragraph: bool,
    heading_ids: HashSet<String>,
    unresolved_wiki_link: bool,
}

impl<'a> Rewriter<'_, 'a> {
    fn emit(&mut self, event: Event<'a>) {
        match &mut self.heading {
            Some(h) => h.events.push(event),
            None => self.out.push(event),
        }
    }

    fn position(&self, offset_in_body: usize) -> Pos {
        Pos::of_offset(self.input.source, self.input.body_offset + offset_in_body)
    }

    fn url(&self, target: &Target) -> String {
        format!("{}{}", self.input.base_path, target.url_path)
    }

    fn record_link(&mut self, key: &ItemKey) {
        if self.linked.insert(key.clone()) {
            self.result.links.push(key.clone());
        }
    }

    fn collect_text(&mut self, text: &str) {
        if self.result.text.len() < 20_000 {
            self.result.text.push_str(text);
        }
        if self.in_first_paragraph {
            self.result.summary.push_str(text);
        }
        if let Some(h) = &mut self.heading {
            h.text.push_str(text);
        }
    }

    fn event(&mut self, event: Event<'a>, offset: usize) {
        // Inside a wiki-link without a label, the target text is replaced.
        if let Some(wiki) = &self.wiki
            && !wiki.has_label
            && !matches!(event, Event::End(TagEnd::Link))
        {
            return;
        }
        match event {
            Event::Html(_) | Event::InlineHtml(_) if !self.options.raw_html => {}
            Event::Start(Tag::Link {
                link_type: LinkType::WikiLink { has_pothole },
                dest_url,
                ..
            }) => self.start_wiki_link(&dest_url, has_pothole, offset),
            Event::End(TagEnd::Link) if self.wiki.is_some() => self.end_wiki_link(),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.link_depth += 1;
                let dest_url = self.rewrite_url(dest_url, offset);
                self.emit(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) => {
                self.link_depth = self.link_depth.saturating_sub(1);
                self.emit(Event::End(TagEnd::Link));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = self.rewrite_url(dest_url, offset);
                self.emit(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                self.heading = Some(HeadingBuffer {
                    level,
                    id,
                    classes,
                    attrs,
                    events: Vec::new(),
                    text: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Start(Tag::Paragraph) => {
                self.paragraphs_seen += 1;
                self.in_first_paragraph = self.paragraphs_seen == 1 && self.heading.is_none();
                self.emit(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                self.in_first_paragraph = false;
                self.result.text.push(' ');
                self.emit(Event::End(TagEnd::Paragraph));
            }
            Event::Start(tag @ Tag::CodeBlock(_)) => {
                self.code_depth += 1;
                self.emit(Event::Start(tag));
            }
            Event::End(TagEnd::CodeBlock) => {
                self.code_depth = self.code_depth.saturating_sub(1);
                self.emit(Event::End(TagEnd::CodeBlock));
            }
            Event::Text(text) => {
                self.collect_text(&text);
                self.text(text);
            }
            Event::Code(code) => {
                self.collect_text(&code);
                self.emit(Event::Code(code));
            }
            Event::SoftBreak | Event::HardBreak => {
                self.collect_text(" ");
                self.emit(event);
            }
            other => self.emit(other),
        }
    }

    /// Body text: marks up known acronyms unless inside a link, code or heading.
    fn text(&mut self, text: CowStr<'a>) {
        let Some(abbreviations) = self.abbreviations else {
            self.emit(Event::Text(text));
            return;
        };
        if abbreviations.is_empty() || self.link_depth > 0 || self.code_depth > 0 || self.heading.is_some() {
            self.emit(Event::Text(text));
            return;
        }
        let mut last = 0;
        let mut pieces: Vec<Event<'a>> = Vec::new();
        for (start, word) in words(&text) {
            if let Some(title) = abbreviations.get(word) {
                if start > last {
                    pieces.push(Event::Text(CowStr::from(text[last..start].to_string())));
                }
                let mut tag = String::from("<abbr title=\"");
                let _ = escape_html(&mut tag, title);
                tag.push_str("\">");
                let _ = escape_html(&mut tag, word);
                tag.push_str("</abbr>");
                pieces.push(Event::InlineHtml(CowStr::from(tag)));
                last = start + word.len();
            }
        }
        if pieces.is_empty() {
            self.emit(Event::Text(text));
            return;
        }
        if last < text.len() {
            pieces.push(Event::Text(CowStr::from(text[last..].to_string())));
        }
        for piece in pieces {
            self.emit(piece);
        }
    }

    fn start_wiki_link(&mut self, target: &str, has_label: bool, offset: usize) {
        match self.index.resolve_wiki(target) {
            Ok(found) => {
                self.record_link(&found.key);
                let mut tag = String::from("<a class=\"wikilink ");
                tag.push_str(found.key.kind.name());
                tag.push_str("\" href=\"");
                let _ = escape_href(&mut tag, &self.url(&found));
                tag.push('"');
                if let Some(tooltip) = &found.tooltip {
                    tag.push_str(" title=\"");
                    let _ = escape_html(&mut tag, tooltip);
                    tag.push('"');
                }
                tag.push('>');
                self.emit(Event::InlineHtml(CowStr::from(tag)));
                self.wiki = Some(WikiLink {
                    has_label,
                    label: found.label,
                    resolved: true,
                });
                self.link_depth += 1;
            }
            Err(unresolved) => {
                self.unresolved_wiki_link = true;
                if !unresolved.quiet {
                    let pos = self.position(offset);
                    self.result.diagnostics.push(
                        Diagnostic::error(self.input.path, unresolved.message)
                            .at_pos(pos)
                            .hint(unresolved.hint),
                    );
                }
                self.emit(Event::InlineHtml(CowStr::from("<span class=\"unresolved-link\">")));
                let label = target.split_once(':').map_or(target, |(_, rest)| rest).to_string();
                self.wiki = Some(WikiLink {
                    has_label,
                    label,
                    resolved: false,
                });
                self.link_depth += 1;
            }
        }
    }

    fn end_wiki_link(&mut self) {
        let Some(wiki) = self.wiki.take() else { return };
        self.link_depth = self.link_depth.saturating_sub(1);
        if !wiki.has_label {
            self.collect_text(&wiki.label);
            self.emit(Event::Text(CowStr::from(wiki.label)));
        }
        let close = if wiki.resolved { "</a>" } else { "</span>" };
        self.emit(Event::InlineHtml(CowStr::from(close)));
    }

    /// Resolves relative `.md` links, anchors relative links to files
    /// (images, downloads) at their folder, and removes script URLs.
    fn rewrite_url(&mut self, dest: CowStr<'a>, offset: usize) -> CowStr<'a> {
        if let Some(scheme) = script_scheme(&dest) {
            let pos = self.position(offset);
            self.result.diagnostics.push(
                Diagnostic::warning(self.input.path, format!("a `{scheme}` link was removed"))
                    .at_pos(pos)
                    .hint("rapport never emits script URLs; link to a page instead"),
            );
            return CowStr::from("#");
        }
        if is_relative_file(&dest) {
            // Pages are written one folder deeper than their source
            // (`guides/x.md` -> `guides/x/index.html`), while files beside
            // them are copied as they are: point at the copy.
            let dir = self
                .input
                .path
                .strip_prefix("content/")
                .and_then(|p| p.rsplit_once('/'))
                .map_or("", |(d, _)| d);
            let joined = if dir.is_empty() {
                dest.to_string()
            } else {
                format!("{dir}/{dest}")
            };
            let path = normalize_url_path(&joined);
            let file = path.as_deref().map(|p| p.split(['#', '?']).next().unwrap_or(p));
            return match (path.as_deref(), file) {
                (Some(path), Some(file)) if self.index.has_asset(&crate::links::percent_decode(file)) => {
                    CowStr::from(format!("{}{path}", self.input.base_path))
                }
                _ => dest,
            };
        }
        if !is_relative_markdown(&dest) {
            return dest;
        }
        match self.index.resolve_path(self.input.path, &dest) {
            Ok(target) => {
                self.record_link(&target.key);
                CowStr::from(self.url(&target))
            }
            Err(unresolved) => {
                let pos = self.position(offset);
                self.result.diagnostics.push(
                    Diagnostic::error(self.input.path, unresolved.message)
                        .at_pos(pos)
                        .hint(unresolved.hint),
                );
                dest
            }
        }
    }

    fn end_heading(&mut self) {
        let Some(h) = self.heading.take() else { return };
        let text = collapse_whitespace(&h.text);
        let id = match (&h.id, self.options.heading_anchors) {
            (Some(id), _) => Some(id.to_string()),
            (None, true) => {
                let base = slugify(&text);
                let base = if base.is_empty() { "section".to_string() } else { base };
                let mut id = base.clone();
                let mut n = 1;
                while !self.heading_ids.insert(id.clone()) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                Some(id)
            }
            (None, false) => None,
        };
        if let Some(id) = &id {
            self.heading_ids.insert(id.clone());
            self.result.headings.push(Heading {
                level: h.level as u8,
                id: id.clone(),
                text: text.clone(),
            });
        }
        self.result.text.push(' ');
        self.out.push(Event::Start(Tag::Heading {
            level: h.level,
            id: id.clone().map(CowStr::from),
            classes: h.classes,
            attrs: h.attrs,
        }));
        self.out.extend(h.events);
        if let (Some(id), true) = (&id, self.options.heading_anchors) {
            let mut anchor = String::from(" <a class=\"anchor\" href=\"#");
            let _ = escape_href(&mut anchor, id);
            let _ = write!(anchor, "\" aria-label=\"Link to this section\">#</a>");
            self.out.push(Event::InlineHtml(CowStr::from(anchor)));
        }
        self.out.push(Event::End(TagEnd::Heading(h.level)));
    }
}

/// Words of `text` with their byte offsets: runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = None;
    let mut out = Vec::new();
    for (i, c) in text.char_indices() {
        let word_char = c.is_alphanumeric();
        match (word_char, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out.into_iter()
}

/// The scheme of a `javascript:`, `vbscript:` or `data:text/html` URL,
/// however written (mixed case, embedded whitespace or control characters).
fn script_scheme(url: &str) -> Option<&'static str> {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_lowercase();
    ["javascript:", "vbscript:", "data:text/html"]
        .into_iter()
        .find(|scheme| cleaned.starts_with(scheme))
}

/// A relative link to a file that is not a page: `diagram.png`,
/// `../files/plan.pdf`. Fragments, queries, absolute paths and URLs with a
/// scheme are left alone.
fn is_relative_file(url: &str) -> bool {
    let path = url.split(['#', '?']).next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    !path.is_empty()
        && !url.starts_with(['#', '/', '?'])
        && !url.contains(':')
        && last.contains('.')
        && !path.to_ascii_lowercase().ends_with(".md")
}

/// Collapses `.` and `..` in a relative URL path; `None` if it climbs out of
/// the site.
fn normalize_url_path(path: &str) -> Option<String> {
    let (path, rest) = match path.find(['#', '?']) {
        Some(i) => (&path[..i], &path[i..]),
        None => (path, ""),
    };
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
    Some(format!("{}{rest}", parts.join("/")))
}

/// A link to another content file: no scheme, not absolute, a `.md` path.
fn is_relative_markdown(url: &str) -> bool {
    let path = url.split(['#', '?']).next().unwrap_or("");
    !url.contains("://")
        && !url.starts_with('/')
        && !url.starts_with("mailto:")
        && path.to_ascii_lowercase().ends_with(".md")
}

fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_plain(markdown: &str, raw_html: bool) -> RenderedBody {
        let source = format!("---\ntitle: x\n---\n{markdown}");
        let input = BodyInput {
            path: "content/a.md",
            source: &source,
            body_offset: 16,
            base_path: "/",
        };
        let options = MarkdownOptions {
            raw_html,
            heading_anchors: true,
            abbreviations: false,
        };
        render(&input, &LinkIndex::default(), &Abbreviations::new(), &options)
    }

    #[test]
    fn raw_html_dropped_by_default() {
        let out = render_plain("a <b>bold</b>\n\n<div>block</div>\n\n<!--more-->\n", false);
        assert!(!out.html.contains("<b>"), "{}", out.html);
        assert!(!out.html.contains("<div>"), "{}", out.html);
        assert!(!out.html.contains("<!--"), "{}", out.html);
        let kept = render_plain("a <b>bold</b>\n", true);
        assert!(kept.html.contains("<b>bold</b>"), "{}", kept.html);
    }

    #[test]
    fn script_urls_never_emitted() {
        for md in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "<javascript:alert(1)>",
            "[x][r]\n\n[r]: javascript:alert(1)",
            "![i](javascript:alert(1))",
        ] {
            let out = render_plain(md, true);
            let html = out.html.to_lowercase();
            assert!(!html.contains("href=\"javascript:"), "{md}: {}", out.html);
            assert!(!html.contains("src=\"javascript:"), "{md}: {}", out.html);
        }
    }

    #[test]
    fn unresolved_wiki_link_is_an_error_at_its_position() {
        let out = render_plain("Intro.\n\nSee [[nope]] now.\n", false);
        assert_eq!(out.diagnostics.len(), 1);
        let d = &out.diagnostics[0];
        assert_eq!((d.line, d.column), (6, 5));
        assert!(d.message.contains("[[nope]]"));
        // Shown as written, as plain CommonMark.
        assert!(out.html.contains("See [[nope]] now."), "{}", out.html);
    }

    #[test]
    fn relative_files_point_at_their_copy() {
        let source = "---\ntitle: x\n---\n![plan](diagram.png) [pdf](../files/plan.pdf#p2) [web](https://x.org/a.png) [top](#top)\n";
        let input = BodyInput {
            path: "content/guides/x.md",
            source,
            body_offset: 16,
            base_path: "/alignment/",
        };
        let options = MarkdownOptions {
            raw_html: false,
            heading_anchors: false,
            abbreviations: false,
        };
        let index = LinkIndex::default().with_assets(["guides/diagram.png", "files/plan.pdf"]);
        let out = render(&input, &index, &Abbreviations::new(), &options);
        assert!(
            out.html.contains("src=\"/alignment/guides/diagram.png\""),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("href=\"/alignment/files/plan.pdf#p2\""),
            "{}",
            out.html
        );
        assert!(out.html.contains("href=\"https://x.org/a.png\""), "{}", out.html);
        assert!(out.html.contains("href=\"#top\""), "{}", out.html);
    }

    #[test]
    fn headings_get_unique_ids_and_anchors() {
        let out = render_plain("# Why\n\n## Why\n\ntext\n", false);
        assert!(
            out.html
                .contains("<h1 id=\"why\">Why <a class=\"anchor\" href=\"#why\""),
            "{}",
            out.html
        );
        assert!(out.html.contains("<h2 id=\"why-1\">"), "{}", out.html);
        assert_eq!(out.headings.len(), 2);
    }

    #[test]
    fn extensions_render() {
        let out = render_plain(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~\n\n- [x] done\n\nNote[^1].\n\n[^1]: the note\n",
            false,
        );
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("<del>gone</del>"));
        assert!(out.html.contains("type=\"checkbox\""));
        assert!(out.html.contains("footnote-definition"));
    }

    #[test]
    fn summary_and_text() {
        let out = render_plain("# Title\n\nFirst *para* here.\n\nSecond.\n", false);
        assert_eq!(out.summary, "First para here.");
        assert_eq!(out.text, "Title First para here. Second.");
        assert_eq!(first_paragraph_text("# T\n\nOne\ntwo.\n").as_deref(), Some("One two."));
    }

    #[test]
    fn shortcodes_stay_visible_as_text() {
        let out = render_plain("A {{< glossary_tooltip text=\"pod\" term_id=\"pod\" >}} here.\n", false);
        assert!(out.html.contains("{{&lt; glossary_tooltip"), "{}", out.html);
    }
}
