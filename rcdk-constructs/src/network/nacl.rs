//! Network ACLs per tier: numbered allow/deny rules in both directions. NACLs are stateless, so
//! every allowed flow needs its return traffic allowed too; the ephemeral-port helpers add that
//! rule (TCP 1024-65535; inbound from anywhere without RDP's 3389, in two entries).

use std::collections::HashSet;

use indexmap::IndexMap;
use rcdk_core::kind::{NetworkAclId, SubnetId, VpcId};
use rcdk_core::{Resource, Scanner, Tag, Val};
use rcdk_macros::Construct;

use crate::cfn::ec2;
use crate::error::ConstructError;
use crate::network::cidr::Cidr;
use crate::network::port::{Port, Protocol};

/// Highest rule number a network ACL entry can have (32767 is the default deny).
pub const MAX_RULE_NUMBER: u16 = 32766;

/// RDP's port, which inbound return traffic from anywhere leaves out: no Linux or Windows
/// client picks it as a source port, and admitting it from 0.0.0.0/0 opens remote desktop.
pub const RDP_PORT: u16 = 3389;

/// cdk-nag's rule that flags every network ACL and entry (use security groups instead).
const NACL_RULE: &str = "AwsSolutions-VPC3";

/// Why the ACL and its entries exist although security groups already filter the traffic.
const NACL_REASON: &str = "Network ACL asked for explicitly with TieredVpcBuilder::network_acl: \
    a stateless subnet-level layer of defence in depth beside the security groups, which stay \
    the primary control, as the architecture specifies.";

/// Where a rule's traffic comes from or goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NaclPeer {
    /// A CIDR block ([`Cidr::ANY_IPV4`] for everything).
    Cidr(Cidr),
    /// Every subnet of the tier with this name: one entry per subnet, numbered from the rule's
    /// number upwards.
    Tier(String),
}

impl NaclPeer {
    /// [`NaclPeer::Tier`] from a name.
    pub fn tier(name: impl Into<String>) -> NaclPeer {
        NaclPeer::Tier(name.into())
    }
}

impl From<Cidr> for NaclPeer {
    fn from(c: Cidr) -> NaclPeer {
        NaclPeer::Cidr(c)
    }
}

/// Whether a rule admits or drops matching traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NaclAction {
    /// `allow`
    Allow,
    /// `deny`
    Deny,
}

/// One rule as written by the user.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NaclRule {
    pub(crate) number: u16,
    pub(crate) egress: bool,
    pub(crate) action: NaclAction,
    pub(crate) port: Port,
    pub(crate) peer: NaclPeer,
}

/// The rules of a tier's network ACL, in both directions, evaluated by number (lowest first;
/// the first match wins). Anything no rule allows is denied.
///
/// ```
/// use rcdk_constructs::{cidr, network::{Cidr, NaclPeer, NetworkAclRules, Port}};
/// let rules = NetworkAclRules::new()
///     .allow_inbound(100, Port::tcp(3000), NaclPeer::tier("Public"))
///     .ephemeral_return_outbound(100, Cidr::ANY_IPV4)
///     .allow_outbound(110, Port::tcp(443), Cidr::ANY_IPV4)
///     .deny_inbound(50, Port::all_traffic(), cidr!("192.0.2.0/24"));
/// # let _ = rules;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkAclRules {
    pub(crate) rules: Vec<NaclRule>,
}

impl NetworkAclRules {
    /// No rules (everything denied).
    pub fn new() -> NetworkAclRules {
        NetworkAclRules::default()
    }

    /// Adds a rule.
    pub fn rule(
        mut self,
        number: u16,
        egress: bool,
        action: NaclAction,
        port: Port,
        peer: impl Into<NaclPeer>,
    ) -> NetworkAclRules {
        self.rules.push(NaclRule {
            number,
            egress,
            action,
            port,
            peer: peer.into(),
        });
        self
    }

    /// Allows inbound `port` from `peer`.
    pub fn allow_inbound(self, number: u16, port: Port, peer: impl Into<NaclPeer>) -> Self {
        self.rule(number, false, NaclAction::Allow, port, peer)
    }

    /// Allows outbound `port` to `peer`.
    pub fn allow_outbound(self, number: u16, port: Port, peer: impl Into<NaclPeer>) -> Self {
        self.rule(number, true, NaclAction::Allow, port, peer)
    }

    /// Denies inbound `port` from `peer`.
    pub fn deny_inbound(self, number: u16, port: Port, peer: impl Into<NaclPeer>) -> Self {
        self.rule(number, false, NaclAction::Deny, port, peer)
    }

    /// Denies outbound `port` to `peer`.
    pub fn deny_outbound(self, number: u16, port: Port, peer: impl Into<NaclPeer>) -> Self {
        self.rule(number, true, NaclAction::Deny, port, peer)
    }

    /// Allows the replies to connections that `peer` opened to this tier: outbound TCP to the
    /// ephemeral ports 1024-65535.
    pub fn ephemeral_return_outbound(self, number: u16, peer: impl Into<NaclPeer>) -> Self {
        self.allow_outbound(number, Port::EPHEMERAL, peer)
    }

