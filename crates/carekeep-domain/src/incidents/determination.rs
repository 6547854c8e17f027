//! Is it a breach? 164.402: an acquisition, access, use or disclosure of PHI not permitted by
//! the Privacy Rule that compromises it is *presumed* a breach, unless (1) the PHI was secured
//! (encrypted under HHS guidance with the key not compromised, or destroyed), (2) one of the
//! three exclusions applies, or (3) a risk assessment of at least four factors shows a low
//! probability that the PHI was compromised. The clinic carries the burden of proof
//! (164.414(b)), so every "not a breach" answer needs its written reasons.

use serde::{Deserialize, Serialize};

/// The safe harbor for unsecured PHI (164.402 "unsecured protected health information";
/// HHS guidance, 74 FR 42740).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Safeguard {
    /// Nothing made it unusable: unsecured.
    None,
    /// Encrypted consistent with NIST SP 800-111 (at rest) or 800-52/77/113 (in motion).
    Encrypted,
    /// Paper shredded, or media cleared, purged or destroyed under NIST SP 800-88.
    Destroyed,
}

/// The three exclusions from "breach" (164.402(1)(i)-(iii)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// (i) Unintentional acquisition, access or use by a workforce member in good faith, within
    /// their authority, with no further impermissible use or disclosure.
    UnintentionalWorkforce,
    /// (ii) Inadvertent disclosure between two people authorised at the same clinic, business
    /// associate or OHCA, not further used or disclosed.
    InadvertentAuthorized,
    /// (iii) A good-faith belief that the recipient could not reasonably have retained it.
    CouldNotRetain,
}

impl Exclusion {
    pub fn cfr(self) -> &'static str {
        match self {
            Exclusion::UnintentionalWorkforce => "164.402(1)(i)",
            Exclusion::InadvertentAuthorized => "164.402(1)(ii)",
            Exclusion::CouldNotRetain => "164.402(1)(iii)",
        }
    }
}

/// The four factors of 164.402(2)(i)-(iv), each in the clinic's words.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FourFactors {
    /// (i) The nature and extent of the PHI, the identifiers, the chance of re-identification.
    pub nature_and_extent: String,
    /// (ii) The unauthorised person who used it or to whom it was disclosed.
    pub unauthorized_person: String,
    /// (iii) Whether it was actually acquired or viewed.
    pub acquired_or_viewed: String,
    /// (iv) How far the risk has been mitigated.
    pub mitigation: String,
    /// The conclusion: the clinic finds a low probability that the PHI was compromised.
    pub low_probability: bool,
}

impl FourFactors {
    /// Every factor written out (at least a sentence each).
    pub fn complete(&self) -> bool {
        [
            &self.nature_and_extent,
            &self.unauthorized_person,
            &self.acquired_or_viewed,
            &self.mitigation,
        ]
        .iter()
        .all(|f| f.trim().chars().count() >= 10)
    }
}

/// What the guided determination records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    pub phi_involved: bool,
    pub safeguard: Safeguard,
    /// For encryption: whether the key or the means to decrypt was also compromised.
    pub key_compromised: bool,
    pub exclusion: Option<Exclusion>,
    /// The reasons the exclusion applies.
    pub exclusion_reason: String,
    pub factors: FourFactors,
}

/// The answer, with the paragraph behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    /// A security incident without PHI: log it (164.308(a)(6)(ii)); no breach notice.
    NoPhi,
    /// Secured PHI: not "unsecured PHI", so Subpart D asks for no notice (164.402, 164.404(a)).
    Secured,
    /// An exclusion applies, with its reasons written (164.402(1)).
    Excluded,
    /// The four-factor assessment documents a low probability of compromise (164.402(2)).
    LowProbability,
    /// A breach of unsecured PHI: notify (the presumption of 164.402(2)).
    Breach,
}

