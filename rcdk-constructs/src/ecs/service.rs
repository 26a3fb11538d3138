//! Fargate services: task definition, containers, roles, logs, security group, circuit
//! breaker, autoscaling; the service runs in the VPC's private subnets without public IPs.

use indexmap::IndexMap;
use rcdk_core::image::{Arch, ImageAsset, ImageRecipe};
use rcdk_core::kind::{ClusterArn, ClusterName, RoleArn, ServiceArn, SubnetId, TargetGroupArn};
use rcdk_core::{CostItem, NodeId, Resource, Val};
use rcdk_macros::Construct;

use super::cluster::{ICluster, StrategyItem};
use super::container::{push_unique, Container, ContainerImage};
use super::definitions;
use super::roles::ServiceRoles;
use super::scaling::{AutoScaling, ServiceScaling};
use super::size::FargateSize;
use super::task_costs::fargate_costs;
use crate::cfn::ecs as cfn;
use crate::cfn::ecs::{service as svc, task_definition as td};
use crate::error::ConstructError;
use crate::iam::{
    CheckedStatement, ExecutionNeeds, Grant, Grantee, Role, SharedExecutionRole, TaskRoles,
};
use crate::network::{Connectable, IVpc, Port, SecurityGroup, SubnetSelection, TierKind};
use crate::storage::{ILogGroup, LogGroup, LogRetention};

/// Builder of an [`EcsService`]; see [`EcsService::builder`]. The lifetime is that of the VPC
/// and of the [`SharedExecutionRole`] given to [`EcsServiceBuilder::execution_role`], if any.
pub struct EcsServiceBuilder<'r> {
    name: String,
    cluster_arn: Val<ClusterArn>,
    cluster_name: Val<ClusterName>,
    strategy: Vec<StrategyItem>,
    vpc: &'r dyn IVpc,
    subnets: Result<Vec<Val<SubnetId>>, ConstructError>,
    size: FargateSize,
    containers: Vec<Container>,
    desired_count: Option<u16>,
    retention: LogRetention,
    roles: Option<TaskRoles>,
    shared_execution: Option<&'r mut SharedExecutionRole>,
    scaling: Option<AutoScaling>,
    exec: bool,
    rollback: bool,
    https_egress: bool,
}

impl std::fmt::Debug for EcsServiceBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcsServiceBuilder")
            .field("name", &self.name)
            .field("vpc_id", &self.vpc.vpc_id())
            .field("size", &self.size)
            .field("containers", &self.containers)
            .field("desired_count", &self.desired_count)
            .field("scaling", &self.scaling)
            .finish_non_exhaustive()
    }
}

/// Subnets of `selection`, provided they are all private subnets of `vpc`.
fn private_subnets(
    vpc: &dyn IVpc,
    service: &str,
    selection: &SubnetSelection,
) -> Result<Vec<Val<SubnetId>>, ConstructError> {
    let outside = |tier: String| ConstructError::ServiceNotInPrivateSubnets {
        service: service.to_string(),
        tier,
    };
    if vpc.subnet_ids(TierKind::PrivateWithEgress).is_empty() {
        return Err(outside(
            "(none: the VPC has no private tier; add Tier::private)".into(),
        ));
    }
    let kind = match selection {
        SubnetSelection::Tier(name) => vpc.tier_kind(name),
        SubnetSelection::Kind(kind) | SubnetSelection::OnePerAz(kind) => Some(*kind),
        SubnetSelection::Explicit(ids) => {
            let private = vpc.subnet_ids(TierKind::PrivateWithEgress);
            if ids.is_empty() || ids.iter().any(|id| !private.contains(id)) {
                return Err(outside(
                    "explicitly given (not all private subnets of this VPC)".into(),
                ));
            }
            Some(TierKind::PrivateWithEgress)
        }
    };
    match kind {
        Some(TierKind::PrivateWithEgress) => {}
        Some(other) => return Err(outside(other.as_str().to_string())),
        None => {} // unknown tier: `select` says which tiers exist
    }
    vpc.select(selection)
}

impl<'r> EcsServiceBuilder<'r> {
    /// The size of each task (default 0.25 vCPU, 512 MiB).
    pub fn size(mut self, size: FargateSize) -> Self {
        self.size = size;
        self
    }

