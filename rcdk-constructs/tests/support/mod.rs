//! Shared by the integration tests of this crate (each test file that needs it has
//! `mod support;`).

use rcdk_core::Assembly;

/// Writes `assembly` into a temporary directory and runs the pinned cfn-lint and checkov over
/// every template it holds; panics with their findings.
pub fn assert_lint_clean(assembly: &Assembly) {
    let dir = tempfile::tempdir().unwrap();
    assembly.write(dir.path()).unwrap();
    let templates: Vec<_> = assembly
        .stacks
        .iter()
        .map(|s| dir.path().join(&s.file_name))
        .collect();
    if let Err(e) = rcdk_testkit::lint::cfn_lint(&templates) {
        panic!("{e}");
    }
    if let Err(e) = rcdk_testkit::lint::checkov(&templates) {
        panic!("{e}");
    }
}
