//! Two services with one shared execution role: its policy holds exactly the union of what the
//! two task definitions declare (logs, images, parameters, secrets), each ARN once; the task
//! roles stay separate; each service waits for the shared policy.

use rcdk_constructs::ecs::{Container, ContainerImage, EcsCluster, EcsService, SecretSource};
use rcdk_constructs::iam::{Action, Grantee, SharedExecutionRole, Statement, TaskRoles};
use rcdk_constructs::network::{NatPolicy, Tier, TieredVpc};
use rcdk_constructs::storage::{Bucket, Queue, Secret, SsmParameter};
use rcdk_constructs::storage::{IBucket, IQueue};
use rcdk_core::{App, Construct, Level, Stack, StackArtifact};
use serde_json::{json, Value};

fn vpc() -> TieredVpc {
    TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("Private", 22))
        .nat(NatPolicy::Single)
        .build()
        .unwrap()
}

/// users: ECR image, its own secret and the common parameter; orders: a public image (no ECR
/// permission), its own parameter and the common parameter again (listed once).
fn build_app(kms_grant: bool) -> App {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let photos = Bucket::new();
    let queue = Queue::new();
    let common = SsmParameter::string("/shared/flags", "{}");
    let orders_config = SsmParameter::string("/orders/config", "{}");
    let users_secret = Secret::generated();
    let mut execution = SharedExecutionRole::new();

    let mut users = EcsService::builder("users", &cluster, &vpc)
        .container(
            Container::new("web", ContainerImage::ecr("user-service", "1.0"))
                .unwrap()
                .secret("FLAGS", SecretSource::parameter(&common))
                .secret("API_KEY", SecretSource::secret(&users_secret)),
        )
        .exec(true)
        .execution_role(&mut execution)
        .build()
        .unwrap();
    let mut orders = EcsService::builder("orders", &cluster, &vpc)
        .container(
            Container::new(
                "web",
                ContainerImage::registry("public.ecr.aws/nginx/nginx:1"),
            )
            .unwrap()
            .secret("FLAGS", SecretSource::parameter(&common))
            .secret("CONFIG", SecretSource::parameter(&orders_config)),
        )
        .execution_role(&mut execution)
        .build()
        .unwrap();
    photos.grant_read(&mut users);
    queue.grant_consume(&mut orders);
    if kms_grant {
        let statement = Statement::allow([Action::new("kms:Decrypt").unwrap()])
            .on("arn:aws:kms:eu-west-1:111122223333:key/example")
            .checked()
            .unwrap();
        execution.grant(statement);
    }
    assert_eq!(execution.services(), ["users", "orders"]);

    App::new().with(
        Stack::new("Services")
            .with("Network", vpc)
            .with("Cluster", cluster)
            .with("Photos", photos)
            .with("Queue", queue)
            .with("Common", common)
            .with("OrdersConfig", orders_config)
            .with("UsersSecret", users_secret)
            .with("ExecutionRole", execution)
            .with("Users", users)
            .with("Orders", orders),
    )
}

fn synth(kms_grant: bool) -> StackArtifact {
    let assembly = build_app(kms_grant).synth().unwrap();
    assembly.stack("Services").unwrap().clone()
}

/// Logical id of the resource whose construct path ends with `suffix`.
fn id(stack: &StackArtifact, suffix: &str) -> String {
    let mut found = stack.paths.iter().filter(|(_, p)| p.ends_with(suffix));
    let (id, _) = found
        .next()
        .unwrap_or_else(|| panic!("no resource at {suffix}"));
    assert!(found.next().is_none(), "two resources at {suffix}");
    id.clone()
}

fn getatt(id: &str, attribute: &str) -> Value {
    json!({"Fn::GetAtt": [id, attribute]})
}

fn sub(text: &str) -> Value {
    json!({ "Fn::Sub": text })
}

