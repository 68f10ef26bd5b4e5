//! Raw HTML with `[markdown] raw_html = true`: kept through an allow-list,
//! as GitHub and GitLab keep it, with a warning at each thing removed.
//!
//! Two parts share one policy (the tables below):
//!
//! - [`clean`] is the sanitiser: ammonia, which parses with html5ever as a
//!   browser does and keeps only the allowed elements, attributes and URL
//!   schemes. A body with raw HTML goes through it whole, once, after
//!   rendering: raw HTML often spans Markdown blocks (`<details>`, a blank
//!   line, Markdown, `</details>`), and a body without raw HTML never goes
//!   through it, so its HTML stays byte for byte what Markdown gives. What
//!   Markdown itself emits is on the allow-list (`language-*` classes,
//!   heading ids, table alignment, task-list checkboxes, footnotes), so a
//!   sanitised body keeps it.
//! - [`RemovalScan`] says what the sanitiser removes, and where: it reads
//!   each piece of raw HTML with [`super::html_scan`], which keeps byte
//!   offsets (html5ever keeps none), and applies the same tables. Whether a
//!   URL survives is asked of ammonia itself, so the warning follows
//!   html5ever's decoding and the `url` crate's parsing exactly.
//!
//! Kept: formatting, headings, lists, tables, `<details>`/`<summary>`,
//! images and links with http(s), mailto or relative URLs, and what GitHub
//! allows besides (`<kbd>`, `<sup>`/`<sub>`, `<abbr>`, `<dl>`, `<del>`/
//! `<ins>`, `<ruby>`, `<mark>` …), with `id`, `class`, `title`, `lang`,
//! `dir`, `aria-label` and `aria-hidden`. Removed: everything else, notably
//! `<script>` and `<style>` (with their content), event handlers, `style`
//! attributes (they can hide content), `<iframe>`, `<object>`, `<embed>`,
//! forms, `<svg>`, and `javascript:`, `vbscript:` and `data:` URLs. HTML
//! comments are kept: they are not shown, and authors use them as notes.

use std::collections::HashMap;
use std::sync::LazyLock;

use ammonia::url::ParseError;
use ammonia::{Builder, Url, UrlRelative};
use pulldown_cmark_escape::escape_href;

use super::html_scan::{self, Attribute, Tag, decode_references};
use super::script_urls::script_scheme;

