//! [`TieredVpc`]: a production VPC in one call. Tiers of subnets (public, private with egress,
//! isolated) in every AZ, an internet gateway, NAT gateways, a route table per subnet, endpoints,
//! network ACLs and flow logs, each checked before anything is written.

use indexmap::IndexMap;
use rcdk_core::kind::{AvailabilityZone, RouteTableId, SubnetId, VpcId};
use rcdk_core::{fns, HasNode, Resource, Scanner, Tag, Val};
use rcdk_macros::Construct;

use crate::cfn::ec2;
use crate::error::ConstructError;
use crate::network::cidr::{Cidr, IntoCidr};
use crate::network::endpoints::{
    gateway_endpoint, GatewayService, InterfaceEndpoint, InterfaceService,
};
use crate::network::flow_logs::{FlowLogOptions, FlowLogs};
use crate::network::nacl::{NetworkAcl, NetworkAclRules};
use crate::network::nat::{NatGateway, NatPolicy};
use crate::network::security_group::Connectable;
use crate::network::selection::SubnetSelection;
use crate::network::tier::{allocate_subnets, Tier, TierKind, TierRequest};
use crate::network::vpc_trait::{IVpc, SubnetInfo, TierInfo};

/// cdk-nag: a VPC has flow logs.
const NO_FLOW_LOGS_RULE: &str = "AwsSolutions-VPC7";

/// Most AZs a VPC may span when they are picked with `Fn::GetAZs`: the largest regions
/// (us-east-1) have six, and `Fn::Select` past the end of the list fails only at deploy time.
pub const MAX_AZS_GETAZS: usize = 6;
/// Most AZs a VPC may span when they are named: AZ names end in one letter, a to z.
pub const MAX_AZS_NAMED: usize = 26;

#[derive(Debug, Clone)]
enum Azs {
    Count(usize),
    Named(Vec<String>),
}

/// Builder of a [`TieredVpc`]; see [`TieredVpc::builder`].
#[derive(Debug, Clone)]
pub struct TieredVpcBuilder {
    cidr: Result<Cidr, ConstructError>,
    azs: Azs,
    tiers: Vec<Tier>,
    nat: NatPolicy,
    name: Option<String>,
    gateway_endpoints: Vec<GatewayService>,
    interface_endpoints: Vec<(InterfaceService, Option<SubnetSelection>)>,
    nacls: Vec<(String, NetworkAclRules)>,
    flow_logs: Option<FlowLogOptions>,
}

/// One subnet of a tier, with its route table, the association, its default route (to the
/// internet gateway or a NAT gateway; none in isolated tiers) and, in the public tier, the NAT
/// gateway of its AZ.
#[derive(Debug, Clone, Construct)]
pub struct TieredSubnet {
    resource: ec2::Subnet,
    route_table: ec2::RouteTable,
    #[construct(id = "RouteTableAssociation")]
    association: ec2::SubnetRouteTableAssociation,
    default_route: Option<ec2::Route>,
    nat_gateway: Option<NatGateway>,
    #[construct(skip)]
    cidr: Cidr,
    #[construct(skip)]
    availability_zone: Val<AvailabilityZone>,
}

impl TieredSubnet {
    /// The subnet id.
    pub fn subnet_id(&self) -> Val<SubnetId> {
        self.resource.ref_()
    }
    /// The subnet's CIDR block.
    pub fn cidr(&self) -> Cidr {
        self.cidr
    }
    /// Its route table's id.
    pub fn route_table_id(&self) -> Val<RouteTableId> {
        self.route_table.ref_()
    }
    /// Its AZ.
    pub fn availability_zone(&self) -> Val<AvailabilityZone> {
        self.availability_zone.clone()
    }
    /// The subnet as [`IVpc`] users see it.
    pub fn info(&self) -> SubnetInfo {
        SubnetInfo {
            subnet_id: self.subnet_id(),
            availability_zone: self.availability_zone(),
            route_table_id: Some(self.route_table_id()),
        }
    }
}

