//! `action!` / `actions!` at compile time: listed actions compile (any case, spelling kept);
//! unknown services and actions, wildcards and malformed text do not, and the `.stderr` files
//! show the messages (closest listed match named).

#[test]
fn action_literals_are_checked_at_compile_time() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui_actions/fail/*.rs");
    cases.pass("tests/ui_actions/pass/*.rs");
}
