//! Synthesis: walks the app once, runs aspects, resolves references (also across stacks),
//! validates against CloudFormation's quotas and produces an [`Assembly`] that can be written
//! atomically to an output directory.

pub mod format;
pub mod logical_id;
mod order;
mod render;
mod singletons;
mod template;
mod tree;
mod unpriced;
mod validate;
mod write;
mod yaml;

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use crate::app::App;
use crate::aspect::{Aspect, AspectNode};
use crate::asset::FileAssetDef;
use crate::bootstrap::{version_parameter, REQUIRED_BOOTSTRAP_VERSION};
use crate::cloud_assembly::{
    ArtifactManifest, ArtifactProperties, ArtifactType, AssemblyManifest, AssetManifest,
    AssetManifestProperties, CrossEnvironmentParameter, DockerImageDestination, DockerImageEntry,
    Environment, FileAssetEntry, FileDestination, FileSource, Packaging, RuntimeInfo,
    StackProperties, TreeArtifactProperties, CROSS_ENVIRONMENT_PARAMETER, CURRENT_DESTINATION,
    MANIFEST_VERSION, TREE_ARTIFACT_ID, TREE_FILE,
};
use crate::construct::{Annotation, ChildId, Construct, CostItem, Level};
use crate::error::{SynthError, SynthErrors};
use crate::image::ImageAssetDef;
use crate::node::NodeId;
use crate::value::Value;

pub use template::apply_override;

/// Template file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Pretty JSON, long-form intrinsics.
    #[default]
    Json,
    /// YAML with short-form intrinsic tags.
    Yaml,
}

impl Format {
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
        }
    }
}

/// Options of one synthesis.
#[derive(Debug, Clone, Default)]
pub struct SynthOptions {
    /// Template format.
    pub format: Format,
    /// Treat warnings as errors.
    pub strict: bool,
}

/// Resource types whose replacement or removal loses data.
pub const STATEFUL_TYPES: &[&str] = &[
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::Logs::LogGroup",
    "AWS::SQS::Queue",
    "AWS::SecretsManager::Secret",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::CacheCluster",
    "AWS::EFS::FileSystem",
    "AWS::KMS::Key",
    "AWS::EC2::Volume",
];

/// One synthesized stack.
#[derive(Debug, Clone)]
pub struct StackArtifact {
    /// Construct id.
    pub id: String,
    /// CloudFormation stack name.
    pub name: String,
    /// The template, resolved.
    pub template: Value,
    /// The template as written.
    pub text: String,
    /// File name inside the output directory.
    pub file_name: String,
    /// Ids of the stacks it depends on.
    pub dependencies: Vec<String>,
    /// Stack tags.
    pub tags: IndexMap<String, String>,
    /// Termination protection.
    pub termination_protection: bool,
    /// Whether the template has a `Transform`.
    pub has_transform: bool,
    /// Logical ids of stateful resources.
    pub stateful_resources: Vec<String>,
    /// Logical id -> construct path.
    pub paths: IndexMap<String, String>,
    /// Where it is deployed.
    pub environment: Environment,
    /// Bootstrap qualifier.
    pub qualifier: String,
    /// File assets placed in the stack, with their construct paths.
    pub assets: Vec<(String, FileAssetDef)>,
    /// Container-image assets placed in the stack, with their construct paths.
    pub images: Vec<(String, ImageAssetDef)>,
    /// Parameters whose values deployment reads from outputs of stacks in other environments.
    pub cross_environment: Vec<CrossEnvironmentParameter>,
}

impl StackArtifact {
    /// The template as JSON.
    pub fn template_json(&self) -> serde_json::Value {
        format::to_json(&self.template)
    }

