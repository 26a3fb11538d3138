//! One application in two regions, for recovery: seed 000 ("VPC Networking and IAM") in a
//! primary region, and a second region kept ready with its own network and a copy of the
//! data, as seed 002 ("AWS VPC & Networking") describes regions and availability zones.
//!
//! - Stack `Primary` (seed 000 §1-§3, §6, §10): the VPC 10.0.0.0/16 with the seed's public
//!   (10.0.1.0/24, 10.0.2.0/24), private (10.0.10.0/24, 10.0.20.0/24) and data (10.0.100.0/24,
//!   10.0.200.0/24) subnets in two AZs, the internet gateway, one NAT gateway (§3's commands
//!   and §11 step 4 create one) and the S3 gateway endpoint of §6; and `user-profile-photos`,
//!   the bucket of the user service in §7-§9, encrypted, versioned and private.
//! - Stack `Recovery` (seed 002, "Regions" and "Availability Zones": a region is a separate
//!   cluster of data centers and most services are region-scoped, so recovery from the loss of
//!   a region needs a second one; "VPC": a regional resource, so the second region has its own,
//!   deployed in two AZs): a VPC 10.1.0.0/16, which does not overlap the primary's so that the
//!   two can be peered later (the last table of seed 002: a VPC in another region is reached by
//!   peering or a transit gateway), with public and isolated data subnets and no NAT gateway
//!   until it takes traffic; and the bucket the photos are replicated into.
//! - The reference across regions: the primary's bucket replicates into the recovery bucket,
//!   whose ARN S3 needs in the primary region. The code is that of a reference within one
//!   region (`Bucket::replicate_to(&replica, ...)`); since the two stacks are in different
//!   environments, synthesis makes the ARN an output of `Recovery` and a parameter of
//!   `Primary`, and deployment passes it (no export, no custom resource). `Recovery` is
//!   therefore deployed first.
//!
//! The environments are read from the environment of the program: `APP_ACCOUNT` (default
//! `123456789012`, a placeholder: set it to the account deployed to), `PRIMARY_REGION` (default
//! `us-east-1`, the region of seed 000's diagram) and `RECOVERY_REGION` (default `us-west-2`).
//!
//! `cargo run -p two-regions -- synth` writes `cdk.out/` and prints the fixed monthly costs.

use rcdk::prelude::*;
use std::process::ExitCode;

/// Where the two stacks go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environments {
    /// The account of both stacks.
    pub account: String,
    /// The region serving traffic.
    pub primary: String,
    /// The region kept for recovery.
    pub recovery: String,
}

impl Environments {
    /// From `APP_ACCOUNT`, `PRIMARY_REGION` and `RECOVERY_REGION`, with their defaults.
    pub fn from_env() -> Environments {
        let read = |name: &str, default: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| default.to_string())
        };
        Environments {
            account: read("APP_ACCOUNT", "123456789012"),
            primary: read("PRIMARY_REGION", "us-east-1"),
            recovery: read("RECOVERY_REGION", "us-west-2"),
        }
    }
}

/// Seed 000 §1-§3 and §6: the three tiers in two AZs, one NAT gateway, the S3 gateway
/// endpoint (the photos reach S3 without the NAT gateway).
fn primary_network() -> Result<TieredVpc, ConstructError> {
    TieredVpc::builder()
        .name("primary")
        .cidr(cidr!("10.0.0.0/16"))
        .max_azs(2)
        .tier(Tier::public("Public", 24).cidrs([cidr!("10.0.1.0/24"), cidr!("10.0.2.0/24")]))
        .tier(Tier::private("Private", 24).cidrs([cidr!("10.0.10.0/24"), cidr!("10.0.20.0/24")]))
        .tier(Tier::isolated("Data", 24).cidrs([cidr!("10.0.100.0/24"), cidr!("10.0.200.0/24")]))
        .nat(NatPolicy::Single)
        .gateway_endpoint(GatewayService::S3)
        .build()
}

/// Seed 002: the recovery region's own VPC, in two AZs, with the same tier layout as the
/// primary's public and data tiers, a CIDR that does not overlap it, and no NAT gateway.
fn recovery_network() -> Result<TieredVpc, ConstructError> {
    TieredVpc::builder()
        .name("recovery")
        .cidr(cidr!("10.1.0.0/16"))
        .max_azs(2)
        .tier(Tier::public("Public", 24).cidrs([cidr!("10.1.1.0/24"), cidr!("10.1.2.0/24")]))
        .tier(Tier::isolated("Data", 24).cidrs([cidr!("10.1.100.0/24"), cidr!("10.1.200.0/24")]))
        .nat(NatPolicy::None)
        .gateway_endpoint(GatewayService::S3)
        .build()
}

/// The two stacks.
pub fn app(env: &Environments) -> Result<App, ConstructError> {
    let replica = Bucket::new();
    let photos = Bucket::new().replicate_to(&replica, &env.recovery)?;
    let recovery = Stack::new("Recovery")
        .env(&env.account, &env.recovery)
        .description("Seed 002: the recovery region's VPC and the replica of the data bucket")
        .tag("project", "two-regions")
        .with("Network", recovery_network()?)
        .with("UserProfilePhotosReplica", replica);
    let primary = Stack::new("Primary")
        .env(&env.account, &env.primary)
        .description("Seed 000: the primary region's VPC and the data bucket, replicated to the recovery region")
        .tag("project", "two-regions")
        .with("Network", primary_network()?)
        .with("UserProfilePhotos", photos);
    Ok(App::new().with(primary).with(recovery))
}

