//! Synthesis through cargo: `cargo run --quiet [-p PKG] [--manifest-path M] -- synth --quiet
//! --output DIR`, so the user's program is built and run as they would run it themselves.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How to run the user's program.
#[derive(Debug, Clone, Default)]
pub struct SynthRequest {
    /// `-p/--package`: the package whose binary builds the app.
    pub package: Option<String>,
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// Output directory of the assembly.
    pub output: PathBuf,
    /// Stacks to synthesize (the program checks the names); empty: all.
    pub stacks: Vec<String>,
    /// Extra arguments for the program, before the subcommand (`--strict`).
    pub program_args: Vec<OsString>,
}

/// The cargo to run: the one that ran us (`CARGO`), else `cargo` on PATH.
fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Runs the program's `synth`; its output goes to our stderr and stdout. Returns the assembly
/// directory, or a message saying what failed.
pub fn synthesize(request: &SynthRequest) -> Result<PathBuf, String> {
    let mut cmd = Command::new(cargo());
    cmd.args(["run", "--quiet"]);
    if let Some(p) = &request.package {
        cmd.args(["--package", p]);
    }
    if let Some(m) = &request.manifest_path {
        cmd.arg("--manifest-path").arg(m);
    }
    cmd.arg("--")
        .args(&request.program_args)
        .args(["synth", "--quiet", "--output"])
        .arg(&request.output)
        .args(&request.stacks);
    // The program hands its lookups over to this very binary (not another cargo-rcdk on PATH).
    match std::env::current_exe() {
        Ok(exe) => cmd.env("RCDK_CLI", exe),
        Err(_) => cmd.env_remove("RCDK_CLI"),
    };
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run cargo ({}): {e}", cargo().to_string_lossy()))?;
    if !status.success() {
        return Err(format!(
            "synthesis failed: `cargo run{}{} -- synth` exited with {status}",
            request
                .package
                .as_deref()
                .map(|p| format!(" -p {p}"))
                .unwrap_or_default(),
            request
                .manifest_path
                .as_deref()
                .map(|m| format!(" --manifest-path {}", m.display()))
                .unwrap_or_default(),
        ));
    }
    if !Path::new(&request.output).join("manifest.json").is_file() {
        return Err(format!(
            "the program ran but wrote no {}: is it a Rust CDK app (does main call `app.run()`)?",
            request.output.join("manifest.json").display()
        ));
    }
    Ok(request.output.clone())
}
