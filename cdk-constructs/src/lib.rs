//! Typed CloudFormation resources for every AWS resource type ([`cfn`], generated from the
//! official schemas, one cargo feature per service) and the higher-level constructs built on them.

#![warn(missing_docs)]

pub mod cfn;
pub mod error;
mod json;

// Networking (issue 6): TieredVpc, security groups and connections, NACLs, endpoints; the
// dated price table behind the cost summary.
pub mod network;
pub mod pricing;

// Service constructs (issue 7): IAM, ECS on Fargate, load balancers, storage, data tier.
pub mod data;
pub mod ecs;
pub mod elbv2;
pub mod iam;
pub mod storage;
