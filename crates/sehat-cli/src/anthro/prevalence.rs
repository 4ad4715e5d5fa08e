//! `sehat anthro prevalence`: WHO's survey prevalence table of a CSV file, with the
//! columns, rows and number format of R's `write.csv` of `anthro_prevalence` /
//! `anthroplus_prevalence`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use clap::Args as ClapArgs;
use rayon::prelude::*;
use sehat_anthro::who_table::{
    CodeColumn, ColumnMap, Dates, FieldError, Fields, KEMENKES_2006, KEMENKES_2007, Targets, code,
    measure, number, oedema, sex,
};
use sehat_anthro::{
    Age, Cell, Child, CodedGroupings, GroupingCodes, Measure, PreparedSurvey, PrevalenceTable,
    SchoolAgeChild, Sex, SurveyDesign, school_age_survey_prevalence,
};

use super::mapping::MapArgs;
use super::zscores::StandardName;
use crate::csv_input::{check_header, check_lines};
use crate::error::{CliError, Result};
use crate::io::{Output, read_input};

/// Arguments of `sehat anthro prevalence`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The standard: who2006 (0-5 y, like `anthro_prevalence`) or who2007 (5-19 y, like
    /// `anthroplus_prevalence`).
    #[arg(long, value_enum, default_value_t = StandardName::Who2006)]
    pub(super) standard: StandardName,
    /// Write to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub(super) output: Option<PathBuf>,
    #[command(flatten)]
    pub(super) map: MapArgs,
    /// The input CSV file (comma separated, header line).
    pub(super) input: PathBuf,
}

/// The grouping columns of who2006, in the order of [`CodedGroupings`].
const GROUPINGS: [&str; 5] = ["typeres", "gregion", "wealthq", "mothered", "othergr"];

/// The columns `prevalence --standard who2006` reads.
const PREVALENCE_2006: Targets = Targets {
    name: "prevalence --standard who2006",
    columns: &[
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
    ],
    codes: &[
        "sex", "measure", "oedema", "typeres", "gregion", "wealthq", "mothered", "othergr",
    ],
    age: "age",
    age_unit: Some("is_age_in_month"),
    age_in_months: false,
    kemenkes: KEMENKES_2006,
};

/// The columns `prevalence --standard who2007` reads.
const PREVALENCE_2007: Targets = Targets {
    name: "prevalence --standard who2007",
    columns: &[
        "sex",
        "age_in_months",
        "oedema",
        "height_in_cm",
        "weight_in_kg",
        "sw",
        "cluster",
        "strata",
    ],
    codes: &["sex", "oedema"],
    age: "age_in_months",
    age_unit: None,
    age_in_months: true,
    kemenkes: KEMENKES_2007,
};

/// A survey as read from its file, ready for the estimator (shared with `anthro report`,
/// so that a file `prevalence` reads is read the same way there).
pub(crate) enum Survey {
    /// 0–5 years.
    Who2006(Vec<Measured>, SurveyDesign, Box<CodedGroupings>),
    /// 5–19 years.
    Who2007(Vec<SchoolAgeChild>, SurveyDesign),
}

impl Survey {
    /// Reads the input file of `args` for its standard, through its column map.
    pub(super) fn read(args: &Args) -> Result<Self> {
        let name = args.input.display().to_string();
        let data = read_input(&args.input)?;
        // The lines are checked while the rows are read: the check's error, when there
        // is one, is the answer, as when the check came first.
        let (checked, survey) = rayon::join(
            || check_lines(&data, &name),
            || {
                Input::read_unchecked(&data, &name)
                    .and_then(|input| Self::of(&input, args.standard, &args.map))
            },
        );
        checked?;
        survey
    }

    /// The survey in `input`, read for `standard` through `map`.
    pub(crate) fn of(input: &Input<'_>, standard: StandardName, map: &MapArgs) -> Result<Self> {
        Ok(match standard {
            StandardName::Who2006 => {
                let map = map.resolve(&input.header, &PREVALENCE_2006)?;
                let (children, design, groupings) = input.who2006(&map)?;
                Self::Who2006(children, design, Box::new(groupings))
            }
            StandardName::Who2007 => {
                let map = map.resolve(&input.header, &PREVALENCE_2007)?;
                let (children, design) = input.who2007(&map)?;
                Self::Who2007(children, design)
            }
        })
    }

