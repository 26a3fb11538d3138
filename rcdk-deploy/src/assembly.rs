//! Reading the cloud assembly that synthesis wrote: `manifest.json` and the templates it names.

use std::path::{Path, PathBuf};

use rcdk_core::manifest::{Manifest, StackEntry, MANIFEST_FILE};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::errors::{Error, Result};

/// A synthesized output directory.
#[derive(Debug, Clone)]
pub struct Assembly {
    dir: PathBuf,
    manifest: Manifest,
}

/// One template as read from disk.
#[derive(Debug, Clone)]
pub struct Template {
    /// The file's text, sent to CloudFormation as it is.
    pub body: String,
    /// The parsed template, for diffs and approvals.
    pub json: Value,
    /// Hex SHA-256 of `body`, recorded in plans.
    pub sha256: String,
}

impl Assembly {
    /// Reads `manifest.json` from `dir`.
    pub fn load(dir: &Path) -> Result<Assembly> {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::Assembly(format!(
                "cannot read {}: {e}; synthesize the app first (`cargo run -- synth`)",
                path.display()
            ))
        })?;
        let manifest = Manifest::from_json(&text)
            .map_err(|e| Error::Assembly(format!("{}: {e}", path.display())))?;
        Ok(Assembly {
            dir: dir.to_path_buf(),
            manifest,
        })
    }

    /// The parsed manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The output directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The stacks named on the command line (by id or stack name), in deployment order; all
    /// stacks when `names` is empty.
    pub fn select(&self, names: &[String]) -> Result<Vec<&StackEntry>> {
        if let Some(unknown) = names.iter().find(|n| self.manifest.stack(n).is_none()) {
            let known: Vec<&str> = self.manifest.stacks.iter().map(|s| s.id.as_str()).collect();
            return Err(Error::Assembly(format!(
                "no stack named {unknown:?} in the app; its stacks are: {}",
                if known.is_empty() {
                    "(none)".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
        Ok(self
            .manifest
            .stacks
            .iter()
            .filter(|s| names.is_empty() || names.iter().any(|n| *n == s.id || *n == s.stack_name))
            .collect())
    }

    /// Finds a stack by its CloudFormation stack name.
    pub fn by_stack_name(&self, stack_name: &str) -> Option<&StackEntry> {
        self.manifest
            .stacks
            .iter()
            .find(|s| s.stack_name == stack_name)
    }

    /// Reads and parses the template of `stack`.
    pub fn template(&self, stack: &StackEntry) -> Result<Template> {
        let path = self.dir.join(&stack.template_file);
        let body = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let json: Value = serde_json::from_str(&body).map_err(|e| {
            Error::Assembly(format!(
                "{} is not valid JSON ({e}); synthesize again",
                path.display()
            ))
        })?;
        Ok(Template {
            sha256: sha256_hex(body.as_bytes()),
            body,
            json,
        })
    }
}

/// Where a stack wants to be deployed and the bootstrap it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackEnvironment {
    /// Account, `None` when environment-agnostic.
    pub account: Option<String>,
    /// Region, `None` when environment-agnostic.
    pub region: Option<String>,
    /// Bootstrap qualifier.
    pub qualifier: String,
    /// Bootstrap version the stack needs.
    pub required_bootstrap_version: u32,
}

/// The environment and bootstrap requirements of `stack`.
pub fn stack_environment(_stack: &StackEntry) -> StackEnvironment {
    StackEnvironment {
        account: None,
        region: None,
        qualifier: rcdk_core::bootstrap::DEFAULT_QUALIFIER.to_string(),
        required_bootstrap_version: rcdk_core::bootstrap::REQUIRED_BOOTSTRAP_VERSION,
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