    /// Lower-case hex SHA-256 of the template text: the id and object key of its asset.
    pub fn template_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        Sha256::digest(self.text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Id of the stack's asset manifest artifact, `<StackId>.assets`.
    pub fn asset_manifest_id(&self) -> String {
        format!("{}.assets", self.id)
    }

    /// File name of the stack's asset manifest, `<StackId>.assets.json`.
    pub fn asset_manifest_file(&self) -> String {
        format!("{}.assets.json", self.id)
    }

    fn bucket(&self) -> String {
        crate::bootstrap::staging_bucket_name(
            &self.qualifier,
            crate::cloud_assembly::ACCOUNT_PLACEHOLDER,
            crate::cloud_assembly::REGION_PLACEHOLDER,
        )
    }

    /// The template's object key in the staging bucket, `<hash>.<ext>`, for its `hash`.
    fn template_key(&self, hash: &str) -> String {
        let ext = self.file_name.rsplit('.').next().unwrap_or("json");
        format!("{hash}.{ext}")
    }

    /// The stack's asset manifest: its template, then its file assets; its image assets under
    /// `dockerImages`, pushed to the container-assets repository with their hash as tag.
    pub fn asset_manifest(&self) -> AssetManifest {
        self.asset_manifest_with(&self.template_hash())
    }

    /// [`StackArtifact::asset_manifest`] for the template's `template_hash`: the writer hashes
    /// each template once for both manifests (the template is the largest text written).
    pub(crate) fn asset_manifest_with(&self, template_hash: &str) -> AssetManifest {
        let destination = |object_key: String| {
            IndexMap::from([(
                CURRENT_DESTINATION.to_string(),
                FileDestination {
                    bucket_name: self.bucket(),
                    object_key,
                    region: None,
                    assume_role_arn: None,
                },
            )])
        };
        let mut files = IndexMap::new();
        files.insert(
            template_hash.to_string(),
            FileAssetEntry {
                display_name: Some(format!("{} Template", self.id)),
                source: FileSource {
                    path: Some(self.file_name.clone()),
                    packaging: Some(Packaging::File),
                    executable: None,
                },
                destinations: destination(self.template_key(template_hash)),
            },
        );
        for (path, asset) in &self.assets {
            let source = match &asset.source {
                crate::asset::AssetSource::Command { command } => FileSource {
                    path: None,
                    packaging: None,
                    executable: Some(command.clone()),
                },
                _ => FileSource {
                    path: asset.staged_name(),
                    packaging: Some(asset.packaging()),
                    executable: None,
                },
            };
            files.insert(
                asset.hash.clone(),
                FileAssetEntry {
                    display_name: Some(asset.display_name.clone().unwrap_or_else(|| path.clone())),
                    source,
                    destinations: destination(asset.object_key()),
                },
            );
        }
        let repository = crate::bootstrap::container_assets_repository_name(
            &self.qualifier,
            crate::cloud_assembly::ACCOUNT_PLACEHOLDER,
            crate::cloud_assembly::REGION_PLACEHOLDER,
        );
        let mut docker_images = IndexMap::new();
        for (path, image) in &self.images {
            // Two nodes with the same content (one image used by two services) are one entry.
            docker_images
                .entry(image.hash.clone())
                .or_insert_with(|| DockerImageEntry {
                    display_name: Some(image.display_name.clone().unwrap_or_else(|| path.clone())),
                    source: image.manifest_source(),
                    destinations: IndexMap::from([(
                        CURRENT_DESTINATION.to_string(),
                        DockerImageDestination {
                            repository_name: repository.clone(),
                            image_tag: image.hash.clone(),
                            region: None,
                            assume_role_arn: None,
                        },
                    )]),
                });
        }
        AssetManifest {
            version: MANIFEST_VERSION.to_string(),
            files,
            docker_images,
        }
    }

    /// The stack's artifact in `manifest.json`.
    pub fn artifact(&self) -> ArtifactManifest {
        self.artifact_with(&self.template_hash())
    }

    /// [`StackArtifact::artifact`] for the template's `template_hash`.
    fn artifact_with(&self, template_hash: &str) -> ArtifactManifest {
        let mut dependencies = self.dependencies.clone();
        dependencies.push(self.asset_manifest_id());
        let mut metadata: IndexMap<String, Vec<serde_json::Value>> = self
            .paths
            .iter()
            .map(|(logical, path)| {
                (
                    format!("/{path}"),
                    vec![serde_json::json!({"type": "aws:cdk:logicalId", "data": logical})],
                )
            })
            .collect();
        // Under the stack's own path: the wiring belongs to the stack, not to one construct.
        for p in &self.cross_environment {
            metadata
                .entry(format!("/{}", self.id))
                .or_default()
                .push(serde_json::json!({"type": CROSS_ENVIRONMENT_PARAMETER, "data": p}));
        }
        ArtifactManifest {
            r#type: ArtifactType::Stack,
            environment: Some(self.environment.clone()),
            dependencies,
            properties: Some(ArtifactProperties::Stack(StackProperties {
                template_file: self.file_name.clone(),
                stack_name: Some(self.name.clone()),
                tags: self.tags.clone(),
                termination_protection: self.termination_protection,
                parameters: IndexMap::new(),
                stack_template_asset_object_url: Some(format!(
                    "s3://{}/{}",
                    self.bucket(),
                    self.template_key(template_hash)
                )),
                requires_bootstrap_stack_version: Some(REQUIRED_BOOTSTRAP_VERSION),
                bootstrap_stack_version_ssm_parameter: Some(version_parameter(&self.qualifier)),
            })),
            display_name: Some(self.id.clone()),
            metadata: Some(metadata),
        }
    }
}

/// Everything synthesis produced.
#[derive(Debug, Clone)]
pub struct Assembly {
    /// Stacks in deployment order.
    pub stacks: Vec<StackArtifact>,
    /// Warnings and notes, with paths.
    pub annotations: Vec<(String, Annotation)>,
    /// Fixed monthly costs, with the paths of the constructs that create them.
    pub costs: Vec<(String, CostItem)>,
    /// The construct tree (paths, types, logical ids) as JSON.
    pub tree: serde_json::Value,
    /// Template format.
    pub format: Format,
    /// Context lookups the context file did not answer (sorted by key): the templates hold
    /// dummy values in their place until `cargo rcdk context` looks them up.
    pub missing: Vec<crate::context::MissingContext>,
}

impl Assembly {
    /// The stack with construct id or stack name `name`.
    pub fn stack(&self, name: &str) -> Option<&StackArtifact> {
        self.stacks.iter().find(|s| s.id == name || s.name == name)
    }

