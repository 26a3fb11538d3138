//! The "smartinvoice" network of seed 003 (`shared/seeds/003_d178b59ac19c4e46.txt`,
//! "Networking & Security"), steps 2-6:
//!
//! - Step 2: VPC 10.0.0.0/16, public subnets 10.0.1.0/24 and 10.0.2.0/24 with public IPs on
//!   launch, private subnets 10.0.3.0/24 and 10.0.4.0/24, in two AZs. The seed names
//!   ap-southeast-1a/b; the template takes the first two AZs of whatever region it is deployed to.
//! - Steps 3-5: internet gateway, one NAT gateway in the first public subnet (the seed's
//!   "~$32/month"), public routes to the gateway and private routes to the NAT.
//! - Step 6: the four security groups: ALB (80/443 from the internet), backend (80 and 8080 from
//!   the ALB), OCR (5000 from the backend), RDS (5432 from the backend and the OCR service). The
//!   seed opens all outbound traffic on every group; here outbound is what the chain needs, plus
//!   HTTPS out for the two workloads (S3, SQS, Cognito, SSM through the NAT gateway).
//!
//! The IAM roles of step 7 and the services themselves are added to [`Network`]'s stack later.
//!
//! `cargo run -p smartinvoice -- synth` writes `cdk.out/` and prints the fixed monthly costs.

use cdk::prelude::*;
use std::process::ExitCode;

/// The VPC and the four security groups.
#[derive(Construct)]
struct Network {
    vpc: TieredVpc,
    alb: SecurityGroup,
    backend: SecurityGroup,
    ocr: SecurityGroup,
    rds: SecurityGroup,
}

fn network() -> Result<Network, ConstructError> {
    let vpc = TieredVpc::builder()
        .name("smartinvoice")
        .cidr(cidr!("10.0.0.0/16"))
        .max_azs(2)
        .tier(
            Tier::public("Public", 24)
                .cidrs([cidr!("10.0.1.0/24"), cidr!("10.0.2.0/24")])
                .map_public_ip_on_launch(true),
        )
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

fn main() -> ExitCode {
    let network = match network() {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut app = App::new();
    app.add(
        Stack::new("SmartInvoice")
            .description("Seed 003: smartinvoice VPC, NAT gateway and security groups")
            .tag("project", "smartinvoice")
            .with("Network", network),
    );
    app.run()
}
