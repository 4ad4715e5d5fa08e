//! What the chart shows: the SD lines and coloured bands of the Buku KIA growth charts,
//! as one table per indicator (see docs/growth-charts.md for the sources and the
//! interpretation).

use super::ChartIndicator;

/// One WHO SD curve drawn on the chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SdLine {
    /// The z-score of the curve.
    pub(crate) z: f64,
    /// The label printed at the right end of the curve.
    pub(crate) label: &'static str,
    /// Stroke colour (`#rrggbb`).
    pub(crate) color: &'static str,
    /// Stroke width in pixels at 1080 px width.
    pub(crate) width: f64,
}

/// A coloured band between two SD curves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Band {
    /// Lower curve.
    pub(crate) from_z: f64,
    /// Upper curve.
    pub(crate) to_z: f64,
    /// Fill colour (`#rrggbb`).
    pub(crate) fill: &'static str,
}

/// One line of the legend under the plot: a colour swatch and an Indonesian sentence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LegendEntry {
    /// Swatch colour.
    pub(crate) color: &'static str,
    /// True for a line swatch, false for a band swatch.
    pub(crate) is_line: bool,
    /// The text.
    pub(crate) text: &'static str,
}

/// Everything indicator-specific the chart draws.
#[derive(Debug)]
pub(crate) struct ChartStyle {
    /// Title (Indonesian).
    pub(crate) title: &'static str,
    /// Y axis title.
    pub(crate) y_title: &'static str,
    /// Unit printed after values.
    pub(crate) unit: &'static str,
    /// Default y range (min, max) and the step between labelled ticks.
    pub(crate) y_range: (f64, f64),
    /// Gridline step.
    pub(crate) y_grid: f64,
    /// Labelled tick step.
    pub(crate) y_label_step: f64,
    /// Bands, drawn first.
    pub(crate) bands: &'static [Band],
    /// SD lines, drawn over the bands in this order.
    pub(crate) lines: &'static [SdLine],
    /// Legend entries.
    pub(crate) legend: &'static [LegendEntry],
}

const RED: &str = "#d62828";
const ORANGE: &str = "#f77f00";
const MEDIAN_GREEN: &str = "#2e7d32";
const GREY: &str = "#7a7a7a";
const YELLOW_BAND: &str = "#fbe58a";
const GREEN_BAND: &str = "#c5e6ad";
const ORANGE_BAND: &str = "#fddcbc";

/// Weight-for-age (BB/U): red line at −3 SD ("garis merah"), orange line at +1 SD
/// ("garis oranye"), yellow band −3 to −2 SD (berat badan kurang), green band −2 to
/// +1 SD (berat badan normal), light orange above +1 SD (risiko berat badan lebih), the
/// Permenkes No. 2/2020 BB/U categories.
static WEIGHT_FOR_AGE: ChartStyle = ChartStyle {
    title: "Berat Badan menurut Umur",
    y_title: "Berat badan (kg)",
    unit: "kg",
    y_range: (0.0, 30.0),
    y_grid: 1.0,
    y_label_step: 2.0,
    bands: &[
        Band {
            from_z: -3.0,
            to_z: -2.0,
            fill: YELLOW_BAND,
        },
        Band {
            from_z: -2.0,
            to_z: 1.0,
            fill: GREEN_BAND,
        },
        Band {
            from_z: 1.0,
            to_z: 3.0,
            fill: ORANGE_BAND,
        },
    ],
    lines: &[
        SdLine {
            z: 3.0,
            label: "+3",
            color: GREY,
            width: 2.0,
        },
        SdLine {
            z: 2.0,
            label: "+2",
            color: GREY,
            width: 2.0,
        },
        SdLine {
            z: -1.0,
            label: "\u{2212}1",
            color: GREY,
            width: 2.0,
        },
        SdLine {
            z: -2.0,
            label: "\u{2212}2",
            color: GREY,
            width: 2.0,
        },
        SdLine {
            z: 0.0,
            label: "0",
            color: MEDIAN_GREEN,
            width: 3.0,
        },
        SdLine {
            z: 1.0,
            label: "+1",
            color: ORANGE,
            width: 5.0,
        },
        SdLine {
            z: -3.0,
            label: "\u{2212}3",
            color: RED,
            width: 5.0,
        },
    ],
    legend: &[
        LegendEntry {
            color: RED,
            is_line: true,
            text: "Garis merah (\u{2212}3 SD): di bawahnya rujuk ke petugas kesehatan",
        },
        LegendEntry {
            color: ORANGE,
            is_line: true,
            text: "Garis oranye (+1 SD): di atasnya rujuk ke petugas kesehatan",
        },
        LegendEntry {
            color: GREEN_BAND,
            is_line: false,
            text: "Pita hijau: berat badan normal (\u{2212}2 sampai +1 SD)",
        },
    ],
};

