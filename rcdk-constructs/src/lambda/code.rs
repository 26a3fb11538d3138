//! Where a function's code comes from: a directory or zip of the user's ([`Code::from_asset`]),
//! a Rust package of the user's workspace built with cargo-lambda ([`Code::cargo_package`]), a
//! small Python / Node.js handler written into the template ([`Code::inline`]), or a container
//! image built from the app's sources ([`Code::from_image`]).

use std::path::{Path, PathBuf};

use rcdk_core::asset::FileAsset;
use rcdk_core::image::{default_base_image, ImageRecipe, LAMBDA_BASE_IMAGE};
use sha2::{Digest, Sha256};

use crate::error::ConstructError;

/// CloudFormation's limit on inline code (`Code.ZipFile`): the zip it makes of it must stay
/// under 4 MB; the source is counted, which is never smaller than its zip.
pub const INLINE_CODE_LIMIT: usize = 4 * 1024 * 1024;

/// The executable the asset of [`Code::cargo_package`] runs at publish time (the `cargo-rcdk`
/// subcommand's binary, which builds the package and prints the zip's path).
pub const PACKAGE_COMMAND: &str = "cargo-rcdk";

/// The instruction set a function runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Architecture {
    /// x86_64 (Lambda's default).
    #[default]
    X86_64,
    /// arm64 (Graviton: cheaper per GB-second).
    Arm64,
}

impl Architecture {
    /// Lambda's name (`x86_64`, `arm64`).
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

/// A function's code. See the module documentation for the three kinds.
#[derive(Debug, Clone)]
pub struct Code {
    pub(crate) kind: CodeKind,
}

#[derive(Debug, Clone)]
pub(crate) enum CodeKind {
    Asset(FileAsset),
    Cargo(CargoPackage),
    Inline(String),
    Image(ImageRecipe),
}

/// A package of the user's Cargo workspace, found with `cargo metadata`.
#[derive(Debug, Clone)]
pub(crate) struct CargoPackage {
    pub(crate) name: String,
    pub(crate) workspace_manifest: PathBuf,
    /// The package as `cargo metadata` describes it: its inputs decide the hash.
    package: rcdk_core::cargo::CargoPackage,
}

impl Code {
    /// A directory (zipped deterministically when published) or a `.zip` file of the user's,
    /// as a file asset uploaded to the staging bucket. The function needs
    /// [`runtime`](super::FunctionBuilder::runtime) and
    /// [`handler`](super::FunctionBuilder::handler).
    pub fn from_asset(path: impl AsRef<Path>) -> Result<Code, ConstructError> {
        let path = path.as_ref();
        if path.is_file() && path.extension().and_then(|e| e.to_str()) != Some("zip") {
            return Err(ConstructError::InvalidCode {
                problem: format!(
                    "{} is a file but not a .zip; give the directory that holds it (it is zipped \
                     when published) or a .zip",
                    path.display()
                ),
            });
        }
        let asset = FileAsset::from_path(path).map_err(|e| ConstructError::InvalidCode {
            problem: e.to_string(),
        })?;
        Ok(Code {
            kind: CodeKind::Asset(asset),
        })
    }

    /// The Rust package `name` of the Cargo workspace this program is built in (found with
    /// `cargo metadata` from `CARGO_MANIFEST_DIR`, or the current directory), built at publish
    /// time by `cargo-rcdk package-lambda` with the pinned cargo-lambda into a `bootstrap` for
    /// `provided.al2023` (handler `bootstrap`). Its asset hash covers the package's sources
    /// and those of its path dependencies, `Cargo.lock`, the workspace `Cargo.toml` and the
    /// architecture, so an unchanged function is not rebuilt or uploaded again.
    pub fn cargo_package(name: &str) -> Result<Code, ConstructError> {
        let start = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."));
        Code::cargo_package_in(&start, name)
    }

    /// As [`Code::cargo_package`], for the workspace that holds directory `dir`.
    pub fn cargo_package_in(dir: &Path, name: &str) -> Result<Code, ConstructError> {
        let package = CargoPackage::find(dir, name)?;
        Ok(Code {
            kind: CodeKind::Cargo(package),
        })
    }

    /// A container image (`PackageType: Image`) made at publish time and pushed to the
    /// environment's container-assets repository: a Cargo package
    /// (`rcdk_core::image::CargoImage`, built for the function's architecture, on
    /// [`LAMBDA_BASE_IMAGE`] unless another base is given), a Dockerfile directory or an image
    /// archive. The image's entrypoint is the handler: the function has no runtime or handler.
    pub fn from_image(image: impl Into<ImageRecipe>) -> Code {
        let recipe = match image.into() {
            ImageRecipe::Cargo(cargo) if cargo.base_reference() == default_base_image() => {
                ImageRecipe::Cargo(cargo.base(LAMBDA_BASE_IMAGE))
            }
            other => other,
        };
        Code {
            kind: CodeKind::Image(recipe),
        }
    }

    /// Python or Node.js source written into the template (`Code.ZipFile`; CloudFormation
    /// stores it as `index.py` / `index.js`, so the handler is `index.<function>`). At most
    /// [`INLINE_CODE_LIMIT`] bytes.
    pub fn inline(source: &str) -> Result<Code, ConstructError> {
        if source.trim().is_empty() {
            return Err(ConstructError::InvalidCode {
                problem: "inline code is empty; give the handler's source".into(),
            });
        }
        if source.len() > INLINE_CODE_LIMIT {
            return Err(ConstructError::InvalidCode {
                problem: format!(
                    "inline code is {} bytes, over CloudFormation's limit of {INLINE_CODE_LIMIT}; \
                     use Code::from_asset with a directory instead",
                    source.len()
                ),
            });
        }
        Ok(Code {
            kind: CodeKind::Inline(source.to_string()),
        })
    }
}

impl CargoPackage {
    fn find(dir: &Path, name: &str) -> Result<CargoPackage, ConstructError> {
        let package = rcdk_core::cargo::CargoPackage::find_in(dir, name)
            .map_err(|e| ConstructError::InvalidCode { problem: e.0 })?;
        Ok(CargoPackage {
            name: name.to_string(),
            workspace_manifest: package.workspace_manifest(),
            package,
        })
    }

    /// SHA-256 over a tag, the package name, the architecture and each input (relative path,
    /// length, bytes).
    pub(crate) fn hash(&self, arch: Architecture) -> Result<String, ConstructError> {
        let mut h = Sha256::new();
        h.update(b"rcdk-cargo-lambda-v1\0");
        h.update(self.name.as_bytes());
        h.update([0]);
        h.update(arch.as_str().as_bytes());
        h.update([0]);
        self.package
            .hash_inputs(&mut h)
            .map_err(|e| ConstructError::InvalidCode { problem: e.0 })?;
        Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The file asset whose publish-time command builds the package for `arch`.
    pub(crate) fn asset(&self, arch: Architecture) -> Result<FileAsset, ConstructError> {
        let hash = self.hash(arch)?;
        let command = vec![
            PACKAGE_COMMAND.to_string(),
            "package-lambda".to_string(),
            "--manifest-path".to_string(),
            self.workspace_manifest.to_string_lossy().into_owned(),
            "--package".to_string(),
            self.name.clone(),
            "--arch".to_string(),
            arch.as_str().to_string(),
            // Relative to the assembly directory, where the command runs.
            "--out-dir".to_string(),
            format!("asset.{hash}"),
        ];
        FileAsset::from_command(format!("{} ({})", self.name, arch.as_str()), hash, command)
            .map_err(|e| ConstructError::InvalidCode {
                problem: e.to_string(),
            })
    }
}
