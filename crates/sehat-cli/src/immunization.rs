//! `sehat immunization`.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use rayon::prelude::*;
use sehat_immunization::{ForecastRecord, PatientRecord, Schedule};

use crate::error::{CliError, Result};
use crate::io::{BOM, Output, read_input};

/// The `sehat immunization` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluates every patient's doses and forecasts the next dose (CDC CDSi logic).
    ///
    /// CASES.json is a JSON array of patients shaped like CDC's CDSi test cases: id, dob,
    /// gender, assessment_date, doses [{seq, date_administered, cvx, mvx, vaccine_name}],
    /// optional vaccine_group (DTAP, POL, HIB, PCV, HepB, MMR, ROTA, HPV, VAR, HepA, MCV,
    /// MENB, ZOSTER, FLU, RSV, COVID-19 for cdsi-us; HB0, BCG, bOPV, IPV, DPT-HB-Hib, PCV,
    /// RV, MR, JE, "MR (BIAS)", "DT/Td (BIAS)", HPV, "Td WUS" for id-kemenkes), optional
    /// region (ID-BA, ID-KB, ID-YO select JE) and optional school_grade on the assessment
    /// date (1-12; places the BIAS doses, which otherwise follow the age proxy 7, 8, 11
    /// years). Other fields are ignored. For id-kemenkes, doses may name Indonesian vaccines in
    /// vaccine_name instead of a CVX code.
    ///
    /// Output: a JSON array, one object per patient with id, vaccine_group,
    /// series_status, forecast_dose_number, earliest_date, recommended_date,
    /// past_due_date, latest_date and doses [{seq, evaluation_status,
    /// evaluation_reason}]; without vaccine_group, a groups array with every group.
    Forecast(ForecastArgs),
}

/// The schedules built into the binary.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ScheduleName {
    /// CDC's ACIP schedule (CDSi supporting data 4.64).
    #[value(name = "cdsi-us")]
    CdsiUs,
    /// Indonesia's national programme (Kemenkes), with Buku KIA bands.
    #[value(name = "id-kemenkes")]
    IdKemenkes,
}

/// Arguments of `sehat immunization forecast`.
#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// The schedule to evaluate against.
    #[arg(long, value_enum)]
    schedule: ScheduleName,
    /// Write the JSON here instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// The patients (JSON array).
    #[arg(value_name = "CASES.json")]
    cases: PathBuf,
}

/// Runs one `sehat immunization` subcommand.
pub fn run(command: Command) -> Result {
    match command {
        Command::Forecast(args) => forecast(&args),
    }
}

fn forecast(args: &ForecastArgs) -> Result {
    let schedule = match args.schedule {
        ScheduleName::CdsiUs => Schedule::cdsi_us()?,
        ScheduleName::IdKemenkes => Schedule::id_kemenkes()?,
    };
    let data = read_input(&args.cases)?;
    let results = forecast_data(&data, &args.cases.display().to_string(), schedule)?;
    let mut out = Output::create(args.output.as_deref(), &[&args.cases])?;
    serde_json::to_writer_pretty(&mut out, &results)?;
    writeln!(out)?;
    out.commit()
}

/// Reads the patients of `data` (a JSON array; the file `file`, for messages; a UTF-8
/// byte-order mark at the start is ignored) and forecasts each against `schedule`.
///
/// # Errors
///
/// The text is not a JSON array of patients, or a patient cannot be evaluated (a
/// malformed date or code, a vaccine the schedule does not know), naming the patient.
pub fn forecast_data(data: &[u8], file: &str, schedule: &Schedule) -> Result<Vec<ForecastRecord>> {
    let data = data.strip_prefix(BOM).unwrap_or(data);
    let records: Vec<PatientRecord> = serde_json::from_slice(data)
        .map_err(|e| CliError::msg(format!("{file}: not a JSON array of patients: {e}")))?;
    records
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            r.forecast(schedule)
                .map_err(|e| CliError::msg(format!("{file}: patient #{}: {e}", i + 1)))
        })
        .collect()
}
