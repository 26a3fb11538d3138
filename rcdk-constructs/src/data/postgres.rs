//! PostgreSQL on RDS: isolated subnets, password managed by Secrets Manager, IAM database
//! authentication on, encrypted with a customer-managed KMS key of its own (1 USD a month),
//! logs exported to CloudWatch Logs, not public, backups kept, deletion protected, enhanced
//! monitoring every minute, its port (5432 by default) open only to the groups admitted.

use rcdk_core::kind::{KmsKeyArn, SecretArn, SubnetId};
use rcdk_core::{fns, CostItem, RemovalPolicy, Resource, Scanner, Val};
use rcdk_macros::Construct;

use crate::cfn::kms as cfn_kms;
use crate::cfn::rds as cfn;
use crate::error::ConstructError;
use crate::iam::{grant_all, CheckedStatement, Grant, Grantee, Role, Statement};
use crate::network::{Connectable, IVpc, Port, SecurityGroup};
use crate::pricing;

/// PostgreSQL's port.
pub const POSTGRES_PORT: u16 = 5432;

/// The service that publishes enhanced monitoring metrics (assumes the monitoring role).
const MONITORING_PRINCIPAL: &str = "monitoring.rds.amazonaws.com";

/// The intervals, in seconds, RDS accepts for enhanced monitoring.
pub const MONITORING_INTERVALS: [u8; 6] = [1, 5, 10, 15, 30, 60];

/// Every log type RDS for PostgreSQL can export to CloudWatch Logs.
pub const POSTGRES_LOG_EXPORTS: [&str; 2] = ["postgresql", "upgrade"];

/// The log group RDS writes enhanced monitoring metrics to (one stream per instance).
const MONITORING_LOG_GROUP: &str = "RDSOSMetrics";

/// Guard: every log type of the engine exported to CloudWatch Logs.
const LOG_EXPORTS_RULE: &str = "rds_instance_logging_enabled_check";
/// Guard: storage encrypted with a KMS key the template names.
const KMS_KEY_RULE: &str = "rds_storage_encrypted_kms_key_check";
/// Guard and cdk-nag: a port other than the engine's default.
const DEFAULT_PORT_RULES: [(Scanner, &str); 2] = [
    (Scanner::Guard, "rds_instance_no_default_ports_check"),
    (Scanner::CdkNag, "AwsSolutions-RDS11"),
];

/// Why the default port stays: moving it hides nothing from a client that can reach the
/// instance, and the security group decides who can.
const DEFAULT_PORT_REASON: &str = "PostgreSQL listens on its default port 5432, which the \
     architecture names: a different port is obscurity, not access control. The instance is \
     private in isolated subnets and its security group admits 5432 only from the security \
     groups of the admitted clients; PostgresBuilder::port sets another port and lifts this \
     suppression.";

/// How the storage is encrypted.
#[derive(Debug, Clone)]
enum StorageKey {
    /// A key made for this database (the default).
    Created,
    /// The user's key, by ARN.
    Given(Val<KmsKeyArn>),
    /// The AWS managed key `aws/rds` (opted out of a customer-managed key).
    AwsManaged,
}

/// Builder of a [`PostgresDatabase`].
#[derive(Debug, Clone)]
pub struct PostgresBuilder {
    vpc_id: Val<rcdk_core::kind::VpcId>,
    subnets: Result<Vec<Val<SubnetId>>, ConstructError>,
    instance_class: String,
    engine_version: String,
    storage_gib: u16,
    multi_az: bool,
    backup_days: u8,
    deletion_protection: bool,
    database_name: Option<String>,
    username: String,
    monitoring_seconds: u8,
    port: u16,
    storage_key: StorageKey,
    log_exports: bool,
}

impl PostgresBuilder {
    /// Instance class (default `db.t4g.micro`).
    pub fn instance_class(mut self, class: &str) -> Self {
        self.instance_class = class.to_string();
        self
    }

