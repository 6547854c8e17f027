//! The clinic's set-up path (issue 25): its details, which fill the blanks of the notice, the
//! policies and the letters, and the order in which a new clinic's owner is guided.
//!
//! A blank in a template is written `[[what goes here]]`, in words a person reads. A notice or
//! a policy with a blank left in it is not adopted or published: 164.520(b)(1)(vii) requires
//! the notice to name a contact and a telephone number, and 164.530(i)(1) and 164.316(a) ask
//! for policies that fit the clinic, which a blank does not.

use crate::records::patient::{display_phone, normalize_phone};

/// The clinic's details as the owner typed them; an empty field is not filled yet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClinicDetails {
    pub legal_name: String,
    /// Street, city, state and ZIP, on one or more lines.
    pub address: String,
    /// Ten digits for a US number (`normalize_phone`); shown as `(555) 201-3344`.
    pub phone: String,
    /// Empty when the clinic has no website.
    pub website: String,
    /// Who answers privacy questions (164.530(a)(1)(ii)): a name or a title.
    pub privacy_contact: String,
}

/// A blank the details fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blank {
    LegalName,
    Address,
    Phone,
    Website,
    PrivacyContact,
}

impl Blank {
    pub const ALL: [Blank; 5] = [
        Blank::LegalName,
        Blank::Address,
        Blank::Phone,
        Blank::Website,
        Blank::PrivacyContact,
    ];

    /// The blank as written in a template.
    pub fn token(self) -> &'static str {
        match self {
            Blank::LegalName => "[[clinic's legal name]]",
            Blank::Address => "[[clinic's address]]",
            Blank::Phone => "[[clinic's phone number]]",
            Blank::Website => "[[clinic's website]]",
            Blank::PrivacyContact => "[[who answers privacy questions]]",
        }
    }

    fn value(self, d: &ClinicDetails) -> String {
        match self {
            Blank::LegalName => d.legal_name.trim().to_owned(),
            Blank::Address => d.address.trim().replace('\n', ", "),
            Blank::Phone => display_phone(d.phone.trim()),
            Blank::Website => d.website.trim().to_owned(),
            Blank::PrivacyContact => d.privacy_contact.trim().to_owned(),
        }
    }
}

/// `text` with every blank the details can fill filled in; blanks without a value stay.
pub fn fill(text: &str, d: &ClinicDetails) -> String {
    let mut out = text.to_owned();
    for b in Blank::ALL {
        let v = b.value(d);
        if !v.is_empty() && out.contains(b.token()) {
            out = out.replace(b.token(), &v);
        }
    }
    out
}

/// The blanks left in `text`, in the words written inside them, each once, in order: the
/// known ones and any other `[[...]]` a template carries.
pub fn blanks_left(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("[[") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("]]") else { break };
        let words = after[..end].trim().to_owned();
        if !words.is_empty() && !words.contains('\n') && !out.contains(&words) {
            out.push(words);
        }
        rest = &after[end + 2..];
    }
    out
}

/// The refusal for a template with blanks left (`what` is "the notice", "this policy"), or
/// `None` when every blank is filled.
pub fn refuse_blanks(what: &str, text: &str) -> Option<String> {
    let left = blanks_left(text);
    if left.is_empty() {
        return None;
    }
    let named: Vec<String> = left.iter().map(|w| format!("“{w}”")).collect();
    Some(format!(
        "{what} still has a blank to fill: {} (type it in, or fill the clinic's details under Set-up)",
        named.join(", ")
    ))
}

/// A problem with the typed details: the field and what to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetailsProblem {
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: &str) -> DetailsProblem {
    DetailsProblem {
        field,
        message: message.to_owned(),
    }
}

