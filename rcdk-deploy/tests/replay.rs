//! Stack states moto cannot produce, replayed from realistic CloudFormation (awsQuery XML)
//! responses: re-creating a ROLLBACK_COMPLETE stack, a failed create and a failed update with
//! their rollbacks, `--timeout` cancelling an update, and waiting for a stack in progress.

mod common;

use std::time::Duration;

use aws_sdk_cloudformation::config::SharedHttpClient;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use common::{queue_template, sdk_config, write_assembly, TestStack};
use rcdk_deploy::{Assembly, Clients, Confirm, Deploy, DeployOptions, Error, Output, StackOutcome};

const ARN: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/test-App/1111";
const ARN2: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/test-App/2222";
const CS_ARN: &str = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/cdk-deploy-1/3333";

fn event(request_body: String, status: u16) -> ReplayEvent {
    ReplayEvent::new(
        http::Request::builder()
            .uri("http://127.0.0.1:1/")
            .body(SdkBody::empty())
            .unwrap(),
        http::Response::builder()
            .status(status)
            .header("content-type", "text/xml")
            .body(SdkBody::from(request_body))
            .unwrap(),
    )
}

/// A successful awsQuery response for `action` with `result` inside its Result element.
fn ok(action: &str, result: &str) -> ReplayEvent {
    event(
        format!(
            "<{action}Response><{action}Result>{result}</{action}Result>\
             <ResponseMetadata><RequestId>8c6b4f2e-0000-4000-8000-000000000000</RequestId></ResponseMetadata>\
             </{action}Response>"
        ),
        200,
    )
}

/// An operation without output (DeleteStack, CancelUpdateStack, ...).
fn empty(action: &str) -> ReplayEvent {
    event(
        format!(
            "<{action}Response><ResponseMetadata><RequestId>8c6b4f2e-0000-4000-8000-000000000001</RequestId></ResponseMetadata></{action}Response>"
        ),
        200,
    )
}

fn error(code: &str, message: &str) -> ReplayEvent {
    event(
        format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
             <RequestId>8c6b4f2e-0000-4000-8000-000000000002</RequestId></ErrorResponse>"
        ),
        400,
    )
}

fn stack(arn: &str, status: &str, protection: bool) -> ReplayEvent {
    ok(
        "DescribeStacks",
        &format!(
            "<Stacks><member><StackId>{arn}</StackId><StackName>test-App</StackName>\
             <CreationTime>2026-01-01T10:00:00.000Z</CreationTime><StackStatus>{status}</StackStatus>\
             <EnableTerminationProtection>{protection}</EnableTerminationProtection>\
             <Capabilities><member>CAPABILITY_NAMED_IAM</member></Capabilities></member></Stacks>"
        ),
    )
}

/// Events newest first, as DescribeStackEvents returns them: (id, logical id, type, status, reason).
fn events(arn: &str, list: &[(&str, &str, &str, &str, &str)]) -> ReplayEvent {
    let members: String = list
        .iter()
        .enumerate()
        .map(|(i, (id, logical, rtype, status, reason))| {
            format!(
                "<member><StackId>{arn}</StackId><EventId>{id}</EventId><StackName>test-App</StackName>\
                 <LogicalResourceId>{logical}</LogicalResourceId><ResourceType>{rtype}</ResourceType>\
                 <Timestamp>2026-01-01T10:00:{:02}.000Z</Timestamp><ResourceStatus>{status}</ResourceStatus>\
                 <ResourceStatusReason>{reason}</ResourceStatusReason></member>",
                59 - i
            )
        })
        .collect();
    ok(
        "DescribeStackEvents",
        &format!("<StackEvents>{members}</StackEvents>"),
    )
}

const STACK: &str = "AWS::CloudFormation::Stack";

