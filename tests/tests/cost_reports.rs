//! The cost report each example prints at synthesis: every fixed monthly charge it creates has
//! its line (NAT gateways, public addresses, endpoints, load balancer, database, cache, tasks,
//! instances and volumes, secrets, alarms), nothing is left out unnamed, and the report says
//! what it never counts. A new example fails here until its lines are written down.

mod common;

/// The lines between the header and the "never counted" line, per example.
const REPORTS: &[(&str, &[&str])] = &[
    (
        "app-baseline",
        &[
            "  2 x NAT gateway ~ 66 USD/month",
            "  4 x public IPv4 address ~ 15 USD/month",
            "  1 x Application Load Balancer ~ 16 USD/month",
            "  2 x EC2 instance t3.small ~ 30 USD/month",
            "  2 x EBS gp3 volume 30 GiB ~ 5 USD/month",
            "  2 x EC2 detailed monitoring (per instance) ~ 4 USD/month",
            "  2 x CloudWatch alarm of target tracking ~ 0.20 USD/month",
            "  2 x RDS PostgreSQL instance db.t4g.micro ~ 23 USD/month",
            "  2 x RDS gp3 storage 20 GB ~ 5 USD/month",
            "  1 x Secrets Manager secret ~ 0.40 USD/month",
            "  2 x KMS customer-managed key ~ 2 USD/month",
            "  total ~ 167 USD/month before traffic",
        ],
    ),
    // The key of each stack's log groups (Cluster and Iam).
    (
        "ecs-foundation",
        &[
            "  2 x KMS customer-managed key ~ 2 USD/month",
            "  total ~ 2 USD/month before traffic",
        ],
    ),
    ("hello", &[]),
    (
        "microservices",
        &[
            "  2 x NAT gateway ~ 66 USD/month",
            "  4 x public IPv4 address ~ 15 USD/month",
            "  8 x interface VPC endpoint AZ ~ 58 USD/month",
            "  1 x Application Load Balancer ~ 16 USD/month",
            "  2 x RDS PostgreSQL instance db.t4g.micro ~ 23 USD/month",
            "  2 x RDS gp3 storage 20 GB ~ 5 USD/month",
            "  4 x Secrets Manager secret ~ 2 USD/month",
            "  2 x KMS customer-managed key ~ 2 USD/month",
            "  2 x ElastiCache Redis node cache.t4g.micro ~ 23 USD/month",
            "  4 x Fargate task 0.5 vCPU 1 GB x86_64 ~ 72 USD/month",
            "  total ~ 282 USD/month before traffic",
        ],
    ),
    // The key of the function's log group.
    (
        "nightly-job",
        &[
            "  1 x KMS customer-managed key ~ 1 USD/month",
            "  total ~ 1 USD/month before traffic",
        ],
    ),
    (
        "smartinvoice",
        &[
            "  1 x NAT gateway ~ 33 USD/month",
            "  1 x public IPv4 address ~ 4 USD/month",
            "  1 x KMS customer-managed key ~ 1 USD/month",
            "  total ~ 38 USD/month before traffic",
        ],
    ),
    // The recovery region has no NAT gateway; each stack has the key of its flow logs' group.
    (
        "two-regions",
        &[
            "  1 x NAT gateway ~ 33 USD/month",
            "  1 x public IPv4 address ~ 4 USD/month",
            "  2 x KMS customer-managed key ~ 2 USD/month",
            "  total ~ 38 USD/month before traffic",
        ],
    ),
];

#[test]
fn every_example_reports_each_fixed_charge() {
    let names = common::example_names();
    let listed: Vec<&str> = REPORTS.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, listed, "write down the cost report of every example");
    for (name, expected) in REPORTS {
        let dir = tempfile::tempdir().unwrap();
        let out_dir = dir.path().join("out");
        let out = common::run(
            name,
            dir.path(),
            &["synth", "--output", out_dir.to_str().unwrap()],
        );
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{name} synth failed:\n{stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        let start = lines
            .iter()
            .position(|l| l.starts_with("fixed monthly costs"))
            .unwrap_or_else(|| panic!("{name}: no cost report in\n{stderr}"));
        let end = lines
            .iter()
            .position(|l| l.starts_with("  never counted: traffic"))
            .unwrap_or_else(|| panic!("{name}: the report does not say what it leaves out"));
        assert_eq!(&lines[start + 1..end], *expected, "{name}:\n{stderr}");
    }
}
