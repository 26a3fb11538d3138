//! Statements whose actions have no resource type, so that IAM accepts only `*` for them: each
//! carries the reason its wildcard is accepted, written once here for every construct and app
//! that needs them.

use super::policy::Statement;

/// Why `ecr:GetAuthorizationToken` is granted on `*`.
pub const ECR_TOKEN_REASON: &str = "ecr:GetAuthorizationToken has no resource-level permissions \
     (IAM accepts only `*` for it); the token lets the holder call the registry, and what it may \
     pull or push there is limited by the statements that name the repositories";

/// Why the Session Manager channel actions are granted on `*`.
pub const SSM_CHANNELS_REASON: &str = "the ssmmessages channel actions of Session Manager \
     and ECS Exec have no resource-level permissions (IAM accepts only `*` for them); which \
     instance or task a session reaches is decided by the ssm:StartSession / \
     ecs:ExecuteCommand permissions of the caller";

/// `ecr:GetAuthorizationToken` on `*` (with its reason): what every image pull and push from
/// ECR needs besides the repository actions.
pub fn ecr_authorization_token() -> Statement {
    Statement::allow([crate::action!("ecr:GetAuthorizationToken")])
        .on_any_resource_explicitly()
        .wildcards_because(ECR_TOKEN_REASON)
}

/// The four `ssmmessages` channel actions on `*` (with their reason): what the SSM agent needs
/// for Session Manager on an instance, and a task for ECS Exec.
pub fn ssm_session_channels() -> Statement {
    Statement::allow([
        crate::action!("ssmmessages:CreateControlChannel"),
        crate::action!("ssmmessages:CreateDataChannel"),
        crate::action!("ssmmessages:OpenControlChannel"),
        crate::action!("ssmmessages:OpenDataChannel"),
    ])
    .on_any_resource_explicitly()
    .wildcards_because(SSM_CHANNELS_REASON)
}
