//! Seed §1-§6: the three-tier VPC with the seed's CIDRs, a NAT gateway per AZ, the endpoints
//! of §6 and the private tier's network ACL of §5.

use rcdk::prelude::*;

/// The tiers' names (also used by the NACL rules and the endpoint rules).
pub const PUBLIC: &str = "Public";
/// Tasks' tier.
pub const PRIVATE: &str = "Private";
/// Postgres and Redis.
pub const DATA: &str = "Data";

/// The interface endpoints of seed §6.
pub const INTERFACE_ENDPOINTS: [InterfaceService; 4] = [
    InterfaceService::EcrApi,
    InterfaceService::EcrDkr,
    InterfaceService::CloudWatchLogs,
    InterfaceService::SecretsManager,
];

/// VPC 10.0.0.0/16 in 2 AZs: public 10.0.1.0/24 + 10.0.2.0/24, private 10.0.10.0/24 +
/// 10.0.20.0/24, data 10.0.100.0/24 + 10.0.200.0/24 (no internet route).
pub fn vpc() -> Result<TieredVpc, ConstructError> {
    let mut builder = TieredVpc::builder()
        .name("microservices")
        .cidr(cidr!("10.0.0.0/16"))
        .max_azs(2)
        .tier(Tier::public(PUBLIC, 24).cidrs([cidr!("10.0.1.0/24"), cidr!("10.0.2.0/24")]))
        .tier(Tier::private(PRIVATE, 24).cidrs([cidr!("10.0.10.0/24"), cidr!("10.0.20.0/24")]))
        .tier(Tier::isolated(DATA, 24).cidrs([cidr!("10.0.100.0/24"), cidr!("10.0.200.0/24")]))
        // Seed §3: one NAT gateway per AZ, the high-availability option.
        .nat(NatPolicy::PerAz)
        .gateway_endpoint(GatewayService::S3);
    for service in INTERFACE_ENDPOINTS {
        builder = builder.interface_endpoint(service);
    }
    let mut vpc = builder
        .network_acl(
            PRIVATE,
            NetworkAclRules::new()
                // Seed §5: the ALB reaches the tasks on 3000 (rules 100-101, one per subnet).
                .allow_inbound(100, Port::tcp(3000), NaclPeer::tier(PUBLIC))
                // Endpoint ENIs of the other AZ's private subnet.
                .allow_inbound(110, Port::tcp(443), NaclPeer::tier(PRIVATE))
                // Replies to the tasks' own connections (NAT, endpoints, data tier).
                .ephemeral_return_inbound(120, Cidr::ANY_IPV4)
                // Seed §5: replies to the ALB, and HTTPS out through the NAT gateway.
                .ephemeral_return_outbound(100, Cidr::ANY_IPV4)
                .allow_outbound(110, Port::tcp(443), Cidr::ANY_IPV4)
                // Postgres and Redis in the data tier (rules 120-121 and 130-131).
                .allow_outbound(120, Port::tcp(5432), NaclPeer::tier(DATA))
                .allow_outbound(130, Port::tcp(6379), NaclPeer::tier(DATA)),
        )
        .build()?;
    // The endpoints admit HTTPS from the private subnets' CIDRs rather than from each
    // service's group: the seed puts the endpoints in the tasks' group, which is the same
    // reach, and the rule count stays constant as services are added.
    vpc.allow_endpoints_from_tier(PRIVATE)?;
    Ok(vpc)
}
