//! Readability passes over the graph, applied unless `all` is asked: permissions drawn once,
//! references to every resource of a kind in one box drawn as one edge to the box, and boxes
//! that only wrap their main resource drawn as that resource.

use std::collections::BTreeMap;

use super::{Cluster, Edge, EdgeKind};

/// Drops an egress edge when the matching ingress edge (same groups, same ports) is drawn: the
/// two rules are one permission seen from both sides.
pub fn drop_mirrored_egress(edges: &mut Vec<Edge>) {
    let ingress: Vec<(String, String, String)> = edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Ingress)
        .map(|e| (e.from.clone(), e.to.clone(), e.label.clone()))
        .collect();
    edges.retain(|e| {
        e.kind != EdgeKind::Egress
            || !ingress
                .iter()
                .any(|(f, t, l)| *f == e.from && *t == e.to && *l == e.label)
    });
}

/// Replaces references from one resource to all resources of one type inside one box (the
/// subnets of a tier) by a single edge to the box. `nodes` lists every drawn resource as
/// (key, type).
pub fn bundle(edges: Vec<Edge>, nodes: &[(String, String)]) -> Vec<Edge> {
    let type_of = |key: &str| {
        nodes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, t)| t.as_str())
    };
    let mut groups: BTreeMap<(String, String, String), Vec<Edge>> = BTreeMap::new();
    let mut out = Vec::new();
    for e in edges {
        match (e.kind, type_of(&e.to)) {
            (EdgeKind::Reference, Some(ty)) => groups
                .entry((e.from.clone(), e.label.clone(), ty.to_string()))
                .or_default()
                .push(e),
            _ => out.push(e),
        }
    }
    for ((from, label, ty), group) in groups {
        let boxed = (group.len() >= 2)
            .then(|| common_box(&group))
            .flatten()
            .filter(|b| {
                let inside = |key: &str| key.starts_with(&format!("{b}/"));
                let all_of_type = nodes.iter().filter(|(k, t)| *t == ty && inside(k)).count();
                // At least stack/construct deep, not around the source, and every resource of
                // the type in the box is referenced.
                b.matches('/').count() >= 1 && !inside(&from) && all_of_type == group.len()
            });
        match boxed {
            Some(b) => out.push(Edge {
                from,
                to: group[0].to.clone(),
                kind: EdgeKind::Reference,
                label,
                to_box: Some(b),
            }),
            None => out.extend(group),
        }
    }
    out.sort();
    out
}

/// The deepest box holding every target of `group`.
fn common_box(group: &[Edge]) -> Option<String> {
    let parents: Vec<Vec<&str>> = group
        .iter()
        .map(|e| {
            let parts: Vec<&str> = e.to.split('/').collect();
            parts[..parts.len().saturating_sub(1)].to_vec()
        })
        .collect();
    let first = parents.first()?;
    let depth = (0..first.len())
        .take_while(|&i| parents.iter().all(|p| p.get(i) == first.get(i)))
        .count();
    (depth > 0).then(|| first[..depth].join("/"))
}

/// Draws a box that holds only its main resource (id `Resource` or `Default`, as constructs
/// name the resource they wrap) as that resource, named after the box.
pub fn collapse(clusters: &mut Vec<Cluster>, nodes: &mut Vec<super::Node>) {
    let mut kept = Vec::new();
    for mut c in std::mem::take(clusters) {
        collapse(&mut c.clusters, &mut c.nodes);
        let single = c.clusters.is_empty()
            && c.nodes.len() == 1
            && matches!(c.nodes[0].name.as_str(), "Resource" | "Default");
        if single {
            let mut node = c.nodes.remove(0);
            node.name = c.path.rsplit('/').next().unwrap_or_default().to_string();
            nodes.push(node);
        } else {
            kept.push(c);
        }
    }
    *clusters = kept;
}
