//! The storage defaults that the AWS rule packs (Guard's Control Tower rules, cdk-nag's
//! AwsSolutions) ask for: buckets encrypted with the AWS managed KMS key, logging their server
//! accesses into a log bucket of their own, with default lifecycle rules; the log buckets on
//! SSE-S3; queues refusing requests without TLS and dead-letter queues with a redrive allow
//! policy. Each opt-out drops the property and suppresses the finding with a reason naming it;
//! each opt-in lifts the suppression.

use rcdk_constructs::storage::{
    Bucket, LifecycleRule, ObjectLockMode, Queue, DEFAULT_ABORT_MULTIPART_RULE,
    NONCURRENT_VERSION_DAYS,
};
use rcdk_core::{App, Assembly, Stack, StackArtifact};
use serde_json::{json, Value};

mod support;

fn synth(stack: Stack) -> Assembly {
    App::new().with(stack).synth().unwrap()
}

/// The resource at the construct path `path` (below the stack), with its logical id.
fn at(stack: &StackArtifact, path: &str) -> (String, Value) {
    let id = stack
        .paths
        .iter()
        .find(|(_, p)| p.as_str() == path)
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("no resource at {path}: {:?}", stack.paths));
    let resource = stack.template_json()["Resources"][&id].clone();
    (id, resource)
}