impl Conclusion {
    pub fn as_str(self) -> &'static str {
        match self {
            Conclusion::NoPhi => "no_phi",
            Conclusion::Secured => "secured",
            Conclusion::Excluded => "excluded",
            Conclusion::LowProbability => "low_probability",
            Conclusion::Breach => "breach",
        }
    }

    pub fn parse(s: &str) -> Option<Conclusion> {
        [
            Conclusion::NoPhi,
            Conclusion::Secured,
            Conclusion::Excluded,
            Conclusion::LowProbability,
            Conclusion::Breach,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }

    pub fn notify(self) -> bool {
        self == Conclusion::Breach
    }

    pub fn explain(self) -> &'static str {
        match self {
            Conclusion::NoPhi => "No PHI was involved: a security incident to log and learn from, not a breach (164.308(a)(6)(ii)).",
            Conclusion::Secured => "The PHI was secured (encrypted with the key safe, or destroyed), so it is not unsecured PHI and no breach notice is owed (164.402, 164.404(a)).",
            Conclusion::Excluded => "One of the three exclusions applies, for the reasons recorded (164.402(1)).",
            Conclusion::LowProbability => "The four-factor assessment documents a low probability that the PHI was compromised (164.402(2)).",
            Conclusion::Breach => "A breach of unsecured PHI is presumed unless a documented assessment shows a low probability of compromise (164.402(2)): notices are owed.",
        }
    }
}

/// The determination. Breach unless the record shows otherwise.
pub fn decide(f: &Facts) -> Conclusion {
    if !f.phi_involved {
        return Conclusion::NoPhi;
    }
    match f.safeguard {
        Safeguard::Destroyed => return Conclusion::Secured,
        Safeguard::Encrypted if !f.key_compromised => return Conclusion::Secured,
        _ => {}
    }
    if f.exclusion.is_some() && f.exclusion_reason.trim().chars().count() >= 10 {
        return Conclusion::Excluded;
    }
    if f.factors.low_probability && f.factors.complete() {
        return Conclusion::LowProbability;
    }
    Conclusion::Breach
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Facts {
        Facts {
            phi_involved: true,
            safeguard: Safeguard::None,
            key_compromised: false,
            exclusion: None,
            exclusion_reason: String::new(),
            factors: FourFactors::default(),
        }
    }

    fn factors(low: bool) -> FourFactors {
        FourFactors {
            nature_and_extent: "names and appointment dates only, no clinical data".into(),
            unauthorized_person: "another covered entity's billing office".into(),
            acquired_or_viewed: "returned unopened by courier the same day".into(),
            mitigation: "written assurance of destruction obtained".into(),
            low_probability: low,
        }
    }

    #[test]
    fn breach_is_presumed_unless_the_record_shows_otherwise() {
        let cases: Vec<(&str, Facts, Conclusion)> = vec![
            (
                "164.308(a)(6): no PHI",
                Facts {
                    phi_involved: false,
                    ..base()
                },
                Conclusion::NoPhi,
            ),
            ("164.402(2): presumed", base(), Conclusion::Breach),
            (
                "164.402 safe harbor: encrypted, key safe",
                Facts {
                    safeguard: Safeguard::Encrypted,
                    ..base()
                },
                Conclusion::Secured,
            ),
            (
                "164.402: encrypted but the key was taken too",
                Facts {
                    safeguard: Safeguard::Encrypted,
                    key_compromised: true,
                    ..base()
                },
                Conclusion::Breach,
            ),
            (
                "164.402 safe harbor: destroyed",
                Facts {
                    safeguard: Safeguard::Destroyed,
                    ..base()
                },
                Conclusion::Secured,
            ),
            (
                "164.402(1)(i) with its reasons",
                Facts {
                    exclusion: Some(Exclusion::UnintentionalWorkforce),
                    exclusion_reason: "nurse opened the wrong chart from the schedule, closed it at once".into(),
                    ..base()
                },
                Conclusion::Excluded,
            ),
            (
                "164.402(1): an exclusion without reasons proves nothing",
                Facts {
                    exclusion: Some(Exclusion::CouldNotRetain),
                    ..base()
                },
                Conclusion::Breach,
            ),
            (
                "164.402(2): four factors, low",
                Facts {
                    factors: factors(true),
                    ..base()
                },
                Conclusion::LowProbability,
            ),
            (
                "164.402(2): four factors, not low",
                Facts {
                    factors: factors(false),
                    ..base()
                },
                Conclusion::Breach,
            ),
            (
                "164.402(2): a factor left blank",
                Facts {
                    factors: FourFactors {
                        mitigation: String::new(),
                        ..factors(true)
                    },
                    ..base()
                },
                Conclusion::Breach,
            ),
        ];
        for (why, facts, want) in cases {
            assert_eq!(decide(&facts), want, "{why}");
        }
    }
}
