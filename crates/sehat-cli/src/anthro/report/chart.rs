//! The report's inline SVG charts: a survey's z-score distribution against the WHO
//! standard (the standard normal), and a prevalence by group with its 95 % interval.

use std::fmt::Write;

use super::density::{KernelDensity, standard_normal};
use super::page::escape;

/// The z-score range drawn, as WHO Anthro Survey Analyser draws it.
const Z_MIN: f64 = -6.0;
const Z_MAX: f64 = 6.0;
/// Points of each drawn curve (every 0.025 SD).
const CURVE_POINTS: u32 = 481;

const WIDTH: f64 = 540.0;
const SURVEY_COLOUR: &str = "#1d5fa0";
const STANDARD_COLOUR: &str = "#444";

/// `f` sampled on the drawn z-score range.
pub(super) fn curve(f: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
    let step = (Z_MAX - Z_MIN) / f64::from(CURVE_POINTS - 1);
    (0..CURVE_POINTS)
        .map(|i| {
            let x = Z_MIN + step * f64::from(i);
            (x, f(x))
        })
        .collect()
}

/// A linear map from data to pixels.
#[derive(Clone, Copy)]
struct Scale {
    from: (f64, f64),
    to: (f64, f64),
}

impl Scale {
    fn at(self, v: f64) -> f64 {
        self.to.0 + (v - self.from.0) / (self.from.1 - self.from.0) * (self.to.1 - self.to.0)
    }
}

/// The SVG path of a curve.
fn path(points: &[(f64, f64)], x: Scale, y: Scale) -> String {
    let mut d = String::with_capacity(points.len() * 14);
    for (i, &(px, py)) in points.iter().enumerate() {
        let _ = write!(
            d,
            "{}{:.1},{:.1}",
            if i == 0 { "M" } else { "L" },
            x.at(px),
            y.at(py)
        );
    }
    d
}

/// A round tick step giving at most `max_ticks` ticks up to `top`.
fn tick_step(top: f64, max_ticks: f64) -> f64 {
    let raw = top / max_ticks;
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
}

/// A number with thousands separators (`1,843`).
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The distribution of `z` (a kernel density estimate) drawn against N(0, 1).
pub(super) fn distribution(title: &str, z: &[f64]) -> String {
    let height = 300.0;
    let (left, right, top, bottom) = (52.0, WIDTH - 14.0, 14.0, height - 42.0);
    let standard = curve(standard_normal);
    let density = KernelDensity::new(z);
    let survey = density.as_ref().map(|kde| curve(|x| kde.at(x)));
    let peak = survey
        .iter()
        .flatten()
        .chain(&standard)
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let y_step = tick_step(peak * 1.08, 5.0);
    let y_top = (peak * 1.08 / y_step).ceil() * y_step;
    let x = Scale {
        from: (Z_MIN, Z_MAX),
        to: (left, right),
    };
    let y = Scale {
        from: (0.0, y_top),
        to: (bottom, top),
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart distribution" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}">"#,
        escape(title)
    );
    let _ = write!(svg, "<title>{}</title>", escape(title));
    // Grid, the ±2 SD lines, axes.
    for i in -6_i32..=6 {
        let gx = x.at(f64::from(i));
        let stroke = if i.abs() == 2 { "#b9b9b9" } else { "#ececec" };
        let _ = write!(
            svg,
            r#"<line x1="{gx:.1}" y1="{top:.1}" x2="{gx:.1}" y2="{bottom:.1}" stroke="{stroke}"/>"#
        );
        let _ = write!(
            svg,
            r#"<text x="{gx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            bottom + 15.0,
            minus(f64::from(i), 0)
        );
    }
    let mut tick = 0.0;
    while tick <= y_top + y_step / 2.0 {
        let gy = y.at(tick);
        let _ = write!(
            svg,
            r##"<line x1="{left:.1}" y1="{gy:.1}" x2="{right:.1}" y2="{gy:.1}" stroke="#ececec"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            left - 5.0,
            gy + 4.0,
            minus(tick, if y_step < 0.1 { 2 } else { 1 })
        );
        tick += y_step;
    }
    let _ = write!(
        svg,
        r##"<rect x="{left:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#888"/>"##,
        right - left,
        bottom - top
    );
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="axis">z-score</text><text transform="translate(13 {:.1}) rotate(-90)" text-anchor="middle" class="axis">Density</text>"#,
        f64::midpoint(left, right),
        height - 8.0,
        f64::midpoint(top, bottom)
    );
    // The curves: the standard dashed, the survey solid over a light fill.
    let _ = write!(
        svg,
        r#"<path class="standard" d="{}" fill="none" stroke="{STANDARD_COLOUR}" stroke-width="1.6" stroke-dasharray="6 4"/>"#,
        path(&standard, x, y)
    );
    if let Some(points) = &survey {
        let line = path(points, x, y);
        let _ = write!(
            svg,
            r#"<path d="{line}L{right:.1},{bottom:.1}L{left:.1},{bottom:.1}Z" fill="{SURVEY_COLOUR}" fill-opacity="0.12"/><path class="survey" d="{line}" fill="none" stroke="{SURVEY_COLOUR}" stroke-width="2.2"/>"#
        );
    } else {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="note">Fewer than two z-scores: no distribution to draw</text>"#,
            f64::midpoint(left, right),
            f64::midpoint(top, bottom)
        );
    }
    // Legend, top left (the survey is usually shifted left, so top right is the
    // standard's tail; top left is clear of both peaks only far out).
    let (lx, ly) = (left + 10.0, top + 16.0);
    let _ = write!(
        svg,
        r#"<line x1="{lx:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{SURVEY_COLOUR}" stroke-width="2.2"/><text x="{:.1}" y="{:.1}">Survey (n = {}{})</text>"#,
        lx + 22.0,
        lx + 28.0,
        ly + 4.0,
        thousands(z.len()),
        density.as_ref().map_or_else(String::new, |kde| format!(
            ", bandwidth {:.2}",
            kde.bandwidth()
        ))
    );
    let _ = write!(
        svg,
        r#"<line x1="{lx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{STANDARD_COLOUR}" stroke-width="1.6" stroke-dasharray="6 4"/><text x="{:.1}" y="{:.1}">WHO standard, N(0, 1)</text>"#,
        ly + 16.0,
        lx + 22.0,
        ly + 16.0,
        lx + 28.0,
        ly + 20.0
    );
    svg.push_str("</svg>");
    svg
}

