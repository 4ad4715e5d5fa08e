//! The Posyandu register: children, their parents' numbers, weighings and immunizations.

use std::error::Error;
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use time::Date;

/// The register file as written by a Posyandu app or a cadre's spreadsheet export.
#[derive(Debug, Deserialize)]
pub struct RegisterFile {
    pub puskesmas: String,
    /// The province's ISO 3166-2 code (`ID-JB`), which selects regional vaccines.
    pub province_code: String,
    pub posyandu_date: String,
    pub children: Vec<ChildRecord>,
}

#[derive(Debug, Deserialize)]
pub struct ChildRecord {
    pub id: String,
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    pub village: String,
    pub posyandu: String,
    #[serde(default)]
    pub parent_phone: String,
    #[serde(default)]
    pub visits: Vec<VisitRecord>,
    #[serde(default)]
    pub immunizations: Vec<DoseRecord>,
}

#[derive(Debug, Deserialize)]
pub struct VisitRecord {
    pub date: String,
    pub weight_kg: Option<f64>,
    pub length_cm: Option<f64>,
    pub position: Option<String>,
    pub oedema: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct DoseRecord {
    pub date: String,
    pub vaccine: String,
}

/// Sex as the register writes it: `L` (laki-laki) or `P` (perempuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Boy,
    Girl,
}

/// A validated child: dates parsed, sex known, visits in date order.
#[derive(Debug)]
pub struct Child {
    pub id: String,
    pub name: String,
    pub sex: Sex,
    pub birth_date: Date,
    pub village: String,
    pub posyandu: String,
    pub parent_phone: String,
    pub visits: Vec<Visit>,
    pub doses: Vec<(Date, String)>,
}

#[derive(Debug)]
pub struct Visit {
    pub date: Date,
    pub weight_kg: Option<f64>,
    pub length_cm: Option<f64>,
    pub lying: Option<bool>,
    pub oedema: bool,
}

/// The register, validated.
#[derive(Debug)]
pub struct Register {
    pub puskesmas: String,
    pub province_code: String,
    pub posyandu_date: Date,
    pub children: Vec<Child>,
}

/// What is wrong in the register, and where.
#[derive(Debug)]
pub struct RegisterError {
    pub child: Option<String>,
    pub field: String,
    pub problem: String,
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.child {
            Some(child) => write!(f, "child {child}, field `{}`: {}", self.field, self.problem),
            None => write!(f, "field `{}`: {}", self.field, self.problem),
        }
    }
}

impl Error for RegisterError {}

fn date(child: Option<&str>, field: &str, text: &str) -> Result<Date, RegisterError> {
    sehat::tanggal::parse_iso(text.trim()).map_err(|e| RegisterError {
        child: child.map(str::to_owned),
        field: field.to_owned(),
        problem: e.to_string(),
    })
}

impl Register {
    /// Reads and validates a register file.
    pub fn load(path: &Path) -> Result<Register, Box<dyn Error>> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read register {}: {e}", path.display()))?;
        let file: RegisterFile =
            serde_json::from_str(&text).map_err(|e| format!("register {}: {e}", path.display()))?;
        Ok(Register::validate(file)?)
    }

    fn validate(file: RegisterFile) -> Result<Register, RegisterError> {
        let posyandu_date = date(None, "posyandu_date", &file.posyandu_date)?;
        let mut children = Vec::with_capacity(file.children.len());
        for record in file.children {
            let id = Some(record.id.as_str());
            let fail = |field: &str, problem: String| RegisterError {
                child: Some(record.id.clone()),
                field: field.to_owned(),
                problem,
            };
            let sex = match record.sex.trim() {
                "L" | "l" => Sex::Boy,
                "P" | "p" => Sex::Girl,
                other => return Err(fail("sex", format!("`{other}` is neither L nor P"))),
            };
            let birth_date = date(id, "birth_date", &record.birth_date)?;
            let mut visits = Vec::with_capacity(record.visits.len());
            for (n, visit) in record.visits.iter().enumerate() {
                let field = |name: &str| format!("visits[{n}].{name}");
                let lying = match visit.position.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some("l" | "L") => Some(true),
                    Some("h" | "H") => Some(false),
                    Some(other) => {
                        return Err(fail(
                            &field("position"),
                            format!("`{other}` is neither l nor h"),
                        ));
                    }
                };
                let oedema = match visit.oedema.as_deref().map(str::trim) {
                    None | Some("" | "n" | "N") => false,
                    Some("y" | "Y") => true,
                    Some(other) => {
                        return Err(fail(
                            &field("oedema"),
                            format!("`{other}` is neither y nor n"),
                        ));
                    }
                };
                let visit_date = date(id, &field("date"), &visit.date)?;
                if visit_date < birth_date {
                    return Err(fail(
                        &field("date"),
                        "the visit is before the birth date".into(),
                    ));
                }
                visits.push(Visit {
                    date: visit_date,
                    weight_kg: visit.weight_kg,
                    length_cm: visit.length_cm,
                    lying,
                    oedema,
                });
            }
            visits.sort_by_key(|v| v.date);
            let mut doses = Vec::with_capacity(record.immunizations.len());
            for (n, dose) in record.immunizations.iter().enumerate() {
                let dose_date = date(id, &format!("immunizations[{n}].date"), &dose.date)?;
                doses.push((dose_date, dose.vaccine.trim().to_owned()));
            }
            children.push(Child {
                id: record.id.clone(),
                name: record.name.clone(),
                sex,
                birth_date,
                village: record.village.clone(),
                posyandu: record.posyandu.clone(),
                parent_phone: record.parent_phone.clone(),
                visits,
                doses,
            });
        }
        Ok(Register {
            puskesmas: file.puskesmas,
            province_code: file.province_code,
            posyandu_date,
            children,
        })
    }
}
