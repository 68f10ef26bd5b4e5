//! The search index: a small manifest, `/search-index.json`, and shards
//! under `/search-index/` that `search.js` fetches as a query needs them.
//!
//! Every word of every page is indexed (titles, acronyms and aliases, team
//! readings, bodies, story contributions, commitments' reasons), each with
//! the field it weighs most in ([`Level`]). Words are grouped by their first
//! two letters; a query word fetches its group's file, which lists the
//! group's words (so prefixes and one-letter typos are matched against the
//! whole group) and, for small groups, their postings; a large group keeps
//! its postings in sub-shards by the first three letters, fetched only for
//! the words that matched. What a result shows (title, path, kind, context
//! line, the passages a snippet is cut from) lives in document chunks of
//! [`DOCS_PER_CHUNK`], fetched only for the results on screen. The
//! manifest carries what ranking needs for every document (kind, title
//! length) and a stamp of the whole index that the script adds to every
//! shard's URL, so a browser never mixes shards of two builds.
//!
//! The dev server keeps a [`SearchIndex`] between rebuilds: a body edit
//! re-encodes only the shards of the words that came or went and the chunk
//! of the document. The format, the ranking and the budget are described
//! in docs/search.md.

mod document;
mod encode;
pub(crate) mod words;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

pub(crate) use document::{DocWords, LIST_PAGES, Level, SearchDoc, document, list_documents};

use crate::model::{Content, ItemKey, ItemRef};
use crate::render::markdown::RenderedBody;
use crate::render::{OutputFile, Prepared};
use crate::site::Site;

/// The manifest, relative to the output folder; the theme points
/// `data-index` at it.
pub const INDEX_PATH: &str = "search-index.json";

/// The folder of the shards, beside the manifest.
pub(crate) const SHARD_DIR: &str = "search-index/";

/// The version of the index format; bump it when a file's layout changes.
pub(crate) const FORMAT_VERSION: u32 = 3;

/// Documents per chunk of display data. Small, because a query's results
/// are spread over the whole site and each one fetches its chunk.
pub(crate) const DOCS_PER_CHUNK: usize = 4;

/// A group whose inline postings would be longer than this (bytes of
/// JSON) keeps them in sub-shards by three letters instead.
pub(crate) const GROUP_LIMIT: usize = 128 * 1024;

/// One document of a word's postings: its number, and the word's level in it.
type Posting = (u32, Level);

/// Word -> the documents it is in, by number.
type Postings = HashMap<String, Vec<Posting>, BuildHasherDefault<WordHasher>>;

/// A quick hash for words (a multiply-rotate over 8-byte words, as in
/// FxHash): the default one is built to resist crafted keys, which a
/// site's own words are not, and costs a third of the index's build time.
/// Nothing depends on the map's order: every output is sorted.
#[derive(Debug, Default, Clone, Copy)]
struct WordHasher(u64);

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(word) ^ (rest.len() as u64) << 56);
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Every file of the index for a prepared site.
pub fn files(site: &Site, prepared: &Prepared) -> Vec<OutputFile> {
    SearchIndex::new(&site.content, &prepared.bodies).files()
}

/// The index, kept by the dev server so that an edit re-encodes only the
/// shards and the chunk it touched.
#[derive(Debug, Clone, Default)]
pub(crate) struct SearchIndex {
    /// Each document's row of its chunk.
    rows: Vec<String>,
    /// What ranking needs of every document, in the manifest.
    kinds: Vec<char>,
    title_words: Vec<usize>,
    /// Item -> its document's number.
    positions: HashMap<ItemKey, usize>,
    /// Word -> the documents it is in, by number.
    postings: Postings,
    /// Group (a word's first two letters) -> its files.
    groups: BTreeMap<String, Vec<encode::ShardFile>>,
    /// The chunk files, in order.
    chunks: Vec<encode::ShardFile>,
}

