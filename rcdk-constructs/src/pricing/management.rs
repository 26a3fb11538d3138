//! Charges of secrets, keys and monitoring: Secrets Manager secrets, KMS customer-managed keys,
//! CloudWatch alarms and EC2 detailed monitoring. Prices of us-east-1, recorded on 2026-12-02.

use rcdk_core::CostItem;

/// Secrets Manager, per secret per month, RDS-managed master passwords included
/// (<https://aws.amazon.com/secrets-manager/pricing/>).
pub const SECRET_USD_PER_MONTH: f64 = 0.40;

/// KMS customer-managed key, per key per month (<https://aws.amazon.com/kms/pricing/>). AWS
/// managed keys (`aws/secretsmanager`, `aws/rds`, ...) cost nothing.
pub const KMS_KEY_USD_PER_MONTH: f64 = 1.0;

/// CloudWatch standard-resolution metric alarm, per alarm per month
/// (<https://aws.amazon.com/cloudwatch/pricing/>).
pub const ALARM_USD_PER_MONTH: f64 = 0.10;

/// EC2 detailed monitoring, per instance per month: seven metrics at one-minute resolution, each
/// billed as a custom metric at 0.30 USD a month (<https://aws.amazon.com/cloudwatch/pricing/>,
/// whose example prices it the same way).
pub const DETAILED_MONITORING_USD_PER_INSTANCE_MONTH: f64 = 2.10;

/// CloudWatch alarms a target-tracking scaling policy creates and keeps: one to scale out and
/// one to scale in, billed as standard alarms.
pub const ALARMS_PER_TARGET_TRACKING_POLICY: u32 = 2;

/// `count` Secrets Manager secrets.
pub fn secrets(count: u32) -> CostItem {
    CostItem::monthly("Secrets Manager secret", count, SECRET_USD_PER_MONTH)
}

/// `count` KMS customer-managed keys, for constructs that create them.
pub fn kms_keys(count: u32) -> CostItem {
    CostItem::monthly("KMS customer-managed key", count, KMS_KEY_USD_PER_MONTH)
}

/// Detailed monitoring of `count` EC2 instances.
pub fn detailed_monitoring(count: u32) -> CostItem {
    CostItem::monthly(
        "EC2 detailed monitoring (per instance)",
        count,
        DETAILED_MONITORING_USD_PER_INSTANCE_MONTH,
    )
}

/// `count` CloudWatch alarms the app defines.
pub fn alarms(count: u32) -> CostItem {
    CostItem::monthly("CloudWatch alarm", count, ALARM_USD_PER_MONTH)
}

/// The alarms that `policies` target-tracking scaling policies create.
pub fn target_tracking_alarms(policies: u32) -> CostItem {
    CostItem::monthly(
        "CloudWatch alarm of target tracking",
        policies * ALARMS_PER_TARGET_TRACKING_POLICY,
        ALARM_USD_PER_MONTH,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_unit_prices() {
        assert_eq!(secrets(3).usd_per_month(), Some(3.0 * 0.40));
        assert_eq!(kms_keys(2).usd_per_month(), Some(2.0));
        assert_eq!(alarms(1).usd_per_month_each(), Some(0.10));
        let tracking = target_tracking_alarms(3);
        assert_eq!(tracking.count, 6);
        assert_eq!(tracking.usd_per_month_each(), Some(0.10));
    }
}
