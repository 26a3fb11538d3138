//! The environments a deployment reaches and their bootstrap: checked before anything changes,
//! so that a stack whose environment cannot be reached or has no staging bucket stops with one
//! clear message naming it.

use rcdk_core::bootstrap::{
    partition, staging_bucket_name, version_parameter, DEFAULT_QUALIFIER,
    REQUIRED_BOOTSTRAP_VERSION,
};

use crate::client::Clients;
use crate::errors::{error_code, Error, Result};

/// An account and region, shown as `aws://ACCOUNT/REGION`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// 12-digit account id.
    pub account: String,
    /// Region, e.g. `eu-west-1`.
    pub region: String,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "aws://{}/{}", self.account, self.region)
    }
}

impl Target {
    /// The staging bucket of this environment for `qualifier`.
    pub fn staging_bucket(&self, qualifier: &str) -> String {
        staging_bucket_name(qualifier, &self.account, &self.region)
    }

    /// Replaces `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` in a name that
    /// an asset manifest or a stack artifact holds before the environment is known.
    pub fn resolve(&self, text: &str) -> String {
        text.replace("${AWS::AccountId}", &self.account)
            .replace("${AWS::Region}", &self.region)
            .replace("${AWS::Partition}", partition(&self.region))
    }

    /// Checks that a stack meant for `account` / `region` (`None`: environment-agnostic) can be
    /// deployed with credentials and clients of exactly this environment (the bootstrap stack,
    /// which has to be deployed with the environment's own credentials: its deploy role is what
    /// lets other accounts in).
    pub fn admits(&self, stack: &str, account: Option<&str>, region: Option<&str>) -> Result<()> {
        let wanted = format!(
            "aws://{}/{}",
            account.unwrap_or("unknown-account"),
            region.unwrap_or("unknown-region")
        );
        if let Some(account) = account.filter(|a| *a != self.account) {
            return Err(Error::WrongEnvironment {
                stack: stack.to_string(),
                wanted,
                reason: format!(
                    "the credentials belong to account {} (STS GetCallerIdentity), not {account}",
                    self.account
                ),
                advice: format!(
                    "use credentials of account {account} (e.g. --profile): bootstrapping an environment needs its own account's credentials, and its deploy role is what then lets other accounts deploy there"
                ),
            });
        }
        if let Some(region) = region.filter(|r| *r != self.region) {
            return Err(Error::WrongEnvironment {
                stack: stack.to_string(),
                wanted,
                reason: format!("the configured region is {}", self.region),
                advice: format!("pass --region {region}"),
            });
        }
        Ok(())
    }
}

/// ` --qualifier Q` when `qualifier` is not the default: what the bootstrap command needs to be
/// told.
pub(crate) fn qualifier_flag(qualifier: &str) -> String {
    if qualifier == DEFAULT_QUALIFIER {
        String::new()
    } else {
        format!(" --qualifier {qualifier}")
    }
}

impl Clients {
    /// The account and region these clients reach: the account from STS GetCallerIdentity.
    pub async fn target(&self) -> Result<Target> {
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| Error::aws("GetCallerIdentity", "(credentials)", e))
            .map_err(|e| e.at_endpoint(self))?;
        let account = out.account().map(str::to_string).ok_or_else(|| {
            Error::Config("STS GetCallerIdentity returned no account".to_string())
        })?;
        Ok(Target {
            account,
            region: self.region.clone(),
        })
    }

    /// The bootstrap version of this environment for `qualifier` (its SSM parameter), or `None`
    /// when the parameter does not exist.
    pub async fn bootstrap_version(&self, qualifier: &str) -> Result<Option<u32>> {
        let name = version_parameter(qualifier);
        let out = match self.ssm.get_parameter().name(&name).send().await {
            Ok(out) => out,
            Err(e) if error_code(&e) == Some("ParameterNotFound") => return Ok(None),
            Err(e) => {
                return Err(
                    Error::aws("GetParameter", &format!("(parameter {name})"), e).at_endpoint(self),
                )
            }
        };
        let value = out
            .parameter()
            .and_then(|p| p.value())
            .unwrap_or_default()
            .trim()
            .to_string();
        value.parse().map(Some).map_err(|_| {
            Error::Config(format!(
                "the bootstrap version parameter {name} holds {value:?}, not a version number"
            ))
        })
    }

    /// Fails unless the environment is bootstrapped for `qualifier` with at least `required`
    /// (at least [`REQUIRED_BOOTSTRAP_VERSION`] when `None`).
    pub async fn require_bootstrap(
        &self,
        target: &Target,
        qualifier: &str,
        required: Option<u32>,
    ) -> Result<u32> {
        let required = required.unwrap_or(REQUIRED_BOOTSTRAP_VERSION);
        let found = self.bootstrap_version(qualifier).await?;
        check_version(target, qualifier, required, found, None)
    }
}