    /// Allows the replies to connections this tier opened to `peer`: inbound TCP to the
    /// ephemeral ports 1024-65535. From every IPv4 address ([`Cidr::ANY_IPV4`]) the range
    /// leaves out [`RDP_PORT`], so that remote desktop is not open to the internet: two
    /// entries, `number` (1024-3388) and `number + 1` (3390-65535).
    pub fn ephemeral_return_inbound(self, number: u16, peer: impl Into<NaclPeer>) -> Self {
        let peer = peer.into();
        if peer != NaclPeer::Cidr(Cidr::ANY_IPV4) {
            return self.allow_inbound(number, Port::EPHEMERAL, peer);
        }
        let below = Port::tcp_range(1024, RDP_PORT - 1).expect("an increasing range");
        let above = Port::tcp_range(RDP_PORT + 1, 65535).expect("an increasing range");
        self.allow_inbound(number, below, peer.clone())
            .allow_inbound(number.saturating_add(1), above, peer)
    }
}

/// A network ACL with its entries and its associations to a tier's subnets.
#[derive(Debug, Clone, Construct)]
pub struct NetworkAcl {
    resource: ec2::NetworkAcl,
    /// Entries named `Ingress100`, `Egress110`, ...
    entries: IndexMap<String, ec2::NetworkAclEntry>,
    #[construct(id = "Association")]
    associations: Vec<ec2::SubnetNetworkAclAssociation>,
}

impl NetworkAcl {
    /// Builds the ACL of tier `tier` for `subnets`; `tier_cidrs` resolves tier-named peers.
    pub(crate) fn build(
        vpc: Val<VpcId>,
        tier: &str,
        name: Option<&str>,
        rules: &NetworkAclRules,
        subnets: &[Val<SubnetId>],
        tier_cidrs: &dyn Fn(&str) -> Result<Vec<Cidr>, ConstructError>,
    ) -> Result<NetworkAcl, ConstructError> {
        let mut resource =
            ec2::NetworkAcl::new(vpc).suppress(Scanner::CdkNag, NACL_RULE, NACL_REASON);
        if let Some(name) = name {
            resource = resource.tags(vec![Tag::new(
                "Name",
                format!("{name}-{}", tier.to_lowercase()),
            )]);
        }
        let id: Val<NetworkAclId> = resource.ref_();
        let problem = |p: String| ConstructError::NaclRule {
            tier: tier.to_string(),
            problem: p,
        };
        let mut used = HashSet::new();
        let mut entries = IndexMap::new();
        for rule in &rules.rules {
            let cidrs = match &rule.peer {
                NaclPeer::Cidr(c) => vec![*c],
                NaclPeer::Tier(t) => tier_cidrs(t)?,
            };
            for (i, cidr) in cidrs.iter().enumerate() {
                let number = u32::from(rule.number) + i as u32;
                if number == 0 || number > u32::from(MAX_RULE_NUMBER) {
                    return Err(problem(format!(
                        "rule number {number} is outside 1-{MAX_RULE_NUMBER}; pick another number"
                    )));
                }
                let direction = if rule.egress { "Egress" } else { "Ingress" };
                if !used.insert((rule.egress, number)) {
                    return Err(problem(format!(
                        "{} rule number {number} is used twice (a tier peer takes one number per subnet, and inbound return traffic from anywhere two, counting up); give the rules numbers further apart",
                        direction.to_lowercase()
                    )));
                }
                entries.insert(
                    format!("{direction}{number}"),
                    entry(id.clone(), rule, number, *cidr),
                );
            }
        }
        let associations = subnets
            .iter()
            .map(|s| ec2::SubnetNetworkAclAssociation::new(id.clone(), s.clone()))
            .collect();
        Ok(NetworkAcl {
            resource,
            entries,
            associations,
        })
    }

    /// The ACL id.
    pub fn network_acl_id(&self) -> Val<NetworkAclId> {
        self.resource.ref_()
    }

    /// How many entries it has.
    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }
}

fn entry(acl: Val<NetworkAclId>, rule: &NaclRule, number: u32, cidr: Cidr) -> ec2::NetworkAclEntry {
    let action = match rule.action {
        NaclAction::Allow => "allow",
        NaclAction::Deny => "deny",
    };
    let port = rule.port;
    let e = ec2::NetworkAclEntry::new(acl, action, i64::from(number), port.protocol().number())
        .egress(rule.egress)
        .cidr_block(cidr)
        .suppress(Scanner::CdkNag, NACL_RULE, NACL_REASON);
    match port.protocol() {
        Protocol::Tcp | Protocol::Udp => e.port_range(
            ec2::network_acl_entry::PortRange::new()
                .from_property(port.from_port())
                .to(port.to_port()),
        ),
        Protocol::Icmp => e.icmp(
            ec2::network_acl_entry::Icmp::new()
                .type_(port.from_port())
                .code(port.to_port()),
        ),
        Protocol::All => e,
    }
}
