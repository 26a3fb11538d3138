//! Deterministic zips and the cargo-lambda build of a workspace package.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use rcdk_deploy::package::{
    zip_directory, zip_single_file, Arch, FileMode, LambdaBuild, PackageError,
};

fn workspace_manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml")
}

fn sources(dir: &Path) {
    fs::create_dir_all(dir.join("lib/nested")).unwrap();
    fs::create_dir_all(dir.join("empty")).unwrap();
    fs::write(
        dir.join("index.py"),
        "def handler(event, context):\n    return 1\n",
    )
    .unwrap();
    fs::write(dir.join("lib/a.txt"), "a".repeat(10_000)).unwrap();
    fs::write(dir.join("lib/nested/b.json"), "{}").unwrap();
    fs::write(dir.join("run.sh"), "#!/bin/sh\necho hi\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir.join("run.sh"), fs::Permissions::from_mode(0o700)).unwrap();
        fs::set_permissions(dir.join("index.py"), fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// (name, unix mode, contents) of every entry, in archive order.
fn entries(zip: &Path) -> Vec<(String, u32, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            assert_eq!(f.compression(), zip::CompressionMethod::Deflated);
            let t = f.last_modified().unwrap();
            assert_eq!(
                (t.year(), t.month(), t.day(), t.hour(), t.minute()),
                (1980, 1, 1, 0, 0)
            );
            (f.name().to_string(), f.unix_mode().unwrap() & 0o7777, bytes)
        })
        .collect()
}

#[test]
fn same_directory_twice_gives_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    sources(&src);
    let first = zip_directory(&src, &tmp.path().join("one.zip")).unwrap();
    let second = zip_directory(&src, &tmp.path().join("out/two.zip")).unwrap();
    assert_eq!(first.sha256, second.sha256);
    assert_eq!(
        fs::read(&first.path).unwrap(),
        fs::read(&second.path).unwrap()
    );
    assert_eq!(first.entries, 4);
    assert_eq!(first.unzipped_bytes, 10_000 + 2 + 42 + 18);
    assert_eq!(first.zipped_bytes, fs::metadata(&first.path).unwrap().len());

    let listed = entries(&first.path);
    let names: Vec<&str> = listed.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["index.py", "lib/a.txt", "lib/nested/b.json", "run.sh"]
    );
    let modes: Vec<u32> = listed.iter().map(|(_, m, _)| *m).collect();
    // Owner-only permissions on disk become the fixed 0644 / 0755.
    assert_eq!(modes, [0o644, 0o644, 0o644, 0o755]);
    assert_eq!(listed[1].2, "a".repeat(10_000).into_bytes());
}

#[test]
fn touched_modification_time_gives_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    sources(&src);
    let before = zip_directory(&src, &tmp.path().join("before.zip")).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(86_400 * 400);
    for f in ["index.py", "lib/a.txt", "run.sh"] {
        fs::File::options()
            .write(true)
            .open(src.join(f))
            .unwrap()
            .set_modified(later)
            .unwrap();
    }
    let after = zip_directory(&src, &tmp.path().join("after.zip")).unwrap();
    assert_eq!(before.sha256, after.sha256);

    // A changed byte does change the zip.
    fs::write(src.join("lib/nested/b.json"), "[]").unwrap();
    let changed = zip_directory(&src, &tmp.path().join("changed.zip")).unwrap();
    assert_ne!(before.sha256, changed.sha256);
}

#[test]
fn single_file_gets_its_name_and_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("my-function");
    fs::write(&bin, b"\x7fELF not really").unwrap();
    let out = tmp.path().join("fn.zip");
    let info = zip_single_file(&bin, "bootstrap", FileMode::Executable, &out).unwrap();
    assert_eq!(info.entries, 1);
    let again = zip_single_file(&bin, "bootstrap", FileMode::Executable, &out).unwrap();
    assert_eq!(info.sha256, again.sha256);
    assert_eq!(
        entries(&out),
        [(
            "bootstrap".to_string(),
            0o755,
            b"\x7fELF not really".to_vec()
        )]
    );
}

#[test]
fn missing_sources_are_errors_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.zip");
    let e = zip_directory(&tmp.path().join("nope"), &out).unwrap_err();
    assert!(matches!(e, PackageError::NotADirectory { .. }), "{e}");
    let e = zip_single_file(
        &tmp.path().join("nope"),
        "bootstrap",
        FileMode::Executable,
        &out,
    )
    .unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    assert!(!out.exists());
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn unknown_package_names_the_workspace_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let e = LambdaBuild::new(workspace_manifest(), "no-such-function")
        .cargo_lambda("/nonexistent/cargo-lambda")
        .build(tmp.path())
        .unwrap_err();
    match &e {
        PackageError::UnknownPackage { name, known, .. } => {
            assert_eq!(name, "no-such-function");
            assert!(known.contains("rcdk-deploy"), "{known}");
        }
        other => panic!("expected UnknownPackage, got {other}"),
    }
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn a_package_without_one_binary_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let e = LambdaBuild::new(workspace_manifest(), "rcdk-core")
        .cargo_lambda("/nonexistent/cargo-lambda")
        .build(tmp.path())
        .unwrap_err();
    assert!(matches!(e, PackageError::NotOneBinary { .. }), "{e}");
}

