//! Property groups a schema requires (`requiredXor`, `oneOf` of required lists) are checked at
//! synthesis by the generated resources.

use rcdk_constructs::cfn::ec2::Vpc;
use rcdk_core::{fns, App, Condition, Resource, Stack, Val};

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
    // A plain `AWS::NoValue` is no value at all (the setter removes the property); inside
    // `Fn::If` it may or may not leave one, which only CloudFormation knows.
    let use_block = Condition::new(fns::equals(fns::region(), "eu-west-1"));
    let maybe = use_block.select("10.0.0.0/16", Val::<String>::no_value());
    let mut app = App::new();
    app.add(
        Stack::new("Groups")
            .with("UseBlock", use_block)
            .with("Vpc", Vpc::new().cidr_block(maybe)),
    );
    app.synth()
        .map(|_| ())
        .expect("Fn::If may or may not leave a value");
    let err = synth(Vpc::new().cidr_block(Val::<String>::no_value())).expect_err("no value");
    assert!(err.contains("but 0 are set"), "{err}");
    let overridden = Vpc::new().add_override("Properties.CidrBlock", "10.0.0.0/16");
    synth(overridden).expect("set through an override");
}
