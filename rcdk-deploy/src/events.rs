//! Stack events: fetching the ones that are new since an operation started, and printing them.

use std::collections::HashSet;

use aws_sdk_cloudformation::primitives::DateTimeFormat;
use aws_sdk_cloudformation::types::StackEvent;
use aws_sdk_cloudformation::Client;

use crate::errors::{Error, Result};

/// Pages of 100 events read per poll at most; more than that between two polls is not
/// something a person reads anyway.
const MAX_PAGES: usize = 5;

/// A failed resource seen during an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Logical id of the resource (or the stack name for stack-level events).
    pub logical_id: String,
    /// Resource type.
    pub resource_type: String,
    /// Status such as `CREATE_FAILED`.
    pub status: String,
    /// CloudFormation's reason.
    pub reason: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}) {}: {}",
            self.logical_id, self.resource_type, self.status, self.reason
        )
    }
}

/// Follows the events of one stack operation.
#[derive(Debug)]
pub(crate) struct EventTracker {
    stack: String,
    seen: HashSet<String>,
    /// Newest event before the operation; events from there on back are history.
    marker: Option<String>,
    failures: Vec<Failure>,
}

impl EventTracker {
    /// Tracker for a stack that has no history worth skipping (just created).
    pub(crate) fn fresh(stack: &str) -> EventTracker {
        EventTracker {
            stack: stack.to_string(),
            seen: HashSet::new(),
            marker: None,
            failures: Vec::new(),
        }
    }

    /// Tracker that ignores every event that exists now.
    pub(crate) async fn after_latest(cfn: &Client, stack: &str) -> Result<EventTracker> {
        let page = cfn
            .describe_stack_events()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| Error::aws("DescribeStackEvents", stack, e))?;
        let marker = page
            .stack_events()
            .first()
            .and_then(|e| e.event_id())
            .map(str::to_string);
        Ok(EventTracker {
            marker,
            ..EventTracker::fresh(stack)
        })
    }

    /// Events that arrived since the last poll, oldest first.
    pub(crate) async fn poll(&mut self, cfn: &Client) -> Result<Vec<StackEvent>> {
        let mut fresh = Vec::new();
        let mut token: Option<String> = None;
        'pages: for _ in 0..MAX_PAGES {
            let page = cfn
                .describe_stack_events()
                .stack_name(&self.stack)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| Error::aws("DescribeStackEvents", &self.stack, e))?;
            for event in page.stack_events() {
                let id = event.event_id().unwrap_or_default();
                if self.marker.as_deref() == Some(id) || self.seen.contains(id) {
                    break 'pages;
                }
                fresh.push(event.clone());
            }
            match page.next_token() {
                Some(next) => token = Some(next.to_string()),
                None => break,
            }
        }
        fresh.reverse();
        for event in &fresh {
            self.seen
                .insert(event.event_id().unwrap_or_default().to_string());
            let status = event
                .resource_status()
                .map(|s| s.as_str())
                .unwrap_or_default();
            if status.ends_with("_FAILED") {
                self.failures.push(Failure {
                    logical_id: event.logical_resource_id().unwrap_or("?").to_string(),
                    resource_type: event.resource_type().unwrap_or("?").to_string(),
                    status: status.to_string(),
                    reason: event
                        .resource_status_reason()
                        .unwrap_or("no reason given")
                        .to_string(),
                });
            }
        }
        Ok(fresh)
    }

    /// The failure that started it all: the first one that is not a knock-on cancellation.
    pub(crate) fn first_failure(&self) -> Option<&Failure> {
        self.failures
            .iter()
            .find(|f| !is_knock_on(&f.reason))
            .or_else(|| self.failures.first())
    }
}

/// Reasons CloudFormation gives to resources that failed only because another one did.
fn is_knock_on(reason: &str) -> bool {
    let reason = reason.to_ascii_lowercase();
    reason.contains("cancelled") || reason.contains("resource(s) failed to")
}

/// One line per event: time, status, type, logical id and reason.
pub fn format_event(event: &StackEvent) -> String {
    let time = event
        .timestamp()
        .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
        .and_then(|t| t.get(11..19).map(str::to_string))
        .unwrap_or_else(|| "--:--:--".to_string());
    let status = event.resource_status().map(|s| s.as_str()).unwrap_or("?");
    let mut line = format!(
        "{time}  {status:<28} {:<34} {}",
        event.resource_type().unwrap_or("?"),
        event.logical_resource_id().unwrap_or("?")
    );
    if let Some(reason) = event.resource_status_reason().filter(|r| !r.is_empty()) {
        line.push_str(&format!("  {reason}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudformation::primitives::DateTime;
    use aws_sdk_cloudformation::types::ResourceStatus;

    #[test]
    fn formats_time_status_type_id_and_reason() {
        let event = StackEvent::builder()
            .event_id("1")
            .stack_id("id")
            .stack_name("S")
            .timestamp(DateTime::from_secs(3_600 * 5 + 61))
            .logical_resource_id("Queue")
            .resource_type("AWS::SQS::Queue")
            .resource_status(ResourceStatus::CreateFailed)
            .resource_status_reason("Access denied")
            .build();
        let line = format_event(&event);
        assert!(line.starts_with("05:01:01  CREATE_FAILED"), "{line}");
        assert!(line.contains("AWS::SQS::Queue"), "{line}");
        assert!(line.contains("Queue  Access denied"), "{line}");
    }

    #[test]
    fn knock_on_failures_are_not_the_cause() {
        let mut tracker = EventTracker::fresh("S");
        tracker.failures = vec![
            Failure {
                logical_id: "A".into(),
                resource_type: "T".into(),
                status: "CREATE_FAILED".into(),
                reason: "Resource creation cancelled".into(),
            },
            Failure {
                logical_id: "B".into(),
                resource_type: "T".into(),
                status: "CREATE_FAILED".into(),
                reason: "Bucket name taken".into(),
            },
        ];
        assert_eq!(
            tracker.first_failure().map(|f| f.logical_id.as_str()),
            Some("B")
        );
    }
}
