//! Audit events (164.312(b) audit controls): every PHI access, every sign-in and failure, every
//! change to who may do what. Actions are a typed enum with stable codes, never free strings
//! (kanidm `idm/audit.rs`); the store keeps the code, the chain keeps it tamper-evident.

use crate::{DataClass, RoleName, UserId};
use std::str::FromStr;
use time::OffsetDateTime;

macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable code stored and exported.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, UnknownCode> {
                match s { $($code => Ok($name::$variant),)* other => Err(UnknownCode(other.to_owned())) }
            }
        }
    };
}

/// A stored code this version does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown audit code '{0}'")]
pub struct UnknownCode(pub String);

codes! {
    /// What happened.
    Action {
        // Authentication (164.308(a)(5)(ii)(C) log-in monitoring).
        LoginSucceeded = "login.succeeded",
        LoginFailed = "login.failed",
        LockedOut = "login.locked_out",
        Logout = "logout",
        /// Automatic logoff (164.312(a)(2)(iii)) or revocation; the reason says which.
        SessionEnded = "session.ended",
        MfaEnrolled = "mfa.enrolled",
        MfaReset = "mfa.reset",
        RecoveryCodesIssued = "mfa.recovery_codes_issued",
        // Administration (164.308(a)(4)(ii)(C) access establishment and modification).
        UserCreated = "user.created",
        UserDisabled = "user.disabled",
        UserEnabled = "user.enabled",
        UserRolesChanged = "user.roles_changed",
        PasswordReset = "user.password_reset",
        SettingChanged = "setting.changed",
        ClinicCreated = "clinic.created",
        // PHI (164.312(b)): reads, searches, writes, exports, prints, attachments, break-glass.
        PhiRead = "phi.read",
        PhiSearch = "phi.search",
        PhiCreate = "phi.create",
        PhiUpdate = "phi.update",
        PhiDelete = "phi.delete",
        PhiExport = "phi.export",
        PhiPrint = "phi.print",
        AttachmentView = "phi.attachment_view",
        BreakGlass = "phi.break_glass",
        // The audit trail itself and the system.
        AuditViewed = "audit.viewed",
        AuditExported = "audit.exported",
        AuditVerified = "audit.verified",
        /// The compliance officer reviewed an access-monitoring finding.
        FindingReviewed = "monitoring.finding_reviewed",
        KeyRotated = "key.rotated",
        /// A change to the compliance program (vendors, BAAs, policies, training records).
        ProgramChanged = "program.changed",
        /// A program document (a signed BAA, a certificate) was opened.
        ProgramDocumentViewed = "program.document_viewed",
        /// A change to the calendar's set-up (services, rooms, working hours, time off).
        CalendarChanged = "calendar.changed",
        BackupCreated = "backup.created",
        BackupRestored = "backup.restored",
        /// The owner was shown or downloaded the backup key (text, recovery sheet or file).
        BackupKeyViewed = "backup.key_viewed",
        /// Refused by role (the person's roles lack the capability), before any record was read.
        AccessDenied = "access.denied",
    }
}

impl Action {
    /// What happened, in words for the people reading the audit log (the code stays in the
    /// CSV, the FHIR export and the API, where auditors and tools read it). No `_` arm: a new
    /// action cannot reach the page without its words.
    pub fn words(self) -> &'static str {
        match self {
            Action::LoginSucceeded => "Signed in",
            Action::LoginFailed => "Sign-in failed",
            Action::LockedOut => "Locked out after failed sign-ins",
            Action::Logout => "Signed out",
            Action::SessionEnded => "Signed out automatically",
            Action::MfaEnrolled => "Set up two-step verification",
            Action::MfaReset => "Two-step verification reset",
            Action::RecoveryCodesIssued => "New recovery codes",
            Action::UserCreated => "Account created",
            Action::UserDisabled => "Account disabled",
            Action::UserEnabled => "Account enabled",
            Action::UserRolesChanged => "Roles changed",
            Action::PasswordReset => "Password reset",
            Action::SettingChanged => "Setting changed",
            Action::ClinicCreated => "Clinic created",
            Action::PhiRead => "Viewed patient information",
            Action::PhiSearch => "Searched for patients",
            Action::PhiCreate => "Added patient information",
            Action::PhiUpdate => "Changed patient information",
            Action::PhiDelete => "Removed patient information",
            Action::PhiExport => "Exported patient information",
            Action::PhiPrint => "Printed patient information",
            Action::AttachmentView => "Opened a patient's file",
            Action::BreakGlass => "Emergency access",
            Action::AuditViewed => "Looked at the audit log",
            Action::AuditExported => "Downloaded the audit log",
            Action::AuditVerified => "Checked the audit log",
            Action::FindingReviewed => "Reviewed a monitoring finding",
            Action::KeyRotated => "Changed the master key",
            Action::ProgramChanged => "Changed the compliance program",
            Action::ProgramDocumentViewed => "Opened a program document",
            Action::CalendarChanged => "Changed the calendar's set-up",
            Action::BackupCreated => "Made a backup",
            Action::BackupRestored => "Restored a backup",
            Action::BackupKeyViewed => "Viewed the backup key",
            Action::AccessDenied => "Refused access",
        }
    }
}

