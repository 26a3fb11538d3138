//! The subcommands as the app's command line sees them; everything here fails before any
//! AWS configuration is looked at.

mod common;

use common::{queue_template, write_assembly, TestStack};
use rcdk_core::cli::Deployer;
use rcdk_deploy::{Clients, CloudFormationDeployer};

fn run(args: &[&str], dir: &std::path::Path) -> Result<std::process::ExitCode, String> {
    let backend = CloudFormationDeployer;
    let command = backend
        .commands()
        .into_iter()
        .find(|c| c.get_name() == args[0])
        .expect("known subcommand");
    let matches = command
        .try_get_matches_from(args)
        .map_err(|e| e.to_string())?;
    backend
        .run(args[0], &matches, dir)
        .map_err(|e| e.to_string())
}

#[test]
fn offers_deploy_diff_and_destroy() {
    let names: Vec<String> = CloudFormationDeployer
        .commands()
        .iter()
        .map(|c| c.get_name().to_string())
        .collect();
    assert_eq!(names, ["deploy", "diff", "destroy"]);
}

#[test]
fn unknown_stack_is_named_with_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    write_assembly(dir.path(), &[TestStack::new("App", queue_template("q"))]);
    let err = run(&["deploy", "Nope"], dir.path()).unwrap_err();
    assert_eq!(
        err,
        "no stack named \"Nope\" in the app; its stacks are: App"
    );
}

#[test]
fn malformed_parameter_says_the_format() {
    let dir = tempfile::tempdir().unwrap();
    write_assembly(dir.path(), &[TestStack::new("App", queue_template("q"))]);
    let err = run(&["deploy", "--parameter", "Env=prod"], dir.path()).unwrap_err();
    assert!(err.contains("expected STACK:KEY=VALUE"), "{err}");
}

#[test]
fn missing_assembly_says_to_synthesize() {
    let dir = tempfile::tempdir().unwrap();
    let err = run(&["diff"], dir.path()).unwrap_err();
    assert!(err.contains("synthesize the app first"), "{err}");
}

#[test]
fn approval_level_is_checked_by_the_parser() {
    let dir = tempfile::tempdir().unwrap();
    let err = run(&["deploy", "--require-approval", "sometimes"], dir.path()).unwrap_err();
    assert!(err.contains("broadening") && err.contains("never"), "{err}");
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
