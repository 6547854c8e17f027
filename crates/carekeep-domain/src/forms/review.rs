//! A clinician's review of a submitted form into the chart (issue 28, item 5): what the answers
//! propose (allergies, medications, history items), each beside what the chart already has
//! (new, changed, same), and which items a review files. Pure: the app opens the answers and
//! the chart under its permit, files the accepted items through the chart's write path, and
//! credits each new entry to the form.
//!
//! Nothing a patient typed enters the chart unreviewed: the chart is the clinic's record, whose
//! integrity the clinic protects (164.312(c)(1), `hipaa-rules.md`); a patient's answer is a
//! proposal until a clinician accepts it. An item the chart already has in the same words
//! ([`Compared::Same`]) is never filed twice. The photography consent's clinical use is read by
//! [`photo_consent_gap`]: whether clinical photographs need the patient's consent is state law
//! and practice policy, not HIPAA (164.506(c)(1); `patients-and-messages.md` 9.3), so the gap
//! applies only where the clinic uses a photography consent form.

use super::{is_shown, Allergy, Answer, Answers, FieldKind, FormKind, Medication, Status, Template};
use std::collections::BTreeMap;

/// The longest text a chart entry keeps (the chart's own limit for a name or a description).
pub const MAX_CHARS: usize = 200;

/// One thing a form proposes for the chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Allergy(Allergy),
    Medication(Medication),
    /// A condition or past surgery, in the patient's words (or the form's option).
    History(String),
}

impl Item {
    pub fn kind_words(&self) -> &'static str {
        match self {
            Item::Allergy(_) => "Allergy",
            Item::Medication(_) => "Medication",
            Item::History(_) => "History",
        }
    }

    /// What it names: the substance, the medicine, the condition.
    pub fn name(&self) -> &str {
        match self {
            Item::Allergy(a) => &a.substance,
            Item::Medication(m) => &m.name,
            Item::History(h) => h,
        }
    }

    /// What else it says: the reaction, the dose and how often; nothing for history.
    pub fn detail(&self) -> String {
        match self {
            Item::Allergy(a) => a.reaction.trim().to_owned(),
            Item::Medication(m) => [m.dose.trim(), m.how_often.trim()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            Item::History(_) => String::new(),
        }
    }

    /// In words, for the review screen and the trail's reader.
    pub fn words(&self) -> String {
        let detail = self.detail();
        if detail.is_empty() {
            self.name().trim().to_owned()
        } else {
            format!("{} ({detail})", self.name().trim())
        }
    }

    fn same_kind(&self, other: &Item) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// Folded for comparison: case, spaces and a trailing period do not make a difference.
fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches('.')
        .to_lowercase()
}

fn clip(s: &str) -> String {
    s.trim().chars().take(MAX_CHARS).collect()
}

/// One proposal: a stable key within the response (the field and the item's place, no PHI),
/// the question it answers, and the item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub key: String,
    pub question: String,
    pub item: Item,
}

/// Where a proposal stands against the chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compared {
    /// The chart has nothing of that name.
    New,
    /// The chart has it with other details: what the chart says now.
    Changed { was: String },
    /// The chart has it in the same words: nothing to file.
    Same,
}

impl Compared {
    pub fn words(&self) -> &'static str {
        match self {
            Compared::New => "New",
            Compared::Changed { .. } => "Changed",
            Compared::Same => "Already in the chart",
        }
    }
}

/// A proposal beside the chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub proposal: Proposal,
    pub compared: Compared,
}

/// What a form's visible answers propose: every allergy and medication listed, and, on a
/// medical history, each condition ticked and each "yes" with its details. Hidden fields
/// propose nothing (their answers are not part of the signed form).
pub fn proposals(t: &Template, answers: &Answers) -> Vec<Proposal> {
    let history = t.kind == FormKind::MedicalHistory;
    let mut out = Vec::new();
    for f in t.fields().filter(|f| is_shown(t, f, answers)) {
        let Some(a) = answers.get(&f.id) else { continue };
        let mut push = |i: usize, item: Item| {
            if !item.name().trim().is_empty() {
                out.push(Proposal {
                    key: format!("{}.{i}", f.id),
                    question: f.label.clone(),
                    item,
                });
            }
        };
        match (&f.kind, a) {
            (FieldKind::AllergyList, Answer::Allergies(list)) => {
                for (i, x) in list.iter().enumerate() {
                    let item = Allergy {
                        substance: clip(&x.substance),
                        reaction: clip(&x.reaction),
                    };
                    push(i, Item::Allergy(item));
                }
            }
            (FieldKind::MedicationList, Answer::Medications(list)) => {
                for (i, x) in list.iter().enumerate() {
                    let item = Medication {
                        name: clip(&x.name),
                        dose: clip(&x.dose),
                        how_often: clip(&x.how_often),
                    };
                    push(i, Item::Medication(item));
                }
            }
            (FieldKind::MultipleChoice { .. }, Answer::Many(chosen)) if history => {
                for (i, c) in chosen.iter().enumerate() {
                    push(i, Item::History(clip(c)));
                }
            }
            // One condition a line: "Appendectomy 2003" and "C-section 2012" typed on two lines
            // are two chart entries, each accepted or rejected on its own (a line break cannot
            // be kept in a problem's one-line description).
            (FieldKind::YesNo { follow_up: Some(_) }, Answer::YesNo { yes: true, detail }) if history => {
                for (i, line) in conditions(detail).iter().enumerate() {
                    push(i, Item::History(clip(line)));
                }
            }
            _ => {}
        }
    }
    out
}

