//! The construct tree: every construct is a plain Rust value whose children are other
//! constructs. Nodes get their ids from their parent (a field name, a map key, an explicit id) and
//! their path from their place in the tree, which is fixed once the app is complete.

use crate::element::{Element, ElementMut};
use crate::node::NodeId;

/// How a child is named below its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildId {
    /// A fixed id.
    Named(String),
    /// An id derived from another node's path, for children created by a relation between two
    /// constructs (a security-group rule from one group to another): `prefix` + the peer's path
    /// components + `suffix`. Resolved once all fixed ids are known, so it is stable across runs.
    Peer {
        /// Text before the peer's path.
        prefix: String,
        /// The node whose path names the child.
        peer: NodeId,
        /// Text after the peer's path.
        suffix: String,
    },
}

impl From<&str> for ChildId {
    fn from(s: &str) -> Self {
        ChildId::Named(s.to_string())
    }
}
impl From<String> for ChildId {
    fn from(s: String) -> Self {
        ChildId::Named(s)
    }
}

/// A child, borrowed.
pub struct Child<'a> {
    /// Its id below the parent.
    pub id: ChildId,
    /// The child construct.
    pub node: &'a dyn Construct,
}

/// A child, mutably borrowed.
pub struct ChildMut<'a> {
    /// Its id below the parent.
    pub id: ChildId,
    /// The child construct.
    pub node: &'a mut dyn Construct,
}

/// Severity of an [`Annotation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Informational; printed, never fails synthesis.
    Info,
    /// Printed; fails synthesis under `--strict`.
    Warning,
    /// Fails synthesis; nothing is written.
    Error,
}

/// A message attached to a node of the tree, reported at synthesis with the node's path.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// How serious it is.
    pub level: Level,
    /// What is wrong and what to change.
    pub message: String,
}

impl Annotation {
    /// An error.
    pub fn error(message: impl Into<String>) -> Annotation {
        Annotation {
            level: Level::Error,
            message: message.into(),
        }
    }
    /// A warning.
    pub fn warning(message: impl Into<String>) -> Annotation {
        Annotation {
            level: Level::Warning,
            message: message.into(),
        }
    }
    /// An informational note.
    pub fn info(message: impl Into<String>) -> Annotation {
        Annotation {
            level: Level::Info,
            message: message.into(),
        }
    }
}

/// A fixed monthly cost that a construct creates (NAT gateways, instances, databases, load
/// balancers, ...), reported at synthesis so that nobody is surprised by the bill. A charge the
/// construct cannot price is still declared, with [`Price::NotCounted`], so that the report
/// names it instead of leaving it out silently.
#[derive(Debug, Clone, PartialEq)]
pub struct CostItem {
    /// What costs money, e.g. "NAT gateway".
    pub item: String,
    /// How many of them.
    pub count: u32,
    /// What one of them costs a month.
    pub price: Price,
}

/// The monthly price of one unit of a [`CostItem`].
#[derive(Debug, Clone, PartialEq)]
pub enum Price {
    /// Estimated list price per unit per month, in USD.
    UsdPerMonth(f64),
    /// Not in the total, and why, e.g. "no price in the table".
    NotCounted(String),
}

impl CostItem {
    /// `count` of `item` at `usd_per_month_each`.
    pub fn monthly(item: impl Into<String>, count: u32, usd_per_month_each: f64) -> CostItem {
        CostItem {
            item: item.into(),
            count,
            price: Price::UsdPerMonth(usd_per_month_each),
        }
    }

    /// `count` of `item`, a fixed charge left out of the total for `reason`.
    pub fn not_counted(item: impl Into<String>, count: u32, reason: impl Into<String>) -> CostItem {
        CostItem {
            item: item.into(),
            count,
            price: Price::NotCounted(reason.into()),
        }
    }

    /// The price of one, when counted.
    pub fn usd_per_month_each(&self) -> Option<f64> {
        match self.price {
            Price::UsdPerMonth(usd) => Some(usd),
            Price::NotCounted(_) => None,
        }
    }

    /// The price of all `count`, when counted.
    pub fn usd_per_month(&self) -> Option<f64> {
        self.usd_per_month_each()
            .map(|usd| usd * f64::from(self.count))
    }
}

