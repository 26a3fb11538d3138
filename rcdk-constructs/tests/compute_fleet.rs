//! EC2 fleets: a launch template (IMDSv2 with hop limit 1, encrypted gp3 root volume, no key
//! pair, Session Manager permissions, Amazon Linux 2023 from its public SSM parameter) and an
//! auto scaling group behind an application load balancer (instance targets on 8080, admitted
//! from the load balancer's group only), with the settings that are refused, a snapshot of the
//! template, and cfn-lint and checkov finding nothing.
//!
//! Snapshots: `INSTA_UPDATE=always cargo test -p rcdk-constructs --test compute_fleet` after
//! reviewing a deliberate change.

use rcdk_constructs::compute::{
    AutoScalingGroup, CpuArchitecture, Gp3Volume, InstanceType, LaunchTemplate, MachineImage,
    RollingUpdate, UserData,
};
use rcdk_constructs::elbv2::{ApplicationLoadBalancer, Route};
use rcdk_constructs::error::ConstructError;
use rcdk_constructs::network::{NatPolicy, SubnetSelection, Tier, TierKind, TieredVpc};
use rcdk_constructs::storage::{Bucket, IBucket};
use rcdk_core::{App, Assembly, Stack, StackArtifact};
use serde_json::{json, Value};

mod support;

fn vpc() -> TieredVpc {
    TieredVpc::builder()
        .tier(Tier::public("Public", 24))
        .tier(Tier::private("App", 22))
        .tier(Tier::isolated("Data", 24))
        .nat(NatPolicy::Single)
        .build()
        .unwrap()
}

fn template(vpc: &TieredVpc) -> LaunchTemplate {
    LaunchTemplate::builder("app", vpc, InstanceType::T3_SMALL)
        .root_volume(Gp3Volume::gib(20).unwrap())
        .user_data(
            UserData::shell()
                .command("dnf install -y docker")
                .command("systemctl enable --now docker"),
        )
        .build()
        .unwrap()
}

/// The fleet behind a load balancer, reading a configuration bucket.
fn assembly() -> Assembly {
    let vpc = vpc();
    let mut alb = ApplicationLoadBalancer::builder(&vpc).build().unwrap();
    let mut group = AutoScalingGroup::builder(&vpc, template(&vpc))
        .size(2, 6)
        .cpu_target_percent(60)
        .traffic_port(8080)
        .build()
        .unwrap();
    alb.route(&mut group, Route::path("/*").health_check_path("/health"))
        .unwrap();
    let config = Bucket::new();
    config.grant_read(&mut group);
    let mut app = App::new();
    app.add(
        Stack::new("Fleet")
            .with("Network", vpc)
            .with("Alb", alb)
            .with("App", group)
            .with("Config", config),
    );
    app.synth().unwrap()
}

