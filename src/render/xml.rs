//! Escaping text for XML: the one escaper of the feed, the sitemap and the
//! SVG charts.
//!
//! Besides the five markup characters, it drops the characters XML 1.0
//! cannot carry at all (most control characters, lone surrogates cannot
//! occur in Rust strings, and U+FFFE/U+FFFF): a stray form feed pasted into
//! a title would otherwise make the whole feed or chart unreadable to a
//! strict parser.

/// `text` escaped for XML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'.. => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_carry() {
        assert_eq!(
            escape("a<b>&\"c\"'d'\u{c}\u{0}\u{fffe}é\u{1F600}\t"),
            "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;é\u{1F600}\t"
        );
    }
}
