//! `bootstrap`: the bootstrap stack, synthesized with the typed constructs and deployed like any
//! other stack (change set, progress, `--timeout`).

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use clap::ArgMatches;
use rcdk_constructs::bootstrap::BootstrapOptions;
use rcdk_core::cloud_assembly::Environment;
use rcdk_deploy::{Assembly, BootstrapOutcome, ClientOptions, Error, Result};

/// Synthesizes the bootstrap stack for `qualifier`, named `stack_name`, into `dir`, with the
/// trust and execution policies of `options`.
pub fn bootstrap_assembly(
    qualifier: &str,
    stack_name: &str,
    options: &BootstrapOptions,
    dir: &Path,
) -> Result<()> {
    let stack = rcdk_constructs::bootstrap::toolkit_stack_with(qualifier, options)
        .map_err(|e| Error::Usage(e.to_string()))?
        .stack_name(stack_name);
    let mut app = rcdk_core::App::new();
    app.add(stack);
    let assembly = app
        .synth()
        .map_err(|e| Error::Assembly(format!("the bootstrap stack does not synthesize: {e}")))?;
    assembly
        .write(dir)
        .map_err(|e| Error::Assembly(format!("cannot write the bootstrap stack: {e}")))
}

/// Runs `bootstrap` for the environments named in `args` (default: the credentials' account
/// in the configured region).
pub(crate) async fn run(
    args: &ArgMatches,
    options: &ClientOptions,
    yes: bool,
    timeout: Option<Duration>,
) -> Result<ExitCode> {
    let qualifier = crate::commands::qualifier(args)?;
    let stack_name = args
        .try_get_one::<String>("toolkit-stack-name")
        .ok()
        .flatten()
        .cloned()
        .unwrap_or_else(|| rcdk_core::bootstrap::DEFAULT_TOOLKIT_STACK_NAME.to_string());
    let named: Vec<String> = args
        .try_get_many::<String>("environments")
        .ok()
        .flatten()
        .map(|v| v.cloned().collect())
        .unwrap_or_default();
    let strings = |id: &str| -> Vec<String> {
        args.try_get_many::<String>(id)
            .ok()
            .flatten()
            .map(|v| v.cloned().collect())
            .unwrap_or_default()
    };
    let roles = BootstrapOptions {
        trusted_accounts: strings("trust"),
        execution_policies: strings("cloudformation-execution-policies"),
    };
    // Before any AWS configuration is looked at.
    roles.check().map_err(|e| Error::Usage(e.to_string()))?;
    let mut environments = Vec::new();
    for text in &named {
        environments.push(parse_environment(text)?);
    }
    if environments.is_empty() {
        environments.push(Environment::agnostic());
    }
    let dir = tempfile::tempdir().map_err(|source| Error::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    bootstrap_assembly(&qualifier, &stack_name, &roles, dir.path())?;
    let assembly = Assembly::load(dir.path())?;
    for env in environments {
        let mut options = options.clone();
        if env.region.is_some() {
            options.region = env.region.clone();
        }
        let deploy = crate::commands::deployer(&options, yes).await?;
        let target = deploy.clients().target().await?;
        target.admits(&stack_name, env.account.as_deref(), env.region.as_deref())?;
        match deploy
            .bootstrap(&assembly, &target, &qualifier, timeout)
            .await?
        {
            BootstrapOutcome::Deployed(_) => println!("{target}: bootstrapped"),
            BootstrapOutcome::AlreadyBootstrapped { .. } => {}
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads `aws://ACCOUNT/REGION` (`unknown-account` / `unknown-region`: the credentials'
/// account, the configured region); the account must be 12 digits.
fn parse_environment(text: &str) -> Result<Environment> {
    let env = Environment::parse(text).map_err(Error::Usage)?;
    if env
        .account
        .as_deref()
        .is_some_and(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Error::Usage(format!(
            "{text:?}: the account of aws://ACCOUNT/REGION is 12 digits, e.g. aws://123456789012/eu-west-1"
        )));
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_parse() {
        assert_eq!(
            parse_environment("aws://123456789012/eu-west-1").unwrap(),
            Environment {
                account: Some("123456789012".into()),
                region: Some("eu-west-1".into())
            }
        );
        assert_eq!(
            parse_environment("aws://unknown-account/unknown-region").unwrap(),
            Environment::agnostic()
        );
        for bad in [
            "123456789012/eu-west-1",
            "aws://12/eu-west-1",
            "aws://123456789012",
        ] {
            assert!(parse_environment(bad).is_err(), "{bad}");
        }
    }
}
