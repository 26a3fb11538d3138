//! SQS queues, encrypted with SQS-managed keys, with an optional dead-letter queue and typed
//! send / consume grants; [`IQueue`] for queues made here or elsewhere.

use rcdk_core::kind::{QueueArn, QueueUrl};
use rcdk_core::{fns, RemovalPolicy, Resource, Val, Value};
use rcdk_macros::Construct;

use crate::cfn::sqs as cfn;
use crate::error::ConstructError;
use crate::iam::{
    grant_all, Action, ConditionOperator, Grant, Grantee, PolicyDocument, Principal, Statement,
};
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

/// Lets the queue serve as a dead-letter queue for any queue of the account
/// (`redrivePermission: allowAll`, what SQS does when the policy is absent, made explicit).
/// `byQueue` would name the source queues' ARNs, and a source queue's `RedrivePolicy` names
/// this queue's ARN: each would wait for the other to exist, a cycle CloudFormation refuses.
fn allow_redrive_from_any_queue(queue: &mut cfn::Queue) {
    queue.set_redrive_allow_policy(json::object([(
        "redrivePermission",
        Value::str("allowAll"),
    )]));
}

/// The queue policy of `queues`: any request without TLS is denied, whoever makes it.
fn tls_only_policy(queues: &[&cfn::Queue]) -> cfn::QueuePolicy {
    let mut document = PolicyDocument::new();
    let mut deny = Statement::deny([Action::known("sqs:*")])
        .principal(Principal::Aws("*".into()))
        .condition(ConditionOperator::Bool, "aws:SecureTransport", ["false"]);
    for queue in queues {
        deny = deny.on(queue.attr_arn());
    }
    let _ = document.add_trusted(deny);
    let urls: Vec<Val<String>> = queues.iter().map(|q| q.ref_().into()).collect();
    cfn::QueuePolicy::new(document.to_json_val(), urls)
}

/// A standard queue with server-side encryption (SQS-managed keys, so consumers need no KMS
/// permission), a queue policy denying requests without TLS (child `Policy`, covering the
/// dead-letter queue too) and, optionally, a dead-letter queue.
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "storage::Queue")]
pub struct Queue {
    resource: cfn::Queue,
    #[construct(id = "DeadLetterQueue")]
    dead_letters: Option<cfn::Queue>,
    policy: cfn::QueuePolicy,
}

impl Default for Queue {
    fn default() -> Self {
        Self::new()
    }
}

impl Queue {
    /// An encrypted queue with a generated name.
    pub fn new() -> Queue {
        let resource = encrypted_queue();
        let policy = tls_only_policy(&[&resource]);
        Queue {
            resource,
            dead_letters: None,
            policy,
        }
    }

    /// An encrypted queue to receive dead letters of other queues or of a Lambda function's
    /// asynchronous invocations: 14 days retention (SQS's maximum) and a redrive allow policy
    /// letting the account's queues use it.
    pub fn for_dead_letters() -> Queue {
        let mut queue = Queue::new();
        queue
            .resource
            .set_message_retention_period(DLQ_RETENTION_SECONDS);
        allow_redrive_from_any_queue(&mut queue.resource);
        queue
    }

    /// A queue that exists already, by ARN (its URL is derived from the ARN's region, account
    /// and name).
    pub fn from_arn(arn: impl Into<Val<QueueArn>>) -> ImportedQueue {
        ImportedQueue { arn: arn.into() }
    }

    /// Adds a dead-letter queue (child `DeadLetterQueue`, 14 days retention, redrive allowed
    /// from the account's queues): a message
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
        let mut dlq = encrypted_queue().message_retention_period(DLQ_RETENTION_SECONDS);
        allow_redrive_from_any_queue(&mut dlq);
        let dlq_arn: Value = dlq.attr_arn().into();
        self.resource.set_redrive_policy(json::object([
            ("deadLetterTargetArn", dlq_arn),
            ("maxReceiveCount", json::number(max_receive_count)),
        ]));
        self.policy = tls_only_policy(&[&self.resource, &dlq]);
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
