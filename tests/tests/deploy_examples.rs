//! Every example program under `examples/` (found by directory) deploys to a moto server as a
//! user deploys it: `cargo rcdk bootstrap`, then `cargo rcdk deploy --all` (which synthesizes
//! through `cargo run -p EXAMPLE`), with no flag but the endpoint, the region and `--yes` (no
//! terminal answers the approval prompt); the program's own `diff --fail` (handed over to
//! `cargo-rcdk`) then reports no changes, and `cargo rcdk destroy --all` deletes every stack the
//! deploy created.
//!
//! Each example gets its own moto server (state is per process), and they run in parallel.
//! moto 5.2.5 has gaps for resources the seeds need; the templates are deployed unchanged and
//! the gaps are filled in moto itself by `tests/moto_patches.py`, which names each one:
//!
//! - `AWS::SSM::Parameter` with `Tags` (a map in CloudFormation; moto crashes with
//!   "TypeError: string indices must be integers, not 'str'") or without `Name`.
//! - DeleteStack leaves route tables, gateway attachments, NAT gateways, endpoints and elastic
//!   IPs behind, so the VPC's deletion fails: "DependencyViolation: The vpc vpc-... has
//!   dependencies and cannot be deleted."
//! - Types moto's CloudFormation does not implement (ElastiCache, Secrets Manager,
//!   `S3::BucketPolicy`, `SQS::QueuePolicy`, Application Auto Scaling, ...) are skipped, and a
//!   `Fn::GetAtt` on one fails the stack ("Template error: instance of Fn::GetAtt references
//!   undefined resource ..."): they become inert placeholders.
//! - Attributes moto does not implement, such as an RDS instance's
//!   `MasterUserSecret.SecretArn` ("resource DBInstance does not support attribute type ...
//!   in Fn::GetAtt"), get made-up values.
//!
//!   The script records each placeholder and each made-up attribute, and the test asserts the
//!   exact set per example, with counts ([`EXPECTED_SUBSTITUTIONS`], each entry with the reason
//!   moto lacks it in [`WHY_MOTO_LACKS`]) and prints it: a new gap fails the test by name, and
//!   so does an expected one that no longer occurs.
//! - Templates over 51,200 bytes go through the staging bucket; moto resolves a path-style
//!   TemplateURL to its own S3 only when the URL contains "localhost", not 127.0.0.1.
//! - An ECR repository without `RepositoryName` gets moto's generated name with the logical
//!   id's capitals, which moto's ECR refuses ("Invalid parameter at 'repositoryName'"); it is
//!   lower-cased, as CloudFormation's generated names are.
//! - `AWS::KMS::Key` with `Tags` (`{Key, Value}` in CloudFormation; moto's KMS reads
//!   `{TagKey, TagValue}` and fails with "KeyError: 'TagKey'", leaving the key uncreated): the
//!   tags are converted.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use rcdk_testkit::moto::{MotoServer, Substitution, SubstitutionKind};
use rcdk_testkit::registry::Registry;
use sha2::Digest;

const REGION: &str = "us-east-1";

/// The stack `cargo rcdk bootstrap` deploys, the same for every example.
const BOOTSTRAP_STACK: &str = "CDKToolkit";

