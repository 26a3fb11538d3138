//! An existing CloudFormation template in a stack, as the AWS CDK's `CfnInclude`: every resource
//! of a known type becomes its generated typed resource ([`cfn`](crate::cfn)), reachable by its
//! logical id to read or change; parameters, mappings, conditions, outputs, resource attributes,
//! `Transform`, `Metadata`, `Description` and resources of unknown types (`Custom::*`, registry
//! types, types of disabled features) are kept as they are. Logical ids never change: a changed
//! id would replace the live resource.
//!
//! ```no_run
//! use rcdk_constructs::cfn;
//! use rcdk_constructs::include::CfnInclude;
//! use rcdk_core::{App, Stack};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut included = CfnInclude::from_file("legacy.yaml")?;
//! included
//!     .resource_mut::<cfn::s3::Bucket>("Photos")?
//!     .set_object_lock_enabled(true);
//! let photos_arn = included.resource::<cfn::s3::Bucket>("Photos")?.attr_arn();
//! let mut stack = included.into_stack(Stack::new("Legacy"));
//! stack.add(
//!     "PhotosArn",
//!     rcdk_core::Output::new(photos_arn).export("legacy-photos-arn"),
//! );
//! let assembly = App::new().with(stack).synth()?;
//! # let _ = assembly;
//! # Ok(())
//! # }
//! ```

mod resolve;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rcdk_core::template::{TemplateDoc, TemplateError};
use rcdk_core::{
    Child, ChildMut, Condition, Construct, ElementMut, Mapping, NodeId, Parameter, RawResource,
    ResourceCore, Stack, Val,
};

/// Why a template could not be included, or an included element not found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IncludeError {
    /// The file could not be read.
    #[error("cannot read template {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The text is not a valid template.
    #[error("{file}: {error}")]
    Template {
        /// The file, or `(text)`.
        file: String,
        /// Where and what.
        error: TemplateError,
    },
    /// No element of that section has that logical id.
    #[error("the included template has no {section} '{id}'{}", if .known.is_empty() { String::new() } else { format!(" (it has {})", .known.join(", ")) })]
    NotFound {
        /// `resource`, `parameter`, ...
        section: &'static str,
        /// The id asked for.
        id: String,
        /// The ids of that section.
        known: Vec<String>,
    },
    /// The resource has another type than the one asked for.
    #[error("resource '{id}' of the included template is a {found}, not the {expected} asked for")]
    WrongType {
        /// The logical id.
        id: String,
        /// The Rust type asked for.
        expected: &'static str,
        /// The CloudFormation type it has (or a note that it is kept untyped).
        found: String,
    },
}

/// One element of the included template, kept in the template's order.
struct Entry {
    id: String,
    section: Section,
    construct: Box<dyn Construct>,
}

impl Entry {
    /// Its construct id: the logical id for resources, the section and the logical id for the
    /// others (an output may have the name of a parameter; logical ids are forced anyway).
    fn child_id(&self) -> String {
        match self.section {
            Section::Resource => self.id.clone(),
            Section::Parameter => format!("Parameters.{}", self.id),
            Section::Mapping => format!("Mappings.{}", self.id),
            Section::Condition => format!("Conditions.{}", self.id),
            Section::Output => format!("Outputs.{}", self.id),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Section {
    Parameter,
    Mapping,
    Condition,
    Resource,
    Output,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::Parameter => "parameter",
            Section::Mapping => "mapping",
            Section::Condition => "condition",
            Section::Resource => "resource",
            Section::Output => "output",
        }
    }
}

/// An included CloudFormation template: a construct whose children are the template's elements,
/// each under its logical id, which it keeps.
pub struct CfnInclude {
    entries: Vec<Entry>,
    index: HashMap<(Section, String), usize>,
    description: Option<String>,
    metadata: Vec<(String, serde_json::Value)>,
    transforms: Vec<String>,
    sections: Vec<(String, serde_json::Value)>,
}

impl CfnInclude {
    /// Includes the template in file `path` (JSON or YAML with short-form tags).
    pub fn from_file(path: impl AsRef<Path>) -> Result<CfnInclude, IncludeError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| IncludeError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::build(&text, &path.display().to_string())
    }

    /// Includes the template `text` (JSON or YAML with short-form tags).
    pub fn parse(text: &str) -> Result<CfnInclude, IncludeError> {
        Self::build(text, "(text)")
    }

    fn build(text: &str, file: &str) -> Result<CfnInclude, IncludeError> {
        let doc = TemplateDoc::parse(text).map_err(|error| IncludeError::Template {
            file: file.to_string(),
            error,
        })?;
        Ok(resolve::include(&doc))
    }

    fn position(&self, section: Section, id: &str) -> Result<usize, IncludeError> {
        self.index
            .get(&(section, id.to_string()))
            .copied()
            .ok_or_else(|| IncludeError::NotFound {
                section: section.name(),
                id: id.to_string(),
                known: self
                    .entries
                    .iter()
                    .filter(|e| e.section == section)
                    .map(|e| e.id.clone())
                    .collect(),
            })
    }

