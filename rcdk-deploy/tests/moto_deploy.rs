//! Deploy, update, no-op, failure, S3 upload and capabilities against a moto server.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_sdk_cloudformation::config::interceptors::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_cloudformation::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cloudformation::error::BoxError;
use common::{clients, deployer, queue_template, sdk_config, write_assembly, TestStack};
use rcdk_deploy::{Assembly, Confirm, DeployOptions, Error, StackOutcome, StackParameter};
use rcdk_testkit::moto::MotoServer;
use serde_json::json;

fn moto() -> MotoServer {
    MotoServer::start().unwrap_or_else(|e| panic!("moto server: {e}"))
}

#[tokio::test]
async fn create_update_and_no_op() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let template = |with_topic: bool| {
        let mut t = json!({
            "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
            "Resources": {
                "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "orders"}},
                "Setting": {"Type": "AWS::SSM::Parameter", "Properties": {
                    "Name": "/app/env", "Type": "String", "Value": {"Ref": "Env"}}}
            },
            "Outputs": {"QueueUrl": {"Value": {"Ref": "Queue"}}}
        });
        if with_topic {
            t["Resources"]["Topic"] = json!({"Type": "AWS::SNS::Topic"});
        }
        t
    };
    let mut stack = TestStack::new("Queues", template(false));
    stack.tags = vec![("team", "infra")];
    stack.termination_protection = true;
    write_assembly(dir.path(), &[stack]);
    let clients = clients(&moto.endpoint_url());
    let cfn = clients.cloudformation().clone();
    let (deploy, out) = deployer(clients, Confirm::no_terminal());
    let options = DeployOptions {
        parameters: vec!["Queues:Env=prod".parse::<StackParameter>().unwrap()],
        ..DeployOptions::default()
    };

    // Create.
    let assembly = Assembly::load(dir.path()).unwrap();
    let report = deploy.deploy(&assembly, &options).await.unwrap();
    assert_eq!(
        report.stacks,
        vec![("test-Queues".to_string(), StackOutcome::Created)]
    );
    let described = cfn
        .describe_stacks()
        .stack_name("test-Queues")
        .send()
        .await
        .unwrap();
    let s = &described.stacks()[0];
    assert_eq!(s.stack_status().unwrap().as_str(), "CREATE_COMPLETE");
    assert_eq!(s.enable_termination_protection(), Some(true));
    assert!(s
        .tags()
        .iter()
        .any(|t| t.key() == Some("team") && t.value() == Some("infra")));
    let env = s
        .parameters()
        .iter()
        .find(|p| p.parameter_key() == Some("Env"))
        .unwrap();
    assert_eq!(env.parameter_value(), Some("prod"));
    let text = out.text();
    assert!(text.contains("test-Queues: creating stack"), "{text}");
    assert!(text.contains("CREATE_COMPLETE"), "{text}");
    assert!(
        text.contains("test-Queues: created (CREATE_COMPLETE)"),
        "{text}"
    );
    assert!(text.contains("test-Queues.QueueUrl = "), "{text}");

    // Update through a change set; the parameter keeps its previous value. (moto does not
    // implement UpdateTerminationProtection, so protection stays as it is here.)
    let mut stack = TestStack::new("Queues", template(true));
    stack.tags = vec![("team", "infra")];
    stack.termination_protection = true;
    write_assembly(dir.path(), &[stack]);
    let assembly = Assembly::load(dir.path()).unwrap();
    let report = deploy
        .deploy(&assembly, &DeployOptions::default())
        .await
        .unwrap();
    assert_eq!(
        report.stacks,
        vec![("test-Queues".to_string(), StackOutcome::Updated)]
    );
    let text = out.text();
    assert!(
        text.contains("test-Queues: change set with 1 change(s)"),
        "{text}"
    );
    assert!(text.contains("Add      AWS::SNS::Topic"), "{text}");
    assert!(
        text.contains("test-Queues: updated (UPDATE_COMPLETE)"),
        "{text}"
    );
    let described = cfn
        .describe_stacks()
        .stack_name("test-Queues")
        .send()
        .await
        .unwrap();
    let s = &described.stacks()[0];
    assert_eq!(s.stack_status().unwrap().as_str(), "UPDATE_COMPLETE");
    assert_eq!(s.enable_termination_protection(), Some(true));
    let env = s
        .parameters()
        .iter()
        .find(|p| p.parameter_key() == Some("Env"))
        .unwrap();
    assert_eq!(env.parameter_value(), Some("prod"));
    let resources = cfn
        .list_stack_resources()
        .stack_name("test-Queues")
        .send()
        .await
        .unwrap();
    assert!(resources
        .stack_resource_summaries()
        .iter()
        .any(|r| r.logical_resource_id() == Some("Topic")));

    // Deploying the same again changes nothing, succeeds, and leaves no change set behind.
    let report = deploy
        .deploy(&assembly, &DeployOptions::default())
        .await
        .unwrap();
    assert_eq!(
        report.stacks,
        vec![("test-Queues".to_string(), StackOutcome::NoChanges)]
    );
    assert!(
        out.text().ends_with("test-Queues: no changes\n"),
        "{}",
        out.text()
    );
    let sets = cfn
        .list_change_sets()
        .stack_name("test-Queues")
        .send()
        .await
        .unwrap();
    let left: Vec<_> = sets
        .summaries()
        .iter()
        .filter(|s| s.execution_status().map(|e| e.as_str()) != Some("EXECUTE_COMPLETE"))
        .collect();
    assert!(left.is_empty(), "change sets left behind: {left:?}");
}

