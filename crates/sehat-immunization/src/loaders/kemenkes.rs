//! Indonesia's national programme (Kemenkes) from its TOML schedule file, the Buku KIA
//! colour bands, and the configurable choices where Kemenkes sources conflict.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use time::Date;

use crate::date::parse_date;
use crate::error::ScheduleError;
use crate::model::band::{Band, BandRange};
use crate::model::duration::Duration;
use crate::model::kemenkes_options::{KemenkesExtras, KemenkesOptions};
use crate::model::patient::Sex;
use crate::model::schedule::{
    AgeRule, AntigenAssociation, Interval, IntervalFrom, Schedule, Series, SeriesDose, Vaccine,
    VaccineGroup, VaccineRule,
};

pub(crate) static EMBEDDED_TOML: &str = include_str!("../../data/id-kemenkes.toml");

/// The population of the Td T-status series.
const WUS: &str = "wanita usia subur";

fn sex_of(file: &str, at: &str, applies: Option<&TApplies>) -> Result<Vec<Sex>, ScheduleError> {
    match applies.and_then(|a| a.sex.as_deref()) {
        None => Ok(Vec::new()),
        Some("female") => Ok(vec![Sex::Female]),
        Some("male") => Ok(vec![Sex::Male]),
        Some(other) => Err(ScheduleError::new(
            file,
            format!("{at} applies_to.sex"),
            format!("unknown sex {other:?}"),
        )),
    }
}

/// The part of a label before its first " (": `HPV (anak perempuan, BIAS)` → `HPV`.
fn label_stem(label: &str) -> &str {
    label
        .split_once(" (")
        .map_or(label, |(stem, _)| stem)
        .trim()
}

/// The combination vaccines of a file, by component: each antigen of a combination
/// counts toward its own series, as CDSi's vaccine-antigen map does.
struct Combinations {
    /// For each vaccine (by index), the combinations that carry it.
    by_component: Vec<Vec<usize>>,
}

impl Combinations {
    /// Reads and checks the `components` of every vaccine: each must be a vaccine of
    /// the file whose antigens the combination carries.
    fn new(
        file: &str,
        codes: &[&String],
        tvaccines: &HashMap<String, TVaccine>,
    ) -> Result<Self, ScheduleError> {
        let mut by_component = vec![Vec::new(); codes.len()];
        for (ci, code) in codes.iter().enumerate() {
            let Some(combination) = tvaccines.get(*code) else {
                continue;
            };
            let at = format!("vaccines.{code} components");
            for part in &combination.components {
                let (pi, component) = codes
                    .iter()
                    .position(|c| *c == part)
                    .and_then(|pi| tvaccines.get(part).map(|v| (pi, v)))
                    .ok_or_else(|| {
                        ScheduleError::new(file, &at, format!("unknown vaccine {part:?}"))
                    })?;
                if pi == ci {
                    return Err(ScheduleError::new(
                        file,
                        &at,
                        "a vaccine is not its own component",
                    ));
                }
                if let Some(missing) = component
                    .antigens
                    .iter()
                    .find(|a| !combination.antigens.contains(a))
                {
                    return Err(ScheduleError::new(
                        file,
                        &at,
                        format!("{part} carries {missing:?}, which {code} does not list"),
                    ));
                }
                by_component[pi].push(ci);
            }
        }
        Ok(Self { by_component })
    }

    /// The vaccine rules of a dose listing `listed`: those vaccines, forecast, then
    /// every combination carrying one of them, accepted but not forecast.
    fn rules(&self, listed: &[usize]) -> Vec<VaccineRule> {
        let rule = |vaccine, forecast| VaccineRule {
            vaccine,
            begin_age: None,
            end_age: None,
            forecast,
            mvx: None,
        };
        let mut out: Vec<VaccineRule> = listed.iter().map(|&i| rule(i, true)).collect();
        for &i in listed {
            for &c in self.by_component.get(i).map_or(&[][..], Vec::as_slice) {
                if !out.iter().any(|r| r.vaccine == c) {
                    out.push(rule(c, false));
                }
            }
        }
        out
    }
}

/// The schedule under construction, for the school and T-status series.
struct Built<'a> {
    file: &'a str,
    options: &'a KemenkesOptions,
    codes: &'a [&'a String],
    tvaccines: &'a HashMap<String, TVaccine>,
    combinations: &'a Combinations,
    default_interval: Option<Duration>,
    vaccines: &'a mut Vec<Vaccine>,
    series: &'a mut Vec<Series>,
    groups: &'a mut Vec<VaccineGroup>,
}

