//! `sehat anthro chart`: one child's growth chart as PNG or SVG, from a CSV of dated
//! measurements.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args as ClapArgs, ValueEnum};
use sehat_anthro::Sex;
use sehat_anthro::chart::{ChartError, ChartIndicator, GrowthChart, Measurement};
use sehat_anthro::who_table::number;
use time::Date;
use time::macros::format_description;

use crate::csv_input::{check_header, check_lines, excerpt};
use crate::error::{CliError, Result};
use crate::io::{Output, read_input};

/// The chart's indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IndicatorName {
    /// Weight-for-age (column `weight`, kg).
    Wfa,
    /// Length/height-for-age (column `length`, cm; length to 24 months, height after).
    Lhfa,
}

/// Arguments of `sehat anthro chart`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The child's sex: 1 (boy, laki-laki) or 2 (girl, perempuan).
    #[arg(long, value_parser = parse_sex)]
    sex: Sex,
    /// The chart: wfa (weight-for-age) or lhfa (length/height-for-age).
    #[arg(long, value_enum)]
    indicator: IndicatorName,
    /// The measurements: CSV with the columns date_of_birth, date (YYYY-MM-DD), weight
    /// (kg) and/or length (cm), one row per visit, any order.
    #[arg(long, value_name = "FILE")]
    points: PathBuf,
    /// The image to write; its extension (.png or .svg) gives the format.
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// A line under the title, e.g. the child's name.
    #[arg(long, value_name = "TEXT")]
    name: Option<String>,
}

fn parse_sex(text: &str) -> std::result::Result<Sex, String> {
    match text {
        "1" => Ok(Sex::Male),
        "2" => Ok(Sex::Female),
        other => Err(format!(
            "`{}` is not 1 (boy) or 2 (girl)",
            excerpt(other.as_bytes())
        )),
    }
}

/// The image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Png,
    Svg,
}

fn format_of(path: &Path) -> Result<Format> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match extension.as_deref() {
        Some("png") => Ok(Format::Png),
        Some("svg") => Ok(Format::Svg),
        _ => Err(CliError::msg(format!(
            "--output {}: the file name must end in .png or .svg (the format is taken from it)",
            path.display()
        ))),
    }
}

/// Runs `sehat anthro chart`.
pub fn run(args: &Args) -> Result {
    let format = format_of(&args.output)?;
    let indicator = match args.indicator {
        IndicatorName::Wfa => ChartIndicator::WeightForAge,
        IndicatorName::Lhfa => ChartIndicator::LengthHeightForAge,
    };
    let name = args.points.display().to_string();
    let data = read_input(&args.points)?;
    let visits = Visits::read(&data, &name, indicator)?;
    let chart = visits.chart(args.sex, indicator, args.name.as_deref())?;
    let bytes = match format {
        Format::Png => chart.to_png()?,
        Format::Svg => chart.to_svg().into_bytes(),
    };
    let mut out = Output::create(Some(&args.output), &[&args.points])?;
    out.write_all(&bytes)?;
    out.commit()
}

/// One plotted row: where it came from and what it says.
#[derive(Debug, Clone, Copy)]
struct Visit {
    /// 1-based data row.
    row: usize,
    date: Date,
    age_days: i64,
    value: f64,
}

/// The rows of the points file that have the indicator's measurement.
#[derive(Debug)]
struct Visits {
    file: String,
    /// The measurement's column name (`weight` or `length`).
    column: &'static str,
    visits: Vec<Visit>,
}

/// The Indonesian month names, for the label of the latest point.
const MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

