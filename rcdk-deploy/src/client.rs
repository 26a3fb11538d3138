//! AWS clients and their configuration (profile, region, endpoint, retries).

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudformation::config::interceptors::InterceptorContext;
use aws_sdk_cloudformation::config::retry::{ClassifyRetry, RetryAction};
use aws_sdk_cloudformation::config::ProvideCredentials;

use crate::errors::{Error, Result};

/// Where to find AWS: the `--profile`, `--region` and `--endpoint-url` flags. Unset fields fall
/// back to the standard chain (environment, `~/.aws/config`, SSO, instance metadata).
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Named profile from the shared config files.
    pub profile: Option<String>,
    /// Region, e.g. `eu-west-1`.
    pub region: Option<String>,
    /// Endpoint for every service (local emulators such as moto or LocalStack).
    pub endpoint_url: Option<String>,
}

/// The CloudFormation, S3, SSM, STS and ECR clients a deployment uses.
#[derive(Debug, Clone)]
pub struct Clients {
    pub(crate) cfn: aws_sdk_cloudformation::Client,
    pub(crate) s3: aws_sdk_s3::Client,
    pub(crate) ssm: aws_sdk_ssm::Client,
    pub(crate) sts: aws_sdk_sts::Client,
    pub(crate) ecr: aws_sdk_ecr::Client,
    pub(crate) region: String,
    pub(crate) endpoint_url: Option<String>,
    /// The configuration the clients were built from: clients for another region or with
    /// another environment's credentials start from it (same endpoint, retries, HTTP client).
    pub(crate) sdk: SdkConfig,
}

/// Standard retry mode: exponential backoff with jitter on throttling and transient errors.
/// The clients built by [`Clients`] also stop at the first refused connection
/// ([`FailFastOnRefused`]).
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(6)
        .with_initial_backoff(Duration::from_millis(500))
        .with_max_backoff(Duration::from_secs(20))
}

/// The SDK configuration of `options`: its profile, region and endpoint over the standard
/// chain, with this crate's retry settings. Nothing is checked yet.
pub async fn sdk_config(options: &ClientOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry_config());
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

