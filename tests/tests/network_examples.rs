//! The two networking examples (`examples/microservices`, seed 000; `examples/smartinvoice`,
//! seed 003) synthesize through their own command line with the seed's subnets, gateways and
//! groups. Linting and scanning of every example's templates is in `examples.rs`, their cost
//! reports in `cost_reports.rs`.

mod common;

/// Runs `<example> synth --output <dir>` (the shared build of `common`); returns the parsed
/// templates and stderr.
fn synth(example: &str) -> (Vec<serde_json::Value>, String) {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out = common::run(
        example,
        dir.path(),
        &["synth", "--output", out_dir.to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{example} synth failed:\n{stderr}");
    let templates: Vec<serde_json::Value> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".template.json"))
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    assert!(!templates.is_empty(), "no template from {example}");
    (templates, stderr)
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
fn microservices_network_has_the_seed_layout() {
    let (templates, stderr) = synth("microservices");
    let t = &templates[0];
    assert_eq!(count(t, "AWS::EC2::Subnet"), 6);
    assert_eq!(count(t, "AWS::EC2::NatGateway"), 2);
    assert_eq!(count(t, "AWS::EC2::VPCEndpoint"), 5);
    assert_eq!(count(t, "AWS::EC2::NetworkAcl"), 1);
    // ALB, database, cache, one group per service's tasks and one per interface endpoint.
    assert_eq!(count(t, "AWS::EC2::SecurityGroup"), 9);
    assert!(
        stderr.contains("2 x NAT gateway ~ 66 USD/month"),
        "{stderr}"
    );
    assert!(
        stderr.contains("8 x interface VPC endpoint AZ ~ 58 USD/month"),
        "{stderr}"
    );
}

#[test]
fn smartinvoice_network_has_the_seed_layout() {
    let (templates, stderr) = synth("smartinvoice");
    let t = &templates[0];
    assert_eq!(count(t, "AWS::EC2::Subnet"), 4);
    assert_eq!(count(t, "AWS::EC2::NatGateway"), 1);
    assert_eq!(count(t, "AWS::EC2::SecurityGroup"), 4);
    assert!(
        stderr.contains("1 x NAT gateway ~ 33 USD/month"),
        "{stderr}"
    );
}
