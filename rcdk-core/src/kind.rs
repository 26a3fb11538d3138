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
///
/// Kinds with a documented shape (`vpc-` and 8 or 17 hex digits, an ARN of one service, ...)
/// check their literals: a literal of the wrong shape converted into `Val<K>` fails synthesis
/// with the construct path and the property, and [`id!`](crate::id) refuses it at compile time.
#[diagnostic::on_unimplemented(
    message = "a value of kind `{Self}` is expected here, and this value cannot become one",
    note = "string literals convert only into strings and identifier kinds (VpcId, SubnetId, ...); numbers and booleans need Rust numbers and `true`/`false`; a typed id converts only into its own kind or a plain string"
)]
pub trait IdKind {
    /// Human-readable name, used in messages.
    const NAME: &'static str;
    /// The shape literals of this kind must have.
    const SHAPE: Shape = Shape::Any;
    /// The shape in words, for messages (empty when any string is accepted).
    const EXPECTED: &'static str = "";
}

/// The shape of an identifier literal, checked by `const fn` so that [`id!`](crate::id) can
/// check literals at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Any string.
    Any,
    /// An EC2-style id: the prefix (`vpc-`) and 8 or 17 lower-case hex digits.
    Ec2(&'static str),
    /// An ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`) of any service.
    AnyArn,
    /// An ARN of one of the given services (`iam`, `kms`, ...).
    Arn(&'static [&'static str]),
    /// A KMS key identifier: a key id (UUID), a multi-Region key id (`mrk-` and 32 hex
    /// digits), a key or alias ARN, or an alias name (`alias/...`).
    KmsKey,
    /// An AMI id (`ami-` and 8 or 17 hex digits), or an SSM parameter EC2 resolves to one
    /// (`resolve:ssm:/aws/service/...`).
    Image,
    /// An ECS task definition: its ARN, or `FAMILY` / `FAMILY:REVISION`, which ECS services
    /// also accept.
    TaskDefinition,
}

impl Shape {
    /// Whether `literal` has this shape.
    /// A dynamic reference (`{{resolve:ssm:/path}}`) is accepted by every shape: CloudFormation
    /// replaces it at deploy time.
    pub const fn matches(self, literal: &str) -> bool {
        let s = literal.as_bytes();
        if starts_with(s, b"{{resolve:") {
            return true;
        }
        match self {
            Shape::Any => true,
            Shape::Ec2(prefix) => ec2_id(s, prefix.as_bytes()),
            Shape::AnyArn => arn_service(s).is_some(),
            Shape::Arn(services) => match arn_service(s) {
                Some((start, end)) => {
                    let mut i = 0;
                    while i < services.len() {
                        if bytes_eq(s, start, end, services[i].as_bytes()) {
                            return true;
                        }
                        i += 1;
                    }
                    false
                }
                None => false,
            },
            Shape::KmsKey => {
                uuid(s)
                    || (starts_with(s, b"mrk-") && s.len() == 36 && hex(s, 4, 36))
                    || (starts_with(s, b"alias/") && s.len() > 6)
                    || match arn_service(s) {
                        Some((start, end)) => bytes_eq(s, start, end, b"kms"),
                        None => false,
                    }
            }
            Shape::Image => ec2_id(s, b"ami-") || (starts_with(s, b"resolve:ssm:") && s.len() > 12),
            Shape::TaskDefinition => match arn_service(s) {
                Some((start, end)) => bytes_eq(s, start, end, b"ecs"),
                None => task_family(s),
            },
        }
    }
}