fn main() -> ExitCode {
    app(&Environments::from_env()).run()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn environments(recovery: &str) -> Environments {
        Environments {
            account: "123456789012".into(),
            primary: "us-east-1".into(),
            recovery: recovery.into(),
        }
    }

    fn synth(env: &Environments) -> rcdk::core::Assembly {
        app(env).unwrap().synth().unwrap()
    }

    fn resources_of<'a>(t: &'a Value, type_name: &'a str) -> Vec<(&'a String, &'a Value)> {
        t["Resources"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, r)| r["Type"] == type_name)
            .collect()
    }

    /// The photos bucket: the one that replicates.
    fn replication(t: &Value) -> &Value {
        let buckets = resources_of(t, "AWS::S3::Bucket");
        let (_, photos) = buckets
            .iter()
            .find(|(_, b)| b["Properties"].get("ReplicationConfiguration").is_some())
            .unwrap();
        &photos["Properties"]["ReplicationConfiguration"]
    }

    #[test]
    fn the_replica_arn_crosses_regions_as_an_output_and_a_parameter() {
        let assembly = synth(&environments("us-west-2"));
        let ids: Vec<&str> = assembly.stacks.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["Recovery", "Primary"], "the producer deploys first");
        let recovery = assembly.stack("Recovery").unwrap().template_json();
        let outputs = recovery["Outputs"].as_object().unwrap();
        assert_eq!(outputs.len(), 1, "{outputs:?}");
        let (output_id, output) = outputs.iter().next().unwrap();
        assert!(output.get("Export").is_none(), "no export lock: {output}");
        let primary = assembly.stack("Primary").unwrap();
        let template = primary.template_json();
        let parameter = &primary.cross_environment[0];
        assert_eq!(parameter.producer_stack, "Recovery");
        assert_eq!(&parameter.output, output_id);
        assert_eq!(
            template["Parameters"][&parameter.parameter]["Type"],
            json!("String")
        );
        let rule = &replication(&template)["Rules"][0];
        assert_eq!(
            rule["Destination"]["Bucket"],
            json!({"Ref": parameter.parameter})
        );
        // Replicas are encrypted with the recovery region's key, and KMS-encrypted objects are
        // replicated.
        assert_eq!(
            rule["Destination"]["EncryptionConfiguration"]["ReplicaKmsKeyID"],
            json!({"Fn::Sub": "arn:${AWS::Partition}:kms:us-west-2:${AWS::AccountId}:alias/aws/s3"})
        );
        assert_eq!(
            rule["SourceSelectionCriteria"],
            json!({"SseKmsEncryptedObjects": {"Status": "Enabled"}})
        );
        // No custom resource, no Lambda function anywhere.
        for stack in &assembly.stacks {
            let t = stack.template_json();
            assert!(resources_of(&t, "AWS::Lambda::Function").is_empty());
            assert!(t["Resources"]
                .as_object()
                .unwrap()
                .values()
                .all(|r| !r["Type"].as_str().unwrap().starts_with("Custom::")));
        }
    }

    #[test]
    fn the_replication_role_is_trusted_by_s3_and_scoped_to_the_two_buckets() {
        let assembly = synth(&environments("us-west-2"));
        let t = assembly.stack("Primary").unwrap().template_json();
        let roles = resources_of(&t, "AWS::IAM::Role");
        assert_eq!(roles.len(), 2, "replication and flow logs roles");
        let text = serde_json::to_string(&t).unwrap();
        assert!(text.contains("s3:ReplicateObject"), "{text}");
        assert!(text.contains("s3.us-west-2.amazonaws.com"), "{text}");
        assert!(
            text.contains(":kms:us-west-2:${AWS::AccountId}:key/*"),
            "{text}"
        );
    }

    #[test]
    fn seed_000_subnets_in_the_primary_and_a_separate_range_in_the_recovery_region() {
        let cidrs = |stack: &str| -> Vec<String> {
            let assembly = synth(&environments("us-west-2"));
            let t = assembly.stack(stack).unwrap().template_json();
            let mut c: Vec<String> = resources_of(&t, "AWS::EC2::Subnet")
                .iter()
                .map(|(_, s)| s["Properties"]["CidrBlock"].as_str().unwrap().to_string())
                .collect();
            c.sort();
            c
        };
        assert_eq!(
            cidrs("Primary"),
            [
                "10.0.1.0/24",
                "10.0.10.0/24",
                "10.0.100.0/24",
                "10.0.2.0/24",
                "10.0.20.0/24",
                "10.0.200.0/24"
            ]
        );
        assert_eq!(
            cidrs("Recovery"),
            [
                "10.1.1.0/24",
                "10.1.100.0/24",
                "10.1.2.0/24",
                "10.1.200.0/24"
            ]
        );
    }

    #[test]
    fn in_one_region_the_same_code_uses_an_export() {
        let assembly = synth(&environments("us-east-1"));
        let primary = assembly.stack("Primary").unwrap();
        assert!(primary.cross_environment.is_empty());
        let template = primary.template_json();
        let rule = &replication(&template)["Rules"][0];
        assert!(
            rule["Destination"]["Bucket"]
                .get("Fn::ImportValue")
                .is_some(),
            "{rule}"
        );
    }
}
