//! Invoices and payments. Billing staff write lines and amounts (class `billing`); clinical
//! staff code them (class `coding`); the number, total, balance and state are
//! `invoice_status`. One encrypted record per invoice holds lines and codes; views take from
//! it only the classes the reader may see.

use super::patients::identity_view;
use super::rfc3339;
use super::view::*;
use crate::permit::Permit;
use crate::{Actor, App, AppError};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::records::chart_access::ChartAccess;
use carekeep_domain::records::invoice::{
    check_codes, check_line, check_payment, format_amount, status, Line, PaidState,
};
use carekeep_domain::records::patient::Identity;
use carekeep_domain::DataClass;
use carekeep_store::chart_rows::ChartRows;
use carekeep_store::records::{self as store, CtColumn, InvoiceRow, PatientRow};
use std::collections::HashMap;

/// An invoice as typed by billing: lines of description and amount.
#[derive(Debug)]
pub struct NewInvoice {
    pub lines: Vec<Line>,
}

#[derive(Debug)]
pub struct NewPayment {
    pub amount_cents: i64,
    pub method: String,
}

const METHODS: [&str; 5] = ["cash", "card", "check", "insurance", "other"];

fn paid_code(s: PaidState) -> &'static str {
    match s {
        PaidState::Unpaid => "unpaid",
        PaidState::PartlyPaid => "partly_paid",
        PaidState::Paid => "paid",
        PaidState::NothingOwed => "nothing_owed",
    }
}

/// The coding, billing and invoice-status parts of a patient view.
type InvoiceViews = (Option<CodingView>, Option<BillingView>, Option<InvoiceStatusView>);

impl App {
    fn invoice_status_view(&self, row: &InvoiceRow) -> InvoiceStatus {
        // What is owed is the lines' total with its adjustments (new entries, never edits).
        let (total, balance, state) = status(&[row.total_cents + row.adjusted_cents], &[row.paid_cents]);
        InvoiceStatus {
            invoice_id: row.id,
            number: row.number.clone(),
            created_at: rfc3339(self.clinic_zone().local(row.created_at)),
            total_cents: total,
            balance_cents: balance,
            total: format_amount(total),
            balance: format_amount(balance),
            status: paid_code(state).to_owned(),
            status_label: state.label().to_owned(),
        }
    }

    fn invoice_codes(&self, row: &InvoiceRow, lines: &[Line]) -> InvoiceCodes {
        InvoiceCodes {
            invoice_id: row.id,
            number: row.number.clone(),
            lines: lines
                .iter()
                .map(|l| LineCodes {
                    procedure_code: l.procedure_code.clone(),
                    diagnosis_codes: l.diagnosis_codes.clone(),
                })
                .collect(),
        }
    }

    /// The coding, billing and invoice-status parts of a patient view, each only if readable.
    pub(crate) fn invoice_views(
        &self,
        permit: &Permit,
        chart: &ChartRows,
        a: &ChartAccess,
    ) -> Result<InvoiceViews, AppError> {
        let (coding, billing, st) = (
            a.reads(DataClass::Coding),
            a.reads(DataClass::Billing),
            a.reads(DataClass::InvoiceStatus),
        );
        if !(coding || billing || st) {
            return Ok((None, None, None));
        }
        let rows = &chart.invoices;
        let mut lines_of = HashMap::new();
        if coding || billing {
            for row in rows {
                let lines: Vec<Line> = self.open_json(permit, CtColumn::InvoiceLines, row.id, &row.lines_ct)?;
                lines_of.insert(row.id, lines);
            }
        }
        let lines = |id: i64| lines_of.get(&id).map(Vec::as_slice).unwrap_or_default();
        let coding_view = coding.then(|| CodingView {
            invoices: rows.iter().map(|r| self.invoice_codes(r, lines(r.id))).collect(),
        });
        let billing_view = if billing {
            let payments = &chart.payments;
            Some(BillingView {
                invoices: rows
                    .iter()
                    .map(|r| InvoiceLines {
                        invoice_id: r.id,
                        number: r.number.clone(),
                        lines: lines(r.id)
                            .iter()
                            .map(|l| LineAmount {
                                description: l.description.clone(),
                                amount_cents: l.amount_cents,
                                amount: format_amount(l.amount_cents),
                            })
                            .collect(),
                    })
                    .collect(),
                payments: payments
                    .iter()
                    .map(|p| PaymentView {
                        id: p.id,
                        invoice_id: p.invoice_id,
                        amount_cents: p.amount_cents,
                        amount: format_amount(p.amount_cents),
                        method: p.method.clone(),
                        received_at: rfc3339(self.clinic_zone().local(p.received_at)),
                    })
                    .collect(),
            })
        } else {
            None
        };
        let status_view = st.then(|| InvoiceStatusView {
            invoices: rows.iter().map(|r| self.invoice_status_view(r)).collect(),
        });
        Ok((coding_view, billing_view, status_view))
    }

