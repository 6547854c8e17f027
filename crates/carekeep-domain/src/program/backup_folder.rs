//! The folder the owner types for backups on the set-up path (issue 25, item 6): a data backup
//! plan makes "retrievable exact copies" (164.308(a)(7)(ii)(A)), so the copies must live apart
//! from the computer that holds the clinic's data: a USB disk or a NAS share, never inside
//! Carekeep's own data folder, which a lost or broken disk takes with it. Whether the folder
//! exists and can be written is for the caller to try (it touches the disk).

/// Checks the typed folder against the data folder; returns the folder as it will be kept, or
/// the words for the person at the field.
pub fn check(typed: &str, data_dir: &str) -> Result<String, &'static str> {
    let folder = typed.trim();
    if folder.is_empty() {
        return Err("type the folder where backups go, such as /media/backup-disk or /mnt/nas/carekeep");
    }
    if folder.chars().any(char::is_control) {
        return Err("the backup folder has a character that cannot be in a folder's name");
    }
    if !is_full_path(folder) {
        return Err("type the folder's full path, starting with / (or a drive letter like E:\\ on Windows)");
    }
    let (f, d) = (normal(folder), normal(data_dir));
    let under = |a: &str, b: &str| a.starts_with(&format!("{}/", b.trim_end_matches('/')));
    if !d.is_empty() && (f == d || under(&f, &d) || under(&d, &f)) {
        return Err("choose a folder outside Carekeep's own data folder, on a USB disk or a NAS share: a copy on the same disk is lost with it");
    }
    Ok(folder.to_owned())
}

fn is_full_path(p: &str) -> bool {
    let drive = matches!(p.as_bytes(), [d, b':', b'\\' | b'/', ..] if d.is_ascii_alphabetic());
    p.starts_with('/') || p.starts_with("\\\\") || drive
}

/// Slashes one way, no trailing slash, case kept (Unix paths are case-sensitive).
fn normal(p: &str) -> String {
    let s = p.trim().replace('\\', "/");
    let s = s.trim_end_matches('/');
    if s.is_empty() && p.trim().starts_with('/') {
        "/".into()
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    /// 164.308(a)(7)(ii)(A): exact copies kept apart from the data they copy.
    #[test]
    fn folders() {
        let data = "/var/lib/carekeep";
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("/media/usb-backup", Ok("/media/usb-backup")),
            ("  /mnt/nas/carekeep  ", Ok("/mnt/nas/carekeep")),
            ("E:\\Carekeep", Ok("E:\\Carekeep")),
            ("\\\\nas\\backups", Ok("\\\\nas\\backups")),
            ("", Err("type the folder")),
            ("   ", Err("type the folder")),
            ("backups", Err("full path")),
            ("./backups", Err("full path")),
            ("/var/lib/carekeep", Err("outside Carekeep's own data folder")),
            ("/var/lib/carekeep/", Err("outside Carekeep's own data folder")),
            ("/var/lib/carekeep/backups", Err("outside Carekeep's own data folder")),
            ("/var/lib", Err("outside Carekeep's own data folder")),
            ("/", Err("outside Carekeep's own data folder")),
            ("/var/lib/carekeeper", Ok("/var/lib/carekeeper")),
            ("/media/usb\u{7}", Err("cannot be in a folder's name")),
        ];
        for (typed, want) in cases {
            match (check(typed, data), want) {
                (Ok(got), Ok(w)) => assert_eq!(&got, w, "{typed:?}"),
                (Err(got), Err(w)) => assert!(got.contains(w), "{typed:?}: {got}"),
                (got, w) => panic!("{typed:?}: got {got:?}, want {w:?}"),
            }
        }
    }
}
