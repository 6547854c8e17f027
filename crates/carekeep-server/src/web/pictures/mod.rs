//! Pictures drawn on the server as SVG: no script, nothing fetched, and they print. Each has
//! a `<title>` and a text equivalent beside it for screen readers.

pub mod checklist_history;
pub mod progress;
