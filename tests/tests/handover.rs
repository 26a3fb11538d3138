//! The user's path: `cargo run -p hello -- deploy` with the package built on its own (not unified
//! with the workspace's features) synthesizes and hands over to `cargo-rcdk`, forwarding the
//! arguments, the standard streams and the exit code; without `cargo-rcdk` it says how to
//! install it.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `cargo build -p hello` alone, as a user runs it; the binary's path.
fn hello_alone() -> PathBuf {
    let out = Command::new(env!("CARGO"))
        .current_dir(common::root())
        .args([
            "build",
            "-p",
            "hello",
            "--message-format",
            "json-render-diagnostics",
        ])
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "building hello failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["target"]["name"] == "hello")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo reports hello's executable")
}

fn run(bin: &Path, cwd: &Path, args: &[&str], cli: Option<&Path>) -> Output {
    let mut cmd = Command::new(bin);
    cmd.current_dir(cwd)
        .args(args)
        // A PATH without cargo-rcdk (and without cargo's bin directory).
        .env("PATH", "/usr/bin:/bin")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE");
    match cli {
        Some(cli) => cmd.env("RCDK_CLI", cli),
        None => cmd.env_remove("RCDK_CLI"),
    };
    cmd.output().expect("hello runs")
}

#[test]
fn deploy_hands_over_to_cargo_rcdk_with_arguments_and_exit_code() {
    let hello = hello_alone();
    let dir = tempfile::tempdir().unwrap();
    // A stand-in for cargo-rcdk that records what it was given.
    let fake = dir.path().join("fake-cargo-rcdk");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho \"args: $*\"\ntest -f \"$3/manifest.json\" && echo assembly-written\nexit 7\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();

    let out = run(
        &hello,
        dir.path(),
        &["deploy", "--yes", "--region", "eu-west-1"],
        Some(&fake),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(7), "{}", common::transcript(&out));
    assert!(
        stdout.contains("args: deploy --app cdk.out --yes --region eu-west-1"),
        "{stdout}"
    );
    assert!(stdout.contains("assembly-written"), "{stdout}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("not built into"));

    for command in ["diff", "destroy", "bootstrap", "publish"] {
        let out = run(&hello, dir.path(), &[command], Some(&fake));
        assert_eq!(out.status.code(), Some(7), "{}", common::transcript(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout)
                .contains(&format!("args: {command} --app cdk.out")),
            "{}",
            common::transcript(&out)
        );
    }
}

#[test]
fn without_cargo_rcdk_the_error_gives_the_install_command() {
    let hello = hello_alone();
    let dir = tempfile::tempdir().unwrap();
    let out = run(&hello, dir.path(), &["deploy"], None);
    assert_eq!(out.status.code(), Some(2), "{}", common::transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`deploy` runs the `cargo rcdk` command, which is not installed")
            && stderr.contains("cargo install cargo-rcdk")
            && stderr.contains("cargo install --path cargo-rcdk"),
        "{stderr}"
    );
}
