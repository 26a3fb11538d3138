//! `destroy`: delete the selected stacks in reverse dependency order, after confirmation.

use std::sync::Arc;
use std::time::Duration;

use crate::assembly::{Assembly, StackEntry};
use crate::deploy::Deploy;
use crate::errors::{Error, Result};
use crate::schedule::{self, Direction, StackRun, StackTiming};
use crate::session::Session;
use crate::stack_state::{describe, StackInfo};

/// Options of [`Deploy::destroy`].
#[derive(Debug, Clone, Default)]
pub struct DestroyOptions {
    /// Stacks to delete (ids or names); empty means all.
    pub stacks: Vec<String>,
    /// Longest wait per stack.
    pub timeout: Option<Duration>,
    /// Stacks deleted at once (`--concurrency`); 0 and 1 mean one at a time, stopping at the
    /// first failure. Above 1, a stack is still deleted only after the stacks that depend on
    /// it are gone, and a failure keeps only the stacks it depends on.
    pub concurrency: usize,
}

/// Result of a successful destroy.
#[derive(Debug, Clone, Default)]
pub struct DestroyReport {
    /// Stacks deleted, dependents first (the order one at a time deletes them).
    pub deleted: Vec<String>,
    /// Stack name and when its delete ran, in the same order.
    pub timings: Vec<(String, StackTiming)>,
    /// Selected stacks that were not deployed.
    pub not_deployed: Vec<String>,
}

impl Deploy {
    /// Deletes the selected stacks, dependents first, `options.concurrency` at a time, after
    /// one confirmation for all of them. With several at a time a summary line per stack is
    /// printed at the end, and a failure returns [`Error::Incomplete`] once every stack that
    /// could go on is done.
    pub async fn destroy(
        &self,
        assembly: &Assembly,
        options: &DestroyOptions,
    ) -> Result<DestroyReport> {
        let (mut report, doomed) = self
            .session
            .interruptible(self.destroy_prepare(assembly, options))
            .await?;
        if doomed.is_empty() {
            return Ok(report);
        }
        let entries: Vec<&StackEntry> = doomed
            .iter()
            .filter_map(|(name, _, _)| assembly.by_stack_name(name))
            .collect();
        let waits =
            schedule::wait_lists(assembly.manifest(), &entries, Direction::DependentsFirst)?;
        let names: Vec<String> = doomed.iter().map(|(name, _, _)| name.clone()).collect();
        let summary = self
            .session
            .run_stacks(&names, &waits, options.concurrency, |i| {
                let (name, info, env) = &doomed[i];
                self.delete(env, name, &info.stack_id, options.timeout)
            })
            .await;
        if options.concurrency > 1 {
            self.session
                .print_summary("destroy", &summary, |_| "deleted".to_string());
        }
        let summary = self
            .session
            .conclude("destroy", summary, options.concurrency)?;
        for (name, run) in summary.stacks {
            if let StackRun::Succeeded { timing, .. } = run {
                report.deleted.push(name.clone());
                report.timings.push((name, timing));
            }
        }
        Ok(report)
    }

    /// Checks that the selection can go, finds what is deployed and asks once; returns the
    /// report so far and the deployed stacks, dependents first.
    async fn destroy_prepare(
        &self,
        assembly: &Assembly,
        options: &DestroyOptions,
    ) -> Result<(DestroyReport, Vec<(String, StackInfo, Arc<Session>)>)> {
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
            return Ok((report, doomed));
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
        Ok((report, doomed))
    }
}
