//! Serialization of resolved values: JSON (long-form intrinsics) and YAML (CloudFormation's
//! short-form tags such as `!Ref` and `!GetAtt`).

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_norway::value::{Tag, TaggedValue};

use crate::value::{Intrinsic, Target, Value};

fn target_name(t: &Target) -> Cow<'_, str> {
    match t {
        Target::Name(n) => Cow::Borrowed(n),
        Target::Pseudo(p) => Cow::Borrowed(p.name()),
        // Synthesis resolves every node before serializing.
        Target::Node(n) => Cow::Owned(format!("UnresolvedNode{n:?}")),
    }
}

/// The function name and argument of an intrinsic, in CloudFormation's long form.
fn parts(f: &Intrinsic) -> (&'static str, Vec<Arg<'_>>, bool) {
    use Arg::*;
    // (name, arguments, arguments form a list)
    match f {
        Intrinsic::Ref { target, .. } => ("Ref", vec![Text(target_name(target))], false),
        Intrinsic::GetAtt {
            target, attribute, ..
        } => (
            "Fn::GetAtt",
            vec![Text(target_name(target)), Text(Cow::Borrowed(attribute))],
            true,
        ),
        Intrinsic::Sub {
            template,
            variables,
        } if variables.is_empty() => ("Fn::Sub", vec![Text(Cow::Borrowed(template))], false),
        Intrinsic::Sub {
            template,
            variables,
        } => (
            "Fn::Sub",
            vec![Text(Cow::Borrowed(template)), Map(variables)],
            true,
        ),
        Intrinsic::Join { delimiter, values } => (
            "Fn::Join",
            vec![Text(Cow::Borrowed(delimiter)), Val(values)],
            true,
        ),
        Intrinsic::Select { index, list } => ("Fn::Select", vec![Val(index), Val(list)], true),
        Intrinsic::Split { delimiter, source } => (
            "Fn::Split",
            vec![Text(Cow::Borrowed(delimiter)), Val(source)],
            true,
        ),
        Intrinsic::GetAzs { region } => ("Fn::GetAZs", vec![Val(region)], false),
        Intrinsic::ImportValue { name } => ("Fn::ImportValue", vec![Val(name)], false),
        Intrinsic::If {
            condition,
            then,
            otherwise,
        } => (
            "Fn::If",
            vec![Text(target_name(condition)), Val(then), Val(otherwise)],
            true,
        ),
        Intrinsic::Equals(a, b) => ("Fn::Equals", vec![Val(a), Val(b)], true),
        Intrinsic::And(v) => ("Fn::And", v.iter().map(Val).collect(), true),
        Intrinsic::Or(v) => ("Fn::Or", v.iter().map(Val).collect(), true),
        Intrinsic::Not(v) => ("Fn::Not", vec![Val(v)], true),
        Intrinsic::Condition(t) => ("Condition", vec![Text(target_name(t))], false),
        Intrinsic::FindInMap {
            mapping,
            top_key,
            second_key,
        } => (
            "Fn::FindInMap",
            vec![Text(target_name(mapping)), Val(top_key), Val(second_key)],
            true,
        ),
        Intrinsic::Base64(v) => ("Fn::Base64", vec![Val(v)], false),
        Intrinsic::Cidr {
            ip_block,
            count,
            cidr_bits,
        } => (
            "Fn::Cidr",
            vec![Val(ip_block), Val(count), Val(cidr_bits)],
            true,
        ),
        Intrinsic::Other { argument, .. } => ("", vec![Val(argument)], false),
        Intrinsic::CrossStack { value, .. } => ("", vec![Val(value)], false),
        // Never written: synthesis fails on it first.
        Intrinsic::InvalidLiteral { literal, .. } => (
            "Rust::InvalidLiteral",
            vec![Text(Cow::Borrowed(literal))],
            false,
        ),
    }
}

