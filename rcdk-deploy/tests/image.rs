//! Container images end to end on loopback: a local OCI registry (docker-registry), moto for
//! ECR GetAuthorizationToken, skopeo to check independently what was pushed.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use rcdk_deploy::image::{
    assemble, fetch_base, read_image, BaseImage, BlobCache, ImageError, ImageSettings,
};
use rcdk_deploy::package::Arch;
use rcdk_deploy::{Assembly, Captured, Confirm, Deploy, Error, Preflight, PublishReport, Target};
use rcdk_testkit::moto::MotoServer;
use rcdk_testkit::oci_fixture::{push_base_image, BaseImage as FixtureImage, BASE_PATH_ENV};
use rcdk_testkit::registry::Registry;
use serde_json::{json, Value};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
const REPOSITORY: &str = "cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}";
const RESOLVED_REPOSITORY: &str = "cdk-hnb659fds-container-assets-123456789012-us-east-1";
const BINARY: &[u8] = b"#!/bin/sh\necho 'not really a Rust binary'\n";

fn hash(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

fn moto() -> MotoServer {
    MotoServer::start().unwrap_or_else(|e| panic!("moto server: {e}"))
}

fn registry() -> Registry {
    Registry::start().unwrap_or_else(|e| panic!("registry: {e}"))
}

fn preflight() -> Preflight {
    Preflight {
        target: Target {
            account: ACCOUNT.into(),
            region: REGION.into(),
        },
        qualifier: "hnb659fds".into(),
        bootstrap_version: 30,
        staging_bucket: "unused".into(),
    }
}

/// A deployer whose ECR login comes from moto and whose pushes go to `registry`.
fn deployer(moto: &MotoServer, endpoint: Option<String>) -> (Deploy, Captured) {
    let (deploy, captured) =
        common::deployer(common::clients(&moto.endpoint_url()), Confirm::yes());
    (deploy.with_ecr_registry_endpoint(endpoint), captured)
}

/// An assembly with one stack whose asset manifest holds `images` (id, source).
fn image_assembly(dir: &Path, images: &[(String, Value)]) -> Assembly {
    let mut docker_images = serde_json::Map::new();
    for (id, source) in images {
        docker_images.insert(
            id.clone(),
            json!({
                "displayName": format!("App/Image{}", &id[..4]),
                "source": source,
                "destinations": {
                    "current_account-current_region": {
                        "repositoryName": REPOSITORY,
                        "imageTag": id,
                    }
                }
            }),
        );
    }
    let assets = json!({"version": "55.0.0", "files": {}, "dockerImages": docker_images});
    std::fs::write(dir.join("App.assets.json"), assets.to_string()).unwrap();
    std::fs::write(dir.join("App.template.json"), r#"{"Resources":{}}"#).unwrap();
    let manifest = json!({
        "version": "55.0.0",
        "artifacts": {
            "App.assets": {
                "type": "cdk:asset-manifest",
                "properties": {"file": "App.assets.json"}
            },
            "App": {
                "type": "aws:cloudformation:stack",
                "environment": "aws://unknown-account/unknown-region",
                "properties": {"templateFile": "App.template.json"},
                "dependencies": ["App.assets"]
            }
        }
    });
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    Assembly::load(dir).unwrap()
}

/// An `executable` source that prints `line` last (what `cargo rcdk package-image` does).
fn printing(line: &str) -> Value {
    json!({"executable": ["sh", "-c", format!("echo assembling >&2; echo {line}")]})
}

fn settings() -> ImageSettings {
    ImageSettings {
        arch: Arch::X86_64,
        ports: vec![8080],
        env: vec![("RUST_LOG".into(), "info".into())],
        labels: vec![("org.opencontainers.image.title".into(), "svc".into())],
        user: "65532:65532".into(),
    }
}

/// Assembles the test binary on `base` (or scratch) into `out`; returns the manifest digest.
async fn assemble_into(base: Option<&str>, cache: &BlobCache, work: &Path, out: &Path) -> String {
    let bin = work.join("svc");
    std::fs::write(&bin, BINARY).unwrap();
    let parts = match base {
        Some(reference) => Some(fetch_base(reference, Arch::X86_64, cache).await.unwrap()),
        None => None,
    };
    assemble(parts.as_ref(), cache, &bin, "svc", &settings(), out)
        .unwrap()
        .manifest_digest
}

/// The bytes of `path` inside the last layer of the image at `image` (copied out by skopeo).
fn file_in_last_layer(registry: &Registry, image: &str, path: &str) -> (Vec<u8>, u32) {
    let copy = tempfile::tempdir().unwrap();
    let layout = copy.path().join("layout");
    registry
        .skopeo()
        .copy_to_oci_layout(image, &layout)
        .unwrap();
    let local = read_image(&layout, copy.path()).unwrap();
    let layer = std::fs::read(&local.layers.last().unwrap().path).unwrap();
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(&layer[..])
        .read_to_end(&mut tar)
        .unwrap();
    let mut archive = tar::Archive::new(&tar[..]);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap() == Path::new(path) {
            let mode = entry.header().mode().unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            return (bytes, mode);
        }
    }
    panic!("{path} is not in the last layer of {image}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_assembled_image_is_pushed_once_and_skopeo_sees_it() {
    let registry = registry();
    let moto = moto();
    let base = push_base_image(&registry).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache = BlobCache::at(dir.path().join("cache"));
    let id = hash(1);
    let layout = format!("asset.{id}.image");
    let started = std::time::Instant::now();
    let digest = assemble_into(Some(&base), &cache, dir.path(), &dir.path().join(&layout)).await;
    eprintln!("assemble on the base: {:?}", started.elapsed());
    // The same inputs give the same digest, from a warm cache and from a cold one.
    let again = assemble_into(Some(&base), &cache, dir.path(), &dir.path().join("again")).await;
    let cold = BlobCache::at(dir.path().join("cold"));
    let from_cold = assemble_into(
        Some(&base),
        &cold,
        dir.path(),
        &dir.path().join("cold-image"),
    )
    .await;
    assert_eq!(digest, again);
    assert_eq!(digest, from_cold);

    let assembly = image_assembly(dir.path(), &[(id.clone(), printing(&layout))]);
    let (deploy, captured) = deployer(&moto, Some(registry.endpoint()));
    let started = std::time::Instant::now();
    let report = deploy
        .publish(&assembly, &[], &[preflight()])
        .await
        .unwrap();
    eprintln!("first publish (push): {:?}", started.elapsed());
    let uri = format!("{}/{RESOLVED_REPOSITORY}:{id}", registry.host());
    assert_eq!(
        report,
        PublishReport {
            images_pushed: vec![uri.clone()],
            ..PublishReport::default()
        },
        "{}",
        captured.text()
    );

    let skopeo = registry.skopeo();
    assert_eq!(skopeo.digest(&uri).unwrap(), digest);
    let manifest = skopeo.inspect_manifest(&uri).unwrap();
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        manifest["layers"].as_array().unwrap().len(),
        2,
        "base layer + binary layer"
    );
    let config = skopeo.inspect_config(&uri).unwrap();
    assert_eq!(config["architecture"], "amd64");
    assert_eq!(config["os"], "linux");
    assert_eq!(config["created"], "1970-01-01T00:00:00Z");
    assert_eq!(config["config"]["Entrypoint"], json!(["/app/svc"]));
    assert_eq!(config["config"]["User"], "65532:65532");
    assert_eq!(config["config"]["ExposedPorts"], json!({"8080/tcp": {}}));
    assert_eq!(
        config["config"]["Env"],
        json!([BASE_PATH_ENV, "RUST_LOG=info"])
    );
    assert_eq!(
        config["config"]["Labels"]["org.opencontainers.image.title"],
        "svc"
    );
    let (bytes, mode) = file_in_last_layer(&registry, &uri, "app/svc");
    assert_eq!(bytes, BINARY);
    assert_eq!(mode, 0o755);

    // Nothing to push the second time: one HEAD of the manifest, the executable not run.
    std::fs::remove_dir_all(dir.path().join(&layout)).unwrap();
    let started = std::time::Instant::now();
    let second = deploy
        .publish(&assembly, &[], &[preflight()])
        .await
        .unwrap();
    let unchanged = started.elapsed();
    // The same publish without images, for the cost of checking that images are there: one
    // ECR GetAuthorizationToken and one manifest HEAD per image.
    let plain = tempfile::tempdir().unwrap();
    let no_images = image_assembly(plain.path(), &[]);
    let started = std::time::Instant::now();
    deploy
        .publish(&no_images, &[], &[preflight()])
        .await
        .unwrap();
    eprintln!(
        "second publish (nothing to push): {unchanged:?}; without images: {:?}",
        started.elapsed()
    );
    assert_eq!(
        second,
        PublishReport {
            images_present: vec![uri],
            ..PublishReport::default()
        }
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn base_images_must_exist_and_have_the_platform() {
    let registry = registry();
    let dir = tempfile::tempdir().unwrap();
    let cache = BlobCache::at(dir.path());
    let base = push_base_image(&registry).unwrap();
    let e = fetch_base(&base, Arch::Arm64, &cache).await.unwrap_err();
    assert!(matches!(e, ImageError::NoPlatform { .. }), "{e}");
    assert!(e.to_string().contains("linux/amd64"), "{e}");

    let arm_only = FixtureImage::new()
        .architecture("arm64")
        .index()
        .push(&registry, "armbase")
        .unwrap();
    let e = fetch_base(&arm_only, Arch::X86_64, &cache)
        .await
        .unwrap_err();
    assert!(matches!(e, ImageError::NoPlatform { .. }), "{e}");
    assert!(e.to_string().contains("it has: linux/arm64"), "{e}");
    // The platform that is there is picked out of the index.
    let parts = fetch_base(&arm_only, Arch::Arm64, &cache).await.unwrap();
    assert_eq!(parts.config["architecture"], "arm64");

    let missing = format!("{}/base@sha256:{}", registry.host(), "0".repeat(64));
    let e = fetch_base(&missing, Arch::X86_64, &cache)
        .await
        .unwrap_err();
    assert!(matches!(e, ImageError::BaseFetch { .. }), "{e}");
    let e = format!("{}/base:latest", registry.host())
        .parse::<BaseImage>()
        .unwrap_err();
    assert!(e.to_string().contains("by digest"), "{e}");
}

/// The registry refuses: the error says so, and no tag (manifest) is left behind.
async fn assert_refused(registry: &Registry, check_absent: impl Fn(&str)) {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let cache = BlobCache::at(dir.path().join("cache"));
    let id = hash(2);
    let layout = format!("asset.{id}.image");
    assemble_into(None, &cache, dir.path(), &dir.path().join(&layout)).await;
    let assembly = image_assembly(dir.path(), &[(id.clone(), printing(&layout))]);
    let (deploy, _) = deployer(&moto, Some(registry.endpoint()));
    let e = deploy
        .publish(&assembly, &[], &[preflight()])
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        matches!(
            &e,
            Error::Image {
                source: ImageError::PushRefused { .. } | ImageError::Registry { .. },
                ..
            }
        ),
        "{text}"
    );
    assert!(text.contains("nothing was deployed"), "{text}");
    check_absent(&format!("{}/{RESOLVED_REPOSITORY}:{id}", registry.host()));
    eprintln!("{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_registry_refuses_cleanly() {
    let registry = Registry::builder().read_only().start().unwrap();
    assert_refused(&registry, |image| {
        assert!(
            registry.skopeo().inspect_raw(image).is_err(),
            "{image} exists"
        );
    })
    .await;
    let path = format!("/v2/{RESOLVED_REPOSITORY}/manifests/{}", hash(2));
    assert_eq!(registry.get_status(&path), Ok(404));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_registry_refusing_the_credentials_gets_no_manifest() {
    let registry = Registry::builder()
        .htpasswd("pusher", "secret")
        .start()
        .unwrap();
    assert_refused(&registry, |image| {
        // With the registry's real credentials: the tag is not there.
        assert!(
            registry.skopeo().inspect_raw(image).is_err(),
            "{image} exists"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_non_loopback_registry_endpoint_is_refused() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let assembly = image_assembly(dir.path(), &[(hash(3), printing("nothing"))]);
    let (deploy, _) = deployer(&moto, Some("http://registry.example.com:5000".into()));
    let e = deploy
        .publish(&assembly, &[], &[preflight()])
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("RCDK_ECR_REGISTRY_ENDPOINT"), "{e}");
    assert!(e.contains("not a loopback address"), "{e}");
}

/// A `docker save` archive (legacy layout: manifest.json, config, uncompressed layer tar).
fn docker_archive(out: &Path) {
    let mut layer = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_ustar();
    header.set_size(6);
    header.set_mode(0o644);
    header.set_mtime(0);
    layer
        .append_data(&mut header, "hello.txt", &b"hello\n"[..])
        .unwrap();
    let layer = layer.into_inner().unwrap();
    let diff_id = format!("sha256:{}", rcdk_deploy::sha256_hex(&layer));
    let config = json!({
        "architecture": "amd64", "os": "linux",
        "config": {"Entrypoint": ["/hello"], "User": "1000"},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    })
    .to_string();
    let manifest = json!([{
        "Config": "config.json",
        "RepoTags": ["hello:latest"],
        "Layers": ["abc/layer.tar"],
    }])
    .to_string();
    let mut archive = tar::Builder::new(std::fs::File::create(out).unwrap());
    for (name, bytes) in [
        ("manifest.json", manifest.as_bytes()),
        ("config.json", config.as_bytes()),
        ("abc/layer.tar", &layer[..]),
    ] {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        archive.append_data(&mut header, name, bytes).unwrap();
    }
    archive.finish().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn tarballs_are_pushed_as_they_are() {
    let registry = registry();
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let cache = BlobCache::at(dir.path().join("cache"));
    // An OCI layout tar (what `skopeo copy ... oci-archive:`, buildah or kaniko write).
    let layout = dir.path().join("layout");
    let digest = assemble_into(None, &cache, dir.path(), &layout).await;
    let oci_tar = dir.path().join("image-oci.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&oci_tar).unwrap());
    builder.append_dir_all(".", &layout).unwrap();
    builder.finish().unwrap();
    drop(builder);
    let docker_tar = dir.path().join("image-docker.tar");
    docker_archive(&docker_tar);

    let (oci_id, docker_id) = (hash(4), hash(5));
    let assembly = image_assembly(
        dir.path(),
        &[
            (oci_id.clone(), printing("image-oci.tar")),
            (
                docker_id.clone(),
                printing(&docker_tar.display().to_string()),
            ),
        ],
    );
    let (deploy, captured) = deployer(&moto, Some(registry.endpoint()));
    let report = deploy
        .publish(&assembly, &[], &[preflight()])
        .await
        .unwrap();
    assert_eq!(report.images_pushed.len(), 2, "{}", captured.text());
    let skopeo = registry.skopeo();
    let oci_uri = format!("{}/{RESOLVED_REPOSITORY}:{oci_id}", registry.host());
    assert_eq!(skopeo.digest(&oci_uri).unwrap(), digest, "pushed as it is");
    let docker_uri = format!("{}/{RESOLVED_REPOSITORY}:{docker_id}", registry.host());
    let config = skopeo.inspect_config(&docker_uri).unwrap();
    assert_eq!(config["config"]["Entrypoint"], json!(["/hello"]));
    assert_eq!(config["config"]["User"], "1000");
    let manifest = skopeo.inspect_manifest(&docker_uri).unwrap();
    assert_eq!(
        manifest["layers"][0]["mediaType"],
        "application/vnd.oci.image.layer.v1.tar"
    );

    // Something that is not an image is refused with its name.
    std::fs::write(dir.path().join("junk.tar"), b"not a tar at all").unwrap();
    let e = read_image(&dir.path().join("junk.tar"), dir.path()).unwrap_err();
    assert!(e.to_string().contains("junk.tar"), "{e}");
}

/// A stand-in container CLI: records its arguments, and `save` writes a prepared archive.
fn stand_in_cli(dir: &Path, archive: &Path) -> (PathBuf, PathBuf) {
    let log = dir.join("cli.log");
    let script = dir.join("fake-docker");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{log}'\ncase \"$1\" in\n  build) exit 0 ;;\n  save) cp '{archive}' \"$3\" ;;\n  *) exit 9 ;;\nesac\n",
            log = log.display(),
            archive = archive.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (script, log)
}

#[tokio::test(flavor = "multi_thread")]
async fn dockerfiles_go_through_the_container_cli() {
    let registry = registry();
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let id = hash(6);
    let context = dir.path().join(format!("asset.{id}"));
    std::fs::create_dir(&context).unwrap();
    std::fs::write(context.join("Dockerfile.prod"), "FROM scratch\n").unwrap();
    let archive = dir.path().join("saved.tar");
    docker_archive(&archive);
    let source = json!({
        "directory": format!("asset.{id}"),
        "dockerFile": "Dockerfile.prod",
        "dockerBuildTarget": "runtime",
        "dockerBuildArgs": {"VERSION": "1.2"},
        "platform": "linux/amd64",
    });
    let assembly = image_assembly(dir.path(), &[(id.clone(), source)]);

    // No CLI at all: the error says what to install or use instead.
    let (deploy, _) = deployer(&moto, Some(registry.endpoint()));
    let e = deploy
        .with_container_cli(dir.path().join("no-such-docker").display().to_string())
        .publish(&assembly, &[], &[preflight()])
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("was not found"), "{e}");
    assert!(e.contains("CDK_DOCKER"), "{e}");
    assert!(e.contains("ContainerImage::cargo_package"), "{e}");

    let (cli, log) = stand_in_cli(dir.path(), &archive);
    let (deploy, captured) = deployer(&moto, Some(registry.endpoint()));
    let report = deploy
        .with_container_cli(cli.display().to_string())
        .publish(&assembly, &[], &[preflight()])
        .await
        .unwrap();
    assert_eq!(report.images_pushed.len(), 1, "{}", captured.text());
    let calls = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = calls.lines().collect();
    let tag = format!("rcdk-asset:{id}");
    assert_eq!(
        lines[0],
        format!(
            "build --tag {tag} --file {ctx}/Dockerfile.prod --target runtime --build-arg VERSION=1.2 --platform linux/amd64 {ctx}",
            ctx = context.display()
        )
    );
    assert!(
        lines[1].starts_with("save --output ") && lines[1].ends_with(&tag),
        "{calls}"
    );
    let uri = format!("{}/{RESOLVED_REPOSITORY}:{id}", registry.host());
    assert_eq!(
        registry.skopeo().inspect_config(&uri).unwrap()["config"]["Entrypoint"],
        json!(["/hello"])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn large_layers_are_uploaded_in_chunks() {
    let registry = registry();
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let cache = BlobCache::at(dir.path().join("cache"));
    // 6 MB that gzip cannot shrink: over the one-request limit, so it goes in chunks.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let binary: Vec<u8> = (0..6 * 1024 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let bin = dir.path().join("big");
    std::fs::write(&bin, &binary).unwrap();
    let id = hash(8);
    let layout = format!("asset.{id}.image");
    let assembled = assemble(
        None,
        &cache,
        &bin,
        "svc",
        &settings(),
        &dir.path().join(&layout),
    )
    .unwrap();
    let image = read_image(&assembled.dir, dir.path()).unwrap();
    assert!(image.layers[0].size > rcdk_deploy::image::MONOLITHIC_LIMIT);

    let assembly = image_assembly(dir.path(), &[(id.clone(), printing(&layout))]);
    let (deploy, captured) = deployer(&moto, Some(registry.endpoint()));
    let started = std::time::Instant::now();
    let report = deploy
        .publish(&assembly, &[], &[preflight()])
        .await
        .unwrap();
    eprintln!("push of a 6 MB layer in chunks: {:?}", started.elapsed());
    assert_eq!(report.images_pushed.len(), 1, "{}", captured.text());
    let uri = format!("{}/{RESOLVED_REPOSITORY}:{id}", registry.host());
    assert_eq!(
        registry.skopeo().digest(&uri).unwrap(),
        assembled.manifest_digest
    );
    let (bytes, _) = file_in_last_layer(&registry, &uri, "app/svc");
    assert!(bytes == binary, "the binary came back changed");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_executable_printing_an_image_name_is_saved_through_the_cli() {
    let registry = registry();
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("saved.tar");
    docker_archive(&archive);
    let (cli, log) = stand_in_cli(dir.path(), &archive);
    let id = hash(10);
    // The AWS CDK's executable contract: the last line is a local image name, not a path.
    let assembly = image_assembly(dir.path(), &[(id.clone(), printing("my-service:built"))]);
    let (deploy, captured) = deployer(&moto, Some(registry.endpoint()));
    let report = deploy
        .with_container_cli(cli.display().to_string())
        .publish(&assembly, &[], &[preflight()])
        .await
        .unwrap();
    assert_eq!(report.images_pushed.len(), 1, "{}", captured.text());
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(
        calls.starts_with("save --output ") && calls.trim_end().ends_with(" my-service:built"),
        "{calls}"
    );
}
