//! The bootstrap stack of an environment (`cargo rcdk bootstrap`): what deployments need there
//! before any app stack, under the AWS CDK's names so that the AWS CDK and this project share one
//! bootstrap per environment.
//!
//! - the staging bucket `cdk-QUALIFIER-assets-ACCOUNT-REGION` for file assets and templates over
//!   51,200 bytes: encrypted, versioned, public access blocked, TLS only, noncurrent versions
//!   expire after 30 days (re-uploaded assets replace old versions that nothing reads);
//! - the ECR repository `cdk-QUALIFIER-container-assets-ACCOUNT-REGION` for container images:
//!   scan on push, immutable tags (asset tags are content hashes), untagged images expire, and a
//!   repository policy that lets Lambda pull the images of this account's functions (as the AWS
//!   CDK's bootstrap does: Lambda reads an image through the repository's policy);
//! - the SSM parameter `/cdk-bootstrap/QUALIFIER/version` holding [`BOOTSTRAP_VERSION`], which
//!   deployments read first;
//! - the outputs the AWS CDK's bootstrap stack has: `BucketName`, `BucketDomainName`,
//!   `ImageRepositoryName`, `BootstrapVersion`.

use rcdk_core::bootstrap::{
    check_qualifier, container_assets_repository_name, staging_bucket_name, version_parameter,
    BOOTSTRAP_VERSION, DEFAULT_TOOLKIT_STACK_NAME,
};
use rcdk_core::kind::RepositoryName;
use rcdk_core::{fns, Output, RemovalPolicy, Resource, Stack, Val};
use rcdk_macros::Construct;

use crate::cfn::ecr as cfn_ecr;
use crate::cfn::s3::bucket::{
    LifecycleConfiguration, NoncurrentVersionExpiration, Rule, RuleStatus,
};
use crate::error::ConstructError;
use crate::iam::{ConditionOperator, PolicyDocument, Principal, Statement};
use crate::storage::{Bucket, IBucket, SsmParameter};
use cfn_ecr::repository::{
    EncryptionConfiguration, EncryptionType, ImageScanningConfiguration, ImageTagMutability,
    LifecyclePolicy,
};

/// Metadata key on the bootstrap stack's template that marks it as made here (an AWS CDK
/// bootstrap stack does not have it).
pub const TEMPLATE_MARKER: &str = "RcdkBootstrap";

/// Days a replaced or deleted object version stays in the staging bucket.
const NONCURRENT_VERSION_DAYS: i64 = 30;

/// checkov: "ECR repository is encrypted with KMS".
const ECR_KMS_CHECK: &str = "CKV_AWS_136";

/// An ECR repository for images whose tags are content hashes: scan on push, immutable tags,
/// AES-256 encryption at rest, and a lifecycle rule expiring untagged images (a push of the
/// same hash never leaves one; a failed push may) after a year, as the AWS CDK's does. Retained
/// when removed from the stack.
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "bootstrap::Repository")]
pub struct Repository {
    resource: cfn_ecr::Repository,
}

impl Default for Repository {
    fn default() -> Self {
        Self::new()
    }
}

impl Repository {
    /// A repository with a generated name.
    pub fn new() -> Repository {
        let lifecycle = serde_json::json!({
            "rules": [{
                "rulePriority": 1,
                "description": "Untagged images should not exist, but expire any older than one year",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 365
                },
                "action": { "type": "expire" }
            }]
        });
        // Lambda fetches a function's image with the repository's policy, not the deploying
        // role's: only for functions of this account and region.
        let mut policy = PolicyDocument::new();
        let _ = policy.add_trusted(
            Statement::allow([
                crate::action!("ecr:BatchGetImage"),
                crate::action!("ecr:GetDownloadUrlForLayer"),
            ])
            .sid("LambdaECRImageRetrievalPolicy")
            .principal(Principal::Service("lambda.amazonaws.com".to_string()))
            .condition(
                ConditionOperator::StringLike,
                "aws:sourceArn",
                [fns::sub_plain(
                    "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*",
                )],
            ),
        );
        let resource = cfn_ecr::Repository::new()
            .repository_policy_text(policy.to_json_val())
            .image_scanning_configuration(ImageScanningConfiguration::new().scan_on_push(true))
            .image_tag_mutability(ImageTagMutability::Immutable)
            .encryption_configuration(EncryptionConfiguration::new(EncryptionType::Aes256))
            .lifecycle_policy(LifecyclePolicy::new().lifecycle_policy_text(lifecycle.to_string()))
            .removal_policy(RemovalPolicy::Retain)
            .skip_check(
                ECR_KMS_CHECK,
                "Images are encrypted at rest with AES-256 (ECR-managed keys); a KMS key would \
                 add a key and KMS permissions for every image pull.",
            );
        Repository { resource }
    }

    /// A fixed repository name.
    pub fn named(mut self, name: impl Into<Val<String>>) -> Repository {
        self.resource.set_repository_name(name);
        self
    }

    /// The repository name (`Ref`).
    pub fn repository_name(&self) -> Val<RepositoryName> {
        self.resource.ref_()
    }

    /// The repository resource.
    pub fn resource(&self) -> &cfn_ecr::Repository {
        &self.resource
    }
}

