//! YAML values (short-form tags or long-form single-key maps) to [`Value`]s with intrinsics.
//! References stay names ([`Target::Name`]); the caller checks and resolves them.

use indexmap::IndexMap;
use serde_norway::Value as Y;

use super::TemplateError;
use crate::value::{Intrinsic, Pseudo, Target, Value};

/// Functions kept as written ([`Intrinsic::Other`]): CloudFormation knows them, but the
/// template model has no typed form for them.
const PASSED_THROUGH: &[&str] = &[
    "Fn::Length",
    "Fn::ToJsonString",
    "Fn::Transform",
    "Fn::GetStackOutput",
];

/// Where a value sits: a condition expression reads `{Condition: name}` as a function; elsewhere
/// (an IAM statement's `Condition`, say) it is data.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// A property, output, metadata or policy value.
    Value,
    /// The `Conditions` section and the arguments of `Fn::And`, `Fn::Or`, `Fn::Not`,
    /// `Fn::Equals` inside it.
    Condition,
}

/// Converts `y`, at `place` (for messages), into a value.
pub fn convert(y: &Y, place: &str, ctx: Context) -> Result<Value, TemplateError> {
    Ok(match y {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => Value::Number(number(n)),
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| convert(v, &format!("{place}.{i}"), ctx))
                .collect::<Result<_, _>>()?,
        ),
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let short = tag.trim_start_matches('!');
            let name = match short {
                "Ref" | "Condition" => short.to_string(),
                _ => format!("Fn::{short}"),
            };
            if !is_known(&name) {
                return Err(TemplateError::new(
                    place,
                    format!("unknown tag `!{short}`: not an intrinsic function of CloudFormation"),
                )
                .hint("use one of !Ref, !GetAtt, !Sub, !Join, !Select, !Split, !GetAZs, !ImportValue, !If, !Equals, !And, !Or, !Not, !Condition, !FindInMap, !Base64, !Cidr"));
            }
            function(&name, &t.value, place, ctx)?
        }
        Y::Mapping(m) => {
            if m.len() == 1 {
                if let Some((Y::String(key), arg)) = m.iter().next() {
                    let is_function = key == "Ref"
                        || key.starts_with("Fn::")
                        || (key == "Condition" && ctx == Context::Condition);
                    if is_function {
                        if !is_known(key) {
                            return Err(TemplateError::new(
                                place,
                                format!("unknown intrinsic function `{key}`"),
                            )
                            .hint("CloudFormation's functions are Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::GetAZs, Fn::ImportValue, Fn::If, Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition, Fn::FindInMap, Fn::Base64, Fn::Cidr and, with AWS::LanguageExtensions, Fn::Length, Fn::ToJsonString"));
                        }
                        return function(key, arg, place, ctx);
                    }
                }
            }
            let mut out = IndexMap::with_capacity(m.len());
            for (k, v) in m {
                let key = key_text(k, place)?;
                let at = format!("{place}.{key}");
                out.insert(key, convert(v, &at, ctx)?);
            }
            Value::Map(out)
        }
    })
}

/// A map key as text (YAML allows numbers and booleans as keys; CloudFormation reads them as
/// strings).
pub fn key_text(k: &Y, place: &str) -> Result<String, TemplateError> {
    match k {
        Y::String(s) => Ok(s.clone()),
        Y::Number(n) => Ok(n.to_string()),
        Y::Bool(b) => Ok(b.to_string()),
        _ => Err(TemplateError::new(place, "a map key is not a string")),
    }
}

fn number(n: &serde_norway::Number) -> serde_json::Number {
    if let Some(i) = n.as_i64() {
        i.into()
    } else if let Some(u) = n.as_u64() {
        u.into()
    } else {
        n.as_f64()
            .and_then(serde_json::Number::from_f64)
            .unwrap_or_else(|| 0.into())
    }
}

