//! Packages of the user's Cargo workspace, found with `cargo metadata`: what a Lambda function
//! or a container image built from the user's Rust code needs at synthesis (the package's
//! manifest, its binaries and the files whose bytes decide its build, for the asset hash). Nothing
//! is built here: the build happens at publish time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use sha2::{Digest, Sha256};

use crate::asset::list_files;

/// Why a package cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CargoError(pub String);

/// A package of the user's Cargo workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoPackage {
    name: String,
    manifest_path: PathBuf,
    workspace_root: PathBuf,
    binaries: Vec<String>,
    /// Files whose bytes decide the build: the package's sources, its path dependencies'
    /// sources, `Cargo.lock`, the workspace manifest and the toolchain file (relative path,
    /// absolute path; sorted by relative path).
    inputs: Vec<(String, PathBuf)>,
}

impl CargoPackage {
    /// The package `name` of the workspace this program is built in (found from
    /// `CARGO_MANIFEST_DIR`, or the current directory).
    pub fn find(name: &str) -> Result<CargoPackage, CargoError> {
        let start = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."));
        CargoPackage::find_in(&start, name)
    }

    /// The package `name` of the workspace that holds directory `dir`.
    pub fn find_in(dir: &Path, name: &str) -> Result<CargoPackage, CargoError> {
        let err = |problem: String| CargoError(problem);
        let metadata = workspace_metadata(dir, name)?;
        let root = PathBuf::from(metadata["workspace_root"].as_str().unwrap_or("."));
        let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
        let package_of = |package: &str| -> Option<&serde_json::Value> {
            packages
                .iter()
                .find(|p| p["name"].as_str() == Some(package))
        };
        let manifest_of = |package: &str| -> Option<PathBuf> {
            package_of(package)
                .and_then(|p| p["manifest_path"].as_str())
                .map(PathBuf::from)
        };
        let Some(manifest_path) = manifest_of(name) else {
            let mut known: Vec<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
            known.sort_unstable();
            return Err(err(format!(
                "there is no package `{name}` in the workspace {}; its packages are: {}",
                root.display(),
                known.join(", ")
            )));
        };
        let mut binaries: Vec<String> = package_of(name)
            .and_then(|p| p["targets"].as_array())
            .into_iter()
            .flatten()
            .filter(|t| {
                t["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == "bin"))
            })
            .filter_map(|t| t["name"].as_str().map(str::to_string))
            .collect();
        binaries.sort();

        // The package and, transitively, the workspace packages it depends on by path.
        let mut pending = vec![name.to_string()];
        let mut seen: Vec<String> = Vec::new();
        let mut inputs: Vec<(String, PathBuf)> = Vec::new();
        while let Some(current) = pending.pop() {
            if seen.contains(&current) {
                continue;
            }
            seen.push(current.clone());
            let Some(manifest) = manifest_of(&current) else {
                continue;
            };
            let package_dir = manifest.parent().unwrap_or(&root).to_path_buf();
            // Build outputs and hidden directories are not this package's sources.
            let files = list_files(&package_dir, &["target".to_string(), ".*".to_string()])
                .map_err(|e| err(e.to_string()))?;
            let prefix = package_dir
                .strip_prefix(&root)
                .unwrap_or(&package_dir)
                .to_string_lossy()
                .replace('\\', "/");
            for rel in files {
                let key = if prefix.is_empty() {
                    rel.clone()
                } else {
                    format!("{prefix}/{rel}")
                };
                inputs.push((key, package_dir.join(&rel)));
            }
            for dep in package_of(&current)
                .and_then(|p| p["dependencies"].as_array())
                .into_iter()
                .flatten()
            {
                if dep.get("path").and_then(|p| p.as_str()).is_some() {
                    if let Some(dep_name) = dep["name"].as_str() {
                        pending.push(dep_name.to_string());
                    }
                }
            }
        }
        // The toolchain file decides the compiler, so it decides the binary too.
        for file in [
            "Cargo.toml",
            "Cargo.lock",
            "rust-toolchain.toml",
            "rust-toolchain",
        ] {
            let path = root.join(file);
            if path.is_file() {
                inputs.push((file.to_string(), path));
            }
        }
        inputs.sort();
        inputs.dedup_by(|a, b| a.0 == b.0);
        Ok(CargoPackage {
            name: name.to_string(),
            manifest_path,
            workspace_root: root,
            binaries,
            inputs,
        })
    }

    /// The package name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The package's own `Cargo.toml` (absolute).
    pub fn manifest_path(&self) -> &Path {
        &self.manifest_path
    }

    /// The workspace's root directory (absolute).
    pub fn workspace_root(&self) -> &Path {
        &self.workspace_root
    }

    /// The workspace's `Cargo.toml` (absolute).
    pub fn workspace_manifest(&self) -> PathBuf {
        self.workspace_root.join("Cargo.toml")
    }

    /// The names of the package's binary targets, sorted.
    pub fn binaries(&self) -> &[String] {
        &self.binaries
    }

    /// The files whose bytes decide the build, as (path relative to the workspace root,
    /// absolute path), sorted.
    pub fn inputs(&self) -> &[(String, PathBuf)] {
        &self.inputs
    }

    /// Feeds each input into `h`: its relative path, a zero byte, its length (8 bytes little
    /// endian) and its bytes.
    pub fn hash_inputs(&self, h: &mut Sha256) -> Result<(), CargoError> {
        for (rel, path) in &self.inputs {
            let bytes = std::fs::read(path)
                .map_err(|e| CargoError(format!("cannot read {}: {e}", path.display())))?;
            h.update(rel.as_bytes());
            h.update([0]);
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        }
        Ok(())
    }
}

/// `cargo metadata` of the workspace holding `dir`, run once per directory and process: an app
/// with several functions and images in one workspace pays for one run (about 80 ms), not one
/// per asset.
fn workspace_metadata(dir: &Path, name: &str) -> Result<Arc<serde_json::Value>, CargoError> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<serde_json::Value>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().ok().and_then(|c| c.get(dir).cloned()) {
        return Ok(found);
    }
    let err = |problem: String| CargoError(problem);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // `--offline`: synthesis must not touch the network; `--no-deps`: registry
    // dependencies are pinned by Cargo.lock, which is hashed instead.
    let output = Command::new(&cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(dir)
        .output()
        .map_err(|e| {
            err(format!(
                "cannot run `cargo metadata` to find package `{name}`: {e}"
            ))
        })?;
    if !output.status.success() {
        return Err(err(format!(
            "`cargo metadata` in {} failed (is it inside a Cargo workspace?): {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| err(format!("cannot read `cargo metadata` output: {e}")))?;
    let metadata = Arc::new(metadata);
    if let Ok(mut c) = cache.lock() {
        c.insert(dir.to_path_buf(), Arc::clone(&metadata));
    }
    Ok(metadata)
}
