//! `deploy`: create or update each selected stack, in dependency order, and wait for it.

use std::path::PathBuf;
use std::time::Duration;

use crate::assembly::StackEntry;
use aws_sdk_cloudformation::types::{ChangeSetStatus, ChangeSetType};
use serde_json::Value;

use crate::approval::{approve, RequireApproval};
use crate::assembly::{Assembly, Template};
use crate::changeset::{self, ChangeSet, Created};
use crate::client::Clients;
use crate::confirm::Confirm;
use crate::cross_env;
use crate::diff::diff_templates;
use crate::environment::Preflight;
use crate::environments::Environments;
use crate::errors::{Error, Result};
use crate::events::EventTracker;
use crate::output::Output;
use crate::plan::Plan;
use crate::request::{request_token, StackParameter, StackRequest};
use crate::schedule::{self, Direction, StackRun, StackTiming};
use crate::session::Session;
use crate::stack_state::{
    deployed_template, describe, in_progress, outcome, sync_termination_protection, wait, Op,
    StackInfo,
};

/// Deploys, diffs and destroys the stacks of a cloud assembly.
#[derive(Debug)]
pub struct Deploy {
    /// The session of the credentials' own account in the configured region.
    pub(crate) session: Session,
    /// The sessions of the stacks' environments, made on first use from `session` (builders
    /// reset them, so that they share its settings).
    pub(crate) environments: Environments,
}

/// Options of [`Deploy::deploy`].
#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    /// Stacks to deploy (ids or names); empty means all.
    pub stacks: Vec<String>,
    /// `--parameter Stack:Key=Value` values.
    pub parameters: Vec<StackParameter>,
    /// Bucket for templates over 51,200 bytes.
    pub template_bucket: Option<String>,
    /// When to ask before widening access.
    pub require_approval: RequireApproval,
    /// Delete a stack left in ROLLBACK_COMPLETE without asking.
    pub force: bool,
    /// Longest wait per stack; an update still running then is cancelled.
    pub timeout: Option<Duration>,
    /// Execute the change sets of this saved plan instead of creating new ones (one stack at
    /// a time, whatever `concurrency` says).
    pub plan: Option<PathBuf>,
    /// The environments [`Deploy::preflight`] checked: without `template_bucket`, a template
    /// over 51,200 bytes goes to its stack's environment's staging bucket.
    pub preflights: Vec<Preflight>,
    /// Stacks deployed at once (`--concurrency`); 0 and 1 mean one at a time, stopping at the
    /// first failure. Above 1, a stack still starts only after the stacks it depends on are
    /// deployed, a failure skips only the stacks that depend on it, and the questions a deploy
    /// may ask must be answerable without a terminal (see [`Deploy::check_concurrency`]).
    pub concurrency: usize,
}

/// What happened to one stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackOutcome {
    /// The stack was created.
    Created,
    /// A change set was executed.
    Updated,
    /// Nothing to change.
    NoChanges,
}

impl std::fmt::Display for StackOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StackOutcome::Created => "created",
            StackOutcome::Updated => "updated",
            StackOutcome::NoChanges => "no changes",
        })
    }
}

/// Result of a successful deploy.
#[derive(Debug, Clone, Default)]
pub struct DeployReport {
    /// Stack name and outcome, in dependency order (the order one at a time deploys them).
    pub stacks: Vec<(String, StackOutcome)>,
    /// Stack name and when its deploy ran, in the same order (empty for a saved plan).
    pub timings: Vec<(String, StackTiming)>,
}

impl Deploy {
    /// A deployer printing to stdout and asking on the terminal.
    pub fn new(clients: Clients) -> Deploy {
        Deploy {
            session: Session::new(clients),
            environments: Environments::default(),
        }
    }

    /// The clients this deployer calls.
    pub fn clients(&self) -> &Clients {
        &self.session.clients
    }

    /// Sends progress elsewhere.
    pub fn with_output(mut self, output: Output) -> Deploy {
        self.session.output = std::sync::Arc::new(output);
        self.environments = Environments::default();
        self
    }

