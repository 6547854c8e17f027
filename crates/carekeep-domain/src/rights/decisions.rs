//! What a decision on a patient's request must carry, and the letter that tells them.
//!
//! - Access denied (164.524(d)(2)): the basis; review rights when the ground is reviewable
//!   (164.524(a)(3)) and how to use them; how to complain to the clinic (164.530(d)) and to HHS
//!   (160.306), with the contact's name or title and phone number; and access to everything
//!   else asked for (164.524(d)(1)).
//! - Amendment denied (164.526(d)(1)): the basis; the right to a statement of disagreement and
//!   how; that without one the patient may ask that the request and denial go with future
//!   disclosures; how to complain, with the contact.
//! - Amendment accepted (164.526(c)): the amendment appended to the record, and whom to tell.
//! - Restriction (164.522(a)): the clinic need not agree (164.522(a)(1)(ii)) except to the
//!   self-pay restriction (164.522(a)(1)(vi)), which it must accept and may not end on its
//!   own (164.522(a)(2)(iii)).
//! - Confidential communication (164.522(b)): a provider must accommodate reasonable requests
//!   and may not ask why.

use super::clocks::Kind;

/// The facts a decision and its letter need.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    /// granted, denied or completed.
    pub outcome: String,
    /// The basis of a denial, or a note on a grant.
    pub reason: String,
    /// Who handles complaints, with a phone number ("Privacy officer, 555-0100").
    pub contact: String,
    /// Access denial on a reviewable ground (164.524(a)(3)).
    pub reviewable: bool,
    /// Amendment accepted: the text appended to the record.
    pub amendment: String,
    /// Confidential communication granted: the alternative means or address.
    pub accommodation: String,
}

/// Checks a decision against the rule for its kind; `self_pay` marks the mandatory self-pay
/// restriction (paid in full out of pocket, not to go to the health plan).
pub fn check(kind: Kind, self_pay: bool, d: &Decision) -> Result<(), String> {
    let denied = d.outcome == "denied";
    if denied && d.reason.trim().is_empty() {
        return Err("a denial needs its basis, in plain language (164.524(d)(2)(i), 164.526(d)(1)(i))".into());
    }
    let phone_digits = d.contact.chars().filter(char::is_ascii_digit).count();
    if denied && matches!(kind, Kind::Access | Kind::Amendment) && phone_digits < 7 {
        return Err(
            "a denial names who takes complaints, with a phone number (164.524(d)(2)(iii), 164.526(d)(1)(iv))".into(),
        );
    }
    match kind {
        Kind::Restriction if denied && self_pay => Err(
            "a restriction on telling a health plan about care paid in full out of pocket must be accepted (164.522(a)(1)(vi))"
                .into(),
        ),
        Kind::ConfidentialCommunication if denied => Err(
            "a provider must accommodate a reasonable request for confidential communications and may not ask why (164.522(b)(1)(i)); record the accommodation"
                .into(),
        ),
        Kind::ConfidentialCommunication if d.outcome == "granted" && d.accommodation.trim().is_empty() => {
            Err("say how or where the patient is to be contacted instead (164.522(b))".into())
        }
        Kind::Amendment if d.outcome == "granted" && d.amendment.trim().is_empty() => {
            Err("write the amendment to append to the record (164.526(c)(1))".into())
        }
        _ => Ok(()),
    }
}

/// How an agreed restriction ends (164.522(a)(2)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Termination {
    /// (i) the patient agrees to or asks for it in writing.
    PatientInWriting,
    /// (ii) the patient agrees orally, and the agreement is documented.
    PatientOrally,
    /// (iii) the clinic tells the patient; only for information created or received after.
    ClinicInforms,
}

impl Termination {
    pub fn parse(s: &str) -> Option<Termination> {
        match s.trim() {
            "patient_in_writing" => Some(Termination::PatientInWriting),
            "patient_orally" => Some(Termination::PatientOrally),
            "clinic_informs" => Some(Termination::ClinicInforms),
            _ => None,
        }
    }
}

/// Whether an agreed restriction may end this way.
pub fn may_terminate(self_pay: bool, how: Termination) -> Result<(), String> {
    match how {
        Termination::ClinicInforms if self_pay => Err(
            "the clinic may not end the self-pay restriction on its own; only the patient can (164.522(a)(2)(iii))"
                .into(),
        ),
        _ => Ok(()),
    }
}

