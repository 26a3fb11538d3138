//! The model the emitter renders: services, resources, property types, resolved from the schemas.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map as JsonMap, Value as Json};

use crate::kinds::{self, PropSite};
use crate::names::{pascal, snake};

/// The Rust type of a property value (the `K` of `Val<K>`).
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
    /// An id kind of `rcdk_core::kind`.
    Id(&'static str),
    /// Free-form JSON.
    Json,
    /// `rcdk_core::Tag`.
    Tag,
    /// `List<K>`.
    List(Box<Ty>),
    /// `Map<K>`.
    Map(Box<Ty>),
    /// A generated struct or enum of the resource's submodule.
    Local(String),
}

/// One property of a resource or property struct.
#[derive(Debug, Clone)]
pub struct Prop {
    /// CloudFormation name.
    pub cfn: String,
    /// Rust setter / argument name.
    pub rust: String,
    /// Value kind.
    pub ty: Ty,
    /// Rustdoc text.
    pub doc: String,
    /// Whether `new` takes it.
    pub required: bool,
    /// The property's schema (references followed), for the generated test's sample values.
    pub schema: Json,
}

/// A generated property struct.
#[derive(Debug, Clone)]
pub struct StructDef {
    /// Rust name.
    pub name: String,
    /// Schema definition name, or property path for inline objects.
    pub cfn: String,
    /// Rustdoc text.
    pub doc: String,
    /// Properties, schema order.
    pub props: Vec<Prop>,
    /// Constraints the type system does not express, for the docs.
    pub notes: Vec<String>,
    /// Optional properties that satisfy the first alternative of those constraints.
    pub pick: Vec<String>,
}

/// A generated enum of allowed string values.
#[derive(Debug, Clone)]
pub struct EnumDef {
    /// Rust name.
    pub name: String,
    /// Rustdoc text.
    pub doc: String,
    /// `(variant, CloudFormation string)`.
    pub variants: Vec<(String, String)>,
}

/// A generated type of a resource's submodule.
#[derive(Debug, Clone)]
pub enum TypeDef {
    /// A property struct.
    Struct(StructDef),
    /// An enum.
    Enum(EnumDef),
}

/// A `Fn::GetAtt` attribute.
#[derive(Debug, Clone)]
pub struct Attr {
    /// Attribute name (`Endpoint.Address`).
    pub name: String,
    /// Method name.
    pub method: String,
    /// Value kind.
    pub ty: Ty,
}

/// One resource type.
#[derive(Debug, Clone)]
pub struct Resource {
    /// `AWS::EC2::VPC`.
    pub type_name: String,
    /// `Vpc`.
    pub rust_name: String,
    /// Submodule with the property types: `vpc`.
    pub module: String,
    /// Rustdoc text.
    pub doc: String,
    /// Writable properties, schema order; required ones are also listed in `required`.
    pub props: Vec<Prop>,
    /// Indexes into `props` of the required properties, in the schema's `required` order.
    pub required: Vec<usize>,
    /// `Fn::GetAtt` attributes.
    pub attrs: Vec<Attr>,
    /// What `Ref` returns.
    pub ref_ty: Ty,
    /// `None`, `List` or `Map`.
    pub tag_format: &'static str,
    /// Property structs and enums.
    pub types: Vec<TypeDef>,
    /// Constraints the type system does not express, for the docs.
    pub notes: Vec<String>,
    /// Optional properties that satisfy the first alternative of those constraints.
    pub pick: Vec<String>,
    /// Groups of properties checked at synthesis: `(exactly_one, alternatives)`, each
    /// alternative a list of properties that must all be set (`requiredXor`, and `oneOf` /
    /// `anyOf` whose alternatives only list required properties).
    pub checks: Vec<(bool, Vec<Vec<String>>)>,
}

/// All resource types of one service namespace (`AWS::EC2`).
#[derive(Debug, Clone)]
pub struct Service {
    /// `EC2`.
    pub name: String,
    /// `ec2`: module and cargo feature.
    pub module: String,
    /// Resources, sorted by type name.
    pub resources: Vec<Resource>,
}

/// Method names a resource struct already has (inherent or from the `Resource` / `Construct`
/// traits); a property with one of these names gets the suffix `_property`.
pub(crate) const RESERVED_RESOURCE_METHODS: &[&str] = &[
    "new",
    "ref_",
    "core",
    "core_mut",
    "depends_on",
    "deletion_policy",
    "update_replace_policy",
    "removal_policy",
    "condition",
    "creation_policy",
    "update_policy",
    "metadata",
    "add_override",
    "override_logical_id",
    "node",
    "construct_type",
    "children",
    "children_mut",
    "element",
    "element_mut",
    "annotations",
    "costs",
    "clone",
    "fmt",
];

