//! Escape hatches: overrides of any path, deletion overrides, raw resources of any type,
//! references to hand-written logical ids and functions the model does not know.

mod common;

use rcdk_core::{
    fns, App, Format, Intrinsic, RawResource, Resource, Stack, SynthOptions, Val, Value,
};
use serde_json::json;

fn synth(stack: Stack) -> serde_json::Value {
    let mut app = App::new().with(stack);
    app.synth().unwrap().stacks[0].template_json()
}

#[test]
fn override_sets_nested_paths_creating_maps() {
    let q = RawResource::new("AWS::SQS::Queue")
        .override_logical_id("Q")
        .prop(
            "RedrivePolicy",
            json!({"maxReceiveCount": 5, "deadLetterTargetArn": "arn"}),
        )
        .add_override("Properties.RedrivePolicy.maxReceiveCount", 10)
        .add_override("Properties.New.Deep.Leaf", "x")
        .add_override("Metadata.Key\\.With\\.Dots", true)
        .add_override("DeletionPolicy", "Retain");
    let t = synth(Stack::new("S").with("Q", q));
    assert_eq!(
        t["Resources"]["Q"],
        json!({
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "RedrivePolicy": {"maxReceiveCount": 10, "deadLetterTargetArn": "arn"},
                "New": {"Deep": {"Leaf": "x"}}
            },
            "Metadata": {"Key.With.Dots": true},
            "DeletionPolicy": "Retain"
        })
    );
}

#[test]
fn override_replaces_a_scalar_on_the_way_with_a_map() {
    let q = RawResource::new("AWS::SQS::Queue")
        .override_logical_id("Q")
        .prop("A", "scalar")
        .add_override("Properties.A.B", 1);
    let t = synth(Stack::new("S").with("Q", q));
    assert_eq!(t["Resources"]["Q"]["Properties"], json!({"A": {"B": 1}}));
}

#[test]
fn deletion_override_and_depends_on_override() {
    let other = RawResource::new("AWS::SNS::Topic").override_logical_id("Topic");
    let mut q = RawResource::new("AWS::SQS::Queue")
        .override_logical_id("Q")
        .prop("SqsManagedSseEnabled", true)
        .prop("DelaySeconds", 5)
        .depends_on(&other);
    q.core_mut()
        .add_deletion_override("Properties.SqsManagedSseEnabled");
    q.core_mut()
        .add_deletion_override("Properties.Missing.Path");
    let t = synth(
        Stack::new("S")
            .with("Topic", other)
            .with("Q", q.add_override("DependsOn", vec!["Topic", "Extra"])),
    );
    assert_eq!(
        t["Resources"]["Q"],
        json!({
            "Type": "AWS::SQS::Queue",
            "Properties": {"DelaySeconds": 5},
            "DependsOn": ["Topic", "Extra"]
        })
    );
}

#[test]
fn override_values_are_resolved_like_properties() {
    let topic = RawResource::new("AWS::SNS::Topic");
    let q = RawResource::new("AWS::SQS::Queue")
        .override_logical_id("Q")
        .add_override("Properties.TopicArn", topic.ref_::<String>());
    let t = synth(Stack::new("S").with("Topic", topic).with("Q", q));
    assert_eq!(
        t["Resources"]["Q"]["Properties"]["TopicArn"],
        json!({"Ref": "Topic7E61847D"})
    );
}

#[test]
fn raw_resources_take_any_type_and_free_form_properties() {
    let r = RawResource::new("Custom::Thing")
        .override_logical_id("Thing")
        .prop(
            "ServiceToken",
            "arn:aws:lambda:us-east-1:123456789012:function:f",
        )
        .prop(
            "Nested",
            json!({"List": [1, "two", {"Ref": "kept as data"}], "Null": null}),
        );
    let t = synth(Stack::new("S").with("Thing", r));
    assert_eq!(
        t["Resources"]["Thing"],
        json!({
            "Type": "Custom::Thing",
            "Properties": {
                "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Nested": {"List": [1, "two", {"Ref": "kept as data"}], "Null": null}
            }
        })
    );
}

