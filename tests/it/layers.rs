//! The pipeline runs one way: a module may use only modules of lower
//! layers. This test reads the `crate::` paths of every file under `src/`
//! (outside comments) and fails on an edge that goes back up, so that a
//! cycle cannot creep back in. ARCHITECTURE.md draws the same layers.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::support::manifest_dir;

/// The layers, lowest first: each module may use the ones before it.
const LAYERS: [&[&str]; 15] = [
    &["date", "diagnostic", "console", "embedded", "timings", "memory"],
    &["config", "front_matter"],
    &["ledger"],
    &["git", "model"],
    &["load", "links", "validate"],
    &["site"],
    &["score"],
    &["script"],
    &["render"],
    &["build", "write"],
    &["live"],
    &["serve", "scaffold"],
    &["cli"],
    &["commands"],
    &["main"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top module a file belongs to: `src/render/view/mod.rs` -> `render`.
fn module_of(path: &Path, src: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap_or(path);
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    first.unwrap_or_default().trim_end_matches(".rs").to_string()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules a file names as `crate::<module>`, outside comments.
fn uses(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
            rest = after;
        }
    }
    out
}

#[test]
fn no_module_uses_a_module_above_it() {
    let src = manifest_dir().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    let mut seen = BTreeSet::new();
    for file in &files {
        let module = module_of(file, &src);
        if module == "lib" {
            continue;
        }
        let Some(own) = layer(&module) else {
            panic!(
                "module `{module}` ({}) has no layer: add it to LAYERS and ARCHITECTURE.md",
                file.display()
            );
        };
        seen.insert(module.clone());
        let text = fs::read_to_string(file).expect("read a source file");
        for used in uses(&text) {
            if used == module {
                continue;
            }
            match layer(&used) {
                Some(other) if other < own => {}
                Some(_) => upward.push(format!("{} uses crate::{used}", file.display())),
                None => panic!("`crate::{used}` in {} is not a known module", file.display()),
            }
        }
    }
    assert!(
        upward.is_empty(),
        "edges that go back up the pipeline:\n{}",
        upward.join("\n")
    );
    // The test reads the whole crate, not a corner of it.
    assert!(seen.len() >= 20, "only {seen:?}");
}

#[test]
fn the_edge_reader_sees_paths_and_skips_comments() {
    let text = "use crate::model::{Kind};\n// crate::serve is above\nlet x = crate::render::view::to_value(1); // crate::live\n";
    let found: Vec<String> = uses(text).into_iter().collect();
    assert_eq!(found, ["model", "render"]);
}
