//! The type table of the generated API (`cargo-rcdk/generated/cfn_types.json`), read by
//! `cargo rcdk migrate` to write Rust that calls `rcdk_constructs::cfn`.

use serde_json::{json, Map as JsonMap, Value as Json};

use crate::model::{Prop, Resource, Service, Ty, TypeDef};

/// Where the table is written, relative to the workspace root.
pub const PATH: &str = "cargo-rcdk/generated/cfn_types.json";

/// A value kind as the table spells it: `String`, `i64`, `f64`, `bool`, `Json`, `Tag`,
/// `Id:VpcId` (an id kind of `rcdk_core::kind`), `List<K>`, `Map<K>`, `Local:Name` (a struct or
/// enum of the resource's submodule).
pub fn ty(t: &Ty) -> String {
    match t {
        Ty::Str => "String".into(),
        Ty::Int => "i64".into(),
        Ty::Num => "f64".into(),
        Ty::Bool => "bool".into(),
        Ty::Json => "Json".into(),
        Ty::Tag => "Tag".into(),
        Ty::Id(k) => format!("Id:{k}"),
        Ty::List(t) => format!("List<{}>", ty(t)),
        Ty::Map(t) => format!("Map<{}>", ty(t)),
        Ty::Local(n) => format!("Local:{n}"),
    }
}

/// `[CFN_NAME, RUST_BUILDER_NAME, TY, REQUIRED]` per property.
fn props(props: &[Prop]) -> Json {
    props
        .iter()
        .map(|p| json!([p.cfn, p.rust, ty(&p.ty), p.required]))
        .collect()
}

fn names<'a>(props: impl Iterator<Item = &'a Prop>) -> Json {
    props.map(|p| json!(p.cfn)).collect()
}

/// One resource's entry. Every name comes from the model values the emitter writes: `new` takes
/// the required properties in `Resource::required` order (struct `new` takes its required
/// properties in their `props` order, which lists them first), and the builder of a property is
/// `Prop::rust`.
fn resource(service: &str, r: &Resource) -> Json {
    let mut types = JsonMap::new();
    for t in &r.types {
        match t {
            TypeDef::Struct(s) => {
                let new = names(s.props.iter().filter(|p| p.required));
                types.insert(
                    s.name.clone(),
                    json!({"props": props(&s.props), "new": new}),
                );
            }
            TypeDef::Enum(e) => {
                let variants: Json = e.variants.iter().map(|(v, s)| json!([v, s])).collect();
                types.insert(e.name.clone(), json!({ "enum": variants }));
            }
        }
    }
    let attrs: Json = r
        .attrs
        .iter()
        .map(|a| json!([a.name, a.method, ty(&a.ty)]))
        .collect();
    json!({
        "service": service,
        "name": r.rust_name,
        "module": r.module,
        "tags": r.tag_format,
        "ref": ty(&r.ref_ty),
        "props": props(&r.props),
        "new": names(r.required.iter().map(|&i| &r.props[i])),
        "attrs": attrs,
        "types": types,
    })
}

/// Renders the table: compact JSON, one line per resource type, every type of every service.
///
/// `{"generated_by": "...", "resources": {TYPE_NAME: ENTRY, ...}}`, where an entry is
/// `{"service": module and cargo feature, "name": struct, "module": submodule of its property
/// types, "tags": "None" | "List" | "Map" (its `TagFormat`), "ref": TY of `ref_()`,
/// "props": [[CFN_NAME, RUST_BUILDER_NAME, TY, REQUIRED], ...] (schema order), "new":
/// [CFN_NAME, ...] (the arguments of `new`, in order), "attrs": [[ATTR_NAME, METHOD, TY], ...],
/// "types": {NAME: {"props": [...], "new": [...]} | {"enum": [[VARIANT, CFN_STRING], ...]}}}`
/// and TY is written as [`ty`] spells it.
pub fn render(services: &[Service]) -> String {
    let mut out = String::from(
        "{\"generated_by\":\"cargo run -p rcdk-codegen (cfn-lint 1.58.0 schemas); do not edit\",\"resources\":{",
    );
    let mut first = true;
    for s in services {
        for r in &s.resources {
            out.push_str(if first { "\n" } else { ",\n" });
            first = false;
            out.push_str(&Json::from(r.type_name.as_str()).to_string());
            out.push(':');
            out.push_str(&resource(&s.module, r).to_string());
        }
    }
    out.push_str("\n}}\n");
    out
}
