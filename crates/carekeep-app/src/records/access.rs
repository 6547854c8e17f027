//! The one door to a chart: a patient is opened for a person through the policy
//! ([`chart_access`]), and what comes back is the only thing that lets the records module read
//! or write that chart. `Opened` and `Grant` have private fields, so nothing outside this file
//! can make one: a use case that writes chart content needs a `Grant`, and a `Grant` comes only
//! from the policy's yes (or, for the command line's FHIR import, from the named import
//! grant), which is how an amendment can no longer reach a chart the policy did not open for
//! writing (164.308(a)(4)(ii)(C), 164.526(c)).

use super::patients::chart_parts;
use super::{patient_not_found, store};
use crate::{Actor, App, AppError, Principal};
use carekeep_domain::audit::Action;
use carekeep_domain::records::chart_access::{chart_access, ChartAccess, Gate};
use carekeep_domain::DataClass;
use carekeep_store::chart_rows::ChartRows;
use carekeep_store::records::PatientRow;
use carekeep_store::{Conn, Reader, Tx};
use time::OffsetDateTime;

/// A patient opened for one person: the row and what the policy lets them do with it.
#[derive(Debug)]
pub(crate) struct Opened {
    row: PatientRow,
    access: ChartAccess,
    glass_until: Option<OffsetDateTime>,
}

impl Opened {
    pub(crate) fn row(&self) -> &PatientRow {
        &self.row
    }

    pub(crate) fn access(&self) -> &ChartAccess {
        &self.access
    }

    pub(crate) fn glass_until(&self) -> Option<OffsetDateTime> {
        self.glass_until
    }
}

/// The policy's yes to writing content into one patient's chart: required by
/// [`App::put_json`], the only way records seal chart content into the database.
#[derive(Debug)]
pub(crate) struct Grant {
    _private: (),
}

impl Grant {
    /// The command line's FHIR import files records under a staff account: the machine's
    /// administrator already holds the data folder and its keys, so the grant is theirs alone.
    pub(crate) fn for_import(actor: &Actor<'_>) -> Result<Grant, AppError> {
        match actor {
            Actor::Cli => Ok(Grant { _private: () }),
            Actor::User(_) | Actor::Patient(_) => Err(AppError::Forbidden(
                "importing records is done at the command line by the machine's administrator".into(),
            )),
        }
    }
}

/// Full sign-in (MFA done) and no training hold: what opening any patient record needs.
fn may_open_patients(p: &Principal) -> Result<(), AppError> {
    p.require_full()?;
    if p.training_hold {
        return Err(AppError::Forbidden(
            "the clinic opens patient records after you complete your HIPAA training: see Training".into(),
        ));
    }
    Ok(())
}

impl App {
    /// Loads a patient and asks the policy what `p` may do with them now.
    pub(crate) async fn open_patient(&self, conn: &mut Conn, p: &Principal, id: i64) -> Result<Opened, AppError> {
        may_open_patients(p)?;
        let row = store::patient_by_id(conn, id).await.map_err(patient_not_found)?;
        self.gate(conn, p, row).await
    }

    /// [`Self::open_patient`] and the chart's rows it lets `p` read, through a [`Reader`]. The
    /// patient's row comes with the chart's rows an unrestricted record shows `p` (one statement,
    /// one round trip on PostgreSQL); a restricted record's parts depend on who may open it, so
    /// for one its rows are read again with the parts its gate allows. The rows stay sealed
    /// until a permit opens them; on SQLite a pooled connection is taken only for a restricted
    /// record.
    pub(crate) async fn open_chart_to_read(
        &self,
        reader: &mut Reader<'_>,
        p: &Principal,
        id: i64,
    ) -> Result<(Opened, ChartRows), AppError> {
        may_open_patients(p)?;
        let unrestricted = chart_access(&self.policy(), p.data_roles(), Gate::default());
        let (row, rows) = reader
            .patient_and_chart(id, &chart_parts(&unrestricted))
            .await
            .map_err(patient_not_found)?;
        if !row.restricted {
            return Ok((self.opened(p, row, false, None), rows));
        }
        drop(rows);
        let opened = self.gate(reader.conn().await?, p, row).await?;
        let rows = reader.chart_rows(id, &chart_parts(opened.access())).await?;
        Ok((opened, rows))
    }

    /// What the policy lets `p` do with `row` now, asking who may open a restricted record.
    async fn gate(&self, conn: &mut Conn, p: &Principal, row: PatientRow) -> Result<Opened, AppError> {
        if !row.restricted {
            return Ok(self.opened(p, row, false, None));
        }
        let named = store::named_providers(conn, row.id).await?.contains(&p.user_id.0);
        let glass_until = store::break_glass_until(conn, p.user_id.0, row.id, self.now()).await?;
        Ok(self.opened(p, row, named, glass_until))
    }

    fn opened(
        &self,
        p: &Principal,
        row: PatientRow,
        named_on_patient: bool,
        glass_until: Option<OffsetDateTime>,
    ) -> Opened {
        let gate = Gate {
            restricted: row.restricted,
            named_on_patient,
            break_glass_active: glass_until.is_some(),
        };
        let access = chart_access(&self.policy(), p.data_roles(), gate);
        Opened {
            row,
            access,
            glass_until,
        }
    }

