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

/// Key of a cdk-nag entry that suppresses one finding about a value of the resource: the
/// finding's kind and the value, kept unrendered until synthesis writes them into the id (see
/// [`suppress_cdk_nag_finding`]).
const FINDING_KEY: &str = "finding";

/// Records that one finding of cdk-nag rule `rule` is deliberately accepted: the finding about
/// `subject`, a value of the resource's properties that may reference other resources (an IAM
/// policy's `Resource` `${Bucket.Arn}/*`), of kind `kind` (`Resource`, `Action`). cdk-nag names
/// such a finding `rule[kind::text]`, the text being the value with references flattened
/// (`AwsSolutions-IAM5[Resource::<Bucket1A2B3C4D.Arn>/*]`); logical ids are known only at
/// synthesis, which writes that id ([`finish_rendered`]). A second call for the same finding
/// replaces the reason.
pub fn suppress_cdk_nag_finding(
    metadata: &mut IndexMap<String, Value>,
    rule: &str,
    kind: &str,
    subject: Value,
    reason: &str,
) {
    let finding = Value::List(vec![Value::String(kind.to_string()), subject]);
    let section = map_entry(metadata, Scanner::CdkNag.metadata_key());
    let items = list_entry(section, "rules_to_suppress");
    let entry = Value::Map(IndexMap::from([
        ("id".to_string(), Value::String(rule.to_string())),
        (FINDING_KEY.to_string(), finding.clone()),
        ("reason".to_string(), Value::String(reason.to_string())),
    ]));
    let id_value = Value::String(rule.to_string());
    match items.iter_mut().find(|v| {
        matches!(v, Value::Map(m)
            if m.get("id") == Some(&id_value) && m.get(FINDING_KEY) == Some(&finding))
    }) {
        Some(existing) => *existing = entry,
        None => items.push(entry),
    }
}

/// Undoes every [`suppress_cdk_nag_finding`] of `rule` (for a resource whose findings are
/// recomputed as a whole, like a policy after each grant). Drops sections left empty.
pub fn unsuppress_cdk_nag_findings(metadata: &mut IndexMap<String, Value>, rule: &str) {
    let key = Scanner::CdkNag.metadata_key();
    let Some(Value::Map(section)) = metadata.get_mut(key) else {
        return;
    };
    let id_value = Value::String(rule.to_string());
    if let Some(Value::List(items)) = section.get_mut("rules_to_suppress") {
        items.retain(|v| {
            !matches!(v, Value::Map(m)
                if m.get("id") == Some(&id_value) && m.contains_key(FINDING_KEY))
        });
        if items.is_empty() {
            section.shift_remove("rules_to_suppress");
        }
    }
    if section.is_empty() {
        metadata.shift_remove(key);
    }
}

/// Writes the ids of [`suppress_cdk_nag_finding`] entries into a resource's rendered `Metadata`
/// (references are logical ids by then): `rule[kind::text]`, the text flattened as cdk-nag
/// does. Entries that end up with the same id become one, with their distinct reasons joined.
pub fn finish_rendered(metadata: &mut Value) {
    let Value::Map(metadata) = metadata else {
        return;
    };
    let Some(Value::Map(section)) = metadata.get_mut(Scanner::CdkNag.metadata_key()) else {
        return;
    };
    let Some(Value::List(items)) = section.get_mut("rules_to_suppress") else {
        return;
    };
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        let Value::Map(mut m) = item else {
            out.push(item);
            continue;
        };
        if let Some(Value::List(finding)) = m.shift_remove(FINDING_KEY) {
            let rule = m.get("id").and_then(Value::as_str).unwrap_or_default();
            let kind = finding.first().and_then(Value::as_str).unwrap_or_default();
            let text = finding.get(1).map(flatten_reference).unwrap_or_default();
            // cdk-nag writes a `Fn::Sub` with variables as its JSON, `${..}` included, which
            // CloudFormation linters refuse outside `Fn::Sub`: such a finding is suppressed by
            // the rule's id (the reason still says which one).
            if !text.contains("${") {
                m.insert(
                    "id".to_string(),
                    Value::String(format!("{rule}[{kind}::{text}]")),
                );
            }
        }
        let same_id = out.iter_mut().find_map(|v| match v {
            Value::Map(o) if o.get("id") == m.get("id") => Some(o),
            _ => None,
        });
        match (same_id, m.get("reason").and_then(Value::as_str)) {
            (Some(existing), Some(reason)) => {
                let joined = match existing.get("reason").and_then(Value::as_str) {
                    Some(before) if before.split(" / ").any(|r| r == reason) => before.to_string(),
                    Some(before) => format!("{before} / {reason}"),
                    None => reason.to_string(),
                };
                existing.insert("reason".to_string(), Value::String(joined));
            }
            (Some(_), None) => {}
            (None, _) => out.push(Value::Map(m)),
        }
    }
    *items = out;
}

