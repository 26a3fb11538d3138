//! What constructs need of a VPC ([`IVpc`]): placeholder until the imported-VPC work lands.

use cdk_core::kind::{AvailabilityZone, RouteTableId, SubnetId, VpcId};
use cdk_core::Val;

use crate::error::ConstructError;
use crate::network::{SubnetSelection, TierKind, TieredVpc};

/// One subnet as constructs see it.
#[derive(Debug, Clone)]
pub struct SubnetInfo {
    /// The subnet id.
    pub subnet_id: Val<SubnetId>,
    /// Its AZ.
    pub availability_zone: Val<AvailabilityZone>,
    /// Its route table, if known.
    pub route_table_id: Option<Val<RouteTableId>>,
}

/// One tier.
#[derive(Debug, Clone)]
pub struct TierInfo {
    /// The tier's name.
    pub name: String,
    /// Its kind.
    pub kind: TierKind,
    /// Its subnets, one per AZ.
    pub subnets: Vec<SubnetInfo>,
}

/// What a construct needs of a VPC.
pub trait IVpc {
    /// The VPC id.
    fn vpc_id(&self) -> Val<VpcId>;
    /// The CIDR block.
    fn cidr_block(&self) -> Val<String>;
    /// The AZs.
    fn availability_zones(&self) -> Vec<Val<AvailabilityZone>>;
    /// The tiers.
    fn tiers(&self) -> Vec<TierInfo>;
    /// The subnets `selection` names.
    fn select(&self, selection: &SubnetSelection) -> Result<Vec<Val<SubnetId>>, ConstructError>;
    /// Every subnet of `kind`.
    fn subnet_ids(&self, kind: TierKind) -> Vec<Val<SubnetId>> {
        self.tiers()
            .into_iter()
            .filter(|t| t.kind == kind)
            .flat_map(|t| t.subnets.into_iter().map(|s| s.subnet_id))
            .collect()
    }
    /// The kind of tier `name`.
    fn tier_kind(&self, name: &str) -> Option<TierKind> {
        self.tiers()
            .into_iter()
            .find(|t| t.name == name)
            .map(|t| t.kind)
    }
}

impl IVpc for TieredVpc {
    fn vpc_id(&self) -> Val<VpcId> {
        TieredVpc::vpc_id(self)
    }
    fn cidr_block(&self) -> Val<String> {
        TieredVpc::cidr_block(self)
    }
    fn availability_zones(&self) -> Vec<Val<AvailabilityZone>> {
        TieredVpc::availability_zones(self).to_vec()
    }
    fn tiers(&self) -> Vec<TierInfo> {
        let azs = TieredVpc::availability_zones(self);
        self.tier_names()
            .filter_map(|name| self.tier(name).map(|t| (name, t)))
            .map(|(name, t)| TierInfo {
                name: name.to_string(),
                kind: t.kind(),
                subnets: t
                    .subnets()
                    .iter()
                    .zip(azs)
                    .map(|(s, az)| SubnetInfo {
                        subnet_id: s.subnet_id(),
                        availability_zone: az.clone(),
                        route_table_id: Some(s.route_table_id()),
                    })
                    .collect(),
            })
            .collect()
    }
    fn select(&self, selection: &SubnetSelection) -> Result<Vec<Val<SubnetId>>, ConstructError> {
        TieredVpc::select(self, selection)
    }
}
