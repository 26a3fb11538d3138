//! One ECS execution role for several services. Each service's builder registers what its task
//! definition needs (`ecs::EcsServiceBuilder::execution_role`); the role's one inline policy
//! holds exactly the union of those needs, one statement per kind of need, without duplicates,
//! in registration order. Each service keeps its own task role.

use rcdk_core::kind::RoleArn;
use rcdk_core::{Annotation, Child, ChildMut, Construct, NodeId, Val};

use super::grant::{CheckedStatement, Grant, Grantee};
use super::name::RoleNameText;
use super::policy::{Action, PolicyDocument, Statement};
use super::resourceless::ecr_authorization_token;
use super::role::Role;
use super::task_roles::ecs_role;

/// What one service's task definition needs from its execution role: the ARNs the ECS agent
/// uses before the application starts.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExecutionNeeds {
    /// The service's log group (`logs:CreateLogStream`, `logs:PutLogEvents`).
    pub log_group: Option<Val<String>>,
    /// ECR repositories of its images.
    pub repositories: Vec<Val<String>>,
    /// SSM parameters its containers take as secrets.
    pub parameters: Vec<Val<String>>,
    /// Secrets Manager secrets its containers take as secrets.
    pub secrets: Vec<Val<String>>,
}

/// An execution role shared by the ECS services that register with it
/// (`EcsService::builder(..).execution_role(&mut shared)`). Its inline policy holds exactly the
/// union of those services' needs; each service's task definition uses the role's ARN and each
/// service `DependsOn` the policy, so no task starts before the permissions exist.
///
/// Place it in the same stack as the services that use it: its policy references their log
/// groups and secrets, and they reference the role, so a role in another stack would make the
/// two stacks depend on each other.
///
/// ```
/// use rcdk_constructs::ecs::{Container, ContainerImage, EcsCluster, EcsService};
/// use rcdk_constructs::iam::SharedExecutionRole;
/// use rcdk_constructs::network::{NatPolicy, Tier, TieredVpc};
/// use rcdk_core::{App, Stack};
///
/// let vpc = TieredVpc::builder()
///     .tier(Tier::public("Public", 24))
///     .tier(Tier::private("Private", 22))
///     .nat(NatPolicy::Single)
///     .build()?;
/// let cluster = EcsCluster::new();
/// let mut execution = SharedExecutionRole::new();
/// let users = EcsService::builder("users", &cluster, &vpc)
///     .container(Container::new("web", ContainerImage::ecr("user-service", "1.0"))?)
///     .execution_role(&mut execution)
///     .build()?;
/// let orders = EcsService::builder("orders", &cluster, &vpc)
///     .container(Container::new("web", ContainerImage::ecr("order-service", "1.0"))?)
///     .execution_role(&mut execution)
///     .build()?;
/// assert_eq!(execution.services(), ["users", "orders"]);
/// let mut app = App::new().with(
///     Stack::new("Services")
///         .with("Network", vpc)
///         .with("Cluster", cluster)
///         .with("ExecutionRole", execution)
///         .with("Users", users)
///         .with("Orders", orders),
/// );
/// assert!(app.synth().is_ok());
/// # Ok::<(), rcdk_constructs::error::ConstructError>(())
/// ```
#[derive(Debug, Clone)]
pub struct SharedExecutionRole {
    role: Role,
    log_groups: Vec<Val<String>>,
    repositories: Vec<Val<String>>,
    parameters: Vec<Val<String>>,
    secrets: Vec<Val<String>>,
    /// Grants made directly on the shared role (e.g. a KMS key of a secret).
    extra: PolicyDocument,
    services: Vec<String>,
}

impl Default for SharedExecutionRole {
    fn default() -> Self {
        Self::new()
    }
}

fn push_all(into: &mut Vec<Val<String>>, items: Vec<Val<String>>) {
    for item in items {
        if !into.contains(&item) {
            into.push(item);
        }
    }
}

