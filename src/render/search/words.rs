//! Words as search sees them: lowercased, accents dropped, split at
//! anything that is not a letter or a digit.
//!
//! `search.js` folds and splits what people type with the same rules
//! (`fold` and `WORD_CHAR` there), so a word of the index and a word of a
//! query compare as plain strings.

use unicode_normalization::UnicodeNormalization;

/// Longer runs of letters (hashes, pasted URLs) are not words anyone types.
pub(crate) const MAX_WORD_CHARS: usize = 48;

/// `text` lowercased, with the combining accents of its canonical
/// decomposition removed: "Café" -> "cafe".
pub(crate) fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    text.to_lowercase().nfd().filter(|c| !is_accent(*c)).collect()
}

/// The combining diacritical marks block, which is what the script drops.
fn is_accent(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Whether `c` belongs to a word: a letter or a digit of any script.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The words of folded text, in order, repeats included.
pub(crate) fn words(folded: &str) -> Box<dyn Iterator<Item = &str> + '_> {
    let long = |w: &&str| w.len() > MAX_WORD_CHARS && w.chars().nth(MAX_WORD_CHARS).is_some();
    if folded.is_ascii() {
        // Bytes are characters here, and testing a byte is cheaper.
        return Box::new(
            folded
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(move |w| !w.is_empty() && !long(w)),
        );
    }
    Box::new(
        folded
            .split(|c: char| !is_word_char(c))
            .filter(move |w| !w.is_empty() && !long(w)),
    )
}

/// The first `n` characters of `word` (all of it when shorter).
pub(crate) fn head(word: &str, n: usize) -> &str {
    match word.char_indices().nth(n) {
        Some((end, _)) => &word[..end],
        None => word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("Café CRÈME"), "cafe creme");
        assert_eq!(fold("Straße"), "straße");
        assert_eq!(fold("MQL"), "mql");
    }

    #[test]
    fn splits_at_anything_but_letters_and_digits() {
        let text = fold("Late (delivery) — the A1367's reason: 2026-04-15, déjà-vu");
        let list: Vec<&str> = words(&text).collect();
        assert_eq!(
            list,
            [
                "late", "delivery", "the", "a1367", "s", "reason", "2026", "04", "15", "deja", "vu"
            ]
        );
        let long = "x".repeat(MAX_WORD_CHARS + 1);
        assert_eq!(words(&format!("a {long} b")).collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn heads_count_characters() {
        assert_eq!(head("retention", 2), "re");
        assert_eq!(head("a", 2), "a");
        assert_eq!(head("ëa", 1), "ë");
    }
}
