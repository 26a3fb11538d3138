//! Tiers (ordered groups of subnets, one subnet per AZ) and the subnet CIDR allocator.

use crate::error::{ConstructError, RESERVED_TIER_NAMES};
use crate::network::cidr::{Cidr, IntoCidr};

/// Shortest and longest prefix EC2 accepts for VPCs and subnets.
pub const MIN_PREFIX: u8 = 16;
/// Longest prefix EC2 accepts for VPCs and subnets.
pub const MAX_PREFIX: u8 = 28;

/// What a tier's subnets can reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TierKind {
    /// Default route to the internet gateway (load balancers, NAT gateways).
    Public,
    /// Default route to a NAT gateway in a public tier: outbound only (application tasks).
    PrivateWithEgress,
    /// No route out of the VPC (databases, caches; the seeds' data tier).
    Isolated,
}

impl TierKind {
    /// Lower-case name for messages and tags.
    pub fn as_str(self) -> &'static str {
        match self {
            TierKind::Public => "public",
            TierKind::PrivateWithEgress => "private",
            TierKind::Isolated => "isolated",
        }
    }
}

/// One tier of a [`TieredVpc`](crate::network::TieredVpc): a name, a kind and a prefix length,
/// optionally with explicit CIDRs (one per AZ, in AZ order).
///
/// ```
/// use rcdk_constructs::{cidr, network::Tier};
/// let public = Tier::public("Public", 24).cidrs([cidr!("10.0.1.0/24"), cidr!("10.0.2.0/24")]);
/// let data = Tier::isolated("Data", 24);
/// # let _ = (public, data);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    pub(crate) name: String,
    pub(crate) kind: TierKind,
    pub(crate) prefix: u8,
    pub(crate) cidrs: Option<Vec<Result<Cidr, ConstructError>>>,
    pub(crate) map_public_ip: bool,
}

impl Tier {
    /// A tier of `kind` whose subnets are `/prefix`.
    pub fn new(name: impl Into<String>, kind: TierKind, prefix: u8) -> Tier {
        Tier {
            name: name.into(),
            kind,
            prefix,
            cidrs: None,
            map_public_ip: false,
        }
    }

    /// A public tier.
    pub fn public(name: impl Into<String>, prefix: u8) -> Tier {
        Tier::new(name, TierKind::Public, prefix)
    }

    /// A private tier with outbound internet access through NAT.
    pub fn private(name: impl Into<String>, prefix: u8) -> Tier {
        Tier::new(name, TierKind::PrivateWithEgress, prefix)
    }

    /// An isolated tier (no internet route).
    pub fn isolated(name: impl Into<String>, prefix: u8) -> Tier {
        Tier::new(name, TierKind::Isolated, prefix)
    }

    /// Explicit subnet CIDRs, one per AZ in AZ order (checked by `build()`).
    pub fn cidrs<C: IntoCidr>(mut self, cidrs: impl IntoIterator<Item = C>) -> Tier {
        self.cidrs = Some(cidrs.into_iter().map(IntoCidr::into_cidr).collect());
        self
    }

    /// Gives instances launched in this tier's subnets a public IPv4 address (public tiers only;
    /// off by default: load balancers and NAT gateways do not need it, and nothing else then
    /// gets an address without asking for one). Turning it on records the finding it causes,
    /// with this call as the reason.
    pub fn map_public_ip_on_launch(mut self, on: bool) -> Tier {
        self.map_public_ip = on;
        self
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The kind.
    pub fn kind(&self) -> TierKind {
        self.kind
    }

    /// The subnets' prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }
}

/// The input of [`allocate_subnets`] for one tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierRequest {
    /// Tier name (for messages).
    pub name: String,
    /// Prefix length of its subnets.
    pub prefix: u8,
    /// Explicit CIDRs, one per AZ, if given.
    pub explicit: Option<Vec<Cidr>>,
}

