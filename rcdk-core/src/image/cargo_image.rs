//! Images of a package of the user's Cargo workspace, assembled without a daemon at publish
//! time by `cargo-rcdk package-image`.

use std::collections::BTreeMap;
use std::path::Path;

use super::{
    default_base_image, is_pinned_reference, Arch, ImageAsset, ImageAssetDef, ImageAssetSource,
    ImageError, DEFAULT_USER, PACKAGE_IMAGE_COMMAND, PACKAGE_IMAGE_SUBCOMMAND, SCRATCH,
};
use crate::cargo::CargoPackage;
use crate::node::NodeId;

/// An image built from a package of the user's Cargo workspace, without a daemon (see the
/// module documentation). Settings are checked when the image is placed in a stack: a problem
/// is an error of synthesis naming the construct's path.
///
/// ```no_run
/// use rcdk_core::image::{Arch, CargoImage};
/// let image = CargoImage::find("user-service")?
///     .port(3000)
///     .env("RUST_LOG", "info")
///     .arch(Arch::Arm64);
/// let asset = image.asset()?;
/// # Ok::<(), rcdk_core::image::ImageError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CargoImage {
    package: CargoPackage,
    bin: Option<String>,
    base: String,
    arch: Arch,
    ports: Vec<u16>,
    env: BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
    user: String,
}

impl CargoImage {
    /// The package `name` of the workspace this program is built in (see
    /// [`CargoPackage::find`]); an unknown package or one without a binary target is an error.
    pub fn find(name: &str) -> Result<CargoImage, ImageError> {
        CargoImage::new(CargoPackage::find(name)?)
    }

    /// As [`CargoImage::find`], in the workspace that holds directory `dir`.
    pub fn find_in(dir: &Path, name: &str) -> Result<CargoImage, ImageError> {
        CargoImage::new(CargoPackage::find_in(dir, name)?)
    }

    /// An image of `package`, with the defaults: [`default_base_image`], x86_64, user
    /// [`DEFAULT_USER`], no port, environment or labels.
    pub fn new(package: CargoPackage) -> Result<CargoImage, ImageError> {
        if package.binaries().is_empty() {
            return Err(ImageError::Invalid(format!(
                "package `{}` has no binary target, so there is no program to put in an image: \
                 add `src/main.rs` or a `[[bin]]` section to {}",
                package.name(),
                package.manifest_path().display()
            )));
        }
        Ok(CargoImage {
            package,
            bin: None,
            base: default_base_image(),
            arch: Arch::default(),
            ports: Vec::new(),
            env: BTreeMap::new(),
            labels: BTreeMap::new(),
            user: DEFAULT_USER.to_string(),
        })
    }

    /// The base image, named by digest: `REGISTRY/NAME[:TAG]@sha256:<digest>`.
    pub fn base(mut self, reference: impl Into<String>) -> CargoImage {
        self.base = reference.into();
        self
    }

    /// No base image: the binary alone (it must be static, e.g. built for musl).
    pub fn scratch(mut self) -> CargoImage {
        self.base = SCRATCH.to_string();
        self
    }

    /// The binary target to run, when the package has several.
    pub fn bin(mut self, name: impl Into<String>) -> CargoImage {
        self.bin = Some(name.into());
        self
    }

    /// A TCP port the program listens on (`ExposedPorts`); may be given several times.
    pub fn port(mut self, port: u16) -> CargoImage {
        if !self.ports.contains(&port) {
            self.ports.push(port);
        }
        self
    }

