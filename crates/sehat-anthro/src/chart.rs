//! Growth charts as images, the way the Buku KIA shows them: weight-for-age or
//! length/height-for-age by sex from 0 to 60 months, the WHO SD curves with the Buku
//! KIA's red and orange lines and coloured bands, the child's points joined and the
//! latest one labelled, in Indonesian. Output is SVG or PNG (1080 px wide, under
//! 100 KB, for WhatsApp).
//!
//! The curves come from the same daily LMS tables as the z-scores. Rendering is pure
//! Rust (resvg) with a bundled DejaVu Sans, so no system font is needed.
//!
//! Requires the `chart` feature.
//!
//! # Examples
//!
//! ```
//! use sehat_anthro::Sex;
//! use sehat_anthro::chart::{ChartIndicator, GrowthChart, Measurement};
//!
//! let points = vec![
//!     Measurement::new(0.0, 3.1),
//!     Measurement::new(31.0, 4.0),
//!     Measurement::new(61.0, 4.9),
//! ];
//! let chart = GrowthChart::new(Sex::Female, ChartIndicator::WeightForAge, points)?
//!     .with_caption("Siti Aminah")?;
//! let svg = chart.to_svg();
//! assert!(svg.contains("Berat Badan menurut Umur"));
//! let png = chart.to_png()?;
//! assert!(png.starts_with(b"\x89PNG"));
//! assert!(png.len() <= 100 * 1024);
//! # Ok::<(), sehat_anthro::chart::ChartError>(())
//! ```

mod curve;
mod kia;
mod raster;
mod svg;

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::Sex;

/// Width of the image in pixels.
pub const WIDTH: u32 = 1080;
/// Height of the image in pixels.
pub const HEIGHT: u32 = 1280;
/// The oldest age on the chart, in days (60 months; WHO's 0–5 y tables end there).
pub const MAX_AGE_DAYS: f64 = 1826.0;
/// The longest caption accepted, in characters (longer text would not fit the title).
pub const MAX_CAPTION_CHARS: usize = 60;

/// The chart's indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChartIndicator {
    /// Weight-for-age (BB/U), kg.
    WeightForAge,
    /// Length/height-for-age (PB/U to 24 months, TB/U after), cm.
    LengthHeightForAge,
}

impl ChartIndicator {
    /// The short code: `wfa` or `lhfa`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::WeightForAge => "wfa",
            Self::LengthHeightForAge => "lhfa",
        }
    }

    /// The plausible range of a measurement (weight in kg, length in cm) for a child
    /// under five: values outside are typing errors (grams for kilograms, millimetres
    /// for centimetres), not children.
    #[must_use]
    pub const fn plausible_range(self) -> (f64, f64) {
        match self {
            Self::WeightForAge => (0.5, 60.0),
            Self::LengthHeightForAge => (30.0, 150.0),
        }
    }
}

impl FromStr for ChartIndicator {
    type Err = ChartError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "wfa" => Ok(Self::WeightForAge),
            "lhfa" => Ok(Self::LengthHeightForAge),
            other => Err(ChartError::Indicator(other.to_owned())),
        }
    }
}

impl fmt::Display for ChartIndicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One measurement of the child: age in days and the value (kg or cm).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    /// Age in days (0–1826).
    pub age_days: f64,
    /// Weight in kg or length/height in cm.
    pub value: f64,
}

impl Measurement {
    /// A measurement at an age in days.
    #[must_use]
    pub const fn new(age_days: f64, value: f64) -> Self {
        Self { age_days, value }
    }
}

/// Why a chart cannot be drawn.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ChartError {
    /// An indicator code other than `wfa` or `lhfa`.
    #[error("unknown chart indicator `{0}` (expected wfa or lhfa)")]
    Indicator(String),
    /// A point's age is NaN, negative or beyond 60 months.
    #[error("point {index}: age {age_days} days is outside the chart (0–1826 days, 0–60 months)")]
    Age {
        /// Index of the point as given (0-based).
        index: usize,
        /// The age.
        age_days: f64,
    },
    /// A point's value is NaN, infinite or outside the indicator's plausible range.
    #[error("point {index}: {value} is not a plausible {indicator} value ({min}–{max})")]
    Value {
        /// Index of the point as given (0-based).
        index: usize,
        /// The value.
        value: f64,
        /// The indicator.
        indicator: ChartIndicator,
        /// Smallest plausible value.
        min: f64,
        /// Largest plausible value.
        max: f64,
    },
    /// Two points at the same age.
    #[error("points {first} and {second}: two measurements at the same age ({age_days} days)")]
    DuplicateAge {
        /// Index of the first point.
        first: usize,
        /// Index of the second point.
        second: usize,
        /// The age.
        age_days: f64,
    },
    /// A caption or note that is too long or contains control characters.
    #[error("{field}: {reason}")]
    Text {
        /// Which text (`caption`, `note`).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The renderer failed (not expected for any valid chart).
    #[error("rendering failed: {0}")]
    Render(String),
}

