//! What a breach of unsecured PHI obliges the clinic to do, and by when, computed from the
//! discovery date, the counts and the facts. Every rule cites its paragraph.
//!
//! - Individuals: no later than 60 calendar days after discovery (164.404(b)).
//! - HHS, 500 or more in total: at the same time as the individual notices (164.408(b)).
//! - HHS, fewer than 500: in the annual log, due 60 days after the end of the calendar year of
//!   discovery (164.408(c)); 1 March, or 29 February in a leap year (our arithmetic).
//! - Media: more than 500 residents of one State or jurisdiction, per State, 60 days
//!   (164.406). Exactly 500 is not more than 500.
//! - Substitute notice: counts only those with insufficient or out-of-date contact details;
//!   fewer than 10, any alternative written notice, phone or other means; 10 or more, a 90-day
//!   web posting or major print or broadcast media, plus a toll-free number for 90 days
//!   (164.404(d)(2)).
//! - A business associate's notice to the clinic: 60 days after the associate's discovery
//!   (164.410(b)).
//! - Law enforcement (164.412): a written statement holds notices for the period it states; an
//!   oral one for at most 30 days from the statement unless a written one follows. Our reading:
//!   a notice is due at the later of its own date and the end of the hold.

use super::states;
use serde::Serialize;
use time::{Date, Duration, Month};

/// 164.404(b), 164.406(b), 164.410(b): "no later than 60 calendar days after discovery".
pub const NOTICE_DAYS: i64 = 60;
/// 164.408(b) vs (c): 500 or more in total.
pub const HHS_IMMEDIATE_AT: u32 = 500;
/// 164.406(a): more than 500 residents of a State or jurisdiction.
pub const MEDIA_ABOVE: u32 = 500;
/// 164.404(d)(2)(ii): 10 or more unreachable individuals.
pub const SUBSTITUTE_PUBLIC_AT: u32 = 10;
/// 164.404(d)(2)(ii)(A)-(B): the web posting and the toll-free number last 90 days.
pub const SUBSTITUTE_DAYS: i64 = 90;
/// 164.412(b): an oral statement holds notices at most 30 days.
pub const ORAL_HOLD_DAYS: i64 = 30;
/// 164.408(c): 60 days after the end of each calendar year.
pub const ANNUAL_LOG_DAYS: i64 = 60;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LawEnforcementDelay {
    /// 164.412(a): a written statement with the period.
    Written { until: Date },
    /// 164.412(b): an oral statement, documented with the official's identity; `written_until`
    /// when a written statement followed within 30 days.
    Oral {
        stated_on: Date,
        written_until: Option<Date>,
    },
}

impl LawEnforcementDelay {
    /// The day the hold ends.
    pub fn ends(&self) -> Date {
        match self {
            LawEnforcementDelay::Written { until } => *until,
            LawEnforcementDelay::Oral {
                stated_on,
                written_until,
            } => {
                let cap = *stated_on + Duration::days(ORAL_HOLD_DAYS);
                match written_until {
                    // A written statement within the 30 days takes over (164.412(a)).
                    Some(w) => *w,
                    None => cap,
                }
            }
        }
    }
}

/// The facts the deadlines depend on.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Facts {
    /// The discovery date (164.404(a)(2)); for a business associate's breach, the associate's.
    pub discovered: Option<Date>,
    pub affected: u32,
    /// Residents per State or jurisdiction (postal code, count).
    pub by_state: Vec<(String, u32)>,
    /// Individuals whose contact information is insufficient or out of date.
    pub unreachable: u32,
    pub law_enforcement: Option<LawEnforcementDelay>,
    /// A business associate discovered it (the clinic counts the associate's discovery as its
    /// own: the earlier clock, right when the associate is its agent).
    pub business_associate: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Individuals,
    Hhs,
    HhsAnnualLog,
    Media,
    SubstituteNotice,
    BusinessAssociateToCoveredEntity,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Individuals => "individuals",
            Kind::Hhs => "hhs",
            Kind::HhsAnnualLog => "hhs_annual_log",
            Kind::Media => "media",
            Kind::SubstituteNotice => "substitute_notice",
            Kind::BusinessAssociateToCoveredEntity => "business_associate_to_covered_entity",
        }
    }
}

/// One thing owed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Obligation {
    pub kind: Kind,
    pub due_on: Date,
    /// For media notice: the State or jurisdiction.
    pub state: Option<String>,
    pub cfr: &'static str,
    pub title: String,
    /// What it must contain or how it is given.
    pub contents: Vec<&'static str>,
}

