//! PostgreSQL on RDS: isolated subnets, password managed by Secrets Manager, IAM database
//! authentication on, encrypted, not public, backups kept, deletion protected, enhanced
//! monitoring every minute, port 5432 open only to the groups admitted.

use rcdk_core::kind::{SecretArn, SubnetId};
use rcdk_core::{fns, CostItem, RemovalPolicy, Resource, Val};
use rcdk_macros::Construct;

use crate::cfn::rds as cfn;
use crate::error::ConstructError;
use crate::iam::{grant_all, Grant, Grantee, Role, Statement};
use crate::network::{Connectable, IVpc, Port, SecurityGroup};
use crate::pricing;

/// PostgreSQL's port.
pub const POSTGRES_PORT: u16 = 5432;

/// The service that publishes enhanced monitoring metrics (assumes the monitoring role).
const MONITORING_PRINCIPAL: &str = "monitoring.rds.amazonaws.com";

/// The intervals, in seconds, RDS accepts for enhanced monitoring.
pub const MONITORING_INTERVALS: [u8; 6] = [1, 5, 10, 15, 30, 60];

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
        let monitoring_role = monitoring_role();
        let subnet_group =
            cfn::DbSubnetGroup::new("Isolated subnets of the PostgreSQL database", subnets);
        let security_group = SecurityGroup::new(
            self.vpc_id,
            "postgres",
            "PostgreSQL: 5432 from the admitted groups only",
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
            .port(POSTGRES_PORT.to_string())
            .db_subnet_group_name(subnet_group.ref_())
            .vpc_security_groups(vec![security_group.group_id()])
            .removal_policy(RemovalPolicy::Snapshot);
        if let Some(db) = self.database_name {
            resource.set_db_name(db);
        }
        Ok(PostgresDatabase {
            subnet_group,
            security_group,
            monitoring_role,
            resource,
            instance_class,
            storage_gib: self.storage_gib,
            multi_az: self.multi_az,
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
/// service for this account's DB instances only, with AWS's managed policy for exactly that.
fn monitoring_role() -> Role {
    let mut role = Role::assumed_by_service_for(
        MONITORING_PRINCIPAL,
        fns::sub_plain("arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:db:*"),
    )
    .description("Lets RDS publish enhanced monitoring metrics of the PostgreSQL database");
    role.attach_aws_managed_policy(
        "service-role/AmazonRDSEnhancedMonitoringRole",
        "AWS's policy for exactly this role: it lets RDS publish enhanced monitoring metrics to \
         CloudWatch Logs (the RDSOSMetrics log group) and nothing else, and AWS keeps it in step \
         with the monitoring agent",
    );
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
    resource: cfn::DbInstance,
    #[construct(skip)]
    instance_class: String,
    #[construct(skip)]
    storage_gib: u16,
    #[construct(skip)]
    multi_az: bool,
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
        }
    }

    /// Lets `client` connect: the ingress rule on this database's group and the egress rule on the
    /// client's, both stored with the client. Use this when the client lives in a later stack
    /// (rules stored here would make this stack depend on the client's).
    pub fn grant_connect(&self, client: &mut (impl Connectable + ?Sized)) {
        client
            .security_group_mut()
            .allow_to(self, Port::tcp(POSTGRES_PORT));
    }

    /// Admits `peer` on 5432; the rules are stored with the database (same stack as the client, or an
    /// earlier one for the client: see [`Self::grant_connect`]).
    pub fn allow_connections_from(&mut self, peer: &dyn Connectable) -> &mut Self {
        self.security_group
            .allow_from(peer, Port::tcp(POSTGRES_PORT));
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

    /// Instance hours and storage; a Multi-AZ standby is billed like the primary. Backups up to
    /// the storage size, and I/O within gp3's baseline, cost nothing extra.
    fn costs(&self) -> Vec<CostItem> {
        let instances = if self.multi_az { 2 } else { 1 };
        let mut costs = Vec::new();
        if let Some(price) = pricing::rds_postgres_usd_per_hour(&self.instance_class) {
            costs.push(pricing::rds_instances(
                &self.instance_class,
                price,
                instances,
            ));
        }
        costs.push(pricing::rds_gp3_storage(
            u32::from(self.storage_gib),
            instances,
        ));
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
