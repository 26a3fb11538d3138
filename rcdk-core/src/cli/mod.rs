//! The app's command line: `synth`, `list`, `tree`, `graph`, plus the deployment subcommands
//! (`deploy`, `diff`, `destroy`, `bootstrap`, `publish`). Those synthesize and then hand over to
//! the `cargo-rcdk` binary (which owns the AWS SDK), or run in-process when a backend is plugged
//! in.

mod deployer;
pub mod graph;
mod handover;
pub mod lookups;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

pub use deployer::{DeployError, Deployer};
pub use report::{cost_lines, USAGE_NOT_COUNTED};

use crate::app::App;
use crate::synth::{Format, SynthOptions};

const CORE_COMMANDS: [&str; 4] = ["synth", "list", "tree", "graph"];

fn command(deployer: Option<&dyn Deployer>) -> Command {
    let stacks = || {
        Arg::new("stacks")
            .num_args(0..)
            .value_name("STACK")
            .help("Stack ids or names (default: all)")
    };
    let mut cmd = Command::new(bin_name())
        .about("Synthesize and deploy this CDK app")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("output")
                .long("output")
                .short('o')
                .global(true)
                .value_name("DIR")
                .help("Output directory for templates and manifest [default: cdk.out]"),
        )
        .arg(
            Arg::new("format")
                .long("format")
                .global(true)
                .value_parser(["json", "yaml"])
                .default_value("json")
                .help("Template format"),
        )
        .arg(
            Arg::new("strict")
                .long("strict")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Fail on warnings"),
        )
        .arg(
            Arg::new("no-lookups")
                .long("no-lookups")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Fail when a lookup is not answered by cdk.context.json instead of asking AWS"),
        )
        .subcommand(
            Command::new("synth")
                .about("Write one template per stack and a manifest to the output directory")
                .arg(stacks())
                .arg(
                    Arg::new("quiet")
                        .long("quiet")
                        .short('q')
                        .action(ArgAction::SetTrue)
                        .help("Do not print the template"),
                ),
        )
        .subcommand(
            Command::new("list")
                .about("List the stacks in deployment order")
                .arg(
                    Arg::new("long")
                        .long("long")
                        .short('l')
                        .action(ArgAction::SetTrue)
                        .help("Show names and dependencies"),
                ),
        )
        .subcommand(
            Command::new("tree").about("Show the construct tree: paths, types and logical ids"),
        )
        .subcommand(
            Command::new("graph")
                .about("Draw the app: constructs as boxes, resources, references and security-group permissions")
                .arg(
                    Arg::new("language")
                        .value_parser(["dot", "mermaid"])
                        .default_value("dot")
                        .help("Graphviz DOT (render with `dot -Tsvg`) or a Mermaid flowchart"),
                )
                .arg(
                    Arg::new("all")
                        .long("all")
                        .action(ArgAction::SetTrue)
                        .help("Show every resource and reference (no merged routes, associations or rules)"),
                ),
        );
    if let Some(d) = deployer {
        for sub in d.commands() {
            cmd = cmd.subcommand(sub);
        }
    } else {
        for (name, about) in handover::COMMANDS {
            cmd = cmd.subcommand(
                Command::new(name)
                    .about(format!(
                        "{about} (synthesizes, then runs `cargo-rcdk {name}`)"
                    ))
                    .disable_help_flag(true)
                    .arg(
                        Arg::new("rest")
                            .num_args(0..)
                            .trailing_var_arg(true)
                            .allow_hyphen_values(true),
                    ),
            );
        }
    }
    cmd
}

