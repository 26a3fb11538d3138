//! The AWS CDK's Cloud Assembly format: what synthesis writes to `cdk.out` and what deployment
//! reads back.
//!
//! `manifest.json` lists the artifacts: one `aws:cloudformation:stack` per stack, one
//! `cdk:asset-manifest` per stack (`<StackId>.assets.json`: the template and the stack's file
//! assets, with their sources and the bucket and key they are published to) and the `cdk:tree`
//! artifact (`tree.json`). The types below cover the part of the schema that is written and read
//! here; their field names are the schema's (npm `@aws-cdk/cloud-assembly-schema`, version
//! [`SCHEMA_PACKAGE_VERSION`]), so that the official AWS CDK CLI deploys an assembly written here
//! and [`CloudAssembly::load`] reads one the AWS CDK wrote.
//!
//! Destinations hold the placeholders `${AWS::AccountId}` and `${AWS::Region}`, as the AWS CDK's
//! own manifests do: an environment-agnostic stack learns its account and region from the
//! credentials at deploy time, and a publisher replaces them ([`replace_placeholders`]).

use std::fmt;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Version of the npm package `@aws-cdk/cloud-assembly-schema` whose schema these types follow
/// (and that the tests validate the written files against).
pub const SCHEMA_PACKAGE_VERSION: &str = "55.6.0";

/// The `version` written into `manifest.json` and every asset manifest: the schema revision of
/// [`SCHEMA_PACKAGE_VERSION`] as the AWS CDK writes it (`<revision>.0.0`). The official CLI
/// reads manifests whose major version is at most its own schema revision (55 for `aws-cdk`
/// 2.1148.1).
pub const MANIFEST_VERSION: &str = "55.0.0";

/// Highest major manifest version [`CloudAssembly::load`] reads.
pub const MAX_READ_MAJOR: u32 = 55;

/// File name of the manifest inside the assembly directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// File name of the tree artifact.
pub const TREE_FILE: &str = "tree.json";

/// Id of the tree artifact in the manifest.
pub const TREE_ARTIFACT_ID: &str = "Tree";

/// Key of the single destination of every asset: the stack's own environment.
pub const CURRENT_DESTINATION: &str = "current_account-current_region";

/// The placeholder for the account in destinations and URLs.
pub const ACCOUNT_PLACEHOLDER: &str = "${AWS::AccountId}";

/// The placeholder for the region in destinations and URLs.
pub const REGION_PLACEHOLDER: &str = "${AWS::Region}";

/// Type of the stack-artifact metadata entry that records one parameter of a stack whose value
/// is an output of a stack in another environment (a reference across accounts or regions).
/// The entry sits under the stack's own path (`/<StackId>`); its data is a
/// [`CrossEnvironmentParameter`]. Deployment reads the producer's output and passes it as the
/// parameter's value.
pub const CROSS_ENVIRONMENT_PARAMETER: &str = "rcdk:crossEnvironmentParameter";

/// One parameter of a consumer stack fed by an output of a producer stack in another
/// environment: the data of a [`CROSS_ENVIRONMENT_PARAMETER`] metadata entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrossEnvironmentParameter {
    /// The consumer's parameter (logical id).
    pub parameter: String,
    /// Artifact id of the producer stack.
    pub producer_stack: String,
    /// The producer's output (logical id) holding the value.
    pub output: String,
}

/// Replaces [`ACCOUNT_PLACEHOLDER`] and [`REGION_PLACEHOLDER`] in `text`.
pub fn replace_placeholders(text: &str, account: &str, region: &str) -> String {
    text.replace(ACCOUNT_PLACEHOLDER, account)
        .replace(REGION_PLACEHOLDER, region)
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssemblyManifest {
    /// Schema version, [`MANIFEST_VERSION`] when written here.
    pub version: String,
    /// Artifacts by id, stacks in deployment order.
    #[serde(default)]
    pub artifacts: IndexMap<String, ArtifactManifest>,
    /// Libraries that produced the assembly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<RuntimeInfo>,
    /// Context lookups synthesis could not answer: while any is listed, the templates hold
    /// dummy values and the assembly must not be deployed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<crate::context::MissingContext>,
}

/// The `runtime` entry: libraries and their versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuntimeInfo {
    /// Library name -> version.
    pub libraries: IndexMap<String, String>,
}