/// What [`SearchIndex::refresh`] changed.
#[derive(Debug, Default)]
pub(crate) struct Refreshed {
    /// Files that are new or whose bytes changed.
    pub written: Vec<OutputFile>,
    /// Files that are no longer part of the index.
    pub removed: Vec<String>,
}

impl Refreshed {
    pub(crate) fn is_empty(&self) -> bool {
        self.written.is_empty() && self.removed.is_empty()
    }
}

impl SearchIndex {
    pub(crate) fn new(content: &Content, bodies: &HashMap<ItemKey, RenderedBody>) -> SearchIndex {
        let (docs, positions) = documents_with_positions(content, bodies);
        SearchIndex::of_documents(docs, positions)
    }

    /// The index's files, for a build that needs neither the bodies nor
    /// the index afterwards: the bodies are dropped as soon as the
    /// documents hold their text, and the files take the index's bytes.
    pub(crate) fn files_of(content: &Content, bodies: HashMap<ItemKey, RenderedBody>) -> Vec<OutputFile> {
        let (docs, positions) = documents_with_positions(content, &bodies);
        drop(bodies);
        crate::memory::give_back();
        SearchIndex::of_documents(docs, positions).into_files()
    }

    fn of_documents(docs: Vec<SearchDoc>, positions: HashMap<ItemKey, usize>) -> SearchIndex {
        let analysed: Vec<(String, DocWords)> =
            docs.par_iter().map(|doc| (encode::doc_row(doc), doc.words())).collect();
        let kinds = docs.iter().map(|d| d.kind).collect();
        let title_words = docs.iter().map(SearchDoc::title_words).collect();
        // The rows and words hold what the index needs of the documents.
        drop(docs);
        let (rows, words): (Vec<String>, Vec<DocWords>) = analysed.into_iter().unzip();
        // The postings and their groups on one side, the chunks on the other.
        let ((postings, groups), chunks) = rayon::join(
            || {
                let postings = merge(&words);
                let groups = encode_groups(&postings);
                (postings, groups)
            },
            || {
                (0..rows.len().div_ceil(DOCS_PER_CHUNK))
                    .into_par_iter()
                    .map(|c| chunk_file(&rows, c))
                    .collect()
            },
        );
        SearchIndex {
            kinds,
            title_words,
            rows,
            positions,
            postings,
            groups,
            chunks,
        }
    }

    /// Every file of the index: the manifest, the groups and their
    /// sub-shards, the chunks.
    pub(crate) fn files(&self) -> Vec<OutputFile> {
        let mut files = vec![self.manifest()];
        for file in self.groups.values().flatten().chain(&self.chunks) {
            files.push(file.output());
        }
        files
    }

    /// [`SearchIndex::files`], moving the bytes out of the index instead of
    /// copying them: for a build that writes the files and needs the index
    /// no more.
    pub(crate) fn into_files(self) -> Vec<OutputFile> {
        let mut files = vec![self.manifest()];
        let shards = self.groups.into_values().flatten().chain(self.chunks);
        files.extend(shards.map(|file| OutputFile {
            path: file.path,
            bytes: file.bytes,
        }));
        files
    }

