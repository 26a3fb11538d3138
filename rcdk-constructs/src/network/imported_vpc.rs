//! [`ImportedVpc`]: a VPC that exists already (another stack's, another team's), described by
//! its ids so that constructs can be put into it. It writes no resources.

use rcdk_core::kind::{AvailabilityZone, VpcId};
use rcdk_core::{Construct, Val};

use crate::error::ConstructError;
use crate::network::cidr::Cidr;
use crate::network::tier::check_tier_name;
use crate::network::vpc_trait::{IVpc, TierInfo};

/// What is known of an existing VPC: every id is a typed value, so a literal, a template
/// parameter (`Parameter::<VpcId>::new().value()`) or an export of another stack
/// (`Val::import("network-VpcId")`) works.
#[derive(Debug, Clone)]
pub struct VpcAttributes {
    /// The VPC id.
    pub vpc_id: Val<VpcId>,
    /// The VPC's CIDR block (for rules and ACLs that name the VPC's range).
    pub cidr_block: Val<String>,
    /// The AZs the tiers span, in order.
    pub availability_zones: Vec<Val<AvailabilityZone>>,
    /// The tiers: each has one subnet per AZ (in the order of `availability_zones`, by
    /// convention).
    pub tiers: Vec<TierInfo>,
}

/// A VPC created elsewhere, seen through [`IVpc`] like a [`TieredVpc`](crate::network::TieredVpc).
/// It is a construct that writes nothing: placing it in a stack is optional.
///
/// ```
/// use rcdk_constructs::network::{
///     IVpc, ImportedVpc, SecurityGroup, SubnetInfo, SubnetSelection, TierInfo, TierKind,
///     VpcAttributes,
/// };
/// use rcdk_core::Val;
/// let vpc = ImportedVpc::from_attributes(VpcAttributes {
///     vpc_id: "vpc-0a1b2c3d4e5f60718".into(),
///     cidr_block: "10.40.0.0/16".into(),
///     availability_zones: vec!["eu-west-1a".into(), "eu-west-1b".into()],
///     tiers: vec![TierInfo::new(
///         "Private",
///         TierKind::PrivateWithEgress,
///         [
///             SubnetInfo::new(Val::import("network-PrivateSubnet1"), "eu-west-1a"),
///             SubnetInfo::new(Val::import("network-PrivateSubnet2"), "eu-west-1b"),
///         ],
///     )],
/// })
/// .unwrap();
/// assert_eq!(vpc.select(&SubnetSelection::tier("Private")).unwrap().len(), 2);
/// let tasks = SecurityGroup::new(vpc.vpc_id(), "tasks", "Application tasks");
/// # let _ = tasks;
/// ```
#[derive(Debug, Clone)]
pub struct ImportedVpc {
    attributes: VpcAttributes,
}

impl ImportedVpc {
    /// The VPC these attributes describe, checked: a CIDR block given as text reads as one,
    /// at least one AZ, no AZ twice, at least one tier, tier names unique (1-64 ASCII letters
    /// or digits), and in every tier exactly one subnet per AZ, each in one of the VPC's AZs.
    pub fn from_attributes(attributes: VpcAttributes) -> Result<ImportedVpc, ConstructError> {
        if let Some(text) = attributes.cidr_block.value().as_str() {
            Cidr::parse(text)?;
        }
        let azs = &attributes.availability_zones;
        if azs.is_empty() {
            return Err(ConstructError::NoAzs);
        }
        for (i, az) in azs.iter().enumerate() {
            if az.value().as_str().is_some_and(|s| s.trim().is_empty()) {
                return Err(ConstructError::EmptyAz { position: i + 1 });
            }
            if let Some(first) = azs[..i].iter().position(|a| a == az) {
                return Err(match az.value().as_str() {
                    Some(name) => ConstructError::DuplicateAz { az: name.into() },
                    None => ConstructError::DuplicateAzValue {
                        first: first + 1,
                        second: i + 1,
                    },
                });
            }
        }
        if attributes.tiers.is_empty() {
            return Err(ConstructError::NoTiers);
        }
        for (i, tier) in attributes.tiers.iter().enumerate() {
            check_tier_name(&tier.name)?;
            if attributes.tiers[..i].iter().any(|t| t.name == tier.name) {
                return Err(ConstructError::DuplicateTier {
                    name: tier.name.clone(),
                });
            }
            check_tier_subnets(tier, azs)?;
        }
        Ok(ImportedVpc { attributes })
    }

    /// The attributes it was built from.
    pub fn attributes(&self) -> &VpcAttributes {
        &self.attributes
    }

    /// The tier named `name`.
    pub fn tier(&self, name: &str) -> Option<&TierInfo> {
        self.attributes.tiers.iter().find(|t| t.name == name)
    }
}

/// An AZ for messages: its name when it is a literal.
fn show(az: &Val<AvailabilityZone>) -> String {
    match az.value().as_str() {
        Some(name) => name.to_string(),
        None => "(a template value)".to_string(),
    }
}

