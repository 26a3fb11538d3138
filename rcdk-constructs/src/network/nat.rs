//! NAT gateways: the policy (one per AZ, one shared, none) and the gateway with its Elastic IP,
//! which reports its fixed monthly cost at synthesis.

use rcdk_core::kind::{NatGatewayId, SubnetId};
use rcdk_core::{CostItem, NodeId, Resource, Tag, Val};

use crate::cfn::ec2;
use crate::pricing;

/// How many NAT gateways a [`TieredVpc`](crate::network::TieredVpc) gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NatPolicy {
    /// One per AZ, each private subnet routing through the gateway of its own AZ: an AZ outage
    /// does not cut the others off (the default; about 33 USD a month each plus traffic).
    #[default]
    PerAz,
    /// One gateway in the first AZ shared by all private subnets: cheaper, but private subnets
    /// of the other AZs lose outbound access when that AZ fails.
    Single,
    /// No NAT gateway: no tier may be private with egress.
    None,
}

/// A NAT gateway in a public subnet, with the Elastic IP it sends traffic from.
#[derive(Debug, Clone, rcdk_macros::Construct)]
#[construct(costs = "NatGateway::costs")]
pub struct NatGateway {
    eip: ec2::Eip,
    resource: ec2::NatGateway,
}

impl NatGateway {
    /// A gateway in `public_subnet`; `name` becomes its `Name` tag when given.
    pub fn new(public_subnet: Val<SubnetId>, name: Option<&str>) -> NatGateway {
        let mut eip = ec2::Eip::new().domain("vpc");
        let mut resource = ec2::NatGateway::new()
            .subnet_id(public_subnet)
            .allocation_id(eip.attr_allocation_id());
        if let Some(name) = name {
            eip = eip.tags(vec![Tag::new("Name", name)]);
            resource = resource.tags(vec![Tag::new("Name", name)]);
        }
        NatGateway { eip, resource }
    }

    /// The gateway id.
    pub fn nat_gateway_id(&self) -> Val<NatGatewayId> {
        self.resource.ref_()
    }

    /// Makes the gateway (and its address) wait for `node`, e.g. the internet route of its
    /// subnet, so that it is usable once created.
    pub(crate) fn add_dependency(&mut self, node: NodeId) {
        self.resource.core_mut().add_dependency(node);
    }

    /// Makes the Elastic IP wait for `node` (the internet gateway attachment).
    pub(crate) fn add_eip_dependency(&mut self, node: NodeId) {
        self.eip.core_mut().add_dependency(node);
    }
}

impl NatGateway {
    fn costs(&self) -> Vec<CostItem> {
        vec![pricing::nat_gateways(1), pricing::public_ipv4_addresses(1)]
    }
}
