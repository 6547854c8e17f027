//! Plain HTTP goes to HTTPS when the network choice made on the set-up path serves it
//! (issue 25, item 2; 164.312(e)(1)). The serve loop marks plain connections' requests.

use crate::network::PlainConnection;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use carekeep_domain::program::network as rules;

/// Paths served on plain HTTP even when HTTPS is on: the health check, and the authority's
/// certificate with its steps (a device must fetch it before it can trust HTTPS).
fn stays_plain(path: &str) -> bool {
    path == "/healthz" || path == "/trust" || path.starts_with("/trust/") || path.starts_with("/static/")
}

/// Sends plain HTTP to HTTPS (308, method and body kept) when the stored choice serves HTTPS.
pub async fn to_https(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.extensions().get::<PlainConnection>().is_none() || stays_plain(req.uri().path()) {
        return next.run(req).await;
    }
    let live = state.network.snapshot();
    let Some(port) = live.https.map(|a| a.port()).filter(|_| live.serves_https()) else {
        return next.run(req).await;
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(host_only)
        .and_then(|h| rules::check_names(&h).ok())
        .and_then(|v| v.into_iter().next())
        .unwrap_or_else(|| "127.0.0.1".into());
    let host = if host.contains(':') { format!("[{host}]") } else { host };
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let to = format!("https://{host}:{port}{path}");
    (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, to)]).into_response()
}

/// `host:port` or `[v6]:port` without the port.
fn host_only(h: &str) -> String {
    if let Some(rest) = h.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_owned();
    }
    h.rsplit_once(':').map_or(h, |(a, _)| a).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_without_ports() {
        for (h, want) in [
            ("frontdesk:8080", "frontdesk"),
            ("frontdesk", "frontdesk"),
            ("[::1]:8080", "::1"),
            ("192.168.1.2:80", "192.168.1.2"),
        ] {
            assert_eq!(host_only(h), want);
        }
        assert!(stays_plain("/trust/authority.crt") && stays_plain("/healthz"));
        assert!(!stays_plain("/login") && !stays_plain("/trusted"));
    }
}