fn check_tier_subnets(
    tier: &TierInfo,
    azs: &[Val<AvailabilityZone>],
) -> Result<(), ConstructError> {
    if tier.subnets.len() != azs.len() {
        return Err(ConstructError::SubnetCountMismatch {
            tier: tier.name.clone(),
            given: tier.subnets.len(),
            azs: azs.len(),
        });
    }
    for (i, subnet) in tier.subnets.iter().enumerate() {
        let az = &subnet.availability_zone;
        if az.value().as_str().is_some_and(|s| s.trim().is_empty()) {
            return Err(ConstructError::EmptySubnetAz {
                tier: tier.name.clone(),
                subnet: i + 1,
            });
        }
        if !azs.contains(az) {
            return Err(ConstructError::SubnetAzNotInVpc {
                tier: tier.name.clone(),
                subnet: i + 1,
                az: show(az),
            });
        }
        if tier.subnets[..i].iter().any(|s| s.availability_zone == *az) {
            return Err(ConstructError::DuplicateSubnetAz {
                tier: tier.name.clone(),
                az: show(az),
            });
        }
    }
    Ok(())
}

impl IVpc for ImportedVpc {
    fn vpc_id(&self) -> Val<VpcId> {
        self.attributes.vpc_id.clone()
    }
    fn cidr_block(&self) -> Val<String> {
        self.attributes.cidr_block.clone()
    }
    fn availability_zones(&self) -> Vec<Val<AvailabilityZone>> {
        self.attributes.availability_zones.clone()
    }
    fn tiers(&self) -> Vec<TierInfo> {
        self.attributes.tiers.clone()
    }
}

impl Construct for ImportedVpc {
    fn construct_type(&self) -> &str {
        "ImportedVpc"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Port, SecurityGroup, SubnetInfo, SubnetSelection, TierKind};
    use rcdk_core::fns;

    fn attributes() -> VpcAttributes {
        VpcAttributes {
            vpc_id: "vpc-0a1b2c3d4e5f60718".into(),
            cidr_block: "10.40.0.0/16".into(),
            availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
            tiers: vec![TierInfo::new(
                "Public",
                TierKind::Public,
                [
                    SubnetInfo::new("subnet-0123456789abcde01", "us-east-1a"),
                    SubnetInfo::new("subnet-0123456789abcde02", "us-east-1b"),
                ],
            )],
        }
    }

    /// Each check has its own variant, so callers can match on what is wrong.
    #[test]
    fn checks_return_typed_variants() {
        let mut empty_az = attributes();
        empty_az.availability_zones[1] = "".into();
        assert_eq!(
            ImportedVpc::from_attributes(empty_az).unwrap_err(),
            ConstructError::EmptyAz { position: 2 }
        );
        let az = fns::select(0, fns::get_azs());
        let same = VpcAttributes {
            availability_zones: vec![az.clone(), az],
            ..attributes()
        };
        assert_eq!(
            ImportedVpc::from_attributes(same).unwrap_err(),
            ConstructError::DuplicateAzValue {
                first: 1,
                second: 2
            }
        );
        let mut short = attributes();
        short.tiers[0].subnets.pop();
        assert!(matches!(
            ImportedVpc::from_attributes(short),
            Err(ConstructError::SubnetCountMismatch {
                given: 1,
                azs: 2,
                ..
            })
        ));
        let mut no_az = attributes();
        no_az.tiers[0].subnets[1].availability_zone = "".into();
        assert!(matches!(
            ImportedVpc::from_attributes(no_az),
            Err(ConstructError::EmptySubnetAz { subnet: 2, .. })
        ));
        let mut elsewhere = attributes();
        elsewhere.tiers[0].subnets[1].availability_zone = "us-east-1c".into();
        assert!(matches!(
            ImportedVpc::from_attributes(elsewhere),
            Err(ConstructError::SubnetAzNotInVpc { subnet: 2, az, .. }) if az == "us-east-1c"
        ));
        let mut twice = attributes();
        twice.tiers[0].subnets[1].availability_zone = "us-east-1a".into();
        assert!(matches!(
            ImportedVpc::from_attributes(twice),
            Err(ConstructError::DuplicateSubnetAz { az, .. }) if az == "us-east-1a"
        ));
        let mut reserved = attributes();
        reserved.tiers[0].name = "FlowLogs".into();
        assert!(matches!(
            ImportedVpc::from_attributes(reserved),
            Err(ConstructError::ReservedTierName { name }) if name == "FlowLogs"
        ));
        let vpc = ImportedVpc::from_attributes(attributes()).unwrap();
        assert_eq!(
            vpc.select(&SubnetSelection::Explicit(Vec::new())),
            Err(ConstructError::EmptySubnetSelection)
        );
        assert!(matches!(
            vpc.select(&SubnetSelection::Kind(TierKind::Isolated)),
            Err(ConstructError::NoTierOfKind { kind: "isolated", known }) if known == "Public"
        ));
        let mut shared = SecurityGroup::from_id("sg-0123456789abcdef0", "shared-alb");
        assert!(matches!(
            shared.allow_to_cidr(crate::cidr!("10.0.0.0/8"), Port::tcp(443)),
            Err(ConstructError::ImportedSecurityGroup { call, .. })
                if call == "allow_to_cidr(10.0.0.0/8, tcp 443)"
        ));
    }
}