/// The subnets of one tier, one per AZ in AZ order (children `Subnet1`, `Subnet2`, ...).
#[derive(Debug, Clone, Construct)]
pub struct TierSubnets {
    #[construct(id = "Subnet")]
    subnets: Vec<TieredSubnet>,
    #[construct(skip)]
    kind: TierKind,
}

impl TierSubnets {
    /// The kind of the tier.
    pub fn kind(&self) -> TierKind {
        self.kind
    }
    /// The subnets, in AZ order.
    pub fn subnets(&self) -> &[TieredSubnet] {
        &self.subnets
    }
}

/// A VPC of tiered subnets in several AZs.
///
/// ```
/// use rcdk_constructs::cidr;
/// use rcdk_constructs::network::{GatewayService, InterfaceService, NatPolicy, Tier, TieredVpc};
/// let vpc = TieredVpc::builder()
///     .cidr(cidr!("10.0.0.0/16"))
///     .tier(Tier::public("Public", 24))
///     .tier(Tier::private("Private", 22))
///     .tier(Tier::isolated("Data", 24))
///     .nat(NatPolicy::Single)
///     .gateway_endpoint(GatewayService::S3)
///     .interface_endpoint(InterfaceService::EcrApi)
///     .build()
///     .unwrap();
/// assert_eq!(vpc.tier("Private").unwrap().subnets()[1].cidr().to_string(), "10.0.8.0/22");
/// ```
#[derive(Debug, Clone, Construct)]
pub struct TieredVpc {
    resource: ec2::Vpc,
    internet_gateway: Option<ec2::InternetGateway>,
    gateway_attachment: Option<ec2::VpcGatewayAttachment>,
    /// Children named after the tiers.
    tiers: IndexMap<String, TierSubnets>,
    /// Children `S3Endpoint`, `DynamoDbEndpoint`.
    gateway_endpoints: IndexMap<String, ec2::VpcEndpoint>,
    /// Children `EcrApiEndpoint`, `LogsEndpoint`, ...
    interface_endpoints: IndexMap<String, InterfaceEndpoint>,
    /// Children `<Tier>Nacl`.
    nacls: IndexMap<String, NetworkAcl>,
    flow_logs: Option<FlowLogs>,
    #[construct(skip)]
    cidr: Cidr,
    #[construct(skip)]
    azs: Vec<Val<AvailabilityZone>>,
}

impl Default for TieredVpcBuilder {
    fn default() -> Self {
        TieredVpcBuilder {
            cidr: Ok(crate::cidr!("10.0.0.0/16")),
            azs: Azs::Count(2),
            tiers: Vec::new(),
            nat: NatPolicy::PerAz,
            name: None,
            gateway_endpoints: Vec::new(),
            interface_endpoints: Vec::new(),
            nacls: Vec::new(),
            flow_logs: Some(FlowLogOptions::default()),
        }
    }
}

impl TieredVpcBuilder {
    /// The VPC's CIDR (default 10.0.0.0/16): a [`cidr!`](crate::cidr) literal, checked by the
    /// compiler, or text, checked by [`build`](Self::build).
    pub fn cidr(mut self, cidr: impl IntoCidr) -> Self {
        self.cidr = cidr.into_cidr();
        self
    }

    /// Spans the first `count` AZs of the region, picked at deploy time with `Fn::GetAZs`
    /// (default 2).
    pub fn max_azs(mut self, count: usize) -> Self {
        self.azs = Azs::Count(count);
        self
    }

