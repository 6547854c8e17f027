//! The consent to do business electronically (E-SIGN, 15 U.S.C. 7001(c)(1)), asked once per
//! patient before the first electronic form and covering every form the clinic sends through
//! its portal or tablet (patients-and-messages.md 7.3, Design). The statement is shown before
//! the patient consents ((B), (C)(i)); consenting on the same screen that shows the forms is
//! the electronic consent that "reasonably demonstrates" access ((C)(ii)).

/// Raised when the statement's words change: a patient who consented to an earlier version is
/// asked again (7001(c)(1)(D) when the requirements change), and the version kept with each
/// consent and signature names the words that were shown. 2: the withdrawal procedure is the
/// portal's own page ((B)(iii)).
pub const VERSION: u32 = 2;

/// The portal page where a patient withdraws (7001(c)(1)(B)(iii): the procedure to withdraw).
pub const WITHDRAW_PATH: &str = "/portal/forms/esign";

/// The statement, paragraph by paragraph, with the part of 7001(c)(1) each one answers.
pub const STATEMENT: [(&str, &str); 6] = [
    (
        "7001(c)(1)(B)(ii)",
        "This consent covers every form, consent and authorization the clinic asks you to fill in and sign electronically, for as long as you are our patient, until you withdraw it.",
    ),
    (
        "7001(c)(1)(B)(i)",
        "You have the right to receive these forms on paper instead, and to sign them on paper at the front desk. You may withdraw this consent at any time, at no charge; withdrawing it only means we give you paper forms from then on, and it does not undo forms you already signed.",
    ),
    (
        "7001(c)(1)(B)(iii)",
        "To withdraw this consent, use \"Withdraw my consent\" on the \"Signing electronically\" page of this portal, linked from your forms page, or tell the front desk. To change the email address or mobile number we use to reach you, tell the front desk in person, by phone or in writing.",
    ),
    (
        "7001(c)(1)(B)(iv)",
        "You may ask for a paper copy of any form you signed electronically at any time, free of charge. You can also download each signed form as a PDF.",
    ),
    (
        "7001(c)(1)(C)(i)",
        "To fill in, sign and keep these forms you need a phone, tablet or computer with a current web browser (Chrome, Safari, Edge or Firefox), an internet connection, and a program that opens PDF files to keep a copy.",
    ),
    (
        "7001(c)(1)(C)(ii)",
        "By agreeing on this screen, where the forms will be shown, you confirm that you can read them in this electronic form.",
    ),
];

/// The words next to the button.
pub const AGREE: &str = "I agree to receive and sign my forms electronically";

/// Whether a consent on file (its version, and whether it was withdrawn) lets forms be signed
/// electronically now, or the statement must be shown and agreed to first (7001(c)(1)(A)).
pub fn in_effect(consented_version: Option<u32>, withdrawn: bool) -> bool {
    consented_version.is_some_and(|v| v >= VERSION) && !withdrawn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_answers_each_element_of_7001c1() {
        for cite in [
            "7001(c)(1)(B)(i)",
            "7001(c)(1)(B)(ii)",
            "7001(c)(1)(B)(iii)",
            "7001(c)(1)(B)(iv)",
            "7001(c)(1)(C)(i)",
            "7001(c)(1)(C)(ii)",
        ] {
            assert!(
                STATEMENT.iter().any(|(c, words)| *c == cite && !words.is_empty()),
                "{cite}"
            );
        }
    }

    #[test]
    fn consent_is_asked_once_and_again_only_when_withdrawn_or_outdated() {
        // (consented version, withdrawn, in effect): 7001(c)(1)(A) affirmative, not withdrawn.
        for (v, w, want) in [
            (None, false, false),
            (Some(VERSION), false, true),
            (Some(VERSION), true, false),
            (Some(0), false, false),
            // Agreed to an earlier statement: asked again with the new words.
            (Some(VERSION - 1), false, false),
        ] {
            assert_eq!(in_effect(v, w), want, "{v:?} {w}");
        }
    }
}
