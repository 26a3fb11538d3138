//! Tree-wide operations on users' derived constructs: tags applied to a subtree reach every
//! taggable resource below it and no other, and aspects read, change and reject resources,
//! reporting at the construct's path.

use rcdk_core::assertions::{Match, Template};
use rcdk_core::{tag_subtree, App, Aspect, AspectNode, RawResource, Resource, Stack, Tags};
use rcdk_macros::Construct;
use serde_json::json;

#[derive(Construct)]
struct Worker {
    topic: RawResource,
    subscription: RawResource,
}

#[derive(Construct)]
struct Service {
    queue: RawResource,
    queue_policy: RawResource,
    workers: Vec<Worker>,
    alarm: Option<RawResource>,
}

#[derive(Construct)]
struct Platform {
    orders: Service,
    #[construct(id = "Audit")]
    audit_log: RawResource,
}

fn platform() -> Platform {
    let worker = || Worker {
        topic: RawResource::new("AWS::SNS::Topic"),
        subscription: RawResource::untaggable("AWS::SNS::Subscription"),
    };
    Platform {
        orders: Service {
            queue: RawResource::new("AWS::SQS::Queue"),
            queue_policy: RawResource::untaggable("AWS::SQS::QueuePolicy")
                .prop("Queues", json!(["q"])),
            workers: vec![worker(), worker()],
            alarm: Some(RawResource::new("AWS::CloudWatch::Alarm")),
        },
        audit_log: RawResource::new("AWS::Logs::LogGroup"),
    }
}

const TAGGABLE: [&str; 4] = [
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::CloudWatch::Alarm",
    "AWS::Logs::LogGroup",
];
const UNTAGGABLE: [&str; 2] = ["AWS::SQS::QueuePolicy", "AWS::SNS::Subscription"];

fn assert_tagged_below_only(t: &Template, key: &str) {
    let tagged = json!({"Tags": Match::array_with(json!([{"Key": key, "Value": "orders"}]))});
    for ty in TAGGABLE {
        let all = t.find_resources(ty, json!({})).len();
        let with = t
            .find_resources(ty, json!({ "Properties": tagged.clone() }))
            .len();
        assert_eq!(
            (ty, with),
            (ty, all),
            "every {ty} below the construct is tagged"
        );
    }
    for ty in UNTAGGABLE {
        t.assert_resource_properties_count_is(ty, json!({"Tags": Match::any_value()}), 0);
    }
    // The sibling outside the construct is left alone.
    t.assert_has_resource("AWS::S3::Bucket", json!({"Properties": Match::absent()}));
}

#[test]
fn tag_at_the_top_of_a_derived_construct_reaches_taggable_resources_only() {
    let mut p = platform();
    let count = tag_subtree(&mut p, "team", "orders");
    assert_eq!(count, 5, "queue, two topics, alarm and log group");
    let mut app = App::new();
    app.add(
        Stack::new("Prod")
            .with("Platform", p)
            .with("Outside", RawResource::new("AWS::S3::Bucket")),
    );
    let t = Template::synth(&mut app, "Prod").unwrap();
    assert_tagged_below_only(&t, "team");
    t.assert_resource_count_is("AWS::SNS::Topic", 2);
}

#[test]
fn tags_aspect_limited_to_a_subtree() {
    let mut app = App::new();
    app.add(
        Stack::new("Prod")
            .with("Platform", platform())
            .with("Outside", RawResource::new("AWS::S3::Bucket"))
            .aspect(
                Tags::new()
                    .under("Prod/Platform")
                    .add("cost-center", "orders"),
            ),
    );
    let t = Template::synth(&mut app, "Prod").unwrap();
    assert_tagged_below_only(&t, "cost-center");
}

/// Requires a visibility timeout on every queue, and sets a default retention on log groups.
struct QueuePolicy;

