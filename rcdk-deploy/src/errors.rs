//! The crate's error type: every failure says what went wrong and what to change.

use std::path::PathBuf;

use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why the value of a parameter fed by a stack in another environment is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossEnvironmentError {
    /// The consuming stack (id).
    pub consumer: String,
    /// The consumer's parameter.
    pub parameter: String,
    /// The producing stack (id).
    pub producer: String,
    /// The producer's output.
    pub output: String,
    /// The producer's environment, `aws://ACCOUNT/REGION`.
    pub environment: String,
    /// What was found instead.
    pub reason: String,
    /// What to do.
    pub advice: String,
}

/// What can go wrong while deploying, diffing or destroying.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// AWS configuration is missing or unusable (region, credentials, profile).
    #[error("{0}")]
    Config(String),
    /// A context lookup failed: nothing matched the query, more than one thing did, the
    /// credentials are for another account, or AWS refused the call. Nothing was stored.
    #[error("lookup {key} failed: {reason}; nothing was stored in the context file")]
    Lookup {
        /// The query's context key.
        key: String,
        /// What happened, naming the query and the environment.
        reason: String,
    },
    /// The cloud assembly (manifest and templates) cannot be read or does not fit the request.
    #[error("{0}")]
    Assembly(String),
    /// A command-line value is malformed.
    #[error("{0}")]
    Usage(String),
    /// A call to AWS failed.
    #[error("{operation} for stack {stack} failed: {message}")]
    Aws {
        /// API operation, e.g. `CreateStack`.
        operation: &'static str,
        /// Stack (or bucket) the call was about.
        stack: String,
        /// Error code and message from the service, or the transport error.
        message: String,
    },
    /// The endpoint could not be reached at all (connection refused, name not resolved, no
    /// response in time): the request never got to AWS.
    #[error("cannot reach the {service} endpoint {endpoint} (region {region}): {reason} — is the endpoint right, is the network up, or pass --endpoint-url")]
    Unreachable {
        /// `CloudFormation` or `S3`.
        service: &'static str,
        /// The endpoint URL called.
        endpoint: String,
        /// The region.
        region: String,
        /// What happened, e.g. "connection refused".
        reason: String,
    },
    /// A stack operation ended in a failure state.
    #[error("stack {stack} failed: {reason}; {outcome}")]
    StackFailed {
        /// Stack name.
        stack: String,
        /// The first failed resource and its reason (or the stack's status reason).
        reason: String,
        /// What the stack ended as, e.g. "rolled back (ROLLBACK_COMPLETE)".
        outcome: String,
    },
    /// The stack is in a state this tool must not act on by itself.
    #[error("stack {stack} is in state {status}: {advice}")]
    StackState {
        /// Stack name.
        stack: String,
        /// CloudFormation stack status.
        status: String,
        /// What the user can do about it.
        advice: String,
    },
    /// A confirmation is needed but nobody can answer it.
    #[error("{question} Confirmation is needed but there is no terminal to ask on; pass --yes to confirm")]
    NeedsConfirmation {
        /// The question that would have been asked.
        question: String,
    },
    /// The user answered no.
    #[error("not confirmed: {question} Nothing was changed")]
    Declined {
        /// The question that was declined.
        question: String,
    },
    /// A template is too large to send inline and no bucket was named.
    #[error("stack {stack}: the template is {size} bytes, over CloudFormation's inline limit of 51,200 bytes; give a bucket to upload it to first (`cargo rcdk deploy` uses the environment's bootstrap staging bucket)")]
    NeedsTemplateBucket {
        /// Stack name.
        stack: String,
        /// Template size in bytes.
        size: usize,
    },
    /// The environment has no bootstrap stack (no version parameter) for the qualifier.
    #[error("environment {environment} is not bootstrapped: run `cargo rcdk bootstrap{arguments}`{credentials} (the version parameter {parameter} does not exist); nothing was changed")]
    NotBootstrapped {
        /// `aws://ACCOUNT/REGION`.
        environment: String,
        /// SSM parameter that was looked for.
        parameter: String,
        /// The bootstrap command's arguments: ` --qualifier Q` for a qualifier other than the
        /// default; for another account than the credentials', the environment and the trust
        /// that lets the credentials' account deploy there.
        arguments: String,
        /// For another account: whose credentials the bootstrap needs. Else empty.
        credentials: String,
    },
    /// The environment's bootstrap is older than the stacks need.
    #[error("environment {environment} is bootstrapped with version {found}, but the stacks need version {required} or later: run `cargo rcdk bootstrap`{qualifier_flag} to update it; nothing was changed")]
    BootstrapTooOld {
        /// `aws://ACCOUNT/REGION`.
        environment: String,
        /// Version found in the parameter.
        found: u32,
        /// Version required.
        required: u32,
        /// ` --qualifier Q` for a qualifier other than the default, else empty.
        qualifier_flag: String,
    },
    /// A value a stack takes from a stack in another environment cannot be read.
    #[error("stack {} takes parameter {} from output {} of stack {} ({}), but {}; {}", .0.consumer, .0.parameter, .0.output, .0.producer, .0.environment, .0.reason, .0.advice)]
    CrossEnvironment(Box<CrossEnvironmentError>),
    /// A stack names an environment that the credentials or the region do not reach.
    #[error("stack {stack} is for {wanted}, but {reason}; {advice}; nothing was changed")]
    WrongEnvironment {
        /// Stack id.
        stack: String,
        /// The stack's environment, `aws://ACCOUNT/REGION`.
        wanted: String,
        /// What the credentials and configuration give instead.
        reason: String,
        /// What to change.
        advice: String,
    },
    /// The deploy role of another account's environment cannot be assumed.
    #[error("stack {stack} is for {environment}, in another account than the credentials', and its deploy role {role} cannot be assumed: {message}. {advice}; nothing was changed in {environment}")]
    EnvironmentUnreachable {
        /// Stack id.
        stack: String,
        /// The stack's environment, `aws://ACCOUNT/REGION`.
        environment: String,
        /// ARN of the deploy role that was tried.
        role: String,
        /// What STS (or the credentials chain) answered.
        message: String,
        /// What to do: the bootstrap that trusts the credentials' account, or other
        /// credentials.
        advice: String,
    },
    /// A file asset cannot be published.
    #[error("asset {asset}: {message}; nothing was deployed")]
    Asset {
        /// Asset id (its content hash) and display name.
        asset: String,
        /// What is wrong.
        message: String,
    },
    /// A container image asset cannot be built or pushed.
    #[error("image asset {asset}: {source}; nothing was deployed")]
    Image {
        /// Asset id (its content hash) and display name.
        asset: String,
        /// What went wrong.
        #[source]
        source: crate::image::ImageError,
    },
    /// `--timeout` ran out while waiting.
    #[error("stack {stack}: still {status} after waiting {secs}s (--timeout); {action}")]
    Timeout {
        /// Stack name.
        stack: String,
        /// Status when the time ran out (or after the cancel settled).
        status: String,
        /// The timeout in seconds.
        secs: u64,
        /// What was done about it.
        action: String,
    },
    /// With several stacks at a time, some stacks failed; stacks independent of them went on,
    /// stacks waiting for them were skipped.
    #[error("{operation}: {}", incomplete_message(failed, skipped, succeeded))]
    Incomplete {
        /// `deploy` or `destroy`.
        operation: &'static str,
        /// Stacks that succeeded.
        succeeded: Vec<String>,
        /// Stacks that failed, with why.
        failed: Vec<(String, Error)>,
        /// Stacks not started because a stack they wait for failed.
        skipped: Vec<String>,
    },
    /// Ctrl-C stopped the wait.
    #[error("interrupted: stopped waiting. {0}")]
    Interrupted(String),
    /// A saved plan cannot be used.
    #[error("plan {}: {message}", path.display())]
    Plan {
        /// Plan file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A local file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// File involved.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
}

