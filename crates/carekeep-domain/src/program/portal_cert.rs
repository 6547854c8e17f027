//! When the portal's certificate is renewed (issue 27, item 1): transmission security,
//! 164.312(e)(1), needs a certificate browsers accept every day, so a new one is ordered well
//! before the old one ends: when 30 days are left or a third of its lifetime, whichever comes
//! later in its life (the shorter wait), so a 90-day certificate renews with 30 days left and
//! a 6-day one with 2. A certificate not valid now (expired, or not yet valid) is renewed at
//! once, and a failed attempt waits [`RETRY_AFTER_FAILURE`] before the next.

use time::{Duration, OffsetDateTime};

/// Renew with this much left at most.
pub const RENEW_DAYS_LEFT: i64 = 30;

/// After a failed order, the next attempt waits this long (a CA's rate limits are per week).
pub const RETRY_AFTER_FAILURE: Duration = Duration::hours(1);

/// What the background job does about the portal's certificate now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renewal {
    /// No certificate yet, or the one held is not valid now: order one.
    OrderNow,
    /// In its renewal window: order a new one.
    Renew,
    /// Nothing to do until then.
    WaitUntil(OffsetDateTime),
}

/// The moment a certificate valid from `not_before` to `not_after` enters its renewal window:
/// `not_after` minus the lesser of 30 days and a third of its lifetime.
pub fn renew_from(not_before: OffsetDateTime, not_after: OffsetDateTime) -> OffsetDateTime {
    let lifetime = not_after - not_before;
    let margin = std::cmp::min(Duration::days(RENEW_DAYS_LEFT), lifetime / 3);
    not_after - margin
}

/// What to do at `now` with the certificate held (its validity, if any), given the last
/// failed attempt, if any.
pub fn renewal(
    held: Option<(OffsetDateTime, OffsetDateTime)>,
    last_failure: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Renewal {
    let due = match held {
        None => Renewal::OrderNow,
        Some((nb, na)) if now < nb || now >= na => Renewal::OrderNow,
        Some((nb, na)) => {
            let from = renew_from(nb, na);
            if now >= from {
                Renewal::Renew
            } else {
                return Renewal::WaitUntil(from);
            }
        }
    };
    match last_failure.map(|f| f + RETRY_AFTER_FAILURE) {
        Some(retry) if now < retry => Renewal::WaitUntil(retry),
        _ => due,
    }
}

/// Where the portal's certificate comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Ordered and renewed by Carekeep from an ACME authority (RFC 8555).
    Acme,
    /// Files the clinic gives (`portal_tls_cert`/`portal_tls_key`), replaced by the clinic.
    Files,
}

/// What the running program knows about the patients' door, set by the server as it starts
/// the portal's listener and as it orders certificates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DoorFacts {
    /// The portal's listener is bound and answering.
    pub listening: bool,
    pub host: String,
    pub source: Source,
    /// Who issued it: the ACME authority's address, or "the clinic's own certificate files".
    pub issuer: String,
    /// The certificate served now: valid from, until.
    pub valid: Option<(OffsetDateTime, OffsetDateTime)>,
    /// The last failed order (ACME), and the authority's words.
    pub last_failure: Option<(OffsetDateTime, String)>,
}

/// The portal certificate's standing, for the owner's dashboard, the readiness page and the
/// risk assessment's TEC-08/TEC-09 (164.312(e)(1)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DoorStanding {
    /// Patients can reach the portal over HTTPS with a certificate browsers accept, and
    /// nothing needs the owner.
    pub ok: bool,
    /// In words an owner understands, with dates as `12/07/2026`.
    pub words: String,
    /// What to do, when something is wrong; empty when nothing is.
    pub action: String,
}

fn day(t: OffsetDateTime) -> String {
    format!("{:02}/{:02}/{}", u8::from(t.month()), t.day(), t.year())
}

