//! Stacks of one app in several accounts and regions, against one moto server: each lands in
//! its own environment, the one in another account through that account's deploy role (assumed
//! with STS) with its CloudFormation execution role. Loopback only, fake credentials, explicit
//! endpoint.
//!
//! moto keeps its state per account and region, and gives credentials of any account through
//! STS AssumeRole of a role ARN in it. It does not check that the role exists, nor its trust
//! policy: the trust the bootstrap writes is checked on the template (the constructs' tests),
//! a refused AssumeRole is replayed in the deploy library's `environments` test, and here the
//! error path is an account whose environment was never bootstrapped.

#[path = "../../rcdk-deploy/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aws_sdk_cloudformation::config::{Credentials, Region, SharedCredentialsProvider};
use rcdk_core::bootstrap::{cfn_exec_role_name, role_arn, DEFAULT_QUALIFIER};
use rcdk_core::{App, RawResource, Stack};
use rcdk_deploy::Clients;
use rcdk_testkit::command::{succeeded as ok, transcript};
use rcdk_testkit::moto::MotoServer;

/// The account of moto's static test credentials.
const HOME: &str = "123456789012";
/// Another account, reached through its deploy role.
const OTHER: &str = "210987654321";
/// An account that nobody bootstrapped.
const BARE: &str = "333333333333";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn moto() -> MotoServer {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/moto_patches.py");
    MotoServer::start_script(&script).expect("moto starts")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Static credentials: an access key, its secret and the session token of assumed ones.
#[derive(Clone)]
struct Keys {
    id: String,
    secret: String,
    token: Option<String>,
}

fn home_keys() -> Keys {
    Keys {
        id: "testing".into(),
        secret: "testing".into(),
        token: None,
    }
}

/// Clients of `keys` in `region`.
fn clients(moto: &MotoServer, keys: &Keys, region: &str) -> Clients {
    let sdk = common::sdk_config(&moto.endpoint_url(), None)
        .to_builder()
        .region(Region::new(region.to_string()))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            keys.id.clone(),
            keys.secret.clone(),
            keys.token.clone(),
            None,
            "environments-test",
        )))
        .build();
    Clients::from_sdk_config(&sdk).unwrap()
}

/// Credentials of `account`, from moto's STS (any role ARN of the account will do there).
fn keys_of(moto: &MotoServer, account: &str) -> Keys {
    let c = clients(moto, &home_keys(), "eu-west-1");
    runtime().block_on(async {
        let out = c
            .sts()
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/test-admin"))
            .role_session_name("environments-test")
            .send()
            .await
            .unwrap();
        let creds = out.credentials().unwrap();
        let keys = Keys {
            id: creds.access_key_id().to_string(),
            secret: creds.secret_access_key().to_string(),
            token: Some(creds.session_token().to_string()),
        };
        let who = clients(moto, &keys, "eu-west-1")
            .sts()
            .get_caller_identity()
            .send()
            .await
            .unwrap();
        assert_eq!(who.account(), Some(account), "moto's assumed credentials");
        keys
    })
}

/// Runs `cargo-rcdk rcdk ARGS --endpoint-url URL --region REGION` with `keys`.
fn cargo_rcdk(moto: &MotoServer, keys: &Keys, region: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-rcdk"));
    command
        .args(["rcdk"])
        .args(args)
        .args(["--endpoint-url", &moto.endpoint_url(), "--region", region])
        .current_dir(dir.path())
        .env("AWS_ACCESS_KEY_ID", &keys.id)
        .env("AWS_SECRET_ACCESS_KEY", &keys.secret)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION");
    match &keys.token {
        Some(token) => command.env("AWS_SESSION_TOKEN", token),
        None => command.env_remove("AWS_SESSION_TOKEN"),
    };
    command.output().expect("cargo-rcdk runs")
}

fn queue_stack(id: &str, account: &str, region: &str) -> Stack {
    Stack::new(id).env(account, region).with(
        "Queue",
        RawResource::new("AWS::SQS::Queue").prop("SqsManagedSseEnabled", true),
    )
}

/// Synthesizes `stacks` into `dir/cdk.out` and returns that path.
fn synth(dir: &Path, stacks: Vec<Stack>) -> PathBuf {
    let out = dir.join("cdk.out");
    let mut app = App::new();
    for stack in stacks {
        app.add(stack);
    }
    app.synth().unwrap().write(&out).unwrap();
    out
}

/// `(name, role ARN)` of the live stacks in one environment, the bootstrap stack left out.
fn stacks_in(clients: &Clients) -> Vec<(String, Option<String>)> {
    runtime().block_on(async {
        let out = clients
            .cloudformation()
            .describe_stacks()
            .send()
            .await
            .unwrap();
        let mut found: Vec<(String, Option<String>)> = out
            .stacks()
            .iter()
            .filter(|s| s.stack_status().map(|x| x.as_str()) != Some("DELETE_COMPLETE"))
            .filter(|s| s.stack_name() != Some("CDKToolkit"))
            .map(|s| {
                (
                    s.stack_name().unwrap_or_default().to_string(),
                    s.role_arn().map(str::to_string),
                )
            })
            .collect();
        found.sort();
        found
    })
}

