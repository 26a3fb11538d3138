//! Builds one stack's template from the walked tree, in CloudFormation's section order.

use indexmap::IndexMap;

use crate::element::Element;
use crate::params::{ConditionDef, MappingDef, OutputDef, ParameterDef};
use crate::resource::ResourceCore;
use crate::synth::render::Resolver;
use crate::synth::tree::Walk;
use crate::value::{Target, Value};

/// The sections of one template being built, each in insertion order.
#[derive(Default)]
pub struct Sections {
    pub parameters: IndexMap<String, Value>,
    pub mappings: IndexMap<String, Value>,
    pub conditions: IndexMap<String, Value>,
    pub resources: IndexMap<String, Value>,
    pub outputs: IndexMap<String, Value>,
    /// Logical id -> path, for messages.
    pub paths: IndexMap<String, String>,
    /// (namespace, logical id) -> path: ids must be unique among the parameters and resources
    /// (both are what `Ref` names) and within each other section; an output may share its id
    /// with a parameter, as CloudFormation allows.
    pub taken: std::collections::HashMap<(&'static str, String), String>,
}

fn s(text: &str) -> Value {
    Value::str(text)
}

/// Collects the elements of stack `stack` into sections, resolving their values.
pub fn collect(
    walk: &Walk<'_>,
    resolver: &mut Resolver<'_, '_>,
    stack: usize,
    sections: &mut Sections,
) {
    for rec in walk.nodes.iter().filter(|n| n.stack == stack) {
        let Some(element) = rec.construct.element() else {
            continue;
        };
        let path = rec.path_string();
        let id = walk.logical_ids[&element.node()].clone();
        let (section, body) = match element {
            Element::Resource(core) => (
                &mut sections.resources,
                resource(core, resolver, stack, &path),
            ),
            Element::Parameter(p) => (&mut sections.parameters, parameter(p)),
            Element::Condition(c) => (
                &mut sections.conditions,
                condition(c, resolver, stack, &path),
            ),
            Element::Mapping(m) => (&mut sections.mappings, mapping(m)),
            Element::Output(o) => (&mut sections.outputs, output(o, resolver, stack, &path)),
            // Listed in the stack's asset manifest, not in the template.
            Element::FileAsset(_) | Element::ImageAsset(_) => continue,
        };
        if let Some(what) = not_literal(&element) {
            resolver.errors.push(
                crate::error::SynthError::new(&path, format!("{what} must be literal values"))
                    .hint("CloudFormation does not evaluate functions or references there; use a literal, or a condition with Fn::If where the value is used"),
            );
        }
        let namespace = match element {
            Element::Resource(_) | Element::Parameter(_) => "Ref",
            other => other.section(),
        };
        if let Some(previous) = sections.taken.get(&(namespace, id.clone())) {
            resolver.errors.push(
                crate::error::SynthError::new(
                    &path,
                    format!("logical id '{id}' is also used by {previous}"),
                )
                .hint("override one of the logical ids, or rename one construct"),
            );
            continue;
        }
        sections.taken.insert((namespace, id.clone()), path.clone());
        sections.paths.entry(id.clone()).or_insert(path);
        section.insert(id, body);
    }
}

/// Which part of a parameter or mapping holds a function, if any (they are copied verbatim).
fn not_literal(element: &Element<'_>) -> Option<&'static str> {
    match element {
        Element::Parameter(p)
            if !p
                .default
                .iter()
                .chain(&p.allowed_values)
                .all(Value::is_literal) =>
        {
            Some("a parameter's Default and AllowedValues")
        }
        Element::Mapping(m)
            if !m
                .entries
                .values()
                .flat_map(|inner| inner.values())
                .all(Value::is_literal) =>
        {
            Some("mapping values")
        }
        _ => None,
    }
}

fn resource(core: &ResourceCore, r: &mut Resolver<'_, '_>, stack: usize, path: &str) -> Value {
    let mut m = IndexMap::new();
    m.insert("Type".to_string(), s(core.type_name()));
    if !core.props.is_empty() {
        m.insert(
            "Properties".to_string(),
            r.render_map(core.props.as_map(), stack, path),
        );
    }
    let a = &core.attributes;
    let mut deps = Vec::new();
    for node in &a.depends_on {
        if let Some(name) = r.depends_on_name(&Target::Node(*node), stack, path) {
            if !deps.contains(&name) {
                deps.push(name);
            }
        }
    }
    if !deps.is_empty() {
        m.insert(
            "DependsOn".to_string(),
            Value::List(deps.into_iter().map(Value::String).collect()),
        );
    }
    if let Some(c) = &a.condition {
        if let Some(name) = r.condition_attribute(c, stack, path) {
            m.insert("Condition".to_string(), Value::String(name));
        }
    }
    if let Some(p) = a.deletion_policy {
        m.insert("DeletionPolicy".to_string(), s(p.as_str()));
    }
    if let Some(p) = a.update_replace_policy {
        m.insert("UpdateReplacePolicy".to_string(), s(p.as_str()));
    }
    if let Some(p) = &a.creation_policy {
        m.insert("CreationPolicy".to_string(), r.render(p, stack, path));
    }
    if let Some(p) = &a.update_policy {
        m.insert("UpdatePolicy".to_string(), r.render(p, stack, path));
    }
    if !a.metadata.is_empty() {
        let mut metadata = r.render_map(&a.metadata, stack, path);
        // Suppressions of cdk-nag findings about references name them by logical id.
        crate::suppression::finish_rendered(&mut metadata);
        m.insert("Metadata".to_string(), metadata);
    }
    let mut out = Value::Map(m);
    for (override_path, value) in core.overrides() {
        let rendered = value.as_ref().map(|v| r.render(v, stack, path));
        if let Err(problem) = apply_override(&mut out, override_path, rendered) {
            let what = if value.is_some() {
                "override"
            } else {
                "deletion override"
            };
            r.errors.push(
                crate::error::SynthError::new(path, format!("{what} of '{override_path}': {problem}"))
                    .hint("numeric segments index into a list that is already set (counting from 0); set the whole list with an override of its path instead"),
            );
        }
    }
    out
}

/// Sets (or with `None` removes) the dot-separated `path` inside `target`, creating maps on the
/// way. A literal dot in a key is written `\\.`. A numeric segment indexes into a list that is
/// already there (`Properties.ContainerDefinitions.0.Command`), as the AWS CDK's overrides do.
/// Removing a path that is not there changes nothing (no empty maps are left behind).
///
/// Fails when a segment cannot be followed: an index out of range, a name
/// used on a list, or an index where there is no list to index.
pub fn apply_override(target: &mut Value, path: &str, value: Option<Value>) -> Result<(), String> {
    let keys = split_path(path);
    let Some((last, parents)) = keys.split_last() else {
        return Ok(());
    };
    let deleting = value.is_none();
    let mut cur = target;
    for (depth, key) in parents.iter().enumerate() {
        cur = match cur {
            Value::List(items) => {
                let i = list_index(key, items.len(), &keys[..depth].join("."))?;
                &mut items[i]
            }
            Value::Map(map) => {
                if deleting {
                    match map.get_mut(key.as_str()) {
                        Some(next) => next,
                        None => return Ok(()),
                    }
                } else if is_index(key) && !map.contains_key(key.as_str()) {
                    return Err(no_list_to_index(key, &keys[..depth].join("."), "nothing"));
                } else {
                    map.entry(key.clone())
                        .or_insert_with(|| Value::Map(IndexMap::new()))
                }
            }
            _ if deleting => return Ok(()),
            Value::Fn(_) => {
                return Err(format!(
                "'{}' is a function or reference, whose result cannot be changed by an override",
                keys[..depth].join(".")
            ))
            }
            other => {
                if is_index(key) {
                    return Err(no_list_to_index(key, &keys[..depth].join("."), "a scalar"));
                }
                // A scalar on the way is replaced, as the AWS CDK does.
                *other = Value::Map(IndexMap::new());
                let Value::Map(map) = other else {
                    return Err(format!("cannot follow '{}'", keys[..=depth].join(".")));
                };
                map.entry(key.clone())
                    .or_insert_with(|| Value::Map(IndexMap::new()))
            }
        };
    }
    let parent = parents.join(".");
    match (cur, value) {
        (Value::List(items), value) => {
            let i = list_index(last, items.len(), &parent)?;
            match value {
                Some(v) => items[i] = v,
                None => {
                    items.remove(i);
                }
            }
        }
        (Value::Map(map), None) => {
            map.shift_remove(last.as_str());
        }
        (Value::Map(map), Some(v)) => {
            if is_index(last) && !map.contains_key(last.as_str()) {
                return Err(no_list_to_index(last, &parent, "nothing"));
            }
            map.insert(last.clone(), v);
        }
        (_, None) => {}
        (Value::Fn(_), Some(_)) => {
            return Err(format!(
            "'{parent}' is a function or reference, whose result cannot be changed by an override"
        ))
        }
        (other, Some(v)) => {
            if is_index(last) {
                return Err(no_list_to_index(last, &parent, "a scalar"));
            }
            let mut map = IndexMap::new();
            map.insert(last.clone(), v);
            *other = Value::Map(map);
        }
    }
    Ok(())
}

fn is_index(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit())
}

/// The position `key` names in a list of `len` items at `parent`.
fn list_index(key: &str, len: usize, parent: &str) -> Result<usize, String> {
    if !is_index(key) {
        return Err(format!(
            "'{parent}' is a list, so the next segment must be an index (0 to {}), not '{key}'",
            len.saturating_sub(1)
        ));
    }
    match key.parse::<usize>() {
        Ok(i) if i < len => Ok(i),
        _ => Err(format!(
            "index {key} is out of range: '{parent}' is a list of {len} item{}",
            if len == 1 { "" } else { "s" }
        )),
    }
}

fn no_list_to_index(key: &str, parent: &str, found: &str) -> String {
    let parent = if parent.is_empty() {
        "the resource"
    } else {
        parent
    };
    format!("index {key} needs a list at '{parent}', but {found} is there")
}

fn split_path(path: &str) -> Vec<String> {
    let mut keys = vec![String::new()];
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'.') => {
                if let Some(k) = keys.last_mut() {
                    k.push('.');
                }
                chars.next();
            }
            '.' => keys.push(String::new()),
            c => {
                if let Some(k) = keys.last_mut() {
                    k.push(c);
                }
            }
        }
    }
    keys
}

