//! Reading a site from disk: the only code that reads the user's files.
//!
//! [`load`] walks the site root once and returns a [`SourceTree`]: the config
//! text, every content file, the theme's templates and static files, the
//! scripts and `static/`. Files are read in parallel. Loading never fails
//! below the root: a file that cannot be read or is not UTF-8, a folder that
//! cannot be listed, a dangling symbolic link or a link loop, a named pipe
//! where a file would be, each becomes a diagnostic at its path, and every
//! other file is still read. [`classify`] tells which part of the site a path
//! belongs to, so the dev server can re-read just the files that changed.
//!
//! **Symbolic links** are followed only when their target, resolved to a
//! canonical path, is inside the site root: a link to `/etc/shadow` in
//! `static/` or to `/proc/self/environ` in `content/` would otherwise
//! publish it. A link out of the site is a warning at the link ("points
//! outside the site; not followed") and nothing of its target is read, so
//! nothing of it can reach the output or a diagnostic's snippet. Every part
//! of a path counts (a linked folder too), and files are read from the
//! canonical path that was checked, opened without following a link and
//! without blocking, so a link or a pipe swapped in after the check is
//! refused rather than followed or waited on.
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
pub(crate) enum Role {
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

/// The folders whose files are part of the site (besides `rapport.toml`):
/// what `load` reads and what the dev server watches.
pub(crate) const SITE_FOLDERS: [&str; 4] = ["content", "themes", "scripts", "static"];

/// Reads just the config at `root` (defaults when it is missing or broken).
pub(crate) fn read_config(root: &Path) -> Config {
    read_text(root, CONFIG_FILE)
        .map(|file| Config::parse(&file.text).0)
        .unwrap_or_default()
}

/// Reads the whole site at `root`: the config first, since it names the
/// theme whose files are read. Fails only when `root` itself is not a
/// readable folder; every problem below it is a diagnostic.
pub(crate) fn load(root: &Path) -> Result<SourceTree> {
    if !root.is_dir() {
        bail!("site root `{}` is not a folder", root.display());
    }
    let site = SiteRoot::new(root)?;
    let mut tree = SourceTree {
        root: root.to_path_buf(),
        ..SourceTree::default()
    };
    if std::fs::symlink_metadata(root.join(CONFIG_FILE)).is_ok() {
        match site.read_text(CONFIG_FILE) {
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

    let mut walk = Walk {
        site: &site,
        theme: &theme,
        found: Vec::new(),
        diagnostics: Vec::new(),
    };
    for folder in ["content", "scripts", "static", &format!("themes/{theme}")] {
        let entered = walk.walk_top(folder);
        if folder == "scripts" {
            tree.has_scripts_dir = entered;
        }
    }
    let Walk {
        mut found, diagnostics, ..
    } = walk;
    tree.diagnostics.extend(diagnostics);
    found.sort_by(|a, b| (a.role, &a.rel).cmp(&(b.role, &b.rel)));

    let read: Vec<(Found, Result<Vec<u8>, Diagnostic>)> = found
        .into_par_iter()
        .map(|file| {
            let bytes = read_regular(&file.source, &file.rel);
            (file, bytes)
        })
        .collect();

    for (file, bytes) in read {
        let bytes = match bytes {
            Ok(bytes) => bytes,
            Err(d) => {
                tree.diagnostics.push(d);
                continue;
            }
        };
        let Found { role, rel: path, .. } = file;
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

/// The site root, with its canonical path: what every symbolic link's
/// target is checked against.
struct SiteRoot {
    path: PathBuf,
    canonical: PathBuf,
}

/// What a path of the site turned out to be, once every symbolic link on
/// the way was resolved and checked.
enum Resolved {
    /// A regular file inside the site, at this canonical path.
    File(PathBuf),
    /// A folder inside the site, at this canonical path.
    Folder(PathBuf),
    /// A named pipe, socket or device: never opened.
    Special,
}

impl SiteRoot {
    fn new(root: &Path) -> Result<SiteRoot> {
        let canonical = root
            .canonicalize()
            .with_context(|| format!("failed to resolve the site root `{}`", root.display()))?;
        Ok(SiteRoot {
            path: root.to_path_buf(),
            canonical,
        })
    }

    /// Resolves `rel` (every link on the way) and checks that it stays
    /// inside the site. `Ok(None)` when nothing is there.
    ///
    /// The check compares canonical paths, so a link anywhere on the way (a
    /// linked folder too) counts. What is read afterwards is the canonical
    /// path, opened without following a link in its last part, so a link
    /// swapped in after the check is refused rather than followed.
    fn resolve(&self, rel: &str) -> Result<Option<Resolved>, Diagnostic> {
        let path = self.path.join(rel);
        let Ok(own) = std::fs::symlink_metadata(&path) else {
            return Ok(None);
        };
        let canonical = match path.canonicalize() {
            Ok(canonical) => canonical,
            Err(err) => return Err(unresolvable(rel, own.file_type().is_symlink(), &err)),
        };
        if !canonical.starts_with(&self.canonical) {
            return Err(outside(rel));
        }
        let meta = std::fs::metadata(&canonical).map_err(|err| cannot_read(rel, &err))?;
        Ok(Some(if meta.is_dir() {
            Resolved::Folder(canonical)
        } else if meta.is_file() {
            Resolved::File(canonical)
        } else {
            Resolved::Special
        }))
    }

    /// Reads the file `rel` of the site, under the symbolic-link rule.
    fn read_bytes(&self, rel: &str) -> Result<Vec<u8>, Diagnostic> {
        match self.resolve(rel)? {
            Some(Resolved::File(canonical)) => read_regular(&canonical, rel),
            Some(Resolved::Special) => Err(special(rel)),
            Some(Resolved::Folder(_)) => Err(Diagnostic::error(rel, "cannot read file: it is a folder")),
            None => Err(cannot_read(rel, &std::io::Error::from(std::io::ErrorKind::NotFound))),
        }
    }

    fn read_text(&self, rel: &str) -> Result<TextFile, Diagnostic> {
        into_text(rel, self.read_bytes(rel)?)
    }
}

/// Folders nested deeper than this are not read: no real site comes close,
/// and a bound keeps the walk's recursion small.
const MAX_FOLDER_DEPTH: usize = 64;

/// One walk over the site's folders: the files found, by role, and a
/// diagnostic for everything that could not be followed.
struct Walk<'w> {
    site: &'w SiteRoot,
    theme: &'w str,
    found: Vec<Found>,
    diagnostics: Vec<Diagnostic>,
}

/// A file the walk found: its role, its path in the site and the canonical
/// path to read it from.
struct Found {
    role: Role,
    rel: String,
    source: PathBuf,
}

impl Walk<'_> {
    /// Walks the top folder `rel` (`content`, `themes/intranet`); returns
    /// whether it is a folder inside the site.
    fn walk_top(&mut self, rel: &str) -> bool {
        match self.site.resolve(rel) {
            Ok(Some(Resolved::Folder(canonical))) => {
                let mut ancestors = vec![canonical.clone()];
                self.walk(rel, &canonical, &mut ancestors);
                true
            }
            Ok(_) => false,
            Err(d) => {
                self.diagnostics.push(d);
                false
            }
        }
    }

    /// Walks the folder `rel`, whose canonical path is `canonical`;
    /// `ancestors` are the canonical folders above it, for loops.
    ///
    /// walkdir goes through the real folders below it, never following a
    /// link; each link is resolved and checked here ([`Walk::link`]), and
    /// a link to a folder inside the site is walked in its turn.
    fn walk(&mut self, rel: &str, canonical: &Path, ancestors: &mut Vec<PathBuf>) {
        if ancestors.len() > MAX_FOLDER_DEPTH {
            self.diagnostics.push(too_deep(rel));
            return;
        }
        // Folders this many levels down are reported, not read.
        let depth_left = MAX_FOLDER_DEPTH - ancestors.len() + 1;
        let walker = WalkDir::new(canonical)
            .follow_links(false)
            .sort_by_file_name()
            .min_depth(1)
            .max_depth(depth_left)
            .into_iter()
            .filter_entry(|e| e.file_name().to_str().is_none_or(|name| !is_ignored_name(name)));
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let at = err
                        .path()
                        .and_then(|p| p.strip_prefix(canonical).ok())
                        .and_then(Path::to_str)
                        .map_or_else(|| rel.to_string(), |p| format!("{rel}/{p}"));
                    let reason = err.io_error().map_or_else(|| err.to_string(), io_reason);
                    self.diagnostics.push(
                        Diagnostic::error(&at, format!("cannot read folder: {reason}"))
                            .hint("check the folder's permissions; the other files are read"),
                    );
                    continue;
                }
            };
            let inner = entry.path().strip_prefix(canonical).unwrap_or(entry.path());
            let Some(inner) = inner.to_str() else {
                self.diagnostics.push(
                    Diagnostic::warning(
                        rel,
                        format!(
                            "the name `{}` is not UTF-8 text; it is skipped",
                            entry.file_name().to_string_lossy()
                        ),
                    )
                    .hint("rename the file with letters, digits, `-` and `_`"),
                );
                continue;
            };
            let child = format!("{rel}/{}", inner.replace(std::path::MAIN_SEPARATOR, "/"));
            let role = classify(&child, self.theme);
            let kind = entry.file_type();
            if kind.is_symlink() {
                // The real folders between `canonical` and the link are its
                // ancestors too.
                let above = ancestors.len();
                ancestors.extend(
                    entry
                        .path()
                        .ancestors()
                        .skip(1)
                        .take_while(|p| *p != canonical)
                        .map(Path::to_path_buf),
                );
                self.link(child, role, ancestors);
                ancestors.truncate(above);
            } else if kind.is_dir() {
                if entry.depth() == depth_left {
                    self.diagnostics.push(too_deep(&child));
                }
            } else if kind.is_file() {
                self.file(child, role, entry.into_path());
            } else if role != Role::Other {
                self.diagnostics.push(special(&child));
            }
        }
    }