enum Arg<'a> {
    Text(Cow<'a, str>),
    Val(&'a Value),
    Map(&'a indexmap::IndexMap<String, Value>),
}

/// Converts a resolved value to JSON.
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::Value::Number(n.clone()),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Map(m) => {
            serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
        Value::Fn(f) => {
            if let Intrinsic::CrossStack { value, .. } = &**f {
                return to_json(value);
            }
            let (name, args, is_list) = parts(f);
            let name = match &**f {
                Intrinsic::Other { name, .. } => name.as_str(),
                _ => name,
            };
            let mut args: Vec<serde_json::Value> = args.into_iter().map(arg_json).collect();
            let arg = if is_list {
                serde_json::Value::Array(args)
            } else {
                args.remove(0)
            };
            let mut obj = serde_json::Map::new();
            obj.insert(name.to_string(), arg);
            serde_json::Value::Object(obj)
        }
    }
}

fn arg_json(a: Arg<'_>) -> serde_json::Value {
    match a {
        Arg::Text(s) => serde_json::Value::String(s.into_owned()),
        Arg::Val(v) => to_json(v),
        Arg::Map(m) => {
            serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// Converts a resolved value to YAML with short-form intrinsic tags.
pub fn to_yaml(v: &Value) -> serde_norway::Value {
    use serde_norway::Value as Y;
    match v {
        Value::Null => Y::Null,
        Value::Bool(b) => Y::Bool(*b),
        Value::Number(n) => number_yaml(n),
        Value::String(s) => Y::String(s.clone()),
        Value::List(items) => Y::Sequence(items.iter().map(to_yaml).collect()),
        Value::Map(m) => Y::Mapping(
            m.iter()
                .map(|(k, v)| (Y::String(k.clone()), to_yaml(v)))
                .collect(),
        ),
        Value::Fn(f) => {
            if let Intrinsic::CrossStack { value, .. } = &**f {
                return to_yaml(value);
            }
            let (name, args, is_list) = parts(f);
            if let Intrinsic::Other { name, argument } = &**f {
                // Functions not modelled here keep the long form.
                let mut m = serde_norway::Mapping::new();
                m.insert(Y::String(name.clone()), to_yaml(argument));
                return Y::Mapping(m);
            }
            let short = name.strip_prefix("Fn::").unwrap_or(name);
            if let Intrinsic::GetAtt {
                target, attribute, ..
            } = &**f
            {
                // `!GetAtt Logical.Attribute`
                return tagged(
                    short,
                    Y::String(format!("{}.{attribute}", target_name(target))),
                );
            }
            let mut args: Vec<Y> = args.into_iter().map(arg_yaml).collect();
            let arg = if is_list {
                Y::Sequence(args)
            } else {
                args.remove(0)
            };
            if matches!(arg, Y::Tagged(_)) {
                // YAML allows one tag per node: `!Base64 !Sub x` is invalid, so the outer
                // function takes the long form.
                let mut m = serde_norway::Mapping::new();
                m.insert(Y::String(name.to_string()), arg);
                return Y::Mapping(m);
            }
            tagged(short, arg)
        }
    }
}

fn tagged(tag: &str, value: serde_norway::Value) -> serde_norway::Value {
    serde_norway::Value::Tagged(Box::new(TaggedValue {
        tag: Tag::new(tag),
        value,
    }))
}

fn number_yaml(n: &serde_json::Number) -> serde_norway::Value {
    if let Some(i) = n.as_i64() {
        serde_norway::Value::Number(i.into())
    } else if let Some(u) = n.as_u64() {
        serde_norway::Value::Number(u.into())
    } else {
        serde_norway::Value::Number(n.as_f64().unwrap_or(0.0).into())
    }
}

fn arg_yaml(a: Arg<'_>) -> serde_norway::Value {
    match a {
        Arg::Text(s) => serde_norway::Value::String(s.into_owned()),
        Arg::Val(v) => to_yaml(v),
        Arg::Map(m) => serde_norway::Value::Mapping(
            m.iter()
                .map(|(k, v)| (serde_norway::Value::String(k.clone()), to_yaml(v)))
                .collect(),
        ),
    }
}

/// Pretty JSON text with a final newline.
pub fn json_text(v: &Value) -> String {
    // Serialized straight from the value: the same text as going through `to_json`, without
    // building (and dropping) a `serde_json::Value` copy of the whole template.
    let mut buf = Vec::with_capacity(64 * 1024);
    if serde_json::to_writer_pretty(&mut buf, &Json(v)).is_err() {
        return "\n".to_string();
    }
    buf.push(b'\n');
    String::from_utf8(buf).unwrap_or_default()
}

/// Serializes a resolved value exactly as [`to_json`]'s result would be.
struct Json<'a>(&'a Value);

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => ser.serialize_unit(),
            Value::Bool(b) => ser.serialize_bool(*b),
            Value::Number(n) => n.serialize(ser),
            Value::String(s) => ser.serialize_str(s),
            Value::List(items) => {
                let mut seq = ser.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Json(item))?;
                }
                seq.end()
            }
            Value::Map(m) => JsonMap(m).serialize(ser),
            Value::Fn(f) => {
                if let Intrinsic::CrossStack { value, .. } = &**f {
                    return Json(value).serialize(ser);
                }
                let (name, args, is_list) = parts(f);
                let name = match &**f {
                    Intrinsic::Other { name, .. } => name.as_str(),
                    _ => name,
                };
                let mut map = ser.serialize_map(Some(1))?;
                if is_list {
                    map.serialize_entry(name, &JsonArgs(&args))?;
                } else if let Some(arg) = args.first() {
                    map.serialize_entry(name, &JsonArg(arg))?;
                }
                map.end()
            }
        }
    }
}

struct JsonMap<'a>(&'a indexmap::IndexMap<String, Value>);

impl Serialize for JsonMap<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut map = ser.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, &Json(v))?;
        }
        map.end()
    }
}

struct JsonArg<'a, 'b>(&'b Arg<'a>);

impl Serialize for JsonArg<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Arg::Text(s) => ser.serialize_str(s),
            Arg::Val(v) => Json(v).serialize(ser),
            Arg::Map(m) => JsonMap(m).serialize(ser),
        }
    }
}

struct JsonArgs<'a, 'b>(&'b [Arg<'a>]);

impl Serialize for JsonArgs<'_, '_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut seq = ser.serialize_seq(Some(self.0.len()))?;
        for a in self.0 {
            seq.serialize_element(&JsonArg(a))?;
        }
        seq.end()
    }
}

/// YAML text, quoted for YAML 1.1 readers such as CloudFormation (see [`super::yaml`]).
pub fn yaml_text(v: &Value) -> Result<String, String> {
    super::yaml::emit(&to_yaml(v)).map_err(|e| format!("cannot write YAML: {e}"))
}
