//! File assets: a file or directory of the user's (or a command that builds one) that is
//! uploaded to the environment's staging bucket at deploy time, for resources that take code or
//! data from S3 (a Lambda function's code, a configuration bundle, ...).
//!
//! A [`FileAsset`] is a construct without a template entry: the asset manifest of the stack it is
//! placed in (`<StackId>.assets.json` in the output directory) lists it, with its source staged
//! in the output directory and its destination `s3://cdk-<qualifier>-assets-ACCOUNT-REGION/<key>`.
//!
//! # Content hash
//!
//! The object key is the asset's content hash, so a changed source is a new object and an
//! unchanged one is not uploaded again. The hash is the lower-case hex SHA-256 of:
//!
//! - the text `rcdk-file-asset-v1` and a zero byte, then
//! - for each regular file, in byte order of their paths relative to the asset's root (`/`
//!   separated; a single-file asset has one file with the empty path): the path, a zero byte, `x`
//!   if any executable bit is set and `-` otherwise, a zero byte, the length as 8 bytes little
//!   endian, and the file's bytes.
//!
//! Modification times, owners, other permission bits and empty directories do not count (a zip
//! of the directory has fixed timestamps and permissions 0644 / 0755). Symbolic links are
//! followed. Files matching an [`exclude`](FileAsset::exclude) pattern are left out of both the
//! hash and the staged copy.
//!
//! # Exclude patterns
//!
//! `*` matches within one path component, `**` any number of components, `?` one character. A
//! pattern without `/` matches a file or directory of that name at any depth (`target`,
//! `*.pyc`); a pattern with `/` matches the path from the asset's root (`docs/**/*.md`). A
//! directory that matches is left out with everything in it.
//!
//! # Speed
//!
//! Hashing reads every byte at each synthesis: about 1 GB/s with an optimized `sha2`, 40 MB/s
//! without. A debug build (`cargo run`) gets the fast one with these lines in the program's
//! `Cargo.toml`:
//!
//! ```toml
//! [profile.dev.package.sha2]
//! opt-level = 3
//! ```

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::cloud_assembly::Packaging;
use crate::construct::Construct;
use crate::element::{Element, ElementMut};
use crate::node::NodeId;
use crate::value::{Intrinsic, Target, Val, Value};

/// Why a file asset cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    /// The source path does not exist.
    #[error("asset path {} does not exist", path.display())]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// The source cannot be read.
    #[error("cannot read asset source {}: {source}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The source is neither a file nor a directory.
    #[error("asset path {} is neither a file nor a directory", path.display())]
    NotFileOrDirectory {
        /// The path given.
        path: PathBuf,
    },
    /// A command asset without a command, or a hash that is not usable as an object key.
    #[error("{0}")]
    Invalid(String),
}

/// Where an asset's content comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum AssetSource {
    /// A directory, zipped when published.
    Directory {
        /// The directory.
        path: PathBuf,
        /// Exclude patterns.
        exclude: Vec<String>,
    },
    /// A single file, uploaded as it is.
    File {
        /// The file.
        path: PathBuf,
    },
    /// A command run in the assembly directory at publish time; it prints the path of the file
    /// (a zip) to upload.
    Command {
        /// Program and arguments.
        command: Vec<String>,
    },
}

/// The element data of a file asset (what the asset manifest is written from).
#[derive(Debug, Clone, PartialEq)]
pub struct FileAssetDef {
    /// Node id.
    pub node: NodeId,
    /// The source.
    pub source: AssetSource,
    /// Content hash (lower-case hex).
    pub hash: String,
    /// Name shown while publishing; the construct path when `None`.
    pub display_name: Option<String>,
}

impl FileAssetDef {
    /// How the source is packaged.
    pub fn packaging(&self) -> Packaging {
        match self.source {
            AssetSource::Directory { .. } => Packaging::Zip,
            AssetSource::File { .. } | AssetSource::Command { .. } => Packaging::File,
        }
    }

    /// The object key in the staging bucket.
    pub fn object_key(&self) -> String {
        match &self.source {
            AssetSource::Directory { .. } | AssetSource::Command { .. } => {
                format!("{}.zip", self.hash)
            }
            AssetSource::File { path } => format!("{}{}", self.hash, extension(path)),
        }
    }

