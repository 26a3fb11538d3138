//! Packaging code for AWS Lambda without the AWS SDK: deterministic zips, and the build of a
//! Rust function of the user's workspace into a `bootstrap` for `provided.al2023` with the
//! pinned cargo-lambda (`tools/requirements.txt`).
//!
//! A zip made here depends only on the files' relative paths, bytes and executable bits:
//! entries are sorted by their `/`-separated path, every timestamp is 1980-01-01 00:00:00 (the
//! earliest a zip can hold), permissions are 0644, or 0755 for files with an executable bit,
//! and entries are deflated. The same sources give the same bytes on every machine and every
//! run, so the uploaded object (named by a content hash) changes only when the code does.
//!
//! ```no_run
//! use rcdk_deploy::package::{zip_directory, Arch, LambdaBuild};
//! # fn main() -> Result<(), rcdk_deploy::package::PackageError> {
//! let info = zip_directory("site".as_ref(), "out/site.zip".as_ref())?;
//! println!("{} entries, sha256 {}", info.entries, info.sha256);
//! let zip = LambdaBuild::new("Cargo.toml", "nightly-job-function")
//!     .arch(Arch::Arm64)
//!     .build("out".as_ref())?;
//! # let _ = zip; Ok(()) }
//! ```

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Lambda's limit on a zip uploaded through S3 (the AWS documentation gives 50 MB for a direct
/// upload; larger zips are accepted from S3 only up to the unzipped limit, but staying under 50
/// MB keeps every deployment path open).
pub const MAX_ZIPPED_BYTES: u64 = 50 * 1024 * 1024;
/// Lambda's limit on a function's unzipped deployment package.
pub const MAX_UNZIPPED_BYTES: u64 = 250 * 1024 * 1024;

/// The deflate level of every zip made here.
const DEFLATE_LEVEL: i64 = 3;

/// The cargo-lambda version pinned in `tools/requirements.txt`, named in install hints.
pub const CARGO_LAMBDA_VERSION: &str = "1.9.2";

/// Why packaging failed. Nothing is left at the output path when an error is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackageError {
    /// Reading the sources or writing the zip failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done (`reading`, `writing`, ...).
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The directory to zip does not exist or is not a directory.
    #[error("{path} is not a directory: give the directory whose contents go into the zip")]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// A path inside the directory that a zip cannot name portably.
    #[error("{path}: file names in a Lambda zip must be UTF-8; rename the file")]
    NonUtf8Path {
        /// The path.
        path: PathBuf,
    },
    /// The zip library refused an entry.
    #[error("writing zip {path}: {message}")]
    Zip {
        /// The zip being written.
        path: PathBuf,
        /// The library's message.
        message: String,
    },
    /// cargo-lambda is not installed where it was looked for.
    #[error(
        "cargo-lambda was not found (looked in {looked}); install the pinned version: \
         `bash scripts/python-tools.sh` in the rcdk repository (tools/requirements.txt), or \
         `pip install cargo-lambda=={version}` (its `ziglang` dependency brings the zig linker)"
    )]
    CargoLambdaMissing {
        /// Where it was looked for.
        looked: String,
        /// The pinned version.
        version: &'static str,
    },
    /// `cargo metadata` (to find the package) failed.
    #[error("cargo metadata --manifest-path {manifest} failed: {message}")]
    Metadata {
        /// The workspace manifest.
        manifest: PathBuf,
        /// What cargo said.
        message: String,
    },
    /// No workspace member has this name.
    #[error("there is no package `{name}` in the workspace {manifest}; its packages are: {known}")]
    UnknownPackage {
        /// The name asked for.
        name: String,
        /// The workspace manifest.
        manifest: PathBuf,
        /// The workspace's packages.
        known: String,
    },
    /// The package does not have exactly one binary target to become `bootstrap`.
    #[error("package `{name}` has {count} binary targets ({bins}); a Lambda function package needs exactly one (src/main.rs)")]
    NotOneBinary {
        /// The package.
        name: String,
        /// How many binaries it has.
        count: usize,
        /// Their names.
        bins: String,
    },
    /// The Rust standard library for the target is not installed.
    #[error("building for {arch} needs the Rust target {target}, which is not installed: run `rustup target add {target}`")]
    TargetNotInstalled {
        /// The Lambda architecture asked for.
        arch: Arch,
        /// The Rust target triple.
        target: &'static str,
    },
    /// cargo-lambda ran and failed.
    #[error("cargo lambda build of package `{package}` failed ({status}):\n{output}")]
    BuildFailed {
        /// The package.
        package: String,
        /// The exit status.
        status: String,
        /// The end of its output.
        output: String,
    },
    /// The build finished but left no `bootstrap`.
    #[error("cargo lambda build of package `{package}` left no bootstrap at {path}")]
    NoBootstrap {
        /// The package.
        package: String,
        /// Where it was expected.
        path: PathBuf,
    },
    /// `--bin` names a binary target the package does not have.
    #[error("package `{package}` has no binary target `{bin}`; its binaries are: {bins}")]
    UnknownBinary {
        /// The package.
        package: String,
        /// The binary asked for.
        bin: String,
        /// The binaries it has.
        bins: String,
    },
    /// The package has several binaries and none was chosen.
    #[error("package `{package}` has several binary targets ({bins}); choose the one for the image (`.bin(NAME)`, `--bin NAME`)")]
    AmbiguousBinary {
        /// The package.
        package: String,
        /// Its binaries.
        bins: String,
    },
    /// The package has no binary target at all.
    #[error("package `{package}` has no binary target (src/main.rs or [[bin]]): a library cannot become an image")]
    NoBinaryTarget {
        /// The package.
        package: String,
    },
    /// The package is over one of Lambda's size limits.
    #[error("the Lambda package of `{package}` is {size} bytes {what}, over Lambda's limit of {limit} bytes; make the binary smaller (fewer dependencies or features, `strip = true`, `opt-level = \"z\"` in the release profile) or ship a container image")]
    TooLarge {
        /// The package.
        package: String,
        /// `zipped` or `unzipped`.
        what: &'static str,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

/// `Result` of this module.
pub type Result<T, E = PackageError> = std::result::Result<T, E>;

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> PackageError + 'a {
    move |source| PackageError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// The permissions an entry gets in the zip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    /// 0644.
    Regular,
    /// 0755: binaries and scripts (a Lambda `bootstrap` must be executable).
    Executable,
}

