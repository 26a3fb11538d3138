//! The container definitions of a service's task definition: each container's hard memory
//! limit, taken from the task's memory unless it has its own, and the scanner findings the
//! containers leave on the task definition (plain environment variables, a user the template
//! cannot state), recorded with their reasons.

use rcdk_core::{Resource, Scanner, Val};

use super::container::Container;
use crate::cfn::ecs as cfn;
use crate::error::ConstructError;

/// cdk-nag: containers with plain environment variables.
const PLAIN_ENV_RULE: &str = "AwsSolutions-ECS2";

/// Guard: every container states a non-root `User`.
const NON_ROOT_RULE: &str = "ecs_task_definition_nonroot_user_check";

/// The least memory ECS accepts as a container's hard limit, in MiB.
const MIN_CONTAINER_MIB: u32 = 6;

/// Each container's hard memory limit (MiB), in order: its own, or an even share of what the
/// task's `task_mib` leaves after the containers with their own limit.
pub(crate) fn memory_limits(
    service: &str,
    containers: &[Container],
    task_mib: u32,
) -> Result<Vec<u32>, ConstructError> {
    let conflict = |problem: String| ConstructError::Conflict {
        construct: format!("EcsService `{service}`"),
        problem,
    };
    let given: u32 = containers.iter().filter_map(Container::memory_limit).sum();
    if given > task_mib {
        return Err(conflict(format!(
            "the containers' memory limits add up to {given} MiB, more than the task's \
             {task_mib} MiB: lower them or give the task more memory"
        )));
    }
    let without = containers
        .iter()
        .filter(|c| c.memory_limit().is_none())
        .count() as u32;
    // No container without a limit: nothing to share.
    let share = (task_mib - given).checked_div(without).unwrap_or(0);
    containers
        .iter()
        .map(|c| {
            let mib = c.memory_limit().unwrap_or(share);
            if mib < MIN_CONTAINER_MIB {
                Err(conflict(format!(
                    "container `{}` would get {mib} MiB of memory, below ECS's minimum of \
                     {MIN_CONTAINER_MIB}: give it a .memory_limit_mib(..) or the task more memory",
                    c.name()
                )))
            } else {
                Ok(mib)
            }
        })
        .collect()
}

/// Writes the container definitions of `containers` into `task_definition` (logging to
/// `log_group`, memory limits from `task_mib`) and records the findings they leave.
pub(crate) fn write(
    task_definition: &mut cfn::TaskDefinition,
    service: &str,
    containers: &[Container],
    log_group: &Val<String>,
    task_mib: u32,
) -> Result<(), ConstructError> {
    let limits = memory_limits(service, containers, task_mib)?;
    let definitions: Vec<_> = containers
        .iter()
        .zip(limits)
        .map(|(c, mib)| c.definition(log_group.clone(), mib))
        .collect();
    task_definition.set_container_definitions(definitions);
    record_findings(task_definition, containers);
    Ok(())
}

/// Suppresses, with the reason, what the containers do not meet by design; lifts the
/// suppressions they no longer need (after a container changed).
fn record_findings(task_definition: &mut cfn::TaskDefinition, containers: &[Container]) {
    let core = task_definition.core_mut();
    // Plain variables are configuration; a name that looks like a secret keeps the finding
    // visible, since its value belongs in a secret.
    let with_env = containers.iter().any(Container::has_plain_env);
    let secret_looking = containers
        .iter()
        .any(|c| !c.secret_looking_env().is_empty());
    if with_env && !secret_looking {
        core.suppress(
            Scanner::CdkNag,
            PLAIN_ENV_RULE,
            "The plain environment variables hold non-secret configuration (endpoints, names, \
             settings); secrets reach the containers through Secrets (Container::secret, from \
             Secrets Manager or SSM SecureString parameters), which the execution role reads \
             at start. No variable name looks like a password, token, key or credential.",
        );
    } else {
        core.unsuppress(Scanner::CdkNag, PLAIN_ENV_RULE);
    }
    let unknown: Vec<&str> = containers
        .iter()
        .filter(|c| c.run_as().is_none())
        .map(Container::name)
        .collect();
    if unknown.is_empty() {
        core.unsuppress(Scanner::Guard, NON_ROOT_RULE);
    } else {
        core.suppress(
            Scanner::Guard,
            NON_ROOT_RULE,
            format!(
                "Container(s) {} run as the USER their image declares, which is not known at \
                 synthesis (an image from a registry, a Dockerfile or an archive); \
                 Container::user(\"UID:GID\") states a non-root user in the task definition \
                 and lifts this suppression.",
                unknown.join(", ")
            ),
        );
    }
}
