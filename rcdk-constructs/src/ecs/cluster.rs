//! ECS clusters for Fargate: both Fargate capacity providers, a default strategy, Container
//! Insights on.

use rcdk_core::kind::{ClusterArn, ClusterName};
use rcdk_core::Val;
use rcdk_macros::Construct;

use crate::cfn::ecs as cfn;

/// What services need of a cluster: its name, ARN and default capacity provider strategy.
/// Implemented by [`EcsCluster`] and by clusters made elsewhere ([`EcsCluster::from_name`]).
pub trait ICluster {
    /// The cluster name.
    fn cluster_name(&self) -> Val<ClusterName>;
    /// The cluster ARN.
    fn cluster_arn(&self) -> Val<ClusterArn>;
    /// The capacity provider strategy services on this cluster use.
    fn strategy(&self) -> Vec<StrategyItem>;
}

/// A capacity provider of the default strategy: `FARGATE` or `FARGATE_SPOT` with its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrategyItem {
    /// `true` for `FARGATE_SPOT`.
    pub spot: bool,
    /// Relative share of tasks.
    pub weight: u16,
    /// Tasks placed on this provider before weights apply.
    pub base: u16,
}

impl StrategyItem {
    /// The capacity provider's name.
    pub fn provider(self) -> &'static str {
        if self.spot {
            "FARGATE_SPOT"
        } else {
            "FARGATE"
        }
    }

    fn cluster_item(self) -> cfn::cluster::CapacityProviderStrategyItem {
        cfn::cluster::CapacityProviderStrategyItem::new()
            .capacity_provider(self.provider())
            .weight(i64::from(self.weight))
            .base(i64::from(self.base))
    }
}

/// Container Insights on or off.
fn insights(on: bool) -> cfn::cluster::ClusterSettings {
    cfn::cluster::ClusterSettings::new()
        .name("containerInsights")
        .value(if on { "enabled" } else { "disabled" })
}

/// A cluster with the `FARGATE` and `FARGATE_SPOT` capacity providers. The default strategy
/// runs everything on `FARGATE` (on-demand); [`EcsCluster::spot_share`] moves a share of the
/// tasks beyond a base to Spot. Container Insights is on.
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "ecs::EcsCluster")]
pub struct EcsCluster {
    resource: cfn::Cluster,
    #[construct(skip)]
    strategy: Vec<StrategyItem>,
}

impl Default for EcsCluster {
    fn default() -> Self {
        Self::new()
    }
}

impl EcsCluster {
    /// A cluster with a generated name.
    pub fn new() -> EcsCluster {
        let resource = cfn::Cluster::new()
            .capacity_providers(["FARGATE", "FARGATE_SPOT"])
            .cluster_settings([insights(true)]);
        let mut cluster = EcsCluster {
            resource,
            strategy: Vec::new(),
        };
        cluster.set_strategy(vec![StrategyItem {
            spot: false,
            weight: 1,
            base: 0,
        }]);
        cluster
    }

    fn set_strategy(&mut self, strategy: Vec<StrategyItem>) {
        self.resource.set_default_capacity_provider_strategy(
            strategy
                .iter()
                .map(|i| i.cluster_item())
                .collect::<Vec<_>>(),
        );
        self.strategy = strategy;
    }

    /// Names the cluster.
    pub fn named(mut self, name: impl Into<Val<String>>) -> EcsCluster {
        self.resource.set_cluster_name(name);
        self
    }

    /// Default strategy: the first `on_demand_base` tasks on `FARGATE`, the rest split
    /// `on_demand_weight : spot_weight` between `FARGATE` and `FARGATE_SPOT`.
    pub fn spot_share(
        mut self,
        on_demand_base: u16,
        on_demand_weight: u16,
        spot_weight: u16,
    ) -> EcsCluster {
        self.set_strategy(vec![
            StrategyItem {
                spot: false,
                weight: on_demand_weight,
                base: on_demand_base,
            },
            StrategyItem {
                spot: true,
                weight: spot_weight,
                base: 0,
            },
        ]);
        self
    }

    /// Container Insights (it costs per metric; on by default).
    pub fn container_insights(mut self, on: bool) -> EcsCluster {
        self.resource.set_cluster_settings([insights(on)]);
        self
    }

    /// A cluster that exists already, by name (its services run on `FARGATE`; change that with
    /// [`ImportedCluster::strategy`]).
    pub fn from_name(name: impl Into<Val<ClusterName>>) -> ImportedCluster {
        ImportedCluster {
            name: name.into(),
            strategy: vec![StrategyItem {
                spot: false,
                weight: 1,
                base: 0,
            }],
        }
    }

    /// The resource.
    pub fn resource(&self) -> &cfn::Cluster {
        &self.resource
    }

    /// The resource, mutably (tags, properties this type does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::Cluster {
        &mut self.resource
    }
}

impl ICluster for EcsCluster {
    fn cluster_name(&self) -> Val<ClusterName> {
        self.resource.ref_()
    }
    fn cluster_arn(&self) -> Val<ClusterArn> {
        self.resource.attr_arn()
    }
    fn strategy(&self) -> Vec<StrategyItem> {
        self.strategy.clone()
    }
}

/// A cluster made outside this app ([`EcsCluster::from_name`]).
#[derive(Debug, Clone)]
pub struct ImportedCluster {
    name: Val<ClusterName>,
    strategy: Vec<StrategyItem>,
}

impl ImportedCluster {
    /// The capacity provider strategy services on it use (default: all on `FARGATE`).
    pub fn strategy(mut self, strategy: Vec<StrategyItem>) -> ImportedCluster {
        self.strategy = strategy;
        self
    }
}

impl ICluster for ImportedCluster {
    fn cluster_name(&self) -> Val<ClusterName> {
        self.name.clone()
    }
    fn cluster_arn(&self) -> Val<ClusterArn> {
        crate::arn::from_name(
            "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/${Name}",
            self.name.clone(),
        )
    }
    fn strategy(&self) -> Vec<StrategyItem> {
        self.strategy.clone()
    }
}
