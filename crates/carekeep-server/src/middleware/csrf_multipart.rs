//! The CSRF token of an upload form. Uploads are streamed to their handler, so the page
//! middleware cannot read the whole body; the token travels as the form's first field
//! (browsers send fields in document order) and only that first part is read here, then put
//! back in front of the rest of the stream. The token never goes in a URL, where it would
//! land in browser history, proxy logs and `Referer` headers.

use axum::body::{Body, Bytes};
use futures_util::StreamExt;

/// The most read before the first field must have ended.
const FIRST_PART_LIMIT: usize = 8 * 1024;

/// The boundary named in a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
}

/// Reads the body's first part: `Some(value)` when it is the field `csrf`. Returns the body
/// whole again (what was read, then the rest).
pub async fn first_field_csrf(body: Body, boundary: &str) -> (Option<String>, Body) {
    let mut stream = body.into_data_stream();
    let mut read = Vec::new();
    let mut token = None;
    // What was read is parsed before the limit is looked at: a first chunk can be larger
    // than the limit (a browser sending a photo) and hold the whole first field.
    loop {
        match parse_first_part(&read, boundary) {
            Parsed::Csrf(value) => {
                token = Some(value);
                break;
            }
            Parsed::Other => break,
            Parsed::NeedMore if read.len() >= FIRST_PART_LIMIT => break,
            Parsed::NeedMore => {}
        }
        match stream.next().await {
            Some(Ok(chunk)) => read.extend_from_slice(&chunk),
            Some(Err(_)) | None => break,
        }
    }
    let head = futures_util::stream::once(async move { Ok::<Bytes, axum::Error>(Bytes::from(read)) });
    (token, Body::from_stream(head.chain(stream)))
}

enum Parsed {
    Csrf(String),
    Other,
    NeedMore,
}

fn parse_first_part(read: &[u8], boundary: &str) -> Parsed {
    let opening = format!("--{boundary}\r\n");
    if read.len() < opening.len() {
        return if opening.as_bytes().starts_with(read) {
            Parsed::NeedMore
        } else {
            Parsed::Other
        };
    }
    let Some(rest) = read.strip_prefix(opening.as_bytes()) else {
        return Parsed::Other;
    };
    let Some((head, value)) = split_once(rest, b"\r\n\r\n") else {
        return Parsed::NeedMore;
    };
    let headers = String::from_utf8_lossy(head).to_ascii_lowercase();
    let is_csrf = headers
        .lines()
        .any(|l| l.starts_with("content-disposition:") && l.contains("form-data") && l.contains("name=\"csrf\""));
    if !is_csrf {
        return Parsed::Other;
    }
    let closing = format!("\r\n--{boundary}");
    match split_once(value, closing.as_bytes()) {
        Some((token, _)) => match std::str::from_utf8(token) {
            Ok(v) => Parsed::Csrf(v.to_owned()),
            Err(_) => Parsed::Other,
        },
        None => Parsed::NeedMore,
    }
}

/// What comes before the first `needle` in `haystack`, and what comes after it.
fn split_once<'a>(haystack: &'a [u8], needle: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let at = haystack.windows(needle.len()).position(|w| w == needle)?;
    let (before, after) = haystack.split_at_checked(at)?;
    Some((before, after.get(needle.len()..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(first: &str) -> Vec<u8> {
        format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"{first}\"\r\n\r\ntok123\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 body\r\n--XyZ--\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn the_boundary_is_read_from_the_content_type() {
        assert_eq!(boundary("multipart/form-data; boundary=XyZ").as_deref(), Some("XyZ"));
        assert_eq!(
            boundary("multipart/form-data; boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary("multipart/form-data"), None);
    }

    #[tokio::test]
    async fn the_token_is_the_first_field_and_the_body_comes_back_whole() {
        for split in [1, 7, 40, 90, 1000] {
            let bytes = form("csrf");
            let chunks: Vec<Result<Bytes, std::io::Error>> =
                bytes.chunks(split).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
            let body = Body::from_stream(futures_util::stream::iter(chunks));
            let (token, body) = first_field_csrf(body, "XyZ").await;
            assert_eq!(token.as_deref(), Some("tok123"), "chunks of {split}");
            let whole = axum::body::to_bytes(body, usize::MAX).await.unwrap();
            assert_eq!(whole.as_ref(), bytes.as_slice(), "chunks of {split}");
        }
        // One first chunk far larger than the limit (a photo sent at once) still gives the
        // token; a first field that never ends within the limit gives none.
        let mut big = form("csrf");
        big.extend(std::iter::repeat_n(b'x', 64 * 1024));
        let (token, body) = first_field_csrf(Body::from(big.clone()), "XyZ").await;
        assert_eq!(token.as_deref(), Some("tok123"), "one large first chunk");
        let whole = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        assert_eq!(whole.len(), big.len());
        let endless = format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}",
            "t".repeat(20_000)
        );
        let chunks: Vec<Result<Bytes, std::io::Error>> = endless
            .as_bytes()
            .chunks(1000)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let (token, _) = first_field_csrf(Body::from_stream(futures_util::stream::iter(chunks)), "XyZ").await;
        assert_eq!(token, None, "a first field that does not end within the limit");
        let (token, _) = first_field_csrf(Body::from(form("title")), "XyZ").await;
        assert_eq!(token, None, "a token that is not the first field is not looked for");
        let (token, _) = first_field_csrf(Body::from("garbage"), "XyZ").await;
        assert_eq!(token, None);
    }
}
