//! The drawing as SVG text: a background (bands, grid, SD curves, labels) that depends
//! only on sex, indicator and y range, and an overlay with the child's points. The SVG
//! output is both in one document; the PNG output rasterizes them in two passes so the
//! background can be cached.

use std::fmt::Write as _;

use super::curve::{LAST_DAY, LAST_LENGTH_DAY, curve, segments, value_at};
use super::kia::{ChartStyle, style};
use super::{ChartIndicator, GrowthChart, HEIGHT, WIDTH};
use crate::{DAYS_PER_MONTH, Sex};

/// The font family every text element asks for (bundled for PNG output).
pub(crate) const FONT_FAMILY: &str = "DejaVu Sans";

const LEFT: f64 = 118.0;
const RIGHT: f64 = 985.0;
const TOP: f64 = 200.0;
const BOTTOM: f64 = 1020.0;
const LAST_MONTH: f64 = 60.0;
/// The colour of the child's points and line.
pub(crate) const POINT_COLOR: &str = "#1d4e89";
/// The colour of most text.
pub(crate) const TEXT_COLOR: &str = "#1f1f1f";

/// The mapping from (age, value) to pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Layout {
    pub(crate) sex: Sex,
    pub(crate) indicator: ChartIndicator,
    /// The y range: the style's, widened in whole label steps to take in every point.
    pub(crate) y_min: f64,
    pub(crate) y_max: f64,
}

impl Layout {
    /// The layout for a chart: its style's y range, widened if a point lies outside.
    pub(crate) fn new(chart: &GrowthChart) -> Self {
        let style = style(chart.indicator);
        let (mut y_min, mut y_max) = style.y_range;
        let step = style.y_label_step;
        for p in &chart.points {
            if p.value < y_min {
                y_min = (p.value / step).floor() * step;
            }
            if p.value > y_max {
                y_max = (p.value / step).ceil() * step;
            }
        }
        Self {
            sex: chart.sex,
            indicator: chart.indicator,
            y_min,
            y_max,
        }
    }

    /// True when the y range is the style's own (the cached background applies).
    pub(crate) fn is_standard(&self) -> bool {
        (self.y_min, self.y_max) == style(self.indicator).y_range
    }

    /// The pixel of a point (age in days, value).
    pub(crate) fn at(&self, age_days: f64, value: f64) -> (f64, f64) {
        (self.x_day(age_days), self.y(value))
    }

    fn x_months(&self, months: f64) -> f64 {
        LEFT + months / LAST_MONTH * (RIGHT - LEFT)
    }

    fn x_day(&self, day: f64) -> f64 {
        self.x_months(day / DAYS_PER_MONTH)
    }

    fn y(&self, value: f64) -> f64 {
        BOTTOM - (value - self.y_min) / (self.y_max - self.y_min) * (BOTTOM - TOP)
    }
}

/// Text made safe for SVG character data and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number the Indonesian way: decimal comma, as many decimals as given.
pub(crate) fn decimal_id(value: f64) -> String {
    value.to_string().replace('.', ",")
}

/// A whole SVG document around `body`.
pub(crate) fn document(body: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"{FONT_FAMILY}, sans-serif\">\n{body}</svg>\n"
    )
}

fn sex_label(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "Laki-laki",
        Sex::Female => "Perempuan",
    }
}

fn path_data(layout: &Layout, points: impl Iterator<Item = (f64, f64)>) -> String {
    let mut d = String::new();
    for (i, (x, y)) in points.enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        // Writing to a String cannot fail.
        let _ = write!(d, "{cmd}{:.1} {:.1}", layout.x_day(x), layout.y(y));
    }
    d
}

/// Bands, grid, SD curves, axes and every fixed text.
pub(crate) fn background(layout: &Layout) -> String {
    let style = style(layout.indicator);
    let mut s = String::with_capacity(64 * 1024);
    let _ = write!(
        s,
        "<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#ffffff\"/>\n\
         <text x=\"{WIDTH_HALF}\" y=\"62\" font-size=\"40\" font-weight=\"bold\" \
         text-anchor=\"middle\" fill=\"{TEXT_COLOR}\">{title}</text>\n\
         <text x=\"{WIDTH_HALF}\" y=\"106\" font-size=\"26\" text-anchor=\"middle\" \
         fill=\"{TEXT_COLOR}\">{sex} \u{b7} umur 0\u{2013}60 bulan \u{b7} Standar WHO</text>\n",
        WIDTH_HALF = WIDTH / 2,
        title = style.title,
        sex = sex_label(layout.sex),
    );
    bands(&mut s, layout, style);
    grid(&mut s, layout, style);
    sd_lines(&mut s, layout, style);
    if layout.indicator == ChartIndicator::LengthHeightForAge {
        length_height_switch(&mut s, layout);
    }
    axes(&mut s, layout, style);
    legend(&mut s, style);
    s
}

