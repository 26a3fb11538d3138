//! Patterns for [`Template`](super::Template) queries: plain JSON matches as a subset (objects
//! may have more keys, arrays match element by element), and [`Match`] values placed anywhere
//! inside the JSON change how that spot is matched.

use serde::{Serialize, Serializer};
use serde_json::{json, Value};

/// Key that marks a matcher inside JSON, so that `json!({"VpcId": Match::any_value()})` works.
const MARKER: &str = "$cdk.match";

/// A pattern for part of a template. Build one from JSON (`json!({...}).into()`) or with the
/// constructors below, and nest constructors inside `json!`:
///
/// ```
/// use rcdk_core::assertions::Match;
/// use serde_json::json;
/// let pattern = json!({
///     "VpcId": Match::any_value(),
///     "Tags": Match::array_with(json!([{"Key": "team"}])),
///     "Description": Match::absent(),
/// });
/// # let _ = Match::from(pattern);
/// ```
#[derive(Debug, Clone)]
pub struct Match(Repr);

#[derive(Debug, Clone)]
enum Repr {
    /// A string, number, bool or null: equal (numbers by value).
    Literal(Value),
    /// Every key of the pattern is present in the object and matches (other keys are allowed).
    Object(Vec<(String, Match)>),
    /// Same length, element by element.
    Array(Vec<Match>),
    /// The pattern's elements are found in the array, in this order, others may sit between.
    ArrayWith(Vec<Match>),
    /// Deep equality, no subset matching.
    Exact(Value),
    /// Present and not null.
    Any,
    /// The key is missing.
    Absent,
    /// A string matching a regular expression (the error if the expression is invalid).
    Regex(String, Result<regex_lite::Regex, String>),
    /// Anything the inner pattern does not match.
    Not(Box<Match>),
}

impl Match {
    /// Any value that is present and not null.
    pub fn any_value() -> Match {
        Match(Repr::Any)
    }

    /// The key must be missing (inside an object pattern).
    pub fn absent() -> Match {
        Match(Repr::Absent)
    }

    /// An array containing elements matching `items` (a JSON array of patterns), in that order,
    /// with any other elements around them.
    pub fn array_with(items: impl Into<Value>) -> Match {
        let items = match items.into() {
            Value::Array(a) => a,
            other => vec![other],
        };
        Match(Repr::ArrayWith(
            items.into_iter().map(Match::from).collect(),
        ))
    }

    /// An object that has at least the keys of `pattern` (the default for JSON objects; here
    /// for readability).
    pub fn object_like(pattern: impl Into<Value>) -> Match {
        Match::from(pattern.into())
    }

    /// Exactly `value`: objects with no extra keys, arrays of the same length, recursively.
    pub fn exact(value: impl Into<Value>) -> Match {
        Match(Repr::Exact(value.into()))
    }

    /// A string matching the regular expression `pattern` (syntax of the `regex-lite` crate). An
    /// invalid expression never matches and the failure message says why.
    pub fn string_like_regexp(pattern: &str) -> Match {
        let re = regex_lite::Regex::new(pattern).map_err(|e| e.to_string());
        Match(Repr::Regex(pattern.to_string(), re))
    }

    /// Anything `pattern` does not match.
    pub fn not(pattern: impl Into<Match>) -> Match {
        Match(Repr::Not(Box::new(pattern.into())))
    }