    /// The Cloud Assembly manifest (`manifest.json`): per stack its asset manifest and then the
    /// stack, in deployment order, then the tree.
    pub fn manifest(&self) -> AssemblyManifest {
        let hashes: Vec<String> = self.stacks.iter().map(|s| s.template_hash()).collect();
        self.manifest_with(&hashes)
    }

    /// [`Assembly::manifest`] for the templates' hashes, in the order of the stacks.
    pub(crate) fn manifest_with(&self, template_hashes: &[String]) -> AssemblyManifest {
        let mut artifacts = IndexMap::new();
        for (s, template_hash) in self.stacks.iter().zip(template_hashes) {
            artifacts.insert(
                s.asset_manifest_id(),
                ArtifactManifest {
                    r#type: ArtifactType::AssetManifest,
                    environment: Some(s.environment.clone()),
                    dependencies: Vec::new(),
                    properties: Some(ArtifactProperties::AssetManifest(AssetManifestProperties {
                        file: s.asset_manifest_file(),
                        requires_bootstrap_stack_version: Some(REQUIRED_BOOTSTRAP_VERSION),
                        bootstrap_stack_version_ssm_parameter: Some(version_parameter(
                            &s.qualifier,
                        )),
                    })),
                    display_name: None,
                    metadata: None,
                },
            );
            artifacts.insert(s.id.clone(), s.artifact_with(template_hash));
        }
        artifacts.insert(
            TREE_ARTIFACT_ID.to_string(),
            ArtifactManifest {
                r#type: ArtifactType::Tree,
                environment: None,
                dependencies: Vec::new(),
                properties: Some(ArtifactProperties::Tree(TreeArtifactProperties {
                    file: TREE_FILE.to_string(),
                })),
                display_name: None,
                metadata: None,
            },
        );
        AssemblyManifest {
            version: MANIFEST_VERSION.to_string(),
            artifacts,
            runtime: Some(RuntimeInfo {
                libraries: IndexMap::from([(
                    "rcdk-core".to_string(),
                    env!("CARGO_PKG_VERSION").to_string(),
                )]),
            }),
            missing: self.missing.clone(),
        }
    }

    /// `tree.json` in the AWS CDK's tree format: `{"version": "tree-0.1", "tree": {"id": "App",
    /// "path": "", "children": {...}}}`, each node with its id, path, construct type and, for
    /// template elements, logical id.
    pub fn cdk_tree(&self) -> serde_json::Value {
        serde_json::to_value(CdkTree(self)).unwrap_or_default()
    }