/// One artifact of the manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactManifest {
    /// What it is.
    pub r#type: ArtifactType,
    /// `aws://ACCOUNT/REGION` (stacks and asset manifests).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// Ids of the artifacts that must be deployed (or published) first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// Type-specific properties.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<ArtifactProperties>,
    /// Name shown by tools.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Construct path -> metadata entries (the AWS CDK's `aws:cdk:logicalId` entries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<IndexMap<String, Vec<serde_json::Value>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawArtifact {
    r#type: ArtifactType,
    #[serde(default)]
    environment: Option<Environment>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    properties: Option<serde_json::Value>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    metadata: Option<IndexMap<String, Vec<serde_json::Value>>>,
}

impl<'de> Deserialize<'de> for ArtifactManifest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let raw = RawArtifact::deserialize(d)?;
        // The artifact's type says which properties it has (asset-manifest and tree properties
        // have the same shape, so they cannot be told apart by their fields).
        let properties = match raw.properties {
            None => None,
            Some(p) => Some(match raw.r#type {
                ArtifactType::Stack => {
                    ArtifactProperties::Stack(serde_json::from_value(p).map_err(D::Error::custom)?)
                }
                ArtifactType::AssetManifest => ArtifactProperties::AssetManifest(
                    serde_json::from_value(p).map_err(D::Error::custom)?,
                ),
                ArtifactType::Tree => {
                    ArtifactProperties::Tree(serde_json::from_value(p).map_err(D::Error::custom)?)
                }
                ArtifactType::Other(_) => ArtifactProperties::Other(p),
            }),
        };
        Ok(ArtifactManifest {
            r#type: raw.r#type,
            environment: raw.environment,
            dependencies: raw.dependencies,
            properties,
            display_name: raw.display_name,
            metadata: raw.metadata,
        })
    }
}

/// The artifact types written here; others are kept by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactType {
    /// `aws:cloudformation:stack`
    Stack,
    /// `cdk:asset-manifest`
    AssetManifest,
    /// `cdk:tree`
    Tree,
    /// Any other type (nested assemblies, feature-flag reports, ...).
    Other(String),
}

impl ArtifactType {
    /// The name in the manifest.
    pub fn as_str(&self) -> &str {
        match self {
            ArtifactType::Stack => "aws:cloudformation:stack",
            ArtifactType::AssetManifest => "cdk:asset-manifest",
            ArtifactType::Tree => "cdk:tree",
            ArtifactType::Other(s) => s,
        }
    }
}

impl Serialize for ArtifactType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ArtifactType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "aws:cloudformation:stack" => ArtifactType::Stack,
            "cdk:asset-manifest" => ArtifactType::AssetManifest,
            "cdk:tree" => ArtifactType::Tree,
            _ => ArtifactType::Other(s),
        })
    }
}

/// Properties of an artifact, by its type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ArtifactProperties {
    /// Of a stack.
    Stack(StackProperties),
    /// Of an asset manifest.
    AssetManifest(AssetManifestProperties),
    /// Of the tree.
    Tree(TreeArtifactProperties),
    /// Of another artifact type, as written.
    Other(serde_json::Value),
}

/// Properties of an `aws:cloudformation:stack` artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackProperties {
    /// Template file, relative to the assembly directory.
    pub template_file: String,
    /// CloudFormation stack name (the artifact id when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_name: Option<String>,
    /// Stack tags.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub tags: IndexMap<String, String>,
    /// Termination protection.
    #[serde(default)]
    pub termination_protection: bool,
    /// Parameter values to deploy with.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, String>,
    /// `s3://BUCKET/KEY` of the template once its asset is published (placeholders allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_template_asset_object_url: Option<String>,
    /// Lowest bootstrap version the stack needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_bootstrap_stack_version: Option<u32>,
    /// SSM parameter holding the environment's bootstrap version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap_stack_version_ssm_parameter: Option<String>,
}

