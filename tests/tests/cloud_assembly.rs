//! `cdk.out` is a real AWS CDK Cloud Assembly:
//!
//! - every example's `manifest.json` and `*.assets.json` (both template formats) validate
//!   against the JSON schemas of the pinned npm package `@aws-cdk/cloud-assembly-schema`, made
//!   strict (no property the schema does not name) so that a misspelt field is caught;
//! - the official AWS CDK CLI (npm `aws-cdk`, pinned) bootstraps moto, deploys an assembly
//!   synthesized here (publishing its template and a file asset to the staging bucket) and
//!   destroys it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use rcdk_core::asset::FileAsset;
use rcdk_core::cloud_assembly::{CloudAssembly, SCHEMA_PACKAGE_VERSION};
use rcdk_core::{App, RawResource, Stack};
use rcdk_testkit::moto::MotoServer;
use rcdk_testkit::nodetools;
use serde_json::Value;

/// The schema of the pinned package, with `additionalProperties: false` added to every object
/// definition that lists its properties and allows no others by its own words (the AWS CDK's
/// loader refuses unknown fields in several places; this refuses them everywhere).
fn strict_schema(name: &str) -> Value {
    let path = nodetools::schema_file(name).unwrap_or_else(|e| panic!("{e}"));
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for def in schema["definitions"].as_object_mut().unwrap().values_mut() {
        if def.get("properties").is_some() && def.get("additionalProperties").is_none() {
            def["additionalProperties"] = Value::Bool(false);
        }
    }
    schema
}

fn validate(schema: &Value, file: &Path) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("the schema compiles");
    let instance: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {} at {}", file.display(), e, e.instance_path()))
        .collect()
}

#[test]
fn the_pinned_schema_package_is_the_one_the_code_names() {
    let package = nodetools::node_modules().join("@aws-cdk/cloud-assembly-schema/package.json");
    let package: Value =
        serde_json::from_str(&std::fs::read_to_string(&package).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run `bash scripts/node-tools.sh`",
                package.display()
            )
        }))
        .unwrap();
    assert_eq!(package["version"], SCHEMA_PACKAGE_VERSION);
    let pinned: Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("tools/package.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        pinned["dependencies"]["@aws-cdk/cloud-assembly-schema"],
        SCHEMA_PACKAGE_VERSION
    );
    // The version written is the schema revision the package declares.
    let version = nodetools::schema_file("version.json").unwrap();
    let version: Value = serde_json::from_str(&std::fs::read_to_string(version).unwrap()).unwrap();
    assert_eq!(
        format!("{}.0.0", version["revision"]),
        rcdk_core::cloud_assembly::MANIFEST_VERSION
    );
}

#[test]
fn every_example_assembly_validates_against_the_schemas() {
    let manifest_schema = strict_schema("cloud-assembly.schema.json");
    let assets_schema = strict_schema("assets.schema.json");
    // The strict schemas do refuse what the schema does not name.
    let probe = tempfile::tempdir().unwrap();
    let bad = probe.path().join("manifest.json");
    std::fs::write(
        &bad,
        r#"{"version":"55.0.0","artifacts":{"S":{"type":"aws:cloudformation:stack","properties":{"templatefile":"S.template.json"}}}}"#,
    )
    .unwrap();
    assert!(
        !validate(&manifest_schema, &bad).is_empty(),
        "a misspelt field passed"
    );

    let dir = tempfile::tempdir().unwrap();
    let mut errors = Vec::new();
    let mut checked = 0;
    for format in ["json", "yaml"] {
        for synthesized in common::synth_all(dir.path(), format) {
            let out = synthesized.templates[0].parent().unwrap().to_path_buf();
            errors.extend(validate(&manifest_schema, &out.join("manifest.json")));
            let asset_manifests: Vec<PathBuf> = std::fs::read_dir(&out)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.to_string_lossy().ends_with(".assets.json"))
                .collect();
            // One asset manifest per stack, each read back by the loader.
            assert_eq!(
                asset_manifests.len(),
                synthesized.templates.len(),
                "{}",
                out.display()
            );
            for file in &asset_manifests {
                errors.extend(validate(&assets_schema, file));
                checked += 1;
            }
            let assembly = CloudAssembly::load(&out).unwrap();
            for stack in assembly.stacks() {
                assert!(assembly.asset_manifest(&stack.id).unwrap().is_some());
            }
        }
    }
    assert!(checked > 0);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// An assembly synthesized before its lookups are answered lists them in `missing`, in the
/// schema's `MissingContext` shape with each provider's query properties.
#[test]
fn missing_context_validates_against_the_schema() {
    use rcdk_constructs::compute::{AmiLookup, MachineImage};
    use rcdk_constructs::network::{HostedZone, ImportedVpc, VpcLookup};
    use rcdk_constructs::storage::SsmParameter;

    let manifest_schema = strict_schema("cloud-assembly.schema.json");
    // A key no context file holds: every lookup is missing.
    let account = "210987654321";
    let stack = Stack::new("Lookups").env(account, "eu-west-3");
    ImportedVpc::lookup(
        &stack,
        "Vpc",
        &VpcLookup::tagged("team", "payments").subnet_group_name_tag("tier"),
    )
    .unwrap();
    HostedZone::lookup_private(&stack, "Zone", "internal.example.com", "vpc-0abc1234").unwrap();
    MachineImage::lookup(
        &stack,
        "Image",
        &AmiLookup::name("al2023-*").owner("amazon"),
    )
    .unwrap();
    SsmParameter::value_from_lookup(&stack, "Version", "/app/version").unwrap();
    let stack = stack.with("Queue", RawResource::new("AWS::SQS::Queue"));
    let mut app = App::new();
    app.add(stack);
    let assembly = app.synth().unwrap();
    let dir = tempfile::tempdir().unwrap();
    assembly.write(dir.path()).unwrap();
    let manifest_file = dir.path().join("manifest.json");
    let errors = validate(&manifest_schema, &manifest_file);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_file).unwrap()).unwrap();
    let providers: Vec<&str> = manifest["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["provider"].as_str().unwrap())
        .collect();
    assert_eq!(providers, ["ami", "hosted-zone", "ssm", "vpc-provider"]);
    // The loader reads such a manifest back.
    CloudAssembly::load(dir.path()).unwrap();
}