/// Elements kept, each with the attributes it may have besides
/// [`GLOBAL_ATTRIBUTES`].
const ELEMENTS: &[(&str, &[&str])] = &[
    ("a", &["href", "name"]),
    ("abbr", &[]),
    ("article", &[]),
    ("aside", &[]),
    ("b", &[]),
    ("bdi", &[]),
    ("bdo", &[]),
    ("blockquote", &[]),
    ("br", &[]),
    ("caption", &[]),
    ("cite", &[]),
    ("code", &[]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("dd", &[]),
    ("del", &["datetime"]),
    ("details", &["open"]),
    ("dfn", &[]),
    ("div", &[]),
    ("dl", &[]),
    ("dt", &[]),
    ("em", &[]),
    ("figcaption", &[]),
    ("figure", &[]),
    ("footer", &[]),
    ("h1", &[]),
    ("h2", &[]),
    ("h3", &[]),
    ("h4", &[]),
    ("h5", &[]),
    ("h6", &[]),
    ("header", &[]),
    ("hr", &[]),
    ("i", &[]),
    ("img", &["src", "alt", "width", "height", "align"]),
    // Task lists' checkboxes: always disabled (`FIXED_ATTRIBUTES`), and a
    // `type` only if it is `checkbox` (`ATTRIBUTE_VALUES`).
    ("input", &["checked", "disabled"]),
    ("ins", &["datetime"]),
    ("kbd", &[]),
    ("li", &["value"]),
    ("mark", &[]),
    ("ol", &["start", "reversed", "type"]),
    ("p", &[]),
    ("pre", &[]),
    ("q", &[]),
    ("rp", &[]),
    ("rt", &[]),
    ("ruby", &[]),
    ("s", &[]),
    ("samp", &[]),
    ("section", &[]),
    ("small", &[]),
    ("span", &[]),
    ("strike", &[]),
    ("strong", &[]),
    ("sub", &[]),
    ("summary", &[]),
    ("sup", &[]),
    ("table", &[]),
    ("tbody", &[]),
    ("td", &["colspan", "rowspan", "align"]),
    ("tfoot", &[]),
    ("th", &["colspan", "rowspan", "align", "scope"]),
    ("thead", &[]),
    ("time", &["datetime"]),
    ("tr", &[]),
    ("tt", &[]),
    ("u", &[]),
    ("ul", &[]),
    ("var", &[]),
    ("wbr", &[]),
];

/// Attributes every kept element may have.
const GLOBAL_ATTRIBUTES: &[&str] = &["aria-hidden", "aria-label", "class", "dir", "id", "lang", "title"];

/// The table-cell alignment Markdown tables emit, the one style kept.
const TEXT_ALIGN: &[&str] = &["text-align: left", "text-align: center", "text-align: right"];

/// Attributes kept only with one of these values (ignoring case, as
/// ammonia compares them).
const ATTRIBUTE_VALUES: &[(&str, &str, &[&str])] = &[
    ("input", "type", &["checkbox"]),
    ("td", "style", TEXT_ALIGN),
    ("th", "style", TEXT_ALIGN),
];

/// Attributes set on every such element, whatever the author wrote: an
/// `<input>` is always disabled, as task lists emit their checkboxes. (One
/// per element: ammonia adds missing ones in hash-map order, and output
/// must be the same bytes on every build.)
const FIXED_ATTRIBUTES: &[(&str, &str, &str)] = &[("input", "disabled", "")];

/// Elements removed with everything inside them: scripts, styles, embedded
/// documents, form controls holding text, and SVG and MathML (whose
/// content would otherwise be read in the wrong namespace).
const REMOVED_WITH_CONTENT: &[&str] = &[
    "applet", "embed", "frame", "frameset", "iframe", "math", "noembed", "noframes", "noscript", "object", "script",
    "select", "style", "svg", "template", "textarea", "title",
];

/// URL schemes kept in `href` and `src` (ammonia's default list): none can
/// run a script. Relative URLs are kept too.
const URL_SCHEMES: &[&str] = &[
    "bitcoin",
    "ftp",
    "ftps",
    "geo",
    "http",
    "https",
    "im",
    "irc",
    "ircs",
    "magnet",
    "mailto",
    "mms",
    "mx",
    "news",
    "nntp",
    "openpgp4fpr",
    "sip",
    "sms",
    "smsto",
    "ssh",
    "tel",
    "url",
    "webcal",
    "wtai",
    "xmpp",
];

/// The sanitiser, built once from the tables above. It holds no state
/// between calls.
static SANITISER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::empty();
    builder
        .tags(ELEMENTS.iter().map(|(name, _)| *name).collect())
        .tag_attributes(
            ELEMENTS
                .iter()
                .map(|(name, own)| (*name, own.iter().copied().collect()))
                .collect(),
        )
        .generic_attributes(GLOBAL_ATTRIBUTES.iter().copied().collect())
        .tag_attribute_values(
            ATTRIBUTE_VALUES
                .iter()
                .fold(HashMap::new(), |mut map, (tag, attribute, values)| {
                    map.entry(*tag)
                        .or_insert_with(HashMap::new)
                        .insert(*attribute, values.iter().copied().collect());
                    map
                }),
        )
        .clean_content_tags(REMOVED_WITH_CONTENT.iter().copied().collect())
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .url_relative(UrlRelative::PassThrough)
        .link_rel(None)
        .strip_comments(false);
    for (tag, attribute, value) in FIXED_ATTRIBUTES {
        builder.set_tag_attribute_value(*tag, *attribute, *value);
    }
    builder
});

/// `html` with everything off the allow-list removed.
pub(crate) fn clean(html: &str) -> String {
    SANITISER.clean(html).to_string()
}

