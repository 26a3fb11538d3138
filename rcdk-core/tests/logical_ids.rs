//! Logical ids: stable (pinned literals), readable, collision-free (property test), overridable,
//! and the errors for duplicate construct ids and duplicate logical ids.

mod common;

use proptest::prelude::*;
use rcdk_core::synth::logical_id::{is_valid, logical_id};
use rcdk_core::{App, Group, Output, Parameter, RawResource, Resource, Stack};

fn queue() -> RawResource {
    RawResource::new("AWS::SQS::Queue")
}

fn resource_ids(app: &mut App) -> Vec<String> {
    let assembly = app.synth().expect("synthesizes");
    let t = assembly.stacks[0].template_json();
    t["Resources"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[test]
fn ids_through_the_app_are_pinned_and_readable() {
    let mut app = App::new();
    app.add(
        Stack::new("S")
            .with("Env", Parameter::<String>::new())
            .with("Jobs", queue())
            .with(
                "Network",
                Group::new().with(
                    "Vpc",
                    RawResource::new("AWS::EC2::VPC").prop("CidrBlock", "10.0.0.0/16"),
                ),
            ),
    );
    // The stack id is not part of the logical id: moving a construct to another stack keeps it.
    assert_eq!(
        resource_ids(&mut app),
        ["Jobs2F17A0F8", "NetworkVpc7F237150"]
    );
    let t = app.synth().unwrap().stacks[0].template_json();
    // A parameter placed directly in its stack is named by its id (users type it).
    assert!(t["Parameters"].get("Env").is_some(), "{t}");
}

#[test]
fn synthesis_is_deterministic_across_runs() {
    let build = || {
        let jobs = queue();
        let mut app = App::new();
        app.add(
            Stack::new("S")
                .with("Dlq", queue().prop("Q", jobs.get_att::<String>("Arn")))
                .with("Jobs", jobs)
                .with("Out", Output::new(queue().ref_::<String>())),
        );
        app
    };
    // Output references a queue that is not added: an error, identical both times.
    let e1 = common::synth_err(&mut build()).to_string();
    let e2 = common::synth_err(&mut build()).to_string();
    assert_eq!(e1, e2);
    let good = || {
        let jobs = queue();
        let mut app = App::new();
        app.add(
            Stack::new("S")
                .with("Dlq", queue().prop("Q", jobs.get_att::<String>("Arn")))
                .with("Jobs", jobs),
        );
        app
    };
    let a = good().synth().unwrap().stacks[0].text.clone();
    let b = good().synth().unwrap().stacks[0].text.clone();
    assert_eq!(a, b);
}

#[test]
fn override_replaces_the_derived_id() {
    let mut app = App::new();
    app.add(Stack::new("S").with("Jobs", queue().override_logical_id("JobsQueue")));
    assert_eq!(resource_ids(&mut app), ["JobsQueue"]);
}

#[test]
fn duplicate_sibling_ids_are_an_error_naming_the_path() {
    let mut app = App::new();
    app.add(Stack::new("S").with("Net", Group::new().with("Q", queue()).with("Q", queue())));
    let e = common::synth_err(&mut app);
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].path, "S/Net/Q");
    assert_eq!(e.0[0].message, "duplicate construct id 'Q'");
    assert!(
        e.to_string().contains("ids must be unique among siblings"),
        "{e}"
    );
}

#[test]
fn invalid_construct_ids_are_errors() {
    let mut app = App::new();
    app.add(Stack::new("S").with("a/b", queue()).with("", queue()));
    let e = common::synth_err(&mut app);
    assert_eq!(e.0.len(), 2, "{e}");
    assert_eq!(e.0[0].path, "S/a/b");
    assert_eq!(e.0[0].message, "invalid construct id");
    assert_eq!(e.0[1].path, "S/");
}

#[test]
fn two_elements_with_the_same_forced_id_are_an_error() {
    let mut app = App::new();
    app.add(
        Stack::new("S")
            .with("A", queue().override_logical_id("Same"))
            .with("B", queue().override_logical_id("Same")),
    );
    let e = common::synth_err(&mut app);
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].path, "S/B");
    assert_eq!(e.0[0].message, "logical id 'Same' is also used by S/A");
}

#[test]
fn same_forced_id_in_two_sections_is_an_error() {
    // CloudFormation's logical ids are unique across the whole template, not per section.
    let mut app = App::new();
    app.add(
        Stack::new("S")
            .with("P", Parameter::<String>::new().logical_id("Same"))
            .with("A", queue().override_logical_id("Same"))
            .with("B", queue()),
    );
    let e = common::synth_err(&mut app);
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].path, "S/A");
    assert_eq!(e.0[0].message, "logical id 'Same' is also used by S/P");
}

#[test]
fn invalid_override_is_an_error() {
    let mut app = App::new();
    app.add(Stack::new("S").with("A", queue().override_logical_id("my-queue")));
    let e = common::synth_err(&mut app);
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].path, "S/A");
    assert_eq!(e.0[0].message, "'my-queue' is not a valid logical id");
    let long = "Q".repeat(256);
    let mut app = App::new();
    app.add(Stack::new("S").with("A", queue().override_logical_id(long.clone())));
    let e = common::synth_err(&mut app);
    assert_eq!(
        e.0[0].message,
        format!("'{long}' is not a valid logical id")
    );
}

fn component() -> impl Strategy<Value = String> {
    // Any text except '/', which separates path components.
    "[^/]{1,12}"
}

proptest! {
    #[test]
    fn different_paths_never_share_a_logical_id(
        a in prop::collection::vec(component(), 1..5),
        b in prop::collection::vec(component(), 1..5),
    ) {
        prop_assume!(a != b);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let b: Vec<&str> = b.iter().map(String::as_str).collect();
        prop_assert_ne!(logical_id(&a), logical_id(&b));
    }

    #[test]
    fn paths_that_read_alike_still_differ(
        a in prop::collection::vec("[A-Za-z0-9]{1,6}", 2..5),
    ) {
        // The same characters regrouped, or with punctuation added, read the same.
        let joined = a.concat();
        let dashed: Vec<String> = a.iter().map(|c| format!("{c}-")).collect();
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let dashed: Vec<&str> = dashed.iter().map(String::as_str).collect();
        let id = logical_id(&a);
        prop_assert_ne!(&id, &logical_id(&[joined.as_str()]));
        prop_assert_ne!(&id, &logical_id(&dashed));
    }

    #[test]
    fn ids_are_always_valid(path in prop::collection::vec(".{0,300}", 0..6)) {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let id = logical_id(&path);
        prop_assert!(is_valid(&id), "{id}");
        prop_assert!(id.len() <= 255);
        prop_assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
