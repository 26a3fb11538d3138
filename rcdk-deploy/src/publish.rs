//! `publish`: upload the file assets of the selected stacks (their templates included) to the
//! environment's staging bucket, each only when its object is not there yet. Object keys are
//! content hashes, so an object that exists holds exactly these bytes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use aws_sdk_s3::primitives::ByteStream;
use rcdk_core::cloud_assembly::{FileAssetEntry, Packaging};

use crate::assembly::{sha256_hex, Assembly};
use crate::client::Clients;
use crate::deploy::Deploy;
use crate::environment::Preflight;
use crate::errors::{describe_sdk_error, Error, Result};

/// What [`Deploy::publish`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishReport {
    /// `s3://bucket/key` of each object uploaded.
    pub uploaded: Vec<String>,
    /// `s3://bucket/key` of each object that was there already.
    pub present: Vec<String>,
    /// `HOST/REPOSITORY:TAG` of each container image pushed.
    pub images_pushed: Vec<String>,
    /// `HOST/REPOSITORY:TAG` of each container image whose tag was there already.
    pub images_present: Vec<String>,
}

impl Deploy {
    /// Publishes the file assets of the stacks named (empty: all), each into its stack's
    /// environment as `preflights` checked it (with that environment's credentials): a
    /// HeadObject per destination, an upload only when it answers "not found". Directory assets are zipped deterministically, `executable` sources are run (in
    /// the assembly directory; the last line they print is the file to upload), and a staged
    /// file or directory whose content no longer matches its hash is an error.
    pub async fn publish(
        &self,
        assembly: &Assembly,
        names: &[String],
        preflights: &[Preflight],
    ) -> Result<PublishReport> {
        let s = &self.session;
        let mut report = PublishReport::default();
        let mut seen = BTreeSet::new();
        let scratch = tempfile::tempdir().map_err(|source| Error::Io {
            path: std::env::temp_dir(),
            source,
        })?;
        let mut images = crate::publish_images::ImagePublisher::default();
        for stack in assembly.select(names)? {
            let env = self.session_for(stack).await?;
            let target = self.target_of(stack).await?;
            let qualifier = crate::assembly::stack_environment(stack).qualifier;
            let Some(preflight) = preflights
                .iter()
                .find(|p| p.target == target && p.qualifier == qualifier)
            else {
                return Err(Error::Usage(format!(
                    "stack {} is for {target} (qualifier {qualifier}), which the preflight given to publish did not check; run the preflight for the same stacks",
                    stack.id
                )));
            };
            let target = &preflight.target;
            let found = assembly
                .cloud()
                .asset_manifest(&stack.id)
                .map_err(|e| Error::Assembly(e.to_string()))?;
            let Some((manifest_path, manifest)) = found else {
                continue;
            };
            let base = manifest_path
                .parent()
                .unwrap_or(assembly.dir())
                .to_path_buf();
            for (id, entry) in &manifest.files {
                let label = match &entry.display_name {
                    Some(name) => format!("{name} ({id})"),
                    None => id.clone(),
                };
                let mut prepared: Option<PathBuf> = None;
                for destination in entry.destinations.values() {
                    let bucket = target.resolve(&destination.bucket_name);
                    let key = target.resolve(&destination.object_key);
                    if let Some(region) = destination.region.as_deref().map(|r| target.resolve(r)) {
                        if region != target.region {
                            return Err(Error::Asset {
                                asset: label,
                                message: format!(
                                    "its destination s3://{bucket}/{key} is in region {region}, but the deployment goes to {}",
                                    target.region
                                ),
                            });
                        }
                    }
                    let url = format!("s3://{bucket}/{key}");
                    if !seen.insert(url.clone()) {
                        continue;
                    }
                    if object_exists(&env.clients, &bucket, &key).await? {
                        report.present.push(url);
                        continue;
                    }
                    let file = match &prepared {
                        Some(file) => file.clone(),
                        None => {
                            let file = prepare(&base, id, &label, entry, scratch.path())?;
                            prepared = Some(file.clone());
                            file
                        }
                    };
                    s.output.line(format!("asset {label}: uploading to {url}"));
                    upload(&env.clients, &bucket, &key, &file, &label).await?;
                    report.uploaded.push(url);
                }
            }
            images
                .publish(
                    self,
                    &env,
                    &base,
                    &manifest.docker_images,
                    target,
                    scratch.path(),
                    &mut report,
                )
                .await?;
        }
        if !report.present.is_empty() {
            s.output.line(format!(
                "{} asset(s) already published, {} uploaded",
                report.present.len(),
                report.uploaded.len()
            ));
        }
        if !report.images_present.is_empty() {
            s.output.line(format!(
                "{} image(s) already in their repository, {} pushed",
                report.images_present.len(),
                report.images_pushed.len()
            ));
        }
        Ok(report)
    }
}

/// Whether `s3://bucket/key` exists.
async fn object_exists(clients: &Clients, bucket: &str, key: &str) -> Result<bool> {
    {
        match clients
            .s3
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|se| se.is_not_found()) => Ok(false),
            Err(e) => Err(Error::Aws {
                operation: "HeadObject",
                stack: format!("(asset s3://{bucket}/{key})"),
                message: describe_sdk_error(&e),
            }
            .at_endpoint(clients)),
        }
    }
}

