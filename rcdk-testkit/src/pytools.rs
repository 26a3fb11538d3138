//! Where the pinned Python tools live.

use std::path::{Path, PathBuf};

/// The workspace root (this crate sits one level below it).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("rcdk-testkit lives inside the workspace")
        .to_path_buf()
}

/// Path of an executable installed into the tools virtualenv (`.tools/venv/bin/NAME`), or an
/// error telling how to install it. `CDK_PYTOOLS_VENV` points at another virtualenv.
pub fn bin(name: &str) -> Result<PathBuf, String> {
    let venv = std::env::var_os("CDK_PYTOOLS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".tools/venv"));
    let path = venv.join("bin").join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} not found: run `bash scripts/python-tools.sh` (the README's test command does) \
             to install the pinned Python tools",
            path.display()
        ))
    }
}
