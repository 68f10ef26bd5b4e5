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
pub(crate) const CONFIG_FILE: &str = "rapport.toml";

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
    /// What happens to raw HTML written in Markdown.
    pub raw_html: RawHtml,
    /// Wrap known glossary acronyms in body text in `<abbr title="...">`.
    pub abbreviations: bool,
    /// Give headings an `id` and a `#` link.
    pub heading_anchors: bool,
}

/// `[markdown] raw_html`: what happens to raw HTML written in Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RawHtml {
    /// `false`: dropped (HTML comments are shown as text), like Hugo.
    #[default]
    Off,
    /// `true`: kept through an allow-list, as GitHub and GitLab keep it.
    Sanitised,
    /// `"trusted"`: kept as written, `<script>` included; only script URLs
    /// are removed.
    Trusted,
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
            raw_html: RawHtml::Off,
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
    pub(crate) fn parse(text: &str) -> (Config, Vec<Diagnostic>) {
        match toml::from_str::<Config>(text) {
            Ok(mut config) => {
                let diagnostics = config.check(text);
                if config.scripts.max_operations == 0 {
                    // Reported once, above; the scripts run with the default
                    // so that every hook does not fail on it as well.
                    config.scripts.max_operations = ScriptConfig::default().max_operations;
                }
                (config, diagnostics)
            }
            Err(err) => {
                let pos = err
                    .span()
                    .map(|span| Pos::of_offset(text, span.start))
                    .unwrap_or_default();
                let message = err.message().trim().to_string();
                let hint = if message.starts_with(RAW_HTML_ERROR) {
                    "`true` keeps raw HTML through an allow-list (as GitHub does), `false` drops it, `\"trusted\"` keeps it as written, scripts included"
                } else {
                    "see the configuration keys in README.md"
                };
                let diagnostic = Diagnostic::error(CONFIG_FILE, format!("invalid config: {message}"))
                    .at_pos(pos)
                    .hint(hint);
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
    pub(crate) fn base_path(&self) -> String {
        base_path_of(&self.base_url).unwrap_or_else(|_| "/".to_string())
    }

    /// The scheme and host of `base_url` (`https://intranet.example.com`), if
    /// it has one.
    pub(crate) fn origin(&self) -> Option<String> {
        let (scheme, rest) = self.base_url.split_once("://")?;
        let host = rest.split('/').next()?;
        Some(format!("{scheme}://{host}"))
    }
}

/// Checks a base URL given on the command line (`--base-url`).
pub(crate) fn check_base_url(base_url: &str) -> Result<(), String> {
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
pub(crate) fn find_key(text: &str, key: &str) -> Pos {
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

/// The start of the message of a bad `raw_html`, which [`Config::parse`]
/// gives its own hint.
const RAW_HTML_ERROR: &str = "`raw_html` must be";

impl<'de> Deserialize<'de> for RawHtml {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawHtml, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Flag(bool),
            Word(String),
            Other(toml::Value),
        }
        let written = Written::deserialize(deserializer)?;
        match written {
            Written::Flag(false) => Ok(RawHtml::Off),
            Written::Flag(true) => Ok(RawHtml::Sanitised),
            Written::Word(word) if word == "trusted" => Ok(RawHtml::Trusted),
            Written::Word(word) => Err(serde::de::Error::custom(format!(
                "{RAW_HTML_ERROR} `true`, `false` or `\"trusted\"`, not `\"{word}\"`"
            ))),
            Written::Other(value) => Err(serde::de::Error::custom(format!(
                "{RAW_HTML_ERROR} `true`, `false` or `\"trusted\"`, not `{value}`"
            ))),
        }
    }
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
    fn raw_html_is_false_true_or_trusted() {
        for (text, expected) in [
            ("", RawHtml::Off),
            ("[markdown]\nraw_html = false\n", RawHtml::Off),
            ("[markdown]\nraw_html = true\n", RawHtml::Sanitised),
            ("[markdown]\nraw_html = \"trusted\"\n", RawHtml::Trusted),
        ] {
            let (config, diags) = Config::parse(text);
            assert!(diags.is_empty(), "{text}: {diags:?}");
            assert_eq!(config.markdown.raw_html, expected, "{text}");
        }
    }

    #[test]
    fn bad_raw_html_is_an_error_at_its_value_with_a_hint() {
        for (value, shown) in [("\"yes\"", "`\"yes\"`"), ("\"Trusted\"", "`\"Trusted\"`"), ("1", "`1`")] {
            let text = format!("title = \"x\"\n[markdown]\nraw_html = {value}\n");
            let (config, diags) = Config::parse(&text);
            assert_eq!(diags.len(), 1, "{value}: {diags:?}");
            let d = &diags[0];
            assert_eq!((d.line, d.column), (3, 12), "{value}");
            assert!(
                d.message
                    .contains("`raw_html` must be `true`, `false` or `\"trusted\"`")
                    && d.message.contains(shown),
                "{}",
                d.message
            );
            assert!(d.hint.as_deref().is_some_and(|h| h.contains("allow-list")), "{d:?}");
            assert_eq!(config.markdown.raw_html, RawHtml::Off);
        }
    }

    #[test]
    fn zero_max_operations_is_one_error_and_the_default_applies() {
        let (config, diags) = Config::parse("[scripts]\nmax_operations = 0\n");
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].line, 2);
        assert_eq!(config.scripts.max_operations, ScriptConfig::default().max_operations);
    }

    #[test]
    fn bad_base_url_is_reported() {
        let (_, diags) = Config::parse("base_url = \"ftp://x/\"\n");
        assert!(diags[0].message.contains("ftp"));
    }
}
