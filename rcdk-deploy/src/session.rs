//! What every operation shares: clients, output, confirmations, and the note printed on Ctrl-C.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::client::Clients;
use crate::confirm::Confirm;
use crate::errors::{Error, Result};
use crate::output::Output;

/// Clients of one environment, and what every environment's session shares (output,
/// confirmations, the Ctrl-C note): a [`crate::Deploy`] has one for the credentials' own
/// environment and derives one per other environment ([`Session::for_environment`]).
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub clients: Clients,
    /// The CloudFormation execution role passed as `RoleARN` (deployments into another
    /// account through its deploy role); `None` when CloudFormation acts with the caller's
    /// credentials.
    pub execution_role: Option<String>,
    pub output: Arc<Output>,
    pub confirm: Arc<Confirm>,
    pub poll_interval: Duration,
    pub catch_ctrl_c: bool,
    /// Where image pushes go instead of the ECR registry (`RCDK_ECR_REGISTRY_ENDPOINT`,
    /// checked to be loopback when used).
    pub ecr_registry_endpoint: Option<String>,
    /// The container CLI for Dockerfile images (`CDK_DOCKER`, default `docker`).
    pub container_cli: crate::image::ContainerCli,
    /// What is running on AWS right now, for the Ctrl-C message.
    in_flight: Arc<Mutex<Option<String>>>,
}

impl Session {
    pub fn new(clients: Clients) -> Session {
        Session {
            clients,
            execution_role: None,
            output: Arc::new(Output::stdout()),
            confirm: Arc::new(Confirm::from_terminal()),
            poll_interval: Duration::from_secs(2),
            catch_ctrl_c: true,
            ecr_registry_endpoint: std::env::var(crate::image::REGISTRY_ENDPOINT_ENV)
                .ok()
                .filter(|v| !v.trim().is_empty()),
            container_cli: crate::image::ContainerCli::from_env(),
            in_flight: Arc::new(Mutex::new(None)),
        }
    }

    /// A session for another environment: its clients and execution role, everything else
    /// shared with this one.
    pub fn for_environment(&self, clients: Clients, execution_role: Option<String>) -> Session {
        Session {
            clients,
            execution_role,
            ..self.clone()
        }
    }

    pub fn cfn(&self) -> &aws_sdk_cloudformation::Client {
        &self.clients.cfn
    }

    pub fn set_in_flight(&self, note: Option<String>) {
        *self.in_flight.lock().unwrap_or_else(|e| e.into_inner()) = note;
    }

    /// Runs `work`, turning Ctrl-C into [`Error::Interrupted`]. Nothing local needs undoing:
    /// the only state is on AWS, and the message says what is still running there.
    /// An endpoint that cannot be reached is named in the error, with the region.
    pub async fn interruptible<T>(&self, work: impl Future<Output = Result<T>>) -> Result<T> {
        self.set_in_flight(None);
        if !self.catch_ctrl_c {
            return work.await.map_err(|e| e.at_endpoint(&self.clients));
        }
        tokio::select! {
            result = work => result.map_err(|e| e.at_endpoint(&self.clients)),
            _ = tokio::signal::ctrl_c() => {
                self.output.clear_status();
                let note = self
                    .in_flight
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()
                    .unwrap_or_else(|| "No stack operation was running on AWS.".to_string());
                Err(Error::Interrupted(note))
            }
        }
    }
}
