//! Steps 2-6 of seed 003: the VPC (2 public + 2 private subnets in two AZs, one NAT gateway)
//! and the four security groups.

use rcdk::prelude::*;

/// The VPC and the four security groups.
#[derive(Construct)]
pub struct Network {
    vpc: TieredVpc,
    alb: SecurityGroup,
    backend: SecurityGroup,
    ocr: SecurityGroup,
    rds: SecurityGroup,
}

pub fn network() -> Result<Network, ConstructError> {
    let vpc = TieredVpc::builder()
        .name("smartinvoice")
        .cidr(cidr!("10.0.0.0/16"))
        .max_azs(2)
        // Step 2.3's auto-assigned public IPs are left off: nothing launches in these subnets
        // but the load balancer and the NAT gateway, which get their addresses without it.
        .tier(Tier::public("Public", 24).cidrs([cidr!("10.0.1.0/24"), cidr!("10.0.2.0/24")]))
        .tier(Tier::private("Private", 24).cidrs([cidr!("10.0.3.0/24"), cidr!("10.0.4.0/24")]))
        .nat(NatPolicy::Single)
        .build()?;
    let id = vpc.vpc_id();
    let mut alb = SecurityGroup::new(
        id.clone(),
        "smartinvoice-alb-sg",
        "ALB: HTTP and HTTPS from the internet",
    );
    alb.allow_from_any_ipv4(Port::tcp(80))
        .allow_from_any_ipv4(Port::tcp(443));
    let mut backend = SecurityGroup::new(
        id.clone(),
        "smartinvoice-backend-sg",
        "Backend: HTTP from the ALB",
    );
    backend
        .allow_from(&alb, Port::tcp(80))
        .allow_from(&alb, Port::tcp(8080))
        .allow_to_any_ipv4(Port::tcp(443));
    let mut ocr = SecurityGroup::new(
        id.clone(),
        "smartinvoice-ocr-sg",
        "OCR: direct internal calls from the backend",
    );
    ocr.allow_from(&backend, Port::tcp(5000))
        .allow_to_any_ipv4(Port::tcp(443));
    let mut rds = SecurityGroup::new(
        id,
        "smartinvoice-rds-sg",
        "RDS: PostgreSQL from the backend and OCR",
    );
    rds.allow_from(&backend, Port::tcp(5432))
        .allow_from(&ocr, Port::tcp(5432));
    Ok(Network {
        vpc,
        alb,
        backend,
        ocr,
        rds,
    })
}
