//! The `graph` command's output for a small app with a VPC, a chain of security groups
//! (load balancer -> service -> database) and a cross-stack reference: pinned by snapshots,
//! checked edge by edge, and rendered with Graphviz's `dot`.

use std::io::Write;
use std::process::{Command, Stdio};

use rcdk_core::cli::graph::{self, Edge, EdgeKind, GraphFormat, GraphOptions};
use rcdk_core::{fns, App, Assembly, RawResource, Resource, Stack, Value};
use rcdk_macros::Construct;
use serde_json::json;

#[derive(Construct)]
struct PublicSubnet {
    subnet: RawResource,
    route_table: RawResource,
    association: RawResource,
    default_route: RawResource,
}

#[derive(Construct)]
struct Network {
    vpc: RawResource,
    internet_gateway: RawResource,
    attachment: RawResource,
    public: Vec<PublicSubnet>,
}

#[derive(Construct)]
struct Firewall {
    load_balancer: RawResource,
    service: RawResource,
    database: RawResource,
    service_from_load_balancer: RawResource,
    database_from_service: RawResource,
}

fn network() -> Network {
    let vpc = RawResource::new("AWS::EC2::VPC").prop("CidrBlock", "10.0.0.0/16");
    let igw = RawResource::new("AWS::EC2::InternetGateway");
    let attachment = RawResource::untaggable("AWS::EC2::VPCGatewayAttachment")
        .prop("VpcId", vpc.ref_::<String>())
        .prop("InternetGatewayId", igw.ref_::<String>());
    let public = (0..2)
        .map(|i| {
            let subnet = RawResource::new("AWS::EC2::Subnet")
                .prop("VpcId", vpc.ref_::<String>())
                .prop("CidrBlock", format!("10.0.{i}.0/24"));
            let route_table =
                RawResource::new("AWS::EC2::RouteTable").prop("VpcId", vpc.ref_::<String>());
            PublicSubnet {
                association: RawResource::untaggable("AWS::EC2::SubnetRouteTableAssociation")
                    .prop("SubnetId", subnet.ref_::<String>())
                    .prop("RouteTableId", route_table.ref_::<String>()),
                default_route: RawResource::untaggable("AWS::EC2::Route")
                    .prop("RouteTableId", route_table.ref_::<String>())
                    .prop("DestinationCidrBlock", "0.0.0.0/0")
                    .prop("GatewayId", igw.ref_::<String>()),
                subnet,
                route_table,
            }
        })
        .collect();
    Network {
        vpc,
        internet_gateway: igw,
        attachment,
        public,
    }
}

fn firewall(vpc: &RawResource) -> Firewall {
    let group = |description: &str| {
        RawResource::new("AWS::EC2::SecurityGroup")
            .prop("GroupDescription", description)
            .prop("VpcId", vpc.ref_::<String>())
    };
    let load_balancer = group("load balancer")
        .prop(
            "SecurityGroupIngress",
            json!([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}]),
        )
        .prop(
            "SecurityGroupEgress",
            json!([{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]),
        );
    let service = group("service");
    let database = group("database");
    let rule = |to: &RawResource, from: &RawResource, port: i64| {
        RawResource::untaggable("AWS::EC2::SecurityGroupIngress")
            .prop("GroupId", to.get_att::<String>("GroupId"))
            .prop("SourceSecurityGroupId", from.get_att::<String>("GroupId"))
            .prop("IpProtocol", "tcp")
            .prop("FromPort", port)
            .prop("ToPort", port)
    };
    Firewall {
        service_from_load_balancer: rule(&service, &load_balancer, 8080),
        database_from_service: rule(&database, &service, 5432),
        load_balancer,
        service,
        database,
    }
}

