//! `carekeep key rotate`: a new master key, while the server runs.

use crate::context::Context;
use crate::Failure;
use carekeep_app::SystemClock;
use std::sync::Arc;

#[derive(clap::Subcommand, Debug)]
pub enum KeyCommand {
    /// Make a new master key and re-wrap the clinic's data keys under it. PHI is not
    /// re-encrypted, so a running server keeps working; back up the new key file afterwards.
    Rotate {
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(ctx: &Context, cmd: KeyCommand) -> Result<(), Failure> {
    let KeyCommand::Rotate { json } = cmd;
    let config = ctx.config()?;
    let key_path = config.master_key_path();
    let rotated = {
        let bar = crate::progress::Bar::new(ctx.quiet || json);
        carekeep_app::backup::key_rotation::rotate(&config.files(), Arc::new(SystemClock), ctx.hasher()?, &bar)
            .await
            .map_err(carekeep_server::StartError::from)?
    };
    if ctx.quiet {
        return Ok(());
    }
    if json {
        outln!(
            "{}",
            serde_json::json!({"key_file": key_path.display().to_string(), "data_keys": rotated.data_keys, "secrets": rotated.secrets})
        );
    } else {
        outln!(
            "Re-wrapped {} data keys and {} secrets under a new master key in {}.",
            rotated.data_keys,
            rotated.secrets,
            key_path.display()
        );
        outln!("Back up the new key file now, apart from the data: the old key no longer opens this clinic.");
    }
    Ok(())
}