    /// Engine version (default `17.6`).
    pub fn engine_version(mut self, version: &str) -> Self {
        self.engine_version = version.to_string();
        self
    }

    /// Allocated gp3 storage in GiB (20 to 65536; default 20).
    pub fn storage_gib(mut self, gib: u16) -> Self {
        self.storage_gib = gib;
        self
    }

    /// One instance only (no standby in another AZ; cheaper, no failover).
    pub fn single_az(mut self) -> Self {
        self.multi_az = false;
        self
    }

    /// Days of automated backups (1-35; default 7).
    pub fn backup_retention_days(mut self, days: u8) -> Self {
        self.backup_days = days;
        self
    }

    /// Deletion protection (on by default).
    pub fn deletion_protection(mut self, on: bool) -> Self {
        self.deletion_protection = on;
        self
    }

    /// Creates a database of this name.
    pub fn database_name(mut self, name: &str) -> Self {
        self.database_name = Some(name.to_string());
        self
    }

    /// Master user name (default `app_admin`).
    pub fn master_username(mut self, name: &str) -> Self {
        self.username = name.to_string();
        self
    }

    /// Enhanced monitoring (OS metrics into CloudWatch Logs) every `seconds`: one of
    /// [`MONITORING_INTERVALS`] (default 60, the cheapest).
    pub fn monitoring_interval_seconds(mut self, seconds: u8) -> Self {
        self.monitoring_seconds = seconds;
        self
    }

    /// The port the database listens on (default [`POSTGRES_PORT`], 5432). The security group
    /// rules follow it. The default port is kept on purpose (see the suppression on the
    /// instance); another port meets the scanners' default-port rules.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Encrypts the storage with the user's KMS key `key_arn` instead of the key the construct
    /// creates. The key policy must let RDS use it (a key administered through IAM, as KMS's
    /// default key policy does, works). Changing the key of a deployed database replaces it.
    pub fn encryption_key(mut self, key_arn: impl Into<Val<KmsKeyArn>>) -> Self {
        self.storage_key = StorageKey::Given(key_arn.into());
        self
    }

    /// Encrypts the storage with the AWS managed key `aws/rds` instead of a customer-managed
    /// key: no key to pay for, but its policy cannot be changed, so snapshots cannot be
    /// shared with another account and key use cannot be restricted. The scanners' rule on a
    /// named KMS key is then suppressed with this reason.
    pub fn aws_managed_encryption_key(mut self) -> Self {
        self.storage_key = StorageKey::AwsManaged;
        self
    }

    /// Exports no logs to CloudWatch Logs (by default every log type PostgreSQL has,
    /// [`POSTGRES_LOG_EXPORTS`], is exported). The scanners' logging rule is then suppressed
    /// with this reason.
    pub fn without_log_exports(mut self) -> Self {
        self.log_exports = false;
        self
    }

