//! Semantic diff of two templates: what a deploy would add, remove and change.

mod normalize;
mod render;
mod security;

use serde_json::{Map, Value};

pub use normalize::{canonical, normalize};
pub use render::render;
pub use security::{security_changes, SecurityChange, SecurityKind};

/// Resource types that hold data: replacing or deleting one loses it.
pub const STATEFUL_TYPES: &[&str] = &[
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::DocDB::DBCluster",
    "AWS::Neptune::DBCluster",
    "AWS::Logs::LogGroup",
    "AWS::SQS::Queue",
    "AWS::SecretsManager::Secret",
    "AWS::EFS::FileSystem",
    "AWS::Kinesis::Stream",
    "AWS::KMS::Key",
    "AWS::ECR::Repository",
    "AWS::Cognito::UserPool",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::OpenSearchService::Domain",
    "AWS::Elasticsearch::Domain",
];

/// Whether a resource type holds data.
pub fn is_stateful_type(resource_type: &str) -> bool {
    STATEFUL_TYPES.contains(&resource_type)
}

/// Kind of change to one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Only in the new template.
    Added,
    /// Only in the deployed template.
    Removed,
    /// In both, different.
    Modified,
}

/// One changed value inside a resource, at a dotted path (`Properties.Tags`, `DeletionPolicy`).
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyChange {
    /// Dotted path from the resource.
    pub path: String,
    /// Normalized value before (`None`: absent).
    pub old: Option<Value>,
    /// Normalized value after (`None`: absent).
    pub new: Option<Value>,
}

/// One resource that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDiff {
    /// Logical id.
    pub logical_id: String,
    /// Added, removed or modified.
    pub change: Change,
    /// Resource type (the new one when it changed).
    pub resource_type: String,
    /// Property-level detail (modified resources only).
    pub properties: Vec<PropertyChange>,
    /// Whether the resource holds data (by type, or listed as stateful in the manifest).
    pub stateful: bool,
}

/// An entry of another section (`Outputs`, `Parameters`, `Conditions`, ...) that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryDiff {
    /// Section name.
    pub section: String,
    /// Entry name (empty for whole-value sections such as `Transform`).
    pub name: String,
    /// Added, removed or modified.
    pub change: Change,
}

/// Everything that differs between a deployed and a new template.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplateDiff {
    /// Changed resources, new-template order first, then removed ones.
    pub resources: Vec<ResourceDiff>,
    /// IAM and security-group items added or removed.
    pub security: Vec<SecurityChange>,
    /// Other sections' entries.
    pub other: Vec<EntryDiff>,
}

impl TemplateDiff {
    /// True when the templates mean the same.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.other.is_empty()
    }

    /// Security items that widen access.
    pub fn broadening(&self) -> impl Iterator<Item = &SecurityChange> {
        self.security.iter().filter(|c| c.broadening)
    }

    /// Stateful resources that the change deletes (removed, or their type changed).
    pub fn data_loss(&self) -> impl Iterator<Item = &ResourceDiff> {
        self.resources.iter().filter(|r| {
            r.stateful
                && (r.change == Change::Removed || r.properties.iter().any(|p| p.path == "Type"))
        })
    }
}

