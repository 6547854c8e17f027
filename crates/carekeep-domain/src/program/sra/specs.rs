//! Every standard and implementation specification of the Security Rule (45 CFR 164.308 to
//! 164.316), one row each as `security-rule-specs.csv` lists them (53 rows), with our question
//! for a small clinic and what a good answer looks like there. Required (R) rows must be
//! implemented; addressable (A) rows need a documented decision (164.306(d)(3)).

/// One row of the assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    pub id: &'static str,
    pub cfr: &'static str,
    pub safeguard: &'static str,
    pub standard: &'static str,
    pub title: &'static str,
    /// Required (true) or addressable (false), 164.306(d).
    pub required: bool,
    /// What it asks of the clinic, in plain words.
    pub question: &'static str,
    /// What a good answer looks like in a small clinic.
    pub good: &'static str,
}

#[expect(clippy::too_many_arguments, reason = "one call per row of a const table")]
const fn spec(
    id: &'static str,
    cfr: &'static str,
    safeguard: &'static str,
    standard: &'static str,
    title: &'static str,
    required: bool,
    question: &'static str,
    good: &'static str,
) -> Spec {
    Spec {
        id,
        cfr,
        safeguard,
        standard,
        title,
        required,
        question,
        good,
    }
}

const R: bool = true;
const A: bool = false;
const ADM: &str = "administrative";
const PHY: &str = "physical";
const TEC: &str = "technical";
const ORG: &str = "organizational";
const DOC: &str = "documentation";
const STANDARD_ONLY: &str = "(standard only; no separate implementation specification)";

const SMP: &str = "Security management process [164.308(a)(1)(i)]";
const WFS: &str = "Workforce security [164.308(a)(3)(i)]";
const IAM: &str = "Information access management [164.308(a)(4)(i)]";
const SAT: &str = "Security awareness and training [164.308(a)(5)(i)]";
const CP: &str = "Contingency plan [164.308(a)(7)(i)]";
const FAC: &str = "Facility access controls [164.310(a)(1)]";
const DMC: &str = "Device and media controls [164.310(d)(1)]";
const AC: &str = "Access control [164.312(a)(1)]";
const TS: &str = "Transmission security [164.312(e)(1)]";
const BAC: &str = "Business associate contracts or other arrangements [164.314(a)(1)]";
const GHP: &str = "Requirements for group health plans [164.314(b)(1)]";
const DOCS: &str = "Documentation [164.316(b)(1)]";