#[test]
fn ref_to_a_hand_written_logical_id() {
    let q = RawResource::new("AWS::SQS::Queue").override_logical_id("MyQueue");
    let user = RawResource::new("AWS::SSM::Parameter")
        .override_logical_id("P")
        .prop("Type", "String")
        .prop("Value", fns::ref_logical_id::<String>("MyQueue"));
    let stack = Stack::new("S").with("Q", q).with("P", user);
    let mut app = App::new().with(stack);
    let a = app
        .synth_with(&SynthOptions {
            format: Format::Yaml,
            strict: false,
        })
        .unwrap();
    assert_eq!(
        a.stacks[0].template_json()["Resources"]["P"]["Properties"]["Value"],
        json!({"Ref": "MyQueue"})
    );
    assert!(
        a.stacks[0].text.contains("      Value: !Ref MyQueue\n"),
        "{}",
        a.stacks[0].text
    );
}

#[test]
fn functions_the_model_does_not_know_pass_through() {
    let (j, y) = common::render(|_| {
        Value::func(Intrinsic::Other {
            name: "Fn::Transform".into(),
            argument: json!({"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}})
                .into(),
        })
    });
    assert_eq!(
        j,
        json!({"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}})
    );
    assert_eq!(
        y,
        "Fn::Transform:\n  Name: AWS::Include\n  Parameters:\n    Location: s3://b/k\n"
    );
    // A typed value can be cast when the user knows better than the types.
    let arn: Val<rcdk_core::kind::Arn> = Val::<String>::from("arn:aws:sqs:us-east-1:1:q").cast();
    assert_eq!(arn.value(), &Value::str("arn:aws:sqs:us-east-1:1:q"));
}

#[test]
fn hand_written_names_that_are_not_in_the_template_are_errors() {
    let user = RawResource::new("AWS::SSM::Parameter")
        .prop("Type", "String")
        .prop("Value", fns::ref_logical_id::<String>("Typo"))
        .prop(
            "Description",
            Value::func(Intrinsic::GetAtt {
                target: rcdk_core::Target::Name("Typo".into()),
                attribute: "Arn".into(),
                list: false,
            }),
        )
        .prop("Region", fns::ref_logical_id::<String>("AWS::Region"));
    let mut app = App::new().with(Stack::new("S").with("User", user));
    let e = common::synth_err(&mut app);
    assert_eq!(e.0.len(), 2, "{e}");
    assert_eq!(e.0[0].path, "S/User");
    assert_eq!(
        e.0[0].message,
        "references logical id 'Typo' (a Ref needs a resource or parameter), which is not in this stack's template"
    );
    assert_eq!(
        e.0[1].message,
        "references logical id 'Typo' (Fn::GetAtt needs a resource), which is not in this stack's template"
    );
}

#[test]
fn functions_in_parameters_and_mappings_are_errors() {
    use rcdk_core::{Mapping, Parameter};
    let q = RawResource::new("AWS::SQS::Queue");
    let p = Parameter::<String>::new().default(q.ref_::<String>());
    let m = Mapping::new().entry("a", "b", fns::region());
    let mut app = App::new().with(Stack::new("S").with("Q", q).with("P", p).with("M", m));
    let e = common::synth_err(&mut app);
    assert_eq!(e.0.len(), 2, "{e}");
    assert_eq!(e.0[0].path, "S/P");
    assert_eq!(
        e.0[0].message,
        "a parameter's Default and AllowedValues must be literal values"
    );
    assert_eq!(e.0[1].path, "S/M");
    assert_eq!(e.0[1].message, "mapping values must be literal values");
}

#[test]
fn skip_check_writes_checkov_metadata_next_to_other_metadata() {
    let q = RawResource::new("AWS::SQS::Queue")
        .override_logical_id("Q")
        .metadata("Owner", "team-a")
        .skip_check("CKV_AWS_27", "first reason")
        .skip_check("CKV_AWS_158", "log group reason")
        // The same id again replaces the reason instead of listing the check twice.
        .skip_check("CKV_AWS_27", "encrypted with SQS-managed keys");
    let t = synth(Stack::new("S").with("Q", q));
    assert_eq!(
        t["Resources"]["Q"]["Metadata"],
        json!({
            "Owner": "team-a",
            "checkov": {"skip": [
                {"id": "CKV_AWS_27", "comment": "encrypted with SQS-managed keys"},
                {"id": "CKV_AWS_158", "comment": "log group reason"}
            ]}
        })
    );
}

fn task_definition() -> RawResource {
    RawResource::new("AWS::ECS::TaskDefinition")
        .override_logical_id("Task")
        .prop(
            "ContainerDefinitions",
            json!([
                {"Name": "web", "Command": ["serve"]},
                {"Name": "worker", "Command": ["work"], "Essential": false}
            ]),
        )
}

fn synth_errors(stack: Stack) -> rcdk_core::SynthErrors {
    let mut app = App::new().with(stack);
    app.synth().unwrap_err()
}

#[test]
fn numeric_segments_index_into_lists() {
    let mut task = task_definition()
        .add_override(
            "Properties.ContainerDefinitions.0.Command",
            vec!["serve", "--port", "80"],
        )
        .add_override("Properties.ContainerDefinitions.1.Command.0", "drain");
    task.core_mut()
        .add_deletion_override("Properties.ContainerDefinitions.1.Essential");
    let t = synth(Stack::new("S").with("Task", task));
    assert_eq!(
        t["Resources"]["Task"]["Properties"]["ContainerDefinitions"],
        json!([
            {"Name": "web", "Command": ["serve", "--port", "80"]},
            {"Name": "worker", "Command": ["drain"]}
        ])
    );
}

#[test]
fn deletion_override_removes_a_list_item() {
    let mut task = task_definition();
    task.core_mut()
        .add_deletion_override("Properties.ContainerDefinitions.0");
    let t = synth(Stack::new("S").with("Task", task));
    assert_eq!(
        t["Resources"]["Task"]["Properties"]["ContainerDefinitions"],
        json!([{"Name": "worker", "Command": ["work"], "Essential": false}])
    );
}

#[test]
fn index_out_of_range_is_an_error_naming_path_and_override() {
    let task = task_definition().add_override("Properties.ContainerDefinitions.2.Command", "x");
    let e = synth_errors(Stack::new("S").with("Task", task));
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].path, "S/Task");
    assert_eq!(
        e.0[0].message,
        "override of 'Properties.ContainerDefinitions.2.Command': index 2 is out of range: \
         'Properties.ContainerDefinitions' is a list of 2 items"
    );
}

#[test]
fn deletion_override_out_of_range_is_an_error() {
    let mut task = task_definition();
    task.core_mut()
        .add_deletion_override("Properties.ContainerDefinitions.5");
    let e = synth_errors(Stack::new("S").with("Task", task));
    assert_eq!(e.0[0].path, "S/Task");
    assert!(
        e.0[0].message.starts_with(
            "deletion override of 'Properties.ContainerDefinitions.5': index 5 is out of range"
        ),
        "{e}"
    );
}

#[test]
fn a_name_into_a_list_is_an_error() {
    let task = task_definition().add_override("Properties.ContainerDefinitions.Command", "x");
    let e = synth_errors(Stack::new("S").with("Task", task));
    assert!(
        e.0[0].message.contains(
            "'Properties.ContainerDefinitions' is a list, so the next segment must be an index (0 to 1), not 'Command'"
        ),
        "{e}"
    );
}

#[test]
fn an_index_where_no_list_is_set_is_an_error_not_a_map() {
    let q = RawResource::new("AWS::SQS::Queue")
        .prop("DelaySeconds", 5)
        .add_override("Properties.Missing.0.Name", "x")
        .add_override("Properties.DelaySeconds.0", 1);
    let e = synth_errors(Stack::new("S").with("Q", q));
    let messages: Vec<&str> = e.0.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "override of 'Properties.Missing.0.Name': index 0 needs a list at 'Properties.Missing', but nothing is there",
            "override of 'Properties.DelaySeconds.0': index 0 needs a list at 'Properties.DelaySeconds', but a scalar is there",
        ]
    );
    assert!(e.0.iter().all(|e| e.path == "S/Q"));
}