/// Properties of a `cdk:asset-manifest` artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetManifestProperties {
    /// The asset manifest file, relative to the assembly directory.
    pub file: String,
    /// Lowest bootstrap version publishing needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_bootstrap_stack_version: Option<u32>,
    /// SSM parameter holding the environment's bootstrap version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap_stack_version_ssm_parameter: Option<String>,
}

/// Properties of the `cdk:tree` artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeArtifactProperties {
    /// The tree file, relative to the assembly directory.
    pub file: String,
}

/// An asset manifest (`<StackId>.assets.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetManifest {
    /// Schema version, [`MANIFEST_VERSION`] when written here.
    pub version: String,
    /// File assets by id (their content hash).
    #[serde(default)]
    pub files: IndexMap<String, FileAssetEntry>,
    /// Container-image assets by id (their content hash).
    #[serde(default)]
    pub docker_images: IndexMap<String, DockerImageEntry>,
}

/// One container-image asset: how the image is made and which repositories it is pushed to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerImageEntry {
    /// Name shown while publishing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The source.
    pub source: DockerImageSource,
    /// Destinations by id.
    pub destinations: IndexMap<String, DockerImageDestination>,
}

/// Where a container image comes from: a build context directory built by the container CLI,
/// or a command run in the assembly directory that makes the image and prints a reference to
/// it (the AWS CDK's `executable` images: the last line printed names the image).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerImageSource {
    /// Build context, relative to the assembly directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
    /// A command that makes the image (run in the assembly directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executable: Option<Vec<String>>,
    /// The Dockerfile, relative to `directory` (`Dockerfile` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_file: Option<String>,
    /// The build stage to stop at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_build_target: Option<String>,
    /// Build arguments.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub docker_build_args: IndexMap<String, String>,
    /// Target platform, such as `linux/amd64`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Network mode for `RUN` steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<String>,
}

/// Where a container image is pushed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DockerImageDestination {
    /// ECR repository name (placeholders allowed).
    pub repository_name: String,
    /// Tag, the asset's hash.
    pub image_tag: String,
    /// Region of the repository (placeholders allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Role to assume for publishing (the credentials' own identity when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assume_role_arn: Option<String>,
}

/// One file asset: where it comes from and where it is published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileAssetEntry {
    /// Name shown while publishing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The source.
    pub source: FileSource,
    /// Destinations by id.
    pub destinations: IndexMap<String, FileDestination>,
}

/// Where a file asset's content comes from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileSource {
    /// A file or directory, relative to the assembly directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// How `path` is packaged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging: Option<Packaging>,
    /// A command run in the assembly directory that prints the path of the file to upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executable: Option<Vec<String>>,
}

/// How a file asset's source is packaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Packaging {
    /// Uploaded as it is.
    File,
    /// A directory, zipped.
    Zip,
}

/// Where a file asset is published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileDestination {
    /// Bucket (placeholders allowed).
    pub bucket_name: String,
    /// Object key.
    pub object_key: String,
    /// Region of the bucket (placeholders allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Role to assume for publishing (the credentials' own identity when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assume_role_arn: Option<String>,
}

/// The environment of a stack, `aws://ACCOUNT/REGION`; `None` parts are decided by the
/// credentials at deploy time (`unknown-account`, `unknown-region` in the manifest).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Environment {
    /// The account id, if fixed.
    pub account: Option<String>,
    /// The region, if fixed.
    pub region: Option<String>,
}

const UNKNOWN_ACCOUNT: &str = "unknown-account";
const UNKNOWN_REGION: &str = "unknown-region";

impl Environment {
    /// An environment-agnostic stack's environment.
    pub fn agnostic() -> Environment {
        Environment::default()
    }

