//! Which glossary terms each team uses: the content format's *uses* rule.
//!
//! A team uses a term when a record of that team (its team page, a
//! commitment it made or received, a story that credits it) links to the
//! term or mentions its title, acronym or an alias as a whole word: titles
//! and aliases in any case, acronyms only as written ("MQL", not "mql").
//! The vocabulary gaps page is built on it: the gap that matters is a team
//! that uses a term without having said what it means by it.
//!
//! A record is scanned once: its text (title, plain body, and the front
//! matter written in words: revision and closing reasons, a story's
//! contributions, customer and outcome) is cut into words, and a table of
//! every term name keyed by its first word (with the lengths of the longer
//! names that start with it, each longer name then looked up whole) finds
//! the names at each word, the longest name first, in time that does not
//! grow with the number of terms; a name several terms share counts for
//! none of them (it does not say which is meant). A link to a term counts once when the text never
//! names it (`[[mql|qualified leads]]`); a link that shows the name is
//! already a mention. The counts are kept per record, so the dev server
//! can count an edited body again without scanning the others.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::model::{Content, ItemKey, Kind};
use crate::render::markdown::RenderedBody;

/// How one team uses one term.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TermUse {
    /// Mentions and links over all the team's records.
    pub count: u32,
    /// The records that use it, in content order (teams, stories newest
    /// first, commitments by due date).
    pub records: Vec<ItemKey>,
}

/// Every team's use of every term.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    /// (term, team) positions in `content.terms` and `content.teams`.
    cells: BTreeMap<(usize, usize), TermUse>,
    /// Each record's uses: term position and count.
    by_record: HashMap<ItemKey, Vec<(usize, u32)>>,
    /// The terms' names, kept for counting edited records again: a body
    /// edit changes no term's title, aliases or acronym (3 ms to build
    /// again at 3,000 terms, most of a body edit's time in `serve`).
    names: Arc<Names>,
}

impl Usage {
    /// Counts every record of every team.
    pub(crate) fn new(content: &Content, bodies: &HashMap<ItemKey, RenderedBody>) -> Usage {
        let names = Arc::new(Names::new(content));
        let records: Vec<ItemKey> = records(content).map(|(key, _)| key).collect();
        let by_record: HashMap<ItemKey, Vec<(usize, u32)>> = records
            .par_iter()
            .map(|key| (key.clone(), count_record(content, bodies, &names, key)))
            .collect();
        let mut usage = Usage {
            cells: BTreeMap::new(),
            by_record,
            names,
        };
        usage.gather(content);
        usage
    }

    /// Counts the records `keys` again (their bodies changed); returns the
    /// slugs of the teams whose use of some term changed (the teams of the
    /// records that now count differently).
    pub(crate) fn refresh(
        &mut self,
        content: &Content,
        bodies: &HashMap<ItemKey, RenderedBody>,
        keys: &[ItemKey],
    ) -> Vec<String> {
        let mut changed: Vec<ItemKey> = Vec::new();
        for key in keys
            .iter()
            .filter(|k| matches!(k.kind, Kind::Team | Kind::Story | Kind::Commitment))
        {
            let uses = count_record(content, bodies, &self.names, key);
            if self.by_record.get(key) != Some(&uses) {
                self.by_record.insert(key.clone(), uses);
                changed.push(key.clone());
            }
        }
        if changed.is_empty() {
            return Vec::new();
        }
        self.gather(content);
        let mut teams: Vec<String> = records(content)
            .filter(|(key, _)| changed.contains(key))
            .flat_map(|(_, teams)| teams)
            .map(|t| content.teams[t].meta.slug.clone())
            .collect();
        teams.sort();
        teams.dedup();
        teams
    }

    /// How team `team` uses term `term` (positions in `content`), if at all.
    pub(crate) fn get(&self, term: usize, team: usize) -> Option<&TermUse> {
        self.cells.get(&(term, team))
    }

    /// Adds up the records into cells, in content order.
    fn gather(&mut self, content: &Content) {
        self.cells.clear();
        for (key, teams) in records(content) {
            let Some(uses) = self.by_record.get(&key) else {
                continue;
            };
            for &(term, count) in uses {
                for &team in &teams {
                    let cell = self.cells.entry((term, team)).or_default();
                    cell.count += count;
                    cell.records.push(key.clone());
                }
            }
        }
    }
}

