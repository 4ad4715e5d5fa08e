//! The columns of the two standards: which input columns are read, and what is appended
//! to each row.

use super::excerpt;
use super::fields::{FieldError, Fields, code, number_field, write_f64, write_rounded};
use super::mapping::{ColumnMap, Dates, Targets, ValueMap};
use crate::{
    Age, Child, Measure, Outcome, SchoolAgeChild, Sex, parse_oedema, school_age_zscores, zscores,
};

/// The Kemenkes names of the who2006 columns.
pub const KEMENKES_2006: &[(&str, &str)] = &[
    ("sex", "jk"),
    ("weight", "bb"),
    ("lenhei", "tb"),
    ("measure", "cara_ukur"),
];
/// The Kemenkes names of the who2007 columns.
pub const KEMENKES_2007: &[(&str, &str)] = &[
    ("sex", "jk"),
    ("weight_in_kg", "bb"),
    ("height_in_cm", "tb"),
];

/// The columns WHO's `anthro_zscores` reads (`sehat anthro zscores --standard who2006`).
pub const ZSCORES_2006: Targets = Targets {
    name: "zscores --standard who2006",
    columns: &[
        "sex",
        "age",
        "is_age_in_month",
        "weight",
        "lenhei",
        "measure",
        "headc",
        "armc",
        "triskin",
        "subskin",
        "oedema",
    ],
    codes: &["sex", "measure", "oedema"],
    age: "age",
    age_unit: Some("is_age_in_month"),
    age_in_months: false,
    kemenkes: KEMENKES_2006,
};

/// The columns WHO's `anthroplus_zscores` reads (`sehat anthro zscores --standard
/// who2007`).
pub const ZSCORES_2007: Targets = Targets {
    name: "zscores --standard who2007",
    columns: &[
        "sex",
        "age_in_months",
        "oedema",
        "height_in_cm",
        "weight_in_kg",
    ],
    codes: &["sex", "oedema"],
    age: "age_in_months",
    age_unit: None,
    age_in_months: true,
    kemenkes: KEMENKES_2007,
};

/// What a standard needs to turn one input line into its output columns: [`Who2006`]
/// and [`Who2007`].
pub trait Standard: Sync {
    /// The columns appended after the input columns.
    const OUTPUT_HEADER: &'static str;

    /// Appends `,` and the output columns of one row to `out`, and the indices of the
    /// columns holding a measurement that is not a finite positive number to `invalid`
    /// (its indicators are NA).
    ///
    /// # Errors
    ///
    /// A field that cannot be read, or an input WHO's package refuses.
    fn append(
        &self,
        line: &[u8],
        fields: &Fields,
        out: &mut Vec<u8>,
        invalid: &mut Vec<usize>,
    ) -> Result<(), FieldError>;
}

/// Notes the column of a measurement that is given and not a finite positive number.
fn note_invalid(value: Option<f64>, index: Option<usize>, invalid: &mut Vec<usize>) {
    if let (Some(v), Some(i)) = (value, index)
        && !(v.is_finite() && v > 0.0)
    {
        invalid.push(i);
    }
}

/// Refuses an age that is negative or not a finite number, as WHO's packages refuse a
/// negative one.
fn check_age(age: Option<f64>, index: Option<usize>) -> Result<(), FieldError> {
    match age {
        Some(a) if !a.is_finite() || a < 0.0 => Err(FieldError {
            column: index.unwrap_or(0),
            message: if a.is_finite() {
                format!("negative age {a}")
            } else {
                format!("age {a} is not a finite number")
            },
        }),
        _ => Ok(()),
    }
}

fn field<'a>(line: &'a [u8], fields: &Fields, index: Option<usize>) -> &'a [u8] {
    index.map_or(&b""[..], |i| fields.get(line, i))
}

/// A column holding codes: where it is, and the translation of its codes if any.
#[derive(Debug, Clone)]
pub struct CodeColumn {
    /// The column's position.
    pub index: Option<usize>,
    values: Option<ValueMap>,
}

impl CodeColumn {
    /// The column read as `target`.
    pub fn new(map: &ColumnMap, target: &str) -> Self {
        Self {
            index: map.find(target),
            values: map.values(target).cloned(),
        }
    }

