//! A Fargate service put into things made elsewhere: an imported VPC, an imported cluster, an
//! imported listener (with its load balancer's imported security group), and grants on imported
//! buckets, queues, tables, secrets, parameters and log groups. Nothing imported is written to
//! the template; every reference to it is its literal id or the ARN derived from its name.

use rcdk_constructs::ecs::{AutoScaling, Container, ContainerImage, EcsCluster, EcsService};
use rcdk_constructs::elbv2::{ImportedListener, Route};
use rcdk_constructs::error::ConstructError;
use rcdk_constructs::iam::Role;
use rcdk_constructs::network::{
    ImportedVpc, SecurityGroup, SubnetInfo, TierInfo, TierKind, VpcAttributes,
};
use rcdk_constructs::storage::{
    Bucket, IBucket, ILogGroup, IParameter, IQueue, ISecret, ITable, LogGroup, Queue, Secret,
    SsmParameter, Table,
};
use rcdk_core::{App, Stack, StackArtifact};
use serde_json::{json, Value};

const VPC: &str = "vpc-0a1b2c3d4e5f60718";
const SHARED_ALB: &str = "sg-0123456789abcdef0";
const LISTENER: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shared/0123456789abcdef/fedcba9876543210";
const QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:orders-events";
const SECRET: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/api-key-AbCdEf";
const KEYED_SECRET: &str =
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/db-password-GhIjKl";
const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OPS_ROLE: &str = "arn:aws:iam::123456789012:role/ops";
const PORT: u16 = 8080;
const PRIORITY: u16 = 120;

fn subnet(n: u8, az: &str) -> SubnetInfo {
    SubnetInfo::new(format!("subnet-0123456789abcde{n:02x}"), az)
}

fn vpc() -> ImportedVpc {
    ImportedVpc::from_attributes(VpcAttributes {
        vpc_id: VPC.into(),
        cidr_block: "10.40.0.0/16".into(),
        availability_zones: vec!["us-east-1a".into(), "us-east-1b".into()],
        tiers: vec![
            TierInfo::new(
                "Public",
                TierKind::Public,
                [subnet(1, "us-east-1a"), subnet(2, "us-east-1b")],
            ),
            TierInfo::new(
                "App",
                TierKind::PrivateWithEgress,
                [subnet(3, "us-east-1a"), subnet(4, "us-east-1b")],
            ),
        ],
    })
    .unwrap()
}

fn service(vpc: &ImportedVpc) -> EcsService {
    EcsService::builder("orders", &EcsCluster::from_name("shared"), vpc)
        .container(
            Container::new(
                "web",
                ContainerImage::registry("public.ecr.aws/nginx/nginx:1.27"),
            )
            .unwrap()
            .port(PORT),
        )
        .build()
        .unwrap()
}

fn shared_listener(vpc: &ImportedVpc) -> ImportedListener {
    ImportedListener::from_arn(
        LISTENER,
        SecurityGroup::from_id(SHARED_ALB, "shared-alb"),
        vpc,
    )
}

fn app() -> App {
    let vpc = vpc();
    let mut orders = service(&vpc);
    let mut listener = shared_listener(&vpc);
    listener
        .route(&mut orders, Route::path("/orders/*").priority(PRIORITY))
        .unwrap();
    assert_eq!(listener.priorities(), [("orders".to_string(), PRIORITY)]);

    Bucket::from_name("orders-archive").grant_read(&mut orders);
    Queue::from_arn(QUEUE).grant_send(&mut orders);
    Table::from_name("orders").grant_read_items(&mut orders);
    Secret::from_arn(SECRET).grant_read(&mut orders);
    let keyed = Secret::from_arn(KEYED_SECRET).encryption_key(KEY);
    let grant = keyed.grant_read(&mut orders);
    assert_eq!(
        grant.action_names(),
        [
            "kms:Decrypt",
            "secretsmanager:DescribeSecret",
            "secretsmanager:GetSecretValue"
        ]
    );
    SsmParameter::from_name("/orders/feature-flags").grant_read(&mut orders);
    LogGroup::from_name("/shared/audit").grant_write(&mut orders);

    App::new().with(
        Stack::new("Orders")
            .with("Vpc", vpc)
            .with("SharedListener", listener)
            .with("Service", orders),
    )
}

fn synth() -> StackArtifact {
    app().synth().unwrap().stack("Orders").unwrap().clone()
}

fn of_type(t: &Value, type_name: &str) -> Vec<(String, Value)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == type_name)
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect()
}

