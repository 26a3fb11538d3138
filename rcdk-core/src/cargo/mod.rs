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

mod manifest;

/// Why a package cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CargoError(pub String);

/// A package of the user's Cargo workspace.
#[derive(Debug, Clone)]
pub struct CargoPackage {
    name: String,
    manifest_path: PathBuf,
    workspace_root: PathBuf,
    binaries: Vec<String>,
    /// Files whose bytes decide the build: the package's sources, its path dependencies'
    /// sources, `Cargo.lock`, the workspace manifest and the toolchain file (relative path,
    /// absolute path; sorted by relative path).
    /// Shared: every service running the package's image holds a clone.
    inputs: Arc<[(String, PathBuf)]>,
    /// Digests already made by [`CargoPackage::digest_inputs_after`] from this value or its
    /// clones.
    digests: Digests,
}

/// Hex SHA-256 digests of the inputs by the bytes hashed before them, shared by the clones of
/// one found package: the services of an app that run one image, cloned from one
/// [`CargoPackage::find`], read and hash its sources once, not once per service. A package
/// found again starts empty, so that it sees later edits.
#[derive(Debug, Clone, Default)]
struct Digests(Arc<Mutex<HashMap<Vec<u8>, String>>>);

impl PartialEq for CargoPackage {
    fn eq(&self, other: &Self) -> bool {
        // The digests made so far are a record of work done, not part of the package.
        self.name == other.name
            && self.manifest_path == other.manifest_path
            && self.workspace_root == other.workspace_root
            && self.binaries == other.binaries
            && self.inputs == other.inputs
    }
}

impl Eq for CargoPackage {}

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
        let workspace = workspace(dir, name)?;
        let root = workspace.root.clone();
        let package_of = |package: &str| -> Option<&Member> {
            workspace.packages.iter().find(|p| p.name == package)
        };
        let Some(found) = package_of(name) else {
            let mut known: Vec<&str> = workspace.packages.iter().map(|p| p.name.as_str()).collect();
            known.sort_unstable();
            return Err(err(format!(
                "there is no package `{name}` in the workspace {}; its packages are: {}",
                root.display(),
                known.join(", ")
            )));
        };
        let manifest_path = found.manifest_path.clone();
        let mut binaries = found.binaries.clone();
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
            let Some(member) = package_of(&current) else {
                continue;
            };
            let package_dir = member.manifest_path.parent().unwrap_or(&root).to_path_buf();
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
            pending.extend(member.path_dependencies.iter().cloned());
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
            inputs: inputs.into(),
            digests: Digests::default(),
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

    /// Lower-case hex SHA-256 of `prefix` followed by the inputs as [`CargoPackage::hash_inputs`]
    /// feeds them. Made once per `prefix` for this value and its clones: the inputs are read
    /// when a digest is first asked for.
    pub fn digest_inputs_after(&self, prefix: &[u8]) -> Result<String, CargoError> {
        if let Some(found) = self
            .digests
            .0
            .lock()
            .ok()
            .and_then(|d| d.get(prefix).cloned())
        {
            return Ok(found);
        }
        let mut h = Sha256::new();
        h.update(prefix);
        self.hash_inputs(&mut h)?;
        let digest = crate::image::hex(&h.finalize());
        if let Ok(mut d) = self.digests.0.lock() {
            d.insert(prefix.to_vec(), digest.clone());
        }
        Ok(digest)
    }

    /// Feeds each input into `h`: its relative path, a zero byte, its length (8 bytes little
    /// endian) and its bytes.
    pub fn hash_inputs(&self, h: &mut Sha256) -> Result<(), CargoError> {
        for (rel, path) in self.inputs.iter() {
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

/// What synthesis needs of a workspace: its root directory and its member packages.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Workspace {
    root: PathBuf,
    packages: Vec<Member>,
}

/// A member package of a workspace, as `cargo metadata --no-deps` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    name: String,
    manifest_path: PathBuf,
    /// Names of its binary targets.
    binaries: Vec<String>,
    /// Package names of its path dependencies (of every kind and target).
    path_dependencies: Vec<String>,
}