    /// The name of the staged copy inside the output directory (`None` for commands).
    pub fn staged_name(&self) -> Option<String> {
        match &self.source {
            AssetSource::Directory { .. } => Some(format!("asset.{}", self.hash)),
            AssetSource::File { path } => Some(format!("asset.{}{}", self.hash, extension(path))),
            AssetSource::Command { .. } => None,
        }
    }

    /// Copies the source into `out/<staged name>`, reusing `previous/<staged name>` (hard links,
    /// no copy of the data) when an earlier synthesis staged the same content there.
    pub fn stage(&self, out: &Path, previous: Option<&Path>) -> Result<(), AssetError> {
        let Some(name) = self.staged_name() else {
            return Ok(());
        };
        let target = out.join(&name);
        if target.exists() {
            // Another asset with the same content is already staged.
            return Ok(());
        }
        if let Some(old) = previous.map(|p| p.join(&name)).filter(|p| p.exists()) {
            return link_tree(&old, &target);
        }
        match &self.source {
            AssetSource::Directory { path, exclude } => copy_tree(path, exclude, &target),
            AssetSource::File { path } => copy(path, &target),
            AssetSource::Command { .. } => Ok(()),
        }
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default()
}

/// Copies the files of `dir` (without those `exclude` matches) into a new directory `target`.
pub(crate) fn copy_tree(dir: &Path, exclude: &[String], target: &Path) -> Result<(), AssetError> {
    let files = list_files(dir, exclude)?;
    fs::create_dir_all(target).map_err(|source| AssetError::Read {
        path: target.to_path_buf(),
        source,
    })?;
    for rel in files {
        let dest = target.join(&rel);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(|source| AssetError::Read {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        copy(&dir.join(&rel), &dest)?;
    }
    Ok(())
}

pub(crate) fn copy(from: &Path, to: &Path) -> Result<(), AssetError> {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|source| AssetError::Read {
            path: from.to_path_buf(),
            source,
        })
}

/// Hard-links every file of `from` into `to` (a file or a directory tree), copying where links
/// are not possible (another file system).
pub(crate) fn link_tree(from: &Path, to: &Path) -> Result<(), AssetError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| AssetError::Read { path, source }
    };
    if fs::metadata(from).map_err(io(from))?.is_dir() {
        fs::create_dir_all(to).map_err(io(to))?;
        for entry in fs::read_dir(from).map_err(io(from))? {
            let entry = entry.map_err(io(from))?;
            link_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else if fs::hard_link(from, to).is_ok() {
        Ok(())
    } else {
        copy(from, to)
    }
}

/// A file or directory uploaded to the staging bucket at deploy time.
///
/// ```no_run
/// use rcdk_core::asset::FileAsset;
/// use rcdk_core::{RawResource, Stack};
/// let site = FileAsset::from_path("site").unwrap().exclude(["*.map"]).unwrap();
/// let deployment = RawResource::new("Custom::Deployment")
///     .prop("SourceBucket", site.bucket_name())
///     .prop("SourceKey", site.object_key());
/// let stack = Stack::new("Web").with("Site", site).with("Deployment", deployment);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FileAsset {
    def: FileAssetDef,
}

impl FileAsset {
    /// An asset of a directory (zipped when published) or a single file (uploaded as it is).
    /// The content hash is computed now; a path that does not exist is an error naming it.
    pub fn from_path(path: impl AsRef<Path>) -> Result<FileAsset, AssetError> {
        FileAsset::from_path_excluding(path, Vec::<String>::new())
    }

    /// As [`FileAsset::from_path`], leaving out what `exclude` matches (see the module
    /// documentation for the patterns).
    pub fn from_path_excluding(
        path: impl AsRef<Path>,
        exclude: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<FileAsset, AssetError> {
        let path = path.as_ref().to_path_buf();
        let exclude: Vec<String> = exclude.into_iter().map(Into::into).collect();
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(AssetError::Missing { path })
            }
            Err(source) => return Err(AssetError::Read { path, source }),
        };
        let (source, hash) = if meta.is_dir() {
            let hash = hash_directory(&path, &exclude)?;
            (AssetSource::Directory { path, exclude }, hash)
        } else if meta.is_file() {
            let hash = hash_file(&path)?;
            (AssetSource::File { path }, hash)
        } else {
            return Err(AssetError::NotFileOrDirectory { path });
        };
        Ok(FileAsset {
            def: FileAssetDef {
                node: NodeId::fresh(),
                source,
                hash,
                display_name: None,
            },
        })
    }

