//! Builds the [`Graph`] model from an assembly's templates, paths and tree.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::refs::{port_label, refs_in, text, RawRef};
use super::{simplify, Cluster, Edge, EdgeKind, Graph, GraphOptions, Node};
use crate::synth::Assembly;

/// A resource type that connects two others: drawn as an edge `from` -> `to` unless `all` is
/// asked. Each list names properties; the first one present wins.
struct Link {
    type_name: &'static str,
    from: &'static [&'static str],
    to: &'static [&'static str],
    label: &'static [&'static str],
}

const LINKS: &[Link] = &[
    Link {
        type_name: "AWS::EC2::SubnetRouteTableAssociation",
        from: &["SubnetId"],
        to: &["RouteTableId"],
        label: &[],
    },
    Link {
        type_name: "AWS::EC2::SubnetNetworkAclAssociation",
        from: &["SubnetId"],
        to: &["NetworkAclId"],
        label: &[],
    },
    Link {
        type_name: "AWS::EC2::VPCGatewayAttachment",
        from: &["VpcId"],
        to: &["InternetGatewayId", "VpnGatewayId"],
        label: &[],
    },
    Link {
        type_name: "AWS::EC2::Route",
        from: &["RouteTableId"],
        to: &[
            "GatewayId",
            "NatGatewayId",
            "TransitGatewayId",
            "VpcEndpointId",
            "VpcPeeringConnectionId",
            "InstanceId",
            "NetworkInterfaceId",
            "EgressOnlyInternetGatewayId",
        ],
        label: &[
            "DestinationCidrBlock",
            "DestinationIpv6CidrBlock",
            "DestinationPrefixListId",
        ],
    },
];

/// Resource types drawn as a count on the resource they belong to (type, property naming it,
/// what the count is of).
const FOLDS: &[(&str, &str, &str)] = &[("AWS::EC2::NetworkAclEntry", "NetworkAclId", "entries")];

/// Types that nearly everything references (`VpcId`): edges into them are left out unless `all`
/// is asked, the boxes say enough.
const UBIQUITOUS: &[&str] = &["AWS::EC2::VPC"];

const INGRESS: &str = "AWS::EC2::SecurityGroupIngress";
const EGRESS: &str = "AWS::EC2::SecurityGroupEgress";
const GROUP: &str = "AWS::EC2::SecurityGroup";

struct Res<'a> {
    stack: usize,
    logical: &'a str,
    key: String,
    /// Path components, when the resource has a construct path.
    path: Option<Vec<&'a str>>,
    type_name: &'a str,
    body: &'a Value,
}

struct Ctx<'a> {
    stack_ids: Vec<&'a str>,
    templates: &'a [Value],
    resources: Vec<Res<'a>>,
    by_logical: HashMap<(usize, &'a str), usize>,
    /// Export name -> producer stack and exported value.
    exports: HashMap<&'a str, (usize, &'a Value)>,
    /// SSM parameter name -> producer stack and stored value (cross-stack via SSM).
    ssm: HashMap<&'a str, (usize, &'a Value)>,
}