/// Every record of a team, in content order, with the positions of the
/// teams it belongs to (each once).
fn records(content: &Content) -> impl Iterator<Item = (ItemKey, Vec<usize>)> + '_ {
    let team = |slug: &str| content.position(Kind::Team, slug);
    let teams = content.teams.iter().enumerate().map(|(i, t)| (t.meta.key(), vec![i]));
    let stories = content.stories.iter().map(move |s| {
        let mut of: Vec<usize> = s.teams.iter().filter_map(|r| team(&r.slug)).collect();
        of.sort_unstable();
        of.dedup();
        (s.meta.key(), of)
    });
    let commitments = content.commitments.iter().map(move |c| {
        let mut of: Vec<usize> = std::iter::once(&c.owner)
            .chain(&c.to)
            .filter_map(|r| team(&r.slug))
            .collect();
        of.sort_unstable();
        of.dedup();
        (c.meta.key(), of)
    });
    teams.chain(stories).chain(commitments)
}

/// The terms one record uses, by term position, with their counts.
fn count_record(
    content: &Content,
    bodies: &HashMap<ItemKey, RenderedBody>,
    names: &Names,
    key: &ItemKey,
) -> Vec<(usize, u32)> {
    let mut text = String::new();
    let mut add = |part: &str| {
        text.push_str(part);
        text.push('\n');
    };
    let Some(item) = content.get(key) else {
        return Vec::new();
    };
    add(&item.meta().title);
    if let Some(body) = bodies.get(key) {
        add(&body.text);
    }
    match item {
        crate::model::ItemRef::Commitment(c) => {
            for r in &c.revisions {
                add(&r.reason);
            }
            if let Some(reason) = &c.reason {
                add(reason);
            }
        }
        crate::model::ItemRef::Story(s) => {
            for c in &s.contributions {
                add(&c.text);
            }
            for part in [&s.customer, &s.outcome].into_iter().flatten() {
                add(part);
            }
        }
        _ => {}
    }
    let mut counts: BTreeMap<usize, u32> = names.count(&text);
    if let Some(body) = bodies.get(key) {
        for link in body.links.iter().filter(|k| k.kind == Kind::Term) {
            if let Some(term) = content.position(Kind::Term, &link.slug) {
                counts.entry(term).or_insert(1);
            }
        }
    }
    counts.into_iter().collect()
}

/// The names that start with one word.
#[derive(Debug, Default, PartialEq)]
struct Starts {
    /// The terms with a name of this one word.
    one: Vec<usize>,
    /// How many words the longer names that start with it have, longest
    /// first: at this word, only these spans need looking up.
    lengths: Vec<usize>,
}

/// One way of writing names: titles and aliases lower-cased, or acronyms
/// as written.
#[derive(Debug, Default, PartialEq)]
struct NameTable {
    /// By first word.
    starts: FastMap<String, Starts>,
    /// Names of two words or more, their words joined by one space: the
    /// terms that have it. A lookup costs the same however many names share
    /// their first words (a site of 30,000 terms has thousands that start
    /// "Release Engagement").
    long: FastMap<String, Vec<usize>>,
}

/// Every term's names, by their first word: titles and aliases
/// lower-cased, acronyms as written. A name that several terms share (an
/// alias both give) says nothing about which of them is meant: a mention of
/// it counts for none.
#[derive(Debug, Default, PartialEq)]
struct Names {
    any_case: NameTable,
    as_written: NameTable,
}

/// A map keyed by words, looked up once per word of every record: a hash
/// that is fast on short keys (the keys are the site's own term names).
type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;

impl Names {
    fn new(content: &Content) -> Names {
        let mut names = Names::default();
        for (term, t) in content.terms.iter().enumerate() {
            names.add(term, &t.meta.title, false);
            for alias in &t.aliases {
                names.add(term, alias, false);
            }
            if let Some(acronym) = &t.acronym {
                names.add(term, acronym, true);
            }
        }
        // A name that two terms share counts for none of them: two of its
        // terms say so as well as all of them (a word that is an alias of
        // thousands of terms would otherwise make every mention of it sort
        // thousands).
        let two_at_most = |terms: &mut Vec<usize>| {
            terms.sort_unstable();
            terms.dedup();
            terms.truncate(2);
        };
        for table in [&mut names.any_case, &mut names.as_written] {
            for starts in table.starts.values_mut() {
                two_at_most(&mut starts.one);
                starts.lengths.sort_unstable_by(|a, b| b.cmp(a));
                starts.lengths.dedup();
            }
            table.long.values_mut().for_each(two_at_most);
        }
        names
    }

    fn add(&mut self, term: usize, name: &str, case_sensitive: bool) {
        let words: Vec<String> = words(name)
            .map(|w| {
                if case_sensitive {
                    w.to_string()
                } else {
                    lower(w).into_owned()
                }
            })
            .collect();
        let table = if case_sensitive {
            &mut self.as_written
        } else {
            &mut self.any_case
        };
        match words.as_slice() {
            [] => {}
            [one] => table.starts.entry(one.clone()).or_default().one.push(term),
            [first, ..] => {
                table.starts.entry(first.clone()).or_default().lengths.push(words.len());
                table.long.entry(words.join(" ")).or_default().push(term);
            }
        }
    }

