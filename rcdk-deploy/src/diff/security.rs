//! Security-relevant parts of a resource: IAM statements, managed policies, policy
//! attachments and security-group rules. Adding one widens access ("broadening").

use std::collections::BTreeSet;

use serde_json::Value;

use super::normalize::canonical;

/// The kind of a security-relevant item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SecurityKind {
    /// A statement of an IAM policy document (identity, trust or resource policy).
    IamStatement,
    /// A managed policy attached to a role, user or group.
    ManagedPolicy,
    /// A role, user or group a policy is attached to.
    PolicyAttachment,
    /// An ingress or egress rule of a security group.
    SecurityGroupRule,
}

impl std::fmt::Display for SecurityKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SecurityKind::IamStatement => "IAM statement",
            SecurityKind::ManagedPolicy => "IAM managed policy",
            SecurityKind::PolicyAttachment => "IAM policy attachment",
            SecurityKind::SecurityGroupRule => "security group rule",
        })
    }
}

/// One item added or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityChange {
    /// Resource the item belongs to.
    pub logical_id: String,
    /// What it is.
    pub kind: SecurityKind,
    /// Added (true) or removed.
    pub added: bool,
    /// Whether it widens access: an added item that is not a `Deny` statement.
    pub broadening: bool,
    /// Canonical JSON of the item (prefixed with `ingress`/`egress` for rules).
    pub detail: String,
}

/// An item with its canonical text and whether adding it would widen access.
type Item = (SecurityKind, String, bool);

/// Items of one normalized resource (`Type` and `Properties`).
fn items(resource: Option<&Value>) -> BTreeSet<Item> {
    let mut out = BTreeSet::new();
    let Some(resource) = resource else {
        return out;
    };
    let rtype = resource.get("Type").and_then(Value::as_str).unwrap_or("");
    let Some(props) = resource.get("Properties") else {
        return out;
    };
    collect_statements(props, &mut out);
    match rtype {
        "AWS::EC2::SecurityGroup" => {
            for (key, dir) in [
                ("SecurityGroupIngress", "ingress"),
                ("SecurityGroupEgress", "egress"),
            ] {
                for rule in props
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    out.insert((
                        SecurityKind::SecurityGroupRule,
                        format!("{dir} {}", canonical(rule)),
                        true,
                    ));
                }
            }
        }
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
            let dir = if rtype.ends_with("Ingress") {
                "ingress"
            } else {
                "egress"
            };
            out.insert((
                SecurityKind::SecurityGroupRule,
                format!("{dir} {}", canonical(props)),
                true,
            ));
        }
        "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
            for key in ["Roles", "Users", "Groups"] {
                for who in props
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    out.insert((
                        SecurityKind::PolicyAttachment,
                        format!(
                            "{} {}",
                            key.trim_end_matches('s').to_lowercase(),
                            canonical(who)
                        ),
                        true,
                    ));
                }
            }
        }
        _ => {}
    }
    for arn in props
        .get("ManagedPolicyArns")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.insert((SecurityKind::ManagedPolicy, canonical(arn), true));
    }
    out
}

/// Every statement of every policy document anywhere in the properties.
fn collect_statements(value: &Value, out: &mut BTreeSet<Item>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("Statement", Value::Array(statements)) => {
                        for s in statements {
                            let deny = s.get("Effect").and_then(Value::as_str) == Some("Deny");
                            out.insert((SecurityKind::IamStatement, canonical(s), !deny));
                        }
                    }
                    _ => collect_statements(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_statements(v, out)),
        _ => {}
    }
}

/// Items added and removed between two normalized versions of a resource (`None` = absent).
pub fn security_changes(
    logical_id: &str,
    old: Option<&Value>,
    new: Option<&Value>,
) -> Vec<SecurityChange> {
    let (before, after) = (items(old), items(new));
    let change = |(kind, detail, widens): &Item, added: bool| SecurityChange {
        logical_id: logical_id.to_string(),
        kind: *kind,
        added,
        broadening: added && *widens,
        detail: detail.clone(),
    };
    after
        .difference(&before)
        .map(|i| change(i, true))
        .chain(before.difference(&after).map(|i| change(i, false)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::normalize::normalize;
    use super::*;
    use serde_json::json;

    fn role(statements: Value) -> Value {
        normalize(&json!({"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": statements}}]}}))
    }

    #[test]
    fn added_allow_statement_broadens_removed_does_not() {
        let old = role(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]));
        let new = role(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]));
        let changes = security_changes("Role", Some(&old), Some(&new));
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert!(changes
            .iter()
            .any(|c| c.added && c.broadening && c.detail.contains("s3:*")));
        assert!(changes.iter().any(|c| !c.added && !c.broadening));
    }

    #[test]
    fn added_deny_does_not_broaden() {
        let old = role(json!([]));
        let new = role(json!([{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]));
        let changes = security_changes("Role", Some(&old), Some(&new));
        assert_eq!(changes.len(), 1);
        assert!(changes[0].added && !changes[0].broadening);
    }

    #[test]
    fn new_security_group_rule_is_flagged() {
        let sg = |rules: Value| {
            normalize(&json!({"Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "d", "SecurityGroupIngress": rules}}))
        };
        let old = sg(
            json!([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8"}]),
        );
        let new = sg(
            json!([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8"},
                            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]),
        );
        let changes = security_changes("Sg", Some(&old), Some(&new));
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].kind, SecurityKind::SecurityGroupRule);
        assert!(
            changes[0].broadening
                && changes[0].detail.starts_with("ingress ")
                && changes[0].detail.contains("0.0.0.0/0")
        );
    }

    #[test]
    fn unrelated_resources_have_none() {
        let q = normalize(&json!({"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 5}}));
        assert!(security_changes("Q", None, Some(&q)).is_empty());
    }
}