/// A child's growth chart, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct GrowthChart {
    sex: Sex,
    indicator: ChartIndicator,
    /// Sorted by age.
    points: Vec<Measurement>,
    caption: Option<String>,
    latest_note: Option<String>,
}

impl GrowthChart {
    /// A chart of `points` (any order; drawn by age). An empty list draws the curves
    /// alone.
    ///
    /// # Errors
    ///
    /// [`ChartError::Age`] for an age that is NaN, negative or over 1826 days,
    /// [`ChartError::Value`] for a value outside [`ChartIndicator::plausible_range`],
    /// [`ChartError::DuplicateAge`] for two points at the same age.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::Sex;
    /// use sehat_anthro::chart::{ChartError, ChartIndicator, GrowthChart, Measurement};
    ///
    /// let grams = vec![Measurement::new(400.0, 9500.0)];
    /// let err = GrowthChart::new(Sex::Male, ChartIndicator::WeightForAge, grams).unwrap_err();
    /// assert!(matches!(err, ChartError::Value { index: 0, .. }));
    /// ```
    pub fn new(
        sex: Sex,
        indicator: ChartIndicator,
        points: Vec<Measurement>,
    ) -> Result<Self, ChartError> {
        let (min, max) = indicator.plausible_range();
        for (index, p) in points.iter().enumerate() {
            if !(0.0..=MAX_AGE_DAYS).contains(&p.age_days) {
                return Err(ChartError::Age {
                    index,
                    age_days: p.age_days,
                });
            }
            if !(min..=max).contains(&p.value) {
                return Err(ChartError::Value {
                    index,
                    value: p.value,
                    indicator,
                    min,
                    max,
                });
            }
        }
        let mut order: Vec<usize> = (0..points.len()).collect();
        order.sort_by(|&a, &b| points[a].age_days.total_cmp(&points[b].age_days));
        for pair in order.windows(2) {
            if points[pair[0]].age_days == points[pair[1]].age_days {
                return Err(ChartError::DuplicateAge {
                    first: pair[0].min(pair[1]),
                    second: pair[0].max(pair[1]),
                    age_days: points[pair[0]].age_days,
                });
            }
        }
        let points = order.into_iter().map(|i| points[i]).collect();
        Ok(Self {
            sex,
            indicator,
            points,
            caption: None,
            latest_note: None,
        })
    }

    /// A line under the title, e.g. the child's name.
    ///
    /// # Errors
    ///
    /// [`ChartError::Text`] for text longer than [`MAX_CAPTION_CHARS`] or with control
    /// characters.
    pub fn with_caption(mut self, caption: impl Into<String>) -> Result<Self, ChartError> {
        self.caption = Some(checked_text("caption", caption.into())?);
        Ok(self)
    }

    /// The second line of the latest point's label (default: "umur N bulan"), e.g. the
    /// date of the visit.
    ///
    /// # Errors
    ///
    /// [`ChartError::Text`] as for [`GrowthChart::with_caption`].
    pub fn with_latest_note(mut self, note: impl Into<String>) -> Result<Self, ChartError> {
        self.latest_note = Some(checked_text("note", note.into())?);
        Ok(self)
    }

    /// The points, sorted by age.
    #[must_use]
    pub fn points(&self) -> &[Measurement] {
        &self.points
    }

    /// The chart as an SVG document (text is escaped; fonts are named, not embedded:
    /// the viewer's DejaVu Sans or sans-serif).
    #[must_use]
    pub fn to_svg(&self) -> String {
        let layout = svg::Layout::new(self);
        let mut body = svg::background(&layout);
        body.push_str(&svg::overlay(&layout, self));
        svg::document(&body)
    }

    /// The chart as a PNG image, [`WIDTH`] × [`HEIGHT`] pixels, 8-bit indexed colour,
    /// at most 100 KB.
    ///
    /// # Errors
    ///
    /// [`ChartError::Render`] if the renderer fails (not expected).
    pub fn to_png(&self) -> Result<Vec<u8>, ChartError> {
        raster::png(self)
    }
}

fn checked_text(field: &'static str, text: String) -> Result<String, ChartError> {
    let chars = text.chars().count();
    if chars > MAX_CAPTION_CHARS {
        return Err(ChartError::Text {
            field,
            reason: format!("{chars} characters, at most {MAX_CAPTION_CHARS} fit"),
        });
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(ChartError::Text {
            field,
            reason: format!("control character U+{:04X}", u32::from(c)),
        });
    }
    Ok(text)
}

