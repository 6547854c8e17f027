//! The one decision about a patient's record: which data classes this person may read and
//! write for this patient, now.
//!
//! 164.502(b) / 164.514(d)(2): minimum necessary by role (the [`Policy`]). A *restricted*
//! patient (a staff member's own record, a public figure) narrows the clinical chart to the
//! providers named on them. 164.312(a)(2)(ii) emergency access procedure: a person whose roles
//! include clinical access may break glass into a restricted chart for a stated reason, for a
//! limited time; front desk and billing cannot.

use crate::portal::{released_classes, NotesRelease, PortalRelation};
use crate::{DataClass, Policy, RoleName};
use std::collections::BTreeSet;

/// What is known about the patient and this person's relation to them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gate {
    pub restricted: bool,
    /// The person is one of the providers named on a restricted patient.
    pub named_on_patient: bool,
    /// The person has a break-glass grant on this patient that has not expired.
    pub break_glass_active: bool,
}

/// The classes a restricted patient withholds from everyone not named on them.
/// Codes stay visible so billing can still bill the visit.
pub const RESTRICTED_CLASSES: [DataClass; 1] = [DataClass::Clinical];

/// The answer for one person and one patient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartAccess {
    pub read: BTreeSet<DataClass>,
    pub write: BTreeSet<DataClass>,
    /// Some classes are readable only because of break glass: the page must say so.
    pub via_break_glass: bool,
    /// Classes the restriction withholds that break glass would open.
    pub withheld_by_restriction: BTreeSet<DataClass>,
}

impl ChartAccess {
    pub fn reads(&self, class: DataClass) -> bool {
        self.read.contains(&class)
    }
    pub fn writes(&self, class: DataClass) -> bool {
        self.write.contains(&class)
    }
    pub fn reads_any(&self) -> bool {
        !self.read.is_empty()
    }
}

/// Whether these roles may break glass at all: only roles with clinical access.
pub fn may_break_glass(policy: &Policy, roles: &[RoleName]) -> bool {
    policy.access(roles, DataClass::Clinical).can_read()
}

/// Who is reading the record: staff by their roles, or a person signed in to the patient
/// portal (issue 27), by what they are to the patient.
#[derive(Clone, Copy, Debug)]
pub enum Reader<'a> {
    Staff(&'a [RoleName]),
    Portal {
        relation: PortalRelation,
        /// The record is the one the person signed in for (never another patient's).
        own_record: bool,
        /// What the clinic releases through the portal.
        release: NotesRelease,
    },
    /// The clinic's tablet in kiosk mode (issue 28, item 3), unlocked by staff for one
    /// checked-in visit's packet; the use cases narrow it further to that packet's forms.
    Kiosk {
        relation: PortalRelation,
        /// The record is the one staff opened the tablet for.
        own_record: bool,
    },
}

/// The one decision. Every view and every change of a patient's PHI asks this.
pub fn chart_access(policy: &Policy, roles: &[RoleName], gate: Gate) -> ChartAccess {
    access_for(policy, Reader::Staff(roles), gate)
}

/// The one decision for any reader: staff (roles, restriction, break glass) or the portal.
pub fn access_for(policy: &Policy, reader: Reader<'_>, gate: Gate) -> ChartAccess {
    match reader {
        Reader::Staff(roles) => staff_access(policy, roles, gate),
        Reader::Portal {
            relation,
            own_record,
            release,
        } => portal_access(relation, own_record, release),
        Reader::Kiosk { relation, own_record } => kiosk_access(relation, own_record),
    }
}

/// The tablet: the patient (or their representative, 164.502(g)(1)) filling in their own
/// forms. It reads who the patient is (the signer's name in the evidence), which forms are
/// asked (scheduling) and the answers given on them (clinical: the patient's own words,
/// 164.524(a)(1), outside minimum necessary, 164.502(b)(2)(ii)), and writes only those
/// answers. Never another patient's record; nothing for a suspended representative.
fn kiosk_access(relation: PortalRelation, own_record: bool) -> ChartAccess {
    let mut out = ChartAccess {
        read: BTreeSet::new(),
        write: BTreeSet::new(),
        via_break_glass: false,
        withheld_by_restriction: BTreeSet::new(),
    };
    let stands_in = match relation {
        PortalRelation::SelfPatient => true,
        PortalRelation::Representative { suspended, .. } => !suspended,
    };
    if own_record && stands_in {
        out.read = [DataClass::Identity, DataClass::Scheduling, DataClass::Clinical].into();
        out.write.insert(DataClass::Clinical);
    }
    out
}

