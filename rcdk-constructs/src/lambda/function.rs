//! The Lambda function construct: code, its own role and log group, checked settings, event
//! sources and grants.

use std::marker::PhantomData;

use indexmap::IndexMap;
use rcdk_core::asset::FileAsset;
use rcdk_core::construct::{Child, ChildMut, ConstructField};
use rcdk_core::image::{Arch, ImageAsset, ImageRecipe};
use rcdk_core::kind::{FunctionArn, SecurityGroupId, SubnetId, VpcId};
use rcdk_core::{fns, Resource, Scanner, Val, Value};
use rcdk_macros::Construct;

use super::code::{Architecture, Code, CodeKind};
use super::schedule::Schedule;
use crate::cfn::events as events_cfn;
use crate::cfn::lambda as cfn;
use crate::cfn::lambda::function as f;
use crate::error::ConstructError;
use crate::iam::{grant_all, CheckedStatement, Grant, Grantee, Role, Statement};
use crate::network::{Connectable, IVpc, Port, SecurityGroup, SubnetSelection, TierKind};
use crate::storage::{ILogGroup, IQueue, LogGroup, LogRetention, Queue};

/// The service principal Lambda assumes function roles with.
pub const LAMBDA_PRINCIPAL: &str = "lambda.amazonaws.com";

/// Lambda's memory range, in MB.
pub const MEMORY_RANGE_MB: std::ops::RangeInclusive<u32> = 128..=10_240;
/// Lambda's longest timeout, in seconds.
pub const MAX_TIMEOUT_SECONDS: u32 = 900;

/// Environment variable names Lambda sets itself and refuses in a function's configuration.
const RESERVED_ENV: [&str; 18] = [
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_REGION",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "LAMBDA_RUNTIME_DIR",
    "LAMBDA_TASK_ROOT",
];

/// The runtimes this construct offers: current Python and Node.js versions for
/// [`Code::inline`] and assets, and `provided.al2023` for Rust ([`Code::cargo_package`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// `python3.12`.
    Python312,
    /// `python3.13`.
    Python313,
    /// `nodejs20.x`.
    Nodejs20,
    /// `nodejs22.x`.
    Nodejs22,
    /// `provided.al2023`: a `bootstrap` executable (Rust, Go, ...).
    ProvidedAl2023,
}

impl Runtime {
    fn cfn(self) -> f::Runtime {
        match self {
            Runtime::Python312 => f::Runtime::Python312,
            Runtime::Python313 => f::Runtime::Python313,
            Runtime::Nodejs20 => f::Runtime::Nodejs20X,
            Runtime::Nodejs22 => f::Runtime::Nodejs22X,
            Runtime::ProvidedAl2023 => f::Runtime::ProvidedAl2023,
        }
    }

    fn takes_inline_code(self) -> bool {
        !matches!(self, Runtime::ProvidedAl2023)
    }
}

/// Where a function runs: outside any VPC ([`NoVpc`], the default) or in a VPC's subnets with
/// its own security group ([`InVpc`]), which is what makes the function [`Connectable`].
pub trait Placement: ConstructField + Clone + std::fmt::Debug {
    #[doc(hidden)]
    fn place(spec: Option<&VpcSpec>) -> Option<Self>;
    #[doc(hidden)]
    fn security_group_id(&self) -> Option<Val<SecurityGroupId>>;
}

/// Outside any VPC: the function reaches AWS APIs and the internet directly.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVpc;

impl ConstructField for NoVpc {
    fn push_children<'a>(&'a self, _id: &str, _out: &mut Vec<Child<'a>>) {}
    fn push_children_mut<'a>(&'a mut self, _id: &str, _out: &mut Vec<ChildMut<'a>>) {}
}

impl Placement for NoVpc {
    fn place(_spec: Option<&VpcSpec>) -> Option<NoVpc> {
        Some(NoVpc)
    }
    fn security_group_id(&self) -> Option<Val<SecurityGroupId>> {
        None
    }
}

/// In a VPC, with the function's security group (child `SecurityGroup`).
#[derive(Debug, Clone)]
pub struct InVpc {
    security_group: SecurityGroup,
}