    /// Builds the database.
    pub fn build(self) -> Result<PostgresDatabase, ConstructError> {
        let subnets = self.subnets?;
        let range =
            |setting: &'static str, value: u32, allowed: &'static str| ConstructError::OutOfRange {
                construct: "PostgresDatabase",
                setting,
                value: value.into(),
                allowed,
            };
        if !(20..=65535).contains(&self.storage_gib) {
            return Err(range(
                "storage_gib",
                self.storage_gib.into(),
                "20..=65535 GiB",
            ));
        }
        if !(1..=35).contains(&self.backup_days) {
            return Err(range(
                "backup_retention_days",
                self.backup_days.into(),
                "1..=35 (0 would turn backups off)",
            ));
        }
        if !valid_pg_name(&self.username) {
            return Err(invalid_name("master user name", &self.username));
        }
        if let Some(db) = &self.database_name {
            if !valid_pg_name(db) {
                return Err(invalid_name("database name", db));
            }
        }
        if !MONITORING_INTERVALS.contains(&self.monitoring_seconds) {
            return Err(range(
                "monitoring_interval_seconds",
                self.monitoring_seconds.into(),
                "one of 1, 5, 10, 15, 30, 60 seconds",
            ));
        }
        if self.port < 1150 {
            return Err(range(
                "port",
                self.port.into(),
                "1150..=65535 (RDS refuses lower ports)",
            ));
        }
        let monitoring_role = monitoring_role();
        let subnet_group =
            cfn::DbSubnetGroup::new("Isolated subnets of the PostgreSQL database", subnets);
        let security_group = SecurityGroup::new(
            self.vpc_id,
            "postgres",
            &format!("PostgreSQL: {} from the admitted groups only", self.port),
        );
        let instance_class = self.instance_class.clone();
        let mut resource = cfn::DbInstance::new()
            .engine("postgres")
            .engine_version(self.engine_version)
            .db_instance_class(self.instance_class)
            .allocated_storage(self.storage_gib.to_string())
            .storage_type("gp3")
            .storage_encrypted(true)
            .multi_az(self.multi_az)
            .publicly_accessible(false)
            .master_username(self.username)
            .manage_master_user_password(true)
            .enable_iam_database_authentication(true)
            .monitoring_interval(i64::from(self.monitoring_seconds))
            .monitoring_role_arn(monitoring_role.arn())
            .backup_retention_period(i64::from(self.backup_days))
            .deletion_protection(self.deletion_protection)
            .copy_tags_to_snapshot(true)
            .auto_minor_version_upgrade(true)
            .port(self.port.to_string())
            .db_subnet_group_name(subnet_group.ref_())
            .vpc_security_groups(vec![security_group.group_id()])
            .removal_policy(RemovalPolicy::Snapshot);
        if let Some(db) = self.database_name {
            resource.set_db_name(db);
        }
        // RDS starts publishing metrics as soon as the instance exists: its role's inline
        // policy must be there first.
        if let Some(policy) = monitoring_role.policy_node() {
            resource.core_mut().add_dependency(policy);
        }
        if self.log_exports {
            resource.set_enable_cloudwatch_logs_exports(POSTGRES_LOG_EXPORTS.map(String::from));
        } else {
            resource.core_mut().suppress(
                Scanner::Guard,
                LOG_EXPORTS_RULE,
                "Log exports to CloudWatch Logs turned off with \
                 PostgresBuilder::without_log_exports: the logs stay readable in the RDS \
                 console and API for the instance's log retention only.",
            );
        }
        let key = match self.storage_key {
            StorageKey::Created => {
                let key = super::key::storage_key("the storage of the PostgreSQL database");
                resource.set_kms_key_id(key.attr_arn());
                Some(key)
            }
            StorageKey::Given(arn) => {
                resource.set_kms_key_id(arn);
                None
            }
            StorageKey::AwsManaged => {
                resource.core_mut().suppress(
                    Scanner::Guard,
                    KMS_KEY_RULE,
                    "Encrypted with the AWS managed key aws/rds, chosen with \
                     PostgresBuilder::aws_managed_encryption_key: storage and snapshots are \
                     encrypted, but the key's policy is AWS's.",
                );
                None
            }
        };
        if self.port == POSTGRES_PORT {
            for (scanner, rule) in DEFAULT_PORT_RULES {
                resource
                    .core_mut()
                    .suppress(scanner, rule, DEFAULT_PORT_REASON);
            }
        }
        Ok(PostgresDatabase {
            subnet_group,
            security_group,
            monitoring_role,
            key,
            resource,
            instance_class,
            storage_gib: self.storage_gib,
            multi_az: self.multi_az,
            port: self.port,
        })
    }
}

