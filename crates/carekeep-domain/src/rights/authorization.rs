//! Authorizations on file (164.508): a disclosure made under a valid one is recorded in the
//! log but left out of the accounting (164.528(a)(1)(iv)).

use time::Date;

/// The core elements of 164.508(c)(1), as recorded from the signed form.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Authorization {
    /// (i) a specific, meaningful description of the information.
    pub description: String,
    /// (ii) who may make the disclosure.
    pub disclosed_by: String,
    /// (iii) the recipients.
    pub recipients: String,
    /// (iv) each purpose ("at the request of the individual" is enough when they start it).
    pub purpose: String,
    /// (v) an expiration date...
    pub expires_on: Option<Date>,
    /// (v) ...or an expiration event.
    pub expiry_event: String,
    /// (vi) signed by (with a personal representative's authority), and when.
    pub signed_by: String,
    pub signed_on: Option<Date>,
}

/// Refuses an authorization missing a core element (164.508(b)(2)(ii): incomplete is invalid).
pub fn check(a: &Authorization) -> Result<(), String> {
    for (value, what) in [
        (&a.description, "a description of the information (164.508(c)(1)(i))"),
        (&a.disclosed_by, "who may disclose it (164.508(c)(1)(ii))"),
        (&a.recipients, "the recipients (164.508(c)(1)(iii))"),
        (&a.purpose, "the purpose (164.508(c)(1)(iv))"),
        (&a.signed_by, "who signed it (164.508(c)(1)(vi))"),
    ] {
        if value.trim().is_empty() {
            return Err(format!("an authorization needs {what}"));
        }
    }
    if a.expires_on.is_none() && a.expiry_event.trim().is_empty() {
        return Err("an authorization needs an expiration date or event (164.508(c)(1)(v))".into());
    }
    match (a.signed_on, a.expires_on) {
        (None, _) => Err("an authorization needs the date it was signed (164.508(c)(1)(vi))".into()),
        (Some(s), Some(e)) if e < s => Err("it expires before it was signed".into()),
        _ => Ok(()),
    }
}

/// Whether a disclosure on `day` may rely on it (164.508(b)(2)(i), (iii); (b)(5)).
pub fn valid_on(a: &Authorization, revoked_on: Option<Date>, day: Date) -> Result<(), String> {
    check(a)?;
    if a.signed_on.is_some_and(|s| day < s) {
        return Err("the authorization was not yet signed on that day".into());
    }
    if a.expires_on.is_some_and(|e| day > e) {
        return Err("the authorization had expired (164.508(b)(2)(i))".into());
    }
    if revoked_on.is_some_and(|r| day >= r) {
        return Err("the authorization had been revoked (164.508(b)(5))".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn full() -> Authorization {
        Authorization {
            description: "Visit notes of March 2026".into(),
            disclosed_by: "Lakeside Dental".into(),
            recipients: "Acme Life Insurance".into(),
            purpose: "life insurance application".into(),
            expires_on: Some(date!(2026 - 12 - 31)),
            expiry_event: String::new(),
            signed_by: "the patient".into(),
            signed_on: Some(date!(2026 - 03 - 01)),
        }
    }

    #[test]
    fn every_core_element_is_required() {
        assert!(check(&full()).is_ok());
        let blanks: [fn(&mut Authorization); 6] = [
            |a| a.description.clear(),
            |a| a.disclosed_by.clear(),
            |a| a.recipients.clear(),
            |a| a.purpose.clear(),
            |a| a.signed_by.clear(),
            |a| a.signed_on = None,
        ];
        for blank in blanks {
            let mut a = full();
            blank(&mut a);
            assert!(check(&a).is_err(), "{a:?}");
        }
        let mut a = full();
        a.expires_on = None;
        assert!(check(&a).is_err(), "(v) date or event");
        a.expiry_event = "end of the application".into();
        assert!(check(&a).is_ok());
    }

    #[test]
    fn validity_on_a_day() {
        let a = full();
        // (day, revoked on, valid?): 164.508(b)(2)(i) expired, (b)(5) revoked.
        for (day, revoked, ok) in [
            (date!(2026 - 06 - 01), None, true),
            (date!(2026 - 12 - 31), None, true),
            (date!(2027 - 01 - 01), None, false),
            (date!(2026 - 02 - 28), None, false),
            (date!(2026 - 06 - 01), Some(date!(2026 - 06 - 01)), false),
            (date!(2026 - 05 - 31), Some(date!(2026 - 06 - 01)), true),
        ] {
            assert_eq!(valid_on(&a, revoked, day).is_ok(), ok, "{day} {revoked:?}");
        }
    }
}
