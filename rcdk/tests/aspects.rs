//! Aspects that select generated resources by Rust type.

use rcdk::constructs::cfn::{s3, sqs};
use rcdk::core::assertions::Template;
use rcdk::prelude::*;
use serde_json::json;

#[test]
fn for_type_reaches_generated_resources_of_that_type_only() {
    let mut app = App::new();
    app.add(
        Stack::new("Data")
            .with("Logs", s3::Bucket::new())
            .with("Assets", s3::Bucket::new().bucket_name("assets"))
            .with("Jobs", sqs::Queue::new())
            .aspect(for_type(|bucket: &mut s3::Bucket, ctx| {
                if bucket.core().props.get("BucketName").is_none() {
                    bucket
                        .core_mut()
                        .set("BucketName", format!("data-{}", ctx.path().len()));
                }
            })),
    );
    let t = Template::synth(&mut app, "Data").unwrap();
    t.assert_has_resource_properties("AWS::S3::Bucket", json!({"BucketName": "data-9"}));
    t.assert_has_resource_properties("AWS::S3::Bucket", json!({"BucketName": "assets"}));
    t.assert_has_resource(
        "AWS::SQS::Queue",
        json!({"Properties": rcdk::core::assertions::Match::absent()}),
    );
}

#[test]
fn for_type_errors_name_the_construct_path() {
    let mut app = App::new();
    app.add(
        Stack::new("Data")
            .with("Logs", s3::Bucket::new())
            .aspect(for_type(|bucket: &mut s3::Bucket, ctx| {
                if bucket.core().props.get("VersioningConfiguration").is_none() {
                    ctx.error("buckets must turn versioning on");
                }
            })),
    );
    let err = app.synth().unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    assert_eq!(err.0[0].path, "Data/Logs");
    assert_eq!(err.0[0].message, "buckets must turn versioning on");
}

#[test]
fn for_cfn_type_reaches_generated_and_raw_resources() {
    let mut app = App::new();
    app.add(
        Stack::new("Data")
            .with("Generated", sqs::Queue::new())
            .with("Raw", RawResource::new("AWS::SQS::Queue"))
            .aspect(for_cfn_type("AWS::SQS::Queue", |core, _ctx| {
                core.set("SqsManagedSseEnabled", true)
            })),
    );
    let t = Template::synth(&mut app, "Data").unwrap();
    t.assert_resource_properties_count_is(
        "AWS::SQS::Queue",
        json!({"SqsManagedSseEnabled": true}),
        2,
    );
}