impl Workspace {
    /// The workspace in the output of `cargo metadata --format-version 1 --no-deps`.
    fn from_metadata(metadata: &serde_json::Value) -> Workspace {
        let root = PathBuf::from(metadata["workspace_root"].as_str().unwrap_or("."));
        let packages = metadata["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| Member {
                name: p["name"].as_str().unwrap_or_default().to_string(),
                manifest_path: PathBuf::from(p["manifest_path"].as_str().unwrap_or_default()),
                binaries: p["targets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|t| {
                        t["kind"]
                            .as_array()
                            .is_some_and(|k| k.iter().any(|k| k == "bin"))
                    })
                    .filter_map(|t| t["name"].as_str().map(str::to_string))
                    .collect(),
                path_dependencies: p["dependencies"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|d| d.get("path").and_then(|p| p.as_str()).is_some())
                    .filter_map(|d| d["name"].as_str().map(str::to_string))
                    .collect(),
            })
            .collect();
        Workspace { root, packages }
    }
}

/// The workspace holding `dir`, read once per directory and process: from its manifests when
/// their layout is a plain one (see [`manifest`]), else from `cargo metadata` (about 80 ms),
/// which also has the last word when the manifests do not name package `name`.
fn workspace(dir: &Path, name: &str) -> Result<Arc<Workspace>, CargoError> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<Workspace>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().ok().and_then(|c| c.get(dir).cloned()) {
        if found.packages.iter().any(|p| p.name == name) {
            return Ok(found);
        }
    }
    let workspace = match manifest::read(dir) {
        Some(w) if w.packages.iter().any(|p| p.name == name) => w,
        _ => Workspace::from_metadata(&cargo_metadata(dir, name)?),
    };
    let workspace = Arc::new(workspace);
    if let Ok(mut c) = cache.lock() {
        c.insert(dir.to_path_buf(), Arc::clone(&workspace));
    }
    Ok(workspace)
}

