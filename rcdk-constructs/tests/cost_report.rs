//! The cost report names what no construct prices: a resource with a fixed charge made directly
//! from the generated layer is listed as not counted, while the constructs' own resources are
//! not listed twice.

use rcdk_constructs::cfn::kms;
use rcdk_constructs::storage::Secret;
use rcdk_core::{App, Price, Stack};

#[test]
fn a_key_made_directly_is_named_and_a_secret_construct_is_priced() {
    let assembly = App::new()
        .with(
            Stack::new("Keys")
                .with("Key", kms::Key::new())
                .with("Token", Secret::generated()),
        )
        .synth()
        .unwrap();
    let costs: Vec<_> = assembly
        .costs
        .iter()
        .map(|(path, c)| (path.as_str(), c.item.as_str(), c.count, c.price.clone()))
        .collect();
    assert_eq!(
        costs,
        [
            (
                "Keys/Token",
                "Secrets Manager secret",
                1,
                Price::UsdPerMonth(0.4)
            ),
            (
                "Keys/Key",
                "AWS::KMS::Key",
                1,
                Price::NotCounted("made without a construct that prices it".into())
            ),
        ]
    );
    let report = rcdk_core::cli::cost_lines(&assembly.costs);
    assert!(
        report.contains(
            &"  not counted: 1 x AWS::KMS::Key (made without a construct that prices it)"
                .to_string()
        ),
        "{report:#?}"
    );
}
