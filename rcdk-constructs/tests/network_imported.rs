//! Existing networks: an `ImportedVpc` seen through `IVpc` like a `TieredVpc`, its checks, and
//! security groups imported by id, whose rules are written only on the side managed here.

use rcdk_constructs::cidr;
use rcdk_constructs::error::ConstructError;
use rcdk_constructs::network::{
    IVpc, ImportedVpc, Port, SecurityGroup, SubnetInfo, SubnetSelection, Tier, TierInfo, TierKind,
    TieredVpc, VpcAttributes,
};
use rcdk_core::assertions::Template;
use rcdk_core::kind::{AvailabilityZone, List, SubnetId, VpcId};
use rcdk_core::{fns, App, Construct, Level, Parameter, Stack, Val};
use serde_json::{json, Value};

mod support;

const VPC: &str = "vpc-0a1b2c3d4e5f60718";
const SHARED_ALB: &str = "sg-0123456789abcdef0";

fn subnet(n: u8, az: &str) -> SubnetInfo {
    SubnetInfo::new(format!("subnet-0123456789abcde{n:02x}"), az)
        .route_table(format!("rtb-0123456789abcde{n:02x}"))
}

/// Three tiers in two AZs, every id a literal.
fn literal_attributes() -> VpcAttributes {
    VpcAttributes {
        vpc_id: VPC.into(),
        cidr_block: "10.40.0.0/16".into(),
        availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
        tiers: vec![
            TierInfo::new(
                "Public",
                TierKind::Public,
                [subnet(1, "us-east-1a"), subnet(2, "us-east-1b")],
            ),
            TierInfo::new(
                "App",
                TierKind::PrivateWithEgress,
                [subnet(3, "us-east-1a"), subnet(4, "us-east-1b")],
            ),
            TierInfo::new(
                "Data",
                TierKind::Isolated,
                [subnet(5, "us-east-1a"), subnet(6, "us-east-1b")],
            ),
        ],
    }
}

fn literal_vpc() -> ImportedVpc {
    ImportedVpc::from_attributes(literal_attributes()).unwrap()
}

fn subnet_ids(ids: &[&str]) -> Vec<Val<SubnetId>> {
    ids.iter().map(|id| Val::from(*id)).collect()
}

fn error(attributes: VpcAttributes) -> String {
    ImportedVpc::from_attributes(attributes)
        .unwrap_err()
        .to_string()
}

