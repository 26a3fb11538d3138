//! Diff, saved plans, destroy and cross-stack ordering against a moto server.

mod common;

use common::{clients, deployer, queue_template, write_assembly, TestStack};
use rcdk_deploy::{
    Assembly, Confirm, DeployOptions, DestroyOptions, DiffOptions, Error, StackOutcome,
};
use rcdk_testkit::moto::MotoServer;
use serde_json::{json, Value};

fn moto() -> MotoServer {
    MotoServer::start().unwrap_or_else(|e| panic!("moto server: {e}"))
}

fn app_template(
    delay: Value,
    retention: Value,
    statements: Value,
    log_id: &str,
    log_name: &str,
) -> Value {
    json!({"Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs", "DelaySeconds": delay}},
        log_id: {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": log_name, "RetentionInDays": retention}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": "worker",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "work", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]
        }}
    }})
}

async fn pending_change_sets(cfn: &aws_sdk_cloudformation::Client, stack: &str) -> usize {
    let sets = cfn
        .list_change_sets()
        .stack_name(stack)
        .send()
        .await
        .unwrap();
    sets.summaries()
        .iter()
        .filter(|s| s.execution_status().map(|e| e.as_str()) == Some("AVAILABLE"))
        .count()
}

#[tokio::test]
async fn diff_is_semantic_and_plans_run_as_reviewed() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let get = json!({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"});
    let send = json!({"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"});
    let delete = json!({"Effect": "Allow", "Action": "sqs:DeleteMessage", "Resource": "*"});
    let v1 = app_template(json!(5), json!(7), json!([get, send]), "Logs", "app-logs");
    write_assembly(dir.path(), &[TestStack::new("App", v1)]);
    let clients = clients(&moto.endpoint_url());
    let cfn = clients.cloudformation().clone();
    let (deploy, out) = deployer(clients, Confirm::yes());
    let assembly = Assembly::load(dir.path()).unwrap();
    deploy
        .deploy(&assembly, &DeployOptions::default())
        .await
        .unwrap();

    // Same meaning, written differently: numbers as strings, statements reordered.
    let same = app_template(
        json!("5"),
        json!("7"),
        json!([send, {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["*"]}]),
        "Logs",
        "app-logs",
    );
    write_assembly(dir.path(), &[TestStack::new("App", same)]);
    let assembly = Assembly::load(dir.path()).unwrap();
    let report = deploy
        .diff(&assembly, &DiffOptions::default())
        .await
        .unwrap();
    assert!(!report.has_differences(), "{:?}", report.stacks);
    assert!(
        out.text()
            .ends_with("Stack App (test-App): no differences\n"),
        "{}",
        out.text()
    );

    // Real changes: a property, a widened policy, and a log group whose logical id moved.
    let v2 = app_template(
        json!(10),
        json!(7),
        json!([get, send, delete]),
        "Logs2",
        "app-logs-2",
    );
    write_assembly(dir.path(), &[TestStack::new("App", v2.clone())]);
    let assembly = Assembly::load(dir.path()).unwrap();
    let before = out.text().len();
    let report = deploy
        .diff(&assembly, &DiffOptions::default())
        .await
        .unwrap();
    assert!(report.has_differences());
    let text = out.text()[before..].to_string();
    for expected in [
        "Stack App (test-App)\nResources\n",
        "[~] AWS::SQS::Queue Queue\n    Properties.DelaySeconds: \"5\" -> \"10\"\n",
        "[+] AWS::Logs::LogGroup Logs2\n",
        "[-] AWS::Logs::LogGroup Logs\n",
        "!!! DATA LOSS: AWS::Logs::LogGroup Logs holds data and will be DELETED (a new AWS::Logs::LogGroup Logs2 is created instead)",
        "[+] IAM statement on Role (widens access): {\"Action\":[\"sqs:DeleteMessage\"],\"Effect\":\"Allow\",\"Resource\":[\"*\"]}",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert_eq!(
        pending_change_sets(&cfn, "test-App").await,
        0,
        "plain diff creates no change set"
    );

    // Save a plan, then change the template: the plan is refused as a whole.
    let plan_path = dir.path().join("plan.json");
    let save = DiffOptions {
        save_plan: Some(plan_path.clone()),
        ..DiffOptions::default()
    };
    let report = deploy.diff(&assembly, &save).await.unwrap();
    let plan = report.plan.unwrap();
    assert_eq!(plan.entries.len(), 1);
    assert!(!plan.entries[0].creates_stack);
    assert_eq!(pending_change_sets(&cfn, "test-App").await, 1);
    let v3 = app_template(
        json!(11),
        json!(7),
        json!([get, send, delete]),
        "Logs2",
        "app-logs-2",
    );
    write_assembly(dir.path(), &[TestStack::new("App", v3)]);
    let run_plan = DeployOptions {
        plan: Some(plan_path.clone()),
        ..DeployOptions::default()
    };
    let err = deploy
        .deploy(&Assembly::load(dir.path()).unwrap(), &run_plan)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Plan { .. }), "{err:?}");
    assert!(
        err.to_string().contains("changed since the plan was saved"),
        "{err}"
    );

    // Back to the reviewed template. Without a terminal the widening needs --yes; the
    // declined change set is cleaned up.
    write_assembly(dir.path(), &[TestStack::new("App", v2)]);
    let assembly = Assembly::load(dir.path()).unwrap();
    let (strict, _) = deployer(
        common::clients(&moto.endpoint_url()),
        Confirm::no_terminal(),
    );
    let err = strict.deploy(&assembly, &run_plan).await.unwrap_err();
    assert!(matches!(err, Error::NeedsConfirmation { .. }), "{err:?}");
    assert!(
        err.to_string().contains("widen IAM") && err.to_string().contains("--yes"),
        "{err}"
    );
    assert_eq!(pending_change_sets(&cfn, "test-App").await, 0);

    // A fresh plan, approved twice (widening, then data loss), runs exactly its change set.
    deploy.diff(&assembly, &save).await.unwrap();
    let (reviewer, reviewed) = deployer(
        common::clients(&moto.endpoint_url()),
        Confirm::scripted([true, true]),
    );
    let report = reviewer.deploy(&assembly, &run_plan).await.unwrap();
    assert_eq!(
        report.stacks,
        vec![("test-App".to_string(), StackOutcome::Updated)]
    );
    let text = reviewed.text();
    assert!(
        text.contains(
            "Stack test-App: deploy changes that widen IAM or security-group access? yes"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Stack test-App: delete or replace resources that hold data (their data is lost)? yes"
        ),
        "{text}"
    );
    let resources = cfn
        .list_stack_resources()
        .stack_name("test-App")
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = resources
        .stack_resource_summaries()
        .iter()
        .filter_map(|r| r.logical_resource_id())
        .collect();
    assert!(ids.contains(&"Logs2") && !ids.contains(&"Logs"), "{ids:?}");

    // Nothing left to do: the empty change set is deleted again.
    let report = deploy
        .deploy(&assembly, &DeployOptions::default())
        .await
        .unwrap();
    assert_eq!(
        report.stacks,
        vec![("test-App".to_string(), StackOutcome::NoChanges)]
    );
    assert_eq!(pending_change_sets(&cfn, "test-App").await, 0);
}