    /// WHO's prevalence table of the survey.
    pub(crate) fn table(&self) -> Result<PrevalenceTable> {
        Ok(match self {
            Self::Who2006(children, design, groupings) => {
                prepared(children, design, groupings)?.table()?
            }
            Self::Who2007(children, design) => school_age_survey_prevalence(children, design)?,
        })
    }

    /// [`Self::table`], the children's columns freed before the estimation, which
    /// then reuses their memory (a million children are a few hundred MB).
    pub(crate) fn into_table(self) -> Result<PrevalenceTable> {
        match self {
            Self::Who2006(children, design, groupings) => {
                let prepared = prepared(&children, &design, &groupings)?;
                drop((children, design, groupings));
                Ok(prepared.table()?)
            }
            survey @ Self::Who2007(..) => survey.table(),
        }
    }
}

/// The 0–5 survey of `children`, ready for its table.
fn prepared(
    children: &[Measured],
    design: &SurveyDesign,
    groupings: &CodedGroupings,
) -> Result<PreparedSurvey> {
    Ok(PreparedSurvey::coded_from_fn(
        children.len(),
        |i| children[i].child(),
        design,
        groupings,
    )?)
}

/// Runs `sehat anthro prevalence`.
pub fn run(args: &Args) -> Result {
    let table = Survey::read(args)?.into_table()?;
    let mut out = Output::create(args.output.as_deref(), &[&args.input])?;
    write_table(&mut out, &table)
        .map_err(|e| CliError::msg(format!("cannot write the table: {e}")))?;
    out.commit()
}

/// The input file: its header, and its rows as text, one per line.
pub(crate) struct Input<'a> {
    name: String,
    header: Vec<String>,
    body: Cow<'a, [u8]>,
}

/// What a 0–5 survey uses of a [`Child`]: a third of its memory, which for a million
/// children is 100 MB less to fault in.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Measured {
    age: Option<Age>,
    weight_kg: Option<f64>,
    lenhei_cm: Option<f64>,
    sex: Option<Sex>,
    measure: Option<Measure>,
    oedema: bool,
}

impl Measured {
    /// The child of these measurements.
    pub(crate) fn child(&self) -> Child {
        Child {
            sex: self.sex,
            age: self.age,
            weight_kg: self.weight_kg,
            lenhei_cm: self.lenhei_cm,
            measure: self.measure,
            oedema: self.oedema,
            ..Child::default()
        }
    }
}

/// A piece of the input's rows, read by one thread.
struct Piece<'a> {
    text: &'a [u8],
    rows: usize,
}

/// The rows of `text`, each without its line end. `check_lines` has refused blank lines
/// between rows: the empty lines skipped are the ones at the end of the file.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = text;
    std::iter::from_fn(move || {
        while !rest.is_empty() {
            let (line, next) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, &rest[rest.len()..]),
            };
            rest = next;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if !line.is_empty() {
                return Some(line);
            }
        }
        None
    })
}

/// A row's sampling weight, cluster and stratum.
type DesignRow = [Option<f64>; 3];

fn number_at(
    line: &[u8],
    fields: &Fields,
    index: Option<usize>,
) -> std::result::Result<Option<f64>, FieldError> {
    index.map_or(Ok(None), |i| number(fields.get(line, i), i))
}

/// A text field: `None` when missing (empty or `NA`), a doubled quote undone.
fn text_at<'a>(
    line: &'a [u8],
    fields: &Fields,
    column: &'a CodeColumn,
) -> std::result::Result<Option<Cow<'a, [u8]>>, FieldError> {
    let Some(i) = column.index else {
        return Ok(None);
    };
    let text = column.text(line, fields)?;
    if text.is_empty() || text == b"NA" {
        return Ok(None);
    }
    Ok(Some(if fields.is_escaped(i) {
        let mut undone = Vec::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = memchr::memmem::find(rest, b"\"\"") {
            undone.extend_from_slice(&rest[..=at]);
            rest = &rest[at + 2..];
        }
        undone.extend_from_slice(rest);
        Cow::Owned(undone)
    } else {
        Cow::Borrowed(text)
    }))
}

