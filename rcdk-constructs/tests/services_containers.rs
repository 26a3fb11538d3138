//! Container settings in the task definition (command, entry point, working directory, user,
//! ulimits), changing a container after `build()` with `EcsService::update_container` (and what
//! it refuses), and task definition properties set through `task_definition_mut()`.

use rcdk_constructs::cfn::ecs::task_definition::EphemeralStorage;
use rcdk_constructs::ecs::{
    Container, ContainerImage, EcsCluster, EcsService, SecretSource, UlimitName,
};
use rcdk_constructs::elbv2::{ApplicationLoadBalancer, Route};
use rcdk_constructs::error::ConstructError;
use rcdk_constructs::network::{NatPolicy, Tier, TieredVpc};
use rcdk_constructs::storage::{Secret, SsmParameter};
use rcdk_core::{App, Stack};
use serde_json::{json, Value};

fn vpc() -> TieredVpc {
    TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("Private", 22))
        .nat(NatPolicy::Single)
        .build()
        .unwrap()
}

fn worker() -> Container {
    Container::new(
        "worker",
        ContainerImage::registry("public.ecr.aws/docker/library/python:3.12-slim"),
    )
    .unwrap()
    .entry_point(["python", "-m"])
    .command(["jobs.run", "--queue", "orders"])
    .working_directory("/srv/app")
    .user("1000:1000")
    .ulimit(UlimitName::Nofile, 1024, 4096)
    // A second limit of the same name replaces the first.
    .ulimit(UlimitName::Nofile, 65536, 65536)
    .ulimit(UlimitName::Nproc, 512, 1024)
}

fn web() -> Container {
    web_at("2.1.0")
}

fn web_at(tag: &str) -> Container {
    Container::new("web", ContainerImage::ecr("orders-web", tag))
        .unwrap()
        .port(8080)
        .secret(
            "API_KEY",
            SecretSource::secret_arn(
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/api-key-AbCdEf",
                None,
            ),
        )
}

fn service(vpc: &TieredVpc, cluster: &EcsCluster) -> EcsService {
    EcsService::builder("orders", cluster, vpc)
        .container(web())
        .container(worker())
        .build()
        .unwrap()
}

/// The task definition's container definitions, after synthesis.
fn definitions(vpc: TieredVpc, cluster: EcsCluster, service: EcsService) -> Vec<Value> {
    let mut app = App::new().with(
        Stack::new("Orders")
            .with("Network", vpc)
            .with("Cluster", cluster)
            .with("Service", service),
    );
    let t = app
        .synth()
        .unwrap()
        .stack("Orders")
        .unwrap()
        .template_json();
    let tds: Vec<&Value> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::ECS::TaskDefinition")
        .collect();
    assert_eq!(tds.len(), 1);
    tds[0]["Properties"]["ContainerDefinitions"]
        .as_array()
        .unwrap()
        .clone()
}

fn named<'a>(definitions: &'a [Value], name: &str) -> &'a Value {
    definitions
        .iter()
        .find(|d| d["Name"] == name)
        .unwrap_or_else(|| panic!("no container {name}: {definitions:#?}"))
}

#[test]
fn container_settings_reach_the_task_definition() {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let service = service(&vpc, &cluster);
    let defs = definitions(vpc, cluster, service);
    assert_eq!(defs.len(), 2);
    let worker = named(&defs, "worker");
    assert_eq!(worker["EntryPoint"], json!(["python", "-m"]));
    assert_eq!(worker["Command"], json!(["jobs.run", "--queue", "orders"]));
    assert_eq!(worker["WorkingDirectory"], "/srv/app");
    assert_eq!(worker["User"], "1000:1000");
    assert_eq!(
        worker["Ulimits"],
        json!([
            {"HardLimit": 65536, "Name": "nofile", "SoftLimit": 65536},
            {"HardLimit": 1024, "Name": "nproc", "SoftLimit": 512},
        ])
    );
    // A container without them sets none of them: the image's own apply.
    let web = named(&defs, "web");
    for key in [
        "EntryPoint",
        "Command",
        "WorkingDirectory",
        "User",
        "Ulimits",
    ] {
        assert!(web.get(key).is_none(), "{key} in {web}");
    }
}