    /// Spans exactly these AZs, in this order.
    pub fn availability_zones<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        self.azs = Azs::Named(names.into_iter().map(Into::into).collect());
        self
    }

    /// Adds a tier; tiers are allocated in the order added. Without tiers the VPC gets a public
    /// and a private tier of /24s.
    pub fn tier(mut self, tier: Tier) -> Self {
        self.tiers.push(tier);
        self
    }

    /// The NAT policy (default one per AZ).
    pub fn nat(mut self, policy: NatPolicy) -> Self {
        self.nat = policy;
        self
    }

    /// A name for `Name` tags (`<name>-vpc`, `<name>-public-1`, ...).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// A gateway endpoint on the route tables of the private and isolated tiers.
    pub fn gateway_endpoint(mut self, service: GatewayService) -> Self {
        if !self.gateway_endpoints.contains(&service) {
            self.gateway_endpoints.push(service);
        }
        self
    }

    /// An interface endpoint in one subnet per AZ of the first private tier (of the first
    /// isolated tier when there is no private one).
    pub fn interface_endpoint(mut self, service: InterfaceService) -> Self {
        self.interface_endpoints.push((service, None));
        self
    }

    /// An interface endpoint in the selected subnets (one per AZ).
    pub fn interface_endpoint_in(
        mut self,
        service: InterfaceService,
        subnets: SubnetSelection,
    ) -> Self {
        self.interface_endpoints.push((service, Some(subnets)));
        self
    }

    /// A network ACL for the subnets of tier `tier`.
    pub fn network_acl(mut self, tier: impl Into<String>, rules: NetworkAclRules) -> Self {
        self.nacls.push((tier.into(), rules));
        self
    }

    /// Flow logs of the whole VPC to a new log group with these settings (by default every VPC
    /// logs all traffic, kept a year).
    pub fn flow_logs(mut self, options: FlowLogOptions) -> Self {
        self.flow_logs = Some(options);
        self
    }

    /// No flow logs: nothing records the VPC's traffic, which leaves no trace to investigate
    /// an incident with. Recorded in the template as a deliberate exception to the flow-log rule.
    pub fn no_flow_logs(mut self) -> Self {
        self.flow_logs = None;
        self
    }

    fn az_values(&self) -> Result<Vec<Val<AvailabilityZone>>, ConstructError> {
        match &self.azs {
            Azs::Count(0) => Err(ConstructError::NoAzs),
            Azs::Count(n) if *n > MAX_AZS_GETAZS => Err(ConstructError::TooManyAzs {
                requested: *n,
                max: MAX_AZS_GETAZS,
                why: "with Fn::GetAZs (the largest regions have 6 AZs)",
            }),
            Azs::Count(n) => Ok((0..*n).map(|i| fns::select(i, fns::get_azs())).collect()),
            Azs::Named(names) if names.is_empty() => Err(ConstructError::NoAzs),
            Azs::Named(names) if names.len() > MAX_AZS_NAMED => Err(ConstructError::TooManyAzs {
                requested: names.len(),
                max: MAX_AZS_NAMED,
                why: "in one region (AZ names end in a single letter a-z)",
            }),
            Azs::Named(names) => {
                for (i, n) in names.iter().enumerate() {
                    if names[..i].contains(n) {
                        return Err(ConstructError::DuplicateAz { az: n.clone() });
                    }
                }
                Ok(names.iter().map(|n| Val::from(n.as_str())).collect())
            }
        }
    }

    /// Checks everything and creates the resources.
    pub fn build(self) -> Result<TieredVpc, ConstructError> {
        let vpc_cidr = self.cidr.clone()?;
        let azs = self.az_values()?;
        let tiers = if self.tiers.is_empty() {
            vec![Tier::public("Public", 24), Tier::private("Private", 24)]
        } else {
            self.tiers.clone()
        };
        let mut requests = Vec::new();
        for t in &tiers {
            let explicit = match &t.cidrs {
                Some(list) => Some(list.iter().cloned().collect::<Result<Vec<_>, _>>()?),
                None => None,
            };
            if t.map_public_ip && t.kind != TierKind::Public {
                return Err(ConstructError::PublicIpOnNonPublicTier {
                    tier: t.name.clone(),
                    kind: t.kind.as_str(),
                });
            }
            requests.push(TierRequest {
                name: t.name.clone(),
                prefix: t.prefix,
                explicit,
            });
        }
        let layout = allocate_subnets(vpc_cidr, azs.len(), &requests)?;
        let has_public = tiers.iter().any(|t| t.kind == TierKind::Public);
        if let Some(private) = tiers.iter().find(|t| t.kind == TierKind::PrivateWithEgress) {
            let reason = if self.nat == NatPolicy::None {
                Some("the NAT policy is None")
            } else if !has_public {
                Some("there is no public tier")
            } else {
                None
            };
            if let Some(reason) = reason {
                return Err(ConstructError::NoNatForPrivateTier {
                    tier: private.name.clone(),
                    reason,
                });
            }
        }
        let mut vpc = TieredVpc::skeleton(self.name.as_deref(), vpc_cidr, azs, has_public);
        vpc.add_tiers(self.name.as_deref(), &tiers, &layout, self.nat);
        self.add_extras(&mut vpc)?;
        Ok(vpc)
    }

    fn add_extras(&self, vpc: &mut TieredVpc) -> Result<(), ConstructError> {
        let inner: Vec<Val<RouteTableId>> = vpc
            .tiers
            .values()
            .filter(|t| t.kind != TierKind::Public)
            .flat_map(|t| t.subnets.iter().map(TieredSubnet::route_table_id))
            .collect();
        for service in &self.gateway_endpoints {
            if inner.is_empty() {
                return Err(ConstructError::GatewayEndpointWithoutRouteTables {
                    service: service.suffix(),
                });
            }
            let endpoint = gateway_endpoint(vpc.vpc_id(), *service, inner.clone());
            vpc.gateway_endpoints
                .insert(format!("{}Endpoint", service.id()), endpoint);
        }
        for (service, selection) in &self.interface_endpoints {
            let selection = match selection {
                Some(s) => s.clone(),
                None if vpc
                    .tiers
                    .values()
                    .any(|t| t.kind == TierKind::PrivateWithEgress) =>
                {
                    SubnetSelection::OnePerAz(TierKind::PrivateWithEgress)
                }
                None => SubnetSelection::OnePerAz(TierKind::Isolated),
            };
            let subnets = vpc.select(&selection)?;
            let endpoint = InterfaceEndpoint::new(vpc.vpc_id(), service.clone(), subnets);
            let id = format!("{}Endpoint", service.id());
            if vpc
                .interface_endpoints
                .insert(id.clone(), endpoint)
                .is_some()
            {
                return Err(ConstructError::DuplicateInterfaceEndpoint {
                    service: service.suffix().to_string(),
                });
            }
        }
        for (tier, rules) in &self.nacls {
            let subnets = vpc.select(&SubnetSelection::Tier(tier.clone()))?;
            let acl = NetworkAcl::build(
                vpc.vpc_id(),
                tier,
                self.name.as_deref(),
                rules,
                &subnets,
                &|t| vpc.subnet_cidrs(t),
            )?;
            vpc.nacls.insert(format!("{tier}Nacl"), acl);
        }
        match self.flow_logs {
            Some(options) => vpc.flow_logs = Some(FlowLogs::new(vpc.vpc_id(), options)?),
            None => vpc.resource.core_mut().suppress(
                Scanner::CdkNag,
                NO_FLOW_LOGS_RULE,
                "Flow logs turned off with TieredVpcBuilder::no_flow_logs, chosen by the app: \
                 this VPC's traffic is not recorded and its log ingestion is not paid for.",
            ),
        }
        Ok(())
    }
}

