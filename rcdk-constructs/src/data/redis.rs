//! Redis on ElastiCache: a replication group in the isolated subnets, encrypted at rest and in
//! transit, clients authenticated with a generated token kept in Secrets Manager, automatic
//! failover, port 6379 open only to the groups admitted.

use rcdk_core::kind::{SecretArn, SubnetId};
use rcdk_core::{fns, CostItem, RemovalPolicy, Resource, Val};
use rcdk_macros::Construct;

use crate::cfn::elasticache as cfn;
use crate::error::ConstructError;
use crate::iam::{Grant, Grantee};
use crate::network::{Connectable, IVpc, Port, SecurityGroup};
use crate::pricing;
use crate::storage::{ISecret, Secret};

/// Redis's port.
pub const REDIS_PORT: u16 = 6379;

/// Builder of a [`RedisCache`].
#[derive(Debug, Clone)]
pub struct RedisBuilder {
    vpc_id: Val<rcdk_core::kind::VpcId>,
    subnets: Result<Vec<Val<SubnetId>>, ConstructError>,
    node_type: String,
    engine_version: String,
    nodes: u8,
    snapshot_days: u8,
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
        let security_group = SecurityGroup::new(
            self.vpc_id,
            "redis",
            "Redis: 6379 from the admitted groups only",
        );
        // Letters and digits only (Secret's generator excludes punctuation), 32 long: within
        // ElastiCache's token rules (16-128 printable characters, none of @ " /).
        let auth_token = Secret::generated()
            .description("AUTH token of the Redis cache")
            .removal_policy(RemovalPolicy::Delete);
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
        let resource = cfn::ReplicationGroup::new("Redis cache")
            .engine("redis")
            .engine_version(self.engine_version)
            .cache_node_type(node_type.clone())
            .num_cache_clusters(i64::from(self.nodes))
            .automatic_failover_enabled(true)
            .multi_az_enabled(true)
            .at_rest_encryption_enabled(true)
            .transit_encryption_enabled(true)
            .auth_token(token_reference)
            .port(i64::from(REDIS_PORT))
            .snapshot_retention_limit(i64::from(self.snapshot_days))
            .auto_minor_version_upgrade(true)
            .cache_subnet_group_name(subnet_group.ref_())
            .security_group_ids(vec![security_group.group_id()])
            .removal_policy(RemovalPolicy::Snapshot);
        Ok(RedisCache {
            subnet_group,
            security_group,
            auth_token,
            resource,
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
        }
    }

    /// Lets `client` connect: the ingress rule on this cache's group and the egress rule on the
    /// client's, both stored with the client. Use this when the client lives in a later stack
    /// (rules stored here would make this stack depend on the client's).
    pub fn grant_connect(&self, client: &mut (impl Connectable + ?Sized)) {
        client
            .security_group_mut()
            .allow_to(self, Port::tcp(REDIS_PORT));
    }

    /// Admits `peer` on 6379; the rules are stored with the cache (same stack as the client, or an
    /// earlier one for the client: see [`Self::grant_connect`]).
    pub fn allow_connections_from(&mut self, peer: &dyn Connectable) -> &mut Self {
        self.security_group.allow_from(peer, Port::tcp(REDIS_PORT));
        self
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
