//! What a reminder says: the minimum necessary by default (the clinic's name, the day and time,
//! a link), and a service only when the clinic has turned that on. Disclosures to the patient
//! are outside minimum necessary (164.502(b)(2)(ii)), but a lock screen or a shared inbox is
//! not the patient alone, and an incidental disclosure is permitted only where the safeguards
//! limited it (164.502(a)(1)(iii), 164.530(c)(2)(ii)); see `reference/patients-and-messages.md`
//! 5.3 and 5.6. Texts name the clinic, stay within 160 characters and say how to opt out
//! (conditions of the FCC's 2015 ruling, same reference 6.3).

use super::texting::Channel;
use time::OffsetDateTime;

/// The longest text sent.
pub const SMS_MAX: usize = 160;

/// What the clinic lets a reminder carry beyond the minimum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Detail {
    /// Name the service ("Annual physical"). Off by default: a service can reveal a condition.
    pub service: bool,
}

/// A reminder ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reminder {
    pub subject: String,
    pub body: String,
}

/// `Mon 12/07/2026 at 2:30 PM`: the clinic's wall clock, in US form.
pub fn us_when(local: OffsetDateTime) -> String {
    let (h, m) = (local.hour(), local.minute());
    let (h12, half) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    let day = &local.weekday().to_string()[..3];
    format!(
        "{day} {:02}/{:02}/{} at {h12}:{m:02} {half}",
        u8::from(local.month()),
        local.day(),
        local.year()
    )
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The reminder for `channel`. `when` is the appointment's start on the clinic's wall clock;
/// `service` is used only when `detail.service` is on. A text that would run past 160
/// characters drops the service, then the phone, and then shortens the clinic's name; it never
/// drops the time, the link or the opt-out.
pub fn reminder(
    channel: Channel,
    clinic: &str,
    phone: Option<&str>,
    when: OffsetDateTime,
    link: &str,
    detail: Detail,
    service: Option<&str>,
) -> Reminder {
    let clinic = one_line(clinic);
    let when = us_when(when);
    let service = service.map(one_line).filter(|s| detail.service && !s.is_empty());
    let phone = phone.map(one_line).filter(|p| !p.is_empty());
    let subject = format!("{clinic}: appointment reminder");
    match channel {
        Channel::Email => {
            let what = service.map_or_else(String::new, |s| format!(" ({s})"));
            let call = phone.map_or_else(String::new, |p| format!("\r\nTo change it, call us at {p}."));
            let body = format!(
                "You have an appointment{what} at {clinic} on {when}.\r\n\r\nConfirm or cancel: {link}{call}\r\n"
            );
            Reminder { subject, body }
        }
        Channel::Sms => {
            let text = |clinic: &str, service: Option<&str>, phone: Option<&str>| {
                let what = service.map_or_else(String::new, |s| format!(" for {s}"));
                let call = phone.map_or_else(String::new, |p| format!(" Call {p}."));
                format!("{clinic}: appointment{what} {when}. {SMS_CONFIRM}{link}{call} Reply STOP to opt out.")
            };
            let mut body = text(&clinic, service.as_deref(), phone.as_deref());
            if body.chars().count() > SMS_MAX {
                body = text(&clinic, None, phone.as_deref());
            }
            if body.chars().count() > SMS_MAX {
                body = text(&clinic, None, None);
            }
            let over = body.chars().count().saturating_sub(SMS_MAX);
            if over > 0 {
                let keep = clinic.chars().count().saturating_sub(over).max(1);
                let short: String = clinic.chars().take(keep).collect();
                body = text(short.trim_end(), None, None);
            }
            Reminder { subject, body }
        }
    }
}

/// Adds the patient's forms before the visit (issue 28): never a form's name (a consent's
/// title can say what care is planned; 164.502(b), the same minimum as the rest of the
/// reminder). The email carries the portal's forms page (`link`). A text has room for one
/// link only (160 characters, and one text a day: patients-and-messages.md 6.3), so it keeps
/// its own link, whose page offers the forms too, and says so: "Confirm/cancel, forms:". A
/// clinic name too long for that is shortened; at worst the words stay as they were, and the
/// link's page still offers the forms.
pub fn with_forms(mut r: Reminder, channel: Channel, link: &str) -> Reminder {
    match channel {
        Channel::Email => {
            r.body
                .push_str(&format!("\r\nBefore your visit, please fill in your forms: {link}\r\n"));
        }
        Channel::Sms => {
            let longer = r.body.replacen(SMS_CONFIRM, SMS_CONFIRM_FORMS, 1);
            let over = longer.chars().count().saturating_sub(SMS_MAX);
            let at = longer.find(": appointment").unwrap_or_default();
            let (clinic, rest) = longer.split_at(at);
            let keep = clinic.chars().count().saturating_sub(over);
            if over == 0 {
                r.body = longer;
            } else if keep > 0 {
                let short: String = clinic.chars().take(keep).collect();
                r.body = format!("{}{rest}", short.trim_end());
            }
        }
    }
    r
}

/// The words before a text's link, and the same when the link's page also offers forms.
const SMS_CONFIRM: &str = "Confirm/cancel: ";
const SMS_CONFIRM_FORMS: &str = "Confirm/cancel, forms: ";

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const LINK: &str = "https://clinic.example/c/AbCdEfGhIjKlMnOpQrStUvWxYz012345";

    #[test]
    fn the_forms_link_goes_with_the_reminder_and_names_no_form() {
        let at = datetime!(2026-12-09 14:30 UTC);
        let forms = "https://clinic.example/portal/forms";
        let detail = Detail { service: false };
        let email = with_forms(
            reminder(Channel::Email, "Lakeside", None, at, LINK, detail, None),
            Channel::Email,
            forms,
        );
        assert!(
            email.body.contains(&format!("please fill in your forms: {forms}")),
            "{}",
            email.body
        );
        // A text has one link, the reminder's own, whose page offers the forms; it says so,
        // and fits one message even with a long clinic name and a long link.
        let long = "A Very Long Clinic Name For Aesthetic And Wellness Medicine Of The Lakes";
        for clinic in ["Lakeside", long, &"B".repeat(200)] {
            let sms = with_forms(
                reminder(Channel::Sms, clinic, None, at, LINK, detail, None),
                Channel::Sms,
                forms,
            );
            assert!(
                sms.body.contains(&format!("forms: {LINK} Reply STOP")) && !sms.body.contains(forms),
                "{}",
                sms.body
            );
            assert!(sms.body.chars().count() <= SMS_MAX, "{}", sms.body);
            assert!(!sms.body.contains("fill in"), "{}", sms.body);
        }
    }

    #[test]
    fn us_times() {
        let cases = [
            (datetime!(2026-12-07 14:30 -5), "Mon 12/07/2026 at 2:30 PM"),
            (datetime!(2026-12-07 00:05 -5), "Mon 12/07/2026 at 12:05 AM"),
            (datetime!(2026-12-12 12:00 -5), "Sat 12/12/2026 at 12:00 PM"),
            (datetime!(2026-03-09 09:00 -4), "Mon 03/09/2026 at 9:00 AM"),
        ];
        for (at, want) in cases {
            assert_eq!(us_when(at), want);
        }
    }

    #[test]
    fn minimum_necessary_by_default() {
        let at = datetime!(2026-12-07 14:30 -5);
        for channel in [Channel::Sms, Channel::Email] {
            let r = reminder(
                channel,
                "Lakeside Family Care",
                Some("(555) 201-0000"),
                at,
                LINK,
                Detail::default(),
                Some("HIV follow-up"),
            );
            let all = format!("{} {}", r.subject, r.body);
            assert!(all.contains("Lakeside Family Care"), "{channel:?}");
            assert!(all.contains("12/07/2026 at 2:30 PM"), "{channel:?}");
            assert!(all.contains(LINK), "{channel:?}");
            assert!(!all.contains("HIV"), "no service by default: {channel:?}");
        }
        let sms = reminder(
            Channel::Sms,
            "Lakeside Family Care",
            None,
            at,
            LINK,
            Detail::default(),
            None,
        );
        assert!(sms.body.ends_with("Reply STOP to opt out."));
        assert!(sms.body.chars().count() <= SMS_MAX, "{}", sms.body.len());
    }

    /// The clinic's setting decides whether the service is named (minimum necessary by
    /// default, 164.502(b); incidental disclosures limited by safeguards, 164.530(c)(2)(ii)).
    #[test]
    fn the_clinic_setting_decides_whether_the_service_is_named() {
        let at = datetime!(2026-12-07 14:30 -5);
        let off = Detail::default();
        let on = Detail { service: true };
        // (channel, the clinic's setting, the appointment's service, named in the message)
        let cases = [
            (Channel::Sms, off, Some("Physical"), false),
            (Channel::Email, off, Some("Physical"), false),
            (Channel::Sms, on, Some("Physical"), true),
            (Channel::Email, on, Some("Physical"), true),
            (Channel::Sms, on, None, false),
            (Channel::Email, on, Some("   "), false),
            // A text keeps to 160 characters: a service too long for it is left out.
            (Channel::Sms, on, Some("Physical and annual wellness review"), false),
        ];
        for (channel, detail, service, named) in cases {
            let r = reminder(channel, "Lakeside", None, at, LINK, detail, service);
            let all = format!("{} {}", r.subject, r.body);
            assert_eq!(
                all.contains("Physical"),
                named,
                "{channel:?} {detail:?} {service:?}: {all}"
            );
            assert!(!all.contains(" for .") && !all.contains("()"), "{all}");
        }
    }

    #[test]
    fn the_service_only_when_the_clinic_turns_it_on_and_texts_stay_short() {
        let at = datetime!(2026-12-07 14:30 -5);
        let on = Detail { service: true };
        let email = reminder(Channel::Email, "Lakeside", None, at, LINK, on, Some("Physical"));
        assert!(email.body.contains("(Physical)"));
        let sms = reminder(Channel::Sms, "Lakeside", None, at, LINK, on, Some("Physical"));
        assert!(sms.body.contains("for Physical"), "{}", sms.body);
        let long_clinic = "The Very Long Name Of A Small Family Practice And Wellness Center";
        let cases = [
            (long_clinic, Some("(555) 201-0000"), Some("Annual physical examination")),
            ("Lakeside", Some("(555) 201-0000"), Some(&*"x".repeat(200))),
            (&*"A".repeat(300), None, None),
        ];
        for (clinic, phone, service) in cases {
            let r = reminder(Channel::Sms, clinic, phone, at, LINK, on, service);
            assert!(
                r.body.chars().count() <= SMS_MAX,
                "{} chars: {}",
                r.body.chars().count(),
                r.body
            );
            assert!(
                r.body.contains(LINK) && r.body.contains("2:30 PM") && r.body.contains("STOP"),
                "{}",
                r.body
            );
        }
    }
}
