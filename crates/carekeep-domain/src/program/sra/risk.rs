//! Risk rating and treatment. Likelihood and impact use the words of the HHS/ONC SRA Tool
//! (low / moderate / high); the level comes from a 3x3 matrix. The matrix is the clinic's
//! method, not a regulatory number: 164.308(a)(1)(ii)(A) asks for an accurate and thorough
//! assessment of risks, and 164.308(a)(1)(ii)(B) for measures that reduce them to a reasonable
//! and appropriate level, without prescribing a scale.

use serde::{Deserialize, Serialize};

/// Low, moderate or high: used for likelihood, impact and the resulting level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Low,
    Moderate,
    High,
}

impl Rating {
    pub const ALL: [Rating; 3] = [Rating::Low, Rating::Moderate, Rating::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Low => "low",
            Rating::Moderate => "moderate",
            Rating::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Rating> {
        Rating::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

/// The risk level of a threat to an asset. Rows are likelihood, columns impact:
///
/// |          | low      | moderate | high     |
/// |----------|----------|----------|----------|
/// | low      | low      | low      | moderate |
/// | moderate | low      | moderate | high     |
/// | high     | moderate | high     | high     |
pub fn level(likelihood: Rating, impact: Rating) -> Rating {
    use Rating::*;
    match (likelihood, impact) {
        (Low, Low) | (Low, Moderate) | (Moderate, Low) => Low,
        (Low, High) | (Moderate, Moderate) | (High, Low) => Moderate,
        (Moderate, High) | (High, Moderate) | (High, High) => High,
    }
}

/// What the clinic does about a risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    /// Reduce it: becomes remediation tasks.
    Mitigate,
    /// Live with it, saying why.
    Accept,
    /// Pass it to someone else (insurance, a vendor under a BAA).
    Transfer,
    /// Stop doing the thing that carries it.
    Avoid,
}

impl Treatment {
    pub const ALL: [Treatment; 4] = [
        Treatment::Mitigate,
        Treatment::Accept,
        Treatment::Transfer,
        Treatment::Avoid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Treatment::Mitigate => "mitigate",
            Treatment::Accept => "accept",
            Treatment::Transfer => "transfer",
            Treatment::Avoid => "avoid",
        }
    }

    pub fn parse(s: &str) -> Option<Treatment> {
        Treatment::ALL.into_iter().find(|t| t.as_str() == s.trim())
    }
}

/// Checks a treatment decision: accepting a risk needs the justification written down (the
/// residual risk must be reasonable and appropriate, 164.308(a)(1)(ii)(B)), and accepting a
/// high risk is refused: it must be mitigated, transferred or avoided first.
pub fn check_treatment(level: Rating, treatment: Treatment, justification: &str) -> Result<(), &'static str> {
    match treatment {
        Treatment::Accept if level == Rating::High => {
            Err("a high risk cannot be accepted as it is: mitigate, transfer or avoid it")
        }
        Treatment::Accept | Treatment::Transfer if justification.trim().chars().count() < 10 => {
            Err("say why (at least 10 characters): accepting or transferring a risk needs a written justification")
        }
        _ => Ok(()),
    }
}

/// What a finalised assessment may not hold: a risk above low that the clinic says it will
/// mitigate with no remediation task that has an owner and a due date. Risk management is
/// "measures sufficient to reduce risks and vulnerabilities to a reasonable and appropriate
/// level" (164.308(a)(1)(ii)(B)); a moderate or high risk with no one named to reduce it by a
/// date is no plan, and the report would print "Remediation plan: no tasks" beside it.
pub const NEEDS_A_PLAN: &str =
    "this risk is above low and to be mitigated but has no remediation task with an owner and a due date: add one (what, who, by when) before finalizing";

/// Whether a risk keeps the assessment from being finalized for want of a plan; `planned` is
/// how many of its tasks name an owner and a due date.
pub fn needs_a_plan(level: Rating, treatment: Treatment, planned: usize) -> bool {
    level > Rating::Low && treatment == Treatment::Mitigate && planned == 0
}

/// Whether a task counts as a plan: someone owns it and it has a date.
pub fn is_planned(owner: &str, due_on: &str) -> bool {
    !owner.trim().is_empty() && !due_on.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Rating::*;

    /// 164.308(a)(1)(ii)(B): a risk above low to mitigate carries at least one task with an
    /// owner and a due date before the assessment is finalized; a low risk, or one transferred
    /// or avoided (decisions written with their justification), does not need one.
    #[test]
    fn a_risk_above_low_to_mitigate_needs_a_task() {
        let cases = [
            (High, Treatment::Mitigate, 0, true),
            (High, Treatment::Mitigate, 1, false),
            (High, Treatment::Mitigate, 3, false),
            (High, Treatment::Transfer, 0, false),
            (High, Treatment::Avoid, 0, false),
            (Moderate, Treatment::Mitigate, 0, true),
            (Moderate, Treatment::Mitigate, 1, false),
            (Moderate, Treatment::Accept, 0, false),
            (Low, Treatment::Mitigate, 0, false),
        ];
        for (lvl, t, tasks, refused) in cases {
            assert_eq!(needs_a_plan(lvl, t, tasks), refused, "{lvl:?} {t:?} {tasks}");
        }
    }

    /// A task without an owner or a date is not a plan (164.308(a)(1)(ii)(B)).
    #[test]
    fn a_plan_names_who_and_when() {
        assert!(is_planned("Dana Reyes", "2027-01-15"));
        assert!(!is_planned(" ", "2027-01-15"));
        assert!(!is_planned("Dana Reyes", ""));
    }

    #[test]
    fn the_three_by_three_matrix() {
        let cases = [
            (Low, Low, Low),
            (Low, Moderate, Low),
            (Low, High, Moderate),
            (Moderate, Low, Low),
            (Moderate, Moderate, Moderate),
            (Moderate, High, High),
            (High, Low, Moderate),
            (High, Moderate, High),
            (High, High, High),
        ];
        for (l, i, want) in cases {
            assert_eq!(level(l, i), want, "likelihood {l:?} impact {i:?}");
        }
    }

    /// 164.308(a)(1)(ii)(B): residual risk reasonable and appropriate, and documented.
    #[test]
    fn treatments_that_need_a_reason() {
        let cases = [
            (Moderate, Treatment::Mitigate, "", true),
            (High, Treatment::Mitigate, "", true),
            (Low, Treatment::Accept, "", false),
            (Low, Treatment::Accept, "only one old tablet, wiped monthly", true),
            (High, Treatment::Accept, "we are busy and it costs money", false),
            (Moderate, Treatment::Transfer, "", false),
            (Moderate, Treatment::Transfer, "cyber insurance policy 2026", true),
            (High, Treatment::Avoid, "", true),
        ];
        for (lvl, t, why, ok) in cases {
            assert_eq!(check_treatment(lvl, t, why).is_ok(), ok, "{lvl:?} {t:?} {why:?}");
        }
    }
}
