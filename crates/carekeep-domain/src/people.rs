//! People acting for the patient: persons involved in care (45 CFR 164.510(b)) and personal
//! representatives (164.502(g)), as pure rules the chart card, the front desk's phone screen
//! and (later) the portal share.
//!
//! Sources: `reference/patients-and-messages.md` sections 1-3 (the CFR text it quotes).
//!
//! - [`what_involved_may_be_told`]: a person the patient named may be told only what is directly
//!   relevant to their involvement (164.510(b)(1)(i)), within the topics the patient agreed to;
//!   a revoked agreement is an objection for every later call (164.510(b)(2)(ii), our reading).
//! - [`representative_may_act`]: whether a representative stands in the patient's shoes today
//!   (164.502(g)(1)): the basis fits the patient (a minor's parent, (g)(3); an adult's agent or
//!   guardian, (g)(2); a decedent's executor, (g)(4)), the document's dates hold, and no
//!   clinician has suspended them for a suspicion of abuse (g)(5).
//! - [`what_representative_sees`]: the classes of the record and the items left out, with the
//!   reason in words: a minor's own-consent care is the minor's (164.502(g)(3)(i)(A)-(C)).

use crate::rights::accounting::Basis as DisclosureBasis;
use crate::DataClass;
use time::Date;

/// A topic a person involved in care may be told about (what the patient agreed to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Topic {
    Appointments,
    Billing,
    Results,
    /// Everything directly relevant to their involvement (164.510(b)(1)(i)).
    Involvement,
}

impl Topic {
    pub const ALL: [Topic; 4] = [Topic::Appointments, Topic::Billing, Topic::Results, Topic::Involvement];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Appointments => "appointments",
            Topic::Billing => "billing",
            Topic::Results => "results",
            Topic::Involvement => "involvement",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s.trim())
    }

    /// The topic in words, for the front desk.
    pub fn words(self) -> &'static str {
        match self {
            Topic::Appointments => "Appointments (dates and times)",
            Topic::Billing => "Billing and payments",
            Topic::Results => "Test results",
            Topic::Involvement => "Everything relevant to their part in the patient's care",
        }
    }

    /// Codes as stored: `appointments,billing`.
    pub fn list_text(topics: &[Topic]) -> String {
        topics.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(",")
    }

    /// The stored list back; unknown codes are dropped (they grant nothing: fail closed).
    pub fn parse_list(s: &str) -> Vec<Topic> {
        let mut out: Vec<Topic> = s.split(',').filter_map(Topic::parse).collect();
        out.sort();
        out.dedup();
        out
    }
}

/// How the patient agreed (164.510(b)(2)): any of the three lets the clinic disclose; oral is
/// enough (164.510, introductory text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agreement {
    InWriting,
    Orally,
    /// Given the chance, the patient did not object (164.510(b)(2)(ii)).
    DidNotObject,
}

impl Agreement {
    pub const ALL: [Agreement; 3] = [Agreement::InWriting, Agreement::Orally, Agreement::DidNotObject];

    pub fn as_str(self) -> &'static str {
        match self {
            Agreement::InWriting => "written",
            Agreement::Orally => "oral",
            Agreement::DidNotObject => "did_not_object",
        }
    }

    pub fn parse(s: &str) -> Option<Agreement> {
        Agreement::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    pub fn words(self) -> &'static str {
        match self {
            Agreement::InWriting => "Agreed in writing",
            Agreement::Orally => "Agreed out loud",
            Agreement::DidNotObject => "Did not object when asked",
        }
    }
}

/// A person involved in care as the rule needs them (names and phones stay sealed elsewhere).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Involved {
    pub topics: Vec<Topic>,
    pub agreed: Agreement,
    pub agreed_on: Date,
    pub revoked_on: Option<Date>,
}

/// What a caller may be told and what not, in words, and whether anything at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Told {
    /// Anything at all may be shared.
    pub may_be_told: bool,
    /// The standing in one sentence ("Agreed out loud on 04/23/2026", "Withdrawn on ...").
    pub standing: String,
    pub may: Vec<String>,
    pub may_not: Vec<String>,
}

const NOT_A_PATIENT: &str =
    "Anything at all, including whether the patient is seen here: say you cannot discuss whether anyone is a patient.";
