//! The connections API: rule resources on both groups, ids named after the peer, no cycles
//! across stacks, no outbound-all and no 0.0.0.0/0 unless asked for explicitly.

use rcdk_constructs::cidr;
use rcdk_constructs::network::{Cidr, Connectable, Port, SecurityGroup};
use rcdk_core::assertions::{Match, Template};
use rcdk_core::{App, Stack};
use serde_json::{json, Value};

fn logical_id(t: &Template, type_name: &str, prefix: &str) -> String {
    t.to_json()["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(id, r)| r["Type"] == type_name && id.starts_with(prefix))
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("no {type_name} starting with {prefix}"))
}

#[test]
fn chain_writes_ingress_and_matching_egress() {
    let mut alb = SecurityGroup::new("vpc-0abc1234", "alb", "Load balancer");
    let mut tasks = SecurityGroup::new("vpc-0abc1234", "tasks", "Tasks");
    let mut db = SecurityGroup::new("vpc-0abc1234", "db", "Database");
    alb.allow_from_any_ipv4(Port::tcp(443));
    tasks.allow_from(&alb, Port::tcp(3000));
    db.allow_from(&tasks, Port::tcp(5432));
    // Asking twice adds nothing.
    db.allow_from(&tasks, Port::tcp(5432));
    assert_eq!(db.rule_count(), 2);
    let mut app = App::new();
    app.add(
        Stack::new("S")
            .with("Alb", alb)
            .with("Tasks", tasks)
            .with("Db", db),
    );
    let t = Template::synth(&mut app, "S").unwrap();
    let alb_id = logical_id(&t, "AWS::EC2::SecurityGroup", "Alb");
    let tasks_id = logical_id(&t, "AWS::EC2::SecurityGroup", "Tasks");
    let ingress = logical_id(&t, "AWS::EC2::SecurityGroupIngress", "TasksIngressFromAlb");
    let egress = logical_id(&t, "AWS::EC2::SecurityGroupEgress", "TasksEgressFromAlb");
    assert!(ingress.contains("Tcp3000") && egress.contains("Tcp3000"));
    let r = &t.to_json()["Resources"];
    assert_eq!(
        r[&ingress]["Properties"],
        json!({"IpProtocol": "tcp", "GroupId": {"Fn::GetAtt": [tasks_id, "GroupId"]}, "FromPort": 3000,
               "ToPort": 3000, "SourceSecurityGroupId": {"Fn::GetAtt": [alb_id, "GroupId"]},
               "Description": "tcp 3000 from alb"})
    );
    assert_eq!(
        r[&egress]["Properties"],
        json!({"IpProtocol": "tcp", "GroupId": {"Fn::GetAtt": [alb_id, "GroupId"]}, "FromPort": 3000,
               "ToPort": 3000, "DestinationSecurityGroupId": {"Fn::GetAtt": [tasks_id, "GroupId"]},
               "Description": "tcp 3000 to tasks"})
    );
    // No group allows all outbound traffic; each has only the match-nothing placeholder.
    t.assert_resource_properties_count_is(
        "AWS::EC2::SecurityGroup",
        json!({"SecurityGroupEgress": [{"CidrIp": "255.255.255.255/32", "IpProtocol": "icmp", "FromPort": 252, "ToPort": 86}]}),
        3,
    );
    // The only rule open to the internet is the one asked for by name.
    let open: Vec<&Value> = r
        .as_object()
        .unwrap()
        .values()
        .filter(|v| v["Properties"]["CidrIp"] == "0.0.0.0/0")
        .collect();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["Properties"]["FromPort"], 443);
    // Every rule says what it is for.
    for v in r.as_object().unwrap().values() {
        if v["Type"] == "AWS::EC2::SecurityGroupIngress"
            || v["Type"] == "AWS::EC2::SecurityGroupEgress"
        {
            assert!(
                v["Properties"]["Description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{v}"
            );
        }
    }
}

#[test]
fn rules_live_in_the_consuming_stack_across_stacks() {
    let alb = SecurityGroup::new("vpc-0abc1234", "alb", "Load balancer");
    let mut tasks = SecurityGroup::new("vpc-0abc1234", "tasks", "Tasks");
    tasks.allow_from(&alb, Port::tcp(3000));
    let mut app = App::new();
    app.add(Stack::new("Edge").with("Alb", alb));
    app.add(Stack::new("Service").with("Tasks", tasks));
    let assembly = app.synth().expect("no cycle between the stacks");
    // Both rules are in the consuming stack, which imports the load balancer's group id.
    let service = Template::from_stack(&assembly, "Service").unwrap();
    service.assert_resource_count_is("AWS::EC2::SecurityGroupIngress", 1);
    service.assert_resource_count_is("AWS::EC2::SecurityGroupEgress", 1);
    service.assert_has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        json!({"SourceSecurityGroupId": {"Fn::ImportValue": Match::any_value()}}),
    );
    service.assert_has_resource_properties(
        "AWS::EC2::SecurityGroupEgress",
        json!({"GroupId": {"Fn::ImportValue": Match::any_value()}}),
    );
    // The producer holds only its group and the export; it depends on nothing.
    let edge = Template::from_stack(&assembly, "Edge").unwrap();
    edge.assert_resource_count_is("AWS::EC2::SecurityGroupIngress", 0);
    edge.assert_resource_count_is("AWS::EC2::SecurityGroupEgress", 0);
    let edge_stack = assembly.stack("Edge").unwrap();
    assert!(edge_stack.dependencies.is_empty());
    assert_eq!(assembly.stack("Service").unwrap().dependencies, ["Edge"]);
}

