//! `lambda::Function`: code kinds, checked settings, its own role and log group, VPC placement,
//! dead-letter queue, event sources and grants, asserted on the synthesized template.

use std::path::Path;

use rcdk_constructs::error::ConstructError;
use rcdk_constructs::iam::Role;
use rcdk_constructs::lambda::{Code, Function, RateUnit, Runtime, Schedule};
use rcdk_constructs::network::{
    Connectable, Port, SecurityGroup, SubnetSelection, Tier, TierKind, TieredVpc,
};
use rcdk_constructs::storage::{Bucket, IBucket, Queue};
use rcdk_core::assertions::{Match, Template};
use rcdk_core::{App, Stack};
use serde_json::{json, Value};

const PY: &str = "def handler(event, context):\n    return {'ok': True}\n";

fn inline() -> Code {
    Code::inline(PY).unwrap()
}

fn synth(stack: Stack) -> Template {
    let mut app = App::new();
    app.add(stack);
    Template::synth(&mut app, "Test").unwrap_or_else(|e| panic!("{e}"))
}

fn only(t: &Template, type_name: &str) -> Value {
    let found = t.find_resources(type_name, Match::any_value());
    assert_eq!(found.len(), 1, "{type_name}: {found:?}");
    found[0].1.clone()
}

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn inline_function_has_its_own_role_log_group_and_settings() {
    let function = Function::builder(inline())
        .runtime(Runtime::Python313)
        .memory_mb(512)
        .timeout_seconds(30)
        .description("says ok")
        .environment("STAGE", "prod")
        .reserved_concurrency(5)
        .build()
        .unwrap();
    let t = synth(Stack::new("Test").with("Fn", function));
    t.assert_has_resource_properties(
        "AWS::Lambda::Function",
        json!({
            "Code": { "ZipFile": PY },
            "Runtime": "python3.13",
            "Handler": "index.handler",
            "MemorySize": 512,
            "Timeout": 30,
            "Architectures": ["x86_64"],
            "Description": "says ok",
            "Environment": { "Variables": { "STAGE": "prod" } },
            "ReservedConcurrentExecutions": 5,
            "LoggingConfig": { "LogGroup": { "Ref": Match::any_value() } },
        }),
    );
    t.assert_has_resource_properties("AWS::Logs::LogGroup", json!({ "RetentionInDays": 365 }));
    // The role is Lambda's, with no managed policy: only writes to its own log group.
    let role = only(&t, "AWS::IAM::Role");
    assert_eq!(
        role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({ "Service": "lambda.amazonaws.com" })
    );
    assert!(
        role["Properties"].get("ManagedPolicyArns").is_none(),
        "{role}"
    );
    let policy = only(&t, "AWS::IAM::Policy");
    let statements = &policy["Properties"]["PolicyDocument"]["Statement"];
    assert_eq!(statements.as_array().unwrap().len(), 1, "{statements}");
    assert_eq!(
        statements[0]["Action"],
        json!(["logs:CreateLogStream", "logs:PutLogEvents"])
    );
    let log_group_id = t.find_resources("AWS::Logs::LogGroup", Match::any_value())[0]
        .0
        .clone();
    assert_eq!(
        statements[0]["Resource"],
        json!({ "Fn::GetAtt": [log_group_id, "Arn"] })
    );
    // The function waits for its role's policy.
    let function = only(&t, "AWS::Lambda::Function");
    let policy_id = t.find_resources("AWS::IAM::Policy", Match::any_value())[0]
        .0
        .clone();
    assert!(
        function["DependsOn"]
            .as_array()
            .is_some_and(|d| d.contains(&json!(policy_id))),
        "{function}"
    );
}