    /// Adds a container (the first one with a port receives load balancer traffic).
    pub fn container(mut self, container: Container) -> Self {
        self.containers.push(container);
        self
    }

    /// Tasks to run (default 2, so that two AZs serve). Not with autoscaling: there the
    /// scaling range decides, and `DesiredCount` is left out of the template so that a
    /// deployment does not reset the count autoscaling has reached.
    pub fn desired_count(mut self, count: u16) -> Self {
        self.desired_count = Some(count);
        self
    }

    /// Which private subnets (default: every private subnet of the VPC). A selection outside
    /// the private tier is an error.
    pub fn subnets(mut self, selection: SubnetSelection) -> Self {
        self.subnets = private_subnets(self.vpc, &self.name, &selection);
        self
    }

    /// Retention of the service's log group (default one year).
    pub fn log_retention(mut self, retention: LogRetention) -> Self {
        self.retention = retention;
        self
    }

    /// Use these roles (e.g. with fixed names) instead of two generated ones.
    pub fn roles(mut self, roles: TaskRoles) -> Self {
        self.roles = Some(roles);
        self
    }

    /// Use `role` as the execution role instead of a role of the service's own: at `build()`
    /// the service registers into it what its task definition needs (its log group, the ECR
    /// repositories of its images, the SSM parameters and secrets its containers declare). The
    /// service keeps its own task role and depends on the shared role's policy. Not together
    /// with [`EcsServiceBuilder::roles`].
    pub fn execution_role(mut self, role: &'r mut SharedExecutionRole) -> Self {
        self.shared_execution = Some(role);
        self
    }

    /// Autoscaling: target tracking, and scheduled changes of the range.
    pub fn autoscaling(mut self, scaling: AutoScaling) -> Self {
        self.scaling = Some(scaling);
        self
    }

    /// ECS Exec: `aws ecs execute-command` into the containers (off by default; on grants
    /// the task role the `ssmmessages` channel actions).
    pub fn exec(mut self, on: bool) -> Self {
        self.exec = on;
        self
    }

    /// Whether the deployment circuit breaker rolls a failed deployment back to the last
    /// working version (default: on; off, the deployment stops where it is).
    pub fn rollback(mut self, on: bool) -> Self {
        self.rollback = on;
        self
    }

    /// HTTPS (443) egress to anywhere (default: on). Turn it off only for VPCs whose
    /// interface endpoints cover ECR, Logs and every AWS API the application calls.
    pub fn internet_https_egress(mut self, on: bool) -> Self {
        self.https_egress = on;
        self
    }

    /// Builds the service. Images built from the app's sources are hashed now (their sources
    /// are read; nothing is built) and become image assets of the service.
    pub fn build(mut self) -> Result<EcsService, ConstructError> {
        let subnets = std::mem::replace(&mut self.subnets, Ok(Vec::new()))?;
        let conflict = |problem: String| ConstructError::Conflict {
            construct: format!("EcsService `{}`", self.name),
            problem,
        };
        if self.containers.is_empty() {
            return Err(conflict(
                "a service needs at least one container: add one with .container(...)".into(),
            ));
        }
        let mut names: Vec<&str> = self.containers.iter().map(|c| c.name.as_str()).collect();
        names.sort();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(conflict(
                "two containers have the same name: rename one".into(),
            ));
        }
        if let (Some(scaling), Some(count)) = (&self.scaling, self.desired_count) {
            return Err(conflict(format!(
                "desired count {count} is set together with autoscaling {}-{}: the scaling \
                 range decides the count (a fixed DesiredCount would reset it at every \
                 deployment); remove .desired_count(...)",
                scaling.min(),
                scaling.max()
            )));
        }

        if self.roles.is_some() && self.shared_execution.is_some() {
            return Err(conflict(
                "both .roles(...) and .execution_role(...) are given: the execution role of \
                 the TaskRoles would be unused; remove one of them"
                    .into(),
            ));
        }