/// The standing at `now` (dates on the clinic's clock, `local` turns an instant into it).
/// `None` facts: the clinic runs no portal, and there is nothing to say.
pub fn standing(
    facts: Option<&DoorFacts>,
    now: OffsetDateTime,
    local: impl Fn(OffsetDateTime) -> OffsetDateTime,
) -> Option<DoorStanding> {
    let f = facts?;
    let bad = |words: String, action: &str| DoorStanding {
        ok: false,
        words,
        action: action.to_owned(),
    };
    let failed = f.last_failure.as_ref().map(|(at, why)| {
        format!(
            "The last try to get a certificate, on {}, failed: {why}.",
            day(local(*at))
        )
    });
    let acme_fix = "Check that the portal's address points to this computer and that port 80 reaches Carekeep; Carekeep tries again every hour";
    if !f.listening {
        return Some(bad(
            format!(
                "The patient portal ({}) is not answering: patients cannot sign in.",
                f.host
            ),
            "Restart Carekeep and check the portal's settings in carekeep.toml",
        ));
    }
    let Some((from, until)) = f.valid else {
        return Some(match (f.source, failed) {
            (Source::Acme, Some(failed)) => bad(
                format!("The patient portal has no certificate yet, so patients cannot connect. {failed}"),
                acme_fix,
            ),
            (Source::Acme, None) => bad(
                format!(
                    "The patient portal is waiting for its first certificate from {}.",
                    f.issuer
                ),
                "Wait a few minutes; if this stays, check that the portal's address points to this computer",
            ),
            (Source::Files, _) => bad(
                "The patient portal's certificate files could not be used, so patients cannot connect.".into(),
                "Give Carekeep a valid certificate and key for the portal's address",
            ),
        });
    };
    let end = day(local(until));
    if now < from || now >= until {
        return Some(bad(
            format!("The patient portal's certificate is out of date (it ended on {end}): browsers refuse to connect."),
            match f.source {
                Source::Acme => acme_fix,
                Source::Files => "Replace the portal's certificate files with a renewed certificate",
            },
        ));
    }
    let renew_at = renew_from(from, until);
    match (f.source, failed) {
        (Source::Acme, Some(failed)) if now >= renew_at => Some(bad(
            format!("Renewing the patient portal's certificate failed. It still works until {end}. {failed}"),
            acme_fix,
        )),
        (Source::Files, _) if now >= renew_at => Some(bad(
            format!("The patient portal's certificate ends on {end}: after that, browsers refuse to connect."),
            "Replace the portal's certificate files with a renewed certificate",
        )),
        (Source::Acme, _) => Some(DoorStanding {
            ok: true,
            words: format!(
                "The patient portal ({}) answers over HTTPS with a certificate from {}, valid until {end}; Carekeep renews it from {}.",
                f.host,
                f.issuer,
                day(local(renew_at))
            ),
            action: String::new(),
        }),
        (Source::Files, _) => Some(DoorStanding {
            ok: true,
            words: format!(
                "The patient portal ({}) answers over HTTPS with {}, valid until {end}.",
                f.host, f.issuer
            ),
            action: String::new(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-12-01 00:00 UTC);

    #[test]
    fn renews_at_thirty_days_or_a_third_of_the_lifetime_whichever_is_shorter() {
        // (lifetime, the renewal window's start after issue) - 164.312(e)(1)
        let cases = [
            (Duration::days(90), Duration::days(60)), // Let's Encrypt: 30 days left
            (Duration::days(6), Duration::days(4)),   // short-lived: 2 days left
            (Duration::days(365 * 5), Duration::days(365 * 5 - 30)), // long: 30 days left
            (Duration::days(30), Duration::days(20)), // a third (10 days) is less than 30
            (Duration::days(3), Duration::days(2)),   // a third of three days
        ];
        for (lifetime, after) in cases {
            assert_eq!(renew_from(T0, T0 + lifetime), T0 + after, "lifetime {lifetime}");
        }
    }

    #[test]
    fn what_the_job_does_now() {
        let ninety = Some((T0, T0 + Duration::days(90)));
        let failed = |t: OffsetDateTime| Some(t);
        type Held = Option<(OffsetDateTime, OffsetDateTime)>;
        let cases: [(Held, Option<OffsetDateTime>, OffsetDateTime, Renewal); 9] = [
            // none held: order now
            (None, None, T0, Renewal::OrderNow),
            // fresh: wait for the window
            (
                ninety,
                None,
                T0 + Duration::days(1),
                Renewal::WaitUntil(T0 + Duration::days(60)),
            ),
            // one second before the window
            (
                ninety,
                None,
                T0 + Duration::days(60) - Duration::seconds(1),
                Renewal::WaitUntil(T0 + Duration::days(60)),
            ),
            // in the window
            (ninety, None, T0 + Duration::days(60), Renewal::Renew),
            (ninety, None, T0 + Duration::days(89), Renewal::Renew),
            // expired, or not valid yet (a clock set back): order now
            (ninety, None, T0 + Duration::days(90), Renewal::OrderNow),
            (ninety, None, T0 - Duration::seconds(1), Renewal::OrderNow),
            // a failure half an hour ago: wait out the hour, then try again
            (
                ninety,
                failed(T0 + Duration::days(70)),
                T0 + Duration::days(70) + Duration::minutes(30),
                Renewal::WaitUntil(T0 + Duration::days(70) + Duration::hours(1)),
            ),
            (None, failed(T0), T0 + Duration::hours(1), Renewal::OrderNow),
        ];
        for (held, failure, now, want) in cases {
            assert_eq!(
                renewal(held, failure, now),
                want,
                "held {held:?}, failed {failure:?}, at {now}"
            );
        }
    }

    fn door(source: Source, valid: Option<(OffsetDateTime, OffsetDateTime)>) -> DoorFacts {
        DoorFacts {
            listening: true,
            host: "portal.clinic.example".into(),
            source,
            issuer: match source {
                Source::Acme => "acme.example".into(),
                Source::Files => "the clinic's own certificate files".into(),
            },
            valid,
            last_failure: None,
        }
    }

    #[test]
    fn the_doors_standing_in_words_an_owner_understands() {
        // 164.312(e)(1): a certificate browsers accept, renewed before it ends.
        let now = T0 + Duration::days(70);
        let ninety = Some((T0, T0 + Duration::days(90)));
        let fail = Some((
            now - Duration::hours(2),
            "the authority could not reach the portal's address".to_owned(),
        ));
        let same = |t: OffsetDateTime| t;
        let mut renewing_failed = door(Source::Acme, ninety);
        renewing_failed.last_failure = fail.clone();
        let mut early_failure = door(Source::Acme, ninety);
        early_failure.last_failure = fail.clone();
        let mut first_failed = door(Source::Acme, None);
        first_failed.last_failure = fail.clone();
        let mut closed = door(Source::Acme, ninety);
        closed.listening = false;
        // (case, the facts, when, what it says: ok and some of the words)
        type Case = (
            &'static str,
            Option<DoorFacts>,
            OffsetDateTime,
            Option<(bool, &'static str)>,
        );
        let cases: [Case; 9] = [
            ("no portal: nothing to say", None, now, None),
            ("ACME, in date, before its window", Some(door(Source::Acme, ninety)), T0 + Duration::days(10),
                Some((true, "valid until 03/01/2027; Carekeep renews it from 01/30/2027"))),
            ("ACME, in its window, no failure: the job renews", Some(door(Source::Acme, ninety)), now,
                Some((true, "valid until 03/01/2027"))),
            ("ACME renewal failed in the window: a problem", Some(renewing_failed), now,
                Some((false, "Renewing the patient portal's certificate failed. It still works until 03/01/2027. The last try to get a certificate, on 02/08/2027, failed: the authority could not reach"))),
            ("a failure before the window is not yet a problem", Some(early_failure), T0 + Duration::days(10),
                Some((true, "valid until 03/01/2027"))),
            ("no certificate and a failed order", Some(first_failed), now,
                Some((false, "no certificate yet, so patients cannot connect"))),
            ("expired", Some(door(Source::Acme, ninety)), T0 + Duration::days(91),
                Some((false, "out of date (it ended on 03/01/2027)"))),
            ("files ending within the window", Some(door(Source::Files, ninety)), now,
                Some((false, "ends on 03/01/2027"))),
            ("the listener is not answering", Some(closed), now, Some((false, "is not answering"))),
        ];
        for (name, facts, at, want) in cases {
            let got = standing(facts.as_ref(), at, same);
            match (got, want) {
                (None, None) => {}
                (Some(g), Some((ok, words))) => {
                    assert_eq!(g.ok, ok, "{name}: {}", g.words);
                    assert!(g.words.contains(words), "{name}: {}", g.words);
                    assert_eq!(
                        g.action.is_empty(),
                        ok,
                        "{name}: an action exactly when something is wrong"
                    );
                }
                (g, w) => panic!("{name}: {g:?} vs {w:?}"),
            }
        }
    }
}
