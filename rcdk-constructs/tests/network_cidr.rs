//! Property tests of the subnet CIDR allocator, and one test per rejected input.

use proptest::prelude::*;
use rcdk_constructs::error::ConstructError;
use rcdk_constructs::network::{allocate_subnets, Cidr, TierRequest};

fn auto(name: &str, prefix: u8) -> TierRequest {
    TierRequest {
        name: name.into(),
        prefix,
        explicit: None,
    }
}

fn cidr(text: &str) -> Cidr {
    Cidr::parse(text).unwrap()
}

/// Every subnet is inside the VPC, has its tier's prefix, there is one per AZ, and no two share
/// an address.
fn assert_valid(vpc: Cidr, azs: usize, tiers: &[TierRequest], out: &[Vec<Cidr>]) {
    assert_eq!(out.len(), tiers.len());
    let mut all = Vec::new();
    for (t, subnets) in tiers.iter().zip(out) {
        assert_eq!(subnets.len(), azs, "tier {}", t.name);
        for s in subnets {
            assert!(vpc.contains(*s), "{s} outside {vpc}");
            assert_eq!(s.prefix(), t.prefix);
            all.push(*s);
        }
        if let Some(explicit) = &t.explicit {
            assert_eq!(explicit, subnets, "explicit CIDRs are kept as given");
        }
    }
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert!(!a.overlaps(*b), "{a} overlaps {b}");
        }
    }
}

