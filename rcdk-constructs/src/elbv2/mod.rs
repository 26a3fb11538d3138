//! Application load balancers with routes to ECS services.

mod alb;
mod listener;
mod priority;
mod route;

pub use alb::{AlbBuilder, ApplicationLoadBalancer, LoadBalancerResource, TLS_POLICY};
pub use listener::ImportedListener;
pub use priority::{PriorityAllocator, PRIORITY_RANGE, PRIORITY_STEP};
pub use route::{Route, RouteTarget};
