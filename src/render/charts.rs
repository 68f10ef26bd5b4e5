//! SVG charts for the reader's site: a team's happiness index, the monthly
//! promises-vs-deliveries timeline, the trust matrix between teams and one
//! commitment's history.
//!
//! Each chart is a pure function from values to an SVG string, made at build
//! time so that pages need no JavaScript. Output is deterministic: the same
//! input gives the same bytes (coordinates are printed with at most one
//! decimal, nothing depends on hash order or the clock), which keeps snapshots
//! and incremental rebuilds stable. Every text is escaped for XML, unsafe link
//! targets are dropped, and bad input (NaN, values out of range, ragged
//! tables, unparseable dates) degrades to gaps or a "No data yet" chart
//! instead of a panic.
//!
//! Colours work with and without the theme's stylesheet. Each mark carries a
//! class (`bar-late`, `heat-3`, `state-missed`) and a fallback colour as a
//! presentation attribute; the theme's `/* Charts */` rules map the classes to
//! its CSS variables, which beat presentation attributes, so dark mode and
//! print follow the theme. Text and axes use `currentColor`. Team colours come
//! from the data (`#rrggbb`), with a fixed palette when a colour is invalid.
//!
//! The month charts share one horizontal layout (width, margins, one band per
//! month), so a team's happiness line and its monthly bars line up when stacked.
//! Each chart has `width` and `height` attributes equal to its `viewBox`: it
//! shows at its natural size (so text is as large as the page's small print)
//! and shrinks with `max-width: 100%` on narrow screens. Templates put charts
//! in a `<div class="chart-scroll">`, where they shrink only so far and then
//! scroll sideways, and where the trust matrix never shrinks.

use std::fmt::Write as _;

use crate::date::{Date, YearMonth};
use crate::model::{MonthFigures, State};
use crate::render::xml::escape;

/// Writes to a `String`, which cannot fail.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// The words of a chart: its accessible name and text alternative.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ChartText {
    /// Prefix of the chart's element ids (`team-sales-happiness` gives
    /// `team-sales-happiness-title`); must be unique on the page. Characters
    /// other than ASCII letters, digits, `-` and `_` become `-`.
    pub id: String,
    /// Short name of the chart, the SVG `<title>`.
    pub title: String,
    /// The text alternative, the SVG `<desc>`: what the chart shows in words.
    pub description: String,
}

/// One line of [`line_chart`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Series {
    pub label: String,
    /// `#rrggbb` (or `#rgb`); anything else falls back to a palette colour.
    pub color: String,
    /// One value per month, 0..=100 (clamped); `None`, NaN and infinities
    /// are gaps in the line. Missing values at the end are gaps too.
    pub values: Vec<Option<f64>>,
}

/// A team as a row or column of [`heat_map`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Axis {
    /// Display name ("Customer Success").
    pub label: String,
    /// Short name for column headers ("CS"); the label is used when empty.
    pub short: String,
    /// `#rrggbb`, the team's colour.
    pub color: String,
    /// The team's page; no link when empty.
    pub url: String,
}

/// One non-empty cell of [`heat_map`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Cell {
    /// On-time rate, 0..=100; values outside are clamped, NaN empties the cell.
    pub rate: f64,
    /// How many commitments the rate is computed from.
    pub count: u32,
    /// Where the commitments behind the cell are listed.
    pub href: String,
    /// Names the pair for the tooltip ("Sales → Marketing"); the chart adds
    /// the rate and the count.
    pub label: String,
    /// Nothing has come due yet: drawn as an empty cell that still links to
    /// its commitments, `count` of them; `rate` is not used.
    pub pending: bool,
}

impl Cell {
    /// "Sales → Marketing: " for the tooltip, escaped; empty without a label.
    fn title_prefix(&self) -> String {
        if self.label.is_empty() {
            String::new()
        } else {
            format!("{}: ", escape(&self.label))
        }
    }

    fn noun(&self) -> &'static str {
        if self.count == 1 { "commitment" } else { "commitments" }
    }
}

/// One dated event of [`commitment_timeline`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TimelineEvent {
    /// `YYYY-MM-DD`; an event whose date does not parse is left out.
    pub date: String,
    /// What happened, for people ("Promised", "New due: legal review").
    pub label: String,
    pub kind: EventKind,
}

/// What a [`TimelineEvent`] marks; decides its symbol and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    Promised,
    /// The original due date.
    Due,
    /// A new due date (the event's date is the new due).
    Rescheduled,
    Delivered,
    Missed,
    Dropped,
    /// The build date, for a commitment still open.
    Today,
}

/// A line chart of monthly values 0..=100, such as the happiness index.
///
/// `months` are `YYYY-MM` (other text is shown as given). One line per
/// series in the series' colour, broken where a value is missing, with a dot
/// per value whose tooltip gives the exact value ("Sales, Mar 2026: 72"); a
/// month without a value has no dot: the chart never invents one.
/// Gridlines at 0, 25, 50, 75 and 100, titled `y_title`; month labels are
/// thinned to every 2nd, 3rd, 4th, 6th or 12th month when there are many,
/// so they never overlap. A legend names the series when there is more than
/// one.
pub(crate) fn line_chart(chart: &ChartText, y_title: &str, months: &[String], series: &[Series]) -> String {
    let n = months.len();
    let data: Vec<Vec<Option<f64>>> = series
        .iter()
        .map(|s| (0..n).map(|i| percent(s.values.get(i).copied().flatten())).collect())
        .collect();
    if n == 0 || data.iter().flatten().all(Option::is_none) {
        return no_data("line", chart);
    }
    let colors: Vec<String> = series
        .iter()
        .enumerate()
        .map(|(i, s)| team_color(&s.color, i))
        .collect();
    let mut body = String::new();
    let mut top = MARGIN_TOP;
    if series.len() > 1 {
        let items: Vec<LegendItem> = series
            .iter()
            .zip(&colors)
            .map(|(s, color)| LegendItem {
                label: truncate(&s.label, 28),
                swatch: Swatch::Line(color.clone()),
            })
            .collect();
        top += legend(&mut body, &items, LEFT, WIDTH - RIGHT, top) + 6.0;
    }
    let plot = Plot {
        left: LEFT,
        right: WIDTH - RIGHT,
        top: top + 6.0,
        bottom: top + 6.0 + LINE_PLOT_HEIGHT,
    };
    y_axis(&mut body, &plot, &[0.0, 25.0, 50.0, 75.0, 100.0], 100.0);
    y_title_text(&mut body, &plot, y_title);
    month_axis(&mut body, &plot, months);
    let names: Vec<String> = months.iter().map(|m| month_name(m)).collect();
    for ((s, values), color) in series.iter().zip(&data).zip(&colors) {
        series_marks(&mut body, &plot, &s.label, color, values, &names, 3.5);
    }
    document("line", chart, WIDTH, plot.bottom + MONTH_AXIS_HEIGHT, &body)
}

/// One panel of small multiples: a single series of monthly values 0..=100
/// on a compact chart, so that many teams can be compared side by side on
/// the same scale (every panel gets the same `months` and the same 0, 50,
/// 100 gridlines). Gaps where a month has no value; only the first and the
/// last month are labelled.
pub(crate) fn small_multiple(chart: &ChartText, y_title: &str, months: &[String], series: &Series) -> String {
    let n = months.len();
    let values: Vec<Option<f64>> = (0..n)
        .map(|i| percent(series.values.get(i).copied().flatten()))
        .collect();
    if n == 0 || values.iter().all(Option::is_none) {
        return no_data("line", chart);
    }
    let color = team_color(&series.color, 0);
    let mut body = String::new();
    let plot = Plot {
        left: SMALL_LEFT,
        right: SMALL_WIDTH - 12.0,
        top: MARGIN_TOP + 6.0,
        bottom: MARGIN_TOP + 6.0 + SMALL_PLOT_HEIGHT,
    };
    y_axis(&mut body, &plot, &[0.0, 50.0, 100.0], 100.0);
    y_title_text(&mut body, &plot, y_title);
    let label_y = plot.bottom + 16.0;
    let ends = [(0, "start", plot.left), (n - 1, "end", plot.right)];
    for (i, anchor, x) in ends.iter().take(if n > 1 { 2 } else { 1 }) {
        w!(
            body,
            "<text class=\"chart-muted\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" font-size=\"{SMALL}\">{}</text>",
            num(*x),
            num(label_y),
            escape(&month_name(&months[*i]))
        );
    }
    body.push('\n');
    let names: Vec<String> = months.iter().map(|m| month_name(m)).collect();
    series_marks(&mut body, &plot, &series.label, &color, &values, &names, 3.0);
    document("line chart-small", chart, SMALL_WIDTH, label_y + 8.0, &body)
}

/// A series' line and dots; each dot's tooltip gives its month and value.
fn series_marks(
    body: &mut String,
    plot: &Plot,
    label: &str,
    color: &str,
    values: &[Option<f64>],
    names: &[String],
    radius: f64,
) {
    let n = values.len();
    let points: Vec<Option<(f64, f64)>> = values
        .iter()
        .enumerate()
        .map(|(i, v)| v.map(|v| (plot.center(i, n), plot.y(v, 100.0))))
        .collect();
    let path = line_path(&points);
    let label = escape(label);
    // The colour as a custom property too, so dark mode can lighten it.
    w!(body, "<g class=\"chart-series\" style=\"--series: {color}\">");
    if !path.is_empty() {
        w!(
            body,
            "<path class=\"chart-line\" d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\" \
             stroke-linejoin=\"round\" stroke-linecap=\"round\"/>"
        );
    }
    w!(
        body,
        "<g class=\"chart-dots\" fill=\"{color}\" stroke=\"#ffffff\" stroke-width=\"1.5\">"
    );
    for ((point, value), name) in points.iter().zip(values).zip(names) {
        if let (Some((x, y)), Some(value)) = (point, value) {
            w!(
                body,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\"><title>{label}, {}: {}</title></circle>",
                num(*x),
                num(*y),
                num(radius),
                escape(name),
                num(*value)
            );
        }
    }
    w!(body, "</g></g>\n");
}

/// The title of the y axis, written up the left edge.
fn y_title_text(body: &mut String, plot: &Plot, title: &str) {
    if title.is_empty() {
        return;
    }
    let middle = (plot.top + plot.bottom) / 2.0;
    w!(
        body,
        "<text class=\"chart-axis-title chart-muted\" x=\"0\" y=\"0\" transform=\"translate(11 {}) rotate(-90)\" \
         text-anchor=\"middle\" font-size=\"{TINY}\">{}</text>\n",
        num(middle),
        escape(title)
    );
}

