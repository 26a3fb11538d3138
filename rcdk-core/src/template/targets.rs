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
    map_parts(i, f, &mut |f, v| map_targets(v, f), &mut |f, u, t| f(u, t))
}

/// `i` with each value inside it replaced by `value(cx, v)` and each target by
/// `target(cx, use, t)`, everything else kept: the one walk over the functions' shapes that
/// renaming targets and rendering a template share. `cx` is what both callbacks change.
pub(crate) fn map_parts<C: ?Sized>(
    i: &Intrinsic,
    cx: &mut C,
    value: &mut dyn FnMut(&mut C, &Value) -> Value,
    target: &mut dyn FnMut(&mut C, Use, &Target) -> Target,
) -> Intrinsic {
    let mut m = |v: &Value, cx: &mut C| value(cx, v);
    match i {
        Intrinsic::Ref { target: t, list } => Intrinsic::Ref {
            target: target(cx, Use::Ref, t),
            list: *list,
        },
        Intrinsic::GetAtt {
            target: t,
            attribute,
            list,
        } => Intrinsic::GetAtt {
            target: target(cx, Use::GetAtt, t),
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
                .map(|(k, v)| (k.clone(), m(v, cx)))
                .collect(),
        },
        Intrinsic::Join { delimiter, values } => Intrinsic::Join {
            delimiter: delimiter.clone(),
            values: m(values, cx),
        },
        Intrinsic::Select { index, list } => Intrinsic::Select {
            index: m(index, cx),
            list: m(list, cx),
        },
        Intrinsic::Split { delimiter, source } => Intrinsic::Split {
            delimiter: delimiter.clone(),
            source: m(source, cx),
        },
        Intrinsic::GetAzs { region } => Intrinsic::GetAzs {
            region: m(region, cx),
        },
        Intrinsic::ImportValue { name } => Intrinsic::ImportValue { name: m(name, cx) },
        Intrinsic::If {
            condition,
            then,
            otherwise,
        } => Intrinsic::If {
            condition: target(cx, Use::Condition, condition),
            then: m(then, cx),
            otherwise: m(otherwise, cx),
        },
        Intrinsic::Equals(a, b) => Intrinsic::Equals(m(a, cx), m(b, cx)),
        Intrinsic::And(v) => Intrinsic::And(v.iter().map(|x| m(x, cx)).collect()),
        Intrinsic::Or(v) => Intrinsic::Or(v.iter().map(|x| m(x, cx)).collect()),
        Intrinsic::Not(v) => Intrinsic::Not(m(v, cx)),
        Intrinsic::Condition(t) => Intrinsic::Condition(target(cx, Use::Condition, t)),
        Intrinsic::FindInMap {
            mapping,
            top_key,
            second_key,
        } => Intrinsic::FindInMap {
            mapping: target(cx, Use::Mapping, mapping),
            top_key: m(top_key, cx),
            second_key: m(second_key, cx),
        },
        Intrinsic::Base64(v) => Intrinsic::Base64(m(v, cx)),
        Intrinsic::Cidr {
            ip_block,
            count,
            cidr_bits,
        } => Intrinsic::Cidr {
            ip_block: m(ip_block, cx),
            count: m(count, cx),
            cidr_bits: m(cidr_bits, cx),
        },
        Intrinsic::Other { name, argument } => Intrinsic::Other {
            name: name.clone(),
            argument: m(argument, cx),
        },
        Intrinsic::CrossStack { value: v, strategy } => Intrinsic::CrossStack {
            value: m(v, cx),
            strategy: *strategy,
        },
        Intrinsic::InvalidLiteral { .. } => i.clone(),
    }
}
