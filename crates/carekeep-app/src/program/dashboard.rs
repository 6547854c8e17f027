//! The program dashboard: the clinic's standing on each item, the evidence, and the one action
//! that closes it. Evidence comes from the running system where it knows the answer (accounts,
//! MFA, session settings, the audit trail's verification, monitoring reviews, vendors); items
//! whose modules are still to come say so plainly and count as gaps.

use super::vendors::{baa_of, phi_use};
use crate::{Actor, App, AppError};
use carekeep_domain::program::baa;
use carekeep_domain::program::checklist::{self, AuditCheck};
use carekeep_domain::program::dates::Standing;
use carekeep_domain::Capability;
use carekeep_store::{audit as audit_store, monitoring as monitoring_store, program as store, users, workforce};
use serde::Serialize;

/// One line of the checklist.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ChecklistItem {
    pub key: &'static str,
    pub title: &'static str,
    /// The rule behind it.
    pub cite: &'static str,
    /// done, due_soon or gap.
    pub standing: &'static str,
    pub standing_label: &'static str,
    /// What the system knows, in words.
    pub evidence: String,
    /// The one action that closes it.
    pub action: String,
    /// Where to take that action, when it is in Carekeep.
    pub href: Option<&'static str>,
}

fn item(
    key: &'static str,
    title: &'static str,
    cite: &'static str,
    s: Standing,
    evidence: String,
    action: &str,
    href: Option<&'static str>,
) -> ChecklistItem {
    ChecklistItem {
        key,
        title,
        cite,
        standing: s.as_str(),
        standing_label: s.label(),
        evidence,
        action: if s == Standing::Done {
            String::new()
        } else {
            action.to_owned()
        },
        href,
    }
}

