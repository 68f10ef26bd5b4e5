//! Reading a site from disk: the only code that reads the user's files.
//!
//! [`load`] walks the site root once and returns a [`SourceTree`]: the config
//! text, every content file, the theme's templates and static files, the
//! scripts and `static/`. Files are read in parallel. A file that cannot be
//! read or is not UTF-8 becomes a diagnostic, never a failure of the whole
//! load. [`classify`] tells which part of the site a path belongs to, so the
//! dev server can re-read just the files that changed.
//!
//! Git history is read here too, once per load ([`crate::git::history`]):
//! it is the site's files' history, and reading stays in this stage. A
//! rebuild of single files in the dev server keeps the dates it had.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::{CONFIG_FILE, Config};
use crate::diagnostic::Diagnostic;
use crate::git::{self, GitInfo};

/// A text file of the site, by its path relative to the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFile {
    /// `/`-separated path relative to the site root.
    pub path: String,
    pub text: Arc<str>,
}

/// A file copied to the output as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// `/`-separated path relative to the site root.
    pub source: String,
    /// `/`-separated path in the output.
    pub output: String,
    pub bytes: Arc<[u8]>,
}

/// Everything a build reads, in memory.
#[derive(Debug, Clone, Default)]
pub struct SourceTree {
    pub root: PathBuf,
    /// The text of `rapport.toml`, if present.
    pub config_file: Option<TextFile>,
    /// The parsed config (defaults when absent or invalid).
    pub config: Config,
    /// `content/**/*.md`, sorted by path.
    pub content: Vec<TextFile>,
    /// `themes/<theme>/templates/**`, sorted by path.
    pub templates: Vec<TextFile>,
    /// `scripts/*.rhai`, sorted by path.
    pub scripts: Vec<TextFile>,
    /// `static/**`, the theme's `static/**` and non-Markdown files under `content/`.
    pub assets: Vec<Asset>,
    /// Files that could not be read.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the site has a `scripts/` folder (without one, the built-in
    /// scripts are used).
    pub has_scripts_dir: bool,
    /// When each file last changed in git, and where the site sits in the
    /// repository; empty outside git. Shared: the dev server clones the tree
    /// on every rebuild.
    pub git: Arc<GitInfo>,
}

/// What part of the site a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Config,
    Content,
    /// A non-Markdown file under `content/`, copied beside its page.
    ContentAsset,
    Template,
    ThemeAsset,
    Script,
    Static,
    /// Not part of the site (output, hidden files, editor backups, other folders).
    Other,
}

/// Reads just the config at `root` (defaults when it is missing or broken).
pub fn read_config(root: &Path) -> Config {
    read_text(root, CONFIG_FILE)
        .map(|file| Config::parse(&file.text).0)
        .unwrap_or_default()
}

