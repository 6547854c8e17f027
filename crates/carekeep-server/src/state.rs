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
    /// The network choice made on the set-up path, as served now.
    pub network: Arc<crate::network::Live>,
    /// The patients' door: its limiter, challenges and certificate (issue 27).
    pub door: crate::portal_door::SharedDoor,
}

impl AppState {
    /// The proxies whose `X-Forwarded-For` is believed: carekeep.toml's with
    /// `behind_tls_proxy`, else those chosen on the set-up path's network step.
    pub fn trusted_proxies(&self) -> Arc<Vec<carekeep_domain::client_address::Cidr>> {
        if self.config.behind_tls_proxy {
            return self.proxies.clone();
        }
        self.network.snapshot().proxies
    }

    /// Cookies are marked Secure (and HSTS sent) whenever browsers reach Carekeep over HTTPS:
    /// carekeep.toml's TLS or proxy, or HTTPS or a proxy chosen on the set-up path.
    pub fn secure_cookies(&self) -> bool {
        let live = self.network.snapshot();
        self.config.secure_cookies()
            || live.serves_https()
            || live.mode == Some(carekeep_domain::program::network::Mode::Proxy)
    }
}
