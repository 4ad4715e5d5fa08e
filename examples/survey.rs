//! A researcher's run on an anthropometric survey: WHO z-scores for every child, then the
//! prevalence of stunting, wasting, underweight and overweight, with counts, by sex and by
//! age group (0–5, 6–11, 12–23, 24–35, 36–47 and 48–59 months).
//!
//! ```text
//! cargo run --release --example survey                      # the bundled survey
//! cargo run --release --example survey -- my-survey.csv --zscores out.csv
//! ```
//!
//! The input uses WHO anthro's column names: `sex` (1/2/m/f/M/F), `age`, `is_age_in_month`
//! (TRUE/FALSE, per row; days when FALSE), `weight` (kg), `lenhei` (cm), `measure` (l/h)
//! and `oedema` (y/n/1/2); an empty field is a missing value, other columns are carried
//! through. As in WHO's `anthro_prevalence`, a z-score that WHO flags as implausible is
//! left out of the prevalence of its indicator, a child with oedema counts below −3 SD for
//! the weight-based indicators (the counting is sehat-anthro's [`Prevalence`]), and age
//! groups are in completed months (days / 30.4375).

use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use sehat::anthro::{
    Child, DAYS_PER_MONTH, Measure, Outcome, Prevalence, Sex, ZScores, parse_oedema, zscores_batch,
};

/// Prevalence of malnutrition in an anthropometric survey (WHO Child Growth Standards).
#[derive(Debug, Parser)]
struct Args {
    /// The survey CSV, in WHO anthro's column names.
    #[arg(default_value = "examples/data/survey.csv")]
    survey: PathBuf,
    /// Also write every row with its z-scores and flags to this CSV.
    #[arg(long)]
    zscores: Option<PathBuf>,
}

/// The age groups of WHO's prevalence tables, in completed months.
const AGE_GROUPS: [(&str, f64, f64); 6] = [
    ("0-5", 0.0, 6.0),
    ("6-11", 6.0, 12.0),
    ("12-23", 12.0, 24.0),
    ("24-35", 24.0, 36.0),
    ("36-47", 36.0, 48.0),
    ("48-59", 48.0, 60.0),
];

/// One survey row: the child as WHO's algorithm sees it, and the age in months for grouping.
struct Row {
    child: Child,
    sex: Option<Sex>,
    age_months: Option<f64>,
}

/// The survey as read: its header, its records as written, and the children in them.
struct Survey {
    headers: csv::StringRecord,
    records: Vec<csv::StringRecord>,
    rows: Vec<Row>,
}

/// The children of one row of the table (all, a sex, an age group).
#[derive(Default)]
struct Group<'a> {
    children: Vec<&'a ZScores>,
}

impl Group<'_> {
    /// The four cells of the row: stunting, wasting, underweight, overweight, counted
    /// the way WHO's `anthro_prevalence` counts them (see [`Prevalence`]).
    fn cells(&self) -> [String; 4] {
        let of = |indicator: fn(&ZScores) -> Outcome| {
            Prevalence::of(self.children.iter().map(|z| indicator(z)))
        };
        let haz = of(|z| z.length_for_age);
        let whz = of(|z| z.weight_for_length);
        let waz = of(|z| z.weight_for_age);
        [
            cell(haz.below_minus_2, haz.n),
            cell(whz.below_minus_2, whz.n),
            cell(waz.below_minus_2, waz.n),
            cell(whz.above_plus_2, whz.n),
        ]
    }
}