const NOT_RELEVANT: &str =
    "Anything not directly relevant to their part in the patient's care, such as past problems unrelated to it (45 CFR 164.510(b)(1)(i)).";

fn us(d: Date) -> String {
    format!("{:02}/{:02}/{}", u8::from(d.month()), d.day(), d.year())
}

/// What a person involved in care may be told today (164.510(b)(1)(i), (b)(2)).
pub fn what_involved_may_be_told(p: &Involved, today: Date) -> Told {
    if let Some(r) = p.revoked_on.filter(|r| *r <= today) {
        return Told {
            may_be_told: false,
            standing: format!("The patient withdrew this on {}.", us(r)),
            may: Vec::new(),
            may_not: vec![NOT_A_PATIENT.into()],
        };
    }
    if p.agreed_on > today {
        return Told {
            may_be_told: false,
            standing: format!("Recorded as agreed from {}, which has not come yet.", us(p.agreed_on)),
            may: Vec::new(),
            may_not: vec![NOT_A_PATIENT.into()],
        };
    }
    if p.topics.is_empty() {
        return Told {
            may_be_told: false,
            standing: "The patient agreed to no topic.".into(),
            may: Vec::new(),
            may_not: vec![NOT_A_PATIENT.into()],
        };
    }
    let general = p.topics.contains(&Topic::Involvement);
    let may = p.topics.iter().map(|t| t.words().to_owned()).collect();
    let mut may_not: Vec<String> = if general {
        Vec::new()
    } else {
        Topic::ALL
            .into_iter()
            .filter(|t| *t != Topic::Involvement && !p.topics.contains(t))
            .map(|t| t.words().to_owned())
            .collect()
    };
    may_not.push(NOT_RELEVANT.into());
    Told {
        may_be_told: true,
        standing: format!("{} on {}.", p.agreed.words(), us(p.agreed_on)),
        may,
        may_not,
    }
}

/// The legal basis of a personal representative (164.502(g)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepBasis {
    /// Parent or guardian of an unemancipated minor (164.502(g)(3)).
    ParentOfMinor,
    /// Agent under a health care power of attorney (164.502(g)(2)).
    HealthCarePowerOfAttorney,
    /// Court-appointed guardian with health care authority (164.502(g)(2); of a minor, (g)(3)).
    CourtGuardian,
    /// Executor or administrator of a deceased patient's estate (164.502(g)(4)).
    Executor,
}

impl RepBasis {
    pub const ALL: [RepBasis; 4] = [
        RepBasis::ParentOfMinor,
        RepBasis::HealthCarePowerOfAttorney,
        RepBasis::CourtGuardian,
        RepBasis::Executor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RepBasis::ParentOfMinor => "parent_of_minor",
            RepBasis::HealthCarePowerOfAttorney => "health_care_poa",
            RepBasis::CourtGuardian => "court_guardian",
            RepBasis::Executor => "executor",
        }
    }

    pub fn parse(s: &str) -> Option<RepBasis> {
        RepBasis::ALL.into_iter().find(|b| b.as_str() == s.trim())
    }

    pub fn words(self) -> &'static str {
        match self {
            RepBasis::ParentOfMinor => "Parent or guardian of a minor",
            RepBasis::HealthCarePowerOfAttorney => "Health care power of attorney",
            RepBasis::CourtGuardian => "Court-appointed guardian",
            RepBasis::Executor => "Executor of the estate",
        }
    }

    /// The paragraph that makes this person a representative.
    pub fn cites(self) -> &'static str {
        match self {
            RepBasis::ParentOfMinor => "45 CFR 164.502(g)(3)",
            RepBasis::HealthCarePowerOfAttorney => "45 CFR 164.502(g)(2)",
            RepBasis::CourtGuardian => "45 CFR 164.502(g)(2) and (g)(3)",
            RepBasis::Executor => "45 CFR 164.502(g)(4)",
        }
    }
}

/// The patient as the representative rules need them. Who is a minor and who is emancipated
/// is state law (164.502(g)(3)); the app decides `minor` from the date of birth and the age of
/// majority it is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PatientStatus {
    pub minor: bool,
    pub emancipated: bool,
    pub deceased: bool,
}

