//! Assertions for users' tests, like the AWS CDK's `assertions` module: synthesize a stack in a
//! `#[test]` and ask what its template holds.
//!
//! ```
//! use rcdk_core::assertions::{Match, Template};
//! use rcdk_core::{App, RawResource, Stack};
//! use serde_json::json;
//!
//! let mut app = App::new();
//! app.add(Stack::new("Jobs").with(
//!     "Queue",
//!     RawResource::new("AWS::SQS::Queue").prop("VisibilityTimeout", 60),
//! ));
//! let template = Template::synth(&mut app, "Jobs").unwrap();
//! template.assert_resource_count_is("AWS::SQS::Queue", 1);
//! template.assert_has_resource_properties(
//!     "AWS::SQS::Queue",
//!     json!({"VisibilityTimeout": 60, "FifoQueue": Match::absent()}),
//! );
//! let err = template
//!     .has_resource_properties("AWS::SQS::Queue", json!({"VisibilityTimeout": 30}))
//!     .unwrap_err();
//! assert!(err.to_string().contains("VisibilityTimeout: expected 30, found 60"));
//! ```
//!
//! Every query returns `Result<(), AssertionError>`; the `assert_*` variants panic with the same
//! message. Failure messages list the closest candidates (the elements of the asked kind with
//! the fewest differences) and where each first differs.

mod matcher;

use std::fmt;

use indexmap::IndexMap;
use serde_json::Value;

pub use matcher::Match;
use matcher::Mismatch;

use crate::app::App;
use crate::synth::Assembly;

/// How many candidates a failure message lists.
const CANDIDATES: usize = 3;

/// Why an assertion failed (or why the template could not be had).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionError {
    message: String,
}

impl AssertionError {
    fn new(message: impl Into<String>) -> AssertionError {
        AssertionError {
            message: message.into(),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for AssertionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AssertionError {}

/// One synthesized template, queried by tests.
#[derive(Debug, Clone)]
pub struct Template {
    stack: String,
    json: Value,
    paths: IndexMap<String, String>,
}

/// Template sections that hold named elements.
#[derive(Debug, Clone, Copy)]
enum Section {
    Outputs,
    Parameters,
    Mappings,
    Conditions,
}

impl Section {
    fn key(self) -> &'static str {
        match self {
            Section::Outputs => "Outputs",
            Section::Parameters => "Parameters",
            Section::Mappings => "Mappings",
            Section::Conditions => "Conditions",
        }
    }
    fn singular(self) -> &'static str {
        match self {
            Section::Outputs => "output",
            Section::Parameters => "parameter",
            Section::Mappings => "mapping",
            Section::Conditions => "condition",
        }
    }
}

impl Template {
    /// The template of stack `stack` (construct id or stack name) of a synthesized assembly.
    pub fn from_stack(assembly: &Assembly, stack: &str) -> Result<Template, AssertionError> {
        let Some(artifact) = assembly.stack(stack) else {
            let known: Vec<&str> = assembly.stacks.iter().map(|s| s.id.as_str()).collect();
            return Err(AssertionError::new(format!(
                "the assembly has no stack '{stack}'; it has: {}",
                known.join(", ")
            )));
        };
        Ok(Template {
            stack: artifact.id.clone(),
            json: artifact.template_json(),
            paths: artifact.paths.clone(),
        })
    }

    /// Synthesizes `app` and takes the template of `stack`; synthesis errors become the error.
    pub fn synth(app: &mut App, stack: &str) -> Result<Template, AssertionError> {
        let assembly = app
            .synth()
            .map_err(|e| AssertionError::new(format!("synthesis failed:\n{e}")))?;
        Template::from_stack(&assembly, stack)
    }

    /// A template given as JSON (e.g. read from `cdk.out`); messages call it `name`.
    pub fn from_json(name: impl Into<String>, json: Value) -> Template {
        Template {
            stack: name.into(),
            json,
            paths: IndexMap::new(),
        }
    }

    /// The whole template.
    pub fn to_json(&self) -> &Value {
        &self.json
    }