/// Something the sanitiser removes from raw HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Removal {
    /// Where, in the piece of raw HTML scanned.
    pub(crate) at: usize,
    pub(crate) message: String,
    pub(crate) hint: &'static str,
}

/// Reads a body's raw HTML, piece by piece in order, for what the
/// sanitiser removes. It keeps one thing between pieces: whether an element
/// removed with its content is open (`<script>`, then Markdown text, then
/// `</script>` in a later piece), inside which nothing more is reported.
#[derive(Debug, Default)]
pub(crate) struct RemovalScan {
    /// The open element removed with its content, and how deeply it nests
    /// in itself.
    removed_content: Option<(String, usize)>,
}

impl RemovalScan {
    /// What the sanitiser removes from `html`, the next piece of raw HTML.
    pub(crate) fn scan(&mut self, html: &str) -> Vec<Removal> {
        let mut removals = Vec::new();
        for tag in html_scan::tags(html) {
            if let Some((name, depth)) = &mut self.removed_content {
                if tag.name == *name {
                    if tag.closing {
                        *depth -= 1;
                    } else if !tag.self_closing {
                        *depth += 1;
                    }
                    if *depth == 0 {
                        self.removed_content = None;
                    }
                }
                continue;
            }
            if !tag.closing {
                self.start_tag(html, &tag, &mut removals);
            }
        }
        removals
    }

    /// Whether the text that follows is inside an element removed with its
    /// content: it is not part of the page, so not of its summary either.
    pub(crate) fn inside_removed_content(&self) -> bool {
        self.removed_content.is_some()
    }

    fn start_tag(&mut self, html: &str, tag: &Tag, removals: &mut Vec<Removal>) {
        let name = tag.name.as_str();
        if REMOVED_WITH_CONTENT.contains(&name) {
            removals.push(Removal {
                at: tag.start,
                message: format!("removed `<{name}>` and its content from raw HTML"),
                hint: match name {
                    "script" | "noscript" => SCRIPT_HINT,
                    "iframe" | "object" | "embed" | "applet" | "frame" | "frameset" => EMBED_HINT,
                    _ => ELEMENT_HINT,
                },
            });
            // Void elements have no content; `<svg/>` and `<math/>` close
            // themselves.
            let empty = matches!(name, "embed" | "frame") || tag.self_closing && matches!(name, "svg" | "math");
            if !empty {
                self.removed_content = Some((tag.name.clone(), 1));
            }
            return;
        }
        if !ELEMENTS.iter().any(|(kept, _)| *kept == name) {
            removals.push(Removal {
                at: tag.start,
                message: format!("removed `<{name}>` from raw HTML, keeping its content"),
                hint: ELEMENT_HINT,
            });
            return;
        }
        for attribute in &tag.attributes {
            if let Some(removal) = attribute_removal(html, name, attribute) {
                removals.push(removal);
            }
        }
    }
}

const SCRIPT_HINT: &str = "raw HTML is sanitised as GitHub does it; if every author of this site is trusted, `[markdown] raw_html = \"trusted\"` in rapport.toml keeps it as written";
const ELEMENT_HINT: &str = "raw HTML keeps formatting, tables, lists, `<details>`, images and links; see \"Raw HTML\" in docs/content-format.md";
const EMBED_HINT: &str = "raw HTML cannot embed other pages or plugins; link to what you wanted to show instead";
const STYLE_HINT: &str = "a `style` attribute can hide or disguise content, so raw HTML keeps none; use Markdown, or a class the theme styles";
const ATTRIBUTE_HINT: &str = "raw HTML keeps `id`, `class`, `title`, `lang`, `dir`, `aria-*` and each element's own safe attributes; see \"Raw HTML\" in docs/content-format.md";
const URL_HINT: &str = "links and images keep http(s), mailto and other common URL schemes, and relative URLs; `javascript:`, `vbscript:` and `data:` URLs are removed";