fn allow_on(actions: &[&'static str], resources: &[Val<String>]) -> Statement {
    let mut statement = Statement::allow(actions.iter().map(|a| Action::known(a)));
    for r in resources {
        statement = statement.on(r.clone());
    }
    statement
}

impl SharedExecutionRole {
    /// An unnamed role (CloudFormation generates the name), assumable only by ECS tasks of this
    /// account and region.
    pub fn new() -> SharedExecutionRole {
        SharedExecutionRole {
            role: ecs_role().description("ECS execution role shared by several services"),
            log_groups: Vec::new(),
            repositories: Vec::new(),
            parameters: Vec::new(),
            secrets: Vec::new(),
            extra: PolicyDocument::new(),
            services: Vec::new(),
        }
    }

    /// Gives the role a fixed name (deploying then needs `CAPABILITY_NAMED_IAM`).
    pub fn named(mut self, name: RoleNameText) -> SharedExecutionRole {
        self.role = self.role.named(name);
        self
    }

    /// The role's ARN (what the services' task definitions use).
    pub fn arn(&self) -> Val<RoleArn> {
        self.role.arn()
    }

    /// The role.
    pub fn role(&self) -> &Role {
        &self.role
    }

    /// The services registered so far, in registration order.
    pub fn services(&self) -> &[String] {
        &self.services
    }

    /// The node of the role's inline policy, once a service registered or something was granted.
    pub fn policy_node(&self) -> Option<NodeId> {
        self.role.policy_node()
    }

    /// Records `service`'s needs and rewrites the policy; returns the policy's node, which the
    /// service must depend on.
    pub(crate) fn register(&mut self, service: &str, needs: ExecutionNeeds) -> NodeId {
        self.services.push(service.to_string());
        push_all(&mut self.log_groups, needs.log_group.into_iter().collect());
        push_all(&mut self.repositories, needs.repositories);
        push_all(&mut self.parameters, needs.parameters);
        push_all(&mut self.secrets, needs.secrets);
        self.rewrite_policy()
    }

    /// One statement per kind of need, over the union of the services' ARNs, then the direct
    /// grants: the smallest policy that holds exactly what the services declared.
    fn document(&self) -> PolicyDocument {
        let mut document = PolicyDocument::new();
        let mut add = |statement: Statement| {
            let _ = document.add_trusted(statement);
        };
        if !self.log_groups.is_empty() {
            add(allow_on(
                &["logs:CreateLogStream", "logs:PutLogEvents"],
                &self.log_groups,
            ));
        }
        if !self.repositories.is_empty() {
            // The token action has no resource type: the one wildcard an image pull needs.
            add(ecr_authorization_token());
            add(allow_on(
                &[
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                &self.repositories,
            ));
        }
        if !self.parameters.is_empty() {
            add(allow_on(&["ssm:GetParameters"], &self.parameters));
        }
        if !self.secrets.is_empty() {
            add(allow_on(&["secretsmanager:GetSecretValue"], &self.secrets));
        }
        for statement in self.extra.statements() {
            add(statement.clone());
        }
        document
    }

    fn rewrite_policy(&mut self) -> NodeId {
        let document = self.document();
        self.role.replace_policy_document(document)
    }
}

/// Grants to the shared role itself, for needs no service declares (e.g. `kms:Decrypt` on the
/// key of a secret). Every registered service already depends on the policy they land in.
impl Grantee for SharedExecutionRole {
    fn grant(&mut self, statement: CheckedStatement) -> Grant {
        let added = self.extra.add_trusted(statement.0);
        let policy = self.rewrite_policy();
        Grant {
            actions: added.actions,
            resources: added.resources,
            any_resource: added.any_resource,
            policy,
        }
    }
}

/// The role's resources appear directly below this construct (`Resource`, `DefaultPolicy`), as
/// for a plain [`Role`].
impl Construct for SharedExecutionRole {
    fn construct_type(&self) -> &str {
        "iam::SharedExecutionRole"
    }
    fn children(&self) -> Vec<Child<'_>> {
        self.role.children()
    }
    fn children_mut(&mut self) -> Vec<ChildMut<'_>> {
        self.role.children_mut()
    }
    fn annotations(&self) -> Vec<Annotation> {
        let mut out = self.role.annotations();
        if self.services.is_empty() {
            out.push(Annotation::warning(
                "no service uses this shared execution role: pass it to \
                 `EcsService::builder(..).execution_role(&mut role)` or remove it",
            ));
        }
        out
    }
}
