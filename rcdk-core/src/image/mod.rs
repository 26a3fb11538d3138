//! Container-image assets: an image made from the user's sources at publish time and pushed to
//! the environment's container-assets repository (`cdk-<qualifier>-container-assets-ACCOUNT-
//! REGION`), tagged with its content hash.
//!
//! An [`ImageAsset`] is a construct without a template entry, like a
//! [`FileAsset`](crate::asset::FileAsset): the asset manifest of the stack it is placed in lists
//! it under `dockerImages`, and [`ImageAsset::image_uri`] is the URI the template refers to. Its
//! sources:
//!
//! - a package of the user's Cargo workspace ([`CargoImage`]): built at publish time by
//!   `cargo-rcdk package-image` into an OCI image without a daemon (a base image named by
//!   digest, one layer with the binary at `/app/<bin>`, entrypoint, user, environment, ports and
//!   labels);
//! - an image archive made by any tool ([`ImageAsset::from_tarball`]): an OCI layout tar or a
//!   `docker save` archive, staged as `asset.<hash>.tar` and pushed as it is;
//! - a Dockerfile and its build context ([`DockerfileImage`]): staged as `asset.<hash>/` and
//!   built by the container CLI (`CDK_DOCKER`, default `docker`) at publish time.
//!
//! Synthesis only hashes the sources, so it stays fast; nothing is built there.
//!
//! # Content hash
//!
//! The tag is the lower-case hex SHA-256 of:
//! - a Cargo package: `rcdk-cargo-image-v1`, then the package, binary, base reference,
//!   architecture, ports, environment, labels and user, then the files of
//!   [`CargoPackage::inputs`](crate::cargo::CargoPackage::inputs) (the package's and its path
//!   dependencies' sources, `Cargo.lock`, the workspace `Cargo.toml`, the toolchain file);
//! - a tarball: the file's bytes (nothing else, so a publisher can check the staged copy);
//! - a Dockerfile directory: `rcdk-docker-image-v1`, the directory's files as for file assets,
//!   then the Dockerfile name, target, build arguments and platform.

mod cargo_image;
mod dockerfile;

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::asset::AssetError;
use crate::cargo::CargoError;
use crate::construct::{Annotation, Construct};

use crate::element::{Element, ElementMut};
use crate::kind::{RepositoryArn, RepositoryName};
use crate::node::NodeId;
use crate::value::{Intrinsic, Target, Val, Value};
pub use cargo_image::CargoImage;
pub use dockerfile::DockerfileImage;

/// The base image of [`CargoImage`] when none is given: distroless `cc` on Debian 12, which
/// holds glibc, libgcc, CA certificates and the non-root user 65532, named by digest so that
/// the same inputs always give the same image.
pub const DEFAULT_BASE_IMAGE: &str = "gcr.io/distroless/cc-debian12:nonroot@sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f";

/// The base image for Lambda functions built from a Cargo package (`lambda::Code::from_image`
/// in the constructs): AWS's `provided.al2023` image, by its multi-platform index digest as
/// published in public repositories (refresh with `skopeo inspect --raw
/// docker://public.ecr.aws/lambda/provided:al2023` and take the digest of the index).
pub const LAMBDA_BASE_IMAGE: &str = "public.ecr.aws/lambda/provided:al2023@sha256:c6a2e7cb103884b785ebce3ce826c7cfd68e9843d8d5e6773a53e902ced83a19";

/// The environment variable that replaces [`DEFAULT_BASE_IMAGE`] for every [`CargoImage`]
/// without an explicit [`CargoImage::base`]: a mirror of the base in a registry the build
/// machine reaches (air-gapped CI, a company's hardened base), named by digest like any base.
/// It is read at synthesis, so the asset hash and the manifest follow it.
pub const DEFAULT_BASE_IMAGE_ENV: &str = "RCDK_DEFAULT_BASE_IMAGE";

/// The base of a [`CargoImage`] that names none: `$RCDK_DEFAULT_BASE_IMAGE` when set and not
/// empty, else [`DEFAULT_BASE_IMAGE`].
pub fn default_base_image() -> String {
    std::env::var(DEFAULT_BASE_IMAGE_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_BASE_IMAGE.to_string())
}

/// The base reference for no base image at all (static binaries only).
pub const SCRATCH: &str = "scratch";

/// The user a [`CargoImage`] runs as unless told otherwise (`nonroot` of the default base).
pub const DEFAULT_USER: &str = "65532:65532";

