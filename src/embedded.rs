//! Files compiled into the binary by `build.rs`: the default theme, the
//! default scripts and the example site that `rapport init` writes.
//!
//! They are the same files as the repository's `themes/default/`,
//! `scripts/`, `content/` and `rapport.toml`, so the example a newcomer sees
//! is exactly what a site without those folders gets.

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The built-in theme's templates: (name, source), such as `base.html`.
pub(crate) fn theme_templates() -> impl Iterator<Item = (&'static str, &'static str)> {
    THEME_FILES.iter().filter_map(|(path, bytes)| {
        let name = path.strip_prefix("templates/")?;
        Some((name, std::str::from_utf8(bytes).ok()?))
    })
}

/// The built-in theme's static files: (output path, bytes), such as `style.css`.
pub(crate) fn theme_static() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    THEME_FILES
        .iter()
        .filter_map(|(path, bytes)| Some((path.strip_prefix("static/")?, *bytes)))
}

/// The built-in scripts: (path such as `scripts/scoring.rhai`, source).
pub(crate) fn default_scripts() -> impl Iterator<Item = (&'static str, &'static str)> {
    DEFAULT_SCRIPTS
        .iter()
        .filter_map(|(path, bytes)| Some((*path, std::str::from_utf8(bytes).ok()?)))
}

/// The example site: (path relative to the site root, bytes).
pub(crate) fn example_site() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    EXAMPLE_SITE.iter().map(|(path, bytes)| (*path, *bytes))
}
