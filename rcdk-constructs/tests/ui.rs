//! Compile-fail tests of the generated resources: what the types refuse, and how the compiler
//! says so (the `.stderr` files next to each case).

#[test]
fn generated_types_refuse_invalid_programs() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
