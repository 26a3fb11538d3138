//! AWS Lambda: [`Function`] with its code from a directory or zip ([`Code::from_asset`]), a
//! Rust package of the user's workspace built with cargo-lambda ([`Code::cargo_package`]) or
//! inline Python / Node.js ([`Code::inline`]); its own role and log group; checked memory and
//! timeout; environment variables, VPC placement with a security group, reserved concurrency,
//! a dead-letter queue; SQS and schedule event sources; typed grants.
//!
//! ```no_run
//! use rcdk_constructs::lambda::{Code, Function, Schedule};
//! use rcdk_constructs::storage::{Bucket, IBucket};
//!
//! let bucket = Bucket::new();
//! // A package of this Cargo workspace, built into `bootstrap` when the assets are published.
//! let mut job = Function::builder(Code::cargo_package("nightly-job-function")?)
//!     .arm64()
//!     .timeout_seconds(300)
//!     .environment("BUCKET_NAME", bucket.bucket_name())
//!     .build()?;
//! bucket.grant_write(&mut job);
//! job.add_schedule(Schedule::daily_at(2, 0)?);
//! # Ok::<(), rcdk_constructs::error::ConstructError>(())
//! ```

mod code;
mod function;
mod schedule;

pub use code::{Architecture, Code, INLINE_CODE_LIMIT, PACKAGE_COMMAND};
pub use function::{
    Function, FunctionBuilder, InVpc, NoVpc, Placement, Runtime, ScheduleTrigger, LAMBDA_PRINCIPAL,
    MAX_TIMEOUT_SECONDS, MEMORY_RANGE_MB,
};
pub use schedule::{RateUnit, Schedule};
