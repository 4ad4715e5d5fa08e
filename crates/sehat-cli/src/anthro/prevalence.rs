//! `sehat anthro prevalence`: WHO's survey prevalence table of a CSV file, with the
//! columns, rows and number format of R's `write.csv` of `anthro_prevalence` /
//! `anthroplus_prevalence`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args as ClapArgs;
use sehat_anthro::{
    Age, Cell, Child, Groupings, Measure, PrevalenceTable, SchoolAgeChild, Sex, SurveyDesign,
    parse_oedema, school_age_survey_prevalence, survey_prevalence,
};

use super::zscores::StandardName;
use crate::csv_input::{check_header, check_lines, excerpt};
use crate::error::{CliError, Result};
use crate::io::{Output, read_input};

/// Arguments of `sehat anthro prevalence`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The standard: who2006 (0-5 y, like `anthro_prevalence`) or who2007 (5-19 y, like
    /// `anthroplus_prevalence`).
    #[arg(long, value_enum, default_value_t = StandardName::Who2006)]
    pub(super) standard: StandardName,
    /// Write to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub(super) output: Option<PathBuf>,
    /// The input CSV file (comma separated, header line).
    pub(super) input: PathBuf,
}

/// A survey as read from its file, ready for the estimator (shared with `anthro report`,
/// so that a file `prevalence` reads is read the same way there).
pub(crate) enum Survey {
    /// 0–5 years.
    Who2006(Vec<Child>, SurveyDesign, Groupings),
    /// 5–19 years.
    Who2007(Vec<SchoolAgeChild>, SurveyDesign),
}

impl Survey {
    /// Reads the input file of `args` for its standard.
    pub(super) fn read(args: &Args) -> Result<Self> {
        let name = args.input.display().to_string();
        let data = read_input(&args.input)?;
        Self::of(&Input::read(&data, &name)?, args.standard)
    }

    /// The survey in `input`, read for `standard`.
    pub(crate) fn of(input: &Input, standard: StandardName) -> Result<Self> {
        Ok(match standard {
            StandardName::Who2006 => {
                let (children, design, groupings) = input.who2006()?;
                Self::Who2006(children, design, groupings)
            }
            StandardName::Who2007 => {
                let (children, design) = input.who2007()?;
                Self::Who2007(children, design)
            }
        })
    }

    /// WHO's prevalence table of the survey.
    pub(crate) fn table(&self) -> Result<PrevalenceTable> {
        Ok(match self {
            Self::Who2006(children, design, groupings) => {
                survey_prevalence(children, design, groupings)?
            }
            Self::Who2007(children, design) => school_age_survey_prevalence(children, design)?,
        })
    }
}

/// Runs `sehat anthro prevalence`.
pub fn run(args: &Args) -> Result {
    let table = Survey::read(args)?.table()?;
    let mut out = Output::create(args.output.as_deref(), &[&args.input])?;
    write_table(&mut out, &table)
        .map_err(|e| CliError::msg(format!("cannot write the table: {e}")))?;
    out.commit()
}

/// The input file: header and records, all as text.
pub(crate) struct Input {
    name: String,
    header: Vec<String>,
    records: Vec<csv::StringRecord>,
}

/// A cell's text, `None` when empty or `NA` (R's `read.csv` reads both as missing).
fn present(text: &str) -> Option<&str> {
    (!text.is_empty() && text != "NA").then_some(text)
}