/// Where a row's design columns are.
struct DesignColumns {
    sw: Option<usize>,
    cluster: Option<usize>,
    strata: Option<usize>,
}

impl DesignColumns {
    fn new(map: &ColumnMap) -> Self {
        Self {
            sw: map.find("sw"),
            cluster: map.find("cluster"),
            strata: map.find("strata"),
        }
    }

    /// The column of a row's design value `k` (weight, cluster, stratum).
    fn index(&self, k: usize) -> Option<usize> {
        [self.sw, self.cluster, self.strata]
            .get(k)
            .copied()
            .flatten()
    }

    fn row(&self, line: &[u8], fields: &Fields) -> std::result::Result<DesignRow, FieldError> {
        Ok([
            number_at(line, fields, self.sw)?,
            number_at(line, fields, self.cluster)?,
            number_at(line, fields, self.strata)?,
        ])
    }

    fn design(&self, rows: &[DesignRow]) -> SurveyDesign {
        let column = |index: Option<usize>, k: usize| {
            index.map(|_| rows.iter().map(|r| r[k]).collect::<Vec<_>>())
        };
        SurveyDesign {
            sampling_weights: column(self.sw, 0),
            clusters: column(self.cluster, 1),
            strata: column(self.strata, 2),
        }
    }
}

impl<'a> Input<'a> {
    /// Reads the file `name` whose contents (without a byte-order mark) are `data`.
    pub(crate) fn read(data: &'a [u8], name: &str) -> Result<Self> {
        check_lines(data, name)?;
        Self::read_unchecked(data, name)
    }

    /// [`Self::read`] without `check_lines`, for a caller that checks the lines itself
    /// and puts the check's error first (the rows are split at line ends, which only
    /// the check ensures are not inside a field).
    fn read_unchecked(data: &'a [u8], name: &str) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new().from_reader(data);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| CliError::msg(format!("{name}: cannot read the header: {e}")))?
            .iter()
            .map(str::to_owned)
            .collect();
        check_header(&header, name)?;
        let start = usize::try_from(reader.position().byte())
            .unwrap_or(data.len())
            .min(data.len());
        let body = &data[start..];
        // Lines end at `\n`, `\r\n` or a lone `\r` (as `check_lines` reads them, and no
        // field holds a line end): a lone `\r` becomes `\n`.
        let lone_cr = memchr::memchr_iter(b'\r', body).any(|i| body.get(i + 1) != Some(&b'\n'));
        let body = if lone_cr {
            let mut owned = body.to_vec();
            for i in 0..owned.len() {
                if owned[i] == b'\r' && owned.get(i + 1) != Some(&b'\n') {
                    owned[i] = b'\n';
                }
            }
            Cow::Owned(owned)
        } else {
            Cow::Borrowed(body)
        };
        Ok(Self {
            name: name.to_owned(),
            header,
            body,
        })
    }

    /// The number of rows after the header.
    pub(crate) fn row_count(&self) -> usize {
        lines(&self.body).count()
    }

    /// The prevalence table of the rows by `standard`, with no column map.
    pub(crate) fn prevalence(&self, standard: StandardName) -> Result<PrevalenceTable> {
        Survey::of(self, standard, &MapArgs::default())?.into_table()
    }

    /// An error naming the line (header = line 1) and column.
    fn error(&self, row: usize, e: &FieldError) -> CliError {
        let place = match self.header.get(e.column) {
            Some(column) => format!(", column {column}"),
            None => String::new(),
        };
        CliError::msg(format!(
            "{}: line {}{place}: {}",
            self.name,
            row + 2,
            e.message
        ))
    }

    /// Every row read with `parse`, in pieces in parallel, the pieces in the file's
    /// order; the first row that cannot be read is the error.
    fn rows<T: Send>(
        &self,
        parse: impl Fn(&[u8], &Fields) -> std::result::Result<T, FieldError> + Sync,
    ) -> Result<Vec<Vec<T>>> {
        self.fold_rows(Vec::with_capacity, |out, line, fields| {
            out.push(parse(line, fields)?);
            Ok(())
        })
    }

