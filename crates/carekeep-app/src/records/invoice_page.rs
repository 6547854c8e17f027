//! One invoice as billing staff read it: lines, codes for those who may see them, its ledger
//! (payments, refunds, adjustments, each a new entry, never an edit), the balance by the
//! domain's rule, dates on the clinic's clock; a receipt and a statement as US Letter PDFs;
//! and the billing work list with its filters and totals. Every read of an invoice goes
//! through the permit and writes its event (164.312(b)); refund and adjustment reasons are
//! sealed (they may describe the patient's circumstances).

use super::patients::identity_view;
use crate::pdf::Pdf;
use crate::permit::Permit;
use crate::{Actor, App, AppError, Principal};
use carekeep_domain::audit::{Action, Outcome};
use carekeep_domain::records::invoice::{format_amount, Cents, Line, PaidState};
use carekeep_domain::records::ledger::{self, Balance, Entry, Kind};
use carekeep_domain::records::patient::Identity;
use carekeep_domain::DataClass;
use carekeep_store::records::{self as store, CtColumn, InvoiceRow, LedgerRow};
use carekeep_store::users;
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime, Time};

const TABLE: &str = "payments";
const REASON: &str = "reason_ct";

/// One line of an invoice.
#[derive(Clone, Debug)]
pub struct DetailLine {
    pub description: String,
    pub amount: String,
    /// Procedure and diagnosis codes, for readers of class `coding`.
    pub codes: Option<(String, Vec<String>)>,
}

/// One ledger entry, in words.
#[derive(Clone, Debug)]
pub struct DetailEntry {
    pub kind: &'static str,
    pub kind_code: &'static str,
    /// Signed as it affects the balance: `-$40.00` for a payment, `+$25.00` for a refund.
    pub effect: String,
    pub amount: String,
    pub method: String,
    /// On the clinic's clock.
    pub at: OffsetDateTime,
    pub by: String,
    pub reason: String,
}

/// An invoice, read under one permit.
#[derive(Clone, Debug)]
pub struct InvoiceDetail {
    pub invoice_id: i64,
    pub number: String,
    pub patient_id: i64,
    pub patient_name: String,
    /// On the clinic's clock.
    pub created_at: OffsetDateTime,
    pub lines: Vec<DetailLine>,
    pub entries: Vec<DetailEntry>,
    pub balance: Balance,
    pub shows_codes: bool,
    /// The reader may add payments, refunds and adjustments.
    pub may_write: bool,
}

impl InvoiceDetail {
    pub fn charged(&self) -> String {
        format_amount(self.balance.charged)
    }
    pub fn adjusted(&self) -> String {
        format_amount(self.balance.adjusted)
    }
    pub fn paid(&self) -> String {
        format_amount(self.balance.paid)
    }
    pub fn owed(&self) -> String {
        format_amount(self.balance.balance)
    }
    pub fn status_code(&self) -> &'static str {
        status_code(self.balance.state)
    }
    pub fn status_label(&self) -> &'static str {
        self.balance.state.label()
    }
}

/// The code of a paid state, as the badges' classes and the filters use it.
pub fn status_code(s: PaidState) -> &'static str {
    match s {
        PaidState::Unpaid => "unpaid",
        PaidState::PartlyPaid => "partly_paid",
        PaidState::Paid => "paid",
        PaidState::NothingOwed => "nothing_owed",
    }
}

/// A refund or an adjustment as typed.
#[derive(Clone, Debug)]
pub struct NewEntry {
    pub kind: Kind,
    pub amount_cents: Cents,
    /// For an adjustment: lower what is owed (a discount, a write-off) or raise it.
    pub lower: bool,
    pub method: String,
    pub reason: String,
}

/// Which printed document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Printed {
    /// What was received on the invoice, for the patient's records.
    Receipt,
    /// What was charged, paid and adjusted, and what is still due.
    Statement,
}

