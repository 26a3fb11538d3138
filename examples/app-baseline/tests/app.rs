//! The app-baseline example against seed 004's Takeaways: the security-group chain internet ->
//! ALB (80) -> instances (8080) -> Postgres (5432) with no port 22 anywhere, IMDSv2 and an
//! encrypted gp3 root volume, the instance role's and the CI role's exact permissions and the
//! CI trust's `sub` condition, the backups' lifecycle, the nightly job's schedule and reach,
//! the budget's thresholds, and the fixed costs printed at synthesis.

use rcdk::core::{Assembly, StackArtifact};
use serde_json::{json, Value};

fn synth() -> Assembly {
    app_baseline::build_app().unwrap().synth().unwrap()
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

fn of_type<'a>(t: &'a Value, ty: &'a str) -> impl Iterator<Item = (&'a String, &'a Value)> + 'a {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(move |(_, r)| r["Type"] == ty)
}

fn arn(id: &str) -> Value {
    json!({"Fn::GetAtt": [id, "Arn"]})
}

fn gid(id: &str) -> Value {
    json!({"Fn::GetAtt": [id, "GroupId"]})
}

/// Sorted (action, resource) pairs of a policy document's statements, all of which allow.
fn pairs(document: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for st in document["Statement"].as_array().unwrap() {
        assert_eq!(st["Effect"], "Allow", "{st}");
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

/// (peer, port) of every ingress (`egress` false) or egress rule of group `group`, sorted; the
/// peer is the other group or the CIDR. Standalone rules and rules inside the group both count.
fn rules(t: &Value, group: &str, egress: bool) -> Vec<(Value, i64)> {
    let (ty, peer_key, inline) = if egress {
        (
            "AWS::EC2::SecurityGroupEgress",
            "DestinationSecurityGroupId",
            "SecurityGroupEgress",
        )
    } else {
        (
            "AWS::EC2::SecurityGroupIngress",
            "SourceSecurityGroupId",
            "SecurityGroupIngress",
        )
    };
    let peer = |p: &Value| {
        p.get(peer_key)
            .or_else(|| p.get("CidrIp"))
            .cloned()
            .unwrap()
    };
    let mut out: Vec<(Value, i64)> = of_type(t, ty)
        .map(|(_, r)| &r["Properties"])
        .filter(|p| p["GroupId"] == gid(group))
        .map(|p| (peer(p), p["FromPort"].as_i64().unwrap()))
        .collect();
    for p in t["Resources"][group]["Properties"][inline]
        .as_array()
        .into_iter()
        .flatten()
    {
        // The construct's placeholder for "no egress": ICMP to 255.255.255.255/32.
        if p["CidrIp"] == "255.255.255.255/32" {
            continue;
        }
        out.push((peer(p), p["FromPort"].as_i64().unwrap()));
    }
    out.sort_by_key(|(s, p)| (s.to_string(), *p));
    out
}

#[test]
fn security_groups_chain_internet_alb_instances_postgres() {
    let assembly = synth();
    let stack = assembly.stack("AppBaseline").unwrap();
    let t = stack.template_json();
    let group = |suffix: &str| at(stack, &t, suffix).0.to_string();
    let alb = group("Baseline/Alb/SecurityGroup/Resource");
    let app = group("Baseline/App/LaunchTemplate/SecurityGroup/Resource");
    let db = group("Baseline/Database/SecurityGroup/Resource");
    let job = group("Baseline/NightlyDump/SecurityGroup/Resource");
    assert_eq!(of_type(&t, "AWS::EC2::SecurityGroup").count(), 4);

    // Load balancer: HTTP from the internet in, 8080 to the instances out, nothing else.
    assert_eq!(rules(&t, &alb, false), [(json!("0.0.0.0/0"), 80)]);
    assert_eq!(rules(&t, &alb, true), [(gid(&app), 8080)]);
    // Instances: 8080 from the load balancer only; Postgres and HTTPS (SSM, ECR, S3) out.
    assert_eq!(rules(&t, &app, false), [(gid(&alb), 8080)]);
    let mut out = vec![(gid(&db), 5432), (json!("0.0.0.0/0"), 443)];
    out.sort_by_key(|(s, p)| (s.to_string(), *p));
    assert_eq!(rules(&t, &app, true), out);
    // Postgres: 5432 from the app tier and the nightly job, nothing out.
    let mut sources = vec![(gid(&app), 5432), (gid(&job), 5432)];
    sources.sort_by_key(|(s, p)| (s.to_string(), *p));
    assert_eq!(rules(&t, &db, false), sources);
    assert_eq!(rules(&t, &db, true), []);

    // The target group sends to instances on 8080, checked on the app's health path.
    let (_, tg) = of_type(&t, "AWS::ElasticLoadBalancingV2::TargetGroup")
        .next()
        .unwrap();
    assert_eq!(tg["Properties"]["TargetType"], "instance");
    assert_eq!(tg["Properties"]["Port"], 8080);
    assert_eq!(tg["Properties"]["HealthCheckPath"], "/health");
    let (tg_id, _) = of_type(&t, "AWS::ElasticLoadBalancingV2::TargetGroup")
        .next()
        .unwrap();
    let (_, asg) = at(stack, &t, "Baseline/App/Resource");
    assert_eq!(
        asg["Properties"]["TargetGroupARNs"],
        json!([{"Ref": tg_id}])
    );
    assert_eq!(asg["Properties"]["HealthCheckType"], "ELB");
    assert_eq!(asg["Properties"]["MinSize"], "2");
    assert_eq!(asg["Properties"]["MaxSize"], "6");
    let (_, lb) = at(stack, &t, "Baseline/Alb/Resource/Resource");
    assert_eq!(lb["Properties"]["Scheme"], "internet-facing");
}

#[test]
fn no_port_22_and_no_key_pair_anywhere() {
    let t = synth().stack("AppBaseline").unwrap().template_json();
    let opens_22 = |p: &Value| {
        let from = p["FromPort"].as_i64();
        let to = p["ToPort"].as_i64();
        let protocol = p["IpProtocol"].as_str().unwrap_or_default();
        protocol == "-1"
            || matches!((from, to), (Some(f), Some(t)) if f <= 22 && 22 <= t && protocol == "tcp")
    };
    for (id, r) in t["Resources"].as_object().unwrap() {
        let p = &r["Properties"];
        if r["Type"] == "AWS::EC2::SecurityGroupIngress" {
            assert!(!opens_22(p), "{id} admits port 22: {p}");
        }
        for rule in p["SecurityGroupIngress"].as_array().into_iter().flatten() {
            assert!(!opens_22(rule), "{id} admits port 22: {rule}");
        }
    }
    let text = t.to_string();
    assert!(!text.contains("KeyName"), "a key pair is named");
    assert!(
        !text.contains("AWS::EC2::Instance\""),
        "a lone instance (bastion?)"
    );
}

#[test]
fn instances_use_imdsv2_an_encrypted_gp3_root_and_amazon_linux_2023() {
    let assembly = synth();
    let stack = assembly.stack("AppBaseline").unwrap();
    let t = stack.template_json();
    let (_, lt) = at(stack, &t, "Baseline/App/LaunchTemplate/Resource");
    let data = &lt["Properties"]["LaunchTemplateData"];
    assert_eq!(data["MetadataOptions"]["HttpTokens"], "required");
    assert_eq!(data["MetadataOptions"]["HttpPutResponseHopLimit"], 2);
    let ebs = &data["BlockDeviceMappings"][0]["Ebs"];
    assert_eq!(ebs["VolumeType"], "gp3");
    assert_eq!(ebs["Encrypted"], true);
    assert_eq!(ebs["VolumeSize"], 30);
    assert_eq!(data["InstanceType"], "t3.small");
    assert_eq!(data["CreditSpecification"]["CpuCredits"], "standard");
    // The AMI is AWS's public SSM parameter for AL2023 on x86_64, resolved by CloudFormation.
    let image = data["ImageId"]["Ref"].as_str().unwrap();
    let parameter = &t["Parameters"][image];
    assert_eq!(
        parameter["Type"],
        "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
    );
    let default = parameter["Default"].as_str().unwrap();
    assert!(
        default.contains("al2023") && default.contains("x86_64"),
        "{default}"
    );
    // The user data logs in to ECR with the instance profile and runs the version tag on 8080.
    let script = data["UserData"].to_string();
    assert!(script.contains("aws ecr get-login-password"), "{script}");
    assert!(script.contains("-p 8080:8080"), "{script}");
    assert!(script.contains(":v1.0.0"), "{script}");
}

#[test]
fn the_instance_role_pulls_the_image_reads_config_and_runs_session_manager_only() {
    let assembly = synth();
    let stack = assembly.stack("AppBaseline").unwrap();
    let t = stack.template_json();
    let (images, repo) = at(stack, &t, "Baseline/Images/Resource");
    let (config, _) = at(stack, &t, "Baseline/Config/Resource");
    let (_, policy) = at(
        stack,
        &t,
        "Baseline/App/LaunchTemplate/Role/DefaultPolicy/Resource",
    );
    assert_eq!(
        pairs(&policy["Properties"]["PolicyDocument"]),
        expected(&[
            ("ecr:BatchCheckLayerAvailability", arn(images)),
            ("ecr:BatchGetImage", arn(images)),
            ("ecr:GetDownloadUrlForLayer", arn(images)),
            ("ecr:GetAuthorizationToken", json!("*")),
            ("s3:ListBucket", arn(config)),
            (
                "s3:GetObject",
                json!({"Fn::Join": ["", [arn(config), "/*"]]})
            ),
            (
                "ssm:UpdateInstanceInformation",
                json!({"Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*"})
            ),
            ("ssmmessages:CreateControlChannel", json!("*")),
            ("ssmmessages:CreateDataChannel", json!("*")),
            ("ssmmessages:OpenControlChannel", json!("*")),
            ("ssmmessages:OpenDataChannel", json!("*")),
        ])
    );
    // No managed policy (AmazonSSMManagedInstanceCore would read every SSM parameter).
    let (role, r) = at(stack, &t, "Baseline/App/LaunchTemplate/Role/Resource");
    assert!(r["Properties"].get("ManagedPolicyArns").is_none(), "{r}");
    let (_, profile) = of_type(&t, "AWS::IAM::InstanceProfile").next().unwrap();
    assert_eq!(profile["Properties"]["Roles"], json!([{"Ref": role}]));

    // The repository: private, scanned on push, immutable tags.
    let p = &repo["Properties"];
    assert_eq!(p["ImageScanningConfiguration"]["ScanOnPush"], true);
    assert_eq!(p["ImageTagMutability"], "IMMUTABLE");
    assert!(p.get("RepositoryPolicyText").is_none(), "{p}");
}

#[test]
fn the_ci_role_trusts_one_branch_of_one_repository_and_only_pushes_the_image() {
    let assembly = synth();
    let stack = assembly.stack("AppBaseline").unwrap();
    let t = stack.template_json();
    let (provider, p) = at(stack, &t, "Baseline/Ci/Provider/Resource");
    assert_eq!(
        p["Properties"]["Url"],
        "https://token.actions.githubusercontent.com"
    );
    let (_, role) = at(stack, &t, "Baseline/Ci/Role/Role/Resource");
    assert_eq!(role["Properties"]["MaxSessionDuration"], 3600);
    assert_eq!(
        role["Properties"]["AssumeRolePolicyDocument"]["Statement"],
        json!([{
            "Effect": "Allow",
            "Principal": {"Federated": {"Ref": provider}},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:acme/shop:ref:refs/heads/main"
            }}
        }])
    );
    let (images, _) = at(stack, &t, "Baseline/Images/Resource");
    let (_, policy) = at(stack, &t, "Baseline/Ci/Role/Role/DefaultPolicy/Resource");
    let mut want: Vec<(&str, Value)> = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:CompleteLayerUpload",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
        "ecr:UploadLayerPart",
    ]
    .into_iter()
    .map(|a| (a, arn(images)))
    .collect();
    // The token is for the whole registry: AWS takes no other resource for it.
    want.push(("ecr:GetAuthorizationToken", json!("*")));
    assert_eq!(
        pairs(&policy["Properties"]["PolicyDocument"]),
        expected(&want)
    );
    // The only OIDC trust in the stack is that one.
    assert_eq!(of_type(&t, "AWS::IAM::OIDCProvider").count(), 1);
}