    /// Every row added with `add` to the value `start` gives for its piece (given the
    /// piece's number of rows, so that its columns are allocated once), in pieces of
    /// about 1 MiB in parallel, the pieces in the file's order; the first row that
    /// cannot be read is the error.
    fn fold_rows<A: Send>(
        &self,
        start: impl Fn(usize) -> A + Sync,
        add: impl Fn(&mut A, &[u8], &Fields) -> std::result::Result<(), FieldError> + Sync,
    ) -> Result<Vec<A>> {
        let pieces = self.pieces();
        let accs = pieces.iter().map(|piece| start(piece.rows)).collect();
        self.fold_pieces(&pieces, accs, add)
    }

    /// The rows cut into pieces of about 1 MiB after a line end, with the number of rows
    /// in each (counted in parallel, as `fold_pieces` will read them).
    fn pieces(&self) -> Vec<Piece<'_>> {
        let body: &[u8] = &self.body;
        let mut texts = Vec::new();
        let mut from = 0;
        while from < body.len() {
            let end = (from + (1 << 20)).min(body.len());
            let end = match memchr::memchr(b'\n', &body[end..]) {
                Some(i) if end < body.len() => end + i + 1,
                _ => body.len(),
            };
            texts.push(&body[from..end]);
            from = end;
        }
        texts
            .into_par_iter()
            .map(|text| Piece {
                text,
                rows: lines(text).count(),
            })
            .collect()
    }

    /// Adds every row of each of `pieces` with `add` to that piece's accumulator in
    /// `accs` (the rows in order, so an accumulator can count them), the pieces in
    /// parallel; the first row that cannot be read is the error.
    fn fold_pieces<A: Send>(
        &self,
        pieces: &[Piece<'_>],
        accs: Vec<A>,
        add: impl Fn(&mut A, &[u8], &Fields) -> std::result::Result<(), FieldError> + Sync,
    ) -> Result<Vec<A>> {
        let columns = self.header.len();
        type Folded<A> = std::result::Result<A, (usize, FieldError)>;
        let folded: Vec<Folded<A>> = pieces
            .par_iter()
            .zip(accs)
            .map(|(piece, mut acc)| {
                let mut fields = Fields::default();
                for (row, line) in lines(piece.text).enumerate() {
                    fields.split(line).map_err(|e| (row, e))?;
                    if fields.len() != columns {
                        return Err((
                            row,
                            FieldError {
                                column: usize::MAX,
                                message: format!(
                                    "{} fields, the header has {columns}",
                                    fields.len()
                                ),
                            },
                        ));
                    }
                    add(&mut acc, line, &fields).map_err(|e| (row, e))?;
                }
                Ok(acc)
            })
            .collect();
        let mut rows = 0;
        let mut accs = Vec::with_capacity(folded.len());
        for (piece, acc) in pieces.iter().zip(folded) {
            match acc {
                Ok(acc) => accs.push(acc),
                Err((row, e)) => return Err(self.error(rows + row, &e)),
            }
            rows += piece.rows;
        }
        Ok(accs)
    }

    fn who2006(&self, map: &ColumnMap) -> Result<(Vec<Measured>, SurveyDesign, CodedGroupings)> {
        let reader = Who2006Rows {
            sex: CodeColumn::new(map, "sex"),
            age: map.find("age"),
            is_age_in_month: map.find("is_age_in_month"),
            weight: map.find("weight"),
            lenhei: map.find("lenhei"),
            measure: CodeColumn::new(map, "measure"),
            oedema: CodeColumn::new(map, "oedema"),
            dates: map.dates(),
            design: DesignColumns::new(map),
            groupings: GROUPINGS.map(|g| CodeColumn::new(map, g)),
        };
        // Each piece of the file is read straight into its rows of the whole columns,
        // which are made once, in parallel (a fresh column of a million rows is also a
        // few hundred thousand page faults, which then fall on both threads).
        let pieces = self.pieces();
        let n = pieces.iter().map(|piece| piece.rows).sum();
        let rows_if = |present: bool| if present { n } else { 0 };
        let mut children: Vec<Measured> = rayon::iter::repeat_n(Measured::default(), n).collect();
        let mut design: [Vec<Option<f64>>; 3] = std::array::from_fn(|k| {
            rayon::iter::repeat_n(None, rows_if(reader.design.index(k).is_some())).collect()
        });
        let mut codes: [Vec<Option<u32>>; 5] = std::array::from_fn(|g| {
            rayon::iter::repeat_n(None, rows_if(reader.groupings[g].index.is_some())).collect()
        });
        let mut child_parts = split_rows(&mut children, &pieces).into_iter();
        let mut design_parts = design
            .each_mut()
            .map(|c| split_rows(c, &pieces).into_iter());
        let mut code_parts = codes.each_mut().map(|c| split_rows(c, &pieces).into_iter());
        let parts: Vec<Who2006Piece<'_>> = pieces
            .iter()
            .map(|_| Who2006Piece {
                row: 0,
                children: child_parts.next().unwrap_or_default(),
                design: design_parts
                    .each_mut()
                    .map(|p| p.next().unwrap_or_default()),
                codes: code_parts.each_mut().map(|p| p.next().unwrap_or_default()),
                texts: Default::default(),
            })
            .collect();
        let texts: Vec<[Texts; 5]> = self
            .fold_pieces(&pieces, parts, |piece, line, fields| {
                reader.add(piece, line, fields)
            })?
            .into_iter()
            .map(|piece| piece.texts)
            .collect();
        // Each piece's texts get the whole column's codes, in the order of the pieces
        // (as appending them one after the other numbers them), then every row is
        // recoded.
        let mut columns: [Texts; 5] = Default::default();
        for (g, (column, codes)) in columns.iter_mut().zip(&mut codes).enumerate() {
            if reader.groupings[g].index.is_none() {
                continue;
            }
            let recode: Vec<Vec<u32>> = texts
                .iter()
                .map(|piece| piece[g].values.iter().map(|v| column.code(v)).collect())
                .collect();
            split_rows(codes, &pieces)
                .into_par_iter()
                .zip(&recode)
                .for_each(|(part, recode)| {
                    for code in part {
                        *code = code.and_then(|c| recode.get(c as usize).copied());
                    }
                });
        }
        drop(texts);
        let [area, region, wealth_quintile, mothers_education, other] = {
            let mut codes = codes.into_iter();
            columns.map(|texts| texts.finish(codes.next().unwrap_or_default()))
        };
        let present = |k: usize, c: GroupingCodes| reader.groupings[k].index.map(|_| c);
        let groupings = CodedGroupings {
            area: present(0, area),
            region: present(1, region),
            wealth_quintile: present(2, wealth_quintile),
            mothers_education: present(3, mothers_education),
            other: present(4, other),
        };
        let [sw, cluster, strata] = design;
        let design = SurveyDesign {
            sampling_weights: reader.design.sw.map(|_| sw),
            clusters: reader.design.cluster.map(|_| cluster),
            strata: reader.design.strata.map(|_| strata),
        };
        Ok((children, design, groupings))
    }

    fn who2007(&self, map: &ColumnMap) -> Result<(Vec<SchoolAgeChild>, SurveyDesign)> {
        let sex_column = CodeColumn::new(map, "sex");
        let oedema_column = CodeColumn::new(map, "oedema");
        let age = map.find("age_in_months");
        let height = map.find("height_in_cm");
        let weight = map.find("weight_in_kg");
        let dates = map.dates();
        let design = DesignColumns::new(map);
        let rows = self.rows(|line, fields| {
            let age_months = match &dates {
                Some(dates) => dates.age(line, fields)?,
                None => number_at(line, fields, age)?,
            };
            let child = SchoolAgeChild {
                sex: sex(line, fields, &sex_column)?,
                age_months,
                height_cm: number_at(line, fields, height)?,
                weight_kg: number_at(line, fields, weight)?,
                oedema: oedema(line, fields, &oedema_column)?,
            };
            for (column, value) in [
                (age, child.age_months),
                (height, child.height_cm),
                (weight, child.weight_kg),
            ] {
                if let (Some(column), Some(v)) = (column, value.filter(|v| *v < 0.0)) {
                    return Err(FieldError {
                        column,
                        message: format!("negative value {v}"),
                    });
                }
            }
            Ok((child, design.row(line, fields)?))
        })?;
        let (children, design_rows): (Vec<_>, Vec<_>) = rows.into_iter().flatten().unzip();
        Ok((children, design.design(&design_rows)))
    }
}

