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

/// Implements `Construct` for a construct whose children are some of its fields (each field a
/// construct, `Option`, `Vec` or map of them), like `#[derive(Construct)]`, with optional
/// `annotations` and `costs` methods of the type.
macro_rules! construct_children {
    ($ty:ty, $name:literal, [$($id:literal => $field:ident),* $(,)?] $(, annotations = $ann:ident)? $(, costs = $costs:ident)?) => {
        impl cdk_core::Construct for $ty {
            fn construct_type(&self) -> &str {
                $name
            }
            fn children(&self) -> Vec<cdk_core::Child<'_>> {
                let mut out = Vec::new();
                $(cdk_core::ConstructField::push_children(&self.$field, $id, &mut out);)*
                out
            }
            fn children_mut(&mut self) -> Vec<cdk_core::ChildMut<'_>> {
                let mut out = Vec::new();
                $(cdk_core::ConstructField::push_children_mut(&mut self.$field, $id, &mut out);)*
                out
            }
            $(fn annotations(&self) -> Vec<cdk_core::Annotation> {
                self.$ann()
            })?
            $(fn costs(&self) -> Vec<cdk_core::CostItem> {
                self.$costs()
            })?
        }
    };
}
pub(crate) use construct_children;