    /// Writes the Cloud Assembly into `dir` atomically (templates, asset manifests, staged file
    /// assets, `manifest.json`, `tree.json`): into a temporary sibling first, then swapped in, so
    /// a failure leaves the old directory as it was. Assets staged by the previous output with
    /// the same hash are reused, not copied again.
    pub fn write(&self, dir: &std::path::Path) -> Result<(), SynthError> {
        write::write_assembly(self, dir)
    }
}

/// `tree.json`, serialized straight from [`Assembly::tree`]: building it as a JSON value first
/// would copy every node's strings once more (the tree has a node per construct).
pub(crate) struct CdkTree<'a>(pub(crate) &'a Assembly);

impl serde::Serialize for CdkTree<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Root<'a>(&'a serde_json::Value);
        impl serde::Serialize for Root<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("id", "App")?;
                map.serialize_entry("path", "")?;
                map.serialize_entry("children", &Children(self.0["stacks"].as_array()))?;
                map.end()
            }
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("version", "tree-0.1")?;
        map.serialize_entry("tree", &Root(&self.0.tree))?;
        map.end()
    }
}

/// The nodes of a `children` array of [`Assembly::tree`] as a map by id.
struct Children<'a>(Option<&'a Vec<serde_json::Value>>);

impl serde::Serialize for Children<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        for child in self.0.into_iter().flatten() {
            map.serialize_entry(child["id"].as_str().unwrap_or(""), &CdkNode(child))?;
        }
        map.end()
    }
}

/// One node of `tree.json`: id, path, children, the logical id of a template element and the
/// construct's type.
struct CdkNode<'a>(&'a serde_json::Value);

impl serde::Serialize for CdkNode<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Attributes<'a>(&'a serde_json::Value, &'a serde_json::Value);
        impl serde::Serialize for Attributes<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("rcdk:logicalId", self.0)?;
                map.serialize_entry("rcdk:section", self.1)?;
                map.end()
            }
        }
        struct Info<'a>(&'a serde_json::Value);
        impl serde::Serialize for Info<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("fqn", self.0)?;
                map.serialize_entry("version", env!("CARGO_PKG_VERSION"))?;
                map.end()
            }
        }
        let n = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &n["id"])?;
        map.serialize_entry("path", &n["path"])?;
        if let Some(children) = n["children"].as_array() {
            map.serialize_entry("children", &Children(Some(children)))?;
        }
        if let Some(logical) = n.get("logicalId") {
            map.serialize_entry("attributes", &Attributes(logical, &n["section"]))?;
        }
        map.serialize_entry("constructInfo", &Info(&n["type"]))?;
        map.end()
    }
}

