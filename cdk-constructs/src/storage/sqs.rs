//! SQS queues, encrypted with SQS-managed keys, with an optional dead-letter queue and typed
//! send / consume grants.

use cdk_core::{RemovalPolicy, Resource, Val, Value};
use cdk_macros::Construct;

use crate::cfn::sqs as cfn;
use crate::error::ConstructError;
use crate::iam::value::{num, obj, raw};
use crate::iam::{actions, grant_all, Grant, Grantee, Statement};

const SEND: &[&str] = &["sqs:GetQueueAttributes", "sqs:SendMessage"];
const CONSUME: &[&str] = &[
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
];

/// Fourteen days, SQS's maximum retention: what a dead-letter queue keeps.
const DLQ_RETENTION_SECONDS: i64 = 1_209_600;

fn encrypted_queue() -> cfn::Queue {
    let mut queue = cfn::Queue::new()
        .removal_policy(RemovalPolicy::Delete)
        .skip_check(
            "CKV_AWS_27",
            "Encrypted at rest with SQS-managed keys (SqsManagedSseEnabled); checkov only \
             recognises a KMS key, which would add a key and KMS permissions for every producer \
             and consumer.",
        );
    queue
        .core_mut()
        .set("SqsManagedSseEnabled", Value::Bool(true));
    queue
}

/// A standard queue with server-side encryption (SQS-managed keys, so consumers need no KMS
/// permission) and, optionally, a dead-letter queue.
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "storage::Queue")]
pub struct Queue {
    resource: cfn::Queue,
    #[construct(id = "DeadLetterQueue")]
    dead_letters: Option<cfn::Queue>,
}

impl Default for Queue {
    fn default() -> Self {
        Self::new()
    }
}

impl Queue {
    /// An encrypted queue with a generated name.
    pub fn new() -> Queue {
        Queue {
            resource: encrypted_queue(),
            dead_letters: None,
        }
    }

    /// Adds a dead-letter queue (child `DeadLetterQueue`, 14 days retention): a message
    /// received `max_receive_count` times without being deleted moves there.
    pub fn with_dead_letter_queue(
        mut self,
        max_receive_count: u16,
    ) -> Result<Queue, ConstructError> {
        if !(1..=1000).contains(&max_receive_count) {
            return Err(ConstructError::InvalidInput {
                construct: "Queue".to_string(),
                message: format!(
                    "max_receive_count {max_receive_count} is outside 1..=1000, what SQS accepts"
                ),
            });
        }
        let mut dlq = encrypted_queue();
        dlq.core_mut()
            .set("MessageRetentionPeriod", num(DLQ_RETENTION_SECONDS));
        let dlq_arn: Value = dlq.attr_arn().into();
        self.resource.core_mut().set(
            "RedrivePolicy",
            obj([
                ("deadLetterTargetArn", dlq_arn),
                ("maxReceiveCount", num(max_receive_count)),
            ]),
        );
        self.dead_letters = Some(dlq);
        Ok(self)
    }

    /// `VisibilityTimeout` in seconds (set it above the consumer's processing time).
    pub fn visibility_timeout_seconds(mut self, seconds: u16) -> Queue {
        self.resource
            .core_mut()
            .set("VisibilityTimeout", num(seconds));
        self
    }

    /// The queue ARN.
    pub fn arn(&self) -> Val<String> {
        raw(self.resource.attr_arn())
    }

    /// The queue URL (`Ref`), what SDKs take.
    pub fn url(&self) -> Val<String> {
        raw(self.resource.ref_())
    }

    /// The dead-letter queue's ARN, if there is one.
    pub fn dead_letter_arn(&self) -> Option<Val<String>> {
        self.dead_letters.as_ref().map(|q| raw(q.attr_arn()))
    }

    /// Producer: `sqs:SendMessage`, `sqs:GetQueueAttributes` on this queue.
    pub fn grant_send(&self, grantee: &mut (impl Grantee + ?Sized)) -> Grant {
        grant_all(grantee, Statement::allow(actions(SEND)).on(self.arn()), [])
    }

    /// Consumer: `sqs:ReceiveMessage`, `sqs:DeleteMessage`, `sqs:ChangeMessageVisibility`,
    /// `sqs:GetQueueAttributes` on this queue.
    pub fn grant_consume(&self, grantee: &mut (impl Grantee + ?Sized)) -> Grant {
        grant_all(
            grantee,
            Statement::allow(actions(CONSUME)).on(self.arn()),
            [],
        )
    }

    /// The queue resource.
    pub fn resource(&self) -> &cfn::Queue {
        &self.resource
    }
}
