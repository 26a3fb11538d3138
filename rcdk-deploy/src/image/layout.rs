//! Images on disk: OCI image layouts (a directory, or a tar of one) and `docker save`
//! archives, read into a [`LocalImage`] that can be pushed, and OCI layouts written.

use std::fs;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::error::{io_err, ImageError, Result};
use super::layer::{digest_of, HashingWriter};
use super::spec::valid_digest;

/// OCI and Docker media types used here.
pub mod media_type {
    /// An OCI image manifest.
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    /// An OCI image index.
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    /// An OCI image configuration.
    pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    /// A gzip-compressed OCI layer.
    pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
    /// An uncompressed OCI layer.
    pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
    /// A Docker image manifest (schema 2).
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    /// A Docker manifest list.
    pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
    /// A Docker gzip layer.
    pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
}

/// One blob of a local image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalBlob {
    /// Its media type.
    pub media_type: String,
    /// `sha256:<hex>`.
    pub digest: String,
    /// Size in bytes.
    pub size: u64,
    /// Where its bytes are.
    pub path: PathBuf,
}

/// An image on disk, ready to push: its manifest and the blobs it names.
#[derive(Debug)]
pub struct LocalImage {
    /// The manifest's exact bytes (its digest is the image digest).
    pub manifest: Vec<u8>,
    /// The manifest's media type.
    pub manifest_media_type: String,
    /// The config blob.
    pub config: LocalBlob,
    /// The layers, in order.
    pub layers: Vec<LocalBlob>,
    /// Holds an extracted tar until the image is dropped.
    _extracted: Option<tempfile::TempDir>,
}

impl LocalImage {
    /// `sha256:<hex>` of the manifest.
    pub fn digest(&self) -> String {
        digest_of(&self.manifest)
    }

    /// The config and the layers, config first.
    pub fn blobs(&self) -> impl Iterator<Item = &LocalBlob> {
        std::iter::once(&self.config).chain(self.layers.iter())
    }
}

/// Writes an OCI image layout at `dir` (replacing what is there) holding one image: the
/// manifest `manifest` and the blobs `(digest, file)` it names. The layout is assembled beside
/// `dir` and renamed into place, so a failure never leaves a half-written layout.
pub fn write_layout(dir: &Path, manifest: &[u8], blobs: &[(String, PathBuf)]) -> Result<()> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io_err("creating directory", parent))?;
    let tmp = tempfile::Builder::new()
        .prefix(".image-")
        .tempdir_in(parent)
        .map_err(io_err("creating a directory in", parent))?;
    let blob_dir = tmp.path().join("blobs/sha256");
    fs::create_dir_all(&blob_dir).map_err(io_err("creating directory", &blob_dir))?;
    let manifest_digest = digest_of(manifest);
    let write = |name: &Path, bytes: &[u8]| fs::write(name, bytes).map_err(io_err("writing", name));
    write(&blob_dir.join(hex(&manifest_digest)), manifest)?;
    for (digest, file) in blobs {
        let target = blob_dir.join(hex(digest));
        if target.exists() {
            continue;
        }
        // A hard link when the cache is on the same file system: base layers are not copied.
        if fs::hard_link(file, &target).is_err() {
            fs::copy(file, &target).map_err(io_err("copying", file))?;
        }
    }
    let index = json!({
        "schemaVersion": 2,
        "mediaType": media_type::OCI_INDEX,
        "manifests": [{
            "mediaType": media_type::OCI_MANIFEST,
            "digest": manifest_digest,
            "size": manifest.len(),
        }],
    });
    write(&tmp.path().join("index.json"), &to_json(&index))?;
    write(
        &tmp.path().join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )?;
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(io_err("replacing", dir))?;
    }
    let kept = tmp.keep();
    fs::rename(&kept, dir).map_err(|e| {
        let _ = fs::remove_dir_all(&kept);
        ImageError::Io {
            action: "renaming into",
            path: dir.to_path_buf(),
            source: e,
        }
    })
}

