//! Property groups a schema requires (`requiredXor`, `oneOf` of required lists) are checked at
//! synthesis by the generated resources.

use cdk_constructs::cfn::ec2::Vpc;
use cdk_core::{App, Resource, Stack, Val};

fn synth(vpc: Vpc) -> Result<(), String> {
    let mut app = App::new();
    app.add(Stack::new("Groups").with("Vpc", vpc));
    app.synth().map(|_| ()).map_err(|e| format!("{e:?}"))
}

#[test]
fn a_vpc_needs_exactly_one_of_its_cidr_sources() {
    let err = synth(Vpc::new()).expect_err("neither CidrBlock nor Ipv4IpamPoolId");
    assert!(
        err.contains(
            "AWS::EC2::VPC needs exactly one of `CidrBlock`, `Ipv4IpamPoolId` but 0 are set"
        ),
        "{err}"
    );
    let both = Vpc::new()
        .cidr_block("10.0.0.0/16")
        .ipv4_ipam_pool_id("ipam-pool-0123456789abcdef0");
    let err = synth(both).expect_err("both set");
    assert!(err.contains("but 2 are set"), "{err}");
    synth(Vpc::new().cidr_block("10.0.0.0/16")).expect("one set");
}

#[test]
fn conditional_values_and_overrides_are_left_to_cloudformation() {
    let maybe = Val::<String>::no_value();
    synth(Vpc::new().cidr_block(maybe)).expect("AWS::NoValue may or may not leave a value");
    let overridden = Vpc::new().add_override("Properties.CidrBlock", "10.0.0.0/16");
    synth(overridden).expect("set through an override");
}
