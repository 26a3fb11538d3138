//! Subnet selection: how other constructs say where they go ("the private subnets", "one subnet
//! per AZ of the data tier", or explicit subnet ids).

use rcdk_core::kind::SubnetId;
use rcdk_core::Val;

use crate::error::ConstructError;
use crate::network::cidr::Cidr;
use crate::network::tier::TierKind;
use crate::network::vpc_trait::IVpc;

/// Which subnets of a [`TieredVpc`](crate::network::TieredVpc) a construct uses.
///
/// ```
/// use rcdk_constructs::network::{SubnetSelection, TierKind};
/// let tasks = SubnetSelection::Kind(TierKind::PrivateWithEgress);
/// let data = SubnetSelection::tier("Data");
/// # let _ = (tasks, data);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum SubnetSelection {
    /// Every subnet of the tier with this name (one per AZ).
    Tier(String),
    /// Every subnet of every tier of this kind ("the private subnets").
    Kind(TierKind),
    /// One subnet per AZ, from the first tier of this kind: what interface endpoints, load
    /// balancers and database subnet groups need.
    OnePerAz(TierKind),
    /// These subnets, as given.
    Explicit(Vec<Val<SubnetId>>),
}

impl SubnetSelection {
    /// [`SubnetSelection::Tier`] from a name.
    pub fn tier(name: impl Into<String>) -> SubnetSelection {
        SubnetSelection::Tier(name.into())
    }
}

impl From<TierKind> for SubnetSelection {
    fn from(kind: TierKind) -> SubnetSelection {
        SubnetSelection::Kind(kind)
    }
}

impl From<&str> for SubnetSelection {
    fn from(name: &str) -> SubnetSelection {
        SubnetSelection::Tier(name.to_string())
    }
}

impl crate::network::TieredVpc {
    fn unknown_tier(&self, name: &str) -> ConstructError {
        ConstructError::UnknownTier {
            name: name.to_string(),
            known: self.tier_names().collect::<Vec<_>>().join(", "),
        }
    }

    /// The subnets `selection` names. An unknown tier, or a kind no tier has, is an error that
    /// lists the tiers there are (the same as [`IVpc::select`], which this calls).
    pub fn select(
        &self,
        selection: &SubnetSelection,
    ) -> Result<Vec<Val<SubnetId>>, ConstructError> {
        IVpc::select(self, selection)
    }

    /// The CIDR blocks of the subnets of tier `name`, in AZ order.
    pub fn subnet_cidrs(&self, name: &str) -> Result<Vec<Cidr>, ConstructError> {
        Ok(self
            .tiers_map()
            .get(name)
            .ok_or_else(|| self.unknown_tier(name))?
            .subnets()
            .iter()
            .map(|s| s.cidr())
            .collect())
    }
}
