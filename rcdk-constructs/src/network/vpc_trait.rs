//! [`IVpc`]: what constructs need of a VPC (its id, CIDR, AZs and tiers of subnets), so that a
//! construct can go into a [`TieredVpc`](crate::network::TieredVpc) built here or an
//! [`ImportedVpc`](crate::network::ImportedVpc) that another stack or team manages.

use rcdk_core::kind::{AvailabilityZone, RouteTableId, SubnetId, VpcId};
use rcdk_core::Val;

use crate::error::ConstructError;
use crate::network::selection::SubnetSelection;
use crate::network::tier::TierKind;

/// One subnet as constructs see it.
#[derive(Debug, Clone)]
pub struct SubnetInfo {
    /// The subnet id.
    pub subnet_id: Val<SubnetId>,
    /// The AZ it is in.
    pub availability_zone: Val<AvailabilityZone>,
    /// Its route table, when known (gateway endpoints and routes need it).
    pub route_table_id: Option<Val<RouteTableId>>,
}

impl SubnetInfo {
    /// A subnet in `availability_zone`, with no known route table.
    pub fn new(
        subnet_id: impl Into<Val<SubnetId>>,
        availability_zone: impl Into<Val<AvailabilityZone>>,
    ) -> SubnetInfo {
        SubnetInfo {
            subnet_id: subnet_id.into(),
            availability_zone: availability_zone.into(),
            route_table_id: None,
        }
    }

    /// The subnet's route table.
    pub fn route_table(mut self, route_table_id: impl Into<Val<RouteTableId>>) -> SubnetInfo {
        self.route_table_id = Some(route_table_id.into());
        self
    }
}

/// One tier (a named group of subnets of one kind, one per AZ).
#[derive(Debug, Clone)]
pub struct TierInfo {
    /// The tier name, e.g. `Private`.
    pub name: String,
    /// What its subnets can reach.
    pub kind: TierKind,
    /// Its subnets, one per AZ in AZ order.
    pub subnets: Vec<SubnetInfo>,
}

impl TierInfo {
    /// A tier of `kind` with these subnets (one per AZ, in AZ order).
    pub fn new(
        name: impl Into<String>,
        kind: TierKind,
        subnets: impl IntoIterator<Item = SubnetInfo>,
    ) -> TierInfo {
        TierInfo {
            name: name.into(),
            kind,
            subnets: subnets.into_iter().collect(),
        }
    }

    /// The ids of its subnets, in AZ order.
    pub fn subnet_ids(&self) -> Vec<Val<SubnetId>> {
        self.subnets.iter().map(|s| s.subnet_id.clone()).collect()
    }
}

/// What a construct needs of a VPC: implemented by `TieredVpc` and `ImportedVpc`.
///
/// Object safe: builders take `&dyn IVpc`.
///
/// ```
/// use rcdk_constructs::cidr;
/// use rcdk_constructs::network::{IVpc, SubnetSelection, Tier, TierKind, TieredVpc};
/// fn private_subnets(vpc: &dyn IVpc) -> usize {
///     vpc.select(&SubnetSelection::Kind(TierKind::PrivateWithEgress)).map_or(0, |s| s.len())
/// }
/// let vpc = TieredVpc::builder().cidr(cidr!("10.0.0.0/16")).build().unwrap();
/// assert_eq!(private_subnets(&vpc), 2);
/// ```
pub trait IVpc {
    /// The VPC id.
    fn vpc_id(&self) -> Val<VpcId>;
    /// The VPC's (primary) CIDR block.
    fn cidr_block(&self) -> Val<String>;
    /// The AZs, in order.
    fn availability_zones(&self) -> Vec<Val<AvailabilityZone>>;
    /// The tiers, in order.
    fn tiers(&self) -> Vec<TierInfo>;

    /// The subnets `selection` names. An unknown tier is an error that lists the tiers there
    /// are, and so is a kind no tier has; an empty explicit selection is an error.
    fn select(&self, selection: &SubnetSelection) -> Result<Vec<Val<SubnetId>>, ConstructError> {
        let tiers = self.tiers();
        let known = || {
            tiers
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let ids: Vec<Val<SubnetId>> = match selection {
            SubnetSelection::Tier(name) => tiers
                .iter()
                .find(|t| t.name == *name)
                .ok_or_else(|| ConstructError::UnknownTier {
                    name: name.clone(),
                    known: known(),
                })?
                .subnet_ids(),
            SubnetSelection::Kind(kind) => tiers
                .iter()
                .filter(|t| t.kind == *kind)
                .flat_map(TierInfo::subnet_ids)
                .collect(),
            SubnetSelection::OnePerAz(kind) => tiers
                .iter()
                .find(|t| t.kind == *kind)
                .map(TierInfo::subnet_ids)
                .unwrap_or_default(),
            SubnetSelection::Explicit(ids) => ids.clone(),
        };
        if ids.is_empty() {
            return Err(match selection {
                SubnetSelection::Kind(kind) | SubnetSelection::OnePerAz(kind) => {
                    ConstructError::NoTierOfKind {
                        kind: kind.as_str(),
                        known: known(),
                    }
                }
                _ => ConstructError::EmptySubnetSelection,
            });
        }
        Ok(ids)
    }

    /// The ids of every subnet of `kind` ("the private subnets"); empty if there is none.
    fn subnet_ids(&self, kind: TierKind) -> Vec<Val<SubnetId>> {
        self.tiers()
            .iter()
            .filter(|t| t.kind == kind)
            .flat_map(TierInfo::subnet_ids)
            .collect()
    }

    /// The kind of tier `name`, if there is one.
    fn tier_kind(&self, name: &str) -> Option<TierKind> {
        self.tiers().iter().find(|t| t.name == name).map(|t| t.kind)
    }
}