/// Why moto lacks each thing the patch script substitutes: a resource type it stands an inert
/// placeholder in for, or (`TYPE.ATTRIBUTE`) an `Fn::GetAtt` attribute it makes a value up for.
const WHY_MOTO_LACKS: &[(&str, &str)] = &[
    (
        "AWS::AutoScaling::ScalingPolicy",
        "moto's CloudFormation has Auto Scaling groups, launch configurations and scheduled actions, not scaling policies",
    ),
    (
        "AWS::Budgets::Budget",
        "moto has no Budgets in CloudFormation at all",
    ),
    (
        "AWS::EC2::NetworkAcl",
        "moto's EC2 has network ACLs in its API only, with no CloudFormation model",
    ),
    (
        "AWS::EC2::NetworkAclEntry",
        "moto's EC2 has network ACL entries in its API only, with no CloudFormation model",
    ),
    (
        "AWS::EC2::SecurityGroupEgress",
        "moto's CloudFormation has standalone ingress rules, not egress rules",
    ),
    (
        "AWS::EC2::SubnetNetworkAclAssociation",
        "moto's EC2 associates network ACLs in its API only, with no CloudFormation model",
    ),
    (
        "AWS::ElastiCache::ReplicationGroup",
        "moto's ElastiCache has no CloudFormation models",
    ),
    (
        "AWS::ElastiCache::SubnetGroup",
        "moto's ElastiCache has no CloudFormation models",
    ),
    (
        "AWS::IAM::OIDCProvider",
        "moto's IAM has OIDC providers in its API only, with no CloudFormation model",
    ),
    (
        "AWS::S3::BucketPolicy",
        "moto's CloudFormation models S3 buckets only; bucket policies exist in its S3 API alone",
    ),
    (
        "AWS::SNS::TopicPolicy",
        "moto's CloudFormation models SNS topics only, not their policies",
    ),
    (
        "AWS::SecretsManager::Secret",
        "moto's Secrets Manager has no CloudFormation model",
    ),
    (
        "AWS::SQS::QueuePolicy",
        "moto's CloudFormation models SQS queues only; queue policies exist in its SQS API alone",
    ),
    (
        "AWS::RDS::DBInstance.DbiResourceId",
        "moto's RDS instance in CloudFormation has no DbiResourceId attribute, the resource id that IAM database authentication grants name",
    ),
];

/// The substitutions the bootstrap stack needs, with how many resources of each.
const BOOTSTRAP_SUBSTITUTIONS: &[(&str, usize)] = &[("AWS::S3::BucketPolicy", 2)];

/// Per example, the substitutions its own stacks need, with how many resources of each. An
/// example not listed needs none.
const EXPECTED_SUBSTITUTIONS: &[(&str, &[(&str, usize)])] = &[
    (
        "app-baseline",
        &[
            ("AWS::AutoScaling::ScalingPolicy", 1),
            ("AWS::Budgets::Budget", 1),
            ("AWS::EC2::SecurityGroupEgress", 5),
            ("AWS::IAM::OIDCProvider", 1),
            ("AWS::RDS::DBInstance.DbiResourceId", 1),
            ("AWS::S3::BucketPolicy", 6),
            ("AWS::SNS::TopicPolicy", 1),
            ("AWS::SQS::QueuePolicy", 1),
        ],
    ),
    ("hello", &[("AWS::SQS::QueuePolicy", 1)]),
    (
        "microservices",
        &[
            ("AWS::EC2::NetworkAcl", 1),
            ("AWS::EC2::NetworkAclEntry", 12),
            ("AWS::EC2::SecurityGroupEgress", 8),
            ("AWS::EC2::SubnetNetworkAclAssociation", 2),
            ("AWS::ElastiCache::ReplicationGroup", 1),
            ("AWS::ElastiCache::SubnetGroup", 1),
            ("AWS::S3::BucketPolicy", 4),
            ("AWS::SQS::QueuePolicy", 2),
            ("AWS::SecretsManager::Secret", 3),
        ],
    ),
    (
        "nightly-job",
        &[("AWS::S3::BucketPolicy", 2), ("AWS::SQS::QueuePolicy", 1)],
    ),
    (
        "smartinvoice",
        &[
            ("AWS::EC2::SecurityGroupEgress", 7),
            ("AWS::S3::BucketPolicy", 2),
            ("AWS::SQS::QueuePolicy", 1),
        ],
    ),
    ("two-regions", &[("AWS::S3::BucketPolicy", 4)]),
];

/// Substituted resources per [`Substitution::what`], each resource once however often moto
/// resolved it.
fn count_substitutions(subs: &[&Substitution]) -> BTreeMap<String, usize> {
    let unique: BTreeSet<&Substitution> = subs.iter().copied().collect();
    let mut counts = BTreeMap::new();
    for sub in unique {
        *counts.entry(sub.what()).or_insert(0) += 1;
    }
    counts
}

