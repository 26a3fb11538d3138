//! A small, dated table of the fixed hourly charges that the constructs create, used for the cost
//! summary printed at synthesis ("2 NAT gateway ~ 65.70 USD/month").
//!
//! Prices: AWS on-demand list prices for us-east-1 (N. Virginia), in USD, as published on
//! <https://aws.amazon.com/vpc/pricing/> (NAT gateway, AWS PrivateLink interface endpoints, public
//! IPv4 addresses) and <https://aws.amazon.com/elasticloadbalancing/pricing/> (Application Load
//! Balancer). Recorded on 2026-11-23 ([`PRICES_AS_OF`]); the NAT gateway price agrees with the
//! reference documents (`shared/seeds/000`: 0.045 USD/h, "~$32/month"; `003`: "~$32/month").
//! The EC2 instance prices (in `compute::InstanceType`, on-demand Linux) and the gp3 prices were
//! added on 2026-12-02 as the long-standing list prices of
//! <https://aws.amazon.com/ec2/pricing/on-demand/> and <https://aws.amazon.com/ebs/pricing/>
//! (t3.micro 0.0104 USD/h, gp3 0.08 USD per GiB-month, 0.005 per IOPS-month and 0.04 per
//! MiB/s-month above the included 3,000 IOPS and 125 MiB/s). The AWS pages themselves could not
//! be read from this project's machine; on 2026-12-02 every figure of the instance table and the
//! gp3 figures were checked against several independent published tables of us-east-1
//! on-demand prices (some generated from AWS's Price List API), which agree with them to the
//! digits given (c7i.large is 0.08925 USD/h there too).
//! The RDS prices (PostgreSQL, us-east-1, from <https://aws.amazon.com/rds/postgresql/pricing/>:
//! db.t4g instance-hours and gp3 storage at 0.115 USD per GB-month) were checked the same way
//! on 2026-12-02; a Multi-AZ instance bills the standby's hours and storage too (AWS's
//! "On-Demand DB instances" page of the RDS user guide), so it counts twice.
//! Only the fixed hourly part is counted: data processing (per GB), load-balancer capacity units
//! and other usage-based charges depend on traffic and are left out, so real bills are higher.
//! Other regions cost up to about a third more.

use rcdk_core::CostItem;

/// When the prices below were recorded.
pub const PRICES_AS_OF: &str = "2026-11-23";

/// The region the prices are for.
pub const PRICES_REGION: &str = "us-east-1";

/// Hours in the average month, as AWS's own calculator counts (8760 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// NAT gateway, per gateway-hour.
pub const NAT_GATEWAY_USD_PER_HOUR: f64 = 0.045;

/// Interface VPC endpoint (PrivateLink), per endpoint per AZ per hour.
pub const INTERFACE_ENDPOINT_USD_PER_AZ_HOUR: f64 = 0.01;

/// Application Load Balancer, per hour (without LCU charges).
pub const ALB_USD_PER_HOUR: f64 = 0.0225;

/// Public IPv4 address (in use or idle, including a NAT gateway's Elastic IP), per hour.
pub const PUBLIC_IPV4_USD_PER_HOUR: f64 = 0.005;

/// gp3 EBS storage, per GiB-month (<https://aws.amazon.com/ebs/pricing/>).
pub const GP3_USD_PER_GIB_MONTH: f64 = 0.08;

/// gp3 IOPS above the included 3,000, per IOPS-month.
pub const GP3_USD_PER_IOPS_MONTH: f64 = 0.005;

/// gp3 throughput above the included 125 MiB/s, per MiB/s-month.
pub const GP3_USD_PER_MIBPS_MONTH: f64 = 0.04;

/// RDS gp3 storage, per GB-month of each instance (a Multi-AZ standby has its own).
pub const RDS_GP3_USD_PER_GB_MONTH: f64 = 0.115;

/// RDS for PostgreSQL on-demand instance classes, single-AZ, USD per hour. Classes not listed
/// get no instance line in the cost summary (the storage is still counted).
pub const RDS_POSTGRES_USD_PER_HOUR: [(&str, f64); 4] = [
    ("db.t4g.micro", 0.016),
    ("db.t4g.small", 0.032),
    ("db.t4g.medium", 0.065),
    ("db.t4g.large", 0.129),
];

