//! Supporting resources of services, secure by default: log groups, SSM parameters, buckets,
//! queues, secrets and DynamoDB tables, each with typed grants scoped to its ARN; typed,
//! checked S3 lifecycle rules.

mod dynamodb;
// Delivery of load-balancer access logs to a bucket serves the `elbv2` constructs; when their
// features are off (see the crate doc) nothing calls it.
#[cfg_attr(
    not(all(
        feature = "ec2",
        feature = "ecs",
        feature = "applicationautoscaling",
        feature = "elasticloadbalancingv2"
    )),
    allow(dead_code)
)]
mod elb_logs;
pub(crate) mod key_policy;
mod lifecycle;
mod logs;
mod logs_key;
#[cfg_attr(
    not(all(
        feature = "ec2",
        feature = "ecs",
        feature = "applicationautoscaling",
        feature = "elasticloadbalancingv2"
    )),
    allow(dead_code)
)]
mod s3;
mod secrets;
mod sqs;
mod ssm;

pub use dynamodb::{AttributeType, ITable, ImportedTable, KeyAttribute, Table};
pub use lifecycle::{
    LifecycleRule, StorageClass, ABORT_INCOMPLETE_MULTIPART_DAYS, DEFAULT_ABORT_MULTIPART_RULE,
    DEFAULT_NONCURRENT_RULE, INFREQUENT_ACCESS_MIN_DAYS, MAX_LIFECYCLE_RULES,
    NONCURRENT_VERSION_DAYS,
};
pub use logs::{ILogGroup, ImportedLogGroup, LogGroup, LogRetention, RETENTION_DAYS};
pub use logs_key::{LogsKey, LOGS_KEY_ID};
pub use s3::{Bucket, IBucket, ImportedBucket, ObjectLockMode};
pub use secrets::{ISecret, ImportedSecret, Secret, ROTATION_RULE};
pub use sqs::{IQueue, ImportedQueue, Queue};
pub use ssm::{IParameter, ImportedParameter, ParameterPath, SsmParameter};
