//! The migrated program's `main.rs`: parameters, mappings and conditions, then the resources in
//! an order where each one's references are declared above it, then outputs, all added to one
//! stack under their logical ids.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

use rcdk_core::template::{ParameterDoc, ResourceDoc, TemplateDoc, Use};
use rcdk_core::{Target, Value};

use super::rust::{json_macro, lit, Binding, Emitter};
use super::table::{self, Ty};

/// What the generated program needs beyond its text.
pub struct Program {
    /// `main.rs`.
    pub main_rs: String,
    /// Service features of `rcdk-constructs` it uses.
    pub services: BTreeSet<String>,
    /// Resources written as generated types / kept as `RawResource`.
    pub typed: usize,
    /// Resources kept untyped.
    pub untyped: usize,
    /// Values written as in the template because they did not fit their generated type.
    pub fallbacks: usize,
}

const RESERVED: &[&str] = &[
    "stack",
    "raw",
    "raw_condition",
    "main",
    "app",
    "fns",
    "json",
];

/// A snake_case binding name for logical id `id`, unique among `taken`.
fn var_name(id: &str, taken: &mut HashSet<String>) -> String {
    let mut s = String::new();
    let chars: Vec<char> = id.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if !s.is_empty() && (prev_lower || (prev_upper && next_lower)) {
                s.push('_');
            }
            s.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            s.push(*c);
        }
    }
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("r{s}");
    }
    if KEYWORDS.contains(&s.as_str()) || RESERVED.contains(&s.as_str()) {
        s.push('_');
    }
    let mut unique = s.clone();
    let mut n = 2;
    while taken.contains(&unique) {
        unique = format!("{s}_{n}");
        n += 1;
    }
    taken.insert(unique.clone());
    unique
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// The Rust kind of a parameter type and how the parameter is made.
fn parameter_kind(type_name: &str) -> Option<&'static str> {
    Some(match type_name {
        "String" => "String",
        "Number" => "i64",
        "CommaDelimitedList" => "List<String>",
        "List<Number>" => "List<i64>",
        "AWS::EC2::VPC::Id" => "VpcId",
        "AWS::EC2::Subnet::Id" => "SubnetId",
        "AWS::EC2::SecurityGroup::Id" => "SecurityGroupId",
        "AWS::EC2::SecurityGroup::GroupName" => "SecurityGroupName",
        "AWS::EC2::AvailabilityZone::Name" => "AvailabilityZone",
        "AWS::EC2::Image::Id" => "ImageId",
        "AWS::EC2::Instance::Id" => "InstanceId",
        "AWS::EC2::KeyPair::KeyName" => "KeyPairName",
        "AWS::EC2::Volume::Id" => "VolumeId",
        "AWS::Route53::HostedZone::Id" => "HostedZoneId",
        "List<AWS::EC2::VPC::Id>" => "List<VpcId>",
        "List<AWS::EC2::Subnet::Id>" => "List<SubnetId>",
        "List<AWS::EC2::SecurityGroup::Id>" => "List<SecurityGroupId>",
        "List<AWS::EC2::SecurityGroup::GroupName>" => "List<SecurityGroupName>",
        "List<AWS::EC2::AvailabilityZone::Name>" => "List<AvailabilityZone>",
        "List<AWS::EC2::Image::Id>" => "List<ImageId>",
        "List<AWS::EC2::Instance::Id>" => "List<InstanceId>",
        "List<AWS::EC2::KeyPair::KeyName>" => "List<KeyPairName>",
        "List<AWS::EC2::Volume::Id>" => "List<VolumeId>",
        "List<AWS::Route53::HostedZone::Id>" => "List<HostedZoneId>",
        _ => return None,
    })
}

/// A literal parameter value (`Default`, `AllowedValues` item) as an `Into<Value>` expression.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => lit(s),
        other => json_macro(other, 8),
    }
}

