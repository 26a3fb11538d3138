//! Every example program under `examples/` (found by directory, so new ones are covered
//! without editing this file) synthesizes in JSON and in YAML, and its templates
//!
//! - pass the pinned cfn-lint with no error and no warning,
//! - pass the pinned checkov with no failed check (deliberate exceptions are recorded in the
//!   construct that causes them, as `Metadata.checkov.skip` with a reason, never here),
//! - pass the two rule packs AWS publishes, AWS CloudFormation Guard with the Control Tower
//!   proactive-control rules and cdk-nag's AwsSolutions pack, with no unsuppressed finding (the
//!   construct that causes a finding suppresses it in the resource's `Metadata` with a reason;
//!   a suppression that matches nothing fails too),
//! - match the snapshots in `tests/tests/snapshots/` (JSON only; YAML is the same tree).
//!
//! Snapshots must be regenerated whenever an example or a construct it uses changes: review
//! the diff, then run `INSTA_UPDATE=always cargo test -p workspace-tests --test examples` (or
//! `cargo insta test -p workspace-tests --test examples --review` with cargo-insta installed)
//! and commit the `.snap` files. A snapshot without an example fails the test until deleted.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::Synthesized;

/// Both formats of every example, synthesized once for all tests of this file.
fn synthesized() -> &'static Vec<Synthesized> {
    static DONE: OnceLock<(tempfile::TempDir, Vec<Synthesized>)> = OnceLock::new();
    &DONE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let mut all = common::synth_all(dir.path(), "json");
            all.extend(common::synth_all(dir.path(), "yaml"));
            (dir, all)
        })
        .1
}

fn all_templates() -> Vec<PathBuf> {
    synthesized()
        .iter()
        .flat_map(|s| s.templates.iter().cloned())
        .collect()
}

#[test]
fn every_example_writes_the_same_stacks_in_json_and_yaml() {
    let stacks = |format: &str, example: &str| -> Vec<String> {
        let s = synthesized()
            .iter()
            .find(|s| s.format == format && s.example == example)
            .unwrap();
        s.templates
            .iter()
            .map(|t| stack_of(t).to_string())
            .collect()
    };
    for example in common::example_names() {
        assert_eq!(
            stacks("json", &example),
            stacks("yaml", &example),
            "{example}"
        );
    }
}

#[test]
fn every_template_passes_cfn_lint() {
    if let Err(e) = rcdk_testkit::lint::cfn_lint(&all_templates()) {
        panic!("{e:?}");
    }
}

#[test]
fn every_template_passes_checkov() {
    if let Err(e) = rcdk_testkit::lint::checkov(&all_templates()) {
        panic!("{e:?}");
    }
}

/// Both rule packs over every JSON template, run once for the two tests below.
fn rule_packs() -> &'static rcdk_testkit::rulepacks::RulePackRun {
    static RUN: OnceLock<rcdk_testkit::rulepacks::RulePackRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let json: Vec<PathBuf> = synthesized()
            .iter()
            .filter(|s| s.format == "json")
            .flat_map(|s| s.templates.iter().cloned())
            .collect();
        rcdk_testkit::rulepacks::run_rule_packs(&json).unwrap()
    })
}

fn judge_rule_pack(tool: rcdk_testkit::lint::Tool) {
    let run = rule_packs();
    let used = run.used_suppressions(tool);
    // The accepted findings, printed so that a reviewer sees them with `--nocapture`.
    println!(
        "{tool}: {} finding(s), {} suppressed:",
        run.findings(tool).count(),
        used.len()
    );
    for s in &used {
        let stack = stack_of(&s.file);
        println!("  {stack}/{} {}: {}", s.logical_id, s.rule, s.reason);
    }
    if let Err(e) = run.judge(tool) {
        panic!("{e:?}");
    }
}

#[test]
fn every_template_passes_cfn_guard_with_the_control_tower_rules() {
    judge_rule_pack(rcdk_testkit::lint::Tool::CfnGuard);
}

#[test]
fn every_template_passes_cdk_nag_aws_solutions() {
    judge_rule_pack(rcdk_testkit::lint::Tool::CdkNag);
}

/// `Microservices` from `.../Microservices.template.json`.
fn stack_of(template: &Path) -> &str {
    let file = template.file_name().unwrap().to_str().unwrap();
    file.split(".template.").next().unwrap()
}

/// insta's file name for a snapshot named `name` asserted from this file.
fn snapshot_file(name: &str) -> String {
    format!("examples__{name}.snap")
}

/// Replaces asset hashes with `[asset hash]`: object keys (`<64 hex digits>.zip`) and image tags
/// (`...container-assets-...:<64 hex digits>`). A Rust Lambda package's or image's hash covers
/// Cargo.lock and the workspace manifests, so pinning it would make every dependency update
/// rewrite the snapshot; the hashes have tests of their own.
fn redact_asset_hashes(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let end = i + 64;
        let is_hash = end <= bytes.len()
            && (i == 0 || !bytes[i - 1].is_ascii_hexdigit())
            && bytes[i..end]
                .iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            && bytes.get(end).is_none_or(|b| !b.is_ascii_hexdigit());
        let is_key = is_hash && bytes[end..].starts_with(b".zip");
        let is_tag = is_hash
            && i > 0
            && bytes[i - 1] == b':'
            && text[..i]
                .rsplit('"')
                .next()
                .is_some_and(|s| s.contains("container-assets-"));
        if is_key || is_tag {
            out.push_str("[asset hash]");
            i = end;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

#[test]
fn snapshots_pin_every_json_template() {
    let mut expected = BTreeSet::new();
    for s in synthesized().iter().filter(|s| s.format == "json") {
        for template in &s.templates {
            let name = format!("{}-{}", s.example, stack_of(template));
            let text = redact_asset_hashes(&std::fs::read_to_string(template).unwrap());
            insta::assert_snapshot!(name.clone(), text);
            expected.insert(snapshot_file(&name));
        }
    }
    // Snapshots of stacks or examples that no longer exist would pin nothing.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let stale: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.starts_with("examples__") && f.ends_with(".snap"))
        .filter(|f| !expected.contains(f))
        .collect();
    assert!(
        stale.is_empty(),
        "snapshot(s) without a synthesized template in {}: {stale:?}; delete them",
        dir.display()
    );
}
