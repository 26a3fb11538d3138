//! Runs the pinned CloudFormation linters on synthesized templates.
//!
//! `cfn-lint` validates templates against the CloudFormation resource schemas (wrong property
//! types, references to missing resources, unused parameters); `checkov` checks security
//! practice (encryption, public access, logging). Both read JSON and YAML templates, including
//! YAML short-form tags such as `!Sub`.
//!
//! A test asserts "no findings" with [`cfn_lint`] / [`checkov`]. A finding the test expects is
//! allowed explicitly, with the reason, through [`cfn_lint_allowing`] / [`checkov_allowing`];
//! an allowance that matches nothing fails too, so allow-lists cannot go stale. The error's
//! `Debug` output is its readable report, so `.unwrap()` in a test prints the findings.
//!
//! Both tools run with the workspace root as working directory (so a `.cfnlintrc` or
//! `.checkov.yaml` there would apply to every test alike) and without network access needs:
//! checkov runs with `--skip-download`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::pytools;

/// The region cfn-lint validates against: resource schemas differ between regions.
pub const CFN_LINT_REGION: &str = "us-east-1";

/// Which linter produced a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// `cfn-lint`: schema and reference validation.
    CfnLint,
    /// `checkov`: security best practice.
    Checkov,
    /// AWS CloudFormation Guard with the AWS Control Tower proactive-control rules.
    CfnGuard,
    /// cdk-nag's AwsSolutions pack.
    CdkNag,
}

impl Tool {
    /// Executable name in the tools virtualenv.
    pub fn bin_name(self) -> &'static str {
        match self {
            Tool::CfnLint => "cfn-lint",
            Tool::Checkov => "checkov",
            Tool::CfnGuard => "cfn-guard",
            Tool::CdkNag => "cdk-nag",
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.bin_name())
    }
}

/// How serious a finding is. Errors and warnings fail a check; informational findings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The template is wrong (cfn-lint `E*`) or a checkov check failed.
    Error,
    /// Probably a mistake (cfn-lint `W*`).
    Warning,
    /// A hint (cfn-lint `I*`); never fails a check.
    Informational,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Informational => "info",
        })
    }
}

/// One finding of a linter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The linter that reported it.
    pub tool: Tool,
    /// Rule or check id, e.g. `E3012` or `CKV_AWS_18`.
    pub rule: String,
    /// Severity.
    pub level: Level,
    /// What is wrong: cfn-lint's message, or checkov's check name.
    pub message: String,
    /// Where in the template: the path for cfn-lint (`Resources/Bucket/Properties/Tags/0`),
    /// the resource for checkov (`AWS::S3::Bucket.Bucket`). Empty when the tool gives none.
    pub location: String,
    /// The template, as passed to the runner (made absolute).
    pub file: PathBuf,
    /// First line of the finding in the template, when known.
    pub line: Option<u64>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}] {}", self.rule, self.level, self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.location.is_empty() {
            write!(f, " {}", self.location)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A rule id a test expects to fire, with the reason that is acceptable:
/// `("W3005", "the explicit DependsOn documents ordering for readers")`.
pub type Allowance<'a> = (&'a str, &'a str);

/// Why a lint run failed.
pub enum LintFailure {
    /// The tool is not installed; the message says how to install it.
    Missing(String),
    /// The call was wrong: no templates, a template that does not exist, an allowance without
    /// a reason.
    Usage(String),
    /// The tool crashed, could not parse a template, or printed output that could not be read.
    Tool {
        /// The linter.
        tool: Tool,
        /// What happened, with the tool's own output.
        detail: String,
    },
    /// Findings that fail the check, and allowances that matched no finding.
    Findings {
        /// The linter.
        tool: Tool,
        /// Errors and warnings not covered by an allowance.
        findings: Vec<Finding>,
        /// Allowed rule ids that matched nothing: remove them.
        unused_allowances: Vec<String>,
    },
}

