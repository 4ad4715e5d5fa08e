//! The Buku KIA's numbers: the KBM table and the growth lines of the weight-for-age
//! chart, embedded from `data/buku_kia/*.toml` and checked when first used.

use std::sync::LazyLock;

use serde::Deserialize;

use super::MonitoringError;

const KBM_FILE: &str = "data/buku_kia/kbm.toml";
const KBM_TOML: &str = include_str!("../../data/buku_kia/kbm.toml");
const LINES_FILE: &str = "data/buku_kia/growth_lines.toml";
const LINES_TOML: &str = include_str!("../../data/buku_kia/growth_lines.toml");

/// The last age in completed months with a KBM: the Buku KIA charts end at 60 months.
pub(crate) const LAST_KBM_MONTH: u32 = 60;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KbmFile {
    kbm: Vec<KbmRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KbmRow {
    from_month: u32,
    to_month: u32,
    grams: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinesFile {
    line: Vec<LineRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LineRow {
    z: f64,
    #[allow(dead_code)] // For people reading the file and for charts; not used here.
    label: String,
    #[serde(default)]
    referral: Option<Referral>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Referral {
    Below,
    Above,
}

/// The checked tables.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BukuKia {
    /// KBM in grams by age in completed months; index 0 (no KBM) is 0.
    kbm: [u32; LAST_KBM_MONTH as usize + 1],
    /// The growth lines' z-scores, increasing.
    lines: Vec<f64>,
    /// The red line: refer below it.
    pub(crate) red_z: f64,
    /// The orange line: refer above it.
    pub(crate) orange_z: f64,
}

impl BukuKia {
    /// The KBM in grams at an age in completed months (1–60), `None` outside.
    pub(crate) fn kbm_grams(&self, age_months: u32) -> Option<u32> {
        if age_months == 0 {
            return None;
        }
        self.kbm.get(usize::try_from(age_months).ok()?).copied()
    }

    /// The band of a weight-for-age z-score: how many growth lines lie at or below it.
    /// Crossing a line changes the band.
    pub(crate) fn band(&self, z: f64) -> usize {
        self.lines.iter().filter(|&&line| z >= line).count()
    }

    fn parse(kbm_toml: &str, lines_toml: &str) -> Result<Self, MonitoringError> {
        let kbm_error = |message: String| MonitoringError::Data {
            file: KBM_FILE,
            message,
        };
        let lines_error = |message: String| MonitoringError::Data {
            file: LINES_FILE,
            message,
        };
        let file: KbmFile = toml::from_str(kbm_toml).map_err(|e| kbm_error(e.to_string()))?;
        let mut kbm = [0; LAST_KBM_MONTH as usize + 1];
        let mut next = 1;
        for row in &file.kbm {
            if row.from_month != next || row.to_month < row.from_month {
                return Err(kbm_error(format!(
                    "rows must cover months 1 to {LAST_KBM_MONTH} in order without gaps; \
                     expected a row from month {next}, found {}–{}",
                    row.from_month, row.to_month
                )));
            }
            if row.to_month > LAST_KBM_MONTH {
                return Err(kbm_error(format!(
                    "month {} is beyond {LAST_KBM_MONTH}",
                    row.to_month
                )));
            }
            if row.grams == 0 {
                return Err(kbm_error(format!(
                    "months {}–{}: a KBM of 0 g",
                    row.from_month, row.to_month
                )));
            }
            for month in row.from_month..=row.to_month {
                if let Some(slot) = kbm.get_mut(month as usize) {
                    *slot = row.grams;
                }
            }
            next = row.to_month + 1;
        }
        if next != LAST_KBM_MONTH + 1 {
            return Err(kbm_error(format!(
                "rows end at month {}, not {LAST_KBM_MONTH}",
                next - 1
            )));
        }

        let file: LinesFile = toml::from_str(lines_toml).map_err(|e| lines_error(e.to_string()))?;
        let lines: Vec<f64> = file.line.iter().map(|l| l.z).collect();
        if lines.iter().any(|z| !z.is_finite()) || lines.windows(2).any(|w| w[0] >= w[1]) {
            return Err(lines_error(
                "the lines' z-scores must be finite and strictly increasing".to_owned(),
            ));
        }
        let only = |referral: Referral| -> Result<f64, MonitoringError> {
            let mut found = file.line.iter().filter(|l| l.referral == Some(referral));
            match (found.next(), found.next()) {
                (Some(line), None) => Ok(line.z),
                _ => Err(lines_error(format!(
                    "exactly one line must have referral = \"{}\"",
                    match referral {
                        Referral::Below => "below",
                        Referral::Above => "above",
                    }
                ))),
            }
        };
        let red_z = only(Referral::Below)?;
        let orange_z = only(Referral::Above)?;
        if red_z >= orange_z {
            return Err(lines_error(
                "the red line must lie below the orange line".to_owned(),
            ));
        }
        Ok(Self {
            kbm,
            lines,
            red_z,
            orange_z,
        })
    }
}

static DATA: LazyLock<Result<BukuKia, MonitoringError>> =
    LazyLock::new(|| BukuKia::parse(KBM_TOML, LINES_TOML));

/// The embedded tables; an error only if the files in `data/buku_kia/` are broken, which
/// the crate's tests rule out for a released version.
pub(crate) fn tables() -> Result<&'static BukuKia, MonitoringError> {
    DATA.as_ref().map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kbm_table_is_the_buku_kia_one_for_every_month() {
        let t = tables().unwrap();
        let want: Vec<(u32, u32)> = (1..=60)
            .map(|m| {
                let g = match m {
                    1 => 800,
                    2 => 900,
                    3 => 800,
                    4 => 600,
                    5 => 500,
                    6 | 7 => 400,
                    8..=10 => 300,
                    _ => 200,
                };
                (m, g)
            })
            .collect();
        let got: Vec<(u32, u32)> = (1..=60).map(|m| (m, t.kbm_grams(m).unwrap())).collect();
        assert_eq!(got, want);
        assert_eq!(t.kbm_grams(0), None);
        assert_eq!(t.kbm_grams(61), None);
        assert_eq!(t.kbm_grams(u32::MAX), None);
    }

    #[test]
    fn lines_and_bands() {
        let t = tables().unwrap();
        assert_eq!(t.lines, vec![-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]);
        assert_eq!((t.red_z, t.orange_z), (-3.0, 1.0));
        assert_eq!(t.band(-3.5), 0);
        assert_eq!(t.band(-3.0), 1);
        assert_eq!(t.band(-0.5), 3);
        assert_eq!(t.band(0.99), 4);
        assert_eq!(t.band(1.0), 5);
        assert_eq!(t.band(9.0), 7);
        assert_eq!(t.band(f64::NAN), 0);
    }

    fn kbm_rows(rows: &[(u32, u32, u32)]) -> String {
        rows.iter()
            .map(|(f, t, g)| format!("[[kbm]]\nfrom_month = {f}\nto_month = {t}\ngrams = {g}\n"))
            .collect()
    }

    #[test]
    fn broken_kbm_files_are_refused_with_the_reason() {
        let err = |kbm: &str| match BukuKia::parse(kbm, LINES_TOML) {
            Err(MonitoringError::Data { file, message }) => {
                assert_eq!(file, KBM_FILE);
                message
            }
            other => panic!("{other:?}"),
        };
        assert!(err(&kbm_rows(&[(1, 30, 200), (32, 60, 200)])).contains("from month 31"));
        assert!(err(&kbm_rows(&[(1, 30, 200), (30, 60, 200)])).contains("from month 31"));
        assert!(err(&kbm_rows(&[(1, 30, 200)])).contains("end at month 30"));
        assert!(err(&kbm_rows(&[(1, 61, 200)])).contains("beyond 60"));
        assert!(err(&kbm_rows(&[(1, 60, 0)])).contains("0 g"));
        assert!(err(&kbm_rows(&[(2, 1, 200)])).contains("from month 1"));
        assert!(!err("kbm = 3").is_empty());
        assert!(!err(&format!("{}extra = 1\n", kbm_rows(&[(1, 60, 200)]))).is_empty());
        assert!(BukuKia::parse(&kbm_rows(&[(1, 60, 200)]), LINES_TOML).is_ok());
    }

    #[test]
    fn broken_line_files_are_refused_with_the_reason() {
        let err = |lines: &str| match BukuKia::parse(KBM_TOML, lines) {
            Err(MonitoringError::Data { file, message }) => {
                assert_eq!(file, LINES_FILE);
                message
            }
            other => panic!("{other:?}"),
        };
        let line =
            |z: f64, referral: &str| format!("[[line]]\nz = {z:?}\nlabel = \"x\"\n{referral}\n");
        let below = "referral = \"below\"";
        let above = "referral = \"above\"";
        assert!(err(&(line(-3.0, below) + &line(1.0, ""))).contains("\"above\""));
        assert!(err(&(line(-3.0, below) + &line(1.0, below))).contains("\"below\""));
        assert!(err(&(line(1.0, below) + &line(-3.0, above))).contains("increasing"));
        assert!(err(&(line(-3.0, above) + &line(1.0, below))).contains("red line"));
        assert!(err(&(line(-3.0, below) + &line(-3.0, above))).contains("increasing"));
        assert!(err(&line(-3.0, "referral = \"sideways\"")).contains("sideways"));
        assert!(BukuKia::parse(KBM_TOML, &(line(-3.0, below) + &line(2.0, above))).is_ok());
    }
}