fn parameter(p: &ParameterDoc) -> (String, String) {
    let (mut code, kind) = match parameter_kind(&p.type_name) {
        Some(kind) => (format!("Parameter::<{kind}>::new()"), kind.to_string()),
        None => match (
            p.type_name
                .strip_prefix("AWS::SSM::Parameter::Value<")
                .and_then(|t| t.strip_suffix('>'))
                .and_then(parameter_kind),
            &p.default,
        ) {
            (Some(kind), Some(Value::String(d))) => (
                format!("Parameter::<{kind}>::from_ssm({})", lit(d)),
                kind.to_string(),
            ),
            _ => (
                format!("Parameter::<String>::of_type({})", lit(&p.type_name)),
                if p.type_name.contains("List<") || p.type_name.ends_with("CommaDelimitedList") {
                    "List<String>".to_string()
                } else {
                    "String".to_string()
                },
            ),
        },
    };
    let from_ssm = code.contains("::from_ssm(");
    let mut line = |s: String| {
        let _ = write!(code, "\n        .{s}");
    };
    if let Some(d) = &p.description {
        line(format!("description({})", lit(d)));
    }
    if let Some(d) = &p.default {
        if !from_ssm {
            line(format!("default({})", plain(d)));
        }
    }
    if !p.allowed_values.is_empty() {
        let items: Vec<String> = if p
            .allowed_values
            .iter()
            .all(|v| matches!(v, Value::String(_)))
        {
            p.allowed_values.iter().map(plain).collect()
        } else {
            p.allowed_values.iter().map(|v| json_macro(v, 8)).collect()
        };
        line(format!("allowed_values([{}])", items.join(", ")));
    }
    if let Some(x) = &p.allowed_pattern {
        line(format!("allowed_pattern({})", lit(x)));
    }
    if let Some(x) = &p.constraint_description {
        line(format!("constraint_description({})", lit(x)));
    }
    if p.length != (None, None) {
        line(format!("length({:?}, {:?})", p.length.0, p.length.1));
    }
    if p.value_range != (None, None) {
        line(format!(
            "value_range({:?}, {:?})",
            p.value_range.0, p.value_range.1
        ));
    }
    if p.no_echo {
        line("no_echo()".into());
    }
    (code, kind)
}

/// Logical ids a resource needs declared before it: its references and `DependsOn`.
fn needs(r: &ResourceDoc) -> Vec<String> {
    let mut out = r.depends_on.clone();
    let mut visit = |v: &Value| names(v, &mut out);
    r.properties.values().for_each(&mut visit);
    out
}

fn names(v: &Value, out: &mut Vec<String>) {
    let _ = rcdk_core::template::map_targets(v, &mut |use_, t| {
        if let (Use::Ref | Use::GetAtt, Target::Name(n)) = (use_, t) {
            out.push(n.clone());
        }
        t.clone()
    });
}

/// Resources in template order, moved after what they reference where needed (a stable
/// topological order; a cycle keeps template order and refers by logical id).
fn order(doc: &TemplateDoc) -> Vec<String> {
    let ids: Vec<&String> = doc.resources.keys().collect();
    let deps: HashMap<&str, Vec<String>> = doc
        .resources
        .iter()
        .map(|(id, r)| {
            let mut n = needs(r);
            n.retain(|x| doc.resources.contains_key(x) && x != id);
            (id.as_str(), n)
        })
        .collect();
    let mut done: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    while out.len() < ids.len() {
        let next = ids
            .iter()
            .find(|id| {
                !done.contains(id.as_str()) && deps[id.as_str()].iter().all(|d| done.contains(d))
            })
            .or_else(|| ids.iter().find(|id| !done.contains(id.as_str())));
        let Some(id) = next else { break };
        done.insert((*id).clone());
        out.push((*id).clone());
    }
    out
}

fn comment_lines(out: &mut String, notes: &[String], indent: usize) {
    for n in notes {
        let _ = writeln!(out, "{}// {}", " ".repeat(indent), n);
    }
}