codes! {
    /// How it ended.
    Outcome {
        Success = "success",
        /// Refused for bad credentials or bad input.
        Failure = "failure",
        /// Refused by the access policy.
        Denied = "denied",
    }
}

/// Who acted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditActor {
    /// `None` for the command line run by the machine's administrator, or an unknown username.
    pub user_id: Option<UserId>,
    /// The username as typed or held; `cli` for the command line.
    pub name: String,
    pub roles: Vec<RoleName>,
}

/// Where the request came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub source_ip: String,
    pub user_agent: String,
    pub request_id: String,
}

/// One audit event, before it is given its place in the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: OffsetDateTime,
    pub actor: AuditActor,
    pub action: Action,
    pub outcome: Outcome,
    /// Every patient whose PHI the action touched.
    pub patients: Vec<i64>,
    pub resource_type: String,
    pub resource_id: String,
    pub data_classes: Vec<DataClass>,
    pub origin: Origin,
    /// A reason the person gave (break-glass) or the system recorded (why a session ended).
    pub reason: String,
    /// The account an administrative action was done to.
    pub target_user: Option<UserId>,
}

impl AuditEvent {
    /// A new event with no patients, resource, classes or reason.
    pub fn new(at: OffsetDateTime, actor: AuditActor, action: Action, outcome: Outcome, origin: Origin) -> Self {
        AuditEvent {
            at,
            actor,
            action,
            outcome,
            patients: Vec::new(),
            resource_type: String::new(),
            resource_id: String::new(),
            data_classes: Vec::new(),
            origin,
            reason: String::new(),
            target_user: None,
        }
    }

    pub fn with_reason(mut self, reason: &str) -> Self {
        self.reason = reason.to_owned();
        self
    }

    pub fn with_target(mut self, user: UserId) -> Self {
        self.target_user = Some(user);
        self
    }

    /// The event as the plain fields that are stored and MAC'd.
    pub fn stored_fields(&self) -> StoredFields {
        StoredFields {
            at: self.at.unix_timestamp(),
            actor_id: self.actor.user_id.map(|u| u.0),
            actor_name: self.actor.name.clone(),
            actor_roles: self.roles_text(),
            action: self.action.code().to_owned(),
            outcome: self.outcome.code().to_owned(),
            patient_ids: self.patients_text(),
            resource_type: self.resource_type.clone(),
            resource_id: self.resource_id.clone(),
            data_classes: self.classes_text(),
            source_ip: self.origin.source_ip.clone(),
            user_agent: self.origin.user_agent.clone(),
            request_id: self.origin.request_id.clone(),
            reason: self.reason.clone(),
            target_user_id: self.target_user.map(|u| u.0),
        }
    }

    /// The canonical bytes the chain's MAC covers for this event at `seq`.
    pub fn canonical(&self, seq: i64) -> Vec<u8> {
        self.stored_fields().canonical(seq)
    }

    pub fn roles_text(&self) -> String {
        join(self.actor.roles.iter().map(|r| r.as_str()))
    }