    /// The code of one row, translated (empty when missing).
    ///
    /// # Errors
    ///
    /// A code the translation has no value for.
    pub fn text<'a>(&'a self, line: &'a [u8], fields: &Fields) -> Result<&'a [u8], FieldError> {
        let text = field(line, fields, self.index);
        match &self.values {
            None => Ok(text),
            Some(values) => Ok(values
                .translate(text, self.index.unwrap_or(0))?
                .map_or(&b""[..], str::as_bytes)),
        }
    }

    fn column(&self) -> usize {
        self.index.unwrap_or(0)
    }
}

// The codes nearly every row uses are read straight from the bytes; every other text
// goes through the library's parser, which is the reference (a test checks the two agree).

/// The sex code of one row.
///
/// # Errors
///
/// A code WHO does not accept.
pub fn sex(line: &[u8], fields: &Fields, column: &CodeColumn) -> Result<Option<Sex>, FieldError> {
    match column.text(line, fields)? {
        b"1" => Ok(Some(Sex::Male)),
        b"2" => Ok(Some(Sex::Female)),
        text => code(text, column.column(), Sex::from_code),
    }
}

/// The measuring position of one row.
///
/// # Errors
///
/// A code WHO does not accept.
pub fn measure(
    line: &[u8],
    fields: &Fields,
    column: &CodeColumn,
) -> Result<Option<Measure>, FieldError> {
    match column.text(line, fields)? {
        b"l" => Ok(Some(Measure::Lying)),
        b"h" => Ok(Some(Measure::Standing)),
        text => code(text, column.column(), Measure::from_code),
    }
}

/// Whether one row has oedema (missing: no).
///
/// # Errors
///
/// A code WHO does not accept.
pub fn oedema(line: &[u8], fields: &Fields, column: &CodeColumn) -> Result<bool, FieldError> {
    match column.text(line, fields)? {
        b"n" => Ok(false),
        b"y" => Ok(true),
        text => Ok(code(text, column.column(), parse_oedema)?.unwrap_or(false)),
    }
}

fn num(line: &[u8], fields: &Fields, index: Option<usize>) -> Result<Option<f64>, FieldError> {
    index.map_or(Ok(None), |i| number_field(line, fields, i))
}

/// Writes `,z,flag` for a z-score: [`write_z`] then [`write_flag`], in one match. Calling
/// the two in turn costs about 7 % of `anthro zscores` on 1M rows (interleaved runs), so
/// the who2006 columns, where each flag follows its z, use this.
fn write_z_and_flag(out: &mut Vec<u8>, outcome: &Outcome, round: bool) {
    match outcome {
        Ok(z) => {
            out.push(b',');
            if round {
                write_rounded(out, z.z_rounded);
            } else {
                write_f64(out, z.z);
            }
            out.extend_from_slice(if z.flagged { b",1" } else { b",0" });
        }
        Err(reason) if reason.is_nan() => out.extend_from_slice(b",NaN,"),
        Err(_) => out.extend_from_slice(b",,"),
    }
}

/// Writes `,z` (rounded unless `unrounded`) for a z-score; `NaN` or empty when WHO
/// gives NaN or NA.
fn write_z(out: &mut Vec<u8>, outcome: &Outcome, round: bool) {
    out.push(b',');
    match outcome {
        Ok(z) if round => write_rounded(out, z.z_rounded),
        Ok(z) => write_f64(out, z.z),
        Err(reason) if reason.is_nan() => out.extend_from_slice(b"NaN"),
        Err(_) => {}
    }
}

fn write_flag(out: &mut Vec<u8>, outcome: &Outcome) {
    out.push(b',');
    if let Ok(z) = outcome {
        out.push(if z.flagged { b'1' } else { b'0' });
    }
}

fn write_opt(out: &mut Vec<u8>, value: Option<f64>) {
    out.push(b',');
    if let Some(v) = value {
        write_f64(out, v);
    }
}

fn write_sex(out: &mut Vec<u8>, sex: Option<Sex>) {
    out.push(b',');
    if let Some(s) = sex {
        out.push(b'0' + s.code());
    }
}

/// WHO Child Growth Standards, 0–5 years (`anthro_zscores`).
#[derive(Debug)]
pub struct Who2006 {
    sex: CodeColumn,
    age: Option<usize>,
    is_age_in_month: Option<usize>,
    weight: Option<usize>,
    lenhei: Option<usize>,
    measure: CodeColumn,
    headc: Option<usize>,
    armc: Option<usize>,
    triskin: Option<usize>,
    subskin: Option<usize>,
    oedema: CodeColumn,
    dates: Option<Dates>,
    round: bool,
}