/// Method names a property struct already has.
const RESERVED_STRUCT_METHODS: &[&str] = &["new", "clone", "fmt", "into", "from"];

/// Builds the model of one resource type from its schema.
pub fn resource(schema: &Json) -> Resource {
    let type_name = schema["typeName"].as_str().unwrap_or_default().to_string();
    let rust_name = pascal(type_name.rsplit("::").next().unwrap_or(&type_name));
    let empty = JsonMap::new();
    let defs = schema["definitions"].as_object().unwrap_or(&empty);
    let read_only: Vec<String> = strings(&schema["readOnlyProperties"]);
    let top_read_only: HashSet<&str> = read_only
        .iter()
        .filter_map(|p| p.strip_prefix("/properties/"))
        .filter(|p| !p.contains('/'))
        .collect();
    let mut ctx = Ctx {
        type_name: &type_name,
        root: schema,
        defs,
        cache: HashMap::new(),
        in_progress: HashSet::new(),
        types: Vec::new(),
        names: HashSet::new(),
    };
    let mut props = Vec::new();
    let mut used = HashSet::new();
    if let Some(p) = schema["properties"].as_object() {
        for (name, node) in p {
            if top_read_only.contains(name.as_str()) {
                continue;
            }
            let prop = ctx.prop(name, node, None, name, RESERVED_RESOURCE_METHODS, &mut used);
            props.push(prop);
        }
    }
    let mut required = Vec::new();
    for r in required_names(schema) {
        if let Some(i) = props.iter().position(|p| p.cfn == r) {
            if !required.contains(&i) {
                props[i].required = true;
                required.push(i);
            }
        }
    }
    let tag_format = match props.iter().find(|p| p.cfn == "Tags").map(|p| &p.ty) {
        Some(Ty::List(item)) if **item == Ty::Tag => "List",
        Some(Ty::Map(v)) if **v == Ty::Str => "Map",
        _ => "None",
    };
    let attrs = attributes(&mut ctx, &read_only);
    let (notes, pick) = constraints(schema, defs);
    let checks = checks(schema);
    let ref_ty = kinds::ref_kind(&type_name).map_or(Ty::Str, Ty::Id);
    Resource {
        doc: schema["description"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        module: snake(&rust_name),
        rust_name,
        type_name: type_name.clone(),
        props,
        required,
        attrs,
        ref_ty,
        tag_format,
        types: ctx.types,
        notes,
        pick,
        checks,
    }
}

/// `required`, plus the `required` of `allOf` entries (cfn-lint's schemas put some there).
fn required_names(node: &Json) -> Vec<String> {
    let mut names = strings(&node["required"]);
    for part in node["allOf"].as_array().into_iter().flatten() {
        for r in strings(&part["required"]) {
            if !names.contains(&r) {
                names.push(r);
            }
        }
    }
    names
}

fn strings(v: &Json) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn code_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The property groups a resource's schema requires, where the alternatives are nothing but
/// lists of required properties (anything more is left to the docs and CloudFormation).
fn checks(node: &Json) -> Vec<(bool, Vec<Vec<String>>)> {
    let mut out = Vec::new();
    let xor = strings(&node["requiredXor"]);
    if !xor.is_empty() {
        out.push((true, xor.into_iter().map(|p| vec![p]).collect()));
    }
    for (key, exactly_one) in [("oneOf", true), ("anyOf", false)] {
        let Some(alts) = node[key].as_array() else {
            continue;
        };
        let pure = alts.iter().all(|a| {
            a.as_object().is_some_and(|o| {
                o.contains_key("required")
                    && o.keys().all(|k| {
                        matches!(
                            k.as_str(),
                            "required" | "description" | "title" | "$comment"
                        )
                    })
            })
        });
        if pure && !alts.is_empty() {
            out.push((
                exactly_one,
                alts.iter().map(|a| strings(&a["required"])).collect(),
            ));
        }
    }
    out
}

/// Docs for `requiredXor` and for `oneOf` / `anyOf` alternatives that list required
/// properties, and the properties of the first alternative of each.
fn constraints(node: &Json, defs: &JsonMap<String, Json>) -> (Vec<String>, Vec<String>) {
    let mut notes = Vec::new();
    let mut pick = Vec::new();
    let xor = strings(&node["requiredXor"]);
    if !xor.is_empty() {
        notes.push(format!("Exactly one of {} must be set.", code_list(&xor)));
        pick.push(xor[0].clone());
    }
    for (key, how) in [("oneOf", "exactly one"), ("anyOf", "at least one")] {
        let Some(alts) = node[key].as_array() else {
            continue;
        };
        let groups: Vec<Vec<String>> = alts
            .iter()
            .map(|a| deref(a, defs).0)
            .map(|a| strings(&a["required"]))
            .filter(|g| !g.is_empty())
            .collect();
        if groups.is_empty() {
            continue;
        }
        let text: Vec<String> = groups
            .iter()
            .map(|g| {
                if g.len() == 1 {
                    format!("`{}`", g[0])
                } else {
                    format!("({})", code_list(g))
                }
            })
            .collect();
        notes.push(format!("Requires {how} of: {}.", text.join(" | ")));
        pick.extend(groups[0].iter().cloned());
    }
    (notes, pick)
}

/// Follows `$ref`s to definitions; returns the node and the last definition's name.
fn deref<'a>(node: &'a Json, defs: &'a JsonMap<String, Json>) -> (&'a Json, Option<&'a str>) {
    let mut cur = node;
    let mut name = None;
    for _ in 0..16 {
        let Some(r) = cur["$ref"].as_str() else { break };
        let Some(def) = r.strip_prefix("#/definitions/") else {
            break;
        };
        match defs.get_key_value(def) {
            Some((k, v)) => {
                name = Some(k.as_str());
                cur = v;
            }
            None => break,
        }
    }
    (cur, name)
}

