//! `cargo rcdk package-image` (the executable of image assets) and `publish` of an image built
//! from a real package: cargo-lambda builds it, the image is assembled on a base served by a
//! local registry, moto answers ECR GetAuthorizationToken, skopeo checks what was pushed.

#[path = "../../rcdk-deploy/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rcdk_core::bootstrap::{version_parameter, DEFAULT_QUALIFIER};
use rcdk_deploy::Clients;
use rcdk_testkit::command::{transcript, FakeAws};
use rcdk_testkit::moto::MotoServer;
use rcdk_testkit::oci_fixture::push_base_image;
use rcdk_testkit::registry::Registry;
use serde_json::json;

const REGION: &str = "us-east-1";
const REPOSITORY: &str = "cdk-hnb659fds-container-assets-123456789012-us-east-1";

fn workspace_tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/venv/bin")
}

/// `cargo-rcdk ARGS` in `cwd`, with cargo-lambda (and zig) on PATH as scripts/test.sh has them.
fn cargo_rcdk(cwd: &Path, args: &[&str], env: &[(&str, String)]) -> Output {
    let path = std::env::join_paths(std::iter::once(workspace_tools()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-rcdk"));
    command
        .args(args)
        .current_dir(cwd)
        .env("PATH", path)
        .fake_aws_credentials()
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("RCDK_ECR_REGISTRY_ENDPOINT");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("cargo-rcdk runs")
}

/// A one-file package outside any workspace: a binary with no dependencies builds in seconds.
fn tiny_package(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"tiny-svc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n[profile.release]\nstrip = true\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        "fn main() {\n    println!(\"tiny-svc\");\n}\n",
    )
    .unwrap();
    dir.join("Cargo.toml")
}

fn hash(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

#[test]
fn tarball_mode_checks_and_prints_the_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("junk.tar"), "not an image").unwrap();
    let junk_hash = rcdk_deploy::sha256_hex(b"not an image");
    let out = cargo_rcdk(
        dir.path(),
        &[
            "package-image",
            "--tarball",
            "junk.tar",
            "--hash",
            &junk_hash,
        ],
        &[],
    );
    assert!(!out.status.success(), "{}", transcript(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("junk.tar"),
        "{}",
        transcript(&out)
    );
    // A real image tarball: an OCI layout (a scratch image) in a tar, named by its hash.
    let layout = dir.path().join("layout");
    let bin = dir.path().join("svc");
    std::fs::write(&bin, "binary").unwrap();
    rcdk_deploy::image::assemble(
        None,
        &rcdk_deploy::image::BlobCache::at(dir.path().join("cache")),
        &bin,
        "svc",
        &rcdk_deploy::image::ImageSettings::default(),
        &layout,
    )
    .unwrap();
    let tar_path = dir.path().join("image.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&tar_path).unwrap());
    builder.append_dir_all(".", &layout).unwrap();
    builder.finish().unwrap();
    drop(builder);
    let sha = rcdk_deploy::sha256_hex(&std::fs::read(&tar_path).unwrap());
    let staged = format!("asset.{sha}.tar");
    std::fs::rename(&tar_path, dir.path().join(&staged)).unwrap();
    let out = cargo_rcdk(
        dir.path(),
        &["package-image", "--tarball", &staged, "--hash", &sha],
        &[],
    );
    assert!(out.status.success(), "{}", transcript(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().last(),
        Some(staged.as_str())
    );
    // The same file under another hash: changed after synthesis.
    let out = cargo_rcdk(
        dir.path(),
        &["package-image", "--tarball", &staged, "--hash", &hash(9)],
        &[],
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("synthesize again"),
        "{}",
        transcript(&out)
    );
    let out = cargo_rcdk(
        dir.path(),
        &["package-image", "--tarball", "junk.tar", "--hash", "nothex"],
        &[],
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("64 lowercase hex"),
        "{}",
        transcript(&out)
    );
}

#[test]
fn bad_packages_and_bases_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = tiny_package(&dir.path().join("pkg"));
    let manifest = manifest.display().to_string();
    let base = format!("127.0.0.1:1/base@sha256:{}", "0".repeat(64));
    let common = ["--base", "scratch", "--hash"];
    let h = hash(2);
    let out = cargo_rcdk(
        dir.path(),
        &[
            "package-image",
            "--manifest-path",
            &manifest,
            "--package",
            "no-such",
            common[0],
            common[1],
            common[2],
            &h,
        ],
        &[(
            "RCDK_OCI_CACHE",
            dir.path().join("cache").display().to_string(),
        )],
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains("no package `no-such`") && err.contains("tiny-svc"),
        "{err}"
    );
    let out = cargo_rcdk(
        dir.path(),
        &[
            "package-image",
            "--manifest-path",
            &manifest,
            "--package",
            "tiny-svc",
            "--bin",
            "other",
            "--base",
            "scratch",
            "--hash",
            &h,
        ],
        &[(
            "RCDK_OCI_CACHE",
            dir.path().join("cache").display().to_string(),
        )],
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("no binary target `other`"), "{err}");
    // An unreachable base fails before any build.
    let out = cargo_rcdk(
        dir.path(),
        &[
            "package-image",
            "--manifest-path",
            &manifest,
            "--package",
            "tiny-svc",
            "--base",
            &base,
            "--hash",
            &h,
        ],
        &[(
            "RCDK_OCI_CACHE",
            dir.path().join("cache").display().to_string(),
        )],
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("cannot be fetched"), "{err}");
    let out = cargo_rcdk(
        dir.path(),
        &[
            "package-image",
            "--manifest-path",
            &manifest,
            "--package",
            "tiny-svc",
            "--base",
            "docker.io/library/alpine:3",
            "--hash",
            &h,
        ],
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("by digest"), "{err}");
}

/// The one real build: `cargo rcdk publish` runs the image asset's `package-image`, which
/// builds the package with cargo-lambda and assembles it on the base; the push goes to the
/// local registry with moto's ECR credentials. A second publish pushes nothing.
#[test]
fn publish_builds_a_package_into_an_image_and_pushes_it_once() {
    assert!(
        workspace_tools().join("cargo-lambda").is_file(),
        "cargo-lambda is not in .tools/venv: run `bash scripts/python-tools.sh`"
    );
    let registry = Registry::start().unwrap();
    let base = push_base_image(&registry).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/moto_patches.py");
    let moto = MotoServer::start_script(&script).expect("moto starts");
    let clients =
        Clients::from_sdk_config(&common::sdk_config(&moto.endpoint_url(), None)).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(
            clients
                .ssm()
                .put_parameter()
                .name(version_parameter(DEFAULT_QUALIFIER))
                .value("30")
                .r#type(aws_sdk_ssm::types::ParameterType::String)
                .send(),
        )
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let manifest = tiny_package(&dir.path().join("pkg")).display().to_string();
    let app = dir.path().join("cdk.out");
    std::fs::create_dir(&app).unwrap();
    let id = hash(7);
    let executable = json!([
        "cargo-rcdk",
        "package-image",
        "--manifest-path",
        manifest,
        "--package",
        "tiny-svc",
        "--base",
        base,
        "--arch",
        "x86_64",
        "--port",
        "8080",
        "--env",
        "GREETING=hi",
        "--label",
        "service=tiny",
        "--user",
        "65532:65532",
        "--hash",
        id
    ]);
    let assets = json!({"version": "55.0.0", "files": {}, "dockerImages": {
        &id: {
            "displayName": "App/Tiny",
            "source": {"executable": executable},
            "destinations": {"current_account-current_region": {
                "repositoryName": "cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}",
                "imageTag": &id,
            }}
        }
    }});
    std::fs::write(app.join("App.assets.json"), assets.to_string()).unwrap();
    std::fs::write(app.join("App.template.json"), r#"{"Resources":{}}"#).unwrap();
    std::fs::write(
        app.join("manifest.json"),
        json!({"version": "55.0.0", "artifacts": {
            "App.assets": {"type": "cdk:asset-manifest", "properties": {"file": "App.assets.json"}},
            "App": {
                "type": "aws:cloudformation:stack",
                "environment": "aws://unknown-account/unknown-region",
                "properties": {"templateFile": "App.template.json"},
                "dependencies": ["App.assets"]
            }
        }})
        .to_string(),
    )
    .unwrap();

    let env = [
        ("RCDK_ECR_REGISTRY_ENDPOINT", registry.endpoint()),
        (
            "RCDK_OCI_CACHE",
            dir.path().join("cache").display().to_string(),
        ),
    ];
    let endpoint = moto.endpoint_url();
    let args = [
        "rcdk",
        "publish",
        "--app",
        "cdk.out",
        "--endpoint-url",
        &endpoint,
        "--region",
        REGION,
    ];
    let started = std::time::Instant::now();
    let first = cargo_rcdk(dir.path(), &args, &env);
    eprintln!(
        "publish with build, assembly and push: {:?}",
        started.elapsed()
    );
    let text = transcript(&first);
    assert!(first.status.success(), "{text}");
    assert!(text.contains("1 image(s) pushed, 0 already"), "{text}");
    eprintln!("{text}");

    let uri = format!("{}/{REPOSITORY}:{id}", registry.host());
    let skopeo = registry.skopeo();
    let config = skopeo.inspect_config(&uri).unwrap();
    assert_eq!(config["config"]["Entrypoint"], json!(["/app/tiny-svc"]));
    assert_eq!(config["config"]["User"], "65532:65532");
    assert_eq!(config["config"]["ExposedPorts"], json!({"8080/tcp": {}}));
    assert!(
        config["config"]["Env"]
            .as_array()
            .unwrap()
            .contains(&json!("GREETING=hi")),
        "{config}"
    );
    assert_eq!(config["config"]["Labels"]["service"], "tiny");
    // The binary in the layer is an x86-64 ELF executable.
    let copy = dir.path().join("copy");
    skopeo.copy_to_oci_layout(&uri, &copy).unwrap();
    let local = rcdk_deploy::image::read_image(&copy, dir.path()).unwrap();
    let layer = std::fs::read(&local.layers.last().unwrap().path).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&layer[..]));
    let mut found = false;
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap() == Path::new("app/tiny-svc") {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            assert_eq!(&bytes[..4], b"\x7fELF");
            assert_eq!(u16::from_le_bytes([bytes[18], bytes[19]]), 62);
            assert_eq!(entry.header().mode().unwrap(), 0o755);
            found = true;
        }
    }
    assert!(found, "app/tiny-svc is not in the image");
    // The layout the executable wrote is the image that was pushed.
    let written =
        rcdk_deploy::image::read_image(&app.join(format!("asset.{id}.image")), dir.path()).unwrap();
    assert_eq!(skopeo.digest(&uri).unwrap(), written.digest());

    // The same package built again gives the same image digest.
    let again = cargo_rcdk(
        &app,
        &executable.as_array().unwrap()[1..]
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect::<Vec<_>>(),
        &env[1..],
    );
    assert!(again.status.success(), "{}", transcript(&again));
    let rebuilt =
        rcdk_deploy::image::read_image(&app.join(format!("asset.{id}.image")), dir.path()).unwrap();
    assert_eq!(rebuilt.digest(), written.digest());
    assert_eq!(
        String::from_utf8_lossy(&again.stdout).lines().last(),
        Some(format!("asset.{id}.image").as_str())
    );

    let started = std::time::Instant::now();
    let second = cargo_rcdk(dir.path(), &args, &env);
    eprintln!("publish with nothing to push: {:?}", started.elapsed());
    let text = transcript(&second);
    assert!(second.status.success(), "{text}");
    assert!(text.contains("0 image(s) pushed, 1 already"), "{text}");
    assert!(!text.contains("building"), "{text}");
}