impl Who2006 {
    /// The columns as `map` finds them.
    pub fn new(map: &ColumnMap, round: bool) -> Self {
        Self {
            sex: CodeColumn::new(map, "sex"),
            age: map.find("age"),
            is_age_in_month: map.find("is_age_in_month"),
            weight: map.find("weight"),
            lenhei: map.find("lenhei"),
            measure: CodeColumn::new(map, "measure"),
            headc: map.find("headc"),
            armc: map.find("armc"),
            triskin: map.find("triskin"),
            subskin: map.find("subskin"),
            oedema: CodeColumn::new(map, "oedema"),
            dates: map.dates(),
            round,
        }
    }

    /// The child of one row (split into `fields`), as WHO's `anthro_zscores` reads it:
    /// `is_age_in_month` `TRUE`/`true`/`True`/`T` or `FALSE`/`false`/`False`/`F` (empty
    /// or `NA` only when there is no age), a negative age refused, codes translated.
    ///
    /// # Errors
    ///
    /// A field that cannot be read, naming its column.
    pub fn child(&self, line: &[u8], fields: &Fields) -> Result<Child, FieldError> {
        if let Some(dates) = &self.dates {
            let age = dates.age(line, fields)?;
            return self.child_aged(line, fields, age.map(Age::Days));
        }
        let age = num(line, fields, self.age)?;
        check_age(age, self.age)?;
        let in_months = match field(line, fields, self.is_age_in_month) {
            b"TRUE" | b"true" | b"True" | b"T" => true,
            b"FALSE" | b"false" | b"False" | b"F" => false,
            b"" | b"NA" if age.is_none() || self.is_age_in_month.is_none() => false,
            other => {
                return Err(FieldError {
                    column: self.is_age_in_month.unwrap_or(0),
                    message: format!("is_age_in_month `{}` is not TRUE or FALSE", excerpt(other)),
                });
            }
        };
        let age = age.map(|a| {
            if in_months {
                Age::Months(a)
            } else {
                Age::Days(a)
            }
        });
        self.child_aged(line, fields, age)
    }

    fn child_aged(
        &self,
        line: &[u8],
        fields: &Fields,
        age: Option<Age>,
    ) -> Result<Child, FieldError> {
        Ok(Child {
            sex: sex(line, fields, &self.sex)?,
            age,
            weight_kg: num(line, fields, self.weight)?,
            lenhei_cm: num(line, fields, self.lenhei)?,
            measure: measure(line, fields, &self.measure)?,
            head_circumference_cm: num(line, fields, self.headc)?,
            arm_circumference_cm: num(line, fields, self.armc)?,
            triceps_skinfold_mm: num(line, fields, self.triskin)?,
            subscapular_skinfold_mm: num(line, fields, self.subskin)?,
            oedema: oedema(line, fields, &self.oedema)?,
        })
    }
}

impl Standard for Who2006 {
    const OUTPUT_HEADER: &'static str = "clenhei,cmeasure,c9mo_flag,cbmi,csex,zlen,flen,zwei,\
        fwei,zwfl,fwfl,zbmi,fbmi,zhc,fhc,zac,fac,zts,fts,zss,fss";

    fn append(
        &self,
        line: &[u8],
        fields: &Fields,
        out: &mut Vec<u8>,
        invalid: &mut Vec<usize>,
    ) -> Result<(), FieldError> {
        let child = self.child(line, fields)?;
        for (value, index) in [
            (child.weight_kg, self.weight),
            (child.lenhei_cm, self.lenhei),
            (child.head_circumference_cm, self.headc),
            (child.arm_circumference_cm, self.armc),
            (child.triceps_skinfold_mm, self.triskin),
            (child.subscapular_skinfold_mm, self.subskin),
        ] {
            note_invalid(value, index, invalid);
        }
        let z = zscores(&child);
        // clenhei: the input text itself when unchanged (it reads back to the same double).
        out.push(b',');
        match (z.clenhei_cm, child.lenhei_cm, self.lenhei) {
            (Some(c), Some(l), Some(i)) if c.to_bits() == l.to_bits() && !fields.is_escaped(i) => {
                out.extend_from_slice(fields.get(line, i).trim_ascii());
            }
            (Some(c), _, _) => write_f64(out, c),
            (None, _, _) => {}
        }
        out.push(b',');
        if let Some(m) = z.cmeasure {
            out.push(if m == Measure::Lying { b'l' } else { b'h' });
        }
        out.extend_from_slice(if z.standing_under_9_months {
            b",1"
        } else {
            b",0"
        });
        write_opt(out, z.bmi);
        write_sex(out, z.sex);
        for outcome in &z.indicators() {
            write_z_and_flag(out, outcome, self.round);
        }
        Ok(())
    }
}

