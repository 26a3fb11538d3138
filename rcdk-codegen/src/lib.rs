//! Generator of rcdk-constructs' typed CloudFormation resources (`rcdk-constructs/src/cfn`) from
//! the resource provider schemas that the pinned cfn-lint (1.58.0) ships.
//!
//! Also writes the IAM action list behind `action!` ([`iam_actions`]) and the type table that
//! `cargo rcdk migrate` writes Rust from ([`types_table`]).
//!
//! `cargo run -p rcdk-codegen` regenerates; `cargo run -p rcdk-codegen -- --check` fails, naming
//! the files, when the checked-in code differs from what the schemas produce.

pub mod emit;
pub mod iam_actions;
pub mod kinds;
pub mod model;
pub mod names;
pub mod testgen;
pub mod types_table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

/// The cfn-lint version whose schemas the checked-in code was generated from.
pub const CFN_LINT_VERSION: &str = "1.58.0";

/// Services in rcdk-constructs' default features: what our own constructs and examples use.
pub const DEFAULT_SERVICES: &[&str] = &[
    "ec2",
    "ecs",
    "iam",
    "elasticloadbalancingv2",
    "logs",
    "ssm",
    "s3",
    "sqs",
    "secretsmanager",
    "rds",
    "elasticache",
    "dynamodb",
    "applicationautoscaling",
    "kms",
    "ecr",
    "cloudwatch",
    "sns",
    "lambda",
    "events",
    "autoscaling",
    "budgets",
];

