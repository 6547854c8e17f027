//! The built-in course "HIPAA for clinic staff" and its quiz (164.530(b)(1) training on the
//! clinic's privacy policies and the breach rule; 164.308(a)(5) security awareness: reminders,
//! malicious software, log-in monitoring, passwords). Written by Carekeep for small clinics.

/// One part of the course.
#[derive(Debug)]
pub struct Section {
    pub title: &'static str,
    pub paragraphs: &'static [&'static str],
}

/// One quiz question: the choices and the index of the right one, and why.
#[derive(Debug)]
pub struct Question {
    pub text: &'static str,
    pub choices: &'static [&'static str],
    pub answer: usize,
    pub why: &'static str,
}

pub const TITLE: &str = "HIPAA for clinic staff";

/// A pass needs this share of right answers: the clinic's policy, not a regulatory number.
pub const PASS_PERCENT: u32 = 80;

pub const SECTIONS: &[Section] = &[
    Section {
        title: "What counts as PHI, and what does not",
        paragraphs: &[
            "Protected health information (PHI) is anything that ties a person to their health, their care or their payments for care: a name on a schedule, a phone number in a chart, a photo of a treatment area, an invoice, even the fact that someone is our patient.",
            "It is PHI whether it is on a screen, on paper, in an email, on a sticky note or said out loud at the front desk.",
            "Information that identifies nobody is not PHI. Neither is your own record as an employee, such as your timesheet. When in doubt, treat it as PHI.",
        ],
    },
    Section {
        title: "Minimum necessary: only what your job needs",
        paragraphs: &[
            "Look at, use and share only the patient information you need for the task in front of you. The front desk needs names, contact details and appointments, not clinical notes. Billing needs codes and amounts, not the story of the visit.",
            "Carekeep shows each of us only what our role needs, and records every chart we open. Opening the chart of a neighbour, a relative, a colleague or a celebrity out of curiosity is a violation, even if you tell no one.",
            "Treatment is the exception to minimum necessary between clinicians: a provider may share what another provider needs to treat the patient.",
        ],
    },
    Section {
        title: "Passwords, two-step sign-in and your screen",
        paragraphs: &[
            "Your account is yours alone. Never share it, and never use someone else's, even for a moment. Everything done under your name is recorded as yours.",
            "Use a long password you do not use anywhere else; a short sentence works well. Keep the authenticator on your phone to yourself, and tell the owner at once if you lose the phone.",
            "Lock your screen when you step away (Windows key + L). Carekeep signs you out after a few idle minutes, but do not rely on that when a patient is at the desk.",
        ],
    },
    Section {
        title: "Phishing and malicious software",
        paragraphs: &[
            "Most break-ins start with an email or a text that looks real: a delivery notice, a password reset, an invoice, a message that seems to come from the owner asking for something urgent.",
            "Do not click links or open attachments you did not expect. Never type your Carekeep password anywhere but the clinic's own Carekeep address. If a message asks for money, gift cards or passwords, check with the sender by phone first.",
            "Do not install programs or plug in USB drives you were not given by the clinic. Report anything odd on your computer straight away: a reported click is cheap; a hidden one can be a ransomware attack.",
        ],
    },
    Section {
        title: "Sharing information the right way",
        paragraphs: &[
            "Before you give out patient information, check who is asking and that they are allowed to have it. Ask for identification, call back on a number you already have, and send only what was asked for.",
            "Check the address before you send an email or a fax: a wrong digit is one of the commonest breaches. Use the clinic's approved way of sending records, never your personal email or phone.",
            "Patients have rights over their own records: to see and get a copy, to ask for corrections, and to ask who we shared their information with. Pass such requests to the compliance officer the same day; the law gives us deadlines.",
        ],
    },
    Section {
        title: "When something goes wrong",
        paragraphs: &[
            "A lost laptop or phone, a letter sent to the wrong patient, a chart opened by mistake, a suspicious email you clicked: report it the same day, using Report an incident in Carekeep or by telling the compliance officer.",
            "Reporting is not a confession and you will not be punished for reporting in good faith. The clock for notifying patients starts when any of us knows, so a delay can turn a small problem into a serious one.",
            "Do not try to investigate or fix it yourself, and do not delete anything. The compliance officer decides whether it is a reportable breach.",
        ],
    },
];

