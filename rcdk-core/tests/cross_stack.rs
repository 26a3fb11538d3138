//! References between stacks: exports/imports, SSM parameters, list values, dependencies,
//! deployment order, cycles and references to constructs that are not in the app.

mod common;

use rcdk_core::{
    App, Condition, CrossStackStrategy, Output, Parameter, RawResource, Resource, Stack,
};
use serde_json::json;

fn queue() -> RawResource {
    RawResource::new("AWS::SQS::Queue")
}

/// Stack `A` holds queue `Jobs` (logical id `Jobs2F17A0F8`); stack `B` (added first, so the order
/// must come from the dependency) holds `User`, whose properties are built from the queue.
fn app_with(user: impl FnOnce(&RawResource) -> RawResource) -> App {
    let jobs = queue();
    let consumer = user(&jobs);
    App::new()
        .with(Stack::new("B").with("User", consumer))
        .with(Stack::new("A").with("Jobs", jobs))
}

fn template(assembly: &rcdk_core::Assembly, id: &str) -> serde_json::Value {
    assembly.stack(id).unwrap().template_json()
}

#[test]
fn export_and_import_with_dependency_and_order() {
    let mut app = app_with(|jobs| {
        queue()
            .prop("Arn", jobs.get_att::<String>("Arn"))
            .prop("Url", jobs.ref_::<String>())
            .prop("Again", jobs.get_att::<String>("Arn"))
    });
    let assembly = app.synth().unwrap();
    let a = template(&assembly, "A");
    assert_eq!(
        a["Outputs"],
        json!({
            "ExportJobs2F17A0F8Arn": {
                "Value": {"Fn::GetAtt": ["Jobs2F17A0F8", "Arn"]},
                "Export": {"Name": "A:Jobs2F17A0F8-Arn"}
            },
            "ExportJobs2F17A0F8": {
                "Value": {"Ref": "Jobs2F17A0F8"},
                "Export": {"Name": "A:Jobs2F17A0F8"}
            }
        })
    );
    let b = template(&assembly, "B");
    assert_eq!(
        b["Resources"]["UserB512D97E"]["Properties"],
        json!({
            "Arn": {"Fn::ImportValue": "A:Jobs2F17A0F8-Arn"},
            "Url": {"Fn::ImportValue": "A:Jobs2F17A0F8"},
            "Again": {"Fn::ImportValue": "A:Jobs2F17A0F8-Arn"}
        })
    );
    // Deployment order puts the producer first although it was added second.
    let ids: Vec<&str> = assembly.stacks.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["A", "B"]);
    let manifest = assembly.manifest();
    let stacks: Vec<(&String, &Vec<String>)> = manifest
        .artifacts
        .iter()
        .filter(|(_, a)| a.r#type == rcdk_core::cloud_assembly::ArtifactType::Stack)
        .map(|(id, a)| (id, &a.dependencies))
        .collect();
    assert_eq!(stacks[0].0, "A");
    assert_eq!(stacks[0].1, &["A.assets"]);
    assert_eq!(stacks[1].0, "B");
    assert_eq!(stacks[1].1, &["A", "B.assets"]);
}

#[test]
fn list_values_are_joined_and_split() {
    let mut app =
        app_with(|jobs| queue().prop("Zones", jobs.core().get_att_list::<String>("Zones")));
    let assembly = app.synth().unwrap();
    assert_eq!(
        template(&assembly, "A")["Outputs"]["ExportJobs2F17A0F8Zones"]["Value"],
        json!({"Fn::Join": [",", {"Fn::GetAtt": ["Jobs2F17A0F8", "Zones"]}]})
    );
    assert_eq!(
        template(&assembly, "B")["Resources"]["UserB512D97E"]["Properties"]["Zones"],
        json!({"Fn::Split": [",", {"Fn::ImportValue": "A:Jobs2F17A0F8-Zones"}]})
    );
}

