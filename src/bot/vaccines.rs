//! The next vaccines from a message such as
//! `IMUNISASI lahir 2025-03-10 HB0 BCG bOPV DPT-HB-Hib`, on the Kemenkes schedule.
//!
//! Each vaccine name is one dose given. A dose may carry its date (`DPT-HB-Hib
//! 2025-05-12`); without one, the dose is taken as given on the date the schedule
//! recommends it, after the doses before it, which is what a Buku KIA marked "sudah"
//! without dates usually means. The reply marks those dates as assumed.

use crate::immunization::{Patient, Schedule, SeriesStatus, Sex, assess, completed_months};
use crate::tanggal::{parse as date, tanggal};
use time::Date;

/// The first words that start an immunization question.
const KEYWORDS: [&str; 3] = ["imunisasi", "imun", "vaksin"];

/// A child's birth date and the doses given, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The date of birth.
    pub birth: Date,
    /// Each dose: the vaccine as written, and its date when given.
    pub doses: Vec<(String, Option<Date>)>,
}

/// Whether a message is an immunization question.
pub fn is_request(text: &str) -> bool {
    words(text)
        .first()
        .is_some_and(|w| KEYWORDS.contains(&w.to_lowercase().as_str()))
}

/// Reads an immunization question.
///
/// # Errors
///
/// A sentence in Bahasa Indonesia for the sender: no or an unreadable birth date, or a
/// date that belongs to no vaccine.
///
/// # Examples
///
/// ```
/// use sehat::bot::vaccines::{answer, parse};
/// use sehat::immunization::Schedule;
/// use time::macros::date;
///
/// let request = parse("IMUNISASI lahir 2025-03-10 HB0 2025-03-10")?;
/// assert_eq!(request.birth, date!(2025 - 03 - 10));
/// let reply = answer(&request, Schedule::id_kemenkes()?, date!(2025 - 05 - 01))?;
/// assert!(reply.starts_with("*Jadwal imunisasi* (program Kemenkes)"));
/// assert!(reply.contains("umur 1 bulan"));
/// assert!(parse("imunisasi HB0").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse(text: &str) -> Result<Request, String> {
    let words = words(text);
    let mut birth = None;
    let mut doses: Vec<(String, Option<Date>)> = Vec::new();
    let mut i = 1; // after the keyword
    while i < words.len() {
        let word = words[i];
        let lower = word.to_lowercase();
        if matches!(lower.as_str(), "lahir" | "tgl" | "tanggal") {
            let next = words.get(i + 1).copied().unwrap_or_default();
            birth = Some(date(next).ok_or_else(|| {
                format!("Tanggal lahir \"{next}\" tidak terbaca: tulis misalnya 2025-03-10.")
            })?);
            i += 2;
            continue;
        }
        if let Some(on) = date(word) {
            match doses.last_mut() {
                Some((_, slot @ None)) => *slot = Some(on),
                _ => {
                    return Err(format!(
                        "Tanggal {word} tidak jelas milik vaksin yang mana."
                    ));
                }
            }
        } else {
            doses.push((word.to_owned(), None));
        }
        i += 1;
    }
    let birth = birth.ok_or("Tanggal lahir belum ada: tulis misalnya \"lahir 2025-03-10\".")?;
    Ok(Request { birth, doses })
}

