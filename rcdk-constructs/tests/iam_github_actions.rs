//! CI without stored keys: the GitHub Actions OIDC provider and a role for one repository,
//! trusted on `sts:AssumeRoleWithWebIdentity` for audience `sts.amazonaws.com` and the named
//! branches, environments, tags or pull requests only, with one-hour sessions. A trust without
//! a subject and malformed names are refused; the template snapshots and lints clean.
//!
//! Snapshots: `INSTA_UPDATE=always cargo test -p rcdk-constructs --test iam_github_actions`
//! after reviewing a deliberate change.

use rcdk_constructs::iam::{
    GithubActionsRole, Grantee, IOidcProvider, OidcProvider, Role, Statement,
};
use rcdk_constructs::storage::{Bucket, IBucket};
use rcdk_constructs::{action, role_name};
use rcdk_core::{App, Assembly, Stack};
use serde_json::{json, Value};

mod support;

fn assembly() -> Assembly {
    let provider = OidcProvider::github_actions();
    let mut ci = GithubActionsRole::new(&provider, "acme/shop")
        .branch("main")
        .environment("prod")
        .named(role_name!("shop-ci"))
        .build()
        .unwrap();
    let artifacts = Bucket::new();
    artifacts.grant_write(&mut ci);
    // The token action is only granted on `*`, which has to be said explicitly.
    ci.grant(
        Statement::allow([action!("ecr:GetAuthorizationToken")])
            .on_any_resource_explicitly()
            .wildcards_because("ecr:GetAuthorizationToken has no resource-level permissions")
            .checked()
            .unwrap(),
    );
    let mut app = App::new();
    app.add(
        Stack::new("Ci")
            .with("GithubOidc", provider)
            .with("ShopCi", ci)
            .with("Artifacts", artifacts),
    );
    app.synth().unwrap()
}

fn of_type(template: &Value, ty: &str) -> Vec<(String, Value)> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect()
}

#[test]
fn provider_and_trust_name_the_repository() {
    let assembly = assembly();
    let template = assembly.stack("Ci").unwrap().template_json();
    let providers = of_type(&template, "AWS::IAM::OIDCProvider");
    assert_eq!(providers.len(), 1);
    let (provider_id, provider) = &providers[0];
    assert_eq!(
        provider["Properties"]["Url"],
        "https://token.actions.githubusercontent.com"
    );
    assert_eq!(
        provider["Properties"]["ClientIdList"],
        json!(["sts.amazonaws.com"])
    );
    let roles = of_type(&template, "AWS::IAM::Role");
    assert_eq!(roles.len(), 1);
    let role = &roles[0].1["Properties"];
    assert_eq!(role["MaxSessionDuration"], 3600);
    assert_eq!(role["RoleName"], "shop-ci");
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"],
        json!([{
            "Effect": "Allow",
            "Principal": {"Federated": {"Ref": provider_id}},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                    "token.actions.githubusercontent.com:sub": [
                        "repo:acme/shop:ref:refs/heads/main",
                        "repo:acme/shop:environment:prod"
                    ]
                }
            }
        }])
    );
}

#[test]
fn wildcards_use_string_like_and_pull_requests_have_their_subject() {
    let provider = OidcProvider::existing_github_actions();
    let ci = GithubActionsRole::new(&provider, "acme/shop")
        .tag("v*")
        .pull_request()
        .build()
        .unwrap();
    assert_eq!(
        ci.subjects(),
        [
            "repo:acme/shop:ref:refs/tags/v*",
            "repo:acme/shop:pull_request"
        ]
    );
    let mut app = App::new();
    app.add(Stack::new("Ci").with("ShopCi", ci));
    let assembly = app.synth().unwrap();
    let template = assembly.stack("Ci").unwrap().template_json();
    let roles = of_type(&template, "AWS::IAM::Role");
    let statement = &roles[0].1["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(
        statement["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"],
        json!([
            "repo:acme/shop:ref:refs/tags/v*",
            "repo:acme/shop:pull_request"
        ])
    );
    assert_eq!(
        statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:aud"],
        "sts.amazonaws.com"
    );
    assert_eq!(
        statement["Principal"]["Federated"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"})
    );
    assert!(of_type(&template, "AWS::IAM::OIDCProvider").is_empty());
}

#[test]
fn a_trust_without_subject_and_bad_names_are_refused() {
    let provider = OidcProvider::github_actions();
    let e = GithubActionsRole::new(&provider, "acme/shop")
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("GithubActionsRole `acme/shop`") && e.contains("any repository on GitHub"),
        "{e}"
    );
    for bad in [
        "acme",
        "acme/",
        "/shop",
        "-acme/shop",
        "acme/sh op",
        "acme/*",
        "acme/shop/x",
    ] {
        let r = GithubActionsRole::new(&provider, bad)
            .branch("main")
            .build();
        assert!(r.is_err(), "{bad} was accepted");
    }
    for (branch, ok) in [
        ("main", true),
        ("release/*", true),
        ("feature/x..y", false),
        ("a b", false),
        ("", false),
        ("x.lock", false),
    ] {
        let r = GithubActionsRole::new(&provider, "acme/shop")
            .branch(branch)
            .build();
        assert_eq!(r.is_ok(), ok, "branch `{branch}`");
    }
    assert!(GithubActionsRole::new(&provider, "acme/shop")
        .environment("a:b")
        .build()
        .is_err());
    // The general web-identity trust refuses the same.
    let e = Role::assumed_by_web_identity(&provider, "sts.amazonaws.com", &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("no subject"), "{e}");
    assert!(
        Role::assumed_by_web_identity(&provider, "sts.amazonaws.com", &["*".to_string()]).is_err()
    );
    assert!(OidcProvider::from_arn("arn:aws:iam::123456789012:oidc-provider/x", "x").is_err());
    let imported = OidcProvider::from_arn(
        "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com",
        "https://gitlab.example.com",
    )
    .unwrap();
    assert_eq!(imported.issuer_host(), "gitlab.example.com");
}

#[test]
fn template_snapshot() {
    let assembly = assembly();
    insta::assert_json_snapshot!(
        "iam_github_actions",
        assembly.stack("Ci").unwrap().template_json()
    );
}

#[test]
fn cfn_lint_and_checkov_find_nothing() {
    let assembly = assembly();
    support::assert_lint_clean(&assembly);
}
