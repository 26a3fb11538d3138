//! Security groups with a connections API: `tasks.allow_from(&alb, Port::tcp(3000))` writes the
//! ingress rule on one group and the matching egress rule on the other, as separate rule
//! resources that reference group ids (never CIDRs), so that groups which reference each other
//! create no dependency cycle, even across stacks.
//!
//! A group created elsewhere is imported with [`SecurityGroup::from_id`]: rules are then written
//! only on the side managed here, and a rule that would change only the imported group is
//! refused (an error, or an error annotation at synthesis for the calls that return `&mut Self`).

use rcdk_core::kind::{SecurityGroupId, VpcId};
use rcdk_core::{
    Annotation, Child, ChildId, ChildMut, Construct, NodeId, Resource, Scanner, Tag, Val,
};

use crate::cfn::ec2;
use crate::error::ConstructError;
use crate::network::cidr::Cidr;
use crate::network::port::{Port, Protocol};

/// Anything that has a security group (a load balancer, a service, a database, an endpoint):
/// the connections API works between any two of them.
pub trait Connectable {
    /// The security group.
    fn security_group(&self) -> &SecurityGroup;
    /// The security group, mutably (rules are added to it).
    fn security_group_mut(&mut self) -> &mut SecurityGroup;

    /// Admits `port` from `peer`: ingress on this group from the peer's group and egress on
    /// the peer's group to this one, both stored here (this is the consuming side). A rule on
    /// an imported group is not written (it belongs where that group is managed).
    fn allow_from(&mut self, peer: &dyn Connectable, port: Port) -> &mut Self
    where
        Self: Sized,
    {
        self.security_group_mut().allow_from(peer, port);
        self
    }

    /// Lets this group reach `peer` on `port`: egress here and ingress on the peer's group,
    /// both stored here. A rule on an imported group is not written.
    fn allow_to(&mut self, peer: &dyn Connectable, port: Port) -> &mut Self
    where
        Self: Sized,
    {
        self.security_group_mut().allow_to(peer, port);
        self
    }
}

/// One rule resource created by the connections API.
#[derive(Debug, Clone)]
enum Rule {
    Ingress(ec2::SecurityGroupIngress),
    Egress(ec2::SecurityGroupEgress),
}

impl Rule {
    fn construct(&self) -> &dyn Construct {
        match self {
            Rule::Ingress(r) => r,
            Rule::Egress(r) => r,
        }
    }
    fn construct_mut(&mut self) -> &mut dyn Construct {
        match self {
            Rule::Ingress(r) => r,
            Rule::Egress(r) => r,
        }
    }
}

/// One rule and the group at its other end (none for CIDR and internal rules), to tell apart
/// two imported peers whose rules would get the same id.
#[derive(Debug, Clone)]
struct RuleEntry {
    id: ChildId,
    rule: Rule,
    peer: Option<Val<SecurityGroupId>>,
}

/// Where the group comes from.
#[derive(Debug, Clone)]
enum Origin {
    /// Created by this app (boxed: the resource is large, an imported group is an id).
    Owned(Box<ec2::SecurityGroup>),
    /// Created elsewhere: only its id is known. `node` is an identity that is never placed in a
    /// template.
    Imported {
        id: Val<SecurityGroupId>,
        node: NodeId,
    },
}

/// A security group of a VPC with no inline rules except the placeholder that removes
/// CloudFormation's default allow-all egress. Rules are added with the connections API.
///
/// ```
/// use rcdk_constructs::network::{Connectable, Port, SecurityGroup};
/// let mut alb = SecurityGroup::new("vpc-0abc1234", "alb", "Load balancer: HTTPS from the internet");
/// let mut tasks = SecurityGroup::new("vpc-0abc1234", "tasks", "Tasks: traffic from the ALB only");
/// alb.allow_from_any_ipv4(Port::tcp(443));
/// tasks.allow_from(&alb, Port::tcp(3000));
/// ```
#[derive(Debug, Clone)]
pub struct SecurityGroup {
    origin: Origin,
    name: String,
    rules: Vec<RuleEntry>,
    /// Rules refused after the fact, reported as errors at synthesis.
    problems: Vec<String>,
}

/// The characters EC2 accepts in group and rule descriptions.
fn description(text: &str) -> String {
    let allowed = |c: char| c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c);
    let mut s: String = text
        .chars()
        .map(|c| if allowed(c) { c } else { ' ' })
        .collect();
    s.truncate(255);
    s
}