#[test]
fn backups_go_to_glacier_after_30_days_and_expire_after_a_year() {
    let assembly = synth();
    let stack = assembly.stack("AppBaseline").unwrap();
    let t = stack.template_json();
    let (_, bucket) = at(stack, &t, "Baseline/Backups/Resource");
    let p = &bucket["Properties"];
    assert_eq!(p["VersioningConfiguration"]["Status"], "Enabled");
    // The bucket's default rules for every object (incomplete uploads, old versions), then the
    // dumps' own.
    assert_eq!(
        p["LifecycleConfiguration"]["Rules"],
        json!([{
            "Status": "Enabled",
            "Id": "AbortIncompleteMultipartUploads",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}
        }, {
            "Status": "Enabled",
            "Id": "ExpireNoncurrentVersions",
            "NoncurrentVersionExpiration": {"NoncurrentDays": 90}
        }, {
            "Status": "Enabled",
            "Id": "DumpsToGlacierThenExpire",
            "Prefix": "dumps/",
            "Transitions": [{"StorageClass": "GLACIER", "TransitionInDays": 30}],
            "ExpirationInDays": 365,
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}
        }])
    );
    assert_eq!(
        p["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"],
        true
    );
}

#[test]
fn the_nightly_job_runs_in_the_app_tier_reaches_postgres_and_only_writes_dumps() {
    let assembly = synth();
    let stack = assembly.stack("AppBaseline").unwrap();
    let t = stack.template_json();
    let (_, function) = at(stack, &t, "Baseline/NightlyDump/Resource");
    let p = &function["Properties"];
    let subnets: Vec<&str> = p["VpcConfig"]["SubnetIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| stack.paths[s["Ref"].as_str().unwrap()].as_str())
        .collect();
    assert_eq!(subnets.len(), 2);
    assert!(
        subnets.iter().all(|s| s.contains("/Vpc/App/Subnet")),
        "{subnets:?}"
    );
    assert_eq!(p["Runtime"], "provided.al2023");
    let (backups, _) = at(stack, &t, "Baseline/Backups/Resource");
    assert_eq!(
        p["Environment"]["Variables"]["BUCKET_NAME"],
        json!({"Ref": backups})
    );
    assert_eq!(p["Environment"]["Variables"]["DB_USER"], "nightly_dump");

    let (_, rule) = of_type(&t, "AWS::Events::Rule").next().unwrap();
    assert_eq!(
        rule["Properties"]["ScheduleExpression"],
        "cron(0 2 * * ? *)"
    );

    let (database, _) = at(stack, &t, "Baseline/Database/Resource");
    let (_, policy) = at(
        stack,
        &t,
        "Baseline/NightlyDump/ServiceRole/DefaultPolicy/Resource",
    );
    let granted = pairs(&policy["Properties"]["PolicyDocument"]);
    let dumps = json!({"Fn::Join": ["", [arn(backups), "/dumps/*"]]});
    let connect = json!({"Fn::Sub": [
        "arn:${AWS::Partition}:rds-db:${AWS::Region}:${AWS::AccountId}:dbuser:${Dbi}/nightly_dump",
        {"Dbi": {"Fn::GetAtt": [database, "DbiResourceId"]}}
    ]});
    assert!(
        granted.contains(&("s3:PutObject".to_string(), dumps.to_string())),
        "{granted:?}"
    );
    assert!(
        granted.contains(&("rds-db:connect".to_string(), connect.to_string())),
        "{granted:?}"
    );
    // Nothing else on the backups bucket: no reads, no deletes.
    let on_backups: Vec<_> = granted
        .iter()
        .filter(|(_, r)| r.contains(backups))
        .collect();
    assert_eq!(on_backups.len(), 1, "{on_backups:?}");
}

#[test]
fn the_database_is_isolated_encrypted_and_private() {
    let assembly = synth();
    let stack = assembly.stack("AppBaseline").unwrap();
    let t = stack.template_json();
    let (_, db) = at(stack, &t, "Baseline/Database/Resource");
    let p = &db["Properties"];
    assert_eq!(p["Engine"], "postgres");
    assert_eq!(p["PubliclyAccessible"], false);
    assert_eq!(p["StorageEncrypted"], true);
    let (_, group) = of_type(&t, "AWS::RDS::DBSubnetGroup").next().unwrap();
    for subnet in group["Properties"]["SubnetIds"].as_array().unwrap() {
        let path = &stack.paths[subnet["Ref"].as_str().unwrap()];
        assert!(path.contains("/Vpc/Data/Subnet"), "{path}");
    }
    // The data tier's route tables lead nowhere: no route resource names them.
    let data_tables: Vec<&str> = stack
        .paths
        .iter()
        .filter(|(_, p)| p.contains("/Vpc/Data/Subnet") && p.ends_with("/RouteTable"))
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(data_tables.len(), 2);
    for (_, route) in of_type(&t, "AWS::EC2::Route") {
        let table = route["Properties"]["RouteTableId"]["Ref"].as_str().unwrap();
        assert!(!data_tables.contains(&table), "{route}");
    }
}

#[test]
fn the_budget_alerts_at_several_thresholds_to_email_and_a_topic() {
    let assembly = synth();
    let stack = assembly.stack("AppBaseline").unwrap();
    let t = stack.template_json();
    let (_, budget) = at(stack, &t, "Baseline/Budget/Resource");
    let p = &budget["Properties"];
    assert_eq!(
        p["Budget"]["BudgetLimit"],
        json!({"Amount": 250.0, "Unit": "USD"})
    );
    assert_eq!(p["Budget"]["TimeUnit"], "MONTHLY");
    let (topic, _) = at(stack, &t, "Baseline/Budget/Topic/Resource");
    let mut thresholds = Vec::new();
    for n in p["NotificationsWithSubscribers"].as_array().unwrap() {
        let notification = &n["Notification"];
        assert_eq!(notification["ThresholdType"], "PERCENTAGE");
        thresholds.push((
            notification["NotificationType"]
                .as_str()
                .unwrap()
                .to_string(),
            notification["Threshold"].as_f64().unwrap(),
        ));
        assert_eq!(
            n["Subscribers"],
            json!([
                {"SubscriptionType": "EMAIL", "Address": "billing-alerts@example.com"},
                {"SubscriptionType": "SNS", "Address": {"Ref": topic}}
            ])
        );
    }
    assert_eq!(
        thresholds,
        [
            ("ACTUAL".to_string(), 50.0),
            ("ACTUAL".to_string(), 80.0),
            ("ACTUAL".to_string(), 100.0),
            ("FORECASTED".to_string(), 100.0)
        ]
    );
}

#[test]
fn fixed_costs_cover_instances_volumes_nat_alb_rds_secret_and_alarms() {
    let assembly = synth();
    // The whole report, line by line, is pinned with the other examples' in the workspace's
    // cost report test; here, how the baseline's charges are counted.
    let report = rcdk::core::cli::cost_lines(&assembly.costs);
    assert!(report[report.len() - 1].starts_with("  never counted: traffic"));
    let of = |item: &str| {
        assembly
            .costs
            .iter()
            .find(|(_, c)| c.item == item)
            .map(|(_, c)| (c.count, c.usd_per_month_each()))
            .unwrap()
    };
    assert_eq!(of("EC2 instance t3.small"), (2, Some(15.18)));
    assert_eq!(of("EBS gp3 volume 30 GiB"), (2, Some(2.4)));
    assert_eq!(of("EC2 detailed monitoring (per instance)"), (2, Some(2.1)));
    assert_eq!(of("RDS PostgreSQL instance db.t4g.micro"), (2, Some(11.68)));
    let total: f64 = assembly
        .costs
        .iter()
        .filter_map(|(_, c)| c.usd_per_month())
        .sum();
    // The budget leaves room above the fixed costs for traffic and storage.
    assert!(total < app_baseline::BUDGET_USD as f64 * 0.8, "{total}");
    assert!((150.0..170.0).contains(&total), "{total}");
}
