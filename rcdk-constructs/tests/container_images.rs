//! Container images built from the app's sources (`ContainerImage::cargo_package`,
//! `from_dockerfile`, `from_tarball`) and images of a typed repository
//! (`ContainerImage::repository`): the task definition refers to the image by its content hash
//! in the container-assets repository, the execution role pulls from that repository only, the
//! asset manifest describes how the image is made (the contract with `cargo-rcdk
//! package-image`), hashes are stable and follow the sources, bad input is an error naming what
//! to change, and a stack with a repository and an image-backed service lints clean.

use std::path::{Path, PathBuf};

use rcdk_constructs::ecr::{IRepository, Repository};
use rcdk_constructs::ecs::{Container, ContainerImage, EcsCluster, EcsService};
use rcdk_constructs::error::ConstructError;
use rcdk_constructs::network::{NatPolicy, Tier, TieredVpc};
use rcdk_core::assertions::{Match, Template};
use rcdk_core::cloud_assembly::{AssetManifest, DockerImageEntry};
use rcdk_core::image::{Arch, DEFAULT_BASE_IMAGE};
use rcdk_core::{App, Assembly, Stack};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const ASSETS_REPOSITORY: &str = "cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}";

/// A one-package Cargo workspace `tiny-svc` with a binary (and `extra` when `two_bins`).
fn package(two_bins: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut manifest = String::from(
        "[package]\nname = \"tiny-svc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    );
    if two_bins {
        manifest.push_str("\n[[bin]]\nname = \"tiny-svc\"\npath = \"src/main.rs\"\n\n[[bin]]\nname = \"extra\"\npath = \"src/extra.rs\"\n");
    }
    std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    if two_bins {
        std::fs::write(dir.path().join("src/extra.rs"), "fn main() {}\n").unwrap();
    }
    dir
}

fn vpc() -> TieredVpc {
    TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("Private", 22))
        .nat(NatPolicy::Single)
        .build()
        .unwrap()
}

/// A stack "Test" with a cluster, a VPC and one service with `containers`.
fn stack_with(containers: Vec<Container>) -> Result<Stack, ConstructError> {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let mut builder = EcsService::builder("web", &cluster, &vpc);
    for c in containers {
        builder = builder.container(c);
    }
    let service = builder.build()?;
    Ok(Stack::new("Test")
        .with("Network", vpc)
        .with("Cluster", cluster)
        .with("Service", service))
}

fn synth(stack: Stack) -> Assembly {
    let mut app = App::new();
    app.add(stack);
    app.synth().unwrap_or_else(|e| panic!("{e}"))
}

fn template(assembly: &Assembly) -> Template {
    Template::from_stack(assembly, "Test").unwrap()
}

fn manifest(assembly: &Assembly) -> AssetManifest {
    assembly.stack("Test").unwrap().asset_manifest()
}

fn only_image(assembly: &Assembly) -> (String, DockerImageEntry) {
    let images = manifest(assembly).docker_images;
    assert_eq!(images.len(), 1, "{images:#?}");
    let (hash, entry) = images.into_iter().next().unwrap();
    (hash, entry)
}

fn container_definition(t: &Template) -> Value {
    let found = t.find_resources("AWS::ECS::TaskDefinition", Match::any_value());
    assert_eq!(found.len(), 1);
    found[0].1["Properties"]["ContainerDefinitions"][0].clone()
}

