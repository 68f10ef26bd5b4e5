//! Which scripts a build runs, and where each line of them came from.
//!
//! A site's `scripts/*.rhai` are used when the site has a `scripts/` folder
//! (even an empty one, which switches scoring off); otherwise the built-in
//! defaults compiled into the binary are. The scripts are compiled as one
//! program, one after the other, so a [`LineMap`] turns a line of that
//! program back into a script path and a line of that script.

use std::sync::Arc;

use crate::site::Site;

/// One script: its path relative to the site root and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptSource {
    /// `scripts/scoring.rhai`.
    pub path: String,
    pub text: Arc<str>,
}

/// The scripts of `site`, sorted by path.
pub fn site_scripts(site: &Site) -> Vec<ScriptSource> {
    let mut scripts: Vec<ScriptSource> = if site.sources.has_scripts_dir {
        site.sources
            .scripts
            .iter()
            .map(|file| ScriptSource {
                path: file.path.clone(),
                text: file.text.clone(),
            })
            .collect()
    } else {
        default_scripts()
    };
    scripts.sort_by(|a, b| a.path.cmp(&b.path));
    scripts
}

/// The built-in scripts (the repository's `scripts/`).
pub(crate) fn default_scripts() -> Vec<ScriptSource> {
    crate::embedded::default_scripts()
        .map(|(path, text)| ScriptSource {
            path: path.to_string(),
            text: Arc::from(text),
        })
        .collect()
}

/// A place in a script, 1-based.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
}

/// Maps lines of the combined program back to their scripts.
#[derive(Debug, Clone, Default)]
pub(crate) struct LineMap {
    /// (first line of the script in the program, script path), by line.
    starts: Vec<(usize, String)>,
}

impl LineMap {
    /// Joins `scripts` into one program, recording where each one starts.
    /// Each script is followed by a line `;`, so that a script ending in an
    /// expression cannot run into the next one.
    pub(crate) fn join(scripts: &[&ScriptSource]) -> (String, LineMap) {
        let mut program = String::new();
        let mut map = LineMap::default();
        let mut line = 1;
        for script in scripts {
            map.starts.push((line, script.path.clone()));
            program.push_str(&script.text);
            if !script.text.ends_with('\n') {
                program.push('\n');
            }
            program.push_str(";\n");
            line += script.text.lines().count().max(1) + 1;
        }
        (program, map)
    }

    /// The script and its line for `line` of the program (1-based), if any.
    pub(crate) fn locate(&self, line: usize, column: usize) -> Option<Location> {
        let index = self.starts.partition_point(|(start, _)| *start <= line);
        let (start, path) = self.starts.get(index.checked_sub(1)?)?;
        Some(Location {
            path: path.clone(),
            line: line - start + 1,
            column,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(path: &str, text: &str) -> ScriptSource {
        ScriptSource {
            path: path.to_string(),
            text: Arc::from(text),
        }
    }

    #[test]
    fn lines_map_back_to_their_script() {
        let a = script("scripts/a.rhai", "fn a() {\n  1\n}\n");
        let b = script("scripts/b.rhai", "fn b() { 2 }");
        let c = script("scripts/c.rhai", "\n\nfn c() { 3 }\n");
        let (program, map) = LineMap::join(&[&a, &b, &c]);
        let lines: Vec<&str> = program.lines().collect();
        assert_eq!(lines[4], "fn b() { 2 }");
        assert_eq!(lines[8], "fn c() { 3 }");
        let at = |line| map.locate(line, 1).map(|l| (l.path, l.line));
        assert_eq!(at(2), Some(("scripts/a.rhai".to_string(), 2)));
        assert_eq!(at(5), Some(("scripts/b.rhai".to_string(), 1)));
        assert_eq!(at(9), Some(("scripts/c.rhai".to_string(), 3)));
        assert_eq!(at(0), None);
    }
}
