//! Structural tests of the synthesized `TieredVpc` templates, and one test per rejected input.

use rcdk_constructs::cidr;
use rcdk_constructs::network::{
    Cidr, FlowLogOptions, FlowLogTraffic, GatewayService, InterfaceService, NaclPeer, NatPolicy,
    NetworkAclRules, Port, SecurityGroup, SubnetSelection, Tier, TierKind, TieredVpc,
    TieredVpcBuilder,
};
use rcdk_core::assertions::{Match, Template};
use rcdk_core::{App, Stack};
use serde_json::{json, Value};

fn seed_000() -> TieredVpcBuilder {
    TieredVpc::builder()
        .cidr(cidr!("10.0.0.0/16"))
        .tier(Tier::public("Public", 24).cidrs([cidr!("10.0.1.0/24"), cidr!("10.0.2.0/24")]))
        .tier(Tier::private("Private", 24).cidrs([cidr!("10.0.10.0/24"), cidr!("10.0.20.0/24")]))
        .tier(Tier::isolated("Data", 24).cidrs([cidr!("10.0.100.0/24"), cidr!("10.0.200.0/24")]))
}

fn synth(vpc: TieredVpc) -> (Template, rcdk_core::Assembly) {
    let mut app = App::new();
    app.add(Stack::new("Net").with("Vpc", vpc));
    let assembly = app.synth().expect("synthesizes");
    (Template::from_stack(&assembly, "Net").unwrap(), assembly)
}

fn resources<'a>(t: &'a Template, type_name: &str) -> Vec<(&'a String, &'a Value)> {
    t.to_json()["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == type_name)
        .collect()
}

fn error(builder: TieredVpcBuilder) -> String {
    builder.build().unwrap_err().to_string()
}

#[test]
fn seed_000_network_has_three_tiers_in_two_azs() {
    let vpc = seed_000()
        .nat(NatPolicy::PerAz)
        .gateway_endpoint(GatewayService::S3)
        .build()
        .unwrap();
    assert_eq!(vpc.nat_gateway_count(), 2);
    let (t, assembly) = synth(vpc);
    t.assert_has_resource_properties(
        "AWS::EC2::VPC",
        json!({"CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": true, "EnableDnsSupport": true}),
    );
    for (ty, n) in [
        ("AWS::EC2::Subnet", 6),
        ("AWS::EC2::RouteTable", 6),
        ("AWS::EC2::SubnetRouteTableAssociation", 6),
        ("AWS::EC2::InternetGateway", 1),
        ("AWS::EC2::VPCGatewayAttachment", 1),
        ("AWS::EC2::EIP", 2),
        ("AWS::EC2::NatGateway", 2),
        // Two public routes to the gateway, two private ones to NAT, none in the data tier.
        ("AWS::EC2::Route", 4),
    ] {
        t.assert_resource_count_is(ty, n);
    }
    for cidr in [
        "10.0.1.0/24",
        "10.0.2.0/24",
        "10.0.10.0/24",
        "10.0.20.0/24",
        "10.0.100.0/24",
        "10.0.200.0/24",
    ] {
        t.assert_has_resource_properties("AWS::EC2::Subnet", json!({"CidrBlock": cidr}));
    }
    // AZs come from Fn::GetAZs unless named.
    t.assert_has_resource_properties(
        "AWS::EC2::Subnet",
        json!({"AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": ""}]}}),
    );
    let attachment = resources(&t, "AWS::EC2::VPCGatewayAttachment")[0].0.clone();
    let igw = resources(&t, "AWS::EC2::InternetGateway")[0].0.clone();
    let routes = resources(&t, "AWS::EC2::Route");
    let public: Vec<_> = routes
        .iter()
        .filter(|(_, r)| r["Properties"]["GatewayId"].is_object())
        .collect();
    assert_eq!(public.len(), 2);
    for (_, r) in &public {
        assert_eq!(r["Properties"]["GatewayId"], json!({"Ref": igw}));
        assert_eq!(
            r["DependsOn"],
            json!([attachment]),
            "routes wait for the attachment"
        );
    }
    // Each private subnet routes through the NAT gateway of its own AZ.
    let nats: Vec<String> = resources(&t, "AWS::EC2::NatGateway")
        .iter()
        .map(|(id, _)| (*id).clone())
        .collect();
    let private_targets: Vec<Value> = routes
        .iter()
        .filter_map(|(_, r)| r["Properties"].get("NatGatewayId").cloned())
        .collect();
    assert_eq!(
        private_targets,
        vec![json!({"Ref": nats[0]}), json!({"Ref": nats[1]})]
    );
    // The S3 endpoint is on the private and data route tables only.
    let endpoint = &resources(&t, "AWS::EC2::VPCEndpoint")[0].1["Properties"];
    assert_eq!(endpoint["VpcEndpointType"], "Gateway");
    assert_eq!(endpoint["RouteTableIds"].as_array().unwrap().len(), 4);
    // Costs: 2 NAT gateways and their addresses.
    let nat_cost: u32 = assembly
        .costs
        .iter()
        .filter(|(_, c)| c.item == "NAT gateway")
        .map(|(_, c)| c.count)
        .sum();
    assert_eq!(nat_cost, 2);
}