fn parameter(p: &ParameterDef) -> Value {
    let mut m = IndexMap::new();
    m.insert("Type".to_string(), s(&p.type_name));
    if let Some(d) = &p.description {
        m.insert("Description".to_string(), s(d));
    }
    if let Some(d) = &p.default {
        m.insert("Default".to_string(), d.clone());
    }
    if !p.allowed_values.is_empty() {
        m.insert(
            "AllowedValues".to_string(),
            Value::List(p.allowed_values.clone()),
        );
    }
    if let Some(x) = &p.allowed_pattern {
        m.insert("AllowedPattern".to_string(), s(x));
    }
    if let Some(x) = &p.constraint_description {
        m.insert("ConstraintDescription".to_string(), s(x));
    }
    if let Some(x) = p.length.0 {
        m.insert("MinLength".to_string(), Value::Number(x.into()));
    }
    if let Some(x) = p.length.1 {
        m.insert("MaxLength".to_string(), Value::Number(x.into()));
    }
    for (name, x) in [("MinValue", p.value_range.0), ("MaxValue", p.value_range.1)] {
        if let Some(n) = x.and_then(serde_json::Number::from_f64) {
            m.insert(name.to_string(), Value::Number(n));
        }
    }
    if p.no_echo {
        m.insert("NoEcho".to_string(), Value::Bool(true));
    }
    Value::Map(m)
}

