//! A tiny base image made on disk and pushed to a test [`Registry`], so image tests need no
//! public registry: one layer with `/etc/passwd` (root and the `nonroot` user 65532, as in the
//! distroless bases), `/etc/group`, the nonroot home and a placeholder CA bundle at
//! `/etc/ssl/certs/ca-certificates.crt`, and a config whose only setting is `PATH`.
//!
//! Everything is deterministic (fixed times, owners and modes, gzip without a timestamp), so
//! the same options give the same digests on every run.

use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::{Compression, GzBuilder};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::registry::Registry;

/// The `PATH` entry of the base image's `Env`.
pub const BASE_PATH_ENV: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The uid and gid of the base image's `nonroot` user.
pub const NONROOT_ID: u64 = 65532;

/// The repository [`push_base_image`] pushes to.
pub const BASE_REPOSITORY: &str = "base";

/// OCI media types of the pieces written here.
pub mod media_type {
    /// An OCI image manifest.
    pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    /// An OCI image index.
    pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";
    /// An OCI image configuration.
    pub const CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    /// A gzip-compressed tar layer.
    pub const LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
}

const PASSWD: &str = "root:x:0:0:root:/root:/sbin/nologin\n\
                      nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n";
const GROUP: &str = "root:x:0:\nnonroot:x:65532:\n";
const CA_PLACEHOLDER: &str = "# placeholder CA bundle of the rcdk test base image\n";

/// Pushes the default base image (linux/amd64, a plain manifest) to `HOST/base:latest` and
/// returns its reference by digest, `HOST/base@sha256:...`, the form `.base(...)` takes.
pub fn push_base_image(registry: &Registry) -> Result<String, String> {
    BaseImage::new().push(registry, BASE_REPOSITORY)
}

/// The options of a test base image: its platform, and whether it is served through an index.
#[derive(Debug, Clone)]
pub struct BaseImage {
    architecture: String,
    index: bool,
}

impl Default for BaseImage {
    fn default() -> BaseImage {
        BaseImage::new()
    }
}

impl BaseImage {
    /// A linux/amd64 image served as a plain manifest.
    pub fn new() -> BaseImage {
        BaseImage {
            architecture: "amd64".to_string(),
            index: false,
        }
    }

    /// Another architecture (OCI names: `arm64`, ...), e.g. for "base without linux/amd64".
    pub fn architecture(mut self, architecture: &str) -> BaseImage {
        self.architecture = architecture.to_string();
        self
    }

    /// Serves the image through an OCI image index with one entry (its platform), as
    /// multi-platform public bases are.
    pub fn index(mut self) -> BaseImage {
        self.index = true;
        self
    }

    /// Writes the image as an OCI image layout into `dir` (created if missing) and returns the
    /// digest of what the layout's `index.json` points at (the manifest, or the index).
    pub fn write_layout(&self, dir: &Path) -> Result<String, String> {
        let blobs = dir.join("blobs").join("sha256");
        std::fs::create_dir_all(&blobs)
            .map_err(|e| format!("cannot create {}: {e}", blobs.display()))?;
        let put = |bytes: &[u8]| -> Result<String, String> {
            let hex = format!("{:x}", Sha256::digest(bytes));
            let path = blobs.join(&hex);
            std::fs::write(&path, bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(format!("sha256:{hex}"))
        };

        let tar = layer_tar()?;
        let diff_id = format!("sha256:{:x}", Sha256::digest(&tar));
        let layer = gzip(&tar)?;
        let layer_digest = put(&layer)?;
        let config = to_json(&self.config(&diff_id));
        let config_digest = put(&config)?;
        let manifest = to_json(&json!({
            "schemaVersion": 2,
            "mediaType": media_type::MANIFEST,
            "config": {
                "mediaType": media_type::CONFIG,
                "digest": config_digest,
                "size": config.len(),
            },
            "layers": [{
                "mediaType": media_type::LAYER_GZIP,
                "digest": layer_digest,
                "size": layer.len(),
            }],
        }));
        let manifest_digest = put(&manifest)?;
        let manifest_descriptor = json!({
            "mediaType": media_type::MANIFEST,
            "digest": manifest_digest,
            "size": manifest.len(),
            "platform": { "architecture": self.architecture, "os": "linux" },
        });
        let top = if self.index {
            let index = to_json(&json!({
                "schemaVersion": 2,
                "mediaType": media_type::INDEX,
                "manifests": [manifest_descriptor],
            }));
            let index_digest = put(&index)?;
            json!({ "mediaType": media_type::INDEX, "digest": index_digest, "size": index.len() })
        } else {
            manifest_descriptor
        };
        let digest = top["digest"].as_str().unwrap_or_default().to_string();
        let layout_index = to_json(&json!({
            "schemaVersion": 2,
            "mediaType": media_type::INDEX,
            "manifests": [top],
        }));
        for (name, bytes) in [
            ("oci-layout", &br#"{"imageLayoutVersion":"1.0.0"}"#[..]),
            ("index.json", &layout_index[..]),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(digest)
    }

    /// Writes the layout to a temporary directory, pushes it with skopeo to
    /// `HOST/REPOSITORY:latest` and returns `HOST/REPOSITORY@sha256:...`.
    pub fn push(&self, registry: &Registry, repository: &str) -> Result<String, String> {
        let dir = tempfile::Builder::new()
            .prefix("rcdk-base-image-")
            .tempdir()
            .map_err(|e| format!("cannot create a directory for the base image: {e}"))?;
        let digest = self.write_layout(dir.path())?;
        let host = registry.host();
        registry
            .skopeo()
            .copy_from_oci_layout(dir.path(), &format!("{host}/{repository}:latest"))?;
        Ok(format!("{host}/{repository}@{digest}"))
    }

    fn config(&self, diff_id: &str) -> Value {
        json!({
            "created": "1970-01-01T00:00:00Z",
            "architecture": self.architecture,
            "os": "linux",
            "config": { "Env": [BASE_PATH_ENV] },
            "rootfs": { "type": "layers", "diff_ids": [diff_id] },
            "history": [{
                "created": "1970-01-01T00:00:00Z",
                "created_by": "rcdk-testkit base image",
            }],
        })
    }
}

/// The layer's uncompressed tar.
fn layer_tar() -> Result<Vec<u8>, String> {
    let mut builder = tar::Builder::new(Vec::new());
    let dirs = [
        ("etc/", 0),
        ("etc/ssl/", 0),
        ("etc/ssl/certs/", 0),
        ("home/", 0),
        ("home/nonroot/", NONROOT_ID),
    ];
    for (path, owner) in dirs {
        let mut header = header(tar::EntryType::Directory, 0o755, owner, 0);
        builder
            .append_data(&mut header, path, std::io::empty())
            .map_err(|e| format!("cannot add {path} to the base layer: {e}"))?;
    }
    let files = [
        ("etc/passwd", PASSWD),
        ("etc/group", GROUP),
        ("etc/ssl/certs/ca-certificates.crt", CA_PLACEHOLDER),
    ];
    for (path, content) in files {
        let mut header = header(tar::EntryType::Regular, 0o644, 0, content.len() as u64);
        builder
            .append_data(&mut header, path, content.as_bytes())
            .map_err(|e| format!("cannot add {path} to the base layer: {e}"))?;
    }
    builder
        .into_inner()
        .map_err(|e| format!("cannot finish the base layer: {e}"))
}

/// A tar header with fixed time and owner, so the layer's digest never changes.
fn header(kind: tar::EntryType, mode: u32, owner: u64, size: u64) -> tar::Header {
    let mut header = tar::Header::new_ustar();
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_uid(owner);
    header.set_gid(owner);
    header.set_mtime(0);
    header.set_size(size);
    header
}

/// Gzip without a file name or timestamp in its header.
fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut encoder: GzEncoder<Vec<u8>> = GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), Compression::default());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map_err(|e| format!("cannot compress the base layer: {e}"))
}