    /// Parses `aws://ACCOUNT/REGION`.
    ///
    /// ```
    /// use rcdk_core::cloud_assembly::Environment;
    /// let env = Environment::parse("aws://123456789012/eu-west-1").unwrap();
    /// assert_eq!(env.account.as_deref(), Some("123456789012"));
    /// assert_eq!(Environment::parse("aws://unknown-account/unknown-region").unwrap(), Environment::agnostic());
    /// ```
    pub fn parse(text: &str) -> Result<Environment, String> {
        let rest = text.strip_prefix("aws://").ok_or_else(|| {
            format!(
                "environment {text:?} does not start with aws:// (expected aws://ACCOUNT/REGION)"
            )
        })?;
        let (account, region) = rest
            .split_once('/')
            .filter(|(a, r)| !a.is_empty() && !r.is_empty() && !r.contains('/'))
            .ok_or_else(|| {
                format!("environment {text:?} is not of the form aws://ACCOUNT/REGION")
            })?;
        Ok(Environment {
            account: (account != UNKNOWN_ACCOUNT).then(|| account.to_string()),
            region: (region != UNKNOWN_REGION).then(|| region.to_string()),
        })
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "aws://{}/{}",
            self.account.as_deref().unwrap_or(UNKNOWN_ACCOUNT),
            self.region.as_deref().unwrap_or(UNKNOWN_REGION)
        )
    }
}

impl Serialize for Environment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Environment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Environment::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Why an assembly cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum AssemblyError {
    /// A file cannot be read.
    #[error("cannot read {path}: {source}; synthesize the app first (`cargo run -- synth`)")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not what the schema describes.
    #[error("{path} is not a valid {what}: {message}; synthesize again with this version")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Manifest, asset manifest, ...
        what: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// A stack artifact as read from the manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct AssemblyStack {
    /// Artifact id (the construct id for stacks synthesized here).
    pub id: String,
    /// CloudFormation stack name.
    pub stack_name: String,
    /// Where it is deployed.
    pub environment: Environment,
    /// Template file, relative to the assembly directory.
    pub template_file: String,
    /// Ids of the stacks it depends on (asset manifests left out).
    pub dependencies: Vec<String>,
    /// Ids of the asset manifests it depends on.
    pub asset_manifests: Vec<String>,
    /// Stack tags.
    pub tags: IndexMap<String, String>,
    /// Termination protection.
    pub termination_protection: bool,
    /// Parameters whose values are outputs of stacks in other environments (read from the
    /// artifact's [`CROSS_ENVIRONMENT_PARAMETER`] metadata entries).
    pub cross_environment_parameters: Vec<CrossEnvironmentParameter>,
    /// All properties as written.
    pub properties: StackProperties,
}

/// A Cloud Assembly directory and its parsed manifest.
#[derive(Debug, Clone)]
pub struct CloudAssembly {
    dir: PathBuf,
    manifest: AssemblyManifest,
    stacks: Vec<AssemblyStack>,
}

impl CloudAssembly {
    /// Reads `dir/manifest.json`. Refuses a manifest of a newer schema than this build reads.
    pub fn load(dir: &Path) -> Result<CloudAssembly, AssemblyError> {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| AssemblyError::Read {
            path: path.clone(),
            source,
        })?;
        let invalid = |message: String| AssemblyError::Invalid {
            path: path.clone(),
            what: "cloud assembly manifest",
            message,
        };
        let manifest: AssemblyManifest =
            serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        check_version(&manifest.version).map_err(invalid)?;
        let stacks = stacks_in_order(&manifest).map_err(invalid)?;
        Ok(CloudAssembly {
            dir: dir.to_path_buf(),
            manifest,
            stacks,
        })
    }

    /// The assembly directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The parsed manifest.
    pub fn manifest(&self) -> &AssemblyManifest {
        &self.manifest
    }

    /// The stack artifacts in deployment order: every stack after the stacks it depends on.
    pub fn stacks(&self) -> &[AssemblyStack] {
        &self.stacks
    }

    /// The stack with artifact id or stack name `name`.
    pub fn stack(&self, name: &str) -> Option<&AssemblyStack> {
        self.stacks
            .iter()
            .find(|s| s.id == name || s.stack_name == name)
    }

    /// The asset manifest of stack `stack_id` (its path and contents), if it has one.
    pub fn asset_manifest(
        &self,
        stack_id: &str,
    ) -> Result<Option<(PathBuf, AssetManifest)>, AssemblyError> {
        let Some(stack) = self.stacks.iter().find(|s| s.id == stack_id) else {
            return Ok(None);
        };
        let Some(file) = stack.asset_manifests.iter().find_map(|id| {
            match self.manifest.artifacts.get(id)?.properties.as_ref()? {
                ArtifactProperties::AssetManifest(p) => Some(p.file.clone()),
                _ => None,
            }
        }) else {
            return Ok(None);
        };
        let path = self.dir.join(file);
        let text = std::fs::read_to_string(&path).map_err(|source| AssemblyError::Read {
            path: path.clone(),
            source,
        })?;
        let manifest: AssetManifest =
            serde_json::from_str(&text).map_err(|e| AssemblyError::Invalid {
                path: path.clone(),
                what: "asset manifest",
                message: e.to_string(),
            })?;
        check_version(&manifest.version).map_err(|message| AssemblyError::Invalid {
            path: path.clone(),
            what: "asset manifest",
            message,
        })?;
        Ok(Some((path, manifest)))
    }
}

