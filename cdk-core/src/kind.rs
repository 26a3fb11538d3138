//! Kinds: the marker types that [`Val`](crate::Val) carries. Scalar kinds are Rust's own types
//! (`Val<String>`, `Val<i64>`, `Val<f64>`, `Val<bool>`); the types here cover the rest.

use std::marker::PhantomData;

/// A list of values of kind `K` (`Val<List<SubnetId>>`).
pub struct List<K: ?Sized>(PhantomData<fn() -> K>);

/// A string-keyed map of values of kind `K`.
pub struct Map<K: ?Sized>(PhantomData<fn() -> K>);

/// Free-form JSON, such as an IAM policy document.
pub enum Json {}

/// A condition expression (`Fn::Equals`, `Fn::And`, ...), usable in the `Conditions` section.
pub enum Cond {}

/// Identifier kinds: strings with a meaning. A value of one id kind is accepted where that kind
/// or a plain string is asked for, never where another id kind is.
#[diagnostic::on_unimplemented(
    message = "a value of kind `{Self}` is expected here, and this value cannot become one",
    note = "string literals convert only into strings and identifier kinds (VpcId, SubnetId, ...); numbers and booleans need Rust numbers and `true`/`false`; a typed id converts only into its own kind or a plain string"
)]
pub trait IdKind {
    /// Human-readable name, used in messages.
    const NAME: &'static str;
}

macro_rules! id_kinds {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        pub enum $name {}
        impl IdKind for $name {
            const NAME: &'static str = stringify!($name);
        }
    )*};
}

id_kinds! {
    /// A VPC id (`vpc-...`).
    VpcId;
    /// A subnet id (`subnet-...`).
    SubnetId;
    /// A security group id (`sg-...`).
    SecurityGroupId;
    /// A security group name (EC2-Classic and default VPC only).
    SecurityGroupName;
    /// A route table id (`rtb-...`).
    RouteTableId;
    /// An internet gateway id (`igw-...`).
    InternetGatewayId;
    /// A NAT gateway id (`nat-...`).
    NatGatewayId;
    /// A network ACL id (`acl-...`).
    NetworkAclId;
    /// An Elastic IP allocation id (`eipalloc-...`).
    EipAllocationId;
    /// A VPC endpoint id (`vpce-...`).
    VpcEndpointId;
    /// An availability zone name (`us-east-1a`).
    AvailabilityZone;
    /// An AMI id (`ami-...`).
    ImageId;
    /// An EC2 instance id (`i-...`).
    InstanceId;
    /// An EC2 key pair name.
    KeyPairName;
    /// An EBS volume id (`vol-...`).
    VolumeId;
    /// A Route 53 hosted zone id.
    HostedZoneId;
    /// Any ARN.
    Arn;
    /// An IAM role ARN.
    RoleArn;
    /// An IAM role name.
    RoleName;
    /// An IAM managed policy ARN.
    PolicyArn;
    /// A KMS key ARN.
    KmsKeyArn;
    /// A KMS key id.
    KmsKeyId;
    /// A CloudWatch Logs log group name.
    LogGroupName;
    /// An S3 bucket name.
    BucketName;
    /// An ECS cluster ARN.
    ClusterArn;
    /// An ELBv2 target group ARN.
    TargetGroupArn;
    /// An ELBv2 load balancer ARN.
    LoadBalancerArn;
    /// An ELBv2 listener ARN.
    ListenerArn;
    /// An ACM certificate ARN.
    CertificateArn;
    /// An SSM parameter name.
    ParameterName;
    /// A Secrets Manager secret ARN.
    SecretArn;
    /// An RDS DB subnet group name.
    DbSubnetGroupName;
    /// An ElastiCache subnet group name.
    CacheSubnetGroupName;
    /// An ECS task definition ARN.
    TaskDefinitionArn;
    /// An S3 bucket ARN (`arn:aws:s3:::name`).
    BucketArn;
    /// An SQS queue ARN.
    QueueArn;
    /// An SQS queue URL, what SDKs take (`https://sqs.<region>.amazonaws.com/<account>/<name>`).
    QueueUrl;
    /// A DynamoDB table ARN.
    TableArn;
    /// A DynamoDB table name.
    TableName;
    /// A CloudWatch Logs log group ARN.
    LogGroupArn;
    /// An SNS topic ARN.
    TopicArn;
    /// An SSM parameter ARN.
    ParameterArn;
    /// An ECR repository ARN.
    RepositoryArn;
    /// An ECR repository name.
    RepositoryName;
    /// An ECS cluster name.
    ClusterName;
    /// An ECS service ARN.
    ServiceArn;
    /// An ELBv2 listener rule ARN.
    ListenerRuleArn;
    /// An RDS DB instance identifier.
    DbInstanceIdentifier;
}

/// ARN kinds: every one converts into a generic [`Arn`], so an API that takes any ARN accepts
/// a bucket's or a role's.
pub trait ArnKind: IdKind {}

macro_rules! arn_kinds {
    ($($name:ident),* $(,)?) => {$(
        impl ArnKind for $name {}
        impl From<crate::Val<$name>> for crate::Val<Arn> {
            fn from(v: crate::Val<$name>) -> Self {
                v.cast()
            }
        }
    )*};
}

arn_kinds!(
    RoleArn,
    PolicyArn,
    KmsKeyArn,
    ClusterArn,
    TargetGroupArn,
    LoadBalancerArn,
    ListenerArn,
    CertificateArn,
    SecretArn,
    TaskDefinitionArn,
    BucketArn,
    QueueArn,
    TableArn,
    LogGroupArn,
    TopicArn,
    ParameterArn,
    RepositoryArn,
    ServiceArn,
    ListenerRuleArn,
);