/// Writes the program for `doc`, deployed as stack `stack_id`; `source` names where the
/// template came from, for the header.
pub fn program(doc: &TemplateDoc, stack_id: &str, source: &str) -> Program {
    let mut e = Emitter {
        bindings: HashMap::new(),
        declared: HashSet::new(),
        fallbacks: 0,
        conditions: HashMap::new(),
        mappings: HashMap::new(),
    };
    let mut taken: HashSet<String> = HashSet::new();
    let mut services = BTreeSet::new();
    let mut body = String::new();
    let mut adds: Vec<(String, String)> = Vec::new();
    // Construct ids: the logical id, with the section in front where two sections share it.
    let mut ids_used: HashSet<String> = doc
        .parameters
        .keys()
        .chain(doc.resources.keys())
        .cloned()
        .collect();
    let mut construct_id = |section: &str, id: &str| -> String {
        if ids_used.insert(id.to_string()) {
            id.to_string()
        } else {
            format!("{section}.{id}")
        }
    };

    let mut stack = format!("let mut stack = Stack::new({})", lit(stack_id));
    if let Some(d) = &doc.description {
        let _ = write!(stack, "\n        .description({})", lit(d));
    }
    for t in &doc.transforms {
        let _ = write!(stack, "\n        .transform({})", lit(t));
    }
    for (method, entries) in [
        ("metadata", &doc.metadata),
        ("section", &doc.other_sections),
    ] {
        for (k, v) in entries {
            let _ = write!(
                stack,
                "\n        .{method}({}, {})",
                lit(k),
                json_macro(v, 8)
            );
        }
    }
    let _ = writeln!(body, "    {stack};");

    if !doc.parameters.is_empty() {
        body.push_str("\n    // Parameters: typed by their CloudFormation type.\n");
    }
    for (id, p) in &doc.parameters {
        let var = var_name(id, &mut taken);
        let (code, kind) = parameter(p);
        let _ = writeln!(body, "    let {var} = {code};");
        e.bindings.insert(
            id.clone(),
            Binding::Parameter {
                var: var.clone(),
                kind,
            },
        );
        e.declared.insert(id.clone());
        adds.push((id.clone(), var));
    }
    if !doc.mappings.is_empty() {
        body.push_str("\n    // Mappings.\n");
    }
    for (id, m) in &doc.mappings {
        let var = var_name(id, &mut taken);
        let mut code = String::from("Mapping::new()");
        for (k1, inner) in m {
            for (k2, v) in inner {
                let _ = write!(
                    code,
                    "\n        .entry({}, {}, {})",
                    lit(k1),
                    lit(k2),
                    plain(v)
                );
            }
        }
        let _ = write!(code, "\n        .logical_id({})", lit(id));
        let _ = writeln!(body, "    let {var} = {code};");
        adds.push((construct_id("Mappings", id), var.clone()));
        e.mappings.insert(id.clone(), var);
    }
    if !doc.conditions.is_empty() {
        body.push_str("\n    // Conditions, as written in the template.\n");
    }
    for (id, c) in &doc.conditions {
        let var = var_name(id, &mut taken);
        let _ = writeln!(
            body,
            "    let {var} = Condition::new(raw_condition({})).logical_id({});",
            json_macro(c, 4),
            lit(id)
        );
        adds.push((construct_id("Conditions", id), var.clone()));
        e.conditions.insert(id.clone(), var);
    }
    // Bindings of all resources first, so that references know their types.
    let ordered = order(doc);
    let mut resource_vars = Vec::new();
    for id in &ordered {
        let r = &doc.resources[id];
        let var = var_name(id, &mut taken);
        let binding = match table::lookup(&r.type_name) {
            Some(rt) => Binding::Typed {
                var: var.clone(),
                rt: Box::new(rt),
            },
            None => Binding::Raw { var: var.clone() },
        };
        e.bindings.insert(id.clone(), binding);
        resource_vars.push(var);
    }
    let (mut typed, mut untyped) = (0, 0);
    if !ordered.is_empty() {
        body.push_str("\n    // Resources, each under its logical id.\n");
    }
    for (id, var) in ordered.iter().zip(&resource_vars) {
        let r = &doc.resources[id];
        let mut code;
        match e.bindings[id].clone() {
            Binding::Typed { rt, .. } => {
                typed += 1;
                services.insert(rt.service.clone());
                let mut args = Vec::new();
                let mut arg_notes = Vec::new();
                for n in &rt.new {
                    // The table lists `new`'s arguments among the properties; free-form JSON
                    // if it ever did not.
                    let ty = rt.prop(n).map_or(Ty::Json, |p| p.ty.clone());
                    match r.properties.get(n) {
                        Some(v) => args.push(e.typed(v, &ty, Some(&rt), 8, &mut arg_notes)),
                        None => {
                            arg_notes.push(format!(
                                "`{n}` is required by the type but not set in the template"
                            ));
                            args.push(format!(
                                "Val::<{}>::no_value()",
                                super::rust::rust_type(&ty, Some(&rt))
                            ));
                        }
                    }
                }
                if !arg_notes.is_empty() {
                    comment_lines(&mut body, &arg_notes, 4);
                }
                code = format!("{}::{}::new({})", rt.service, rt.name, args.join(", "));
                for (k, v) in &r.properties {
                    if rt.new.contains(k) {
                        continue;
                    }
                    let mut notes = Vec::new();
                    let line = match rt.prop(k) {
                        Some(p) => {
                            if v.is_no_value() {
                                continue;
                            }
                            let arg = e.typed(v, &p.ty, Some(&rt), 8, &mut notes);
                            format!(".{}({arg})", p.rust)
                        }
                        // A custom resource's own properties are free-form by design.
                        None if r.type_name == "AWS::CloudFormation::CustomResource" => {
                            let raw = e.raw(v, "Json", 8);
                            format!(".add_override({}, {raw})", lit(&format!("Properties.{k}")))
                        }
                        None => {
                            e.fallbacks += 1;
                            notes.push(format!("`{k}` is not a property of {} in the pinned schemas: set as written", rt.name));
                            let raw = e.raw(v, "Json", 8);
                            format!(".add_override({}, {raw})", lit(&format!("Properties.{k}")))
                        }
                    };
                    code.push('\n');
                    comment_lines(&mut code, &notes, 8);
                    let _ = write!(code, "        {line}");
                }
            }
            _ => {
                untyped += 1;
                code = format!("RawResource::new({})", lit(&r.type_name));
                for (k, v) in &r.properties {
                    let raw = e.raw(v, "Json", 8);
                    let _ = write!(code, "\n        .prop({}, {raw})", lit(k));
                }
            }
        }
        let mut attr = |s: String| {
            let _ = write!(code, "\n        .{s}");
        };
        let mut by_name = Vec::new();
        for d in &r.depends_on {
            match e.bindings.get(d) {
                Some(Binding::Typed { var, .. } | Binding::Raw { var })
                    if e.declared.contains(d) =>
                {
                    attr(format!("depends_on(&{var})"))
                }
                _ => by_name.push(d.clone()),
            }
        }
        if !by_name.is_empty() {
            // Not declared above (a cycle through names, or a name a transform declares).
            let all: Vec<Value> = r.depends_on.iter().cloned().map(Value::String).collect();
            attr(format!(
                "add_override(\"DependsOn\", {})",
                json_macro(&Value::List(all), 8)
            ));
        }
        if let Some(c) = &r.condition {
            match e.conditions.get(c) {
                Some(v) => attr(format!("condition(&{v})")),
                None => attr(format!("add_override(\"Condition\", {})", lit(c))),
            }
        }
        if let Some(p) = r.deletion_policy {
            attr(format!("deletion_policy(RemovalPolicy::{p:?})"));
        }
        if let Some(p) = r.update_replace_policy {
            attr(format!("update_replace_policy(RemovalPolicy::{p:?})"));
        }
        for (k, v) in &r.policy_functions {
            attr(format!(
                "add_override({}, raw::<Json>({}))",
                lit(k),
                json_macro(v, 8)
            ));
        }
        if let Some(v) = &r.creation_policy {
            attr(format!(
                "creation_policy(raw::<Json>({}))",
                json_macro(v, 8)
            ));
        }
        if let Some(v) = &r.update_policy {
            attr(format!("update_policy(raw::<Json>({}))", json_macro(v, 8)));
        }
        for (k, v) in &r.metadata {
            attr(format!(
                "metadata({}, raw::<Json>({}))",
                lit(k),
                json_macro(v, 8)
            ));
        }
        attr(format!("override_logical_id({})", lit(id)));
        let _ = writeln!(body, "    let {var} = {code};");
        e.declared.insert(id.clone());
        adds.push((id.clone(), var.clone()));
    }
    if !doc.outputs.is_empty() {
        body.push_str("\n    // Outputs.\n");
    }
    for (id, o) in &doc.outputs {
        let var = var_name(id, &mut taken);
        let mut notes = Vec::new();
        let value = e.any(&o.value, 8);
        let mut code = format!("Output::new({value})");
        if let Some(d) = &o.description {
            let _ = write!(code, "\n        .description({})", lit(d));
        }
        if let Some(x) = &o.export_name {
            let name = e.typed(x, &Ty::Str, None, 8, &mut notes);
            let _ = write!(code, "\n        .export({name})");
        }
        if let Some(c) = &o.condition {
            if let Some(v) = e.conditions.get(c) {
                let _ = write!(code, "\n        .condition(&{v})");
            }
        }
        let _ = write!(code, "\n        .logical_id({})", lit(id));
        comment_lines(&mut body, &notes, 4);
        let _ = writeln!(body, "    let {var} = {code};");
        adds.push((construct_id("Outputs", id), var));
    }
    body.push('\n');
    for (id, var) in &adds {
        let _ = writeln!(body, "    stack.add({}, {var});", lit(id));
    }
    let _ = writeln!(body, "    App::new().with(stack).run()");

    let mut main_rs = String::new();
    let _ = writeln!(
        main_rs,
        "//! Migrated by `cargo rcdk migrate` from\n//! {source}:\n//! the template's resources as the generated typed resources of `rcdk::constructs::cfn`, each\n//! under its original logical id (a changed logical id would replace the live resource).\n//! `cargo run -- synth` writes the template again; change it here from now on.\n"
    );
    if body.contains("json!") {
        // Long `json!` values nest deeper than the default recursion limit allows.
        main_rs.push_str("#![recursion_limit = \"1024\"]\n\n");
    }
    if !services.is_empty() {
        let list: Vec<&str> = services.iter().map(String::as_str).collect();
        let _ = writeln!(
            main_rs,
            "use rcdk::constructs::cfn::{{{}}};",
            list.join(", ")
        );
    }
    match (body.contains("raw::<"), body.contains("raw_condition(")) {
        (true, true) => main_rs.push_str("use rcdk::core::template::{raw, raw_condition};\n"),
        (true, false) => main_rs.push_str("use rcdk::core::template::raw;\n"),
        (false, true) => main_rs.push_str("use rcdk::core::template::raw_condition;\n"),
        (false, false) => {}
    }
    main_rs.push_str("use rcdk::prelude::*;\n");
    if body.contains("json!") {
        main_rs.push_str("use serde_json::json;\n");
    }
    main_rs.push_str("use std::process::ExitCode;\n\n");
    let _ = write!(main_rs, "fn main() -> ExitCode {{\n{body}}}\n");
    Program {
        main_rs,
        services,
        typed,
        untyped,
        fallbacks: e.fallbacks,
    }
}