/// What can go wrong while generating.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// The schema directory could not be found.
    #[error("cannot find the cfn-lint schemas: {0}; run `bash scripts/python-tools.sh` or pass `--schemas DIR` (DIR = .../cfnlint/data/schemas)")]
    SchemasNotFound(String),
    /// The installed cfn-lint is not the pinned version.
    #[error("cfn-lint {found} is installed but the generated code is pinned to {CFN_LINT_VERSION}; run `bash scripts/python-tools.sh`")]
    WrongVersion {
        /// The installed version.
        found: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A schema file is not valid JSON.
    #[error("{path}: invalid JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// rcdk-constructs/Cargo.toml lacks the markers around the generated features.
    #[error("{0}: missing `# BEGIN GENERATED FEATURES` / `# END GENERATED FEATURES` markers; add them where the [features] table belongs")]
    NoMarkers(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CodegenError + '_ {
    move |source| CodegenError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn read_json(path: &Path) -> Result<Json, CodegenError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    serde_json::from_str(&text).map_err(|source| CodegenError::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// Finds `cfnlint/data/schemas` in the workspace's tools virtualenv by asking its Python, and
/// checks that cfn-lint is the pinned version.
pub fn find_schemas(workspace: &Path) -> Result<PathBuf, CodegenError> {
    let python = workspace.join(".tools/venv/bin/python");
    let out = Command::new(&python)
        .args(["-c", "import cfnlint, importlib.metadata as m; print(cfnlint.__file__); print(m.version('cfn-lint'))"])
        .output()
        .map_err(|e| CodegenError::SchemasNotFound(format!("{}: {e}", python.display())))?;
    if !out.status.success() {
        return Err(CodegenError::SchemasNotFound(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let init = lines.next().unwrap_or_default();
    let version = lines.next().unwrap_or_default().trim();
    if version != CFN_LINT_VERSION {
        return Err(CodegenError::WrongVersion {
            found: version.to_string(),
        });
    }
    let dir = Path::new(init)
        .parent()
        .map(|p| p.join("data/schemas"))
        .unwrap_or_default();
    if !dir.join("providers/us-east-1.json").is_file() {
        return Err(CodegenError::SchemasNotFound(format!(
            "{} has no providers/us-east-1.json",
            dir.display()
        )));
    }
    Ok(dir)
}

/// Loads every `AWS::` resource schema of us-east-1 and groups them into services.
pub fn load(schemas: &Path) -> Result<Vec<model::Service>, CodegenError> {
    let index = read_json(&schemas.join("providers/us-east-1.json"))?;
    let mut by_service: BTreeMap<String, (String, Vec<model::Resource>)> = BTreeMap::new();
    if let Some(types) = index.as_object() {
        for (type_name, hash) in types {
            let mut parts = type_name.split("::");
            let (Some("AWS"), Some(service), Some(_)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let file = schemas
                .join("resources")
                .join(format!("{}.json", hash.as_str().unwrap_or_default()));
            let schema = read_json(&file)?;
            let module = service.to_ascii_lowercase();
            let entry = by_service
                .entry(module)
                .or_insert_with(|| (service.to_string(), Vec::new()));
            entry.1.push(model::resource(&schema));
        }
    }
    Ok(by_service
        .into_iter()
        .map(|(module, (name, mut resources))| {
            resources.sort_by(|a, b| a.type_name.cmp(&b.type_name));
            model::Service {
                name,
                module,
                resources,
            }
        })
        .collect())
}

/// Every generated file: path relative to the workspace root, and content.
pub fn render(
    services: &[model::Service],
    cargo_toml: &str,
) -> Result<Vec<(PathBuf, String)>, CodegenError> {
    let mut files = Vec::new();
    let cfn = PathBuf::from("rcdk-constructs/src/cfn");
    files.push((cfn.join("mod.rs"), emit::mod_rs(services)));
    for s in services {
        files.push((cfn.join(format!("{}.rs", s.module)), emit::service(s)));
    }
    let toml_path = PathBuf::from("rcdk-constructs/Cargo.toml");
    let toml =
        features(services, cargo_toml).ok_or_else(|| CodegenError::NoMarkers(toml_path.clone()))?;
    files.push((toml_path, toml));
    files.push((
        PathBuf::from("rcdk-constructs/tests/generated_all_types.rs"),
        testgen::render(services),
    ));
    files.push((
        PathBuf::from(types_table::PATH),
        types_table::render(services),
    ));
    Ok(files)
}

/// Replaces the text between the feature markers of rcdk-constructs' Cargo.toml.
pub fn features(services: &[model::Service], cargo_toml: &str) -> Option<String> {
    const BEGIN: &str = "# BEGIN GENERATED FEATURES\n";
    const END: &str = "# END GENERATED FEATURES\n";
    let start = cargo_toml.find(BEGIN)? + BEGIN.len();
    let end = cargo_toml[start..].find(END)? + start;
    let quoted = |names: &mut dyn Iterator<Item = &str>| {
        names.map(|n| format!("\"{n}\"")).collect::<Vec<_>>()
    };
    let mut table = String::from("# Written by `cargo run -p rcdk-codegen`: one feature per service module of `cfn`.\n[features]\n");
    table.push_str(&format!(
        "default = [{}]\n",
        quoted(&mut DEFAULT_SERVICES.iter().copied()).join(", ")
    ));
    table.push_str("full = [\n");
    for s in services {
        table.push_str(&format!("    \"{}\",\n", s.module));
    }
    table.push_str("]\n");
    for s in services {
        table.push_str(&format!("{} = []\n", s.module));
    }
    Some(format!(
        "{}{table}{}",
        &cargo_toml[..start],
        &cargo_toml[end..]
    ))
}

/// Writes the files (`check == false`) or lists those that differ (`check == true`).
pub fn apply(
    workspace: &Path,
    files: &[(PathBuf, String)],
    check: bool,
) -> Result<Vec<PathBuf>, CodegenError> {
    let mut differ = Vec::new();
    for (rel, content) in files {
        let path = workspace.join(rel);
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() == Some(content.as_str()) {
            continue;
        }
        differ.push(rel.clone());
        if !check {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io(dir))?;
            }
            std::fs::write(&path, content).map_err(io(&path))?;
        }
    }
    // A service module that no schema produces any more is stale.
    let cfn = workspace.join("rcdk-constructs/src/cfn");
    if let Ok(entries) = std::fs::read_dir(&cfn) {
        let mut stale: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| PathBuf::from("rcdk-constructs/src/cfn").join(e.file_name()))
            .filter(|rel| !files.iter().any(|(f, _)| f == rel))
            .collect();
        stale.sort();
        for rel in stale {
            if !check {
                let path = workspace.join(&rel);
                std::fs::remove_file(&path).map_err(io(&path))?;
            }
            differ.push(rel);
        }
    }
    Ok(differ)
}
