//! Classifications of z-scores: WHO's cut-offs and Indonesia's Permenkes No. 2/2020.
//!
//! Every classifier takes a z-score and returns `None` for NaN. WHO's software applies
//! cut-offs to the z rounded to two decimals ([`ZScore::z_rounded`](crate::ZScore)),
//! which is what these functions expect; the regulation does not say which one it
//! compares.
//!
//! The Permenkes boundaries follow the regulation as widely reproduced. The bands of
//! weight-for-age (BB/U) and length/height-for-age (PB/U, TB/U) and the three
//! "obesitas" thresholds were confirmed in secondary sources reproducing the regulation;
//! the intermediate boundaries of weight-for-length/height and BMI-for-age (−2 sd +1,
//! \> +1 sd +2, \> +2 sd +3) and whether a z of exactly −2 is "kurang" or "normal" have
//! not yet been verified against the annex of the regulation itself.

macro_rules! labelled {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $id:literal, $en:literal;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// The label in Bahasa Indonesia.
            #[must_use]
            pub const fn label_id(self) -> &'static str {
                match self {
                    $(Self::$variant => $id,)*
                }
            }

            /// The label in English.
            #[must_use]
            pub const fn label_en(self) -> &'static str {
                match self {
                    $(Self::$variant => $en,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label_en())
            }
        }
    };
}

labelled! {
    /// WHO stunting, from length/height-for-age: z < −2 stunted, z < −3 severely.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::classification::Stunting;
    ///
    /// assert_eq!(Stunting::from_z(-2.5), Some(Stunting::Stunted));
    /// assert_eq!(Stunting::from_z(-2.0), Some(Stunting::NotStunted));
    /// ```
    Stunting {
        /// z < −3.
        SeverelyStunted => "sangat pendek", "severely stunted";
        /// −3 ≤ z < −2.
        Stunted => "pendek", "stunted";
        /// z ≥ −2.
        NotStunted => "tidak pendek", "not stunted";
    }
}

impl Stunting {
    /// Classifies a length/height-for-age z-score.
    #[must_use]
    pub fn from_z(z: f64) -> Option<Self> {
        Some(match z {
            z if z.is_nan() => return None,
            z if z < -3.0 => Self::SeverelyStunted,
            z if z < -2.0 => Self::Stunted,
            _ => Self::NotStunted,
        })
    }
}

labelled! {
    /// WHO underweight, from weight-for-age: z < −2 underweight, z < −3 severely.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::classification::Underweight;
    ///
    /// assert_eq!(Underweight::from_z(-3.01), Some(Underweight::SeverelyUnderweight));
    /// ```
    Underweight {
        /// z < −3.
        SeverelyUnderweight => "berat badan sangat kurang", "severely underweight";
        /// −3 ≤ z < −2.
        Underweight => "berat badan kurang", "underweight";
        /// z ≥ −2.
        NotUnderweight => "tidak berat badan kurang", "not underweight";
    }
}

impl Underweight {
    /// Classifies a weight-for-age z-score.
    #[must_use]
    pub fn from_z(z: f64) -> Option<Self> {
        Some(match z {
            z if z.is_nan() => return None,
            z if z < -3.0 => Self::SeverelyUnderweight,
            z if z < -2.0 => Self::Underweight,
            _ => Self::NotUnderweight,
        })
    }
}

labelled! {
    /// WHO wasting and overweight, from weight-for-length/height (children under 5).
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::classification::WeightForLengthStatus;
    ///
    /// assert_eq!(WeightForLengthStatus::from_z(2.5), Some(WeightForLengthStatus::Overweight));
    /// assert_eq!(WeightForLengthStatus::from_z(3.01).map(|s| s.label_en()), Some("obese"));
    /// ```
    WeightForLengthStatus {
        /// z < −3.
        SeverelyWasted => "sangat kurus", "severely wasted";
        /// −3 ≤ z < −2.
        Wasted => "kurus", "wasted";
        /// −2 ≤ z ≤ +2.
        Normal => "normal", "normal";
        /// +2 < z ≤ +3.
        Overweight => "gemuk", "overweight";
        /// z > +3.
        Obese => "obesitas", "obese";
    }
}

impl WeightForLengthStatus {
    /// Classifies a weight-for-length/height z-score.
    #[must_use]
    pub fn from_z(z: f64) -> Option<Self> {
        Some(match z {
            z if z.is_nan() => return None,
            z if z < -3.0 => Self::SeverelyWasted,
            z if z < -2.0 => Self::Wasted,
            z if z > 3.0 => Self::Obese,
            z if z > 2.0 => Self::Overweight,
            _ => Self::Normal,
        })
    }
}