#[test]
fn memory_and_timeout_are_checked() {
    let build = |memory: u32, timeout: u32| {
        Function::builder(inline())
            .runtime(Runtime::Python313)
            .memory_mb(memory)
            .timeout_seconds(timeout)
            .build()
    };
    assert!(build(128, 1).is_ok());
    assert!(build(10_240, 900).is_ok());
    for (memory, timeout, setting) in [
        (127, 3, "memory_mb"),
        (10_241, 3, "memory_mb"),
        (128, 901, "timeout_seconds"),
        (128, 0, "timeout_seconds"),
    ] {
        match build(memory, timeout).unwrap_err() {
            ConstructError::OutOfRange {
                construct: "Function",
                setting: s,
                ..
            } => assert_eq!(s, setting),
            other => panic!("{other}"),
        }
    }
}

#[test]
fn code_needs_a_fitting_runtime_and_handler() {
    let e = Function::builder(inline()).build().unwrap_err();
    assert!(e.to_string().contains("needs .runtime"), "{e}");
    let e = Function::builder(inline())
        .runtime(Runtime::ProvidedAl2023)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("Python and Node.js"), "{e}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.js"),
        "exports.handler = async () => 1;",
    )
    .unwrap();
    let e = Function::builder(Code::from_asset(dir.path()).unwrap())
        .runtime(Runtime::Nodejs22)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains(".handler(..)"), "{e}");

    assert!(Code::inline("  \n").is_err());
    let big = "#".repeat(rcdk_constructs::lambda::INLINE_CODE_LIMIT + 1);
    let e = Code::inline(&big).unwrap_err();
    assert!(e.to_string().contains("over CloudFormation's limit"), "{e}");
}

#[test]
fn environment_names_are_checked() {
    for (name, rule) in [
        ("AWS_REGION", "reserved"),
        ("1ABC", "letter"),
        ("WITH-DASH", "letter"),
    ] {
        let e = Function::builder(inline())
            .runtime(Runtime::Python313)
            .environment(name, "x")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains(rule), "{name}: {e}");
    }
}

#[test]
fn asset_code_points_at_the_staging_bucket() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.js"),
        "exports.handler = async () => 1;",
    )
    .unwrap();
    let function = Function::builder(Code::from_asset(dir.path()).unwrap())
        .runtime(Runtime::Nodejs22)
        .handler("index.handler")
        .build()
        .unwrap();
    let key = function.asset().unwrap().object_key();
    assert!(key.ends_with(".zip"), "{key}");
    let t = synth(Stack::new("Test").with("Fn", function));
    let f = only(&t, "AWS::Lambda::Function");
    assert_eq!(f["Properties"]["Code"]["S3Key"], json!(key));
    let bucket = f["Properties"]["Code"]["S3Bucket"].to_string();
    assert!(bucket.contains("cdk-hnb659fds-assets-"), "{bucket}");

    let missing = Code::from_asset(dir.path().join("nope")).unwrap_err();
    assert!(missing.to_string().contains("does not exist"), "{missing}");
    let not_zip = dir.path().join("index.js");
    let e = Code::from_asset(&not_zip).unwrap_err();
    assert!(e.to_string().contains("not a .zip"), "{e}");
}

#[test]
fn cargo_package_is_a_command_asset_on_provided_al2023() {
    let code = Code::cargo_package_in(workspace(), "nightly-job-function").unwrap();
    let x86 = Function::builder(code.clone()).build().unwrap();
    let arm = Function::builder(code).arm64().build().unwrap();
    let (x86_asset, arm_asset) = (x86.asset().unwrap(), arm.asset().unwrap());
    // The architecture is part of the hash: each build has its own object.
    assert_ne!(x86_asset.hash(), arm_asset.hash());
    match arm_asset.source() {
        rcdk_core::asset::AssetSource::Command { command } => {
            assert_eq!(command[..2], ["cargo-rcdk", "package-lambda"]);
            let pairs: Vec<&[String]> = command[2..].chunks(2).collect();
            assert!(pairs
                .iter()
                .any(|p| p == &["--package", "nightly-job-function"]));
            assert!(pairs.iter().any(|p| p == &["--arch", "arm64"]));
            assert!(pairs
                .iter()
                .any(|p| p[0] == "--manifest-path" && p[1].ends_with("Cargo.toml")));
        }
        other => panic!("{other:?}"),
    }
    // Same sources, same hash.
    let again =
        Function::builder(Code::cargo_package_in(workspace(), "nightly-job-function").unwrap())
            .build()
            .unwrap();
    assert_eq!(again.asset().unwrap().hash(), x86_asset.hash());

    let t = synth(Stack::new("Test").with("Fn", arm));
    t.assert_has_resource_properties(
        "AWS::Lambda::Function",
        json!({ "Runtime": "provided.al2023", "Handler": "bootstrap", "Architectures": ["arm64"] }),
    );

    let e = Code::cargo_package_in(workspace(), "no-such-function").unwrap_err();
    let message = e.to_string();
    assert!(
        message.contains("no package `no-such-function`"),
        "{message}"
    );
    assert!(message.contains("nightly-job-function"), "{message}");
    let e = Function::builder(Code::cargo_package_in(workspace(), "nightly-job-function").unwrap())
        .runtime(Runtime::Python313)
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("provided.al2023"), "{e}");
}

