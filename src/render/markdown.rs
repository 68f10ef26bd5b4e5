//! Markdown bodies to HTML: pulldown-cmark with tables, footnotes,
//! strikethrough, task lists and wiki-links, plus what rapport adds on top.
//!
//! The event stream is rewritten on its way to the HTML writer:
//! `[[wiki-links]]` and relative `.md` links become page URLs (an unresolved
//! one is a diagnostic at its file position); headings get ids and `#`
//! anchors; known acronyms become `<abbr>`. The same pass collects the
//! outgoing links, the plain text and the first paragraph, so each body is
//! parsed exactly once per build.
//!
//! Raw HTML follows `[markdown] raw_html` ([`RawHtml`]):
//! - `false` (the default): dropped, except HTML comments, which are shown
//!   as escaped text: imported content (`<!--more-->` in the Kubernetes
//!   glossary) then reads as written instead of silently losing lines.
//! - `true`: kept through an allow-list ([`super::sanitise`]). A body with
//!   raw HTML is sanitised whole once rendered (raw HTML often spans
//!   Markdown blocks); a body without is not touched. Each removal is a
//!   warning at its place in the file.
//! - `"trusted"`: emitted as written, `<script>` included, except script
//!   URLs ([`super::script_urls`]).
//!
//! Whatever the mode, Markdown syntax never emits a script URL (a
//! `javascript:` link becomes `#`), and outside trusted mode Markdown
//! heading attributes (`# Title {onclick=...}`) follow the raw HTML
//! allow-list too.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html};
use pulldown_cmark_escape::{escape_href, escape_html};
use serde::Serialize;

use super::sanitise::{self, RemovalScan};
use super::script_urls::{self, script_scheme};
use crate::config::RawHtml;
use crate::diagnostic::{Diagnostic, LineIndex, Pos};
use crate::links::{LinkIndex, Target};
use crate::model::text::{collapse_whitespace, parser_options};
use crate::model::{ItemKey, slugify};

/// How bodies are rendered (from `[markdown]` in `rapport.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkdownOptions {
    pub raw_html: RawHtml,
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
        html_block: None,
        wiki: None,
        link_depth: 0,
        code_depth: 0,
        paragraphs_seen: 0,
        in_first_paragraph: false,
        heading_ids: HashSet::new(),
        unresolved_wiki_link: false,
        raw_scan: RemovalScan::default(),
        has_raw_html: false,
        markdown_urls: Vec::new(),
        lines: OnceCell::new(),
    };
    for (event, range) in parser {
        state.event(event, range.start);
    }
    let mut html_out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut html_out, state.out.into_iter());
    let mut result = state.result;
    if state.has_raw_html {
        // Only bodies with raw HTML are sanitised: the others keep the exact
        // bytes Markdown gives, and the build pays nothing for them.
        html_out = sanitise::clean(&html_out);
        for url in &state.markdown_urls {
            if let Some(message) = sanitise::markdown_url_removal(url.image, &url.url) {
                let pos = Pos::of_offset(input.source, input.body_offset + url.offset);
                result.diagnostics.push(
                    Diagnostic::warning(input.path, message)
                        .at_pos(pos)
                        .hint(sanitise::MARKDOWN_URL_HINT),
                );
            }
        }
    }
    result.html = html_out;
    result.summary = result.summary.trim().to_string();
    result.text = collapse_whitespace(&result.text);
    Pass {
        body: result,
        unresolved_wiki_link: state.unresolved_wiki_link,
    }
}

struct HeadingBuffer<'a> {
    /// Where the heading starts in the body.
    offset: usize,
    level: HeadingLevel,
    id: Option<CowStr<'a>>,
    classes: Vec<CowStr<'a>>,
    attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
    events: Vec<Event<'a>>,
    text: String,
}

/// An HTML block being collected. pulldown-cmark gives one `Html` event per
/// line, and a tag's attributes may run over several lines, so a block is
/// sanitised (or shown as text) whole, once its end is seen.
#[derive(Default)]
struct RawBlock {
    html: String,
    /// Where each line starts: (offset in `html`, offset in the body), to
    /// report a removed URL at its place in the file.
    pieces: Vec<(usize, usize)>,
}