impl Input {
    /// Reads the file `name` whose contents (without a byte-order mark) are `data`.
    pub(crate) fn read(data: &[u8], name: &str) -> Result<Self> {
        check_lines(data, name)?;
        let mut reader = csv::ReaderBuilder::new().from_reader(data);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| CliError::msg(format!("{name}: cannot read the header: {e}")))?
            .iter()
            .map(str::to_owned)
            .collect();
        check_header(&header, name)?;
        let records = reader
            .records()
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| CliError::msg(format!("{name}: {e}")))?;
        Ok(Self {
            name: name.to_owned(),
            header,
            records,
        })
    }

    /// The number of rows after the header.
    pub(crate) fn rows(&self) -> usize {
        self.records.len()
    }

    /// The prevalence table of the rows by `standard`.
    pub(crate) fn prevalence(&self, standard: StandardName) -> Result<PrevalenceTable> {
        Survey::of(self, standard)?.table()
    }

    fn index(&self, column: &str) -> Option<usize> {
        self.header.iter().position(|h| h == column)
    }

    /// An error naming the line (header = line 1) and column.
    fn error(&self, row: usize, column: &str, message: impl std::fmt::Display) -> CliError {
        CliError::msg(format!(
            "{}: line {}, column {column}: {message}",
            self.name,
            row + 2
        ))
    }

    /// The texts of one column, `None` for an absent column.
    fn texts(&self, column: &str) -> Option<Vec<Option<String>>> {
        let i = self.index(column)?;
        Some(
            self.records
                .iter()
                .map(|r| present(r.get(i).unwrap_or("")).map(str::to_owned))
                .collect(),
        )
    }

    /// The numbers of one column, `None` for an absent column.
    fn numbers(&self, column: &str) -> Result<Option<Vec<Option<f64>>>> {
        let Some(i) = self.index(column) else {
            return Ok(None);
        };
        self.records
            .iter()
            .enumerate()
            .map(|(row, r)| {
                present(r.get(i).unwrap_or(""))
                    .map(|t| {
                        t.trim().parse::<f64>().map_err(|_| {
                            self.error(
                                row,
                                column,
                                format!("`{}` is not a number", excerpt(t.as_bytes())),
                            )
                        })
                    })
                    .transpose()
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// A code column parsed per row with `parse`.
    fn codes<T, E: std::fmt::Display>(
        &self,
        column: &str,
        parse: impl Fn(&str) -> std::result::Result<T, E>,
    ) -> Result<Vec<Option<T>>> {
        let Some(i) = self.index(column) else {
            return Ok(self.records.iter().map(|_| None).collect());
        };
        self.records
            .iter()
            .enumerate()
            .map(|(row, r)| {
                present(r.get(i).unwrap_or(""))
                    .map(|t| parse(t).map_err(|e| self.error(row, column, e)))
                    .transpose()
            })
            .collect()
    }

    fn column_or_missing(&self, column: &str) -> Result<Vec<Option<f64>>> {
        Ok(self
            .numbers(column)?
            .unwrap_or_else(|| vec![None; self.records.len()]))
    }

    fn design(&self) -> Result<SurveyDesign> {
        Ok(SurveyDesign {
            sampling_weights: self.numbers("sw")?,
            clusters: self.numbers("cluster")?,
            strata: self.numbers("strata")?,
        })
    }

    fn who2006(&self) -> Result<(Vec<Child>, SurveyDesign, Groupings)> {
        let sex = self.codes("sex", Sex::from_code)?;
        let in_months = self.codes("is_age_in_month", |t| match t {
            "TRUE" | "true" | "True" | "T" => Ok(true),
            "FALSE" | "false" | "False" | "F" => Ok(false),
            other => Err(format!("is_age_in_month `{other}` is not TRUE or FALSE")),
        })?;
        let age = self.column_or_missing("age")?;
        let weight = self.column_or_missing("weight")?;
        let lenhei = self.column_or_missing("lenhei")?;
        let measure = self.codes("measure", Measure::from_code)?;
        let oedema = self.codes("oedema", parse_oedema)?;
        let mut children = Vec::with_capacity(self.records.len());
        for row in 0..self.records.len() {
            if let Some(a) = age[row].filter(|a| *a < 0.0) {
                return Err(self.error(row, "age", format!("negative age {a}")));
            }
            children.push(Child {
                sex: sex[row],
                age: age[row].map(|a| {
                    if in_months[row].unwrap_or(false) {
                        Age::Months(a)
                    } else {
                        Age::Days(a)
                    }
                }),
                weight_kg: weight[row],
                lenhei_cm: lenhei[row],
                measure: measure[row],
                oedema: oedema[row].unwrap_or(false),
                ..Child::default()
            });
        }
        let groupings = Groupings {
            area: self.texts("typeres"),
            region: self.texts("gregion"),
            wealth_quintile: self.texts("wealthq"),
            mothers_education: self.texts("mothered"),
            other: self.texts("othergr"),
        };
        Ok((children, self.design()?, groupings))
    }

    fn who2007(&self) -> Result<(Vec<SchoolAgeChild>, SurveyDesign)> {
        let sex = self.codes("sex", Sex::from_code)?;
        let age = self.column_or_missing("age_in_months")?;
        let height = self.column_or_missing("height_in_cm")?;
        let weight = self.column_or_missing("weight_in_kg")?;
        let oedema = self.codes("oedema", parse_oedema)?;
        let mut children = Vec::with_capacity(self.records.len());
        for row in 0..self.records.len() {
            for (column, value) in [
                ("age_in_months", age[row]),
                ("height_in_cm", height[row]),
                ("weight_in_kg", weight[row]),
            ] {
                if let Some(v) = value.filter(|v| *v < 0.0) {
                    return Err(self.error(row, column, format!("negative value {v}")));
                }
            }
            children.push(SchoolAgeChild {
                sex: sex[row],
                age_months: age[row],
                height_cm: height[row],
                weight_kg: weight[row],
                oedema: oedema[row].unwrap_or(false),
            });
        }
        Ok((children, self.design()?))
    }
}

/// Writes the table as R's `write.csv(row.names = FALSE, na = "NA")` does: quoted
/// header and labels, numbers with up to 15 significant digits.
pub(crate) fn write_table(out: &mut dyn Write, table: &PrevalenceTable) -> std::io::Result<()> {
    let header: Vec<String> = table
        .column_names()
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect();
    writeln!(out, "{}", header.join(","))?;
    for row in &table.rows {
        let cells: Vec<String> = PrevalenceTable::cells(row)
            .into_iter()
            .map(|cell| match cell {
                Cell::Text(t) => format!("\"{}\"", t.replace('"', "\"\"")),
                Cell::Number(None) => "NA".to_owned(),
                Cell::Number(Some(x)) => r_number(x),
            })
            .collect();
        writeln!(out, "{}", cells.join(","))?;
    }
    Ok(())
}

/// A double as R writes it with 15 significant digits: the fewest digits that give the
/// same 15-digit value, fixed notation unless scientific is narrower.
pub(super) fn r_number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Inf" } else { "-Inf" }.to_owned();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    let sci = format!("{x:.14e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let nsig = i32::try_from(digits.len()).unwrap_or(15);
    let sign = if negative { "-" } else { "" };
    let right = (nsig - 1 - exponent).max(0);
    let fixed_width = i32::from(negative)
        + if exponent >= 0 { exponent + 1 } else { 1 }
        + if right > 0 { right + 1 } else { 0 };
    let exp_digits = if exponent.abs() >= 100 { 3 } else { 2 };
    let sci_width = i32::from(negative) + if nsig > 1 { nsig + 1 } else { 1 } + 2 + exp_digits;
    if fixed_width <= sci_width {
        #[allow(clippy::cast_sign_loss)]
        let right = right as usize;
        format!("{sign}{:.right$}", x.abs())
    } else {
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        let esign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{sign}{first}{point}{rest}e{esign}{:0exp_digits$}",
            exponent.abs(),
            exp_digits = exp_digits as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::r_number;

    #[test]
    fn numbers_print_as_r_writes_them() {
        assert_eq!(r_number(3534.7663), "3534.7663");
        assert_eq!(r_number(1368.0), "1368");
        assert_eq!(r_number(9.121_417_729_935_92), "9.12141772993592");
        assert_eq!(r_number(-0.099_113_488_879_527_4), "-0.0991134888795274");
        assert_eq!(r_number(0.0), "0");
        assert_eq!(r_number(0.00001), "1e-05");
        assert_eq!(r_number(0.0001), "1e-04");
        assert_eq!(r_number(0.00012), "0.00012");
        assert_eq!(r_number(1e20), "1e+20");
        assert_eq!(r_number(123_456.0), "123456");
        assert_eq!(r_number(f64::NAN), "NaN");
    }
}
