//! The clock on each request. Access: act within 30 days of receipt (164.524(b)(2)(i));
//! amendment and accounting: 60 days (164.526(b)(2)(i), 164.528(c)(1)). Each allows one
//! extension of up to 30 days, given in writing with the reasons *before* the first period
//! ends (164.524(b)(2)(ii), 164.526(b)(2)(ii), 164.528(c)(1)(ii)). Restriction and
//! confidential-communication requests (164.522) carry no deadline in the rule.

use time::{Date, Duration};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Access,
    Amendment,
    Accounting,
    Restriction,
    ConfidentialCommunication,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Access,
        Kind::Amendment,
        Kind::Accounting,
        Kind::Restriction,
        Kind::ConfidentialCommunication,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Access => "access",
            Kind::Amendment => "amendment",
            Kind::Accounting => "accounting",
            Kind::Restriction => "restriction",
            Kind::ConfidentialCommunication => "confidential_communication",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Days to act and the paragraph, where the rule sets them.
    pub fn clock(self) -> Option<(i64, &'static str)> {
        match self {
            Kind::Access => Some((30, "164.524(b)(2)")),
            Kind::Amendment => Some((60, "164.526(b)(2)")),
            Kind::Accounting => Some((60, "164.528(c)(1)")),
            Kind::Restriction | Kind::ConfidentialCommunication => None,
        }
    }
}

/// The one extension each clock allows: up to 30 more days.
pub const EXTENSION_DAYS: i64 = 30;

/// When the request must be acted on, given an extension granted on `extended_on` (if any).
/// An extension given after the first period ended is refused: it comes too late.
pub fn due(kind: Kind, received: Date, extended_on: Option<Date>) -> Result<Option<Date>, String> {
    let Some((days, cfr)) = kind.clock() else {
        return match extended_on {
            Some(_) => Err("this kind of request has no deadline to extend (164.522)".into()),
            None => Ok(None),
        };
    };
    let first = received + Duration::days(days);
    match extended_on {
        None => Ok(Some(first)),
        Some(on) if on < received => Err("the extension cannot be dated before the request was received".into()),
        Some(on) if on > first => Err(format!(
            "the extension must be given in writing before the first {days} days end ({first}); it is too late ({cfr})"
        )),
        Some(_) => Ok(Some(first + Duration::days(EXTENSION_DAYS))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn clocks_and_the_one_extension() {
        let cases = [
            // 164.524(b)(2)(i): 30 days; received on the 31st.
            (
                Kind::Access,
                date!(2026 - 01 - 31),
                None,
                Ok(Some(date!(2026 - 03 - 02))),
            ),
            // A leap year: one day earlier in March.
            (
                Kind::Access,
                date!(2028 - 01 - 31),
                None,
                Ok(Some(date!(2028 - 03 - 01))),
            ),
            // 164.524(b)(2)(ii): one extension of 30 days, given in time.
            (
                Kind::Access,
                date!(2026 - 01 - 31),
                Some(date!(2026 - 03 - 02)),
                Ok(Some(date!(2026 - 04 - 01))),
            ),
            // Given after the first period ended: refused.
            (
                Kind::Access,
                date!(2026 - 01 - 31),
                Some(date!(2026 - 03 - 03)),
                Err(()),
            ),
            // 164.526(b)(2): 60 days plus 30.
            (
                Kind::Amendment,
                date!(2026 - 03 - 31),
                None,
                Ok(Some(date!(2026 - 05 - 30))),
            ),
            (
                Kind::Amendment,
                date!(2026 - 03 - 31),
                Some(date!(2026 - 04 - 10)),
                Ok(Some(date!(2026 - 06 - 29))),
            ),
            // 164.528(c)(1): 60 days.
            (
                Kind::Accounting,
                date!(2026 - 12 - 31),
                None,
                Ok(Some(date!(2027 - 03 - 01))),
            ),
            // 164.522: no clock.
            (Kind::Restriction, date!(2026 - 01 - 31), None, Ok(None)),
            (
                Kind::ConfidentialCommunication,
                date!(2026 - 01 - 31),
                Some(date!(2026 - 02 - 01)),
                Err(()),
            ),
        ];
        for (kind, received, ext, want) in cases {
            assert_eq!(
                due(kind, received, ext).map_err(|_| ()),
                want,
                "{kind:?} {received} {ext:?}"
            );
        }
    }
}
