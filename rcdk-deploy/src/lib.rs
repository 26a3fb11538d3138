//! Deploys a synthesized cloud assembly to AWS CloudFormation: `deploy`, `diff` and `destroy`.
//!
//! The library works without the command line:
//!
//! ```no_run
//! # async fn run() -> Result<(), rcdk_deploy::Error> {
//! use rcdk_deploy::{Assembly, ClientOptions, Clients, Deploy, DeployOptions};
//! let assembly = Assembly::load(std::path::Path::new("cdk.out"))?;
//! let clients = Clients::load(&ClientOptions::default()).await?;
//! Deploy::new(clients).deploy(&assembly, &DeployOptions::default()).await?;
//! # Ok(()) }
//! ```
//!
//! Each stack goes to the account and region of its environment in the assembly (agnostic
//! parts: the credentials' account, the configured region): in the credentials' own account
//! with those credentials, in another account through that environment's bootstrap deploy role
//! (assumed with STS), CloudFormation then acting as its execution role.
//!
//! Publishing uploads file assets to the staging bucket and pushes container images (built
//! without a daemon from Rust packages, read from tarballs, or built from Dockerfiles) to ECR:
//! see [`image`].
//!
//! The `cargo rcdk` command line (crate `cargo-rcdk`) is built on it.

#![warn(missing_docs)]

mod approval;
mod assembly;
mod bootstrap;
mod changeset;
mod client;
mod confirm;
mod cross_env;
mod deploy;
mod destroy;
pub mod diff;
mod environment;
mod environments;
mod errors;
mod events;
pub mod image;
pub mod lookups;
mod output;
pub mod package;
mod plan;
mod publish;
mod publish_images;
mod request;
mod review;
mod schedule;
mod session;
mod stack_state;

pub use approval::RequireApproval;
pub use assembly::{
    sha256_hex, stack_environment, Assembly, Manifest, StackEntry, StackEnvironment, Template,
};
pub use bootstrap::{BootstrapOutcome, BOOTSTRAP_TEMPLATE_MARKER};
pub use changeset::{ChangeSet, ResourceChange};
pub use client::{retry_config, ClientOptions, Clients, FailFastOnRefused};
pub use confirm::Confirm;
pub use deploy::{Deploy, DeployOptions, DeployReport, StackOutcome};
pub use destroy::{DestroyOptions, DestroyReport};
pub use environment::{Preflight, Target};
pub use errors::{CrossEnvironmentError, Error, Result};
pub use events::{format_event, Failure};
pub use output::{Captured, Output};
pub use plan::{Plan, PlanEntry, PLAN_VERSION};
pub use publish::PublishReport;
pub use request::{capabilities, StackParameter, INLINE_TEMPLATE_LIMIT};
pub use review::{DiffOptions, DiffReport};
pub use schedule::StackTiming;
