//! Supporting resources of services, secure by default: log groups, SSM parameters, buckets,
//! queues, secrets and DynamoDB tables, each with typed grants scoped to its ARN.

mod dynamodb;
mod elb_logs;
mod logs;
mod s3;
mod secrets;
mod sqs;
mod ssm;

pub use dynamodb::{AttributeType, KeyAttribute, Table};
pub use logs::{LogGroup, LogRetention, RETENTION_DAYS};
pub use s3::Bucket;
pub use secrets::Secret;
pub use sqs::Queue;
pub use ssm::{ParameterPath, SsmParameter};