pub fn build(assembly: &Assembly, options: GraphOptions) -> Graph {
    let templates: Vec<Value> = assembly.stacks.iter().map(|s| s.template_json()).collect();
    let ctx = Ctx::new(assembly, &templates);
    let mut externals: Vec<Node> = Vec::new();
    let mut edges: BTreeSet<Edge> = BTreeSet::new();
    let mut hidden: HashSet<usize> = HashSet::new();
    let mut folded: HashMap<String, (usize, &str)> = HashMap::new();

    for (i, r) in ctx.resources.iter().enumerate() {
        let props = r.body.get("Properties").unwrap_or(&Value::Null);
        match r.type_name {
            INGRESS | EGRESS => {
                let egress = r.type_name == EGRESS;
                if let Some(e) = ctx.rule(r.stack, props, None, egress, options, &mut externals) {
                    edges.insert(e);
                }
                if !options.all {
                    hidden.insert(i);
                }
            }
            GROUP => {
                for (list, egress) in [
                    ("SecurityGroupIngress", false),
                    ("SecurityGroupEgress", true),
                ] {
                    for rule in props
                        .get(list)
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let own = Some(r.key.as_str());
                        if let Some(e) =
                            ctx.rule(r.stack, rule, own, egress, options, &mut externals)
                        {
                            edges.insert(e);
                        }
                    }
                }
            }
            _ => {}
        }
        if options.all {
            continue;
        }
        if r.path.is_none() {
            hidden.insert(i);
            continue;
        }
        if let Some(link) = LINKS.iter().find(|l| l.type_name == r.type_name) {
            let end = |names: &[&str]| {
                names
                    .iter()
                    .find_map(|n| props.get(*n))
                    .and_then(|v| ctx.first_node(r.stack, v))
            };
            if let (Some(a), Some(b)) = (end(link.from), end(link.to)) {
                let label = link
                    .label
                    .iter()
                    .find_map(|n| props.get(*n))
                    .map(text)
                    .unwrap_or_default();
                edges.insert(Edge {
                    from: a,
                    to: b,
                    kind: EdgeKind::Link,
                    label,
                    to_box: None,
                });
                hidden.insert(i);
            }
        }
        if let Some((_, prop, noun)) = FOLDS.iter().find(|f| f.0 == r.type_name) {
            if let Some(owner) = props.get(*prop).and_then(|v| ctx.first_node(r.stack, v)) {
                folded.entry(owner).or_insert((0, noun)).0 += 1;
                hidden.insert(i);
            }
        }
    }

    let hidden_keys: HashSet<&str> = hidden
        .iter()
        .map(|&i| ctx.resources[i].key.as_str())
        .collect();
    for (i, r) in ctx.resources.iter().enumerate() {
        if hidden.contains(&i) {
            continue;
        }
        let mut raw = Vec::new();
        let props = r.body.get("Properties").unwrap_or(&Value::Null);
        match props {
            // Inline rules are drawn as permissions already.
            Value::Object(map) if r.type_name == GROUP && !options.all => map
                .iter()
                .filter(|(k, _)| {
                    !k.starts_with("SecurityGroupIngress") && !k.starts_with("SecurityGroupEgress")
                })
                .for_each(|(_, v)| refs_in(v, &mut raw)),
            _ => refs_in(props, &mut raw),
        }
        for rr in raw {
            let Some((target, attr)) = ctx.resolve(r.stack, &rr, 0) else {
                continue;
            };
            if target == r.key || hidden_keys.contains(target.as_str()) {
                continue;
            }
            if !options.all && (ctx.nested_inside_owner(i, &target) || ctx.ubiquitous(&target)) {
                continue;
            }
            edges.insert(Edge {
                from: r.key.clone(),
                to: target,
                kind: EdgeKind::Reference,
                label: attr.unwrap_or_default(),
                to_box: None,
            });
        }
    }
    // Drop edges to or from nodes that are not drawn (a rule on a hidden resource).
    let drawn: HashSet<String> = ctx
        .resources
        .iter()
        .enumerate()
        .filter(|(i, _)| !hidden.contains(i))
        .map(|(_, r)| r.key.clone())
        .chain(externals.iter().map(|n| n.key.clone()))
        .collect();
    let mut edges: Vec<Edge> = edges
        .into_iter()
        .filter(|e| drawn.contains(&e.from) && drawn.contains(&e.to))
        .collect();
    let mut clusters = clusters(assembly, &ctx, &hidden, &folded);
    if !options.all {
        simplify::drop_mirrored_egress(&mut edges);
        let nodes: Vec<(String, String)> = ctx
            .resources
            .iter()
            .enumerate()
            .filter(|(i, _)| !hidden.contains(i))
            .map(|(_, r)| (r.key.clone(), r.type_name.to_string()))
            .collect();
        edges = simplify::bundle(edges, &nodes);
        let mut top = Vec::new();
        for stack in &mut clusters {
            simplify::collapse(&mut stack.clusters, &mut top);
            stack.nodes.append(&mut top);
        }
    }
    Graph {
        clusters,
        external: externals,
        edges,
    }
}

