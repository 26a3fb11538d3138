//! `cargo rcdk migrate`: every template of the corpus (`tests/templates/corpus`) and seed 001's
//! three templates become cargo packages that compile (all in one workspace, one target
//! directory) and synthesize the same template again, with the same logical ids (compared in
//! canonical form). The programs migrated from seed 001 are deployed to moto. Bad input fails
//! with the place named and nothing written.

// Loopback-only SDK clients with fake credentials, from the deploy library's test support.
#[path = "../../rcdk-deploy/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cargo_rcdk::migrate::{migrate_file, MigrateOptions, Source};
use rcdk_core::template::{canonical, TemplateDoc};
use rcdk_testkit::command::{succeeded as ok, transcript, FakeAws};
use rcdk_testkit::moto::MotoServer;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn templates(folder: &str) -> Vec<PathBuf> {
    let dir = root().join("tests/templates").join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml")
            )
        })
        .collect();
    files.sort();
    files
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_str().unwrap().to_string()
}

/// The test's workspace of migrated packages (kept between runs, so that the second build is
/// incremental) and its target directory.
fn workspace() -> (PathBuf, PathBuf) {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("migrate");
    (base.join("ws"), base.join("target"))
}

/// Runs the `cargo-rcdk` binary with `args`.
fn cargo_rcdk(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-rcdk"))
        .arg("rcdk")
        .args(args)
        .current_dir(cwd)
        .fake_aws_credentials()
        .output()
        .expect("cargo-rcdk runs")
}

/// Migrates every template into the workspace: the seed through the command line, the corpus
/// through the library. Returns (package, template, stack id).
fn migrate_all(ws: &Path) -> Vec<(String, PathBuf, String)> {
    let mut packages = Vec::new();
    std::fs::create_dir_all(ws).unwrap();
    for t in templates("seed-001") {
        let name = format!("seed-{}", stem(&t));
        let dir = ws.join(&name);
        let _ = std::fs::remove_dir_all(&dir);
        ok(cargo_rcdk(
            &[
                "migrate",
                "--from-path",
                t.to_str().unwrap(),
                "--name",
                &name,
                "--output-dir",
                dir.to_str().unwrap(),
                "--rcdk-path",
                root().to_str().unwrap(),
            ],
            ws,
        ));
        packages.push((name.clone(), t, name));
    }
    let (mut typed, mut untyped, mut fallbacks) = (0, 0, 0);
    for t in templates("corpus") {
        let name = stem(&t);
        let options = MigrateOptions {
            package: name.clone(),
            stack_id: name.clone(),
            source: Source::Path(root()),
        };
        let migrated = migrate_file(&t, &options).unwrap_or_else(|e| panic!("{e}"));
        typed += migrated.typed;
        untyped += migrated.untyped;
        fallbacks += migrated.fallbacks;
        let dir = ws.join(&name);
        let _ = std::fs::remove_dir_all(&dir);
        migrated.write(&dir).unwrap();
        packages.push((name.clone(), t, name));
    }
    eprintln!(
        "corpus: {typed} resources as generated types, {untyped} kept untyped, {fallbacks} values written as in the template"
    );
    let members: Vec<String> = packages
        .iter()
        .map(|(n, _, _)| format!("    {n:?},"))
        .collect();
    std::fs::write(
        ws.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [\n{}\n]\n\n# Faster links; the test only runs the programs.\n[profile.dev]\ndebug = false\n",
            members.join("\n")
        ),
    )
    .unwrap();
    // The versions the repository builds with, so that nothing new is fetched.
    std::fs::copy(root().join("Cargo.lock"), ws.join("Cargo.lock")).unwrap();
    packages
}