fn one(t: &Value, type_name: &str) -> (String, Value) {
    let mut found = of_type(t, type_name);
    assert_eq!(found.len(), 1, "{type_name}: {found:#?}");
    found.pop().unwrap()
}

/// The resource whose construct path ends with `suffix`.
fn at(stack: &StackArtifact, t: &Value, suffix: &str) -> (String, Value) {
    let (id, _) = stack
        .paths
        .iter()
        .find(|(_, p)| p.ends_with(suffix))
        .unwrap_or_else(|| panic!("no resource at {suffix}: {:#?}", stack.paths));
    (id.clone(), t["Resources"][id.as_str()].clone())
}

/// (action, resource) pairs of a policy document, sorted.
fn pairs(document: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for st in document["Statement"].as_array().unwrap() {
        assert_eq!(st["Effect"], "Allow");
        let actions: Vec<String> = match &st["Action"] {
            Value::String(a) => vec![a.clone()],
            Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
            other => panic!("{other}"),
        };
        let resources: Vec<Value> = match &st["Resource"] {
            Value::Array(r) => r.clone(),
            other => vec![other.clone()],
        };
        for a in &actions {
            for r in &resources {
                out.push((a.clone(), r.clone()));
            }
        }
    }
    out.sort_by_key(|(a, r)| (a.clone(), r.to_string()));
    out
}

#[test]
fn nothing_imported_is_written() {
    let t = synth().template_json();
    let mut types: Vec<String> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| r["Type"].as_str().unwrap().to_string())
        .collect();
    types.sort();
    types.dedup();
    for absent in [
        "AWS::EC2::VPC",
        "AWS::EC2::Subnet",
        "AWS::ECS::Cluster",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::ElasticLoadBalancingV2::Listener",
        "AWS::S3::Bucket",
        "AWS::SQS::Queue",
        "AWS::DynamoDB::Table",
        "AWS::SecretsManager::Secret",
        "AWS::SSM::Parameter",
        "AWS::IAM::Role",
    ] {
        let expected_absent = absent != "AWS::IAM::Role";
        assert_eq!(
            !types.contains(&absent.to_string()),
            expected_absent,
            "{absent} in {types:?}"
        );
    }
    // Only the service's own group (not the load balancer's imported one) and the service's
    // own log group.
    let (_, group) = one(&t, "AWS::EC2::SecurityGroup");
    assert_eq!(group["Properties"]["VpcId"], VPC);
    let (_, logs) = one(&t, "AWS::Logs::LogGroup");
    assert!(logs["Properties"].get("LogGroupName").is_none(), "{logs}");
    // The execution and task roles of the service.
    assert_eq!(of_type(&t, "AWS::IAM::Role").len(), 2);
}