/// "stack A failed: ...; stack B failed: ...; skipped: C, D; succeeded: E".
fn incomplete_message(
    failed: &[(String, Error)],
    skipped: &[String],
    succeeded: &[String],
) -> String {
    let mut parts: Vec<String> = failed
        .iter()
        .map(|(name, e)| format!("stack {name} failed ({e})"))
        .collect();
    let list = |names: &[String]| {
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    parts.push(format!("skipped: {}", list(skipped)));
    parts.push(format!("succeeded: {}", list(succeeded)));
    parts.join("; ")
}

impl Error {
    /// Converts an SDK error into [`Error::Aws`], keeping the service's code and message, or
    /// into [`Error::Unreachable`] when the request never reached the endpoint (the endpoint
    /// and region are filled in by [`Error::at_endpoint`]).
    pub(crate) fn aws<E, R>(operation: &'static str, stack: &str, err: SdkError<E, R>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        if let Some(reason) = unreachable_reason(&err) {
            return Error::Unreachable {
                service: "CloudFormation",
                endpoint: String::new(),
                region: String::new(),
                reason,
            };
        }
        Error::Aws {
            operation,
            stack: stack.to_string(),
            message: describe_sdk_error(&err),
        }
    }
}

impl Error {
    /// Names the endpoint and region in an [`Error::Unreachable`] that does not have them yet.
    pub(crate) fn at_endpoint(self, clients: &crate::client::Clients) -> Error {
        match self {
            Error::Unreachable {
                service,
                endpoint,
                region,
                reason,
            } if endpoint.is_empty() => Error::Unreachable {
                service,
                endpoint: clients.cloudformation_endpoint(),
                region: if region.is_empty() {
                    clients.region().to_string()
                } else {
                    region
                },
                reason,
            },
            other => other,
        }
    }
}

