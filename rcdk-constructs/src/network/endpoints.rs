//! VPC endpoints: gateway endpoints (S3, DynamoDB; free, a route in the route tables) and
//! interface endpoints (PrivateLink ENIs in chosen subnets, billed per AZ, with their own
//! security group that admits HTTPS only from the groups that need it).

use rcdk_core::kind::{RouteTableId, SubnetId, VpcEndpointId, VpcId};
use rcdk_core::{fns, CostItem, Val};

use crate::cfn::ec2;
use crate::network::port::Port;
use crate::network::security_group::{Connectable, SecurityGroup};
use crate::pricing;

/// AWS services reachable through a gateway endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GatewayService {
    /// Amazon S3 (ECR keeps image layers there).
    S3,
    /// Amazon DynamoDB.
    DynamoDb,
}

impl GatewayService {
    /// The service name's last part.
    pub fn suffix(self) -> &'static str {
        match self {
            GatewayService::S3 => "s3",
            GatewayService::DynamoDb => "dynamodb",
        }
    }

    /// Construct id fragment.
    pub fn id(self) -> &'static str {
        match self {
            GatewayService::S3 => "S3",
            GatewayService::DynamoDb => "DynamoDb",
        }
    }
}

/// AWS services reachable through an interface endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InterfaceService {
    /// ECR API (`ecr.api`): image metadata and auth tokens.
    EcrApi,
    /// ECR Docker registry (`ecr.dkr`): image pulls.
    EcrDkr,
    /// CloudWatch Logs (`logs`): container logs.
    CloudWatchLogs,
    /// Secrets Manager (`secretsmanager`): task secrets.
    SecretsManager,
    /// Systems Manager (`ssm`): parameters.
    Ssm,
    /// Session Manager channels (`ssmmessages`): ECS Exec.
    SsmMessages,
    /// STS (`sts`).
    Sts,
    /// KMS (`kms`).
    Kms,
    /// SQS (`sqs`).
    Sqs,
    /// SNS (`sns`).
    Sns,
    /// Any other service: construct id fragment and service name suffix (`"Athena"`, `"athena"`).
    Other {
        /// Construct id fragment (ASCII letters and digits).
        id: String,
        /// The part after `com.amazonaws.<region>.`.
        suffix: String,
    },
}

impl InterfaceService {
    /// The service name's last part (`ecr.api`).
    pub fn suffix(&self) -> &str {
        match self {
            InterfaceService::EcrApi => "ecr.api",
            InterfaceService::EcrDkr => "ecr.dkr",
            InterfaceService::CloudWatchLogs => "logs",
            InterfaceService::SecretsManager => "secretsmanager",
            InterfaceService::Ssm => "ssm",
            InterfaceService::SsmMessages => "ssmmessages",
            InterfaceService::Sts => "sts",
            InterfaceService::Kms => "kms",
            InterfaceService::Sqs => "sqs",
            InterfaceService::Sns => "sns",
            InterfaceService::Other { suffix, .. } => suffix,
        }
    }

    /// Construct id fragment (`EcrApi`).
    pub fn id(&self) -> &str {
        match self {
            InterfaceService::EcrApi => "EcrApi",
            InterfaceService::EcrDkr => "EcrDkr",
            InterfaceService::CloudWatchLogs => "Logs",
            InterfaceService::SecretsManager => "SecretsManager",
            InterfaceService::Ssm => "Ssm",
            InterfaceService::SsmMessages => "SsmMessages",
            InterfaceService::Sts => "Sts",
            InterfaceService::Kms => "Kms",
            InterfaceService::Sqs => "Sqs",
            InterfaceService::Sns => "Sns",
            InterfaceService::Other { id, .. } => id,
        }
    }
}

fn service_name(suffix: &str) -> Val<String> {
    fns::sub_plain(format!("com.amazonaws.${{AWS::Region}}.{suffix}"))
}