/// The work list's filters: paid states (none: all) and a creation date range on the
/// clinic's calendar.
#[derive(Clone, Debug, Default)]
pub struct WorkFilter {
    pub states: Vec<PaidState>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// One row of the work list.
#[derive(Clone, Debug)]
pub struct WorkRow {
    pub invoice_id: i64,
    pub number: String,
    pub patient_id: i64,
    pub patient_name: String,
    pub created_at: OffsetDateTime,
    pub owed_total: String,
    pub paid: String,
    pub balance: String,
    pub state: PaidState,
    /// Each line's procedure code and diagnosis codes, for readers of class `coding`.
    pub codes: Option<Vec<(String, Vec<String>)>>,
}

/// The work list and its totals.
#[derive(Clone, Debug, Default)]
pub struct WorkList {
    pub rows: Vec<WorkRow>,
    pub total: String,
    pub paid: String,
    pub balance: String,
    /// The list stopped at its limit: narrow the dates to see the rest.
    pub truncated: bool,
}

const WORK_LIMIT: i64 = 500;

fn entries_of(rows: &[LedgerRow]) -> Vec<Entry> {
    rows.iter()
        .filter_map(|r| {
            Kind::parse(&r.kind).map(|kind| Entry {
                kind,
                cents: r.amount_cents,
            })
        })
        .collect()
}

fn balance_of(row: &InvoiceRow) -> Balance {
    ledger::balance(
        row.total_cents,
        &[
            Entry {
                kind: Kind::Adjustment,
                cents: row.adjusted_cents,
            },
            Entry {
                kind: Kind::Payment,
                cents: row.paid_cents,
            },
        ],
    )
}

impl App {
    /// An invoice with its lines, codes (for those who may read them) and ledger. Audited as a
    /// read (or, for a printed document, an export) of the invoice's patient.
    async fn read_invoice(&self, p: &Principal, id: i64, action: Action, why: &str) -> Result<InvoiceDetail, AppError> {
        let mut conn = self.store().read().await?;
        let row = store::invoice_by_id(&mut conn, id)
            .await
            .map_err(|_| AppError::NotFound("invoice"))?;
        let opened = self.open_patient(&mut conn, p, row.patient_id).await?;
        let a = opened.access();
        if !(a.reads(DataClass::Billing) && a.reads(DataClass::Identity)) {
            drop(conn);
            return Err(self
                .refuse(
                    p,
                    action,
                    row.patient_id,
                    DataClass::Billing,
                    "your roles do not include invoices".into(),
                )
                .await);
        }
        let shows_codes = a.reads(DataClass::Coding);
        let may_write = a.writes(DataClass::Billing);
        let entry_rows = store::invoice_ledger(&mut conn, id).await?;
        let staff: BTreeMap<i64, String> = users::all(&mut conn)
            .await?
            .into_iter()
            .map(|u| (u.id.0, u.display_name))
            .collect();
        let patient = opened.row().clone();
        drop(conn);
        let mut classes = vec![DataClass::Identity, DataClass::Billing, DataClass::InvoiceStatus];
        if shows_codes {
            classes.push(DataClass::Coding);
        }
        let mut event = self.phi_event(
            p,
            action,
            Outcome::Success,
            vec![row.patient_id],
            ("Invoice", id.to_string()),
            classes,
        );
        event.reason = why.into();
        let permit = self.permit(event).await?;
        let identity: Identity =
            self.open_json(&permit, CtColumn::PatientIdentity, patient.id, &patient.identity_ct)?;
        let lines: Vec<Line> = self.open_json(&permit, CtColumn::InvoiceLines, row.id, &row.lines_ct)?;
        let entries = self.entries_view(&permit, &entry_rows, &staff)?;
        permit.confirm().await?;
        let zone = self.clinic_zone();
        Ok(InvoiceDetail {
            invoice_id: row.id,
            number: row.number.clone(),
            patient_id: row.patient_id,
            patient_name: identity_view(&identity).full_name(),
            created_at: zone.local(row.created_at),
            lines: lines
                .into_iter()
                .map(|l| DetailLine {
                    amount: format_amount(l.amount_cents),
                    codes: shows_codes.then_some((l.procedure_code, l.diagnosis_codes)),
                    description: l.description,
                })
                .collect(),
            balance: ledger::balance(row.total_cents, &entries_of(&entry_rows)),
            entries,
            shows_codes,
            may_write,
        })
    }