/// Follows `$ref`s (to definitions or top-level properties); returns the node and the last
/// definition's name.
fn follow<'b>(
    root: &'b Json,
    defs: &'b JsonMap<String, Json>,
    node: &'b Json,
) -> (&'b Json, Option<&'b str>) {
    let mut cur = node;
    let mut name = None;
    for _ in 0..16 {
        let Some(r) = cur["$ref"].as_str() else { break };
        if let Some(def) = r.strip_prefix("#/definitions/") {
            match defs.get_key_value(def) {
                Some((k, v)) => {
                    name = Some(k.as_str());
                    cur = v;
                }
                None => break,
            }
        } else if let Some(p) = r.strip_prefix("#/properties/") {
            match root["properties"].get(p) {
                Some(v) => cur = v,
                None => break,
            }
        } else {
            break;
        }
    }
    (cur, name)
}

struct Ctx<'a> {
    type_name: &'a str,
    root: &'a Json,
    defs: &'a JsonMap<String, Json>,
    cache: HashMap<String, Ty>,
    in_progress: HashSet<String>,
    types: Vec<TypeDef>,
    names: HashSet<String>,
}

/// The JSON types a node may have, `null` left out.
fn json_types(node: &Json) -> Vec<&str> {
    match &node["type"] {
        Json::String(s) => vec![s.as_str()],
        Json::Array(a) => a
            .iter()
            .filter_map(|t| t.as_str())
            .filter(|t| *t != "null")
            .collect(),
        _ => Vec::new(),
    }
}