/// The substitutions of one scope against `expected`: every difference, naming the thing and
/// its resources (`stack/logical id`).
fn compare_substitutions(
    scope: &str,
    subs: &[&Substitution],
    expected: &[(&str, usize)],
) -> Vec<String> {
    let resources = |what: &str| -> BTreeSet<String> {
        subs.iter()
            .filter(|s| s.what() == what)
            .map(|s| format!("{}/{}", s.stack, s.logical_id))
            .collect()
    };
    let counts = count_substitutions(subs);
    let mut problems = Vec::new();
    for (what, count) in &counts {
        match expected.iter().find(|(w, _)| w == what) {
            None => problems.push(format!(
                "{scope}: {what} substituted for {count} resource(s) {:?} but not expected; \
                 if moto lacks it, list it with the reason",
                resources(what)
            )),
            Some((_, n)) if n != count => problems.push(format!(
                "{scope}: {what} substituted for {count} resource(s) {:?}, expected {n}",
                resources(what)
            )),
            Some(_) => {}
        }
    }
    for (what, n) in expected {
        if !counts.contains_key(*what) {
            problems.push(format!(
                "{scope}: {what} expected for {n} resource(s) but not substituted; \
                 remove it from the list"
            ));
        }
    }
    problems
}

/// The substitutions moto needed for `example` match the lists exactly; returns them printed.
fn check_substitutions(example: &str, subs: &[Substitution]) -> Result<String, String> {
    let (bootstrap, own): (Vec<&Substitution>, Vec<&Substitution>) =
        subs.iter().partition(|s| s.stack == BOOTSTRAP_STACK);
    let expected = EXPECTED_SUBSTITUTIONS
        .iter()
        .find(|(name, _)| *name == example)
        .map_or(&[][..], |(_, list)| *list);
    let mut problems = compare_substitutions(
        &format!("{example} ({BOOTSTRAP_STACK})"),
        &bootstrap,
        BOOTSTRAP_SUBSTITUTIONS,
    );
    problems.extend(compare_substitutions(example, &own, expected));
    let of_kind = |kind: SubstitutionKind| -> Vec<&Substitution> {
        own.iter().copied().filter(|s| s.kind == kind).collect()
    };
    let printed = format!(
        "{example}: placeholders {:?}, made-up attributes {:?}; bootstrap stack {:?}",
        count_substitutions(&of_kind(SubstitutionKind::Placeholder)),
        count_substitutions(&of_kind(SubstitutionKind::Attribute)),
        count_substitutions(&bootstrap)
    );
    if problems.is_empty() {
        Ok(printed)
    } else {
        Err(format!("{}\n{printed}", problems.join("\n")))
    }
}

/// `(stack name, status)` of every stack moto knows in `region` of the test's account, deleted
/// ones included (ListStacks).
fn list_stacks(moto: &MotoServer, region: &str) -> Result<Vec<(String, String)>, String> {
    let body = "Action=ListStacks&Version=2010-05-15";
    let addr = SocketAddr::from(([127, 0, 0, 1], moto.port()));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| format!("connect to moto: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    // moto routes by the credential scope of the Authorization header and checks no signature.
    write!(
        stream,
        "POST / HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/cloudformation/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Length: {}\r\n\r\n{body}",
        moto.port(),
        body.len()
    )
    .map_err(|e| format!("write to moto: {e}"))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| format!("read from moto: {e}"))?;
    if !response.contains("<ListStacksResponse") {
        return Err(format!("unexpected ListStacks answer:\n{response}"));
    }
    Ok(response
        .split("<member>")
        .skip(1)
        .filter_map(|member| {
            Some((
                element(member, "StackName")?,
                element(member, "StackStatus")?,
            ))
        })
        .collect())
}

