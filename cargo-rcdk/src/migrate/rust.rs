//! Template values as Rust expressions of the generated typed API: literals as literals, enum
//! strings as enum variants, property structs through their builders, references to the
//! template's own resources and parameters as typed values (`photos.attr_arn()`), and what does
//! not fit its type written as in the template (`raw::<i64>(json!("80"))`) with a comment.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use rcdk_core::synth::format::to_json;
use rcdk_core::{Intrinsic, Pseudo, Target, Value};

use super::table::{Local, ResourceType, Ty};

/// What a logical id is bound to in the program.
#[derive(Debug, Clone)]
pub enum Binding {
    /// A parameter whose value is of kind (Rust type) `kind`.
    Parameter { var: String, kind: String },
    /// A resource of a generated type.
    Typed { var: String, rt: Box<ResourceType> },
    /// A resource kept as a `RawResource`.
    Raw { var: String },
}

/// Emission state shared by the whole program.
pub struct Emitter {
    /// Logical id -> binding.
    pub bindings: HashMap<String, Binding>,
    /// Logical ids whose bindings are already declared above the current statement.
    pub declared: HashSet<String>,
    /// Values that did not fit their types.
    pub fallbacks: usize,
    /// Condition logical id -> binding.
    pub conditions: HashMap<String, String>,
    /// Mapping logical id -> binding.
    pub mappings: HashMap<String, String>,
}

/// The Rust type of kind `ty` in resource type `rt`'s module.
pub fn rust_type(ty: &Ty, rt: Option<&ResourceType>) -> String {
    match ty {
        Ty::Str => "String".into(),
        Ty::Int => "i64".into(),
        Ty::Num => "f64".into(),
        Ty::Bool => "bool".into(),
        Ty::Json => "Json".into(),
        Ty::Tag => "Tag".into(),
        Ty::Id(k) => k.clone(),
        Ty::List(t) => format!("List<{}>", rust_type(t, rt)),
        Ty::Map(t) => format!("Map<{}>", rust_type(t, rt)),
        Ty::Local(n) => match rt {
            Some(rt) => format!("{}::{}::{n}", rt.service, rt.module),
            None => "Json".into(),
        },
    }
}

/// A Rust string literal.
pub fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// `json` as the body of a `json!` invocation, indented by `indent`.
pub fn json_text(j: &serde_json::Value, indent: usize, out: &mut String) {
    let pad = |n: usize| " ".repeat(n);
    match j {
        serde_json::Value::Null => out.push_str("null"),
        serde_json::Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // A bare integer literal in `json!` is an `i32`.
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) if i32::try_from(i).is_ok() => out.push_str(&i.to_string()),
            (Some(i), _) => {
                let _ = write!(out, "{i}_i64");
            }
            (None, Some(u)) => {
                let _ = write!(out, "{u}_u64");
            }
            _ => out.push_str(&n.to_string()),
        },
        serde_json::Value::String(s) => out.push_str(&lit(s)),
        serde_json::Value::Array(items) if items.is_empty() => out.push_str("[]"),
        serde_json::Value::Array(items) => {
            let flat: Vec<String> = items
                .iter()
                .map(|i| {
                    let mut s = String::new();
                    json_text(i, 0, &mut s);
                    s
                })
                .collect();
            if flat.iter().all(|s| !s.contains('\n'))
                && flat.iter().map(|s| s.len() + 2).sum::<usize>() < 80
            {
                let _ = write!(out, "[{}]", flat.join(", "));
                return;
            }
            out.push_str("[\n");
            for i in items {
                out.push_str(&pad(indent + 4));
                json_text(i, indent + 4, out);
                out.push_str(",\n");
            }
            let _ = write!(out, "{}]", pad(indent));
        }
        serde_json::Value::Object(m) if m.is_empty() => out.push_str("{}"),
        serde_json::Value::Object(m) => {
            out.push_str("{\n");
            for (k, v) in m {
                let _ = write!(out, "{}{}: ", pad(indent + 4), lit(k));
                json_text(v, indent + 4, out);
                out.push_str(",\n");
            }
            let _ = write!(out, "{}}}", pad(indent));
        }
    }
}

/// `json!(...)` of `v` in long form.
pub fn json_macro(v: &Value, indent: usize) -> String {
    let mut s = String::from("json!(");
    json_text(&to_json(v), indent, &mut s);
    s.push(')');
    s
}