fn name_tag(name: Option<&str>, suffix: &str) -> Option<Vec<Tag>> {
    name.map(|n| vec![Tag::new("Name", format!("{n}-{suffix}"))])
}

impl TieredVpc {
    /// A builder with the defaults: 10.0.0.0/16, 2 AZs, a NAT gateway per AZ.
    pub fn builder() -> TieredVpcBuilder {
        TieredVpcBuilder::default()
    }

    fn skeleton(
        name: Option<&str>,
        cidr: Cidr,
        azs: Vec<Val<AvailabilityZone>>,
        has_public: bool,
    ) -> TieredVpc {
        let mut resource = ec2::Vpc::new()
            .cidr_block(cidr)
            .enable_dns_hostnames(true)
            .enable_dns_support(true);
        if let Some(tags) = name_tag(name, "vpc") {
            resource = resource.tags(tags);
        }
        let (internet_gateway, gateway_attachment) = if has_public {
            let mut igw = ec2::InternetGateway::new();
            if let Some(tags) = name_tag(name, "igw") {
                igw = igw.tags(tags);
            }
            let attachment =
                ec2::VpcGatewayAttachment::new(resource.ref_()).internet_gateway_id(igw.ref_());
            (Some(igw), Some(attachment))
        } else {
            (None, None)
        };
        TieredVpc {
            resource,
            internet_gateway,
            gateway_attachment,
            tiers: IndexMap::new(),
            gateway_endpoints: IndexMap::new(),
            interface_endpoints: IndexMap::new(),
            nacls: IndexMap::new(),
            flow_logs: None,
            cidr,
            azs,
        }
    }

