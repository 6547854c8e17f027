//! The vendors a small clinic usually has, each with its BAA question asked in words (issue 25,
//! item 4), and the rule that turns the owner's answer into "BAA needed", "not needed
//! because ..." or "ask the vendor".
//!
//! The law: a vendor that creates, receives, maintains or transmits PHI for the clinic is a
//! business associate, and the clinic needs its written assurance first (45 CFR 164.502(e)(1),
//! 164.504(e), 164.308(b)(1)). A card processor that only authorizes, settles and reconciles
//! payments is outside HIPAA for that activity (HIPAA section 1179, 42 U.S.C. 1320d-8), but
//! becomes a business associate when it does more with PHI for the clinic: invoices describing
//! services, cards on file tied to patient records, payment plans, collections (HHS, 2000 Privacy
//! Rule preamble; 2013 Omnibus preamble, 78 FR 5566, 5575). An answer of "we don't know" is not
//! a "no": the vendor is treated as needing a BAA (fail closed) until someone asks.

use super::baa::PhiUse;

/// A kind of vendor on the guided list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Email,
    CardProcessor,
    CloudStorage,
    ItSupport,
    PhoneSms,
    AiTools,
    AnsweringService,
    Shredding,
    RecordsSystem,
}

/// The owner's answer to the kind's question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    DontKnow,
}

impl Answer {
    pub fn parse(s: &str) -> Option<Answer> {
        match s.trim() {
            "yes" => Some(Answer::Yes),
            "no" => Some(Answer::No),
            "unknown" => Some(Answer::DontKnow),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::DontKnow => "unknown",
        }
    }
}

/// What the rule decided, with the reason in words and its citation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    Needed(&'static str),
    NotNeeded(&'static str),
    /// Not known yet: handled as needed until the owner asks the vendor.
    Ask(&'static str),
}

impl Need {
    /// Whether the vendor record must carry a BAA (true for "ask": fail closed).
    pub fn baa_required(self) -> bool {
        !matches!(self, Need::NotNeeded(_))
    }
    pub fn words(self) -> &'static str {
        match self {
            Need::Needed(w) | Need::NotNeeded(w) | Need::Ask(w) => w,
        }
    }
}

const ASK: &str = "Ask the vendor; until you know, Carekeep treats it as needing a BAA (45 CFR 164.502(e)(1)).";

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Email,
        Kind::CardProcessor,
        Kind::CloudStorage,
        Kind::ItSupport,
        Kind::PhoneSms,
        Kind::AiTools,
        Kind::AnsweringService,
        Kind::Shredding,
        Kind::RecordsSystem,
    ];

    /// The form's field prefix.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::CardProcessor => "card",
            Kind::CloudStorage => "cloud",
            Kind::ItSupport => "it",
            Kind::PhoneSms => "phone",
            Kind::AiTools => "ai",
            Kind::AnsweringService => "answering",
            Kind::Shredding => "shredding",
            Kind::RecordsSystem => "records",
        }
    }

    /// What it is, as the list shows it; also the vendor record's service.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Email => "Email",
            Kind::CardProcessor => "Card processor",
            Kind::CloudStorage => "Cloud storage",
            Kind::ItSupport => "IT support",
            Kind::PhoneSms => "Phone and text messages",
            Kind::AiTools => "AI tools",
            Kind::AnsweringService => "Answering service",
            Kind::Shredding => "Shredding",
            Kind::RecordsSystem => "Records system",
        }
    }

    /// The vendor record's service, naming the exemption when one applies.
    pub fn service(self, need: Need) -> &'static str {
        match (self, need) {
            (Kind::CardProcessor, Need::NotNeeded(_)) => "Card processor, payments only (HIPAA section 1179: no BAA)",
            _ => self.label(),
        }
    }

    /// An example, to help the owner recognize it.
    pub fn example(self) -> &'static str {
        match self {
            Kind::Email => "e.g. Google Workspace, Microsoft 365",
            Kind::CardProcessor => "e.g. Square, Stripe, your bank's card terminal",
            Kind::CloudStorage => "e.g. Dropbox, Google Drive, OneDrive, an off-site backup",
            Kind::ItSupport => "the person or company that looks after your computers",
            Kind::PhoneSms => "e.g. RingCentral, Twilio, your phone company's texting",
            Kind::AiTools => "e.g. a note-taking or transcription assistant, ChatGPT",
            Kind::AnsweringService => "who answers the phone after hours",
            Kind::Shredding => "who collects and destroys paper and old disks",
            Kind::RecordsSystem => "another charting or imaging system you use beside Carekeep",
        }
    }

    /// The BAA question, in words.
    pub fn question(self) -> &'static str {
        match self {
            Kind::Email => "Do staff send or receive anything about patients by this email (appointments, forms, results, photos)?",
            Kind::CardProcessor => "Does it only run card payments (charge, settle, refund)? Answer no if it also sends invoices that describe services, keeps cards on file linked to patients, runs payment plans or collects debts for you.",
            Kind::CloudStorage => "Is any file about a patient stored there, backups included?",
            Kind::ItSupport => "Can they reach the computers, disks or accounts that hold patient information, even only to fix them?",
            Kind::PhoneSms => "Do reminders, calls or messages with patients go through it?",
            Kind::AiTools => "Does anyone type, paste, dictate or upload anything about a patient into it?",
            Kind::AnsweringService => "Does it take calls or messages from patients?",
            Kind::Shredding => "Does it collect papers, disks or devices that hold patient information?",
            Kind::RecordsSystem => "Does it keep anything about patients (charts, images, forms)?",
        }
    }

    /// Which way the question points: for the card processor, "yes" (payments only) means no
    /// BAA; for every other kind, "yes" means the vendor handles PHI.
    fn yes_means_phi(self) -> bool {
        self != Kind::CardProcessor
    }

    /// What the vendor does with PHI when it handles it, for the vendor record.
    pub fn phi_use(self) -> PhiUse {
        let (creates, receives, maintains, transmits) = match self {
            Kind::Email => (false, true, true, true),
            Kind::CardProcessor => (false, true, true, false),
            Kind::CloudStorage => (false, true, true, false),
            Kind::ItSupport => (false, true, false, false),
            Kind::PhoneSms => (false, true, true, true),
            Kind::AiTools => (true, true, true, false),
            Kind::AnsweringService => (true, true, true, true),
            Kind::Shredding => (false, true, false, false),
            Kind::RecordsSystem => (true, true, true, true),
        };
        PhiUse {
            creates,
            receives,
            maintains,
            transmits,
            conduit_only: false,
        }
    }
}

