//! Fargate services: task definition, containers, roles, logs, security group, circuit
//! breaker, autoscaling; the service runs in the VPC's private subnets without public IPs.

use cdk_core::kind::SubnetId;
use cdk_core::{NodeId, Resource, Val, Value};
use cdk_macros::Construct;

use super::cluster::EcsCluster;
use super::container::{push_unique, Container};
use super::roles::ServiceRoles;
use super::scaling::{AutoScaling, ServiceScaling};
use super::size::FargateSize;
use crate::cfn::ecs as cfn;
use crate::error::ConstructError;
use crate::iam::value::{list, num, obj, s};
use crate::iam::{
    CheckedStatement, ExecutionNeeds, Grant, Grantee, Role, SharedExecutionRole, TaskRoles,
};
use crate::network::{Connectable, Port, SecurityGroup, SubnetSelection, TierKind, TieredVpc};
use crate::storage::{LogGroup, LogRetention};

/// Builder of an [`EcsService`]; see [`EcsService::builder`]. The lifetime is that of the
/// [`SharedExecutionRole`] given to [`EcsServiceBuilder::execution_role`], if any.
#[derive(Debug)]
pub struct EcsServiceBuilder<'r> {
    name: String,
    cluster_arn: Val<String>,
    cluster_name: Val<String>,
    strategy: Value,
    vpc_id: Val<cdk_core::kind::VpcId>,
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

