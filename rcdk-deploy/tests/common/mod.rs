//! Shared test support: writing a cloud assembly by hand, and SDK configuration that only
//! ever reaches loopback with fake credentials.

#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_cloudformation::config::{
    BehaviorVersion, Credentials, Region, SharedCredentialsProvider, SharedHttpClient,
};
use indexmap::IndexMap;
use rcdk_core::cloud_assembly::{
    ArtifactManifest, ArtifactProperties, ArtifactType, AssemblyManifest, Environment,
    StackProperties, MANIFEST_FILE, MANIFEST_VERSION,
};
use rcdk_deploy::{Captured, Clients, Confirm, Deploy, Output};
use serde_json::Value;

/// One stack for [`write_assembly`].
pub struct TestStack {
    pub id: &'static str,
    pub template: Value,
    pub dependencies: Vec<&'static str>,
    pub tags: Vec<(&'static str, &'static str)>,
    pub termination_protection: bool,
    pub environment: Environment,
}

impl TestStack {
    pub fn new(id: &'static str, template: Value) -> TestStack {
        TestStack {
            id,
            template,
            dependencies: Vec::new(),
            tags: Vec::new(),
            termination_protection: false,
            environment: Environment::agnostic(),
        }
    }

    /// The stack is for `aws://account/region`.
    pub fn in_env(mut self, account: &str, region: &str) -> TestStack {
        self.environment = Environment {
            account: Some(account.to_string()),
            region: Some(region.to_string()),
        };
        self
    }

    pub fn depends_on(mut self, id: &'static str) -> TestStack {
        self.dependencies.push(id);
        self
    }
}

/// Writes templates and a Cloud Assembly `manifest.json` into `dir`, as synthesis would. Stack
/// names are `test-<id>`, so tests can tell ids and names apart.
pub fn write_assembly(dir: &Path, stacks: &[TestStack]) {
    let mut artifacts = IndexMap::new();
    for stack in stacks {
        let file = format!("{}.template.json", stack.id);
        let body = serde_json::to_string_pretty(&stack.template).unwrap();
        std::fs::write(dir.join(&file), &body).unwrap();
        let properties = StackProperties {
            template_file: file,
            stack_name: Some(format!("test-{}", stack.id)),
            tags: stack
                .tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            termination_protection: stack.termination_protection,
            parameters: IndexMap::new(),
            stack_template_asset_object_url: None,
            requires_bootstrap_stack_version: None,
            bootstrap_stack_version_ssm_parameter: None,
        };
        artifacts.insert(
            stack.id.to_string(),
            ArtifactManifest {
                r#type: ArtifactType::Stack,
                environment: Some(stack.environment.clone()),
                dependencies: stack.dependencies.iter().map(|d| d.to_string()).collect(),
                properties: Some(ArtifactProperties::Stack(properties)),
                display_name: None,
                metadata: None,
            },
        );
    }
    let manifest = AssemblyManifest {
        version: MANIFEST_VERSION.to_string(),
        artifacts,
        runtime: None,
        missing: Vec::new(),
    };
    std::fs::write(
        dir.join(MANIFEST_FILE),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
}

/// SDK configuration for a loopback endpoint with static fake credentials.
pub fn sdk_config(endpoint_url: &str, http_client: Option<SharedHttpClient>) -> SdkConfig {
    assert!(
        endpoint_url.starts_with("http://127.0.0.1:"),
        "tests talk to loopback only, not {endpoint_url}"
    );
    // Never let anything fall back to the instance metadata service.
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint_url)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "static-test",
        )))
        .retry_config(rcdk_deploy::retry_config().with_max_attempts(2));
    if let Some(client) = http_client {
        builder = builder.http_client(client);
    }
    builder.build()
}

/// Clients for a loopback endpoint.
pub fn clients(endpoint_url: &str) -> Clients {
    Clients::from_sdk_config(&sdk_config(endpoint_url, None)).unwrap()
}

/// A deployer that records its output, answers with `confirm`, and polls fast.
pub fn deployer(clients: Clients, confirm: Confirm) -> (Deploy, Captured) {
    let (output, captured) = Output::capture();
    let deploy = Deploy::new(clients)
        .with_output(output)
        .with_confirm(confirm)
        .with_poll_interval(Duration::from_millis(20))
        .with_ctrl_c(false);
    (deploy, captured)
}

/// A queue stack template.
pub fn queue_template(queue_name: &str) -> Value {
    serde_json::json!({
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": queue_name}}
        }
    })
}