/// Monthly promises and deliveries, the promises-vs-deliveries timeline.
///
/// Per month three bars side by side: the promises made; what ended that
/// month, stacked (delivered on time, late, missed, dropped), with the
/// number of promises originally due that month as a level mark across it;
/// and the reschedulings. A line gives how many promises were overdue at
/// each month's end. Fixed semantic colours, a legend and integer
/// gridlines; each bar segment, mark and point has a tooltip with its
/// count. Takes the model's monthly figures as they are (`satisfaction` is
/// not drawn).
pub(crate) fn monthly_bars(chart: &ChartText, months: &[MonthFigures]) -> String {
    let total: u64 = months
        .iter()
        .map(|m| u64::from(m.made) + u64::from(m.due) + resolved(m) + u64::from(m.rescheduled) + u64::from(m.overdue))
        .sum();
    if total == 0 {
        return no_data("bars", chart);
    }
    let n = months.len();
    let mut body = String::new();
    let items: Vec<LegendItem> = BAR_KINDS
        .iter()
        .map(|kind| LegendItem {
            label: kind.legend.to_string(),
            swatch: match kind.class {
                "bar-due" => Swatch::Mark(kind.class, kind.fill),
                "bar-overdue" => Swatch::Dash(kind.class, kind.fill),
                _ => Swatch::Class(kind.class, kind.fill),
            },
        })
        .collect();
    let top = MARGIN_TOP + legend(&mut body, &items, LEFT, WIDTH - RIGHT, MARGIN_TOP) + 6.0;
    let plot = Plot {
        left: LEFT,
        right: WIDTH - RIGHT,
        top: top + 6.0,
        bottom: top + 6.0 + BAR_PLOT_HEIGHT,
    };
    let highest = months
        .iter()
        .map(|m| {
            [m.made, m.due, m.rescheduled, m.overdue]
                .into_iter()
                .map(u64::from)
                .chain([resolved(m)])
                .max()
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(1);
    let (ticks, max) = count_ticks(highest);
    y_axis(&mut body, &plot, &ticks, max);
    y_title_text(&mut body, &plot, "Promises");
    month_axis(
        &mut body,
        &plot,
        &months.iter().map(|m| m.month.clone()).collect::<Vec<_>>(),
    );
    let band = plot.band(n);
    // Three bars fill 84% of the band; a sliver of each bar's share is air.
    let slot = band * 0.28;
    let bar = (slot * 0.82).max(0.5);
    let [made, due, on_time, late, missed, dropped, rescheduled, overdue] = &BAR_KINDS;
    let mut overdue_points: Vec<Option<(f64, f64)>> = Vec::with_capacity(n);
    let mut overdue_dots = String::new();
    for (i, m) in months.iter().enumerate() {
        let name = escape(&month_name(&m.month));
        let made_x = plot.center(i, n) - 1.5 * slot + (slot - bar) / 2.0;
        let stack_x = made_x + slot;
        let rescheduled_x = stack_x + slot;
        let outcomes = [
            (on_time, m.on_time),
            (late, m.late),
            (missed, m.missed),
            (dropped, m.dropped),
        ];
        let segments = [
            (made, made_x, 0, m.made),
            (rescheduled, rescheduled_x, 0, m.rescheduled),
        ]
        .into_iter()
        .chain(outcomes.into_iter().scan(0, |base, (kind, count)| {
            let segment = (kind, stack_x, *base, count);
            *base += count;
            Some(segment)
        }))
        .filter(|(_, _, _, count)| *count > 0);
        for (kind, x, base, count) in segments {
            let y_top = plot.y(f64::from(base + count), max);
            w!(
                body,
                "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {}><title>{name}: {}</title></rect>",
                kind.class,
                num(x),
                num(y_top),
                num(bar),
                num(plot.y(f64::from(base), max) - y_top),
                kind.fill,
                (kind.tooltip)(count)
            );
        }
        // What fell due is a mark across the outcome bar, so the two compare
        // at a glance.
        if m.due > 0 {
            w!(
                body,
                "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"3\" {} stroke=\"#ffffff\" \
                 stroke-width=\"0.75\"><title>{name}: {}</title></rect>",
                due.class,
                num(stack_x - 2.0),
                num(plot.y(f64::from(m.due), max) - 1.5),
                num(bar + 4.0),
                due.fill,
                (due.tooltip)(m.due)
            );
        }
        // The line runs along the axis only where it rises from or falls
        // back to nothing: a dashed red line on zero would read as data.
        let near = |j: usize| months.get(j).is_some_and(|m| m.overdue > 0);
        let point = (plot.center(i, n), plot.y(f64::from(m.overdue), max));
        let drawn = m.overdue > 0 || near(i + 1) || (i > 0 && near(i - 1));
        overdue_points.push(drawn.then_some(point));
        if m.overdue > 0 {
            w!(
                overdue_dots,
                "<circle cx=\"{}\" cy=\"{}\" r=\"3\"><title>{name}: {}</title></circle>",
                num(point.0),
                num(point.1),
                (overdue.tooltip)(m.overdue)
            );
        }
        body.push('\n');
    }
    // Overdue is a stock, not a flow: a line over the bars, drawn only when
    // something was ever overdue.
    if !overdue_dots.is_empty() {
        let path = if n == 1 {
            String::new()
        } else {
            line_path(&overdue_points)
        };
        w!(
            body,
            "<g class=\"{}\" {} stroke=\"#b91c1c\"><path d=\"{path}\" fill=\"none\" stroke-width=\"2\" \
             stroke-dasharray=\"5 3\"/><g stroke=\"#ffffff\" stroke-width=\"1\">{overdue_dots}</g></g>\n",
            overdue.class,
            overdue.fill
        );
    }
    document("bars", chart, WIDTH, plot.bottom + MONTH_AXIS_HEIGHT, &body)
}

/// The trust matrix: owner teams as rows, recipient teams as columns, each
/// cell the on-time rate of the row's promises to the column.
///
/// `cells[row][column]`; a missing or `None` cell (no commitments between the
/// two) is drawn blank without a link. A filled cell is shaded on a five-step
/// scale from bad (under 20%) to ok (80% and more), shows the rate and the
/// count ("83%", "of 6"), and links to `href`. Row and column headers carry
/// the team colour and link to the team page. The chart is a group rather
/// than an image so that assistive technology can reach its links.
pub(crate) fn heat_map(chart: &ChartText, rows: &[Axis], columns: &[Axis], cells: &[Vec<Option<Cell>>]) -> String {
    if rows.is_empty() || columns.is_empty() {
        return no_data("heat", chart);
    }
    let row_labels: Vec<String> = rows.iter().map(|r| truncate(&r.label, 26)).collect();
    let column_labels: Vec<String> = columns
        .iter()
        .map(|c| truncate(if c.short.trim().is_empty() { &c.label } else { &c.short }, 9))
        .collect();
    let label_width = row_labels.iter().map(|l| text_width(l, FONT)).fold(0.0, f64::max);
    let cell_width = (column_labels.iter().map(|l| text_width(l, SMALL)).fold(0.0, f64::max) + 12.0).clamp(56.0, 80.0);
    let grid_left = (8.0 + SWATCH + 6.0 + label_width).max(text_width(HEAT_CORNER, SMALL)) + 16.0;
    let grid_top = MARGIN_TOP + 30.0;
    let grid_right = grid_left + cell_width * columns.len() as f64;
    let grid_bottom = grid_top + HEAT_CELL_HEIGHT * rows.len() as f64;
    let mut body = String::new();

    w!(
        body,
        "<text class=\"chart-muted\" x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"{SMALL}\">{HEAT_CORNER}</text>\n",
        num(grid_left - 8.0),
        num(grid_top - 10.0)
    );
    for (c, (column, label)) in columns.iter().zip(&column_labels).enumerate() {
        let x = grid_left + cell_width * (c as f64 + 0.5);
        let text = format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{SMALL}\" font-weight=\"600\">{}{}</text>",
            num(x),
            num(grid_top - 10.0),
            escape(label),
            full_name(label, &column.label)
        );
        link(&mut body, &column.url, &text);
        w!(
            body,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"4\" rx=\"2\" fill=\"{}\"/>\n",
            num(x - cell_width / 2.0 + 3.0),
            num(grid_top - 6.0),
            num(cell_width - 6.0),
            team_color(&column.color, c)
        );
    }
    for (r, (row, label)) in rows.iter().zip(&row_labels).enumerate() {
        let y = grid_top + HEAT_CELL_HEIGHT * (r as f64 + 0.5);
        w!(
            body,
            "<rect x=\"8\" y=\"{}\" width=\"{SWATCH}\" height=\"{SWATCH}\" rx=\"2\" fill=\"{}\"/>",
            num(y - SWATCH / 2.0),
            team_color(&row.color, r)
        );
        let text = format!(
            "<text x=\"{}\" y=\"{}\">{}{}</text>",
            num(8.0 + SWATCH + 6.0),
            num(y + 4.0),
            escape(label),
            full_name(label, &row.label)
        );
        link(&mut body, &row.url, &text);
        body.push('\n');
    }

    let mut empty = String::new();
    for r in 0..rows.len() {
        for c in 0..columns.len() {
            let x = grid_left + cell_width * c as f64 + 1.0;
            let y = grid_top + HEAT_CELL_HEIGHT * r as f64 + 1.0;
            let (w, h) = (cell_width - 2.0, HEAT_CELL_HEIGHT - 2.0);
            let cell = cells.get(r).and_then(|row| row.get(c)).and_then(Option::as_ref);
            if let Some(cell) = cell.filter(|cell| cell.pending) {
                let inner = format!(
                    "<title>{}nothing due yet, {} {}</title>\
                     <rect class=\"heat-empty heat-pending\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" {PENDING_CELL}/>\
                     <text class=\"chart-muted\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{TINY}\">none due</text>\
                     <text class=\"chart-muted\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{TINY}\">of {}</text>",
                    cell.title_prefix(),
                    cell.count,
                    cell.noun(),
                    num(x),
                    num(y),
                    num(w),
                    num(h),
                    num(x + w / 2.0),
                    num(y + 15.0),
                    num(x + w / 2.0),
                    num(y + 28.0),
                    cell.count
                );
                link(&mut body, &cell.href, &inner);
                body.push('\n');
                continue;
            }
            let cell = cell.filter(|cell| !cell.rate.is_nan());
            let Some(cell) = cell else {
                w!(empty, "M{} {}h{}v{}h-{}z", num(x), num(y), num(w), num(h), num(w));
                continue;
            };
            let rate = cell.rate.clamp(0.0, 100.0);
            let step = HEAT_STEPS.iter().rposition(|s| rate >= s.from).unwrap_or(0);
            let shade = &HEAT_STEPS[step];
            let inner = format!(
                "<title>{}{}% on time, {} {}</title>\
                 <rect class=\"heat-cell heat-{step}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" {}/>\
                 <text class=\"heat-text\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"700\">{}%</text>\
                 <text class=\"heat-text\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{TINY}\">of {}</text>",
                cell.title_prefix(),
                num(rate),
                cell.count,
                cell.noun(),
                num(x),
                num(y),
                num(w),
                num(h),
                shade.fill,
                num(x + w / 2.0),
                num(y + 15.0),
                num(rate.round()),
                num(x + w / 2.0),
                num(y + 28.0),
                cell.count
            );
            link(&mut body, &cell.href, &inner);
            body.push('\n');
        }
    }
    if !empty.is_empty() {
        w!(body, "<path class=\"heat-empty\" d=\"{empty}\" {EMPTY_CELL}/>\n");
    }

    let mut items: Vec<LegendItem> = HEAT_STEPS
        .iter()
        .enumerate()
        .map(|(i, step)| LegendItem {
            label: step.legend.to_string(),
            swatch: Swatch::Class(HEAT_CLASSES[i], step.fill),
        })
        .collect();
    // Blank: no promise between the two teams; dashed: promises, none of
    // which has come due yet.
    items.push(LegendItem {
        label: "no promise".to_string(),
        swatch: Swatch::Class("heat-empty", EMPTY_CELL),
    });
    items.push(LegendItem {
        label: "none due yet".to_string(),
        swatch: Swatch::Class("heat-empty heat-pending", PENDING_CELL),
    });
    let legend_top = grid_bottom + 14.0;
    w!(
        body,
        "<text class=\"chart-muted\" x=\"8\" y=\"{}\" font-size=\"{SMALL}\">On time:</text>",
        num(legend_top + 11.0)
    );
    let width = (grid_right + 12.0).max(HEAT_MIN_WIDTH);
    let legend_left = 8.0 + text_width("On time:", SMALL) + 6.0;
    let legend_height = legend(&mut body, &items, legend_left, width - 8.0, legend_top);
    document("heat", chart, width, legend_top + legend_height + 8.0, &body)
}

/// The `<title>` that gives a header's full name when it shows a short or
/// cut one; nothing when it shows the full name, which would then be read
/// twice.
fn full_name(shown: &str, full: &str) -> String {
    if shown == full.trim() {
        String::new()
    } else {
        format!("<title>{}</title>", escape(full))
    }
}

/// One commitment's history as a small horizontal timeline.
///
/// Events are placed by date on one axis (month gridlines beneath); a thick
/// band from the promise to the outcome (delivery, miss, drop or today) takes
/// the colour of the commitment's `state`, drawn stronger past the original
/// due date (the first `Due` event). Symbols: promised (ring), original
/// due (hollow diamond), rescheduled (diamond), delivered (dot in the state's
/// colour), missed (cross), dropped (square), today (dashed line). Labels sit
/// above and below the axis in as many lanes as it takes to keep them apart.
pub(crate) fn commitment_timeline(chart: &ChartText, events: &[TimelineEvent], state: State) -> String {
    let mut dated: Vec<(Date, &TimelineEvent)> = events
        .iter()
        .filter_map(|e| Date::parse(&e.date).ok().map(|d| (d, e)))
        .collect();
    dated.sort_by_key(|(date, _)| *date);
    let (Some(&(first, _)), Some(&(last, _))) = (dated.first(), dated.last()) else {
        return no_data("timeline", chart);
    };
    let span = first.days_until(last);
    let (left, right) = (TIMELINE_SIDE, TIMELINE_WIDTH - TIMELINE_SIDE);
    let x_of = |date: Date| {
        if span == 0 {
            TIMELINE_WIDTH / 2.0
        } else {
            left + (right - left) * first.days_until(date) as f64 / span as f64
        }
    };

    // Lanes alternate above and below the axis: lane 0 above, 1 below, 2
    // above, and so on; each label goes to the first lane where it fits.
    let mut lane_ends: Vec<f64> = Vec::new();
    let placed: Vec<(f64, f64, usize, f64)> = dated
        .iter()
        .map(|(date, event)| {
            let x = x_of(*date);
            let width = text_width(&truncate(&event.label, 30), SMALL)
                .max(text_width("2026-03-12", TINY))
                .max(12.0);
            let center = x.clamp(4.0 + width / 2.0, TIMELINE_WIDTH - 4.0 - width / 2.0);
            let start = center - width / 2.0;
            let lane = match lane_ends.iter().position(|end| end + 10.0 <= start) {
                Some(lane) => lane,
                None => {
                    lane_ends.push(f64::NEG_INFINITY);
                    lane_ends.len() - 1
                }
            };
            lane_ends[lane] = center + width / 2.0;
            (x, center, lane, width)
        })
        .collect();
    let above = lane_ends.len().div_ceil(2).max(1) as f64;
    let below = (lane_ends.len() / 2).max(1) as f64;
    let axis_y = MARGIN_TOP + above * TIMELINE_LANE + 12.0;
    let lanes_bottom = axis_y + 12.0 + below * TIMELINE_LANE;
    let mut body = String::new();

    // Month gridlines, thinned like the month charts' labels.
    let months = first.year_month().through(last.year_month());
    let starts: Vec<(f64, YearMonth)> = months
        .iter()
        .filter_map(|m| Date::from_ymd(m.year, m.month, 1).map(|d| (d, *m)))
        .filter(|(d, _)| *d > first && *d <= last)
        .map(|(d, m)| (x_of(d), m))
        .collect();
    let mut grid = String::new();
    // The year of the last label drawn, and where that label ends: a label
    // that would run into it, or out of the chart, is left out.
    let mut previous: Option<(f64, i32)> = None;
    for (x, month) in &starts {
        w!(grid, "M{} {}V{}", num(*x), num(MARGIN_TOP), num(lanes_bottom));
        let year = if previous.is_none_or(|(_, y)| y != month.year) || month.month == 1 {
            format!(" {}", month.year)
        } else {
            String::new()
        };
        let label = format!(
            "{}{year}",
            MONTH_ABBREVIATIONS[usize::from(month.month.clamp(1, 12)) - 1]
        );
        let (start, end) = (x + 3.0, x + 3.0 + text_width(&label, TINY));
        if previous.is_some_and(|(previous_end, _)| start < previous_end + 6.0) || end > TIMELINE_WIDTH - 2.0 {
            continue;
        }
        w!(
            body,
            "<text class=\"chart-muted\" x=\"{}\" y=\"{}\" text-anchor=\"start\" font-size=\"{TINY}\">{label}</text>",
            num(start),
            num(lanes_bottom + 12.0),
        );
        previous = Some((end, month.year));
    }
    if !grid.is_empty() {
        w!(
            body,
            "\n<path class=\"chart-grid\" d=\"{grid}\" stroke=\"#d9dee5\" stroke-dasharray=\"2 3\"/>\n"
        );
    }
    w!(
        body,
        "<path class=\"chart-axis\" d=\"M{} {}H{}\" stroke=\"#4a5563\"/>\n",
        num(left - 8.0),
        num(axis_y),
        num(right + 8.0)
    );

    let start = dated
        .iter()
        .find(|(_, e)| e.kind == EventKind::Promised)
        .map_or(first, |(d, _)| *d);
    let end = dated
        .iter()
        .rev()
        .find(|(_, e)| {
            matches!(
                e.kind,
                EventKind::Delivered | EventKind::Missed | EventKind::Dropped | EventKind::Today
            )
        })
        .map_or(last, |(d, _)| *d);
    let state_class = state.name();
    let state_color = state_fallback(state);
    let mut under = String::new();
    let mut marks = String::new();
    let mut labels = String::new();
    for ((date, event), (x, center, lane, width)) in dated.iter().zip(&placed) {
        let up = lane % 2 == 0;
        let depth = (lane / 2) as f64;
        let (name_y, date_y, leader_end) = if up {
            let date_y = axis_y - 14.0 - depth * TIMELINE_LANE;
            (date_y - 13.0, date_y, date_y + 3.0)
        } else {
            let name_y = axis_y + 24.0 + depth * TIMELINE_LANE;
            (name_y, name_y + 13.0, name_y - 10.0)
        };
        let title = format!("<title>{}: {}</title>", escape(&event.label), date.long());
        if event.kind == EventKind::Today {
            w!(
                under,
                "<path class=\"tl-today\" d=\"M{} {}V{}\" stroke=\"#1d4ed8\" stroke-width=\"1.5\" \
                 stroke-dasharray=\"4 3\">{title}</path>",
                num(*x),
                num(axis_y - above * TIMELINE_LANE - 6.0),
                num(lanes_bottom - 4.0)
            );
        } else if *lane >= 2 || (center - x).abs() > 1.0 {
            w!(
                under,
                "<path class=\"tl-leader\" d=\"M{} {}V{}\" stroke=\"#9ca3af\" stroke-width=\"1\"/>",
                num(*x),
                num(axis_y),
                num(leader_end)
            );
        }
        marks.push_str(&marker(event.kind, *x, axis_y, state, &title));
        // A backdrop keeps lines that pass behind a label from crossing it.
        w!(
            labels,
            "<rect class=\"tl-backdrop\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"27\" fill=\"#ffffff\"/>\
             <text class=\"tl-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{SMALL}\" font-weight=\"600\">{}</text>\
             <text class=\"chart-muted\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{TINY}\">{date}</text>\n",
            num(center - width / 2.0 - 2.0),
            num(name_y - 11.0),
            num(width + 4.0),
            num(*center),
            num(name_y),
            escape(&truncate(&event.label, 30)),
            num(*center),
            num(date_y)
        );
    }
    // Under everything: today's line and the leaders; then the span, with
    // the stretch past the original due date drawn stronger; then the
    // markers and, on top, the labels with their halo.
    body.push_str(&under);
    let (x_start, x_end) = (x_of(start), x_of(end).max(x_of(start)));
    w!(
        body,
        "\n<path class=\"tl-span state-{state_class}\" d=\"M{} {}H{}\" color=\"{state_color}\" stroke=\"currentColor\" \
         stroke-opacity=\"0.3\" stroke-width=\"8\" stroke-linecap=\"round\"><title>{}</title></path>\n",
        num(x_start),
        num(axis_y),
        num(x_end),
        escape(state.label())
    );
    let due = dated.iter().find(|(_, e)| e.kind == EventKind::Due).map(|(d, _)| *d);
    if let Some(due) = due.filter(|due| *due < end) {
        let days = due.days_until(end);
        let past = if matches!(state, State::Missed | State::Dropped) {
            "after"
        } else {
            "past"
        };
        w!(
            body,
            "<path class=\"tl-span state-{state_class}\" d=\"M{} {}H{}\" color=\"{state_color}\" stroke=\"currentColor\" \
             stroke-opacity=\"0.85\" stroke-width=\"8\"><title>{days} {} {past} the original due date</title></path>\n",
            num(x_of(due).max(x_start)),
            num(axis_y),
            num(x_end),
            if days == 1 { "day" } else { "days" }
        );
    }
    body.push_str(&marks);
    body.push('\n');
    body.push_str(&labels);
    document(
        "timeline",
        chart,
        TIMELINE_WIDTH,
        lanes_bottom + MONTH_AXIS_HEIGHT - 16.0,
        &body,
    )
}

const WIDTH: f64 = 640.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 18.0;
const MARGIN_TOP: f64 = 8.0;
// Text sizes in user units, which are CSS pixels at a chart's natural size.
// The theme never shows a month chart or a timeline below its natural width
// (it scrolls instead), so the smallest text stays at 11 px on a phone.
const FONT: f64 = 13.0;
const SMALL: f64 = 12.0;
const TINY: f64 = 11.0;
const SWATCH: f64 = 10.0;
const LINE_PLOT_HEIGHT: f64 = 180.0;
/// Narrow enough that a small multiple is shown at least at its natural
/// size in a phone's column (the theme lets small multiples shrink).
const SMALL_WIDTH: f64 = 280.0;
/// Room for the rotated axis title and the tick labels beside it, which
/// meet on a plot this short.
const SMALL_LEFT: f64 = 50.0;
const SMALL_PLOT_HEIGHT: f64 = 90.0;
const BAR_PLOT_HEIGHT: f64 = 160.0;
const MONTH_AXIS_HEIGHT: f64 = 36.0;
const HEAT_CELL_HEIGHT: f64 = 38.0;
/// Reads the matrix: rows promise, columns receive.
const HEAT_CORNER: &str = "from ↓ to →";
const HEAT_MIN_WIDTH: f64 = 500.0;
/// Narrow enough to show whole, at its natural size, on a 390 px phone: a
/// commitment's whole history (promised to due or today) in one view.
const TIMELINE_WIDTH: f64 = 350.0;
const TIMELINE_SIDE: f64 = 36.0;
const TIMELINE_LANE: f64 = 32.0;

const MONTH_ABBREVIATIONS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Team colours for series and axes whose own colour is missing or invalid;
/// mid-tone so that they read on light and dark backgrounds.
const PALETTE: [&str; 8] = [
    "#4e79a7", "#e07b28", "#d1495b", "#4f9d98", "#59a14f", "#c9a227", "#a66fa0", "#8c6d5a",
];

/// A bar segment of [`monthly_bars`]: its class (styled by the theme), the
/// fallback colour without the theme, the legend and the tooltip.
struct BarKind {
    class: &'static str,
    /// The fill without the theme, as an attribute.
    fill: &'static str,
    legend: &'static str,
    tooltip: fn(u32) -> String,
}

const BAR_KINDS: [BarKind; 8] = [
    BarKind {
        class: "bar-made",
        fill: "fill=\"#1d4ed8\"",
        legend: "Made",
        tooltip: |n| format!("{n} {} made", plural(n, "promise", "promises")),
    },
    BarKind {
        class: "bar-due",
        fill: "fill=\"#17202b\"",
        legend: "Due (original date)",
        tooltip: |n| format!("{n} {} originally due", plural(n, "promise", "promises")),
    },
    BarKind {
        class: "bar-on-time",
        fill: "fill=\"#15803d\"",
        legend: "On time",
        tooltip: |n| format!("{n} delivered on time"),
    },
    BarKind {
        class: "bar-late",
        fill: "fill=\"#d97706\"",
        legend: "Late",
        tooltip: |n| format!("{n} delivered late"),
    },
    BarKind {
        class: "bar-missed",
        fill: "fill=\"#b91c1c\"",
        legend: "Missed",
        tooltip: |n| format!("{n} declared missed"),
    },
    BarKind {
        class: "bar-dropped",
        fill: "fill=\"#6b7280\"",
        legend: "Dropped",
        tooltip: |n| format!("{n} dropped"),
    },
    BarKind {
        class: "bar-rescheduled",
        fill: "fill=\"#a16207\" fill-opacity=\"0.55\"",
        legend: "Rescheduled",
        tooltip: |n| format!("{n} {}", plural(n, "rescheduling", "reschedulings")),
    },
    BarKind {
        class: "bar-overdue",
        fill: "fill=\"#b91c1c\"",
        legend: "Overdue at month end",
        tooltip: |n| format!("{n} overdue at the end of the month"),
    },
];

/// A step of the trust matrix's colour scale.
struct HeatStep {
    /// Lowest rate of the step.
    from: f64,
    /// The fill without the theme, as an attribute.
    fill: &'static str,
    legend: &'static str,
}

const HEAT_STEPS: [HeatStep; 5] = [
    HeatStep {
        from: 0.0,
        fill: "fill=\"#e08a8a\"",
        legend: "0–19%",
    },
    HeatStep {
        from: 20.0,
        fill: "fill=\"#f2c4c4\"",
        legend: "20–39%",
    },
    HeatStep {
        from: 40.0,
        fill: "fill=\"#f3d9a8\"",
        legend: "40–59%",
    },
    HeatStep {
        from: 60.0,
        fill: "fill=\"#bfe0c9\"",
        legend: "60–79%",
    },
    HeatStep {
        from: 80.0,
        fill: "fill=\"#7fc496\"",
        legend: "80–100%",
    },
];

const HEAT_CLASSES: [&str; 5] = ["heat-0", "heat-1", "heat-2", "heat-3", "heat-4"];

/// How a cell without commitments looks without the theme.
const EMPTY_CELL: &str = "fill=\"#f5f7fa\" stroke=\"#d9dee5\"";

/// How a cell whose commitments have not come due looks without the theme:
/// dashed, unlike a blank cell.
const PENDING_CELL: &str = "fill=\"#f5f7fa\" stroke=\"#8b95a3\" stroke-dasharray=\"3 2\"";

/// The drawing area of a chart, in user units.
#[derive(Debug, Clone, Copy)]
struct Plot {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

impl Plot {
    fn band(&self, n: usize) -> f64 {
        (self.right - self.left) / n.max(1) as f64
    }

    /// The middle of month `i` of `n`.
    fn center(&self, i: usize, n: usize) -> f64 {
        self.left + self.band(n) * (i as f64 + 0.5)
    }

    fn y(&self, value: f64, max: f64) -> f64 {
        self.bottom - (self.bottom - self.top) * value / max
    }
}

struct LegendItem {
    label: String,
    swatch: Swatch,
}

enum Swatch {
    /// A line in a team colour.
    Line(String),
    /// A square styled by a class, with fallback presentation attributes.
    Class(&'static str, &'static str),
    /// A flat bar styled by a class, for a level marker.
    Mark(&'static str, &'static str),
    /// A dashed line with a dot, styled by a class, for a line series.
    Dash(&'static str, &'static str),
}

/// The `<svg>` element around `body`.
fn document(kind: &str, chart: &ChartText, width: f64, height: f64, body: &str) -> String {
    let id = id_prefix(&chart.id);
    // An image's parts are hidden from assistive technology; the trust
    // matrix has links, so it is a labelled group instead.
    let role = if kind == "heat" {
        format!("role=\"group\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\"")
    } else {
        format!("role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"")
    };
    let (width, height) = (num(width), num(height));
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" \
         {role} class=\"chart chart-{kind}\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" \
         font-size=\"{FONT}\" fill=\"currentColor\">\n<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n\
         {body}</svg>\n",
        escape(&chart.title),
        escape(&chart.description)
    )
}

/// A small chart that says there is nothing to draw yet.
fn no_data(kind: &str, chart: &ChartText) -> String {
    let body = "<rect class=\"chart-frame\" x=\"1\" y=\"1\" width=\"318\" height=\"54\" rx=\"8\" fill=\"none\" \
                stroke=\"#d9dee5\" stroke-dasharray=\"4 4\"/>\n<text class=\"chart-muted\" x=\"160\" y=\"32\" \
                text-anchor=\"middle\">No data yet</text>\n";
    document(&format!("{kind} chart-empty"), chart, 320.0, 56.0, body)
}

/// Horizontal gridlines with their labels on the left; the zero line is the
/// axis.
fn y_axis(body: &mut String, plot: &Plot, ticks: &[f64], max: f64) {
    let mut grid = String::new();
    for tick in ticks {
        let y = plot.y(*tick, max);
        if *tick > 0.0 {
            w!(grid, "M{} {}H{}", num(plot.left), num(y), num(plot.right));
        }
        w!(
            body,
            "<text class=\"chart-muted\" x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"{SMALL}\">{}</text>",
            num(plot.left - 8.0),
            num(y + 4.0),
            num(*tick)
        );
    }
    w!(
        body,
        "\n<path class=\"chart-grid\" d=\"{grid}\" stroke=\"#d9dee5\"/>\n<path class=\"chart-axis\" d=\"M{} {}H{}\" \
         stroke=\"#4a5563\"/>\n",
        num(plot.left),
        num(plot.bottom),
        num(plot.right)
    );
}

/// Month labels under the plot, one per band, thinned so they never overlap:
/// every 1st, 2nd, 3rd, 4th, 6th or 12th month (aligned on the calendar, so
/// quarters and years line up), or every few years. The year is written under
/// the first label and wherever it changes.
fn month_axis(body: &mut String, plot: &Plot, months: &[String]) {
    let n = months.len();
    let band = plot.band(n);
    let y1 = plot.bottom + 16.0;
    let y2 = y1 + 13.0;
    let mut labels: Vec<(usize, String, Option<String>)> = Vec::new();
    let parsed: Option<Vec<YearMonth>> = months.iter().map(|m| YearMonth::parse(m)).collect();
    if let Some(parsed) = parsed {
        let widest = text_width("May", SMALL).max(text_width("2026", TINY));
        let need = ((widest + 6.0) / band).ceil().max(1.0) as usize;
        let step = [1, 2, 3, 4, 6, 12]
            .into_iter()
            .find(|s| *s >= need)
            .unwrap_or(need.div_ceil(12) * 12);
        let mut last: Option<(usize, i32)> = None;
        for (i, month) in parsed.iter().enumerate() {
            let aligned = if step < 12 {
                (usize::from(month.month).saturating_sub(1)) % step == 0
            } else {
                month.month == 1 && month.year.rem_euclid((step / 12) as i32) == 0
            };
            if !aligned || last.is_some_and(|(j, _)| i - j < step) {
                continue;
            }
            let label = if step < 12 {
                let year = last
                    .is_none_or(|(_, y)| y != month.year)
                    .then(|| month.year.to_string());
                (
                    i,
                    MONTH_ABBREVIATIONS[usize::from(month.month.clamp(1, 12)) - 1].to_string(),
                    year,
                )
            } else {
                (i, month.year.to_string(), None)
            };
            labels.push(label);
            last = Some((i, month.year));
        }
    }
    if labels.is_empty() {
        // Not months, or months out of order: label every few bands as given.
        let texts: Vec<String> = months.iter().map(|m| truncate(m, 10)).collect();
        let widest = texts.iter().map(|t| text_width(t, SMALL)).fold(0.0, f64::max);
        let step = ((widest + 8.0) / band).ceil().max(1.0) as usize;
        labels = texts
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % step == 0)
            .map(|(i, t)| (i, t, None))
            .collect();
    }
    for (i, line1, line2) in labels {
        let x = num(plot.center(i, n));
        w!(
            body,
            "<text class=\"chart-muted\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{SMALL}\">{}</text>",
            num(y1),
            escape(&line1)
        );
        if let Some(line2) = line2 {
            w!(
                body,
                "<text class=\"chart-muted\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{TINY}\">{}</text>",
                num(y2),
                escape(&line2)
            );
        }
    }
    body.push('\n');
}

/// A legend in rows that wrap between `left` and `right`; returns its height.
fn legend(body: &mut String, items: &[LegendItem], left: f64, right: f64, top: f64) -> f64 {
    const ROW: f64 = 18.0;
    let mut x = left;
    let mut y = top;
    for item in items {
        let swatch = match item.swatch {
            Swatch::Line(_) | Swatch::Dash(..) => 16.0,
            Swatch::Class(..) | Swatch::Mark(..) => SWATCH,
        };
        let width = swatch + 5.0 + text_width(&item.label, SMALL);
        if x > left && x + width > right {
            x = left;
            y += ROW;
        }
        let middle = y + 7.0;
        match &item.swatch {
            Swatch::Line(color) => w!(
                body,
                "<path class=\"chart-swatch\" d=\"M{} {}h14\" style=\"--series: {color}\" stroke=\"{color}\" \
                 stroke-width=\"3\" stroke-linecap=\"round\"/>",
                num(x + 1.0),
                num(middle)
            ),
            Swatch::Class(class, attributes) => w!(
                body,
                "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{SWATCH}\" height=\"{SWATCH}\" rx=\"2\" {attributes}/>",
                num(x),
                num(middle - SWATCH / 2.0)
            ),
            Swatch::Mark(class, attributes) => w!(
                body,
                "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{SWATCH}\" height=\"3\" {attributes}/>",
                num(x),
                num(middle - 1.5)
            ),
            Swatch::Dash(class, attributes) => w!(
                body,
                "<g class=\"{class}\" {attributes} stroke=\"#b91c1c\"><path d=\"M{} {}h14\" stroke-width=\"2\" \
                 stroke-dasharray=\"4 2\"/><circle cx=\"{}\" cy=\"{}\" r=\"3\" stroke=\"none\"/></g>",
                num(x + 1.0),
                num(middle),
                num(x + 8.0),
                num(middle)
            ),
        }
        w!(
            body,
            "<text x=\"{}\" y=\"{}\" font-size=\"{SMALL}\">{}</text>",
            num(x + swatch + 5.0),
            num(middle + 4.0),
            escape(&item.label)
        );
        x += width + 16.0;
    }
    body.push('\n');
    y + ROW - top
}

/// `M`/`L` commands through the points, starting afresh after each gap. A
/// lone point between gaps gets no segment: its dot shows it.
fn line_path(points: &[Option<(f64, f64)>]) -> String {
    let mut d = String::new();
    for (i, point) in points.iter().enumerate() {
        let Some((x, y)) = point else { continue };
        let joined = i > 0 && points[i - 1].is_some();
        let next = points.get(i + 1).is_some_and(Option::is_some);
        if joined {
            w!(d, "L{} {}", num(*x), num(*y));
        } else if next {
            w!(d, "M{} {}", num(*x), num(*y));
        }
    }
    d
}

/// The marker of one timeline event, with its tooltip.
fn marker(kind: EventKind, x: f64, y: f64, state: State, title: &str) -> String {
    let (x, y) = (num(x), num(y));
    match kind {
        EventKind::Promised => format!(
            "<circle class=\"tl-promised\" cx=\"{x}\" cy=\"{y}\" r=\"5\" fill=\"#ffffff\" stroke=\"currentColor\" \
             stroke-width=\"2\">{title}</circle>"
        ),
        EventKind::Due => format!(
            "<path class=\"tl-due\" d=\"M{x} {y}m0 -6l6 6l-6 6l-6 -6z\" fill=\"#ffffff\" stroke=\"currentColor\" \
             stroke-width=\"2\">{title}</path>"
        ),
        EventKind::Rescheduled => format!(
            "<path class=\"tl-rescheduled\" d=\"M{x} {y}m0 -6l6 6l-6 6l-6 -6z\" fill=\"#d97706\" stroke=\"#ffffff\" \
             stroke-width=\"1.5\">{title}</path>"
        ),
        EventKind::Delivered => format!(
            "<circle class=\"tl-delivered state-{}\" cx=\"{x}\" cy=\"{y}\" r=\"6\" color=\"{}\" fill=\"currentColor\" \
             stroke=\"#ffffff\" stroke-width=\"1.5\">{title}</circle>",
            state.name(),
            state_fallback(state)
        ),
        EventKind::Missed => format!(
            "<path class=\"tl-missed\" d=\"M{x} {y}m-5 -5l10 10m0 -10l-10 10\" stroke=\"#b91c1c\" stroke-width=\"3\" \
             stroke-linecap=\"round\">{title}</path>"
        ),
        EventKind::Dropped => format!(
            "<rect class=\"tl-dropped\" x=\"{x}\" y=\"{y}\" width=\"10\" height=\"10\" transform=\"translate(-5 -5)\" \
             fill=\"#6b7280\">{title}</rect>"
        ),
        EventKind::Today => {
            format!("<circle class=\"tl-today-dot\" cx=\"{x}\" cy=\"{y}\" r=\"3.5\" fill=\"#1d4ed8\">{title}</circle>")
        }
    }
}

/// Wraps `inner` in a link when `href` is safe, else in a plain group.
fn link(body: &mut String, href: &str, inner: &str) {
    match safe_href(href) {
        Some(href) => w!(body, "<a href=\"{href}\">{inner}</a>"),
        None => w!(body, "<g>{inner}</g>"),
    }
}

/// `href` escaped, or `None` when empty or a scheme that runs code.
fn safe_href(href: &str) -> Option<String> {
    let href = href.trim();
    let scheme: String = href
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    let unsafe_scheme = ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|s| scheme.starts_with(s));
    (!href.is_empty() && !unsafe_scheme).then(|| escape(href))
}

