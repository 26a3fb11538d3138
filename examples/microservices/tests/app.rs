//! The microservices example against seed 000: each task role holds exactly the seed's
//! permissions, the one shared execution role only its services' parameters, secrets, logs
//! and images,
//! the security-group chain is ALB -> tasks (3000) -> Postgres (5432) / Redis (6379), and the
//! 40-service app of the benchmark fits CloudFormation's per-stack limit and lints clean.

use rcdk::core::{Assembly, StackArtifact};
use serde_json::{json, Value};

fn synth(services: usize) -> Assembly {
    microservices::build_app(services).unwrap().synth().unwrap()
}

/// Logical id and resource whose construct path ends with `suffix`.
fn at<'a>(stack: &'a StackArtifact, t: &'a Value, suffix: &str) -> (&'a str, &'a Value) {
    let (id, _) = stack
        .paths
        .iter()
        .find(|(_, p)| p.ends_with(suffix))
        .unwrap_or_else(|| panic!("no resource at {suffix}"));
    (id.as_str(), &t["Resources"][id.as_str()])
}

/// Sorted (action, resource) pairs of a policy resource, one per resource of a list.
fn pairs(policy: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for st in policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
    {
        assert_eq!(st["Effect"], "Allow");
        let actions: Vec<String> = match &st["Action"] {
            Value::String(a) => vec![a.clone()],
            Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
            other => panic!("{other}"),
        };
        let resources: Vec<String> = match &st["Resource"] {
            Value::Array(r) => r.iter().map(Value::to_string).collect(),
            one => vec![one.to_string()],
        };
        for a in actions {
            for r in &resources {
                out.push((a.clone(), r.clone()));
            }
        }
    }
    out.sort();
    out
}

