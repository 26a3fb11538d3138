//! A small, dated table of the fixed monthly charges that the constructs create, used for the
//! cost report printed at synthesis ("2 x NAT gateway ~ 66 USD/month"). Each construct that
//! creates such a charge declares it through the functions here; a charge this table has no
//! price for is declared as not counted (e.g. an instance class missing from it), so the report
//! names it instead of leaving it out silently.
//!
//! Prices: AWS on-demand list prices for us-east-1 (N. Virginia), in USD. Each constant says
//! which AWS pricing page it comes from and when it was recorded:
//! - [`network`]: NAT gateways, interface endpoints and public IPv4 addresses from
//!   <https://aws.amazon.com/vpc/pricing/>, the Application Load Balancer from
//!   <https://aws.amazon.com/elasticloadbalancing/pricing/>, recorded on 2026-11-23; the NAT
//!   gateway price agrees with the architecture documents the examples follow (seed 000: 0.045
//!   USD/h, "~$32/month"; seed 003: "~$32/month").
//! - [`compute`]: EC2 instances (the table is in `compute::InstanceType`, on-demand Linux, from
//!   <https://aws.amazon.com/ec2/pricing/on-demand/>) and gp3 volumes (from
//!   <https://aws.amazon.com/ebs/pricing/>), recorded on 2026-12-02; Fargate vCPU-hours and
//!   GB-hours (from <https://aws.amazon.com/fargate/pricing/>), recorded on 2026-12-02.
//! - [`databases`]: RDS for PostgreSQL (<https://aws.amazon.com/rds/postgresql/pricing/>) and
//!   ElastiCache for Redis OSS nodes (<https://aws.amazon.com/elasticache/pricing/>), recorded
//!   on 2026-12-02.
//! - [`management`]: Secrets Manager secrets (<https://aws.amazon.com/secrets-manager/pricing/>),
//!   KMS customer-managed keys (<https://aws.amazon.com/kms/pricing/>) and CloudWatch alarms
//!   (<https://aws.amazon.com/cloudwatch/pricing/>), recorded on 2026-12-02.
//!
//! The AWS pages themselves could not be read from this project's machine; the figures added on
//! 2026-12-02 were checked against independent published tables of us-east-1 on-demand prices
//! (some generated from AWS's Price List API), which agree with them to the digits given.
//!
//! Only fixed charges are counted: data processing (per GB), data transfer, load-balancer
//! capacity units, requests and storage that grows with use depend on traffic and are left out
//! (the report says so in one line), so real bills are higher. The free tier is not subtracted.
//! Other regions cost up to about a third more.

pub mod compute;
pub mod databases;
pub mod management;
pub mod network;

pub use compute::*;
pub use databases::*;
pub use management::*;
pub use network::*;

/// When the newest prices of the table were recorded (each module says when its own were).
pub const PRICES_AS_OF: &str = "2026-12-02";

/// The region the prices are for.
pub const PRICES_REGION: &str = "us-east-1";

/// Hours in the average month, as AWS's own calculator counts (8760 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Why a charge is left out of the total when the table has no price for it.
pub const NO_PRICE: &str = "no price in the table";

/// Monthly cost of something billed `usd_per_hour`.
pub fn monthly(usd_per_hour: f64) -> f64 {
    cents(usd_per_hour * HOURS_PER_MONTH)
}

/// `usd` rounded to whole cents: the table is an estimate, more digits would suggest precision
/// it lacks.
pub fn cents(usd: f64) -> f64 {
    (usd * 100.0).round() / 100.0
}

/// Looks `name` up in a table of `(name, USD per hour)`.
fn hourly(table: &[(&str, f64)], name: &str) -> Option<f64> {
    table.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
}
