//! Containers of a Fargate task: image (registry, ECR repository, SSM parameter, or built from
//! the app's sources: a Cargo package, a Dockerfile, an image archive), port, environment,
//! secrets from SSM Parameter Store and Secrets Manager, health check.

use std::collections::BTreeMap;
use std::path::Path;

use rcdk_core::image::{CargoImage, DockerfileImage, ImageAsset, ImageRecipe};
use rcdk_core::kind::{RepositoryArn, SecretArn};
use rcdk_core::{fns, Val};

use crate::cfn::ecs::task_definition as td;
use crate::error::ConstructError;
use crate::storage::{IParameter, ISecret};

pub use td::UlimitName;

/// Where a container image comes from. The execution role gets ECR pull permissions only for
/// ECR images, scoped to the repository (for images built from the app's sources: the
/// environment's container-assets repository).
///
/// Images built from the app's sources are made at publish time (`cargo rcdk deploy`) and
/// pushed with their content hash as tag; synthesis only hashes their sources:
///
/// ```no_run
/// use rcdk_constructs::ecs::{Container, ContainerImage};
/// // A package of this workspace, on the default distroless base, listening on 3000.
/// let web = Container::new("web", ContainerImage::cargo_package("user-service")?)?.port(3000);
/// // A Dockerfile built by `docker` (or `$CDK_DOCKER`).
/// let worker = Container::new(
///     "worker",
///     ContainerImage::from_dockerfile("worker")?.build_arg("PROFILE", "release"),
/// )?;
/// // An image archive made by another tool.
/// let batch = Container::new("batch", ContainerImage::from_tarball("build/batch.tar")?)?;
/// # Ok::<(), rcdk_constructs::error::ConstructError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ContainerImage {
    /// A public registry image such as `public.ecr.aws/nginx/nginx:1.27` or `nginx:1.27`.
    Registry(String),
    /// An image of an ECR repository of this account and region, by name (see
    /// [`ContainerImage::ecr`]; [`ContainerImage::repository`] takes the repository itself).
    Ecr {
        /// Repository name.
        repository: String,
        /// Tag or `sha256:` digest.
        tag: String,
    },
    /// An image URI stored in an SSM parameter (resolved at deployment), optionally in an ECR
    /// repository of this account that the execution role must be able to pull from.
    SsmParameter {
        /// Parameter name (e.g. `/learner/imagearn/value`).
        name: Val<String>,
        /// The ECR repository the URI points to, if any.
        ecr_repository: Option<String>,
    },
    /// An image of an ECR repository, by tag or digest (see [`ContainerImage::repository`]).
    Repository {
        /// The repository URI.
        uri: Val<String>,
        /// The repository ARN (what the execution role may pull from).
        arn: Val<RepositoryArn>,
        /// Tag or `sha256:` digest.
        tag: String,
    },
    /// An image made from the app's sources at publish time.
    Asset(ImageRecipe),
}

impl ContainerImage {
    /// A public registry image.
    pub fn registry(image: &str) -> ContainerImage {
        ContainerImage::Registry(image.to_string())
    }

    /// An image of ECR repository `repository` in this account and region, by name. Prefer
    /// [`ContainerImage::repository`], which takes the repository (made in this app or
    /// imported) and checks the tag.
    pub fn ecr(repository: &str, tag: &str) -> ContainerImage {
        ContainerImage::Ecr {
            repository: repository.to_string(),
            tag: tag.to_string(),
        }
    }

    /// An image of `repository` (an `ecr::Repository` of this app or an imported one) by tag or
    /// `sha256:` digest; the execution role may pull from that repository only.
    #[cfg(feature = "ecr")]
    pub fn repository(
        repository: &dyn crate::ecr::IRepository,
        tag: &str,
    ) -> Result<ContainerImage, ConstructError> {
        if !valid_tag(tag) {
            return Err(ConstructError::InvalidImage {
                problem: format!(
                    "`{tag}` is neither an image tag (1-128 letters, digits, `_`, `.` and `-`, \
                     not starting with `.` or `-`) nor a digest (`sha256:` and 64 hex digits)"
                ),
            });
        }
        Ok(ContainerImage::Repository {
            uri: repository.repository_uri(),
            arn: repository.repository_arn(),
            tag: tag.to_string(),
        })
    }

