//! IAM: typed policy documents, validated role names, roles with typed grants, the pair of
//! roles every ECS service needs, and OIDC web-identity roles (GitHub Actions) for CI without
//! stored keys.
//!
//! ```
//! use rcdk_constructs::iam::{Grantee, Role, Statement};
//! use rcdk_constructs::storage::{IQueue, Queue};
//! use rcdk_constructs::{action, role_name};
//!
//! let mut build = Role::assumed_by_service("codebuild.amazonaws.com")
//!     .named(role_name!("learner-build-role")); // checked at compile time
//! let queue = Queue::new();
//! let grant = queue.grant_send(&mut build);
//! assert_eq!(grant.action_names(), ["sqs:GetQueueAttributes", "sqs:SendMessage"]);
//! // `*` only through the explicitly named call; `.on("*")` is refused by `checked()`.
//! let _token = build.grant(
//!     Statement::allow([action!("ecr:GetAuthorizationToken")]) // checked at compile time
//!         .on_any_resource_explicitly()
//!         .wildcards_because("ecr:GetAuthorizationToken has no resource-level permissions")
//!         .checked()?,
//! );
//! assert!(Statement::allow([action!("s3:GetObject")]).on("*").checked().is_err());
//! # Ok::<(), rcdk_constructs::error::ConstructError>(())
//! ```

// `grant_all`, `actions` and the execution-role helpers serve the storage, data and ECS
// constructs; when their features are off (see the crate doc) nothing calls them.
#![cfg_attr(
    not(all(
        feature = "ec2",
        feature = "logs",
        feature = "dynamodb",
        feature = "s3",
        feature = "secretsmanager",
        feature = "sqs",
        feature = "ssm",
        feature = "ecs",
        feature = "applicationautoscaling"
    )),
    allow(dead_code, unused_imports)
)]

mod default_policy;
mod grant;
mod name;
mod oidc;
mod policy;
mod resourceless;
mod role;
mod shared_execution;
mod task_roles;

pub use default_policy::{DefaultPolicy, DEFAULT_POLICY_NAME, POLICY_NAME_SUFFIX};
// The proc macros behind `action!` / `actions!`, reached through `$crate::iam`.
pub(crate) use grant::grant_all;
pub use grant::{CheckedStatement, Grant, Grantee};
pub use name::{check_role_name, RoleNameText, ROLE_NAME_MAX};
pub use oidc::{
    GithubActionsRole, GithubActionsRoleBuilder, IOidcProvider, ImportedOidcProvider, OidcProvider,
    CI_SESSION_SECONDS, GITHUB_ACTIONS_ISSUER, STS_AUDIENCE,
};
pub use policy::{
    estimated_len, Action, Added, ConditionOperator, Effect, PolicyDocument, Principal, Statement,
    POLICY_VERSION, REFERENCE_ESTIMATE,
};
#[doc(hidden)]
pub use rcdk_macros::{checked_action as __checked_action, checked_actions as __checked_actions};
pub use resourceless::{
    ecr_authorization_token, ssm_session_channels, ECR_TOKEN_REASON, SSM_CHANNELS_REASON,
};
pub use role::{ImportedRole, ManagedPolicy, Role, INLINE_POLICY_LIMIT};
pub(crate) use shared_execution::ExecutionNeeds;
pub use shared_execution::SharedExecutionRole;
pub use task_roles::{TaskRoles, ECS_TASKS_PRINCIPAL};
