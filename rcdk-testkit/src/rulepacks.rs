//! Runs the two rule packs that AWS publishes for CloudFormation over synthesized templates:
//! AWS CloudFormation Guard with the AWS Control Tower proactive-control rules (npm
//! `@cdklabs/cdk-validator-cfnguard`, which ships the `cfn-guard` binary and the rules) and
//! cdk-nag's AwsSolutions pack (npm `cdk-nag`, applied to plain templates through aws-cdk-lib's
//! `CfnInclude`). `tools/rule-packs.js` drives both in one Node process and prints every
//! finding; this module applies the suppressions the templates carry and judges the rest.
//!
//! A suppression lives in the resource's `Metadata`, written by the construct that causes the
//! finding (rcdk-core's `suppression` module documents the format): Guard rules in
//! `guard.SuppressedRules` with the reasons in `guard.Reasons`, cdk-nag rules in
//! `cdk_nag.rules_to_suppress` as `{id, reason}`. A suppression without a reason, and one that
//! matches no finding, fail the check too, so suppressions cannot go stale.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::lint::{absolute_files, run, Finding, Level, LintFailure, Tool};
use crate::nodetools;
use crate::pytools::workspace_root;

/// One suppression read from a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The rule pack.
    pub tool: Tool,
    /// The rule (Guard rule name, or cdk-nag rule id, possibly with a finding in brackets).
    pub rule: String,
    /// Why the resource does not meet it.
    pub reason: String,
    /// The template.
    pub file: PathBuf,
    /// The resource's logical id.
    pub logical_id: String,
}

/// The findings of one run of both packs over a set of templates, with the templates'
/// suppressions.
#[derive(Debug)]
pub struct RulePackRun {
    findings: Vec<Finding>,
    suppressions: Vec<Suppression>,
}

