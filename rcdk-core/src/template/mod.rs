//! Existing CloudFormation templates, read: JSON or YAML (short-form tags included) into a
//! [`TemplateDoc`] whose values are the template model's [`Value`]s, with every reference
//! checked and kept by name. Including a template in an app and migrating it to Rust both start
//! here; [`canonical`] gives the form in which two templates are compared.

mod canonical;
mod check;
mod intrinsics;
mod raw;
mod read;
mod targets;

use indexmap::IndexMap;
use serde_norway::Value as Y;

pub use canonical::canonical;
use intrinsics::{convert, key_text, Context};
pub use raw::{raw, raw_condition};
pub(crate) use targets::map_parts;
pub use targets::{map_targets, Use};

use crate::resource::RemovalPolicy;
use crate::value::Value;

/// A problem with a template: where (`Resources.Photos.Properties.BucketName`) and what.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{place}: {message}{}", .hint.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
pub struct TemplateError {
    /// The place in the template, as a dotted path of keys and list indexes.
    pub place: String,
    /// What is wrong.
    pub message: String,
    /// What to change, when it can be said.
    pub hint: Option<String>,
}

impl TemplateError {
    /// An error at `place`.
    pub fn new(place: impl Into<String>, message: impl Into<String>) -> TemplateError {
        TemplateError {
            place: place.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds what to change.
    pub fn hint(mut self, hint: impl Into<String>) -> TemplateError {
        self.hint = Some(hint.into());
        self
    }
}

/// A template's resource as written.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDoc {
    /// `Type`.
    pub type_name: String,
    /// `Properties`, in the template's order.
    pub properties: IndexMap<String, Value>,
    /// `DependsOn`, as names.
    pub depends_on: Vec<String>,
    /// `Condition`.
    pub condition: Option<String>,
    /// `DeletionPolicy`.
    pub deletion_policy: Option<RemovalPolicy>,
    /// `UpdateReplacePolicy`.
    pub update_replace_policy: Option<RemovalPolicy>,
    /// `CreationPolicy`.
    pub creation_policy: Option<Value>,
    /// `UpdatePolicy`.
    pub update_policy: Option<Value>,
    /// `Metadata`.
    pub metadata: IndexMap<String, Value>,
    /// `DeletionPolicy` or `UpdateReplacePolicy` given by a function (which
    /// `AWS::LanguageExtensions` allows), by attribute name.
    pub policy_functions: IndexMap<String, Value>,
}

/// A parameter as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParameterDoc {
    /// `Type`.
    pub type_name: String,
    /// `Default`.
    pub default: Option<Value>,
    /// `Description`.
    pub description: Option<String>,
    /// `AllowedValues`.
    pub allowed_values: Vec<Value>,
    /// `AllowedPattern`.
    pub allowed_pattern: Option<String>,
    /// `ConstraintDescription`.
    pub constraint_description: Option<String>,
    /// `MinLength` / `MaxLength`.
    pub length: (Option<u64>, Option<u64>),
    /// `MinValue` / `MaxValue`.
    pub value_range: (Option<f64>, Option<f64>),
    /// `NoEcho`.
    pub no_echo: bool,
}

/// An output as written.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputDoc {
    /// `Value`.
    pub value: Value,
    /// `Description`.
    pub description: Option<String>,
    /// `Export.Name`.
    pub export_name: Option<Value>,
    /// `Condition`.
    pub condition: Option<String>,
}

/// A whole template: every section CloudFormation reads, in the template's order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplateDoc {
    /// `Description`.
    pub description: Option<String>,
    /// Template-level `Metadata`.
    pub metadata: IndexMap<String, Value>,
    /// `Transform`, one or more macro names.
    pub transforms: Vec<String>,
    /// `Parameters`.
    pub parameters: IndexMap<String, ParameterDoc>,
    /// `Mappings`: name -> top-level key -> second-level key -> value.
    pub mappings: IndexMap<String, IndexMap<String, IndexMap<String, Value>>>,
    /// `Conditions`: name -> expression.
    pub conditions: IndexMap<String, Value>,
    /// `Resources`.
    pub resources: IndexMap<String, ResourceDoc>,
    /// `Outputs`.
    pub outputs: IndexMap<String, OutputDoc>,
    /// `Rules`, `Hooks` and SAM's `Globals`, as written.
    pub other_sections: IndexMap<String, Value>,
}

/// Top-level sections kept as written, not modelled.
const OTHER_SECTIONS: &[&str] = &["Rules", "Hooks", "Globals"];

