//! Node identities of the construct tree.

use std::sync::atomic::{AtomicU64, Ordering};

/// Identity of a construct-tree node (a resource, parameter, condition, mapping or output),
/// unique within the process. It is taken when the node is created, before it has a place in
/// the tree, so that values can reference it; synthesis maps it to a path and a logical id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u64);

static NEXT: AtomicU64 = AtomicU64::new(1);

impl NodeId {
    /// A fresh id.
    pub fn fresh() -> NodeId {
        NodeId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}