/// Why a request never reached the endpoint, in a few words, if that is what happened.
fn unreachable_reason<E, R>(err: &SdkError<E, R>) -> Option<String> {
    let (connector, timed_out) = match err {
        SdkError::DispatchFailure(d) => match d.as_connector_error() {
            Some(c) if c.is_io() || c.is_timeout() => (c, c.is_timeout()),
            _ => return None,
        },
        SdkError::TimeoutError(_) => return Some("no response in time".to_string()),
        _ => return None,
    };
    use std::io::ErrorKind;
    let reason = match crate::client::io_error_kind(connector) {
        Some(ErrorKind::ConnectionRefused) => "connection refused".to_string(),
        Some(ErrorKind::ConnectionReset) => "connection reset".to_string(),
        Some(ErrorKind::TimedOut) => "connection timed out".to_string(),
        _ if timed_out => "connection timed out".to_string(),
        _ => innermost_message(connector),
    };
    Some(reason)
}

/// The message of the innermost error of a chain (e.g. "failed to lookup address
/// information: Name or service not known"), without the wrappers' repetitions.
fn innermost_message(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// "Code: message" for service errors, the full source chain for transport and credential errors.
pub(crate) fn describe_sdk_error<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            match (e.code(), e.message()) {
                (Some(code), Some(msg)) => format!("{code}: {msg}"),
                (Some(code), None) => code.to_string(),
                (None, Some(msg)) => msg.to_string(),
                (None, None) => DisplayErrorContext(err).to_string(),
            }
        }
        _ => DisplayErrorContext(err).to_string(),
    }
}

/// A credentials provider's failure with its causes (for an assumed role: STS's error code and
/// message), on one line.
pub(crate) fn describe_credentials_error<E: std::error::Error + 'static>(err: &E) -> String {
    type AssumeRole =
        aws_sdk_sts::error::SdkError<aws_sdk_sts::operation::assume_role::AssumeRoleError>;
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(sts) = e.downcast_ref::<AssumeRole>() {
            return describe_sdk_error(sts);
        }
        current = e.source();
    }
    DisplayErrorContext(err).to_string()
}

/// The service error code of an SDK error, if it is a service error.
pub(crate) fn error_code<E, R>(err: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    }
}

/// The service error message of an SDK error, if it is a service error.
pub(crate) fn error_message<E, R>(err: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::ServiceError(service) => service.err().message(),
        _ => None,
    }
}