/// The id prefix with everything but ASCII letters, digits, `-` and `_`
/// replaced, starting with a letter as XML ids must.
fn id_prefix(id: &str) -> String {
    let clean: String = id
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if clean.starts_with(|c: char| c.is_ascii_alphabetic()) {
        clean
    } else {
        format!("chart-{clean}")
    }
}

/// A `#rrggbb` colour in lower case, or the palette's `index`th colour when
/// `color` is not a hex colour (which also keeps it out of the markup).
fn team_color(color: &str, index: usize) -> String {
    let color = color.trim();
    let hex = color.strip_prefix('#').unwrap_or("");
    if (hex.len() == 6 || hex.len() == 3) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        let hex = hex.to_ascii_lowercase();
        if hex.len() == 3 {
            hex.chars().flat_map(|c| [c, c]).fold(String::from("#"), |mut s, c| {
                s.push(c);
                s
            })
        } else {
            format!("#{hex}")
        }
    } else {
        PALETTE[index % PALETTE.len()].to_string()
    }
}

/// The state's colour when the theme's `.state-*` classes are absent.
fn state_fallback(state: State) -> &'static str {
    match state {
        State::OnTime => "#15803d",
        State::Late | State::AtRisk => "#d97706",
        State::Overdue | State::Missed => "#b91c1c",
        State::Open => "#1d4ed8",
        State::Dropped => "#6b7280",
    }
}

