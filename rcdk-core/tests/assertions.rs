//! The assertions API on a small app, including the text of its failure messages.

use rcdk_core::assertions::{Match, Template};
use rcdk_core::{
    fns, App, Condition, Group, Mapping, Output, Parameter, RawResource, Stack, Value,
};
use rcdk_macros::Construct;
use serde_json::json;

#[derive(Construct)]
struct Jobs {
    queue: RawResource,
    dead_letters: RawResource,
    #[construct(id = "Url")]
    url_output: Output,
}

fn template() -> Template {
    let dead_letters =
        RawResource::new("AWS::SQS::Queue").prop("MessageRetentionPeriod", 1_209_600);
    let queue = RawResource::new("AWS::SQS::Queue")
        .prop("VisibilityTimeout", 60)
        .prop("RedrivePolicy", json!({"maxReceiveCount": 5}))
        .prop(
            "Tags",
            json!([{"Key": "team", "Value": "orders"}, {"Key": "tier", "Value": "1"}]),
        );
    let url_output = Output::new(queue.ref_::<String>()).description("Queue URL");
    let jobs = Jobs {
        queue,
        dead_letters,
        url_output,
    };
    let env = Parameter::<String>::new().default("dev");
    let is_prod = Condition::new(fns::equals(env.value(), "prod")).logical_id("IsProd");
    let sizes = Mapping::new()
        .entry("dev", "Size", "small")
        .entry("prod", "Size", "large")
        .logical_id("Sizes");
    let mut app = App::new();
    app.add(
        Stack::new("Orders")
            .with("Env", env)
            .with("IsProd", is_prod)
            .with("Sizes", sizes)
            .with("Jobs", jobs)
            .with("Topic", RawResource::new("AWS::SNS::Topic"))
            .with(
                "Outputs",
                Group::new().with(
                    "TopicName",
                    Output::new(Value::str("fixed"))
                        .export(fns::sub_plain("${AWS::StackName}-Topic")),
                ),
            ),
    );
    Template::synth(&mut app, "Orders").expect("synthesizes")
}

#[test]
fn passing_queries() {
    let t = template();
    t.assert_resource_count_is("AWS::SQS::Queue", 2);
    t.assert_resource_count_is("AWS::Lambda::Function", 0);
    t.assert_has_resource_properties("AWS::SQS::Queue", json!({"VisibilityTimeout": 60}));
    t.assert_has_resource_properties(
        "AWS::SQS::Queue",
        json!({
            "RedrivePolicy": {"maxReceiveCount": 5},
            "Tags": Match::array_with(json!([{"Key": "tier"}])),
            "FifoQueue": Match::absent(),
            "VisibilityTimeout": Match::not(json!(30)),
        }),
    );
    t.assert_has_resource_properties(
        "AWS::SQS::Queue",
        json!({"Tags": [{"Key": Match::string_like_regexp("^te")}, {"Value": Match::any_value()}]}),
    );
    t.assert_has_resource("AWS::SNS::Topic", json!({"Properties": Match::absent()}));
    t.assert_resource_properties_count_is(
        "AWS::SQS::Queue",
        json!({"MessageRetentionPeriod": Match::any_value()}),
        1,
    );
    let found = t.find_resources(
        "AWS::SQS::Queue",
        json!({"Properties": {"VisibilityTimeout": 60}}),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "JobsQueue8DA7C55C");
    assert_eq!(found[0].1["Properties"]["VisibilityTimeout"], 60);
    t.assert_has_output(
        "JobsUrl99BCFB7A",
        json!({"Value": {"Ref": "JobsQueue8DA7C55C"}, "Description": "Queue URL"}),
    );
    t.assert_has_output(
        "*",
        json!({"Export": {"Name": {"Fn::Sub": "${AWS::StackName}-Topic"}}}),
    );
    assert_eq!(t.find_outputs("*", json!({})).len(), 2);
    t.assert_has_parameter("Env", json!({"Type": "String", "Default": "dev"}));
    t.assert_has_condition("IsProd", json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]}));
    t.assert_has_mapping("Sizes", json!({"prod": {"Size": "large"}}));
    assert_eq!(
        t.find_mappings("*", json!({"dev": Match::any_value()}))
            .len(),
        1
    );
    assert!(t.find_conditions("Nope", json!({})).is_empty());
    assert_eq!(t.find_parameters("*", json!({"Type": "String"})).len(), 1);
}

