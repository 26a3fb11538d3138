//! Typed CloudFormation resources for every AWS resource type ([`cfn`], generated from the
//! official schemas, one cargo feature per service) and the higher-level constructs built on them.
//!
//! # Features
//!
//! Each service module of [`cfn`] is compiled only with its feature (`ec2`, `s3`, ...; `full`
//! turns on all of them). The hand-written constructs are built on those modules, so each of
//! them is compiled only when every service it writes resources for, directly or through another
//! construct module, is enabled:
//!
//! | module | features |
//! |---|---|
//! | `iam` | `iam` |
//! | `ecr` | `iam`, `ecr` |
//! | `network` | `ec2`, `iam`, `logs` |
//! | `storage` | `iam`, `dynamodb`, `logs`, `s3`, `secretsmanager`, `sqs`, `ssm` |
//! | `data` | `network` and `storage` features, `rds`, `elasticache` |
//! | `ecs` | `network` and `storage` features, `ecs`, `applicationautoscaling` |
//! | `elbv2` | `ecs` features, `elasticloadbalancingv2` |
//! | `lambda` | `network` and `storage` features, `lambda`, `events` |
//! | `compute` | `network` features, `autoscaling` |
//! | `budgets` | `iam`, `budgets`, `sns` |
//!
//! The default features enable all of them; [`error`] and [`pricing`] are always there. With
//! `--no-default-features` and a few service features the crate holds just those typed
//! resources.

#![warn(missing_docs)]

#[cfg(all(
    feature = "iam",
    feature = "dynamodb",
    feature = "logs",
    feature = "s3",
    feature = "secretsmanager",
    feature = "sqs",
    feature = "ssm",
    feature = "kms"
))]
mod arn;
pub mod cfn;
pub mod error;
// An existing CloudFormation template in a stack, its resources typed and logical ids kept.
pub mod include;
#[cfg(all(
    feature = "iam",
    feature = "dynamodb",
    feature = "logs",
    feature = "s3",
    feature = "secretsmanager",
    feature = "sqs",
    feature = "ssm",
    feature = "kms"
))]
mod json;

// Networking: TieredVpc, imported VPCs, security groups and connections, NACLs, endpoints, flow
// logs (to a log group of `storage`, hence its services). The dated price table behind the cost
// summary needs no service.
#[cfg(all(
    feature = "ec2",
    feature = "iam",
    feature = "logs",
    feature = "kms",
    feature = "dynamodb",
    feature = "s3",
    feature = "secretsmanager",
    feature = "sqs",
    feature = "ssm"
))]
pub mod network;
pub mod pricing;

// ECR repositories for the app's images, with typed lifecycle rules and grants.
#[cfg(all(feature = "iam", feature = "ecr"))]
pub mod ecr;

// Service constructs: IAM roles and policies, storage (S3, SQS, DynamoDB, logs, secrets, SSM
// parameters), the data tier (PostgreSQL, Redis), ECS on Fargate and application load balancers.
#[cfg(feature = "iam")]
pub mod iam;

// Cost alerts: monthly budgets with notifications to email and SNS.
#[cfg(all(feature = "budgets", feature = "sns", feature = "iam"))]
pub mod budgets;

// EC2 fleets: launch templates and auto scaling groups.
#[cfg(all(
    feature = "ec2",
    feature = "iam",
    feature = "logs",
    feature = "kms",
    feature = "dynamodb",
    feature = "s3",
    feature = "secretsmanager",
    feature = "sqs",
    feature = "ssm",
    feature = "autoscaling"
))]
pub mod compute;

#[cfg(all(
    feature = "iam",
    feature = "dynamodb",
    feature = "logs",
    feature = "s3",
    feature = "secretsmanager",
    feature = "sqs",
    feature = "ssm",
    feature = "kms"
))]
pub mod storage;

#[cfg(all(
    feature = "iam",
    feature = "dynamodb",
    feature = "logs",
    feature = "s3",
    feature = "secretsmanager",
    feature = "sqs",
    feature = "ssm",
    feature = "kms",
    feature = "ecr"
))]
pub mod bootstrap;

#[cfg(all(
    feature = "ec2",
    feature = "iam",
    feature = "logs",
    feature = "dynamodb",
    feature = "s3",
    feature = "secretsmanager",
    feature = "sqs",
    feature = "ssm",
    feature = "kms",
    feature = "rds",
    feature = "elasticache",
    feature = "kms"
))]
pub mod data;

#[cfg(all(
    feature = "ec2",
    feature = "iam",
    feature = "logs",
    feature = "dynamodb",
    feature = "s3",
    feature = "secretsmanager",
    feature = "sqs",
    feature = "ssm",
    feature = "kms",
    feature = "ecs",
    feature = "applicationautoscaling"
))]
pub mod ecs;

#[cfg(all(
    feature = "ec2",
    feature = "iam",
    feature = "logs",
    feature = "dynamodb",
    feature = "s3",
    feature = "secretsmanager",
    feature = "sqs",
    feature = "ssm",
    feature = "kms",
    feature = "ecs",
    feature = "applicationautoscaling",
    feature = "elasticloadbalancingv2"
))]
pub mod elbv2;

#[cfg(all(
    feature = "ec2",
    feature = "iam",
    feature = "logs",
    feature = "dynamodb",
    feature = "s3",
    feature = "secretsmanager",
    feature = "sqs",
    feature = "ssm",
    feature = "kms",
    feature = "lambda",
    feature = "events"
))]
pub mod lambda;