/// Is someone born on `birth` under `age_of_majority` on `today`?
pub fn is_minor(birth: Date, today: Date, age_of_majority: u8) -> bool {
    let years = today.year() - birth.year();
    let had_birthday = (u8::from(today.month()), today.day()) >= (u8::from(birth.month()), birth.day());
    let age = if had_birthday { years } else { years - 1 };
    age < i32::from(age_of_majority)
}

/// A representative as the rule needs them: basis, the document's dates, and a (g)(5)
/// suspension (the day a clinician recorded the judgment), if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Representative {
    pub basis: RepBasis,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub suspended_on: Option<Date>,
}

/// Whether a representative may act for the patient today, and why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    MayAct,
    NotYet(Date),
    Ended(Date),
    /// A clinician judged (164.502(g)(5)) that treating them as the representative is not in the
    /// patient's best interest.
    Suspended(Date),
    /// The basis does not fit the patient as they are now.
    DoesNotFit(&'static str),
}

impl Standing {
    pub fn may_act(&self) -> bool {
        *self == Standing::MayAct
    }

    pub fn words(&self) -> String {
        match self {
            Standing::MayAct => "May act for the patient.".into(),
            Standing::NotYet(d) => format!("Not yet: the document takes effect on {}.", us(*d)),
            Standing::Ended(d) => format!("Expired: the document ended on {}.", us(*d)),
            Standing::Suspended(d) => format!(
                "Suspended on {} by a clinician's judgment (suspicion of abuse or danger, 45 CFR 164.502(g)(5)).",
                us(*d)
            ),
            Standing::DoesNotFit(why) => (*why).to_owned(),
        }
    }
}

/// Whether `rep` may act for a patient who is `patient` on `today` (164.502(g)).
///
/// Order of the checks: a (g)(5) suspension first (it overrides state law and everything else in
/// (g)), then the document's dates, then whether the basis fits the patient.
pub fn representative_may_act(rep: &Representative, patient: PatientStatus, today: Date) -> Standing {
    if let Some(s) = rep.suspended_on.filter(|s| *s <= today) {
        return Standing::Suspended(s);
    }
    if rep.starts_on > today {
        return Standing::NotYet(rep.starts_on);
    }
    if let Some(e) = rep.ends_on.filter(|e| *e < today) {
        return Standing::Ended(e);
    }
    let child = patient.minor && !patient.emancipated;
    match rep.basis {
        // Our reading: authority over a living person's care ends at death; the estate's
        // executor acts after it (164.502(g)(4)).
        _ if patient.deceased && rep.basis != RepBasis::Executor => Standing::DoesNotFit(
            "Ended: the patient has died; only the executor of the estate acts for them now (45 CFR 164.502(g)(4)).",
        ),
        RepBasis::Executor if !patient.deceased => Standing::DoesNotFit(
            "Not yet: an executor acts only after the patient's death (45 CFR 164.502(g)(4)).",
        ),
        RepBasis::ParentOfMinor if !child => Standing::DoesNotFit(
            "Ended: the patient is an adult or emancipated; a parent acts for them only with their own authority (45 CFR 164.502(g)(2), (g)(3)).",
        ),
        RepBasis::HealthCarePowerOfAttorney if child => Standing::DoesNotFit(
            "Does not apply: a minor's representative is a parent or guardian (45 CFR 164.502(g)(3)).",
        ),
        _ => Standing::MayAct,
    }
}

/// A chart item a representative's view can leave out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Item {
    Appointment(i64),
    Note(i64),
}

/// What a representative sees: the record's classes, the items left out and why, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sees {
    pub standing: Standing,
    pub classes: Vec<DataClass>,
    pub excluded: Vec<Item>,
    /// Why those items are left out (empty when none are).
    pub excluded_why: String,
    /// The whole answer in one or two sentences.
    pub words: String,
}

