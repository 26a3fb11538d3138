//! The lint runners against the real pinned tools: each must catch a real finding and pass a
//! clean template.

use std::path::PathBuf;

use rcdk_testkit::lint::{
    self, cfn_lint, cfn_lint_allowing, cfn_lint_findings, checkov, checkov_allowing, Level,
    LintFailure, Tool,
};

/// Writes `text` to a fresh file named `name` under this test binary's scratch directory.
fn template(test: &str, name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("lint")
        .join(test);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn findings(failure: LintFailure) -> Vec<lint::Finding> {
    match failure {
        LintFailure::Findings { findings, .. } => findings,
        other => panic!("expected findings, got: {other}"),
    }
}

/// `VersioningConfiguration` must be an object, not a string.
const WRONG_TYPE: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"VersioningConfiguration": "yes"}}
  }
}"#;

const CLEAN_JSON: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "alerts"}}},
  "Outputs": {"TopicArn": {"Value": {"Ref": "Topic"}}}
}"#;

/// Short-form tags, which cfn-lint parses natively.
const CLEAN_YAML: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${AWS::StackName}-${Stage}-jobs"
Outputs:
  QueueArn:
    Value: !GetAtt Queue.Arn
  QueueUrl:
    Value: !Ref Queue
"#;

#[test]
fn cfn_lint_reports_a_wrong_property_type() {
    let path = template("wrong_type", "stack.template.json", WRONG_TYPE);
    let found = findings(cfn_lint(&[&path]).unwrap_err());
    let e3012 = found
        .iter()
        .find(|f| f.rule == "E3012")
        .unwrap_or_else(|| panic!("no E3012 among {found:?}"));
    assert_eq!(e3012.tool, Tool::CfnLint);
    assert_eq!(e3012.level, Level::Error);
    assert_eq!(
        e3012.location,
        "Resources/Bucket/Properties/VersioningConfiguration"
    );
    assert_eq!(e3012.file, path);
    assert_eq!(e3012.line, Some(4));
    assert!(e3012.message.contains("'yes'"), "{}", e3012.message);
}

#[test]
fn cfn_lint_reports_a_bad_reference_in_short_form_yaml() {
    let text = CLEAN_YAML.replace("!GetAtt Queue.Arn", "!GetAtt Missing.Arn");
    let path = template("short_form", "stack.template.yaml", &text);
    let failure = cfn_lint(&[&path]).unwrap_err();
    let report = failure.to_string();
    let found = findings(failure);
    assert!(
        found.iter().any(|f| f.rule == "E6101"
            && f.location == "Outputs/QueueArn/Value/Fn::GetAtt/0"
            && f.line == Some(12)),
        "{report}"
    );
    assert!(report.contains("E6101 [error]"), "{report}");
}

#[test]
fn cfn_lint_passes_clean_templates_in_one_run() {
    let json = template("clean", "a.template.json", CLEAN_JSON);
    let yaml = template("clean", "b.template.yaml", CLEAN_YAML);
    cfn_lint(&[&json, &yaml]).unwrap();
}

#[test]
fn cfn_lint_fails_on_warnings_unless_allowed() {
    let text = CLEAN_JSON.replace(
        r#""Resources""#,
        r#""Parameters": {"Unused": {"Type": "String"}}, "Resources""#,
    );
    let path = template("warning", "stack.template.json", &text);
    let found = findings(cfn_lint(&[&path]).unwrap_err());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].rule.as_str(), found[0].level),
        ("W2001", Level::Warning)
    );
    assert_eq!(found[0].location, "Parameters/Unused");

    cfn_lint_allowing(
        &[&path],
        &[("W2001", "the parameter is part of the interface")],
    )
    .unwrap();
}

#[test]
fn cfn_lint_informational_findings_do_not_fail() {
    // A table without DeletionPolicy draws I3011, a hint only.
    let path = template(
        "informational",
        "stack.template.json",
        r#"{"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"}}}}"#,
    );
    let all = cfn_lint_findings(&[&path]).unwrap();
    assert!(
        all.iter()
            .any(|f| f.rule == "I3011" && f.level == Level::Informational),
        "{all:?}"
    );
    cfn_lint(&[&path]).unwrap();
}

