//! How the clinic's computers reach Carekeep (issue 25, item 2): transmission security,
//! 164.312(e)(1), with its integrity controls (164.312(e)(2)(i)) and encryption
//! (164.312(e)(2)(ii)). The owner picks one of four ways on the set-up path; these rules say
//! what each way needs, whether a certificate covers the names staff type, when it needs
//! renewing, what is wrong with an uploaded one, and what the risk assessment's transport rows
//! read from it. No clock, no parsing: the app hands in plain facts.

use std::net::IpAddr;
use time::OffsetDateTime;

/// The four ways, as the owner chooses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Carekeep listens on 127.0.0.1 only: nothing travels over a network.
    ThisComputer,
    /// Carekeep makes a local certificate authority and serves HTTPS itself.
    LocalAuthority,
    /// A certificate the clinic already has, uploaded as PEM files.
    OwnCertificate,
    /// A TLS proxy the clinic runs sits in front of Carekeep.
    Proxy,
}

impl Mode {
    pub const ALL: [Mode; 4] = [
        Mode::ThisComputer,
        Mode::LocalAuthority,
        Mode::OwnCertificate,
        Mode::Proxy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::ThisComputer => "this_computer",
            Mode::LocalAuthority => "local_authority",
            Mode::OwnCertificate => "own_certificate",
            Mode::Proxy => "proxy",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    /// Whether Carekeep itself serves HTTPS (and sends plain HTTP there).
    pub fn serves_https(self) -> bool {
        matches!(self, Mode::LocalAuthority | Mode::OwnCertificate)
    }

    /// Whether other computers reach Carekeep over the clinic's network.
    pub fn on_the_network(self) -> bool {
        self != Mode::ThisComputer
    }
}

/// Days before a certificate's end when the dashboard starts reminding.
pub const REMIND_DAYS: i64 = 30;

/// Where a certificate stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// Not valid yet (its start is in the future).
    NotYetValid,
    Expired,
    /// Ends within [`REMIND_DAYS`]: this many whole days left.
    Soon(i64),
    Fine,
}

/// How a certificate valid from `not_before` to `not_after` stands at `now`.
pub fn expiry(not_before: OffsetDateTime, not_after: OffsetDateTime, now: OffsetDateTime) -> Expiry {
    if now < not_before {
        Expiry::NotYetValid
    } else if now >= not_after {
        Expiry::Expired
    } else {
        let days = (not_after - now).whole_days();
        if days < REMIND_DAYS {
            Expiry::Soon(days)
        } else {
            Expiry::Fine
        }
    }
}

/// Whether one name the certificate carries (a DNS name, `*.example.com`, or an IP address)
/// covers the name typed in a browser. A wildcard covers exactly one leftmost label (RFC 6125
/// 6.4.3); names compare without case and without a final dot; addresses compare as addresses.
pub fn name_covers(cert_name: &str, typed: &str) -> bool {
    let norm = |s: &str| s.trim().trim_end_matches('.').to_ascii_lowercase();
    let (c, t) = (norm(cert_name), norm(typed));
    if c.is_empty() || t.is_empty() {
        return false;
    }
    let t_ip = t.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok();
    let c_ip = c.parse::<IpAddr>().ok();
    match (c_ip, t_ip) {
        (Some(a), Some(b)) => return a == b,
        (None, None) => {}
        _ => return false,
    }
    match c.strip_prefix("*.") {
        Some(rest) => match t.split_once('.') {
            Some((first, tail)) => !first.is_empty() && tail == rest && rest.contains('.'),
            None => false,
        },
        None => c == t,
    }
}

/// The names staff will type that none of the certificate's names cover, in the order given.
pub fn names_not_covered(cert_names: &[String], needed: &[String]) -> Vec<String> {
    needed
        .iter()
        .filter(|n| !cert_names.iter().any(|c| name_covers(c, n)))
        .cloned()
        .collect()
}

/// The names and addresses typed by the owner, one a line (or separated by commas or
/// spaces): each a computer's name (`frontdesk`, `carekeep.clinic.example`) or an IP address.
/// Returns them lower-cased without repeats, or the words for the person at the field.
pub fn check_names(typed: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for raw in typed
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let n = raw.trim_end_matches('.').to_ascii_lowercase();
        let ip = n.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>();
        let n = match ip {
            Ok(a) => a.to_string(),
            Err(_) if is_host_name(&n) => n,
            Err(_) => {
                return Err(format!(
                    "'{raw}' is not a computer's name or an IP address: type names like frontdesk or carekeep.clinic.example, or addresses like 192.168.1.20, one a line"
                ))
            }
        };
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Ok(out)
}