impl Aspect for QueuePolicy {
    fn visit(&mut self, node: &mut AspectNode<'_>) {
        let Some(resource) = node.resource() else {
            return;
        };
        match resource.type_name() {
            "AWS::SQS::Queue" if resource.props.get("VisibilityTimeout").is_none() => {
                node.error("queues must set VisibilityTimeout (the consumers' processing time)")
            }
            "AWS::Logs::LogGroup" => {
                resource.set("RetentionInDays", 30);
                node.warning("retention set to 30 days by policy");
            }
            _ => {}
        }
    }
}

#[test]
fn aspect_fails_synthesis_naming_the_path() {
    let mut app = App::new();
    app.add(
        Stack::new("Prod")
            .with("Platform", platform())
            .aspect(QueuePolicy),
    );
    let err = app.synth().unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    assert_eq!(err.0[0].path, "Prod/Platform/Orders/Queue");
    assert_eq!(
        err.to_string(),
        "synthesis failed with 1 error:\nerror at Prod/Platform/Orders/Queue: queues must set VisibilityTimeout (the consumers' processing time)\n"
    );
}

#[test]
fn aspect_changes_resources_and_warns() {
    let mut p = platform();
    // Fields stay reachable after construction: fix the queue the aspect would reject.
    p.orders.queue.core_mut().set("VisibilityTimeout", 60);
    let mut app = App::new();
    app.aspect(QueuePolicy);
    app.add(Stack::new("Prod").with("Platform", p));
    let assembly = app.synth().unwrap();
    let t = Template::from_stack(&assembly, "Prod").unwrap();
    t.assert_has_resource_properties("AWS::Logs::LogGroup", json!({"RetentionInDays": 30}));
    let warnings: Vec<&str> = assembly
        .annotations
        .iter()
        .map(|(path, _)| path.as_str())
        .collect();
    assert_eq!(warnings, ["Prod/Platform/Audit"]);
}

#[test]
fn tags_take_parameters_and_functions_as_values() {
    let env = rcdk_core::Parameter::<String>::new().logical_id("Env");
    let mut app = App::new();
    app.add(
        Stack::new("Prod")
            .with(
                "Queue",
                RawResource::new("AWS::SQS::Queue").override_logical_id("Queue"),
            )
            .aspect(
                Tags::new()
                    .add("env", env.value())
                    .add("name", rcdk_core::fns::sub_plain("${AWS::StackName}-queue"))
                    .add("team", "orders"),
            )
            .with("Env", env),
    );
    let t = Template::synth(&mut app, "Prod").unwrap();
    assert_eq!(
        t.to_json()["Resources"]["Queue"]["Properties"]["Tags"],
        json!([
            {"Key": "env", "Value": {"Ref": "Env"}},
            {"Key": "name", "Value": {"Fn::Sub": "${AWS::StackName}-queue"}},
            {"Key": "team", "Value": "orders"}
        ])
    );
}

#[test]
fn tag_subtree_replaces_a_tag_with_a_function_value() {
    let mut p = platform();
    tag_subtree(&mut p, "team", "first");
    let count = tag_subtree(
        &mut p,
        "team",
        rcdk_core::fns::sub_plain("${AWS::Region}-orders"),
    );
    assert_eq!(count, 5);
    let mut app = App::new();
    app.add(Stack::new("Prod").with("Platform", p));
    let t = Template::synth(&mut app, "Prod").unwrap();
    t.assert_resource_properties_count_is(
        "AWS::SNS::Topic",
        json!({"Tags": [{"Key": "team", "Value": {"Fn::Sub": "${AWS::Region}-orders"}}]}),
        2,
    );
}