impl FileMode {
    fn unix(self) -> u32 {
        match self {
            FileMode::Regular => 0o644,
            FileMode::Executable => 0o755,
        }
    }

    #[cfg(unix)]
    fn of(metadata: &fs::Metadata) -> FileMode {
        use std::os::unix::fs::PermissionsExt;
        if metadata.permissions().mode() & 0o111 != 0 {
            FileMode::Executable
        } else {
            FileMode::Regular
        }
    }

    #[cfg(not(unix))]
    fn of(_metadata: &fs::Metadata) -> FileMode {
        FileMode::Regular
    }
}

/// What a zip written here holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipInfo {
    /// Where it was written.
    pub path: PathBuf,
    /// SHA-256 of the zip's bytes, lowercase hex.
    pub sha256: String,
    /// Its size in bytes.
    pub zipped_bytes: u64,
    /// The sum of the entries' sizes.
    pub unzipped_bytes: u64,
    /// How many files it holds.
    pub entries: usize,
}

/// One file to put into a zip.
struct Entry {
    name: String,
    source: PathBuf,
    mode: FileMode,
}

/// Zips the files under `dir` (symbolic links followed; empty directories are not kept) into
/// `out`, deterministically (see the module documentation). `out` is replaced atomically.
pub fn zip_directory(dir: &Path, out: &Path) -> Result<ZipInfo> {
    if !dir.is_dir() {
        return Err(PackageError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    let mut entries = Vec::new();
    collect(dir, "", &mut entries)?;
    // Sorting by the name as bytes: the order cannot depend on the file system or locale.
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    write_zip(&entries, out)
}

/// Zips the one file `src` as `name_in_zip` with permissions `mode` into `out`,
/// deterministically. A Lambda `bootstrap` is `zip_single_file(binary, "bootstrap",
/// FileMode::Executable, out)`.
pub fn zip_single_file(
    src: &Path,
    name_in_zip: &str,
    mode: FileMode,
    out: &Path,
) -> Result<ZipInfo> {
    fs::metadata(src).map_err(io_err("reading", src))?;
    write_zip(
        &[Entry {
            name: name_in_zip.to_string(),
            source: src.to_path_buf(),
            mode,
        }],
        out,
    )
}

fn collect(dir: &Path, prefix: &str, entries: &mut Vec<Entry>) -> Result<()> {
    for item in fs::read_dir(dir).map_err(io_err("reading directory", dir))? {
        let item = item.map_err(io_err("reading directory", dir))?;
        let path = item.path();
        let file_name = item
            .file_name()
            .into_string()
            .map_err(|_| PackageError::NonUtf8Path { path: path.clone() })?;
        let name = format!("{prefix}{file_name}");
        // `metadata` follows symbolic links: a link is zipped as what it points to.
        let metadata = fs::metadata(&path).map_err(io_err("reading", &path))?;
        if metadata.is_dir() {
            collect(&path, &format!("{name}/"), entries)?;
        } else {
            entries.push(Entry {
                name,
                mode: FileMode::of(&metadata),
                source: path,
            });
        }
    }
    Ok(())
}

fn write_zip(entries: &[Entry], out: &Path) -> Result<ZipInfo> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io_err("creating directory", &parent))?;
    let file_name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "package.zip".into());
    // Written beside the target and renamed: a failure never leaves a half-written zip there.
    let tmp = parent.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = write_zip_to(entries, &tmp, out);
    match result {
        Ok(mut info) => {
            fs::rename(&tmp, out).map_err(io_err("renaming", &tmp))?;
            info.path = out.to_path_buf();
            Ok(info)
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn write_zip_to(entries: &[Entry], tmp: &Path, out: &Path) -> Result<ZipInfo> {
    let zip_err = |e: zip::result::ZipError| PackageError::Zip {
        path: out.to_path_buf(),
        message: e.to_string(),
    };
    let file = File::create(tmp).map_err(io_err("writing", tmp))?;
    let mut zip = ZipWriter::new(BufWriter::with_capacity(1 << 20, file));
    let mut unzipped_bytes = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    for entry in entries {
        let size = fs::metadata(&entry.source)
            .map_err(io_err("reading", &entry.source))?
            .len();
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            // Level 3: within 1% of the default level 6's size on mixed sources at about 60% of
            // its CPU time (100 MB: 1.3 s against 2.1 s); the level is part of the bytes, so it
            // is fixed.
            .compression_level(Some(DEFLATE_LEVEL))
            .last_modified_time(DateTime::default())
            .unix_permissions(entry.mode.unix())
            // Zip64 only where needed, decided by size, so the bytes stay a function of the input.
            .large_file(size >= u64::from(u32::MAX));
        zip.start_file(entry.name.as_str(), options)
            .map_err(zip_err)?;
        let mut src = File::open(&entry.source).map_err(io_err("reading", &entry.source))?;
        loop {
            let n = src
                .read(&mut buf)
                .map_err(io_err("reading", &entry.source))?;
            if n == 0 {
                break;
            }
            zip.write_all(&buf[..n]).map_err(io_err("writing", out))?;
            unzipped_bytes += n as u64;
        }
    }
    let mut writer = zip.finish().map_err(zip_err)?;
    writer.flush().map_err(io_err("writing", out))?;
    drop(writer);
    let (sha256, zipped_bytes) = sha256_file(tmp)?;
    Ok(ZipInfo {
        path: out.to_path_buf(),
        sha256,
        zipped_bytes,
        unzipped_bytes,
        entries: entries.len(),
    })
}

fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut file = File::open(path).map_err(io_err("reading", path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(io_err("reading", path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    Ok((hex, total))
}

/// The instruction set a Lambda function runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Arch {
    /// `x86_64` (Lambda's default).
    #[default]
    X86_64,
    /// `arm64` (Graviton).
    Arm64,
}

impl Arch {
    /// Lambda's name for it (`x86_64`, `arm64`), also what `--arch` takes.
    pub fn lambda_name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        }
    }

    /// The Rust target the `bootstrap` is built for (glibc: provided.al2023 is Amazon Linux
    /// 2023, and zig links against an old enough glibc).
    pub fn rust_target(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-unknown-linux-gnu",
            Arch::Arm64 => "aarch64-unknown-linux-gnu",
        }
    }

    /// The static (musl) Rust target: binaries for `scratch` images, which have no libc.
    pub fn musl_target(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-unknown-linux-musl",
            Arch::Arm64 => "aarch64-unknown-linux-musl",
        }
    }

    /// The OCI name of the architecture (`amd64`, `arm64`), as image platforms spell it.
    pub fn oci_name(self) -> &'static str {
        match self {
            Arch::X86_64 => "amd64",
            Arch::Arm64 => "arm64",
        }
    }
}

