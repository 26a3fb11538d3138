//! The typed policy model: validated actions, explicit wildcards, deterministic merging, role
//! names, and the inline policy size check.

use rcdk_constructs::error::ConstructError;
use rcdk_constructs::iam::{
    Action, ConditionOperator, Grantee, PolicyDocument, Role, RoleNameText, Statement,
    INLINE_POLICY_LIMIT,
};
use rcdk_constructs::role_name;
use rcdk_constructs::storage::IQueue;
use rcdk_constructs::storage::Queue;
use rcdk_core::{App, Stack, Val};
use serde_json::json;

fn a(name: &str) -> Action {
    Action::new(name).unwrap()
}

#[test]
fn actions_are_validated_and_wildcards_need_the_explicit_call() {
    assert_eq!(a("s3:GetObject").as_str(), "s3:GetObject");
    for bad in ["GetObject", "S3:GetObject", "s3:", ":Get", "s3:Get Object"] {
        assert!(
            matches!(Action::new(bad), Err(ConstructError::InvalidAction { .. })),
            "{bad}"
        );
    }
    let err = Action::new("s3:*").unwrap_err();
    assert!(
        err.to_string().contains("Action::wildcard_explicitly"),
        "{err}"
    );
    let err = Action::new("*").unwrap_err();
    assert!(
        err.to_string().contains("every action of every service"),
        "{err}"
    );
    assert!(Action::wildcard_explicitly("s3:Get*")
        .unwrap()
        .is_wildcard());
}

#[test]
fn wildcard_and_missing_resources_are_refused() {
    let err = Statement::allow([a("s3:GetObject")])
        .on("*")
        .checked()
        .unwrap_err();
    assert!(
        err.to_string().contains(".on_any_resource_explicitly()"),
        "{err}"
    );
    let err = Statement::allow([a("s3:GetObject")]).checked().unwrap_err();
    assert!(err.to_string().contains("names no resource"), "{err}");
    assert!(Statement::allow([a("ecr:GetAuthorizationToken")])
        .on_any_resource_explicitly()
        .wildcards_because("no resource-level permissions")
        .checked()
        .is_ok());
}

#[test]
fn statements_merge_deterministically_without_duplicates() {
    let build = |order: &[usize]| {
        let statements = [
            Statement::allow([a("sqs:SendMessage")]).on("arn:aws:sqs:us-east-1:1:q"),
            Statement::allow([a("s3:GetObject")])
                .on("arn:aws:s3:::b/*")
                .wildcards_because("objects"),
            Statement::allow([a("sqs:GetQueueAttributes"), a("sqs:SendMessage")])
                .on("arn:aws:sqs:us-east-1:1:q"),
            Statement::allow([a("s3:PutObject")])
                .on("arn:aws:s3:::b/*")
                .wildcards_because("objects"),
        ];
        let mut doc = PolicyDocument::new();
        for &i in order {
            doc.add(statements[i].clone()).unwrap();
        }
        doc
    };
    let doc = build(&[0, 1, 2, 3]);
    let json = rcdk_core::synth::format::to_json(&doc.to_value());
    assert_eq!(
        json,
        json!({
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["sqs:GetQueueAttributes", "sqs:SendMessage"], "Resource": "arn:aws:sqs:us-east-1:1:q"},
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"}
            ]
        })
    );
    // Another order of the same grants gives the same statements (order of first use).
    let other = build(&[0, 3, 2, 1]);
    assert_eq!(other.statements().len(), 2);
    assert_eq!(
        other.statements()[1].actions(),
        &[a("s3:GetObject"), a("s3:PutObject")]
    );
    // Different conditions stay separate.
    let mut doc = build(&[0]);
    doc.add(
        Statement::allow([a("sqs:ReceiveMessage")])
            .on("arn:aws:sqs:us-east-1:1:q")
            .condition(ConditionOperator::Bool, "aws:SecureTransport", ["true"]),
    )
    .unwrap();
    assert_eq!(doc.statements().len(), 2);
}

#[test]
fn role_names_are_checked() {
    let ok = role_name!("learner-ecs-role");
    assert_eq!(ok.as_str(), "learner-ecs-role");
    assert!(RoleNameText::new("a+b=c,d.e@f_g-h").is_ok());
    let long = "r".repeat(65);
    let err = RoleNameText::new(long.clone()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("invalid IAM role name `{long}`: IAM role name is longer than 64 characters: shorten it")
    );
    let err = RoleNameText::new("my role").unwrap_err();
    assert!(err
        .to_string()
        .contains("may only contain letters, digits and + = , . @ _ -"));
    assert!(RoleNameText::new("").is_err());
    assert!(RoleNameText::new("r".repeat(64)).is_ok());
}