    /// Answers confirmations differently (`--yes`, scripted).
    pub fn with_confirm(mut self, confirm: Confirm) -> Deploy {
        self.session.confirm = std::sync::Arc::new(confirm);
        self.environments = Environments::default();
        self
    }

    /// How often stack status and events are polled (default 2 s).
    pub fn with_poll_interval(mut self, interval: Duration) -> Deploy {
        self.session.poll_interval = interval;
        self.environments = Environments::default();
        self
    }

    /// Sends container image pushes to this registry endpoint instead of the account's ECR
    /// registry (default: `$RCDK_ECR_REGISTRY_ENDPOINT`). Only loopback endpoints
    /// (`http://127.0.0.1:PORT`) are accepted: it exists for tests against a local registry.
    pub fn with_ecr_registry_endpoint(mut self, endpoint: Option<String>) -> Deploy {
        self.session.ecr_registry_endpoint = endpoint;
        self.environments = Environments::default();
        self
    }

    /// Builds Dockerfile images with this container CLI (default: `$CDK_DOCKER`, or `docker`).
    pub fn with_container_cli(mut self, program: impl Into<String>) -> Deploy {
        self.session.container_cli = crate::image::ContainerCli::new(program);
        self.environments = Environments::default();
        self
    }

    /// Whether Ctrl-C stops waiting with [`Error::Interrupted`] (default on).
    pub fn with_ctrl_c(mut self, catch: bool) -> Deploy {
        self.session.catch_ctrl_c = catch;
        self.environments = Environments::default();
        self
    }

    /// Deploys the selected stacks in dependency order, `options.concurrency` at a time, or
    /// executes a saved plan. With several at a time a summary line per stack is printed at
    /// the end, and a failure returns [`Error::Incomplete`] once every stack that could go on
    /// is done.
    pub async fn deploy(
        &self,
        assembly: &Assembly,
        options: &DeployOptions,
    ) -> Result<DeployReport> {
        if let Some(path) = &options.plan {
            return self
                .session
                .interruptible(self.execute_plan(assembly, options, path))
                .await;
        }
        let stacks = assembly.select(&options.stacks)?;
        if let Some(p) = options
            .parameters
            .iter()
            .find(|p| assembly.manifest().stack(&p.stack).is_none())
        {
            return Err(Error::Usage(format!(
                "--parameter {}:{}: there is no stack {:?} in the app",
                p.stack, p.key, p.stack
            )));
        }
        self.check_concurrency(options.concurrency)?;
        let waits =
            schedule::wait_lists(assembly.manifest(), &stacks, Direction::DependenciesFirst)?;
        let names: Vec<String> = stacks.iter().map(|s| s.stack_name.clone()).collect();
        let summary = self
            .session
            .run_stacks(&names, &waits, options.concurrency, |i| {
                self.deploy_stack(assembly, stacks[i], options)
            })
            .await;
        if options.concurrency > 1 {
            self.session
                .print_summary("deploy", &summary, |outcome| outcome.to_string());
        }
        let summary = self
            .session
            .conclude("deploy", summary, options.concurrency)?;
        let mut report = DeployReport::default();
        for (name, run) in summary.stacks {
            if let StackRun::Succeeded { outcome, timing } = run {
                report.stacks.push((name.clone(), outcome));
                report.timings.push((name, timing));
            }
        }
        Ok(report)
    }

    /// Refuses several stacks at a time when a deploy's questions (access widening, data
    /// loss, deleting a failed stack) would be asked on the terminal: with other stacks
    /// printing meanwhile, a question would scroll away unseen. `--yes` (or any answers that
    /// need no terminal) makes it safe.
    pub fn check_concurrency(&self, concurrency: usize) -> Result<()> {
        if concurrency > 1 && self.session.confirm.asks_on_terminal() {
            return Err(Error::Usage(format!(
                "--concurrency {concurrency} deploys several stacks at once, and their questions (changes that widen access or lose data, replacing a failed stack) cannot be asked on the terminal meanwhile; review the changes with `diff` and pass --yes, or deploy one stack at a time (--concurrency 1)"
            )));
        }
        Ok(())
    }

