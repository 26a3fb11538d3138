//! Findings of security scanners that a resource deliberately does not meet, recorded in its
//! `Metadata` with the reason, in the form each scanner (or our test runner of it) reads:
//!
//! - checkov: `Metadata.checkov.skip: [{id, comment}]`;
//! - AWS CloudFormation Guard: `Metadata.guard.SuppressedRules: [rule]`, the reasons beside it in
//!   `Metadata.guard.Reasons: {rule: reason}` (Guard's format has no place for them);
//! - cdk-nag: `Metadata.cdk_nag.rules_to_suppress: [{id, reason}]`.
//!
//! The construct that causes a finding records it, so the reason travels with the resource.

use indexmap::IndexMap;

use crate::value::Value;

/// A security scanner whose findings a resource can suppress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scanner {
    /// checkov, by check id (`CKV_AWS_260`).
    Checkov,
    /// AWS CloudFormation Guard, by rule name (`sqs_dlq_check` of the Control Tower rules).
    Guard,
    /// cdk-nag, by rule id (`AwsSolutions-SQS3`, or `AwsSolutions-IAM5[Resource::*]` for one
    /// finding of a rule).
    CdkNag,
}

impl Scanner {
    /// The `Metadata` key the scanner reads.
    pub fn metadata_key(self) -> &'static str {
        match self {
            Scanner::Checkov => "checkov",
            Scanner::Guard => "guard",
            Scanner::CdkNag => "cdk_nag",
        }
    }
}

/// Records `id` as suppressed for `scanner` with `reason`; a second call with the same id
/// replaces the reason.
pub fn suppress(metadata: &mut IndexMap<String, Value>, scanner: Scanner, id: &str, reason: &str) {
    let section = map_entry(metadata, scanner.metadata_key());
    match scanner {
        Scanner::Checkov => upsert(list_entry(section, "skip"), id, "comment", reason),
        Scanner::CdkNag => upsert(
            list_entry(section, "rules_to_suppress"),
            id,
            "reason",
            reason,
        ),
        Scanner::Guard => {
            let rules = list_entry(section, "SuppressedRules");
            if !rules.iter().any(|r| r == &Value::String(id.to_string())) {
                rules.push(Value::String(id.to_string()));
            }
            map_entry(section, "Reasons").insert(id.to_string(), Value::String(reason.into()));
        }
    }
}

/// Undoes [`suppress`] for `id`: for constructs that suppress a finding by default and meet the
/// rule once the user opts in. Drops sections left empty.
pub fn unsuppress(metadata: &mut IndexMap<String, Value>, scanner: Scanner, id: &str) {
    let key = scanner.metadata_key();
    let Some(Value::Map(section)) = metadata.get_mut(key) else {
        return;
    };
    let list_key = match scanner {
        Scanner::Checkov => "skip",
        Scanner::CdkNag => "rules_to_suppress",
        Scanner::Guard => "SuppressedRules",
    };
    let id_value = Value::String(id.to_string());
    if let Some(Value::List(items)) = section.get_mut(list_key) {
        items.retain(|v| match v {
            Value::Map(m) => m.get("id") != Some(&id_value),
            other => other != &id_value,
        });
        if items.is_empty() {
            section.shift_remove(list_key);
        }
    }
    if let Some(Value::Map(reasons)) = section.get_mut("Reasons") {
        reasons.shift_remove(id);
        if reasons.is_empty() {
            section.shift_remove("Reasons");
        }
    }
    if section.is_empty() {
        metadata.shift_remove(key);
    }
}

/// The map under `key`, created (or replacing whatever else was set there by hand, which is not
/// the scanner's format).
fn map_entry<'a>(
    map: &'a mut IndexMap<String, Value>,
    key: &str,
) -> &'a mut IndexMap<String, Value> {
    let entry = map
        .entry(key.to_string())
        .or_insert_with(|| Value::Map(IndexMap::new()));
    if !matches!(entry, Value::Map(_)) {
        *entry = Value::Map(IndexMap::new());
    }
    match entry {
        Value::Map(m) => m,
        _ => unreachable!("set to a map above"),
    }
}

fn list_entry<'a>(map: &'a mut IndexMap<String, Value>, key: &str) -> &'a mut Vec<Value> {
    let entry = map
        .entry(key.to_string())
        .or_insert_with(|| Value::List(Vec::new()));
    if !matches!(entry, Value::List(_)) {
        *entry = Value::List(Vec::new());
    }
    match entry {
        Value::List(l) => l,
        _ => unreachable!("set to a list above"),
    }
}

/// Replaces the `{id, <reason_key>}` entry with this id, or appends one.
fn upsert(items: &mut Vec<Value>, id: &str, reason_key: &str, reason: &str) {
    let entry = Value::Map(IndexMap::from([
        ("id".to_string(), Value::String(id.to_string())),
        (reason_key.to_string(), Value::String(reason.to_string())),
    ]));
    let id_value = Value::String(id.to_string());
    match items
        .iter_mut()
        .find(|v| matches!(v, Value::Map(m) if m.get("id") == Some(&id_value)))
    {
        Some(existing) => *existing = entry,
        None => items.push(entry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    fn value(metadata: &IndexMap<String, Value>) -> Value {
        Value::Map(metadata.clone())
    }

    #[test]
    fn each_scanner_gets_its_own_format() {
        let mut m = IndexMap::new();
        suppress(&mut m, Scanner::Checkov, "CKV_AWS_1", "a");
        suppress(&mut m, Scanner::CdkNag, "AwsSolutions-S1", "b");
        suppress(
            &mut m,
            Scanner::Guard,
            "s3_bucket_logging_enabled_check",
            "c",
        );
        assert_eq!(
            value(&m),
            Value::from_json(json!({
                "checkov": {"skip": [{"id": "CKV_AWS_1", "comment": "a"}]},
                "cdk_nag": {"rules_to_suppress": [{"id": "AwsSolutions-S1", "reason": "b"}]},
                "guard": {
                    "SuppressedRules": ["s3_bucket_logging_enabled_check"],
                    "Reasons": {"s3_bucket_logging_enabled_check": "c"}
                }
            }))
        );
    }

    #[test]
    fn a_second_call_replaces_the_reason_and_unsuppress_cleans_up() {
        let mut m = IndexMap::new();
        suppress(&mut m, Scanner::Guard, "r", "first");
        suppress(&mut m, Scanner::Guard, "r", "second");
        suppress(&mut m, Scanner::CdkNag, "X", "first");
        suppress(&mut m, Scanner::CdkNag, "X", "second");
        assert_eq!(
            value(&m),
            Value::from_json(json!({
                "guard": {"SuppressedRules": ["r"], "Reasons": {"r": "second"}},
                "cdk_nag": {"rules_to_suppress": [{"id": "X", "reason": "second"}]}
            }))
        );
        unsuppress(&mut m, Scanner::Guard, "r");
        unsuppress(&mut m, Scanner::CdkNag, "X");
        unsuppress(&mut m, Scanner::Checkov, "never-there");
        assert!(m.is_empty(), "{:?}", value(&m));
    }
}