    /// A symbolic link: followed only when it resolves inside the site.
    fn link(&mut self, rel: String, role: Role, ancestors: &mut Vec<PathBuf>) {
        match self.site.resolve(&rel) {
            Ok(Some(Resolved::Folder(target))) => {
                if ancestors.contains(&target) {
                    self.diagnostics.push(
                        Diagnostic::error(
                            &rel,
                            "symbolic link loop: this link points to a folder that contains it",
                        )
                        .hint("remove the link, or point it at a folder outside this one"),
                    );
                    return;
                }
                ancestors.push(target.clone());
                self.walk(&rel, &target, ancestors);
                ancestors.pop();
            }
            Ok(Some(Resolved::File(target))) => self.file(rel, role, target),
            Ok(Some(Resolved::Special)) if role != Role::Other => self.diagnostics.push(special(&rel)),
            Ok(_) => {}
            // A dead link where nothing of the site would be is no concern
            // of the site's (`scripts/notes` is not a script).
            Err(d) if d.is_error() && role == Role::Other => {}
            Err(d) => self.diagnostics.push(d),
        }
    }

    fn file(&mut self, rel: String, role: Role, source: PathBuf) {
        if role != Role::Other {
            self.found.push(Found { role, rel, source });
        }
    }
}

/// Folders nested past [`MAX_FOLDER_DEPTH`] are not read.
fn too_deep(rel: &str) -> Diagnostic {
    Diagnostic::error(
        rel,
        format!("folders nest more than {MAX_FOLDER_DEPTH} deep here; what is inside is not read"),
    )
    .hint("move the files up into fewer folders")
}