impl ConstructField for InVpc {
    fn push_children<'a>(&'a self, _id: &str, out: &mut Vec<Child<'a>>) {
        self.security_group.push_children("SecurityGroup", out);
    }
    fn push_children_mut<'a>(&'a mut self, _id: &str, out: &mut Vec<ChildMut<'a>>) {
        self.security_group.push_children_mut("SecurityGroup", out);
    }
}

impl Placement for InVpc {
    fn place(spec: Option<&VpcSpec>) -> Option<InVpc> {
        let spec = spec?;
        let mut security_group =
            SecurityGroup::new(spec.vpc_id.clone(), "function", "Lambda function");
        // The AWS APIs a function calls (and its log delivery) are HTTPS endpoints.
        security_group.allow_to_any_ipv4(Port::tcp(443));
        Some(InVpc { security_group })
    }
    fn security_group_id(&self) -> Option<Val<SecurityGroupId>> {
        Some(self.security_group.group_id())
    }
}

#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct VpcSpec {
    vpc_id: Val<VpcId>,
    subnets: Result<Vec<Val<SubnetId>>, ConstructError>,
}

/// The settings of a [`Function`] before it is built: see [`Function::builder`].
#[derive(Debug, Clone)]
pub struct FunctionBuilder<P: Placement = NoVpc> {
    code: Code,
    runtime: Option<Runtime>,
    handler: Option<String>,
    description: Option<String>,
    memory_mb: u32,
    timeout_seconds: u32,
    architecture: Architecture,
    environment: Vec<(String, Value)>,
    retention: LogRetention,
    reserved_concurrency: Option<u32>,
    dead_letter_queue: bool,
    vpc: Option<VpcSpec>,
    placement: PhantomData<P>,
}

/// A Lambda function with its own role (assumed by `lambda.amazonaws.com`, allowed to write
/// to its own log group and nothing else until granted more), its own log group (a year
/// unless [`FunctionBuilder::log_retention`] says otherwise) and checked settings.
///
/// Permissions granted to the function (`bucket.grant_write(&mut function)`) go to its role,
/// and the function `DependsOn` the role's policy so that it never runs without them.
///
/// ```
/// use rcdk_constructs::lambda::{Code, Function, Runtime, Schedule};
/// use rcdk_constructs::storage::{Bucket, IBucket};
/// use rcdk_core::{App, Stack};
///
/// let bucket = Bucket::new();
/// let mut function = Function::builder(Code::inline("def handler(event, context):\n    return 1\n")?)
///     .runtime(Runtime::Python313)
///     .memory_mb(256)
///     .timeout_seconds(60)
///     .environment("BUCKET_NAME", bucket.bucket_name())
///     .dead_letter_queue()
///     .build()?;
/// bucket.grant_write(&mut function);
/// function.add_schedule(Schedule::daily_at(2, 0)?);
/// assert!(Function::builder(Code::inline("x = 1")?).runtime(Runtime::Python313).timeout_seconds(901).build().is_err());
/// let mut app = App::new();
/// app.add(Stack::new("Jobs").with("Bucket", bucket).with("Job", function));
/// app.synth().unwrap();
/// # Ok::<(), rcdk_constructs::error::ConstructError>(())
/// ```
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "lambda::Function")]
pub struct Function<P: Placement = NoVpc> {
    #[construct(id = "ServiceRole")]
    role: Role,
    #[construct(id = "LogGroup")]
    logs: LogGroup,
    #[construct(id = "Code")]
    asset: Option<FileAsset>,
    #[construct(id = "Image")]
    image: Option<ImageAsset>,
    #[construct(id = "DeadLetterQueue")]
    dead_letters: Option<Queue>,
    placement: P,
    resource: cfn::Function,
    #[construct(id = "SqsSource")]
    sqs_sources: Vec<cfn::EventSourceMapping>,
    #[construct(id = "Schedule")]
    schedules: Vec<ScheduleTrigger>,
}

