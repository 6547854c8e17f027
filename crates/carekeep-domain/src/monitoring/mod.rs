//! Access monitoring (164.308(a)(1)(ii)(D) information system activity review; 164.308(a)(5)(ii)(C)
//! log-in monitoring): accesses that look wrong, found in the audit trail for the compliance
//! officer to review. Pure rules over plain records; the store and the schedule are elsewhere.
//!
//! Rules here: a chart opened with no appointment or encounter within 30 days either side, more
//! distinct charts than allowed in one hour, PHI access outside clinic hours, any access by a
//! disabled account, a staff member opening the record of a patient with their own surname,
//! and every break-glass.

pub mod explain;

use std::collections::{BTreeMap, BTreeSet};
use time::{OffsetDateTime, Weekday};

/// One audit event as the rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    pub seq: i64,
    pub at: OffsetDateTime,
    pub actor_id: Option<i64>,
    pub action: String,
    pub patients: Vec<i64>,
    /// The event touched the clinical class (a chart's notes, vitals, photos ...).
    pub clinical: bool,
    /// The account an administration event acted on (a role change's account).
    pub target_id: Option<i64>,
    /// The roles the actor held when acting.
    pub actor_roles: Vec<String>,
    /// For a role definition, the role defined ([`role_defined`]).
    pub role_defined: Option<String>,
    /// A read of patients' names to show the audit trail itself (resource `AuditEvent`): the
    /// reviewer's own look at the trail, not a chart lookup, so it never counts toward a bulk
    /// lookup (reviewing a finding about 35 charts would otherwise raise one of its own).
    pub trail_review: bool,
}

/// The reason a role definition is recorded with; [`role_defined`] reads the name back.
pub fn role_definition_reason(name: &str, grants: &str, capabilities: &str) -> String {
    format!("role {name} = {grants} [{capabilities}]")
}

/// The role a role definition's reason names.
pub fn role_defined(reason: &str) -> Option<&str> {
    reason.strip_prefix("role ")?.split_once(" = ").map(|(name, _)| name)
}

/// What the rules know of patients and staff beyond the trail.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Relations {
    /// When each patient had an appointment or an encounter at the clinic.
    pub care: BTreeMap<i64, Vec<OffsetDateTime>>,
    /// Each staff member's surname and each patient's, folded for comparison.
    pub staff_surnames: BTreeMap<i64, String>,
    pub patient_surnames: BTreeMap<i64, String>,
}

/// A chart opened this far from any appointment or encounter is flagged.
pub const CARE_WINDOW: time::Duration = time::Duration::days(30);

impl Access {
    fn touches_phi(&self) -> bool {
        self.action.starts_with("phi.")
    }
}

/// The clinic's opening hours, in its own time zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClinicHours {
    /// The clinic's zone, daylight saving included: a 2:30 PM visit in July is open hours.
    pub zone: crate::zone::ClinicZone,
    pub days: Vec<Weekday>,
    /// Opening and closing hour, 0 to 24; open when `open <= hour < close`.
    pub open_hour: u8,
    pub close_hour: u8,
}

impl ClinicHours {
    pub fn is_open(&self, at: OffsetDateTime) -> bool {
        let local = self.zone.local(at);
        self.days.contains(&local.weekday()) && (self.open_hour..self.close_hour).contains(&local.hour())
    }
}

impl Default for ClinicHours {
    /// Monday to Friday, 07:00 to 19:00 UTC: a clinic sets its own in the configuration.
    fn default() -> Self {
        ClinicHours {
            zone: crate::zone::ClinicZone::utc(),
            days: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
            ],
            open_hour: 7,
            close_hour: 19,
        }
    }
}

/// Thresholds and hours for the rules.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Settings {
    pub hours: ClinicHours,
    /// More distinct patients than this for one user in one clock hour is a bulk lookup.
    pub max_charts_per_hour: usize,
}

/// Which rule found something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    BulkLookup,
    AfterHours,
    DisabledAccount,
    BreakGlass,
    NoCareRelationship,
    SameSurname,
    SelfEscalation,
}