impl Visits {
    fn read(data: &[u8], file: &str, indicator: ChartIndicator) -> Result<Self> {
        check_lines(data, file)?;
        let column = match indicator {
            ChartIndicator::WeightForAge => "weight",
            _ => "length",
        };
        let mut reader = csv::ReaderBuilder::new().from_reader(data);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| CliError::msg(format!("{file}: cannot read the header: {e}")))?
            .iter()
            .map(str::to_owned)
            .collect();
        check_header(&header, file)?;
        let index = |name: &str| {
            header.iter().position(|h| h == name).ok_or_else(|| {
                CliError::msg(format!(
                    "{file}: the header has no column `{name}` (needed: date_of_birth, date, \
                     {column})"
                ))
            })
        };
        let (birth_at, date_at, value_at) =
            (index("date_of_birth")?, index("date")?, index(column)?);
        let error = |row: usize, column: &str, message: &str| {
            CliError::msg(format!(
                "{file}: row {row} (line {}), column {column}: {message}",
                row + 1
            ))
        };
        let mut visits = Vec::new();
        let mut birth: Option<(Date, usize)> = None;
        let mut without_value = Vec::new();
        for (i, record) in reader.byte_records().enumerate() {
            let row = i + 1;
            let record = record.map_err(|e| CliError::msg(format!("{file}: row {row}: {e}")))?;
            let field = |at: usize| record.get(at).unwrap_or_default();
            let date_of_birth =
                read_date(field(birth_at)).map_err(|m| error(row, "date_of_birth", &m))?;
            match birth {
                None => birth = Some((date_of_birth, row)),
                Some((first, first_row)) if first != date_of_birth => {
                    return Err(error(
                        row,
                        "date_of_birth",
                        &format!(
                            "{date_of_birth} differs from {first} in row {first_row}; the file \
                             must hold one child"
                        ),
                    ));
                }
                Some(_) => {}
            }
            let date = read_date(field(date_at)).map_err(|m| error(row, "date", &m))?;
            let age_days = (date - date_of_birth).whole_days();
            if age_days < 0 {
                return Err(error(
                    row,
                    "date",
                    &format!("{date} is before the date of birth {date_of_birth}"),
                ));
            }
            let value =
                number(field(value_at), value_at).map_err(|e| error(row, column, &e.message))?;
            match value {
                Some(value) => visits.push(Visit {
                    row,
                    date,
                    age_days,
                    value,
                }),
                None => without_value.push(row),
            }
        }
        if !without_value.is_empty() {
            let rows: Vec<String> = without_value.iter().map(ToString::to_string).collect();
            eprintln!(
                "sehat: note: {file}: no {column} in row(s) {}; not plotted",
                rows.join(", ")
            );
        }
        if visits.is_empty() {
            return Err(CliError::msg(format!(
                "{file}: no row has a {column}; there is nothing to plot"
            )));
        }
        Ok(Self {
            file: file.to_owned(),
            column,
            visits,
        })
    }

    /// The chart, with errors naming the row and column of the offending visit.
    fn chart(
        &self,
        sex: Sex,
        indicator: ChartIndicator,
        name: Option<&str>,
    ) -> Result<GrowthChart> {
        // Ages are differences of two dates of the `time` crate (within ±10^7 days),
        // exact in a double.
        #[allow(clippy::cast_precision_loss)]
        let points = self
            .visits
            .iter()
            .map(|v| Measurement::new(v.age_days as f64, v.value))
            .collect();
        let at = |index: usize, column: &str, message: String| {
            let row = self.visits.get(index).map_or(0, |v| v.row);
            CliError::msg(format!(
                "{}: row {row} (line {}), column {column}: {message}",
                self.file,
                row + 1
            ))
        };
        let chart = GrowthChart::new(sex, indicator, points).map_err(|e| match e {
            ChartError::Age { index, age_days } => at(
                index,
                "date",
                format!(
                    "the child is {age_days} days old then; the chart covers 0 to 60 months \
                     (1826 days)"
                ),
            ),
            ChartError::Value {
                index,
                value,
                min,
                max,
                ..
            } => at(
                index,
                self.column,
                format!(
                    "{value} is not a plausible {} ({min} to {max})",
                    self.unit()
                ),
            ),
            ChartError::DuplicateAge { first, second, .. } => {
                let first_row = self.visits.get(first).map_or(0, |v| v.row);
                at(
                    second,
                    "date",
                    format!("the same date as row {first_row}; one measurement per date"),
                )
            }
            other => CliError::from(other),
        })?;
        let chart = match name {
            Some(name) => chart
                .with_caption(name)
                .map_err(|e| CliError::msg(format!("--name: {e}")))?,
            None => chart,
        };
        // The latest visit's date in Indonesian, e.g. "ditimbang 3 Maret 2025".
        let latest = self
            .visits
            .iter()
            .max_by_key(|v| v.age_days)
            .map(|v| v.date);
        Ok(match latest {
            Some(date) => {
                let verb = if self.column == "weight" {
                    "ditimbang"
                } else {
                    "diukur"
                };
                let month = MONTHS[usize::from(u8::from(date.month())) - 1];
                chart.with_latest_note(format!("{verb} {} {month} {}", date.day(), date.year()))?
            }
            None => chart,
        })
    }

    fn unit(&self) -> &'static str {
        if self.column == "weight" {
            "weight in kg"
        } else {
            "length/height in cm"
        }
    }
}

