//! Reading existing templates: short and long forms read the same, names are checked where they
//! are used, `Condition` is a function only in condition expressions, numbers keep their type,
//! and [`raw`] reads long-form functions.

use rcdk_core::template::{canonical, raw, TemplateDoc};
use rcdk_core::{Intrinsic, Target, Value};

fn parse(text: &str) -> TemplateDoc {
    TemplateDoc::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn error(text: &str) -> String {
    TemplateDoc::parse(text).unwrap_err().to_string()
}

#[test]
fn short_and_long_forms_read_the_same() {
    let yaml = parse(
        "Parameters:\n  Env: {Type: String}\nConditions:\n  Prod: !Equals [!Ref Env, prod]\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${Env}-q'\n      DelaySeconds: !If [Prod, 0, 5]\n  T:\n    Type: AWS::SNS::Topic\n    DependsOn: Q\n    Properties:\n      DisplayName: !GetAtt Q.QueueName\n",
    );
    let json = parse(
        r#"{"Parameters": {"Env": {"Type": "String"}},
            "Conditions": {"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
            "Resources": {
              "Q": {"Type": "AWS::SQS::Queue", "Properties": {
                "QueueName": {"Fn::Sub": ["${Env}-q", {}]},
                "DelaySeconds": {"Fn::If": ["Prod", 0, 5]}}},
              "T": {"Type": "AWS::SNS::Topic", "DependsOn": ["Q"], "Properties": {
                "DisplayName": {"Fn::GetAtt": ["Q", "QueueName"]}}}}}"#,
    );
    assert_eq!(canonical(&yaml), canonical(&json));
}

#[test]
fn names_are_checked_where_they_are_used() {
    let dangling_sub = error(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${Missing}-q'\n",
    );
    assert!(
        dangling_sub.starts_with("Resources.Q.Properties.QueueName"),
        "{dangling_sub}"
    );
    assert!(dangling_sub.contains("'${Missing}'"), "{dangling_sub}");
    let nested = error(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt [Dlq, Arn]\n",
    );
    assert!(
        nested.starts_with("Resources.Q.Properties.RedrivePolicy.deadLetterTargetArn"),
        "{nested}"
    );
    let condition = error("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Condition: Nope\n");
    assert!(
        condition.contains("condition 'Nope' is not declared"),
        "{condition}"
    );
    // With a transform, the macro may declare names the template does not show.
    parse("Transform: AWS::Serverless-2016-10-31\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref FnRole\n");
}

#[test]
fn condition_is_a_function_only_in_condition_expressions() {
    let doc = parse(
        "Conditions:\n  A: !Equals [a, a]\n  B: !And [!Condition A, {Condition: A}]\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource: '*'\n            Condition: {Bool: {aws:SecureTransport: 'true'}}\n",
    );
    let Value::Fn(b) = &doc.conditions["B"] else {
        panic!("B is a function")
    };
    let Intrinsic::And(items) = &**b else {
        panic!("B is Fn::And")
    };
    assert!(items
        .iter()
        .all(|i| matches!(i, Value::Fn(f) if matches!(**f, Intrinsic::Condition(Target::Name(ref n)) if n == "A"))));
    let statement = &doc.resources["P"].properties["PolicyDocument"];
    assert!(
        statement.is_literal(),
        "an IAM statement's Condition is data: {statement:?}"
    );
}

#[test]
fn numbers_and_strings_keep_their_types() {
    let doc = parse("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 5\n      QueueName: '5'\n      Weight: 0.5\n");
    let p = &doc.resources["Q"].properties;
    assert_eq!(p["DelaySeconds"], Value::Number(5.into()));
    assert_eq!(p["QueueName"], Value::String("5".into()));
    assert!(matches!(&p["Weight"], Value::Number(n) if n.as_f64() == Some(0.5)));
}

#[test]
fn raw_reads_long_form_functions_and_keeps_names() {
    let v = raw::<String>(serde_json::json!({"Fn::GetAtt": ["Photos", "Arn"]}));
    assert!(matches!(
        v.value(),
        Value::Fn(f) if matches!(**f, Intrinsic::GetAtt { target: Target::Name(ref n), ref attribute, .. } if n == "Photos" && attribute == "Arn")
    ));
    assert_eq!(
        raw::<i64>(serde_json::json!("80")).into_value(),
        Value::String("80".into())
    );
}

#[test]
fn id_literals_are_checked_by_kind_name() {
    assert_eq!(
        rcdk_core::kind::literal_fits("VpcId", "vpc-0abc1234"),
        Some(true)
    );
    assert_eq!(
        rcdk_core::kind::literal_fits("VpcId", "subnet-0abc1234"),
        Some(false)
    );
    assert_eq!(rcdk_core::kind::literal_fits("NoSuchKind", "x"), None);
}

#[test]
fn transform_and_depends_on_take_a_name_or_a_list() {
    let doc = parse(
        "Transform: [AWS::Serverless-2016-10-31]\nResources:\n  A:\n    Type: AWS::SQS::Queue\n  B:\n    Type: AWS::SQS::Queue\n    DependsOn: A\n",
    );
    assert_eq!(doc.transforms, ["AWS::Serverless-2016-10-31"]);
    let depends = error(
        "Resources:\n  A:\n    Type: AWS::SQS::Queue\n  B:\n    Type: AWS::SQS::Queue\n    DependsOn: {A: 1}\n",
    );
    assert!(
        depends.starts_with("Resources.B.DependsOn: must list logical ids"),
        "{depends}"
    );
    let transform = error("Transform: [{Name: AWS::Include}]\nResources: {}\n");
    assert!(
        transform.starts_with("Transform: must name macros"),
        "{transform}"
    );
    assert!(transform.contains("Fn::Transform"), "{transform}");
}
