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
        .arg(
            Arg::new("no-lookups")
                .long("no-lookups")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Fail synthesis when a lookup is not answered by cdk.context.json instead of asking AWS"),
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
    cmd = cmd.subcommand(cargo_rcdk::context::command());
    cmd = cmd.subcommand(cargo_rcdk::migrate::cli::command());
    // Run by the `executable` source of a container image asset at publish time.
    cmd = cmd.subcommand(package_image_command());
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

/// `package-image`: builds the image of a package (--package, --manifest-path) into the OCI
/// layout `asset.<HASH>.image` of the current directory, or checks a tarball; prints the path.
fn package_image_command() -> Command {
    let many = |name: &'static str, value: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .value_name(value)
            .action(ArgAction::Append)
            .help(help)
    };
    Command::new("package-image")
        .hide(true)
        .about("Build a workspace package (--package, --manifest-path) into an OCI image layout, or check an image tarball; prints its path")
        .arg(Arg::new("bin").long("bin").value_name("NAME").help("Binary target (default: the only one)"))
        .arg(Arg::new("base").long("base").value_name("REF@sha256:DIGEST|scratch").help("Base image, by digest"))
        .arg(
            Arg::new("arch")
                .long("arch")
                .value_name("ARCH")
                .default_value("x86_64")
                .value_parser(["x86_64", "arm64"]),
        )
        .arg(
            many("port", "PORT", "Exposed TCP port").value_parser(clap::value_parser!(u16)),
        )
        .arg(many("env", "KEY=VALUE", "Environment variable"))
        .arg(many("label", "KEY=VALUE", "Label"))
        .arg(
            Arg::new("user")
                .long("user")
                .value_name("UID[:GID]")
                .default_value(rcdk_deploy::image::DEFAULT_USER),
        )
        .arg(Arg::new("hash").long("hash").value_name("HASH").required(true))
        .arg(
            Arg::new("tarball")
                .long("tarball")
                .value_name("PATH")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Check this OCI layout tar or `docker save` archive instead of building"),
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
        "migrate" => match cargo_rcdk::migrate::cli::run(sub) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        },
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
        "package-image" => match package_image(&matches, sub) {
            Ok(path) => {
                // The last line of standard output is the contract: the path publish pushes.
                println!("{}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        "package-lambda" => match package_lambda(&matches, sub) {
            Ok(zip) => {
                println!("{}", zip.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        "context" => {
            let app = matches.get_one::<PathBuf>("app");
            match cargo_rcdk::context::run(sub, app.map(PathBuf::as_path)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e.to_string()),
            }
        }
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
    if top.get_flag("no-lookups") {
        program_args.push("--no-lookups".into());
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

fn package_image(top: &ArgMatches, sub: &ArgMatches) -> Result<PathBuf, String> {
    use rcdk_deploy::image::{self, ImageSettings, PackageImageSpec};
    let hash = image::parse_hash(sub.get_one::<String>("hash").map_or("", String::as_str))
        .map_err(|e| e.to_string())?;
    if let Some(tarball) = sub.get_one::<PathBuf>("tarball") {
        // A staged tarball is named by the SHA-256 of its bytes: a different file is not the
        // one synthesis hashed.
        if tarball.is_file() {
            let digest = image::file_digest(tarball).map_err(|e| e.to_string())?;
            if digest.strip_prefix("sha256:") != Some(hash.as_str()) {
                return Err(format!(
                    "{} no longer matches its hash {hash} (it was changed after synthesis); synthesize again",
                    tarball.display()
                ));
            }
        }
        return image::check_tarball(tarball).map_err(|e| e.to_string());
    }
    let package = top
        .get_one::<String>("package")
        .ok_or("package-image needs --package NAME (or --tarball PATH)")?;
    let manifest_path = top
        .get_one::<PathBuf>("manifest-path")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("Cargo.toml"));
    let base = sub
        .get_one::<String>("base")
        .ok_or("package-image needs --base REF@sha256:DIGEST (or scratch)")?
        .parse()
        .map_err(|e: image::ImageError| e.to_string())?;
    let pairs = |name: &str| -> Result<Vec<(String, String)>, String> {
        sub.get_many::<String>(name)
            .into_iter()
            .flatten()
            .map(|v| image::parse_key_value(v).map_err(|e| format!("--{name}: {e}")))
            .collect()
    };
    let settings = ImageSettings {
        arch: sub
            .get_one::<String>("arch")
            .map_or("x86_64", String::as_str)
            .parse()?,
        ports: sub
            .get_many::<u16>("port")
            .into_iter()
            .flatten()
            .copied()
            .collect(),
        env: pairs("env")?,
        labels: pairs("label")?,
        user: image::parse_user(
            sub.get_one::<String>("user")
                .map_or(image::DEFAULT_USER, String::as_str),
        )
        .map_err(|e| e.to_string())?,
    };
    let spec = PackageImageSpec {
        manifest_path,
        package: package.clone(),
        bin: sub.get_one::<String>("bin").cloned(),
        base,
        settings,
        hash,
    };
    let cache = image::BlobCache::default_location().map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let packaged = runtime
        .block_on(image::package_image(
            &spec,
            std::path::Path::new("."),
            &cache,
        ))
        .map_err(|e| e.to_string())?;
    eprintln!(
        "image of {}: {} (base {:.2}s, cargo lambda build {:.1}s, {:.1} MB binary assembled in {:.2}s)",
        spec.package,
        packaged.image.manifest_digest,
        packaged.base_time.as_secs_f64(),
        packaged.build_time.as_secs_f64(),
        packaged.binary_bytes as f64 / 1e6,
        packaged.assemble_time.as_secs_f64()
    );
    Ok(PathBuf::from(image::layout_dir_name(&spec.hash)))
}
