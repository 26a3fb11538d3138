//! Log groups by default: encrypted with one customer-managed KMS key per stack (made with the
//! first log group that uses it, rotated, its policy limited to this account's log groups) and
//! kept a year. A user's key is used as given; a shorter retention, CloudWatch Logs' own keys
//! and a VPC without flow logs are recorded in the template as exceptions that name the choice.
//! The rule packs (cfn-guard with the Control Tower rules, cdk-nag), cfn-lint and checkov agree.

mod support;

use rcdk_constructs::network::{NatPolicy, Tier, TieredVpc};
use rcdk_constructs::storage::{LogGroup, LogRetention};
use rcdk_core::{App, Assembly, Stack, StackArtifact};
use rcdk_testkit::lint::Tool;
use serde_json::{json, Value};

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ENCRYPTED: &str = "cloudwatch_log_group_encrypted_check";
const RETENTION: &str = "cloudwatch_log_group_retention_period_check";

fn vpc(flow_logs: bool) -> TieredVpc {
    let builder = TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("Private", 22))
        .nat(NatPolicy::Single);
    let builder = if flow_logs {
        builder
    } else {
        builder.no_flow_logs()
    };
    builder.build().unwrap()
}

fn assembly() -> Assembly {
    App::new()
        .with(
            Stack::new("Logs")
                .with("First", LogGroup::new())
                .with("Second", LogGroup::new().named("/app/second"))
                .with("Short", LogGroup::new().retention(LogRetention::ONE_MONTH))
                .with(
                    "Lengthened",
                    LogGroup::new()
                        .retention(LogRetention::TWO_WEEKS)
                        .retention(LogRetention::FIVE_YEARS),
                )
                .with("Forever", LogGroup::new().never_expire_explicitly())
                .with("UserKey", LogGroup::new().encryption_key(KEY))
                .with("ServiceKey", LogGroup::new().aws_managed_encryption()),
        )
        .with(
            Stack::new("NoStackKey")
                .with("UserKey", LogGroup::new().encryption_key(KEY))
                .with("ServiceKey", LogGroup::new().aws_managed_encryption()),
        )
        .with(Stack::new("Network").with("Vpc", vpc(true)))
        .with(Stack::new("Quiet").with("Vpc", vpc(false)))
        .synth()
        .unwrap()
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

fn of_type(stack: &StackArtifact, ty: &str) -> Vec<(String, Value)> {
    stack.template_json()["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect()
}

/// The reason a resource gives for not meeting Guard rule `rule`, if it suppresses it.
fn guard_reason(resource: &Value, rule: &str) -> Option<String> {
    let guard = &resource["Metadata"]["guard"];
    let listed = guard["SuppressedRules"]
        .as_array()
        .is_some_and(|rules| rules.iter().any(|r| r == rule));
    let reason = guard["Reasons"][rule].as_str().map(str::to_string);
    assert_eq!(listed, reason.is_some(), "{resource}");
    reason
}

#[test]
fn log_groups_share_one_rotated_key_per_stack_and_keep_events_a_year() {
    let assembly = assembly();
    let logs = assembly.stack("Logs").unwrap();
    let keys = of_type(logs, "AWS::KMS::Key");
    assert_eq!(keys.len(), 1, "one key for all the stack's log groups");
    let (key_id, key) = &keys[0];
    assert_eq!(key_id, "LogsKey");
    assert_eq!(key["Properties"]["EnableKeyRotation"], true);
    assert_eq!(key["DeletionPolicy"], "Retain");
    assert_eq!(key["UpdateReplacePolicy"], "Retain");
    for name in ["First", "Second"] {
        let (_, group) = at(logs, &format!("Logs/{name}/Resource"));
        assert_eq!(
            group["Properties"]["KmsKeyId"],
            json!({"Fn::GetAtt": ["LogsKey", "Arn"]})
        );
        assert_eq!(group["Properties"]["RetentionInDays"], 365);
        assert!(group.get("Metadata").is_none(), "{group}");
    }
    // Stacks whose log groups all bring their own arrangement get no key.
    let other = assembly.stack("NoStackKey").unwrap();
    assert!(of_type(other, "AWS::KMS::Key").is_empty());
}

#[test]
fn the_key_policy_lets_only_this_accounts_log_groups_use_the_key() {
    let assembly = assembly();
    let (_, key) = at(assembly.stack("Logs").unwrap(), "LogsKey/Resource");
    let statements = key["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .unwrap()
        .clone();
    let by_sid = |sid: &str| {
        statements
            .iter()
            .find(|s| s["Sid"] == sid)
            .unwrap_or_else(|| panic!("no {sid}: {statements:?}"))
            .clone()
    };
    let admin = by_sid("AccountAdministersKey");
    assert_eq!(
        admin["Principal"],
        json!({"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}})
    );
    let logs = by_sid("LogsEncryptsThisAccountsLogGroups");
    assert_eq!(logs["Effect"], "Allow");
    assert_eq!(
        logs["Principal"],
        json!({"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}})
    );
    assert_eq!(
        logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"],
        json!({"Fn::Sub":
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"})
    );
    let actions: Vec<&str> = logs["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(actions.iter().all(|a| !a.contains('*')), "{actions:?}");
    assert!(actions.contains(&"kms:GenerateDataKey"), "{actions:?}");
    let grants = by_sid("GrantsOnlyForAwsServices");
    assert_eq!(grants["Effect"], "Deny");
    assert_eq!(
        grants["Condition"]["BoolIfExists"],
        json!({"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"})
    );
}

#[test]
fn a_shorter_retention_is_an_exception_that_names_it() {
    let assembly = assembly();
    let logs = assembly.stack("Logs").unwrap();
    let (_, short) = at(logs, "Logs/Short/Resource");
    assert_eq!(short["Properties"]["RetentionInDays"], 30);
    let reason = guard_reason(&short, RETENTION).unwrap();
    assert!(reason.contains("30 days"), "{reason}");
    assert!(reason.contains("LogGroup::retention"), "{reason}");
    // Lengthening the retention again lifts the exception.
    let (_, lengthened) = at(logs, "Logs/Lengthened/Resource");
    assert_eq!(lengthened["Properties"]["RetentionInDays"], 1827);
    assert!(lengthened.get("Metadata").is_none(), "{lengthened}");
    let (_, forever) = at(logs, "Logs/Forever/Resource");
    assert!(forever["Properties"].get("RetentionInDays").is_none());
    assert!(guard_reason(&forever, RETENTION).is_none());
    let skips = forever["Metadata"]["checkov"]["skip"].as_array().unwrap();
    assert_eq!(skips[0]["id"], "CKV_AWS_66");
    assert!(skips[0]["comment"]
        .as_str()
        .unwrap()
        .contains("never_expire_explicitly"));
}

#[test]
fn a_users_key_is_used_and_aws_managed_keys_are_an_exception_that_names_them() {
    let assembly = assembly();
    let logs = assembly.stack("Logs").unwrap();
    let (_, user_key) = at(logs, "Logs/UserKey/Resource");
    assert_eq!(user_key["Properties"]["KmsKeyId"], KEY);
    assert!(user_key.get("Metadata").is_none(), "{user_key}");
    let (_, service_key) = at(logs, "Logs/ServiceKey/Resource");
    assert!(service_key["Properties"].get("KmsKeyId").is_none());
    let reason = guard_reason(&service_key, ENCRYPTED).unwrap();
    assert!(
        reason.contains("LogGroup::aws_managed_encryption"),
        "{reason}"
    );
    let skips = service_key["Metadata"]["checkov"]["skip"]
        .as_array()
        .unwrap();
    assert_eq!(skips[0]["id"], "CKV_AWS_158");
}

#[test]
fn vpcs_log_their_traffic_to_an_encrypted_log_group_unless_told_not_to() {
    let assembly = assembly();
    let network = assembly.stack("Network").unwrap();
    let (group_id, group) = at(network, "Vpc/FlowLogs/LogGroup/Resource");
    assert_eq!(
        group["Properties"]["KmsKeyId"],
        json!({"Fn::GetAtt": ["LogsKey", "Arn"]})
    );
    assert_eq!(group["Properties"]["RetentionInDays"], 365);
    let (vpc_id, vpc) = at(network, "Vpc/Resource");
    assert!(vpc.get("Metadata").is_none(), "{vpc}");
    let (_, flow_log) = at(network, "Vpc/FlowLogs/Resource");
    assert_eq!(flow_log["Properties"]["ResourceId"], json!({"Ref": vpc_id}));
    assert_eq!(flow_log["Properties"]["TrafficType"], "ALL");
    assert_eq!(
        flow_log["Properties"]["LogGroupName"],
        json!({"Ref": group_id})
    );

    let quiet = assembly.stack("Quiet").unwrap();
    assert!(of_type(quiet, "AWS::EC2::FlowLog").is_empty());
    assert!(of_type(quiet, "AWS::KMS::Key").is_empty());
    let (_, vpc) = at(quiet, "Vpc/Resource");
    let suppressed = vpc["Metadata"]["cdk_nag"]["rules_to_suppress"]
        .as_array()
        .unwrap();
    assert_eq!(suppressed[0]["id"], "AwsSolutions-VPC7");
    let reason = suppressed[0]["reason"].as_str().unwrap();
    assert!(reason.contains("no_flow_logs"), "{reason}");
}

#[test]
fn cfn_lint_and_checkov_find_nothing() {
    support::assert_lint_clean(&assembly());
}

/// The rules these defaults answer: every finding of them is covered by a suppression that
/// names the opt-out, and each such suppression covers a finding.
#[test]
fn the_rule_packs_find_nothing_but_the_recorded_exceptions() {
    let assembly = assembly();
    let (_dir, templates) = support::written_templates(&assembly);
    let run = rcdk_testkit::rulepacks::run_rule_packs(&templates).unwrap();
    let ours = |rule: &str| {
        rule.starts_with("cloudwatch_log_group")
            || rule.starts_with("kms_")
            || rule.starts_with("AwsSolutions-KMS")
            || rule.starts_with("AwsSolutions-VPC7")
            || rule.starts_with("AwsSolutions-IAM5")
    };
    let mut accepted = Vec::new();
    for tool in [Tool::CfnGuard, Tool::CdkNag] {
        let used = run.used_suppressions(tool);
        for finding in run.findings(tool).filter(|f| ours(&f.rule)) {
            let covered = used
                .iter()
                .any(|s| s.logical_id == finding.location && s.rule == finding.rule);
            assert!(covered, "unsuppressed: {finding:?}");
            let file = finding.file.file_name().unwrap().to_string_lossy();
            accepted.push(format!("{file} {} {}", finding.location, finding.rule));
        }
    }
    accepted.sort();
    let id = |stack: &str, suffix: &str| at(assembly.stack(stack).unwrap(), suffix).0;
    let mut expected = vec![
        format!(
            "Logs.template.json {} {RETENTION}",
            id("Logs", "Logs/Short/Resource")
        ),
        format!(
            "Logs.template.json {} {ENCRYPTED}",
            id("Logs", "Logs/ServiceKey/Resource")
        ),
        format!(
            "NoStackKey.template.json {} {ENCRYPTED}",
            id("NoStackKey", "NoStackKey/ServiceKey/Resource")
        ),
        format!(
            "Quiet.template.json {} AwsSolutions-VPC7",
            id("Quiet", "Vpc/Resource")
        ),
    ];
    expected.sort();
    assert_eq!(accepted, expected);
}
