//! Assembling an image without a daemon: the base's layers, one layer with the binary, a
//! config with entrypoint, user, environment, ports and labels, written as an OCI image
//! layout. Nothing in the output depends on the time or the machine: the same binary, base and
//! settings give the same manifest digest.

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::cache::BlobCache;
use super::error::{io_err, ImageError, Result};
use super::layer::{binary_layer, digest_of, APP_DIR};
use super::layout::{media_type, read_image, to_json, write_layout};
use super::registry::{fetch_base, BaseParts};
use super::spec::{layout_dir_name, BaseImage, ImageSettings, PackageImageSpec};
use crate::package::LambdaBuild;

/// The `created` time of every image: fixed, so it never changes the digest.
pub const CREATED: &str = "1970-01-01T00:00:00Z";

/// What [`assemble`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assembled {
    /// The OCI image layout directory.
    pub dir: PathBuf,
    /// `sha256:` of the manifest: the image digest a registry will report.
    pub manifest_digest: String,
}

/// What [`package_image`] did, with the time of each step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackagedImage {
    /// The image written.
    pub image: Assembled,
    /// The size of the binary.
    pub binary_bytes: u64,
    /// Fetching the base (or reading it from the cache).
    pub base_time: std::time::Duration,
    /// The cargo-lambda build.
    pub build_time: std::time::Duration,
    /// Layer, config, manifest and layout.
    pub assemble_time: std::time::Duration,
}

/// Assembles the image of `binary` (installed as `/app/<bin_name>`) on `base` (`None`:
/// scratch; its blobs in `cache`) with `settings`, into the OCI image layout `out`.
pub fn assemble(
    base: Option<&BaseParts>,
    cache: &BlobCache,
    binary: &Path,
    bin_name: &str,
    settings: &ImageSettings,
    out: &Path,
) -> Result<Assembled> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io_err("creating directory", parent))?;
    let work = tempfile::Builder::new()
        .prefix(".image-work-")
        .tempdir_in(parent)
        .map_err(io_err("creating a directory in", parent))?;
    let layer_path = work.path().join("layer.tar.gz");
    let layer = binary_layer(binary, bin_name, &layer_path)?;

    let mut blobs: Vec<(String, PathBuf)> = Vec::new();
    let mut layers: Vec<Value> = Vec::new();
    if let Some(base) = base {
        for l in &base.layers {
            let digest = l["digest"].as_str().unwrap_or_default();
            let path = cache.get(digest).ok_or_else(|| ImageError::Layout {
                path: cache.root().to_path_buf(),
                message: format!("the base layer {digest} is not in the cache"),
            })?;
            blobs.push((digest.to_string(), path));
            layers.push(json!({
                "mediaType": l["mediaType"],
                "digest": digest,
                "size": l["size"],
            }));
        }
    }
    blobs.push((layer.digest.clone(), layer_path.clone()));
    layers.push(json!({
        "mediaType": media_type::OCI_LAYER_GZIP,
        "digest": layer.digest,
        "size": layer.size,
    }));

    let config = image_config(base.map(|b| &b.config), &layer.diff_id, bin_name, settings);
    let config_bytes = to_json(&config);
    let config_digest = digest_of(&config_bytes);
    let config_path = work.path().join("config.json");
    std::fs::write(&config_path, &config_bytes).map_err(io_err("writing", &config_path))?;
    blobs.push((config_digest.clone(), config_path));

    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": media_type::OCI_MANIFEST,
        "config": {
            "mediaType": media_type::OCI_CONFIG,
            "digest": config_digest,
            "size": config_bytes.len(),
        },
        "layers": layers,
    });
    let manifest_bytes = to_json(&manifest);
    write_layout(out, &manifest_bytes, &blobs)?;
    Ok(Assembled {
        dir: out.to_path_buf(),
        manifest_digest: digest_of(&manifest_bytes),
    })
}

