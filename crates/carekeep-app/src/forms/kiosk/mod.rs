//! The clinic tablet in kiosk mode (issue 28, item 3). Staff open a checked-in visit's packet
//! (a scheduling write, as sending forms is) and read out a six-digit code; the tablet types it
//! and becomes a reader of the one policy (`Reader::Kiosk`) for that patient and that packet
//! only, as the portal's form use cases narrowed by [`crate::portal::KioskScope`]. The code is
//! kept as a keyed digest; the session apart from staff and portal sessions; every step is on
//! the trail, the tablet's as "patient #id (clinic tablet)".

mod desk;
mod signers;
mod tablet;

pub use signers::{KioskSigner, NOT_A_SIGNER};

use crate::portal::{hex, patient_actor, PortalPatient};
use crate::App;
use carekeep_crypto::token::random_bytes;
use carekeep_domain::audit::AuditActor;
use carekeep_domain::portal::PortalRelation;
use carekeep_store::kiosk::KioskRow;
use carekeep_store::Conn;
use time::OffsetDateTime;

/// A code staff read out to the patient (shown once; only its digest is kept).
#[derive(Clone, Debug)]
pub struct KioskCode {
    pub code: String,
    pub expires_at: OffsetDateTime,
}

/// Where the tablet stands for a visit, for the staff page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KioskState {
    /// A code waits to be typed until then.
    CodeWaiting(OffsetDateTime),
    /// The tablet is in the patient's hands.
    InUse,
}

/// The tablet unlocked: the cookie's token (given once) and the tablet as a caller.
#[derive(Debug)]
pub struct KioskStarted {
    pub token: String,
    pub patient: PortalPatient,
}

fn six_digits() -> String {
    let n = u64::from_le_bytes(random_bytes::<8>()) % 1_000_000;
    format!("{n:06}")
}

fn tablet_actor(patient: i64, relation: PortalRelation) -> AuditActor {
    let mut a = patient_actor(patient, relation);
    a.name = a.name.replace("(portal)", "(clinic tablet)");
    a
}

fn nobody() -> AuditActor {
    AuditActor {
        user_id: None,
        name: "clinic tablet (no code matched)".into(),
        roles: Vec::new(),
    }
}

impl App {
    fn kiosk_digest(&self, code: &str) -> String {
        hex(&self.blind_index().digest("kiosk_code", code))
    }

    /// Who signs on the tablet: the patient, or a representative on file who may act today.
    async fn kiosk_relation(&self, conn: &mut Conn, patient: i64, person: Option<i64>) -> Result<PortalRelation, ()> {
        match person {
            None => Ok(PortalRelation::SelfPatient),
            Some(person) => match self.representative_relation(conn, patient, person).await {
                Ok(Some((r @ PortalRelation::Representative { suspended: false, .. }, _))) => Ok(r),
                _ => Err(()),
            },
        }
    }
}

/// A spent code's facts for its words.
fn spent_of(k: &KioskRow) -> Option<(OffsetDateTime, bool, i64)> {
    Some((k.code_expires_at, k.started_at.is_some() || k.ended, k.wrong_tries))
}
