//! A stack in another account whose deploy role cannot be assumed: replayed from STS's
//! (awsQuery XML) answers, since moto lets any role of any account be assumed. The error names
//! the environment, the role, STS's reason and the bootstrap that lets this account in.

mod common;

use aws_sdk_cloudformation::config::SharedHttpClient;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use common::{queue_template, sdk_config, write_assembly, TestStack};
use rcdk_deploy::{Assembly, Clients, Confirm, DeployOptions, Error};

const HOME: &str = "123456789012";
const OTHER: &str = "210987654321";

fn event(body: String, status: u16) -> ReplayEvent {
    ReplayEvent::new(
        http::Request::builder()
            .uri("http://127.0.0.1:1/")
            .body(SdkBody::empty())
            .unwrap(),
        http::Response::builder()
            .status(status)
            .header("content-type", "text/xml")
            .body(SdkBody::from(body))
            .unwrap(),
    )
}

fn caller_identity() -> ReplayEvent {
    event(
        format!(
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <GetCallerIdentityResult><Arn>arn:aws:iam::{HOME}:user/dev</Arn>\
             <UserId>AIDAEXAMPLE</UserId><Account>{HOME}</Account></GetCallerIdentityResult>\
             <ResponseMetadata><RequestId>8c6b4f2e-0000-4000-8000-000000000010</RequestId></ResponseMetadata>\
             </GetCallerIdentityResponse>"
        ),
        200,
    )
}

fn assume_role_denied() -> ReplayEvent {
    event(
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
             <Code>AccessDenied</Code><Message>User: arn:aws:iam::{HOME}:user/dev is not authorized to perform: \
             sts:AssumeRole on resource: arn:aws:iam::{OTHER}:role/cdk-hnb659fds-deploy-role-{OTHER}-eu-west-1</Message>\
             </Error><RequestId>8c6b4f2e-0000-4000-8000-000000000011</RequestId></ErrorResponse>"
        ),
        403,
    )
}

#[tokio::test]
async fn a_deploy_role_that_cannot_be_assumed_names_the_environment_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    write_assembly(
        dir.path(),
        &[TestStack::new("Other", queue_template("q")).in_env(OTHER, "eu-west-1")],
    );
    let assembly = Assembly::load(dir.path()).unwrap();
    let replay = StaticReplayClient::new(vec![caller_identity(), assume_role_denied()]);
    let sdk = sdk_config(
        "http://127.0.0.1:1",
        Some(SharedHttpClient::new(replay.clone())),
    );
    let (deploy, _out) = common::deployer(Clients::from_sdk_config(&sdk).unwrap(), Confirm::yes());
    let err = deploy
        .deploy(&assembly, &DeployOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::EnvironmentUnreachable { .. }),
        "{err:?}"
    );
    let text = err.to_string();
    for part in [
        format!("stack Other is for aws://{OTHER}/eu-west-1"),
        format!("arn:aws:iam::{OTHER}:role/cdk-hnb659fds-deploy-role-{OTHER}-eu-west-1"),
        "AccessDenied".to_string(),
        format!(
            "`cargo rcdk bootstrap aws://{OTHER}/eu-west-1 --trust {HOME} --cloudformation-execution-policies POLICY_ARN`"
        ),
        format!("with credentials of account {OTHER}"),
        format!("nothing was changed in aws://{OTHER}/eu-west-1"),
    ] {
        assert!(text.contains(&part), "{part:?} missing from: {text}");
    }
    // GetCallerIdentity, then AssumeRole with the deploy role and the session name; nothing
    // was sent to CloudFormation.
    let requests: Vec<String> = replay
        .actual_requests()
        .map(|r| String::from_utf8_lossy(r.body().bytes().unwrap_or_default()).into_owned())
        .collect();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(
        requests[0].contains("Action=GetCallerIdentity"),
        "{requests:?}"
    );
    assert!(
        requests[1].contains("Action=AssumeRole")
            && requests[1].contains("RoleSessionName=rcdk-deploy")
            && requests[1].contains("cdk-hnb659fds-deploy-role-210987654321-eu-west-1"),
        "{requests:?}"
    );
}
