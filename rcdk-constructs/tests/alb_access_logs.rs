//! ALB access logs into a bucket made for them: the bucket policy lets the regional ELB account
//! (regions before August 2022, via a mapping and a condition) or the ELB log delivery service
//! (newer regions) put objects under the prefix only, the load balancer depends on that policy,
//! and the stack passes cfn-lint and checkov with no finding.

use rcdk_constructs::elbv2::ApplicationLoadBalancer;
use rcdk_constructs::network::{NatPolicy, Tier, TieredVpc};
use rcdk_constructs::storage::Bucket;
use rcdk_core::{Stack, StackArtifact};
use serde_json::{json, Value};

mod support;

const CERT: &str =
    "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";

fn vpc() -> TieredVpc {
    TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("Private", 22))
        .nat(NatPolicy::Single)
        .build()
        .unwrap()
}

fn synth(prefix: &str) -> StackArtifact {
    let vpc = vpc();
    let mut logs = Bucket::for_load_balancer_logs();
    let alb = ApplicationLoadBalancer::builder(&vpc)
        .certificate(CERT)
        .access_logs(&mut logs, prefix)
        .unwrap()
        .build()
        .unwrap();
    let stack = Stack::new("Logged")
        .with("Network", vpc)
        .with("Alb", alb)
        .with("AlbLogs", logs);
    let assembly = rcdk_core::App::new().with(stack).synth().unwrap();
    assembly.stacks[0].clone()
}

fn id_at(stack: &StackArtifact, suffix: &str) -> String {
    stack
        .paths
        .iter()
        .find(|(_, p)| p.ends_with(suffix))
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("no element at .../{suffix}: {:?}", stack.paths))
}

