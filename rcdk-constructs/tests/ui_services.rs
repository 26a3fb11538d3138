//! Compile-fail tests of the service constructs: a Fargate size that does not exist and a
//! literal role name IAM would refuse do not compile (the `.stderr` files show the messages).

#[test]
fn invalid_literals_do_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui_services/*.rs");
}