#[test]
fn inline_policies_over_the_limit_fail_synthesis_with_a_way_out() {
    let mut role =
        Role::assumed_by_service("codebuild.amazonaws.com").named(role_name!("big-role"));
    // Many queues, each granted separately: the policy grows past IAM's limit.
    let queues: Vec<Queue> = (0..60).map(|_| Queue::new()).collect();
    for q in &queues {
        q.grant_send(&mut role);
        q.grant_consume(&mut role);
    }
    let size = role.policy_document().estimated_size();
    assert!(size > INLINE_POLICY_LIMIT, "{size}");
    let err = role.check_inline_policy_size().unwrap_err();
    assert!(matches!(err, ConstructError::InlinePolicyTooLarge { .. }));
    let message = err.to_string();
    assert!(message.contains("role big-role"), "{message}");
    assert!(message.contains("over IAM's limit of 10240"), "{message}");
    assert!(message.contains("managed policy"), "{message}");

    let mut stack = Stack::new("Big").with("Role", role);
    for (i, q) in queues.into_iter().enumerate() {
        stack.add(format!("Queue{i}"), q);
    }
    let errors = App::new().with(stack).synth().unwrap_err();
    let text = errors.to_string();
    assert!(text.contains("Big/Role"), "{text}");
    assert!(text.contains("inline policies of role big-role"), "{text}");
}

#[test]
fn a_small_policy_passes_the_size_check() {
    let mut role = Role::assumed_by_service("codebuild.amazonaws.com");
    let q = Queue::new();
    let grant = q.grant_send(&mut role);
    assert_eq!(
        grant.action_names(),
        ["sqs:GetQueueAttributes", "sqs:SendMessage"]
    );
    assert_eq!(grant.resources, vec![Val::<String>::from(q.queue_arn())]);
    assert!(role.check_inline_policy_size().is_ok());
    let statement = Statement::allow([a("sqs:PurgeQueue")])
        .on(q.queue_arn())
        .checked()
        .unwrap();
    let grant = role.grant(statement);
    assert_eq!(grant.action_names(), ["sqs:PurgeQueue"]);
    // Same resource, no condition: merged into the send statement, actions sorted.
    let statements = role.policy_document().statements();
    assert_eq!(statements.len(), 1);
    let names: Vec<&str> = statements[0].actions().iter().map(|a| a.as_str()).collect();
    assert_eq!(
        names,
        [
            "sqs:GetQueueAttributes",
            "sqs:PurgeQueue",
            "sqs:SendMessage"
        ]
    );
}

#[test]
fn size_is_counted_on_compact_json_with_references_estimated() {
    let mut doc = PolicyDocument::new();
    doc.add(
        Statement::allow([a("s3:GetObject"), a("s3:PutObject")])
            .on("arn:aws:s3:::photos/*")
            .wildcards_because("every photo"),
    )
    .unwrap();
    let compact =
        serde_json::to_string(&rcdk_core::synth::format::to_json(&doc.to_value())).unwrap();
    assert_eq!(doc.estimated_size(), compact.len());
    // A `Fn::Sub` with pseudo parameters counts at their longest values, not at the template.
    let mut with_sub = PolicyDocument::new();
    with_sub
        .add(
            Statement::allow([a("ssm:GetParameters")]).on(rcdk_core::fns::sub_plain(
                "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app",
            )),
        )
        .unwrap();
    let longest = "arn:aws-us-gov:ssm:ap-southeast-5:123456789012:parameter/app";
    let mut literal = PolicyDocument::new();
    literal
        .add(Statement::allow([a("ssm:GetParameters")]).on(longest))
        .unwrap();
    assert_eq!(with_sub.estimated_size(), literal.estimated_size());
}

#[test]
fn grants_that_do_not_fit_move_to_a_managed_policy() {
    use rcdk_constructs::iam::ManagedPolicy;
    let mut role = Role::assumed_by_service("codebuild.amazonaws.com");
    let mut extra = ManagedPolicy::new();
    let q = Queue::new();
    q.grant_consume(&mut extra);
    role.attach_managed_policy(extra.arn());
    assert!(role.policy_document().is_empty());
    let mut app = App::new().with(
        Stack::new("M")
            .with("Role", role)
            .with("Extra", extra)
            .with("Queue", q),
    );
    let t = app.synth().unwrap().stacks[0].template_json();
    let role = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::IAM::Role")
        .unwrap();
    assert_eq!(
        role["Properties"]["ManagedPolicyArns"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let empty = ManagedPolicy::new();
    let err = App::new()
        .with(Stack::new("E").with("Empty", empty))
        .synth()
        .unwrap_err();
    assert!(err.to_string().contains("grants nothing"), "{err}");
}
