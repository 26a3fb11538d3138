//! Rewriting the targets of a value's references: an included template's names become the
//! nodes of the elements made for them.

use crate::value::{Intrinsic, Target, Value};

/// What a target is the target of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// `Ref` (a parameter or resource).
    Ref,
    /// `Fn::GetAtt` (a resource).
    GetAtt,
    /// `Fn::If` or `Condition` (a condition).
    Condition,
    /// `Fn::FindInMap` (a mapping).
    Mapping,
}

/// `v` with every reference's target replaced by `f(use, target)`.
pub fn map_targets(v: &Value, f: &mut dyn FnMut(Use, &Target) -> Target) -> Value {
    match v {
        Value::List(items) => Value::List(items.iter().map(|x| map_targets(x, f)).collect()),
        Value::Map(m) => Value::Map(
            m.iter()
                .map(|(k, x)| (k.clone(), map_targets(x, f)))
                .collect(),
        ),
        Value::Fn(i) => Value::func(function(i, f)),
        other => other.clone(),
    }
}

fn function(i: &Intrinsic, f: &mut dyn FnMut(Use, &Target) -> Target) -> Intrinsic {
    let m = |v: &Value, f: &mut dyn FnMut(Use, &Target) -> Target| map_targets(v, f);
    match i {
        Intrinsic::Ref { target, list } => Intrinsic::Ref {
            target: f(Use::Ref, target),
            list: *list,
        },
        Intrinsic::GetAtt {
            target,
            attribute,
            list,
        } => Intrinsic::GetAtt {
            target: f(Use::GetAtt, target),
            attribute: attribute.clone(),
            list: *list,
        },
        Intrinsic::Sub {
            template,
            variables,
        } => Intrinsic::Sub {
            template: template.clone(),
            variables: variables
                .iter()
                .map(|(k, v)| (k.clone(), m(v, f)))
                .collect(),
        },
        Intrinsic::Join { delimiter, values } => Intrinsic::Join {
            delimiter: delimiter.clone(),
            values: m(values, f),
        },
        Intrinsic::Select { index, list } => Intrinsic::Select {
            index: m(index, f),
            list: m(list, f),
        },
        Intrinsic::Split { delimiter, source } => Intrinsic::Split {
            delimiter: delimiter.clone(),
            source: m(source, f),
        },
        Intrinsic::GetAzs { region } => Intrinsic::GetAzs {
            region: m(region, f),
        },
        Intrinsic::ImportValue { name } => Intrinsic::ImportValue { name: m(name, f) },
        Intrinsic::If {
            condition,
            then,
            otherwise,
        } => Intrinsic::If {
            condition: f(Use::Condition, condition),
            then: m(then, f),
            otherwise: m(otherwise, f),
        },
        Intrinsic::Equals(a, b) => Intrinsic::Equals(m(a, f), m(b, f)),
        Intrinsic::And(v) => Intrinsic::And(v.iter().map(|x| m(x, f)).collect()),
        Intrinsic::Or(v) => Intrinsic::Or(v.iter().map(|x| m(x, f)).collect()),
        Intrinsic::Not(v) => Intrinsic::Not(m(v, f)),
        Intrinsic::Condition(t) => Intrinsic::Condition(f(Use::Condition, t)),
        Intrinsic::FindInMap {
            mapping,
            top_key,
            second_key,
        } => Intrinsic::FindInMap {
            mapping: f(Use::Mapping, mapping),
            top_key: m(top_key, f),
            second_key: m(second_key, f),
        },
        Intrinsic::Base64(v) => Intrinsic::Base64(m(v, f)),
        Intrinsic::Cidr {
            ip_block,
            count,
            cidr_bits,
        } => Intrinsic::Cidr {
            ip_block: m(ip_block, f),
            count: m(count, f),
            cidr_bits: m(cidr_bits, f),
        },
        Intrinsic::Other { name, argument } => Intrinsic::Other {
            name: name.clone(),
            argument: m(argument, f),
        },
        Intrinsic::CrossStack { value, strategy } => Intrinsic::CrossStack {
            value: m(value, f),
            strategy: *strategy,
        },
        Intrinsic::InvalidLiteral { .. } => i.clone(),
    }
}
