//! `sehat anthro monitor`: Posyandu growth monitoring of a file of visits, one output row
//! per visit with N/T, referral and plausibility flags (see `sehat_anthro::monitoring`).

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use clap::Args as ClapArgs;
use rayon::prelude::*;
use sehat_anthro::Sex;
use sehat_anthro::monitoring::{MonitoringError, VisitJudgement, Weighing, judge};
use time::Date;
use time::macros::format_description;

use crate::csv_input::{check_header, check_lines, excerpt};
use crate::error::{CliError, Result};
use crate::io::{Output, read_input};

/// Arguments of `sehat anthro monitor`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Write to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The input CSV file (comma separated, header line).
    input: PathBuf,
}

/// The columns read; `length` may be absent.
const CHILD: &str = "child";
const SEX: &str = "sex";
const DATE_OF_BIRTH: &str = "date_of_birth";
const DATE: &str = "date";
const WEIGHT: &str = "weight";
const LENGTH: &str = "length";

/// The columns appended to the input's.
const ADDED: [&str; 7] = [
    "age_months",
    "gain_g",
    "kbm_g",
    "nt",
    "referral",
    "reasons",
    "flags",
];

/// Runs `sehat anthro monitor`.
pub fn run(args: &Args) -> Result {
    let name = args.input.display().to_string();
    let data = read_input(&args.input)?;
    check_lines(&data, &name)?;
    let (header, records) = read(&data, &name)?;
    let judged = monitor(&header, &records, &name)?;
    let mut out = Output::create(args.output.as_deref(), &[&args.input])?;
    write(&mut out, &header, &records, &judged)
        .map_err(|e| CliError::msg(format!("cannot write the output: {e}")))?;
    out.commit()
}

