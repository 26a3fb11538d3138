//! `skopeo` (Debian package `skopeo`) driven from tests: it reads and copies images through its
//! own registry client, so what it reports about a pushed image is independent of ours.
//!
//! Image references are written without a transport, `HOST/REPO:TAG` or `HOST/REPO@sha256:...`
//! (the `docker://` transport is added here). Every call talks plain HTTP without certificate
//! checks (the test registry is on loopback), skips the signature policy (test images are not
//! signed) and has a time limit, so a stuck registry fails the test instead of hanging it.

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::registry::which;

/// The time limit of one skopeo command.
const COMMAND_TIMEOUT: &str = "120s";

/// A skopeo invocation, anonymous or with registry credentials.
#[derive(Debug, Clone, Default)]
pub struct Skopeo {
    creds: Option<String>,
}

impl Skopeo {
    /// Anonymous access.
    pub fn new() -> Skopeo {
        Skopeo::default()
    }

    /// Sends these credentials to the registry (`--creds USER:PASSWORD`).
    pub fn creds(mut self, user: &str, password: &str) -> Skopeo {
        self.creds = Some(format!("{user}:{password}"));
        self
    }

    /// The manifest (or index) exactly as the registry serves it (`skopeo inspect --raw`).
    pub fn inspect_raw(&self, image: &str) -> Result<Vec<u8>, String> {
        let mut args = vec!["inspect".to_string(), "--raw".to_string()];
        args.extend(self.inspect_flags());
        args.push(docker(image));
        run(&args)
    }

    /// The manifest as JSON (`skopeo inspect --raw`, parsed).
    pub fn inspect_manifest(&self, image: &str) -> Result<Value, String> {
        parse_json(&self.inspect_raw(image)?, image, "manifest")
    }

    /// The image configuration (entrypoint, user, env, exposed ports, rootfs) as JSON
    /// (`skopeo inspect --config`; for an index, the entry of this machine's platform).
    pub fn inspect_config(&self, image: &str) -> Result<Value, String> {
        let mut args = vec!["inspect".to_string(), "--config".to_string()];
        args.extend(self.inspect_flags());
        args.push(docker(image));
        parse_json(&run(&args)?, image, "config")
    }

    /// The digest of the manifest (or index) the registry serves for `image`,
    /// `sha256:<hex>`: the SHA-256 of its exact bytes, as a registry computes it.
    pub fn digest(&self, image: &str) -> Result<String, String> {
        let raw = self.inspect_raw(image)?;
        Ok(format!("sha256:{:x}", Sha256::digest(&raw)))
    }

    /// Copies `image` (every platform of an index) into an OCI image layout at `dir`, digests
    /// unchanged, so a test can read its blobs (e.g. the layer with the binary).
    pub fn copy_to_oci_layout(&self, image: &str, dir: &Path) -> Result<(), String> {
        let mut args = copy_flags();
        args.push("--src-tls-verify=false".to_string());
        if let Some(creds) = &self.creds {
            args.push(format!("--src-creds={creds}"));
        }
        args.push(docker(image));
        args.push(format!("oci:{}", dir.display()));
        run(&args).map(drop)
    }

    /// Pushes the single image (or index) of the OCI image layout at `dir` to `image`, digests
    /// unchanged.
    pub fn copy_from_oci_layout(&self, dir: &Path, image: &str) -> Result<(), String> {
        let mut args = copy_flags();
        args.push("--dest-tls-verify=false".to_string());
        if let Some(creds) = &self.creds {
            args.push(format!("--dest-creds={creds}"));
        }
        args.push(format!("oci:{}", dir.display()));
        args.push(docker(image));
        run(&args).map(drop)
    }

    fn inspect_flags(&self) -> Vec<String> {
        let mut flags = vec!["--tls-verify=false".to_string()];
        match &self.creds {
            Some(creds) => flags.push(format!("--creds={creds}")),
            // Never pick up a developer's docker login for the test registry.
            None => flags.push("--no-creds".to_string()),
        }
        flags
    }
}

/// [`Skopeo::inspect_raw`], anonymous.
pub fn inspect_raw(image: &str) -> Result<Vec<u8>, String> {
    Skopeo::new().inspect_raw(image)
}

/// [`Skopeo::inspect_config`], anonymous.
pub fn inspect_config(image: &str) -> Result<Value, String> {
    Skopeo::new().inspect_config(image)
}

/// [`Skopeo::digest`], anonymous.
pub fn digest(image: &str) -> Result<String, String> {
    Skopeo::new().digest(image)
}

/// [`Skopeo::copy_to_oci_layout`], anonymous.
pub fn copy_to_oci_layout(image: &str, dir: &Path) -> Result<(), String> {
    Skopeo::new().copy_to_oci_layout(image, dir)
}

/// [`Skopeo::copy_from_oci_layout`], anonymous.
pub fn copy_from_oci_layout(dir: &Path, image: &str) -> Result<(), String> {
    Skopeo::new().copy_from_oci_layout(dir, image)
}

fn docker(image: &str) -> String {
    format!("docker://{image}")
}

/// `copy` with every platform of an index and digests kept: a copy that would have to convert
/// the manifest fails instead of silently changing what the test checks.
fn copy_flags() -> Vec<String> {
    ["copy", "--quiet", "--all", "--preserve-digests"]
        .map(String::from)
        .to_vec()
}

/// Runs skopeo with the global flags; returns its standard output.
fn run(args: &[String]) -> Result<Vec<u8>, String> {
    let bin = which("skopeo").ok_or_else(|| {
        "skopeo is not on PATH: run scripts/debian-tools.sh (Debian package skopeo)".to_string()
    })?;
    let output = Command::new(&bin)
        .args(["--insecure-policy", "--command-timeout", COMMAND_TIMEOUT])
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "skopeo {} failed ({}): {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

fn parse_json(bytes: &[u8], image: &str, what: &str) -> Result<Value, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("the {what} of {image} is not JSON: {e}"))
}