    /// Makes the documents of `keys` again, for items whose body changed
    /// (their front matter, and so the set of documents, did not), and
    /// re-encodes what they touched.
    pub(crate) fn refresh(
        &mut self,
        content: &Content,
        bodies: &HashMap<ItemKey, RenderedBody>,
        keys: &[ItemKey],
    ) -> Refreshed {
        let mut changed: BTreeMap<usize, SearchDoc> = BTreeMap::new();
        for key in keys {
            let Some(item) = content.get(key) else { continue };
            match (self.positions.get(key), document(content, item, bodies.get(key))) {
                (Some(&n), Some(doc)) => {
                    changed.insert(n, doc);
                }
                _ => {
                    // A list intro or the home text: the list pages carry them.
                    let start = self.rows.len() - LIST_PAGES.len();
                    for (i, doc) in list_documents(content, bodies).into_iter().enumerate() {
                        changed.insert(start + i, doc);
                    }
                }
            }
        }
        let mut dirty_groups: BTreeSet<String> = BTreeSet::new();
        let mut dirty_chunks: BTreeSet<usize> = BTreeSet::new();
        for (n, doc) in changed {
            let row = encode::doc_row(&doc);
            if self.rows[n] == row {
                continue;
            }
            self.rows[n] = row;
            dirty_chunks.insert(n / DOCS_PER_CHUNK);
            for word in self.replace_words(n as u32, doc.words()) {
                dirty_groups.insert(group_of(&word).to_string());
            }
        }
        if dirty_groups.is_empty() && dirty_chunks.is_empty() {
            return Refreshed::default();
        }

        let mut refreshed = Refreshed::default();
        for key in dirty_groups {
            let mut words: Vec<&str> = self
                .postings
                .keys()
                .filter(|w| group_of(w) == key)
                .map(String::as_str)
                .collect();
            words.sort_unstable();
            let new = if words.is_empty() {
                Vec::new()
            } else {
                encode::group_files(&key, &words, &self.postings)
            };
            let old = self.groups.remove(&key).unwrap_or_default();
            for file in &old {
                if !new.iter().any(|f| f.path == file.path) {
                    refreshed.removed.push(file.path.clone());
                }
            }
            for file in &new {
                if !old.iter().any(|f| f.path == file.path && f.bytes == file.bytes) {
                    refreshed.written.push(file.output());
                }
            }
            if !new.is_empty() {
                self.groups.insert(key, new);
            }
        }
        for c in dirty_chunks {
            let file = self.chunk_file(c);
            if file.bytes != self.chunks[c].bytes {
                refreshed.written.push(file.output());
                self.chunks[c] = file;
            }
        }
        if !refreshed.is_empty() {
            refreshed.written.push(self.manifest());
        }
        refreshed
    }

    /// Replaces document `n`'s postings with `words`; returns the words
    /// whose postings changed.
    fn replace_words(&mut self, n: u32, words: DocWords) -> Vec<String> {
        let mut old: HashMap<String, Level> = HashMap::new();
        for (word, list) in &mut self.postings {
            if let Ok(at) = list.binary_search_by_key(&n, |p| p.0) {
                old.insert(word.clone(), list.remove(at).1);
            }
        }
        self.postings.retain(|_, list| !list.is_empty());
        let mut touched = Vec::new();
        for (word, level) in words.iter() {
            if old.remove(word) != Some(level) {
                touched.push(word.to_string());
            }
            let list = self.postings.entry(word.to_string()).or_default();
            let at = list.partition_point(|p| p.0 < n);
            list.insert(at, (n, level));
        }
        touched.extend(old.into_keys());
        touched
    }

    fn chunk_file(&self, c: usize) -> encode::ShardFile {
        chunk_file(&self.rows, c)
    }

    fn manifest(&self) -> OutputFile {
        let hashes = self
            .groups
            .values()
            .flatten()
            .chain(&self.chunks)
            .map(|f| (f.path.as_str(), f.hash));
        let stamp = encode::stamp(hashes);
        let groups: Vec<&str> = self.groups.keys().map(String::as_str).collect();
        OutputFile {
            path: INDEX_PATH.to_string(),
            bytes: encode::manifest(stamp, &self.kinds, &self.title_words, &groups).into_bytes(),
        }
    }
}

/// Chunk `c` of the documents' rows.
fn chunk_file(rows: &[String], c: usize) -> encode::ShardFile {
    let start = c * DOCS_PER_CHUNK;
    let end = (start + DOCS_PER_CHUNK).min(rows.len());
    encode::chunk_file(c, &rows[start..end])
}

/// Each word's postings, from every document's words in index order.
fn merge(words: &[DocWords]) -> Postings {
    let mut postings = Postings::default();
    for (n, list) in words.iter().enumerate() {
        for (word, level) in list.iter() {
            let posting = (n as u32, level);
            match postings.get_mut(word) {
                Some(list) => list.push(posting),
                None => {
                    postings.insert(word.to_string(), vec![posting]);
                }
            }
        }
    }
    postings
}