    fn section(&self, key: &str) -> Vec<(&String, &Value)> {
        self.json
            .get(key)
            .and_then(Value::as_object)
            .map(|m| m.iter().collect())
            .unwrap_or_default()
    }

    fn resources_of(&self, type_name: &str) -> Vec<(&String, &Value)> {
        self.section("Resources")
            .into_iter()
            .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(type_name))
            .collect()
    }

    fn name(&self, logical_id: &str) -> String {
        match self.paths.get(logical_id) {
            Some(path) => format!("{logical_id} ({path})"),
            None => logical_id.to_string(),
        }
    }

    /// Logical ids and definitions of the resources of `type_name` that match `pattern`, which
    /// is matched against the whole resource (`{"Properties": {...}, "DependsOn": [...]}`).
    pub fn find_resources(
        &self,
        type_name: &str,
        pattern: impl Into<Match>,
    ) -> Vec<(String, Value)> {
        let pattern = pattern.into();
        self.resources_of(type_name)
            .into_iter()
            .filter(|(_, r)| pattern.matches(r))
            .map(|(id, r)| (id.clone(), r.clone()))
            .collect()
    }

    /// Some resource of `type_name` has properties matching `pattern`.
    pub fn has_resource_properties(
        &self,
        type_name: &str,
        pattern: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        self.has_resource_with(type_name, &pattern.into(), true)
    }

    /// Some resource of `type_name` matches `pattern` as a whole (properties, attributes).
    pub fn has_resource(
        &self,
        type_name: &str,
        pattern: impl Into<Match>,
    ) -> Result<(), AssertionError> {
        self.has_resource_with(type_name, &pattern.into(), false)
    }

    fn has_resource_with(
        &self,
        type_name: &str,
        pattern: &Match,
        properties: bool,
    ) -> Result<(), AssertionError> {
        let empty = Value::Object(Default::default());
        let candidates: Vec<(&String, &Value)> = self
            .resources_of(type_name)
            .into_iter()
            .map(|(id, r)| {
                let target = if properties {
                    r.get("Properties").unwrap_or(&empty)
                } else {
                    r
                };
                (id, target)
            })
            .collect();
        let what = if properties {
            "whose properties match"
        } else {
            "matching"
        };
        if candidates.is_empty() {
            return Err(AssertionError::new(format!(
                "stack '{}' has no resource of type {type_name} (looked for one {what} {})\n{}",
                self.stack,
                pattern.describe(),
                self.types_present()
            )));
        }
        self.best_match(
            &candidates,
            pattern,
            &format!("{type_name} {what}"),
            &format!("{} resource(s) of that type", candidates.len()),
        )
    }

    /// `Ok` if a candidate matches, else the message naming the closest ones.
    fn best_match(
        &self,
        candidates: &[(&String, &Value)],
        pattern: &Match,
        looked_for: &str,
        counted: &str,
    ) -> Result<(), AssertionError> {
        let mut scored: Vec<(usize, &String, Vec<Mismatch>)> = Vec::new();
        for (i, (id, value)) in candidates.iter().enumerate() {
            let mismatches = pattern.mismatches(Some(value));
            if mismatches.is_empty() {
                return Ok(());
            }
            scored.push((i, id, mismatches));
        }
        // Fewest differences first; template order among equals.
        scored.sort_by_key(|(i, _, m)| (m.len(), *i));
        let mut message = format!(
            "stack '{}' has no {looked_for}\n  pattern: {}\n{counted}; closest:",
            self.stack,
            pattern.describe()
        );
        for (_, id, mismatches) in scored.iter().take(CANDIDATES) {
            let first = &mismatches[0];
            message.push_str(&format!(
                "\n  {}: {}: expected {}, found {}",
                self.name(id),
                first.path,
                first.expected,
                first.actual
            ));
            if mismatches.len() > 1 {
                message.push_str(&format!(
                    " (and {} more difference(s))",
                    mismatches.len() - 1
                ));
            }
        }
        if scored.len() > CANDIDATES {
            message.push_str(&format!("\n  ... and {} more", scored.len() - CANDIDATES));
        }
        Err(AssertionError::new(message))
    }

