//! Compile-fail tests of rcdk-core: what `id!` refuses, and how the compiler says so (the
//! `.stderr` files next to each case).

#[test]
fn id_literals_of_the_wrong_shape_do_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
