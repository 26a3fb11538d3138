//! SQS queues, encrypted with SQS-managed keys, with an optional dead-letter queue and typed
//! send / consume grants; [`IQueue`] for queues made here or elsewhere.

use rcdk_core::kind::{QueueArn, QueueUrl};
use rcdk_core::{fns, RemovalPolicy, Resource, Val, Value};
use rcdk_macros::Construct;

use crate::cfn::sqs as cfn;
use crate::error::ConstructError;
use crate::iam::{grant_all, Grant, Grantee, Statement};
use crate::json;

/// Fourteen days, SQS's maximum retention: what a dead-letter queue keeps.
const DLQ_RETENTION_SECONDS: i64 = 1_209_600;

/// What other constructs need of a queue: its ARN and URL, and the grants built on them. A grant
/// writes the principal's policy only, so it works the same on a queue of this app and on one
/// imported with [`Queue::from_arn`].
pub trait IQueue {
    /// The queue ARN.
    fn queue_arn(&self) -> Val<QueueArn>;
    /// The queue URL, what SDKs take.
    fn queue_url(&self) -> Val<QueueUrl>;

    /// Producer: `sqs:SendMessage`, `sqs:GetQueueAttributes` on this queue.
    fn grant_send(&self, grantee: &mut dyn Grantee) -> Grant {
        grant_all(
            grantee,
            Statement::allow(crate::actions!["sqs:GetQueueAttributes", "sqs:SendMessage"])
                .on(self.queue_arn()),
            [],
        )
    }

    /// Consumer: `sqs:ReceiveMessage`, `sqs:DeleteMessage`, `sqs:ChangeMessageVisibility`,
    /// `sqs:GetQueueAttributes` on this queue.
    fn grant_consume(&self, grantee: &mut dyn Grantee) -> Grant {
        grant_all(
            grantee,
            Statement::allow(crate::actions![
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage"
            ])
            .on(self.queue_arn()),
            [],
        )
    }
}

fn encrypted_queue() -> cfn::Queue {
    cfn::Queue::new()
        .sqs_managed_sse_enabled(true)
        .removal_policy(RemovalPolicy::Delete)
        .skip_check(
            "CKV_AWS_27",
            "Encrypted at rest with SQS-managed keys (SqsManagedSseEnabled); checkov only \
             recognises a KMS key, which would add a key and KMS permissions for every producer \
             and consumer.",
        )
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

    /// A queue that exists already, by ARN (its URL is derived from the ARN's region, account
    /// and name).
    pub fn from_arn(arn: impl Into<Val<QueueArn>>) -> ImportedQueue {
        ImportedQueue { arn: arn.into() }
    }

    /// Adds a dead-letter queue (child `DeadLetterQueue`, 14 days retention): a message
    /// received `max_receive_count` times without being deleted moves there.
    pub fn with_dead_letter_queue(
        mut self,
        max_receive_count: u16,
    ) -> Result<Queue, ConstructError> {
        if !(1..=1000).contains(&max_receive_count) {
            return Err(ConstructError::OutOfRange {
                construct: "Queue",
                setting: "max_receive_count",
                value: max_receive_count.into(),
                allowed: "1..=1000, what SQS accepts",
            });
        }
        let dlq = encrypted_queue().message_retention_period(DLQ_RETENTION_SECONDS);
        let dlq_arn: Value = dlq.attr_arn().into();
        self.resource.set_redrive_policy(json::object([
            ("deadLetterTargetArn", dlq_arn),
            ("maxReceiveCount", json::number(max_receive_count)),
        ]));
        self.dead_letters = Some(dlq);
        Ok(self)
    }

    /// `VisibilityTimeout` in seconds (set it above the consumer's processing time).
    pub fn visibility_timeout_seconds(mut self, seconds: u16) -> Queue {
        self.resource.set_visibility_timeout(i64::from(seconds));
        self
    }

    /// The dead-letter queue's ARN, if there is one.
    pub fn dead_letter_arn(&self) -> Option<Val<QueueArn>> {
        self.dead_letters.as_ref().map(|q| q.attr_arn())
    }

    /// The queue resource.
    pub fn resource(&self) -> &cfn::Queue {
        &self.resource
    }

    /// The queue resource, mutably (properties this construct does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::Queue {
        &mut self.resource
    }
}

impl IQueue for Queue {
    fn queue_arn(&self) -> Val<QueueArn> {
        self.resource.attr_arn()
    }
    fn queue_url(&self) -> Val<QueueUrl> {
        self.resource.ref_()
    }
}

/// A queue made outside this app ([`Queue::from_arn`]): grants write the principal's side only.
#[derive(Debug, Clone)]
pub struct ImportedQueue {
    arn: Val<QueueArn>,
}

impl IQueue for ImportedQueue {
    fn queue_arn(&self) -> Val<QueueArn> {
        self.arn.clone()
    }

    /// `https://sqs.<region>.<url suffix>/<account>/<name>`, from the ARN's fields.
    fn queue_url(&self) -> Val<QueueUrl> {
        let arn: Val<String> = self.arn.clone().into();
        let field = |i: i64| fns::select(i, fns::split(":", arn.clone()));
        fns::join(
            "",
            vec![
                Val::from("https://sqs."),
                field(3),
                Val::from("."),
                fns::url_suffix(),
                Val::from("/"),
                field(4),
                Val::from("/"),
                field(5),
            ],
        )
        .cast()
    }
}