    /// The binary of package `name` of this Cargo workspace, built for Linux at publish time
    /// and put on a base image without a Docker daemon (see [`CargoImage`]: `.base(..)`,
    /// `.scratch()`, `.bin(..)`, `.port(..)`, `.env(..)`, `.label(..)`, `.user(..)`,
    /// `.arch(..)`). When it declares no port, the container's port is exposed. An unknown
    /// package or one without a binary is an error now; a base image not named by digest is an
    /// error of synthesis naming the container's path.
    pub fn cargo_package(name: &str) -> Result<CargoImage, ConstructError> {
        CargoImage::find(name).map_err(image_error)
    }

    /// As [`ContainerImage::cargo_package`], for the workspace that holds directory `dir`.
    pub fn cargo_package_in(dir: &Path, name: &str) -> Result<CargoImage, ConstructError> {
        CargoImage::find_in(dir, name).map_err(image_error)
    }

    /// An image built from the Dockerfile in `dir` (the build context) by the container CLI
    /// at publish time (see [`DockerfileImage`]: `.build_arg(..)`, `.target(..)`,
    /// `.platform(..)`, `.file(..)`, `.exclude(..)`).
    pub fn from_dockerfile(dir: impl AsRef<Path>) -> Result<DockerfileImage, ConstructError> {
        DockerfileImage::new(dir).map_err(image_error)
    }

    /// An image archive made by any tool (kaniko, buildah, nix, `docker save`): an OCI layout
    /// tar or a `docker save` archive, pushed as it is.
    pub fn from_tarball(path: impl AsRef<Path>) -> Result<ContainerImage, ConstructError> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(ConstructError::InvalidImage {
                problem: format!(
                    "{} is not a file: give an image archive (an OCI layout tar or a `docker \
                     save` archive)",
                    path.display()
                ),
            });
        }
        Ok(ContainerImage::Asset(ImageRecipe::Tarball(
            path.to_path_buf(),
        )))
    }

    /// The image URI held by `parameter`, pulled from ECR repository `ecr_repository` if given.
    pub fn from_ssm_parameter(
        parameter: &dyn IParameter,
        ecr_repository: Option<&str>,
    ) -> ContainerImage {
        ContainerImage::SsmParameter {
            name: parameter.parameter_name().into(),
            ecr_repository: ecr_repository.map(str::to_string),
        }
    }

    /// The image URI held by the parameter named `name`.
    pub fn from_ssm_parameter_name(
        name: impl Into<Val<String>>,
        ecr_repository: Option<&str>,
    ) -> ContainerImage {
        ContainerImage::SsmParameter {
            name: name.into(),
            ecr_repository: ecr_repository.map(str::to_string),
        }
    }

    pub(crate) fn uri(&self) -> Val<String> {
        match self {
            ContainerImage::Registry(image) => Val::from(image.as_str()),
            ContainerImage::Ecr { repository, tag } => {
                let sep = if tag.starts_with("sha256:") { "@" } else { ":" };
                fns::sub_plain(format!(
                    "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{repository}{sep}{tag}"
                ))
            }
            ContainerImage::SsmParameter { name, .. } => match name.value().as_str() {
                Some(literal) => Val::from(format!("{{{{resolve:ssm:{literal}}}}}")),
                None => fns::sub("{{resolve:ssm:${Name}}}", [("Name", name.clone())]),
            },
            ContainerImage::Repository { uri, tag, .. } => {
                let sep = if tag.starts_with("sha256:") { "@" } else { ":" };
                fns::join("", vec![uri.clone(), Val::from(format!("{sep}{tag}"))])
            }
            // The service places the asset at build() and uses its URI (Container::asset);
            // a definition is never made from an image that was not placed.
            ContainerImage::Asset(_) => Val::from(""),
        }
    }

    pub(crate) fn ecr_repository_arn(&self) -> Option<Val<RepositoryArn>> {
        let repository = match self {
            ContainerImage::Repository { arn, .. } => return Some(arn.clone()),
            ContainerImage::Ecr { repository, .. } => repository,
            ContainerImage::SsmParameter {
                ecr_repository: Some(repository),
                ..
            } => repository,
            _ => return None,
        };
        Some(
            fns::sub_plain(format!(
                "arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{repository}"
            ))
            .cast(),
        )
    }
}

impl From<CargoImage> for ContainerImage {
    fn from(image: CargoImage) -> Self {
        ContainerImage::Asset(ImageRecipe::Cargo(image))
    }
}

