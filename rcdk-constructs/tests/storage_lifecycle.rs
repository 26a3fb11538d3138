//! Typed S3 lifecycle rules: the seed's backups (Glacier after 30 days, deleted after a year),
//! noncurrent versions and incomplete uploads, the rules S3 would refuse (each with what to
//! change), a snapshot, and cfn-lint and checkov finding nothing.
//!
//! Snapshots: `INSTA_UPDATE=always cargo test -p rcdk-constructs --test storage_lifecycle`
//! after reviewing a deliberate change.

use rcdk_constructs::error::ConstructError;
use rcdk_constructs::storage::{
    Bucket, LifecycleRule, StorageClass, DEFAULT_ABORT_MULTIPART_RULE, DEFAULT_NONCURRENT_RULE,
};
use rcdk_core::{App, Assembly, Stack};
use serde_json::{json, Value};

mod support;

fn backups() -> Bucket {
    Bucket::new()
        .lifecycle_rule(
            LifecycleRule::new("Dumps")
                .prefix("dumps/")
                .transition(StorageClass::Glacier, 30)
                .expire(365)
                .expire_noncurrent(30)
                .abort_incomplete_multipart_uploads(7),
        )
        .unwrap()
        .lifecycle_rule(
            LifecycleRule::new("Tiered")
                .prefix("reports/")
                .transition(StorageClass::StandardIa, 30)
                .transition(StorageClass::GlacierInstantRetrieval, 60)
                .transition(StorageClass::DeepArchive, 180)
                .noncurrent_transition(StorageClass::OneZoneIa, 30)
                .expire_noncurrent(90)
                .keep_newer_noncurrent_versions(3),
        )
        .unwrap()
}

fn assembly() -> Assembly {
    let mut app = App::new();
    app.add(Stack::new("Backups").with("Backups", backups()));
    app.synth().unwrap()
}

fn bucket_properties(assembly: &Assembly) -> Value {
    let template = assembly.stack("Backups").unwrap().template_json();
    template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::S3::Bucket")
        .unwrap()["Properties"]
        .clone()
}