    fn types_present(&self) -> String {
        let mut counts: IndexMap<&str, usize> = IndexMap::new();
        for (_, r) in self.section("Resources") {
            let t = r.get("Type").and_then(Value::as_str).unwrap_or("?");
            *counts.entry(t).or_default() += 1;
        }
        if counts.is_empty() {
            return "the template has no resources".into();
        }
        let list: Vec<String> = counts.iter().map(|(t, n)| format!("{t} ({n})")).collect();
        format!("types present: {}", list.join(", "))
    }

    /// The template has exactly `count` resources of `type_name`.
    pub fn resource_count_is(&self, type_name: &str, count: usize) -> Result<(), AssertionError> {
        let found = self.resources_of(type_name);
        if found.len() == count {
            return Ok(());
        }
        let ids: Vec<String> = found.iter().map(|(id, _)| self.name(id)).collect();
        let listed = if ids.is_empty() {
            self.types_present()
        } else {
            format!("found: {}", ids.join(", "))
        };
        Err(AssertionError::new(format!(
            "stack '{}' has {} resource(s) of type {type_name}, expected {count}\n  {listed}",
            self.stack,
            found.len()
        )))
    }

    /// Exactly `count` resources of `type_name` have properties matching `pattern`.
    pub fn resource_properties_count_is(
        &self,
        type_name: &str,
        pattern: impl Into<Match>,
        count: usize,
    ) -> Result<(), AssertionError> {
        let pattern = pattern.into();
        let empty = Value::Object(Default::default());
        let matching: Vec<String> = self
            .resources_of(type_name)
            .into_iter()
            .filter(|(_, r)| pattern.matches(r.get("Properties").unwrap_or(&empty)))
            .map(|(id, _)| self.name(id))
            .collect();
        if matching.len() == count {
            return Ok(());
        }
        Err(AssertionError::new(format!(
            "stack '{}' has {} {type_name} whose properties match {}, expected {count}\n  matching: {}",
            self.stack,
            matching.len(),
            pattern.describe(),
            if matching.is_empty() { "none".to_string() } else { matching.join(", ") }
        )))
    }