#[test]
fn for_type_visits_every_node_of_that_rust_type() {
    use rcdk_core::aspect::for_type;
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let record = seen.clone();
    let mut app = App::new();
    app.add(
        Stack::new("Prod")
            .with("Platform", platform())
            .aspect(for_type(move |w: &mut Worker, ctx| {
                record.borrow_mut().push(ctx.path().to_string());
                w.topic.core_mut().set("DisplayName", "worker");
            })),
    );
    let t = Template::synth(&mut app, "Prod").unwrap();
    let visited = seen.borrow().clone();
    assert_eq!(
        visited,
        [
            "Prod/Platform/Orders/Workers1",
            "Prod/Platform/Orders/Workers2"
        ]
    );
    t.assert_resource_properties_count_is("AWS::SNS::Topic", json!({"DisplayName": "worker"}), 2);
}

#[test]
fn for_type_reports_at_the_node_path() {
    use rcdk_core::aspect::for_type;
    let mut app = App::new();
    app.add(
        Stack::new("Prod")
            .with("Platform", platform())
            .aspect(for_type(|r: &mut RawResource, ctx| {
                if r.core().type_name() == "AWS::SQS::Queue" {
                    ctx.error("queues need an owner tag");
                }
            })),
    );
    let err = app.synth().unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    assert_eq!(err.0[0].path, "Prod/Platform/Orders/Queue");
    assert_eq!(err.0[0].message, "queues need an owner tag");
}

#[test]
fn for_cfn_type_selects_resources_by_cloudformation_type() {
    use rcdk_core::aspect::for_cfn_type;
    let mut app = App::new();
    app.add(
        Stack::new("Prod")
            .with("Platform", platform())
            .with("Outside", RawResource::new("AWS::S3::Bucket"))
            .aspect(for_cfn_type("AWS::SNS::Topic", |core, ctx| {
                core.set("TopicName", ctx.path().replace('/', "-"));
                ctx.warning("topic renamed");
            })),
    );
    let assembly = app.synth().unwrap();
    let t = Template::from_stack(&assembly, "Prod").unwrap();
    t.assert_has_resource_properties(
        "AWS::SNS::Topic",
        json!({"TopicName": "Prod-Platform-Orders-Workers1-Topic"}),
    );
    t.assert_resource_properties_count_is(
        "AWS::SNS::Topic",
        json!({"TopicName": Match::any_value()}),
        2,
    );
    t.assert_has_resource("AWS::S3::Bucket", json!({"Properties": Match::absent()}));
    let warned: Vec<&str> = assembly
        .annotations
        .iter()
        .map(|(p, _)| p.as_str())
        .collect();
    assert_eq!(
        warned,
        [
            "Prod/Platform/Orders/Workers1/Topic",
            "Prod/Platform/Orders/Workers2/Topic"
        ]
    );
}

#[test]
fn nodes_without_any_are_not_selected_by_type() {
    // A hand-written construct that keeps the default `as_any` is never matched.
    struct Opaque(RawResource);
    impl rcdk_core::Construct for Opaque {
        fn construct_type(&self) -> &str {
            "Opaque"
        }
        fn children_mut(&mut self) -> Vec<rcdk_core::ChildMut<'_>> {
            vec![rcdk_core::ChildMut {
                id: "Inner".into(),
                node: &mut self.0,
            }]
        }
        fn children(&self) -> Vec<rcdk_core::Child<'_>> {
            vec![rcdk_core::Child {
                id: "Inner".into(),
                node: &self.0,
            }]
        }
    }
    let count = std::rc::Rc::new(std::cell::Cell::new(0));
    let (opaque, inner) = (count.clone(), count.clone());
    let mut app = App::new();
    app.add(
        Stack::new("Prod")
            .with("O", Opaque(RawResource::new("AWS::SQS::Queue")))
            .aspect(rcdk_core::aspect::for_type(move |_: &mut Opaque, _ctx| {
                opaque.set(opaque.get() + 100)
            }))
            .aspect(rcdk_core::aspect::for_type(
                move |_: &mut RawResource, _ctx| inner.set(inner.get() + 1),
            )),
    );
    app.synth().unwrap();
    assert_eq!(count.get(), 1, "only the raw resource inside is matched");
}