        let (images, arch) = place_images(&self.name, &mut self.containers)?;
        let logs = LogGroup::new().retention(self.retention);
        let mut repositories = Vec::new();
        // All image assets of a stack go to one repository: its ARN once is enough.
        if let Some(asset) = images.values().next() {
            repositories.push(Val::<String>::from(asset.repository_arn()));
        }
        let mut parameters = Vec::new();
        let mut secrets = Vec::new();
        for c in &self.containers {
            if let Some(arn) = c.image.ecr_repository_arn() {
                push_unique(&mut repositories, Val::<String>::from(arn));
            }
            let (p, s) = c.secret_arns();
            p.into_iter().for_each(|a| push_unique(&mut parameters, a));
            s.into_iter().for_each(|a| push_unique(&mut secrets, a));
        }
        let mut roles = match self.shared_execution {
            Some(shared) => {
                let needs = ExecutionNeeds {
                    log_group: Some(logs.log_group_arn().into()),
                    repositories,
                    parameters,
                    secrets,
                };
                let execution_policy = shared.register(&self.name, needs);
                ServiceRoles::Shared {
                    task: Box::new(TaskRoles::task_role_alone()),
                    execution_arn: shared.arn(),
                    execution_policy,
                }
            }
            None => {
                let mut roles = self.roles.unwrap_or_default();
                roles.grant_log_writes(logs.log_group_arn().into());
                if !repositories.is_empty() {
                    roles.grant_ecr_pull(repositories);
                }
                roles.grant_parameters_to_agent(parameters);
                roles.grant_secrets_to_agent(secrets);
                ServiceRoles::Own(Box::new(roles))
            }
        };
        if self.exec {
            let statement = TaskRoles::ecs_exec_statement();
            roles.task_role_mut().grant(statement);
        }

        let log_group_name: Val<String> = logs.log_group_name().into();
        let task_mib = self.size.memory();
        let mut task_definition = cfn::TaskDefinition::new()
            .family(self.name.as_str())
            .requires_compatibilities([td::RequiresCompatibilities::Fargate])
            .network_mode(td::NetworkMode::Awsvpc)
            .cpu(self.size.cpu().to_string())
            .memory(self.size.memory().to_string())
            .runtime_platform(
                td::RuntimePlatform::new()
                    .cpu_architecture(match arch {
                        Arch::X86_64 => td::RuntimePlatformCpuArchitecture::X8664,
                        Arch::Arm64 => td::RuntimePlatformCpuArchitecture::Arm64,
                    })
                    .operating_system_family(td::RuntimePlatformOperatingSystemFamily::Linux),
            )
            .execution_role_arn(roles.execution_arn())
            .task_role_arn(roles.task_role().arn());
        definitions::write(
            &mut task_definition,
            &self.name,
            &self.containers,
            &log_group_name,
            task_mib,
        )?;

        let mut security_group = SecurityGroup::new(
            self.vpc.vpc_id(),
            &self.name,
            &format!("Tasks of service {}", self.name),
        );
        if self.https_egress {
            // ECR, CloudWatch Logs and the AWS APIs the application calls are HTTPS endpoints.
            security_group.allow_to_any_ipv4(Port::tcp(443));
        }

        let mut resource = cfn::Service::new()
            .cluster(self.cluster_arn.clone())
            .task_definition(task_definition.ref_());
        if self.scaling.is_none() {
            resource.set_desired_count(i64::from(self.desired_count.unwrap_or(2)));
        }
        resource = resource
            .capacity_provider_strategy(
                self.strategy
                    .iter()
                    .map(|i| {
                        svc::CapacityProviderStrategyItem::new()
                            .capacity_provider(i.provider())
                            .weight(i64::from(i.weight))
                            .base(i64::from(i.base))
                    })
                    .collect::<Vec<_>>(),
            )
            .network_configuration(
                svc::NetworkConfiguration::new().awsvpc_configuration(
                    svc::AwsVpcConfiguration::new()
                        .assign_public_ip(svc::AwsVpcConfigurationAssignPublicIp::Disabled)
                        .security_groups(vec![security_group.group_id()])
                        .subnets(subnets),
                ),
            )
            .deployment_configuration(
                svc::DeploymentConfiguration::new()
                    .deployment_circuit_breaker(svc::DeploymentCircuitBreaker::new(
                        true,
                        self.rollback,
                    ))
                    .maximum_percent(200)
                    .minimum_healthy_percent(100),
            )
            .enable_ecs_managed_tags(true)
            .propagate_tags(svc::PropagateTags::Service);
        if self.exec {
            resource.set_enable_execute_command(true);
        }

