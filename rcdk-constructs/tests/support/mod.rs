//! Shared by the integration tests of this crate (each test file that needs it has
//! `mod support;`).

use std::path::PathBuf;

use rcdk_core::Assembly;

/// Writes `assembly` into a temporary directory (kept as long as the returned handle lives)
/// and returns the paths of its templates.
pub fn written_templates(assembly: &Assembly) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    assembly.write(dir.path()).unwrap();
    let templates = assembly
        .stacks
        .iter()
        .map(|s| dir.path().join(&s.file_name))
        .collect();
    (dir, templates)
}

/// Writes `assembly` into a temporary directory and runs the pinned cfn-lint and checkov over
/// every template it holds; panics with their findings.
pub fn assert_lint_clean(assembly: &Assembly) {
    let (_dir, templates) = written_templates(assembly);
    if let Err(e) = rcdk_testkit::lint::cfn_lint(&templates) {
        panic!("{e}");
    }
    if let Err(e) = rcdk_testkit::lint::checkov(&templates) {
        panic!("{e}");
    }
}
