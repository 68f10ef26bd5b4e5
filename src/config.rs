//! `rapport.toml`: the site's settings, every key optional.
//!
//! Parsed strictly (an unknown key is an error naming the known ones), so a
//! typo in the config is caught rather than silently ignored. Command-line
//! flags (`--today`, `--base-url`, `--drafts`) are applied on top by
//! [`crate::site::BuildOptions`].

use serde::{Deserialize, Deserializer};

use crate::date::Date;
use crate::diagnostic::{Diagnostic, Pos};

/// The file name of the config at the site root.
pub const CONFIG_FILE: &str = "rapport.toml";

/// The whole site configuration.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Site title, shown in the header and the feed.
    pub title: String,
    /// One line about the site, for the home page and the feed.
    pub description: String,
    /// Where the site is published: `/`, `/alignment/` or
    /// `https://intranet.example.com/alignment/`. Links use its path.
    pub base_url: String,
    /// Pins "today" for reproducible builds (`YYYY-MM-DD`).
    #[serde(deserialize_with = "optional_date")]
    pub today: Option<Date>,
    /// Theme folder under `themes/`; the built-in theme is `default`.
    pub theme: String,
    /// The `lang` attribute of every page.
    pub language: String,
    pub markdown: MarkdownConfig,
    pub scripts: ScriptConfig,
    pub repo: RepoConfig,
    pub ledger: LedgerConfig,
}

/// `[markdown]`: how bodies are rendered.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownConfig {
    /// Emit raw HTML written in Markdown (off: it is dropped, like Hugo).
    pub raw_html: bool,
    /// Wrap known glossary acronyms in body text in `<abbr title="...">`.
    pub abbreviations: bool,
    /// Give headings an `id` and a `#` link.
    pub heading_anchors: bool,
}

/// `[scripts]`: the Rhai sandbox's limits.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ScriptConfig {
    /// Operations one hook call may run before it is stopped.
    pub max_operations: u64,
}

/// `[repo]`: where the site's sources live, for "edit this page" links.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct RepoConfig {
    /// Web address of the repository (`https://git.example.com/org/site`).
    pub url: String,
    /// Branch to link to (`main` when empty).
    pub branch: String,
    /// A template for edit links whose `{path}` is the file's path in the
    /// repository, for forges that do not use `{url}/edit/{branch}/{path}`
    /// (GitLab: `https://gitlab.example.com/org/site/-/edit/main/{path}`).
    pub edit_url: String,
}

/// `[ledger]`: the promise ledger read from git history (docs/ledger.md).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LedgerConfig {
    /// Read the ledger (on by default; off skips the history pass).
    pub enabled: bool,
    /// What `rapport check` compares the working tree with (`--since`
    /// overrides it): `HEAD`, or `origin/main` in CI.
    pub base: String,
}

impl Default for LedgerConfig {
    fn default() -> LedgerConfig {
        LedgerConfig {
            enabled: true,
            base: "HEAD".to_string(),
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            title: "Alignment".to_string(),
            description: String::new(),
            base_url: "/".to_string(),
            today: None,
            theme: "default".to_string(),
            language: "en".to_string(),
            markdown: MarkdownConfig::default(),
            scripts: ScriptConfig::default(),
            repo: RepoConfig::default(),
            ledger: LedgerConfig::default(),
        }
    }
}

impl Default for MarkdownConfig {
    fn default() -> MarkdownConfig {
        MarkdownConfig {
            raw_html: false,
            abbreviations: true,
            heading_anchors: true,
        }
    }
}

impl Default for ScriptConfig {
    fn default() -> ScriptConfig {
        ScriptConfig {
            max_operations: 1_000_000,
        }
    }
}

impl Config {
    /// Parses the text of `rapport.toml`. On error, returns the defaults and
    /// a diagnostic at the offending position.
    pub fn parse(text: &str) -> (Config, Vec<Diagnostic>) {
        match toml::from_str::<Config>(text) {
            Ok(config) => {
                let diagnostics = config.check(text);
                (config, diagnostics)
            }
            Err(err) => {
                let pos = err
                    .span()
                    .map(|span| Pos::of_offset(text, span.start))
                    .unwrap_or_default();
                let message = err.message().trim().to_string();
                let diagnostic = Diagnostic::error(CONFIG_FILE, format!("invalid config: {message}"))
                    .at_pos(pos)
                    .hint("see the configuration keys in README.md");
                (Config::default(), vec![diagnostic])
            }
        }
    }

