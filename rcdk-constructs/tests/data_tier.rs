//! PostgreSQL and Redis: isolated subnets, encryption, no public access, ports open only to
//! the groups admitted.

use rcdk_constructs::data::{PostgresDatabase, RedisCache};
use rcdk_constructs::network::{NatPolicy, SecurityGroup, Tier, TieredVpc};
use rcdk_core::{App, Stack, StackArtifact};
use serde_json::{json, Value};

fn app() -> App {
    let vpc = TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("Private", 22))
        .tier(Tier::isolated("Data", 24))
        .nat(NatPolicy::Single)
        .build()
        .unwrap();
    let app_sg = SecurityGroup::new(vpc.vpc_id(), "app", "Application tasks");
    let mut db = PostgresDatabase::builder(&vpc)
        .database_name("orders")
        .backup_retention_days(14)
        .build()
        .unwrap();
    db.allow_connections_from(&app_sg);
    let mut cache = RedisCache::builder(&vpc).build().unwrap();
    cache.allow_connections_from(&app_sg);
    App::new().with(
        Stack::new("Data")
            .with("Network", vpc)
            .with("App", app_sg)
            .with("Db", db)
            .with("Cache", cache),
    )
}

fn stack() -> StackArtifact {
    app().synth().unwrap().stack("Data").unwrap().clone()
}

fn of_type<'a>(t: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

fn logical_id<'a>(stack: &'a StackArtifact, suffix: &str) -> &'a str {
    stack
        .paths
        .iter()
        .find(|(_, p)| p.ends_with(suffix))
        .map(|(id, _)| id.as_str())
        .unwrap()
}

#[test]
fn postgres_is_private_encrypted_and_managed() {
    let stack = stack();
    let t = stack.template_json();
    let (_, db) = of_type(&t, "AWS::RDS::DBInstance")[0];
    let p = &db["Properties"];
    assert_eq!(p["PubliclyAccessible"], false);
    assert_eq!(p["StorageEncrypted"], true);
    assert_eq!(p["ManageMasterUserPassword"], true);
    assert!(p.get("MasterUserPassword").is_none());
    assert_eq!(p["DeletionProtection"], true);
    assert_eq!(p["BackupRetentionPeriod"], 14);
    assert_eq!(db["DeletionPolicy"], "Snapshot");
    let (_, group) = of_type(&t, "AWS::RDS::DBSubnetGroup")[0];
    let data1 = logical_id(&stack, "Network/Data/Subnet1/Resource");
    let data2 = logical_id(&stack, "Network/Data/Subnet2/Resource");
    assert_eq!(
        group["Properties"]["SubnetIds"],
        json!([{"Ref": data1}, {"Ref": data2}])
    );
}

#[test]
fn redis_is_encrypted_with_failover() {
    let t = stack().template_json();
    let (_, rg) = of_type(&t, "AWS::ElastiCache::ReplicationGroup")[0];
    let p = &rg["Properties"];
    assert_eq!(p["AtRestEncryptionEnabled"], true);
    assert_eq!(p["TransitEncryptionEnabled"], true);
    assert_eq!(p["AutomaticFailoverEnabled"], true);
    assert_eq!(p["NumCacheClusters"], 2);
}

#[test]
fn only_the_admitted_group_reaches_the_data_ports() {
    let stack = stack();
    let t = stack.template_json();
    let app = logical_id(&stack, "App/Resource");
    let ingress = of_type(&t, "AWS::EC2::SecurityGroupIngress");
    assert_eq!(ingress.len(), 2, "{ingress:?}");
    let mut ports: Vec<i64> = ingress
        .iter()
        .map(|(_, r)| {
            let p = &r["Properties"];
            assert_eq!(
                p["SourceSecurityGroupId"],
                json!({"Fn::GetAtt": [app, "GroupId"]})
            );
            assert!(p.get("CidrIp").is_none());
            assert_eq!(p["FromPort"], p["ToPort"]);
            p["FromPort"].as_i64().unwrap()
        })
        .collect();
    ports.sort();
    assert_eq!(ports, [5432, 6379]);
}

#[test]
fn cfn_lint_passes() {
    let dir = tempfile::tempdir().unwrap();
    let assembly = app().synth().unwrap();
    assembly.write(dir.path()).unwrap();
    rcdk_testkit::lint::cfn_lint(&[dir.path().join(&assembly.stacks[0].file_name)]).unwrap();
}

#[test]
fn postgres_reports_instance_hours_and_storage_of_primary_and_standby() {
    let assembly = app().synth().unwrap();
    let costs: Vec<_> = assembly
        .costs
        .iter()
        .map(|(_, c)| (c.item.as_str(), c.count, c.usd_per_month_each()))
        .filter(|(item, _, _)| item.starts_with("RDS"))
        .collect();
    // Multi-AZ by default: the standby's hours and storage are billed like the primary's.
    assert_eq!(
        costs,
        [
            ("RDS PostgreSQL instance db.t4g.micro", 2, Some(11.68)),
            ("RDS gp3 storage 20 GB", 2, Some(2.3))
        ]
    );

    let vpc = TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::isolated("Data", 24))
        .nat(NatPolicy::None)
        .build()
        .unwrap();
    let db = PostgresDatabase::builder(&vpc)
        .single_az()
        .instance_class("db.r8g.large")
        .storage_gib(100)
        .build()
        .unwrap();
    let assembly = App::new()
        .with(Stack::new("Other").with("Network", vpc).with("Db", db))
        .synth()
        .unwrap();
    let costs: Vec<_> = assembly
        .costs
        .iter()
        .map(|(_, c)| (c.item.as_str(), c.count, c.usd_per_month_each()))
        .collect();
    // A class the table does not price: named, not counted; storage and the managed master
    // password's secret are.
    assert_eq!(
        costs,
        [
            ("RDS PostgreSQL instance db.r8g.large", 1, None),
            ("RDS gp3 storage 100 GB", 1, Some(11.5)),
            ("Secrets Manager secret", 1, Some(0.4))
        ]
    );
    let report = rcdk_core::cli::cost_lines(&assembly.costs);
    assert!(
        report.contains(
            &"  not counted: 1 x RDS PostgreSQL instance db.r8g.large (no price in the table)"
                .to_string()
        ),
        "{report:#?}"
    );
}

#[test]
fn redis_reports_every_node_and_its_token_secret() {
    let assembly = app().synth().unwrap();
    let of = |item: &str| {
        assembly
            .costs
            .iter()
            .filter(|(_, c)| c.item == item)
            .map(|(_, c)| (c.count, c.usd_per_month_each()))
            .collect::<Vec<_>>()
    };
    // Primary and replica, 0.016 USD/h x 730 h each.
    assert_eq!(
        of("ElastiCache Redis node cache.t4g.micro"),
        [(2, Some(11.68))]
    );
    // The database's managed master password and the cache's AUTH token.
    assert_eq!(
        of("Secrets Manager secret"),
        [(1, Some(0.4)), (1, Some(0.4))]
    );
}
