//! The readiness profile for the proposed Security Rule: PROPOSED, NOT LAW, a separate view
//! that changes nothing. Thin: the profile is the app's and the domain's.

use super::chrome;
use crate::error::WebError;
use crate::session::PageUser;
use crate::state::AppState;
use crate::web::chrome::Chrome;
use askama::Template;
use axum::extract::State;
use carekeep_app::program::readiness::ReadinessView;

pub async fn show(State(state): State<AppState>, PageUser(p): PageUser) -> Result<ReadinessPage, WebError> {
    let r = state.app.readiness(&p.actor()).await.map_err(WebError::page)?;
    let map_svg = super::pictures::network_map::svg(&r.map);
    Ok(ReadinessPage {
        chrome: chrome(&state, &p, "/program"),
        r,
        map_svg,
    })
}

#[derive(Template, Debug)]
#[template(path = "program/readiness.html")]
pub struct ReadinessPage {
    pub chrome: Chrome,
    pub r: ReadinessView,
    /// The network map, drawn here (escaped text inside).
    pub map_svg: String,
}

crate::web::chrome::page_response!(ReadinessPage);
