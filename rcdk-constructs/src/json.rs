//! Free-form JSON values that the constructs write inside `Json` properties (policy documents,
//! redrive policies, log configurations): keys there belong to the document's own format, not
//! to CloudFormation properties, which are always set through the typed setters.

use indexmap::IndexMap;
use rcdk_core::Value;

/// An object from `(key, value)` pairs, in order.
pub(crate) fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<IndexMap<_, _>>(),
    )
}

/// A number.
pub(crate) fn number(n: impl Into<i64>) -> Value {
    Value::Number(n.into().into())
}