impl Ctx<'_> {
    fn unique_name(&mut self, hint: &str) -> String {
        let base = pascal(hint);
        let mut name = base.clone();
        let mut n = 2;
        while self.names.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.names.insert(name.clone());
        name
    }

    /// Builds one property; `hint` names inline types, `reserved` are method names to avoid.
    fn prop(
        &mut self,
        name: &str,
        node: &Json,
        definition: Option<&str>,
        hint: &str,
        reserved: &[&str],
        used: &mut HashSet<String>,
    ) -> Prop {
        let (target, _) = follow(self.root, self.defs, node);
        let mut ty = self.resolve(node, hint);
        let site = PropSite {
            type_name: self.type_name,
            definition,
            name,
        };
        match &ty {
            Ty::Str => {
                if let Some(k) = kinds::prop_kind(&site, false) {
                    ty = Ty::Id(k);
                }
            }
            Ty::List(item) if **item == Ty::Str => {
                if let Some(k) = kinds::prop_kind(&site, true) {
                    ty = Ty::List(Box::new(Ty::Id(k)));
                }
            }
            _ => {}
        }
        let mut rust = snake(name);
        if reserved.contains(&rust.as_str()) {
            rust.push_str("_property");
        }
        let base = rust.clone();
        let mut n = 2;
        while !used.insert(rust.clone()) {
            rust = format!("{base}_{n}");
            n += 1;
        }
        let mut doc = node["description"]
            .as_str()
            .or(target["description"].as_str())
            .unwrap_or_default()
            .to_string();
        if let Some(values) = target["enumCaseInsensitive"].as_array() {
            let values: Vec<String> = values
                .iter()
                .filter_map(Json::as_str)
                .map(|v| format!("`{v}`"))
                .collect();
            doc = format!(
                "{} Allowed values (any case): {}.",
                doc.trim_end(),
                values.join(", ")
            );
        }
        // The sample values of the generated test read items' and map values' constraints.
        let mut schema = target.clone();
        for key in ["items", "additionalProperties"] {
            if schema[key].is_object() {
                let inner = follow(self.root, self.defs, &target[key]).0.clone();
                schema[key] = inner;
            }
        }
        Prop {
            cfn: name.to_string(),
            rust,
            ty,
            doc,
            required: false,
            schema,
        }
    }

    fn resolve(&mut self, node: &Json, hint: &str) -> Ty {
        let (target, def) = follow(self.root, self.defs, node);
        match def {
            Some(def) if node.get("$ref").is_some() => {
                if let Some(ty) = self.cache.get(def) {
                    return ty.clone();
                }
                if !self.in_progress.insert(def.to_string()) {
                    return Ty::Json;
                }
                let def = def.to_string();
                let ty = self.resolve_node(target, &def, Some(&def));
                self.in_progress.remove(&def);
                self.cache.insert(def, ty.clone());
                ty
            }
            _ => self.resolve_node(target, hint, None),
        }
    }

    /// Resolves a node without a `$ref`; `def` is set when it is a definition's body.
    fn resolve_node(&mut self, node: &Json, hint: &str, def: Option<&str>) -> Ty {
        if node["format"] == "json" {
            return Ty::Json;
        }
        let types = json_types(node);
        if types.len() > 1 {
            return Ty::Json;
        }
        let t = match types.first() {
            Some(t) => *t,
            None => self.infer(node),
        };
        match t {
            "string" => self.string(node, hint),
            "integer" => Ty::Int,
            "number" => Ty::Num,
            "boolean" => Ty::Bool,
            "array" => match &node["items"] {
                Json::Object(_) => {
                    let item = self.resolve(&node["items"], hint);
                    Ty::List(Box::new(item))
                }
                _ => Ty::List(Box::new(Ty::Json)),
            },
            "object" => self.object(node, hint, def),
            _ => Ty::Json,
        }
    }

    /// The type of a node without `type`, from its other keywords.
    fn infer(&self, node: &Json) -> &'static str {
        if node["properties"].is_object() {
            return "object";
        }
        if node["items"].is_object() {
            return "array";
        }
        if node["patternProperties"].is_object() || node["additionalProperties"].is_object() {
            return "object";
        }
        if let Some(e) = node["enum"]
            .as_array()
            .or(node["enumCaseInsensitive"].as_array())
        {
            return if e.iter().all(Json::is_string) {
                "string"
            } else {
                "any"
            };
        }
        if ["format", "pattern", "minLength", "maxLength"]
            .iter()
            .any(|k| node.get(*k).is_some())
        {
            return "string";
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            let Some(alts) = node[key].as_array() else {
                continue;
            };
            let kinds: BTreeSet<&str> = alts
                .iter()
                .map(|a| follow(self.root, self.defs, a).0)
                .map(|a| match json_types(a).as_slice() {
                    [t] => *t,
                    [] if a["properties"].is_object() => "object",
                    [] if a
                        .as_object()
                        .is_some_and(|o| o.keys().all(|k| k == "required")) =>
                    {
                        "req"
                    }
                    _ => "any",
                })
                .collect();
            let kinds: Vec<&str> = kinds.into_iter().filter(|k| *k != "req").collect();
            return match kinds.as_slice() {
                [one] if *one != "any" => match *one {
                    "object" => "object",
                    "string" => "string",
                    "integer" => "integer",
                    "number" => "number",
                    "boolean" => "boolean",
                    "array" => "array",
                    _ => "any",
                },
                _ => "any",
            };
        }
        "any"
    }

    fn string(&mut self, node: &Json, hint: &str) -> Ty {
        // Values that cfn-lint's patches list under `enumCaseInsensitive` (the upstream schema has
        // no `enum` there) stay strings; the docs list them.
        let Some(values) = node["enum"].as_array() else {
            return Ty::Str;
        };
        let values: Vec<&str> = values.iter().filter_map(Json::as_str).collect();
        if values.is_empty() || values.len() != node["enum"].as_array().map_or(0, Vec::len) {
            return Ty::Str;
        }
        let name = self.unique_name(hint);
        let mut used = HashSet::new();
        let mut variants = Vec::new();
        for v in values {
            if variants.iter().any(|(_, s): &(String, String)| s == v) {
                continue;
            }
            let base = if v.is_empty() {
                "Empty".to_string()
            } else if v == "*" {
                "All".to_string()
            } else {
                pascal(v)
            };
            let mut variant = base.clone();
            let mut n = 2;
            while !used.insert(variant.clone()) {
                variant = format!("{base}{n}");
                n += 1;
            }
            variants.push((variant, v.to_string()));
        }
        let doc = node["description"].as_str().unwrap_or_default().to_string();
        self.types.push(TypeDef::Enum(EnumDef {
            name: name.clone(),
            doc,
            variants,
        }));
        Ty::Local(name)
    }

    /// Properties of an object node, including those of `oneOf` / `anyOf` / `allOf` alternatives
    /// that are objects themselves (the struct then offers the union of them).
    fn object_props(&self, node: &Json) -> Vec<(String, Json)> {
        let mut out: Vec<(String, Json)> = Vec::new();
        let mut add = |props: &Json| {
            if let Some(p) = props.as_object() {
                for (k, v) in p {
                    if !out.iter().any(|(n, _)| n == k) {
                        out.push((k.clone(), v.clone()));
                    }
                }
            }
        };
        add(&node["properties"]);
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some(alts) = node[key].as_array() {
                for a in alts {
                    add(&follow(self.root, self.defs, a).0["properties"]);
                }
            }
        }
        out
    }

    fn object(&mut self, node: &Json, hint: &str, def: Option<&str>) -> Ty {
        let props = self.object_props(node);
        if !props.is_empty() {
            let is_tag = props.len() == 2
                && props.iter().any(|(k, _)| k == "Key")
                && props.iter().any(|(k, _)| k == "Value")
                && props
                    .iter()
                    .all(|(_, v)| json_types(follow(self.root, self.defs, v).0) == ["string"]);
            if is_tag {
                return Ty::Tag;
            }
            return self.structure(node, props, hint, def);
        }
        if let Some(pp) = node["patternProperties"].as_object() {
            let tys: Vec<Ty> = pp.values().map(|v| self.resolve(v, hint)).collect();
            let first = tys.first().cloned().unwrap_or(Ty::Json);
            let value = if tys.iter().all(|t| *t == first) {
                first
            } else {
                Ty::Json
            };
            return Ty::Map(Box::new(value));
        }
        if node["additionalProperties"].is_object() {
            let value = self.resolve(&node["additionalProperties"], hint);
            return Ty::Map(Box::new(value));
        }
        Ty::Json
    }

    fn structure(
        &mut self,
        node: &Json,
        props: Vec<(String, Json)>,
        hint: &str,
        def: Option<&str>,
    ) -> Ty {
        let name = self.unique_name(hint);
        if let Some(d) = def {
            // Registered before the properties so that recursive references find it.
            self.cache.insert(d.to_string(), Ty::Local(name.clone()));
        }
        let slot = self.types.len();
        self.types.push(TypeDef::Enum(EnumDef {
            name: String::new(),
            doc: String::new(),
            variants: Vec::new(),
        }));
        let mut used = HashSet::new();
        let mut out = Vec::new();
        let definition = def.unwrap_or(hint).to_string();
        for (pname, pnode) in &props {
            let phint = format!("{name}{}", pascal(pname));
            let p = self.prop(
                pname,
                pnode,
                Some(&definition),
                &phint,
                RESERVED_STRUCT_METHODS,
                &mut used,
            );
            out.push(p);
        }
        let mut required: Vec<String> = required_names(node);
        required.retain(|r| out.iter().any(|p| &p.cfn == r));
        let mut ordered = Vec::new();
        for r in &required {
            if let Some(i) = out.iter().position(|p| &p.cfn == r) {
                if !out[i].required {
                    out[i].required = true;
                    ordered.push(out[i].clone());
                }
            }
        }
        let optional: Vec<Prop> = out.into_iter().filter(|p| !p.required).collect();
        ordered.extend(optional);
        let (notes, pick) = constraints(node, self.defs);
        let doc = node["description"].as_str().unwrap_or_default().to_string();
        self.types[slot] = TypeDef::Struct(StructDef {
            name: name.clone(),
            cfn: definition,
            doc,
            props: ordered,
            notes,
            pick,
        });
        Ty::Local(name)
    }
}

