//! Context: values looked up in an AWS account (a VPC's subnets, an AMI id, an SSM parameter, a
//! hosted zone) and kept in `cdk.context.json`, so that synthesis never calls AWS itself.
//!
//! A construct asks its stack for a key ([`Stack::lookup`](crate::Stack::lookup)). When the
//! context file holds the key, the answer is used; otherwise the construct goes on with a dummy
//! value and the key is recorded, and synthesis lists every such key in the manifest's
//! `missing` field. The program's command line then hands the assembly to `cargo rcdk context`,
//! which asks AWS, merges the answers into the context file and lets the program synthesize
//! again with them. The file is meant to be committed: a synthesis with every answer in it
//! makes no AWS call, and `--no-lookups` (CI) fails instead of looking anything up.
//!
//! Keys and file format are the AWS CDK's (`vpc-provider:account=111111111111:filter.tag:Name=prod:region=eu-west-1:returnAsymmetricSubnets=true`),
//! so an AWS CDK app's `cdk.context.json` works as it is.
//!
//! Where the file is: `RCDK_CONTEXT_FILE` when set, else `cdk.context.json` in the directory of
//! the package being run (`CARGO_MANIFEST_DIR`, which `cargo run` sets), else in the current
//! directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// File name of the context file.
pub const CONTEXT_FILE: &str = "cdk.context.json";

/// Environment variable naming the context file explicitly (tests, unusual layouts).
pub const CONTEXT_FILE_ENV: &str = "RCDK_CONTEXT_FILE";

/// Who answers a context query: the AWS CDK's `ContextProvider` names (the ones looked up here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ContextProvider {
    /// A VPC with its subnets, grouped (EC2 DescribeVpcs, DescribeSubnets, DescribeRouteTables).
    #[serde(rename = "vpc-provider")]
    Vpc,
    /// An SSM parameter's value (SSM GetParameter).
    #[serde(rename = "ssm")]
    Ssm,
    /// The newest AMI matching filters (EC2 DescribeImages).
    #[serde(rename = "ami")]
    Ami,
    /// A Route 53 hosted zone by domain name (ListHostedZonesByName).
    #[serde(rename = "hosted-zone")]
    HostedZone,
}

impl ContextProvider {
    /// The provider's name, the first part of its keys.
    pub fn as_str(self) -> &'static str {
        match self {
            ContextProvider::Vpc => "vpc-provider",
            ContextProvider::Ssm => "ssm",
            ContextProvider::Ami => "ami",
            ContextProvider::HostedZone => "hosted-zone",
        }
    }
}

/// One missing piece of context, as the cloud assembly manifest's `missing` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingContext {
    /// The key the answer is stored under.
    pub key: String,
    /// Who answers it.
    pub provider: ContextProvider,
    /// The query: `account`, `region` and the provider's own properties.
    pub props: Map<String, Value>,
}

impl MissingContext {
    /// The query's account.
    pub fn account(&self) -> &str {
        self.props
            .get("account")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The query's region.
    pub fn region(&self) -> &str {
        self.props
            .get("region")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// The key of a query, in the AWS CDK's format: `PROVIDER:` then every property as
/// `name=value`, nested objects and lists flattened with dots (`filter.tag:Name=prod`,
/// `owners.0=amazon`), sorted, joined with `:`. In string values `$` is written `$$` and `:`
/// is written `$:`.
///
/// ```
/// use rcdk_core::context::{context_key, ContextProvider};
/// let props = serde_json::json!({"account": "111111111111", "region": "eu-west-1",
///     "parameterName": "/app/version"});
/// assert_eq!(
///     context_key(ContextProvider::Ssm, props.as_object().unwrap()),
///     "ssm:account=111111111111:parameterName=/app/version:region=eu-west-1"
/// );
/// ```
pub fn context_key(provider: ContextProvider, props: &Map<String, Value>) -> String {
    let mut parts = Vec::new();
    flatten(props, "", &mut parts);
    parts.sort();
    let mut key = provider.as_str().to_string();
    for p in parts {
        key.push(':');
        key.push_str(&p);
    }
    key
}

fn flatten(props: &Map<String, Value>, prefix: &str, out: &mut Vec<String>) {
    for (k, v) in props {
        flatten_value(v, &format!("{prefix}{k}"), out);
    }
}

fn flatten_value(value: &Value, name: &str, out: &mut Vec<String>) {
    match value {
        Value::Null => {}
        Value::Object(map) => flatten(map, &format!("{name}."), out),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten_value(item, &format!("{name}.{i}"), out);
            }
        }
        Value::String(s) => out.push(format!("{name}={}", colon_quote(s))),
        other => out.push(format!("{name}={other}")),
    }
}

fn colon_quote(s: &str) -> String {
    s.replace('$', "$$").replace(':', "$:")
}

/// The result of [`Stack::lookup`](crate::Stack::lookup): the query's key and, when the
/// context holds it, the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    /// The key, in the AWS CDK's format.
    pub key: String,
    /// The stored answer; `None` while it is missing (a dummy stands in).
    pub value: Option<Value>,
}