/// The notice to individuals must contain, to the extent possible (164.404(c)(1)(A)-(E)).
pub const INDIVIDUAL_CONTENT: [&str; 6] = [
    "(A) what happened, with the date of the breach and the date of discovery, if known",
    "(B) the types of unsecured PHI involved (name, date of birth, address, diagnosis, and so on)",
    "(C) the steps individuals should take to protect themselves from potential harm",
    "(D) what the clinic is doing to investigate, mitigate harm and protect against further breaches",
    "(E) how to ask questions: a toll-free number, an email address, a website or a postal address",
    "Written in plain language (164.404(c)(2)); first-class mail to the last known address, or email if the individual agreed (164.404(d)(1))",
];

/// What the HHS breach portal asks for (the submission summary).
pub const HHS_CONTENT: [&str; 6] = [
    "The covered entity's name, address and contact person",
    "Breach start and end dates and the discovery date",
    "Type of breach (theft, loss, unauthorized access or disclosure, hacking/IT incident, improper disposal)",
    "Location of the PHI (laptop, desktop, network server, email, paper, electronic record, other)",
    "Number of individuals affected and the types of PHI involved",
    "Safeguards in place before the breach and actions taken in response",
];

/// Everything owed for a breach of unsecured PHI. Call only when the determination says
/// notify; secured PHI and excluded events owe nothing under Subpart D.
pub fn obligations(f: &Facts) -> Vec<Obligation> {
    let Some(discovered) = f.discovered else {
        return Vec::new();
    };
    let hold = f.law_enforcement.as_ref().map(LawEnforcementDelay::ends);
    let held = |due: Date| hold.map_or(due, |h| due.max(h));
    let sixty = held(discovered + Duration::days(NOTICE_DAYS));
    let mut out = Vec::new();
    if f.business_associate {
        out.push(Obligation {
            kind: Kind::BusinessAssociateToCoveredEntity,
            due_on: sixty,
            state: None,
            cfr: "164.410(b)",
            title: "The business associate notifies the clinic".into(),
            contents: vec![
                "The identity of each individual affected, to the extent possible (164.410(c)(1))",
                "Any other information the clinic needs for its notice to individuals, now or as it becomes available (164.410(c)(2))",
            ],
        });
    }
    out.push(Obligation {
        kind: Kind::Individuals,
        due_on: sixty,
        state: None,
        cfr: "164.404(b)",
        title: format!("Notify the {} individuals affected", f.affected),
        contents: INDIVIDUAL_CONTENT.to_vec(),
    });
    if f.affected >= HHS_IMMEDIATE_AT {
        out.push(Obligation {
            kind: Kind::Hhs,
            due_on: sixty,
            state: None,
            cfr: "164.408(b)",
            title: "Notify HHS through the breach portal, at the same time as the individual notices".into(),
            contents: HHS_CONTENT.to_vec(),
        });
    } else {
        out.push(Obligation {
            kind: Kind::HhsAnnualLog,
            due_on: held(annual_log_due(discovered.year())),
            state: None,
            cfr: "164.408(c)",
            title: format!(
                "Report to HHS in the annual log of breaches discovered in {}",
                discovered.year()
            ),
            contents: HHS_CONTENT.to_vec(),
        });
    }
    let mut states: Vec<&(String, u32)> = f.by_state.iter().filter(|(_, n)| *n > MEDIA_ABOVE).collect();
    states.sort();
    for (state, n) in states {
        out.push(Obligation {
            kind: Kind::Media,
            due_on: sixty,
            state: Some(state.clone()),
            cfr: "164.406",
            title: format!("Notify prominent media outlets serving {state} ({n} residents affected)"),
            contents: INDIVIDUAL_CONTENT[..5].to_vec(),
        });
    }
    if f.unreachable > 0 {
        let public = f.unreachable >= SUBSTITUTE_PUBLIC_AT;
        out.push(Obligation {
            kind: Kind::SubstituteNotice,
            due_on: sixty,
            state: None,
            cfr: if public { "164.404(d)(2)(ii)" } else { "164.404(d)(2)(i)" },
            title: format!(
                "Substitute notice for the {} individuals without usable contact details",
                f.unreachable
            ),
            contents: if public {
                vec![
                    "A conspicuous posting on the home page of the clinic's website for 90 days, or a conspicuous notice in major print or broadcast media where they likely live (164.404(d)(2)(ii)(A))",
                    "And a toll-free number, active at least 90 days, where people can learn whether their PHI was involved (164.404(d)(2)(ii)(B))",
                ]
            } else {
                vec!["An alternative form of written notice, a telephone call, or other means (164.404(d)(2)(i))"]
            },
        });
    }
    out
}

/// 60 days after 31 December of the year of discovery: 1 March, or 29 February in a leap year.
pub fn annual_log_due(year_discovered: i32) -> Date {
    let dec31 = Date::from_calendar_date(year_discovered, Month::December, 31).unwrap_or(Date::MIN);
    dec31 + Duration::days(ANNUAL_LOG_DAYS)
}

