//! Runs `examples/survey.rs` on the bundled survey and checks what it prints and writes.

mod support;

#[test]
fn survey_prints_prevalence_by_sex_and_age_group_and_writes_zscores() {
    let dir = tempfile::tempdir().unwrap();
    let zscores = dir.path().join("z.csv");
    let out = support::run_example("survey", &["--zscores", zscores.to_str().unwrap()]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("Survey: examples/data/survey.csv (2000 children)"),
        "{out}"
    );
    for group in [
        "all",
        "boys",
        "girls",
        "0-5 months",
        "6-11 months",
        "12-23 months",
        "24-35 months",
        "36-47 months",
        "48-59 months",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(&format!("{group} "))),
            "no row for {group}:\n{out}"
        );
    }

    // The z-score file has every input row, in order, with WHO's z-scores and flags.
    let mut reader = csv::Reader::from_path(&zscores).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (zlen, flen, lenhei) = (col("zlen"), col("flen"), col("lenhei"));
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2000);
    assert_eq!(&records[0][0], "S00001");
    assert_eq!(&records[1999][0], "S02000");

    // Recount stunting from the written file: the printed prevalence must agree with it.
    let (mut cases, mut of) = (0, 0);
    for record in &records {
        if record[zlen].is_empty() || &record[flen] == "1" {
            continue;
        }
        of += 1;
        if record[zlen].parse::<f64>().unwrap() < -2.0 {
            cases += 1;
        }
    }
    assert!(of > 1900, "{of} usable length-for-age z-scores");
    let all = lines.iter().find(|l| l.starts_with("all ")).unwrap();
    assert!(
        all.contains(&format!("({cases}/{of})")),
        "stunting {cases}/{of} not in `{all}`"
    );

    // Rows without a measurement have no z-score rather than a made-up one.
    let missing = records.iter().filter(|r| r[lenhei].is_empty()).count();
    assert!(missing > 0);
    assert!(
        records
            .iter()
            .filter(|r| r[lenhei].is_empty())
            .all(|r| r[zlen].is_empty())
    );
}

#[test]
fn survey_names_the_row_and_column_of_an_unreadable_value() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "sex,age,weight\n1,300,9.1\n2,310,heavy\n").unwrap();
    let (status, _stdout, stderr) = support::run_example_status("survey", &[bad.to_str().unwrap()]);
    assert!(!status.success());
    assert!(stderr.contains("line 3, column `weight`"), "{stderr}");
}

/// The survey is read by sehat-anthro's `who_table`, as `sehat anthro zscores` reads it:
/// `NA` is missing, `True` is R's spelling of TRUE, a negative age is refused.
#[test]
fn survey_reads_the_table_as_the_cli_does() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "sex,age,is_age_in_month,weight,lenhei,measure,oedema\n\
         1,14,True,9.1,NA,NA,n\n\
         2,NA,NA,NA,NA,NA,NA\n\
         F,400,FALSE,9.5,76,l,NA\n",
    )
    .unwrap();
    let (status, stdout, stderr) = support::run_example_status("survey", &[good.to_str().unwrap()]);
    assert!(status.success(), "{stderr}");
    assert!(stdout.contains("(3 children)"), "{stdout}");
    let all = stdout.lines().find(|l| l.starts_with("all ")).unwrap();
    // Two weights, one length: NA counted nowhere.
    assert!(all.contains("(0/1)") && all.contains("/2)"), "{all}");

    let negative = dir.path().join("negative.csv");
    std::fs::write(&negative, "sex,age,weight\n1,300,9.1\n2,-3,8.0\n").unwrap();
    let (status, _stdout, stderr) =
        support::run_example_status("survey", &[negative.to_str().unwrap()]);
    assert!(!status.success());
    assert!(
        stderr.contains("line 3, column `age`: negative age -3"),
        "{stderr}"
    );
}
