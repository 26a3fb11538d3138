//! ECS on Fargate: clusters with both Fargate capacity providers, services with their roles,
//! logs, security group, circuit breaker and autoscaling, and compile-time checked task sizes.
//!
//! ```
//! use rcdk_constructs::ecs::{Container, ContainerImage, EcsCluster, EcsService};
//! use rcdk_constructs::elbv2::{ApplicationLoadBalancer, Route};
//! use rcdk_constructs::network::{NatPolicy, Tier, TieredVpc};
//! use rcdk_constructs::storage::{Bucket, IBucket, IQueue, Queue};
//! use rcdk_constructs::fargate_size;
//! use rcdk_core::{App, Stack};
//!
//! let vpc = TieredVpc::builder()
//!     .tier(Tier::public("Public", 24))
//!     .tier(Tier::private("Private", 22))
//!     .nat(NatPolicy::Single)
//!     .build()?;
//! let cluster = EcsCluster::new();
//! let photos = Bucket::new();
//! let emails = Queue::new();
//! let mut users = EcsService::builder("users", &cluster, &vpc)
//!     .size(fargate_size!(512, 1024))
//!     .container(Container::new("web", ContainerImage::ecr("user-service", "1.4.2"))?.port(3000))
//!     .build()?;
//! photos.grant_read_write(&mut users); // task role: bucket + bucket/*
//! emails.grant_send(&mut users); // task role: sqs:SendMessage on the queue
//! let mut alb = ApplicationLoadBalancer::builder(&vpc).build()?;
//! alb.route(&mut users, Route::path("/users/*").health_check_path("/health"))?;
//!
//! let mut app = App::new().with(
//!     Stack::new("Users")
//!         .with("Network", vpc)
//!         .with("Cluster", cluster)
//!         .with("Photos", photos)
//!         .with("Emails", emails)
//!         .with("Alb", alb)
//!         .with("Service", users),
//! );
//! assert!(app.synth().is_ok());
//! # Ok::<(), rcdk_constructs::error::ConstructError>(())
//! ```

mod cluster;
mod container;
mod definitions;
mod roles;
// The load-balancer hooks of services and their scaling serve the `elbv2` constructs; without
// `elasticloadbalancingv2` nothing calls them.
#[cfg_attr(not(feature = "elasticloadbalancingv2"), allow(dead_code))]
mod scaling;
#[cfg_attr(not(feature = "elasticloadbalancingv2"), allow(dead_code))]
mod service;
mod size;
mod task_costs;

pub use cluster::{EcsCluster, ICluster, ImportedCluster, StrategyItem};
pub use container::{Container, ContainerImage, HealthCheck, SecretSource, UlimitName};
pub use scaling::{AutoScaling, ScalingMetric, ScheduledScaling, ServiceScaling};
pub use service::{EcsService, EcsServiceBuilder};
pub use size::{is_valid_fargate_size, FargateSize, FARGATE_SIZE_HELP};
