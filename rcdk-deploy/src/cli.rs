//! The `deploy`, `diff` and `destroy` subcommands, plugged into the app's command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::approval::RequireApproval;
use crate::assembly::Assembly;
use crate::client::{ClientOptions, Clients};
use crate::confirm::Confirm;
use crate::deploy::{Deploy, DeployOptions};
use crate::destroy::DestroyOptions;
use crate::errors::{Error, Result};
use crate::request::StackParameter;
use crate::review::DiffOptions;

/// The CloudFormation backend for [`rcdk_core::cli::Deployer`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CloudFormationDeployer;

fn common(cmd: Command) -> Command {
    cmd.arg(
        Arg::new("stacks")
            .value_name("STACK")
            .num_args(0..)
            .help("Stacks by id or stack name (default: all)"),
    )
    .arg(
        Arg::new("profile")
            .long("profile")
            .value_name("NAME")
            .help("AWS profile to use"),
    )
    .arg(
        Arg::new("region")
            .long("region")
            .value_name("REGION")
            .help("AWS region"),
    )
    .arg(
        Arg::new("endpoint-url")
            .long("endpoint-url")
            .value_name("URL")
            .help("Endpoint for all AWS services (e.g. a local emulator)"),
    )
}

fn parameter_arg() -> Arg {
    Arg::new("parameter")
        .long("parameter")
        .value_name("STACK:KEY=VALUE")
        .action(ArgAction::Append)
        .help("Stack parameter value (repeatable)")
}

fn bucket_arg() -> Arg {
    Arg::new("template-bucket")
        .long("template-bucket")
        .value_name("NAME")
        .help("S3 bucket for templates over 51,200 bytes")
}

fn timeout_arg() -> Arg {
    Arg::new("timeout")
        .long("timeout")
        .value_name("SECS")
        .value_parser(clap::value_parser!(u64))
        .help("Longest wait per stack; an update still running then is cancelled")
}

fn yes_arg() -> Arg {
    Arg::new("yes")
        .long("yes")
        .short('y')
        .action(ArgAction::SetTrue)
        .help("Answer yes to every confirmation")
}

impl rcdk_core::cli::Deployer for CloudFormationDeployer {
    fn commands(&self) -> Vec<Command> {
        vec![
            common(Command::new("deploy").about("Create or update stacks in AWS CloudFormation"))
                .arg(parameter_arg())
                .arg(bucket_arg())
                .arg(timeout_arg())
                .arg(yes_arg())
                .arg(
                    Arg::new("require-approval")
                        .long("require-approval")
                        .value_name("LEVEL")
                        .value_parser(["broadening", "never"])
                        .default_value("broadening")
                        .help("Ask before changes that widen IAM or security-group access"),
                )
                .arg(
                    Arg::new("force")
                        .long("force")
                        .action(ArgAction::SetTrue)
                        .help("Delete a stack left in ROLLBACK_COMPLETE without asking"),
                )
                .arg(
                    Arg::new("plan")
                        .long("plan")
                        .value_name("FILE")
                        .value_parser(clap::value_parser!(PathBuf))
                        .help("Execute the change sets saved by `diff --save-plan FILE`"),
                ),
            common(Command::new("diff").about("Compare synthesized stacks with the deployed ones"))
                .arg(
                    Arg::new("fail")
                        .long("fail")
                        .action(ArgAction::SetTrue)
                        .help("Exit with status 1 when there are differences"),
                )
                .arg(
                    Arg::new("save-plan")
                        .long("save-plan")
                        .value_name("FILE")
                        .value_parser(clap::value_parser!(PathBuf))
                        .help("Create change sets and record them for `deploy --plan FILE`"),
                )
                .arg(parameter_arg())
                .arg(bucket_arg()),
            common(Command::new("destroy").about("Delete stacks, dependents first"))
                .arg(timeout_arg())
                .arg(yes_arg())
                .arg(
                    Arg::new("force")
                        .long("force")
                        .action(ArgAction::SetTrue)
                        .help("Same as --yes"),
                ),
        ]
    }

    fn run(
        &self,
        name: &str,
        args: &ArgMatches,
        assembly_dir: &Path,
    ) -> std::result::Result<ExitCode, rcdk_core::cli::DeployError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let result = runtime.block_on(run(name, args, assembly_dir));
        // A prompt reading stdin on a blocking thread must not keep the process alive.
        runtime.shutdown_timeout(Duration::from_millis(100));
        match result {
            Ok(code) => Ok(code),
            Err(e @ Error::Interrupted(_)) => {
                eprintln!("{e}");
                Ok(ExitCode::from(130))
            }
            Err(e) => Err(Box::new(e)),
        }
    }
}

fn strings(args: &ArgMatches, id: &str) -> Vec<String> {
    args.get_many::<String>(id)
        .map(|v| v.cloned().collect())
        .unwrap_or_default()
}

fn flag(args: &ArgMatches, id: &str) -> bool {
    args.try_get_one::<bool>(id)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
}

fn parameters(args: &ArgMatches) -> Result<Vec<StackParameter>> {
    strings(args, "parameter")
        .iter()
        .map(|p| p.parse())
        .collect()
}

fn timeout(args: &ArgMatches) -> Option<Duration> {
    args.try_get_one::<u64>("timeout")
        .ok()
        .flatten()
        .map(|s| Duration::from_secs(*s))
}

async fn run(name: &str, args: &ArgMatches, dir: &Path) -> Result<ExitCode> {
    let assembly = Assembly::load(dir)?;
    let stacks = strings(args, "stacks");
    // Unknown stack names fail before any AWS configuration is looked at.
    assembly.select(&stacks)?;
    let client_options = ClientOptions {
        profile: args.get_one::<String>("profile").cloned(),
        region: args.get_one::<String>("region").cloned(),
        endpoint_url: args.get_one::<String>("endpoint-url").cloned(),
    };
    let yes = flag(args, "yes") || (name == "destroy" && flag(args, "force"));
    match name {
        "deploy" => {
            let options = DeployOptions {
                stacks,
                parameters: parameters(args)?,
                template_bucket: args.get_one::<String>("template-bucket").cloned(),
                require_approval: args
                    .get_one::<String>("require-approval")
                    .map(|s| s.parse())
                    .transpose()?
                    .unwrap_or(RequireApproval::Broadening),
                force: flag(args, "force"),
                timeout: timeout(args),
                plan: args.get_one::<PathBuf>("plan").cloned(),
            };
            let deploy = deployer(&client_options, yes).await?;
            deploy.deploy(&assembly, &options).await?;
            Ok(ExitCode::SUCCESS)
        }
        "diff" => {
            let options = DiffOptions {
                stacks,
                save_plan: args.get_one::<PathBuf>("save-plan").cloned(),
                parameters: parameters(args)?,
                template_bucket: args.get_one::<String>("template-bucket").cloned(),
            };
            let report = deployer(&client_options, yes)
                .await?
                .diff(&assembly, &options)
                .await?;
            if flag(args, "fail") && report.has_differences() {
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        "destroy" => {
            let options = DestroyOptions {
                stacks,
                timeout: timeout(args),
            };
            deployer(&client_options, yes)
                .await?
                .destroy(&assembly, &options)
                .await?;
            Ok(ExitCode::SUCCESS)
        }
        other => Err(Error::Usage(format!(
            "the CloudFormation backend has no command {other:?}"
        ))),
    }
}

async fn deployer(options: &ClientOptions, yes: bool) -> Result<Deploy> {
    let clients = Clients::load(options).await?;
    Ok(Deploy::new(clients).with_confirm(Confirm::from_flag(yes)))
}
