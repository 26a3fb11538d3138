//! Talking to registries through the OCI distribution API (`oci-client`): fetching base images
//! into the [`BlobCache`], checking whether a tag exists, pushing a [`LocalImage`].
//!
//! Loopback registries (`127.0.0.1`, `localhost`, `[::1]`) are spoken to over plain HTTP,
//! every other registry over HTTPS only.

use std::path::Path;

use bytes::Bytes;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};
use serde_json::Value;

use super::cache::BlobCache;
use super::error::{ImageError, Result};
use super::layout::{media_type, LocalImage};
use crate::package::Arch;

/// Blobs up to this size go in one PUT; larger ones in chunks (PATCH ... PUT), so a large
/// layer never sits in memory whole and a registry's request size limit is not hit.
pub const MONOLITHIC_LIMIT: u64 = 4 * 1024 * 1024;

/// Manifest media types asked for when fetching.
const MANIFEST_TYPES: &[&str] = &[
    media_type::OCI_MANIFEST,
    media_type::OCI_INDEX,
    media_type::DOCKER_MANIFEST,
    media_type::DOCKER_LIST,
];

/// Whether `host` (`name[:port]`) is a loopback address.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// What was done for one push.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushOutcome {
    /// Digests of the blobs uploaded.
    pub uploaded: Vec<String>,
    /// Digests of the blobs the registry had already.
    pub present: Vec<String>,
    /// The digest of the pushed manifest.
    pub manifest_digest: String,
}

/// A client for one registry with one set of credentials.
pub struct Registry {
    host: String,
    auth: RegistryAuth,
    // Made on first use: a client sets up TLS (tens of milliseconds), and a publish whose
    // images are all there, or a base read from the cache, needs one or none.
    monolithic: std::sync::OnceLock<Client>,
    chunked: std::sync::OnceLock<Client>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("host", &self.host)
            .finish()
    }
}

fn client(host: &str, monolithic: bool) -> Client {
    let protocol = if is_loopback_host(host) {
        ClientProtocol::HttpsExcept(vec![host.to_string()])
    } else {
        ClientProtocol::Https
    };
    Client::new(ClientConfig {
        protocol,
        use_monolithic_push: monolithic,
        // A platform is chosen here from the index, not by the client.
        platform_resolver: None,
        connect_timeout: Some(std::time::Duration::from_secs(10)),
        read_timeout: Some(std::time::Duration::from_secs(120)),
        ..ClientConfig::default()
    })
}

impl Registry {
    /// A client for `host` (`name[:port]`, as in image references) with `auth`.
    pub fn new(host: &str, auth: RegistryAuth) -> Registry {
        Registry {
            host: host.to_string(),
            auth,
            monolithic: std::sync::OnceLock::new(),
            chunked: std::sync::OnceLock::new(),
        }
    }

    /// The client that sends each blob in one request (and does everything but chunked uploads).
    fn monolithic(&self) -> &Client {
        self.monolithic.get_or_init(|| client(&self.host, true))
    }

    /// The client that sends blobs in chunks.
    fn chunked(&self) -> &Client {
        self.chunked.get_or_init(|| client(&self.host, false))
    }

    /// The registry's host.
    pub fn host(&self) -> &str {
        &self.host
    }

    fn reference(&self, repository: &str, tag: &str) -> Reference {
        Reference::with_tag(self.host.clone(), repository.to_string(), tag.to_string())
    }

    fn error(&self, operation: &str, e: OciDistributionError) -> ImageError {
        ImageError::Registry {
            registry: self.host.clone(),
            operation: operation.to_string(),
            message: describe(&e),
        }
    }