    pub fn patients_text(&self) -> String {
        join(self.patients.iter().map(|p| p.to_string()))
    }

    pub fn classes_text(&self) -> String {
        join(self.data_classes.iter().map(|c| c.as_str()))
    }
}

/// An event as stored: every column the chain covers, as plain text and numbers. Stored rows
/// are verified from this form, so an altered code that no longer parses is still caught.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFields {
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub actor_roles: String,
    pub action: String,
    pub outcome: String,
    pub patient_ids: String,
    pub resource_type: String,
    pub resource_id: String,
    pub data_classes: String,
    pub source_ip: String,
    pub user_agent: String,
    pub request_id: String,
    pub reason: String,
    pub target_user_id: Option<i64>,
}

impl StoredFields {
    /// Every field, in a fixed order, each length-prefixed, so no two different events encode
    /// alike; `seq` binds the event to its place.
    pub fn canonical(&self, seq: i64) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        self.as_canonical().write(seq, &mut out);
        out
    }

    /// The same fields, borrowed.
    pub fn as_canonical(&self) -> CanonicalFields<'_> {
        CanonicalFields {
            at: self.at,
            actor_id: self.actor_id,
            texts: [
                self.actor_name.as_bytes(),
                self.actor_roles.as_bytes(),
                self.action.as_bytes(),
                self.outcome.as_bytes(),
                self.patient_ids.as_bytes(),
                self.resource_type.as_bytes(),
                self.resource_id.as_bytes(),
                self.data_classes.as_bytes(),
                self.source_ip.as_bytes(),
                self.user_agent.as_bytes(),
                self.request_id.as_bytes(),
                self.reason.as_bytes(),
            ],
            target_user_id: self.target_user_id,
        }
    }
}

/// An event's fields as the chain covers them, borrowed from wherever they were read (a
/// database row's own buffer), so a whole trail can be encoded without a copy per field.
/// `texts` are, in order: actor name, actor roles, action, outcome, patient ids, resource
/// type, resource id, data classes, source address, browser, request id, reason; as bytes,
/// so a stored value that is not even text still encodes (and cannot match its MAC).
#[derive(Clone, Copy, Debug)]
pub struct CanonicalFields<'a> {
    pub at: i64,
    pub actor_id: Option<i64>,
    pub texts: [&'a [u8]; 12],
    pub target_user_id: Option<i64>,
}

/// Where the sequence number sits in a canonical encoding (after the format byte).
const SEQ_AT: std::ops::Range<usize> = 1..9;

impl CanonicalFields<'_> {
    /// Appends the canonical encoding at `seq` to `out` (see [`StoredFields::canonical`]).
    pub fn write(&self, seq: i64, out: &mut Vec<u8>) {
        out.push(1u8);
        out.extend_from_slice(&seq.to_be_bytes());
        out.extend_from_slice(&self.at.to_be_bytes());
        out.extend_from_slice(&self.actor_id.unwrap_or(-1).to_be_bytes());
        for s in self.texts {
            put(out, s);
        }
        out.extend_from_slice(&self.target_user_id.unwrap_or(-1).to_be_bytes());
    }
}

/// An event's canonical encoding, as made by [`CanonicalFields::write`] at some number, moved
/// to `seq`: what verification needs to tell a deleted or reordered event from a changed one.
pub fn canonical_at(canonical: &[u8], seq: i64) -> Vec<u8> {
    let mut out = canonical.to_vec();
    if let Some(place) = out.get_mut(SEQ_AT) {
        place.copy_from_slice(&seq.to_be_bytes());
    }
    out
}

fn put(out: &mut Vec<u8>, s: &[u8]) {
    let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s);
}