    async fn deploy_stack(
        &self,
        assembly: &Assembly,
        stack: &StackEntry,
        options: &DeployOptions,
    ) -> Result<StackOutcome> {
        let s = &*self.session_for(stack).await?;
        let name = stack.stack_name.as_str();
        let template = assembly.template(stack)?;
        // Values from stacks in other environments join the given parameters; each producer
        // is read in its own environment.
        let with_values;
        let options = if stack.cross_environment.is_empty() {
            options
        } else {
            with_values = DeployOptions {
                parameters: cross_env::parameters(assembly, stack, &options.parameters, self)
                    .await?,
                ..options.clone()
            };
            &with_values
        };
        let mut info = describe(s.cfn(), name).await?;
        if let Some(current) = info.as_ref().filter(|i| in_progress(&i.status)) {
            s.output.line(format!(
                "{name}: {} is in progress; waiting for it to finish first",
                current.status
            ));
            let mut tracker = EventTracker::after_latest(s.cfn(), &current.stack_id).await?;
            wait(
                s,
                name,
                &current.stack_id,
                &mut tracker,
                Op::Settle,
                options.timeout,
            )
            .await?;
            info = describe(s.cfn(), name).await?;
        }
        let Some(info) = info else {
            return self.create(s, stack, &template, options).await;
        };
        match info.status.as_str() {
            "ROLLBACK_COMPLETE" => {
                let question = format!(
                    "Stack {name} is in ROLLBACK_COMPLETE after a failed create and cannot be updated. Delete it and create it again?"
                );
                if options.force {
                    s.output.line(format!("{question} yes (--force)"));
                } else {
                    s.confirm.ask(&s.output, &question).await?;
                }
                self.delete(s, name, &info.stack_id, options.timeout)
                    .await?;
                self.create(s, stack, &template, options).await
            }
            "REVIEW_IN_PROGRESS" => {
                self.update(s, stack, &template, options, &info, ChangeSetType::Create)
                    .await
            }
            status if status.ends_with("_FAILED") => Err(Error::StackState {
                stack: name.to_string(),
                status: status.to_string(),
                advice: outcome(status),
            }),
            _ => {
                self.update(s, stack, &template, options, &info, ChangeSetType::Update)
                    .await
            }
        }
    }

    async fn create(
        &self,
        s: &Session,
        stack: &StackEntry,
        template: &Template,
        options: &DeployOptions,
    ) -> Result<StackOutcome> {
        let name = stack.stack_name.as_str();
        let diff = diff_templates(&Value::Null, &template.json, &stack.stateful_resources);
        approve(
            s,
            name,
            options.require_approval,
            &diff,
            None,
            &stack.stateful_resources,
        )
        .await?;
        let bucket = self.template_bucket(stack, template, options).await?;
        let request = StackRequest::build(
            s,
            stack,
            template,
            &options.parameters,
            &[],
            bucket.as_deref(),
        )
        .await?;
        let (body, url) = request.body_and_url();
        s.output.line(format!("{name}: creating stack"));
        let out = s
            .cfn()
            .create_stack()
            .stack_name(name)
            .client_request_token(request_token("create"))
            .set_template_body(body)
            .set_template_url(url)
            .set_capabilities(Some(request.capabilities))
            .set_parameters(Some(request.parameters))
            .set_tags(Some(request.tags))
            .enable_termination_protection(stack.termination_protection)
            // Another account's environment: CloudFormation acts as its execution role.
            .set_role_arn(s.execution_role.clone())
            // CloudFormation rolls a create back by itself once this runs out.
            .set_timeout_in_minutes(
                options
                    .timeout
                    .map(|t| t.as_secs().div_ceil(60).max(1) as i32),
            )
            .send()
            .await
            .map_err(|e| Error::aws("CreateStack", name, e))?;
        let stack_id = out.stack_id().unwrap_or(name).to_string();
        let mut tracker = EventTracker::fresh(&stack_id);
        let done = wait(
            s,
            name,
            &stack_id,
            &mut tracker,
            Op::Create,
            options.timeout,
        )
        .await?;
        self.finished(name, "created", done.as_ref());
        Ok(StackOutcome::Created)
    }

