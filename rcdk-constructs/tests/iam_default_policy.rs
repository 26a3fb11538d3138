//! A role's grants synthesize as an `AWS::IAM::Policy` attached to the role (what the rule
//! packs' IAM rules read), under a name and logical id of its own so that replacing the
//! `AWS::IAM::RolePolicy` of earlier versions in a deployed stack keeps the permissions; and
//! every wildcard a statement allows carries its reason as the suppression of its finding.

mod support;

use rcdk_constructs::iam::{
    Action, Grantee, ManagedPolicy, Role, Statement, DEFAULT_POLICY_NAME, POLICY_NAME_SUFFIX,
};
use rcdk_constructs::storage::{Bucket, IBucket};
use rcdk_constructs::{action, actions};
use rcdk_core::synth::logical_id::logical_id;
use rcdk_core::{App, Parameter, Stack, StackArtifact};
use serde_json::{json, Value};

/// The name the `AWS::IAM::RolePolicy` of earlier versions had when the role named none.
const ROLE_POLICY_NAME_BEFORE: &str = "grants";

fn synth(stack: Stack) -> (StackArtifact, Value) {
    let mut app = App::new().with(stack);
    let assembly = app.synth().unwrap_or_else(|e| panic!("{e}"));
    support::assert_lint_clean(&assembly);
    let artifact = assembly.stacks[0].clone();
    let template = artifact.template_json();
    (artifact, template)
}

fn of_type<'a>(t: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

fn queue_grant(role: &mut Role) {
    role.grant(
        Statement::allow([action!("sqs:SendMessage")])
            .on("arn:aws:sqs:us-east-1:123456789012:jobs")
            .checked()
            .unwrap(),
    );
}

#[test]
fn grants_are_an_iam_policy_attached_to_the_role() {
    let mut role = Role::assumed_by_service("lambda.amazonaws.com");
    queue_grant(&mut role);
    let (artifact, t) = synth(Stack::new("S").with("Worker", role));
    assert!(of_type(&t, "AWS::IAM::RolePolicy").is_empty());
    let policies = of_type(&t, "AWS::IAM::Policy");
    assert_eq!(policies.len(), 1, "{policies:#?}");
    let (id, policy) = policies[0];
    let role_id = logical_id(&["Worker", "Resource"]);
    assert_eq!(policy["Properties"]["Roles"], json!([{"Ref": role_id}]));
    assert_eq!(policy["Properties"]["PolicyName"], DEFAULT_POLICY_NAME);
    assert_eq!(
        policy["Properties"]["PolicyDocument"]["Statement"][0]["Action"],
        "sqs:SendMessage"
    );
    assert!(artifact.paths[id].ends_with("Worker/DefaultPolicy/Resource"));
}

/// CloudFormation creates the new policy before it deletes the old `AWS::IAM::RolePolicy`;
/// both are inline policies of the role by name, so under the old name the deletion would
/// remove the permissions the new policy just wrote. And it refuses to change the type of a
/// logical id, so the new resource needs a logical id of its own too.
#[test]
fn the_policy_is_named_and_identified_apart_from_the_role_policy_it_replaces() {
    let parameter = Parameter::<String>::new().logical_id("PolicyName");
    let mut default = Role::assumed_by_service("lambda.amazonaws.com");
    let mut named = Role::assumed_by_service("lambda.amazonaws.com").inline_policy_name("jobs");
    let mut by_parameter =
        Role::assumed_by_service("lambda.amazonaws.com").inline_policy_name(parameter.value());
    for role in [&mut default, &mut named, &mut by_parameter] {
        queue_grant(role);
    }
    let (artifact, t) = synth(
        Stack::new("S")
            .with("PolicyName", parameter)
            .with("Default", default)
            .with("Named", named)
            .with("ByParameter", by_parameter),
    );
    let policy_at = |role: &str| {
        let (id, _) = artifact
            .paths
            .iter()
            .find(|(_, p)| p.ends_with(&format!("/{role}/DefaultPolicy/Resource")))
            .unwrap_or_else(|| panic!("no policy of {role}: {:#?}", artifact.paths));
        // The old resource was the child `DefaultPolicy` of the role itself.
        assert_ne!(*id, logical_id(&[role, "DefaultPolicy"]), "{role}");
        t["Resources"][id.as_str()]["Properties"]["PolicyName"].clone()
    };
    let default_name = policy_at("Default");
    assert_eq!(default_name, DEFAULT_POLICY_NAME);
    assert_ne!(default_name, ROLE_POLICY_NAME_BEFORE);
    let named_name = policy_at("Named");
    assert_eq!(named_name, format!("jobs{POLICY_NAME_SUFFIX}"));
    assert_ne!(named_name, "jobs");
    assert_eq!(
        policy_at("ByParameter"),
        json!({"Fn::Join": ["", [{"Ref": "PolicyName"}, POLICY_NAME_SUFFIX]]})
    );
}

