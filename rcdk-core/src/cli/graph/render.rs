//! Text forms of a [`Graph`]: Graphviz DOT and Mermaid.

use std::collections::HashMap;
use std::fmt::Write;

use super::{Cluster, EdgeKind, Graph, Node};

/// Box fill colours by nesting depth, so that nested constructs stand apart.
const FILLS: [&str; 4] = ["#eef2f7", "#ffffff", "#f6f3ea", "#eaf4ee"];
/// Colour of security-group permissions.
const PERMISSION: &str = "#c0392b";
/// Colour of merged connecting resources (routes, associations).
const LINK: &str = "#2c7fb8";

/// A quoted DOT id or string; line breaks become DOT's `\n`.
fn q(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("\"{escaped}\"")
}

/// The graph as Graphviz DOT.
pub fn dot(g: &Graph) -> String {
    let mut out = String::new();
    out.push_str("digraph cdk {\n");
    out.push_str("  graph [rankdir=LR, compound=true, newrank=true, fontname=\"Helvetica\", fontsize=11, nodesep=0.25, ranksep=0.7];\n");
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str(
        "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#7f7f7f\", arrowsize=0.7];\n",
    );
    for c in &g.clusters {
        dot_cluster(&mut out, c, 1);
    }
    for n in &g.external {
        let _ = writeln!(
            out,
            "  {} [label={}, shape=ellipse, style=dashed];",
            q(&n.key),
            q(&format!("{}\n{}", n.name, n.detail))
        );
    }
    for e in &g.edges {
        let mut attrs = Vec::new();
        if !e.label.is_empty() {
            let label = match e.kind {
                EdgeKind::Egress => format!("egress {}", e.label),
                _ => e.label.clone(),
            };
            attrs.push(format!("label={}", q(&label)));
        }
        match e.kind {
            EdgeKind::Ingress => attrs.push(format!(
                "color=\"{PERMISSION}\", fontcolor=\"{PERMISSION}\", penwidth=1.6"
            )),
            EdgeKind::Egress => attrs.push(format!(
                "color=\"{PERMISSION}\", fontcolor=\"{PERMISSION}\", style=dashed"
            )),
            EdgeKind::Link => attrs.push(format!(
                "color=\"{LINK}\", fontcolor=\"{LINK}\", style=dashed"
            )),
            EdgeKind::Reference => {}
        }
        if let Some(b) = &e.to_box {
            attrs.push(format!("lhead={}", q(&format!("cluster_{b}"))));
        }
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        let _ = writeln!(out, "  {} -> {}{attrs};", q(&e.from), q(&e.to));
    }
    out.push_str("}\n");
    out
}

fn dot_cluster(out: &mut String, c: &Cluster, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(
        out,
        "{pad}subgraph {} {{",
        q(&format!("cluster_{}", c.path))
    );
    let _ = writeln!(
        out,
        "{pad}  label={}; labeljust=l; style=\"rounded,filled\"; fillcolor=\"{}\"; color=\"#9aa5b1\";",
        q(&c.label),
        FILLS[(depth - 1) % FILLS.len()]
    );
    for n in &c.nodes {
        let _ = writeln!(
            out,
            "{pad}  {} [label={}];",
            q(&n.key),
            q(&format!("{}\n{}", n.name, n.detail))
        );
    }
    for child in &c.clusters {
        dot_cluster(out, child, depth + 1);
    }
    let _ = writeln!(out, "{pad}}}");
}

/// Text inside a Mermaid `"..."` label.
fn m(s: &str) -> String {
    s.replace('"', "#quot;")
}

/// The graph as a Mermaid flowchart.
pub fn mermaid(g: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    let mut ids: HashMap<&str, String> = HashMap::new();
    let mut counter = (0usize, 0usize);
    for c in &g.clusters {
        mermaid_cluster(&mut out, c, 1, &mut ids, &mut counter);
    }
    for (k, n) in g.external.iter().enumerate() {
        let id = format!("x{k}");
        let _ = writeln!(out, "  {id}([\"{}<br/>{}\"])", m(&n.name), m(&n.detail));
        ids.insert(&n.key, id);
    }
    let mut permission_links = Vec::new();
    let mut link_links = Vec::new();
    let mut emitted = 0usize;
    for e in &g.edges {
        let target = e.to_box.as_deref().unwrap_or(&e.to);
        let (Some(from), Some(to)) = (ids.get(e.from.as_str()), ids.get(target)) else {
            continue;
        };
        // `linkStyle` counts links in the order they are written.
        let i = emitted;
        emitted += 1;
        let label = match (e.kind, e.label.is_empty()) {
            (EdgeKind::Egress, _) => format!("|\"egress {}\"|", m(&e.label)),
            (_, true) => String::new(),
            (_, false) => format!("|\"{}\"|", m(&e.label)),
        };
        let arrow = match e.kind {
            EdgeKind::Ingress => "==>",
            EdgeKind::Egress | EdgeKind::Link => "-.->",
            EdgeKind::Reference => "-->",
        };
        match e.kind {
            EdgeKind::Ingress | EdgeKind::Egress => permission_links.push(i.to_string()),
            EdgeKind::Link => link_links.push(i.to_string()),
            EdgeKind::Reference => {}
        }
        let _ = writeln!(out, "  {from} {arrow}{label} {to}");
    }
    if !permission_links.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:{PERMISSION},color:{PERMISSION}",
            permission_links.join(",")
        );
    }
    if !link_links.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:{LINK},color:{LINK}",
            link_links.join(",")
        );
    }
    out
}

fn mermaid_cluster<'g>(
    out: &mut String,
    c: &'g Cluster,
    depth: usize,
    ids: &mut HashMap<&'g str, String>,
    counter: &mut (usize, usize),
) {
    let pad = "  ".repeat(depth);
    let id = format!("c{}", counter.0);
    counter.0 += 1;
    let _ = writeln!(out, "{pad}subgraph {id}[\"{}\"]", m(&c.label));
    ids.insert(&c.path, id);
    for n in &c.nodes {
        mermaid_node(out, n, &pad, ids, counter);
    }
    for child in &c.clusters {
        mermaid_cluster(out, child, depth + 1, ids, counter);
    }
    let _ = writeln!(out, "{pad}end");
}

fn mermaid_node<'g>(
    out: &mut String,
    n: &'g Node,
    pad: &str,
    ids: &mut HashMap<&'g str, String>,
    counter: &mut (usize, usize),
) {
    let id = format!("n{}", counter.1);
    counter.1 += 1;
    let _ = writeln!(out, "{pad}  {id}[\"{}<br/>{}\"]", m(&n.name), m(&n.detail));
    ids.insert(&n.key, id);
}