/// What `rep` sees of the record of a patient who is `patient` on `today`, given the items
/// staff marked as care the minor consented to alone (`own_consent`).
///
/// A representative is treated as the patient (164.502(g)(1)): every class of the record. A
/// minor's parent or guardian does not see care the minor controls (164.502(g)(3)(i)(A)-(C));
/// whether state law lets the clinic release it anyway ((g)(3)(ii)) is a licensed
/// professional's decision, not this rule's. Someone who may not act sees nothing.
pub fn what_representative_sees(
    rep: &Representative,
    patient: PatientStatus,
    own_consent: &[Item],
    today: Date,
) -> Sees {
    let standing = representative_may_act(rep, patient, today);
    if !standing.may_act() {
        return Sees {
            words: format!("Nothing: {}", standing.words()),
            standing,
            classes: Vec::new(),
            excluded: Vec::new(),
            excluded_why: String::new(),
        };
    }
    let minors_guardian =
        patient.minor && !patient.emancipated && matches!(rep.basis, RepBasis::ParentOfMinor | RepBasis::CourtGuardian);
    let mut excluded: Vec<Item> = if minors_guardian {
        own_consent.to_vec()
    } else {
        Vec::new()
    };
    excluded.sort();
    excluded.dedup();
    let excluded_why = if excluded.is_empty() {
        String::new()
    } else {
        "Care the patient consented to alone as a minor is theirs to share, not the parent's or guardian's (45 CFR 164.502(g)(3)(i)).".into()
    };
    let limit = match rep.basis {
        RepBasis::HealthCarePowerOfAttorney | RepBasis::CourtGuardian if !patient.minor => {
            ", within the limits the document sets"
        }
        _ => "",
    };
    let words = match excluded.len() {
        0 => format!("The whole record, as the patient would{limit}."),
        n => format!(
            "The record, as the patient would{limit}, except {n} item{} of care the patient consented to alone.",
            if n == 1 { "" } else { "s" }
        ),
    };
    Sees {
        standing,
        classes: DataClass::ALL.to_vec(),
        excluded,
        excluded_why,
        words,
    }
}

/// How a caller's identity (and a representative's authority) was checked (164.514(h)(1)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Check {
    KnewBirthDate,
    KnewAppointment,
    CalledBack,
    KnownToStaff,
    DocumentOnFile,
}

impl Check {
    pub const ALL: [Check; 5] = [
        Check::KnewBirthDate,
        Check::KnewAppointment,
        Check::CalledBack,
        Check::KnownToStaff,
        Check::DocumentOnFile,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Check::KnewBirthDate => "birth_date",
            Check::KnewAppointment => "appointment",
            Check::CalledBack => "call_back",
            Check::KnownToStaff => "known",
            Check::DocumentOnFile => "document",
        }
    }

    pub fn parse(s: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    pub fn words(self) -> &'static str {
        match self {
            Check::KnewBirthDate => "Knew the patient's date of birth",
            Check::KnewAppointment => "Knew the patient's appointment",
            Check::CalledBack => "Called back at the number on file",
            Check::KnownToStaff => "Known to staff (voice or in person)",
            Check::DocumentOnFile => "Their authority is the document on file",
        }
    }
}

/// Who the caller is to the patient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallerKind {
    Involved,
    Representative,
}

/// Whether the checks suffice before sharing (164.514(h)). A person involved in care needs no
/// proof by the rule (164.514(h)(1)(i) excepts 164.510; professional judgment, (h)(2)(iv)); the
/// clinic still records one check. A representative's identity and authority must both be
/// verified (164.514(h)(1)(i)): an identity check and the document on file.
pub fn checks_suffice(kind: CallerKind, checks: &[Check], document_on_file: bool) -> Result<(), &'static str> {
    let identity = checks.iter().any(|c| *c != Check::DocumentOnFile);
    if !identity {
        return Err("tick how you checked who the caller is");
    }
    if kind == CallerKind::Representative && !(document_on_file && checks.contains(&Check::DocumentOnFile)) {
        return Err(
            "a representative's authority is checked against their document: upload it on the chart and tick it",
        );
    }
    Ok(())
}

/// The disclosure log's basis for what was told to this caller. A person involved in care:
/// 164.510(b), left out of the accounting by 164.528(a)(1)(v). A representative stands in the
/// patient's shoes (164.502(g)(1)): a disclosure to the individual, 164.528(a)(1)(ii).
pub fn disclosure_basis(kind: CallerKind) -> DisclosureBasis {
    match kind {
        CallerKind::Involved => DisclosureBasis::DirectoryOrInvolvedPersons,
        CallerKind::Representative => DisclosureBasis::ToTheIndividual,
    }
}