impl std::fmt::Display for Arch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.lambda_name())
    }
}

impl std::str::FromStr for Arch {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Arch, String> {
        match s {
            "x86_64" | "x86-64" | "amd64" => Ok(Arch::X86_64),
            "arm64" | "aarch64" => Ok(Arch::Arm64),
            other => Err(format!(
                "unknown architecture `{other}`: use x86_64 or arm64"
            )),
        }
    }
}

/// Builds one package of a Cargo workspace into a Lambda zip holding `bootstrap`: the settings
/// of [`build_lambda_package`], with the places tools are looked for made explicit.
#[derive(Debug, Clone)]
pub struct LambdaBuild {
    manifest: PathBuf,
    package: String,
    arch: Arch,
    cargo_lambda: Option<PathBuf>,
    search_path: Option<OsString>,
    musl: bool,
}

impl LambdaBuild {
    /// Package `package` of the workspace whose `Cargo.toml` is `workspace_manifest`, for
    /// x86_64.
    pub fn new(workspace_manifest: impl Into<PathBuf>, package: &str) -> LambdaBuild {
        LambdaBuild {
            manifest: workspace_manifest.into(),
            package: package.to_string(),
            arch: Arch::X86_64,
            cargo_lambda: None,
            search_path: None,
            musl: false,
        }
    }

