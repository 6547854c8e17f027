//! `carekeep serve`, `carekeep demo` and `carekeep healthcheck`.

use crate::cmd_init::{create_clinic, create_or_load_key, prepare_folder};
use crate::context::Context;
use crate::Failure;
use carekeep_app::demo::{self, DemoCredential};
use carekeep_app::setup::FirstOwner;
use carekeep_server::Config;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 (overrides the config's `listen`).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Emergency mode: serve lookups only (e.g. a restored copy on another machine while the
    /// primary is down); changes are refused, every access is still audited.
    #[arg(long)]
    read_only: bool,
}

#[derive(clap::Args, Debug)]
pub struct HealthArgs {
    /// Address to check (default: the config's `listen`).
    #[arg(long)]
    listen: Option<SocketAddr>,
}

fn init_logging(filter: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn with_listen(mut cfg: Config, listen: Option<SocketAddr>) -> Config {
    if let Some(l) = listen {
        cfg.listen = l;
    }
    cfg
}

async fn run_server(ctx: &Context, cfg: Config, before_serving: impl FnOnce(&str)) -> Result<(), Failure> {
    init_logging(&cfg.log);
    carekeep_server::check_transport(cfg.listen, cfg.tls_enabled(), cfg.behind_tls_proxy)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    // Nothing in the data folder may be readable by other users, whatever made it so.
    carekeep_app::datadir::check_private(&cfg.data_dir).map_err(|e| Failure::Usage(e.to_string()))?;
    let scheme = if cfg.tls_enabled() { "https" } else { "http" };
    let state = ctx.open_state(cfg).await?;
    let addr = state.config.listen;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Failed(format!("cannot listen on {addr}: {e}")))?;
    let url = format!(
        "{scheme}://{}",
        listener.local_addr().map_err(|e| Failure::Failed(e.to_string()))?
    );
    before_serving(&url);
    tracing::info!(%url, hashing = %state.app.hasher().describe(), "serving");
    // The portal's listeners first: the jobs' first look at its certificate orders one, and
    // the authority's check needs the challenge port.
    let (stop_portal, portal_stopped) = tokio::sync::watch::channel(false);
    let portal = start_portal(&state, portal_stopped).await?;
    let (stop_jobs, jobs_stopped) = tokio::sync::oneshot::channel::<()>();
    let jobs = tokio::spawn(carekeep_server::jobs::run(state.clone(), async {
        let _ = jobs_stopped.await;
    }));
    let served = carekeep_server::serve(state, listener, async move {
        shutdown_signal().await;
        let _ = stop_portal.send(true);
    })
    .await;
    let _ = stop_jobs.send(());
    let _ = jobs.await;
    if let Some(task) = portal {
        match task.await {
            Ok(Err(e)) => return Err(Failure::Usage(format!("the portal: {e}"))),
            Err(e) => return Err(Failure::Failed(format!("the portal: {e}"))),
            Ok(Ok(())) => {}
        }
    }
    served.map_err(|e| Failure::Usage(e.to_string()))
}

/// The patients' door (`portal_listen`), when configured: its listener (and, with ACME, the
/// plain challenge port) bound now, so a port already taken stops the start with words.
async fn start_portal(
    state: &carekeep_server::AppState,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Result<Option<tokio::task::JoinHandle<Result<(), carekeep_server::ServeError>>>, Failure> {
    let Some(portal) = state.config.portal().map_err(|e| Failure::Usage(e.to_string()))? else {
        return Ok(None);
    };
    let bind = |addr: SocketAddr| async move {
        tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Failure::Failed(format!("cannot listen on {addr} for the portal: {e}")))
    };
    let tls = !matches!(portal.tls, carekeep_server::PortalTls::Plain);
    carekeep_server::check_transport(portal.listen, tls, state.config.behind_tls_proxy)
        .map_err(|e| Failure::Usage(format!("portal_listen: {e}")))?;
    let listener = bind(portal.listen).await?;
    let challenge = match &portal.tls {
        carekeep_server::PortalTls::Acme { http_listen, .. } => Some(bind(*http_listen).await?),
        _ => None,
    };
    let scheme = if tls { "https" } else { "http" };
    let at = listener.local_addr().map_err(|e| Failure::Failed(e.to_string()))?;
    outln!("The patient portal is served at {scheme}://{at}");
    tracing::info!(listen = %at, "serving the patient portal");
    Ok(Some(tokio::spawn(carekeep_server::serve_portal(
        state.clone(),
        listener,
        challenge,
        async move {
            let _ = stop.wait_for(|s| *s).await;
        },
    ))))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}

