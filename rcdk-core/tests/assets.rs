//! File assets: content hash, staging into the output directory, the asset manifest and the
//! stack artifact that name them.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use rcdk_core::asset::{AssetError, FileAsset};
use rcdk_core::cloud_assembly::{CloudAssembly, Environment, Packaging};
use rcdk_core::{App, RawResource, Stack};
use serde_json::json;

fn queue() -> RawResource {
    RawResource::new("AWS::SQS::Queue")
}

fn tree(root: &Path) {
    fs::create_dir_all(root.join("lib/deep")).unwrap();
    fs::write(root.join("index.py"), "print('hello')\n").unwrap();
    fs::write(root.join("lib/util.py"), "X = 1\n").unwrap();
    fs::write(root.join("lib/deep/data.bin"), [0u8, 1, 2, 255]).unwrap();
}

fn hash(root: &Path) -> String {
    FileAsset::from_path(root).unwrap().hash().to_string()
}

#[test]
fn the_hash_depends_on_paths_bytes_and_the_executable_bit_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("src");
    tree(&root);
    let first = hash(&root);
    assert_eq!(first.len(), 64);
    assert_eq!(hash(&root), first, "same input, same hash");

    // Another copy of the same files elsewhere, written later: the same hash.
    let copy = dir.path().join("copy");
    tree(&copy);
    assert_eq!(hash(&copy), first);

    // A touched modification time does not count.
    let f = fs::File::options()
        .write(true)
        .open(root.join("lib/util.py"))
        .unwrap();
    f.set_modified(std::time::SystemTime::UNIX_EPOCH).unwrap();
    drop(f);
    assert_eq!(hash(&root), first, "mtime changed the hash");

    // Nor does a permission bit other than execute.
    fs::set_permissions(root.join("index.py"), fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(hash(&root), first);

    // An executable bit does.
    fs::set_permissions(root.join("index.py"), fs::Permissions::from_mode(0o755)).unwrap();
    let executable = hash(&root);
    assert_ne!(executable, first);
    fs::set_permissions(root.join("index.py"), fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(hash(&root), first);

    // One changed byte does.
    fs::write(root.join("lib/deep/data.bin"), [0u8, 1, 2, 254]).unwrap();
    assert_ne!(hash(&root), first);
    fs::write(root.join("lib/deep/data.bin"), [0u8, 1, 2, 255]).unwrap();
    assert_eq!(hash(&root), first);

    // A renamed file does.
    fs::rename(root.join("lib/util.py"), root.join("lib/util2.py")).unwrap();
    assert_ne!(hash(&root), first);
    fs::rename(root.join("lib/util2.py"), root.join("lib/util.py")).unwrap();

    // An empty directory does not (it would not be in the zip).
    fs::create_dir(root.join("empty")).unwrap();
    assert_eq!(hash(&root), first);
}

#[test]
fn excluded_files_are_neither_hashed_nor_staged() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("src");
    tree(&root);
    let plain = hash(&root);
    fs::create_dir_all(root.join("__pycache__")).unwrap();
    fs::write(root.join("__pycache__/x.pyc"), "junk").unwrap();
    fs::write(root.join("lib/notes.md"), "notes").unwrap();
    assert_ne!(hash(&root), plain);
    let asset = FileAsset::from_path(&root)
        .unwrap()
        .exclude(["__pycache__", "**/*.md"])
        .unwrap();
    assert_eq!(asset.hash(), plain);
    assert_eq!(
        FileAsset::from_path_excluding(&root, ["__pycache__", "*.md"])
            .unwrap()
            .hash(),
        plain
    );

    let out = dir.path().join("cdk.out");
    let hash = asset.hash().to_string();
    App::new()
        .with(Stack::new("S").with("Code", asset).with("Q", queue()))
        .synth()
        .unwrap()
        .write(&out)
        .unwrap();
    let staged = out.join(format!("asset.{hash}"));
    assert!(staged.join("index.py").is_file());
    assert!(staged.join("lib/deep/data.bin").is_file());
    assert!(!staged.join("__pycache__").exists());
    assert!(!staged.join("lib/notes.md").exists());
}