#[test]
fn missing_cargo_lambda_names_the_install() {
    let tmp = tempfile::tempdir().unwrap();
    let e = LambdaBuild::new(workspace_manifest(), "nightly-job-function")
        .cargo_lambda(tmp.path().join("cargo-lambda"))
        .build(tmp.path())
        .unwrap_err();
    assert!(matches!(e, PackageError::CargoLambdaMissing { .. }), "{e}");
    let message = e.to_string();
    assert!(
        message.contains("pip install cargo-lambda==1.9.2"),
        "{message}"
    );
    assert!(message.contains("tools/requirements.txt"), "{message}");
    let pinned =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/requirements.txt"))
            .unwrap();
    assert!(
        pinned.lines().any(|l| l == "cargo-lambda==1.9.2"),
        "the version named in the message is the pinned one"
    );
}

#[test]
fn arm64_needs_its_rust_target() {
    let tmp = tempfile::tempdir().unwrap();
    let sysroot = std::process::Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .unwrap();
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    let installed = sysroot
        .join("lib/rustlib/aarch64-unknown-linux-gnu/lib")
        .is_dir();
    let result = LambdaBuild::new(workspace_manifest(), "nightly-job-function")
        .arch(Arch::Arm64)
        .cargo_lambda(tmp.path().join("cargo-lambda"))
        .build(tmp.path());
    let e = result.unwrap_err();
    if installed {
        // Past the target check, the missing cargo-lambda is what stops it.
        assert!(matches!(e, PackageError::CargoLambdaMissing { .. }), "{e}");
    } else {
        assert!(matches!(e, PackageError::TargetNotInstalled { .. }), "{e}");
        assert!(
            e.to_string()
                .contains("rustup target add aarch64-unknown-linux-gnu"),
            "{e}"
        );
    }
}

/// The one slow test: cargo-lambda (installed by scripts/python-tools.sh into .tools/venv, as
/// scripts/test.sh does) builds the example function, with zig as the linker, into a zip whose
/// only entry is an executable `bootstrap`.
#[test]
fn cargo_lambda_builds_the_example_function() {
    let tmp = tempfile::tempdir().unwrap();
    let venv_tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/venv/bin/cargo-lambda");
    assert!(
        venv_tool.is_file(),
        "cargo-lambda is not in .tools/venv: run `bash scripts/python-tools.sh` (scripts/test.sh does)"
    );
    let started = std::time::Instant::now();
    let zip = LambdaBuild::new(workspace_manifest(), "nightly-job-function")
        .cargo_lambda(&venv_tool)
        .build(tmp.path())
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "cargo lambda build of nightly-job-function: {:.1}s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(zip, tmp.path().join("nightly-job-function-x86_64.zip"));
    let listed = entries(&zip);
    assert_eq!(listed.len(), 1);
    let (name, mode, bytes) = &listed[0];
    assert_eq!(name, "bootstrap");
    assert_eq!(*mode, 0o755);
    // An x86-64 ELF executable.
    assert_eq!(&bytes[..4], b"\x7fELF");
    assert_eq!(u16::from_le_bytes([bytes[18], bytes[19]]), 62);
    // Only the zip is left in the output directory.
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
}

/// Images on `scratch` have no libc: their binaries are linked against musl, whose Rust target
/// must be installed (checked before cargo-lambda is looked for).
#[test]
fn static_binaries_need_the_musl_target() {
    let tmp = tempfile::tempdir().unwrap();
    let sysroot = std::process::Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .unwrap();
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    let installed = sysroot
        .join("lib/rustlib/x86_64-unknown-linux-musl/lib")
        .is_dir();
    let e = LambdaBuild::new(workspace_manifest(), "nightly-job-function")
        .musl(true)
        .cargo_lambda(tmp.path().join("cargo-lambda"))
        .build_binary(None, tmp.path())
        .unwrap_err();
    if installed {
        assert!(matches!(e, PackageError::CargoLambdaMissing { .. }), "{e}");
    } else {
        assert!(
            e.to_string()
                .contains("rustup target add x86_64-unknown-linux-musl"),
            "{e}"
        );
    }
    // A library package cannot become an image; a wrong --bin names the right ones.
    let e = LambdaBuild::new(workspace_manifest(), "rcdk-core")
        .build_binary(None, tmp.path())
        .unwrap_err();
    assert!(matches!(e, PackageError::NoBinaryTarget { .. }), "{e}");
    let e = LambdaBuild::new(workspace_manifest(), "user-service")
        .build_binary(Some("nope"), tmp.path())
        .unwrap_err();
    assert!(
        e.to_string().contains("its binaries are: user-service"),
        "{e}"
    );
}
