//! Plain text from Markdown, for what the model says of an item in one
//! line: a term's one-line definition (its tooltip in every link to it and
//! the title of its acronym) and a body's first paragraph. They belong to
//! the content, not to rendering: link resolution and the dev server's
//! "did the definition change?" read them without rendering anything.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

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
pub(crate) fn first_paragraph_text(markdown: &str) -> Option<String> {
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

/// The first sentence of a Markdown body's first paragraph, as plain text,
/// at most 200 characters: a term's one-line definition.
pub fn one_line(markdown: &str) -> Option<String> {
    let paragraph = first_paragraph_text(markdown)?;
    let sentence_end = paragraph
        .match_indices(". ")
        .map(|(i, _)| i + 1)
        .find(|i| *i > 20)
        .unwrap_or(paragraph.len());
    let mut line = paragraph[..sentence_end].trim().to_string();
    if line.chars().count() > 200 {
        line = line.chars().take(199).collect::<String>();
        line.push('…');
    }
    (!line.is_empty()).then_some(line)
}

/// Runs of whitespace as one space, trimmed.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
