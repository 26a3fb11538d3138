//! `cargo-rcdk` against a moto server: bootstrap, the checks deploy makes before changing
//! anything, and file assets uploaded once. Loopback only, fake credentials, explicit endpoint.

// The deploy library's test support (a hand-written assembly, loopback-only SDK settings) serves the
// command line's tests as it is.
#[path = "../../rcdk-deploy/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rcdk_core::asset::FileAsset;
use rcdk_core::bootstrap::{staging_bucket_name, version_parameter, DEFAULT_QUALIFIER};
use rcdk_core::{App, RawResource, Stack};
use rcdk_deploy::Clients;
use rcdk_testkit::command::{succeeded as ok, transcript, FakeAws};
use rcdk_testkit::moto::MotoServer;

const REGION: &str = "us-east-1";
/// The account moto's STS answers with.
const ACCOUNT: &str = "123456789012";

fn moto() -> MotoServer {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/moto_patches.py");
    MotoServer::start_script(&script).expect("moto starts")
}

/// Runs `cargo-rcdk ARGS --endpoint-url URL --region us-east-1` in `cwd`.
fn cargo_rcdk(moto: &MotoServer, cwd: &Path, args: &[&str]) -> Output {
    let endpoint = moto.endpoint_url();
    Command::new(env!("CARGO_BIN_EXE_cargo-rcdk"))
        .args(["rcdk"])
        .args(args)
        .args(["--endpoint-url", &endpoint, "--region", REGION])
        .current_dir(cwd)
        .fake_aws_credentials()
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("cargo-rcdk runs")
}

fn clients(moto: &MotoServer) -> Clients {
    Clients::from_sdk_config(&common::sdk_config(&moto.endpoint_url(), None)).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// `(name, status)` of every stack that is not deleted.
fn stacks(moto: &MotoServer) -> Vec<(String, String)> {
    let c = clients(moto);
    runtime().block_on(async {
        let out = c.cloudformation().list_stacks().send().await.unwrap();
        out.stack_summaries()
            .iter()
            .filter(|s| s.stack_status().map(|x| x.as_str()) != Some("DELETE_COMPLETE"))
            .map(|s| {
                (
                    s.stack_name().unwrap_or_default().to_string(),
                    s.stack_status()
                        .map(|x| x.as_str())
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect()
    })
}

/// Every version of every object in `bucket` (the staging bucket is versioned, so each
/// upload is one more version): `(key, versions)`.
fn object_versions(moto: &MotoServer, bucket: &str) -> Vec<(String, usize)> {
    let c = clients(moto);
    runtime().block_on(async {
        let out = c
            .s3()
            .list_object_versions()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for v in out.versions() {
            *counts
                .entry(v.key().unwrap_or_default().to_string())
                .or_default() += 1;
        }
        counts.into_iter().collect()
    })
}

/// Synthesizes `stack` into `dir/cdk.out` and returns that path.
fn synth(dir: &Path, stack: Stack) -> PathBuf {
    let out = dir.join("cdk.out");
    let mut app = App::new();
    app.add(stack);
    app.synth().unwrap().write(&out).unwrap();
    out
}

fn queue_stack(id: &str) -> Stack {
    Stack::new(id).with(
        "Queue",
        RawResource::new("AWS::SQS::Queue").prop("SqsManagedSseEnabled", true),
    )
}

#[test]
fn bootstrap_creates_the_stack_and_a_second_run_changes_nothing() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let first = ok(cargo_rcdk(&moto, dir.path(), &["bootstrap"]));
    assert!(first.contains("CDKToolkit: created"), "{first}");
    assert_eq!(
        stacks(&moto),
        [("CDKToolkit".to_string(), "CREATE_COMPLETE".to_string())]
    );
    let c = clients(&moto);
    let bucket = staging_bucket_name(DEFAULT_QUALIFIER, ACCOUNT, REGION);
    runtime().block_on(async {
        c.s3().head_bucket().bucket(&bucket).send().await.unwrap();
        let p = c
            .ssm()
            .get_parameter()
            .name(version_parameter(DEFAULT_QUALIFIER))
            .send()
            .await
            .unwrap();
        assert_eq!(
            p.parameter().and_then(|p| p.value()),
            Some(rcdk_core::bootstrap::BOOTSTRAP_VERSION.to_string().as_str())
        );
    });
    let second = ok(cargo_rcdk(&moto, dir.path(), &["bootstrap"]));
    assert!(second.contains("CDKToolkit: no changes"), "{second}");

    // Another qualifier is another set of names, in its own stack.
    let other = ok(cargo_rcdk(
        &moto,
        dir.path(),
        &[
            "bootstrap",
            "--qualifier",
            "team2",
            "--toolkit-stack-name",
            "CDKToolkit-team2",
        ],
    ));
    assert!(other.contains("CDKToolkit-team2: created"), "{other}");
    runtime().block_on(async {
        c.s3()
            .head_bucket()
            .bucket(staging_bucket_name("team2", ACCOUNT, REGION))
            .send()
            .await
            .unwrap();
    });
}

#[test]
fn an_environment_bootstrapped_elsewhere_is_left_alone() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    // What the AWS CDK's bootstrap leaves behind that matters here: the version parameter.
    let c = clients(&moto);
    runtime().block_on(async {
        c.ssm()
            .put_parameter()
            .name(version_parameter(DEFAULT_QUALIFIER))
            .value("29")
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .send()
            .await
            .unwrap();
    });
    let out = ok(cargo_rcdk(&moto, dir.path(), &["bootstrap"]));
    assert!(
        out.contains("already bootstrapped (qualifier hnb659fds, version 29"),
        "{out}"
    );
    assert!(stacks(&moto).is_empty(), "{:?}", stacks(&moto));
}

#[test]
fn deploy_before_bootstrap_says_so_and_creates_nothing() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let app = synth(dir.path(), queue_stack("App"));
    let out = cargo_rcdk(
        &moto,
        dir.path(),
        &["deploy", "--yes", "--app", app.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "environment aws://{ACCOUNT}/{REGION} is not bootstrapped: run `cargo rcdk bootstrap`"
        )) && stderr.contains("nothing was changed"),
        "{stderr}"
    );
    assert!(stacks(&moto).is_empty(), "{:?}", stacks(&moto));
}

