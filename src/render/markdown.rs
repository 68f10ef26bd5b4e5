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
//! Raw HTML is dropped unless `raw_html` is on, except HTML comments, which
//! are shown as escaped text: imported content (`<!--more-->` in the
//! Kubernetes glossary) then reads as written instead of silently losing
//! lines. With `raw_html` on, raw HTML is trusted (`<script>` included) but
//! still goes through `raw_html::neutralise_script_urls`, so a
//! `javascript:`, `vbscript:` or `data:text/html` URL is never emitted, from
//! Markdown or from raw HTML.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html};
use pulldown_cmark_escape::{escape_href, escape_html};
use serde::Serialize;

use crate::diagnostic::{Diagnostic, LineIndex, Pos};
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
        html_block: None,
        wiki: None,
        link_depth: 0,
        code_depth: 0,
        paragraphs_seen: 0,
        in_first_paragraph: false,
        heading_ids: HashSet::new(),
        unresolved_wiki_link: false,
        lines: OnceCell::new(),
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

    /// A whole HTML block: with `raw_html`, emitted without its script URLs;
    /// without, dropped, unless it is a comment, which shows as a paragraph
    /// of (escaped) text. The comment is not part of the summary or the
    /// search text: it is the author's note, not the page's content.
    fn html_block(&mut self, block: &RawBlock) {
        if self.options.raw_html {
            let html = self.neutralise(&block.html, |at| block.body_offset(at));
            self.emit(Event::Html(CowStr::from(html.into_owned())));
        } else if let Some(comment) = html_comment(&block.html) {
            self.emit(Event::Start(Tag::Paragraph));
            self.emit(Event::Text(CowStr::from(comment.to_string())));
            self.emit(Event::End(TagEnd::Paragraph));
        }
    }

    /// One inline tag or comment: like [`Self::html_block`], a comment shown
    /// as escaped text in the line when `raw_html` is off.
    fn inline_html(&mut self, html: CowStr<'a>, offset: usize) {
        if self.options.raw_html {
            let clean = match self.neutralise(&html, |at| offset + at) {
                Cow::Borrowed(_) => html,
                Cow::Owned(clean) => CowStr::from(clean),
            };
            self.emit(Event::InlineHtml(clean));
        } else if html_comment(&html).is_some() {
            self.emit(Event::Text(html));
        }
    }

    /// Raw HTML with each script URL replaced by `#`, each one reported as a
    /// warning at its place (`body_offset` maps an offset in `html` to one in
    /// the body).
    fn neutralise<'h>(&mut self, html: &'h str, body_offset: impl Fn(usize) -> usize) -> Cow<'h, str> {
        let (clean, removed) = raw_html::neutralise_script_urls(html);
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