    /// How often each term is named in `text`, as whole words. At each word
    /// the longest name that matches wins (every term that has it), and the
    /// scan goes on after it.
    fn count(&self, text: &str) -> BTreeMap<usize, u32> {
        let words: Vec<&str> = words(text).collect();
        // Each word lower-cased once (borrowed when it already is).
        let lowered: Vec<std::borrow::Cow<'_, str>> = words.iter().map(|w| lower(w)).collect();
        let mut counts = BTreeMap::new();
        let mut found: Vec<usize> = Vec::new();
        let mut key = String::new();
        let mut i = 0;
        while i < words.len() {
            found.clear();
            let mut best = 0;
            for (table, case_sensitive) in [(&self.any_case, false), (&self.as_written, true)] {
                let word = |j: usize| if case_sensitive { words[j] } else { lowered[j].as_ref() };
                let Some(starts) = table.starts.get(word(i)) else {
                    continue;
                };
                for &len in &starts.lengths {
                    if len < best {
                        break;
                    }
                    if i + len > words.len() {
                        continue;
                    }
                    key.clear();
                    for j in i..i + len {
                        if j > i {
                            key.push(' ');
                        }
                        key.push_str(word(j));
                    }
                    if let Some(terms) = table.long.get(key.as_str()) {
                        if len > best {
                            best = len;
                            found.clear();
                        }
                        found.extend(terms);
                        break;
                    }
                }
                if best <= 1 && !starts.one.is_empty() {
                    best = 1;
                    found.extend(&starts.one);
                }
            }
            if best == 0 {
                i += 1;
                continue;
            }
            found.sort_unstable();
            found.dedup();
            if let [term] = found.as_slice() {
                *counts.entry(*term).or_insert(0) += 1;
            }
            i += best;
        }
        counts
    }
}

/// `word` in lower case, borrowed when it already is (most words are).
fn lower(word: &str) -> std::borrow::Cow<'_, str> {
    if word.chars().all(|c| !c.is_uppercase()) {
        std::borrow::Cow::Borrowed(word)
    } else {
        std::borrow::Cow::Owned(word.to_lowercase())
    }
}