/// A rendered value as cdk-nag writes it in a finding: `${X}` of `Fn::Sub` as `<X>`, `Ref` as
/// `<Id>`, `Fn::GetAtt` as `<Id.Attribute>`, `Fn::Join` joined, `Fn::ImportValue` as its name,
/// anything else as compact JSON.
pub fn flatten_reference(value: &Value) -> String {
    flatten_json(&crate::synth::format::to_json(value))
}

fn flatten_json(value: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match value {
        J::String(s) => s.replace("${", "<").replace('}', ">"),
        J::Object(m) => {
            if let Some(J::Array(parts)) = m.get("Fn::Join") {
                if let [J::String(delimiter), J::Array(items)] = parts.as_slice() {
                    let items: Vec<String> = items.iter().map(flatten_json).collect();
                    return items.join(delimiter);
                }
            }
            if let Some(sub) = m.get("Fn::Sub") {
                return flatten_json(sub);
            }
            if let Some(J::Array(parts)) = m.get("Fn::GetAtt") {
                if let [resource, attribute] = parts.as_slice() {
                    return format!("<{}.{}>", flatten_json(resource), flatten_json(attribute));
                }
            }
            if let Some(name) = m.get("Fn::ImportValue") {
                return flatten_json(name);
            }
            if let Some(target) = m.get("Ref") {
                return format!("<{}>", flatten_json(target));
            }
            value.to_string()
        }
        // `JSON.stringify`, keys in their order.
        other => other.to_string(),
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
    fn findings_get_their_flattened_id_once_rendered() {
        let mut m = IndexMap::new();
        let object_arn = Value::from_json(json!({
            "Fn::Join": ["", [{"Fn::GetAtt": ["Bucket1A2B3C4D", "Arn"]}, "/*"]]
        }));
        suppress_cdk_nag_finding(
            &mut m,
            "AwsSolutions-IAM5",
            "Resource",
            object_arn,
            "objects",
        );
        suppress_cdk_nag_finding(
            &mut m,
            "AwsSolutions-IAM5",
            "Resource",
            Value::str("*"),
            "a",
        );
        // The same text written another way: one suppression, both reasons.
        let star = Value::from_json(json!({"Fn::Join": ["", ["*"]]}));
        suppress_cdk_nag_finding(&mut m, "AwsSolutions-IAM5", "Resource", star, "b");
        let sub = Value::from_json(json!({"Fn::Sub": "arn:${AWS::Partition}:logs:*"}));
        suppress_cdk_nag_finding(&mut m, "AwsSolutions-IAM5", "Resource", sub, "c");
        suppress(&mut m, Scanner::CdkNag, "AwsSolutions-S1", "d");
        let mut rendered = value(&m);
        finish_rendered(&mut rendered);
        assert_eq!(
            rendered,
            Value::from_json(json!({"cdk_nag": {"rules_to_suppress": [
                {"id": "AwsSolutions-IAM5[Resource::<Bucket1A2B3C4D.Arn>/*]", "reason": "objects"},
                {"id": "AwsSolutions-IAM5[Resource::*]", "reason": "a / b"},
                {"id": "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:*]", "reason": "c"},
                {"id": "AwsSolutions-S1", "reason": "d"}
            ]}}))
        );
        unsuppress_cdk_nag_findings(&mut m, "AwsSolutions-IAM5");
        unsuppress(&mut m, Scanner::CdkNag, "AwsSolutions-S1");
        assert!(m.is_empty(), "{:?}", value(&m));
    }

    #[test]
    fn a_finding_whose_text_keeps_sub_syntax_is_suppressed_by_the_rule() {
        let mut m = IndexMap::new();
        let sub = Value::from_json(json!({"Fn::Sub": ["${A}:*", {"A": {"Ref": "Name"}}]}));
        suppress_cdk_nag_finding(&mut m, "AwsSolutions-IAM5", "Resource", sub, "streams");
        let mut rendered = value(&m);
        finish_rendered(&mut rendered);
        assert_eq!(
            rendered,
            Value::from_json(json!({"cdk_nag": {"rules_to_suppress": [
                {"id": "AwsSolutions-IAM5", "reason": "streams"}
            ]}}))
        );
    }

    #[test]
    fn flattening_matches_cdk_nag() {
        let flat = |j: serde_json::Value| flatten_reference(&Value::from_json(j));
        assert_eq!(flat(json!({"Ref": "Queue1"})), "<Queue1>");
        assert_eq!(
            flat(json!({"Fn::ImportValue": "Stack:Export"})),
            "Stack:Export"
        );
        // `Fn::Sub` with variables is not unfolded by cdk-nag: it writes the JSON.
        assert_eq!(
            flat(json!({"Fn::Sub": ["${A}/*", {"A": {"Ref": "B"}}]})),
            r#"["${A}/*",{"A":{"Ref":"B"}}]"#
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
