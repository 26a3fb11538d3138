//! Without the tools installed the runners fail with the install hint; nothing is skipped.
//! A separate test binary: it changes the process environment.

use rcdk_testkit::lint::{cfn_lint, checkov, LintFailure};

#[test]
fn missing_tools_fail_with_the_install_hint() {
    let empty = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-venv");
    std::fs::create_dir_all(&empty).unwrap();
    let template = empty.join("stack.template.json");
    std::fs::write(
        &template,
        r#"{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}"#,
    )
    .unwrap();
    // The only test in this binary, so no other thread reads the environment meanwhile.
    std::env::set_var("CDK_PYTOOLS_VENV", &empty);
    for err in [
        cfn_lint(&[&template]).unwrap_err(),
        checkov(&[&template]).unwrap_err(),
    ] {
        match err {
            LintFailure::Missing(msg) => {
                assert!(msg.contains("scripts/python-tools.sh"), "{msg}")
            }
            other => panic!("expected a missing-tool error, got: {other}"),
        }
    }
}
