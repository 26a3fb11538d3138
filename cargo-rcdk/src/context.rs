//! `cargo rcdk context`: looks up the context values an assembly lists as missing and stores
//! them in the context file (run by the program's `synth` when a lookup is not answered yet),
//! lists the file's entries, or removes entries so that they are looked up again.

use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, ArgMatches, Command};
use rcdk_core::context::{ContextFile, CONTEXT_FILE};
use rcdk_deploy::{ClientOptions, Error, Result};

/// The `context` subcommand, as a clap command.
pub fn command() -> Command {
    Command::new("context")
            .about("Look up the context values an assembly (--app) is missing, or list (default) or reset the entries of cdk.context.json")
            .arg(
                Arg::new("context-file")
                    .long("context-file")
                    .value_name("PATH")
                    .value_parser(clap::value_parser!(PathBuf))
                    .help("The context file [default: cdk.context.json]"),
            )
            .arg(
                Arg::new("reset")
                    .long("reset")
                    .value_name("KEY")
                    .action(ArgAction::Append)
                    .help("Remove this entry, so that the next synthesis looks it up again"),
            )
            // No --region: every query names the region of its stack.
            .arg(
                Arg::new("profile")
                    .long("profile")
                    .value_name("NAME")
                    .help("AWS profile to use"),
            )
            .arg(
                Arg::new("endpoint-url")
                    .long("endpoint-url")
                    .value_name("URL")
                    .help("Endpoint for all AWS services (e.g. a local emulator)"),
            )
}

/// Looks up what the manifest in `assembly_dir` is missing and stores it in `context_file`;
/// the keys stored.
pub fn resolve(
    assembly_dir: &Path,
    context_file: &Path,
    options: &ClientOptions,
) -> Result<Vec<String>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Config(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let sdk = rcdk_deploy::lookups::sdk_config(options).await;
        rcdk_deploy::lookups::resolve_into(&sdk, assembly_dir, context_file).await
    })
}

/// Runs `context` with its parsed arguments; `app` is the global `--app`.
pub fn run(args: &ArgMatches, app: Option<&Path>) -> Result<()> {
    let file_path = args
        .get_one::<PathBuf>("context-file")
        .cloned()
        .unwrap_or_else(|| PathBuf::from(CONTEXT_FILE));
    let resets: Vec<&String> = args
        .get_many::<String>("reset")
        .map(|v| v.collect())
        .unwrap_or_default();
    if let Some(dir) = app {
        let keys = resolve(dir, &file_path, &crate::commands::client_options(args))?;
        for key in &keys {
            eprintln!("looked up {key}");
        }
        eprintln!(
            "stored {} value(s) in {} (commit it: later syntheses read it instead of asking AWS)",
            keys.len(),
            file_path.display()
        );
        return Ok(());
    }
    let mut file = ContextFile::load(&file_path).map_err(|e| Error::Config(e.to_string()))?;
    if !resets.is_empty() {
        for key in resets {
            if !file.remove(key) {
                return Err(Error::Usage(format!(
                    "{} has no entry {key}; `cargo rcdk context` lists them",
                    file_path.display()
                )));
            }
            eprintln!("removed {key}");
        }
        return file.save().map_err(|e| Error::Config(e.to_string()));
    }
    for (key, value) in file.entries() {
        println!("{key}\t{value}");
    }
    Ok(())
}