#[tokio::test]
async fn failing_create_reports_the_reason() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let template = json!({"Resources": {"Queue": {"Type": "AWS::SQS::Queue",
        "Properties": {"QueueName": {"Fn::GetAtt": ["Nope", "Arn"]}}}}});
    write_assembly(dir.path(), &[TestStack::new("Broken", template)]);
    let (deploy, _) = deployer(clients(&moto.endpoint_url()), Confirm::no_terminal());
    let assembly = Assembly::load(dir.path()).unwrap();
    let err = deploy
        .deploy(&assembly, &DeployOptions::default())
        .await
        .unwrap_err();
    match &err {
        Error::Aws {
            operation,
            stack,
            message,
        } => {
            assert_eq!(*operation, "CreateStack");
            assert_eq!(stack, "test-Broken");
            assert!(
                message.contains("Fn::GetAtt references undefined resource Nope"),
                "{message}"
            );
        }
        other => panic!("expected a CreateStack error, got {other:?}"),
    }
    assert!(
        err.to_string().starts_with(
            "CreateStack for stack test-Broken failed: ValidationError: Template error"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn large_template_goes_through_s3() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let mut resources = serde_json::Map::new();
    for i in 0..15 {
        resources.insert(
            format!("Param{i}"),
            json!({"Type": "AWS::SSM::Parameter", "Properties": {
                "Name": format!("/big/{i}"), "Type": "String", "Value": "x".repeat(3_900)}}),
        );
    }
    write_assembly(
        dir.path(),
        &[TestStack::new("Big", json!({"Resources": resources}))],
    );
    let clients = clients(&moto.endpoint_url());
    let (cfn, s3) = (clients.cloudformation().clone(), clients.s3().clone());
    let (deploy, out) = deployer(clients, Confirm::no_terminal());
    let assembly = Assembly::load(dir.path()).unwrap();
    let size = assembly.manifest().stacks[0].template_size;
    assert!(size > 51_200, "template is only {size} bytes");

    let err = deploy
        .deploy(&assembly, &DeployOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NeedsTemplateBucket { .. }), "{err:?}");
    assert!(err.to_string().contains("staging bucket"), "{err}");

    // moto reads the bucket of a path-style TemplateURL only when the URL contains
    // "localhost"; a bucket name containing it satisfies that on a 127.0.0.1 endpoint.
    let bucket = "cdk-templates-localhost";
    s3.create_bucket().bucket(bucket).send().await.unwrap();
    let options = DeployOptions {
        template_bucket: Some(bucket.to_string()),
        ..DeployOptions::default()
    };
    let report = deploy.deploy(&assembly, &options).await.unwrap();
    assert_eq!(
        report.stacks,
        vec![("test-Big".to_string(), StackOutcome::Created)]
    );
    let text = out.text();
    assert!(
        text.contains(&format!("uploading to s3://{bucket}/"))
            && text
                .lines()
                .any(|l| l.ends_with(".json") && l.contains("uploading")),
        "{text}"
    );
    let objects = s3.list_objects_v2().bucket(bucket).send().await.unwrap();
    assert_eq!(objects.contents().len(), 1);
    let deployed = cfn
        .get_template()
        .stack_name("test-Big")
        .send()
        .await
        .unwrap();
    assert_eq!(deployed.template_body().map(str::len), Some(size as usize));
}