/// Why the context file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContextError {
    /// The file exists but cannot be read or is not a JSON object.
    #[error("cannot read the context file {path}: {reason}; fix or delete it (`cargo rcdk context --reset KEY` removes one entry)")]
    Unreadable {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The file cannot be written.
    #[error("cannot write the context file {path}: {reason}")]
    Unwritable {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

/// The context file: key -> answer, read once and written sorted and pretty so that a commit
/// shows only the keys that changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContextFile {
    path: PathBuf,
    values: BTreeMap<String, Value>,
}

impl ContextFile {
    /// Where the running program keeps its context file: `RCDK_CONTEXT_FILE`, else
    /// `cdk.context.json` in `CARGO_MANIFEST_DIR` (the package `cargo run` runs), else in the
    /// current directory.
    pub fn default_path() -> PathBuf {
        if let Some(explicit) = std::env::var_os(CONTEXT_FILE_ENV).filter(|v| !v.is_empty()) {
            return PathBuf::from(explicit);
        }
        match std::env::var_os("CARGO_MANIFEST_DIR").filter(|v| !v.is_empty()) {
            Some(dir) => Path::new(&dir).join(CONTEXT_FILE),
            None => PathBuf::from(CONTEXT_FILE),
        }
    }

    /// Reads `path`; a file that does not exist is an empty context.
    pub fn load(path: &Path) -> Result<ContextFile, ContextError> {
        let unreadable = |reason: String| ContextError::Unreadable {
            path: path.display().to_string(),
            reason,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ContextFile {
                    path: path.to_path_buf(),
                    values: BTreeMap::new(),
                })
            }
            Err(e) => return Err(unreadable(e.to_string())),
        };
        let values: BTreeMap<String, Value> =
            serde_json::from_str(&text).map_err(|e| unreadable(e.to_string()))?;
        Ok(ContextFile {
            path: path.to_path_buf(),
            values,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The answer stored under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// Every entry, sorted by key.
    pub fn entries(&self) -> &BTreeMap<String, Value> {
        &self.values
    }

    /// Stores an answer (in memory; [`save`](ContextFile::save) writes it).
    pub fn set(&mut self, key: impl Into<String>, value: Value) {
        self.values.insert(key.into(), value);
    }

    /// Removes an entry; whether there was one.
    pub fn remove(&mut self, key: &str) -> bool {
        self.values.remove(key).is_some()
    }

    /// Writes the file: sorted keys, two-space indentation, final newline; through a temporary
    /// file in the same directory and a rename, so that a reader never sees half a file.
    pub fn save(&self) -> Result<(), ContextError> {
        let unwritable = |reason: String| ContextError::Unwritable {
            path: self.path.display().to_string(),
            reason,
        };
        let mut text =
            serde_json::to_string_pretty(&self.values).map_err(|e| unwritable(e.to_string()))?;
        text.push('\n');
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let file_name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| CONTEXT_FILE.to_string());
        let temp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
        std::fs::write(&temp, text).map_err(|e| unwritable(e.to_string()))?;
        std::fs::rename(&temp, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            unwritable(e.to_string())
        })
    }
}