fn of_type(stack: &StackArtifact, ty: &str) -> Vec<(String, Value)> {
    stack.template_json()["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect()
}

fn one(stack: &StackArtifact, ty: &str) -> (String, Value) {
    let all = of_type(stack, ty);
    assert_eq!(all.len(), 1, "{ty}: {all:?}");
    all.into_iter().next().unwrap()
}

#[test]
fn launch_template_is_locked_down() {
    let assembly = assembly();
    let stack = assembly.stack("Fleet").unwrap();
    let (_, lt) = one(stack, "AWS::EC2::LaunchTemplate");
    let data = &lt["Properties"]["LaunchTemplateData"];
    assert_eq!(
        data["MetadataOptions"],
        json!({
            "HttpEndpoint": "enabled",
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 1,
            "InstanceMetadataTags": "disabled"
        })
    );
    assert_eq!(
        data["BlockDeviceMappings"],
        json!([{
            "DeviceName": "/dev/xvda",
            "Ebs": {
                "VolumeType": "gp3",
                "VolumeSize": 20,
                "Iops": 3000,
                "Throughput": 125,
                "Encrypted": true,
                "DeleteOnTermination": true
            }
        }])
    );
    assert!(data.get("KeyName").is_none(), "{data}");
    assert_eq!(data["InstanceType"], "t3.small");
    assert_eq!(
        data["CreditSpecification"],
        json!({"CpuCredits": "standard"})
    );
    assert!(
        data["UserData"]["Fn::Base64"].is_object() || data["UserData"]["Fn::Base64"].is_string()
    );
    // The AMI comes from a parameter CloudFormation resolves from AWS's public one.
    let image_ref = data["ImageId"]["Ref"].as_str().unwrap();
    let json = stack.template_json();
    let parameter = &json["Parameters"][image_ref];
    assert_eq!(
        parameter["Type"],
        "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
    );
    assert_eq!(
        parameter["Default"],
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    );
    // The instance profile holds the role; the template names the profile.
    let (profile_id, profile) = one(stack, "AWS::IAM::InstanceProfile");
    assert_eq!(
        data["IamInstanceProfile"]["Arn"],
        json!({"Fn::GetAtt": [profile_id, "Arn"]})
    );
    assert_eq!(profile["Properties"]["Roles"].as_array().unwrap().len(), 1);
}

#[test]
fn no_port_22_and_only_the_load_balancer_reaches_8080() {
    let assembly = assembly();
    let stack = assembly.stack("Fleet").unwrap();
    let text = serde_json::to_string(&stack.template_json()).unwrap();
    assert!(!text.contains("\"FromPort\":22,"), "port 22 appears");
    let ingress = of_type(stack, "AWS::EC2::SecurityGroupIngress");
    let to_8080: Vec<&Value> = ingress
        .iter()
        .map(|(_, r)| &r["Properties"])
        .filter(|p| p["FromPort"] == 8080)
        .collect();
    assert_eq!(to_8080.len(), 1, "{ingress:?}");
    assert!(to_8080[0]["SourceSecurityGroupId"].is_object());
    assert!(to_8080[0].get("CidrIp").is_none());
}

#[test]
fn the_role_has_session_manager_and_the_grants_only() {
    let assembly = assembly();
    let stack = assembly.stack("Fleet").unwrap();
    // The instances' role; the other is the VPC's flow-log delivery role.
    let trusted_by_ec2: Vec<Value> = of_type(stack, "AWS::IAM::Role")
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| {
            r["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
                == json!({"Service": "ec2.amazonaws.com"})
        })
        .collect();
    assert_eq!(trusted_by_ec2.len(), 1, "{trusted_by_ec2:?}");
    let role = &trusted_by_ec2[0];
    assert!(role["Properties"].get("ManagedPolicyArns").is_none());
    let (_, policy) = one(stack, "AWS::IAM::Policy");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    let actions: Vec<String> = statements
        .iter()
        .flat_map(|s| match &s["Action"] {
            Value::String(a) => vec![a.clone()],
            Value::Array(a) => a.iter().map(|a| a.as_str().unwrap().to_string()).collect(),
            _ => vec![],
        })
        .collect();
    let mut sorted = actions.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "s3:GetObject",
            "s3:ListBucket",
            "ssm:UpdateInstanceInformation",
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel"
        ]
    );
    // Only the message channels (which have no resource type) are on `*`.
    for s in statements {
        if s["Resource"] == "*" {
            assert!(s["Action"]
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a.as_str().unwrap().starts_with("ssmmessages:")));
        }
    }
}