/// The Guard rules a resource suppresses, each with a reason.
fn guard_suppressed(resource: &Value) -> Vec<String> {
    let guard = &resource["Metadata"]["guard"];
    let rules: Vec<String> = guard["SuppressedRules"]
        .as_array()
        .map(|r| r.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    for rule in &rules {
        assert!(
            guard["Reasons"][rule]
                .as_str()
                .is_some_and(|r| r.len() > 40),
            "{rule} has no reason: {resource}"
        );
    }
    rules
}

fn reason(resource: &Value, rule: &str) -> String {
    resource["Metadata"]["guard"]["Reasons"][rule]
        .as_str()
        .unwrap_or_else(|| panic!("{rule} not suppressed: {resource}"))
        .to_string()
}

fn nag_suppressed(resource: &Value) -> Vec<(String, String)> {
    resource["Metadata"]["cdk_nag"]["rules_to_suppress"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|s| {
                    (
                        s["id"].as_str().unwrap().to_string(),
                        s["reason"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn a_bucket_uses_the_aws_managed_key_and_logs_into_its_own_log_bucket() {
    let assembly = synth(Stack::new("S").with("Data", Bucket::new()));
    let stack = assembly.stack("S").unwrap();
    let (_, data) = at(stack, "S/Data/Resource");
    let (logs_id, logs) = at(stack, "S/Data/AccessLogs/Resource");
    let (logs_policy_id, _) = at(stack, "S/Data/AccessLogs/Policy");
    assert_eq!(
        data["Properties"]["BucketEncryption"],
        json!({"ServerSideEncryptionConfiguration": [{
            "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"},
            "BucketKeyEnabled": true
        }]})
    );
    assert_eq!(
        data["Properties"]["LoggingConfiguration"],
        json!({"DestinationBucketName": {"Ref": logs_id}})
    );
    // S3 accepts the logging configuration once the log bucket admits its log delivery.
    assert_eq!(data["DependsOn"], json!([logs_policy_id]));
    assert_eq!(
        sorted(guard_suppressed(&data)),
        [
            "s3_bucket_object_lock_enabled_check",
            "s3_event_notifications_enabled_check"
        ]
    );
    assert!(nag_suppressed(&data).is_empty(), "{data}");

    // The log bucket: SSE-S3 (log delivery does not take the AWS managed key), no logging of
    // its own.
    assert_eq!(
        logs["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
            ["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
        "AES256"
    );
    assert!(logs["Properties"].get("LoggingConfiguration").is_none());
    assert!(logs.get("DependsOn").is_none());
    assert_eq!(
        sorted(guard_suppressed(&logs)),
        [
            "s3_bucket_default_encryption_kms_check",
            "s3_bucket_logging_enabled_check",
            "s3_bucket_object_lock_enabled_check",
            "s3_event_notifications_enabled_check"
        ]
    );
    assert!(reason(&logs, "s3_bucket_logging_enabled_check").contains("loop"));
    // cdk-nag counts a bucket that receives logs as logged: nothing to suppress there.
    assert!(nag_suppressed(&logs).is_empty(), "{logs}");
    support::assert_lint_clean(&assembly);
}

#[test]
fn buckets_share_a_log_bucket_under_their_own_prefix() {
    let logs = Bucket::for_access_logs();
    let photos = Bucket::new().server_access_logs(&logs, "photos/").unwrap();
    assert!(photos.own_access_log_bucket().is_none());
    let assembly = synth(Stack::new("S").with("Logs", logs).with("Photos", photos));
    let stack = assembly.stack("S").unwrap();
    let (logs_id, _) = at(stack, "S/Logs/Resource");
    let (policy_id, _) = at(stack, "S/Logs/Policy");
    let (_, photos) = at(stack, "S/Photos/Resource");
    assert_eq!(
        photos["Properties"]["LoggingConfiguration"],
        json!({"DestinationBucketName": {"Ref": logs_id}, "LogFilePrefix": "photos/"})
    );
    assert_eq!(photos["DependsOn"], json!([policy_id]));
    assert!(!stack
        .paths
        .values()
        .any(|p| p.starts_with("S/Photos/AccessLogs")));
}

#[test]
fn no_access_logs_drops_the_log_bucket_and_says_so() {
    let bucket = Bucket::new().no_access_logs();
    assert!(bucket.own_access_log_bucket().is_none());
    let assembly = synth(Stack::new("S").with("Data", bucket));
    let stack = assembly.stack("S").unwrap();
    let (_, data) = at(stack, "S/Data/Resource");
    assert!(data["Properties"].get("LoggingConfiguration").is_none());
    assert!(data.get("DependsOn").is_none());
    assert!(reason(&data, "s3_bucket_logging_enabled_check").contains("Bucket::no_access_logs"));
    let nag = nag_suppressed(&data);
    assert_eq!(nag.len(), 1);
    assert_eq!(nag[0].0, "AwsSolutions-S1");
    assert!(nag[0].1.contains("Bucket::no_access_logs"));
    assert_eq!(data["Metadata"]["checkov"]["skip"][0]["id"], "CKV_AWS_18");
    assert_eq!(
        stack.template_json()["Resources"]
            .as_object()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn load_balancer_log_buckets_stay_on_sse_s3_and_say_why() {
    let assembly = synth(Stack::new("S").with("Alb", Bucket::for_load_balancer_logs()));
    let stack = assembly.stack("S").unwrap();
    let (_, alb) = at(stack, "S/Alb/Resource");
    assert_eq!(
        alb["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
            ["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
        "AES256"
    );
    assert!(reason(&alb, "s3_bucket_default_encryption_kms_check").contains("Load Balancing"));
    // Its own accesses are logged like any bucket's.
    assert!(alb["Properties"]["LoggingConfiguration"].is_object());
}

#[test]
fn default_lifecycle_rules_follow_versioning_and_can_be_replaced_or_dropped() {
    let rules_of = |bucket: Bucket| {
        let assembly = synth(Stack::new("S").with("B", bucket));
        let (_, b) = at(assembly.stack("S").unwrap(), "S/B/Resource");
        b
    };
    let versioned = rules_of(Bucket::new());
    assert_eq!(
        versioned["Properties"]["LifecycleConfiguration"]["Rules"],
        json!([
            {"Status": "Enabled", "Id": "AbortIncompleteMultipartUploads",
             "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
            {"Status": "Enabled", "Id": "ExpireNoncurrentVersions",
             "NoncurrentVersionExpiration": {"NoncurrentDays": NONCURRENT_VERSION_DAYS}}
        ])
    );
    let unversioned = rules_of(Bucket::new().versioned(false));
    let rules = unversioned["Properties"]["LifecycleConfiguration"]["Rules"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["Id"], DEFAULT_ABORT_MULTIPART_RULE);

    // A rule under a default rule's id replaces it.
    let replaced = rules_of(
        Bucket::new()
            .lifecycle_rule(
                LifecycleRule::new(DEFAULT_ABORT_MULTIPART_RULE)
                    .abort_incomplete_multipart_uploads(2),
            )
            .unwrap(),
    );
    let rules = replaced["Properties"]["LifecycleConfiguration"]["Rules"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[1]["Id"], DEFAULT_ABORT_MULTIPART_RULE);
    assert_eq!(
        rules[1]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"],
        2
    );

    // Without the defaults and without rules, both Guard rules are suppressed with the reason.
    let none = rules_of(Bucket::new().no_default_lifecycle_rules());
    assert!(none["Properties"].get("LifecycleConfiguration").is_none());
    for rule in [
        "s3_lifecycle_policy_check",
        "s3_version_lifecycle_policy_check",
    ] {
        assert!(reason(&none, rule).contains("Bucket::no_default_lifecycle_rules"));
    }
    // An added rule meets them again.
    let own = rules_of(
        Bucket::new()
            .no_default_lifecycle_rules()
            .lifecycle_rule(LifecycleRule::new("Old").expire(30))
            .unwrap(),
    );
    assert!(!guard_suppressed(&own)
        .iter()
        .any(|r| r.contains("lifecycle")));
}

#[test]
fn object_lock_and_event_bridge_are_opt_ins_that_lift_their_suppressions() {
    let bucket = Bucket::new()
        .object_lock(ObjectLockMode::Governance, 30)
        .unwrap()
        .event_bridge();
    let assembly = synth(Stack::new("S").with("Archive", bucket));
    let (_, archive) = at(assembly.stack("S").unwrap(), "S/Archive/Resource");
    assert_eq!(archive["Properties"]["ObjectLockEnabled"], true);
    assert_eq!(
        archive["Properties"]["ObjectLockConfiguration"],
        json!({"ObjectLockEnabled": "Enabled",
               "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 30}}})
    );
    assert_eq!(
        archive["Properties"]["NotificationConfiguration"],
        json!({"EventBridgeConfiguration": {"EventBridgeEnabled": true}})
    );
    assert!(guard_suppressed(&archive).is_empty(), "{archive}");

    assert!(Bucket::new()
        .object_lock(ObjectLockMode::Compliance, 0)
        .is_err());
    let err = Bucket::new()
        .versioned(false)
        .object_lock(ObjectLockMode::Compliance, 1)
        .unwrap_err()
        .to_string();
    assert!(err.contains("versioning"), "{err}");
}

#[test]
fn queues_refuse_plain_http_and_dead_letter_queues_allow_redrive() {
    let assembly = synth(
        Stack::new("S")
            .with("Jobs", Queue::new().with_dead_letter_queue(5).unwrap())
            .with("Dlq", Queue::for_dead_letters()),
    );
    let stack = assembly.stack("S").unwrap();
    let (jobs_id, jobs) = at(stack, "S/Jobs/Resource");
    let (dlq_id, dlq) = at(stack, "S/Jobs/DeadLetterQueue");
    let (_, policy) = at(stack, "S/Jobs/Policy");
    assert_eq!(
        policy["Properties"]["Queues"],
        json!([{"Ref": jobs_id}, {"Ref": dlq_id}])
    );
    assert_eq!(
        policy["Properties"]["PolicyDocument"]["Statement"],
        json!([{
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "sqs:*",
            "Resource": [{"Fn::GetAtt": [jobs_id, "Arn"]}, {"Fn::GetAtt": [dlq_id, "Arn"]}],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }])
    );
    assert!(jobs["Properties"].get("RedriveAllowPolicy").is_none());
    assert_eq!(
        dlq["Properties"]["RedriveAllowPolicy"],
        json!({"redrivePermission": "allowAll"})
    );

    let (standalone_id, standalone) = at(stack, "S/Dlq/Resource");
    let (_, standalone_policy) = at(stack, "S/Dlq/Policy");
    assert_eq!(
        standalone_policy["Properties"]["Queues"],
        json!([{"Ref": standalone_id}])
    );
    assert_eq!(
        standalone["Properties"]["MessageRetentionPeriod"],
        1_209_600
    );
    assert_eq!(
        standalone["Properties"]["RedriveAllowPolicy"],
        json!({"redrivePermission": "allowAll"})
    );
    support::assert_lint_clean(&assembly);
}
