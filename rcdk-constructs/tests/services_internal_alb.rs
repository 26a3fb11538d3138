//! An internal application load balancer: in the private subnets, open to nobody until a client
//! is admitted, without public addresses (so without their cost), and clean for cfn-lint and
//! checkov.

use rcdk_constructs::ecs::{Container, ContainerImage, EcsCluster, EcsService};
use rcdk_constructs::elbv2::{ApplicationLoadBalancer, Route};
use rcdk_constructs::network::{Connectable, NatPolicy, Port, SecurityGroup, Tier, TieredVpc};
use rcdk_core::{App, Assembly, Stack, StackArtifact};
use serde_json::{json, Value};

fn vpc() -> TieredVpc {
    TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("Private", 22))
        .nat(NatPolicy::Single)
        .build()
        .unwrap()
}

fn assembly() -> Assembly {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let mut api = EcsService::builder("api", &cluster, &vpc)
        .container(
            Container::new(
                "web",
                ContainerImage::registry("public.ecr.aws/nginx/nginx:1.27"),
            )
            .unwrap()
            .port(8080),
        )
        .build()
        .unwrap();
    // The client: another service's tasks, in a group of this app.
    let client = SecurityGroup::new(vpc.vpc_id(), "reports", "Tasks of the reports job");
    let mut alb = ApplicationLoadBalancer::builder(&vpc)
        .internal()
        .build()
        .unwrap();
    alb.route(&mut api, Route::path("/api/*")).unwrap();
    alb.allow_from(&client, Port::tcp(80));
    App::new()
        .with(
            Stack::new("Internal")
                .with("Network", vpc)
                .with("Cluster", cluster)
                .with("Alb", alb)
                .with("Client", client)
                .with("Api", api),
        )
        .synth()
        .unwrap()
}

fn stack(assembly: &Assembly) -> &StackArtifact {
    assembly.stack("Internal").unwrap()
}

/// The resource whose construct path is `path` (below the stack).
fn at(stack: &StackArtifact, path: &str) -> (String, Value) {
    let full = format!("Internal/{path}");
    let (id, _) = stack
        .paths
        .iter()
        .find(|(_, p)| **p == full)
        .unwrap_or_else(|| panic!("no resource at {full}: {:#?}", stack.paths));
    (
        id.clone(),
        stack.template_json()["Resources"][id.as_str()].clone(),
    )
}

fn of_type(t: &Value, type_name: &str) -> Vec<(String, Value)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == type_name)
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect()
}

#[test]
fn internal_scheme_in_the_private_subnets() {
    let assembly = assembly();
    let stack = stack(&assembly);
    let (_, lb) = at(stack, "Alb/Resource/Resource");
    assert_eq!(lb["Type"], "AWS::ElasticLoadBalancingV2::LoadBalancer");
    assert_eq!(lb["Properties"]["Scheme"], "internal");
    // The subnets are those of the private tier, one per AZ, and none of the public tier.
    let t = stack.template_json();
    let tier_subnets = |tier: &str| -> Vec<Value> {
        let mut ids: Vec<Value> = of_type(&t, "AWS::EC2::Subnet")
            .into_iter()
            .filter(|(id, _)| stack.paths[id].starts_with(&format!("Internal/Network/{tier}")))
            .map(|(id, _)| json!({"Ref": id}))
            .collect();
        ids.sort_by_key(|v| v.to_string());
        ids
    };
    let (private, public) = (tier_subnets("Private"), tier_subnets("Public"));
    assert_eq!((private.len(), public.len()), (2, 2), "{:#?}", stack.paths);
    let subnets = lb["Properties"]["Subnets"].as_array().unwrap();
    assert_eq!(subnets.len(), 2, "{subnets:?}");
    assert!(subnets.iter().all(|s| private.contains(s)), "{subnets:?}");
    assert!(subnets.iter().all(|s| !public.contains(s)), "{subnets:?}");
    let mut sorted = subnets.to_vec();
    sorted.sort_by_key(|v| v.to_string());
    assert_eq!(sorted, private);
}

