//! The findings of the AWS rule packs (cfn-guard's Control Tower rules, cdk-nag's
//! AwsSolutions) that network, load balancer and EC2 fleet constructs cause: met by default,
//! and, where the user opts out or the construct cannot meet a rule, recorded in the resource's
//! `Metadata` with a reason that names the call.

use rcdk_constructs::compute::{AutoScalingGroup, InstanceType, LaunchTemplate, SCALING_EVENTS};
use rcdk_constructs::elbv2::ApplicationLoadBalancer;
use rcdk_constructs::network::{
    Cidr, NaclPeer, NatPolicy, NetworkAclRules, Port, SecurityGroup, SubnetSelection, Tier,
    TieredVpc,
};
use rcdk_core::{App, Assembly, Construct, Stack, StackArtifact};
use serde_json::{json, Value};

mod support;

fn vpc() -> TieredVpc {
    TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("App", 22))
        .nat(NatPolicy::Single)
        .build()
        .unwrap()
}

/// `part` in stack `Rules`, beside the VPC it was made in (if any).
fn synth(vpc: Option<TieredVpc>, id: &str, part: impl Construct + 'static) -> Assembly {
    let mut stack = Stack::new("Rules").with(id, part);
    if let Some(vpc) = vpc {
        stack = stack.with("Network", vpc);
    }
    let mut app = App::new();
    app.add(stack);
    app.synth().unwrap()
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

fn one(stack: &StackArtifact, ty: &str) -> Value {
    let all = of_type(stack, ty);
    assert_eq!(all.len(), 1, "{ty}: {all:?}");
    all[0].1.clone()
}

/// The reason Guard's `rule` is suppressed with on `resource`, if it is.
fn guard_reason(resource: &Value, rule: &str) -> Option<String> {
    let guard = &resource["Metadata"]["guard"];
    let listed = guard["SuppressedRules"]
        .as_array()
        .is_some_and(|rules| rules.iter().any(|r| r == rule));
    listed.then(|| guard["Reasons"][rule].as_str().unwrap().to_string())
}

/// The reason cdk-nag's `rule` is suppressed with on `resource`, if it is.
fn nag_reason(resource: &Value, rule: &str) -> Option<String> {
    resource["Metadata"]["cdk_nag"]["rules_to_suppress"]
        .as_array()?
        .iter()
        .find(|s| s["id"] == rule)
        .map(|s| s["reason"].as_str().unwrap().to_string())
}

#[test]
fn launch_template_meets_hop_limit_and_monitoring_unless_told_otherwise() {
    let vpc = vpc();
    let secure = LaunchTemplate::builder("app", &vpc, InstanceType::T3_SMALL)
        .build()
        .unwrap();
    let assembly = synth(Some(vpc.clone()), "App", secure);
    let lt = one(assembly.stack("Rules").unwrap(), "AWS::EC2::LaunchTemplate");
    let data = &lt["Properties"]["LaunchTemplateData"];
    assert_eq!(data["MetadataOptions"]["HttpPutResponseHopLimit"], 1);
    assert_eq!(data["Monitoring"], json!({"Enabled": true}));
    assert!(lt.get("Metadata").is_none(), "{lt}");

    let relaxed = LaunchTemplate::builder("app", &vpc, InstanceType::T3_SMALL)
        .metadata_hop_limit(2)
        .detailed_monitoring(false)
        .build()
        .unwrap();
    let assembly = synth(Some(vpc.clone()), "App", relaxed);
    let lt = one(assembly.stack("Rules").unwrap(), "AWS::EC2::LaunchTemplate");
    let data = &lt["Properties"]["LaunchTemplateData"];
    assert_eq!(data["MetadataOptions"]["HttpPutResponseHopLimit"], 2);
    assert_eq!(data["MetadataOptions"]["HttpTokens"], "required");
    assert_eq!(data["Monitoring"], json!({"Enabled": false}));
    let hop = guard_reason(&lt, "ec2_launch_template_token_hop_limit_check").unwrap();
    assert!(
        hop.contains("metadata_hop_limit") && hop.contains("raised to 2"),
        "{hop}"
    );
    let monitoring = guard_reason(&lt, "ec2_launch_template_monitoring_enabled_check").unwrap();
    assert!(
        monitoring.contains("detailed_monitoring(false)"),
        "{monitoring}"
    );
    support::assert_lint_clean(&assembly);
}

#[test]
fn group_names_its_subnets_azs_and_records_what_it_does_not_meet() {
    let vpc = vpc();
    let template = LaunchTemplate::builder("app", &vpc, InstanceType::T3_SMALL)
        .build()
        .unwrap();
    let group = AutoScalingGroup::builder(&vpc, template).build().unwrap();
    let assembly = synth(Some(vpc.clone()), "App", group);
    let stack = assembly.stack("Rules").unwrap();
    let group = one(stack, "AWS::AutoScaling::AutoScalingGroup");
    let p = &group["Properties"];
    // The AZs of the two private subnets, which the subnets themselves name.
    let subnet_azs: Vec<Value> = p["VPCZoneIdentifier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let id = s["Ref"].as_str().unwrap();
            stack.template_json()["Resources"][id]["Properties"]["AvailabilityZone"].clone()
        })
        .collect();
    assert_eq!(p["AvailabilityZones"], Value::Array(subnet_azs.clone()));
    assert_ne!(subnet_azs[0], subnet_azs[1]);
    assert!(guard_reason(&group, "autoscaling_multiple_az_check").is_none());
    assert!(p.get("NotificationConfigurations").is_none());
    let notify = nag_reason(&group, "AwsSolutions-AS3").unwrap();
    assert!(notify.contains("scaling_notifications"), "{notify}");
    let types = guard_reason(
        &group,
        "autoscaling_mixed_instances_policy_multiple_instance_types_check",
    )
    .unwrap();
    assert!(
        types.contains("t3.small") && types.contains("alternative_instance_types"),
        "{types}"
    );
    support::assert_lint_clean(&assembly);
}

