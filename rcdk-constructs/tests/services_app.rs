//! The seed-000 architecture's two services behind one ALB with path routing: `users` reads
//! and writes a bucket and sends to a queue; `orders` consumes that queue and reads a DynamoDB
//! table. Synthesized, linted with cfn-lint, and its policies checked statement by statement.

use rcdk_constructs::data::{PostgresDatabase, RedisCache};
use rcdk_constructs::ecs::{
    AutoScaling, Container, ContainerImage, EcsCluster, EcsService, HealthCheck, SecretSource,
};
use rcdk_constructs::elbv2::{ApplicationLoadBalancer, Route};
use rcdk_constructs::fargate_size;
use rcdk_constructs::network::{NatPolicy, Tier, TieredVpc};
use rcdk_constructs::storage::{
    AttributeType, Bucket, KeyAttribute, Queue, Secret, SsmParameter, Table,
};
use rcdk_constructs::storage::{IBucket, IQueue, ITable};
use rcdk_core::{App, Stack, StackArtifact};
use serde_json::{json, Value};

fn vpc() -> TieredVpc {
    TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("Private", 22))
        .tier(Tier::isolated("Data", 24))
        .nat(NatPolicy::Single)
        .build()
        .unwrap()
}

fn build_app(split: bool) -> App {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let photos = Bucket::new();
    let notifications = Queue::new().with_dead_letter_queue(5).unwrap();
    let sessions = Table::new(KeyAttribute::new("id", AttributeType::String).unwrap());
    let api_key = Secret::generated().description("Key of the payment provider");
    let feature_flags = SsmParameter::string("/orders/feature-flags", "{}");
    let mut alb = ApplicationLoadBalancer::builder(&vpc).build().unwrap();
    let mut database = PostgresDatabase::builder(&vpc)
        .database_name("orders")
        .build()
        .unwrap();
    let mut cache = RedisCache::builder(&vpc).build().unwrap();

    let mut users = EcsService::builder("users", &cluster, &vpc)
        .size(fargate_size!(512, 1024))
        .container(
            Container::new("web", ContainerImage::ecr("user-service", "1.4.2"))
                .unwrap()
                .port(3000)
                .env("PHOTO_BUCKET", photos.bucket_name())
                .env("NOTIFY_QUEUE_URL", notifications.queue_url())
                .health_check(HealthCheck::shell(
                    "curl -f http://localhost:3000/health || exit 1",
                )),
        )
        .autoscaling(AutoScaling::cpu(2, 6, 60).unwrap())
        .build()
        .unwrap();
    let mut orders = EcsService::builder("orders", &cluster, &vpc)
        .size(fargate_size!(1024, 2048))
        .container(
            Container::new(
                "web",
                ContainerImage::registry("public.ecr.aws/docker/library/nginx:1.27"),
            )
            .unwrap()
            .port(8080)
            .env("TABLE", sessions.table_name())
            .secret("PAYMENT_API_KEY", SecretSource::secret(&api_key))
            .secret("FEATURE_FLAGS", SecretSource::parameter(&feature_flags))
            .secret(
                "DB_PASSWORD",
                SecretSource::secret_arn(database.master_secret_arn(), Some("password")),
            )
            .env("DB_HOST", database.endpoint_address())
            .env("REDIS_HOST", cache.primary_address()),
        )
        .build()
        .unwrap();

    photos.grant_read_write(&mut users);
    notifications.grant_send(&mut users);
    notifications.grant_consume(&mut orders);
    sessions.grant_read_items(&mut orders);
    if split {
        // The client's stack holds the rules, so the shared stack does not depend on it.
        database.grant_connect(&mut orders);
        cache.grant_connect(&mut orders);
    } else {
        database.allow_connections_from(&orders);
        cache.allow_connections_from(&orders);
    }

    alb.route(
        &mut users,
        Route::path("/users/*").health_check_path("/health"),
    )
    .unwrap();
    alb.route(
        &mut orders,
        Route::path("/orders/*")
            .or_path("/orders")
            .health_check_path("/"),
    )
    .unwrap();

    let shared = Stack::new(if split { "Shared" } else { "Services" })
        .with("Network", vpc)
        .with("Cluster", cluster)
        .with("Photos", photos)
        .with("Notifications", notifications)
        .with("Sessions", sessions)
        .with("ApiKey", api_key)
        .with("FeatureFlags", feature_flags)
        .with("Database", database)
        .with("Cache", cache);
    let services = |stack: Stack| {
        stack
            .with("Alb", alb)
            .with("Users", users)
            .with("Orders", orders)
    };
    if split {
        App::new()
            .with(shared)
            .with(services(Stack::new("Services")))
    } else {
        App::new().with(services(shared))
    }
}