/// Runs both rule packs once over the templates (JSON, as synthesized). Fails when a tool is
/// missing or its output cannot be read, or when a suppression in a template has no reason.
pub fn run_rule_packs(paths: &[impl AsRef<Path>]) -> Result<RulePackRun, LintFailure> {
    let files = absolute_files(paths)?;
    let mut suppressions = Vec::new();
    for file in &files {
        suppressions.extend(read_suppressions(file)?);
    }
    let script = workspace_root().join("tools/rule-packs.js");
    let modules = nodetools::node_modules();
    for needed in [
        "@cdklabs/cdk-validator-cfnguard/package.json",
        "cdk-nag/package.json",
        "aws-cdk-lib/package.json",
    ] {
        if !modules.join(needed).is_file() {
            return Err(LintFailure::Missing(format!(
                "{} not found: run `bash scripts/node-tools.sh` (the README's test command does) \
                 to install the pinned rule packs",
                modules.join(needed).display()
            )));
        }
    }
    let mut cmd = Command::new("node");
    cmd.arg(&script)
        .args(&files)
        .env("NODE_PATH", &modules)
        // aws-cdk-lib must not look for a CLI, a version update or notices on the network.
        .env("CDK_DISABLE_VERSION_CHECK", "1")
        .env("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
        .current_dir(workspace_root());
    let ran = run(Tool::CfnGuard, cmd)?;
    if ran.code != 0 {
        return Err(ran.failure(
            Tool::CfnGuard,
            &format!("tools/rule-packs.js exited with code {}", ran.code),
        ));
    }
    let parsed: Value = serde_json::from_str(&ran.stdout)
        .map_err(|e| ran.failure(Tool::CfnGuard, &format!("unreadable output: {e}")))?;
    let items = parsed["findings"]
        .as_array()
        .ok_or_else(|| ran.failure(Tool::CfnGuard, "output has no `findings` list"))?;
    let findings = items
        .iter()
        .map(|item| {
            let tool = match item["pack"].as_str() {
                Some("cfn-guard") => Tool::CfnGuard,
                Some("cdk-nag") => Tool::CdkNag,
                other => {
                    return Err(ran.failure(Tool::CfnGuard, &format!("unknown pack {other:?}")))
                }
            };
            let text = |key: &str| item[key].as_str().unwrap_or_default().to_string();
            Ok(Finding {
                tool,
                rule: text("rule"),
                level: if text("level") == "warning" {
                    Level::Warning
                } else {
                    Level::Error
                },
                message: text("message"),
                location: text("logicalId"),
                file: PathBuf::from(text("template")),
                line: None,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RulePackRun {
        findings,
        suppressions,
    })
}

impl RulePackRun {
    /// Every finding of the pack, suppressed or not.
    pub fn findings(&self, tool: Tool) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.tool == tool)
    }

    /// The pack's suppressions that matched a finding, for the record of what is accepted.
    pub fn used_suppressions(&self, tool: Tool) -> Vec<&Suppression> {
        self.suppressions
            .iter()
            .filter(|s| s.tool == tool && self.findings(tool).any(|f| covers(s, f)))
            .collect()
    }

    /// Fails on any finding of the pack that no suppression covers, and on any suppression of
    /// the pack that covers no finding.
    pub fn judge(&self, tool: Tool) -> Result<(), LintFailure> {
        let failing: Vec<Finding> = self
            .findings(tool)
            .filter(|f| !self.suppressions.iter().any(|s| covers(s, f)))
            .cloned()
            .collect();
        let unused: Vec<String> = self
            .suppressions
            .iter()
            .filter(|s| s.tool == tool && !self.findings(tool).any(|f| covers(s, f)))
            .map(|s| format!("{} on {} in {}", s.rule, s.logical_id, s.file.display()))
            .collect();
        if failing.is_empty() && unused.is_empty() {
            Ok(())
        } else {
            Err(LintFailure::Findings {
                tool,
                findings: failing,
                unused_allowances: unused,
            })
        }
    }
}

/// Whether a suppression covers a finding: same pack, template and resource, and the same rule;
/// a cdk-nag rule id without brackets covers each of its findings (`AwsSolutions-IAM5` covers
/// `AwsSolutions-IAM5[Resource::*]`), as cdk-nag does.
fn covers(s: &Suppression, f: &Finding) -> bool {
    s.tool == f.tool
        && s.file == f.file
        && s.logical_id == f.location
        && (s.rule == f.rule
            || (f.tool == Tool::CdkNag
                && f.rule
                    .strip_prefix(s.rule.as_str())
                    .is_some_and(|rest| rest.starts_with('['))))
}

/// The suppressions a template carries in its resources' `Metadata`.
fn read_suppressions(file: &Path) -> Result<Vec<Suppression>, LintFailure> {
    let usage = |what: String| LintFailure::Usage(format!("{}: {what}", file.display()));
    let text = std::fs::read_to_string(file).map_err(|e| usage(format!("cannot read: {e}")))?;
    let template: Value = serde_json::from_str(&text)
        .map_err(|e| usage(format!("not a JSON template ({e}); pass JSON templates")))?;
    let mut out = Vec::new();
    let resources = template["Resources"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (logical_id, resource) in resources {
        let metadata = &resource["Metadata"];
        let mut push = |tool: Tool, rule: &str, reason: Option<&str>| {
            let reason = reason.unwrap_or_default().trim().to_string();
            if reason.is_empty() {
                return Err(usage(format!(
                    "{logical_id} suppresses {tool} rule {rule} without a reason: say why the \
                     resource does not meet it"
                )));
            }
            out.push(Suppression {
                tool,
                rule: rule.to_string(),
                reason,
                file: file.to_path_buf(),
                logical_id: logical_id.clone(),
            });
            Ok(())
        };
        let reasons: BTreeMap<String, Value> = metadata["guard"]["Reasons"]
            .as_object()
            .map(|m| m.clone().into_iter().collect())
            .unwrap_or_default();
        for rule in metadata["guard"]["SuppressedRules"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let rule = rule.as_str().unwrap_or_default();
            push(
                Tool::CfnGuard,
                rule,
                reasons.get(rule).and_then(Value::as_str),
            )?;
        }
        for entry in metadata["cdk_nag"]["rules_to_suppress"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let rule = entry["id"].as_str().unwrap_or_default();
            push(Tool::CdkNag, rule, entry["reason"].as_str())?;
        }
    }
    Ok(out)
}