    fn add_tiers(
        &mut self,
        name: Option<&str>,
        tiers: &[Tier],
        layout: &[Vec<Cidr>],
        nat: NatPolicy,
    ) {
        let nat_tier = tiers.iter().position(|t| t.kind == TierKind::Public);
        let mut nat_ids = Vec::new();
        for (ti, (tier, cidrs)) in tiers.iter().zip(layout).enumerate() {
            let mut subnets = Vec::new();
            // The allocator gives each tier one CIDR per AZ.
            for (az, (cidr, az_value)) in cidrs.iter().zip(self.azs.clone()).enumerate() {
                let label = format!("{}-{}", tier.name.to_lowercase(), az + 1);
                let mut subnet = ec2::Subnet::new(self.vpc_id())
                    .cidr_block(*cidr)
                    .availability_zone(az_value.clone());
                if tier.map_public_ip {
                    subnet = subnet.map_public_ip_on_launch(true).suppress(
                        Scanner::Guard,
                        "subnet_auto_assign_public_ip_disabled_check",
                        "Public IPv4 addresses on launch were asked for explicitly with \
                         Tier::map_public_ip_on_launch(true), for instances launched into this \
                         public subnet that must reach or be reached from the internet \
                         directly.",
                    );
                }
                let mut route_table = ec2::RouteTable::new(self.vpc_id());
                if let Some(tags) = name_tag(name, &label) {
                    subnet = subnet.tags(tags.clone());
                    route_table = route_table.tags(tags);
                }
                let association =
                    ec2::SubnetRouteTableAssociation::new(route_table.ref_(), subnet.ref_());
                let mut default_route = None;
                let mut nat_gateway = None;
                match tier.kind {
                    TierKind::Public => {
                        let mut route =
                            ec2::Route::new(route_table.ref_()).destination_cidr_block("0.0.0.0/0");
                        if let (Some(igw), Some(attachment)) =
                            (&self.internet_gateway, &self.gateway_attachment)
                        {
                            // Routes through the gateway fail until it is attached.
                            route = route.gateway_id(igw.ref_()).depends_on(attachment);
                        }
                        let wants_nat = match nat {
                            NatPolicy::PerAz => true,
                            NatPolicy::Single => az == 0,
                            NatPolicy::None => false,
                        };
                        if wants_nat && Some(ti) == nat_tier {
                            let nat_label = format!("nat-{}", az + 1);
                            let nat_name = name.map(|n| format!("{n}-{nat_label}"));
                            let mut gw = NatGateway::new(subnet.ref_(), nat_name.as_deref());
                            // Usable only once its subnet routes to the internet.
                            gw.add_dependency(route.node());
                            gw.add_dependency(association.node());
                            if let Some(attachment) = &self.gateway_attachment {
                                gw.add_eip_dependency(attachment.node());
                            }
                            nat_ids.push(gw.nat_gateway_id());
                            nat_gateway = Some(gw);
                        }
                        default_route = Some(route);
                    }
                    TierKind::PrivateWithEgress | TierKind::Isolated => {}
                }
                subnets.push(TieredSubnet {
                    resource: subnet,
                    route_table,
                    association,
                    default_route,
                    nat_gateway,
                    cidr: *cidr,
                    availability_zone: az_value,
                });
            }
            self.tiers.insert(
                tier.name.clone(),
                TierSubnets {
                    subnets,
                    kind: tier.kind,
                },
            );
        }
        // Private routes point at the NAT gateway of their AZ, or the single one.
        for t in self
            .tiers
            .values_mut()
            .filter(|t| t.kind == TierKind::PrivateWithEgress)
        {
            for (az, s) in t.subnets.iter_mut().enumerate() {
                if let Some(nat_id) = nat_ids.get(az).or_else(|| nat_ids.first()) {
                    s.default_route = Some(
                        ec2::Route::new(s.route_table.ref_())
                            .destination_cidr_block("0.0.0.0/0")
                            .nat_gateway_id(nat_id.clone()),
                    );
                }
            }
        }
    }

