//! Stack status: reading it, and waiting for an operation to finish while printing its events.

use std::time::{Duration, Instant};

use aws_sdk_cloudformation::Client;

use crate::errors::{error_code, error_message, Error, Result};
use crate::events::{format_event, EventTracker};
use crate::session::Session;

/// What DescribeStacks says about a deployed stack.
#[derive(Debug, Clone)]
pub(crate) struct StackInfo {
    pub stack_id: String,
    pub status: String,
    pub reason: Option<String>,
    pub termination_protection: bool,
    /// Keys of the stack's current parameters (reused on update when not given again).
    pub parameter_keys: Vec<String>,
    /// Stack outputs, key and value.
    pub outputs: Vec<(String, String)>,
}

/// Reads a stack by name or id; `None` when it does not exist.
pub(crate) async fn describe(cfn: &Client, stack: &str) -> Result<Option<StackInfo>> {
    let out = match cfn.describe_stacks().stack_name(stack).send().await {
        Ok(out) => out,
        Err(e)
            if error_code(&e) == Some("ValidationError")
                && error_message(&e).is_some_and(|m| m.contains("does not exist")) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(Error::aws("DescribeStacks", stack, e)),
    };
    Ok(out.stacks().first().map(|s| StackInfo {
        stack_id: s.stack_id().unwrap_or(stack).to_string(),
        status: s
            .stack_status()
            .map(|st| st.as_str().to_string())
            .unwrap_or_default(),
        reason: s.stack_status_reason().map(str::to_string),
        termination_protection: s.enable_termination_protection().unwrap_or(false),
        parameter_keys: s
            .parameters()
            .iter()
            .filter_map(|p| p.parameter_key().map(str::to_string))
            .collect(),
        outputs: s
            .outputs()
            .iter()
            .map(|o| {
                (
                    o.output_key().unwrap_or_default().to_string(),
                    o.output_value().unwrap_or_default().to_string(),
                )
            })
            .collect(),
    }))
}

/// Whether CloudFormation is still working on the stack (a change set under review is not).
pub(crate) fn in_progress(status: &str) -> bool {
    status.ends_with("_IN_PROGRESS") && status != "REVIEW_IN_PROGRESS"
}

/// The operation being waited for, which decides what counts as success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Create,
    Update,
    Delete,
    /// Someone else's operation: any settled state will do.
    Settle,
}

impl Op {
    fn succeeded(self, status: &str) -> bool {
        match self {
            Op::Create => status == "CREATE_COMPLETE",
            Op::Update => status == "UPDATE_COMPLETE",
            Op::Delete => status == "DELETE_COMPLETE",
            Op::Settle => true,
        }
    }
}

/// Plain-words outcome of a failed operation, with what to do next.
pub(crate) fn outcome(status: &str) -> String {
    let advice = match status {
        "ROLLBACK_COMPLETE" => "the create was rolled back; the next deploy deletes the empty stack and creates it again",
        "UPDATE_ROLLBACK_COMPLETE" => "the update was rolled back; the stack is as it was before",
        "UPDATE_ROLLBACK_FAILED" => "the rollback failed too; fix the cause, then continue the rollback (`aws cloudformation continue-update-rollback`) or in the console",
        "ROLLBACK_FAILED" => "the rollback failed too; delete the stack (`destroy`) and deploy again",
        "DELETE_FAILED" => "the stack was not deleted; remove what blocks it (e.g. a non-empty bucket) and destroy again",
        "CREATE_FAILED" | "UPDATE_FAILED" => "rollback is disabled for this stack; fix the cause and deploy again",
        _ => "the operation did not complete",
    };
    format!("{advice} (stack status {status})")
}

