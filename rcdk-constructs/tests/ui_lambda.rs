//! Compile-fail tests of the Lambda constructs: a function outside a VPC cannot join the
//! connections API (the `.stderr` files show the messages).

#[test]
fn functions_outside_a_vpc_are_not_connectable() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui_lambda/*.rs");
}
