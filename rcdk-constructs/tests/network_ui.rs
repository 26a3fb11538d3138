//! Compile-fail tests of the networking API: CIDR literals are checked by the compiler (the
//! `.stderr` files next to each case hold the messages users see).

#[test]
fn bad_cidr_literals_do_not_build() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui_network/*.rs");
}
