//! Redis on ElastiCache: a replication group in the isolated subnets, encrypted at rest and in
//! transit, clients authenticated with a generated token kept in Secrets Manager, automatic
//! failover, its port (6379 by default) open only to the groups admitted.

use rcdk_core::kind::{SecretArn, SubnetId};
use rcdk_core::{fns, CostItem, RemovalPolicy, Resource, Scanner, Val};
use rcdk_macros::Construct;

use crate::cfn::elasticache as cfn;
use crate::error::ConstructError;
use crate::iam::{Grant, Grantee};
use crate::network::{Connectable, IVpc, Port, SecurityGroup};
use crate::pricing;
use crate::storage::{ISecret, Secret, ROTATION_RULE};

/// Redis's port.
pub const REDIS_PORT: u16 = 6379;

/// cdk-nag: a port other than the engine's default.
const DEFAULT_PORT_RULE: &str = "AwsSolutions-AEC5";

/// Why the default port stays (the same choice as the database's).
const DEFAULT_PORT_REASON: &str = "Redis listens on its default port 6379, which the \
     architecture names: a different port is obscurity, not access control. The cache is \
     private in isolated subnets, its security group admits 6379 only from the security groups \
     of the admitted clients, and clients must send the AUTH token over TLS; \
     RedisBuilder::port sets another port and lifts this suppression.";

/// Guard: RBAC (an ElastiCache user group) instead of a shared AUTH token.
const RBAC_RULE: &str = "elasticache_repl_grp_rbac_auth_enabled_check";

/// Why clients authenticate with one AUTH token rather than RBAC users.
const RBAC_REASON: &str = "Clients authenticate with an AUTH token (Redis AUTH, which \
     ElastiCache does not allow together with an RBAC user group) that is generated into \
     Secrets Manager, referenced by CloudFormation without appearing in the template, and \
     readable only by the roles granted it; traffic is TLS only and the security group admits \
     only the admitted clients' groups. The clients share one application identity, so RBAC \
     users would add account-unique user ids and a separate default user without separating \
     anyone's access.";

/// Why the AUTH token secret is not rotated automatically.
const TOKEN_ROTATION_REASON: &str = "The AUTH token changes only through \
     ModifyReplicationGroup (AuthTokenUpdateStrategy ROTATE, then SET once clients use the new \
     token), for which Secrets Manager has no rotation function; a rotation Lambda function \
     doing that can be scheduled with Secret::rotation on this secret.";

/// Builder of a [`RedisCache`].
#[derive(Debug, Clone)]
pub struct RedisBuilder {
    vpc_id: Val<rcdk_core::kind::VpcId>,
    subnets: Result<Vec<Val<SubnetId>>, ConstructError>,
    node_type: String,
    engine_version: String,
    nodes: u8,
    snapshot_days: u8,
    port: u16,
}

impl RedisBuilder {
    /// Node type (default `cache.t4g.micro`).
    pub fn node_type(mut self, node_type: &str) -> Self {
        self.node_type = node_type.to_string();
        self
    }

    /// Nodes: one primary and `nodes - 1` replicas (2-6; default 2, for failover).
    pub fn nodes(mut self, nodes: u8) -> Self {
        self.nodes = nodes;
        self
    }

    /// Days of daily snapshots kept (0-35; default 1).
    pub fn snapshot_retention_days(mut self, days: u8) -> Self {
        self.snapshot_days = days;
        self
    }

