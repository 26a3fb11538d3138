//! Path assignment: walks the app once and gives every node its path, resolving ids derived
//! from peers after the fixed ones.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::construct::{ChildId, Construct};
use crate::error::SynthError;
use crate::node::NodeId;
use crate::synth::logical_id;

/// A node of the walked tree.
pub struct NodeRec<'a> {
    /// Path components from the app root; the first is the stack id.
    pub path: Vec<String>,
    /// Index of the stack in the app.
    pub stack: usize,
    /// The construct.
    pub construct: &'a dyn Construct,
}

impl NodeRec<'_> {
    /// The path joined with `/`.
    pub fn path_string(&self) -> String {
        self.path.join("/")
    }
}

/// Everything the walk found.
pub struct Walk<'a> {
    /// Nodes, parents before children, in child order.
    pub nodes: Vec<NodeRec<'a>>,
    /// Element node id -> index into `nodes`.
    pub elements: HashMap<NodeId, usize>,
    /// Element node id -> logical id.
    pub logical_ids: HashMap<NodeId, String>,
}

struct Pending<'a> {
    parent: Vec<String>,
    stack: usize,
    prefix: String,
    peer: NodeId,
    suffix: String,
    construct: &'a dyn Construct,
}

/// Walks `stacks`, returning the nodes or every error found (duplicate ids, invalid ids,
/// elements placed twice, peers that are not in the app).
pub fn walk<'a>(stacks: &[(&'a str, &'a dyn Construct)]) -> Result<Walk<'a>, Vec<SynthError>> {
    let mut w = Walk {
        nodes: Vec::new(),
        elements: HashMap::new(),
        logical_ids: HashMap::new(),
    };
    let mut errors = Vec::new();
    let mut pending = Vec::new();
    for (i, (id, stack)) in stacks.iter().enumerate() {
        visit(
            &mut w,
            &mut pending,
            &mut errors,
            vec![id.to_string()],
            i,
            *stack,
        );
    }
    // Derived ids: resolve those whose peer has a path; repeat while progress is made.
    // Hashes of every node's path: a derived id is checked against its siblings only when its
    // path's hash is already known (comparing it with every node of a large app is quadratic).
    let mut known: HashSet<u64> = HashSet::new();
    if !pending.is_empty() {
        known.extend(w.nodes.iter().map(|n| path_hash(&n.path)));
    }
    while !pending.is_empty() {
        let before = pending.len();
        let mut still = Vec::new();
        for p in std::mem::take(&mut pending) {
            match w
                .elements
                .get(&p.peer)
                .map(|&i| peer_name(&w.nodes[i].path))
            {
                Some(peer_path) => {
                    let id = format!(
                        "{}{}{}",
                        p.prefix,
                        logical_id::sanitize(&peer_path),
                        p.suffix
                    );
                    let mut path = p.parent.clone();
                    path.push(id);
                    if known.contains(&path_hash(&path)) {
                        check_sibling(&w, &mut errors, &path);
                    }
                    let first_new = w.nodes.len();
                    visit(&mut w, &mut still, &mut errors, path, p.stack, p.construct);
                    known.extend(w.nodes[first_new..].iter().map(|n| path_hash(&n.path)));
                }
                None => still.push(p),
            }
        }
        pending = still;
        if pending.len() == before {
            for p in pending {
                errors.push(
                    SynthError::new(
                        p.parent.join("/"),
                        format!(
                            "a child named after another construct ({}...{}) refers to a construct that is not in the app",
                            p.prefix, p.suffix
                        ),
                    )
                    .hint("add the other construct to a stack of this app"),
                );
            }
            break;
        }
    }
    if errors.is_empty() {
        Ok(w)
    } else {
        Err(errors)
    }
}

fn path_hash(path: &[String]) -> u64 {
    let mut h = DefaultHasher::new();
    path.hash(&mut h);
    h.finish()
}

fn check_sibling(w: &Walk<'_>, errors: &mut Vec<SynthError>, path: &[String]) {
    // Last components first: paths share their leading components, so this rejects quickly.
    if w.nodes
        .iter()
        .any(|n| n.path.last() == path.last() && n.path == path)
    {
        errors.push(
            SynthError::new(path.join("/"), "two constructs have this path")
                .hint("give one of them another id"),
        );
    }
}

fn visit<'a>(
    w: &mut Walk<'a>,
    pending: &mut Vec<Pending<'a>>,
    errors: &mut Vec<SynthError>,
    path: Vec<String>,
    stack: usize,
    construct: &'a dyn Construct,
) {
    if let Some(element) = construct.element() {
        let node = element.node();
        if let Some(&other) = w.elements.get(&node) {
            errors.push(
                SynthError::new(
                    path.join("/"),
                    format!("this element is also placed at {}", w.nodes[other].path_string()),
                )
                .hint("a resource can be added to the tree once; create a second one instead of cloning"),
            );
            return;
        }
        w.elements.insert(node, w.nodes.len());
        let id = match element.logical_id_override() {
            Some(id) => id.to_string(),
            // A parameter placed directly in its stack keeps its id as its name: users type it
            // on the command line (`--parameter Stack:Env=prod`).
            None if path.len() == 2 && matches!(element, crate::element::Element::Parameter(_)) => {
                logical_id::sanitize(&path[1])
            }
            None => {
                let below: Vec<&str> = path[1..].iter().map(String::as_str).collect();
                logical_id::logical_id(&below)
            }
        };
        w.logical_ids.insert(node, id);
    }
    let children = construct.children();
    let mut seen: Vec<&str> = Vec::new();
    for child in &children {
        if let ChildId::Named(id) = &child.id {
            if id.is_empty() || id.contains('/') {
                errors.push(
                    SynthError::new(format!("{}/{id}", path.join("/")), "invalid construct id")
                        .hint("ids are non-empty and contain no '/'"),
                );
            } else if seen.contains(&id.as_str()) {
                errors.push(
                    SynthError::new(
                        format!("{}/{id}", path.join("/")),
                        format!("duplicate construct id '{id}'"),
                    )
                    .hint("ids must be unique among siblings; rename one of them"),
                );
            }
            seen.push(id);
        }
    }
    let index = w.nodes.len();
    w.nodes.push(NodeRec {
        path,
        stack,
        construct,
    });
    for child in children {
        let parent = &w.nodes[index].path;
        match child.id {
            ChildId::Named(id) => {
                let mut p = Vec::with_capacity(parent.len() + 1);
                p.extend_from_slice(parent);
                p.push(id);
                visit(w, pending, errors, p, stack, child.node);
            }
            ChildId::Peer {
                prefix,
                peer,
                suffix,
            } => pending.push(Pending {
                parent: parent.clone(),
                stack,
                prefix,
                peer,
                suffix,
                construct: child.node,
            }),
        }
    }
}

/// How a child named after `path`'s element reads: its readable logical-id part.
pub fn peer_name(path: &[String]) -> String {
    let below: Vec<&str> = path[1..].iter().map(String::as_str).collect();
    logical_id::readable(&below)
}
