//! The customer-managed KMS key a data-tier construct creates for its storage when the user
//! gives none: yearly rotation on, administered through this account's IAM policies, grants
//! only for AWS resources.

use rcdk_core::{RemovalPolicy, Resource};

use crate::cfn::kms as cfn;
use crate::iam::PolicyDocument;
use crate::storage::key_policy::{account_administers, grants_only_for_aws_services};

/// A symmetric key for `what` (its description). The key policy is the one KMS gives a key
/// made without a policy (the account's root principal may use and manage the key, so access
/// is decided by IAM policies, as for the AWS managed keys), and a denial of grants that are
/// neither for an AWS resource nor made by an AWS service. The key is retained when
/// it leaves the stack, with the same update-replace policy: the snapshots kept of the data it
/// encrypted stay readable only as long as the key exists.
pub(crate) fn storage_key(what: &str) -> cfn::Key {
    let mut policy = PolicyDocument::new();
    let _ = policy.add_trusted(account_administers("AccountAdministersTheKeyThroughIam"));
    let _ = policy.add_trusted(grants_only_for_aws_services());
    cfn::Key::new()
        .description(format!("Encrypts {what}"))
        .enable_key_rotation(true)
        .key_policy(policy.to_json_val())
        .removal_policy(RemovalPolicy::Retain)
}
