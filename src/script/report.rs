//! The report of `rapport scores`: team scores, the happiness index by
//! month and the lowest-scoring commitments, as a table, JSON or CSV, so a
//! maintainer can try a rule change without opening a browser.
//!
//! It is computed from the content and the score book alone: no pages are
//! rendered. The command itself (loading, printing errors to stderr and the
//! report to stdout) is `crate::commands::scores`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::model::commitment::counts;
use crate::model::{Content, MonthFigures};
use crate::score::ScoreBook;

/// How many of the lowest-scoring commitments to list.
pub(crate) const LOWEST: usize = 10;

/// Everything `rapport scores` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Report {
    pub today: String,
    pub teams: Vec<TeamRow>,
    pub happiness: Vec<MonthRow>,
    pub lowest_commitments: Vec<CommitmentRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct TeamRow {
    pub team: String,
    pub title: String,
    /// `score_team`'s value; `null` when it gave none.
    pub score: Option<f64>,
    /// `score_team` returned `()`: nothing the team promised has come due
    /// yet (with the default script).
    pub nothing_due_yet: bool,
    pub promises_made: usize,
    /// On-time deliveries over everything that came due, in percent.
    pub on_time_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MonthRow {
    pub team: String,
    /// `happiness`'s value; `null` when it gave none.
    pub index: Option<f64>,
    /// The month and its figures.
    #[serde(flatten)]
    pub figures: MonthFigures,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CommitmentRow {
    pub commitment: String,
    pub title: String,
    pub owner: String,
    pub state: &'static str,
    pub score: f64,
}

/// The report of `scores` over `content`, for one team or all.
pub(crate) fn report(content: &Content, scores: &ScoreBook, today: &str, team: Option<&str>) -> Report {
    let wanted = |slug: &str| team.is_none_or(|t| t == slug);
    let teams = content
        .teams
        .iter()
        .filter(|t| wanted(&t.meta.slug))
        .map(|t| {
            let made = counts(
                content
                    .position(crate::model::Kind::Team, &t.meta.slug)
                    .map(|i| content.relations.made[i].as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|c| content.commitments[*c].derived.state),
            );
            TeamRow {
                team: t.meta.slug.clone(),
                title: t.meta.title.clone(),
                score: scores.team(&t.meta.slug),
                nothing_due_yet: scores.team_has_no_value(&t.meta.slug),
                promises_made: made.total,
                on_time_rate: made.on_time_rate,
            }
        })
        .collect();
    let happiness = content
        .teams
        .iter()
        .filter(|t| wanted(&t.meta.slug))
        .flat_map(|t| {
            scores.happiness(&t.meta.slug).iter().map(|p| MonthRow {
                team: t.meta.slug.clone(),
                index: p.value,
                figures: p.figures.clone(),
            })
        })
        .collect();
    let mut lowest: Vec<CommitmentRow> = content
        .commitments
        .iter()
        .filter(|c| wanted(&c.owner.slug))
        .filter_map(|c| {
            Some(CommitmentRow {
                commitment: c.meta.slug.clone(),
                title: c.meta.title.clone(),
                owner: c.owner.slug.clone(),
                state: c.derived.state.name(),
                score: scores.commitment(&c.meta.slug)?,
            })
        })
        .collect();
    lowest.sort_by(|a, b| {
        a.score
            .total_cmp(&b.score)
            .then_with(|| a.commitment.cmp(&b.commitment))
    });
    lowest.truncate(LOWEST);
    Report {
        today: today.to_string(),
        teams,
        happiness,
        lowest_commitments: lowest,
    }
}

impl Report {
    /// Aligned plain-text tables.
    pub(crate) fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Team scores (as of {})", self.today);
        let rows: Vec<Vec<String>> = self
            .teams
            .iter()
            .map(|t| {
                vec![
                    t.team.clone(),
                    if t.nothing_due_yet {
                        "nothing due yet".to_string()
                    } else {
                        number(t.score)
                    },
                    t.on_time_rate.map_or_else(|| "–".to_string(), |r| format!("{r:.0}%")),
                    t.promises_made.to_string(),
                ]
            })
            .collect();
        table(&mut out, &["team", "reliability", "on time", "promises made"], &rows);

        out.push_str("\nHappiness index by month\n");
        let rows: Vec<Vec<String>> = self
            .happiness
            .iter()
            .map(|m| {
                let f = &m.figures;
                vec![
                    m.team.clone(),
                    f.month.clone(),
                    number(m.index),
                    f.made.to_string(),
                    f.due.to_string(),
                    f.rescheduled.to_string(),
                    f.on_time.to_string(),
                    f.late.to_string(),
                    f.missed.to_string(),
                    f.dropped.to_string(),
                    f.overdue.to_string(),
                    f.satisfaction.map_or_else(|| "–".to_string(), |s| format!("{s:.1}")),
                ]
            })
            .collect();
        table(
            &mut out,
            &[
                "team",
                "month",
                "index",
                "made",
                "due",
                "rescheduled",
                "on time",
                "late",
                "missed",
                "dropped",
                "overdue",
                "satisfaction",
            ],
            &rows,
        );

        let _ = writeln!(out, "\nLowest-scoring commitments");
        let rows: Vec<Vec<String>> = self
            .lowest_commitments
            .iter()
            .map(|c| {
                vec![
                    number(Some(c.score)),
                    c.commitment.clone(),
                    c.owner.clone(),
                    c.state.to_string(),
                ]
            })
            .collect();
        table(&mut out, &["score", "commitment", "owner", "state"], &rows);
        out
    }

    /// One CSV table: `kind` is `team`, `happiness` or `commitment`.
    pub(crate) fn csv(&self) -> String {
        let mut out = String::from("kind,team,month,commitment,score\n");
        let mut row = |fields: [&str; 5]| {
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        };
        for t in &self.teams {
            row(["team", &t.team, "", "", &raw(t.score)]);
        }
        for m in &self.happiness {
            row(["happiness", &m.team, &m.figures.month, "", &raw(m.index)]);
        }
        for c in &self.lowest_commitments {
            row(["commitment", &c.owner, "", &c.commitment, &raw(Some(c.score))]);
        }
        out
    }
}

/// A score for people: rounded, or `–` when there is none.
fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{}", v.round() as i64))
}

/// A score for machines: as computed, or empty.
fn raw(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Writes `rows` under `headers`, columns padded; numbers align right.
fn table(out: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    if rows.is_empty() {
        out.push_str("  (none)\n");
        return;
    }
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([headers[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let numeric: Vec<bool> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .all(|r| r[i] == "–" || r[i].trim_end_matches('%').parse::<f64>().is_ok())
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let pad = widths[i].saturating_sub(cell.chars().count());
                if numeric[i] {
                    format!("{}{cell}", " ".repeat(pad))
                } else {
                    format!("{cell}{}", " ".repeat(pad))
                }
            })
            .collect();
        format!("  {}\n", padded.join("  ").trim_end())
    };
    out.push_str(&line(headers.to_vec()));
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_csv_quotes() {
        let mut out = String::new();
        table(
            &mut out,
            &["team", "score"],
            &[
                vec!["sales".into(), "82".into()],
                vec!["customer-success".into(), "–".into()],
            ],
        );
        assert_eq!(
            out,
            "  team              score\n  sales                82\n  customer-success      –\n"
        );
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"we\""), "\"say \"\"we\"\"\"");
        assert_eq!(number(Some(81.6)), "82");
        assert_eq!(raw(None), "");
    }
}
