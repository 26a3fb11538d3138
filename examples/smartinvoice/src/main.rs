//! Seed 003 (`shared/seeds/003_d178b59ac19c4e46.txt`, "Networking & Security"), steps 2-7:
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
//! - Step 7: the four roles (Elastic Beanstalk EC2 role with its instance profile, Elastic
//!   Beanstalk service role, ECS execution role, ECS task role), scoped to the application's
//!   bucket, queue, parameters, repositories and log groups instead of the document's
//!   `*FullAccess` managed policies (see `roles.rs`).
//!
//! `cargo run -p smartinvoice -- synth` writes `cdk.out/` and prints the fixed monthly costs.

mod network;
mod roles;

use cdk::prelude::*;
use std::process::ExitCode;

fn stack() -> Result<Stack, ConstructError> {
    let network = network::network()?;
    let resources = roles::AppResources::new()?;
    let roles = roles::Roles::new(&resources)?;
    let outputs = roles.outputs();
    Ok(Stack::new("SmartInvoice")
        .description("Seed 003: smartinvoice VPC, NAT gateway, security groups and IAM roles")
        .tag("project", "smartinvoice")
        .with("Network", network)
        .with("App", resources)
        .with("Roles", roles)
        .with("Outputs", outputs))
}

fn main() -> ExitCode {
    match stack() {
        Ok(stack) => App::new().with(stack).run(),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
