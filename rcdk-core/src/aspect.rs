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

    /// The construct as a `T`, if it is one (see [`Construct::as_any_mut`]).
    pub fn downcast_mut<T: 'static>(&mut self) -> Option<&mut T> {
        self.construct.as_any_mut()?.downcast_mut::<T>()
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

/// What an aspect built by [`for_type`] or [`for_cfn_type`] gets beside the node: its path, and
/// the means to report at it.
pub struct AspectContext<'a> {
    path: &'a str,
    reports: &'a mut Vec<(String, Annotation)>,
}

impl AspectContext<'_> {
    /// The node's path from the app root (`Stack/Construct/Child`).
    pub fn path(&self) -> &str {
        self.path
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

/// An aspect that calls `f` on every node of Rust type `T` (a generated resource such as
/// `cfn::s3::Bucket`, a `#[derive(Construct)]` struct, ...), leaving the other nodes alone:
///
/// ```
/// use rcdk_core::{aspect::for_type, App, RawResource, Stack};
/// let stack = Stack::new("S")
///     .with("Queue", RawResource::new("AWS::SQS::Queue"))
///     .aspect(for_type(|queue: &mut RawResource, _ctx| {
///         queue.core_mut().set("DelaySeconds", 5);
///     }));
/// # use rcdk_core::Resource;
/// # let mut app = App::new().with(stack);
/// # app.synth().unwrap();
/// ```
///
/// Nodes are matched through [`Construct::as_any_mut`]: hand-written constructs that do not
/// implement it are never selected.
pub fn for_type<T, F>(f: F) -> ForType<T, F>
where
    T: 'static,
    F: FnMut(&mut T, &mut AspectContext<'_>),
{
    ForType {
        f,
        kind: std::marker::PhantomData,
    }
}

/// The aspect [`for_type`] builds.
pub struct ForType<T, F> {
    f: F,
    kind: std::marker::PhantomData<fn(&mut T)>,
}

impl<T, F> Aspect for ForType<T, F>
where
    T: 'static,
    F: FnMut(&mut T, &mut AspectContext<'_>),
{
    fn visit(&mut self, node: &mut AspectNode<'_>) {
        let Some(t) = node
            .construct
            .as_any_mut()
            .and_then(|any| any.downcast_mut::<T>())
        else {
            return;
        };
        let mut ctx = AspectContext {
            path: node.path,
            reports: node.reports,
        };
        (self.f)(t, &mut ctx);
    }
}

/// An aspect that calls `f` on the [`ResourceCore`] of every resource of CloudFormation type
/// `type_name` (`"AWS::S3::Bucket"`), whatever Rust type holds it: generated resources,
/// [`RawResource`](crate::RawResource)s and resources inside hand-written constructs alike.
pub fn for_cfn_type<F>(type_name: impl Into<String>, f: F) -> ForCfnType<F>
where
    F: FnMut(&mut ResourceCore, &mut AspectContext<'_>),
{
    ForCfnType {
        type_name: type_name.into(),
        f,
    }
}

/// The aspect [`for_cfn_type`] builds.
pub struct ForCfnType<F> {
    type_name: String,
    f: F,
}

impl<F> Aspect for ForCfnType<F>
where
    F: FnMut(&mut ResourceCore, &mut AspectContext<'_>),
{
    fn visit(&mut self, node: &mut AspectNode<'_>) {
        let Some(ElementMut::Resource(core)) = node.construct.element_mut() else {
            return;
        };
        if core.type_name() != self.type_name {
            return;
        }
        let mut ctx = AspectContext {
            path: node.path,
            reports: node.reports,
        };
        (self.f)(core, &mut ctx);
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