/// The sections CloudFormation defines and this project models (a stack builds them from its
/// tree and settings); a template may also have [`OTHER_SECTIONS`].
pub(crate) const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Transform",
    "Parameters",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
];

impl TemplateDoc {
    /// Reads a template from its text (JSON if it starts with `{`, YAML otherwise), and checks
    /// that every `Ref`, `Fn::GetAtt`, `Fn::Sub` name, `DependsOn`, `Condition` and
    /// `Fn::FindInMap` names something the template declares. With a `Transform`, names the
    /// macro creates (a SAM function's role) cannot be known, so unknown names are kept.
    pub fn parse(text: &str) -> Result<TemplateDoc, TemplateError> {
        let y = read::read(text)?;
        let doc = from_yaml(&y)?;
        check::names(&doc)?;
        Ok(doc)
    }

    /// The logical ids of parameters and resources, which `Ref` may name.
    pub fn is_declared(&self, name: &str) -> bool {
        self.parameters.contains_key(name) || self.resources.contains_key(name)
    }
}

fn section<'a>(
    top: &'a serde_norway::Mapping,
    name: &str,
) -> Result<Option<&'a serde_norway::Mapping>, TemplateError> {
    match top.get(name) {
        None | Some(Y::Null) => Ok(None),
        Some(Y::Mapping(m)) => Ok(Some(m)),
        Some(_) => Err(TemplateError::new(
            name,
            "must be a map of names to entries",
        )),
    }
}

fn entries<'a>(
    m: Option<&'a serde_norway::Mapping>,
    place: &str,
) -> Result<Vec<(String, &'a Y)>, TemplateError> {
    let mut out = Vec::new();
    for (k, v) in m.into_iter().flatten() {
        let key = key_text(k, place)?;
        if key.starts_with("Fn::ForEach::") {
            return Err(TemplateError::new(
                format!("{place}.{key}"),
                "Fn::ForEach loops (AWS::LanguageExtensions) are not supported",
            )
            .hint("write out the loop's entries, one per element of its collection"));
        }
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(TemplateError::new(
                format!("{place}.{key}"),
                "a logical id must be ASCII letters and digits only",
            ));
        }
        out.push((key, v));
    }
    Ok(out)
}

fn fields<'a>(y: &'a Y, place: &str) -> Result<&'a serde_norway::Mapping, TemplateError> {
    match y {
        Y::Mapping(m) => Ok(m),
        _ => Err(TemplateError::new(place, "must be a map")),
    }
}

fn string(y: Option<&Y>, place: &str) -> Result<Option<String>, TemplateError> {
    match y {
        None => Ok(None),
        Some(Y::String(s)) => Ok(Some(s.clone())),
        Some(Y::Number(n)) => Ok(Some(n.to_string())),
        Some(Y::Bool(b)) => Ok(Some(b.to_string())),
        Some(_) => Err(TemplateError::new(place, "must be a string")),
    }
}

/// A string or a list of strings (`Transform`, `DependsOn`), or `wrong()` for anything else.
fn strings(y: Option<&Y>, wrong: impl Fn() -> TemplateError) -> Result<Vec<String>, TemplateError> {
    match y {
        None => Ok(Vec::new()),
        Some(Y::String(s)) => Ok(vec![s.clone()]),
        Some(Y::Sequence(items)) => items
            .iter()
            .map(|i| match i {
                Y::String(s) => Ok(s.clone()),
                _ => Err(wrong()),
            })
            .collect(),
        Some(_) => Err(wrong()),
    }
}

fn map_of(y: Option<&Y>, place: &str) -> Result<IndexMap<String, Value>, TemplateError> {
    match y {
        None | Some(Y::Null) => Ok(IndexMap::new()),
        Some(y @ Y::Mapping(_)) => match convert(y, place, Context::Value)? {
            Value::Map(m) => Ok(m),
            _ => Err(TemplateError::new(place, "must be a map, not a function")),
        },
        Some(_) => Err(TemplateError::new(place, "must be a map")),
    }
}

fn policy(y: Option<&Y>, place: &str) -> Result<Option<RemovalPolicy>, TemplateError> {
    if matches!(y, Some(Y::Tagged(_) | Y::Mapping(_))) {
        // A function: kept in `policy_functions`.
        return Ok(None);
    }
    Ok(match string(y, place)?.as_deref() {
        None => None,
        Some("Delete") => Some(RemovalPolicy::Delete),
        Some("Retain") => Some(RemovalPolicy::Retain),
        Some("RetainExceptOnCreate") => Some(RemovalPolicy::RetainExceptOnCreate),
        Some("Snapshot") => Some(RemovalPolicy::Snapshot),
        Some(other) => {
            return Err(
                TemplateError::new(place, format!("unknown policy '{other}'"))
                    .hint("use Delete, Retain, RetainExceptOnCreate or Snapshot"),
            )
        }
    })
}