        // The tasks that run whatever the load: the fixed count, or the scaling minimum.
        let tasks = match &self.scaling {
            Some(scaling) => scaling.min(),
            None => self.desired_count.unwrap_or(2),
        };
        let scaling = self.scaling.map(|settings| {
            ServiceScaling::new(
                settings,
                self.cluster_name.clone().into(),
                resource.attr_name(),
                &format!("{}-target-tracking", self.name),
            )
        });

        let mut service = EcsService {
            roles,
            logs,
            task_definition,
            security_group,
            resource,
            scaling,
            images,
            name: self.name,
            containers: self.containers,
            log_group_name,
            task_mib,
            load_balancers: Vec::new(),
            size: self.size,
            arch,
            tasks,
            strategy: self.strategy,
        };
        service.depend_on_policies();
        Ok(service)
    }
}

/// Makes the image assets of the containers whose images are built from the app's sources (a
/// Cargo image without a port of its own exposes the container's), and the instruction set the
/// task runs on: that of its Cargo images (x86_64 when there are none; mixed is an error).
fn place_images(
    service: &str,
    containers: &mut [Container],
) -> Result<(IndexMap<String, ImageAsset>, Arch), ConstructError> {
    let mut images = IndexMap::new();
    let mut arch: Option<(Arch, String)> = None;
    for c in containers.iter_mut() {
        let ContainerImage::Asset(recipe) = &c.image else {
            continue;
        };
        if let ImageRecipe::Cargo(image) = recipe {
            match &arch {
                Some((a, other)) if *a != image.architecture() => {
                    return Err(ConstructError::Conflict {
                        construct: format!("EcsService `{service}`"),
                        problem: format!(
                            "container `{}` is built for {} but container `{other}` for {}: a \
                             task runs on one instruction set; give both the same .arch(..)",
                            c.name,
                            image.architecture().as_str(),
                            a.as_str()
                        ),
                    });
                }
                Some(_) => {}
                None => arch = Some((image.architecture(), c.name.clone())),
            }
        }
        let asset = recipe
            .asset(c.port)
            .map_err(|e| ConstructError::InvalidImage {
                problem: format!("container `{}` of service `{service}`: {e}", c.name),
            })?;
        c.asset = Some(asset.clone());
        images.insert(format!("{}Image", c.name), asset);
    }
    Ok((images, arch.map(|(a, _)| a).unwrap_or_default()))
}

/// A Fargate service. Permissions granted to it (`bucket.grant_read(&mut service)`) go to its
/// task role, and the service waits for them at deployment: it `DependsOn` the policies of
/// both its roles (its own execution role's, or the policy of the shared execution role).
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "ecs::EcsService", costs = "EcsService::costs")]
pub struct EcsService {
    roles: ServiceRoles,
    logs: LogGroup,
    task_definition: cfn::TaskDefinition,
    security_group: SecurityGroup,
    resource: cfn::Service,
    scaling: Option<ServiceScaling>,
    /// Image assets of containers built from the app's sources, by `<container>Image`.
    images: IndexMap<String, ImageAsset>,
    #[construct(skip)]
    name: String,
    #[construct(skip)]
    containers: Vec<Container>,
    #[construct(skip)]
    log_group_name: Val<String>,
    /// The task's memory (MiB), shared among the containers' hard limits.
    #[construct(skip)]
    task_mib: u32,
    #[construct(skip)]
    load_balancers: Vec<svc::LoadBalancer>,
    #[construct(skip)]
    size: FargateSize,
    #[construct(skip)]
    arch: Arch,
    #[construct(skip)]
    tasks: u16,
    #[construct(skip)]
    strategy: Vec<StrategyItem>,
}