labelled! {
    /// WHO thinness and overweight 5–19 years, from BMI-for-age (2007 reference).
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::classification::BmiStatus5To19;
    ///
    /// assert_eq!(BmiStatus5To19::from_z(1.5), Some(BmiStatus5To19::Overweight));
    /// ```
    BmiStatus5To19 {
        /// z < −3.
        SeverelyThin => "sangat kurus", "severe thinness";
        /// −3 ≤ z < −2.
        Thin => "kurus", "thinness";
        /// −2 ≤ z ≤ +1.
        Normal => "normal", "normal";
        /// +1 < z ≤ +2.
        Overweight => "gemuk", "overweight";
        /// z > +2.
        Obese => "obesitas", "obesity";
    }
}

impl BmiStatus5To19 {
    /// Classifies a BMI-for-age z-score (5–19 years).
    #[must_use]
    pub fn from_z(z: f64) -> Option<Self> {
        Some(match z {
            z if z.is_nan() => return None,
            z if z < -3.0 => Self::SeverelyThin,
            z if z < -2.0 => Self::Thin,
            z if z > 2.0 => Self::Obese,
            z if z > 1.0 => Self::Overweight,
            _ => Self::Normal,
        })
    }
}

labelled! {
    /// Permenkes No. 2/2020, weight-for-age (BB/U), 0–60 months.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::classification::BeratBadanMenurutUmur as BbU;
    ///
    /// assert_eq!(BbU::from_z(-3.0), Some(BbU::Kurang)); // "−3 sd < −2" includes −3
    /// assert_eq!(BbU::from_z(1.2).map(|c| c.label_id()), Some("risiko berat badan lebih"));
    /// ```
    BeratBadanMenurutUmur {
        /// z < −3.
        SangatKurang => "berat badan sangat kurang", "severely underweight";
        /// −3 ≤ z < −2.
        Kurang => "berat badan kurang", "underweight";
        /// −2 ≤ z ≤ +1.
        Normal => "berat badan normal", "normal weight";
        /// z > +1.
        RisikoLebih => "risiko berat badan lebih", "risk of overweight";
    }
}

impl BeratBadanMenurutUmur {
    /// Classifies a weight-for-age z-score.
    #[must_use]
    pub fn from_z(z: f64) -> Option<Self> {
        Some(match z {
            z if z.is_nan() => return None,
            z if z < -3.0 => Self::SangatKurang,
            z if z < -2.0 => Self::Kurang,
            z if z > 1.0 => Self::RisikoLebih,
            _ => Self::Normal,
        })
    }
}

labelled! {
    /// Permenkes No. 2/2020, length/height-for-age (PB/U or TB/U), 0–60 months.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::classification::TinggiBadanMenurutUmur as TbU;
    ///
    /// assert_eq!(TbU::from_z(-2.01).map(|c| c.label_id()), Some("pendek"));
    /// assert_eq!(TbU::from_z(3.0), Some(TbU::Normal));
    /// ```
    TinggiBadanMenurutUmur {
        /// z < −3.
        SangatPendek => "sangat pendek", "severely stunted";
        /// −3 ≤ z < −2.
        Pendek => "pendek", "stunted";
        /// −2 ≤ z ≤ +3.
        Normal => "normal", "normal";
        /// z > +3.
        Tinggi => "tinggi", "tall";
    }
}

impl TinggiBadanMenurutUmur {
    /// Classifies a length/height-for-age z-score.
    #[must_use]
    pub fn from_z(z: f64) -> Option<Self> {
        Some(match z {
            z if z.is_nan() => return None,
            z if z < -3.0 => Self::SangatPendek,
            z if z < -2.0 => Self::Pendek,
            z if z > 3.0 => Self::Tinggi,
            _ => Self::Normal,
        })
    }
}

labelled! {
    /// Permenkes No. 2/2020 nutritional status (status gizi) from weight-for-length/height
    /// (BB/PB, BB/TB) or BMI-for-age (IMT/U), 0–60 months.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::classification::StatusGizi;
    ///
    /// assert_eq!(StatusGizi::from_z(-2.5).map(|c| c.label_id()), Some("gizi kurang"));
    /// assert_eq!(StatusGizi::from_z(1.5), Some(StatusGizi::BerisikoGiziLebih));
    /// assert_eq!(StatusGizi::from_z(3.5).map(|c| c.label_en()), Some("obese"));
    /// ```
    StatusGizi {
        /// z < −3.
        GiziBuruk => "gizi buruk", "severely wasted";
        /// −3 ≤ z < −2.
        GiziKurang => "gizi kurang", "wasted";
        /// −2 ≤ z ≤ +1.
        GiziBaik => "gizi baik", "normal";
        /// +1 < z ≤ +2.
        BerisikoGiziLebih => "berisiko gizi lebih", "possible risk of overweight";
        /// +2 < z ≤ +3.
        GiziLebih => "gizi lebih", "overweight";
        /// z > +3.
        Obesitas => "obesitas", "obese";
    }
}

