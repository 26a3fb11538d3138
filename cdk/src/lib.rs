//! The Rust CDK: describe AWS infrastructure as typed Rust, run `cargo run -- synth` to write
//! CloudFormation templates and `cargo run -- deploy` to deploy them.
//!
//! ```no_run
//! use cdk::prelude::*;
//!
//! fn main() -> std::process::ExitCode {
//!     let mut app = App::new();
//!     app.add(Stack::new("Hello").with("Queue", RawResource::new("AWS::SQS::Queue")));
//!     app.run()
//! }
//! ```

pub use cdk_core as core;
pub use cdk_core::{fns, kind};

use std::process::ExitCode;

/// Everything a `main.rs` usually needs.
pub mod prelude {
    pub use crate::AppExt;
    pub use cdk_core::kind::*;
    pub use cdk_core::{
        fns, App, Condition, Construct, CrossStackStrategy, Group, Mapping, Output, Parameter,
        RawResource, RemovalPolicy, Resource, Stack, Tag, Tags, Val, Value,
    };
}

/// Runs the app's command line: `synth`, `list`, `tree`, and with the `deploy` feature
/// `deploy`, `diff` and `destroy`.
pub fn run(app: cdk_core::App) -> ExitCode {
    app.run_with(None)
}

/// `app.run()`: the entry point at the end of a `main.rs`.
pub trait AppExt {
    /// Parses the process arguments and runs the command.
    fn run(self) -> ExitCode;
}

impl AppExt for cdk_core::App {
    fn run(self) -> ExitCode {
        run(self)
    }
}
