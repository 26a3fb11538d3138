//! The seam between the app's command line and a deployment backend.
//!
//! `rcdk-core` does not talk to AWS. Without a backend, the deployment subcommands synthesize and
//! hand over to the `cargo-rcdk` binary; a backend plugged in (`cargo_rcdk::CloudFormationDeployer`,
//! the `deploy` feature of `rcdk`) runs them in this process instead. Either way the command line
//! synthesizes first and deployment only ever reads what synthesis wrote.

use std::path::Path;
use std::process::ExitCode;

/// Error a backend returns; its `Display` is printed as the command's error message.
pub type DeployError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A deployment backend plugged into [`crate::App::run_with`].
pub trait Deployer {
    /// The subcommands this backend adds, as clap commands (names must not clash with
    /// `synth`, `list`, `tree` or `graph`).
    fn commands(&self) -> Vec<clap::Command>;

    /// Runs subcommand `name` with its parsed arguments against `assembly_dir`, the output
    /// directory that synthesis has just written (it holds `manifest.json`).
    fn run(
        &self,
        name: &str,
        args: &clap::ArgMatches,
        assembly_dir: &Path,
    ) -> Result<ExitCode, DeployError>;

    /// Looks up the context the manifest in `assembly_dir` lists as missing and stores the
    /// answers in `context_file`; `args` are the command's parsed arguments (for `--profile`
    /// and `--endpoint-url`). `None` (the default) leaves it to `cargo-rcdk context`.
    fn resolve_context(
        &self,
        assembly_dir: &Path,
        context_file: &Path,
        args: &clap::ArgMatches,
    ) -> Option<Result<(), DeployError>> {
        let _ = (assembly_dir, context_file, args);
        None
    }
}