/// Does `typed` (what the caller said their name is) match `name` on file? Case, accents and
/// extra spaces aside, every word typed must begin a word of the name ("mar sm" finds
/// "Maria Smith"); an empty search matches nothing.
pub fn name_matches(typed: &str, name: &str) -> bool {
    let fold = |s: &str| -> Vec<String> {
        s.split(|c: char| c.is_whitespace() || c == ',' || c == '.')
            .filter(|w| !w.is_empty())
            .map(crate::records::search::fold_name)
            .collect()
    };
    let typed = fold(typed);
    let words = fold(name);
    !typed.is_empty() && typed.iter().all(|t| words.iter().any(|w| w.starts_with(t.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 07);

    #[test]
    fn a_person_involved_is_told_only_their_topics_164_510_b() {
        let base = Involved {
            topics: vec![Topic::Appointments, Topic::Billing],
            agreed: Agreement::Orally,
            agreed_on: date!(2026 - 04 - 23),
            revoked_on: None,
        };
        // (case, person, may be told, may, may-not count)
        let cases: Vec<(&str, Involved, bool, Vec<&str>, usize)> = vec![
            (
                "agreed: the topics, (b)(1)(i) limits the rest",
                base.clone(),
                true,
                vec![Topic::Appointments.words(), Topic::Billing.words()],
                2,
            ),
            (
                "everything relevant: no topic listed as refused",
                Involved {
                    topics: vec![Topic::Involvement],
                    ..base.clone()
                },
                true,
                vec![Topic::Involvement.words()],
                1,
            ),
            (
                "revoked today: an objection from now on, (b)(2)(ii)",
                Involved {
                    revoked_on: Some(TODAY),
                    ..base.clone()
                },
                false,
                vec![],
                1,
            ),
            (
                "revoked tomorrow: still agreed today",
                Involved {
                    revoked_on: Some(date!(2026 - 12 - 08)),
                    ..base.clone()
                },
                true,
                vec![Topic::Appointments.words(), Topic::Billing.words()],
                2,
            ),
            (
                "agreement dated in the future",
                Involved {
                    agreed_on: date!(2026 - 12 - 08),
                    ..base.clone()
                },
                false,
                vec![],
                1,
            ),
            (
                "no topic agreed",
                Involved {
                    topics: vec![],
                    ..base.clone()
                },
                false,
                vec![],
                1,
            ),
        ];
        for (case, p, told, may, refused) in cases {
            let t = what_involved_may_be_told(&p, TODAY);
            assert_eq!(t.may_be_told, told, "{case}");
            assert_eq!(t.may, may, "{case}");
            assert_eq!(t.may_not.len(), refused, "{case}: {:?}", t.may_not);
        }
        let t = what_involved_may_be_told(&base, TODAY);
        assert_eq!(t.standing, "Agreed out loud on 04/23/2026.");
        assert!(t.may_not.contains(&Topic::Results.words().to_owned()));
        let gone = what_involved_may_be_told(
            &Involved {
                revoked_on: Some(date!(2026 - 11 - 30)),
                ..base
            },
            TODAY,
        );
        assert_eq!(gone.standing, "The patient withdrew this on 11/30/2026.");
        assert!(gone.may_not[0].contains("cannot discuss whether anyone is a patient"));
    }

    #[test]
    fn codes_round_trip_and_unknown_ones_grant_nothing() {
        for t in Topic::ALL {
            assert_eq!(Topic::parse(t.as_str()), Some(t));
        }
        assert_eq!(
            Topic::parse_list("billing,appointments,x,billing"),
            vec![Topic::Appointments, Topic::Billing]
        );
        assert_eq!(
            Topic::list_text(&[Topic::Appointments, Topic::Results]),
            "appointments,results"
        );
        for a in Agreement::ALL {
            assert_eq!(Agreement::parse(a.as_str()), Some(a));
        }
        for b in RepBasis::ALL {
            assert_eq!(RepBasis::parse(b.as_str()), Some(b));
        }
        for c in Check::ALL {
            assert_eq!(Check::parse(c.as_str()), Some(c));
        }
        assert_eq!(RepBasis::parse("spouse"), None);
    }

    #[test]
    fn minors_by_birthday() {
        let cases = [
            (date!(2008 - 12 - 07), false, "18 today"),
            (date!(2008 - 12 - 08), true, "18 tomorrow"),
            (date!(2015 - 01 - 01), true, "11"),
            (date!(1980 - 04 - 23), false, "46"),
        ];
        for (birth, minor, case) in cases {
            assert_eq!(is_minor(birth, TODAY, 18), minor, "{case}");
        }
        assert!(is_minor(date!(2007 - 12 - 08), TODAY, 19), "a state with 19");
    }

    const CHILD: PatientStatus = PatientStatus {
        minor: true,
        emancipated: false,
        deceased: false,
    };
    const ADULT: PatientStatus = PatientStatus {
        minor: false,
        emancipated: false,
        deceased: false,
    };
    const EMANCIPATED: PatientStatus = PatientStatus {
        minor: true,
        emancipated: true,
        deceased: false,
    };
    const DEAD: PatientStatus = PatientStatus {
        minor: false,
        emancipated: false,
        deceased: true,
    };

    fn rep(basis: RepBasis) -> Representative {
        Representative {
            basis,
            starts_on: date!(2026 - 01 - 01),
            ends_on: None,
            suspended_on: None,
        }
    }

    #[test]
    fn who_may_act_164_502_g() {
        use RepBasis::*;
        let cases: Vec<(&str, Representative, PatientStatus, bool)> = vec![
            ("(g)(3) parent of a minor", rep(ParentOfMinor), CHILD, true),
            ("(g)(3) parent of an adult: no", rep(ParentOfMinor), ADULT, false),
            (
                "(g)(3) parent of an emancipated minor: no",
                rep(ParentOfMinor),
                EMANCIPATED,
                false,
            ),
            ("(g)(2) agent for an adult", rep(HealthCarePowerOfAttorney), ADULT, true),
            (
                "(g)(2) agent for an emancipated minor",
                rep(HealthCarePowerOfAttorney),
                EMANCIPATED,
                true,
            ),
            (
                "(g)(2) agent for a child: no",
                rep(HealthCarePowerOfAttorney),
                CHILD,
                false,
            ),
            ("(g)(2) guardian of an adult", rep(CourtGuardian), ADULT, true),
            ("(g)(3) guardian of a minor", rep(CourtGuardian), CHILD, true),
            ("(g)(4) executor after death", rep(Executor), DEAD, true),
            ("(g)(4) executor before death: no", rep(Executor), ADULT, false),
            ("agent after death: no", rep(HealthCarePowerOfAttorney), DEAD, false),
            (
                "not yet in effect",
                Representative {
                    starts_on: date!(2026 - 12 - 08),
                    ..rep(ParentOfMinor)
                },
                CHILD,
                false,
            ),
            (
                "ends today: still in effect",
                Representative {
                    ends_on: Some(TODAY),
                    ..rep(ParentOfMinor)
                },
                CHILD,
                true,
            ),
            (
                "ended yesterday: expired",
                Representative {
                    ends_on: Some(date!(2026 - 12 - 06)),
                    ..rep(ParentOfMinor)
                },
                CHILD,
                false,
            ),
            (
                "(g)(5) suspended",
                Representative {
                    suspended_on: Some(date!(2026 - 12 - 01)),
                    ..rep(ParentOfMinor)
                },
                CHILD,
                false,
            ),
        ];
        for (case, r, status, may) in cases {
            assert_eq!(representative_may_act(&r, status, TODAY).may_act(), may, "{case}");
        }
        let expired = representative_may_act(
            &Representative {
                ends_on: Some(date!(2026 - 12 - 06)),
                ..rep(ParentOfMinor)
            },
            CHILD,
            TODAY,
        );
        assert_eq!(expired.words(), "Expired: the document ended on 12/06/2026.");
        // A suspension wins over dates and basis: (g)(5) applies "notwithstanding" the rest.
        let s = Representative {
            suspended_on: Some(date!(2026 - 12 - 01)),
            ends_on: Some(date!(2026 - 06 - 01)),
            ..rep(Executor)
        };
        assert_eq!(
            representative_may_act(&s, ADULT, TODAY),
            Standing::Suspended(date!(2026 - 12 - 01))
        );
        assert!(Standing::Suspended(TODAY).words().contains("164.502(g)(5)"));
    }

    #[test]
    fn a_minors_representative_sees_the_record_except_own_consent_care_164_502_g_3() {
        use RepBasis::*;
        let own = [Item::Note(7), Item::Appointment(3), Item::Note(7)];
        // (case, representative, patient, classes, excluded)
        let cases: Vec<(&str, Representative, PatientStatus, usize, Vec<Item>)> = vec![
            (
                "parent of a minor: all but own-consent care",
                rep(ParentOfMinor),
                CHILD,
                7,
                vec![Item::Appointment(3), Item::Note(7)],
            ),
            (
                "guardian of a minor: the same",
                rep(CourtGuardian),
                CHILD,
                7,
                vec![Item::Appointment(3), Item::Note(7)],
            ),
            (
                "agent of an adult: nothing left out",
                rep(HealthCarePowerOfAttorney),
                ADULT,
                7,
                vec![],
            ),
            (
                "guardian of an adult: nothing left out",
                rep(CourtGuardian),
                ADULT,
                7,
                vec![],
            ),
            ("executor", rep(Executor), DEAD, 7, vec![]),
            (
                "suspended parent: nothing",
                Representative {
                    suspended_on: Some(TODAY),
                    ..rep(ParentOfMinor)
                },
                CHILD,
                0,
                vec![],
            ),
            ("parent of an adult: nothing", rep(ParentOfMinor), ADULT, 0, vec![]),
        ];
        for (case, r, status, classes, excluded) in cases {
            let s = what_representative_sees(&r, status, &own, TODAY);
            assert_eq!(s.classes.len(), classes, "{case}");
            assert_eq!(s.excluded, excluded, "{case}");
            assert_eq!(s.excluded_why.is_empty(), excluded.is_empty(), "{case}");
        }
        let s = what_representative_sees(&rep(ParentOfMinor), CHILD, &own, TODAY);
        assert_eq!(
            s.words,
            "The record, as the patient would, except 2 items of care the patient consented to alone."
        );
        assert!(s.excluded_why.contains("164.502(g)(3)(i)"));
        let none = what_representative_sees(&rep(ParentOfMinor), CHILD, &[], TODAY);
        assert_eq!(none.words, "The whole record, as the patient would.");
        let poa = what_representative_sees(&rep(HealthCarePowerOfAttorney), ADULT, &own, TODAY);
        assert_eq!(
            poa.words,
            "The whole record, as the patient would, within the limits the document sets."
        );
        let gone = what_representative_sees(
            &Representative {
                ends_on: Some(date!(2026 - 12 - 01)),
                ..rep(ParentOfMinor)
            },
            CHILD,
            &own,
            TODAY,
        );
        assert_eq!(gone.words, "Nothing: Expired: the document ended on 12/01/2026.");
    }

    #[test]
    fn checks_before_sharing_164_514_h() {
        use CallerKind::*;
        use Check::*;
        let cases: Vec<(&str, CallerKind, Vec<Check>, bool, bool)> = vec![
            (
                "involved, knew the birth date",
                Involved,
                vec![KnewBirthDate],
                false,
                true,
            ),
            ("involved, nothing ticked", Involved, vec![], false, false),
            (
                "involved, only a document: no identity",
                Involved,
                vec![DocumentOnFile],
                true,
                false,
            ),
            (
                "representative, identity and document",
                Representative,
                vec![CalledBack, DocumentOnFile],
                true,
                true,
            ),
            (
                "representative, no document on file",
                Representative,
                vec![CalledBack, DocumentOnFile],
                false,
                false,
            ),
            (
                "representative, document not ticked",
                Representative,
                vec![CalledBack],
                true,
                false,
            ),
        ];
        for (case, kind, checks, doc, ok) in cases {
            assert_eq!(checks_suffice(kind, &checks, doc).is_ok(), ok, "{case}");
        }
    }

    #[test]
    fn phone_disclosures_are_left_out_of_the_accounting_164_528_a_1() {
        assert_eq!(
            disclosure_basis(CallerKind::Involved).exemption(),
            Some("164.528(a)(1)(v)")
        );
        assert_eq!(
            disclosure_basis(CallerKind::Representative).exemption(),
            Some("164.528(a)(1)(ii)")
        );
    }

    #[test]
    fn caller_names_match_by_word_starts() {
        let cases = [
            ("maria", "María Smith", true),
            ("SMITH  maria", "María Smith", true),
            ("mar sm", "María Smith", true),
            ("aria", "María Smith", false),
            ("", "María Smith", false),
            ("john", "María Smith", false),
        ];
        for (typed, name, ok) in cases {
            assert_eq!(name_matches(typed, name), ok, "{typed:?}");
        }
    }
}