/// `GET path` to moto as `service` (routed by the Authorization header's credential scope; no
/// signature is checked): status and body.
fn get(moto: &MotoServer, service: &str, path: &str) -> Result<(u16, Vec<u8>), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], moto.port()));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| format!("connect to moto: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/{service}/aws4_request, SignedHeaders=host, Signature=0\r\n\r\n",
        moto.port()
    )
    .map_err(|e| format!("write to moto: {e}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| format!("read from moto: {e}"))?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("malformed HTTP response")?;
    let head = String::from_utf8_lossy(&response[..split]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or("no status")?;
    Ok((status, response[split + 4..].to_vec()))
}

/// Standard base64 of `bytes` (how Lambda writes CodeSha256).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Every Lambda function moto holds runs the code of an object in the staging bucket: its
/// CodeSha256 is the SHA-256 of one of the `.zip` objects published there. Returns how many
/// functions were checked.
fn lambda_code_is_the_uploaded_object(moto: &MotoServer) -> Result<usize, String> {
    let (status, body) = get(moto, "lambda", "/2015-03-31/functions/")?;
    if status != 200 {
        return Err(format!(
            "ListFunctions answered {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    let functions: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| format!("ListFunctions: {e}"))?;
    let functions = functions["Functions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if functions.is_empty() {
        return Ok(0);
    }
    let bucket = format!("cdk-hnb659fds-assets-123456789012-{REGION}");
    let (_, listing) = get(moto, "s3", &format!("/{bucket}?list-type=2"))?;
    let listing = String::from_utf8_lossy(&listing).into_owned();
    let mut uploaded = Vec::new();
    for key in listing
        .split("<Key>")
        .skip(1)
        .filter_map(|k| k.split("</Key>").next())
    {
        if key.ends_with(".zip") {
            let (_, bytes) = get(moto, "s3", &format!("/{bucket}/{key}"))?;
            uploaded.push((key.to_string(), base64(&sha2::Sha256::digest(&bytes))));
        }
    }
    for f in &functions {
        let sha = f["CodeSha256"].as_str().unwrap_or_default();
        if !uploaded.iter().any(|(_, s)| s == sha) {
            return Err(format!(
                "function {} runs code {sha}, which is none of the uploaded zips {uploaded:?}",
                f["FunctionName"]
            ));
        }
    }
    Ok(functions.len())
}

/// Text of the first `<tag>...</tag>` in `xml`.
fn element(xml: &str, tag: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = start + xml[start..].find(&format!("</{tag}>"))?;
    Some(xml[start..end].to_string())
}

/// Stack names of the assembly a command wrote into `dir/cdk.out`, in deployment order.
fn stack_names(dir: &Path) -> Vec<String> {
    let assembly = rcdk_core::cloud_assembly::CloudAssembly::load(&dir.join("cdk.out")).unwrap();
    assembly
        .stacks()
        .iter()
        .map(|s| s.stack_name.clone())
        .collect()
}

/// The second region of `two-regions`: its recovery stack deploys there, while the command runs
/// configured for [`REGION`], so the replica's ARN crosses regions as an output and a parameter.
const RECOVERY_REGION: &str = "us-west-2";

/// The environment an example's program reads its stacks' environments from: the test's
/// account, and for `two-regions` its primary region here and its recovery region apart.
fn example_env(example: &str) -> Vec<(&'static str, &'static str)> {
    match example {
        "two-regions" => vec![
            ("APP_ACCOUNT", "123456789012"),
            ("PRIMARY_REGION", REGION),
            ("RECOVERY_REGION", RECOVERY_REGION),
        ],
        _ => Vec::new(),
    }
}

/// The regions an example's stacks deploy to, each bootstrapped first.
fn example_regions(example: &str) -> Vec<&'static str> {
    match example {
        "two-regions" => vec![REGION, RECOVERY_REGION],
        _ => vec![REGION],
    }
}

/// The region a stack of the written assembly deploys to: its own, or the command's.
fn stack_regions(dir: &Path) -> Vec<(String, String)> {
    let assembly = rcdk_core::cloud_assembly::CloudAssembly::load(&dir.join("cdk.out")).unwrap();
    assembly
        .stacks()
        .iter()
        .map(|s| {
            let region = s
                .environment
                .region
                .clone()
                .unwrap_or_else(|| REGION.to_string());
            (s.stack_name.clone(), region)
        })
        .collect()
}

/// Runs `PROGRAM ARGS --endpoint-url ... --region ...` (the example's binary, or `cargo rcdk`
/// when `example` is `None`); an error carries the transcript.
fn command(
    example: Option<&str>,
    of_example: &str,
    dir: &Path,
    moto: &MotoServer,
    images: &Images,
    args: &[&str],
) -> Result<String, String> {
    let endpoint = moto.endpoint_url();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--endpoint-url", &endpoint, "--region", REGION]);
    let mut env = images.env();
    env.extend(example_env(of_example));
    let out = match example {
        Some(example) => common::run_with(example, dir, &all, &env),
        None => common::cargo_rcdk_with(dir, &all, &env),
    };
    let text = common::transcript(&out);
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "`{} {}` failed\n{text}\n--- moto log ---\n{}",
            example.unwrap_or("cargo rcdk"),
            args.join(" "),
            moto.log_tail()
        ))
    }
}

/// The registry that stands in for ECR, and the base image the example's images are built on.
///
/// moto answers ECR's GetAuthorizationToken but stores no images, so `RCDK_ECR_REGISTRY_ENDPOINT`
/// sends the pushes to a local OCI registry. This machine reaches no public registry, so the
/// base of images built from cargo packages is a test image pushed to that registry
/// (`RCDK_DEFAULT_BASE_IMAGE`, the same variable an air-gapped user points at a mirror).
struct Images {
    registry: Registry,
    endpoint: String,
    base: String,
}

impl Images {
    fn start() -> Result<Images, String> {
        let registry = Registry::start()?;
        let base = rcdk_testkit::oci_fixture::push_base_image(&registry)?;
        let endpoint = registry.endpoint();
        Ok(Images {
            registry,
            endpoint,
            base,
        })
    }

    fn env(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("RCDK_ECR_REGISTRY_ENDPOINT", self.endpoint.as_str()),
            ("RCDK_DEFAULT_BASE_IMAGE", self.base.as_str()),
        ]
    }

    /// Every container image of the assembly's asset manifests is in the registry under the
    /// bootstrap repository with its hash as tag, and `skopeo` (not our code) reads a config
    /// that runs the package's binary as a non-root user. Returns how many images were checked.
    fn check_pushed(&self, dir: &Path) -> Result<usize, String> {
        let assembly = rcdk_core::cloud_assembly::CloudAssembly::load(&dir.join("cdk.out"))
            .map_err(|e| e.to_string())?;
        let mut checked = 0;
        for stack in assembly.stacks() {
            let Some((_, manifest)) = assembly
                .asset_manifest(&stack.id)
                .map_err(|e| e.to_string())?
            else {
                continue;
            };
            for (hash, entry) in &manifest.docker_images {
                let image = format!(
                    "{}/cdk-hnb659fds-container-assets-123456789012-{REGION}:{hash}",
                    self.registry.host()
                );
                let config = self.registry.skopeo().inspect_config(&image)?;
                let entrypoint = config["config"]["Entrypoint"].clone();
                let user = config["config"]["User"].as_str().unwrap_or_default();
                let command = entry.source.executable.clone().unwrap_or_default();
                let package = command
                    .iter()
                    .position(|a| a == "--package")
                    .and_then(|i| command.get(i + 1))
                    .ok_or_else(|| format!("{image}: no --package in {command:?}"))?;
                if entrypoint != serde_json::json!([format!("/app/{package}")]) {
                    return Err(format!(
                        "{image}: entrypoint {entrypoint}, expected /app/{package}"
                    ));
                }
                let uid = user.split(':').next().unwrap_or_default();
                if uid.is_empty() || uid == "0" || uid == "root" {
                    return Err(format!(
                        "{image}: runs as {user:?}, expected a non-root user"
                    ));
                }
                checked += 1;
            }
        }
        Ok(checked)
    }
}