/// Inline egress rule that matches nothing (ICMP type 252 code 86 to 255.255.255.255/32), as
/// the AWS CDK writes it: its presence replaces the allow-all egress that CloudFormation gives a
/// group without inline egress rules.
fn disallow_all_egress() -> ec2::security_group::Egress {
    ec2::security_group::Egress::new("icmp")
        .cidr_ip("255.255.255.255/32")
        .description("Disallow all traffic (no outbound rule was asked for)")
        .from_port(252)
        .to_port(86)
}

impl SecurityGroup {
    /// A group in `vpc`. `name` is a short label used in rule descriptions and the `Name` tag
    /// (not the EC2 group name, which is left to CloudFormation so that replacement works);
    /// `description` says what the group admits.
    pub fn new(vpc: impl Into<Val<VpcId>>, name: &str, description_text: &str) -> SecurityGroup {
        let resource = ec2::SecurityGroup::new(description(description_text))
            .vpc_id(vpc.into())
            .security_group_egress(vec![disallow_all_egress()])
            .tags(vec![Tag::new("Name", name)]);
        SecurityGroup {
            origin: Origin::Owned(Box::new(resource)),
            name: description(name),
            rules: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// A group that exists already (another stack's or team's), by id: a literal, a template
    /// parameter or `Val::import(..)`. Nothing is written for the group itself. `name` is a
    /// short label for rule descriptions and for the ids of rules that reference the group, so
    /// give each imported group its own.
    ///
    /// Rules are written only for groups managed here: `ours.allow_from(&imported, port)`
    /// writes the ingress on `ours` and no egress on `imported`. Called on the imported group,
    /// the connections API writes only the rule on a peer managed here (stored in the imported
    /// group, so place it in a stack); rules that would change only the imported group
    /// (`allow_from_any_ipv4`, `allow_internally`, ...) are refused: the CIDR calls return an
    /// error, the others an error annotation at synthesis.
    ///
    /// ```
    /// use rcdk_constructs::network::{Connectable, Port, SecurityGroup};
    /// use rcdk_core::{App, Stack};
    /// let shared = SecurityGroup::from_id("sg-0123456789abcdef0", "shared-alb");
    /// let mut tasks = SecurityGroup::new("vpc-0a1b2c3d4e5f60718", "tasks", "Application tasks");
    /// // Ingress on `tasks` only: the shared group's egress is its owners' business.
    /// tasks.allow_from(&shared, Port::tcp(8080));
    /// assert_eq!(tasks.rule_count(), 1);
    /// assert!(shared.is_imported());
    /// let mut app = App::new();
    /// app.add(Stack::new("Service").with("Tasks", tasks));
    /// app.synth().unwrap();
    /// ```
    pub fn from_id(id: impl Into<Val<SecurityGroupId>>, name: &str) -> SecurityGroup {
        SecurityGroup {
            origin: Origin::Imported {
                id: id.into(),
                node: NodeId::fresh(),
            },
            name: description(name),
            rules: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Whether the group was imported with [`from_id`](Self::from_id).
    pub fn is_imported(&self) -> bool {
        matches!(self.origin, Origin::Imported { .. })
    }

    /// Allows every outbound connection (the EC2 default the AWS CDK also opts out of). Explicit
    /// because it lets a compromised workload reach anything. Refused for an imported group.
    pub fn allow_all_outbound(mut self) -> SecurityGroup {
        match &mut self.origin {
            Origin::Owned(resource) => {
                let everything = ec2::security_group::Egress::new("-1")
                    .cidr_ip("0.0.0.0/0")
                    .description("Allow all outbound traffic (asked for explicitly)");
                **resource = (**resource).clone().security_group_egress(vec![everything]);
            }
            Origin::Imported { .. } => self.refuse("allow_all_outbound()"),
        }
        self
    }

    /// The group id (`Fn::GetAtt GroupId`, or the id given to [`from_id`](Self::from_id)).
    pub fn group_id(&self) -> Val<SecurityGroupId> {
        match &self.origin {
            Origin::Owned(resource) => resource.attr_group_id(),
            Origin::Imported { id, .. } => id.clone(),
        }
    }

    /// The label given at creation.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The node of the group resource (what peer-derived rule ids are named after). An
    /// imported group has a node of its own that is never in a template; rules that reference
    /// it are named after its label instead.
    pub fn node(&self) -> NodeId {
        match &self.origin {
            Origin::Owned(resource) => resource.core().node(),
            Origin::Imported { node, .. } => *node,
        }
    }

    /// The generated resource, for properties this type does not set; `None` for an imported
    /// group, which has no resource here.
    pub fn resource_mut(&mut self) -> Option<&mut ec2::SecurityGroup> {
        match &mut self.origin {
            Origin::Owned(resource) => Some(&mut **resource),
            Origin::Imported { .. } => None,
        }
    }

    /// How many rule resources the connections API created here.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    fn push(&mut self, id: ChildId, rule: Rule, peer: Option<Val<SecurityGroupId>>) {
        match self.rules.iter().find(|existing| existing.id == id) {
            // The same connection asked for twice is one rule.
            Some(existing) if existing.peer == peer => {}
            Some(_) => {
                let id = match &id {
                    ChildId::Named(id) => id.clone(),
                    ChildId::Peer { prefix, suffix, .. } => format!("{prefix}..{suffix}"),
                };
                self.problems.push(format!(
                    "two different imported security groups give rule {id} of group '{}' the same id; give each group passed to SecurityGroup::from_id its own name",
                    self.name
                ));
            }
            None => self.rules.push(RuleEntry { id, rule, peer }),
        }
    }

    /// The id of a rule between this group and `peer`: derived from the peer's place in the tree
    /// when it is managed here, from its label when it is imported (it may be in no tree).
    fn peer_id(prefix: &str, peer: &SecurityGroup, port: Port) -> ChildId {
        match peer.origin {
            Origin::Owned(_) => ChildId::Peer {
                prefix: prefix.to_string(),
                peer: peer.node(),
                suffix: port.id_fragment(),
            },
            Origin::Imported { .. } => ChildId::Named(format!(
                "{prefix}Imported{}{}",
                id_label(&peer.name),
                port.id_fragment()
            )),
        }
    }

    /// How messages name this group: its label and, when it is a literal, its id.
    fn what(&self) -> String {
        match self.group_id().value().as_str() {
            Some(id) => format!("security group '{}' ({id})", self.name),
            None => format!("security group '{}'", self.name),
        }
    }

    fn imported_error(&self, call: &str) -> ConstructError {
        ConstructError::ImportedSecurityGroup {
            group: self.what(),
            call: call.to_string(),
        }
    }

    fn imported_message(&self, call: &str) -> String {
        self.imported_error(call).to_string()
    }

    /// Records a refused call on an imported group, reported as an error at synthesis.
    fn refuse(&mut self, call: &str) {
        let message = self.imported_message(call);
        if !self.problems.contains(&message) {
            self.problems.push(message);
        }
    }

    /// Admits `port` from `peer` (see [`Connectable::allow_from`]). Only rules on groups managed
    /// here are written; with both groups imported nothing is, and synthesis reports an error.
    pub fn allow_from(&mut self, peer: &dyn Connectable, port: Port) -> &mut Self {
        let peer = peer.security_group();
        if self.is_imported() && peer.is_imported() {
            let call = format!("allow_from({}, {port})", peer.what());
            self.refuse(&call);
            return self;
        }
        if !self.is_imported() {
            let ingress = ingress_rule(self.group_id(), port)
                .source_security_group_id(peer.group_id())
                .description(description(&format!("{port} from {}", peer.name)));
            self.push(
                Self::peer_id("IngressFrom", peer, port),
                Rule::Ingress(ingress),
                Some(peer.group_id()),
            );
        }
        if !peer.is_imported() {
            let egress = egress_rule(peer.group_id(), port)
                .destination_security_group_id(self.group_id())
                .description(description(&format!("{port} to {}", self.name)));
            self.push(
                Self::peer_id("EgressFrom", peer, port),
                Rule::Egress(egress),
                Some(peer.group_id()),
            );
        }
        self
    }

    /// Lets this group reach `peer` on `port` (see [`Connectable::allow_to`]). Only rules on
    /// groups managed here are written; with both groups imported nothing is, and synthesis
    /// reports an error.
    pub fn allow_to(&mut self, peer: &dyn Connectable, port: Port) -> &mut Self {
        let peer = peer.security_group();
        if self.is_imported() && peer.is_imported() {
            let call = format!("allow_to({}, {port})", peer.what());
            self.refuse(&call);
            return self;
        }
        if !self.is_imported() {
            let egress = egress_rule(self.group_id(), port)
                .destination_security_group_id(peer.group_id())
                .description(description(&format!("{port} to {}", peer.name)));
            self.push(
                Self::peer_id("EgressTo", peer, port),
                Rule::Egress(egress),
                Some(peer.group_id()),
            );
        }
        if !peer.is_imported() {
            let ingress = ingress_rule(peer.group_id(), port)
                .source_security_group_id(self.group_id())
                .description(description(&format!("{port} from {}", self.name)));
            self.push(
                Self::peer_id("IngressTo", peer, port),
                Rule::Ingress(ingress),
                Some(peer.group_id()),
            );
        }
        self
    }

    /// Admits `port` between members of this group (both directions). Refused for an imported
    /// group (an error at synthesis).
    pub fn allow_internally(&mut self, port: Port) -> &mut Self {
        if self.is_imported() {
            self.refuse(&format!("allow_internally({port})"));
            return self;
        }
        let what = description(&format!("{port} within {}", self.name));
        let ingress = ingress_rule(self.group_id(), port)
            .source_security_group_id(self.group_id())
            .description(what.clone());
        let egress = egress_rule(self.group_id(), port)
            .destination_security_group_id(self.group_id())
            .description(what);
        let fragment = port.id_fragment();
        self.push(
            format!("IngressInternal{fragment}").into(),
            Rule::Ingress(ingress),
            None,
        );
        self.push(
            format!("EgressInternal{fragment}").into(),
            Rule::Egress(egress),
            None,
        );
        self
    }

    /// Admits `port` from every IPv4 address (0.0.0.0/0): the one way to open a group to the
    /// internet, named so that it stands out in review.
    ///
    /// Since this call is the explicit opt-in, the rule is marked as deliberate for the scanners
    /// that flag any ingress from the internet (cdk-nag's `AwsSolutions-EC23`) and for public
    /// HTTP (a range containing port 80, checkov's `CKV_AWS_260`); SSH, RDP and all-traffic
    /// rules stay flagged (checkov's `CKV_AWS_24` and `CKV_AWS_25` too): those belong behind
    /// Session Manager, not on the internet.
    ///
    /// Refused for an imported group (an error at synthesis).
    pub fn allow_from_any_ipv4(&mut self, port: Port) -> &mut Self {
        let reason = format!(
            "{port} was opened to every IPv4 address explicitly with allow_from_any_ipv4: a \
             public entry point (such as a load balancer listener) that the internet must reach."
        );
        self.allow_from_any_ipv4_because(port, &reason)
    }

    /// [`allow_from_any_ipv4`](Self::allow_from_any_ipv4) with the reason a construct that opens
    /// its own group to the internet (an internet-facing load balancer) gives for it.
    pub(crate) fn allow_from_any_ipv4_because(&mut self, port: Port, reason: &str) -> &mut Self {
        if self.is_imported() {
            self.refuse(&format!("allow_from_any_ipv4({port})"));
            return self;
        }
        let mut ingress = ingress_rule(self.group_id(), port)
            .cidr_ip("0.0.0.0/0")
            .description(description(&format!("{port} from anywhere (IPv4)")));
        if port.protocol() == Protocol::Tcp && port.from_port() <= 80 && 80 <= port.to_port() {
            ingress = ingress.skip_check(
                "CKV_AWS_260",
                "Public HTTP was requested explicitly with allow_from_any_ipv4: an \
                 internet-facing entry point such as a load balancer listener (which should \
                 redirect to HTTPS).",
            );
        }
        if !is_remote_administration(port) {
            ingress = ingress.suppress(Scanner::CdkNag, ANY_IPV4_INGRESS_RULE, reason);
        }
        self.push(
            format!("IngressFromAnyIpv4{}", port.id_fragment()).into(),
            Rule::Ingress(ingress),
            None,
        );
        self
    }

    /// Lets this group reach every IPv4 address on `port` (0.0.0.0/0), e.g. HTTPS to external
    /// APIs through a NAT gateway. Refused for an imported group (an error at synthesis).
    pub fn allow_to_any_ipv4(&mut self, port: Port) -> &mut Self {
        if self.is_imported() {
            self.refuse(&format!("allow_to_any_ipv4({port})"));
            return self;
        }
        let egress = egress_rule(self.group_id(), port)
            .cidr_ip("0.0.0.0/0")
            .description(description(&format!("{port} to anywhere (IPv4)")));
        self.push(
            format!("EgressToAnyIpv4{}", port.id_fragment()).into(),
            Rule::Egress(egress),
            None,
        );
        self
    }

    /// Admits `port` from a CIDR block (another network, a VPN). 0.0.0.0/0 is refused here: use
    /// [`allow_from_any_ipv4`](Self::allow_from_any_ipv4). Refused for an imported group.
    pub fn allow_from_cidr(&mut self, cidr: Cidr, port: Port) -> Result<&mut Self, ConstructError> {
        if self.is_imported() {
            return Err(self.imported_error(&format!("allow_from_cidr({cidr}, {port})")));
        }
        if cidr.prefix() == 0 {
            return Err(ConstructError::AnyIpv4NotExplicit {
                call: "allow_from_cidr",
                cidr: cidr.to_string(),
                instead: "allow_from_any_ipv4",
            });
        }
        let ingress = ingress_rule(self.group_id(), port)
            .cidr_ip(cidr.to_string())
            .description(description(&format!("{port} from {cidr}")));
        self.push(
            format!("IngressFrom{}{}", cidr_id(cidr), port.id_fragment()).into(),
            Rule::Ingress(ingress),
            None,
        );
        Ok(self)
    }

    /// Lets this group reach a CIDR block on `port`. 0.0.0.0/0 is refused here: use
    /// [`allow_to_any_ipv4`](Self::allow_to_any_ipv4). Refused for an imported group.
    pub fn allow_to_cidr(&mut self, cidr: Cidr, port: Port) -> Result<&mut Self, ConstructError> {
        if self.is_imported() {
            return Err(self.imported_error(&format!("allow_to_cidr({cidr}, {port})")));
        }
        if cidr.prefix() == 0 {
            return Err(ConstructError::AnyIpv4NotExplicit {
                call: "allow_to_cidr",
                cidr: cidr.to_string(),
                instead: "allow_to_any_ipv4",
            });
        }
        let egress = egress_rule(self.group_id(), port)
            .cidr_ip(cidr.to_string())
            .description(description(&format!("{port} to {cidr}")));
        self.push(
            format!("EgressTo{}{}", cidr_id(cidr), port.id_fragment()).into(),
            Rule::Egress(egress),
            None,
        );
        Ok(self)
    }
}

/// A label as an id part: its letters and digits, each word capitalised (`shared-alb` becomes
/// `SharedAlb`); `Group` when nothing is left.
fn id_label(name: &str) -> String {
    let label: String = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect();
    if label.is_empty() {
        "Group".to_string()
    } else {
        label
    }
}

/// cdk-nag's rule against ingress from 0.0.0.0/0 or ::/0.
const ANY_IPV4_INGRESS_RULE: &str = "AwsSolutions-EC23";

/// SSH (22) and RDP (3389), or every protocol: never opened to the internet on purpose.
fn is_remote_administration(port: Port) -> bool {
    let covers = |p: i32| port.from_port() <= p && p <= port.to_port();
    match port.protocol() {
        Protocol::All => true,
        Protocol::Tcp | Protocol::Udp => covers(22) || covers(3389),
        Protocol::Icmp => false,
    }
}

fn cidr_id(cidr: Cidr) -> String {
    cidr.to_string().replace(['.', '/'], "x")
}

fn ingress_rule(group: Val<SecurityGroupId>, port: Port) -> ec2::SecurityGroupIngress {
    let rule = ec2::SecurityGroupIngress::new(port.protocol().sg_name()).group_id(group);
    if port.protocol() == Protocol::All {
        rule
    } else {
        rule.from_port(port.from_port()).to_port(port.to_port())
    }
}

fn egress_rule(group: Val<SecurityGroupId>, port: Port) -> ec2::SecurityGroupEgress {
    let rule = ec2::SecurityGroupEgress::new(port.protocol().sg_name(), group);
    if port.protocol() == Protocol::All {
        rule
    } else {
        rule.from_port(port.from_port()).to_port(port.to_port())
    }
}

impl Connectable for SecurityGroup {
    fn security_group(&self) -> &SecurityGroup {
        self
    }
    fn security_group_mut(&mut self) -> &mut SecurityGroup {
        self
    }
}

impl Construct for SecurityGroup {
    fn construct_type(&self) -> &str {
        match self.origin {
            Origin::Owned(_) => "SecurityGroup",
            Origin::Imported { .. } => "ImportedSecurityGroup",
        }
    }
    fn children(&self) -> Vec<Child<'_>> {
        let mut out = Vec::new();
        if let Origin::Owned(resource) = &self.origin {
            out.push(Child {
                id: "Resource".into(),
                node: &**resource,
            });
        }
        out.extend(self.rules.iter().map(|entry| Child {
            id: entry.id.clone(),
            node: entry.rule.construct(),
        }));
        out
    }
    fn children_mut(&mut self) -> Vec<ChildMut<'_>> {
        let mut out = Vec::new();
        if let Origin::Owned(resource) = &mut self.origin {
            out.push(ChildMut {
                id: "Resource".into(),
                node: &mut **resource,
            });
        }
        out.extend(self.rules.iter_mut().map(|entry| ChildMut {
            id: entry.id.clone(),
            node: entry.rule.construct_mut(),
        }));
        out
    }
    fn annotations(&self) -> Vec<Annotation> {
        self.problems.iter().map(Annotation::error).collect()
    }
}