/// Synthesizes `app`.
pub fn synthesize(app: &mut App, options: &SynthOptions) -> Result<Assembly, SynthErrors> {
    let mut errors = validate::stack_names(app);
    if !errors.is_empty() {
        return Err(SynthErrors(errors));
    }
    singletons::add_stack_singletons(app);
    let mut reports = Vec::new();
    let has_aspects = {
        let (stacks, app_aspects) = app.stacks_and_aspects_mut();
        !app_aspects.is_empty() || stacks.iter().any(|s| !s.aspects.is_empty())
    };
    // Without aspects the tree cannot change before the main walk, which finds the same
    // paths and errors: the first pass would be done twice for nothing.
    if has_aspects {
        // Pass 1: paths, so that aspects see them (including derived ids).
        let peers = {
            let stacks = app.stack_refs();
            let walk = tree::walk(&stacks).map_err(SynthErrors)?;
            peer_names(&walk)
        };
        run_aspects(app, &peers, &mut reports);
    }

    let stacks = app.stack_refs();
    let walk = tree::walk(&stacks).map_err(SynthErrors)?;
    let mut annotations = reports;
    let mut costs = Vec::new();
    let mut priced = HashSet::new();
    for rec in &walk.nodes {
        for a in rec.construct.annotations() {
            annotations.push((rec.path_string(), a));
        }
        for c in rec.construct.costs() {
            priced.insert(rec.path_string());
            costs.push((rec.path_string(), c));
        }
    }
    costs.extend(unpriced::unpriced_resources(&walk.nodes, &priced));
    for (path, a) in &annotations {
        if a.level == Level::Error || (options.strict && a.level == Level::Warning) {
            errors.push(SynthError::new(path, a.message.clone()));
        }
    }

    let names: Vec<String> = app.stacks().iter().map(|s| s.name().to_string()).collect();
    let qualifiers: Vec<String> = app
        .stacks()
        .iter()
        .map(|s| s.bootstrap_qualifier().to_string())
        .collect();
    let environments: Vec<Environment> = app
        .stacks()
        .iter()
        .map(|s| s.environment().clone())
        .collect();
    let mut resolver = render::Resolver::new(
        &walk,
        names.clone(),
        qualifiers,
        environments,
        app.cross_stack_strategy(),
    );
    let mut sections: Vec<template::Sections> =
        (0..stacks.len()).map(|_| Default::default()).collect();
    for (i, s) in sections.iter_mut().enumerate() {
        template::collect(&walk, &mut resolver, i, s);
    }
    for (i, s) in sections.iter_mut().enumerate() {
        for p in resolver.provisions[i].values() {
            match p {
                render::Provision::Export {
                    output_id,
                    export_name,
                    value,
                } => {
                    s.outputs.insert(
                        output_id.clone(),
                        template::export_output(export_name, value.clone()),
                    );
                }
                render::Provision::Ssm {
                    resource_id,
                    parameter_name,
                    value,
                    list,
                } => {
                    s.resources.insert(
                        resource_id.clone(),
                        template::ssm_export(parameter_name, value.clone(), *list),
                    );
                }
                render::Provision::Output { output_id, value } => {
                    s.outputs
                        .insert(output_id.clone(), template::plain_output(value.clone()));
                }
            }
        }
        for imp in resolver.ssm_imports[i].values() {
            s.parameters.insert(
                imp.parameter_id.clone(),
                template::ssm_import(&imp.parameter_name, imp.list),
            );
        }
    }
    // Names left by failed resolutions would be reported twice.
    let resolved_cleanly = resolver.errors.is_empty();
    errors.append(&mut resolver.errors);

    let ids: Vec<String> = app.stacks().iter().map(|s| s.id().to_string()).collect();
    for (i, s) in sections.iter_mut().enumerate() {
        for imp in resolver.cross_env_imports[i].values() {
            s.parameters.insert(
                imp.parameter_id.clone(),
                template::cross_env_parameter(
                    &names[imp.producer],
                    &app.stacks()[imp.producer].environment().to_string(),
                    &imp.output_id,
                    imp.list,
                ),
            );
        }
    }
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
    for (consumer, producer) in resolver.dependencies.keys() {
        deps[*consumer].push(*producer);
    }
    for (i, s) in app.stacks().iter().enumerate() {
        for d in &s.dependencies {
            match ids.iter().position(|x| x == d) {
                Some(j) if !deps[i].contains(&j) => deps[i].push(j),
                Some(_) => {}
                None => errors.push(
                    SynthError::new(
                        s.id(),
                        format!("depends on stack '{d}', which is not in the app"),
                    )
                    .hint("add that stack to the app or remove the dependency"),
                ),
            }
        }
    }
    let order = match order::deployment_order(&deps) {
        Ok(order) => order,
        Err(cycle) => {
            errors.push(order::cycle_error(&cycle, &ids, &resolver.dependencies));
            (0..ids.len()).collect()
        }
    };

    let mut artifacts = Vec::new();
    let mut stack_assets: Vec<Vec<(String, FileAssetDef)>> = vec![Vec::new(); ids.len()];
    let mut stack_images: Vec<Vec<(String, ImageAssetDef)>> = vec![Vec::new(); ids.len()];
    for rec in &walk.nodes {
        match rec.construct.element() {
            Some(crate::element::Element::FileAsset(a)) => {
                stack_assets[rec.stack].push((rec.path_string(), a.clone()));
            }
            Some(crate::element::Element::ImageAsset(a)) => {
                stack_images[rec.stack].push((rec.path_string(), a.clone()));
            }
            _ => {}
        }
    }
    for &i in &order {
        let stack = &app.stacks()[i];
        let s = std::mem::take(&mut sections[i]);
        let stateful: Vec<String> = s
            .resources
            .iter()
            .filter(|(_, r)| {
                r.as_map()
                    .and_then(|m| m.get("Type"))
                    .and_then(Value::as_str)
                    .is_some_and(|t| STATEFUL_TYPES.contains(&t))
            })
            .map(|(id, _)| id.clone())
            .collect();
        errors.extend(validate::sections(stack.id(), &s));
        for name in stack.sections.keys() {
            if crate::template::SECTIONS.contains(&name.as_str()) {
                errors.push(
                    SynthError::new(stack.id(), format!("Stack::section(\"{name}\", ..): {name} is built from the construct tree"))
                        .hint("add parameters, conditions, mappings, resources and outputs as constructs, and use Stack::description, metadata and transform"),
                );
            }
        }
        errors.extend(validate::invalid_literals(stack.id(), &s));
        // A transform (SAM, say) declares names the template does not show.
        if resolved_cleanly && stack.transforms.is_empty() {
            errors.extend(validate::dangling_names(stack.id(), &s));
        }
        let template = build_template(
            stack,
            s.parameters,
            s.mappings,
            s.conditions,
            s.resources,
            s.outputs,
        );
        let text = match options.format {
            Format::Json => format::json_text(&template),
            Format::Yaml => match format::yaml_text(&template) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(SynthError::new(stack.id(), e));
                    String::new()
                }
            },
        };
        if let Some(e) = validate::size(stack.id(), text.len()) {
            errors.push(e);
        } else if text.len() > validate::INLINE_TEMPLATE_LIMIT {
            annotations.push((
                stack.id().to_string(),
                Annotation::info(format!(
                    "template is {} bytes, over CloudFormation's 51,200-byte inline limit: deploy uploads it to the staging bucket of `cargo rcdk bootstrap`",
                    text.len()
                )),
            ));
        }
        artifacts.push(StackArtifact {
            id: stack.id().to_string(),
            name: stack.name().to_string(),
            file_name: format!("{}.template.{}", stack.id(), options.format.extension()),
            text,
            template,
            dependencies: deps[i].iter().map(|&j| ids[j].clone()).collect(),
            tags: stack.tags.clone(),
            termination_protection: stack.termination_protection,
            has_transform: !stack.transforms.is_empty(),
            stateful_resources: stateful,
            paths: s.paths,
            environment: stack.environment().clone(),
            qualifier: stack.bootstrap_qualifier().to_string(),
            assets: std::mem::take(&mut stack_assets[i]),
            images: std::mem::take(&mut stack_images[i]),
            cross_environment: resolver.cross_env_imports[i]
                .values()
                .map(|imp| CrossEnvironmentParameter {
                    parameter: imp.parameter_id.clone(),
                    producer_stack: ids[imp.producer].clone(),
                    output: imp.output_id.clone(),
                })
                .collect(),
        });
    }
    errors.extend(validate::export_names(&artifacts));
    if !errors.is_empty() {
        return Err(SynthErrors(errors));
    }
    let tree = tree_json(&walk);
    let mut missing: Vec<crate::context::MissingContext> = Vec::new();
    for stack in app.stacks() {
        for m in stack.missing_context() {
            if !missing.iter().any(|x| x.key == m.key) {
                missing.push(m);
            }
        }
    }
    missing.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(Assembly {
        stacks: artifacts,
        annotations,
        costs,
        tree,
        format: options.format,
        missing,
    })
}

