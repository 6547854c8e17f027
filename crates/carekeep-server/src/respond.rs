//! What a handler answers besides a page or JSON: a file download, and the markers a response
//! carries for the request-id middleware (an internal detail to log, or a message meant for
//! the user).

use axum::body::Bytes;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

/// A 5xx whose message is meant for the user (read-only emergency mode), kept as it is.
#[derive(Clone, Copy, Debug)]
pub struct Explained;

/// The internal detail of a 5xx, handed to the request-id middleware to log.
#[derive(Clone, Debug)]
pub struct InternalDetail(pub String);

/// A file's bytes with its content type. Audited as an attachment view.
pub(crate) fn file_response(content_type: String, bytes: Vec<u8>, filename: &str) -> Response {
    let mut r = Bytes::from(bytes).into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let inline = content_type.starts_with("image/");
    let safe: String = filename
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || ".-_ ".contains(*c))
        .collect();
    let disposition = format!(
        "{}; filename=\"{}\"",
        if inline { "inline" } else { "attachment" },
        if safe.is_empty() { "file" } else { &safe }
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}
