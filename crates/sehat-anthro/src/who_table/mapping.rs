//! Exports in other column names and codes read as WHO's input: a column map, code
//! translations, the Kemenkes preset, and the age from the dates of birth and visit.
//!
//! Rules (the options are named after the flags of `sehat anthro`, which passes them
//! through unchanged):
//!
//! - `map` (`--map TARGET=SOURCE[,…]`) reads WHO's column TARGET from the file's column
//!   SOURCE. Column names match exactly (after trimming spaces). An unknown TARGET is an
//!   error that lists the accepted ones; so is a SOURCE the file lacks, a TARGET mapped
//!   from two columns, or a TARGET the file also has under its own name.
//! - `values` (`--values TARGET:CODE=VALUE[,…]`) translates the codes of a code column
//!   (sex, measure, oedema, and the grouping columns of a prevalence table). Codes match
//!   after trimming spaces and ignoring ASCII case (`l`, ` L ` and `L` are one code); an
//!   empty field or `NA` stays missing; any other code without a value is an error naming
//!   the row, the column and the code. The values must be codes WHO accepts.
//! - `preset` [`Preset::Kemenkes`] (`--preset kemenkes`) maps the names of Kemenkes
//!   registers (`jk` L/P, `bb`, `tb`, `cara_ukur` berdiri/terlentang, `tgl_lahir`,
//!   `tgl_ukur`); entries whose column the file lacks are skipped; `map` and `values`
//!   replace the preset's entry for their target.
//! - `dob` and `visit` (`--dob COLUMN --visit COLUMN`) compute the age in days as the
//!   number of days from birth to the visit (R's `as.numeric(date_visit - date_birth)`,
//!   what WHO's manuals tell users of `anthro` to pass as `age`); for who2007 the age in
//!   months is that number / 30.4375, WHO's days per month. Dates are ISO `YYYY-MM-DD`,
//!   or `DD/MM/YYYY` with [`DateFormat::Dmy`] (never guessed: 01/02/2024 is ambiguous). A
//!   date that does not exist or a visit before the birth is an error naming the row and
//!   column; an empty or `NA` date leaves the age missing.

use std::collections::HashMap;

use time::Date;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

use super::excerpt;
use super::fields::{FieldError, Fields, is_missing};
use crate::{DAYS_PER_MONTH, Measure, Sex, parse_oedema};

/// How a table's columns and codes map onto WHO's: the options of `sehat anthro zscores`
/// and `prevalence`, as text. The default reads WHO's own column names and codes.
///
/// # Examples
///
/// ```
/// use sehat_anthro::who_table::{ColumnMap, MapOptions, Preset, ZSCORES_2006};
///
/// let options = MapOptions {
///     preset: Some(Preset::Kemenkes),
///     map: vec!["lenhei=panjang".into()],
///     ..MapOptions::default()
/// };
/// let header = ["jk", "umur", "bb", "panjang"].map(String::from);
/// let map = ColumnMap::resolve(&options, &header, &ZSCORES_2006)?;
/// assert_eq!(map.find("sex"), Some(0));
/// assert_eq!(map.find("lenhei"), Some(3));
/// assert_eq!(map.values("sex").unwrap().translate(b"p", 0)?, Some("2"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapOptions {
    /// `TARGET=SOURCE[,…]` entries: WHO's column TARGET read from the file's column
    /// SOURCE.
    pub map: Vec<String>,
    /// `TARGET:CODE=VALUE[,…]` entries: the codes of a code column translated to WHO's.
    pub values: Vec<String>,
    /// A built-in map to start from.
    pub preset: Option<Preset>,
    /// The column holding the date of birth (with `visit`).
    pub dob: Option<String>,
    /// The column holding the date of measurement (with `dob`).
    pub visit: Option<String>,
    /// How the dates are written.
    pub date_format: DateFormat,
}

