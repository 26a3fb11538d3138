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
//! - when [`BootstrapOptions`] ask for them (`--trust` or `--cloudformation-execution-policies`),
//!   two roles:
//!   - the deploy role `cdk-QUALIFIER-deploy-role-ACCOUNT-REGION`, which `cargo rcdk deploy` in
//!     another account assumes to deploy here: trusted by this account and the accounts given
//!     with [`BootstrapOptions::trusted_accounts`] (`--trust`); it may run CloudFormation on this
//!     environment's stacks, read and write the staging bucket, push to the container-assets
//!     repository, read the version parameter, and pass the execution role to CloudFormation
//!     (no other role, no other service);
//!   - the execution role `cdk-QUALIFIER-cfn-exec-role-ACCOUNT-REGION`, which CloudFormation
//!     assumes for stacks deployed through the deploy role: its permissions are exactly the
//!     managed policies of [`BootstrapOptions::execution_policies`]
//!     (`--cloudformation-execution-policies`).
//!
//!   By default there are no roles: deployments with the account's own credentials use
//!   neither, and a role nobody asked for could only widen who may change the account. (The
//!   AWS CDK CLI, which uses the roles when they exist, then deploys with the caller's
//!   credentials.)
//! - the outputs the AWS CDK's bootstrap stack has: `BucketName`, `BucketDomainName`,
//!   `ImageRepositoryName`, `BootstrapVersion`.

use rcdk_core::bootstrap::{
    cfn_exec_role_name, check_qualifier, container_assets_repository_name, deploy_role_name,
    staging_bucket_name, version_parameter, BOOTSTRAP_VERSION, DEFAULT_TOOLKIT_STACK_NAME,
};
use rcdk_core::kind::RepositoryName;
use rcdk_core::{fns, Output, RemovalPolicy, Resource, Stack, Val};
use rcdk_macros::Construct;

use crate::cfn::ecr as cfn_ecr;
use crate::cfn::s3::bucket::{
    LifecycleConfiguration, NoncurrentVersionExpiration, Rule, RuleStatus,
};
use crate::error::ConstructError;
use crate::iam::{ConditionOperator, Grantee, PolicyDocument, Principal, Role, Statement};
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

/// checkov: "Disallow IAM roles, users, and groups from using the AWS AdministratorAccess policy".
const ADMIN_POLICY_CHECK: &str = "CKV_AWS_274";

/// Who may deploy into the environment through its deploy role, and what CloudFormation may do
/// there for them. The default creates neither role: nobody deploys here but with the account's
/// own credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BootstrapOptions {
    /// Accounts (12 digits) whose principals may assume the deploy role (`--trust`), besides
    /// this account.
    pub trusted_accounts: Vec<String>,
    /// Managed policy ARNs for the CloudFormation execution role
    /// (`--cloudformation-execution-policies`). Required when
    /// [`trusted_accounts`](Self::trusted_accounts) is not empty: what a trusted account may
    /// create here is exactly what these policies allow, and that must be chosen, not assumed.
    pub execution_policies: Vec<String>,
}

impl BootstrapOptions {
    /// Whether the bootstrap has the deploy and execution roles: when another account is trusted
    /// or CloudFormation's policies are named.
    pub fn wants_roles(&self) -> bool {
        !self.trusted_accounts.is_empty() || !self.execution_policies.is_empty()
    }

    /// Checks the accounts (12 digits) and that trusting accounts comes with named execution
    /// policies.
    pub fn check(&self) -> Result<(), ConstructError> {
        if let Some(bad) = self
            .trusted_accounts
            .iter()
            .find(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(ConstructError::InvalidName {
                construct: "bootstrap",
                what: "trusted account",
                name: bad.clone(),
                rule: "an account id is 12 digits",
            });
        }
        if !self.trusted_accounts.is_empty() && self.execution_policies.is_empty() {
            return Err(ConstructError::Conflict {
                construct: "bootstrap".to_string(),
                problem: format!(
                    "trusting account(s) {} lets them deploy here with the permissions of the CloudFormation execution role, which has none unless named: pass --cloudformation-execution-policies ARN (e.g. arn:aws:iam::aws:policy/AdministratorAccess, or a policy of your own that allows what the apps create)",
                    self.trusted_accounts.join(", ")
                ),
            });
        }
        if let Some(bad) = self
            .execution_policies
            .iter()
            .find(|p| !p.starts_with("arn:") || !p.contains(":policy/"))
        {
            return Err(ConstructError::InvalidName {
                construct: "bootstrap",
                what: "CloudFormation execution policy",
                name: bad.clone(),
                rule: "a managed policy ARN, e.g. arn:aws:iam::aws:policy/AdministratorAccess",
            });
        }
        Ok(())
    }
}

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

/// The bootstrap stack `CDKToolkit` for `qualifier` with the default [`BootstrapOptions`] (no
/// other account trusted). Fails when the qualifier is not 1-10 lower-case letters or digits.
pub fn toolkit_stack(qualifier: &str) -> Result<Stack, ConstructError> {
    toolkit_stack_with(qualifier, &BootstrapOptions::default())
}