/// Checks typed details and returns them tidied (the phone as its digits). The legal name, the
/// address, the phone and who answers privacy questions are needed: the notice names them
/// (164.520(b)(1)(vii)); the website may be empty.
pub fn check_details(d: &ClinicDetails) -> Result<ClinicDetails, DetailsProblem> {
    let legal_name = d.legal_name.trim();
    if legal_name.chars().count() < 2 {
        return Err(problem(
            "legal_name",
            "the legal name is needed, as on the clinic's papers",
        ));
    }
    let address = d.address.trim();
    if address.chars().count() < 8 || !address.chars().any(|c| c.is_ascii_digit()) {
        return Err(problem(
            "address",
            "the address needs the street, city, state and ZIP code",
        ));
    }
    let phone = normalize_phone(d.phone.trim()).map_err(|e| problem("phone", &format!("the phone number: {e}")))?;
    if phone.len() != 10 {
        return Err(problem(
            "phone",
            "the phone number needs 10 digits with the area code, like (555) 201-3344",
        ));
    }
    let website = d.website.trim();
    let bare = website
        .strip_prefix("https://")
        .or_else(|| website.strip_prefix("http://"))
        .unwrap_or(website);
    if !website.is_empty()
        && (!bare.contains('.') || bare.contains(char::is_whitespace) || bare.starts_with('.') || bare.contains("[["))
    {
        return Err(problem(
            "website",
            "the website should look like www.example.com, or stay empty",
        ));
    }
    let contact = d.privacy_contact.trim();
    if contact.chars().count() < 2 {
        return Err(problem(
            "privacy_contact",
            "say who answers privacy questions: a name or a title, like \"Dana Reyes, office manager\"",
        ));
    }
    if [legal_name, address, contact].iter().any(|v| v.contains("[[")) {
        return Err(problem("legal_name", "the details cannot contain [[ ]] blanks"));
    }
    Ok(ClinicDetails {
        legal_name: legal_name.to_owned(),
        address: address.to_owned(),
        phone,
        website: website.to_owned(),
        privacy_contact: contact.to_owned(),
    })
}

/// Whether the details are complete enough to fill every blank a template needs.
pub fn complete(d: &ClinicDetails) -> bool {
    check_details(d).is_ok()
}

/// The steps of the set-up path, in the order a new clinic's owner takes them. The risk
/// assessment comes last because it reads everything before it (164.308(a)(1)(ii)(A)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    ClinicDetails,
    Network,
    Staff,
    Vendors,
    Policies,
    Training,
    Notice,
    Backups,
    RiskAssessment,
}

impl Step {
    pub const ALL: [Step; 9] = [
        Step::ClinicDetails,
        Step::Network,
        Step::Staff,
        Step::Vendors,
        Step::Policies,
        Step::Training,
        Step::Notice,
        Step::Backups,
        Step::RiskAssessment,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Step::ClinicDetails => "Clinic details",
            Step::Network => "Network and secure connections",
            Step::Staff => "Staff and their sign-ins",
            Step::Vendors => "Vendors and their agreements",
            Step::Policies => "Policies",
            Step::Training => "Training",
            Step::Notice => "Notice of Privacy Practices",
            Step::Backups => "Backups",
            Step::RiskAssessment => "Security risk assessment",
        }
    }

    /// What the step asks of the owner, in a sentence.
    pub fn what(self) -> &'static str {
        match self {
            Step::ClinicDetails => "The clinic's legal name, address, phone, website, time zone and who answers privacy questions. They fill the notice, the policies and every letter.",
            Step::Network => "How the clinic's other computers reach Carekeep, over a secure connection.",
            Step::Staff => "One account per person with their roles, each with two-step sign-in.",
            Step::Vendors => "The companies that handle patient information, each with a business associate agreement.",
            Step::Policies => "Adopt the written policies, and have staff acknowledge them.",
            Step::Training => "Everyone on the roster takes the course.",
            Step::Notice => "Publish the notice and post it in the office.",
            Step::Backups => "Nightly encrypted backups, with a restore tested.",
            Step::RiskAssessment => "Last, because it reads everything before it: review and finalize the assessment.",
        }
    }

    /// The dashboard rows that must all be done for the step to be done (the clinic details
    /// and the network are facts of their own).
    pub fn rows(self) -> &'static [&'static str] {
        match self {
            Step::ClinicDetails | Step::Network => &[],
            Step::Staff => &["accounts", "mfa"],
            Step::Vendors => &["vendors"],
            Step::Policies => &["breach_plan", "policies"],
            Step::Training => &["training"],
            Step::Notice => &["npp"],
            Step::Backups => &["backups"],
            Step::RiskAssessment => &["sra", "remediation"],
        }
    }
}

/// One step's place on the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub number: usize,
    pub step: Step,
    pub done: bool,
    /// The first step not done: where the owner goes next.
    pub next: bool,
}

