//! Networking constructs: [`TieredVpc`] (tiers of subnets in several AZs with NAT, endpoints,
//! network ACLs and flow logs), [`ImportedVpc`] (an existing VPC; both are [`IVpc`]s),
//! [`SecurityGroup`] with the connections API (also for imported groups), [`Port`], the
//! compile-time checked [`cidr!`](crate::cidr) macro and the subnet allocator.
//!
//! ```
//! use rcdk_constructs::cidr;
//! use rcdk_constructs::network::{Connectable, Port, SecurityGroup, Tier, TieredVpc};
//! let vpc = TieredVpc::builder()
//!     .cidr(cidr!("10.0.0.0/16"))
//!     .tier(Tier::public("Public", 24))
//!     .tier(Tier::private("Private", 24))
//!     .build()
//!     .unwrap();
//! let mut alb = SecurityGroup::new(vpc.vpc_id(), "alb", "Load balancer");
//! let mut tasks = SecurityGroup::new(vpc.vpc_id(), "tasks", "Application tasks");
//! alb.allow_from_any_ipv4(Port::tcp(443));
//! tasks.allow_from(&alb, Port::tcp(3000));
//! ```

mod cidr;
mod endpoints;
mod flow_logs;
mod imported_vpc;
mod lookup;
mod nacl;
mod nat;
mod port;
mod security_group;
mod selection;
mod tier;
mod vpc;
mod vpc_trait;

pub use cidr::{Cidr, CidrParseError, IntoCidr};
pub use endpoints::{GatewayService, InterfaceEndpoint, InterfaceService};
pub use flow_logs::{FlowLogOptions, FlowLogTraffic, FlowLogs, RETENTION_DAYS};
pub use imported_vpc::{ImportedVpc, VpcAttributes};
pub use lookup::{HostedZone, VpcLookup};
pub use nacl::{NaclAction, NaclPeer, NetworkAcl, NetworkAclRules, MAX_RULE_NUMBER, RDP_PORT};
pub use nat::{NatGateway, NatPolicy};
pub use port::{Port, Protocol};
pub use security_group::{Connectable, SecurityGroup};
pub use selection::SubnetSelection;
pub use tier::{allocate_subnets, Tier, TierKind, TierRequest, MAX_PREFIX, MIN_PREFIX};
pub use vpc::{
    TierSubnets, TieredSubnet, TieredVpc, TieredVpcBuilder, MAX_AZS_GETAZS, MAX_AZS_NAMED,
};
pub use vpc_trait::{IVpc, SubnetInfo, TierInfo};