/// Walks a property as cfn-lint does for types whose every property is an attribute: an object
/// stands for its leaf properties, a list of objects or lists is not addressable.
fn leaves(ctx: &Ctx<'_>, node: &Json, name: &str, depth: usize, out: &mut dyn FnMut(String, Ty)) {
    let types = json_types(node);
    if types.contains(&"object") {
        if depth < 8 {
            for (prop, child) in node["properties"].as_object().into_iter().flatten() {
                leaves(ctx, child, &format!("{name}.{prop}"), depth + 1, out);
            }
        }
    } else if types.contains(&"array") {
        // cfn-lint looks at the items' own `type`, without following a `$ref`.
        if matches!(node["items"]["type"].as_str(), Some("object" | "array")) {
            return;
        }
        out(name.to_string(), attr_ty(ctx, node));
    } else if node.get("$ref").is_some() && depth < 8 {
        let target = follow(ctx.root, ctx.defs, node).0;
        if target.get("$ref").is_none() {
            leaves(ctx, target, name, depth + 1, out);
        }
    } else {
        out(name.to_string(), attr_ty(ctx, node));
    }
}

/// The kind of an attribute's value.
fn attr_ty(ctx: &Ctx<'_>, node: &Json) -> Ty {
    let node = follow(ctx.root, ctx.defs, node).0;
    match json_types(node).as_slice() {
        ["integer"] => Ty::Int,
        ["number"] => Ty::Num,
        ["boolean"] => Ty::Bool,
        ["array"] => {
            let items = follow(ctx.root, ctx.defs, &node["items"]).0;
            Ty::List(Box::new(match json_types(items).as_slice() {
                ["integer"] => Ty::Int,
                ["number"] => Ty::Num,
                ["boolean"] => Ty::Bool,
                ["string"] => Ty::Str,
                [] if !items["properties"].is_object() => Ty::Str,
                _ => Ty::Json,
            }))
        }
        ["string"] | [] if !node["properties"].is_object() => Ty::Str,
        _ => Ty::Json,
    }
}