#[test]
fn notifications_and_alternative_types_meet_the_rules() {
    let vpc = vpc();
    let template = LaunchTemplate::builder("app", &vpc, InstanceType::T3_SMALL)
        .build()
        .unwrap();
    let topic = "arn:aws:sns:eu-west-1:123456789012:ops";
    let group = AutoScalingGroup::builder(&vpc, template)
        .scaling_notifications(topic)
        .alternative_instance_types([InstanceType::T3A_SMALL])
        .build()
        .unwrap();
    let assembly = synth(Some(vpc.clone()), "App", group);
    let group = one(
        assembly.stack("Rules").unwrap(),
        "AWS::AutoScaling::AutoScalingGroup",
    );
    let p = &group["Properties"];
    assert_eq!(
        p["NotificationConfigurations"],
        json!([{"TopicARN": topic, "NotificationTypes": SCALING_EVENTS}])
    );
    assert!(p.get("LaunchTemplate").is_none(), "{p}");
    let mixed = &p["MixedInstancesPolicy"]["LaunchTemplate"];
    assert_eq!(
        mixed["Overrides"],
        json!([{"InstanceType": "t3.small"}, {"InstanceType": "t3a.small"}])
    );
    assert_eq!(
        mixed["LaunchTemplateSpecification"]["Version"]["Fn::GetAtt"][1],
        "LatestVersionNumber"
    );
    assert!(group.get("Metadata").is_none(), "{group}");
    support::assert_lint_clean(&assembly);
}

