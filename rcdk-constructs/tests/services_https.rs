//! A load balancer with a certificate: HTTP only redirects, HTTPS serves the routes with a
//! TLS 1.2+ policy, the security group opens 80 and 443 and nothing else; the service's
//! storage grants and defaults (bucket, queue, secret, parameter path), autoscaling and ECS
//! Exec; the load balancer's monthly cost is reported.

use rcdk_constructs::ecs::{AutoScaling, Container, ContainerImage, EcsCluster, EcsService};
use rcdk_constructs::elbv2::{ApplicationLoadBalancer, Route, TLS_POLICY};
use rcdk_constructs::network::{NatPolicy, Tier, TieredVpc};
use rcdk_constructs::storage::{Bucket, ParameterPath, Queue, SsmParameter};
use rcdk_constructs::storage::{IBucket, IQueue};
use rcdk_core::{App, Assembly, Stack};
use serde_json::{json, Value};

const CERT: &str =
    "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";

fn assembly() -> Assembly {
    let vpc = TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("Private", 22))
        .nat(NatPolicy::Single)
        .build()
        .unwrap();
    let cluster = EcsCluster::new().spot_share(1, 1, 3);
    let uploads = Bucket::new();
    let jobs = Queue::new();
    let image = SsmParameter::string(
        "/api/worker-image",
        "public.ecr.aws/docker/library/busybox:1.36",
    );
    let mut api = EcsService::builder("api", &cluster, &vpc)
        .container(
            Container::new(
                "api",
                ContainerImage::registry("public.ecr.aws/docker/library/nginx:1.27"),
            )
            .unwrap()
            .port(8080),
        )
        .container(
            Container::new(
                "worker",
                ContainerImage::from_ssm_parameter(&image, Some("api-worker")),
            )
            .unwrap()
            .not_essential(),
        )
        .autoscaling(AutoScaling::cpu(2, 10, 50).unwrap())
        .exec(true)
        .build()
        .unwrap();
    uploads.grant_read(&mut api);
    jobs.grant_send(&mut api);
    ParameterPath::new("/api/").unwrap().grant_read(&mut api);
    let mut alb = ApplicationLoadBalancer::builder(&vpc)
        .certificate(CERT)
        .deletion_protection(true)
        .build()
        .unwrap();
    alb.route(&mut api, Route::host("api.example.com").or_path("/v1/*"))
        .unwrap();
    let mut app = App::new().with(
        Stack::new("Api")
            .with("Network", vpc)
            .with("Cluster", cluster)
            .with("Uploads", uploads)
            .with("Jobs", jobs)
            .with("WorkerImage", image)
            .with("Alb", alb)
            .with("Api", api),
    );
    app.synth().unwrap()
}

fn resources(t: &Value, ty: &str) -> Vec<Value> {
    t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == ty)
        .cloned()
        .collect()
}

