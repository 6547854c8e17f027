//! The clinic's time zone: an IANA name (`America/Chicago`) with its daylight-saving rules, from
//! the time zone database bundled with jiff, so every host reads the same rules and no file is
//! read here. Times are stored as instants (UTC); this turns them into the clinic's wall clock
//! and back. Every "today", opening hour and date shown goes through it.

use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// A clinic's zone. Compared by name.
#[derive(Clone, Debug)]
pub struct ClinicZone {
    name: String,
    tz: jiff::tz::TimeZone,
}

impl PartialEq for ClinicZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ClinicZone {}

impl Default for ClinicZone {
    fn default() -> Self {
        ClinicZone::utc()
    }
}

impl ClinicZone {
    pub fn utc() -> ClinicZone {
        ClinicZone {
            name: "UTC".into(),
            tz: jiff::tz::TimeZone::UTC,
        }
    }

    /// An IANA zone by name, or `None` when the database has no such zone.
    pub fn named(name: &str) -> Option<ClinicZone> {
        let name = name.trim();
        let tz = jiff::tz::db().get(name).ok()?;
        Some(ClinicZone {
            name: tz.iana_name().unwrap_or(name).to_owned(),
            tz,
        })
    }

    /// A fixed offset with no daylight saving (the older `clinic_utc_offset` setting).
    pub fn fixed(offset: UtcOffset) -> ClinicZone {
        let tz = jiff::tz::Offset::from_seconds(offset.whole_seconds())
            .map_or(jiff::tz::TimeZone::UTC, jiff::tz::TimeZone::fixed);
        ClinicZone {
            name: offset.to_string(),
            tz,
        }
    }

    /// `America/Chicago`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's offset from UTC at that instant (daylight saving or not).
    pub fn offset_at(&self, at: OffsetDateTime) -> UtcOffset {
        let seconds = jiff::Timestamp::from_second(at.unix_timestamp())
            .map(|ts| self.tz.to_offset(ts).seconds())
            .unwrap_or(0);
        UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC)
    }

    /// The zone's abbreviation at that instant (`EST`, `EDT`), or the offset (`-05:00`) when
    /// the database has none.
    pub fn abbreviation_at(&self, at: OffsetDateTime) -> String {
        match jiff::Timestamp::from_second(at.unix_timestamp()) {
            Ok(ts) => {
                let info = self.tz.to_offset_info(ts);
                let abbreviation = info.abbreviation();
                if abbreviation.is_empty() || abbreviation.starts_with(['+', '-']) {
                    self.offset_at(at).to_string()
                } else {
                    abbreviation.to_owned()
                }
            }
            Err(_) => self.offset_at(at).to_string(),
        }
    }

    /// The instant on the clinic's wall clock.
    pub fn local(&self, at: OffsetDateTime) -> OffsetDateTime {
        at.to_offset(self.offset_at(at))
    }

    /// The instant a wall-clock time in the clinic names. A time skipped when clocks go forward
    /// is read with the offset before the change (2:30 becomes 3:30), and a time that happens
    /// twice when they go back is the first of the two: the "compatible" rule of RFC 9557 and
    /// of most calendars.
    pub fn assume(&self, wall: PrimitiveDateTime) -> OffsetDateTime {
        let civil = jiff::civil::DateTime::new(
            i16::try_from(wall.year()).unwrap_or(1970),
            i8::try_from(u8::from(wall.month())).unwrap_or(1),
            i8::try_from(wall.day()).unwrap_or(1),
            i8::try_from(wall.hour()).unwrap_or(0),
            i8::try_from(wall.minute()).unwrap_or(0),
            i8::try_from(wall.second()).unwrap_or(0),
            0,
        );
        let seconds = civil
            .ok()
            .and_then(|c| self.tz.to_ambiguous_zoned(c).compatible().ok())
            .map(|z| z.timestamp().as_second());
        match seconds.and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok()) {
            Some(at) => self.local(at),
            None => wall.assume_utc(),
        }
    }
}