/// The hourly price of RDS for PostgreSQL instance class `class`, when known.
pub fn rds_postgres_usd_per_hour(class: &str) -> Option<f64> {
    RDS_POSTGRES_USD_PER_HOUR
        .iter()
        .find(|(c, _)| *c == class)
        .map(|(_, price)| *price)
}

/// Monthly cost of something billed `usd_per_hour`.
pub fn monthly(usd_per_hour: f64) -> f64 {
    // Whole cents: the table is an estimate, more digits would suggest precision it lacks.
    (usd_per_hour * HOURS_PER_MONTH * 100.0).round() / 100.0
}

/// `count` NAT gateways.
pub fn nat_gateways(count: u32) -> CostItem {
    CostItem {
        item: "NAT gateway".into(),
        count,
        usd_per_month_each: monthly(NAT_GATEWAY_USD_PER_HOUR),
    }
}

/// One interface endpoint placed in `azs` AZs (billed per endpoint per AZ, so the summary counts
/// endpoint-AZs).
pub fn interface_endpoint(azs: u32) -> CostItem {
    CostItem {
        item: "interface VPC endpoint AZ".into(),
        count: azs,
        usd_per_month_each: monthly(INTERFACE_ENDPOINT_USD_PER_AZ_HOUR),
    }
}

/// `count` Application Load Balancers.
pub fn application_load_balancers(count: u32) -> CostItem {
    CostItem {
        item: "Application Load Balancer".into(),
        count,
        usd_per_month_each: monthly(ALB_USD_PER_HOUR),
    }
}

/// `count` public IPv4 addresses (Elastic IPs).
pub fn public_ipv4_addresses(count: u32) -> CostItem {
    CostItem {
        item: "public IPv4 address".into(),
        count,
        usd_per_month_each: monthly(PUBLIC_IPV4_USD_PER_HOUR),
    }
}

/// `count` EC2 instances of type `name`, on demand at `usd_per_hour` (Linux).
pub fn ec2_instances(name: &str, usd_per_hour: f64, count: u32) -> CostItem {
    CostItem {
        item: format!("EC2 instance {name}"),
        count,
        usd_per_month_each: monthly(usd_per_hour),
    }
}

/// `count` gp3 volumes of `usd_per_month_each` (see [`GP3_USD_PER_GIB_MONTH`] and the lines
/// below it) described by `what`, e.g. `30 GiB`.
pub fn gp3_volumes(what: &str, usd_per_month_each: f64, count: u32) -> CostItem {
    CostItem {
        item: format!("EBS gp3 volume {what}"),
        count,
        usd_per_month_each,
    }
}

/// `count` RDS instances (a Multi-AZ database is 2: the primary and its standby) of
/// PostgreSQL instance class `class` at `usd_per_hour`.
pub fn rds_instances(class: &str, usd_per_hour: f64, count: u32) -> CostItem {
    CostItem {
        item: format!("RDS PostgreSQL instance {class}"),
        count,
        usd_per_month_each: monthly(usd_per_hour),
    }
}

/// `count` RDS gp3 volumes of `gib` GB each (one per instance, the standby's included).
pub fn rds_gp3_storage(gib: u32, count: u32) -> CostItem {
    CostItem {
        item: format!("RDS gp3 storage {gib} GB"),
        count,
        usd_per_month_each: (f64::from(gib) * RDS_GP3_USD_PER_GB_MONTH * 100.0).round() / 100.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monthly_prices_match_the_published_hourly_ones() {
        assert_eq!(nat_gateways(2).usd_per_month_each, 32.85);
        assert_eq!(interface_endpoint(2).usd_per_month_each, 7.3);
        assert_eq!(application_load_balancers(1).usd_per_month_each, 16.43);
        assert_eq!(public_ipv4_addresses(1).usd_per_month_each, 3.65);
        assert_eq!(interface_endpoint(3).count, 3);
        assert_eq!(
            rds_instances("db.t4g.micro", 0.016, 2).usd_per_month_each,
            11.68
        );
        assert_eq!(rds_gp3_storage(20, 2).usd_per_month_each, 2.3);
        assert_eq!(rds_postgres_usd_per_hour("db.t4g.micro"), Some(0.016));
        assert_eq!(rds_postgres_usd_per_hour("db.r8g.48xlarge"), None);
    }
}
