//! The statements every customer-managed key made here starts its policy with: KMS's own
//! default (the account administers the key, so IAM policies decide its use) and a denial of
//! grants that are neither for an AWS resource nor made by an AWS service.

use rcdk_core::{fns, Val};

use crate::iam::Principal;
use crate::iam::{Action, ConditionOperator, Statement};

/// `kms:*` for the account's root principal on the key itself (`*` in a key policy is the
/// key): what KMS writes for a key made without a policy.
pub(crate) fn account_administers(sid: &str) -> Statement {
    Statement::allow([Action::known("kms:*")])
        .sid(sid)
        .principal(Principal::Aws(fns::sub_plain(
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
        )))
        .on_any_resource_explicitly()
}

/// A grant is a second way to the key that the key policy does not show, so no principal may
/// create one for itself: only AWS services, for AWS resources.
pub(crate) fn grants_only_for_aws_services() -> Statement {
    Statement::deny([Action::known("kms:CreateGrant")])
        .sid("GrantsOnlyForAwsServices")
        .principal(Principal::Aws(Val::from("*")))
        .on_any_resource_explicitly()
        .condition(
            ConditionOperator::BoolIfExists,
            "kms:GrantIsForAWSResource",
            ["false"],
        )
        .condition(
            ConditionOperator::BoolIfExists,
            "aws:PrincipalIsAWSService",
            ["false"],
        )
}