fn change_set_ready() -> Vec<ReplayEvent> {
    vec![
        ok(
            "CreateChangeSet",
            &format!("<Id>{CS_ARN}</Id><StackId>{ARN}</StackId>"),
        ),
        ok(
            "DescribeChangeSet",
            &format!(
                "<ChangeSetName>rcdk-deploy-1</ChangeSetName><ChangeSetId>{CS_ARN}</ChangeSetId>\
                 <StackId>{ARN}</StackId><StackName>test-App</StackName><Status>CREATE_COMPLETE</Status>\
                 <ExecutionStatus>AVAILABLE</ExecutionStatus><Changes><member><Type>Resource</Type>\
                 <ResourceChange><Action>Modify</Action><LogicalResourceId>Queue</LogicalResourceId>\
                 <ResourceType>AWS::SQS::Queue</ResourceType><Replacement>False</Replacement>\
                 </ResourceChange></member></Changes>"
            ),
        ),
        ok(
            "GetTemplate",
            "<TemplateBody>{&quot;Resources&quot;: {&quot;Queue&quot;: {&quot;Type&quot;: &quot;AWS::SQS::Queue&quot;, &quot;Properties&quot;: {&quot;QueueName&quot;: &quot;old&quot;}}}}</TemplateBody>",
        ),
    ]
}

struct Harness {
    replay: StaticReplayClient,
    deploy: Deploy,
    out: rcdk_deploy::Captured,
    assembly: Assembly,
    _dir: tempfile::TempDir,
}

fn harness(responses: Vec<ReplayEvent>, confirm: Confirm, protection: bool) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let mut app = TestStack::new("App", queue_template("new"));
    app.termination_protection = protection;
    write_assembly(dir.path(), &[app]);
    let replay = StaticReplayClient::new(responses);
    let sdk = sdk_config(
        "http://127.0.0.1:1",
        Some(SharedHttpClient::new(replay.clone())),
    );
    let (output, out) = Output::capture();
    let deploy = Deploy::new(Clients::from_sdk_config(&sdk).unwrap())
        .with_output(output)
        .with_confirm(confirm)
        .with_poll_interval(Duration::ZERO)
        .with_ctrl_c(false);
    Harness {
        replay,
        deploy,
        out,
        assembly: Assembly::load(dir.path()).unwrap(),
        _dir: dir,
    }
}