/// The value of WHO's SD curve `z` for a sex and indicator at an age in whole days
/// (0–1826), from the same LMS table as the z-scores: `M·(1 + L·S·z)^(1/L)` (for
/// weight-for-age beyond ±3 SD, WHO's restricted extension). `None` beyond 1826 days.
/// From 731 days length/height-for-age is height.
///
/// # Examples
///
/// ```
/// use sehat_anthro::Sex;
/// use sehat_anthro::chart::{ChartIndicator, sd_curve_value};
///
/// // WHO's weight-for-age table for girls at 12 months prints −2 SD as 7.0 kg.
/// let v = sd_curve_value(Sex::Female, ChartIndicator::WeightForAge, 365, -2.0).unwrap();
/// assert_eq!(format!("{v:.1}"), "7.0");
/// ```
#[must_use]
pub fn sd_curve_value(sex: Sex, indicator: ChartIndicator, age_days: u32, z: f64) -> Option<f64> {
    curve::value_at(sex, indicator, age_days, z)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wfa(points: Vec<Measurement>) -> Result<GrowthChart, ChartError> {
        GrowthChart::new(Sex::Male, ChartIndicator::WeightForAge, points)
    }

    #[test]
    fn bad_ages_are_typed_errors() {
        for age in [f64::NAN, -1.0, 1826.5, f64::INFINITY] {
            let err = wfa(vec![
                Measurement::new(10.0, 4.0),
                Measurement::new(age, 5.0),
            ])
            .unwrap_err();
            match err {
                ChartError::Age { index, age_days } => {
                    assert_eq!(index, 1);
                    assert!(age_days.is_nan() || age_days == age);
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(wfa(vec![Measurement::new(1826.0, 18.0)]).is_ok());
    }

    #[test]
    fn bad_values_are_typed_errors() {
        for value in [f64::NAN, 0.0, -3.0, 9500.0, f64::INFINITY] {
            let err = wfa(vec![Measurement::new(100.0, value)]).unwrap_err();
            assert!(matches!(err, ChartError::Value { index: 0, .. }), "{value}");
        }
        let err = GrowthChart::new(
            Sex::Female,
            ChartIndicator::LengthHeightForAge,
            vec![Measurement::new(100.0, 620.0)],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "point 0: 620 is not a plausible lhfa value (30–150)"
        );
    }

    #[test]
    fn points_are_sorted_and_duplicates_refused() {
        let chart = wfa(vec![
            Measurement::new(60.0, 5.0),
            Measurement::new(0.0, 3.2),
            Measurement::new(30.0, 4.1),
        ])
        .unwrap();
        let ages: Vec<f64> = chart.points().iter().map(|p| p.age_days).collect();
        assert_eq!(ages, [0.0, 30.0, 60.0]);
        let err = wfa(vec![
            Measurement::new(30.0, 4.0),
            Measurement::new(0.0, 3.2),
            Measurement::new(30.0, 4.1),
        ])
        .unwrap_err();
        assert_eq!(
            err,
            ChartError::DuplicateAge {
                first: 0,
                second: 2,
                age_days: 30.0
            }
        );
    }

    #[test]
    fn caption_is_escaped_and_checked() {
        let chart = wfa(vec![Measurement::new(30.0, 4.0)])
            .unwrap()
            .with_caption("<b>Budi</b> & \"Ani\"")
            .unwrap();
        let svg = chart.to_svg();
        assert!(svg.contains("&lt;b&gt;Budi&lt;/b&gt; &amp; &quot;Ani&quot;"));
        assert!(!svg.contains("<b>"));
        assert!(matches!(
            wfa(vec![]).unwrap().with_caption("a\u{0}b"),
            Err(ChartError::Text {
                field: "caption",
                ..
            })
        ));
        assert!(matches!(
            wfa(vec![]).unwrap().with_latest_note("x".repeat(61)),
            Err(ChartError::Text { field: "note", .. })
        ));
        // The escaped SVG still renders.
        assert!(chart.to_png().is_ok());
    }

    #[test]
    fn indicator_codes_round_trip() {
        for ind in [
            ChartIndicator::WeightForAge,
            ChartIndicator::LengthHeightForAge,
        ] {
            assert_eq!(ind.code().parse::<ChartIndicator>().unwrap(), ind);
        }
        assert_eq!(
            "WFA".parse::<ChartIndicator>(),
            Err(ChartError::Indicator("WFA".to_owned()))
        );
    }

    #[test]
    fn latest_point_is_labelled_in_indonesian() {
        let chart = wfa(vec![
            Measurement::new(400.0, 9.2),
            Measurement::new(430.0, 9.45),
        ])
        .unwrap();
        let svg = chart.to_svg();
        assert!(svg.contains(">9,45 kg</text>"));
        assert!(svg.contains(">umur 14 bulan</text>"));
        assert!(!svg.contains(">9,2 kg</text>"));
        let noted = chart.with_latest_note("3 Mar 2025").unwrap().to_svg();
        assert!(noted.contains(">3 Mar 2025</text>"));
    }

    #[test]
    fn y_range_widens_for_a_heavy_child() {
        let chart = wfa(vec![Measurement::new(1800.0, 35.3)]).unwrap();
        let layout = svg::Layout::new(&chart);
        assert_eq!((layout.y_min, layout.y_max), (0.0, 36.0));
        assert!(!layout.is_standard());
        assert!(chart.to_svg().contains(">36</text>"));
    }
}