#[test]
fn a_wildcard_needs_a_reason() {
    let err = Statement::allow([action!("ecr:GetAuthorizationToken")])
        .on_any_resource_explicitly()
        .checked()
        .unwrap_err()
        .to_string();
    assert!(err.contains(".wildcards_because"), "{err}");
    let err = Statement::allow([action!("s3:GetObject")])
        .on("arn:aws:s3:::reports/*")
        .checked()
        .unwrap_err()
        .to_string();
    assert!(err.contains("resource `arn:aws:s3:::reports/*`"), "{err}");
    let err = Statement::allow([Action::wildcard_explicitly("s3:Get*").unwrap()])
        .on("arn:aws:s3:::reports")
        .checked()
        .unwrap_err()
        .to_string();
    assert!(err.contains("action `s3:Get*`"), "{err}");
    // Denials and statements without wildcards need none.
    assert!(Statement::deny([action!("s3:DeleteObject")])
        .on("arn:aws:s3:::reports/*")
        .checked()
        .is_ok());
    assert!(Statement::allow([action!("s3:GetObject")])
        .on("arn:aws:s3:::reports/a.csv")
        .checked()
        .is_ok());
}

fn nag_suppressions(resource: &Value) -> Vec<(String, String)> {
    resource["Metadata"]["cdk_nag"]["rules_to_suppress"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (
                        i["id"].as_str().unwrap().to_string(),
                        i["reason"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn each_wildcard_is_suppressed_on_the_policy_with_the_reasons_of_its_grants() {
    let bucket = Bucket::new();
    let mut role = Role::assumed_by_service("ecs-tasks.amazonaws.com");
    bucket.grant_read(&mut role);
    role.grant(
        rcdk_constructs::iam::ecr_authorization_token()
            .checked()
            .unwrap(),
    );
    // A second statement on `*` merges into the first: one finding, both reasons.
    role.grant(
        rcdk_constructs::iam::ssm_session_channels()
            .checked()
            .unwrap(),
    );
    role.grant(
        Statement::allow([Action::wildcard_explicitly("logs:Describe*").unwrap()])
            .on("arn:aws:logs:us-east-1:123456789012:log-group:app")
            .wildcards_because("the console's log viewer lists what it shows")
            .checked()
            .unwrap(),
    );
    queue_grant(&mut role);
    let (_, t) = synth(Stack::new("S").with("Data", bucket).with("App", role));
    let policies = of_type(&t, "AWS::IAM::Policy");
    let (_, policy) = policies[0];
    let bucket_id = logical_id(&["Data", "Resource"]);
    let star_reason = format!(
        "{} / {}",
        rcdk_constructs::iam::ECR_TOKEN_REASON,
        rcdk_constructs::iam::SSM_CHANNELS_REASON
    );
    let suppressions = nag_suppressions(policy);
    let ids: Vec<&str> = suppressions.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        ids,
        [
            format!("AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/*]").as_str(),
            "AwsSolutions-IAM5[Resource::*]",
            "AwsSolutions-IAM5[Action::logs:Describe*]",
        ]
    );
    assert!(suppressions[0].1.contains("objects of this one bucket"));
    assert_eq!(suppressions[1].1, star_reason);
    assert_eq!(
        suppressions[2].1,
        "the console's log viewer lists what it shows"
    );
    // `logs:Describe*` is not a service-wide wildcard: Guard's rules do not report it.
    assert!(policy["Metadata"]["guard"].is_null(), "{policy:#}");
}

#[test]
fn service_wide_actions_are_suppressed_for_guard_too() {
    let mut role = Role::assumed_by_service("ec2.amazonaws.com");
    let reason = "the agent's channels: no resource-level permissions";
    role.grant(
        Statement::allow([Action::wildcard_explicitly("ssmmessages:*").unwrap()])
            .on_any_resource_explicitly()
            .wildcards_because(reason)
            .checked()
            .unwrap(),
    );
    let mut managed = ManagedPolicy::new();
    managed.grant(
        Statement::allow(actions!["s3:GetObject"])
            .on("arn:aws:s3:::reports/*")
            .wildcards_because("every report")
            .checked()
            .unwrap(),
    );
    let (_, t) = synth(Stack::new("S").with("Role", role).with("Shared", managed));
    let (_, policy) = of_type(&t, "AWS::IAM::Policy")[0];
    assert_eq!(
        policy["Metadata"]["guard"],
        json!({
            "SuppressedRules": ["iam_inline_policy_no_statements_with_full_access_check"],
            "Reasons": {"iam_inline_policy_no_statements_with_full_access_check": reason}
        })
    );
    let ids: Vec<String> = nag_suppressions(policy)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        ids,
        [
            "AwsSolutions-IAM5[Action::ssmmessages:*]",
            "AwsSolutions-IAM5[Resource::*]"
        ]
    );
    let (_, managed) = of_type(&t, "AWS::IAM::ManagedPolicy")[0];
    assert_eq!(
        nag_suppressions(managed),
        [(
            "AwsSolutions-IAM5[Resource::arn:aws:s3:::reports/*]".to_string(),
            "every report".to_string()
        )]
    );
}