fn pseudo_fn(p: Pseudo) -> Option<&'static str> {
    Some(match p {
        Pseudo::AccountId => "fns::account_id()",
        Pseudo::NotificationArns => return None,
        Pseudo::NoValue => return None,
        Pseudo::Partition => "fns::partition()",
        Pseudo::Region => "fns::region()",
        Pseudo::StackId => "fns::stack_id()",
        Pseudo::StackName => "fns::stack_name()",
        Pseudo::UrlSuffix => "fns::url_suffix()",
    })
}

/// An expression and the kind it has (`None`: converts into the asked kind as it is).
struct Expr {
    code: String,
    kind: Option<String>,
}

impl Emitter {
    /// `raw::<K>(json!(...))`.
    pub fn raw(&mut self, v: &Value, k: &str, indent: usize) -> String {
        format!("raw::<{k}>({})", json_macro(v, indent))
    }

    /// A function or reference as an expression of a known kind, when the typed API has a form
    /// for it.
    fn reference(&mut self, f: &Intrinsic) -> Option<Expr> {
        match f {
            Intrinsic::Ref {
                target: Target::Pseudo(Pseudo::NoValue),
                ..
            } => None,
            Intrinsic::Ref {
                target: Target::Pseudo(p),
                ..
            } => pseudo_fn(*p).map(|code| Expr {
                code: code.into(),
                kind: Some("String".into()),
            }),
            Intrinsic::Ref {
                target: Target::Name(n),
                ..
            } => {
                if !self.declared.contains(n) {
                    return None;
                }
                Some(match self.bindings.get(n)? {
                    Binding::Parameter { var, kind } => Expr {
                        code: format!("{var}.value()"),
                        kind: Some(kind.clone()),
                    },
                    Binding::Typed { var, rt } => Expr {
                        code: format!("{var}.ref_()"),
                        kind: Some(rust_type(&rt.ref_ty, Some(rt))),
                    },
                    Binding::Raw { var } => Expr {
                        code: format!("{var}.ref_::<{KIND}>()", KIND = KIND),
                        kind: None,
                    },
                })
            }
            Intrinsic::GetAtt {
                target: Target::Name(n),
                attribute,
                ..
            } => {
                if !self.declared.contains(n) {
                    return None;
                }
                Some(match self.bindings.get(n)? {
                    Binding::Typed { var, rt } => match rt.attrs.iter().find(|a| &a.0 == attribute)
                    {
                        Some((_, method, ty)) => Expr {
                            code: format!("{var}.{method}()"),
                            kind: Some(rust_type(ty, Some(rt))),
                        },
                        None => Expr {
                            code: format!(
                                "{var}.core().get_att::<{KIND}>({})",
                                lit(attribute),
                                KIND = KIND
                            ),
                            kind: None,
                        },
                    },
                    Binding::Raw { var } => Expr {
                        code: format!("{var}.get_att::<{KIND}>({})", lit(attribute), KIND = KIND),
                        kind: None,
                    },
                    Binding::Parameter { .. } => return None,
                })
            }
            Intrinsic::Sub {
                template,
                variables,
            } if variables.is_empty() => Some(Expr {
                code: format!("fns::sub_plain({})", lit(template)),
                kind: Some("String".into()),
            }),
            _ => None,
        }
    }