    /// The port the cache listens on (default [`REDIS_PORT`], 6379). The security group rules
    /// follow it. The default port is kept on purpose (see the suppression on the
    /// replication group); another port meets the scanners' default-port rule.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Builds the cache.
    pub fn build(self) -> Result<RedisCache, ConstructError> {
        let subnets = self.subnets?;
        if !(2..=6).contains(&self.nodes) {
            return Err(ConstructError::OutOfRange {
                construct: "RedisCache",
                setting: "nodes",
                value: self.nodes.into(),
                allowed: "2..=6 (a primary and at least one replica, for automatic failover)",
            });
        }
        if self.snapshot_days > 35 {
            return Err(ConstructError::OutOfRange {
                construct: "RedisCache",
                setting: "snapshot_retention_days",
                value: self.snapshot_days.into(),
                allowed: "0..=35",
            });
        }
        let node_type = self.node_type;
        let subnet_group = cfn::SubnetGroup::new("Isolated subnets of the Redis cache", subnets);
        if self.port < 1024 {
            return Err(ConstructError::OutOfRange {
                construct: "RedisCache",
                setting: "port",
                value: self.port.into(),
                allowed: "1024..=65535",
            });
        }
        let security_group = SecurityGroup::new(
            self.vpc_id,
            "redis",
            &format!("Redis: {} from the admitted groups only", self.port),
        );
        // Letters and digits only (Secret's generator excludes punctuation), 32 long: within
        // ElastiCache's token rules (16-128 printable characters, none of @ " /).
        let mut auth_token = Secret::generated()
            .description("AUTH token of the Redis cache")
            .removal_policy(RemovalPolicy::Delete);
        auth_token.resource_mut().core_mut().suppress(
            Scanner::CdkNag,
            ROTATION_RULE,
            TOKEN_ROTATION_REASON,
        );
        // A dynamic reference: CloudFormation reads the token at deployment, so it never
        // appears in the template. Same format as the AWS CDK's secret references.
        let token_reference = fns::join(
            "",
            vec![
                Val::<String>::from("{{resolve:secretsmanager:"),
                auth_token.secret_arn().into(),
                Val::<String>::from(":SecretString:::}}"),
            ],
        );
        let mut resource = cfn::ReplicationGroup::new("Redis cache")
            .engine("redis")
            .engine_version(self.engine_version)
            .cache_node_type(node_type.clone())
            .num_cache_clusters(i64::from(self.nodes))
            .automatic_failover_enabled(true)
            .multi_az_enabled(true)
            .at_rest_encryption_enabled(true)
            .transit_encryption_enabled(true)
            .auth_token(token_reference)
            .port(i64::from(self.port))
            .snapshot_retention_limit(i64::from(self.snapshot_days))
            .auto_minor_version_upgrade(true)
            .cache_subnet_group_name(subnet_group.ref_())
            .security_group_ids(vec![security_group.group_id()])
            .removal_policy(RemovalPolicy::Snapshot)
            .suppress(Scanner::Guard, RBAC_RULE, RBAC_REASON);
        if self.port == REDIS_PORT {
            resource
                .core_mut()
                .suppress(Scanner::CdkNag, DEFAULT_PORT_RULE, DEFAULT_PORT_REASON);
        }
        Ok(RedisCache {
            subnet_group,
            security_group,
            auth_token,
            resource,
            port: self.port,
            node_type,
            nodes: self.nodes,
        })
    }
}

/// A Redis replication group. Clients connect over TLS to [`RedisCache::primary_address`] and
/// authenticate with the token in [`RedisCache::auth_token_secret_arn`].
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "data::RedisCache", costs = "RedisCache::costs")]
pub struct RedisCache {
    subnet_group: cfn::SubnetGroup,
    security_group: SecurityGroup,
    auth_token: Secret,
    resource: cfn::ReplicationGroup,
    #[construct(skip)]
    port: u16,
    #[construct(skip)]
    node_type: String,
    #[construct(skip)]
    nodes: u8,
}

impl RedisCache {
    /// A cache in the isolated subnets of `vpc`.
    pub fn builder(vpc: &dyn IVpc) -> RedisBuilder {
        RedisBuilder {
            vpc_id: vpc.vpc_id(),
            subnets: super::isolated_subnets(vpc, "RedisCache"),
            node_type: "cache.t4g.micro".to_string(),
            engine_version: "7.1".to_string(),
            nodes: 2,
            snapshot_days: 1,
            port: REDIS_PORT,
        }
    }

    /// Lets `client` connect: the ingress rule on this cache's group and the egress rule on the
    /// client's, both stored with the client. Use this when the client lives in a later stack
    /// (rules stored here would make this stack depend on the client's).
    pub fn grant_connect(&self, client: &mut (impl Connectable + ?Sized)) {
        client
            .security_group_mut()
            .allow_to(self, Port::tcp(self.port));
    }

    /// Admits `peer` on the cache's port; the rules are stored with the cache (same stack as the client, or an
    /// earlier one for the client: see [`Self::grant_connect`]).
    pub fn allow_connections_from(&mut self, peer: &dyn Connectable) -> &mut Self {
        let port = self.port;
        self.security_group.allow_from(peer, Port::tcp(port));
        self
    }

    /// The port the cache listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The primary endpoint's host name.
    pub fn primary_address(&self) -> Val<String> {
        self.resource.attr_primary_end_point_address()
    }

    /// The primary endpoint's port.
    pub fn primary_port(&self) -> Val<String> {
        self.resource.attr_primary_end_point_port()
    }

    /// ARN of the Secrets Manager secret holding the AUTH token clients send (`AUTH <token>`).
    pub fn auth_token_secret_arn(&self) -> Val<SecretArn> {
        self.auth_token.secret_arn()
    }

    /// Lets `grantee` read the AUTH token.
    pub fn grant_auth_token_read(&self, grantee: &mut dyn Grantee) -> Grant {
        self.auth_token.grant_read(grantee)
    }

    /// Node hours of the primary and every replica (the AUTH token's secret prices itself).
    /// Snapshots within the cache's size cost nothing extra.
    fn costs(&self) -> Vec<CostItem> {
        vec![pricing::elasticache_redis_nodes(
            &self.node_type,
            u32::from(self.nodes),
        )]
    }

    /// The replication group resource.
    pub fn resource(&self) -> &cfn::ReplicationGroup {
        &self.resource
    }

    /// The replication group resource, mutably (parameter groups, maintenance windows,
    /// properties this construct does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::ReplicationGroup {
        &mut self.resource
    }
}

impl Connectable for RedisCache {
    fn security_group(&self) -> &SecurityGroup {
        &self.security_group
    }
    fn security_group_mut(&mut self) -> &mut SecurityGroup {
        &mut self.security_group
    }
}
