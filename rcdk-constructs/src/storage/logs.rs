//! CloudWatch Logs log groups that always expire their events unless told otherwise.

use rcdk_core::kind::{KmsKeyArn, LogGroupArn, LogGroupName};
use rcdk_core::{RemovalPolicy, Resource, Val};
use rcdk_macros::Construct;

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
const SERVICE_KEY_REASON: &str =
    "CloudWatch Logs encrypts log events at rest with service-managed \
     keys; a customer-managed KMS key is opt-in (LogGroup::encryption_key) because it adds a key, \
     its cost and a key policy for the logs service.";

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
    /// 30 days: the default of [`LogGroup`].
    pub const ONE_MONTH: LogRetention = LogRetention(30);
    /// 90 days.
    pub const THREE_MONTHS: LogRetention = LogRetention(90);
    /// 180 days.
    pub const SIX_MONTHS: LogRetention = LogRetention(180);
    /// 365 days.
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

/// A log group. Retention is always set: 30 days unless [`LogGroup::retention`] says
/// otherwise; keeping events forever needs the explicit
/// [`LogGroup::never_expire_explicitly`]. Retained when removed from the stack (logs are
/// evidence). Encrypted at rest by CloudWatch Logs with service keys; a customer-managed KMS
/// key is the opt-in [`LogGroup::encryption_key`].
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "storage::LogGroup")]
pub struct LogGroup {
    resource: cfn::LogGroup,
}

impl Default for LogGroup {
    fn default() -> Self {
        Self::new()
    }
}

impl LogGroup {
    /// A log group with a generated name and 30 days of retention.
    pub fn new() -> LogGroup {
        let resource = cfn::LogGroup::new()
            .retention_in_days(i64::from(LogRetention::ONE_MONTH.in_days()))
            .removal_policy(RemovalPolicy::Retain)
            .skip_check(CUSTOMER_KEY_CHECK, SERVICE_KEY_REASON);
        LogGroup { resource }
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

    /// Encrypts the events with the customer-managed KMS key `key_arn` (`KmsKeyId`). The key's
    /// policy must let the regional CloudWatch Logs service principal use it for this log
    /// group, or creating the group fails.
    pub fn encryption_key(mut self, key_arn: impl Into<Val<KmsKeyArn>>) -> LogGroup {
        self.resource.set_kms_key_id(key_arn.into());
        self.resource.core_mut().unskip_check(CUSTOMER_KEY_CHECK);
        self
    }

    /// How long events are kept.
    pub fn retention(mut self, retention: LogRetention) -> LogGroup {
        self.resource
            .set_retention_in_days(i64::from(retention.in_days()));
        self
    }

    /// Keeps events forever (costs grow without bound).
    pub fn never_expire_explicitly(mut self) -> LogGroup {
        self.resource.set_retention_in_days(Val::no_value());
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