fn is_known(name: &str) -> bool {
    matches!(
        name,
        "Ref"
            | "Condition"
            | "Fn::GetAtt"
            | "Fn::Sub"
            | "Fn::Join"
            | "Fn::Select"
            | "Fn::Split"
            | "Fn::GetAZs"
            | "Fn::ImportValue"
            | "Fn::If"
            | "Fn::Equals"
            | "Fn::And"
            | "Fn::Or"
            | "Fn::Not"
            | "Fn::FindInMap"
            | "Fn::Base64"
            | "Fn::Cidr"
    ) || PASSED_THROUGH.contains(&name)
}

fn name_target(name: &str) -> Target {
    match Pseudo::from_name(name) {
        Some(p) => Target::Pseudo(p),
        None => Target::Name(name.to_string()),
    }
}

fn shape(place: &str, name: &str, expected: &str) -> TemplateError {
    TemplateError::new(place, format!("`{name}` takes {expected}"))
}

fn text<'a>(y: &'a Y, place: &str, name: &str, expected: &str) -> Result<&'a str, TemplateError> {
    match y {
        Y::String(s) => Ok(s),
        _ => Err(shape(place, name, expected)),
    }
}

fn items<'a>(
    y: &'a Y,
    n: std::ops::RangeInclusive<usize>,
    place: &str,
    name: &str,
    expected: &str,
) -> Result<&'a [Y], TemplateError> {
    match y {
        Y::Sequence(s) if n.contains(&s.len()) => Ok(s),
        _ => Err(shape(place, name, expected)),
    }
}