/// The program the publish-time commands of cargo-package and tarball images run (the
/// `cargo-rcdk` subcommand's binary).
pub const PACKAGE_IMAGE_COMMAND: &str = "cargo-rcdk";

/// The `package-image` subcommand of [`PACKAGE_IMAGE_COMMAND`].
pub const PACKAGE_IMAGE_SUBCOMMAND: &str = "package-image";

/// The attribute of an image asset that is its repository's ARN (see
/// [`ImageAsset::repository_arn`]).
pub const REPOSITORY_ARN_ATTRIBUTE: &str = "RepositoryArn";

/// The attribute of an image asset that is its repository's name.
pub const REPOSITORY_NAME_ATTRIBUTE: &str = "RepositoryName";

/// Why an image asset cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The Cargo package cannot be found or read.
    #[error("{0}")]
    Cargo(#[from] CargoError),
    /// A source file or directory is missing or unreadable.
    #[error(transparent)]
    Asset(#[from] AssetError),
    /// A setting the image cannot have.
    #[error("{0}")]
    Invalid(String),
}

/// The instruction set of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Arch {
    /// x86_64 (`linux/amd64`).
    #[default]
    X86_64,
    /// arm64 (`linux/arm64`, Graviton).
    Arm64,
}

impl Arch {
    /// The name `cargo-rcdk package-image --arch` takes (`x86_64`, `arm64`).
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        }
    }

    /// The OCI platform (`linux/amd64`, `linux/arm64`).
    pub fn platform(self) -> &'static str {
        match self {
            Arch::X86_64 => "linux/amd64",
            Arch::Arm64 => "linux/arm64",
        }
    }
}

/// Whether `reference` names an image by digest (`...@sha256:<64 lower-case hex>`) or is
/// [`SCRATCH`].
pub fn is_pinned_reference(reference: &str) -> bool {
    if reference == SCRATCH {
        return true;
    }
    match reference.rsplit_once("@sha256:") {
        Some((name, digest)) => {
            !name.is_empty()
                && digest.len() == 64
                && digest
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        None => false,
    }
}

/// How an image is made, before it is placed in a stack: what
/// `ContainerImage::cargo_package`, `from_dockerfile` and `from_tarball` of the constructs
/// hold. [`ImageRecipe::asset`] hashes the sources and makes the [`ImageAsset`].
#[derive(Debug, Clone, PartialEq)]
pub enum ImageRecipe {
    /// A Cargo package built without a daemon.
    Cargo(CargoImage),
    /// A Dockerfile built by the container CLI.
    Dockerfile(DockerfileImage),
    /// An OCI layout tar or `docker save` archive.
    Tarball(PathBuf),
}

impl ImageRecipe {
    /// The asset; `port` is exposed by a Cargo image that declares none (the port its
    /// container mapping sends traffic to).
    pub fn asset(&self, port: Option<u16>) -> Result<ImageAsset, ImageError> {
        match self {
            ImageRecipe::Cargo(image) => match port {
                Some(p) if image.ports().is_empty() => image.clone().port(p).asset(),
                _ => image.asset(),
            },
            ImageRecipe::Dockerfile(image) => image.asset(),
            ImageRecipe::Tarball(path) => ImageAsset::from_tarball(path),
        }
    }
}

impl From<CargoImage> for ImageRecipe {
    fn from(image: CargoImage) -> Self {
        ImageRecipe::Cargo(image)
    }
}

impl From<DockerfileImage> for ImageRecipe {
    fn from(image: DockerfileImage) -> Self {
        ImageRecipe::Dockerfile(image)
    }
}

/// Where an image asset comes from, as the asset manifest records it.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageAssetSource {
    /// A command run in the assembly directory at publish time; the last line it prints is the
    /// path of the image (an OCI layout directory or tar, or a `docker save` archive).
    Executable {
        /// Program and arguments.
        command: Vec<String>,
    },
    /// An image archive staged as `asset.<hash>.tar`, checked and printed by `cargo-rcdk
    /// package-image --tarball`.
    Tarball {
        /// The user's file.
        path: PathBuf,
    },
    /// A build context staged as `asset.<hash>/`, built by the container CLI.
    Directory {
        /// The user's directory.
        path: PathBuf,
        /// Patterns left out of the context.
        exclude: Vec<String>,
        /// The Dockerfile, relative to the directory (`Dockerfile` when `None`).
        docker_file: Option<String>,
        /// The build stage to stop at.
        target: Option<String>,
        /// Build arguments.
        build_args: BTreeMap<String, String>,
        /// The platform to build for.
        platform: Option<String>,
    },
}

