//! Values written as in a template, for the places where a migrated program's value does not fit
//! the generated type (or is a function the typed API has no form for).

use super::intrinsics::{convert, Context};
use crate::kind::Cond;
use crate::value::{Val, Value};

fn read(json: serde_json::Value, ctx: Context) -> Value {
    match serde_norway::to_value(&json) {
        Ok(y) => convert(&y, "(value)", ctx).unwrap_or_else(|_| Value::from_json(json)),
        Err(_) => Value::from_json(json),
    }
}

/// `json` as a template would hold it: long-form functions (`{"Ref": "Photos"}`,
/// `{"Fn::Sub": "..."}`) are read as functions and their references kept by logical id, as a
/// value of kind `K` (the caller vouches for the kind). Migrated programs fall back to it where
/// a value does not fit its generated type: `raw::<i64>(json!("80"))`.
pub fn raw<K: ?Sized>(json: serde_json::Value) -> Val<K> {
    Val::from_value_unchecked(read(json, Context::Value))
}

/// A condition expression written as in a template's `Conditions` section, where
/// `{"Condition": "Name"}` refers to another condition.
pub fn raw_condition(json: serde_json::Value) -> Val<Cond> {
    Val::from_value_unchecked(read(json, Context::Condition))
}