#[test]
fn a_missing_path_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir");
    let e = FileAsset::from_path(&missing).unwrap_err();
    assert!(matches!(e, AssetError::Missing { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("asset path {} does not exist", missing.display())
    );
}

#[test]
fn a_single_file_keeps_its_extension_and_is_not_zipped() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.json");
    fs::write(&file, "{}").unwrap();
    let asset = FileAsset::from_path(&file).unwrap();
    let hash = asset.hash().to_string();
    assert_eq!(asset.object_key(), format!("{hash}.json"));
    // The name does not count, only content and mode.
    let other = dir.path().join("other.json");
    fs::write(&other, "{}").unwrap();
    assert_eq!(FileAsset::from_path(&other).unwrap().hash(), hash);

    let out = dir.path().join("cdk.out");
    App::new()
        .with(Stack::new("S").with("Config", asset).with("Q", queue()))
        .synth()
        .unwrap()
        .write(&out)
        .unwrap();
    assert_eq!(
        fs::read_to_string(out.join(format!("asset.{hash}.json"))).unwrap(),
        "{}"
    );
    let assembly = CloudAssembly::load(&out).unwrap();
    let (_, manifest) = assembly.asset_manifest("S").unwrap().unwrap();
    let entry = &manifest.files[&hash];
    assert_eq!(entry.source.packaging, Some(Packaging::File));
    assert_eq!(
        entry.source.path.as_deref(),
        Some(format!("asset.{hash}.json").as_str())
    );
}

#[test]
fn staging_reuses_the_copy_of_the_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("src");
    tree(&root);
    let out = dir.path().join("cdk.out");
    let synth = |root: &Path| {
        let asset = FileAsset::from_path(root).unwrap();
        let hash = asset.hash().to_string();
        App::new()
            .with(Stack::new("S").with("Code", asset).with("Q", queue()))
            .synth()
            .unwrap()
            .write(&out)
            .unwrap();
        hash
    };
    let hash = synth(&root);
    let staged = out.join(format!("asset.{hash}/lib/util.py"));
    let inode = fs::metadata(&staged).unwrap().ino();
    // The source changes in a way the hash ignores: the staged copy is the previous one, linked
    // into the new output rather than copied again.
    fs::File::options()
        .write(true)
        .open(root.join("lib/util.py"))
        .unwrap()
        .set_modified(std::time::SystemTime::UNIX_EPOCH)
        .unwrap();
    assert_eq!(synth(&root), hash);
    assert_eq!(fs::metadata(&staged).unwrap().ino(), inode, "copied again");

    // A changed source is staged anew and the old copy goes away with the old output.
    fs::write(root.join("lib/util.py"), "X = 2\n").unwrap();
    let changed = synth(&root);
    assert_ne!(changed, hash);
    assert!(!out.join(format!("asset.{hash}")).exists());
    assert_eq!(
        fs::read_to_string(out.join(format!("asset.{changed}/lib/util.py"))).unwrap(),
        "X = 2\n"
    );
}

