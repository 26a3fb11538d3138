//! CloudWatch Logs log groups, encrypted with a customer-managed key and kept a year unless told
//! otherwise.

use rcdk_core::kind::{KmsKeyArn, LogGroupArn, LogGroupName};
use rcdk_core::{
    Child, ChildMut, Construct, RemovalPolicy, Resource, Scanner, StackSingleton, Val,
};

use super::logs_key::LogsKey;
use crate::cfn::logs as cfn;
use crate::error::ConstructError;
use crate::iam::{grant_all, Grant, Grantee, Statement};

/// What other constructs need of a log group: its name and ARN, and the write grant (the
/// principal's policy only, so it works on imported groups too).
pub trait ILogGroup {
    /// The group's name.
    fn log_group_name(&self) -> Val<LogGroupName>;
    /// The group's ARN as `Fn::GetAtt Arn` gives it (ending in `:*`, so it covers the streams).
    fn log_group_arn(&self) -> Val<LogGroupArn>;

    /// Lets `grantee` write events (`logs:CreateLogStream`, `logs:PutLogEvents`) to this group.
    /// No KMS permission is needed for an encrypted group: CloudWatch Logs uses the key itself,
    /// as the key's policy lets it.
    fn grant_write(&self, grantee: &mut dyn Grantee) -> Grant {
        grant_all(
            grantee,
            Statement::allow(crate::actions!["logs:CreateLogStream", "logs:PutLogEvents"])
                .on(self.log_group_arn())
                .wildcards_because(
                    "`log-group:NAME:*` is the streams of this one log group (the ARN form \
                     logs:CreateLogStream and logs:PutLogEvents are authorized against)",
                ),
            [],
        )
    }
}

/// checkov: "log group encrypted by KMS", met only with a customer-managed key.
const CUSTOMER_KEY_CHECK: &str = "CKV_AWS_158";
/// checkov: "log group specifies retention days".
const RETENTION_SET_CHECK: &str = "CKV_AWS_66";
/// Control Tower: a log group is encrypted with a KMS key.
const ENCRYPTED_RULE: &str = "cloudwatch_log_group_encrypted_check";
/// Control Tower: a log group keeps its events at least a year.
const RETENTION_RULE: &str = "cloudwatch_log_group_retention_period_check";
const AWS_MANAGED_REASON: &str =
    "Customer-managed key turned off with LogGroup::aws_managed_encryption, chosen by the app: \
     CloudWatch Logs still encrypts the events at rest, with keys it manages; who reads them is \
     governed by IAM policies alone, without a key policy.";

/// How long CloudWatch Logs keeps events: only the values the service accepts exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LogRetention(u16);

/// The retentions CloudWatch Logs accepts, in days.
pub const RETENTION_DAYS: [u16; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

impl LogRetention {
    /// One week.
    pub const ONE_WEEK: LogRetention = LogRetention(7);
    /// Two weeks.
    pub const TWO_WEEKS: LogRetention = LogRetention(14);
    /// 30 days.
    pub const ONE_MONTH: LogRetention = LogRetention(30);
    /// 90 days.
    pub const THREE_MONTHS: LogRetention = LogRetention(90);
    /// 180 days.
    pub const SIX_MONTHS: LogRetention = LogRetention(180);
    /// 365 days: the default of [`LogGroup`], the least the AWS Control Tower control asks for.
    pub const ONE_YEAR: LogRetention = LogRetention(365);
    /// 1827 days.
    pub const FIVE_YEARS: LogRetention = LogRetention(1827);
    /// 3653 days.
    pub const TEN_YEARS: LogRetention = LogRetention(3653);

    /// A retention of `days`, which must be one of [`RETENTION_DAYS`].
    pub fn days(days: u32) -> Result<LogRetention, ConstructError> {
        RETENTION_DAYS
            .iter()
            .find(|d| u32::from(**d) == days)
            .map(|d| LogRetention(*d))
            .ok_or(ConstructError::InvalidRetention { days })
    }

    /// The number of days.
    pub fn in_days(self) -> u16 {
        self.0
    }
}

/// A log group. Retention is always set: one year unless [`LogGroup::retention`] says
/// otherwise (a shorter one is recorded as a deliberate exception to the one-year control);
/// keeping events forever needs the explicit [`LogGroup::never_expire_explicitly`]. Retained when
/// removed from the stack (logs are evidence). Encrypted with the stack's customer-managed KMS
/// key ([`LogsKey`], made once per stack with the first log group that uses it), or with the key
/// of [`LogGroup::encryption_key`]; [`LogGroup::aws_managed_encryption`] opts out of a
/// customer-managed key.
#[derive(Debug, Clone)]
pub struct LogGroup {
    resource: cfn::LogGroup,
    encryption: Encryption,
}

/// Which key encrypts a log group's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encryption {
    /// The stack's [`LogsKey`].
    StackKey,
    /// A key the user gave.
    UserKey,
    /// CloudWatch Logs' own keys.
    AwsManaged,
}

impl Default for LogGroup {
    fn default() -> Self {
        Self::new()
    }
}

impl LogGroup {
    /// A log group with a generated name, one year of retention, encrypted with the stack's key.
    pub fn new() -> LogGroup {
        let resource = cfn::LogGroup::new()
            .retention_in_days(i64::from(LogRetention::ONE_YEAR.in_days()))
            .kms_key_id(LogsKey::stack_key_arn())
            .removal_policy(RemovalPolicy::Retain);
        LogGroup {
            resource,
            encryption: Encryption::StackKey,
        }
    }

