//! The `graph` command: the app as nested boxes (stacks and constructs), resources inside, and
//! edges for references and security-group permissions, as Graphviz DOT or Mermaid.
//!
//! Everything is read from the [`Assembly`]: resources and references from the synthesized
//! templates (where references are logical ids), boxes from `StackArtifact::paths` and the types
//! of constructs from `Assembly::tree`. Cross-stack references are followed through exports
//! (`Fn::ImportValue`) and SSM parameters.
//!
//! Unless `all` is asked for, resources that only connect two others become edges (route table
//! associations, routes, gateway attachments, security-group rules), resources synthesis added
//! itself (cross-stack SSM parameters) are left out, references from a resource to one owned by
//! a construct it sits inside are not drawn (the nesting shows them), nor references to the
//! VPC; allow-all egress and the "no egress" placeholder rule are not drawn, an egress rule
//! matching an ingress rule is drawn once, network ACL entries are counted on their ACL,
//! references to every resource of a kind inside one box (the subnets of a tier) become one
//! edge to the box, and a box holding only its `Resource` is drawn as that resource.

mod build;
mod refs;
mod render;
mod simplify;

pub use render::{dot, mermaid};

use crate::synth::Assembly;

/// Output language of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg graph.dot > graph.svg`).
    Dot,
    /// A Mermaid flowchart (renders in GitHub READMEs).
    Mermaid,
}

/// What the graph shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct GraphOptions {
    /// Show every resource and reference, with nothing merged or elided.
    pub all: bool,
}

/// The graph of an assembly.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Top-level boxes (one per stack).
    pub clusters: Vec<Cluster>,
    /// Nodes outside every box (CIDR ranges, groups not defined in the app).
    pub external: Vec<Node>,
    /// Edges, sorted and without duplicates.
    pub edges: Vec<Edge>,
}

/// A box: a stack or a construct.
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    /// Construct path.
    pub path: String,
    /// Caption: the id and the construct type.
    pub label: String,
    /// Boxes inside, in tree order.
    pub clusters: Vec<Cluster>,
    /// Resources directly inside, in tree order.
    pub nodes: Vec<Node>,
}

/// A resource (or an external endpoint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Unique key: the construct path.
    pub key: String,
    /// The construct id.
    pub name: String,
    /// The resource type without `AWS::`, or what the external endpoint is.
    pub detail: String,
}

/// What an edge stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// Traffic allowed into a security group, from `from`.
    Ingress,
    /// Traffic allowed out of a security group, to `to`.
    Egress,
    /// A connecting resource drawn as an edge (route, association, attachment).
    Link,
    /// `from` references `to` (`Ref`, `Fn::GetAtt`, `Fn::Sub`, across stacks too).
    Reference,
}

/// An edge between two node keys.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edge {
    /// Source node key.
    pub from: String,
    /// Target node key.
    pub to: String,
    /// What it stands for.
    pub kind: EdgeKind,
    /// Caption (port range, destination CIDR, attribute), possibly empty.
    pub label: String,
    /// The box (construct path) the edge points into, when it stands for references to every
    /// resource of a kind in that box; `to` is then one of them.
    pub to_box: Option<String>,
}

/// Builds the graph of `assembly`.
pub fn graph(assembly: &Assembly, options: GraphOptions) -> Graph {
    build::build(assembly, options)
}

/// The graph of `assembly` as text in `format`.
pub fn render(assembly: &Assembly, format: GraphFormat, options: GraphOptions) -> String {
    let g = graph(assembly, options);
    match format {
        GraphFormat::Dot => dot(&g),
        GraphFormat::Mermaid => mermaid(&g),
    }
}