impl RawBlock {
    fn push(&mut self, text: &str, offset_in_body: usize) {
        self.pieces.push((self.html.len(), offset_in_body));
        self.html.push_str(text);
    }

    /// The body offset of byte `at` of `html`.
    fn body_offset(&self, at: usize) -> usize {
        self.pieces
            .iter()
            .rev()
            .find(|(start, _)| *start <= at)
            .map_or(0, |(start, body)| body + (at - start))
    }
}

/// A URL from Markdown link or image syntax, kept to check once the body is
/// known to be sanitised.
struct MarkdownUrl {
    image: bool,
    url: String,
    offset: usize,
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
    html_block: Option<RawBlock>,
    wiki: Option<WikiLink>,
    link_depth: usize,
    code_depth: usize,
    paragraphs_seen: usize,
    in_first_paragraph: bool,
    heading_ids: HashSet<String>,
    unresolved_wiki_link: bool,
    /// What the sanitiser will remove from the raw HTML seen so far.
    raw_scan: RemovalScan,
    /// Whether the body has raw HTML to sanitise (`raw_html = true` only).
    has_raw_html: bool,
    /// With `raw_html = true`, the Markdown link and image URLs, which the
    /// sanitiser also reads if the body has raw HTML.
    markdown_urls: Vec<MarkdownUrl>,
    /// The file's line starts, found on the first diagnostic: positions
    /// from a scan each were quadratic in the number of broken links.
    lines: OnceCell<LineIndex<'i>>,
}

