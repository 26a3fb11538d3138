//! Compute charges: EC2 instances and their gp3 volumes, Fargate tasks. Prices of us-east-1,
//! recorded on 2026-12-02. The EC2 instance prices live with the instance types
//! (`compute::InstanceType`), from <https://aws.amazon.com/ec2/pricing/on-demand/>.

use rcdk_core::image::Arch;
use rcdk_core::CostItem;

use super::{cents, monthly, HOURS_PER_MONTH, NO_PRICE};

/// gp3 EBS storage, per GiB-month (<https://aws.amazon.com/ebs/pricing/>).
pub const GP3_USD_PER_GIB_MONTH: f64 = 0.08;

/// gp3 IOPS above the included 3,000, per IOPS-month (<https://aws.amazon.com/ebs/pricing/>).
pub const GP3_USD_PER_IOPS_MONTH: f64 = 0.005;

/// gp3 throughput above the included 125 MiB/s, per MiB/s-month
/// (<https://aws.amazon.com/ebs/pricing/>).
pub const GP3_USD_PER_MIBPS_MONTH: f64 = 0.04;

/// Fargate, Linux on x86_64, per vCPU-hour (<https://aws.amazon.com/fargate/pricing/>).
pub const FARGATE_X86_USD_PER_VCPU_HOUR: f64 = 0.04048;

/// Fargate, Linux on x86_64, per GB-hour of memory (<https://aws.amazon.com/fargate/pricing/>).
pub const FARGATE_X86_USD_PER_GB_HOUR: f64 = 0.004445;

/// Fargate, Linux on arm64 (Graviton), per vCPU-hour
/// (<https://aws.amazon.com/fargate/pricing/>).
pub const FARGATE_ARM_USD_PER_VCPU_HOUR: f64 = 0.03238;

/// Fargate, Linux on arm64 (Graviton), per GB-hour of memory
/// (<https://aws.amazon.com/fargate/pricing/>).
pub const FARGATE_ARM_USD_PER_GB_HOUR: f64 = 0.00356;

/// `count` EC2 instances of type `name`, on demand at `usd_per_hour` (Linux) when the table
/// knows the type; otherwise named as not counted.
pub fn ec2_instances(name: &str, usd_per_hour: Option<f64>, count: u32) -> CostItem {
    let item = format!("EC2 instance {name}");
    match usd_per_hour {
        Some(price) => CostItem::monthly(item, count, monthly(price)),
        None => CostItem::not_counted(item, count, NO_PRICE),
    }
}

/// `count` gp3 volumes of `usd_per_month_each` (see [`GP3_USD_PER_GIB_MONTH`] and the lines
/// below it) described by `what`, e.g. `30 GiB`.
pub fn gp3_volumes(what: &str, usd_per_month_each: f64, count: u32) -> CostItem {
    CostItem::monthly(format!("EBS gp3 volume {what}"), count, usd_per_month_each)
}

/// A task size as the report spells it: `0.5 vCPU 1 GB arm64`.
fn task_size(cpu_units: u32, memory_mib: u32, arch: Arch) -> String {
    format!(
        "{} vCPU {} GB {}",
        f64::from(cpu_units) / 1024.0,
        f64::from(memory_mib) / 1024.0,
        arch.as_str()
    )
}

/// The monthly price of one Fargate task of `cpu_units` (1024 a vCPU) and `memory_mib` running
/// all month on `arch`: vCPU-hours plus GB-hours (the 20 GB of ephemeral storage every task
/// has are included in the price).
pub fn fargate_task_usd_per_month(cpu_units: u32, memory_mib: u32, arch: Arch) -> f64 {
    let (per_vcpu, per_gb) = match arch {
        Arch::X86_64 => (FARGATE_X86_USD_PER_VCPU_HOUR, FARGATE_X86_USD_PER_GB_HOUR),
        Arch::Arm64 => (FARGATE_ARM_USD_PER_VCPU_HOUR, FARGATE_ARM_USD_PER_GB_HOUR),
    };
    let vcpu = f64::from(cpu_units) / 1024.0;
    let gb = f64::from(memory_mib) / 1024.0;
    cents((vcpu * per_vcpu + gb * per_gb) * HOURS_PER_MONTH)
}

/// `count` on-demand Fargate tasks of that size, running all month.
pub fn fargate_tasks(cpu_units: u32, memory_mib: u32, arch: Arch, count: u32) -> CostItem {
    CostItem::monthly(
        format!("Fargate task {}", task_size(cpu_units, memory_mib, arch)),
        count,
        fargate_task_usd_per_month(cpu_units, memory_mib, arch),
    )
}

/// `count` Fargate Spot tasks of that size: named, not counted, as Spot prices move.
pub fn fargate_spot_tasks(cpu_units: u32, memory_mib: u32, arch: Arch, count: u32) -> CostItem {
    CostItem::not_counted(
        format!(
            "Fargate Spot task {}",
            task_size(cpu_units, memory_mib, arch)
        ),
        count,
        "Spot prices vary; at most the on-demand price",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_half_vcpu_one_gb_tasks_cost_the_table_figures_times_the_hours() {
        let item = fargate_tasks(512, 1024, Arch::X86_64, 2);
        assert_eq!(item.item, "Fargate task 0.5 vCPU 1 GB x86_64");
        assert_eq!(item.count, 2);
        // (0.5 x 0.04048 + 1 x 0.004445) USD/h x 730 h = 18.02005
        assert_eq!(item.usd_per_month_each(), Some(18.02));
        assert_eq!(item.usd_per_month(), Some(36.04));
    }

    #[test]
    fn arm64_tasks_are_cheaper() {
        // (0.25 x 0.03238 + 0.5 x 0.00356) x 730 = 7.20875
        assert_eq!(fargate_task_usd_per_month(256, 512, Arch::Arm64), 7.21);
        // (0.25 x 0.04048 + 0.5 x 0.004445) x 730 = 9.010025
        assert_eq!(fargate_task_usd_per_month(256, 512, Arch::X86_64), 9.01);
        let spot = fargate_spot_tasks(256, 512, Arch::Arm64, 3);
        assert_eq!(spot.usd_per_month_each(), None);
        assert_eq!(spot.item, "Fargate Spot task 0.25 vCPU 0.5 GB arm64");
    }

    #[test]
    fn instances_without_a_price_are_named_not_counted() {
        assert_eq!(
            ec2_instances("t3.small", Some(0.0208), 2).usd_per_month_each(),
            Some(15.18)
        );
        let unknown = ec2_instances("m7i.4xlarge", None, 2);
        assert_eq!(unknown.usd_per_month_each(), None);
        assert_eq!(
            unknown.price,
            rcdk_core::Price::NotCounted(NO_PRICE.to_string())
        );
    }
}
