//! Publishing the `dockerImages` of an asset manifest: for each destination a manifest HEAD by
//! tag (tags are content hashes and the repositories' tags immutable: a tag that is there holds
//! this image), and only when it is missing the image is made (the `executable` source run in
//! the assembly directory, or the Dockerfile built through the container CLI) and pushed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use rcdk_core::cloud_assembly::DockerImageEntry;

use crate::deploy::Deploy;
use crate::environment::Target;
use crate::errors::{Error, Result};
use crate::image::{
    ecr_login, parse_registry_endpoint, read_image, ImageError, LocalImage, Registry,
};
use crate::publish::{run_last_line, PublishReport};
use crate::session::Session;

/// The state shared by every image of one publish: one ECR login and registry client per
/// environment, the destinations already handled.
#[derive(Default)]
pub(crate) struct ImagePublisher {
    registries: std::collections::HashMap<Target, Registry>,
    seen: BTreeSet<String>,
}

/// The registry client of `target`, logging in to its ECR with `env`'s credentials on first
/// use (only publishes with images do).
async fn connect<'a>(
    registries: &'a mut std::collections::HashMap<Target, Registry>,
    env: &Session,
    target: &Target,
) -> std::result::Result<&'a Registry, ImageError> {
    if registries.contains_key(target) {
        return Ok(&registries[target]);
    }
    let s = env;
    // The override is checked before anything is sent anywhere.
    let redirected = s
        .ecr_registry_endpoint
        .as_deref()
        .map(parse_registry_endpoint)
        .transpose()?;
    let login = ecr_login(s.clients.ecr()).await?;
    let host = redirected.unwrap_or(login.host);
    Ok(registries
        .entry(target.clone())
        .or_insert(Registry::new(&host, login.auth)))
}

impl ImagePublisher {
    /// Publishes `images` (from the asset manifest in `base`) to their destinations in `target`,
    /// with the credentials of `env`, the session of that environment.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn publish(
        &mut self,
        deploy: &Deploy,
        env: &Session,
        base: &Path,
        images: &IndexMap<String, DockerImageEntry>,
        target: &Target,
        scratch: &Path,
        report: &mut PublishReport,
    ) -> Result<()> {
        let s = &deploy.session;
        let ImagePublisher { registries, seen } = self;
        for (id, entry) in images {
            let label = match &entry.display_name {
                Some(name) => format!("{name} ({id})"),
                None => id.clone(),
            };
            let fail = |source: ImageError| Error::Image {
                asset: label.clone(),
                source,
            };
            let mut prepared: Option<LocalImage> = None;
            for destination in entry.destinations.values() {
                let repository = target.resolve(&destination.repository_name);
                let tag = target.resolve(&destination.image_tag);
                if let Some(region) = destination.region.as_deref().map(|r| target.resolve(r)) {
                    if region != target.region {
                        return Err(Error::Asset {
                            asset: label,
                            message: format!(
                                "its destination repository {repository} is in region {region}, but the deployment goes to {}",
                                target.region
                            ),
                        });
                    }
                }
                let registry = connect(registries, env, target).await.map_err(fail)?;
                let uri = format!("{}/{repository}:{tag}", registry.host());
                if seen.contains(&uri) {
                    continue;
                }
                if registry
                    .manifest_exists(&repository, &tag)
                    .await
                    .map_err(fail)?
                {
                    seen.insert(uri.clone());
                    report.images_present.push(uri);
                    continue;
                }
                if prepared.is_none() {
                    s.output.line(format!("image {label}: building"));
                    let started = std::time::Instant::now();
                    let image = prepare(deploy, base, id, entry, scratch).map_err(fail)?;
                    s.output.line(format!(
                        "image {label}: {} ({} layers) ready in {:.1}s",
                        image.digest(),
                        image.layers.len(),
                        started.elapsed().as_secs_f64()
                    ));
                    prepared = Some(image);
                }
                let image = prepared.as_ref().expect("prepared above");
                s.output.line(format!("image {label}: pushing to {uri}"));
                let outcome = registry
                    .push(image, &repository, &tag)
                    .await
                    .map_err(fail)?;
                s.output.line(format!(
                    "image {label}: pushed {}@{} ({} blob(s) uploaded, {} already there)",
                    uri,
                    outcome.manifest_digest,
                    outcome.uploaded.len(),
                    outcome.present.len()
                ));
                seen.insert(uri.clone());
                report.images_pushed.push(uri);
            }
        }
        Ok(())
    }
}

/// Makes the image of `entry`: runs its `executable` (the last line printed is an image layout,
/// a tar, or else the name of a local image to `save`), or builds its Dockerfile directory.
fn prepare(
    deploy: &Deploy,
    base: &Path,
    id: &str,
    entry: &DockerImageEntry,
    scratch: &Path,
) -> std::result::Result<LocalImage, ImageError> {
    let cli = &deploy.session.container_cli;
    let source = &entry.source;
    match (&source.executable, &source.directory) {
        (Some(command), _) => {
            let line = run_last_line(base, command).map_err(ImageError::Executable)?;
            let path = base.join(&line);
            if path.exists() {
                return read_image(&path, scratch);
            }
            // Not a path: the AWS CDK's contract, a local image name.
            let tar = cli.save(&line, &scratch.join(format!("{id}.tar")))?;
            read_image(&tar, scratch)
        }
        (None, Some(directory)) => {
            let context: PathBuf = base.join(directory);
            if !context.is_dir() {
                return Err(ImageError::Layout {
                    path: context,
                    message: "the staged build context does not exist; synthesize again".into(),
                });
            }
            // A local tag per asset: lowercase, as image names must be.
            let tag = format!("rcdk-asset:{}", id.to_lowercase());
            cli.build(&context, source, &tag)?;
            let tar = cli.save(&tag, &scratch.join(format!("{id}.tar")))?;
            read_image(&tar, scratch)
        }
        (None, None) => Err(ImageError::Spec(
            "the asset manifest gives neither a directory nor an executable source".into(),
        )),
    }
}
