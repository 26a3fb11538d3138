//! The roles of one service: its own execution + task role pair (the default), or its own task
//! role with an execution role shared with other services (`iam::SharedExecutionRole`).

use rcdk_core::kind::RoleArn;
use rcdk_core::{Annotation, Child, ChildId, ChildMut, Construct, NodeId, Val};

use crate::iam::{Role, TaskRoles};

/// The roles an `EcsService` holds.
#[derive(Debug, Clone)]
pub(crate) enum ServiceRoles {
    /// Its own pair; the tree is exactly that of [`TaskRoles`]. (Roles are boxed: they are
    /// large and of different sizes in the two variants.)
    Own(Box<TaskRoles>),
    /// Its own task role; the execution role lives elsewhere in the tree.
    Shared {
        task: Box<Role>,
        execution_arn: Val<RoleArn>,
        execution_policy: NodeId,
    },
}

impl ServiceRoles {
    pub(crate) fn task_role(&self) -> &Role {
        match self {
            ServiceRoles::Own(roles) => roles.task_role(),
            ServiceRoles::Shared { task, .. } => task,
        }
    }

    pub(crate) fn task_role_mut(&mut self) -> &mut Role {
        match self {
            ServiceRoles::Own(roles) => roles.task_role_mut(),
            ServiceRoles::Shared { task, .. } => task,
        }
    }

    pub(crate) fn execution_arn(&self) -> Val<RoleArn> {
        match self {
            ServiceRoles::Own(roles) => roles.execution_role().arn(),
            ServiceRoles::Shared { execution_arn, .. } => execution_arn.clone(),
        }
    }

    /// The policies the service must wait for at deployment.
    pub(crate) fn policy_nodes(&self) -> Vec<NodeId> {
        let execution = match self {
            ServiceRoles::Own(roles) => roles.execution_role().policy_node(),
            ServiceRoles::Shared {
                execution_policy, ..
            } => Some(*execution_policy),
        };
        [execution, self.task_role().policy_node()]
            .into_iter()
            .flatten()
            .collect()
    }
}

impl Construct for ServiceRoles {
    fn construct_type(&self) -> &str {
        match self {
            ServiceRoles::Own(roles) => roles.construct_type(),
            ServiceRoles::Shared { .. } => "ecs::TaskRoleWithSharedExecutionRole",
        }
    }
    fn children(&self) -> Vec<Child<'_>> {
        match self {
            ServiceRoles::Own(roles) => roles.children(),
            ServiceRoles::Shared { task, .. } => vec![Child {
                id: ChildId::from("TaskRole"),
                node: task,
            }],
        }
    }
    fn children_mut(&mut self) -> Vec<ChildMut<'_>> {
        match self {
            ServiceRoles::Own(roles) => roles.children_mut(),
            ServiceRoles::Shared { task, .. } => vec![ChildMut {
                id: ChildId::from("TaskRole"),
                node: task,
            }],
        }
    }
    fn annotations(&self) -> Vec<Annotation> {
        match self {
            ServiceRoles::Own(roles) => roles.annotations(),
            ServiceRoles::Shared { .. } => Vec::new(),
        }
    }
}
