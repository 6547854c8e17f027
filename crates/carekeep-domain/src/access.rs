//! Minimum necessary (164.502(b), 164.514(d)): which role may read or write which class of PHI.
//!
//! One policy decides for every view. Roles are data (`RoleDef`), so a clinic can define its own
//! roles in the same terms as the defaults of PRODUCT.md section 2.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// A class of PHI. Every PHI field belongs to exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataClass {
    Identity,
    Contact,
    Scheduling,
    Clinical,
    Coding,
    Billing,
    InvoiceStatus,
}

impl DataClass {
    pub const ALL: [DataClass; 7] = [
        DataClass::Identity,
        DataClass::Contact,
        DataClass::Scheduling,
        DataClass::Clinical,
        DataClass::Coding,
        DataClass::Billing,
        DataClass::InvoiceStatus,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DataClass::Identity => "identity",
            DataClass::Contact => "contact",
            DataClass::Scheduling => "scheduling",
            DataClass::Clinical => "clinical",
            DataClass::Coding => "coding",
            DataClass::Billing => "billing",
            DataClass::InvoiceStatus => "invoice_status",
        }
    }

    /// The class in words, for pages (the code stays in the API, exports and the trail).
    pub fn words(self) -> &'static str {
        match self {
            DataClass::Identity => "Identity",
            DataClass::Contact => "Contact details",
            DataClass::Scheduling => "Appointments",
            DataClass::Clinical => "Clinical record",
            DataClass::Coding => "Diagnosis and procedure codes",
            DataClass::Billing => "Billing",
            DataClass::InvoiceStatus => "Invoice status",
        }
    }
}

impl FromStr for DataClass {
    type Err = PolicyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DataClass::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| PolicyError::UnknownDataClass(s.to_owned()))
    }
}

/// What a role may do with a data class. Ordered: more access compares greater.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    None,
    Read,
    ReadWrite,
}

impl Access {
    pub fn can_read(self) -> bool {
        self >= Access::Read
    }
    pub fn can_write(self) -> bool {
        self == Access::ReadWrite
    }
}

/// Non-PHI powers a role can hold (administration, the compliance program).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Add, disable and re-role staff accounts; change settings.
    AdministerUsers,
    /// Keep the compliance program: SRA, policies, vendors, training.
    ManageProgram,
    /// Read the audit log (164.308(a)(1)(ii)(D) information system activity review).
    ReadAuditLog,
    /// Handle incidents and patients' requests.
    HandleIncidents,
    /// Set up the calendar: services, rooms, providers' working hours and time off. Holds no
    /// PHI; booking itself stays under the scheduling class.
    ManageCalendar,
}

impl Capability {
    pub const ALL: [Capability; 5] = [
        Capability::AdministerUsers,
        Capability::ManageProgram,
        Capability::ReadAuditLog,
        Capability::HandleIncidents,
        Capability::ManageCalendar,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::AdministerUsers => "administer_users",
            Capability::ManageProgram => "manage_program",
            Capability::ReadAuditLog => "read_audit_log",
            Capability::HandleIncidents => "handle_incidents",
            Capability::ManageCalendar => "manage_calendar",
        }
    }

    /// What the capability lets a person do, in words.
    pub fn words(self) -> &'static str {
        match self {
            Capability::AdministerUsers => "Manage staff accounts and settings",
            Capability::ManageProgram => "Run the compliance program",
            Capability::ReadAuditLog => "Read the audit log",
            Capability::HandleIncidents => "Handle incidents and patients' requests",
            Capability::ManageCalendar => "Set up the calendar: services, rooms and hours",
        }
    }
}

impl FromStr for Capability {
    type Err = PolicyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Capability::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| PolicyError::UnknownCapability(s.to_owned()))
    }
}

/// Errors in role definitions.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("unknown data class '{0}'")]
    UnknownDataClass(String),
    #[error("unknown capability '{0}'")]
    UnknownCapability(String),
    #[error("unknown access '{0}': use r or rw")]
    UnknownAccess(String),
    #[error("a role name needs 2 to 40 lowercase letters, digits or '_'")]
    BadRoleName,
}

/// A role's name, e.g. `front_desk`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoleName(String);

