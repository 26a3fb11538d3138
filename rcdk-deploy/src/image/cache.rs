//! The on-disk cache of base image blobs (manifests, configs, layers), by digest: a base named
//! by digest is fetched once per machine. Location: `$RCDK_OCI_CACHE`, else
//! `$XDG_CACHE_HOME/rcdk/oci`, else `~/.cache/rcdk/oci`; blobs are `blobs/sha256/<hex>`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::{io_err, ImageError, Result};
use super::layer::digest_of;
use super::spec::valid_digest;

/// A content-addressed blob store on disk.
#[derive(Debug, Clone)]
pub struct BlobCache {
    root: PathBuf,
}

impl BlobCache {
    /// The cache at its default location (see the module documentation).
    pub fn default_location() -> Result<BlobCache> {
        if let Some(dir) = std::env::var_os("RCDK_OCI_CACHE").filter(|d| !d.is_empty()) {
            return Ok(BlobCache::at(dir));
        }
        if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
            return Ok(BlobCache::at(PathBuf::from(dir).join("rcdk/oci")));
        }
        match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
            Some(home) => Ok(BlobCache::at(PathBuf::from(home).join(".cache/rcdk/oci"))),
            None => Err(ImageError::Spec(
                "no cache directory for base images: set RCDK_OCI_CACHE (or HOME)".into(),
            )),
        }
    }

    /// A cache rooted at `root` (created when first written).
    pub fn at(root: impl Into<PathBuf>) -> BlobCache {
        BlobCache { root: root.into() }
    }

    /// The cache's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the blob `digest` is (or would be) stored.
    pub fn path(&self, digest: &str) -> Result<PathBuf> {
        if !valid_digest(digest) {
            return Err(ImageError::Spec(format!(
                "{digest:?} is not a sha256 digest"
            )));
        }
        Ok(self
            .root
            .join("blobs/sha256")
            .join(&digest["sha256:".len()..]))
    }

    /// The stored blob `digest`, if it is there.
    pub fn get(&self, digest: &str) -> Option<PathBuf> {
        self.path(digest).ok().filter(|p| p.is_file())
    }

    /// Reads the stored blob `digest`, if it is there.
    pub fn read(&self, digest: &str) -> Option<Vec<u8>> {
        let bytes = fs::read(self.get(digest)?).ok()?;
        // A blob damaged on disk is treated as absent and fetched again.
        (digest_of(&bytes) == digest).then_some(bytes)
    }

    /// Stores `bytes` as blob `digest` after checking that they have that digest.
    pub fn put(&self, digest: &str, bytes: &[u8]) -> Result<PathBuf> {
        let path = self.path(digest)?;
        let actual = digest_of(bytes);
        if actual != digest {
            return Err(ImageError::Layout {
                path,
                message: format!("content has digest {actual}, expected {digest}"),
            });
        }
        let tmp = self.temp_path()?;
        let mut file = fs::File::create(&tmp).map_err(io_err("writing", &tmp))?;
        file.write_all(bytes).map_err(io_err("writing", &tmp))?;
        drop(file);
        self.commit(&tmp, digest)
    }

    /// A fresh temporary file name inside the cache (same file system as the blobs, so
    /// [`BlobCache::commit`] is a rename).
    pub fn temp_path(&self) -> Result<PathBuf> {
        let dir = self.root.join("tmp");
        fs::create_dir_all(&dir).map_err(io_err("creating directory", &dir))?;
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(dir.join(format!("{}-{n}", std::process::id())))
    }

    /// Moves a verified temporary file into place as blob `digest`: readers never see a
    /// partial blob, and two processes storing the same blob both succeed.
    pub fn commit(&self, tmp: &Path, digest: &str) -> Result<PathBuf> {
        let path = self.path(digest)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_err("creating directory", parent))?;
        }
        fs::rename(tmp, &path).map_err(io_err("storing", &path))?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_checked_and_found() {
        let dir = tempfile::tempdir().unwrap();
        let cache = BlobCache::at(dir.path());
        let digest = digest_of(b"hello");
        assert!(cache.get(&digest).is_none());
        cache.put(&digest, b"hello").unwrap();
        assert_eq!(cache.read(&digest).unwrap(), b"hello");
        assert!(cache.put(&digest, b"other").is_err());
        assert!(cache.path("sha256:../../etc/passwd").is_err());
    }
}