/// The new image's config: the base's (unknown fields kept), with the platform, the binary as
/// entrypoint (no `Cmd`), the user, the environment merged by name (ours win), the ports and
/// labels added, the layer's diff_id appended and the fixed `created`.
fn image_config(
    base: Option<&Value>,
    diff_id: &str,
    bin_name: &str,
    settings: &ImageSettings,
) -> Value {
    let mut config = match base {
        Some(Value::Object(map)) => map.clone(),
        _ => Map::new(),
    };
    config.insert("created".into(), Value::from(CREATED));
    config.insert("architecture".into(), Value::from(settings.arch.oci_name()));
    config.insert("os".into(), Value::from("linux"));
    config.remove("variant");
    if settings.arch == crate::package::Arch::Arm64 {
        config.insert("variant".into(), Value::from("v8"));
    }
    let mut run = match config.remove("config") {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let program = format!("{APP_DIR}/{bin_name}");
    run.insert("User".into(), Value::from(settings.user.clone()));
    run.insert("Entrypoint".into(), json!([program]));
    run.remove("Cmd");
    run.insert("WorkingDir".into(), Value::from(APP_DIR));

    let mut env: Vec<String> = run
        .get("Env")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if base.is_none() && env.is_empty() {
        env.push("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    }
    for (key, value) in &settings.env {
        let entry = format!("{key}={value}");
        match env
            .iter_mut()
            .find(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k) == key)
        {
            Some(existing) => *existing = entry,
            None => env.push(entry),
        }
    }
    run.insert("Env".into(), json!(env));

    if !settings.ports.is_empty() {
        let mut ports = match run.remove("ExposedPorts") {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        for port in &settings.ports {
            ports.insert(format!("{port}/tcp"), json!({}));
        }
        run.insert("ExposedPorts".into(), Value::Object(sorted(ports)));
    }
    if !settings.labels.is_empty() {
        let mut labels = match run.remove("Labels") {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        for (key, value) in &settings.labels {
            labels.insert(key.clone(), Value::from(value.clone()));
        }
        run.insert("Labels".into(), Value::Object(sorted(labels)));
    }
    config.insert("config".into(), Value::Object(run));

    let mut rootfs = match config.remove("rootfs") {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let mut diff_ids = rootfs
        .remove("diff_ids")
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    diff_ids.push(Value::from(diff_id));
    rootfs.insert("type".into(), Value::from("layers"));
    rootfs.insert("diff_ids".into(), Value::Array(diff_ids));
    config.insert("rootfs".into(), Value::Object(rootfs));

    let mut history = config
        .remove("history")
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    history.push(json!({
        "created": CREATED,
        "created_by": format!("rcdk: COPY {bin_name} {program}"),
    }));
    config.insert("history".into(), Value::Array(history));
    Value::Object(config)
}

/// The map with its keys in byte order: ports and labels given in any order give one digest.
fn sorted(map: Map<String, Value>) -> Map<String, Value> {
    let mut entries: Vec<(String, Value)> = map.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.into_iter().collect()
}

/// Builds the package's binary with cargo-lambda, fetches the base, and assembles the image
/// into `out_dir/asset.<hash>.image`; returns that directory. The binary is built for glibc
/// (zig) on a base image, statically (musl) on `scratch`.
pub async fn package_image(
    spec: &PackageImageSpec,
    out_dir: &Path,
    cache: &BlobCache,
) -> Result<PackagedImage> {
    let started = std::time::Instant::now();
    // The base first: a wrong reference fails in a second, not after a release build.
    let base = match &spec.base {
        BaseImage::Scratch => None,
        BaseImage::Reference(reference) => {
            Some(fetch_base(reference, spec.settings.arch, cache).await?)
        }
    };
    let base_time = started.elapsed();
    let started = std::time::Instant::now();
    let build_dir = tempfile::Builder::new()
        .prefix(".image-bin-")
        .tempdir_in(out_dir)
        .map_err(io_err("creating a directory in", out_dir))?;
    let (binary, bin_name) = LambdaBuild::new(&spec.manifest_path, &spec.package)
        .arch(spec.settings.arch)
        .musl(spec.base == BaseImage::Scratch)
        .build_binary(spec.bin.as_deref(), build_dir.path())?;
    let build_time = started.elapsed();
    let binary_bytes = std::fs::metadata(&binary)
        .map_err(io_err("reading", &binary))?
        .len();
    let started = std::time::Instant::now();
    let out = out_dir.join(layout_dir_name(&spec.hash));
    let image = assemble(
        base.as_ref(),
        cache,
        &binary,
        &bin_name,
        &spec.settings,
        &out,
    )?;
    Ok(PackagedImage {
        image,
        binary_bytes,
        base_time,
        build_time,
        assemble_time: started.elapsed(),
    })
}

/// Checks that `path` is an image this tool can push (an OCI layout directory or tar, or a
/// `docker save` archive); returns the path.
pub fn check_tarball(path: &Path) -> Result<PathBuf> {
    let scratch = std::env::temp_dir();
    read_image(path, &scratch)?;
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::Arch;

    #[test]
    fn config_merges_the_base() {
        let base = json!({
            "architecture": "amd64", "os": "linux", "author": "someone",
            "config": {"Env": ["PATH=/bin", "LANG=C"], "Cmd": ["sh"], "Labels": {"z": "1"}},
            "rootfs": {"type": "layers", "diff_ids": ["sha256:aa"]},
            "history": [{"created_by": "base"}],
        });
        let settings = ImageSettings {
            arch: Arch::X86_64,
            ports: vec![8080, 443],
            env: vec![
                ("LANG".into(), "C.UTF-8".into()),
                ("RUST_LOG".into(), "info".into()),
            ],
            labels: vec![("a".into(), "2".into())],
            user: "65532:65532".into(),
        };
        let c = image_config(Some(&base), "sha256:bb", "svc", &settings);
        assert_eq!(c["author"], "someone");
        assert_eq!(c["created"], CREATED);
        assert_eq!(c["config"]["Entrypoint"], json!(["/app/svc"]));
        assert!(c["config"].get("Cmd").is_none());
        assert_eq!(c["config"]["User"], "65532:65532");
        assert_eq!(
            c["config"]["Env"],
            json!(["PATH=/bin", "LANG=C.UTF-8", "RUST_LOG=info"])
        );
        assert_eq!(
            serde_json::to_string(&c["config"]["ExposedPorts"]).unwrap(),
            r#"{"443/tcp":{},"8080/tcp":{}}"#
        );
        assert_eq!(
            serde_json::to_string(&c["config"]["Labels"]).unwrap(),
            r#"{"a":"2","z":"1"}"#
        );
        assert_eq!(c["rootfs"]["diff_ids"], json!(["sha256:aa", "sha256:bb"]));
        assert_eq!(c["history"].as_array().unwrap().len(), 2);
        let scratch = image_config(None, "sha256:bb", "svc", &ImageSettings::default());
        assert_eq!(scratch["rootfs"]["diff_ids"], json!(["sha256:bb"]));
        assert!(scratch["config"]["Env"][0]
            .as_str()
            .unwrap()
            .starts_with("PATH="));
    }

    #[test]
    fn scratch_images_are_deterministic() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("svc");
        std::fs::write(&bin, b"\x7fELF static").unwrap();
        let cache = BlobCache::at(dir.path().join("cache"));
        let settings = ImageSettings {
            ports: vec![8080],
            ..ImageSettings::default()
        };
        let one = assemble(
            None,
            &cache,
            &bin,
            "svc",
            &settings,
            &dir.path().join("one"),
        )
        .unwrap();
        let two = assemble(
            None,
            &cache,
            &bin,
            "svc",
            &settings,
            &dir.path().join("two"),
        )
        .unwrap();
        assert_eq!(one.manifest_digest, two.manifest_digest);
        let image = read_image(&one.dir, dir.path()).unwrap();
        assert_eq!(image.digest(), one.manifest_digest);
        assert_eq!(image.layers.len(), 1);
        // Replacing a layout works (a second run of the executable).
        assemble(
            None,
            &cache,
            &bin,
            "svc",
            &settings,
            &dir.path().join("one"),
        )
        .unwrap();
        // Only the two layouts and the cache are left: no work directories.
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["one", "svc", "two"]);
    }
}