#[test]
fn target_group_and_rule_use_the_imported_vpc_and_listener() {
    let t = synth().template_json();
    let (tg_id, tg) = one(&t, "AWS::ElasticLoadBalancingV2::TargetGroup");
    assert_eq!(tg["Properties"]["VpcId"], VPC);
    assert_eq!(tg["Properties"]["Port"], PORT);
    assert_eq!(tg["Properties"]["TargetType"], "ip");
    let (rule_id, rule) = one(&t, "AWS::ElasticLoadBalancingV2::ListenerRule");
    assert_eq!(rule["Properties"]["ListenerArn"], LISTENER);
    assert_eq!(rule["Properties"]["Priority"], PRIORITY);
    assert_eq!(
        rule["Properties"]["Actions"],
        json!([{"Type": "forward", "TargetGroupArn": {"Ref": tg_id}}])
    );
    let (_, service) = one(&t, "AWS::ECS::Service");
    assert_eq!(
        service["Properties"]["LoadBalancers"],
        json!([{"ContainerName": "web", "ContainerPort": PORT, "TargetGroupArn": {"Ref": tg_id}}])
    );
    // ECS refuses a target group that no listener uses yet.
    let depends: Vec<&str> = service["DependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(depends.contains(&rule_id.as_str()), "{depends:?}");
}

#[test]
fn the_service_runs_on_the_imported_cluster_in_the_imported_private_subnets() {
    let t = synth().template_json();
    let (_, service) = one(&t, "AWS::ECS::Service");
    assert_eq!(
        service["Properties"]["Cluster"],
        json!({"Fn::Sub": [
            "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/${Name}",
            {"Name": "shared"}
        ]})
    );
    let vpc_config = &service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"];
    assert_eq!(
        vpc_config["Subnets"],
        json!(["subnet-0123456789abcde03", "subnet-0123456789abcde04"])
    );
    assert_eq!(vpc_config["AssignPublicIp"], "DISABLED");
}

#[test]
fn the_service_admits_the_imported_load_balancer_group_and_writes_nothing_on_it() {
    let stack = synth();
    let t = stack.template_json();
    let (group_id, _) = one(&t, "AWS::EC2::SecurityGroup");
    let ours = json!({"Fn::GetAtt": [group_id, "GroupId"]});
    let (_, ingress) = one(&t, "AWS::EC2::SecurityGroupIngress");
    assert_eq!(
        ingress["Properties"],
        json!({"IpProtocol": "tcp", "GroupId": ours, "FromPort": PORT, "ToPort": PORT,
               "SourceSecurityGroupId": SHARED_ALB, "Description": "tcp 8080 from shared-alb"})
    );
    // No rule of any kind has the imported group as the group it changes.
    for kind in [
        "AWS::EC2::SecurityGroupIngress",
        "AWS::EC2::SecurityGroupEgress",
    ] {
        for (id, rule) in of_type(&t, kind) {
            assert_ne!(rule["Properties"]["GroupId"], SHARED_ALB, "{id}: {rule}");
            assert_eq!(rule["Properties"]["GroupId"], ours, "{id}: {rule}");
        }
    }
    // The only egress is the service's HTTPS to the AWS APIs.
    let (_, egress) = one(&t, "AWS::EC2::SecurityGroupEgress");
    assert_eq!(egress["Properties"]["CidrIp"], "0.0.0.0/0");
    assert_eq!(egress["Properties"]["FromPort"], 443);
}

#[test]
fn the_task_role_names_exactly_the_imported_arns() {
    let stack = synth();
    let t = stack.template_json();
    let (_, policy) = at(&stack, &t, "Service/Roles/TaskRole/DefaultPolicy/Resource");
    let sub = |text: &str| json!({"Fn::Sub": text});
    let sub_name = |text: &str, name: &str| json!({"Fn::Sub": [text, {"Name": name}]});
    let bucket = sub_name("arn:${AWS::Partition}:s3:::${Name}", "orders-archive");
    let objects = json!({"Fn::Join": ["", [bucket.clone(), "/*"]]});
    let table = sub_name(
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Name}",
        "orders",
    );
    let parameter = sub(
        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/orders/feature-flags",
    );
    let log_group = sub_name(
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Name}:*",
        "/shared/audit",
    );
    let mut expected: Vec<(String, Value)> = vec![
        ("s3:ListBucket", bucket),
        ("s3:GetObject", objects),
        ("sqs:GetQueueAttributes", json!(QUEUE)),
        ("sqs:SendMessage", json!(QUEUE)),
        ("secretsmanager:DescribeSecret", json!(SECRET)),
        ("secretsmanager:GetSecretValue", json!(SECRET)),
        ("secretsmanager:DescribeSecret", json!(KEYED_SECRET)),
        ("secretsmanager:GetSecretValue", json!(KEYED_SECRET)),
        // Only the secret that has a customer-managed key adds a key, and only that key.
        ("kms:Decrypt", json!(KEY)),
        ("ssm:GetParameter", parameter.clone()),
        ("ssm:GetParameters", parameter),
        ("logs:CreateLogStream", log_group.clone()),
        ("logs:PutLogEvents", log_group),
    ]
    .into_iter()
    .map(|(a, r)| (a.to_string(), r))
    .chain(
        [
            "dynamodb:BatchGetItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DescribeTable",
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:Scan",
        ]
        .into_iter()
        .flat_map(|a| {
            // Reads reach the table's indexes too.
            let indexes = json!({"Fn::Join": ["", [table.clone(), "/index/*"]]});
            [(a.to_string(), table.clone()), (a.to_string(), indexes)]
        }),
    )
    .collect();
    expected.sort_by_key(|(a, r)| (a.clone(), r.to_string()));
    assert_eq!(pairs(&policy["Properties"]["PolicyDocument"]), expected);
}

#[test]
fn a_route_behind_an_imported_listener_needs_a_priority() {
    let vpc = vpc();
    let mut orders = service(&vpc);
    let mut listener = shared_listener(&vpc);
    let err = listener
        .route(&mut orders, Route::path("/orders/*"))
        .err()
        .unwrap();
    assert!(
        matches!(&err, ConstructError::InvalidRoute { service, problem }
            if service == "orders" && problem.contains(".priority(n)")),
        "{err:?}"
    );
    assert!(err
        .to_string()
        .starts_with("route to service `orders`: the listener is imported"));
    // Nothing was added: no route, and no rule on the service's group.
    assert!(listener.priorities().is_empty());
    assert_eq!(
        rcdk_constructs::network::Connectable::security_group(&orders).rule_count(),
        1,
        "only the HTTPS egress"
    );
}

