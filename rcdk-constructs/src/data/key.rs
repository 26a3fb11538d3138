//! The customer-managed KMS key a data-tier construct creates for its storage when the user
//! gives none: yearly rotation on, administered through this account's IAM policies, grants
//! only for AWS resources.

use rcdk_core::{fns, RemovalPolicy, Resource, Val};

use crate::cfn::kms as cfn;
use crate::iam::{Action, ConditionOperator, PolicyDocument, Principal, Statement};

/// A symmetric key for `what` (its description). The key policy is the one KMS gives a key
/// made without a policy (the account's root principal may use and manage the key, so access
/// is decided by IAM policies, as for the AWS managed keys), and a denial of grants that are
/// neither for an AWS resource nor made by an AWS service. The key is retained when
/// it leaves the stack, with the same update-replace policy: the snapshots kept of the data it
/// encrypted stay readable only as long as the key exists.
pub(crate) fn storage_key(what: &str) -> cfn::Key {
    let account_root: Val<String> =
        fns::sub_plain("arn:${AWS::Partition}:iam::${AWS::AccountId}:root");
    let mut policy = PolicyDocument::new();
    // `kms:*` on the key itself (`*` in a key policy is the key): KMS's own default policy.
    let _ = policy.add_trusted(
        Statement::allow([Action::known("kms:*")])
            .sid("AccountAdministersTheKeyThroughIam")
            .principal(Principal::Aws(account_root))
            .on_any_resource_explicitly(),
    );
    // Grants only for AWS resources or to AWS services: a grant is a second way to the key
    // that the key policy does not show, so no principal may create one for itself.
    let _ = policy.add_trusted(
        Statement::deny([crate::action!("kms:CreateGrant")])
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
            ),
    );
    cfn::Key::new()
        .description(format!("Encrypts {what}"))
        .enable_key_rotation(true)
        .key_policy(policy.to_json_val())
        .removal_policy(RemovalPolicy::Retain)
}