#[test]
fn group_rolls_scales_and_trusts_the_load_balancer() {
    let assembly = assembly();
    let stack = assembly.stack("Fleet").unwrap();
    let (group_id, group) = one(stack, "AWS::AutoScaling::AutoScalingGroup");
    let p = &group["Properties"];
    assert_eq!(p["MinSize"], "2");
    assert_eq!(p["MaxSize"], "6");
    assert!(p.get("DesiredCapacity").is_none(), "scaling decides: {p}");
    assert_eq!(p["HealthCheckType"], "ELB");
    assert_eq!(p["HealthCheckGracePeriod"], 300);
    assert_eq!(p["VPCZoneIdentifier"].as_array().unwrap().len(), 2);
    assert_eq!(p["TargetGroupARNs"].as_array().unwrap().len(), 1);
    assert_eq!(
        p["LaunchTemplate"]["Version"]["Fn::GetAtt"][1],
        "LatestVersionNumber"
    );
    assert_eq!(
        group["UpdatePolicy"]["AutoScalingRollingUpdate"],
        json!({
            "MaxBatchSize": 1,
            "MinInstancesInService": 2,
            "PauseTime": "PT300S",
            "SuspendProcesses": [
                "HealthCheck", "ReplaceUnhealthy", "AZRebalance", "AlarmNotification",
                "ScheduledActions"
            ]
        })
    );
    // The subnets are the private tier's, not the public or isolated ones.
    let subnet_refs: Vec<&str> = p["VPCZoneIdentifier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Ref"].as_str().unwrap())
        .collect();
    assert!(
        subnet_refs.iter().all(|s| s.contains("App")),
        "{subnet_refs:?}"
    );
    // Waits for the listener rule and the role's policy.
    let depends: Vec<&str> = group["DependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    let (rule_id, _) = one(stack, "AWS::ElasticLoadBalancingV2::ListenerRule");
    let (policy_id, _) = one(stack, "AWS::IAM::Policy");
    assert!(depends.contains(&rule_id.as_str()) && depends.contains(&policy_id.as_str()));
    let (_, tg) = one(stack, "AWS::ElasticLoadBalancingV2::TargetGroup");
    assert_eq!(tg["Properties"]["TargetType"], "instance");
    assert_eq!(tg["Properties"]["Port"], 8080);
    assert_eq!(tg["Properties"]["HealthCheckPath"], "/health");
    let (_, scaling) = one(stack, "AWS::AutoScaling::ScalingPolicy");
    assert_eq!(
        scaling["Properties"]["AutoScalingGroupName"],
        json!({"Ref": group_id})
    );
    assert_eq!(
        scaling["Properties"]["TargetTrackingConfiguration"],
        json!({
            "TargetValue": 60.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"}
        })
    );
}

#[test]
fn costs_count_instances_and_volumes() {
    let assembly = assembly();
    let costs = &assembly.costs;
    let text = format!("{costs:?}");
    assert!(text.contains("EC2 instance t3.small"), "{text}");
    assert!(text.contains("EBS gp3 volume 20 GiB"), "{text}");
}

#[test]
fn arm_types_get_the_arm_image_and_other_images_work() {
    let vpc = vpc();
    let t = LaunchTemplate::builder("arm", &vpc, InstanceType::T4G_MICRO)
        .build()
        .unwrap();
    let own = LaunchTemplate::builder("own", &vpc, InstanceType::M7I_LARGE)
        .machine_image(MachineImage::id("ami-0abc1234def567890").root_device("/dev/sda1"))
        .build()
        .unwrap();
    let mut app = App::new();
    app.add(
        Stack::new("Images")
            .with("Network", vpc)
            .with("Arm", t)
            .with("Own", own),
    );
    let assembly = app.synth().unwrap();
    let stack = assembly.stack("Images").unwrap();
    let json = stack.template_json();
    let params = json["Parameters"].as_object().unwrap();
    let defaults: Vec<&Value> = params.values().map(|p| &p["Default"]).collect();
    assert_eq!(
        defaults,
        [&json!(
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
        )]
    );
    let templates = of_type(stack, "AWS::EC2::LaunchTemplate");
    let own = templates
        .iter()
        .find(|(_, r)| r["Properties"]["LaunchTemplateData"]["ImageId"] == "ami-0abc1234def567890")
        .expect("the fixed AMI");
    let data = &own.1["Properties"]["LaunchTemplateData"];
    assert_eq!(data["BlockDeviceMappings"][0]["DeviceName"], "/dev/sda1");
    assert!(data.get("CreditSpecification").is_none(), "not burstable");
}

fn conflict_text(e: ConstructError) -> String {
    e.to_string()
}