impl App {
    /// The checklist, worst first.
    pub async fn dashboard(&self, actor: &Actor<'_>) -> Result<Vec<ChecklistItem>, AppError> {
        self.require(actor, Capability::ManageProgram).await?;
        let now = self.now();
        let today = self.clinic_today();
        let policy = self.policy();
        let mut conn = self.store().read().await?;
        let accounts: Vec<_> = users::all(&mut conn)
            .await?
            .into_iter()
            .filter(|u| u.disabled_at.is_none())
            .collect();
        let vendors: Vec<_> = store::vendors(&mut conn)
            .await?
            .into_iter()
            .filter(|v| !v.retired)
            .collect();
        let verification = audit_store::latest_verification(&mut conn).await?;
        let (open_findings, findings_overdue) =
            monitoring_store::open_counts(&mut conn, now - checklist::REVIEW_WITHIN).await?;
        let people = workforce::people(&mut conn).await?;
        let records = workforce::training(&mut conn).await?;
        // Invited and not set up yet: shown as "invited", never a gap (issue 25, item 3).
        let invited = carekeep_store::invitations::pending_user_ids(&mut conn).await?;
        drop(conn);
        let is_invited = |uid: Option<i64>| uid.is_some_and(|u| invited.contains(&carekeep_domain::UserId(u)));
        let mut out = Vec::new();

        let (sra_standing, sra_words) = self.sra_standing().await?;
        out.push(item(
            "sra",
            "Security Risk Assessment",
            "164.308(a)(1)(ii)(A)",
            sra_standing,
            sra_words,
            "Review the risk assessment and finalize it (start the next one from the last)",
            Some("/program/sra"),
        ));
        let tasks = self.sra_tasks(actor).await?;
        let open: Vec<_> = tasks.iter().filter(|t| t.done_on.is_empty()).collect();
        let overdue = open.iter().filter(|t| t.standing == "gap").count();
        let soon = open.iter().filter(|t| t.standing == "due_soon").count();
        out.push(item(
            "remediation",
            "Risk remediation tasks on time",
            "164.308(a)(1)(ii)(B)",
            checklist::by_dates(overdue, soon),
            format!(
                "{} tasks open: {overdue} overdue, {soon} due within 30 days; {} done.",
                open.len(),
                tasks.len() - open.len()
            ),
            "Finish the overdue tasks, or change their plan in the risk assessment",
            Some("/program/sra"),
        ));

        let phi_vendors: Vec<_> = vendors.iter().filter(|v| phi_use(v).needs_baa()).collect();
        let vendor_standing = checklist::vendors(
            !vendors.is_empty(),
            phi_vendors
                .iter()
                .map(|v| baa::vendor_standing(phi_use(v), &baa_of(v), today))
                .min(),
        );
        let missing: Vec<&str> = phi_vendors
            .iter()
            .filter(|v| !baa::current(&baa_of(v), today))
            .map(|v| v.name.as_str())
            .collect();
        out.push(item(
            "vendors",
            "Every vendor that touches PHI has a current BAA",
            "164.502(e), 164.504(e), 164.308(b)",
            vendor_standing,
            if vendors.is_empty() {
                "No vendors recorded yet.".into()
            } else if missing.is_empty() {
                match phi_vendors.len() {
                    1 => "1 vendor handles PHI and has a BAA in force.".into(),
                    n => format!("{n} vendors handle PHI; every one has a BAA in force."),
                }
            } else {
                format!(
                    "{} handle{} PHI; without a BAA in force: {}.",
                    match phi_vendors.len() {
                        1 => "1 vendor".to_owned(),
                        n => format!("{n} vendors"),
                    },
                    if phi_vendors.len() == 1 { "s" } else { "" },
                    missing.join(", ")
                )
            },
            if vendors.is_empty() {
                "List every vendor that touches PHI: records system, email, backup, billing, IT support"
            } else {
                "Get a signed BAA from each vendor listed, or stop sending it PHI"
            },
            Some("/program/vendors"),
        ));

        let without_roles: Vec<&str> = accounts
            .iter()
            .filter(|u| u.roles.is_empty())
            .map(|u| u.username.as_str())
            .collect();
        let shared: Vec<&str> = accounts
            .iter()
            .map(|u| u.username.as_str())
            .filter(|n| checklist::looks_shared(n))
            .collect();
        out.push(item(
            "accounts",
            "One account per person, each with its roles",
            "164.312(a)(2)(i), 164.308(a)(4)",
            checklist::accounts(without_roles.len(), shared.len()),
            format!(
                "{} active accounts.{}{}",
                accounts.len(),
                if without_roles.is_empty() {
                    String::new()
                } else {
                    format!(" Without a role: {}.", without_roles.join(", "))
                },
                if shared.is_empty() {
                    String::new()
                } else {
                    format!(" Names that look shared: {}.", shared.join(", "))
                }
            ),
            "Give each person an account named for them, with their roles; disable shared ones",
            Some("/admin/users"),
        ));

        let no_mfa: Vec<&str> = accounts
            .iter()
            .filter(|u| policy.requires_mfa(&u.roles) && u.mfa_enrolled_at.is_none() && !invited.contains(&u.id))
            .map(|u| u.username.as_str())
            .collect();
        out.push(item(
            "mfa",
            "Two-step verification on every account that can see PHI",
            "164.312(d)",
            checklist::mfa(no_mfa.len()),
            if no_mfa.is_empty() {
                "Every account that can see patient information, and every administrator, has an authenticator enrolled.".into()
            } else {
                format!("Not enrolled yet: {} (they must enrol at next sign-in).", no_mfa.join(", "))
            },
            "Ask each person listed to sign in and set up their authenticator",
            Some("/admin/users"),
        ));

        let idle = self.settings().lifetime.idle.whole_minutes();
        out.push(item(
            "logoff",
            "Automatic logoff",
            "164.312(a)(2)(iii)",
            checklist::logoff(idle),
            format!(
                "Sessions end after {idle} idle minutes and {} hours in all, checked by the server.",
                self.settings().lifetime.absolute.whole_hours()
            ),
            "Set session_idle_minutes to 15 or less",
            None,
        ));

        let check = AuditCheck::of(verification.as_ref().map(|v| (v.ok, now - v.at)));
        out.push(match (check, verification) {
            (AuditCheck::Intact, Some(v)) => item(
                "audit",
                "Audit trail intact",
                "164.312(b), 164.312(c)(1)",
                check.standing(),
                format!("Verified {} events on {}; intact.", v.events, v.at.date()),
                "",
                Some("/audit"),
            ),
            (AuditCheck::Broken, Some(v)) => item(
                "audit",
                "Audit trail intact",
                "164.312(b), 164.312(c)(1)",
                check.standing(),
                format!(
                    "Verification on {} found a problem at event {}: {}.",
                    v.at.date(),
                    v.problem_seq.unwrap_or(0),
                    v.problem
                ),
                "Treat this as a security incident: find out who changed the trail",
                Some("/audit"),
            ),
            _ => item(
                "audit",
                "Audit trail intact",
                "164.312(b), 164.312(c)(1)",
                AuditCheck::Stale.standing(),
                "No verification in the last two days.".into(),
                "Keep the server running (it verifies daily) or run `carekeep audit verify`",
                Some("/audit"),
            ),
        });

        out.push(item(
            "monitoring",
            "Access-monitoring findings reviewed",
            "164.308(a)(1)(ii)(D)",
            checklist::monitoring(
                usize::try_from(open_findings).unwrap_or(usize::MAX),
                usize::try_from(findings_overdue).unwrap_or(usize::MAX),
            ),
            format!(
                "{open_findings} findings open{}.",
                if findings_overdue > 0 {
                    format!(", {findings_overdue} for more than 7 days")
                } else {
                    String::new()
                }
            ),
            "Review each open finding and note what you found",
            Some("/monitoring"),
        ));

        let mut worst = Standing::Done;
        let mut overdue_people = Vec::new();
        // People who have left are due nothing (`training::due`).
        for p in people.iter().filter(|p| !is_invited(p.user_id)) {
            let mine: Vec<&workforce::TrainingRow> = records.iter().filter(|t| t.person_id == p.id).collect();
            if let Some((_, s)) = self.training_standing(p, &mine, today) {
                worst = worst.min(s);
                if s == Standing::Gap {
                    overdue_people.push(p.name.as_str());
                }
            }
        }
        let off_roster: Vec<&str> = accounts
            .iter()
            .filter(|u| !invited.contains(&u.id) && !people.iter().any(|p| p.user_id == Some(u.id.0)))
            .map(|u| u.username.as_str())
            .collect();
        // Past their leave date but still not offboarded (the job refused: the last login
        // that can administer users): a gap until someone else can administer.
        let today_text = today.to_string();
        let not_offboarded: Vec<&str> = people
            .iter()
            .filter(|p| !p.offboarded && p.left_on.as_deref().is_some_and(|l| l <= today_text.as_str()))
            .map(|p| p.name.as_str())
            .collect();
        if !off_roster.is_empty() || people.is_empty() || !not_offboarded.is_empty() {
            worst = Standing::Gap;
        }
        out.push(item(
            "training",
            "Workforce training current",
            "164.530(b), 164.308(a)(5)",
            worst,
            format!(
                "{} people on the roster.{}{}{}{}",
                people.len(),
                match people.iter().filter(|p| is_invited(p.user_id)).count() {
                    0 => String::new(),
                    n => format!(" {n} invited, not set up yet (not counted until they sign in)."),
                },
                if overdue_people.is_empty() {
                    String::new()
                } else {
                    format!(" Training overdue: {}.", overdue_people.join(", "))
                },
                if off_roster.is_empty() {
                    String::new()
                } else {
                    format!(" Logins not on the roster: {}.", off_roster.join(", "))
                },
                if not_offboarded.is_empty() {
                    String::new()
                } else {
                    format!(
                        " Past their leave date but not offboarded (their login is the last that can administer users: give the role to someone else first): {}.",
                        not_offboarded.join(", ")
                    )
                }
            ),
            "Put everyone on the roster and have each person take the course",
            Some("/program/workforce"),
        ));

        let policies = self.policy_views().await?;
        let (plans, others): (Vec<_>, Vec<_>) = policies
            .iter()
            .partition(|p| p.key == carekeep_domain::program::policies::BREACH_RESPONSE);
        for (key, title, cite, list, action) in [
            (
                "policies",
                "Policies reviewed and acknowledged",
                "164.316, 164.530(i)",
                others,
                "Adopt each policy, review it yearly, and have every person acknowledge it",
            ),
            (
                "breach_plan",
                "Breach response plan written and acknowledged",
                "164.308(a)(6), 164.530(i)",
                plans,
                "Adopt the breach response plan and have every person acknowledge it",
            ),
        ] {
            let missing: Vec<&str> = list.iter().filter(|p| !p.adopted).map(|p| p.title.as_str()).collect();
            let overdue: Vec<&str> = list
                .iter()
                .filter(|p| p.adopted && p.standing == "gap")
                .map(|p| p.title.as_str())
                .collect();
            let soon = list.iter().any(|p| p.adopted && p.standing == "due_soon");
            let unacked: std::collections::BTreeSet<&str> = list
                .iter()
                .flat_map(|p| p.not_acknowledged.iter().map(String::as_str))
                .collect();
            let s = checklist::policies(missing.len(), overdue.len(), unacked.len(), soon);
            let mut evidence = format!("{} of {} adopted.", list.len() - missing.len(), list.len());
            if !missing.is_empty() {
                evidence.push_str(&format!(" Not adopted: {}.", missing.join(", ")));
            }
            if !overdue.is_empty() {
                evidence.push_str(&format!(" Review overdue: {}.", overdue.join(", ")));
            }
            if !unacked.is_empty() {
                evidence.push_str(&format!(
                    " Not acknowledged by: {}.",
                    unacked.into_iter().collect::<Vec<_>>().join(", ")
                ));
            }
            out.push(item(key, title, cite, s, evidence, action, Some("/program/policies")));
        }

        let npp = self.npp_view().await?;
        let npp_standing = checklist::notice(npp.version > 0, npp.posted_office, npp.patients_without_acknowledgement);
        out.push(item(
            "npp",
            "Notice of Privacy Practices current and posted",
            "164.520",
            npp_standing,
            if npp.version == 0 {
                "No notice published.".into()
            } else {
                format!(
                    "Version {} in effect from {}; posted in the office: {}; on the website: {}; patients without an acknowledgment or good-faith record: {}.",
                    npp.version,
                    npp.effective_on,
                    if npp.posted_office { "yes" } else { "no" },
                    if npp.posted_website { "yes" } else { "no" },
                    npp.patients_without_acknowledgement
                )
            },
            "Publish the notice, post it in the office (and on the website), and record each patient's acknowledgment",
            Some("/program/npp"),
        ));

        let open = self.open_obligations().await?;
        let undetermined = self.undetermined_incidents().await?;
        let overdue = open.iter().filter(|(_, o)| o.standing == "gap").count();
        let soon = open.iter().filter(|(_, o)| o.standing == "due_soon").count();
        let next = open.iter().map(|(i, o)| (o.due_on.clone(), *i, o.title.clone())).min();
        out.push(item(
            "incidents",
            "Incident log kept and breach notices on time",
            "164.308(a)(6)(ii), 164.404-164.410, 164.530(j)",
            checklist::incidents(overdue, soon, undetermined),
            format!(
                "{undetermined} incidents not yet assessed; {} notices owed, {overdue} overdue.{}",
                open.len(),
                next.map(|(due, i, t)| format!(" Next: incident {i}, {t}, by {due}."))
                    .unwrap_or_default()
            ),
            "Assess each incident and send each notice by its date",
            Some("/incidents"),
        ));

        let clocks = self.open_request_clocks().await?;
        let late = clocks.iter().filter(|(s, _)| *s == Standing::Gap).count();
        let soon = clocks.iter().filter(|(s, _)| *s == Standing::DueSoon).count();
        out.push(item(
            "requests",
            "Patients' requests answered on time",
            "164.524(b)(2), 164.526(b)(2), 164.528(c)(1)",
            checklist::by_dates(late, soon),
            format!(
                "{} requests open: {late} overdue, {soon} due within 30 days.{}",
                clocks.len(),
                clocks
                    .iter()
                    .map(|(_, d)| *d)
                    .min()
                    .map(|d| format!(" Next due {d}."))
                    .unwrap_or_default()
            ),
            "Answer each request by its date, or give the one extension in writing before the first period ends",
            Some("/requests"),
        ));

        let (last_backup, last_verify) = {
            let mut conn = self.store().read().await?;
            (
                carekeep_store::backups::latest(&mut conn, "backup").await?,
                carekeep_store::backups::latest(&mut conn, "verify").await?,
            )
        };
        let describe = |what: &str, run: &Option<(time::OffsetDateTime, bool, String)>| match run {
            Some((at, true, _)) => format!("Last {what} {} (worked).", self.clinic_zone().local(*at).date()),
            Some((at, false, why)) => format!("Last {what} {} FAILED: {why}.", self.clinic_zone().local(*at).date()),
            None => format!("No {what} on record."),
        };
        let run = |r: &Option<(time::OffsetDateTime, bool, String)>| r.as_ref().map(|(at, ok, _)| (*ok, now - *at));
        out.push(item(
            "backups",
            "Backups made and a restore verified",
            "164.308(a)(7)(ii)(A), (D)",
            checklist::backups(run(&last_backup), run(&last_verify)),
            format!("{} {}", describe("backup", &last_backup), describe("restore drill", &last_verify)),
            "Choose a backup folder (a USB disk or a NAS share): Carekeep makes the key, runs the first backup and the restore drill, then backs up nightly",
            Some("/setup/backups"),
        ));
        // The HTTPS certificate Carekeep serves, from 30 days before it ends (164.312(e)(1):
        // an expired certificate stops every browser). Shown only while Carekeep serves one.
        if let Some((mode, from, to)) = self.served_certificate_end().await? {
            use carekeep_domain::program::network::{self as net, Expiry};
            let end = self.clinic_zone().local(to).date();
            let (standing, words) = match net::expiry(from, to, now) {
                Expiry::Fine => (Standing::Done, format!("The HTTPS certificate is good until {end}.")),
                Expiry::Soon(days) => (
                    Standing::DueSoon,
                    format!(
                        "The HTTPS certificate ends on {end}, in {days} days: after that, browsers refuse to connect."
                    ),
                ),
                Expiry::Expired | Expiry::NotYetValid => (
                    Standing::Gap,
                    format!("The HTTPS certificate is out of date (it ends on {end}): browsers refuse to connect."),
                ),
            };
            out.push(item(
                "certificate",
                "HTTPS certificate in date",
                "164.312(e)(1)",
                standing,
                words,
                if mode == net::Mode::LocalAuthority {
                    "Make a new certificate: choose \"The clinic's network\" again on the network step"
                } else {
                    "Upload the renewed certificate and its key on the network step"
                },
                Some("/setup/network"),
            ));
        }
        // The patients' door (issue 27): its listener and certificate, from the running
        // program; a failed renewal is a problem in words the owner understands.
        if let Some(door) = self.portal_door_standing() {
            out.push(item(
                "portal-certificate",
                "Patient portal reachable over HTTPS",
                "164.312(e)(1)",
                if door.ok { Standing::Done } else { Standing::Gap },
                door.words,
                &door.action,
                None,
            ));
        }
        out.sort_by_key(|i| Standing::parse(i.standing).map_or(0, checklist::order));
        self.record_checklist_day(&out).await;
        Ok(out)
    }
}
