//! The `deploy`, `diff`, `destroy`, `bootstrap` and `publish` subcommands, shared by the
//! `cargo rcdk` binary and programs that build deployment in (`rcdk` with its `deploy` feature).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};
use rcdk_core::bootstrap::{check_qualifier, DEFAULT_QUALIFIER, DEFAULT_TOOLKIT_STACK_NAME};
use rcdk_deploy::{
    Assembly, ClientOptions, Clients, Confirm, Deploy, DeployOptions, DestroyOptions, DiffOptions,
    Error, RequireApproval, Result, StackParameter,
};

/// The CloudFormation backend for [`rcdk_core::cli::Deployer`]: the subcommands of
/// `cargo rcdk` that work on a synthesized assembly.
#[derive(Debug, Clone, Copy, Default)]
pub struct CloudFormationDeployer;

pub(crate) fn aws_args(cmd: Command) -> Command {
    cmd.arg(
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

fn common(cmd: Command) -> Command {
    aws_args(
        cmd.arg(
            Arg::new("stacks")
                .value_name("STACK")
                .num_args(0..)
                .help("Stacks by id or stack name (default: all)"),
        )
        .arg(
            Arg::new("all")
                .long("all")
                .action(ArgAction::SetTrue)
                .conflicts_with("stacks")
                .help("Every stack of the app (the default when no stack is named)"),
        ),
    )
}

fn parameter_arg() -> Arg {
    Arg::new("parameter")
        .long("parameter")
        .value_name("STACK:KEY=VALUE")
        .action(ArgAction::Append)
        .help("Stack parameter value (repeatable)")
}

fn timeout_arg() -> Arg {
    Arg::new("timeout")
        .long("timeout")
        .value_name("SECS")
        .value_parser(clap::value_parser!(u64))
        .help("Longest wait per stack; an update still running then is cancelled")
}

fn concurrency_arg(help: &'static str) -> Arg {
    Arg::new("concurrency")
        .long("concurrency")
        .value_name("N")
        .value_parser(clap::value_parser!(u16).range(1..))
        .default_value("1")
        .help(help)
}

fn yes_arg() -> Arg {
    Arg::new("yes")
        .long("yes")
        .short('y')
        .action(ArgAction::SetTrue)
        .help("Answer yes to every confirmation")
}

impl CloudFormationDeployer {
    /// The subcommands, as clap commands.
    pub fn command_list() -> Vec<Command> {
        vec![
            common(Command::new("deploy").about(
                "Publish file assets, then create or update stacks in AWS CloudFormation",
            ))
            .arg(parameter_arg())
            .arg(timeout_arg())
            .arg(yes_arg())
            .arg(concurrency_arg(
                "Stacks deployed at once (default 1: one at a time, stopping at the first failure); a stack still waits for the stacks it depends on, and a failure skips only the stacks that depend on it. Above 1 on a terminal, needs --yes (questions cannot be asked meanwhile); --plan runs one at a time",
            ))
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
                        .help("Publish assets, create change sets and record them for `deploy --plan FILE`"),
                )
                .arg(parameter_arg()),
            common(Command::new("destroy").about("Delete stacks, dependents first"))
                .arg(timeout_arg())
                .arg(yes_arg())
                .arg(concurrency_arg(
                    "Stacks deleted at once, after one confirmation for all (default 1: one at a time, stopping at the first failure); a stack still waits for the stacks that depend on it, and a failure keeps only the stacks it depends on",
                ))
                .arg(
                    Arg::new("force")
                        .long("force")
                        .action(ArgAction::SetTrue)
                        .help("Same as --yes"),
                ),
            aws_args(
                Command::new("bootstrap")
                    .about("Create or update the bootstrap stack (staging bucket, container assets repository, version parameter; with --trust or --cloudformation-execution-policies the deploy and CloudFormation execution roles) of an environment")
                    .arg(
                        Arg::new("environments")
                            .value_name("aws://ACCOUNT/REGION")
                            .num_args(0..)
                            .help("Environments to bootstrap (default: the credentials' account in the configured region)"),
                    )
                    .arg(
                        Arg::new("qualifier")
                            .long("qualifier")
                            .value_name("QUALIFIER")
                            .default_value(DEFAULT_QUALIFIER)
                            .help("Bootstrap qualifier: part of the bucket, repository and parameter names"),
                    )
                    .arg(
                        Arg::new("toolkit-stack-name")
                            .long("toolkit-stack-name")
                            .value_name("NAME")
                            .default_value(DEFAULT_TOOLKIT_STACK_NAME)
                            .help("Name of the bootstrap stack (one per qualifier in an environment)"),
                    )
                    .arg(
                        Arg::new("trust")
                            .long("trust")
                            .value_name("ACCOUNT")
                            .action(ArgAction::Append)
                            .help("Account whose principals may assume the deploy role to deploy here (repeatable; needs --cloudformation-execution-policies)"),
                    )
                    .arg(
                        Arg::new("cloudformation-execution-policies")
                            .long("cloudformation-execution-policies")
                            .value_name("ARN")
                            .action(ArgAction::Append)
                            .help("Managed policy of the role CloudFormation acts as for deployments through the deploy role (repeatable; required with --trust)"),
                    )
                    .arg(timeout_arg())
                    .arg(yes_arg()),
            ),
            common(Command::new("publish").about(
                "Publish the stacks' file assets to the staging bucket (only those not there yet)",
            )),
        ]
    }

    /// Runs subcommand `name`. `assembly_dir` is the synthesized assembly; `bootstrap` works
    /// without one.
    pub fn run_command(
        &self,
        name: &str,
        args: &ArgMatches,
        assembly_dir: Option<&Path>,
    ) -> ExitCode {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: cannot start the async runtime: {e}");
                return ExitCode::FAILURE;
            }
        };
        let result = runtime.block_on(run(name, args, assembly_dir));
        // A prompt reading stdin on a blocking thread must not keep the process alive.
        runtime.shutdown_timeout(Duration::from_millis(100));
        match result {
            Ok(code) => code,
            Err(e @ Error::Interrupted(_)) => {
                eprintln!("{e}");
                ExitCode::from(130)
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    }
}

impl rcdk_core::cli::Deployer for CloudFormationDeployer {
    fn commands(&self) -> Vec<Command> {
        CloudFormationDeployer::command_list()
    }

    fn run(
        &self,
        name: &str,
        args: &ArgMatches,
        assembly_dir: &Path,
    ) -> std::result::Result<ExitCode, rcdk_core::cli::DeployError> {
        // run_command prints its errors; the app's command line only needs the code.
        Ok(self.run_command(name, args, Some(assembly_dir)))
    }

    fn resolve_context(
        &self,
        assembly_dir: &Path,
        context_file: &Path,
        args: &ArgMatches,
    ) -> Option<std::result::Result<(), rcdk_core::cli::DeployError>> {
        let options = ClientOptions {
            // Each query names its own region.
            region: None,
            ..client_options(args)
        };
        Some(
            crate::context::resolve(assembly_dir, context_file, &options)
                .map(|_| ())
                .map_err(Into::into),
        )
    }
}

fn strings(args: &ArgMatches, id: &str) -> Vec<String> {
    args.try_get_many::<String>(id)
        .ok()
        .flatten()
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

fn one(args: &ArgMatches, id: &str) -> Option<String> {
    args.try_get_one::<String>(id).ok().flatten().cloned()
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

fn concurrency(args: &ArgMatches) -> usize {
    args.try_get_one::<u16>("concurrency")
        .ok()
        .flatten()
        .map_or(1, |n| usize::from(*n))
}

pub(crate) fn client_options(args: &ArgMatches) -> ClientOptions {
    ClientOptions {
        profile: one(args, "profile"),
        region: one(args, "region"),
        endpoint_url: one(args, "endpoint-url"),
    }
}

fn load_assembly(dir: Option<&Path>) -> Result<Assembly> {
    let dir = dir.ok_or_else(|| {
        Error::Usage(
            "this command needs an assembly: run it in the app's package or pass --app DIR".into(),
        )
    })?;
    let assembly = Assembly::load(dir)?;
    // Templates synthesized with missing context hold dummy values in place of real ids.
    let missing = rcdk_deploy::lookups::missing_context(dir)?;
    if !missing.is_empty() {
        let keys: Vec<&str> = missing.iter().map(|m| m.key.as_str()).collect();
        return Err(Error::Assembly(format!(
            "the assembly in {} was synthesized without the context values {}: its templates hold dummy values; run the program's `synth` (it looks them up) or `cargo rcdk context --app {}` and synthesize again",
            dir.display(),
            keys.join(", "),
            dir.display()
        )));
    }
    Ok(assembly)
}

async fn run(name: &str, args: &ArgMatches, dir: Option<&Path>) -> Result<ExitCode> {
    if name == "bootstrap" {
        return crate::bootstrap::run(
            args,
            &client_options(args),
            flag(args, "yes"),
            timeout(args),
        )
        .await;
    }
    let assembly = load_assembly(dir)?;
    let stacks = strings(args, "stacks");
    // Unknown stack names fail before any AWS configuration is looked at.
    assembly.select(&stacks)?;
    let client_options = client_options(args);
    let yes = flag(args, "yes") || (name == "destroy" && flag(args, "force"));
    match name {
        "deploy" => {
            let mut options = DeployOptions {
                stacks,
                parameters: parameters(args)?,
                template_bucket: None,
                require_approval: args
                    .get_one::<String>("require-approval")
                    .map(|s| s.parse())
                    .transpose()?
                    .unwrap_or(RequireApproval::Broadening),
                force: flag(args, "force"),
                timeout: timeout(args),
                plan: args.get_one::<PathBuf>("plan").cloned(),
                preflights: Vec::new(),
                concurrency: concurrency(args),
            };
            let deploy = deployer(&client_options, yes).await?;
            if options.plan.is_none() {
                // Before anything is published.
                deploy.check_concurrency(options.concurrency)?;
            }
            let preflights = deploy.preflight(&assembly, &options.stacks).await?;
            deploy
                .publish(&assembly, &options.stacks, &preflights)
                .await?;
            options.preflights = preflights;
            deploy.deploy(&assembly, &options).await?;
            Ok(ExitCode::SUCCESS)
        }
        "diff" => {
            let mut options = DiffOptions {
                stacks,
                save_plan: args.get_one::<PathBuf>("save-plan").cloned(),
                parameters: parameters(args)?,
                template_bucket: None,
                preflights: Vec::new(),
            };
            let deploy = deployer(&client_options, yes).await?;
            if options.save_plan.is_some() {
                // The saved change sets name the staging buckets' objects: publish them now.
                let preflights = deploy.preflight(&assembly, &options.stacks).await?;
                deploy
                    .publish(&assembly, &options.stacks, &preflights)
                    .await?;
                options.preflights = preflights;
            }
            let report = deploy.diff(&assembly, &options).await?;
            if flag(args, "fail") && report.has_differences() {
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        "destroy" => {
            let options = DestroyOptions {
                stacks,
                timeout: timeout(args),
                concurrency: concurrency(args),
            };
            deployer(&client_options, yes)
                .await?
                .destroy(&assembly, &options)
                .await?;
            Ok(ExitCode::SUCCESS)
        }
        "publish" => {
            let deploy = deployer(&client_options, yes).await?;
            let preflights = deploy.preflight(&assembly, &stacks).await?;
            let report = deploy.publish(&assembly, &stacks, &preflights).await?;
            println!(
                "{} object(s) uploaded, {} already in the staging bucket",
                report.uploaded.len(),
                report.present.len()
            );
            if !report.images_pushed.is_empty() || !report.images_present.is_empty() {
                println!(
                    "{} image(s) pushed, {} already in their repository",
                    report.images_pushed.len(),
                    report.images_present.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        other => Err(Error::Usage(format!(
            "the CloudFormation backend has no command {other:?}"
        ))),
    }
}

/// The deployer for `options`, answering confirmations with yes when `yes`.
pub(crate) async fn deployer(options: &ClientOptions, yes: bool) -> Result<Deploy> {
    let clients = Clients::load(options).await?;
    Ok(Deploy::new(clients).with_confirm(Confirm::from_flag(yes)))
}

/// Checks a `--qualifier` value.
pub(crate) fn qualifier(args: &ArgMatches) -> Result<String> {
    let q = one(args, "qualifier").unwrap_or_else(|| DEFAULT_QUALIFIER.to_string());
    check_qualifier(&q).map_err(Error::Usage)?;
    Ok(q)
}