    /// A log group that exists already, by name (its ARN is in this stack's account and
    /// region).
    pub fn from_name(name: impl Into<Val<LogGroupName>>) -> ImportedLogGroup {
        ImportedLogGroup { name: name.into() }
    }

    /// Names the log group (e.g. `/ecs/orders`).
    pub fn named(mut self, name: impl Into<Val<String>>) -> LogGroup {
        self.resource.set_log_group_name(name);
        self
    }

    /// Encrypts the events with the customer-managed KMS key `key_arn` (`KmsKeyId`) instead of
    /// the stack's. The key's policy must let the regional CloudWatch Logs service principal use
    /// it for this log group, or creating the group fails.
    pub fn encryption_key(mut self, key_arn: impl Into<Val<KmsKeyArn>>) -> LogGroup {
        self.resource.set_kms_key_id(key_arn.into());
        self.encryption = Encryption::UserKey;
        self.resource.core_mut().unskip_check(CUSTOMER_KEY_CHECK);
        self.resource
            .core_mut()
            .unsuppress(Scanner::Guard, ENCRYPTED_RULE);
        self
    }

    /// Opts out of a customer-managed key: CloudWatch Logs encrypts the events with keys it
    /// manages (no key to pay for, no key policy to control who reads them). Recorded in the
    /// template as a deliberate exception to the encryption checks.
    pub fn aws_managed_encryption(mut self) -> LogGroup {
        self.resource.set_kms_key_id(Val::<String>::no_value());
        self.encryption = Encryption::AwsManaged;
        let core = self.resource.core_mut();
        core.skip_check(CUSTOMER_KEY_CHECK, AWS_MANAGED_REASON);
        core.suppress(Scanner::Guard, ENCRYPTED_RULE, AWS_MANAGED_REASON);
        self
    }

    /// How long events are kept. Less than a year is recorded in the template as a deliberate
    /// exception to the one-year retention control, naming the retention chosen.
    pub fn retention(mut self, retention: LogRetention) -> LogGroup {
        self.resource
            .set_retention_in_days(i64::from(retention.in_days()));
        let core = self.resource.core_mut();
        core.unskip_check(RETENTION_SET_CHECK);
        if retention < LogRetention::ONE_YEAR {
            core.suppress(
                Scanner::Guard,
                RETENTION_RULE,
                format!(
                    "Retention chosen as {} days (LogGroup::retention), shorter than the \
                     control's one year: these events are not kept as long-term evidence, and \
                     a shorter retention bounds their storage cost.",
                    retention.in_days()
                ),
            );
        } else {
            core.unsuppress(Scanner::Guard, RETENTION_RULE);
        }
        self
    }

    /// Keeps events forever (costs grow without bound). Recorded in the template as a
    /// deliberate exception to checkov's "retention is set" check.
    pub fn never_expire_explicitly(mut self) -> LogGroup {
        self.resource.set_retention_in_days(Val::no_value());
        let core = self.resource.core_mut();
        core.unsuppress(Scanner::Guard, RETENTION_RULE);
        core.skip_check(
            RETENTION_SET_CHECK,
            "Events kept forever, chosen by the app with LogGroup::never_expire_explicitly: \
             nothing expires, and storage costs grow with every event.",
        );
        self
    }

    /// What happens to the group when it leaves the stack (default: retained).
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> LogGroup {
        self.resource = self.resource.removal_policy(policy);
        self
    }

    /// The resource.
    pub fn resource(&self) -> &cfn::LogGroup {
        &self.resource
    }

    /// The resource, mutably (tags, properties this type does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::LogGroup {
        &mut self.resource
    }
}

/// The group's resource is its child `Resource`; a group encrypted with the stack's key asks its
/// stack for the [`LogsKey`].
impl Construct for LogGroup {
    fn construct_type(&self) -> &str {
        "storage::LogGroup"
    }
    fn children(&self) -> Vec<Child<'_>> {
        vec![Child {
            id: "Resource".into(),
            node: &self.resource,
        }]
    }
    fn children_mut(&mut self) -> Vec<ChildMut<'_>> {
        vec![ChildMut {
            id: "Resource".into(),
            node: &mut self.resource,
        }]
    }
    fn stack_singletons(&self) -> Vec<StackSingleton> {
        match self.encryption {
            Encryption::StackKey => vec![LogsKey::singleton()],
            Encryption::UserKey | Encryption::AwsManaged => Vec::new(),
        }
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }
}

impl ILogGroup for LogGroup {
    fn log_group_name(&self) -> Val<LogGroupName> {
        self.resource.ref_()
    }
    fn log_group_arn(&self) -> Val<LogGroupArn> {
        self.resource.attr_arn()
    }
}

/// A log group made outside this app ([`LogGroup::from_name`]).
#[derive(Debug, Clone)]
pub struct ImportedLogGroup {
    name: Val<LogGroupName>,
}

impl ILogGroup for ImportedLogGroup {
    fn log_group_name(&self) -> Val<LogGroupName> {
        self.name.clone()
    }
    fn log_group_arn(&self) -> Val<LogGroupArn> {
        crate::arn::from_name(
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Name}:*",
            self.name.clone(),
        )
    }
}