/// An EventBridge rule that invokes the function, and the permission that lets it.
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "lambda::ScheduleTrigger")]
pub struct ScheduleTrigger {
    rule: events_cfn::Rule,
    #[construct(id = "InvokePermission")]
    permission: cfn::Permission,
}

impl Function {
    /// Starts a function running `code`. [`Code::cargo_package`] sets the runtime
    /// (`provided.al2023`) and handler (`bootstrap`); inline code and assets need
    /// [`FunctionBuilder::runtime`], and assets a [`FunctionBuilder::handler`] (inline code's
    /// defaults to `index.handler`).
    pub fn builder(code: Code) -> FunctionBuilder<NoVpc> {
        FunctionBuilder {
            code,
            runtime: None,
            handler: None,
            description: None,
            memory_mb: 128,
            timeout_seconds: 3,
            architecture: Architecture::X86_64,
            environment: Vec::new(),
            retention: LogRetention::ONE_YEAR,
            reserved_concurrency: None,
            dead_letter_queue: false,
            vpc: None,
            placement: PhantomData,
        }
    }
}

impl FunctionBuilder<NoVpc> {
    /// Runs the function in `selection` of `vpc` (private or isolated subnets; a public
    /// subnet gives a function no internet access), with its own security group: the
    /// function then joins the connections API (`db.allow_from(&function, Port::tcp(5432))`).
    /// The role gets the network-interface permissions Lambda needs there.
    pub fn vpc(self, vpc: &dyn IVpc, selection: SubnetSelection) -> FunctionBuilder<InVpc> {
        let public = match &selection {
            SubnetSelection::Tier(name) => vpc.tier_kind(name) == Some(TierKind::Public),
            SubnetSelection::Kind(kind) | SubnetSelection::OnePerAz(kind) => {
                *kind == TierKind::Public
            }
            SubnetSelection::Explicit(ids) => {
                let public = vpc.subnet_ids(TierKind::Public);
                ids.iter().any(|id| public.contains(id))
            }
        };
        let subnets = if public {
            Err(ConstructError::Conflict {
                construct: "Function".into(),
                problem: "a function in a public subnet gets no public IP and so no internet \
                          access; place it in private (with NAT) or isolated subnets"
                    .into(),
            })
        } else {
            vpc.select(&selection)
        };
        FunctionBuilder {
            code: self.code,
            runtime: self.runtime,
            handler: self.handler,
            description: self.description,
            memory_mb: self.memory_mb,
            timeout_seconds: self.timeout_seconds,
            architecture: self.architecture,
            environment: self.environment,
            retention: self.retention,
            reserved_concurrency: self.reserved_concurrency,
            dead_letter_queue: self.dead_letter_queue,
            vpc: Some(VpcSpec {
                vpc_id: vpc.vpc_id(),
                subnets,
            }),
            placement: PhantomData,
        }
    }
}

impl<P: Placement> FunctionBuilder<P> {
    /// The runtime (needed for inline code and assets).
    pub fn runtime(mut self, runtime: Runtime) -> Self {
        self.runtime = Some(runtime);
        self
    }

    /// The handler (`index.handler`, `app.main`, ...; `bootstrap` for Rust packages).
    pub fn handler(mut self, handler: &str) -> Self {
        self.handler = Some(handler.to_string());
        self
    }

    /// The function's description.
    pub fn description(mut self, text: &str) -> Self {
        self.description = Some(text.to_string());
        self
    }

    /// Memory in MB, 128 to 10,240 (checked when built; default 128). CPU grows with it.
    pub fn memory_mb(mut self, mb: u32) -> Self {
        self.memory_mb = mb;
        self
    }

    /// Timeout in seconds, 1 to 900 (checked when built; default 3).
    pub fn timeout_seconds(mut self, seconds: u32) -> Self {
        self.timeout_seconds = seconds;
        self
    }

    /// Runs on arm64 (Graviton). A Rust package is then built for
    /// `aarch64-unknown-linux-gnu`, which must be installed (`rustup target add
    /// aarch64-unknown-linux-gnu`) where it is published.
    pub fn arm64(mut self) -> Self {
        self.architecture = Architecture::Arm64;
        self
    }