fn read(data: &[u8], name: &str) -> Result<(Vec<String>, Vec<csv::StringRecord>)> {
    let mut reader = csv::ReaderBuilder::new().from_reader(data);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| CliError::msg(format!("{name}: cannot read the header: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    check_header(&header, name)?;
    if let Some(taken) = header.iter().find(|h| ADDED.contains(&h.as_str())) {
        return Err(CliError::msg(format!(
            "{name}: the input already has a column `{taken}`, which the output adds; \
             rename it"
        )));
    }
    let records = reader
        .records()
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| CliError::msg(format!("{name}: {e}")))?;
    Ok((header, records))
}

/// One visit as read: its row (0-based, after the header) and weighing.
struct Visit {
    row: usize,
    weighing: Weighing,
}

/// A child's visits and the sex and date of birth all of them give.
struct ChildVisits {
    sex: Sex,
    born: Date,
    /// The row that first gave them, for messages.
    first_row: usize,
    visits: Vec<Visit>,
}

/// The judgement of every row, in the input's order.
fn monitor(
    header: &[String],
    records: &[csv::StringRecord],
    name: &str,
) -> Result<Vec<VisitJudgement>> {
    let column = |wanted: &str| header.iter().position(|h| h == wanted);
    let required = |wanted: &str| {
        column(wanted).ok_or_else(|| {
            CliError::msg(format!(
                "{name}: the header has no column `{wanted}` (needed: child, sex, \
                 date_of_birth, date, weight; optional: length)"
            ))
        })
    };
    let (child_at, sex_at, born_at, date_at, weight_at) = (
        required(CHILD)?,
        required(SEX)?,
        required(DATE_OF_BIRTH)?,
        required(DATE)?,
        required(WEIGHT)?,
    );
    let length_at = column(LENGTH);
    let error = |row: usize, column: &str, message: &dyn std::fmt::Display| {
        CliError::msg(format!(
            "{name}: line {}, column {column}: {message}",
            row + 2
        ))
    };

    let mut children: Vec<ChildVisits> = Vec::new();
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    for (row, record) in records.iter().enumerate() {
        let id = cell(record, child_at);
        if id.is_empty() {
            return Err(error(row, CHILD, &"the child is missing"));
        }
        let sex = Sex::from_code(cell(record, sex_at)).map_err(|e| error(row, SEX, &e))?;
        let born = date(cell(record, born_at)).map_err(|e| error(row, DATE_OF_BIRTH, &e))?;
        let visit_date = date(cell(record, date_at)).map_err(|e| error(row, DATE, &e))?;
        let weight = number(cell(record, weight_at))
            .and_then(|w| w.ok_or_else(|| "the weight is missing".to_owned()))
            .map_err(|e| error(row, WEIGHT, &e))?;
        let length = match length_at {
            Some(at) => number(cell(record, at)).map_err(|e| error(row, LENGTH, &e))?,
            None => None,
        };
        let mut weighing = Weighing::new(visit_date, weight);
        weighing.length_cm = length;
        let visit = Visit { row, weighing };
        let slot = *index_of.entry(id).or_insert_with(|| {
            children.push(ChildVisits {
                sex,
                born,
                first_row: row,
                visits: Vec::new(),
            });
            children.len() - 1
        });
        let Some(child) = children.get_mut(slot) else {
            continue;
        };
        if child.sex != sex {
            return Err(error(
                row,
                SEX,
                &format!(
                    "the child of this row has sex {} on line {}",
                    child.sex.code(),
                    child.first_row + 2
                ),
            ));
        }
        if child.born != born {
            return Err(error(
                row,
                DATE_OF_BIRTH,
                &format!(
                    "the child of this row was born on {} according to line {}",
                    child.born,
                    child.first_row + 2
                ),
            ));
        }
        child.visits.push(visit);
    }

    let judged: Vec<Vec<VisitJudgement>> = children
        .par_iter()
        .map(|child| {
            let weighings: Vec<Weighing> = child.visits.iter().map(|v| v.weighing).collect();
            judge(child.sex, child.born, &weighings).map_err(|e| {
                let row = |index: usize| child.visits.get(index).map_or(0, |v| v.row);
                match e {
                    MonitoringError::BeforeBirth { index, .. } => {
                        error(row(index), DATE, &"the visit is before the date of birth")
                    }
                    MonitoringError::InvalidWeight { index, weight_kg } => error(
                        row(index),
                        WEIGHT,
                        &format!("{weight_kg} is not a positive number of kg"),
                    ),
                    MonitoringError::InvalidLength { index, length_cm } => error(
                        row(index),
                        LENGTH,
                        &format!("{length_cm} is not a positive number of cm"),
                    ),
                    MonitoringError::SameDate {
                        first,
                        second,
                        date,
                    } => error(
                        row(second),
                        DATE,
                        &format!(
                            "the child of this row was also weighed on {date} on line {}; \
                             keep one of the two visits",
                            row(first) + 2
                        ),
                    ),
                    other => CliError::from(other),
                }
            })
        })
        .collect::<Result<_>>()?;

    let mut by_row: Vec<Option<VisitJudgement>> = vec![None; records.len()];
    for (child, judgements) in children.iter().zip(judged) {
        for (visit, judgement) in child.visits.iter().zip(judgements) {
            if let Some(slot) = by_row.get_mut(visit.row) {
                *slot = Some(judgement);
            }
        }
    }
    Ok(by_row.into_iter().flatten().collect())
}

/// The trimmed text of a cell (empty when the row is short).
fn cell(record: &csv::StringRecord, at: usize) -> &str {
    record.get(at).unwrap_or("").trim()
}

/// An ISO 8601 calendar date, `YYYY-MM-DD`.
fn date(text: &str) -> std::result::Result<Date, String> {
    if text.is_empty() {
        return Err("the date is missing".to_owned());
    }
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("`{}` is not a date as YYYY-MM-DD", excerpt(text.as_bytes())))
}

/// A number, `None` for an empty cell or `NA`.
fn number(text: &str) -> std::result::Result<Option<f64>, String> {
    if text.is_empty() || text == "NA" {
        return Ok(None);
    }
    text.parse::<f64>()
        .map(Some)
        .map_err(|_| format!("`{}` is not a number", excerpt(text.as_bytes())))
}

fn write(
    out: &mut dyn Write,
    header: &[String],
    records: &[csv::StringRecord],
    judged: &[VisitJudgement],
) -> std::result::Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(header.iter().map(String::as_str).chain(ADDED))?;
    let mut line: Vec<String> = Vec::new();
    for (record, j) in records.iter().zip(judged) {
        line.clear();
        line.extend(record.iter().map(str::to_owned));
        line.push(j.age_months.to_string());
        line.push(j.gain_g.map(|g| g.to_string()).unwrap_or_default());
        line.push(j.kbm_g.map(|g| g.to_string()).unwrap_or_default());
        line.push(j.nt.map(|nt| nt.code().to_owned()).unwrap_or_default());
        line.push(j.referral().to_string());
        line.push(codes(j.reasons.iter().map(|r| r.code())));
        line.push(codes(j.flags.iter().map(|f| f.code())));
        writer.write_record(&line)?;
    }
    writer.flush()?;
    Ok(())
}

/// Codes joined by `;`.
fn codes<'a>(codes: impl Iterator<Item = &'a str>) -> String {
    codes.collect::<Vec<_>>().join(";")
}
