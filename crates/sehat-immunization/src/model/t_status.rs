//! How a series counts tetanus-diphtheria status (*status T*) of women of childbearing
//! age: the rule as data; the engine evaluates it.

use crate::model::duration::Duration;

/// How a series counts T-status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TStatusRule {
    /// Doses given before this age are childhood doses, credited by the screening
    /// table without the T intervals; from this age every Td dose is one T step.
    pub(crate) adult_from: Duration,
    /// Vaccines of the infant primary series and its booster (DPT-HB-Hib).
    pub(crate) primary: Vec<usize>,
    /// Number of primary doses (3) before the next one is the booster.
    pub(crate) primary_doses: usize,
    /// Highest T-status the primary doses reach (T2).
    pub(crate) primary_cap: usize,
    /// Highest T-status the booster reaches (T3).
    pub(crate) booster_cap: usize,
    /// Other childhood vaccines and the highest T-status they reach (DT kelas 1: T4).
    pub(crate) caps: Vec<(usize, usize)>,
}
