//! The generated API of `rcdk_constructs::cfn`, as `rcdk-codegen` describes it in
//! `generated/cfn_types.json`: for each resource type its struct, `new` arguments, setters and
//! the kinds they take, so that migrated code calls exactly what the typed layer has.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value as J;

const TABLE: &str = include_str!("../../generated/cfn_types.json");

/// The kind of a value (the `K` of `Val<K>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `String`.
    Str,
    /// `i64`.
    Int,
    /// `f64`.
    Num,
    /// `bool`.
    Bool,
    /// Free-form JSON.
    Json,
    /// `Tag`.
    Tag,
    /// An id kind of `rcdk_core::kind`.
    Id(String),
    /// `List<K>`.
    List(Box<Ty>),
    /// `Map<K>`.
    Map(Box<Ty>),
    /// A struct or enum of the resource's submodule.
    Local(String),
}

impl Ty {
    fn parse(s: &str) -> Ty {
        if let Some(inner) = s.strip_prefix("List<").and_then(|r| r.strip_suffix('>')) {
            return Ty::List(Box::new(Ty::parse(inner)));
        }
        if let Some(inner) = s.strip_prefix("Map<").and_then(|r| r.strip_suffix('>')) {
            return Ty::Map(Box::new(Ty::parse(inner)));
        }
        if let Some(k) = s.strip_prefix("Id:") {
            return Ty::Id(k.to_string());
        }
        if let Some(l) = s.strip_prefix("Local:") {
            return Ty::Local(l.to_string());
        }
        match s {
            "String" => Ty::Str,
            "i64" => Ty::Int,
            "f64" => Ty::Num,
            "bool" => Ty::Bool,
            "Tag" => Ty::Tag,
            _ => Ty::Json,
        }
    }
}

/// A property: CloudFormation name, builder name, kind, required.
#[derive(Debug, Clone)]
pub struct Prop {
    /// CloudFormation name.
    pub cfn: String,
    /// Builder method name.
    pub rust: String,
    /// Kind.
    pub ty: Ty,
}

/// A property struct or enum of a resource's submodule.
#[derive(Debug, Clone)]
pub enum Local {
    /// A struct: properties and `new` arguments.
    Struct {
        /// Properties.
        props: Vec<Prop>,
        /// `new` arguments (CloudFormation names).
        new: Vec<String>,
    },
    /// An enum: (variant, CloudFormation string).
    Enum(Vec<(String, String)>),
}

/// One resource type.
#[derive(Debug, Clone)]
pub struct ResourceType {
    /// Service module and cargo feature.
    pub service: String,
    /// Struct name.
    pub name: String,
    /// Submodule of its property types.
    pub module: String,
    /// Kind of `ref_()`.
    pub ref_ty: Ty,
    /// Properties.
    pub props: Vec<Prop>,
    /// `new` arguments (CloudFormation names).
    pub new: Vec<String>,
    /// Attributes: (name, method, kind).
    pub attrs: Vec<(String, String, Ty)>,
    /// Property structs and enums by name.
    pub locals: HashMap<String, Local>,
}

impl ResourceType {
    /// The property named `cfn`.
    pub fn prop(&self, cfn: &str) -> Option<&Prop> {
        self.props.iter().find(|p| p.cfn == cfn)
    }
}

fn props(j: &J) -> Vec<Prop> {
    j.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some(Prop {
                cfn: p[0].as_str()?.to_string(),
                rust: p[1].as_str()?.to_string(),
                ty: Ty::parse(p[2].as_str()?),
            })
        })
        .collect()
}

fn names(j: &J) -> Vec<String> {
    j.as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect()
}

fn resource(j: &J) -> Option<ResourceType> {
    let s = |k: &str| j[k].as_str().map(str::to_string);
    let mut locals = HashMap::new();
    for (name, t) in j["types"].as_object().into_iter().flatten() {
        let local = match t.get("enum") {
            Some(e) => Local::Enum(
                e.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| Some((v[0].as_str()?.to_string(), v[1].as_str()?.to_string())))
                    .collect(),
            ),
            None => Local::Struct {
                props: props(&t["props"]),
                new: names(&t["new"]),
            },
        };
        locals.insert(name.clone(), local);
    }
    Some(ResourceType {
        service: s("service")?,
        name: s("name")?,
        module: s("module")?,
        ref_ty: Ty::parse(j["ref"].as_str().unwrap_or("String")),
        props: props(&j["props"]),
        new: names(&j["new"]),
        attrs: j["attrs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| {
                Some((
                    a[0].as_str()?.to_string(),
                    a[1].as_str()?.to_string(),
                    Ty::parse(a[2].as_str()?),
                ))
            })
            .collect(),
        locals,
    })
}

/// The table, read once; resource types are decoded when first asked for.
struct Table {
    raw: serde_json::Map<String, J>,
}

fn table() -> &'static Table {
    static TABLE_ONCE: OnceLock<Table> = OnceLock::new();
    TABLE_ONCE.get_or_init(|| {
        let mut j: J = serde_json::from_str(TABLE).unwrap_or(J::Null);
        let raw = match j["resources"].take() {
            J::Object(m) => m,
            _ => serde_json::Map::new(),
        };
        Table { raw }
    })
}

/// The generated type of `type_name`, if `rcdk_constructs::cfn` has one.
pub fn lookup(type_name: &str) -> Option<ResourceType> {
    table().raw.get(type_name).and_then(resource)
}