#[test]
fn stacks_land_in_their_own_account_and_region() {
    let moto = moto();
    let home = home_keys();
    let other = keys_of(&moto, OTHER);

    // The home account in two regions, with its own credentials and no trust.
    ok(cargo_rcdk(
        &moto,
        &home,
        "eu-west-1",
        &[
            "bootstrap",
            &format!("aws://{HOME}/eu-west-1"),
            &format!("aws://{HOME}/us-east-1"),
        ],
    ));
    // Trusting an account needs the execution role's policies named.
    let refused = cargo_rcdk(&moto, &other, "eu-west-1", &["bootstrap", "--trust", HOME]);
    assert_eq!(refused.status.code(), Some(1), "{}", transcript(&refused));
    assert!(
        transcript(&refused).contains("pass --cloudformation-execution-policies ARN"),
        "{}",
        transcript(&refused)
    );
    // The other account, with its credentials, trusting the home account.
    let bootstrapped = ok(cargo_rcdk(
        &moto,
        &other,
        "eu-west-1",
        &[
            "bootstrap",
            &format!("aws://{OTHER}/eu-west-1"),
            "--trust",
            HOME,
            "--cloudformation-execution-policies",
            ADMIN,
        ],
    ));
    assert!(
        bootstrapped.contains(&format!("aws://{OTHER}/eu-west-1: bootstrapped")),
        "{bootstrapped}"
    );

    let dir = tempfile::tempdir().unwrap();
    let app = synth(
        dir.path(),
        vec![
            queue_stack("HomeEu", HOME, "eu-west-1"),
            queue_stack("HomeUs", HOME, "us-east-1"),
            queue_stack("OtherEu", OTHER, "eu-west-1"),
        ],
    );
    // The base credentials, configured for a region none of the stacks names.
    let deployed = ok(cargo_rcdk(
        &moto,
        &home,
        "ap-southeast-2",
        &["deploy", "--yes", "--app", app.to_str().unwrap()],
    ));
    let exec_role = role_arn(
        &cfn_exec_role_name(DEFAULT_QUALIFIER, OTHER, "eu-west-1"),
        OTHER,
        "eu-west-1",
    );
    assert!(
        deployed.contains(&format!(
            "cdk-{DEFAULT_QUALIFIER}-deploy-role-{OTHER}-eu-west-1"
        )),
        "{deployed}"
    );

    let home_eu = clients(&moto, &home, "eu-west-1");
    let home_us = clients(&moto, &home, "us-east-1");
    let other_eu = clients(&moto, &other, "eu-west-1");
    let other_us = clients(&moto, &other, "us-east-1");
    let home_ap = clients(&moto, &home, "ap-southeast-2");
    assert_eq!(stacks_in(&home_eu), [("HomeEu".to_string(), None)]);
    assert_eq!(stacks_in(&home_us), [("HomeUs".to_string(), None)]);
    assert_eq!(
        stacks_in(&other_eu),
        [("OtherEu".to_string(), Some(exec_role))]
    );
    assert!(stacks_in(&other_us).is_empty());
    assert!(stacks_in(&home_ap).is_empty());

    // Each template went to its own environment's staging bucket (the other account's with the
    // role's credentials).
    for (c, account, region) in [
        (&home_eu, HOME, "eu-west-1"),
        (&home_us, HOME, "us-east-1"),
        (&other_eu, OTHER, "eu-west-1"),
    ] {
        let bucket = rcdk_core::bootstrap::staging_bucket_name(DEFAULT_QUALIFIER, account, region);
        let objects = runtime().block_on(async {
            c.s3()
                .list_objects_v2()
                .bucket(&bucket)
                .send()
                .await
                .unwrap()
        });
        assert_eq!(objects.contents().len(), 1, "{bucket}: {objects:?}");
    }

    // Diff compares each stack with the one in its environment: nothing differs.
    let diff = ok(cargo_rcdk(
        &moto,
        &home,
        "ap-southeast-2",
        &["diff", "--fail", "--app", app.to_str().unwrap()],
    ));
    assert!(!diff.contains("not deployed yet"), "{diff}");

    // Destroy reaches every environment too.
    ok(cargo_rcdk(
        &moto,
        &home,
        "ap-southeast-2",
        &["destroy", "--yes", "--app", app.to_str().unwrap()],
    ));
    for c in [&home_eu, &home_us, &other_eu] {
        assert!(stacks_in(c).is_empty(), "{:?}", stacks_in(c));
    }
}

#[test]
fn an_account_that_was_never_bootstrapped_is_named_with_what_to_run() {
    let moto = moto();
    let home = home_keys();
    ok(cargo_rcdk(&moto, &home, "eu-west-1", &["bootstrap"]));
    let dir = tempfile::tempdir().unwrap();
    let app = synth(
        dir.path(),
        vec![
            queue_stack("HomeEu", HOME, "eu-west-1"),
            queue_stack("Bare", BARE, "eu-west-1"),
        ],
    );
    let out = cargo_rcdk(
        &moto,
        &home,
        "eu-west-1",
        &["deploy", "--yes", "--app", app.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "environment aws://{BARE}/eu-west-1 is not bootstrapped: run `cargo rcdk bootstrap aws://{BARE}/eu-west-1 --trust {HOME} --cloudformation-execution-policies POLICY_ARN` with credentials of account {BARE}"
        )) && stderr.contains("nothing was changed"),
        "{stderr}"
    );
    // Checked before anything changed, in either account.
    assert!(stacks_in(&clients(&moto, &home, "eu-west-1")).is_empty());
    let bare = keys_of(&moto, BARE);
    assert!(stacks_in(&clients(&moto, &bare, "eu-west-1")).is_empty());
}