/// What the sanitiser does to one attribute of a kept element, as a removal
/// (`None` when it keeps it).
fn attribute_removal(html: &str, tag: &str, attribute: &Attribute) -> Option<Removal> {
    let raw_value = attribute.value.as_ref().map_or("", |value| &html[value.clone()]);
    let value = decode_references(raw_value);
    match attribute_verdict(tag, &attribute.name, &value, &html[attribute.span.clone()]) {
        Verdict::Kept => None,
        Verdict::Removed => Some(Removal {
            at: attribute.span.start,
            message: format!("removed `{}` attribute from `<{tag}>`", attribute.name),
            hint: attribute_hint(tag, &attribute.name),
        }),
        Verdict::Url => Some(Removal {
            at: attribute
                .value
                .as_ref()
                .map_or(attribute.span.start, |value| value.start),
            message: url_message(&attribute.name, tag, &value),
            hint: URL_HINT,
        }),
    }
}

/// What happens to an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Kept,
    /// Removed for its name or its value.
    Removed,
    /// Removed for its URL.
    Url,
}

/// Whether the sanitiser keeps attribute `name` (with decoded `value`,
/// written `source` in full) on a kept element `tag`.
fn attribute_verdict(tag: &str, name: &str, value: &str, source: &str) -> Verdict {
    let own = ELEMENTS
        .iter()
        .find(|(kept, _)| *kept == tag)
        .is_some_and(|(_, own)| own.contains(&name));
    if own || GLOBAL_ATTRIBUTES.contains(&name) {
        let url_attribute = matches!(name, "href" | "src");
        return if url_attribute && !ammonia_keeps(tag, name, source) {
            Verdict::Url
        } else {
            Verdict::Kept
        };
    }
    let allowed_value = ATTRIBUTE_VALUES
        .iter()
        .find(|(t, a, _)| *t == tag && *a == name)
        .is_some_and(|(_, _, values)| values.iter().any(|v| v.eq_ignore_ascii_case(value)));
    if allowed_value { Verdict::Kept } else { Verdict::Removed }
}

/// Whether ammonia keeps the attribute written `source` on a lone `<tag>`:
/// for URLs, whose fate depends on html5ever's decoding of character
/// references and on the `url` crate's parsing, asking is the only way to
/// agree with the sanitiser every time.
fn ammonia_keeps(tag: &str, name: &str, source: &str) -> bool {
    let probe = clean(&format!("<{tag} {source}>"));
    probe.contains(&format!(" {name}=\""))
}

fn attribute_hint(tag: &str, name: &str) -> &'static str {
    if name.starts_with("on") {
        SCRIPT_HINT
    } else if name == "style" {
        STYLE_HINT
    } else if tag == "input" {
        "an `<input>` is kept only as a disabled checkbox, as task lists (`- [ ]`) emit it"
    } else {
        ATTRIBUTE_HINT
    }
}

/// "removed `javascript:` URL from `href` of `<a>`", naming the scheme as
/// the URL parser reads it.
fn url_message(name: &str, tag: &str, value: &str) -> String {
    let scheme = Url::parse(value).ok().map(|url| url.scheme().to_string()).or_else(|| {
        script_scheme(value)
            .and_then(|s| s.split(':').next())
            .map(str::to_string)
    });
    match scheme {
        Some(scheme) => format!("removed `{scheme}:` URL from `{name}` of `<{tag}>`"),
        None => format!("removed `{name}` attribute from `<{tag}>`: its URL does not parse"),
    }
}

/// What the sanitiser does to a URL that Markdown link syntax put in a body
/// that has raw HTML (and so is sanitised whole): `Some(message)` when it
/// removes it.
///
/// No need to ask ammonia here: the renderer writes the URL with
/// `escape_href`, whose only character references are `&amp;` and
/// `&#x27;`, so the value html5ever reads back is known, and ammonia's
/// check of it is [`keeps_url`].
pub(crate) fn markdown_url_removal(image: bool, url: &str) -> Option<String> {
    let mut escaped = String::with_capacity(url.len());
    let _ = escape_href(&mut escaped, url);
    let read_back = escaped.replace("&amp;", "&").replace("&#x27;", "'");
    if keeps_url(&read_back) {
        return None;
    }
    let (tag, name) = if image { ("img", "src") } else { ("a", "href") };
    Some(url_message(name, tag, url))
}