#[test]
fn internal_cidr_and_outbound_rules() {
    let mut cluster =
        SecurityGroup::new("vpc-0abc1234", "cluster", "Cluster members").allow_all_outbound();
    cluster.allow_internally(Port::udp(7946));
    cluster
        .allow_from_cidr(cidr!("192.168.0.0/16"), Port::tcp(22))
        .unwrap();
    cluster
        .allow_to_cidr(cidr!("10.1.0.0/16"), Port::all_traffic())
        .unwrap();
    let err = cluster
        .allow_from_cidr(Cidr::ANY_IPV4, Port::tcp(22))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "allow_from_cidr was given 0.0.0.0/0, which is the whole internet; use allow_from_any_ipv4 \
         to open a rule to everyone explicitly"
    );
    assert!(cluster.allow_to_cidr(Cidr::ANY_IPV4, Port::tcp(1)).is_err());
    let mut app = App::new();
    app.add(Stack::new("S").with("Cluster", cluster));
    let t = Template::synth(&mut app, "S").unwrap();
    t.assert_has_resource_properties(
        "AWS::EC2::SecurityGroup",
        json!({"SecurityGroupEgress": [{"CidrIp": "0.0.0.0/0", "IpProtocol": "-1"}]}),
    );
    let cluster_id = logical_id(&t, "AWS::EC2::SecurityGroup", "Cluster");
    t.assert_has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        json!({"IpProtocol": "udp", "FromPort": 7946, "SourceSecurityGroupId": {"Fn::GetAtt": [cluster_id, "GroupId"]}}),
    );
    t.assert_has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        json!({"CidrIp": "192.168.0.0/16", "FromPort": 22, "Description": "tcp 22 from 192.168.0.0/16"}),
    );
    // All traffic carries no ports.
    t.assert_has_resource_properties(
        "AWS::EC2::SecurityGroupEgress",
        json!({"CidrIp": "10.1.0.0/16", "IpProtocol": "-1", "FromPort": Match::absent()}),
    );
}

/// Something with a security group, as the ECS service or the database will be.
struct Service {
    group: SecurityGroup,
}

impl Connectable for Service {
    fn security_group(&self) -> &SecurityGroup {
        &self.group
    }
    fn security_group_mut(&mut self) -> &mut SecurityGroup {
        &mut self.group
    }
}

#[test]
fn any_connectable_works_with_the_trait_methods() {
    let lb = SecurityGroup::new("vpc-0abc1234", "lb", "LB");
    let mut svc = Service {
        group: SecurityGroup::new("vpc-0abc1234", "svc", "Service"),
    };
    svc.allow_from(&lb, Port::tcp(8080))
        .allow_to(&lb, Port::tcp(9090));
    assert_eq!(svc.security_group().rule_count(), 4);
}

#[test]
fn public_http_is_marked_deliberate_for_checkov_but_ssh_is_not() {
    let mut edge = SecurityGroup::new("vpc-0abc1234", "edge", "Edge");
    edge.allow_from_any_ipv4(Port::tcp(80))
        .allow_from_any_ipv4(Port::tcp_range(8000, 8100).unwrap())
        .allow_from_any_ipv4(Port::tcp_range(1, 100).unwrap())
        .allow_from_any_ipv4(Port::tcp(22))
        .allow_from_any_ipv4(Port::udp(80));
    let mut app = App::new();
    app.add(Stack::new("S").with("Edge", edge));
    let t = Template::synth(&mut app, "S").unwrap();
    let json = t.to_json();
    let skipped = |prefix: &str| {
        json["Resources"][logical_id(&t, "AWS::EC2::SecurityGroupIngress", prefix)]["Metadata"]
            ["checkov"]["skip"]
            .as_array()
            .map(|skips| {
                skips
                    .iter()
                    .map(|s| s["id"].as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    assert_eq!(skipped("EdgeIngressFromAnyIpv4Tcp80"), ["CKV_AWS_260"]);
    assert_eq!(skipped("EdgeIngressFromAnyIpv4Tcp1To100"), ["CKV_AWS_260"]);
    // Ranges without port 80, SSH and UDP are not what CKV_AWS_260 is about.
    assert!(skipped("EdgeIngressFromAnyIpv4Tcp8000To8100").is_empty());
    assert!(skipped("EdgeIngressFromAnyIpv4Tcp22").is_empty());
    assert!(skipped("EdgeIngressFromAnyIpv4Udp80").is_empty());
}
