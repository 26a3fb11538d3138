//! Shared support for the tests that run every example program: discovery of the example
//! packages under `examples/`, one build of each, and running a built example.
//!
//! Examples are found by reading `examples/*/Cargo.toml`, so a new example is covered by every
//! test without editing them.

#![allow(dead_code)] // Each test file uses a different part.

use rcdk_testkit::command::FakeAws;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The workspace root (parent of the `tests` package).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// Package names of the example programs, sorted: every directory under `examples/` with a
/// `Cargo.toml`.
pub fn example_names() -> Vec<String> {
    let dir = root().join("examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path().join("Cargo.toml"))
        .filter(|manifest| manifest.is_file())
        .map(|manifest| package_name(&manifest))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no example package in {}", dir.display());
    names
}

/// `name = "..."` of the `[package]` table (the manifests are plain enough for this).
fn package_name(manifest: &Path) -> String {
    let text = std::fs::read_to_string(manifest).unwrap();
    let mut in_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(value) = line.strip_prefix("name") {
                let value = value.trim_start().trim_start_matches('=').trim();
                return value.trim_matches('"').to_string();
            }
        }
    }
    panic!("no [package] name in {}", manifest.display());
}

/// Every example built once per test process, as a user builds it (no deployment compiled in:
/// `deploy`, `diff` and `destroy` hand over to `cargo-rcdk`); maps the package name to a private
/// copy of its binary.
///
/// The binaries are copied because `target/debug/NAME` is overwritten by any other build of the
/// same package with other features (another test, another developer's `cargo run`).
pub fn binaries() -> &'static BTreeMap<String, PathBuf> {
    static BUILT: OnceLock<BTreeMap<String, PathBuf>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let names = example_names();
        let mut cmd = Command::new(env!("CARGO"));
        cmd.current_dir(root())
            .args(["build", "--message-format", "json-render-diagnostics"]);
        for name in &names {
            cmd.args(["-p", name]);
        }
        let out = cmd.output().expect("cargo runs");
        assert!(
            out.status.success(),
            "building the examples failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Built on its own: built with the examples, it would unify features with them, and
        // `cargo run -p EXAMPLE` (what `cargo rcdk` runs) would then build them again.
        let cli = Command::new(env!("CARGO"))
            .current_dir(root())
            .args([
                "build",
                "-p",
                CLI,
                "--message-format",
                "json-render-diagnostics",
            ])
            .output()
            .expect("cargo runs");
        assert!(
            cli.status.success(),
            "building cargo-rcdk failed:\n{}",
            String::from_utf8_lossy(&cli.stderr)
        );
        let mut stdout = out.stdout;
        stdout.extend_from_slice(&cli.stdout);
        let copies = Path::new(env!("CARGO_TARGET_TMPDIR")).join("example-bins");
        std::fs::create_dir_all(&copies).unwrap();
        let mut built = BTreeMap::new();
        for line in String::from_utf8_lossy(&stdout).lines() {
            let message: serde_json::Value = match serde_json::from_str(line) {
                Ok(m) => m,
                Err(_) => continue,
            };
            let Some(executable) = message["executable"].as_str() else {
                continue;
            };
            let name = message["target"]["name"].as_str().unwrap_or_default();
            if !names.iter().any(|n| n == name) && name != CLI {
                continue;
            }
            // Copy, then rename: atomic, and never writes into a binary that is running.
            let copy = copies.join(name);
            let partial = copies.join(format!("{name}.{}", std::process::id()));
            std::fs::copy(executable, &partial).unwrap();
            std::fs::rename(&partial, &copy).unwrap();
            built.insert(name.to_string(), copy);
        }
        for name in names.iter().chain([&CLI.to_string()]) {
            assert!(
                built.contains_key(name),
                "cargo built no binary named {name}: an example's binary must be named after \
                 its package"
            );
        }
        built
    })
}

/// The `cargo-rcdk` binary, built with the examples.
pub const CLI: &str = "cargo-rcdk";

/// The path of the `cargo-rcdk` binary built with the examples.
pub fn cli() -> &'static Path {
    &binaries()[CLI]
}

/// Runs example `name` with `args` in `cwd`, with an environment that can only reach loopback
/// with fake credentials; commands it hands over run the `cargo-rcdk` built here.
pub fn run(name: &str, cwd: &Path, args: &[&str]) -> Output {
    run_with(name, cwd, args, &[])
}

/// [`run`] with these environment variables set as well.
pub fn run_with(name: &str, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let bin = &binaries()[name];
    loopback_only(Command::new(bin))
        .current_dir(cwd)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()))
}

/// Runs `cargo rcdk ARGS` (the binary built here, as cargo runs it) in `cwd`, with the same
/// environment as [`run`].
pub fn cargo_rcdk(cwd: &Path, args: &[&str]) -> Output {
    cargo_rcdk_with(cwd, args, &[])
}

/// [`cargo_rcdk`] with these environment variables set as well.
pub fn cargo_rcdk_with(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    loopback_only(Command::new(cli()))
        .current_dir(cwd)
        .arg("rcdk")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cli().display()))
}

/// Fake credentials, no AWS settings of the developer's, and `RCDK_CLI` naming our build.
fn loopback_only(mut cmd: Command) -> Command {
    cmd.env("RCDK_CLI", cli())
        .fake_aws_credentials()
        .env_remove("AWS_ENDPOINT_URL");
    cmd
}

/// Stdout and stderr of a finished command, for assertion messages.
pub use rcdk_testkit::command::transcript;

/// The synthesized templates of one example in one format.
pub struct Synthesized {
    /// The example's package name.
    pub example: String,
    /// `json` or `yaml`.
    pub format: &'static str,
    /// Template files, sorted.
    pub templates: Vec<PathBuf>,
    /// What `synth` printed on stderr (costs, annotations).
    pub stderr: String,
}

/// `NAME --strict --format FORMAT synth --output DIR/NAME-FORMAT` for every example.
///
/// `--strict` fails synthesis on warning annotations, so examples stay free of them.
pub fn synth_all(dir: &Path, format: &'static str) -> Vec<Synthesized> {
    binaries()
        .keys()
        .filter(|name| *name != CLI)
        .map(|name| {
            let out_dir = dir.join(format!("{name}-{format}"));
            let out = run(
                name,
                dir,
                &[
                    "--strict",
                    "--format",
                    format,
                    "synth",
                    "--output",
                    out_dir.to_str().unwrap(),
                ],
            );
            assert!(
                out.status.success(),
                "{name}: synth --format {format} failed\n{}",
                transcript(&out)
            );
            let suffix = format!(".template.{format}");
            let mut templates: Vec<PathBuf> = std::fs::read_dir(&out_dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.to_string_lossy().ends_with(&suffix))
                .collect();
            templates.sort();
            assert!(
                !templates.is_empty(),
                "{name}: no {suffix} in {}",
                out_dir.display()
            );
            Synthesized {
                example: name.clone(),
                format,
                templates,
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            }
        })
        .collect()
}
