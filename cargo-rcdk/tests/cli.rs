//! The `cargo-rcdk` binary's command line; everything here fails before any AWS configuration
//! is looked at.

// The deploy library's test support (a hand-written assembly, loopback-only SDK settings) serves the
// command line's tests as it is.
#[path = "../../rcdk-deploy/tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{queue_template, write_assembly, TestStack};
use rcdk_deploy::Clients;

fn cargo_rcdk(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-rcdk"))
        .args(args)
        .current_dir(cwd)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("cargo-rcdk runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn offers_the_subcommands_as_cargo_passes_them() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["--help"][..], &["rcdk", "--help"][..]] {
        let out = cargo_rcdk(args, dir.path());
        assert!(out.status.success(), "{}", stderr(&out));
        let help = String::from_utf8_lossy(&out.stdout);
        for name in [
            "synth",
            "list",
            "deploy",
            "diff",
            "destroy",
            "bootstrap",
            "publish",
        ] {
            assert!(help.contains(name), "{name} missing from\n{help}");
        }
    }
}

#[test]
fn unknown_stack_is_named_with_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    write_assembly(dir.path(), &[TestStack::new("App", queue_template("q"))]);
    let app = dir.path().to_str().unwrap();
    let out = cargo_rcdk(&["rcdk", "deploy", "--app", app, "Nope"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no stack named \"Nope\" in the app; its stacks are: App"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn malformed_parameter_says_the_format() {
    let dir = tempfile::tempdir().unwrap();
    write_assembly(dir.path(), &[TestStack::new("App", queue_template("q"))]);
    let app = dir.path().to_str().unwrap();
    let out = cargo_rcdk(
        &["deploy", "--app", app, "--parameter", "Env=prod"],
        dir.path(),
    );
    assert!(
        stderr(&out).contains("expected STACK:KEY=VALUE"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_assembly_says_to_synthesize() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().to_str().unwrap();
    let out = cargo_rcdk(&["diff", "--app", app], dir.path());
    assert!(
        stderr(&out).contains("synthesize the app first"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn approval_level_is_checked_by_the_parser() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().to_str().unwrap();
    let out = cargo_rcdk(
        &["deploy", "--app", app, "--require-approval", "sometimes"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("broadening") && err.contains("never"), "{err}");
}

#[test]
fn concurrency_and_all_are_checked_by_the_parser() {
    let dir = tempfile::tempdir().unwrap();
    write_assembly(dir.path(), &[TestStack::new("App", queue_template("q"))]);
    let app = dir.path().to_str().unwrap();
    for command in ["deploy", "destroy"] {
        let out = cargo_rcdk(&[command, "--app", app, "--concurrency", "0"], dir.path());
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("invalid value '0' for '--concurrency <N>'"),
            "{}",
            stderr(&out)
        );
        // `--all` is the default spelled out, as AWS CDK users type it; with names it is a
        // contradiction.
        let out = cargo_rcdk(&[command, "--app", app, "--all", "App"], dir.path());
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("'--all' cannot be used with '[STACK]...'"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn bad_qualifier_is_refused_before_aws() {
    let dir = tempfile::tempdir().unwrap();
    let out = cargo_rcdk(&["bootstrap", "--qualifier", "Has-Dash"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("lower-case"), "{}", stderr(&out));
}

#[test]
fn bad_environment_is_refused_before_aws() {
    let dir = tempfile::tempdir().unwrap();
    let out = cargo_rcdk(&["bootstrap", "123456789012/eu-west-1"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("aws://ACCOUNT/REGION"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn outside_a_cargo_project_synthesis_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let out = cargo_rcdk(&["list"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("synthesis failed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn list_reads_an_assembly() {
    let dir = tempfile::tempdir().unwrap();
    write_assembly(
        dir.path(),
        &[
            TestStack::new("Base", queue_template("a")),
            TestStack::new("App", queue_template("b")).depends_on("Base"),
        ],
    );
    let app = dir.path().to_str().unwrap();
    let out = cargo_rcdk(&["list", "--app", app], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Base\nApp\n");
}

#[test]
fn missing_region_is_a_clear_error() {
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build();
    let err = Clients::from_sdk_config(&sdk).unwrap_err().to_string();
    assert!(
        err.contains("no AWS region") && err.contains("--region"),
        "{err}"
    );
}

#[test]
fn package_lambda_needs_a_package() {
    let dir = tempfile::tempdir().unwrap();
    let out = cargo_rcdk(&["package-lambda", "--out-dir", "zips"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("package-lambda needs --package NAME"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("zips").exists());
}