/// Deploy, diff, destroy for one example; returns what took how long.
fn deploy_diff_destroy(example: &str) -> Result<String, String> {
    let started = Instant::now();
    let script = common::root().join("tests/moto_patches.py");
    let moto = MotoServer::start_script(&script)?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let images = Images::start()?;
    let ready = started.elapsed();

    let bootstrap = Instant::now();
    let environments: Vec<String> = example_regions(example)
        .iter()
        .map(|region| format!("aws://123456789012/{region}"))
        .collect();
    let mut bootstrap_args = vec!["bootstrap"];
    bootstrap_args.extend(environments.iter().map(String::as_str));
    command(None, example, dir.path(), &moto, &images, &bootstrap_args)?;
    let bootstrap = bootstrap.elapsed();

    let deploy = Instant::now();
    let manifest = common::root().join("Cargo.toml");
    command(
        None,
        example,
        dir.path(),
        &moto,
        &images,
        &[
            "deploy",
            "--all",
            "--yes",
            "-p",
            example,
            "--manifest-path",
            manifest.to_str().unwrap(),
        ],
    )?;
    let stacks = stack_names(dir.path());
    // Each stack is in its own region, and in no other of the example's regions.
    for (stack, region) in stack_regions(dir.path()) {
        for other in example_regions(example) {
            let listed = list_stacks(&moto, other)?;
            let status = listed
                .iter()
                .find(|(name, _)| *name == stack)
                .map(|(_, s)| s.as_str());
            let wanted = (other == region).then_some("CREATE_COMPLETE");
            if status != wanted {
                return Err(format!(
                    "{example}: stack {stack} is {status:?} in {other} after deploy, expected {wanted:?} (its region is {region})"
                ));
            }
        }
    }
    let deploy = deploy.elapsed();
    let functions =
        lambda_code_is_the_uploaded_object(&moto).map_err(|e| format!("{example}: {e}"))?;
    let pushed = images
        .check_pushed(dir.path())
        .map_err(|e| format!("{example}: {e}"))?;

    let diff = Instant::now();
    let text = command(
        Some(example),
        example,
        dir.path(),
        &moto,
        &images,
        &["diff", "--fail"],
    )?;
    let unchanged = text.matches(": no differences").count();
    if unchanged != stacks.len() {
        return Err(format!(
            "{example}: diff reports {unchanged} unchanged stack(s) of {}\n{text}",
            stacks.len()
        ));
    }
    let diff = diff.elapsed();

    let destroy = Instant::now();
    command(
        None,
        example,
        dir.path(),
        &moto,
        &images,
        &["destroy", "--all", "--yes", "--app", "cdk.out"],
    )?;
    let mut listed: Vec<(String, String)> = Vec::new();
    for region in example_regions(example) {
        listed.extend(
            list_stacks(&moto, region)?
                .into_iter()
                .filter(|(name, _)| name != "CDKToolkit"),
        );
    }
    let left: Vec<_> = listed
        .iter()
        .filter(|(_, status)| status != "DELETE_COMPLETE")
        .collect();
    if !left.is_empty() || listed.len() != stacks.len() {
        return Err(format!(
            "{example}: after destroy moto lists {listed:?}; expected {stacks:?}, all DELETE_COMPLETE"
        ));
    }
    let substituted = check_substitutions(example, &moto.substitutions()?)?;
    Ok(format!(
        "{substituted}\n{example}: {} stack(s), {functions} Lambda function(s) running an uploaded zip, {pushed} container image(s) pushed; moto ready {:.1?}, bootstrap {:.1?}, deploy {:.1?}, diff {:.1?}, destroy {:.1?}",
        stacks.len(),
        ready,
        bootstrap,
        deploy,
        diff,
        destroy.elapsed()
    ))
}