#[test]
fn single_nat_is_shared_by_all_private_subnets() {
    let vpc = seed_000().nat(NatPolicy::Single).build().unwrap();
    let (t, _) = synth(vpc);
    t.assert_resource_count_is("AWS::EC2::NatGateway", 1);
    let nat = resources(&t, "AWS::EC2::NatGateway")[0].0.clone();
    t.assert_resource_properties_count_is(
        "AWS::EC2::Route",
        json!({"NatGatewayId": {"Ref": nat}}),
        2,
    );
}

#[test]
fn isolated_only_vpc_has_no_gateway() {
    let vpc = TieredVpc::builder()
        .tier(Tier::isolated("Data", 24))
        .nat(NatPolicy::None)
        .build()
        .unwrap();
    let (t, _) = synth(vpc);
    t.assert_resource_count_is("AWS::EC2::InternetGateway", 0);
    t.assert_resource_count_is("AWS::EC2::Route", 0);
}

#[test]
fn automatic_layout_and_default_tiers() {
    let vpc = TieredVpc::builder().max_azs(3).build().unwrap();
    assert_eq!(vpc.availability_zones().len(), 3);
    let public: Vec<String> = vpc
        .tier("Public")
        .unwrap()
        .subnets()
        .iter()
        .map(|s| s.cidr().to_string())
        .collect();
    let private: Vec<String> = vpc
        .tier("Private")
        .unwrap()
        .subnets()
        .iter()
        .map(|s| s.cidr().to_string())
        .collect();
    assert_eq!(public, ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]);
    assert_eq!(private, ["10.0.3.0/24", "10.0.4.0/24", "10.0.5.0/24"]);
    assert_eq!(vpc.subnet_ids(TierKind::PrivateWithEgress).len(), 3);
    assert_eq!(vpc.nat_gateway_count(), 3);
}

#[test]
fn named_azs_are_used_as_given() {
    let vpc = TieredVpc::builder()
        .availability_zones(["eu-west-1a", "eu-west-1b"])
        .build()
        .unwrap();
    let (t, _) = synth(vpc);
    t.assert_has_resource_properties(
        "AWS::EC2::Subnet",
        json!({"AvailabilityZone": "eu-west-1b"}),
    );
}

#[test]
fn interface_endpoints_admit_https_only_from_their_consumers() {
    let mut vpc = seed_000()
        .interface_endpoint(InterfaceService::EcrApi)
        .interface_endpoint_in(
            InterfaceService::SecretsManager,
            SubnetSelection::OnePerAz(TierKind::Isolated),
        )
        .build()
        .unwrap();
    let mut tasks = SecurityGroup::new(vpc.vpc_id(), "tasks", "Tasks");
    tasks.allow_to_any_ipv4(Port::tcp(443));
    vpc.allow_endpoints_from(&tasks);
    let mut app = App::new();
    app.add(Stack::new("Net").with("Vpc", vpc).with("Tasks", tasks));
    let assembly = app.synth().unwrap();
    let t = Template::from_stack(&assembly, "Net").unwrap();
    t.assert_has_resource_properties(
        "AWS::EC2::VPCEndpoint",
        json!({
            "VpcEndpointType": "Interface",
            "PrivateDnsEnabled": true,
            "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.ecr.api"},
            "SubnetIds": Match::array_with(json!([{"Ref": Match::string_like_regexp("^VpcPrivateSubnet1")}])),
        }),
    );
    t.assert_has_resource_properties(
        "AWS::EC2::VPCEndpoint",
        json!({"SubnetIds": Match::array_with(json!([{"Ref": Match::string_like_regexp("^VpcDataSubnet2")}]))}),
    );
    // One ingress 443 per endpoint, from the tasks' group; the tasks get the matching egress.
    t.assert_resource_properties_count_is(
        "AWS::EC2::SecurityGroupIngress",
        json!({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
               "SourceSecurityGroupId": {"Fn::GetAtt": [Match::string_like_regexp("^TasksResource|^Tasks[0-9A-F]{8}$"), "GroupId"]}}),
        2,
    );
    t.assert_resource_properties_count_is(
        "AWS::EC2::SecurityGroupEgress",
        json!({"FromPort": 443, "DestinationSecurityGroupId": {"Fn::GetAtt": [Match::string_like_regexp("Endpoint"), "GroupId"]}}),
        2,
    );
    let endpoint_costs: u32 = assembly
        .costs
        .iter()
        .filter(|(_, c)| c.item.starts_with("interface VPC endpoint"))
        .map(|(_, c)| c.count)
        .sum();
    assert_eq!(endpoint_costs, 4, "2 endpoints x 2 AZs");
}