    /// Links statically against musl instead of glibc (for images without a libc, `scratch`).
    pub fn musl(mut self, musl: bool) -> LambdaBuild {
        self.musl = musl;
        self
    }

    fn target(&self) -> &'static str {
        if self.musl {
            self.arch.musl_target()
        } else {
            self.arch.rust_target()
        }
    }

    /// The architecture to build for.
    pub fn arch(mut self, arch: Arch) -> LambdaBuild {
        self.arch = arch;
        self
    }

    /// Runs this `cargo-lambda` executable instead of looking for one.
    pub fn cargo_lambda(mut self, path: impl Into<PathBuf>) -> LambdaBuild {
        self.cargo_lambda = Some(path.into());
        self
    }

    /// Looks for `cargo-lambda` on this `PATH`-style list instead of the process's `PATH`.
    pub fn search_path(mut self, path: impl Into<OsString>) -> LambdaBuild {
        self.search_path = Some(path.into());
        self
    }

    /// Where cargo-lambda is: the explicit one, then `.tools/venv/bin` of the workspace (where
    /// `scripts/python-tools.sh` installs the pinned version), then `PATH`.
    fn find_cargo_lambda(&self, workspace_root: &Path) -> Result<PathBuf> {
        if let Some(explicit) = &self.cargo_lambda {
            if explicit.is_file() {
                return Ok(explicit.clone());
            }
            return Err(PackageError::CargoLambdaMissing {
                looked: explicit.display().to_string(),
                version: CARGO_LAMBDA_VERSION,
            });
        }
        let venv = workspace_root.join(".tools/venv/bin");
        let path = self
            .search_path
            .clone()
            .or_else(|| std::env::var_os("PATH"))
            .unwrap_or_default();
        let mut dirs = vec![venv];
        dirs.extend(std::env::split_paths(&path));
        for dir in &dirs {
            let candidate = dir.join("cargo-lambda");
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
        Err(PackageError::CargoLambdaMissing {
            looked: dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            version: CARGO_LAMBDA_VERSION,
        })
    }

    /// `cargo metadata` of the package's workspace and the workspace's root directory.
    fn workspace(&self) -> Result<(serde_json::Value, PathBuf)> {
        let metadata = cargo_metadata(&self.manifest)?;
        let root = metadata
            .get("workspace_root")
            .and_then(|v| v.as_str())
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                self.manifest
                    .parent()
                    .unwrap_or(Path::new("."))
                    .to_path_buf()
            });
        Ok((metadata, root))
    }

    /// Builds the package with `cargo lambda build --release` for the architecture's target
    /// and zips its binary as `bootstrap` (0755) into `out_dir/<package>-<arch>.zip`; returns
    /// that path. Checked before building: the package exists in the workspace and has one
    /// binary, the Rust target is installed, cargo-lambda is there. Checked after: Lambda's
    /// size limits (the zip is removed when over).
    pub fn build(&self, out_dir: &Path) -> Result<PathBuf> {
        let (metadata, root) = self.workspace()?;
        let bin = package_binary(&metadata, &self.package, &self.manifest)?;
        check_target_installed(self.arch, self.target())?;
        let cargo_lambda = self.find_cargo_lambda(&root)?;

        fs::create_dir_all(out_dir).map_err(io_err("creating directory", out_dir))?;
        let lambda_dir = out_dir.join(format!(".lambda-build-{}", std::process::id()));
        let result = self
            .run_cargo_lambda(&cargo_lambda, &bin, &lambda_dir)
            .and_then(|bootstrap| self.zip_bootstrap(&bootstrap, out_dir));
        let _ = fs::remove_dir_all(&lambda_dir);
        result
    }

    /// Builds the release binary `bin` of the package (its only binary when `None`) with
    /// cargo-lambda for the architecture (glibc through zig, or musl with [`LambdaBuild::musl`])
    /// and moves it to `out_dir/<bin>`; returns that path and the binary's name. The checks
    /// of [`LambdaBuild::build`] come first; Lambda's size limits do not apply.
    pub fn build_binary(&self, bin: Option<&str>, out_dir: &Path) -> Result<(PathBuf, String)> {
        let (metadata, root) = self.workspace()?;
        let bin = choose_binary(&metadata, &self.package, &self.manifest, bin)?;
        check_target_installed(self.arch, self.target())?;
        let cargo_lambda = self.find_cargo_lambda(&root)?;
        fs::create_dir_all(out_dir).map_err(io_err("creating directory", out_dir))?;
        let lambda_dir = out_dir.join(format!(".image-build-{}", std::process::id()));
        let result = self
            .run_cargo_lambda(&cargo_lambda, &bin, &lambda_dir)
            .and_then(|built| {
                let out = out_dir.join(&bin);
                fs::rename(&built, &out).map_err(io_err("moving", &built))?;
                Ok(out)
            });
        let _ = fs::remove_dir_all(&lambda_dir);
        result.map(|path| (path, bin))
    }

    /// Runs `cargo lambda build`; returns the path of the binary it left (named `bootstrap`).
    fn run_cargo_lambda(
        &self,
        cargo_lambda: &Path,
        bin: &str,
        lambda_dir: &Path,
    ) -> Result<PathBuf> {
        let mut command = Command::new(cargo_lambda);
        command
            .arg("lambda")
            .arg("build")
            .arg("--release")
            .arg("--manifest-path")
            .arg(&self.manifest)
            .arg("--package")
            .arg(&self.package)
            .arg("--bin")
            .arg(bin)
            .arg("--target")
            .arg(self.target())
            .arg("--output-format")
            .arg("binary")
            .arg("--lambda-dir")
            .arg(lambda_dir)
            .arg("--flatten")
            .arg(bin);
        // cargo-lambda finds zig through the Python beside it (the `ziglang` package).
        if let Some(dir) = cargo_lambda.parent() {
            let mut paths = vec![dir.to_path_buf()];
            paths.extend(std::env::split_paths(
                &std::env::var_os("PATH").unwrap_or_default(),
            ));
            if let Ok(joined) = std::env::join_paths(paths) {
                command.env("PATH", joined);
            }
        }
        // cargo-lambda moves the binary out of the shared target directory: two builds of the
        // same package at once (two apps of a workspace deployed in parallel, both using it)
        // can both find it up to date, and the later one then finds nothing to move. One build
        // of a package and target at a time, across processes.
        let _lock = BuildLock::acquire(&format!(
            "{}|{}|{}",
            self.manifest.display(),
            self.package,
            self.target()
        ));
        let output = command.output().map_err(io_err("running", cargo_lambda))?;
        if !output.status.success() {
            let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
            text.push_str(&String::from_utf8_lossy(&output.stdout));
            return Err(PackageError::BuildFailed {
                package: self.package.clone(),
                status: output.status.to_string(),
                output: tail(&text, 40),
            });
        }
        let bootstrap = lambda_dir.join("bootstrap");
        if fs::metadata(&bootstrap).is_err() {
            return Err(PackageError::NoBootstrap {
                package: self.package.clone(),
                path: bootstrap,
            });
        }
        Ok(bootstrap)
    }

    /// Zips a built `bootstrap` into `out_dir/<package>-<arch>.zip` within Lambda's limits.
    fn zip_bootstrap(&self, bootstrap: &Path, out_dir: &Path) -> Result<PathBuf> {
        let unzipped = fs::metadata(bootstrap)
            .map_err(io_err("reading", bootstrap))?
            .len();
        check_limits(&self.package, unzipped, 0)?;
        let out = out_dir.join(format!("{}-{}.zip", self.package, self.arch));
        let info = zip_single_file(bootstrap, "bootstrap", FileMode::Executable, &out)?;
        if let Err(e) = check_limits(&self.package, info.unzipped_bytes, info.zipped_bytes) {
            let _ = fs::remove_file(&out);
            return Err(e);
        }
        Ok(out)
    }
}