pub const QUIZ: &[Question] = &[
    Question {
        text: "Which of these is PHI?",
        choices: &["A patient's phone number on the appointment list", "The clinic's opening hours", "Your own timesheet"],
        answer: 0,
        why: "A phone number tied to a patient of the clinic identifies someone in connection with their care.",
    },
    Question {
        text: "Your neighbour was seen yesterday. You are curious how she is doing. May you open her chart?",
        choices: &["Yes, I have access to it", "Only if I do not tell anyone", "No, my job does not need it"],
        answer: 2,
        why: "Minimum necessary: access is for the task in front of you, and every opening is recorded.",
    },
    Question {
        text: "A colleague forgot her authenticator and asks to use your login for a minute. What do you do?",
        choices: &["Let her, it is only a minute", "Refuse, and point her to the owner to reset her sign-in", "Sign in for her and watch what she does"],
        answer: 1,
        why: "Accounts are never shared; everything done under your name is yours.",
    },
    Question {
        text: "An email from 'the owner' asks you to buy gift cards urgently and send the codes. What is this most likely?",
        choices: &["A normal request", "Phishing: check with the owner by phone", "A reason to reply with your password"],
        answer: 1,
        why: "Urgent requests for money or codes are a classic phishing pattern.",
    },
    Question {
        text: "You faxed a lab result to the wrong number. When should you report it?",
        choices: &["The same day", "Only if the patient complains", "At the end of the month"],
        answer: 0,
        why: "The notification clock starts when anyone at the clinic knows.",
    },
    Question {
        text: "You step away from the front desk for a moment. What should you do with your screen?",
        choices: &["Nothing, Carekeep will sign me out eventually", "Lock it", "Turn the monitor towards the wall"],
        answer: 1,
        why: "Lock the screen whenever you leave it; the automatic sign-out is a backstop.",
    },
    Question {
        text: "A caller says they are a patient's son and asks for her test results. What do you do first?",
        choices: &["Read them out, he sounds worried", "Check who he is and whether he may have them", "Email them to any address he gives"],
        answer: 1,
        why: "Verify identity and authority before sharing anything.",
    },
    Question {
        text: "A patient asks for a copy of her records. What do you do?",
        choices: &["Tell her records are only for the clinic", "Pass the request to the compliance officer the same day", "Wait until she asks twice"],
        answer: 1,
        why: "Patients have a right of access, with a legal deadline.",
    },
];

/// The result of a quiz: right answers, out of how many, the percentage, and whether it passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuizResult {
    pub right: u32,
    pub total: u32,
    pub percent: u32,
    pub passed: bool,
}

/// Scores answers (one per question, `None` when left blank).
pub fn score(answers: &[Option<usize>]) -> QuizResult {
    let total = u32::try_from(QUIZ.len()).unwrap_or(u32::MAX);
    let right = u32::try_from(
        QUIZ.iter()
            .zip(answers.iter().chain(std::iter::repeat(&None)))
            .filter(|(q, a)| **a == Some(q.answer))
            .count(),
    )
    .unwrap_or(0);
    let percent = (right * 100).checked_div(total).unwrap_or(0);
    QuizResult {
        right,
        total,
        percent,
        passed: percent >= PASS_PERCENT,
    }
}

/// A question answered wrongly (or left blank): what was chosen, the right answer, and the
/// course's one-line reason, so a person who did not pass learns what to read again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mistake {
    /// The question's number as the page shows it (from 1).
    pub number: usize,
    pub question: &'static str,
    /// The chosen answer's words; `None` when left blank.
    pub chosen: Option<&'static str>,
    pub right: &'static str,
    pub why: &'static str,
}

/// The questions `answers` got wrong, in the quiz's order. An answer that is not one of the
/// choices counts as blank.
pub fn mistakes(answers: &[Option<usize>]) -> Vec<Mistake> {
    QUIZ.iter()
        .zip(answers.iter().chain(std::iter::repeat(&None)))
        .enumerate()
        .filter(|(_, (q, a))| **a != Some(q.answer))
        .map(|(i, (q, a))| Mistake {
            number: i + 1,
            question: q.text,
            chosen: a.and_then(|c| q.choices.get(c).copied()),
            right: q.choices.get(q.answer).copied().unwrap_or_default(),
            why: q.why,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 164.530(b)(1): training that teaches; a failed quiz names each wrong answer with the
    /// right one and why.
    #[test]
    fn mistakes_name_the_right_answer_and_why() {
        let mut answers: Vec<Option<usize>> = QUIZ.iter().map(|q| Some(q.answer)).collect();
        assert!(mistakes(&answers).is_empty(), "all right, nothing to show");
        answers[1] = Some(0);
        answers[4] = None;
        answers[6] = Some(99);
        let got = mistakes(&answers);
        let numbers: Vec<usize> = got.iter().map(|m| m.number).collect();
        assert_eq!(numbers, [2, 5, 7]);
        assert_eq!(got[0].chosen, Some("Yes, I have access to it"));
        assert_eq!(got[0].right, "No, my job does not need it");
        assert!(got[0].why.starts_with("Minimum necessary"));
        assert_eq!(got[1].chosen, None, "left blank");
        assert_eq!(got[1].right, "The same day");
        assert_eq!(got[2].chosen, None, "not one of the choices");
        assert_eq!(mistakes(&[]).len(), QUIZ.len(), "nothing answered: every question");
    }

    #[test]
    fn scoring() {
        let all: Vec<Option<usize>> = QUIZ.iter().map(|q| Some(q.answer)).collect();
        assert_eq!(
            score(&all),
            QuizResult {
                right: 8,
                total: 8,
                percent: 100,
                passed: true
            }
        );
        let mut one_wrong = all.clone();
        one_wrong[0] = Some(2);
        assert_eq!(score(&one_wrong).percent, 87);
        assert!(score(&one_wrong).passed);
        let mut two_wrong = one_wrong.clone();
        two_wrong[1] = None;
        assert_eq!(
            score(&two_wrong),
            QuizResult {
                right: 6,
                total: 8,
                percent: 75,
                passed: false
            }
        );
        assert_eq!(score(&[]).right, 0, "no answers, nothing right");
        assert!(QUIZ.iter().all(|q| q.answer < q.choices.len()));
    }
}
