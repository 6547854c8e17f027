//! `carekeep user ...`: staff account administration from the machine's shell.

use crate::context::{read_password, Context};
use crate::Failure;
use carekeep_app::users::{NewUserInput, UserView};
use carekeep_app::{Actor, App};

#[derive(clap::Subcommand, Debug)]
pub enum UserCommand {
    /// Add a staff account.
    Add {
        username: String,
        /// Roles, comma-separated (e.g. provider or owner,provider).
        #[arg(long, value_delimiter = ',', required = true)]
        roles: Vec<String>,
        /// Full name.
        #[arg(long, default_value = "")]
        name: String,
        /// Read the password from one line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List staff accounts.
    List {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account (kept, never deleted); its sessions end at once.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
    /// Set a new password; the account's sessions end.
    ResetPassword {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove an account's MFA so it enrols again at next login (a lost phone).
    ResetMfa { username: String },
    /// Show an account's roles, or replace them with --set.
    Roles {
        username: String,
        /// New roles, comma-separated; the account's sessions end.
        #[arg(long, value_delimiter = ',')]
        set: Option<Vec<String>>,
    },
}

pub async fn run(ctx: &Context, cmd: UserCommand) -> Result<(), Failure> {
    let app = ctx.open_app().await?;
    let result = dispatch(&app, cmd).await;
    app.close().await;
    result
}

fn line(u: &UserView) -> String {
    let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
    format!(
        "{:<20} {:<28} {:<34} {:<12} {}",
        u.username,
        u.display_name,
        roles.join(","),
        if u.mfa_enrolled {
            "mfa"
        } else if u.mfa_required {
            "mfa-missing"
        } else {
            "no-mfa"
        },
        if u.disabled { "disabled" } else { "active" }
    )
}

async fn dispatch(app: &App, cmd: UserCommand) -> Result<(), Failure> {
    let cli = Actor::Cli;
    match cmd {
        UserCommand::Add {
            username,
            roles,
            name,
            password_stdin,
        } => {
            let password = read_password(password_stdin, "Password (at least 12 characters)")?;
            let u = app
                .create_user(
                    &cli,
                    &NewUserInput {
                        username: &username,
                        display_name: &name,
                        password: &password,
                        roles: &roles,
                    },
                )
                .await?;
            outln!("added {}", line(&u));
        }
        UserCommand::List { json } => {
            let users = app.list_users(&cli).await?;
            if json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&users).map_err(|e| Failure::Failed(e.to_string()))?
                );
            } else {
                outln!("{:<20} {:<28} {:<34} {:<12} status", "username", "name", "roles", "mfa");
                users.iter().for_each(|u| outln!("{}", line(u)));
            }
        }
        UserCommand::Disable { username } => {
            let u = app.find_user(&cli, &username).await?;
            outln!("disabled {}", line(&app.set_user_disabled(&cli, u.id, true).await?));
        }
        UserCommand::Enable { username } => {
            let u = app.find_user(&cli, &username).await?;
            outln!("enabled {}", line(&app.set_user_disabled(&cli, u.id, false).await?));
        }
        UserCommand::ResetPassword {
            username,
            password_stdin,
        } => {
            let u = app.find_user(&cli, &username).await?;
            let password = read_password(password_stdin, "New password")?;
            app.reset_password(&cli, u.id, &password).await?;
            outln!("password changed for {}; its sessions have ended", u.username);
        }
        UserCommand::ResetMfa { username } => {
            let u = app.find_user(&cli, &username).await?;
            app.reset_mfa(&cli, u.id).await?;
            outln!(
                "two-step verification reset for {}; it enrols again at next login",
                u.username
            );
        }
        UserCommand::Roles { username, set } => {
            let u = app.find_user(&cli, &username).await?;
            let u = match set {
                Some(roles) => app.set_user_roles(&cli, u.id, &roles).await?,
                None => u,
            };
            outln!("{}", u.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","));
        }
    }
    Ok(())
}
