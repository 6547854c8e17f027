//! The allocator of Carekeep's binaries.
//!
//! glibc's malloc spent about a fifth of a chart read's CPU in its arena locks and
//! consolidation (perf, BENCHMARKS.md); mimalloc's per-thread heaps avoid both. Two settings
//! keep its resident memory at glibc's level: no transparent huge pages (the `no_thp` build
//! feature: a 2 MiB page stays resident for one live byte) and freed memory handed back to the
//! system at once instead of a second later (`purge_delay` 0), so the 19 MiB Argon2 buffer of
//! a login does not linger in an idle clinic's footprint.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (mimalloc.h); the Rust bindings of
/// libmimalloc-sys 0.1.49 predate it. Both crates are pinned to exact versions for this.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The mimalloc version these settings were written for (`MI_MALLOC_VERSION`, 3.3.2).
const MIMALLOC_VERSION: u32 = 30302;

/// Applies the settings; the binaries call it first thing in `main`. Returns false, changing
/// nothing, if the linked mimalloc is not the version the option number was read from. An
/// operator's own `MIMALLOC_PURGE_DELAY` is left in force (a delay of 1000 ms measured the same
/// chart-read rate here as 0, within the machine's noise).
pub fn init() -> bool {
    if mimalloc::MiMalloc.version() != MIMALLOC_VERSION {
        return false;
    }
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return true;
    }
    #[allow(unsafe_code)]
    // SAFETY: mi_option_set takes a plain option number and value and is callable at any time;
    // the number is checked against the linked version above.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_option_number_names_purge_delay() {
        // purge_delay's built-in default is 1000 ms in mimalloc 3; no other option defaults
        // to 1000, so reading it back through the number checks the number.
        #[allow(unsafe_code)]
        // SAFETY: reads an option by number.
        let before = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(before, 1000);
        assert!(super::init());
        #[allow(unsafe_code)]
        // SAFETY: as above.
        let after = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(after, 0);
    }
}
