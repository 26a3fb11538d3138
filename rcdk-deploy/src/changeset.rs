//! Change sets: create one, wait until it is ready, show its changes, execute or delete it.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cloudformation::types::{ChangeSetStatus, ChangeSetType};

use crate::diff::is_stateful_type;
use crate::errors::{error_message, Error, Result};
use crate::request::{request_token, StackRequest};
use crate::session::Session;

/// One resource change of a change set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceChange {
    /// `Add`, `Modify`, `Remove`, `Import`, `Dynamic`.
    pub action: String,
    /// Logical id.
    pub logical_id: String,
    /// Resource type.
    pub resource_type: String,
    /// `True`, `False` or `Conditional` for modifications.
    pub replacement: Option<String>,
}

impl ResourceChange {
    /// Whether the change deletes the resource or may replace it.
    pub fn destroys(&self) -> bool {
        self.action == "Remove"
            || matches!(
                self.replacement.as_deref(),
                Some("True") | Some("Conditional")
            )
    }
}

/// A change set ready for review.
#[derive(Debug, Clone)]
pub struct ChangeSet {
    /// Change set ARN.
    pub id: String,
    /// Stack ARN.
    pub stack_id: String,
    /// Resource changes.
    pub changes: Vec<ResourceChange>,
}

/// Result of creating a change set.
#[derive(Debug)]
pub(crate) enum Created {
    Ready(ChangeSet),
    /// Nothing to change; the empty change set was deleted.
    NoChanges,
}

/// Reasons CloudFormation gives for a change set that would change nothing.
fn is_no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// Creates a change set and waits until it is ready (or turns out empty).
pub(crate) async fn create(
    session: &Session,
    request: &StackRequest,
    kind: ChangeSetType,
) -> Result<Created> {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let (body, url) = request.body_and_url();
    let sent = session
        .cfn()
        .create_change_set()
        .stack_name(&request.stack_name)
        .change_set_name(format!("rcdk-deploy-{millis}"))
        .change_set_type(kind)
        .client_token(request_token("changeset"))
        .set_template_body(body)
        .set_template_url(url)
        .set_capabilities(Some(request.capabilities.clone()))
        .set_parameters(Some(request.parameters.clone()))
        .set_tags(Some(request.tags.clone()))
        // Another account's environment: CloudFormation acts as its execution role.
        .set_role_arn(session.execution_role.clone())
        .send()
        .await;
    let out = match sent {
        Ok(out) => out,
        // Some endpoints refuse an empty change set up front instead of failing it.
        Err(e) if error_message(&e).is_some_and(is_no_changes) => return Ok(Created::NoChanges),
        Err(e) => return Err(Error::aws("CreateChangeSet", &request.stack_name, e)),
    };
    let id = out.id().unwrap_or_default().to_string();
    session
        .output
        .status(format!("{}: creating change set", request.stack_name));
    loop {
        let (status, reason, set) = describe(session, &request.stack_name, &id).await?;
        match status {
            ChangeSetStatus::CreatePending | ChangeSetStatus::CreateInProgress => {
                tokio::time::sleep(session.poll_interval).await;
            }
            ChangeSetStatus::CreateComplete => {
                session.output.clear_status();
                return Ok(Created::Ready(set));
            }
            _ => {
                session.output.clear_status();
                if is_no_changes(&reason) {
                    delete(session, &request.stack_name, &id).await?;
                    return Ok(Created::NoChanges);
                }
                return Err(Error::Aws {
                    operation: "CreateChangeSet",
                    stack: request.stack_name.clone(),
                    message: format!("the change set failed: {reason}"),
                });
            }
        }
    }
}

/// Status, status reason and contents of a change set (all pages of changes).
pub(crate) async fn describe(
    session: &Session,
    stack: &str,
    id: &str,
) -> Result<(ChangeSetStatus, String, ChangeSet)> {
    let mut changes = Vec::new();
    let mut token = None;
    loop {
        let out = session
            .cfn()
            .describe_change_set()
            .change_set_name(id)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| Error::aws("DescribeChangeSet", stack, e))?;
        for c in out.changes() {
            if let Some(rc) = c.resource_change() {
                changes.push(ResourceChange {
                    action: rc
                        .action()
                        .map(|a| a.as_str().to_string())
                        .unwrap_or_default(),
                    logical_id: rc.logical_resource_id().unwrap_or("?").to_string(),
                    resource_type: rc.resource_type().unwrap_or("?").to_string(),
                    replacement: rc.replacement().map(|r| r.as_str().to_string()),
                });
            }
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            let status = out.status().cloned().unwrap_or(ChangeSetStatus::Failed);
            let reason = out.status_reason().unwrap_or("no reason given").to_string();
            let set = ChangeSet {
                id: out.change_set_id().unwrap_or(id).to_string(),
                stack_id: out.stack_id().unwrap_or(stack).to_string(),
                changes,
            };
            return Ok((status, reason, set));
        }
    }
}