fn expected_statements(stack: &StackArtifact) -> Vec<Value> {
    let users_logs = id(stack, "Users/Logs/Resource");
    let orders_logs = id(stack, "Orders/Logs/Resource");
    let secret = id(stack, "UsersSecret/Resource");
    vec![
        json!({
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [getatt(&users_logs, "Arn"), getatt(&orders_logs, "Arn")],
        }),
        json!({"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}),
        json!({
            "Effect": "Allow",
            "Action": [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer"
            ],
            "Resource": sub(
                "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/user-service"
            ),
        }),
        json!({
            "Effect": "Allow",
            "Action": "ssm:GetParameters",
            "Resource": [
                sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/shared/flags"),
                sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/orders/config"),
            ],
        }),
        json!({
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": {"Ref": secret},
        }),
    ]
}

#[test]
fn shared_policy_holds_exactly_the_union_of_the_services_needs() {
    let stack = synth(false);
    let t = stack.template_json();
    let policy = &t["Resources"][id(&stack, "ExecutionRole/DefaultPolicy/Resource")];
    assert_eq!(policy["Type"], "AWS::IAM::Policy");
    assert_eq!(
        policy["Properties"]["Roles"],
        json!([{"Ref": id(&stack, "ExecutionRole/Resource")}])
    );
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    let expected = expected_statements(&stack);
    assert_eq!(statements.len(), expected.len(), "{statements:#?}");
    for (got, want) in statements.iter().zip(&expected) {
        assert_eq!(got, want);
    }
}

#[test]
fn direct_grants_on_the_shared_role_follow_the_services_needs() {
    let stack = synth(true);
    let t = stack.template_json();
    let policy = &t["Resources"][id(&stack, "ExecutionRole/DefaultPolicy/Resource")];
    let mut expected = expected_statements(&stack);
    expected.push(json!({
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": "arn:aws:kms:eu-west-1:111122223333:key/example",
    }));
    assert_eq!(
        policy["Properties"]["PolicyDocument"]["Statement"],
        Value::Array(expected)
    );
}

#[test]
fn one_execution_role_and_separate_task_roles() {
    let stack = synth(false);
    let t = stack.template_json();
    let resources = t["Resources"].as_object().unwrap();
    let mut roles: Vec<&String> = resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::IAM::Role")
        .map(|(id, _)| id)
        .collect();
    roles.sort();
    let execution = id(&stack, "ExecutionRole/Resource");
    let users_task = id(&stack, "Users/Roles/TaskRole/Resource");
    let orders_task = id(&stack, "Orders/Roles/TaskRole/Resource");
    // The fourth role delivers the VPC's flow logs.
    let flow_logs = id(&stack, "Network/FlowLogs/Role");
    let mut want = vec![&execution, &users_task, &orders_task, &flow_logs];
    want.sort();
    assert_eq!(roles, want, "exactly one execution role and two task roles");

    for (service, task) in [("Users", &users_task), ("Orders", &orders_task)] {
        let td = &resources[&id(&stack, &format!("{service}/TaskDefinition"))];
        assert_eq!(
            td["Properties"]["ExecutionRoleArn"],
            getatt(&execution, "Arn")
        );
        assert_eq!(td["Properties"]["TaskRoleArn"], getatt(task, "Arn"));
    }

    // Each task role's policy names only that role and only its own service's resources.
    let users_policy = &resources[&id(&stack, "Users/Roles/TaskRole/DefaultPolicy/Resource")];
    let orders_policy = &resources[&id(&stack, "Orders/Roles/TaskRole/DefaultPolicy/Resource")];
    assert_eq!(
        users_policy["Properties"]["Roles"],
        json!([{"Ref": users_task}])
    );
    assert_eq!(
        orders_policy["Properties"]["Roles"],
        json!([{"Ref": orders_task}])
    );
    let text = |p: &Value| p["Properties"]["PolicyDocument"].to_string();
    let photos = id(&stack, "Photos/Resource");
    let queue = id(&stack, "Queue/Resource");
    assert!(text(users_policy).contains(&photos) && !text(users_policy).contains(&queue));
    assert!(text(orders_policy).contains(&queue) && !text(orders_policy).contains(&photos));
    // ECS Exec went to the users task role only, never to the shared role.
    assert!(text(users_policy).contains("ssmmessages:OpenDataChannel"));
    assert!(!text(orders_policy).contains("ssmmessages"));
    let shared = &resources[&id(&stack, "ExecutionRole/DefaultPolicy/Resource")];
    assert!(!text(shared).contains("ssmmessages"));
    // No other policy attaches to any of the three roles.
    let policies = resources
        .values()
        .filter(|r| r["Type"] == "AWS::IAM::Policy")
        .count();
    assert_eq!(policies, 3);
}

#[test]
fn each_service_depends_on_the_shared_policy_and_its_task_policy() {
    let stack = synth(false);
    let t = stack.template_json();
    let shared = json!(id(&stack, "ExecutionRole/DefaultPolicy/Resource"));
    for service in ["Users", "Orders"] {
        let resource = &t["Resources"][id(&stack, &format!("{service}/Resource"))];
        let depends = resource["DependsOn"].as_array().unwrap();
        assert!(depends.contains(&shared), "{service}: {depends:?}");
        let task_policy = json!(id(
            &stack,
            &format!("{service}/Roles/TaskRole/DefaultPolicy/Resource")
        ));
        assert!(depends.contains(&task_policy), "{service}: {depends:?}");
    }
}

#[test]
fn synthesis_is_deterministic() {
    let a = synth(true).template_json();
    let b = synth(true).template_json();
    assert_eq!(a, b);
}

#[test]
fn own_roles_and_a_shared_execution_role_exclude_each_other() {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let mut execution = SharedExecutionRole::new();
    let err = EcsService::builder("users", &cluster, &vpc)
        .container(Container::new("web", ContainerImage::ecr("user-service", "1")).unwrap())
        .roles(TaskRoles::new())
        .execution_role(&mut execution)
        .build()
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains(".roles(...)"), "{message}");
    assert!(message.contains(".execution_role(...)"), "{message}");
    assert!(execution.services().is_empty(), "nothing registered");
}

#[test]
fn grants_to_a_shared_execution_role_go_through_the_shared_role() {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let mut execution = SharedExecutionRole::new();
    let mut users = EcsService::builder("users", &cluster, &vpc)
        .container(Container::new("web", ContainerImage::ecr("user-service", "1")).unwrap())
        .execution_role(&mut execution)
        .build()
        .unwrap();
    assert!(users.roles().is_none());
    assert_eq!(users.execution_role_arn(), execution.arn().cast());
    let statement = Statement::allow([Action::new("kms:Decrypt").unwrap()])
        .on("arn:aws:kms:eu-west-1:111122223333:key/example")
        .checked()
        .unwrap();
    let err = users
        .grant_to_execution_role(statement.clone())
        .unwrap_err();
    assert!(err.to_string().contains("shared.grant"), "{err}");
    let grant = execution.grant(statement);
    assert_eq!(Some(grant.policy), execution.policy_node());
}

#[test]
fn an_unused_shared_execution_role_is_reported() {
    let unused = SharedExecutionRole::new();
    let notes = unused.annotations();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].level, Level::Warning);
    assert!(notes[0].message.contains("no service uses"));
    assert!(unused.policy_node().is_none());
}

#[test]
fn default_services_still_get_their_own_execution_role() {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let users = EcsService::builder("users", &cluster, &vpc)
        .container(Container::new("web", ContainerImage::ecr("user-service", "1")).unwrap())
        .build()
        .unwrap();
    let roles = users.roles().expect("own roles by default");
    assert_eq!(users.execution_role_arn(), roles.execution_role().arn());
    assert!(roles.execution_role().policy_node().is_some());
}