impl EcsService {
    /// A service `name` (letters, digits, `-`, `_`: it names the task family) on `cluster`,
    /// in the private subnets of `vpc` (a VPC of this app or an imported one).
    pub fn builder<'r>(
        name: &str,
        cluster: &dyn ICluster,
        vpc: &'r dyn IVpc,
    ) -> EcsServiceBuilder<'r> {
        let valid = !name.is_empty()
            && name.len() <= 200
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let subnets = if valid {
            private_subnets(
                vpc,
                name,
                &SubnetSelection::Kind(TierKind::PrivateWithEgress),
            )
        } else {
            Err(ConstructError::InvalidName {
                construct: "EcsService",
                what: "service name",
                name: name.to_string(),
                rule: "it must be 1-200 letters, digits, `-` or `_`",
            })
        };
        EcsServiceBuilder {
            name: name.to_string(),
            cluster_arn: cluster.cluster_arn(),
            cluster_name: cluster.cluster_name(),
            strategy: cluster.strategy(),
            vpc,
            subnets,
            size: FargateSize::SMALLEST,
            containers: Vec::new(),
            desired_count: None,
            retention: LogRetention::ONE_YEAR,
            roles: None,
            shared_execution: None,
            scaling: None,
            exec: false,
            rollback: true,
            https_egress: true,
        }
    }

    /// vCPU-hours and GB-hours of the tasks it keeps running (its scaling's alarms are priced by
    /// the scaling child).
    fn costs(&self) -> Vec<CostItem> {
        fargate_costs(self.size, self.arch, &self.strategy, u32::from(self.tasks))
    }

    fn depend_on_policies(&mut self) {
        for node in self.roles.policy_nodes() {
            self.resource.core_mut().add_dependency(node);
        }
    }

    /// The service's name as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The service's own execution and task roles; `None` when its execution role is a
    /// [`SharedExecutionRole`] (see [`EcsService::task_role`]).
    pub fn roles(&self) -> Option<&TaskRoles> {
        match &self.roles {
            ServiceRoles::Own(roles) => Some(roles),
            ServiceRoles::Shared { .. } => None,
        }
    }

    /// The task role (the application's permissions).
    pub fn task_role(&self) -> &Role {
        self.roles.task_role()
    }

    /// The ARN of the execution role, its own or the shared one.
    pub fn execution_role_arn(&self) -> Val<RoleArn> {
        self.roles.execution_arn()
    }

    /// Grants `statement` to the service's own execution role (e.g. a KMS key that encrypts a
    /// secret the task reads); the service waits for it like for the task role's grants. There
    /// is no mutable access to the roles themselves, so no grant can bypass that dependency.
    /// With a [`SharedExecutionRole`] this is an error: grant to the shared role itself
    /// (`shared.grant(...)`), whose policy the service already waits for.
    pub fn grant_to_execution_role(
        &mut self,
        statement: CheckedStatement,
    ) -> Result<Grant, ConstructError> {
        let ServiceRoles::Own(roles) = &mut self.roles else {
            return Err(ConstructError::SharedExecutionRole {
                service: self.name.clone(),
            });
        };
        let grant = roles.execution_role_mut().grant(statement);
        self.resource.core_mut().add_dependency(grant.policy);
        Ok(grant)
    }

    /// Attaches a managed policy (by ARN) to the task role, for permissions that do not fit
    /// in its inline policy. The role, and so the task definition, waits for the policy.
    pub fn attach_managed_policy_to_task_role(
        &mut self,
        arn: impl Into<Val<rcdk_core::kind::PolicyArn>>,
    ) -> &mut Self {
        self.roles.task_role_mut().attach_managed_policy(arn);
        self
    }

    /// The log group.
    pub fn log_group(&self) -> &LogGroup {
        &self.logs
    }

    /// The service resource.
    pub fn resource(&self) -> &cfn::Service {
        &self.resource
    }

    /// The service resource, mutably (placement, service discovery, properties this construct
    /// does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::Service {
        &mut self.resource
    }

    /// The task definition resource.
    pub fn task_definition(&self) -> &cfn::TaskDefinition {
        &self.task_definition
    }

    /// The task definition resource, mutably (volumes, ephemeral storage, properties this
    /// construct does not set). Containers are changed with [`EcsService::update_container`].
    pub fn task_definition_mut(&mut self) -> &mut cfn::TaskDefinition {
        &mut self.task_definition
    }

    /// The containers, in order.
    pub fn containers(&self) -> &[Container] {
        &self.containers
    }

    /// Changes container `name` after the service is built (its command, environment,
    /// health check, ...): `change` gets the container and returns the new one, which replaces
    /// it in the task definition. New secret sources are refused: the execution role's
    /// permissions were settled at `build()`; declare secrets before building. So are a new
    /// name or image, and a new port for a container a load balancer already routes to.
    pub fn update_container(
        &mut self,
        name: &str,
        change: impl FnOnce(Container) -> Container,
    ) -> Result<&mut Self, ConstructError> {
        let unknown = || ConstructError::Conflict {
            construct: format!("EcsService `{}`", self.name),
            problem: format!(
                "it has no container `{name}`; its containers are: {}",
                self.containers
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let index = self
            .containers
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(unknown)?;
        let before = self.containers[index].clone();
        let after = change(before.clone());
        let conflict = |problem: &str| ConstructError::Conflict {
            construct: format!("EcsService `{}`", self.name),
            problem: problem.to_string(),
        };
        if after.name != before.name {
            return Err(conflict(
                "a container cannot be renamed after build(): the load balancer and the logs \
                 refer to it by name",
            ));
        }
        let routed = self
            .load_balancers
            .iter()
            .any(|lb| lb.get_container_name() == Some(Val::from(name)));
        if routed && after.port != before.port {
            return Err(conflict(
                "the port of a container behind a load balancer cannot change after routing: \
                 the target group, the service's load balancer entry and the security group \
                 rules use the port it had; set the port before building and routing",
            ));
        }
        if after.secret_arns() != before.secret_arns() || after.image != before.image {
            return Err(conflict(
                "the image and secret sources of a container are settled at build(): the \
                 execution role was granted exactly those; set them before building",
            ));
        }
        let mut containers = self.containers.clone();
        containers[index] = after;
        definitions::write(
            &mut self.task_definition,
            &self.name,
            &containers,
            &self.log_group_name,
            self.task_mib,
        )?;
        self.containers = containers;
        Ok(self)
    }

    /// The service ARN (`Ref`).
    pub fn service_arn(&self) -> Val<ServiceArn> {
        self.resource.ref_()
    }

    /// The service name as deployed (`Fn::GetAtt Name`).
    pub fn service_name(&self) -> Val<String> {
        self.resource.attr_name()
    }

    /// The container that receives load-balancer traffic: the first one with a port.
    pub(crate) fn traffic_port(&self) -> Option<(String, u16)> {
        self.containers
            .iter()
            .find_map(|c| c.port.map(|p| (c.name.clone(), p)))
    }

    /// Registers the service with a target group behind `rule` (called by the load balancer);
    /// `label` is what request-count scaling tracks (`<load balancer>/<target group>` full
    /// names).
    pub(crate) fn attach_target_group(
        &mut self,
        container: &str,
        port: u16,
        target_group_arn: Val<TargetGroupArn>,
        rule: NodeId,
        grace_seconds: u16,
        label: Val<String>,
    ) {
        self.load_balancers.push(
            svc::LoadBalancer::new()
                .container_name(container)
                .container_port(i64::from(port))
                .target_group_arn(target_group_arn),
        );
        self.resource
            .set_load_balancers(self.load_balancers.clone())
            .set_health_check_grace_period_seconds(i64::from(grace_seconds));
        // ECS refuses a target group that no listener uses yet.
        self.resource.core_mut().add_dependency(rule);
        if let Some(scaling) = &mut self.scaling {
            scaling.routed(label);
        }
    }
}

impl Grantee for EcsService {
    fn grant(&mut self, statement: CheckedStatement) -> Grant {
        let grant = self.roles.task_role_mut().grant(statement);
        self.resource.core_mut().add_dependency(grant.policy);
        grant
    }
}

impl Connectable for EcsService {
    fn security_group(&self) -> &SecurityGroup {
        &self.security_group
    }
    fn security_group_mut(&mut self) -> &mut SecurityGroup {
        &mut self.security_group
    }
}
