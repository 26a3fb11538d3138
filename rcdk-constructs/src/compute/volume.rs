//! The root volume of an instance: gp3, encrypted, deleted with the instance, with a typed size,
//! IOPS and throughput checked against EBS's limits.

use rcdk_core::Val;

use crate::cfn::ec2::launch_template as lt;
use crate::error::ConstructError;
use crate::pricing;

/// gp3 sizes EBS accepts, in GiB.
pub const GP3_SIZE_GIB: std::ops::RangeInclusive<u32> = 1..=65_536;
/// gp3 IOPS EBS accepts (3,000 are included at no charge).
pub const GP3_IOPS: std::ops::RangeInclusive<u32> = 3_000..=80_000;
/// gp3 throughput EBS accepts, in MiB/s (125 are included at no charge).
pub const GP3_THROUGHPUT_MIBPS: std::ops::RangeInclusive<u32> = 125..=2_000;
/// gp3's most IOPS per GiB of size.
pub const GP3_IOPS_PER_GIB: u32 = 500;
/// gp3's most throughput per provisioned IOPS, as IOPS per MiB/s (0.25 MiB/s per IOPS).
pub const GP3_IOPS_PER_MIBPS: u32 = 4;

/// An encrypted gp3 volume (the only kind this construct writes: gp3 is cheaper than gp2 at
/// the same baseline, and IOPS and throughput are set apart from the size).
///
/// ```
/// use rcdk_constructs::compute::Gp3Volume;
/// let root = Gp3Volume::gib(30)?.iops(6_000)?.throughput_mibps(250)?;
/// assert!(Gp3Volume::gib(30)?.iops(20_000).is_err()); // over 500 IOPS per GiB
/// assert!(Gp3Volume::gib(30)?.throughput_mibps(1_000).is_err()); // over IOPS / 4
/// # let _ = root;
/// # Ok::<(), rcdk_constructs::error::ConstructError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Gp3Volume {
    size_gib: u32,
    iops: u32,
    throughput_mibps: u32,
    kms_key: Option<Val<String>>,
}

fn out_of_range(setting: &'static str, value: u32, allowed: &'static str) -> ConstructError {
    ConstructError::OutOfRange {
        construct: "Gp3Volume",
        setting,
        value: i64::from(value),
        allowed,
    }
}

impl Gp3Volume {
    /// A volume of `size` GiB with gp3's included 3,000 IOPS and 125 MiB/s.
    pub fn gib(size: u32) -> Result<Gp3Volume, ConstructError> {
        if !GP3_SIZE_GIB.contains(&size) {
            return Err(out_of_range("size (GiB)", size, "1-65,536 GiB"));
        }
        Ok(Gp3Volume {
            size_gib: size,
            iops: *GP3_IOPS.start(),
            throughput_mibps: *GP3_THROUGHPUT_MIBPS.start(),
            kms_key: None,
        })
    }

    /// Provisioned IOPS: 3,000-80,000, at most 500 per GiB of size (above 3,000).
    pub fn iops(mut self, iops: u32) -> Result<Gp3Volume, ConstructError> {
        if !GP3_IOPS.contains(&iops) {
            return Err(out_of_range("IOPS", iops, "3,000-80,000"));
        }
        self.iops = iops;
        self.check_ratios()?;
        Ok(self)
    }

    /// Provisioned throughput in MiB/s: 125-2,000, at most 0.25 MiB/s per provisioned IOPS.
    pub fn throughput_mibps(mut self, mibps: u32) -> Result<Gp3Volume, ConstructError> {
        if !GP3_THROUGHPUT_MIBPS.contains(&mibps) {
            return Err(out_of_range("throughput (MiB/s)", mibps, "125-2,000 MiB/s"));
        }
        self.throughput_mibps = mibps;
        self.check_ratios()?;
        Ok(self)
    }

    /// Encrypts with this customer-managed KMS key (id, ARN or alias) instead of the account's
    /// default EBS key. The key policy must let the Auto Scaling service-linked role use it.
    pub fn encryption_key(mut self, key: impl Into<Val<String>>) -> Gp3Volume {
        self.kms_key = Some(key.into());
        self
    }

    fn check_ratios(&self) -> Result<(), ConstructError> {
        let conflict = |problem: String| ConstructError::Conflict {
            construct: "Gp3Volume".to_string(),
            problem,
        };
        if self.iops > *GP3_IOPS.start()
            && u64::from(self.iops) > u64::from(self.size_gib) * u64::from(GP3_IOPS_PER_GIB)
        {
            return Err(conflict(format!(
                "{} IOPS on {} GiB is over gp3's 500 IOPS per GiB: make the volume at least {} \
                 GiB or provision fewer IOPS",
                self.iops,
                self.size_gib,
                self.iops.div_ceil(GP3_IOPS_PER_GIB)
            )));
        }
        if self.throughput_mibps > *GP3_THROUGHPUT_MIBPS.start()
            && self.throughput_mibps * GP3_IOPS_PER_MIBPS > self.iops
        {
            return Err(conflict(format!(
                "{} MiB/s with {} IOPS is over gp3's 0.25 MiB/s per IOPS: provision at least \
                 {} IOPS (set .iops(..) first) or less throughput",
                self.throughput_mibps,
                self.iops,
                self.throughput_mibps * GP3_IOPS_PER_MIBPS
            )));
        }
        Ok(())
    }

    /// The size in GiB.
    pub fn size_gib(&self) -> u32 {
        self.size_gib
    }

    /// The provisioned IOPS.
    pub fn provisioned_iops(&self) -> u32 {
        self.iops
    }

    /// The provisioned throughput in MiB/s.
    pub fn provisioned_throughput_mibps(&self) -> u32 {
        self.throughput_mibps
    }

    /// The block device mapping for `device`.
    pub(crate) fn mapping(&self, device: &str) -> lt::BlockDeviceMapping {
        let mut ebs = lt::Ebs::new()
            .volume_type(lt::EbsVolumeType::Gp3)
            .volume_size(i64::from(self.size_gib))
            .iops(i64::from(self.iops))
            .throughput(i64::from(self.throughput_mibps))
            .encrypted(true)
            .delete_on_termination(true);
        if let Some(key) = &self.kms_key {
            ebs.set_kms_key_id(key.clone());
        }
        lt::BlockDeviceMapping::new().device_name(device).ebs(ebs)
    }

    /// The list price per month of one such volume (storage, and IOPS and throughput above
    /// what gp3 includes).
    pub(crate) fn usd_per_month(&self) -> f64 {
        let extra_iops = self.iops.saturating_sub(*GP3_IOPS.start());
        let extra_throughput = self
            .throughput_mibps
            .saturating_sub(*GP3_THROUGHPUT_MIBPS.start());
        let usd = f64::from(self.size_gib) * pricing::GP3_USD_PER_GIB_MONTH
            + f64::from(extra_iops) * pricing::GP3_USD_PER_IOPS_MONTH
            + f64::from(extra_throughput) * pricing::GP3_USD_PER_MIBPS_MONTH;
        (usd * 100.0).round() / 100.0
    }
}