fn is_host_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 253
        && n.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// What the app read from one certificate of an uploaded chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertFacts {
    /// The subject and issuer names as their DER bytes (compared, never shown).
    pub subject: Vec<u8>,
    pub issuer: Vec<u8>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// DNS names and IP addresses (as text) the certificate is for.
    pub names: Vec<String>,
}

/// What the app read from the upload.
#[derive(Clone, Debug)]
pub struct Upload {
    /// The chain as uploaded, each certificate read (empty: none found).
    pub chain: Vec<CertFacts>,
    /// Whether the key file held one private key the app could read.
    pub key_read: bool,
    /// Whether that key belongs to the first certificate.
    pub key_matches: bool,
}

/// The field a refusal belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Chain,
    Key,
    Address,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Chain => "chain",
            Field::Key => "key",
            Field::Address => "address",
        }
    }
}

/// Why an uploaded certificate is refused, at its field, in words for the owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub field: Field,
    pub message: String,
}

fn refuse(field: Field, message: impl Into<String>) -> Refusal {
    Refusal {
        field,
        message: message.into(),
    }
}

/// Checks an uploaded certificate chain and key, first problem first: a certificate there at
/// all, the chain's order (the server's certificate first, each next one its issuer), the key
/// belonging to the first certificate, every certificate in date, and the names staff type
/// covered (164.312(e)(1): a browser that warns is a browser staff learn to click through).
pub fn check_upload(u: &Upload, needed: &[String], now: OffsetDateTime) -> Result<(), Refusal> {
    let Some(leaf) = u.chain.first() else {
        return Err(refuse(
            Field::Chain,
            "no certificate was found in that file: choose the PEM file that begins with -----BEGIN CERTIFICATE-----",
        ));
    };
    for (i, (issued, issuer)) in u.chain.iter().zip(u.chain.iter().skip(1)).enumerate() {
        if issued.issuer != issuer.subject {
            // Out of order: some certificate's issuer is in the file, but before it.
            let placed_before = u
                .chain
                .iter()
                .enumerate()
                .any(|(j, c)| u.chain.iter().take(j).any(|e| e.subject == c.issuer));
            return Err(refuse(
                Field::Chain,
                if placed_before {
                    format!(
                        "the certificates are out of order: the server's certificate goes first, then the one that issued it, and so on (certificate {} does not issue certificate {})",
                        i + 2,
                        i + 1
                    )
                } else {
                    format!(
                        "certificate {} in the file did not issue certificate {}: the file holds certificates of different chains",
                        i + 2,
                        i + 1
                    )
                },
            ));
        }
    }
    if !u.key_read {
        return Err(refuse(
            Field::Key,
            "no private key was found in that file: choose the PEM file that begins with -----BEGIN PRIVATE KEY----- (or RSA/EC PRIVATE KEY), not a password-protected one",
        ));
    }
    if !u.key_matches {
        return Err(refuse(
            Field::Key,
            "this key does not belong to the certificate: choose the key file made with this certificate",
        ));
    }
    for (i, c) in u.chain.iter().enumerate() {
        let which = if i == 0 {
            "the server's certificate".to_owned()
        } else {
            format!("certificate {} of the chain", i + 1)
        };
        match expiry(c.not_before, c.not_after, now) {
            Expiry::Expired => {
                return Err(refuse(
                    Field::Chain,
                    format!("{which} expired on {}: get a renewed one", us_date(c.not_after)),
                ))
            }
            Expiry::NotYetValid => {
                return Err(refuse(
                    Field::Chain,
                    format!("{which} is not valid until {}", us_date(c.not_before)),
                ))
            }
            Expiry::Soon(_) | Expiry::Fine => {}
        }
    }
    let missing = names_not_covered(&leaf.names, needed);
    if !missing.is_empty() {
        return Err(refuse(
            Field::Address,
            format!(
                "the certificate is not for {}: it names {}",
                missing.join(", "),
                if leaf.names.is_empty() {
                    "no computer".to_owned()
                } else {
                    leaf.names.join(", ")
                }
            ),
        ));
    }
    Ok(())
}

/// A date as people in the US write it: `12/06/2026` (in UTC, as certificates state it).
pub fn us_date(t: OffsetDateTime) -> String {
    let d = t.date();
    format!("{:02}/{:02}/{:04}", u8::from(d.month()), d.day(), d.year())
}