/// One part of a letter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    Para(String),
}

const HHS: &str = "You may also complain to the Secretary of the U.S. Department of Health and Human Services, Office for Civil Rights (www.hhs.gov/ocr/complaints, 1-800-368-1019). We will not retaliate against you for complaining.";

/// The letter telling the patient the decision, in plain language.
pub fn letter(kind: Kind, d: &Decision) -> Vec<Block> {
    let p = |s: String| Block::Para(s);
    let complain = format!(
        "To complain to us, contact {}. {HHS}",
        if d.contact.trim().is_empty() {
            "our privacy officer"
        } else {
            d.contact.trim()
        }
    );
    let mut out = Vec::new();
    match (kind, d.outcome.as_str()) {
        (Kind::Access, "denied") => {
            out.push(Block::Heading(
                "We cannot give you some of the records you asked for".into(),
            ));
            out.push(p(format!("Why: {}", d.reason.trim())));
            out.push(p(if d.reviewable {
                "You may ask for this decision to be reviewed. A licensed health care professional we choose, who did not take part in this decision, will review it and we will tell you the result in writing. To ask, write to the contact below.".into()
            } else {
                "The law does not give a right to have this kind of denial reviewed.".into()
            }));
            out.push(p("We will give you every other part of your record that you asked for and that this decision does not cover.".into()));
            out.push(p(complain));
        }
        (Kind::Amendment, "denied") => {
            out.push(Block::Heading("We did not change your record as you asked".into()));
            out.push(p(format!("Why: {}", d.reason.trim())));
            out.push(p("You may send us a written statement saying why you disagree with this decision. We will add it to your record, and we may write a reply, which we will send you.".into()));
            out.push(p("If you do not send a statement of disagreement, you may ask us to include your request and this letter with any future disclosure of the information concerned.".into()));
            out.push(p(complain));
        }
        (Kind::Amendment, _) => {
            out.push(Block::Heading("We accepted your amendment".into()));
            out.push(p(format!(
                "Your provider adds this to your record, beside what it corrects, which stays as it was: {}",
                d.amendment.trim()
            )));
            out.push(p("Please tell us who else should be told of the change. We will also send it to those we know have the information and may rely on it.".into()));
        }
        (Kind::Access, _) => {
            out.push(Block::Heading("Your copy of your health record".into()));
            out.push(p(
                "Your record is enclosed, as a readable copy and as a FHIR file that other health software can read."
                    .into(),
            ));
        }
        (Kind::Accounting, _) => {
            out.push(Block::Heading("The disclosures of your health information".into()));
            out.push(p("The accounting of disclosures you asked for is enclosed.".into()));
        }
        (Kind::Restriction, "denied") => {
            out.push(Block::Heading(
                "We cannot agree to the restriction you asked for".into(),
            ));
            out.push(p(format!("Why: {}", d.reason.trim())));
            out.push(p("The law does not require us to agree to this restriction. It does require us to agree not to tell a health plan about care you paid for in full yourself; ask us if that applies.".into()));
            out.push(p(complain));
        }
        (Kind::Restriction, _) => {
            out.push(Block::Heading("We agreed to your restriction".into()));
            if !d.reason.trim().is_empty() {
                out.push(p(format!("What we agreed: {}", d.reason.trim())));
            }
            out.push(p("We may still use the information to treat you in an emergency, and the law still lets us share it in the cases it lists (for example with public health authorities or when required by law).".into()));
        }
        (Kind::ConfidentialCommunication, _) => {
            out.push(Block::Heading("How we will contact you".into()));
            out.push(p(format!(
                "From now on we will contact you this way: {}",
                d.accommodation.trim()
            )));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(outcome: &str) -> Decision {
        Decision {
            outcome: outcome.into(),
            ..Decision::default()
        }
    }

    #[test]
    fn decisions_carry_what_their_rule_requires() {
        let contact = "Privacy officer, 555-0100";
        // (kind, self-pay, decision, accepted?, citation)
        let cases: Vec<(Kind, bool, Decision, bool, &str)> = vec![
            (
                Kind::Access,
                false,
                Decision {
                    reason: "x".into(),
                    contact: contact.into(),
                    ..d("denied")
                },
                true,
                "164.524(d)(2)",
            ),
            (
                Kind::Access,
                false,
                Decision {
                    contact: contact.into(),
                    ..d("denied")
                },
                false,
                "164.524(d)(2)(i) basis",
            ),
            (
                Kind::Access,
                false,
                Decision {
                    reason: "x".into(),
                    ..d("denied")
                },
                false,
                "164.524(d)(2)(iii) contact",
            ),
            (
                Kind::Amendment,
                false,
                Decision {
                    reason: "accurate and complete".into(),
                    contact: "Dana".into(),
                    ..d("denied")
                },
                false,
                "164.526(d)(1)(iv) phone",
            ),
            (
                Kind::Amendment,
                false,
                d("granted"),
                false,
                "164.526(c)(1) the amendment text",
            ),
            (
                Kind::Amendment,
                false,
                Decision {
                    amendment: "Allergy: none".into(),
                    ..d("granted")
                },
                true,
                "164.526(c)",
            ),
            (
                Kind::Restriction,
                true,
                Decision {
                    reason: "no".into(),
                    ..d("denied")
                },
                false,
                "164.522(a)(1)(vi)",
            ),
            (
                Kind::Restriction,
                false,
                Decision {
                    reason: "cannot".into(),
                    ..d("denied")
                },
                true,
                "164.522(a)(1)(ii)",
            ),
            (Kind::Restriction, true, d("granted"), true, "164.522(a)(1)(vi)"),
            (
                Kind::ConfidentialCommunication,
                false,
                Decision {
                    reason: "why".into(),
                    ..d("denied")
                },
                false,
                "164.522(b)(1)(i)",
            ),
            (
                Kind::ConfidentialCommunication,
                false,
                d("granted"),
                false,
                "164.522(b) accommodation",
            ),
            (
                Kind::ConfidentialCommunication,
                false,
                Decision {
                    accommodation: "work phone only".into(),
                    ..d("granted")
                },
                true,
                "164.522(b)",
            ),
        ];
        for (kind, self_pay, dec, ok, cite) in cases {
            assert_eq!(
                check(kind, self_pay, &dec).is_ok(),
                ok,
                "{cite}: {:?}",
                check(kind, self_pay, &dec)
            );
        }
    }

    #[test]
    fn only_the_patient_ends_a_self_pay_restriction() {
        // 164.522(a)(2)(i)-(iii).
        for (self_pay, how, ok) in [
            (false, Termination::ClinicInforms, true),
            (true, Termination::ClinicInforms, false),
            (true, Termination::PatientInWriting, true),
            (true, Termination::PatientOrally, true),
        ] {
            assert_eq!(may_terminate(self_pay, how).is_ok(), ok, "{self_pay} {how:?}");
        }
    }

    fn text(blocks: &[Block]) -> String {
        blocks
            .iter()
            .map(|b| match b {
                Block::Heading(s) | Block::Para(s) => s.as_str(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn denial_letters_hold_every_required_element() {
        let dec = Decision {
            reason: "the notes are accurate and complete".into(),
            contact: "Privacy officer, 555-0100".into(),
            reviewable: true,
            ..d("denied")
        };
        // 164.524(d)(2): basis, review rights, complaint with contact and HHS; (d)(1) the rest.
        let access = text(&letter(Kind::Access, &dec));
        for must in [
            "Why: the notes",
            "reviewed",
            "every other part",
            "555-0100",
            "Health and Human Services",
        ] {
            assert!(access.contains(must), "access denial lacks {must}");
        }
        // 164.526(d)(1)(i)-(iv).
        let amend = text(&letter(Kind::Amendment, &dec));
        for must in [
            "Why: the notes",
            "statement saying why you disagree",
            "include your request and this letter",
            "555-0100",
            "Health and Human Services",
        ] {
            assert!(amend.contains(must), "amendment denial lacks {must}");
        }
        let unreviewable = text(&letter(
            Kind::Access,
            &Decision {
                reviewable: false,
                ..dec
            },
        ));
        assert!(unreviewable.contains("does not give a right to have this kind of denial reviewed"));
    }
}
