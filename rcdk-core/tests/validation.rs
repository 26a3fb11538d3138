//! Validation before anything is written: CloudFormation's quotas, template size, stack names,
//! empty stacks. Each bad input is checked with its message.

mod common;

use rcdk_core::construct::Level;
use rcdk_core::{App, Mapping, Output, Parameter, RawResource, Stack};

fn queue() -> RawResource {
    RawResource::new("AWS::SQS::Queue")
}

/// A stack with one queue plus `n` elements made by `make`.
fn stack_of<C: rcdk_core::Construct + 'static>(n: usize, make: impl Fn() -> C) -> Stack {
    let mut stack = Stack::new("S");
    stack.add("Base", queue());
    for i in 0..n {
        stack.add(format!("E{i}"), make());
    }
    stack
}

fn only_error(app: &mut App) -> rcdk_core::SynthError {
    let e = common::synth_err(app);
    assert_eq!(e.0.len(), 1, "{e}");
    e.0.into_iter().next().unwrap()
}

#[test]
fn five_hundred_resources_pass_and_501_fail() {
    let mut app = App::new().with(stack_of(499, queue));
    assert_eq!(
        app.synth().unwrap().stacks[0].template_json()["Resources"]
            .as_object()
            .unwrap()
            .len(),
        500
    );
    let mut app = App::new().with(stack_of(500, queue));
    let e = only_error(&mut app);
    assert_eq!(e.path, "S");
    assert_eq!(
        e.message,
        "the template has 501 Resources, CloudFormation allows 500"
    );
    assert_eq!(
        e.hint.as_deref(),
        Some("split the stack into several stacks")
    );
}

#[test]
fn two_hundred_and_one_parameters_fail() {
    let mut app = App::new().with(stack_of(201, Parameter::<String>::new));
    let e = only_error(&mut app);
    assert_eq!(
        e.message,
        "the template has 201 Parameters, CloudFormation allows 200"
    );
    let mut app = App::new().with(stack_of(200, Parameter::<String>::new));
    assert!(app.synth().is_ok());
}

#[test]
fn two_hundred_and_one_outputs_fail() {
    let mut app = App::new().with(stack_of(201, || Output::new("x")));
    let e = only_error(&mut app);
    assert_eq!(
        e.message,
        "the template has 201 Outputs, CloudFormation allows 200"
    );
}

#[test]
fn generated_exports_count_towards_the_output_quota() {
    // 200 outputs of its own plus one export for a reference from another stack.
    let jobs = queue();
    let user = queue().prop("Arn", jobs.get_att::<String>("Arn"));
    let mut producer = stack_of(200, || Output::new("x"));
    producer.add("Jobs", jobs);
    let mut app = App::new()
        .with(producer)
        .with(Stack::new("B").with("User", user));
    let e = only_error(&mut app);
    assert_eq!(e.path, "S");
    assert_eq!(
        e.message,
        "the template has 201 Outputs, CloudFormation allows 200"
    );
}

#[test]
fn two_hundred_and_one_mappings_fail() {
    let mut app = App::new().with(stack_of(201, || Mapping::new().entry("a", "b", "c")));
    let e = only_error(&mut app);
    assert_eq!(
        e.message,
        "the template has 201 Mappings, CloudFormation allows 200"
    );
}

#[test]
fn template_over_the_inline_limit_is_a_note_and_still_synthesizes() {
    let big = "x".repeat(60_000);
    let mut app = App::new().with(Stack::new("S").with("Q", queue().prop("Big", big)));
    let assembly = app.synth().expect("still synthesizes");
    let size = assembly.stacks[0].text.len();
    assert!(size > 51_200);
    let (path, note) = &assembly.annotations[0];
    assert_eq!(path, "S");
    assert_eq!(note.level, Level::Info);
    assert_eq!(
        note.message,
        format!("template is {size} bytes, over CloudFormation's 51,200-byte inline limit: deploy uploads it to the staging bucket of `cargo rcdk bootstrap`")
    );
    // Just under the limit: no note.
    let mut app =
        App::new().with(Stack::new("S").with("Q", queue().prop("Big", "x".repeat(50_000))));
    assert!(app.synth().unwrap().annotations.is_empty());
}

