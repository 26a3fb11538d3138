//! Typed EC2 instance types: the common general-purpose, compute and memory types as constants
//! (with their CPU architecture, whether they burst, and their hourly list price for the cost
//! summary), and [`InstanceType::other`] for any other type, checked for its shape.

use std::borrow::Cow;

use crate::error::ConstructError;

/// The CPU architecture of an instance type: it decides which AMI the instance can boot
/// ([`MachineImage::amazon_linux_2023`](super::MachineImage::amazon_linux_2023) picks the
/// matching one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CpuArchitecture {
    /// Intel and AMD (`x86_64`).
    X86_64,
    /// AWS Graviton (`arm64`).
    Arm64,
}

impl CpuArchitecture {
    /// The spelling in AMI parameter names: `x86_64`, `arm64`.
    pub fn as_str(self) -> &'static str {
        match self {
            CpuArchitecture::X86_64 => "x86_64",
            CpuArchitecture::Arm64 => "arm64",
        }
    }
}

/// An EC2 instance type, e.g. [`InstanceType::T3_SMALL`].
///
/// ```
/// use rcdk_constructs::compute::{CpuArchitecture, InstanceType};
/// assert_eq!(InstanceType::T4G_SMALL.name(), "t4g.small");
/// assert_eq!(InstanceType::T4G_SMALL.architecture(), CpuArchitecture::Arm64);
/// let big = InstanceType::other("m7i.4xlarge", CpuArchitecture::X86_64)?;
/// assert!(InstanceType::other("m7i", CpuArchitecture::X86_64).is_err());
/// # let _ = big;
/// # Ok::<(), rcdk_constructs::error::ConstructError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceType {
    name: Cow<'static, str>,
    architecture: CpuArchitecture,
    burstable: bool,
    /// On-demand Linux list price in us-east-1, when this table knows it.
    usd_per_hour: Option<f64>,
}

macro_rules! instance_types {
    ($($konst:ident = $name:literal, $arch:ident, $burst:literal, $price:literal;)*) => {
        impl InstanceType {
            $(
                #[doc = concat!("`", $name, "`.")]
                pub const $konst: InstanceType = InstanceType {
                    name: Cow::Borrowed($name),
                    architecture: CpuArchitecture::$arch,
                    burstable: $burst,
                    usd_per_hour: Some($price),
                };
            )*

            /// Every type this table names (the constants above).
            pub fn known() -> Vec<InstanceType> {
                vec![$(InstanceType::$konst),*]
            }
        }
    };
}

// On-demand Linux prices, us-east-1, USD per hour (see `crate::pricing` for the date and what
// the cost summary leaves out).
instance_types! {
    T3_NANO = "t3.nano", X86_64, true, 0.0052;
    T3_MICRO = "t3.micro", X86_64, true, 0.0104;
    T3_SMALL = "t3.small", X86_64, true, 0.0208;
    T3_MEDIUM = "t3.medium", X86_64, true, 0.0416;
    T3_LARGE = "t3.large", X86_64, true, 0.0832;
    T3_XLARGE = "t3.xlarge", X86_64, true, 0.1664;
    T3_2XLARGE = "t3.2xlarge", X86_64, true, 0.3328;
    T3A_MICRO = "t3a.micro", X86_64, true, 0.0094;
    T3A_SMALL = "t3a.small", X86_64, true, 0.0188;
    T3A_MEDIUM = "t3a.medium", X86_64, true, 0.0376;
    T3A_LARGE = "t3a.large", X86_64, true, 0.0752;
    T4G_NANO = "t4g.nano", Arm64, true, 0.0042;
    T4G_MICRO = "t4g.micro", Arm64, true, 0.0084;
    T4G_SMALL = "t4g.small", Arm64, true, 0.0168;
    T4G_MEDIUM = "t4g.medium", Arm64, true, 0.0336;
    T4G_LARGE = "t4g.large", Arm64, true, 0.0672;
    T4G_XLARGE = "t4g.xlarge", Arm64, true, 0.1344;
    M6I_LARGE = "m6i.large", X86_64, false, 0.096;
    M6I_XLARGE = "m6i.xlarge", X86_64, false, 0.192;
    M7I_LARGE = "m7i.large", X86_64, false, 0.1008;
    M7I_XLARGE = "m7i.xlarge", X86_64, false, 0.2016;
    M7I_2XLARGE = "m7i.2xlarge", X86_64, false, 0.4032;
    M7G_LARGE = "m7g.large", Arm64, false, 0.0816;
    M7G_XLARGE = "m7g.xlarge", Arm64, false, 0.1632;
    C7I_LARGE = "c7i.large", X86_64, false, 0.08925;
    C7I_XLARGE = "c7i.xlarge", X86_64, false, 0.1785;
    C7G_LARGE = "c7g.large", Arm64, false, 0.0725;
    C7G_XLARGE = "c7g.xlarge", Arm64, false, 0.145;
    R7I_LARGE = "r7i.large", X86_64, false, 0.1323;
}

impl InstanceType {
    /// Any other type, e.g. `m7i.4xlarge`, with its architecture (which cannot be told from the
    /// name reliably). The name must look like `family.size` (lower-case letters, digits and
    /// `-`); the cost report names its instances as not counted, having no price for it. Types of the `t` families are taken to be
    /// burstable.
    pub fn other(
        name: &str,
        architecture: CpuArchitecture,
    ) -> Result<InstanceType, ConstructError> {
        let valid_part = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        };
        let shaped = match name.split_once('.') {
            Some((family, size)) => {
                valid_part(family)
                    && valid_part(size)
                    && family.starts_with(|c: char| c.is_ascii_lowercase())
            }
            None => false,
        };
        if !shaped || name.len() > 64 {
            return Err(ConstructError::InvalidName {
                construct: "InstanceType",
                what: "instance type",
                name: name.to_string(),
                rule: "it must be `family.size` in lower case, e.g. `m7i.4xlarge`",
            });
        }
        if let Some(known) = InstanceType::known().into_iter().find(|t| t.name == name) {
            if known.architecture != architecture {
                return Err(ConstructError::Conflict {
                    construct: format!("InstanceType `{name}`"),
                    problem: format!(
                        "it is an {} type, not {}; use InstanceType::{} instead",
                        known.architecture.as_str(),
                        architecture.as_str(),
                        name.replace(['.', '-'], "_").to_uppercase()
                    ),
                });
            }
            return Ok(known);
        }
        Ok(InstanceType {
            name: Cow::Owned(name.to_string()),
            architecture,
            burstable: name.starts_with('t'),
            usd_per_hour: None,
        })
    }

    /// The EC2 name, e.g. `t3.small`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The CPU architecture.
    pub fn architecture(&self) -> CpuArchitecture {
        self.architecture
    }

    /// Whether the type runs on CPU credits (the `t` families).
    pub fn is_burstable(&self) -> bool {
        self.burstable
    }

    /// The on-demand Linux list price in us-east-1, in USD per hour, when known.
    pub fn usd_per_hour(&self) -> Option<f64> {
        self.usd_per_hour
    }
}

impl std::fmt::Display for InstanceType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}
