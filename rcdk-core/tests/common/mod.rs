//! Helpers shared by rcdk-core's integration tests.
#![allow(dead_code)]

use rcdk_core::synth::format;
use rcdk_core::{
    App, Condition, Format, Mapping, Parameter, RawResource, Resource, Stack, SynthErrors,
    SynthOptions, Value,
};

/// The elements a value under test can reference, with readable forced logical ids.
pub struct Fixture {
    /// `AWS::SQS::Queue`, logical id `Target`.
    pub target: RawResource,
    /// A `String` parameter placed directly in the stack as `Env` (logical id `Env`).
    pub env: Parameter<String>,
    /// A condition, logical id `IsProd`.
    pub is_prod: Condition,
    /// A mapping, logical id `RegionMap`.
    pub map: Mapping,
}

/// Synthesizes a stack whose resource `Subject` has property `P` = `make(&fixture)`, and returns
/// the synthesized property as JSON and as YAML text.
pub fn render(make: impl FnOnce(&Fixture) -> Value) -> (serde_json::Value, String) {
    let env = Parameter::<String>::new().default("dev");
    let fixture = Fixture {
        target: RawResource::new("AWS::SQS::Queue").override_logical_id("Target"),
        is_prod: Condition::new(rcdk_core::fns::equals(env.value(), "prod")).logical_id("IsProd"),
        env,
        map: Mapping::new()
            .entry("dev", "Size", 1)
            .logical_id("RegionMap"),
    };
    let value = make(&fixture);
    let subject = RawResource::new("AWS::SQS::Queue")
        .override_logical_id("Subject")
        .prop("P", value);
    let mut app = App::new();
    app.add(
        Stack::new("S")
            .with("Env", fixture.env)
            .with("IsProd", fixture.is_prod)
            .with("Map", fixture.map)
            .with("Target", fixture.target)
            .with("Subject", subject),
    );
    let assembly = app.synth().expect("synthesizes");
    let p = property(&assembly.stacks[0].template, "Subject", "P");
    (format::to_json(&p), format::yaml_text(&p).expect("YAML"))
}

/// `Resources.<resource>.Properties.<name>` of a synthesized template.
pub fn property(template: &Value, resource: &str, name: &str) -> Value {
    let resources = template.as_map().unwrap()["Resources"].as_map().unwrap();
    resources[resource].as_map().unwrap()["Properties"]
        .as_map()
        .unwrap()[name]
        .clone()
}

/// Synthesizes `app` in `format`, returning the errors.
pub fn synth_err(app: &mut App) -> SynthErrors {
    match app.synth() {
        Ok(_) => panic!("synthesis should have failed"),
        Err(e) => e,
    }
}

/// Synthesizes `app` in YAML.
pub fn synth_yaml(app: &mut App) -> rcdk_core::Assembly {
    app.synth_with(&SynthOptions {
        format: Format::Yaml,
        strict: false,
    })
    .expect("synthesizes")
}