#[test]
fn dead_letter_queue_is_its_own_and_writable() {
    let function = Function::builder(inline())
        .runtime(Runtime::Python313)
        .dead_letter_queue()
        .build()
        .unwrap();
    let t = synth(Stack::new("Test").with("Fn", function));
    let queue_id = t.find_resources("AWS::SQS::Queue", Match::any_value())[0]
        .0
        .clone();
    t.assert_has_resource_properties(
        "AWS::Lambda::Function",
        json!({ "DeadLetterConfig": { "TargetArn": { "Fn::GetAtt": [queue_id, "Arn"] } } }),
    );
    let policy = only(&t, "AWS::IAM::Policy");
    let text = policy.to_string();
    assert!(text.contains("sqs:SendMessage"), "{text}");
}

#[test]
fn sqs_source_maps_the_queue_and_grants_consume() {
    let queue = Queue::new().visibility_timeout_seconds(60);
    let mut function = Function::builder(inline())
        .runtime(Runtime::Python313)
        .timeout_seconds(30)
        .build()
        .unwrap();
    function.add_sqs_source(&queue, 10).unwrap();
    assert!(function.add_sqs_source(&queue, 0).is_err());
    assert!(function.add_sqs_source(&queue, 10_001).is_err());
    let t = synth(Stack::new("Test").with("Queue", queue).with("Fn", function));
    let mapping = only(&t, "AWS::Lambda::EventSourceMapping");
    assert_eq!(mapping["Properties"]["BatchSize"], json!(10));
    assert!(mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]
        .as_str()
        .unwrap()
        .starts_with("Queue"));
    assert!(mapping["DependsOn"].is_array(), "{mapping}");
    let policy = only(&t, "AWS::IAM::Policy").to_string();
    for action in [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    ] {
        assert!(policy.contains(action), "{action}: {policy}");
    }
}

#[test]
fn schedule_rule_invokes_with_a_permission_scoped_to_it() {
    let mut function = Function::builder(inline())
        .runtime(Runtime::Python313)
        .build()
        .unwrap();
    function.add_schedule(Schedule::daily_at(2, 0).unwrap());
    function.add_schedule(Schedule::rate(6, RateUnit::Hours).unwrap());
    let t = synth(Stack::new("Test").with("Fn", function));
    t.assert_resource_count_is("AWS::Events::Rule", 2);
    t.assert_has_resource_properties(
        "AWS::Events::Rule",
        json!({ "ScheduleExpression": "cron(0 2 * * ? *)" }),
    );
    t.assert_has_resource_properties(
        "AWS::Events::Rule",
        json!({ "ScheduleExpression": "rate(6 hours)" }),
    );
    let rules = t.find_resources("AWS::Events::Rule", Match::any_value());
    let permissions = t.find_resources("AWS::Lambda::Permission", Match::any_value());
    assert_eq!(permissions.len(), 2);
    for (_, p) in &permissions {
        assert_eq!(p["Properties"]["Principal"], "events.amazonaws.com");
        assert_eq!(p["Properties"]["Action"], "lambda:InvokeFunction");
        let source = p["Properties"]["SourceArn"]["Fn::GetAtt"][0]
            .as_str()
            .unwrap();
        assert!(rules.iter().any(|(id, _)| id == source), "{source}");
    }
}