fn bands(s: &mut String, layout: &Layout, style: &ChartStyle) {
    for band in style.bands {
        for &segment in segments(layout.indicator) {
            let lower = curve(layout.sex, layout.indicator, segment, band.from_z);
            let upper = curve(layout.sex, layout.indicator, segment, band.to_z);
            let outline = lower
                .iter()
                .chain(upper.iter().rev())
                .map(|&(d, v)| (f64::from(d), v));
            let _ = writeln!(
                s,
                "<path d=\"{}Z\" fill=\"{}\"/>",
                path_data(layout, outline),
                band.fill
            );
        }
    }
}

fn grid(s: &mut String, layout: &Layout, style: &ChartStyle) {
    s.push_str("<g stroke=\"#000000\" stroke-opacity=\"0.12\" stroke-width=\"1\">\n");
    for month in 0..=60 {
        let x = layout.x_months(f64::from(month));
        let width = if month % 6 == 0 { 2 } else { 1 };
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{BOTTOM}\" stroke-width=\"{width}\"/>"
        );
    }
    let mut v = layout.y_min;
    while v <= layout.y_max + 1e-9 {
        let y = layout.y(v);
        let labelled = (v / style.y_label_step).round() * style.y_label_step == v;
        let width = if labelled { 2 } else { 1 };
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{RIGHT}\" y2=\"{y:.1}\" stroke-width=\"{width}\"/>"
        );
        v += style.y_grid;
    }
    s.push_str("</g>\n");
}

fn sd_lines(s: &mut String, layout: &Layout, style: &ChartStyle) {
    for line in style.lines {
        for &segment in segments(layout.indicator) {
            let points = curve(layout.sex, layout.indicator, segment, line.z);
            let _ = writeln!(
                s,
                "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" \
                 stroke-linejoin=\"round\"/>",
                path_data(layout, points.iter().map(|&(d, v)| (f64::from(d), v))),
                line.color,
                line.width
            );
        }
        if let Some(end) = value_at(layout.sex, layout.indicator, LAST_DAY, line.z) {
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"24\" font-weight=\"bold\" \
                 fill=\"{}\">{}</text>",
                RIGHT + 8.0,
                layout.y(end) + 8.0,
                line.color,
                line.label
            );
        }
    }
}

fn length_height_switch(s: &mut String, layout: &Layout) {
    let x = layout.x_day(f64::from(LAST_LENGTH_DAY) + 0.5);
    let _ = write!(
        s,
        "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{BOTTOM}\" stroke=\"#444444\" \
         stroke-width=\"2\" stroke-dasharray=\"10 8\"/>\n\
         <text x=\"{l:.1}\" y=\"{ty}\" font-size=\"22\" text-anchor=\"end\" \
         fill=\"{TEXT_COLOR}\">Panjang badan (berbaring)</text>\n\
         <text x=\"{r:.1}\" y=\"{ty}\" font-size=\"22\" fill=\"{TEXT_COLOR}\">Tinggi badan \
         (berdiri)</text>\n",
        l = x - 10.0,
        r = x + 10.0,
        ty = TOP + 32.0,
    );
}

fn axes(s: &mut String, layout: &Layout, style: &ChartStyle) {
    let _ = writeln!(
        s,
        "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{}\" height=\"{}\" fill=\"none\" \
         stroke=\"#333333\" stroke-width=\"2\"/>",
        RIGHT - LEFT,
        BOTTOM - TOP
    );
    for month in (0..=60).step_by(6) {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"24\" text-anchor=\"middle\" \
             fill=\"{TEXT_COLOR}\">{month}</text>",
            layout.x_months(f64::from(month)),
            BOTTOM + 32.0
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{}\" font-size=\"26\" text-anchor=\"middle\" \
         fill=\"{TEXT_COLOR}\">Umur (bulan)</text>",
        (LEFT + RIGHT) / 2.0,
        BOTTOM + 70.0
    );
    let mut v = (layout.y_min / style.y_label_step).ceil() * style.y_label_step;
    while v <= layout.y_max + 1e-9 {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"24\" text-anchor=\"end\" \
             fill=\"{TEXT_COLOR}\">{}</text>",
            LEFT - 10.0,
            layout.y(v) + 8.0,
            decimal_id(v)
        );
        v += style.y_label_step;
    }
    let mid = (TOP + BOTTOM) / 2.0;
    let _ = writeln!(
        s,
        "<text x=\"34\" y=\"{mid:.1}\" font-size=\"26\" text-anchor=\"middle\" \
         transform=\"rotate(-90 34 {mid:.1})\" fill=\"{TEXT_COLOR}\">{}</text>",
        style.y_title
    );
}

