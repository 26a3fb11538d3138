//! The cloud assembly manifest (`manifest.json`) that synthesis writes beside the templates.
//!
//! It is the contract between synthesis and deployment: `deploy`, `diff` and `destroy` read it
//! (and the templates it names) and never the user's program, so a reviewed output directory can
//! be deployed as it is.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// File name of the manifest inside the output directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// Version written into every manifest; readers refuse other versions.
pub const MANIFEST_VERSION: u32 = 1;

/// The whole manifest: every stack of the app in deployment order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Format version, [`MANIFEST_VERSION`].
    pub version: u32,
    /// Stacks in an order where every stack comes after the stacks it depends on.
    pub stacks: Vec<StackEntry>,
}

/// One stack of the assembly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackEntry {
    /// Construct id of the stack (unique in the app; what users name on the command line).
    pub id: String,
    /// CloudFormation stack name to deploy as.
    pub stack_name: String,
    /// Template file name, relative to the output directory.
    pub template_file: String,
    /// Size of the template file in bytes (CloudFormation's inline limit is 51,200).
    pub template_size: u64,
    /// Ids of the stacks this one depends on (cross-stack references, explicit dependencies).
    pub dependencies: Vec<String>,
    /// Stack-level tags applied at deploy time.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub tags: IndexMap<String, String>,
    /// Whether termination protection is asked for.
    #[serde(default)]
    pub termination_protection: bool,
    /// The template declares a `Transform` (needs `CAPABILITY_AUTO_EXPAND`).
    #[serde(default)]
    pub has_transform: bool,
    /// Logical ids of resources the template holds that keep state (databases, buckets, tables,
    /// log groups, queues, secrets): a replacement of one of them loses data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stateful_resources: Vec<String>,
}

impl Manifest {
    /// Parses a manifest, refusing an unknown version.
    pub fn from_json(text: &str) -> Result<Manifest, String> {
        let manifest: Manifest =
            serde_json::from_str(text).map_err(|e| format!("manifest.json is not valid: {e}"))?;
        if manifest.version != MANIFEST_VERSION {
            return Err(format!(
                "manifest.json has version {}, this build reads version {MANIFEST_VERSION}; synthesize again",
                manifest.version
            ));
        }
        Ok(manifest)
    }

    /// Finds a stack by construct id or by CloudFormation stack name.
    pub fn stack(&self, name: &str) -> Option<&StackEntry> {
        self.stacks
            .iter()
            .find(|s| s.id == name || s.stack_name == name)
    }
}