#[test]
fn update_container_changes_the_synthesized_definition() {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let mut service = service(&vpc, &cluster);
    service
        .update_container("worker", |c| {
            c.command(["jobs.run", "--queue", "refunds"])
                .env("LOG_LEVEL", "debug")
        })
        .unwrap()
        .update_container("web", |c| c.user("nobody"))
        .unwrap();
    // The service's view of its containers follows.
    assert_eq!(service.containers().len(), 2);
    assert_eq!(service.containers()[1].name(), "worker");
    let defs = definitions(vpc, cluster, service);
    // Order and everything not changed are kept.
    assert_eq!(defs[0]["Name"], "web");
    assert_eq!(defs[1]["Name"], "worker");
    let worker = &defs[1];
    assert_eq!(worker["Command"], json!(["jobs.run", "--queue", "refunds"]));
    assert_eq!(worker["EntryPoint"], json!(["python", "-m"]));
    assert_eq!(
        worker["Environment"],
        json!([{"Name": "LOG_LEVEL", "Value": "debug"}])
    );
    // Still logging to the service's log group.
    assert_eq!(worker["LogConfiguration"]["LogDriver"], "awslogs");
    assert!(
        worker["LogConfiguration"]["Options"]["awslogs-group"]["Ref"]
            .as_str()
            .unwrap()
            .starts_with("ServiceLogs")
    );
    assert_eq!(defs[0]["User"], "nobody");
    assert_eq!(defs[0]["PortMappings"][0]["ContainerPort"], 8080);
    assert_eq!(defs[0]["Secrets"][0]["Name"], "API_KEY");
}