#[test]
fn a_stack_for_an_account_without_bootstrap_is_refused_before_anything_changes() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    ok(cargo_rcdk(&moto, dir.path(), &["bootstrap"]));
    let app = synth(dir.path(), queue_stack("App").env("210987654321", REGION));
    let out = cargo_rcdk(
        &moto,
        dir.path(),
        &["deploy", "--yes", "--app", app.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // moto lets any account's deploy role be assumed; the environment has no bootstrap.
    assert!(
        stderr.contains("environment aws://210987654321/us-east-1 is not bootstrapped")
            && stderr.contains(&format!("--trust {ACCOUNT}")),
        "{stderr}"
    );
    assert_eq!(
        stacks(&moto).len(),
        1,
        "only the bootstrap stack: {:?}",
        stacks(&moto)
    );
    let bucket = staging_bucket_name(DEFAULT_QUALIFIER, ACCOUNT, REGION);
    assert!(object_versions(&moto, &bucket).is_empty());
}

#[test]
fn assets_are_uploaded_once_and_skipped_on_the_next_deploy() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    ok(cargo_rcdk(&moto, dir.path(), &["bootstrap"]));
    let source = dir.path().join("site");
    std::fs::create_dir_all(source.join("css")).unwrap();
    std::fs::write(source.join("index.html"), "<h1>hello</h1>\n").unwrap();
    std::fs::write(source.join("css/site.css"), "h1 { color: teal }\n").unwrap();
    let asset = FileAsset::from_path(&source).unwrap();
    let key = asset.object_key();
    let parameter = RawResource::new("AWS::SSM::Parameter")
        .prop("Name", "/app/site-url")
        .prop("Type", "String")
        .prop("Value", asset.s3_url());
    let app = synth(
        dir.path(),
        queue_stack("App")
            .with("Site", asset)
            .with("SiteUrl", parameter),
    );
    let app = app.to_str().unwrap();
    let bucket = staging_bucket_name(DEFAULT_QUALIFIER, ACCOUNT, REGION);

    let first = ok(cargo_rcdk(
        &moto,
        dir.path(),
        &["deploy", "--yes", "--app", app],
    ));
    assert!(
        first.contains(&format!("uploading to s3://{bucket}/{key}")),
        "{first}"
    );
    let after_first = object_versions(&moto, &bucket);
    // The directory (zipped) and the template, one version each.
    assert_eq!(after_first.len(), 2, "{after_first:?}");
    assert!(
        after_first.iter().any(|(k, n)| *k == key && *n == 1),
        "{after_first:?}"
    );
    assert!(after_first.iter().all(|(_, n)| *n == 1), "{after_first:?}");
    let c = clients(&moto);
    runtime().block_on(async {
        let object = c
            .s3()
            .get_object()
            .bucket(&bucket)
            .key(&key)
            .send()
            .await
            .unwrap();
        let bytes = object.body.collect().await.unwrap().into_bytes();
        assert!(bytes.starts_with(b"PK\x03\x04"), "not a zip");
        assert!(
            rcdk_deploy::sha256_hex(&bytes).len() == 64 && !bytes.is_empty(),
            "empty object"
        );
    });

    let second = ok(cargo_rcdk(
        &moto,
        dir.path(),
        &["deploy", "--yes", "--app", app],
    ));
    assert!(!second.contains("uploading"), "{second}");
    assert!(
        second.contains("2 asset(s) already published, 0 uploaded"),
        "{second}"
    );
    assert_eq!(
        object_versions(&moto, &bucket),
        after_first,
        "a second upload happened"
    );

    // `publish` alone does the same: nothing to upload.
    let publish = ok(cargo_rcdk(&moto, dir.path(), &["publish", "--app", app]));
    assert!(
        publish.contains("0 object(s) uploaded, 2 already"),
        "{publish}"
    );

    // A staged copy changed after synthesis is refused, and nothing is deployed.
    let staged = Path::new(app).join(format!("asset.{}", key.trim_end_matches(".zip")));
    std::fs::write(staged.join("index.html"), "<h1>changed</h1>\n").unwrap();
    let c2 = clients(&moto);
    runtime().block_on(async {
        c2.s3()
            .delete_object()
            .bucket(&bucket)
            .key(&key)
            .send()
            .await
            .unwrap();
    });
    let out = cargo_rcdk(&moto, dir.path(), &["deploy", "--yes", "--app", app]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no longer matches its hash"),
        "{}",
        transcript(&out)
    );
}

