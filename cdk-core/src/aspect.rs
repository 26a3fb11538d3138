//! Aspects: visitors run over the whole tree before synthesis, able to read and change
//! template elements and to report errors and warnings at a node's path.

use crate::construct::{Annotation, Construct};
use crate::element::ElementMut;
use crate::resource::ResourceCore;
use crate::value::{Val, Value};

/// A visitor applied to every node of a stack (or of the app) before synthesis.
pub trait Aspect {
    /// Called once per node, parents before children.
    fn visit(&mut self, node: &mut AspectNode<'_>);
}

/// What an aspect sees of a node.
pub struct AspectNode<'a> {
    pub(crate) path: &'a str,
    pub(crate) construct: &'a mut dyn Construct,
    pub(crate) reports: &'a mut Vec<(String, Annotation)>,
}

impl AspectNode<'_> {
    /// The node's path from the app root (`Stack/Construct/Child`).
    pub fn path(&self) -> &str {
        self.path
    }

    /// The construct's type name.
    pub fn construct_type(&self) -> &str {
        self.construct.construct_type()
    }

    /// The construct itself.
    pub fn construct(&mut self) -> &mut dyn Construct {
        self.construct
    }

    /// The resource, if this node is one.
    pub fn resource(&mut self) -> Option<&mut ResourceCore> {
        match self.construct.element_mut() {
            Some(ElementMut::Resource(core)) => Some(core),
            _ => None,
        }
    }

    /// Fails synthesis with `message` at this node's path.
    pub fn error(&mut self, message: impl Into<String>) {
        self.reports
            .push((self.path.to_string(), Annotation::error(message)));
    }

    /// Reports a warning at this node's path.
    pub fn warning(&mut self, message: impl Into<String>) {
        self.reports
            .push((self.path.to_string(), Annotation::warning(message)));
    }
}

/// Tags every taggable resource whose path starts with a prefix (the whole stack by default).
#[derive(Debug, Clone)]
pub struct Tags {
    under: String,
    tags: Vec<(String, Value)>,
}

impl Tags {
    /// Tags for the whole stack or app the aspect is attached to.
    pub fn new() -> Tags {
        Tags {
            under: String::new(),
            tags: Vec::new(),
        }
    }

    /// Limits the aspect to the subtree at `path` (e.g. `"Prod/Orders"`).
    pub fn under(mut self, path: impl Into<String>) -> Tags {
        self.under = path.into();
        self
    }

    /// Adds `key = value`. The value is a literal or any string-valued function: a parameter's
    /// `ref_()`, `fns::sub("${AWS::StackName}-web")`, ...
    pub fn add(mut self, key: impl Into<String>, value: impl Into<Val<String>>) -> Tags {
        self.tags.push((key.into(), value.into().into_value()));
        self
    }
}

impl Default for Tags {
    fn default() -> Self {
        Tags::new()
    }
}

impl Aspect for Tags {
    fn visit(&mut self, node: &mut AspectNode<'_>) {
        let inside = self.under.is_empty()
            || node.path == self.under
            || node
                .path
                .strip_prefix(self.under.as_str())
                .is_some_and(|rest| rest.starts_with('/'));
        if !inside || node.construct.element().is_none() {
            return;
        }
        for (k, v) in &self.tags {
            crate::tag::tag_value(node.construct, k, v);
        }
    }
}
