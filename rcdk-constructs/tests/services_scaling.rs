//! Autoscaling of a Fargate service: target tracking on CPU, memory or load balancer requests per
//! task, scheduled changes of the range, and the settings that are refused.

use rcdk_constructs::ecs::{
    AutoScaling, Container, ContainerImage, EcsCluster, EcsService, ScalingMetric,
};
use rcdk_constructs::elbv2::{ApplicationLoadBalancer, Route};
use rcdk_constructs::error::ConstructError;
use rcdk_constructs::network::{NatPolicy, Tier, TieredVpc};
use rcdk_core::{App, Assembly, Stack};
use serde_json::{json, Value};

fn vpc() -> TieredVpc {
    TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("Private", 22))
        .nat(NatPolicy::Single)
        .build()
        .unwrap()
}

fn service(vpc: &TieredVpc, cluster: &EcsCluster, scaling: AutoScaling) -> EcsService {
    EcsService::builder("orders", cluster, vpc)
        .container(
            Container::new(
                "web",
                ContainerImage::registry("public.ecr.aws/nginx/nginx:1.27"),
            )
            .unwrap()
            .port(8080),
        )
        .autoscaling(scaling)
        .build()
        .unwrap()
}

/// The app with `scaling` on a service, behind a load balancer when `routed`.
fn app(scaling: AutoScaling, routed: bool) -> App {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let mut orders = service(&vpc, &cluster, scaling);
    let mut stack = Stack::new("Orders")
        .with("Network", vpc.clone())
        .with("Cluster", cluster);
    if routed {
        let mut alb = ApplicationLoadBalancer::builder(&vpc).build().unwrap();
        alb.route(&mut orders, Route::path("/orders/*")).unwrap();
        stack = stack.with("Alb", alb);
    }
    App::new().with(stack.with("Service", orders))
}

fn synth(scaling: AutoScaling, routed: bool) -> (Assembly, Value) {
    let assembly = app(scaling, routed).synth().unwrap();
    let t = assembly.stack("Orders").unwrap().template_json();
    (assembly, t)
}

fn one(t: &Value, type_name: &str) -> (String, Value) {
    let found: Vec<(String, Value)> = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == type_name)
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect();
    assert_eq!(found.len(), 1, "{type_name}: {found:#?}");
    found.into_iter().next().unwrap()
}

fn night_and_day() -> AutoScaling {
    AutoScaling::cpu(2, 10, 60)
        .unwrap()
        .schedule("night", "cron(0 22 * * ? *)", 1, 2)
        .unwrap()
        .schedule("day", "cron(0 6 * * ? *)", 2, 10)
        .unwrap()
}

#[test]
fn cpu_scaling_with_schedules() {
    let scaling = night_and_day();
    assert_eq!(
        (scaling.min(), scaling.max(), scaling.metric()),
        (2, 10, ScalingMetric::Cpu)
    );
    let (_, t) = synth(scaling, false);
    let (target_id, target) = one(&t, "AWS::ApplicationAutoScaling::ScalableTarget");
    let p = &target["Properties"];
    assert_eq!(p["MinCapacity"], 2);
    assert_eq!(p["MaxCapacity"], 10);
    assert_eq!(p["ServiceNamespace"], "ecs");
    assert_eq!(p["ScalableDimension"], "ecs:service:DesiredCount");
    assert_eq!(
        p["ScheduledActions"],
        json!([
            {"ScheduledActionName": "night", "Schedule": "cron(0 22 * * ? *)",
             "ScalableTargetAction": {"MinCapacity": 1, "MaxCapacity": 2}},
            {"ScheduledActionName": "day", "Schedule": "cron(0 6 * * ? *)",
             "ScalableTargetAction": {"MinCapacity": 2, "MaxCapacity": 10}},
        ])
    );
    let (service_id, service) = one(&t, "AWS::ECS::Service");
    let (cluster_id, _) = one(&t, "AWS::ECS::Cluster");
    assert_eq!(
        p["ResourceId"],
        json!({"Fn::Sub": ["service/${Cluster}/${Service}", {
            "Cluster": {"Ref": cluster_id},
            "Service": {"Fn::GetAtt": [service_id, "Name"]},
        }]})
    );
    // The scaling range decides the count: no DesiredCount for a deployment to reset.
    assert!(service["Properties"].get("DesiredCount").is_none());

    let (_, policy) = one(&t, "AWS::ApplicationAutoScaling::ScalingPolicy");
    let p = &policy["Properties"];
    assert_eq!(p["PolicyType"], "TargetTrackingScaling");
    assert_eq!(p["ScalingTargetId"], json!({"Ref": target_id}));
    let config = &p["TargetTrackingScalingPolicyConfiguration"];
    assert_eq!(config["TargetValue"], 60);
    assert_eq!(
        config["PredefinedMetricSpecification"],
        json!({"PredefinedMetricType": "ECSServiceAverageCPUUtilization"})
    );
}

