//! The IAM action list behind `action!`: every `service:Action` of the pinned cfn-lint's
//! `AdditionalSpecs/Policies.json`, written as a compact data file that rcdk-macros
//! `include_str!`s (a data file rather than a Rust table keeps the proc-macro crate fast to
//! compile).
//!
//! Policies.json lists actions in lower case only. For error messages that suggest a
//! canonical-looking spelling, each action gets the casing that the resource schemas' handler
//! permissions use for it (`sqs:ReceiveMessage`) when they name it, else a spelling pieced
//! together from the words of those names (`listqueuetags` -> `ListQueueTags`), else the listed
//! lower-case text. Matching is case-insensitive, so the casing never decides what compiles.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::{read_json, CodegenError, CFN_LINT_VERSION};

/// Where the data file lives, relative to the workspace root.
pub const PATH: &str = "rcdk-macros/src/generated/iam_actions.txt";

/// Service prefix -> its actions, sorted by lower-case name, each in display casing.
pub type ActionList = BTreeMap<String, Vec<String>>;

/// `Policies.json` next to the schema directory (`.../cfnlint/data/schemas`) that
/// [`find_schemas`](crate::find_schemas) found and version-checked.
pub fn policies_path(schemas: &Path) -> PathBuf {
    schemas
        .parent()
        .unwrap_or(Path::new("."))
        .join("AdditionalSpecs/Policies.json")
}

/// Loads the action list of `Policies.json` and the casing found in the resource schemas'
/// handler permissions (`schemas/resources/*.json`).
pub fn load(schemas: &Path) -> Result<ActionList, CodegenError> {
    let policies = read_json(&policies_path(schemas))?;
    let mut schema_files = Vec::new();
    let dir = schemas.join("resources");
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json") {
                schema_files.push(read_json(&path)?);
            }
        }
    }
    Ok(build(&policies, &schema_files))
}

/// The action list from `Policies.json` content and resource schemas (the casing source).
pub fn build(policies: &Json, schemas: &[Json]) -> ActionList {
    let mut listed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(services) = policies.as_object() {
        for (prefix, service) in services {
            let mut names: Vec<String> = service
                .get("Actions")
                .and_then(Json::as_object)
                .map(|a| a.keys().map(|k| k.to_ascii_lowercase()).collect())
                .unwrap_or_default();
            names.sort();
            names.dedup();
            listed.insert(prefix.to_ascii_lowercase(), names);
        }
    }
    let cased = handler_casing(&listed, schemas);
    let mut vocabulary: Vec<&str> = cased.values().map(String::as_str).collect();
    for schema in schemas {
        property_names(schema, &mut vocabulary);
    }
    let words = word_casing(vocabulary.into_iter());
    listed
        .into_iter()
        .map(|(prefix, names)| {
            let shown = names
                .into_iter()
                .map(|n| {
                    cased
                        .get(&(prefix.clone(), n.clone()))
                        .cloned()
                        .or_else(|| segment(&n, &words))
                        .unwrap_or(n)
                })
                .collect();
            (prefix, shown)
        })
        .collect()
}

/// (prefix, lower-case action) -> the spelling handler permissions use most often; only
/// spellings that start with a capital, as canonical names do (some schemas write `describeX`).
fn handler_casing(
    listed: &BTreeMap<String, Vec<String>>,
    schemas: &[Json],
) -> BTreeMap<(String, String), String> {
    let mut counts: BTreeMap<(String, String), BTreeMap<String, usize>> = BTreeMap::new();
    for schema in schemas {
        let Some(handlers) = schema.get("handlers").and_then(Json::as_object) else {
            continue;
        };
        for handler in handlers.values() {
            let perms = handler.get("permissions").and_then(Json::as_array);
            for perm in perms.into_iter().flatten().filter_map(Json::as_str) {
                let Some((prefix, name)) = perm.split_once(':') else {
                    continue;
                };
                let key = (prefix.to_ascii_lowercase(), name.to_ascii_lowercase());
                let known = listed
                    .get(&key.0)
                    .is_some_and(|names| names.binary_search(&key.1).is_ok());
                if known && name.starts_with(|c: char| c.is_ascii_uppercase()) {
                    *counts
                        .entry(key)
                        .or_default()
                        .entry(name.to_string())
                        .or_default() += 1;
                }
            }
        }
    }
    counts
        .into_iter()
        .filter_map(|(key, spellings)| Some((key, most_frequent(spellings)?)))
        .collect()
}