/// What RDS accepts as a PostgreSQL identifier here: a letter, then letters, digits, `_`; at
/// most 63.
fn valid_pg_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 63
        && n.starts_with(|c: char| c.is_ascii_alphabetic())
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn invalid_name(what: &'static str, name: &str) -> ConstructError {
    ConstructError::InvalidName {
        construct: "PostgresDatabase",
        what,
        name: name.to_string(),
        rule: "it must start with a letter and hold letters, digits, `_` (at most 63)",
    }
}

/// The role RDS assumes to publish enhanced monitoring metrics: trusted by the monitoring
/// service for this account's DB instances only. Its inline policy is AWS's managed
/// `AmazonRDSEnhancedMonitoringRole` narrowed to what it is for: the same log actions, on the
/// `RDSOSMetrics` log group of this account and region instead of every `RDS*` group of every
/// account and region.
fn monitoring_role() -> Role {
    let mut role = Role::assumed_by_service_for(
        MONITORING_PRINCIPAL,
        fns::sub_plain("arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:db:*"),
    )
    .description("Lets RDS publish enhanced monitoring metrics of the PostgreSQL database");
    let group = format!(
        "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{MONITORING_LOG_GROUP}"
    );
    // The group, by both forms CloudWatch Logs authorizes group actions against.
    let group_actions = Statement::allow(crate::actions![
        "logs:CreateLogGroup",
        "logs:PutRetentionPolicy"
    ])
    .on(fns::sub_plain(group.clone()))
    .on(fns::sub_plain(format!("{group}:*")))
    .wildcards_because(
        "the one log group RDS enhanced monitoring writes to (RDSOSMetrics), in the form \
         `<group>:*` that CloudWatch Logs also authorizes group actions against",
    );
    role.grant(CheckedStatement::trusted(group_actions));
    // Its streams, one per instance, named by the instance's resource id.
    let stream_actions = Statement::allow(crate::actions![
        "logs:CreateLogStream",
        "logs:DescribeLogStreams",
        "logs:GetLogEvents",
        "logs:PutLogEvents"
    ])
    .on(fns::sub_plain(format!("{group}:log-stream:*")))
    .wildcards_because(
        "the streams of the RDSOSMetrics log group: RDS names one per instance by the \
         instance's resource id, which is known only once the instance exists",
    );
    role.grant(CheckedStatement::trusted(stream_actions));
    role
}

/// A PostgreSQL instance. Admit clients with `db.allow_from(&service, ...)`, or simply
/// [`PostgresDatabase::allow_connections_from`].
#[derive(Debug, Clone, Construct)]
#[construct(
    type_name = "data::PostgresDatabase",
    costs = "PostgresDatabase::costs"
)]
pub struct PostgresDatabase {
    subnet_group: cfn::DbSubnetGroup,
    security_group: SecurityGroup,
    monitoring_role: Role,
    /// The key made for the storage, unless the user gave one or chose the AWS managed key.
    key: Option<cfn_kms::Key>,
    resource: cfn::DbInstance,
    #[construct(skip)]
    instance_class: String,
    #[construct(skip)]
    storage_gib: u16,
    #[construct(skip)]
    multi_az: bool,
    #[construct(skip)]
    port: u16,
}

impl PostgresDatabase {
    /// A database in the isolated subnets of `vpc`.
    pub fn builder(vpc: &dyn IVpc) -> PostgresBuilder {
        PostgresBuilder {
            vpc_id: vpc.vpc_id(),
            subnets: super::isolated_subnets(vpc, "PostgresDatabase"),
            instance_class: "db.t4g.micro".to_string(),
            engine_version: "17.6".to_string(),
            storage_gib: 20,
            multi_az: true,
            backup_days: 7,
            deletion_protection: true,
            database_name: None,
            username: "app_admin".to_string(),
            monitoring_seconds: 60,
            port: POSTGRES_PORT,
            storage_key: StorageKey::Created,
            log_exports: true,
        }
    }

