//! Who may be sent a reminder, by which channel and to which address.
//!
//! The patient's confidential-communication request decides first: a provider must accommodate
//! reasonable requests to receive communications by alternative means or at alternative
//! locations (164.522(b)(1)(i); followed when communicating PHI, 164.502(h)), so a send to a
//! channel or address the request rules out is blocked, not warned. Then texting follows the
//! conditions under which the FCC lets health-care reminders be texted without prior written
//! consent (FCC Declaratory Ruling of July 10, 2015, 30 FCC Rcd 7961; conditions as listed in
//! `reference/patients-and-messages.md` 6.3), applied as the default policy whatever the
//! consent: only to the number the patient gave, at most one message a day and three a week,
//! an opt-out in every text and honoured at once.

use crate::zone::ClinicZone;
use time::{Duration, OffsetDateTime};

/// How a reminder travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        match s.trim() {
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Channel::Email => "Email",
            Channel::Sms => "Text message",
        }
    }
}

/// What the patient has told the clinic about reminders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preferences {
    /// The mobile number the patient gave the clinic.
    pub mobile: Option<String>,
    /// The email address the patient gave the clinic.
    pub email: Option<String>,
    /// The channel the patient prefers, when both are possible.
    pub prefer: Option<Channel>,
    /// "No messages": the patient asked for no reminders at all.
    pub no_messages: bool,
    /// A confidential-communication request (164.522(b)): only this channel, only this address.
    pub confidential: Option<(Channel, String)>,
    /// When the patient opted out of texts (a STOP reply or a request at the desk).
    pub sms_opted_out: Option<OffsetDateTime>,
}

/// Where a reminder goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub channel: Channel,
    pub address: String,
}

/// Why nothing is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Held {
    /// The patient asked for no messages.
    NoMessages,
    /// No address the patient gave for an allowed channel.
    NoAddress,
    /// The patient opted out of texts, and texts are the only way allowed.
    OptedOut,
    /// Already one message today (clinic's day).
    DailyCap,
    /// Already three messages in the last seven days.
    WeeklyCap,
    /// Not the number the patient gave.
    NotGivenNumber,
}

impl Held {
    /// Words for the front desk and the sent log.
    pub fn words(self) -> &'static str {
        match self {
            Held::NoMessages => "The patient asked for no messages",
            Held::NoAddress => "No contact the patient gave for reminders",
            Held::OptedOut => "The patient opted out of text messages",
            Held::DailyCap => "Already one message today",
            Held::WeeklyCap => "Already three messages this week",
            Held::NotGivenNumber => "Not the number the patient gave",
        }
    }
}

/// A US phone number reduced to its ten digits, or `None` when it is not one.
pub fn normalize_us_number(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let ten = match digits.len() {
        10 => digits,
        11 if digits.starts_with('1') => digits[1..].to_owned(),
        _ => return None,
    };
    // NANP: area code and exchange do not start with 0 or 1.
    let b = ten.as_bytes();
    let opens_well = |i: usize| b.get(i).is_some_and(|d| *d >= b'2');
    (opens_well(0) && opens_well(3)).then_some(ten)
}

/// An address as the sent log shows it to staff: enough to tell which one was used (the
/// last four digits, an email's first letter and its domain), not the whole of it, which
/// the chart already holds (minimum necessary, 164.502(b), 164.514(d)).
pub fn masked(channel: Channel, address: &str) -> String {
    match channel {
        Channel::Sms => match normalize_us_number(address) {
            Some(n) => format!("(•••) •••-{}", n.get(6..).unwrap_or_default()),
            None => "•••".into(),
        },
        Channel::Email => match address.trim().split_once('@') {
            Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
                let first: String = local.chars().take(1).collect();
                format!("{first}•••@{domain}")
            }
            _ => "•••".into(),
        },
    }
}

fn usable(channel: Channel, prefs: &Preferences, address: &str) -> Result<(), Held> {
    match channel {
        Channel::Sms if prefs.sms_opted_out.is_some() => Err(Held::OptedOut),
        Channel::Sms if normalize_us_number(address).is_none() => Err(Held::NoAddress),
        Channel::Email if !address.contains('@') => Err(Held::NoAddress),
        _ => Ok(()),
    }
}

/// The channel and address a reminder goes to, or why none.
pub fn route(prefs: &Preferences) -> Result<Route, Held> {
    if prefs.no_messages {
        return Err(Held::NoMessages);
    }
    if let Some((channel, address)) = &prefs.confidential {
        // Only this channel and address; never fall back to another (164.522(b)(1)(i)).
        usable(*channel, prefs, address)?;
        return Ok(Route {
            channel: *channel,
            address: address.trim().to_owned(),
        });
    }
    let order = match prefs.prefer {
        Some(Channel::Email) => [Channel::Email, Channel::Sms],
        _ => [Channel::Sms, Channel::Email],
    };
    let mut first_refusal = None;
    for channel in order {
        let given = match channel {
            Channel::Sms => prefs.mobile.as_deref(),
            Channel::Email => prefs.email.as_deref(),
        };
        let Some(address) = given.map(str::trim).filter(|a| !a.is_empty()) else {
            continue;
        };
        match usable(channel, prefs, address) {
            Ok(()) => {
                return Ok(Route {
                    channel,
                    address: address.to_owned(),
                })
            }
            Err(held) => {
                first_refusal.get_or_insert(held);
            }
        }
    }
    Err(first_refusal.unwrap_or(Held::NoAddress))
}