    fn entries_view(
        &self,
        permit: &Permit,
        rows: &[LedgerRow],
        staff: &BTreeMap<i64, String>,
    ) -> Result<Vec<DetailEntry>, AppError> {
        let zone = self.clinic_zone();
        rows.iter()
            .filter_map(|r| Kind::parse(&r.kind).map(|k| (r, k)))
            .map(|(r, kind)| {
                let reason = match &r.reason_ct {
                    Some(ct) => self.open_sealed::<String>(permit, TABLE, REASON, r.id, ct)?,
                    None => String::new(),
                };
                // What the entry does to the balance: a payment lowers it, a refund raises it.
                let effect = match kind {
                    Kind::Adjustment => r.amount_cents,
                    _ => -r.amount_cents,
                };
                let sign = if effect > 0 { "+" } else { "" };
                Ok(DetailEntry {
                    kind: kind.label(),
                    kind_code: kind.code(),
                    effect: format!("{sign}{}", format_amount(effect)),
                    amount: format_amount(r.amount_cents.abs()),
                    method: r.method.clone(),
                    at: zone.local(r.received_at),
                    by: staff.get(&r.recorded_by).cloned().unwrap_or_default(),
                    reason,
                })
            })
            .collect()
    }

    /// The invoice page's read.
    pub async fn invoice(&self, actor: &Actor<'_>, id: i64) -> Result<InvoiceDetail, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        self.read_invoice(p, id, Action::PhiRead, "invoice page").await
    }

    /// A receipt or statement as a US Letter PDF; audited as an export of the invoice.
    pub async fn invoice_pdf(&self, actor: &Actor<'_>, id: i64, which: Printed) -> Result<Vec<u8>, AppError> {
        let p = actor.person()?;
        p.require_full()?;
        let why = match which {
            Printed::Receipt => "receipt printed",
            Printed::Statement => "statement printed",
        };
        let d = self.read_invoice(p, id, Action::PhiExport, why).await?;
        let today = self.clinic_today();
        render(self.clinic_name(), &d, which, today)
    }