impl StatusGizi {
    /// Classifies a weight-for-length/height or BMI-for-age z-score (0–60 months).
    #[must_use]
    pub fn from_z(z: f64) -> Option<Self> {
        Some(match z {
            z if z.is_nan() => return None,
            z if z < -3.0 => Self::GiziBuruk,
            z if z < -2.0 => Self::GiziKurang,
            z if z > 3.0 => Self::Obesitas,
            z if z > 2.0 => Self::GiziLebih,
            z if z > 1.0 => Self::BerisikoGiziLebih,
            _ => Self::GiziBaik,
        })
    }
}

labelled! {
    /// Permenkes No. 2/2020 nutritional status from BMI-for-age (IMT/U), 5–18 years.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::classification::StatusGizi5To18 as Gizi;
    ///
    /// assert_eq!(Gizi::from_z(2.19).map(|c| c.label_id()), Some("obesitas"));
    /// assert_eq!(Gizi::from_z(-3.2), Some(Gizi::GiziBuruk));
    /// ```
    StatusGizi5To18 {
        /// z < −3.
        GiziBuruk => "gizi buruk", "severely thinness";
        /// −3 ≤ z < −2.
        GiziKurang => "gizi kurang", "thinness";
        /// −2 ≤ z ≤ +1.
        GiziBaik => "gizi baik", "normal";
        /// +1 < z ≤ +2.
        GiziLebih => "gizi lebih", "overweight";
        /// z > +2.
        Obesitas => "obesitas", "obese";
    }
}

impl StatusGizi5To18 {
    /// Classifies a BMI-for-age z-score (5–18 years).
    #[must_use]
    pub fn from_z(z: f64) -> Option<Self> {
        Some(match z {
            z if z.is_nan() => return None,
            z if z < -3.0 => Self::GiziBuruk,
            z if z < -2.0 => Self::GiziKurang,
            z if z > 2.0 => Self::Obesitas,
            z if z > 1.0 => Self::GiziLebih,
            _ => Self::GiziBaik,
        })
    }
}

/// The four Permenkes No. 2/2020 categories of a child under five, from the rounded
/// z-scores (`None` where the z-score is missing).
///
/// # Examples
///
/// ```
/// use sehat_anthro::{Child, Sex, zscores};
///
/// let z = zscores(&Child::new(Sex::Female).age_months(18.0).weight_kg(8.2).length_cm(74.0));
/// let status = z.permenkes();
/// assert_eq!(status.tb_u.map(|c| c.label_id()), Some("pendek"));
/// assert_eq!(status.bb_u.map(|c| c.label_id()), Some("berat badan normal"));
/// assert_eq!(status.bb_tb.map(|c| c.label_id()), Some("gizi baik"));
/// assert_eq!(status.imt_u.map(|c| c.label_id()), Some("gizi baik"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermenkesStatus {
    /// Weight-for-age (BB/U).
    pub bb_u: Option<BeratBadanMenurutUmur>,
    /// Length/height-for-age (PB/U or TB/U).
    pub tb_u: Option<TinggiBadanMenurutUmur>,
    /// Weight-for-length/height (BB/PB or BB/TB).
    pub bb_tb: Option<StatusGizi>,
    /// BMI-for-age (IMT/U).
    pub imt_u: Option<StatusGizi>,
}

impl crate::ZScores {
    /// The Permenkes No. 2/2020 categories of these z-scores (rounded z, as WHO's
    /// software compares).
    #[must_use]
    pub fn permenkes(&self) -> PermenkesStatus {
        let rounded = |outcome: crate::Outcome| outcome.ok().map(|z| z.z_rounded);
        PermenkesStatus {
            bb_u: rounded(self.weight_for_age).and_then(BeratBadanMenurutUmur::from_z),
            tb_u: rounded(self.length_for_age).and_then(TinggiBadanMenurutUmur::from_z),
            bb_tb: rounded(self.weight_for_length).and_then(StatusGizi::from_z),
            imt_u: rounded(self.bmi_for_age).and_then(StatusGizi::from_z),
        }
    }
}
