//! Saved plans: the change sets `diff --save-plan` created, executed as they are by
//! `deploy --plan`, so that what was reviewed is what runs.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::assembly::Assembly;
use crate::errors::{Error, Result};

/// Plan file format version.
pub const PLAN_VERSION: u32 = 1;

/// A saved plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// [`PLAN_VERSION`].
    pub version: u32,
    /// One change set per stack that has changes, in deployment order.
    pub entries: Vec<PlanEntry>,
}

/// One reviewed change set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanEntry {
    /// Manifest id of the stack.
    pub stack: String,
    /// CloudFormation stack name.
    pub stack_name: String,
    /// Change set ARN.
    pub change_set_id: String,
    /// Whether the change set creates the stack (`true`) or updates it.
    pub creates_stack: bool,
    /// SHA-256 of the template file the change set was made from.
    pub template_sha256: String,
}

impl Plan {
    /// An empty plan.
    pub fn new() -> Plan {
        Plan {
            version: PLAN_VERSION,
            entries: Vec::new(),
        }
    }

    /// Writes the plan as JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::Plan {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        std::fs::write(path, text + "\n").map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads a plan written by [`Plan::save`].
    pub fn load(path: &Path) -> Result<Plan> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let plan: Plan = serde_json::from_str(&text).map_err(|e| Error::Plan {
            path: path.to_path_buf(),
            message: format!("not a plan file ({e}); write one with `diff --save-plan FILE`"),
        })?;
        if plan.version != PLAN_VERSION {
            return Err(Error::Plan {
                path: path.to_path_buf(),
                message: format!(
                    "version {} is not supported (this build reads {PLAN_VERSION}); save the plan again",
                    plan.version
                ),
            });
        }
        Ok(plan)
    }

    /// Refuses the whole plan if any stack is gone from the assembly or its template changed
    /// since the plan was saved; checked before anything runs.
    pub fn verify(&self, assembly: &Assembly, path: &Path) -> Result<()> {
        for entry in &self.entries {
            let stack = assembly
                .by_stack_name(&entry.stack_name)
                .ok_or_else(|| Error::Plan {
                    path: path.to_path_buf(),
                    message: format!(
                        "stack {} is no longer in the app; run `diff --save-plan` again",
                        entry.stack_name
                    ),
                })?;
            let template = assembly.template(stack)?;
            if template.sha256 != entry.template_sha256 {
                return Err(Error::Plan {
                    path: path.to_path_buf(),
                    message: format!(
                        "the template of stack {} changed since the plan was saved (sha256 {} then, {} now); review it again with `diff --save-plan`",
                        entry.stack_name, entry.template_sha256, template.sha256
                    ),
                });
            }
        }
        Ok(())
    }
}
