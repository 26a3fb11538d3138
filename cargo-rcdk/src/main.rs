//! `cargo rcdk`: see the library documentation. Cargo runs `cargo-rcdk rcdk ARGS` for
//! `cargo rcdk ARGS`; `cargo-rcdk ARGS` works too.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use cargo_rcdk::{synthesize, CloudFormationDeployer, SynthRequest};
use clap::{Arg, ArgAction, ArgMatches, Command};

fn command() -> Command {
    let stacks = || {
        Arg::new("stacks")
            .num_args(0..)
            .value_name("STACK")
            .help("Stack ids or names (default: all)")
    };
    let mut cmd = Command::new("cargo-rcdk")
        .bin_name("cargo rcdk")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Synthesize, bootstrap, deploy, diff and destroy a Rust CDK app")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("app")
                .long("app")
                .global(true)
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Use this synthesized assembly instead of running the program"),
        )
        .arg(
            Arg::new("package")
                .long("package")
                .short('p')
                .global(true)
                .value_name("SPEC")
                .help("Package whose program builds the app (cargo run -p)"),
        )
        .arg(
            Arg::new("manifest-path")
                .long("manifest-path")
                .global(true)
                .value_name("PATH")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Path to Cargo.toml (cargo run --manifest-path)"),
        )
        .arg(
            Arg::new("output")
                .long("output")
                .short('o')
                .global(true)
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Where synthesis writes the assembly [default: cdk.out]"),
        )
        .arg(
            Arg::new("strict")
                .long("strict")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Fail synthesis on warnings"),
        )
        .subcommand(
            Command::new("synth")
                .about("Run the program to write the assembly (templates, manifest, assets)")
                .arg(stacks()),
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
        );
    for sub in CloudFormationDeployer::command_list() {
        cmd = cmd.subcommand(sub);
    }
    // Run by the `executable` source of a Lambda function's asset at publish time.
    cmd.subcommand(
        Command::new("package-lambda")
            .hide(true)
            .about("Build a workspace package (--package, --manifest-path) into a Lambda zip; prints its path")
            .arg(
                Arg::new("arch")
                    .long("arch")
                    .value_name("ARCH")
                    .default_value("x86_64")
                    .value_parser(["x86_64", "arm64"]),
            )
            .arg(
                Arg::new("out-dir")
                    .long("out-dir")
                    .value_name("DIR")
                    .required(true)
                    .value_parser(clap::value_parser!(PathBuf)),
            ),
    )
}

/// The process arguments without the `rcdk` that cargo inserts.
fn arguments() -> Vec<OsString> {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "rcdk") {
        args.remove(1);
    }
    args
}

fn main() -> ExitCode {
    let matches = match command().try_get_matches_from(arguments()) {
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
    match name {
        "synth" => match synth(&matches, sub) {
            Ok(dir) => {
                eprintln!("assembly in {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        "list" => match assembly_dir(&matches, sub).and_then(|dir| list(&dir, sub)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        },
        "package-lambda" => match package_lambda(&matches, sub) {
            Ok(zip) => {
                println!("{}", zip.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        // Bootstrap needs no app, but uses one given with --app.
        "bootstrap" => {
            let app = matches.get_one::<PathBuf>("app");
            CloudFormationDeployer.run_command(name, sub, app.map(PathBuf::as_path))
        }
        _ => match assembly_dir(&matches, sub) {
            Ok(dir) => CloudFormationDeployer.run_command(name, sub, Some(&dir)),
            Err(e) => fail(&e),
        },
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}

fn synth_request(top: &ArgMatches, sub: &ArgMatches) -> SynthRequest {
    let mut program_args: Vec<OsString> = Vec::new();
    if top.get_flag("strict") {
        program_args.push("--strict".into());
    }
    SynthRequest {
        package: top.get_one::<String>("package").cloned(),
        manifest_path: top.get_one::<PathBuf>("manifest-path").cloned(),
        output: top
            .get_one::<PathBuf>("output")
            .cloned()
            .unwrap_or_else(|| PathBuf::from("cdk.out")),
        stacks: sub
            .try_get_many::<String>("stacks")
            .ok()
            .flatten()
            .map(|v| v.cloned().collect())
            .unwrap_or_default(),
        program_args,
    }
}

fn synth(top: &ArgMatches, sub: &ArgMatches) -> Result<PathBuf, String> {
    if top.get_one::<PathBuf>("app").is_some() {
        return Err(
            "`synth` runs the program; --app names an assembly that is synthesized already".into(),
        );
    }
    synthesize(&synth_request(top, sub))
}

/// The assembly to work on: `--app DIR`, or the program's freshly synthesized output.
fn assembly_dir(top: &ArgMatches, sub: &ArgMatches) -> Result<PathBuf, String> {
    if let Some(dir) = top.get_one::<PathBuf>("app") {
        return Ok(dir.clone());
    }
    let mut request = synth_request(top, sub);
    // Every stack is synthesized: the command selects among them (dependencies stay known).
    request.stacks.clear();
    synthesize(&request)
}

fn list(dir: &std::path::Path, sub: &ArgMatches) -> Result<(), String> {
    let assembly = rcdk_deploy::Assembly::load(dir).map_err(|e| e.to_string())?;
    for s in &assembly.manifest().stacks {
        if sub.get_flag("long") {
            let deps = if s.dependencies.is_empty() {
                "-".to_string()
            } else {
                s.dependencies.join(", ")
            };
            println!("{}\tstack name: {}\tdepends on: {deps}", s.id, s.stack_name);
        } else {
            println!("{}", s.id);
        }
    }
    Ok(())
}

fn package_lambda(top: &ArgMatches, sub: &ArgMatches) -> Result<PathBuf, String> {
    let package = top
        .get_one::<String>("package")
        .ok_or("package-lambda needs --package NAME")?;
    let manifest = top
        .get_one::<PathBuf>("manifest-path")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("Cargo.toml"));
    let arch: rcdk_deploy::package::Arch = sub
        .get_one::<String>("arch")
        .map(String::as_str)
        .unwrap_or("x86_64")
        .parse()?;
    let out_dir = sub
        .get_one::<PathBuf>("out-dir")
        .ok_or("package-lambda needs --out-dir DIR")?;
    std::fs::create_dir_all(out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    rcdk_deploy::package::build_lambda_package(&manifest, package, arch, out_dir)
        .map_err(|e| e.to_string())
}