    /// Whether `repository:tag` exists (a HEAD of the manifest).
    pub async fn manifest_exists(&self, repository: &str, tag: &str) -> Result<bool> {
        let reference = self.reference(repository, tag);
        match self
            .monolithic()
            .fetch_manifest_digest(&reference, &self.auth)
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if is_not_found(&e) => Ok(false),
            Err(e) if is_refusal(&e) => Err(ImageError::PushRefused {
                registry: self.host.clone(),
                repository: repository.to_string(),
                message: describe(&e),
            }),
            Err(e) => Err(self.error(&format!("HEAD manifest {repository}:{tag}"), e)),
        }
    }

    /// Pushes `image` as `repository:tag`: every blob the registry does not have (HEAD first),
    /// small ones in one request, large ones in chunks, then the manifest. A failure before
    /// the manifest leaves no tag: a half-pushed image cannot be pulled.
    pub async fn push(
        &self,
        image: &LocalImage,
        repository: &str,
        tag: &str,
    ) -> Result<PushOutcome> {
        let reference = self.reference(repository, tag);
        let refused = |e: OciDistributionError| -> ImageError {
            if is_refusal(&e) {
                ImageError::PushRefused {
                    registry: self.host.clone(),
                    repository: repository.to_string(),
                    message: describe(&e),
                }
            } else {
                self.error(&format!("push to {repository}:{tag}"), e)
            }
        };
        // Authenticating first turns bad credentials into one clear error before any upload.
        self.monolithic()
            .auth(&reference, &self.auth, RegistryOperation::Push)
            .await
            .map_err(refused)?;
        let mut chunked_ready = false;
        let mut outcome = PushOutcome::default();
        let mut seen = std::collections::BTreeSet::new();
        // Layers first, config last, manifest after everything: the order registries expect.
        let blobs: Vec<_> = image
            .layers
            .iter()
            .chain(std::iter::once(&image.config))
            .collect();
        for blob in blobs {
            if !seen.insert(blob.digest.clone()) {
                continue;
            }
            let exists = self
                .monolithic()
                .blob_exists(&reference, &blob.digest)
                .await
                .map_err(refused)?;
            if exists {
                outcome.present.push(blob.digest.clone());
                continue;
            }
            if blob.size <= MONOLITHIC_LIMIT {
                let bytes = std::fs::read(&blob.path)
                    .map_err(super::error::io_err("reading", &blob.path))?;
                self.monolithic()
                    .push_blob(&reference, bytes, &blob.digest)
                    .await
                    .map_err(refused)?;
            } else {
                if !chunked_ready {
                    self.chunked()
                        .auth(&reference, &self.auth, RegistryOperation::Push)
                        .await
                        .map_err(refused)?;
                    chunked_ready = true;
                }
                self.chunked()
                    .push_blob_stream(
                        &reference,
                        file_stream(&blob.path)?,
                        &blob.digest,
                        Some(blob.size),
                    )
                    .await
                    .map_err(refused)?;
            }
            outcome.uploaded.push(blob.digest.clone());
        }
        let content_type = image.manifest_media_type.parse().map_err(|_| {
            ImageError::Spec(format!("bad media type {}", image.manifest_media_type))
        })?;
        self.monolithic()
            .push_manifest_raw(&reference, image.manifest.clone(), content_type)
            .await
            .map_err(refused)?;
        outcome.manifest_digest = image.digest();
        Ok(outcome)
    }
}

/// The bytes of a file as a stream of [`MONOLITHIC_LIMIT`]-sized pieces: oci-client sends each
/// piece as one PATCH (cut at its own 4 MiB chunk size), so pieces of that size make the fewest
/// requests.
fn file_stream(
    path: &Path,
) -> Result<impl futures_util::Stream<Item = oci_client::errors::Result<Bytes>> + Send + 'static> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(super::error::io_err("reading", path))?;
    Ok(futures_util::stream::unfold(
        Some(file),
        |state| async move {
            let file = state?;
            let mut buf = Vec::with_capacity(MONOLITHIC_LIMIT as usize);
            // `take` + `read_to_end` fills the piece even when a read returns less.
            match (&file).take(MONOLITHIC_LIMIT).read_to_end(&mut buf) {
                Ok(0) => None,
                Ok(_) => Some((Ok(Bytes::from(buf)), Some(file))),
                Err(e) => Some((Err(OciDistributionError::IoError(e)), None)),
            }
        },
    ))
}

fn is_not_found(e: &OciDistributionError) -> bool {
    match e {
        OciDistributionError::ServerError { code, .. } => *code == 404,
        OciDistributionError::ImageManifestNotFoundError(_) => true,
        OciDistributionError::RegistryError { envelope, .. } => envelope.errors.iter().any(|e| {
            matches!(
                e.code,
                OciErrorCode::ManifestUnknown | OciErrorCode::NotFound | OciErrorCode::NameUnknown
            )
        }),
        _ => false,
    }
}