fn check_version(version: &str) -> Result<(), String> {
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| format!("version {version:?} is not a semantic version"))?;
    if major > MAX_READ_MAJOR {
        return Err(format!(
            "schema version {version} is newer than this build reads (up to {MAX_READ_MAJOR}.x.x); update rcdk"
        ));
    }
    Ok(())
}

/// The [`CROSS_ENVIRONMENT_PARAMETER`] entries of stack artifact `id`, in the order written.
fn cross_environment_parameters(
    id: &str,
    artifact: &ArtifactManifest,
) -> Result<Vec<CrossEnvironmentParameter>, String> {
    let Some(entries) = artifact
        .metadata
        .as_ref()
        .and_then(|m| m.get(&format!("/{id}")))
    else {
        return Ok(Vec::new());
    };
    entries
        .iter()
        .filter(|e| e.get("type").and_then(serde_json::Value::as_str) == Some(CROSS_ENVIRONMENT_PARAMETER))
        .map(|e| {
            serde_json::from_value(e.get("data").cloned().unwrap_or_default()).map_err(|err| {
                format!("stack artifact {id:?} has a {CROSS_ENVIRONMENT_PARAMETER} entry that cannot be read ({err})")
            })
        })
        .collect()
}

fn stacks_in_order(manifest: &AssemblyManifest) -> Result<Vec<AssemblyStack>, String> {
    let mut stacks = Vec::new();
    for (id, artifact) in &manifest.artifacts {
        if artifact.r#type != ArtifactType::Stack {
            continue;
        }
        let Some(ArtifactProperties::Stack(props)) = &artifact.properties else {
            return Err(format!("stack artifact {id:?} has no properties"));
        };
        let is_stack = |d: &String| {
            manifest
                .artifacts
                .get(d)
                .is_some_and(|a| a.r#type == ArtifactType::Stack)
        };
        let is_assets = |d: &String| {
            manifest
                .artifacts
                .get(d)
                .is_some_and(|a| a.r#type == ArtifactType::AssetManifest)
        };
        stacks.push(AssemblyStack {
            id: id.clone(),
            stack_name: props.stack_name.clone().unwrap_or_else(|| id.clone()),
            environment: artifact.environment.clone().unwrap_or_default(),
            template_file: props.template_file.clone(),
            dependencies: artifact
                .dependencies
                .iter()
                .filter(|d| is_stack(d))
                .cloned()
                .collect(),
            asset_manifests: artifact
                .dependencies
                .iter()
                .filter(|d| is_assets(d))
                .cloned()
                .collect(),
            tags: props.tags.clone(),
            termination_protection: props.termination_protection,
            cross_environment_parameters: cross_environment_parameters(id, artifact)?,
            properties: props.clone(),
        });
    }
    // Stable topological order: the manifest's order, each stack after its dependencies.
    let mut ordered: Vec<AssemblyStack> = Vec::with_capacity(stacks.len());
    let mut left = stacks;
    while !left.is_empty() {
        let before = left.len();
        let mut rest = Vec::new();
        for s in left {
            if s.dependencies
                .iter()
                .all(|d| ordered.iter().any(|o| &o.id == d))
            {
                ordered.push(s);
            } else {
                rest.push(s);
            }
        }
        if rest.len() == before {
            let ids: Vec<&str> = rest.iter().map(|s| s.id.as_str()).collect();
            return Err(format!(
                "the dependencies of stacks {} form a cycle",
                ids.join(", ")
            ));
        }
        left = rest;
    }
    Ok(ordered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_parse_and_print() {
        let env = Environment::parse("aws://123456789012/us-east-1").unwrap();
        assert_eq!(env.to_string(), "aws://123456789012/us-east-1");
        let agnostic = Environment::parse("aws://unknown-account/unknown-region").unwrap();
        assert_eq!(agnostic, Environment::agnostic());
        assert_eq!(agnostic.to_string(), "aws://unknown-account/unknown-region");
        for bad in [
            "123/us-east-1",
            "aws://123",
            "aws:///us-east-1",
            "aws://1/2/3",
        ] {
            assert!(Environment::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cross_environment_parameters_are_read_from_the_stacks_own_path() {
        let manifest = |data: &str| -> AssemblyManifest {
            serde_json::from_str(&format!(
                r#"{{"version":"55.0.0","artifacts":{{
                "A":{{"type":"aws:cloudformation:stack","properties":{{"templateFile":"A.template.json"}}}},
                "B":{{"type":"aws:cloudformation:stack","dependencies":["A"],
                     "properties":{{"templateFile":"B.template.json"}},
                     "metadata":{{"/B":[{{"type":"aws:cdk:logicalId","data":"X"}},
                                        {{"type":"{CROSS_ENVIRONMENT_PARAMETER}","data":{data}}}],
                                 "/B/Other":[{{"type":"{CROSS_ENVIRONMENT_PARAMETER}","data":{{}}}}]}}}}}}}}"#
            ))
            .unwrap()
        };
        let stacks = stacks_in_order(&manifest(
            r#"{"parameter":"P","producerStack":"A","output":"O"}"#,
        ))
        .unwrap();
        assert!(stacks[0].cross_environment_parameters.is_empty());
        assert_eq!(
            stacks[1].cross_environment_parameters,
            [CrossEnvironmentParameter {
                parameter: "P".into(),
                producer_stack: "A".into(),
                output: "O".into(),
            }]
        );
        let e = stacks_in_order(&manifest(r#"{"parameter":"P"}"#)).unwrap_err();
        assert!(e.contains("stack artifact \"B\" has a rcdk:crossEnvironmentParameter entry that cannot be read"), "{e}");
    }

    #[test]
    fn newer_schemas_are_refused() {
        assert!(check_version(MANIFEST_VERSION).is_ok());
        assert!(check_version("36.0.0").is_ok());
        assert!(check_version("56.0.0").is_err());
        assert!(check_version("x").is_err());
    }

    #[test]
    fn stacks_come_in_dependency_order_and_properties_by_type() {
        let text = r#"{"version":"55.0.0","artifacts":{
            "B.assets":{"type":"cdk:asset-manifest","properties":{"file":"B.assets.json"}},
            "B":{"type":"aws:cloudformation:stack","environment":"aws://1/r",
                 "properties":{"templateFile":"B.template.json"},"dependencies":["A","B.assets"]},
            "A":{"type":"aws:cloudformation:stack","environment":"aws://unknown-account/unknown-region",
                 "properties":{"templateFile":"A.template.json","stackName":"a-stack"}},
            "Tree":{"type":"cdk:tree","properties":{"file":"tree.json"}},
            "Flags":{"type":"cdk:feature-flag-report","properties":{"module":"x","flags":{}}}}}"#;
        let manifest: AssemblyManifest = serde_json::from_str(text).unwrap();
        assert!(matches!(
            manifest.artifacts["Tree"].properties,
            Some(ArtifactProperties::Tree(_))
        ));
        let stacks = stacks_in_order(&manifest).unwrap();
        let ids: Vec<&str> = stacks.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["A", "B"]);
        assert_eq!(stacks[0].stack_name, "a-stack");
        assert_eq!(stacks[1].dependencies, ["A"]);
        assert_eq!(stacks[1].asset_manifests, ["B.assets"]);
        assert_eq!(stacks[1].environment.account.as_deref(), Some("1"));
        // Written back the same way.
        let again: AssemblyManifest =
            serde_json::from_str(&serde_json::to_string(&manifest).unwrap()).unwrap();
        assert_eq!(again, manifest);
    }
}