#[test]
fn property_mismatch_names_closest_candidates() {
    let t = template();
    let err = t
        .has_resource_properties(
            "AWS::SQS::Queue",
            json!({"VisibilityTimeout": 30, "RedrivePolicy": {"maxReceiveCount": 5}}),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "stack 'Orders' has no AWS::SQS::Queue whose properties match\n  \
         pattern: {\"VisibilityTimeout\": 30, \"RedrivePolicy\": {\"maxReceiveCount\": 5}}\n\
         2 resource(s) of that type; closest:\n  \
         JobsQueue8DA7C55C (Orders/Jobs/Queue): VisibilityTimeout: expected 30, found 60\n  \
         JobsDeadLetters2D35A8D3 (Orders/Jobs/DeadLetters): VisibilityTimeout: expected 30, found absent (and 1 more difference(s))"
    );
}

#[test]
fn array_length_mismatch_points_to_array_with() {
    let t = template();
    let err = t
        .has_resource_properties("AWS::SQS::Queue", json!({"Tags": [{"Key": "team"}]}))
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("JobsQueue8DA7C55C (Orders/Jobs/Queue): Tags: expected an array of 1 item(s) (Match::array_with matches a subset), found 2 item(s)"),
        "{text}"
    );
    let err = t
        .has_resource_properties(
            "AWS::SQS::Queue",
            json!({"Tags": Match::array_with(json!([{"Key": "tier"}, {"Key": "team"}]))}),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Tags: expected an array with {\"Key\": \"team\"} (in order)"),
        "{err}"
    );
}

#[test]
fn missing_type_lists_types_present() {
    let err = template()
        .has_resource_properties("AWS::Lambda::Function", json!({}))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "stack 'Orders' has no resource of type AWS::Lambda::Function (looked for one whose properties match {})\n\
         types present: AWS::SQS::Queue (2), AWS::SNS::Topic (1)"
    );
}

#[test]
fn count_mismatch_lists_what_is_there() {
    let err = template()
        .resource_count_is("AWS::SQS::Queue", 3)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "stack 'Orders' has 2 resource(s) of type AWS::SQS::Queue, expected 3\n  \
         found: JobsQueue8DA7C55C (Orders/Jobs/Queue), JobsDeadLetters2D35A8D3 (Orders/Jobs/DeadLetters)"
    );
    let err = template()
        .resource_properties_count_is("AWS::SQS::Queue", json!({"VisibilityTimeout": 60}), 2)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("matching: JobsQueue8DA7C55C (Orders/Jobs/Queue)"),
        "{err}"
    );
}

#[test]
fn output_parameter_mapping_condition_failures() {
    let t = template();
    let err = t.has_output("Missing", json!({})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "stack 'Orders' has no output 'Missing'; it has: JobsUrl99BCFB7A, OutputsTopicName8C72CEEB"
    );
    let err = t
        .has_output("JobsUrl99BCFB7A", json!({"Description": "URL"}))
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "JobsUrl99BCFB7A (Orders/Jobs/Url): Description: expected \"URL\", found \"Queue URL\""
        ),
        "{err}"
    );
    let err = t
        .has_parameter("Env", json!({"Default": "prod"}))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Default: expected \"prod\", found \"dev\""),
        "{err}"
    );
    let err = t
        .has_mapping("Sizes", json!({"prod": {"Size": "small"}}))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("prod.Size: expected \"small\", found \"large\""),
        "{err}"
    );
    let err = t
        .has_condition("*", json!({"Fn::Not": Match::any_value()}))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("IsProd (Orders/IsProd): Fn::Not: expected any value, found absent"),
        "{err}"
    );
}

#[test]
#[should_panic(expected = "VisibilityTimeout: expected 30, found 60")]
fn assert_variant_panics_with_the_message() {
    template().assert_has_resource_properties("AWS::SQS::Queue", json!({"VisibilityTimeout": 30}));
}

#[test]
fn unknown_stack_and_failed_synthesis_are_errors() {
    let mut app = App::new();
    app.add(Stack::new("A").with("Q", RawResource::new("AWS::SQS::Queue")));
    let err = Template::synth(&mut app, "B").unwrap_err();
    assert_eq!(err.to_string(), "the assembly has no stack 'B'; it has: A");
    let err = Template::synth(&mut app, "A")
        .unwrap()
        .has_output("*", json!({}))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "stack 'A' has no outputs (looked for one matching {})"
    );
    let mut bad = App::new();
    bad.add(
        Stack::new("A")
            .with("Q", RawResource::new("AWS::SQS::Queue"))
            .with("Q", RawResource::new("AWS::SQS::Queue")),
    );
    let err = Template::synth(&mut bad, "A").unwrap_err();
    assert!(err.to_string().starts_with("synthesis failed:"), "{err}");
    assert!(
        err.to_string().contains("duplicate construct id 'Q'"),
        "{err}"
    );
}