    async fn update(
        &self,
        s: &Session,
        stack: &StackEntry,
        template: &Template,
        options: &DeployOptions,
        info: &StackInfo,
        kind: ChangeSetType,
    ) -> Result<StackOutcome> {
        let name = stack.stack_name.as_str();
        let bucket = self.template_bucket(stack, template, options).await?;
        let request = StackRequest::build(
            s,
            stack,
            template,
            &options.parameters,
            &info.parameter_keys,
            bucket.as_deref(),
        )
        .await?;
        let creates = kind == ChangeSetType::Create;
        let set = match changeset::create(s, &request, kind).await? {
            Created::NoChanges => {
                sync_termination_protection(
                    s,
                    name,
                    &info.stack_id,
                    info.termination_protection,
                    stack.termination_protection,
                )
                .await?;
                s.output.line(format!("{name}: no changes"));
                return Ok(StackOutcome::NoChanges);
            }
            Created::Ready(set) => set,
        };
        self.run_change_set(s, stack, template, options, &set, creates)
            .await?;
        Ok(if creates {
            StackOutcome::Created
        } else {
            StackOutcome::Updated
        })
    }

    /// Shows a ready change set, gets approval, executes it and waits.
    async fn run_change_set(
        &self,
        s: &Session,
        stack: &StackEntry,
        template: &Template,
        options: &DeployOptions,
        set: &ChangeSet,
        creates: bool,
    ) -> Result<()> {
        let name = stack.stack_name.as_str();
        s.output
            .line(changeset::render(name, set, &stack.stateful_resources).trim_end());
        let deployed = if creates {
            Value::Null
        } else {
            deployed_template(s.cfn(), &set.stack_id).await?
        };
        let diff = diff_templates(&deployed, &template.json, &stack.stateful_resources);
        let approved = approve(
            s,
            name,
            options.require_approval,
            &diff,
            Some(set),
            &stack.stateful_resources,
        )
        .await;
        if let Err(e) = approved {
            // A declined change set would otherwise linger in the console.
            let _ = changeset::delete(s, name, &set.id).await;
            return Err(e);
        }
        let mut tracker = EventTracker::after_latest(s.cfn(), &set.stack_id).await?;
        changeset::execute(s, name, &set.id).await?;
        let op = if creates { Op::Create } else { Op::Update };
        let done = wait(s, name, &set.stack_id, &mut tracker, op, options.timeout).await?;
        if let Some(info) = &done {
            sync_termination_protection(
                s,
                name,
                &set.stack_id,
                info.termination_protection,
                stack.termination_protection,
            )
            .await?;
        }
        self.finished(
            name,
            if creates { "created" } else { "updated" },
            done.as_ref(),
        );
        Ok(())
    }

    /// The bucket for `stack`'s template when it is too large to send inline: the one given,
    /// else the staging bucket of the stack's environment if `preflight` checked it.
    pub(crate) async fn template_bucket(
        &self,
        stack: &StackEntry,
        template: &Template,
        options: &DeployOptions,
    ) -> Result<Option<String>> {
        template_bucket(
            self,
            stack,
            template,
            &options.template_bucket,
            &options.preflights,
        )
        .await
    }

    fn finished(&self, name: &str, verb: &str, info: Option<&StackInfo>) {
        let out = &self.session.output;
        let status = info.map(|i| i.status.as_str()).unwrap_or("?");
        out.line(format!("{name}: {verb} ({status})"));
        for (key, value) in info.map(|i| i.outputs.as_slice()).unwrap_or_default() {
            out.line(format!("{name}.{key} = {value}"));
        }
    }