impl<'a> Rewriter<'_, 'a> {
    fn emit(&mut self, event: Event<'a>) {
        match &mut self.heading {
            Some(h) => h.events.push(event),
            None => self.out.push(event),
        }
    }

    fn position(&self, offset_in_body: usize) -> Pos {
        let lines = self.lines.get_or_init(|| LineIndex::new(self.input.source));
        lines.pos(self.input.body_offset + offset_in_body)
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
        // Text inside a raw `<script>` (or any element removed with its
        // content) is not on the page: not in its summary or search text.
        if self.raw_scan.inside_removed_content() {
            return;
        }
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
            Event::Start(Tag::HtmlBlock) => self.html_block = Some(RawBlock::default()),
            // Inside an HTML block, `Text` is only the block's indentation.
            Event::Html(text) | Event::Text(text) if self.html_block.is_some() => {
                if let Some(block) = &mut self.html_block {
                    block.push(&text, offset);
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(block) = self.html_block.take() {
                    self.html_block(&block);
                }
            }
            // pulldown-cmark only gives `Html` inside an HTML block; should
            // one come alone, it is still never emitted unchecked.
            Event::Html(html) => {
                let mut block = RawBlock::default();
                block.push(&html, offset);
                self.html_block(&block);
            }
            Event::InlineHtml(html) => self.inline_html(html, offset),
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
                let written = match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.to_string(),
                };
                self.record_markdown_url(false, written, offset);
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
                self.record_markdown_url(true, dest_url.to_string(), offset);
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
                    offset,
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

    /// A whole HTML block. Off: dropped, unless it is a comment, which shows
    /// as a paragraph of (escaped) text; the comment is not part of the
    /// summary or the search text: it is the author's note, not the page's
    /// content. On: emitted, for the sanitiser. Trusted: emitted without its
    /// script URLs.
    fn html_block(&mut self, block: &RawBlock) {
        match self.options.raw_html {
            RawHtml::Off => {
                if let Some(comment) = html_comment(&block.html) {
                    self.emit(Event::Start(Tag::Paragraph));
                    self.emit(Event::Text(CowStr::from(comment.to_string())));
                    self.emit(Event::End(TagEnd::Paragraph));
                }
            }
            RawHtml::Sanitised => {
                self.scan_raw_html(&block.html, |at| block.body_offset(at));
                self.emit(Event::Html(CowStr::from(block.html.clone())));
            }
            RawHtml::Trusted => {
                let html = self.neutralise(&block.html, |at| block.body_offset(at));
                self.emit(Event::Html(CowStr::from(html.into_owned())));
            }
        }
    }

    /// One inline tag or comment, as [`Self::html_block`] treats a block; a
    /// comment is shown as escaped text in the line when raw HTML is off.
    fn inline_html(&mut self, html: CowStr<'a>, offset: usize) {
        match self.options.raw_html {
            RawHtml::Off => {
                if html_comment(&html).is_some() {
                    self.emit(Event::Text(html));
                }
            }
            RawHtml::Sanitised => {
                self.scan_raw_html(&html, |at| offset + at);
                self.emit(Event::InlineHtml(html));
            }
            RawHtml::Trusted => {
                let clean = match self.neutralise(&html, |at| offset + at) {
                    Cow::Borrowed(_) => html,
                    Cow::Owned(clean) => CowStr::from(clean),
                };
                self.emit(Event::InlineHtml(clean));
            }
        }
    }

    /// Notes that the body has raw HTML to sanitise, and reports what the
    /// sanitiser will remove from `html`, each at its place
    /// (`body_offset` maps an offset in `html` to one in the body).
    fn scan_raw_html(&mut self, html: &str, body_offset: impl Fn(usize) -> usize) {
        self.has_raw_html = true;
        for removal in self.raw_scan.scan(html) {
            let pos = self.position(body_offset(removal.at));
            self.result.diagnostics.push(
                Diagnostic::warning(self.input.path, removal.message)
                    .at_pos(pos)
                    .hint(removal.hint),
            );
        }
    }

    /// Trusted raw HTML with each script URL replaced by `#`, each one
    /// reported as a warning at its place.
    fn neutralise<'h>(&mut self, html: &'h str, body_offset: impl Fn(usize) -> usize) -> Cow<'h, str> {
        let (clean, removed) = script_urls::neutralise(html);
        for url in removed {
            let pos = self.position(body_offset(url.value.start));
            self.result.diagnostics.push(
                Diagnostic::warning(self.input.path, format!("a `{}` link was removed", url.scheme))
                    .at_pos(pos)
                    .hint("rapport never emits script URLs, not even in raw HTML"),
            );
        }
        clean
    }

    /// Keeps a Markdown link's or image's URL for the sanitiser's check, if
    /// the body may be sanitised.
    fn record_markdown_url(&mut self, image: bool, url: String, offset: usize) {
        if self.options.raw_html == RawHtml::Sanitised {
            self.markdown_urls.push(MarkdownUrl { image, url, offset });
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
        let attrs = self.heading_attributes(h.offset, h.attrs);
        self.out.push(Event::Start(Tag::Heading {
            level: h.level,
            id: id.clone().map(CowStr::from),
            classes: h.classes,
            attrs,
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

    /// The attributes of a heading (`# Title {key=value}`) that the raw HTML
    /// allow-list keeps, unless raw HTML is trusted: written in Markdown,
    /// an `onclick` would otherwise run with raw HTML off. Each one dropped
    /// is a warning at its place in the heading.
    fn heading_attributes(
        &mut self,
        offset: usize,
        attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
    ) -> Vec<(CowStr<'a>, Option<CowStr<'a>>)> {
        if self.options.raw_html == RawHtml::Trusted {
            return attrs;
        }
        let body = &self.input.source[self.input.body_offset..];
        let line = body[offset..].lines().next().unwrap_or("");
        let braces = line.rfind('{').unwrap_or(0);
        let mut kept = Vec::with_capacity(attrs.len());
        for (name, value) in attrs {
            let Some((message, hint)) = sanitise::heading_attribute_removal(&name, value.as_deref().unwrap_or(""))
            else {
                kept.push((name, value));
                continue;
            };
            let at = line[braces..].find(&*name).map_or(offset, |i| offset + braces + i);
            let pos = self.position(at);
            self.result
                .diagnostics
                .push(Diagnostic::warning(self.input.path, message).at_pos(pos).hint(hint));
        }
        kept
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

/// The text of raw HTML that is an HTML comment (`<!--more-->`), trimmed.
fn html_comment(html: &str) -> Option<&str> {
    let trimmed = html.trim();
    trimmed.starts_with("<!--").then_some(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_plain(markdown: &str, raw_html: RawHtml) -> RenderedBody {
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
        let out = render_plain("a <b>bold</b>\n\n<div>block</div>\n\n<!--more-->\n", RawHtml::Off);
        assert!(!out.html.contains("<b>"), "{}", out.html);
        assert!(!out.html.contains("<div>"), "{}", out.html);
        assert!(!out.html.contains("<!--"), "{}", out.html);
        let kept = render_plain("a <b>bold</b>\n", RawHtml::Trusted);
        assert!(kept.html.contains("<b>bold</b>"), "{}", kept.html);
    }

    #[test]
    fn comments_show_as_escaped_text_when_raw_html_is_off() {
        let out = render_plain(
            "Intro.\n\n<!--more--> \n\nA <!-- note --> word <b>bold</b>.\n",
            RawHtml::Off,
        );
        assert_eq!(
            out.html,
            "<p>Intro.</p>\n<p>&lt;!--more--&gt;</p>\n<p>A &lt;!-- note --&gt; word bold.</p>\n"
        );
        let multi_line = render_plain("   <!-- a\n<b>b</b> -->\n", RawHtml::Off);
        assert_eq!(multi_line.html, "<p>&lt;!-- a\n&lt;b&gt;b&lt;/b&gt; --&gt;</p>\n");
        // Only comments: other HTML blocks are still dropped whole.
        let block = render_plain("<div>\n<!-- x -->\n</div>\n", RawHtml::Off);
        assert_eq!(block.html, "");
    }

    #[test]
    fn shown_comments_are_not_summary_or_search_text() {
        let out = render_plain("<!--more-->\n\nFirst para.\n", RawHtml::Off);
        assert_eq!(out.summary, "First para.");
        assert_eq!(out.text, "First para.");
        assert!(out.html.contains("<p>&lt;!--more--&gt;</p>"), "{}", out.html);
    }

    #[test]
    fn trusted_raw_html_keeps_comments_and_scripts_as_written() {
        let out = render_plain(
            "<!--more-->\n\n<script>alert(\"raw\")</script>\n\nA <!-- note --> word.\n",
            RawHtml::Trusted,
        );
        assert_eq!(
            out.html,
            "<!--more-->\n<script>alert(\"raw\")</script>\n<p>A <!-- note --> word.</p>\n"
        );
        assert!(out.diagnostics.is_empty());
    }

    #[test]
    fn script_urls_in_trusted_raw_html_become_hash() {
        for (md, expected) in [
            ("<a href=\"javascript:alert(1)\">\nx</a>\n", "<a href=\"#\">\nx</a>\n"),
            (
                "A <a href=\"javascript:alert(1)\">link</a>.\n",
                "<p>A <a href=\"#\">link</a>.</p>\n",
            ),
            (
                "<iframe src=\"JAVASCRIPT:alert(1)\"></iframe>\n",
                "<iframe src=\"#\"></iframe>\n",
            ),
            (
                "A <a href=\"jav&#x61;script:alert(1)\">link</a>.\n",
                "<p>A <a href=\"#\">link</a>.</p>\n",
            ),
            (
                "A <a href=\" javascript:alert(1)\">link</a>.\n",
                "<p>A <a href=\"#\">link</a>.</p>\n",
            ),
            ("An <img src=javascript:x> image.\n", "<p>An <img src=#> image.</p>\n"),
            (
                "<form action=\"javascript:alert(1)\">\n<button formaction=javascript:alert(2)>go</button>\n</form>\n",
                "<form action=\"#\">\n<button formaction=#>go</button>\n</form>\n",
            ),
            (
                "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>\n",
                "<p><svg><a xlink:href=\"#\"><text>x</text></a></svg></p>\n",
            ),
            // A tag whose attributes run over the lines of an HTML block.
            (
                "<div>\n<a class=\"x\"\n   href=\"java\nscript:alert(1)\"\n   title=\"t\">x</a>\n</div>\n",
                "<div>\n<a class=\"x\"\n   href=\"#\"\n   title=\"t\">x</a>\n</div>\n",
            ),
            // ... and in a block quote, where the `>` markers are not HTML.
            (
                "> <div\n> title=\"t\"\n> data-x=\"y\" href=\"javascript:x\">\n",
                "<blockquote>\n<div\ntitle=\"t\"\ndata-x=\"y\" href=\"#\">\n</blockquote>\n",
            ),
        ] {
            let out = render_plain(md, RawHtml::Trusted);
            assert_eq!(out.html, expected, "{md}");
            assert!(!out.html.to_lowercase().contains("javascript:"), "{md}: {}", out.html);
        }
    }

    #[test]
    fn script_url_removed_from_trusted_raw_html_is_a_warning_at_its_value() {
        let out = render_plain(
            "Intro.\n\n<div>\n  <a\n   href=\"javascript:x\">x</a>\n</div>\n",
            RawHtml::Trusted,
        );
        assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
        let d = &out.diagnostics[0];
        assert_eq!(d.message, "a `javascript:` link was removed");
        assert_eq!((d.line, d.column), (8, 10));
        let inline = render_plain("See <a href='vbscript:x'>this</a>.\n", RawHtml::Trusted);
        assert_eq!(inline.diagnostics[0].message, "a `vbscript:` link was removed");
        assert_eq!((inline.diagnostics[0].line, inline.diagnostics[0].column), (4, 14));
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
            let out = render_plain(md, RawHtml::Trusted);
            let html = out.html.to_lowercase();
            assert!(!html.contains("href=\"javascript:"), "{md}: {}", out.html);
            assert!(!html.contains("src=\"javascript:"), "{md}: {}", out.html);
        }
    }

    #[test]
    fn unresolved_wiki_link_is_an_error_at_its_position() {
        let out = render_plain("Intro.\n\nSee [[nope]] now.\n", RawHtml::Off);
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
            raw_html: RawHtml::Off,
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
        let out = render_plain("# Why\n\n## Why\n\ntext\n", RawHtml::Off);
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
            RawHtml::Off,
        );
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("<del>gone</del>"));
        assert!(out.html.contains("type=\"checkbox\""));
        assert!(out.html.contains("footnote-definition"));
    }

    #[test]
    fn summary_and_text() {
        let out = render_plain("# Title\n\nFirst *para* here.\n\nSecond.\n", RawHtml::Off);
        assert_eq!(out.summary, "First para here.");
        assert_eq!(out.text, "Title First para here. Second.");
        assert_eq!(
            crate::model::text::first_paragraph_text("# T\n\nOne\ntwo.\n").as_deref(),
            Some("One two.")
        );
    }

    #[test]
    fn shortcodes_stay_visible_as_text() {
        let out = render_plain(
            "A {{< glossary_tooltip text=\"pod\" term_id=\"pod\" >}} here.\n",
            RawHtml::Off,
        );
        assert!(out.html.contains("{{&lt; glossary_tooltip"), "{}", out.html);
    }

    /// Markdown that uses every construct the renderer emits HTML for.
    const EVERY_CONSTRUCT: &str = "# Title {#top .big lang=fr}\n\nSetext\n---\n\n\
        *em* **strong** ~~del~~ `code` [link](https://x.example/ \"t\") <https://x.example/auto> <a@b.example>\n\
        ![img](https://x.example/a.png \"title\") a\\\nhard break & \"quotes\" 'single' <3\n\n\
        > quote\n\n1. one\n2. two\n\nBetween.\n\n3. three\n4. four\n\n- [x] done\n- [ ] todo\n\n\
        | left | centre | right | none |\n|:---|:---:|---:|---|\n| 1 | 2 | 3 | 4 |\n\n\
        ```rust\nfn main() {}\n```\n\n    indented\n\n***\n\nNote[^n].\n\n[^n]: the note\n";

    /// Each tag of `html` with its attributes decoded, to compare HTML by
    /// what it says rather than how it spells it.
    fn tag_list(html: &str) -> Vec<String> {
        super::super::html_scan::tags(html)
            .iter()
            .map(|tag| {
                let mut out = format!("{}{}", if tag.closing { "/" } else { "" }, tag.name);
                for attribute in &tag.attributes {
                    let value = attribute
                        .value
                        .clone()
                        .map_or(String::new(), |v| super::super::html_scan::decode_references(&html[v]));
                    let _ = write!(out, " {}={value:?}", attribute.name);
                }
                out
            })
            .collect()
    }

    #[test]
    fn bodies_without_raw_html_are_not_sanitised() {
        let off = render_plain(EVERY_CONSTRUCT, RawHtml::Off);
        let on = render_plain(EVERY_CONSTRUCT, RawHtml::Sanitised);
        assert_eq!(on, off);
        assert!(on.diagnostics.is_empty(), "{:?}", on.diagnostics);
    }

    #[test]
    fn sanitising_keeps_everything_markdown_emits() {
        let markdown = render_plain(EVERY_CONSTRUCT, RawHtml::Off).html;
        for needle in [
            "<h1 id=\"top\" class=\"big\" lang=\"fr\">",
            "style=\"text-align: center\"",
            "type=\"checkbox\"",
            "class=\"language-rust\"",
            "class=\"footnote-definition\"",
            "<ol start=\"3\">",
            "class=\"anchor\"",
        ] {
            assert!(markdown.contains(needle), "{needle}: {markdown}");
        }
        let sanitised = sanitise::clean(&markdown);
        assert_eq!(tag_list(&sanitised), tag_list(&markdown), "{sanitised}");
        // The same with raw HTML in the body, which sanitises it whole.
        let with_raw = render_plain(&format!("{EVERY_CONSTRUCT}\n<kbd>Ctrl</kbd>\n"), RawHtml::Sanitised);
        assert!(with_raw.diagnostics.is_empty(), "{:?}", with_raw.diagnostics);
        let mut expected = tag_list(&markdown);
        expected.extend(["p", "kbd", "/kbd", "/p"].map(String::from));
        assert_eq!(tag_list(&with_raw.html), expected, "{}", with_raw.html);
    }

    #[test]
    fn sanitised_raw_html_keeps_the_allow_list() {
        let out = render_plain(
            "<details>\n<summary>More</summary>\n\nSome **Markdown** inside.\n\n</details>\n\n\
             <table>\n<tr><th>a</th></tr>\n<tr><td><kbd>Ctrl</kbd></td></tr>\n</table>\n\n\
             An <img src=\"https://x.example/a.png\" alt=\"a\"> and <a href=\"https://x.example/\">a link</a>, \
             x<sup>2</sup>, <abbr title=\"t\">T</abbr>.\n",
            RawHtml::Sanitised,
        );
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(
            out.html,
            "<details>\n<summary>More</summary>\n<p>Some <strong>Markdown</strong> inside.</p>\n</details>\n\
             <table>\n<tbody><tr><th>a</th></tr>\n<tr><td><kbd>Ctrl</kbd></td></tr>\n</tbody></table>\n\
             <p>An <img src=\"https://x.example/a.png\" alt=\"a\"> and <a href=\"https://x.example/\">a link</a>, \
             x<sup>2</sup>, <abbr title=\"t\">T</abbr>.</p>\n"
        );
    }

    #[test]
    fn sanitised_raw_html_removals_are_warnings_at_their_place() {
        let out = render_plain(
            "Intro.\n\n<script>alert(1)</script>\n\nA <a href=\"x\" onclick=\"go()\">link</a>.\n\n\
             <div style=\"display:none\">\n<iframe src=\"https://x.example\"></iframe>\n\
             <a\n   href=\"javascript:alert(1)\">x</a>\n</div>\n",
            RawHtml::Sanitised,
        );
        let found: Vec<(usize, usize, &str)> = out
            .diagnostics
            .iter()
            .map(|d| (d.line, d.column, d.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (6, 1, "removed `<script>` and its content from raw HTML"),
                (8, 15, "removed `onclick` attribute from `<a>`"),
                (10, 6, "removed `style` attribute from `<div>`"),
                (11, 1, "removed `<iframe>` and its content from raw HTML"),
                (13, 10, "removed `javascript:` URL from `href` of `<a>`"),
            ]
        );
        assert!(out.diagnostics.iter().all(|d| !d.is_error()));
        assert_eq!(
            out.html,
            "<p>Intro.</p>\n\n<p>A <a href=\"x\">link</a>.</p>\n<div>\n\n<a>x</a>\n</div>\n"
        );
    }

    #[test]
    fn text_inside_removed_raw_html_is_not_summary_or_search_text() {
        let out = render_plain("A <script>var x</script> word <b>bold</b>.\n", RawHtml::Sanitised);
        assert_eq!(out.html, "<p>A  word <b>bold</b>.</p>\n");
        assert_eq!(out.summary, "A  word bold.");
        assert_eq!(out.text, "A word bold.");
        // With raw HTML off the tags are dropped and their text shown.
        assert_eq!(
            render_plain("A <script>var x</script>.\n", RawHtml::Off).text,
            "A var x."
        );
    }

    #[test]
    fn sanitised_comments_stay_comments() {
        let out = render_plain("<!--more-->\n\nA <!-- note --> word.\n", RawHtml::Sanitised);
        assert_eq!(out.html, "<!--more-->\n<p>A <!-- note --> word.</p>\n");
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    }

    #[test]
    fn markdown_urls_the_sanitiser_removes_are_warnings_too() {
        let out = render_plain(
            "[app](slack://open) and [js](javascript:alert(1)) with <b>raw</b>.\n",
            RawHtml::Sanitised,
        );
        let mut found: Vec<(usize, usize, &str)> = out
            .diagnostics
            .iter()
            .map(|d| (d.line, d.column, d.message.as_str()))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                (4, 1, "removed `slack:` URL from `href` of `<a>`"),
                (4, 25, "a `javascript:` link was removed"),
            ]
        );
        assert_eq!(
            out.html,
            "<p><a>app</a> and <a href=\"#\">js</a> with <b>raw</b>.</p>\n"
        );
        // Without raw HTML the body is not sanitised, and the link stays.
        let plain = render_plain("[app](slack://open)\n", RawHtml::Sanitised);
        assert_eq!(plain.html, "<p><a href=\"slack://open\">app</a></p>\n");
    }

    #[test]
    fn heading_attributes_follow_the_allow_list_unless_trusted() {
        let markdown = "Intro.\n\n## Title {#t lang=fr onclick=\"alert(1)\" style=\"display:none\"}\n";
        for mode in [RawHtml::Off, RawHtml::Sanitised] {
            let out = render_plain(markdown, mode);
            assert!(
                out.html.starts_with("<p>Intro.</p>\n<h2 id=\"t\" lang=\"fr\">"),
                "{}",
                out.html
            );
            let found: Vec<(usize, usize, &str)> = out
                .diagnostics
                .iter()
                .map(|d| (d.line, d.column, d.message.as_str()))
                .collect();
            assert_eq!(
                found,
                [
                    (6, 22, "removed `onclick` attribute from heading"),
                    (6, 41, "removed `style` attribute from heading"),
                ]
            );
        }
        let trusted = render_plain(markdown, RawHtml::Trusted);
        assert!(
            trusted.html.contains(" onclick=\"&quot;alert(1)&quot;\""),
            "{}",
            trusted.html
        );
        assert!(trusted.diagnostics.is_empty());
    }

    #[test]
    fn trusted_raw_html_keeps_scripts_and_handlers() {
        let out = render_plain(
            "<script>alert(1)</script>\n\nA <b onclick=\"go()\" style=\"color:red\">b</b>.\n",
            RawHtml::Trusted,
        );
        assert_eq!(
            out.html,
            "<script>alert(1)</script>\n<p>A <b onclick=\"go()\" style=\"color:red\">b</b>.</p>\n"
        );
        assert!(out.diagnostics.is_empty());
    }
}
