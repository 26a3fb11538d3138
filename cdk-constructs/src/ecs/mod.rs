//! ECS on Fargate: clusters with both Fargate capacity providers, services with their roles,
//! logs, security group, circuit breaker and autoscaling, and compile-time checked task sizes.

mod cluster;
mod container;
mod scaling;
mod service;
mod size;

pub use cluster::{EcsCluster, StrategyItem};
pub use container::{Container, ContainerImage, HealthCheck, SecretSource};
pub use scaling::{AutoScaling, ScalingMetric, ServiceScaling};
pub use service::{EcsService, EcsServiceBuilder};
pub use size::{is_valid_fargate_size, FargateSize, FARGATE_SIZE_HELP};