fn resources(t: &Template) -> Vec<(String, Value)> {
    t.to_json()["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect()
}

/// A logical id without its 8-character hash.
fn readable(id: &str) -> &str {
    &id[..id.len() - 8]
}

fn of_type(t: &Template, type_name: &str) -> Vec<(String, Value)> {
    resources(t)
        .into_iter()
        .filter(|(_, r)| r["Type"] == type_name)
        .collect()
}

#[test]
fn literal_vpc_selects_like_a_tiered_vpc() {
    let vpc = literal_vpc();
    assert_eq!(vpc.vpc_id(), Val::<VpcId>::from(VPC));
    assert_eq!(vpc.cidr_block(), Val::<String>::from("10.40.0.0/16"));
    assert_eq!(vpc.availability_zones().len(), 2);
    assert_eq!(
        vpc.select(&SubnetSelection::tier("App")).unwrap(),
        subnet_ids(&["subnet-0123456789abcde03", "subnet-0123456789abcde04"])
    );
    assert_eq!(
        vpc.select(&SubnetSelection::OnePerAz(TierKind::Isolated))
            .unwrap(),
        subnet_ids(&["subnet-0123456789abcde05", "subnet-0123456789abcde06"])
    );
    assert_eq!(vpc.subnet_ids(TierKind::Public).len(), 2);
    assert_eq!(vpc.tier_kind("Data"), Some(TierKind::Isolated));
    assert_eq!(vpc.tier_kind("Web"), None);
    let explicit = vec![Val::<SubnetId>::from("subnet-0fedcba9876543210")];
    assert_eq!(
        vpc.select(&SubnetSelection::Explicit(explicit.clone()))
            .unwrap(),
        explicit
    );
    // The same errors as a TieredVpc.
    assert!(matches!(
        vpc.select(&SubnetSelection::tier("Web")),
        Err(ConstructError::UnknownTier { known, .. }) if known == "Public, App, Data"
    ));
    assert_eq!(
        vpc.select(&SubnetSelection::Explicit(Vec::new()))
            .unwrap_err()
            .to_string(),
        "the subnet selection is empty; name at least one subnet"
    );
    let public_only = ImportedVpc::from_attributes(VpcAttributes {
        tiers: literal_attributes().tiers.into_iter().take(1).collect(),
        ..literal_attributes()
    })
    .unwrap();
    assert_eq!(
        public_only
            .select(&SubnetSelection::Kind(TierKind::PrivateWithEgress))
            .unwrap_err()
            .to_string(),
        "the VPC has no private tier (its tiers are: Public); add one or select another tier"
    );
    assert_eq!(
        vpc.tier("App").unwrap().subnets[0].route_table_id,
        Some("rtb-0123456789abcde03".into())
    );
}

/// What a builder taking `&dyn IVpc` sees of both kinds of VPC.
fn describe(vpc: &dyn IVpc) -> Vec<(String, TierKind, usize)> {
    vpc.tiers()
        .into_iter()
        .map(|t| (t.name, t.kind, t.subnets.len()))
        .collect()
}

#[test]
fn tiered_and_imported_vpcs_are_both_ivpcs() {
    let tiered = TieredVpc::builder()
        .cidr(cidr!("10.40.0.0/16"))
        .availability_zones(["us-east-1a", "us-east-1b"])
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("App", 22))
        .tier(Tier::isolated("Data", 24))
        .build()
        .unwrap();
    let imported = literal_vpc();
    assert_eq!(describe(&tiered), describe(&imported));
    // The trait and the inherent methods agree on a TieredVpc.
    let as_trait: &dyn IVpc = &tiered;
    assert_eq!(
        as_trait.select(&SubnetSelection::tier("App")).unwrap(),
        tiered.select(&SubnetSelection::tier("App")).unwrap()
    );
    assert_eq!(
        as_trait.subnet_ids(TierKind::Isolated),
        tiered.subnet_ids(TierKind::Isolated)
    );
    assert_eq!(as_trait.vpc_id(), tiered.vpc_id());
    assert_eq!(as_trait.cidr_block(), tiered.cidr_block());
    assert_eq!(
        as_trait.availability_zones(),
        tiered.availability_zones().to_vec()
    );
    let tiers = as_trait.tiers();
    let app = &tiers[1];
    assert_eq!(
        app.subnets[1].subnet_id,
        tiered.tier("App").unwrap().subnets()[1].subnet_id()
    );
    assert_eq!(
        app.subnets[1].availability_zone,
        Val::<AvailabilityZone>::from("us-east-1b")
    );
    assert!(app.subnets.iter().all(|s| s.route_table_id.is_some()));
    assert_eq!(
        as_trait
            .select(&SubnetSelection::tier("Web"))
            .unwrap_err()
            .to_string(),
        "there is no tier named 'Web'; the tiers are: Public, App, Data"
    );
}

#[test]
fn vpc_from_parameters_and_imports() {
    let vpc_id = Parameter::<VpcId>::new().description("The shared VPC");
    let subnets = Parameter::<List<SubnetId>>::new().description("Its private subnets, one per AZ");
    let azs = Parameter::<List<AvailabilityZone>>::new().description("Their AZs, in order");
    let az = |i: usize| fns::select(i, azs.value());
    let private = TierInfo::new(
        "Private",
        TierKind::PrivateWithEgress,
        (0..2).map(|i| SubnetInfo::new(fns::select(i, subnets.value()), az(i))),
    );
    let data = TierInfo::new(
        "Data",
        TierKind::Isolated,
        (1..=2).map(|i| SubnetInfo::new(Val::import(format!("network-DataSubnet{i}")), az(i - 1))),
    );
    let vpc = ImportedVpc::from_attributes(VpcAttributes {
        vpc_id: vpc_id.value(),
        cidr_block: Val::import("network-VpcCidr"),
        availability_zones: vec![az(0), az(1)],
        tiers: vec![private, data],
    })
    .unwrap();
    assert_eq!(
        vpc.select(&SubnetSelection::tier("Data")).unwrap(),
        [
            Val::import("network-DataSubnet1"),
            Val::import("network-DataSubnet2")
        ]
    );
    let mut tasks = SecurityGroup::new(vpc.vpc_id(), "tasks", "Application tasks");
    tasks
        .allow_to_cidr(cidr!("10.40.0.0/16"), Port::tcp(5432))
        .unwrap();
    let stack = Stack::new("Service")
        .with("VpcId", vpc_id)
        .with("PrivateSubnets", subnets)
        .with("Azs", azs)
        .with("Vpc", vpc)
        .with("Tasks", tasks);
    let mut app = App::new().with(stack);
    let t = Template::synth(&mut app, "Service").unwrap();
    // The imported VPC writes nothing; the group is in the VPC given as a parameter.
    assert_eq!(
        resources(&t)
            .iter()
            .map(|(_, r)| r["Type"].as_str().unwrap().to_string())
            .collect::<Vec<_>>(),
        ["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupEgress"]
    );
    t.assert_has_resource_properties(
        "AWS::EC2::SecurityGroup",
        json!({"VpcId": {"Ref": "VpcId"}}),
    );
}