/// What the risk assessment's transport rows (TEC-08 164.312(e)(2)(i), TEC-09
/// 164.312(e)(2)(ii)) read: whether the evidence supports an answer, and why. `mode` is the
/// stored choice (`None`: not chosen yet); `config_tls` says carekeep.toml's own TLS or proxy
/// is in force; `cert` is the served certificate's standing when Carekeep serves HTTPS.
pub fn transport_evidence(mode: Option<Mode>, config_tls: Option<&str>, cert: Option<Expiry>) -> (bool, String) {
    if let Some(words) = config_tls {
        return (true, words.to_owned());
    }
    match mode {
        None => (
            false,
            "the network step of the set-up path is not done: choose how the clinic's computers reach Carekeep".into(),
        ),
        Some(Mode::ThisComputer) => (
            true,
            "not applicable, single machine: Carekeep listens on this computer only (127.0.0.1), so patient information never travels over a network".into(),
        ),
        Some(Mode::Proxy) => (
            true,
            "connections use TLS, ended by the proxy the clinic runs in front of Carekeep (its addresses are trusted, no one else's)".into(),
        ),
        Some(m) => {
            let whose = if m == Mode::LocalAuthority {
                "a certificate from the clinic's own certificate authority"
            } else {
                "the clinic's own certificate"
            };
            match cert {
                Some(Expiry::Fine) | Some(Expiry::Soon(_)) => (
                    true,
                    format!("Carekeep serves HTTPS (TLS 1.2 or 1.3, which also detects tampering) with {whose}; plain HTTP is sent to HTTPS"),
                ),
                Some(Expiry::Expired) | Some(Expiry::NotYetValid) => (
                    false,
                    format!("Carekeep's HTTPS certificate ({whose}) is out of date: browsers refuse it; renew it on the set-up path"),
                ),
                None => (false, "Carekeep's HTTPS certificate is missing: choose again on the set-up path".into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    /// 164.312(e)(1): the name staff type must be one the certificate is for.
    #[test]
    fn names_covered() {
        let cases = [
            ("carekeep.clinic.example", "carekeep.clinic.example", true),
            ("CAREKEEP.clinic.example.", "carekeep.Clinic.example", true),
            ("*.clinic.example", "carekeep.clinic.example", true),
            ("*.clinic.example", "a.b.clinic.example", false),
            ("*.clinic.example", "clinic.example", false),
            ("*.example", "clinic.example", false),
            ("carekeep.clinic.example", "other.clinic.example", false),
            ("192.168.1.20", "192.168.1.20", true),
            ("192.168.1.20", "192.168.1.21", false),
            ("::1", "[::1]", true),
            ("192.168.1.20", "frontdesk", false),
            ("frontdesk", "192.168.1.20", false),
            ("", "frontdesk", false),
        ];
        for (cert, typed, want) in cases {
            assert_eq!(name_covers(cert, typed), want, "{cert} covers {typed}");
        }
        assert_eq!(
            names_not_covered(
                &names(&["*.clinic.example", "10.0.0.5"]),
                &names(&["ck.clinic.example", "10.0.0.6", "ck"])
            ),
            names(&["10.0.0.6", "ck"])
        );
    }

    /// The dashboard reminds 30 days before a certificate ends (164.312(e)(1): an expired
    /// certificate stops HTTPS).
    #[test]
    fn expiry_reminder() {
        let from = datetime!(2026-01-01 0:00 UTC);
        let to = datetime!(2027-01-01 0:00 UTC);
        let cases = [
            (datetime!(2025-12-31 23:59 UTC), Expiry::NotYetValid),
            (datetime!(2026-06-01 0:00 UTC), Expiry::Fine),
            (datetime!(2026-12-01 0:00 UTC), Expiry::Fine),
            (datetime!(2026-12-02 0:00 UTC), Expiry::Fine),
            (datetime!(2026-12-02 0:01 UTC), Expiry::Soon(29)),
            (datetime!(2026-12-31 12:00 UTC), Expiry::Soon(0)),
            (datetime!(2027-01-01 0:00 UTC), Expiry::Expired),
            (datetime!(2027-03-01 0:00 UTC), Expiry::Expired),
        ];
        for (now, want) in cases {
            assert_eq!(expiry(from, to, now), want, "{now}");
        }
    }

    fn cert(subject: &str, issuer: &str, names_: &[&str], to: OffsetDateTime) -> CertFacts {
        CertFacts {
            subject: subject.as_bytes().to_vec(),
            issuer: issuer.as_bytes().to_vec(),
            not_before: datetime!(2026-01-01 0:00 UTC),
            not_after: to,
            names: names(names_),
        }
    }

    #[test]
    fn uploads() {
        let now = datetime!(2026-12-06 12:00 UTC);
        let later = datetime!(2027-06-01 0:00 UTC);
        let leaf = cert("leaf", "inter", &["ck.clinic.example"], later);
        let inter = cert("inter", "root", &[], later);
        let other = cert("other", "root", &[], later);
        let needed = names(&["ck.clinic.example"]);
        let up = |chain: Vec<CertFacts>, key_read, key_matches| Upload {
            chain,
            key_read,
            key_matches,
        };
        let cases: Vec<(Upload, Option<(Field, &str)>)> = vec![
            (up(vec![leaf.clone(), inter.clone()], true, true), None),
            (up(vec![leaf.clone()], true, true), None),
            (up(vec![], true, true), Some((Field::Chain, "no certificate"))),
            (
                up(vec![inter.clone(), leaf.clone()], true, true),
                Some((Field::Chain, "out of order")),
            ),
            (
                up(vec![leaf.clone(), other], true, true),
                Some((Field::Chain, "different chains")),
            ),
            (
                up(vec![leaf.clone()], false, false),
                Some((Field::Key, "no private key")),
            ),
            (
                up(vec![leaf.clone()], true, false),
                Some((Field::Key, "does not belong")),
            ),
            (
                up(
                    vec![cert(
                        "leaf",
                        "inter",
                        &["ck.clinic.example"],
                        datetime!(2026-11-30 0:00 UTC),
                    )],
                    true,
                    true,
                ),
                Some((Field::Chain, "expired on 11/30/2026")),
            ),
            (
                up(
                    vec![leaf.clone(), cert("inter", "root", &[], datetime!(2026-12-01 0:00 UTC))],
                    true,
                    true,
                ),
                Some((Field::Chain, "certificate 2 of the chain expired")),
            ),
            (
                up(vec![cert("leaf", "inter", &["www.clinic.example"], later)], true, true),
                Some((Field::Address, "not for ck.clinic.example: it names www.clinic.example")),
            ),
        ];
        for (u, want) in cases {
            let got = check_upload(&u, &needed, now);
            match (got, want) {
                (Ok(()), None) => {}
                (Err(r), Some((field, words))) => {
                    assert_eq!(r.field, field, "{}", r.message);
                    assert!(r.message.contains(words), "{} / {words}", r.message);
                }
                (got, want) => panic!("{got:?} != {want:?}"),
            }
        }
    }

    #[test]
    fn typed_names() {
        let ok = |t: &str, want: &[&str]| assert_eq!(check_names(t).unwrap(), names(want), "{t:?}");
        ok("", &[]);
        ok(
            "frontdesk\nCareKeep.Clinic.Example.\n192.168.1.20",
            &["frontdesk", "carekeep.clinic.example", "192.168.1.20"],
        );
        ok("a, b  a", &["a", "b"]);
        ok("[::1]", &["::1"]);
        for bad in ["front desk!", "-bad.example", "under_score", "http://clinic.example"] {
            assert!(
                check_names(bad).unwrap_err().contains("is not a computer's name"),
                "{bad}"
            );
        }
    }

    /// TEC-08/09 read the chosen way: "this computer only" is an answer (a single machine),
    /// not a contradiction; a certificate out of date is a gap.
    #[test]
    fn transport_rows() {
        let cases = [
            (None, None, None, false, "not done"),
            (Some(Mode::ThisComputer), None, None, true, "single machine"),
            (Some(Mode::Proxy), None, None, true, "proxy"),
            (
                Some(Mode::LocalAuthority),
                None,
                Some(Expiry::Fine),
                true,
                "own certificate authority",
            ),
            (
                Some(Mode::OwnCertificate),
                None,
                Some(Expiry::Soon(3)),
                true,
                "clinic's own certificate",
            ),
            (
                Some(Mode::OwnCertificate),
                None,
                Some(Expiry::Expired),
                false,
                "out of date",
            ),
            (Some(Mode::LocalAuthority), None, None, false, "missing"),
            (None, Some("TLS from carekeep.toml"), None, true, "carekeep.toml"),
        ];
        for (mode, config, cert, ok, words) in cases {
            let (got_ok, got) = transport_evidence(mode, config, cert);
            assert_eq!(got_ok, ok, "{mode:?}");
            assert!(got.contains(words), "{got}");
        }
    }
}