    /// Deletes a stack (through the session of its environment) and waits until it is gone.
    pub(crate) async fn delete(
        &self,
        s: &Session,
        name: &str,
        stack_id: &str,
        timeout: Option<Duration>,
    ) -> Result<()> {
        let mut tracker = EventTracker::after_latest(s.cfn(), stack_id).await?;
        s.output.line(format!("{name}: deleting stack"));
        s.cfn()
            .delete_stack()
            .stack_name(stack_id)
            .client_request_token(request_token("delete"))
            .set_role_arn(s.execution_role.clone())
            .send()
            .await
            .map_err(|e| Error::aws("DeleteStack", name, e))?;
        wait(s, name, stack_id, &mut tracker, Op::Delete, timeout).await?;
        s.output.line(format!("{name}: deleted"));
        Ok(())
    }

    async fn execute_plan(
        &self,
        assembly: &Assembly,
        options: &DeployOptions,
        path: &std::path::Path,
    ) -> Result<DeployReport> {
        let plan = Plan::load(path)?;
        plan.verify(assembly, path)?;
        let selected = assembly.select(&options.stacks)?;
        let mut report = DeployReport::default();
        let entries = plan
            .entries
            .iter()
            .filter(|e| selected.iter().any(|st| st.stack_name == e.stack_name));
        for entry in entries {
            let stack = assembly
                .by_stack_name(&entry.stack_name)
                .ok_or_else(|| Error::Plan {
                    path: path.to_path_buf(),
                    message: format!("stack {} is no longer in the app", entry.stack_name),
                })?;
            let template = assembly.template(stack)?;
            let s = &*self.session_for(stack).await?;
            let (status, reason, set) =
                changeset::describe(s, &entry.stack_name, &entry.change_set_id).await?;
            if status != ChangeSetStatus::CreateComplete {
                return Err(Error::Plan {
                    path: path.to_path_buf(),
                    message: format!(
                        "change set {} of stack {} is {} ({reason}); run `diff --save-plan` again",
                        entry.change_set_id,
                        entry.stack_name,
                        status.as_str()
                    ),
                });
            }
            self.run_change_set(s, stack, &template, options, &set, entry.creates_stack)
                .await?;
            let outcome = if entry.creates_stack {
                StackOutcome::Created
            } else {
                StackOutcome::Updated
            };
            report.stacks.push((entry.stack_name.clone(), outcome));
        }
        if report.stacks.is_empty() {
            self.session.output.line(format!(
                "plan {}: no change sets to execute",
                path.display()
            ));
        }
        Ok(report)
    }
}

/// See [`Deploy::template_bucket`]; shared with `diff --save-plan`. The stack's environment is
/// only looked up for a template that needs a bucket.
pub(crate) async fn template_bucket(
    deploy: &Deploy,
    stack: &StackEntry,
    template: &Template,
    given: &Option<String>,
    preflights: &[Preflight],
) -> Result<Option<String>> {
    if given.is_some() || template.body.len() <= crate::request::INLINE_TEMPLATE_LIMIT {
        return Ok(given.clone());
    }
    if preflights.is_empty() {
        return Ok(None);
    }
    let target = deploy.target_of(stack).await?;
    let qualifier = crate::assembly::stack_environment(stack).qualifier;
    Ok(preflights
        .iter()
        .find(|p| p.target == target && p.qualifier == qualifier)
        .map(|p| p.staging_bucket.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_config::{BehaviorVersion, Region, SdkConfig};

    #[test]
    fn several_at_a_time_refuses_questions_on_the_terminal() {
        let sdk = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .build();
        let deploy =
            |confirm| Deploy::new(Clients::from_sdk_config(&sdk).unwrap()).with_confirm(confirm);
        let asking = deploy(Confirm::terminal());
        assert!(asking.check_concurrency(1).is_ok());
        let e = asking.check_concurrency(3).unwrap_err().to_string();
        assert!(
            e.starts_with("--concurrency 3 deploys several stacks at once") && e.contains("--yes"),
            "{e}"
        );
        assert!(deploy(Confirm::yes()).check_concurrency(3).is_ok());
        assert!(deploy(Confirm::no_terminal()).check_concurrency(3).is_ok());
    }
}
