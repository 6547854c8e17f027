//! The clinic's email relay (issue 25, item 3), set up on the set-up path or in carekeep.toml:
//! what a usable relay needs, checked the same way wherever it is typed.
//!
//! Mail leaves the machine, so the connection is encrypted unless the relay runs on this
//! machine (164.312(e)(1), transmission security), and the relay is tied to the vendor record
//! of whoever runs it, because they receive every address and message sent through them and
//! the BAA gate decides what may go (164.502(e)(1), 164.308(b)(1)).

/// How the connection to the relay is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (usually port 465).
    Tls,
    /// Plain, then upgraded with STARTTLS, which is required (usually port 587).
    StartTls,
    /// No encryption: allowed only to a relay on this machine.
    None,
}

impl Security {
    pub fn parse(s: &str) -> Option<Security> {
        match s.trim() {
            "starttls" => Some(Security::StartTls),
            "tls" => Some(Security::Tls),
            "none" => Some(Security::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Security::StartTls => "starttls",
            Security::Tls => "tls",
            Security::None => "none",
        }
    }

    /// In words for the owner.
    pub fn words(self) -> &'static str {
        match self {
            Security::StartTls => "STARTTLS (usually port 587)",
            Security::Tls => "TLS from the start (usually port 465)",
            Security::None => "no encryption (a relay on this computer only)",
        }
    }
}

/// A relay as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Typed {
    pub host: String,
    pub port: String,
    pub security: String,
    pub username: String,
    /// `Name <address>` or an address.
    pub from: String,
    pub vendor: String,
}

/// A relay that passed the checks, tidied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relay {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub from: String,
    pub vendor: String,
}

/// What is wrong: the field and what to fix, in the owner's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: &'static str,
}

fn problem(field: &'static str, message: &'static str) -> Problem {
    Problem { field, message }
}

fn on_this_machine(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "::1" | "[::1]" | "localhost")
}

/// The address part of `Name <address>` or of a bare address.
fn address_of(from: &str) -> &str {
    match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b && from[b + 1..].trim().is_empty() => &from[a + 1..b],
        _ => from,
    }
}

fn looks_like_address(a: &str) -> bool {
    let Some((user, domain)) = a.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !a.chars().any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',')
}

/// Checks a typed relay, field by field in the order of the form.
pub fn check(t: &Typed) -> Result<Relay, Problem> {
    let host = t.host.trim();
    if host.is_empty() {
        return Err(problem(
            "host",
            "type the relay's server name, like smtp.example.com (your email provider tells you)",
        ));
    }
    if host.contains(char::is_whitespace) || host.contains("://") || host.contains('/') {
        return Err(problem(
            "host",
            "type only the server's name, like smtp.example.com: no https:// and no spaces",
        ));
    }
    let port = match t.port.trim().parse::<u16>() {
        Ok(p) if p > 0 => p,
        _ => {
            return Err(problem(
                "port",
                "the port is a number from 1 to 65535, usually 587 or 465",
            ))
        }
    };
    let security = Security::parse(&t.security).ok_or(problem(
        "security",
        "choose how the connection is secured: STARTTLS, or TLS from the start",
    ))?;
    // 164.312(e)(1): mail crosses the network, so it goes encrypted unless the relay is here.
    if security == Security::None && !on_this_machine(host) {
        return Err(problem(
            "security",
            "without encryption, mail would cross the network readable by anyone on the way; that is allowed only to a relay on this computer (127.0.0.1)",
        ));
    }
    let username = t.username.trim();
    if username.chars().count() > 200 {
        return Err(problem("username", "the user name is too long"));
    }
    let from = t.from.trim();
    if !looks_like_address(address_of(from)) {
        return Err(problem(
            "from",
            "type the sender's address, like carekeep@yourclinic.com or Lakeside Medspa <carekeep@yourclinic.com>",
        ));
    }
    let vendor = t.vendor.trim();
    // 164.502(e)(1), 164.308(b)(1): whoever runs the relay is a vendor whose BAA is checked.
    if vendor.is_empty() {
        return Err(problem(
            "vendor",
            "name the company that runs the relay: it sees every message, so it is one of your vendors",
        ));
    }
    if vendor.chars().count() > 120 {
        return Err(problem(
            "vendor",
            "the vendor's name is too long (120 characters at most)",
        ));
    }
    Ok(Relay {
        host: host.to_owned(),
        port,
        security,
        username: username.to_owned(),
        from: from.to_owned(),
        vendor: vendor.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> Typed {
        Typed {
            host: "smtp.mailrelay.example".into(),
            port: "587".into(),
            security: "starttls".into(),
            username: "clinic".into(),
            from: "Lakeside Medspa <carekeep@lakeside.example>".into(),
            vendor: "Mailrelay Inc".into(),
        }
    }

    /// A row: what it is, the change to a good relay, and the field refused (`None`: accepted).
    type Case = (&'static str, fn(&mut Typed), Option<&'static str>);

    /// Each typed mistake is named at its field; 164.312(e)(1) for the clear-text rows,
    /// 164.502(e)(1) and 164.308(b)(1) for the vendor.
    #[test]
    fn mistakes_are_named_at_their_field() {
        let cases: &[Case] = &[
            ("a good relay", |_| {}, None),
            ("no host", |t| t.host = "  ".into(), Some("host")),
            ("a web address", |t| t.host = "https://smtp.x.com".into(), Some("host")),
            ("port words", |t| t.port = "five".into(), Some("port")),
            ("port zero", |t| t.port = "0".into(), Some("port")),
            ("port too big", |t| t.port = "70000".into(), Some("port")),
            ("unknown security", |t| t.security = "ssl".into(), Some("security")),
            // 164.312(e)(1): clear text only on this machine.
            (
                "clear text across the network",
                |t| t.security = "none".into(),
                Some("security"),
            ),
            (
                "clear text on this machine",
                |t| {
                    t.security = "none".into();
                    t.host = "127.0.0.1".into();
                },
                None,
            ),
            ("no sender", |t| t.from = String::new(), Some("from")),
            (
                "sender without domain",
                |t| t.from = "carekeep@local".into(),
                Some("from"),
            ),
            ("bare sender", |t| t.from = "carekeep@lakeside.example".into(), None),
            ("two senders", |t| t.from = "a@x.com, b@x.com".into(), Some("from")),
            // 164.502(e)(1), 164.308(b)(1): the relay's operator is a vendor.
            ("no vendor", |t| t.vendor = " ".into(), Some("vendor")),
            ("username may be empty", |t| t.username = String::new(), None),
        ];
        for (what, change, field) in cases {
            let mut t = typed();
            change(&mut t);
            match (check(&t), field) {
                (Ok(_), None) => {}
                (Err(p), Some(f)) => assert_eq!(p.field, *f, "{what}: {}", p.message),
                (got, want) => panic!("{what}: got {got:?}, wanted a problem at {want:?}"),
            }
        }
    }

    #[test]
    fn a_good_relay_is_tidied() {
        let mut t = typed();
        t.host = " smtp.mailrelay.example ".into();
        t.port = " 465 ".into();
        t.security = "tls".into();
        let r = check(&t).unwrap();
        assert_eq!(r.host, "smtp.mailrelay.example");
        assert_eq!(r.port, 465);
        assert_eq!(r.security, Security::Tls);
    }
}