#[test]
fn memory_scaling_without_schedules() {
    let (_, t) = synth(AutoScaling::memory(1, 4, 75).unwrap(), false);
    let (_, target) = one(&t, "AWS::ApplicationAutoScaling::ScalableTarget");
    assert!(target["Properties"].get("ScheduledActions").is_none());
    let (_, policy) = one(&t, "AWS::ApplicationAutoScaling::ScalingPolicy");
    let config = &policy["Properties"]["TargetTrackingScalingPolicyConfiguration"];
    assert_eq!(config["TargetValue"], 75);
    assert_eq!(
        config["PredefinedMetricSpecification"],
        json!({"PredefinedMetricType": "ECSServiceAverageMemoryUtilization"})
    );
}

fn requests_and_schedule() -> AutoScaling {
    AutoScaling::requests_per_task(2, 20, 500)
        .unwrap()
        .schedule("sale", "at(2026-12-24T18:00:00)", 10, 20)
        .unwrap()
        .schedule("weekly", "rate(7 days)", 2, 20)
        .unwrap()
}

#[test]
fn requests_per_task_follows_the_routed_target_group() {
    let (assembly, t) = synth(requests_and_schedule(), true);
    let (lb, _) = one(&t, "AWS::ElasticLoadBalancingV2::LoadBalancer");
    let (tg, _) = one(&t, "AWS::ElasticLoadBalancingV2::TargetGroup");
    let (_, policy) = one(&t, "AWS::ApplicationAutoScaling::ScalingPolicy");
    let config = &policy["Properties"]["TargetTrackingScalingPolicyConfiguration"];
    assert_eq!(config["TargetValue"], 500);
    assert_eq!(
        config["PredefinedMetricSpecification"],
        json!({
            "PredefinedMetricType": "ALBRequestCountPerTarget",
            "ResourceLabel": {"Fn::Join": ["/", [
                {"Fn::GetAtt": [lb, "LoadBalancerFullName"]},
                {"Fn::GetAtt": [tg, "TargetGroupFullName"]},
            ]]},
        })
    );
    let (_, target) = one(&t, "AWS::ApplicationAutoScaling::ScalableTarget");
    let names: Vec<&Value> = target["Properties"]["ScheduledActions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["Schedule"])
        .collect();
    assert_eq!(
        names,
        [&json!("at(2026-12-24T18:00:00)"), &json!("rate(7 days)")]
    );

    // Scheduled and request-count scaling together are valid CloudFormation.
    let dir = tempfile::tempdir().unwrap();
    assembly.write(dir.path()).unwrap();
    rcdk_testkit::lint::cfn_lint(&[dir.path().join(&assembly.stacks[0].file_name)]).unwrap();
}

#[test]
fn requests_per_task_without_a_load_balancer_fails_synthesis() {
    let err = app(AutoScaling::requests_per_task(2, 20, 500).unwrap(), false)
        .synth()
        .unwrap_err()
        .to_string();
    assert!(err.contains("Orders/Service"), "{err}");
    assert!(
        err.contains("scaling on requests per task needs the service behind a load balancer"),
        "{err}"
    );
    // CPU scaling of the same service needs no load balancer.
    assert!(app(AutoScaling::cpu(2, 20, 50).unwrap(), false)
        .synth()
        .is_ok());
}

#[test]
fn bad_ranges_are_refused() {
    let max_zero = AutoScaling::cpu(0, 0, 50).unwrap_err();
    assert_eq!(
        max_zero,
        ConstructError::OutOfRange {
            construct: "AutoScaling",
            setting: "max",
            value: 0,
            allowed: "1 or more",
        }
    );
    for err in [
        AutoScaling::memory(5, 2, 50).unwrap_err(),
        AutoScaling::requests_per_task(5, 2, 100).unwrap_err(),
        AutoScaling::cpu(1, 4, 50)
            .unwrap()
            .schedule("night", "cron(0 22 * * ? *)", 3, 1)
            .unwrap_err(),
    ] {
        assert!(
            matches!(&err, ConstructError::Conflict { construct, problem }
                if construct == "AutoScaling" && problem.contains("exceeds max")),
            "{err:?}"
        );
    }
    assert!(matches!(
        AutoScaling::cpu(1, 4, 50)
            .unwrap()
            .schedule("night", "cron(0 22 * * ? *)", 0, 0),
        Err(ConstructError::OutOfRange { setting: "max", .. })
    ));
    assert!(matches!(
        AutoScaling::requests_per_task(1, 4, 0),
        Err(ConstructError::OutOfRange {
            setting: "requests_per_task",
            ..
        })
    ));
    for percent in [5, 95] {
        assert!(matches!(
            AutoScaling::cpu(1, 4, percent),
            Err(ConstructError::OutOfRange {
                setting: "target_percent",
                ..
            })
        ));
    }
    // min = max is a fixed count, and min 0 lets the service scale to nothing: both allowed.
    assert!(AutoScaling::cpu(3, 3, 50).is_ok());
    assert!(AutoScaling::cpu(0, 3, 50).is_ok());
}

#[test]
fn bad_schedules_and_names_are_refused() {
    let base = || AutoScaling::cpu(1, 4, 50).unwrap();
    for expression in [
        "0 22 * * ? *",
        "cron(0 22 * * ? *",
        "Cron(0 22 * * ? *)",
        "every(1 hour)",
        "",
    ] {
        let err = base().schedule("night", expression, 1, 2).unwrap_err();
        assert!(
            matches!(&err, ConstructError::InvalidName { what: "schedule", name, .. }
                if name == expression),
            "{expression}: {err:?}"
        );
        assert!(err.to_string().contains("`cron(0 22 * * ? *)`"), "{err}");
    }
    for name in ["", "night shift", "nacht/ruhe", &"n".repeat(201)] {
        let err = base()
            .schedule(name, "cron(0 22 * * ? *)", 1, 2)
            .unwrap_err();
        assert!(
            matches!(
                &err,
                ConstructError::InvalidName {
                    what: "scheduled action name",
                    ..
                }
            ),
            "{name}: {err:?}"
        );
    }
    // Two actions with one name.
    let twice = base()
        .schedule("night", "cron(0 22 * * ? *)", 1, 2)
        .unwrap()
        .schedule("night", "cron(0 23 * * ? *)", 1, 1)
        .unwrap_err();
    assert_eq!(
        twice.to_string(),
        "AutoScaling: scheduled action name `night` is not valid: it must be 1-200 letters, \
         digits, `-` or `_`, unique within the service"
    );
}

#[test]
fn desired_count_and_autoscaling_conflict() {
    let vpc = vpc();
    let cluster = EcsCluster::new();
    let err = EcsService::builder("orders", &cluster, &vpc)
        .container(
            Container::new("web", ContainerImage::registry("nginx:1.27"))
                .unwrap()
                .port(8080),
        )
        .desired_count(3)
        .autoscaling(AutoScaling::cpu(2, 6, 60).unwrap())
        .build()
        .err()
        .unwrap();
    assert!(
        err.to_string().starts_with(
            "EcsService `orders`: desired count 3 is set together with autoscaling 2-6"
        ),
        "{err}"
    );
}

#[test]
fn costs_count_the_minimum_tasks_and_the_two_alarms_of_target_tracking() {
    let (assembly, _) = synth(AutoScaling::cpu(3, 10, 60).unwrap(), false);
    let of = |item: &str| {
        assembly
            .costs
            .iter()
            .filter(|(_, c)| c.item == item)
            .map(|(_, c)| (c.count, c.usd_per_month_each()))
            .collect::<Vec<_>>()
    };
    // The smallest size (0.25 vCPU, 0.5 GB) on x86_64: (0.25 x 0.04048 + 0.5 x 0.004445) USD/h
    // x 730 h each; the scaling minimum runs whatever the load.
    assert_eq!(
        of("Fargate task 0.25 vCPU 0.5 GB x86_64"),
        [(3, Some(9.01))]
    );
    assert_eq!(of("CloudWatch alarm of target tracking"), [(2, Some(0.1))]);
}

#[test]
fn spot_tasks_are_named_in_the_report_not_counted() {
    let vpc = vpc();
    let cluster = EcsCluster::new().spot_share(1, 1, 1);
    let orders = EcsService::builder("orders", &cluster, &vpc)
        .container(
            Container::new(
                "web",
                ContainerImage::registry("public.ecr.aws/nginx/nginx:1.27"),
            )
            .unwrap(),
        )
        .desired_count(3)
        .build()
        .unwrap();
    let assembly = App::new()
        .with(
            Stack::new("Orders")
                .with("Network", vpc)
                .with("Cluster", cluster)
                .with("Service", orders),
        )
        .synth()
        .unwrap();
    let report = rcdk_core::cli::cost_lines(&assembly.costs);
    // One on demand as base, the other two split 1:1.
    assert!(
        report.contains(&"  2 x Fargate task 0.25 vCPU 0.5 GB x86_64 ~ 18 USD/month".to_string()),
        "{report:#?}"
    );
    assert!(
        report.contains(
            &"  not counted: 1 x Fargate Spot task 0.25 vCPU 0.5 GB x86_64 (Spot prices vary; \
              at most the on-demand price)"
                .to_string()
        ),
        "{report:#?}"
    );
}