impl Rule {
    pub const ALL: [Rule; 7] = [
        Rule::BulkLookup,
        Rule::AfterHours,
        Rule::DisabledAccount,
        Rule::BreakGlass,
        Rule::NoCareRelationship,
        Rule::SameSurname,
        Rule::SelfEscalation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::BulkLookup => "bulk_lookup",
            Rule::AfterHours => "after_hours",
            Rule::DisabledAccount => "disabled_account",
            Rule::BreakGlass => "break_glass",
            Rule::NoCareRelationship => "no_care_relationship",
            Rule::SameSurname => "same_surname",
            Rule::SelfEscalation => "self_escalation",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Rule::BulkLookup => "Many different charts opened within one hour",
            Rule::AfterHours => "Patient information opened outside clinic hours",
            Rule::DisabledAccount => "Activity by an account that was disabled",
            Rule::BreakGlass => "Emergency (break-glass) access to a restricted chart",
            Rule::NoCareRelationship => "A chart opened with no appointment or visit within 30 days",
            Rule::SameSurname => "A staff member opened the record of a patient with their own surname",
            Rule::SelfEscalation => "A person changed their own access: their roles, or a role they hold",
        }
    }
}

/// Something for the compliance officer to look at, with the events behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub actor_id: Option<i64>,
    /// Identifies the finding, so a second scan of the same events adds nothing new.
    pub key: String,
    pub seqs: Vec<i64>,
    pub summary: String,
}

/// One account's clock hour as far as scans have read it: the bulk-lookup rule counts the
/// hour whole, and a scan that reads only the events since the last scan
/// ([`scan_after`]) carries the hour's earlier patients over from the scans before it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HourSeen {
    pub patients: BTreeSet<i64>,
    pub seqs: Vec<i64>,
}

/// Hours seen, by account and hour ([`hour_of`]).
pub type Hours = BTreeMap<(i64, i64), HourSeen>;

/// The clock hour an access counts in for the bulk-lookup rule (hours since the epoch).
pub fn hour_of(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(3600)
}

/// The hours (account, hour) that `accesses` add to: the ones [`scan_after`] needs from the
/// scans before.
pub fn hours_touched(accesses: &[Access]) -> BTreeSet<(i64, i64)> {
    accesses
        .iter()
        .filter(|a| a.touches_phi() && !a.trail_review)
        .filter_map(|a| Some((a.actor_id?, hour_of(a.at))))
        .collect()
}

/// Finds what the rules flag in `accesses`. `disabled` maps user ids to when they were disabled.
pub fn scan(
    accesses: &[Access],
    disabled: &BTreeMap<i64, OffsetDateTime>,
    settings: &Settings,
    relations: &Relations,
) -> Vec<Finding> {
    scan_after(accesses, &Hours::new(), disabled, settings, relations).0
}

