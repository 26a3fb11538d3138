//! Security groups with a connections API: `tasks.allow_from(&alb, Port::tcp(3000))` writes the
//! ingress rule on one group and the matching egress rule on the other, as separate rule
//! resources that reference group ids (never CIDRs), so that groups which reference each other
//! create no dependency cycle, even across stacks.

use cdk_core::kind::{SecurityGroupId, VpcId};
use cdk_core::{Child, ChildId, ChildMut, Construct, NodeId, Resource, Tag, Val};

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
    /// the peer's group to this one, both stored here (this is the consuming side).
    fn allow_from(&mut self, peer: &dyn Connectable, port: Port) -> &mut Self
    where
        Self: Sized,
    {
        self.security_group_mut().allow_from(peer, port);
        self
    }

    /// Lets this group reach `peer` on `port`: egress here and ingress on the peer's group,
    /// both stored here.
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

/// A security group of a VPC with no inline rules except the placeholder that removes
/// CloudFormation's default allow-all egress. Rules are added with the connections API.
///
/// ```
/// use cdk_constructs::network::{Connectable, Port, SecurityGroup};
/// let mut alb = SecurityGroup::new("vpc-123", "alb", "Load balancer: HTTPS from the internet");
/// let mut tasks = SecurityGroup::new("vpc-123", "tasks", "Tasks: traffic from the ALB only");
/// alb.allow_from_any_ipv4(Port::tcp(443));
/// tasks.allow_from(&alb, Port::tcp(3000));
/// ```
#[derive(Debug, Clone)]
pub struct SecurityGroup {
    resource: ec2::SecurityGroup,
    name: String,
    rules: Vec<(ChildId, Rule)>,
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
            resource,
            name: description(name),
            rules: Vec::new(),
        }
    }

    /// Allows every outbound connection (the EC2 default the AWS CDK also opts out of). Explicit
    /// because it lets a compromised workload reach anything.
    pub fn allow_all_outbound(mut self) -> SecurityGroup {
        let everything = ec2::security_group::Egress::new("-1")
            .cidr_ip("0.0.0.0/0")
            .description("Allow all outbound traffic (asked for explicitly)");
        self.resource = self.resource.security_group_egress(vec![everything]);
        self
    }

    /// The group id (`Fn::GetAtt GroupId`).
    pub fn group_id(&self) -> Val<SecurityGroupId> {
        self.resource.attr_group_id()
    }

    /// The label given at creation.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The node of the group resource (what peer-derived rule ids are named after).
    pub fn node(&self) -> NodeId {
        self.resource.core().node()
    }

    /// The generated resource, for properties this type does not set.
    pub fn resource_mut(&mut self) -> &mut ec2::SecurityGroup {
        &mut self.resource
    }

    /// How many rule resources the connections API created here.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    fn push(&mut self, id: ChildId, rule: Rule) {
        // The same connection asked for twice is one rule.
        if !self.rules.iter().any(|(existing, _)| *existing == id) {
            self.rules.push((id, rule));
        }
    }

    fn peer_id(prefix: &str, peer: NodeId, port: Port) -> ChildId {
        ChildId::Peer {
            prefix: prefix.to_string(),
            peer,
            suffix: port.id_fragment(),
        }
    }

    /// Admits `port` from `peer` (see [`Connectable::allow_from`]).
    pub fn allow_from(&mut self, peer: &dyn Connectable, port: Port) -> &mut Self {
        let peer = peer.security_group();
        let ingress = ingress_rule(self.group_id(), port)
            .source_security_group_id(peer.group_id())
            .description(description(&format!("{port} from {}", peer.name)));
        let egress = egress_rule(peer.group_id(), port)
            .destination_security_group_id(self.group_id())
            .description(description(&format!("{port} to {}", self.name)));
        self.push(
            Self::peer_id("IngressFrom", peer.node(), port),
            Rule::Ingress(ingress),
        );
        self.push(
            Self::peer_id("EgressFrom", peer.node(), port),
            Rule::Egress(egress),
        );
        self
    }

    /// Lets this group reach `peer` on `port` (see [`Connectable::allow_to`]).
    pub fn allow_to(&mut self, peer: &dyn Connectable, port: Port) -> &mut Self {
        let peer = peer.security_group();
        let egress = egress_rule(self.group_id(), port)
            .destination_security_group_id(peer.group_id())
            .description(description(&format!("{port} to {}", peer.name)));
        let ingress = ingress_rule(peer.group_id(), port)
            .source_security_group_id(self.group_id())
            .description(description(&format!("{port} from {}", self.name)));
        self.push(
            Self::peer_id("EgressTo", peer.node(), port),
            Rule::Egress(egress),
        );
        self.push(
            Self::peer_id("IngressTo", peer.node(), port),
            Rule::Ingress(ingress),
        );
        self
    }

    /// Admits `port` between members of this group (both directions).
    pub fn allow_internally(&mut self, port: Port) -> &mut Self {
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
        );
        self.push(
            format!("EgressInternal{fragment}").into(),
            Rule::Egress(egress),
        );
        self
    }

    /// Admits `port` from every IPv4 address (0.0.0.0/0): the one way to open a group to the
    /// internet, named so that it stands out in review.
    ///
    /// Public HTTP (a range containing port 80, checkov's `CKV_AWS_260`) is marked as
    /// deliberate in the rule's metadata, since this call is the explicit opt-in; SSH and RDP
    /// (`CKV_AWS_24`, `CKV_AWS_25`) stay flagged: those belong behind a bastion or SSM.
    pub fn allow_from_any_ipv4(&mut self, port: Port) -> &mut Self {
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
        self.push(
            format!("IngressFromAnyIpv4{}", port.id_fragment()).into(),
            Rule::Ingress(ingress),
        );
        self
    }

    /// Lets this group reach every IPv4 address on `port` (0.0.0.0/0), e.g. HTTPS to external
    /// APIs through a NAT gateway.
    pub fn allow_to_any_ipv4(&mut self, port: Port) -> &mut Self {
        let egress = egress_rule(self.group_id(), port)
            .cidr_ip("0.0.0.0/0")
            .description(description(&format!("{port} to anywhere (IPv4)")));
        self.push(
            format!("EgressToAnyIpv4{}", port.id_fragment()).into(),
            Rule::Egress(egress),
        );
        self
    }

    /// Admits `port` from a CIDR block (another network, a VPN). 0.0.0.0/0 is refused here: use
    /// [`allow_from_any_ipv4`](Self::allow_from_any_ipv4).
    pub fn allow_from_cidr(&mut self, cidr: Cidr, port: Port) -> Result<&mut Self, ConstructError> {
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
        );
        Ok(self)
    }

    /// Lets this group reach a CIDR block on `port`. 0.0.0.0/0 is refused here: use
    /// [`allow_to_any_ipv4`](Self::allow_to_any_ipv4).
    pub fn allow_to_cidr(&mut self, cidr: Cidr, port: Port) -> Result<&mut Self, ConstructError> {
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
        );
        Ok(self)
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
        "SecurityGroup"
    }
    fn children(&self) -> Vec<Child<'_>> {
        let mut out = vec![Child {
            id: "Resource".into(),
            node: &self.resource,
        }];
        out.extend(self.rules.iter().map(|(id, rule)| Child {
            id: id.clone(),
            node: rule.construct(),
        }));
        out
    }
    fn children_mut(&mut self) -> Vec<ChildMut<'_>> {
        let mut out = vec![ChildMut {
            id: "Resource".into(),
            node: &mut self.resource,
        }];
        out.extend(self.rules.iter_mut().map(|(id, rule)| ChildMut {
            id: id.clone(),
            node: rule.construct_mut(),
        }));
        out
    }
}