/// The 53 rows, in the order of the regulation.
pub const SPECS: [Spec; 53] = [
    spec("ADM-01", "164.308(a)(1)(ii)(A)", ADM, SMP, "Risk analysis", R,
        "Have you looked at every place patient information lives or travels and what could go wrong there?",
        "This assessment, finalized within the last 12 months, covering every device, system and vendor."),
    spec("ADM-02", "164.308(a)(1)(ii)(B)", ADM, SMP, "Risk management", R,
        "Do you act on the risks you found, bringing them down to a level you can live with? Do you scan for vulnerabilities and have the systems tested, and keep the reports?",
        "Each risk has a treatment; the ones to fix have tasks with an owner and a due date, and they get done; the last vulnerability scan and penetration test are dated here with their reports kept."),
    spec("ADM-03", "164.308(a)(1)(ii)(C)", ADM, SMP, "Sanction policy", R,
        "Is there a written rule for what happens to staff who break the privacy and security rules?",
        "The sanctions policy is adopted, every staff member has acknowledged it, and sanctions applied are written down."),
    spec("ADM-04", "164.308(a)(1)(ii)(D)", ADM, SMP, "Information system activity review", R,
        "Does someone regularly look at who opened which records, logins and other activity?",
        "Access-monitoring findings are reviewed within a week and the review is noted."),
    spec("ADM-05", "164.308(a)(2)", ADM, "Assigned security responsibility [164.308(a)(2)]", STANDARD_ONLY, R,
        "Is one named person responsible for security?",
        "The owner or a named staff member holds the compliance role, and everyone knows who it is."),
    spec("ADM-06", "164.308(a)(3)(ii)(A)", ADM, WFS, "Authorization and/or supervision", A,
        "Are staff who work with patient information authorized for it, or supervised while they do?",
        "Each person's role is set by the owner; cleaners and visitors are never alone with screens or files."),
    spec("ADM-07", "164.308(a)(3)(ii)(B)", ADM, WFS, "Workforce clearance procedure", A,
        "Do you check that a new hire's access fits their job before they get it?",
        "References checked at hire; the role given matches the job; nothing more."),
    spec("ADM-08", "164.308(a)(3)(ii)(C)", ADM, WFS, "Termination procedures", A,
        "When someone leaves, is their access ended on their last day?",
        "The leave date disables the login that day; keys and devices are collected and shared passwords changed."),
    spec("ADM-09", "164.308(a)(4)(ii)(A)", ADM, IAM, "Isolating health care clearinghouse functions", R,
        "Does the clinic run a health care clearinghouse inside it?",
        "A clinic that is not a clearinghouse answers not applicable, saying so."),
    spec("ADM-10", "164.308(a)(4)(ii)(B)", ADM, IAM, "Access authorization", A,
        "Is there a way to decide who may see which patient information?",
        "Roles decide it: front desk sees scheduling and contact, billing sees invoices and codes, providers see the chart."),
    spec("ADM-11", "164.308(a)(4)(ii)(C)", ADM, IAM, "Access establishment and modification", A,
        "Are accounts created, changed and reviewed in a recorded way?",
        "Only the owner creates accounts and changes roles, and each change is in the audit trail."),
    spec("ADM-12", "164.308(a)(5)(ii)(A)", ADM, SAT, "Security reminders", A,
        "Are staff trained and reminded about security from time to time, phishing and email included? Does someone receive threat alerts from outside (CISA, vendors' advisories, an ISAC or the IT provider) and pass them on?",
        "Everyone completes the course at hire and yearly, phishing and personal email accounts included; a named person receives threat alerts and the arrangement is checked yearly."),
    spec("ADM-13", "164.308(a)(5)(ii)(B)", ADM, SAT, "Protection from malicious software", A,
        "Are computers protected against viruses and ransomware, kept on a secure configuration with patching on a cadence, and do staff know how to spot them?",
        "Antivirus on every computer; every device in the technology inventory supported, patched within 30 days and encrypted; staff trained on suspicious attachments."),
    spec("ADM-14", "164.308(a)(5)(ii)(C)", ADM, SAT, "Log-in monitoring", A,
        "Are failed or strange log-ins noticed?",
        "Failed log-ins are recorded, repeated failures lock the account for a while, and unusual access is flagged."),
    spec("ADM-15", "164.308(a)(5)(ii)(D)", ADM, SAT, "Password management", A,
        "Do staff use good passwords, kept to themselves?",
        "Long passwords, checked against known-breached lists, never shared, plus a second step at sign-in."),
    spec("ADM-16", "164.308(a)(6)(ii)", ADM, "Security incident procedures [164.308(a)(6)(i)]", "Response and reporting", R,
        "When something goes wrong, do staff know to report it, and is it handled and written down?",
        "A written breach response plan; every incident logged with what was done and the outcome."),
    spec("ADM-17", "164.308(a)(7)(ii)(A)", ADM, CP, "Data backup plan", R,
        "Is patient information backed up so an exact copy can be got back?",
        "Encrypted backups every night, a copy off-site, checked by restoring them."),
    spec("ADM-18", "164.308(a)(7)(ii)(B)", ADM, CP, "Disaster recovery plan", R,
        "If the server or office is lost, do you know how to get the data back?",
        "Written restore steps, tried at least once a year."),
    spec("ADM-19", "164.308(a)(7)(ii)(C)", ADM, CP, "Emergency mode operation plan", R,
        "Can the clinic keep seeing patients safely while systems are down?",
        "A read-only copy on another machine, and paper forms for the day."),
    spec("ADM-20", "164.308(a)(7)(ii)(D)", ADM, CP, "Testing and revision procedures", A,
        "Do you test the contingency plan and fix what the test shows?",
        "A restore drill runs weekly and its result is checked."),
    spec("ADM-21", "164.308(a)(7)(ii)(E)", ADM, CP, "Applications and data criticality analysis", A,
        "Do you know which systems matter most and must come back first?",
        "The records system first, then scheduling and billing; written in the contingency policy."),
    spec("ADM-22", "164.308(a)(8)", ADM, "Evaluation [164.308(a)(8)]", STANDARD_ONLY, R,
        "Do you check from time to time that your safeguards still meet the rule, and after big changes?",
        "This assessment is repeated yearly and whenever something significant changes."),
    spec("ADM-23", "164.308(b)(3)", ADM, "Business associate contracts and other arrangements [164.308(b)(1)-(2)]", "Written contract or other arrangement", R,
        "Does every vendor that handles patient information have a signed business associate agreement, and do you know how well each one protects it beyond the BAA (vendor security oversight)?",
        "Every such vendor is listed with a BAA in force, the signed copies on file, and its security (a SOC 2 or HITRUST report, a questionnaire, its breach history) reviewed yearly with a risk rating."),
    spec("PHY-01", "164.310(a)(2)(i)", PHY, FAC, "Contingency operations", A,
        "In an emergency, can the right people get into the building to restore data?",
        "The owner and one other person hold keys and alarm codes; the restore steps say where things are."),
    spec("PHY-02", "164.310(a)(2)(ii)", PHY, FAC, "Facility security plan", A,
        "Are the office, the server and the files protected from being entered or taken?",
        "Locked doors after hours, the server in a locked room or cabinet, an alarm."),
    spec("PHY-03", "164.310(a)(2)(iii)", PHY, FAC, "Access control and validation procedures", A,
        "Is access to the back office and the server controlled, visitors included?",
        "Visitors signed in and accompanied; repair people supervised."),
    spec("PHY-04", "164.310(a)(2)(iv)", PHY, FAC, "Maintenance records", A,
        "Do you record repairs and changes to locks, doors and alarms?",
        "A simple log of lock changes, key copies and alarm work."),
    spec("PHY-05", "164.310(b)", PHY, "Workstation use [164.310(b)]", STANDARD_ONLY, R,
        "Are there rules for how computers that show patient information are used?",
        "The workstation policy is adopted and acknowledged: screens face away from the public, no personal use."),
    spec("PHY-06", "164.310(c)", PHY, "Workstation security [164.310(c)]", STANDARD_ONLY, R,
        "Are those computers physically protected from being used or taken by others?",
        "Screens lock when left, laptops locked away at night, front-desk PCs out of reach of the waiting room."),
    spec("PHY-07", "164.310(d)(2)(i)", PHY, DMC, "Disposal", R,
        "When a computer, disk or phone is thrown away, is the patient information destroyed first (device and media disposal)?",
        "Drives wiped or shredded with a certificate; each disposal recorded in the disposal log, which closes the asset."),
    spec("PHY-08", "164.310(d)(2)(ii)", PHY, DMC, "Media re-use", R,
        "Before a device or disk is given to someone else, is it wiped (device and media disposal and re-use)?",
        "Devices are wiped before re-use and it is written down in the disposal log."),
    spec("PHY-09", "164.310(d)(2)(iii)", PHY, DMC, "Accountability", A,
        "Do you know where each device and disk with patient information is, and who has it?",
        "The asset list in this assessment, kept current."),
    spec("PHY-10", "164.310(d)(2)(iv)", PHY, DMC, "Data backup and storage", A,
        "Before moving equipment, do you make a copy of the data on it?",
        "A backup is taken before a server or laptop is moved or repaired."),
    spec("TEC-01", "164.312(a)(2)(i)", TEC, AC, "Unique user identification", R,
        "Does every person sign in with their own account?",
        "One account per person, no shared logins such as 'frontdesk'."),
    spec("TEC-02", "164.312(a)(2)(ii)", TEC, AC, "Emergency access procedure", R,
        "In an emergency, can a clinician reach a chart they normally cannot, in a controlled way?",
        "Break glass with a stated reason, time-limited, reported to the compliance officer."),
    spec("TEC-03", "164.312(a)(2)(iii)", TEC, AC, "Automatic logoff", A,
        "Do sessions end by themselves when someone walks away?",
        "Sessions end after 15 idle minutes or less."),
    spec("TEC-04", "164.312(a)(2)(iv)", TEC, AC, "Encryption and decryption", A,
        "Is patient information encrypted where it is stored?",
        "Records encrypted in the database and on disk; the key kept apart, readable only by the service."),
    spec("TEC-05", "164.312(b)", TEC, "Audit controls [164.312(b)]", STANDARD_ONLY, R,
        "Is every look at and change to patient information recorded?",
        "A tamper-evident audit trail, verified daily."),
    spec("TEC-06", "164.312(c)(2)", TEC, "Integrity [164.312(c)(1)]", "Mechanism to authenticate electronic PHI", A,
        "Would you notice if patient information were changed or destroyed without permission?",
        "Authenticated encryption on every record and a verified audit chain."),
    spec("TEC-07", "164.312(d)", TEC, "Person or entity authentication [164.312(d)]", STANDARD_ONLY, R,
        "Do you make sure the person signing in is who they say they are?",
        "Passwords plus a second step (an authenticator app) on every account that can see patient information."),
    spec("TEC-08", "164.312(e)(2)(i)", TEC, TS, "Integrity controls", A,
        "Is patient information protected from being changed while it travels over a network?",
        "Only TLS connections, which detect tampering."),
    spec("TEC-09", "164.312(e)(2)(ii)", TEC, TS, "Encryption", A,
        "Is patient information encrypted when it travels over a network?",
        "TLS on every connection to Carekeep; email with PHI only through a relay under a BAA."),
    spec("ORG-01", "164.314(a)(2)(i)", ORG, BAC, "Business associate contracts (BA complies with Subpart C; flows terms down to subcontractors; reports security incidents incl. breaches per 164.410)", R,
        "Do your BAAs require the vendor to protect the data, bind their subcontractors and report incidents to you?",
        "Every BAA on file has those terms (most vendors' standard BAAs do; check)."),
    spec("ORG-02", "164.314(a)(2)(ii)", ORG, BAC, "Other arrangements (satisfy 164.504(e)(3), e.g. MOU between government entities)", R,
        "Is the clinic a government body relying on an agreement other than a BAA?",
        "Private clinics answer not applicable."),
    spec("ORG-03", "164.314(a)(2)(iii)", ORG, BAC, "Business associate contracts with subcontractors (same terms apply BA-to-subcontractor)", R,
        "Do your vendors pass the same terms to their own subcontractors that handle your data?",
        "Each vendor's subcontractors are listed and their BAA says the terms flow down."),
    spec("ORG-04", "164.314(b)(2)(i)", ORG, GHP, "Plan documents: plan sponsor implements administrative, physical and technical safeguards for ePHI", R,
        "Is the clinic a group health plan?",
        "A clinic that is not a group health plan answers not applicable."),
    spec("ORG-05", "164.314(b)(2)(ii)", ORG, GHP, "Plan documents: adequate separation (164.504(f)(2)(iii)) supported by security measures", R,
        "Group health plans only: is the plan kept separate from the employer?",
        "A clinic that is not a group health plan answers not applicable."),
    spec("ORG-06", "164.314(b)(2)(iii)", ORG, GHP, "Plan documents: sponsor's agents agree to implement security measures", R,
        "Group health plans only: do the sponsor's agents agree to protect the data?",
        "A clinic that is not a group health plan answers not applicable."),
    spec("ORG-07", "164.314(b)(2)(iv)", ORG, GHP, "Plan documents: sponsor reports security incidents to the plan", R,
        "Group health plans only: does the sponsor report incidents to the plan?",
        "A clinic that is not a group health plan answers not applicable."),
    spec("DOC-01", "164.316(a)", DOC, "Policies and procedures [164.316(a)]", STANDARD_ONLY, R,
        "Are your security policies and procedures written down?",
        "The policy set is adopted in Carekeep, each with an approver and an effective date."),
    spec("DOC-02", "164.316(b)(2)(i)", DOC, DOCS, "Time limit (retain 6 years from creation or date last in effect, whichever is later)", R,
        "Do you keep policies, assessments and records of actions for six years?",
        "Nothing in the program is deleted; old versions stay readable for six years."),
    spec("DOC-03", "164.316(b)(2)(ii)", DOC, DOCS, "Availability (to persons responsible for implementing the procedures)", R,
        "Can the staff who must follow the policies read them?",
        "Every policy is in the app for every login to read and acknowledge."),
    spec("DOC-04", "164.316(b)(2)(iii)", DOC, DOCS, "Updates (review periodically; update after environmental or operational changes)", R,
        "Do you review the policies regularly and after changes?",
        "Every policy reviewed within the last 12 months and after any significant change."),
];

/// The row with this id.
pub fn by_id(id: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table is the reference CSV, row for row: id, CFR paragraph, safeguard, standard,
    /// specification and R/A.
    #[test]
    fn matches_the_reference_csv() {
        let csv = include_str!("security-rule-specs.csv");
        let mut rows = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
        let mut n = 0;
        for (row, spec) in rows.records().zip(SPECS.iter()) {
            let row = row.unwrap();
            assert_eq!(
                (&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]),
                (
                    spec.id,
                    spec.cfr,
                    spec.safeguard,
                    spec.standard,
                    spec.title,
                    if spec.required { "R" } else { "A" }
                ),
            );
            n += 1;
        }
        assert_eq!(n, 53);
        let required = SPECS.iter().filter(|s| s.required).count();
        assert_eq!((required, 53 - required), (31, 22), "R/A counts from the rule");
    }
}