pub async fn serve(ctx: &Context, args: ServeArgs) -> Result<(), Failure> {
    let mut cfg = with_listen(ctx.config()?, args.listen);
    cfg.read_only |= args.read_only;
    run_server(ctx, cfg, |url| outln!("Carekeep is serving at {url}")).await
}

const CREDENTIALS_FILE: &str = "demo-credentials.json";
/// Patients in the demo clinic: enough that every page has something to show.
const DEMO_PATIENTS: usize = 50;

/// Creates the demo clinic if the folder has none, prints the logins, and serves.
pub async fn demo(ctx: &Context, args: ServeArgs) -> Result<(), Failure> {
    let mut cfg = with_listen(prepare_folder(ctx)?, args.listen);
    cfg.read_only |= args.read_only;
    let creds_path = cfg.data_dir.join(CREDENTIALS_FILE);
    // The logins are printed once, when they are made: a demo run as a service would
    // otherwise leave every password and TOTP secret in its journal at every start.
    let fresh: Option<Vec<DemoCredential>> = if creds_path.exists() {
        None
    } else {
        outln!("Creating the demo clinic in {} ...", cfg.data_dir.display());
        let master = create_or_load_key(&cfg)?;
        let hasher = ctx.hasher()?;
        let password = demo::owner_password();
        let (owner, owner_name) = demo::OWNER;
        create_clinic(
            &cfg,
            &master,
            &hasher,
            "Demo Family Clinic",
            &FirstOwner {
                username: owner,
                display_name: owner_name,
                password: &password,
            },
        )
        .await?;
        // The seed walks a clock through the clinic's last week; the server runs on the real one.
        let clock = carekeep_app::ManualClock::new(carekeep_app::Clock::now(&carekeep_app::SystemClock));
        let app = ctx.open_state_on(cfg.clone(), clock.clone()).await?.app;
        let creds = demo::seed(&app, &password).await?;
        demo::fill_details(&app).await?;
        outln!("Seeding {DEMO_PATIENTS} synthetic patients over the last week ...");
        carekeep_app::demo_records::seed_records(&app, &clock, DEMO_PATIENTS).await?;
        demo::seed_forms(&app).await?;
        app.close().await;
        let text = serde_json::to_string_pretty(&creds).map_err(|e| Failure::Failed(e.to_string()))?;
        carekeep_app::datadir::write_private(&creds_path, text.as_bytes())
            .map_err(|e| Failure::Failed(e.to_string()))?;
        Some(creds)
    };
    run_server(ctx, cfg, |url| {
        outln!("\nCarekeep demo clinic: open {url}\n");
        match &fresh {
            Some(creds) => {
                outln!("Sign in with a username, its password, and the 6-digit code an authenticator app shows");
                outln!("after you add the account's TOTP secret to it (Google Authenticator, 2FAS, Aegis, `oathtool --totp -b SECRET`).\n");
                outln!("{:<12} {:<34} {:<36} roles", "username", "password", "TOTP secret (base32)");
                for c in creds {
                    outln!("{:<12} {:<34} {:<36} {}", c.username, c.password, c.totp_secret, c.roles.join("+"));
                }
                outln!("\nThese logins are also in {} (demo mode only: never keep real secrets in clear).", creds_path.display());
                outln!("They are printed this once; later starts only say where the file is.\n");
            }
            None => outln!(
                "The demo logins (usernames, passwords and TOTP secrets) are in {} (printed on the first run only).\n",
                creds_path.display()
            ),
        }
    })
    .await
}

/// Asks `/healthz`. Under built-in TLS it checks that the port accepts connections.
pub async fn healthcheck(ctx: &Context, args: HealthArgs) -> Result<(), Failure> {
    let cfg = ctx.config()?;
    let addr = args.listen.unwrap_or(cfg.listen);
    let check = async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        if cfg.tls_enabled() {
            return Ok(());
        }
        stream
            .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut buf = Vec::new();
        stream.read_to_end(&mut buf).await.map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&buf);
        if text.starts_with("HTTP/1.1 200") {
            Ok(())
        } else {
            Err(format!(
                "unexpected answer from {addr}: {}",
                text.lines().next().unwrap_or("")
            ))
        }
    };
    match tokio::time::timeout(Duration::from_secs(5), check).await {
        Ok(Ok(())) => {
            outln!("healthy: {addr}");
            Ok(())
        }
        Ok(Err(e)) => Err(Failure::Failed(e)),
        Err(_) => Err(Failure::Failed(format!("no answer from {addr} within 5 seconds"))),
    }
}
