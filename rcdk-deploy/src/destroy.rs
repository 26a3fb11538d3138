//! `destroy`: delete the selected stacks in reverse dependency order, after confirmation.

use std::sync::Arc;
use std::time::Duration;

use crate::assembly::Assembly;
use crate::deploy::Deploy;
use crate::errors::{Error, Result};
use crate::session::Session;
use crate::stack_state::{describe, StackInfo};

/// Options of [`Deploy::destroy`].
#[derive(Debug, Clone, Default)]
pub struct DestroyOptions {
    /// Stacks to delete (ids or names); empty means all.
    pub stacks: Vec<String>,
    /// Longest wait per stack.
    pub timeout: Option<Duration>,
}

/// Result of a successful destroy.
#[derive(Debug, Clone, Default)]
pub struct DestroyReport {
    /// Stacks deleted, in the order deleted.
    pub deleted: Vec<String>,
    /// Selected stacks that were not deployed.
    pub not_deployed: Vec<String>,
}

impl Deploy {
    /// Deletes the selected stacks, dependents first.
    pub async fn destroy(
        &self,
        assembly: &Assembly,
        options: &DestroyOptions,
    ) -> Result<DestroyReport> {
        self.session
            .interruptible(self.destroy_inner(assembly, options))
            .await
    }

    async fn destroy_inner(
        &self,
        assembly: &Assembly,
        options: &DestroyOptions,
    ) -> Result<DestroyReport> {
        let s = &self.session;
        let selected = assembly.select(&options.stacks)?;
        let mut report = DestroyReport::default();
        // A deployed stack that is not selected but depends on a selected one would keep
        // importing its exports, and CloudFormation would refuse the delete half-way.
        for other in &assembly.manifest().stacks {
            if selected.iter().any(|s| s.id == other.id) {
                continue;
            }
            if let Some(dep) = selected.iter().find(|s| other.dependencies.contains(&s.id)) {
                let env = self.session_for(other).await?;
                if describe(env.cfn(), &other.stack_name).await?.is_some() {
                    return Err(Error::Usage(format!(
                        "stack {} depends on {} and is still deployed; destroy it too (name both, or no stack to destroy all)",
                        other.id, dep.id
                    )));
                }
            }
        }
        let mut doomed: Vec<(String, StackInfo, Arc<Session>)> = Vec::new();
        for stack in selected.iter().rev() {
            let env = self.session_for(stack).await?;
            match describe(env.cfn(), &stack.stack_name).await? {
                Some(info) => doomed.push((stack.stack_name.clone(), info, env)),
                None => {
                    s.output
                        .line(format!("{}: not deployed, skipped", stack.stack_name));
                    report.not_deployed.push(stack.stack_name.clone());
                }
            }
        }
        if doomed.is_empty() {
            s.output.line("nothing to destroy");
            return Ok(report);
        }
        if let Some((name, _, _)) = doomed.iter().find(|(_, i, _)| i.termination_protection) {
            return Err(Error::StackState {
                stack: name.clone(),
                status: "termination protected".to_string(),
                advice: "turn termination protection off (set it to false and deploy), then destroy again".to_string(),
            });
        }
        let names: Vec<&str> = doomed.iter().map(|(n, _, _)| n.as_str()).collect();
        s.confirm
            .ask(
                &s.output,
                &format!(
                    "Delete stack(s) {} and all their resources?",
                    names.join(", ")
                ),
            )
            .await?;
        for (name, info, env) in &doomed {
            self.delete(env, name, &info.stack_id, options.timeout)
                .await?;
            report.deleted.push(name.clone());
        }
        Ok(report)
    }
}