fn function(name: &str, arg: &Y, place: &str, ctx: Context) -> Result<Value, TemplateError> {
    let at = format!("{place}.{name}");
    let v = |y: &Y, i: usize| convert(y, &format!("{at}.{i}"), Context::Value);
    let c = |y: &Y, i: usize| convert(y, &format!("{at}.{i}"), Context::Condition);
    let f = match name {
        "Ref" => Intrinsic::Ref {
            target: name_target(text(arg, place, name, "a name")?),
            list: false,
        },
        "Condition" => Intrinsic::Condition(Target::Name(
            text(arg, place, name, "a condition's name")?.to_string(),
        )),
        "Fn::GetAtt" => match arg {
            Y::String(s) => match s.split_once('.') {
                Some((res, att)) => Intrinsic::GetAtt {
                    target: Target::Name(res.to_string()),
                    attribute: att.to_string(),
                    list: false,
                },
                None => {
                    return Err(shape(
                        place,
                        name,
                        "`Resource.Attribute` or [Resource, Attribute]",
                    ))
                }
            },
            Y::Sequence(s) if s.len() == 2 => match (&s[0], &s[1]) {
                (Y::String(res), Y::String(att)) => Intrinsic::GetAtt {
                    target: Target::Name(res.clone()),
                    attribute: att.clone(),
                    list: false,
                },
                // An attribute name computed by a function is kept as written.
                (Y::String(_), _) => Intrinsic::Other {
                    name: name.to_string(),
                    argument: convert(arg, &at, Context::Value)?,
                },
                _ => return Err(shape(place, name, "[Resource, Attribute]")),
            },
            _ => {
                return Err(shape(
                    place,
                    name,
                    "`Resource.Attribute` or [Resource, Attribute]",
                ))
            }
        },
        "Fn::Sub" => match arg {
            Y::String(s) => Intrinsic::Sub {
                template: s.clone(),
                variables: IndexMap::new(),
            },
            Y::Sequence(s) if s.len() == 2 => {
                let template = text(&s[0], place, name, "a string or [string, {variables}]")?;
                let Y::Mapping(vars) = &s[1] else {
                    return Err(shape(place, name, "[string, {variables}]"));
                };
                let mut variables = IndexMap::new();
                for (k, y) in vars {
                    let key = key_text(k, &at)?;
                    let value = convert(y, &format!("{at}.{key}"), Context::Value)?;
                    variables.insert(key, value);
                }
                Intrinsic::Sub {
                    template: template.to_string(),
                    variables,
                }
            }
            _ => return Err(shape(place, name, "a string or [string, {variables}]")),
        },
        "Fn::Join" => {
            let s = items(arg, 2..=2, place, name, "[delimiter, list]")?;
            match &s[0] {
                Y::String(d) => Intrinsic::Join {
                    delimiter: d.clone(),
                    values: v(&s[1], 1)?,
                },
                _ => return Err(shape(place, name, "a literal delimiter")),
            }
        }
        "Fn::Select" => {
            let s = items(arg, 2..=2, place, name, "[index, list]")?;
            Intrinsic::Select {
                index: v(&s[0], 0)?,
                list: v(&s[1], 1)?,
            }
        }
        "Fn::Split" => {
            let s = items(arg, 2..=2, place, name, "[delimiter, string]")?;
            Intrinsic::Split {
                delimiter: text(&s[0], place, name, "a literal delimiter")?.to_string(),
                source: v(&s[1], 1)?,
            }
        }
        "Fn::GetAZs" => Intrinsic::GetAzs {
            region: convert(arg, &at, Context::Value)?,
        },
        "Fn::ImportValue" => Intrinsic::ImportValue {
            name: convert(arg, &at, Context::Value)?,
        },
        "Fn::If" => {
            let s = items(
                arg,
                3..=3,
                place,
                name,
                "[condition, value if true, value if false]",
            )?;
            Intrinsic::If {
                condition: Target::Name(
                    text(&s[0], place, name, "a condition's name first")?.to_string(),
                ),
                then: convert(&s[1], &format!("{at}.1"), ctx)?,
                otherwise: convert(&s[2], &format!("{at}.2"), ctx)?,
            }
        }
        "Fn::Equals" => {
            let s = items(arg, 2..=2, place, name, "two values")?;
            Intrinsic::Equals(v(&s[0], 0)?, v(&s[1], 1)?)
        }
        "Fn::And" | "Fn::Or" => {
            let s = items(arg, 2..=10, place, name, "2 to 10 conditions")?;
            let conds = s
                .iter()
                .enumerate()
                .map(|(i, y)| c(y, i))
                .collect::<Result<Vec<_>, _>>()?;
            if name == "Fn::And" {
                Intrinsic::And(conds)
            } else {
                Intrinsic::Or(conds)
            }
        }
        "Fn::Not" => {
            let s = items(arg, 1..=1, place, name, "a list of one condition")?;
            Intrinsic::Not(c(&s[0], 0)?)
        }
        "Fn::FindInMap" => match arg {
            Y::Sequence(s) if s.len() == 3 => match &s[0] {
                Y::String(m) => Intrinsic::FindInMap {
                    mapping: Target::Name(m.clone()),
                    top_key: v(&s[1], 1)?,
                    second_key: v(&s[2], 2)?,
                },
                _ => return Err(shape(place, name, "a mapping's name first")),
            },
            // With a default value (AWS::LanguageExtensions): kept as written.
            Y::Sequence(s) if s.len() == 4 => Intrinsic::Other {
                name: name.to_string(),
                argument: convert(arg, &at, Context::Value)?,
            },
            _ => {
                return Err(shape(
                    place,
                    name,
                    "[mapping, top-level key, second-level key]",
                ))
            }
        },
        "Fn::Base64" => Intrinsic::Base64(convert(arg, &at, Context::Value)?),
        "Fn::Cidr" => {
            let s = items(arg, 3..=3, place, name, "[ip block, count, cidr bits]")?;
            Intrinsic::Cidr {
                ip_block: v(&s[0], 0)?,
                count: v(&s[1], 1)?,
                cidr_bits: v(&s[2], 2)?,
            }
        }
        _ => Intrinsic::Other {
            name: name.to_string(),
            argument: convert(arg, &at, Context::Value)?,
        },
    };
    Ok(Value::func(f))
}