    fn find_in(&self, section: Section, id: &str, pattern: &Match) -> Vec<(String, Value)> {
        self.section(section.key())
            .into_iter()
            .filter(|(k, v)| (id == "*" || *k == id) && pattern.matches(v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn has_in(&self, section: Section, id: &str, pattern: &Match) -> Result<(), AssertionError> {
        let all = self.section(section.key());
        let candidates: Vec<(&String, &Value)> = all
            .iter()
            .filter(|(k, _)| id == "*" || *k == id)
            .copied()
            .collect();
        let kind = section.singular();
        if candidates.is_empty() && id == "*" {
            return Err(AssertionError::new(format!(
                "stack '{}' has no {} (looked for one matching {})",
                self.stack,
                section.key().to_lowercase(),
                pattern.describe()
            )));
        }
        if candidates.is_empty() {
            let names: Vec<&str> = all.iter().map(|(k, _)| k.as_str()).collect();
            let have = if names.is_empty() {
                format!("it has no {}", section.key().to_lowercase())
            } else {
                format!("it has: {}", names.join(", "))
            };
            return Err(AssertionError::new(format!(
                "stack '{}' has no {kind} '{id}'; {have}",
                self.stack
            )));
        }
        let looked_for = if id == "*" {
            format!("{kind} matching")
        } else {
            format!("{kind} '{id}' matching")
        };
        self.best_match(
            &candidates,
            pattern,
            &looked_for,
            &format!("{} {}(s) considered", candidates.len(), kind),
        )
    }

    /// An output with logical id `id` (`"*"`: any) matches `pattern` (matched against the
    /// output: `{"Value": ..., "Export": {"Name": ...}}`).
    pub fn has_output(&self, id: &str, pattern: impl Into<Match>) -> Result<(), AssertionError> {
        self.has_in(Section::Outputs, id, &pattern.into())
    }

    /// Outputs with logical id `id` (`"*"`: any) matching `pattern`.
    pub fn find_outputs(&self, id: &str, pattern: impl Into<Match>) -> Vec<(String, Value)> {
        self.find_in(Section::Outputs, id, &pattern.into())
    }

    /// A parameter `id` (`"*"`: any) matches `pattern` (`{"Type": ..., "Default": ...}`).
    pub fn has_parameter(&self, id: &str, pattern: impl Into<Match>) -> Result<(), AssertionError> {
        self.has_in(Section::Parameters, id, &pattern.into())
    }

    /// Parameters with logical id `id` (`"*"`: any) matching `pattern`.
    pub fn find_parameters(&self, id: &str, pattern: impl Into<Match>) -> Vec<(String, Value)> {
        self.find_in(Section::Parameters, id, &pattern.into())
    }

    /// A mapping `id` (`"*"`: any) matches `pattern`.
    pub fn has_mapping(&self, id: &str, pattern: impl Into<Match>) -> Result<(), AssertionError> {
        self.has_in(Section::Mappings, id, &pattern.into())
    }

    /// Mappings with logical id `id` (`"*"`: any) matching `pattern`.
    pub fn find_mappings(&self, id: &str, pattern: impl Into<Match>) -> Vec<(String, Value)> {
        self.find_in(Section::Mappings, id, &pattern.into())
    }

    /// A condition `id` (`"*"`: any) matches `pattern` (the condition expression).
    pub fn has_condition(&self, id: &str, pattern: impl Into<Match>) -> Result<(), AssertionError> {
        self.has_in(Section::Conditions, id, &pattern.into())
    }

    /// Conditions with logical id `id` (`"*"`: any) matching `pattern`.
    pub fn find_conditions(&self, id: &str, pattern: impl Into<Match>) -> Vec<(String, Value)> {
        self.find_in(Section::Conditions, id, &pattern.into())
    }

    /// Panics unless [`has_resource_properties`](Template::has_resource_properties) holds.
    #[track_caller]
    pub fn assert_has_resource_properties(&self, type_name: &str, pattern: impl Into<Match>) {
        ok_or_panic(self.has_resource_properties(type_name, pattern));
    }

    /// Panics unless [`has_resource`](Template::has_resource) holds.
    #[track_caller]
    pub fn assert_has_resource(&self, type_name: &str, pattern: impl Into<Match>) {
        ok_or_panic(self.has_resource(type_name, pattern));
    }

    /// Panics unless [`resource_count_is`](Template::resource_count_is) holds.
    #[track_caller]
    pub fn assert_resource_count_is(&self, type_name: &str, count: usize) {
        ok_or_panic(self.resource_count_is(type_name, count));
    }

    /// Panics unless [`resource_properties_count_is`](Template::resource_properties_count_is)
    /// holds.
    #[track_caller]
    pub fn assert_resource_properties_count_is(
        &self,
        type_name: &str,
        pattern: impl Into<Match>,
        count: usize,
    ) {
        ok_or_panic(self.resource_properties_count_is(type_name, pattern, count));
    }

    /// Panics unless [`has_output`](Template::has_output) holds.
    #[track_caller]
    pub fn assert_has_output(&self, id: &str, pattern: impl Into<Match>) {
        ok_or_panic(self.has_output(id, pattern));
    }

    /// Panics unless [`has_parameter`](Template::has_parameter) holds.
    #[track_caller]
    pub fn assert_has_parameter(&self, id: &str, pattern: impl Into<Match>) {
        ok_or_panic(self.has_parameter(id, pattern));
    }

    /// Panics unless [`has_mapping`](Template::has_mapping) holds.
    #[track_caller]
    pub fn assert_has_mapping(&self, id: &str, pattern: impl Into<Match>) {
        ok_or_panic(self.has_mapping(id, pattern));
    }

    /// Panics unless [`has_condition`](Template::has_condition) holds.
    #[track_caller]
    pub fn assert_has_condition(&self, id: &str, pattern: impl Into<Match>) {
        ok_or_panic(self.has_condition(id, pattern));
    }
}

#[track_caller]
fn ok_or_panic(result: Result<(), AssertionError>) {
    if let Err(e) = result {
        panic!("{e}");
    }
}