#[test]
fn bad_attributes_are_errors() {
    let base = literal_attributes;
    assert_eq!(
        error(VpcAttributes {
            tiers: Vec::new(),
            ..base()
        }),
        ConstructError::NoTiers.to_string()
    );
    assert_eq!(
        error(VpcAttributes {
            availability_zones: Vec::new(),
            ..base()
        }),
        ConstructError::NoAzs.to_string()
    );
    assert_eq!(
        error(VpcAttributes {
            availability_zones: vec!["us-east-1a".into(), "us-east-1a".into()],
            ..base()
        }),
        "AZ 'us-east-1a' is named twice; name each AZ once"
    );
    assert!(error(VpcAttributes {
        cidr_block: "10.40.0.0/33".into(),
        ..base()
    })
    .starts_with("invalid CIDR '10.40.0.0/33'"));
    let mut twice = base();
    twice.tiers[2].name = "App".into();
    assert_eq!(
        error(twice),
        "tier name 'App' is used twice; tier names must be unique"
    );
    let mut bad_name = base();
    bad_name.tiers[0].name = "public subnets".into();
    assert!(error(bad_name).starts_with("tier name 'public subnets' must be 1-64 ASCII letters"));
    let mut short = base();
    short.tiers[1].subnets.pop();
    assert_eq!(
        error(short),
        "tier 'App' has 1 subnets but the VPC spans 2 AZs; give the tier exactly one subnet per AZ"
    );
    let mut elsewhere = base();
    elsewhere.tiers[2].subnets[1].availability_zone = "us-east-1c".into();
    assert_eq!(
        error(elsewhere),
        "subnet 2 of tier 'Data' is in AZ us-east-1c, which is not one of the VPC's \
         availability_zones; give it one of those AZs or add its AZ to the VPC"
    );
    let mut same_az = base();
    same_az.tiers[0].subnets[1].availability_zone = "us-east-1a".into();
    assert_eq!(
        error(same_az),
        "tier 'Public' has two subnets in AZ us-east-1a; give the tier one subnet per AZ"
    );
    assert_eq!(
        error(VpcAttributes {
            availability_zones: vec!["us-east-1a".into(), "".into()],
            ..base()
        }),
        "availability_zones 2 is empty; name the AZ (e.g. us-east-1a)"
    );
    let first_az = fns::select(0, fns::get_azs());
    assert_eq!(
        error(VpcAttributes {
            availability_zones: vec![first_az.clone(), first_az],
            tiers: Vec::new(),
            ..base()
        }),
        "availability_zones 1 and 2 are the same value; name each AZ once"
    );
    let mut no_az = base();
    no_az.tiers[0].subnets[0].availability_zone = "".into();
    assert_eq!(
        error(no_az),
        "subnet 1 of tier 'Public' has an empty AZ; give each subnet the AZ it is in"
    );
}

/// A group of ours in the imported VPC, connected both ways to two imported groups; the
/// imported groups are not placed in any stack.
fn connected() -> App {
    let vpc = literal_vpc();
    let shared_alb = SecurityGroup::from_id(SHARED_ALB, "shared-alb");
    let shared_db = SecurityGroup::from_id(Val::import("data-DbSecurityGroupId"), "shared db");
    let mut tasks = SecurityGroup::new(vpc.vpc_id(), "tasks", "Application tasks");
    tasks
        .allow_from(&shared_alb, Port::tcp(8080))
        .allow_to(&shared_db, Port::tcp(5432));
    assert_eq!(tasks.rule_count(), 2);
    App::new().with(Stack::new("Service").with("Tasks", tasks))
}

