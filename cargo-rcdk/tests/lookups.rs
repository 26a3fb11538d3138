//! Lookups against a moto server, through the program's own command line: this test binary
//! re-runs itself as the app (with `LOOKUP_TEST_APP` set), the app looks up a VPC, an SSM
//! parameter, a hosted zone and an AMI, and its `synth` hands the missing values to
//! `cargo-rcdk context`. Every AWS call goes through a loopback proxy that counts connections,
//! so that "the second synthesis calls nothing" is measured, not assumed.
//!
//! It has a plain `main` (no test harness): the app must run as the process's `main`, since
//! the program runs itself again after the lookup.

#[path = "../../rcdk-deploy/tests/common/mod.rs"]
mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, ExitCode, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rcdk_constructs::compute::{AmiLookup, MachineImage};
use rcdk_constructs::error::ConstructError;
use rcdk_constructs::network::{
    HostedZone, IVpc, ImportedVpc, SecurityGroup, SubnetSelection, TierKind, VpcLookup,
};
use rcdk_constructs::storage::SsmParameter;
use rcdk_core::{App, Output as StackOutput, Stack};
use rcdk_testkit::command::{transcript, FakeAws};
use rcdk_testkit::moto::MotoServer;
use serde_json::Value;

const APP_VAR: &str = "LOOKUP_TEST_APP";
/// The account moto's STS answers with.
const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
/// One of moto's default images.
const UBUNTU: &str = "ubuntu/images/hvm-ssd/ubuntu-trusty-14.04-amd64-server-*";
const CANONICAL: &str = "099720109477";

const VPC_KEY: &str = "vpc-provider:account=123456789012:filter.tag:Name=prod:region=us-east-1:returnAsymmetricSubnets=true";
const SSM_KEY: &str = "ssm:account=123456789012:parameterName=/app/version:region=us-east-1";
const ZONE_KEY: &str = "hosted-zone:account=123456789012:domainName=example.com:region=us-east-1";
const AMI_KEY: &str = "ami:account=123456789012:filters.name.0=ubuntu/images/hvm-ssd/ubuntu-trusty-14.04-amd64-server-*:filters.state.0=available:owners.0=099720109477:region=us-east-1";

/// The app: every kind of lookup, and resources and outputs that use the answers.
fn build_app() -> Result<App, ConstructError> {
    let vpc_name = std::env::var("LOOKUP_VPC_NAME").unwrap_or_else(|_| "prod".into());
    let mut stack = Stack::new("Lookups").env(ACCOUNT, REGION);
    let vpc = ImportedVpc::lookup(&stack, "Vpc", &VpcLookup::name(vpc_name))?;
    // An app that asks for another parameter once the first is answered (to see the second run
    // refuse to look up again).
    let parameter = if std::env::var_os("LOOKUP_UNSTABLE").is_some()
        && std::env::var_os("RCDK_LOOKUP_PASS").is_some()
    {
        "/app/other"
    } else {
        "/app/version"
    };
    let version = SsmParameter::value_from_lookup(&stack, "Version", parameter)?;
    let zone = HostedZone::lookup(&stack, "Zone", "example.com")?;
    let image = MachineImage::lookup(&stack, "Image", &AmiLookup::name(UBUNTU).owner(CANONICAL))?;
    let public = vpc.select(&SubnetSelection::Kind(TierKind::Public))?;
    let isolated = vpc.select(&SubnetSelection::Kind(TierKind::Isolated))?;
    stack.add("Tasks", SecurityGroup::new(vpc.vpc_id(), "tasks", "Tasks"));
    stack.add(
        "PublicSubnet",
        StackOutput::new(public[0].clone()).logical_id("PublicSubnet"),
    );
    stack.add(
        "IsolatedSubnet",
        StackOutput::new(isolated[1].clone()).logical_id("IsolatedSubnet"),
    );
    stack.add("Version", StackOutput::new(version).logical_id("Version"));
    stack.add(
        "ZoneId",
        StackOutput::new(zone.zone_id()).logical_id("ZoneId"),
    );
    if let Some(id) = image.image_id() {
        stack.add("ImageId", StackOutput::new(id).logical_id("ImageId"));
    }
    Ok(App::new().with(stack))
}