/// Names of properties and definitions (`DBClusterIdentifier`, `AddressBook`), anywhere in a
/// schema: the vocabulary that action names are built from, in PascalCase.
fn property_names<'a>(schema: &'a Json, out: &mut Vec<&'a str>) {
    match schema {
        Json::Object(map) => {
            for (key, value) in map {
                if key == "properties" || key == "definitions" {
                    if let Some(props) = value.as_object() {
                        out.extend(props.keys().map(String::as_str));
                    }
                }
                property_names(value, out);
            }
        }
        Json::Array(items) => items.iter().for_each(|v| property_names(v, out)),
        _ => {}
    }
}

/// The most frequent key; ties go to the first in order, for a deterministic result.
fn most_frequent(counts: BTreeMap<String, usize>) -> Option<String> {
    let mut best: Option<(String, usize)> = None;
    for (k, n) in counts {
        if best.as_ref().is_none_or(|(_, m)| n > *m) {
            best = Some((k, n));
        }
    }
    best.map(|(k, _)| k)
}

/// Lower-case word -> its most frequent spelling in the given names (`Get`, `DB`, `Acl`).
fn word_casing<'a>(names: impl Iterator<Item = &'a str>) -> BTreeMap<String, String> {
    let mut counts: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for name in names {
        for word in camel_words(name) {
            // One-letter words would let any text be "segmented" into nonsense.
            if word.len() >= 2 {
                *counts
                    .entry(word.to_ascii_lowercase())
                    .or_default()
                    .entry(word.to_string())
                    .or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .filter_map(|(k, v)| Some((k, most_frequent(v)?)))
        .collect()
}

/// `DescribeDBClusters` -> `Describe`, `DB`, `Clusters`: a new word at a capital after a
/// lower-case letter or digit, and at the last capital of a run followed by a lower-case letter.
fn camel_words(name: &str) -> Vec<&str> {
    let b = name.as_bytes();
    let mut words = Vec::new();
    let mut start = 0;
    for i in 1..b.len() {
        let boundary = b[i].is_ascii_uppercase()
            && (!b[i - 1].is_ascii_uppercase()
                || b.get(i + 1).is_some_and(|c| c.is_ascii_lowercase()));
        if boundary || b[i] == b'-' || b[i - 1] == b'-' {
            if b[start] != b'-' {
                words.push(&name[start..i]);
            }
            start = i;
        }
    }
    if start < b.len() && b[start] != b'-' {
        words.push(&name[start..]);
    }
    words
}

/// Splits a lower-case action name into the fewest known words and joins their spellings;
/// `None` when some part is no known word.
fn segment(name: &str, words: &BTreeMap<String, String>) -> Option<String> {
    // best[i]: the fewest words covering name[..i], and where the last one starts.
    let n = name.len();
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in 1..=n {
        for start in end.saturating_sub(40)..end {
            let Some((count, _)) = best[start] else {
                continue;
            };
            let piece = &name[start..end];
            let known = words.contains_key(piece) || piece == "-";
            if known && best[end].is_none_or(|(c, _)| count + 1 < c) {
                best[end] = Some((count + 1, start));
            }
        }
    }
    best[n]?;
    let mut pieces = Vec::new();
    let mut end = n;
    while end > 0 {
        let (_, start) = best[end]?;
        let piece = &name[start..end];
        pieces.push(words.get(piece).map_or(piece, String::as_str));
        end = start;
    }
    pieces.reverse();
    Some(pieces.concat())
}

/// The data file: a header of `//` lines, then one line per service prefix, sorted:
/// `prefix Action1 Action2 ...`, actions sorted by lower-case name.
pub fn render(actions: &ActionList) -> String {
    let total: usize = actions.values().map(Vec::len).sum();
    let mut out = format!(
        "// @generated by rcdk-codegen from cfn-lint {CFN_LINT_VERSION} AdditionalSpecs/Policies.json; do not edit\n\
         // {} IAM service prefixes, {total} actions: one line per prefix, `prefix Action1 Action2 ...`.\n\
         // Matching is case-insensitive; the casing only makes suggestions read like the IAM docs.\n",
        actions.len()
    );
    for (prefix, names) in actions {
        out.push_str(prefix);
        for name in names {
            let _ = write!(out, " {name}");
        }
        out.push('\n');
    }
    out
}