/// Compact JSON, the bytes whose digest names the blob.
fn to_json(value: &Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn layout_is_deterministic() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let first = BaseImage::new().write_layout(a.path()).unwrap();
        let second = BaseImage::new().write_layout(b.path()).unwrap();
        assert_eq!(first, second);
        let arm = tempfile::tempdir().unwrap();
        assert_ne!(
            BaseImage::new()
                .architecture("arm64")
                .write_layout(arm.path())
                .unwrap(),
            first
        );
    }

    #[test]
    fn skopeo_pushes_and_inspects_the_base() {
        let registry = Registry::start().expect("registry starts");
        let base = push_base_image(&registry).unwrap_or_else(|e| panic!("{e}"));
        let (name, digest) = base.split_once('@').expect("reference by digest");
        assert_eq!(name, format!("{}/{BASE_REPOSITORY}", registry.host()));

        let skopeo = registry.skopeo();
        assert_eq!(skopeo.digest(&base).unwrap(), digest);
        assert_eq!(
            skopeo.digest(&format!("{name}:latest")).unwrap(),
            digest,
            "the tag names the same manifest"
        );
        let manifest = skopeo.inspect_manifest(&base).unwrap();
        assert_eq!(manifest["mediaType"], media_type::MANIFEST);
        let config = skopeo.inspect_config(&base).unwrap();
        assert_eq!(config["config"]["Env"], json!([BASE_PATH_ENV]));
        assert_eq!(config["architecture"], "amd64");

        // Copied back out, the layer holds the nonroot user.
        let out = tempfile::tempdir().unwrap();
        skopeo.copy_to_oci_layout(&base, out.path()).unwrap();
        let layer_digest = manifest["layers"][0]["digest"].as_str().unwrap();
        let blob = out
            .path()
            .join("blobs/sha256")
            .join(layer_digest.trim_start_matches("sha256:"));
        let file = std::fs::File::open(&blob).unwrap();
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        let mut passwd = String::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path().unwrap().to_str() == Some("etc/passwd") {
                entry.read_to_string(&mut passwd).unwrap();
            }
        }
        assert!(passwd.contains("nonroot:x:65532:65532:"), "{passwd}");
    }

    #[test]
    fn index_base_is_served_as_an_index() {
        let registry = Registry::start().expect("registry starts");
        let base = BaseImage::new()
            .architecture("arm64")
            .index()
            .push(&registry, "arm-only")
            .unwrap_or_else(|e| panic!("{e}"));
        let index = registry.skopeo().inspect_manifest(&base).unwrap();
        assert_eq!(index["mediaType"], media_type::INDEX);
        assert_eq!(index["manifests"][0]["platform"]["architecture"], "arm64");
    }

    #[test]
    fn read_only_and_authenticated_registries_refuse_anonymous_pushes() {
        let read_only = Registry::builder().read_only().start().unwrap();
        let err = push_base_image(&read_only).expect_err("read-only registry refuses the push");
        assert!(err.contains("405"), "{err}");

        let auth = Registry::builder()
            .htpasswd("pusher", "secret")
            .start()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        BaseImage::new().write_layout(dir.path()).unwrap();
        let target = format!("{}/base:latest", auth.host());
        let err = crate::skopeo::copy_from_oci_layout(dir.path(), &target)
            .expect_err("anonymous push refused");
        assert!(
            err.contains("401") || err.to_lowercase().contains("unauthorized"),
            "{err}"
        );
        // With the registry's credentials the same push succeeds.
        push_base_image(&auth).unwrap_or_else(|e| panic!("{e}"));
    }
}
