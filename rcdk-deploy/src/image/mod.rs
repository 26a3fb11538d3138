//! Container images without a Docker daemon: the release binary of a workspace package built
//! with cargo-lambda (zig) and assembled on a base image named by digest into a deterministic
//! OCI image; OCI layouts and `docker save` archives read and pushed through the OCI
//! distribution API (`oci-client`); Dockerfiles built through `$CDK_DOCKER` when one is there.
//!
//! Publishing ([`crate::Deploy::publish`]) pushes the `dockerImages` of an asset manifest to the
//! account's ECR registry with the credentials of ECR GetAuthorizationToken, tag = asset hash,
//! after a manifest HEAD by tag: an image already there is neither built nor pushed. Blobs the
//! registry has are not sent again; blobs up to [`MONOLITHIC_LIMIT`] go in one request, larger
//! ones in chunks; the manifest goes last, so a failed push leaves no tag.
//!
//! Environment:
//! - `RCDK_ECR_REGISTRY_ENDPOINT=http://127.0.0.1:PORT`: push to this registry instead of
//!   `ACCOUNT.dkr.ecr.REGION.amazonaws.com` (tests against a local registry; loopback only,
//!   anything else is refused). Loopback registries are spoken to over HTTP, others HTTPS only.
//! - `CDK_DOCKER`: the container CLI for Dockerfile images (default `docker`; `podman` and
//!   `finch` take the same arguments).
//! - `RCDK_OCI_CACHE`: where base image blobs are cached (default `$XDG_CACHE_HOME/rcdk/oci`
//!   or `~/.cache/rcdk/oci`).
//!
//! ```no_run
//! # async fn run() -> Result<(), rcdk_deploy::image::ImageError> {
//! use rcdk_deploy::image::{package_image, BlobCache, PackageImageSpec, ImageSettings, BaseImage};
//! let spec = PackageImageSpec {
//!     manifest_path: "Cargo.toml".into(),
//!     package: "user-service".into(),
//!     bin: None,
//!     base: "gcr.io/distroless/cc-debian12:nonroot@sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f".parse()?,
//!     settings: ImageSettings { ports: vec![8080], ..ImageSettings::default() },
//!     hash: "a".repeat(64),
//! };
//! let packaged = package_image(&spec, "cdk.out".as_ref(), &BlobCache::default_location()?).await?;
//! println!("{} {}", packaged.image.dir.display(), packaged.image.manifest_digest);
//! # Ok(()) }
//! ```

mod assemble;
mod cache;
mod docker;
mod ecr;
mod error;
mod layer;
mod layout;
mod registry;
mod spec;

pub use assemble::{assemble, check_tarball, package_image, Assembled, PackagedImage, CREATED};
pub use cache::BlobCache;
pub use docker::ContainerCli;
pub use ecr::{login as ecr_login, parse_registry_endpoint, EcrLogin, REGISTRY_ENDPOINT_ENV};
pub use error::{ImageError, Result};
pub use layer::{binary_layer, LayerBlob, APP_DIR};
pub use layout::{file_digest, media_type, read_image, write_layout, LocalBlob, LocalImage};
pub use oci_client::secrets::RegistryAuth;
pub use registry::{
    fetch_base, is_loopback_host, BaseParts, PushOutcome, Registry, MONOLITHIC_LIMIT,
};
pub use spec::{
    layout_dir_name, parse_hash, parse_key_value, parse_user, valid_digest, BaseImage,
    ImageSettings, PackageImageSpec, DEFAULT_USER,
};
