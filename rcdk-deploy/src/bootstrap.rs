//! `bootstrap`: create or update an environment's bootstrap stack, unless the AWS CDK (or a
//! newer version of this tool) has bootstrapped it already.

use rcdk_core::bootstrap::BOOTSTRAP_VERSION;

use crate::approval::RequireApproval;
use crate::assembly::Assembly;
use crate::deploy::{Deploy, DeployOptions, StackOutcome};
use crate::environment::Target;
use crate::errors::{Error, Result};
use crate::stack_state::{deployed_template, describe};

/// Metadata key that marks a bootstrap template made here (`rcdk_constructs::bootstrap`); an
/// AWS CDK bootstrap stack does not carry it.
pub const BOOTSTRAP_TEMPLATE_MARKER: &str = "RcdkBootstrap";

/// What [`Deploy::bootstrap`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BootstrapOutcome {
    /// The bootstrap stack was created or updated (or was already up to date).
    Deployed(StackOutcome),
    /// The environment holds a bootstrap that serves our stacks and that this tool did not make
    /// (the AWS CDK's), or a newer one: nothing was changed.
    AlreadyBootstrapped {
        /// Version in the environment's version parameter.
        version: u32,
    },
}

impl Deploy {
    /// Deploys the bootstrap stack synthesized into `assembly` (one stack) for `qualifier` into
    /// `target`. An environment whose version parameter already holds [`BOOTSTRAP_VERSION`] or
    /// more under a stack this tool did not make is left alone: the AWS CDK bootstraps
    /// environments with the same names, and its stack serves our deployments.
    pub async fn bootstrap(
        &self,
        assembly: &Assembly,
        target: &Target,
        qualifier: &str,
        timeout: Option<std::time::Duration>,
    ) -> Result<BootstrapOutcome> {
        let s = &self.session;
        let stacks = assembly.select(&[])?;
        let [stack] = stacks.as_slice() else {
            return Err(Error::Assembly(format!(
                "a bootstrap assembly holds one stack, this one has {}",
                stacks.len()
            )));
        };
        let name = stack.stack_name.clone();
        let version = s.clients.bootstrap_version(qualifier).await?;
        let ours = match describe(s.cfn(), &name).await? {
            // The AWS CDK's bootstrap template is YAML: not ours, whatever it holds.
            Some(info) => deployed_template(s.cfn(), &info.stack_id)
                .await
                .ok()
                .and_then(|t| t.get("Metadata")?.get(BOOTSTRAP_TEMPLATE_MARKER).cloned())
                .is_some(),
            None => false,
        };
        match version {
            Some(version)
                if version > BOOTSTRAP_VERSION || (!ours && version >= BOOTSTRAP_VERSION) =>
            {
                let by = if ours {
                    "a newer version of this tool"
                } else {
                    "the AWS CDK or another tool"
                };
                s.output.line(format!(
                    "{target}: already bootstrapped (qualifier {qualifier}, version {version}, by {by}); nothing to change"
                ));
                return Ok(BootstrapOutcome::AlreadyBootstrapped { version });
            }
            _ => {}
        }
        s.output.line(format!(
            "{target}: bootstrapping (stack {name}, qualifier {qualifier}, version {BOOTSTRAP_VERSION})"
        ));
        let options = DeployOptions {
            // The user asked for exactly this stack; it grants no access to anyone.
            require_approval: RequireApproval::Never,
            timeout,
            ..DeployOptions::default()
        };
        let report = self.deploy(assembly, &options).await?;
        let outcome = report
            .stacks
            .into_iter()
            .next()
            .map(|(_, o)| o)
            .unwrap_or(StackOutcome::NoChanges);
        Ok(BootstrapOutcome::Deployed(outcome))
    }
}