/// Whether this vendor needs a BAA, from the owner's answer to its question.
pub fn decide(kind: Kind, answer: Answer) -> Need {
    let handles_phi = match (answer, kind.yes_means_phi()) {
        (Answer::DontKnow, _) => return Need::Ask(ASK),
        (Answer::Yes, true) | (Answer::No, false) => true,
        (Answer::No, true) | (Answer::Yes, false) => false,
    };
    match (kind, handles_phi) {
        (Kind::CardProcessor, false) => Need::NotNeeded(
            "Not needed: a processor that only runs card payments is outside HIPAA for that work (HIPAA section 1179, 42 U.S.C. 1320d-8). Send it amounts and an invoice number only, never what the visit was for.",
        ),
        (Kind::CardProcessor, true) => Need::Needed(
            "Needed: invoices describing services, cards on file tied to patients, payment plans or collections are work for the clinic with patient information, beyond payment processing (45 CFR 164.502(e)(1); HHS, 78 FR 5566, 5575).",
        ),
        (Kind::AiTools, false) => Need::NotNeeded(
            "Not needed while nothing about a patient goes into it (45 CFR 164.502(e)(1)). Tell staff so in writing: pasting a note into it would need a BAA first.",
        ),
        (_, false) => Need::NotNeeded(
            "Not needed: it does not create, receive, keep or send patient information for the clinic (45 CFR 164.502(e)(1)).",
        ),
        (Kind::CloudStorage | Kind::Email | Kind::PhoneSms, true) => Need::Needed(
            "Needed: it keeps copies of patient information, so it is a business associate, not a mere conduit (45 CFR 164.502(e)(1), 164.504(e)).",
        ),
        (_, true) => Need::Needed(
            "Needed: it creates, receives, keeps or sends patient information for the clinic, so it is a business associate (45 CFR 164.502(e)(1), 164.504(e)).",
        ),
    }
}

/// The vendor record's PHI use for an answer: the kind's use when a BAA is needed or not known
/// (fail closed), none when it is not needed.
pub fn record_use(kind: Kind, need: Need) -> PhiUse {
    if need.baa_required() {
        kind.phi_use()
    } else {
        PhiUse::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baa_question_decides_in_words_with_the_citation() {
        use Answer::*;
        // (kind, answer, baa required, words contain)
        let cases = [
            // HIPAA section 1179: payments only, no BAA.
            (Kind::CardProcessor, Yes, false, "section 1179"),
            // Beyond payments (invoices, cards on file, plans): a business associate.
            (Kind::CardProcessor, No, true, "78 FR 5566"),
            (Kind::CardProcessor, DontKnow, true, "Ask the vendor"),
            (Kind::Email, Yes, true, "not a mere conduit"),
            (Kind::Email, No, false, "164.502(e)(1)"),
            (Kind::CloudStorage, Yes, true, "164.504(e)"),
            (Kind::ItSupport, Yes, true, "business associate"),
            (Kind::ItSupport, No, false, "does not create"),
            (Kind::PhoneSms, Yes, true, "keeps copies"),
            (Kind::AiTools, Yes, true, "business associate"),
            (Kind::AiTools, No, false, "Tell staff"),
            (Kind::AnsweringService, Yes, true, "164.502(e)(1)"),
            (Kind::Shredding, Yes, true, "business associate"),
            (Kind::RecordsSystem, DontKnow, true, "Ask the vendor"),
            (Kind::RecordsSystem, No, false, "does not create"),
        ];
        for (kind, answer, required, words) in cases {
            let need = decide(kind, answer);
            assert_eq!(need.baa_required(), required, "{kind:?} {answer:?}");
            assert!(need.words().contains(words), "{kind:?} {answer:?}: {}", need.words());
            assert_eq!(record_use(kind, need).needs_baa(), required, "{kind:?} {answer:?}");
        }
        for kind in Kind::ALL {
            assert!(matches!(decide(kind, DontKnow), Need::Ask(_)));
            assert!(kind.phi_use().needs_baa(), "{kind:?} handling PHI is never a conduit");
            assert!(kind.question().ends_with('?') || kind.question().ends_with('.'));
        }
    }

    #[test]
    fn answers_read_back() {
        for a in [Answer::Yes, Answer::No, Answer::DontKnow] {
            assert_eq!(Answer::parse(a.as_str()), Some(a));
        }
        assert_eq!(Answer::parse("maybe"), None);
    }
}