#[test]
fn nobody_but_the_admitted_client_reaches_it() {
    let assembly = assembly();
    let stack = stack(&assembly);
    let t = stack.template_json();
    // No rule anywhere opens anything to the internet for ingress.
    for (id, rule) in of_type(&t, "AWS::EC2::SecurityGroupIngress") {
        assert!(rule["Properties"].get("CidrIp").is_none(), "{id}: {rule}");
        assert!(rule["Properties"].get("CidrIpv6").is_none(), "{id}: {rule}");
    }
    let (alb_group, group) = at(stack, "Alb/SecurityGroup/Resource");
    assert!(
        group["Properties"].get("SecurityGroupIngress").is_none(),
        "{group}"
    );
    let (client_group, _) = at(stack, "Client/Resource");
    let alb_id = json!({"Fn::GetAtt": [alb_group, "GroupId"]});
    let client_id = json!({"Fn::GetAtt": [client_group, "GroupId"]});
    // The load balancer's ingress: the client on 80, nothing else.
    let to_alb: Vec<Value> = of_type(&t, "AWS::EC2::SecurityGroupIngress")
        .into_iter()
        .map(|(_, r)| r["Properties"].clone())
        .filter(|p| p["GroupId"] == alb_id)
        .collect();
    assert_eq!(
        to_alb,
        [
            json!({"IpProtocol": "tcp", "GroupId": alb_id, "FromPort": 80, "ToPort": 80,
                "SourceSecurityGroupId": client_id, "Description": "tcp 80 from reports"})
        ]
    );
    // The client's egress to it, and the load balancer's egress to the service's port.
    let egress: Vec<Value> = of_type(&t, "AWS::EC2::SecurityGroupEgress")
        .into_iter()
        .map(|(_, r)| r["Properties"].clone())
        .collect();
    assert!(egress.contains(
        &json!({"IpProtocol": "tcp", "GroupId": client_id, "FromPort": 80, "ToPort": 80,
                "DestinationSecurityGroupId": alb_id, "Description": "tcp 80 to alb"})
    ));
    assert!(egress
        .iter()
        .any(|e| e["GroupId"] == alb_id && e["FromPort"] == 8080));
}

#[test]
fn no_public_address_cost() {
    let assembly = assembly();
    let (alb_path, alb) = assembly
        .costs
        .iter()
        .find(|(_, c)| c.item == "Application Load Balancer")
        .unwrap_or_else(|| panic!("no load balancer cost in {:?}", assembly.costs));
    assert_eq!(alb.count, 1);
    assert!(alb_path.starts_with("Internal/Alb"), "{alb_path}");
    let addresses: Vec<_> = assembly
        .costs
        .iter()
        .filter(|(path, c)| path.starts_with("Internal/Alb") && c.item == "public IPv4 address")
        .collect();
    assert!(addresses.is_empty(), "{addresses:?}");
    // The VPC's NAT gateway is still counted.
    assert!(assembly
        .costs
        .iter()
        .any(|(path, c)| path.starts_with("Internal/Network") && c.item == "NAT gateway"));
}

#[test]
fn an_internal_load_balancer_needs_private_subnets_in_two_azs() {
    let public_only = TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .build()
        .unwrap();
    let err = ApplicationLoadBalancer::builder(&public_only)
        .internal()
        .build()
        .err()
        .unwrap();
    assert_eq!(
        err,
        rcdk_constructs::error::ConstructError::LoadBalancerNeedsTwoAzs { azs: 0 }
    );
}

#[test]
fn the_template_lints_clean() {
    let assembly = assembly();
    let dir = tempfile::tempdir().unwrap();
    assembly.write(dir.path()).unwrap();
    let templates = [dir.path().join(&stack(&assembly).file_name)];
    rcdk_testkit::lint::cfn_lint(&templates).unwrap();
    rcdk_testkit::lint::checkov(&templates).unwrap();
}