fn expected(list: &[(&str, Value)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .iter()
        .map(|(a, r)| (a.to_string(), r.to_string()))
        .collect();
    v.sort();
    v
}

fn arn(id: &str) -> Value {
    json!({"Fn::GetAtt": [id, "Arn"]})
}

#[test]
fn task_roles_hold_exactly_the_seeds_permissions() {
    let assembly = synth(2);
    let stack = assembly.stack("Microservices").unwrap();
    let t = stack.template_json();
    let (photos, _) = at(stack, &t, "Platform/UserProfilePhotos/Resource");
    let (emails, _) = at(stack, &t, "Platform/EmailNotifications/Resource");
    let (orders_queue, _) = at(stack, &t, "Platform/OrderProcessingQueue/Resource");
    let (sessions, _) = at(stack, &t, "Platform/Sessions/Resource");
    let objects = json!({"Fn::Join": ["", [arn(photos), "/*"]]});

    let (_, users) = at(
        stack,
        &t,
        "UserService/Service/Roles/TaskRole/DefaultPolicy/Resource",
    );
    assert_eq!(
        pairs(users),
        expected(&[
            ("s3:ListBucket", arn(photos)),
            ("s3:GetObject", objects.clone()),
            ("s3:PutObject", objects.clone()),
            ("s3:DeleteObject", objects),
            ("sqs:SendMessage", arn(emails)),
            ("sqs:GetQueueAttributes", arn(emails)),
            ("ssmmessages:CreateControlChannel", json!("*")),
            ("ssmmessages:CreateDataChannel", json!("*")),
            ("ssmmessages:OpenControlChannel", json!("*")),
            ("ssmmessages:OpenDataChannel", json!("*")),
        ])
    );

    let (_, orders) = at(
        stack,
        &t,
        "OrderService/Service/Roles/TaskRole/DefaultPolicy/Resource",
    );
    assert_eq!(
        pairs(orders),
        expected(&[
            ("sqs:ReceiveMessage", arn(orders_queue)),
            ("sqs:DeleteMessage", arn(orders_queue)),
            ("sqs:GetQueueAttributes", arn(orders_queue)),
            ("dynamodb:GetItem", arn(sessions)),
            ("dynamodb:PutItem", arn(sessions)),
            ("dynamodb:UpdateItem", arn(sessions)),
            ("dynamodb:DeleteItem", arn(sessions)),
            ("dynamodb:Query", arn(sessions)),
        ])
    );
    // ECS Exec is on for the user-service only, as in the seed.
    let (_, service) = at(stack, &t, "UserService/Service/Resource");
    assert_eq!(service["Properties"]["EnableExecuteCommand"], true);
    let (_, service) = at(stack, &t, "OrderService/Service/Resource");
    assert!(service["Properties"].get("EnableExecuteCommand").is_none());
}

#[test]
fn one_execution_role_reads_only_the_services_configuration() {
    let assembly = synth(2);
    let stack = assembly.stack("Microservices").unwrap();
    let t = stack.template_json();
    let (_, policy) = at(stack, &t, "/ExecutionRole/DefaultPolicy/Resource");
    let mut want = Vec::new();
    for (construct, name) in [
        ("UserService", "user-service"),
        ("OrderService", "order-service"),
    ] {
        let (logs, log_group) = at(stack, &t, &format!("{construct}/Service/Logs/Resource"));
        assert_eq!(log_group["Properties"]["RetentionInDays"], 365);
        let (secret, _) = at(stack, &t, &format!("{construct}/Credentials/Resource"));
        let parameter = json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{name}/config")});
        want.extend([
            ("logs:CreateLogStream", arn(logs)),
            ("logs:PutLogEvents", arn(logs)),
            ("ssm:GetParameters", parameter),
            ("secretsmanager:GetSecretValue", json!({"Ref": secret})),
        ]);
        // Each service runs with the shared role and its own task role, and waits for the
        // shared policy.
        let (role, _) = at(stack, &t, "/ExecutionRole/Resource");
        let (_, td) = at(stack, &t, &format!("{construct}/Service/TaskDefinition"));
        assert_eq!(
            td["Properties"]["ExecutionRoleArn"],
            arn(role),
            "{construct}"
        );
        let (task_role, _) = at(
            stack,
            &t,
            &format!("{construct}/Service/Roles/TaskRole/Resource"),
        );
        assert_eq!(
            td["Properties"]["TaskRoleArn"],
            arn(task_role),
            "{construct}"
        );
        let (policy_id, _) = at(stack, &t, "/ExecutionRole/DefaultPolicy/Resource");
        let (_, service) = at(stack, &t, &format!("{construct}/Service/Resource"));
        assert!(
            service["DependsOn"]
                .as_array()
                .unwrap()
                .contains(&json!(policy_id)),
            "{construct}"
        );
    }
    // Both images are in the environment's container-assets repository: one pull grant on it.
    let repo = json!({"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}"});
    want.extend([
        ("ecr:BatchCheckLayerAvailability", repo.clone()),
        ("ecr:BatchGetImage", repo.clone()),
        ("ecr:GetDownloadUrlForLayer", repo),
    ]);
    want.push(("ecr:GetAuthorizationToken", json!("*")));
    assert_eq!(pairs(policy), expected(&want));
    assert_eq!(
        count(&t, "AWS::IAM::Role"),
        5,
        "1 execution, 2 task, 1 RDS monitoring, 1 flow-log delivery"
    );
}

#[test]
fn each_stack_of_the_benchmark_app_shares_one_execution_role() {
    // 42 services: 17 in the first stack, a full stack of 25 in the second.
    let assembly = synth(42);
    let mut seen = 0;
    for stack in &assembly.stacks {
        let t = stack.template_json();
        let (_, policy) = at(stack, &t, "/ExecutionRole/DefaultPolicy/Resource");
        let (role, _) = at(stack, &t, "/ExecutionRole/Resource");
        let services: Vec<&Value> = t["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::ECS::TaskDefinition")
            .collect();
        assert!(!services.is_empty());
        for td in &services {
            assert_eq!(td["Properties"]["ExecutionRoleArn"], arn(role));
        }
        // One log group, repository, parameter and secret per service of this stack; the
        // policy names nothing of another stack (no import).
        let logs = pairs(policy)
            .into_iter()
            .filter(|(a, _)| a == "logs:PutLogEvents")
            .count();
        assert_eq!(logs, services.len(), "{}", stack.id);
        let text = policy.to_string();
        assert!(!text.contains("Fn::ImportValue"), "{}", stack.id);
        seen += services.len();
    }
    assert_eq!(seen, 42);
    assert_eq!(assembly.stacks[1].dependencies, ["Microservices"]);
}

#[test]
fn a_hundred_services_fit_with_fewer_in_the_first_stack() {
    // 100 target groups and listener rules stay with the load balancer: the first stack makes
    // room for them by holding fewer services; the synthesis checks every stack's limit.
    assert_eq!(microservices::services_in_first_stack(40), 17);
    let first = microservices::services_in_first_stack(100);
    assert!(first < 17, "{first}");
    let assembly = synth(100);
    let tasks: Vec<usize> = assembly
        .stacks
        .iter()
        .map(|s| count(&s.template_json(), "AWS::ECS::TaskDefinition"))
        .collect();
    assert_eq!(tasks.iter().sum::<usize>(), 100);
    assert_eq!(tasks[0], first);
    assert_eq!(&tasks[1..tasks.len() - 1], vec![25; tasks.len() - 2]);
    let first_stack = assembly.stacks[0].template_json();
    assert_eq!(
        count(&first_stack, "AWS::ElasticLoadBalancingV2::TargetGroup"),
        100
    );
}

/// (source group, port) of every ingress rule on the group of logical id `group`.
fn ingress_sources(t: &Value, group: &str) -> Vec<(Value, i64)> {
    let mut out: Vec<(Value, i64)> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::SecurityGroupIngress")
        .filter(|r| r["Properties"]["GroupId"] == json!({"Fn::GetAtt": [group, "GroupId"]}))
        .map(|r| {
            let p = &r["Properties"];
            let source = p
                .get("SourceSecurityGroupId")
                .or_else(|| p.get("CidrIp"))
                .cloned()
                .unwrap();
            (source, p["FromPort"].as_i64().unwrap())
        })
        .collect();
    out.sort_by_key(|(s, p)| (s.to_string(), *p));
    out
}

#[test]
fn security_groups_chain_alb_tasks_postgres_and_redis() {
    let assembly = synth(2);
    let stack = assembly.stack("Microservices").unwrap();
    let t = stack.template_json();
    let group = |suffix: &str| at(stack, &t, suffix).0.to_string();
    let gid = |id: &str| json!({"Fn::GetAtt": [id, "GroupId"]});
    let alb = group("Platform/Alb/SecurityGroup/Resource");
    let users = group("UserService/Service/SecurityGroup/Resource");
    let orders = group("OrderService/Service/SecurityGroup/Resource");
    assert_eq!(ingress_sources(&t, &alb), vec![(json!("0.0.0.0/0"), 80)]);
    for service in [&users, &orders] {
        assert_eq!(ingress_sources(&t, service), vec![(gid(&alb), 3000)]);
    }
    let mut both = vec![gid(&users), gid(&orders)];
    both.sort_by_key(|v| v.to_string());
    let database = group("Platform/Database/SecurityGroup/Resource");
    let cache = group("Platform/Cache/SecurityGroup/Resource");
    let sources =
        |g: &str| -> Vec<Value> { ingress_sources(&t, g).into_iter().map(|(s, _)| s).collect() };
    assert_eq!(sources(&database), both);
    assert_eq!(sources(&cache), both);
    assert!(ingress_sources(&t, &database)
        .iter()
        .all(|(_, p)| *p == 5432));
    assert!(ingress_sources(&t, &cache).iter().all(|(_, p)| *p == 6379));
}

#[test]
fn path_routing_sends_users_and_orders_to_their_services() {
    let assembly = synth(2);
    let stack = assembly.stack("Microservices").unwrap();
    let t = stack.template_json();
    let rules: Vec<&Value> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule")
        .collect();
    let mut paths: Vec<String> = rules
        .iter()
        .map(|r| r["Properties"]["Conditions"].to_string())
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 2);
    assert!(paths[0].contains("/orders/*"), "{paths:?}");
    assert!(paths[1].contains("/users/*"), "{paths:?}");
    assert_eq!(
        count(&t, "AWS::ElasticLoadBalancingV2::LoadBalancer"),
        1,
        "one ALB for both services"
    );
}

