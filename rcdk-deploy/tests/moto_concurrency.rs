//! Several stacks at a time (`--concurrency`) against a moto server: dependency order kept for
//! deploy and turned around for destroy, and a failure that stops only the stacks waiting for it.

mod common;

use std::time::Duration;

use common::{clients, deployer, queue_template, write_assembly, TestStack};
use rcdk_deploy::{
    Assembly, Clients, Confirm, DeployOptions, DestroyOptions, Error, StackOutcome, StackTiming,
};
use rcdk_testkit::moto::MotoServer;
use serde_json::json;

fn moto() -> MotoServer {
    MotoServer::start().unwrap_or_else(|e| panic!("moto server: {e}"))
}

/// Whether CloudFormation has a stack of that name that is not deleted.
async fn exists(clients: &Clients, name: &str) -> bool {
    match clients
        .cloudformation()
        .describe_stacks()
        .stack_name(name)
        .send()
        .await
    {
        Ok(out) => out
            .stacks()
            .iter()
            .any(|s| s.stack_status().map(|x| x.as_str()) != Some("DELETE_COMPLETE")),
        Err(e) => {
            let text = format!("{e:?}");
            assert!(text.contains("does not exist"), "{text}");
            false
        }
    }
}

fn timing<'a>(timings: &'a [(String, StackTiming)], name: &str) -> &'a StackTiming {
    &timings
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no timing for {name} in {timings:?}"))
        .1
}

/// Index of the first line of `text` that is `line`.
fn line_at(text: &str, line: &str) -> usize {
    text.lines()
        .position(|l| l == line)
        .unwrap_or_else(|| panic!("no line {line:?} in:\n{text}"))
}

/// Net; Db and Cache on Net; Api on Db and Cache (a diamond); Worker on Api (a chain); Solo on
/// its own.
fn diamond() -> (Vec<TestStack>, Vec<(&'static str, &'static str)>) {
    let edges = vec![
        ("Db", "Net"),
        ("Cache", "Net"),
        ("Api", "Db"),
        ("Api", "Cache"),
        ("Worker", "Api"),
    ];
    let mut stacks: Vec<TestStack> = ["Net", "Db", "Cache", "Api", "Worker", "Solo"]
        .into_iter()
        .map(|id| TestStack::new(id, queue_template(&format!("q-{id}"))))
        .collect();
    for (from, to) in &edges {
        let stack = stacks.iter_mut().find(|s| s.id == *from).unwrap();
        stack.dependencies.push(to);
    }
    (stacks, edges)
}