#[test]
fn an_imported_role_receives_grants_in_one_role_policy() {
    let mut ops = Role::from_arn(OPS_ROLE);
    assert_eq!(ops.role_name(), "ops".into());
    Queue::from_arn(QUEUE).grant_consume(&mut ops);
    Bucket::from_name("orders-archive").grant_write(&mut ops);
    // A role with a path: its name is the last part.
    let mut auditor = Role::from_arn("arn:aws:iam::123456789012:role/teams/audit/auditor");
    LogGroup::from_name("/shared/audit").grant_write(&mut auditor);
    let mut app = App::new().with(Stack::new("Ops").with("Ops", ops).with("Auditor", auditor));
    let t = app.synth().unwrap().stack("Ops").unwrap().template_json();
    assert!(of_type(&t, "AWS::IAM::Role").is_empty());
    let policies = of_type(&t, "AWS::IAM::Policy");
    assert_eq!(policies.len(), 2, "{policies:#?}");
    let of_role = |name: &str| {
        policies
            .iter()
            .find(|(_, p)| p["Properties"]["Roles"][0] == name)
            .unwrap_or_else(|| panic!("no policy of role {name}: {policies:#?}"))
            .1
            .clone()
    };
    let ops = of_role("ops");
    assert_eq!(ops["Properties"]["PolicyName"], "DefaultPolicy");
    let document = &ops["Properties"]["PolicyDocument"];
    let actions: Vec<String> = pairs(document).into_iter().map(|(a, _)| a).collect();
    assert_eq!(
        actions,
        [
            "s3:DeleteObject",
            "s3:PutObject",
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ReceiveMessage",
        ]
    );
    let auditor = of_role("auditor");
    assert_eq!(pairs(&auditor["Properties"]["PolicyDocument"]).len(), 2);
}

#[test]
fn the_template_lints_clean() {
    let assembly = app().synth().unwrap();
    let dir = tempfile::tempdir().unwrap();
    assembly.write(dir.path()).unwrap();
    let templates: Vec<_> = assembly
        .stacks
        .iter()
        .map(|s| dir.path().join(&s.file_name))
        .collect();
    rcdk_testkit::lint::cfn_lint(&templates).unwrap();
    rcdk_testkit::lint::checkov(&templates).unwrap();
}

#[test]
fn request_count_scaling_behind_the_imported_listener() {
    let vpc = vpc();
    let mut orders = EcsService::builder("orders", &EcsCluster::from_name("shared"), &vpc)
        .container(
            Container::new(
                "web",
                ContainerImage::registry("public.ecr.aws/nginx/nginx:1.27"),
            )
            .unwrap()
            .port(PORT),
        )
        .autoscaling(AutoScaling::requests_per_task(2, 8, 300).unwrap())
        .build()
        .unwrap();
    let mut listener = shared_listener(&vpc);
    listener
        .route(&mut orders, Route::path("/orders/*").priority(PRIORITY))
        .unwrap();
    let assembly = App::new()
        .with(
            Stack::new("Orders")
                .with("Vpc", vpc)
                .with("SharedListener", listener)
                .with("Service", orders),
        )
        .synth()
        .unwrap();
    let t = assembly.stack("Orders").unwrap().template_json();
    let (tg, _) = one(&t, "AWS::ElasticLoadBalancingV2::TargetGroup");
    let (_, target) = one(&t, "AWS::ApplicationAutoScaling::ScalableTarget");
    // The imported cluster's name.
    assert_eq!(
        target["Properties"]["ResourceId"]["Fn::Sub"][1]["Cluster"],
        "shared"
    );
    let (_, policy) = one(&t, "AWS::ApplicationAutoScaling::ScalingPolicy");
    // `app/shared/0123456789abcdef`, the load balancer's full name, from the listener ARN.
    let part = |i: u8| json!({"Fn::Select": [i, {"Fn::Split": ["/", LISTENER]}]});
    assert_eq!(
        policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]
            ["PredefinedMetricSpecification"],
        json!({
            "PredefinedMetricType": "ALBRequestCountPerTarget",
            "ResourceLabel": {"Fn::Join": ["/", [
                {"Fn::Join": ["/", [part(1), part(2), part(3)]]},
                {"Fn::GetAtt": [tg, "TargetGroupFullName"]},
            ]]},
        })
    );
    let dir = tempfile::tempdir().unwrap();
    assembly.write(dir.path()).unwrap();
    rcdk_testkit::lint::cfn_lint(&[dir.path().join(&assembly.stacks[0].file_name)]).unwrap();
}
