//! Uploaded photos, documents and certificates are typed from their bytes alone.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(kind) = carekeep_domain::files::sniff(data) {
        assert!(["image/jpeg", "image/png", "image/webp", "application/pdf"].contains(&kind));
    }
});