/// A lock directory older than this was left by a build that was killed: it is taken over.
const STALE_BUILD_LOCK: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// A lock shared by the processes of this machine, held while alive: a directory in the
/// temporary directory (creating a directory is atomic), removed on drop. Without a usable
/// temporary directory the build runs unlocked, as it did before.
struct BuildLock {
    path: Option<PathBuf>,
}

impl BuildLock {
    fn acquire(key: &str) -> BuildLock {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        key.hash(&mut hasher);
        let path =
            std::env::temp_dir().join(format!("rcdk-lambda-build-{:016x}.lock", hasher.finish()));
        loop {
            match fs::create_dir(&path) {
                Ok(()) => return BuildLock { path: Some(path) },
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > STALE_BUILD_LOCK);
                    if stale {
                        let _ = fs::remove_dir(&path);
                    } else {
                        std::thread::sleep(std::time::Duration::from_millis(200));
                    }
                }
                Err(_) => return BuildLock { path: None },
            }
        }
    }
}

impl Drop for BuildLock {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = fs::remove_dir(path);
        }
    }
}

/// Builds `package` of the workspace `workspace_manifest` for `arch` with the pinned
/// cargo-lambda into `out_dir/<package>-<arch>.zip` holding `bootstrap`: see
/// [`LambdaBuild::build`].
pub fn build_lambda_package(
    workspace_manifest: &Path,
    package: &str,
    arch: Arch,
    out_dir: &Path,
) -> Result<PathBuf> {
    LambdaBuild::new(workspace_manifest, package)
        .arch(arch)
        .build(out_dir)
}

