//! Reading the Cloud Assembly that synthesis wrote (`manifest.json` in the AWS CDK's format, see
//! [`rcdk_core::cloud_assembly`]) and the templates it names.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use rcdk_core::cloud_assembly::{CloudAssembly, CrossEnvironmentParameter, Environment};
use rcdk_core::synth::STATEFUL_TYPES;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::errors::{Error, Result};

/// The stacks of an assembly, in deployment order.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// Stacks, each after the stacks it depends on.
    pub stacks: Vec<StackEntry>,
}

impl Manifest {
    /// Finds a stack by artifact id or by CloudFormation stack name.
    pub fn stack(&self, name: &str) -> Option<&StackEntry> {
        self.stacks
            .iter()
            .find(|s| s.id == name || s.stack_name == name)
    }
}

/// One stack of the assembly: what the manifest says, and what deployment needs to know of its
/// template (read when the assembly is loaded).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackEntry {
    /// Artifact id (the construct id; what users name on the command line).
    pub id: String,
    /// CloudFormation stack name to deploy as.
    pub stack_name: String,
    /// Template file name, relative to the assembly directory.
    pub template_file: String,
    /// Size of the template file in bytes (CloudFormation's inline limit is 51,200).
    pub template_size: u64,
    /// Ids of the stacks this one depends on.
    pub dependencies: Vec<String>,
    /// Stack-level tags applied at deploy time.
    #[serde(default)]
    pub tags: IndexMap<String, String>,
    /// Whether termination protection is asked for.
    #[serde(default)]
    pub termination_protection: bool,
    /// The template declares a `Transform` (needs `CAPABILITY_AUTO_EXPAND`).
    #[serde(default)]
    pub has_transform: bool,
    /// Logical ids of resources the template holds that keep state (databases, buckets, tables,
    /// log groups, queues, secrets): a replacement of one of them loses data.
    #[serde(default)]
    pub stateful_resources: Vec<String>,
    /// Where the stack is deployed (parts left open are decided by the credentials).
    #[serde(skip)]
    pub environment: Environment,
    /// The SSM parameter holding the bootstrap version the stack needs
    /// (`/cdk-bootstrap/QUALIFIER/version`).
    #[serde(skip)]
    pub bootstrap_parameter: Option<String>,
    /// The bootstrap version the stack needs.
    #[serde(skip)]
    pub requires_bootstrap_version: Option<u32>,
    /// Parameters whose values are outputs of stacks in other environments, read from those
    /// stacks at deploy time.
    #[serde(skip)]
    pub cross_environment: Vec<CrossEnvironmentParameter>,
}

/// Reads what deployment needs from a template: its size, whether it has a `Transform`, and its
/// stateful resources (resources of the types in [`STATEFUL_TYPES`]).
fn inspect(dir: &Path, file: &str) -> Result<(u64, bool, Vec<String>)> {
    let path = dir.join(file);
    let body = std::fs::read_to_string(&path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let invalid = |e: String| {
        Error::Assembly(format!(
            "{} is not a valid template ({e}); synthesize again",
            path.display()
        ))
    };
    let (has_transform, stateful) = if file.ends_with(".json") {
        let json: Value = serde_json::from_str(&body).map_err(|e| invalid(e.to_string()))?;
        let stateful = json
            .get("Resources")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, r)| {
                r.get("Type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| STATEFUL_TYPES.contains(&t))
            })
            .map(|(id, _)| id.clone())
            .collect();
        (json.get("Transform").is_some(), stateful)
    } else {
        // YAML (short-form tags stay tagged values; only keys and `Type` strings are read).
        let yaml: serde_norway::Value =
            serde_norway::from_str(&body).map_err(|e| invalid(e.to_string()))?;
        let stateful = yaml
            .get("Resources")
            .and_then(serde_norway::Value::as_mapping)
            .into_iter()
            .flatten()
            .filter(|(_, r)| {
                r.get("Type")
                    .and_then(serde_norway::Value::as_str)
                    .is_some_and(|t| STATEFUL_TYPES.contains(&t))
            })
            .filter_map(|(id, _)| id.as_str().map(str::to_string))
            .collect();
        (yaml.get("Transform").is_some(), stateful)
    };
    Ok((body.len() as u64, has_transform, stateful))
}