/// The words of `text`: runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::read::read_item;
    use crate::model::{Item, ItemKey};

    fn content(files: &[(&str, &str)]) -> Content {
        let today = crate::date::Date::parse("2026-06-15").unwrap();
        let items: Vec<Item> = files
            .iter()
            .map(|(path, text)| {
                let out = read_item(path, std::sync::Arc::from(*text), today);
                out.item.unwrap_or_else(|| panic!("{path}: {:?}", out.diagnostics))
            })
            .collect();
        Content::new(items, Default::default())
    }

    fn body(text: &str, links: &[&str]) -> RenderedBody {
        RenderedBody {
            text: text.to_string(),
            links: links.iter().map(|s| ItemKey::new(Kind::Term, *s)).collect(),
            ..RenderedBody::default()
        }
    }

    #[test]
    fn names_match_whole_words_titles_in_any_case_acronyms_as_written() {
        let site = content(&[
            (
                "content/glossary/churn.md",
                "---\ntitle: Churn\naliases: [Logo churn]\n---\nLost.\n",
            ),
            (
                "content/glossary/mql.md",
                "---\ntitle: Marketing Qualified Lead\nacronym: MQL\n---\nA lead.\n",
            ),
            ("content/glossary/lead.md", "---\ntitle: Lead\n---\nA lead.\n"),
        ]);
        let names = Names::new(&site);
        let term = |slug: &str| site.position(Kind::Term, slug).unwrap();
        let counts = names.count(
            "CHURN and churn, logo churn; churned is not churn-free? MQL, mql, marketing qualified lead, leads, Lead.",
        );
        // churn: CHURN, churn, "churn" of churn-free (a hyphen ends a word),
        // and "logo churn" is the alias (one use, not two).
        assert_eq!(counts.get(&term("churn")), Some(&4));
        // MQL as written and the title in lower case; not "mql".
        assert_eq!(counts.get(&term("mql")), Some(&2));
        // "Lead" once: the title's "lead" was taken by the longer name, and
        // "leads" is another word.
        assert_eq!(counts.get(&term("lead")), Some(&1));
    }

    #[test]
    fn a_name_two_terms_share_counts_for_neither() {
        let site = content(&[
            (
                "content/glossary/nrr.md",
                "---\ntitle: Net Revenue Retention\naliases: [retention]\n---\nKept.\n",
            ),
            (
                "content/glossary/grr.md",
                "---\ntitle: Gross Revenue Retention\naliases: [retention]\n---\nKept.\n",
            ),
        ]);
        let names = Names::new(&site);
        let counts = names.count("Retention fell; net revenue retention held.");
        let term = |slug: &str| site.position(Kind::Term, slug).unwrap();
        // "Retention" could be either, so it counts for neither; "net
        // revenue retention" is NRR's title, whole.
        assert_eq!(counts.get(&term("nrr")), Some(&1));
        assert_eq!(counts.get(&term("grr")), None);
    }

    #[test]
    fn thousands_of_names_with_one_prefix_or_one_alias_still_match_exactly() {
        // As the benchmark sites have: "Release Engagement 1" to "... 2000",
        // all with the alias "engagement"; a lookup must not walk them all.
        let files: Vec<(String, String)> = (1..=2000)
            .map(|n| {
                (
                    format!("content/glossary/re-{n}.md"),
                    format!("---\ntitle: Release Engagement {n}\naliases: [engagement]\n---\nOne.\n"),
                )
            })
            .collect();
        let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let site = content(&refs);
        let names = Names::new(&site);
        let term = |n: usize| site.position(Kind::Term, &format!("re-{n}")).unwrap();
        let counts = names.count("release engagement 17, Release Engagement 1999 and engagement; release engagement");
        assert_eq!(counts.get(&term(17)), Some(&1));
        assert_eq!(counts.get(&term(1999)), Some(&1));
        // "engagement" alone, and "release engagement" with no number, name
        // two thousand terms: none of them.
        assert_eq!(counts.values().sum::<u32>(), 2, "{counts:?}");
    }

    #[test]
    fn a_team_uses_what_its_records_name_or_link_to() {
        let site = content(&[
            (
                "content/teams/support.md",
                "---\ntitle: Support\n---\nWe fight churn.\n",
            ),
            ("content/teams/sales.md", "---\ntitle: Sales\n---\nWe sell.\n"),
            ("content/teams/legal.md", "---\ntitle: Legal\n---\nWe read.\n"),
            ("content/glossary/churn.md", "---\ntitle: Churn\n---\nLost.\n"),
            (
                "content/glossary/mql.md",
                "---\ntitle: Marketing Qualified Lead\nacronym: MQL\n---\nA lead.\n",
            ),
            (
                "content/commitments/report.md",
                "---\ntitle: Churn report\nowner: support\nto: [sales]\npromised: 2026-01-01\ndue: 2026-02-01\nstatus: dropped\nclosed: 2026-01-20\nreason: Churn data was late.\n---\nA report.\n",
            ),
            (
                "content/stories/win.md",
                "---\ntitle: A win\ndate: 2026-03-01\nteams: [sales]\n---\nA story.\n",
            ),
        ]);
        let mut bodies: HashMap<ItemKey, RenderedBody> = HashMap::new();
        bodies.insert(ItemKey::new(Kind::Team, "support"), body("We fight churn.", &[]));
        bodies.insert(ItemKey::new(Kind::Team, "sales"), body("We sell.", &[]));
        bodies.insert(
            ItemKey::new(Kind::Commitment, "report"),
            body("A report on churn.", &[]),
        );
        // A link whose label does not name the term still counts, once.
        bodies.insert(
            ItemKey::new(Kind::Story, "win"),
            body("Our qualified leads grew.", &["mql"]),
        );
        let usage = Usage::new(&site, &bodies);
        let team = |slug: &str| site.position(Kind::Team, slug).unwrap();
        let term = |slug: &str| site.position(Kind::Term, slug).unwrap();
        // Support: its page (1) and the commitment it made (title, body and
        // reason: 3).
        let support = usage.get(term("churn"), team("support")).unwrap();
        assert_eq!(support.count, 4);
        assert_eq!(
            support.records,
            [
                ItemKey::new(Kind::Team, "support"),
                ItemKey::new(Kind::Commitment, "report")
            ]
        );
        // Sales received the commitment: it uses churn through it.
        assert_eq!(usage.get(term("churn"), team("sales")).unwrap().count, 3);
        assert_eq!(usage.get(term("mql"), team("sales")).unwrap().count, 1);
        assert!(usage.get(term("churn"), team("legal")).is_none());

        // An edit that drops the mention: counted again, and it says so.
        let mut usage2 = usage.clone();
        bodies.insert(ItemKey::new(Kind::Team, "support"), body("We answer tickets.", &[]));
        assert_eq!(
            usage2.refresh(&site, &bodies, &[ItemKey::new(Kind::Team, "support")]),
            ["support"]
        );
        assert_eq!(usage2.get(term("churn"), team("support")).unwrap().count, 3);
        assert_eq!(usage2, Usage::new(&site, &bodies));
        assert!(
            usage2
                .refresh(&site, &bodies, &[ItemKey::new(Kind::Team, "support")])
                .is_empty()
        );
    }
}