/// A small assembly: one queue and a directory asset.
fn synthesize_demo(dir: &Path) -> (PathBuf, String) {
    let files = dir.join("site");
    std::fs::create_dir_all(files.join("css")).unwrap();
    std::fs::write(files.join("index.html"), "<h1>hello</h1>\n").unwrap();
    std::fs::write(files.join("css/site.css"), "h1 { color: red }\n").unwrap();
    let asset = FileAsset::from_path(&files).unwrap();
    let key = asset.object_key();
    let out = dir.join("cdk.out");
    App::new()
        .with(
            Stack::new("CliDemo")
                .with("Queue", RawResource::new("AWS::SQS::Queue"))
                .with("Site", asset),
        )
        .synth()
        .unwrap()
        .write(&out)
        .unwrap();
    (out, key)
}

fn cdk(moto: &MotoServer, cwd: &Path, args: &[&str]) -> String {
    let mut cmd: Command =
        nodetools::cdk_command(&moto.endpoint_url()).unwrap_or_else(|e| panic!("{e}"));
    let out = cmd
        .current_dir(cwd)
        .args(args)
        .args(["--no-notices", "--no-color"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run cdk: {e}"));
    let text = format!(
        "cdk {}: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{text}\n--- moto ---\n{}",
        moto.log_tail()
    );
    text
}

/// One HTTP/1.0 request to the emulator; the whole response. Requests for a service other than
/// S3 carry an Authorization header naming it: moto routes by its credential scope and checks no
/// signature.
fn request(
    moto: &MotoServer,
    method: &str,
    path: &str,
    service: Option<&str>,
    body: &str,
) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", moto.port())).unwrap();
    let auth = service
        .map(|s| {
            format!(
                "Content-Type: application/x-www-form-urlencoded\r\nAuthorization: AWS4-HMAC-SHA256 \
                 Credential=testing/20260101/us-east-1/{s}/aws4_request, SignedHeaders=host, Signature=0\r\n"
            )
        })
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        moto.port(),
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// The status of stack `name` per ListStacks (deleted stacks included), if moto knows it.
fn stack_status(moto: &MotoServer, name: &str) -> Option<String> {
    let response = request(
        moto,
        "POST",
        "/",
        Some("cloudformation"),
        "Action=ListStacks&Version=2010-05-15",
    );
    assert!(response.contains("<ListStacksResponse"), "{response}");
    response.split("<member>").skip(1).find_map(|member| {
        let field = |tag: &str| {
            let start = member.find(&format!("<{tag}>"))? + tag.len() + 2;
            let end = start + member[start..].find(&format!("</{tag}>"))?;
            Some(member[start..end].to_string())
        };
        (field("StackName")? == name).then(|| field("StackStatus"))?
    })
}

#[test]
fn the_official_cdk_cli_deploys_our_assembly_to_moto() {
    let moto = MotoServer::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (out, key) = synthesize_demo(dir.path());
    let app = out.to_str().unwrap();

    cdk(
        &moto,
        dir.path(),
        &["bootstrap", "aws://123456789012/us-east-1"],
    );
    let deployed = cdk(
        &moto,
        dir.path(),
        &[
            "deploy",
            "--app",
            app,
            "--require-approval",
            "never",
            "--all",
        ],
    );
    assert!(deployed.contains("CliDemo"), "{deployed}");

    // The stack exists, and the template and the asset are in the staging bucket.
    assert_eq!(
        stack_status(&moto, "CliDemo").as_deref(),
        Some("CREATE_COMPLETE")
    );
    let bucket = request(
        &moto,
        "GET",
        "/cdk-hnb659fds-assets-123456789012-us-east-1?list-type=2",
        None,
        "",
    );
    assert!(
        bucket.contains(&format!("<Key>{key}</Key>")),
        "asset {key} not uploaded:\n{bucket}"
    );
    let template_hash = {
        let assembly = CloudAssembly::load(&out).unwrap();
        let url = assembly.stacks()[0]
            .properties
            .stack_template_asset_object_url
            .clone()
            .unwrap();
        url.rsplit('/').next().unwrap().to_string()
    };
    assert!(
        bucket.contains(&format!("<Key>{template_hash}</Key>")),
        "{bucket}"
    );

    // The same assembly again: the CLI finds nothing to change.
    let again = cdk(
        &moto,
        dir.path(),
        &[
            "deploy",
            "--app",
            app,
            "--require-approval",
            "never",
            "--all",
        ],
    );
    assert!(again.contains("(no changes)"), "{again}");

    cdk(
        &moto,
        dir.path(),
        &["destroy", "--app", app, "--force", "--all"],
    );
    assert_eq!(
        stack_status(&moto, "CliDemo").as_deref(),
        Some("DELETE_COMPLETE")
    );
}
