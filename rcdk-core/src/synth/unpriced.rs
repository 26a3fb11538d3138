//! Resources with a fixed monthly charge that no construct priced: a resource made directly
//! from the generated layer (a `cfn::kms::Key` in a stack) has no cost declaration, so the
//! report names it under "not counted" instead of leaving it out of the picture.

use std::collections::HashSet;

use crate::construct::CostItem;
use crate::element::Element;
use crate::synth::tree::NodeRec;

/// CloudFormation types that bill by the hour or month whatever the traffic. Interface VPC
/// endpoints are charged too, but `AWS::EC2::VPCEndpoint` is also the free gateway endpoint, so
/// it is not in the list.
const FIXED_CHARGE_TYPES: &[&str] = &[
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::CloudWatch::Alarm",
    "AWS::DocDB::DBInstance",
    "AWS::EC2::ClientVpnEndpoint",
    "AWS::EC2::EIP",
    "AWS::EC2::Instance",
    "AWS::EC2::NatGateway",
    "AWS::EC2::TransitGatewayAttachment",
    "AWS::EC2::VPNConnection",
    "AWS::EC2::Volume",
    "AWS::ECS::Service",
    "AWS::EKS::Cluster",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElasticLoadBalancing::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::KMS::Key",
    "AWS::MSK::Cluster",
    "AWS::Neptune::DBInstance",
    "AWS::NetworkFirewall::Firewall",
    "AWS::OpenSearchService::Domain",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
    "AWS::Route53::HostedZone",
    "AWS::SecretsManager::Secret",
];

/// The reason given for such a resource.
pub const NO_CONSTRUCT_PRICES_IT: &str = "made without a construct that prices it";

/// One not-counted item per resource of a [`FIXED_CHARGE_TYPES`] type whose own node and
/// parent node declare no cost (the constructs that price a resource are its parent).
pub fn unpriced_resources(
    nodes: &[NodeRec<'_>],
    priced: &HashSet<String>,
) -> Vec<(String, CostItem)> {
    let mut found = Vec::new();
    for rec in nodes {
        if !matches!(rec.construct.element(), Some(Element::Resource(_))) {
            continue;
        }
        let type_name = rec.construct.construct_type();
        if !FIXED_CHARGE_TYPES.contains(&type_name) {
            continue;
        }
        let path = rec.path_string();
        let parent = rec.path[..rec.path.len().saturating_sub(1)].join("/");
        if priced.contains(&path) || priced.contains(&parent) {
            continue;
        }
        found.push((
            path,
            CostItem::not_counted(type_name, 1, NO_CONSTRUCT_PRICES_IT),
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_holds_cloudformation_types() {
        let mut sorted = FIXED_CHARGE_TYPES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, FIXED_CHARGE_TYPES);
        assert!(FIXED_CHARGE_TYPES
            .iter()
            .all(|t| t.starts_with("AWS::") && t.matches("::").count() == 2));
    }
}