fn run_app() -> ExitCode {
    let in_process = std::env::var(APP_VAR).as_deref() == Ok("in-process");
    match build_app() {
        // Deployment built into the program (the `deploy` feature of `rcdk`): lookups run in
        // this process too.
        Ok(app) if in_process => app.run_with(Some(&cargo_rcdk::CloudFormationDeployer)),
        Ok(app) => app.run_synth_only(),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A loopback TCP proxy to moto that counts the connections made through it.
struct CountingProxy {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl CountingProxy {
    fn start(target_port: u16) -> CountingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                counter.fetch_add(1, Ordering::SeqCst);
                let Ok(server) = TcpStream::connect(("127.0.0.1", target_port)) else {
                    continue;
                };
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || pipe(client, server));
                std::thread::spawn(move || pipe(s2, c2));
            }
        });
        CountingProxy { port, connections }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = [0u8; 16384];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Runs the app (this binary) with `args` in `dir`; AWS calls go to `endpoint`.
fn app(dir: &Path, endpoint: &str, args: &[&str], vpc_name: &str) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .args(args)
        .current_dir(dir)
        .env(APP_VAR, "1")
        .env("LOOKUP_VPC_NAME", vpc_name)
        .env("RCDK_CLI", env!("CARGO_BIN_EXE_cargo-rcdk"))
        // The context file is the one of the current directory, not this package's.
        .env_remove("CARGO_MANIFEST_DIR")
        .env_remove("RCDK_CONTEXT_FILE")
        .env_remove("RCDK_LOOKUP_PASS")
        .env("AWS_ENDPOINT_URL", endpoint)
        .fake_aws_credentials()
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .expect("the app runs")
}

/// What the test created in moto.
struct Fixture {
    vpc_id: String,
    public_subnets: Vec<String>,
    isolated_subnets: Vec<String>,
    public_table: String,
    zone_id: String,
    image_id: String,
}

