//! The set-up path's backups step (issue 25, item 6): the owner chooses a folder (a USB disk,
//! a NAS share), Carekeep makes the backup key, runs the first backup and the restore drill at
//! once, and shows the result; the key is offered as a download and a printable recovery sheet
//! (the key as text and a QR code, where to keep it) to owners only, each time audited. The
//! nightly job reads the folder from the database on every tick: no restart.

use super::chrome;
use super::forms::{FieldWords, Refused};
use crate::error::WebError;
use crate::respond::file_response;
use crate::session::PageUser;
use crate::state::AppState;
use crate::urls;
use crate::web::chrome::Chrome;
use crate::web::formats;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use carekeep_app::backup::BackupSetup;
use carekeep_app::{AppError, Principal};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FolderForm {
    folder: String,
}

const FOLDER_FIELDS: &FieldWords = &[("folder", &["folder", "disk", "write", "path"])];

fn is_owner(p: &Principal) -> bool {
    p.roles.iter().any(|r| r.as_str() == "owner")
}

/// A size in words: `2.4 MB`.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000_000 => format!("{:.1} GB", b as f64 / 1e9),
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.0} KB", b as f64 / 1e3),
        b => format!("{b} bytes"),
    }
}

fn seconds(s: i64) -> String {
    match s {
        s if s < 1 => "less than a second".into(),
        1 => "1 second".into(),
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", s / 60),
    }
}

/// How backups stand, in words for the page.
#[derive(Debug, Default)]
pub struct Status {
    pub folder: String,
    pub from_config: bool,
    pub key_ready: bool,
    pub newest: Option<String>,
    pub newest_size: Option<String>,
    pub last_backup: Option<String>,
    pub backup_ok: bool,
    pub last_drill: Option<String>,
    pub drill_ok: bool,
    pub restore_time: Option<String>,
}

fn status(state: &AppState, s: BackupSetup) -> Status {
    let zone = state.app.clinic_zone();
    Status {
        folder: s.folder,
        from_config: s.from_config,
        key_ready: s.key_ready,
        newest_size: s.newest.as_ref().map(|(_, b)| size(*b)),
        newest: s.newest.map(|(n, _)| n),
        backup_ok: s.last_backup.is_some_and(|(_, ok)| ok),
        last_backup: s.last_backup.map(|(at, _)| formats::at(at, &zone)),
        drill_ok: s.last_drill.is_some_and(|(_, ok, _)| ok),
        restore_time: s.last_drill.and_then(|(_, _, secs)| secs).map(seconds),
        last_drill: s.last_drill.map(|(at, _, _)| formats::at(at, &zone)),
    }
}

async fn page(
    state: &AppState,
    p: &Principal,
    r: Refused,
    notice: Option<&'static str>,
) -> Result<BackupsPage, WebError> {
    let plan = state
        .config
        .backup_plan()
        .map_err(|e| WebError::page(AppError::Internal(e.to_string())))?;
    let s = state
        .app
        .backup_setup(&p.actor(), &plan)
        .await
        .map_err(WebError::page)?;
    Ok(BackupsPage {
        chrome: chrome(state, p, "/setup/backups").notice(notice),
        status: status(state, s),
        owner: is_owner(p),
        r,
    })
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Query(d): Query<Done>,
) -> Result<BackupsPage, WebError> {
    let notice = (d.done.as_deref() == Some("first")).then_some(
        "Backups are set up: the first backup is made and the restore drill passed. Download the backup key and print the recovery sheet now.",
    );
    page(&state, &p, Refused::default(), notice).await
}

pub async fn choose(
    State(state): State<AppState>,
    PageUser(p): PageUser,
    Form(f): Form<FolderForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .configure_backups(&p.actor(), &state.config.files(), &f.folder)
        .await
    {
        Ok(_) => Ok(urls::setup_backups().done("first").at("result").redirect()),
        Err(e @ AppError::Invalid(_)) => {
            let r = Refused::new("backups", &f, e.to_string(), FOLDER_FIELDS);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &p, r, None).await?).into_response())
        }
        Err(e) => Err(WebError::page(e)),
    }
}

/// The key file as a download (owners only; audited).
pub async fn key_file(State(state): State<AppState>, PageUser(p): PageUser) -> Result<Response, WebError> {
    let plan = state
        .config
        .backup_plan()
        .map_err(|e| WebError::page(AppError::Internal(e.to_string())))?;
    let text = state
        .app
        .backup_key_text(&p.actor(), &plan, "downloaded")
        .await
        .map_err(WebError::page)?;
    Ok(file_response(
        "application/octet-stream".into(),
        text.as_bytes().to_vec(),
        "carekeep-backup.key",
    ))
}

/// The printable recovery sheet: the key as text and a QR code, and where to keep it.
pub async fn sheet(State(state): State<AppState>, PageUser(p): PageUser) -> Result<SheetPage, WebError> {
    let plan = state
        .config
        .backup_plan()
        .map_err(|e| WebError::page(AppError::Internal(e.to_string())))?;
    let text = state
        .app
        .backup_key_text(&p.actor(), &plan, "recovery sheet shown")
        .await
        .map_err(WebError::page)?;
    let key = text.trim().to_owned();
    let details = state.app.clinic_details(&p.actor()).await.map_err(WebError::page)?;
    let zone = state.app.clinic_zone();
    Ok(SheetPage {
        chrome: chrome(&state, &p, "/setup/backups"),
        qr: super::pictures::key_qr::svg("key-qr", &key).unwrap_or_default(),
        lines: key
            .as_bytes()
            .chunks(16)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect(),
        clinic: details.legal_name,
        printed: formats::at(state.app.now(), &zone),
    })
}

#[derive(Template, Debug)]
#[template(path = "setup/backups.html")]
pub struct BackupsPage {
    pub chrome: Chrome,
    pub status: Status,
    /// Only owners choose the folder and see the key.
    pub owner: bool,
    pub r: Refused,
}

#[derive(Template, Debug)]
#[template(path = "setup/recovery_sheet.html")]
pub struct SheetPage {
    pub chrome: Chrome,
    pub qr: String,
    /// The key in groups of 16 characters, for reading aloud or typing from paper.
    pub lines: Vec<String>,
    pub clinic: String,
    pub printed: String,
}

super::chrome::page_response!(BackupsPage);
super::chrome::page_response!(SheetPage);

#[cfg(test)]
mod tests {
    #[test]
    fn words_for_sizes_and_times() {
        assert_eq!(super::size(512), "512 bytes");
        assert_eq!(super::size(2_400_000), "2.4 MB");
        assert_eq!(super::seconds(0), "less than a second");
        assert_eq!(super::seconds(45), "45 seconds");
        assert_eq!(super::seconds(600), "10 minutes");
    }
}