#[test]
fn alternative_types_must_fit_the_template_and_one_az_is_recorded() {
    let vpc = vpc();
    let template = || {
        LaunchTemplate::builder("app", &vpc, InstanceType::T3_SMALL)
            .build()
            .unwrap()
    };
    for bad in [
        vec![InstanceType::T4G_SMALL],
        vec![InstanceType::M6I_LARGE],
        vec![InstanceType::T3_SMALL],
        vec![InstanceType::T3A_SMALL, InstanceType::T3A_SMALL],
    ] {
        let e = AutoScalingGroup::builder(&vpc, template())
            .alternative_instance_types(bad.clone())
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("instance type"), "{bad:?}: {e}");
    }

    let first = vpc.select(&SubnetSelection::tier("App")).unwrap()[0].clone();
    let group = AutoScalingGroup::builder(&vpc, template())
        .subnets(SubnetSelection::Explicit(vec![first]))
        .build()
        .unwrap();
    let assembly = synth(Some(vpc.clone()), "App", group);
    let group = one(
        assembly.stack("Rules").unwrap(),
        "AWS::AutoScaling::AutoScalingGroup",
    );
    assert_eq!(
        group["Properties"]["AvailabilityZones"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let reason = guard_reason(&group, "autoscaling_multiple_az_check").unwrap();
    assert!(reason.contains("one AZ"), "{reason}");

    let group = AutoScalingGroup::builder(&vpc, template())
        .subnets(SubnetSelection::Explicit(vec![
            "subnet-0123456789abcdef0".into()
        ]))
        .build()
        .unwrap();
    let assembly = synth(Some(vpc.clone()), "App", group);
    let group = one(
        assembly.stack("Rules").unwrap(),
        "AWS::AutoScaling::AutoScalingGroup",
    );
    assert!(group["Properties"].get("AvailabilityZones").is_none());
    let reason = guard_reason(&group, "autoscaling_multiple_az_check").unwrap();
    assert!(reason.contains("explicit ids"), "{reason}");
}

#[test]
fn load_balancer_protection_redirect_and_internet_ingress() {
    let vpc = vpc();
    let public = ApplicationLoadBalancer::builder(&vpc).build().unwrap();
    let assembly = synth(Some(vpc.clone()), "Alb", public);
    let stack = assembly.stack("Rules").unwrap();
    let lb = one(stack, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    let attributes = lb["Properties"]["LoadBalancerAttributes"]
        .as_array()
        .unwrap();
    assert!(attributes.contains(&json!({"Key": "deletion_protection.enabled", "Value": "true"})));
    assert!(guard_reason(&lb, "elbv2_deletion_protection_enabled_check").is_none());
    // No certificate: plain HTTP is the only listener, recorded as such.
    let http = one(stack, "AWS::ElasticLoadBalancingV2::Listener");
    let reason = guard_reason(&http, "alb_http_to_https_redirection_check").unwrap();
    assert!(reason.contains("AlbBuilder::certificate"), "{reason}");
    // The internet reaches port 80, deliberately.
    let ingress = one(stack, "AWS::EC2::SecurityGroupIngress");
    assert_eq!(ingress["Properties"]["CidrIp"], "0.0.0.0/0");
    let reason = nag_reason(&ingress, "AwsSolutions-EC23").unwrap();
    assert!(reason.contains("Internet-facing"), "{reason}");

    let with_tls = ApplicationLoadBalancer::builder(&vpc)
        .certificate("arn:aws:acm:eu-west-1:123456789012:certificate/abc")
        .deletion_protection(false)
        .build()
        .unwrap();
    let assembly = synth(Some(vpc.clone()), "Alb", with_tls);
    let stack = assembly.stack("Rules").unwrap();
    let lb = one(stack, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    let attributes = lb["Properties"]["LoadBalancerAttributes"]
        .as_array()
        .unwrap();
    assert!(attributes.contains(&json!({"Key": "deletion_protection.enabled", "Value": "false"})));
    let reason = guard_reason(&lb, "elbv2_deletion_protection_enabled_check").unwrap();
    assert!(reason.contains("deletion_protection(false)"), "{reason}");
    for (_, listener) in of_type(stack, "AWS::ElasticLoadBalancingV2::Listener") {
        assert!(guard_reason(&listener, "alb_http_to_https_redirection_check").is_none());
        if listener["Properties"]["Protocol"] == "HTTP" {
            assert_eq!(
                listener["Properties"]["DefaultActions"][0]["RedirectConfig"]["Protocol"],
                "HTTPS"
            );
        }
    }
    let ingress = of_type(stack, "AWS::EC2::SecurityGroupIngress");
    assert_eq!(ingress.len(), 2);
    assert!(ingress
        .iter()
        .all(|(_, rule)| nag_reason(rule, "AwsSolutions-EC23").is_some()));
    support::assert_lint_clean(&assembly);

    // An internal load balancer admits nobody from the internet.
    let internal = ApplicationLoadBalancer::builder(&vpc)
        .internal()
        .build()
        .unwrap();
    let assembly = synth(Some(vpc.clone()), "Alb", internal);
    assert!(of_type(
        assembly.stack("Rules").unwrap(),
        "AWS::EC2::SecurityGroupIngress"
    )
    .is_empty());
}

#[test]
fn internet_ingress_is_recorded_except_for_remote_administration() {
    let mut group = SecurityGroup::new("vpc-0abc1234", "edge", "Edge");
    group
        .allow_from_any_ipv4(Port::tcp(8443))
        .allow_from_any_ipv4(Port::tcp(22))
        .allow_from_any_ipv4(Port::udp(3389))
        .allow_from_any_ipv4(Port::all_traffic());
    let assembly = synth(None, "Edge", group);
    let rules = of_type(
        assembly.stack("Rules").unwrap(),
        "AWS::EC2::SecurityGroupIngress",
    );
    assert_eq!(rules.len(), 4);
    for (id, rule) in rules {
        let reason = nag_reason(&rule, "AwsSolutions-EC23");
        if id.contains("Tcp8443") {
            assert!(reason.unwrap().contains("allow_from_any_ipv4"), "{id}");
        } else {
            assert!(reason.is_none(), "{id}: {reason:?}");
        }
    }
}

#[test]
fn nacls_leave_rdp_out_of_return_traffic_from_anywhere_and_record_why_they_exist() {
    let vpc = TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("App", 22))
        .nat(NatPolicy::Single)
        .network_acl(
            "App",
            NetworkAclRules::new()
                .ephemeral_return_inbound(120, Cidr::ANY_IPV4)
                .ephemeral_return_inbound(130, NaclPeer::tier("Public"))
                .ephemeral_return_outbound(100, Cidr::ANY_IPV4),
        )
        .build()
        .unwrap();
    let assembly = synth(None, "Network", vpc);
    let stack = assembly.stack("Rules").unwrap();
    let acl = one(stack, "AWS::EC2::NetworkAcl");
    let reason = nag_reason(&acl, "AwsSolutions-VPC3").unwrap();
    assert!(
        reason.contains("network_acl") && reason.contains("defence in depth"),
        "{reason}"
    );
    let entries = of_type(stack, "AWS::EC2::NetworkAclEntry");
    // 120-121 split around 3389, 130-131 one per public subnet, 100 outbound.
    assert_eq!(entries.len(), 5);
    let range = |number: i64, egress: bool| {
        entries
            .iter()
            .map(|(_, e)| &e["Properties"])
            .find(|p| p["RuleNumber"] == number && p["Egress"] == egress)
            .map(|p| (p["CidrBlock"].clone(), p["PortRange"].clone()))
            .unwrap()
    };
    assert_eq!(
        range(120, false),
        (json!("0.0.0.0/0"), json!({"From": 1024, "To": 3388}))
    );
    assert_eq!(
        range(121, false),
        (json!("0.0.0.0/0"), json!({"From": 3390, "To": 65535}))
    );
    assert_eq!(range(130, false).1, json!({"From": 1024, "To": 65535}));
    assert_eq!(range(131, false).1, json!({"From": 1024, "To": 65535}));
    assert_eq!(
        range(100, true),
        (json!("0.0.0.0/0"), json!({"From": 1024, "To": 65535}))
    );
    assert!(entries
        .iter()
        .all(|(_, e)| nag_reason(e, "AwsSolutions-VPC3") == Some(reason.clone())));
}

#[test]
fn public_ips_on_launch_only_when_asked_and_then_recorded() {
    let rule = "subnet_auto_assign_public_ip_disabled_check";
    let assembly = synth(None, "Network", vpc());
    for (_, subnet) in of_type(assembly.stack("Rules").unwrap(), "AWS::EC2::Subnet") {
        assert!(subnet["Properties"].get("MapPublicIpOnLaunch").is_none());
        assert!(guard_reason(&subnet, rule).is_none());
    }

    let vpc = TieredVpc::builder()
        .tier(Tier::public("Public", 24).map_public_ip_on_launch(true))
        .tier(Tier::private("App", 22))
        .nat(NatPolicy::Single)
        .build()
        .unwrap();
    let assembly = synth(None, "Network", vpc);
    for (id, subnet) in of_type(assembly.stack("Rules").unwrap(), "AWS::EC2::Subnet") {
        let public = subnet["Properties"].get("MapPublicIpOnLaunch") == Some(&json!(true));
        assert_eq!(public, id.contains("Public"), "{id}");
        match guard_reason(&subnet, rule) {
            Some(reason) => {
                assert!(
                    public && reason.contains("map_public_ip_on_launch(true)"),
                    "{id}"
                )
            }
            None => assert!(!public, "{id}"),
        }
    }
}