/// A gateway endpoint: routes to the service in the given route tables.
pub(crate) fn gateway_endpoint(
    vpc: Val<VpcId>,
    service: GatewayService,
    route_tables: Vec<Val<RouteTableId>>,
) -> ec2::VpcEndpoint {
    ec2::VpcEndpoint::new(vpc)
        .service_name(service_name(service.suffix()))
        .vpc_endpoint_type(ec2::vpc_endpoint::VpcEndpointType::Gateway)
        .route_table_ids(route_tables)
}

/// An interface endpoint with its security group. Reports its per-AZ hourly cost.
#[derive(Debug, Clone, rcdk_macros::Construct)]
#[construct(costs = "InterfaceEndpoint::costs")]
pub struct InterfaceEndpoint {
    #[construct(skip)]
    service: InterfaceService,
    security_group: SecurityGroup,
    resource: ec2::VpcEndpoint,
    #[construct(skip)]
    azs: u32,
}

impl InterfaceEndpoint {
    /// An endpoint for `service` in `subnets` (one per AZ) of `vpc`, private DNS on, with its
    /// own security group that admits nothing until [`allow_from`](Connectable::allow_from).
    pub fn new(
        vpc: Val<VpcId>,
        service: InterfaceService,
        subnets: Vec<Val<SubnetId>>,
    ) -> InterfaceEndpoint {
        let suffix = service.suffix().to_string();
        let security_group = SecurityGroup::new(
            vpc.clone(),
            &format!("{suffix} endpoint"),
            &format!("Interface endpoint for {suffix}: HTTPS from the groups that use it"),
        );
        let azs = u32::try_from(subnets.len()).unwrap_or(u32::MAX);
        let resource = ec2::VpcEndpoint::new(vpc)
            .service_name(service_name(&suffix))
            .vpc_endpoint_type(ec2::vpc_endpoint::VpcEndpointType::Interface)
            .subnet_ids(subnets)
            .security_group_ids(vec![security_group.group_id()])
            .private_dns_enabled(true);
        InterfaceEndpoint {
            service,
            security_group,
            resource,
            azs,
        }
    }

    /// The service.
    pub fn service(&self) -> &InterfaceService {
        &self.service
    }

    /// The endpoint id.
    pub fn endpoint_id(&self) -> Val<VpcEndpointId> {
        self.resource.ref_()
    }

    /// Admits HTTPS (443) from `peer`: the call every consumer of the endpoint makes.
    pub fn allow_https_from(&mut self, peer: &dyn Connectable) -> &mut Self {
        self.security_group.allow_from(peer, Port::tcp(443));
        self
    }

    /// The generated endpoint resource, for properties this type does not set (a policy).
    pub fn resource_mut(&mut self) -> &mut ec2::VpcEndpoint {
        &mut self.resource
    }
}

impl Connectable for InterfaceEndpoint {
    fn security_group(&self) -> &SecurityGroup {
        &self.security_group
    }
    fn security_group_mut(&mut self) -> &mut SecurityGroup {
        &mut self.security_group
    }
}

impl InterfaceEndpoint {
    fn costs(&self) -> Vec<CostItem> {
        vec![pricing::interface_endpoint(self.azs)]
    }
}

impl crate::network::TieredVpc {
    /// Admits HTTPS (443) to every interface endpoint from the subnets of tier `tier`, by
    /// their CIDRs: one rule per endpoint and subnet, however many services run there (rather
    /// than two rules per endpoint and service with [`TieredVpc::allow_endpoints_from`]).
    /// The consumers' groups must allow HTTPS out.
    ///
    /// [`TieredVpc::allow_endpoints_from`]: crate::network::TieredVpc::allow_endpoints_from
    pub fn allow_endpoints_from_tier(
        &mut self,
        tier: &str,
    ) -> Result<&mut Self, crate::error::ConstructError> {
        let cidrs = self.subnet_cidrs(tier)?;
        for endpoint in self.interface_endpoints_mut() {
            for cidr in &cidrs {
                endpoint
                    .security_group
                    .allow_from_cidr(*cidr, Port::tcp(443))?;
            }
        }
        Ok(self)
    }
}