/// Options that do not fit a table's header: what is wrong, naming the option, the
/// target and the column.
///
/// # Examples
///
/// ```
/// use sehat_anthro::who_table::{ColumnMap, MapError, MapOptions, ZSCORES_2006};
///
/// let options = MapOptions { map: vec!["sex=kelamin".into()], ..MapOptions::default() };
/// let header = ["jk".to_owned()];
/// let e = ColumnMap::resolve(&options, &header, &ZSCORES_2006).unwrap_err();
/// assert!(matches!(e, MapError::MissingSource { .. }));
/// assert_eq!(e.to_string(), "--map sex=kelamin: the file has no column `kelamin`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MapError {
    /// An entry without its `=` or one of its sides.
    #[error("`{entry}` is not {expected}")]
    Malformed {
        /// The entry as given.
        entry: String,
        /// What it should look like, and in which option.
        expected: &'static str,
    },
    /// A target the reader does not read.
    #[error("{option}: `{name}` is not a column {reader} reads; they are: {accepted}")]
    UnknownTarget {
        /// `--map` or `--values`.
        option: &'static str,
        /// The name given.
        name: String,
        /// The reader ([`Targets::name`]).
        reader: &'static str,
        /// The columns it reads, joined by `, `.
        accepted: String,
    },
    /// One target mapped from two columns.
    #[error("--map: {target} is mapped from both `{first}` and `{second}`")]
    MappedTwice {
        /// The target.
        target: &'static str,
        /// The first source.
        first: String,
        /// The second source.
        second: String,
    },
    /// A source column the file lacks.
    #[error("--map {target}={column}: the file has no column `{column}`")]
    MissingSource {
        /// The target.
        target: &'static str,
        /// The source column named.
        column: String,
    },
    /// A target read from another column that the file also has under its own name.
    #[error(
        "{} {target} from `{column}`, but the file also has a column `{target}`; \
         rename or drop one of them",
        if *.by_preset { "--preset kemenkes reads" } else { "--map reads" }
    )]
    AlsoPresent {
        /// Whether the preset (rather than `--map`) reads it from `column`.
        by_preset: bool,
        /// The target.
        target: &'static str,
        /// The column it is read from.
        column: String,
    },
    /// Dates given with an age column too.
    #[error(
        "{option} compute the age, but the file also gives `{target}`; drop that column or the dates"
    )]
    AgeAlsoGiven {
        /// `--dob/--visit` or the preset.
        option: &'static str,
        /// The age column.
        target: &'static str,
    },
    /// A date column the file lacks.
    #[error("{option}: the file has no column `{name}`")]
    MissingDateColumn {
        /// `--dob/--visit` or the preset.
        option: &'static str,
        /// The column named.
        name: String,
    },
    /// A `--values` entry without its `:`.
    #[error("--values: `{spec}` is not TARGET:CODE=VALUE,...")]
    ValuesSyntax {
        /// The entry as given.
        spec: String,
    },
    /// A translation for a column that holds no codes.
    #[error("--values: {target} holds no codes; code columns are: {codes}")]
    NotACodeColumn {
        /// The target.
        target: &'static str,
        /// The code columns, joined by `, `.
        codes: String,
    },
    /// A translation for a target no column is read as.
    #[error("--values {target}: no column of the file is read as {target}")]
    UnreadTarget {
        /// The target.
        target: &'static str,
    },
    /// A translation to a value WHO does not accept.
    #[error("--values {target}:{entry}: `{value}` is not a {target} code WHO accepts")]
    InvalidValue {
        /// The target.
        target: &'static str,
        /// The entry (`CODE=VALUE`).
        entry: String,
        /// The value.
        value: String,
    },
    /// A code translated twice.
    #[error("--values {target}: the code `{code}` is given twice")]
    CodeTwice {
        /// The target.
        target: &'static str,
        /// The code (lower case, escaped).
        code: String,
    },
}

/// A built-in column map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Kemenkes registers (e-PPGBM, Posyandu exports): jk L/P, bb, tb, cara_ukur
    /// berdiri/terlentang, tgl_lahir, tgl_ukur.
    Kemenkes,
}

/// How dates are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DateFormat {
    /// `2024-02-29`.
    #[default]
    Iso,
    /// `29/02/2024` (day and month may have one digit).
    Dmy,
}