fn bin_name() -> String {
    std::env::args()
        .next()
        .and_then(|a| {
            Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "cdk-app".into())
}

impl App {
    /// Parses the process arguments and runs the command, synthesis only (no deploy backend).
    pub fn run_synth_only(self) -> ExitCode {
        self.run_with(None)
    }

    /// Parses the process arguments and runs the command, with `deployer` handling
    /// `deploy`, `diff` and `destroy`.
    pub fn run_with(self, deployer: Option<&dyn Deployer>) -> ExitCode {
        self.run_args(std::env::args_os(), deployer)
    }

    /// As [`App::run_with`], with explicit arguments (the first is the program name).
    pub fn run_args<I, T>(mut self, args: I, deployer: Option<&dyn Deployer>) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
        let matches = match command(deployer).try_get_matches_from(&args) {
            Ok(m) => m,
            Err(e) => {
                let _ = e.print();
                return if e.use_stderr() {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
        };
        let Some((name, sub)) = matches.subcommand() else {
            return ExitCode::from(2);
        };
        let explicit_output = matches.get_one::<String>("output").map(PathBuf::from);
        let output = explicit_output
            .clone()
            .unwrap_or_else(|| PathBuf::from("cdk.out"));
        let options = SynthOptions {
            format: if matches.get_one::<String>("format").map(String::as_str) == Some("yaml") {
                Format::Yaml
            } else {
                Format::Json
            },
            strict: matches.get_flag("strict"),
        };
        let assembly = match self.synth_with(&options) {
            Ok(a) => a,
            Err(e) => {
                eprint!("{e}");
                return ExitCode::FAILURE;
            }
        };
        // The constructs are done with: their memory is reused for the files' text instead
        // of the process growing further.
        drop(self);
        // The handed-over commands take their arguments verbatim; `--no-lookups` among them is
        // the program's, not cargo-rcdk's.
        let mut rest: Vec<std::ffi::OsString> = sub
            .try_get_raw("rest")
            .ok()
            .flatten()
            .map(|v| v.map(|a| a.to_os_string()).collect())
            .unwrap_or_default();
        let before = rest.len();
        rest.retain(|a| a != lookups::NO_LOOKUPS);
        let no_lookups = matches.get_flag("no-lookups")
            || sub
                .try_get_one::<bool>("no-lookups")
                .ok()
                .flatten()
                .copied()
                .unwrap_or(false)
            || rest.len() != before;
        if !assembly.missing.is_empty() {
            if CORE_COMMANDS[1..].contains(&name) {
                eprintln!(
                    "note: {} lookup(s) are not in the context file yet: dummy values stand in for them (`synth` looks them up)",
                    assembly.missing.len()
                );
            } else {
                return lookups::resolve_and_rerun(
                    &assembly, &output, no_lookups, &args, &rest, sub, deployer,
                );
            }
        }
        match name {
            "list" => {
                report::list(&assembly, sub.get_flag("long"));
                ExitCode::SUCCESS
            }
            "tree" => {
                report::tree(&assembly);
                ExitCode::SUCCESS
            }
            "graph" => {
                let format = match sub.get_one::<String>("language").map(String::as_str) {
                    Some("mermaid") => graph::GraphFormat::Mermaid,
                    _ => graph::GraphFormat::Dot,
                };
                let options = graph::GraphOptions {
                    all: sub.get_flag("all"),
                };
                print!("{}", graph::render(&assembly, format, options));
                ExitCode::SUCCESS
            }
            "synth" => synth(&assembly, sub, &output, explicit_output.is_some()),
            other if !CORE_COMMANDS.contains(&other) => {
                if let Err(e) = assembly.write(&output) {
                    eprintln!("error at {e}");
                    return ExitCode::FAILURE;
                }
                report::annotations(&assembly);
                let Some(d) = deployer else {
                    return handover::run(other, &output, &rest);
                };
                match d.run(other, sub, &output) {
                    Ok(code) => code,
                    Err(e) => {
                        eprintln!("error: {e}");
                        ExitCode::FAILURE
                    }
                }
            }
            _ => ExitCode::from(2),
        }
    }
}

fn synth(
    assembly: &crate::synth::Assembly,
    sub: &ArgMatches,
    output: &Path,
    explicit_output: bool,
) -> ExitCode {
    let selected: Vec<&String> = sub
        .get_many::<String>("stacks")
        .map(|v| v.collect())
        .unwrap_or_default();
    for name in &selected {
        if assembly.stack(name).is_none() {
            let known: Vec<&str> = assembly.stacks.iter().map(|s| s.id.as_str()).collect();
            eprintln!(
                "error: no stack named '{name}'\n  hint: the app has: {}",
                known.join(", ")
            );
            return ExitCode::from(2);
        }
    }
    if let Err(e) = assembly.write(output) {
        eprintln!("error at {e}");
        return ExitCode::FAILURE;
    }
    report::annotations(assembly);
    report::costs(assembly);
    let printed = match selected.as_slice() {
        [one] => assembly.stack(one),
        [] if assembly.stacks.len() == 1 => assembly.stacks.first(),
        _ => None,
    };
    match printed {
        Some(stack) if !explicit_output && !sub.get_flag("quiet") => print!("{}", stack.text),
        _ => {}
    }
    for s in &assembly.stacks {
        eprintln!("wrote {}", output.join(&s.file_name).display());
    }
    ExitCode::SUCCESS
}
