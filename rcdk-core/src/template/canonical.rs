//! One JSON form per meaning, to compare templates: long-form functions (`!GetAtt A.B` and
//! `Fn::GetAtt: [A, B]` read the same), `DependsOn` as a list, `Transform` as a list, whole
//! numbers as integers, and no property set to `Ref: AWS::NoValue` (CloudFormation removes it).

use serde_json::{Map, Value as J};

use super::TemplateDoc;
use crate::synth::format::to_json;
use crate::value::Value;

/// The canonical JSON of `doc`. Two templates mean the same when their canonical forms are
/// equal (maps compare without regard to order).
pub fn canonical(doc: &TemplateDoc) -> J {
    let mut t = Map::new();
    if let Some(d) = &doc.description {
        t.insert("Description".into(), J::String(d.clone()));
    }
    if !doc.metadata.is_empty() {
        t.insert("Metadata".into(), map(&doc.metadata));
    }
    if !doc.transforms.is_empty() {
        t.insert(
            "Transform".into(),
            J::Array(doc.transforms.iter().cloned().map(J::String).collect()),
        );
    }
    let mut params = Map::new();
    for (name, p) in &doc.parameters {
        let mut m = Map::new();
        m.insert("Type".into(), J::String(p.type_name.clone()));
        let mut opt = |k: &str, v: Option<J>| {
            if let Some(v) = v {
                m.insert(k.into(), v);
            }
        };
        opt("Default", p.default.as_ref().map(value));
        opt("Description", p.description.clone().map(J::String));
        opt(
            "AllowedValues",
            (!p.allowed_values.is_empty())
                .then(|| J::Array(p.allowed_values.iter().map(value).collect())),
        );
        opt("AllowedPattern", p.allowed_pattern.clone().map(J::String));
        opt(
            "ConstraintDescription",
            p.constraint_description.clone().map(J::String),
        );
        opt("MinLength", p.length.0.map(J::from));
        opt("MaxLength", p.length.1.map(J::from));
        opt("MinValue", p.value_range.0.map(float));
        opt("MaxValue", p.value_range.1.map(float));
        opt("NoEcho", p.no_echo.then_some(J::Bool(true)));
        params.insert(name.clone(), J::Object(m));
    }
    section(&mut t, "Parameters", params);
    let mut mappings = Map::new();
    for (name, m) in &doc.mappings {
        let inner = m.iter().map(|(k, v)| (k.clone(), map(v))).collect();
        mappings.insert(name.clone(), J::Object(inner));
    }
    section(&mut t, "Mappings", mappings);
    let conditions = doc
        .conditions
        .iter()
        .map(|(k, v)| (k.clone(), value(v)))
        .collect();
    section(&mut t, "Conditions", conditions);
    let mut resources = Map::new();
    for (name, r) in &doc.resources {
        let mut m = Map::new();
        m.insert("Type".into(), J::String(r.type_name.clone()));
        let props = properties(&r.properties);
        if !props.is_empty() {
            m.insert("Properties".into(), J::Object(props));
        }
        if !r.depends_on.is_empty() {
            m.insert(
                "DependsOn".into(),
                J::Array(r.depends_on.iter().cloned().map(J::String).collect()),
            );
        }
        if let Some(c) = &r.condition {
            m.insert("Condition".into(), J::String(c.clone()));
        }
        for (k, p) in [
            ("DeletionPolicy", r.deletion_policy),
            ("UpdateReplacePolicy", r.update_replace_policy),
        ] {
            if let Some(p) = p {
                m.insert(k.into(), J::String(p.as_str().into()));
            }
        }
        for (k, v) in &r.policy_functions {
            m.insert(k.clone(), value(v));
        }
        for (k, v) in [
            ("CreationPolicy", &r.creation_policy),
            ("UpdatePolicy", &r.update_policy),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), value(v));
            }
        }
        if !r.metadata.is_empty() {
            m.insert("Metadata".into(), map(&r.metadata));
        }
        resources.insert(name.clone(), J::Object(m));
    }
    t.insert("Resources".into(), J::Object(resources));
    let mut outputs = Map::new();
    for (name, o) in &doc.outputs {
        let mut m = Map::new();
        m.insert("Value".into(), value(&o.value));
        if let Some(d) = &o.description {
            m.insert("Description".into(), J::String(d.clone()));
        }
        if let Some(e) = &o.export_name {
            let mut export = Map::new();
            export.insert("Name".into(), value(e));
            m.insert("Export".into(), J::Object(export));
        }
        if let Some(c) = &o.condition {
            m.insert("Condition".into(), J::String(c.clone()));
        }
        outputs.insert(name.clone(), J::Object(m));
    }
    section(&mut t, "Outputs", outputs);
    for (name, v) in &doc.other_sections {
        t.insert(name.clone(), value(v));
    }
    J::Object(t)
}

fn section(t: &mut Map<String, J>, name: &str, m: Map<String, J>) {
    if !m.is_empty() {
        t.insert(name.into(), J::Object(m));
    }
}

fn properties(m: &indexmap::IndexMap<String, Value>) -> Map<String, J> {
    m.iter()
        .filter(|(_, v)| !v.is_no_value())
        .map(|(k, v)| (k.clone(), value(v)))
        .collect()
}

fn map(m: &indexmap::IndexMap<String, Value>) -> J {
    J::Object(properties(m))
}

fn float(f: f64) -> J {
    whole(serde_json::Number::from_f64(f).map_or(J::Null, J::Number))
}

/// `value` in long form, with property structs' `AWS::NoValue` entries removed and numbers
/// normalised.
fn value(v: &Value) -> J {
    let v = strip(v);
    whole(to_json(&v))
}

fn strip(v: &Value) -> Value {
    match v {
        Value::Map(m) => Value::Map(
            m.iter()
                .filter(|(_, x)| !x.is_no_value())
                .map(|(k, x)| (k.clone(), strip(x)))
                .collect(),
        ),
        Value::List(items) => Value::List(items.iter().map(strip).collect()),
        other => other.clone(),
    }
}

fn whole(j: J) -> J {
    match j {
        J::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => J::from(f as i64),
            _ => J::Number(n),
        },
        J::Array(items) => J::Array(items.into_iter().map(whole).collect()),
        J::Object(m) => J::Object(m.into_iter().map(|(k, v)| (k, whole(v))).collect()),
        other => other,
    }
}