/// Whether ammonia keeps a URL attribute with this (decoded) value, as its
/// own check does: a URL that parses needs a kept scheme, a relative one is
/// kept, any other is removed.
fn keeps_url(value: &str) -> bool {
    match Url::parse(value) {
        Ok(url) => URL_SCHEMES.contains(&url.scheme()),
        Err(error) => error == ParseError::RelativeUrlWithoutBase,
    }
}

/// The hint for [`markdown_url_removal`].
pub(crate) const MARKDOWN_URL_HINT: &str = "a page with raw HTML is sanitised whole: its links and images keep http(s), mailto and other common URL schemes, and relative URLs";

/// Whether a heading may carry the attribute `{name=value}` that Markdown
/// heading attributes give it, by the same allow-list as raw HTML: the
/// message and hint when it may not.
pub(crate) fn heading_attribute_removal(name: &str, value: &str) -> Option<(String, &'static str)> {
    let name = name.to_ascii_lowercase();
    match attribute_verdict("h1", &name, value, "") {
        Verdict::Kept => None,
        Verdict::Removed | Verdict::Url => Some((
            format!("removed `{name}` attribute from heading"),
            attribute_hint("h1", &name),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn removals(pieces: &[&str]) -> Vec<(usize, String)> {
        let mut scan = RemovalScan::default();
        pieces
            .iter()
            .enumerate()
            .flat_map(|(i, piece)| {
                scan.scan(piece)
                    .into_iter()
                    .map(move |removal| (i * 1000 + removal.at, removal.message))
            })
            .collect()
    }

    #[test]
    fn allowed_html_is_kept() {
        for html in [
            "<table><thead><tr><th colspan=\"2\">a</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>",
            "<details open=\"\"><summary>More</summary><p>hidden</p></details>",
            "<img src=\"https://x.example/a.png\" alt=\"a\" width=\"10\">",
            "<a href=\"https://x.example/\" title=\"t\">x</a>",
            "<a href=\"/guides/\">x</a><a href=\"#top\">y</a><a href=\"mailto:a@b.example\">z</a>",
            "<kbd>Ctrl</kbd>+<kbd>C</kbd>, x<sup>2</sup>, H<sub>2</sub>O, <abbr title=\"t\">T</abbr>",
            "<dl><dt>a</dt><dd>b</dd></dl><del>old</del><ins>new</ins><mark>m</mark>",
            "<div class=\"note\" id=\"n\" lang=\"fr\" dir=\"ltr\" aria-label=\"l\">x</div>",
            "<p>a<br>b</p><hr><ol start=\"3\"><li>c</li></ol>",
            "<!-- a note -->",
        ] {
            assert_eq!(clean(html), html);
            assert_eq!(removals(&[html]), vec![], "{html}");
        }
    }

    #[test]
    fn each_removal_is_said_at_its_place() {
        for (html, expected) in [
            (
                "<p>a<script>alert(1)</script></p>",
                vec![(4, "removed `<script>` and its content from raw HTML")],
            ),
            (
                "<a href=\"x\" onclick=\"y()\">a</a>",
                vec![(12, "removed `onclick` attribute from `<a>`")],
            ),
            (
                "<div style=\"display:none\">a</div>",
                vec![(5, "removed `style` attribute from `<div>`")],
            ),
            (
                "<a href=\"javascript:alert(1)\">a</a>",
                vec![(9, "removed `javascript:` URL from `href` of `<a>`")],
            ),
            (
                "<a href=\"jav&#x61;script&colon;x\">a</a>",
                vec![(9, "removed `javascript:` URL from `href` of `<a>`")],
            ),
            (
                "<a href=' VBScript:x'>a</a>",
                vec![(9, "removed `vbscript:` URL from `href` of `<a>`")],
            ),
            (
                "<img src=\"data:text/html,x\">",
                vec![(10, "removed `data:` URL from `src` of `<img>`")],
            ),
            (
                "<iframe src=\"https://x.example\"></iframe>",
                vec![(0, "removed `<iframe>` and its content from raw HTML")],
            ),
            (
                "<form action=\"/x\"><button>go</button></form>",
                vec![
                    (0, "removed `<form>` from raw HTML, keeping its content"),
                    (18, "removed `<button>` from raw HTML, keeping its content"),
                ],
            ),
            (
                "<object data=\"x\"><embed src=\"y\"><p onclick=x>fallback</p></object><p>after</p>",
                vec![(0, "removed `<object>` and its content from raw HTML")],
            ),
            (
                "<svg><a xlink:href=\"javascript:x\"><text>t</text></a></svg>",
                vec![(0, "removed `<svg>` and its content from raw HTML")],
            ),
            (
                "<input type=\"text\">",
                vec![(7, "removed `type` attribute from `<input>`")],
            ),
            (
                "<td style=\"color: red\">x</td>",
                vec![(4, "removed `style` attribute from `<td>`")],
            ),
        ] {
            let expected: Vec<(usize, String)> = expected.into_iter().map(|(at, m)| (at, m.to_string())).collect();
            assert_eq!(removals(&[html]), expected, "{html}");
        }
    }

    #[test]
    fn removed_content_spans_pieces() {
        // Inline raw HTML comes tag by tag, Markdown text in between.
        let found = removals(&["<script>", "<b onclick=\"x\">", "</script>", "<i onclick=\"y\">"]);
        assert_eq!(
            found,
            vec![
                (0, "removed `<script>` and its content from raw HTML".to_string()),
                (3003, "removed `onclick` attribute from `<i>`".to_string()),
            ]
        );
        let mut scan = RemovalScan::default();
        scan.scan("<template><template>");
        scan.scan("</template>");
        assert!(scan.inside_removed_content());
        scan.scan("</template>");
        assert!(!scan.inside_removed_content());
    }

    #[test]
    fn what_is_removed_is_gone_from_the_output() {
        let html = "<div onclick=\"x\" style=\"y\">a<script>alert(1)</script><style>p{}</style>\
                    <iframe src=\"https://x\"></iframe><a href=\"javascript:x\">b</a>\
                    <img src=\"data:image/png;base64,AA\" onerror=\"x\"><form><input type=\"password\"></form></div>";
        assert_eq!(clean(html), "<div>a<a>b</a><img><input disabled=\"\"></div>");
    }

    #[test]
    fn markdown_urls_in_a_sanitised_body() {
        assert_eq!(markdown_url_removal(false, "https://x.example/"), None);
        assert_eq!(markdown_url_removal(true, "a.png"), None);
        assert_eq!(
            markdown_url_removal(false, "slack://open").as_deref(),
            Some("removed `slack:` URL from `href` of `<a>`")
        );
        assert_eq!(
            markdown_url_removal(true, "data:image/png;base64,AA").as_deref(),
            Some("removed `data:` URL from `src` of `<img>`")
        );
    }

    #[test]
    fn the_url_check_agrees_with_ammonia() {
        for url in [
            "https://x.example/a?b=1&c='2'",
            "HTTP://X.EXAMPLE",
            "mailto:a@b.example",
            "/guides/",
            "../x.png",
            "#top",
            "//x.example/a",
            "",
            "tel:+1 555",
            "slack://open",
            "javascript:alert(1)",
            "data:image/png;base64,AA",
            "http://[::1",
            "http://exa mple.example/",
            "C:\\file.txt",
            "\u{e9}t\u{e9}.html",
        ] {
            let mut escaped = String::new();
            let _ = escape_href(&mut escaped, url);
            let probe = ammonia_keeps("a", "href", &format!("href=\"{escaped}\""));
            assert_eq!(markdown_url_removal(false, url).is_none(), probe, "{url}");
        }
    }

    #[test]
    fn heading_attributes_follow_the_same_list() {
        assert_eq!(heading_attribute_removal("lang", "fr"), None);
        assert_eq!(
            heading_attribute_removal("onclick", "alert(1)")
                .map(|(m, _)| m)
                .as_deref(),
            Some("removed `onclick` attribute from heading")
        );
        assert!(heading_attribute_removal("style", "display:none").is_some());
    }
}