/// [`scan`] of the accesses after those earlier scans read, given the hours they saw
/// (`earlier`, at least the [`hours_touched`] by `accesses`). Every rule but the bulk lookup
/// judges each access alone; the bulk lookup counts the hour's patients with the earlier ones,
/// so scanning a trail in parts finds what one scan of it does. Returns the findings and the
/// touched hours with the new accesses added, for the next scan.
pub fn scan_after(
    accesses: &[Access],
    earlier: &Hours,
    disabled: &BTreeMap<i64, OffsetDateTime>,
    settings: &Settings,
    relations: &Relations,
) -> (Vec<Finding>, Hours) {
    let mut out = Vec::new();
    let mut no_care: BTreeMap<(i64, i64, i64), Vec<i64>> = BTreeMap::new();
    let mut same_name: BTreeMap<(i64, i64), Vec<i64>> = BTreeMap::new();
    let mut per_hour = Hours::new();
    let mut after_hours: BTreeMap<(i64, i64), Vec<i64>> = BTreeMap::new();
    for a in accesses {
        let Some(actor) = a.actor_id else { continue };
        // PHI access or a sign-in attempt by a disabled account; the system ending its
        // sessions is not the account acting.
        if let Some(when) = disabled.get(&actor) {
            if a.at >= *when && (a.touches_phi() || a.action.starts_with("login.")) {
                out.push(Finding {
                    rule: Rule::DisabledAccount,
                    actor_id: Some(actor),
                    key: format!("disabled_account:{}", a.seq),
                    seqs: vec![a.seq],
                    summary: format!("'{}' by an account disabled at {}", a.action, when.unix_timestamp()),
                });
            }
        }
        if a.action == "phi.break_glass" {
            out.push(Finding {
                rule: Rule::BreakGlass,
                actor_id: Some(actor),
                key: format!("break_glass:{}", a.seq),
                seqs: vec![a.seq],
                summary: "break-glass access".into(),
            });
        }
        // Access is established and modified by someone other than the person it is for
        // (164.308(a)(4)(ii)(C), 164.308(a)(3)(ii)(A)): changing one's own roles, or the
        // definition of a role one holds, is reviewed (164.308(a)(1)(ii)(D)). A one-person
        // clinic has no second administrator to confirm, so it is flagged, not refused.
        let own_roles = a.action == "user.roles_changed" && a.target_id == Some(actor);
        let own_role_defined =
            a.action == "setting.changed" && a.role_defined.as_ref().is_some_and(|r| a.actor_roles.contains(r));
        if own_roles || own_role_defined {
            out.push(Finding {
                rule: Rule::SelfEscalation,
                actor_id: Some(actor),
                key: format!("self_escalation:{}", a.seq),
                seqs: vec![a.seq],
                summary: if own_roles {
                    "changed their own roles".into()
                } else {
                    format!(
                        "changed the definition of role '{}', which they hold",
                        a.role_defined.as_deref().unwrap_or_default()
                    )
                },
            });
        }
        if !a.touches_phi() {
            continue;
        }
        // One patient's record opened (not a list or search result).
        if let [patient] = a.patients[..] {
            // A clinic shares its patients among its clinicians, so any appointment or visit
            // at the clinic near the access counts as a reason to open the chart.
            let near = relations
                .care
                .get(&patient)
                .is_some_and(|times| times.iter().any(|t| (*t - a.at).abs() <= CARE_WINDOW));
            if a.clinical && a.action == "phi.read" && !near {
                let day = i64::from(settings.hours.zone.local(a.at).date().to_julian_day());
                no_care.entry((actor, patient, day)).or_default().push(a.seq);
            }
            let same = relations.staff_surnames.get(&actor).filter(|s| !s.is_empty())
                == relations.patient_surnames.get(&patient).filter(|s| !s.is_empty());
            if same
                && relations.staff_surnames.contains_key(&actor)
                && relations.patient_surnames.contains_key(&patient)
            {
                same_name.entry((actor, patient)).or_default().push(a.seq);
            }
        }
        if !a.trail_review {
            let key = (actor, hour_of(a.at));
            let bucket = per_hour
                .entry(key)
                .or_insert_with(|| earlier.get(&key).cloned().unwrap_or_default());
            bucket.patients.extend(a.patients.iter().copied());
            bucket.seqs.push(a.seq);
        }
        if !settings.hours.is_open(a.at) {
            let day = settings.hours.zone.local(a.at).date().to_julian_day();
            after_hours.entry((actor, i64::from(day))).or_default().push(a.seq);
        }
    }
    for (&(actor, hour), seen) in &per_hour {
        if seen.patients.len() > settings.max_charts_per_hour {
            out.push(Finding {
                rule: Rule::BulkLookup,
                actor_id: Some(actor),
                key: format!("bulk_lookup:{actor}:{hour}"),
                seqs: seen.seqs.clone(),
                summary: format!(
                    "{} different patients in one hour (limit {})",
                    seen.patients.len(),
                    settings.max_charts_per_hour
                ),
            });
        }
    }
    for ((actor, day), seqs) in after_hours {
        out.push(Finding {
            rule: Rule::AfterHours,
            actor_id: Some(actor),
            key: format!("after_hours:{actor}:{day}"),
            summary: format!("{} access(es) to patient information outside clinic hours", seqs.len()),
            seqs,
        });
    }
    for ((actor, patient, day), seqs) in no_care {
        out.push(Finding {
            rule: Rule::NoCareRelationship,
            actor_id: Some(actor),
            key: format!("no_care_relationship:{actor}:{patient}:{day}"),
            summary: format!("patient {patient}'s chart opened with no appointment or visit within 30 days"),
            seqs,
        });
    }
    for ((actor, patient), seqs) in same_name {
        out.push(Finding {
            rule: Rule::SameSurname,
            actor_id: Some(actor),
            key: format!("same_surname:{actor}:{patient}"),
            summary: format!("patient {patient}'s record opened by a staff member with the same surname"),
            seqs,
        });
    }
    out.sort_by(|a, b| (a.rule, &a.key).cmp(&(b.rule, &b.key)));
    (out, per_hour)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    fn settings() -> Settings {
        Settings {
            hours: ClinicHours {
                zone: crate::zone::ClinicZone::fixed(offset!(-5)),
                days: vec![
                    Weekday::Monday,
                    Weekday::Tuesday,
                    Weekday::Wednesday,
                    Weekday::Thursday,
                    Weekday::Friday,
                ],
                open_hour: 7,
                close_hour: 19,
            },
            max_charts_per_hour: 3,
        }
    }

    fn access(seq: i64, at: OffsetDateTime, actor: i64, action: &str, patient: i64) -> Access {
        Access {
            seq,
            at,
            actor_id: Some(actor),
            action: action.into(),
            patients: vec![patient],
            clinical: true,
            target_id: None,
            actor_roles: vec![],
            role_defined: None,
            trail_review: false,
        }
    }

    /// Changing one's own roles, or a role one holds, is flagged; administering others is not.
    #[test]
    fn self_escalation() {
        let tue = datetime!(2026-03-03 10:00 UTC);
        let admin = |seq, action: &str, target: Option<i64>, defined: Option<&str>| Access {
            target_id: target,
            actor_roles: vec!["owner".into(), "helper".into()],
            role_defined: defined.map(str::to_owned),
            patients: vec![],
            ..access(seq, tue, 1, action, 0)
        };
        let cases = [
            (
                admin(1, "user.roles_changed", Some(1), None),
                true,
                "own roles (164.308(a)(4)(ii)(C))",
            ),
            (
                admin(2, "user.roles_changed", Some(2), None),
                false,
                "someone else's roles",
            ),
            (
                admin(3, "setting.changed", None, Some("helper")),
                true,
                "a role the actor holds",
            ),
            (
                admin(4, "setting.changed", None, Some("front_desk_plus")),
                false,
                "a role the actor does not hold",
            ),
            (admin(5, "setting.changed", None, None), false, "another setting"),
        ];
        for (a, flagged, why) in cases {
            let found = scan(&[a], &BTreeMap::new(), &Settings::default(), &Relations::default());
            assert_eq!(
                found.iter().any(|f| f.rule == Rule::SelfEscalation),
                flagged,
                "{why}: {found:?}"
            );
        }
        let reason = role_definition_reason("helper", "clinical:rw", "administer_users");
        assert_eq!(role_defined(&reason), Some("helper"));
        assert_eq!(role_defined("clinic hours changed"), None);
    }

    /// Every patient of the normal day was seen last week; staff and patients share no surname.
    fn relations() -> Relations {
        let seen = datetime!(2026-02-25 15:00 UTC);
        Relations {
            care: (0..1000).map(|p| (p, vec![seen])).collect(),
            staff_surnames: BTreeMap::from([(1, "okafor".into()), (2, "lindqvist".into()), (7, "moreau".into())]),
            patient_surnames: (0..1000).map(|p| (p, format!("patient{p}"))).collect(),
        }
    }

    /// A normal Tuesday: a few charts per hour, in opening hours, by enabled accounts.
    fn normal_day() -> Vec<Access> {
        let t = datetime!(2026-03-03 14:00 UTC); // 09:00 in the clinic (UTC-5)
        (0..24)
            .map(|i| {
                access(
                    i + 1,
                    t + time::Duration::minutes(20 * i),
                    1 + i % 2,
                    "phi.read",
                    100 + i % 3,
                )
            })
            .collect()
    }

    #[test]
    fn a_normal_day_raises_nothing() {
        assert_eq!(scan(&normal_day(), &BTreeMap::new(), &settings(), &relations()), vec![]);
    }

    #[test]
    fn each_rule_fires_on_its_case() {
        let tue = datetime!(2026-03-03 15:00 UTC); // 10:00 local
        let bulk: Vec<Access> = (0..4)
            .map(|i| access(100 + i, tue + time::Duration::minutes(i), 7, "phi.read", 500 + i))
            .collect();
        let late = vec![access(200, datetime!(2026-03-04 03:30 UTC), 8, "phi.read", 9)]; // 22:30 local, Tuesday
        let weekend = vec![access(201, datetime!(2026-03-07 15:00 UTC), 8, "phi.update", 9)]; // Saturday
        let after_disable = vec![
            access(300, tue, 9, "phi.read", 1),
            access(301, tue, 9, "session.ended", 0),
        ];
        let attempt = vec![access(302, tue, 9, "login.failed", 0)];
        let glass = vec![access(400, tue, 10, "phi.break_glass", 2)];
        // Patient 5000 has never been seen; a chart read is flagged, a search listing is not.
        let stranger = vec![
            access(500, tue, 1, "phi.read", 5000),
            access(501, tue, 1, "phi.search", 5000),
        ];
        let stale = vec![access(502, tue + time::Duration::days(42), 1, "phi.read", 7)];
        let not_clinical = vec![Access {
            clinical: false,
            ..access(503, tue, 1, "phi.read", 5000)
        }];
        let kin = vec![
            access(600, tue, 2, "phi.read", 42),
            access(601, tue, 2, "phi.update", 42),
        ];
        // The compliance officer's audit page naming 40 patients is a look at the trail.
        let trail = vec![Access {
            patients: (0..40).collect(),
            clinical: false,
            trail_review: true,
            ..access(700, tue, 11, "phi.read", 0)
        }];
        let disabled = BTreeMap::from([(9, tue - time::Duration::hours(1))]);
        type Case<'a> = (&'a str, Vec<Access>, Vec<(Rule, Vec<i64>)>);
        let cases: Vec<Case<'_>> = vec![
            (
                "4 charts in an hour, limit 3",
                bulk,
                vec![(Rule::BulkLookup, vec![100, 101, 102, 103])],
            ),
            ("22:30 on a weekday", late, vec![(Rule::AfterHours, vec![200])]),
            ("Saturday", weekend, vec![(Rule::AfterHours, vec![201])]),
            (
                "after the account was disabled",
                after_disable,
                vec![(Rule::DisabledAccount, vec![300])],
            ),
            (
                "sign-in attempt by a disabled account",
                attempt,
                vec![(Rule::DisabledAccount, vec![302])],
            ),
            ("break-glass", glass, vec![(Rule::BreakGlass, vec![400])]),
            (
                "a chart nobody is treating",
                stranger,
                vec![(Rule::NoCareRelationship, vec![500])],
            ),
            (
                "48 days after the last visit",
                stale,
                vec![(Rule::NoCareRelationship, vec![502])],
            ),
            ("front desk details, not the chart", not_clinical, vec![]),
            ("names on the audit trail's page (164.308(a)(1)(ii)(D))", trail, vec![]),
            (
                "a staff member's own surname",
                kin,
                vec![(Rule::SameSurname, vec![600, 601])],
            ),
        ];
        let mut relations = relations();
        relations.care.remove(&5000);
        relations.patient_surnames.insert(42, "lindqvist".into());
        for (name, events, want) in cases {
            let got: Vec<(Rule, Vec<i64>)> = scan(&events, &disabled, &settings(), &relations)
                .into_iter()
                .map(|f| (f.rule, f.seqs))
                .collect();
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn the_same_events_give_the_same_keys() {
        let tue = datetime!(2026-03-03 15:00 UTC);
        let bulk: Vec<Access> = (0..5).map(|i| access(i, tue, 7, "phi.read", i)).collect();
        let a = scan(&bulk, &BTreeMap::new(), &settings(), &relations());
        let b = scan(&bulk, &BTreeMap::new(), &settings(), &relations());
        assert_eq!(a, b);
        assert_eq!(a[0].key, format!("bulk_lookup:7:{}", tue.unix_timestamp() / 3600));
    }

    /// A trail scanned in parts, each part with the hours the parts before it saw, finds what
    /// one scan of the whole finds (164.308(a)(1)(ii)(D)): the bulk lookup's hour counts the
    /// patients of every part, and its finding names every event of the hour so far.
    #[test]
    fn a_trail_scanned_in_parts_finds_what_one_scan_finds() {
        let tue = datetime!(2026-03-03 15:00 UTC); // 10:00 in the clinic
        let night = datetime!(2026-03-04 03:00 UTC); // 22:00 in the clinic
        let mut trail: Vec<Access> = (0..3).map(|i| access(i + 1, tue, 7, "phi.read", i)).collect();
        trail.push(access(4, night, 1, "phi.read", 5));
        trail.extend((0..2).map(|i| access(5 + i, tue + time::Duration::minutes(30), 7, "phi.read", 3 + i)));
        trail.push(access(7, night + time::Duration::minutes(5), 1, "phi.read", 6));
        trail.push(access(8, tue + time::Duration::hours(1), 7, "phi.read", 9));
        let whole = scan(&trail, &BTreeMap::new(), &settings(), &relations());
        assert!(whole
            .iter()
            .any(|f| f.rule == Rule::BulkLookup && f.seqs == vec![1, 2, 3, 5, 6]));
        assert!(whole.iter().any(|f| f.rule == Rule::AfterHours));
        let keys = |f: &[Finding]| f.iter().map(|f| (f.key.clone(), f.seqs.clone())).collect::<Vec<_>>();
        // The findings (by key prefix) whose events must be the whole scan's exactly.
        let cases: [(&str, &[usize], &str); 4] = [
            ("one part", &[8], ""),
            ("the bulk hour split before its fourth patient", &[4, 8], "bulk_lookup"),
            ("each event alone", &[1, 2, 3, 4, 5, 6, 7, 8], "none"),
            ("the after-hours day split", &[3, 6, 8], "bulk_lookup"),
        ];
        for (name, ends, exact) in cases {
            let mut kept = Hours::new();
            let mut found: BTreeMap<String, Finding> = BTreeMap::new();
            let mut start = 0;
            for &end in ends {
                let part = &trail[start..end];
                let earlier: Hours = hours_touched(part)
                    .into_iter()
                    .filter_map(|k| Some((k, kept.get(&k)?.clone())))
                    .collect();
                let (findings, seen) = scan_after(part, &earlier, &BTreeMap::new(), &settings(), &relations());
                kept.extend(seen);
                for f in findings {
                    // A finding is kept once, as first found (the store's key is unique).
                    found.entry(f.key.clone()).or_insert(f);
                }
                start = end;
            }
            let found: Vec<Finding> = found.into_values().collect();
            let mut whole_keys: Vec<String> = whole.iter().map(|f| f.key.clone()).collect();
            whole_keys.sort();
            assert_eq!(
                found.iter().map(|f| f.key.clone()).collect::<Vec<_>>(),
                whole_keys,
                "{name}"
            );
            // As before scans were kept, a finding names the events up to its first finding:
            // what the officer was shown then, not later accesses of the same hour or day.
            let whole: BTreeMap<String, Vec<i64>> = keys(&whole).into_iter().collect();
            for f in &found {
                assert!(whole[&f.key].starts_with(&f.seqs), "{name}: {f:?}");
                if f.key.starts_with(exact) {
                    assert_eq!(whole[&f.key], f.seqs, "{name}");
                }
            }
        }
    }

    #[test]
    fn opening_hours_follow_the_clinic_clock() {
        let h = settings().hours;
        assert!(h.is_open(datetime!(2026-03-03 12:00 UTC))); // 07:00 local
        assert!(!h.is_open(datetime!(2026-03-03 11:59 UTC))); // 06:59 local
        assert!(!h.is_open(datetime!(2026-03-04 00:00 UTC))); // 19:00 local
    }

    #[test]
    fn opening_hours_follow_daylight_saving() {
        // The case: a fixed -05:00 made a summer afternoon in New York "after hours".
        let hours = ClinicHours {
            zone: crate::zone::ClinicZone::named("America/New_York").unwrap(),
            days: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
            ],
            open_hour: 8,
            close_hour: 18,
        };
        let cases = [
            // 2:30 PM EDT, a Wednesday in July.
            (datetime!(2026-07-15 18:30 UTC), true),
            // 6:30 PM EDT: closed, though 17:30 at a fixed -05:00.
            (datetime!(2026-07-15 22:30 UTC), false),
            // 7:30 AM EDT: closed, though 8:30 at -05:00... and 8:30 AM EST in January is open.
            (datetime!(2026-07-15 11:30 UTC), false),
            (datetime!(2026-01-14 13:30 UTC), true),
            // Friday evening in UTC, still Friday afternoon in New York.
            (datetime!(2026-07-18 00:30 UTC), false),
            (datetime!(2026-07-17 20:00 UTC), true),
        ];
        for (at, open) in cases {
            assert_eq!(hours.is_open(at), open, "{at}");
        }
    }
}