/// The statement of the bucket policy granting `s3:PutObject` to someone other than `*`.
fn delivery_statement(template: &Value, policy_id: &str) -> Value {
    let statements = template["Resources"][policy_id]["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    let allows: Vec<&Value> = statements
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .collect();
    assert_eq!(allows.len(), 1, "one allow statement: {statements:?}");
    allows[0].clone()
}

#[test]
fn bucket_policy_lets_elb_put_logs_under_the_prefix_only() {
    let stack = synth("alb/prod");
    let template = stack.template_json();
    let bucket = id_at(&stack, "AlbLogs/Resource");
    let policy = id_at(&stack, "AlbLogs/Policy");
    let mapping = id_at(&stack, "AlbLogs/ElbAccounts");
    let condition = id_at(&stack, "AlbLogs/ElbAccountRegion");
    let statement = delivery_statement(&template, &policy);

    assert_eq!(statement["Action"], "s3:PutObject");
    assert_eq!(
        statement["Resource"],
        json!({"Fn::Sub": [
            "arn:${AWS::Partition}:s3:::${Bucket}/${Prefix}/AWSLogs/${AWS::AccountId}/*",
            {"Bucket": {"Ref": bucket}, "Prefix": "alb/prod"}
        ]})
    );
    assert_eq!(
        statement["Principal"],
        json!({"Fn::If": [
            condition,
            {"AWS": {"Fn::Sub": [
                "arn:${AWS::Partition}:iam::${ElbAccount}:root",
                {"ElbAccount": {"Fn::FindInMap": [mapping, {"Ref": "AWS::Region"}, "AccountId"]}}
            ]}},
            {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
        ]})
    );
    assert!(statement.get("Condition").is_none(), "{statement}");
    // The TLS-only deny stays.
    let statements = &template["Resources"][&policy]["Properties"]["PolicyDocument"]["Statement"];
    assert!(
        statements
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["Effect"] == "Deny"
                && s["Condition"]["Bool"]["aws:SecureTransport"] == "false")
    );
}

#[test]
fn an_empty_prefix_writes_at_the_top_of_the_bucket() {
    let stack = synth("");
    let template = stack.template_json();
    let statement = delivery_statement(&template, &id_at(&stack, "AlbLogs/Policy"));
    let bucket = id_at(&stack, "AlbLogs/Resource");
    assert_eq!(
        statement["Resource"],
        json!({"Fn::Sub": [
            "arn:${AWS::Partition}:s3:::${Bucket}/AWSLogs/${AWS::AccountId}/*",
            {"Bucket": {"Ref": bucket}}
        ]})
    );
    let (_, lb) = load_balancer(&stack);
    let attributes = lb["Properties"]["LoadBalancerAttributes"]
        .as_array()
        .unwrap();
    assert!(attributes.contains(&json!({"Key": "access_logs.s3.prefix", "Value": ""})));
}

fn load_balancer(stack: &StackArtifact) -> (String, Value) {
    let id = id_at(stack, "Alb/Resource/Resource");
    let resource = stack.template_json()["Resources"][&id].clone();
    (id, resource)
}

#[test]
fn mapping_holds_every_older_region_and_the_condition_tests_exactly_those() {
    let stack = synth("alb");
    let template = stack.template_json();
    let mapping = &template["Mappings"][id_at(&stack, "AlbLogs/ElbAccounts")];
    let regions = mapping.as_object().unwrap();
    assert_eq!(
        regions["us-east-1"]["AccountId"], "127311923021",
        "{mapping}"
    );
    assert_eq!(regions["eu-west-1"]["AccountId"], "156460612806");
    assert_eq!(regions["us-gov-west-1"]["AccountId"], "048591011584");
    // Regions opened since August 2022 use the service principal: not in the mapping.
    for newer in ["me-central-1", "eu-south-2", "ap-south-2", "il-central-1"] {
        assert!(!regions.contains_key(newer), "{newer}");
    }

    // Collect the regions the condition compares with, checking each Fn::Or has 2..=10 terms.
    fn equals_regions(expr: &Value, out: &mut Vec<String>) {
        if let Some(terms) = expr.get("Fn::Or").and_then(Value::as_array) {
            assert!((2..=10).contains(&terms.len()), "Fn::Or of {}", terms.len());
            for t in terms {
                equals_regions(t, out);
            }
        } else {
            let pair = expr["Fn::Equals"].as_array().expect("Fn::Equals");
            assert_eq!(pair[0], json!({"Ref": "AWS::Region"}));
            out.push(pair[1].as_str().unwrap().to_string());
        }
    }
    let condition = &template["Conditions"][id_at(&stack, "AlbLogs/ElbAccountRegion")];
    let mut compared = Vec::new();
    equals_regions(condition, &mut compared);
    let mut mapped: Vec<String> = regions.keys().cloned().collect();
    compared.sort();
    mapped.sort();
    assert_eq!(compared, mapped);
    assert!(mapped.len() > 10, "the nesting is exercised");
}

#[test]
fn load_balancer_depends_on_the_bucket_policy_and_logs_there() {
    let stack = synth("alb");
    let (_, lb) = load_balancer(&stack);
    let policy = id_at(&stack, "AlbLogs/Policy");
    let depends: Vec<&str> = match &lb["DependsOn"] {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        other => panic!("no DependsOn: {other}"),
    };
    assert!(depends.contains(&policy.as_str()), "{depends:?}");
    let attributes = lb["Properties"]["LoadBalancerAttributes"]
        .as_array()
        .unwrap();
    let bucket = id_at(&stack, "AlbLogs/Resource");
    assert!(attributes.contains(&json!({"Key": "access_logs.s3.enabled", "Value": "true"})));
    assert!(attributes.contains(&json!({"Key": "access_logs.s3.bucket", "Value": {"Ref": bucket}})));
    assert!(attributes.contains(&json!({"Key": "access_logs.s3.prefix", "Value": "alb"})));
    // Logging is on, so the "no access logs" checkov skip is gone.
    assert!(lb["Metadata"]["checkov"].is_null(), "{lb}");
    // ELB log delivery needs SSE-S3.
    let template = stack.template_json();
    let encryption = &template["Resources"][&bucket]["Properties"]["BucketEncryption"];
    assert_eq!(
        encryption["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
            ["SSEAlgorithm"],
        "AES256"
    );
}

#[test]
fn a_bucket_not_made_for_load_balancer_logs_is_refused() {
    let vpc = vpc();
    let mut plain = Bucket::new();
    let err = ApplicationLoadBalancer::builder(&vpc)
        .access_logs(&mut plain, "alb")
        .unwrap_err()
        .to_string();
    assert!(err.contains("Bucket::for_load_balancer_logs()"), "{err}");
    let mut server_logs = Bucket::for_access_logs();
    assert!(ApplicationLoadBalancer::builder(&vpc)
        .access_logs(&mut server_logs, "alb")
        .is_err());
}

#[test]
fn prefixes_elb_refuses_are_refused_with_what_to_change() {
    let vpc = vpc();
    let mut logs = Bucket::for_load_balancer_logs();
    for (prefix, says) in [
        ("/alb", "without"),
        ("alb/", "without"),
        ("alb/AWSLogs", "AWSLogs"),
        ("my alb", "printable"),
    ] {
        let err = ApplicationLoadBalancer::builder(&vpc)
            .access_logs(&mut logs, prefix)
            .unwrap_err()
            .to_string();
        assert!(err.contains(says), "{prefix}: {err}");
    }
}

#[test]
fn two_load_balancers_share_one_log_bucket_under_their_own_prefixes() {
    let vpc = vpc();
    let mut logs = Bucket::for_load_balancer_logs();
    let a = ApplicationLoadBalancer::builder(&vpc)
        .access_logs(&mut logs, "public")
        .unwrap()
        .build()
        .unwrap();
    let b = ApplicationLoadBalancer::builder(&vpc)
        .access_logs(&mut logs, "internal")
        .unwrap()
        .build()
        .unwrap();
    let stack = Stack::new("Shared")
        .with("Network", vpc)
        .with("A", a)
        .with("B", b)
        .with("AlbLogs", logs);
    let assembly = rcdk_core::App::new().with(stack).synth().unwrap();
    let stack = &assembly.stacks[0];
    let template = stack.template_json();
    let policy = id_at(stack, "AlbLogs/Policy");
    let resources: Vec<Value> = template["Resources"][&policy]["Properties"]["PolicyDocument"]
        ["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .flat_map(|s| match &s["Resource"] {
            Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        })
        .collect();
    let prefixes: Vec<&Value> = resources
        .iter()
        .map(|r| &r["Fn::Sub"][1]["Prefix"])
        .collect();
    assert_eq!(prefixes, [&json!("public"), &json!("internal")]);
}

#[test]
fn cfn_lint_and_checkov_find_nothing() {
    let assembly = rcdk_core::App::new()
        .with({
            let vpc = vpc();
            let mut logs = Bucket::for_load_balancer_logs();
            let alb = ApplicationLoadBalancer::builder(&vpc)
                .certificate(CERT)
                .access_logs(&mut logs, "alb")
                .unwrap()
                .build()
                .unwrap();
            Stack::new("Logged")
                .with("Network", vpc)
                .with("Alb", alb)
                .with("AlbLogs", logs)
        })
        .synth()
        .unwrap();
    support::assert_lint_clean(&assembly);
}