/// The answer on `today`: the doses as counted, then each vaccine still to come.
///
/// # Errors
///
/// A message in Bahasa Indonesia for an unknown vaccine, a date before birth or after
/// `today`, or a dose that cannot be placed on the schedule.
pub fn answer(request: &Request, schedule: &Schedule, today: Date) -> Result<String, String> {
    if request.birth > today {
        return Err(format!(
            "Tanggal lahir {} belum lewat.",
            tanggal(request.birth)
        ));
    }
    let mut doses: Vec<Dose<'_>> = Vec::new();
    let mut given = Vec::new();
    for (written, on) in &request.doses {
        let vaccine = schedule.vaccine(written).ok_or_else(|| {
            let known: Vec<&str> = schedule.vaccine_groups().iter().map(|g| g.name()).collect();
            format!(
                "Vaksin \"{written}\" tidak saya kenal. Yang saya kenal: {}.",
                known.join(", ")
            )
        })?;
        let groups: Vec<&str> = schedule
            .vaccine_groups()
            .iter()
            .filter(|g| {
                g.antigens()
                    .iter()
                    .any(|a| vaccine.antigens().any(|b| b == a))
            })
            .map(|g| g.name())
            .collect();
        let (on, assumed) = match on {
            Some(on) => (*on, false),
            None => {
                // The earlier doses of the same vaccine groups decide when this one is due.
                let earlier: Vec<&Dose<'_>> = doses
                    .iter()
                    .filter(|d| d.groups.iter().any(|g| groups.contains(g)))
                    .collect();
                let as_of = earlier
                    .iter()
                    .map(|d| d.date)
                    .fold(request.birth, Date::max);
                let history = patient(request.birth, earlier);
                (
                    recommended_date(&history, schedule, &groups, written, as_of, today)?,
                    true,
                )
            }
        };
        if on < request.birth || on > today {
            return Err(format!(
                "{written} {}: tanggal harus di antara tanggal lahir dan hari ini.",
                tanggal(on)
            ));
        }
        doses.push(Dose {
            groups,
            code: vaccine.code(),
            date: on,
        });
        given.push(format!(
            "{written} {}{}",
            tanggal(on),
            if assumed { "*" } else { "" }
        ));
    }

    let assessment = assess(&patient(request.birth, &doses), schedule, today)
        .map_err(|e| format!("Tidak bisa dihitung: {e}"))?;
    // `answer` refused a birth after `today` above, so this is never negative.
    let months = completed_months(request.birth, today).max(0);
    let mut out = format!(
        "*Jadwal imunisasi* (program Kemenkes)\nLahir {}, umur {months} bulan pada {}.\n",
        tanggal(request.birth),
        tanggal(today)
    );
    if given.is_empty() {
        out.push_str("Belum ada dosis tercatat.\n");
    } else {
        out.push_str(&format!("Tercatat: {}\n", given.join(", ")));
        if given.iter().any(|g| g.ends_with('*')) {
            out.push_str("(* tanggal diasumsikan: umur yang dianjurkan)\n");
        }
    }

    let mut next: Vec<_> = assessment
        .groups
        .iter()
        .filter(|g| g.status == SeriesStatus::NotComplete)
        .filter_map(|g| g.recommended_date.map(|d| (d, g)))
        .collect();
    next.sort_by_key(|(d, _)| *d);
    if !next.is_empty() {
        out.push_str("\nBerikutnya:\n");
    }
    for (recommended, group) in next {
        let dose = group.dose_label.clone().unwrap_or_else(|| {
            format!(
                "{} dosis {}",
                group.group,
                group.forecast_dose_number.unwrap_or(1)
            )
        });
        let when = if group.is_overdue_on(today) {
            "TERLAMBAT, segera kejar"
        } else if group.is_due_on(today) {
            "sudah waktunya"
        } else {
            "belum waktunya"
        };
        out.push_str(&format!(
            "• {dose}: dianjurkan {} — {when}",
            tanggal(recommended)
        ));
        if let Some(band) = &group.band_label {
            out.push_str(&format!(" ({band})"));
        }
        out.push('\n');
    }
    let with_status = |status: SeriesStatus| -> Vec<&str> {
        assessment
            .groups
            .iter()
            .filter(|g| g.status == status)
            .map(|g| g.group.as_str())
            .collect()
    };
    let complete = with_status(SeriesStatus::Complete);
    if !complete.is_empty() {
        out.push_str(&format!("\nLengkap: {}\n", complete.join(", ")));
    }
    let aged_out = with_status(SeriesStatus::AgedOut);
    if !aged_out.is_empty() {
        out.push_str(&format!("Lewat batas umur: {}\n", aged_out.join(", ")));
    }
    Ok(out.trim_end().to_owned())
}

/// A dose as counted: the vaccine groups it counts for, the vaccine's code, its date.
struct Dose<'s> {
    groups: Vec<&'s str>,
    code: &'s str,
    date: Date,
}

/// The child with these doses.
fn patient<'d, 's: 'd>(birth: Date, doses: impl IntoIterator<Item = &'d Dose<'s>>) -> Patient {
    doses
        .into_iter()
        .fold(Patient::new(birth, Sex::Unknown), |child, dose| {
            child.dose(dose.date, dose.code)
        })
}

/// The date the schedule recommends the next dose in `groups`, after `history` (the
/// earlier doses of those groups), as of the last of them.
fn recommended_date(
    history: &Patient,
    schedule: &Schedule,
    groups: &[&str],
    written: &str,
    as_of: Date,
    today: Date,
) -> Result<Date, String> {
    let assessment =
        assess(history, schedule, as_of).map_err(|e| format!("Tidak bisa dihitung: {e}"))?;
    let date = groups
        .iter()
        .filter_map(|name| assessment.group(name))
        .filter(|g| g.status == SeriesStatus::NotComplete)
        .filter_map(|g| g.recommended_date)
        .min()
        .ok_or_else(|| {
            format!("{written}: semua dosisnya sudah tercatat; tulis tanggal dosis tambahan ini.")
        })?;
    if date > today {
        return Err(format!(
            "{written}: dosis berikutnya baru dianjurkan {}; jika sudah diberikan, tulis \
             tanggalnya sesudah nama vaksin, misalnya \"{written} {today}\".",
            tanggal(date)
        ));
    }
    Ok(date)
}

/// Words split on spaces, commas and semicolons.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|w| !w.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn reads_birth_date_and_doses_with_or_without_dates() {
        let request =
            parse("IMUNISASI lahir 2025-03-10 HB0 BCG, bOPV DPT-HB-Hib 12/05/2025").unwrap();
        assert_eq!(request.birth, date!(2025 - 03 - 10));
        assert_eq!(
            request.doses,
            vec![
                ("HB0".to_owned(), None),
                ("BCG".to_owned(), None),
                ("bOPV".to_owned(), None),
                ("DPT-HB-Hib".to_owned(), Some(date!(2025 - 05 - 12))),
            ]
        );
        assert!(is_request("imunisasi lahir 10-03-2025"));
        assert!(
            parse("imunisasi HB0")
                .unwrap_err()
                .contains("Tanggal lahir")
        );
        assert_eq!(tanggal(date!(2025 - 03 - 10)), "10 Maret 2025");
        assert_eq!(
            completed_months(date!(2025 - 03 - 10), date!(2026 - 03 - 09)),
            11
        );
    }
}