/// `Fn::GetAtt` attributes, as cfn-lint 1.58.0 accepts them: the read-only properties, plus
/// every property for the types CloudFormation lets address any property (see [`kinds`]).
fn attributes(ctx: &mut Ctx<'_>, read_only: &[String]) -> Vec<Attr> {
    let mut found: Vec<(String, Ty)> = Vec::new();
    if kinds::ALL_PROPERTY_ATTRIBUTES.contains(&ctx.type_name) {
        for (name, node) in ctx.root["properties"].as_object().into_iter().flatten() {
            leaves(ctx, node, name, 0, &mut |n, t| found.push((n, t)));
        }
    } else {
        for name in kinds::extra_attributes(ctx.type_name) {
            if let Some(node) = ctx.root["properties"].get(*name) {
                found.push((name.to_string(), attr_ty(ctx, node)));
            }
        }
        for pointer in read_only {
            let Some(path) = pointer.strip_prefix("/properties/") else {
                continue;
            };
            if path.contains('*') || path.is_empty() {
                continue;
            }
            let segs: Vec<&str> = path.split('/').collect();
            let mut level = ctx.root["properties"].clone();
            let mut leaf = None;
            for (i, seg) in segs.iter().enumerate() {
                let Some(child) = level.get(*seg) else { break };
                let resolved = follow(ctx.root, ctx.defs, child).0.clone();
                if i + 1 == segs.len() {
                    leaf = Some(resolved);
                } else {
                    level = resolved["properties"].clone();
                }
            }
            let Some(node) = leaf else { continue };
            found.push((path.replace('/', "."), attr_ty(ctx, &node)));
        }
    }
    let mut attrs: Vec<Attr> = Vec::new();
    let mut used = HashSet::new();
    for (name, ty) in found {
        if attrs.iter().any(|a| a.name == name) {
            continue;
        }
        let ty = match (&ty, kinds::att_kind(ctx.type_name, &name)) {
            (Ty::Str, Some(k)) => Ty::Id(k),
            _ => ty,
        };
        let mut method = format!(
            "attr_{}",
            snake(&name.replace('.', "_")).trim_end_matches('_')
        );
        let base = method.clone();
        let mut n = 2;
        while !used.insert(method.clone()) {
            method = format!("{base}_{n}");
            n += 1;
        }
        attrs.push(Attr { name, method, ty });
    }
    attrs
}
