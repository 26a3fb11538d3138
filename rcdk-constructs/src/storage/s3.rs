//! S3 buckets, private and encrypted, reachable over TLS only, with typed grants; [`IBucket`]
//! for buckets made here or elsewhere.

use rcdk_core::kind::{BucketArn, BucketName};
use rcdk_core::{fns, NodeId, RemovalPolicy, Resource, Val};
use rcdk_macros::Construct;

use super::elb_logs::ElbLogDelivery;
use super::lifecycle::{LifecycleRule, MAX_LIFECYCLE_RULES};
use crate::cfn::s3 as cfn;
use crate::error::ConstructError;
use crate::iam::{
    grant_all, Action, ConditionOperator, Grant, Grantee, PolicyDocument, Principal, Statement,
};
use cfn::bucket::{
    BucketEncryption, LifecycleConfiguration, LoggingConfiguration, OwnershipControls,
    OwnershipControlsRule, OwnershipControlsRuleObjectOwnership as Ownership,
    PublicAccessBlockConfiguration, ServerSideEncryptionByDefault,
    ServerSideEncryptionByDefaultSseAlgorithm as Sse, ServerSideEncryptionRule,
    VersioningConfiguration, VersioningConfigurationStatus,
};

/// What other constructs need of a bucket: its name and ARN, and the grants built on them. A
/// grant writes the principal's policy only, so it works the same on a bucket of this app and
/// on one imported with [`Bucket::from_name`].
pub trait IBucket {
    /// The bucket name.
    fn bucket_name(&self) -> Val<BucketName>;
    /// The bucket ARN.
    fn bucket_arn(&self) -> Val<BucketArn>;

    /// The ARN of every object in the bucket (`<bucket ARN>/*`).
    fn objects_arn(&self) -> Val<String> {
        objects_of(&self.bucket_arn().into())
    }

    /// Read: `s3:ListBucket` on the bucket, `s3:GetObject` on its objects.
    fn grant_read(&self, grantee: &mut dyn Grantee) -> Grant {
        grant_all(
            grantee,
            Statement::allow(crate::actions!["s3:ListBucket"]).on(self.bucket_arn()),
            [Statement::allow(crate::actions!["s3:GetObject"])
                .on(self.objects_arn())
                .wildcards_because(OBJECTS_REASON)],
        )
    }

    /// Write: `s3:PutObject` and `s3:DeleteObject` on its objects.
    fn grant_write(&self, grantee: &mut dyn Grantee) -> Grant {
        grant_all(
            grantee,
            Statement::allow(crate::actions!["s3:DeleteObject", "s3:PutObject"])
                .on(self.objects_arn())
                .wildcards_because(OBJECTS_REASON),
            [],
        )
    }

    /// Read and write: both of the above (objects' actions merged in one statement).
    fn grant_read_write(&self, grantee: &mut dyn Grantee) -> Grant {
        grant_all(
            grantee,
            Statement::allow(crate::actions!["s3:ListBucket"]).on(self.bucket_arn()),
            [Statement::allow(crate::actions![
                "s3:GetObject",
                "s3:DeleteObject",
                "s3:PutObject"
            ])
            .on(self.objects_arn())
            .wildcards_because(OBJECTS_REASON)],
        )
    }
}

/// Why object grants name `<bucket ARN>/*`.
const OBJECTS_REASON: &str = "object actions on the objects of this one bucket \
     (`<bucket ARN>/*`): object ARNs are per key, and the keys are the application's data, \
     written at run time";

/// checkov: "bucket has access logging enabled", met with [`Bucket::server_access_logs`].
const ACCESS_LOGS_CHECK: &str = "CKV_AWS_18";

/// The service principal that delivers S3 server access logs.
const S3_LOGGING_PRINCIPAL: &str = "logging.s3.amazonaws.com";

