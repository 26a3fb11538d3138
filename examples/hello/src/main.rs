//! The smallest useful app: a queue with a dead-letter queue, an SSM parameter holding the
//! queue's URL, an environment parameter, a condition on it and outputs. Raw resources only, so
//! it shows the core model without the generated types. Traceable to seed document 001
//! ("ECS foundations": an SSM String parameter, tags, outputs).

use rcdk::prelude::*;
use std::process::ExitCode;

fn main() -> ExitCode {
    let env = Parameter::<String>::new()
        .description("Deployment environment")
        .allowed_values(["dev", "prod"])
        .default("dev");
    let is_prod = Condition::new(fns::equals(env.value(), "prod"));

    // checkov's CKV_AWS_27 only recognises KmsMasterKeyId; SqsManagedSseEnabled encrypts too.
    const SQS_SSE: &str = "Encrypted at rest with SQS-managed keys (SqsManagedSseEnabled); \
                           checkov only recognises a KMS key, which would add a key and KMS \
                           permissions for every producer and consumer.";

    // Any queue of the account may use it as its dead-letter queue (SQS's default, explicit):
    // naming the jobs queue instead would make each queue wait for the other.
    let dead_letters = RawResource::new("AWS::SQS::Queue")
        .prop("MessageRetentionPeriod", 1_209_600)
        .prop("SqsManagedSseEnabled", true)
        .prop(
            "RedriveAllowPolicy",
            Value::Map(
                [("redrivePermission".to_string(), Value::from("allowAll"))]
                    .into_iter()
                    .collect(),
            ),
        )
        .skip_check("CKV_AWS_27", SQS_SSE);
    let jobs = RawResource::new("AWS::SQS::Queue")
        .prop("SqsManagedSseEnabled", true)
        .skip_check("CKV_AWS_27", SQS_SSE)
        .prop(
            "RedrivePolicy",
            Value::Map(
                [
                    (
                        "deadLetterTargetArn".to_string(),
                        dead_letters.get_att::<String>("Arn").into(),
                    ),
                    ("maxReceiveCount".to_string(), Value::from(5)),
                ]
                .into_iter()
                .collect(),
            ),
        )
        // Long retention only where it pays for itself.
        .prop(
            "MessageRetentionPeriod",
            is_prod.select::<i64>(1_209_600, 345_600),
        );
    // Both queues refuse requests without TLS.
    let tls_only = RawResource::new("AWS::SQS::QueuePolicy")
        .prop(
            "Queues",
            Value::List(vec![
                dead_letters.ref_::<String>().into(),
                jobs.ref_::<String>().into(),
            ]),
        )
        .prop(
            "PolicyDocument",
            Value::Map(
                [
                    ("Version".to_string(), Value::from("2012-10-17")),
                    (
                        "Statement".to_string(),
                        Value::List(vec![Value::Map(
                            [
                                ("Effect".to_string(), Value::from("Deny")),
                                (
                                    "Principal".to_string(),
                                    Value::Map(
                                        [("AWS".to_string(), Value::from("*"))]
                                            .into_iter()
                                            .collect(),
                                    ),
                                ),
                                ("Action".to_string(), Value::from("sqs:*")),
                                (
                                    "Resource".to_string(),
                                    Value::List(vec![
                                        dead_letters.get_att::<String>("Arn").into(),
                                        jobs.get_att::<String>("Arn").into(),
                                    ]),
                                ),
                                (
                                    "Condition".to_string(),
                                    Value::Map(
                                        [(
                                            "Bool".to_string(),
                                            Value::Map(
                                                [(
                                                    "aws:SecureTransport".to_string(),
                                                    Value::from("false"),
                                                )]
                                                .into_iter()
                                                .collect(),
                                            ),
                                        )]
                                        .into_iter()
                                        .collect(),
                                    ),
                                ),
                            ]
                            .into_iter()
                            .collect(),
                        )]),
                    ),
                ]
                .into_iter()
                .collect(),
            ),
        );
    let url_parameter = RawResource::new("AWS::SSM::Parameter")
        .prop(
            "Name",
            fns::sub("/hello/${Env}/jobs-url", [("Env", env.value())]),
        )
        .prop("Type", "String")
        .prop("Value", jobs.ref_::<String>())
        .prop("Description", "URL of the jobs queue");

    let outputs = Group::new()
        .with(
            "JobsQueueUrl",
            Output::new(jobs.ref_::<String>()).description("Jobs queue URL"),
        )
        .with(
            "JobsQueueArn",
            Output::new(jobs.get_att::<String>("Arn"))
                .description("Jobs queue ARN")
                .export(fns::sub_plain("${AWS::StackName}-JobsQueueArn")),
        );

    let stack = Stack::new("Hello")
        .description("Hello: a queue, its dead-letter queue and an SSM parameter")
        .tag("project", "hello")
        .with("Env", env)
        .with("IsProd", is_prod)
        .with("DeadLetters", dead_letters)
        .with("Jobs", jobs)
        .with("JobsTlsOnly", tls_only)
        .with("JobsUrl", url_parameter)
        .with("Outputs", outputs);
    let mut app = App::new();
    app.add(stack);
    app.run()
}