#[test]
fn ssm_strategy_for_the_whole_app() {
    let mut app = app_with(|jobs| queue().prop("Arn", jobs.get_att::<String>("Arn")));
    app.set_cross_stack_strategy(CrossStackStrategy::SsmParameter);
    assert_eq!(app.cross_stack_strategy(), CrossStackStrategy::SsmParameter);
    let assembly = app.synth().unwrap();
    let a = template(&assembly, "A");
    assert!(a.get("Outputs").is_none(), "no export: {a}");
    assert_eq!(
        a["Resources"]["SsmExportJobs2F17A0F8Arn"],
        json!({
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": "/cdk/A/Jobs2F17A0F8/Arn",
                "Type": "String",
                "Value": {"Fn::GetAtt": ["Jobs2F17A0F8", "Arn"]},
                "Description": "Written by the Rust CDK for a cross-stack reference; read by the consuming stack"
            }
        })
    );
    let b = template(&assembly, "B");
    assert_eq!(
        b["Parameters"]["SsmImportAJobs2F17A0F8Arn"],
        json!({
            "Type": "AWS::SSM::Parameter::Value<String>",
            "Default": "/cdk/A/Jobs2F17A0F8/Arn",
            "Description": "Cross-stack reference read from SSM Parameter Store (written by the producing stack)"
        })
    );
    assert_eq!(
        b["Resources"]["UserB512D97E"]["Properties"]["Arn"],
        json!({"Ref": "SsmImportAJobs2F17A0F8Arn"})
    );
    assert_eq!(assembly.stack("B").unwrap().dependencies, ["A"]);
}

#[test]
fn ssm_strategy_per_reference_beside_exports() {
    let mut app = app_with(|jobs| {
        queue()
            .prop(
                "ViaSsm",
                jobs.get_att::<String>("Arn")
                    .cross_stack(CrossStackStrategy::SsmParameter),
            )
            .prop("ViaExport", jobs.get_att::<String>("Arn"))
            .prop(
                "Zones",
                jobs.core()
                    .get_att_list::<String>("Zones")
                    .cross_stack(CrossStackStrategy::SsmParameter),
            )
    });
    let assembly = app.synth().unwrap();
    let a = template(&assembly, "A");
    assert_eq!(
        a["Outputs"]["ExportJobs2F17A0F8Arn"]["Export"]["Name"],
        "A:Jobs2F17A0F8-Arn"
    );
    assert_eq!(
        a["Resources"]["SsmExportJobs2F17A0F8Arn"]["Type"],
        "AWS::SSM::Parameter"
    );
    // A list travels as a StringList and comes back as a list parameter.
    assert_eq!(
        a["Resources"]["SsmExportJobs2F17A0F8Zones"]["Properties"]["Type"],
        "StringList"
    );
    assert_eq!(
        a["Resources"]["SsmExportJobs2F17A0F8Zones"]["Properties"]["Value"],
        json!({"Fn::Join": [",", {"Fn::GetAtt": ["Jobs2F17A0F8", "Zones"]}]})
    );
    let b = template(&assembly, "B");
    let props = &b["Resources"]["UserB512D97E"]["Properties"];
    assert_eq!(props["ViaSsm"], json!({"Ref": "SsmImportAJobs2F17A0F8Arn"}));
    assert_eq!(
        props["ViaExport"],
        json!({"Fn::ImportValue": "A:Jobs2F17A0F8-Arn"})
    );
    assert_eq!(
        props["Zones"],
        json!({"Ref": "SsmImportAJobs2F17A0F8Zones"})
    );
    assert_eq!(
        b["Parameters"]["SsmImportAJobs2F17A0F8Zones"]["Type"],
        "AWS::SSM::Parameter::Value<List<String>>"
    );
}

#[test]
fn per_reference_strategy_inside_a_stack_changes_nothing() {
    let jobs = queue();
    let user = queue().prop(
        "Arn",
        jobs.get_att::<String>("Arn")
            .cross_stack(CrossStackStrategy::SsmParameter),
    );
    let mut app = App::new().with(Stack::new("A").with("Jobs", jobs).with("User", user));
    let t = app.synth().unwrap().stacks[0].template_json();
    assert_eq!(
        t["Resources"]["UserB512D97E"]["Properties"]["Arn"],
        json!({"Fn::GetAtt": ["Jobs2F17A0F8", "Arn"]})
    );
    assert_eq!(t["Resources"].as_object().unwrap().len(), 2, "{t}");
}