/// The `Action=` of every request sent, in order.
fn actions(replay: &StaticReplayClient) -> Vec<String> {
    replay
        .actual_requests()
        .map(|r| {
            let body =
                std::str::from_utf8(r.body().bytes().unwrap_or_default()).unwrap_or_default();
            body.split('&')
                .find_map(|kv| kv.strip_prefix("Action="))
                .unwrap_or("?")
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn rollback_complete_stack_is_deleted_and_created_again() {
    let h = harness(
        vec![
            stack(ARN, "ROLLBACK_COMPLETE", false),
            events(ARN, &[("e2", "test-App", STACK, "ROLLBACK_COMPLETE", "")]),
            empty("DeleteStack"),
            events(
                ARN,
                &[
                    ("e4", "test-App", STACK, "DELETE_COMPLETE", ""),
                    (
                        "e3",
                        "test-App",
                        STACK,
                        "DELETE_IN_PROGRESS",
                        "User Initiated",
                    ),
                    ("e2", "test-App", STACK, "ROLLBACK_COMPLETE", ""),
                ],
            ),
            stack(ARN, "DELETE_COMPLETE", false),
            ok("CreateStack", &format!("<StackId>{ARN2}</StackId>")),
            events(
                ARN2,
                &[
                    ("e6", "test-App", STACK, "CREATE_COMPLETE", ""),
                    ("e5", "Queue", "AWS::SQS::Queue", "CREATE_COMPLETE", ""),
                ],
            ),
            stack(ARN2, "CREATE_COMPLETE", false),
        ],
        Confirm::no_terminal(),
        false,
    );
    let options = DeployOptions {
        force: true,
        ..DeployOptions::default()
    };
    let report = h.deploy.deploy(&h.assembly, &options).await.unwrap();
    assert_eq!(
        report.stacks,
        vec![("test-App".to_string(), StackOutcome::Created)]
    );
    assert_eq!(
        actions(&h.replay),
        [
            "DescribeStacks",
            "DescribeStackEvents",
            "DeleteStack",
            "DescribeStackEvents",
            "DescribeStacks",
            "CreateStack",
            "DescribeStackEvents",
            "DescribeStacks"
        ]
    );
    let text = h.out.text();
    assert!(
        text.contains("Delete it and create it again? yes (--force)"),
        "{text}"
    );
    assert!(text.contains("DELETE_IN_PROGRESS"), "{text}");
    assert!(
        !text.contains("ROLLBACK_COMPLETE    "),
        "old events are not printed again:\n{text}"
    );
    assert!(
        text.contains("test-App: created (CREATE_COMPLETE)"),
        "{text}"
    );
}

#[tokio::test]
async fn rollback_complete_needs_confirmation_without_force() {
    let h = harness(
        vec![stack(ARN, "ROLLBACK_COMPLETE", false)],
        Confirm::no_terminal(),
        false,
    );
    let err = h
        .deploy
        .deploy(&h.assembly, &DeployOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NeedsConfirmation { .. }), "{err:?}");
    assert!(
        err.to_string().contains("ROLLBACK_COMPLETE") && err.to_string().contains("--yes"),
        "{err}"
    );
    assert_eq!(actions(&h.replay), ["DescribeStacks"]);
}

#[tokio::test]
async fn failed_create_names_the_first_failure_and_the_rollback() {
    let h = harness(
        vec![
            error("ValidationError", "Stack with id test-App does not exist"),
            ok("CreateStack", &format!("<StackId>{ARN}</StackId>")),
            events(ARN, &[
                ("e7", "test-App", STACK, "ROLLBACK_COMPLETE", ""),
                ("e6", "Queue", "AWS::SQS::Queue", "DELETE_COMPLETE", ""),
                ("e5", "test-App", STACK, "ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [Queue, Topic]. Rollback requested by user."),
                ("e4", "Topic", "AWS::SNS::Topic", "CREATE_FAILED", "Resource creation cancelled"),
                ("e3", "Queue", "AWS::SQS::Queue", "CREATE_FAILED", "Resource handler returned message: &quot;Queue new already exists&quot;"),
                ("e2", "Queue", "AWS::SQS::Queue", "CREATE_IN_PROGRESS", ""),
                ("e1", "test-App", STACK, "CREATE_IN_PROGRESS", "User Initiated"),
            ]),
            stack(ARN, "ROLLBACK_COMPLETE", false),
        ],
        Confirm::no_terminal(),
        false,
    );
    let err = h
        .deploy
        .deploy(&h.assembly, &DeployOptions::default())
        .await
        .unwrap_err();
    match &err {
        Error::StackFailed {
            stack,
            reason,
            outcome,
        } => {
            assert_eq!(stack, "test-App");
            assert_eq!(
                reason,
                "Queue (AWS::SQS::Queue) CREATE_FAILED: Resource handler returned message: \"Queue new already exists\""
            );
            assert!(
                outcome.contains("the create was rolled back")
                    && outcome.contains("ROLLBACK_COMPLETE"),
                "{outcome}"
            );
        }
        other => panic!("expected StackFailed, got {other:?}"),
    }
    let text = h.out.text();
    let started = text.find("CREATE_IN_PROGRESS").unwrap();
    let failed = text.find("CREATE_FAILED").unwrap();
    assert!(started < failed, "events print oldest first:\n{text}");
}

#[tokio::test]
async fn failed_update_reports_its_rollback() {
    let mut responses = vec![stack(ARN, "UPDATE_COMPLETE", false)];
    responses.extend(change_set_ready());
    responses.extend([
        events(ARN, &[("e1", "test-App", STACK, "UPDATE_COMPLETE", "")]),
        empty("ExecuteChangeSet"),
        events(
            ARN,
            &[
                ("e6", "test-App", STACK, "UPDATE_ROLLBACK_COMPLETE", ""),
                ("e5", "Queue", "AWS::SQS::Queue", "UPDATE_COMPLETE", ""),
                (
                    "e4",
                    "test-App",
                    STACK,
                    "UPDATE_ROLLBACK_IN_PROGRESS",
                    "The following resource(s) failed to update: [Queue].",
                ),
                (
                    "e3",
                    "Queue",
                    "AWS::SQS::Queue",
                    "UPDATE_FAILED",
                    "Invalid value for the parameter DelaySeconds",
                ),
                (
                    "e2",
                    "test-App",
                    STACK,
                    "UPDATE_IN_PROGRESS",
                    "User Initiated",
                ),
                ("e1", "test-App", STACK, "UPDATE_COMPLETE", ""),
            ],
        ),
        stack(ARN, "UPDATE_ROLLBACK_COMPLETE", false),
    ]);
    let h = harness(responses, Confirm::no_terminal(), false);
    let err = h
        .deploy
        .deploy(&h.assembly, &DeployOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "stack test-App failed: Queue (AWS::SQS::Queue) UPDATE_FAILED: Invalid value for the parameter DelaySeconds; \
         the update was rolled back; the stack is as it was before (stack status UPDATE_ROLLBACK_COMPLETE)"
    );
    assert_eq!(
        actions(&h.replay),
        [
            "DescribeStacks",
            "CreateChangeSet",
            "DescribeChangeSet",
            "GetTemplate",
            "DescribeStackEvents",
            "ExecuteChangeSet",
            "DescribeStackEvents",
            "DescribeStacks"
        ]
    );
    assert!(
        h.out
            .text()
            .contains("Modify   AWS::SQS::Queue                    Queue  replacement: no"),
        "{}",
        h.out.text()
    );
}

#[tokio::test]
async fn timeout_cancels_a_running_update() {
    let mut responses = vec![stack(ARN, "UPDATE_COMPLETE", false)];
    responses.extend(change_set_ready());
    responses.extend([
        events(ARN, &[("e1", "test-App", STACK, "UPDATE_COMPLETE", "")]),
        empty("ExecuteChangeSet"),
        events(
            ARN,
            &[
                (
                    "e2",
                    "test-App",
                    STACK,
                    "UPDATE_IN_PROGRESS",
                    "User Initiated",
                ),
                ("e1", "test-App", STACK, "UPDATE_COMPLETE", ""),
            ],
        ),
        stack(ARN, "UPDATE_IN_PROGRESS", false),
        empty("CancelUpdateStack"),
        events(
            ARN,
            &[
                ("e4", "test-App", STACK, "UPDATE_ROLLBACK_COMPLETE", ""),
                (
                    "e3",
                    "test-App",
                    STACK,
                    "UPDATE_ROLLBACK_IN_PROGRESS",
                    "Stack update cancelled",
                ),
                (
                    "e2",
                    "test-App",
                    STACK,
                    "UPDATE_IN_PROGRESS",
                    "User Initiated",
                ),
            ],
        ),
        stack(ARN, "UPDATE_ROLLBACK_COMPLETE", false),
    ]);
    let h = harness(responses, Confirm::no_terminal(), false);
    let options = DeployOptions {
        timeout: Some(Duration::ZERO),
        ..DeployOptions::default()
    };
    let err = h.deploy.deploy(&h.assembly, &options).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        err.to_string().contains(
            "cancelled the update (CancelUpdateStack); it ended as UPDATE_ROLLBACK_COMPLETE"
        ),
        "{err}"
    );
    let sent = actions(&h.replay);
    assert_eq!(
        sent.iter().filter(|a| *a == "CancelUpdateStack").count(),
        1,
        "{sent:?}"
    );
    assert_eq!(sent.last().map(String::as_str), Some("DescribeStacks"));
    assert!(
        h.out.text().contains("cancelling the update"),
        "{}",
        h.out.text()
    );
}

#[tokio::test]
async fn stack_in_progress_is_waited_for_then_updated() {
    let h = harness(
        vec![
            stack(ARN, "UPDATE_IN_PROGRESS", false),
            events(ARN, &[("e1", "test-App", STACK, "UPDATE_IN_PROGRESS", "User Initiated")]),
            events(ARN, &[
                ("e2", "test-App", STACK, "UPDATE_COMPLETE", ""),
                ("e1", "test-App", STACK, "UPDATE_IN_PROGRESS", "User Initiated"),
            ]),
            stack(ARN, "UPDATE_COMPLETE", false),
            stack(ARN, "UPDATE_COMPLETE", false),
            ok("CreateChangeSet", &format!("<Id>{CS_ARN}</Id><StackId>{ARN}</StackId>")),
            ok(
                "DescribeChangeSet",
                &format!(
                    "<ChangeSetId>{CS_ARN}</ChangeSetId><StackId>{ARN}</StackId><Status>FAILED</Status>\
                     <StatusReason>The submitted information didn't contain changes. Submit different information to create a change set.</StatusReason>\
                     <ExecutionStatus>UNAVAILABLE</ExecutionStatus>"
                ),
            ),
            empty("DeleteChangeSet"),
            ok("UpdateTerminationProtection", &format!("<StackId>{ARN}</StackId>")),
        ],
        Confirm::no_terminal(),
        true,
    );
    let report = h
        .deploy
        .deploy(&h.assembly, &DeployOptions::default())
        .await
        .unwrap();
    assert_eq!(
        report.stacks,
        vec![("test-App".to_string(), StackOutcome::NoChanges)]
    );
    assert_eq!(
        actions(&h.replay),
        [
            "DescribeStacks",
            "DescribeStackEvents",
            "DescribeStackEvents",
            "DescribeStacks",
            "DescribeStacks",
            "CreateChangeSet",
            "DescribeChangeSet",
            "DeleteChangeSet",
            "UpdateTerminationProtection"
        ]
    );
    let text = h.out.text();
    assert!(
        text.contains(
            "test-App: UPDATE_IN_PROGRESS is in progress; waiting for it to finish first"
        ),
        "{text}"
    );
    assert!(
        text.contains("test-App: termination protection enabled"),
        "{text}"
    );
    assert!(text.ends_with("test-App: no changes\n"), "{text}");
}

/// `name=value` of a form-encoded request body field.
fn field(body: Option<&[u8]>, name: &str) -> Option<String> {
    let body = std::str::from_utf8(body.unwrap_or_default()).unwrap_or_default();
    body.split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .map(str::to_string)
}

fn server_error() -> ReplayEvent {
    event(
        "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code>\
         <Message>We encountered an internal error. Please try again.</Message></Error>\
         <RequestId>8c6b4f2e-0000-4000-8000-000000000003</RequestId></ErrorResponse>"
            .to_string(),
        500,
    )
}

#[tokio::test]
async fn create_stack_retried_after_a_server_error_reuses_its_request_token() {
    let h = harness(
        vec![
            error("ValidationError", "Stack with id test-App does not exist"),
            server_error(),
            ok("CreateStack", &format!("<StackId>{ARN}</StackId>")),
            events(
                ARN,
                &[
                    ("e2", "test-App", STACK, "CREATE_COMPLETE", ""),
                    ("e1", "Queue", "AWS::SQS::Queue", "CREATE_COMPLETE", ""),
                ],
            ),
            stack(ARN, "CREATE_COMPLETE", false),
        ],
        Confirm::no_terminal(),
        false,
    );
    let report = h
        .deploy
        .deploy(&h.assembly, &DeployOptions::default())
        .await
        .unwrap();
    assert_eq!(
        report.stacks,
        vec![("test-App".to_string(), StackOutcome::Created)]
    );
    assert_eq!(
        actions(&h.replay)[..3],
        ["DescribeStacks", "CreateStack", "CreateStack"]
    );
    let creates: Vec<Option<String>> = h
        .replay
        .actual_requests()
        .skip(1)
        .take(2)
        .map(|r| field(r.body().bytes(), "ClientRequestToken"))
        .collect();
    let first = creates[0]
        .clone()
        .expect("CreateStack sends a ClientRequestToken");
    assert!(first.starts_with("cdk-create-"), "{first}");
    assert_eq!(
        creates[1].as_ref(),
        Some(&first),
        "the retry is the same request"
    );
}