#[test]
fn concurrent_deploy_reports_each_stack_and_fails_when_one_failed() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    ok(cargo_rcdk(&moto, dir.path(), &["bootstrap"]));
    let app_dir = dir.path().join("app");
    std::fs::create_dir_all(&app_dir).unwrap();
    // CloudFormation (and moto) refuse Api's template when the stack is created.
    let broken = serde_json::json!({"Resources": {"Queue": {"Type": "AWS::SQS::Queue",
        "Properties": {"QueueName": {"Fn::GetAtt": ["Nope", "Arn"]}}}}});
    common::write_assembly(
        &app_dir,
        &[
            common::TestStack::new("Net", common::queue_template("q-net")),
            common::TestStack::new("Api", broken).depends_on("Net"),
            common::TestStack::new("Web", common::queue_template("q-web")).depends_on("Api"),
            common::TestStack::new("Solo", common::queue_template("q-solo")),
        ],
    );
    let app = app_dir.to_str().unwrap();
    let out = cargo_rcdk(
        &moto,
        dir.path(),
        &[
            "deploy",
            "--all",
            "--yes",
            "--concurrency",
            "4",
            "--app",
            app,
        ],
    );
    let text = transcript(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = &stdout[stdout.find("deploy summary:").expect(&text)..];
    let lines: Vec<&str> = summary.lines().collect();
    assert_eq!(
        lines[0], "deploy summary: 2 succeeded, 1 failed, 1 skipped or not started",
        "{text}"
    );
    assert!(lines[1].starts_with("  + test-Net: created ("), "{text}");
    assert!(
        lines[2].starts_with("  x test-Api: failed after "),
        "{text}"
    );
    assert_eq!(
        lines[3], "  - test-Web: skipped (waits for test-Api, which failed)",
        "{text}"
    );
    assert!(lines[4].starts_with("  + test-Solo: created ("), "{text}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: deploy: stack test-Api failed (CreateStack for stack test-Api failed: ValidationError")
            && stderr.contains("skipped: test-Web; succeeded: test-Net, test-Solo"),
        "{text}"
    );
    let mut created: Vec<String> = stacks(&moto)
        .into_iter()
        .filter(|(_, status)| status == "CREATE_COMPLETE")
        .map(|(n, _)| n)
        .collect();
    created.sort();
    assert_eq!(created, ["CDKToolkit", "test-Net", "test-Solo"]);
    assert!(
        !stacks(&moto).iter().any(|(n, _)| n == "test-Web"),
        "{:?}",
        stacks(&moto)
    );

    // Destroy several at a time after one confirmation; the stack never created is named.
    // (moto keeps a record of the refused Api stack, stuck in CREATE_IN_PROGRESS where
    // CloudFormation keeps none, so it is deleted too.)
    let out = ok(cargo_rcdk(
        &moto,
        dir.path(),
        &["destroy", "--yes", "--concurrency", "4", "--app", app],
    ));
    assert!(out.contains("test-Web: not deployed, skipped"), "{out}");
    assert!(
        out.contains("destroy summary: 3 succeeded, 0 failed, 0 skipped or not started"),
        "{out}"
    );
    assert!(out.contains("  + test-Solo: deleted ("), "{out}");
    let names: Vec<String> = stacks(&moto).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["CDKToolkit"]);
}