fn app() -> App {
    build_app(false)
}

fn synth() -> StackArtifact {
    let assembly = app().synth().unwrap();
    assembly.stack("Services").unwrap().clone()
}

/// The resource whose construct path ends with `suffix`.
fn at<'a>(stack: &'a StackArtifact, template: &'a Value, suffix: &str) -> (&'a str, &'a Value) {
    let (id, _) = stack
        .paths
        .iter()
        .find(|(_, p)| p.ends_with(suffix))
        .unwrap_or_else(|| panic!("no resource at {suffix}: {:#?}", stack.paths));
    (id.as_str(), &template["Resources"][id.as_str()])
}

/// (actions, resource) pairs of a policy document.
fn pairs(document: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for st in document["Statement"].as_array().unwrap() {
        assert_eq!(st["Effect"], "Allow");
        let actions: Vec<String> = match &st["Action"] {
            Value::String(a) => vec![a.clone()],
            Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
            other => panic!("{other}"),
        };
        let resources: Vec<String> = match &st["Resource"] {
            Value::Array(r) => r.iter().map(|x| x.to_string()).collect(),
            other => vec![other.to_string()],
        };
        for a in &actions {
            for r in &resources {
                out.push((a.clone(), r.clone()));
            }
        }
    }
    out.sort();
    out
}

fn getatt(id: &str, attr: &str) -> String {
    json!({"Fn::GetAtt": [id, attr]}).to_string()
}

fn objects(id: &str) -> String {
    json!({"Fn::Join": ["", [{"Fn::GetAtt": [id, "Arn"]}, "/*"]]}).to_string()
}

#[test]
fn task_roles_get_exactly_what_was_granted() {
    let stack = synth();
    let t = stack.template_json();
    let (bucket, _) = at(&stack, &t, "Photos/Resource");
    let (queue, _) = at(&stack, &t, "Notifications/Resource");
    let (table, _) = at(&stack, &t, "Sessions/Resource");

    let (_, users_policy) = at(&stack, &t, "Users/Roles/TaskRole/DefaultPolicy/Resource");
    let mut expected = vec![
        ("s3:ListBucket".to_string(), getatt(bucket, "Arn")),
        ("s3:DeleteObject".to_string(), objects(bucket)),
        ("s3:GetObject".to_string(), objects(bucket)),
        ("s3:PutObject".to_string(), objects(bucket)),
        ("sqs:GetQueueAttributes".to_string(), getatt(queue, "Arn")),
        ("sqs:SendMessage".to_string(), getatt(queue, "Arn")),
    ];
    expected.sort();
    assert_eq!(
        pairs(&users_policy["Properties"]["PolicyDocument"]),
        expected
    );

    let (_, orders_policy) = at(&stack, &t, "Orders/Roles/TaskRole/DefaultPolicy/Resource");
    let mut expected: Vec<(String, String)> = [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
    ]
    .iter()
    .map(|a| (a.to_string(), getatt(queue, "Arn")))
    .chain(
        [
            "dynamodb:BatchGetItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DescribeTable",
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:Scan",
        ]
        .iter()
        .flat_map(|a| {
            // Reads reach the table's indexes too (`Query` on an index is checked there).
            let indexes =
                json!({"Fn::Join": ["", [{"Fn::GetAtt": [table, "Arn"]}, "/index/*"]]}).to_string();
            [
                (a.to_string(), getatt(table, "Arn")),
                (a.to_string(), indexes),
            ]
        }),
    )
    .collect();
    expected.sort();
    assert_eq!(
        pairs(&orders_policy["Properties"]["PolicyDocument"]),
        expected
    );
}