/// A bucket with public access blocked, server-side encryption (SSE-S3), object ownership
/// enforced (no ACLs), versioning on and a bucket policy denying any request without TLS.
/// Server access logging is the opt-in [`Bucket::server_access_logs`], into a bucket made with
/// [`Bucket::for_access_logs`]. Retained when removed from the stack.
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "storage::Bucket")]
pub struct Bucket {
    resource: cfn::Bucket,
    policy: cfn::BucketPolicy,
    /// Set by [`Bucket::for_load_balancer_logs`]: the ELB accounts mapping.
    #[construct(id = "ElbAccounts")]
    elb_accounts: Option<rcdk_core::Mapping>,
    /// Set by [`Bucket::for_load_balancer_logs`]: "the region has an ELB account".
    #[construct(id = "ElbAccountRegion")]
    elb_account_region: Option<rcdk_core::Condition>,
    #[construct(skip)]
    document: PolicyDocument,
    #[construct(skip)]
    receives_access_logs: bool,
    #[construct(skip)]
    lifecycle_rules: Vec<LifecycleRule>,
}

impl Default for Bucket {
    fn default() -> Self {
        Self::new()
    }
}

impl Bucket {
    /// A bucket with a generated name.
    pub fn new() -> Bucket {
        Bucket::with_policy(
            None,
            "Server access logging is opt-in (Bucket::server_access_logs): it needs a second \
             bucket for the logs; object-level requests can be recorded by CloudTrail data \
             events instead.",
        )
    }

    /// A bucket to receive the server access logs of other buckets (see
    /// [`Bucket::server_access_logs`]): its policy lets the S3 logging service of this account
    /// write objects, and it does not log its own accesses (that would log the log deliveries).
    pub fn for_access_logs() -> Bucket {
        let mut bucket = Bucket::with_policy(
            Some(
                Statement::allow([crate::action!("s3:PutObject")])
                    .principal(Principal::Service(S3_LOGGING_PRINCIPAL.to_string()))
                    .condition(
                        ConditionOperator::StringEquals,
                        "aws:SourceAccount",
                        [fns::account_id()],
                    ),
            ),
            "This is the access-log bucket: logging its own accesses would log every log \
             delivery.",
        );
        bucket.receives_access_logs = true;
        bucket
    }

    /// A bucket to receive the access logs of application load balancers (see
    /// `AlbBuilder::access_logs`, which adds each load balancer's prefix to its policy). Its
    /// encryption is SSE-S3, the only one ELB log delivery supports. The principal allowed to
    /// write is chosen by region at deployment: the regional ELB account in regions available
    /// before August 2022, the ELB log delivery service elsewhere.
    pub fn for_load_balancer_logs() -> Bucket {
        let mut bucket = Bucket::with_policy(
            None,
            "This bucket receives load balancer access logs; log its own accesses with \
             Bucket::server_access_logs into a Bucket::for_access_logs() bucket if needed.",
        );
        let delivery = ElbLogDelivery::new();
        bucket.elb_accounts = Some(delivery.accounts);
        bucket.elb_account_region = Some(delivery.older_region);
        bucket
    }

    /// Lets Elastic Load Balancing write access logs under `prefix` (empty: at the top), i.e.
    /// `s3:PutObject` on `<bucket ARN>/<prefix>/AWSLogs/<this account>/*`. Returns the bucket
    /// policy's node: the load balancer must depend on it, as ELB checks that it can write
    /// when logging is turned on.
    pub(crate) fn admit_load_balancer_logs(
        &mut self,
        prefix: &str,
    ) -> Result<NodeId, ConstructError> {
        let bad = |problem: String| ConstructError::AccessLogs {
            what: "load balancer",
            problem,
        };
        let (Some(accounts), Some(older_region)) = (&self.elb_accounts, &self.elb_account_region)
        else {
            return Err(bad(
                "the log bucket's policy does not let Elastic Load Balancing deliver logs: \
                 create it with Bucket::for_load_balancer_logs()"
                    .into(),
            ));
        };
        check_elb_prefix(prefix).map_err(bad)?;
        let delivery = ElbLogDelivery {
            accounts: accounts.clone(),
            older_region: older_region.clone(),
        };
        // The prefix goes in as a variable: it may hold characters `Fn::Sub` would read.
        let bucket: Val<String> = self.bucket_name().into();
        let logs = if prefix.is_empty() {
            fns::sub(
                "arn:${AWS::Partition}:s3:::${Bucket}/AWSLogs/${AWS::AccountId}/*",
                [("Bucket", bucket)],
            )
        } else {
            fns::sub(
                "arn:${AWS::Partition}:s3:::${Bucket}/${Prefix}/AWSLogs/${AWS::AccountId}/*",
                [("Bucket", bucket), ("Prefix", Val::from(prefix))],
            )
        };
        let _ = self.document.add_trusted(
            Statement::allow([crate::action!("s3:PutObject")])
                .principal(delivery.principal())
                .on(logs),
        );
        self.policy.set_policy_document(self.document.to_json_val());
        Ok(self.policy.core().node())
    }

