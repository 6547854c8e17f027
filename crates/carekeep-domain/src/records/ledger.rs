//! An invoice's ledger. Payments, refunds and adjustments are entries added after the
//! invoice, never edits of it or of each other, so what was charged, paid, given back and
//! forgiven can always be read back in order (integrity of ePHI, 164.312(c)(1): billing
//! records are not altered or destroyed in an unauthorized manner). The balance is a pure sum
//! over the entries.

use super::invoice::{format_amount, status, Cents, PaidState};
use super::{invalid, Invalid};

/// What an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Money received: lowers the balance.
    Payment,
    /// Money given back: raises the balance by what is no longer paid.
    Refund,
    /// A change to what is owed, with a reason: a discount or write-off lowers it, a charge
    /// corrected upward raises it.
    Adjustment,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Payment => "payment",
            Kind::Refund => "refund",
            Kind::Adjustment => "adjustment",
        }
    }

    pub fn parse(code: &str) -> Option<Kind> {
        [Kind::Payment, Kind::Refund, Kind::Adjustment]
            .into_iter()
            .find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Payment => "Payment",
            Kind::Refund => "Refund",
            Kind::Adjustment => "Adjustment",
        }
    }
}

/// One ledger entry as stored: payments positive, refunds negative (money out), adjustments
/// the signed change to what is owed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    pub cents: Cents,
}

/// The account of one invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Balance {
    /// The lines' total as invoiced.
    pub charged: Cents,
    /// The sum of adjustments (negative: forgiven).
    pub adjusted: Cents,
    /// Payments less refunds.
    pub paid: Cents,
    /// What is still owed: charged + adjusted - paid.
    pub balance: Cents,
    pub state: PaidState,
}

/// The balance of an invoice from its lines' total and its entries.
pub fn balance(charged: Cents, entries: &[Entry]) -> Balance {
    let adjusted: Cents = entries
        .iter()
        .filter(|e| e.kind == Kind::Adjustment)
        .map(|e| e.cents)
        .sum();
    let paid: Cents = entries
        .iter()
        .filter(|e| e.kind != Kind::Adjustment)
        .map(|e| e.cents)
        .sum();
    let (_, balance, state) = status(&[charged + adjusted], &[paid]);
    Balance {
        charged,
        adjusted,
        paid,
        balance,
        state,
    }
}

/// Checks a new entry against the account as it stands and returns it as stored: a payment
/// at most the balance, a refund at most what was paid, a downward adjustment at most the
/// balance (a credit is a refund, not a negative balance), an upward one under $100,000.
/// `amount` is what the person typed, above zero; `lower` says which way an adjustment goes.
pub fn entry(kind: Kind, amount: Cents, lower: bool, now: &Balance) -> Result<Entry, Invalid> {
    if amount <= 0 {
        return invalid("the amount must be above zero");
    }
    let cents = match kind {
        Kind::Payment if amount > now.balance => {
            return invalid(format!(
                "the payment is more than the balance of {}",
                format_amount(now.balance)
            ))
        }
        Kind::Payment => amount,
        Kind::Refund if amount > now.paid => {
            return invalid(format!(
                "the refund is more than was paid ({}); record a payment first or refund less",
                format_amount(now.paid)
            ))
        }
        Kind::Refund => -amount,
        Kind::Adjustment if lower && amount > now.balance => {
            return invalid(format!(
                "the adjustment is more than the balance of {}; refund what was paid instead",
                format_amount(now.balance)
            ))
        }
        Kind::Adjustment if !lower && amount > 10_000_000 => {
            return invalid("the adjustment amount must be under $100,000")
        }
        Kind::Adjustment if lower => -amount,
        Kind::Adjustment => amount,
    };
    Ok(Entry { kind, cents })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(kind: Kind, cents: Cents) -> Entry {
        Entry { kind, cents }
    }

    /// Balances from entries only ever added (164.312(c)(1)): each row is charged, entries,
    /// then what is owed and the worded state.
    #[test]
    fn balances_from_entries() {
        use Kind::*;
        /// Name, charged, entries, then paid, owed and the state wanted.
        type Case = (&'static str, Cents, Vec<Entry>, Cents, Cents, PaidState);
        let cases: [Case; 8] = [
            ("new", 10000, vec![], 0, 10000, PaidState::Unpaid),
            (
                "part paid",
                10000,
                vec![e(Payment, 4000)],
                4000,
                6000,
                PaidState::PartlyPaid,
            ),
            (
                "paid",
                10000,
                vec![e(Payment, 4000), e(Payment, 6000)],
                10000,
                0,
                PaidState::Paid,
            ),
            (
                "paid, then partly refunded",
                10000,
                vec![e(Payment, 10000), e(Refund, -2500)],
                7500,
                2500,
                PaidState::PartlyPaid,
            ),
            (
                "overcharge: refunded and adjusted down together",
                10000,
                vec![e(Payment, 10000), e(Refund, -2500), e(Adjustment, -2500)],
                7500,
                0,
                PaidState::Paid,
            ),
            (
                "written off",
                10000,
                vec![e(Adjustment, -10000)],
                0,
                0,
                PaidState::NothingOwed,
            ),
            (
                "fully refunded",
                10000,
                vec![e(Payment, 10000), e(Refund, -10000)],
                0,
                10000,
                PaidState::Unpaid,
            ),
            (
                "charge corrected up",
                10000,
                vec![e(Payment, 10000), e(Adjustment, 1500)],
                10000,
                1500,
                PaidState::PartlyPaid,
            ),
        ];
        for (name, charged, entries, paid, owed, state) in cases {
            let b = balance(charged, &entries);
            assert_eq!((b.paid, b.balance, b.state), (paid, owed, state), "{name}");
            assert_eq!(b.charged + b.adjusted - b.paid, b.balance, "{name}");
        }
    }

    #[test]
    fn new_entries_are_checked_against_the_account() {
        use Kind::*;
        let now = balance(10000, &[e(Payment, 4000)]); // paid 40, owed 60
        let cases: [(Kind, Cents, bool, Option<Cents>); 9] = [
            (Payment, 6000, false, Some(6000)),
            (Payment, 6001, false, None),
            (Payment, 0, false, None),
            (Refund, 4000, false, Some(-4000)),
            (Refund, 4001, false, None),
            (Adjustment, 6000, true, Some(-6000)),
            (Adjustment, 6001, true, None),
            (Adjustment, 2500, false, Some(2500)),
            (Adjustment, 10_000_001, false, None),
        ];
        for (kind, amount, lower, want) in cases {
            assert_eq!(
                entry(kind, amount, lower, &now).ok().map(|x| x.cents),
                want,
                "{kind:?} {amount} {lower}"
            );
        }
        assert_eq!(Kind::parse("refund"), Some(Refund));
        assert_eq!(Kind::parse("edit"), None);
    }
}