/// Checks the tiers against the VPC CIDR and allocates every subnet without explicit CIDRs:
/// returns, per tier, one CIDR per AZ. Subnets are placed in tier order at the lowest free
/// aligned address; if that order leaves no room, larger blocks are placed first, which always
/// fits when the total size does.
pub fn allocate_subnets(
    vpc: Cidr,
    az_count: usize,
    tiers: &[TierRequest],
) -> Result<Vec<Vec<Cidr>>, ConstructError> {
    check_prefix(format!("VPC CIDR {vpc}"), vpc.prefix())?;
    if az_count == 0 {
        return Err(ConstructError::NoAzs);
    }
    if tiers.is_empty() {
        return Err(ConstructError::NoTiers);
    }
    let mut reserved: Vec<(Cidr, &str)> = Vec::new();
    for (i, t) in tiers.iter().enumerate() {
        check_tier_name(&t.name)?;
        if tiers[..i].iter().any(|o| o.name == t.name) {
            return Err(ConstructError::DuplicateTier {
                name: t.name.clone(),
            });
        }
        check_prefix(format!("the subnets of tier '{}'", t.name), t.prefix)?;
        let Some(explicit) = &t.explicit else {
            continue;
        };
        if explicit.len() != az_count {
            return Err(ConstructError::CidrCountMismatch {
                tier: t.name.clone(),
                given: explicit.len(),
                azs: az_count,
            });
        }
        for &c in explicit {
            if c.prefix() != t.prefix {
                return Err(ConstructError::TierPrefixMismatch {
                    tier: t.name.clone(),
                    subnet: c.to_string(),
                    prefix: t.prefix,
                });
            }
            if !vpc.contains(c) {
                return Err(ConstructError::SubnetOutOfRange {
                    tier: t.name.clone(),
                    subnet: c.to_string(),
                    vpc: vpc.to_string(),
                });
            }
            if let Some((other, other_tier)) = reserved.iter().find(|(o, _)| o.overlaps(c)) {
                return Err(ConstructError::SubnetOverlap {
                    first: other.to_string(),
                    first_tier: other_tier.to_string(),
                    second: c.to_string(),
                    second_tier: t.name.clone(),
                });
            }
            reserved.push((c, &t.name));
        }
    }
    let needed: u64 = tiers
        .iter()
        .map(|t| (1u64 << (32 - u32::from(t.prefix))) * az_count as u64)
        .sum();
    let too_small = |note: &str| {
        let bits = 64 - (needed - 1).leading_zeros();
        let detail = tiers
            .iter()
            .map(|t| format!("{}: {az_count} x /{}", t.name, t.prefix))
            .collect::<Vec<_>>()
            .join(", ");
        ConstructError::VpcTooSmall {
            vpc: vpc.to_string(),
            needed,
            available: vpc.size(),
            detail: detail + note,
            suggested_prefix: 32u32.saturating_sub(bits) as u8,
        }
    };
    if needed > vpc.size() {
        return Err(too_small(""));
    }
    let fixed: Vec<Cidr> = reserved.iter().map(|(c, _)| *c).collect();
    let wanted: Vec<(usize, u8)> = tiers
        .iter()
        .enumerate()
        .filter(|(_, t)| t.explicit.is_none())
        .map(|(i, t)| (i, t.prefix))
        .collect();
    let in_order = place(vpc, az_count, &fixed, &wanted);
    let placed = match in_order {
        Some(p) => p,
        None => {
            let mut by_size = wanted.clone();
            by_size.sort_by_key(|&(_, prefix)| prefix);
            place(vpc, az_count, &fixed, &by_size).ok_or_else(|| {
                too_small(" and the explicit CIDRs leave no aligned room for the rest")
            })?
        }
    };
    Ok(tiers
        .iter()
        .enumerate()
        .map(|(i, t)| match &t.explicit {
            Some(e) => e.clone(),
            None => placed
                .iter()
                .filter(|(tier, _)| *tier == i)
                .map(|(_, c)| *c)
                .collect(),
        })
        .collect())
}

/// Places `az_count` blocks for each `(tier, prefix)` in order, first fit from the VPC start.
fn place(
    vpc: Cidr,
    az_count: usize,
    fixed: &[Cidr],
    wanted: &[(usize, u8)],
) -> Option<Vec<(usize, Cidr)>> {
    let mut taken: Vec<Cidr> = fixed.to_vec();
    let mut out = Vec::new();
    for &(tier, prefix) in wanted {
        for _ in 0..az_count {
            let c = first_fit(vpc, prefix, &taken)?;
            taken.push(c);
            out.push((tier, c));
        }
    }
    Some(out)
}

fn first_fit(vpc: Cidr, prefix: u8, taken: &[Cidr]) -> Option<Cidr> {
    let size = 1u64 << (32 - u32::from(prefix));
    let end = u64::from(vpc.last()) + 1;
    let mut at = u64::from(vpc.addr());
    while at + size <= end {
        let candidate = Cidr::new(u32::try_from(at).ok()?, prefix)?;
        match taken
            .iter()
            .filter(|t| t.overlaps(candidate))
            .map(|t| t.last())
            .max()
        {
            None => return Some(candidate),
            Some(last) => at = (u64::from(last) + 1).div_ceil(size) * size,
        }
    }
    None
}

fn check_prefix(what: String, prefix: u8) -> Result<(), ConstructError> {
    if (MIN_PREFIX..=MAX_PREFIX).contains(&prefix) {
        Ok(())
    } else {
        Err(ConstructError::PrefixOutOfRange { what, prefix })
    }
}

pub(crate) fn check_tier_name(name: &str) -> Result<(), ConstructError> {
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ConstructError::InvalidTierName { name: name.into() });
    }
    // Tiers are children of the VPC next to these; `Resource` and `Default` would also vanish
    // from logical ids.
    if RESERVED_TIER_NAMES.contains(&name) || name.ends_with("Endpoint") || name.ends_with("Nacl") {
        return Err(ConstructError::ReservedTierName { name: name.into() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str, prefix: u8) -> TierRequest {
        TierRequest {
            name: name.into(),
            prefix,
            explicit: None,
        }
    }

    #[test]
    fn allocates_in_tier_order() {
        let vpc = Cidr::parse("10.0.0.0/16").unwrap();
        let out = allocate_subnets(vpc, 2, &[req("Public", 24), req("Private", 22)]).unwrap();
        let text: Vec<Vec<String>> = out
            .iter()
            .map(|t| t.iter().map(ToString::to_string).collect())
            .collect();
        assert_eq!(
            text,
            [
                vec!["10.0.0.0/24", "10.0.1.0/24"],
                vec!["10.0.4.0/22", "10.0.8.0/22"]
            ]
        );
    }

    #[test]
    fn fills_the_vpc_exactly_with_mixed_sizes() {
        let vpc = Cidr::parse("10.0.0.0/23").unwrap();
        let out = allocate_subnets(vpc, 1, &[req("A", 25), req("B", 24), req("C", 25)]).unwrap();
        assert_eq!(out[0][0].to_string(), "10.0.0.0/25");
        assert_eq!(out[1][0].to_string(), "10.0.1.0/24");
        assert_eq!(out[2][0].to_string(), "10.0.0.128/25");
    }
}
