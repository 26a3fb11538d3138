//! `cargo run -p rcdk-codegen [-- --check] [--schemas DIR]`: regenerates (or checks) the typed
//! CloudFormation resources of rcdk-constructs and the IAM action list of rcdk-macros.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut check = false;
    let mut schemas: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--schemas" => schemas = args.next().map(PathBuf::from),
            other => {
                eprintln!("rcdk-codegen: unknown argument `{other}`; usage: rcdk-codegen [--check] [--schemas DIR]");
                return ExitCode::from(2);
            }
        }
    }
    // The workspace root: this crate's parent directory.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();
    match run(&workspace, schemas, check) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rcdk-codegen: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    workspace: &Path,
    schemas: Option<PathBuf>,
    check: bool,
) -> Result<ExitCode, rcdk_codegen::CodegenError> {
    let schemas = match schemas {
        Some(dir) => dir,
        None => rcdk_codegen::find_schemas(workspace)?,
    };
    let services = rcdk_codegen::load(&schemas)?;
    let toml_path = workspace.join("rcdk-constructs/Cargo.toml");
    let toml =
        std::fs::read_to_string(&toml_path).map_err(|source| rcdk_codegen::CodegenError::Io {
            path: toml_path.clone(),
            source,
        })?;
    let mut files = rcdk_codegen::render(&services, &toml)?;
    let actions = rcdk_codegen::iam_actions::load(&schemas)?;
    files.push((
        PathBuf::from(rcdk_codegen::iam_actions::PATH),
        rcdk_codegen::iam_actions::render(&actions),
    ));
    let differ = rcdk_codegen::apply(workspace, &files, check)?;
    let types: usize = services.iter().map(|s| s.resources.len()).sum();
    let actions: usize = actions.values().map(Vec::len).sum();
    if check {
        if differ.is_empty() {
            println!(
                "rcdk-codegen: {} files up to date ({} services, {types} resource types, {actions} IAM actions)",
                files.len(),
                services.len()
            );
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "rcdk-codegen: {} generated file(s) differ from what the pinned schemas produce:",
            differ.len()
        );
        for f in &differ {
            eprintln!("  {}", f.display());
        }
        eprintln!("run `cargo run -p rcdk-codegen` to regenerate them (and do not edit generated files by hand)");
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "rcdk-codegen: {} services, {types} resource types, {actions} IAM actions; {} file(s) written",
        services.len(),
        differ.len()
    );
    Ok(ExitCode::SUCCESS)
}
