//! Reading templates: the references inside a value and the port range of a rule.

use serde_json::Value;

/// A reference as written in a template.
pub enum RawRef {
    /// `Ref`, `Fn::GetAtt` or a `${...}` of `Fn::Sub`: logical id and attribute.
    Logical(String, Option<String>),
    /// `Fn::ImportValue` of a literal export name.
    Import(String),
}

/// The references in a template value, in document order.
pub fn refs_in(v: &Value, out: &mut Vec<RawRef>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| refs_in(i, out)),
        Value::Object(map) if map.len() == 1 => {
            let (k, arg) = map.iter().next().expect("one entry");
            match (k.as_str(), arg) {
                ("Ref", Value::String(id)) => {
                    if !id.starts_with("AWS::") {
                        out.push(RawRef::Logical(id.clone(), None));
                    }
                }
                ("Fn::GetAtt", Value::Array(parts)) => {
                    if let (Some(id), attr) = (parts.first().and_then(Value::as_str), parts.get(1))
                    {
                        out.push(RawRef::Logical(
                            id.to_string(),
                            attr.and_then(Value::as_str).map(String::from),
                        ));
                    }
                }
                ("Fn::GetAtt", Value::String(s)) => {
                    let (id, attr) = s
                        .split_once('.')
                        .map_or((s.as_str(), None), |(a, b)| (a, Some(b.to_string())));
                    out.push(RawRef::Logical(id.to_string(), attr));
                }
                ("Fn::Sub", Value::String(t)) => sub_refs(t, &[], out),
                ("Fn::Sub", Value::Array(parts)) => {
                    let vars: Vec<&str> = parts
                        .get(1)
                        .and_then(Value::as_object)
                        .map(|m| m.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    if let Some(t) = parts.first().and_then(Value::as_str) {
                        sub_refs(t, &vars, out);
                    }
                    parts.iter().skip(1).for_each(|p| refs_in(p, out));
                }
                ("Fn::ImportValue", Value::String(name)) => out.push(RawRef::Import(name.clone())),
                _ => refs_in(arg, out),
            }
        }
        Value::Object(map) => map.values().for_each(|i| refs_in(i, out)),
        _ => {}
    }
}

/// `${Name}` and `${Name.Attr}` of an `Fn::Sub` template, except pseudo parameters, literals
/// (`${!...}`) and the function's own variables.
fn sub_refs(template: &str, vars: &[&str], out: &mut Vec<RawRef>) {
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('}') else { break };
        let inner = &rest[..end];
        rest = &rest[end + 1..];
        if inner.starts_with('!') || inner.starts_with("AWS::") || vars.contains(&inner) {
            continue;
        }
        match inner.split_once('.') {
            Some((id, attr)) => out.push(RawRef::Logical(id.to_string(), Some(attr.to_string()))),
            None => out.push(RawRef::Logical(inner.to_string(), None)),
        }
    }
}

/// `tcp/5432`, `tcp/1024-65535`, `all traffic`, `icmp type 8`.
pub fn port_label(rule: &Value) -> String {
    let proto = rule.get("IpProtocol").map(text).unwrap_or_default();
    let proto = match proto.as_str() {
        "-1" | "all" => return "all traffic".into(),
        "6" => "tcp".to_string(),
        "17" => "udp".to_string(),
        "1" => "icmp".to_string(),
        "58" => "icmpv6".to_string(),
        other => other.to_lowercase(),
    };
    let from = rule.get("FromPort").map(text);
    let to = rule.get("ToPort").map(text);
    if proto.starts_with("icmp") {
        // For ICMP the "ports" are the message type and code.
        return match (from.as_deref(), to.as_deref()) {
            (None | Some("-1"), _) => format!("{proto}/all"),
            (Some(t), None | Some("-1")) => format!("{proto} type {t}"),
            (Some(t), Some(c)) => format!("{proto} type {t} code {c}"),
        };
    }
    match (from, to) {
        (Some(f), Some(t)) if f == t => format!("{proto}/{f}"),
        (Some(f), Some(t)) if (f == "0" || f == "-1") && (t == "65535" || t == "-1") => {
            format!("{proto}/all")
        }
        (Some(f), Some(t)) => format!("{proto}/{f}-{t}"),
        (Some(p), None) | (None, Some(p)) => format!("{proto}/{p}"),
        (None, None) => proto,
    }
}

/// A scalar as text; other values as compact JSON.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn port_labels() {
        let label = |v: Value| port_label(&v);
        assert_eq!(
            label(json!({"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432})),
            "tcp/5432"
        );
        assert_eq!(
            label(json!({"IpProtocol": "6", "FromPort": 1024, "ToPort": 65535})),
            "tcp/1024-65535"
        );
        assert_eq!(
            label(json!({"IpProtocol": "udp", "FromPort": 0, "ToPort": 65535})),
            "udp/all"
        );
        assert_eq!(label(json!({"IpProtocol": -1})), "all traffic");
        assert_eq!(
            label(json!({"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1})),
            "icmp/all"
        );
        assert_eq!(
            label(json!({"IpProtocol": "icmp", "FromPort": 252, "ToPort": 86})),
            "icmp type 252 code 86"
        );
        assert_eq!(
            label(json!({"IpProtocol": 1, "FromPort": 8, "ToPort": -1})),
            "icmp type 8"
        );
    }

    #[test]
    fn references_in_values() {
        let mut out = Vec::new();
        refs_in(
            &json!({
                "A": {"Ref": "Vpc"},
                "B": {"Ref": "AWS::Region"},
                "C": {"Fn::GetAtt": ["Queue", "Arn"]},
                "D": {"Fn::Sub": "${Bucket.Arn}/${!Literal}/${AWS::Partition}/${Topic}"},
                "E": {"Fn::Sub": ["${Var}-${Table}", {"Var": {"Ref": "Param"}}]},
                "F": {"Fn::ImportValue": "Net:Vpc"},
                "G": [{"Fn::GetAtt": "Db.Endpoint.Address"}],
            }),
            &mut out,
        );
        let shown: Vec<String> = out
            .iter()
            .map(|r| match r {
                RawRef::Logical(id, None) => id.clone(),
                RawRef::Logical(id, Some(a)) => format!("{id}.{a}"),
                RawRef::Import(n) => format!("import {n}"),
            })
            .collect();
        assert_eq!(
            shown,
            [
                "Vpc",
                "Queue.Arn",
                "Bucket.Arn",
                "Topic",
                "Table",
                "Param",
                "import Net:Vpc",
                "Db.Endpoint.Address"
            ]
        );
    }
}