/// The running program's context file, read once at the first lookup.
pub fn program_context() -> Result<&'static ContextFile, ContextError> {
    static LOADED: OnceLock<Result<ContextFile, ContextError>> = OnceLock::new();
    LOADED
        .get_or_init(|| ContextFile::load(&ContextFile::default_path()))
        .as_ref()
        .map_err(Clone::clone)
}

/// Why a construct could not look a value up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// The stack has no explicit account and region: a lookup needs to know where to look.
    #[error("{path}: looking up {what} needs the stack's account and region, but stack '{stack}' is environment-agnostic; give it one with `Stack::new(\"{stack}\").env(ACCOUNT, REGION)`")]
    AgnosticStack {
        /// Construct path of the lookup.
        path: String,
        /// The stack's id.
        stack: String,
        /// What was looked up ("a VPC").
        what: String,
    },
    /// The context file could not be read.
    #[error("{path}: {source}")]
    Context {
        /// Construct path of the lookup.
        path: String,
        /// The file's problem.
        source: ContextError,
    },
    /// The stored answer does not have the shape the provider gives.
    #[error("{path}: the context entry '{key}' in {file} is not a valid answer ({reason}); remove it (`cargo rcdk context --reset '{key}'`) to look it up again")]
    BadAnswer {
        /// Construct path of the lookup.
        path: String,
        /// The entry's key.
        key: String,
        /// The context file.
        file: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The query itself is not usable (an empty filter, a bad name).
    #[error("{path}: {reason}")]
    InvalidQuery {
        /// Construct path of the lookup.
        path: String,
        /// What is wrong and what to change.
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(provider: ContextProvider, props: Value) -> String {
        context_key(provider, props.as_object().unwrap())
    }

    #[test]
    fn vpc_keys_are_the_aws_cdk_ones() {
        assert_eq!(
            key(
                ContextProvider::Vpc,
                json!({"account": "111111111111", "region": "eu-west-1",
                       "filter": {"tag:Name": "prod"}, "returnAsymmetricSubnets": true})
            ),
            "vpc-provider:account=111111111111:filter.tag:Name=prod:region=eu-west-1:returnAsymmetricSubnets=true"
        );
    }

    #[test]
    fn lists_are_numbered_and_values_quoted() {
        assert_eq!(
            key(
                ContextProvider::Ami,
                json!({"account": "1", "region": "r", "owners": ["amazon"],
                       "filters": {"name": ["al2023-*"], "image-type": ["machine"],
                                   "state": ["available"]}})
            ),
            "ami:account=1:filters.image-type.0=machine:filters.name.0=al2023-*:filters.state.0=available:owners.0=amazon:region=r"
        );
        assert_eq!(
            key(
                ContextProvider::Ssm,
                json!({"account": "1", "region": "r", "parameterName": "a:b$c"})
            ),
            "ssm:account=1:parameterName=a$:b$$c:region=r"
        );
        assert_eq!(
            key(
                ContextProvider::HostedZone,
                json!({"account": "1", "region": "r", "domainName": "example.com", "privateZone": false})
            ),
            "hosted-zone:account=1:domainName=example.com:privateZone=false:region=r"
        );
    }

    #[test]
    fn the_file_is_written_sorted_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONTEXT_FILE);
        let mut file = ContextFile::load(&path).unwrap();
        assert!(file.entries().is_empty());
        file.set("b", json!("2"));
        file.set("a", json!({"z": 1, "y": 2}));
        file.save().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.find("\"a\"").unwrap() < text.find("\"b\"").unwrap(),
            "{text}"
        );
        assert!(text.ends_with("}\n"));
        assert_eq!(ContextFile::load(&path).unwrap(), file);
        std::fs::write(&path, "[1]").unwrap();
        let err = ContextFile::load(&path).unwrap_err().to_string();
        assert!(err.contains(CONTEXT_FILE), "{err}");
    }
}