fn legend(s: &mut String, style: &ChartStyle) {
    let mut y = BOTTOM + 112.0;
    for entry in style.legend {
        if entry.is_line {
            let _ = writeln!(
                s,
                "<line x1=\"60\" y1=\"{y:.1}\" x2=\"104\" y2=\"{y:.1}\" stroke=\"{}\" \
                 stroke-width=\"6\"/>",
                entry.color
            );
        } else {
            let _ = writeln!(
                s,
                "<rect x=\"60\" y=\"{:.1}\" width=\"44\" height=\"24\" fill=\"{}\" \
                 stroke=\"#999999\"/>",
                y - 12.0,
                entry.color
            );
        }
        let _ = writeln!(
            s,
            "<text x=\"118\" y=\"{:.1}\" font-size=\"24\" fill=\"{TEXT_COLOR}\">{}</text>",
            y + 8.0,
            entry.text
        );
        y += 38.0;
    }
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" font-size=\"18\" text-anchor=\"middle\" fill=\"#666666\">\
         Kurva: Standar Pertumbuhan Anak WHO 2006 \u{b7} garis dan pita seperti Buku KIA</text>",
        WIDTH / 2,
        HEIGHT - 14
    );
}

/// The caption, and the child's points joined by a line, the latest one larger and
/// labelled.
pub(crate) fn overlay(layout: &Layout, chart: &GrowthChart) -> String {
    let style = style(layout.indicator);
    let mut s = String::with_capacity(4 * 1024);
    if let Some(caption) = &chart.caption {
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"152\" font-size=\"30\" font-weight=\"bold\" \
             text-anchor=\"middle\" fill=\"{POINT_COLOR}\">{}</text>",
            WIDTH / 2,
            escape(caption)
        );
    }
    let points = &chart.points;
    if points.len() > 1 {
        let _ = writeln!(
            s,
            "<path d=\"{}\" fill=\"none\" stroke=\"{POINT_COLOR}\" stroke-width=\"4\" \
             stroke-linejoin=\"round\" stroke-linecap=\"round\"/>",
            path_data(layout, points.iter().map(|p| (p.age_days, p.value)))
        );
    }
    let Some((latest, earlier)) = points.split_last() else {
        return s;
    };
    for p in earlier {
        let _ = writeln!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"7\" fill=\"{POINT_COLOR}\" \
             stroke=\"#ffffff\" stroke-width=\"2\"/>",
            layout.x_day(p.age_days),
            layout.y(p.value)
        );
    }
    let (x, y) = layout.at(latest.age_days, latest.value);
    let _ = writeln!(
        s,
        "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"11\" fill=\"{POINT_COLOR}\" \
         stroke=\"#ffffff\" stroke-width=\"3\"/>"
    );
    let value_text = format!("{} {}", decimal_id(latest.value), style.unit);
    let note = match &chart.latest_note {
        Some(note) => escape(note),
        None => format!(
            "umur {} bulan",
            // Completed months, as the Buku KIA counts them; ages are checked to be
            // within 0–1826 days, so the cast cannot truncate.
            (latest.age_days / DAYS_PER_MONTH).floor() as u32
        ),
    };
    // Box size from an average glyph width (0.62 em for this font at these sizes).
    let chars = value_text.chars().count().max(note.chars().count()) as f64;
    let (box_w, box_h) = (chars * 0.62 * 26.0 + 24.0, 74.0);
    let mut bx = x + 18.0;
    if bx + box_w > RIGHT {
        bx = x - 18.0 - box_w;
    }
    let mut by = y - 18.0 - box_h;
    if by < TOP {
        by = y + 18.0;
    }
    let _ = write!(
        s,
        "<rect x=\"{bx:.1}\" y=\"{by:.1}\" width=\"{box_w:.1}\" height=\"{box_h}\" rx=\"10\" \
         fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"{POINT_COLOR}\" stroke-width=\"2.5\"/>\n\
         <text x=\"{tx:.1}\" y=\"{t1:.1}\" font-size=\"30\" font-weight=\"bold\" \
         fill=\"{POINT_COLOR}\">{value_text}</text>\n\
         <text x=\"{tx:.1}\" y=\"{t2:.1}\" font-size=\"22\" fill=\"{TEXT_COLOR}\">{note}</text>\n",
        tx = bx + 12.0,
        t1 = by + 33.0,
        t2 = by + 62.0,
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
        assert_eq!(escape("Siti Aminah"), "Siti Aminah");
    }

    #[test]
    fn decimals_use_a_comma() {
        assert_eq!(decimal_id(9.2), "9,2");
        assert_eq!(decimal_id(10.0), "10");
        assert_eq!(decimal_id(87.25), "87,25");
    }
}