/// The text of raw HTML that is an HTML comment (`<!--more-->`), trimmed.
fn html_comment(html: &str) -> Option<&str> {
    let trimmed = html.trim();
    trimmed.starts_with("<!--").then_some(trimmed)
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

mod raw_html {
    //! Script URLs out of trusted raw HTML.
    //!
    //! With `[markdown] raw_html = true` authors are trusted: their HTML,
    //! `<script>` elements included, is emitted as written. The one thing
    //! rapport still changes is a URL attribute whose value is a script URL
    //! (`javascript:`, `vbscript:`, `data:text/html`): its value becomes `#`
    //! and the rest of the tag stays as it was. That keeps the promise that
    //! such a URL is never emitted, which matters for HTML pasted from
    //! elsewhere more than for a determined author (who may write
    //! `<script>`).
    //!
    //! The scan is a small tokenizer after the HTML standard's: tags and their
    //! attributes (double-, single- or unquoted values, `/` and stray `=`
    //! handled as a browser does), comments (ended by `-->`, `--!>`, or
    //! at once by `<!-->` and `<!--->`), bogus comments (`<!…>`, `<?…>`,
    //! `</ …>`), CDATA inside `<svg>`/`<math>`, and the elements whose content
    //! is text, not markup (`<script>`, `<style>`, `<textarea>`, `<title>`,
    //! `<iframe>`, `<noscript>`, `<noembed>`, `<noframes>`, `<xmp>`,
    //! `<plaintext>`). A value is decoded (numeric character references,
    //! with or without `;`, and the named ones a scheme can hide behind:
    //! `&colon;`, `&sol;`, `&Tab;`, `&NewLine;`, `&amp;` …) before the check,
    //! which ignores case, whitespace and control characters.
    //!
    //! Limits, all in raw HTML only:
    //! - Each HTML block and each inline tag is scanned on its own. A tag left
    //!   unfinished at the end of an HTML block (a browser would finish it with
    //!   whatever rapport writes next) is not followed into the next block.
    //! - Comments, and the content of `<script>`, `<style>` and the other
    //!   text elements, are left exactly as written.
    //! - It is not a full HTML parser: markup a browser reads in another mode
    //!   than the scan does (a `<script>` it keeps open past `</script>` after
    //!   `<!--<script>`, an `<svg>` it breaks out of) may be read differently.
    //!   That is in line with the trust `raw_html = true` gives authors.
    //! - Only attribute values are checked, not CSS (`style="…url(…)"`) or
    //!   `<meta http-equiv="refresh">`, where browsers no longer run scripts.

    use std::borrow::Cow;
    use std::ops::Range;

    use super::script_scheme;

    /// A script URL that was replaced.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(super) struct RemovedUrl {
        /// The attribute's value in the input, without its quotes.
        pub(super) value: Range<usize>,
        pub(super) scheme: &'static str,
    }

    /// Attributes whose value is a URL, or a list of them (`srcset`, and
    /// `values`, `from`, `to`, `by`, which SVG animation can set `href` to).
    const URL_ATTRIBUTES: &[&str] = &[
        "action",
        "background",
        "by",
        "cite",
        "codebase",
        "data",
        "dynsrc",
        "formaction",
        "from",
        "href",
        "icon",
        "longdesc",
        "lowsrc",
        "manifest",
        "ping",
        "poster",
        "profile",
        "src",
        "srcset",
        "to",
        "usemap",
        "values",
        "xlink:href",
    ];

    /// Elements whose content is text up to their end tag, in HTML (not in
    /// `<svg>` or `<math>`, where the same names hold markup).
    const TEXT_ELEMENTS: &[&str] = &[
        "iframe", "noembed", "noframes", "noscript", "script", "style", "textarea", "title", "xmp",
    ];

    /// `html` with the value of each URL attribute that holds a script URL
    /// replaced by `#`, and the replaced values. Borrowed when nothing changed.
    pub(super) fn neutralise_script_urls(html: &str) -> (Cow<'_, str>, Vec<RemovedUrl>) {
        let removed: Vec<RemovedUrl> = url_attributes(html)
            .into_iter()
            .filter_map(|attribute| {
                let scheme = script_url(&attribute.name, &html[attribute.value.clone()])?;
                Some(RemovedUrl {
                    value: attribute.value,
                    scheme,
                })
            })
            .collect();
        if removed.is_empty() {
            return (Cow::Borrowed(html), removed);
        }
        let mut out = String::with_capacity(html.len());
        let mut last = 0;
        for url in &removed {
            out.push_str(&html[last..url.value.start]);
            out.push('#');
            last = url.value.end;
        }
        out.push_str(&html[last..]);
        (Cow::Owned(out), removed)
    }

    /// The script scheme a URL attribute's raw value holds, if any.
    fn script_url(name: &str, raw_value: &str) -> Option<&'static str> {
        let value = decode_references(raw_value);
        let separator = match name {
            "srcset" => Some(','),
            "values" => Some(';'),
            _ => None,
        };
        match separator {
            Some(separator) => value.split(separator).find_map(script_scheme),
            None => script_scheme(&value),
        }
    }

    /// An attribute of a tag whose value is a URL.
    #[derive(Debug, PartialEq, Eq)]
    struct UrlAttribute {
        /// Lower-cased, as browsers read it.
        name: String,
        /// The value in the input, without its quotes.
        value: Range<usize>,
    }

    /// What `read_tag` found.
    struct ScannedTag {
        /// Lower-cased.
        name: String,
        closing: bool,
        self_closing: bool,
        /// Just after the tag's `>` (or the input's end).
        end: usize,
    }

    /// The URL attributes of every tag in `html`, outside comments and text
    /// elements, in order.
    fn url_attributes(html: &str) -> Vec<UrlAttribute> {
        let mut found = Vec::new();
        // How many `<svg>`/`<math>` are open: inside them, `<style>` and the
        // like hold markup and `<![CDATA[` starts a CDATA section.
        let mut foreign = 0usize;
        let mut at = 0;
        while let Some(lt) = html[at..].find('<').map(|i| at + i) {
            let rest = &html[lt..];
            at = if rest.starts_with("<!--") {
                comment_end(html, lt)
            } else if foreign > 0 && rest.starts_with("<![CDATA[") {
                html[lt..].find("]]>").map_or(html.len(), |i| lt + i + 3)
            } else if rest.starts_with("<!")
                || rest.starts_with("<?")
                || rest.starts_with("</") && !starts_name(html, lt + 2)
            {
                // A bogus comment (or `</>`), ended by the first `>`.
                html[lt + 2..].find('>').map_or(html.len(), |i| lt + 2 + i + 1)
            } else if starts_name(html, lt + 1) || rest.starts_with("</") {
                let tag = read_tag(html, lt, &mut found);
                let nests = tag.name == "svg" || tag.name == "math";
                if tag.closing {
                    if nests {
                        foreign = foreign.saturating_sub(1);
                    }
                    tag.end
                } else if nests {
                    foreign += usize::from(!tag.self_closing);
                    tag.end
                } else if foreign == 0 && tag.name == "plaintext" {
                    html.len()
                } else if foreign == 0 && TEXT_ELEMENTS.contains(&tag.name.as_str()) {
                    text_element_end(html, tag.end, &tag.name)
                } else {
                    tag.end
                }
            } else {
                // A `<` that starts nothing is text.
                lt + 1
            };
        }
        found
    }

    /// Whether an ASCII letter, which starts a tag name, is at `at`.
    fn starts_name(html: &str, at: usize) -> bool {
        html.as_bytes().get(at).is_some_and(u8::is_ascii_alphabetic)
    }

    /// HTML's whitespace between attributes.
    fn is_space(byte: u8) -> bool {
        matches!(byte, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
    }

    /// Just after the comment that starts at `start` (`<!--`).
    fn comment_end(html: &str, start: usize) -> usize {
        let body = start + 4;
        let rest = &html[body..];
        if rest.starts_with('>') {
            return body + 1;
        }
        if rest.starts_with("->") {
            return body + 2;
        }
        // The first of `-->` and `--!>`, whichever comes first.
        ["-->", "--!>"]
            .iter()
            .filter_map(|close| rest.find(close).map(|i| (i, i + close.len())))
            .min()
            .map_or(html.len(), |(_, end)| body + end)
    }

    /// Where the text of a text element (`<script>`…) ends: at its end tag,
    /// which is then read as a tag.
    fn text_element_end(html: &str, from: usize, name: &str) -> usize {
        let bytes = html.as_bytes();
        html[from..]
            .match_indices("</")
            .map(|(i, _)| from + i)
            .find(|&lt| {
                let name_end = lt + 2 + name.len();
                html.get(lt + 2..name_end).is_some_and(|n| n.eq_ignore_ascii_case(name))
                    && bytes
                        .get(name_end)
                        .is_some_and(|&b| is_space(b) || b == b'/' || b == b'>')
            })
            .unwrap_or(html.len())
    }

    /// Reads the tag at `start` (`<name…` or `</name…`), adding its URL
    /// attributes to `found`. End tags are read the same way: browsers
    /// tokenize their attributes before dropping them.
    fn read_tag(html: &str, start: usize, found: &mut Vec<UrlAttribute>) -> ScannedTag {
        let bytes = html.as_bytes();
        let closing = bytes.get(start + 1) == Some(&b'/');
        let name_start = start + if closing { 2 } else { 1 };
        let mut at = name_start;
        while bytes.get(at).is_some_and(|&b| !is_space(b) && b != b'/' && b != b'>') {
            at += 1;
        }
        let name = html[name_start..at].to_ascii_lowercase();
        let mut tag = ScannedTag {
            name,
            closing,
            self_closing: false,
            end: html.len(),
        };
        loop {
            // Before an attribute: whitespace, and `/` unless right before `>`.
            let mut slash = false;
            while let Some(&b) = bytes.get(at) {
                match b {
                    b'/' => slash = true,
                    b if is_space(b) => slash = false,
                    _ => break,
                }
                at += 1;
            }
            match bytes.get(at) {
                None => return tag,
                Some(b'>') => {
                    tag.self_closing = slash;
                    tag.end = at + 1;
                    return tag;
                }
                Some(_) => {}
            }
            at = read_attribute(html, at, found);
        }
    }

    /// Reads the attribute at `start`, adding it to `found` if it holds a
    /// URL; returns where it ends.
    fn read_attribute(html: &str, start: usize, found: &mut Vec<UrlAttribute>) -> usize {
        let bytes = html.as_bytes();
        // The first character is part of the name even if it is `=`.
        let mut at = start + 1;
        while bytes
            .get(at)
            .is_some_and(|&b| !is_space(b) && !matches!(b, b'/' | b'>' | b'='))
        {
            at += 1;
        }
        let name = html[start..at].to_ascii_lowercase();
        while bytes.get(at).is_some_and(|&b| is_space(b)) {
            at += 1;
        }
        if bytes.get(at) != Some(&b'=') {
            return at;
        }
        at += 1;
        while bytes.get(at).is_some_and(|&b| is_space(b)) {
            at += 1;
        }
        let (value, end) = match bytes.get(at) {
            None | Some(b'>') => return at,
            Some(&quote @ (b'"' | b'\'')) => {
                let value_start = at + 1;
                match html[value_start..].find(char::from(quote)) {
                    Some(i) => (value_start..value_start + i, value_start + i + 1),
                    None => (value_start..html.len(), html.len()),
                }
            }
            Some(_) => {
                let value_start = at;
                while bytes.get(at).is_some_and(|&b| !is_space(b) && b != b'>') {
                    at += 1;
                }
                (value_start..at, at)
            }
        };
        if URL_ATTRIBUTES.contains(&name.as_str()) {
            found.push(UrlAttribute { name, value });
        }
        end
    }

    /// Named character references that can spell a script scheme, or hide
    /// one, and the usual escapes. Matched ignoring case: decoding more than a
    /// browser does only makes the check stricter.
    const NAMED_REFERENCES: &[(&str, char)] = &[
        ("amp", '&'),
        ("apos", '\''),
        ("colon", ':'),
        ("gt", '>'),
        ("lt", '<'),
        ("newline", '\n'),
        ("quot", '"'),
        ("sol", '/'),
        ("tab", '\t'),
    ];

    /// An attribute value with its character references decoded.
    fn decode_references(value: &str) -> String {
        let mut out = String::with_capacity(value.len());
        let mut rest = value;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            rest = &rest[amp..];
            let (decoded, len) = reference(rest).unwrap_or(('&', 1));
            out.push(decoded);
            rest = &rest[len..];
        }
        out.push_str(rest);
        out
    }

    /// The character a reference at the start of `text` (`&…`) stands for,
    /// and its length. Numeric references need no `;`, as in browsers; a
    /// number that is no character (or NUL) stands for U+FFFD.
    fn reference(text: &str) -> Option<(char, usize)> {
        let Some(number) = text.strip_prefix("&#") else {
            return named_reference(text);
        };
        let (radix, digits_start) = match number.as_bytes().first() {
            Some(b'x' | b'X') => (16, 3),
            _ => (10, 2),
        };
        let digits = text[digits_start..]
            .bytes()
            .take_while(|b| {
                if radix == 16 {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 {
            return None;
        }
        let code = u32::from_str_radix(&text[digits_start..digits_start + digits], radix).unwrap_or(u32::MAX);
        let decoded = char::from_u32(code)
            .filter(|c| *c != '\0')
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        let end = digits_start + digits;
        Some((decoded, end + usize::from(text[end..].starts_with(';'))))
    }

    /// A named reference from [`NAMED_REFERENCES`] at the start of `text`.
    fn named_reference(text: &str) -> Option<(char, usize)> {
        let name_len = text[1..].bytes().take_while(u8::is_ascii_alphanumeric).count();
        let name = &text[1..1 + name_len];
        let (_, decoded) = NAMED_REFERENCES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name))?;
        let end = 1 + name_len;
        Some((*decoded, end + usize::from(text[end..].starts_with(';'))))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn neutralised(html: &str) -> String {
            neutralise_script_urls(html).0.into_owned()
        }

        #[test]
        fn script_urls_in_tags_become_hash() {
            for (html, expected) in [
                (r#"<a href="javascript:alert(1)">x</a>"#, r##"<a href="#">x</a>"##),
                (
                    r#"<iframe src="JAVASCRIPT:alert(1)"></iframe>"#,
                    r##"<iframe src="#"></iframe>"##,
                ),
                (r#"<a href="jav&#x61;script:alert(1)">x</a>"#, r##"<a href="#">x</a>"##),
                (r#"<a href="&#106;avascript:alert(1)">x</a>"#, r##"<a href="#">x</a>"##),
                (
                    r#"<a href="&#x6A&#x61vascript:alert(1)">x</a>"#,
                    r##"<a href="#">x</a>"##,
                ),
                (r#"<a href="javascript&colon;alert(1)">x</a>"#, r##"<a href="#">x</a>"##),
                (r#"<a href="java&Tab;script:alert(1)">x</a>"#, r##"<a href="#">x</a>"##),
                (
                    r#"<a href="java&NewLine;script:alert(1)">x</a>"#,
                    r##"<a href="#">x</a>"##,
                ),
                (r#"<a href=" javascript:alert(1)">x</a>"#, r##"<a href="#">x</a>"##),
                ("<a href=\"\u{1}java\tscript:alert(1)\">x</a>", r##"<a href="#">x</a>"##),
                ("<img src=javascript:x>", "<img src=#>"),
                ("<img src=javascript:x/>", "<img src=#>"),
                ("<a href='javascript:alert(1)'>x</a>", "<a href='#'>x</a>"),
                (
                    r#"<form action="javascript:alert(1)"><input></form>"#,
                    r##"<form action="#"><input></form>"##,
                ),
                (
                    r#"<button formaction="javascript:alert(1)">go</button>"#,
                    r##"<button formaction="#">go</button>"##,
                ),
                (
                    r#"<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>"#,
                    r##"<svg><a xlink:href="#"><text>x</text></a></svg>"##,
                ),
                (
                    r#"<A HREF = "VBScript:msgbox(1)" TITLE="t">x</A>"#,
                    r##"<A HREF = "#" TITLE="t">x</A>"##,
                ),
                (
                    r#"<object data="data:text/html;base64,PHNjcmlwdD4="></object>"#,
                    r##"<object data="#"></object>"##,
                ),
                (
                    r#"<iframe src="data:text&sol;html,x"></iframe>"#,
                    r##"<iframe src="#"></iframe>"##,
                ),
                (
                    r#"<video poster="javascript:x" src="a.mp4"></video>"#,
                    r##"<video poster="#" src="a.mp4"></video>"##,
                ),
                (r#"<img srcset="a.png 1x, javascript:x 2x">"#, r##"<img srcset="#">"##),
                (
                    r##"<svg><a><animate attributeName="href" values="#;javascript:x"/></a></svg>"##,
                    r##"<svg><a><animate attributeName="href" values="#"/></a></svg>"##,
                ),
                // End tags are tokenized like start tags.
                (r#"</a href="javascript:x">"#, r##"</a href="#">"##),
            ] {
                assert_eq!(neutralised(html), expected, "{html}");
            }
        }

        #[test]
        fn the_rest_of_the_tag_is_kept() {
            let html = "<a class=\"x\" href=\"javascript:alert(1)\"\n   title='t' data-x=y>link</a>";
            let (clean, removed) = neutralise_script_urls(html);
            assert_eq!(clean, "<a class=\"x\" href=\"#\"\n   title='t' data-x=y>link</a>");
            assert_eq!(removed.len(), 1);
            assert_eq!(&html[removed[0].value.clone()], "javascript:alert(1)");
            assert_eq!(removed[0].scheme, "javascript:");
        }

        #[test]
        fn safe_html_is_borrowed_unchanged() {
            for html in [
                r#"<a href="https://example.com/javascript:x">x</a>"#,
                r#"<a href="/guides/javascript/">x</a>"#,
                r#"<a title="javascript:x" href="x">x</a>"#,
                r#"<a data-href="javascript:x">x</a>"#,
                r#"<img src="data:image/png;base64,iVBOR">"#,
                "<p>javascript:alert(1) as text</p>",
                "<a href>x</a><a href=>y</a><a href=\"",
                "a < b, c <= d, <3 </ x> <",
                "<script>location = 'javascript:void(0)'; s = '<a href=\"javascript:x\">';</script>",
                "<style>a[href^=\"javascript:\"] { color: red }</style>",
                "<!-- <a href=\"javascript:x\"> -->",
                "<textarea><a href=javascript:x></textarea>",
                "<?php <a href=javascript:x> ?>",
                "<p>\u{e9}l\u{e8}ve <b \u{e9}=\"\u{e8}\">\u{fc}</b></p>",
            ] {
                let (clean, removed) = neutralise_script_urls(html);
                assert!(matches!(clean, Cow::Borrowed(_)), "{html}: {clean}");
                assert!(removed.is_empty(), "{html}");
            }
        }

        #[test]
        fn comments_and_text_elements_end_where_browsers_end_them() {
            for (html, expected) in [
                // A quote inside a comment or script does not hide the next tag.
                (r#"<!-- " --><a href="javascript:x">"#, r##"<!-- " --><a href="#">"##),
                (r#"<!-- " --!><a href="javascript:x">"#, r##"<!-- " --!><a href="#">"##),
                (r#"<!--><a href="javascript:x">"#, r##"<!--><a href="#">"##),
                (r#"<!---><a href="javascript:x">"#, r##"<!---><a href="#">"##),
                (
                    r#"<script>s = '<b title="';</script><a href="javascript:x">"#,
                    r##"<script>s = '<b title="';</script><a href="#">"##,
                ),
                (
                    r#"<title>"</title ><a href="javascript:x">"#,
                    r##"<title>"</title ><a href="#">"##,
                ),
                (r#"</ "><a href="javascript:x">"#, r##"</ "><a href="#">"##),
                // Inside `<svg>`, `<style>` holds markup, and CDATA ends at `]]>`.
                (
                    r#"<svg><style><a href="javascript:x">"#,
                    r##"<svg><style><a href="#">"##,
                ),
                (
                    r#"<svg><![CDATA[ > <b title=" ]]><a href="javascript:x"></svg>"#,
                    r##"<svg><![CDATA[ > <b title=" ]]><a href="#"></svg>"##,
                ),
                // Once `</svg>` closes it, `<style>` holds text again.
                (
                    r#"<svg></svg><style><a href="javascript:x"></style>"#,
                    r#"<svg></svg><style><a href="javascript:x"></style>"#,
                ),
            ] {
                assert_eq!(neutralised(html), expected, "{html}");
            }
        }

        #[test]
        fn references_decode_as_in_attributes() {
            for (value, decoded) in [
                ("a&amp;b", "a&b"),
                ("&#106;&#X61;&#x76", "jav"),
                ("&#0000106;", "j"),
                ("&colon;&COLON;&sol;", "::/"),
                ("&Tab;&NewLine;", "\t\n"),
                ("&#0;&#x110000;&#99999999999;", "\u{fffd}\u{fffd}\u{fffd}"),
                ("&nbsp;&unknown; & &# &#x;", "&nbsp;&unknown; & &# &#x;"),
            ] {
                assert_eq!(decode_references(value), decoded, "{value}");
            }
        }
    }
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
    fn comments_show_as_escaped_text_when_raw_html_is_off() {
        let out = render_plain("Intro.\n\n<!--more--> \n\nA <!-- note --> word <b>bold</b>.\n", false);
        assert_eq!(
            out.html,
            "<p>Intro.</p>\n<p>&lt;!--more--&gt;</p>\n<p>A &lt;!-- note --&gt; word bold.</p>\n"
        );
        let multi_line = render_plain("   <!-- a\n<b>b</b> -->\n", false);
        assert_eq!(multi_line.html, "<p>&lt;!-- a\n&lt;b&gt;b&lt;/b&gt; --&gt;</p>\n");
        // Only comments: other HTML blocks are still dropped whole.
        let block = render_plain("<div>\n<!-- x -->\n</div>\n", false);
        assert_eq!(block.html, "");
    }

    #[test]
    fn shown_comments_are_not_summary_or_search_text() {
        let out = render_plain("<!--more-->\n\nFirst para.\n", false);
        assert_eq!(out.summary, "First para.");
        assert_eq!(out.text, "First para.");
        assert!(out.html.contains("<p>&lt;!--more--&gt;</p>"), "{}", out.html);
    }

    #[test]
    fn raw_html_keeps_comments_and_scripts_as_written() {
        let out = render_plain(
            "<!--more-->\n\n<script>alert(\"raw\")</script>\n\nA <!-- note --> word.\n",
            true,
        );
        assert_eq!(
            out.html,
            "<!--more-->\n<script>alert(\"raw\")</script>\n<p>A <!-- note --> word.</p>\n"
        );
        assert!(out.diagnostics.is_empty());
    }

    #[test]
    fn script_urls_in_raw_html_become_hash_even_with_raw_html_on() {
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
            let out = render_plain(md, true);
            assert_eq!(out.html, expected, "{md}");
            assert!(!out.html.to_lowercase().contains("javascript:"), "{md}: {}", out.html);
        }
    }

    #[test]
    fn script_url_removed_from_raw_html_is_a_warning_at_its_value() {
        let out = render_plain("Intro.\n\n<div>\n  <a\n   href=\"javascript:x\">x</a>\n</div>\n", true);
        assert_eq!(out.diagnostics.len(), 1, "{:?}", out.diagnostics);
        let d = &out.diagnostics[0];
        assert_eq!(d.message, "a `javascript:` link was removed");
        assert_eq!((d.line, d.column), (8, 10));
        let inline = render_plain("See <a href='vbscript:x'>this</a>.\n", true);
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
