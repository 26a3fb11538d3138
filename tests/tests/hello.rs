//! `examples/hello` through its own command line: JSON and YAML templates pass the pinned
//! cfn-lint with no error and no warning, and the commands print what users are told they do.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// `cargo run -p hello -- ARGS` with `cwd` as working directory.
fn hello(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .current_dir(cwd)
        .arg("run")
        .arg("-q")
        .arg("--manifest-path")
        .arg(root().join("Cargo.toml"))
        .args(["-p", "hello", "--"])
        .args(args)
        .output()
        .expect("cargo runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn hello_json_and_yaml_pass_cfn_lint() {
    let dir = tempfile::tempdir().unwrap();
    let mut templates: Vec<PathBuf> = Vec::new();
    for format in ["json", "yaml"] {
        let out = dir.path().join(format);
        let run = hello(
            dir.path(),
            &[
                "synth",
                "--format",
                format,
                "--output",
                out.to_str().unwrap(),
            ],
        );
        assert!(run.status.success(), "{}", text(&run.stderr));
        let file = out.join(format!("Hello.template.{format}"));
        assert!(file.is_file(), "{}", file.display());
        templates.push(file);
    }
    let yaml = std::fs::read_to_string(&templates[1]).unwrap();
    // Short-form tags, and the long form where the single argument is itself a function.
    for expected in [
        "!Ref Env",
        "!GetAtt DeadLetters",
        "!If",
        "!Equals",
        "Name: !Sub",
    ] {
        assert!(yaml.contains(expected), "{expected} missing in\n{yaml}");
    }
    if let Err(e) = rcdk_testkit::lint::cfn_lint(&templates) {
        panic!("{e:?}");
    }
}

#[test]
fn hello_synth_prints_its_single_template() {
    let dir = tempfile::tempdir().unwrap();
    let run = hello(dir.path(), &["synth"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let written = std::fs::read_to_string(dir.path().join("cdk.out/Hello.template.json")).unwrap();
    assert_eq!(text(&run.stdout), written);
    assert!(text(&run.stderr).ends_with("wrote cdk.out/Hello.template.json\n"));
    let manifest = std::fs::read_to_string(dir.path().join("cdk.out/manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let stack = &manifest["artifacts"]["Hello"];
    assert_eq!(stack["type"], "aws:cloudformation:stack");
    assert_eq!(stack["properties"]["templateFile"], "Hello.template.json");
    assert_eq!(stack["dependencies"], serde_json::json!(["Hello.assets"]));
}

#[test]
fn hello_list_tree_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let run = hello(dir.path(), &["list"]);
    assert_eq!(text(&run.stdout), "Hello\n");
    let run = hello(dir.path(), &["list", "--long"]);
    assert_eq!(
        text(&run.stdout),
        "Hello\tstack name: Hello\tdepends on: -\n"
    );
    let run = hello(dir.path(), &["tree"]);
    let tree = text(&run.stdout);
    assert!(
        tree.starts_with("Hello [Stack]\n  Env [Parameter] Env\n"),
        "{tree}"
    );
    assert!(
        tree.contains("\n  Jobs [AWS::SQS::Queue] Jobs2F17A0F8\n"),
        "{tree}"
    );
    let run = hello(dir.path(), &["synth", "Nope"]);
    assert_eq!(run.status.code(), Some(2));
    // Cargo may print "Blocking waiting for file lock" first when tests run in parallel.
    let stderr = text(&run.stderr);
    assert!(
        stderr.ends_with("error: no stack named 'Nope'\n  hint: the app has: Hello\n"),
        "{stderr}"
    );
    assert!(!dir.path().join("cdk.out").exists());
}