/// Parses a law-enforcement delay: `written:YYYY-MM-DD` (held until that day),
/// `oral:YYYY-MM-DD` (the day of the oral statement), or `oral:YYYY-MM-DD:written:YYYY-MM-DD`
/// (an oral statement confirmed in writing within 30 days, held until the second date).
pub fn parse_law_enforcement(s: &str) -> Result<LawEnforcementDelay, String> {
    let date = |d: &str| {
        crate::records::patient::parse_date(d.trim()).map_err(|_| format!("'{d}' is not a date like 2026-11-22"))
    };
    let parts: Vec<&str> = s.trim().split(':').collect();
    match parts.as_slice() {
        ["written", until] => Ok(LawEnforcementDelay::Written { until: date(until)? }),
        ["oral", on] => Ok(LawEnforcementDelay::Oral {
            stated_on: date(on)?,
            written_until: None,
        }),
        ["oral", on, "written", until] => {
            let stated_on = date(on)?;
            let until = date(until)?;
            Ok(LawEnforcementDelay::Oral {
                stated_on,
                written_until: Some(until),
            })
        }
        _ => {
            Err("write the delay as written:YYYY-MM-DD, oral:YYYY-MM-DD, or oral:YYYY-MM-DD:written:YYYY-MM-DD".into())
        }
    }
}

