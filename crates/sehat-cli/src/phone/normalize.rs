//! `sehat phone normalize`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args as ClapArgs;
use sehat_pseudonym::{NumberType, PhoneNumber, Region};

use super::batch::{self, line_of, text};
use super::{region, region_option};
use crate::error::{CliError, Result};
use crate::io::{Output, read_input};

/// The columns appended to every row, in order.
pub const OUTPUT_COLUMNS: [&str; 5] = [
    "e164",
    "is_possible",
    "is_valid",
    "number_type",
    "parse_error",
];

/// Arguments of `sehat phone normalize`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The default region (ISO 3166-1 alpha-2) for rows without a `default_region` column;
    /// an empty value means no default region.
    #[arg(long, value_name = "REGION", default_value = "ID")]
    region: String,
    /// Write to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The input CSV file (comma separated, header line, column `input`).
    input: PathBuf,
}

/// Runs `sehat phone normalize`.
pub fn run(args: &Args) -> Result {
    let file = args.input.display().to_string();
    let fallback = region_option(&args.region)?;
    let data = read_input(&args.input)?;
    let mut out = Output::create(args.output.as_deref(), &[&args.input])?;
    normalize(&data, &file, fallback, &mut out)?;
    out.commit()
}

/// Normalizes the CSV `data` (the file `file`, for messages) to `out`; returns the
/// number of rows, which the output has as many of.
///
/// # Errors
///
/// A header or row that cannot be read, naming the line; a write error.
pub fn normalize(
    data: &[u8],
    file: &str,
    fallback: Option<Region>,
    out: &mut dyn Write,
) -> Result<u64> {
    batch::process(
        data,
        file,
        |header| {
            let columns = (
                header.require("input", file)?,
                header.find("default_region"),
            );
            for name in OUTPUT_COLUMNS {
                if header.find(name).is_some() {
                    eprintln!(
                        "sehat: warning: {file} already has a `{name}` column; the output has two, the computed one last"
                    );
                }
            }
            let mut names = header.names.clone();
            names.extend(OUTPUT_COLUMNS.iter().map(|name| (*name).to_owned()));
            Ok((names, columns))
        },
        out,
        |&(input_column, region_column), record, writer| {
            let input = text(record, input_column, "input")?;
            let region = match region_column {
                Some(index) => region(text(record, index, "default_region")?).map_err(|e| {
                    CliError::msg(format!(
                        "line {}, column `default_region`: {e}",
                        line_of(record)
                    ))
                })?,
                None => fallback,
            };
            for field in record {
                writer.write_field(field)?;
            }
            match PhoneNumber::parse(input, region) {
                Ok(number) => {
                    // Valid exactly when the type is known (see `PhoneNumber::is_valid`):
                    // one pattern match answers both columns.
                    let number_type = number.number_type();
                    writer.write_field(number.expose_e164())?;
                    writer.write_field(bool_text(number.is_possible()))?;
                    writer.write_field(bool_text(number_type != NumberType::Unknown))?;
                    writer.write_field(number_type.as_str())?;
                    writer.write_field("")?;
                }
                Err(error) => {
                    writer.write_field("")?;
                    writer.write_field("false")?;
                    writer.write_field("false")?;
                    writer.write_field("")?;
                    writer.write_field(error.name())?;
                }
            }
            writer.write_record(None::<&[u8]>)?;
            Ok(())
        },
    )
}

fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}