/// The element data of an image asset (what the asset manifest is written from).
#[derive(Debug, Clone, PartialEq)]
pub struct ImageAssetDef {
    /// Node id.
    pub node: NodeId,
    /// The source.
    pub source: ImageAssetSource,
    /// Content hash (64 lower-case hex digits): the asset id and the image tag.
    pub hash: String,
    /// Name shown while publishing; the construct path when `None`.
    pub display_name: Option<String>,
    /// Problems of the settings, reported at synthesis with the construct's path (those
    /// starting with `warning: ` as warnings).
    pub problems: Vec<String>,
}

impl ImageAssetDef {
    /// The name of the staged copy inside the output directory (`None` for commands).
    pub fn staged_name(&self) -> Option<String> {
        match &self.source {
            ImageAssetSource::Executable { .. } => None,
            ImageAssetSource::Tarball { .. } => Some(format!("asset.{}.tar", self.hash)),
            ImageAssetSource::Directory { .. } => Some(format!("asset.{}", self.hash)),
        }
    }

    /// The manifest's source: the command, or the staged directory and its build settings.
    pub fn manifest_source(&self) -> crate::cloud_assembly::DockerImageSource {
        use crate::cloud_assembly::DockerImageSource;
        match &self.source {
            ImageAssetSource::Executable { command } => DockerImageSource {
                executable: Some(command.clone()),
                ..Default::default()
            },
            ImageAssetSource::Tarball { .. } => DockerImageSource {
                executable: Some(vec![
                    PACKAGE_IMAGE_COMMAND.into(),
                    PACKAGE_IMAGE_SUBCOMMAND.into(),
                    "--tarball".into(),
                    format!("asset.{}.tar", self.hash),
                    "--hash".into(),
                    self.hash.clone(),
                ]),
                ..Default::default()
            },
            ImageAssetSource::Directory {
                docker_file,
                target,
                build_args,
                platform,
                ..
            } => DockerImageSource {
                directory: self.staged_name(),
                docker_file: docker_file.clone(),
                docker_build_target: target.clone(),
                docker_build_args: build_args
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                platform: platform.clone(),
                ..Default::default()
            },
        }
    }

    /// Copies the source into `out/<staged name>`, reusing `previous/<staged name>` (hard
    /// links) when an earlier synthesis staged the same content there.
    pub fn stage(&self, out: &Path, previous: Option<&Path>) -> Result<(), AssetError> {
        let Some(name) = self.staged_name() else {
            return Ok(());
        };
        let target = out.join(&name);
        if target.exists() {
            return Ok(());
        }
        if let Some(old) = previous.map(|p| p.join(&name)).filter(|p| p.exists()) {
            return crate::asset::link_tree(&old, &target);
        }
        match &self.source {
            ImageAssetSource::Executable { .. } => Ok(()),
            ImageAssetSource::Tarball { path } => crate::asset::copy(path, &target),
            ImageAssetSource::Directory { path, exclude, .. } => {
                crate::asset::copy_tree(path, exclude, &target)
            }
        }
    }
}

/// A container image made at publish time and pushed to the container-assets repository of the
/// stack's environment, tagged with its content hash (see the module documentation).
///
/// ```no_run
/// use rcdk_core::image::ImageAsset;
/// use rcdk_core::{RawResource, Stack};
/// let image = ImageAsset::from_tarball("build/app.tar").unwrap();
/// // The URI where the image will be, for a resource that runs it.
/// let current = RawResource::new("AWS::SSM::Parameter")
///     .prop("Type", "String")
///     .prop("Value", image.image_uri());
/// let stack = Stack::new("App").with("Image", image).with("Current", current);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ImageAsset {
    def: ImageAssetDef,
}

impl ImageAsset {
    pub(crate) fn new(def: ImageAssetDef) -> ImageAsset {
        ImageAsset { def }
    }