impl From<DockerfileImage> for ContainerImage {
    fn from(image: DockerfileImage) -> Self {
        ContainerImage::Asset(ImageRecipe::Dockerfile(image))
    }
}

fn image_error(e: rcdk_core::image::ImageError) -> ConstructError {
    ConstructError::InvalidImage {
        problem: e.to_string(),
    }
}

/// An ECR tag (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`) or a `sha256:` digest.
#[cfg_attr(not(feature = "ecr"), allow(dead_code))]
fn valid_tag(tag: &str) -> bool {
    if let Some(hex) = tag.strip_prefix("sha256:") {
        return hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let b = tag.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(c))
}

/// Where a secret environment variable comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum SecretSource {
    /// An SSM parameter, by ARN.
    Parameter(Val<rcdk_core::kind::ParameterArn>),
    /// A Secrets Manager secret, by ARN, optionally one JSON key of it.
    Secret {
        /// The secret's ARN.
        arn: Val<SecretArn>,
        /// The JSON key, if the secret is a JSON object.
        json_key: Option<String>,
    },
}

impl SecretSource {
    /// The value of `parameter`.
    pub fn parameter(parameter: &dyn IParameter) -> SecretSource {
        SecretSource::Parameter(parameter.parameter_arn())
    }

    /// The value of `secret`.
    pub fn secret(secret: &dyn ISecret) -> SecretSource {
        SecretSource::Secret {
            arn: secret.secret_arn(),
            json_key: None,
        }
    }

    /// The value under `key` of the JSON secret `secret`.
    pub fn secret_field(secret: &dyn ISecret, key: &str) -> SecretSource {
        SecretSource::Secret {
            arn: secret.secret_arn(),
            json_key: Some(key.to_string()),
        }
    }

    /// The secret with ARN `arn` (e.g. a database's managed master secret), optionally one
    /// JSON key of it.
    pub fn secret_arn(arn: impl Into<Val<SecretArn>>, json_key: Option<&str>) -> SecretSource {
        SecretSource::Secret {
            arn: arn.into(),
            json_key: json_key.map(str::to_string),
        }
    }

    fn value_from(&self) -> Val<String> {
        match self {
            SecretSource::Parameter(arn) => arn.clone().into(),
            SecretSource::Secret {
                arn,
                json_key: None,
            } => arn.clone().into(),
            SecretSource::Secret {
                arn,
                json_key: Some(key),
            } => fns::join(
                "",
                vec![
                    Val::<String>::from(arn.clone()),
                    Val::from(format!(":{key}::")),
                ],
            ),
        }
    }
}

/// A container health check run by the agent: a command that exits 0 when healthy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    /// `CMD-SHELL` and its command line, or `CMD` and the program with its arguments.
    command: Vec<String>,
    interval: u16,
    timeout: u16,
    retries: u16,
    start_period: u16,
}

impl HealthCheck {
    /// `CMD-SHELL command`, every 30 s, 5 s timeout, 3 retries, 10 s grace at start.
    pub fn shell(command: &str) -> HealthCheck {
        HealthCheck::with(vec!["CMD-SHELL".to_string(), command.to_string()])
    }

    /// `CMD program args...`: the program runs without a shell, which images without one
    /// (distroless, scratch) need; same timings as [`HealthCheck::shell`].
    pub fn exec<S: Into<String>>(program_and_args: impl IntoIterator<Item = S>) -> HealthCheck {
        let mut command = vec!["CMD".to_string()];
        command.extend(program_and_args.into_iter().map(Into::into));
        HealthCheck::with(command)
    }

    fn with(command: Vec<String>) -> HealthCheck {
        HealthCheck {
            command,
            interval: 30,
            timeout: 5,
            retries: 3,
            start_period: 10,
        }
    }

    /// Seconds of grace after start (0-300).
    pub fn start_period(mut self, seconds: u16) -> HealthCheck {
        self.start_period = seconds.min(300);
        self
    }

    fn property(&self) -> td::HealthCheck {
        td::HealthCheck::new()
            .command(self.command.clone())
            .interval(i64::from(self.interval))
            .timeout(i64::from(self.timeout))
            .retries(i64::from(self.retries))
            .start_period(i64::from(self.start_period))
    }
}

