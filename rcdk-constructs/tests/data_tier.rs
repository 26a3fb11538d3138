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
        .filter(|(path, _)| path.starts_with("Other/Db"))
        .map(|(_, c)| (c.item.as_str(), c.count, c.usd_per_month_each()))
        .collect();
    // A class the table does not price: named, not counted; storage, the managed master
    // password's secret and the storage's key are.
    assert_eq!(
        costs,
        [
            ("RDS PostgreSQL instance db.r8g.large", 1, None),
            ("RDS gp3 storage 100 GB", 1, Some(11.5)),
            ("Secrets Manager secret", 1, Some(0.4)),
            ("KMS customer-managed key", 1, Some(1.0))
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

/// (rule, reason) pairs.
type Suppressions = Vec<(String, String)>;

/// The suppressions of a resource for Guard, then for cdk-nag.
fn suppressed(resource: &Value) -> (Suppressions, Suppressions) {
    let m = &resource["Metadata"];
    let guard = m["guard"]["SuppressedRules"]
        .as_array()
        .map(|rules| {
            rules
                .iter()
                .map(|r| {
                    let rule = r.as_str().unwrap().to_string();
                    let reason = m["guard"]["Reasons"][&rule].as_str().unwrap().to_string();
                    (rule, reason)
                })
                .collect()
        })
        .unwrap_or_default();
    let nag = m["cdk_nag"]["rules_to_suppress"]
        .as_array()
        .map(|rules| {
            rules
                .iter()
                .map(|r| {
                    (
                        r["id"].as_str().unwrap().to_string(),
                        r["reason"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (guard, nag)
}

fn ids(pairs: &[(String, String)]) -> Vec<&str> {
    pairs.iter().map(|(id, _)| id.as_str()).collect()
}

fn data_vpc() -> TieredVpc {
    TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::isolated("Data", 24))
        .nat(NatPolicy::None)
        .build()
        .unwrap()
}

#[test]
fn postgres_exports_every_log_type_and_is_encrypted_with_a_rotated_key_of_its_own() {
    let stack = stack();
    let t = stack.template_json();
    let (_, db) = of_type(&t, "AWS::RDS::DBInstance")[0];
    let p = &db["Properties"];
    assert_eq!(
        p["EnableCloudwatchLogsExports"],
        json!(["postgresql", "upgrade"])
    );
    // The database's own key; the stack's logs key (for the VPC's flow logs) is another.
    let keys: Vec<_> = of_type(&t, "AWS::KMS::Key")
        .into_iter()
        .filter(|(id, _)| *id != "LogsKey")
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    let (key_id, key) = keys[0];
    assert_eq!(p["KmsKeyId"], json!({"Fn::GetAtt": [key_id, "Arn"]}));
    assert_eq!(key["Properties"]["EnableKeyRotation"], true);
    // The snapshots kept of the database stay readable: the key outlives the stack.
    assert_eq!(key["DeletionPolicy"], "Retain");
    assert_eq!(key["UpdateReplacePolicy"], "Retain");
    assert_eq!(
        key["Properties"]["KeyPolicy"]["Statement"],
        json!([{
            "Sid": "AccountAdministersTheKeyThroughIam",
            "Effect": "Allow",
            "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
            "Action": "kms:*",
            "Resource": "*"
        }, {
            "Sid": "GrantsOnlyForAwsServices",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {"BoolIfExists": {
                "kms:GrantIsForAWSResource": "false",
                "aws:PrincipalIsAWSService": "false"
            }}
        }])
    );
    // Met: nothing suppressed for them.
    let (guard, nag) = suppressed(db);
    assert_eq!(
        ids(&guard),
        ["rds_instance_no_default_ports_check"],
        "{guard:?}"
    );
    assert_eq!(ids(&nag), ["AwsSolutions-RDS11"], "{nag:?}");
    assert!(guard[0].1.contains("PostgresBuilder::port"), "{guard:?}");
    assert_eq!(guard[0].1, nag[0].1);
}

#[test]
fn postgres_opt_outs_are_named_in_the_suppressions() {
    let vpc = data_vpc();
    let app_sg = SecurityGroup::new(vpc.vpc_id(), "app", "Application tasks");
    let mut db = PostgresDatabase::builder(&vpc)
        .aws_managed_encryption_key()
        .without_log_exports()
        .port(5433)
        .build()
        .unwrap();
    db.allow_connections_from(&app_sg);
    assert_eq!(db.port(), 5433);
    assert!(db.storage_key().is_none());
    let assembly = App::new()
        .with(
            Stack::new("Other")
                .with("Network", vpc)
                .with("App", app_sg)
                .with("Db", db),
        )
        .synth()
        .unwrap();
    let t = assembly.stack("Other").unwrap().template_json();
    assert!(database_keys(&t).is_empty());
    let (_, db) = of_type(&t, "AWS::RDS::DBInstance")[0];
    let p = &db["Properties"];
    assert!(p.get("KmsKeyId").is_none(), "{p}");
    assert!(p.get("EnableCloudwatchLogsExports").is_none(), "{p}");
    assert_eq!(p["Port"], "5433");
    let (guard, nag) = suppressed(db);
    assert_eq!(
        ids(&guard),
        [
            "rds_instance_logging_enabled_check",
            "rds_storage_encrypted_kms_key_check"
        ]
    );
    assert!(guard[0].1.contains("PostgresBuilder::without_log_exports"));
    assert!(guard[1]
        .1
        .contains("PostgresBuilder::aws_managed_encryption_key"));
    // Another port meets the default-port rules.
    assert!(nag.is_empty(), "{nag:?}");
    let (_, ingress) = of_type(&t, "AWS::EC2::SecurityGroupIngress")[0];
    assert_eq!(ingress["Properties"]["FromPort"], 5433);
    assert_eq!(ingress["Properties"]["ToPort"], 5433);

    assert!(PostgresDatabase::builder(&data_vpc())
        .port(80)
        .build()
        .is_err());
}

#[test]
fn postgres_takes_the_users_key() {
    let vpc = data_vpc();
    let arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let db = PostgresDatabase::builder(&vpc)
        .encryption_key(arn)
        .build()
        .unwrap();
    let assembly = App::new()
        .with(Stack::new("Other").with("Network", vpc).with("Db", db))
        .synth()
        .unwrap();
    let t = assembly.stack("Other").unwrap().template_json();
    assert!(database_keys(&t).is_empty());
    let (_, db) = of_type(&t, "AWS::RDS::DBInstance")[0];
    assert_eq!(db["Properties"]["KmsKeyId"], arn);
    let (guard, _) = suppressed(db);
    assert!(!ids(&guard).contains(&"rds_storage_encrypted_kms_key_check"));
}

#[test]
fn redis_suppresses_rbac_and_the_default_port_with_reasons() {
    let t = stack().template_json();
    let (_, rg) = of_type(&t, "AWS::ElastiCache::ReplicationGroup")[0];
    let (guard, nag) = suppressed(rg);
    assert_eq!(
        ids(&guard),
        ["elasticache_repl_grp_rbac_auth_enabled_check"]
    );
    assert!(guard[0].1.contains("AUTH token"), "{guard:?}");
    assert_eq!(ids(&nag), ["AwsSolutions-AEC5"]);
    assert!(nag[0].1.contains("RedisBuilder::port"), "{nag:?}");
    // The token cannot rotate through a hosted function: said on its secret.
    let (_, token) = of_type(&t, "AWS::SecretsManager::Secret")[0];
    let (_, nag) = suppressed(token);
    assert_eq!(ids(&nag), ["AwsSolutions-SMG4"]);
    assert!(nag[0].1.contains("ModifyReplicationGroup"), "{nag:?}");
}

#[test]
fn redis_on_another_port_meets_the_port_rule() {
    let vpc = data_vpc();
    let app_sg = SecurityGroup::new(vpc.vpc_id(), "app", "Application tasks");
    let mut cache = RedisCache::builder(&vpc).port(6380).build().unwrap();
    cache.allow_connections_from(&app_sg);
    assert_eq!(cache.port(), 6380);
    let assembly = App::new()
        .with(
            Stack::new("Other")
                .with("Network", vpc)
                .with("App", app_sg)
                .with("Cache", cache),
        )
        .synth()
        .unwrap();
    let t = assembly.stack("Other").unwrap().template_json();
    let (_, rg) = of_type(&t, "AWS::ElastiCache::ReplicationGroup")[0];
    assert_eq!(rg["Properties"]["Port"], 6380);
    let (guard, nag) = suppressed(rg);
    assert!(nag.is_empty(), "{nag:?}");
    assert_eq!(
        ids(&guard),
        ["elasticache_repl_grp_rbac_auth_enabled_check"]
    );
    let (_, ingress) = of_type(&t, "AWS::EC2::SecurityGroupIngress")[0];
    assert_eq!(ingress["Properties"]["FromPort"], 6380);
}

/// The KMS keys of a template other than the stack's logs key (which the VPC's flow logs use).
fn database_keys(t: &Value) -> Vec<(&String, &Value)> {
    of_type(t, "AWS::KMS::Key")
        .into_iter()
        .filter(|(id, _)| *id != "LogsKey")
        .collect()
}