/// The warning for a symbolic link out of the site. It names only the
/// link: where it points stays out of every message.
fn outside(rel: &str) -> Diagnostic {
    Diagnostic::warning(rel, "symbolic link points outside the site; not followed")
        .hint("copy what it points to into the site folder, or point the link at something inside it")
}

/// A path whose links cannot be resolved: a dangling link, a loop, or a
/// folder on the way that cannot be searched.
fn unresolvable(rel: &str, is_link: bool, err: &std::io::Error) -> Diagnostic {
    let is_loop = err.raw_os_error() == Some(libc::ELOOP);
    if is_loop {
        Diagnostic::error(rel, "symbolic link loop: following this link leads back to itself")
            .hint("point the link at a real file or folder, or remove it")
    } else if is_link && err.kind() == std::io::ErrorKind::NotFound {
        Diagnostic::error(rel, "broken symbolic link: what it points to does not exist")
            .hint("point the link at an existing file, or remove it")
    } else {
        cannot_read(rel, err)
    }
}

fn cannot_read(rel: &str, err: &std::io::Error) -> Diagnostic {
    Diagnostic::error(rel, format!("cannot read file: {}", io_reason(err))).hint("check the file's permissions")
}

/// A named pipe, socket or device where a file of the site would be.
fn special(rel: &str) -> Diagnostic {
    Diagnostic::error(
        rel,
        "not a regular file (a named pipe, socket or device); it is not read",
    )
    .hint("replace it with a regular file, or remove it")
}

/// An I/O error's reason without the "(os error 13)" tail.
fn io_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_lowercase(),
        None => text.to_lowercase(),
    }
}

/// Reads a regular file at its canonical path. Opened without blocking and
/// without following a link, then checked to be a regular file: a named
/// pipe swapped in after the walk neither blocks the build nor is read.
fn read_regular(source: &Path, rel: &str) -> Result<Vec<u8>, Diagnostic> {
    use std::io::Read as _;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let mut file = options.open(source).map_err(|err| {
        if err.raw_os_error() == Some(libc::ELOOP) {
            outside(rel)
        } else {
            cannot_read(rel, &err)
        }
    })?;
    let meta = file.metadata().map_err(|err| cannot_read(rel, &err))?;
    if !meta.is_file() {
        return Err(special(rel));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes).map_err(|err| cannot_read(rel, &err))?;
    Ok(bytes)
}

/// `path` relative to `root`, `/`-separated; `None` when outside it or not UTF-8.
pub(crate) fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// Which part of the site `rel` (relative to the root, `/`-separated) is.
pub(crate) fn classify(rel: &str, theme: &str) -> Role {
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
pub(crate) fn is_ignored_name(name: &str) -> bool {
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

/// Reads one text file of the site, under the same rules as [`load`]: a
/// symbolic link out of the site is not followed, a pipe is not opened.
pub fn read_text(root: &Path, rel: &str) -> Result<TextFile, Diagnostic> {
    site_root(root, rel)?.read_text(rel)
}

/// Reads one asset of the site, under the same rules as [`load`].
pub(crate) fn read_asset(root: &Path, rel: &str, role: Role) -> Result<Option<Asset>, Diagnostic> {
    let Some(output) = asset_output(role, rel) else {
        return Ok(None);
    };
    let bytes = site_root(root, rel)?.read_bytes(rel)?;
    Ok(Some(Asset {
        source: rel.to_string(),
        output,
        bytes: Arc::from(bytes),
    }))
}

fn site_root(root: &Path, rel: &str) -> Result<SiteRoot, Diagnostic> {
    SiteRoot::new(root).map_err(|err| Diagnostic::error(rel, format!("cannot read file: {err:#}")))
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
