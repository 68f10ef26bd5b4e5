//! Embeds the default theme, the default scripts and the example site into
//! the binary, so that a site without `themes/` or `scripts/` builds and
//! `rapport init` can write a complete site.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let mut out = String::new();
    table(
        &mut out,
        "THEME_FILES",
        &root.join("themes/default"),
        &root.join("themes/default"),
    );
    table(&mut out, "DEFAULT_SCRIPTS", &root.join("scripts"), &root);
    let mut example = Vec::new();
    files(&root.join("content"), &mut example);
    files(&root.join("scripts"), &mut example);
    example.push(root.join("rapport.toml"));
    example.retain(|p| p.is_file());
    example.sort();
    write_table(&mut out, "EXAMPLE_SITE", &example, &root);
    for dir in ["themes/default", "scripts", "content", "rapport.toml"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    let dest = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("embedded.rs");
    fs::write(dest, out).expect("write embedded.rs");
}

fn table(out: &mut String, name: &str, dir: &Path, base: &Path) {
    let mut list = Vec::new();
    files(dir, &mut list);
    list.sort();
    write_table(out, name, &list, base);
}

fn write_table(out: &mut String, name: &str, list: &[PathBuf], base: &Path) {
    writeln!(out, "pub static {name}: &[(&str, &[u8])] = &[").unwrap();
    for path in list {
        let rel = path.strip_prefix(base).expect("under base");
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        writeln!(
            out,
            "    ({:?}, include_bytes!({:?})),",
            rel.join("/"),
            path.display().to_string()
        )
        .unwrap();
    }
    writeln!(out, "];").unwrap();
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") {
            continue;
        }
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}
