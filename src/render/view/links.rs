//! Links to teams and items: the badge of a team (its name, short name,
//! colour and the ink that reads on it) and the link of any item.

use crate::model::{Kind, Team};

use serde::Serialize;
/// A short reference to a team, for badges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamLink {
    pub slug: String,
    pub title: String,
    pub short: String,
    pub url: String,
    pub color: String,
    /// Text colour that reads on `color` (`#fff` or `#111`).
    pub ink: String,
}

/// A short reference to any item.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ItemLink {
    pub kind: Kind,
    pub slug: String,
    pub title: String,
    pub url: String,
}

pub(crate) fn item_link(kind: Kind, slug: &str, title: &str, url: &str) -> ItemLink {
    ItemLink {
        kind,
        slug: slug.to_string(),
        title: title.to_string(),
        url: url.to_string(),
    }
}

/// The link of a team that does not exist (a reference that failed
/// validation): grey, pointing nowhere.
pub(super) fn unknown_team(slug: &str) -> TeamLink {
    TeamLink {
        slug: slug.to_string(),
        title: slug.to_string(),
        short: slug.to_string(),
        url: String::new(),
        color: "#6b7280".to_string(),
        ink: "#fff".to_string(),
    }
}

pub(super) fn team_link(team: &Team, url: &dyn Fn(&str) -> String) -> TeamLink {
    let color = team.color.clone().unwrap_or_else(|| fallback_colour(&team.meta.slug));
    TeamLink {
        slug: team.meta.slug.clone(),
        title: team.meta.title.clone(),
        short: team.short.clone().unwrap_or_else(|| team.meta.title.clone()),
        url: url(&team.meta.url_path),
        ink: ink_for(&color).to_string(),
        color,
    }
}

/// A stable colour for a team without one, from its slug.
pub(super) fn fallback_colour(slug: &str) -> String {
    const PALETTE: [&str; 8] = [
        "#2563eb", "#b45309", "#047857", "#7c3aed", "#be123c", "#0e7490", "#4d7c0f", "#9333ea",
    ];
    let hash = slug
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    PALETTE[hash as usize % PALETTE.len()].to_string()
}

/// White or near-black text, whichever reads better on `hex`.
pub(crate) fn ink_for(hex: &str) -> &'static str {
    let channel = |i: usize| {
        let v = u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
        let c = f64::from(v) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    // Contrast against white vs. against #111111 (luminance ~0.0056).
    let with_white = 1.05 / (luminance + 0.05);
    let with_black = (luminance + 0.05) / 0.0556;
    if with_white >= with_black { "#fff" } else { "#111" }
}
