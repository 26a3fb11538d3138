//! What every operation shares: clients, output, confirmations, and the note printed on Ctrl-C.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indexmap::IndexMap;

use crate::client::Clients;
use crate::confirm::Confirm;
use crate::errors::{Error, Result};
use crate::output::Output;
use crate::schedule::{self, RunSummary};

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
    /// What is running on AWS right now, per stack, for the Ctrl-C message (several stacks
    /// can be in flight with `--concurrency`); shared by every environment's session.
    in_flight: Arc<Mutex<IndexMap<String, String>>>,
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
            in_flight: Arc::new(Mutex::new(IndexMap::new())),
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

    /// Records (or, with `None`, forgets) what `stack` has running on AWS.
    pub fn set_in_flight(&self, stack: &str, note: Option<String>) {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        match note {
            Some(note) => {
                in_flight.insert(stack.to_string(), note);
            }
            None => {
                in_flight.shift_remove(stack);
            }
        }
    }

    fn clear_in_flight(&self) {
        self.in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The error for Ctrl-C, saying what is still running on AWS.
    fn interrupted(&self) -> Error {
        self.output.clear_status();
        let notes: Vec<String> = self
            .in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
            .map(|(_, note)| note)
            .collect();
        Error::Interrupted(if notes.is_empty() {
            "No stack operation was running on AWS.".to_string()
        } else {
            notes.join(" ")
        })
    }

    /// Completes on Ctrl-C when Ctrl-C is caught, else never.
    async fn ctrl_c(&self) {
        if !self.catch_ctrl_c || tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Runs `work`, turning Ctrl-C into [`Error::Interrupted`]. Nothing local needs undoing:
    /// the only state is on AWS, and the message says what is still running there.
    /// An endpoint that cannot be reached is named in the error, with the region.
    pub async fn interruptible<T>(&self, work: impl Future<Output = Result<T>>) -> Result<T> {
        self.clear_in_flight();
        tokio::select! {
            result = work => result.map_err(|e| e.at_endpoint(&self.clients)),
            _ = self.ctrl_c() => Err(self.interrupted()),
        }
    }

    /// Runs `job` for each stack of `names` in the order `waits_for` sets, `concurrency` at a
    /// time (see [`schedule::run`]). With one at a time, the first failure stops the run as
    /// it always has. Ctrl-C stops the run; [`Session::finish_run`] turns that into the error.
    pub async fn run_stacks<T, F, Fut>(
        &self,
        names: &[String],
        waits_for: &[Vec<usize>],
        concurrency: usize,
        mut job: F,
    ) -> RunSummary<T>
    where
        F: FnMut(usize) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.clear_in_flight();
        let one_at_a_time = concurrency <= 1;
        schedule::run(
            names,
            waits_for,
            concurrency,
            one_at_a_time,
            self.ctrl_c(),
            |i| {
                let work = job(i);
                async move { work.await.map_err(|e| e.at_endpoint(&self.clients)) }
            },
        )
        .await
    }

    /// The summary of a run where every stack succeeded, or the error that ends it:
    /// [`Error::Interrupted`] after Ctrl-C; one stack at a time, the failure itself (as before
    /// concurrency existed); else [`Error::Incomplete`] naming every failed and skipped stack.
    pub fn conclude<T>(
        &self,
        operation: &'static str,
        summary: RunSummary<T>,
        concurrency: usize,
    ) -> std::result::Result<RunSummary<T>, Error> {
        if summary.interrupted {
            return Err(self.interrupted());
        }
        if !summary.has_failures() {
            return Ok(summary);
        }
        let mut failed = Vec::new();
        let mut skipped = Vec::new();
        let mut succeeded = Vec::new();
        for (name, run) in summary.stacks {
            match run {
                schedule::StackRun::Succeeded { .. } => succeeded.push(name),
                schedule::StackRun::Failed { error, .. } => failed.push((name, error)),
                schedule::StackRun::Skipped { .. } | schedule::StackRun::NotStarted => {
                    skipped.push(name)
                }
                schedule::StackRun::Interrupted => {}
            }
        }
        if concurrency <= 1 && failed.len() == 1 {
            return Err(failed.remove(0).1);
        }
        Err(Error::Incomplete {
            operation,
            succeeded,
            failed,
            skipped,
        })
    }

    /// Prints one line per stack of a run with several stacks at a time: what succeeded (with
    /// `done` of its outcome), what failed and why, what was skipped and for which failure.
    pub fn print_summary<T>(
        &self,
        operation: &str,
        summary: &RunSummary<T>,
        done: impl Fn(&T) -> String,
    ) {
        let count = |f: fn(&schedule::StackRun<T>) -> bool| {
            summary.stacks.iter().filter(|(_, r)| f(r)).count()
        };
        let succeeded = count(|r| matches!(r, schedule::StackRun::Succeeded { .. }));
        let failed = count(|r| matches!(r, schedule::StackRun::Failed { .. }));
        let other = summary.stacks.len() - succeeded - failed;
        let mut lines = vec![format!(
            "{operation} summary: {succeeded} succeeded, {failed} failed, {other} skipped or not started"
        )];
        for (name, run) in &summary.stacks {
            lines.push(match run {
                schedule::StackRun::Succeeded { outcome, timing } => format!(
                    "  + {name}: {} ({:.1}s)",
                    done(outcome),
                    (timing.finished - timing.started).as_secs_f64()
                ),
                schedule::StackRun::Failed { error, timing } => format!(
                    "  x {name}: failed after {:.1}s: {error}",
                    (timing.finished - timing.started).as_secs_f64()
                ),
                schedule::StackRun::Skipped { blocked_by } => {
                    format!("  - {name}: skipped (waits for {blocked_by}, which failed)")
                }
                schedule::StackRun::Interrupted => {
                    format!("  ! {name}: interrupted (its operation keeps going on AWS)")
                }
                schedule::StackRun::NotStarted => format!("  - {name}: not started"),
            });
        }
        self.output.line(lines.join("\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{StackRun, StackTiming};
    use aws_config::{BehaviorVersion, Region, SdkConfig};

    fn session() -> Session {
        // No request is made: the clients only need a region.
        let sdk = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .build();
        let mut session = Session::new(Clients::from_sdk_config(&sdk).unwrap());
        session.output = Output::capture().0.into();
        session
    }

    #[test]
    fn ctrl_c_names_every_stack_still_running() {
        let s = session();
        s.set_in_flight("A", Some("Stack A keeps going on AWS.".into()));
        s.set_in_flight("B", Some("Stack B keeps going on AWS.".into()));
        s.set_in_flight("C", Some("Stack C keeps going on AWS.".into()));
        s.set_in_flight("B", None);
        assert_eq!(
            s.interrupted().to_string(),
            "interrupted: stopped waiting. Stack A keeps going on AWS. Stack C keeps going on AWS."
        );
        assert_eq!(
            s.interrupted().to_string(),
            "interrupted: stopped waiting. No stack operation was running on AWS."
        );
    }

    fn failed_run() -> RunSummary<()> {
        let timing = StackTiming {
            started: Duration::ZERO,
            finished: Duration::from_millis(1500),
        };
        RunSummary {
            stacks: vec![
                (
                    "Api".into(),
                    StackRun::Failed {
                        error: Error::Usage("bad".into()),
                        timing,
                    },
                ),
                (
                    "Web".into(),
                    StackRun::Skipped {
                        blocked_by: "Api".into(),
                    },
                ),
                (
                    "Net".into(),
                    StackRun::Succeeded {
                        outcome: (),
                        timing,
                    },
                ),
            ],
            interrupted: false,
        }
    }

    #[test]
    fn a_failed_run_ends_in_the_failure_or_the_summary_error() {
        let s = session();
        let one = s.conclude("deploy", failed_run(), 1).unwrap_err();
        assert!(matches!(one, Error::Usage(ref m) if m == "bad"), "{one:?}");
        let several = s.conclude("deploy", failed_run(), 4).unwrap_err();
        assert_eq!(
            several.to_string(),
            "deploy: stack Api failed (bad); skipped: Web; succeeded: Net"
        );
        let mut stopped = failed_run();
        stopped.interrupted = true;
        assert!(matches!(
            s.conclude("deploy", stopped, 4),
            Err(Error::Interrupted(_))
        ));
    }

    #[test]
    fn the_summary_has_a_line_per_stack() {
        let (output, captured) = Output::capture();
        let mut s = session();
        s.output = output.into();
        s.print_summary("deploy", &failed_run(), |_| "created".to_string());
        assert_eq!(
            captured.text(),
            "deploy summary: 1 succeeded, 1 failed, 1 skipped or not started\n  x Api: failed after 1.5s: bad\n  - Web: skipped (waits for Api, which failed)\n  + Net: created (1.5s)\n"
        );
    }
}
