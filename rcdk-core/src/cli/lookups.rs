//! The lookup step of the command line: when synthesis left context lookups unanswered, the
//! program writes the assembly (whose manifest lists them), has `cargo-rcdk context` (or a
//! plugged-in backend) ask AWS and store the answers in the context file, then runs itself
//! again with the same arguments to synthesize with them. The program never calls AWS.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, ExitCode};

use crate::context::{ContextFile, MissingContext};
use crate::synth::Assembly;

use super::{handover, Deployer};

/// Set in the environment of the second run: a lookup still missing then is an error, not a
/// reason to look up again.
pub const PASS_ENV: &str = "RCDK_LOOKUP_PASS";

/// The flag that turns lookups off (CI: the committed context file must answer everything).
pub const NO_LOOKUPS: &str = "--no-lookups";

fn key_list(missing: &[MissingContext]) -> String {
    missing.iter().map(|m| format!("\n  - {}", m.key)).collect()
}

/// The message for missing context under `--no-lookups`.
fn no_lookups_message(missing: &[MissingContext], file: &Path) -> String {
    format!(
        "error: the app looks up values in AWS that the context file {} does not hold:{}\n  hint: run the same command without --no-lookups, with credentials for the account, to look them up and store them in that file; then commit it",
        file.display(),
        key_list(missing)
    )
}

/// Arguments forwarded from a handed-over command to `cargo-rcdk context`: the credentials'
/// profile and the endpoint, so that lookups use the same AWS as the command.
fn forwarded(rest: &[OsString]) -> Vec<OsString> {
    let mut out = Vec::new();
    let mut iter = rest.iter();
    while let Some(arg) = iter.next() {
        let text = arg.to_string_lossy();
        for flag in ["--profile", "--endpoint-url"] {
            if text == flag {
                if let Some(value) = iter.next() {
                    out.push(arg.clone());
                    out.push(value.clone());
                }
            } else if text.starts_with(&format!("{flag}=")) {
                out.push(arg.clone());
            }
        }
    }
    out
}

/// Resolves the missing context of `assembly`, then runs the program again; returns the exit
/// code of the whole command.
pub(crate) fn resolve_and_rerun(
    assembly: &Assembly,
    output: &Path,
    no_lookups: bool,
    args: &[OsString],
    rest: &[OsString],
    sub: &clap::ArgMatches,
    deployer: Option<&dyn Deployer>,
) -> ExitCode {
    let file = ContextFile::default_path();
    if no_lookups {
        eprintln!("{}", no_lookups_message(&assembly.missing, &file));
        return ExitCode::FAILURE;
    }
    if std::env::var_os(PASS_ENV).is_some() {
        eprintln!(
            "error: these lookups are still missing after their answers were stored in {}:{}\n  hint: the program asks for different values on each run; look them up with stable queries",
            file.display(),
            key_list(&assembly.missing)
        );
        return ExitCode::FAILURE;
    }
    if let Err(e) = assembly.write(output) {
        eprintln!("error at {e}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "looking up {} value(s) missing from {}",
        assembly.missing.len(),
        file.display()
    );
    let looked_up = match deployer.and_then(|d| d.resolve_context(output, &file, sub)) {
        Some(Ok(())) => ExitCode::SUCCESS,
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
        None => {
            let mut context_args = vec![OsString::from("--context-file"), file.clone().into()];
            context_args.extend(forwarded(rest));
            handover::run("context", output, &context_args)
        }
    };
    if looked_up != ExitCode::SUCCESS {
        return looked_up;
    }
    rerun(args)
}

/// Runs this program again with `args` (the first is the program name) and the second-pass
/// marker; its exit code.
fn rerun(args: &[OsString]) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("error: cannot find this program's executable to synthesize again: {e}\n  hint: run the same command again: the answers are stored");
            return ExitCode::FAILURE;
        }
    };
    let status = Command::new(&exe)
        .args(args.iter().skip(1))
        .env(PASS_ENV, "1")
        .status();
    match status {
        Ok(status) => super::handover::exit_code(status),
        Err(e) => {
            eprintln!(
                "error: cannot run {} again to synthesize with the looked-up values: {e}\n  hint: run the same command again: the answers are stored",
                exe.display()
            );
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_and_endpoint_are_forwarded() {
        let rest: Vec<OsString> = [
            "--yes",
            "--profile",
            "prod",
            "--endpoint-url=http://127.0.0.1:5000",
            "--region",
            "eu-west-1",
        ]
        .iter()
        .map(OsString::from)
        .collect();
        assert_eq!(
            forwarded(&rest),
            ["--profile", "prod", "--endpoint-url=http://127.0.0.1:5000"]
                .iter()
                .map(OsString::from)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_no_lookups_message_names_every_key_and_the_file() {
        let missing = vec![MissingContext {
            key: "ssm:account=1:parameterName=/x:region=r".into(),
            provider: crate::context::ContextProvider::Ssm,
            props: serde_json::Map::new(),
        }];
        let text = no_lookups_message(&missing, Path::new("app/cdk.context.json"));
        assert!(
            text.contains("\n  - ssm:account=1:parameterName=/x:region=r"),
            "{text}"
        );
        assert!(text.contains("app/cdk.context.json"), "{text}");
        assert!(text.contains("without --no-lookups"), "{text}");
    }
}