fn cell(cases: usize, of: usize) -> String {
    if of == 0 {
        return "-".to_owned();
    }
    let percent = 100.0 * cases as f64 / of as f64;
    format!("{percent:5.1}% ({cases}/{of})")
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("survey: error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let Survey {
        headers,
        records,
        rows,
    } = read_survey(&args.survey)?;
    let children: Vec<Child> = rows.iter().map(|row| row.child).collect();
    let scores = zscores_batch(&children);

    let mut all = Group::default();
    let mut by_sex: [Group<'_>; 2] = Default::default();
    let mut by_age: [Group<'_>; AGE_GROUPS.len()] = Default::default();
    for (row, z) in rows.iter().zip(&scores) {
        all.children.push(z);
        if let Some(sex) = row.sex {
            by_sex[usize::from(sex == Sex::Female)].children.push(z);
        }
        if let Some(months) = row.age_months
            && let Some(group) = AGE_GROUPS
                .iter()
                .position(|&(_, lo, hi)| months >= lo && months < hi)
        {
            by_age[group].children.push(z);
        }
    }

    println!(
        "Survey: {} ({} children)",
        args.survey.display(),
        rows.len()
    );
    println!(
        "Prevalence, % (cases/children counted); WHO flags excluded, oedema counted as < -3 SD\n"
    );
    println!(
        "{:<14} {:<20} {:<20} {:<20} overweight (WHZ>+2)",
        "group", "stunting (HAZ<-2)", "wasting (WHZ<-2)", "underweight (WAZ<-2)"
    );
    let line = |name: &str, group: &Group<'_>| {
        let [stunted, wasted, underweight, overweight] = group.cells();
        let text = format!("{name:<14} {stunted:<20} {wasted:<20} {underweight:<20} {overweight}");
        println!("{}", text.trim_end());
    };
    line("all", &all);
    line("boys", &by_sex[0]);
    line("girls", &by_sex[1]);
    for (index, (name, _, _)) in AGE_GROUPS.iter().enumerate() {
        line(&format!("{name} months"), &by_age[index]);
    }

    if let Some(path) = &args.zscores {
        write_zscores(path, &headers, &records, &scores)?;
        println!("\nz-scores written to {}", path.display());
    }
    Ok(())
}

/// Reads the survey; a value that cannot be read is an error naming its row and column.
fn read_survey(path: &PathBuf) -> Result<Survey, Box<dyn Error>> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let [sex, age, in_months, weight, lenhei, measure, oedema] = [
        "sex",
        "age",
        "is_age_in_month",
        "weight",
        "lenhei",
        "measure",
        "oedema",
    ]
    .map(column);
    if sex.is_none() || age.is_none() {
        return Err(format!(
            "{}: the columns `sex` and `age` are required",
            path.display()
        )
        .into());
    }
    let mut records = Vec::new();
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record?;
        let line = index + 2; // the header is line 1
        let field = |column: Option<usize>| {
            column
                .and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let number = |name: &str, column: Option<usize>| -> Result<Option<f64>, String> {
            field(column)
                .map(|v| {
                    v.parse::<f64>()
                        .map_err(|_| format!("line {line}, column `{name}`: `{v}` is not a number"))
                })
                .transpose()
        };
        let child_sex = field(sex)
            .map(Sex::from_code)
            .transpose()
            .map_err(|e| format!("line {line}, column `sex`: {e}"))?;
        let months = match field(in_months) {
            None | Some("FALSE" | "false" | "F") => false,
            Some("TRUE" | "true" | "T") => true,
            Some(other) => {
                return Err(format!(
                    "line {line}, column `is_age_in_month`: `{other}` is not TRUE or FALSE"
                )
                .into());
            }
        };
        let age_value = number("age", age)?;
        let mut child = match child_sex {
            Some(s) => Child::new(s),
            None => Child::default(),
        };
        if let Some(a) = age_value {
            child = if months {
                child.age_months(a)
            } else {
                child.age_days(a)
            };
        }
        if let Some(w) = number("weight", weight)? {
            child = child.weight_kg(w);
        }
        let position = field(measure)
            .map(Measure::from_code)
            .transpose()
            .map_err(|e| format!("line {line}, column `measure`: {e}"))?;
        if let Some(l) = number("lenhei", lenhei)? {
            child = child.lenhei_cm(l, position);
        }
        if let Some(o) = field(oedema) {
            child = child
                .oedema(parse_oedema(o).map_err(|e| format!("line {line}, column `oedema`: {e}"))?);
        }
        let age_months = age_value.map(|a| if months { a } else { a / DAYS_PER_MONTH });
        rows.push(Row {
            child,
            sex: child_sex,
            age_months,
        });
        records.push(record);
    }
    Ok(Survey {
        headers,
        records,
        rows,
    })
}

fn write_zscores(
    path: &PathBuf,
    headers: &csv::StringRecord,
    records: &[csv::StringRecord],
    scores: &[ZScores],
) -> Result<(), Box<dyn Error>> {
    let file = File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut out = csv::Writer::from_writer(BufWriter::new(file));
    let names = [
        "zlen", "flen", "zwei", "fwei", "zwfl", "fwfl", "zbmi", "fbmi",
    ];
    out.write_record(headers.iter().chain(names))?;
    for (record, z) in records.iter().zip(scores) {
        let mut row: Vec<String> = record.iter().map(str::to_owned).collect();
        for outcome in [
            z.length_for_age,
            z.weight_for_age,
            z.weight_for_length,
            z.bmi_for_age,
        ] {
            match outcome {
                Ok(z) => {
                    row.push(z.z_rounded.to_string());
                    row.push(u8::from(z.flagged).to_string());
                }
                Err(_) => row.extend([String::new(), String::new()]),
            }
        }
        out.write_record(&row)?;
    }
    out.into_inner().map_err(|e| e.to_string())?.flush()?;
    Ok(())
}
