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
//! (TRUE/FALSE in R's spellings, per row; days when FALSE), `weight` (kg), `lenhei` (cm),
//! `measure` (l/h) and `oedema` (y/n/1/2); an empty field or `NA` is a missing value, other
//! columns are carried through. The table is read and written by sehat-anthro's
//! `who_table` module, the contract of `sehat anthro zscores` (a negative age is refused,
//! and the `--zscores` file has the columns `anthro_zscores` returns). As in WHO's
//! `anthro_prevalence`, a z-score that WHO flags as implausible is
//! left out of the prevalence of its indicator, a child with oedema counts below −3 SD for
//! the weight-based indicators (the counting is sehat-anthro's [`Prevalence`]), and age
//! groups are in completed months (days / 30.4375).

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use sehat::anthro::who_table::{MapOptions, Table, TableError};
use sehat::anthro::{Age, Child, Outcome, Prevalence, Sex, ZScores, zscores_batch};

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

/// The survey as read: its text, and the children in it.
struct Survey {
    text: Vec<u8>,
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
    let Survey { text, rows } = read_survey(&args.survey)?;
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
        write_zscores(path, &args.survey, &text)?;
        println!("\nz-scores written to {}", path.display());
    }
    Ok(())
}

/// Reads the survey; a value that cannot be read is an error naming its line and column.
fn read_survey(path: &Path) -> Result<Survey, Box<dyn Error>> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let table = Table::parse(&text).map_err(|e| describe(path, e))?;
    let names = table.header().names();
    if !["sex", "age"].iter().all(|c| names.iter().any(|n| n == c)) {
        return Err(format!(
            "{}: the columns `sex` and `age` are required",
            path.display()
        )
        .into());
    }
    let children = table
        .who2006(&MapOptions::default())
        .map_err(|e| describe(path, e))?;
    let rows = children
        .into_iter()
        .map(|child| Row {
            child,
            sex: child.sex,
            age_months: child.age.map(Age::months),
        })
        .collect();
    Ok(Survey { text, rows })
}

/// The message for a table that cannot be read: the file, and the line and column.
fn describe(path: &Path, error: TableError) -> String {
    match error {
        TableError::Row(e) => match e.column {
            Some(_) => format!(
                "{}: line {}, column `{}`: {}",
                path.display(),
                e.line(),
                e.column_name,
                e.message
            ),
            None => format!("{}: line {}: {}", path.display(), e.line(), e.message),
        },
        other => format!("{}: {other}", path.display()),
    }
}

/// Writes every row of the survey with the columns WHO's `anthro_zscores` appends.
fn write_zscores(path: &Path, survey: &Path, text: &[u8]) -> Result<(), Box<dyn Error>> {
    let table = Table::parse(text).map_err(|e| describe(survey, e))?;
    let mut out = Vec::with_capacity(text.len() * 3);
    table
        .write_who2006(&MapOptions::default(), true, &mut out)
        .map_err(|e| describe(survey, e))?;
    std::fs::write(path, out).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    Ok(())
}
