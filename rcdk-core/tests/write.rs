//! Atomic writing of the output directory.

use std::fs;
use std::path::Path;

use rcdk_core::cloud_assembly::CloudAssembly;
use rcdk_core::{App, RawResource, Stack};

fn app() -> App {
    App::new()
        .with(Stack::new("A").with("Q", RawResource::new("AWS::SQS::Queue")))
        .with(Stack::new("B").with("Q", RawResource::new("AWS::SNS::Topic")))
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn existing_output_is_fully_replaced() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("cdk.out");
    fs::create_dir_all(out.join("sub")).unwrap();
    fs::write(out.join("Stale.template.json"), "old").unwrap();
    fs::write(out.join("manifest.json"), "old").unwrap();
    fs::write(out.join("sub/x"), "old").unwrap();
    app().synth().unwrap().write(&out).unwrap();
    assert_eq!(
        names(&out),
        [
            "A.assets.json",
            "A.template.json",
            "B.assets.json",
            "B.template.json",
            "manifest.json",
            "tree.json"
        ]
    );
    // No temporary or backup directory is left beside it.
    assert_eq!(names(root.path()), ["cdk.out"]);
    let assembly = CloudAssembly::load(&out).unwrap();
    let ids: Vec<&str> = assembly.stacks().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["A", "B"]);
    let template = fs::read_to_string(out.join(&assembly.stacks()[0].template_file)).unwrap();
    assert!(template.contains("\"AWS::SQS::Queue\""));
    let (_, assets) = assembly.asset_manifest("A").unwrap().unwrap();
    assert_eq!(assets.files.len(), 1, "the template is the only asset");
}

#[test]
fn missing_parents_are_created() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("a/b/out");
    app().synth().unwrap().write(&out).unwrap();
    assert_eq!(names(&out).len(), 6);
    assert_eq!(names(&root.path().join("a/b")), ["out"]);
}

#[test]
fn write_failure_leaves_no_temporary_directory() {
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("not-a-dir");
    fs::write(&file, "x").unwrap();
    let out = file.join("cdk.out");
    let e = app().synth().unwrap().write(&out).unwrap_err();
    assert!(
        e.message
            .starts_with("cannot create the temporary directory: "),
        "{e}"
    );
    assert_eq!(
        e.hint.as_deref(),
        Some("check that the output directory's parent exists and is writable")
    );
    assert_eq!(names(root.path()), ["not-a-dir"]);
}

#[test]
fn failure_while_swapping_keeps_the_old_output_and_cleans_up() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("cdk.out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("keep.json"), "old").unwrap();
    // A file where the writer moves the previous output aside makes the swap fail after the
    // new output was completely written.
    let blocker = root
        .path()
        .join(format!(".cdk.out.old-{}", std::process::id()));
    fs::write(&blocker, "in the way").unwrap();
    let e = app().synth().unwrap().write(&out).unwrap_err();
    assert!(
        e.message
            .starts_with("cannot remove an old output directory: "),
        "{e}"
    );
    assert_eq!(names(&out), ["keep.json"]);
    assert_eq!(fs::read_to_string(out.join("keep.json")).unwrap(), "old");
    let mut left = names(root.path());
    left.retain(|n| n != "cdk.out" && !n.starts_with(".cdk.out.old-"));
    assert!(left.is_empty(), "temporary directory left behind: {left:?}");
}
