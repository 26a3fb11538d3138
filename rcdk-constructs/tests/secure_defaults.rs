//! The defaults that checkov checks: PostgreSQL with IAM authentication and enhanced
//! monitoring (its role trusted by RDS monitoring only, with the log actions of AWS's managed
//! policy inline on the monitoring log group only), Redis with an AUTH token from a generated secret, opt-in access logs and customer
//! keys that lift the construct's own checkov skip, and skips with a reason wherever a default
//! deliberately does not meet a check. checkov over all of it reports no failed check.

use rcdk_constructs::data::{PostgresDatabase, RedisCache};
use rcdk_constructs::elbv2::ApplicationLoadBalancer;
use rcdk_constructs::iam::Role;
use rcdk_constructs::network::{NatPolicy, Tier, TieredVpc};
use rcdk_constructs::storage::ISecret;
use rcdk_constructs::storage::{
    AttributeType, Bucket, KeyAttribute, LogGroup, Queue, Secret, Table,
};
use rcdk_core::{App, Assembly, Stack, StackArtifact};
use serde_json::{json, Value};

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const CERT: &str =
    "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";

fn vpc() -> TieredVpc {
    TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("Private", 22))
        .tier(Tier::isolated("Data", 24))
        .nat(NatPolicy::Single)
        .build()
        .unwrap()
}

fn data_stack() -> Stack {
    let vpc = vpc();
    let db = PostgresDatabase::builder(&vpc).build().unwrap();
    let cache = RedisCache::builder(&vpc).build().unwrap();
    let mut app_role = Role::assumed_by_service("ecs-tasks.amazonaws.com");
    db.grant_iam_connect(&mut app_role, "orders_app").unwrap();
    cache.grant_auth_token_read(&mut app_role);
    Stack::new("Data")
        .with("Network", vpc)
        .with("Db", db)
        .with("Cache", cache)
        .with("AppRole", app_role)
}

fn storage_stack() -> Stack {
    let logs = Bucket::for_access_logs();
    let logged = Bucket::new().server_access_logs(&logs, "photos/").unwrap();
    let mut reader = Role::assumed_by_service("ecs-tasks.amazonaws.com");
    let keyed_secret = Secret::generated().encryption_key(KEY);
    keyed_secret.grant_read(&mut reader);
    Stack::new("Storage")
        .with("AccessLogs", logs)
        .with("Logged", logged)
        .with("Plain", Bucket::new())
        .with("Logs", LogGroup::new())
        .with("KeyedLogs", LogGroup::new().encryption_key(KEY))
        .with("Secret", Secret::generated())
        .with("KeyedSecret", keyed_secret)
        .with("Reader", reader)
        .with("Queue", Queue::new().with_dead_letter_queue(3).unwrap())
        .with(
            "Table",
            Table::new(KeyAttribute::new("pk", AttributeType::String).unwrap()),
        )
}

fn alb_stack(https: bool) -> Stack {
    let vpc = vpc();
    let mut builder = ApplicationLoadBalancer::builder(&vpc);
    let mut logs = Bucket::for_load_balancer_logs();
    if https {
        builder = builder
            .certificate(CERT)
            .access_logs(&mut logs, "alb")
            .unwrap();
    }
    let stack = Stack::new(if https { "Https" } else { "Http" })
        .with("Network", vpc)
        .with("Alb", builder.build().unwrap());
    if https {
        stack.with("AlbLogs", logs)
    } else {
        stack
    }
}

fn assembly() -> Assembly {
    rcdk_core::App::new()
        .with(data_stack())
        .with(storage_stack())
        .with(alb_stack(false))
        .with(alb_stack(true))
        .synth()
        .unwrap()
}

fn stack<'a>(assembly: &'a Assembly, name: &str) -> &'a StackArtifact {
    assembly.stack(name).unwrap()
}

/// The logical id and resource at the construct path ending in `suffix`.
fn at(stack: &StackArtifact, suffix: &str) -> (String, Value) {
    let id = stack
        .paths
        .iter()
        .find(|(_, p)| p.ends_with(suffix))
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("no resource at .../{suffix}: {:?}", stack.paths));
    let resource = stack.template_json()["Resources"][&id].clone();
    (id, resource)
}

