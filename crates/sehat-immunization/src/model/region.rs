//! ISO 3166-2 region codes, which select regional series (JE in some provinces).

/// The 38 provinces of Indonesia (ISO 3166-2:ID), without the `ID-` prefix.
const ID_PROVINCES: [&str; 38] = [
    "AC", "BA", "BB", "BE", "BT", "GO", "JA", "JB", "JI", "JK", "JT", "KB", "KI", "KR", "KS", "KT",
    "KU", "LA", "MA", "MU", "NB", "NT", "PA", "PB", "PD", "PE", "PS", "PT", "RI", "SA", "SB", "SG",
    "SN", "SR", "SS", "ST", "SU", "YO",
];

/// Checks that `region` is an ISO 3166-2 subdivision code (`CC-XXX`: two letters, a
/// hyphen, one to three letters or digits; either case), and, for Indonesia, one of
/// its provinces. A misspelt region must not quietly select no regional series.
pub(crate) fn check(region: &str) -> Result<(), String> {
    let well_formed = region
        .split_once('-')
        .is_some_and(|(country, subdivision)| {
            country.len() == 2
                && country.bytes().all(|b| b.is_ascii_alphabetic())
                && (1..=3).contains(&subdivision.len())
                && subdivision.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    if !well_formed {
        return Err(format!(
            "{region:?} is not an ISO 3166-2 region code (such as \"ID-YO\")"
        ));
    }
    let (country, subdivision) = region.split_at(2);
    if country.eq_ignore_ascii_case("ID")
        && !ID_PROVINCES
            .iter()
            .any(|p| p.eq_ignore_ascii_case(&subdivision[1..]))
    {
        return Err(format!(
            "{region:?} is not a province of Indonesia (ISO 3166-2:ID, such as \"ID-YO\")"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn regions_are_iso_codes() {
        for ok in ["ID-YO", "id-ba", "ID-Kb", "US-CA", "FR-75C", "ID-PD"] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        for bad in [
            "", "YO", "IDYO", "ID YO", "ID-", "ID-YOGY", "Bali", "ID-XX", "I-YO", "ID_YO",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check("ID-XX").unwrap_err(),
            "\"ID-XX\" is not a province of Indonesia (ISO 3166-2:ID, such as \"ID-YO\")"
        );
    }
}
