//! Invoices: lines with procedure and diagnosis codes (class `coding`) and amounts (class
//! `billing`); the number, total, balance and paid/unpaid state are class `invoice_status`.

use super::codes::{icd10cm, procedure};
use super::{invalid, Invalid};
use serde::{Deserialize, Serialize};

/// An amount in cents. Never a float.
pub type Cents = i64;

/// Parses `125`, `125.5` or `125.50` (dollars) into cents.
pub fn parse_amount(s: &str) -> Result<Cents, Invalid> {
    let s = s.trim().trim_start_matches('$');
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let ok = !whole.is_empty()
        && whole.len() <= 9
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 2
        && frac.bytes().all(|b| b.is_ascii_digit());
    if !ok {
        return invalid("an amount looks like 125 or 125.50");
    }
    let whole: i64 = whole
        .parse()
        .map_err(|_| Invalid("an amount looks like 125 or 125.50".into()))?;
    let frac: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
    Ok(whole * 100 + frac)
}

/// `$6,720.50`: dollars grouped by thousands, as US staff read them.
pub fn format_amount(c: Cents) -> String {
    let sign = if c < 0 { "-" } else { "" };
    let digits = (c.abs() / 100).to_string();
    let mut dollars = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            dollars.push(',');
        }
        dollars.push(d);
    }
    format!("{sign}${dollars}.{:02}", c.abs() % 100)
}

/// One invoice line as entered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub description: String,
    pub procedure_code: String,
    pub diagnosis_codes: Vec<String>,
    pub amount_cents: Cents,
}

/// Checks a line's description and amount (class `billing`); codes are checked separately,
/// since they are class `coding` and set by clinical staff.
pub fn check_line(l: Line) -> Result<Line, Invalid> {
    let description = l.description.trim().to_owned();
    if description.is_empty() || description.chars().count() > 200 {
        return invalid("each invoice line needs a description of 1 to 200 characters");
    }
    if l.amount_cents <= 0 || l.amount_cents > 10_000_000 {
        return invalid("each invoice line needs an amount above zero and under $100,000");
    }
    let (procedure_code, diagnosis_codes) = if l.procedure_code.trim().is_empty() && l.diagnosis_codes.is_empty() {
        (String::new(), Vec::new())
    } else {
        check_codes(&l.procedure_code, &l.diagnosis_codes)?
    };
    Ok(Line {
        description,
        procedure_code,
        diagnosis_codes,
        amount_cents: l.amount_cents,
    })
}

/// Checks one line's codes: a procedure code and up to 12 ICD-10-CM diagnosis codes (the
/// claim form's limit).
pub fn check_codes(procedure_code: &str, diagnosis: &[String]) -> Result<(String, Vec<String>), Invalid> {
    let diagnosis_codes = diagnosis
        .iter()
        .filter(|c| !c.trim().is_empty())
        .map(|c| icd10cm(c))
        .collect::<Result<Vec<_>, _>>()?;
    if diagnosis_codes.len() > 12 {
        return invalid("a line may carry at most 12 diagnosis codes");
    }
    Ok((procedure(procedure_code)?, diagnosis_codes))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaidState {
    Unpaid,
    PartlyPaid,
    Paid,
    /// Adjusted down to nothing with nothing paid (a write-off): not "Paid", and not owed.
    NothingOwed,
}

impl PaidState {
    pub fn label(self) -> &'static str {
        match self {
            PaidState::Unpaid => "Unpaid",
            PaidState::PartlyPaid => "Partly paid",
            PaidState::Paid => "Paid",
            PaidState::NothingOwed => "Nothing owed",
        }
    }
}

/// Total, balance and state from the lines and payments.
pub fn status(lines: &[Cents], payments: &[Cents]) -> (Cents, Cents, PaidState) {
    let total: Cents = lines.iter().sum();
    let paid: Cents = payments.iter().sum();
    let balance = total - paid;
    let state = if balance <= 0 {
        if paid > 0 {
            PaidState::Paid
        } else {
            PaidState::NothingOwed
        }
    } else if paid <= 0 {
        PaidState::Unpaid
    } else {
        PaidState::PartlyPaid
    };
    (total, balance, state)
}

/// A payment may not exceed what is owed.
pub fn check_payment(amount: Cents, balance: Cents) -> Result<Cents, Invalid> {
    if amount <= 0 {
        return invalid("a payment must be above zero");
    }
    if amount > balance {
        return invalid(format!(
            "the payment is more than the balance of {}",
            format_amount(balance)
        ));
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        for (s, want) in [
            ("125", Some(12500)),
            ("125.5", Some(12550)),
            ("$0.07", Some(7)),
            ("1.234", None),
            ("-5", None),
            ("", None),
        ] {
            assert_eq!(parse_amount(s).ok(), want, "{s}");
        }
        assert_eq!(format_amount(12550), "$125.50");
        assert_eq!(format_amount(672_000), "$6,720.00");
        assert_eq!(format_amount(-123_456_789), "-$1,234,567.89");
        assert_eq!(format_amount(7), "$0.07");
    }

    #[test]
    fn balances() {
        assert_eq!(status(&[10000, 2500], &[]), (12500, 12500, PaidState::Unpaid));
        assert_eq!(status(&[10000], &[4000]), (10000, 6000, PaidState::PartlyPaid));
        assert_eq!(status(&[10000], &[4000, 6000]), (10000, 0, PaidState::Paid));
        assert_eq!(status(&[0], &[]), (0, 0, PaidState::NothingOwed), "written off");
        assert!(check_payment(6001, 6000).is_err());
        assert!(check_payment(0, 6000).is_err());
    }

    #[test]
    fn lines() {
        let l = Line {
            description: "Office visit".into(),
            procedure_code: "99213".into(),
            diagnosis_codes: vec!["e119".into(), " ".into()],
            amount_cents: 12500,
        };
        assert_eq!(check_line(l.clone()).unwrap().diagnosis_codes, vec!["E11.9"]);
        assert!(check_line(Line {
            amount_cents: 0,
            ..l.clone()
        })
        .is_err());
        assert!(check_line(Line {
            procedure_code: "x".into(),
            ..l.clone()
        })
        .is_err());
        let uncoded = Line {
            procedure_code: String::new(),
            diagnosis_codes: Vec::new(),
            ..l
        };
        assert!(check_line(uncoded).is_ok(), "codes come later, from clinical staff");
        assert!(check_codes("99213", &vec!["I10".to_string(); 13]).is_err());
    }
}