/// The checkov check ids a resource skips.
fn skipped(resource: &Value) -> Vec<String> {
    resource["Metadata"]["checkov"]["skip"]
        .as_array()
        .map(|skips| {
            skips
                .iter()
                .map(|s| {
                    assert!(
                        s["comment"].as_str().is_some_and(|c| c.len() > 40),
                        "every skip says why: {s}"
                    );
                    s["id"].as_str().unwrap().to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn postgres_uses_iam_auth_and_enhanced_monitoring_with_a_scoped_role() {
    let assembly = assembly();
    let data = stack(&assembly, "Data");
    let (_, db) = at(data, "Db/Resource");
    let p = &db["Properties"];
    assert_eq!(p["EnableIAMDatabaseAuthentication"], true);
    assert_eq!(p["MonitoringInterval"], 60);
    let (role_id, role) = at(data, "Db/MonitoringRole/Resource");
    assert_eq!(
        p["MonitoringRoleArn"],
        json!({"Fn::GetAtt": [role_id, "Arn"]})
    );
    assert!(skipped(&db).is_empty(), "{db}");

    let trust = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(trust.as_array().unwrap().len(), 1, "{trust}");
    let trust = &trust[0];
    assert_eq!(
        trust["Principal"],
        json!({"Service": "monitoring.rds.amazonaws.com"})
    );
    assert_eq!(trust["Action"], "sts:AssumeRole");
    assert_eq!(
        trust["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    assert_eq!(
        trust["Condition"]["ArnLike"]["aws:SourceArn"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:db:*"})
    );
    // No AWS managed policy: AmazonRDSEnhancedMonitoringRole's log actions, inline, on the
    // RDSOSMetrics group of this account and region only; the instance waits for them.
    assert!(
        role["Properties"].get("ManagedPolicyArns").is_none(),
        "{role}"
    );
    let (policy_id, policy) = at(data, "Db/MonitoringRole/DefaultPolicy/Resource");
    assert_eq!(policy["Properties"]["Roles"], json!([{"Ref": role_id}]));
    assert_eq!(db["DependsOn"], json!([policy_id]));
    let group =
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:RDSOSMetrics";
    assert_eq!(
        policy["Properties"]["PolicyDocument"]["Statement"],
        json!([
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:PutRetentionPolicy"],
                "Resource": [{"Fn::Sub": group}, {"Fn::Sub": format!("{group}:*")}]
            },
            {
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogStream",
                    "logs:DescribeLogStreams",
                    "logs:GetLogEvents",
                    "logs:PutLogEvents"
                ],
                "Resource": {"Fn::Sub": format!("{group}:log-stream:*")}
            }
        ])
    );
}

#[test]
fn iam_connect_is_scoped_to_one_database_user() {
    let assembly = assembly();
    let data = stack(&assembly, "Data");
    let (db_id, _) = at(data, "Db/Resource");
    let (_, policy) = at(data, "AppRole/DefaultPolicy/Resource");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone();
    let connect = statements
        .iter()
        .find(|s| s["Action"] == "rds-db:connect")
        .unwrap_or_else(|| panic!("{statements:?}"));
    assert_eq!(
        connect["Resource"],
        json!({"Fn::Sub": [
            "arn:${AWS::Partition}:rds-db:${AWS::Region}:${AWS::AccountId}:dbuser:${Dbi}/orders_app",
            {"Dbi": {"Fn::GetAtt": [db_id, "DbiResourceId"]}}
        ]})
    );
}

#[test]
fn postgres_refuses_bad_monitoring_intervals_and_user_names() {
    let vpc = vpc();
    let err = PostgresDatabase::builder(&vpc)
        .monitoring_interval_seconds(7)
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("7") && err.contains("one of 1, 5, 10, 15, 30, 60"),
        "{err}"
    );
    let db = PostgresDatabase::builder(&vpc)
        .monitoring_interval_seconds(15)
        .build()
        .unwrap();
    let mut role = Role::assumed_by_service("ecs-tasks.amazonaws.com");
    for bad in ["", "1user", "app-user", "x/y"] {
        let err = db
            .grant_iam_connect(&mut role, bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("must start with a letter"), "{bad}: {err}");
    }
    assert!(role.policy_document().is_empty());
}

#[test]
fn redis_authenticates_with_a_generated_token_never_in_the_template() {
    let assembly = assembly();
    let data = stack(&assembly, "Data");
    let (_, cache) = at(data, "Cache/Resource");
    let (secret_id, secret) = at(data, "Cache/AuthToken/Resource");
    let p = &cache["Properties"];
    assert_eq!(p["TransitEncryptionEnabled"], true);
    assert_eq!(
        p["AuthToken"],
        json!({"Fn::Join": ["", [
            "{{resolve:secretsmanager:",
            {"Ref": secret_id},
            ":SecretString:::}}"
        ]]})
    );
    // ElastiCache: 16-128 printable characters without @ " / (letters and digits only here).
    let generate = &secret["Properties"]["GenerateSecretString"];
    let length = generate["PasswordLength"].as_i64().unwrap();
    assert!((16..=128).contains(&length), "{generate}");
    assert_eq!(generate["ExcludePunctuation"], true);
    assert!(generate.get("SecretStringTemplate").is_none());
    assert_eq!(secret["DeletionPolicy"], "Delete");

    let (_, policy) = at(data, "AppRole/DefaultPolicy/Resource");
    let text = policy.to_string();
    assert!(
        text.contains("secretsmanager:GetSecretValue")
            && text.contains(&json!({"Ref": secret_id}).to_string()),
        "{text}"
    );
}

#[test]
fn access_logs_go_to_a_log_bucket_that_admits_s3_logging_only() {
    let assembly = assembly();
    let storage = stack(&assembly, "Storage");
    let (logs_id, logs) = at(storage, "Storage/AccessLogs/Resource");
    let (_, logged) = at(storage, "Logged/Resource");
    let (_, plain) = at(storage, "Plain/Resource");
    let (own_logs_id, _) = at(storage, "Plain/AccessLogs/Resource");
    assert_eq!(
        logged["Properties"]["LoggingConfiguration"],
        json!({"DestinationBucketName": {"Ref": logs_id}, "LogFilePrefix": "photos/"})
    );
    assert!(skipped(&logged).is_empty(), "{logged}");
    // A bucket logs into a log bucket of its own unless given one.
    assert_eq!(
        plain["Properties"]["LoggingConfiguration"],
        json!({"DestinationBucketName": {"Ref": own_logs_id}})
    );
    assert!(skipped(&plain).is_empty(), "{plain}");
    assert_eq!(skipped(&logs), ["CKV_AWS_18"]);
    assert!(logs["Metadata"]["checkov"]["skip"][0]["comment"]
        .as_str()
        .unwrap()
        .contains("receives server access logs"));
    assert!(logs["Properties"].get("LoggingConfiguration").is_none());

    let (_, policy) = at(storage, "Storage/AccessLogs/Policy");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone();
    let allow: Vec<&Value> = statements
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .collect();
    assert_eq!(allow.len(), 1, "{statements:?}");
    assert_eq!(
        allow[0]["Principal"],
        json!({"Service": "logging.s3.amazonaws.com"})
    );
    assert_eq!(allow[0]["Action"], "s3:PutObject");
    assert_eq!(
        allow[0]["Condition"]["StringEquals"]["aws:SourceAccount"],
        json!({"Ref": "AWS::AccountId"})
    );
    assert_eq!(
        allow[0]["Resource"],
        json!({"Fn::Join": ["", [{"Fn::GetAtt": [logs_id, "Arn"]}, "/*"]]})
    );
    // An ordinary bucket's policy only denies requests without TLS.
    let (_, plain_policy) = at(storage, "Plain/Policy");
    let plain_statements = plain_policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone();
    assert!(plain_statements.iter().all(|s| s["Effect"] == "Deny"));
}

#[test]
fn access_logs_need_a_log_bucket_other_than_the_bucket_itself() {
    let err = Bucket::new()
        .server_access_logs(&Bucket::new(), "x/")
        .unwrap_err()
        .to_string();
    assert!(err.contains("Bucket::for_access_logs()"), "{err}");
    let logs = Bucket::for_access_logs();
    let err = logs
        .clone()
        .server_access_logs(&logs, "x/")
        .unwrap_err()
        .to_string();
    assert!(err.contains("its own access logs"), "{err}");
}

#[test]
fn customer_keys_are_opt_in_and_lift_the_skip() {
    let assembly = assembly();
    let storage = stack(&assembly, "Storage");
    // Log groups are the exception: the stack's own key encrypts them by default.
    let (_, logs) = at(storage, "Storage/Logs/Resource");
    let (_, keyed_logs) = at(storage, "KeyedLogs/Resource");
    assert!(skipped(&logs).is_empty(), "{logs}");
    assert_eq!(
        logs["Properties"]["KmsKeyId"],
        json!({"Fn::GetAtt": ["LogsKey", "Arn"]})
    );
    assert_eq!(keyed_logs["Properties"]["KmsKeyId"], KEY);
    assert!(keyed_logs.get("Metadata").is_none(), "{keyed_logs}");

    let (_, secret) = at(storage, "Storage/Secret/Resource");
    let (_, keyed_secret) = at(storage, "KeyedSecret/Resource");
    assert_eq!(skipped(&secret), ["CKV_AWS_149"]);
    assert_eq!(keyed_secret["Properties"]["KmsKeyId"], KEY);
    // No checkov skip left (cdk-nag's rotation rule is another matter, see below).
    assert!(
        keyed_secret["Metadata"].get("checkov").is_none(),
        "{keyed_secret}"
    );
    // Readers of a secret under a customer key can decrypt with that key, and only that key.
    let (_, policy) = at(storage, "Reader/DefaultPolicy/Resource");
    let decrypt: Vec<Value> = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Action"] == "kms:Decrypt")
        .cloned()
        .collect();
    assert_eq!(decrypt.len(), 1, "{policy}");
    assert_eq!(decrypt[0]["Resource"], KEY);

    let (_, queue) = at(storage, "Queue/Resource");
    let (_, dlq) = at(storage, "Queue/DeadLetterQueue");
    assert_eq!(skipped(&queue), ["CKV_AWS_27"]);
    assert_eq!(skipped(&dlq), ["CKV_AWS_27"]);
    assert_eq!(queue["Properties"]["SqsManagedSseEnabled"], true);
    let (_, table) = at(storage, "Table/Resource");
    assert_eq!(skipped(&table), ["CKV_AWS_119"]);
    assert_eq!(table["Properties"]["SSESpecification"]["SSEEnabled"], true);
}

#[test]
fn plain_http_load_balancers_say_how_to_turn_https_on() {
    let assembly = assembly();
    let http = stack(&assembly, "Http");
    let (_, lb) = at(http, "Alb/Resource/Resource");
    let (_, listener) = at(http, "Alb/HttpListener");
    assert_eq!(skipped(&lb), ["CKV_AWS_91"]);
    assert_eq!(skipped(&listener), ["CKV_AWS_2", "CKV_AWS_103"]);
    assert!(listener["Metadata"]["checkov"]["skip"][0]["comment"]
        .as_str()
        .unwrap()
        .contains("AlbBuilder::certificate"));
    assert!(lb["Metadata"]["checkov"]["skip"][0]["comment"]
        .as_str()
        .unwrap()
        .contains("AlbBuilder::access_logs"));

    // With a certificate and access logs, nothing is skipped.
    let https = stack(&assembly, "Https");
    for suffix in [
        "Alb/Resource/Resource",
        "Alb/HttpListener",
        "Alb/HttpsListener",
    ] {
        let (_, resource) = at(https, suffix);
        assert!(skipped(&resource).is_empty(), "{suffix}: {resource}");
    }
}

#[test]
fn checkov_finds_no_failed_check_and_cfn_lint_nothing() {
    let assembly = assembly();
    let dir = tempfile::tempdir().unwrap();
    assembly.write(dir.path()).unwrap();
    let templates: Vec<_> = assembly
        .stacks
        .iter()
        .map(|s| dir.path().join(&s.file_name))
        .collect();
    if let Err(e) = rcdk_testkit::lint::cfn_lint(&templates) {
        panic!("{e:?}");
    }
    if let Err(e) = rcdk_testkit::lint::checkov(&templates) {
        panic!("{e:?}");
    }
}

#[test]
fn a_generated_secret_says_why_it_is_not_rotated_until_a_rotation_function_is_given() {
    let function = "arn:aws:lambda:us-east-1:123456789012:function:rotate-orders-db";
    let rotated = Secret::generated().rotation(function, 30).unwrap();
    assert!(rotated.rotation_schedule().is_some());
    assert!(Secret::generated().rotation(function, 0).is_err());
    let assembly = App::new()
        .with(
            Stack::new("Secrets")
                .with("Plain", Secret::generated())
                .with("Rotated", rotated),
        )
        .synth()
        .unwrap();
    let secrets = stack(&assembly, "Secrets");
    let (_, plain) = at(secrets, "Plain/Resource");
    let nag = &plain["Metadata"]["cdk_nag"]["rules_to_suppress"];
    assert_eq!(nag[0]["id"], "AwsSolutions-SMG4");
    assert!(
        nag[0]["reason"]
            .as_str()
            .unwrap()
            .contains("Secret::rotation"),
        "{nag}"
    );
    let (rotated_id, rotated) = at(secrets, "Rotated/Resource");
    assert!(rotated["Metadata"].get("cdk_nag").is_none(), "{rotated}");
    let (_, schedule) = at(secrets, "Rotated/Rotation");
    assert_eq!(schedule["Type"], "AWS::SecretsManager::RotationSchedule");
    assert_eq!(
        schedule["Properties"],
        json!({
            "SecretId": {"Ref": rotated_id},
            "RotationLambdaARN": function,
            "RotationRules": {"AutomaticallyAfterDays": 30}
        })
    );
}