/// The substitution lists name existing examples, give a reason for everything they expect, and
/// hold no reason nothing expects.
#[test]
fn substitution_lists_are_consistent() {
    let names = common::example_names();
    let mut expected: BTreeSet<&str> = BOOTSTRAP_SUBSTITUTIONS.iter().map(|(w, _)| *w).collect();
    let mut examples = BTreeSet::new();
    for (example, list) in EXPECTED_SUBSTITUTIONS {
        assert!(
            names.iter().any(|n| n == example),
            "substitutions listed for {example}, which is no example of {names:?}"
        );
        assert!(examples.insert(*example), "{example} is listed twice");
        assert!(!list.is_empty(), "{example} is listed with no substitution");
        let mut seen = BTreeSet::new();
        for (what, count) in *list {
            assert!(seen.insert(*what), "{example} lists {what} twice");
            assert!(*count > 0, "{example} expects {what} for no resource");
            expected.insert(what);
        }
    }
    let reasons: BTreeSet<&str> = WHY_MOTO_LACKS.iter().map(|(w, _)| *w).collect();
    assert_eq!(
        reasons.len(),
        WHY_MOTO_LACKS.len(),
        "a reason is given twice"
    );
    let unexplained: Vec<_> = expected.difference(&reasons).collect();
    assert!(
        unexplained.is_empty(),
        "expected with no reason: {unexplained:?}"
    );
    let unused: Vec<_> = reasons.difference(&expected).collect();
    assert!(unused.is_empty(), "reasons nothing expects: {unused:?}");
}

