//! References across environments against a moto server: the consumer's parameter is read
//! from the producer's output at deploy time. Each stack lands in its own region of the one
//! moto server (moto keeps state per region), so the value really crosses regions.

mod common;

use common::{clients, deployer, sdk_config};
use rcdk_core::{App, RawResource, Stack};
use rcdk_deploy::{Assembly, Confirm, DeployOptions, DiffOptions, Error, StackParameter};
use rcdk_testkit::moto::MotoServer;

/// `Primary` (us-east-1) holds a queue; `Recovery` (us-west-2) holds an SSM parameter whose
/// value is the queue's ARN.
fn synthesize(dir: &std::path::Path) {
    let queue = RawResource::new("AWS::SQS::Queue").prop("QueueName", "primary-jobs");
    let copy = RawResource::new("AWS::SSM::Parameter")
        .prop("Name", "/recovery/primary-queue-arn")
        .prop("Type", "String")
        .prop("Value", queue.get_att::<String>("Arn"));
    let mut app = App::new()
        .with(
            Stack::new("Recovery")
                .env("123456789012", "us-west-2")
                .with("Copy", copy),
        )
        .with(
            Stack::new("Primary")
                .env("123456789012", "us-east-1")
                .with("Jobs", queue),
        );
    app.synth().unwrap().write(dir).unwrap();
}

async fn parameter(cfn: &aws_sdk_cloudformation::Client, stack: &str) -> Vec<(String, String)> {
    let out = cfn
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .unwrap();
    out.stacks()[0]
        .parameters()
        .iter()
        .map(|p| {
            (
                p.parameter_key().unwrap_or_default().to_string(),
                p.parameter_value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_consumer_gets_the_producers_output_as_a_parameter() {
    let moto = MotoServer::start().unwrap_or_else(|e| panic!("moto server: {e}"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    synthesize(&out);
    let assembly = Assembly::load(&out).unwrap();
    let clients = clients(&moto.endpoint_url());
    let cfn = clients.cloudformation().clone();
    // The consumer is in us-west-2; the clients' own region is us-east-1.
    let recovery_cfn = aws_sdk_cloudformation::Client::from_conf(
        aws_sdk_cloudformation::config::Builder::from(&sdk_config(&moto.endpoint_url(), None))
            .region(aws_sdk_cloudformation::config::Region::new("us-west-2"))
            .build(),
    );
    let (deploy, captured) = deployer(clients, Confirm::yes());

    // The consumer alone, before its producer exists: refused, naming both and the output.
    let only_recovery = DeployOptions {
        stacks: vec!["Recovery".into()],
        ..DeployOptions::default()
    };
    let e = deploy.deploy(&assembly, &only_recovery).await.unwrap_err();
    assert!(
        matches!(&e, Error::CrossEnvironment(c) if c.consumer == "Recovery" && c.producer == "Primary"),
        "{e}"
    );
    let e = e.to_string();
    assert!(
        e.contains("stack Recovery takes parameter CrossEnvPrimaryJobs"),
        "{e}"
    );
    assert!(
        e.contains("of stack Primary (aws://123456789012/us-east-1)"),
        "{e}"
    );
    assert!(e.contains("is not deployed"), "{e}");
    // Diff says where the value will come from.
    deploy
        .diff(&assembly, &DiffOptions::default())
        .await
        .unwrap();
    assert!(
        captured.text().contains(
            "from output CrossEnvJobs2F17A0F8Arn of stack Primary, which is not deployed yet"
        ),
        "{}",
        captured.text()
    );

    // Both: the producer first, then the consumer with the value read from its output.
    deploy
        .deploy(&assembly, &DeployOptions::default())
        .await
        .unwrap();
    let outputs = cfn
        .describe_stacks()
        .stack_name("Primary")
        .send()
        .await
        .unwrap();
    let arn = outputs.stacks()[0]
        .outputs()
        .iter()
        .find(|o| o.output_key() == Some("CrossEnvJobs2F17A0F8Arn"))
        .and_then(|o| o.output_value())
        .unwrap()
        .to_string();
    assert!(arn.ends_with(":primary-jobs"), "{arn}");
    // Each stack is in its own region only.
    assert!(cfn
        .describe_stacks()
        .stack_name("Recovery")
        .send()
        .await
        .is_err());
    assert!(recovery_cfn
        .describe_stacks()
        .stack_name("Primary")
        .send()
        .await
        .is_err());
    assert!(outputs.stacks()[0].outputs()[0].export_name().is_none());
    assert_eq!(
        parameter(&recovery_cfn, "Recovery").await,
        [("CrossEnvPrimaryJobs2F17A0F8Arn".to_string(), arn.clone())]
    );
    // Diff now shows the value read.
    deploy
        .diff(&assembly, &DiffOptions::default())
        .await
        .unwrap();
    assert!(
        captured.text().contains(&format!(
            "parameter CrossEnvPrimaryJobs2F17A0F8Arn = {arn} (output CrossEnvJobs2F17A0F8Arn of stack Primary)"
        )),
        "{}",
        captured.text()
    );

    // An explicit value wins over the producer's output.
    let explicit = DeployOptions {
        stacks: vec!["Recovery".into()],
        parameters: vec![
            "Recovery:CrossEnvPrimaryJobs2F17A0F8Arn=arn:aws:sqs:us-east-1:123456789012:other"
                .parse::<StackParameter>()
                .unwrap(),
        ],
        ..DeployOptions::default()
    };
    deploy.deploy(&assembly, &explicit).await.unwrap();
    assert_eq!(
        parameter(&recovery_cfn, "Recovery").await,
        [(
            "CrossEnvPrimaryJobs2F17A0F8Arn".to_string(),
            "arn:aws:sqs:us-east-1:123456789012:other".to_string()
        )]
    );
}
