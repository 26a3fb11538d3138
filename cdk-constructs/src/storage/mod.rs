//! Supporting resources of services, secure by default: log groups, SSM parameters, buckets,
//! queues, secrets and DynamoDB tables, each with typed grants scoped to its ARN.

mod dynamodb;
mod elb_logs;
mod logs;
mod s3;
mod secrets;
mod sqs;
mod ssm;

pub use dynamodb::{AttributeType, ITable, ImportedTable, KeyAttribute, Table};
pub use logs::{ILogGroup, ImportedLogGroup, LogGroup, LogRetention, RETENTION_DAYS};
pub use s3::{Bucket, IBucket, ImportedBucket};
pub use secrets::{ISecret, ImportedSecret, Secret};
pub use sqs::{IQueue, ImportedQueue, Queue};
pub use ssm::{IParameter, ImportedParameter, ParameterPath, SsmParameter};