    /// This matcher as JSON with markers (what `json!` embeds).
    fn to_json(&self) -> Value {
        match &self.0 {
            Repr::Literal(v) => v.clone(),
            Repr::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, m)| (k.clone(), m.to_json()))
                    .collect(),
            ),
            Repr::Array(items) => Value::Array(items.iter().map(Match::to_json).collect()),
            Repr::ArrayWith(items) => json!({
                MARKER: "arrayWith",
                "pattern": items.iter().map(Match::to_json).collect::<Vec<_>>(),
            }),
            Repr::Exact(v) => json!({ MARKER: "exact", "pattern": v }),
            Repr::Any => json!({ MARKER: "anyValue" }),
            Repr::Absent => json!({ MARKER: "absent" }),
            Repr::Regex(p, _) => json!({ MARKER: "stringLikeRegexp", "pattern": p }),
            Repr::Not(m) => json!({ MARKER: "not", "pattern": m.to_json() }),
        }
    }

    /// A readable form for messages.
    pub fn describe(&self) -> String {
        match &self.0 {
            Repr::Literal(v) => v.to_string(),
            Repr::Object(entries) => {
                let inner: Vec<String> = entries
                    .iter()
                    .map(|(k, m)| format!("{}: {}", Value::String(k.clone()), m.describe()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
            Repr::Array(items) => {
                let inner: Vec<String> = items.iter().map(Match::describe).collect();
                format!("[{}]", inner.join(", "))
            }
            Repr::ArrayWith(items) => {
                let inner: Vec<String> = items.iter().map(Match::describe).collect();
                format!("array with [{}]", inner.join(", "))
            }
            Repr::Exact(v) => format!("exactly {v}"),
            Repr::Any => "any value".into(),
            Repr::Absent => "absent".into(),
            Repr::Regex(p, _) => format!("string like /{p}/"),
            Repr::Not(m) => format!("not {}", m.describe()),
        }
    }

    /// Every place where `actual` (`None`: missing) differs from this pattern, in pattern order.
    pub(crate) fn mismatches(&self, actual: Option<&Value>) -> Vec<Mismatch> {
        let mut out = Vec::new();
        self.collect(actual, &mut String::new(), &mut out);
        out
    }

    /// Whether `actual` matches.
    pub fn matches(&self, actual: &Value) -> bool {
        self.mismatches(Some(actual)).is_empty()
    }

    fn collect(&self, actual: Option<&Value>, path: &mut String, out: &mut Vec<Mismatch>) {
        let mut fail = |expected: String, found: String| {
            out.push(Mismatch {
                path: if path.is_empty() {
                    "(top level)".into()
                } else {
                    path.clone()
                },
                expected,
                actual: found,
            })
        };
        let Some(value) = actual else {
            if !matches!(self.0, Repr::Absent | Repr::Not(_)) {
                fail(self.describe(), "absent".into());
                return;
            }
            if let Repr::Not(inner) = &self.0 {
                if inner.mismatches(None).is_empty() {
                    fail(self.describe(), "absent".into());
                }
            }
            return;
        };
        match &self.0 {
            Repr::Literal(expected) => {
                if !json_eq(expected, value) {
                    fail(expected.to_string(), show(value));
                }
            }
            Repr::Object(entries) => {
                let Value::Object(map) = value else {
                    fail("an object".into(), show(value));
                    return;
                };
                for (key, pattern) in entries {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    pattern.collect(map.get(key), path, out);
                    path.truncate(len);
                }
            }
            Repr::Array(items) => {
                let Value::Array(values) = value else {
                    fail("an array".into(), show(value));
                    return;
                };
                if values.len() != items.len() {
                    fail(
                        format!(
                            "an array of {} item(s) (Match::array_with matches a subset)",
                            items.len()
                        ),
                        format!("{} item(s): {}", values.len(), show(value)),
                    );
                    return;
                }
                for (i, (pattern, v)) in items.iter().zip(values).enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    pattern.collect(Some(v), path, out);
                    path.truncate(len);
                }
            }
            Repr::ArrayWith(items) => {
                let Value::Array(values) = value else {
                    fail("an array".into(), show(value));
                    return;
                };
                let mut next = 0;
                for pattern in items {
                    match values[next..].iter().position(|v| pattern.matches(v)) {
                        Some(i) => next += i + 1,
                        None => {
                            fail(
                                format!("an array with {} (in order)", pattern.describe()),
                                show(value),
                            );
                            return;
                        }
                    }
                }
            }
            Repr::Exact(expected) => {
                if !json_eq(expected, value) {
                    fail(format!("exactly {expected}"), show(value));
                }
            }
            Repr::Any => {
                if value.is_null() {
                    fail("any value".into(), "null".into());
                }
            }
            Repr::Absent => fail("absent".into(), show(value)),
            Repr::Regex(p, re) => match (re, value.as_str()) {
                (Err(e), _) => fail(
                    format!("string like /{p}/ (invalid expression: {e})"),
                    show(value),
                ),
                (Ok(re), Some(s)) if re.is_match(s) => {}
                (Ok(_), _) => fail(format!("string like /{p}/"), show(value)),
            },
            Repr::Not(inner) => {
                if inner.matches(value) {
                    fail(self.describe(), show(value));
                }
            }
        }
    }
}

/// One difference between a pattern and a value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mismatch {
    /// Where, as `Key.Sub[0].Leaf`.
    pub path: String,
    /// What the pattern wanted.
    pub expected: String,
    /// What was there.
    pub actual: String,
}

/// Deep equality with numbers compared by value (`30` equals `30.0`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Compact JSON, shortened for messages.
pub(crate) fn show(value: &Value) -> String {
    const MAX: usize = 160;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        return text;
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut}...")
}

impl From<Value> for Match {
    fn from(value: Value) -> Match {
        match value {
            Value::Object(map) => {
                if let Some(kind) = map.get(MARKER).and_then(Value::as_str) {
                    let pattern = map.get("pattern").cloned().unwrap_or(Value::Null);
                    match kind {
                        "anyValue" => return Match::any_value(),
                        "absent" => return Match::absent(),
                        "arrayWith" => return Match::array_with(pattern),
                        "exact" => return Match::exact(pattern),
                        "stringLikeRegexp" => {
                            return Match::string_like_regexp(pattern.as_str().unwrap_or(""))
                        }
                        "not" => return Match::not(pattern),
                        _ => {}
                    }
                }
                Match(Repr::Object(
                    map.into_iter().map(|(k, v)| (k, Match::from(v))).collect(),
                ))
            }
            Value::Array(items) => Match(Repr::Array(items.into_iter().map(Match::from).collect())),
            scalar => Match(Repr::Literal(scalar)),
        }
    }
}

impl Serialize for Match {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers_survive_json_macro() {
        let m = Match::from(json!({
            "A": Match::any_value(),
            "B": Match::array_with(json!([1])),
            "C": Match::not(Match::string_like_regexp("^x")),
            "D": Match::absent(),
        }));
        assert!(m.matches(&json!({"A": 1, "B": [0, 1, 2], "C": "yx"})));
        let wrong = m.mismatches(Some(&json!({"A": null, "B": [2], "C": "xy", "D": 1})));
        let paths: Vec<&str> = wrong.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(paths, ["A", "B", "C", "D"]);
    }

    #[test]
    fn arrays_elementwise_and_numbers_by_value() {
        let m = Match::from(json!([{"Key": "a"}, 2.0]));
        assert!(m.matches(&json!([{"Key": "a", "Value": "b"}, 2])));
        let w = m.mismatches(Some(&json!([{"Key": "a"}])));
        assert_eq!(w[0].path, "(top level)");
        assert!(w[0].expected.contains("array_with"), "{}", w[0].expected);
        assert!(!Match::exact(json!({"a": 1})).matches(&json!({"a": 1, "b": 2})));
    }

    #[test]
    fn invalid_regex_is_reported_not_panicked() {
        let w = Match::string_like_regexp("(").mismatches(Some(&json!("(")));
        assert!(
            w[0].expected.contains("invalid expression"),
            "{}",
            w[0].expected
        );
    }
}
