//! The settings of an image built from a Rust package: what the hidden `cargo rcdk
//! package-image` subcommand receives from the asset manifest's `executable` source.

use std::path::PathBuf;

use super::error::{ImageError, Result};
use crate::package::Arch;

/// The user images run as unless told otherwise: distroless's `nonroot`.
pub const DEFAULT_USER: &str = "65532:65532";

/// The name of the OCI layout directory `package-image` writes for asset `hash`.
pub fn layout_dir_name(hash: &str) -> String {
    format!("asset.{hash}.image")
}

/// What the image is built on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseImage {
    /// No base: the image holds only the binary (it must be static).
    Scratch,
    /// An image named by digest, `REGISTRY/REPO[:TAG]@sha256:HEX`.
    Reference(String),
}

impl std::str::FromStr for BaseImage {
    type Err = ImageError;

    /// `scratch`, or a reference that names a digest: a tag alone could move, and the same
    /// inputs must give the same image.
    fn from_str(s: &str) -> Result<BaseImage> {
        if s == "scratch" {
            return Ok(BaseImage::Scratch);
        }
        let bad = |reason: &str| ImageError::BaseReference {
            reference: s.to_string(),
            reason: reason.to_string(),
        };
        let reference: oci_client::Reference = s
            .parse()
            .map_err(|e| bad(&format!("not an image reference ({e})")))?;
        match reference.digest() {
            Some(d) if valid_digest(d) => Ok(BaseImage::Reference(s.to_string())),
            Some(_) => Err(bad("the digest must be sha256: followed by 64 hex digits")),
            None => Err(bad(
                "name it by digest (REF@sha256:...), so the same inputs give the same image; `skopeo inspect` or `docker buildx imagetools inspect` shows the digest",
            )),
        }
    }
}

/// Whether `digest` is `sha256:` and 64 lowercase hex digits (also what keeps a digest from
/// naming a path outside the blob directories).
pub fn valid_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// The configuration an image gets on top of its base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSettings {
    /// The platform's architecture.
    pub arch: Arch,
    /// Ports listed in `ExposedPorts` (`N/tcp`).
    pub ports: Vec<u16>,
    /// Environment variables, added to (or replacing those of) the base's.
    pub env: Vec<(String, String)>,
    /// Labels, added to the base's.
    pub labels: Vec<(String, String)>,
    /// `UID[:GID]` the process runs as.
    pub user: String,
}

impl Default for ImageSettings {
    fn default() -> ImageSettings {
        ImageSettings {
            arch: Arch::X86_64,
            ports: Vec::new(),
            env: Vec::new(),
            labels: Vec::new(),
            user: DEFAULT_USER.to_string(),
        }
    }
}

/// Everything `package-image` needs to build the image of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageImageSpec {
    /// The package's (or workspace's) `Cargo.toml`.
    pub manifest_path: PathBuf,
    /// The package.
    pub package: String,
    /// Its binary target (the only one when `None`).
    pub bin: Option<String>,
    /// The base image.
    pub base: BaseImage,
    /// The image configuration.
    pub settings: ImageSettings,
    /// The asset hash (names the output directory).
    pub hash: String,
}

/// Parses `KEY=VALUE` (`--env`, `--label`); the key must be non-empty.
pub fn parse_key_value(s: &str) -> Result<(String, String)> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() && !k.contains(char::is_whitespace) => {
            Ok((k.to_string(), v.to_string()))
        }
        _ => Err(ImageError::Spec(format!(
            "{s:?} is not KEY=VALUE (a non-empty key without spaces, then `=`)"
        ))),
    }
}

/// Checks a user: `UID` or `UID:GID` in numbers (a name would need the base's /etc/passwd,
/// which a scratch image does not have).
pub fn parse_user(s: &str) -> Result<String> {
    let numeric = |p: &str| !p.is_empty() && p.len() <= 10 && p.bytes().all(|b| b.is_ascii_digit());
    let ok = match s.split_once(':') {
        Some((u, g)) => numeric(u) && numeric(g),
        None => numeric(s),
    };
    if ok {
        Ok(s.to_string())
    } else {
        Err(ImageError::Spec(format!(
            "user {s:?} is not UID or UID:GID in numbers (e.g. 65532:65532)"
        )))
    }
}

/// Checks an asset hash: 64 lowercase hex digits (it names files in the assembly directory).
pub fn parse_hash(s: &str) -> Result<String> {
    if valid_digest(&format!("sha256:{s}")) {
        Ok(s.to_string())
    } else {
        Err(ImageError::Spec(format!(
            "--hash {s:?} is not 64 lowercase hex digits"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f";

    #[test]
    fn bases_need_a_digest() {
        assert_eq!("scratch".parse::<BaseImage>().unwrap(), BaseImage::Scratch);
        let by_digest = format!("gcr.io/distroless/cc-debian12:nonroot@{DIGEST}");
        assert_eq!(
            by_digest.parse::<BaseImage>().unwrap(),
            BaseImage::Reference(by_digest.clone())
        );
        let e = "gcr.io/distroless/cc-debian12:nonroot"
            .parse::<BaseImage>()
            .unwrap_err()
            .to_string();
        assert!(e.contains("by digest"), "{e}");
        assert!("Not A Reference@@".parse::<BaseImage>().is_err());
    }

    #[test]
    fn values_are_checked() {
        assert_eq!(
            parse_key_value("RUST_LOG=info=x").unwrap(),
            ("RUST_LOG".into(), "info=x".into())
        );
        assert!(parse_key_value("=x").is_err());
        assert!(parse_key_value("novalue").is_err());
        assert_eq!(parse_user("65532:65532").unwrap(), "65532:65532");
        assert_eq!(parse_user("1000").unwrap(), "1000");
        assert!(parse_user("root").is_err());
        assert!(parse_user("1:").is_err());
        assert!(parse_hash(&"a".repeat(64)).is_ok());
        assert!(parse_hash("../../etc").is_err());
        assert!(!valid_digest("sha256:../../x"));
        assert!(valid_digest(DIGEST));
    }
}