/// Parses `ST=N,ST=N` into counts; the error names the bad part.
pub fn parse_by_state(s: &str) -> Result<Vec<(String, u32)>, String> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (st, n) = part
            .split_once('=')
            .ok_or_else(|| format!("'{part}': write each state as ST=N, e.g. TX=120"))?;
        let code = states::code(st).ok_or_else(|| format!("'{st}' is not a US state or territory code"))?;
        let n: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("'{part}': the count must be a whole number"))?;
        match out.iter_mut().find(|(s, _)| s == code) {
            Some(e) => e.1 += n,
            None => out.push((code.to_owned(), n)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn facts(affected: u32, by_state: &[(&str, u32)]) -> Facts {
        Facts {
            discovered: Some(date!(2026 - 03 - 02)),
            affected,
            by_state: by_state.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect(),
            ..Facts::default()
        }
    }

    /// An obligation's kind and State.
    type Owed<'a> = (&'a str, Option<String>);

    fn kinds(o: &[Obligation]) -> Vec<Owed<'static>> {
        o.iter().map(|o| (o.kind.as_str(), o.state.clone())).collect()
    }

    #[test]
    fn thresholds() {
        let cases: Vec<(&str, Facts, Vec<Owed<'_>>)> = vec![
            (
                "164.408(b) 500 or more: HHS now; 164.406 exactly 500 in one state is not more than 500",
                facts(500, &[("TX", 500)]),
                vec![("individuals", None), ("hhs", None)],
            ),
            (
                "164.406: 501 in one state: media there",
                facts(501, &[("TX", 501)]),
                vec![("individuals", None), ("hhs", None), ("media", Some("TX".into()))],
            ),
            (
                "164.408(b), 164.406: 900 across states, none above 500: HHS now, no media",
                facts(900, &[("TX", 400), ("OK", 300), ("NM", 200)]),
                vec![("individuals", None), ("hhs", None)],
            ),
            (
                "164.406: media per state",
                facts(1300, &[("TX", 700), ("OK", 600)]),
                vec![
                    ("individuals", None),
                    ("hhs", None),
                    ("media", Some("OK".into())),
                    ("media", Some("TX".into())),
                ],
            ),
            (
                "164.408(c): 499 goes to the annual log",
                facts(499, &[("TX", 499)]),
                vec![("individuals", None), ("hhs_annual_log", None)],
            ),
            (
                "164.410: a business associate's breach",
                Facts {
                    business_associate: true,
                    ..facts(3, &[])
                },
                vec![
                    ("business_associate_to_covered_entity", None),
                    ("individuals", None),
                    ("hhs_annual_log", None),
                ],
            ),
            ("no discovery date yet: nothing computed", Facts::default(), vec![]),
        ];
        for (why, f, want) in cases {
            let got = obligations(&f);
            assert_eq!(kinds(&got), want, "{why}");
        }
    }

    /// 164.404(b), 164.406(b), 164.408(b): 60 calendar days after discovery.
    #[test]
    fn sixty_calendar_days() {
        let o = obligations(&facts(600, &[("TX", 600)]));
        for ob in &o {
            assert_eq!(ob.due_on, date!(2026 - 05 - 01), "{:?}", ob.kind);
        }
    }

    /// 164.408(c): 60 days after the end of the calendar year of *discovery*.
    #[test]
    fn the_annual_log() {
        let due = |d: Date| {
            obligations(&Facts {
                discovered: Some(d),
                ..facts(10, &[])
            })
            .into_iter()
            .find(|o| o.kind == Kind::HhsAnnualLog)
            .map(|o| o.due_on)
        };
        let cases = [
            // Discovered on 31 December vs 1 January: a year apart.
            (date!(2026 - 12 - 31), date!(2027 - 03 - 01)),
            (date!(2027 - 01 - 01), date!(2028 - 02 - 29)),
            // Leap years: 29 February when the next year is a leap year.
            (date!(2027 - 06 - 15), date!(2028 - 02 - 29)),
            (date!(2023 - 06 - 15), date!(2024 - 02 - 29)),
            (date!(2024 - 06 - 15), date!(2025 - 03 - 01)),
        ];
        for (discovered, want) in cases {
            assert_eq!(due(discovered), Some(want), "discovered {discovered}");
        }
    }

    /// 164.404(d)(2): counts only the unreachable; 9 vs 10.
    #[test]
    fn substitute_notice() {
        let sub = |n: u32| {
            obligations(&Facts {
                unreachable: n,
                ..facts(200, &[])
            })
            .into_iter()
            .find(|o| o.kind == Kind::SubstituteNotice)
        };
        assert!(sub(0).is_none());
        let nine = sub(9).unwrap();
        assert_eq!(nine.cfr, "164.404(d)(2)(i)");
        assert_eq!(nine.contents.len(), 1);
        let ten = sub(10).unwrap();
        assert_eq!(ten.cfr, "164.404(d)(2)(ii)");
        assert!(ten.contents[0].contains("90 days") && ten.contents[1].contains("toll-free"));
    }

    /// 164.412: written holds for its period; oral at most 30 days unless confirmed in writing.
    #[test]
    fn law_enforcement_delay() {
        let due = |d: LawEnforcementDelay| {
            obligations(&Facts {
                law_enforcement: Some(d),
                ..facts(600, &[("TX", 600)])
            })
            .into_iter()
            .map(|o| (o.kind.as_str(), o.due_on))
            .collect::<Vec<_>>()
        };
        let written = due(LawEnforcementDelay::Written {
            until: date!(2026 - 07 - 01),
        });
        assert!(written.iter().all(|(_, d)| *d == date!(2026 - 07 - 01)), "{written:?}");
        // Oral on 20 April: held to 20 May at most, though the official asked for longer.
        let oral = due(LawEnforcementDelay::Oral {
            stated_on: date!(2026 - 04 - 20),
            written_until: None,
        });
        assert!(oral.iter().all(|(_, d)| *d == date!(2026 - 05 - 20)), "{oral:?}");
        // Oral early on: the hold ends before the 60 days do, so the 60 days stand.
        let early = due(LawEnforcementDelay::Oral {
            stated_on: date!(2026 - 03 - 03),
            written_until: None,
        });
        assert!(early.iter().all(|(_, d)| *d == date!(2026 - 05 - 01)), "{early:?}");
        // Confirmed in writing within the 30 days: the written period.
        let confirmed = due(LawEnforcementDelay::Oral {
            stated_on: date!(2026 - 04 - 20),
            written_until: Some(date!(2026 - 08 - 01)),
        });
        assert!(
            confirmed.iter().all(|(_, d)| *d == date!(2026 - 08 - 01)),
            "{confirmed:?}"
        );
    }

    #[test]
    fn parsing_delays() {
        assert_eq!(
            parse_law_enforcement("oral:2026-04-20"),
            Ok(LawEnforcementDelay::Oral {
                stated_on: date!(2026 - 04 - 20),
                written_until: None
            })
        );
        assert_eq!(
            parse_law_enforcement("written:2026-07-01"),
            Ok(LawEnforcementDelay::Written {
                until: date!(2026 - 07 - 01)
            })
        );
        assert!(parse_law_enforcement("oral:2026-04-20:written:2026-08-01").is_ok());
        assert!(parse_law_enforcement("phoned").is_err());
        assert!(parse_law_enforcement("written:soon").unwrap_err().contains("soon"));
    }

    #[test]
    fn parsing_counts_by_state() {
        assert_eq!(
            parse_by_state("TX=120, ok=3,TX=1"),
            Ok(vec![("TX".into(), 121), ("OK".into(), 3)])
        );
        assert!(parse_by_state("Texas=1").unwrap_err().contains("Texas"));
        assert!(parse_by_state("TX").unwrap_err().contains("ST=N"));
        assert!(parse_by_state("TX=many").unwrap_err().contains("whole number"));
        assert_eq!(parse_by_state(""), Ok(vec![]));
    }
}
