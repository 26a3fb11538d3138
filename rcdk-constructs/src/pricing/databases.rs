//! Database charges: RDS for PostgreSQL instances and storage, ElastiCache nodes. Prices of
//! us-east-1, recorded on 2026-12-02. A Multi-AZ RDS instance bills the standby's hours and
//! storage too (AWS's "On-Demand DB instances" page of the RDS user guide), so it counts twice;
//! every node of an ElastiCache replication group (primary and replicas) bills its hours.

use rcdk_core::CostItem;

use super::{cents, hourly, monthly, NO_PRICE};

/// RDS gp3 storage, per GB-month of each instance (a Multi-AZ standby has its own)
/// (<https://aws.amazon.com/rds/postgresql/pricing/>).
pub const RDS_GP3_USD_PER_GB_MONTH: f64 = 0.115;

/// RDS for PostgreSQL on-demand instance classes, single-AZ, USD per hour
/// (<https://aws.amazon.com/rds/postgresql/pricing/>). Classes not listed are named as not
/// counted in the report (the storage is still counted).
pub const RDS_POSTGRES_USD_PER_HOUR: [(&str, f64); 4] = [
    ("db.t4g.micro", 0.016),
    ("db.t4g.small", 0.032),
    ("db.t4g.medium", 0.065),
    ("db.t4g.large", 0.129),
];

/// ElastiCache for Redis OSS on-demand node types, USD per node-hour
/// (<https://aws.amazon.com/elasticache/pricing/>). Types not listed are named as not counted.
pub const ELASTICACHE_REDIS_USD_PER_HOUR: [(&str, f64); 6] = [
    ("cache.t3.micro", 0.017),
    ("cache.t3.small", 0.034),
    ("cache.t3.medium", 0.068),
    ("cache.t4g.micro", 0.016),
    ("cache.t4g.small", 0.032),
    ("cache.t4g.medium", 0.065),
];

/// The hourly price of RDS for PostgreSQL instance class `class`, when known.
pub fn rds_postgres_usd_per_hour(class: &str) -> Option<f64> {
    hourly(&RDS_POSTGRES_USD_PER_HOUR, class)
}

/// The hourly price of an ElastiCache for Redis OSS node of `node_type`, when known.
pub fn elasticache_redis_usd_per_hour(node_type: &str) -> Option<f64> {
    hourly(&ELASTICACHE_REDIS_USD_PER_HOUR, node_type)
}

/// `count` RDS for PostgreSQL instances (a Multi-AZ database is 2: the primary and its
/// standby) of instance class `class`; named as not counted when the table has no price.
pub fn rds_postgres_instances(class: &str, count: u32) -> CostItem {
    let item = format!("RDS PostgreSQL instance {class}");
    match rds_postgres_usd_per_hour(class) {
        Some(price) => CostItem::monthly(item, count, monthly(price)),
        None => CostItem::not_counted(item, count, NO_PRICE),
    }
}

/// `count` RDS gp3 volumes of `gib` GB each (one per instance, the standby's included).
pub fn rds_gp3_storage(gib: u32, count: u32) -> CostItem {
    CostItem::monthly(
        format!("RDS gp3 storage {gib} GB"),
        count,
        cents(f64::from(gib) * RDS_GP3_USD_PER_GB_MONTH),
    )
}

/// `count` ElastiCache for Redis OSS nodes of `node_type`; named as not counted when the table
/// has no price.
pub fn elasticache_redis_nodes(node_type: &str, count: u32) -> CostItem {
    let item = format!("ElastiCache Redis node {node_type}");
    match elasticache_redis_usd_per_hour(node_type) {
        Some(price) => CostItem::monthly(item, count, monthly(price)),
        None => CostItem::not_counted(item, count, NO_PRICE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_prices_come_from_the_table_or_are_named_not_counted() {
        let multi_az = rds_postgres_instances("db.t4g.micro", 2);
        assert_eq!(multi_az.usd_per_month_each(), Some(11.68));
        assert_eq!(multi_az.usd_per_month(), Some(23.36));
        assert_eq!(rds_gp3_storage(20, 2).usd_per_month_each(), Some(2.3));
        assert_eq!(rds_postgres_usd_per_hour("db.r8g.48xlarge"), None);
        assert_eq!(
            rds_postgres_instances("db.r7g.4xlarge", 1).usd_per_month_each(),
            None
        );
        // 0.016 USD/h x 730 h per node
        let cache = elasticache_redis_nodes("cache.t4g.micro", 2);
        assert_eq!(cache.usd_per_month_each(), Some(11.68));
        assert_eq!(cache.count, 2);
        assert_eq!(
            elasticache_redis_nodes("cache.r7g.4xlarge", 3).usd_per_month_each(),
            None
        );
    }
}