fn condition(c: &ConditionDef, r: &mut Resolver<'_, '_>, stack: usize, path: &str) -> Value {
    r.render(&c.expression, stack, path)
}

fn mapping(m: &MappingDef) -> Value {
    Value::Map(
        m.entries
            .iter()
            .map(|(k, inner)| (k.clone(), Value::Map(inner.clone())))
            .collect(),
    )
}

fn output(o: &OutputDef, r: &mut Resolver<'_, '_>, stack: usize, path: &str) -> Value {
    let mut m = IndexMap::new();
    if let Some(d) = &o.description {
        m.insert("Description".to_string(), s(d));
    }
    m.insert("Value".to_string(), r.render(&o.value, stack, path));
    if let Some(name) = &o.export_name {
        let mut e = IndexMap::new();
        e.insert("Name".to_string(), r.render(name, stack, path));
        m.insert("Export".to_string(), Value::Map(e));
    }
    if let Some(c) = &o.condition {
        if let Some(name) = r.condition_attribute(c, stack, path) {
            m.insert("Condition".to_string(), Value::String(name));
        }
    }
    Value::Map(m)
}

/// An output that exports `value` under `export_name`.
pub fn export_output(export_name: &str, value: Value) -> Value {
    let mut m = IndexMap::new();
    m.insert("Value".to_string(), value);
    let mut e = IndexMap::new();
    e.insert("Name".to_string(), s(export_name));
    m.insert("Export".to_string(), Value::Map(e));
    Value::Map(m)
}