    /// The VPC id.
    pub fn vpc_id(&self) -> Val<VpcId> {
        self.resource.ref_()
    }

    /// The VPC's CIDR block.
    pub fn cidr(&self) -> Cidr {
        self.cidr
    }

    /// The VPC's CIDR block as a template value (a literal).
    pub fn cidr_block(&self) -> Val<String> {
        self.cidr.into()
    }

    /// The AZs, in order (`Fn::Select` of `Fn::GetAZs`, or the names given).
    pub fn availability_zones(&self) -> &[Val<AvailabilityZone>] {
        &self.azs
    }

    /// The tier named `name`.
    pub fn tier(&self, name: &str) -> Option<&TierSubnets> {
        self.tiers.get(name)
    }

    /// The tier names, in order.
    pub fn tier_names(&self) -> impl Iterator<Item = &str> {
        self.tiers.keys().map(String::as_str)
    }

    /// Every subnet of every tier of `kind` ("the private subnets"); empty if there is none.
    pub fn subnet_ids(&self, kind: TierKind) -> Vec<Val<SubnetId>> {
        IVpc::subnet_ids(self, kind)
    }

    /// How many NAT gateways the VPC has.
    pub fn nat_gateway_count(&self) -> usize {
        self.tiers
            .values()
            .flat_map(|t| &t.subnets)
            .filter(|s| s.nat_gateway.is_some())
            .count()
    }

    /// The interface endpoint for `service`, to admit its consumers.
    pub fn interface_endpoint_mut(
        &mut self,
        service: &InterfaceService,
    ) -> Option<&mut InterfaceEndpoint> {
        self.interface_endpoints
            .get_mut(&format!("{}Endpoint", service.id()))
    }

    /// Admits HTTPS from `peer` to every interface endpoint (and lets `peer` reach them).
    pub fn allow_endpoints_from(&mut self, peer: &dyn Connectable) -> &mut Self {
        for endpoint in self.interface_endpoints.values_mut() {
            endpoint.allow_https_from(peer);
        }
        self
    }

    pub(crate) fn interface_endpoints_mut(
        &mut self,
    ) -> impl Iterator<Item = &mut InterfaceEndpoint> {
        self.interface_endpoints.values_mut()
    }

    pub(crate) fn tiers_map(&self) -> &IndexMap<String, TierSubnets> {
        &self.tiers
    }
}

impl IVpc for TieredVpc {
    fn vpc_id(&self) -> Val<VpcId> {
        self.resource.ref_()
    }
    fn cidr_block(&self) -> Val<String> {
        self.cidr.into()
    }
    fn availability_zones(&self) -> Vec<Val<AvailabilityZone>> {
        self.azs.clone()
    }
    fn tiers(&self) -> Vec<TierInfo> {
        self.tiers
            .iter()
            .map(|(name, t)| TierInfo {
                name: name.clone(),
                kind: t.kind,
                subnets: t.subnets.iter().map(TieredSubnet::info).collect(),
            })
            .collect()
    }
}
