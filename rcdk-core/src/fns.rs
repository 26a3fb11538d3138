//! Typed constructors for CloudFormation's intrinsic functions and pseudo parameters.
//!
//! ```
//! use rcdk_core::{fns, Val};
//! let arn: Val<String> = fns::sub(
//!     "arn:${AWS::Partition}:s3:::${Bucket}/*",
//!     [("Bucket", Val::<String>::from("photos"))],
//! );
//! # let _ = arn;
//! ```

use indexmap::IndexMap;

use crate::kind::{AvailabilityZone, Cond, List};
use crate::value::{Intrinsic, Pseudo, Target, Val, Value};

fn func<K: ?Sized>(intrinsic: Intrinsic) -> Val<K> {
    Val::from_value_unchecked(Value::func(intrinsic))
}

/// `Fn::Sub` with variables (`${Name}` in the template; `${AWS::Region}` and the like need none).
pub fn sub<S: Into<String>, V: Into<Val<String>>>(
    template: impl Into<String>,
    variables: impl IntoIterator<Item = (S, V)>,
) -> Val<String> {
    let variables: IndexMap<String, Value> = variables
        .into_iter()
        .map(|(k, v)| (k.into(), v.into().into_value()))
        .collect();
    func(Intrinsic::Sub {
        template: template.into(),
        variables,
    })
}

/// `Fn::Sub` without variables.
pub fn sub_plain(template: impl Into<String>) -> Val<String> {
    func(Intrinsic::Sub {
        template: template.into(),
        variables: IndexMap::new(),
    })
}

/// `Fn::Join` of strings.
pub fn join(delimiter: impl Into<String>, values: impl Into<Val<List<String>>>) -> Val<String> {
    func(Intrinsic::Join {
        delimiter: delimiter.into(),
        values: values.into().into_value(),
    })
}

/// `Fn::Select`: item `index` of `list`.
pub fn select<K: ?Sized>(index: impl Into<Val<i64>>, list: impl Into<Val<List<K>>>) -> Val<K> {
    func(Intrinsic::Select {
        index: index.into().into_value(),
        list: list.into().into_value(),
    })
}

/// `Fn::Split`.
pub fn split(delimiter: impl Into<String>, source: impl Into<Val<String>>) -> Val<List<String>> {
    func(Intrinsic::Split {
        delimiter: delimiter.into(),
        source: source.into().into_value(),
    })
}

/// `Fn::GetAZs` for the stack's region.
pub fn get_azs() -> Val<List<AvailabilityZone>> {
    func(Intrinsic::GetAzs {
        region: Value::str(""),
    })
}

/// `Fn::GetAZs` for a named region.
pub fn get_azs_in(region: impl Into<Val<String>>) -> Val<List<AvailabilityZone>> {
    func(Intrinsic::GetAzs {
        region: region.into().into_value(),
    })
}

/// `Fn::ImportValue` of a string export (see [`Val::import`] for other kinds).
pub fn import_value(export_name: impl Into<Val<String>>) -> Val<String> {
    Val::import(export_name)
}

/// `Fn::Equals`.
pub fn equals<K: ?Sized>(a: impl Into<Val<K>>, b: impl Into<Val<K>>) -> Val<Cond> {
    func(Intrinsic::Equals(
        a.into().into_value(),
        b.into().into_value(),
    ))
}

/// `Fn::And` (2 to 10 conditions).
pub fn and(conditions: impl IntoIterator<Item = Val<Cond>>) -> Val<Cond> {
    func(Intrinsic::And(
        conditions.into_iter().map(Val::into_value).collect(),
    ))
}

/// `Fn::Or` (2 to 10 conditions).
pub fn or(conditions: impl IntoIterator<Item = Val<Cond>>) -> Val<Cond> {
    func(Intrinsic::Or(
        conditions.into_iter().map(Val::into_value).collect(),
    ))
}

/// `Fn::Not`.
pub fn not(condition: Val<Cond>) -> Val<Cond> {
    func(Intrinsic::Not(condition.into_value()))
}

/// `Fn::Base64`.
pub fn base64(value: impl Into<Val<String>>) -> Val<String> {
    func(Intrinsic::Base64(value.into().into_value()))
}

/// `Fn::Cidr`: `count` CIDR blocks of `cidr_bits` host bits carved from `ip_block`.
pub fn cidr(
    ip_block: impl Into<Val<String>>,
    count: impl Into<Val<i64>>,
    cidr_bits: impl Into<Val<i64>>,
) -> Val<List<String>> {
    func(Intrinsic::Cidr {
        ip_block: ip_block.into().into_value(),
        count: count.into().into_value(),
        cidr_bits: cidr_bits.into().into_value(),
    })
}

/// `Ref` to a logical id written by hand (escape hatch; prefer the typed `ref_()` of a resource).
pub fn ref_logical_id<K: ?Sized>(logical_id: impl Into<String>) -> Val<K> {
    func(Intrinsic::Ref {
        target: Target::Name(logical_id.into()),
        list: false,
    })
}

/// `Fn::GetAtt` of a logical id written by hand (escape hatch; prefer the typed attributes of a
/// resource). For resources that no construct holds a handle to, such as a [stack
/// singleton](crate::StackSingleton) with a fixed logical id.
pub fn get_att_logical_id<K: ?Sized>(
    logical_id: impl Into<String>,
    attribute: impl Into<String>,
) -> Val<K> {
    func(Intrinsic::GetAtt {
        target: Target::Name(logical_id.into()),
        attribute: attribute.into(),
        list: false,
    })
}

fn pseudo<K: ?Sized>(p: Pseudo) -> Val<K> {
    func(Intrinsic::Ref {
        target: Target::Pseudo(p),
        list: p == Pseudo::NotificationArns,
    })
}

/// `AWS::AccountId`.
pub fn account_id() -> Val<String> {
    pseudo(Pseudo::AccountId)
}
/// `AWS::NotificationARNs`.
pub fn notification_arns() -> Val<List<String>> {
    pseudo(Pseudo::NotificationArns)
}
/// `AWS::Partition`.
pub fn partition() -> Val<String> {
    pseudo(Pseudo::Partition)
}
/// `AWS::Region`.
pub fn region() -> Val<String> {
    pseudo(Pseudo::Region)
}
/// `AWS::StackId`.
pub fn stack_id() -> Val<String> {
    pseudo(Pseudo::StackId)
}
/// `AWS::StackName`.
pub fn stack_name() -> Val<String> {
    pseudo(Pseudo::StackName)
}
/// `AWS::URLSuffix`.
pub fn url_suffix() -> Val<String> {
    pseudo(Pseudo::UrlSuffix)
}
/// `AWS::NoValue` of any kind (removes the property where it is used).
pub fn no_value<K: ?Sized>() -> Val<K> {
    Val::no_value()
}
