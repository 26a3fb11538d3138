//! Application load balancers with routes to ECS services and auto scaling groups.

mod alb;
mod listener;
mod priority;
mod route;
mod target;

pub use alb::{AlbBuilder, ApplicationLoadBalancer, LoadBalancerResource, TLS_POLICY};
pub use listener::ImportedListener;
pub use priority::{PriorityAllocator, PRIORITY_RANGE, PRIORITY_STEP};
pub use route::{Route, RouteTarget};
pub use target::{LoadBalancerTarget, TargetAttachment, TargetKind};
