//! Loader for CDC's CDSi supporting data (XML): one `AntigenSupportingData` file per
//! antigen and `ScheduleSupportingData.xml`.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use time::Date;

use crate::date::parse_date;
use crate::error::ScheduleError;
use crate::model::duration::Duration;
use crate::model::patient::Sex;
use crate::model::schedule::{
    AgeRule, AntigenAssociation, BirthImmunity, ConditionalSkip, CountLogic, Interval,
    IntervalFrom, LiveVirusConflict, Schedule, Series, SeriesDose, SeriesType, SkipCondition,
    SkipContext, SkipSet, Vaccine, VaccineGroup, VaccineRule, normalize_code,
};

macro_rules! antigen_files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../data/cdsi/AntigenSupportingData-", $name, ".xml")))),*]
    };
}

/// The embedded antigen files, by antigen file name.
static ANTIGEN_FILES: &[(&str, &str)] = antigen_files!(
    "COVID-19",
    "Chikungunya",
    "Cholera",
    "Dengue",
    "Diphtheria",
    "Ebola",
    "HPV",
    "HepA",
    "HepB",
    "Hib",
    "Influenza",
    "JE",
    "Measles",
    "Meningococcal",
    "MeningococcalB",
    "Mumps",
    "Orthopoxvirus",
    "Pertussis",
    "Pneumococcal",
    "Polio",
    "RSV",
    "Rabies",
    "Rotavirus",
    "Rubella",
    "TBE",
    "Tetanus",
    "Typhoid",
    "Varicella",
    "YF",
    "Zoster",
);

static SCHEDULE_FILE: &str = include_str!("../../data/cdsi/ScheduleSupportingData.xml");

/// Short codes of the CDSi test cases for CDSi's vaccine group names.
const GROUP_CODES: &[(&str, &str)] = &[
    ("DTaP/Tdap/Td", "DTAP"),
    ("Polio", "POL"),
    ("Hib", "HIB"),
    ("Pneumococcal", "PCV"),
    ("HepB", "HepB"),
    ("MMR", "MMR"),
    ("Rotavirus", "ROTA"),
    ("HPV", "HPV"),
    ("Varicella", "VAR"),
    ("HepA", "HepA"),
    ("Meningococcal", "MCV"),
    ("Meningococcal B", "MENB"),
    ("Zoster", "ZOSTER"),
    ("Influenza", "FLU"),
    ("RSV", "RSV"),
    ("COVID-19", "COVID-19"),
];

pub(crate) fn load_embedded() -> Result<Schedule, ScheduleError> {
    let antigens: Vec<(&str, &str)> = ANTIGEN_FILES.to_vec();
    Schedule::from_cdsi_xml(SCHEDULE_FILE, &antigens)
}