impl Clients {
    /// Loads configuration through the standard chain, checks that a region and credentials are
    /// available, and builds the clients.
    pub async fn load(options: &ClientOptions) -> Result<Clients> {
        let sdk = sdk_config(options).await;
        let profile_hint = match &options.profile {
            Some(p) => format!(" (profile {p:?})"),
            None => String::new(),
        };
        let Some(provider) = sdk.credentials_provider() else {
            return Err(Error::Config(format!(
                "no AWS credentials provider is configured{profile_hint}; set AWS_PROFILE or pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )));
        };
        // Resolving once up front turns a missing login into one clear message instead of a
        // failure in the middle of a deployment.
        if let Err(e) = provider.provide_credentials().await {
            return Err(Error::Config(format!(
                "no usable AWS credentials{profile_hint}: {e}; log in (e.g. `aws sso login`), pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )));
        }
        Clients::from_sdk_config(&sdk)
    }

    /// Builds the clients from an already loaded configuration (tests, embedding programs).
    pub fn from_sdk_config(sdk: &SdkConfig) -> Result<Clients> {
        let region = sdk.region().map(|r| r.to_string()).ok_or_else(|| {
            Error::Config(
                "no AWS region is configured; pass --region, set AWS_REGION, or set `region` in the profile"
                    .to_string(),
            )
        })?;
        let endpoint_url = sdk.endpoint_url().map(str::to_string);
        // Emulators and custom endpoints serve buckets by path, not by host name.
        let s3_config = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(endpoint_url.is_some())
            .retry_classifier(FailFastOnRefused)
            .build();
        let cfn_config = aws_sdk_cloudformation::config::Builder::from(sdk)
            .retry_classifier(FailFastOnRefused)
            .build();
        let ssm_config = aws_sdk_ssm::config::Builder::from(sdk)
            .retry_classifier(FailFastOnRefused)
            .build();
        let sts_config = aws_sdk_sts::config::Builder::from(sdk)
            .retry_classifier(FailFastOnRefused)
            .build();
        let ecr_config = aws_sdk_ecr::config::Builder::from(sdk)
            .retry_classifier(FailFastOnRefused)
            .build();
        Ok(Clients {
            ecr: aws_sdk_ecr::Client::from_conf(ecr_config),
            cfn: aws_sdk_cloudformation::Client::from_conf(cfn_config),
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            ssm: aws_sdk_ssm::Client::from_conf(ssm_config),
            sts: aws_sdk_sts::Client::from_conf(sts_config),
            region,
            endpoint_url,
            sdk: sdk.clone(),
        })
    }

    /// The same credentials and settings in `region`.
    pub(crate) fn in_region(&self, region: &str) -> Result<Clients> {
        let sdk = self
            .sdk
            .to_builder()
            .region(Region::new(region.to_string()))
            .build();
        Clients::from_sdk_config(&sdk)
    }

    /// Clients in `region` with the credentials of role `role_arn`, assumed with STS from these
    /// clients' credentials (session name `session_name`). The role is assumed once here, so
    /// that a role that cannot be assumed fails now, with the service's message.
    pub(crate) async fn assuming(
        &self,
        role_arn: &str,
        session_name: &str,
        region: &str,
    ) -> std::result::Result<Clients, String> {
        // The provider refreshes the role's credentials before they expire, and needs a clock
        // for that; a configuration built by hand (an embedding program's) may have none.
        let base = match self.sdk.time_source() {
            Some(_) => self.sdk.clone(),
            None => self
                .sdk
                .to_builder()
                .time_source(aws_smithy_async::time::SystemTimeSource::new())
                .build(),
        };
        let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name(session_name)
            .region(Region::new(region.to_string()))
            .configure(&base)
            .build()
            .await;
        provider
            .provide_credentials()
            .await
            .map_err(|e| crate::errors::describe_credentials_error(&e))?;
        let sdk = self
            .sdk
            .to_builder()
            .region(Region::new(region.to_string()))
            .credentials_provider(
                aws_sdk_cloudformation::config::SharedCredentialsProvider::new(provider),
            )
            .build();
        Clients::from_sdk_config(&sdk).map_err(|e| e.to_string())
    }

    /// Replaces the CloudFormation client (to add interceptors, for instance).
    pub fn with_cloudformation(mut self, client: aws_sdk_cloudformation::Client) -> Clients {
        self.cfn = client;
        self
    }

    /// The CloudFormation client.
    pub fn cloudformation(&self) -> &aws_sdk_cloudformation::Client {
        &self.cfn
    }

    /// The region the clients call.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The endpoint given with `--endpoint-url` (or the SDK configuration), if any.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    /// The CloudFormation endpoint calls go to: the explicit one, or the region's.
    pub fn cloudformation_endpoint(&self) -> String {
        match &self.endpoint_url {
            Some(url) => url.clone(),
            None => format!("https://cloudformation.{}.amazonaws.com", self.region),
        }
    }

    /// The S3 client (template and asset uploads).
    pub fn s3(&self) -> &aws_sdk_s3::Client {
        &self.s3
    }

    /// Replaces the S3 client (to add interceptors, for instance).
    pub fn with_s3(mut self, client: aws_sdk_s3::Client) -> Clients {
        self.s3 = client;
        self
    }

    /// The SSM client (the bootstrap version parameter).
    pub fn ssm(&self) -> &aws_sdk_ssm::Client {
        &self.ssm
    }

    /// The ECR client (registry credentials for container images).
    pub fn ecr(&self) -> &aws_sdk_ecr::Client {
        &self.ecr
    }

    /// The STS client (the credentials' account).
    pub fn sts(&self) -> &aws_sdk_sts::Client {
        &self.sts
    }
}

/// A retry classifier that forbids retrying a refused connection: nothing listens at the
/// endpoint, so retrying only delays the error by the whole backoff (about 8 seconds with
/// [`retry_config`]). Throttling, 5xx responses, timeouts and reset connections are still
/// retried by the standard classifiers.
#[derive(Debug, Clone, Copy, Default)]
pub struct FailFastOnRefused;

impl ClassifyRetry for FailFastOnRefused {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let refused = ctx
            .output_or_error()
            .and_then(|result| result.err())
            .and_then(|error| error.as_connector_error())
            .is_some_and(|error| {
                io_error_kind(error) == Some(std::io::ErrorKind::ConnectionRefused)
            });
        if refused {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "FailFastOnRefused"
    }
}

/// The kind of the first I/O error in `error`'s source chain.
pub(crate) fn io_error_kind(
    error: &(dyn std::error::Error + 'static),
) -> Option<std::io::ErrorKind> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        current = e.source();
    }
    None
}
