//! Approvals before a change runs: access-widening changes (under `--require-approval
//! broadening`) and changes that delete or replace resources holding data (always).

use crate::changeset::{self, ChangeSet};
use crate::diff::TemplateDiff;
use crate::errors::{Error, Result};
use crate::session::Session;

/// When to ask before deploying security-relevant changes (`--require-approval`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequireApproval {
    /// Never ask about security changes (data loss is still confirmed).
    Never,
    /// Ask when IAM statements, policies or security-group rules are added.
    #[default]
    Broadening,
}

impl std::str::FromStr for RequireApproval {
    type Err = Error;

    fn from_str(s: &str) -> Result<RequireApproval> {
        match s {
            "never" => Ok(RequireApproval::Never),
            "broadening" => Ok(RequireApproval::Broadening),
            other => Err(Error::Usage(format!(
                "--require-approval {other:?}: expected `broadening` or `never`"
            ))),
        }
    }
}

/// Asks what must be asked for one stack's change; `Ok` means go ahead.
pub(crate) async fn approve(
    session: &Session,
    stack_name: &str,
    require: RequireApproval,
    template_diff: &TemplateDiff,
    change_set: Option<&ChangeSet>,
    stateful_ids: &[String],
) -> Result<()> {
    if require == RequireApproval::Broadening {
        let widening: Vec<String> = template_diff
            .broadening()
            .map(|c| format!("  [+] {} on {}: {}", c.kind, c.logical_id, c.detail))
            .collect();
        if !widening.is_empty() {
            session.output.line(format!(
                "{stack_name}: these changes widen access:\n{}",
                widening.join("\n")
            ));
            session
                .confirm
                .ask(
                    &session.output,
                    &format!("Stack {stack_name}: deploy changes that widen IAM or security-group access?"),
                )
                .await?;
        }
    }
    let mut lost: Vec<String> = template_diff
        .data_loss()
        .map(|r| format!("{} {}", r.resource_type, r.logical_id))
        .collect();
    if let Some(set) = change_set {
        for c in changeset::data_loss(set, stateful_ids) {
            let name = format!("{} {}", c.resource_type, c.logical_id);
            if !lost.contains(&name) {
                lost.push(name);
            }
        }
    }
    if !lost.is_empty() {
        session.output.line(format!(
            "!!! {stack_name}: these resources hold data and will be deleted or replaced: {}",
            lost.join(", ")
        ));
        session
            .confirm
            .ask(
                &session.output,
                &format!("Stack {stack_name}: delete or replace resources that hold data (their data is lost)?"),
            )
            .await?;
    }
    Ok(())
}