/// Reads the whole site at `root`: the config first, since it names the
/// theme whose files are read.
pub fn load(root: &Path) -> Result<SourceTree> {
    if !root.is_dir() {
        bail!("site root `{}` is not a folder", root.display());
    }
    let mut tree = SourceTree {
        root: root.to_path_buf(),
        has_scripts_dir: root.join("scripts").is_dir(),
        ..SourceTree::default()
    };
    if root.join(CONFIG_FILE).is_file() {
        match read_text(root, CONFIG_FILE) {
            Ok(file) => {
                let (config, diagnostics) = Config::parse(&file.text);
                tree.config = config;
                tree.diagnostics.extend(diagnostics);
                tree.config_file = Some(file);
            }
            Err(d) => tree.diagnostics.push(d),
        }
    }
    tree.git = Arc::new(git::history(root, &tree.config.ledger));
    check_theme(root, &mut tree);
    let theme = tree.config.theme.clone();
    let theme = theme.as_str();

    let mut paths: Vec<(Role, String)> = Vec::new();
    for folder in ["content", "scripts", "static"] {
        collect(root, folder, theme, &mut paths)?;
    }
    collect(root, &format!("themes/{theme}"), theme, &mut paths)?;
    paths.sort();

    let read: Vec<(Role, String, Result<Vec<u8>, Diagnostic>)> = paths
        .into_par_iter()
        .map(|(role, path)| {
            let bytes = std::fs::read(root.join(&path)).map_err(|err| {
                Diagnostic::error(path.clone(), format!("cannot read file: {err}")).hint("check the file's permissions")
            });
            (role, path, bytes)
        })
        .collect();

    for (role, path, bytes) in read {
        let bytes = match bytes {
            Ok(bytes) => bytes,
            Err(d) => {
                tree.diagnostics.push(d);
                continue;
            }
        };
        match role {
            Role::Content | Role::Template | Role::Script => match into_text(&path, bytes) {
                Ok(file) => match role {
                    Role::Content => tree.content.push(file),
                    Role::Template => tree.templates.push(file),
                    _ => tree.scripts.push(file),
                },
                Err(d) => tree.diagnostics.push(d),
            },
            Role::ContentAsset | Role::ThemeAsset | Role::Static => {
                if let Some(output) = asset_output(role, &path) {
                    tree.assets.push(Asset {
                        source: path,
                        output,
                        bytes: Arc::from(bytes),
                    });
                }
            }
            Role::Config | Role::Other => {}
        }
    }
    Ok(tree)
}

/// A `theme` that is not a plain folder name is an error (and the built-in
/// theme is used); one with no folder under `themes/` is a warning, since
/// the site then builds with the built-in theme.
fn check_theme(root: &Path, tree: &mut SourceTree) {
    let theme = tree.config.theme.clone();
    if theme == "default" {
        return;
    }
    let text = tree.config_file.as_ref().map_or("", |f| &f.text);
    let pos = crate::config::find_key(text, "theme");
    let plain = !theme.is_empty() && !theme.contains(['/', '\\']) && theme != "." && theme != "..";
    if !plain {
        tree.diagnostics.push(
            Diagnostic::error(CONFIG_FILE, format!("`theme = \"{theme}\"` is not a folder name"))
                .at_pos(pos)
                .hint("name a folder under `themes/`, such as `theme = \"intranet\"`, or remove the key for the built-in theme"),
        );
        tree.config.theme = "default".to_string();
    } else if !root.join("themes").join(&theme).is_dir() {
        tree.diagnostics.push(
            Diagnostic::warning(CONFIG_FILE, format!("there is no theme folder `themes/{theme}/`"))
                .at_pos(pos)
                .hint("the built-in theme is used; create the folder, or remove `theme` from rapport.toml"),
        );
    }
}