#[tokio::test]
async fn concurrent_deploy_keeps_dependency_order_and_destroy_reverses_it() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let (stacks, edges) = diamond();
    write_assembly(dir.path(), &stacks);
    let assembly = Assembly::load(dir.path()).unwrap();
    let probe = clients(&moto.endpoint_url());
    let (deploy, out) = deployer(clients(&moto.endpoint_url()), Confirm::yes());

    let report = deploy
        .deploy(
            &assembly,
            &DeployOptions {
                concurrency: 4,
                ..DeployOptions::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", out.text()));
    let names: Vec<&str> = report.stacks.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "test-Net",
            "test-Db",
            "test-Cache",
            "test-Api",
            "test-Worker",
            "test-Solo"
        ]
    );
    assert!(report
        .stacks
        .iter()
        .all(|(_, o)| *o == StackOutcome::Created));
    let text = out.text();
    for (from, to) in &edges {
        let (from, to) = (format!("test-{from}"), format!("test-{to}"));
        // The report's clock and the order of the printed lines agree: the dependent started
        // after its dependency was created.
        let (dep, dependent) = (timing(&report.timings, &to), timing(&report.timings, &from));
        assert!(
            dep.finished <= dependent.started,
            "{from} started at {dependent:?}, before {to} ended at {dep:?}"
        );
        assert!(
            line_at(&text, &format!("{to}: created (CREATE_COMPLETE)"))
                < line_at(&text, &format!("{from}: creating stack")),
            "{text}"
        );
    }
    assert!(text.contains("deploy summary: 6 succeeded, 0 failed, 0 skipped or not started"));
    assert!(text.contains("  + test-Api: created ("), "{text}");
    for name in &names {
        assert!(exists(&probe, name).await, "{name} was not created");
    }

    // Destroy turns the order around: a stack goes once everything that depends on it is gone.
    let (destroy, out) = deployer(clients(&moto.endpoint_url()), Confirm::scripted([true]));
    let report = destroy
        .destroy(
            &assembly,
            &DestroyOptions {
                concurrency: 4,
                ..DestroyOptions::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", out.text()));
    assert_eq!(report.deleted.len(), 6, "{report:?}");
    let text = out.text();
    // One question for all of them, before anything is deleted.
    assert_eq!(text.matches("Delete stack(s)").count(), 1, "{text}");
    for (from, to) in &edges {
        let (from, to) = (format!("test-{from}"), format!("test-{to}"));
        let (dependent, dep) = (timing(&report.timings, &from), timing(&report.timings, &to));
        assert!(
            dependent.finished <= dep.started,
            "{to} deleted from {dep:?}, before its dependent {from} was gone at {dependent:?}"
        );
        assert!(
            line_at(&text, &format!("{from}: deleted"))
                < line_at(&text, &format!("{to}: deleting stack")),
            "{text}"
        );
    }
    for name in &names {
        assert!(!exists(&probe, name).await, "{name} is still there");
    }
}

#[tokio::test]
async fn a_failed_stack_stops_its_dependents_only() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    // CloudFormation (and moto) refuse this template when the stack is created.
    let broken = json!({"Resources": {"Queue": {"Type": "AWS::SQS::Queue",
        "Properties": {"QueueName": {"Fn::GetAtt": ["Nope", "Arn"]}}}}});
    write_assembly(
        dir.path(),
        &[
            TestStack::new("Net", queue_template("q-net")),
            TestStack::new("Api", broken).depends_on("Net"),
            TestStack::new("Web", queue_template("q-web")).depends_on("Api"),
            TestStack::new("Cdn", queue_template("q-cdn")).depends_on("Web"),
            TestStack::new("Solo", queue_template("q-solo")),
            TestStack::new("Jobs", queue_template("q-jobs")).depends_on("Net"),
        ],
    );
    let assembly = Assembly::load(dir.path()).unwrap();
    let probe = clients(&moto.endpoint_url());
    let (deploy, out) = deployer(clients(&moto.endpoint_url()), Confirm::no_terminal());
    let err = deploy
        .deploy(
            &assembly,
            &DeployOptions {
                concurrency: 4,
                timeout: Some(Duration::from_secs(60)),
                ..DeployOptions::default()
            },
        )
        .await
        .unwrap_err();
    let Error::Incomplete {
        operation,
        succeeded,
        failed,
        skipped,
    } = &err
    else {
        panic!("expected Incomplete, got {err:?}\n{}", out.text());
    };
    assert_eq!(*operation, "deploy");
    assert_eq!(succeeded, &["test-Net", "test-Solo", "test-Jobs"]);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "test-Api");
    assert!(
        matches!(
            &failed[0].1,
            Error::Aws {
                operation: "CreateStack",
                ..
            }
        ),
        "{:?}",
        failed[0].1
    );
    assert_eq!(skipped, &["test-Web", "test-Cdn"]);
    let message = err.to_string();
    assert!(
        message.starts_with(
            "deploy: stack test-Api failed (CreateStack for stack test-Api failed: ValidationError"
        ),
        "{message}"
    );
    assert!(
        message.ends_with("skipped: test-Web, test-Cdn; succeeded: test-Net, test-Solo, test-Jobs"),
        "{message}"
    );

    let text = out.text();
    let summary = &text[text.find("deploy summary:").expect(&text)..];
    let lines: Vec<&str> = summary.lines().collect();
    assert_eq!(
        lines[0],
        "deploy summary: 3 succeeded, 1 failed, 2 skipped or not started"
    );
    assert!(lines[1].starts_with("  + test-Net: created ("), "{summary}");
    assert!(
        lines[2].starts_with("  x test-Api: failed after ")
            && lines[2].contains("CreateStack for stack test-Api failed"),
        "{summary}"
    );
    assert_eq!(
        lines[3],
        "  - test-Web: skipped (waits for test-Api, which failed)"
    );
    assert_eq!(
        lines[4],
        "  - test-Cdn: skipped (waits for test-Api, which failed)"
    );
    assert!(
        lines[5].starts_with("  + test-Solo: created ("),
        "{summary}"
    );
    assert!(
        lines[6].starts_with("  + test-Jobs: created ("),
        "{summary}"
    );
    // The skipped stacks were never started.
    assert!(!text.contains("test-Web: creating"), "{text}");
    assert!(!text.contains("test-Cdn: creating"), "{text}");

    for name in ["test-Net", "test-Solo", "test-Jobs"] {
        assert!(exists(&probe, name).await, "{name} was not deployed");
    }
    for name in ["test-Web", "test-Cdn"] {
        assert!(!exists(&probe, name).await, "{name} was created");
    }

    // One at a time, the first failure stops everything, and the error is the failure itself.
    // moto keeps a record of the refused stack, stuck in CREATE_IN_PROGRESS (CloudFormation
    // keeps none), which the next deploy would wait for: start from an empty moto.
    moto.reset().unwrap();
    let (deploy, out) = deployer(clients(&moto.endpoint_url()), Confirm::no_terminal());
    let err = deploy
        .deploy(&assembly, &DeployOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Aws { operation: "CreateStack", stack, .. } if stack == "test-Api"),
        "{err:?}"
    );
    let text = out.text();
    assert!(!text.contains("summary"), "{text}");
    // Solo and Jobs come after Api in the manifest and are not reached.
    assert!(text.contains("test-Net: created"), "{text}");
    assert!(!text.contains("test-Solo"), "{text}");
}
