//! Small helpers to write property values of the generated resources (shared by the service
//! constructs): the nested property structs are written as plain values so that the
//! constructs only rely on the resources' constructors, `Ref` and attributes.

use cdk_core::{Val, Value};
use indexmap::IndexMap;

/// An object from `(key, value)` pairs, in order.
pub(crate) fn obj<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<IndexMap<_, _>>(),
    )
}

/// A list.
pub(crate) fn list<T: Into<Value>>(items: impl IntoIterator<Item = T>) -> Value {
    Value::List(items.into_iter().map(Into::into).collect())
}

/// A value of the kind a generated constructor asks for.
pub(crate) fn raw<K: ?Sized>(value: impl Into<Value>) -> Val<K> {
    Val::from_value_unchecked(value.into())
}

/// A number.
pub(crate) fn num(n: impl Into<i64>) -> Value {
    Value::Number(n.into().into())
}

/// A string.
pub(crate) fn s(text: impl Into<String>) -> Value {
    Value::String(text.into())
}

/// Undoes `ResourceCore::skip_check(id, ...)`: for constructs that skip a checkov check by
/// default and meet it once the user opts in (a customer key, access logs). Drops the
/// `checkov` metadata entry when no skip is left.
pub(crate) fn unskip_check(core: &mut cdk_core::ResourceCore, id: &str) {
    let metadata = &mut core.attributes.metadata;
    let Some(Value::Map(checkov)) = metadata.get_mut("checkov") else {
        return;
    };
    if let Some(Value::List(skips)) = checkov.get_mut("skip") {
        skips.retain(|v| !matches!(v, Value::Map(m) if m.get("id") == Some(&s(id))));
        if skips.is_empty() {
            checkov.shift_remove("skip");
        }
    }
    if checkov.is_empty() {
        metadata.shift_remove("checkov");
    }
}
