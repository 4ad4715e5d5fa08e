//! A child's nutritional status from a message such as `BB 8.2 TB 71 umur 10 bulan L`:
//! WHO z-scores and the Permenkes No. 2/2020 categories.

use crate::anthro::classification::{BeratBadanMenurutUmur, StatusGizi, TinggiBadanMenurutUmur};
use crate::anthro::{Child, DAYS_PER_MONTH, Measure, NaReason, Outcome, Sex, ZScore, zscores};

/// What a health worker measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    /// Sex.
    pub sex: Sex,
    /// Age as typed: whole months and years are kept as months (WHO converts them).
    pub age: Age,
    /// Weight in kg.
    pub weight_kg: Option<f64>,
    /// Length (lying) or height (standing) in cm.
    pub lenhei: Option<(f64, Measure)>,
}

/// An age in months, or in days when days were given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Age {
    /// Months (a year is 12 months).
    Months(f64),
    /// Days.
    Days(f64),
}

impl Measurement {
    /// The age in days.
    pub fn age_days(&self) -> f64 {
        match self.age {
            Age::Months(months) => months * DAYS_PER_MONTH,
            Age::Days(days) => days,
        }
    }

    /// The child as `sehat-anthro` sees it.
    pub fn child(&self) -> Child {
        let mut child = Child::new(self.sex);
        child = match self.age {
            Age::Months(months) => child.age_months(months),
            Age::Days(days) => child.age_days(days),
        };
        if let Some(kg) = self.weight_kg {
            child = child.weight_kg(kg);
        }
        if let Some((cm, measure)) = self.lenhei {
            child = child.lenhei_cm(cm, Some(measure));
        }
        child
    }
}

/// Whether a message is meant as a measurement: it names a weight, length or height.
pub fn is_measurement(text: &str) -> bool {
    words(text)
        .iter()
        .any(|w| matches!(w.as_str(), "bb" | "tb" | "pb"))
}

/// Reads a measurement message.
///
/// # Errors
///
/// A sentence in Bahasa Indonesia for the sender: what is missing, or which word was not
/// understood.
///
/// # Examples
///
/// ```
/// use sehat::anthro::Sex;
/// use sehat::bot::nutrition::{Age, answer, parse};
///
/// let measured = parse("BB 8.2 TB 71 umur 10 bulan L").unwrap();
/// assert_eq!((measured.sex, measured.age), (Sex::Male, Age::Months(10.0)));
/// assert!(answer(&measured).contains("Status gizi"));
/// assert!(parse("BB 8.2 TB 71 L").unwrap_err().contains("umur"));
/// ```
pub fn parse(text: &str) -> Result<Measurement, String> {
    let words = words(text);
    let mut sex = None;
    let mut age = None;
    let mut weight_kg = None;
    let mut lenhei = None;
    let mut i = 0;
    while i < words.len() {
        match words[i].as_str() {
            "bb" | "berat" => {
                weight_kg = Some(number_after(&words, &mut i, "BB")?);
                skip_unit(&words, &mut i, "kg");
            }
            "pb" | "panjang" => {
                lenhei = Some((number_after(&words, &mut i, "PB")?, Measure::Lying));
                skip_unit(&words, &mut i, "cm");
            }
            "tb" | "tinggi" => {
                lenhei = Some((number_after(&words, &mut i, "TB")?, Measure::Standing));
                skip_unit(&words, &mut i, "cm");
            }
            "umur" | "usia" => age = Some(age_after(&words, &mut i)?),
            "l" | "lk" | "laki" | "laki-laki" => sex = Some(Sex::Male),
            "p" | "pr" | "perempuan" => sex = Some(Sex::Female),
            word => return Err(format!("Kata \"{word}\" tidak saya pahami.")),
        }
        i += 1;
    }
    let mut missing = Vec::new();
    if sex.is_none() {
        missing.push("jenis kelamin (L atau P)");
    }
    if age.is_none() {
        missing.push("umur (misalnya \"umur 10 bulan\")");
    }
    if weight_kg.is_none() && lenhei.is_none() {
        missing.push("berat (BB, kg) atau panjang/tinggi badan (PB/TB, cm)");
    }
    let (Some(sex), Some(age), []) = (sex, age, missing.as_slice()) else {
        return Err(format!("Belum ada: {}.", missing.join(", ")));
    };
    Ok(Measurement {
        sex,
        age,
        weight_kg,
        lenhei,
    })
}

