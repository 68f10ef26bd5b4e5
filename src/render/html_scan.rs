//! Where the tags and attributes of a piece of raw HTML are, by byte offset.
//!
//! html5ever (inside ammonia) parses raw HTML for the sanitiser, but it
//! keeps no byte positions, and rapport reports what it removes from raw
//! HTML at its line and column in the Markdown file; trusted raw HTML also
//! needs its script URLs replaced in place, the rest of the text untouched.
//! This scan gives both: each tag with its name and attributes, each
//! attribute with its place in the input.
//!
//! It is a small tokenizer after the HTML standard's: tags and their
//! attributes (double-, single- or unquoted values, `/` and stray `=`
//! handled as a browser does), comments (ended by `-->`, `--!>`, or at once
//! by `<!-->` and `<!--->`), bogus comments (`<!…>`, `<?…>`, `</ …>`), CDATA
//! inside `<svg>`/`<math>`, and the elements whose content is text, not
//! markup (`<script>`, `<style>`, `<textarea>`, `<title>`, `<iframe>`,
//! `<noscript>`, `<noembed>`, `<noframes>`, `<xmp>`, `<plaintext>`), whose
//! content is skipped. It is not a full HTML parser (no tree building), and
//! nothing rapport emits depends on it alone being right: sanitised raw HTML
//! goes through ammonia, and the scan only says where.

use std::ops::Range;

/// A start or end tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag {
    /// Lower-cased, as browsers read it.
    pub(crate) name: String,
    /// Where its `<` is.
    pub(crate) start: usize,
    pub(crate) closing: bool,
    /// Written `<name/>`; it matters only inside `<svg>` and `<math>`.
    pub(crate) self_closing: bool,
    pub(crate) attributes: Vec<Attribute>,
}

/// An attribute of a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attribute {
    /// Lower-cased, as browsers read it.
    pub(crate) name: String,
    /// The whole attribute in the input: its name, and `=` and its value if
    /// it has one.
    pub(crate) span: Range<usize>,
    /// The value in the input, without its quotes (not decoded).
    pub(crate) value: Option<Range<usize>>,
}

/// Elements whose content is text up to their end tag, in HTML (not in
/// `<svg>` or `<math>`, where the same names hold markup).
const TEXT_ELEMENTS: &[&str] = &[
    "iframe", "noembed", "noframes", "noscript", "script", "style", "textarea", "title", "xmp",
];

/// Every tag in `html`, outside comments and the content of text elements,
/// in order. End tags are read like start tags: browsers tokenize their
/// attributes before dropping them.
pub(crate) fn tags(html: &str) -> Vec<Tag> {
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
            let (tag, end) = read_tag(html, lt);
            let nests = tag.name == "svg" || tag.name == "math";
            let next = if tag.closing {
                if nests {
                    foreign = foreign.saturating_sub(1);
                }
                end
            } else if nests {
                foreign += usize::from(!tag.self_closing);
                end
            } else if foreign == 0 && tag.name == "plaintext" {
                html.len()
            } else if foreign == 0 && TEXT_ELEMENTS.contains(&tag.name.as_str()) {
                text_element_end(html, end, &tag.name)
            } else {
                end
            };
            found.push(tag);
            next
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

/// Reads the tag at `start` (`<name…` or `</name…`); returns it and where it
/// ends (just after its `>`, or the input's end).
fn read_tag(html: &str, start: usize) -> (Tag, usize) {
    let bytes = html.as_bytes();
    let closing = bytes.get(start + 1) == Some(&b'/');
    let name_start = start + if closing { 2 } else { 1 };
    let mut at = name_start;
    while bytes.get(at).is_some_and(|&b| !is_space(b) && b != b'/' && b != b'>') {
        at += 1;
    }
    let mut tag = Tag {
        name: html[name_start..at].to_ascii_lowercase(),
        start,
        closing,
        self_closing: false,
        attributes: Vec::new(),
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
            None => return (tag, html.len()),
            Some(b'>') => {
                tag.self_closing = slash;
                return (tag, at + 1);
            }
            Some(_) => {}
        }
        let attribute = read_attribute(html, at);
        at = attribute.span.end;
        tag.attributes.push(attribute);
    }
}