/// A substitution nobody expects, an expected one that did not happen and a wrong count each
/// fail by name; a resource resolved twice counts once.
#[test]
fn substitution_differences_are_named() {
    let sub = |stack: &str, logical_id: &str, resource_type: &str| Substitution {
        kind: SubstitutionKind::Placeholder,
        stack: stack.to_string(),
        logical_id: logical_id.to_string(),
        resource_type: resource_type.to_string(),
        attribute: None,
    };
    let subs = [
        sub("App", "PolicyA", "AWS::IAM::RolePolicy"),
        sub("App", "PolicyA", "AWS::IAM::RolePolicy"),
        sub("App", "PolicyB", "AWS::IAM::RolePolicy"),
        sub("App", "Egress", "AWS::EC2::SecurityGroupEgress"),
    ];
    let subs: Vec<&Substitution> = subs.iter().collect();
    assert_eq!(
        compare_substitutions(
            "app",
            &subs,
            &[
                ("AWS::IAM::RolePolicy", 2),
                ("AWS::EC2::SecurityGroupEgress", 1)
            ]
        ),
        Vec::<String>::new()
    );
    let problems = compare_substitutions(
        "app",
        &subs,
        &[("AWS::IAM::RolePolicy", 3), ("AWS::SNS::TopicPolicy", 1)],
    );
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].contains("AWS::EC2::SecurityGroupEgress substituted for 1 resource(s) {\"App/Egress\"} but not expected"));
    assert!(problems[1].contains("AWS::IAM::RolePolicy substituted for 2 resource(s)"));
    assert!(problems[1].contains("expected 3"));
    assert!(problems[2]
        .contains("AWS::SNS::TopicPolicy expected for 1 resource(s) but not substituted"));
}

#[test]
fn every_example_deploys_diffs_clean_and_destroys() {
    let names = common::example_names();
    // Build before the servers start, so no moto waits on the compiler.
    common::binaries();
    let results: Vec<(String, Result<String, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = names
            .iter()
            .map(|name| (name, scope.spawn(move || deploy_diff_destroy(name))))
            .collect();
        handles
            .into_iter()
            .map(|(name, h)| {
                let result = h
                    .join()
                    .unwrap_or_else(|_| Err(format!("{name}: the test thread panicked")));
                (name.clone(), result)
            })
            .collect()
    });
    let mut failures = Vec::new();
    for (name, result) in results {
        match result {
            Ok(timing) => println!("{timing}"),
            Err(e) => failures.push(format!("=== {name}\n{e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
