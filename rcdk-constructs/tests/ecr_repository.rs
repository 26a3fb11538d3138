//! `ecr::Repository`: secure defaults, typed lifecycle rules rendered to the policy text, KMS
//! with a customer key, checked names and counts, and pull / push grants scoped to the
//! repository (plus the registry-wide token), asserted on the synthesized template.

use rcdk_constructs::ecr::{IRepository, LifecycleRule, Repository, RepositoryEncryption};
use rcdk_constructs::error::ConstructError;
use rcdk_constructs::iam::Role;
use rcdk_core::assertions::{Match, Template};
use rcdk_core::synth::format::to_json;
use rcdk_core::{App, Intrinsic, RemovalPolicy, Stack, Val, Value as Value_};
use serde_json::{json, Value};

fn synth(stack: Stack) -> Template {
    let mut app = App::new();
    app.add(stack);
    Template::synth(&mut app, "Test").unwrap_or_else(|e| panic!("{e}"))
}

fn repository_of(t: &Template) -> Value {
    let found = t.find_resources("AWS::ECR::Repository", Match::any_value());
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].1.clone()
}

fn lifecycle_of(resource: &Value) -> Value {
    let text = resource["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
        .as_str()
        .expect("the lifecycle policy is a JSON text");
    serde_json::from_str(text).unwrap()
}

#[test]
fn defaults_are_private_scanned_immutable_kms_and_retained() {
    let t = synth(Stack::new("Test").with("Repo", Repository::new()));
    let r = repository_of(&t);
    assert_eq!(
        r["Properties"]["ImageScanningConfiguration"],
        json!({"ScanOnPush": true})
    );
    assert_eq!(r["Properties"]["ImageTagMutability"], "IMMUTABLE");
    assert_eq!(
        r["Properties"]["EncryptionConfiguration"],
        json!({"EncryptionType": "KMS"})
    );
    assert!(r["Properties"].get("RepositoryPolicyText").is_none());
    assert_eq!(r["DeletionPolicy"], "Retain");
    assert_eq!(
        lifecycle_of(&r),
        json!({"rules": [{
            "rulePriority": 1,
            "description": "Expire untagged images 7 days after their push",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 7
            },
            "action": {"type": "expire"}
        }]})
    );
}