/// Compares the deployed template `old` (use `Value::Null` for none) with `new`.
/// `stateful_ids` are the logical ids the manifest marks as holding data.
pub fn diff_templates(old: &Value, new: &Value, stateful_ids: &[String]) -> TemplateDiff {
    let empty = Map::new();
    let section = |t: &Value, name: &str| -> Map<String, Value> {
        t.get(name)
            .and_then(Value::as_object)
            .unwrap_or(&empty)
            .clone()
    };
    let (old_res, new_res) = (section(old, "Resources"), section(new, "Resources"));
    let mut diff = TemplateDiff::default();
    let ids = new_res
        .keys()
        .chain(old_res.keys().filter(|k| !new_res.contains_key(*k)));
    for id in ids {
        let before = old_res.get(id).map(normalize);
        let after = new_res.get(id).map(normalize);
        if before == after {
            continue;
        }
        let change = match (&before, &after) {
            (None, _) => Change::Added,
            (_, None) => Change::Removed,
            _ => Change::Modified,
        };
        let type_of = |v: &Option<Value>| {
            v.as_ref()
                .and_then(|r| r.get("Type"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let old_type = type_of(&before);
        let resource_type = type_of(&after)
            .or_else(|| old_type.clone())
            .unwrap_or_else(|| "?".to_string());
        let mut properties = Vec::new();
        if change == Change::Modified {
            leaf_changes("", before.as_ref(), after.as_ref(), &mut properties);
        }
        let stateful = stateful_ids.contains(id)
            || is_stateful_type(&resource_type)
            || old_type.as_deref().is_some_and(is_stateful_type);
        diff.security
            .extend(security_changes(id, before.as_ref(), after.as_ref()));
        diff.resources.push(ResourceDiff {
            logical_id: id.clone(),
            change,
            resource_type,
            properties,
            stateful,
        });
    }
    for name in ["Parameters", "Outputs", "Conditions", "Mappings", "Rules"] {
        let (a, b) = (section(old, name), section(new, name));
        let keys = b.keys().chain(a.keys().filter(|k| !b.contains_key(*k)));
        for key in keys {
            let change = match (a.get(key).map(normalize), b.get(key).map(normalize)) {
                (x, y) if x == y => continue,
                (None, _) => Change::Added,
                (_, None) => Change::Removed,
                _ => Change::Modified,
            };
            diff.other.push(EntryDiff {
                section: name.to_string(),
                name: key.clone(),
                change,
            });
        }
    }
    for name in ["Transform", "Description"] {
        let (a, b) = (old.get(name).map(normalize), new.get(name).map(normalize));
        if a != b {
            diff.other.push(EntryDiff {
                section: name.to_string(),
                name: String::new(),
                change: match (a, b) {
                    (None, _) => Change::Added,
                    (_, None) => Change::Removed,
                    _ => Change::Modified,
                },
            });
        }
    }
    diff
}

/// Differences down to the leaves of nested objects; lists are compared whole.
fn leaf_changes(
    path: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    out: &mut Vec<PropertyChange>,
) {
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys = b.keys().chain(a.keys().filter(|k| !b.contains_key(*k)));
            for key in keys {
                let sub = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                leaf_changes(&sub, a.get(key), b.get(key), out);
            }
        }
        (a, b) if a != b => out.push(PropertyChange {
            path: path.to_string(),
            old: a.cloned(),
            new: b.cloned(),
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(resources: Value) -> Value {
        json!({"Resources": resources})
    }

    #[test]
    fn identical_meaning_is_no_difference() {
        let a =
            template(json!({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 5}}}));
        let b = template(
            json!({"Q": {"Properties": {"DelaySeconds": "5"}, "Type": "AWS::SQS::Queue"}}),
        );
        assert!(diff_templates(&a, &b, &[]).is_empty());
    }

    #[test]
    fn added_removed_and_property_level_changes() {
        let a = template(json!({
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 5, "Tags": [{"Key": "a", "Value": "1"}]}},
            "Old": {"Type": "AWS::SNS::Topic"}
        }));
        let b = template(json!({
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 10, "Tags": [{"Key": "a", "Value": "1"}]}},
            "New": {"Type": "AWS::SNS::Topic"}
        }));
        let d = diff_templates(&a, &b, &[]);
        let kinds: Vec<(&str, Change)> = d
            .resources
            .iter()
            .map(|r| (r.logical_id.as_str(), r.change))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("Q", Change::Modified),
                ("New", Change::Added),
                ("Old", Change::Removed)
            ]
        );
        assert_eq!(
            d.resources[0].properties,
            vec![PropertyChange {
                path: "Properties.DelaySeconds".into(),
                old: Some(json!("5")),
                new: Some(json!("10")),
            }]
        );
    }

    #[test]
    fn renamed_stateful_resource_is_data_loss() {
        let a = template(json!({"Bucket1": {"Type": "AWS::S3::Bucket"}}));
        let b = template(json!({"Bucket2": {"Type": "AWS::S3::Bucket"}}));
        let d = diff_templates(&a, &b, &[]);
        let lost: Vec<&str> = d.data_loss().map(|r| r.logical_id.as_str()).collect();
        assert_eq!(lost, vec!["Bucket1"]);
    }

    #[test]
    fn manifest_marks_custom_stateful_resources() {
        let a = template(json!({"Db": {"Type": "Custom::Database"}}));
        let d = diff_templates(&a, &template(json!({})), &["Db".to_string()]);
        assert_eq!(d.data_loss().count(), 1);
        let d = diff_templates(&a, &template(json!({})), &[]);
        assert_eq!(d.data_loss().count(), 0);
    }

    #[test]
    fn outputs_and_parameters_are_compared() {
        let a = json!({"Resources": {}, "Outputs": {"A": {"Value": "x"}}});
        let b = json!({"Resources": {}, "Outputs": {"A": {"Value": "y"}, "B": {"Value": "z"}}});
        let d = diff_templates(&a, &b, &[]);
        assert_eq!(d.other.len(), 2);
        assert!(!d.is_empty());
    }

    #[test]
    fn new_stack_against_nothing() {
        let b = template(
            json!({"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument":
            {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}}}}),
        );
        let d = diff_templates(&Value::Null, &b, &[]);
        assert_eq!(d.resources[0].change, Change::Added);
        assert_eq!(d.broadening().count(), 1);
    }
}
