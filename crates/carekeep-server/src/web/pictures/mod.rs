//! Pictures drawn on the server as SVG: no script, nothing fetched, they print. Each carries
//! a `<title>` and the page gives a text equivalent beside it.

pub(crate) mod network_map;