#[test]
fn lifecycle_rules_render_untagged_first_then_keep_last() {
    let repo = Repository::new()
        .lifecycle([
            LifecycleRule::KeepLast(30),
            LifecycleRule::ExpireUntaggedAfterDays(2),
        ])
        .unwrap();
    let t = synth(Stack::new("Test").with("Repo", repo));
    let policy = lifecycle_of(&repository_of(&t));
    let rules = policy["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["rulePriority"], 1);
    assert_eq!(rules[0]["selection"]["tagStatus"], "untagged");
    assert_eq!(rules[0]["selection"]["countNumber"], 2);
    // ECR requires the rule for any tag status to have the highest priority number.
    assert_eq!(rules[1]["rulePriority"], 2);
    assert_eq!(
        rules[1]["selection"],
        json!({"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30})
    );
    assert_eq!(rules[1]["action"], json!({"type": "expire"}));
}

#[test]
fn bad_lifecycle_rules_and_names_are_errors() {
    let zero = Repository::new()
        .lifecycle([LifecycleRule::KeepLast(0)])
        .unwrap_err();
    assert!(
        matches!(
            zero,
            ConstructError::OutOfRange {
                setting: "LifecycleRule::KeepLast",
                value: 0,
                ..
            }
        ),
        "{zero}"
    );
    let zero_days = Repository::new()
        .lifecycle([LifecycleRule::ExpireUntaggedAfterDays(0)])
        .unwrap_err();
    assert!(zero_days.to_string().contains("1 and more"), "{zero_days}");
    let twice = Repository::new()
        .lifecycle([LifecycleRule::KeepLast(3), LifecycleRule::KeepLast(5)])
        .unwrap_err();
    assert!(twice.to_string().contains("same kind"), "{twice}");
    let none = Repository::new()
        .lifecycle(Vec::<LifecycleRule>::new())
        .unwrap_err();
    assert!(none.to_string().contains("no rules"), "{none}");

    for bad in ["UPPER", "a", "-lead", "trail-", "two//slashes", ""] {
        let e = Repository::new().named(bad).unwrap_err();
        assert!(
            matches!(e, ConstructError::InvalidName { ref name, .. } if name == bad),
            "{bad}: {e}"
        );
        assert!(Repository::from_name(bad).is_err(), "{bad}");
    }
    assert!(Repository::new().named("team/user-service").is_ok());
}

#[test]
fn customer_key_and_delete_policy() {
    let key = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
    let repo = Repository::new()
        .named("app/images")
        .unwrap()
        .encryption(RepositoryEncryption::Kms(Val::<String>::from(key).cast()))
        .removal_policy(RemovalPolicy::Delete);
    let t = synth(Stack::new("Test").with("Repo", repo));
    let r = repository_of(&t);
    assert_eq!(
        r["Properties"]["EncryptionConfiguration"],
        json!({"EncryptionType": "KMS", "KmsKey": key})
    );
    assert_eq!(r["Properties"]["RepositoryName"], "app/images");
    assert_eq!(r["Properties"]["EmptyOnDelete"], true);
    assert_eq!(r["DeletionPolicy"], "Delete");
}

fn statements(t: &Template) -> Vec<Value> {
    t.find_resources("AWS::IAM::Policy", Match::any_value())
        .into_iter()
        .flat_map(|(_, p)| {
            p["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn grants_are_scoped_to_the_repository_plus_the_token_on_any_resource() {
    let repo = Repository::new();
    let mut puller = Role::assumed_by_service("ecs-tasks.amazonaws.com");
    let mut pusher = Role::assumed_by_service("codebuild.amazonaws.com");
    let pull = repo.grant_pull(&mut puller);
    assert_eq!(
        pull.action_names(),
        [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetAuthorizationToken",
            "ecr:GetDownloadUrlForLayer"
        ]
    );
    assert!(pull.any_resource);
    let push = repo.grant_push(&mut pusher);
    for action in [
        "ecr:PutImage",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:BatchGetImage",
    ] {
        assert!(push.action_names().contains(&action), "{action}");
    }
    let t = synth(
        Stack::new("Test")
            .with("Repo", repo)
            .with("Puller", puller)
            .with("Pusher", pusher),
    );
    let all = statements(&t);
    let repo_id = t
        .find_resources("AWS::ECR::Repository", Match::any_value())
        .remove(0)
        .0;
    let arn = json!({"Fn::GetAtt": [repo_id, "Arn"]});
    let on_repo: Vec<&Value> = all.iter().filter(|s| s["Resource"] == arn).collect();
    assert_eq!(on_repo.len(), 2, "{all:#?}");
    let token: Vec<&Value> = all
        .iter()
        .filter(|s| s["Action"] == "ecr:GetAuthorizationToken")
        .collect();
    assert_eq!(token.len(), 2, "{all:#?}");
    assert!(token.iter().all(|s| s["Resource"] == "*"));
    // Nothing else is granted on `*`.
    assert!(all
        .iter()
        .filter(|s| s["Resource"] == "*")
        .all(|s| s["Action"] == "ecr:GetAuthorizationToken"));
}

fn get_att(value: &Value_) -> Option<String> {
    match value {
        Value_::Fn(f) => match f.as_ref() {
            Intrinsic::GetAtt { attribute, .. } => Some(attribute.clone()),
            _ => None,
        },
        _ => None,
    }
}

#[test]
fn typed_attributes_and_imported_repositories() {
    let repo = Repository::new();
    assert_eq!(get_att(repo.arn().value()).as_deref(), Some("Arn"));
    assert_eq!(
        get_att(repo.uri().value()).as_deref(),
        Some("RepositoryUri")
    );
    let imported = Repository::from_name("shared/base").unwrap();
    assert_eq!(
        imported.repository_name().value().as_str(),
        Some("shared/base")
    );
    let arn = to_json(imported.repository_arn().value());
    assert_eq!(
        arn["Fn::Sub"][0],
        "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/${Name}"
    );
    assert_eq!(arn["Fn::Sub"][1]["Name"], "shared/base");
}
