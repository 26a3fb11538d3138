//! The layer that holds the binary: a tar with `app/` and `app/<bin>`, gzip-compressed, the same
//! bytes for the same binary on every machine (fixed times, owner, modes and entry order; gzip
//! without a name or a timestamp, at a fixed level).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use flate2::{Compression, GzBuilder};
use sha2::{Digest, Sha256};

use super::error::{io_err, ImageError, Result};

/// The directory of the binary inside the image.
pub const APP_DIR: &str = "/app";

/// The gzip level of the binary's layer: it is part of the layer's bytes, so it is fixed. Level
/// 6 (zlib's default) is what registries and other builders use; level 9 saves ~1% for twice
/// the time on release binaries.
const GZIP_LEVEL: u32 = 6;

/// A layer written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerBlob {
    /// `sha256:` of the compressed bytes (the blob's digest).
    pub digest: String,
    /// `sha256:` of the uncompressed tar (the config's `diff_id`).
    pub diff_id: String,
    /// Compressed size in bytes.
    pub size: u64,
}

/// A writer that hashes and counts what goes through it.
pub(crate) struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    count: u64,
}

impl<W: Write> HashingWriter<W> {
    pub(crate) fn new(inner: W) -> HashingWriter<W> {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            count: 0,
        }
    }

    /// The inner writer, `sha256:<hex>` and the byte count.
    pub(crate) fn finish(self) -> (W, String, u64) {
        (self.inner, hex_digest(self.hasher), self.count)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

pub(crate) fn hex_digest(hasher: Sha256) -> String {
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// `sha256:<hex>` of bytes.
pub(crate) fn digest_of(bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(bytes);
    hex_digest(h)
}

/// Writes the layer holding `binary` as `/app/<name>` (mode 0755, owner 0:0, time 0) to `out`.
pub fn binary_layer(binary: &Path, name: &str, out: &Path) -> Result<LayerBlob> {
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Err(ImageError::Spec(format!(
            "{name:?} cannot be a file name in the image"
        )));
    }
    let mut source = File::open(binary).map_err(io_err("reading", binary))?;
    let size = source.metadata().map_err(io_err("reading", binary))?.len();
    let file = File::create(out).map_err(io_err("writing", out))?;
    let compressed = HashingWriter::new(BufWriter::with_capacity(1 << 20, file));
    let gz = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(compressed, Compression::new(GZIP_LEVEL));
    let mut tar = tar::Builder::new(HashingWriter::new(gz));
    let write_err = io_err("writing", out);
    let result = (|| -> io::Result<()> {
        let dir = APP_DIR.trim_start_matches('/');
        let mut header = fixed_header(tar::EntryType::Directory, 0o755, 0);
        tar.append_data(&mut header, format!("{dir}/"), io::empty())?;
        let mut header = fixed_header(tar::EntryType::Regular, 0o755, size);
        tar.append_data(&mut header, format!("{dir}/{name}"), &mut source)?;
        Ok(())
    })();
    result.map_err(write_err)?;
    let uncompressed = tar.into_inner().map_err(io_err("writing", out))?;
    let (gz, diff_id, _) = uncompressed.finish();
    let compressed = gz.finish().map_err(io_err("writing", out))?;
    let (mut file, digest, size) = compressed.finish();
    file.flush().map_err(io_err("writing", out))?;
    Ok(LayerBlob {
        digest,
        diff_id,
        size,
    })
}

/// A ustar header with everything that could vary between machines fixed.
fn fixed_header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut header = tar::Header::new_ustar();
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_size(size);
    // Empty names rather than the builder's: `root` is not in a scratch image's /etc/passwd.
    let _ = header.set_username("");
    let _ = header.set_groupname("");
    header
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn the_same_binary_gives_the_same_layer() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("svc");
        std::fs::write(&bin, b"\x7fELF binary bytes").unwrap();
        let one = binary_layer(&bin, "svc", &dir.path().join("one.tar.gz")).unwrap();
        let two = binary_layer(&bin, "svc", &dir.path().join("two.tar.gz")).unwrap();
        assert_eq!(one, two);
        let bytes = std::fs::read(dir.path().join("one.tar.gz")).unwrap();
        assert_eq!(digest_of(&bytes), one.digest);
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut tar)
            .unwrap();
        assert_eq!(digest_of(&tar), one.diff_id);
        let mut archive = tar::Archive::new(&tar[..]);
        let entries: Vec<(String, u32, u64)> = archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                (
                    e.path().unwrap().display().to_string(),
                    h.mode().unwrap(),
                    h.mtime().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            entries,
            [("app/".into(), 0o755, 0), ("app/svc".into(), 0o755, 0)]
        );
        assert!(binary_layer(&bin, "../x", &dir.path().join("x")).is_err());
    }
}
