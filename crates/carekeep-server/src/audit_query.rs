//! The audit filters as pages and the API take them from the query string.

use carekeep_app::audit::view::AuditQuery;
use carekeep_app::AppError;
use carekeep_domain::zone::ClinicZone;
use serde::Deserialize;
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};

/// Query-string filters; every field optional, dates as YYYY-MM-DD (days at the clinic, in its time zone).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Events done by or to this username.
    #[serde(default)]
    pub user: Option<String>,
    /// Events that touched this patient.
    #[serde(default)]
    pub patient: Option<String>,
    /// An action code, e.g. `login.failed`.
    #[serde(default)]
    pub action: Option<String>,
    /// First day, YYYY-MM-DD.
    #[serde(default)]
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD.
    #[serde(default)]
    pub to: Option<String>,
    /// Only events older than this sequence number (the next page).
    #[serde(default)]
    pub before: Option<i64>,
    /// At most this many events (default 100, at most 1,000).
    #[serde(default)]
    pub limit: Option<i64>,
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The first (or, with `end`, the last) second of a day at the clinic: a day of the
/// clinic's calendar, 23 or 25 hours long when its clocks change.
fn day(v: &str, end: bool, zone: &ClinicZone) -> Result<OffsetDateTime, AppError> {
    let d = Date::parse(v, format_description!("[year]-[month]-[day]"))
        .map_err(|_| AppError::Invalid(format!("'{v}' is not a date: use YYYY-MM-DD")))?;
    let start = |d: Date| zone.assume(d.with_time(Time::MIDNIGHT));
    Ok(match (end, d.next_day()) {
        (false, _) => start(d),
        (true, Some(next)) => start(next) - time::Duration::seconds(1),
        (true, None) => start(d) + time::Duration::days(1),
    })
}

impl AuditParams {
    pub fn to_query(&self, max: i64, zone: &ClinicZone) -> Result<AuditQuery, AppError> {
        let patient_id = present(&self.patient)
            .map(|p| {
                p.parse::<i64>()
                    .map_err(|_| AppError::Invalid(format!("'{p}' is not a patient id")))
            })
            .transpose()?;
        Ok(AuditQuery {
            username: present(&self.user).map(str::to_owned),
            patient_id,
            action: present(&self.action).map(str::to_owned),
            from: present(&self.from).map(|v| day(v, false, zone)).transpose()?,
            to: present(&self.to).map(|v| day(v, true, zone)).transpose()?,
            before_seq: self.before,
            limit: self.limit.unwrap_or(100).clamp(1, max),
        })
    }

    /// The same filters as a query string, for the next-page and export links.
    pub fn link(&self, before: Option<i64>) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("user", &self.user),
            ("patient", &self.patient),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(v) = present(v) {
                s.append_pair(k, v);
            }
        }
        if let Some(b) = before {
            s.append_pair("before", &b.to_string());
        }
        s.finish()
    }
}