#[test]
fn the_two_task_roles_share_nothing() {
    let stack = synth();
    let t = stack.template_json();
    let (users_role, _) = at(&stack, &t, "Users/Roles/TaskRole/Resource");
    let (orders_role, _) = at(&stack, &t, "Orders/Roles/TaskRole/Resource");
    assert_ne!(users_role, orders_role);
    let (_, up) = at(&stack, &t, "Users/Roles/TaskRole/DefaultPolicy/Resource");
    let (_, op) = at(&stack, &t, "Orders/Roles/TaskRole/DefaultPolicy/Resource");
    assert_eq!(up["Properties"]["Roles"], json!([{"Ref": users_role}]));
    assert_eq!(op["Properties"]["Roles"], json!([{"Ref": orders_role}]));
    let users = pairs(&up["Properties"]["PolicyDocument"]);
    let orders = pairs(&op["Properties"]["PolicyDocument"]);
    // The only overlap is what both typed grants name: producers and consumers alike read the
    // queue's attributes. Everything else is one service's own.
    let (queue, _) = at(&stack, &t, "Notifications/Resource");
    let shared: Vec<_> = users
        .iter()
        .filter(|p| orders.contains(p))
        .cloned()
        .collect();
    assert_eq!(
        shared,
        vec![("sqs:GetQueueAttributes".to_string(), getatt(queue, "Arn"))]
    );
    // Nothing else in the template attaches policies to the task roles.
    for (id, r) in t["Resources"].as_object().unwrap() {
        if r["Type"] == "AWS::IAM::Policy" {
            let role = &r["Properties"]["Roles"][0];
            if *role == json!({"Ref": users_role}) {
                assert!(stack.paths[id].ends_with("Users/Roles/TaskRole/DefaultPolicy/Resource"));
            }
        }
    }
}

#[test]
fn execution_roles_get_exactly_what_the_task_definition_declares() {
    let stack = synth();
    let t = stack.template_json();
    let (users_logs, _) = at(&stack, &t, "Users/Logs/Resource");
    let (_, users_exec) = at(
        &stack,
        &t,
        "Users/Roles/ExecutionRole/DefaultPolicy/Resource",
    );
    let repo = json!({"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/user-service"}).to_string();
    let mut expected = vec![
        ("ecr:GetAuthorizationToken".to_string(), "\"*\"".to_string()),
        ("ecr:BatchCheckLayerAvailability".to_string(), repo.clone()),
        ("ecr:BatchGetImage".to_string(), repo.clone()),
        ("ecr:GetDownloadUrlForLayer".to_string(), repo),
        (
            "logs:CreateLogStream".to_string(),
            getatt(users_logs, "Arn"),
        ),
        ("logs:PutLogEvents".to_string(), getatt(users_logs, "Arn")),
    ];
    expected.sort();
    assert_eq!(pairs(&users_exec["Properties"]["PolicyDocument"]), expected);

    // orders: public image (no ECR permission at all), a secret and a parameter.
    let (orders_logs, _) = at(&stack, &t, "Orders/Logs/Resource");
    let (secret, _) = at(&stack, &t, "ApiKey/Resource");
    let (database, _) = at(&stack, &t, "Database/Resource");
    let (_, orders_exec) = at(
        &stack,
        &t,
        "Orders/Roles/ExecutionRole/DefaultPolicy/Resource",
    );
    let parameter = json!({"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/orders/feature-flags"}).to_string();
    let mut expected = vec![
        (
            "logs:CreateLogStream".to_string(),
            getatt(orders_logs, "Arn"),
        ),
        ("logs:PutLogEvents".to_string(), getatt(orders_logs, "Arn")),
        (
            "secretsmanager:GetSecretValue".to_string(),
            json!({"Ref": secret}).to_string(),
        ),
        (
            "secretsmanager:GetSecretValue".to_string(),
            getatt(database, "MasterUserSecret.SecretArn"),
        ),
        ("ssm:GetParameters".to_string(), parameter),
    ];
    expected.sort();
    assert_eq!(
        pairs(&orders_exec["Properties"]["PolicyDocument"]),
        expected
    );
}