#[test]
fn nacl_rules_expand_tier_peers_per_subnet() {
    let vpc = seed_000()
        .network_acl(
            "Private",
            NetworkAclRules::new()
                .allow_inbound(100, Port::tcp(3000), NaclPeer::tier("Public"))
                .deny_inbound(50, Port::all_traffic(), cidr!("192.0.2.0/24"))
                .ephemeral_return_outbound(100, Cidr::ANY_IPV4)
                .allow_outbound(200, Port::icmp_type(8), Cidr::ANY_IPV4),
        )
        .build()
        .unwrap();
    let (t, _) = synth(vpc);
    t.assert_resource_count_is("AWS::EC2::NetworkAcl", 1);
    t.assert_resource_count_is("AWS::EC2::NetworkAclEntry", 5);
    t.assert_resource_count_is("AWS::EC2::SubnetNetworkAclAssociation", 2);
    for (number, cidr) in [(100, "10.0.1.0/24"), (101, "10.0.2.0/24")] {
        t.assert_has_resource_properties(
            "AWS::EC2::NetworkAclEntry",
            json!({"RuleNumber": number, "Protocol": 6, "RuleAction": "allow", "Egress": false,
                   "CidrBlock": cidr, "PortRange": {"From": 3000, "To": 3000}}),
        );
    }
    t.assert_has_resource_properties(
        "AWS::EC2::NetworkAclEntry",
        json!({"RuleNumber": 100, "Egress": true, "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 1024, "To": 65535}}),
    );
    t.assert_has_resource_properties(
        "AWS::EC2::NetworkAclEntry",
        json!({"RuleNumber": 50, "Protocol": -1, "RuleAction": "deny", "PortRange": Match::absent()}),
    );
    t.assert_has_resource_properties(
        "AWS::EC2::NetworkAclEntry",
        json!({"Protocol": 1, "Icmp": {"Type": 8, "Code": -1}}),
    );
}

#[test]
fn flow_logs_role_is_scoped_to_the_log_group() {
    let vpc = seed_000()
        .flow_logs(FlowLogOptions {
            retention_days: 14,
            traffic: FlowLogTraffic::Reject,
        })
        .build()
        .unwrap();
    let (t, _) = synth(vpc);
    let (group, _) = resources(&t, "AWS::Logs::LogGroup")[0];
    t.assert_has_resource_properties("AWS::Logs::LogGroup", json!({"RetentionInDays": 14}));
    t.assert_has_resource_properties(
        "AWS::EC2::FlowLog",
        json!({"ResourceType": "VPC", "TrafficType": "REJECT", "LogDestinationType": "cloud-watch-logs",
               "LogGroupName": {"Ref": group}}),
    );
    t.assert_has_resource_properties(
        "AWS::IAM::Role",
        json!({"Policies": [{"PolicyDocument": {"Statement": [{"Resource": {"Fn::GetAtt": [group, "Arn"]}}]}}]}),
    );
}

#[test]
fn logical_ids_are_stable_across_runs() {
    let ids = || {
        let (t, _) = synth(
            seed_000()
                .gateway_endpoint(GatewayService::DynamoDb)
                .build()
                .unwrap(),
        );
        t.to_json()["Resources"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    let first = ids();
    assert_eq!(first, ids());
    assert!(
        first
            .iter()
            .any(|id| id.starts_with("VpcPublicSubnet1NatGateway")),
        "{first:?}"
    );
    assert!(
        first.iter().any(|id| id.starts_with("VpcDynamoDbEndpoint")),
        "{first:?}"
    );
}

#[test]
fn private_tier_needs_a_nat() {
    assert_eq!(
        error(seed_000().nat(NatPolicy::None)),
        "tier 'Private' is private with egress, which needs a NAT gateway in a public tier, but \
         the NAT policy is None; add a public tier, choose a NAT policy, or make 'Private' isolated"
    );
    let no_public = TieredVpc::builder().tier(Tier::private("App", 24));
    assert!(error(no_public).contains("but there is no public tier"));
}

#[test]
fn az_counts_are_limited() {
    assert_eq!(
        error(TieredVpc::builder().max_azs(7)),
        "7 AZs requested, but at most 6 are possible with Fn::GetAZs (the largest regions have 6 \
         AZs); ask for fewer AZs"
    );
    let many: Vec<String> = (0..27).map(|i| format!("az-{i}")).collect();
    assert!(error(TieredVpc::builder().availability_zones(many))
        .starts_with("27 AZs requested, but at most 26"));
    assert_eq!(
        error(TieredVpc::builder().max_azs(0)),
        "a VPC needs at least one AZ; ask for 1 or more (2 or more for high availability)"
    );
    assert_eq!(
        error(TieredVpc::builder().availability_zones(["us-east-1a", "us-east-1a"])),
        "AZ 'us-east-1a' is named twice; name each AZ once"
    );
}

#[test]
fn bad_cidrs_are_reported_by_build() {
    assert!(error(TieredVpc::builder().cidr("10.0.300.0/16"))
        .starts_with("invalid CIDR '10.0.300.0/16'"));
    assert!(error(
        TieredVpc::builder()
            .cidr("10.0.0.0/24")
            .tier(Tier::public("Public", 24))
    )
    .starts_with("VPC CIDR 10.0.0.0/24 is too small: the tiers need 512 addresses"));
    let overlap = TieredVpc::builder()
        .tier(Tier::public("Public", 24).cidrs(["10.0.1.0/24", "10.0.2.0/24"]))
        .tier(Tier::private("Private", 24).cidrs(["10.0.2.0/24", "10.0.3.0/24"]));
    assert!(error(overlap).starts_with(
        "subnet 10.0.2.0/24 (tier 'Public') overlaps subnet 10.0.2.0/24 (tier 'Private')"
    ));
    let outside =
        TieredVpc::builder().tier(Tier::public("Public", 24).cidrs(["10.1.1.0/24", "10.0.2.0/24"]));
    assert!(error(outside)
        .starts_with("subnet 10.1.1.0/24 of tier 'Public' is outside the VPC CIDR 10.0.0.0/16"));
}

#[test]
fn other_bad_inputs() {
    let unknown = seed_000().network_acl("Web", NetworkAclRules::new());
    assert_eq!(
        error(unknown),
        "there is no tier named 'Web'; the tiers are: Public, Private, Data"
    );
    let clash = seed_000().network_acl(
        "Private",
        NetworkAclRules::new()
            .allow_inbound(100, Port::tcp(3000), NaclPeer::tier("Public"))
            .allow_inbound(101, Port::tcp(80), Cidr::ANY_IPV4),
    );
    assert!(error(clash)
        .starts_with("network ACL of tier 'Private': ingress rule number 101 is used twice"));
    let too_high = seed_000().network_acl(
        "Data",
        NetworkAclRules::new().allow_inbound(40000, Port::tcp(1), Cidr::ANY_IPV4),
    );
    assert!(error(too_high).contains("rule number 40000 is outside 1-32766"));
    let retention = seed_000().flow_logs(FlowLogOptions {
        retention_days: 10,
        ..Default::default()
    });
    assert!(error(retention).starts_with("10 days is not a CloudWatch Logs retention"));
    let public_ip = seed_000().tier(Tier::isolated("Extra", 24).map_public_ip_on_launch(true));
    assert!(error(public_ip).contains("only public tiers can give them"));
    let twice = seed_000()
        .interface_endpoint(InterfaceService::Ssm)
        .interface_endpoint(InterfaceService::Ssm);
    assert!(error(twice).contains("the ssm interface endpoint is added twice"));
    let vpc = seed_000().build().unwrap();
    assert!(vpc
        .select(&SubnetSelection::tier("Nope"))
        .unwrap_err()
        .to_string()
        .contains("no tier named 'Nope'"));
    let public_only = TieredVpc::builder()
        .tier(Tier::public("Web", 24))
        .build()
        .unwrap();
    assert_eq!(
        public_only
            .select(&SubnetSelection::OnePerAz(TierKind::Isolated))
            .unwrap_err()
            .to_string(),
        "the VPC has no isolated tier (its tiers are: Web); add one or select another tier"
    );
    let endpoint_without_private = TieredVpc::builder()
        .tier(Tier::public("Web", 24))
        .interface_endpoint(InterfaceService::Sts);
    assert!(error(endpoint_without_private).starts_with("the VPC has no isolated tier"));
    let gateway_without_private = TieredVpc::builder()
        .tier(Tier::public("Web", 24))
        .gateway_endpoint(GatewayService::S3);
    assert!(error(gateway_without_private)
        .contains("there are none; add such a tier or drop the endpoint"));
}