/// A value on the 0..=100 scale: clamped; NaN and infinities are gaps.
fn percent(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite()).map(|v| v.clamp(0.0, 100.0))
}

fn resolved(m: &MonthFigures) -> u64 {
    u64::from(m.on_time) + u64::from(m.late) + u64::from(m.missed) + u64::from(m.dropped)
}

/// Integer gridlines for counts up to `highest`: steps of 1, 2 or 5 times a
/// power of ten, at most five of them. Returns the ticks and the top.
fn count_ticks(highest: u64) -> (Vec<f64>, f64) {
    let highest = highest.max(1);
    let mut step = 1u64;
    'search: loop {
        for factor in [1, 2, 5] {
            let candidate = step.saturating_mul(factor);
            if highest.div_ceil(candidate) <= 5 {
                step = candidate;
                break 'search;
            }
        }
        step = step.saturating_mul(10);
    }
    let top = highest.div_ceil(step) * step;
    let ticks = (0..=top / step).map(|i| (i * step) as f64).collect();
    (ticks, top as f64)
}

/// "Mar 2026" for `2026-03`; other text as given.
fn month_name(month: &str) -> String {
    YearMonth::parse(month).map_or_else(|| month.to_string(), YearMonth::short_label)
}

fn plural(n: u32, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// At most `max` characters, with an ellipsis when cut.
fn truncate(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// A generous estimate of a text's width in user units: charts have no font
/// metrics, so layouts leave room for wide glyphs.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

/// A coordinate or value with at most one decimal ("12", "12.5"), never "-0".
fn num(value: f64) -> String {
    let tenths = (value * 10.0).round();
    if !tenths.is_finite() || tenths.abs() >= 1e15 {
        return format!("{value}");
    }
    // In whole tenths, as integers: charts print thousands of numbers, and
    // float formatting was 2% of a build.
    let tenths = tenths as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let (whole, tenth) = (tenths.unsigned_abs() / 10, tenths.unsigned_abs() % 10);
    if tenth == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{tenth}")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn text(id: &str) -> ChartText {
        ChartText {
            id: id.into(),
            title: format!("{id} title"),
            description: format!("{id} description"),
        }
    }

    fn months(first_year: i32, count: usize) -> Vec<String> {
        (0..count)
            .map(|i| format!("{}-{:02}", first_year + (i / 12) as i32, i % 12 + 1))
            .collect()
    }

    fn series(label: &str, color: &str, values: &[Option<f64>]) -> Series {
        Series {
            label: label.into(),
            color: color.into(),
            values: values.to_vec(),
        }
    }

    fn figures(month: &str, counts: [u32; 6]) -> MonthFigures {
        let [made, due, on_time, late, missed, dropped] = counts;
        MonthFigures {
            month: month.into(),
            made,
            due,
            on_time,
            late,
            missed,
            dropped,
            ..MonthFigures::default()
        }
    }

    fn axis(label: &str, short: &str, color: &str, url: &str) -> Axis {
        Axis {
            label: label.into(),
            short: short.into(),
            color: color.into(),
            url: url.into(),
        }
    }

    fn cell(rate: f64, count: u32, href: &str, label: &str) -> Option<Cell> {
        Some(Cell {
            rate,
            count,
            href: href.into(),
            label: label.into(),
            pending: false,
        })
    }

    fn event(date: &str, label: &str, kind: EventKind) -> TimelineEvent {
        TimelineEvent {
            date: date.into(),
            label: label.into(),
            kind,
        }
    }

    /// A strict enough XML check for generated markup: one root, balanced
    /// tags, quoted and unique attributes, only the five entities and
    /// character references, no `<` inside attribute values.
    fn well_formed(xml: &str) -> Result<(), String> {
        fn check_text(text: &str) -> Result<(), String> {
            let mut rest = text;
            while let Some(amp) = rest.find('&') {
                rest = &rest[amp + 1..];
                let end = rest
                    .find(';')
                    .ok_or_else(|| format!("unterminated entity in {text:?}"))?;
                let entity = &rest[..end];
                let ok = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
                    || entity
                        .strip_prefix('#')
                        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
                if !ok {
                    return Err(format!("bad entity `&{entity};`"));
                }
                rest = &rest[end + 1..];
            }
            if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
                return Err(format!("control character in {text:?}"));
            }
            Ok(())
        }
        let mut stack: Vec<String> = Vec::new();
        let mut roots = 0;
        let mut rest = xml;
        while let Some(lt) = rest.find('<') {
            let before = &rest[..lt];
            if stack.is_empty() && !before.trim().is_empty() {
                return Err(format!("text outside the root: {before:?}"));
            }
            check_text(before)?;
            rest = &rest[lt + 1..];
            if let Some(comment) = rest.strip_prefix("!--") {
                let end = comment.find("-->").ok_or("unterminated comment")?;
                rest = &comment[end + 3..];
                continue;
            }
            let mut quote = None;
            let mut end = None;
            for (i, c) in rest.char_indices() {
                match (quote, c) {
                    (None, '"' | '\'') => quote = Some(c),
                    (Some(q), _) if c == q => quote = None,
                    (Some(_), '<') => return Err("`<` in an attribute value".into()),
                    (None, '>') => {
                        end = Some(i);
                        break;
                    }
                    (None, '<') => return Err("`<` inside a tag".into()),
                    _ => {}
                }
            }
            let end = end.ok_or("unterminated tag")?;
            let tag = &rest[..end];
            rest = &rest[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().ok_or_else(|| format!("`</{name}>` closes nothing"))?;
                if open != name.trim() {
                    return Err(format!("`<{open}>` closed by `</{name}>`"));
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
            let name = &tag[..name_end];
            if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                return Err(format!("bad tag name in `<{tag}>`"));
            }
            let mut attributes = &tag[name_end..];
            let mut seen = HashSet::new();
            loop {
                attributes = attributes.trim_start();
                if attributes.is_empty() {
                    break;
                }
                let eq = attributes
                    .find('=')
                    .ok_or_else(|| format!("attribute without value in `<{tag}>`"))?;
                let attribute = attributes[..eq].trim();
                if attribute.is_empty() || attribute.contains(char::is_whitespace) || !seen.insert(attribute) {
                    return Err(format!("bad or repeated attribute `{attribute}` in `<{name}>`"));
                }
                let value = &attributes[eq + 1..];
                let q = value
                    .chars()
                    .next()
                    .filter(|c| *c == '"' || *c == '\'')
                    .ok_or("unquoted attribute")?;
                let close = value[1..].find(q).ok_or("unterminated attribute")?;
                check_text(&value[1..1 + close])?;
                attributes = &value[close + 2..];
            }
            if stack.is_empty() {
                roots += 1;
            }
            if !self_closing {
                stack.push(name.to_string());
            }
        }
        if !rest.trim().is_empty() {
            return Err(format!("text after the root: {rest:?}"));
        }
        match (stack.last(), roots) {
            (Some(open), _) => Err(format!("`<{open}>` never closed")),
            (None, 1) => Ok(()),
            (None, n) => Err(format!("{n} root elements")),
        }
    }

    fn assert_chart(svg: &str, kind: &str) {
        if let Err(e) = well_formed(svg) {
            panic!("{kind} chart is not well-formed XML: {e}\n{svg}");
        }
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "),
            "{svg}"
        );
        assert!(svg.contains(&format!("class=\"chart chart-{kind}")), "{svg}");
        for banned in ["<script", "onload", "onclick", "javascript:", "NaN", "inf", "xlink"] {
            assert!(!svg.contains(banned), "{kind} chart contains `{banned}`");
        }
    }

    /// The numbers in `attribute="..."` of every element whose tag starts
    /// with `prefix`.
    fn attribute_values(svg: &str, prefix: &str, attribute: &str) -> Vec<f64> {
        svg.match_indices(prefix)
            .filter_map(|(at, _)| {
                let tag = &svg[at..at + svg[at..].find('>').unwrap_or(0)];
                let start = tag.find(&format!(" {attribute}=\""))? + attribute.len() + 3;
                tag[start..start + tag[start..].find('"')?].parse().ok()
            })
            .collect()
    }

    /// The start tags of the bars of `class`: those with a tooltip, which
    /// legend swatches do not have.
    fn bars<'a>(svg: &'a str, class: &str) -> Vec<&'a str> {
        let start = format!("<rect class=\"{class}\" ");
        svg.match_indices(&start)
            .map(|(at, _)| &svg[at..at + svg[at..].find('>').unwrap_or(0) + 1])
            .filter(|tag| !tag.ends_with("/>"))
            .collect()
    }

    fn number(tag: &str, attribute: &str) -> f64 {
        let start = tag.find(&format!(" {attribute}=\"")).unwrap() + attribute.len() + 3;
        tag[start..start + tag[start..].find('"').unwrap()].parse().unwrap()
    }

    fn happiness_example() -> (Vec<String>, Vec<Series>) {
        let months = months(2025, 18);
        let wave = |base: f64, phase: f64| -> Vec<Option<f64>> {
            (0..18)
                .map(|i| Some(base + 18.0 * ((i as f64 + phase) / 2.5).sin()))
                .collect()
        };
        let mut sales = wave(64.0, 0.0);
        sales[5] = None;
        sales[6] = None;
        let mut marketing = wave(48.0, 2.0);
        marketing[0] = None;
        marketing[1] = None;
        marketing[9] = None;
        let series = vec![
            series("Sales", "#1f5fa8", &sales),
            series("Marketing", "#a8327f", &marketing),
            series("Customer Success", "#17785a", &wave(78.0, 4.0)),
        ];
        (months, series)
    }

    fn promises_example() -> Vec<MonthFigures> {
        let counts: [[u32; 6]; 14] = [
            [3, 1, 1, 0, 0, 0],
            [5, 2, 1, 1, 0, 0],
            [2, 4, 2, 1, 1, 0],
            [6, 3, 3, 0, 0, 0],
            [1, 5, 2, 2, 0, 1],
            [4, 2, 1, 0, 1, 0],
            [0, 0, 0, 0, 0, 0],
            [7, 3, 2, 1, 0, 0],
            [3, 6, 4, 1, 1, 0],
            [2, 4, 3, 0, 0, 1],
            [5, 2, 1, 2, 0, 0],
            [4, 3, 3, 0, 0, 0],
            [3, 5, 2, 2, 1, 0],
            [2, 1, 0, 0, 0, 0],
        ];
        let months = months(2025, 14);
        months.iter().zip(counts).map(|(m, c)| figures(m, c)).collect()
    }

    fn trust_example() -> (Vec<Axis>, Vec<Axis>, Vec<Vec<Option<Cell>>>) {
        let teams = [
            ("Sales", "SAL", "#1f5fa8"),
            ("Marketing", "MKT", "#a8327f"),
            ("Customer Success", "CS", "#17785a"),
            ("Product", "PM", "#6842b8"),
            ("Engineering", "ENG", "#4a5568"),
            ("Finance", "FIN", "#b04a0f"),
        ];
        let axes: Vec<Axis> = teams
            .iter()
            .map(|(label, short, color)| axis(label, short, color, &format!("/teams/{}/", label.to_lowercase())))
            .collect();
        let rates = [
            [None, Some((92.0, 12)), Some((75.0, 8)), None, Some((50.0, 2)), None],
            [Some((66.7, 3)), None, None, Some((33.3, 6)), None, Some((100.0, 1))],
            [Some((85.7, 7)), Some((40.0, 5)), None, Some((10.0, 10)), None, None],
            [None, Some((58.3, 12)), Some((80.0, 5)), None, Some((71.4, 14)), None],
            [
                Some((25.0, 4)),
                None,
                Some((90.0, 10)),
                Some((62.5, 16)),
                None,
                Some((0.0, 2)),
            ],
            [None, None, None, Some((100.0, 3)), None, None],
        ];
        let cells = rates
            .iter()
            .enumerate()
            .map(|(r, row)| {
                row.iter()
                    .enumerate()
                    .map(|(c, rate)| {
                        rate.and_then(|(rate, count)| {
                            cell(
                                rate,
                                count,
                                &format!("/commitments/?from={r}&to={c}"),
                                &format!("{} → {}", teams[r].0, teams[c].0),
                            )
                        })
                    })
                    .collect()
            })
            .collect();
        (axes.clone(), axes, cells)
    }

    fn late_timeline() -> Vec<TimelineEvent> {
        vec![
            event("2025-11-04", "Promised", EventKind::Promised),
            event("2026-01-15", "Due", EventKind::Due),
            event("2026-02-01", "New due: legal review", EventKind::Rescheduled),
            event("2026-02-20", "New due: vendor delay", EventKind::Rescheduled),
            event("2026-02-26", "Delivered", EventKind::Delivered),
        ]
    }

    fn open_timeline() -> Vec<TimelineEvent> {
        vec![
            event("2026-01-10", "Promised", EventKind::Promised),
            event("2026-03-31", "Due", EventKind::Due),
            event("2026-04-02", "Today", EventKind::Today),
        ]
    }

    #[test]
    fn line_chart_draws_a_dot_per_value_and_breaks_at_gaps() {
        let months = months(2026, 5);
        let svg = line_chart(
            &text("happiness"),
            "Index",
            &months,
            &[
                series(
                    "Sales",
                    "#1F5FA8",
                    &[Some(10.0), Some(20.0), None, Some(30.0), Some(40.0)],
                ),
                series("Marketing", "#a8327f", &[None, Some(50.0), None, Some(60.0), None]),
            ],
        );
        assert_chart(&svg, "line");
        assert_eq!(svg.matches("<circle ").count(), 6);
        assert_eq!(
            svg.matches("<path class=\"chart-line\"").count(),
            1,
            "lone points get no line"
        );
        let path = svg
            .split("class=\"chart-line\" d=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap();
        assert_eq!(path.matches('M').count(), 2, "{path}");
        assert_eq!(path.matches('L').count(), 2, "{path}");
        assert!(svg.contains("stroke=\"#1f5fa8\""), "colours are normalised");
        assert!(svg.contains("<title>Sales, Apr 2026: 30</title>"));
        assert!(svg.contains("<title>Marketing, Feb 2026: 50</title>"));
        assert!(svg.contains(">Marketing</text>"), "two series get a legend");
        // Its swatches carry their colour as `--series`, as the lines do,
        // so that dark mode lightens both alike.
        assert_eq!(svg.matches("<path class=\"chart-swatch\"").count(), 2, "{svg}");
        assert!(
            svg.contains("class=\"chart-swatch\" d=\"M") && svg.contains("style=\"--series: #"),
            "{svg}"
        );
        for label in ["0", "25", "50", "75", "100"] {
            assert!(svg.contains(&format!(">{label}</text>")), "gridline {label}");
        }
    }

    #[test]
    fn line_chart_clamps_and_drops_non_finite_values() {
        let svg = line_chart(
            &text("clamp"),
            "Index",
            &months(2026, 4),
            &[series(
                "Ops",
                "#17785a",
                &[Some(150.0), Some(-5.0), Some(f64::NAN), Some(f64::INFINITY)],
            )],
        );
        assert_chart(&svg, "line");
        assert_eq!(svg.matches("<circle ").count(), 2);
        assert!(svg.contains("<title>Ops, Jan 2026: 100</title>"));
        assert!(svg.contains("<title>Ops, Feb 2026: 0</title>"));
        let ys = attribute_values(&svg, "<circle ", "cy");
        let plot_top = MARGIN_TOP + 6.0;
        assert_eq!(ys, vec![plot_top, plot_top + LINE_PLOT_HEIGHT]);
        assert!(!svg.contains(">Ops</text>"), "one series needs no legend");
    }

    #[test]
    fn month_labels_thin_out_on_the_calendar_without_overlap() {
        let three_years = months(2024, 36);
        let values: Vec<Option<f64>> = (0..36).map(|i| Some(i as f64)).collect();
        let svg = line_chart(
            &text("long"),
            "Index",
            &three_years,
            &[series("Sales", "#1f5fa8", &values)],
        );
        assert_chart(&svg, "line");
        // Every third month: quarters.
        for shown in ["Jan", "Apr", "Jul", "Oct"] {
            assert_eq!(svg.matches(&format!(">{shown}</text>")).count(), 3, "{shown}");
        }
        for hidden in ["Feb", "Mar", "May", "Jun", "Dec"] {
            assert!(!svg.contains(&format!(">{hidden}</text>")), "{hidden}");
        }
        for year in ["2024", "2025", "2026"] {
            assert_eq!(svg.matches(&format!(">{year}</text>")).count(), 1, "{year}");
        }
        assert_eq!(svg.matches("<circle ").count(), 36);

        // Twenty years: every other year, no months.
        let svg = line_chart(
            &text("decades"),
            "Index",
            &months(2010, 240),
            &[series("Sales", "#1f5fa8", &[Some(1.0)])],
        );
        assert!(!svg.contains(">Jan</text>") && !svg.contains(">2011</text>"));
        for year in (2010..2030).step_by(2) {
            assert_eq!(svg.matches(&format!(">{year}</text>")).count(), 1, "{year}");
        }

        // Labels that are not months are thinned by their own width.
        let odd: Vec<String> = (0..40).map(|i| format!("week {i}")).collect();
        let svg = line_chart(
            &text("weeks"),
            "Index",
            &odd,
            &[series("Sales", "#1f5fa8", &[Some(1.0)])],
        );
        assert_chart(&svg, "line");
        let xs = attribute_values(&svg, "<text class=\"chart-muted\" x=\"", "x");
        let labels: Vec<f64> = xs.into_iter().filter(|x| *x > LEFT).collect();
        assert!(labels.len() < 40 && labels.len() > 3, "{labels:?}");
        let widest = text_width("week 39", SMALL);
        assert!(labels.windows(2).all(|w| w[1] - w[0] >= widest), "{labels:?}");
    }

    #[test]
    fn monthly_bars_draw_one_segment_per_non_zero_count() {
        let months = vec![
            figures("2026-01", [3, 2, 1, 1, 0, 0]),
            figures("2026-02", [0, 0, 0, 0, 0, 0]),
            figures("2026-03", [1, 4, 0, 2, 1, 1]),
        ];
        let svg = monthly_bars(&text("promises"), &months);
        assert_chart(&svg, "bars");
        let count = |class: &str| bars(&svg, class).len();
        assert_eq!(count("bar-made"), 2);
        assert_eq!(count("bar-due"), 2);
        assert_eq!(count("bar-on-time"), 1);
        assert_eq!(count("bar-late"), 2);
        assert_eq!(count("bar-missed"), 1);
        assert_eq!(count("bar-dropped"), 1);
        assert!(svg.contains("<title>Mar 2026: 4 promises originally due</title>"));
        assert!(svg.contains("<title>Mar 2026: 1 promise made</title>"));
        assert!(svg.contains("<title>Jan 2026: 1 delivered on time</title>"));
        for legend in [
            "Made",
            "Due (original date)",
            "On time",
            "Late",
            "Missed",
            "Dropped",
            "Rescheduled",
            "Overdue at month end",
        ] {
            assert!(svg.contains(&format!(">{legend}</text>")), "{legend}");
        }
        // The top gridline is the highest count (4) rounded up to a tick.
        assert!(svg.contains(">4</text>") && !svg.contains(">5</text>"));
        // Nothing was rescheduled or overdue: no such bar, no overdue line.
        assert_eq!(count("bar-rescheduled"), 0);
        assert!(!svg.contains("overdue at the end of the month</title>"));
        assert!(svg.contains(">Promises</text>"), "y axis title");
    }

    #[test]
    fn monthly_bars_draw_reschedulings_and_an_overdue_line() {
        let mut months = vec![
            figures("2026-01", [1, 0, 0, 0, 0, 0]),
            figures("2026-02", [0, 1, 0, 0, 0, 0]),
            figures("2026-03", [0, 0, 0, 0, 0, 0]),
        ];
        months[1].rescheduled = 2;
        months[1].overdue = 1;
        months[2].overdue = 3;
        let svg = monthly_bars(&text("slips"), &months);
        assert_chart(&svg, "bars");
        assert_eq!(bars(&svg, "bar-rescheduled").len(), 1);
        assert!(svg.contains("<title>Feb 2026: 2 reschedulings</title>"));
        assert!(svg.contains("<title>Feb 2026: 1 overdue at the end of the month</title>"));
        assert!(svg.contains("<title>Mar 2026: 3 overdue at the end of the month</title>"));
        // One dot per month with something overdue, on one dashed line.
        assert_eq!(
            svg.matches("overdue at the end of the month</title></circle>").count(),
            2
        );
        assert!(svg.contains("stroke-dasharray=\"5 3\""));
        // The top of the scale covers the highest figure, overdue included.
        assert!(svg.contains(">3</text>"));
    }

    #[test]
    fn stacked_segments_touch_and_scale_with_the_counts() {
        let svg = monthly_bars(&text("stack"), &[figures("2026-05", [0, 0, 2, 1, 1, 0])]);
        let top = |class: &str| number(bars(&svg, class)[0], "y");
        let height = |class: &str| number(bars(&svg, class)[0], "height");
        assert!((height("bar-on-time") - 2.0 * height("bar-late")).abs() < 0.2);
        assert!((top("bar-on-time") - (top("bar-late") + height("bar-late"))).abs() < 0.2);
        assert!((top("bar-late") - (top("bar-missed") + height("bar-missed"))).abs() < 0.2);
    }

    #[test]
    fn count_ticks_are_round_and_cover_the_highest() {
        let cases = [
            (0, vec![0.0, 1.0]),
            (1, vec![0.0, 1.0]),
            (4, vec![0.0, 1.0, 2.0, 3.0, 4.0]),
            (7, vec![0.0, 2.0, 4.0, 6.0, 8.0]),
            (23, vec![0.0, 5.0, 10.0, 15.0, 20.0, 25.0]),
            (101, vec![0.0, 50.0, 100.0, 150.0]),
        ];
        for (highest, ticks) in cases {
            let (got, top) = count_ticks(highest);
            assert_eq!(got, ticks, "{highest}");
            assert!(top >= highest as f64);
        }
    }

    #[test]
    fn heat_map_links_filled_cells_only() {
        let teams = vec![
            axis("Sales", "SAL", "#1f5fa8", ""),
            axis("Marketing", "", "not a colour", ""),
            axis("Finance", "FIN", "#b04a0f", ""),
        ];
        let cells = vec![
            vec![
                None,
                cell(83.333, 6, "/c/?a=1&b=2", "Sales → Marketing"),
                cell(10.0, 1, "/c/3", ""),
            ],
            vec![cell(140.0, 2, "/c/4", "M → S")],
            vec![
                cell(f64::NAN, 2, "/c/5", "nan"),
                cell(50.0, 2, "javascript:alert(1)", "bad"),
                None,
            ],
        ];
        let svg = heat_map(&text("trust"), &teams, &teams, &cells);
        assert_chart(&svg, "heat");
        assert_eq!(svg.matches("<a href=").count(), 3);
        assert!(svg.contains("<a href=\"/c/?a=1&amp;b=2\">"));
        assert_eq!(svg.matches("class=\"heat-cell ").count(), 4);
        assert!(svg.contains(
            "<title>Sales → Marketing: 83.3% on time, 6 commitments</title><rect class=\"heat-cell heat-4\""
        ));
        assert!(svg.contains(">83%</text>") && svg.contains(">of 6</text>"));
        assert!(
            svg.contains("<title>M → S: 100% on time, 2 commitments</title>"),
            "clamped"
        );
        assert!(svg.contains("<title>10% on time, 1 commitment</title><rect class=\"heat-cell heat-0\""));
        let empty = svg
            .split("class=\"heat-empty\" d=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap();
        assert_eq!(empty.matches('M').count(), 5, "missing, None and NaN cells are blank");
        // No short name: the label, without a tooltip that would say it
        // twice to a screen reader.
        assert!(svg.contains(">Marketing</text>"), "no short name: the label");
        assert!(!svg.contains("<title>Marketing</title>"), "{svg}");
        assert!(svg.contains("fill=\"#e07b28\""), "invalid colour: the palette");
        assert!(svg.contains("role=\"group\""));
    }

    /// The trust matrix's legend said a blank cell meant "nothing due yet";
    /// a blank cell is a pair with no promise, a dashed one a pair whose
    /// promises have not come due.
    #[test]
    fn heat_map_legend_tells_no_promise_from_none_due_yet() {
        let teams = [
            axis("Sales", "SLS", "#1f5fa8", "/teams/sales/"),
            axis("Support", "SUP", "#15803d", "/teams/support/"),
        ];
        let pending = Some(Cell {
            pending: true,
            ..cell(0.0, 2, "/h/#sales-support", "Sales → Support").unwrap()
        });
        let cells = vec![vec![None, pending], vec![None, None]];
        let svg = heat_map(&text("trust"), &teams, &teams, &cells);
        assert_chart(&svg, "heat");
        assert!(
            svg.contains(">no promise</text>") && svg.contains(">none due yet</text>"),
            "{svg}"
        );
        assert!(!svg.contains(">none</text>"), "{svg}");
        // The legend's swatches look like the cells they explain.
        let blank = between(&svg, "<path class=\"heat-empty\" d=\"", "/>");
        assert_eq!(blank.matches('M').count(), 3, "three blank cells: {blank}");
        assert!(!blank.contains("dasharray"), "blank cells are not dashed: {blank}");
        let dashed = svg.matches("<rect class=\"heat-empty heat-pending\"").count();
        assert_eq!(dashed, 2, "the pending cell and its legend swatch: {svg}");
        assert!(svg.contains("<title>Sales → Support: nothing due yet, 2 commitments</title>"));
        let legend = svg.split("On time:").nth(1).unwrap_or_default();
        assert!(
            legend.contains("class=\"heat-empty\" x=") && legend.contains("stroke-dasharray"),
            "{legend}"
        );
    }

    fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
        let from = text.find(start).map_or(text.len(), |i| i + start.len());
        let rest = &text[from..];
        &rest[..rest.find(end).unwrap_or(rest.len())]
    }

    #[test]
    fn heat_map_links_team_headers() {
        let (rows, columns, cells) = trust_example();
        let svg = heat_map(&text("trust"), &rows, &columns, &cells);
        assert_chart(&svg, "heat");
        let filled = cells.iter().flatten().filter(|c| c.is_some()).count();
        assert_eq!(svg.matches("<a href=\"/commitments/").count(), filled);
        assert_eq!(svg.matches("<a href=\"/teams/sales/\">").count(), 2);
    }

    #[test]
    fn every_text_is_escaped() {
        let nasty = "R&D <Ops> \"quoted\" 'single'\u{0}";
        let escaped = "R&amp;D &lt;Ops&gt; &quot;quoted&quot; &#39;single&#39;";
        let chart = ChartText {
            id: "x\" onload=\"alert(1)".into(),
            title: nasty.into(),
            description: nasty.into(),
        };
        let team = axis(nasty, nasty, "#fff\" onclick=\"x", "/teams/\"<&>/");
        let svgs = [
            line_chart(
                &chart,
                "Index",
                &[nasty.to_string()],
                &[series(nasty, "red\"/>", &[Some(5.0)])],
            ),
            monthly_bars(&chart, &[figures(nasty, [1, 1, 1, 0, 0, 0])]),
            heat_map(
                &chart,
                std::slice::from_ref(&team),
                std::slice::from_ref(&team),
                &[vec![cell(50.0, 2, "/c/?a=1&b=<2>", nasty)]],
            ),
            commitment_timeline(&chart, &[event("2026-01-01", nasty, EventKind::Promised)], State::Open),
        ];
        for svg in svgs {
            assert!(well_formed(&svg).is_ok(), "{:?}\n{svg}", well_formed(&svg));
            assert!(svg.contains(escaped), "{svg}");
            assert!(!svg.contains("R&D") && !svg.contains("<Ops>") && !svg.contains('\u{0}'));
            assert!(!svg.contains(" onload=") && !svg.contains(" onclick=") && !svg.contains("red\""));
            assert!(svg.contains("id=\"x--onload--alert-1--title\""), "{svg}");
        }
    }

    #[test]
    fn ids_come_from_the_prefix() {
        let svg = line_chart(
            &text("team-sales"),
            "Index",
            &months(2026, 2),
            &[series("S", "#123456", &[Some(1.0)])],
        );
        assert!(svg.contains("aria-labelledby=\"team-sales-title team-sales-desc\""));
        assert!(svg.contains("<title id=\"team-sales-title\">team-sales title</title>"));
        assert!(svg.contains("<desc id=\"team-sales-desc\">team-sales description</desc>"));
        assert_eq!(id_prefix("2026 chart"), "chart-2026-chart");
        assert_eq!(id_prefix(""), "chart-");
    }

    #[test]
    fn empty_inputs_say_no_data_yet() {
        let none: Vec<Option<f64>> = vec![None, Some(f64::NAN)];
        let svgs = [
            (
                "line",
                line_chart(&text("a"), "Index", &[], &[series("S", "#123456", &[Some(1.0)])]),
            ),
            ("line", line_chart(&text("b"), "Index", &months(2026, 3), &[])),
            (
                "line",
                line_chart(&text("c"), "Index", &months(2026, 2), &[series("S", "#123456", &none)]),
            ),
            ("bars", monthly_bars(&text("d"), &[])),
            ("bars", monthly_bars(&text("e"), &[figures("2026-01", [0; 6])])),
            ("heat", heat_map(&text("f"), &[], &[axis("S", "", "", "")], &[])),
            ("timeline", commitment_timeline(&text("g"), &[], State::Open)),
            (
                "timeline",
                commitment_timeline(&text("h"), &[event("soon", "Due", EventKind::Due)], State::Open),
            ),
        ];
        for (kind, svg) in svgs {
            assert_chart(&svg, kind);
            assert!(svg.contains(">No data yet</text>"), "{svg}");
            assert!(svg.contains("chart-empty"));
            assert!(svg.contains("<title id="), "still has a title");
        }
    }

    #[test]
    fn ragged_heat_map_rows_are_blank_not_a_panic() {
        let teams = vec![axis("A", "A", "#111111", "/a/"), axis("B", "B", "#222222", "/b/")];
        let svg = heat_map(&text("ragged"), &teams, &teams, &[vec![cell(50.0, 1, "/x/", "A → A")]]);
        assert_chart(&svg, "heat");
        assert_eq!(svg.matches("class=\"heat-cell ").count(), 1);
    }

    #[test]
    fn timeline_marks_every_event_and_keeps_labels_apart() {
        let svg = commitment_timeline(&text("tl"), &late_timeline(), State::Late);
        assert_chart(&svg, "timeline");
        assert_eq!(svg.matches("class=\"tl-promised\"").count(), 1);
        assert_eq!(svg.matches("class=\"tl-due\"").count(), 1);
        assert_eq!(svg.matches("class=\"tl-rescheduled\"").count(), 2);
        assert_eq!(svg.matches("class=\"tl-delivered state-late\"").count(), 1);
        assert!(svg.contains("class=\"tl-span state-late\""));
        assert!(svg.contains("<title>New due: legal review: 1 February 2026</title>"));
        assert!(svg.contains(">2026-02-26</text>"));

        // Labels in the same row never overlap.
        let xs = attribute_values(&svg, "<text class=\"tl-label\"", "x");
        let ys = attribute_values(&svg, "<text class=\"tl-label\"", "y");
        assert_eq!(xs.len(), late_timeline().len());
        let widths: Vec<f64> = late_timeline()
            .iter()
            .map(|e| text_width(&e.label, SMALL).max(text_width("2026-01-01", TINY)))
            .collect();
        for i in 0..xs.len() {
            for j in i + 1..xs.len() {
                if ys[i] == ys[j] {
                    assert!(
                        (xs[i] - xs[j]).abs() >= (widths[i] + widths[j]) / 2.0,
                        "labels {i} and {j} overlap"
                    );
                }
            }
        }
    }

    #[test]
    fn timeline_of_an_open_commitment_ends_today() {
        let svg = commitment_timeline(&text("open"), &open_timeline(), State::Overdue);
        assert_chart(&svg, "timeline");
        assert!(svg.contains("class=\"tl-today\""));
        assert!(svg.contains("class=\"tl-span state-overdue\""));
        assert!(
            svg.contains(&format!("H{}\" color=", num(TIMELINE_WIDTH - TIMELINE_SIDE))),
            "the span ends today"
        );
        // One date: every event in the middle, nothing divides by zero.
        let one_day = [
            event("2026-03-01", "Promised", EventKind::Promised),
            event("2026-03-01", "Dropped", EventKind::Dropped),
        ];
        let svg = commitment_timeline(&text("same"), &one_day, State::Dropped);
        assert_chart(&svg, "timeline");
        assert_eq!(svg.matches(&format!("cx=\"{}\"", num(TIMELINE_WIDTH / 2.0))).count(), 1);
        let ys = attribute_values(&svg, "<text class=\"tl-label\"", "y");
        assert_ne!(ys[0], ys[1], "labels of the same day go to different lanes");
    }

    #[test]
    fn same_input_same_bytes() {
        let (months, series) = happiness_example();
        let (rows, columns, cells) = trust_example();
        let render = || {
            [
                line_chart(&text("a"), "Index", &months, &series),
                monthly_bars(&text("b"), &promises_example()),
                heat_map(&text("c"), &rows, &columns, &cells),
                commitment_timeline(&text("d"), &late_timeline(), State::Late),
            ]
        };
        assert_eq!(render(), render());
    }

    #[test]
    fn big_charts_stay_compact() {
        let months = months(2023, 36);
        let series: Vec<Series> = (0..60)
            .map(|t| {
                let values = (0..36)
                    .map(|m| Some(((t * 7 + m * 3) % 101) as f64))
                    .collect::<Vec<_>>();
                series(&format!("Team {t}"), "#336699", &values)
            })
            .collect();
        let line = line_chart(&text("big"), "Index", &months, &series);
        assert_chart(&line, "line");
        assert_eq!(line.matches("<circle ").count(), 36 * 60);
        assert!(line.len() < 250_000, "{} bytes", line.len());

        let teams: Vec<Axis> = (0..60)
            .map(|t| {
                axis(
                    &format!("Team {t}"),
                    &format!("T{t}"),
                    "#336699",
                    &format!("/teams/t{t}/"),
                )
            })
            .collect();
        let cells: Vec<Vec<Option<Cell>>> = (0..60)
            .map(|r| {
                (0..60)
                    .map(|c| {
                        ((r + c) % 4 == 0).then(|| Cell {
                            rate: ((r * c) % 101) as f64,
                            count: 3,
                            href: format!("/commitments/?from=t{r}&to=t{c}"),
                            label: format!("Team {r} → Team {c}"),
                            pending: false,
                        })
                    })
                    .collect()
            })
            .collect();
        let heat = heat_map(&text("big"), &teams, &teams, &cells);
        assert_chart(&heat, "heat");
        assert_eq!(heat.matches("class=\"heat-cell ").count(), 900);
        assert!(heat.len() < 500_000, "{} bytes", heat.len());
    }

    #[test]
    fn numbers_have_one_decimal_at_most() {
        let cases = [
            (0.0, "0"),
            (-0.04, "0"),
            (12.0, "12"),
            (12.345, "12.3"),
            (-3.25, "-3.3"),
            (99.96, "100"),
            (-0.05, "-0.1"),
            (0.05, "0.1"),
            (1234.56, "1234.6"),
            (-12.0, "-12"),
        ];
        for (value, want) in cases {
            assert_eq!(num(value), want, "{value}");
        }
    }

    /// Renders one example of each chart into `target/charts-preview/` for
    /// reviewers, with an HTML page that shows them under the theme's styles.
    #[test]
    fn write_previews() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/charts-preview");
        std::fs::create_dir_all(&dir).unwrap();
        let (happiness_months, happiness) = happiness_example();
        let (rows, columns, cells) = trust_example();
        let charts = [
            (
                "happiness",
                line_chart(
                    &ChartText {
                        id: "happiness".into(),
                        title: "Happiness index by team".into(),
                        description: "Monthly happiness index, 0 to 100, of three teams from January 2025 to June 2026.".into(),
                    }, "Index",
                    &happiness_months,
                    &happiness,
                ),
            ),
            (
                "happiness-one-team",
                line_chart(
                    &ChartText {
                        id: "happiness-sales".into(),
                        title: "Sales happiness index".into(),
                        description: "Monthly happiness index of Sales, with a gap in June and July 2025.".into(),
                    }, "Index",
                    &happiness_months,
                    &happiness[..1],
                ),
            ),
            (
                "promises",
                monthly_bars(
                    &ChartText {
                        id: "promises".into(),
                        title: "Promises and deliveries by month".into(),
                        description: "Promises made, due, and delivered on time, late, missed or dropped per month."
                            .into(),
                    },
                    &promises_example(),
                ),
            ),
            (
                "trust-matrix",
                heat_map(
                    &ChartText {
                        id: "trust".into(),
                        title: "Trust matrix".into(),
                        description: "On-time rate of the promises each team (rows) made to each other team (columns)."
                            .into(),
                    },
                    &rows,
                    &columns,
                    &cells,
                ),
            ),
            (
                "timeline-late",
                commitment_timeline(
                    &ChartText {
                        id: "history".into(),
                        title: "History of this commitment".into(),
                        description: "Promised on 4 November 2025 for 15 January 2026, rescheduled twice, delivered late on 26 February 2026.".into(),
                    },
                    &late_timeline(),
                    State::Late,
                ),
            ),
            (
                "timeline-open",
                commitment_timeline(
                    &ChartText {
                        id: "history-open".into(),
                        title: "History of this commitment".into(),
                        description: "Promised on 10 January 2026 for 31 March 2026; still open and overdue today."
                            .into(),
                    },
                    &open_timeline(),
                    State::Overdue,
                ),
            ),
            (
                "promises-36-months",
                monthly_bars(
                    &ChartText {
                        id: "promises-long".into(),
                        title: "Promises and deliveries by month, three years".into(),
                        description: "Thirty-six months of promises and deliveries; month labels thinned.".into(),
                    },
                    &months(2024, 36)
                        .iter()
                        .enumerate()
                        .map(|(i, m)| {
                            let i = i as u32;
                            figures(m, [i % 5 + 1, (i * 3) % 7, (i * 2) % 4, i % 3, i % 2, u32::from(i.is_multiple_of(9))])
                        })
                        .collect::<Vec<_>>(),
                ),
            ),
            (
                "happiness-three-months",
                line_chart(
                    &ChartText {
                        id: "happiness-short".into(),
                        title: "A new team's happiness index".into(),
                        description: "Three months: 40, then no figure, then 85.".into(),
                    }, "Index",
                    &months(2026, 3),
                    &[series("Legal", "#a33246", &[Some(40.0), None, Some(85.0)])],
                ),
            ),
            ("empty", line_chart(&text("empty"), "Index", &[], &[])),
        ];
        let mut page = String::from(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Chart preview</title>\n\
             <link rel=\"stylesheet\" href=\"../../themes/default/static/style.css\"></head>\n\
             <body><main class=\"wrap\">\n",
        );
        for (name, svg) in &charts {
            assert_chart(
                svg,
                svg.split("chart chart-")
                    .nth(1)
                    .and_then(|s| s.split(['"', ' ']).next())
                    .unwrap(),
            );
            std::fs::write(dir.join(format!("{name}.svg")), svg).unwrap();
            w!(page, "<h2>{name}</h2>\n<div class=\"chart-scroll\">{svg}</div>\n");
        }
        page.push_str("</main></body></html>\n");
        std::fs::write(dir.join("index.html"), page).unwrap();
    }
}