impl RoleName {
    pub fn new(name: &str) -> Result<Self, PolicyError> {
        let ok = (2..=40).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(RoleName(name.to_owned()))
        } else {
            Err(PolicyError::BadRoleName)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The role as people say it: `compliance_officer` is "Compliance officer". The default
    /// roles have their own words; a role a clinic defined reads as its name with spaces.
    pub fn words(&self) -> String {
        role_words(&self.0)
    }
}

/// A role's name (`front_desk`) in words ("Front desk"); see [`RoleName::words`].
pub fn role_words(name: &str) -> String {
    match name {
        "owner" => "Owner".into(),
        "provider" => "Provider".into(),
        "nurse" => "Nurse".into(),
        "front_desk" => "Front desk".into(),
        "billing" => "Billing".into(),
        "compliance_officer" => "Compliance officer".into(),
        other => {
            let spaced = other.replace('_', " ");
            let mut chars = spaced.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

impl fmt::Display for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One role: what it may read or write, and what else it may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDef {
    pub name: RoleName,
    pub description: String,
    pub grants: BTreeMap<DataClass, Access>,
    pub capabilities: BTreeSet<Capability>,
    pub builtin: bool,
}

impl RoleDef {
    /// Grants as stored text, e.g. `identity=rw,contact=r`.
    pub fn grants_text(&self) -> String {
        self.grants
            .iter()
            .filter(|(_, a)| **a != Access::None)
            .map(|(c, a)| format!("{}={}", c.as_str(), if a.can_write() { "rw" } else { "r" }))
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn capabilities_text(&self) -> String {
        self.capabilities
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Parses the stored text forms back into a role.
    pub fn parse(
        name: &str,
        description: &str,
        grants: &str,
        capabilities: &str,
        builtin: bool,
    ) -> Result<Self, PolicyError> {
        let mut g = BTreeMap::new();
        for part in grants.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (class, access) = part
                .split_once('=')
                .ok_or_else(|| PolicyError::UnknownAccess(part.to_owned()))?;
            let access = match access {
                "r" => Access::Read,
                "rw" => Access::ReadWrite,
                other => return Err(PolicyError::UnknownAccess(other.to_owned())),
            };
            g.insert(class.parse()?, access);
        }
        let caps = capabilities
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::parse)
            .collect::<Result<BTreeSet<_>, _>>()?;
        Ok(RoleDef {
            name: RoleName::new(name)?,
            description: description.to_owned(),
            grants: g,
            capabilities: caps,
            builtin,
        })
    }
}

/// The default roles, PRODUCT.md section 2.
pub fn default_roles() -> Vec<RoleDef> {
    use Access::{Read as R, ReadWrite as RW};
    use DataClass::*;
    let role = |name: &str, desc: &str, grants: &[(DataClass, Access)], caps: &[Capability]| RoleDef {
        name: RoleName(name.to_owned()),
        description: desc.to_owned(),
        grants: grants.iter().copied().collect(),
        capabilities: caps.iter().copied().collect(),
        builtin: true,
    };
    let clinical = [
        (Identity, RW),
        (Contact, RW),
        (Scheduling, RW),
        (Clinical, RW),
        (Coding, RW),
        (Billing, R),
        (InvoiceStatus, R),
    ];
    vec![
        role("provider", "Provider: the whole chart", &clinical, &[]),
        role("nurse", "Nurse: the whole chart", &clinical, &[]),
        role(
            "front_desk",
            "Front desk: names, contact details, scheduling, invoice status",
            &[(Identity, RW), (Contact, RW), (Scheduling, RW), (InvoiceStatus, R)],
            &[Capability::ManageCalendar],
        ),
        role(
            "billing",
            "Billing: invoices, payments and diagnosis codes",
            &[
                (Identity, R),
                (Contact, R),
                (Coding, R),
                (Billing, RW),
                (InvoiceStatus, RW),
            ],
            &[],
        ),
        role(
            "compliance_officer",
            "Compliance officer: the program, the audit log, incidents and requests",
            &[(Identity, R)],
            &[
                Capability::ManageProgram,
                Capability::ReadAuditLog,
                Capability::HandleIncidents,
            ],
        ),
        role(
            "owner",
            "Owner: staff, settings and the compliance program",
            &[],
            &[
                Capability::AdministerUsers,
                Capability::ManageProgram,
                Capability::ReadAuditLog,
                Capability::ManageCalendar,
            ],
        ),
    ]
}

/// The clinic's role definitions; answers every "may this person see this?" question.
#[derive(Clone, Debug)]
pub struct Policy {
    roles: BTreeMap<RoleName, RoleDef>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::new(default_roles())
    }
}

impl Policy {
    pub fn new(roles: impl IntoIterator<Item = RoleDef>) -> Self {
        Policy {
            roles: roles.into_iter().map(|r| (r.name.clone(), r)).collect(),
        }
    }

    pub fn role(&self, name: &RoleName) -> Option<&RoleDef> {
        self.roles.get(name)
    }

    pub fn roles(&self) -> impl Iterator<Item = &RoleDef> {
        self.roles.values()
    }

    /// The most a person holding `held` may do with `class`: the union of their roles.
    /// A role name the clinic does not define grants nothing (fail closed).
    pub fn access(&self, held: &[RoleName], class: DataClass) -> Access {
        held.iter()
            .filter_map(|r| self.roles.get(r))
            .filter_map(|r| r.grants.get(&class).copied())
            .max()
            .unwrap_or(Access::None)
    }

    pub fn has_capability(&self, held: &[RoleName], cap: Capability) -> bool {
        held.iter()
            .filter_map(|r| self.roles.get(r))
            .any(|r| r.capabilities.contains(&cap))
    }

    /// Whether these roles can read any PHI at all.
    pub fn can_read_phi(&self, held: &[RoleName]) -> bool {
        DataClass::ALL.into_iter().any(|c| self.access(held, c).can_read())
    }

    /// MFA is required for every account that can read PHI (164.312(d) person or entity
    /// authentication; PRODUCT.md section 3). Administrators need it too: one who can grant
    /// themselves a clinical role is one step from PHI.
    pub fn requires_mfa(&self, held: &[RoleName]) -> bool {
        self.can_read_phi(held) || self.has_capability(held, Capability::AdministerUsers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Access::{None as N, Read as R, ReadWrite as RW};

    fn names(list: &[&str]) -> Vec<RoleName> {
        list.iter().map(|n| RoleName::new(n).unwrap()).collect()
    }

    /// PRODUCT.md section 2, row by row (164.502(b) minimum necessary; 164.514(d)(2) role-based
    /// access for the workforce). Columns: provider, nurse, front_desk, billing,
    /// compliance_officer, owner.
    #[test]
    fn default_matrix_is_the_products_table() {
        let roles = [
            "provider",
            "nurse",
            "front_desk",
            "billing",
            "compliance_officer",
            "owner",
        ];
        let table: &[(DataClass, [Access; 6])] = &[
            (DataClass::Identity, [RW, RW, RW, R, R, N]),
            (DataClass::Contact, [RW, RW, RW, R, N, N]),
            (DataClass::Scheduling, [RW, RW, RW, N, N, N]),
            (DataClass::Clinical, [RW, RW, N, N, N, N]),
            (DataClass::Coding, [RW, RW, N, R, N, N]),
            (DataClass::Billing, [R, R, N, RW, N, N]),
            (DataClass::InvoiceStatus, [R, R, R, RW, N, N]),
        ];
        let policy = Policy::default();
        for (class, row) in table {
            for (role, want) in roles.iter().zip(row) {
                assert_eq!(policy.access(&names(&[role]), *class), *want, "{role} x {class:?}");
            }
        }
        assert_eq!(table.len(), DataClass::ALL.len());
    }

    #[test]
    fn several_roles_combine_to_the_most_access() {
        let policy = Policy::default();
        let owner_provider = names(&["owner", "provider"]);
        assert_eq!(policy.access(&owner_provider, DataClass::Clinical), RW);
        assert!(policy.has_capability(&owner_provider, Capability::AdministerUsers));
        assert_eq!(
            policy.access(&names(&["front_desk", "billing"]), DataClass::Billing),
            RW
        );
    }

    /// Who sets up the calendar (services, rooms, hours): the owner and the front desk, who run
    /// the day; nobody else by default. The set-up holds no PHI (164.514(d)(2) limits the
    /// workforce's access to PHI, which this capability does not widen).
    #[test]
    fn the_owner_and_the_front_desk_set_up_the_calendar() {
        let policy = Policy::default();
        let cases = [
            ("owner", true),
            ("front_desk", true),
            ("provider", false),
            ("nurse", false),
            ("billing", false),
            ("compliance_officer", false),
        ];
        for (role, may) in cases {
            assert_eq!(
                policy.has_capability(&names(&[role]), Capability::ManageCalendar),
                may,
                "{role}"
            );
        }
        assert_eq!("manage_calendar".parse::<Capability>(), Ok(Capability::ManageCalendar));
    }

    #[test]
    fn unknown_roles_grant_nothing() {
        let policy = Policy::default();
        assert_eq!(policy.access(&names(&["janitor"]), DataClass::Identity), N);
        assert!(!policy.can_read_phi(&[]));
    }

    /// 164.312(d): every role able to read PHI needs MFA; so does the administrator.
    #[test]
    fn mfa_is_required_for_phi_roles_and_administrators() {
        let policy = Policy::default();
        for role in [
            "provider",
            "nurse",
            "front_desk",
            "billing",
            "compliance_officer",
            "owner",
        ] {
            assert!(policy.requires_mfa(&names(&[role])), "{role}");
        }
        let reader = RoleDef::parse("scheduler_readonly", "", "", "", false).unwrap();
        assert!(!Policy::new([reader]).requires_mfa(&names(&["scheduler_readonly"])));
    }

    #[test]
    fn role_text_round_trips() {
        for role in default_roles() {
            let back = RoleDef::parse(
                role.name.as_str(),
                &role.description,
                &role.grants_text(),
                &role.capabilities_text(),
                true,
            )
            .unwrap();
            assert_eq!(back, role);
        }
        assert!(RoleDef::parse("x_y", "", "clinical=w", "", false).is_err());
        assert!(RoleDef::parse("x_y", "", "secrets=r", "", false).is_err());
        assert!(RoleDef::parse("Bad Name", "", "", "", false).is_err());
    }

    #[test]
    fn roles_classes_and_capabilities_read_as_words() {
        let cases = [
            ("compliance_officer", "Compliance officer"),
            ("front_desk", "Front desk"),
            ("owner", "Owner"),
            ("night_nurse_2", "Night nurse 2"),
            ("", ""),
        ];
        for (code, words) in cases {
            assert_eq!(role_words(code), words, "{code}");
        }
        for c in DataClass::ALL {
            assert!(!c.words().contains('_') && c.words() != c.as_str(), "{c:?}");
        }
        for c in Capability::ALL {
            assert!(!c.words().contains('_'), "{c:?}");
        }
    }
}