impl<'a> Ctx<'a> {
    fn new(assembly: &'a Assembly, templates: &'a [Value]) -> Ctx<'a> {
        let mut ctx = Ctx {
            stack_ids: assembly.stacks.iter().map(|s| s.id.as_str()).collect(),
            templates,
            resources: Vec::new(),
            by_logical: HashMap::new(),
            exports: HashMap::new(),
            ssm: HashMap::new(),
        };
        for (si, (stack, template)) in assembly.stacks.iter().zip(templates).enumerate() {
            for (logical, body) in section(template, "Resources") {
                let path = stack.paths.get(logical.as_str());
                let key = path
                    .cloned()
                    .unwrap_or_else(|| format!("{}/{logical}", stack.id));
                let type_name = body.get("Type").and_then(Value::as_str).unwrap_or("?");
                if type_name == "AWS::SSM::Parameter" {
                    let props = body.get("Properties");
                    if let (Some(name), Some(value)) = (
                        props.and_then(|p| p.get("Name")).and_then(Value::as_str),
                        props.and_then(|p| p.get("Value")),
                    ) {
                        ctx.ssm.insert(name, (si, value));
                    }
                }
                ctx.by_logical
                    .insert((si, logical.as_str()), ctx.resources.len());
                ctx.resources.push(Res {
                    stack: si,
                    logical,
                    key,
                    path: path.map(|p| p.split('/').collect()),
                    type_name,
                    body,
                });
            }
            for (_, output) in section(template, "Outputs") {
                if let (Some(name), Some(value)) = (
                    output.pointer("/Export/Name").and_then(Value::as_str),
                    output.get("Value"),
                ) {
                    ctx.exports.insert(name, (si, value));
                }
            }
        }
        ctx
    }

    /// The node a reference leads to (following exports and SSM parameters to other stacks),
    /// with the attribute read, if any.
    fn resolve(&self, stack: usize, r: &RawRef, depth: u8) -> Option<(String, Option<String>)> {
        if depth > 2 {
            return None;
        }
        let follow = |(producer, value): (usize, &Value)| {
            let mut inner = Vec::new();
            refs_in(value, &mut inner);
            inner
                .iter()
                .find_map(|r| self.resolve(producer, r, depth + 1))
        };
        match r {
            RawRef::Logical(id, attr) => {
                if let Some(&i) = self.by_logical.get(&(stack, id.as_str())) {
                    return Some((self.resources[i].key.clone(), attr.clone()));
                }
                // A parameter reading a value another stack wrote to SSM.
                let param = self.templates[stack]
                    .pointer(&format!("/Parameters/{}", escape_pointer(id)))?;
                let is_ssm = param
                    .get("Type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.starts_with("AWS::SSM::Parameter::Value"));
                let name = param.get("Default").and_then(Value::as_str)?;
                if !is_ssm {
                    return None;
                }
                self.ssm.get(name).copied().and_then(follow)
            }
            RawRef::Import(name) => self.exports.get(name.as_str()).copied().and_then(follow),
        }
    }

    fn first_node(&self, stack: usize, value: &Value) -> Option<String> {
        let mut raw = Vec::new();
        refs_in(value, &mut raw);
        raw.iter()
            .find_map(|r| self.resolve(stack, r, 0))
            .map(|(key, _)| key)
    }

    /// Whether resource `i` sits inside a construct (below the stack) that also owns `target`
    /// directly: the boxes already show that relation.
    fn nested_inside_owner(&self, i: usize, target: &str) -> bool {
        let Some(source) = &self.resources[i].path else {
            return false;
        };
        let owner: Vec<&str> = target.split('/').collect();
        let owner = &owner[..owner.len() - 1];
        owner.len() >= 2 && source.len() > owner.len() + 1 && source.starts_with(owner)
    }

    fn ubiquitous(&self, key: &str) -> bool {
        self.resources
            .iter()
            .any(|r| r.key == key && UBIQUITOUS.contains(&r.type_name))
    }

    /// One security-group rule as an edge. `own` is the group an inline rule belongs to.
    fn rule(
        &self,
        stack: usize,
        rule: &Value,
        own: Option<&str>,
        egress: bool,
        options: GraphOptions,
        externals: &mut Vec<Node>,
    ) -> Option<Edge> {
        let label = port_label(rule);
        let group = match own {
            Some(key) => key.to_string(),
            None => self.endpoint(stack, rule.get("GroupId")?, "security group", externals),
        };
        let peer_props: &[&str] = if egress {
            &[
                "DestinationSecurityGroupId",
                "CidrIp",
                "CidrIpv6",
                "DestinationPrefixListId",
            ]
        } else {
            &[
                "SourceSecurityGroupId",
                "CidrIp",
                "CidrIpv6",
                "SourcePrefixListId",
            ]
        };
        let (prop, value) = peer_props
            .iter()
            .find_map(|p| rule.get(*p).map(|v| (*p, v)))?;
        // Allow-all egress is the default, and 255.255.255.255/32 is the placeholder rule that
        // stands for "no egress": neither says anything about the architecture.
        let noise = (label == "all traffic" && text(value) == "0.0.0.0/0")
            || text(value) == "255.255.255.255/32";
        if egress && !options.all && noise {
            return None;
        }
        let what = if prop.contains("SecurityGroup") {
            "security group"
        } else if prop.contains("PrefixList") {
            "prefix list"
        } else {
            "CIDR"
        };
        let peer = self.endpoint(stack, value, what, externals);
        let (from, to, kind) = if egress {
            (group, peer, EdgeKind::Egress)
        } else {
            (peer, group, EdgeKind::Ingress)
        };
        Some(Edge {
            from,
            to,
            kind,
            label,
            to_box: None,
        })
    }

    /// A node for `value`: the resource it references, else an external node named after it.
    fn endpoint(
        &self,
        stack: usize,
        value: &Value,
        what: &str,
        externals: &mut Vec<Node>,
    ) -> String {
        if let Some(key) = self.first_node(stack, value) {
            return key;
        }
        let name = match value {
            Value::String(s) => s.clone(),
            other => {
                let mut raw = Vec::new();
                refs_in(other, &mut raw);
                match raw.first() {
                    Some(RawRef::Logical(id, _)) => id.clone(),
                    Some(RawRef::Import(name)) => name.clone(),
                    None => text(other),
                }
            }
        };
        let key = format!("external:{name}");
        if !externals.iter().any(|n| n.key == key) {
            externals.push(Node {
                key: key.clone(),
                name,
                detail: what.to_string(),
            });
        }
        key
    }
}

fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn section<'v>(template: &'v Value, name: &str) -> Vec<(&'v String, &'v Value)> {
    template
        .get(name)
        .and_then(Value::as_object)
        .map(|m| m.iter().collect())
        .unwrap_or_default()
}

/// Construct path -> construct type, from the tree.
fn construct_types(tree: &Value) -> HashMap<String, String> {
    fn walk(node: &Value, out: &mut HashMap<String, String>) {
        if let (Some(path), Some(ty)) = (
            node.get("path").and_then(Value::as_str),
            node.get("type").and_then(Value::as_str),
        ) {
            out.insert(path.to_string(), ty.to_string());
        }
        for child in node
            .get("children")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(child, out);
        }
    }
    let mut out = HashMap::new();
    for stack in tree
        .get("stacks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        walk(stack, &mut out);
    }
    out
}

fn clusters(
    assembly: &Assembly,
    ctx: &Ctx<'_>,
    hidden: &HashSet<usize>,
    folded: &HashMap<String, (usize, &str)>,
) -> Vec<Cluster> {
    let types = construct_types(&assembly.tree);
    let caption = |path: &str, id: &str| match types.get(path).map(String::as_str) {
        Some("Group") | None => id.to_string(),
        Some(ty) => format!("{id} ({ty})"),
    };
    let mut roots: Vec<Cluster> = ctx
        .stack_ids
        .iter()
        .map(|id| Cluster {
            path: id.to_string(),
            label: caption(id, id),
            ..Cluster::default()
        })
        .collect();
    for (i, r) in ctx.resources.iter().enumerate() {
        if hidden.contains(&i) {
            continue;
        }
        let components: Vec<&str> = match &r.path {
            Some(p) => p.clone(),
            None => vec![ctx.stack_ids[r.stack], r.logical],
        };
        let mut cur = &mut roots[r.stack];
        for depth in 1..components.len() - 1 {
            let path = components[..=depth].join("/");
            let pos = match cur.clusters.iter().position(|c| c.path == path) {
                Some(pos) => pos,
                None => {
                    cur.clusters.push(Cluster {
                        label: caption(&path, components[depth]),
                        path,
                        ..Cluster::default()
                    });
                    cur.clusters.len() - 1
                }
            };
            cur = &mut cur.clusters[pos];
        }
        let mut detail = r
            .type_name
            .strip_prefix("AWS::")
            .unwrap_or(r.type_name)
            .to_string();
        if let Some((n, noun)) = folded.get(&r.key) {
            detail.push_str(&format!(", {n} {noun}"));
        }
        cur.nodes.push(Node {
            key: r.key.clone(),
            name: components[components.len() - 1].to_string(),
            detail,
        });
    }
    roots
}
