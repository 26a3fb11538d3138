//! The bootstrap stack passes cfn-lint and checkov like every other template.

use rcdk_constructs::bootstrap::{toolkit_stack, toolkit_stack_with, BootstrapOptions};
use rcdk_core::bootstrap::DEFAULT_QUALIFIER;
use rcdk_core::App;

#[test]
fn bootstrap_template_lints_and_scans_clean() {
    lint(toolkit_stack(DEFAULT_QUALIFIER).unwrap_or_else(|e| panic!("{e}")));
}

/// Trusting another account with the AdministratorAccess execution role the user chose: the
/// scanners' finding on that policy is suppressed with the reason, nothing else is.
#[test]
fn bootstrap_template_with_trust_lints_and_scans_clean() {
    let options = BootstrapOptions {
        trusted_accounts: vec!["111111111111".to_string()],
        execution_policies: vec!["arn:aws:iam::aws:policy/AdministratorAccess".to_string()],
    };
    lint(toolkit_stack_with(DEFAULT_QUALIFIER, &options).unwrap_or_else(|e| panic!("{e}")));
}

fn lint(stack: rcdk_core::Stack) {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::new();
    app.add(stack);
    let assembly = app.synth().unwrap();
    assembly.write(dir.path()).unwrap();
    let template = dir.path().join(&assembly.stacks[0].file_name);
    if let Err(e) = rcdk_testkit::lint::cfn_lint(&[&template]) {
        panic!("{e}");
    }
    if let Err(e) = rcdk_testkit::lint::checkov(&[&template]) {
        panic!("{e}");
    }
}