/// An output without an export: read at deploy time for a stack in another environment.
pub fn plain_output(value: Value) -> Value {
    let mut m = IndexMap::new();
    m.insert("Value".to_string(), value);
    m.insert(
        "Description".to_string(),
        s("Read at deploy time for a stack in another environment (a reference across environments)"),
    );
    Value::Map(m)
}

/// The parameter of a consumer stack whose value deployment reads from output `output_id` of
/// stack `producer` in environment `environment`.
pub fn cross_env_parameter(
    producer: &str,
    environment: &str,
    output_id: &str,
    list: bool,
) -> Value {
    let mut m = IndexMap::new();
    m.insert(
        "Type".to_string(),
        s(if list { "CommaDelimitedList" } else { "String" }),
    );
    m.insert(
        "Description".to_string(),
        s(&format!(
            "Output {output_id} of stack {producer} ({environment}), passed at deploy time"
        )),
    );
    Value::Map(m)
}

/// The `AWS::SSM::Parameter` resource that carries `value` to other stacks.
pub fn ssm_export(parameter_name: &str, value: Value, list: bool) -> Value {
    let mut props = IndexMap::new();
    props.insert("Name".to_string(), s(parameter_name));
    props.insert(
        "Type".to_string(),
        s(if list { "StringList" } else { "String" }),
    );
    props.insert("Value".to_string(), value);
    props.insert(
        "Description".to_string(),
        s("Written by the Rust CDK for a cross-stack reference; read by the consuming stack"),
    );
    let mut m = IndexMap::new();
    m.insert("Type".to_string(), s("AWS::SSM::Parameter"));
    m.insert("Properties".to_string(), Value::Map(props));
    Value::Map(m)
}

/// The consumer's parameter that reads an SSM-carried value at deploy time.
pub fn ssm_import(parameter_name: &str, list: bool) -> Value {
    let mut m = IndexMap::new();
    let ty = if list {
        "AWS::SSM::Parameter::Value<List<String>>"
    } else {
        "AWS::SSM::Parameter::Value<String>"
    };
    m.insert("Type".to_string(), s(ty));
    m.insert("Default".to_string(), s(parameter_name));
    m.insert(
        "Description".to_string(),
        s("Cross-stack reference read from SSM Parameter Store (written by the producing stack)"),
    );
    Value::Map(m)
}