fn is_refusal(e: &OciDistributionError) -> bool {
    match e {
        OciDistributionError::UnauthorizedError { .. }
        | OciDistributionError::AuthenticationFailure(_) => true,
        OciDistributionError::ServerError { code, .. } => {
            matches!(code, 401 | 403 | 405 | 413)
        }
        OciDistributionError::RegistryError { envelope, .. } => envelope.errors.iter().any(|e| {
            matches!(
                e.code,
                OciErrorCode::Denied
                    | OciErrorCode::Unauthorized
                    | OciErrorCode::Unsupported
                    | OciErrorCode::SizeInvalid
                    | OciErrorCode::Toomanyrequests
            )
        }),
        _ => false,
    }
}

/// A registry error in one line: the HTTP status and the registry's own codes and messages.
pub(crate) fn describe(e: &OciDistributionError) -> String {
    match e {
        OciDistributionError::UnauthorizedError { url } => {
            format!("HTTP 401 Unauthorized at {url}: the credentials were refused")
        }
        OciDistributionError::ServerError { code, url, message } => {
            let hint = match code {
                401 => ": the credentials were refused",
                403 => ": access denied",
                405 => ": the registry does not accept pushes (read-only?)",
                413 => ": the blob is too large for the registry",
                _ => "",
            };
            let message = message.trim();
            if message.is_empty() {
                format!("HTTP {code} at {url}{hint}")
            } else {
                format!("HTTP {code} at {url}{hint}: {message}")
            }
        }
        OciDistributionError::RegistryError { envelope, url } => {
            let errors: Vec<String> = envelope
                .errors
                .iter()
                .map(|e| format!("{:?}: {}", e.code, e.message))
                .collect();
            let hint = if envelope
                .errors
                .iter()
                .any(|e| e.code == OciErrorCode::NameUnknown)
            {
                " — the repository does not exist: bootstrap the environment (`cargo rcdk bootstrap`) or create the repository"
            } else {
                ""
            };
            format!("{} ({url}){hint}", errors.join("; "))
        }
        OciDistributionError::RequestError(r) => {
            let mut text = r.to_string();
            let mut source = std::error::Error::source(r);
            while let Some(s) = source {
                text = format!("{text}: {s}");
                source = s.source();
            }
            text
        }
        other => other.to_string(),
    }
}

/// A base image fetched into the cache: its config and its layers' descriptors.
#[derive(Debug, Clone)]
pub struct BaseParts {
    /// The base's config, as JSON (unknown fields kept).
    pub config: Value,
    /// The layers' descriptors (OCI media types), in order; the blobs are in the cache.
    pub layers: Vec<Value>,
}