/// The portal: the individual's own record (164.524(a)(1); 164.502(b)(2)(ii) leaves minimum
/// necessary out of a disclosure to the individual), only the classes the clinic releases
/// there; a personal representative stands in the patient's shoes (164.502(g)(1)) unless the
/// clinic elected not to treat them as one (164.502(g)(5)). Never another patient's record.
/// A restriction on staff (a staff member's own chart) does not narrow the patient's view.
/// The only thing written is the patient's own schedule (confirm, cancel).
fn portal_access(relation: PortalRelation, own_record: bool, release: NotesRelease) -> ChartAccess {
    let mut out = ChartAccess {
        read: BTreeSet::new(),
        write: BTreeSet::new(),
        via_break_glass: false,
        withheld_by_restriction: BTreeSet::new(),
    };
    let stands_in = match relation {
        PortalRelation::SelfPatient => true,
        PortalRelation::Representative { suspended, .. } => !suspended,
    };
    if !own_record || !stands_in {
        return out;
    }
    out.read = released_classes(release).into_iter().collect();
    out.write.insert(DataClass::Scheduling);
    out
}

/// Whether the portal must leave out the care a minor consented to alone: a parent or guardian
/// is not the representative for it (164.502(g)(3)(i)(A)-(C)).
pub fn leaves_out_minor_own_consent(relation: PortalRelation) -> bool {
    matches!(
        relation,
        PortalRelation::Representative {
            leaves_out_own_consent: true,
            suspended: false,
            ..
        }
    )
}

fn staff_access(policy: &Policy, roles: &[RoleName], gate: Gate) -> ChartAccess {
    let mut out = ChartAccess {
        read: BTreeSet::new(),
        write: BTreeSet::new(),
        via_break_glass: false,
        withheld_by_restriction: BTreeSet::new(),
    };
    for class in DataClass::ALL {
        let access = policy.access(roles, class);
        if !access.can_read() {
            continue;
        }
        let withheld = gate.restricted && !gate.named_on_patient && RESTRICTED_CLASSES.contains(&class);
        if withheld {
            let opened = gate.break_glass_active && may_break_glass(policy, roles);
            if !opened {
                out.withheld_by_restriction.insert(class);
                continue;
            }
            out.via_break_glass = true;
        }
        out.read.insert(class);
        if access.can_write() {
            out.write.insert(class);
        }
    }
    out
}