/// JSON bytes in the key order given (the workspace's serde_json keeps insertion order).
pub(crate) fn to_json(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

fn hex(digest: &str) -> &str {
    digest.strip_prefix("sha256:").unwrap_or(digest)
}

/// Reads the image at `path`: an OCI layout directory, an OCI layout tar, or a `docker save`
/// archive (tars are extracted into a temporary directory inside `scratch`).
pub fn read_image(path: &Path, scratch: &Path) -> Result<LocalImage> {
    if path.is_dir() {
        return read_layout_dir(path, None);
    }
    if !path.is_file() {
        return Err(ImageError::Layout {
            path: path.to_path_buf(),
            message: "does not exist".into(),
        });
    }
    fs::create_dir_all(scratch).map_err(io_err("creating directory", scratch))?;
    let extracted = tempfile::Builder::new()
        .prefix("image-tar-")
        .tempdir_in(scratch)
        .map_err(io_err("creating a directory in", scratch))?;
    let file = fs::File::open(path).map_err(io_err("reading", path))?;
    let mut reader = BufReader::new(file);
    let mut magic = [0u8; 2];
    let gz = reader
        .fill_buf_peek(&mut magic)
        .map_err(io_err("reading", path))?
        == [0x1f, 0x8b];
    let unpacked = if gz {
        tar::Archive::new(flate2::read::GzDecoder::new(reader)).unpack(extracted.path())
    } else {
        tar::Archive::new(reader).unpack(extracted.path())
    };
    unpacked.map_err(|e| ImageError::Layout {
        path: path.to_path_buf(),
        message: format!(
            "not a readable tar ({e}); give an OCI image layout (directory or tar) or a `docker save` archive"
        ),
    })?;
    let root = extracted.path().to_path_buf();
    if root.join("index.json").is_file() && root.join("oci-layout").is_file() {
        return read_layout_dir(&root, Some(extracted)).map_err(|e| relabel(e, &root, path));
    }
    if root.join("manifest.json").is_file() {
        return read_docker_archive(&root, extracted).map_err(|e| relabel(e, &root, path));
    }
    Err(ImageError::Layout {
        path: path.to_path_buf(),
        message: "holds neither an OCI image layout (oci-layout, index.json) nor a `docker save` archive (manifest.json)".into(),
    })
}

/// Names the tarball rather than the temporary directory in errors.
fn relabel(e: ImageError, root: &Path, tarball: &Path) -> ImageError {
    match e {
        ImageError::Layout { path, message } => ImageError::Layout {
            path: tarball.to_path_buf(),
            message: match path.strip_prefix(root) {
                Ok(inner) if !inner.as_os_str().is_empty() => {
                    format!("{}: {message}", inner.display())
                }
                _ => message,
            },
        },
        other => other,
    }
}

trait PeekExt {
    fn fill_buf_peek(&mut self, out: &mut [u8; 2]) -> std::io::Result<[u8; 2]>;
}

impl<R: Read> PeekExt for BufReader<R> {
    fn fill_buf_peek(&mut self, out: &mut [u8; 2]) -> std::io::Result<[u8; 2]> {
        use std::io::BufRead;
        let buf = self.fill_buf()?;
        let n = buf.len().min(2);
        out[..n].copy_from_slice(&buf[..n]);
        Ok(*out)
    }
}

fn layout_err(path: &Path, message: impl Into<String>) -> ImageError {
    ImageError::Layout {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn read_json(path: &Path) -> Result<(Vec<u8>, Value)> {
    let bytes = fs::read(path).map_err(|e| layout_err(path, format!("cannot read: {e}")))?;
    let value =
        serde_json::from_slice(&bytes).map_err(|e| layout_err(path, format!("not JSON: {e}")))?;
    Ok((bytes, value))
}

/// A blob of the layout: its file, checked to exist with the size the descriptor gives.
fn layout_blob(dir: &Path, descriptor: &Value, what: &str) -> Result<LocalBlob> {
    let digest = descriptor["digest"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if !valid_digest(&digest) {
        return Err(layout_err(
            dir,
            format!("the {what} descriptor has no sha256 digest"),
        ));
    }
    let path = dir.join("blobs/sha256").join(hex(&digest));
    let size = fs::metadata(&path)
        .map_err(|_| layout_err(dir, format!("the {what} blob {digest} is missing")))?
        .len();
    if let Some(declared) = descriptor["size"].as_u64() {
        if declared != size {
            return Err(layout_err(
                dir,
                format!("the {what} blob {digest} is {size} bytes, its descriptor says {declared}"),
            ));
        }
    }
    Ok(LocalBlob {
        media_type: descriptor["mediaType"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        digest,
        size,
        path,
    })
}

/// The manifest blob a descriptor names, checked against its digest, and its JSON.
fn read_manifest(dir: &Path, descriptor: &Value) -> Result<(Vec<u8>, Value)> {
    let blob = layout_blob(dir, descriptor, "manifest")?;
    let bytes = fs::read(&blob.path).map_err(io_err("reading", &blob.path))?;
    if digest_of(&bytes) != blob.digest {
        return Err(layout_err(
            dir,
            format!(
                "the manifest blob does not match its digest {}",
                blob.digest
            ),
        ));
    }
    let value = serde_json::from_slice(&bytes)
        .map_err(|e| layout_err(dir, format!("the manifest is not JSON: {e}")))?;
    Ok((bytes, value))
}

/// Whether a manifest is an index (OCI) or a manifest list (Docker).
fn is_index(value: &Value, descriptor: &Value) -> bool {
    let media_type = value["mediaType"]
        .as_str()
        .or_else(|| descriptor["mediaType"].as_str())
        .unwrap_or_default();
    media_type == media_type::OCI_INDEX
        || media_type == media_type::DOCKER_LIST
        || value.get("manifests").is_some()
}

/// Reads the single image of an OCI layout directory.
fn read_layout_dir(dir: &Path, extracted: Option<tempfile::TempDir>) -> Result<LocalImage> {
    let (_, index) = read_json(&dir.join("index.json"))?;
    let manifests = index["manifests"].as_array().cloned().unwrap_or_default();
    let top = match manifests.as_slice() {
        [one] => one.clone(),
        [] => return Err(layout_err(dir, "index.json lists no image")),
        many => {
            return Err(layout_err(
                dir,
                format!("index.json lists {} images; export exactly one", many.len()),
            ))
        }
    };
    let (mut manifest, mut value) = read_manifest(dir, &top)?;
    let mut descriptor = top;
    if is_index(&value, &descriptor) {
        // `docker save` with the containerd image store writes an index whose other platforms'
        // blobs are absent: the one platform that is there is the image.
        let present: Vec<Value> = value["manifests"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|m| layout_blob(dir, m, "manifest").is_ok())
            .collect();
        let [child] = present.as_slice() else {
            return Err(layout_err(
                dir,
                format!(
                    "the image is a multi-platform index with {} platforms present; export one platform (e.g. `--platform linux/amd64`)",
                    present.len()
                ),
            ));
        };
        (manifest, value) = read_manifest(dir, child)?;
        descriptor = child.clone();
        if is_index(&value, &descriptor) {
            return Err(layout_err(dir, "the image is an index of indexes"));
        }
    }
    let media_type = value["mediaType"]
        .as_str()
        .or_else(|| descriptor["mediaType"].as_str())
        .unwrap_or(media_type::OCI_MANIFEST)
        .to_string();
    let config = layout_blob(dir, &value["config"], "config")?;
    let layers = value["layers"]
        .as_array()
        .map(|layers| {
            layers
                .iter()
                .map(|l| layout_blob(dir, l, "layer"))
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?
        .unwrap_or_default();
    check_image(dir, &manifest, &config, layers.len())?;
    Ok(LocalImage {
        manifest,
        manifest_media_type: media_type,
        config,
        layers,
        _extracted: extracted,
    })
}

/// Checks with the OCI image types that the manifest is an image manifest and the config an
/// image configuration with one `diff_id` per layer: an image that no runtime could start is
/// refused before anything is pushed.
fn check_image(dir: &Path, manifest: &[u8], config: &LocalBlob, layers: usize) -> Result<()> {
    // oci-spec's own message is "serde failed"; the cause says which field.
    let why = |e: oci_spec::OciSpecError| match std::error::Error::source(&e) {
        Some(cause) => cause.to_string(),
        None => e.to_string(),
    };
    oci_spec::image::ImageManifest::from_reader(manifest).map_err(|e| {
        layout_err(
            dir,
            format!("the manifest is not an image manifest: {}", why(e)),
        )
    })?;
    let file = fs::File::open(&config.path).map_err(io_err("reading", &config.path))?;
    let parsed =
        oci_spec::image::ImageConfiguration::from_reader(BufReader::new(file)).map_err(|e| {
            layout_err(
                dir,
                format!("the config is not an image configuration: {}", why(e)),
            )
        })?;
    let diff_ids = parsed.rootfs().diff_ids().len();
    if diff_ids != layers {
        return Err(layout_err(
            dir,
            format!("the config lists {diff_ids} layer diff_ids for {layers} layers"),
        ));
    }
    Ok(())
}

/// Reads an extracted `docker save` archive (`manifest.json` naming the config and layer
/// files) and makes an OCI manifest for it; layers keep their bytes, so their digests are the
/// `diff_ids` of the config (uncompressed) or those of the gzip files.
fn read_docker_archive(root: &Path, extracted: tempfile::TempDir) -> Result<LocalImage> {
    let (_, manifest) = read_json(&root.join("manifest.json"))?;
    let entries = manifest.as_array().cloned().unwrap_or_default();
    let entry = match entries.as_slice() {
        [one] => one.clone(),
        [] => return Err(layout_err(root, "manifest.json lists no image")),
        many => {
            return Err(layout_err(
                root,
                format!(
                    "manifest.json lists {} images; save exactly one",
                    many.len()
                ),
            ))
        }
    };
    let inside = |name: &str| -> Result<PathBuf> {
        // Names are relative to the archive root; `..` would leave it.
        if name.is_empty()
            || Path::new(name)
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(layout_err(
                root,
                format!("manifest.json names {name:?}, not a file of the archive"),
            ));
        }
        let path = root.join(name);
        if path.is_file() {
            Ok(path)
        } else {
            Err(layout_err(
                root,
                format!("manifest.json names {name}, which is missing"),
            ))
        }
    };
    let config_path = inside(entry["Config"].as_str().unwrap_or_default())?;
    let config_bytes = fs::read(&config_path).map_err(io_err("reading", &config_path))?;
    let config = LocalBlob {
        media_type: super::layout::media_type::OCI_CONFIG.to_string(),
        digest: digest_of(&config_bytes),
        size: config_bytes.len() as u64,
        path: config_path,
    };
    let mut layers = Vec::new();
    for name in entry["Layers"].as_array().cloned().unwrap_or_default() {
        let path = inside(name.as_str().unwrap_or_default())?;
        let (digest, size, gzip) = hash_file(&path)?;
        layers.push(LocalBlob {
            media_type: if gzip {
                media_type::OCI_LAYER_GZIP
            } else {
                media_type::OCI_LAYER_TAR
            }
            .to_string(),
            digest,
            size,
            path,
        });
    }
    let descriptor =
        |b: &LocalBlob| json!({"mediaType": b.media_type, "digest": b.digest, "size": b.size});
    let oci = json!({
        "schemaVersion": 2,
        "mediaType": media_type::OCI_MANIFEST,
        "config": descriptor(&config),
        "layers": layers.iter().map(descriptor).collect::<Vec<_>>(),
    });
    let manifest = to_json(&oci);
    check_image(root, &manifest, &config, layers.len())?;
    Ok(LocalImage {
        manifest,
        manifest_media_type: media_type::OCI_MANIFEST.to_string(),
        config,
        layers,
        _extracted: Some(extracted),
    })
}

/// `sha256:<hex>` of a file's bytes, read in pieces (tarballs can be large).
pub fn file_digest(path: &Path) -> Result<String> {
    hash_file(path).map(|(digest, _, _)| digest)
}

/// `sha256:` digest, size, and whether the file is gzip.
fn hash_file(path: &Path) -> Result<(String, u64, bool)> {
    let mut file = fs::File::open(path).map_err(io_err("reading", path))?;
    let mut writer = HashingWriter::new(std::io::sink());
    let mut first = [0u8; 2];
    let mut buf = vec![0u8; 1 << 20];
    let mut seen = 0usize;
    loop {
        let n = file.read(&mut buf).map_err(io_err("reading", path))?;
        if n == 0 {
            break;
        }
        for (i, b) in buf[..n].iter().enumerate() {
            if seen + i < 2 {
                first[seen + i] = *b;
            }
        }
        seen += n;
        std::io::Write::write_all(&mut writer, &buf[..n]).map_err(io_err("reading", path))?;
    }
    let (_, digest, size) = writer.finish();
    Ok((digest, size, first == [0x1f, 0x8b]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layout with one image (a config and a layer), returning its manifest descriptor.
    fn one_image(dir: &Path) -> Value {
        let work = dir.join("work");
        fs::create_dir_all(&work).unwrap();
        let layer = work.join("layer");
        fs::write(&layer, b"layer bytes").unwrap();
        let config = work.join("config");
        let ld = digest_of(b"layer bytes");
        let config_json = to_json(&json!({
            "architecture": "amd64", "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [ld]},
        }));
        fs::write(&config, &config_json).unwrap();
        let cd = digest_of(&config_json);
        let manifest = to_json(&json!({
            "schemaVersion": 2,
            "mediaType": media_type::OCI_MANIFEST,
            "config": {"mediaType": media_type::OCI_CONFIG, "digest": cd, "size": config_json.len()},
            "layers": [{"mediaType": media_type::OCI_LAYER_TAR, "digest": ld, "size": 11}],
        }));
        let out = dir.join("layout");
        write_layout(&out, &manifest, &[(cd, config), (ld, layer)]).unwrap();
        json!({"mediaType": media_type::OCI_MANIFEST, "digest": digest_of(&manifest), "size": manifest.len()})
    }

    #[test]
    fn an_index_with_one_platform_present_is_that_image() {
        let dir = tempfile::tempdir().unwrap();
        let present = one_image(dir.path());
        let layout = dir.path().join("layout");
        let absent = json!({"mediaType": media_type::OCI_MANIFEST, "digest": format!("sha256:{}", "1".repeat(64)), "size": 10});
        let index = to_json(&json!({
            "schemaVersion": 2,
            "mediaType": media_type::OCI_INDEX,
            "manifests": [absent, present.clone()],
        }));
        let index_digest = digest_of(&index);
        fs::write(layout.join("blobs/sha256").join(hex(&index_digest)), &index).unwrap();
        let top = to_json(&json!({"schemaVersion": 2, "manifests": [
            {"mediaType": media_type::OCI_INDEX, "digest": index_digest, "size": index.len()}
        ]}));
        fs::write(layout.join("index.json"), top).unwrap();
        let image = read_image(&layout, dir.path()).unwrap();
        assert_eq!(image.digest(), present["digest"].as_str().unwrap());
        assert_eq!(image.layers.len(), 1);
    }

    #[test]
    fn configs_must_list_the_layers() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        fs::write(
            &config,
            br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#,
        )
        .unwrap();
        let blob = LocalBlob {
            media_type: media_type::OCI_CONFIG.into(),
            digest: digest_of(b""),
            size: 0,
            path: config.clone(),
        };
        let manifest = to_json(&json!({
            "schemaVersion": 2,
            "config": {"mediaType": media_type::OCI_CONFIG, "digest": digest_of(b""), "size": 0},
            "layers": [],
        }));
        let e = check_image(dir.path(), &manifest, &blob, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("0 layer diff_ids for 1 layers"), "{e}");
        fs::write(&config, br#"{"os":"linux"}"#).unwrap();
        let e = check_image(dir.path(), &manifest, &blob, 0)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("not an image configuration: missing field"),
            "{e}"
        );
    }

    #[test]
    fn damaged_layouts_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let descriptor = one_image(dir.path());
        let layout = dir.path().join("layout");
        let blob = layout
            .join("blobs/sha256")
            .join(hex(descriptor["digest"].as_str().unwrap()));
        fs::write(&blob, b"{}").unwrap();
        let e = read_image(&layout, dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("descriptor says") || e.contains("does not match"),
            "{e}"
        );
        assert!(read_image(&dir.path().join("missing"), dir.path()).is_err());
    }
}
