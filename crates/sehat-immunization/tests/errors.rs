//! Bad input gives typed errors that name the patient and the field, never a panic.
#![cfg(all(feature = "cdsi-us", feature = "id-kemenkes"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_immunization::{
    KemenkesOptions, Patient, PatientError, PatientRecord, Schedule, Sex, assess,
};
use time::macros::date;

#[test]
fn unknown_vaccine() {
    let p = Patient::new(date!(2025 - 01 - 01), Sex::Female)
        .with_id("anak-9")
        .dose(date!(2025 - 03 - 01), "DPT-HB-Hib")
        .dose(date!(2025 - 03 - 01), "Sinovac");
    let err = assess(&p, Schedule::id_kemenkes().unwrap(), date!(2025 - 04 - 01)).unwrap_err();
    assert!(
        matches!(&err, PatientError::UnknownVaccine { dose: 2, vaccine, .. } if vaccine == "Sinovac"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "patient \"anak-9\": dose 2: unknown vaccine \"Sinovac\" in schedule id-kemenkes"
    );
    // A CVX code the US schedule does not know.
    let p = Patient::new(date!(2025 - 01 - 01), Sex::Male).dose(date!(2025 - 03 - 01), "99999");
    assert!(matches!(
        assess(&p, Schedule::cdsi_us().unwrap(), date!(2025 - 04 - 01)),
        Err(PatientError::UnknownVaccine { dose: 1, .. })
    ));
}

#[test]
fn dates_before_birth() {
    let schedule = Schedule::id_kemenkes().unwrap();
    let p = Patient::new(date!(2025 - 01 - 01), Sex::Female)
        .with_id("a")
        .dose(date!(2024 - 12 - 31), "BCG");
    let err = assess(&p, schedule, date!(2025 - 02 - 01)).unwrap_err();
    assert!(
        matches!(err, PatientError::DoseBeforeBirth { dose: 1, .. }),
        "{err:?}"
    );
    let p = Patient::new(date!(2025 - 01 - 01), Sex::Female).with_id("b");
    let err = assess(&p, schedule, date!(2024 - 01 - 01)).unwrap_err();
    assert!(
        matches!(err, PatientError::AssessmentBeforeBirth { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("patient \"b\": assessment_date 2024-01-01")
    );
}

#[test]
fn malformed_dates_and_fields_in_records() {
    let schedule = Schedule::id_kemenkes().unwrap();
    for (json, field) in [
        (
            r#"{"id":"r1","dob":"2025-02-30","assessment_date":"2025-03-01"}"#,
            "dob",
        ),
        (
            r#"{"id":"r2","dob":"2025-01-01","assessment_date":"03/01/2025"}"#,
            "assessment_date",
        ),
        (
            r#"{"id":"r3","dob":"2025-01-01","assessment_date":"2025-03-01","doses":[{"date_administered":"2025-2-1","vaccine_name":"BCG"}]}"#,
            "doses[0].date_administered",
        ),
        (
            r#"{"id":"r4","dob":"2025-01-01","gender":"X","assessment_date":"2025-03-01"}"#,
            "gender",
        ),
        (
            r#"{"id":"r5","dob":"2025-01-01","assessment_date":"2025-03-01","doses":[{"date_administered":"2025-02-01"}]}"#,
            "doses[0]",
        ),
        (
            r#"{"id":"r6","dob":"2025-01-01","assessment_date":"2025-03-01","vaccine_group":"Dengue"}"#,
            "vaccine_group",
        ),
    ] {
        let record: PatientRecord = serde_json::from_str(json).unwrap();
        let err = record.forecast(schedule).unwrap_err();
        match &err {
            PatientError::InvalidField {
                field: f, patient, ..
            } => {
                assert_eq!(f, field, "{json}");
                assert!(patient.starts_with("\"r"), "{err}");
            }
            other => panic!("{json}: {other:?}"),
        }
    }
}

#[test]
fn invalid_schedule_files_name_the_place() {
    let toml = include_str!("../data/id-kemenkes.toml");
    let options = KemenkesOptions::default();
    let broken = toml.replacen("max_age = \"12m\"", "max_age = \"12 moons\"", 1);
    let err = Schedule::from_kemenkes_toml(&broken, &options).unwrap_err();
    assert_eq!(err.source_name(), "id-kemenkes.toml");
    assert_eq!(err.location(), "series \"bcg\" dose 1 max_age");
    let unknown = toml.replacen("vaccines = [\"BCG\"]", "vaccines = [\"BCG2\"]", 1);
    let err = Schedule::from_kemenkes_toml(&unknown, &options).unwrap_err();
    assert!(
        err.to_string().contains("unknown vaccine \"BCG2\""),
        "{err}"
    );
    let err = Schedule::from_kemenkes_toml("[schedule\nid=1", &options).unwrap_err();
    assert!(err.location().starts_with("line"), "{err}");
    let err = Schedule::from_cdsi_xml("<scheduleSupportingData><cvxToAntigenMap><cvxMap><cvx/></cvxMap></cvxToAntigenMap></scheduleSupportingData>", &[]).unwrap_err();
    assert_eq!(err.location(), "cvxMap 1 cvx");
    let err = Schedule::from_cdsi_xml(
        "<scheduleSupportingData/>",
        &[("Bad", "<antigenSupportingData><series><seriesName>S</seriesName><seriesType>Standard</seriesType><seriesDose><age><minAge>six weeks</minAge></age></seriesDose></series></antigenSupportingData>")],
    )
    .unwrap_err();
    assert_eq!(err.source_name(), "AntigenSupportingData-Bad.xml");
    assert_eq!(err.location(), "series \"S\" dose 1 minAge");
}

#[test]
fn school_and_screening_series_errors_name_the_place() {
    let toml = include_str!("../data/id-kemenkes.toml");
    let options = KemenkesOptions::default();
    let broken = toml.replacen("bias_month = 8", "bias_month = 13", 1);
    let err = Schedule::from_kemenkes_toml(&broken, &options).unwrap_err();
    assert_eq!(err.location(), "series \"bias\" dose 1 bias_month");
    assert!(err.to_string().contains("13 is not a month"), "{err}");
    let broken = toml.replacen("age_proxy = \"7y\"\n", "", 1);
    let err = Schedule::from_kemenkes_toml(&broken, &options).unwrap_err();
    assert_eq!(err.location(), "series \"bias\" dose 1 age_proxy");
    let broken = toml.replacen("trigger = \"school_grade\"", "trigger = \"moon_phase\"", 1);
    let err = Schedule::from_kemenkes_toml(&broken, &options).unwrap_err();
    assert_eq!(err.location(), "series \"bias\" trigger");
    let broken = toml.replacen(
        "population = \"wanita usia subur\"",
        "population = \"pekerja\"",
        1,
    );
    let err = Schedule::from_kemenkes_toml(&broken, &options).unwrap_err();
    assert_eq!(err.location(), "series \"td-wus\" applies_to.population");
    let broken = toml.replacen(
        "from = \"2024\", doses = 2",
        "from = \"2024\", doses = 4000000",
        1,
    );
    let err = Schedule::from_kemenkes_toml(&broken, &options).unwrap_err();
    assert_eq!(err.location(), "series \"hpv\" versions[1].doses");
}

/// A spreadsheet writes CVX 10 (IPV) as `10.0`; reading it as 100 (PCV) would record a
/// dose the child never had. Every such value is refused, naming patient, dose and value.
#[test]
fn cvx_codes_are_digits_only() {
    let schedule = Schedule::cdsi_us().unwrap();
    for value in [
        "10.0", "1.0", "2.0", "20.0", "-1", "1e1", "10-0", "1 0", "１０", "ten",
    ] {
        let json = format!(
            r#"{{"id":"x","dob":"2025-01-10","gender":"F","assessment_date":"2025-04-20",
                "doses":[{{"seq":1,"date_administered":"2025-03-01","cvx":"20"}},
                         {{"seq":2,"date_administered":"2025-03-01","cvx":"{value}"}}]}}"#
        );
        let record: PatientRecord = serde_json::from_str(&json).unwrap();
        let err = record.forecast(schedule).unwrap_err();
        assert_eq!(
            err,
            PatientError::InvalidCvx {
                patient: "\"x\"".into(),
                dose: 2,
                value: value.into()
            }
        );
        assert!(
            err.to_string().starts_with(&format!(
                "patient \"x\": dose 2: cvx \"{value}\" is not a CVX code"
            )),
            "{err}"
        );
        // The library's own lookup agrees: no vaccine is found under such a code.
        assert!(schedule.vaccine(value).is_none(), "{value}");
    }
    // Digits with leading zeros and surrounding spaces are the same code.
    for (value, same) in [
        ("010", "10"),
        (" 10 ", "10"),
        ("0020", "20"),
        ("100", "100"),
    ] {
        assert_eq!(
            schedule.vaccine(value).map(|v| v.code()),
            schedule.vaccine(same).map(|v| v.code()),
            "{value}"
        );
    }
    assert_ne!(
        schedule.vaccine("10").map(|v| v.code()),
        schedule.vaccine("100").map(|v| v.code())
    );
}

/// Names are read ignoring case and separators, but never by merging digits.
#[test]
fn vaccine_names_read_one_way() {
    let schedule = Schedule::id_kemenkes().unwrap();
    let pentavalent = schedule.vaccine("DPT-HB-Hib").unwrap();
    for spelling in ["dpt hb hib", "DPT_HB_Hib", "DPT.HB.Hib"] {
        assert_eq!(schedule.vaccine(spelling), Some(pentavalent), "{spelling}");
    }
    assert!(schedule.vaccine("HB0").is_some());
    for not_a_name in ["H B 0 0", "-", "", "..", "0.0"] {
        assert!(schedule.vaccine(not_a_name).is_none(), "{not_a_name:?}");
    }
    assert!(schedule.vaccine_group("MR (BIAS)").is_some());
    assert!(schedule.vaccine_group("10.0").is_none());
}

/// A misspelt region would quietly select no JE series.
#[test]
fn regions_are_checked() {
    let schedule = Schedule::id_kemenkes().unwrap();
    for bad in ["Bali", "BA", "ID-XX", "IDBA", "ID BA"] {
        let p = Patient::new(date!(2025 - 01 - 01), Sex::Female)
            .with_id("r")
            .in_region(bad);
        let err = assess(&p, schedule, date!(2025 - 12 - 01)).unwrap_err();
        assert!(
            matches!(&err, PatientError::InvalidField { field, .. } if field == "region"),
            "{bad}: {err:?}"
        );
        assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
    }
    for good in ["ID-BA", "id-ba", "US-CA"] {
        let p = Patient::new(date!(2025 - 01 - 01), Sex::Female).in_region(good);
        assert!(
            assess(&p, schedule, date!(2025 - 12 - 01)).is_ok(),
            "{good}"
        );
    }
}