/// The answer: the measurement as understood, then one line per indicator.
pub fn answer(measurement: &Measurement) -> String {
    let z = zscores(&measurement.child());
    // WHO's tables are of length (lying) under 731 days and of height from then on.
    let (pb_tb, bb_pb_tb) = if measurement.age_days().round() < 731.0 {
        ("PB/U", "BB/PB")
    } else {
        ("TB/U", "BB/TB")
    };
    let mut out = String::from("*Status gizi anak* (standar WHO, kategori Permenkes No. 2/2020)\n");
    out.push_str(&describe(measurement));
    if let (Some((typed, measure)), Some(used)) = (measurement.lenhei, z.clenhei_cm)
        && (typed - used).abs() > 1e-9
    {
        out.push_str(&match measure {
            Measure::Standing => format!(
                "\n(di bawah 24 bulan, TB berdiri dihitung sebagai PB {} cm: aturan WHO +0,7 cm)",
                decimal(used, 1)
            ),
            Measure::Lying => format!(
                "\n(mulai 24 bulan, PB berbaring dihitung sebagai TB {} cm: aturan WHO −0,7 cm)",
                decimal(used, 1)
            ),
        });
    }
    out.push('\n');
    out.push_str(&line("BB/U", z.weight_for_age, |z| {
        BeratBadanMenurutUmur::from_z(z).map(BeratBadanMenurutUmur::label_id)
    }));
    out.push_str(&line(pb_tb, z.length_for_age, |z| {
        TinggiBadanMenurutUmur::from_z(z).map(TinggiBadanMenurutUmur::label_id)
    }));
    out.push_str(&line(bb_pb_tb, z.weight_for_length, |z| {
        StatusGizi::from_z(z).map(StatusGizi::label_id)
    }));
    out.push_str(&line("IMT/U", z.bmi_for_age, |z| {
        StatusGizi::from_z(z).map(StatusGizi::label_id)
    }));
    out.trim_end().to_owned()
}

/// `Laki-laki, umur 10 bulan, BB 8,2 kg, TB 71 cm (berdiri)`.
fn describe(m: &Measurement) -> String {
    let mut parts = vec![
        match m.sex {
            Sex::Male => "Laki-laki".to_owned(),
            Sex::Female => "Perempuan".to_owned(),
        },
        match m.age {
            Age::Months(months) => format!("umur {} bulan", decimal(months, 1)),
            Age::Days(days) => format!(
                "umur {} hari ({} bulan)",
                decimal(days, 0),
                decimal(days / DAYS_PER_MONTH, 1)
            ),
        },
    ];
    if let Some(kg) = m.weight_kg {
        parts.push(format!("BB {} kg", decimal(kg, 2)));
    }
    if let Some((cm, measure)) = m.lenhei {
        parts.push(match measure {
            Measure::Lying => format!("PB {} cm (berbaring)", decimal(cm, 1)),
            Measure::Standing => format!("TB {} cm (berdiri)", decimal(cm, 1)),
        });
    }
    parts.join(", ")
}

/// `BB/U: z = -0,96 → berat badan normal`, or why there is no z-score.
fn line(name: &str, outcome: Outcome, category: impl Fn(f64) -> Option<&'static str>) -> String {
    match outcome {
        Ok(ZScore {
            z_rounded, flagged, ..
        }) => {
            let label = category(z_rounded).unwrap_or("-");
            let flag = if flagged {
                " ⚠ di luar batas wajar WHO, periksa ulang pengukuran"
            } else {
                ""
            };
            format!("{name}: z = {} → {label}{flag}\n", fixed(z_rounded, 2))
        }
        Err(NaReason::MissingMeasurement) => String::new(),
        Err(reason) => format!("{name}: tidak dihitung ({})\n", reason_id(reason)),
    }
}

fn reason_id(reason: NaReason) -> &'static str {
    match reason {
        NaReason::AgeOutOfRange => "umur di luar rentang standar WHO 0–60 bulan",
        NaReason::LengthOutOfRange => "panjang/tinggi di luar tabel WHO",
        NaReason::NonPositiveMeasurement => "ukuran nol atau negatif",
        NaReason::InvalidMeasurement => "ukuran bukan angka positif yang sah",
        NaReason::Oedema => "ada edema",
        _ => "data tidak lengkap",
    }
}

/// A number with `places` decimals and a decimal comma: `-0,90`.
pub fn fixed(value: f64, places: usize) -> String {
    format!("{value:.places$}").replace('.', ",")
}

/// A number with at most `places` decimals, trailing zeros dropped, and a decimal comma.
pub fn decimal(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    text.replace('.', ",")
}