const fn starts_with(s: &[u8], prefix: &[u8]) -> bool {
    if s.len() < prefix.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if s[i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `s[start..end]` is `word`.
const fn bytes_eq(s: &[u8], start: usize, end: usize, word: &[u8]) -> bool {
    if end - start != word.len() {
        return false;
    }
    let mut i = 0;
    while i < word.len() {
        if s[start + i] != word[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `s[start..end]` is lower-case hex digits.
const fn hex(s: &[u8], start: usize, end: usize) -> bool {
    let mut i = start;
    while i < end {
        if !matches!(s[i], b'0'..=b'9' | b'a'..=b'f') {
            return false;
        }
        i += 1;
    }
    true
}

const fn ec2_id(s: &[u8], prefix: &[u8]) -> bool {
    let digits = s.len().saturating_sub(prefix.len());
    starts_with(s, prefix) && (digits == 8 || digits == 17) && hex(s, prefix.len(), s.len())
}

const fn uuid(s: &[u8]) -> bool {
    if s.len() != 36 {
        return false;
    }
    let mut i = 0;
    while i < 36 {
        let dash = i == 8 || i == 13 || i == 18 || i == 23;
        if dash != (s[i] == b'-') || (!dash && !hex(s, i, i + 1)) {
            return false;
        }
        i += 1;
    }
    true
}

/// `FAMILY` or `FAMILY:REVISION`: up to 255 letters, digits, `-` and `_`, and a revision
/// number.
const fn task_family(s: &[u8]) -> bool {
    let mut i = 0;
    while i < s.len() && s[i] != b':' {
        if !matches!(s[i], b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_') {
            return false;
        }
        i += 1;
    }
    if i == 0 || i > 255 {
        return false;
    }
    if i == s.len() {
        return true;
    }
    let mut j = i + 1;
    if j == s.len() {
        return false;
    }
    while j < s.len() {
        if !s[j].is_ascii_digit() {
            return false;
        }
        j += 1;
    }
    true
}

/// Where the service of an ARN is (`start..end`), if `s` is an ARN: `arn:`, a partition
/// starting with `aws`, a service, and at least the region, account and resource fields.
const fn arn_service(s: &[u8]) -> Option<(usize, usize)> {
    if !starts_with(s, b"arn:aws") {
        return None;
    }
    let mut colons = [0usize; 5];
    let mut n = 0;
    let mut i = 0;
    while i < s.len() && n < 5 {
        if s[i] == b':' {
            colons[n] = i;
            n += 1;
        }
        i += 1;
    }
    if n < 5 || colons[2] == colons[1] + 1 || colons[4] + 1 == s.len() {
        return None;
    }
    Some((colons[1] + 1, colons[2]))
}

macro_rules! id_kinds {
    ($($(#[$doc:meta])* $name:ident $(= $shape:expr, $expected:literal)?;)*) => {$(
        $(#[$doc])*
        pub enum $name {}
        impl IdKind for $name {
            const NAME: &'static str = stringify!($name);
            $(
                const SHAPE: Shape = $shape;
                const EXPECTED: &'static str = $expected;
            )?
        }
        impl $name {
            #[doc = concat!("Checks that `literal` can be a `", stringify!($name), "`; the error says the shape expected. A `const fn`, for [`id!`](crate::id).")]
            pub const fn check(literal: &str) -> Result<(), &'static str> {
                if <Self as IdKind>::SHAPE.matches(literal) {
                    Ok(())
                } else {
                    Err(concat!(
                        "not a ", stringify!($name), " literal: expected "
                        $(, $expected)?
                    ))
                }
            }
        }
    )*
        /// Whether `literal` has the shape of the id kind named `kind` (`"VpcId"`), as
        /// [`Val::literal`](crate::Val::literal) checks it; `None` when no id kind has that
        /// name. For code generators, which know kinds by name.
        pub fn literal_fits(kind: &str, literal: &str) -> Option<bool> {
            match kind {
                $(stringify!($name) => Some(<$name as IdKind>::SHAPE.matches(literal)),)*
                _ => None,
            }
        }
    };
}

id_kinds! {
    /// A VPC id (`vpc-...`).
    VpcId = Shape::Ec2("vpc-"), "`vpc-` followed by 8 or 17 hex digits, e.g. `vpc-0abc1234`";
    /// A subnet id (`subnet-...`).
    SubnetId = Shape::Ec2("subnet-"), "`subnet-` followed by 8 or 17 hex digits, e.g. `subnet-0abc1234`";
    /// A security group id (`sg-...`).
    SecurityGroupId = Shape::Ec2("sg-"), "`sg-` followed by 8 or 17 hex digits, e.g. `sg-0abc1234`";
    /// A security group name (EC2-Classic and default VPC only).
    SecurityGroupName;
    /// A route table id (`rtb-...`).
    RouteTableId = Shape::Ec2("rtb-"), "`rtb-` followed by 8 or 17 hex digits, e.g. `rtb-0abc1234`";
    /// An internet gateway id (`igw-...`).
    InternetGatewayId = Shape::Ec2("igw-"), "`igw-` followed by 8 or 17 hex digits, e.g. `igw-0abc1234`";
    /// A NAT gateway id (`nat-...`).
    NatGatewayId = Shape::Ec2("nat-"), "`nat-` followed by 8 or 17 hex digits, e.g. `nat-0abc1234`";
    /// A network ACL id (`acl-...`).
    NetworkAclId = Shape::Ec2("acl-"), "`acl-` followed by 8 or 17 hex digits, e.g. `acl-0abc1234`";
    /// An Elastic IP allocation id (`eipalloc-...`).
    EipAllocationId = Shape::Ec2("eipalloc-"), "`eipalloc-` followed by 8 or 17 hex digits, e.g. `eipalloc-0abc1234`";
    /// A VPC endpoint id (`vpce-...`).
    VpcEndpointId = Shape::Ec2("vpce-"), "`vpce-` followed by 8 or 17 hex digits, e.g. `vpce-0abc1234`";
    /// An availability zone name (`us-east-1a`).
    AvailabilityZone;
    /// An AMI id (`ami-...`).
    ImageId = Shape::Image, "`ami-` followed by 8 or 17 hex digits, e.g. `ami-0abc1234`, or `resolve:ssm:PARAMETER`";
    /// An EC2 instance id (`i-...`).
    InstanceId = Shape::Ec2("i-"), "`i-` followed by 8 or 17 hex digits, e.g. `i-0abc1234`";
    /// An EC2 key pair name.
    KeyPairName;
    /// An EBS volume id (`vol-...`).
    VolumeId = Shape::Ec2("vol-"), "`vol-` followed by 8 or 17 hex digits, e.g. `vol-0abc1234`";
    /// A Route 53 hosted zone id.
    HostedZoneId;
    /// Any ARN.
    Arn = Shape::AnyArn, "an ARN, `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`";
    /// An IAM role ARN.
    RoleArn = Shape::Arn(&["iam"]), "an IAM ARN, `arn:aws:iam::ACCOUNT:role/NAME`";
    /// An IAM role name.
    RoleName;
    /// An IAM managed policy ARN.
    PolicyArn = Shape::Arn(&["iam"]), "an IAM ARN, `arn:aws:iam::ACCOUNT:policy/NAME` (`arn:aws:iam::aws:policy/NAME` for AWS managed policies)";
    /// A KMS key ARN.
    KmsKeyArn = Shape::Arn(&["kms"]), "a KMS ARN, `arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`";
    /// A KMS key id.
    KmsKeyId = Shape::KmsKey, "a KMS key id (a UUID, or `mrk-` and 32 hex digits), a key or alias ARN (`arn:aws:kms:...`), or an alias (`alias/NAME`)";
    /// A CloudWatch Logs log group name.
    LogGroupName;
    /// An S3 bucket name.
    BucketName;
    /// An ECS cluster ARN.
    ClusterArn = Shape::Arn(&["ecs"]), "an ECS ARN, `arn:aws:ecs:REGION:ACCOUNT:cluster/NAME`";
    /// An ELBv2 target group ARN.
    TargetGroupArn = Shape::Arn(&["elasticloadbalancing"]), "an Elastic Load Balancing ARN, `arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID`";
    /// An ELBv2 load balancer ARN.
    LoadBalancerArn = Shape::Arn(&["elasticloadbalancing"]), "an Elastic Load Balancing ARN, `arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID`";
    /// An ELBv2 listener ARN.
    ListenerArn = Shape::Arn(&["elasticloadbalancing"]), "an Elastic Load Balancing ARN, `arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener/app/NAME/ID/ID`";
    /// An ACM certificate ARN (or an IAM server certificate ARN, which listeners also accept).
    CertificateArn = Shape::Arn(&["acm", "iam"]), "an ACM ARN, `arn:aws:acm:REGION:ACCOUNT:certificate/ID` (or an IAM server certificate ARN)";
    /// An SSM parameter name.
    ParameterName;
    /// A Secrets Manager secret ARN.
    SecretArn = Shape::Arn(&["secretsmanager"]), "a Secrets Manager ARN, `arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME`";
    /// An RDS DB subnet group name.
    DbSubnetGroupName;
    /// An ElastiCache subnet group name.
    CacheSubnetGroupName;
    /// An ECS task definition ARN.
    TaskDefinitionArn = Shape::TaskDefinition, "an ECS ARN, `arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION`, or `FAMILY[:REVISION]`";
    /// An S3 bucket ARN (`arn:aws:s3:::name`).
    BucketArn = Shape::Arn(&["s3"]), "an S3 ARN, `arn:aws:s3:::BUCKET`";
    /// An SQS queue ARN.
    QueueArn = Shape::Arn(&["sqs"]), "an SQS ARN, `arn:aws:sqs:REGION:ACCOUNT:NAME`";
    /// An SQS queue URL, what SDKs take (`https://sqs.<region>.amazonaws.com/<account>/<name>`).
    QueueUrl;
    /// A DynamoDB table ARN.
    TableArn = Shape::Arn(&["dynamodb"]), "a DynamoDB ARN, `arn:aws:dynamodb:REGION:ACCOUNT:table/NAME`";
    /// A DynamoDB table name.
    TableName;
    /// A CloudWatch Logs log group ARN.
    LogGroupArn = Shape::Arn(&["logs"]), "a CloudWatch Logs ARN, `arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*`";
    /// An SNS topic ARN.
    TopicArn = Shape::Arn(&["sns"]), "an SNS ARN, `arn:aws:sns:REGION:ACCOUNT:NAME`";
    /// An SSM parameter ARN.
    ParameterArn = Shape::Arn(&["ssm"]), "an SSM ARN, `arn:aws:ssm:REGION:ACCOUNT:parameter/NAME`";
    /// An ECR repository ARN.
    RepositoryArn = Shape::Arn(&["ecr"]), "an ECR ARN, `arn:aws:ecr:REGION:ACCOUNT:repository/NAME`";
    /// An ECR repository name.
    RepositoryName;
    /// An ECS cluster name.
    ClusterName;
    /// An ECS service ARN.
    ServiceArn = Shape::Arn(&["ecs"]), "an ECS ARN, `arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME`";
    /// An ELBv2 listener rule ARN.
    ListenerRuleArn = Shape::Arn(&["elasticloadbalancing"]), "an Elastic Load Balancing ARN, `arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener-rule/app/NAME/ID/ID/ID`";
    /// An RDS DB instance identifier.
    DbInstanceIdentifier;
    /// A Lambda function ARN.
    FunctionArn = Shape::Arn(&["lambda"]), "a Lambda ARN, `arn:aws:lambda:REGION:ACCOUNT:function:NAME`";
}

/// A literal of id kind `K`, checked at compile time: `id!(VpcId, "vpc-0abc1234")` is a
/// `Val<VpcId>`, and a literal of the wrong shape (`id!(VpcId, "subnet-0abc1234")`) does not
/// compile. The kind is any id kind in scope (`VpcId`, `kind::SubnetId`, ...).
///
/// ```
/// use rcdk_core::{id, kind::VpcId, Val};
/// let vpc: Val<VpcId> = id!(VpcId, "vpc-0abc1234");
/// assert_eq!(vpc.value().as_str(), Some("vpc-0abc1234"));
/// ```
///
/// ```compile_fail
/// use rcdk_core::{id, kind::VpcId};
/// let vpc = id!(VpcId, "subnet-0abc1234");
/// ```
#[macro_export]
macro_rules! id {
    ($kind:path, $literal:expr $(,)?) => {{
        const _: () = match <$kind>::check($literal) {
            ::std::result::Result::Ok(()) => (),
            ::std::result::Result::Err(message) => ::std::panic!("{}", message),
        };
        $crate::Val::<$kind>::from_value_unchecked($crate::Value::str($literal))
    }};
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
    FunctionArn,
);
