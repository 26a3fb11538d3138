//! An asset manifest with the three kinds of container-image assets (a Cargo package built by
//! `cargo-rcdk package-image`, an image archive, a Dockerfile directory) validates against the
//! pinned AWS CDK `assets.schema.json`, made strict (no property the schema does not name), and
//! is read back by the loader.

use std::path::Path;

use rcdk_core::cloud_assembly::CloudAssembly;
use rcdk_core::image::{CargoImage, DockerfileImage, ImageAsset};
use rcdk_core::{App, RawResource, Stack};
use rcdk_testkit::nodetools;
use serde_json::Value;

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

fn write_package(dir: &Path) {
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"svc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/main.rs"), "fn main() {}\n").unwrap();
}

#[test]
fn image_asset_manifest_validates_against_the_schema() {
    let work = tempfile::tempdir().unwrap();
    let package = work.path().join("svc");
    std::fs::create_dir_all(&package).unwrap();
    write_package(&package);
    let tar = work.path().join("app.tar");
    std::fs::write(&tar, b"archive").unwrap();
    let context = work.path().join("ctx");
    std::fs::create_dir_all(&context).unwrap();
    std::fs::write(context.join("Dockerfile"), "FROM scratch\n").unwrap();

    let cargo = CargoImage::find_in(&package, "svc")
        .unwrap()
        .port(8080)
        .env("A", "1")
        .label("l", "v")
        .asset()
        .unwrap();
    let tarball = ImageAsset::from_tarball(&tar).unwrap();
    let docker = DockerfileImage::new(&context)
        .unwrap()
        .build_arg("X", "1")
        .target("run")
        .platform("linux/amd64")
        .asset()
        .unwrap();
    let uses = |id: &str, image: &ImageAsset| {
        RawResource::new("AWS::SSM::Parameter")
            .prop("Type", "String")
            .prop("Value", image.image_uri())
            .prop("Description", format!("image {id}"))
    };
    let stack = Stack::new("Images")
        .with("P1", uses("cargo", &cargo))
        .with("P2", uses("tarball", &tarball))
        .with("P3", uses("docker", &docker))
        .with("Cargo", cargo)
        .with("Tarball", tarball)
        .with("Docker", docker);
    let mut app = App::new();
    app.add(stack);
    let assembly = app.synth().unwrap_or_else(|e| panic!("{e}"));
    let out = work.path().join("cdk.out");
    assembly.write(&out).unwrap();

    let file = out.join("Images.assets.json");
    let instance: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(instance["dockerImages"].as_object().unwrap().len(), 3);
    let schema = strict_schema("assets.schema.json");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    let loaded = CloudAssembly::load(&out).unwrap();
    let (_, manifest) = loaded.asset_manifest("Images").unwrap().unwrap();
    assert_eq!(manifest.docker_images.len(), 3);
}