/// Every ISO date inside a text (`due 2026-12-06; done 2026-12-01`) in US form (`due
/// 12/06/2026; done 12/01/2026`): for sentences the use cases word with dates in them, and
/// dates kept as ISO text in the store. Anything that is not a real date, and a timestamp
/// (`2026-12-06T10:00`, shown with [`instant`]), stays as written.
pub fn us_dates(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i + 10 <= b.len() {
        // Not on a character's boundary (inside a letter of several bytes): no date starts here.
        let Some(candidate) = text.get(i..i + 10) else {
            i += 1;
            continue;
        };
        let looks = candidate.bytes().enumerate().all(|(k, c)| {
            if k == 4 || k == 7 {
                c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
        let before = i.checked_sub(1).and_then(|j| b.get(j));
        let bounded = before.is_none_or(|c| !c.is_ascii_alphanumeric())
            && b.get(i + 10).is_none_or(|c| !c.is_ascii_alphanumeric());
        if looks && bounded {
            let us = us_date_of_iso(candidate);
            if us != candidate {
                out.push_str(text.get(copied..i).unwrap_or_default());
                out.push_str(&us);
                i += 10;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

/// An ISO date (`2026-12-06`) as a US reader writes it (`12/06/2026`); anything else as given.
fn us_date_of_iso(s: &str) -> String {
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, iso).map_or_else(
        |_| s.to_owned(),
        |d| format!("{:02}/{:02}/{}", u8::from(d.month()), d.day(), d.year()),
    )
}

/// The zones of the United States and its territories, as a chooser offers them first: the
/// six that cover nearly every clinic, then the rest, each with the words staff know it by.
pub const US_ZONES: [(&str, &str); 13] = [
    ("America/New_York", "Eastern time (New York)"),
    ("America/Chicago", "Central time (Chicago)"),
    ("America/Denver", "Mountain time (Denver)"),
    ("America/Phoenix", "Mountain time without daylight saving (Arizona)"),
    ("America/Los_Angeles", "Pacific time (Los Angeles)"),
    ("America/Anchorage", "Alaska time (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii time (Honolulu)"),
    ("America/Detroit", "Eastern time (Michigan)"),
    ("America/Indiana/Indianapolis", "Eastern time (Indiana)"),
    ("America/Boise", "Mountain time (Idaho)"),
    ("America/Adak", "Hawaii-Aleutian time (Adak)"),
    (
        "America/Puerto_Rico",
        "Atlantic time (Puerto Rico, U.S. Virgin Islands)",
    ),
    ("Pacific/Guam", "Chamorro time (Guam, Northern Mariana Islands)"),
];

/// Every zone name the bundled database knows, sorted, for the chooser's full list.
pub fn all_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_owned())
        .filter(|n| n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("SystemV/"))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn new_york_keeps_daylight_saving() {
        let ny = ClinicZone::named("America/New_York").unwrap();
        // 2026: DST from Sunday March 8 (2:00 -> 3:00) to Sunday November 1 (2:00 -> 1:00).
        let cases = [
            (datetime!(2026-01-15 19:30 UTC), offset!(-5), "14:30"),
            (datetime!(2026-07-15 18:30 UTC), offset!(-4), "14:30"),
            (datetime!(2026-03-08 06:59 UTC), offset!(-5), "01:59"),
            (datetime!(2026-03-08 07:00 UTC), offset!(-4), "03:00"),
            (datetime!(2026-11-01 05:30 UTC), offset!(-4), "01:30"),
            (datetime!(2026-11-01 06:30 UTC), offset!(-5), "01:30"),
        ];
        for (at, want, wall) in cases {
            assert_eq!(ny.offset_at(at), want, "{at}");
            let local = ny.local(at);
            assert_eq!(format!("{:02}:{:02}", local.hour(), local.minute()), wall, "{at}");
            assert_eq!(local, at, "the same instant");
        }
    }

    #[test]
    fn wall_times_name_instants_across_the_changes() {
        let ny = ClinicZone::named("America/New_York").unwrap();
        let cases = [
            (datetime!(2026-06-01 14:30), datetime!(2026-06-01 18:30 UTC)),
            (datetime!(2026-12-01 14:30), datetime!(2026-12-01 19:30 UTC)),
            // Skipped by the spring change: read with the winter offset.
            (datetime!(2026-03-08 02:30), datetime!(2026-03-08 07:30 UTC)),
            // Twice in the autumn: the first (daylight) one.
            (datetime!(2026-11-01 01:30), datetime!(2026-11-01 05:30 UTC)),
        ];
        for (wall, want) in cases {
            assert_eq!(ny.assume(wall), want, "{wall}");
        }
    }

    #[test]
    fn names_fixed_offsets_and_utc() {
        assert!(ClinicZone::named("America/Chicago").is_some());
        assert!(ClinicZone::named("Mars/Olympus_Mons").is_none());
        assert!(ClinicZone::named("").is_none());
        let fixed = ClinicZone::fixed(offset!(-5));
        assert_eq!(
            fixed.offset_at(datetime!(2026-07-15 12:00 UTC)),
            offset!(-5),
            "no daylight saving"
        );
        assert_eq!(
            ClinicZone::utc().assume(datetime!(2026-07-15 12:00)),
            datetime!(2026-07-15 12:00 UTC)
        );
        assert_eq!(ClinicZone::named("America/Chicago").unwrap().name(), "America/Chicago");
    }

    #[test]
    fn the_chooser_offers_us_zones_that_exist_and_every_other_name() {
        for (name, words) in US_ZONES {
            assert_eq!(
                ClinicZone::named(name).map(|z| z.name().to_owned()),
                Some(name.to_owned()),
                "{words}"
            );
        }
        let all = all_names();
        assert!(all.len() > 300, "the whole database: {}", all.len());
        for name in ["America/Chicago", "Europe/Paris", "Pacific/Honolulu"] {
            assert!(all.iter().any(|n| n == name), "{name}");
        }
        assert!(
            all.iter().all(|n| ClinicZone::named(n).is_some()),
            "every name listed opens"
        );
    }

    #[test]
    fn iso_dates_inside_text() {
        let cases = [
            ("2026-12-06", "12/06/2026"),
            ("due 2026-12-06; done 2026-12-01.", "due 12/06/2026; done 12/01/2026."),
            ("Last backup 2026-02-30 (worked)", "Last backup 2026-02-30 (worked)"),
            ("id 12026-12-06", "id 12026-12-06"),
            ("2026-12-061", "2026-12-061"),
            ("2026-12-06T10:00:00Z", "2026-12-06T10:00:00Z"),
            ("", ""),
            ("no dates here, café", "no dates here, café"),
            ("café 2026-12-06 à 2026-12-07", "café 12/06/2026 à 12/07/2026"),
        ];
        for (text, want) in cases {
            assert_eq!(us_dates(text), want, "{text}");
        }
    }
}