const ISO: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");
const DMY: &[BorrowedFormatItem<'static>] =
    format_description!("[day padding:none]/[month padding:none]/[year]");

/// The columns a command reads, for one standard.
#[derive(Debug, Clone, Copy)]
pub struct Targets {
    /// What the command is called in messages (`who2006 zscores`).
    pub name: &'static str,
    /// Every column it reads.
    pub columns: &'static [&'static str],
    /// The columns that hold codes (for `--values`).
    pub codes: &'static [&'static str],
    /// The age column the dates replace, and the unit column that goes with it.
    pub age: &'static str,
    /// `is_age_in_month` for who2006.
    pub age_unit: Option<&'static str>,
    /// Whether the age is in months (who2007) rather than days.
    pub age_in_months: bool,
    /// The Kemenkes names: (target, source).
    pub kemenkes: &'static [(&'static str, &'static str)],
}

/// The Kemenkes codes: (target, [(code, value)]).
const KEMENKES_VALUES: [(&str, &[(&str, &str)]); 2] = [
    ("sex", &[("L", "1"), ("P", "2")]),
    ("measure", &[("berdiri", "h"), ("terlentang", "l")]),
];
const KEMENKES_DOB: &str = "tgl_lahir";
const KEMENKES_VISIT: &str = "tgl_ukur";

/// A translation of codes: trimmed, ASCII-lower-case code → value.
#[derive(Debug, Clone)]
pub struct ValueMap {
    target: &'static str,
    entries: Vec<(Vec<u8>, String)>,
}

impl ValueMap {
    /// The value of the code in `text`: `None` when missing (empty or `NA`).
    ///
    /// # Errors
    ///
    /// A code the map has no value for, quoted in the message with the known codes.
    pub fn translate(&self, text: &[u8], column: usize) -> Result<Option<&str>, FieldError> {
        let code = text.trim_ascii();
        if is_missing(code) {
            return Ok(None);
        }
        self.entries
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
            .map(|(_, v)| Some(v.as_str()))
            .ok_or_else(|| FieldError {
                column,
                message: format!(
                    "the code `{}` has no value for {} (known codes: {})",
                    excerpt(code),
                    self.target,
                    self.entries
                        .iter()
                        .map(|(c, _)| String::from_utf8_lossy(c).into_owned())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
    }
}

/// The dates the age is computed from.
#[derive(Debug, Clone, Copy)]
pub struct Dates {
    dob: usize,
    visit: usize,
    format: DateFormat,
    in_months: bool,
}

impl Dates {
    fn date(&self, text: &[u8], column: usize) -> Result<Option<Date>, FieldError> {
        let text = text.trim_ascii();
        if is_missing(text) {
            return Ok(None);
        }
        let (format, shape) = match self.format {
            DateFormat::Iso => (ISO, "YYYY-MM-DD"),
            DateFormat::Dmy => (DMY, "DD/MM/YYYY"),
        };
        std::str::from_utf8(text)
            .ok()
            .and_then(|t| Date::parse(t, format).ok())
            .map(Some)
            .ok_or_else(|| FieldError {
                column,
                message: format!("`{}` is not a date {shape}", excerpt(text)),
            })
    }

    /// The age of one row: days from birth to the visit (in months, days / 30.4375, for
    /// who2007); `None` when a date is missing.
    ///
    /// # Errors
    ///
    /// A date that cannot be read or does not exist, or a visit before the birth.
    pub fn age(&self, line: &[u8], fields: &Fields) -> Result<Option<f64>, FieldError> {
        let dob = self.date(fields.get(line, self.dob), self.dob)?;
        let visit = self.date(fields.get(line, self.visit), self.visit)?;
        let (Some(dob), Some(visit)) = (dob, visit) else {
            return Ok(None);
        };
        let days = visit.to_julian_day() - dob.to_julian_day();
        if days < 0 {
            return Err(FieldError {
                column: self.visit,
                message: format!("the visit {visit} is before the date of birth {dob}"),
            });
        }
        let days = f64::from(days);
        Ok(Some(if self.in_months {
            days / DAYS_PER_MONTH
        } else {
            days
        }))
    }
}

/// Where each column of a standard is read from, and how.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    index: HashMap<&'static str, usize>,
    values: HashMap<&'static str, ValueMap>,
    dates: Option<Dates>,
}

/// Checks that `value` is a code WHO accepts for `target`.
fn accepts(target: &str, value: &str) -> bool {
    match target {
        "sex" => Sex::from_code(value).is_ok(),
        "measure" => Measure::from_code(value).is_ok(),
        "oedema" => parse_oedema(value).is_ok(),
        _ => !value.is_empty(),
    }
}

fn split_pair<'a>(entry: &'a str, expected: &'static str) -> Result<(&'a str, &'a str), MapError> {
    entry
        .split_once('=')
        .map(|(a, b)| (a.trim(), b.trim()))
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .ok_or_else(|| MapError::Malformed {
            entry: entry.to_owned(),
            expected,
        })
}

impl ColumnMap {
    /// The column of `target`, if the file has one (under its name or mapped).
    pub fn find(&self, target: &str) -> Option<usize> {
        self.index.get(target).copied()
    }

