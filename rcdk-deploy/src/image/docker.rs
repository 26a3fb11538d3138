//! Dockerfile sources and images named by a local tag: the container CLI named by `CDK_DOCKER`
//! (default `docker`; podman and finch take the same arguments) builds, and `save` writes the
//! image as an archive that is then pushed like a tarball.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rcdk_core::cloud_assembly::DockerImageSource;

use super::error::{ImageError, Result};

/// The container CLI to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerCli {
    program: String,
}

impl ContainerCli {
    /// `$CDK_DOCKER`, or `docker`.
    pub fn from_env() -> ContainerCli {
        ContainerCli::new(
            std::env::var("CDK_DOCKER")
                .ok()
                .filter(|p| !p.trim().is_empty())
                .unwrap_or_else(|| "docker".to_string()),
        )
    }

    /// This program (a name on `PATH`, or a path).
    pub fn new(program: impl Into<String>) -> ContainerCli {
        ContainerCli {
            program: program.into(),
        }
    }

    /// The program.
    pub fn program(&self) -> &str {
        &self.program
    }

    /// `build` arguments for `source` with context `context`, tagged `tag`.
    pub fn build_args(context: &Path, source: &DockerImageSource, tag: &str) -> Vec<String> {
        let mut args = vec!["build".to_string(), "--tag".to_string(), tag.to_string()];
        if let Some(file) = &source.docker_file {
            args.push("--file".into());
            args.push(context.join(file).display().to_string());
        }
        if let Some(target) = &source.docker_build_target {
            args.push("--target".into());
            args.push(target.clone());
        }
        for (key, value) in &source.docker_build_args {
            args.push("--build-arg".into());
            args.push(format!("{key}={value}"));
        }
        if let Some(platform) = &source.platform {
            args.push("--platform".into());
            args.push(platform.clone());
        }
        if let Some(network) = &source.network_mode {
            args.push("--network".into());
            args.push(network.clone());
        }
        args.push(context.display().to_string());
        args
    }

    /// Builds the Dockerfile source with context `context` as `tag`.
    pub fn build(&self, context: &Path, source: &DockerImageSource, tag: &str) -> Result<()> {
        self.run(&ContainerCli::build_args(context, source, tag))
            .map(drop)
    }

    /// Saves the local image `name` as a `docker save` archive at `out`.
    pub fn save(&self, name: &str, out: &Path) -> Result<PathBuf> {
        self.run(&[
            "save".to_string(),
            "--output".to_string(),
            out.display().to_string(),
            name.to_string(),
        ])?;
        if out.is_file() {
            Ok(out.to_path_buf())
        } else {
            Err(ImageError::ContainerCommand {
                command: format!("{} save --output {} {name}", self.program, out.display()),
                status: "exit status 0".into(),
                output: "it wrote no archive".into(),
            })
        }
    }

    fn run(&self, args: &[String]) -> Result<Output> {
        let command = format!("{} {}", self.program, args.join(" "));
        let output = Command::new(&self.program)
            .args(args)
            .output()
            .map_err(|e| ImageError::NoContainerCli {
                program: self.program.clone(),
                reason: e.to_string(),
            })?;
        if output.status.success() {
            return Ok(output);
        }
        let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stdout));
        let lower = text.to_lowercase();
        // The messages of docker, podman and finch when the daemon (or VM) is not there.
        if [
            "cannot connect to the docker daemon",
            "is the docker daemon running",
            "cannot connect to podman",
            "podman machine",
            "finch vm",
            "error during connect",
        ]
        .iter()
        .any(|m| lower.contains(m))
        {
            return Err(ImageError::NoContainerDaemon {
                program: self.program.clone(),
                message: text
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            });
        }
        let lines: Vec<&str> = text.lines().collect();
        Err(ImageError::ContainerCommand {
            command,
            status: output.status.to_string(),
            output: lines[lines.len().saturating_sub(30)..].join("\n"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_arguments_follow_the_source() {
        let mut source = DockerImageSource {
            directory: Some("asset.x".into()),
            docker_file: Some("Dockerfile.prod".into()),
            docker_build_target: Some("runtime".into()),
            platform: Some("linux/arm64".into()),
            ..DockerImageSource::default()
        };
        source
            .docker_build_args
            .insert("VERSION".into(), "1.2".into());
        let args = ContainerCli::build_args(Path::new("/a/asset.x"), &source, "rcdk:h");
        assert_eq!(
            args,
            [
                "build",
                "--tag",
                "rcdk:h",
                "--file",
                "/a/asset.x/Dockerfile.prod",
                "--target",
                "runtime",
                "--build-arg",
                "VERSION=1.2",
                "--platform",
                "linux/arm64",
                "/a/asset.x"
            ]
        );
    }

    #[test]
    fn a_missing_cli_says_what_to_do() {
        let e = ContainerCli::new("/nonexistent/docker")
            .save("x", Path::new("/tmp/x.tar"))
            .unwrap_err();
        assert!(matches!(e, ImageError::NoContainerCli { .. }), "{e}");
        assert!(e.to_string().contains("CDK_DOCKER"), "{e}");
    }

    #[test]
    fn a_missing_daemon_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("docker");
        std::fs::write(
            &fake,
            "#!/bin/sh\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2\nexit 1\n",
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let e = ContainerCli::new(fake.display().to_string())
            .build(dir.path(), &DockerImageSource::default(), "t")
            .unwrap_err();
        assert!(matches!(e, ImageError::NoContainerDaemon { .. }), "{e}");
    }
}
