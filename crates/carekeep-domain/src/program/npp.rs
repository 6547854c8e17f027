//! The Notice of Privacy Practices (164.520): a starting template with every required element
//! of 164.520(b)(1), written in plain language by Carekeep for a small provider, and a check that
//! an edited notice still carries each element.

/// 164.520(b)(1)(i): the header, word for word.
pub const HEADER: &str = "THIS NOTICE DESCRIBES HOW MEDICAL INFORMATION ABOUT YOU MAY BE USED AND DISCLOSED AND HOW YOU CAN GET ACCESS TO THIS INFORMATION. PLEASE REVIEW IT CAREFULLY.";

/// Each required element and a phrase an edited notice must keep for it (checked without
/// regard to case). The clinic may reword around them.
pub const ELEMENTS: &[(&str, &str, &str)] = &[
    ("164.520(b)(1)(i)", "the required header", HEADER),
    (
        "164.520(b)(1)(ii)(A)",
        "uses for treatment, payment and operations, with examples",
        "for treatment",
    ),
    (
        "164.520(b)(1)(ii)(B)",
        "other uses and disclosures without authorization",
        "without your written permission",
    ),
    (
        "164.520(b)(1)(ii)(E)",
        "uses that need authorization, and revoking it",
        "revoke",
    ),
    (
        "164.520(b)(1)(iv)(A)",
        "the right to request restrictions, and the self-pay case",
        "paid in full",
    ),
    ("164.520(b)(1)(iv)(B)", "confidential communications", "confidential"),
    ("164.520(b)(1)(iv)(C)", "inspecting and copying", "copy of your"),
    ("164.520(b)(1)(iv)(D)", "amendment", "correct"),
    ("164.520(b)(1)(iv)(E)", "an accounting of disclosures", "list of"),
    ("164.520(b)(1)(iv)(F)", "a paper copy of this notice", "paper copy"),
    (
        "164.520(b)(1)(v)(A)",
        "the duty to protect information and to notify after a breach",
        "breach",
    ),
    (
        "164.520(b)(1)(v)(B)",
        "following the notice in effect",
        "follow the terms",
    ),
    (
        "164.520(b)(1)(v)(C)",
        "the right to change the notice",
        "change this notice",
    ),
    (
        "164.520(b)(1)(vi)",
        "complaints to the clinic and to HHS, without retaliation",
        "Health and Human Services",
    ),
    ("164.520(b)(1)(vii)", "a contact person and phone number", "contact"),
    ("164.520(b)(1)(viii)", "the effective date", "effective"),
];

/// The elements an edited notice has lost: `(cite, what)`.
pub fn missing_elements(text: &str) -> Vec<(&'static str, &'static str)> {
    let lower = text.to_lowercase();
    ELEMENTS
        .iter()
        .filter(|(_, _, phrase)| !lower.contains(&phrase.to_lowercase()))
        .map(|(cite, what, _)| (*cite, *what))
        .collect()
}

/// The starting notice for `clinic`, with its contact and effective date filled in.
pub fn template(clinic: &str, contact: &str, phone: &str, effective: &str) -> String {
    format!(
        "{HEADER}

{clinic}: Notice of Privacy Practices. This notice is effective {effective}.

How we use and share your health information
- For treatment: to care for you and to work with other clinicians who treat you. Example: we send your medication list to a specialist you are referred to.
- For payment: to bill and be paid for your care. Example: we send diagnosis codes to your health plan.
- For our operations: to run the clinic and improve care. Example: we review charts to check the quality of our work.

We may also share your information without your written permission when the law allows or requires it: for public health and safety, to report abuse or neglect, for health oversight, in lawsuits and other legal proceedings, for law enforcement, to coroners and funeral directors, for organ donation, research under strict rules, to prevent a serious threat, for workers' compensation, and for specialized government functions.

We will never sell your information, use it for marketing, or share psychotherapy notes without your written permission. Any other use needs your written permission, and you may revoke it in writing at any time.

Your rights
- Ask us to limit what we use or share. We do not have to agree, but we must agree not to share information with your health plan about care you paid in full out of pocket, if you ask.
- Ask us to contact you in a confidential way, for example at another address or phone number.
- See or get a copy of your health record, on paper or electronically.
- Ask us to correct your record if you think it is wrong or incomplete.
- Get a list of those we shared your information with, for the six years before you ask.
- Get a paper copy of this notice at any time, even if you agreed to get it electronically.

Our duties
- We are required by law to keep your health information private, to give you this notice, and to notify you after a breach of your unsecured information.
- We must follow the terms of the notice currently in effect.
- We may change this notice, and the changes will apply to all information we have about you. The new notice will be available on request, in our office and on our website.

Complaints
If you think your privacy rights were violated, you may complain to us or to the U.S. Department of Health and Human Services, Office for Civil Rights. We will not retaliate against you for filing a complaint.

To ask a question, use your rights or complain, contact {contact} at {phone}."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 164.520(b)(1): the template carries every required element; removing one is caught.
    #[test]
    fn the_template_has_every_element() {
        let t = template("Lakeside Dental", "the privacy officer, Dana", "555-0100", "2026-12-01");
        assert_eq!(missing_elements(&t), vec![]);
        assert!(t.starts_with(HEADER));
        let no_header = t.replacen(HEADER, "About your privacy", 1);
        assert_eq!(
            missing_elements(&no_header),
            vec![("164.520(b)(1)(i)", "the required header")]
        );
        let no_hhs = t.replace("Health and Human Services", "the government");
        assert_eq!(missing_elements(&no_hhs).len(), 1);
    }
}
