//! Standard output for every command. A reader that closes the pipe early
//! (`carekeep audit export --format csv | head`) has all it wants: the command then ends at
//! once and quietly, with exit code 0, instead of panicking as `println!` does on a broken
//! pipe. Any other failure to write is an error (exit 1).

use std::io::Write;

/// Writes to standard output (through the `out!` and `outln!` macros).
pub fn write(args: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// `print!`, ending quietly on a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::out::write(format_args!($($arg)*)) };
}

/// `println!`, ending quietly on a closed pipe.
macro_rules! outln {
    () => { $crate::out::write(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::out::write(format_args!("{}\n", format_args!($($arg)*))) };
}
