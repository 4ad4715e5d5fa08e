//! `sehat anthro zscores` and `prevalence` on Kemenkes-style exports: dates of birth and
//! visit instead of an age, Indonesian column names and codes. The same children in
//! WHO's format must give exactly the same output; a date that does not exist, a visit
//! before the birth and a code without a value are errors naming the row and column.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};

use support::{Table, assert_ran, read_csv, sehat, stderr_of_failure};
use time::{Date, Duration, Month};

fn public_survey() -> Table {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sehat-anthro/tests/data/prevalence/survey_0_5_public.csv");
    read_csv(&std::fs::read(path).unwrap())
}

fn write(dir: &Path, name: &str, header: &[&str], rows: &[Vec<String>]) -> PathBuf {
    let mut text = header.join(",");
    text.push('\n');
    for row in rows {
        text.push_str(&row.join(","));
        text.push('\n');
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn column(table: &Table, name: &str) -> usize {
    table.0.iter().position(|h| h == name).unwrap()
}

/// The public survey twice: in WHO's columns with the age in whole days, and as a
/// Kemenkes export (jk L/P in mixed case, bb, tb, cara_ukur berdiri/terlentang,
/// tgl_lahir and tgl_ukur that many days apart, over several leap years).
fn survey_pair(dir: &Path, date_format: &str) -> (PathBuf, PathBuf) {
    let table = public_survey();
    let at = |name| column(&table, name);
    let design = [
        "oedema", "sw", "cluster", "strata", "typeres", "gregion", "wealthq", "mothered", "othergr",
    ];
    let who_header = [
        "sex",
        "age",
        "is_age_in_month",
        "weight",
        "lenhei",
        "measure",
        "oedema",
        "sw",
        "cluster",
        "strata",
        "typeres",
        "gregion",
        "wealthq",
        "mothered",
        "othergr",
    ];
    let id_header: Vec<&str> = ["jk", "tgl_lahir", "tgl_ukur", "bb", "tb", "cara_ukur"]
        .into_iter()
        .chain(design)
        .collect();
    let first = Date::from_calendar_date(2016, Month::January, 1).unwrap();
    let (mut who, mut id) = (Vec::new(), Vec::new());
    for (i, row) in table.1.iter().enumerate() {
        let days = row[at("age")].parse::<f64>().unwrap().floor() as i64;
        let sex = &row[at("sex")];
        let measure = &row[at("measure")];
        let mut w: Vec<String> = vec![
            sex.clone(),
            days.to_string(),
            "FALSE".into(),
            row[at("weight")].clone(),
            row[at("lenhei")].clone(),
            measure.clone(),
        ];
        let jk = match (sex.as_str(), i % 3) {
            ("1" | "m" | "M", 0) => "L",
            ("1" | "m" | "M", 1) => " l ",
            ("1" | "m" | "M", _) => "L",
            ("2" | "f" | "F", 1) => "p",
            ("2" | "f" | "F", _) => "P",
            _ => "",
        };
        let cara_ukur = match (measure.as_str(), i % 2) {
            ("l" | "L", 0) => "terlentang",
            ("l" | "L", _) => "Terlentang",
            ("h" | "H", 0) => "berdiri",
            ("h" | "H", _) => "BERDIRI",
            _ => "",
        };
        let dob = first + Duration::days((i as i64 * 53) % 1500);
        let visit = dob + Duration::days(days);
        let date = |d: Date| match date_format {
            "dmy" => format!("{}/{}/{}", d.day(), u8::from(d.month()), d.year()),
            _ => d.to_string(),
        };
        let mut k: Vec<String> = vec![
            jk.into(),
            date(dob),
            date(visit),
            row[at("weight")].clone(),
            row[at("lenhei")].clone(),
            cara_ukur.into(),
        ];
        for name in design {
            w.push(row[at(name)].clone());
            k.push(row[at(name)].clone());
        }
        who.push(w);
        id.push(k);
    }
    (
        write(dir, "who.csv", &who_header, &who),
        write(dir, "export.csv", &id_header, &id),
    )
}

fn run_to_file(args: &[&str], out: &Path) -> Vec<u8> {
    let mut all = args.to_vec();
    all.extend(["--output", out.to_str().unwrap()]);
    assert_ran(&sehat(&all));
    std::fs::read(out).unwrap()
}

#[test]
fn a_kemenkes_export_gives_the_prevalence_table_of_the_who_file() {
    let dir = tempfile::tempdir().unwrap();
    let (who, export) = survey_pair(dir.path(), "iso");
    let theirs = run_to_file(
        &["anthro", "prevalence", who.to_str().unwrap()],
        &dir.path().join("who_table.csv"),
    );
    let ours = run_to_file(
        &[
            "anthro",
            "prevalence",
            "--preset",
            "kemenkes",
            export.to_str().unwrap(),
        ],
        &dir.path().join("export_table.csv"),
    );
    assert_eq!(
        String::from_utf8(ours).unwrap(),
        String::from_utf8(theirs.clone()).unwrap()
    );
    // The table is the full one: 37 groups, and the "All" row counts the children
    // with a height-for-age z.
    let (_, rows) = read_csv(&theirs);
    assert_eq!(rows.len(), 37);
    assert_eq!(rows[0][0], "All");
    let unweighted: f64 = rows[0][2].parse().unwrap();
    assert!((1200.0..2000.0).contains(&unweighted), "{unweighted}");
}

#[test]
fn explicit_maps_and_day_month_year_dates_give_the_zscores_of_the_who_file() {
    let dir = tempfile::tempdir().unwrap();
    let (who, export) = survey_pair(dir.path(), "dmy");
    let theirs = run_to_file(
        &["anthro", "zscores", "--no-round", who.to_str().unwrap()],
        &dir.path().join("who_z.csv"),
    );
    let ours = run_to_file(
        &[
            "anthro",
            "zscores",
            "--no-round",
            "--map",
            "sex=jk,weight=bb,lenhei=tb",
            "--map",
            "measure=cara_ukur",
            "--values",
            "sex:L=1,P=2",
            "--values",
            "measure:berdiri=h,terlentang=l",
            "--dob",
            "tgl_lahir",
            "--visit",
            "tgl_ukur",
            "--date-format",
            "dmy",
            export.to_str().unwrap(),
        ],
        &dir.path().join("export_z.csv"),
    );
    let (theirs, ours) = (read_csv(&theirs), read_csv(&ours));
    assert_eq!(theirs.1.len(), 2000);
    assert_eq!(ours.1.len(), 2000);
    // The appended columns (clenhei … fss) are the same; the input columns differ.
    let appended = 21;
    assert_eq!(
        theirs.0[theirs.0.len() - appended..],
        ours.0[ours.0.len() - appended..]
    );
    let zwei = theirs.0.len() - appended + 7;
    assert_eq!(theirs.0[zwei], "zwei");
    let mut with_z = 0;
    for (a, b) in theirs.1.iter().zip(&ours.1) {
        assert_eq!(a[a.len() - appended..], b[b.len() - appended..]);
        with_z += usize::from(!a[zwei].is_empty());
    }
    assert!(with_z > 1500, "{with_z}");
}

/// Runs `zscores --no-round` on a small file and returns its rows.
fn zscores_of(dir: &Path, name: &str, text: &str, args: &[&str]) -> Table {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let mut all = vec!["anthro", "zscores", "--no-round"];
    all.extend_from_slice(args);
    all.push(path.to_str().unwrap());
    let out = sehat(&all);
    assert_ran(&out);
    read_csv(&out.stdout)
}

#[test]
fn leap_day_births_count_every_calendar_day() {
    let dir = tempfile::tempdir().unwrap();
    // Born on 29 February 2020: 1 day to 1 March 2020, 365 to 28 February 2021, 366 to
    // 1 March 2021, 1460 to 28 February 2024 and 1461 to 29 February 2024.
    let visits = [
        ("2020-03-01", 1),
        ("2021-02-28", 365),
        ("2021-03-01", 366),
        ("2024-02-28", 1460),
        ("2024-02-29", 1461),
    ];
    let mut export = String::from("jk,tgl_lahir,tgl_ukur,bb,tb,cara_ukur\n");
    let mut who = String::from("sex,age,weight,lenhei,measure\n");
    for (visit, days) in visits {
        export.push_str(&format!("P,2020-02-29,{visit},9.1,75.2,terlentang\n"));
        who.push_str(&format!("2,{days},9.1,75.2,l\n"));
    }
    let ours = zscores_of(dir.path(), "export.csv", &export, &["--preset", "kemenkes"]);
    let theirs = zscores_of(dir.path(), "who.csv", &who, &[]);
    let zwei = column(&theirs, "zwei");
    let ours_zwei = column(&ours, "zwei");
    let mut values = Vec::new();
    for (a, b) in theirs.1.iter().zip(&ours.1) {
        assert_eq!(a[zwei], b[ours_zwei]);
        values.push(a[zwei].clone());
    }
    // Each day gives its own z (the tables are daily).
    values.dedup();
    assert_eq!(values.len(), 5);

    // 5-19 years: the age in months is the days / 30.4375.
    let mut export = String::from("jk,tgl_lahir,tgl_ukur,bb,tb\n");
    let mut who = String::from("sex,age_in_months,weight_in_kg,height_in_cm\n");
    for (visit, born) in [("2020-03-01", "2012-02-29"), ("2024-02-29", "2012-02-29")] {
        let days = Date::parse(visit, &time::format_description::well_known::Iso8601::DATE)
            .unwrap()
            .to_julian_day()
            - Date::parse(born, &time::format_description::well_known::Iso8601::DATE)
                .unwrap()
                .to_julian_day();
        export.push_str(&format!("L,{born},{visit},25.5,128.1\n"));
        who.push_str(&format!("1,{},25.5,128.1\n", f64::from(days) / 30.4375));
    }
    let ours = zscores_of(
        dir.path(),
        "export7.csv",
        &export,
        &["--standard", "who2007", "--preset", "kemenkes"],
    );
    let theirs = zscores_of(dir.path(), "who7.csv", &who, &["--standard", "who2007"]);
    let zhfa = column(&theirs, "zhfa");
    for (a, b) in theirs.1.iter().zip(&ours.1) {
        assert!(!a[zhfa].is_empty());
        assert_eq!(a[zhfa], b[column(&ours, "zhfa")]);
    }
}

fn failure(dir: &Path, command: &str, text: &str, args: &[&str]) -> String {
    let path = dir.join("in.csv");
    std::fs::write(&path, text).unwrap();
    let mut all = vec!["anthro", command];
    all.extend_from_slice(args);
    all.push(path.to_str().unwrap());
    stderr_of_failure(&sehat(&all))
}

#[test]
fn wrong_dates_and_unmapped_codes_name_the_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let good = "L,2021-01-10,2022-03-01,9.5,75,terlentang\n";
    let head = "jk,tgl_lahir,tgl_ukur,bb,tb,cara_ukur\n";
    let preset = ["--preset", "kemenkes"];
    for command in ["zscores", "prevalence"] {
        let place = |line: usize, column: &str, index: usize| {
            if command == "zscores" {
                format!(
                    "row {} (line {line}), column {index} (`{column}`)",
                    line - 1
                )
            } else {
                format!("line {line}, column {column}")
            }
        };
        // 2023 is not a leap year.
        let e = failure(
            dir,
            command,
            &format!("{head}{good}P,2023-02-29,2024-01-01,9,74,berdiri\n"),
            &preset,
        );
        assert!(e.contains(&place(3, "tgl_lahir", 2)), "{e}");
        assert!(e.contains("`2023-02-29` is not a date YYYY-MM-DD"), "{e}");
        // Day/month order is never guessed.
        let e = failure(
            dir,
            command,
            &format!("{head}{good}{good}P,01/02/2022,2024-01-01,9,74,berdiri\n"),
            &preset,
        );
        assert!(e.contains(&place(4, "tgl_lahir", 2)), "{e}");
        let e = failure(
            dir,
            command,
            &format!("{head}{good}P,2022-05-02,2022-05-01,9,74,berdiri\n"),
            &preset,
        );
        assert!(e.contains(&place(3, "tgl_ukur", 3)), "{e}");
        assert!(
            e.contains("the visit 2022-05-01 is before the date of birth 2022-05-02"),
            "{e}"
        );
        let e = failure(
            dir,
            command,
            &format!("{head}{good}X,2022-05-02,2023-05-01,9,74,berdiri\n"),
            &preset,
        );
        assert!(e.contains(&place(3, "jk", 1)), "{e}");
        assert!(e.contains("the code `X` has no value for sex"), "{e}");
        let e = failure(
            dir,
            command,
            &format!("{head}{good}P,2022-05-02,2023-05-01,9,74,duduk\n"),
            &preset,
        );
        assert!(e.contains(&place(3, "cara_ukur", 6)), "{e}");
        assert!(e.contains("`duduk`"), "{e}");
        // Options that do not fit the file.
        let e = failure(
            dir,
            command,
            &format!("{head}{good}"),
            &["--map", "gender=jk"],
        );
        assert!(e.contains("`gender` is not a column"), "{e}");
        assert!(e.contains("sex, age, is_age_in_month, weight"), "{e}");
        let e = failure(
            dir,
            command,
            &format!("sex,{head}1,{good}"),
            &["--map", "sex=jk"],
        );
        assert!(e.contains("also has a column `sex`"), "{e}");
        let e = failure(dir, command, &format!("age,{head}400,{good}"), &preset);
        assert!(e.contains("also gives `age`"), "{e}");
    }
}