/// A construct that nodes need once in their stack, whoever asks for it: for example the one KMS
/// key that encrypts all the log groups of a stack. Synthesis adds it directly below the stack,
/// under [`id`](StackSingleton::id), before aspects run, once however many nodes of that stack
/// ask for it; a stack that already has a child with that id keeps its own.
#[derive(Debug, Clone, Copy)]
pub struct StackSingleton {
    /// Its id below the stack.
    pub id: &'static str,
    /// Makes it (called once per stack that needs it).
    pub make: fn() -> Box<dyn Construct>,
}

/// A node of the construct tree. Implemented by the generated resources (through
/// [`impl_resource!`](crate::impl_resource)), by parameters, conditions, mappings and outputs, by
/// the built-in higher-level constructs and by users' structs through `#[derive(Construct)]`.
pub trait Construct {
    /// Type shown in the tree and graph listings: a CloudFormation type for resources, the Rust
    /// type name for higher-level constructs.
    fn construct_type(&self) -> &str;

    /// The children, in a stable order.
    fn children(&self) -> Vec<Child<'_>> {
        Vec::new()
    }

    /// The children, mutably, in the same order as [`Construct::children`].
    fn children_mut(&mut self) -> Vec<ChildMut<'_>> {
        Vec::new()
    }

    /// The template element this node is (a resource, parameter, ...), if it is one.
    fn element(&self) -> Option<Element<'_>> {
        None
    }

    /// Mutable access to the template element, if this node is one.
    fn element_mut(&mut self) -> Option<ElementMut<'_>> {
        None
    }

    /// Problems this construct knows about itself, checked at synthesis.
    fn annotations(&self) -> Vec<Annotation> {
        Vec::new()
    }

    /// Fixed monthly costs this construct creates (not counting its children).
    fn costs(&self) -> Vec<CostItem> {
        Vec::new()
    }

    /// Constructs this node needs once in its stack (not counting its children's needs).
    fn stack_singletons(&self) -> Vec<StackSingleton> {
        Vec::new()
    }

    /// The construct as [`Any`](std::any::Any), so that aspects can select nodes by Rust type
    /// ([`for_type`](crate::aspect::for_type)). `None` by default; the resources, the
    /// `#[derive(Construct)]` of a struct without generics and `Group` return `Some(self)`.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }

    /// Mutable [`as_any`](Construct::as_any).
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        None
    }
}

impl<T: Construct + ?Sized> Construct for Box<T> {
    fn construct_type(&self) -> &str {
        (**self).construct_type()
    }
    fn children(&self) -> Vec<Child<'_>> {
        (**self).children()
    }
    fn children_mut(&mut self) -> Vec<ChildMut<'_>> {
        (**self).children_mut()
    }
    fn element(&self) -> Option<Element<'_>> {
        (**self).element()
    }
    fn element_mut(&mut self) -> Option<ElementMut<'_>> {
        (**self).element_mut()
    }
    fn annotations(&self) -> Vec<Annotation> {
        (**self).annotations()
    }
    fn costs(&self) -> Vec<CostItem> {
        (**self).costs()
    }
    fn stack_singletons(&self) -> Vec<StackSingleton> {
        (**self).stack_singletons()
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        (**self).as_any()
    }
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        (**self).as_any_mut()
    }
}

/// A field of a construct that holds child constructs: a construct, an `Option`, a `Vec` or a
/// map of them. `#[derive(Construct)]` calls this for every field that is not skipped.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a construct, so this field cannot be a child in the construct tree",
    label = "not a construct",
    note = "add `#[construct(skip)]` to the field if it is plain data, or make `{Self}` a construct (`#[derive(Construct)]` on a struct, or a resource type)"
)]
pub trait ConstructField {
    /// Appends this field's children, named from `id`.
    fn push_children<'a>(&'a self, id: &str, out: &mut Vec<Child<'a>>);
    /// Appends this field's children mutably, named from `id`.
    fn push_children_mut<'a>(&'a mut self, id: &str, out: &mut Vec<ChildMut<'a>>);
}

