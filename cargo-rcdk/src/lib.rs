//! `cargo rcdk`: the deployment command line of the Rust CDK, as a cargo subcommand.
//!
//! Install it with `cargo install --path cargo-rcdk` (or `cargo install cargo-rcdk`), then in
//! a project whose program builds an `rcdk::App`:
//!
//! ```text
//! cargo rcdk bootstrap        # once per account and region
//! cargo rcdk deploy --all     # synthesize through `cargo run`, then deploy
//! cargo rcdk diff
//! cargo rcdk destroy
//! ```
//!
//! It owns the AWS SDK, so the user's program compiles without it; `cargo run -- deploy` in
//! that program synthesizes and hands over to this binary. [`CloudFormationDeployer`] is also
//! a [`rcdk_core::cli::Deployer`], for programs that want deployment built in (the `deploy`
//! feature of the `rcdk` crate).

#![warn(missing_docs)]

mod bootstrap;
mod commands;
pub mod context;
pub mod migrate;
mod synth;

pub use bootstrap::bootstrap_assembly;
pub use commands::CloudFormationDeployer;
pub use synth::{synthesize, SynthRequest};