    /// A function as a call of `fns` (or of a condition or mapping), with the kind it has, when
    /// the typed API has a form for it and its arguments.
    fn function(
        &mut self,
        f: &Intrinsic,
        ty: &Ty,
        rt: Option<&ResourceType>,
        indent: usize,
        notes: &mut Vec<String>,
    ) -> Option<Expr> {
        let k = rust_type(ty, rt);
        let str_ty = Ty::Str;
        let int_ty = Ty::Int;
        Some(match f {
            Intrinsic::Ref {
                target: Target::Pseudo(Pseudo::NotificationArns),
                ..
            } => Expr {
                code: "fns::notification_arns()".into(),
                kind: Some("List<String>".into()),
            },
            Intrinsic::GetAzs { region } => {
                let code = match region {
                    Value::String(r) if r.is_empty() => "fns::get_azs()".to_string(),
                    other => format!(
                        "fns::get_azs_in({})",
                        self.typed(other, &str_ty, rt, indent, notes)
                    ),
                };
                Expr {
                    code,
                    kind: Some("List<AvailabilityZone>".into()),
                }
            }
            Intrinsic::Select { index, list } => {
                let index = self.typed(index, &int_ty, rt, indent, notes);
                let (list, item) = match list {
                    Value::Fn(g) => {
                        let e = self.reference(g).or_else(|| {
                            self.function(g, &Ty::List(Box::new(Ty::Str)), rt, indent, notes)
                        })?;
                        let kind = e.kind.clone()?;
                        let item = kind.strip_prefix("List<")?.strip_suffix('>')?.to_string();
                        (e.code, item)
                    }
                    Value::List(_) => {
                        let list_ty = Ty::List(Box::new(Ty::Str));
                        (
                            self.typed(list, &list_ty, rt, indent, notes),
                            "String".to_string(),
                        )
                    }
                    _ => return None,
                };
                Expr {
                    code: format!("fns::select::<{item}>({index}, {list})"),
                    kind: Some(item),
                }
            }
            Intrinsic::Cidr {
                ip_block,
                count,
                cidr_bits,
            } => Expr {
                code: format!(
                    "fns::cidr({}, {}, {})",
                    self.typed(ip_block, &str_ty, rt, indent, notes),
                    self.typed(count, &int_ty, rt, indent, notes),
                    self.typed(cidr_bits, &int_ty, rt, indent, notes)
                ),
                kind: Some("List<String>".into()),
            },
            Intrinsic::Join { delimiter, values } => {
                let list_ty = Ty::List(Box::new(Ty::Str));
                let values = self.typed(values, &list_ty, rt, indent + 4, notes);
                Expr {
                    code: format!("fns::join({}, {values})", lit(delimiter)),
                    kind: Some("String".into()),
                }
            }
            Intrinsic::Split { delimiter, source } => Expr {
                code: format!(
                    "fns::split({}, {})",
                    lit(delimiter),
                    self.typed(source, &str_ty, rt, indent, notes)
                ),
                kind: Some("List<String>".into()),
            },
            Intrinsic::Sub {
                template,
                variables,
            } => {
                let pairs: Vec<String> = variables
                    .iter()
                    .map(|(name, v)| {
                        format!(
                            "({}, {})",
                            lit(name),
                            self.exact(v, &str_ty, rt, indent + 4, notes)
                        )
                    })
                    .collect();
                Expr {
                    code: format!(
                        "fns::sub({}, {})",
                        lit(template),
                        list(&pairs, indent).replacen("vec!", "", 1)
                    ),
                    kind: Some("String".into()),
                }
            }
            Intrinsic::If {
                condition: Target::Name(c),
                then,
                otherwise,
            } => {
                let var = self.conditions.get(c)?.clone();
                let then = self.exact(then, ty, rt, indent + 4, notes);
                let otherwise = self.exact(otherwise, ty, rt, indent + 4, notes);
                Expr {
                    code: format!("{var}.select({then}, {otherwise})"),
                    kind: Some(k),
                }
            }
            Intrinsic::Base64(x) => Expr {
                code: format!("fns::base64({})", self.typed(x, &str_ty, rt, indent, notes)),
                kind: Some("String".into()),
            },
            Intrinsic::ImportValue { name } => Expr {
                code: format!(
                    "Val::<{k}>::import({})",
                    self.typed(name, &str_ty, rt, indent, notes)
                ),
                kind: Some(k),
            },
            Intrinsic::FindInMap {
                mapping: Target::Name(m),
                top_key,
                second_key,
            } => {
                let var = self.mappings.get(m)?.clone();
                Expr {
                    code: format!(
                        "{var}.find::<{k}>({}, {})",
                        self.typed(top_key, &str_ty, rt, indent, notes),
                        self.typed(second_key, &str_ty, rt, indent, notes)
                    ),
                    kind: Some(k),
                }
            }
            _ => return None,
        })
    }

    /// `v` as an expression that converts into a plain value (an output's `Value`): a
    /// reference keeps its own kind.
    pub fn any(&mut self, v: &Value, indent: usize) -> String {
        match v {
            Value::String(s) => lit(s),
            Value::Fn(f) => match self.reference(f) {
                Some(Expr {
                    code,
                    kind: Some(_),
                }) => code,
                Some(e) => adapt(e, "String"),
                None => self.raw(v, "Json", indent),
            },
            other => self.raw(other, "Json", indent),
        }
    }

