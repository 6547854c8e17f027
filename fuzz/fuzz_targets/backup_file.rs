//! A backup file from a USB disk or a NAS: any bytes open only with the right key and intact,
//! otherwise are refused, never a panic. Also the backup key file's text.
#![no_main]
use carekeep_crypto::backup::BackupKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = BackupKey::from_file_contents("carekeep-backup-key-v1:BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=");
    if let Ok(key) = key {
        let _ = carekeep_server::backup::read_bytes(data, std::path::Path::new("fuzz.ckb"), &key);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = BackupKey::from_file_contents(text);
    }
});
