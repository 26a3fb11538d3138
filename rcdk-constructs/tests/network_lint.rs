//! cfn-lint and checkov (pinned, through `rcdk-testkit`) find no error, no warning and no failed
//! check in a template that uses every networking feature: three tiers, NAT per AZ, gateway and
//! interface endpoints, network ACLs, flow logs, the security-group chain and a rule across
//! stacks.

use rcdk_constructs::cidr;
use rcdk_constructs::network::{
    Cidr, FlowLogOptions, FlowLogTraffic, GatewayService, InterfaceService, NaclPeer, NatPolicy,
    NetworkAclRules, Port, SecurityGroup, Tier, TieredVpc,
};
use rcdk_core::{App, Stack};

#[test]
fn full_network_lints_clean() {
    let mut vpc = TieredVpc::builder()
        .name("lint")
        .cidr(cidr!("10.20.0.0/16"))
        .max_azs(3)
        .tier(Tier::public("Public", 24).map_public_ip_on_launch(true))
        .tier(Tier::private("App", 22))
        .tier(Tier::isolated("Data", 25))
        .nat(NatPolicy::PerAz)
        .gateway_endpoint(GatewayService::S3)
        .gateway_endpoint(GatewayService::DynamoDb)
        .interface_endpoint(InterfaceService::EcrApi)
        .interface_endpoint(InterfaceService::EcrDkr)
        .interface_endpoint(InterfaceService::CloudWatchLogs)
        .interface_endpoint(InterfaceService::Ssm)
        .network_acl(
            "App",
            NetworkAclRules::new()
                .deny_inbound(50, Port::all_traffic(), cidr!("192.0.2.0/24"))
                .allow_inbound(100, Port::tcp(8080), NaclPeer::tier("Public"))
                .ephemeral_return_inbound(200, Cidr::ANY_IPV4)
                .allow_inbound(300, Port::icmp_type(8), Cidr::ANY_IPV4)
                .ephemeral_return_outbound(100, Cidr::ANY_IPV4)
                .allow_outbound(110, Port::tcp(443), Cidr::ANY_IPV4)
                .allow_outbound(120, Port::udp(53), Cidr::ANY_IPV4),
        )
        .flow_logs(FlowLogOptions {
            retention_days: 90,
            traffic: FlowLogTraffic::All,
        })
        .build()
        .unwrap();
    let mut alb = SecurityGroup::new(
        vpc.vpc_id(),
        "alb",
        "Load balancer: HTTPS from the internet",
    );
    alb.allow_from_any_ipv4(Port::tcp(443));
    let mut tasks = SecurityGroup::new(vpc.vpc_id(), "tasks", "Application tasks");
    tasks
        .allow_from(&alb, Port::tcp(8080))
        .allow_to_any_ipv4(Port::tcp(443))
        .allow_internally(Port::all_tcp());
    vpc.allow_endpoints_from(&tasks);
    let mut db = SecurityGroup::new(vpc.vpc_id(), "db", "Database");
    db.allow_from(&tasks, Port::tcp(5432));

    let mut app = App::new();
    app.add(
        Stack::new("Network")
            .with("Vpc", vpc)
            .with("Alb", alb)
            .with("Tasks", tasks),
    );
    // The database in its own stack: its rules import the tasks' group id.
    app.add(Stack::new("Data").with("Db", db));
    let assembly = app.synth().unwrap();
    let dir = tempfile::tempdir().unwrap();
    assembly.write(dir.path()).unwrap();
    let templates: Vec<_> = assembly
        .stacks
        .iter()
        .map(|s| dir.path().join(&s.file_name))
        .collect();
    assert_eq!(templates.len(), 2);
    if let Err(e) = rcdk_testkit::lint::cfn_lint(&templates) {
        panic!("{e}");
    }
    // Security scan: findings the constructs accept on purpose carry a reason in the
    // resource's Metadata; anything else fails here.
    if let Err(e) = rcdk_testkit::lint::checkov(&templates) {
        panic!("{e}");
    }
}