    /// `v` as an expression that converts into `Val<K>` for kind `ty`; `notes` gets a line for
    /// each value that did not fit.
    pub fn typed(
        &mut self,
        v: &Value,
        ty: &Ty,
        rt: Option<&ResourceType>,
        indent: usize,
        notes: &mut Vec<String>,
    ) -> String {
        self.typed_val(v, ty, rt, indent, notes).0
    }

    /// As [`Emitter::typed`], and whether the expression is already a `Val<K>`.
    fn typed_val(
        &mut self,
        v: &Value,
        ty: &Ty,
        rt: Option<&ResourceType>,
        indent: usize,
        notes: &mut Vec<String>,
    ) -> (String, bool) {
        let k = rust_type(ty, rt);
        if let Some(code) = self.literal(v, ty, rt, indent, notes) {
            let is_val = code.starts_with("Val::<");
            return (code, is_val);
        }
        if let Value::Fn(f) = v {
            if let Some(e) = self.reference(f) {
                return (adapt(e, &k), true);
            }
            let (fallbacks, noted) = (self.fallbacks, notes.len());
            if let Some(e) = self.function(f, ty, rt, indent, notes) {
                return (adapt(e, &k), true);
            }
            self.fallbacks = fallbacks;
            notes.truncate(noted);
            if v.is_no_value() {
                return (format!("Val::<{k}>::no_value()"), true);
            }
            // A function the typed API has no form for: as written, of the property's kind.
            return (self.raw(v, &k, indent), true);
        }
        if *ty == Ty::Json {
            // Free-form JSON with functions inside (a policy with `Fn::Sub`): as written.
            return (self.raw(v, &k, indent), true);
        }
        (self.fallback(v, ty, rt, indent, notes), true)
    }

    fn fallback(
        &mut self,
        v: &Value,
        ty: &Ty,
        rt: Option<&ResourceType>,
        indent: usize,
        notes: &mut Vec<String>,
    ) -> String {
        let k = rust_type(ty, rt);
        self.fallbacks += 1;
        notes.push(format!(
            "does not fit `{k}` ({}): kept as written",
            describe(v)
        ));
        self.raw(v, &k, indent)
    }

    /// `v` as an expression of exactly `Val<K>` (for lists and maps that mix literals and
    /// functions).
    fn exact(
        &mut self,
        v: &Value,
        ty: &Ty,
        rt: Option<&ResourceType>,
        indent: usize,
        notes: &mut Vec<String>,
    ) -> String {
        let (code, is_val) = self.typed_val(v, ty, rt, indent, notes);
        if is_val {
            code
        } else {
            format!("Val::<{}>::from({code})", rust_type(ty, rt))
        }
    }

