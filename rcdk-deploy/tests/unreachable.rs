//! An endpoint nobody listens on: one line naming the endpoint, the region and what to check,
//! after a single connection attempt (a refused connection is not retried).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use aws_sdk_cloudformation::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_cloudformation::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cloudformation::error::BoxError;
use common::{queue_template, write_assembly, TestStack};
use rcdk_deploy::{Clients, Confirm, DiffOptions};

/// A loopback URL whose port was just released: connecting to it is refused.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// Counts the attempts the SDK makes (each retry is one more).
#[derive(Debug, Clone, Default)]
struct Attempts(Arc<AtomicUsize>);

impl Intercept for Attempts {
    fn name(&self) -> &'static str {
        "Attempts"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[test]
fn refused_connection_is_one_clear_line_after_one_attempt() {
    let url = closed_port_url();
    // The production retry settings (6 attempts), not the tests' shorter ones.
    let sdk = common::sdk_config(&url, None)
        .into_builder()
        .retry_config(rcdk_deploy::retry_config())
        .build();
    let clients = Clients::from_sdk_config(&sdk).unwrap();
    let attempts = Attempts::default();
    let cfn = aws_sdk_cloudformation::Client::from_conf(
        clients
            .cloudformation()
            .config()
            .to_builder()
            .interceptor(attempts.clone())
            .build(),
    );
    let (deploy, _output) = common::deployer(clients.with_cloudformation(cfn), Confirm::yes());
    let dir = tempfile::tempdir().unwrap();
    write_assembly(dir.path(), &[TestStack::new("App", queue_template("q"))]);
    let assembly = rcdk_deploy::Assembly::load(dir.path()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = runtime
        .block_on(deploy.diff(&assembly, &DiffOptions::default()))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "cannot reach the CloudFormation endpoint {url} (region us-east-1): connection refused — is the endpoint right, is the network up, or pass --endpoint-url"
        )
    );
    assert_eq!(
        attempts.0.load(Ordering::SeqCst),
        1,
        "a refused connection is not retried"
    );
}