    /// The resource `id` as its typed resource `T` (`cfn::s3::Bucket`), to read its properties
    /// or take references to it.
    pub fn resource<T: Construct + 'static>(&self, id: &str) -> Result<&T, IncludeError> {
        let i = self.position(Section::Resource, id)?;
        let construct = &self.entries[i].construct;
        let found = found_type(construct.as_ref());
        construct
            .as_any()
            .and_then(|a| a.downcast_ref::<T>())
            .ok_or_else(|| wrong_type::<T>(id, found))
    }

    /// The resource `id` as its typed resource `T`, to change it.
    pub fn resource_mut<T: Construct + 'static>(
        &mut self,
        id: &str,
    ) -> Result<&mut T, IncludeError> {
        let i = self.position(Section::Resource, id)?;
        let construct = &mut self.entries[i].construct;
        let found = found_type(construct.as_ref());
        construct
            .as_any_mut()
            .and_then(|a| a.downcast_mut::<T>())
            .ok_or_else(|| wrong_type::<T>(id, found))
    }

    /// The shared part of resource `id` whatever its type: the way to a resource kept untyped
    /// (`Custom::*`, a registry type, a type whose service feature is off).
    pub fn resource_core_mut(&mut self, id: &str) -> Result<&mut ResourceCore, IncludeError> {
        let i = self.position(Section::Resource, id)?;
        match self.entries[i].construct.element_mut() {
            Some(ElementMut::Resource(core)) => Ok(core),
            _ => Err(wrong_type::<ResourceCore>(id, "not a resource".into())),
        }
    }

    /// `Ref` to parameter `id`, as a value of kind `K` (the caller vouches for the kind, as the
    /// template's parameter type does).
    pub fn parameter<K: ?Sized>(&self, id: &str) -> Result<Val<K>, IncludeError> {
        let i = self.position(Section::Parameter, id)?;
        let p = self.entries[i]
            .construct
            .as_any()
            .and_then(|a| a.downcast_ref::<Parameter<String>>())
            .ok_or_else(|| wrong_type::<Parameter<String>>(id, "not a parameter".into()))?;
        Ok(p.value().cast())
    }

    /// Condition `id`, for [`Resource::condition`](rcdk_core::Resource::condition) of new
    /// resources or `Fn::If`.
    pub fn condition(&self, id: &str) -> Result<&Condition, IncludeError> {
        let i = self.position(Section::Condition, id)?;
        downcast(&self.entries[i], id)
    }

    /// Mapping `id`, for `Fn::FindInMap` in new constructs.
    pub fn mapping(&self, id: &str) -> Result<&Mapping, IncludeError> {
        let i = self.position(Section::Mapping, id)?;
        downcast(&self.entries[i], id)
    }

    /// The node of any element of the template: parameter, resource, condition, mapping or
    /// output, looked up in that order.
    pub fn node(&self, id: &str) -> Option<NodeId> {
        [
            Section::Resource,
            Section::Parameter,
            Section::Condition,
            Section::Mapping,
            Section::Output,
        ]
        .into_iter()
        .find_map(|s| self.index.get(&(s, id.to_string())))
        .and_then(|&i| self.entries[i].construct.element().map(|e| e.node()))
    }

    /// The logical ids of the resources, in the template's order.
    pub fn resource_ids(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(|e| e.section == Section::Resource)
            .map(|e| e.id.as_str())
    }

    /// Moves the template's `Description`, `Metadata`, `Transform` and the sections kept as
    /// written (`Rules`, `Hooks`, SAM's `Globals`) onto `stack` and adds the
    /// elements to it under construct id `Template`.
    pub fn into_stack(mut self, stack: Stack) -> Stack {
        let mut stack = stack;
        if let Some(d) = self.description.take() {
            stack = stack.description(d);
        }
        for (k, v) in std::mem::take(&mut self.metadata) {
            stack = stack.metadata(k, v);
        }
        for t in std::mem::take(&mut self.transforms) {
            stack = stack.transform(t);
        }
        for (name, value) in std::mem::take(&mut self.sections) {
            stack = stack.section(name, value);
        }
        stack.with("Template", self)
    }
}

fn found_type(c: &dyn Construct) -> String {
    let type_name = c.construct_type().to_string();
    if c.as_any().is_some_and(|a| a.is::<RawResource>()) {
        format!("{type_name} (kept untyped: no generated type, or its service feature is off)")
    } else {
        type_name
    }
}

fn wrong_type<T: ?Sized>(id: &str, found: String) -> IncludeError {
    IncludeError::WrongType {
        id: id.to_string(),
        expected: std::any::type_name::<T>(),
        found,
    }
}

fn downcast<'a, T: 'static>(e: &'a Entry, id: &str) -> Result<&'a T, IncludeError> {
    e.construct
        .as_any()
        .and_then(|a| a.downcast_ref::<T>())
        .ok_or_else(|| wrong_type::<T>(id, e.construct.construct_type().to_string()))
}

impl Construct for CfnInclude {
    fn construct_type(&self) -> &str {
        "CfnInclude"
    }
    fn children(&self) -> Vec<Child<'_>> {
        self.entries
            .iter()
            .map(|e| Child {
                id: e.child_id().into(),
                node: e.construct.as_ref(),
            })
            .collect()
    }
    fn children_mut(&mut self) -> Vec<ChildMut<'_>> {
        self.entries
            .iter_mut()
            .map(|e| ChildMut {
                id: e.child_id().into(),
                node: e.construct.as_mut(),
            })
            .collect()
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }
}

impl std::fmt::Debug for CfnInclude {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CfnInclude")
            .field(
                "elements",
                &self.entries.iter().map(|e| &e.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Builds the entries; used by [`resolve`].
fn entry(id: &str, section: Section, construct: Box<dyn Construct>) -> Entry {
    Entry {
        id: id.to_string(),
        section,
        construct,
    }
}
