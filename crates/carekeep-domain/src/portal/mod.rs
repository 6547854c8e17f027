//! The patient's own door (issue 27): who a person signed in to the portal is to the patient,
//! what of the record the clinic releases there, and the one-time sign-in code's rules.
//!
//! The decision itself joins the one policy in `records::chart_access` ([`super::records::chart_access::Reader::Portal`]);
//! this module holds the inputs it takes and the code's rules.

pub mod code;

use crate::people::{what_representative_sees, PatientStatus, RepBasis, Representative};
use crate::DataClass;

/// Who the person at the portal is to the patient whose record they open. The representative's
/// basis is 27b's [`RepBasis`] (one type for the chart card and the portal); the rest is what
/// the policy needs, mapped from the representative's row by `people::representative_may_act`
/// and `people::what_representative_sees` when the session is loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortalRelation {
    /// The patient themself: the right of access is theirs (164.524(a)(1)); a use or
    /// disclosure to the individual is outside minimum necessary (164.502(b)(2)(ii)).
    SelfPatient,
    /// A personal representative, treated as the individual (164.502(g)(1)) within the
    /// scope of their authority, and subject to its exceptions.
    Representative {
        /// Their row in `care_people`.
        person: i64,
        basis: RepBasis,
        /// `representative_may_act` said no today: a (g)(5) suspension, a document not yet in
        /// effect or ended, or a basis that does not fit the patient. Fail closed: nothing.
        suspended: bool,
        /// The patient is an unemancipated minor and the basis is a parent's or a guardian's:
        /// the minor's own-consent care is left out (164.502(g)(3)(i)).
        leaves_out_own_consent: bool,
    },
}

impl PortalRelation {
    /// The relation of a representative whose row says `rep`, for a patient who is `patient`
    /// on `today`: the standing and the (g)(3) exception from 27b's rules.
    pub fn representative(person: i64, rep: &Representative, patient: PatientStatus, today: time::Date) -> Self {
        let sees = what_representative_sees(rep, patient, &[], today);
        PortalRelation::Representative {
            person,
            basis: rep.basis,
            suspended: !sees.standing.may_act(),
            leaves_out_own_consent: sees.standing.may_act()
                && patient.minor
                && !patient.emancipated
                && matches!(rep.basis, RepBasis::ParentOfMinor | RepBasis::CourtGuardian),
        }
    }
}

/// What the clinic releases through the portal beyond appointments and requests (a clinic
/// setting). The conservative default keeps clinical notes to a request under 164.524.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NotesRelease {
    /// Clinical notes only through a granted access request (the default).
    #[default]
    OnRequest,
    /// Signed notes are shown in the portal.
    AfterSigning,
}

impl NotesRelease {
    pub fn parse(s: &str) -> NotesRelease {
        match s {
            "after_signing" => NotesRelease::AfterSigning,
            // Anything unknown is the conservative answer (fail closed).
            _ => NotesRelease::OnRequest,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            NotesRelease::OnRequest => "on_request",
            NotesRelease::AfterSigning => "after_signing",
        }
    }
}

/// The classes the portal shows a patient of their own record, whatever else they may have a
/// right to by request: who they are, how the clinic reaches them, their appointments and what
/// they owe; clinical notes only when the clinic releases them after signing.
pub fn released_classes(release: NotesRelease) -> Vec<DataClass> {
    let mut out = vec![
        DataClass::Identity,
        DataClass::Contact,
        DataClass::Scheduling,
        DataClass::InvoiceStatus,
    ];
    if release == NotesRelease::AfterSigning {
        out.push(DataClass::Clinical);
    }
    out
}

/// A request's kind in the patient's words.
pub fn request_words(kind: crate::rights::clocks::Kind) -> &'static str {
    use crate::rights::clocks::Kind;
    match kind {
        Kind::Access => "A copy of my record",
        Kind::Amendment => "A change to my record",
        Kind::Accounting => "A list of who my information was shared with",
        Kind::Restriction => "A limit on how my information is used or shared",
        Kind::ConfidentialCommunication => "Another way or place to reach me",
    }
}

/// A request's status in the patient's words.
pub fn status_words(status: &str) -> &'static str {
    match status {
        "open" => "Received, being worked on",
        "granted" => "Granted",
        "denied" => "Denied (the clinic will write to you with the reasons)",
        "completed" => "Done",
        _ => "Received",
    }
}

/// The form of a copy (164.524(c)(2)): a readable PDF, the FHIR file other health apps read,
/// or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyForm {
    Pdf,
    Fhir,
    Both,
}

impl CopyForm {
    pub fn parse(s: &str) -> Option<CopyForm> {
        match s.trim() {
            "pdf" => Some(CopyForm::Pdf),
            "fhir" => Some(CopyForm::Fhir),
            "both" => Some(CopyForm::Both),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            CopyForm::Pdf => "pdf",
            CopyForm::Fhir => "fhir",
            CopyForm::Both => "both",
        }
    }
    pub fn words(self) -> &'static str {
        match self {
            CopyForm::Pdf => "a PDF to read or print",
            CopyForm::Fhir => "the FHIR file other health apps read",
            CopyForm::Both => "a PDF and the FHIR file",
        }
    }
    /// Whether a copy asked for in this form may be taken as `got`.
    pub fn includes(self, got: CopyForm) -> bool {
        self == CopyForm::Both || self == got
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 164.524(c)(2): the copy is given in the form asked for.
    #[test]
    fn a_copy_comes_in_the_form_asked_for() {
        let cases = [
            (CopyForm::Pdf, CopyForm::Pdf, true),
            (CopyForm::Pdf, CopyForm::Fhir, false),
            (CopyForm::Fhir, CopyForm::Fhir, true),
            (CopyForm::Fhir, CopyForm::Pdf, false),
            (CopyForm::Both, CopyForm::Pdf, true),
            (CopyForm::Both, CopyForm::Fhir, true),
        ];
        for (asked, got, ok) in cases {
            assert_eq!(asked.includes(got), ok, "{asked:?} {got:?}");
        }
        for f in [CopyForm::Pdf, CopyForm::Fhir, CopyForm::Both] {
            assert_eq!(CopyForm::parse(f.as_str()), Some(f));
        }
        assert_eq!(CopyForm::parse("zip"), None);
    }

    /// Fail closed: an unknown setting releases no notes.
    #[test]
    fn notes_are_released_only_when_the_clinic_says_so() {
        assert_eq!(NotesRelease::parse("after_signing"), NotesRelease::AfterSigning);
        assert_eq!(NotesRelease::parse(""), NotesRelease::OnRequest);
        assert_eq!(NotesRelease::parse("always"), NotesRelease::OnRequest);
        assert!(!released_classes(NotesRelease::OnRequest).contains(&DataClass::Clinical));
        assert!(released_classes(NotesRelease::AfterSigning).contains(&DataClass::Clinical));
    }
}