#[test]
fn roles_trust_only_ecs_tasks_of_this_account_and_region() {
    let stack = synth();
    let t = stack.template_json();
    for suffix in [
        "Users/Roles/TaskRole/Resource",
        "Orders/Roles/ExecutionRole/Resource",
    ] {
        let (_, role) = at(&stack, &t, suffix);
        assert_eq!(
            role["Properties"]["AssumeRolePolicyDocument"]["Statement"],
            json!([{
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                    "ArnLike": {"aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*"}}
                }
            }])
        );
    }
}

#[test]
fn services_wait_for_their_policies_and_roll_back_failed_deployments() {
    let stack = synth();
    let t = stack.template_json();
    for name in ["Users", "Orders"] {
        let (task_policy, _) = at(
            &stack,
            &t,
            &format!("{name}/Roles/TaskRole/DefaultPolicy/Resource"),
        );
        let (exec_policy, _) = at(
            &stack,
            &t,
            &format!("{name}/Roles/ExecutionRole/DefaultPolicy/Resource"),
        );
        let (_, service) = at(&stack, &t, &format!("{name}/Resource"));
        let depends: Vec<&str> = service["DependsOn"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(depends.contains(&task_policy), "{depends:?}");
        assert!(depends.contains(&exec_policy), "{depends:?}");
        let props = &service["Properties"];
        assert_eq!(
            props["DeploymentConfiguration"]["DeploymentCircuitBreaker"],
            json!({"Enable": true, "Rollback": true})
        );
        assert_eq!(
            props["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"],
            "DISABLED"
        );
    }
}

#[test]
fn path_routes_get_deterministic_priorities() {
    let stack = synth();
    let t = stack.template_json();
    let (_, users_rule) = at(&stack, &t, "Alb/users/Rule");
    let (_, orders_rule) = at(&stack, &t, "Alb/orders/Rule");
    // Both are single path conditions; "/orders" (prefix 7) and "/users/" (prefix 7) sort by
    // text: orders first.
    assert_eq!(orders_rule["Properties"]["Priority"], 10);
    assert_eq!(users_rule["Properties"]["Priority"], 20);
}

#[test]
fn cfn_lint_passes_with_no_findings() {
    let dir = tempfile::tempdir().unwrap();
    let assembly = app().synth().unwrap();
    assembly.write(dir.path()).unwrap();
    let file = dir
        .path()
        .join(&assembly.stack("Services").unwrap().file_name);
    rcdk_testkit::lint::cfn_lint(&[file]).unwrap();
}

#[test]
fn split_into_a_shared_and_a_services_stack_it_still_lints() {
    let dir = tempfile::tempdir().unwrap();
    let assembly = build_app(true).synth().unwrap();
    assembly.write(dir.path()).unwrap();
    let names: Vec<&str> = assembly.stacks.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(names, ["Shared", "Services"]);
    assert_eq!(assembly.stack("Services").unwrap().dependencies, ["Shared"]);
    let files: Vec<_> = assembly
        .stacks
        .iter()
        .map(|s| dir.path().join(&s.file_name))
        .collect();
    rcdk_testkit::lint::cfn_lint(&files).unwrap();
}
