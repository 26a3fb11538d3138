//! The data tier: PostgreSQL on RDS and Redis on ElastiCache, in the VPC's isolated subnets,
//! encrypted, reachable only from the security groups they are told to admit.

mod key;
mod postgres;
mod redis;

pub use postgres::{
    PostgresBuilder, PostgresDatabase, MONITORING_INTERVALS, POSTGRES_LOG_EXPORTS, POSTGRES_PORT,
};
pub use redis::{RedisBuilder, RedisCache, REDIS_PORT};

use rcdk_core::kind::SubnetId;
use rcdk_core::Val;

use crate::error::ConstructError;
use crate::network::{IVpc, SubnetSelection, TierKind};

/// One isolated subnet per AZ of `vpc`, at least two (subnet groups span AZs).
fn isolated_subnets(
    vpc: &dyn IVpc,
    what: &'static str,
) -> Result<Vec<Val<SubnetId>>, ConstructError> {
    let ids = vpc
        .select(&SubnetSelection::OnePerAz(TierKind::Isolated))
        .unwrap_or_default();
    if ids.is_empty() {
        return Err(ConstructError::NoIsolatedSubnets {
            what: what.to_string(),
        });
    }
    if ids.len() < 2 {
        return Err(ConstructError::SubnetGroupNeedsTwoAzs { what });
    }
    Ok(ids)
}