/// The bootstrap stack `CDKToolkit` for `qualifier` (see the module documentation), its roles
/// as `options` say. Fails when the qualifier is not 1-10 lower-case letters or digits, or
/// `options` do not pass [`BootstrapOptions::check`].
pub fn toolkit_stack_with(
    qualifier: &str,
    options: &BootstrapOptions,
) -> Result<Stack, ConstructError> {
    check_qualifier(qualifier).map_err(|problem| ConstructError::InvalidQualifier { problem })?;
    options.check()?;
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
    let roles = if options.wants_roles() {
        let execution_role = execution_role(qualifier, options);
        let deploy_role = deploy_role(qualifier, options, &bucket, &repository, &execution_role)?;
        Some((execution_role, deploy_role))
    } else {
        None
    };
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
    if let Some((execution_role, deploy_role)) = roles {
        stack = stack
            .with("CloudFormationExecutionRole", execution_role)
            .with("DeploymentActionRole", deploy_role);
    }
    for (id, output) in outputs {
        // The AWS CDK's output names, which tools read, not hashed construct paths.
        stack = stack.with(id, output.logical_id(id));
    }
    Ok(stack)
}

/// The role CloudFormation assumes for stacks deployed through the deploy role: the managed
/// policies the user named, nothing else.
fn execution_role(qualifier: &str, options: &BootstrapOptions) -> Role {
    let mut role = Role::assumed_by_service("cloudformation.amazonaws.com")
        .named_at_deploy_time(fns::sub_plain(cfn_exec_role_name(
            qualifier,
            "${AWS::AccountId}",
            "${AWS::Region}",
        )))
        .description("CloudFormation execution role for deployments through the deploy role");
    for arn in &options.execution_policies {
        role.attach_managed_policy(Val::<String>::from(arn.as_str()).cast());
    }
    if options
        .execution_policies
        .iter()
        .any(|arn| arn.ends_with(":policy/AdministratorAccess"))
    {
        role.resource_mut().core_mut().skip_check(
            ADMIN_POLICY_CHECK,
            "The user chose AdministratorAccess for the CloudFormation execution role \
             (--cloudformation-execution-policies): stacks may create any resource, as with \
             the AWS CDK's default bootstrap. Only CloudFormation can assume the role.",
        );
    }
    role
}

