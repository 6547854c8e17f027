//! The data classes of a stored audit event as a bit set: storage only.
//!
//! Nearly every event is a read of PHI, and its class list ("identity,contact,...,
//! invoice_status", 61 bytes for a provider) was the largest column of the trail. The chain's
//! MAC (164.312(c)(1)) still covers the text: a row stores the bits only when they read back as
//! exactly the same text, so packing can never change what verification checks.

use crate::DataClass;

/// Bit `i` stands for `DataClass::ALL[i]`.
fn bit(c: DataClass) -> i64 {
    let i = DataClass::ALL.iter().position(|x| *x == c).unwrap_or(0);
    1 << i
}

/// The bit set for `text`, when [`unpack`] turns it back into exactly `text`; `None` (store the
/// text) for an empty list, an unknown name, a repeated one, or an order other than the
/// classes' own.
pub fn pack(text: &str) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    let mut bits = 0;
    for name in text.split(',') {
        let c: DataClass = name.parse().ok()?;
        bits |= bit(c);
    }
    (unpack(bits) == text).then_some(bits)
}

/// The text of a bit set, classes in their own order. Bits no class owns (the row was altered)
/// are kept visibly, so the text cannot match what the MAC covered.
pub fn unpack(bits: i64) -> String {
    let mut names: Vec<String> = DataClass::ALL
        .iter()
        .filter(|c| bits & bit(**c) != 0)
        .map(|c| c.as_str().to_owned())
        .collect();
    let known = DataClass::ALL.iter().fold(0, |acc, c| acc | bit(*c));
    if bits & !known != 0 {
        names.push(format!("unknown-bits:{:#x}", bits & !known));
    }
    names.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_only_what_reads_back_exactly() {
        let cases: &[(&str, Option<i64>)] = &[
            ("", None),
            ("identity", Some(1)),
            ("clinical", Some(8)),
            (
                "identity,contact,scheduling,clinical,coding,billing,invoice_status",
                Some(127),
            ),
            ("identity,invoice_status", Some(65)),
            // Not the classes' own order, a repeat, an unknown name, a stray comma: kept as text.
            ("contact,identity", None),
            ("clinical,clinical", None),
            ("clinical,psychotherapy", None),
            ("clinical,", None),
            (",clinical", None),
        ];
        for (text, want) in cases {
            assert_eq!(pack(text), *want, "{text:?}");
            if let Some(bits) = want {
                assert_eq!(unpack(*bits), *text);
            }
        }
    }

    #[test]
    fn every_class_has_its_own_bit() {
        for c in DataClass::ALL {
            assert_eq!(unpack(pack(c.as_str()).unwrap()), c.as_str());
        }
        let all: Vec<&str> = DataClass::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(pack(&all.join(",")), Some(127));
    }

    #[test]
    fn altered_bits_cannot_read_as_a_real_list() {
        let text = unpack(8 | 1 << 20);
        assert!(text.starts_with("clinical,unknown-bits:"), "{text}");
        assert_eq!(pack(&text), None);
    }
}