// ---- XML shapes ---------------------------------------------------------------------

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XAntigen {
    immunity: Option<XImmunity>,
    series: Vec<XSeries>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XImmunity {
    date_of_birth: Vec<XImmunityBirth>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XImmunityBirth {
    immunity_birth_date: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XSeries {
    series_name: Option<String>,
    target_disease: Option<String>,
    vaccine_group: Option<String>,
    series_type: Option<String>,
    equivalent_series_groups: Option<String>,
    required_gender: Vec<String>,
    select_series: XSelect,
    series_dose: Vec<XDose>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XSelect {
    default_series: Option<String>,
    product_path: Option<String>,
    series_group: Option<String>,
    series_priority: Option<String>,
    series_preference: Option<String>,
    min_age_to_start: Option<String>,
    max_age_to_start: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XDose {
    dose_number: Option<String>,
    age: Vec<XAge>,
    interval: Vec<XInterval>,
    allowable_interval: Vec<XInterval>,
    preferable_vaccine: Vec<XVaccine>,
    allowable_vaccine: Vec<XVaccine>,
    inadvertent_vaccine: Vec<XVaccine>,
    conditional_skip: Vec<XSkip>,
    recurring_dose: Option<String>,
    seasonal_recommendation: Option<XSeason>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XAge {
    abs_min_age: Option<String>,
    min_age: Option<String>,
    earliest_rec_age: Option<String>,
    latest_rec_age: Option<String>,
    max_age: Option<String>,
    effective_date: Option<String>,
    cessation_date: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XInterval {
    from_previous: Option<String>,
    from_target_dose: Option<String>,
    from_most_recent: Option<String>,
    from_relevant_obs: Option<XObs>,
    abs_min_int: Option<String>,
    min_int: Option<String>,
    earliest_rec_int: Option<String>,
    latest_rec_int: Option<String>,
    interval_priority: Option<String>,
    effective_date: Option<String>,
    cessation_date: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XObs {
    code: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XVaccine {
    vaccine_type: Option<String>,
    cvx: Option<String>,
    mvx: Option<String>,
    begin_age: Option<String>,
    end_age: Option<String>,
    forecast_vaccine_type: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XSkip {
    context: Option<String>,
    set_logic: Option<String>,
    set: Vec<XSet>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XSet {
    condition_logic: Option<String>,
    effective_date: Option<String>,
    cessation_date: Option<String>,
    condition: Vec<XCondition>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XCondition {
    condition_type: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    begin_age: Option<String>,
    end_age: Option<String>,
    interval: Option<String>,
    dose_count: Option<String>,
    dose_type: Option<String>,
    dose_count_logic: Option<String>,
    vaccine_types: Option<String>,
    series_groups: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XSeason {
    start_date: Option<String>,
    end_date: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XSchedule {
    live_virus_conflicts: XConflicts,
    vaccine_groups: XGroups,
    vaccine_group_to_antigen_map: XGroupMaps,
    cvx_to_antigen_map: XCvxMaps,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XConflicts {
    live_virus_conflict: Vec<XConflict>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XConflict {
    previous: XVaccine,
    current: XVaccine,
    conflict_begin_interval: Option<String>,
    min_conflict_end_interval: Option<String>,
    conflict_end_interval: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XGroups {
    vaccine_group: Vec<XGroup>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XGroup {
    name: Option<String>,
    administer_full_vaccine_group: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XGroupMaps {
    vaccine_group_map: Vec<XGroupMap>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XGroupMap {
    name: Option<String>,
    antigen: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XCvxMaps {
    cvx_map: Vec<XCvxMap>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XCvxMap {
    cvx: Option<String>,
    short_description: Option<String>,
    association: Vec<XAssociation>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct XAssociation {
    antigen: Option<String>,
    association_begin_age: Option<String>,
    association_end_age: Option<String>,
}

// ---- conversion ---------------------------------------------------------------------

fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("n/a"))
}

struct Ctx<'a> {
    file: &'a str,
    location: String,
}

impl Ctx<'_> {
    fn err(&self, field: &str, message: impl std::fmt::Display) -> ScheduleError {
        ScheduleError::new(self.file, format!("{} {field}", self.location), message)
    }

    fn duration(&self, field: &str, v: &Option<String>) -> Result<Option<Duration>, ScheduleError> {
        text(v)
            .map(|s| s.parse::<Duration>().map_err(|e| self.err(field, e)))
            .transpose()
    }

    fn date(&self, field: &str, v: &Option<String>) -> Result<Option<Date>, ScheduleError> {
        text(v)
            .map(|s| parse_date(s).ok_or_else(|| self.err(field, format!("invalid date {s:?}"))))
            .transpose()
    }

    fn yes(v: &Option<String>) -> bool {
        matches!(
            text(v).map(str::to_ascii_lowercase).as_deref(),
            Some("yes" | "y" | "override")
        )
    }
}

struct VaccineTable {
    vaccines: Vec<Vaccine>,
    index: HashMap<String, usize>,
}

impl VaccineTable {
    fn get_or_add(&mut self, cvx: &str, name: &str) -> usize {
        // CVX codes of the supporting data are digits; anything else keys as written.
        let key = normalize_code(cvx).unwrap_or_else(|| cvx.trim().to_string());
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        self.vaccines.push(Vaccine {
            code: cvx.trim().to_string(),
            name: name.trim().to_string(),
            cvx: Some(cvx.trim().to_string()),
            aliases: Vec::new(),
            antigens: Vec::new(),
            live: false,
        });
        self.index.insert(key, self.vaccines.len() - 1);
        self.vaccines.len() - 1
    }

    fn rule(&mut self, ctx: &Ctx<'_>, v: &XVaccine) -> Result<Option<VaccineRule>, ScheduleError> {
        let Some(cvx) = text(&v.cvx) else {
            return Ok(None);
        };
        let vaccine = self.get_or_add(cvx, text(&v.vaccine_type).unwrap_or(cvx));
        Ok(Some(VaccineRule {
            vaccine,
            begin_age: ctx.duration("beginAge", &v.begin_age)?,
            end_age: ctx.duration("endAge", &v.end_age)?,
            forecast: Ctx::yes(&v.forecast_vaccine_type),
            mvx: text(&v.mvx).map(str::to_string),
        }))
    }

    fn list(&mut self, s: &str) -> Vec<usize> {
        s.split([';', ','])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| self.get_or_add(c, c))
            .collect()
    }
}

impl Schedule {
    /// Loads a schedule from CDSi supporting data: the text of `ScheduleSupportingData.xml`
    /// and of the antigen files as `(file name, text)` pairs.
    ///
    /// # Errors
    ///
    /// A [`ScheduleError`] naming the file and the series, dose and field when the XML is
    /// malformed or a duration, date or number cannot be read.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_immunization::Schedule;
    ///
    /// let bad = Schedule::from_cdsi_xml("<scheduleSupportingData>", &[]);
    /// assert!(bad.is_err());
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "cdsi-us")))]
    pub fn from_cdsi_xml(
        schedule_xml: &str,
        antigen_files: &[(&str, &str)],
    ) -> Result<Schedule, ScheduleError> {
        let sched: XSchedule = quick_xml::de::from_str(schedule_xml)
            .map_err(|e| ScheduleError::new("ScheduleSupportingData.xml", "document", e))?;
        let mut table = VaccineTable {
            vaccines: Vec::new(),
            index: HashMap::new(),
        };
        let file = "ScheduleSupportingData.xml";
        for (n, m) in sched.cvx_to_antigen_map.cvx_map.iter().enumerate() {
            let ctx = Ctx {
                file,
                location: format!("cvxMap {}", n + 1),
            };
            let cvx = text(&m.cvx).ok_or_else(|| ctx.err("cvx", "missing"))?;
            let i = table.get_or_add(cvx, text(&m.short_description).unwrap_or(cvx));
            for a in &m.association {
                let Some(antigen) = text(&a.antigen) else {
                    continue;
                };
                let assoc = AntigenAssociation {
                    antigen: antigen.to_string(),
                    begin_age: ctx.duration("associationBeginAge", &a.association_begin_age)?,
                    end_age: ctx.duration("associationEndAge", &a.association_end_age)?,
                };
                table.vaccines[i].antigens.push(assoc);
            }
        }
        let mut conflicts = Vec::new();
        for (n, c) in sched
            .live_virus_conflicts
            .live_virus_conflict
            .iter()
            .enumerate()
        {
            let ctx = Ctx {
                file,
                location: format!("liveVirusConflict {}", n + 1),
            };
            let (Some(p), Some(cur)) = (text(&c.previous.cvx), text(&c.current.cvx)) else {
                return Err(ctx.err("cvx", "missing"));
            };
            let previous = table.get_or_add(p, text(&c.previous.vaccine_type).unwrap_or(p));
            let current = table.get_or_add(cur, text(&c.current.vaccine_type).unwrap_or(cur));
            table.vaccines[previous].live = true;
            table.vaccines[current].live = true;
            let req = |f: &str, v: &Option<String>| -> Result<Duration, ScheduleError> {
                ctx.duration(f, v)?.ok_or_else(|| ctx.err(f, "missing"))
            };
            conflicts.push(LiveVirusConflict {
                previous,
                current,
                begin: req("conflictBeginInterval", &c.conflict_begin_interval)?,
                min_end: req("minConflictEndInterval", &c.min_conflict_end_interval)?,
                end: req("conflictEndInterval", &c.conflict_end_interval)?,
            });
        }
        let mut groups = Vec::new();
        for g in &sched.vaccine_groups.vaccine_group {
            let Some(name) = text(&g.name) else { continue };
            let antigens = sched
                .vaccine_group_to_antigen_map
                .vaccine_group_map
                .iter()
                .find(|m| text(&m.name) == Some(name))
                .map(|m| m.antigen.iter().map(|a| a.trim().to_string()).collect())
                .unwrap_or_default();
            let codes = GROUP_CODES
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, c)| (*c).to_string())
                .collect();
            groups.push(VaccineGroup {
                name: name.to_string(),
                codes,
                antigens,
                administer_full_group: Ctx::yes(&g.administer_full_vaccine_group),
            });
        }

        let mut series = Vec::new();
        let mut immunity = Vec::new();
        for (file_name, xml) in antigen_files {
            let file = format!("AntigenSupportingData-{file_name}.xml");
            let data: XAntigen = quick_xml::de::from_str(xml)
                .map_err(|e| ScheduleError::new(&file, "document", e))?;
            let antigen_name = data
                .series
                .first()
                .and_then(|s| text(&s.target_disease))
                .unwrap_or(file_name)
                .to_string();
            if let Some(imm) = &data.immunity {
                for b in &imm.date_of_birth {
                    let ctx = Ctx {
                        file: &file,
                        location: "immunity".to_string(),
                    };
                    if let Some(date) = ctx.date("immunityBirthDate", &b.immunity_birth_date)? {
                        immunity.push(BirthImmunity {
                            antigen: antigen_name.clone(),
                            born_before: date,
                        });
                    }
                }
            }
            for xs in &data.series {
                series.push(convert_series(&file, xs, &antigen_name, &mut table)?);
            }
        }
        Schedule {
            id: "cdsi-us".to_string(),
            title: "ACIP schedule, CDC CDSi supporting data 4.64".to_string(),
            antigens: Vec::new(),
            series,
            vaccines: table.vaccines,
            groups,
            conflicts,
            immunity,
            grace_period_days: 4,
            band_labels: Vec::new(),
            #[cfg(feature = "id-kemenkes")]
            kemenkes: None,
            vaccine_index: HashMap::new(),
            series_by_antigen: Vec::new(),
            vaccine_antigens: Vec::new(),
            conflicts_by_current: Vec::new(),
            group_antigens: Vec::new(),
            antigen_in_group: Vec::new(),
            gated_antigen: Vec::new(),
        }
        .finish("CDSi supporting data")
    }
}

fn convert_series(
    file: &str,
    xs: &XSeries,
    antigen: &str,
    table: &mut VaccineTable,
) -> Result<Series, ScheduleError> {
    let name = text(&xs.series_name)
        .unwrap_or("(unnamed series)")
        .to_string();
    let ctx = Ctx {
        file,
        location: format!("series {name:?}"),
    };
    let series_type = match text(&xs.series_type)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("standard") => SeriesType::Standard,
        Some("risk") => SeriesType::Risk,
        Some("evaluation only") => SeriesType::EvaluationOnly,
        other => return Err(ctx.err("seriesType", format!("unknown series type {other:?}"))),
    };
    let mut required_sex = Vec::new();
    for g in &xs.required_gender {
        match g.trim().to_ascii_lowercase().as_str() {
            "female" => required_sex.push(Sex::Female),
            "male" => required_sex.push(Sex::Male),
            "unknown" => required_sex.push(Sex::Unknown),
            "" => {}
            other => return Err(ctx.err("requiredGender", format!("unknown gender {other:?}"))),
        }
    }
    let sel = &xs.select_series;
    let preference = match text(&sel.series_preference) {
        Some(p) => p
            .parse()
            .map_err(|_| ctx.err("seriesPreference", format!("not a number: {p:?}")))?,
        None => u32::MAX,
    };
    let mut doses = Vec::new();
    for (n, xd) in xs.series_dose.iter().enumerate() {
        let dctx = Ctx {
            file,
            location: format!("series {name:?} dose {}", n + 1),
        };
        doses.push(convert_dose(&dctx, xd, n, table)?);
    }
    Ok(Series {
        series_type,
        required_sex,
        default: Ctx::yes(&sel.default_series),
        product_path: Ctx::yes(&sel.product_path),
        series_group: text(&sel.series_group).unwrap_or("1").to_string(),
        priority: text(&sel.series_priority).unwrap_or("A").to_string(),
        equivalent_groups: text(&xs.equivalent_series_groups)
            .map(|s| {
                s.split([';', ','])
                    .map(|g| g.trim().to_string())
                    .filter(|g| !g.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        min_age_to_start: ctx.duration("minAgeToStart", &sel.min_age_to_start)?,
        max_age_to_start: ctx.duration("maxAgeToStart", &sel.max_age_to_start)?,
        ..Series::standard(
            name,
            antigen.to_string(),
            text(&xs.vaccine_group).unwrap_or(antigen).to_string(),
            preference,
            doses,
        )
    })
}

fn convert_interval(
    ctx: &Ctx<'_>,
    x: &XInterval,
    table: &mut VaccineTable,
) -> Result<Option<Interval>, ScheduleError> {
    let from = if Ctx::yes(&x.from_previous) {
        IntervalFrom::Previous
    } else if let Some(t) = text(&x.from_target_dose) {
        IntervalFrom::TargetDose(
            t.parse()
                .map_err(|_| ctx.err("fromTargetDose", format!("not a number: {t:?}")))?,
        )
    } else if let Some(list) = text(&x.from_most_recent) {
        IntervalFrom::MostRecent(table.list(list))
    } else if let Some(code) = x.from_relevant_obs.as_ref().and_then(|o| text(&o.code)) {
        IntervalFrom::Observation(code.to_string())
    } else {
        return Ok(None);
    };
    Ok(Some(Interval {
        from,
        abs_min: ctx.duration("absMinInt", &x.abs_min_int)?,
        min: ctx.duration("minInt", &x.min_int)?,
        earliest_recommended: ctx.duration("earliestRecInt", &x.earliest_rec_int)?,
        latest_recommended: ctx.duration("latestRecInt", &x.latest_rec_int)?,
        priority: Ctx::yes(&x.interval_priority),
        effective: ctx.date("effectiveDate", &x.effective_date)?,
        cessation: ctx.date("cessationDate", &x.cessation_date)?,
    }))
}

fn convert_dose(
    ctx: &Ctx<'_>,
    xd: &XDose,
    n: usize,
    table: &mut VaccineTable,
) -> Result<SeriesDose, ScheduleError> {
    let mut ages = Vec::new();
    for a in &xd.age {
        ages.push(AgeRule {
            abs_min: ctx.duration("absMinAge", &a.abs_min_age)?,
            min: ctx.duration("minAge", &a.min_age)?,
            earliest_recommended: ctx.duration("earliestRecAge", &a.earliest_rec_age)?,
            latest_recommended: ctx.duration("latestRecAge", &a.latest_rec_age)?,
            max: ctx.duration("maxAge", &a.max_age)?,
            effective: ctx.date("effectiveDate", &a.effective_date)?,
            cessation: ctx.date("cessationDate", &a.cessation_date)?,
        });
    }
    let mut intervals = Vec::new();
    for i in &xd.interval {
        if let Some(iv) = convert_interval(ctx, i, table)? {
            intervals.push(iv);
        }
    }
    let mut allowable_intervals = Vec::new();
    for i in &xd.allowable_interval {
        if let Some(iv) = convert_interval(ctx, i, table)? {
            allowable_intervals.push(iv);
        }
    }
    let mut preferable = Vec::new();
    for v in &xd.preferable_vaccine {
        preferable.extend(table.rule(ctx, v)?);
    }
    let mut allowable = Vec::new();
    for v in &xd.allowable_vaccine {
        allowable.extend(table.rule(ctx, v)?);
    }
    let inadvertent = xd
        .inadvertent_vaccine
        .iter()
        .filter_map(|v| {
            text(&v.cvx).map(|c| table.get_or_add(c, text(&v.vaccine_type).unwrap_or(c)))
        })
        .collect();
    let mut skips = Vec::new();
    for s in &xd.conditional_skip {
        if s.set.is_empty() {
            continue;
        }
        let context = match text(&s.context).map(str::to_ascii_lowercase).as_deref() {
            Some("evaluation") => SkipContext::Evaluation,
            Some("forecast") => SkipContext::Forecast,
            Some("both") | None => SkipContext::Both,
            Some(other) => return Err(ctx.err("context", format!("unknown context {other:?}"))),
        };
        let mut sets = Vec::new();
        for set in &s.set {
            let mut conditions = Vec::new();
            for c in &set.condition {
                conditions.push(convert_condition(ctx, c, table)?);
            }
            sets.push(SkipSet {
                all_conditions: text(&set.condition_logic)
                    .is_some_and(|l| l.eq_ignore_ascii_case("and")),
                effective: ctx.date("effectiveDate", &set.effective_date)?,
                cessation: ctx.date("cessationDate", &set.cessation_date)?,
                conditions,
            });
        }
        skips.push(ConditionalSkip {
            context,
            all_sets: text(&s.set_logic).is_some_and(|l| l.eq_ignore_ascii_case("and")),
            sets,
        });
    }
    let seasonal = match &xd.seasonal_recommendation {
        Some(s) if text(&s.start_date).is_some() || text(&s.end_date).is_some() => Some((
            ctx.date("seasonal startDate", &s.start_date)?,
            ctx.date("seasonal endDate", &s.end_date)?,
        )),
        _ => None,
    };
    let number = text(&xd.dose_number)
        .and_then(|d| d.trim_start_matches("Dose").trim().parse().ok())
        .unwrap_or(u32::try_from(n + 1).unwrap_or(u32::MAX));
    Ok(SeriesDose {
        number,
        label: text(&xd.dose_number).unwrap_or_default().to_string(),
        ages,
        intervals,
        allowable_intervals,
        preferable,
        allowable,
        inadvertent,
        skips,
        recurring: Ctx::yes(&xd.recurring_dose),
        seasonal,
        introduced: None,
        bands: Vec::new(),
        sources: vec!["cdsi-supporting-data-4.64".to_string()],
        school: None,
    })
}

fn convert_condition(
    ctx: &Ctx<'_>,
    c: &XCondition,
    table: &mut VaccineTable,
) -> Result<SkipCondition, ScheduleError> {
    let kind = text(&c.condition_type)
        .unwrap_or_default()
        .to_ascii_lowercase();
    Ok(match kind.as_str() {
        "age" => SkipCondition::Age {
            begin: ctx.duration("beginAge", &c.begin_age)?,
            end: ctx.duration("endAge", &c.end_age)?,
        },
        "completed series" => SkipCondition::CompletedSeries(
            text(&c.series_groups)
                .unwrap_or_default()
                .split([';', ','])
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        ),
        "interval" => SkipCondition::Interval(
            ctx.duration("interval", &c.interval)?
                .ok_or_else(|| ctx.err("interval", "missing"))?,
        ),
        k if k.starts_with("vaccine count") => {
            let count = text(&c.dose_count)
                .unwrap_or("0")
                .parse()
                .map_err(|_| ctx.err("doseCount", "not a number"))?;
            let logic = match text(&c.dose_count_logic)
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("greater than") => CountLogic::GreaterThan,
                Some("equal to" | "equal") => CountLogic::Equal,
                Some("less than") => CountLogic::LessThan,
                other => return Err(ctx.err("doseCountLogic", format!("unknown logic {other:?}"))),
            };
            SkipCondition::VaccineCount {
                begin_age: ctx.duration("beginAge", &c.begin_age)?,
                end_age: ctx.duration("endAge", &c.end_age)?,
                start: ctx.date("startDate", &c.start_date)?,
                end: ctx.date("endDate", &c.end_date)?,
                count,
                valid_only: text(&c.dose_type).is_some_and(|t| t.eq_ignore_ascii_case("valid")),
                logic,
                vaccines: table.list(text(&c.vaccine_types).unwrap_or_default()),
            }
        }
        other => return Err(ctx.err("conditionType", format!("unknown condition type {other:?}"))),
    })
}

impl Schedule {
    /// CDC's ACIP schedule from the CDSi supporting data 4.64, embedded in the crate and
    /// parsed once on first use.
    ///
    /// # Errors
    ///
    /// Never in practice: the embedded data is checked by the crate's tests. The
    /// `Result` carries a [`ScheduleError`] should the embedded data be corrupted.
    ///
    /// # Examples
    ///
    /// ```
    /// let us = sehat_immunization::Schedule::cdsi_us()?;
    /// assert_eq!(us.id(), "cdsi-us");
    /// assert!(us.vaccine_group("MMR").is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "cdsi-us")))]
    pub fn cdsi_us() -> Result<&'static Schedule, ScheduleError> {
        static US: OnceLock<Result<Schedule, ScheduleError>> = OnceLock::new();
        US.get_or_init(load_embedded).as_ref().map_err(Clone::clone)
    }
}