/// WHO Growth Reference 2007, 5–19 years (`anthroplus_zscores`).
#[derive(Debug)]
pub struct Who2007 {
    sex: CodeColumn,
    age_in_months: Option<usize>,
    oedema: CodeColumn,
    height: Option<usize>,
    weight: Option<usize>,
    dates: Option<Dates>,
    round: bool,
}

impl Who2007 {
    /// The columns as `map` finds them.
    pub fn new(map: &ColumnMap, round: bool) -> Self {
        Self {
            sex: CodeColumn::new(map, "sex"),
            age_in_months: map.find("age_in_months"),
            oedema: CodeColumn::new(map, "oedema"),
            height: map.find("height_in_cm"),
            weight: map.find("weight_in_kg"),
            dates: map.dates(),
            round,
        }
    }
}

impl Who2007 {
    /// The child of one row (split into `fields`), as WHO's `anthroplus_zscores` reads
    /// it: a negative age refused, codes translated.
    ///
    /// # Errors
    ///
    /// A field that cannot be read, naming its column.
    pub fn child(&self, line: &[u8], fields: &Fields) -> Result<SchoolAgeChild, FieldError> {
        let age_months = match &self.dates {
            Some(dates) => dates.age(line, fields)?,
            None => {
                let age = num(line, fields, self.age_in_months)?;
                check_age(age, self.age_in_months)?;
                age
            }
        };
        Ok(SchoolAgeChild {
            sex: sex(line, fields, &self.sex)?,
            age_months,
            height_cm: num(line, fields, self.height)?,
            weight_kg: num(line, fields, self.weight)?,
            oedema: oedema(line, fields, &self.oedema)?,
        })
    }
}

impl Standard for Who2007 {
    const OUTPUT_HEADER: &'static str = "csex,coedema,cbmi,zhfa,zwfa,zbfa,fhfa,fwfa,fbfa";

    fn append(
        &self,
        line: &[u8],
        fields: &Fields,
        out: &mut Vec<u8>,
        invalid: &mut Vec<usize>,
    ) -> Result<(), FieldError> {
        let child = self.child(line, fields)?;
        note_invalid(child.height_cm, self.height, invalid);
        note_invalid(child.weight_kg, self.weight, invalid);
        let z = school_age_zscores(&child);
        write_sex(out, z.sex);
        out.extend_from_slice(if z.oedema { b",y" } else { b",n" });
        write_opt(out, z.bmi);
        let indicators = [z.height_for_age, z.weight_for_age, z.bmi_for_age];
        for outcome in &indicators {
            write_z(out, outcome, self.round);
        }
        for outcome in &indicators {
            write_flag(out, outcome);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_shortcuts_agree_with_the_library() {
        let mut fields = Fields::default();
        let column = CodeColumn {
            index: Some(0),
            values: None,
        };
        for text in ["1", "2", "l", "h", "n", "y"] {
            let line = text.as_bytes();
            fields.split(line).unwrap();
            if let Ok(expected) = Sex::from_code(text) {
                assert_eq!(sex(line, &fields, &column).unwrap(), Some(expected));
            }
            if let Ok(expected) = Measure::from_code(text) {
                assert_eq!(measure(line, &fields, &column).unwrap(), Some(expected));
            }
            if let Ok(expected) = parse_oedema(text) {
                assert_eq!(oedema(line, &fields, &column).unwrap(), expected);
            }
        }
        let line = b"x";
        fields.split(line).unwrap();
        assert!(sex(line, &fields, &column).is_err());
        assert!(measure(line, &fields, &column).is_err());
        assert!(oedema(line, &fields, &column).is_err());
    }
}