    /// Adds a refund or an adjustment: a new entry with its sealed reason; the invoice and the
    /// earlier entries are left as they were.
    pub async fn add_ledger_entry(&self, actor: &Actor<'_>, invoice: i64, input: NewEntry) -> Result<(), AppError> {
        let p = actor.person()?;
        let reason = crate::input::text("reason", &input.reason, 500, true)?;
        let method = match input.kind {
            Kind::Adjustment => String::new(),
            _ => {
                let m = input.method.trim().to_ascii_lowercase();
                if !["cash", "card", "check", "insurance", "other"].contains(&m.as_str()) {
                    return Err(AppError::Invalid(
                        "the refund method is cash, card, check, insurance or other".into(),
                    ));
                }
                m
            }
        };
        if input.kind == Kind::Payment {
            return Err(AppError::Invalid("record a payment with the payment form".into()));
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
        let entry = ledger::entry(input.kind, input.amount_cents, input.lower, &balance_of(&row))?;
        let id = store::insert_ledger_entry(
            tx.conn(),
            invoice,
            row.patient_id,
            input.kind.code(),
            entry.cents,
            &method,
            p.user_id.0,
            self.now(),
        )
        .await?;
        let sealed = self.seal(&reason, crate::rights::binding(TABLE, REASON, id))?;
        store::seal_ledger_reason(tx.conn(), id, &sealed).await?;
        let mut event = self.phi_event(
            p,
            Action::PhiCreate,
            Outcome::Success,
            vec![row.patient_id],
            (
                if input.kind == Kind::Refund {
                    "Refund"
                } else {
                    "Adjustment"
                },
                id.to_string(),
            ),
            vec![DataClass::Billing, DataClass::InvoiceStatus],
        );
        event.reason = format!(
            "{} on invoice {} (the reason is kept, sealed, with the entry)",
            input.kind.code(),
            row.number
        );
        self.record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The billing work list: invoices created in the date range (the last 90 days when none is
    /// given), in the chosen states, with totals. Audited as a read of every patient listed.
    pub async fn billing_work(&self, actor: &Actor<'_>, filter: &WorkFilter) -> Result<WorkList, AppError> {
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
        let zone = self.clinic_zone();
        let to = filter.to.unwrap_or_else(|| self.clinic_today());
        let from = filter.from.unwrap_or(to - time::Duration::days(90));
        if from > to {
            return Err(AppError::Invalid("the first day is after the last day".into()));
        }
        let start = zone.assume(from.with_time(Time::MIDNIGHT));
        let end = zone.assume(to.next_day().unwrap_or(to).with_time(Time::MIDNIGHT)) - time::Duration::seconds(1);
        let mut conn = self.store().read().await?;
        let rows = store::invoices_between(&mut conn, start, end, WORK_LIMIT).await?;
        let truncated = rows.len() as i64 >= WORK_LIMIT;
        let ids: Vec<i64> = rows.iter().map(|r| r.patient_id).collect();
        let patients = self.patients_by_id(&mut conn, &ids).await?;
        drop(conn);
        let shown: Vec<(&InvoiceRow, Balance, bool)> = rows
            .iter()
            .filter_map(|r| {
                let access = self.list_access(&policy, p, patients.get(&r.patient_id)?);
                access
                    .reads(DataClass::Identity)
                    .then(|| (r, balance_of(r), access.reads(DataClass::Coding)))
            })
            .filter(|(_, b, _)| filter.states.is_empty() || filter.states.contains(&b.state))
            .collect();
        let mut out = WorkList {
            truncated,
            ..WorkList::default()
        };
        if shown.is_empty() {
            out.total = format_amount(0);
            out.paid = format_amount(0);
            out.balance = format_amount(0);
            return Ok(out);
        }
        let mut listed: Vec<i64> = shown.iter().map(|(r, _, _)| r.patient_id).collect();
        let mut classes = vec![DataClass::Identity, DataClass::InvoiceStatus];
        if shown.iter().any(|(_, _, coding)| *coding) {
            classes.push(DataClass::Coding);
        }
        listed.sort_unstable();
        listed.dedup();
        let mut event = self.phi_event(
            p,
            Action::PhiRead,
            Outcome::Success,
            listed,
            ("InvoiceList", String::new()),
            classes,
        );
        event.reason = "billing work list".into();
        let permit = self.permit(event).await?;
        let (mut total, mut paid, mut owed) = (0, 0, 0);
        for (row, b, coding) in shown {
            let Some(patient) = patients.get(&row.patient_id) else {
                continue;
            };
            let identity: Identity =
                self.open_json(&permit, CtColumn::PatientIdentity, patient.id, &patient.identity_ct)?;
            total += b.charged + b.adjusted;
            paid += b.paid;
            owed += b.balance;
            let codes = if coding {
                let lines: Vec<Line> = self.open_json(&permit, CtColumn::InvoiceLines, row.id, &row.lines_ct)?;
                Some(
                    lines
                        .into_iter()
                        .map(|l| (l.procedure_code, l.diagnosis_codes))
                        .collect(),
                )
            } else {
                None
            };
            out.rows.push(WorkRow {
                codes,
                invoice_id: row.id,
                number: row.number.clone(),
                patient_id: row.patient_id,
                patient_name: identity_view(&identity).full_name(),
                created_at: zone.local(row.created_at),
                owed_total: format_amount(b.charged + b.adjusted),
                paid: format_amount(b.paid),
                balance: format_amount(b.balance),
                state: b.state,
            });
        }
        permit.confirm().await?;
        out.total = format_amount(total);
        out.paid = format_amount(paid);
        out.balance = format_amount(owed);
        Ok(out)
    }
}

fn us_date(d: Date) -> String {
    format!("{:02}/{:02}/{}", u8::from(d.month()), d.day(), d.year())
}

fn us_time(t: OffsetDateTime) -> String {
    carekeep_domain::monitoring::explain::clock(t)
}

/// Draws a receipt or a statement (US Letter, the clinic's name and page numbers on each page).
fn render(clinic: &str, d: &InvoiceDetail, which: Printed, today: Date) -> Result<Vec<u8>, AppError> {
    let title = match which {
        Printed::Receipt => format!("Receipt for invoice {}", d.number),
        Printed::Statement => format!("Statement for invoice {}", d.number),
    };
    let mut pdf = Pdf::new(&title)?;
    pdf.running_head(clinic, &title);
    pdf.title(&title);
    pdf.line(&format!("Patient: {}", d.patient_name));
    pdf.line(&format!("Invoice date: {}", us_date(d.created_at.date())));
    pdf.line(&format!("Printed: {}", us_date(today)));
    match which {
        Printed::Receipt => {
            pdf.heading("Received");
            let rows: Vec<Vec<String>> = d
                .entries
                .iter()
                .filter(|e| e.kind_code != "adjustment")
                .map(|e| {
                    vec![
                        format!("{} {}", us_date(e.at.date()), us_time(e.at)),
                        e.kind.to_owned(),
                        e.method.clone(),
                        if e.kind_code == "refund" {
                            format!("-{}", e.amount)
                        } else {
                            e.amount.clone()
                        },
                    ]
                })
                .collect();
            if rows.is_empty() {
                pdf.paragraph("Nothing has been received on this invoice yet.");
            } else {
                pdf.table(
                    &[("Date", 0.3), ("What", 0.25), ("Method", 0.2), ("Amount", 0.25)],
                    &rows,
                );
            }
            pdf.heading("Account");
            pdf.line(&format!("Total paid: {}", d.paid()));
            pdf.line(&format!("Balance due: {} ({})", d.owed(), d.status_label()));
        }
        Printed::Statement => {
            pdf.heading("Charges");
            let rows: Vec<Vec<String>> = d
                .lines
                .iter()
                .map(|l| vec![l.description.clone(), l.amount.clone()])
                .collect();
            pdf.table(&[("Service", 0.75), ("Amount", 0.25)], &rows);
            pdf.heading("Payments, refunds and adjustments");
            let rows: Vec<Vec<String>> = d
                .entries
                .iter()
                .map(|e| {
                    vec![
                        us_date(e.at.date()),
                        e.kind.to_owned(),
                        if e.method.is_empty() {
                            e.reason.clone()
                        } else {
                            e.method.clone()
                        },
                        e.effect.clone(),
                    ]
                })
                .collect();
            if rows.is_empty() {
                pdf.paragraph("None yet.");
            } else {
                pdf.table(
                    &[("Date", 0.2), ("What", 0.2), ("Method or reason", 0.4), ("Effect", 0.2)],
                    &rows,
                );
            }
            pdf.heading("Summary");
            pdf.line(&format!("Charged: {}", d.charged()));
            pdf.line(&format!("Adjustments: {}", d.adjusted()));
            pdf.line(&format!("Paid (less refunds): {}", d.paid()));
            pdf.line(&format!("Balance due: {} ({})", d.owed(), d.status_label()));
        }
    }
    pdf.finish()
}