    /// Refuses unless the policy lets `p` write `class` of this patient. Takes the write
    /// transaction and hands it back: a refusal rolls it back first, so the refusal's own
    /// audit event can be written (SQLite has one writer).
    pub(crate) async fn require_write(
        &self,
        tx: Tx,
        p: &Principal,
        opened: &Opened,
        class: DataClass,
        action: Action,
    ) -> Result<Tx, AppError> {
        let (tx, _) = self.grant_write(tx, p, opened, class, action).await?;
        Ok(tx)
    }

    /// [`Self::require_write`], keeping the policy's yes as a [`Grant`] for the sealed content
    /// the write puts into the chart.
    pub(crate) async fn grant_write(
        &self,
        tx: Tx,
        p: &Principal,
        opened: &Opened,
        class: DataClass,
        action: Action,
    ) -> Result<(Tx, Grant), AppError> {
        if opened.access.writes(class) {
            return Ok((tx, Grant { _private: () }));
        }
        drop(tx);
        let why = if opened.access.withheld_by_restriction.contains(&class) {
            "this patient's chart is restricted to the providers named on it"
        } else {
            "your roles do not allow it"
        };
        Err(self
            .refuse(
                p,
                action,
                opened.row.id,
                class,
                format!("you may not change this patient's {} data: {why}", class.as_str()),
            )
            .await)
    }

    /// Refuses unless the policy lets `p` read `class` of this patient.
    pub(crate) async fn require_read(
        &self,
        p: &Principal,
        opened: &Opened,
        class: DataClass,
        action: Action,
    ) -> Result<(), AppError> {
        if opened.access.reads(class) {
            return Ok(());
        }
        Err(self
            .refuse(
                p,
                action,
                opened.row.id,
                class,
                format!("you may not see this patient's {} data", class.as_str()),
            )
            .await)
    }

    /// Registering a patient writes their identity and contact: the policy's yes to both, or
    /// the refusal recorded (with no patient yet) and answered.
    pub(crate) async fn grant_registration(&self, p: &Principal) -> Result<Grant, AppError> {
        p.require_full()?;
        let policy = self.policy();
        for class in [DataClass::Identity, DataClass::Contact] {
            if !policy.access(p.data_roles(), class).can_write() {
                let event = self.phi_event(
                    p,
                    Action::PhiCreate,
                    carekeep_domain::audit::Outcome::Denied,
                    Vec::new(),
                    ("Patient", String::new()),
                    vec![class],
                );
                self.append_event(event).await?;
                return Err(AppError::Forbidden(format!(
                    "registering a patient needs write access to {} data, which your roles do not have",
                    class.as_str()
                )));
            }
        }
        Ok(Grant { _private: () })
    }

    /// The command line's export of the designated record set (164.524): the machine's
    /// administrator holds the data folder and its keys, and asks for `access` whole.
    pub(crate) async fn open_for_command_line(
        &self,
        conn: &mut Conn,
        actor: &Actor<'_>,
        id: i64,
        access: ChartAccess,
    ) -> Result<Opened, AppError> {
        if !matches!(actor, Actor::Cli) {
            return Err(AppError::Forbidden("this export is the command line's".into()));
        }
        let row = store::patient_by_id(conn, id).await.map_err(patient_not_found)?;
        Ok(Opened {
            row,
            access,
            glass_until: None,
        })
    }

    /// A record opened by a person signed in to the portal: the chart's one policy
    /// (`access_for` with a portal reader) decides; another patient's record reads nothing
    /// and is "not found" (never "forbidden", which would confirm that it exists).
    pub(crate) async fn open_for_portal(
        &self,
        conn: &mut Conn,
        pp: &crate::portal::PortalPatient,
        id: i64,
    ) -> Result<Opened, AppError> {
        let release = crate::portal::release(conn).await?;
        let reader = match pp.kiosk {
            None => carekeep_domain::records::chart_access::Reader::Portal {
                relation: pp.relation,
                own_record: pp.patient_id == id,
                release,
            },
            Some(_) => carekeep_domain::records::chart_access::Reader::Kiosk {
                relation: pp.relation,
                own_record: pp.patient_id == id,
            },
        };
        let access = carekeep_domain::records::chart_access::access_for(&self.policy(), reader, Gate::default());
        if !access.reads_any() {
            return Err(AppError::NotFound("page"));
        }
        let row = store::patient_by_id(conn, id)
            .await
            .map_err(|_| AppError::NotFound("page"))?;
        Ok(Opened {
            row,
            access,
            glass_until: None,
        })
    }

    /// The copy of a granted access request (164.524(c)): the designated record set of the
    /// patient's own record, and only theirs; the caller has found the request granted.
    pub(crate) async fn open_portal_copy(
        &self,
        conn: &mut Conn,
        pp: &crate::portal::PortalPatient,
        id: i64,
    ) -> Result<Opened, AppError> {
        if pp.patient_id != id {
            return Err(AppError::NotFound("page"));
        }
        let row = store::patient_by_id(conn, id)
            .await
            .map_err(|_| AppError::NotFound("page"))?;
        Ok(Opened {
            row,
            access: carekeep_domain::records::chart_access::designated_record_set(),
            glass_until: None,
        })
    }

    /// Emergency access writes its own reason beside the grant of access (sealed: it is PHI
    /// in the person's own words); the caller has just been found allowed to break glass.
    pub(crate) fn grant_glass_reason(&self, _opened: &Opened) -> Grant {
        Grant { _private: () }
    }
}
