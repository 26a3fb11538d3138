//! Why building, reading or pushing an image failed.

use std::path::PathBuf;

use crate::package::PackageError;

/// What can go wrong with a container image. Every message says what to change.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// An argument of `package-image` (or an image setting) is malformed.
    #[error("{0}")]
    Spec(String),
    /// Building the binary failed (unknown package, no binary target, cargo-lambda missing).
    #[error(transparent)]
    Build(#[from] PackageError),
    /// The base image reference is unusable.
    #[error("base image {reference}: {reason}")]
    BaseReference {
        /// The reference given.
        reference: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The base image could not be fetched.
    #[error("base image {reference} cannot be fetched: {message}")]
    BaseFetch {
        /// The reference.
        reference: String,
        /// What the registry or the network said.
        message: String,
    },
    /// The base image has no manifest for the platform asked for.
    #[error("base image {reference} has no linux/{architecture} image (it has: {available}); choose another base or another architecture")]
    NoPlatform {
        /// The reference.
        reference: String,
        /// OCI architecture name asked for.
        architecture: String,
        /// The platforms the index lists.
        available: String,
    },
    /// A registry answered a request with an error.
    #[error("registry {registry}: {operation} failed: {message}")]
    Registry {
        /// Registry host.
        registry: String,
        /// What was being done.
        operation: String,
        /// The registry's answer.
        message: String,
    },
    /// The registry refused the push (authentication, permissions, read-only, size).
    #[error(
        "registry {registry} refused to store {repository}: {message}; no manifest was pushed"
    )]
    PushRefused {
        /// Registry host.
        registry: String,
        /// Repository.
        repository: String,
        /// The refusal.
        message: String,
    },
    /// An image on disk (OCI layout, tar) is not usable.
    #[error("{}: {message}", path.display())]
    Layout {
        /// The directory or file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Reading or writing a local file failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The container CLI (`$CDK_DOCKER`, default `docker`) is not installed.
    #[error("the container CLI `{program}` was not found ({reason}): install Docker, or set CDK_DOCKER to podman or finch; images of Rust packages (ContainerImage::cargo_package) and tarballs (ContainerImage::from_tarball) need no container CLI")]
    NoContainerCli {
        /// The program looked for.
        program: String,
        /// Why it could not run.
        reason: String,
    },
    /// The container CLI runs but has no daemon (or machine) to talk to.
    #[error("`{program}` cannot reach its daemon: {message}; start it (e.g. `systemctl start docker`, `podman machine start`, `finch vm start`), or use ContainerImage::cargo_package / from_tarball, which need no daemon")]
    NoContainerDaemon {
        /// The program.
        program: String,
        /// What it said.
        message: String,
    },
    /// The container CLI ran and failed.
    #[error("`{command}` failed ({status}):\n{output}")]
    ContainerCommand {
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// The end of its output.
        output: String,
    },
    /// `RCDK_ECR_REGISTRY_ENDPOINT` names something other than a loopback HTTP endpoint.
    #[error("RCDK_ECR_REGISTRY_ENDPOINT={value:?} is refused: {reason}; it is meant for tests against a local registry, e.g. http://127.0.0.1:5000")]
    RegistryEndpoint {
        /// The value given.
        value: String,
        /// Why it is refused.
        reason: String,
    },
    /// The `executable` source of an image failed or printed nothing usable.
    #[error("{0}")]
    Executable(String),
    /// ECR credentials could not be obtained.
    #[error("ECR GetAuthorizationToken failed: {0}")]
    Ecr(String),
}

/// `Result` of the image module.
pub type Result<T, E = ImageError> = std::result::Result<T, E>;

pub(crate) fn io_err<'a>(
    action: &'static str,
    path: &'a std::path::Path,
) -> impl FnOnce(std::io::Error) -> ImageError + 'a {
    move |source| ImageError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}