fn setup(moto: &MotoServer) -> Fixture {
    use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
    let sdk = common::sdk_config(&moto.endpoint_url(), None);
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let ssm = aws_sdk_ssm::Client::new(&sdk);
    let route53 = aws_sdk_route53::Client::new(&sdk);
    let tags = |kind: ResourceType, key: &str, value: &str| {
        TagSpecification::builder()
            .resource_type(kind)
            .tags(Tag::builder().key(key).value(value).build())
            .build()
    };
    runtime().block_on(async {
        let vpc = ec2
            .create_vpc()
            .cidr_block("10.20.0.0/16")
            .tag_specifications(tags(ResourceType::Vpc, "Name", "prod"))
            .send()
            .await
            .unwrap();
        let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
        // Another VPC, which the filter must leave out.
        ec2.create_vpc()
            .cidr_block("10.30.0.0/16")
            .tag_specifications(tags(ResourceType::Vpc, "Name", "staging"))
            .send()
            .await
            .unwrap();
        let igw = ec2.create_internet_gateway().send().await.unwrap();
        let igw_id = igw
            .internet_gateway()
            .unwrap()
            .internet_gateway_id()
            .unwrap();
        ec2.attach_internet_gateway()
            .internet_gateway_id(igw_id)
            .vpc_id(&vpc_id)
            .send()
            .await
            .unwrap();
        let table = ec2
            .create_route_table()
            .vpc_id(&vpc_id)
            .send()
            .await
            .unwrap();
        let public_table = table
            .route_table()
            .unwrap()
            .route_table_id()
            .unwrap()
            .to_string();
        ec2.create_route()
            .route_table_id(&public_table)
            .destination_cidr_block("0.0.0.0/0")
            .gateway_id(igw_id)
            .send()
            .await
            .unwrap();
        let mut public_subnets = Vec::new();
        let mut isolated_subnets = Vec::new();
        for (i, (cidr, az)) in [
            ("10.20.0.0/24", "us-east-1a"),
            ("10.20.1.0/24", "us-east-1b"),
            ("10.20.2.0/24", "us-east-1a"),
            ("10.20.3.0/24", "us-east-1b"),
        ]
        .into_iter()
        .enumerate()
        {
            let subnet = ec2
                .create_subnet()
                .vpc_id(&vpc_id)
                .cidr_block(cidr)
                .availability_zone(az)
                .send()
                .await
                .unwrap();
            let id = subnet.subnet().unwrap().subnet_id().unwrap().to_string();
            if i < 2 {
                ec2.associate_route_table()
                    .route_table_id(&public_table)
                    .subnet_id(&id)
                    .send()
                    .await
                    .unwrap();
                public_subnets.push(id);
            } else {
                isolated_subnets.push(id);
            }
        }
        ssm.put_parameter()
            .name("/app/version")
            .value("1.2.3")
            .r#type(aws_sdk_ssm::types::ParameterType::String)
            .send()
            .await
            .unwrap();
        let zone = route53
            .create_hosted_zone()
            .name("example.com")
            .caller_reference("lookups-test")
            .send()
            .await
            .unwrap();
        let zone_id = zone.hosted_zone().unwrap().id().to_string();
        let images = ec2
            .describe_images()
            .owners(CANONICAL)
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("name")
                    .values(UBUNTU)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let image_id = images.images()[0].image_id().unwrap().to_string();
        Fixture {
            vpc_id,
            public_subnets,
            isolated_subnets,
            public_table,
            zone_id,
            image_id,
        }
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The first synthesis looks up and stores every value; the templates use them; the second
/// synthesis makes no connection to AWS at all and writes the same templates.
fn lookups_are_stored_and_the_second_synth_calls_nothing(moto: &MotoServer, f: &Fixture) {
    let proxy = CountingProxy::start(moto.port());
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let first = app(dir.path(), &proxy.url(), &["synth", "--quiet"], "prod");
    let first_time = started.elapsed();
    assert!(first.status.success(), "{}", transcript(&first));
    let calls = proxy.count();
    assert!(
        calls > 0,
        "the lookups went past the proxy: {}",
        transcript(&first)
    );

    let context_path = dir.path().join("cdk.context.json");
    let context = read_json(&context_path);
    let keys: Vec<&String> = context.as_object().unwrap().keys().collect();
    assert_eq!(keys, [AMI_KEY, ZONE_KEY, SSM_KEY, VPC_KEY], "{context:#}");
    assert_eq!(context[SSM_KEY], "1.2.3");
    assert_eq!(context[AMI_KEY], f.image_id.as_str());
    assert_eq!(context[ZONE_KEY]["Id"], f.zone_id.as_str());
    assert_eq!(context[ZONE_KEY]["Name"], "example.com.");
    let vpc = &context[VPC_KEY];
    assert_eq!(vpc["vpcId"], f.vpc_id.as_str());
    assert_eq!(vpc["vpcCidrBlock"], "10.20.0.0/16");
    let groups = vpc["subnetGroups"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{vpc:#}");
    assert_eq!(groups[0]["type"], "Public");
    let public_ids: Vec<&str> = groups[0]["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["subnetId"].as_str().unwrap())
        .collect();
    assert_eq!(public_ids, f.public_subnets);
    assert_eq!(
        groups[0]["subnets"][0]["routeTableId"],
        f.public_table.as_str()
    );
    assert_eq!(groups[0]["subnets"][1]["availabilityZone"], "us-east-1b");
    assert_eq!(groups[1]["type"], "Isolated");

    let template_path = dir.path().join("cdk.out/Lookups.template.json");
    let template = read_json(&template_path);
    let outputs = &template["Outputs"];
    assert!(outputs.is_object(), "{template:#}");
    assert_eq!(
        outputs["PublicSubnet"]["Value"],
        f.public_subnets[0].as_str(),
        "{outputs:#}"
    );
    assert_eq!(
        outputs["IsolatedSubnet"]["Value"],
        f.isolated_subnets[1].as_str()
    );
    assert_eq!(outputs["Version"]["Value"], "1.2.3");
    assert_eq!(
        outputs["ZoneId"]["Value"],
        f.zone_id.trim_start_matches("/hostedzone/")
    );
    assert_eq!(outputs["ImageId"]["Value"], f.image_id.as_str());
    let text = std::fs::read_to_string(&template_path).unwrap();
    assert!(text.contains(&f.vpc_id), "{text}");
    let manifest = read_json(&dir.path().join("cdk.out/manifest.json"));
    assert!(manifest.get("missing").is_none(), "{manifest:#}");

    let context_before = std::fs::read(&context_path).unwrap();
    let started = std::time::Instant::now();
    let second = app(dir.path(), &proxy.url(), &["synth", "--quiet"], "prod");
    let second_time = started.elapsed();
    assert!(second.status.success(), "{}", transcript(&second));
    assert_eq!(
        proxy.count(),
        calls,
        "the second synthesis connected to AWS: {}",
        transcript(&second)
    );
    assert_eq!(std::fs::read(&context_path).unwrap(), context_before);
    assert_eq!(std::fs::read_to_string(&template_path).unwrap(), text);
    println!(
        "ok: first synthesis {calls} connection(s) in {} ms (lookups and a second run), second synthesis 0 in {} ms",
        first_time.as_millis(),
        second_time.as_millis()
    );
}

/// `--no-lookups` with no context file fails, naming every missing key, and calls nothing.
fn no_lookups_fails_naming_the_keys(moto: &MotoServer) {
    let proxy = CountingProxy::start(moto.port());
    let dir = tempfile::tempdir().unwrap();
    let out = app(dir.path(), &proxy.url(), &["--no-lookups", "synth"], "prod");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    for key in [VPC_KEY, SSM_KEY, ZONE_KEY, AMI_KEY] {
        assert!(stderr.contains(&format!("  - {key}\n")), "{key}: {stderr}");
    }
    assert!(stderr.contains("without --no-lookups"), "{stderr}");
    assert_eq!(proxy.count(), 0, "{}", transcript(&out));
    assert!(!dir.path().join("cdk.context.json").exists());
    println!("ok: --no-lookups names the missing keys");
}

/// A VPC filter that matches nothing fails with the filter and the environment named, and
/// stores nothing.
fn a_lookup_matching_nothing_names_the_filter(moto: &MotoServer) {
    let dir = tempfile::tempdir().unwrap();
    let out = app(dir.path(), &moto.endpoint_url(), &["synth"], "nope");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{}", transcript(&out));
    assert!(
        stderr.contains("no VPC matches the filter tag:Name=nope in aws://123456789012/us-east-1"),
        "{stderr}"
    );
    assert!(!dir.path().join("cdk.context.json").exists(), "{stderr}");
    // The assembly of the first pass holds dummy values: deploying it is refused.
    let deploy = Command::new(env!("CARGO_BIN_EXE_cargo-rcdk"))
        .args(["rcdk", "deploy", "--app", "cdk.out", "--yes"])
        .args(["--endpoint-url", &moto.endpoint_url(), "--region", REGION])
        .current_dir(dir.path())
        .fake_aws_credentials()
        .output()
        .unwrap();
    let refused = String::from_utf8_lossy(&deploy.stderr);
    assert!(!deploy.status.success(), "{}", transcript(&deploy));
    assert!(
        refused.contains("synthesized without the context values")
            && refused.contains("filter.tag:Name=nope"),
        "{refused}"
    );
    println!(
        "ok: a VPC matching nothing is an error naming the filter; its assembly is not deployed"
    );
}

/// A second run still missing a lookup fails naming it, instead of looking up again.
fn a_second_run_still_missing_fails(moto: &MotoServer) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["synth", "--quiet"])
        .current_dir(dir.path())
        .env(APP_VAR, "1")
        .env("LOOKUP_UNSTABLE", "1")
        .env("LOOKUP_VPC_NAME", "prod")
        .env("RCDK_CLI", env!("CARGO_BIN_EXE_cargo-rcdk"))
        .env_remove("CARGO_MANIFEST_DIR")
        .env_remove("RCDK_CONTEXT_FILE")
        .env_remove("RCDK_LOOKUP_PASS")
        .env("AWS_ENDPOINT_URL", moto.endpoint_url())
        .fake_aws_credentials()
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{}", transcript(&out));
    assert!(
        stderr.contains("still missing after their answers were stored")
            && stderr.contains(
                "  - ssm:account=123456789012:parameterName=/app/other:region=us-east-1\n"
            ),
        "{stderr}"
    );
    println!("ok: a second run still missing a lookup fails naming it");
}

/// `cargo rcdk context` lists the entries and `--reset KEY` removes one.
fn context_lists_and_resets(moto: &MotoServer) {
    let dir = tempfile::tempdir().unwrap();
    let first = app(
        dir.path(),
        &moto.endpoint_url(),
        &["synth", "--quiet"],
        "prod",
    );
    assert!(first.status.success(), "{}", transcript(&first));
    let cli = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cargo-rcdk"))
            .args(["rcdk", "context"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let list = cli(&[]);
    assert!(list.status.success(), "{}", transcript(&list));
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(
        listed.contains(&format!("{SSM_KEY}\t\"1.2.3\"\n")),
        "{listed}"
    );
    let reset = cli(&["--reset", SSM_KEY]);
    assert!(reset.status.success(), "{}", transcript(&reset));
    let context = read_json(&dir.path().join("cdk.context.json"));
    assert!(context.get(SSM_KEY).is_none(), "{context:#}");
    assert!(context.get(VPC_KEY).is_some(), "{context:#}");
    let unknown = cli(&["--reset", "ssm:nothing"]);
    assert!(!unknown.status.success(), "{}", transcript(&unknown));
    println!("ok: context --list and --reset");
}

/// `cargo rcdk synth` runs the program through cargo (here a stand-in `CARGO` that runs this
/// binary as the app): `--no-lookups` reaches the program, and without it the program hands
/// its lookups to the very `cargo-rcdk` that runs it (no `RCDK_CLI`, no cargo-rcdk on PATH).
fn cargo_rcdk_synth_looks_up_too(moto: &MotoServer) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let fake_cargo = dir.path().join("fake-cargo");
    std::fs::write(
        &fake_cargo,
        "#!/bin/sh\nwhile [ \"$1\" != \"--\" ]; do shift; done\nshift\nexec \"$LOOKUP_APP_EXE\" \"$@\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake_cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let synth = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cargo-rcdk"))
            .arg("rcdk")
            .args(args)
            .current_dir(dir.path())
            .env("CARGO", &fake_cargo)
            .env("LOOKUP_APP_EXE", std::env::current_exe().unwrap())
            .env(APP_VAR, "1")
            .env("LOOKUP_VPC_NAME", "prod")
            .env("PATH", "/usr/bin:/bin")
            .env_remove("RCDK_CLI")
            .env_remove("CARGO_MANIFEST_DIR")
            .env_remove("RCDK_CONTEXT_FILE")
            .env_remove("RCDK_LOOKUP_PASS")
            .env("AWS_ENDPOINT_URL", moto.endpoint_url())
            .fake_aws_credentials()
            .output()
            .unwrap()
    };
    let refused = synth(&["synth", "--no-lookups"]);
    assert!(!refused.status.success(), "{}", transcript(&refused));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains(&format!("  - {SSM_KEY}\n")),
        "{}",
        transcript(&refused)
    );
    let out = synth(&["synth"]);
    assert!(out.status.success(), "{}", transcript(&out));
    let context = read_json(&dir.path().join("cdk.context.json"));
    assert_eq!(context[SSM_KEY], "1.2.3", "{context:#}");
    let template = read_json(&dir.path().join("cdk.out/Lookups.template.json"));
    assert_eq!(template["Outputs"]["Version"]["Value"], "1.2.3");
    println!("ok: cargo rcdk synth looks up through itself, and passes --no-lookups on");
}

/// The resolver refuses what must not end up in a committed file, and answers from another
/// account.
fn secure_strings_and_other_accounts_are_refused(moto: &MotoServer) {
    use rcdk_core::context::{context_key, ContextProvider, MissingContext};
    let sdk = common::sdk_config(&moto.endpoint_url(), None);
    let query = |account: &str, name: &str| {
        let props =
            serde_json::json!({"account": account, "region": REGION, "parameterName": name});
        let props = props.as_object().unwrap().clone();
        MissingContext {
            key: context_key(ContextProvider::Ssm, &props),
            provider: ContextProvider::Ssm,
            props,
        }
    };
    runtime().block_on(async {
        aws_sdk_ssm::Client::new(&sdk)
            .put_parameter()
            .name("/app/password")
            .value("hunter2")
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .send()
            .await
            .unwrap();
        let secure = rcdk_deploy::lookups::look_up(&sdk, &[query(ACCOUNT, "/app/password")])
            .await
            .unwrap_err()
            .to_string();
        assert!(secure.contains("is a SecureString"), "{secure}");
        assert!(!secure.contains("hunter2"), "{secure}");
        let other = rcdk_deploy::lookups::look_up(&sdk, &[query("111111111111", "/app/version")])
            .await
            .unwrap_err()
            .to_string();
        assert!(
            other.contains("the stack's environment is aws://111111111111/us-east-1, but the credentials are for account 123456789012"),
            "{other}"
        );
        let absent = rcdk_deploy::lookups::look_up(&sdk, &[query(ACCOUNT, "/app/absent")])
            .await
            .unwrap_err()
            .to_string();
        assert!(
            absent.contains("there is no SSM parameter /app/absent in aws://123456789012/us-east-1"),
            "{absent}"
        );
    });
    println!("ok: SecureString parameters, other accounts and absent parameters are refused");
}

/// A program with deployment built in looks up in its own process: no cargo-rcdk anywhere.
fn a_program_with_deployment_built_in_looks_up_itself(moto: &MotoServer, f: &Fixture) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["synth", "--quiet"])
        .current_dir(dir.path())
        .env(APP_VAR, "in-process")
        .env("LOOKUP_VPC_NAME", "prod")
        .env("PATH", "/usr/bin:/bin")
        .env_remove("RCDK_CLI")
        .env_remove("CARGO_MANIFEST_DIR")
        .env_remove("RCDK_CONTEXT_FILE")
        .env_remove("RCDK_LOOKUP_PASS")
        .env("AWS_ENDPOINT_URL", moto.endpoint_url())
        .fake_aws_credentials()
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", transcript(&out));
    let context = read_json(&dir.path().join("cdk.context.json"));
    assert_eq!(context[VPC_KEY]["vpcId"], f.vpc_id.as_str(), "{context:#}");
    println!("ok: a program with deployment built in looks up in its own process");
}

fn main() -> ExitCode {
    if std::env::var_os(APP_VAR).is_some() {
        return run_app();
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/moto_patches.py");
    let moto = MotoServer::start_script(&script).expect("moto starts");
    let fixture = setup(&moto);
    lookups_are_stored_and_the_second_synth_calls_nothing(&moto, &fixture);
    no_lookups_fails_naming_the_keys(&moto);
    a_lookup_matching_nothing_names_the_filter(&moto);
    context_lists_and_resets(&moto);
    a_second_run_still_missing_fails(&moto);
    cargo_rcdk_synth_looks_up_too(&moto);
    secure_strings_and_other_accounts_are_refused(&moto);
    a_program_with_deployment_built_in_looks_up_itself(&moto, &fixture);
    ExitCode::SUCCESS
}
