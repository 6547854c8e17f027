//! Which address a request came from, for the audit trail (164.312(b): who, from where) and
//! the per-address sign-in limit (164.308(a)(5)(ii)(C) log-in monitoring). Behind a proxy,
//! `X-Forwarded-For` says it, but anyone can send that header: it is believed only when the
//! connection comes from a proxy the clinic named (`trusted_proxies`), and then only as far
//! back as the chain of trusted proxies goes.

use std::net::IpAddr;
use std::str::FromStr;

/// An address or a network (`10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let network: IpAddr = addr
            .parse()
            .map_err(|_| format!("'{s}' is not an IP address or a network such as 10.0.0.0/8"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(p) if p <= max => p,
                _ => return Err(format!("'{s}': the prefix length must be 0 to {max}")),
            },
        };
        Ok(Cidr { network, prefix })
    }
}

impl Cidr {
    /// Whether `ip` lies in this network (an IPv4 address written as `::ffff:a.b.c.d` counts as
    /// the IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The default `trusted_proxies`: a proxy on this machine.
pub const LOOPBACK: [&str; 2] = ["127.0.0.0/8", "::1"];

/// The client's address: the connection's peer, unless the peer is a trusted proxy; then the
/// `X-Forwarded-For` entries read from the right (each proxy appends the address it saw), the
/// first one that is not itself a trusted proxy. An entry that is not an address stops the
/// walk at the last address known.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut client = peer;
    for entry in forwarded_for.unwrap_or("").rsplit(',') {
        let Ok(ip) = entry.trim().parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<Cidr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn networks_parse_and_contain() {
        let cases = [
            ("10.0.0.0/8", "10.200.3.4", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("192.168.1.7", "192.168.1.7", true),
            ("192.168.1.7", "192.168.1.8", false),
            ("0.0.0.0/0", "203.0.113.9", true),
            ("::1", "::1", true),
            ("fd00::/8", "fd12::1", true),
            ("fd00::/8", "fe80::1", false),
            ("127.0.0.0/8", "::ffff:127.0.0.1", true),
            ("::1", "127.0.0.1", false),
        ];
        for (net, ip, want) in cases {
            let c: Cidr = net.parse().unwrap();
            assert_eq!(c.contains(ip.parse().unwrap()), want, "{net} contains {ip}");
        }
        for bad in ["", "proxy.example", "10.0.0.0/33", "::1/129", "10.0.0.0/x"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let loopback = nets(&LOOPBACK);
        let lan = nets(&["10.0.0.0/8"]);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let cases: [(&str, Option<&str>, &[Cidr], &str); 9] = [
            // A client on the network sends a header of its own: ignored.
            ("203.0.113.5", Some("198.51.100.1"), &loopback, "203.0.113.5"),
            // Through the proxy on this machine.
            ("127.0.0.1", Some("198.51.100.1"), &loopback, "198.51.100.1"),
            // The client's own forged entry comes before the one the proxy added.
            ("127.0.0.1", Some("6.6.6.6, 198.51.100.1"), &loopback, "198.51.100.1"),
            // No header, or nothing trusted: the peer.
            ("127.0.0.1", None, &loopback, "127.0.0.1"),
            ("127.0.0.1", Some("198.51.100.1"), &[], "127.0.0.1"),
            // A chain of trusted proxies is walked back to the first untrusted hop.
            ("10.0.0.2", Some("198.51.100.1, 10.0.0.3"), &lan, "198.51.100.1"),
            // Garbage stops the walk at the last address known.
            ("127.0.0.1", Some("junk"), &loopback, "127.0.0.1"),
            ("10.0.0.2", Some("junk, 10.0.0.3"), &lan, "10.0.0.3"),
            // Only trusted hops: the first of them.
            ("10.0.0.2", Some("10.0.0.9, 10.0.0.3"), &lan, "10.0.0.9"),
        ];
        for (peer, header, trusted, want) in cases {
            assert_eq!(client_address(ip(peer), header, trusted), ip(want), "{peer} {header:?}");
        }
    }
}