/// Length/height-for-age (PB/U, TB/U): red line at −3 SD (sangat pendek below it),
/// yellow band −3 to −2 SD (pendek), green band −2 to +3 SD (normal), the Permenkes
/// No. 2/2020 PB/U and TB/U categories.
static LENGTH_HEIGHT_FOR_AGE: ChartStyle = ChartStyle {
    title: "Panjang/Tinggi Badan menurut Umur",
    y_title: "Panjang/tinggi badan (cm)",
    unit: "cm",
    y_range: (40.0, 130.0),
    y_grid: 5.0,
    y_label_step: 10.0,
    bands: &[
        Band {
            from_z: -3.0,
            to_z: -2.0,
            fill: YELLOW_BAND,
        },
        Band {
            from_z: -2.0,
            to_z: 3.0,
            fill: GREEN_BAND,
        },
    ],
    lines: &[
        SdLine {
            z: 3.0,
            label: "+3",
            color: GREY,
            width: 2.0,
        },
        SdLine {
            z: 2.0,
            label: "+2",
            color: GREY,
            width: 2.0,
        },
        SdLine {
            z: 1.0,
            label: "+1",
            color: GREY,
            width: 2.0,
        },
        SdLine {
            z: -1.0,
            label: "\u{2212}1",
            color: GREY,
            width: 2.0,
        },
        SdLine {
            z: -2.0,
            label: "\u{2212}2",
            color: GREY,
            width: 2.0,
        },
        SdLine {
            z: 0.0,
            label: "0",
            color: MEDIAN_GREEN,
            width: 3.0,
        },
        SdLine {
            z: -3.0,
            label: "\u{2212}3",
            color: RED,
            width: 5.0,
        },
    ],
    legend: &[
        LegendEntry {
            color: RED,
            is_line: true,
            text: "Garis merah (\u{2212}3 SD): di bawahnya sangat pendek, rujuk",
        },
        LegendEntry {
            color: YELLOW_BAND,
            is_line: false,
            text: "Pita kuning: pendek (\u{2212}3 sampai \u{2212}2 SD)",
        },
        LegendEntry {
            color: GREEN_BAND,
            is_line: false,
            text: "Pita hijau: normal (\u{2212}2 sampai +3 SD)",
        },
    ],
};

/// The style of an indicator's chart.
pub(crate) fn style(indicator: ChartIndicator) -> &'static ChartStyle {
    match indicator {
        ChartIndicator::WeightForAge => &WEIGHT_FOR_AGE,
        ChartIndicator::LengthHeightForAge => &LENGTH_HEIGHT_FOR_AGE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_at(style: &ChartStyle, z: f64) -> &SdLine {
        style.lines.iter().find(|l| l.z == z).unwrap()
    }

    #[test]
    fn weight_chart_has_the_red_and_orange_lines_of_the_buku_kia() {
        let s = style(ChartIndicator::WeightForAge);
        assert_eq!(line_at(s, -3.0).color, RED);
        assert_eq!(line_at(s, 1.0).color, ORANGE);
        assert_eq!(s.lines.len(), 7);
        // The red and orange lines are drawn last, over the grey ones.
        let last_two: Vec<f64> = s.lines[5..].iter().map(|l| l.z).collect();
        assert_eq!(last_two, [1.0, -3.0]);
    }

    #[test]
    fn bands_are_ordered_and_do_not_overlap() {
        for ind in [
            ChartIndicator::WeightForAge,
            ChartIndicator::LengthHeightForAge,
        ] {
            let s = style(ind);
            for pair in s.bands.windows(2) {
                assert!(pair[0].to_z <= pair[1].from_z, "{ind:?}");
            }
            for band in s.bands {
                assert!(band.from_z < band.to_z);
                // Every band edge is a drawn line.
                assert!(s.lines.iter().any(|l| l.z == band.from_z));
                assert!(s.lines.iter().any(|l| l.z == band.to_z));
            }
        }
    }

    #[test]
    fn the_red_and_orange_lines_are_where_monitoring_refers() {
        // The chart's colours and the referral rule of `monitoring` are two tables; a
        // family must never see its point inside the green band while the rule refers it.
        let rule = crate::monitoring::buku_kia::tables().unwrap();
        let s = style(ChartIndicator::WeightForAge);
        let red: Vec<f64> = s
            .lines
            .iter()
            .filter(|l| l.color == RED)
            .map(|l| l.z)
            .collect();
        let orange: Vec<f64> = s
            .lines
            .iter()
            .filter(|l| l.color == ORANGE)
            .map(|l| l.z)
            .collect();
        assert_eq!(red, [rule.red_z]);
        assert_eq!(orange, [rule.orange_z]);
        // The green band lies between them, as the rule's "normal" does.
        let green = s.bands.iter().find(|b| b.fill == GREEN_BAND).unwrap();
        assert!(green.from_z > rule.red_z && green.to_z <= rule.orange_z);
    }

    #[test]
    fn length_chart_has_no_orange_line() {
        let s = style(ChartIndicator::LengthHeightForAge);
        assert!(s.lines.iter().all(|l| l.color != ORANGE));
        assert_eq!(line_at(s, -3.0).color, RED);
    }
}