/// The output of `cargo metadata --no-deps` run in `dir`.
fn cargo_metadata(dir: &Path, name: &str) -> Result<serde_json::Value, CargoError> {
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
    Ok(metadata)
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    /// The workspace with its packages, binaries and dependencies in one order, so that the
    /// two readers compare.
    fn sorted(mut w: Workspace) -> Workspace {
        w.packages.sort_by(|a, b| a.name.cmp(&b.name));
        for p in &mut w.packages {
            p.binaries.sort();
            p.path_dependencies.sort();
            p.path_dependencies.dedup();
        }
        w
    }

    /// What `cargo metadata` run in `dir` reports.
    fn cargo(dir: &Path) -> Workspace {
        sorted(Workspace::from_metadata(
            &cargo_metadata(dir, "any").unwrap(),
        ))
    }

    fn write(root: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
    }

    const LIB: &str = "";
    const MAIN: &str = "fn main() {}\n";

    #[test]
    fn this_workspace_reads_as_cargo_metadata_reports_it() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        for start in [dir, dir.parent().unwrap()] {
            let read = manifest::read(start).expect("a plain layout");
            assert!(read.packages.len() > 5, "{read:?}");
            assert_eq!(sorted(read), cargo(start), "from {}", start.display());
        }
    }

    #[test]
    fn globs_bins_inherited_and_implicit_members_read_as_cargo_reports_them() {
        let ws = tempfile::tempdir().unwrap();
        let root = ws.path();
        write(
            root,
            &[
                (
                    "Cargo.toml",
                    "[workspace]\nmembers = [\"crates/*\", \"apps/web\"]\nresolver = \"2\"\n\n\
                     [workspace.package]\nedition = \"2021\"\n\n\
                     [workspace.dependencies]\nshared = { path = \"libs/shared\" }\n\
                     serde = \"1\"\n",
                ),
                (
                    "crates/alpha/Cargo.toml",
                    "[package]\nname = \"alpha\"\nversion = \"0.1.0\"\nedition.workspace = true\n\n\
                     [dependencies]\nshared.workspace = true\n\n\
                     [target.'cfg(unix)'.dev-dependencies]\nhelper-renamed = { package = \"helper\", path = \"../../libs/helper\" }\n",
                ),
                ("crates/alpha/src/main.rs", MAIN),
                ("crates/alpha/src/bin/tool.rs", MAIN),
                ("crates/alpha/src/bin/multi/main.rs", MAIN),
                ("crates/alpha/src/bin/multi/util.rs", LIB),
                (
                    "crates/beta/Cargo.toml",
                    "[package]\nname = \"beta\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                     [[bin]]\nname = \"beta-cli\"\npath = \"src/main.rs\"\n\n\
                     [[bin]]\nname = \"extra\"\npath = \"src/extra.rs\"\n",
                ),
                ("crates/beta/src/main.rs", MAIN),
                ("crates/beta/src/extra.rs", MAIN),
                ("crates/beta/src/bin/other.rs", MAIN),
                (
                    "apps/web/Cargo.toml",
                    "[package]\nname = \"web\"\nversion = \"0.1.0\"\nedition = \"2021\"\nautobins = false\n\n\
                     [build-dependencies]\nalpha = { path = \"../../crates/alpha\" }\n",
                ),
                ("apps/web/src/main.rs", MAIN),
                ("apps/web/src/lib.rs", LIB),
                (
                    "libs/shared/Cargo.toml",
                    "[package]\nname = \"shared\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                ),
                ("libs/shared/src/lib.rs", LIB),
                (
                    "libs/helper/Cargo.toml",
                    "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                ),
                ("libs/helper/src/lib.rs", LIB),
            ],
        );
        for start in ["", "crates/alpha", "crates/alpha/src/bin", "libs/shared"] {
            let dir = root.join(start);
            let read = manifest::read(&dir).expect("a plain layout");
            assert_eq!(read.packages.len(), 5, "{read:?}");
            assert_eq!(sorted(read), cargo(&dir), "from `{start}`");
        }
    }

    #[test]
    fn a_package_without_a_workspace_reads_as_cargo_reports_it() {
        let ws = tempfile::tempdir().unwrap();
        write(
            ws.path(),
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"solo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                ),
                ("src/main.rs", MAIN),
            ],
        );
        let read = manifest::read(ws.path()).expect("a plain layout");
        assert_eq!(sorted(read), cargo(ws.path()));
    }

    #[test]
    fn layouts_with_rules_of_their_own_are_left_to_cargo() {
        let ws = tempfile::tempdir().unwrap();
        write(
            ws.path(),
            &[
                (
                    "Cargo.toml",
                    "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/skip\"]\n",
                ),
                (
                    "crates/a/Cargo.toml",
                    "[package]\nname = \"a\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                ),
                ("crates/a/src/main.rs", MAIN),
                (
                    "crates/skip/Cargo.toml",
                    "[package]\nname = \"skip\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                ),
                ("crates/skip/src/main.rs", MAIN),
            ],
        );
        assert_eq!(manifest::read(ws.path()), None, "exclude");
        // The package is still found, through `cargo metadata`.
        let found = CargoPackage::find_in(ws.path(), "a").unwrap();
        assert_eq!(found.binaries(), ["a"]);
        let unknown = CargoPackage::find_in(ws.path(), "skip").unwrap_err();
        assert!(unknown.0.contains("no package `skip`"), "{unknown}");
    }

    #[test]
    fn clones_share_the_digest_and_a_package_found_again_reads_the_sources_again() {
        let ws = tempfile::tempdir().unwrap();
        write(
            ws.path(),
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"svc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                ),
                ("src/main.rs", MAIN),
            ],
        );
        let found = CargoPackage::find_in(ws.path(), "svc").unwrap();
        let mut h = Sha256::new();
        h.update(b"settings");
        found.hash_inputs(&mut h).unwrap();
        let expected = crate::image::hex(&h.finalize());
        assert_eq!(found.digest_inputs_after(b"settings").unwrap(), expected);
        let clone = found.clone();
        assert_eq!(clone, found);
        write(ws.path(), &[("src/main.rs", "fn main() { edited() }\n")]);
        assert_eq!(clone.digest_inputs_after(b"settings").unwrap(), expected);
        assert_ne!(clone.digest_inputs_after(b"other").unwrap(), expected);
        let again = CargoPackage::find_in(ws.path(), "svc").unwrap();
        assert_ne!(again.digest_inputs_after(b"settings").unwrap(), expected);
    }
}
