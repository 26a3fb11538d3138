//! Every name a template uses must be declared in it: a reference to nothing fails at deploy
//! time, after CloudFormation has started; here it fails with its place.

use super::{TemplateDoc, TemplateError};
use crate::value::{Intrinsic, Target, Value};

/// Checks the names of `doc`.
pub fn names(doc: &TemplateDoc) -> Result<(), TemplateError> {
    for name in doc.parameters.keys() {
        if doc.resources.contains_key(name) {
            return Err(TemplateError::new(
                format!("Resources.{name}"),
                format!("'{name}' is both a parameter and a resource"),
            )
            .hint("logical ids are unique across a template's parameters and resources"));
        }
    }
    let c = Checker {
        doc,
        lenient: !doc.transforms.is_empty(),
    };
    for (name, expr) in &doc.conditions {
        c.value(expr, &format!("Conditions.{name}"))?;
    }
    for (name, r) in &doc.resources {
        let at = format!("Resources.{name}");
        for (k, v) in &r.properties {
            c.value(v, &format!("{at}.Properties.{k}"))?;
        }
        for d in &r.depends_on {
            if !doc.resources.contains_key(d) && !c.lenient {
                return Err(TemplateError::new(
                    format!("{at}.DependsOn"),
                    format!("'{d}' is not a resource of this template"),
                ));
            }
        }
        if let Some(cond) = &r.condition {
            c.condition(cond, &format!("{at}.Condition"))?;
        }
        for (k, v) in &r.metadata {
            c.value(v, &format!("{at}.Metadata.{k}"))?;
        }
        for (k, v) in &r.policy_functions {
            c.value(v, &format!("{at}.{k}"))?;
        }
        for (k, v) in [
            ("CreationPolicy", &r.creation_policy),
            ("UpdatePolicy", &r.update_policy),
        ] {
            if let Some(v) = v {
                c.value(v, &format!("{at}.{k}"))?;
            }
        }
    }
    for (name, o) in &doc.outputs {
        let at = format!("Outputs.{name}");
        c.value(&o.value, &format!("{at}.Value"))?;
        if let Some(e) = &o.export_name {
            c.value(e, &format!("{at}.Export.Name"))?;
        }
        if let Some(cond) = &o.condition {
            c.condition(cond, &format!("{at}.Condition"))?;
        }
    }
    Ok(())
}

struct Checker<'a> {
    doc: &'a TemplateDoc,
    /// A transform may declare names the template does not show.
    lenient: bool,
}

impl Checker<'_> {
    fn dangling(&self, place: &str, what: String) -> Result<(), TemplateError> {
        if self.lenient {
            return Ok(());
        }
        Err(TemplateError::new(place, what)
            .hint("declare it, or correct the name (names are case-sensitive)"))
    }

    fn condition(&self, name: &str, place: &str) -> Result<(), TemplateError> {
        if self.doc.conditions.contains_key(name) {
            return Ok(());
        }
        Err(TemplateError::new(
            place,
            format!("condition '{name}' is not declared in Conditions"),
        ))
    }

    fn value(&self, v: &Value, place: &str) -> Result<(), TemplateError> {
        match v {
            Value::List(items) => {
                for (i, x) in items.iter().enumerate() {
                    self.value(x, &format!("{place}.{i}"))?;
                }
                Ok(())
            }
            Value::Map(m) => {
                for (k, x) in m {
                    self.value(x, &format!("{place}.{k}"))?;
                }
                Ok(())
            }
            Value::Fn(f) => self.function(f, place),
            _ => Ok(()),
        }
    }

    fn function(&self, f: &Intrinsic, place: &str) -> Result<(), TemplateError> {
        match f {
            Intrinsic::Ref {
                target: Target::Name(n),
                ..
            } if !self.doc.is_declared(n) => {
                return self.dangling(
                    place,
                    format!("Ref to '{n}', which is not a parameter, resource or pseudo parameter"),
                )
            }
            Intrinsic::GetAtt {
                target: Target::Name(n),
                attribute,
                ..
            } if !self.doc.resources.contains_key(n) => {
                return self.dangling(
                    place,
                    format!(
                    "Fn::GetAtt of '{n}.{attribute}', but '{n}' is not a resource of this template"
                ),
                )
            }
            Intrinsic::If {
                condition: Target::Name(n),
                ..
            }
            | Intrinsic::Condition(Target::Name(n)) => self.condition(n, place)?,
            Intrinsic::FindInMap {
                mapping: Target::Name(n),
                ..
            } if !self.doc.mappings.contains_key(n) => {
                return Err(TemplateError::new(
                    place,
                    format!("Fn::FindInMap of '{n}', which is not declared in Mappings"),
                ))
            }
            Intrinsic::Sub {
                template,
                variables,
            } => {
                for name in sub_names(template) {
                    let base = name.split('.').next().unwrap_or(&name);
                    let known = variables.contains_key(&name)
                        || variables.contains_key(base)
                        || crate::value::Pseudo::from_name(&name).is_some()
                        || if name.contains('.') {
                            self.doc.resources.contains_key(base)
                        } else {
                            self.doc.is_declared(&name)
                        };
                    if !known {
                        self.dangling(
                            place,
                            format!("Fn::Sub uses '${{{name}}}', which is not a parameter, resource, attribute or variable"),
                        )?;
                    }
                }
            }
            _ => {}
        }
        let mut result = Ok(());
        f.for_each_value(&mut |x| {
            if result.is_ok() {
                result = self.value(x, place);
            }
        });
        result
    }
}

/// The `${Name}` placeholders of a `Fn::Sub` string (not the `${!Literal}` escapes).
pub fn sub_names(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = after[..end].trim();
        if !name.starts_with('!') && !name.is_empty() {
            out.push(name.to_string());
        }
        rest = &after[end + 1..];
    }
    out
}