/// Whether one more message may go to this patient now, given when the earlier ones went
/// (any channel: the caps count messages from the clinic, voice and text together). A text goes
/// only to the number the patient gave and never after an opt-out.
pub fn may_send(
    zone: &ClinicZone,
    route: &Route,
    prefs: &Preferences,
    sent: &[OffsetDateTime],
    now: OffsetDateTime,
) -> Result<(), Held> {
    if prefs.no_messages {
        return Err(Held::NoMessages);
    }
    if route.channel == Channel::Sms {
        if prefs.sms_opted_out.is_some_and(|at| at <= now) {
            return Err(Held::OptedOut);
        }
        let given = prefs
            .confidential
            .as_ref()
            .filter(|(c, _)| *c == Channel::Sms)
            .map(|(_, a)| a.as_str())
            .or(prefs.mobile.as_deref())
            .and_then(normalize_us_number);
        if given.is_none() || given != normalize_us_number(&route.address) {
            return Err(Held::NotGivenNumber);
        }
    }
    let today = zone.local(now).date();
    if sent.iter().any(|at| *at <= now && zone.local(*at).date() == today) {
        return Err(Held::DailyCap);
    }
    // The week: today and the six days before it, as the clinic counts days.
    let week_start = today - Duration::days(6);
    let in_week = sent
        .iter()
        .filter(|at| **at <= now && zone.local(**at).date() >= week_start)
        .count();
    if in_week >= 3 {
        return Err(Held::WeeklyCap);
    }
    Ok(())
}