/// A number with a typographic minus sign.
fn minus(v: f64, decimals: usize) -> String {
    let text = format!("{:.decimals$}", v.abs());
    if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("\u{2212}{text}")
    } else {
        text
    }
}

/// One group's estimate in percent.
pub(super) struct GroupEstimate<'a> {
    pub label: &'a str,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// Longest label drawn in full; longer ones are shortened (the full label is the
/// row's tooltip and is in the table).
const LABEL_CHARS: usize = 34;

/// The prevalence of each group as a point with its 95 % interval; the first row
/// ("All") is also drawn across the chart as a dashed line over its interval band.
pub(super) fn by_group(title: &str, axis: &str, rows: &[GroupEstimate<'_>]) -> String {
    let row_height = 15.0;
    let (left, right, top) = (212.0, WIDTH - 16.0, 10.0);
    #[allow(clippy::cast_precision_loss)]
    let bottom = top + row_height * rows.len() as f64;
    let height = bottom + 42.0;
    let largest = rows
        .iter()
        .flat_map(|r| [r.value, r.upper])
        .flatten()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let largest = if largest > 0.0 { largest } else { 10.0 };
    let step = tick_step(largest * 1.05, 6.0);
    let x_top = (largest * 1.05 / step).ceil() * step;
    let x = Scale {
        from: (0.0, x_top),
        to: (left, right),
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart groups" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}">"#,
        escape(title)
    );
    let _ = write!(svg, "<title>{}</title>", escape(title));
    let mut tick = 0.0;
    while tick <= x_top + step / 2.0 {
        let gx = x.at(tick);
        let _ = write!(
            svg,
            r##"<line x1="{gx:.1}" y1="{top:.1}" x2="{gx:.1}" y2="{bottom:.1}" stroke="#ececec"/><text x="{gx:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            bottom + 15.0,
            minus(tick, usize::from(step < 1.0))
        );
        tick += step;
    }
    if let Some(all) = rows.first() {
        if let (Some(lower), Some(upper)) = (all.lower, all.upper) {
            let _ = write!(
                svg,
                r#"<rect class="total" x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{SURVEY_COLOUR}" fill-opacity="0.12"/>"#,
                x.at(lower),
                (x.at(upper) - x.at(lower)).max(0.5),
                bottom - top
            );
        }
        if let Some(value) = all.value {
            let _ = write!(
                svg,
                r#"<line x1="{0:.1}" y1="{top:.1}" x2="{0:.1}" y2="{bottom:.1}" stroke="{SURVEY_COLOUR}" stroke-dasharray="4 3"/>"#,
                x.at(value)
            );
        }
    }
    let mut previous_grouping = None;
    for (i, row) in rows.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let cy = top + row_height * (i as f64 + 0.5);
        let grouping = row.label.split_once(": ").map_or(row.label, |g| g.0);
        if previous_grouping.is_some_and(|p| p != grouping) {
            let sy = cy - row_height / 2.0;
            let _ = write!(
                svg,
                r##"<line x1="4" y1="{sy:.1}" x2="{right:.1}" y2="{sy:.1}" stroke="#d0d0d0"/>"##
            );
        }
        previous_grouping = Some(grouping);
        let shown: String = if row.label.chars().count() > LABEL_CHARS {
            let mut s: String = row.label.chars().take(LABEL_CHARS - 1).collect();
            s.push('\u{2026}');
            s
        } else {
            row.label.to_owned()
        };
        let _ = write!(
            svg,
            r#"<g class="group"><title>{}</title><text x="{:.1}" y="{:.1}" text-anchor="end"{}>{}</text>"#,
            escape(&describe(row)),
            left - 6.0,
            cy + 4.0,
            if i == 0 { r#" font-weight="700""# } else { "" },
            escape(&shown)
        );
        match row.value.filter(|v| v.is_finite()) {
            Some(value) => {
                if let (Some(lower), Some(upper)) = (row.lower, row.upper) {
                    let (x1, x2) = (x.at(lower), x.at(upper));
                    let _ = write!(
                        svg,
                        r##"<path d="M{x1:.1},{:.1}V{:.1}M{x1:.1},{cy:.1}H{x2:.1}M{x2:.1},{:.1}V{:.1}" stroke="#333" stroke-width="1.3" fill="none"/>"##,
                        cy - 3.5,
                        cy + 3.5,
                        cy - 3.5,
                        cy + 3.5
                    );
                }
                let _ = write!(
                    svg,
                    r#"<circle cx="{:.1}" cy="{cy:.1}" r="3.4" fill="{SURVEY_COLOUR}"/>"#,
                    x.at(value)
                );
            }
            None => {
                let _ = write!(
                    svg,
                    r#"<text x="{:.1}" y="{:.1}" class="note">NA</text>"#,
                    left + 4.0,
                    cy + 4.0
                );
            }
        }
        svg.push_str("</g>");
    }
    let _ = write!(
        svg,
        r##"<rect x="{left:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#888"/><text x="{:.1}" y="{:.1}" text-anchor="middle" class="axis">{}</text>"##,
        right - left,
        bottom - top,
        f64::midpoint(left, right),
        height - 8.0,
        escape(axis)
    );
    svg.push_str("</svg>");
    svg
}

/// A row's tooltip: label, estimate and interval.
fn describe(row: &GroupEstimate<'_>) -> String {
    let number = |v: Option<f64>| v.map_or_else(|| "NA".to_owned(), |v| format!("{v:.1}"));
    format!(
        "{}: {} % (95 % CI {} to {})",
        row.label,
        number(row.value),
        number(row.lower),
        number(row.upper)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_curve_peaks_at_0_3989_at_zero() {
        let points = curve(standard_normal);
        assert_eq!(points.len(), 481);
        assert_eq!(points[0].0, -6.0);
        assert_eq!(points[480].0, 6.0);
        let peak = points
            .iter()
            .copied()
            .fold((0.0, 0.0), |a, p| if p.1 > a.1 { p } else { a });
        assert!(peak.0.abs() < 1e-12, "{peak:?}");
        assert!((peak.1 - 0.398_942_280_401_432_7).abs() < 1e-15);
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(0.43, 5.0), 0.1);
        assert_eq!(tick_step(34.0, 6.0), 10.0);
        assert_eq!(tick_step(12.0, 6.0), 2.0);
        assert_eq!(tick_step(13.0, 6.0), 2.5);
        assert_eq!(tick_step(2.6, 6.0), 0.5);
        assert_eq!(thousands(1843), "1,843");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(minus(-2.0, 0), "\u{2212}2");
        assert_eq!(minus(-0.0, 1), "0.0");
    }

    #[test]
    fn a_distribution_chart_draws_both_curves() {
        let z: Vec<f64> = (0..400).map(|i| f64::from(i % 41) / 10.0 - 3.0).collect();
        let svg = distribution("Height <for> age", &z);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"class="standard""#) && svg.contains(r#"class="survey""#));
        assert!(svg.contains("Survey (n = 400, bandwidth "));
        assert!(svg.contains("Height &lt;for&gt; age") && !svg.contains("<for>"));
        let few = distribution("t", &[1.0]);
        assert!(few.contains("Fewer than two z-scores") && !few.contains(r#"class="survey""#));
    }

    #[test]
    fn group_rows_escape_labels_and_show_na() {
        let rows = [
            GroupEstimate {
                label: "All",
                value: Some(21.5),
                lower: Some(19.0),
                upper: Some(24.2),
            },
            GroupEstimate {
                label: "Geographical region: <script>alert(1)</script>",
                value: Some(30.0),
                lower: None,
                upper: None,
            },
            GroupEstimate {
                label: "Sex: Female",
                value: None,
                lower: None,
                upper: None,
            },
        ];
        let svg = by_group("Stunting", "Prevalence (%)", &rows);
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains(">NA</text>"));
        assert!(svg.contains("All: 21.5 % (95 % CI 19.0 to 24.2)"));
        assert!(svg.contains(r#"class="total""#));
    }
}