fn count(t: &Value, type_name: &str) -> usize {
    t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == type_name)
        .count()
}

#[test]
fn forty_services_stay_under_the_stack_limit_and_lint_clean() {
    let assembly = synth(40);
    let counts: Vec<(String, usize)> = assembly
        .stacks
        .iter()
        .map(|s| {
            let n = s.template_json()["Resources"].as_object().unwrap().len();
            (s.id.clone(), n)
        })
        .collect();
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert!(counts.iter().all(|(_, n)| *n < 500), "{counts:?}");
    assert!((400..500).contains(&counts[0].1), "{counts:?}");
    let services: usize = assembly
        .stacks
        .iter()
        .map(|s| count(&s.template_json(), "AWS::ECS::Service"))
        .sum();
    assert_eq!(services, 40);
    assert_eq!(assembly.stacks[1].dependencies, ["Microservices"]);

    let dir = tempfile::tempdir().unwrap();
    assembly.write(dir.path()).unwrap();
    let files: Vec<_> = assembly
        .stacks
        .iter()
        .map(|s| dir.path().join(&s.file_name))
        .collect();
    if let Err(e) = rcdk_testkit::lint::cfn_lint(&files) {
        panic!("{e:?}");
    }
}

#[test]
fn zero_services_is_refused_with_a_message() {
    let Err(e) = microservices::build_app(0) else {
        panic!("an app without services was built");
    };
    assert!(e.to_string().contains("at least one service"), "{e}");
    let one = synth(1);
    let t = one.stack("Microservices").unwrap().template_json();
    assert_eq!(count(&t, "AWS::ECS::Service"), 1);
}