/// Subnets of `selection`, provided they are all private subnets of `vpc`.
fn private_subnets(
    vpc: &TieredVpc,
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
        SubnetSelection::Tier(name) => vpc.tier(name).map(|t| t.kind()),
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
    pub fn subnets(mut self, selection: SubnetSelection, vpc: &TieredVpc) -> Self {
        self.subnets = private_subnets(vpc, &self.name, &selection);
        self
    }

    /// Retention of the service's log group (default 30 days).
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

    /// Target-tracking autoscaling.
    pub fn autoscaling(mut self, scaling: AutoScaling) -> Self {
        self.scaling = Some(scaling);
        self
    }

    /// ECS Exec: `aws ecs execute-command` into the containers (grants the task role the
    /// `ssmmessages` channel actions).
    pub fn enable_exec(mut self) -> Self {
        self.exec = true;
        self
    }

    /// Turns the deployment circuit breaker's rollback off (a failed deployment then stops
    /// where it is instead of returning to the last working version).
    pub fn without_rollback_explicitly(mut self) -> Self {
        self.rollback = false;
        self
    }

    /// Removes the default HTTPS (443) egress to anywhere. Only for VPCs whose interface
    /// endpoints cover ECR, Logs and every AWS API the application calls.
    pub fn without_internet_https_egress(mut self) -> Self {
        self.https_egress = false;
        self
    }

    /// Builds the service.
    pub fn build(self) -> Result<EcsService, ConstructError> {
        let subnets = self.subnets?;
        let invalid = |message: String| ConstructError::InvalidInput {
            construct: format!("EcsService `{}`", self.name),
            message,
        };
        if self.containers.is_empty() {
            return Err(invalid(
                "a service needs at least one container: add one with .container(...)".into(),
            ));
        }
        let mut names: Vec<&str> = self.containers.iter().map(|c| c.name.as_str()).collect();
        names.sort();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(invalid("two containers have the same name".into()));
        }
        if let (Some(scaling), Some(count)) = (&self.scaling, self.desired_count) {
            return Err(invalid(format!(
                "desired count {count} is set together with autoscaling {}-{}: the scaling \
                 range decides the count (a fixed DesiredCount would reset it at every \
                 deployment); remove .desired_count(...)",
                scaling.min(),
                scaling.max()
            )));
        }

        if self.roles.is_some() && self.shared_execution.is_some() {
            return Err(invalid(
                "both .roles(...) and .execution_role(...) are given: the execution role of \
                 the TaskRoles would be unused; remove one of them"
                    .into(),
            ));
        }

        let logs = LogGroup::new().retention(self.retention);
        let mut repositories = Vec::new();
        let mut parameters = Vec::new();
        let mut secrets = Vec::new();
        for c in &self.containers {
            if let Some(arn) = c.image.ecr_repository_arn() {
                push_unique(&mut repositories, arn);
            }
            let (p, s) = c.secret_arns();
            p.into_iter().for_each(|a| push_unique(&mut parameters, a));
            s.into_iter().for_each(|a| push_unique(&mut secrets, a));
        }
        let mut roles = match self.shared_execution {
            Some(shared) => {
                let needs = ExecutionNeeds {
                    log_group: Some(logs.arn()),
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
                let _logs_grant = roles.grant_log_writes(logs.arn());
                if !repositories.is_empty() {
                    let _ecr = roles.grant_ecr_pull(repositories);
                }
                let _parameters = roles.grant_parameters_to_agent(parameters);
                let _secrets = roles.grant_secrets_to_agent(secrets);
                ServiceRoles::Own(Box::new(roles))
            }
        };
        if self.exec {
            let statement = TaskRoles::ecs_exec_statement();
            let _exec = roles.task_role_mut().grant(statement);
        }

        let mut task_definition = cfn::TaskDefinition::new();
        let td = task_definition.core_mut();
        td.set("Family", self.name.as_str());
        td.set("RequiresCompatibilities", list([s("FARGATE")]));
        td.set("NetworkMode", "awsvpc");
        td.set("Cpu", self.size.cpu().to_string());
        td.set("Memory", self.size.memory().to_string());
        td.set(
            "RuntimePlatform",
            obj([
                ("CpuArchitecture", s("X86_64")),
                ("OperatingSystemFamily", s("LINUX")),
            ]),
        );
        td.set("ExecutionRoleArn", roles.execution_arn());
        td.set("TaskRoleArn", roles.task_role().arn());
        let log_group_name: Val<String> = logs.name().into();
        td.set(
            "ContainerDefinitions",
            list(
                self.containers
                    .iter()
                    .map(|c| c.definition(log_group_name.clone())),
            ),
        );

        let mut security_group = SecurityGroup::new(
            self.vpc_id.clone(),
            &self.name,
            &format!("Tasks of service {}", self.name),
        );
        if self.https_egress {
            // ECR, CloudWatch Logs and the AWS APIs the application calls are HTTPS endpoints.
            security_group.allow_to_any_ipv4(Port::tcp(443));
        }

        let mut resource = cfn::Service::new();
        let core = resource.core_mut();
        core.set("Cluster", self.cluster_arn.clone());
        core.set("TaskDefinition", task_definition.ref_());
        if self.scaling.is_none() {
            core.set("DesiredCount", num(self.desired_count.unwrap_or(2)));
        }
        core.set("CapacityProviderStrategy", self.strategy.clone());
        core.set(
            "NetworkConfiguration",
            obj([(
                "AwsvpcConfiguration",
                obj([
                    ("AssignPublicIp", s("DISABLED")),
                    ("SecurityGroups", list([security_group.group_id()])),
                    ("Subnets", list(subnets)),
                ]),
            )]),
        );
        core.set(
            "DeploymentConfiguration",
            obj([
                (
                    "DeploymentCircuitBreaker",
                    obj([
                        ("Enable", Value::Bool(true)),
                        ("Rollback", Value::Bool(self.rollback)),
                    ]),
                ),
                ("MaximumPercent", num(200)),
                ("MinimumHealthyPercent", num(100)),
            ]),
        );
        core.set("EnableECSManagedTags", Value::Bool(true));
        core.set("PropagateTags", "SERVICE");
        if self.exec {
            core.set("EnableExecuteCommand", Value::Bool(true));
        }

        let scaling = self.scaling.map(|settings| {
            ServiceScaling::new(
                settings,
                self.cluster_name.clone(),
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
            name: self.name,
            containers: self.containers,
        };
        service.depend_on_policies();
        Ok(service)
    }
}

/// A Fargate service. Permissions granted to it (`bucket.grant_read(&mut service)`) go to its
/// task role, and the service waits for them at deployment: it `DependsOn` the policies of
/// both its roles (its own execution role's, or the policy of the shared execution role).
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "ecs::EcsService")]
pub struct EcsService {
    roles: ServiceRoles,
    logs: LogGroup,
    task_definition: cfn::TaskDefinition,
    security_group: SecurityGroup,
    resource: cfn::Service,
    scaling: Option<ServiceScaling>,
    #[construct(skip)]
    name: String,
    #[construct(skip)]
    containers: Vec<Container>,
}