// Not recommended in diagnostics, so that a field of a non-construct type is reported against
// `ConstructField` (whose message says to skip the field) rather than as a missing `Construct`.
#[diagnostic::do_not_recommend]
impl<T: Construct> ConstructField for T {
    fn push_children<'a>(&'a self, id: &str, out: &mut Vec<Child<'a>>) {
        out.push(Child {
            id: ChildId::Named(id.to_string()),
            node: self,
        });
    }
    fn push_children_mut<'a>(&'a mut self, id: &str, out: &mut Vec<ChildMut<'a>>) {
        out.push(ChildMut {
            id: ChildId::Named(id.to_string()),
            node: self,
        });
    }
}

impl<T: ConstructField> ConstructField for Option<T> {
    fn push_children<'a>(&'a self, id: &str, out: &mut Vec<Child<'a>>) {
        if let Some(t) = self {
            t.push_children(id, out)
        }
    }
    fn push_children_mut<'a>(&'a mut self, id: &str, out: &mut Vec<ChildMut<'a>>) {
        if let Some(t) = self {
            t.push_children_mut(id, out)
        }
    }
}

/// Items of a `Vec` are named `{id}{n}`, counting from 1.
impl<T: ConstructField> ConstructField for Vec<T> {
    fn push_children<'a>(&'a self, id: &str, out: &mut Vec<Child<'a>>) {
        for (i, t) in self.iter().enumerate() {
            t.push_children(&format!("{id}{}", i + 1), out)
        }
    }
    fn push_children_mut<'a>(&'a mut self, id: &str, out: &mut Vec<ChildMut<'a>>) {
        for (i, t) in self.iter_mut().enumerate() {
            t.push_children_mut(&format!("{id}{}", i + 1), out)
        }
    }
}

/// Entries of a map are named by their key (the field id is not used): a map is the way to give
/// each item its own stable id.
impl<K: AsRef<str>, T: ConstructField> ConstructField for std::collections::BTreeMap<K, T> {
    fn push_children<'a>(&'a self, _id: &str, out: &mut Vec<Child<'a>>) {
        for (k, t) in self {
            t.push_children(k.as_ref(), out)
        }
    }
    fn push_children_mut<'a>(&'a mut self, _id: &str, out: &mut Vec<ChildMut<'a>>) {
        for (k, t) in self.iter_mut() {
            t.push_children_mut(k.as_ref(), out)
        }
    }
}

/// Entries of an ordered map are named by their key, in insertion order.
impl<K: AsRef<str>, T: ConstructField> ConstructField for indexmap::IndexMap<K, T> {
    fn push_children<'a>(&'a self, _id: &str, out: &mut Vec<Child<'a>>) {
        for (k, t) in self {
            t.push_children(k.as_ref(), out)
        }
    }
    fn push_children_mut<'a>(&'a mut self, _id: &str, out: &mut Vec<ChildMut<'a>>) {
        for (k, t) in self.iter_mut() {
            t.push_children_mut(k.as_ref(), out)
        }
    }
}

/// A construct with no element of its own that holds children added at run time: the way to
/// group constructs without declaring a struct.
#[derive(Default)]
pub struct Group {
    children: Vec<(ChildId, Box<dyn Construct>)>,
}

impl Group {
    /// An empty group.
    pub fn new() -> Group {
        Group::default()
    }

    /// Adds a child under `id`.
    pub fn add(&mut self, id: impl Into<ChildId>, child: impl Construct + 'static) -> &mut Self {
        self.children.push((id.into(), Box::new(child)));
        self
    }

    /// Adds a child under `id`, builder style.
    pub fn with(mut self, id: impl Into<ChildId>, child: impl Construct + 'static) -> Self {
        self.add(id, child);
        self
    }
}

impl Construct for Group {
    fn construct_type(&self) -> &str {
        "Group"
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }
    fn children(&self) -> Vec<Child<'_>> {
        self.children
            .iter()
            .map(|(id, c)| Child {
                id: id.clone(),
                node: c.as_ref(),
            })
            .collect()
    }
    fn children_mut(&mut self) -> Vec<ChildMut<'_>> {
        self.children
            .iter_mut()
            .map(|(id, c)| ChildMut {
                id: id.clone(),
                node: c.as_mut(),
            })
            .collect()
    }
}
