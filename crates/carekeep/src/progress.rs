//! The command line's progress: a bar (or a spinner while the size is unknown) on standard
//! error, drawn only when standard error is a terminal and `--quiet` is not given, so scripts
//! and pipes see the one-line summary alone.

use carekeep_app::progress::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    /// A bar for a terminal; hidden under `--quiet`, `--json` or when not on a terminal.
    pub fn new(quiet: bool) -> Bar {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(spinner())
        };
        Bar { bar }
    }
}

fn bar() -> ProgressStyle {
    ProgressStyle::with_template("{msg:40} [{bar:30}] {percent:>3}%  {elapsed_precise}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

fn spinner() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg}  {elapsed_precise}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

impl Progress for Bar {
    fn step(&self, what: &str, total: Option<u64>) {
        // Style and message first: the bar redraws on each change, and a bar drawn before
        // its style is set shows the default template for a frame.
        self.bar.set_message(what.to_owned());
        match total {
            Some(n) => {
                self.bar.disable_steady_tick();
                self.bar.set_style(bar());
                self.bar.set_length(n);
            }
            None => {
                self.bar.set_style(spinner());
                self.bar.unset_length();
                self.bar.enable_steady_tick(Duration::from_millis(120));
            }
        }
        self.bar.set_position(0);
        self.bar.reset_elapsed();
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
