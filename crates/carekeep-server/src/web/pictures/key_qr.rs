//! The backup key as a QR code on the recovery sheet, drawn by the `qrcode` crate (as the
//! authenticator's is) with a `<title>` and a `<desc>`; its text equivalent is the key printed
//! beside it.

use super::escape;

/// The key's text as a QR code; `None` if the text does not fit one (it always does: 56
/// characters).
pub fn svg(id: &str, text: &str) -> Option<String> {
    let raw = carekeep_crypto::totp::qr_svg(text).ok()?;
    let body = &raw[raw.find("<svg")?..];
    let close = body.find('>')?;
    let id = escape(id);
    Some(format!(
        "{} id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">The backup key as a QR code</title><desc id=\"{id}-desc\">The same backup key as the text printed beside it, for a phone's camera or a scanner.</desc>{}",
        body[..close].trim_end_matches('/'),
        &body[close + 1..]
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn titled_and_drawn() {
        let s = super::svg("key-qr", "carekeep-backup-key-v1:AAAA").unwrap();
        assert!(s.starts_with("<svg"), "{s}");
        assert!(s.contains("<title id=\"key-qr-title\">"));
        assert!(s.contains("aria-labelledby=\"key-qr-title key-qr-desc\""));
        assert!(!s.contains("<?xml"));
    }
}
