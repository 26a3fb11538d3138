//! Hand-over to `cargo-rcdk`: the program synthesizes, then runs
//! `cargo-rcdk COMMAND --app OUTPUT ARGS...` with the same standard streams and returns its exit
//! code. The program itself never links the AWS SDK.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The subcommands handed over, with their one-line help.
pub(crate) const COMMANDS: [(&str, &str); 5] = [
    ("deploy", "Publish assets, then create or update the stacks"),
    ("diff", "Compare the stacks with the deployed ones"),
    ("destroy", "Delete the stacks"),
    (
        "bootstrap",
        "Create the staging bucket and version parameter of an environment",
    ),
    ("publish", "Upload the stacks' file assets"),
];

/// Environment variable naming the `cargo-rcdk` binary to run (a path or a name on PATH).
pub const CLI_ENV: &str = "RCDK_CLI";

/// Name of the binary looked for on PATH.
pub const CLI_BINARY: &str = "cargo-rcdk";

/// What a user types to install the binary.
pub const INSTALL_HINT: &str = "`cargo install cargo-rcdk` (in a clone of the rcdk repository: `cargo install --path cargo-rcdk`)";

/// `RCDK_CLI` when set, else `cargo-rcdk` found on PATH.
fn find_cli() -> Option<PathBuf> {
    if let Some(explicit) = std::env::var_os(CLI_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(explicit));
    }
    let file_name = format!("{CLI_BINARY}{}", std::env::consts::EXE_SUFFIX);
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(&file_name))
        .find(|candidate| candidate.is_file())
}

/// Runs `cargo-rcdk name --app output rest...` and returns its exit code.
pub(crate) fn run(name: &str, output: &Path, rest: &[OsString]) -> ExitCode {
    let Some(cli) = find_cli() else {
        eprintln!(
            "error: `{name}` runs the `cargo rcdk` command, which is not installed ({CLI_BINARY} is not on PATH)\n  hint: install it with {INSTALL_HINT}, then run `cargo rcdk {name}` or this command again"
        );
        return ExitCode::from(2);
    };
    let status = Command::new(&cli)
        .arg(name)
        .arg(OsStr::new("--app"))
        .arg(output)
        .args(rest)
        .status();
    match status {
        Ok(status) => exit_code(status),
        Err(e) => {
            eprintln!(
                "error: cannot run {} for `{name}`: {e}\n  hint: install it with {INSTALL_HINT}, or set {CLI_ENV} to its path",
                cli.display()
            );
            ExitCode::from(2)
        }
    }
}

/// The exit code of a finished child process, passed on as this program's.
pub(super) fn exit_code(status: std::process::ExitStatus) -> ExitCode {
    match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        // Killed by a signal (Ctrl-C reaches both processes).
        None => ExitCode::from(130),
    }
}