/// Whether a reply asks for no more texts: STOP and the other words the FCC names as reasonable
/// ways to revoke (FCC 24-24, 89 FR 15756), in any letter case, alone or with punctuation.
pub fn is_opt_out(reply: &str) -> bool {
    let words: String = reply
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                ' '
            }
        })
        .collect();
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    matches!(
        words.as_str(),
        "STOP" | "STOPALL" | "STOP ALL" | "QUIT" | "END" | "REVOKE" | "OPT OUT" | "OPTOUT" | "CANCEL" | "UNSUBSCRIBE"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sent_log_shows_addresses_masked() {
        let cases = [
            (Channel::Sms, "+15552017788", "(•••) •••-7788"),
            (Channel::Sms, "(555) 201-7788", "(•••) •••-7788"),
            (Channel::Sms, "not a number", "•••"),
            (Channel::Email, "wq@example.org", "w•••@example.org"),
            (Channel::Email, " élise@clinic.example ", "é•••@clinic.example"),
            (Channel::Email, "@example.org", "•••"),
            (Channel::Email, "nobody", "•••"),
        ];
        for (channel, address, want) in cases {
            assert_eq!(masked(channel, address), want, "{address}");
        }
    }

    use super::*;
    use time::macros::datetime;

    fn prefs() -> Preferences {
        Preferences {
            mobile: Some("(555) 201-0101".into()),
            email: Some("pat@example.org".into()),
            ..Preferences::default()
        }
    }

    #[test]
    fn the_patients_requests_decide_channel_and_address() {
        let sms = |a: &str| {
            Ok(Route {
                channel: Channel::Sms,
                address: a.into(),
            })
        };
        let email = |a: &str| {
            Ok(Route {
                channel: Channel::Email,
                address: a.into(),
            })
        };
        let opted = Some(datetime!(2026-12-01 12:00 UTC));
        let cases: Vec<(&str, Preferences, Result<Route, Held>)> = vec![
            ("texts by default", prefs(), sms("(555) 201-0101")),
            (
                "prefers email",
                Preferences {
                    prefer: Some(Channel::Email),
                    ..prefs()
                },
                email("pat@example.org"),
            ),
            (
                "opted out of texts: email",
                Preferences {
                    sms_opted_out: opted,
                    ..prefs()
                },
                email("pat@example.org"),
            ),
            (
                "opted out, no email",
                Preferences {
                    sms_opted_out: opted,
                    email: None,
                    ..prefs()
                },
                Err(Held::OptedOut),
            ),
            (
                "no messages",
                Preferences {
                    no_messages: true,
                    ..prefs()
                },
                Err(Held::NoMessages),
            ),
            ("nothing given", Preferences::default(), Err(Held::NoAddress)),
            (
                "164.522(b): only this number",
                Preferences {
                    confidential: Some((Channel::Sms, "555-201-0199".into())),
                    ..prefs()
                },
                sms("555-201-0199"),
            ),
            (
                "164.522(b): only email, though texts are preferred",
                Preferences {
                    confidential: Some((Channel::Email, "work@example.org".into())),
                    prefer: Some(Channel::Sms),
                    ..prefs()
                },
                email("work@example.org"),
            ),
            (
                "164.522(b): only texts, opted out: nothing, never the email",
                Preferences {
                    confidential: Some((Channel::Sms, "555-201-0199".into())),
                    sms_opted_out: opted,
                    ..prefs()
                },
                Err(Held::OptedOut),
            ),
            (
                "a mobile that is no number",
                Preferences {
                    mobile: Some("call me".into()),
                    email: None,
                    ..prefs()
                },
                Err(Held::NoAddress),
            ),
        ];
        for (what, p, want) in cases {
            assert_eq!(route(&p), want, "{what}");
        }
    }

    #[test]
    fn at_most_one_a_day_and_three_a_week_in_the_clinics_days() {
        let ny = ClinicZone::named("America/New_York").unwrap();
        let p = prefs();
        let r = Route {
            channel: Channel::Sms,
            address: "555.201.0101".into(),
        };
        // Now: Monday December 7 2026, 10:00 AM EST.
        let now = datetime!(2026-12-07 15:00 UTC);
        let cases: Vec<(&str, Vec<OffsetDateTime>, Result<(), Held>)> = vec![
            ("none before", vec![], Ok(())),
            (
                "one at 8:00 AM today",
                vec![datetime!(2026-12-07 13:00 UTC)],
                Err(Held::DailyCap),
            ),
            (
                "one at 11:30 PM yesterday, clinic time (already today in UTC)",
                vec![datetime!(2026-12-07 04:30 UTC)],
                Ok(()),
            ),
            (
                "three in the last six days",
                vec![
                    datetime!(2026-12-01 15:00 UTC),
                    datetime!(2026-12-03 15:00 UTC),
                    datetime!(2026-12-05 15:00 UTC),
                ],
                Err(Held::WeeklyCap),
            ),
            (
                "three, the first seven days ago",
                vec![
                    datetime!(2026-11-30 15:00 UTC),
                    datetime!(2026-12-03 15:00 UTC),
                    datetime!(2026-12-05 15:00 UTC),
                ],
                Ok(()),
            ),
            (
                "one scheduled later is not yet sent",
                vec![datetime!(2026-12-07 20:00 UTC)],
                Ok(()),
            ),
        ];
        for (what, sent, want) in cases {
            assert_eq!(may_send(&ny, &r, &p, &sent, now), want, "{what}");
        }
    }

    #[test]
    fn texts_only_to_the_given_number_and_never_after_an_opt_out() {
        let zone = ClinicZone::utc();
        let now = datetime!(2026-12-07 15:00 UTC);
        let to = |a: &str| Route {
            channel: Channel::Sms,
            address: a.into(),
        };
        let cases: Vec<(&str, Preferences, Route, Result<(), Held>)> = vec![
            (
                "the given number, written otherwise",
                prefs(),
                to("+1 555 201 0101"),
                Ok(()),
            ),
            ("another number", prefs(), to("555 201 0102"), Err(Held::NotGivenNumber)),
            (
                "no number given",
                Preferences {
                    mobile: None,
                    ..prefs()
                },
                to("555 201 0101"),
                Err(Held::NotGivenNumber),
            ),
            (
                "opted out a second ago",
                Preferences {
                    sms_opted_out: Some(now - Duration::seconds(1)),
                    ..prefs()
                },
                to("555 201 0101"),
                Err(Held::OptedOut),
            ),
            (
                "the confidential number counts as given",
                Preferences {
                    confidential: Some((Channel::Sms, "555-201-0199".into())),
                    ..prefs()
                },
                to("5552010199"),
                Ok(()),
            ),
            (
                "the ordinary mobile is not, under a confidential request",
                Preferences {
                    confidential: Some((Channel::Sms, "555-201-0199".into())),
                    ..prefs()
                },
                to("5552010101"),
                Err(Held::NotGivenNumber),
            ),
            (
                "no messages",
                Preferences {
                    no_messages: true,
                    ..prefs()
                },
                to("5552010101"),
                Err(Held::NoMessages),
            ),
        ];
        for (what, p, r, want) in cases {
            assert_eq!(may_send(&zone, &r, &p, &[], now), want, "{what}");
        }
    }

    #[test]
    fn numbers_and_opt_out_words() {
        let cases = [
            ("(555) 201-0101", Some("5552010101")),
            ("+1 555 201 0101", Some("5552010101")),
            ("155520101011", None),
            ("055 201 0101", None),
            ("555 101 0101", None),
            ("", None),
        ];
        for (s, want) in cases {
            assert_eq!(normalize_us_number(s).as_deref(), want, "{s}");
        }
        for (reply, stop) in [
            ("STOP", true),
            ("stop.", true),
            (" Opt out ", true),
            ("unsubscribe", true),
            ("Cancel", true),
            ("stop please call me", false),
            ("yes", false),
            ("", false),
        ] {
            assert_eq!(is_opt_out(reply), stop, "{reply:?}");
        }
    }
}
