//! An environment bootstrapped by the official AWS CDK CLI (`cdk bootstrap`, npm `aws-cdk`
//! pinned in tools/package.json) needs nothing new: `cargo rcdk bootstrap` leaves it alone and
//! `cargo rcdk deploy` publishes into its staging bucket and deploys.

mod common;

use std::path::Path;

use rcdk_core::asset::FileAsset;
use rcdk_core::{App, RawResource, Stack};
use rcdk_testkit::moto::MotoServer;
use rcdk_testkit::nodetools;

fn official_cdk(moto: &MotoServer, cwd: &Path, args: &[&str]) -> String {
    let mut cmd = nodetools::cdk_command(&moto.endpoint_url()).unwrap_or_else(|e| panic!("{e}"));
    let out = cmd
        .current_dir(cwd)
        .args(args)
        .args(["--no-notices", "--no-color"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run cdk: {e}"));
    let text = common::transcript(&out);
    assert!(out.status.success(), "cdk {}\n{text}", args.join(" "));
    text
}

fn cargo_rcdk(moto: &MotoServer, cwd: &Path, args: &[&str]) -> String {
    let endpoint = moto.endpoint_url();
    let mut all = args.to_vec();
    all.extend(["--endpoint-url", endpoint.as_str(), "--region", "us-east-1"]);
    let out = common::cargo_rcdk(cwd, &all);
    let text = common::transcript(&out);
    assert!(
        out.status.success(),
        "cargo rcdk {}\n{text}\n--- moto ---\n{}",
        args.join(" "),
        moto.log_tail()
    );
    text
}

#[test]
fn cargo_rcdk_deploys_into_an_environment_the_aws_cdk_bootstrapped() {
    let moto = MotoServer::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    official_cdk(
        &moto,
        dir.path(),
        &["bootstrap", "aws://123456789012/us-east-1"],
    );

    let ours = cargo_rcdk(&moto, dir.path(), &["bootstrap"]);
    assert!(
        ours.contains("already bootstrapped") && ours.contains("by the AWS CDK or another tool"),
        "{ours}"
    );

    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("index.html"), "<h1>hello</h1>\n").unwrap();
    let asset = FileAsset::from_path(&site).unwrap();
    let key = asset.object_key();
    let out = dir.path().join("cdk.out");
    App::new()
        .with(
            Stack::new("Shared")
                .with(
                    "Queue",
                    RawResource::new("AWS::SQS::Queue").prop("SqsManagedSseEnabled", true),
                )
                .with("Site", asset),
        )
        .synth()
        .unwrap()
        .write(&out)
        .unwrap();
    let deployed = cargo_rcdk(
        &moto,
        dir.path(),
        &["deploy", "--yes", "--app", out.to_str().unwrap()],
    );
    assert!(
        deployed.contains(&format!(
            "uploading to s3://cdk-hnb659fds-assets-123456789012-us-east-1/{key}"
        )) && deployed.contains("Shared: created"),
        "{deployed}"
    );
}