#[tokio::test]
async fn destroy_needs_confirmation_and_respects_protection() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let mut guarded = TestStack::new("Guarded", queue_template("guarded"));
    guarded.termination_protection = true;
    write_assembly(
        dir.path(),
        &[TestStack::new("Plain", queue_template("plain")), guarded],
    );
    let clients = clients(&moto.endpoint_url());
    let cfn = clients.cloudformation().clone();
    let (deploy, out) = deployer(clients, Confirm::no_terminal());
    let assembly = Assembly::load(dir.path()).unwrap();
    deploy
        .deploy(&assembly, &DeployOptions::default())
        .await
        .unwrap();

    let only = |name: &str| DestroyOptions {
        stacks: vec![name.to_string()],
        ..DestroyOptions::default()
    };
    let err = deploy.destroy(&assembly, &only("Plain")).await.unwrap_err();
    assert!(matches!(err, Error::NeedsConfirmation { .. }), "{err:?}");
    assert!(
        err.to_string().contains("Delete stack(s) test-Plain")
            && err.to_string().contains("pass --yes"),
        "{err}"
    );
    assert!(cfn
        .describe_stacks()
        .stack_name("test-Plain")
        .send()
        .await
        .is_ok());

    let (sure, _) = deployer(common::clients(&moto.endpoint_url()), Confirm::yes());
    let err = sure.destroy(&assembly, &only("Guarded")).await.unwrap_err();
    assert!(err.to_string().contains("termination protect"), "{err}");

    let report = sure.destroy(&assembly, &only("test-Plain")).await.unwrap();
    assert_eq!(report.deleted, vec!["test-Plain"]);
    assert!(cfn
        .describe_stacks()
        .stack_name("test-Plain")
        .send()
        .await
        .is_err());
    let report = sure.destroy(&assembly, &only("Plain")).await.unwrap();
    assert_eq!(report.not_deployed, vec!["test-Plain"]);
    assert!(out.text().contains("test-Plain: creating stack"));
}