#[test]
fn cycle_between_stacks_names_both_stacks_and_paths() {
    let x = queue();
    let y = queue().prop("X", x.get_att::<String>("Arn"));
    let x = x.prop("Y", y.get_att::<String>("Arn"));
    let mut app = App::new()
        .with(Stack::new("A").with("X", x))
        .with(Stack::new("B").with("Y", y));
    let e = common::synth_err(&mut app);
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].path, "A");
    assert_eq!(
        e.0[0].message,
        "stacks depend on each other: stack 'A' depends on 'B' because A/X references B/Y; \
         stack 'B' depends on 'A' because B/Y references A/X"
    );
    assert!(e.0[0]
        .hint
        .as_deref()
        .unwrap()
        .contains("move one of the referenced resources"));
}

#[test]
fn declared_dependency_cycle_and_unknown_dependency() {
    let mut app = App::new()
        .with(Stack::new("A").with("Q", queue()).depends_on("B"))
        .with(Stack::new("B").with("Q", queue()).depends_on("A"));
    let e = common::synth_err(&mut app);
    assert_eq!(
        e.0[0].message,
        "stacks depend on each other: stack 'A' depends on 'B' (declared); stack 'B' depends on 'A' (declared)"
    );
    let mut app = App::new().with(Stack::new("A").with("Q", queue()).depends_on("Nope"));
    let e = common::synth_err(&mut app);
    assert_eq!(e.0[0].path, "A");
    assert_eq!(
        e.0[0].message,
        "depends on stack 'Nope', which is not in the app"
    );
}

#[test]
fn reference_to_a_resource_not_in_the_app_is_an_error() {
    let orphan = queue();
    let mut app = App::new().with(
        Stack::new("S")
            .with("User", queue().prop("Arn", orphan.get_att::<String>("Arn")))
            .with("Out", Output::new(orphan.ref_::<String>())),
    );
    let e = common::synth_err(&mut app);
    assert_eq!(e.0.len(), 2, "{e}");
    assert_eq!(e.0[0].path, "S/User");
    assert_eq!(
        e.0[0].message,
        "references a resource that is not part of the app"
    );
    assert_eq!(e.0[1].path, "S/Out");
    assert!(e.0[0]
        .hint
        .as_deref()
        .unwrap()
        .contains("it was created but never added"));
}

#[test]
fn depends_on_another_stack_becomes_a_stack_dependency() {
    let jobs = queue();
    let user = queue().depends_on(&jobs);
    let mut app = App::new()
        .with(Stack::new("B").with("User", user))
        .with(Stack::new("A").with("Jobs", jobs));
    let assembly = app.synth().unwrap();
    let b = template(&assembly, "B");
    assert!(
        b["Resources"]["UserB512D97E"].get("DependsOn").is_none(),
        "{b}"
    );
    assert_eq!(assembly.stack("B").unwrap().dependencies, ["A"]);
    assert_eq!(assembly.stacks[0].id, "A");
}

#[test]
fn depends_on_a_parameter_is_an_error() {
    let env = Parameter::<String>::new();
    let user = queue().depends_on(&env);
    let mut app = App::new().with(Stack::new("S").with("Env", env).with("User", user));
    let e = common::synth_err(&mut app);
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].path, "S/User");
    assert_eq!(e.0[0].message, "depends on S/Env, which is not a resource");
}

#[test]
fn condition_of_another_stack_is_an_error() {
    let env = Parameter::<String>::new();
    let is_prod = Condition::new(rcdk_core::fns::equals(env.value(), "prod"));
    let user = queue().condition(&is_prod);
    let out = Output::new("x").condition(&is_prod);
    let mut app = App::new()
        .with(
            Stack::new("A")
                .with("Env", env)
                .with("IsProd", is_prod)
                .with("Q", queue()),
        )
        .with(Stack::new("B").with("User", user).with("Out", out));
    let e = common::synth_err(&mut app);
    assert_eq!(e.0.len(), 2, "{e}");
    assert_eq!(e.0[0].path, "B/User");
    assert_eq!(
        e.0[0].message,
        "uses the condition at A/IsProd, which is in another stack"
    );
    assert_eq!(e.0[1].path, "B/Out");
}