/// The role other accounts assume to deploy here (see the module documentation).
fn deploy_role(
    qualifier: &str,
    options: &BootstrapOptions,
    bucket: &Bucket,
    repository: &Repository,
    execution_role: &Role,
) -> Result<Role, ConstructError> {
    let mut trust = PolicyDocument::new();
    let accounts = std::iter::once(fns::sub_plain(
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
    ))
    .chain(
        options
            .trusted_accounts
            .iter()
            .map(|account| fns::sub_plain(format!("arn:${{AWS::Partition}}:iam::{account}:root"))),
    );
    for principal in accounts {
        trust.add(
            Statement::allow([crate::action!("sts:AssumeRole")])
                .principal(Principal::Aws(principal)),
        )?;
    }
    // The whole trust document replaces the first statement's below.
    let mut role = Role::with_trust(trust.statements()[0].clone())
        .named_at_deploy_time(fns::sub_plain(deploy_role_name(
            qualifier,
            "${AWS::AccountId}",
            "${AWS::Region}",
        )))
        .description("Deploys stacks into this environment for the trusted accounts");
    role.resource_mut()
        .set_assume_role_policy_document(trust.to_json_val());
    let stacks = fns::sub_plain(
        "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/*",
    );
    let statements = [
        Statement::allow(crate::actions![
            "cloudformation:CreateStack",
            "cloudformation:UpdateStack",
            "cloudformation:DeleteStack",
            "cloudformation:CancelUpdateStack",
            "cloudformation:DescribeStacks",
            "cloudformation:DescribeStackEvents",
            "cloudformation:GetTemplate",
            "cloudformation:CreateChangeSet",
            "cloudformation:DescribeChangeSet",
            "cloudformation:ExecuteChangeSet",
            "cloudformation:DeleteChangeSet",
            "cloudformation:UpdateTerminationProtection"
        ])
        .on(stacks)
        .wildcards_because(
            "The apps deployed through this role name their stacks; any stack of this \
             environment may be one, and what the stacks create is limited by the execution \
             role, not this one.",
        ),
        Statement::allow(crate::actions!["s3:GetBucketLocation", "s3:ListBucket"])
            .on(bucket.bucket_arn()),
        Statement::allow(crate::actions!["s3:GetObject", "s3:PutObject"])
            .on(bucket.objects_arn())
            .wildcards_because(
                "File assets and templates are uploaded under their content hashes: every \
                 object of the staging bucket, and only of it.",
            ),
        Statement::allow(crate::ecr::push_actions().chain(crate::actions![
            "ecr:DescribeImages",
            "ecr:DescribeRepositories"
        ]))
        .on(Val::<String>::from(repository.resource().attr_arn())),
        crate::iam::ecr_authorization_token(),
        Statement::allow(crate::actions!["ssm:GetParameter", "ssm:GetParameters"]).on(
            fns::sub_plain(format!(
                "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{}",
                version_parameter(qualifier)
            )),
        ),
        Statement::allow([crate::action!("iam:PassRole")])
            .on(Val::<String>::from(execution_role.arn()))
            .condition(
                ConditionOperator::StringEquals,
                "iam:PassedToService",
                ["cloudformation.amazonaws.com"],
            ),
    ];
    for statement in statements {
        role.grant(statement.checked()?);
    }
    Ok(role)
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

    fn resources(options: &BootstrapOptions) -> serde_json::Map<String, serde_json::Value> {
        let mut app = rcdk_core::App::new();
        app.add(toolkit_stack_with(rcdk_core::bootstrap::DEFAULT_QUALIFIER, options).unwrap());
        let t = app.synth().unwrap().stacks[0].template_json();
        t["Resources"].as_object().unwrap().clone()
    }

    fn roles(options: &BootstrapOptions) -> (serde_json::Value, serde_json::Value, String) {
        let resources = resources(options);
        let role = |fragment: &str| {
            resources
                .values()
                .find(|r| r["Type"] == "AWS::IAM::Role" && r.to_string().contains(fragment))
                .unwrap_or_else(|| panic!("no role {fragment}"))
                .clone()
        };
        let policies: Vec<String> = resources
            .values()
            .filter(|r| r["Type"] == "AWS::IAM::Policy")
            .map(|r| r.to_string())
            .collect();
        assert_eq!(policies.len(), 1, "{policies:?}");
        (
            role("deploy-role"),
            role("cfn-exec-role"),
            policies[0].clone(),
        )
    }

    #[test]
    fn by_default_there_are_no_roles() {
        let resources = resources(&BootstrapOptions::default());
        assert!(
            resources.values().all(|r| !r["Type"]
                .as_str()
                .unwrap_or_default()
                .starts_with("AWS::IAM::")),
            "{resources:?}"
        );
    }

    #[test]
    fn execution_policies_alone_trust_only_this_account() {
        let (deploy, exec, policy) = roles(&BootstrapOptions {
            trusted_accounts: Vec::new(),
            execution_policies: vec!["arn:aws:iam::123456789012:policy/AppDeploy".into()],
        });
        let trust = deploy["Properties"]["AssumeRolePolicyDocument"].to_string();
        assert_eq!(trust.matches("sts:AssumeRole").count(), 1, "{trust}");
        assert!(trust.contains("${AWS::AccountId}:root"), "{trust}");
        assert_eq!(
            exec["Properties"]["ManagedPolicyArns"],
            serde_json::json!(["arn:aws:iam::123456789012:policy/AppDeploy"])
        );
        assert!(exec["Metadata"].get("checkov").is_none(), "{exec}");
        let exec_trust = exec["Properties"]["AssumeRolePolicyDocument"].to_string();
        assert!(
            exec_trust.contains("cloudformation.amazonaws.com"),
            "{exec_trust}"
        );
        // The deploy role passes the execution role to CloudFormation only.
        assert!(policy.contains("iam:PassRole"), "{policy}");
        assert!(policy.contains("iam:PassedToService"), "{policy}");
        assert!(!policy.contains("\"iam:*\""), "{policy}");
        for action in [
            "cloudformation:CreateChangeSet",
            "s3:PutObject",
            "ecr:PutImage",
            "ssm:GetParameter",
        ] {
            assert!(policy.contains(action), "{action}: {policy}");
        }
    }

    #[test]
    fn trusted_accounts_and_execution_policies_go_into_the_roles() {
        let options = BootstrapOptions {
            trusted_accounts: vec!["111111111111".into(), "222222222222".into()],
            execution_policies: vec!["arn:aws:iam::aws:policy/AdministratorAccess".into()],
        };
        let (deploy, exec, _) = roles(&options);
        let trust = deploy["Properties"]["AssumeRolePolicyDocument"].to_string();
        assert_eq!(trust.matches("sts:AssumeRole").count(), 3, "{trust}");
        assert!(trust.contains("111111111111:root") && trust.contains("222222222222:root"));
        assert_eq!(
            exec["Properties"]["ManagedPolicyArns"],
            serde_json::json!(["arn:aws:iam::aws:policy/AdministratorAccess"])
        );
        assert!(
            exec["Metadata"].to_string().contains(ADMIN_POLICY_CHECK),
            "{exec}"
        );
    }

    #[test]
    fn trust_without_execution_policies_is_refused() {
        let options = BootstrapOptions {
            trusted_accounts: vec!["111111111111".into()],
            execution_policies: Vec::new(),
        };
        let err = toolkit_stack_with("hnb659fds", &options)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("--cloudformation-execution-policies"), "{err}");
        let bad = BootstrapOptions {
            trusted_accounts: vec!["1234".into()],
            execution_policies: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()],
        };
        let err = bad.check().unwrap_err().to_string();
        assert!(err.contains("12 digits"), "{err}");
        let bad = BootstrapOptions {
            trusted_accounts: Vec::new(),
            execution_policies: vec!["AdministratorAccess".into()],
        };
        assert!(bad.check().unwrap_err().to_string().contains("policy ARN"));
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