    /// An image archive (an OCI layout tar or a `docker save` archive, made by any tool),
    /// pushed as it is. Its hash is the SHA-256 of the file.
    pub fn from_tarball(path: impl AsRef<Path>) -> Result<ImageAsset, ImageError> {
        let path = path.as_ref().to_path_buf();
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(AssetError::Missing { path }.into())
            }
            Err(source) => return Err(AssetError::Read { path, source }.into()),
        };
        if !meta.is_file() {
            return Err(ImageError::Invalid(format!(
                "{} is not a file: give an image archive (an OCI layout tar or a `docker save` \
                 archive)",
                path.display()
            )));
        }
        let hash = sha256_file(&path)?;
        let display = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(ImageAsset::new(ImageAssetDef {
            node: NodeId::fresh(),
            source: ImageAssetSource::Tarball { path },
            hash,
            display_name: Some(display),
            problems: Vec::new(),
        }))
    }

    /// An image made by `command` at publish time (run in the assembly directory; the last
    /// line it prints names the image). `hash` (64 lower-case hex digits) identifies the
    /// content: the caller hashes the command's inputs.
    pub fn from_executable(
        display_name: impl Into<String>,
        hash: impl Into<String>,
        command: Vec<String>,
    ) -> Result<ImageAsset, ImageError> {
        let hash = hash.into();
        if command.is_empty() {
            return Err(ImageError::Invalid(
                "an executable image asset needs a command (program and arguments)".into(),
            ));
        }
        if hash.len() != 64
            || !hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(ImageError::Invalid(format!(
                "image asset hash {hash:?} must be 64 lower-case hex digits (it becomes the \
                 image tag and the asset id)"
            )));
        }
        Ok(ImageAsset::new(ImageAssetDef {
            node: NodeId::fresh(),
            source: ImageAssetSource::Executable { command },
            hash,
            display_name: Some(display_name.into()),
            problems: Vec::new(),
        }))
    }

    /// Sets the name shown while publishing.
    pub fn display_name(mut self, name: impl Into<String>) -> ImageAsset {
        self.def.display_name = Some(name.into());
        self
    }

    /// The content hash: the asset id and the image tag.
    pub fn hash(&self) -> &str {
        &self.def.hash
    }

    /// The source.
    pub fn source(&self) -> &ImageAssetSource {
        &self.def.source
    }

    /// The problems reported at synthesis.
    pub fn problems(&self) -> &[String] {
        &self.def.problems
    }

    /// The node id.
    pub fn node(&self) -> NodeId {
        self.def.node
    }

    /// The image URI: `Fn::Sub` of `${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/
    /// cdk-<qualifier>-container-assets-${AWS::AccountId}-${AWS::Region}:<hash>`, with the
    /// qualifier of the stack the asset is placed in.
    pub fn image_uri(&self) -> Val<String> {
        Val::from_value_unchecked(Value::func(Intrinsic::Ref {
            target: Target::Node(self.def.node),
            list: false,
        }))
    }

    /// The ARN of the container-assets repository the image is pushed to (`Fn::Sub` on the
    /// account and region): what an execution role needs pull permission on.
    pub fn repository_arn(&self) -> Val<RepositoryArn> {
        self.attribute(REPOSITORY_ARN_ATTRIBUTE)
    }

    /// The name of the container-assets repository the image is pushed to.
    pub fn repository_name(&self) -> Val<RepositoryName> {
        self.attribute(REPOSITORY_NAME_ATTRIBUTE)
    }

    fn attribute<K: ?Sized>(&self, attribute: &str) -> Val<K> {
        Val::from_value_unchecked(Value::func(Intrinsic::GetAtt {
            target: Target::Node(self.def.node),
            attribute: attribute.to_string(),
            list: false,
        }))
    }
}

impl Construct for ImageAsset {
    fn construct_type(&self) -> &str {
        "ImageAsset"
    }
    fn element(&self) -> Option<Element<'_>> {
        Some(Element::ImageAsset(&self.def))
    }
    fn element_mut(&mut self) -> Option<ElementMut<'_>> {
        Some(ElementMut::ImageAsset(&mut self.def))
    }
    fn annotations(&self) -> Vec<Annotation> {
        self.def
            .problems
            .iter()
            .map(|p| match p.strip_prefix("warning: ") {
                Some(w) => Annotation::warning(w),
                None => Annotation::error(p.clone()),
            })
            .collect()
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }
}

fn sha256_file(path: &Path) -> Result<String, AssetError> {
    let err = |source| AssetError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = fs::File::open(path).map_err(err)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_references() {
        assert!(is_pinned_reference(DEFAULT_BASE_IMAGE));
        assert!(is_pinned_reference("scratch"));
        assert!(!is_pinned_reference("nginx:1.27"));
        assert!(!is_pinned_reference("nginx@sha256:abc"));
        assert!(!is_pinned_reference(&format!("@sha256:{}", "a".repeat(64))));
        assert!(is_pinned_reference(&format!(
            "127.0.0.1:5000/base@sha256:{}",
            "0".repeat(64)
        )));
    }
}