fn build_template(
    stack: &crate::stack::Stack,
    parameters: IndexMap<String, Value>,
    mappings: IndexMap<String, Value>,
    conditions: IndexMap<String, Value>,
    resources: IndexMap<String, Value>,
    outputs: IndexMap<String, Value>,
) -> Value {
    let mut t = IndexMap::new();
    t.insert(
        "AWSTemplateFormatVersion".to_string(),
        Value::str("2010-09-09"),
    );
    if let Some(d) = &stack.description {
        t.insert("Description".to_string(), Value::str(d.clone()));
    }
    if !stack.metadata.is_empty() {
        let m = stack
            .metadata
            .iter()
            .map(|(k, v)| (k.clone(), Value::from_json(v.clone())))
            .collect();
        t.insert("Metadata".to_string(), Value::Map(m));
    }
    match stack.transforms.as_slice() {
        [] => {}
        [one] => {
            t.insert("Transform".to_string(), Value::str(one.clone()));
        }
        many => {
            t.insert(
                "Transform".to_string(),
                Value::List(many.iter().cloned().map(Value::String).collect()),
            );
        }
    }
    for (name, value) in &stack.sections {
        if !crate::template::SECTIONS.contains(&name.as_str()) {
            t.insert(name.clone(), Value::from_json(value.clone()));
        }
    }
    for (name, section) in [
        ("Parameters", parameters),
        ("Mappings", mappings),
        ("Conditions", conditions),
        ("Resources", resources),
        ("Outputs", outputs),
    ] {
        if !section.is_empty() {
            t.insert(name.to_string(), Value::Map(section));
        }
    }
    Value::Map(t)
}