#[test]
fn grants_go_to_the_role_and_invoke_is_typed() {
    let bucket = Bucket::new();
    let mut function = Function::builder(inline())
        .runtime(Runtime::Python313)
        .environment("BUCKET_NAME", bucket.bucket_name())
        .build()
        .unwrap();
    let grant = bucket.grant_write(&mut function);
    assert_eq!(grant.action_names(), ["s3:DeleteObject", "s3:PutObject"]);

    let mut caller = Role::assumed_by_service("states.amazonaws.com");
    let invoke = function.grant_invoke(&mut caller);
    assert_eq!(invoke.action_names(), ["lambda:InvokeFunction"]);
    assert_eq!(invoke.resources.len(), 2);
    let _arn: rcdk_core::Val<rcdk_core::kind::FunctionArn> = function.arn();

    let t = synth(
        Stack::new("Test")
            .with("Bucket", bucket)
            .with("Fn", function)
            .with("Caller", caller),
    );
    let f = only(&t, "AWS::Lambda::Function");
    assert_eq!(
        f["Properties"]["Environment"]["Variables"]["BUCKET_NAME"]["Ref"]
            .as_str()
            .map(|s| s.starts_with("Bucket")),
        Some(true),
        "{f}"
    );
    let text = t.to_json().to_string();
    assert!(text.contains("s3:PutObject"), "{text}");
}

#[test]
fn vpc_function_joins_the_connections_api() {
    let vpc = TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("App", 24))
        .tier(Tier::isolated("Data", 24))
        .build()
        .unwrap();
    let mut function = Function::builder(inline())
        .runtime(Runtime::Python313)
        .vpc(&vpc, SubnetSelection::Kind(TierKind::PrivateWithEgress))
        .build()
        .unwrap();
    let mut database = SecurityGroup::new(vpc.vpc_id(), "db", "Database");
    database.allow_from(&function, Port::tcp(5432));
    function.allow_to(&database, Port::tcp(5432));

    let e = Function::builder(inline())
        .runtime(Runtime::Python313)
        .vpc(&vpc, SubnetSelection::Kind(TierKind::Public))
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("public subnet"), "{e}");

    let t = synth(
        Stack::new("Test")
            .with("Vpc", vpc)
            .with("Db", database)
            .with("Fn", function),
    );
    let f = only(&t, "AWS::Lambda::Function");
    let config = &f["Properties"]["VpcConfig"];
    assert_eq!(config["SubnetIds"].as_array().unwrap().len(), 2, "{config}");
    assert_eq!(config["SecurityGroupIds"].as_array().unwrap().len(), 1);
    assert!(f["Metadata"].to_string().contains("CKV_AWS_115"));
    assert!(!f["Metadata"].to_string().contains("CKV_AWS_117"));
    // In a VPC: Guard's rule is met, nothing suppressed for it.
    assert!(!f["Metadata"]
        .to_string()
        .contains("lambda_inside_vpc_check"));
    t.assert_has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        json!({ "FromPort": 5432, "ToPort": 5432 }),
    );
    let policy = only(&t, "AWS::IAM::Policy").to_string();
    assert!(policy.contains("ec2:CreateNetworkInterface"), "{policy}");
}

#[test]
fn a_function_outside_a_vpc_says_why_and_names_the_option() {
    let function = Function::builder(inline())
        .runtime(Runtime::Python313)
        .build()
        .unwrap();
    let t = synth(Stack::new("Test").with("Fn", function));
    let f = only(&t, "AWS::Lambda::Function");
    assert!(f["Properties"].get("VpcConfig").is_none());
    let guard = &f["Metadata"]["guard"];
    assert_eq!(guard["SuppressedRules"], json!(["lambda_inside_vpc_check"]));
    let reason = guard["Reasons"]["lambda_inside_vpc_check"]
        .as_str()
        .unwrap();
    assert!(reason.contains("FunctionBuilder::vpc"), "{reason}");
}
