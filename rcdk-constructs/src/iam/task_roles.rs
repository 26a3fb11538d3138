//! The two roles of an ECS task: the execution role (used by the ECS agent before the
//! application starts: pull the image, write logs, read the secrets and parameters the task
//! declares) and the task role (used by the application). Distinct per service.

use rcdk_core::{fns, Val};

use super::grant::{CheckedStatement, Grant, Grantee};
use super::name::RoleNameText;
use super::policy::Statement;
use super::resourceless::{ecr_authorization_token, ssm_session_channels};
use super::role::Role;

/// The ECS tasks service principal (a principal name, not a host that is contacted).
pub const ECS_TASKS_PRINCIPAL: &str = "ecs-tasks.amazonaws.com";

/// The execution role and the task role of one service, both assumable only by ECS tasks of
/// this account and region (`aws:SourceAccount`, `aws:SourceArn`).
///
/// Grants made on `TaskRoles` itself go to the task role; the execution role receives exactly
/// what the task definition declares (done by `ecs::EcsService`), through the `grant_*_pull`
/// calls below.
#[derive(Debug, Clone, rcdk_macros::Construct)]
#[construct(type_name = "iam::TaskRoles")]
pub struct TaskRoles {
    #[construct(id = "ExecutionRole")]
    execution: Role,
    #[construct(id = "TaskRole")]
    task: Role,
}

pub(super) fn ecs_role() -> Role {
    Role::assumed_by_service_for(
        ECS_TASKS_PRINCIPAL,
        fns::sub_plain("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*"),
    )
}

impl Default for TaskRoles {
    fn default() -> Self {
        Self::new()
    }
}

impl TaskRoles {
    /// Two unnamed roles (CloudFormation generates the names).
    pub fn new() -> TaskRoles {
        TaskRoles {
            execution: ecs_role().description("ECS execution role: image pull, logs, secrets"),
            task: ecs_role().description("ECS task role: the application's permissions"),
        }
    }

    /// Two roles with fixed names.
    pub fn named(execution: RoleNameText, task: RoleNameText) -> TaskRoles {
        let roles = TaskRoles::new();
        TaskRoles {
            execution: roles.execution.named(execution),
            task: roles.task.named(task),
        }
    }

    /// Two roles named by values known at deployment (template parameters); IAM checks them
    /// then. Give such parameters `AllowedPattern` `[\w+=,.@-]{1,64}` to fail early.
    pub fn named_at_deploy_time(
        execution: impl Into<Val<String>>,
        task: impl Into<Val<String>>,
    ) -> TaskRoles {
        let roles = TaskRoles::new();
        TaskRoles {
            execution: roles.execution.named_at_deploy_time(execution),
            task: roles.task.named_at_deploy_time(task),
        }
    }

    /// Replaces the roles with what `f` makes of them (descriptions, policy names, tags).
    pub fn map_roles(self, f: impl Fn(Role) -> Role) -> TaskRoles {
        TaskRoles {
            execution: f(self.execution),
            task: f(self.task),
        }
    }

    /// Replaces the task role with what `f` makes of it (a policy name, a description).
    pub fn with_task_role(mut self, f: impl FnOnce(Role) -> Role) -> TaskRoles {
        self.task = f(self.task);
        self
    }

    /// Replaces the execution role with what `f` makes of it.
    pub fn with_execution_role(mut self, f: impl FnOnce(Role) -> Role) -> TaskRoles {
        self.execution = f(self.execution);
        self
    }

    /// The execution role.
    pub fn execution_role(&self) -> &Role {
        &self.execution
    }

    /// The task role.
    pub fn task_role(&self) -> &Role {
        &self.task
    }

    /// A task role alone (described like the one of [`TaskRoles::new`]), for a service whose
    /// execution role is shared.
    pub(crate) fn task_role_alone() -> Role {
        ecs_role().description("ECS task role: the application's permissions")
    }

    /// The task role, mutably (to attach managed policies).
    pub fn task_role_mut(&mut self) -> &mut Role {
        &mut self.task
    }

    /// The execution role, mutably.
    pub fn execution_role_mut(&mut self) -> &mut Role {
        &mut self.execution
    }

    /// Lets the execution role pull images from ECR repositories `repository_arns`.
    ///
    /// `ecr:GetAuthorizationToken` is granted on `*`: the action has no resource type, so this is
    /// the one wildcard resource the execution role cannot avoid. The layer actions are scoped
    /// to the repositories.
    pub fn grant_ecr_pull(&mut self, repository_arns: Vec<Val<String>>) -> Vec<Grant> {
        let token = ecr_authorization_token();
        let mut grants = vec![self.execution.grant(CheckedStatement::trusted(token))];
        if !repository_arns.is_empty() {
            let mut pull = Statement::allow([
                crate::action!("ecr:BatchCheckLayerAvailability"),
                crate::action!("ecr:BatchGetImage"),
                crate::action!("ecr:GetDownloadUrlForLayer"),
            ]);
            for arn in repository_arns {
                pull = pull.on(arn);
            }
            grants.push(self.execution.grant(CheckedStatement::trusted(pull)));
        }
        grants
    }

    /// Lets the execution role write the containers' logs to the log group `log_group_arn`
    /// (the ARN ending in `:*`, as `ILogGroup::log_group_arn` gives it).
    pub fn grant_log_writes(&mut self, log_group_arn: Val<String>) -> Grant {
        let statement = Statement::allow([
            crate::action!("logs:CreateLogStream"),
            crate::action!("logs:PutLogEvents"),
        ])
        .on(log_group_arn);
        self.execution.grant(CheckedStatement::trusted(statement))
    }

    /// Lets the execution role read SSM parameters (by ARN) that the containers take as
    /// secrets.
    pub fn grant_parameters_to_agent(&mut self, parameter_arns: Vec<Val<String>>) -> Option<Grant> {
        if parameter_arns.is_empty() {
            return None;
        }
        let mut statement = Statement::allow([crate::action!("ssm:GetParameters")]);
        for arn in parameter_arns {
            statement = statement.on(arn);
        }
        Some(self.execution.grant(CheckedStatement::trusted(statement)))
    }

    /// Lets the execution role read Secrets Manager secrets (by ARN) that the containers take
    /// as secrets.
    pub fn grant_secrets_to_agent(&mut self, secret_arns: Vec<Val<String>>) -> Option<Grant> {
        if secret_arns.is_empty() {
            return None;
        }
        let mut statement = Statement::allow([crate::action!("secretsmanager:GetSecretValue")]);
        for arn in secret_arns {
            statement = statement.on(arn);
        }
        Some(self.execution.grant(CheckedStatement::trusted(statement)))
    }

    /// ECS Exec (`aws ecs execute-command`): the task role may open the SSM session channels.
    /// These `ssmmessages` actions have no resource type, so they are granted on `*`.
    pub fn grant_ecs_exec(&mut self) -> Grant {
        self.task.grant(Self::ecs_exec_statement())
    }

    /// The statement of [`TaskRoles::grant_ecs_exec`], for a task role held alone.
    pub(crate) fn ecs_exec_statement() -> CheckedStatement {
        CheckedStatement::trusted(ssm_session_channels())
    }
}

impl Grantee for TaskRoles {
    fn grant(&mut self, statement: CheckedStatement) -> Grant {
        self.task.grant(statement)
    }
}
