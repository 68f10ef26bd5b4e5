//! Script URLs (`javascript:`, `vbscript:`, `data:text/html`): recognised
//! however they are written, and replaced in trusted raw HTML.
//!
//! rapport never emits a script URL from Markdown link syntax, whatever the
//! `raw_html` mode. With `raw_html = "trusted"` the authors' HTML is emitted
//! as written, `<script>` and event handlers included; the one thing
//! rapport still changes there is a URL attribute whose value is a script
//! URL: its value becomes `#` and the rest of the tag stays as it was. That
//! keeps HTML pasted from elsewhere from carrying such a link by accident; it
//! does not stop a determined author, who may write `<script>` (that is what
//! "trusted" means, and why the default `raw_html = true` sanitises instead).
//!
//! A value is decoded (numeric character references, with or without `;`,
//! and the named ones a scheme can hide behind: `&colon;`, `&sol;`, `&Tab;`,
//! `&NewLine;`, `&amp;` …) before the check, which ignores case, whitespace
//! and control characters. Limits: each HTML block and each inline tag is
//! scanned on its own ([`super::html_scan`]); comments and the content of
//! `<script>`, `<style>` and the other text elements are left as written;
//! CSS (`style="…url(…)"`) and `<meta http-equiv="refresh">` are not
//! checked.

use std::borrow::Cow;
use std::ops::Range;

use super::html_scan::{self, decode_references};

/// The scheme of a `javascript:`, `vbscript:` or `data:text/html` URL,
/// however written (mixed case, embedded whitespace or control characters).
pub(crate) fn script_scheme(url: &str) -> Option<&'static str> {
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

/// A script URL that was replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemovedUrl {
    /// The attribute's value in the input, without its quotes.
    pub(crate) value: Range<usize>,
    pub(crate) scheme: &'static str,
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

/// `html` with the value of each URL attribute that holds a script URL
/// replaced by `#`, and the replaced values. Borrowed when nothing changed.
pub(crate) fn neutralise(html: &str) -> (Cow<'_, str>, Vec<RemovedUrl>) {
    let removed: Vec<RemovedUrl> = html_scan::tags(html)
        .into_iter()
        .flat_map(|tag| tag.attributes)
        .filter(|attribute| URL_ATTRIBUTES.contains(&attribute.name.as_str()))
        .filter_map(|attribute| {
            let value = attribute.value?;
            let scheme = script_url(&attribute.name, &html[value.clone()])?;
            Some(RemovedUrl { value, scheme })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn neutralised(html: &str) -> String {
        neutralise(html).0.into_owned()
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
            // A quote inside a comment or script does not hide the next tag.
            (r#"<!-- " --><a href="javascript:x">"#, r##"<!-- " --><a href="#">"##),
            (
                r#"<script>s = '<b title="';</script><a href="javascript:x">"#,
                r##"<script>s = '<b title="';</script><a href="#">"##,
            ),
        ] {
            assert_eq!(neutralised(html), expected, "{html}");
        }
    }

    #[test]
    fn the_rest_of_the_tag_is_kept() {
        let html = "<a class=\"x\" href=\"javascript:alert(1)\"\n   title='t' data-x=y>link</a>";
        let (clean, removed) = neutralise(html);
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
            let (clean, removed) = neutralise(html);
            assert!(matches!(clean, Cow::Borrowed(_)), "{html}: {clean}");
            assert!(removed.is_empty(), "{html}");
        }
    }

    #[test]
    fn script_schemes_however_written() {
        for (url, scheme) in [
            ("javascript:alert(1)", Some("javascript:")),
            ("JaVaScRiPt:x", Some("javascript:")),
            (" java\tscript:x", Some("javascript:")),
            ("vbscript:x", Some("vbscript:")),
            ("data:text/html,x", Some("data:text/html")),
            ("data:image/png;base64,x", None),
            ("https://x/javascript:", None),
        ] {
            assert_eq!(script_scheme(url), scheme, "{url}");
        }
    }
}