    /// An environment variable of the image.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> CargoImage {
        self.env.insert(name.into(), value.into());
        self
    }

    /// A label of the image.
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> CargoImage {
        self.labels.insert(name.into(), value.into());
        self
    }

    /// The user the program runs as: `UID` or `UID:GID`, numeric (the image may have no
    /// `/etc/passwd` to look a name up in).
    pub fn user(mut self, user: impl Into<String>) -> CargoImage {
        self.user = user.into();
        self
    }

    /// The user the image's program runs as (`UID` or `UID:GID`; [`DEFAULT_USER`] unless
    /// [`CargoImage::user`] changed it): what a task definition can state as its `User`.
    pub fn run_as(&self) -> &str {
        &self.user
    }

    /// The instruction set (x86_64 by default).
    pub fn arch(mut self, arch: Arch) -> CargoImage {
        self.arch = arch;
        self
    }

    /// The base reference.
    pub fn base_reference(&self) -> &str {
        &self.base
    }

    /// The package.
    pub fn package(&self) -> &CargoPackage {
        &self.package
    }

    /// The ports given so far.
    pub fn ports(&self) -> &[u16] {
        &self.ports
    }

    /// The instruction set.
    pub fn architecture(&self) -> Arch {
        self.arch
    }

    /// What is wrong with the settings, each with what to change (empty when they are fine).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !is_pinned_reference(&self.base) {
            out.push(format!(
                "base image `{}` is not named by a digest, so the same sources could give \
                 another image: write it as `REF@sha256:<64 hex digits>` (`skopeo inspect \
                 docker://REF` prints the digest), keep the default base, or use .scratch() for \
                 a static binary",
                self.base
            ));
        }
        match &self.bin {
            Some(bin) if !self.package.binaries().contains(bin) => out.push(format!(
                "package `{}` has no binary `{bin}`; its binaries are: {}",
                self.package.name(),
                self.package.binaries().join(", ")
            )),
            None if self.package.binaries().len() > 1 => out.push(format!(
                "package `{}` has several binaries ({}): choose one with .bin(NAME)",
                self.package.name(),
                self.package.binaries().join(", ")
            )),
            _ => {}
        }
        if self.ports.contains(&0) {
            out.push("port 0 cannot be exposed: give the port the program listens on".into());
        }
        for name in self.env.keys() {
            if name.is_empty() || name.contains('=') || name.contains('\0') {
                out.push(format!(
                    "environment variable name `{name}` is not valid: it must be non-empty, \
                     without `=`"
                ));
            }
        }
        for name in self.labels.keys() {
            if name.is_empty() {
                out.push("a label has an empty name: give it one".into());
            }
        }
        if !valid_user(&self.user) {
            out.push(format!(
                "user `{}` is not `UID` or `UID:GID` (numbers): the image may have no \
                 /etc/passwd to look a name up in",
                self.user
            ));
        }
        out
    }

    /// Notes that are not errors (running as root).
    fn warnings(&self) -> Vec<String> {
        if self.user.split(':').next() == Some("0") {
            vec![format!(
                "the image runs as root (user `{}`): give a non-root .user(\"UID:GID\") unless \
                 the program must be root",
                self.user
            )]
        } else {
            Vec::new()
        }
    }

    /// The binary the image runs: the chosen one, or the package's only one.
    pub fn binary(&self) -> Option<&str> {
        self.bin.as_deref().or(match self.package.binaries() {
            [only] => Some(only.as_str()),
            _ => None,
        })
    }

    /// The content hash (see the module documentation). Reads every input file.
    pub fn hash(&self) -> Result<String, ImageError> {
        // The settings, then the sources: images of one package with the same settings (the
        // services that run it) share the sources' digest (see
        // [`CargoPackage::digest_inputs_after`]).
        let mut settings: Vec<u8> = b"rcdk-cargo-image-v1\0".to_vec();
        let mut field = |name: &str, value: &str| {
            settings.extend_from_slice(name.as_bytes());
            settings.push(0);
            settings.extend_from_slice(&(value.len() as u64).to_le_bytes());
            settings.extend_from_slice(value.as_bytes());
        };
        field("package", self.package.name());
        field("bin", self.bin.as_deref().unwrap_or(""));
        field("base", &self.base);
        field("arch", self.arch.as_str());
        for port in &self.ports {
            field("port", &port.to_string());
        }
        for (k, v) in &self.env {
            field("env", &format!("{k}={v}"));
        }
        for (k, v) in &self.labels {
            field("label", &format!("{k}={v}"));
        }
        field("user", &self.user);
        Ok(self.package.digest_inputs_after(&settings)?)
    }

    /// The publish-time command (see the crate's asset-manifest contract): run in the assembly
    /// directory, it builds the image and prints the path of its OCI layout last.
    pub fn command(&self, hash: &str) -> Vec<String> {
        let mut c: Vec<String> = vec![
            PACKAGE_IMAGE_COMMAND.into(),
            PACKAGE_IMAGE_SUBCOMMAND.into(),
            "--manifest-path".into(),
            self.package.manifest_path().to_string_lossy().into_owned(),
            "--package".into(),
            self.package.name().into(),
        ];
        if let Some(bin) = &self.bin {
            c.extend(["--bin".into(), bin.clone()]);
        }
        c.extend([
            "--base".into(),
            self.base.clone(),
            "--arch".into(),
            self.arch.as_str().into(),
        ]);
        for port in &self.ports {
            c.extend(["--port".into(), port.to_string()]);
        }
        for (k, v) in &self.env {
            c.extend(["--env".into(), format!("{k}={v}")]);
        }
        for (k, v) in &self.labels {
            c.extend(["--label".into(), format!("{k}={v}")]);
        }
        c.extend([
            "--user".into(),
            self.user.clone(),
            "--hash".into(),
            hash.into(),
        ]);
        c
    }

    /// The image asset: hashes the sources now.
    pub fn asset(&self) -> Result<ImageAsset, ImageError> {
        let hash = self.hash()?;
        let mut problems = self.problems();
        problems.extend(self.warnings().into_iter().map(|w| format!("warning: {w}")));
        Ok(ImageAsset::new(ImageAssetDef {
            node: NodeId::fresh(),
            source: ImageAssetSource::Executable {
                command: self.command(&hash),
            },
            display_name: Some(format!("{} ({})", self.package.name(), self.arch.as_str())),
            hash,
            problems,
        }))
    }
}

fn valid_user(user: &str) -> bool {
    let number = |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
    match user.split_once(':') {
        Some((uid, gid)) => number(uid) && number(gid),
        None => number(user),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users() {
        assert!(valid_user("65532:65532"));
        assert!(valid_user("1000"));
        assert!(!valid_user("nonroot"));
        assert!(!valid_user("1000:"));
    }
}