    /// An asset produced by `command` at publish time (run in the assembly directory; it prints
    /// the path of the zip to upload). `source_hash` identifies the content: the caller hashes
    /// the command's inputs, so that unchanged inputs are not built and uploaded again.
    pub fn from_command(
        display_name: impl Into<String>,
        source_hash: impl Into<String>,
        command: Vec<String>,
    ) -> Result<FileAsset, AssetError> {
        let hash = source_hash.into();
        if command.is_empty() {
            return Err(AssetError::Invalid(
                "a command asset needs a command (program and arguments)".into(),
            ));
        }
        if hash.is_empty()
            || !hash
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(AssetError::Invalid(format!(
                "asset hash {hash:?} must be non-empty letters, digits, '-' or '_' (it becomes the object key)"
            )));
        }
        Ok(FileAsset {
            def: FileAssetDef {
                node: NodeId::fresh(),
                source: AssetSource::Command { command },
                hash,
                display_name: Some(display_name.into()),
            },
        })
    }

    /// Leaves out what `patterns` match and hashes again (directories only; a file asset is
    /// returned as it is).
    pub fn exclude(
        self,
        patterns: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<FileAsset, AssetError> {
        match &self.def.source {
            AssetSource::Directory { path, exclude } => {
                let mut all = exclude.clone();
                all.extend(patterns.into_iter().map(Into::into));
                let hash = hash_directory(path, &all)?;
                let path = path.clone();
                Ok(FileAsset {
                    def: FileAssetDef {
                        source: AssetSource::Directory { path, exclude: all },
                        hash,
                        ..self.def
                    },
                })
            }
            _ => Ok(self),
        }
    }

    /// Sets the name shown while publishing (the construct path by default).
    pub fn display_name(mut self, name: impl Into<String>) -> FileAsset {
        self.def.display_name = Some(name.into());
        self
    }

    /// The content hash (lower-case hex SHA-256 for paths, the caller's hash for commands).
    pub fn hash(&self) -> &str {
        &self.def.hash
    }

    /// The source.
    pub fn source(&self) -> &AssetSource {
        &self.def.source
    }

    /// The object key: `<hash>.zip` for directories and commands, `<hash>.<ext>` for files.
    pub fn object_key(&self) -> String {
        self.def.object_key()
    }

    /// The staging bucket's name, `cdk-<qualifier>-assets-${AWS::AccountId}-${AWS::Region}`
    /// (`Fn::Sub`), with the qualifier of the stack the asset is placed in.
    pub fn bucket_name(&self) -> Val<String> {
        Val::from_value_unchecked(Value::func(Intrinsic::Ref {
            target: Target::Node(self.def.node),
            list: false,
        }))
    }

    /// `s3://BUCKET/KEY` of the published object.
    pub fn s3_url(&self) -> Val<String> {
        crate::fns::join(
            "",
            vec![
                Val::from("s3://"),
                self.bucket_name(),
                Val::from(format!("/{}", self.object_key())),
            ],
        )
    }

    /// The node id.
    pub fn node(&self) -> NodeId {
        self.def.node
    }
}

impl Construct for FileAsset {
    fn construct_type(&self) -> &str {
        "FileAsset"
    }
    fn element(&self) -> Option<Element<'_>> {
        Some(Element::FileAsset(&self.def))
    }
    fn element_mut(&mut self) -> Option<ElementMut<'_>> {
        Some(ElementMut::FileAsset(&mut self.def))
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }
}

const HASH_TAG: &[u8] = b"rcdk-file-asset-v1\0";

/// The content hash (see the module documentation) of a file, or of every file of a directory:
/// what a publisher checks a staged copy against before uploading it.
pub fn content_hash(path: &Path) -> Result<String, AssetError> {
    let meta = fs::metadata(path).map_err(|_| AssetError::Missing {
        path: path.to_path_buf(),
    })?;
    if meta.is_dir() {
        hash_directory(path, &[])
    } else if meta.is_file() {
        hash_file(path)
    } else {
        Err(AssetError::NotFileOrDirectory {
            path: path.to_path_buf(),
        })
    }
}

fn hash_file(path: &Path) -> Result<String, AssetError> {
    let mut h = Sha256::new();
    h.update(HASH_TAG);
    hash_entry(&mut h, "", path)?;
    Ok(hex(&h.finalize()))
}