    /// Creates an invoice from lines of description and amount (codes optional, and only for
    /// those who may write codes).
    pub async fn create_invoice(
        &self,
        actor: &Actor<'_>,
        patient: i64,
        input: NewInvoice,
    ) -> Result<InvoiceStatus, AppError> {
        let p = actor.person()?;
        if input.lines.is_empty() || input.lines.len() > 50 {
            return Err(AppError::Invalid("an invoice needs 1 to 50 lines".into()));
        }
        let lines = input.lines.into_iter().map(check_line).collect::<Result<Vec<_>, _>>()?;
        let coded = lines.iter().any(|l| !l.procedure_code.is_empty());
        let mut tx = self.store().begin().await?;
        let opened = self.open_patient(tx.conn(), p, patient).await?;
        let (mut tx, grant) = self
            .grant_write(tx, p, &opened, DataClass::Billing, Action::PhiCreate)
            .await?;
        let mut classes = vec![DataClass::Billing, DataClass::InvoiceStatus];
        if coded {
            tx = self
                .require_write(tx, p, &opened, DataClass::Coding, Action::PhiCreate)
                .await?;
            classes.push(DataClass::Coding);
        }
        let total = lines.iter().map(|l| l.amount_cents).sum();
        let (id, _) = store::insert_invoice(tx.conn(), patient, total, p.user_id.0, self.now()).await?;
        self.put_json(tx.conn(), &grant, CtColumn::InvoiceLines, id, &lines)
            .await?;
        let event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![patient],
            ("Invoice", id.to_string()),
            classes,
        );
        self.record(&mut tx, &event).await?;
        let row = store::invoice_by_id(tx.conn(), id).await?;
        tx.commit().await?;
        Ok(self.invoice_status_view(&row))
    }

    /// Sets the procedure and diagnosis codes of each line (clinical staff: class `coding`).
    pub async fn code_invoice(
        &self,
        actor: &Actor<'_>,
        invoice: i64,
        codes: Vec<(String, Vec<String>)>,
    ) -> Result<InvoiceCodes, AppError> {
        let p = actor.person()?;
        let mut tx = self.store().begin().await?;
        let row = store::invoice_by_id(tx.conn(), invoice)
            .await
            .map_err(|_| AppError::NotFound("invoice"))?;
        let opened = self.open_patient(tx.conn(), p, row.patient_id).await?;
        let (mut tx, grant) = self
            .grant_write(tx, p, &opened, DataClass::Coding, Action::PhiUpdate)
            .await?;
        let event = self.phi_event(
            p,
            Action::PhiUpdate,
            Outcome::Success,
            vec![row.patient_id],
            ("Invoice", invoice.to_string()),
            vec![DataClass::Coding],
        );
        let permit = self.permit_in(&mut tx, &event).await?;
        let mut lines: Vec<Line> = self.open_json(&permit, CtColumn::InvoiceLines, invoice, &row.lines_ct)?;
        if codes.len() != lines.len() {
            return Err(AppError::Invalid(format!(
                "give codes for each of the invoice's {} lines",
                lines.len()
            )));
        }
        for (line, (procedure, diagnoses)) in lines.iter_mut().zip(codes) {
            let (p_code, d_codes) = check_codes(&procedure, &diagnoses)?;
            line.procedure_code = p_code;
            line.diagnosis_codes = d_codes;
        }
        self.put_json(tx.conn(), &grant, CtColumn::InvoiceLines, invoice, &lines)
            .await?;
        tx.commit().await?;
        Ok(self.invoice_codes(&row, &lines))
    }

    /// Records a payment against an invoice.
    pub async fn record_payment(
        &self,
        actor: &Actor<'_>,
        invoice: i64,
        input: NewPayment,
    ) -> Result<InvoiceStatus, AppError> {
        let p = actor.person()?;
        let method = input.method.trim().to_ascii_lowercase();
        if !METHODS.contains(&method.as_str()) {
            return Err(AppError::Invalid(
                "the payment method is cash, card, check, insurance or other".into(),
            ));
        }
        let mut tx = self.store().begin().await?;
        let row = store::invoice_by_id(tx.conn(), invoice)
            .await
            .map_err(|_| AppError::NotFound("invoice"))?;
        let opened = self.open_patient(tx.conn(), p, row.patient_id).await?;
        tx = self
            .require_write(tx, p, &opened, DataClass::Billing, Action::PhiCreate)
            .await?;
        tx = self
            .require_write(tx, p, &opened, DataClass::InvoiceStatus, Action::PhiUpdate)
            .await?;
        check_payment(
            input.amount_cents,
            row.total_cents + row.adjusted_cents - row.paid_cents,
        )?;
        let pay = store::insert_payment(
            tx.conn(),
            invoice,
            row.patient_id,
            input.amount_cents,
            &method,
            p.user_id.0,
            self.now(),
        )
        .await?;
        let event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![row.patient_id],
            ("Payment", pay.to_string()),
            vec![DataClass::Billing, DataClass::InvoiceStatus],
        );
        self.record(&mut tx, &event).await?;
        let row = store::invoice_by_id(tx.conn(), invoice).await?;
        tx.commit().await?;
        Ok(self.invoice_status_view(&row))
    }

    /// The newest invoices across the clinic, with names, status and (for those who may read
    /// codes) codes. Audited as a read of every patient listed.
    pub async fn billing_worklist(&self, actor: &Actor<'_>) -> Result<Vec<BillingItem>, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        let policy = self.policy();
        if !(policy.access(p.data_roles(), DataClass::InvoiceStatus).can_read()
            && policy.access(p.data_roles(), DataClass::Identity).can_read())
        {
            return Err(self
                .refused_by_role(
                    p,
                    vec![DataClass::InvoiceStatus, DataClass::Identity],
                    "your roles do not include invoices",
                )
                .await);
        }
        let mut conn = self.store().read().await?;
        let rows = store::recent_invoices(&mut conn, 100).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.patient_id).collect();
        let patients = self.patients_by_id(&mut conn, &ids).await?;
        drop(conn);
        let shown: Vec<(&InvoiceRow, &PatientRow, bool)> = rows
            .iter()
            .filter_map(|row| {
                let patient = patients.get(&row.patient_id)?;
                Some((
                    row,
                    patient,
                    self.list_access(&policy, p, patient).reads(DataClass::Coding),
                ))
            })
            .collect();
        if shown.is_empty() {
            return Ok(Vec::new());
        }
        let mut classes = vec![DataClass::Identity, DataClass::InvoiceStatus];
        if shown.iter().any(|(_, _, coding)| *coding) {
            classes.push(DataClass::Coding);
        }
        let mut listed: Vec<i64> = shown.iter().map(|(_, patient, _)| patient.id).collect();
        listed.sort_unstable();
        listed.dedup();
        let event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            listed,
            ("InvoiceList", String::new()),
            classes,
        );
        let permit = self.permit(event).await?;
        let mut out = Vec::new();
        for (row, patient, coding) in shown {
            let identity: Identity =
                self.open_json(&permit, CtColumn::PatientIdentity, patient.id, &patient.identity_ct)?;
            let codes = if coding {
                let lines: Vec<Line> = self.open_json(&permit, CtColumn::InvoiceLines, row.id, &row.lines_ct)?;
                Some(self.invoice_codes(row, &lines))
            } else {
                None
            };
            out.push(BillingItem {
                patient_id: row.patient_id,
                patient_name: identity_view(&identity).full_name(),
                status: self.invoice_status_view(row),
                codes,
            });
        }
        permit.confirm().await?;
        Ok(out)
    }
}
