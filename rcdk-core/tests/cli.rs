//! The command line, run as a real process: this test binary re-runs itself as the app (with
//! `CDK_CLI_TEST_APP` set) so that standard output, standard error and exit codes are observed
//! exactly as a user sees them.

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};

use rcdk_core::{App, RawResource, Resource, Stack};

const APP_VAR: &str = "CDK_CLI_TEST_APP";

/// The apps the child process can run.
fn app(name: &str) -> App {
    match name {
        "one" => App::new().with(Stack::new("S").with("Q", RawResource::new("AWS::SQS::Queue"))),
        "two" => {
            let topic = RawResource::new("AWS::SNS::Topic");
            let queue = RawResource::new("AWS::SQS::Queue").prop("Topic", topic.ref_::<String>());
            App::new()
                .with(Stack::new("B").stack_name("b-prod").with("Queue", queue))
                .with(Stack::new("A").with("Topic", topic))
        }
        "bad" => App::new().with(Stack::new("S").with(
            "Q",
            RawResource::new("AWS::SQS::Queue").override_logical_id("not-valid"),
        )),
        other => panic!("unknown test app {other}"),
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(app_name: &str, dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(args)
        .env(APP_VAR, app_name)
        .current_dir(dir)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn synth_single_stack_prints_the_template() {
    let dir = tempfile::tempdir().unwrap();
    let r = run("one", dir.path(), &["synth"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = fs::read_to_string(dir.path().join("cdk.out/S.template.json")).unwrap();
    assert_eq!(r.stdout, file);
    assert!(file.starts_with("{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n"));
    // The cost report says that nothing of this app has a fixed charge, and what it never
    // counts; then where the template went.
    assert!(
        r.stderr
            .starts_with("fixed monthly costs: none declared by the constructs of this app\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("\n  never counted: traffic"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.ends_with("\nwrote cdk.out/S.template.json\n"),
        "{}",
        r.stderr
    );
    for f in ["manifest.json", "tree.json"] {
        assert!(dir.path().join("cdk.out").join(f).is_file(), "{f}");
    }
}

fn synth_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let r = run("one", dir.path(), &["synth", "--format", "yaml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = fs::read_to_string(dir.path().join("cdk.out/S.template.yaml")).unwrap();
    assert_eq!(r.stdout, file);
    assert_eq!(
        file,
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Q4AE81572:\n    Type: AWS::SQS::Queue\n"
    );
}

fn synth_quiet_and_explicit_output_print_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let r = run("one", dir.path(), &["synth", "--quiet"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    let r = run("one", dir.path(), &["synth", "--output", "elsewhere"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    assert!(dir.path().join("elsewhere/S.template.json").is_file());
}

fn synth_several_stacks() {
    let dir = tempfile::tempdir().unwrap();
    let r = run("two", dir.path(), &["synth"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    // Deployment order: the producer first (after the cost report).
    assert!(
        r.stderr
            .ends_with("\nwrote cdk.out/A.template.json\nwrote cdk.out/B.template.json\n"),
        "{}",
        r.stderr
    );
    let r = run("two", dir.path(), &["synth", "A"]);
    assert_eq!(r.code, 0);
    let a = fs::read_to_string(dir.path().join("cdk.out/A.template.json")).unwrap();
    assert_eq!(r.stdout, a);
    assert!(a.contains("\"Export\""), "{a}");
}

fn unknown_stack_is_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = run("two", dir.path(), &["synth", "Nope"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: no stack named 'Nope'\n  hint: the app has: A, B\n"
    );
    assert!(!dir.path().join("cdk.out").exists());
}

fn list_and_tree() {
    let dir = tempfile::tempdir().unwrap();
    let r = run("two", dir.path(), &["list"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "A\nB\n"));
    let r = run("two", dir.path(), &["list", "--long"]);
    assert_eq!(
        r.stdout,
        "A\tstack name: A\tdepends on: -\nB\tstack name: b-prod\tdepends on: A\n"
    );
    let r = run("two", dir.path(), &["tree"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        "B [Stack]\n  Queue [AWS::SQS::Queue] Queue3B2FE03E\nA [Stack]\n  Topic [AWS::SNS::Topic] Topic7E61847D\n"
    );
    // Neither writes anything.
    assert!(!dir.path().join("cdk.out").exists());
}

fn synthesis_error_is_non_zero_and_keeps_the_old_output() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("cdk.out")).unwrap();
    fs::write(dir.path().join("cdk.out/old.json"), "old").unwrap();
    let r = run("bad", dir.path(), &["synth"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "synthesis failed with 1 error:\nerror at S/Q: 'not-valid' is not a valid logical id\n  hint: logical ids use ASCII letters and digits only, at most 255 characters\n"
    );
    let left: Vec<_> = fs::read_dir(dir.path().join("cdk.out")).unwrap().collect();
    assert_eq!(left.len(), 1);
    assert_eq!(
        fs::read_to_string(dir.path().join("cdk.out/old.json")).unwrap(),
        "old"
    );
}

fn usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let r = run("one", dir.path(), &["frobnicate"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unrecognized subcommand 'frobnicate'"),
        "{}",
        r.stderr
    );
    let r = run("one", dir.path(), &["synth", "--format", "xml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("invalid value 'xml'"), "{}", r.stderr);
    // Without cargo-rcdk (not on PATH, RCDK_CLI unset): synthesized, then the install command.
    let out = Command::new(std::env::current_exe().unwrap())
        .arg("deploy")
        .env(APP_VAR, "one")
        .env("PATH", "/usr/bin:/bin")
        .env_remove("RCDK_CLI")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with(
            "error: `deploy` runs the `cargo rcdk` command, which is not installed (cargo-rcdk is not on PATH)\n  hint: install it with `cargo install cargo-rcdk`"
        ),
        "{stderr}"
    );
    assert!(dir.path().join("cdk.out/manifest.json").is_file());
    let r = run("one", dir.path(), &["--help"]);
    assert_eq!(r.code, 0);
    for sub in ["synth", "list", "tree"] {
        assert!(r.stdout.contains(sub), "{}", r.stdout);
    }
}

fn main() -> ExitCode {
    if let Ok(name) = std::env::var(APP_VAR) {
        return app(&name).run_with(None);
    }
    let tests: [(&str, fn()); 8] = [
        (
            "synth_single_stack_prints_the_template",
            synth_single_stack_prints_the_template,
        ),
        ("synth_yaml", synth_yaml),
        (
            "synth_quiet_and_explicit_output_print_nothing",
            synth_quiet_and_explicit_output_print_nothing,
        ),
        ("synth_several_stacks", synth_several_stacks),
        ("unknown_stack_is_exit_code_2", unknown_stack_is_exit_code_2),
        ("list_and_tree", list_and_tree),
        (
            "synthesis_error_is_non_zero_and_keeps_the_old_output",
            synthesis_error_is_non_zero_and_keeps_the_old_output,
        ),
        ("usage_errors", usage_errors),
    ];
    for (name, test) in tests {
        test();
        println!("test {name} ... ok");
    }
    println!("test result: ok. {} passed", tests.len());
    ExitCode::SUCCESS
}