/// The clinic's own exit: the whole designated record set of a patient (164.501, 164.524),
/// read-only, for the export run at the machine by whoever holds the master key file (who
/// can decrypt every class already). Never used for a person signed in: they get
/// [`chart_access`].
pub fn designated_record_set() -> ChartAccess {
    ChartAccess {
        read: DataClass::ALL.into_iter().collect(),
        write: BTreeSet::new(),
        via_break_glass: false,
        withheld_by_restriction: BTreeSet::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataClass::*;

    fn roles(list: &[&str]) -> Vec<RoleName> {
        list.iter().map(|r| RoleName::new(r).unwrap()).collect()
    }

    fn set(list: &[DataClass]) -> BTreeSet<DataClass> {
        list.iter().copied().collect()
    }

    const OPEN: Gate = Gate {
        restricted: false,
        named_on_patient: false,
        break_glass_active: false,
    };
    const RESTRICTED: Gate = Gate {
        restricted: true,
        ..OPEN
    };

    /// Roles held, the gate, classes read, classes written, break glass in use.
    type Case<'a> = (&'a [&'a str], Gate, &'a [DataClass], &'a [DataClass], bool);

    /// 164.514(d)(2): each default role reads exactly its classes of PRODUCT.md section 2 on an
    /// ordinary patient; a restricted one withholds the chart from all but the named providers.
    #[test]
    fn table() {
        let p = Policy::default();
        let all = DataClass::ALL.to_vec();
        let cases: &[Case<'_>] = &[
            (
                &["provider"],
                OPEN,
                &all,
                &[Identity, Contact, Scheduling, Clinical, Coding],
                false,
            ),
            (
                &["nurse"],
                OPEN,
                &all,
                &[Identity, Contact, Scheduling, Clinical, Coding],
                false,
            ),
            (
                &["front_desk"],
                OPEN,
                &[Identity, Contact, Scheduling, InvoiceStatus],
                &[Identity, Contact, Scheduling],
                false,
            ),
            (
                &["billing"],
                OPEN,
                &[Identity, Contact, Coding, Billing, InvoiceStatus],
                &[Billing, InvoiceStatus],
                false,
            ),
            (&["compliance_officer"], OPEN, &[Identity], &[], false),
            (&["owner"], OPEN, &[], &[], false),
            // Restricted, not named: the clinical chart is withheld; codes stay for billing.
            (
                &["provider"],
                RESTRICTED,
                &[Identity, Contact, Scheduling, Coding, Billing, InvoiceStatus],
                &[Identity, Contact, Scheduling, Coding],
                false,
            ),
            (
                &["billing"],
                RESTRICTED,
                &[Identity, Contact, Coding, Billing, InvoiceStatus],
                &[Billing, InvoiceStatus],
                false,
            ),
            (
                &["front_desk"],
                RESTRICTED,
                &[Identity, Contact, Scheduling, InvoiceStatus],
                &[Identity, Contact, Scheduling],
                false,
            ),
            // Named on the patient: the whole chart.
            (
                &["provider"],
                Gate {
                    named_on_patient: true,
                    ..RESTRICTED
                },
                &all,
                &[Identity, Contact, Scheduling, Clinical, Coding],
                false,
            ),
            // 164.312(a)(2)(ii): break glass opens the chart to a clinical role, and says so.
            (
                &["nurse"],
                Gate {
                    break_glass_active: true,
                    ..RESTRICTED
                },
                &all,
                &[Identity, Contact, Scheduling, Clinical, Coding],
                true,
            ),
            // Front desk and billing cannot break glass into clinical data.
            (
                &["front_desk"],
                Gate {
                    break_glass_active: true,
                    ..RESTRICTED
                },
                &[Identity, Contact, Scheduling, InvoiceStatus],
                &[Identity, Contact, Scheduling],
                false,
            ),
            (
                &["billing"],
                Gate {
                    break_glass_active: true,
                    ..RESTRICTED
                },
                &[Identity, Contact, Coding, Billing, InvoiceStatus],
                &[Billing, InvoiceStatus],
                false,
            ),
        ];
        for (held, gate, read, write, glass) in cases {
            let got = chart_access(&p, &roles(held), *gate);
            assert_eq!(got.read, set(read), "{held:?} {gate:?} read");
            assert_eq!(got.write, set(write), "{held:?} {gate:?} write");
            assert_eq!(got.via_break_glass, *glass, "{held:?} {gate:?} glass");
        }
    }

    #[test]
    fn only_clinical_roles_may_break_glass() {
        let p = Policy::default();
        for (role, may) in [
            ("provider", true),
            ("nurse", true),
            ("front_desk", false),
            ("billing", false),
            ("compliance_officer", false),
            ("owner", false),
        ] {
            assert_eq!(may_break_glass(&p, &roles(&[role])), may, "{role}");
        }
    }

    #[test]
    fn restriction_reports_what_it_withholds() {
        let got = chart_access(&Policy::default(), &roles(&["provider"]), RESTRICTED);
        assert_eq!(got.withheld_by_restriction, set(&[Clinical]));
        let desk = chart_access(&Policy::default(), &roles(&["front_desk"]), RESTRICTED);
        assert!(desk.withheld_by_restriction.is_empty());
    }

    /// 164.524(a)(1), 164.502(b)(2)(ii), 164.502(g): the portal reader sees only their own
    /// record's released classes; a suspended representative (164.502(g)(5)) and another
    /// patient's record get nothing; a restriction on staff does not narrow it.
    #[test]
    fn portal_table() {
        use crate::people::{PatientStatus, RepBasis::*, Representative};
        let p = Policy::default();
        let me = PortalRelation::SelfPatient;
        let d = |y, m, day| time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), day).unwrap();
        let today = d(2026, 12, 7);
        let minor = PatientStatus {
            minor: true,
            emancipated: false,
            deceased: false,
        };
        let adult = PatientStatus { minor: false, ..minor };
        let rep = |basis, ends_on, suspended_on| Representative {
            basis,
            starts_on: d(2026, 1, 1),
            ends_on,
            suspended_on,
        };
        let parent = PortalRelation::representative(1, &rep(ParentOfMinor, None, None), minor, today);
        let agent = PortalRelation::representative(2, &rep(HealthCarePowerOfAttorney, None, None), adult, today);
        // 164.502(g)(5): a clinician's judgment; an ended document; a parent of an adult.
        let suspended = PortalRelation::representative(
            3,
            &rep(HealthCarePowerOfAttorney, None, Some(d(2026, 12, 1))),
            adult,
            today,
        );
        let expired = PortalRelation::representative(
            4,
            &rep(HealthCarePowerOfAttorney, Some(d(2026, 12, 6)), None),
            adult,
            today,
        );
        let grown = PortalRelation::representative(5, &rep(ParentOfMinor, None, None), adult, today);
        let guardian = PortalRelation::representative(6, &rep(CourtGuardian, None, None), minor, today);
        let base = [Identity, Contact, Scheduling, InvoiceStatus];
        let with_notes = [Identity, Contact, Scheduling, Clinical, InvoiceStatus];
        /// Relation, own record, release, gate, classes read, classes written.
        type PortalCase<'a> = (
            PortalRelation,
            bool,
            NotesRelease,
            Gate,
            &'a [DataClass],
            &'a [DataClass],
        );
        let cases: &[PortalCase<'_>] = &[
            (me, true, NotesRelease::OnRequest, OPEN, &base, &[Scheduling]),
            (me, true, NotesRelease::AfterSigning, OPEN, &with_notes, &[Scheduling]),
            (me, true, NotesRelease::OnRequest, RESTRICTED, &base, &[Scheduling]),
            (me, false, NotesRelease::AfterSigning, OPEN, &[], &[]),
            (parent, true, NotesRelease::OnRequest, OPEN, &base, &[Scheduling]),
            (
                agent,
                true,
                NotesRelease::AfterSigning,
                OPEN,
                &with_notes,
                &[Scheduling],
            ),
            (agent, false, NotesRelease::AfterSigning, OPEN, &[], &[]),
            (suspended, true, NotesRelease::AfterSigning, OPEN, &[], &[]),
            (expired, true, NotesRelease::AfterSigning, OPEN, &[], &[]),
            (grown, true, NotesRelease::OnRequest, OPEN, &[], &[]),
            (guardian, true, NotesRelease::OnRequest, OPEN, &base, &[Scheduling]),
        ];
        for (relation, own_record, release, gate, read, write) in cases {
            let got = access_for(
                &p,
                Reader::Portal {
                    relation: *relation,
                    own_record: *own_record,
                    release: *release,
                },
                *gate,
            );
            assert_eq!(got.read, set(read), "{relation:?} {own_record} {release:?} read");
            assert_eq!(got.write, set(write), "{relation:?} {own_record} {release:?} write");
            assert!(!got.via_break_glass);
        }
        assert!(leaves_out_minor_own_consent(parent));
        assert!(!leaves_out_minor_own_consent(agent));
        assert!(!leaves_out_minor_own_consent(me));
        // 164.502(g)(3)(i): a court-appointed guardian of a minor too; one who may not act
        // sees nothing at all, so there is nothing to leave out.
        assert!(leaves_out_minor_own_consent(guardian));
        assert!(!leaves_out_minor_own_consent(suspended));
        // The clinic's tablet (issue 28, item 3): the patient's own forms only (164.524(a)(1),
        // 164.502(b)(2)(ii)), whatever the clinic releases at the portal; a representative who
        // may not act (164.502(g)(5)) and any other record get nothing.
        let forms = [Identity, Scheduling, Clinical];
        /// Relation, own record, gate, classes read, classes written.
        type KioskCase<'a> = (PortalRelation, bool, Gate, &'a [DataClass], &'a [DataClass]);
        let kiosk: &[KioskCase<'_>] = &[
            (me, true, OPEN, &forms, &[Clinical]),
            (me, true, RESTRICTED, &forms, &[Clinical]),
            (me, false, OPEN, &[], &[]),
            (agent, true, OPEN, &forms, &[Clinical]),
            (agent, false, OPEN, &[], &[]),
            (suspended, true, OPEN, &[], &[]),
            (expired, true, OPEN, &[], &[]),
        ];
        for (relation, own_record, gate, read, write) in kiosk {
            let got = access_for(
                &p,
                Reader::Kiosk {
                    relation: *relation,
                    own_record: *own_record,
                },
                *gate,
            );
            assert_eq!(got.read, set(read), "kiosk {relation:?} {own_record} read");
            assert_eq!(got.write, set(write), "kiosk {relation:?} {own_record} write");
        }
    }

    #[test]
    fn the_designated_record_set_reads_every_class_and_writes_none() {
        let a = designated_record_set();
        assert_eq!(a.read, DataClass::ALL.into_iter().collect());
        assert!(a.write.is_empty() && !a.via_break_glass);
    }
}