#[test]
fn http_redirects_and_https_serves_the_routes() {
    let t = assembly().stacks[0].template_json();
    let listeners = resources(&t, "AWS::ElasticLoadBalancingV2::Listener");
    assert_eq!(listeners.len(), 2);
    let http = listeners
        .iter()
        .find(|l| l["Properties"]["Port"] == 80)
        .unwrap();
    assert_eq!(
        http["Properties"]["DefaultActions"],
        json!([{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
    );
    let https = listeners
        .iter()
        .find(|l| l["Properties"]["Port"] == 443)
        .unwrap();
    assert_eq!(https["Properties"]["SslPolicy"], TLS_POLICY);
    assert_eq!(
        https["Properties"]["DefaultActions"][0]["Type"],
        "fixed-response"
    );
    let rule = &resources(&t, "AWS::ElasticLoadBalancingV2::ListenerRule")[0];
    assert_eq!(
        rule["Properties"]["Conditions"],
        json!([
            {"Field": "host-header", "HostHeaderConfig": {"Values": ["api.example.com"]}},
            {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/v1/*"]}}
        ])
    );
    let lb = &resources(&t, "AWS::ElasticLoadBalancingV2::LoadBalancer")[0];
    let attributes = lb["Properties"]["LoadBalancerAttributes"]
        .as_array()
        .unwrap();
    assert!(attributes.contains(&json!({"Key": "deletion_protection.enabled", "Value": "true"})));
    assert!(attributes.contains(
        &json!({"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"})
    ));
}

#[test]
fn the_internet_reaches_80_and_443_of_the_load_balancer_only() {
    let t = assembly().stacks[0].template_json();
    let mut open: Vec<i64> = resources(&t, "AWS::EC2::SecurityGroupIngress")
        .iter()
        .filter(|r| r["Properties"]["CidrIp"] == "0.0.0.0/0")
        .map(|r| r["Properties"]["FromPort"].as_i64().unwrap())
        .collect();
    open.sort();
    assert_eq!(open, [80, 443]);
}

#[test]
fn storage_is_secure_by_default_and_grants_are_scoped() {
    let t = assembly().stacks[0].template_json();
    let bucket = &resources(&t, "AWS::S3::Bucket")[0]["Properties"];
    assert_eq!(
        bucket["VersioningConfiguration"],
        json!({"Status": "Enabled"})
    );
    assert_eq!(
        bucket["PublicAccessBlockConfiguration"],
        json!({"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true})
    );
    let policy = &resources(&t, "AWS::S3::BucketPolicy")[0]["Properties"]["PolicyDocument"];
    assert_eq!(policy["Statement"][0]["Effect"], "Deny");
    assert_eq!(
        policy["Statement"][0]["Condition"],
        json!({"Bool": {"aws:SecureTransport": "false"}})
    );
    assert_eq!(
        resources(&t, "AWS::SQS::Queue")[0]["Properties"]["SqsManagedSseEnabled"],
        true
    );

    let task_policy = resources(&t, "AWS::IAM::Policy")
        .into_iter()
        .find(|p| {
            p["Properties"]["PolicyDocument"]
                .to_string()
                .contains("ssm:GetParametersByPath")
        })
        .unwrap();
    let text = task_policy["Properties"]["PolicyDocument"].to_string();
    assert!(text.contains("parameter/api/*"), "{text}");
    assert!(text.contains("ssmmessages:OpenDataChannel"), "{text}");
    assert!(!text.contains("s3:PutObject"), "read-only grant: {text}");
}

#[test]
fn autoscaling_and_capacity_providers() {
    let t = assembly().stacks[0].template_json();
    let target = &resources(&t, "AWS::ApplicationAutoScaling::ScalableTarget")[0]["Properties"];
    assert_eq!(target["MinCapacity"], 2);
    assert_eq!(target["MaxCapacity"], 10);
    assert_eq!(target["ScalableDimension"], "ecs:service:DesiredCount");
    let cluster = &resources(&t, "AWS::ECS::Cluster")[0]["Properties"];
    assert_eq!(
        cluster["CapacityProviders"],
        json!(["FARGATE", "FARGATE_SPOT"])
    );
    assert_eq!(
        cluster["ClusterSettings"],
        json!([{"Name": "containerInsights", "Value": "enabled"}])
    );
    let service = &resources(&t, "AWS::ECS::Service")[0]["Properties"];
    assert_eq!(service["EnableExecuteCommand"], true);
    // Left to autoscaling: a deployment must not reset the count it reached.
    assert!(service.get("DesiredCount").is_none());
    assert_eq!(
        service["CapacityProviderStrategy"],
        cluster["DefaultCapacityProviderStrategy"]
    );
}

#[test]
fn the_load_balancer_cost_is_reported() {
    let assembly = assembly();
    let (alb_path, alb) = assembly
        .costs
        .iter()
        .find(|(_, c)| c.item == "Application Load Balancer")
        .unwrap_or_else(|| panic!("no load balancer cost in {:?}", assembly.costs));
    assert_eq!(alb.count, 1);
    // The load balancer's nodes' public addresses are reported by the same construct.
    let ips = assembly
        .costs
        .iter()
        .find(|(path, c)| path == alb_path && c.item == "public IPv4 address")
        .unwrap();
    assert_eq!(ips.1.count, 2);
}

#[test]
fn cfn_lint_passes() {
    let dir = tempfile::tempdir().unwrap();
    let assembly = assembly();
    assembly.write(dir.path()).unwrap();
    rcdk_testkit::lint::cfn_lint(&[dir.path().join(&assembly.stacks[0].file_name)]).unwrap();
}

#[test]
fn an_image_from_ssm_is_resolved_at_deployment_and_pulled_from_its_repository() {
    let t = assembly().stacks[0].template_json();
    let td = &resources(&t, "AWS::ECS::TaskDefinition")[0]["Properties"];
    // The parameter's `Ref` keeps the dependency: the task definition waits for it.
    let image = td["ContainerDefinitions"][1]["Image"].to_string();
    assert!(image.contains("{{resolve:ssm:${Name}}}"), "{image}");
    assert!(image.contains("WorkerImage"), "{image}");
    let exec = resources(&t, "AWS::IAM::Policy")
        .into_iter()
        .find(|p| {
            p["Properties"]["PolicyDocument"]
                .to_string()
                .contains("ecr:BatchGetImage")
        })
        .unwrap();
    assert!(exec["Properties"]["PolicyDocument"]
        .to_string()
        .contains("repository/api-worker"));
}
