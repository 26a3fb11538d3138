//! Seed document 003, "Networking & Security", steps 2-7:
//!
//! - Step 2: VPC 10.0.0.0/16, public subnets 10.0.1.0/24 and 10.0.2.0/24, private subnets
//!   10.0.3.0/24 and 10.0.4.0/24, in two AZs. The seed names ap-southeast-1a/b; the template
//!   takes the first two AZs of whatever region it is deployed to. Step 2.3 turns on public IPs
//!   on launch in the public subnets; they stay off here, since only the load balancer and the
//!   NAT gateway (with its Elastic IP) go there and neither needs it, and an instance launched
//!   there by mistake then has no address on the internet (`Tier::map_public_ip_on_launch`
//!   turns it on).
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

use rcdk::prelude::*;
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
    stack().map(|stack| App::new().with(stack)).run()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> rcdk::core::StackArtifact {
        let mut app = App::new().with(stack().unwrap());
        app.synth().unwrap().stack("SmartInvoice").unwrap().clone()
    }

    fn of_type<'a>(
        t: &'a serde_json::Value,
        type_name: &'a str,
    ) -> impl Iterator<Item = (&'a String, &'a serde_json::Value)> + 'a {
        t["Resources"]
            .as_object()
            .unwrap()
            .iter()
            .filter(move |(_, r)| r["Type"] == type_name)
    }

    #[test]
    fn five_roles_and_only_the_eb_service_role_keeps_managed_policies() {
        let stack = template();
        let t = stack.template_json();
        // The seed's four, and the VPC's flow-log delivery role.
        assert_eq!(of_type(&t, "AWS::IAM::Role").count(), 5);
        let managed: Vec<(&String, &serde_json::Value)> = of_type(&t, "AWS::IAM::Role")
            .filter(|(_, r)| r["Properties"].get("ManagedPolicyArns").is_some())
            .collect();
        assert_eq!(managed.len(), 1);
        assert!(stack.paths[managed[0].0].ends_with("Roles/EbService/Resource"));
        let arns = managed[0].1["Properties"]["ManagedPolicyArns"].to_string();
        assert!(arns.contains("AWSElasticBeanstalkEnhancedHealth"), "{arns}");
        assert!(
            !arns.contains("FullAccess") && !arns.contains("PowerUser"),
            "{arns}"
        );
    }

    #[test]
    fn the_only_wildcard_resource_is_the_ecr_token() {
        let t = template().template_json();
        let mut wildcards = Vec::new();
        for (_, policy) in of_type(&t, "AWS::IAM::Policy") {
            for st in policy["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap()
            {
                assert_eq!(st["Effect"], "Allow");
                let action = st["Action"].to_string();
                assert!(!action.contains('*'), "wildcard action {action}");
                if st["Resource"] == "*" {
                    wildcards.push(action);
                }
            }
        }
        // The backend instances and the OCR execution role both pull from ECR.
        assert_eq!(wildcards, ["\"ecr:GetAuthorizationToken\""; 2]);
    }

    #[test]
    fn the_instance_profile_wraps_the_backend_role_and_the_network_is_the_seeds() {
        let stack = template();
        let t = stack.template_json();
        let (_, profile) = of_type(&t, "AWS::IAM::InstanceProfile").next().unwrap();
        let role = profile["Properties"]["Roles"][0]["Ref"].as_str().unwrap();
        assert!(stack.paths[role].ends_with("Roles/EbEc2/Resource"));
        assert_eq!(of_type(&t, "AWS::EC2::SecurityGroup").count(), 4);
        assert_eq!(of_type(&t, "AWS::EC2::Subnet").count(), 4);
        assert_eq!(of_type(&t, "AWS::EC2::NatGateway").count(), 1);
    }
}