/// Refuses sizes over Lambda's limits (`zipped` 0: not zipped yet).
pub fn check_limits(package: &str, unzipped: u64, zipped: u64) -> Result<()> {
    if unzipped > MAX_UNZIPPED_BYTES {
        return Err(PackageError::TooLarge {
            package: package.to_string(),
            what: "unzipped",
            size: unzipped,
            limit: MAX_UNZIPPED_BYTES,
        });
    }
    if zipped > MAX_ZIPPED_BYTES {
        return Err(PackageError::TooLarge {
            package: package.to_string(),
            what: "zipped",
            size: zipped,
            limit: MAX_ZIPPED_BYTES,
        });
    }
    Ok(())
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn cargo_metadata(manifest: &Path) -> Result<serde_json::Value> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .map_err(|e| PackageError::Metadata {
            manifest: manifest.to_path_buf(),
            message: format!("cannot run {}: {e}", cargo.to_string_lossy()),
        })?;
    if !output.status.success() {
        return Err(PackageError::Metadata {
            manifest: manifest.to_path_buf(),
            message: tail(&String::from_utf8_lossy(&output.stderr), 10),
        });
    }
    serde_json::from_slice(&output.stdout).map_err(|e| PackageError::Metadata {
        manifest: manifest.to_path_buf(),
        message: e.to_string(),
    })
}

/// The single binary target of `name` in the workspace metadata.
fn package_binary(metadata: &serde_json::Value, name: &str, manifest: &Path) -> Result<String> {
    let bins = package_binaries(metadata, name, manifest)?;
    match bins.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(PackageError::NotOneBinary {
            name: name.to_string(),
            count: bins.len(),
            bins: if bins.is_empty() {
                "none".into()
            } else {
                bins.join(", ")
            },
        }),
    }
}