#[test]
fn the_asset_manifest_lists_the_template_and_the_assets() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("src");
    tree(&root);
    let asset = FileAsset::from_path(&root).unwrap();
    let hash = asset.hash().to_string();
    let user = RawResource::new("Custom::Uses")
        .prop("Bucket", asset.bucket_name())
        .prop("Key", asset.object_key())
        .prop("Url", asset.s3_url());
    let out = dir.path().join("cdk.out");
    let assembly = App::new()
        .with(
            Stack::new("S")
                .env("123456789012", "eu-west-1")
                .qualifier("team2")
                .with("Code", asset)
                .with("User", user),
        )
        .synth()
        .unwrap();
    let template = assembly.stacks[0].template_json();
    let bucket = json!({"Fn::Sub": "cdk-team2-assets-${AWS::AccountId}-${AWS::Region}"});
    let props = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "Custom::Uses")
        .unwrap()["Properties"]
        .clone();
    assert_eq!(props["Bucket"], bucket);
    assert_eq!(props["Key"], format!("{hash}.zip"));
    assert_eq!(
        props["Url"],
        json!({"Fn::Join": ["", ["s3://", bucket, format!("/{hash}.zip")]]})
    );
    // No template entry for the asset itself.
    assert_eq!(template["Resources"].as_object().unwrap().len(), 1);
    assembly.write(&out).unwrap();

    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["version"],
        rcdk_core::cloud_assembly::MANIFEST_VERSION
    );
    let template_hash = assembly.stacks[0].template_hash();
    let stack = &manifest["artifacts"]["S"];
    assert_eq!(stack["type"], "aws:cloudformation:stack");
    assert_eq!(stack["environment"], "aws://123456789012/eu-west-1");
    assert_eq!(stack["dependencies"], json!(["S.assets"]));
    assert_eq!(
        stack["properties"]["stackTemplateAssetObjectUrl"],
        format!("s3://cdk-team2-assets-${{AWS::AccountId}}-${{AWS::Region}}/{template_hash}.json")
    );
    assert_eq!(stack["properties"]["requiresBootstrapStackVersion"], 6);
    assert_eq!(
        stack["properties"]["bootstrapStackVersionSsmParameter"],
        "/cdk-bootstrap/team2/version"
    );
    assert_eq!(
        manifest["artifacts"]["S.assets"]["type"],
        "cdk:asset-manifest"
    );
    assert_eq!(
        manifest["artifacts"]["S.assets"]["properties"]["file"],
        "S.assets.json"
    );
    assert_eq!(manifest["artifacts"]["Tree"]["type"], "cdk:tree");

    let assets: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("S.assets.json")).unwrap()).unwrap();
    let destination = |key: String| {
        json!({"current_account-current_region": {
            "bucketName": "cdk-team2-assets-${AWS::AccountId}-${AWS::Region}",
            "objectKey": key
        }})
    };
    assert_eq!(
        assets["files"][&template_hash],
        json!({
            "displayName": "S Template",
            "source": {"path": "S.template.json", "packaging": "file"},
            "destinations": destination(format!("{template_hash}.json"))
        })
    );
    assert_eq!(
        assets["files"][&hash],
        json!({
            "displayName": "S/Code",
            "source": {"path": format!("asset.{hash}"), "packaging": "zip"},
            "destinations": destination(format!("{hash}.zip"))
        })
    );

    let tree: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("tree.json")).unwrap()).unwrap();
    assert_eq!(tree["version"], "tree-0.1");
    assert_eq!(tree["tree"]["id"], "App");
    assert_eq!(
        tree["tree"]["children"]["S"]["children"]["Code"]["path"],
        "S/Code"
    );
    assert_eq!(
        tree["tree"]["children"]["S"]["children"]["Code"]["constructInfo"]["fqn"],
        "FileAsset"
    );

    let read = CloudAssembly::load(&out).unwrap();
    assert_eq!(
        read.stacks()[0].environment,
        Environment::parse("aws://123456789012/eu-west-1").unwrap()
    );
}

#[test]
fn command_assets_name_their_command() {
    let asset = FileAsset::from_command(
        "S/Function/Code",
        "abc123",
        vec!["cargo-rcdk".into(), "package-lambda".into()],
    )
    .unwrap();
    assert_eq!(asset.object_key(), "abc123.zip");
    let assembly = App::new()
        .with(Stack::new("S").with("Code", asset).with("Q", queue()))
        .synth()
        .unwrap();
    let manifest = serde_json::to_value(assembly.stacks[0].asset_manifest()).unwrap();
    assert_eq!(
        manifest["files"]["abc123"]["source"],
        json!({"executable": ["cargo-rcdk", "package-lambda"]})
    );
    assert_eq!(
        manifest["files"]["abc123"]["displayName"],
        "S/Function/Code"
    );
    assert!(FileAsset::from_command("x", "a/b", vec!["c".into()]).is_err());
    assert!(FileAsset::from_command("x", "ab", vec![]).is_err());
}

#[test]
fn stack_settings_are_checked_at_synthesis() {
    let e = App::new()
        .with(Stack::new("Bad").qualifier("Has-Dash"))
        .synth()
        .unwrap_err();
    assert!(
        e.mentions("Bad: qualifier \"Has-Dash\" must be 1-10 lower-case letters or digits"),
        "{e}"
    );
    let e = App::new()
        .with(Stack::new("Env").env("12345", "eu west"))
        .synth()
        .unwrap_err();
    assert!(
        e.mentions("Env: account \"12345\" is not a 12-digit AWS account id"),
        "{e}"
    );
    assert!(
        e.mentions("Env: region \"eu west\" is not an AWS region name"),
        "{e}"
    );
    // Environment-agnostic by default.
    let a = App::new()
        .with(Stack::new("S").with("Q", RawResource::new("AWS::SQS::Queue")))
        .synth()
        .unwrap();
    let m = serde_json::to_value(a.manifest()).unwrap();
    assert_eq!(
        m["artifacts"]["S"]["environment"],
        "aws://unknown-account/unknown-region"
    );
    assert_eq!(
        m["artifacts"]["S"]["properties"]["bootstrapStackVersionSsmParameter"],
        "/cdk-bootstrap/hnb659fds/version"
    );
}