impl fmt::Display for LintFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LintFailure::Missing(msg) | LintFailure::Usage(msg) => f.write_str(msg),
            LintFailure::Tool { tool, detail } => write!(f, "{tool} failed: {detail}"),
            LintFailure::Findings {
                tool,
                findings,
                unused_allowances,
            } => {
                if !findings.is_empty() {
                    writeln!(f, "{tool} reported {} finding(s):", findings.len())?;
                    for finding in findings {
                        writeln!(f, "  {finding}")?;
                    }
                    match tool {
                        Tool::CfnLint | Tool::Checkov => writeln!(
                            f,
                            "Fix the template, or, if a finding is intended, allow its rule with \
                             the reason: {}_allowing(paths, &[(\"RULE\", \"why\")]).",
                            tool.bin_name().replace('-', "_")
                        )?,
                        Tool::CfnGuard | Tool::CdkNag => {
                            writeln!(
                            f,
                            "Fix the construct that writes the resource (a better default, the \
                             opt-out explicit), or, if a finding is intended, suppress the rule \
                             there with the reason: `.suppress(Scanner::{}, \"RULE\", \"why\")`.",
                            if *tool == Tool::CfnGuard { "Guard" } else { "CdkNag" }
                        )?
                        }
                    }
                }
                if !unused_allowances.is_empty() {
                    writeln!(
                        f,
                        "{tool}: allowed or suppressed rule(s) {} matched no finding: remove \
                         them.",
                        unused_allowances.join(", ")
                    )?;
                }
                Ok(())
            }
        }
    }
}

// Debug prints the readable report: tests `.unwrap()` these results.
impl fmt::Debug for LintFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for LintFailure {}

/// Runs cfn-lint on the templates; fails on any error or warning.
pub fn cfn_lint(paths: &[impl AsRef<Path>]) -> Result<(), LintFailure> {
    cfn_lint_allowing(paths, &[])
}

