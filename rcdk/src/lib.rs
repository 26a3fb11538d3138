//! The Rust CDK: describe AWS infrastructure as typed Rust, run `cargo run -- synth` to write
//! CloudFormation templates and `cargo run -- deploy` to deploy them.
//!
//! ```no_run
//! use rcdk::prelude::*;
//!
//! fn main() -> std::process::ExitCode {
//!     let mut app = App::new();
//!     app.add(Stack::new("Hello").with("Queue", RawResource::new("AWS::SQS::Queue")));
//!     app.run()
//! }
//! ```

#![warn(missing_docs)]

/// Typed CloudFormation resources (`constructs::cfn`) and the higher-level constructs.
pub use rcdk_constructs as constructs;
/// An IAM action checked by the compiler against the pinned IAM action list:
/// `action!("sqs:ReceiveMessage")`.
pub use rcdk_constructs::action;
/// Several checked IAM actions, as an array: `actions!["s3:GetObject", "s3:ListBucket"]`.
pub use rcdk_constructs::actions;
/// A CIDR literal checked by the compiler: `cidr!("10.0.0.0/16")`.
pub use rcdk_constructs::cidr;
pub use rcdk_core as core;
/// An id literal checked by the compiler: `id!(VpcId, "vpc-0abc1234")`.
pub use rcdk_core::id;
pub use rcdk_core::{fns, kind};
/// `#[derive(Construct)]` for users of this crate: the generated impl names `::rcdk::core`, so a
/// program needs no direct dependency on `rcdk-core`.
pub use rcdk_macros::FacadeConstruct as Construct;

use std::process::ExitCode;

/// Everything a `main.rs` usually needs.
pub mod prelude {
    pub use crate::AppExt;
    pub use crate::Construct;
    pub use rcdk_constructs::error::ConstructError;
    pub use rcdk_constructs::network::{
        Cidr, Connectable, FlowLogOptions, FlowLogTraffic, GatewayService, HostedZone, IVpc,
        ImportedVpc, InterfaceService, NaclPeer, NatPolicy, NetworkAclRules, Port, SecurityGroup,
        SubnetSelection, Tier, TierKind, TieredVpc, VpcLookup,
    };
    pub use rcdk_constructs::{action, actions, cidr};
    pub use rcdk_core::id;
    // Service constructs: IAM, ECS, load balancers, storage, data tier; the `I*` traits are
    // what other constructs ask of them (implemented by imported resources too).
    pub use rcdk_constructs::budgets::{BudgetTopic, MonthlyBudget, Spend, Usd};
    pub use rcdk_constructs::compute::{
        AmiLookup, AutoScalingGroup, CpuArchitecture, Gp3Volume, InstanceType, LaunchTemplate,
        MachineImage, RollingUpdate, UserData,
    };
    pub use rcdk_constructs::data::{PostgresDatabase, RedisCache};
    pub use rcdk_constructs::ecs::{
        AutoScaling, Container, ContainerImage, EcsCluster, EcsService, FargateSize, HealthCheck,
        ICluster, SecretSource,
    };
    pub use rcdk_constructs::elbv2::{ApplicationLoadBalancer, ImportedListener, Route};
    pub use rcdk_constructs::iam::{
        Action, ConditionOperator, GithubActionsRole, Grant, Grantee, ManagedPolicy, OidcProvider,
        PolicyDocument, Role, RoleNameText, Statement, TaskRoles,
    };
    pub use rcdk_constructs::lambda::{
        Architecture, Code, Function, FunctionBuilder, InVpc, NoVpc, RateUnit, Runtime, Schedule,
        ScheduleTrigger,
    };
    pub use rcdk_constructs::storage::{
        AttributeType, Bucket, IBucket, ILogGroup, IParameter, IQueue, ISecret, ITable,
        KeyAttribute, LifecycleRule, LogGroup, LogRetention, ParameterPath, Queue, Secret,
        SsmParameter, StorageClass, Table,
    };
    pub use rcdk_constructs::{fargate_size, role_name};
    pub use rcdk_core::aspect::{for_cfn_type, for_type, AspectContext};
    pub use rcdk_core::asset::{AssetError, FileAsset};
    pub use rcdk_core::kind::*;
    pub use rcdk_core::{
        fns, App, Condition, Construct, CrossStackStrategy, Group, Mapping, Output, Parameter,
        RawResource, RemovalPolicy, Resource, Stack, Tag, Tags, Val, Value,
    };
}

/// Runs the app's command line: `synth`, `list`, `tree`, `graph`, and `deploy`, `diff`,
/// `destroy`, `bootstrap`, `publish`: those synthesize and hand over to `cargo rcdk`, or run in
/// this process with the `deploy` feature.
pub fn run(app: rcdk_core::App) -> ExitCode {
    #[cfg(feature = "deploy")]
    {
        app.run_with(Some(&cargo_rcdk::CloudFormationDeployer))
    }
    #[cfg(not(feature = "deploy"))]
    {
        app.run_with(None)
    }
}

/// As [`run`], with explicit arguments (the first is the program name): for programs that
/// parse some arguments themselves, benchmarks and tests.
pub fn run_args<I, T>(app: rcdk_core::App, args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    #[cfg(feature = "deploy")]
    {
        app.run_args(args, Some(&cargo_rcdk::CloudFormationDeployer))
    }
    #[cfg(not(feature = "deploy"))]
    {
        app.run_args(args, None)
    }
}

/// `app.run()`: the entry point at the end of a `main.rs`, for an [`App`](rcdk_core::App) or for
/// the `Result` of a function that builds one, so that `main` is one line:
///
/// ```no_run
/// use rcdk::prelude::*;
///
/// fn build_app() -> Result<App, ConstructError> {
///     let mut app = App::new();
///     app.add(Stack::new("Hello").with("Queue", RawResource::new("AWS::SQS::Queue")));
///     Ok(app)
/// }
///
/// fn main() -> std::process::ExitCode {
///     build_app().run()
/// }
/// ```
///
/// An `Err` is printed to standard error as one `error: ...` message and the program exits
/// with a failure code, without running any command.
pub trait AppExt {
    /// Parses the process arguments and runs the command.
    fn run(self) -> ExitCode;

    /// As [`run`](AppExt::run), with explicit arguments (the first is the program name).
    fn run_with_args<I, T>(self, args: I) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone;
}

impl AppExt for rcdk_core::App {
    fn run(self) -> ExitCode {
        run(self)
    }

    fn run_with_args<I, T>(self, args: I) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        run_args(self, args)
    }
}

impl<E: std::fmt::Display> AppExt for Result<rcdk_core::App, E> {
    fn run(self) -> ExitCode {
        match self {
            Ok(app) => run(app),
            Err(e) => build_failed(&e),
        }
    }

    fn run_with_args<I, T>(self, args: I) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        match self {
            Ok(app) => run_args(app, args),
            Err(e) => build_failed(&e),
        }
    }
}

/// Reports an app that could not be built: the error's own message, nothing else (no `Debug`
/// dump, which is what returning the error from `main` would print).
fn build_failed(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("{}", build_error_message(e));
    ExitCode::FAILURE
}

/// The message printed for an app that could not be built.
#[doc(hidden)]
pub fn build_error_message(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    format!("error: the app could not be built: {}", text.trim_end())
}

// The README's code blocks compile and run as doctests of this crate.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
