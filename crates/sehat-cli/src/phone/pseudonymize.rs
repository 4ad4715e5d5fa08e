//! `sehat phone pseudonymize`.

use std::path::PathBuf;

use clap::Args as ClapArgs;
use sehat_pseudonym::{
    Domain, Keyset, NumberType, ParseError, PhoneNumber, Pseudonymizer, Region, Subject,
};

use super::batch::{self, text};
use crate::error::{CliError, Result};
use crate::io::{Output, read_input};

/// Arguments of `sehat phone pseudonymize`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The pseudonym keyset file (JSON). Without it, the keyset's JSON text is read from
    /// the SEHAT_PSEUDONYM_KEYSET environment variable.
    #[arg(long, value_name = "FILE")]
    keyset: Option<PathBuf>,
    /// The pseudonymisation domain (a-z, 0-9, '.', '_', '-'), for example posyandu-send-log.
    #[arg(long, value_name = "NAME")]
    domain: String,
    /// The column holding phone numbers; it is replaced by their pseudonyms.
    #[arg(long, value_name = "COL")]
    column: String,
    /// The default region (ISO 3166-1 alpha-2) for numbers without a country code; an
    /// empty value means none.
    #[arg(long, value_name = "REGION", default_value = "ID")]
    region: String,
    /// The column holds WhatsApp wa_ids (E.164 digits without '+'), read without a region.
    #[arg(long)]
    wa_id: bool,
    /// Accept only mobile numbers (MOBILE or FIXED_LINE_OR_MOBILE); others get NOT_MOBILE.
    #[arg(long)]
    mobile_only: bool,
    /// Write to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The input CSV file (comma separated, header line).
    input: PathBuf,
}

/// How the column's values are read.
struct Reading {
    column: usize,
    region: Option<Region>,
    wa_id: bool,
    mobile_only: bool,
}

impl Reading {
    fn number(&self, value: &str) -> std::result::Result<PhoneNumber, ParseError> {
        if self.wa_id {
            let number = PhoneNumber::from_wa_id(value)?;
            // One type match decides both: a number is valid exactly when its type is known.
            match number.number_type() {
                NumberType::Unknown => Err(ParseError::NotValid),
                number_type if self.mobile_only && !number_type.is_mobile() => {
                    Err(ParseError::NotMobile { number_type })
                }
                _ => Ok(number),
            }
        } else if self.mobile_only {
            PhoneNumber::parse_mobile(value, self.region)
        } else {
            PhoneNumber::parse_strict(value, self.region)
        }
    }
}

/// Runs `sehat phone pseudonymize`.
pub fn run(args: &Args) -> Result {
    let keyset = match &args.keyset {
        Some(path) => Keyset::from_file(path)?,
        None => Keyset::from_env()?,
    };
    let domain = Domain::new(&args.domain)
        .map_err(|e| CliError::msg(format!("--domain {:?}: {e}", args.domain)))?;
    let region = super::region_option(&args.region)?;
    let pseudonymizer: Pseudonymizer = keyset.pseudonymizer(&domain);
    let file = args.input.display().to_string();
    let data = read_input(&args.input)?;
    let error_column = format!("{}_error", args.column);
    let mut inputs = vec![args.input.as_path()];
    inputs.extend(args.keyset.as_deref());
    let mut out = Output::create(args.output.as_deref(), &inputs)?;
    batch::process(
        &data,
        &file,
        |header| {
            let column = header.require(&args.column, &file)?;
            if header.find(&error_column).is_some() {
                return Err(CliError::msg(format!(
                    "{file} already has a `{error_column}` column, which the output needs"
                )));
            }
            let mut names = header.names.clone();
            names.push(error_column.clone());
            let reading = Reading {
                column,
                region,
                wa_id: args.wa_id,
                mobile_only: args.mobile_only,
            };
            Ok((names, reading))
        },
        &mut out,
        |reading, record, writer| {
            let value = text(record, reading.column, &args.column)?;
            let outcome = reading
                .number(value)
                .map(|number| pseudonymizer.pseudonymize(&Subject::phone(&number)));
            for (index, field) in record.iter().enumerate() {
                if index == reading.column {
                    match &outcome {
                        Ok(pseudonym) => writer.write_field(pseudonym.to_string())?,
                        Err(_) => writer.write_field("")?,
                    }
                } else {
                    writer.write_field(field)?;
                }
            }
            match &outcome {
                Ok(_) => writer.write_field("")?,
                Err(error) => writer.write_field(error.name())?,
            }
            writer.write_record(None::<&[u8]>)?;
            Ok(())
        },
    )?;
    out.commit()
}