    /// The bucket, with `log_writer` (the logging service's permission, without its resource:
    /// the bucket's objects are added here) in its policy and CKV_AWS_18 skipped for
    /// `no_logs_reason` (until [`Bucket::server_access_logs`] turns logging on).
    fn with_policy(log_writer: Option<Statement>, no_logs_reason: &str) -> Bucket {
        let resource = cfn::Bucket::new()
            .bucket_encryption(BucketEncryption::new([ServerSideEncryptionRule::new()
                .server_side_encryption_by_default(ServerSideEncryptionByDefault::new(
                    Sse::Aes256,
                ))]))
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::new()
                    .block_public_acls(true)
                    .block_public_policy(true)
                    .ignore_public_acls(true)
                    .restrict_public_buckets(true),
            )
            .ownership_controls(OwnershipControls::new([
                OwnershipControlsRule::new().object_ownership(Ownership::BucketOwnerEnforced)
            ]))
            .versioning_configuration(VersioningConfiguration::new(
                VersioningConfigurationStatus::Enabled,
            ))
            .removal_policy(RemovalPolicy::Retain)
            .skip_check(ACCESS_LOGS_CHECK, no_logs_reason);
        let bucket_arn: Val<String> = resource.attr_arn().into();
        let mut tls_only = PolicyDocument::new();
        let _ = tls_only.add_trusted(
            Statement::deny([Action::known("s3:*")])
                .principal(Principal::Aws("*".into()))
                .on(bucket_arn.clone())
                .on(objects_of(&bucket_arn))
                .condition(ConditionOperator::Bool, "aws:SecureTransport", ["false"]),
        );
        if let Some(writer) = log_writer {
            let _ = tls_only.add_trusted(writer.on(objects_of(&bucket_arn)));
        }
        let policy = cfn::BucketPolicy::new(resource.ref_(), tls_only.to_json_val());
        Bucket {
            resource,
            policy,
            elb_accounts: None,
            elb_account_region: None,
            document: tls_only,
            receives_access_logs: false,
            lifecycle_rules: Vec::new(),
        }
    }

    /// Logs every request to this bucket into `log_bucket` (made with
    /// [`Bucket::for_access_logs`]) under `prefix` (e.g. `photos/`). Fails when `log_bucket`
    /// cannot receive logs or is this bucket.
    pub fn server_access_logs(
        mut self,
        log_bucket: &Bucket,
        prefix: &str,
    ) -> Result<Bucket, ConstructError> {
        let bad = |problem: &str| ConstructError::AccessLogs {
            what: "Bucket",
            problem: problem.to_string(),
        };
        if !log_bucket.receives_access_logs {
            return Err(bad(
                "the log bucket's policy does not let S3 deliver logs: create it with \
                 Bucket::for_access_logs()",
            ));
        }
        if self.resource.core().node() == log_bucket.resource.core().node() {
            return Err(bad(
                "a bucket cannot receive its own access logs: give a separate log bucket",
            ));
        }
        if prefix.len() > 1024 {
            return Err(bad("the log prefix is longer than 1024 characters"));
        }
        self.resource.set_logging_configuration(
            LoggingConfiguration::new()
                .destination_bucket_name(log_bucket.bucket_name())
                .log_file_prefix(prefix),
        );
        self.resource.core_mut().unskip_check(ACCESS_LOGS_CHECK);
        Ok(self)
    }

    /// A bucket that exists already, by name (its ARN is derived in this stack's partition).
    pub fn from_name(name: impl Into<Val<BucketName>>) -> ImportedBucket {
        ImportedBucket { name: name.into() }
    }

    /// A fixed bucket name (globally unique; prefer generated names).
    pub fn named(mut self, name: impl Into<Val<String>>) -> Bucket {
        self.resource.set_bucket_name(name);
        self
    }

    /// Versioning (on by default: overwritten and deleted objects stay recoverable). `false`
    /// leaves it off, which checkov reports.
    pub fn versioned(mut self, on: bool) -> Bucket {
        if on {
            self.resource
                .set_versioning_configuration(VersioningConfiguration::new(
                    VersioningConfigurationStatus::Enabled,
                ));
        } else {
            self.resource.set_versioning_configuration(Val::no_value());
        }
        self
    }

    /// Adds a lifecycle rule (see [`LifecycleRule`]), checked: a rule S3 would refuse, a
    /// second rule with the same id, noncurrent-version actions on an unversioned bucket and
    /// more than 1,000 rules are errors.
    pub fn lifecycle_rule(mut self, rule: LifecycleRule) -> Result<Bucket, ConstructError> {
        self.add_lifecycle_rule(rule)?;
        Ok(self)
    }

    /// [`Bucket::lifecycle_rule`] on a bucket held by `&mut`.
    pub fn add_lifecycle_rule(&mut self, rule: LifecycleRule) -> Result<&mut Self, ConstructError> {
        rule.check()?;
        let bad = |problem: String| ConstructError::LifecycleRule {
            rule: rule.id().to_string(),
            problem,
        };
        if self.lifecycle_rules.iter().any(|r| r.id() == rule.id()) {
            return Err(bad(
                "the bucket has a rule with this id already: rename one".into(),
            ));
        }
        if self.lifecycle_rules.len() >= MAX_LIFECYCLE_RULES {
            return Err(bad(format!(
                "a bucket takes at most {MAX_LIFECYCLE_RULES} lifecycle rules"
            )));
        }
        let versioned = self
            .resource
            .get_versioning_configuration()
            .is_some_and(|v| v != Val::no_value());
        if rule.has_noncurrent_actions() && !versioned {
            return Err(bad(
                "noncurrent versions exist only in a versioned bucket, and this one is not:                  drop the noncurrent actions or keep versioning on"
                    .into(),
            ));
        }
        self.lifecycle_rules.push(rule);
        self.resource
            .set_lifecycle_configuration(LifecycleConfiguration::new(
                self.lifecycle_rules
                    .iter()
                    .map(LifecycleRule::to_cfn)
                    .collect::<Vec<_>>(),
            ));
        Ok(self)
    }

    /// The lifecycle rules added with [`Bucket::lifecycle_rule`].
    pub fn lifecycle_rules(&self) -> &[LifecycleRule] {
        &self.lifecycle_rules
    }

    /// What happens to the bucket when it leaves the stack (default: retained).
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Bucket {
        self.resource = self.resource.removal_policy(policy);
        self
    }

    /// The bucket resource, mutably (lifecycle rules, notifications, properties this construct
    /// does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::Bucket {
        &mut self.resource
    }

    /// The bucket resource.
    pub fn resource(&self) -> &cfn::Bucket {
        &self.resource
    }
}