/// Lower-case words, with `BB8.2`, `10bln` and `BB:8,2` split into their parts.
fn words(text: &str) -> Vec<String> {
    let mut spaced = String::with_capacity(text.len() + 8);
    let mut previous: Option<char> = None;
    for c in text.to_lowercase().chars() {
        let c = if matches!(c, ':' | '=' | ';' | '(' | ')') {
            ' '
        } else {
            c
        };
        if let Some(p) = previous
            && ((p.is_alphabetic() && c.is_ascii_digit())
                || (p.is_ascii_digit() && c.is_alphabetic()))
        {
            spaced.push(' ');
        }
        spaced.push(c);
        previous = Some(c);
    }
    spaced
        .split_whitespace()
        .map(|w| w.trim_matches(|c| c == ',' || c == '.'))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A positive number with a decimal point or comma.
fn number(word: &str) -> Option<f64> {
    word.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
}

fn number_after(words: &[String], i: &mut usize, name: &str) -> Result<f64, String> {
    let value = words
        .get(*i + 1)
        .and_then(|w| number(w))
        .ok_or_else(|| format!("Sesudah {name} harus ada angka, misalnya \"{name} 8,2\"."))?;
    *i += 1;
    Ok(value)
}

fn skip_unit(words: &[String], i: &mut usize, unit: &str) {
    if words.get(*i + 1).is_some_and(|w| w == unit) {
        *i += 1;
    }
}

/// `umur 10 bulan`, `umur 2 tahun 3 bulan`, `umur 45 hari`; a number without a unit is
/// months.
fn age_after(words: &[String], i: &mut usize) -> Result<Age, String> {
    let (mut months, mut days, mut any_days, mut parts) = (0.0, 0.0, false, 0);
    while let Some(value) = words.get(*i + 1).and_then(|w| number(w)) {
        *i += 1;
        parts += 1;
        match words.get(*i + 1).map(String::as_str) {
            Some("tahun" | "thn" | "th" | "t") => {
                months += value * 12.0;
                *i += 1;
            }
            Some("hari" | "hr" | "h") => {
                days += value;
                any_days = true;
                *i += 1;
            }
            Some("bulan" | "bln" | "bl" | "b") => {
                months += value;
                *i += 1;
            }
            _ => months += value,
        }
    }
    if parts == 0 {
        return Err("Sesudah \"umur\" harus ada angka, misalnya \"umur 10 bulan\".".into());
    }
    Ok(if any_days {
        Age::Days(months * DAYS_PER_MONTH + days)
    } else {
        Age::Months(months)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_message_in_its_usual_shapes() {
        let expected = Measurement {
            sex: Sex::Male,
            age: Age::Months(10.0),
            weight_kg: Some(8.2),
            lenhei: Some((71.0, Measure::Standing)),
        };
        for text in [
            "BB 8.2 TB 71 umur 10 bulan L",
            "bb 8,2 tb 71 umur 10 bln l",
            "BB:8,2kg, TB=71cm, usia 10bln, laki-laki",
            "L umur 10 BB 8.2 TB 71",
        ] {
            assert_eq!(parse(text), Ok(expected), "{text}");
        }
        let girl = parse("BB 12,5 PB 86 umur 2 tahun 1 bulan P").unwrap();
        assert_eq!(girl.sex, Sex::Female);
        assert_eq!(girl.age, Age::Months(25.0));
        assert_eq!(girl.lenhei, Some((86.0, Measure::Lying)));
        assert_eq!(
            parse("BB 3,4 PB 50 umur 20 hari P").unwrap().age,
            Age::Days(20.0)
        );
    }

    #[test]
    fn says_what_is_missing_or_not_understood() {
        assert_eq!(
            parse("BB 8.2 TB 71 L").unwrap_err(),
            "Belum ada: umur (misalnya \"umur 10 bulan\")."
        );
        assert!(
            parse("BB 8.2 TB 71 umur 10")
                .unwrap_err()
                .contains("jenis kelamin")
        );
        assert!(parse("umur 10 L").unwrap_err().contains("berat (BB, kg)"));
        assert!(
            parse("BB TB 71 umur 10 L")
                .unwrap_err()
                .contains("Sesudah BB")
        );
        assert!(
            parse("BB 8.2 umur 10 L kemarin")
                .unwrap_err()
                .contains("\"kemarin\"")
        );
        assert!(is_measurement("bb8,2 pb 70"));
        assert!(!is_measurement("halo"));
    }

    #[test]
    fn formats_decimals_the_indonesian_way() {
        assert_eq!(decimal(-0.96, 2), "-0,96");
        assert_eq!(decimal(71.0, 1), "71");
        assert_eq!(decimal(8.25, 2), "8,25");
        assert_eq!(fixed(-0.9, 2), "-0,90");
    }
}