#[test]
fn duplicate_export_names_are_an_error() {
    let mut app = App::new()
        .with(
            Stack::new("A")
                .with("Q", queue())
                .with("Out", Output::new("x").export("Shared")),
        )
        .with(
            Stack::new("B")
                .with("Q", queue())
                .with("Out", Output::new("y").export("Shared")),
        );
    let e = common::synth_err(&mut app);
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].path, "B/Out");
    assert_eq!(
        e.0[0].message,
        "export name 'Shared' is also exported by A/Out"
    );
}

/// Stack `A` in `a_env` holds the queue; stack `B` in `b_env` uses it (`None`: agnostic).
fn app_in(a_env: Option<(&str, &str)>, b_env: Option<(&str, &str)>) -> App {
    let jobs = queue();
    let user = queue()
        .prop("Arn", jobs.get_att::<String>("Arn"))
        .prop("Url", jobs.ref_::<String>())
        .prop("Zones", jobs.core().get_att_list::<String>("Zones"))
        .prop("Again", jobs.get_att::<String>("Arn"));
    let place = |stack: Stack, env: Option<(&str, &str)>| match env {
        Some((account, region)) => stack.env(account, region),
        None => stack,
    };
    App::new()
        .with(place(Stack::new("B"), b_env).with("User", user))
        .with(place(Stack::new("A"), a_env).with("Jobs", jobs))
}

#[test]
fn across_regions_the_value_is_an_output_and_a_parameter() {
    for strategy in [CrossStackStrategy::Export, CrossStackStrategy::SsmParameter] {
        let mut app = app_in(
            Some(("111111111111", "eu-west-1")),
            Some(("111111111111", "eu-central-1")),
        );
        // Neither strategy works across environments, so neither changes the result.
        app.set_cross_stack_strategy(strategy);
        let assembly = app.synth().unwrap();
        let a = template(&assembly, "A");
        assert_eq!(
            a["Outputs"],
            json!({
                "CrossEnvJobs2F17A0F8Arn": {
                    "Value": {"Fn::GetAtt": ["Jobs2F17A0F8", "Arn"]},
                    "Description": "Read at deploy time for a stack in another environment (a reference across environments)"
                },
                "CrossEnvJobs2F17A0F8": {
                    "Value": {"Ref": "Jobs2F17A0F8"},
                    "Description": "Read at deploy time for a stack in another environment (a reference across environments)"
                },
                "CrossEnvJobs2F17A0F8Zones": {
                    "Value": {"Fn::Join": [",", {"Fn::GetAtt": ["Jobs2F17A0F8", "Zones"]}]},
                    "Description": "Read at deploy time for a stack in another environment (a reference across environments)"
                }
            }),
            "no export, no SSM parameter: {a}"
        );
        assert!(a["Resources"].as_object().unwrap().len() == 1, "{a}");
        let b = template(&assembly, "B");
        assert_eq!(
            b["Parameters"],
            json!({
                "CrossEnvAJobs2F17A0F8Arn": {
                    "Type": "String",
                    "Description": "Output CrossEnvJobs2F17A0F8Arn of stack A (aws://111111111111/eu-west-1), passed at deploy time"
                },
                "CrossEnvAJobs2F17A0F8": {
                    "Type": "String",
                    "Description": "Output CrossEnvJobs2F17A0F8 of stack A (aws://111111111111/eu-west-1), passed at deploy time"
                },
                "CrossEnvAJobs2F17A0F8Zones": {
                    "Type": "CommaDelimitedList",
                    "Description": "Output CrossEnvJobs2F17A0F8Zones of stack A (aws://111111111111/eu-west-1), passed at deploy time"
                }
            })
        );
        assert_eq!(
            b["Resources"]["UserB512D97E"]["Properties"],
            json!({
                "Arn": {"Ref": "CrossEnvAJobs2F17A0F8Arn"},
                "Url": {"Ref": "CrossEnvAJobs2F17A0F8"},
                "Zones": {"Ref": "CrossEnvAJobs2F17A0F8Zones"},
                "Again": {"Ref": "CrossEnvAJobs2F17A0F8Arn"}
            })
        );
        // The producer deploys first, and the manifest records the wiring.
        let ids: Vec<&str> = assembly.stacks.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["A", "B"]);
        let manifest = assembly.manifest();
        let artifact = &manifest.artifacts["B"];
        assert_eq!(artifact.dependencies, ["A", "B.assets"]);
        assert_eq!(
            artifact.metadata.as_ref().unwrap()["/B"],
            vec![
                json!({"type": "rcdk:crossEnvironmentParameter", "data": {
                    "parameter": "CrossEnvAJobs2F17A0F8Arn", "producerStack": "A",
                    "output": "CrossEnvJobs2F17A0F8Arn"}}),
                json!({"type": "rcdk:crossEnvironmentParameter", "data": {
                    "parameter": "CrossEnvAJobs2F17A0F8", "producerStack": "A",
                    "output": "CrossEnvJobs2F17A0F8"}}),
                json!({"type": "rcdk:crossEnvironmentParameter", "data": {
                    "parameter": "CrossEnvAJobs2F17A0F8Zones", "producerStack": "A",
                    "output": "CrossEnvJobs2F17A0F8Zones"}}),
            ]
        );
        assert!(manifest.artifacts["A"]
            .metadata
            .as_ref()
            .unwrap()
            .get("/A")
            .is_none());
    }
}