/// Runs cfn-lint on the templates; fails on any error or warning whose rule is not allowed,
/// and on any allowance that matched nothing.
pub fn cfn_lint_allowing(
    paths: &[impl AsRef<Path>],
    allow: &[Allowance<'_>],
) -> Result<(), LintFailure> {
    check_allowances(allow)?;
    judge(Tool::CfnLint, cfn_lint_findings(paths)?, allow)
}

/// Runs cfn-lint once on all the templates and returns every finding, informational ones
/// included (`--include-checks I`).
pub fn cfn_lint_findings(paths: &[impl AsRef<Path>]) -> Result<Vec<Finding>, LintFailure> {
    let files = absolute_files(paths)?;
    let mut cmd = tool_command(Tool::CfnLint)?;
    cmd.args(["--format", "json", "--regions", CFN_LINT_REGION])
        .args(["--include-checks", "I", "--"])
        .args(&files);
    let ran = run(Tool::CfnLint, cmd)?;
    // The exit code is a bit set: 2 errors, 4 warnings, 8 informational. Anything else (1 is a
    // usage or configuration error, or a Python crash) means the run itself failed.
    if ran.code & !(2 | 4 | 8) != 0 {
        return Err(ran.failure(Tool::CfnLint, &format!("exited with code {}", ran.code)));
    }
    let parsed: Value = serde_json::from_str(&ran.stdout)
        .map_err(|e| ran.failure(Tool::CfnLint, &format!("unreadable output: {e}")))?;
    let items = parsed
        .as_array()
        .ok_or_else(|| ran.failure(Tool::CfnLint, "output is not a JSON array"))?;
    items
        .iter()
        .map(|item| cfn_lint_finding(item, &ran))
        .collect()
}

fn cfn_lint_finding(item: &Value, ran: &Ran) -> Result<Finding, LintFailure> {
    let bad = || ran.failure(Tool::CfnLint, "a finding lacks Rule.Id or Level");
    let rule = item["Rule"]["Id"].as_str().ok_or_else(bad)?.to_string();
    let level = match item["Level"].as_str().ok_or_else(bad)? {
        "Error" => Level::Error,
        "Warning" => Level::Warning,
        "Informational" => Level::Informational,
        other => return Err(ran.failure(Tool::CfnLint, &format!("unknown level {other:?}"))),
    };
    let location = match &item["Location"]["Path"] {
        Value::Array(parts) => parts
            .iter()
            .map(|p| match p {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("/"),
        _ => String::new(),
    };
    Ok(Finding {
        tool: Tool::CfnLint,
        rule,
        level,
        message: item["Message"].as_str().unwrap_or_default().to_string(),
        location,
        file: PathBuf::from(item["Filename"].as_str().unwrap_or_default()),
        line: item["Location"]["Start"]["LineNumber"].as_u64(),
    })
}

/// Runs checkov on the templates; fails on any failed check. Checks skipped in the template
/// (`Metadata: checkov: skip: [{id, comment}]`) count as passed.
pub fn checkov(paths: &[impl AsRef<Path>]) -> Result<(), LintFailure> {
    checkov_allowing(paths, &[])
}

/// Runs checkov on the templates; fails on any failed check that is not allowed, and on any
/// allowance that matched nothing.
pub fn checkov_allowing(
    paths: &[impl AsRef<Path>],
    allow: &[Allowance<'_>],
) -> Result<(), LintFailure> {
    check_allowances(allow)?;
    judge(Tool::Checkov, checkov_findings(paths)?, allow)
}

/// Runs checkov once on all the templates (it starts slowly, so batch them) and returns the
/// failed checks, each as an [`Level::Error`] finding.
pub fn checkov_findings(paths: &[impl AsRef<Path>]) -> Result<Vec<Finding>, LintFailure> {
    let files = absolute_files(paths)?;
    let mut cmd = tool_command(Tool::Checkov)?;
    cmd.arg("-f")
        .args(&files)
        .args(["--framework", "cloudformation", "-o", "json", "--quiet"])
        .arg("--skip-download")
        // No platform mapping lookups: tests reach loopback only.
        .env("BC_SKIP_MAPPING", "TRUE");
    let ran = run(Tool::Checkov, cmd)?;
    // 0: all passed, 1: some check failed; 2 is a crash.
    if ran.code != 0 && ran.code != 1 {
        return Err(ran.failure(Tool::Checkov, &format!("exited with code {}", ran.code)));
    }
    let parsed: Value = serde_json::from_str(&ran.stdout)
        .map_err(|e| ran.failure(Tool::Checkov, &format!("unreadable output: {e}")))?;
    // One report per framework: an object for one, an array for several.
    let reports = match parsed {
        Value::Array(reports) => reports,
        report => vec![report],
    };
    let mut findings = Vec::new();
    let mut scanned = false;
    for report in &reports {
        // A bare summary without `results` means checkov recognised no template at all.
        let Some(results) = report.get("results") else {
            continue;
        };
        scanned = true;
        // With --quiet only the summary counts parse errors; the file names go to stderr.
        let listed = results["parsing_errors"].as_array().map_or(0, Vec::len);
        let counted = report["summary"]["parsing_errors"].as_u64().unwrap_or(0);
        if listed > 0 || counted > 0 {
            return Err(ran.failure(Tool::Checkov, "could not parse a template"));
        }
        for check in results["failed_checks"].as_array().into_iter().flatten() {
            findings.push(checkov_finding(check, &ran)?);
        }
    }
    if !scanned {
        return Err(LintFailure::Tool {
            tool: Tool::Checkov,
            detail: format!(
                "recognised no CloudFormation template among {} (a template needs a \
                 `Resources` section)",
                display_list(&files)
            ),
        });
    }
    // Guards against output this parser misreads: exit code 1 means some check failed.
    if (ran.code == 1) == findings.is_empty() {
        return Err(ran.failure(
            Tool::Checkov,
            &format!(
                "exit code {} disagrees with {} failed check(s) read",
                ran.code,
                findings.len()
            ),
        ));
    }
    Ok(findings)
}

fn checkov_finding(check: &Value, ran: &Ran) -> Result<Finding, LintFailure> {
    let rule = check["check_id"]
        .as_str()
        .ok_or_else(|| ran.failure(Tool::Checkov, "a failed check lacks check_id"))?;
    Ok(Finding {
        tool: Tool::Checkov,
        rule: rule.to_string(),
        level: Level::Error,
        message: check["check_name"].as_str().unwrap_or_default().to_string(),
        location: check["resource"].as_str().unwrap_or_default().to_string(),
        file: PathBuf::from(check["file_abs_path"].as_str().unwrap_or_default()),
        line: check["file_line_range"][0].as_u64(),
    })
}

/// Splits findings into allowed and failing ones; informational findings never fail.
fn judge(tool: Tool, findings: Vec<Finding>, allow: &[Allowance<'_>]) -> Result<(), LintFailure> {
    let mut used = vec![false; allow.len()];
    let mut failing = Vec::new();
    for finding in findings {
        if let Some(i) = allow.iter().position(|(rule, _)| *rule == finding.rule) {
            used[i] = true;
        } else if finding.level != Level::Informational {
            failing.push(finding);
        }
    }
    let unused_allowances: Vec<String> = allow
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|((rule, _), _)| rule.to_string())
        .collect();
    if failing.is_empty() && unused_allowances.is_empty() {
        Ok(())
    } else {
        Err(LintFailure::Findings {
            tool,
            findings: failing,
            unused_allowances,
        })
    }
}

fn check_allowances(allow: &[Allowance<'_>]) -> Result<(), LintFailure> {
    match allow
        .iter()
        .find(|(rule, why)| rule.trim().is_empty() || why.trim().is_empty())
    {
        Some((rule, _)) => Err(LintFailure::Usage(format!(
            "allowance {rule:?} needs a rule id and a reason: (\"W1234\", \"why it is fine\")"
        ))),
        None => Ok(()),
    }
}

/// Absolute paths of the templates, checked to exist: the tools report a missing file only as
/// a finding or a parse error, which would read as a template problem.
pub(crate) fn absolute_files(paths: &[impl AsRef<Path>]) -> Result<Vec<PathBuf>, LintFailure> {
    if paths.is_empty() {
        return Err(LintFailure::Usage(
            "no templates given to lint: pass the synthesized template paths".to_string(),
        ));
    }
    paths
        .iter()
        .map(|p| {
            let p = p.as_ref();
            if !p.is_file() {
                return Err(LintFailure::Usage(format!(
                    "template {} does not exist (synthesize it before linting)",
                    p.display()
                )));
            }
            std::path::absolute(p).map_err(|e| {
                LintFailure::Usage(format!("cannot resolve template {}: {e}", p.display()))
            })
        })
        .collect()
}

fn tool_command(tool: Tool) -> Result<Command, LintFailure> {
    let bin = pytools::bin(tool.bin_name()).map_err(LintFailure::Missing)?;
    let mut cmd = Command::new(bin);
    cmd.current_dir(pytools::workspace_root());
    Ok(cmd)
}

/// A finished tool run.
pub(crate) struct Ran {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Ran {
    /// A [`LintFailure::Tool`] carrying the tool's output, which usually says what went wrong.
    pub(crate) fn failure(&self, tool: Tool, what: &str) -> LintFailure {
        LintFailure::Tool {
            tool,
            detail: format!(
                "{what}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                excerpt(&self.stdout),
                excerpt(&self.stderr)
            ),
        }
    }
}

/// Runs the command to completion.
pub(crate) fn run(tool: Tool, mut cmd: Command) -> Result<Ran, LintFailure> {
    let output = cmd.output().map_err(|e| LintFailure::Tool {
        tool,
        detail: format!("cannot start {}: {e}", tool.bin_name()),
    })?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let Some(code) = output.status.code() else {
        return Err(LintFailure::Tool {
            tool,
            detail: format!(
                "killed by a signal ({})\nstderr:\n{}",
                output.status,
                excerpt(&stderr)
            ),
        });
    };
    Ok(Ran {
        code,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
    })
}

/// The tail of a long output: tracebacks end with the cause.
fn excerpt(text: &str) -> &str {
    const MAX: usize = 4000;
    let start = text.len().saturating_sub(MAX);
    let start = (start..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    &text[start..]
}

fn display_list(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