/// The conditions typed in a history answer, one a line; a line right under another that
/// starts indented or with an opening bracket ("  (left knee)") goes on with it, as the
/// patient meant. A blank line always starts a new condition.
pub fn conditions(detail: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut after_blank = true;
    for line in detail.lines() {
        let words = line.trim();
        if words.is_empty() {
            after_blank = true;
            continue;
        }
        let goes_on = !after_blank && (line.starts_with(char::is_whitespace) || words.starts_with(['(', '[']));
        after_blank = false;
        match out.last_mut() {
            Some(last) if goes_on => {
                last.push(' ');
                last.push_str(words);
            }
            _ => out.push(words.to_string()),
        }
    }
    out
}

/// Each proposal beside the chart's items: the same name in the same words is `Same`; the same
/// name with other details is `Changed` (naming what the chart says, its newest such item);
/// anything else is `New`.
pub fn compare(proposed: Vec<Proposal>, chart: &[Item]) -> Vec<Line> {
    proposed
        .into_iter()
        .map(|p| {
            let named: Vec<&Item> = chart
                .iter()
                .filter(|c| c.same_kind(&p.item) && fold(c.name()) == fold(p.item.name()))
                .collect();
            let compared = if named.iter().any(|c| fold(&c.detail()) == fold(&p.item.detail())) {
                Compared::Same
            } else if let Some(last) = named.last() {
                Compared::Changed { was: last.words() }
            } else {
                Compared::New
            };
            Line { proposal: p, compared }
        })
        .collect()
}

/// A clinician's answer for one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Reject,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accept => "accepted",
            Decision::Reject => "rejected",
        }
    }
}

/// Why a review cannot be filed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewProblem {
    /// These items (keys) were neither accepted nor rejected.
    Undecided(Vec<String>),
    /// A decision names an item the form does not propose (the screen was stale).
    Unknown(String),
    /// Only a submitted form is reviewed (a draft is not the patient's answer yet; a reviewed
    /// one was filed already).
    NotSubmitted,
}

/// What a review files: every line not `Same` needs a decision; the accepted ones are filed,
/// in the form's order. `Same` lines are never filed (the chart has them).
pub fn decide<'a>(
    status: Status,
    lines: &'a [Line],
    decisions: &BTreeMap<String, Decision>,
) -> Result<Vec<&'a Line>, ReviewProblem> {
    if status != Status::Submitted {
        return Err(ReviewProblem::NotSubmitted);
    }
    if let Some(k) = decisions.keys().find(|k| !lines.iter().any(|l| &l.proposal.key == *k)) {
        return Err(ReviewProblem::Unknown(k.clone()));
    }
    let open: Vec<&Line> = lines.iter().filter(|l| l.compared != Compared::Same).collect();
    let undecided: Vec<String> = open
        .iter()
        .filter(|l| !decisions.contains_key(&l.proposal.key))
        .map(|l| l.proposal.key.clone())
        .collect();
    if !undecided.is_empty() {
        return Err(ReviewProblem::Undecided(undecided));
    }
    Ok(open
        .into_iter()
        .filter(|l| decisions.get(&l.proposal.key) == Some(&Decision::Accept))
        .collect())
}

/// A patient's photography consent form as the clinic holds it: its status and, once signed,
/// the answer to clinical use (None until read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhotoConsent {
    pub status: Status,
    pub clinical_use: Option<bool>,
}

/// Why a clinical photograph may not be uploaded for this patient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PhotoGap {
    /// The form was never signed (not sent, or not finished).
    NotSigned { form: String },
    /// The newest signed form says no to clinical photographs.
    Declined { form: String },
}

impl PhotoGap {
    pub fn words(&self) -> String {
        match self {
            PhotoGap::NotSigned { form } => format!(
                "Clinical photos need the patient's {form} (clinical use), which is missing: send the form and upload the photo once it is signed"
            ),
            PhotoGap::Declined { form } => format!(
                "The patient's {form} does not allow clinical photos: the photo was not uploaded"
            ),
        }
    }
}

/// The clinical-use field of the built-in photography consent.
pub const CLINICAL_USE: &str = "clinical_use";

/// The gap, if any: `form` is the title of the photography consent the clinic uses (None: the
/// clinic uses none, and the upload is not blocked, 164.506(c)(1)); `forms` are the patient's,
/// newest first. The newest signed one decides; an unsigned one does not count.
pub fn photo_consent_gap(form: Option<&str>, forms: &[PhotoConsent]) -> Option<PhotoGap> {
    let form = form?.to_owned();
    match forms.iter().find(|f| f.status.done()) {
        None => Some(PhotoGap::NotSigned { form }),
        Some(PhotoConsent {
            clinical_use: Some(true),
            ..
        }) => None,
        Some(_) => Some(PhotoGap::Declined { form }),
    }
}

#[cfg(test)]
mod tests;