fn execution_statements(t: &Template) -> Vec<Value> {
    t.find_resources("AWS::IAM::Policy", Match::any_value())
        .into_iter()
        .filter(|(id, _)| id.contains("Execution"))
        .flat_map(|(_, p)| {
            p["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

fn image_uri(hash: &str) -> Value {
    json!({"Fn::Sub": format!(
        "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{ASSETS_REPOSITORY}:{hash}"
    )})
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn cargo_package_image_is_referenced_by_hash_and_pulled_from_the_assets_repository() {
    let ws = package(false);
    let image = ContainerImage::cargo_package_in(ws.path(), "tiny-svc")
        .unwrap()
        .env("RUST_LOG", "info")
        .label("team", "users");
    let web = Container::new("web", image).unwrap().port(8080);
    let assembly = synth(stack_with(vec![web]).unwrap());
    let (hash, entry) = only_image(&assembly);
    assert_eq!(hash.len(), 64);

    // The manifest entry: the command `cargo-rcdk package-image` runs at publish time, the
    // container's port exposed since the image declares none.
    let manifest_path = ws.path().join("Cargo.toml").canonicalize().unwrap();
    assert_eq!(
        entry.source.executable.as_deref().unwrap(),
        strings(&[
            "cargo-rcdk",
            "package-image",
            "--manifest-path",
            manifest_path.to_str().unwrap(),
            "--package",
            "tiny-svc",
            "--base",
            DEFAULT_BASE_IMAGE,
            "--arch",
            "x86_64",
            "--port",
            "8080",
            "--env",
            "RUST_LOG=info",
            "--label",
            "team=users",
            "--user",
            "65532:65532",
            "--hash",
            &hash,
        ])
    );
    assert!(entry.source.directory.is_none());
    let destination = &entry.destinations["current_account-current_region"];
    assert_eq!(destination.repository_name, ASSETS_REPOSITORY);
    assert_eq!(destination.image_tag, hash);
    assert_eq!(entry.display_name.as_deref(), Some("tiny-svc (x86_64)"));

    let t = template(&assembly);
    assert_eq!(container_definition(&t)["Image"], image_uri(&hash));
    let statements = execution_statements(&t);
    let repository_arn = json!({"Fn::Sub": format!(
        "arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{ASSETS_REPOSITORY}"
    )});
    let pull = statements
        .iter()
        .find(|s| s["Resource"] == repository_arn)
        .unwrap_or_else(|| panic!("no pull statement on the assets repository: {statements:#?}"));
    assert_eq!(
        pull["Action"],
        json!([
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer"
        ])
    );
    assert!(statements
        .iter()
        .any(|s| s["Action"] == "ecr:GetAuthorizationToken" && s["Resource"] == "*"));
    // The runtime platform follows the image.
    t.assert_has_resource_properties(
        "AWS::ECS::TaskDefinition",
        json!({"RuntimePlatform": {"CpuArchitecture": "X86_64"}}),
    );
}

#[test]
fn cargo_package_settings_reach_the_command_and_arm64_sets_the_task_platform() {
    let ws = package(true);
    let base = format!("127.0.0.1:5000/base@sha256:{}", "ab".repeat(32));
    let image = ContainerImage::cargo_package_in(ws.path(), "tiny-svc")
        .unwrap()
        .bin("extra")
        .base(base.clone())
        .port(9000)
        .port(9001)
        .user("1000:1000")
        .arch(Arch::Arm64);
    let web = Container::new("web", image).unwrap().port(9000);
    let assembly = synth(stack_with(vec![web]).unwrap());
    let (hash, entry) = only_image(&assembly);
    let command = entry.source.executable.unwrap();
    let after = |flag: &str| -> Vec<String> {
        command
            .windows(2)
            .filter(|w| w[0] == flag)
            .map(|w| w[1].clone())
            .collect()
    };
    assert_eq!(after("--bin"), ["extra"]);
    assert_eq!(after("--base"), [base]);
    assert_eq!(after("--arch"), ["arm64"]);
    assert_eq!(after("--port"), ["9000", "9001"]);
    assert_eq!(after("--user"), ["1000:1000"]);
    assert_eq!(after("--hash"), [hash]);
    template(&assembly).assert_has_resource_properties(
        "AWS::ECS::TaskDefinition",
        json!({"RuntimePlatform": {"CpuArchitecture": "ARM64"}}),
    );
}

#[test]
fn scratch_images_have_no_base() {
    let ws = package(false);
    let image = ContainerImage::cargo_package_in(ws.path(), "tiny-svc")
        .unwrap()
        .scratch();
    let assembly = synth(stack_with(vec![Container::new("web", image).unwrap()]).unwrap());
    let command = only_image(&assembly).1.source.executable.unwrap();
    let i = command.iter().position(|a| a == "--base").unwrap();
    assert_eq!(command[i + 1], "scratch");
    // No port anywhere: none exposed.
    assert!(!command.contains(&"--port".to_string()));
}

fn cargo_hash(
    dir: &Path,
    edit: impl FnOnce(rcdk_core::image::CargoImage) -> rcdk_core::image::CargoImage,
) -> String {
    let image = ContainerImage::cargo_package_in(dir, "tiny-svc").unwrap();
    edit(image).hash().unwrap()
}

#[test]
fn cargo_hashes_are_stable_and_follow_sources_and_settings() {
    let ws = package(false);
    let first = cargo_hash(ws.path(), |i| i);
    assert_eq!(
        first,
        cargo_hash(ws.path(), |i| i),
        "same inputs, same hash"
    );
    // A build output is not a source.
    std::fs::create_dir_all(ws.path().join("target/release")).unwrap();
    std::fs::write(ws.path().join("target/release/tiny-svc"), "binary").unwrap();
    assert_eq!(first, cargo_hash(ws.path(), |i| i));

    std::fs::write(
        ws.path().join("src/main.rs"),
        "fn main() { println!(\"hi\"); }\n",
    )
    .unwrap();
    let edited = cargo_hash(ws.path(), |i| i);
    assert_ne!(first, edited, "an edited source is a new image");
    for (what, changed) in [
        ("port", cargo_hash(ws.path(), |i| i.port(80))),
        ("env", cargo_hash(ws.path(), |i| i.env("A", "1"))),
        ("label", cargo_hash(ws.path(), |i| i.label("a", "1"))),
        ("user", cargo_hash(ws.path(), |i| i.user("1000"))),
        ("arch", cargo_hash(ws.path(), |i| i.arch(Arch::Arm64))),
        ("base", cargo_hash(ws.path(), |i| i.scratch())),
    ] {
        assert_ne!(edited, changed, "{what} is part of the hash");
    }
    std::fs::write(ws.path().join("Cargo.lock"), "# changed lock\n").unwrap();
    assert_ne!(
        edited,
        cargo_hash(ws.path(), |i| i),
        "Cargo.lock is an input"
    );
}

#[test]
fn cargo_package_errors_name_what_to_change() {
    let ws = package(false);
    let unknown = ContainerImage::cargo_package_in(ws.path(), "nope").unwrap_err();
    assert!(
        matches!(unknown, ConstructError::InvalidImage { .. })
            && unknown.to_string().contains("no package `nope`")
            && unknown.to_string().contains("tiny-svc"),
        "{unknown}"
    );

    let lib = tempfile::tempdir().unwrap();
    std::fs::write(
        lib.path().join("Cargo.toml"),
        "[package]\nname = \"just-lib\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::create_dir_all(lib.path().join("src")).unwrap();
    std::fs::write(lib.path().join("src/lib.rs"), "").unwrap();
    let no_bin = ContainerImage::cargo_package_in(lib.path(), "just-lib").unwrap_err();
    assert!(no_bin.to_string().contains("no binary target"), "{no_bin}");

    // Problems of the settings fail synthesis at the container's image, with its path.
    let image = ContainerImage::cargo_package_in(ws.path(), "tiny-svc")
        .unwrap()
        .base("nginx:1.27")
        .user("nobody");
    let stack = stack_with(vec![Container::new("web", image).unwrap()]).unwrap();
    let mut app = App::new();
    app.add(stack);
    let errors = app.synth().unwrap_err().to_string();
    assert!(errors.contains("Test/Service/webImage"), "{errors}");
    assert!(
        errors.contains("`nginx:1.27` is not named by a digest") && errors.contains("@sha256:"),
        "{errors}"
    );
    assert!(errors.contains("user `nobody`"), "{errors}");

    let ws2 = package(true);
    let image = ContainerImage::cargo_package_in(ws2.path(), "tiny-svc").unwrap();
    let mut app = App::new();
    app.add(stack_with(vec![Container::new("web", image).unwrap()]).unwrap());
    let errors = app.synth().unwrap_err().to_string();
    assert!(errors.contains("choose one with .bin(NAME)"), "{errors}");

    // Two instruction sets in one task.
    let a = ContainerImage::cargo_package_in(ws.path(), "tiny-svc").unwrap();
    let b = a.clone().arch(Arch::Arm64);
    let mixed = stack_with(vec![
        Container::new("a", a).unwrap(),
        Container::new("b", b).unwrap(),
    ])
    .err()
    .expect("mixed architectures are refused");
    assert!(mixed.to_string().contains("one instruction set"), "{mixed}");
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn tarball_images_are_staged_and_checked_by_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let tar = dir.path().join("app.tar");
    std::fs::write(&tar, b"not really a tar, the command checks it").unwrap();
    let image = ContainerImage::from_tarball(&tar).unwrap();
    let assembly = synth(stack_with(vec![Container::new("web", image).unwrap().port(80)]).unwrap());
    let (hash, entry) = only_image(&assembly);
    assert_eq!(hash, sha256_hex(&std::fs::read(&tar).unwrap()));
    let staged = format!("asset.{hash}.tar");
    assert_eq!(
        entry.source.executable.unwrap(),
        strings(&[
            "cargo-rcdk",
            "package-image",
            "--tarball",
            &staged,
            "--hash",
            &hash
        ])
    );
    assert_eq!(
        container_definition(&template(&assembly))["Image"],
        image_uri(&hash)
    );

    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("cdk.out");
    assembly.write(&out).unwrap();
    assert_eq!(
        std::fs::read(out.join(&staged)).unwrap(),
        std::fs::read(&tar).unwrap()
    );
    let written: AssetManifest =
        serde_json::from_str(&std::fs::read_to_string(out.join("Test.assets.json")).unwrap())
            .unwrap();
    assert!(written.docker_images.contains_key(&hash));

    let missing = ContainerImage::from_tarball(dir.path().join("nope.tar")).unwrap_err();
    assert!(missing.to_string().contains("nope.tar"), "{missing}");
}

fn context() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("worker");
    std::fs::create_dir_all(ctx.join("src")).unwrap();
    std::fs::write(ctx.join("Dockerfile.prod"), "FROM scratch\nCOPY src /src\n").unwrap();
    std::fs::write(ctx.join("src/app.txt"), "hello\n").unwrap();
    std::fs::write(ctx.join("debug.log"), "noise\n").unwrap();
    (dir, ctx)
}

#[test]
fn dockerfile_images_stage_their_context_with_the_build_settings() {
    let (_keep, ctx) = context();
    let image = ContainerImage::from_dockerfile(&ctx)
        .unwrap()
        .file("Dockerfile.prod")
        .target("runtime")
        .build_arg("PROFILE", "release")
        .platform("linux/arm64")
        .exclude(["*.log"]);
    let assembly =
        synth(stack_with(vec![Container::new("worker", image.clone()).unwrap()]).unwrap());
    let (hash, entry) = only_image(&assembly);
    let staged = format!("asset.{hash}");
    assert_eq!(entry.source.directory.as_deref(), Some(staged.as_str()));
    assert_eq!(entry.source.docker_file.as_deref(), Some("Dockerfile.prod"));
    assert_eq!(entry.source.docker_build_target.as_deref(), Some("runtime"));
    assert_eq!(entry.source.docker_build_args["PROFILE"], "release");
    assert_eq!(entry.source.platform.as_deref(), Some("linux/arm64"));
    assert!(entry.source.executable.is_none());

    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("cdk.out");
    assembly.write(&out).unwrap();
    assert!(out.join(&staged).join("Dockerfile.prod").is_file());
    assert!(out.join(&staged).join("src/app.txt").is_file());
    assert!(!out.join(&staged).join("debug.log").exists(), "excluded");

    // The hash follows the context and the settings, not excluded files.
    let h = |i: rcdk_core::image::DockerfileImage| i.hash().unwrap();
    assert_eq!(h(image.clone()), hash);
    std::fs::write(ctx.join("debug.log"), "other noise\n").unwrap();
    assert_eq!(h(image.clone()), hash);
    assert_ne!(h(image.clone().build_arg("PROFILE", "dev")), hash);
    assert_ne!(h(image.clone().target("test")), hash);
    std::fs::write(ctx.join("src/app.txt"), "changed\n").unwrap();
    assert_ne!(h(image), hash);
}

#[test]
fn dockerfile_errors_name_the_path_and_the_fix() {
    let (_keep, ctx) = context();
    let missing_dir = ContainerImage::from_dockerfile(ctx.join("nope")).unwrap_err();
    assert!(missing_dir.to_string().contains("nope"), "{missing_dir}");
    // The default `Dockerfile` is not there; the platform is malformed.
    let image = ContainerImage::from_dockerfile(&ctx)
        .unwrap()
        .platform("amd64");
    let mut app = App::new();
    app.add(stack_with(vec![Container::new("worker", image).unwrap()]).unwrap());
    let errors = app.synth().unwrap_err().to_string();
    assert!(errors.contains("Test/Service/workerImage"), "{errors}");
    assert!(errors.contains("no Dockerfile `Dockerfile`"), "{errors}");
    assert!(errors.contains("platform `amd64`"), "{errors}");
}

#[test]
fn repository_images_are_typed_and_pulled_from_that_repository_only() {
    let repo = Repository::new();
    let image = ContainerImage::repository(&repo, "v1.2.3").unwrap();
    let stack = stack_with(vec![Container::new("web", image).unwrap().port(80)])
        .unwrap()
        .with("Images", repo);
    let assembly = synth(stack);
    assert!(manifest(&assembly).docker_images.is_empty());
    let t = template(&assembly);
    let repo_id = t
        .find_resources("AWS::ECR::Repository", Match::any_value())
        .remove(0)
        .0;
    assert_eq!(
        container_definition(&t)["Image"],
        json!({"Fn::Join": ["", [{"Fn::GetAtt": [repo_id, "RepositoryUri"]}, ":v1.2.3"]]})
    );
    let statements = execution_statements(&t);
    assert!(
        statements
            .iter()
            .any(|s| s["Resource"] == json!({"Fn::GetAtt": [repo_id, "Arn"]})),
        "{statements:#?}"
    );

    let digest = format!("sha256:{}", "0".repeat(64));
    let imported = Repository::from_name("shared/base").unwrap();
    assert!(ContainerImage::repository(&imported, &digest).is_ok());
    assert!(imported.repository_uri().value().as_str().is_none());
    for bad in ["", ".hidden", "has space", "sha256:abc", &"x".repeat(129)] {
        let e = ContainerImage::repository(&imported, bad).unwrap_err();
        assert!(
            matches!(e, ConstructError::InvalidImage { .. }),
            "{bad}: {e}"
        );
    }
}

#[test]
fn the_same_image_in_two_services_is_one_manifest_entry() {
    let ws = package(false);
    let image = ContainerImage::cargo_package_in(ws.path(), "tiny-svc")
        .unwrap()
        .port(80);
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let a = EcsService::builder("a", &cluster, &vpc)
        .container(Container::new("web", image.clone()).unwrap())
        .build()
        .unwrap();
    let b = EcsService::builder("b", &cluster, &vpc)
        .container(Container::new("web", image).unwrap())
        .build()
        .unwrap();
    let assembly = synth(
        Stack::new("Test")
            .with("Network", vpc)
            .with("Cluster", cluster)
            .with("A", a)
            .with("B", b),
    );
    assert_eq!(manifest(&assembly).docker_images.len(), 1);
}

#[test]
fn repository_and_image_backed_service_lint_clean() {
    let ws = package(false);
    let repo = Repository::new();
    let mut service_image = ContainerImage::cargo_package_in(ws.path(), "tiny-svc").unwrap();
    service_image = service_image.port(8080);
    let stack = stack_with(vec![
        Container::new("web", service_image).unwrap(),
        Container::new(
            "sidecar",
            ContainerImage::repository(&repo, "1.0.0").unwrap(),
        )
        .unwrap()
        .not_essential(),
    ])
    .unwrap()
    .with("Images", repo);
    let assembly = synth(stack);
    let dir = tempfile::tempdir().unwrap();
    assembly.write(dir.path()).unwrap();
    let templates = vec![dir.path().join("Test.template.json")];
    if let Err(e) = rcdk_testkit::lint::cfn_lint(&templates) {
        panic!("{e}");
    }
    if let Err(e) = rcdk_testkit::lint::checkov(&templates) {
        panic!("{e}");
    }
}

#[test]
fn lambda_functions_from_images_have_an_image_uri_and_no_runtime_or_handler() {
    use rcdk_constructs::lambda::{Code, Function, Runtime};
    let ws = package(false);
    let image = ContainerImage::cargo_package_in(ws.path(), "tiny-svc").unwrap();
    let function = Function::builder(Code::from_image(image.clone()))
        .arm64()
        .build()
        .unwrap();
    let hash = function.image_asset().unwrap().hash().to_string();
    let assembly = synth(Stack::new("Test").with("Fn", function));
    let t = template(&assembly);
    let found = t.find_resources("AWS::Lambda::Function", Match::any_value());
    let props = &found[0].1["Properties"];
    assert_eq!(props["PackageType"], "Image");
    assert_eq!(props["Code"], json!({"ImageUri": image_uri(&hash)}));
    assert!(props.get("Runtime").is_none() && props.get("Handler").is_none());
    assert_eq!(props["Architectures"], json!(["arm64"]));
    let (_, entry) = only_image(&assembly);
    let command = entry.source.executable.unwrap();
    let i = command.iter().position(|a| a == "--base").unwrap();
    assert_eq!(command[i + 1], rcdk_core::image::LAMBDA_BASE_IMAGE);
    let i = command.iter().position(|a| a == "--arch").unwrap();
    assert_eq!(command[i + 1], "arm64");

    let refused = Function::builder(Code::from_image(image))
        .runtime(Runtime::ProvidedAl2023)
        .build()
        .expect_err("an image function has no runtime");
    assert!(
        refused.to_string().contains("no runtime or handler"),
        "{refused}"
    );
    let dir = tempfile::tempdir().unwrap();
    assembly.write(dir.path()).unwrap();
    let templates = vec![dir.path().join("Test.template.json")];
    if let Err(e) = rcdk_testkit::lint::cfn_lint(&templates) {
        panic!("{e}");
    }
}

#[test]
fn the_task_definition_states_the_user_a_cargo_package_image_runs_as() {
    let ws = package(false);
    let default = ContainerImage::cargo_package_in(ws.path(), "tiny-svc").unwrap();
    let own = ContainerImage::cargo_package_in(ws.path(), "tiny-svc")
        .unwrap()
        .user("1000:1000");
    let containers = vec![
        Container::new("web", default).unwrap().port(8080),
        Container::new("other", own).unwrap(),
    ];
    let t = template(&synth(stack_with(containers).unwrap()))
        .to_json()
        .clone();
    let (_, td) = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, r)| r["Type"] == "AWS::ECS::TaskDefinition")
        .unwrap();
    let defs = &td["Properties"]["ContainerDefinitions"];
    assert_eq!(defs[0]["User"], rcdk_core::image::DEFAULT_USER);
    assert_eq!(defs[1]["User"], "1000:1000");
    // Both users are known: nothing for Guard's non-root rule to suppress.
    assert!(td.get("Metadata").is_none(), "{td}");
}