#[test]
fn bad_settings_are_refused_with_what_to_change() {
    let vpc = vpc();
    let err = |r: Result<LaunchTemplate, ConstructError>| conflict_text(r.unwrap_err());
    // Volumes.
    assert!(Gp3Volume::gib(0).is_err());
    assert!(Gp3Volume::gib(65_537).is_err());
    assert!(Gp3Volume::gib(100).unwrap().iops(2_999).is_err());
    let e = Gp3Volume::gib(10)
        .unwrap()
        .iops(6_000)
        .unwrap_err()
        .to_string();
    assert!(e.contains("at least 12 GiB"), "{e}");
    let e = Gp3Volume::gib(100)
        .unwrap()
        .throughput_mibps(1_000)
        .unwrap_err()
        .to_string();
    assert!(e.contains("at least 4000 IOPS"), "{e}");
    assert!(Gp3Volume::gib(100)
        .unwrap()
        .iops(8_000)
        .unwrap()
        .throughput_mibps(2_000)
        .is_ok());
    // Templates.
    let e = err(LaunchTemplate::builder("app", &vpc, InstanceType::T3_SMALL)
        .root_volume(Gp3Volume::gib(4).unwrap())
        .build());
    assert!(
        e.contains("LaunchTemplate `app`") && e.contains("at least 8 GiB"),
        "{e}"
    );
    let e = err(
        LaunchTemplate::builder("app", &vpc, InstanceType::M7I_LARGE)
            .unlimited_cpu_credits()
            .build(),
    );
    assert!(e.contains("burstable"), "{e}");
    let e = err(LaunchTemplate::builder("app", &vpc, InstanceType::T3_SMALL)
        .metadata_hop_limit(0)
        .build());
    assert!(e.contains("hop limit"), "{e}");
    let e = err(LaunchTemplate::builder("my app", &vpc, InstanceType::T3_SMALL).build());
    assert!(e.contains("`my app`"), "{e}");
    let long = UserData::shell().command("x".repeat(17_000));
    let e = err(LaunchTemplate::builder("app", &vpc, InstanceType::T3_SMALL)
        .user_data(long)
        .build());
    assert!(e.contains("16,384"), "{e}");
    assert!(InstanceType::other("m7i", CpuArchitecture::X86_64).is_err());
    assert!(InstanceType::other("M7I.large", CpuArchitecture::X86_64).is_err());
    let e = InstanceType::other("t4g.small", CpuArchitecture::X86_64)
        .unwrap_err()
        .to_string();
    assert!(e.contains("T4G_SMALL"), "{e}");
    assert_eq!(
        InstanceType::other("m7i.large", CpuArchitecture::X86_64).unwrap(),
        InstanceType::M7I_LARGE
    );
    assert!(MachineImage::from_ssm_parameter("/bad path").is_err());
    // Groups.
    let group = |f: &dyn Fn(
        rcdk_constructs::compute::AutoScalingGroupBuilder<'_>,
    ) -> rcdk_constructs::compute::AutoScalingGroupBuilder<'_>| {
        f(AutoScalingGroup::builder(&vpc, template(&vpc)))
            .build()
            .unwrap_err()
            .to_string()
    };
    let e = group(&|b| b.size(5, 2));
    assert!(
        e.contains("AutoScalingGroup `app`") && e.contains("swap"),
        "{e}"
    );
    assert!(group(&|b| b.size(0, 0)).contains("maximum size"));
    let e = group(&|b| b.size(2, 6).desired(3).cpu_target_percent(50));
    assert!(e.contains("remove .desired"), "{e}");
    assert!(group(&|b| b.size(2, 6).desired(9)).contains("outside"));
    assert!(group(&|b| b.size(2, 6).cpu_target_percent(0)).contains("CPU target"));
    assert!(group(&|b| b.size(2, 2).cpu_target_percent(50)).contains("room to scale"));
    let e = group(&|b| b.subnets(SubnetSelection::tier("Public")));
    assert!(e.contains("public tier `Public`"), "{e}");
    assert!(group(&|b| b.subnets(SubnetSelection::Kind(TierKind::Public))).contains("public"));
    let e = group(&|b| {
        b.size(2, 4)
            .rolling_update(RollingUpdate::one_at_a_time().min_in_service(4))
    });
    assert!(e.contains("below the group's maximum 4"), "{e}");
    assert!(
        group(&|b| b.rolling_update(RollingUpdate::one_at_a_time().max_batch_size(0)))
            .contains("batch size")
    );
    assert!(
        group(&|b| b.rolling_update(RollingUpdate::one_at_a_time().pause_seconds(4_000)))
            .contains("1 hour")
    );
    // Isolated subnets are allowed (with endpoints for SSM).
    assert!(AutoScalingGroup::builder(&vpc, template(&vpc))
        .subnets(SubnetSelection::tier("Data"))
        .build()
        .is_ok());
    // Routing to a group without a traffic port.
    let mut alb = ApplicationLoadBalancer::builder(&vpc).build().unwrap();
    let mut portless = AutoScalingGroup::builder(&vpc, template(&vpc))
        .build()
        .unwrap();
    let e = alb
        .route(&mut portless, Route::path("/*"))
        .unwrap_err()
        .to_string();
    assert!(e.contains(".traffic_port(8080)"), "{e}");
}