#[test]
fn rules_with_imported_peers_are_written_on_our_side_only() {
    let mut app = connected();
    let t = Template::synth(&mut app, "Service").unwrap();
    assert_eq!(resources(&t).len(), 3);
    let group = of_type(&t, "AWS::EC2::SecurityGroup");
    assert_eq!(group.len(), 1);
    assert_eq!(group[0].1["Properties"]["VpcId"], VPC);
    let ours = json!({"Fn::GetAtt": [group[0].0, "GroupId"]});
    let ingress = of_type(&t, "AWS::EC2::SecurityGroupIngress");
    assert_eq!(ingress.len(), 1);
    assert_eq!(
        readable(&ingress[0].0),
        "TasksIngressFromImportedSharedAlbTcp8080"
    );
    assert_eq!(
        ingress[0].1["Properties"],
        json!({"IpProtocol": "tcp", "GroupId": ours, "FromPort": 8080, "ToPort": 8080,
               "SourceSecurityGroupId": SHARED_ALB, "Description": "tcp 8080 from shared-alb"})
    );
    let egress = of_type(&t, "AWS::EC2::SecurityGroupEgress");
    assert_eq!(egress.len(), 1);
    assert_eq!(
        readable(&egress[0].0),
        "TasksEgressToImportedSharedDbTcp5432"
    );
    assert_eq!(
        egress[0].1["Properties"],
        json!({"IpProtocol": "tcp", "GroupId": ours, "FromPort": 5432, "ToPort": 5432,
               "DestinationSecurityGroupId": {"Fn::ImportValue": "data-DbSecurityGroupId"},
               "Description": "tcp 5432 to shared db"})
    );
}

#[test]
fn placing_the_imported_group_changes_nothing() {
    let shared_alb = SecurityGroup::from_id(SHARED_ALB, "shared-alb");
    let mut tasks = SecurityGroup::new(VPC, "tasks", "Application tasks");
    tasks.allow_from(&shared_alb, Port::tcp(8080));
    let mut app = App::new().with(
        Stack::new("Service")
            .with("SharedAlb", shared_alb)
            .with("Tasks", tasks),
    );
    let t = Template::synth(&mut app, "Service").unwrap();
    let mut found: Vec<(String, String)> = resources(&t)
        .into_iter()
        .map(|(id, r)| {
            let readable = readable(&id).to_string();
            (r["Type"].as_str().unwrap().to_string(), readable)
        })
        .collect();
    found.sort();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, "AWS::EC2::SecurityGroup");
    assert!(found[0].1.starts_with("Tasks"));
    assert_eq!(
        found[1],
        (
            "AWS::EC2::SecurityGroupIngress".to_string(),
            "TasksIngressFromImportedSharedAlbTcp8080".to_string()
        )
    );
}