/// The error for a missing or too old bootstrap, or the version found. `caller` is the
/// credentials' account when it is not the target's: the bootstrap then needs that account's
/// credentials and has to trust the caller.
fn check_version(
    target: &Target,
    qualifier: &str,
    required: u32,
    found: Option<u32>,
    caller: Option<&str>,
) -> Result<u32> {
    match found {
        None => {
            let (arguments, credentials) = match caller {
                Some(caller) => (
                    format!(
                        " {target} --trust {caller} --cloudformation-execution-policies POLICY_ARN{}",
                        qualifier_flag(qualifier)
                    ),
                    format!(" with credentials of account {}", target.account),
                ),
                None => (qualifier_flag(qualifier), String::new()),
            };
            Err(Error::NotBootstrapped {
                environment: target.to_string(),
                parameter: version_parameter(qualifier),
                arguments,
                credentials,
            })
        }
        Some(found) if found < required => Err(Error::BootstrapTooOld {
            environment: target.to_string(),
            found,
            required,
            qualifier_flag: qualifier_flag(qualifier),
        }),
        Some(found) => Ok(found),
    }
}

/// What [`Deploy::preflight`](crate::Deploy::preflight) found for one environment: where stacks
/// go and their staging bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preflight {
    /// The environment.
    pub target: Target,
    /// Qualifier of the selected stacks' bootstrap.
    pub qualifier: String,
    /// The bootstrap version found there.
    pub bootstrap_version: u32,
    /// The staging bucket (file assets, templates over 51,200 bytes).
    pub staging_bucket: String,
}

impl crate::deploy::Deploy {
    /// Checks, before anything changes, that the selected stacks (`names`; empty: all) can be
    /// deployed: each stack's environment can be reached (in another account, through its
    /// deploy role) and is bootstrapped with the version its stacks require. One [`Preflight`]
    /// per environment and qualifier, in the order of the stacks.
    pub async fn preflight(
        &self,
        assembly: &crate::assembly::Assembly,
        names: &[String],
    ) -> Result<Vec<Preflight>> {
        let stacks = assembly.select(names)?;
        let mut wanted: Vec<(Target, String, u32, &crate::assembly::StackEntry)> = Vec::new();
        for stack in &stacks {
            let env = crate::assembly::stack_environment(stack);
            let target = self.target_of(stack).await?;
            match wanted
                .iter_mut()
                .find(|(t, q, _, _)| *t == target && *q == env.qualifier)
            {
                Some(entry) => entry.2 = entry.2.max(env.required_bootstrap_version),
                None => wanted.push((target, env.qualifier, env.required_bootstrap_version, stack)),
            }
        }
        let mut checked = Vec::new();
        for (target, qualifier, required, stack) in wanted {
            let session = self.session_for(stack).await?;
            let found = session.clients.bootstrap_version(&qualifier).await?;
            let caller = self.caller_account().await?;
            let other = (caller != target.account).then_some(caller.as_str());
            let bootstrap_version = check_version(&target, &qualifier, required, found, other)?;
            checked.push(Preflight {
                staging_bucket: target.staging_bucket(&qualifier),
                target,
                qualifier,
                bootstrap_version,
            });
        }
        Ok(checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here() -> Target {
        Target {
            account: "123456789012".into(),
            region: "eu-west-1".into(),
        }
    }

    #[test]
    fn placeholders_resolve() {
        assert_eq!(
            here().resolve("cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"),
            "cdk-hnb659fds-assets-123456789012-eu-west-1"
        );
        assert_eq!(here().to_string(), "aws://123456789012/eu-west-1");
    }

    #[test]
    fn other_accounts_and_regions_are_refused() {
        let t = here();
        assert!(t.admits("A", None, None).is_ok());
        assert!(t
            .admits("A", Some("123456789012"), Some("eu-west-1"))
            .is_ok());
        let err = t
            .admits("A", Some("210987654321"), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("aws://210987654321/unknown-region")
                && err.contains("123456789012")
                && err.contains("nothing was changed"),
            "{err}"
        );
        let err = t
            .admits("A", None, Some("us-east-1"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("--region us-east-1"), "{err}");
    }
}