fn assembly() -> Assembly {
    let network = network();
    let firewall = firewall(&network.vpc);
    let vpc_id = network.vpc.ref_::<String>();
    let subnets: Vec<Value> = network
        .public
        .iter()
        .map(|p| p.subnet.ref_::<String>().into())
        .collect();
    let database_group = firewall.database.get_att::<String>("GroupId");
    let queue = RawResource::new("AWS::SQS::Queue").override_logical_id("JobsQueue");
    let function = RawResource::new("AWS::Lambda::Function")
        .prop("Description", fns::sub_plain("reads ${JobsQueue.Arn}"))
        .prop("VpcConfig", json!({"SubnetIds": []}))
        .prop("Tags", vec![Value::from(database_group)]);
    let mut app = App::new();
    app.add(
        Stack::new("Net")
            .with("Network", network)
            .with("Firewall", firewall),
    );
    app.add(
        Stack::new("Jobs")
            .with("Queue", queue)
            .with("Worker", function)
            .with(
                "Endpoint",
                RawResource::new("AWS::EC2::VPCEndpoint")
                    .prop("VpcId", vpc_id)
                    .prop("SubnetIds", subnets),
            ),
    );
    app.synth().expect("synthesizes")
}

fn edge(from: &str, to: &str, kind: EdgeKind, label: &str) -> Edge {
    Edge {
        from: from.into(),
        to: to.into(),
        kind,
        label: label.into(),
        to_box: None,
    }
}

#[test]
fn edges_for_permissions_links_and_references() {
    let g = graph::graph(&assembly(), GraphOptions::default());
    let expected = [
        edge(
            "external:0.0.0.0/0",
            "Net/Firewall/LoadBalancer",
            EdgeKind::Ingress,
            "tcp/443",
        ),
        edge(
            "Net/Firewall/LoadBalancer",
            "Net/Firewall/Service",
            EdgeKind::Ingress,
            "tcp/8080",
        ),
        edge(
            "Net/Firewall/Service",
            "Net/Firewall/Database",
            EdgeKind::Ingress,
            "tcp/5432",
        ),
        edge(
            "Net/Network/Public1/Subnet",
            "Net/Network/Public1/RouteTable",
            EdgeKind::Link,
            "",
        ),
        edge(
            "Net/Network/Public1/RouteTable",
            "Net/Network/InternetGateway",
            EdgeKind::Link,
            "0.0.0.0/0",
        ),
        edge(
            "Net/Network/Vpc",
            "Net/Network/InternetGateway",
            EdgeKind::Link,
            "",
        ),
        edge(
            "Net/Network/Public2/Subnet",
            "Net/Network/Public2/RouteTable",
            EdgeKind::Link,
            "",
        ),
        edge(
            "Net/Network/Public2/RouteTable",
            "Net/Network/InternetGateway",
            EdgeKind::Link,
            "0.0.0.0/0",
        ),
        // `${JobsQueue.Arn}` inside `Fn::Sub`.
        edge("Jobs/Worker", "Jobs/Queue", EdgeKind::Reference, "Arn"),
        // Across stacks, through an export.
        edge(
            "Jobs/Worker",
            "Net/Firewall/Database",
            EdgeKind::Reference,
            "GroupId",
        ),
        // Every subnet of the network: one edge into the network's box.
        Edge {
            to_box: Some("Net/Network".into()),
            ..edge(
                "Jobs/Endpoint",
                "Net/Network/Public1/Subnet",
                EdgeKind::Reference,
                "",
            )
        },
    ];
    let mut expected = expected.to_vec();
    expected.sort();
    assert_eq!(g.edges, expected);
    // Rules, routes and associations are edges, not boxes; allow-all egress is not drawn;
    // references to the VPC are not drawn (the boxes show it).
    let dot = graph::dot(&g);
    assert!(!dot.contains("SecurityGroupIngress"), "{dot}");
    assert!(!dot.contains("SubnetRouteTableAssociation"), "{dot}");
    assert!(!dot.contains("all traffic"), "{dot}");
    assert!(g.clusters[1].nodes.iter().any(|n| n.key == "Jobs/Endpoint"));
}

