//! Template text to a YAML value: JSON with a duplicate-key check (JSON parsers keep the last of
//! two equal keys silently, and a second resource with one id would vanish), YAML with its
//! short-form tags kept as tagged values.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_norway::Value as Y;

use super::TemplateError;

/// Parses `text` as JSON when it starts with `{`, as YAML otherwise.
pub fn read(text: &str) -> Result<Y, TemplateError> {
    if text.trim_start().starts_with('{') {
        let mut de = serde_json::Deserializer::from_str(text);
        let value = Strict::deserialize(&mut de)
            .and_then(|v| de.end().map(|()| v))
            .map_err(|e| TemplateError::new("(text)", format!("not valid JSON: {e}")))?;
        Ok(value.0)
    } else {
        serde_norway::from_str::<Y>(text)
            .map_err(|e| TemplateError::new("(text)", format!("not valid YAML: {e}")))
    }
}

/// A JSON value read into a YAML value, refusing duplicate keys.
struct Strict(Y);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Y;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Y, E> {
        Ok(Y::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Y, E> {
        Ok(Y::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Y, E> {
        Ok(Y::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Y, E> {
        Ok(Y::Number(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Y, E> {
        Ok(Y::Number(n.into()))
    }
    fn visit_str<E>(self, s: &str) -> Result<Y, E> {
        Ok(Y::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Y, E> {
        Ok(Y::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Y, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Y::Sequence(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Y, A::Error> {
        let mut m = serde_norway::Mapping::new();
        while let Some(key) = map.next_key::<String>()? {
            let Strict(v) = map.next_value()?;
            if m.insert(Y::String(key.clone()), v).is_some() {
                return Err(serde::de::Error::custom(format!(
                    "duplicate key '{key}' in one object"
                )));
            }
        }
        Ok(Y::Mapping(m))
    }
}