fn number(y: Option<&Y>, place: &str) -> Result<Option<f64>, TemplateError> {
    match y {
        None => Ok(None),
        Some(Y::Number(n)) => Ok(n.as_f64()),
        // CloudFormation accepts numbers written as strings here.
        Some(Y::String(s)) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| TemplateError::new(place, "must be a number")),
        Some(_) => Err(TemplateError::new(place, "must be a number")),
    }
}

fn from_yaml(y: &Y) -> Result<TemplateDoc, TemplateError> {
    let Y::Mapping(top) = y else {
        return Err(TemplateError::new(
            "(top level)",
            "not a CloudFormation template: the document is not a map of sections",
        )
        .hint("a template is a map with at least a `Resources` section"));
    };
    let mut unknown = Vec::new();
    for (k, _) in top {
        let key = key_text(k, "(top level)")?;
        if !SECTIONS.contains(&key.as_str()) && !OTHER_SECTIONS.contains(&key.as_str()) {
            unknown.push(key);
        }
    }
    let Some(resources) = section(top, "Resources")? else {
        return Err(TemplateError::new(
            "(top level)",
            "not a CloudFormation template: it has no `Resources` section",
        )
        .hint(format!("the sections are {}", SECTIONS.join(", "))));
    };
    if let Some(key) = unknown.first() {
        return Err(
            TemplateError::new(key.clone(), "not a section of a CloudFormation template").hint(
                format!(
                    "the sections are {}, {}",
                    SECTIONS.join(", "),
                    OTHER_SECTIONS.join(", ")
                ),
            ),
        );
    }
    let mut doc = TemplateDoc {
        description: string(top.get("Description"), "Description")?,
        metadata: map_of(top.get("Metadata"), "Metadata")?,
        ..TemplateDoc::default()
    };
    doc.transforms = strings(top.get("Transform"), || {
        TemplateError::new("Transform", "must name macros")
            .hint("a transform with parameters belongs in Fn::Transform inside a resource")
    })?;
    for name in OTHER_SECTIONS {
        if let Some(y) = top.get(*name) {
            doc.other_sections
                .insert(name.to_string(), convert(y, name, Context::Condition)?);
        }
    }
    for (name, y) in entries(section(top, "Parameters")?, "Parameters")? {
        let at = format!("Parameters.{name}");
        let f = fields(y, &at)?;
        let get = |k: &str| f.get(k);
        let type_name = string(get("Type"), &format!("{at}.Type"))?
            .ok_or_else(|| TemplateError::new(&at, "a parameter needs a `Type`"))?;
        let int = |k: &str| -> Result<Option<u64>, TemplateError> {
            Ok(number(get(k), &format!("{at}.{k}"))?.map(|n| n as u64))
        };
        let allowed_values = match get("AllowedValues") {
            None => Vec::new(),
            Some(y) => match convert(y, &format!("{at}.AllowedValues"), Context::Value)? {
                Value::List(items) => items,
                _ => {
                    return Err(TemplateError::new(
                        format!("{at}.AllowedValues"),
                        "must be a list",
                    ))
                }
            },
        };
        let no_echo = match get("NoEcho") {
            None => false,
            Some(Y::Bool(b)) => *b,
            Some(Y::String(s)) => s.eq_ignore_ascii_case("true"),
            Some(_) => {
                return Err(TemplateError::new(
                    format!("{at}.NoEcho"),
                    "must be true or false",
                ))
            }
        };
        for (k, _) in f {
            let key = key_text(k, &at)?;
            if !PARAMETER_FIELDS.contains(&key.as_str()) {
                return Err(TemplateError::new(
                    format!("{at}.{key}"),
                    "not a field of a parameter",
                ));
            }
        }
        let p = ParameterDoc {
            type_name,
            default: get("Default")
                .map(|y| convert(y, &format!("{at}.Default"), Context::Value))
                .transpose()?,
            description: string(get("Description"), &format!("{at}.Description"))?,
            allowed_values,
            allowed_pattern: string(get("AllowedPattern"), &format!("{at}.AllowedPattern"))?,
            constraint_description: string(
                get("ConstraintDescription"),
                &format!("{at}.ConstraintDescription"),
            )?,
            length: (int("MinLength")?, int("MaxLength")?),
            value_range: (
                number(get("MinValue"), &format!("{at}.MinValue"))?,
                number(get("MaxValue"), &format!("{at}.MaxValue"))?,
            ),
            no_echo,
        };
        doc.parameters.insert(name, p);
    }
    for (name, y) in entries(section(top, "Mappings")?, "Mappings")? {
        let at = format!("Mappings.{name}");
        let mut mapping = IndexMap::new();
        for (k, inner) in fields(y, &at)? {
            let top_key = key_text(k, &at)?;
            let inner_at = format!("{at}.{top_key}");
            let values = map_of(Some(inner), &inner_at)?;
            mapping.insert(top_key, values);
        }
        doc.mappings.insert(name, mapping);
    }
    for (name, y) in entries(section(top, "Conditions")?, "Conditions")? {
        let at = format!("Conditions.{name}");
        doc.conditions
            .insert(name, convert(y, &at, Context::Condition)?);
    }
    for (name, y) in entries(Some(resources), "Resources")? {
        let at = format!("Resources.{name}");
        let f = fields(y, &at)?;
        for (k, _) in f {
            let key = key_text(k, &at)?;
            if !RESOURCE_FIELDS.contains(&key.as_str()) {
                return Err(TemplateError::new(
                    format!("{at}.{key}"),
                    "not an attribute of a resource",
                )
                .hint(format!("a resource has {}", RESOURCE_FIELDS.join(", "))));
            }
        }
        let type_name = string(f.get("Type"), &format!("{at}.Type"))?
            .ok_or_else(|| TemplateError::new(&at, "a resource needs a `Type`"))?;
        let depends_on = strings(f.get("DependsOn"), || {
            TemplateError::new(format!("{at}.DependsOn"), "must list logical ids")
        })?;
        let value = |k: &str| {
            f.get(k)
                .map(|y| convert(y, &format!("{at}.{k}"), Context::Value))
                .transpose()
        };
        let mut policy_functions = IndexMap::new();
        for k in ["DeletionPolicy", "UpdateReplacePolicy"] {
            if let Some(y @ (Y::Tagged(_) | Y::Mapping(_))) = f.get(k) {
                policy_functions.insert(
                    k.to_string(),
                    convert(y, &format!("{at}.{k}"), Context::Value)?,
                );
            }
        }
        let r = ResourceDoc {
            policy_functions,
            properties: map_of(f.get("Properties"), &format!("{at}.Properties"))?,
            depends_on,
            condition: string(f.get("Condition"), &format!("{at}.Condition"))?,
            deletion_policy: policy(f.get("DeletionPolicy"), &format!("{at}.DeletionPolicy"))?,
            update_replace_policy: policy(
                f.get("UpdateReplacePolicy"),
                &format!("{at}.UpdateReplacePolicy"),
            )?,
            creation_policy: value("CreationPolicy")?,
            update_policy: value("UpdatePolicy")?,
            metadata: map_of(f.get("Metadata"), &format!("{at}.Metadata"))?,
            type_name,
        };
        doc.resources.insert(name, r);
    }
    for (name, y) in entries(section(top, "Outputs")?, "Outputs")? {
        let at = format!("Outputs.{name}");
        let f = fields(y, &at)?;
        let value = f
            .get("Value")
            .ok_or_else(|| TemplateError::new(&at, "an output needs a `Value`"))?;
        let export_name = match f.get("Export") {
            None => None,
            Some(Y::Mapping(e)) => e
                .get("Name")
                .map(|y| convert(y, &format!("{at}.Export.Name"), Context::Value))
                .transpose()?,
            Some(_) => {
                return Err(TemplateError::new(
                    format!("{at}.Export"),
                    "must be {Name: ...}",
                ))
            }
        };
        let o = OutputDoc {
            value: convert(value, &format!("{at}.Value"), Context::Value)?,
            description: string(f.get("Description"), &format!("{at}.Description"))?,
            export_name,
            condition: string(f.get("Condition"), &format!("{at}.Condition"))?,
        };
        doc.outputs.insert(name, o);
    }
    Ok(doc)
}

const PARAMETER_FIELDS: &[&str] = &[
    "Type",
    "Default",
    "Description",
    "AllowedValues",
    "AllowedPattern",
    "ConstraintDescription",
    "MinLength",
    "MaxLength",
    "MinValue",
    "MaxValue",
    "NoEcho",
];

const RESOURCE_FIELDS: &[&str] = &[
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "CreationPolicy",
    "UpdatePolicy",
    "Metadata",
];