    /// Sets environment variable `name` (letters, digits, `_`, starting with a letter; not one
    /// Lambda reserves, such as `AWS_REGION`) to `value`: a literal or a template value such as
    /// `bucket.bucket_name()`. Checked when built.
    pub fn environment(mut self, name: &str, value: impl Into<Val<String>>) -> Self {
        let value: Val<String> = value.into();
        self.environment.retain(|(n, _)| n != name);
        self.environment.push((name.to_string(), value.into()));
        self
    }

    /// How long the function's log group keeps events (default one year).
    pub fn log_retention(mut self, retention: LogRetention) -> Self {
        self.retention = retention;
        self
    }

    /// Reserves `n` concurrent executions for the function (and caps it there); 0 stops all
    /// invocations.
    pub fn reserved_concurrency(mut self, n: u32) -> Self {
        self.reserved_concurrency = Some(n);
        self
    }

    /// Sends events of failed asynchronous invocations (schedules, S3 notifications, ...) to
    /// a dead-letter queue of its own (child `DeadLetterQueue`, a [`Queue::for_dead_letters`]:
    /// encrypted, 14 days retention; the role may send to it).
    pub fn dead_letter_queue(mut self) -> Self {
        self.dead_letter_queue = true;
        self
    }

    /// Checks the settings; the runtime and handler (none for an image).
    fn check(&self) -> Result<Option<(Runtime, String)>, ConstructError> {
        if !MEMORY_RANGE_MB.contains(&self.memory_mb) {
            return Err(ConstructError::OutOfRange {
                construct: "Function",
                setting: "memory_mb",
                value: self.memory_mb.into(),
                allowed: "128..=10240 MB, what Lambda accepts",
            });
        }
        if !(1..=MAX_TIMEOUT_SECONDS).contains(&self.timeout_seconds) {
            return Err(ConstructError::OutOfRange {
                construct: "Function",
                setting: "timeout_seconds",
                value: self.timeout_seconds.into(),
                allowed: "1..=900 seconds (15 minutes), Lambda's longest run",
            });
        }
        for (name, _) in &self.environment {
            let valid = name.len() >= 2
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(ConstructError::InvalidName {
                    construct: "Function",
                    what: "environment variable",
                    name: name.clone(),
                    rule: "it must be a letter then letters, digits or `_` (2 characters or more)",
                });
            }
            if RESERVED_ENV.contains(&name.as_str()) {
                return Err(ConstructError::InvalidName {
                    construct: "Function",
                    what: "environment variable",
                    name: name.clone(),
                    rule: "Lambda sets it itself (reserved); choose another name",
                });
            }
        }
        let conflict = |problem: &str| ConstructError::Conflict {
            construct: "Function".into(),
            problem: problem.to_string(),
        };
        match &self.code.kind {
            CodeKind::Cargo(_) => {
                if self.runtime.is_some_and(|r| r != Runtime::ProvidedAl2023) {
                    return Err(conflict(
                        "a Rust package runs on provided.al2023; remove .runtime(..)",
                    ));
                }
                if self.handler.as_deref().is_some_and(|h| h != "bootstrap") {
                    return Err(conflict(
                        "a Rust package's handler is `bootstrap`; remove .handler(..)",
                    ));
                }
                Ok(Some((Runtime::ProvidedAl2023, "bootstrap".into())))
            }
            CodeKind::Image(_) => {
                if self.runtime.is_some() || self.handler.is_some() {
                    return Err(conflict(
                        "a function from a container image has no runtime or handler (the \
                         image's entrypoint is the handler); remove .runtime(..) and \
                         .handler(..)",
                    ));
                }
                Ok(None)
            }
            CodeKind::Inline(_) => match self.runtime {
                Some(r) if r.takes_inline_code() => Ok(Some((
                    r,
                    self.handler
                        .clone()
                        .unwrap_or_else(|| "index.handler".into()),
                ))),
                Some(_) => Err(conflict(
                    "inline code is for Python and Node.js runtimes; use Code::cargo_package or \
                     Code::from_asset for provided.al2023",
                )),
                None => Err(conflict(
                    "inline code needs .runtime(..) (Python or Node.js)",
                )),
            },
            CodeKind::Asset(_) => match (self.runtime, &self.handler) {
                (Some(r), Some(h)) => Ok(Some((r, h.clone()))),
                _ => Err(conflict(
                    "code from an asset needs .runtime(..) and .handler(..)",
                )),
            },
        }
    }

    /// The image asset of an image function; a Cargo image is built for the function's
    /// architecture.
    fn image_asset(&self, recipe: &ImageRecipe) -> Result<ImageAsset, ConstructError> {
        let recipe = match recipe {
            ImageRecipe::Cargo(cargo) => {
                ImageRecipe::Cargo(cargo.clone().arch(match self.architecture {
                    Architecture::X86_64 => Arch::X86_64,
                    Architecture::Arm64 => Arch::Arm64,
                }))
            }
            other => other.clone(),
        };
        recipe
            .asset(None)
            .map_err(|e| ConstructError::InvalidImage {
                problem: format!("Function code: {e}"),
            })
    }

    /// Checks the settings and builds the function: memory, timeout, environment names,
    /// runtime and handler for the kind of code, the VPC placement.
    pub fn build(self) -> Result<Function<P>, ConstructError> {
        let runtime_handler = self.check()?;
        let subnets = match &self.vpc {
            Some(spec) => Some(spec.subnets.clone()?),
            None => None,
        };
        let placement = P::place(self.vpc.as_ref()).ok_or_else(|| ConstructError::Conflict {
            construct: "Function".into(),
            problem: "no VPC was given for a function placed in a VPC".into(),
        })?;

        let logs = LogGroup::new().retention(self.retention);
        let mut role = Role::assumed_by_service(LAMBDA_PRINCIPAL);
        // Its own log group only, rather than AWSLambdaBasicExecutionRole's logs on `*`.
        logs.grant_write(&mut role);
        if subnets.is_some() {
            // Lambda creates and deletes the function's network interfaces with the role. The
            // interfaces do not exist before, so the writes are scoped to this account and
            // region (the interface, its subnet and security groups); the read has no
            // resource type.
            let eni = Statement::allow(crate::actions![
                "ec2:AssignPrivateIpAddresses",
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:UnassignPrivateIpAddresses"
            ])
            .on(fns::sub_plain(
                "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:*",
            ))
            .wildcards_because(
                "Lambda creates and deletes the function's network interfaces in the VPC with \
                 this role: the interfaces, and so their ARNs, do not exist before Lambda \
                 creates them; scoped to this account and region",
            )
            .checked()?;
            role.grant(eni);
            let describe = Statement::allow(crate::actions!["ec2:DescribeNetworkInterfaces"])
                .on_any_resource_explicitly()
                .wildcards_because(
                    "ec2:DescribeNetworkInterfaces has no resource-level permissions (IAM \
                     accepts only `*` for it); Lambda reads the function's interfaces with it",
                )
                .checked()?;
            role.grant(describe);
        }
        let dead_letters = self.dead_letter_queue.then(Queue::for_dead_letters);
        if let Some(queue) = &dead_letters {
            queue.grant_send(&mut role);
        }

        let image = match &self.code.kind {
            CodeKind::Image(recipe) => Some(self.image_asset(recipe)?),
            _ => None,
        };
        let (asset, code) = match &self.code.kind {
            CodeKind::Asset(asset) => (Some(asset.clone()), None),
            CodeKind::Cargo(package) => (Some(package.asset(self.architecture)?), None),
            CodeKind::Inline(source) => (None, Some(f::Code::new().zip_file(source.as_str()))),
            CodeKind::Image(_) => (
                None,
                image
                    .as_ref()
                    .map(|i| f::Code::new().image_uri(i.image_uri())),
            ),
        };
        let code = match (&asset, code) {
            (Some(asset), _) => f::Code::new()
                .s3_bucket(asset.bucket_name())
                .s3_key(asset.object_key()),
            (None, Some(code)) => code,
            (None, None) => f::Code::new(),
        };

        let architecture = match self.architecture {
            Architecture::X86_64 => f::Architectures::X8664,
            Architecture::Arm64 => f::Architectures::Arm64,
        };
        let log_group_name: Val<String> = logs.log_group_name().into();
        let mut resource = cfn::Function::new(code, role.arn());
        resource = match runtime_handler {
            Some((runtime, handler)) => resource.runtime(runtime.cfn()).handler(handler),
            None => resource.package_type(f::PackageType::Image),
        };
        let mut resource = resource
            .memory_size(i64::from(self.memory_mb))
            .timeout(i64::from(self.timeout_seconds))
            .architectures(vec![architecture])
            .logging_config(f::LoggingConfig::new().log_group(log_group_name))
            .skip_check(
                "CKV_AWS_173",
                "Lambda encrypts environment variables at rest with an AWS managed key; a \
                 customer-managed key would add a key and its policy for every function.",
            );
        if let Some(text) = &self.description {
            resource.set_description(text.as_str());
        }
        if !self.environment.is_empty() {
            let variables: IndexMap<String, Value> = self.environment.iter().cloned().collect();
            resource.set_environment(f::Environment::new().variables(variables));
        }
        match self.reserved_concurrency {
            Some(n) => {
                resource.set_reserved_concurrent_executions(i64::from(n));
            }
            None => resource.core_mut().skip_check(
                "CKV_AWS_115",
                "No reserved concurrency unless asked for (FunctionBuilder::reserved_concurrency): \
                 reserving takes capacity from every other function of the account.",
            ),
        }
        match &dead_letters {
            Some(queue) => {
                let arn: Val<String> = queue.queue_arn().into();
                resource.set_dead_letter_config(f::DeadLetterConfig::new().target_arn(arn));
            }
            None => resource.core_mut().skip_check(
                "CKV_AWS_116",
                "A dead-letter queue serves asynchronous invocations and is opt-in \
                 (FunctionBuilder::dead_letter_queue); synchronous callers get the error.",
            ),
        }
        match (&subnets, placement.security_group_id()) {
            (Some(subnets), Some(group)) => {
                resource.set_vpc_config(
                    f::VpcConfig::new()
                        .subnet_ids(subnets.clone())
                        .security_group_ids(vec![group]),
                );
            }
            _ => {
                resource.core_mut().skip_check(
                    "CKV_AWS_117",
                    "Runs outside a VPC unless placed in one (FunctionBuilder::vpc): a function \
                     that reaches only AWS APIs needs no VPC, which would add NAT or endpoints.",
                );
                resource.core_mut().suppress(
                    Scanner::Guard,
                    "lambda_inside_vpc_check",
                    "Runs outside a VPC: the function reaches only AWS APIs (over HTTPS, \
                     authorized by its role), and a VPC would add NAT gateways or interface \
                     endpoints for them. FunctionBuilder::vpc places it in a VPC, which it \
                     needs to reach private resources, and lifts this suppression.",
                );
            }
        }

        let mut function = Function {
            role,
            logs,
            asset,
            image,
            dead_letters,
            placement,
            resource,
            sqs_sources: Vec::new(),
            schedules: Vec::new(),
        };
        function.depend_on_policy();
        Ok(function)
    }
}