/// Uploads `file` to `s3://bucket/key`.
async fn upload(
    clients: &Clients,
    bucket: &str,
    key: &str,
    file: &Path,
    label: &str,
) -> Result<()> {
    {
        let body = ByteStream::from_path(file)
            .await
            .map_err(|e| Error::Asset {
                asset: label.to_string(),
                message: format!("cannot read {}: {e}", file.display()),
            })?;
        let content_type = match file.extension().and_then(|e| e.to_str()) {
            Some("zip") => "application/zip",
            Some("json") => "application/json",
            _ => "application/octet-stream",
        };
        clients
            .s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type(content_type)
            .body(body)
            .send()
            .await
            .map_err(|e| {
                Error::Aws {
                    operation: "PutObject",
                    stack: format!("(asset s3://{bucket}/{key})"),
                    message: describe_sdk_error(&e),
                }
                .at_endpoint(clients)
            })?;
        Ok(())
    }
}

/// The file to upload for `entry`: the staged file, a zip of the staged directory, or what the
/// `executable` source printed. `scratch` holds zips made here.
fn prepare(
    base: &Path,
    id: &str,
    label: &str,
    entry: &FileAssetEntry,
    scratch: &Path,
) -> Result<PathBuf> {
    let bad = |message: String| Error::Asset {
        asset: label.to_string(),
        message,
    };
    let zipped = entry.source.packaging == Some(Packaging::Zip);
    let source = match (&entry.source.path, &entry.source.executable) {
        (Some(path), _) => {
            let path = base.join(path);
            if !path.exists() {
                return Err(bad(format!(
                    "its staged source {} does not exist; synthesize again",
                    path.display()
                )));
            }
            check_hash(&path, id).map_err(bad)?;
            path
        }
        (None, Some(command)) => run_executable(base, command).map_err(bad)?,
        (None, None) => {
            return Err(bad(
                "the asset manifest gives neither a path nor an executable source".into(),
            ))
        }
    };
    if source.is_dir() {
        if !zipped {
            return Err(bad(format!(
                "{} is a directory but the asset is not zip-packaged",
                source.display()
            )));
        }
        let out = scratch.join(format!("{id}.zip"));
        crate::package::zip_directory(&source, &out)
            .map_err(|e| bad(format!("cannot zip {}: {e}", source.display())))?;
        return Ok(out);
    }
    Ok(source)
}

/// Checks that a staged source still has the content its id (the hash) was computed from: the
/// file-asset content hash, or for a template the SHA-256 of its bytes.
fn check_hash(path: &Path, id: &str) -> std::result::Result<(), String> {
    let hash = rcdk_core::asset::content_hash(path).map_err(|e| e.to_string())?;
    if hash == id {
        return Ok(());
    }
    if path.is_file() {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if sha256_hex(&bytes) == id {
            return Ok(());
        }
    }
    Err(format!(
        "the staged copy {} no longer matches its hash (it was changed after synthesis); synthesize again",
        path.display()
    ))
}

/// Runs an `executable` source in `base`; the last non-empty line of its standard output is the
/// path of the file (or directory) it produced, relative to `base` unless absolute.
fn run_executable(base: &Path, command: &[String]) -> std::result::Result<PathBuf, String> {
    let line = run_last_line(base, command)?;
    let path = base.join(&line);
    if !path.exists() {
        return Err(format!(
            "`{}` printed {line:?}, which does not exist",
            command.join(" ")
        ));
    }
    Ok(path)
}

/// Runs `command` in `base` (standard error shown as it comes); returns the last non-empty line
/// of its standard output.
pub(crate) fn run_last_line(
    base: &Path,
    command: &[String],
) -> std::result::Result<String, String> {
    let (program, args) = command
        .split_first()
        .ok_or_else(|| "its executable source is an empty command".to_string())?;
    // The command that published us is the one to run: the same build, PATH or not.
    let program = match std::env::current_exe() {
        Ok(exe)
            if program == "cargo-rcdk" && exe.file_stem().is_some_and(|s| s == "cargo-rcdk") =>
        {
            exe
        }
        _ => PathBuf::from(program),
    };
    let out = Command::new(&program)
        .args(args)
        .current_dir(base)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run `{}`: {e}", command.join(" ")))?;
    if !out.status.success() {
        return Err(format!("`{}` failed ({})", command.join(" "), out.status));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .ok_or_else(|| format!("`{}` printed no path", command.join(" ")))?;
    Ok(line.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_staged_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "one").unwrap();
        let hash = rcdk_core::asset::content_hash(&file).unwrap();
        assert!(check_hash(&file, &hash).is_ok());
        assert!(check_hash(&file, &sha256_hex(b"one")).is_ok());
        std::fs::write(&file, "two").unwrap();
        let err = check_hash(&file, &hash).unwrap_err();
        assert!(err.contains("no longer matches"), "{err}");
    }

    #[test]
    fn executables_print_the_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("out.zip"), "zip").unwrap();
        let cmd = vec![
            "sh".to_string(),
            "-c".to_string(),
            "echo building >&2; echo out.zip".to_string(),
        ];
        assert_eq!(
            run_executable(dir.path(), &cmd).unwrap(),
            dir.path().join("out.zip")
        );
        let fails = vec!["sh".to_string(), "-c".to_string(), "exit 3".to_string()];
        assert!(run_executable(dir.path(), &fails)
            .unwrap_err()
            .contains("failed"));
        let nothing = vec!["sh".to_string(), "-c".to_string(), "true".to_string()];
        assert!(run_executable(dir.path(), &nothing)
            .unwrap_err()
            .contains("no path"));
    }
}