#[test]
fn all_shows_every_resource() {
    let g = graph::graph(&assembly(), GraphOptions { all: true });
    let dot = graph::dot(&g);
    for hidden in [
        "EC2::SecurityGroupIngress",
        "EC2::SubnetRouteTableAssociation",
        "EC2::Route\"",
        "egress all traffic",
    ] {
        assert!(dot.contains(hidden), "{hidden} missing from\n{dot}");
    }
    for (from, to) in [
        ("Net/Network/Public1/Subnet", "Net/Network/Vpc"),
        ("Jobs/Endpoint", "Net/Network/Vpc"),
        (
            "Net/Network/Public1/Association",
            "Net/Network/Public1/Subnet",
        ),
    ] {
        assert!(
            g.edges.contains(&edge(from, to, EdgeKind::Reference, "")),
            "{from} -> {to} missing from {:#?}",
            g.edges
        );
    }
}

#[test]
fn dot_snapshot() {
    insta::assert_snapshot!(graph::render(
        &assembly(),
        GraphFormat::Dot,
        GraphOptions::default()
    ));
}

#[test]
fn mermaid_snapshot() {
    insta::assert_snapshot!(graph::render(
        &assembly(),
        GraphFormat::Mermaid,
        GraphOptions::default()
    ));
}

#[test]
fn output_is_deterministic() {
    let a = graph::render(&assembly(), GraphFormat::Dot, GraphOptions { all: true });
    let b = graph::render(&assembly(), GraphFormat::Dot, GraphOptions { all: true });
    assert_eq!(a, b);
}

/// Renders with Graphviz; `dot` must be installed (Debian: `apt-get install graphviz`).
fn render_svg(text: &str) -> String {
    let mut child = match Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!(
            "cannot run Graphviz `dot` ({e}); install it: `apt-get install -y graphviz` (Debian/Ubuntu) or `brew install graphviz`"
        ),
    };
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(text.as_bytes())
        .expect("writes to dot");
    let out = child.wait_with_output().expect("dot runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "dot failed: {stderr}\n{text}");
    assert!(stderr.trim().is_empty(), "dot warned: {stderr}\n{text}");
    String::from_utf8(out.stdout).expect("svg is UTF-8")
}

#[test]
fn dot_renders_with_graphviz() {
    for all in [false, true] {
        let svg = render_svg(&graph::render(
            &assembly(),
            GraphFormat::Dot,
            GraphOptions { all },
        ));
        assert!(svg.contains("<svg"), "{svg}");
        assert!(svg.contains("tcp/5432"), "{svg}");
        assert!(svg.contains("Firewall (Firewall)"), "{svg}");
    }
}

#[test]
fn graph_command_runs() {
    let mut app = App::new();
    app.add(Stack::new("S").with("Q", RawResource::new("AWS::SQS::Queue")));
    let code = app.run_args(["app", "graph", "mermaid", "--all"], None);
    assert_eq!(code, std::process::ExitCode::SUCCESS);
}