fn conflict(err: ConstructError) -> String {
    match err {
        ConstructError::Conflict { construct, problem } => {
            assert_eq!(construct, "EcsService `orders`");
            problem
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[test]
fn update_container_refuses_what_build_settled() {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let mut service = service(&vpc, &cluster);
    let before = service.task_definition().get_container_definitions();

    let renamed = service
        .update_container("worker", |_| {
            Container::new(
                "jobs",
                ContainerImage::registry("public.ecr.aws/docker/library/python:3.12-slim"),
            )
            .unwrap()
        })
        .err()
        .unwrap();
    assert!(conflict(renamed).starts_with("a container cannot be renamed after build()"));

    let new_image = service
        .update_container("web", |_| web_at("2.2.0"))
        .err()
        .unwrap();
    assert!(conflict(new_image)
        .contains("the image and secret sources of a container are settled at build()"));

    let token = Secret::generated();
    let new_secret = service
        .update_container("worker", |c| {
            c.secret("TOKEN", SecretSource::secret(&token))
        })
        .err()
        .unwrap();
    let problem = conflict(new_secret);
    assert!(
        problem.contains("the execution role was granted exactly those"),
        "{problem}"
    );

    let flags = SsmParameter::string("/orders/flags", "{}");
    assert!(service
        .update_container("web", |c| c
            .secret("FLAGS", SecretSource::parameter(&flags)))
        .is_err());

    // Nothing of the refused changes was kept.
    assert_eq!(
        service.task_definition().get_container_definitions(),
        before
    );
    assert!(service
        .containers()
        .iter()
        .all(|c| c.name() == "web" || c.name() == "worker"));
}

#[test]
fn update_container_of_an_unknown_name_lists_the_containers() {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let mut service = service(&vpc, &cluster);
    let err = service
        .update_container("api", |c| c.command(["serve"]))
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "EcsService `orders`: it has no container `api`; its containers are: web, worker"
    );
}

#[test]
fn ephemeral_storage_is_set_on_the_task_definition() {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let mut service = service(&vpc, &cluster);
    service
        .task_definition_mut()
        .set_ephemeral_storage(EphemeralStorage::new().size_in_gi_b(50));
    let mut app = App::new().with(
        Stack::new("Orders")
            .with("Network", vpc)
            .with("Cluster", cluster)
            .with("Service", service),
    );
    let assembly = app.synth().unwrap();
    let t = assembly.stack("Orders").unwrap().template_json();
    let td = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::ECS::TaskDefinition")
        .unwrap();
    assert_eq!(
        td["Properties"]["EphemeralStorage"],
        json!({"SizeInGiB": 50})
    );
    // The template with every container setting is valid CloudFormation.
    let dir = tempfile::tempdir().unwrap();
    assembly.write(dir.path()).unwrap();
    rcdk_testkit::lint::cfn_lint(&[dir.path().join(&assembly.stacks[0].file_name)]).unwrap();
}

#[test]
fn the_port_of_a_routed_container_cannot_change() {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let mut service = service(&vpc, &cluster);
    // Before routing, the port is free to change.
    service.update_container("web", |c| c.port(8081)).unwrap();
    let mut alb = ApplicationLoadBalancer::builder(&vpc).build().unwrap();
    alb.route(&mut service, Route::path("/orders/*")).unwrap();
    let err = service
        .update_container("web", |c| c.port(9090))
        .err()
        .unwrap();
    assert!(conflict(err)
        .starts_with("the port of a container behind a load balancer cannot change after routing"));
    // Other changes to it, and ports of containers no load balancer uses, still go.
    service
        .update_container("web", |c| c.port(8081).env("MODE", "api"))
        .unwrap()
        .update_container("worker", |c| c.port(9100))
        .unwrap();
    let mut app = App::new().with(
        Stack::new("Orders")
            .with("Network", vpc)
            .with("Cluster", cluster)
            .with("Alb", alb)
            .with("Service", service),
    );
    let t = app
        .synth()
        .unwrap()
        .stack("Orders")
        .unwrap()
        .template_json();
    let resources = t["Resources"].as_object().unwrap();
    let td = resources
        .values()
        .find(|r| r["Type"] == "AWS::ECS::TaskDefinition")
        .unwrap();
    let svc = resources
        .values()
        .find(|r| r["Type"] == "AWS::ECS::Service")
        .unwrap();
    let defs = &td["Properties"]["ContainerDefinitions"];
    assert_eq!(defs[0]["PortMappings"][0]["ContainerPort"], 8081);
    assert_eq!(
        svc["Properties"]["LoadBalancers"][0]["ContainerPort"],
        defs[0]["PortMappings"][0]["ContainerPort"]
    );
}

/// The task definition resource of `service`, after synthesis.
fn task_definition(vpc: TieredVpc, cluster: EcsCluster, service: EcsService) -> Value {
    let mut app = App::new().with(
        Stack::new("Orders")
            .with("Network", vpc)
            .with("Cluster", cluster)
            .with("Service", service),
    );
    let t = app
        .synth()
        .unwrap()
        .stack("Orders")
        .unwrap()
        .template_json();
    t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::ECS::TaskDefinition")
        .unwrap()
        .clone()
}

#[test]
fn containers_share_the_tasks_memory_as_hard_limits() {
    // Without limits of their own: an even share of the task's 512 MiB.
    let defs = {
        let vpc = vpc();
        let cluster = EcsCluster::new();
        let service = service(&vpc, &cluster);
        definitions(vpc, cluster, service)
    };
    assert_eq!(named(&defs, "web")["Memory"], 256);
    assert_eq!(named(&defs, "worker")["Memory"], 256);

    // A container's own limit is kept; the others share the rest.
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let mut service = EcsService::builder("orders", &cluster, &vpc)
        .container(web())
        .container(worker().memory_limit_mib(128))
        .build()
        .unwrap();
    let too_much = service
        .update_container("web", |c| c.memory_limit_mib(1024))
        .unwrap_err()
        .to_string();
    assert!(
        too_much.contains("more than the task's 512 MiB"),
        "{too_much}"
    );
    let defs = definitions(vpc, cluster, service);
    assert_eq!(named(&defs, "web")["Memory"], 384);
    assert_eq!(named(&defs, "worker")["Memory"], 128);
}

#[test]
fn the_task_definition_records_why_it_does_not_state_a_user_or_holds_plain_variables() {
    let guard_rules = |td: &Value| td["Metadata"]["guard"]["SuppressedRules"].clone();
    let nag = |td: &Value| td["Metadata"]["cdk_nag"]["rules_to_suppress"].clone();

    // `web` is an ECR image without a user given: its own USER applies, which the template
    // cannot state.
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let service = EcsService::builder("orders", &cluster, &vpc)
        .container(web().env("DB_HOST", "db.internal"))
        .container(worker())
        .build()
        .unwrap();
    let td = task_definition(vpc, cluster, service);
    assert_eq!(
        guard_rules(&td),
        json!(["ecs_task_definition_nonroot_user_check"])
    );
    let reason = td["Metadata"]["guard"]["Reasons"]["ecs_task_definition_nonroot_user_check"]
        .as_str()
        .unwrap();
    assert!(reason.starts_with("Container(s) web run as"), "{reason}");
    assert!(reason.contains("Container::user"), "{reason}");
    assert_eq!(nag(&td)[0]["id"], "AwsSolutions-ECS2");

    // A user for every container lifts the Guard suppression; a variable named like a secret
    // keeps cdk-nag's finding visible.
    let network = self::vpc();
    let cluster = EcsCluster::new();
    let mut service = EcsService::builder("orders", &cluster, &network)
        .container(web().env("DB_HOST", "db.internal"))
        .container(worker())
        .build()
        .unwrap();
    service
        .update_container("web", |c| c.user("1000").env("DB_PASSWORD", "hunter2"))
        .unwrap();
    let td = task_definition(network, cluster, service);
    assert!(td.get("Metadata").is_none(), "{td}");
}