    /// The code translation of `target`, if any.
    pub fn values(&self, target: &str) -> Option<&ValueMap> {
        self.values.get(target)
    }

    /// The dates the age is computed from, if any.
    pub fn dates(&self) -> Option<Dates> {
        self.dates
    }

    /// Resolves the options against the file's header.
    ///
    /// # Errors
    ///
    /// An option that names an unknown target, a column the file lacks, a target read
    /// from two columns, a code translation that is malformed or gives a value WHO
    /// refuses, or dates together with an age column.
    pub fn resolve(
        args: &MapOptions,
        header: &[String],
        targets: &Targets,
    ) -> Result<Self, MapError> {
        let position = |name: &str| header.iter().position(|h| h.trim() == name);
        let target_of = |name: &str, option: &'static str| -> Result<&'static str, MapError> {
            targets
                .columns
                .iter()
                .copied()
                .find(|t| *t == name)
                .ok_or_else(|| MapError::UnknownTarget {
                    option,
                    name: name.to_owned(),
                    reader: targets.name,
                    accepted: targets.columns.join(", "),
                })
        };
        // target → (source name, from the preset)
        let mut sources: HashMap<&'static str, (String, bool)> = HashMap::new();
        let kemenkes = args.preset == Some(Preset::Kemenkes);
        if kemenkes {
            for &(target, source) in targets.kemenkes {
                if position(source).is_some() {
                    sources.insert(target, (source.to_owned(), true));
                }
            }
        }
        let mut explicit: HashMap<&'static str, String> = HashMap::new();
        for entry in args.map.iter().flat_map(|m| m.split(',')) {
            let (target, source) = split_pair(entry, "TARGET=SOURCE (in --map)")?;
            let target = target_of(target, "--map")?;
            if let Some(first) = explicit.get(target)
                && first != source
            {
                return Err(MapError::MappedTwice {
                    target,
                    first: first.clone(),
                    second: source.to_owned(),
                });
            }
            if position(source).is_none() {
                return Err(MapError::MissingSource {
                    target,
                    column: source.to_owned(),
                });
            }
            explicit.insert(target, source.to_owned());
            sources.insert(target, (source.to_owned(), false));
        }
        let mut index = HashMap::new();
        for &target in targets.columns {
            if let Some(i) = position(target) {
                index.insert(target, i);
            }
        }
        for (&target, (source, preset)) in &sources {
            if source != target && position(target).is_some() {
                return Err(MapError::AlsoPresent {
                    by_preset: *preset,
                    target,
                    column: source.clone(),
                });
            }
            if let Some(i) = position(source) {
                index.insert(target, i);
            }
        }
        // Two targets read from one column is allowed; one target from two is not
        // (checked above). The dates.
        let date_columns = match (&args.dob, &args.visit) {
            (Some(dob), Some(visit)) => Some((dob.clone(), visit.clone(), "--dob/--visit")),
            _ if kemenkes
                && position(KEMENKES_DOB).is_some()
                && position(KEMENKES_VISIT).is_some() =>
            {
                Some((
                    KEMENKES_DOB.to_owned(),
                    KEMENKES_VISIT.to_owned(),
                    "--preset kemenkes (tgl_lahir, tgl_ukur)",
                ))
            }
            _ => None,
        };
        let dates = match date_columns {
            Some((dob, visit, option)) => {
                for target in std::iter::once(targets.age).chain(targets.age_unit) {
                    if index.contains_key(target) {
                        return Err(MapError::AgeAlsoGiven { option, target });
                    }
                }
                let find = |name: &str| {
                    position(name).ok_or_else(|| MapError::MissingDateColumn {
                        option,
                        name: name.to_owned(),
                    })
                };
                Some(Dates {
                    dob: find(&dob)?,
                    visit: find(&visit)?,
                    format: args.date_format,
                    in_months: targets.age_in_months,
                })
            }
            None => None,
        };
        // Code translations: the preset's, then the explicit ones replacing them.
        let mut values: HashMap<&'static str, ValueMap> = HashMap::new();
        if kemenkes {
            for (target, codes) in KEMENKES_VALUES {
                if let Some(&target) = targets.codes.iter().find(|t| **t == target)
                    && sources.get(target).is_some_and(|(_, preset)| *preset)
                {
                    values.insert(
                        target,
                        ValueMap {
                            target,
                            entries: codes
                                .iter()
                                .map(|(c, v)| {
                                    (c.to_ascii_lowercase().into_bytes(), (*v).to_owned())
                                })
                                .collect(),
                        },
                    );
                }
            }
        }
        for spec in &args.values {
            let (target, codes) = spec
                .split_once(':')
                .ok_or_else(|| MapError::ValuesSyntax { spec: spec.clone() })?;
            let target = target_of(target.trim(), "--values")?;
            if !targets.codes.contains(&target) {
                return Err(MapError::NotACodeColumn {
                    target,
                    codes: targets.codes.join(", "),
                });
            }
            if !index.contains_key(target) {
                return Err(MapError::UnreadTarget { target });
            }
            let mut entries: Vec<(Vec<u8>, String)> = Vec::new();
            for entry in codes.split(',') {
                let (code, value) = split_pair(entry, "CODE=VALUE (in --values)")?;
                if !accepts(target, value) {
                    return Err(MapError::InvalidValue {
                        target,
                        entry: entry.to_owned(),
                        value: value.to_owned(),
                    });
                }
                let code = code.to_ascii_lowercase().into_bytes();
                if entries.iter().any(|(c, _)| *c == code) {
                    return Err(MapError::CodeTwice {
                        target,
                        code: code.escape_ascii().to_string(),
                    });
                }
                entries.push((code, value.to_owned()));
            }
            values.insert(target, ValueMap { target, entries });
        }
        Ok(Self {
            index,
            values,
            dates,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGETS: Targets = Targets {
        name: "test",
        columns: &["sex", "age", "is_age_in_month", "weight", "measure"],
        codes: &["sex", "measure"],
        age: "age",
        age_unit: Some("is_age_in_month"),
        age_in_months: false,
        kemenkes: &[("sex", "jk"), ("weight", "bb"), ("measure", "cara_ukur")],
    };

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    fn args(map: &[&str], values: &[&str]) -> MapOptions {
        MapOptions {
            map: map.iter().map(|m| (*m).to_owned()).collect(),
            values: values.iter().map(|m| (*m).to_owned()).collect(),
            ..MapOptions::default()
        }
    }

    fn error(args: &MapOptions, names: &[&str]) -> String {
        ColumnMap::resolve(args, &header(names), &TARGETS)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn maps_columns_and_translates_codes_ignoring_case_and_spaces() {
        let map = ColumnMap::resolve(
            &args(&["sex=jk,weight=bb"], &["sex:L=1,P=2"]),
            &header(&["id", "jk", "bb"]),
            &TARGETS,
        )
        .unwrap();
        assert_eq!(map.find("sex"), Some(1));
        assert_eq!(map.find("weight"), Some(2));
        assert_eq!(map.find("age"), None);
        let values = map.values("sex").unwrap();
        assert_eq!(values.translate(b" l ", 1).unwrap(), Some("1"));
        assert_eq!(values.translate(b"P", 1).unwrap(), Some("2"));
        assert_eq!(values.translate(b"NA", 1).unwrap(), None);
        assert_eq!(values.translate(b"  ", 1).unwrap(), None);
        let e = values.translate(b"X", 1).unwrap_err();
        assert_eq!(e.column, 1);
        assert!(e.message.contains("`X`"), "{}", e.message);
    }

    #[test]
    fn refuses_what_would_be_a_guess() {
        let e = error(&args(&["gender=jk"], &[]), &["jk"]);
        assert!(
            e.contains("`gender` is not a column") && e.contains("sex, age"),
            "{e}"
        );
        let e = error(&args(&["sex=jk", "sex=kelamin"], &[]), &["jk", "kelamin"]);
        assert!(e.contains("both `jk` and `kelamin`"), "{e}");
        let e = error(&args(&["sex=jk"], &[]), &["jk", "sex"]);
        assert!(e.contains("also has a column `sex`"), "{e}");
        let e = error(&args(&["sex=jenis"], &[]), &["jk"]);
        assert!(e.contains("no column `jenis`"), "{e}");
        let e = error(&args(&["sexjk"], &[]), &["jk"]);
        assert!(e.contains("not TARGET=SOURCE"), "{e}");
        let e = error(&args(&[], &["weight:a=1"]), &["weight"]);
        assert!(e.contains("holds no codes"), "{e}");
        let e = error(&args(&[], &["sex:L=3"]), &["sex"]);
        assert!(e.contains("`3` is not a sex code"), "{e}");
        let e = error(&args(&[], &["sex:L=1,l=2"]), &["sex"]);
        assert!(e.contains("given twice"), "{e}");
        let e = error(&args(&[], &["measure:berdiri=h"]), &["sex"]);
        assert!(
            e.contains("no column of the file is read as measure"),
            "{e}"
        );
        let mut dated = args(&[], &[]);
        dated.dob = Some("lahir".into());
        dated.visit = Some("ukur".into());
        let e = error(&dated, &["lahir", "ukur", "age"]);
        assert!(e.contains("also gives `age`"), "{e}");
        let e = error(&dated, &["lahir"]);
        assert!(e.contains("no column `ukur`"), "{e}");
    }

    #[test]
    fn the_kemenkes_preset_skips_absent_columns_and_yields_to_explicit_options() {
        let mut preset = args(&[], &[]);
        preset.preset = Some(Preset::Kemenkes);
        let map = ColumnMap::resolve(
            &preset,
            &header(&["jk", "bb", "tgl_lahir", "tgl_ukur"]),
            &TARGETS,
        )
        .unwrap();
        assert_eq!(map.find("sex"), Some(0));
        assert_eq!(map.find("measure"), None);
        assert!(map.values("measure").is_none());
        assert!(map.dates().is_some());
        preset.map = vec!["sex=kelamin".into()];
        preset.values = vec!["sex:laki-laki=1,perempuan=2".into()];
        let map = ColumnMap::resolve(&preset, &header(&["jk", "kelamin"]), &TARGETS).unwrap();
        assert_eq!(map.find("sex"), Some(1));
        assert_eq!(
            map.values("sex")
                .unwrap()
                .translate(b"Perempuan", 1)
                .unwrap(),
            Some("2")
        );
        assert!(map.values("sex").unwrap().translate(b"L", 1).is_err());
        assert!(map.dates().is_none());
    }

    #[test]
    fn ages_are_whole_days_from_birth_to_visit() {
        let dates = Dates {
            dob: 0,
            visit: 1,
            format: DateFormat::Iso,
            in_months: false,
        };
        let age = |text: &str| {
            let mut fields = Fields::default();
            fields.split(text.as_bytes()).unwrap();
            dates.age(text.as_bytes(), &fields)
        };
        assert_eq!(age("2020-02-29,2021-02-28").unwrap(), Some(365.0));
        assert_eq!(age("2020-02-29,2021-03-01").unwrap(), Some(366.0));
        assert_eq!(age("2023-12-31,2024-12-31").unwrap(), Some(366.0));
        assert_eq!(age("2024-01-01,2024-01-01").unwrap(), Some(0.0));
        assert_eq!(age(",2024-01-01").unwrap(), None);
        assert_eq!(age("NA,2024-01-01").unwrap(), None);
        let e = age("2023-02-29,2024-01-01").unwrap_err();
        assert_eq!(e.column, 0);
        assert!(
            e.message.contains("`2023-02-29` is not a date"),
            "{}",
            e.message
        );
        let e = age("2024-02-01,2024-01-31").unwrap_err();
        assert_eq!(e.column, 1);
        assert!(
            e.message.contains("before the date of birth"),
            "{}",
            e.message
        );
        assert!(age("01/02/2024,2024-03-01").is_err());
        let dmy = Dates {
            format: DateFormat::Dmy,
            in_months: true,
            ..dates
        };
        let mut fields = Fields::default();
        let line = b"29/02/2020,1/3/2021";
        fields.split(line).unwrap();
        assert_eq!(dmy.age(line, &fields).unwrap(), Some(366.0 / 30.4375));
    }
}