/// A synthesized output directory.
#[derive(Debug, Clone)]
pub struct Assembly {
    dir: PathBuf,
    manifest: Manifest,
    cloud: CloudAssembly,
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
    /// Reads `manifest.json` from `dir`, and from each stack's template what deployment needs.
    pub fn load(dir: &Path) -> Result<Assembly> {
        let cloud = CloudAssembly::load(dir).map_err(|e| Error::Assembly(e.to_string()))?;
        let mut stacks = Vec::new();
        for s in cloud.stacks() {
            let (template_size, has_transform, stateful_resources) =
                inspect(dir, &s.template_file)?;
            stacks.push(StackEntry {
                id: s.id.clone(),
                stack_name: s.stack_name.clone(),
                template_file: s.template_file.clone(),
                template_size,
                dependencies: s.dependencies.clone(),
                tags: s.tags.clone(),
                termination_protection: s.termination_protection,
                has_transform,
                stateful_resources,
                environment: s.environment.clone(),
                bootstrap_parameter: s.properties.bootstrap_stack_version_ssm_parameter.clone(),
                requires_bootstrap_version: s.properties.requires_bootstrap_stack_version,
                cross_environment: s.cross_environment_parameters.clone(),
            });
        }
        Ok(Assembly {
            dir: dir.to_path_buf(),
            manifest: Manifest { stacks },
            cloud,
        })
    }

    /// The Cloud Assembly as read (artifacts, asset manifests).
    pub fn cloud(&self) -> &CloudAssembly {
        &self.cloud
    }

    /// The stacks of the manifest.
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

/// The environment and bootstrap requirements of `stack`: the qualifier is read from its
/// version parameter's name (`/cdk-bootstrap/QUALIFIER/version`), the default without one.
pub fn stack_environment(stack: &StackEntry) -> StackEnvironment {
    let qualifier = stack
        .bootstrap_parameter
        .as_deref()
        .and_then(|p| p.strip_prefix("/cdk-bootstrap/"))
        .and_then(|p| p.strip_suffix("/version"))
        .filter(|q| !q.contains('/'))
        .unwrap_or(rcdk_core::bootstrap::DEFAULT_QUALIFIER);
    StackEnvironment {
        account: stack.environment.account.clone(),
        region: stack.environment.region.clone(),
        qualifier: qualifier.to_string(),
        required_bootstrap_version: stack
            .requires_bootstrap_version
            .unwrap_or(rcdk_core::bootstrap::REQUIRED_BOOTSTRAP_VERSION),
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_facts_are_read_from_json_and_yaml() {
        let dir = tempfile::tempdir().unwrap();
        let json = r#"{"Transform": "AWS::Serverless-2016-10-31", "Resources": {
            "Db": {"Type": "AWS::RDS::DBInstance"}, "Topic": {"Type": "AWS::SNS::Topic"}}}"#;
        std::fs::write(dir.path().join("A.template.json"), json).unwrap();
        assert_eq!(
            inspect(dir.path(), "A.template.json").unwrap(),
            (json.len() as u64, true, vec!["Db".to_string()])
        );
        let yaml = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Name\n";
        std::fs::write(dir.path().join("B.template.yaml"), yaml).unwrap();
        assert_eq!(
            inspect(dir.path(), "B.template.yaml").unwrap(),
            (yaml.len() as u64, false, vec!["Bucket".to_string()])
        );
        std::fs::write(dir.path().join("C.template.json"), "{").unwrap();
        let e = inspect(dir.path(), "C.template.json").unwrap_err();
        assert!(e.to_string().contains("is not a valid template"), "{e}");
    }

    #[test]
    fn an_old_or_missing_manifest_says_to_synthesize() {
        let dir = tempfile::tempdir().unwrap();
        let e = Assembly::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("synthesize the app first"), "{e}");
        std::fs::write(
            dir.path().join("manifest.json"),
            r#"{"version": 1, "stacks": []}"#,
        )
        .unwrap();
        let e = Assembly::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("is not a valid cloud assembly manifest"), "{e}");
        assert!(e.contains("synthesize again"), "{e}");
    }
}