    /// A literal of kind `ty` as its Rust literal or builder, or `None` when it does not fit.
    fn literal(
        &mut self,
        v: &Value,
        ty: &Ty,
        rt: Option<&ResourceType>,
        indent: usize,
        notes: &mut Vec<String>,
    ) -> Option<String> {
        Some(match (ty, v) {
            (Ty::Str, Value::String(s)) => lit(s),
            (Ty::Id(k), Value::String(s)) => {
                if rcdk_core::kind::literal_fits(k, s) == Some(true) {
                    lit(s)
                } else {
                    // Not of the kind's shape (a name where an ARN goes, an example value):
                    // kept, explicitly unchecked.
                    format!("Val::<String>::from({}).cast::<{k}>()", lit(s))
                }
            }
            (Ty::Int, Value::Number(n)) => match n.as_i64() {
                Some(i) if i32::try_from(i).is_ok() => i.to_string(),
                Some(i) => format!("{i}_i64"),
                None => return None,
            },
            (Ty::Num, Value::Number(n)) => match n.as_i64() {
                Some(i) if i32::try_from(i).is_ok() && !n.is_f64() => i.to_string(),
                _ => {
                    let f = n.as_f64()?;
                    format!("{f:?}_f64")
                }
            },
            (Ty::Bool, Value::Bool(b)) => b.to_string(),
            (Ty::Json, v) if v.is_literal() => json_macro(v, indent),
            (Ty::Tag, Value::Map(m))
                if m.len() == 2 && m.contains_key("Key") && m.contains_key("Value") =>
            {
                let key = self.typed(&m["Key"], &Ty::Str, rt, indent, notes);
                let value = self.typed(&m["Value"], &Ty::Str, rt, indent, notes);
                format!("Tag::new({key}, {value})")
            }
            (Ty::List(t), Value::List(items)) => {
                if items.is_empty() {
                    let k = rust_type(t, rt);
                    return Some(format!("Vec::<Val<{k}>>::new()"));
                }
                // Items share a Rust type only when each is a plain literal of one kind (or a
                // builder of one struct); otherwise every item is written as a `Val`.
                let (fallbacks, noted) = (self.fallbacks, notes.len());
                let mut plain = Vec::new();
                // Numbers may be written `1`, `1_i64` or `0.5_f64`: different Rust types.
                let mut uniform = !matches!(**t, Ty::Int | Ty::Num);
                for i in items {
                    let (code, is_val) = self.typed_val(i, t, rt, indent + 4, notes);
                    uniform &= !is_val;
                    plain.push(code);
                }
                let parts = if uniform {
                    plain
                } else {
                    self.fallbacks = fallbacks;
                    notes.truncate(noted);
                    items
                        .iter()
                        .map(|i| self.exact(i, t, rt, indent + 4, notes))
                        .collect()
                };
                list(&parts, indent)
            }
            (Ty::Map(t), Value::Map(m)) if !m.is_empty() => {
                let parts: Vec<String> = m
                    .iter()
                    .map(|(key, x)| {
                        format!(
                            "({}, {})",
                            lit(key),
                            self.exact(x, t, rt, indent + 4, notes)
                        )
                    })
                    .collect();
                list(&parts, indent)
            }
            (Ty::Local(name), v) => {
                let rt_ref = rt?;
                match rt_ref.locals.get(name)? {
                    Local::Enum(variants) => {
                        let Value::String(s) = v else { return None };
                        let (variant, _) = variants.iter().find(|(_, c)| c == s)?;
                        format!("{}::{variant}", rust_type(ty, rt))
                    }
                    Local::Struct { props, new } => {
                        let Value::Map(m) = v else { return None };
                        if m.keys().any(|k| !props.iter().any(|p| &p.cfn == k))
                            || new.iter().any(|n| !m.contains_key(n))
                        {
                            return None;
                        }
                        let props = props.clone();
                        let new = new.clone();
                        let mut args = Vec::new();
                        for n in &new {
                            let p = props.iter().find(|p| &p.cfn == n)?;
                            args.push(self.typed(&m[n], &p.ty, rt, indent + 4, notes));
                        }
                        let mut code = format!("{}::new({})", rust_type(ty, rt), args.join(", "));
                        for (key, x) in m {
                            if new.contains(key) || x.is_no_value() {
                                continue;
                            }
                            let p = props.iter().find(|p| &p.cfn == key)?;
                            let arg = self.typed(x, &p.ty, rt, indent + 4, notes);
                            let _ = write!(code, "\n{}.{}({arg})", " ".repeat(indent + 4), p.rust);
                        }
                        code
                    }
                }
            }
            _ => return None,
        })
    }
}

/// Where a generic call names the kind it is asked for.
const KIND: &str = "\u{0}KIND\u{0}";

fn adapt(e: Expr, k: &str) -> String {
    match e.kind {
        Some(kind) if kind == k => e.code,
        Some(_) => format!("{}.cast::<{k}>()", e.code),
        None => e.code.replace(KIND, k),
    }
}

fn list(parts: &[String], indent: usize) -> String {
    let one_line = format!("vec![{}]", parts.join(", "));
    if one_line.len() + indent < 90 && !one_line.contains('\n') {
        return one_line;
    }
    let pad = " ".repeat(indent + 4);
    let mut s = String::from("vec![\n");
    for p in parts {
        let _ = writeln!(s, "{pad}{p},");
    }
    let _ = write!(s, "{}]", " ".repeat(indent));
    s
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::List(_) => "a list",
        Value::Map(_) => "a map",
        Value::Fn(_) => "a function",
    }
}