fn collect(root: &Path, folder: &str, theme: &str, out: &mut Vec<(Role, String)>) -> Result<()> {
    let dir = root.join(folder);
    if !dir.is_dir() {
        return Ok(());
    }
    let walker = WalkDir::new(&dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = entry.with_context(|| format!("failed to walk `{}`", dir.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(rel) = relative(root, entry.path()) else {
            continue;
        };
        let role = classify(&rel, theme);
        if role != Role::Other {
            out.push((role, rel));
        }
    }
    Ok(())
}

/// `path` relative to `root`, `/`-separated; `None` when outside it or not UTF-8.
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// Which part of the site `rel` (relative to the root, `/`-separated) is.
pub fn classify(rel: &str, theme: &str) -> Role {
    if rel.split('/').any(is_ignored_name) {
        return Role::Other;
    }
    if rel == CONFIG_FILE {
        return Role::Config;
    }
    if let Some(rest) = rel.strip_prefix("content/") {
        return if rest.ends_with(".md") {
            Role::Content
        } else {
            Role::ContentAsset
        };
    }
    if let Some(rest) = rel.strip_prefix("scripts/") {
        return if rest.ends_with(".rhai") {
            Role::Script
        } else {
            Role::Other
        };
    }
    if rel.starts_with("static/") {
        return Role::Static;
    }
    let theme_dir = format!("themes/{theme}/");
    if let Some(rest) = rel.strip_prefix(&theme_dir) {
        if rest.starts_with("templates/") {
            return Role::Template;
        }
        if rest.starts_with("static/") {
            return Role::ThemeAsset;
        }
    }
    Role::Other
}

/// Names that are never part of the site: hidden files and the temporary
/// and backup files editors write next to the file being saved.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || name.ends_with(".bck")
        || name.ends_with(".bak")
        || name.contains("___jb_")
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
        || is_sed_temp(name)
}

/// `sed -i` writes `sedXXXXXX` (six random letters and digits) beside the file.
fn is_sed_temp(name: &str) -> bool {
    name.len() == 9 && name.starts_with("sed") && name[3..].bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Where an asset lands in the output, relative to the output root.
fn asset_output(role: Role, path: &str) -> Option<String> {
    let out = match role {
        Role::Static => path.strip_prefix("static/")?,
        Role::ContentAsset => path.strip_prefix("content/")?,
        Role::ThemeAsset => path.split_once("/static/")?.1,
        _ => return None,
    };
    Some(out.to_string())
}

/// Reads one text file of the site.
pub fn read_text(root: &Path, rel: &str) -> Result<TextFile, Diagnostic> {
    let bytes = std::fs::read(root.join(rel)).map_err(|err| {
        Diagnostic::error(rel, format!("cannot read file: {err}")).hint("check the file's permissions")
    })?;
    into_text(rel, bytes)
}

/// Reads one asset of the site.
pub fn read_asset(root: &Path, rel: &str, role: Role) -> Result<Option<Asset>, Diagnostic> {
    let Some(output) = asset_output(role, rel) else {
        return Ok(None);
    };
    let bytes = std::fs::read(root.join(rel)).map_err(|err| {
        Diagnostic::error(rel, format!("cannot read file: {err}")).hint("check the file's permissions")
    })?;
    Ok(Some(Asset {
        source: rel.to_string(),
        output,
        bytes: Arc::from(bytes),
    }))
}

fn into_text(path: &str, bytes: Vec<u8>) -> Result<TextFile, Diagnostic> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(TextFile {
            path: path.to_string(),
            text: Arc::from(text),
        }),
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&err.as_bytes()[..offset]).into_owned();
            let pos = crate::diagnostic::Pos::of_offset(&valid, offset);
            Err(Diagnostic::error(path, "file is not valid UTF-8 text")
                .at_pos(pos)
                .hint("save the file as UTF-8"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_paths() {
        let cases = [
            ("rapport.toml", Role::Config),
            ("content/glossary/mql.md", Role::Content),
            ("content/guides/diagram.png", Role::ContentAsset),
            ("content/glossary/.mql.md.swp", Role::Other),
            ("content/glossary/mql.md~", Role::Other),
            ("content/glossary/4913", Role::Other),
            ("themes/default/templates/sedA1b2C3", Role::Other),
            ("themes/default/templates/sediment.html", Role::Template),
            ("content/glossary/mql.md___jb_tmp___", Role::Other),
            ("content/.#mql.md", Role::Other),
            ("scripts/scoring.rhai", Role::Script),
            ("scripts/notes.txt", Role::Other),
            ("static/logo.svg", Role::Static),
            ("themes/default/templates/base.html", Role::Template),
            ("themes/default/static/style.css", Role::ThemeAsset),
            ("themes/other/templates/base.html", Role::Other),
            ("public/index.html", Role::Other),
            (".git/HEAD", Role::Other),
        ];
        for (path, role) in cases {
            assert_eq!(classify(path, "default"), role, "{path}");
        }
    }

    #[test]
    fn asset_outputs() {
        assert_eq!(
            asset_output(Role::Static, "static/img/a.png").as_deref(),
            Some("img/a.png")
        );
        assert_eq!(
            asset_output(Role::ThemeAsset, "themes/default/static/style.css").as_deref(),
            Some("style.css")
        );
        assert_eq!(
            asset_output(Role::ContentAsset, "content/guides/a.png").as_deref(),
            Some("guides/a.png")
        );
    }
}
