//! IAM: typed policy documents, validated role names, roles with typed grants, and the pair of
//! roles every ECS service needs.

mod grant;
mod name;
mod policy;
mod role;
mod task_roles;
pub(crate) mod value;

pub(crate) use grant::{actions, grant_all};
pub use grant::{CheckedStatement, Grant, Grantee};
pub use name::{check_role_name, RoleNameText, ROLE_NAME_MAX};
pub use policy::{
    estimated_len, Action, Added, ConditionOperator, Effect, PolicyDocument, Principal, Statement,
    POLICY_VERSION, REFERENCE_ESTIMATE,
};
pub use role::{ManagedPolicy, Role, DEFAULT_POLICY_NAME, INLINE_POLICY_LIMIT};
pub use task_roles::{TaskRoles, ECS_TASKS_PRINCIPAL};
