//! Seed 004's nightly job ("a nightly job writing a database dump to S3 with a lifecycle:
//! Glacier after 30 days, delete after a year"): a Rust Lambda function of this workspace
//! (`function/`, package `nightly-job-function`) built by cargo-lambda at publish time, run
//! every night at 02:00 UTC by an EventBridge schedule, allowed to write to the dumps bucket
//! and nothing else; failed runs land in its dead-letter queue.

use rcdk::constructs::cfn::s3::bucket::{
    LifecycleConfiguration, Rule, RuleStatus, Transition, TransitionStorageClass,
};
use rcdk::prelude::*;

fn build_app() -> Result<App, ConstructError> {
    let mut dumps = Bucket::new();
    dumps
        .resource_mut()
        .set_lifecycle_configuration(LifecycleConfiguration::new(vec![Rule::new(
            RuleStatus::Enabled,
        )
        .id("dumps-to-glacier-then-expire")
        .prefix("dumps/")
        .transitions(vec![
            Transition::new(TransitionStorageClass::Glacier).transition_in_days(30)
        ])
        .expiration_in_days(365)]));

    let mut job = Function::builder(Code::cargo_package("nightly-job-function")?)
        .description("Writes the nightly database dump to the dumps bucket")
        .memory_mb(256)
        .timeout_seconds(300)
        .environment("BUCKET_NAME", dumps.bucket_name())
        .dead_letter_queue()
        .build()?;
    dumps.grant_write(&mut job);
    job.add_schedule(Schedule::daily_at(2, 0)?);

    let mut app = App::new();
    app.add(
        Stack::new("NightlyJob")
            .with("Dumps", dumps)
            .with("Job", job),
    );
    Ok(app)
}

fn main() -> std::process::ExitCode {
    build_app().run()
}
