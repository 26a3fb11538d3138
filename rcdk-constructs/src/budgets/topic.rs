//! The SNS topic budget alerts are published to, with the policy AWS Budgets needs.

use rcdk_core::kind::TopicArn;
use rcdk_core::{fns, NodeId, Resource, Val};
use rcdk_macros::Construct;

use crate::cfn::sns as cfn;
use crate::iam::{Action, ConditionOperator, PolicyDocument, Principal, Statement};

/// The service principal AWS Budgets publishes with.
pub const BUDGETS_PRINCIPAL: &str = "budgets.amazonaws.com";

/// checkov: "SNS topic is encrypted", met with [`BudgetTopic::encryption_key`].
const ENCRYPTION_CHECK: &str = "CKV_AWS_26";

/// An SNS topic for budget alerts (child `Resource`) and its policy (child `Policy`): AWS
/// Budgets may publish, only for budgets of this account (`aws:SourceAccount`,
/// `aws:SourceArn`), and nobody may publish without TLS. Subscribe people or chat channels to
/// [`BudgetTopic::topic_arn`].
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "budgets::BudgetTopic")]
pub struct BudgetTopic {
    resource: cfn::Topic,
    policy: cfn::TopicPolicy,
}

impl BudgetTopic {
    /// A topic that AWS Budgets of this account may publish to.
    pub fn new() -> BudgetTopic {
        let resource = cfn::Topic::new().display_name("Budget alerts").skip_check(
            ENCRYPTION_CHECK,
            "AWS Budgets can publish to an encrypted topic only with a customer-managed KMS \
                 key whose policy admits it (BudgetTopic::encryption_key); the alerts carry \
                 the budget's name and amounts, no application data.",
        );
        let arn: Val<String> = resource.ref_().into();
        let mut document = PolicyDocument::new();
        let _ = document.add_trusted(
            Statement::allow([crate::action!("sns:Publish")])
                .sid("AwsBudgetsPublish")
                .principal(Principal::Service(BUDGETS_PRINCIPAL.to_string()))
                .on(arn.clone())
                .condition(
                    ConditionOperator::StringEquals,
                    "aws:SourceAccount",
                    [fns::account_id()],
                )
                .condition(
                    ConditionOperator::ArnLike,
                    "aws:SourceArn",
                    [fns::sub_plain(
                        "arn:${AWS::Partition}:budgets::${AWS::AccountId}:*",
                    )],
                ),
        );
        let _ = document.add_trusted(
            Statement::deny([Action::known("sns:Publish")])
                .sid("TlsOnly")
                .principal(Principal::Aws("*".into()))
                .on(arn.clone())
                .condition(ConditionOperator::Bool, "aws:SecureTransport", ["false"]),
        );
        let policy = cfn::TopicPolicy::new(document.to_json_val(), vec![arn]);
        BudgetTopic { resource, policy }
    }

    /// Encrypts the topic with a customer-managed KMS key (id or ARN) and lifts the checkov
    /// skip. The key policy must let `budgets.amazonaws.com` call `kms:GenerateDataKey*` and
    /// `kms:Decrypt`, or the alerts are not delivered.
    pub fn encryption_key(mut self, key: impl Into<Val<String>>) -> BudgetTopic {
        self.resource.set_kms_master_key_id(key);
        self.resource.core_mut().unskip_check(ENCRYPTION_CHECK);
        self
    }

    /// The topic's ARN (`Ref`).
    pub fn topic_arn(&self) -> Val<TopicArn> {
        self.resource.ref_()
    }

    /// The topic resource, mutably (subscriptions, properties this construct does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::Topic {
        &mut self.resource
    }

    /// The policy's node: a budget must wait for it, as Budgets checks that it may publish.
    pub(crate) fn policy_node(&self) -> NodeId {
        self.policy.core().node()
    }
}

impl Default for BudgetTopic {
    fn default() -> Self {
        Self::new()
    }
}
