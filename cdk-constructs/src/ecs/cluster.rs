//! ECS clusters for Fargate: both Fargate capacity providers, a default strategy, Container
//! Insights on.

use cdk_core::kind::ClusterArn;
use cdk_core::{Resource, Val, Value};
use cdk_macros::Construct;

use crate::cfn::ecs as cfn;
use crate::iam::value::{list, num, obj, raw, s};

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
    fn value(self) -> Value {
        obj([
            (
                "CapacityProvider",
                s(if self.spot { "FARGATE_SPOT" } else { "FARGATE" }),
            ),
            ("Weight", num(self.weight)),
            ("Base", num(self.base)),
        ])
    }
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
        let mut resource = cfn::Cluster::new();
        let core = resource.core_mut();
        core.set("CapacityProviders", list([s("FARGATE"), s("FARGATE_SPOT")]));
        core.set(
            "ClusterSettings",
            list([obj([
                ("Name", s("containerInsights")),
                ("Value", s("enabled")),
            ])]),
        );
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
        self.resource.core_mut().set(
            "DefaultCapacityProviderStrategy",
            list(strategy.iter().map(|i| i.value())),
        );
        self.strategy = strategy;
    }

    /// Names the cluster.
    pub fn named(mut self, name: impl Into<Val<String>>) -> EcsCluster {
        self.resource.core_mut().set("ClusterName", name.into());
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

    /// Turns Container Insights off (it costs per metric; on by default).
    pub fn without_container_insights_explicitly(mut self) -> EcsCluster {
        self.resource.core_mut().set(
            "ClusterSettings",
            list([obj([
                ("Name", s("containerInsights")),
                ("Value", s("disabled")),
            ])]),
        );
        self
    }

    /// The default capacity provider strategy.
    pub fn strategy(&self) -> &[StrategyItem] {
        &self.strategy
    }

    /// The cluster name (`Ref`).
    pub fn cluster_name(&self) -> Val<String> {
        self.resource.ref_()
    }

    /// The cluster ARN.
    pub fn arn(&self) -> Val<ClusterArn> {
        raw(self.resource.attr_arn())
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