/// The path from what is done: `details` and `network` are whether those two are settled;
/// `row_done(key)` whether a dashboard row is done (a row not on the dashboard counts as done,
/// so a row the clinic does not have never holds the path up).
pub fn path(details: bool, network: bool, row_done: impl Fn(&str) -> bool) -> Vec<Place> {
    let mut next_given = false;
    Step::ALL
        .iter()
        .enumerate()
        .map(|(i, &step)| {
            let done = match step {
                Step::ClinicDetails => details,
                Step::Network => network,
                s => s.rows().iter().all(|k| row_done(k)),
            };
            let next = !done && !next_given;
            next_given |= next;
            Place {
                number: i + 1,
                step,
                done,
                next,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details() -> ClinicDetails {
        ClinicDetails {
            legal_name: "Lakeside Medspa LLC".into(),
            address: "12 Shore Rd\nAustin, TX 78701".into(),
            phone: "(512) 555-0100".into(),
            website: "lakesidemedspa.com".into(),
            privacy_contact: "Dana Reyes, office manager".into(),
        }
    }

    /// 164.520(b)(1)(vii): the notice names a contact and a phone number; a blank left is
    /// named in the refusal, every one of them, in the words written in it.
    #[test]
    fn blanks_are_filled_or_named() {
        let text = "Contact [[who answers privacy questions]] at [[clinic's phone number]]. [[clinic's phone number]]";
        let cases: &[(ClinicDetails, &[&str], &str)] = &[
            (
                ClinicDetails::default(),
                &["who answers privacy questions", "clinic's phone number"],
                "",
            ),
            (
                ClinicDetails {
                    phone: "5125550100".into(),
                    ..ClinicDetails::default()
                },
                &["who answers privacy questions"],
                "(512) 555-0100",
            ),
            (
                ClinicDetails {
                    phone: "5125550100".into(),
                    privacy_contact: "Dana".into(),
                    ..ClinicDetails::default()
                },
                &[],
                "Contact Dana at (512) 555-0100. (512) 555-0100",
            ),
        ];
        for (d, left, contains) in cases {
            let filled = fill(text, d);
            assert_eq!(blanks_left(&filled), left.to_vec(), "{filled}");
            assert!(filled.contains(contains), "{filled}");
            assert_eq!(refuse_blanks("the notice", &filled).is_none(), left.is_empty());
        }
        let refused = refuse_blanks("the notice", text).unwrap_or_default();
        assert!(refused.contains("“clinic's phone number”"), "{refused}");
        // A blank the clinic wrote itself is named too; a lone "[[" is not a blank.
        assert_eq!(blanks_left("Call [[the front desk]] or [[ "), vec!["the front desk"]);
        assert_eq!(blanks_left("no blanks"), Vec::<String>::new());
    }

    /// 164.520(b)(1)(vii) and 164.530(a)(1)(ii): the notice needs the contact and a phone.
    #[test]
    fn details_are_checked_field_by_field() {
        assert_eq!(check_details(&details()).map(|d| d.phone), Ok("5125550100".to_owned()));
        type Change = fn(&mut ClinicDetails);
        let cases: &[(Change, &str)] = &[
            (|d| d.legal_name = " ".into(), "legal_name"),
            (|d| d.address = "Austin".into(), "address"),
            (|d| d.phone = "555-0100".into(), "phone"),
            (|d| d.phone = "call us".into(), "phone"),
            (|d| d.website = "lakeside".into(), "website"),
            (|d| d.privacy_contact = "".into(), "privacy_contact"),
            (|d| d.legal_name = "[[clinic's legal name]]".into(), "legal_name"),
        ];
        for (change, field) in cases {
            let mut d = details();
            change(&mut d);
            assert_eq!(check_details(&d).map_err(|p| p.field), Err(*field), "{d:?}");
        }
        let mut no_site = details();
        no_site.website = String::new();
        assert!(complete(&no_site));
        assert!(!complete(&ClinicDetails::default()));
    }

    /// The path is numbered in order, the first open step is next, and the assessment is last
    /// (164.308(a)(1)(ii)(A) reads everything before it).
    #[test]
    fn the_path_goes_in_order() {
        let fresh = path(false, false, |_| false);
        assert_eq!(fresh.len(), 9);
        assert_eq!(fresh.iter().filter(|p| p.next).count(), 1);
        assert!(fresh[0].next && fresh[0].step == Step::ClinicDetails);
        assert_eq!(fresh[8].step, Step::RiskAssessment);
        assert_eq!(
            fresh.iter().map(|p| p.number).collect::<Vec<_>>(),
            (1..=9).collect::<Vec<_>>()
        );

        let some = path(true, false, |k| k == "vendors");
        assert!(some[0].done && some[1].next && some[3].done && !some[3].next);

        let staff_half = path(true, true, |k| k == "accounts");
        assert!(!staff_half[2].done && staff_half[2].next);

        let all = path(true, true, |_| true);
        assert!(all.iter().all(|p| p.done && !p.next));
    }
}