fn layout() -> impl Strategy<Value = (Cidr, usize, Vec<TierRequest>)> {
    (16u8..=24, 0u32..=255, 1usize..=6).prop_flat_map(|(vpc_prefix, second, azs)| {
        let vpc = Cidr::new(
            (10u32 << 24) | ((second << 16) & !(u32::MAX >> vpc_prefix)),
            vpc_prefix,
        )
        .expect("aligned by construction");
        let tiers = prop::collection::vec(vpc_prefix..=28, 1..=5).prop_map(|prefixes| {
            prefixes
                .into_iter()
                .enumerate()
                .map(|(i, p)| auto(&format!("Tier{i}"), p))
                .collect::<Vec<_>>()
        });
        (Just(vpc), Just(azs), tiers)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Automatic allocation succeeds exactly when the subnets fit, and never overlaps.
    #[test]
    fn automatic_allocation_never_overlaps((vpc, azs, tiers) in layout()) {
        let needed: u64 = tiers.iter().map(|t| (1u64 << (32 - t.prefix as u32)) * azs as u64).sum();
        match allocate_subnets(vpc, azs, &tiers) {
            Ok(out) => {
                prop_assert!(needed <= vpc.size());
                assert_valid(vpc, azs, &tiers, &out);
            }
            Err(ConstructError::VpcTooSmall { needed: n, available, .. }) => {
                prop_assert_eq!(n, needed);
                prop_assert_eq!(available, vpc.size());
                prop_assert!(needed > vpc.size(), "rejected although {needed} <= {}", vpc.size());
            }
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    /// Fixing some tiers to the CIDRs a first run chose and allocating the rest again keeps the
    /// fixed ones and still never overlaps.
    #[test]
    fn explicit_and_automatic_mix((vpc, azs, tiers) in layout(), keep in prop::collection::vec(any::<bool>(), 5)) {
        let Ok(first) = allocate_subnets(vpc, azs, &tiers) else { return Ok(()) };
        let mixed: Vec<TierRequest> = tiers
            .iter()
            .zip(&first)
            .zip(&keep)
            .map(|((t, cidrs), &k)| TierRequest { explicit: k.then(|| cidrs.clone()), ..t.clone() })
            .collect();
        let out = allocate_subnets(vpc, azs, &mixed).expect("the first layout proves it fits");
        assert_valid(vpc, azs, &mixed, &out);
    }

    /// Explicit CIDRs outside the VPC are always rejected with the subnet named.
    #[test]
    fn out_of_range_is_rejected(third in 0u32..=255) {
        let vpc = cidr("10.0.0.0/16");
        let outside = Cidr::new((10 << 24) | (1 << 16) | (third << 8), 24).unwrap();
        let tiers = [TierRequest { explicit: Some(vec![outside]), ..auto("Public", 24) }];
        let err = allocate_subnets(vpc, 1, &tiers).unwrap_err();
        prop_assert!(matches!(err, ConstructError::SubnetOutOfRange { .. }), "{err}");
    }
}

fn message(vpc: &str, azs: usize, tiers: &[TierRequest]) -> String {
    allocate_subnets(cidr(vpc), azs, tiers)
        .unwrap_err()
        .to_string()
}

#[test]
fn too_small_vpc_says_how_much_is_needed() {
    let msg = message("10.0.0.0/24", 2, &[auto("Public", 25), auto("Private", 25)]);
    assert_eq!(
        msg,
        "VPC CIDR 10.0.0.0/24 is too small: the tiers need 512 addresses (Public: 2 x /25, \
         Private: 2 x /25) but it holds 256; use a larger VPC CIDR (a shorter prefix such as /23), \
         fewer AZs or longer subnet prefixes"
    );
}

#[test]
fn overlapping_subnets_are_named() {
    let tiers = [
        TierRequest {
            explicit: Some(vec![cidr("10.0.1.0/24")]),
            ..auto("Public", 24)
        },
        TierRequest {
            explicit: Some(vec![cidr("10.0.0.0/23")]),
            ..auto("Private", 23)
        },
    ];
    assert_eq!(
        message("10.0.0.0/16", 1, &tiers),
        "subnet 10.0.1.0/24 (tier 'Public') overlaps subnet 10.0.0.0/23 (tier 'Private'); give \
         them disjoint CIDRs"
    );
}

#[test]
fn out_of_range_subnet_is_named() {
    let tiers = [TierRequest {
        explicit: Some(vec![cidr("10.1.0.0/24")]),
        ..auto("Data", 24)
    }];
    assert_eq!(
        message("10.0.0.0/16", 1, &tiers),
        "subnet 10.1.0.0/24 of tier 'Data' is outside the VPC CIDR 10.0.0.0/16; pick a subnet \
         inside 10.0.0.0/16"
    );
}

#[test]
fn prefixes_outside_ec2_limits() {
    assert!(message("10.0.0.0/8", 1, &[auto("Public", 24)])
        .starts_with("VPC CIDR 10.0.0.0/8 has prefix /8, but EC2 accepts /16 to /28"));
    assert!(message("10.0.0.0/16", 1, &[auto("Public", 29)])
        .starts_with("the subnets of tier 'Public' has prefix /29, but EC2 accepts /16 to /28"));
}

#[test]
fn explicit_cidr_count_and_prefix_are_checked() {
    let one = [TierRequest {
        explicit: Some(vec![cidr("10.0.1.0/24")]),
        ..auto("Public", 24)
    }];
    assert_eq!(
        message("10.0.0.0/16", 2, &one),
        "tier 'Public' has 1 explicit CIDRs but the VPC spans 2 AZs; give exactly one CIDR per \
         AZ, or none to allocate them automatically"
    );
    let wrong = [TierRequest {
        explicit: Some(vec![cidr("10.0.0.0/25")]),
        ..auto("Public", 24)
    }];
    assert!(message("10.0.0.0/16", 1, &wrong).contains("is not a /24 as the tier says"));
}

#[test]
fn tier_names_are_checked() {
    assert!(message("10.0.0.0/16", 1, &[auto("Pub-lic", 24)]).contains("ASCII letters or digits"));
    assert!(message("10.0.0.0/16", 1, &[auto("A", 24), auto("A", 24)]).contains("used twice"));
    assert!(message("10.0.0.0/16", 1, &[]).contains("at least one tier"));
    assert!(message("10.0.0.0/16", 0, &[auto("A", 24)]).contains("at least one AZ"));
    assert!(message("10.0.0.0/16", 1, &[auto("Resource", 24)])
        .starts_with("tier name 'Resource' is reserved"));
    assert!(message("10.0.0.0/16", 1, &[auto("S3Endpoint", 24)]).contains("is reserved"));
}

#[test]
fn computed_cidr_text_is_checked_at_run_time() {
    let err = Cidr::parse("10.0.300.0/24").unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid CIDR '10.0.300.0/24': a number of the address is above 255; each of the four \
         numbers must be 0-255; write it as four numbers 0-255 and a prefix length, e.g. \
         10.0.0.0/16"
    );
}
