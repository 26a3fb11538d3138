//! The pieces of a CreateStack / CreateChangeSet request: template source (inline or S3),
//! capabilities, parameters and tags.

use crate::assembly::StackEntry;
use aws_sdk_cloudformation::types::{Capability, Parameter, Tag};
use aws_sdk_s3::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use aws_sdk_s3::primitives::ByteStream;
use serde_json::Value;

use crate::assembly::Template;
use crate::errors::{Error, Result};
use crate::session::Session;

/// CloudFormation's limit for `TemplateBody`; larger templates go through S3.
pub const INLINE_TEMPLATE_LIMIT: usize = 51_200;

/// A parameter value for one stack (`--parameter Stack:Key=Value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackParameter {
    /// Stack id or stack name.
    pub stack: String,
    /// Parameter name.
    pub key: String,
    /// Value.
    pub value: String,
}

impl std::str::FromStr for StackParameter {
    type Err = Error;

    fn from_str(s: &str) -> Result<StackParameter> {
        let bad = || {
            Error::Usage(format!(
                "--parameter {s:?}: expected STACK:KEY=VALUE, e.g. --parameter MyStack:Env=prod"
            ))
        };
        let (stack, rest) = s.split_once(':').ok_or_else(bad)?;
        let (key, value) = rest.split_once('=').ok_or_else(bad)?;
        if stack.is_empty() || key.is_empty() {
            return Err(bad());
        }
        Ok(StackParameter {
            stack: stack.to_string(),
            key: key.to_string(),
            value: value.to_string(),
        })
    }
}

/// A fresh `ClientRequestToken` (or `ClientToken`) for one mutating CloudFormation call.
///
/// The SDK retries a call after a 5xx or a dropped connection with the same request, so the
/// token makes the retry idempotent: CloudFormation recognises a repeated CreateStack instead
/// of answering `AlreadyExistsException`, and the user sees the real outcome. Unique per call
/// (time, process id and a counter), shaped as CloudFormation requires
/// (`[a-zA-Z][-a-zA-Z0-9]*`, at most 128 characters). `operation` is a short lowercase word
/// naming the call, which also shows in the stack events.
pub(crate) fn request_token(operation: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let operation: String = operation
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect();
    format!(
        "cdk-{operation}-{:x}-{:08x}-{:x}-{n:x}",
        since_epoch.as_secs(),
        since_epoch.subsec_nanos(),
        std::process::id()
    )
}

/// Where CloudFormation gets the template from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplateSource {
    Body(String),
    Url(String),
}

/// Everything a create or change-set request for one stack needs.
#[derive(Debug, Clone)]
pub(crate) struct StackRequest {
    pub stack_name: String,
    pub source: TemplateSource,
    pub capabilities: Vec<Capability>,
    pub parameters: Vec<Parameter>,
    pub tags: Vec<Tag>,
}

/// IAM resources with custom names need NAMED_IAM; transforms (SAM, macros) need AUTO_EXPAND.
pub fn capabilities(stack: &StackEntry) -> Vec<Capability> {
    let mut caps = vec![Capability::CapabilityNamedIam];
    if stack.has_transform {
        caps.push(Capability::CapabilityAutoExpand);
    }
    caps
}