#[test]
fn template_over_one_megabyte_is_an_error() {
    let mut app =
        App::new().with(Stack::new("S").with("Q", queue().prop("Big", "x".repeat(1_000_000))));
    let e = only_error(&mut app);
    assert_eq!(e.path, "S");
    assert!(
        e.message.starts_with("the template is 1000")
            && e.message
                .ends_with(" bytes; CloudFormation accepts at most 1,000,000 bytes even from S3"),
        "{}",
        e.message
    );
}

#[test]
fn invalid_stack_names_are_errors() {
    for name in ["1stack", "my_stack", "", &"S".repeat(129)] {
        let mut app = App::new().with(Stack::new("S").stack_name(name).with("Q", queue()));
        let e = only_error(&mut app);
        assert_eq!(e.path, "S");
        assert_eq!(
            e.message,
            format!("'{name}' is not a valid CloudFormation stack name")
        );
        assert_eq!(
            e.hint.as_deref(),
            Some("start with a letter; use letters, digits and '-' only; at most 128 characters")
        );
    }
    // The construct id is the stack name unless one is given.
    let mut app = App::new().with(Stack::new("my stack").with("Q", queue()));
    assert_eq!(
        only_error(&mut app).message,
        "'my stack' is not a valid CloudFormation stack name"
    );
    let mut app = App::new().with(
        Stack::new("Ok-1")
            .stack_name("S".repeat(128))
            .with("Q", queue()),
    );
    assert!(app.synth().is_ok());
}

#[test]
fn duplicate_stack_ids_and_names_are_errors() {
    let mut app = App::new()
        .with(Stack::new("S").with("Q", queue()))
        .with(Stack::new("S").with("Q", queue()));
    assert_eq!(only_error(&mut app).message, "duplicate stack id 'S'");
    let mut app = App::new()
        .with(Stack::new("A").stack_name("Same").with("Q", queue()))
        .with(Stack::new("B").stack_name("Same").with("Q", queue()));
    let e = only_error(&mut app);
    assert_eq!(e.path, "B");
    assert_eq!(e.message, "stack 'A' also deploys as stack name 'Same'");
}

#[test]
fn empty_stack_and_empty_app_are_errors() {
    let mut app = App::new().with(Stack::new("S").with("P", Parameter::<String>::new()));
    let e = only_error(&mut app);
    assert_eq!(e.path, "S");
    assert_eq!(
        e.message,
        "the stack has no resources (CloudFormation requires at least one)"
    );
    let mut app = App::new();
    let e = only_error(&mut app);
    assert_eq!(e.path, "App");
    assert_eq!(e.message, "the app has no stacks");
}

#[test]
fn every_error_is_reported_at_once() {
    let mut app = App::new()
        .with(Stack::new("A"))
        .with(Stack::new("B").with("Q", queue().prop("R", queue().ref_::<String>())));
    let e = common::synth_err(&mut app);
    let text = e.to_string();
    assert!(
        text.starts_with("synthesis failed with 2 errors:\n"),
        "{text}"
    );
    assert!(
        text.contains("error at A: the stack has no resources"),
        "{text}"
    );
    assert!(
        text.contains("error at B/Q: references a resource that is not part of the app\n  hint: "),
        "{text}"
    );
}

#[test]
fn other_sections_are_written_and_standard_ones_refused() {
    let rules = serde_json::json!({"R": {"Assertions": [{"Assert": {"Fn::Equals": ["a", "a"]}}]}});
    let stack = stack_of(0, queue).section("Rules", rules.clone());
    let mut app = App::new().with(stack);
    let t = app.synth().unwrap().stacks[0].template_json();
    assert_eq!(t["Rules"], rules);

    let stack = stack_of(0, queue).section("Resources", serde_json::json!({}));
    let mut app = App::new().with(stack);
    let e = only_error(&mut app);
    assert_eq!(e.path, "S");
    assert_eq!(
        e.message,
        "Stack::section(\"Resources\", ..): Resources is built from the construct tree"
    );
}