fn hash_directory(dir: &Path, exclude: &[String]) -> Result<String, AssetError> {
    let files = list_files(dir, exclude)?;
    let mut h = Sha256::new();
    h.update(HASH_TAG);
    for rel in &files {
        hash_entry(&mut h, rel, &dir.join(rel))?;
    }
    Ok(hex(&h.finalize()))
}

/// Feeds one file into `h` as the content hash does (path, executable bit, length, bytes),
/// reading it in chunks.
pub(crate) fn hash_entry(h: &mut Sha256, rel: &str, path: &Path) -> Result<(), AssetError> {
    let err = |source| AssetError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = fs::File::open(path).map_err(err)?;
    let meta = file.metadata().map_err(err)?;
    h.update(rel.as_bytes());
    h.update([0, if executable(&meta) { b'x' } else { b'-' }, 0]);
    h.update(meta.len().to_le_bytes());
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        h.update(&buf[..n]);
    }
    if total != meta.len() {
        return Err(AssetError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::other("the file changed while it was read"),
        });
    }
    Ok(())
}

#[cfg(unix)]
fn executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn executable(_meta: &fs::Metadata) -> bool {
    false
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The regular files below `dir` (symbolic links followed), as `/`-separated relative paths in
/// byte order, without those `exclude` matches.
pub fn list_files(dir: &Path, exclude: &[String]) -> Result<Vec<String>, AssetError> {
    let mut out = Vec::new();
    walk(dir, "", exclude, &mut out, 0)?;
    out.sort();
    Ok(out)
}

// Deep enough for any real tree; stops a loop of symbolic links.
const MAX_DEPTH: usize = 64;

fn walk(
    dir: &Path,
    rel: &str,
    exclude: &[String],
    out: &mut Vec<String>,
    depth: usize,
) -> Result<(), AssetError> {
    let err = |source| AssetError::Read {
        path: dir.to_path_buf(),
        source,
    };
    if depth > MAX_DEPTH {
        return Err(err(std::io::Error::other(
            "directories nested more than 64 deep (a loop of symbolic links?)",
        )));
    }
    for entry in fs::read_dir(dir).map_err(err)? {
        let entry = entry.map_err(err)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let child = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if excluded(&child, &name, exclude) {
            continue;
        }
        let path = entry.path();
        let meta = fs::metadata(&path).map_err(|source| AssetError::Read {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk(&path, &child, exclude, out, depth + 1)?;
        } else if meta.is_file() {
            out.push(child);
        }
    }
    Ok(())
}

fn excluded(rel: &str, name: &str, patterns: &[String]) -> bool {
    patterns.iter().any(|p| {
        let p = p.trim_start_matches("./").trim_end_matches('/');
        if p.contains('/') {
            glob(
                &p.split('/').collect::<Vec<_>>(),
                &rel.split('/').collect::<Vec<_>>(),
            )
        } else {
            segment(p.as_bytes(), name.as_bytes())
        }
    })
}

/// Matches path components against pattern components (`**` spans any number of them).
fn glob(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|i| glob(rest, &path[i..])),
        Some((first, rest)) => match path.split_first() {
            Some((p, path_rest)) => {
                segment(first.as_bytes(), p.as_bytes()) && glob(rest, path_rest)
            }
            None => false,
        },
    }
}

/// Matches one component: `*` any run of characters, `?` one.
fn segment(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| segment(rest, &text[i..])),
        Some((b'?', rest)) => !text.is_empty() && segment(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && segment(rest, &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let ex = |p: &[&str], rel: &str| {
            let name = rel.rsplit('/').next().unwrap();
            excluded(
                rel,
                name,
                &p.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        };
        assert!(ex(&["*.pyc"], "a/b/c.pyc"));
        assert!(!ex(&["*.pyc"], "a/b/c.py"));
        assert!(ex(&["target"], "x/target"));
        assert!(ex(&["docs/**/*.md"], "docs/a/b/c.md"));
        assert!(ex(&["docs/**/*.md"], "docs/c.md"));
        assert!(!ex(&["docs/**/*.md"], "src/c.md"));
        assert!(ex(&["src/?.rs"], "src/a.rs"));
        assert!(!ex(&["src/?.rs"], "src/ab.rs"));
    }
}