/// Fetches the linux/`arch` image of `reference` (`REF@sha256:...`), anonymously (public
/// registries hand out anonymous bearer tokens), into `cache`. A base already in the cache
/// needs no network at all: every piece is named by digest.
pub async fn fetch_base(reference: &str, arch: Arch, cache: &BlobCache) -> Result<BaseParts> {
    let fail = |message: String| ImageError::BaseFetch {
        reference: reference.to_string(),
        message,
    };
    let parsed: Reference = reference.parse().map_err(|e| ImageError::BaseReference {
        reference: reference.to_string(),
        reason: format!("not an image reference ({e})"),
    })?;
    let Some(top_digest) = parsed.digest().map(str::to_string) else {
        return Err(ImageError::BaseReference {
            reference: reference.to_string(),
            reason: "name it by digest (REF@sha256:...)".into(),
        });
    };
    let registry = Registry::new(parsed.resolve_registry(), RegistryAuth::Anonymous);
    let by_digest = |digest: &str| {
        Reference::with_digest(
            parsed.registry().to_string(),
            parsed.repository().to_string(),
            digest.to_string(),
        )
    };
    let manifest_bytes = |digest: String| {
        let registry = &registry;
        let reference = by_digest(&digest);
        async move {
            if let Some(bytes) = cache.read(&digest) {
                return Ok(bytes);
            }
            let (bytes, _) = registry
                .monolithic()
                .pull_manifest_raw(&reference, &registry.auth, MANIFEST_TYPES)
                .await
                .map_err(|e| fail(describe(&e)))?;
            // The manifest is checked against the digest it was asked by: the base cannot
            // change under the same reference.
            cache
                .put(&digest, &bytes)
                .map_err(|e| fail(e.to_string()))?;
            Ok::<Vec<u8>, ImageError>(bytes.to_vec())
        }
    };
    let top = manifest_bytes(top_digest.clone()).await?;
    let top_json: Value =
        serde_json::from_slice(&top).map_err(|e| fail(format!("its manifest is not JSON: {e}")))?;
    let manifest_json = if let Some(entries) = top_json["manifests"].as_array() {
        let wanted = arch.oci_name();
        let chosen = entries.iter().find(|m| {
            m["platform"]["os"] == "linux"
                && m["platform"]["architecture"] == wanted
                && (arch != Arch::Arm64
                    || m["platform"]["variant"].is_null()
                    || m["platform"]["variant"] == "v8")
        });
        let Some(chosen) = chosen else {
            let available: Vec<String> = entries
                .iter()
                .map(|m| {
                    format!(
                        "{}/{}",
                        m["platform"]["os"].as_str().unwrap_or("?"),
                        m["platform"]["architecture"].as_str().unwrap_or("?")
                    )
                })
                .collect();
            return Err(ImageError::NoPlatform {
                reference: reference.to_string(),
                architecture: wanted.to_string(),
                available: available.join(", "),
            });
        };
        let digest = chosen["digest"].as_str().unwrap_or_default().to_string();
        if !super::spec::valid_digest(&digest) {
            return Err(fail(
                "its index names a manifest without a sha256 digest".into(),
            ));
        }
        let bytes = manifest_bytes(digest).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| fail(format!("its manifest is not JSON: {e}")))?
    } else {
        top_json
    };
    let config_digest = manifest_json["config"]["digest"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let config_bytes = fetch_blob(&registry, &by_digest(&config_digest), &config_digest, cache)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let config: Value =
        serde_json::from_slice(&std::fs::read(&config_bytes).map_err(|e| fail(e.to_string()))?)
            .map_err(|e| fail(format!("its config is not JSON: {e}")))?;
    let found = (
        config["os"].as_str().unwrap_or_default(),
        config["architecture"].as_str().unwrap_or_default(),
    );
    if found != ("linux", arch.oci_name()) {
        return Err(ImageError::NoPlatform {
            reference: reference.to_string(),
            architecture: arch.oci_name().to_string(),
            available: format!("{}/{}", found.0, found.1),
        });
    }
    let mut layers = Vec::new();
    for layer in manifest_json["layers"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let digest = layer["digest"].as_str().unwrap_or_default().to_string();
        fetch_blob(&registry, &by_digest(&digest), &digest, cache)
            .await
            .map_err(|e| fail(e.to_string()))?;
        let mut layer = layer.clone();
        // Docker layer types name the same bytes as the OCI ones; the new manifest is OCI.
        if layer["mediaType"] == media_type::DOCKER_LAYER_GZIP {
            layer["mediaType"] = Value::from(media_type::OCI_LAYER_GZIP);
        }
        layers.push(layer);
    }
    Ok(BaseParts { config, layers })
}

/// The cached blob `digest`, fetched first when missing (checked against its digest).
async fn fetch_blob(
    registry: &Registry,
    reference: &Reference,
    digest: &str,
    cache: &BlobCache,
) -> Result<std::path::PathBuf> {
    if let Some(path) = cache.get(digest) {
        return Ok(path);
    }
    // Blob requests carry the stored credentials only (a manifest read from the cache did
    // not store them).
    registry
        .monolithic()
        .store_auth_if_needed(reference.resolve_registry(), &registry.auth)
        .await;
    // Validates the digest before it names a path.
    cache.path(digest)?;
    let tmp = cache.temp_path()?;
    let file = tokio::fs::File::create(&tmp)
        .await
        .map_err(super::error::io_err("writing", &tmp))?;
    let pulled = registry
        .monolithic()
        .pull_blob(reference, digest, file)
        .await;
    if let Err(e) = pulled {
        let _ = std::fs::remove_file(&tmp);
        return Err(registry.error(&format!("GET blob {digest}"), e));
    }
    cache.commit(&tmp, digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in [
            "127.0.0.1:5000",
            "localhost:5000",
            "localhost",
            "[::1]:5000",
            "127.0.0.2",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "10.0.0.1:5000",
            "gcr.io",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
