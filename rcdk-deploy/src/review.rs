//! `diff`: what a deploy would change, stack by stack; optionally saved as a plan of change sets.

use std::path::PathBuf;

use aws_sdk_cloudformation::types::ChangeSetType;
use serde_json::Value;

use crate::assembly::Assembly;
use crate::changeset::{self, Created};
use crate::cross_env;
use crate::deploy::Deploy;
use crate::diff::{diff_templates, render, TemplateDiff};
use crate::errors::{Error, Result};
use crate::plan::{Plan, PlanEntry};
use crate::request::{StackParameter, StackRequest};
use crate::stack_state::{deployed_template, describe, in_progress};

/// Options of [`Deploy::diff`].
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Stacks to compare (ids or names); empty means all.
    pub stacks: Vec<String>,
    /// Also create change sets and record them in this plan file.
    pub save_plan: Option<PathBuf>,
    /// Parameters for the change sets of a saved plan.
    pub parameters: Vec<StackParameter>,
    /// Bucket for templates over 51,200 bytes (change sets of a saved plan).
    pub template_bucket: Option<String>,
    /// The environments [`Deploy::preflight`] checked: without `template_bucket`, a template
    /// over 51,200 bytes goes to its stack's environment's staging bucket.
    pub preflights: Vec<crate::environment::Preflight>,
}

/// The differences found.
#[derive(Debug, Clone, Default)]
pub struct DiffReport {
    /// Stack name and its diff, in deployment order.
    pub stacks: Vec<(String, TemplateDiff)>,
    /// The plan written, when one was asked for.
    pub plan: Option<Plan>,
}

impl DiffReport {
    /// Whether any stack differs from what is deployed.
    pub fn has_differences(&self) -> bool {
        self.stacks.iter().any(|(_, d)| !d.is_empty())
    }
}

impl Deploy {
    /// Compares each selected stack's synthesized template with the deployed one and prints
    /// the differences.
    pub async fn diff(&self, assembly: &Assembly, options: &DiffOptions) -> Result<DiffReport> {
        self.session
            .interruptible(self.diff_inner(assembly, options))
            .await
    }

    async fn diff_inner(&self, assembly: &Assembly, options: &DiffOptions) -> Result<DiffReport> {
        let mut report = DiffReport::default();
        let mut plan = Plan::new();
        for stack in assembly.select(&options.stacks)? {
            let s = &*self.session_for(stack).await?;
            let name = stack.stack_name.as_str();
            let template = assembly.template(stack)?;
            let info = describe(s.cfn(), name).await?;
            // A stack under review or rolled back after a failed create has nothing deployed.
            let deployed = match &info {
                Some(i)
                    if !matches!(
                        i.status.as_str(),
                        "REVIEW_IN_PROGRESS" | "ROLLBACK_COMPLETE"
                    ) =>
                {
                    deployed_template(s.cfn(), &i.stack_id).await?
                }
                _ => Value::Null,
            };
            let title = match &info {
                None => format!("Stack {} ({name}, not deployed yet)", stack.id),
                Some(_) => format!("Stack {} ({name})", stack.id),
            };
            let diff = diff_templates(&deployed, &template.json, &stack.stateful_resources);
            s.output.line(render(&title, &diff).trim_end());
            // Values from stacks in other environments: shown as read from the producers.
            if !stack.cross_environment.is_empty() {
                let resolved =
                    cross_env::resolve(assembly, stack, &options.parameters, self).await?;
                for line in cross_env::describe_for_diff(&resolved) {
                    s.output.line(line);
                }
            }
            if options.save_plan.is_some() {
                let (kind, previous) = match &info {
                    None => (ChangeSetType::Create, Vec::new()),
                    Some(i) if i.status == "REVIEW_IN_PROGRESS" => (ChangeSetType::Create, Vec::new()),
                    Some(i) if in_progress(&i.status) || i.status.ends_with("_FAILED") || i.status == "ROLLBACK_COMPLETE" => {
                        return Err(Error::StackState {
                            stack: name.to_string(),
                            status: i.status.clone(),
                            advice: "a plan cannot be made for it now; run `deploy` (which waits or re-creates as needed) and save the plan afterwards".to_string(),
                        })
                    }
                    Some(i) => (ChangeSetType::Update, i.parameter_keys.clone()),
                };
                let creates = kind == ChangeSetType::Create;
                let parameters =
                    cross_env::parameters(assembly, stack, &options.parameters, self).await?;
                let bucket = crate::deploy::template_bucket(
                    self,
                    stack,
                    &template,
                    &options.template_bucket,
                    &options.preflights,
                )
                .await?;
                let request = StackRequest::build(
                    s,
                    stack,
                    &template,
                    &parameters,
                    &previous,
                    bucket.as_deref(),
                )
                .await?;
                match changeset::create(s, &request, kind).await? {
                    Created::NoChanges => s
                        .output
                        .line(format!("{name}: no changes, nothing recorded")),
                    Created::Ready(set) => {
                        s.output.line(
                            changeset::render(name, &set, &stack.stateful_resources).trim_end(),
                        );
                        plan.entries.push(PlanEntry {
                            stack: stack.id.clone(),
                            stack_name: name.to_string(),
                            change_set_id: set.id.clone(),
                            creates_stack: creates,
                            template_sha256: template.sha256.clone(),
                        });
                    }
                }
            }
            report.stacks.push((name.to_string(), diff));
        }
        if let Some(path) = &options.save_plan {
            plan.save(path)?;
            self.session.output.line(format!(
                "plan saved to {} ({} change set(s)); run `deploy --plan {}` to execute it",
                path.display(),
                plan.entries.len(),
                path.display()
            ));
            report.plan = Some(plan);
        }
        Ok(report)
    }
}