#[test]
fn unused_or_unexplained_allowances_fail() {
    let path = template("allowances", "stack.template.json", CLEAN_JSON);
    match cfn_lint_allowing(&[&path], &[("W2001", "stale")]).unwrap_err() {
        LintFailure::Findings {
            findings,
            unused_allowances,
            ..
        } => {
            assert!(findings.is_empty());
            assert_eq!(unused_allowances, ["W2001"]);
        }
        other => panic!("expected an unused allowance, got: {other}"),
    }
    let err = cfn_lint_allowing(&[&path], &[("W2001", " ")]).unwrap_err();
    assert!(matches!(err, LintFailure::Usage(_)), "{err}");
}

#[test]
fn missing_templates_are_usage_errors() {
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lint/nope.template.json");
    for err in [
        cfn_lint(&[&missing]).unwrap_err(),
        checkov(&[&missing]).unwrap_err(),
    ] {
        assert!(
            matches!(&err, LintFailure::Usage(m) if m.contains("nope.template.json")),
            "{err}"
        );
    }
    let none: [PathBuf; 0] = [];
    assert!(matches!(cfn_lint(&none), Err(LintFailure::Usage(_))));
}

/// A bucket with no logging, versioning or public access block.
const BARE_BUCKET: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}
}"#;

/// Passes every checkov check; the log bucket's own logging check is skipped in Metadata.
const HARDENED_BUCKETS: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Metadata:
      checkov:
        skip:
          - id: CKV_AWS_18
            comment: this is the access-log bucket itself
    Properties:
      BucketName: !Sub "${AWS::StackName}-logs"
      VersioningConfiguration:
        Status: Enabled
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: AES256
  Data:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration:
        Status: Enabled
      LoggingConfiguration:
        DestinationBucketName: !Ref Logs
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
"#;

#[test]
fn checkov_reports_only_the_bad_template_of_a_batch() {
    let bad = template("checkov_batch", "bad.template.json", BARE_BUCKET);
    let good = template("checkov_batch", "good.template.yaml", HARDENED_BUCKETS);
    let found = findings(checkov(&[&bad, &good]).unwrap_err());
    for id in ["CKV_AWS_18", "CKV_AWS_21", "CKV_AWS_53"] {
        assert!(
            found.iter().any(|f| f.rule == id
                && f.location == "AWS::S3::Bucket.Bucket"
                && f.file == bad
                && f.level == Level::Error
                && f.tool == Tool::Checkov),
            "no {id} on {}: {found:?}",
            bad.display()
        );
    }
    assert!(found.iter().all(|f| f.file == bad), "{found:?}");
}

#[test]
fn checkov_passes_a_hardened_template_with_a_documented_skip() {
    let good = template("checkov_clean", "good.template.yaml", HARDENED_BUCKETS);
    checkov(&[&good]).unwrap();
}

#[test]
fn checkov_allowances_cover_named_checks_only() {
    let text = HARDENED_BUCKETS.replace(
        "      LoggingConfiguration:\n        DestinationBucketName: !Ref Logs\n",
        "",
    );
    let path = template("checkov_allow", "stack.template.yaml", &text);
    let found = findings(checkov(&[&path]).unwrap_err());
    assert_eq!(
        found
            .iter()
            .map(|f| (f.rule.as_str(), f.location.as_str()))
            .collect::<Vec<_>>(),
        [("CKV_AWS_18", "AWS::S3::Bucket.Data")]
    );
    checkov_allowing(
        &[&path],
        &[("CKV_AWS_18", "logging is configured out of band")],
    )
    .unwrap();
}

#[test]
fn checkov_rejects_what_it_cannot_scan() {
    let broken = template("checkov_broken", "broken.template.json", "{\"Resources\": ");
    let err = checkov(&[&broken]).unwrap_err();
    assert!(
        matches!(&err, LintFailure::Tool { tool: Tool::Checkov, detail }
            if detail.contains("could not parse") && detail.contains("broken.template.json")),
        "{err}"
    );
    // Valid JSON but no template: passing it silently would test nothing.
    let other = template("checkov_broken", "not-a-template.json", r#"{"a": 1}"#);
    let err = checkov(&[&other]).unwrap_err();
    assert!(
        matches!(&err, LintFailure::Tool { detail, .. } if detail.contains("recognised no CloudFormation template")),
        "{err}"
    );
}