fn build(ws: &Path, target: &Path) {
    let out = Command::new(env!("CARGO"))
        .args([
            "build",
            "--workspace",
            "--offline",
            "--quiet",
            "--keep-going",
        ])
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", target)
        // A cold build of the dependencies is most of the time; incremental state would only
        // add to it.
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "the migrated packages do not compile:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the package's program's `synth` into `out`; the template text.
fn synth(target: &Path, package: &str, stack_id: &str, out: &Path) -> String {
    let _ = std::fs::remove_dir_all(out);
    let run = Command::new(target.join("debug").join(package))
        .args(["synth", "--output", out.to_str().unwrap()])
        .output()
        .expect("the migrated program runs");
    assert!(
        run.status.success(),
        "{package}: synth failed:\n{}",
        transcript(&run)
    );
    let file = out.join(format!("{stack_id}.template.json"));
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

#[test]
fn corpus_and_seed_templates_round_trip_through_migrate_and_seed_deploys_to_moto() {
    let (ws, target) = workspace();
    let packages = migrate_all(&ws);
    assert!(packages.len() >= 43, "corpus too small: {}", packages.len());
    let started = std::time::Instant::now();
    build(&ws, &target);
    eprintln!(
        "{} migrated packages built in {:.1?}",
        packages.len(),
        started.elapsed()
    );
    let mut seed_assemblies = Vec::new();
    for (package, template, stack_id) in &packages {
        let expected =
            canonical(&TemplateDoc::parse(&std::fs::read_to_string(template).unwrap()).unwrap());
        let out = ws.join(package).join("cdk.out");
        let text = synth(&target, package, stack_id, &out);
        let got =
            canonical(&TemplateDoc::parse(&text).unwrap_or_else(|e| panic!("{package}: {e}")));
        if got != expected {
            panic!(
                "{package}: the migrated program's template differs:\n--- expected\n{}\n--- got\n{}",
                serde_json::to_string_pretty(&expected).unwrap(),
                serde_json::to_string_pretty(&got).unwrap()
            );
        }
        if package.starts_with("seed-") {
            seed_assemblies.push(out);
        }
    }
    eprintln!("{} templates round-tripped through migrate", packages.len());

    // Seed 001's migrated programs deploy.
    let script = root().join("tests/moto_patches.py");
    let moto = MotoServer::start_script(&script).expect("moto starts");
    let endpoint = moto.endpoint_url();
    let with_moto = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--endpoint-url", &endpoint, "--region", "us-east-1"]);
        let out = Command::new(env!("CARGO_BIN_EXE_cargo-rcdk"))
            .arg("rcdk")
            .args(&all)
            .current_dir(&ws)
            .fake_aws_credentials()
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("cargo-rcdk runs");
        ok(out)
    };
    with_moto(&["bootstrap"]);
    for app in &seed_assemblies {
        let out = with_moto(&["deploy", "--yes", "--app", app.to_str().unwrap()]);
        eprintln!("{out}");
    }
    // Every resource of each template is in its stack.
    let clients = common::clients(&endpoint);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (package, template, stack) in packages.iter().filter(|p| p.0.starts_with("seed-")) {
        let doc = TemplateDoc::parse(&std::fs::read_to_string(template).unwrap()).unwrap();
        let mut deployed: Vec<String> = runtime.block_on(async {
            clients
                .cloudformation()
                .list_stack_resources()
                .stack_name(stack)
                .send()
                .await
                .unwrap()
                .stack_resource_summaries()
                .iter()
                .filter_map(|r| r.logical_resource_id().map(str::to_string))
                .collect()
        });
        deployed.sort();
        let mut expected: Vec<String> = doc.resources.keys().cloned().collect();
        expected.sort();
        assert_eq!(deployed, expected, "{package}: the stack's resources");

        // A deployed stack migrates too (`--from-stack`, through GetTemplate).
        let dir = ws.join(format!("from-stack-{stack}"));
        let _ = std::fs::remove_dir_all(&dir);
        with_moto(&[
            "migrate",
            "--from-stack",
            stack,
            "--output-dir",
            dir.to_str().unwrap(),
        ]);
        let main_rs = std::fs::read_to_string(dir.join("src/main.rs")).unwrap();
        for id in doc.resources.keys() {
            assert!(
                main_rs.contains(&format!(".override_logical_id({id:?})")),
                "{stack}: {id} is in the program migrated from the stack:\n{main_rs}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    let subs = moto.substitutions().expect("substitutions are readable");
    let own: Vec<String> = subs
        .iter()
        .filter(|s| s.stack.starts_with("seed-"))
        .map(|s| format!("{} {} ({:?})", s.stack, s.logical_id, s.what()))
        .collect();
    // moto implements every type of the seed's templates: nothing may be stood in for.
    assert!(own.is_empty(), "moto substituted: {own:?}");
}

#[test]
fn bad_templates_fail_naming_the_place_and_write_nothing() {
    let bad = root().join("tests/templates/bad");
    let dir = tempfile::tempdir().unwrap();
    for (file, expected) in [
        ("dangling-ref.yaml", "Ref to"),
        ("unknown-intrinsic.yaml", "unknown intrinsic function"),
        ("duplicate-ids.json", "duplicate key"),
        ("not-a-template.yaml", "not a CloudFormation template"),
    ] {
        let out_dir = dir.path().join(file);
        let out = cargo_rcdk(
            &[
                "migrate",
                "--from-path",
                bad.join(file).to_str().unwrap(),
                "--output-dir",
                out_dir.to_str().unwrap(),
            ],
            dir.path(),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file}: {}", transcript(&out));
        assert!(
            stderr.contains(expected) && stderr.contains(file),
            "{file}: {stderr}"
        );
        assert!(!out_dir.exists(), "{file}: nothing is written");
    }
}