fn join<S: AsRef<str>>(items: impl Iterator<Item = S>) -> String {
    items.map(|s| s.as_ref().to_owned()).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {

    /// Moving an encoding to another number is encoding the event there; and the bytes are
    /// the ones every stored chain was made with (a change here would fail every trail).
    #[test]
    fn an_encoding_moved_to_another_number_is_the_encoding_there() {
        let f = StoredFields {
            at: 1_780_000_000,
            actor_id: Some(3),
            actor_name: "nurse".into(),
            actor_roles: "nurse".into(),
            action: "phi.read".into(),
            outcome: "success".into(),
            patient_ids: "12".into(),
            resource_type: "chart".into(),
            resource_id: "12".into(),
            data_classes: "clinical".into(),
            source_ip: "192.0.2.10".into(),
            user_agent: "Mozilla/5.0".into(),
            request_id: "r-1".into(),
            reason: String::new(),
            target_user_id: None,
        };
        let at_five = f.canonical(5);
        assert_eq!(canonical_at(&at_five, 9), f.canonical(9));
        assert_eq!(canonical_at(&at_five, 5), at_five);
        let mut head = vec![1u8];
        head.extend_from_slice(&5i64.to_be_bytes());
        head.extend_from_slice(&1_780_000_000i64.to_be_bytes());
        head.extend_from_slice(&3i64.to_be_bytes());
        head.extend_from_slice(&5u32.to_be_bytes());
        head.extend_from_slice(b"nurse");
        assert!(at_five.starts_with(&head));
        assert!(at_five.ends_with(&[&0u32.to_be_bytes()[..], &(-1i64).to_be_bytes()[..]].concat()));
    }

    #[test]
    fn every_action_has_its_own_words() {
        let mut seen = std::collections::HashSet::new();
        for a in Action::ALL {
            let w = a.words();
            assert!(!w.is_empty() && !w.contains('.') && !w.contains('_'), "{a:?}: {w}");
            assert!(seen.insert(w), "{w} is said of two actions");
        }
    }
    use super::*;
    use time::macros::datetime;

    fn event() -> AuditEvent {
        AuditEvent::new(
            datetime!(2026-03-02 09:00 UTC),
            AuditActor {
                user_id: Some(UserId(3)),
                name: "nurse".into(),
                roles: vec![RoleName::new("nurse").unwrap()],
            },
            Action::PhiRead,
            Outcome::Success,
            Origin {
                source_ip: "127.0.0.1".into(),
                user_agent: "test".into(),
                request_id: "r1".into(),
            },
        )
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for a in Action::ALL {
            assert_eq!(a.code().parse::<Action>().unwrap(), *a);
            assert!(seen.insert(a.code()), "{} twice", a.code());
        }
        for o in Outcome::ALL {
            assert_eq!(o.code().parse::<Outcome>().unwrap(), *o);
        }
        assert!("phi.teleport".parse::<Action>().is_err());
    }

    #[test]
    fn canonical_encoding_changes_with_every_field() {
        let base = event();
        let b = base.canonical(7);
        assert_eq!(b, event().canonical(7), "deterministic");
        assert_ne!(b, base.canonical(8), "the position is covered");
        let variants: Vec<AuditEvent> = vec![
            AuditEvent {
                at: base.at + time::Duration::seconds(1),
                ..base.clone()
            },
            AuditEvent {
                actor: AuditActor {
                    name: "nurse2".into(),
                    ..base.actor.clone()
                },
                ..base.clone()
            },
            AuditEvent {
                action: Action::PhiUpdate,
                ..base.clone()
            },
            AuditEvent {
                outcome: Outcome::Denied,
                ..base.clone()
            },
            AuditEvent {
                patients: vec![1],
                ..base.clone()
            },
            AuditEvent {
                resource_id: "x".into(),
                ..base.clone()
            },
            AuditEvent {
                data_classes: vec![DataClass::Clinical],
                ..base.clone()
            },
            AuditEvent {
                reason: "because".into(),
                ..base.clone()
            },
            AuditEvent {
                target_user: Some(UserId(9)),
                ..base.clone()
            },
            // Length prefixes keep field boundaries: moving a character between fields differs.
            AuditEvent {
                resource_type: "a".into(),
                resource_id: "".into(),
                ..base.clone()
            },
        ];
        for v in &variants {
            assert_ne!(v.canonical(7), b, "{v:?}");
        }
        let shifted = AuditEvent {
            resource_type: "".into(),
            resource_id: "a".into(),
            ..base.clone()
        };
        assert_ne!(shifted.canonical(7), variants[9].canonical(7));
    }
}

pub mod chain;
pub mod classes;
pub mod timeline;
