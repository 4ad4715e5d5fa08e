//! `sehat anthro report`: the survey analysis of `anthro prevalence` as one
//! self-contained HTML page, with WHO Anthro Survey Analyser's pictures: each
//! indicator's z-score distribution against the standard normal, and the prevalence
//! below −2 SD by group with its interval, above the full table.

mod chart;
mod density;
mod page;
mod sample;

use std::io::Write;

use clap::Args as ClapArgs;
use time::OffsetDateTime;
use time::macros::format_description;

use super::prevalence::{self, Survey};
use crate::error::{CliError, Result};
use crate::io::Output;

/// Arguments of `sehat anthro report`: those of `sehat anthro prevalence`, so that a
/// file that works for one works for the other.
#[derive(Debug, ClapArgs)]
#[group(skip)]
pub struct Args {
    #[command(flatten)]
    survey: prevalence::Args,
}

/// Runs `sehat anthro report`.
pub fn run(args: &Args) -> Result {
    let args = &args.survey;
    let survey = Survey::read(args)?;
    let table = survey.table()?;
    let samples = sample::Samples::of(&survey);
    let generated = OffsetDateTime::now_utc()
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .map_err(|e| CliError::msg(format!("cannot format the date: {e}")))?;
    let input = args.input.display().to_string();
    let html = page::render(
        &page::About {
            input: &input,
            generated: &generated,
        },
        &table,
        &samples,
    );
    let mut out = Output::create(args.output.as_deref(), &[&args.input])?;
    out.write_all(html.as_bytes())
        .map_err(|e| CliError::msg(format!("cannot write the report: {e}")))?;
    out.commit()
}