/// The bootstrap stack `CDKToolkit` for `qualifier` (see the module documentation). Fails when
/// the qualifier is not 1-10 lower-case letters or digits.
pub fn toolkit_stack(qualifier: &str) -> Result<Stack, ConstructError> {
    check_qualifier(qualifier).map_err(|problem| ConstructError::InvalidQualifier { problem })?;
    let account = "${AWS::AccountId}";
    let region = "${AWS::Region}";
    let mut bucket = Bucket::new()
        .named(fns::sub_plain(staging_bucket_name(
            qualifier, account, region,
        )))
        .removal_policy(RemovalPolicy::Retain);
    bucket
        .resource_mut()
        .set_lifecycle_configuration(LifecycleConfiguration::new([Rule::new(
            RuleStatus::Enabled,
        )
        .id("CleanupOldVersions")
        .noncurrent_version_expiration(NoncurrentVersionExpiration::new(
            NONCURRENT_VERSION_DAYS,
        ))]));
    let repository = Repository::new().named(fns::sub_plain(container_assets_repository_name(
        qualifier, account, region,
    )));
    let version = SsmParameter::string(version_parameter(qualifier), BOOTSTRAP_VERSION.to_string())
        .description("Version of the bootstrap resources in this environment");
    let bucket_domain = fns::sub(
        "${Bucket}.s3.${AWS::Region}.${AWS::URLSuffix}",
        [("Bucket", Val::<String>::from(bucket.bucket_name()))],
    );
    let outputs = [
        (
            "BucketName",
            Output::new(Val::<String>::from(bucket.bucket_name()))
                .description("The name of the S3 bucket owned by the CDK toolkit stack"),
        ),
        (
            "BucketDomainName",
            Output::new(bucket_domain)
                .description("The domain name of the S3 bucket owned by the CDK toolkit stack"),
        ),
        (
            "ImageRepositoryName",
            Output::new(Val::<String>::from(repository.repository_name()))
                .description("The name of the ECR repository which hosts docker image assets"),
        ),
        (
            "BootstrapVersion",
            Output::new(version.resource().attr_value()).description(
                "The version of the bootstrap resources that are currently mastered in this stack",
            ),
        ),
    ];
    let mut stack = Stack::new(DEFAULT_TOOLKIT_STACK_NAME)
        .description(format!(
            "Bootstrap resources for deployments (staging bucket, container assets repository, version {BOOTSTRAP_VERSION}), qualifier {qualifier}"
        ))
        .metadata(TEMPLATE_MARKER, serde_json::json!({ "qualifier": qualifier, "version": BOOTSTRAP_VERSION }))
        .with("StagingBucket", bucket)
        .with("ContainerAssetsRepository", repository)
        .with("CdkBootstrapVersion", version);
    for (id, output) in outputs {
        // The AWS CDK's output names, which tools read, not hashed construct paths.
        stack = stack.with(id, output.logical_id(id));
    }
    Ok(stack)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(qualifier: &str) -> serde_json::Value {
        let mut app = rcdk_core::App::new();
        app.add(toolkit_stack(qualifier).unwrap());
        let assembly = app.synth().unwrap();
        assembly.stacks[0].template_json()
    }

    #[test]
    fn names_follow_the_qualifier() {
        let t = template("team2");
        let text = t.to_string();
        assert!(
            text.contains("cdk-team2-assets-${AWS::AccountId}-${AWS::Region}"),
            "{text}"
        );
        assert!(text.contains("cdk-team2-container-assets-${AWS::AccountId}-${AWS::Region}"));
        assert!(text.contains("/cdk-bootstrap/team2/version"));
        let outputs = t["Outputs"].as_object().unwrap();
        let names: Vec<&str> = outputs.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "BucketName",
                "BucketDomainName",
                "ImageRepositoryName",
                "BootstrapVersion"
            ]
        );
    }

    #[test]
    fn bucket_and_repository_are_locked_down() {
        let t = template(rcdk_core::bootstrap::DEFAULT_QUALIFIER);
        let resources = t["Resources"].as_object().unwrap();
        let of_type = |ty: &str| {
            resources
                .values()
                .find(|r| r["Type"] == ty)
                .unwrap_or_else(|| panic!("no {ty}"))
                .clone()
        };
        let bucket = of_type("AWS::S3::Bucket");
        let p = &bucket["Properties"];
        assert_eq!(p["VersioningConfiguration"]["Status"], "Enabled");
        assert_eq!(
            p["PublicAccessBlockConfiguration"]["BlockPublicPolicy"],
            true
        );
        assert!(p["BucketEncryption"].is_object());
        assert_eq!(
            p["LifecycleConfiguration"]["Rules"][0]["NoncurrentVersionExpiration"]
                ["NoncurrentDays"],
            NONCURRENT_VERSION_DAYS
        );
        let policy = of_type("AWS::S3::BucketPolicy").to_string();
        assert!(policy.contains("aws:SecureTransport"), "{policy}");
        let repo = of_type("AWS::ECR::Repository");
        let p = &repo["Properties"];
        assert_eq!(p["ImageTagMutability"], "IMMUTABLE");
        assert_eq!(p["ImageScanningConfiguration"]["ScanOnPush"], true);
        assert!(p["LifecyclePolicy"]["LifecyclePolicyText"].is_string());
        let param = of_type("AWS::SSM::Parameter");
        assert_eq!(param["Properties"]["Value"], BOOTSTRAP_VERSION.to_string());
        assert!(t["Metadata"][TEMPLATE_MARKER].is_object());
    }

    #[test]
    fn bad_qualifier_is_refused() {
        let err = match toolkit_stack("Has-Dash") {
            Ok(_) => panic!("a qualifier with a dash was accepted"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains("lower-case"), "{err}");
    }
}
