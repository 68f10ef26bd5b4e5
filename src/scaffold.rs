//! `rapport init` and `rapport new`: writing starter files for authors.
//!
//! `init` writes the example site compiled into the binary (the
//! repository's own `content/`, `scripts/` and `rapport.toml`) into an empty
//! or new folder. `new` writes one content file whose front matter passes
//! `check` as it is. Neither ever overwrites a file: `new` opens with
//! `create_new`, and `init` refuses a folder that is not empty.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::embedded;
use crate::model::slugify;
use crate::site::Site;

/// The kinds of content `new` can create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NewKind {
    Team,
    Term,
    Story,
    Commitment,
    Page,
}

/// Writes the example site into `dir`; returns how many files it wrote.
pub(crate) fn init(dir: &Path) -> Result<usize> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!("`{}` exists and is not a folder", dir.display());
        }
        let mut entries = fs::read_dir(dir).with_context(|| format!("failed to read `{}`", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "refusing to write into `{}`: it is not empty; choose a new or empty folder",
                dir.display()
            );
        }
    }
    let mut count = 0;
    for (path, bytes) in embedded::example_site() {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).with_context(|| format!("failed to create `{}`", parent.display()))?;
        }
        write_new(&target, bytes)?;
        count += 1;
    }
    Ok(count)
}

/// Creates the content file for a new item titled `title`; returns its path.
pub(crate) fn new(site: &Site, kind: NewKind, title: &str) -> Result<PathBuf> {
    let title = title.trim();
    let slug = slugify(title);
    if slug.is_empty() {
        bail!("the title `{title}` has no letters or digits to make a file name from");
    }
    let folder = match kind {
        NewKind::Team => "content/teams",
        NewKind::Term => "content/glossary",
        NewKind::Story => "content/stories",
        NewKind::Commitment => "content/commitments",
        NewKind::Page => "content",
    };
    let root = &site.sources.root;
    let path = root.join(folder).join(format!("{slug}.md"));
    if path.exists() {
        bail!(
            "`{}` already exists; rapport never overwrites a file. Choose another title or edit that file",
            path.display()
        );
    }
    let text = skeleton(site, kind, title)?;
    fs::create_dir_all(root.join(folder)).with_context(|| format!("failed to create `{folder}`"))?;
    write_new(&path, text.as_bytes())?;
    Ok(path)
}

/// Writes a file that must not exist yet.
fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("failed to create `{}` (it must not exist yet)", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("failed to write `{}`", path.display()))
}

fn yaml_quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The starter text of a new item of `kind`.
pub(crate) fn skeleton(site: &Site, kind: NewKind, title: &str) -> Result<String> {
    let today = site.today;
    let first_team = site.content.teams.first().map(|t| t.meta.slug.clone());
    let need_team = || {
        first_team.clone().with_context(|| {
            "this site has no team yet; create one first with `rapport new team \"Team name\"`".to_string()
        })
    };
    let title_line = format!("title: {}\n", yaml_quote(title));
    let text = match kind {
        NewKind::Team => format!(
            "---\n{title_line}short: {short}\ncolor: \"#4b5563\"\nlead: \"\"\nmembers: []\n---\n\nOur mission, in our own words: what we do for the rest of the company and for customers.\n",
            short = yaml_quote(&initials(title)),
        ),
        NewKind::Term => format!(
            "---\n{title_line}acronym: \"\"\naliases: []\n# owner: a team slug, the team that owns the canonical definition\n# definitions:\n#   sales: how sales uses the term\n#   support: how support hears it\nrelated: []\n---\n\nThe shared definition, in one or two sentences that every team agrees with.\n"
        ),
        NewKind::Story => format!(
            "---\n{title_line}date: {today}\nteams: [{team}]\ncontributions:\n  {team}: \"What this team did\"\ncustomer: \"\"\noutcome: \"\"\n---\n\nTell it with \"we\": what the customer needed, what we did together, and what changed.\n",
            team = need_team()?,
        ),
        NewKind::Commitment => format!(
            "---\n{title_line}owner: {team}\nto: []\npromised: {today}\ndue: {due}\n# delivered: YYYY-MM-DD\n# revisions:\n#   - date: YYYY-MM-DD\n#     new_due: YYYY-MM-DD\n#     reason: why the date moved\n# status: dropped (or missed), with both:\n# closed: YYYY-MM-DD, the day it was dropped or declared missed\n# reason: why\n---\n\nWhat exactly we promise, to whom, and how they will know it is done.\n",
            team = need_team()?,
            due = today.add_days(30).unwrap_or(today),
        ),
        NewKind::Page => format!("---\n{title_line}---\n\nWrite the page here.\n"),
    };
    Ok(text)
}

fn initials(title: &str) -> String {
    let letters: String = title
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect();
    if letters.is_empty() { title.to_string() } else { letters }
}