#[tokio::test]
async fn cross_stack_reference_deploys_and_destroys_in_order() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let producer = json!({
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "events"}}},
        "Outputs": {"TopicArn": {"Value": {"Ref": "Topic"}, "Export": {"Name": "test-events-arn"}}}
    });
    let consumer = json!({"Resources": {"Setting": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Name": "/app/topic", "Type": "String", "Value": {"Fn::ImportValue": "test-events-arn"}}}}});
    write_assembly(
        dir.path(),
        &[
            TestStack::new("Producer", producer),
            TestStack::new("Consumer", consumer).depends_on("Producer"),
        ],
    );
    let clients = clients(&moto.endpoint_url());
    let cfn = clients.cloudformation().clone();
    let (deploy, out) = deployer(clients, Confirm::yes());
    let assembly = Assembly::load(dir.path()).unwrap();
    let report = deploy
        .deploy(&assembly, &DeployOptions::default())
        .await
        .unwrap();
    let names: Vec<&str> = report.stacks.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec!["test-Producer", "test-Consumer"]);
    // moto resolves Fn::ImportValue at create time and refuses a missing export, so the
    // consumer's completion shows the producer was there first.
    let exports = cfn.list_exports().send().await.unwrap();
    assert!(exports
        .exports()
        .iter()
        .any(|e| e.name() == Some("test-events-arn")));
    let consumer = cfn
        .describe_stacks()
        .stack_name("test-Consumer")
        .send()
        .await
        .unwrap();
    assert_eq!(
        consumer.stacks()[0].stack_status().unwrap().as_str(),
        "CREATE_COMPLETE"
    );

    // Destroying the producer alone would strand the consumer's import.
    let err = deploy
        .destroy(
            &assembly,
            &DestroyOptions {
                stacks: vec!["Producer".into()],
                ..DestroyOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("stack Consumer depends on Producer"),
        "{err}"
    );

    let report = deploy
        .destroy(&assembly, &DestroyOptions::default())
        .await
        .unwrap();
    assert_eq!(report.deleted, vec!["test-Consumer", "test-Producer"]);
    let text = out.text();
    let consumer_gone = text.find("test-Consumer: deleted").unwrap();
    let producer_starts = text.find("test-Producer: deleting stack").unwrap();
    assert!(consumer_gone < producer_starts, "{text}");
    for name in ["test-Consumer", "test-Producer"] {
        assert!(
            cfn.describe_stacks().stack_name(name).send().await.is_err(),
            "{name} still exists"
        );
    }
}
