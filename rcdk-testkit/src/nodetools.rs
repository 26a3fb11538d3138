//! Where the pinned Node tools live (`scripts/node-tools.sh` installs tools/package-lock.json
//! into `.tools/node`): the AWS CDK's cloud-assembly JSON schemas and the official AWS CDK CLI.

use std::path::PathBuf;
use std::process::Command;

use crate::pytools::workspace_root;

/// The `node_modules` directory of the pinned tools. `RCDK_NODE_TOOLS` points at another
/// install (the directory holding `node_modules`).
pub fn node_modules() -> PathBuf {
    std::env::var_os("RCDK_NODE_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".tools/node"))
        .join("node_modules")
}

fn existing(path: PathBuf) -> Result<PathBuf, String> {
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} not found: run `bash scripts/node-tools.sh` (the README's test command does) to \
             install the pinned Node tools",
            path.display()
        ))
    }
}

/// A JSON schema of the pinned `@aws-cdk/cloud-assembly-schema` package, by file name
/// (`cloud-assembly.schema.json`, `assets.schema.json`).
pub fn schema_file(name: &str) -> Result<PathBuf, String> {
    existing(
        node_modules()
            .join("@aws-cdk/cloud-assembly-schema/schema")
            .join(name),
    )
}

/// The official AWS CDK CLI (`cdk`) of the pinned `aws-cdk` package.
pub fn cdk_bin() -> Result<PathBuf, String> {
    existing(node_modules().join(".bin/cdk"))
}

/// A `cdk` command that reaches only `endpoint_url` (a loopback emulator): static fake
/// credentials, region us-east-1, no instance metadata, no version check, no notices, no
/// telemetry, no shared AWS configuration of the developer.
pub fn cdk_command(endpoint_url: &str) -> Result<Command, String> {
    let mut cmd = Command::new(cdk_bin()?);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", endpoint_url)
        // The CLI turns a template's s3:// URL into an https URL for CloudFormation with this
        // endpoint; moto reads such a URL from its own S3 when its host is `localhost`. Nothing
        // connects to it.
        .env(
            "AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION",
            endpoint_url.replace("127.0.0.1", "localhost"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("CDK_DISABLE_VERSION_CHECK", "1")
        .env("CDK_DISABLE_CLI_TELEMETRY", "true")
        .env("NODE_NO_WARNINGS", "1")
        .env("CI", "true");
    Ok(cmd)
}
