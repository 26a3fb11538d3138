//! [`ImportedVpc`]: a VPC that exists already (another stack's, another team's), described by
//! its ids so that constructs can be put into it. It writes no resources.

use cdk_core::kind::{AvailabilityZone, VpcId};
use cdk_core::{Construct, Val};

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
/// use cdk_constructs::network::{
///     IVpc, ImportedVpc, SecurityGroup, SubnetInfo, SubnetSelection, TierInfo, TierKind,
///     VpcAttributes,
/// };
/// use cdk_core::Val;
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
                return Err(ConstructError::Invalid(format!(
                    "availability_zones {} is empty; name the AZ (e.g. us-east-1a)",
                    i + 1
                )));
            }
            if let Some(first) = azs[..i].iter().position(|a| a == az) {
                return Err(match az.value().as_str() {
                    Some(name) => ConstructError::DuplicateAz { az: name.into() },
                    None => ConstructError::Invalid(format!(
                        "availability_zones {} and {} are the same value; name each AZ once",
                        first + 1,
                        i + 1
                    )),
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
        return Err(ConstructError::Invalid(format!(
            "tier '{}' has {} subnets but the VPC spans {} AZs; give the tier exactly one subnet per AZ",
            tier.name,
            tier.subnets.len(),
            azs.len()
        )));
    }
    for (i, subnet) in tier.subnets.iter().enumerate() {
        let az = &subnet.availability_zone;
        if az.value().as_str().is_some_and(|s| s.trim().is_empty()) {
            return Err(ConstructError::Invalid(format!(
                "subnet {} of tier '{}' has an empty AZ; give each subnet the AZ it is in",
                i + 1,
                tier.name
            )));
        }
        if !azs.contains(az) {
            return Err(ConstructError::Invalid(format!(
                "subnet {} of tier '{}' is in AZ {}, which is not one of the VPC's availability_zones; give it one of those AZs or add its AZ to the VPC",
                i + 1,
                tier.name,
                show(az)
            )));
        }
        if tier.subnets[..i].iter().any(|s| s.availability_zone == *az) {
            return Err(ConstructError::Invalid(format!(
                "tier '{}' has two subnets in AZ {}; give the tier one subnet per AZ",
                tier.name,
                show(az)
            )));
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
