//! The seed's "VPCs and Subnets" and its multi-tier diagram: 10.0.0.0/16 in two AZs, public
//! subnets for the load balancer and the NAT gateways, private subnets for the application
//! (egress through the NAT gateway of their AZ), isolated subnets for the database (no route to
//! the internet in either direction).

use rcdk::prelude::*;

/// The load balancer's tier.
pub const PUBLIC: &str = "Public";
/// The application instances' and the nightly job's tier.
pub const APP: &str = "App";
/// The database's tier.
pub const DATA: &str = "Data";

/// The VPC: public 10.0.0.0/24 + 10.0.1.0/24, app 10.0.10.0/24 + 10.0.11.0/24, data
/// 10.0.20.0/24 + 10.0.21.0/24.
pub fn vpc() -> Result<TieredVpc, ConstructError> {
    TieredVpc::builder()
        .name("app-baseline")
        .cidr(cidr!("10.0.0.0/16"))
        .max_azs(2)
        .tier(Tier::public(PUBLIC, 24).cidrs([cidr!("10.0.0.0/24"), cidr!("10.0.1.0/24")]))
        .tier(Tier::private(APP, 24).cidrs([cidr!("10.0.10.0/24"), cidr!("10.0.11.0/24")]))
        .tier(Tier::isolated(DATA, 24).cidrs([cidr!("10.0.20.0/24"), cidr!("10.0.21.0/24")]))
        // One NAT gateway per AZ: an AZ's outage does not cut the other AZ's instances off.
        .nat(NatPolicy::PerAz)
        // Image layers (ECR keeps them in S3) and dumps go to S3 without the NAT's per-GB fee.
        .gateway_endpoint(GatewayService::S3)
        .build()
}