impl IBucket for Bucket {
    fn bucket_name(&self) -> Val<BucketName> {
        self.resource.ref_()
    }
    fn bucket_arn(&self) -> Val<BucketArn> {
        self.resource.attr_arn()
    }
}

/// A bucket made outside this app ([`Bucket::from_name`]).
#[derive(Debug, Clone)]
pub struct ImportedBucket {
    name: Val<BucketName>,
}

impl IBucket for ImportedBucket {
    fn bucket_name(&self) -> Val<BucketName> {
        self.name.clone()
    }
    fn bucket_arn(&self) -> Val<BucketArn> {
        crate::arn::from_name("arn:${AWS::Partition}:s3:::${Name}", self.name.clone())
    }
}

/// What ELB accepts as a log prefix: no leading or trailing `/`, no `AWSLogs`, printable
/// ASCII.
fn check_elb_prefix(prefix: &str) -> Result<(), String> {
    if prefix.starts_with('/') || prefix.ends_with('/') {
        return Err(format!(
            "prefix `{prefix}` starts or ends with `/`: give it without (e.g. `alb/prod`)"
        ));
    }
    if prefix.contains("AWSLogs") {
        return Err(format!(
            "prefix `{prefix}` contains `AWSLogs`, which Elastic Load Balancing adds itself"
        ));
    }
    if prefix.len() > 1024 || !prefix.chars().all(|c| c.is_ascii_graphic()) {
        return Err(format!(
            "prefix `{prefix}` must be at most 1024 printable ASCII characters without spaces"
        ));
    }
    Ok(())
}

fn objects_of(bucket_arn: &Val<String>) -> Val<String> {
    fns::join("", vec![bucket_arn.clone(), Val::from("/*")])
}
