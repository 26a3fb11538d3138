//! The `migrate` subcommand.

use std::path::PathBuf;

use clap::{Arg, ArgGroup, ArgMatches, Command};

use super::{migrate, migrate_file, MigrateError, MigrateOptions, Migrated, Source};

/// The `migrate` subcommand, as a clap command.
pub fn command() -> Command {
    crate::commands::aws_args(
        Command::new("migrate")
            .about("Write a new cargo package whose program builds an existing template (a file, or a deployed stack's) with typed resources, keeping every logical id")
            .arg(
                Arg::new("from-path")
                    .long("from-path")
                    .value_name("FILE")
                    .value_parser(clap::value_parser!(PathBuf))
                    .help("The template file (JSON or YAML)"),
            )
            .arg(
                Arg::new("from-stack")
                    .long("from-stack")
                    .value_name("STACK")
                    .help("A deployed stack, whose template is read with GetTemplate"),
            )
            .group(ArgGroup::new("from").args(["from-path", "from-stack"]).required(true))
            .arg(
                Arg::new("name")
                    .long("name")
                    .value_name("NAME")
                    .help("Package name and stack id [default: the stack's name or the file's stem]"),
            )
            .arg(
                Arg::new("output-dir")
                    .long("output-dir")
                    .value_name("DIR")
                    .value_parser(clap::value_parser!(PathBuf))
                    .help("Directory of the new package (must not exist or be empty) [default: ./NAME]"),
            )
            .arg(
                Arg::new("rcdk-path")
                    .long("rcdk-path")
                    .value_name("DIR")
                    .value_parser(clap::value_parser!(PathBuf))
                    .help("Depend on a checkout of the rcdk workspace at DIR instead of crates.io"),
            ),
    )
}

/// A package name cargo accepts, from a file stem or stack name.
fn package_name(raw: &str) -> String {
    let mut s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s = format!("stack-{s}");
    }
    s
}

/// A stack id: the name as given, letters, digits and `-` only.
fn stack_id(raw: &str) -> String {
    let s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s
    } else {
        format!("Stack{s}")
    }
}

/// Runs `migrate`; the message to print on failure.
pub fn run(args: &ArgMatches) -> Result<(), String> {
    let given = args.get_one::<String>("name").cloned();
    let source = match args.get_one::<PathBuf>("rcdk-path") {
        Some(p) => Source::Path(
            std::fs::canonicalize(p).map_err(|e| format!("--rcdk-path {}: {e}", p.display()))?,
        ),
        None => Source::Registry(env!("CARGO_PKG_VERSION").to_string()),
    };
    let (migrated, base): (Migrated, String) =
        if let Some(path) = args.get_one::<PathBuf>("from-path") {
            let base = given.unwrap_or_else(|| {
                path.file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("migrated")
                    .to_string()
            });
            let options = MigrateOptions {
                package: package_name(&base),
                stack_id: stack_id(&base),
                source,
            };
            (
                migrate_file(path, &options).map_err(|e| e.to_string())?,
                base,
            )
        } else {
            let stack = args
                .get_one::<String>("from-stack")
                .cloned()
                .unwrap_or_default();
            let text = deployed_template(args, &stack).map_err(|e| e.to_string())?;
            let base = given.unwrap_or_else(|| stack.clone());
            let options = MigrateOptions {
                package: package_name(&base),
                stack_id: stack_id(&stack),
                source,
            };
            (
                migrate(&text, &format!("stack {stack}"), &options).map_err(|e| e.to_string())?,
                base,
            )
        };
    let dir = args
        .get_one::<PathBuf>("output-dir")
        .cloned()
        .unwrap_or_else(|| PathBuf::from(package_name(&base)));
    migrated.write(&dir).map_err(|e| e.to_string())?;
    eprintln!(
        "wrote {}: {} resources as generated types, {} kept untyped, {} values as written (see the comments in src/main.rs)",
        dir.display(),
        migrated.typed,
        migrated.untyped,
        migrated.fallbacks
    );
    eprintln!("next: cd {} && cargo run -- synth", dir.display());
    Ok(())
}

/// The template of deployed stack `stack`, as CloudFormation returns it (JSON or YAML).
fn deployed_template(args: &ArgMatches, stack: &str) -> Result<String, MigrateError> {
    let options = crate::commands::client_options(args);
    let err = |message: String| MigrateError::Stack {
        stack: stack.to_string(),
        message,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| err(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let clients = rcdk_deploy::Clients::load(&options)
            .await
            .map_err(|e| err(e.to_string()))?;
        let out = clients
            .cloudformation()
            .get_template()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| err(format!("GetTemplate: {}", aws_sdk_error(&e))))?;
        Ok(out.template_body().unwrap_or_default().to_string())
    })
}

fn aws_sdk_error(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}