/// Reads a `YYYY-MM-DD` date.
fn read_date(text: &[u8]) -> std::result::Result<Date, String> {
    let text = std::str::from_utf8(text).map_err(|_| "not valid UTF-8".to_owned())?;
    if text.is_empty() {
        return Err("missing (a date YYYY-MM-DD is needed)".to_owned());
    }
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("`{}` is not a date YYYY-MM-DD", excerpt(text.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, indicator: ChartIndicator) -> Result<Visits> {
        Visits::read(text.as_bytes(), "p.csv", indicator)
    }

    #[test]
    fn ages_come_from_the_dates() {
        let v = read(
            "date_of_birth,date,weight,length\n\
             2024-01-15,2024-01-15,3.2,50\n\
             2024-01-15,2025-01-15,9.1,\n",
            ChartIndicator::WeightForAge,
        )
        .unwrap();
        let ages: Vec<i64> = v.visits.iter().map(|v| v.age_days).collect();
        assert_eq!(ages, [0, 366]);
    }

    #[test]
    fn rows_without_the_measurement_are_not_plotted() {
        let v = read(
            "date_of_birth,date,weight,length\n\
             2024-01-15,2024-01-15,3.2,50\n\
             2024-01-15,2025-01-15,9.1,\n",
            ChartIndicator::LengthHeightForAge,
        )
        .unwrap();
        assert_eq!(v.visits.len(), 1);
        assert_eq!(v.visits[0].row, 1);
    }

    #[test]
    fn errors_name_row_and_column() {
        let cases = [
            (
                "date_of_birth,date,weight\n2024-01-15,2024-13-01,3.2\n",
                "p.csv: row 1 (line 2), column date: `2024-13-01` is not a date YYYY-MM-DD",
            ),
            (
                "date_of_birth,date,weight\n2024-01-15,2024-01-10,3.2\n",
                "p.csv: row 1 (line 2), column date: 2024-01-10 is before the date of birth \
                 2024-01-15",
            ),
            (
                "date_of_birth,date,weight\n2024-01-15,2024-02-10,x\n",
                "p.csv: row 1 (line 2), column weight: `x` is not a number",
            ),
            (
                "date_of_birth,date,weight\n2024-01-15,2024-02-10,3\n2024-01-16,2024-03-10,4\n",
                "p.csv: row 2 (line 3), column date_of_birth: 2024-01-16 differs from \
                 2024-01-15 in row 1; the file must hold one child",
            ),
            (
                "date,weight\n2024-02-10,3\n",
                "p.csv: the header has no column `date_of_birth` (needed: date_of_birth, date, \
                 weight)",
            ),
            (
                "date_of_birth,date,weight\n2024-01-15,2024-02-10,\n",
                "p.csv: no row has a weight; there is nothing to plot",
            ),
        ];
        for (text, want) in cases {
            let err = read(text, ChartIndicator::WeightForAge).unwrap_err();
            assert_eq!(err.to_string(), want);
        }
    }

    #[test]
    fn chart_errors_name_the_row() {
        let v = read(
            "date_of_birth,date,weight\n\
             2020-01-15,2020-03-01,5.0\n\
             2020-01-15,2025-03-01,19.0\n",
            ChartIndicator::WeightForAge,
        )
        .unwrap();
        let err = v
            .chart(Sex::Male, ChartIndicator::WeightForAge, None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.csv: row 2 (line 3), column date: the child is 1872 days old then; the chart \
             covers 0 to 60 months (1826 days)"
        );
        let v = read(
            "date_of_birth,date,weight\n2020-01-15,2020-03-01,5200\n",
            ChartIndicator::WeightForAge,
        )
        .unwrap();
        let err = v
            .chart(Sex::Male, ChartIndicator::WeightForAge, None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.csv: row 1 (line 2), column weight: 5200 is not a plausible weight in kg (0.5 to 60)"
        );
        let v = read(
            "date_of_birth,date,weight\n2020-01-15,2020-03-01,5\n2020-01-15,2020-03-01,5.1\n",
            ChartIndicator::WeightForAge,
        )
        .unwrap();
        let err = v
            .chart(Sex::Male, ChartIndicator::WeightForAge, None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.csv: row 2 (line 3), column date: the same date as row 1; one measurement per date"
        );
    }

    #[test]
    fn latest_visit_is_labelled_with_its_date_in_indonesian() {
        let v = read(
            "date_of_birth,date,weight\n2024-01-15,2024-03-03,5.0\n2024-01-15,2024-02-10,4.1\n",
            ChartIndicator::WeightForAge,
        )
        .unwrap();
        let svg = v
            .chart(Sex::Female, ChartIndicator::WeightForAge, Some("Siti <3"))
            .unwrap()
            .to_svg();
        assert!(svg.contains(">ditimbang 3 Maret 2024</text>"));
        assert!(svg.contains(">Siti &lt;3</text>"));
    }

    #[test]
    fn format_comes_from_the_extension() {
        assert_eq!(format_of(Path::new("a/b.PNG")).unwrap(), Format::Png);
        assert_eq!(format_of(Path::new("b.svg")).unwrap(), Format::Svg);
        assert!(format_of(Path::new("b.jpg")).is_err());
        assert!(format_of(Path::new("png")).is_err());
    }
}