    fn check(&self, text: &str) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if let Err(reason) = base_path_of(&self.base_url) {
            let pos = find_key(text, "base_url");
            out.push(
                Diagnostic::error(CONFIG_FILE, format!("invalid `base_url`: {reason}"))
                    .at_pos(pos)
                    .hint("use `/`, a path such as `/alignment/`, or a full URL such as `https://intranet.example.com/alignment/`"),
            );
        }
        if !self.repo.edit_url.is_empty() && !self.repo.edit_url.contains("{path}") {
            out.push(
                Diagnostic::error(CONFIG_FILE, "`repo.edit_url` has no `{path}`")
                    .at_pos(find_key(text, "edit_url"))
                    .hint("write where the file's path goes, such as `https://gitlab.example.com/org/site/-/edit/main/{path}`"),
            );
        }
        if self.scripts.max_operations == 0 {
            out.push(
                Diagnostic::error(CONFIG_FILE, "`scripts.max_operations` must be above 0")
                    .at_pos(find_key(text, "max_operations"))
                    .hint("the default is 1000000"),
            );
        }
        out
    }

    /// The path part of `base_url`, always starting and ending with `/`.
    pub fn base_path(&self) -> String {
        base_path_of(&self.base_url).unwrap_or_else(|_| "/".to_string())
    }

    /// The scheme and host of `base_url` (`https://intranet.example.com`), if
    /// it has one.
    pub fn origin(&self) -> Option<String> {
        let (scheme, rest) = self.base_url.split_once("://")?;
        let host = rest.split('/').next()?;
        Some(format!("{scheme}://{host}"))
    }
}

/// Checks a base URL given on the command line (`--base-url`).
pub fn check_base_url(base_url: &str) -> Result<(), String> {
    base_path_of(base_url).map(|_| ())
}

fn base_path_of(base_url: &str) -> Result<String, String> {
    let path = match base_url.split_once("://") {
        Some((scheme, rest)) => {
            if scheme != "http" && scheme != "https" {
                return Err(format!("scheme `{scheme}` is not http or https"));
            }
            match rest.find('/') {
                Some(i) => &rest[i..],
                None => "/",
            }
        }
        None => base_url,
    };
    if path.is_empty() {
        return Ok("/".to_string());
    }
    if !path.starts_with('/') {
        return Err(format!("`{base_url}` must start with `/` or `http(s)://`"));
    }
    if path.contains(['?', '#', ' ', '"', '<', '>']) {
        return Err(format!(
            "`{base_url}` may not contain a query, fragment, space or quote"
        ));
    }
    let mut path = path.to_string();
    if !path.ends_with('/') {
        path.push('/');
    }
    Ok(path)
}

/// The position of `key =` in a TOML text, for diagnostics about valid TOML.
pub fn find_key(text: &str, key: &str) -> Pos {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Pos::new(i + 1, line.len() - trimmed.len() + 1);
        }
    }
    Pos::new(1, 1)
}

fn optional_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Date>, D::Error> {
    let text: Option<String> = Option::deserialize(deserializer)?;
    text.map(|t| Date::parse(&t).map_err(serde::de::Error::custom))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_empty() {
        let (config, diags) = Config::parse("");
        assert!(diags.is_empty());
        assert_eq!(config, Config::default());
        assert_eq!(config.base_path(), "/");
    }

    #[test]
    fn base_path_from_full_url() {
        let (config, diags) = Config::parse("base_url = \"https://intranet.example.com/alignment\"\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(config.base_path(), "/alignment/");
        assert_eq!(config.origin().as_deref(), Some("https://intranet.example.com"));
    }

    #[test]
    fn unknown_key_is_an_error_with_position() {
        let (_, diags) = Config::parse("title = \"x\"\ntittle = \"y\"\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, 2);
        assert!(diags[0].message.contains("tittle"), "{}", diags[0].message);
    }

    #[test]
    fn bad_today_is_reported() {
        let (_, diags) = Config::parse("today = \"2026-02-30\"\n");
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.contains("2026-02-30"), "{}", diags[0].message);
        assert_eq!(diags[0].line, 1);
    }

    #[test]
    fn edit_url_needs_a_path() {
        let (_, diags) = Config::parse("[repo]\nedit_url = \"https://x.example/edit\"\n");
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].line, 2);
        let (config, diags) = Config::parse("[repo]\nedit_url = \"https://x.example/edit/{path}\"\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(config.repo.edit_url, "https://x.example/edit/{path}");
    }

    #[test]
    fn bad_base_url_is_reported() {
        let (_, diags) = Config::parse("base_url = \"ftp://x/\"\n");
        assert!(diags[0].message.contains("ftp"));
    }
}