/// One container of a task.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub(crate) name: String,
    pub(crate) image: ContainerImage,
    /// The image asset of an image built from the app's sources, placed by the service.
    pub(crate) asset: Option<ImageAsset>,
    pub(crate) port: Option<u16>,
    environment: BTreeMap<String, Val<String>>,
    pub(crate) secrets: BTreeMap<String, SecretSource>,
    health_check: Option<HealthCheck>,
    essential: bool,
    read_only_root: bool,
    command: Option<Vec<String>>,
    entry_point: Option<Vec<String>>,
    working_directory: Option<String>,
    user: Option<String>,
    memory_limit: Option<u32>,
    ulimits: Vec<(UlimitName, u32, u32)>,
}

impl Container {
    /// A container `name` (letters, digits, `-`, `_`; at most 255) running `image` (a
    /// [`ContainerImage`], or a [`CargoImage`] / [`DockerfileImage`] being configured).
    pub fn new(name: &str, image: impl Into<ContainerImage>) -> Result<Container, ConstructError> {
        let image = image.into();
        if name.is_empty()
            || name.len() > 255
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(ConstructError::InvalidName {
                construct: "Container",
                what: "container name",
                name: name.to_string(),
                rule: "it must be 1-255 letters, digits, `-` or `_`",
            });
        }
        Ok(Container {
            name: name.to_string(),
            image,
            asset: None,
            port: None,
            environment: BTreeMap::new(),
            secrets: BTreeMap::new(),
            health_check: None,
            essential: true,
            read_only_root: false,
            command: None,
            entry_point: None,
            working_directory: None,
            user: None,
            memory_limit: None,
            ulimits: Vec::new(),
        })
    }

    /// The container's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The image.
    pub fn image(&self) -> &ContainerImage {
        &self.image
    }

    /// The image asset, for an image built from the app's sources once its service is built.
    pub fn image_asset(&self) -> Option<&ImageAsset> {
        self.asset.as_ref()
    }

    /// The command, replacing the image's `CMD` (each argument one item, no shell).
    pub fn command<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Container {
        self.command = Some(args.into_iter().map(Into::into).collect());
        self
    }

    /// The entry point, replacing the image's `ENTRYPOINT`.
    pub fn entry_point<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Container {
        self.entry_point = Some(args.into_iter().map(Into::into).collect());
        self
    }

    /// The directory the command runs in.
    pub fn working_directory(mut self, path: &str) -> Container {
        self.working_directory = Some(path.to_string());
        self
    }

    /// The user (`name`, `uid`, `uid:gid`, ...) the command runs as, instead of the image's.
    pub fn user(mut self, user: &str) -> Container {
        self.user = Some(user.to_string());
        self
    }

    /// The container's hard memory limit in MiB (`Memory`): the container is stopped when it
    /// uses more. By default a container gets the task's memory, shared evenly among the
    /// containers without a limit of their own.
    pub fn memory_limit_mib(mut self, mib: u32) -> Container {
        self.memory_limit = Some(mib);
        self
    }

    /// The hard memory limit set with [`Container::memory_limit_mib`], if any.
    pub fn memory_limit(&self) -> Option<u32> {
        self.memory_limit
    }

    /// The user the command runs as, when the task definition can state it: the one given
    /// with [`Container::user`], else the user an image built from a Cargo package is made
    /// with. `None` for other images: they run as the `USER` their image declares.
    pub fn run_as(&self) -> Option<String> {
        match (&self.user, &self.image) {
            (Some(user), _) => Some(user.clone()),
            (None, ContainerImage::Asset(ImageRecipe::Cargo(image))) => {
                Some(image.run_as().to_string())
            }
            _ => None,
        }
    }

    /// Names of plain environment variables that look like they hold a secret (a password,
    /// token, key or credential), which belong in [`Container::secret`] instead.
    pub(crate) fn secret_looking_env(&self) -> Vec<&str> {
        const MARKERS: [&str; 7] = [
            "PASSWORD",
            "PASSWD",
            "SECRET",
            "TOKEN",
            "CREDENTIAL",
            "PRIVATE_KEY",
            "API_KEY",
        ];
        self.environment
            .keys()
            .filter(|name| {
                let upper = name.to_ascii_uppercase();
                MARKERS.iter().any(|m| upper.contains(m))
            })
            .map(String::as_str)
            .collect()
    }

    /// Whether the container has plain environment variables.
    pub(crate) fn has_plain_env(&self) -> bool {
        !self.environment.is_empty()
    }

    /// A resource limit (`ulimit`), e.g. open files: `.ulimit(UlimitName::Nofile, 65536,
    /// 65536)`. A second limit of the same name replaces the first.
    pub fn ulimit(mut self, name: UlimitName, soft: u32, hard: u32) -> Container {
        self.ulimits.retain(|(n, _, _)| *n != name);
        self.ulimits.push((name, soft, hard));
        self
    }

    /// The TCP port the container listens on (what the load balancer sends traffic to).
    pub fn port(mut self, port: u16) -> Container {
        self.port = Some(port);
        self
    }

    /// A plain environment variable.
    pub fn env(mut self, name: &str, value: impl Into<Val<String>>) -> Container {
        self.environment.insert(name.to_string(), value.into());
        self
    }

    /// A secret environment variable, read by the agent at start (the execution role gets
    /// read access to exactly this parameter or secret).
    pub fn secret(mut self, name: &str, source: SecretSource) -> Container {
        self.secrets.insert(name.to_string(), source);
        self
    }

    /// A health check.
    pub fn health_check(mut self, check: HealthCheck) -> Container {
        self.health_check = Some(check);
        self
    }

    /// A sidecar whose exit does not stop the task.
    pub fn not_essential(mut self) -> Container {
        self.essential = false;
        self
    }

    /// Mounts the root file system read-only.
    pub fn read_only_root_filesystem(mut self) -> Container {
        self.read_only_root = true;
        self
    }

    /// The container definition, logging to `log_group` in the stack's region, with the hard
    /// memory limit `memory_mib`.
    pub(crate) fn definition(
        &self,
        log_group: Val<String>,
        memory_mib: u32,
    ) -> td::ContainerDefinition {
        let uri = match &self.asset {
            Some(asset) => asset.image_uri(),
            None => self.image.uri(),
        };
        let mut d = td::ContainerDefinition::new(self.name.as_str(), uri)
            .essential(self.essential)
            .memory(i64::from(memory_mib));
        if let Some(port) = self.port {
            d.set_port_mappings([td::PortMapping::new()
                .container_port(i64::from(port))
                .protocol(td::PortMappingProtocol::Tcp)]);
        }
        if !self.environment.is_empty() {
            d.set_environment(
                self.environment
                    .iter()
                    .map(|(k, v)| td::KeyValuePair::new().name(k.as_str()).value(v.clone()))
                    .collect::<Vec<_>>(),
            );
        }
        if !self.secrets.is_empty() {
            d.set_secrets(
                self.secrets
                    .iter()
                    .map(|(k, v)| td::Secret::new(k.as_str(), v.value_from()))
                    .collect::<Vec<_>>(),
            );
        }
        if let Some(check) = &self.health_check {
            d.set_health_check(check.property());
        }
        if self.read_only_root {
            d.set_readonly_root_filesystem(true);
        }
        if let Some(command) = &self.command {
            d.set_command(command.clone());
        }
        if let Some(entry_point) = &self.entry_point {
            d.set_entry_point(entry_point.clone());
        }
        if let Some(dir) = &self.working_directory {
            d.set_working_directory(dir.as_str());
        }
        if let Some(user) = self.run_as() {
            d.set_user(user);
        }
        if !self.ulimits.is_empty() {
            d.set_ulimits(
                self.ulimits
                    .iter()
                    .map(|(name, soft, hard)| {
                        td::Ulimit::new(i64::from(*hard), *name, i64::from(*soft))
                    })
                    .collect::<Vec<_>>(),
            );
        }
        let options: Vec<(&str, Val<String>)> = vec![
            ("awslogs-group", log_group),
            ("awslogs-region", fns::region()),
            ("awslogs-stream-prefix", Val::from(self.name.as_str())),
        ];
        d.log_configuration(td::LogConfiguration::new("awslogs").options(options))
    }

    /// ARNs the execution role must read for the secrets: (parameters, secrets).
    pub(crate) fn secret_arns(&self) -> (Vec<Val<String>>, Vec<Val<String>>) {
        let mut parameters = Vec::new();
        let mut secrets = Vec::new();
        for source in self.secrets.values() {
            match source {
                SecretSource::Parameter(arn) => push_unique(&mut parameters, arn.clone().into()),
                SecretSource::Secret { arn, .. } => push_unique(&mut secrets, arn.clone().into()),
            }
        }
        (parameters, secrets)
    }
}

pub(crate) fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}
