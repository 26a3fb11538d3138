//! Canonical form of template values, so that equal meaning compares equal.
//!
//! CloudFormation treats `30` and `"30"` alike, and IAM treats statement order, and the order
//! of actions, resources and principals, as irrelevant; so do we. Object keys are sorted so the
//! JSON text of a normalized value is a canonical key for set comparisons.

use serde_json::{Map, Value};

/// Keys whose arrays are sets, wherever they appear in a resource's properties.
const SET_KEYS: &[&str] = &[
    "SecurityGroupIngress",
    "SecurityGroupEgress",
    "ManagedPolicyArns",
    "DependsOn",
];

/// Statement keys whose value may be a string or a list, and whose list is a set.
const STATEMENT_SET_KEYS: &[&str] = &["Action", "NotAction", "Resource", "NotResource"];

/// Normalizes any template value.
pub fn normalize(value: &Value) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for key in keys {
                let v = &map[key];
                let normalized = if key == "Statement" {
                    as_set(as_list(v).iter().map(normalize_statement).collect())
                } else if SET_KEYS.contains(&key.as_str()) {
                    as_set(as_list(v).iter().map(normalize).collect())
                } else {
                    normalize(v)
                };
                out.insert(key.clone(), normalized);
            }
            Value::Object(out)
        }
        Value::String(_) | Value::Null => value.clone(),
    }
}

/// One IAM policy statement: list-or-string fields become sorted lists.
fn normalize_statement(statement: &Value) -> Value {
    let Value::Object(map) = normalize(statement) else {
        return normalize(statement);
    };
    let mut out = Map::new();
    for (key, value) in map {
        let value = if STATEMENT_SET_KEYS.contains(&key.as_str()) {
            as_set(as_list(&value))
        } else if key == "Principal" || key == "NotPrincipal" {
            match value {
                Value::Object(principals) => Value::Object(
                    principals
                        .into_iter()
                        .map(|(kind, ids)| (kind, as_set(as_list(&ids))))
                        .collect(),
                ),
                other => other,
            }
        } else {
            value
        };
        out.insert(key, value);
    }
    Value::Object(out)
}

/// A single value is a list of one.
fn as_list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

/// Sorted by canonical text, duplicates removed.
fn as_set(items: Vec<Value>) -> Value {
    let mut keyed: Vec<(String, Value)> = items.into_iter().map(|v| (canonical(&v), v)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|a, b| a.0 == b.0);
    Value::Array(keyed.into_iter().map(|(_, v)| v).collect())
}

/// Compact JSON text of an (already normalized) value.
pub fn canonical(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_and_booleans_equal_their_strings() {
        assert_eq!(
            normalize(&json!({"Timeout": 30, "Enabled": true})),
            normalize(&json!({"Timeout": "30", "Enabled": "true"}))
        );
    }

    #[test]
    fn statement_order_and_list_forms_do_not_matter() {
        let a = json!({"PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "*"},
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": ["arn:q"],
             "Principal": {"AWS": "arn:a"}}
        ]}});
        let b = json!({"PolicyDocument": {"Statement": [
            {"Resource": ["arn:q"], "Action": ["sqs:SendMessage"], "Effect": "Allow",
             "Principal": {"AWS": ["arn:a"]}},
            {"Action": ["s3:GetObject", "s3:PutObject"], "Effect": "Allow", "Resource": ["*"]}
        ], "Version": "2012-10-17"}});
        assert_eq!(normalize(&a), normalize(&b));
        assert_eq!(canonical(&normalize(&a)), canonical(&normalize(&b)));
    }

    #[test]
    fn a_changed_action_is_a_difference() {
        let a = json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]});
        let b = json!({"Statement": [{"Effect": "Allow", "Action": "s3:*"}]});
        assert_ne!(normalize(&a), normalize(&b));
    }

    #[test]
    fn security_group_rules_are_a_set_but_other_lists_keep_order() {
        let a = json!({"SecurityGroupIngress": [{"CidrIp": "10.0.0.0/8", "FromPort": 443},
                                                {"CidrIp": "0.0.0.0/0", "FromPort": 80}]});
        let b = json!({"SecurityGroupIngress": [{"FromPort": "80", "CidrIp": "0.0.0.0/0"},
                                                {"FromPort": 443, "CidrIp": "10.0.0.0/8"}]});
        assert_eq!(normalize(&a), normalize(&b));
        assert_ne!(
            normalize(&json!({"Subnets": ["a", "b"]})),
            normalize(&json!({"Subnets": ["b", "a"]}))
        );
    }
}