    /// Lets `client` connect: the ingress rule on this database's group and the egress rule on the
    /// client's, both stored with the client. Use this when the client lives in a later stack
    /// (rules stored here would make this stack depend on the client's).
    pub fn grant_connect(&self, client: &mut (impl Connectable + ?Sized)) {
        client
            .security_group_mut()
            .allow_to(self, Port::tcp(self.port));
    }

    /// Admits `peer` on the database's port; the rules are stored with the database (same stack as the client, or an
    /// earlier one for the client: see [`Self::grant_connect`]).
    pub fn allow_connections_from(&mut self, peer: &dyn Connectable) -> &mut Self {
        let port = self.port;
        self.security_group.allow_from(peer, Port::tcp(port));
        self
    }

    /// The endpoint's host name.
    pub fn endpoint_address(&self) -> Val<String> {
        self.resource.attr_endpoint_address()
    }

    /// The endpoint's port.
    pub fn endpoint_port(&self) -> Val<String> {
        self.resource.attr_endpoint_port()
    }

    /// ARN of the Secrets Manager secret holding the master credentials (JSON with `username`
    /// and `password`).
    pub fn master_secret_arn(&self) -> Val<SecretArn> {
        self.resource.attr_master_user_secret_secret_arn().cast()
    }

    /// Lets `grantee` read the master credentials.
    pub fn grant_master_secret_read(&self, grantee: &mut dyn Grantee) -> Grant {
        grant_all(
            grantee,
            Statement::allow(crate::actions![
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue"
            ])
            .on(self.master_secret_arn()),
            [],
        )
    }

    /// Lets `grantee` log in as database user `db_user` with an IAM authentication token
    /// (`rds-db:connect` on that user of this instance only). The user must exist in the
    /// database with `GRANT rds_iam TO db_user`.
    pub fn grant_iam_connect(
        &self,
        grantee: &mut dyn Grantee,
        db_user: &str,
    ) -> Result<Grant, ConstructError> {
        if !valid_pg_name(db_user) {
            return Err(invalid_name("database user", db_user));
        }
        let user_arn = fns::sub(
            format!(
                "arn:${{AWS::Partition}}:rds-db:${{AWS::Region}}:${{AWS::AccountId}}:dbuser:${{Dbi}}/{db_user}"
            ),
            [("Dbi", self.resource.attr_dbi_resource_id())],
        );
        Ok(grant_all(
            grantee,
            Statement::allow(crate::actions!["rds-db:connect"]).on(user_arn),
            [],
        ))
    }

    /// The role RDS uses for enhanced monitoring.
    pub fn monitoring_role(&self) -> &Role {
        &self.monitoring_role
    }

    /// The port the database listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The KMS key the construct made for the storage (none when the user gave a key or
    /// chose the AWS managed one).
    pub fn storage_key(&self) -> Option<&cfn_kms::Key> {
        self.key.as_ref()
    }

    /// Instance hours and storage; a Multi-AZ standby is billed like the primary. Backups up to
    /// the storage size, and I/O within gp3's baseline, cost nothing extra. The master password
    /// RDS manages is a Secrets Manager secret, billed like any other.
    fn costs(&self) -> Vec<CostItem> {
        let instances = if self.multi_az { 2 } else { 1 };
        let mut costs = vec![
            pricing::rds_postgres_instances(&self.instance_class, instances),
            pricing::rds_gp3_storage(u32::from(self.storage_gib), instances),
            pricing::secrets(1),
        ];
        if self.key.is_some() {
            costs.push(pricing::kms_keys(1));
        }
        costs
    }

    /// The instance resource.
    pub fn resource(&self) -> &cfn::DbInstance {
        &self.resource
    }

    /// The instance resource, mutably (parameter groups, Performance Insights, properties this
    /// construct does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::DbInstance {
        &mut self.resource
    }
}

impl Connectable for PostgresDatabase {
    fn security_group(&self) -> &SecurityGroup {
        &self.security_group
    }
    fn security_group_mut(&mut self) -> &mut SecurityGroup {
        &mut self.security_group
    }
}
