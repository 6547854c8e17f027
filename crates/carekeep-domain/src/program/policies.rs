//! Written policies and procedures (164.316(a)-(b), 164.530(i)): the templates Carekeep starts a
//! clinic with, in plain language, and when a policy is due for review. The yearly review is the
//! clinic's schedule for 164.316(b)(2)(iii) ("review documentation periodically"); the law sets
//! no interval.

use super::dates::{recurring, Standing};
use time::Date;

/// Months between reviews: the clinic's policy.
pub const REVIEW_MONTHS: i32 = 12;

/// One starting template.
#[derive(Debug)]
pub struct Template {
    pub key: &'static str,
    pub title: &'static str,
    pub cite: &'static str,
    pub body: &'static str,
}

/// The key of the breach response plan, which the dashboard checks on its own.
pub const BREACH_RESPONSE: &str = "breach_response";

pub const TEMPLATES: &[Template] = &[
    Template {
        key: "access_control",
        title: "Access to patient information",
        cite: "164.308(a)(3)-(4), 164.312(a), 164.312(d)",
        body: "Every person who works at [[clinic's legal name]] has their own Carekeep login and never shares it.\n\nEach login gets the roles the person's job needs and no more. The owner grants roles when someone starts, changes them when their job changes, and removes access on their last day.\n\nEvery login that can see patient information uses two-step sign-in. Screens lock when we step away, and Carekeep signs out idle sessions.\n\nThe owner reviews the staff list and the access-monitoring findings at least monthly.",
    },
    Template {
        key: "workstation_use",
        title: "Computers, phones and workstations",
        cite: "164.310(b)-(c)",
        body: "Clinic computers are for clinic work. Screens that patients can see face away from the waiting area or have privacy filters.\n\nWe lock our screens whenever we leave them, keep systems updated, and never install software or connect devices the clinic did not provide.\n\nPatient information is never kept on personal phones or personal email.",
    },
    Template {
        key: "devices_media",
        title: "Devices, media and disposal",
        cite: "164.310(d)(1)-(2)",
        body: "The owner keeps a list of every device that holds patient information, with who has it and where it is.\n\nLaptops and phones that hold patient information are encrypted. Lost or stolen devices are reported the same day as a possible incident.\n\nBefore a device or drive leaves the clinic for repair, sale or recycling, it is wiped with a recognized tool or physically destroyed, and the disposal is recorded. Paper with patient information is shredded, never thrown away whole.",
    },
    Template {
        key: "email_phishing",
        title: "Email, texts and suspicious messages",
        cite: "164.308(a)(5)(ii)(A)-(B), 164.312(e)(1), 164.502(b)",
        body: "Patient information leaves the clinic only through the channels the clinic approved, to an address checked before sending. It is never sent to or kept in a personal email account, a personal phone or a personal cloud drive, not even our own, not even to work from home.\n\nMost break-ins start with a message that looks real. We do not click links or open attachments we did not expect, we type our passwords only into the clinic's own systems, and we check any request for money, gift cards, passwords or records with the sender by phone, on a number we already have.\n\nA message sent to the wrong person, a link clicked or a password typed where it should not have been is reported the same day through Report an incident in Carekeep. The compliance officer changes the password, checks the account and decides whether it is a breach. No one is blamed for reporting.",
    },
    Template {
        key: "phi_handling",
        title: "Handling patient information and minimum necessary",
        cite: "164.502(b), 164.514(d), 164.530(c)",
        body: "We use, look at and share only the patient information the task needs. Clinicians may share what another clinician needs to treat the patient.\n\nBefore sharing information we confirm who is asking and that they may have it, and we send only what was asked for, by the clinic's approved channels.\n\nWe speak quietly about patients and never discuss them where others can hear. Requests from patients about their own records go to the compliance officer the same day.",
    },
    Template {
        key: BREACH_RESPONSE,
        title: "Breach response plan",
        cite: "164.308(a)(6), 164.400-164.414, 164.530(f)",
        body: "Who is called first: anyone who suspects patient information was lost, stolen, seen or sent where it should not be tells the compliance officer, [[who answers privacy questions]], the same day, in person, by phone at [[clinic's phone number]] or through Report an incident in Carekeep. If the compliance officer is away, tell the owner.\n\nFirst hour: stop the harm if you safely can (recall the email, lock the account, disconnect the infected computer). Do not delete anything and do not investigate on your own.\n\nWho decides: the compliance officer records the incident, works out what happened and decides, with the owner, whether it is a reportable breach, using the risk assessment in Carekeep. The clock for notice starts on the day anyone here first knew.\n\nWhere the templates are: notice letters, the notice to HHS and the media notice are produced from the incident record in Carekeep.",
    },
    Template {
        key: "training",
        title: "Training",
        cite: "164.530(b), 164.308(a)(5)",
        body: "Every new person completes the course 'HIPAA for clinic staff' within 30 days of starting and before working alone with patient information, and again every 12 months.\n\nWhen a policy changes in a way that affects someone's work, they are told and acknowledge the new version.\n\nThe owner keeps the training records for six years.",
    },
    Template {
        key: "sanctions",
        title: "Sanctions",
        cite: "164.530(e), 164.308(a)(1)(ii)(C)",
        body: "Breaking these policies has consequences that fit what happened: a conversation and retraining for an honest mistake, a written warning, suspension or dismissal for careless or deliberate misuse, such as looking at a chart out of curiosity.\n\nEvery sanction is written down and kept for six years.\n\nNo one is sanctioned for reporting a problem in good faith, for filing a complaint, or for taking part in an investigation.",
    },
    Template {
        key: "contingency",
        title: "Contingency and backup",
        cite: "164.308(a)(7)",
        body: "Carekeep is backed up every night, encrypted, with a copy kept away from the clinic. A restore is tested at least weekly by Carekeep and checked by the owner monthly.\n\nIf the main computer fails or ransomware strikes, we restore the latest backup onto another machine and use it read-only to see schedules and charts until normal service is back.\n\nThe owner keeps the master key file and the backup key somewhere safe outside the clinic, and knows how to reach them in an emergency.",
    },
];

