//! S3 replication into a bucket of another region: the configuration S3 needs (versioned
//! source, KMS-encrypted objects replicated and encrypted again with the destination region's
//! key), the role S3 assumes, and the mistakes refused with what to change.

use rcdk_constructs::error::ConstructError;
use rcdk_constructs::storage::Bucket;
use rcdk_core::{App, Stack};
use serde_json::{json, Value};

fn replicating(destination: &Bucket) -> Bucket {
    Bucket::new()
        .replicate_to(destination, "eu-central-1")
        .unwrap()
}

#[test]
fn a_replicating_bucket_names_the_destination_its_key_and_its_role() {
    let replica = Bucket::new();
    let source = replicating(&replica);
    let mut app = App::new().with(
        Stack::new("S")
            .with("Replica", replica)
            .with("Source", source),
    );
    let t = app.synth().unwrap().stack("S").unwrap().template_json();
    let resources = t["Resources"].as_object().unwrap();
    let source = resources
        .values()
        .find(|r| r["Properties"].get("ReplicationConfiguration").is_some())
        .unwrap();
    let config = &source["Properties"]["ReplicationConfiguration"];
    let role_id = config["Role"]["Fn::GetAtt"][0].as_str().unwrap();
    assert!(role_id.starts_with("SourceReplicationRole"), "{role_id}");
    assert_eq!(
        config["Rules"][0],
        json!({
            "Destination": {
                "Bucket": {"Fn::GetAtt": [resources.keys().find(|k| k.starts_with("Replica") && resources[*k]["Type"] == "AWS::S3::Bucket").unwrap(), "Arn"]},
                "EncryptionConfiguration": {"ReplicaKmsKeyID": {"Fn::Sub": "arn:${AWS::Partition}:kms:eu-central-1:${AWS::AccountId}:alias/aws/s3"}}
            },
            "Status": "Enabled",
            "Id": "Recovery",
            "Priority": 0,
            "Filter": {"Prefix": ""},
            "DeleteMarkerReplication": {"Status": "Enabled"},
            "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
        })
    );
    // S3 of this account only may assume the role.
    assert_eq!(
        resources[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0],
        json!({"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
               "Action": "sts:AssumeRole",
               "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}})
    );
    // Its policy: the source's versions, the destination's objects, KMS through S3 only.
    let policy = resources
        .values()
        .find(|r| r["Type"] == "AWS::IAM::Policy" && r["Properties"]["Roles"][0]["Ref"] == role_id)
        .unwrap();
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    let actions: Vec<Value> = statements.iter().map(|s| s["Action"].clone()).collect();
    assert_eq!(
        actions,
        [
            json!(["s3:GetReplicationConfiguration", "s3:ListBucket"]),
            json!([
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionTagging"
            ]),
            json!([
                "s3:ReplicateDelete",
                "s3:ReplicateObject",
                "s3:ReplicateTags"
            ]),
            json!("kms:Decrypt"),
            json!(["kms:Encrypt", "kms:GenerateDataKey"]),
        ]
    );
    assert_eq!(
        statements[4]["Condition"],
        json!({"StringEquals": {"kms:ViaService": "s3.eu-central-1.amazonaws.com"}})
    );
    assert_eq!(
        statements[3]["Condition"],
        json!({"StringEquals": {"kms:ViaService": {"Fn::Sub": "s3.${AWS::Region}.amazonaws.com"}}})
    );
}

#[test]
fn mistakes_are_refused_with_what_to_change() {
    let replica = Bucket::new();
    let message = |r: Result<Bucket, ConstructError>| r.unwrap_err().to_string();
    let e = message(
        Bucket::new()
            .versioned(false)
            .replicate_to(&replica, "eu-central-1"),
    );
    assert!(e.contains("keep versioned(true)"), "{e}");
    let e = message(Bucket::new().replicate_to(&replica, "Frankfurt"));
    assert!(e.contains("`Frankfurt` is not a region name"), "{e}");
    let e = message(Bucket::new().replicate_to(&replica, "${AWS::Region}"));
    assert!(e.contains("is not a region name"), "{e}");
    let e = message(replicating(&replica).replicate_to(&replica, "eu-west-1"));
    assert!(e.contains("call replicate_to once"), "{e}");
}