/// Waits until the stack leaves its in-progress state, printing events as they arrive.
/// Returns the settled stack (`None` once deleted), or an error when its status is not the
/// success state of `op`.
pub(crate) async fn wait(
    session: &Session,
    stack_name: &str,
    stack_id: &str,
    tracker: &mut EventTracker,
    op: Op,
    timeout: Option<Duration>,
) -> Result<Option<StackInfo>> {
    let cfn = session.cfn();
    let started = Instant::now();
    let mut cancelled = false;
    session.set_in_flight(stack_name, Some(format!(
        "Stack {stack_name} keeps going on AWS; run the command again to wait for it, or follow it in the CloudFormation console"
    )));
    let mut first = true;
    let (final_status, final_info) = loop {
        if !first {
            tokio::time::sleep(session.poll_interval).await;
        }
        first = false;
        for event in tracker.poll(cfn).await? {
            session
                .output
                .line(format!("{stack_name} | {}", format_event(&event)));
        }
        let info = describe(cfn, stack_id).await?;
        let status = match &info {
            Some(info) => info.status.clone(),
            // Deleted stacks are still found by id; a missing one is gone all the same.
            None if op == Op::Delete => "DELETE_COMPLETE".to_string(),
            None => {
                return Err(Error::StackState {
                    stack: stack_name.to_string(),
                    status: "missing".to_string(),
                    advice: "the stack disappeared while waiting for it; deploy again".to_string(),
                })
            }
        };
        if !in_progress(&status) {
            break (status, info);
        }
        session.output.status(format!("{stack_name}: {status}"));
        if let Some(limit) = timeout.filter(|l| !cancelled && started.elapsed() >= *l) {
            if op == Op::Update && status == "UPDATE_IN_PROGRESS" {
                session.output.line(format!(
                    "{stack_name}: still {status} after {}s (--timeout); cancelling the update",
                    limit.as_secs()
                ));
                cfn.cancel_update_stack()
                    .stack_name(stack_id)
                    .client_request_token(crate::request::request_token("cancel"))
                    .send()
                    .await
                    .map_err(|e| Error::aws("CancelUpdateStack", stack_name, e))?;
                cancelled = true;
                continue;
            }
            session.output.clear_status();
            return Err(Error::Timeout {
                stack: stack_name.to_string(),
                status,
                secs: limit.as_secs(),
                action: "stopped waiting; the operation keeps going on AWS".to_string(),
            });
        }
    };
    session.output.clear_status();
    session.set_in_flight(stack_name, None);
    if cancelled {
        return Err(Error::Timeout {
            stack: stack_name.to_string(),
            status: "UPDATE_IN_PROGRESS".to_string(),
            secs: timeout.map(|t| t.as_secs()).unwrap_or_default(),
            action: format!("cancelled the update (CancelUpdateStack); it ended as {final_status}"),
        });
    }
    if op.succeeded(&final_status) {
        return Ok(final_info.filter(|i| i.status != "DELETE_COMPLETE"));
    }
    let reason = match tracker.first_failure() {
        Some(failure) => failure.to_string(),
        None => final_info
            .and_then(|i| i.reason)
            .unwrap_or_else(|| "CloudFormation gave no reason".to_string()),
    };
    Err(Error::StackFailed {
        stack: stack_name.to_string(),
        reason,
        outcome: outcome(&final_status),
    })
}

/// The template CloudFormation has for the stack, parsed; `Null` when it is not JSON.
pub(crate) async fn deployed_template(cfn: &Client, stack: &str) -> Result<serde_json::Value> {
    let out = cfn
        .get_template()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| Error::aws("GetTemplate", stack, e))?;
    let body = out.template_body().unwrap_or("{}");
    serde_json::from_str(body).map_err(|_| Error::StackState {
        stack: stack.to_string(),
        status: "deployed with a YAML template".to_string(),
        advice: "this tool compares JSON templates only; deploy it once with this tool to compare afterwards".to_string(),
    })
}

/// Turns termination protection on or off when the deployed stack differs from `wanted`.
pub(crate) async fn sync_termination_protection(
    session: &Session,
    stack_name: &str,
    stack_id: &str,
    current: bool,
    wanted: bool,
) -> Result<()> {
    if current == wanted {
        return Ok(());
    }
    session
        .cfn()
        .update_termination_protection()
        .stack_name(stack_id)
        .enable_termination_protection(wanted)
        .send()
        .await
        .map_err(|e| Error::aws("UpdateTerminationProtection", stack_name, e))?;
    session.output.line(format!(
        "{stack_name}: termination protection {}",
        if wanted { "enabled" } else { "disabled" }
    ));
    Ok(())
}
