//! Images built from a Dockerfile by the container CLI at publish time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{hex, ImageAsset, ImageAssetDef, ImageAssetSource, ImageError};
use crate::asset::{list_files, AssetError};
use crate::node::NodeId;

/// An image built from a Dockerfile by the container CLI at publish time (`CDK_DOCKER`,
/// default `docker`; podman and finch take the same commands). The directory is the build
/// context, staged into the assembly as `asset.<hash>/`.
#[derive(Debug, Clone, PartialEq)]
pub struct DockerfileImage {
    directory: PathBuf,
    file: Option<String>,
    target: Option<String>,
    build_args: BTreeMap<String, String>,
    platform: Option<String>,
    exclude: Vec<String>,
}

impl DockerfileImage {
    /// The build context `directory`, which must exist (its `Dockerfile` is checked when the
    /// image is placed in a stack, after [`DockerfileImage::file`] could name another).
    pub fn new(directory: impl AsRef<Path>) -> Result<DockerfileImage, ImageError> {
        let directory = directory.as_ref().to_path_buf();
        if !directory.is_dir() {
            return Err(if directory.exists() {
                ImageError::Invalid(format!(
                    "{} is not a directory: give the directory that holds the Dockerfile (the \
                     build context)",
                    directory.display()
                ))
            } else {
                ImageError::Asset(AssetError::Missing { path: directory })
            });
        }
        Ok(DockerfileImage {
            directory,
            file: None,
            target: None,
            build_args: BTreeMap::new(),
            platform: None,
            exclude: Vec::new(),
        })
    }

    /// The Dockerfile's name, relative to the directory (`Dockerfile` by default).
    pub fn file(mut self, name: impl Into<String>) -> DockerfileImage {
        self.file = Some(name.into());
        self
    }

    /// The build stage to stop at (`--target`).
    pub fn target(mut self, stage: impl Into<String>) -> DockerfileImage {
        self.target = Some(stage.into());
        self
    }

    /// A build argument (`--build-arg NAME=VALUE`).
    pub fn build_arg(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> DockerfileImage {
        self.build_args.insert(name.into(), value.into());
        self
    }

    /// The platform to build for, `OS/ARCH[/VARIANT]` (`linux/amd64`, `linux/arm64`).
    pub fn platform(mut self, platform: impl Into<String>) -> DockerfileImage {
        self.platform = Some(platform.into());
        self
    }

    /// Leaves files out of the context and its hash (patterns as for file assets: `target`,
    /// `*.log`, `docs/**`).
    pub fn exclude(
        mut self,
        patterns: impl IntoIterator<Item = impl Into<String>>,
    ) -> DockerfileImage {
        self.exclude.extend(patterns.into_iter().map(Into::into));
        self
    }

    /// What is wrong with the settings (empty when they are fine).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let file = self.file.as_deref().unwrap_or("Dockerfile");
        if file.is_empty()
            || Path::new(file).is_absolute()
            || file.split(['/', '\\']).any(|c| c == "..")
        {
            out.push(format!(
                "Dockerfile `{file}` must be a path inside the build context {}",
                self.directory.display()
            ));
        } else if !self.directory.join(file).is_file() {
            out.push(format!(
                "there is no Dockerfile `{file}` in {}: add it, or name the file with \
                 .file(NAME)",
                self.directory.display()
            ));
        }
        if let Some(target) = &self.target {
            if target.is_empty() || target.contains(char::is_whitespace) {
                out.push(format!("build target `{target}` is not a stage name"));
            }
        }
        for name in self.build_args.keys() {
            if name.is_empty() || name.contains('=') || name.contains(char::is_whitespace) {
                out.push(format!(
                    "build argument name `{name}` is not valid: it must be non-empty, without \
                     `=` or spaces"
                ));
            }
        }
        if let Some(p) = &self.platform {
            let parts: Vec<&str> = p.split('/').collect();
            if !(2..=3).contains(&parts.len()) || parts.iter().any(|s| s.is_empty()) {
                out.push(format!(
                    "platform `{p}` is not `OS/ARCH[/VARIANT]`, e.g. `linux/amd64` or \
                     `linux/arm64`"
                ));
            }
        }
        out
    }

    /// The content hash (see the module documentation). Reads every file of the context.
    pub fn hash(&self) -> Result<String, ImageError> {
        let mut h = Sha256::new();
        h.update(b"rcdk-docker-image-v1\0");
        for rel in list_files(&self.directory, &self.exclude)? {
            // As for file assets: the executable bit counts (`COPY` keeps it).
            crate::asset::hash_entry(&mut h, &rel, &self.directory.join(&rel))?;
        }
        let mut field = |name: &str, value: &str| {
            h.update(name.as_bytes());
            h.update([0]);
            h.update((value.len() as u64).to_le_bytes());
            h.update(value.as_bytes());
        };
        field("file", self.file.as_deref().unwrap_or("Dockerfile"));
        field("target", self.target.as_deref().unwrap_or(""));
        for (k, v) in &self.build_args {
            field("arg", &format!("{k}={v}"));
        }
        field("platform", self.platform.as_deref().unwrap_or(""));
        Ok(hex(&h.finalize()))
    }

    /// The image asset: hashes the build context now.
    pub fn asset(&self) -> Result<ImageAsset, ImageError> {
        let hash = self.hash()?;
        let name = self
            .directory
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.directory.display().to_string());
        Ok(ImageAsset::new(ImageAssetDef {
            node: NodeId::fresh(),
            source: ImageAssetSource::Directory {
                path: self.directory.clone(),
                exclude: self.exclude.clone(),
                docker_file: self.file.clone(),
                target: self.target.clone(),
                build_args: self.build_args.clone(),
                platform: self.platform.clone(),
            },
            display_name: Some(format!("{name} (Dockerfile)")),
            hash,
            problems: self.problems(),
        }))
    }
}
