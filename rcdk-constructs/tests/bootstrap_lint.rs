//! The bootstrap stack passes cfn-lint and checkov like every other template.

use rcdk_constructs::bootstrap::toolkit_stack;
use rcdk_core::bootstrap::DEFAULT_QUALIFIER;
use rcdk_core::App;

#[test]
fn bootstrap_template_lints_and_scans_clean() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::new();
    app.add(toolkit_stack(DEFAULT_QUALIFIER).unwrap_or_else(|e| panic!("{e}")));
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