/// Where the who2006 columns are.
struct Who2006Rows {
    sex: CodeColumn,
    age: Option<usize>,
    is_age_in_month: Option<usize>,
    weight: Option<usize>,
    lenhei: Option<usize>,
    measure: CodeColumn,
    oedema: CodeColumn,
    dates: Option<Dates>,
    design: DesignColumns,
    groupings: [CodeColumn; 5],
}

/// The rows of one piece of the file in the whole who2006 columns, and the piece's own
/// codes for the grouping texts.
struct Who2006Piece<'a> {
    /// The next row of the piece.
    row: usize,
    children: &'a mut [Measured],
    /// Sampling weight, cluster, stratum (empty for a column not present).
    design: [&'a mut [Option<f64>]; 3],
    /// Each grouping's code of the row among `texts` (empty for a column not present).
    codes: [&'a mut [Option<u32>]; 5],
    texts: [Texts; 5],
}

/// `column` cut into the rows of each piece (a column not present, empty, into empty
/// parts).
fn split_rows<'a, T>(mut column: &'a mut [T], pieces: &[Piece<'_>]) -> Vec<&'a mut [T]> {
    let present = !column.is_empty();
    pieces
        .iter()
        .map(|piece| {
            let (part, rest) =
                std::mem::take(&mut column).split_at_mut(if present { piece.rows } else { 0 });
            column = rest;
            part
        })
        .collect()
}

impl Who2006Rows {
    /// Reads one row into `piece`.
    fn add(
        &self,
        piece: &mut Who2006Piece<'_>,
        line: &[u8],
        fields: &Fields,
    ) -> std::result::Result<(), FieldError> {
        let age = match &self.dates {
            Some(dates) => dates.age(line, fields)?.map(Age::Days),
            None => {
                let in_months = match self.is_age_in_month {
                    Some(i) => code(fields.get(line, i), i, |t| match t {
                        "TRUE" | "true" | "True" | "T" => Ok(true),
                        "FALSE" | "false" | "False" | "F" => Ok(false),
                        other => Err(format!("is_age_in_month `{other}` is not TRUE or FALSE")),
                    })?,
                    None => None,
                };
                let age = number_at(line, fields, self.age)?;
                if let (Some(a), Some(column)) = (age.filter(|a| *a < 0.0), self.age) {
                    return Err(FieldError {
                        column,
                        message: format!("negative age {a}"),
                    });
                }
                age.map(|a| {
                    if in_months.unwrap_or(false) {
                        Age::Months(a)
                    } else {
                        Age::Days(a)
                    }
                })
            }
        };
        let child = Measured {
            sex: sex(line, fields, &self.sex)?,
            age,
            weight_kg: number_at(line, fields, self.weight)?,
            lenhei_cm: number_at(line, fields, self.lenhei)?,
            measure: measure(line, fields, &self.measure)?,
            oedema: oedema(line, fields, &self.oedema)?,
        };
        let mut groups: [Option<Cow<'_, [u8]>>; 5] = Default::default();
        for (group, column) in groups.iter_mut().zip(&self.groupings) {
            *group = text_at(line, fields, column)?;
        }
        let design = self.design.row(line, fields)?;
        let row = piece.row;
        piece.row += 1;
        if let Some(slot) = piece.children.get_mut(row) {
            *slot = child;
        }
        for (column, value) in piece.design.iter_mut().zip(design) {
            if let Some(slot) = column.get_mut(row) {
                *slot = value;
            }
        }
        for ((codes, group), texts) in piece.codes.iter_mut().zip(groups).zip(&mut piece.texts) {
            if let Some(slot) = codes.get_mut(row) {
                *slot = group.as_deref().map(|text| texts.code(text));
            }
        }
        Ok(())
    }
}

/// The distinct texts of a grouping column as it is read (as bytes; shown as UTF-8, an
/// invalid sequence replaced), numbered in the order they come.
#[derive(Default)]
struct Texts {
    values: Vec<Vec<u8>>,
    /// The code of each text, once there are too many texts to compare each in turn.
    index: HashMap<Vec<u8>, u32>,
}

impl Texts {
    /// Texts compared one by one up to this many, then looked up in the index.
    const FEW: usize = 16;

    /// The code of `text`, a new one if it is new.
    fn code(&mut self, text: &[u8]) -> u32 {
        if self.values.len() <= Self::FEW {
            if let Some(k) = self.values.iter().position(|v| v.as_slice() == text) {
                return u32::try_from(k).unwrap_or(u32::MAX);
            }
        } else if let Some(&k) = self.index.get(text) {
            return k;
        }
        let k = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.values.push(text.to_vec());
        if self.values.len() > Self::FEW {
            if self.index.is_empty() {
                for (j, v) in self.values.iter().enumerate() {
                    self.index
                        .insert(v.clone(), u32::try_from(j).unwrap_or(u32::MAX));
                }
            } else {
                self.index.insert(text.to_vec(), k);
            }
        }
        k
    }

    /// The grouping column of these texts and each row's code among them.
    fn finish(self, codes: Vec<Option<u32>>) -> GroupingCodes {
        GroupingCodes {
            values: self
                .values
                .iter()
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .collect(),
            codes,
        }
    }
}

/// Writes the table as R's `write.csv(row.names = FALSE, na = "NA")` does: quoted
/// header and labels, numbers with up to 15 significant digits.
pub(crate) fn write_table(out: &mut dyn Write, table: &PrevalenceTable) -> std::io::Result<()> {
    let header: Vec<String> = table
        .column_names()
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect();
    writeln!(out, "{}", header.join(","))?;
    for row in &table.rows {
        let cells: Vec<String> = PrevalenceTable::cells(row)
            .into_iter()
            .map(|cell| match cell {
                Cell::Text(t) => format!("\"{}\"", t.replace('"', "\"\"")),
                Cell::Number(None) => "NA".to_owned(),
                Cell::Number(Some(x)) => r_number(x),
            })
            .collect();
        writeln!(out, "{}", cells.join(","))?;
    }
    Ok(())
}

/// A double as R writes it with 15 significant digits: the fewest digits that give the
/// same 15-digit value, fixed notation unless scientific is narrower.
pub(super) fn r_number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Inf" } else { "-Inf" }.to_owned();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    let sci = format!("{x:.14e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let nsig = i32::try_from(digits.len()).unwrap_or(15);
    let sign = if negative { "-" } else { "" };
    let right = (nsig - 1 - exponent).max(0);
    let fixed_width = i32::from(negative)
        + if exponent >= 0 { exponent + 1 } else { 1 }
        + if right > 0 { right + 1 } else { 0 };
    let exp_digits = if exponent.abs() >= 100 { 3 } else { 2 };
    let sci_width = i32::from(negative) + if nsig > 1 { nsig + 1 } else { 1 } + 2 + exp_digits;
    if fixed_width <= sci_width {
        #[allow(clippy::cast_sign_loss)]
        let right = right as usize;
        format!("{sign}{:.right$}", x.abs())
    } else {
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        let esign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{sign}{first}{point}{rest}e{esign}{:0exp_digits$}",
            exponent.abs(),
            exp_digits = exp_digits as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::r_number;

    #[test]
    fn numbers_print_as_r_writes_them() {
        assert_eq!(r_number(3534.7663), "3534.7663");
        assert_eq!(r_number(1368.0), "1368");
        assert_eq!(r_number(9.121_417_729_935_92), "9.12141772993592");
        assert_eq!(r_number(-0.099_113_488_879_527_4), "-0.0991134888795274");
        assert_eq!(r_number(0.0), "0");
        assert_eq!(r_number(0.00001), "1e-05");
        assert_eq!(r_number(0.0001), "1e-04");
        assert_eq!(r_number(0.00012), "0.00012");
        assert_eq!(r_number(1e20), "1e+20");
        assert_eq!(r_number(123_456.0), "123456");
        assert_eq!(r_number(f64::NAN), "NaN");
    }
}
