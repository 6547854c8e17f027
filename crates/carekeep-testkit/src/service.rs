//! Services outside the Rust toolchain that a few tests use when they are there (an R4
//! validator, an S3-compatible server). `cargo test` on a machine with nothing but the
//! toolchain passes and says once what it left out; CI names every service, and in CI a
//! missing one fails the test instead.

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::Mutex;

static TOLD: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

/// The value of `var` (the service's address or program), if it is set and not empty.
///
/// When it is missing: in CI (`CI` set to anything but `false` or empty) this panics, since a
/// skipped check would pass unseen; elsewhere it returns `None` after printing, once per test
/// run, what is left out and how to include it (`what`).
pub fn external_service(var: &'static str, what: &str) -> Option<String> {
    if let Some(value) = std::env::var(var).ok().filter(|v| !v.is_empty()) {
        return Some(value);
    }
    #[allow(clippy::panic, reason = "a test helper: CI asked for the service")]
    if in_ci() {
        panic!("{var} is not set, and CI runs every test: {what}");
    }
    let first = TOLD.lock().map(|mut told| told.insert(var)).unwrap_or(true);
    if first {
        // Straight to the process's stderr: the test harness captures eprintln! of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "note: {var} is not set, so this part was left out (CI runs it): {what}"
        );
    }
    None
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}