/// Reads the attribute at `start`.
fn read_attribute(html: &str, start: usize) -> Attribute {
    let bytes = html.as_bytes();
    // The first character is part of the name even if it is `=`.
    let mut at = start + 1;
    while bytes
        .get(at)
        .is_some_and(|&b| !is_space(b) && !matches!(b, b'/' | b'>' | b'='))
    {
        at += 1;
    }
    let mut attribute = Attribute {
        name: html[start..at].to_ascii_lowercase(),
        span: start..at,
        value: None,
    };
    while bytes.get(at).is_some_and(|&b| is_space(b)) {
        at += 1;
    }
    if bytes.get(at) != Some(&b'=') {
        return attribute;
    }
    at += 1;
    while bytes.get(at).is_some_and(|&b| is_space(b)) {
        at += 1;
    }
    let (value, end) = match bytes.get(at) {
        // `name=` then `>` or the end: an empty value.
        None | Some(b'>') => (at..at, at),
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
    attribute.span.end = end;
    attribute.value = Some(value);
    attribute
}

/// Named character references that can spell a script scheme, or hide
/// one, and the usual escapes. Matched ignoring case: decoding more than a
/// browser does only makes a check for script URLs stricter.
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

/// An attribute value with its character references decoded: numeric ones,
/// and the named ones of [`NAMED_REFERENCES`].
pub(crate) fn decode_references(value: &str) -> String {
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

    /// Each tag as `name attr=value ...` (`/name` for end tags), values raw.
    fn summary(html: &str) -> Vec<String> {
        tags(html)
            .iter()
            .map(|tag| {
                let mut out = format!("{}{}", if tag.closing { "/" } else { "" }, tag.name);
                for attribute in &tag.attributes {
                    out.push(' ');
                    out.push_str(&attribute.name);
                    if let Some(value) = &attribute.value {
                        out.push('=');
                        out.push_str(&html[value.clone()]);
                    }
                }
                out
            })
            .collect()
    }

    #[test]
    fn tags_and_attributes_with_their_places() {
        let html = "<a class=\"x\" href='y'\n   title=t data-x>link</a>";
        let found = tags(html);
        assert_eq!(found.len(), 2);
        let a = &found[0];
        assert_eq!((a.name.as_str(), a.start, a.closing), ("a", 0, false));
        let spans: Vec<&str> = a.attributes.iter().map(|at| &html[at.span.clone()]).collect();
        assert_eq!(spans, ["class=\"x\"", "href='y'", "title=t", "data-x"]);
        assert_eq!(a.attributes[3].value, None);
        assert_eq!((found[1].name.as_str(), found[1].closing), ("a", true));
        assert_eq!(found[1].start, html.find("</a>").unwrap());
    }

    #[test]
    fn attributes_read_as_browsers_read_them() {
        for (html, expected) in [
            ("<A HREF = \"x\" TITLE=t>", vec!["a href=x title=t"]),
            ("<img src=x/>", vec!["img src=x/"]),
            ("<img src=x />", vec!["img src=x"]),
            ("<br/>", vec!["br"]),
            ("<a =x b=>", vec!["a =x b="]),
            ("<a href>x</a>", vec!["a href", "/a"]),
            ("<svg><a xlink:href=\"y\"></svg>", vec!["svg", "a xlink:href=y", "/svg"]),
            ("</a href=\"x\">", vec!["/a href=x"]),
            ("<a href=\"unfinished", vec!["a href=unfinished"]),
        ] {
            assert_eq!(summary(html), expected, "{html}");
        }
    }

    #[test]
    fn comments_and_text_elements_end_where_browsers_end_them() {
        for (html, expected) in [
            // A quote inside a comment or script does not hide the next tag.
            (r#"<!-- " --><a href="x">"#, vec!["a href=x"]),
            (r#"<!-- " --!><a href="x">"#, vec!["a href=x"]),
            (r#"<!--><a href="x">"#, vec!["a href=x"]),
            (r#"<!---><a href="x">"#, vec!["a href=x"]),
            (
                r#"<script>s = '<b title="';</script><a href="x">"#,
                vec!["script", "/script", "a href=x"],
            ),
            (r#"<title>"</title ><a href="x">"#, vec!["title", "/title", "a href=x"]),
            (r#"</ "><a href="x">"#, vec!["a href=x"]),
            // Inside `<svg>`, `<style>` holds markup, and CDATA ends at `]]>`.
            (r#"<svg><style><a href="x">"#, vec!["svg", "style", "a href=x"]),
            (
                r#"<svg><![CDATA[ > <b title=" ]]><a href="x"></svg>"#,
                vec!["svg", "a href=x", "/svg"],
            ),
            // Once `</svg>` closes it, `<style>` holds text again.
            (
                r#"<svg></svg><style><a href="x"></style>"#,
                vec!["svg", "/svg", "style", "/style"],
            ),
            ("<!-- <a href=\"x\"> -->", vec![]),
            ("<textarea><a href=x></textarea>", vec!["textarea", "/textarea"]),
            ("<?php <a href=x> ?>", vec![]),
            ("<plaintext><a href=x></plaintext>", vec!["plaintext"]),
            ("a < b, c <= d, <3 </ x> <", vec![]),
        ] {
            assert_eq!(summary(html), expected, "{html}");
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

    #[test]
    fn non_ascii_text_and_names_are_read_whole() {
        let html = "<p>\u{e9}l\u{e8}ve <b \u{e9}=\"\u{e8}\">\u{fc}</b></p>";
        assert_eq!(summary(html), ["p", "b \u{e9}=\u{e8}", "/b", "/p"]);
    }
}
