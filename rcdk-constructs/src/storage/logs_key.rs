//! The customer-managed KMS key that encrypts the log groups of a stack: made once per stack,
//! on the first [`LogGroup`](super::LogGroup) that uses it, and shared by all of them.

use rcdk_core::kind::KmsKeyArn;
use rcdk_core::{fns, Construct, CostItem, RemovalPolicy, Resource, StackSingleton, Val};
use rcdk_macros::Construct;

use super::key_policy::{account_administers, grants_only_for_aws_services};
use crate::cfn::kms;
use crate::iam::{Action, ConditionOperator, PolicyDocument, Principal, Statement};
use crate::pricing;

/// The key's id below its stack.
pub const LOGS_KEY_ID: &str = "LogsKey";
/// The key resource's logical id, fixed so that the log groups can reference it without a
/// handle (the key is made at synthesis, after they were built).
const LOGS_KEY_LOGICAL_ID: &str = "LogsKey";

/// A symmetric KMS key, rotated yearly, whose policy lets the account administer it and the
/// stack's regional CloudWatch Logs service use it for this account's log groups only; grants
/// are limited to AWS services. Retained when removed from the stack: the log groups are
/// retained too, and their events cannot be read without it. Costs 1 USD a month.
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "storage::LogsKey", costs = "LogsKey::costs")]
pub struct LogsKey {
    resource: kms::Key,
}

impl Default for LogsKey {
    fn default() -> Self {
        Self::new()
    }
}

impl LogsKey {
    /// The key with its policy.
    pub fn new() -> LogsKey {
        let resource = kms::Key::new()
            .description("Encrypts the CloudWatch Logs log groups of this stack")
            .enable_key_rotation(true)
            .key_policy(key_policy().to_json_val())
            .removal_policy(RemovalPolicy::Retain)
            .override_logical_id(LOGS_KEY_LOGICAL_ID);
        LogsKey { resource }
    }

    /// The ARN of the stack's key, for a log group's `KmsKeyId` (the key itself is added to the
    /// stack by [`LogsKey::singleton`]).
    pub(crate) fn stack_key_arn() -> Val<KmsKeyArn> {
        fns::get_att_logical_id(LOGS_KEY_LOGICAL_ID, "Arn")
    }

    /// What a log group that uses the stack's key asks its stack for.
    pub(crate) fn singleton() -> StackSingleton {
        fn make() -> Box<dyn Construct> {
            Box::new(LogsKey::new())
        }
        StackSingleton {
            id: LOGS_KEY_ID,
            make,
        }
    }

    fn costs(&self) -> Vec<CostItem> {
        vec![pricing::kms_keys(1)]
    }

    /// The resource.
    pub fn resource(&self) -> &kms::Key {
        &self.resource
    }
}

/// The account administers the key (as in KMS's default policy, so IAM policies can grant its
/// use); the Logs service of the stack's region may use it only with the encryption context of
/// a log group of this account and region; and nobody may create a grant unless an AWS service
/// does it for an AWS resource.
fn key_policy() -> PolicyDocument {
    let mut doc = PolicyDocument::new();
    let statements = [
        account_administers("AccountAdministersKey"),
        Statement::allow(
            [
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey",
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
            ]
            .map(Action::known),
        )
        .sid("LogsEncryptsThisAccountsLogGroups")
        .principal(Principal::RegionalService(fns::sub_plain(
            "logs.${AWS::Region}.amazonaws.com",
        )))
        .on_any_resource_explicitly()
        .condition(
            ConditionOperator::ArnLike,
            "kms:EncryptionContext:aws:logs:arn",
            [fns::sub_plain(
                "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*",
            )],
        ),
        grants_only_for_aws_services(),
    ];
    for statement in statements {
        doc.add_trusted(statement);
    }
    doc
}