/// Records every request body as it goes out and when each response came back.
#[derive(Debug, Clone, Default)]
struct Recorder {
    sent: Arc<Mutex<Vec<(Instant, String)>>>,
    received: Arc<Mutex<Vec<Instant>>>,
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "Recorder"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let body = context
            .request()
            .body()
            .bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        self.sent.lock().unwrap().push((Instant::now(), body));
        Ok(())
    }

    fn read_after_transmit(
        &self,
        _: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.received.lock().unwrap().push(Instant::now());
        Ok(())
    }
}

#[tokio::test]
async fn create_stack_request_asks_for_named_iam_and_timing() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let role = json!({"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "RoleName": "named-role",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}}}}});
    let mut transformed = queue_template("expanded");
    transformed["Transform"] = json!("AWS::LanguageExtensions");
    write_assembly(
        dir.path(),
        &[
            TestStack::new("Iam", role),
            TestStack::new("Expanded", transformed),
        ],
    );
    let recorder = Recorder::default();
    let sdk = sdk_config(&moto.endpoint_url(), None);
    let cfn = aws_sdk_cloudformation::Client::from_conf(
        aws_sdk_cloudformation::config::Builder::from(&sdk)
            .interceptor(recorder.clone())
            .build(),
    );
    // moto imports its CloudFormation backend on the first request; keep that out of the figures.
    let warm = Instant::now();
    let _ = cfn.describe_stacks().stack_name("warm-up").send().await;
    let warm_up = warm.elapsed();
    recorder.sent.lock().unwrap().clear();
    recorder.received.lock().unwrap().clear();
    let start = Instant::now();
    let clients = rcdk_deploy::Clients::from_sdk_config(&sdk)
        .unwrap()
        .with_cloudformation(cfn);
    let (deploy, out) = deployer(clients, Confirm::yes());
    let assembly = Assembly::load(dir.path()).unwrap();
    let options = DeployOptions {
        stacks: vec!["Iam".to_string()],
        ..DeployOptions::default()
    };
    deploy.deploy(&assembly, &options).await.unwrap();
    let end = Instant::now();
    // The new role's trust policy widens access, so approval was asked (and answered by --yes).
    assert!(
        out.text()
            .contains("widen IAM or security-group access? yes (--yes)"),
        "{}",
        out.text()
    );

    let sent = recorder.sent.lock().unwrap().clone();
    let (create_at, create_body) = sent
        .iter()
        .find(|(_, body)| body.contains("Action=CreateStack"))
        .expect("a CreateStack request was sent");
    assert!(
        create_body.contains("Capabilities.member.1=CAPABILITY_NAMED_IAM"),
        "{create_body}"
    );
    assert!(
        !create_body.contains("CAPABILITY_AUTO_EXPAND"),
        "{create_body}"
    );
    let last_response = *recorder.received.lock().unwrap().last().unwrap();
    println!(
        "timing against moto (warm-up request {warm_up:?}): deploy start -> first request sent: {:?}; -> CreateStack sent: {:?}; last response (stack complete) -> deploy returned: {:?}; requests: {}",
        sent[0].0 - start,
        *create_at - start,
        end - last_response,
        sent.len()
    );

    // A template with a transform also asks for AUTO_EXPAND, whatever moto makes of it.
    let options = DeployOptions {
        stacks: vec!["Expanded".to_string()],
        ..DeployOptions::default()
    };
    let _ = deploy.deploy(&assembly, &options).await;
    let sent = recorder.sent.lock().unwrap().clone();
    let body = sent
        .iter()
        .map(|(_, b)| b)
        .find(|b| b.contains("Action=CreateStack") && b.contains("StackName=test-Expanded"))
        .expect("a CreateStack request for the transformed stack");
    assert!(
        body.contains("Capabilities.member.1=CAPABILITY_NAMED_IAM"),
        "{body}"
    );
    assert!(
        body.contains("Capabilities.member.2=CAPABILITY_AUTO_EXPAND"),
        "{body}"
    );
}
