//! Network charges: NAT gateways, interface endpoints, load balancers and public IPv4
//! addresses. Prices of us-east-1, recorded on 2026-11-23.

use rcdk_core::CostItem;

use super::monthly;

/// NAT gateway, per gateway-hour (<https://aws.amazon.com/vpc/pricing/>).
pub const NAT_GATEWAY_USD_PER_HOUR: f64 = 0.045;

/// Interface VPC endpoint (PrivateLink), per endpoint per AZ per hour
/// (<https://aws.amazon.com/privatelink/pricing/>, linked from the VPC pricing page).
pub const INTERFACE_ENDPOINT_USD_PER_AZ_HOUR: f64 = 0.01;

/// Application Load Balancer, per hour, without LCU charges
/// (<https://aws.amazon.com/elasticloadbalancing/pricing/>).
pub const ALB_USD_PER_HOUR: f64 = 0.0225;

/// Public IPv4 address (in use or idle, including a NAT gateway's Elastic IP and a load
/// balancer's addresses), per hour (<https://aws.amazon.com/vpc/pricing/>).
pub const PUBLIC_IPV4_USD_PER_HOUR: f64 = 0.005;

/// `count` NAT gateways.
pub fn nat_gateways(count: u32) -> CostItem {
    CostItem::monthly("NAT gateway", count, monthly(NAT_GATEWAY_USD_PER_HOUR))
}

/// One interface endpoint placed in `azs` AZs (billed per endpoint per AZ, so the report counts
/// endpoint-AZs).
pub fn interface_endpoint(azs: u32) -> CostItem {
    CostItem::monthly(
        "interface VPC endpoint AZ",
        azs,
        monthly(INTERFACE_ENDPOINT_USD_PER_AZ_HOUR),
    )
}

/// `count` Application Load Balancers.
pub fn application_load_balancers(count: u32) -> CostItem {
    CostItem::monthly(
        "Application Load Balancer",
        count,
        monthly(ALB_USD_PER_HOUR),
    )
}

/// `count` public IPv4 addresses.
pub fn public_ipv4_addresses(count: u32) -> CostItem {
    CostItem::monthly(
        "public IPv4 address",
        count,
        monthly(PUBLIC_IPV4_USD_PER_HOUR),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monthly_prices_match_the_published_hourly_ones() {
        assert_eq!(nat_gateways(2).usd_per_month_each(), Some(32.85));
        assert_eq!(interface_endpoint(2).usd_per_month_each(), Some(7.3));
        assert_eq!(interface_endpoint(3).count, 3);
        assert_eq!(
            application_load_balancers(1).usd_per_month_each(),
            Some(16.43)
        );
        assert_eq!(public_ipv4_addresses(1).usd_per_month_each(), Some(3.65));
    }
}