/// Every group's files.
fn encode_groups(postings: &Postings) -> BTreeMap<String, Vec<encode::ShardFile>> {
    let mut grouped: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for word in postings.keys() {
        grouped.entry(group_of(word)).or_default().push(word);
    }
    grouped
        .into_par_iter()
        .map(|(key, mut words)| {
            words.sort_unstable();
            (key.to_string(), encode::group_files(key, &words, postings))
        })
        .collect()
}

/// The group a word's postings are in: its first two letters.
pub(crate) fn group_of(word: &str) -> &str {
    words::head(word, 2)
}

/// Every document of the index, in index order (the items in content
/// order, then the list pages), with where each item's document is.
fn documents_with_positions(
    content: &Content,
    bodies: &HashMap<ItemKey, RenderedBody>,
) -> (Vec<SearchDoc>, HashMap<ItemKey, usize>) {
    let items: Vec<ItemRef<'_>> = content.items().collect();
    let made: Vec<(ItemKey, Option<SearchDoc>)> = items
        .par_iter()
        .map(|item| {
            let key = item.meta().key();
            let doc = document(content, *item, bodies.get(&key));
            (key, doc)
        })
        .collect();
    let mut positions = HashMap::new();
    let mut docs = Vec::with_capacity(content.len() + LIST_PAGES.len());
    for (key, doc) in made {
        if let Some(doc) = doc {
            positions.insert(key, docs.len());
            docs.push(doc);
        }
    }
    docs.extend(list_documents(content, bodies));
    (docs, positions)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::date::Date;
    use crate::model::Kind;
    use crate::site::BuildOptions;

    fn fixture() -> (Site, Prepared) {
        let today = Date::parse("2026-06-15").expect("a date");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good");
        let site = Site::load(&root, &BuildOptions::new(today)).expect("the fixture loads");
        let mut scored = crate::script::score_site(&site);
        let scores = std::mem::take(&mut scored.scores);
        let prepared = crate::render::prepare(&site, scores, scored.template_call());
        (site, prepared)
    }

    fn by_path(files: Vec<OutputFile>) -> BTreeMap<String, Vec<u8>> {
        files.into_iter().map(|f| (f.path, f.bytes)).collect()
    }

    #[test]
    fn a_refresh_gives_what_a_new_index_gives() {
        let (site, prepared) = fixture();
        let mut bodies = prepared.bodies.clone();
        let mut index = SearchIndex::new(&site.content, &bodies);
        let before = by_path(index.files());
        let key = ItemKey::new(Kind::Term, "churn".to_string());

        // New words (one in a group of its own), words gone, a word moved up.
        let body = bodies.get_mut(&key).expect("the churn term has a body");
        body.text = "Zyzzyva quokka. Revenue lost when customers leave.".to_string();
        let refreshed = index.refresh(&site.content, &bodies, std::slice::from_ref(&key));
        let after = by_path(SearchIndex::new(&site.content, &bodies).files());
        let mut patched = before.clone();
        for path in &refreshed.removed {
            patched.remove(path);
        }
        for file in refreshed.written {
            patched.insert(file.path, file.bytes);
        }
        assert_eq!(patched, after, "refresh = a new index");
        assert_eq!(by_path(index.files()), after);
        assert!(after.contains_key("search-index/g/7a79.json"), "the new group `zy`");
        assert_ne!(before[INDEX_PATH], after[INDEX_PATH], "the stamp changes");

        // Back as it was: the new group goes again, and nothing else differs.
        bodies.insert(key.clone(), prepared.bodies[&key].clone());
        let refreshed = index.refresh(&site.content, &bodies, std::slice::from_ref(&key));
        assert!(refreshed.removed.contains(&"search-index/g/7a79.json".to_string()));
        assert_eq!(by_path(index.files()), before);

        // An edit that changes nothing searchable writes nothing.
        assert!(index.refresh(&site.content, &bodies, &[key]).is_empty());
    }
}
