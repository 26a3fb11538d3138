//! The two networking examples (`examples/microservices`, seed 000; `examples/smartinvoice`,
//! seed 003) synthesize through their own command line, print their fixed monthly costs, and
//! pass the pinned cfn-lint with no error and no warning.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `cargo run -p <example> -- synth --output <dir>`; returns the templates and stderr.
fn synth(example: &str) -> (Vec<PathBuf>, String) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("network-{example}"));
    let _ = std::fs::remove_dir_all(&dir);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let out = Command::new(env!("CARGO"))
        .current_dir(root)
        .args(["run", "-q", "-p", example, "--", "synth", "--output"])
        .arg(&dir)
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{example} synth failed:\n{stderr}");
    let templates: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".template.json"))
        .collect();
    assert!(!templates.is_empty(), "no template in {}", dir.display());
    (templates, stderr)
}

fn template(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn count(t: &serde_json::Value, type_name: &str) -> usize {
    t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == type_name)
        .count()
}

#[test]
fn microservices_network_synthesizes_and_lints_clean() {
    let (templates, stderr) = synth("microservices");
    let t = template(&templates[0]);
    assert_eq!(count(&t, "AWS::EC2::Subnet"), 6);
    assert_eq!(count(&t, "AWS::EC2::NatGateway"), 2);
    assert_eq!(count(&t, "AWS::EC2::VPCEndpoint"), 5);
    assert_eq!(count(&t, "AWS::EC2::NetworkAcl"), 1);
    // ALB, tasks, database, cache and one group per interface endpoint.
    assert_eq!(count(&t, "AWS::EC2::SecurityGroup"), 8);
    assert!(
        stderr.contains("2 x NAT gateway ~ 66 USD/month"),
        "{stderr}"
    );
    assert!(
        stderr.contains("8 x interface VPC endpoint AZ ~ 58 USD/month"),
        "{stderr}"
    );
    if let Err(e) = cdk_testkit::lint::cfn_lint(&templates) {
        panic!("{e}");
    }
}

#[test]
fn smartinvoice_network_synthesizes_and_lints_clean() {
    let (templates, stderr) = synth("smartinvoice");
    let t = template(&templates[0]);
    assert_eq!(count(&t, "AWS::EC2::Subnet"), 4);
    assert_eq!(count(&t, "AWS::EC2::NatGateway"), 1);
    assert_eq!(count(&t, "AWS::EC2::SecurityGroup"), 4);
    assert!(
        stderr.contains("1 x NAT gateway ~ 33 USD/month"),
        "{stderr}"
    );
    if let Err(e) = cdk_testkit::lint::cfn_lint(&templates) {
        panic!("{e}");
    }
}