#[test]
fn fixed_size_group_keeps_one_fewer_in_service_and_a_desired_count() {
    let vpc = vpc();
    let group = AutoScalingGroup::builder(&vpc, template(&vpc))
        .size(2, 2)
        .build()
        .unwrap();
    let mut app = App::new();
    app.add(Stack::new("Fixed").with("Network", vpc).with("App", group));
    let assembly = app.synth().unwrap();
    let (_, g) = one(
        assembly.stack("Fixed").unwrap(),
        "AWS::AutoScaling::AutoScalingGroup",
    );
    assert_eq!(g["Properties"]["DesiredCapacity"], "2");
    assert_eq!(g["Properties"]["HealthCheckType"], "EC2");
    assert_eq!(
        g["UpdatePolicy"]["AutoScalingRollingUpdate"]["MinInstancesInService"],
        1
    );
}

#[test]
fn template_snapshot() {
    let assembly = assembly();
    let stack = assembly.stack("Fleet").unwrap();
    insta::assert_json_snapshot!("compute_fleet", stack.template_json());
}

#[test]
fn cfn_lint_and_checkov_find_nothing() {
    let assembly = assembly();
    support::assert_lint_clean(&assembly);
}

#[test]
fn an_imported_listener_routes_to_a_group_with_an_explicit_priority() {
    use rcdk_constructs::elbv2::ImportedListener;
    use rcdk_constructs::network::SecurityGroup;
    let vpc = vpc();
    let mut listener = ImportedListener::from_arn(
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/fedcba9876543210",
        SecurityGroup::from_id("sg-0123456789abcdef0", "shared-alb"),
        &vpc,
    );
    let mut group = AutoScalingGroup::builder(&vpc, template(&vpc))
        .traffic_port(8080)
        .build()
        .unwrap();
    let e = listener
        .route(&mut group, Route::path("/app/*"))
        .unwrap_err()
        .to_string();
    assert!(e.contains(".priority(n)"), "{e}");
    listener
        .route(&mut group, Route::path("/app/*").priority(10))
        .unwrap();
    let mut app = App::new();
    app.add(
        Stack::new("Shared")
            .with("Network", vpc)
            .with("Listener", listener)
            .with("App", group),
    );
    let assembly = app.synth().unwrap();
    let stack = assembly.stack("Shared").unwrap();
    let (_, tg) = one(stack, "AWS::ElasticLoadBalancingV2::TargetGroup");
    assert_eq!(tg["Properties"]["TargetType"], "instance");
    let (_, rule) = one(stack, "AWS::ElasticLoadBalancingV2::ListenerRule");
    assert_eq!(rule["Properties"]["Priority"], 10);
    let ingress = of_type(stack, "AWS::EC2::SecurityGroupIngress");
    assert!(ingress.iter().any(|(_, r)| {
        r["Properties"]["FromPort"] == 8080
            && r["Properties"]["SourceSecurityGroupId"] == "sg-0123456789abcdef0"
    }));
    let (_, g) = one(stack, "AWS::AutoScaling::AutoScalingGroup");
    assert_eq!(g["Properties"]["HealthCheckType"], "ELB");
}