impl StackRequest {
    /// Builds the request; uploads the template first when it is too large to send inline.
    /// `previous_keys` are the deployed stack's parameter keys, reused when not given again.
    pub(crate) async fn build(
        session: &Session,
        stack: &StackEntry,
        template: &Template,
        given: &[StackParameter],
        previous_keys: &[String],
        bucket: Option<&str>,
    ) -> Result<StackRequest> {
        let source = template_source(session, stack, template, bucket).await?;
        let declared: Vec<&String> = template
            .json
            .get("Parameters")
            .and_then(Value::as_object)
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        let mut parameters = Vec::new();
        for p in given
            .iter()
            .filter(|p| p.stack == stack.id || p.stack == stack.stack_name)
        {
            if !declared.contains(&&p.key) {
                return Err(Error::Usage(format!(
                    "--parameter {}:{}: stack {} has no parameter {:?}; its parameters are: {}",
                    p.stack,
                    p.key,
                    stack.id,
                    p.key,
                    declared
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            parameters.push(
                Parameter::builder()
                    .parameter_key(&p.key)
                    .parameter_value(&p.value)
                    .build(),
            );
        }
        for key in declared {
            let given_now = parameters.iter().any(|p| p.parameter_key() == Some(key));
            if !given_now && previous_keys.contains(key) {
                parameters.push(
                    Parameter::builder()
                        .parameter_key(key)
                        .use_previous_value(true)
                        .build(),
                );
            }
        }
        let tags = stack
            .tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        Ok(StackRequest {
            stack_name: stack.stack_name.clone(),
            source,
            capabilities: capabilities(stack),
            parameters,
            tags,
        })
    }

    /// `(TemplateBody, TemplateURL)` for the SDK builders.
    pub(crate) fn body_and_url(&self) -> (Option<String>, Option<String>) {
        match &self.source {
            TemplateSource::Body(b) => (Some(b.clone()), None),
            TemplateSource::Url(u) => (None, Some(u.clone())),
        }
    }
}

/// Inline body, or an S3 upload (content-addressed key) and its URL.
async fn template_source(
    session: &Session,
    stack: &StackEntry,
    template: &Template,
    bucket: Option<&str>,
) -> Result<TemplateSource> {
    if template.body.len() <= INLINE_TEMPLATE_LIMIT {
        return Ok(TemplateSource::Body(template.body.clone()));
    }
    let Some(bucket) = bucket else {
        return Err(Error::NeedsTemplateBucket {
            stack: stack.stack_name.clone(),
            size: template.body.len(),
        });
    };
    // The key of the template's file asset: `publish` has usually uploaded it already.
    let key = format!("{}.json", template.sha256);
    let present = session
        .clients
        .s3
        .head_object()
        .bucket(bucket)
        .key(&key)
        .send()
        .await
        .is_ok();
    if present {
        session.output.line(format!(
            "{}: template is {} bytes, deploying it from s3://{bucket}/{key}",
            stack.stack_name,
            template.body.len()
        ));
    } else {
        session.output.line(format!(
            "{}: template is {} bytes, uploading to s3://{bucket}/{key}",
            stack.stack_name,
            template.body.len()
        ));
    }
    if !present {
        session
            .clients
            .s3
            .put_object()
            .bucket(bucket)
            .key(&key)
            .content_type("application/json")
            .body(ByteStream::from(template.body.clone().into_bytes()))
            .send()
            .await
            .map_err(|e| Error::Aws {
                operation: "PutObject",
                stack: format!("{} (bucket {bucket})", stack.stack_name),
                message: crate::errors::describe_sdk_error(&e),
            })?;
    }
    Ok(TemplateSource::Url(
        object_url(
            &session.clients.region,
            session.clients.endpoint_url.as_deref(),
            bucket,
            &key,
        )
        .await?,
    ))
}

/// The object's URL as the S3 endpoint rules give it (path style on custom endpoints), so
/// emulators and partitions work without hard-coded host names.
pub(crate) async fn object_url(
    region: &str,
    endpoint_url: Option<&str>,
    bucket: &str,
    key: &str,
) -> Result<String> {
    let params = Params::builder()
        .region(region)
        .bucket(bucket)
        .set_endpoint(endpoint_url.map(str::to_string))
        .force_path_style(endpoint_url.is_some())
        .use_fips(false)
        .use_dual_stack(false)
        .accelerate(false)
        .build()
        .map_err(|e| Error::Config(format!("cannot build the S3 URL for bucket {bucket}: {e}")))?;
    let endpoint = DefaultResolver::new()
        .resolve_endpoint(&params)
        .await
        .map_err(|e| {
            Error::Config(format!(
                "cannot resolve the S3 URL for bucket {bucket}: {e}"
            ))
        })?;
    Ok(format!("{}/{key}", endpoint.url().trim_end_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stack_key_value() {
        let p: StackParameter = "App:Env=prod=1".parse().unwrap();
        assert_eq!(
            (p.stack.as_str(), p.key.as_str(), p.value.as_str()),
            ("App", "Env", "prod=1")
        );
        for bad in ["Env=prod", "App:Env", ":K=V", "App:=V"] {
            let err = bad.parse::<StackParameter>().unwrap_err().to_string();
            assert!(err.contains("STACK:KEY=VALUE"), "{err}");
        }
    }

    #[tokio::test]
    async fn custom_endpoint_urls_are_path_style() {
        let url = object_url(
            "us-east-1",
            Some("http://127.0.0.1:5000"),
            "tpl-bucket",
            "cdk/S/abc.json",
        )
        .await
        .unwrap();
        assert_eq!(url, "http://127.0.0.1:5000/tpl-bucket/cdk/S/abc.json");
    }

    #[tokio::test]
    async fn aws_urls_name_the_bucket_and_region() {
        let url = object_url("eu-west-1", None, "tpl-bucket", "k.json")
            .await
            .unwrap();
        assert!(url.starts_with("https://tpl-bucket.s3.eu-west-1."), "{url}");
        assert!(url.ends_with("/k.json"), "{url}");
    }

    #[test]
    fn request_tokens_are_valid_and_unique() {
        let tokens: Vec<String> = (0..100).map(|_| request_token("create")).collect();
        for token in &tokens {
            assert!(token.starts_with("cdk-create-"), "{token}");
            assert!(token.len() <= 128, "{token}");
            assert!(
                token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "{token}"
            );
        }
        let unique: std::collections::BTreeSet<&String> = tokens.iter().collect();
        assert_eq!(unique.len(), tokens.len());
        // Whatever the caller passes, the token keeps CloudFormation's shape.
        let odd = request_token("é x_1");
        assert!(odd.starts_with("cdk-x1-"), "{odd}");
    }

    #[test]
    fn transforms_add_auto_expand() {
        let mut stack: StackEntry = serde_json::from_value(serde_json::json!({
            "id": "A", "stackName": "a", "templateFile": "A.template.json",
            "templateSize": 10, "dependencies": []
        }))
        .unwrap();
        assert_eq!(capabilities(&stack), vec![Capability::CapabilityNamedIam]);
        stack.has_transform = true;
        assert_eq!(
            capabilities(&stack),
            vec![
                Capability::CapabilityNamedIam,
                Capability::CapabilityAutoExpand
            ]
        );
    }
}
