//! TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step of clock drift either way)
//! through `totp-rs`. A code is accepted only for a time step later than the last one used,
//! so an overheard code cannot be replayed.

use crate::token::{constant_time_eq, random_bytes};
use crate::CryptoError;
use qrcode::render::svg;
use qrcode::QrCode;
use totp_rs::{Algorithm, Secret, TOTP};
use zeroize::Zeroizing;

pub const STEP_SECONDS: u64 = 30;
pub const DIGITS: usize = 6;
/// Steps of drift accepted either side of now.
pub const SKEW_STEPS: u64 = 1;

/// A TOTP shared secret (160 bits, RFC 4226's recommended length).
#[derive(Clone)]
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl TotpSecret {
    pub fn generate() -> Self {
        TotpSecret(Zeroizing::new(random_bytes::<20>().to_vec()))
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        TotpSecret(Zeroizing::new(bytes))
    }

    pub fn from_base32(text: &str) -> Result<Self, CryptoError> {
        Secret::Encoded(text.trim().replace(' ', "").to_uppercase())
            .to_bytes()
            .map(Self::from_bytes)
            .map_err(|_| CryptoError::BadSecret)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Base32, as authenticator apps take it typed in.
    pub fn to_base32(&self) -> String {
        Secret::Raw(self.0.to_vec()).to_encoded().to_string()
    }

    fn totp(&self, digits: usize, issuer: Option<String>, account: String) -> TOTP {
        TOTP::new_unchecked(
            Algorithm::SHA1,
            digits,
            1,
            STEP_SECONDS,
            self.0.to_vec(),
            issuer,
            account,
        )
    }
}

/// The code for a Unix time, as an authenticator app shows it.
pub fn code_at(secret: &TotpSecret, unix_seconds: u64) -> String {
    secret.totp(DIGITS, None, String::new()).generate(unix_seconds)
}

/// Checks `code` at `unix_seconds`. Returns the matching time step when the code is right and
/// its step is later than `last_used_step` (RFC 6238 section 5.2: a verifier must not accept
/// the same code twice).
pub fn verify(secret: &TotpSecret, code: &str, unix_seconds: u64, last_used_step: Option<u64>) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now_step = unix_seconds / STEP_SECONDS;
    let totp = secret.totp(DIGITS, None, String::new());
    let first = now_step.saturating_sub(SKEW_STEPS);
    (first..=now_step + SKEW_STEPS)
        .filter(|step| last_used_step.is_none_or(|used| *step > used))
        .find(|step| constant_time_eq(totp.generate(step * STEP_SECONDS).as_bytes(), code.as_bytes()))
}

/// The `otpauth://` URI an authenticator app reads from the QR code.
pub fn otpauth_uri(secret: &TotpSecret, issuer: &str, account: &str) -> String {
    let clean = |s: &str| s.replace(':', " ");
    secret.totp(DIGITS, Some(clean(issuer)), clean(account)).get_url()
}

/// The URI as an SVG QR code, drawn server-side (no script, nothing fetched).
pub fn qr_svg(uri: &str) -> Result<String, CryptoError> {
    let code = QrCode::new(uri.as_bytes()).map_err(|_| CryptoError::BadSecret)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B test vectors for HMAC-SHA-1 (8 digits, seed "12345678901234567890").
    #[test]
    fn rfc6238_appendix_b_sha1_vectors() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        let totp = secret.totp(8, None, String::new());
        let vectors = [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, want) in vectors {
            assert_eq!(totp.generate(time), want, "T={time}");
        }
        // The six-digit codes Carekeep uses are the same values' last six digits (RFC 4226 5.3).
        assert_eq!(code_at(&secret, 59), "287082");
    }

    #[test]
    fn accepts_one_step_of_drift_and_refuses_replay() {
        let secret = TotpSecret::generate();
        let t = 1_800_000_000;
        let step = t / STEP_SECONDS;
        let code = code_at(&secret, t);
        assert_eq!(verify(&secret, &code, t, None), Some(step));
        assert_eq!(verify(&secret, &code, t + 30, None), Some(step));
        assert_eq!(verify(&secret, &code, t - 30, None), Some(step));
        assert_eq!(verify(&secret, &code, t + 90, None), None);
        assert_eq!(verify(&secret, &code, t, Some(step)), None, "replay");
        assert_eq!(verify(&secret, "12345", t, None), None);
        assert_eq!(verify(&secret, "abcdef", t, None), None);
    }

    #[test]
    fn base32_and_uri_round_trip() {
        let secret = TotpSecret::generate();
        let back = TotpSecret::from_base32(&secret.to_base32()).unwrap();
        assert_eq!(back.as_bytes(), secret.as_bytes());
        let uri = otpauth_uri(&secret, "Carekeep: Demo Clinic", "frontdesk");
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(uri.contains(&format!("secret={}", secret.to_base32())));
        assert!(qr_svg(&uri).unwrap().contains("<svg"));
    }
}