#[test]
fn egress_rules_and_groups_outside_the_app() {
    /// A construct wrapping its main resource, named `Resource` as constructs do.
    #[derive(Construct)]
    struct Guard {
        resource: RawResource,
    }
    #[derive(Construct)]
    struct Acl {
        acl: RawResource,
        entries: Vec<RawResource>,
    }
    let shared = rcdk_core::Parameter::<rcdk_core::kind::SecurityGroupId>::new();
    let cache = Guard {
        resource: RawResource::new("AWS::EC2::SecurityGroup"),
    };
    let acl = RawResource::new("AWS::EC2::NetworkAcl");
    let entries = (0..2)
        .map(|i| {
            RawResource::untaggable("AWS::EC2::NetworkAclEntry")
                .prop("NetworkAclId", acl.ref_::<String>())
                .prop("RuleNumber", 100 + i)
        })
        .collect();
    let app_group = RawResource::new("AWS::EC2::SecurityGroup").prop(
        "SecurityGroupEgress",
        vec![
            Value::from(json!({"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379})).with_entry(
                "DestinationSecurityGroupId",
                cache.resource.get_att::<String>("GroupId"),
            ),
        ],
    );
    let to_shared = RawResource::untaggable("AWS::EC2::SecurityGroupEgress")
        .prop("GroupId", app_group.ref_::<String>())
        .prop("DestinationSecurityGroupId", shared.value())
        .prop("IpProtocol", "tcp")
        .prop("FromPort", 443)
        .prop("ToPort", 443);
    let from_literal = RawResource::untaggable("AWS::EC2::SecurityGroupIngress")
        .prop("GroupId", app_group.ref_::<String>())
        .prop("SourceSecurityGroupId", "sg-0123456789abcdef0")
        .prop("IpProtocol", "-1");
    let mut app = App::new();
    app.add(
        Stack::new("S")
            .with("Shared", shared)
            .with("Cache", cache)
            .with("App", app_group)
            .with("ToShared", to_shared)
            .with("FromLiteral", from_literal)
            .with("Acl", Acl { acl, entries }),
    );
    let g = graph::graph(&app.synth().unwrap(), GraphOptions::default());
    let mut expected = vec![
        edge("S/App", "S/Cache/Resource", EdgeKind::Egress, "tcp/6379"),
        edge("S/App", "external:Shared", EdgeKind::Egress, "tcp/443"),
        edge(
            "external:sg-0123456789abcdef0",
            "S/App",
            EdgeKind::Ingress,
            "all traffic",
        ),
    ];
    expected.sort();
    assert_eq!(g.edges, expected);
    let external: Vec<(&str, &str)> = g
        .external
        .iter()
        .map(|n| (n.name.as_str(), n.detail.as_str()))
        .collect();
    assert_eq!(
        external,
        [
            ("Shared", "security group"),
            ("sg-0123456789abcdef0", "security group")
        ]
    );
    let nodes: Vec<(&str, &str, &str)> = g.clusters[0]
        .nodes
        .iter()
        .map(|n| (n.key.as_str(), n.name.as_str(), n.detail.as_str()))
        .collect();
    // The wrapper box is drawn as its resource, named after the box; entries are counted.
    assert_eq!(
        nodes,
        [
            ("S/App", "App", "EC2::SecurityGroup"),
            ("S/Cache/Resource", "Cache", "EC2::SecurityGroup")
        ]
    );
    assert_eq!(g.clusters[0].clusters.len(), 1);
    assert_eq!(
        g.clusters[0].clusters[0].nodes[0].detail,
        "EC2::NetworkAcl, 2 entries"
    );
    let mermaid = graph::mermaid(&g);
    assert!(mermaid.contains("-.->|\"egress tcp/6379\"|"), "{mermaid}");
    render_svg(&graph::dot(&g));
}

trait WithEntry {
    fn with_entry(self, key: &str, value: impl Into<Value>) -> Value;
}

impl WithEntry for Value {
    /// Adds a key to a map value (a rule mixing literals and a reference).
    fn with_entry(self, key: &str, value: impl Into<Value>) -> Value {
        match self {
            Value::Map(mut m) => {
                m.insert(key.to_string(), value.into());
                Value::Map(m)
            }
            other => other,
        }
    }
}

#[test]
fn references_across_stacks_through_ssm() {
    let topic = RawResource::new("AWS::SNS::Topic");
    let queue = RawResource::new("AWS::SQS::Queue").prop("Topic", topic.ref_::<String>());
    let mut app = App::new();
    app.set_cross_stack_strategy(rcdk_core::CrossStackStrategy::SsmParameter);
    app.add(Stack::new("Producer").with("Topic", topic));
    app.add(Stack::new("Consumer").with("Queue", queue));
    let assembly = app.synth().unwrap();
    let g = graph::graph(&assembly, GraphOptions::default());
    assert_eq!(
        g.edges,
        [edge(
            "Consumer/Queue",
            "Producer/Topic",
            EdgeKind::Reference,
            ""
        )]
    );
    // The SSM parameter synthesis added is not drawn, unless everything is asked for.
    assert!(!graph::dot(&g).contains("SSM::Parameter"));
    let all = graph::dot(&graph::graph(&assembly, GraphOptions { all: true }));
    assert!(all.contains("SSM::Parameter"), "{all}");
}