/// A policy's review standing: due twelve months after it was last approved or reviewed.
pub fn review(last: Option<Date>, today: Date) -> (Option<Date>, Standing) {
    recurring(last, REVIEW_MONTHS, today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// What attacks small clinics (issue 30 item 5): a policy covers phishing and never sending
    /// PHI to personal accounts, and so does the course (164.308(a)(5)(ii)(A)-(B)).
    #[test]
    fn phishing_and_personal_accounts_are_covered() {
        let policy = TEMPLATES.iter().find(|t| t.key == "email_phishing").unwrap();
        for words in ["personal email account", "links", "by phone", "reported the same day"] {
            assert!(policy.body.contains(words), "the policy says {words:?}");
        }
        let course: Vec<&str> = super::super::course::SECTIONS
            .iter()
            .flat_map(|s| s.paragraphs.iter().copied())
            .collect();
        assert!(course.iter().any(|p| p.contains("never your personal email")));
        assert!(super::super::course::SECTIONS
            .iter()
            .any(|s| s.title.starts_with("Phishing")));
    }

    #[test]
    fn templates_are_complete_and_unique() {
        let keys: std::collections::BTreeSet<&str> = TEMPLATES.iter().map(|t| t.key).collect();
        assert_eq!(keys.len(), TEMPLATES.len());
        assert!(keys.contains(BREACH_RESPONSE));
        assert!(TEMPLATES.iter().all(|t| !t.body.is_empty() && !t.cite.is_empty()));
    }

    /// Reviewed 366 days ago: overdue; 2028's leap day rolls to 28 February.
    #[test]
    fn reviews() {
        let today = date!(2026 - 11 - 22);
        assert_eq!(
            review(Some(date!(2025 - 11 - 21)), today),
            (Some(date!(2026 - 11 - 21)), Standing::Gap)
        );
        assert_eq!(review(Some(date!(2025 - 11 - 22)), today).1, Standing::DueSoon);
        assert_eq!(review(Some(date!(2026 - 06 - 01)), today).1, Standing::Done);
        assert_eq!(review(None, today), (None, Standing::Gap));
        assert_eq!(
            review(Some(date!(2028 - 02 - 29)), today).0,
            Some(date!(2029 - 02 - 28))
        );
    }
}