#[test]
fn the_written_manifest_reads_back_the_wiring() {
    let mut app = app_in(
        Some(("111111111111", "eu-west-1")),
        Some(("222222222222", "eu-west-1")),
    );
    let assembly = app.synth().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    assembly.write(&out).unwrap();
    let cloud = rcdk_core::cloud_assembly::CloudAssembly::load(&out).unwrap();
    let b = cloud.stack("B").unwrap();
    let wiring: Vec<(&str, &str, &str)> = b
        .cross_environment_parameters
        .iter()
        .map(|p| {
            (
                p.parameter.as_str(),
                p.producer_stack.as_str(),
                p.output.as_str(),
            )
        })
        .collect();
    assert_eq!(
        wiring,
        [
            ("CrossEnvAJobs2F17A0F8Arn", "A", "CrossEnvJobs2F17A0F8Arn"),
            ("CrossEnvAJobs2F17A0F8", "A", "CrossEnvJobs2F17A0F8"),
            (
                "CrossEnvAJobs2F17A0F8Zones",
                "A",
                "CrossEnvJobs2F17A0F8Zones"
            ),
        ]
    );
    assert!(cloud
        .stack("A")
        .unwrap()
        .cross_environment_parameters
        .is_empty());
}

#[test]
fn within_one_environment_the_strategies_stay() {
    let env = Some(("111111111111", "eu-west-1"));
    let assembly = app_in(env, env).synth().unwrap();
    let b = template(&assembly, "B");
    assert_eq!(
        b["Resources"]["UserB512D97E"]["Properties"]["Arn"],
        json!({"Fn::ImportValue": "A:Jobs2F17A0F8-Arn"})
    );
    assert!(b.get("Parameters").is_none(), "{b}");
    assert!(assembly.stack("B").unwrap().cross_environment.is_empty());
}

#[test]
fn an_environment_agnostic_side_is_refused_with_both_stacks_named() {
    for (a_env, b_env) in [
        (Some(("111111111111", "eu-west-1")), None),
        (None, Some(("111111111111", "eu-west-1"))),
    ] {
        let err = app_in(a_env, b_env).synth().unwrap_err().to_string();
        assert!(err.contains("B/User"), "{err}");
        assert!(err.contains("stack A"), "{err}");
        assert!(err.contains("stack B"), "{err}");
        assert!(err.contains("environment-agnostic"), "{err}");
        assert!(err.contains("aws://111111111111/eu-west-1"), "{err}");
        assert!(err.contains(".env(account, region)"), "{err}");
    }
}