impl<P: Placement> Function<P> {
    fn depend_on_policy(&mut self) {
        if let Some(node) = self.role.policy_node() {
            self.resource.core_mut().add_dependency(node);
        }
    }

    /// The function's ARN.
    pub fn arn(&self) -> Val<FunctionArn> {
        self.resource.attr_arn()
    }

    /// The function's name (`Ref`).
    pub fn function_name(&self) -> Val<String> {
        self.resource.ref_()
    }

    /// The function's role.
    pub fn role(&self) -> &Role {
        &self.role
    }

    /// The function's log group.
    pub fn log_group(&self) -> &LogGroup {
        &self.logs
    }

    /// The dead-letter queue, when asked for.
    pub fn dead_letter_queue(&self) -> Option<&Queue> {
        self.dead_letters.as_ref()
    }

    /// The code's image asset (functions from a container image only).
    pub fn image_asset(&self) -> Option<&ImageAsset> {
        self.image.as_ref()
    }

    /// The code's file asset (none for inline code).
    pub fn asset(&self) -> Option<&FileAsset> {
        self.asset.as_ref()
    }

    /// The function resource.
    pub fn resource(&self) -> &cfn::Function {
        &self.resource
    }

    /// The function resource, mutably (properties this construct does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::Function {
        &mut self.resource
    }

    /// Lets `grantee` invoke the function (`lambda:InvokeFunction` on it and its versions
    /// and aliases).
    pub fn grant_invoke(&self, grantee: &mut dyn Grantee) -> Grant {
        let arn: Val<String> = self.arn().into();
        let qualified = fns::join("", vec![arn.clone(), Val::from(":*")]);
        grant_all(
            grantee,
            Statement::allow(crate::actions!["lambda:InvokeFunction"])
                .on(arn)
                .on(qualified)
                .wildcards_because(
                    "`<function ARN>:*` is this one function's versions and aliases, which \
                     an invocation may name",
                ),
            [],
        )
    }

    /// Polls `queue` and invokes the function with batches of up to `batch_size` messages
    /// (1-10,000; over 10 needs a batching window, set on the mapping). The role gets the
    /// consume grant, and the mapping waits for it. The queue's visibility timeout should be
    /// at least the function's timeout (Lambda refuses the mapping otherwise).
    pub fn add_sqs_source(
        &mut self,
        queue: &dyn IQueue,
        batch_size: u16,
    ) -> Result<&mut cfn::EventSourceMapping, ConstructError> {
        if !(1..=10_000).contains(&batch_size) {
            return Err(ConstructError::OutOfRange {
                construct: "Function",
                setting: "batch_size",
                value: batch_size.into(),
                allowed: "1..=10000 messages, what Lambda accepts for SQS",
            });
        }
        let grant = queue.grant_consume(&mut self.role);
        let arn: Val<String> = queue.queue_arn().into();
        let mut mapping = cfn::EventSourceMapping::new(self.function_name())
            .event_source_arn(arn)
            .batch_size(i64::from(batch_size));
        if batch_size > 10 {
            mapping.set_maximum_batching_window_in_seconds(1);
        }
        mapping.core_mut().add_dependency(grant.policy);
        self.resource.core_mut().add_dependency(grant.policy);
        let index = self.sqs_sources.len();
        self.sqs_sources.push(mapping);
        Ok(&mut self.sqs_sources[index])
    }

    /// Invokes the function on `schedule` through an EventBridge rule (child `ScheduleN`),
    /// with the permission for `events.amazonaws.com` scoped to that rule.
    pub fn add_schedule(&mut self, schedule: Schedule) -> &mut ScheduleTrigger {
        let arn: Val<String> = self.arn().into();
        let rule = events_cfn::Rule::new()
            .schedule_expression(schedule.expression())
            .targets(vec![events_cfn::rule::Target::new("Function", arn.clone())]);
        let permission = cfn::Permission::new(arn, "lambda:InvokeFunction", "events.amazonaws.com")
            .source_arn(rule.attr_arn());
        let index = self.schedules.len();
        self.schedules.push(ScheduleTrigger { rule, permission });
        &mut self.schedules[index]
    }
}

impl ScheduleTrigger {
    /// The rule.
    pub fn rule(&self) -> &events_cfn::Rule {
        &self.rule
    }

    /// The rule, mutably (description, state).
    pub fn rule_mut(&mut self) -> &mut events_cfn::Rule {
        &mut self.rule
    }
}

impl<P: Placement> Grantee for Function<P> {
    fn grant(&mut self, statement: CheckedStatement) -> Grant {
        let grant = self.role.grant(statement);
        self.resource.core_mut().add_dependency(grant.policy);
        grant
    }
}

impl Connectable for Function<InVpc> {
    fn security_group(&self) -> &SecurityGroup {
        &self.placement.security_group
    }
    fn security_group_mut(&mut self) -> &mut SecurityGroup {
        &mut self.placement.security_group
    }
}
