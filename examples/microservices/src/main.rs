//! The network of a microservices platform on ECS Fargate, as described by seed 000
//! (`shared/seeds/000_aacc93a7cf1f402d.txt`, "VPC Networking and IAM"), sections 1-6 and 10-11:
//!
//! - §1, §2, §10: VPC 10.0.0.0/16 in 2 AZs with public (10.0.1.0/24, 10.0.2.0/24), private
//!   (10.0.10.0/24, 10.0.20.0/24) and data (10.0.100.0/24, 10.0.200.0/24) subnets; the data tier
//!   has no internet route.
//! - §3: internet gateway, a NAT gateway per AZ (the seed's high-availability option), a route
//!   table per subnet.
//! - §4: the security-group chain ALB (80/443 from the internet) -> tasks (3000) -> Postgres
//!   (5432) and Redis (6379), rules referencing groups, not CIDRs; tasks may call HTTPS APIs.
//! - §5: the private subnets' network ACL: 3000 in from the ALB subnets, ephemeral-port return
//!   traffic, HTTPS out, and the rules the seed's ACL needs to be complete (tasks to the data
//!   tier, replies to the tasks' own connections, endpoint traffic between the private subnets).
//! - §6: S3 gateway endpoint; ECR api and dkr, CloudWatch Logs and Secrets Manager interface
//!   endpoints admitting HTTPS from the tasks only.
//!
//! The ECS services, roles, database and cache of the seed are added to [`Platform`] later;
//! their security groups are already here.
//!
//! `cargo run -p microservices -- synth` writes `cdk.out/` and prints the fixed monthly costs.

use cdk::prelude::*;
use std::process::ExitCode;

/// Everything in the stack: the VPC and the security groups of the seed's chain.
#[derive(Construct)]
struct Platform {
    vpc: TieredVpc,
    alb: SecurityGroup,
    tasks: SecurityGroup,
    database: SecurityGroup,
    cache: SecurityGroup,
}

fn vpc() -> Result<TieredVpc, ConstructError> {
    TieredVpc::builder()
        .name("microservices")
        .cidr(cidr!("10.0.0.0/16"))
        .max_azs(2)
        .tier(Tier::public("Public", 24).cidrs([cidr!("10.0.1.0/24"), cidr!("10.0.2.0/24")]))
        .tier(Tier::private("Private", 24).cidrs([cidr!("10.0.10.0/24"), cidr!("10.0.20.0/24")]))
        .tier(Tier::isolated("Data", 24).cidrs([cidr!("10.0.100.0/24"), cidr!("10.0.200.0/24")]))
        .nat(NatPolicy::PerAz)
        .gateway_endpoint(GatewayService::S3)
        .interface_endpoint(InterfaceService::EcrApi)
        .interface_endpoint(InterfaceService::EcrDkr)
        .interface_endpoint(InterfaceService::CloudWatchLogs)
        .interface_endpoint(InterfaceService::SecretsManager)
        .network_acl(
            "Private",
            NetworkAclRules::new()
                // Seed §5: the ALB reaches the tasks on 3000 (rules 100-101, one per subnet).
                .allow_inbound(100, Port::tcp(3000), NaclPeer::tier("Public"))
                // Endpoint ENIs of the other AZ's private subnet.
                .allow_inbound(110, Port::tcp(443), NaclPeer::tier("Private"))
                // Replies to the tasks' own connections (NAT, endpoints, data tier).
                .ephemeral_return_inbound(120, Cidr::ANY_IPV4)
                // Seed §5: replies to the ALB, and HTTPS out through the NAT gateway.
                .ephemeral_return_outbound(100, Cidr::ANY_IPV4)
                .allow_outbound(110, Port::tcp(443), Cidr::ANY_IPV4)
                // Postgres and Redis in the data tier (rules 120-121 and 130-131).
                .allow_outbound(120, Port::tcp(5432), NaclPeer::tier("Data"))
                .allow_outbound(130, Port::tcp(6379), NaclPeer::tier("Data")),
        )
        .build()
}

fn platform() -> Result<Platform, ConstructError> {
    let mut vpc = vpc()?;
    let mut alb = SecurityGroup::new(vpc.vpc_id(), "alb", "ALB - allows HTTP/HTTPS from internet");
    alb.allow_from_any_ipv4(Port::tcp(80))
        .allow_from_any_ipv4(Port::tcp(443));
    let mut tasks = SecurityGroup::new(
        vpc.vpc_id(),
        "ecs-tasks",
        "ECS Tasks - allows traffic from ALB only",
    );
    tasks
        .allow_from(&alb, Port::tcp(3000))
        .allow_to_any_ipv4(Port::tcp(443));
    let mut database = SecurityGroup::new(
        vpc.vpc_id(),
        "database",
        "RDS - allows connections from ECS tasks only",
    );
    database.allow_from(&tasks, Port::tcp(5432));
    let mut cache = SecurityGroup::new(
        vpc.vpc_id(),
        "cache",
        "ElastiCache - allows connections from ECS tasks only",
    );
    cache.allow_from(&tasks, Port::tcp(6379));
    vpc.allow_endpoints_from(&tasks);
    Ok(Platform {
        vpc,
        alb,
        tasks,
        database,
        cache,
    })
}

fn main() -> ExitCode {
    let platform = match platform() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut app = App::new();
    app.add(
        Stack::new("Microservices")
            .description("Seed 000: VPC, endpoints and security groups for ECS microservices")
            .tag("project", "microservices")
            .with("Platform", platform),
    );
    app.run()
}