impl Built<'_> {
    fn vaccine(&self, code: &str, at: &str) -> Result<usize, ScheduleError> {
        self.codes
            .iter()
            .position(|c| c.as_str() == code)
            .ok_or_else(|| ScheduleError::new(self.file, at, format!("unknown vaccine {code:?}")))
    }

    /// The preferable vaccines of a dose, each associated with `track` from `begin_age`.
    fn preferable(
        &mut self,
        codes: &[String],
        track: &str,
        begin_age: Option<Duration>,
        at: &str,
    ) -> Result<Vec<VaccineRule>, ScheduleError> {
        let mut listed = Vec::new();
        for code in codes {
            listed.push(self.vaccine(code, at)?);
        }
        let out = self.combinations.rules(&listed);
        for rule in &out {
            self.associate(rule.vaccine, track, begin_age);
        }
        Ok(out)
    }

    fn associate(&mut self, vaccine: usize, track: &str, begin_age: Option<Duration>) {
        let assoc = AntigenAssociation {
            antigen: track.to_string(),
            begin_age,
            end_age: None,
        };
        if let Some(v) = self.vaccines.get_mut(vaccine)
            && !v.antigens.contains(&assoc)
        {
            v.antigens.push(assoc);
        }
    }

    fn interval(&self, min: Duration) -> Interval {
        Interval {
            from: IntervalFrom::Previous,
            abs_min: Some(min.minus_days(self.options.grace_period_days)),
            min: Some(min),
            earliest_recommended: None,
            latest_recommended: None,
            priority: false,
            effective: None,
            cessation: None,
        }
    }

    fn push(&mut self, series: Series, codes: Vec<String>) {
        self.groups.push(VaccineGroup {
            name: series.vaccine_group.clone(),
            codes,
            antigens: vec![series.antigen.clone()],
            administer_full_group: false,
        });
        self.series.push(series);
    }

    /// A school series: one line per kind of vaccine (the antigens of a dose's first
    /// vaccine), each dose placed by school grade and BIAS month.
    fn school_series(&mut self, ts: &TSeries, preference: u32) -> Result<(), ScheduleError> {
        let file = self.file;
        let at = format!("series {:?}", ts.id);
        let mut versions: Vec<(Date, u32)> = Vec::new();
        for (k, v) in ts.versions.iter().enumerate() {
            let from = year_or_date(file, &format!("{at} versions[{k}].from"), Some(&v.from))?
                .unwrap_or(Date::MIN);
            if v.doses > 12 {
                return Err(ScheduleError::new(
                    file,
                    format!("{at} versions[{k}].doses"),
                    format!("{} doses is more than one per school grade", v.doses),
                ));
            }
            versions.push((from, v.doses));
        }
        versions.sort_unstable();
        let mut tracks: Vec<(Vec<String>, Vec<&TDose>)> = Vec::new();
        for d in &ts.doses {
            let dat = format!("{at} dose {}", d.dose);
            let first = d
                .vaccines
                .first()
                .ok_or_else(|| ScheduleError::new(file, format!("{dat} vaccines"), "no vaccine"))?;
            self.vaccine(first, &format!("{dat} vaccines"))?;
            let mut key = self
                .tvaccines
                .get(first)
                .map(|v| v.antigens.clone())
                .unwrap_or_default();
            key.sort();
            match tracks.iter_mut().find(|(k, _)| *k == key) {
                Some((_, list)) => list.push(d),
                None => tracks.push((key, vec![d])),
            }
        }
        let multi = tracks.len() > 1;
        let required_sex = sex_of(file, &at, ts.applies_to.as_ref())?;
        let regions = ts
            .applies_to
            .as_ref()
            .map(|a| a.regions.clone())
            .unwrap_or_default();
        for (_, tdoses) in &tracks {
            let Some(first) = tdoses.first() else {
                continue;
            };
            let first_code = first.vaccines.first().map_or("", String::as_str);
            let mut vaccine_codes: Vec<&str> = Vec::new();
            for d in tdoses {
                for v in &d.vaccines {
                    if !vaccine_codes.contains(&v.as_str()) {
                        vaccine_codes.push(v);
                    }
                }
            }
            let (track, name) = if multi {
                (
                    format!("{}-{}", ts.id, first_code.to_lowercase()),
                    format!(
                        "{} ({})",
                        vaccine_codes
                            .iter()
                            .map(|c| group_name(c))
                            .collect::<Vec<_>>()
                            .join("/"),
                        ts.id.to_uppercase()
                    ),
                )
            } else {
                (ts.id.clone(), label_stem(&ts.label).to_string())
            };
            let most = versions
                .iter()
                .map(|v| usize::try_from(v.1).unwrap_or(usize::MAX))
                .max()
                .unwrap_or(0);
            let count = if multi {
                tdoses.len()
            } else {
                tdoses.len().max(most)
            };
            let mut doses = Vec::with_capacity(count);
            for k in 0..count {
                let (d, extra) = match tdoses.get(k) {
                    Some(d) => (*d, 0u8),
                    None => (
                        tdoses[tdoses.len() - 1],
                        u8::try_from(k + 1 - tdoses.len()).unwrap_or(u8::MAX),
                    ),
                };
                let dat = format!("{at} dose {}", d.dose);
                let missing = |field: &str| {
                    ScheduleError::new(file, format!("{dat} {field}"), "missing for a school dose")
                };
                let grade = d
                    .school_grade
                    .ok_or_else(|| missing("school_grade"))?
                    .saturating_add(extra);
                let age_proxy = dur(file, &format!("{dat} age_proxy"), d.age_proxy.as_ref())?
                    .ok_or_else(|| missing("age_proxy"))?;
                let month = d.bias_month.ok_or_else(|| missing("bias_month"))?;
                let bias_month = time::Month::try_from(month).map_err(|_| {
                    ScheduleError::new(
                        file,
                        format!("{dat} bias_month"),
                        format!("{month} is not a month (1-12)"),
                    )
                })?;
                let number = u32::try_from(k + 1).unwrap_or(u32::MAX);
                let required_from = versions.iter().find(|v| v.1 >= number).map(|v| v.0);
                let required_until = required_from.and_then(|f| {
                    versions
                        .iter()
                        .find(|v| v.0 > f && v.1 < number)
                        .map(|v| v.0)
                });
                if !versions.is_empty() && required_from.is_none() {
                    continue;
                }
                let min_interval = if extra > 0 {
                    Some(self.options.hpv_second_dose_min_interval)
                } else {
                    match dur(
                        file,
                        &format!("{dat} min_interval"),
                        d.min_interval.as_ref(),
                    )? {
                        Some(m) => Some(m),
                        None if k > 0 => self.default_interval,
                        None => None,
                    }
                };
                let label = if extra == 0 {
                    d.label.clone()
                } else {
                    format!(
                        "{} dosis {} ({})",
                        group_name(first_code),
                        number,
                        grade_label(grade)
                    )
                };
                let preferable = self.preferable(
                    &d.vaccines,
                    &track,
                    Some(self.options.school_age_from),
                    &format!("{dat} vaccines"),
                )?;
                doses.push(SeriesDose {
                    number,
                    label,
                    intervals: min_interval.map(|m| self.interval(m)).into_iter().collect(),
                    preferable,
                    sources: d.source.clone(),
                    school: Some(crate::model::school::SchoolDose {
                        grade,
                        age_proxy,
                        bias_month,
                        catch_up_grades: if extra == 0 {
                            d.catch_up_grades.clone()
                        } else {
                            Vec::new()
                        },
                        catch_up_from: versions.last().map(|v| v.0),
                        required_from,
                        required_until,
                    }),
                    ..SeriesDose::default()
                });
            }
            let series = Series {
                required_sex: required_sex.clone(),
                regions: regions.clone(),
                school_from: Some(self.options.school_age_from),
                ..Series::standard(
                    if multi {
                        name.clone()
                    } else {
                        ts.label.clone()
                    },
                    track.clone(),
                    name.clone(),
                    preference,
                    doses,
                )
            };
            let mut codes = vec![name, track];
            if !multi {
                codes.push(ts.id.clone());
                codes.push(ts.label.clone());
            }
            codes.dedup();
            self.push(series, codes);
        }
        Ok(())
    }

    /// Td for women of childbearing age, evaluated by T-status.
    fn wus_series(&mut self, ts: &TSeries, preference: u32) -> Result<(), ScheduleError> {
        let file = self.file;
        let at = format!("series {:?}", ts.id);
        let (from, until) = self.options.wus_ages;
        let mut doses = Vec::with_capacity(ts.doses.len());
        for d in &ts.doses {
            let dat = format!("{at} dose {}", d.dose);
            let min_interval = dur(
                file,
                &format!("{dat} min_interval"),
                d.min_interval.as_ref(),
            )?;
            let begin = (!self.options.childhood_t_status).then_some(from);
            let preferable =
                self.preferable(&d.vaccines, &ts.id, begin, &format!("{dat} vaccines"))?;
            doses.push(SeriesDose {
                number: d.dose,
                label: d.label.clone(),
                ages: vec![AgeRule {
                    abs_min: Some(from),
                    min: Some(from),
                    earliest_recommended: Some(from),
                    latest_recommended: None,
                    max: Some(until),
                    effective: None,
                    cessation: None,
                }],
                intervals: min_interval.map(|m| self.interval(m)).into_iter().collect(),
                preferable,
                sources: d.source.clone(),
                ..SeriesDose::default()
            });
        }
        let mut primary = Vec::new();
        let mut caps = Vec::new();
        if self.options.childhood_t_status {
            // Every tetanus-containing vaccine counts toward T-status.
            let mut tetanus: Vec<&String> = self
                .tvaccines
                .iter()
                .filter(|(_, v)| v.antigens.iter().any(|a| a == "tetanus"))
                .map(|(code, _)| code)
                .collect();
            tetanus.sort();
            for code in tetanus {
                let i = self.vaccine(code, &format!("{at} vaccines"))?;
                self.associate(i, &ts.id, None);
                if code.starts_with("DPT_HB_Hib") {
                    primary.push(i);
                } else if code == "DT" {
                    caps.push((i, 4));
                }
            }
        }
        let name = label_stem(&ts.label).to_string();
        let series = Series {
            required_sex: sex_of(file, &at, ts.applies_to.as_ref())?,
            regions: ts
                .applies_to
                .as_ref()
                .map(|a| a.regions.clone())
                .unwrap_or_default(),
            population_ages: Some((from, until)),
            t_status: Some(crate::model::t_status::TStatusRule {
                adult_from: from,
                primary,
                primary_doses: 3,
                primary_cap: 2,
                booster_cap: 3,
                caps,
            }),
            ..Series::standard(
                ts.label.clone(),
                ts.id.clone(),
                name.clone(),
                preference,
                doses,
            )
        };
        self.push(series, vec![name, ts.id.clone(), ts.label.clone()]);
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
struct TFile {
    schedule: TSchedule,
    vaccines: HashMap<String, TVaccine>,
    series: Vec<TSeries>,
}

#[derive(Debug, Deserialize)]
struct TSchedule {
    id: String,
    title: String,
    #[serde(default)]
    default_min_interval_same_antigen: Option<String>,
    /// The words shown for each kind of band, by the keys of `buku_kia_bands`.
    #[serde(default)]
    band_labels: HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct TVaccine {
    name: String,
    #[serde(default)]
    live: bool,
    #[serde(default)]
    antigens: Vec<String>,
    /// For a combination vaccine: the vaccines whose antigens it carries
    /// (`DPT_HB_Hib_IPV` = `DPT_HB_Hib` + `IPV`). It counts wherever one of them is listed.
    #[serde(default)]
    components: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
struct TSeries {
    id: String,
    antigen: OneOrMany,
    label: String,
    #[serde(default)]
    trigger: Option<String>,
    #[serde(default)]
    start_age_min: Option<String>,
    #[serde(default)]
    start_age_max: Option<String>,
    #[serde(default)]
    effective_from: Option<String>,
    #[serde(default)]
    min_interval_default: Option<String>,
    #[serde(default)]
    applies_to: Option<TApplies>,
    #[serde(default)]
    versions: Vec<TVersion>,
    #[serde(default)]
    doses: Vec<TDose>,
}

/// A programme rule of a school series from a date (HPV: two doses in 2023, one in 2025).
#[derive(Debug, Deserialize)]
struct TVersion {
    from: String,
    doses: u32,
}

#[derive(Debug, Deserialize)]
struct TApplies {
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    sex: Option<String>,
    #[serde(default)]
    population: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TDose {
    dose: u32,
    label: String,
    vaccines: Vec<String>,
    #[serde(default)]
    min_age: Option<String>,
    #[serde(default)]
    recommended_age: Option<String>,
    #[serde(default)]
    recommended_until: Option<String>,
    #[serde(default)]
    max_age: Option<String>,
    #[serde(default)]
    min_interval: Option<String>,
    #[serde(default)]
    interval_from: Option<String>,
    #[serde(default)]
    effective_from: Option<String>,
    #[serde(default, alias = "bands")]
    buku_kia_bands: HashMap<String, Vec<String>>,
    #[serde(default)]
    source: Vec<String>,
    #[serde(default)]
    school_grade: Option<u8>,
    #[serde(default)]
    age_proxy: Option<String>,
    #[serde(default)]
    bias_month: Option<u8>,
    #[serde(default)]
    catch_up_grades: Vec<u8>,
}

fn dur(file: &str, at: &str, v: Option<&String>) -> Result<Option<Duration>, ScheduleError> {
    v.map(|s| {
        s.parse::<Duration>()
            .map_err(|e| ScheduleError::new(file, at, e))
    })
    .transpose()
}

fn year_or_date(file: &str, at: &str, v: Option<&String>) -> Result<Option<Date>, ScheduleError> {
    let Some(s) = v else { return Ok(None) };
    let s = s.trim();
    let parsed = if s.len() == 4 {
        s.parse::<i32>()
            .ok()
            .and_then(|y| Date::from_calendar_date(y, time::Month::January, 1).ok())
    } else {
        parse_date(s)
    };
    parsed
        .map(Some)
        .ok_or_else(|| ScheduleError::new(file, at, format!("invalid date {s:?}")))
}

fn month_number(file: &str, at: &str, s: &str) -> Result<i32, ScheduleError> {
    s.trim()
        .strip_suffix('m')
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| {
            ScheduleError::new(file, at, format!("band month {s:?} is not like \"12m\""))
        })
}

/// The kind of band a file's key names (`recommended`, `allowed`, `kejar`, `not_allowed`).
fn band_of(file: &str, at: &str, key: &str) -> Result<Band, ScheduleError> {
    match key {
        "recommended" => Ok(Band::Recommended),
        "allowed" => Ok(Band::Allowed),
        "kejar" | "catch_up" => Ok(Band::CatchUp),
        "not_allowed" => Ok(Band::NotAllowed),
        other => Err(ScheduleError::new(
            file,
            at,
            format!(
                "unknown band {other:?} (expected \"recommended\", \"allowed\", \"kejar\" or \"not_allowed\")"
            ),
        )),
    }
}

/// "kelas 5 SD", "kelas 3 SMP", "kelas 1 SMA" for grades 1–12.
fn grade_label(grade: u8) -> String {
    match grade {
        0..=6 => format!("kelas {grade} SD"),
        7..=9 => format!("kelas {} SMP", grade - 6),
        _ => format!("kelas {} SMA", grade - 9),
    }
}

fn group_name(code: &str) -> String {
    code.replace('_', "-")
}

impl Schedule {
    /// Loads a schedule in the Kemenkes TOML format (`id-kemenkes.toml`), applying
    /// `options` where sources conflict.
    ///
    /// Each programme line (HB0, BCG, bOPV, IPV, DPT-HB-Hib, PCV, RV, MR, JE) is tracked
    /// on its own, so a bOPV dose never counts as IPV; series that share an antigen and
    /// have start ages (PCV and its catch-up series) are alternatives on one line.
    /// Series triggered by school grade (`trigger = "school_grade"`: BIAS, HPV) are
    /// split into one line per kind of vaccine (MR; DT and Td) and placed by the child's
    /// grade or age proxy ([`Patient::in_school_grade`](crate::Patient::in_school_grade));
    /// the HPV rule in force on the assessment date decides its number of doses and
    /// catch-up grades. Td for women of childbearing age
    /// (`applies_to.population = "wanita usia subur"`) is evaluated by T-status.
    ///
    /// # Errors
    ///
    /// A [`ScheduleError`] naming the series, dose and field for malformed TOML, an
    /// unknown vaccine, or a duration, date or band that cannot be read.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_immunization::{KemenkesOptions, Schedule};
    ///
    /// let toml = include_str!("../../data/id-kemenkes.toml");
    /// let mut options = KemenkesOptions::default();
    /// options.grace_period_days = 4;
    /// let schedule = Schedule::from_kemenkes_toml(toml, &options)?;
    /// assert_eq!(schedule.grace_period_days(), 4);
    /// assert!(Schedule::from_kemenkes_toml("schema_version = 1", &options).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "id-kemenkes")))]
    pub fn from_kemenkes_toml(
        text: &str,
        options: &KemenkesOptions,
    ) -> Result<Schedule, ScheduleError> {
        let file = "id-kemenkes.toml";
        let data: TFile = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    format!(
                        "line {}",
                        text.as_bytes()
                            .iter()
                            .take(s.start)
                            .filter(|&&b| b == b'\n')
                            .count()
                            + 1
                    )
                })
                .unwrap_or_else(|| "document".to_string());
            ScheduleError::new(file, at, e.message())
        })?;
        let default_interval = dur(
            file,
            "schedule.default_min_interval_same_antigen",
            data.schedule.default_min_interval_same_antigen.as_ref(),
        )?;
        let mut codes: Vec<&String> = data.vaccines.keys().collect();
        codes.sort();
        let mut vaccines: Vec<Vaccine> = codes
            .iter()
            .map(|code| {
                let v = &data.vaccines[*code];
                Vaccine {
                    code: (*code).clone(),
                    name: v.name.clone(),
                    cvx: None,
                    aliases: vec![group_name(code)],
                    antigens: Vec::new(),
                    live: v.live,
                }
            })
            .collect();
        let vaccine_of = |code: &str, at: &str| -> Result<usize, ScheduleError> {
            codes
                .iter()
                .position(|c| c.as_str() == code)
                .ok_or_else(|| ScheduleError::new(file, at, format!("unknown vaccine {code:?}")))
        };
        let combinations = Combinations::new(file, &codes, &data.vaccines)?;
        let mut band_labels = Vec::new();
        for (name, label) in &data.schedule.band_labels {
            band_labels.push((band_of(file, "schedule.band_labels", name)?, label.clone()));
        }
        band_labels.sort_by_key(|(b, _)| *b as u8);
        let mut series_out: Vec<Series> = Vec::new();
        let mut groups: Vec<VaccineGroup> = Vec::new();
        let mut track_of_antigen_alternatives: HashMap<String, String> = HashMap::new();
        let mut special: Vec<(usize, &TSeries)> = Vec::new();
        for (si, ts) in data.series.iter().enumerate() {
            let at = format!("series {:?}", ts.id);
            let population = ts.applies_to.as_ref().and_then(|a| a.population.as_deref());
            match (ts.trigger.as_deref(), population) {
                (None | Some("age"), None) => {}
                (Some("school_grade"), None) | (None | Some("age"), Some(WUS)) => {
                    special.push((si, ts));
                    continue;
                }
                (Some(t), None) => {
                    return Err(ScheduleError::new(
                        file,
                        format!("{at} trigger"),
                        format!("unknown trigger {t:?} (expected \"age\" or \"school_grade\")"),
                    ));
                }
                (_, Some(p)) => {
                    return Err(ScheduleError::new(
                        file,
                        format!("{at} applies_to.population"),
                        format!("unknown population {p:?} (expected {WUS:?})"),
                    ));
                }
            }
            let first_antigen = match &ts.antigen {
                OneOrMany::One(a) => a.clone(),
                OneOrMany::Many(v) => v.first().cloned().unwrap_or_default(),
            };
            let alternative = ts.start_age_min.is_some() || ts.start_age_max.is_some();
            let track = if alternative {
                track_of_antigen_alternatives
                    .entry(first_antigen.clone())
                    .or_insert_with(|| ts.id.clone())
                    .clone()
            } else {
                ts.id.clone()
            };
            let is_base = track == ts.id;
            let effective = year_or_date(
                file,
                &format!("{at} effective_from"),
                ts.effective_from.as_ref(),
            )?;
            let series_default = dur(
                file,
                &format!("{at} min_interval_default"),
                ts.min_interval_default.as_ref(),
            )?;
            let mut doses = Vec::new();
            for d in &ts.doses {
                let dat = format!("{at} dose {}", d.dose);
                let mut min_age = dur(file, &format!("{dat} min_age"), d.min_age.as_ref())?;
                let mut max_age = dur(file, &format!("{dat} max_age"), d.max_age.as_ref())?;
                let mut min_interval = dur(
                    file,
                    &format!("{dat} min_interval"),
                    d.min_interval.as_ref(),
                )?;
                // Configurable choices where sources conflict.
                match (ts.id.as_str(), d.dose) {
                    ("hb0", 1) => max_age = Some(options.hb0_max_age),
                    ("pcv", 3) => max_age = Some(options.pcv3_max_age),
                    ("ipv", 2) => min_interval = Some(options.ipv2_min_interval),
                    ("rv", 1) => max_age = Some(options.rv1_max_age),
                    _ => {}
                }
                if options.who_minimum_ages
                    && matches!(
                        (ts.id.as_str(), d.dose),
                        ("dpt-hb-hib", 1) | ("bopv", 2) | ("pcv", 1) | ("rv", 1)
                    )
                {
                    min_age = Some(Duration::days(42));
                }
                if d.dose > 1 && min_interval.is_none() {
                    min_interval = series_default.or(default_interval);
                }
                let from = match d.interval_from.as_deref() {
                    None => IntervalFrom::Previous,
                    Some(f) => {
                        let (sid, n) = f.rsplit_once(':').ok_or_else(|| {
                            ScheduleError::new(
                                file,
                                format!("{dat} interval_from"),
                                format!("{f:?} is not like \"series:dose\""),
                            )
                        })?;
                        if sid != ts.id {
                            return Err(ScheduleError::new(
                                file,
                                format!("{dat} interval_from"),
                                "intervals from another series are not supported",
                            ));
                        }
                        IntervalFrom::TargetDose(n.parse().map_err(|_| {
                            ScheduleError::new(
                                file,
                                format!("{dat} interval_from"),
                                format!("{n:?} is not a dose number"),
                            )
                        })?)
                    }
                };
                let intervals = min_interval
                    .map(|m| Interval {
                        from,
                        abs_min: Some(m.minus_days(options.grace_period_days)),
                        min: Some(m),
                        earliest_recommended: None,
                        latest_recommended: None,
                        priority: false,
                        effective: None,
                        cessation: None,
                    })
                    .into_iter()
                    .collect();
                let mut listed = Vec::new();
                for v in &d.vaccines {
                    listed.push(vaccine_of(v, &format!("{dat} vaccines"))?);
                }
                let preferable = combinations.rules(&listed);
                for rule in &preferable {
                    let assoc = AntigenAssociation {
                        antigen: track.clone(),
                        begin_age: None,
                        end_age: None,
                    };
                    if let Some(v) = vaccines.get_mut(rule.vaccine)
                        && !v.antigens.contains(&assoc)
                    {
                        v.antigens.push(assoc);
                    }
                }
                let mut bands = Vec::new();
                for (name, range) in &d.buku_kia_bands {
                    let band = band_of(file, &format!("{dat} buku_kia_bands"), name)?;
                    let [from, to] = range.as_slice() else {
                        return Err(ScheduleError::new(
                            file,
                            format!("{dat} buku_kia_bands.{name}"),
                            "expected [from, to]",
                        ));
                    };
                    bands.push(BandRange {
                        band,
                        from_month: month_number(file, &dat, from)?,
                        to_month: month_number(file, &dat, to)?,
                    });
                }
                bands.sort_by_key(|b| b.from_month);
                let dose_effective = year_or_date(
                    file,
                    &format!("{dat} effective_from"),
                    d.effective_from.as_ref(),
                )?;
                doses.push(SeriesDose {
                    number: d.dose,
                    label: d.label.clone(),
                    ages: vec![AgeRule {
                        abs_min: min_age.map(|m| m.minus_days(options.grace_period_days)),
                        min: min_age,
                        earliest_recommended: dur(
                            file,
                            &format!("{dat} recommended_age"),
                            d.recommended_age.as_ref(),
                        )?,
                        latest_recommended: dur(
                            file,
                            &format!("{dat} recommended_until"),
                            d.recommended_until.as_ref(),
                        )?,
                        max: max_age,
                        effective: None,
                        cessation: None,
                    }],
                    intervals,
                    preferable,
                    introduced: dose_effective.or(effective),
                    bands,
                    sources: d.source.clone(),
                    ..SeriesDose::default()
                });
            }
            let applies = ts.applies_to.as_ref();
            let required_sex = sex_of(file, &at, applies)?;
            let name = group_name(
                ts.doses
                    .first()
                    .and_then(|d| d.vaccines.first())
                    .map_or(ts.id.as_str(), String::as_str),
            );
            if is_base {
                groups.push(VaccineGroup {
                    name: name.clone(),
                    codes: vec![name.clone(), ts.id.clone(), ts.label.clone()],
                    antigens: vec![track.clone()],
                    administer_full_group: false,
                });
            }
            series_out.push(Series {
                required_sex,
                default: is_base,
                start_window: alternative.then_some((
                    dur(
                        file,
                        &format!("{at} start_age_min"),
                        ts.start_age_min.as_ref(),
                    )?,
                    dur(
                        file,
                        &format!("{at} start_age_max"),
                        ts.start_age_max.as_ref(),
                    )?,
                )),
                regions: applies.map(|a| a.regions.clone()).unwrap_or_default(),
                ..Series::standard(
                    ts.label.clone(),
                    track.clone(),
                    name,
                    u32::try_from(si + 1).unwrap_or(u32::MAX),
                    doses,
                )
            });
        }
        let mut built = Built {
            file,
            options,
            codes: &codes,
            tvaccines: &data.vaccines,
            combinations: &combinations,
            default_interval,
            vaccines: &mut vaccines,
            series: &mut series_out,
            groups: &mut groups,
        };
        for (si, ts) in special {
            let preference = u32::try_from(si + 1).unwrap_or(u32::MAX);
            if ts.trigger.as_deref() == Some("school_grade") {
                built.school_series(ts, preference)?;
            } else {
                built.wus_series(ts, preference)?;
            }
        }
        // Catch-up alternatives without bands of their own (PCV kejar) show the chart
        // bands of the base series' dose with the same number.
        for k in 0..series_out.len() {
            if series_out[k].default {
                continue;
            }
            let Some(base) = series_out
                .iter()
                .position(|b| b.default && b.antigen == series_out[k].antigen)
            else {
                continue;
            };
            for d in 0..series_out[k].doses.len() {
                if !series_out[k].doses[d].bands.is_empty() {
                    continue;
                }
                let number = series_out[k].doses[d].number;
                if let Some(bands) = series_out[base]
                    .doses
                    .iter()
                    .find(|b| b.number == number)
                    .map(|b| b.bands.clone())
                {
                    series_out[k].doses[d].bands = bands;
                }
            }
        }
        Schedule {
            id: data.schedule.id,
            title: data.schedule.title,
            antigens: Vec::new(),
            series: series_out,
            vaccines,
            groups,
            conflicts: Vec::new(),
            immunity: Vec::new(),
            grace_period_days: options.grace_period_days,
            band_labels,
            kemenkes: Some(KemenkesExtras {
                options: options.clone(),
            }),
            vaccine_index: HashMap::new(),
            series_by_antigen: Vec::new(),
            vaccine_antigens: Vec::new(),
            conflicts_by_current: Vec::new(),
            group_antigens: Vec::new(),
            antigen_in_group: Vec::new(),
            gated_antigen: Vec::new(),
        }
        .finish(file)
    }
}

impl Schedule {
    /// Indonesia's national programme (Kemenkes), from the crate's `id-kemenkes.toml`,
    /// with Kemenkes' grace period of 0 days. Parsed once on first use.
    ///
    /// # Errors
    ///
    /// Never in practice (the embedded file is tested); a [`ScheduleError`] otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// let id = sehat_immunization::Schedule::id_kemenkes()?;
    /// assert!(id.vaccine("DPT-HB-Hib").is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "id-kemenkes")))]
    pub fn id_kemenkes() -> Result<&'static Schedule, ScheduleError> {
        static ID: OnceLock<Result<Schedule, ScheduleError>> = OnceLock::new();
        ID.get_or_init(|| {
            Schedule::from_kemenkes_toml(
                EMBEDDED_TOML,
                &crate::model::kemenkes_options::KemenkesOptions::default(),
            )
        })
        .as_ref()
        .map_err(Clone::clone)
    }
}

#[cfg(test)]
mod tests {
    use super::grade_label;

    #[test]
    fn grades_are_named_by_school_level() {
        assert_eq!(grade_label(1), "kelas 1 SD");
        assert_eq!(grade_label(9), "kelas 3 SMP");
        assert_eq!(grade_label(12), "kelas 3 SMA");
    }
}