#[test]
fn rules_are_written_as_given() {
    let p = bucket_properties(&assembly());
    let rules = p["LifecycleConfiguration"]["Rules"].as_array().unwrap();
    // The default rules come first, then the given ones.
    assert_eq!(
        rules[..2]
            .iter()
            .map(|r| r["Id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [DEFAULT_ABORT_MULTIPART_RULE, DEFAULT_NONCURRENT_RULE]
    );
    assert_eq!(
        json!(rules[2..]),
        json!([
            {
                "Status": "Enabled",
                "Id": "Dumps",
                "Prefix": "dumps/",
                "Transitions": [{"StorageClass": "GLACIER", "TransitionInDays": 30}],
                "ExpirationInDays": 365,
                "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}
            },
            {
                "Status": "Enabled",
                "Id": "Tiered",
                "Prefix": "reports/",
                "Transitions": [
                    {"StorageClass": "STANDARD_IA", "TransitionInDays": 30},
                    {"StorageClass": "GLACIER_IR", "TransitionInDays": 60},
                    {"StorageClass": "DEEP_ARCHIVE", "TransitionInDays": 180}
                ],
                "NoncurrentVersionTransitions": [{
                    "StorageClass": "ONEZONE_IA",
                    "TransitionInDays": 30,
                    "NewerNoncurrentVersions": 3
                }],
                "NoncurrentVersionExpiration": {"NoncurrentDays": 90, "NewerNoncurrentVersions": 3}
            }
        ])
    );
    // The bucket keeps its defaults.
    assert_eq!(p["VersioningConfiguration"]["Status"], "Enabled");
}

fn refused(rule: LifecycleRule) -> String {
    match Bucket::new().lifecycle_rule(rule) {
        Err(e @ ConstructError::LifecycleRule { .. }) => e.to_string(),
        other => panic!("expected a lifecycle error, got {other:?}"),
    }
}

#[test]
fn impossible_rules_are_refused_with_what_to_change() {
    let e = refused(
        LifecycleRule::new("Backups")
            .transition(StorageClass::Glacier, 30)
            .expire(20),
    );
    assert!(
        e.contains("Bucket lifecycle rule `Backups`") && e.contains("expire later"),
        "{e}"
    );
    // Expiry on the day of the transition is refused too.
    assert!(refused(
        LifecycleRule::new("R")
            .transition(StorageClass::Glacier, 30)
            .expire(30)
    )
    .contains("day 30"));
    let e = refused(LifecycleRule::new("R").transition(StorageClass::StandardIa, 7));
    assert!(e.contains("no earlier than 30"), "{e}");
    assert!(
        refused(LifecycleRule::new("R").transition(StorageClass::OneZoneIa, 29))
            .contains("no earlier than 30")
    );
    let e = refused(
        LifecycleRule::new("R")
            .transition(StorageClass::Glacier, 30)
            .transition(StorageClass::StandardIa, 60),
    );
    assert!(e.contains("cannot follow"), "{e}");
    let e = refused(
        LifecycleRule::new("R")
            .transition(StorageClass::GlacierInstantRetrieval, 60)
            .transition(StorageClass::Glacier, 60),
    );
    assert!(e.contains("must come after"), "{e}");
    let e = refused(
        LifecycleRule::new("R")
            .transition(StorageClass::StandardIa, 30)
            .transition(StorageClass::Glacier, 45),
    );
    assert!(e.contains("day 60 or later"), "{e}");
    assert!(refused(LifecycleRule::new("R").expire(0)).contains("at least 1 day"));
    assert!(refused(LifecycleRule::new("R")).contains("does nothing"));
    assert!(refused(LifecycleRule::new("")).contains("1-255"));
    assert!(
        refused(LifecycleRule::new("R").noncurrent_transition(StorageClass::StandardIa, 10))
            .contains("no earlier than 30")
    );
    assert!(refused(
        LifecycleRule::new("R")
            .noncurrent_transition(StorageClass::Glacier, 30)
            .expire_noncurrent(30)
    )
    .contains("expire them later"));
    assert!(refused(
        LifecycleRule::new("R")
            .expire(5)
            .keep_newer_noncurrent_versions(3)
    )
    .contains("has none"));
    assert!(refused(
        LifecycleRule::new("R")
            .expire_noncurrent(5)
            .keep_newer_noncurrent_versions(101)
    )
    .contains("1-100"));
    assert!(
        refused(LifecycleRule::new("R").abort_incomplete_multipart_uploads(0))
            .contains("at least 1 day")
    );
    // Glacier classes take day 0; the bucket refuses duplicate ids and noncurrent actions when
    // it is not versioned.
    assert!(Bucket::new()
        .lifecycle_rule(LifecycleRule::new("Now").transition(StorageClass::Glacier, 0))
        .is_ok());
    let e = Bucket::new()
        .lifecycle_rule(LifecycleRule::new("A").expire(10))
        .unwrap()
        .lifecycle_rule(LifecycleRule::new("A").expire(20))
        .unwrap_err()
        .to_string();
    assert!(e.contains("rename one"), "{e}");
    let e = Bucket::new()
        .versioned(false)
        .lifecycle_rule(LifecycleRule::new("Old").expire_noncurrent(10))
        .unwrap_err()
        .to_string();
    assert!(e.contains("versioned"), "{e}");
    assert!(Bucket::new()
        .versioned(false)
        .lifecycle_rule(LifecycleRule::new("Old").expire(10))
        .is_ok());
}

#[test]
fn template_snapshot() {
    insta::assert_json_snapshot!("storage_lifecycle", bucket_properties(&assembly()));
}

#[test]
fn cfn_lint_and_checkov_find_nothing() {
    let assembly = assembly();
    support::assert_lint_clean(&assembly);
}