#[test]
fn rules_asked_of_an_imported_group_go_on_the_managed_peer() {
    let mut shared = SecurityGroup::from_id(SHARED_ALB, "shared-alb");
    let tasks = SecurityGroup::new(VPC, "tasks", "Application tasks");
    let mut metrics = SecurityGroup::new(VPC, "metrics", "Metrics scraper");
    // The shared load balancer reaches the tasks: egress on it is not ours to write, but the
    // tasks' ingress is.
    shared.allow_to(&tasks, Port::tcp(8080));
    // The metrics scraper may reach the load balancer: only the scraper's egress is written.
    shared.allow_from(&metrics, Port::tcp(9100));
    assert_eq!(shared.rule_count(), 2);
    assert!(shared.annotations().is_empty());
    metrics.allow_to(&tasks, Port::tcp(9100));
    let mut app = App::new().with(
        Stack::new("Service")
            .with("Tasks", tasks)
            .with("Metrics", metrics)
            .with("SharedAlb", shared),
    );
    let t = Template::synth(&mut app, "Service").unwrap();
    let tasks_id = json!({"Fn::GetAtt": [of_type(&t, "AWS::EC2::SecurityGroup").iter().find(|(id, _)| id.starts_with("Tasks")).unwrap().0, "GroupId"]});
    let metrics_id = json!({"Fn::GetAtt": [of_type(&t, "AWS::EC2::SecurityGroup").iter().find(|(id, _)| id.starts_with("Metrics")).unwrap().0, "GroupId"]});
    let mut rules: Vec<(String, Value)> = of_type(&t, "AWS::EC2::SecurityGroupIngress")
        .into_iter()
        .chain(of_type(&t, "AWS::EC2::SecurityGroupEgress"))
        .map(|(id, r)| (id, r["Properties"].clone()))
        .collect();
    rules.sort_by(|a, b| a.0.cmp(&b.0));
    let ids: Vec<&str> = rules.iter().map(|(id, _)| readable(id)).collect();
    assert_eq!(
        ids,
        [
            "MetricsEgressToTasksTcp9100",
            "MetricsIngressToTasksTcp9100",
            "SharedAlbEgressFromMetricsTcp9100",
            "SharedAlbIngressToTasksTcp8080",
        ]
    );
    assert_eq!(
        rules[2].1,
        json!({"IpProtocol": "tcp", "GroupId": metrics_id, "FromPort": 9100, "ToPort": 9100,
               "DestinationSecurityGroupId": SHARED_ALB, "Description": "tcp 9100 to shared-alb"})
    );
    assert_eq!(
        rules[3].1,
        json!({"IpProtocol": "tcp", "GroupId": tasks_id, "FromPort": 8080, "ToPort": 8080,
               "SourceSecurityGroupId": SHARED_ALB, "Description": "tcp 8080 from shared-alb"})
    );
}

#[test]
fn rules_that_change_only_an_imported_group_are_refused() {
    let mut shared = SecurityGroup::from_id(SHARED_ALB, "shared-alb");
    let other = SecurityGroup::from_id(Val::import("edge-Sg"), "edge");
    let message = shared
        .allow_from_cidr(cidr!("192.168.0.0/16"), Port::tcp(22))
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        message.as_deref(),
        Some(
            "security group 'shared-alb' (sg-0123456789abcdef0) is imported, so \
             allow_from_cidr(192.168.0.0/16, tcp 22) would change only a group this app does \
             not manage; add this rule where the group is managed"
        )
    );
    assert!(shared
        .allow_to_cidr(cidr!("10.0.0.0/8"), Port::tcp(443))
        .is_err());
    shared
        .allow_from_any_ipv4(Port::tcp(443))
        .allow_to_any_ipv4(Port::tcp(443))
        .allow_internally(Port::all_tcp())
        .allow_from(&other, Port::tcp(80));
    let shared = shared.allow_all_outbound();
    assert_eq!(shared.rule_count(), 0);
    let notes = shared.annotations();
    assert_eq!(notes.len(), 5, "{notes:?}");
    assert!(notes.iter().all(|n| n.level == Level::Error));
    assert!(notes[0]
        .message
        .contains("so allow_from_any_ipv4(tcp 443) would change only a group"));
    assert!(notes[3]
        .message
        .contains("so allow_from(security group 'edge', tcp 80) would change"));
    assert!(notes[4].message.contains("so allow_all_outbound()"));
    // Placed in a stack, the refusals fail synthesis with the group's path.
    let err = App::new()
        .with(Stack::new("Service").with("SharedAlb", shared))
        .synth()
        .unwrap_err()
        .to_string();
    assert!(err.contains("Service/SharedAlb"), "{err}");
    assert!(
        err.contains("add this rule where the group is managed"),
        "{err}"
    );
}

#[test]
fn two_imported_groups_with_one_name_are_an_error() {
    let a = SecurityGroup::from_id("sg-0123456789abcdef0", "shared");
    let b = SecurityGroup::from_id("sg-0fedcba9876543210", "shared");
    let mut tasks = SecurityGroup::new(VPC, "tasks", "Application tasks");
    tasks
        .allow_from(&a, Port::tcp(443))
        .allow_from(&b, Port::tcp(443));
    // Asking again for the same group is not a conflict.
    tasks.allow_from(&a, Port::tcp(443));
    assert_eq!(tasks.rule_count(), 1);
    let err = App::new()
        .with(Stack::new("Service").with("Tasks", tasks))
        .synth()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("give each group passed to SecurityGroup::from_id its own name"),
        "{err}"
    );
}

#[test]
fn connected_template_lints_clean() {
    let assembly = connected().synth().unwrap();
    support::assert_lint_clean(&assembly);
}