/// The binary target `wanted` of package `name`, or its only binary when `wanted` is `None`.
fn choose_binary(
    metadata: &serde_json::Value,
    name: &str,
    manifest: &Path,
    wanted: Option<&str>,
) -> Result<String> {
    let bins = package_binaries(metadata, name, manifest)?;
    match (wanted, bins.as_slice()) {
        (_, []) => Err(PackageError::NoBinaryTarget {
            package: name.to_string(),
        }),
        (Some(bin), _) if bins.iter().any(|b| b == bin) => Ok(bin.to_string()),
        (Some(bin), _) => Err(PackageError::UnknownBinary {
            package: name.to_string(),
            bin: bin.to_string(),
            bins: bins.join(", "),
        }),
        (None, [one]) => Ok(one.clone()),
        (None, _) => Err(PackageError::AmbiguousBinary {
            package: name.to_string(),
            bins: bins.join(", "),
        }),
    }
}

/// The binary targets of package `name` in the workspace metadata.
fn package_binaries(
    metadata: &serde_json::Value,
    name: &str,
    manifest: &Path,
) -> Result<Vec<String>> {
    let packages = metadata
        .get("packages")
        .and_then(|p| p.as_array())
        .cloned()
        .unwrap_or_default();
    let Some(package) = packages
        .iter()
        .find(|p| p.get("name").and_then(|n| n.as_str()) == Some(name))
    else {
        let mut known: Vec<&str> = packages
            .iter()
            .filter_map(|p| p.get("name").and_then(|n| n.as_str()))
            .collect();
        known.sort_unstable();
        return Err(PackageError::UnknownPackage {
            name: name.to_string(),
            manifest: manifest.to_path_buf(),
            known: known.join(", "),
        });
    };
    let bins: Vec<String> = package
        .get("targets")
        .and_then(|t| t.as_array())
        .map(|targets| {
            targets
                .iter()
                .filter(|t| {
                    t.get("kind")
                        .and_then(|k| k.as_array())
                        .is_some_and(|k| k.iter().any(|k| k.as_str() == Some("bin")))
                })
                .filter_map(|t| t.get("name").and_then(|n| n.as_str()))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(bins)
}

/// The target's standard library is in the sysroot when it is installed (`rustup target add`
/// puts it there).
fn check_target_installed(arch: Arch, target: &'static str) -> Result<()> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let installed =
        sysroot.is_some_and(|root| root.join("lib/rustlib").join(target).join("lib").is_dir());
    if installed {
        Ok(())
    } else {
        Err(PackageError::TargetNotInstalled { arch, target })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_locks_are_taken_one_at_a_time_per_key_and_released_on_drop() {
        let key = format!("test-{}", std::process::id());
        let first = BuildLock::acquire(&key);
        let path = first.path.clone().expect("a temporary directory");
        assert!(path.is_dir());
        let waiter = std::thread::spawn({
            let key = key.clone();
            move || {
                let started = std::time::Instant::now();
                let _second = BuildLock::acquire(&key);
                started.elapsed()
            }
        });
        std::thread::sleep(std::time::Duration::from_millis(600));
        drop(first);
        let waited = waiter.join().unwrap();
        assert!(
            waited >= std::time::Duration::from_millis(500),
            "{waited:?}"
        );
        assert!(!path.exists());
        // Another key is not held up.
        let other = BuildLock::acquire(&format!("{key}-other"));
        assert!(other.path.is_some());
    }

    #[test]
    fn arch_names_round_trip() {
        for arch in [Arch::X86_64, Arch::Arm64] {
            assert_eq!(arch.lambda_name().parse::<Arch>(), Ok(arch));
        }
        assert!("sparc".parse::<Arch>().is_err());
    }

    #[test]
    fn limits_are_lambdas() {
        assert!(check_limits("f", MAX_UNZIPPED_BYTES, MAX_ZIPPED_BYTES).is_ok());
        let e = check_limits("f", MAX_UNZIPPED_BYTES + 1, 0).unwrap_err();
        assert!(e.to_string().contains("unzipped"), "{e}");
        let e = check_limits("f", 1, MAX_ZIPPED_BYTES + 1).unwrap_err();
        assert!(e.to_string().contains("zipped"), "{e}");
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
    }
}