/// Readable names of elements for ids derived from peers.
fn peer_names(walk: &tree::Walk<'_>) -> HashMap<NodeId, String> {
    walk.elements
        .iter()
        .map(|(node, &i)| (*node, tree::peer_name(&walk.nodes[i].path)))
        .collect()
}

fn run_aspects(
    app: &mut App,
    peers: &HashMap<NodeId, String>,
    reports: &mut Vec<(String, Annotation)>,
) {
    let (stacks, app_aspects) = app.stacks_and_aspects_mut();
    for stack in stacks.iter_mut() {
        let mut aspects: Vec<Box<dyn Aspect>> = std::mem::take(&mut stack.aspects);
        let path = stack.id().to_string();
        for aspect in app_aspects.iter_mut() {
            visit_mut(aspect.as_mut(), stack, &path, peers, reports);
        }
        for aspect in aspects.iter_mut() {
            visit_mut(aspect.as_mut(), stack, &path, peers, reports);
        }
        stack.aspects = aspects;
    }
}

fn visit_mut(
    aspect: &mut dyn Aspect,
    construct: &mut dyn Construct,
    path: &str,
    peers: &HashMap<NodeId, String>,
    reports: &mut Vec<(String, Annotation)>,
) {
    aspect.visit(&mut AspectNode {
        path,
        construct,
        reports,
    });
    for child in construct.children_mut() {
        let id = match child.id {
            ChildId::Named(id) => id,
            ChildId::Peer {
                prefix,
                peer,
                suffix,
            } => {
                format!(
                    "{prefix}{}{suffix}",
                    peers.get(&peer).map(String::as_str).unwrap_or("")
                )
            }
        };
        visit_mut(aspect, child.node, &format!("{path}/{id}"), peers, reports);
    }
}

fn tree_json(walk: &tree::Walk<'_>) -> serde_json::Value {
    #[derive(Default)]
    struct TNode {
        obj: serde_json::Map<String, serde_json::Value>,
        children: IndexMap<String, TNode>,
    }
    fn into_json(n: TNode) -> serde_json::Value {
        let mut obj = n.obj;
        if !n.children.is_empty() {
            let children = n.children.into_values().map(into_json).collect();
            obj.insert("children".into(), serde_json::Value::Array(children));
        }
        serde_json::Value::Object(obj)
    }
    let mut root = TNode::default();
    // Nodes with derived ids are walked last; inserting by path puts them under their parent.
    for rec in &walk.nodes {
        let mut cur = &mut root;
        for c in &rec.path {
            // Look up before inserting: the key is only copied for a new child.
            let i = match cur.children.get_index_of(c.as_str()) {
                Some(i) => i,
                None => cur.children.insert_full(c.clone(), TNode::default()).0,
            };
            cur = &mut cur.children[i];
        }
        cur.obj.insert(
            "id".into(),
            rec.path.last().cloned().unwrap_or_default().into(),
        );
        cur.obj.insert("path".into(), rec.path_string().into());
        cur.obj
            .insert("type".into(), rec.construct.construct_type().into());
        if let Some(e) = rec.construct.element().filter(|e| {
            !matches!(
                e,
                crate::element::Element::FileAsset(_) | crate::element::Element::ImageAsset(_)
            )
        }) {
            cur.obj.insert(
                "logicalId".into(),
                walk.logical_ids[&e.node()].clone().into(),
            );
            cur.obj.insert("section".into(), e.section().into());
        }
    }
    let stacks: Vec<serde_json::Value> = root.children.into_values().map(into_json).collect();
    // Built by hand: `json!` would serialize (copy) the whole `stacks` vector.
    let mut obj = serde_json::Map::new();
    obj.insert("version".into(), 1.into());
    obj.insert("stacks".into(), serde_json::Value::Array(stacks));
    serde_json::Value::Object(obj)
}
