//! What every handler gets: the app, the config, and the login rate limiter.

use crate::config::Config;
use crate::middleware::ratelimit::RateLimiter;
use carekeep_app::App;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub app: App,
    pub config: Arc<Config>,
    pub limiter: Arc<RateLimiter>,
    /// Requests to reminders' confirm links, per address (a token cannot be guessed at speed).
    pub link_limiter: Arc<RateLimiter>,
    /// Requests to the SMS gateway's reply webhook, per address.
    pub hook_limiter: Arc<RateLimiter>,
    /// The proxies whose `X-Forwarded-For` is believed (empty unless `behind_tls_proxy`).
    pub proxies: Arc<Vec<carekeep_domain::client_address::Cidr>>,
}