impl EcsService {
    /// A service `name` (letters, digits, `-`, `_`: it names the task family) on `cluster`,
    /// in the private subnets of `vpc`.
    pub fn builder<'r>(name: &str, cluster: &EcsCluster, vpc: &TieredVpc) -> EcsServiceBuilder<'r> {
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
            Err(ConstructError::InvalidInput {
                construct: "EcsService".to_string(),
                message: format!("service name `{name}` must be 1-200 letters, digits, `-` or `_`"),
            })
        };
        let strategy = list(cluster.strategy().iter().map(|i| {
            obj([
                (
                    "CapacityProvider",
                    s(if i.spot { "FARGATE_SPOT" } else { "FARGATE" }),
                ),
                ("Weight", num(i.weight)),
                ("Base", num(i.base)),
            ])
        }));
        EcsServiceBuilder {
            name: name.to_string(),
            cluster_arn: cluster.arn().into(),
            cluster_name: cluster.cluster_name(),
            strategy,
            vpc_id: vpc.vpc_id(),
            subnets,
            size: FargateSize::SMALLEST,
            containers: Vec::new(),
            desired_count: None,
            retention: LogRetention::ONE_MONTH,
            roles: None,
            shared_execution: None,
            scaling: None,
            exec: false,
            rollback: true,
            https_egress: true,
        }
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
    pub fn execution_role_arn(&self) -> Val<cdk_core::kind::RoleArn> {
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
            return Err(ConstructError::InvalidInput {
                construct: format!("EcsService `{}`", self.name),
                message: "its execution role is shared: grant to the SharedExecutionRole \
                          itself (`shared.grant(...)`), before or after building the services"
                    .into(),
            });
        };
        let grant = roles.execution_role_mut().grant(statement);
        self.resource.core_mut().add_dependency(grant.policy);
        Ok(grant)
    }

    /// Attaches a managed policy (by ARN) to the task role, for permissions that do not fit
    /// in its inline policy. The role, and so the task definition, waits for the policy.
    pub fn attach_managed_policy_to_task_role(&mut self, arn: impl Into<Val<String>>) {
        self.roles.task_role_mut().attach_managed_policy(arn);
    }

    /// The log group.
    pub fn log_group(&self) -> &LogGroup {
        &self.logs
    }

    /// The service resource.
    pub fn resource(&self) -> &cfn::Service {
        &self.resource
    }

    /// The task definition resource.
    pub fn task_definition(&self) -> &cfn::TaskDefinition {
        &self.task_definition
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

    /// Registers the service with a target group behind `rule` (called by the load balancer).
    pub(crate) fn attach_target_group(
        &mut self,
        container: &str,
        port: u16,
        target_group_arn: Val<String>,
        rule: NodeId,
        grace_seconds: u16,
    ) {
        let core = self.resource.core_mut();
        let mut lbs = match core.props.remove("LoadBalancers") {
            Some(Value::List(items)) => items,
            _ => Vec::new(),
        };
        lbs.push(obj([
            ("ContainerName", s(container)),
            ("ContainerPort", num(port)),
            ("TargetGroupArn", target_group_arn.into_value()),
        ]));
        core.set("LoadBalancers", Value::List(lbs));
        core.set("HealthCheckGracePeriodSeconds", num(grace_seconds));
        // ECS refuses a target group that no listener uses yet.
        core.add_dependency(rule);
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
