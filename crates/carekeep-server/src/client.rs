//! Who a request comes from: its id, the client's address (through trusted proxies only) and
//! the origin recorded with every audit event.

use axum::extract::ConnectInfo;
use axum::http::header;
use carekeep_domain::client_address::{client_address, Cidr};
use std::net::{IpAddr, SocketAddr};

/// The request's id, as sent back in `x-request-id` and written in the log.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// The client's address: the socket peer, or, when the peer is one of the trusted proxies
/// (`trusted_proxies`, with `behind_tls_proxy`), what `X-Forwarded-For` says
/// (`carekeep_domain::client_address`).
pub fn client_ip(req_parts: &axum::http::request::Parts, trusted: &[Cidr]) -> IpAddr {
    let peer = req_parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let forwarded = req_parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    client_address(peer, forwarded, trusted)
}

/// Where a request came from, for the audit trail.
pub fn origin(parts: &axum::http::request::Parts, trusted: &[Cidr]) -> carekeep_domain::audit::Origin {
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    carekeep_domain::audit::Origin {
        source_ip: client_ip(parts, trusted).to_string(),
        user_agent: user_agent.chars().take(300).collect(),
        request_id: parts
            .extensions
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default(),
    }
}