/// Deletes a change set (an empty one, or one the user declined).
pub(crate) async fn delete(session: &Session, stack: &str, id: &str) -> Result<()> {
    session
        .cfn()
        .delete_change_set()
        .change_set_name(id)
        .send()
        .await
        .map_err(|e| Error::aws("DeleteChangeSet", stack, e))?;
    Ok(())
}

/// Executes a change set.
pub(crate) async fn execute(session: &Session, stack: &str, id: &str) -> Result<()> {
    session
        .cfn()
        .execute_change_set()
        .change_set_name(id)
        .client_request_token(request_token("execute"))
        .send()
        .await
        .map_err(|e| Error::aws("ExecuteChangeSet", stack, e))?;
    Ok(())
}

/// Changes that delete or may replace a resource holding data.
pub fn data_loss<'a>(set: &'a ChangeSet, stateful_ids: &'a [String]) -> Vec<&'a ResourceChange> {
    set.changes
        .iter()
        .filter(|c| c.destroys())
        .filter(|c| stateful_ids.contains(&c.logical_id) || is_stateful_type(&c.resource_type))
        .collect()
}

/// One line per change, with replacement and a loud mark on data loss.
pub fn render(stack: &str, set: &ChangeSet, stateful_ids: &[String]) -> String {
    let lost = data_loss(set, stateful_ids);
    let mut out = format!("{stack}: change set with {} change(s)\n", set.changes.len());
    for c in &set.changes {
        let replacement = match c.replacement.as_deref() {
            Some("True") => "  replacement: yes",
            Some("Conditional") => "  replacement: maybe",
            Some(_) if c.action == "Modify" => "  replacement: no",
            _ => "",
        };
        out.push_str(&format!(
            "  {:<8} {:<34} {}{replacement}\n",
            c.action, c.resource_type, c.logical_id
        ));
    }
    for c in lost {
        let verb = if c.action == "Remove" {
            "DELETED"
        } else {
            "REPLACED"
        };
        out.push_str(&format!(
            "!!! DATA LOSS: {} {} holds data and will be {verb}\n",
            c.resource_type, c.logical_id
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(action: &str, id: &str, rtype: &str, replacement: Option<&str>) -> ResourceChange {
        ResourceChange {
            action: action.into(),
            logical_id: id.into(),
            resource_type: rtype.into(),
            replacement: replacement.map(str::to_string),
        }
    }

    #[test]
    fn replaced_or_removed_stateful_resources_are_called_out() {
        let set = ChangeSet {
            id: "cs".into(),
            stack_id: "s".into(),
            changes: vec![
                change("Modify", "Bucket", "AWS::S3::Bucket", Some("True")),
                change("Modify", "Topic", "AWS::SNS::Topic", Some("True")),
                change("Remove", "Db", "Custom::Db", None),
                change("Modify", "Q", "AWS::SQS::Queue", Some("False")),
                change("Add", "New", "AWS::S3::Bucket", None),
            ],
        };
        let stateful = ["Db".to_string()];
        let ids: Vec<&str> = data_loss(&set, &stateful)
            .iter()
            .map(|c| c.logical_id.as_str())
            .collect();
        assert_eq!(ids, vec!["Bucket", "Db"]);
        let text = render("S", &set, &stateful);
        assert!(text.contains("replacement: yes"), "{text}");
        assert!(text.contains("replacement: no"), "{text}");
        assert!(
            text.contains("!!! DATA LOSS: AWS::S3::Bucket Bucket holds data and will be REPLACED"),
            "{text}"
        );
        assert!(
            text.contains("!!! DATA LOSS: Custom::Db Db holds data and will be DELETED"),
            "{text}"
        );
    }

    #[test]
    fn recognises_the_no_changes_reasons() {
        assert!(is_no_changes("The submitted information didn't contain changes. Submit different information to create a change set."));
        assert!(is_no_changes("No updates are to be performed."));
        assert!(!is_no_changes("Template format error"));
    }
}
