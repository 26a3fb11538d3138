//! S3 buckets, private and encrypted, reachable over TLS only, with typed grants; [`IBucket`]
//! for buckets made here or elsewhere.

use rcdk_core::kind::{BucketArn, BucketName};
use rcdk_core::{fns, NodeId, RemovalPolicy, Resource, Scanner, Val};
use rcdk_macros::Construct;

use super::elb_logs::ElbLogDelivery;
use super::lifecycle::{default_rules, LifecycleRule, MAX_LIFECYCLE_RULES};
use crate::cfn::s3 as cfn;
use crate::error::ConstructError;
use crate::iam::{
    grant_all, Action, ConditionOperator, Grant, Grantee, PolicyDocument, Principal, Role,
    Statement,
};
use cfn::bucket::{
    BucketEncryption, DefaultRetention, DefaultRetentionMode, EventBridgeConfiguration,
    LifecycleConfiguration, LoggingConfiguration, NotificationConfiguration,
    ObjectLockConfiguration, ObjectLockConfigurationObjectLockEnabled, ObjectLockRule,
    OwnershipControls, OwnershipControlsRule, OwnershipControlsRuleObjectOwnership as Ownership,
    PublicAccessBlockConfiguration, ServerSideEncryptionByDefault,
    ServerSideEncryptionByDefaultSseAlgorithm as Sse, ServerSideEncryptionRule,
    VersioningConfiguration, VersioningConfigurationStatus,
};
use cfn::bucket::{
    DeleteMarkerReplication, DeleteMarkerReplicationStatus, EncryptionConfiguration,
    ReplicationConfiguration, ReplicationDestination, ReplicationRule, ReplicationRuleFilter,
    ReplicationRuleStatus, SourceSelectionCriteria, SseKmsEncryptedObjects,
    SseKmsEncryptedObjectsStatus,
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

/// checkov: "bucket has access logging enabled".
const ACCESS_LOGS_CHECK: &str = "CKV_AWS_18";
/// Guard (Control Tower): server access logging configured.
const GUARD_LOGGING: &str = "s3_bucket_logging_enabled_check";
/// cdk-nag: server access logs enabled.
const NAG_LOGGING: &str = "AwsSolutions-S1";
/// Guard: default encryption with a KMS key (`aws:kms` or `aws:kms:dsse`).
const GUARD_KMS: &str = "s3_bucket_default_encryption_kms_check";
/// Guard: S3 Object Lock activated.
const GUARD_OBJECT_LOCK: &str = "s3_bucket_object_lock_enabled_check";
/// Guard: event notifications configured.
const GUARD_EVENTS: &str = "s3_event_notifications_enabled_check";
/// Guard: at least one enabled lifecycle rule.
const GUARD_LIFECYCLE: &str = "s3_lifecycle_policy_check";
/// Guard: a versioned bucket has at least one enabled lifecycle rule.
const GUARD_VERSION_LIFECYCLE: &str = "s3_version_lifecycle_policy_check";

/// The service principal that delivers S3 server access logs.
const S3_LOGGING_PRINCIPAL: &str = "logging.s3.amazonaws.com";

const NO_ACCESS_LOGS: &str = "Server access logging is turned off for this bucket \
                              (Bucket::no_access_logs); CloudTrail data events can record its \
                              object-level requests instead.";
const ACCESS_LOG_BUCKET_LOGS: &str = "This bucket receives server access logs: logging its own \
                                      accesses would log every log delivery, a loop.";
const ACCESS_LOG_BUCKET_SSE: &str = "This bucket receives S3 server access logs, whose delivery \
                                     supports SSE-S3 or a customer managed KMS key (1 USD a \
                                     month) but not the AWS managed key: SSE-S3 encrypts it.";
const ALB_LOG_BUCKET_SSE: &str = "This bucket receives load balancer access logs, and Elastic \
                                  Load Balancing delivers them to SSE-S3 buckets only.";
const NO_OBJECT_LOCK: &str = "Object Lock makes every object undeletable for a retention \
                              period, which suits compliance archives, not working data: opt in \
                              with Bucket::object_lock. Versioning keeps overwritten and deleted \
                              objects recoverable meanwhile.";
const NO_EVENTS: &str = "Nothing in this app consumes this bucket's object events; send them to \
                         EventBridge with Bucket::event_bridge when something does.";
const NO_LIFECYCLE: &str = "The default lifecycle rules are turned off \
                            (Bucket::no_default_lifecycle_rules) and no rule was added: objects \
                            and versions are kept until deleted.";

/// How a bucket encrypts objects by default.
#[derive(Debug, Clone, Copy)]
enum Encryption {
    /// SSE-KMS with the AWS managed key `aws/s3` and an S3 Bucket Key: a KMS key without a
    /// monthly charge, and few KMS requests.
    AwsManagedKms,
    /// SSE-S3, for buckets that a log delivery service writes into; the reason says which.
    S3Managed(&'static str),
}

/// A bucket with public access blocked, server-side encryption (SSE-KMS with the AWS managed
/// key), object ownership enforced (no ACLs), versioning on, default lifecycle rules (see
/// [`Bucket::no_default_lifecycle_rules`]), server access logs into a log bucket of its own
/// (child `AccessLogs`, see [`Bucket::server_access_logs`] to share one and
/// [`Bucket::no_access_logs`]) and a bucket policy denying any request without TLS. Retained
/// when removed from the stack.
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
    /// The bucket receiving this bucket's server access logs, when it has one of its own.
    #[construct(id = "AccessLogs")]
    access_logs: Option<Box<Bucket>>,
    /// The role S3 assumes to replicate, set by [`Bucket::replicate_to`].
    #[construct(id = "ReplicationRole")]
    replication_role: Option<Role>,
    #[construct(skip)]
    document: PolicyDocument,
    #[construct(skip)]
    receives_access_logs: bool,
    #[construct(skip)]
    lifecycle_rules: Vec<LifecycleRule>,
    #[construct(skip)]
    default_lifecycle: bool,
}

impl Default for Bucket {
    fn default() -> Self {
        Self::new()
    }
}

impl Bucket {
    /// A bucket with a generated name, logging its server accesses into a log bucket of its
    /// own.
    pub fn new() -> Bucket {
        let mut bucket = Bucket::with_policy(None, Encryption::AwsManagedKms);
        bucket.log_to_own_bucket();
        bucket
    }

    /// A bucket to receive the server access logs of other buckets (see
    /// [`Bucket::server_access_logs`]): its policy lets the S3 logging service of this account
    /// write objects, it is encrypted with SSE-S3 (log delivery does not support the AWS
    /// managed KMS key) and it does not log its own accesses (that would log the log
    /// deliveries).
    pub fn for_access_logs() -> Bucket {
        // The writer is limited to this account's log deliveries (aws:SourceAccount), not to
        // one source bucket (aws:SourceArn): a source bucket waits for this policy, so that S3
        // accepts its logging configuration, and the policy naming the source bucket's ARN
        // would wait for the source bucket in turn, a cycle.
        let writer = Statement::allow([crate::action!("s3:PutObject")])
            .principal(Principal::Service(S3_LOGGING_PRINCIPAL.to_string()))
            .condition(
                ConditionOperator::StringEquals,
                "aws:SourceAccount",
                [fns::account_id()],
            );
        let mut bucket =
            Bucket::with_policy(Some(writer), Encryption::S3Managed(ACCESS_LOG_BUCKET_SSE));
        bucket.receives_access_logs = true;
        let core = bucket.resource.core_mut();
        core.skip_check(ACCESS_LOGS_CHECK, ACCESS_LOG_BUCKET_LOGS);
        core.suppress(Scanner::Guard, GUARD_LOGGING, ACCESS_LOG_BUCKET_LOGS);
        // cdk-nag counts a bucket that other buckets log into as logged.
        core.unsuppress(Scanner::CdkNag, NAG_LOGGING);
        bucket
    }

    /// A bucket to receive the access logs of application load balancers (see
    /// `AlbBuilder::access_logs`, which adds each load balancer's prefix to its policy). Its
    /// encryption is SSE-S3, the only one ELB log delivery supports. The principal allowed to
    /// write is chosen by region at deployment: the regional ELB account in regions available
    /// before August 2022, the ELB log delivery service elsewhere. Its own server accesses are
    /// logged like any bucket's.
    pub fn for_load_balancer_logs() -> Bucket {
        let mut bucket = Bucket::with_policy(None, Encryption::S3Managed(ALB_LOG_BUCKET_SSE));
        let delivery = ElbLogDelivery::new();
        bucket.elb_accounts = Some(delivery.accounts);
        bucket.elb_account_region = Some(delivery.older_region);
        bucket.log_to_own_bucket();
        bucket
    }

    /// Sends this bucket's server access logs to a new log bucket of its own (child
    /// `AccessLogs`).
    fn log_to_own_bucket(&mut self) {
        let logs = Bucket::for_access_logs();
        self.set_log_destination(&logs, None);
        self.access_logs = Some(Box::new(logs));
    }

    /// Points server access logging at `log_bucket` under `prefix`. The bucket waits for the log
    /// bucket's policy, so that S3 may deliver from the first request.
    fn set_log_destination(&mut self, log_bucket: &Bucket, prefix: Option<&str>) {
        let mut logging =
            LoggingConfiguration::new().destination_bucket_name(log_bucket.bucket_name());
        if let Some(prefix) = prefix {
            logging.set_log_file_prefix(prefix);
        }
        self.resource.set_logging_configuration(logging);
        self.resource
            .core_mut()
            .add_dependency(log_bucket.policy.core().node());
        let core = self.resource.core_mut();
        core.unskip_check(ACCESS_LOGS_CHECK);
        core.unsuppress(Scanner::Guard, GUARD_LOGGING);
        core.unsuppress(Scanner::CdkNag, NAG_LOGGING);
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
    /// the bucket's objects are added here) in its policy, encrypted as `encryption` says,
    /// without access logging (the constructors turn it on) and with the default lifecycle
    /// rules.
    fn with_policy(log_writer: Option<Statement>, encryption: Encryption) -> Bucket {
        let sse_rule = match encryption {
            Encryption::AwsManagedKms => ServerSideEncryptionRule::new()
                .server_side_encryption_by_default(ServerSideEncryptionByDefault::new(Sse::AwsKms))
                .bucket_key_enabled(true),
            Encryption::S3Managed(_) => ServerSideEncryptionRule::new()
                .server_side_encryption_by_default(ServerSideEncryptionByDefault::new(Sse::Aes256)),
        };
        let mut resource = cfn::Bucket::new()
            .bucket_encryption(BucketEncryption::new([sse_rule]))
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
            .skip_check(ACCESS_LOGS_CHECK, NO_ACCESS_LOGS)
            .suppress(Scanner::Guard, GUARD_LOGGING, NO_ACCESS_LOGS)
            .suppress(Scanner::CdkNag, NAG_LOGGING, NO_ACCESS_LOGS)
            .suppress(Scanner::Guard, GUARD_OBJECT_LOCK, NO_OBJECT_LOCK)
            .suppress(Scanner::Guard, GUARD_EVENTS, NO_EVENTS);
        if let Encryption::S3Managed(reason) = encryption {
            resource
                .core_mut()
                .suppress(Scanner::Guard, GUARD_KMS, reason);
        }
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
        let mut bucket = Bucket {
            resource,
            policy,
            elb_accounts: None,
            elb_account_region: None,
            access_logs: None,
            replication_role: None,
            document: tls_only,
            receives_access_logs: false,
            lifecycle_rules: Vec::new(),
            default_lifecycle: true,
        };
        bucket.write_lifecycle();
        bucket
    }

    /// Logs every request to this bucket into `log_bucket` (made with
    /// [`Bucket::for_access_logs`], which several buckets can share) under `prefix` (e.g.
    /// `photos/`), instead of a log bucket of its own. Fails when `log_bucket` cannot receive
    /// logs or is this bucket.
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
        self.drop_own_log_bucket();
        self.set_log_destination(log_bucket, Some(prefix));
        Ok(self)
    }

    /// Turns server access logging off (no log bucket of its own), suppressing the findings
    /// that ask for it with a reason naming this call. A bucket made with
    /// [`Bucket::for_access_logs`] never logs its own accesses already.
    pub fn no_access_logs(mut self) -> Bucket {
        if self.receives_access_logs {
            return self;
        }
        self.drop_own_log_bucket();
        self.resource.set_logging_configuration(Val::no_value());
        let core = self.resource.core_mut();
        core.skip_check(ACCESS_LOGS_CHECK, NO_ACCESS_LOGS);
        core.suppress(Scanner::Guard, GUARD_LOGGING, NO_ACCESS_LOGS);
        core.suppress(Scanner::CdkNag, NAG_LOGGING, NO_ACCESS_LOGS);
        self
    }

    /// The bucket receiving this bucket's server access logs when it is its own (child
    /// `AccessLogs`), not one given to [`Bucket::server_access_logs`].
    pub fn own_access_log_bucket(&self) -> Option<&Bucket> {
        self.access_logs.as_deref()
    }

    /// Activates S3 Object Lock with a default retention of `days` (1 or more) in `mode`: no
    /// object version can be deleted or overwritten before it is that old (in
    /// [`ObjectLockMode::Compliance`], not even by the account's root user). For compliance
    /// archives; it needs versioning, which stays on.
    pub fn object_lock(
        mut self,
        mode: ObjectLockMode,
        days: u32,
    ) -> Result<Bucket, ConstructError> {
        if days == 0 {
            return Err(ConstructError::OutOfRange {
                construct: "Bucket",
                setting: "object_lock days",
                value: 0,
                allowed: "1 or more days of default retention",
            });
        }
        if !self.is_versioned() {
            return Err(ConstructError::Conflict {
                construct: "Bucket".into(),
                problem: "Object Lock needs versioning: keep versioned(true)".into(),
            });
        }
        self.resource.set_object_lock_enabled(true);
        self.resource.set_object_lock_configuration(
            ObjectLockConfiguration::new()
                .object_lock_enabled(ObjectLockConfigurationObjectLockEnabled::Enabled)
                .rule(
                    ObjectLockRule::new().default_retention(
                        DefaultRetention::new()
                            .mode(mode.to_cfn())
                            .days(i64::from(days)),
                    ),
                ),
        );
        self.resource
            .core_mut()
            .unsuppress(Scanner::Guard, GUARD_OBJECT_LOCK);
        Ok(self)
    }

    /// Sends the bucket's object events to Amazon EventBridge (the default event bus), where
    /// rules can route them.
    pub fn event_bridge(mut self) -> Bucket {
        self.resource.set_notification_configuration(
            NotificationConfiguration::new()
                .event_bridge_configuration(EventBridgeConfiguration::new(true)),
        );
        self.resource
            .core_mut()
            .unsuppress(Scanner::Guard, GUARD_EVENTS);
        self
    }

    /// Drops the default lifecycle rules (abort multipart uploads still incomplete after
    /// [`ABORT_INCOMPLETE_MULTIPART_DAYS`](super::ABORT_INCOMPLETE_MULTIPART_DAYS) days; on a versioned bucket, delete versions
    /// [`NONCURRENT_VERSION_DAYS`](super::NONCURRENT_VERSION_DAYS) days after they became noncurrent). A rule added with
    /// [`Bucket::lifecycle_rule`] under a default rule's id replaces that rule alone.
    pub fn no_default_lifecycle_rules(mut self) -> Bucket {
        self.default_lifecycle = false;
        self.write_lifecycle();
        self
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
    /// leaves it off, which checkov reports (and drops the default rule on noncurrent versions).
    pub fn versioned(mut self, on: bool) -> Bucket {
        if on {
            self.resource
                .set_versioning_configuration(VersioningConfiguration::new(
                    VersioningConfigurationStatus::Enabled,
                ));
        } else {
            self.resource.set_versioning_configuration(Val::no_value());
        }
        self.write_lifecycle();
        self
    }

    /// Adds a lifecycle rule (see [`LifecycleRule`]), checked: a rule S3 would refuse, a
    /// second rule with the same id, noncurrent-version actions on an unversioned bucket and
    /// more than 1,000 rules are errors. A rule with a default rule's id
    /// ([`DEFAULT_ABORT_MULTIPART_RULE`](super::DEFAULT_ABORT_MULTIPART_RULE), [`DEFAULT_NONCURRENT_RULE`](super::DEFAULT_NONCURRENT_RULE)) replaces it.
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
        if rule.has_noncurrent_actions() && !self.is_versioned() {
            return Err(bad(
                "noncurrent versions exist only in a versioned bucket, and this one is not: \
                 drop the noncurrent actions or keep versioning on"
                    .into(),
            ));
        }
        self.lifecycle_rules.push(rule);
        self.write_lifecycle();
        Ok(self)
    }

    fn is_versioned(&self) -> bool {
        self.resource
            .get_versioning_configuration()
            .is_some_and(|v| v != Val::no_value())
    }

    /// Writes the lifecycle configuration: the default rules (unless turned off or replaced by
    /// a rule of the same id), then the added ones; with none, the rules asking for one are
    /// suppressed with the reason.
    fn write_lifecycle(&mut self) {
        let versioned = self.is_versioned();
        let defaults = if self.default_lifecycle {
            default_rules(versioned)
        } else {
            Vec::new()
        };
        let rules: Vec<_> = defaults
            .iter()
            .filter(|d| self.lifecycle_rules.iter().all(|r| r.id() != d.id()))
            .chain(&self.lifecycle_rules)
            .map(LifecycleRule::to_cfn)
            .collect();
        let empty = rules.is_empty();
        if empty {
            self.resource.set_lifecycle_configuration(Val::no_value());
        } else {
            self.resource
                .set_lifecycle_configuration(LifecycleConfiguration::new(rules));
        }
        let core = self.resource.core_mut();
        if empty {
            core.suppress(Scanner::Guard, GUARD_LIFECYCLE, NO_LIFECYCLE);
        } else {
            core.unsuppress(Scanner::Guard, GUARD_LIFECYCLE);
        }
        if empty && versioned {
            core.suppress(Scanner::Guard, GUARD_VERSION_LIFECYCLE, NO_LIFECYCLE);
        } else {
            core.unsuppress(Scanner::Guard, GUARD_VERSION_LIFECYCLE);
        }
    }

    /// Forgets the log bucket of its own (when logs go elsewhere or nowhere).
    fn drop_own_log_bucket(&mut self) {
        if let Some(own) = self.access_logs.take() {
            let policy = own.policy.core().node();
            self.resource
                .core_mut()
                .attributes
                .depends_on
                .retain(|n| *n != policy);
        }
    }

    /// The lifecycle rules added with [`Bucket::lifecycle_rule`].
    pub fn lifecycle_rules(&self) -> &[LifecycleRule] {
        &self.lifecycle_rules
    }

    /// Replicates every new object version, and delete markers, into `destination`: a
    /// versioned bucket of this account in region `destination_region`, typically the bucket
    /// of a stack in another region kept for recovery (its ARN then reaches this stack at
    /// deploy time, as a reference across environments).
    ///
    /// Replicas stay encrypted: objects encrypted with KMS are replicated too, and encrypted
    /// in the destination with its region's AWS managed key (`aws/s3`). The role S3 assumes
    /// (child `ReplicationRole`, trusted by S3 for this account only) may read this bucket's
    /// versions and replicate into the destination's objects, and use KMS keys only through
    /// S3 in the two regions. This bucket must stay versioned.
    pub fn replicate_to(
        mut self,
        destination: &dyn IBucket,
        destination_region: &str,
    ) -> Result<Bucket, ConstructError> {
        let bad = |problem: String| ConstructError::Replication { problem };
        if !self.is_versioned() {
            return Err(bad(
                "replication needs versioning on the source bucket: keep versioned(true)".into(),
            ));
        }
        if self.replication_role.is_some() {
            return Err(bad(
                "the bucket already replicates; call replicate_to once".into()
            ));
        }
        let region_shaped = !destination_region.is_empty()
            && destination_region.split('-').count() >= 3
            && destination_region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !region_shaped {
            return Err(bad(format!(
                "`{destination_region}` is not a region name; give the destination bucket's region, e.g. eu-central-1"
            )));
        }
        let mut role = Role::with_trust(
            Statement::allow([crate::action!("sts:AssumeRole")])
                .principal(Principal::Service("s3.amazonaws.com".to_string()))
                .condition(
                    ConditionOperator::StringEquals,
                    "aws:SourceAccount",
                    [fns::account_id()],
                ),
        )
        .description("Assumed by S3 to replicate the bucket's object versions");
        let source: Val<String> = self.bucket_arn().into();
        let target: Val<String> = destination.bucket_arn().into();
        // The region is checked above to be letters, digits and dashes: safe inside `Fn::Sub`.
        let no_variables: [(&str, Val<String>); 0] = [];
        let key_in = |region: &str| {
            fns::sub(
                format!("arn:${{AWS::Partition}}:kms:{region}:${{AWS::AccountId}}:key/*"),
                no_variables.clone(),
            )
        };
        // A literal needs no `Fn::Sub` (linters flag one without variables).
        let through_s3_in = |region: &str| -> Val<String> {
            let text = format!("s3.{region}.amazonaws.com");
            if region.contains("${") {
                fns::sub(text, no_variables.clone())
            } else {
                Val::from(text)
            }
        };
        let keys_reason = "the AWS managed key aws/s3 of each region, whose key id is not \
                           known to the template: any key of the account in that region, used \
                           only through S3 there (kms:ViaService)";
        grant_all(
            &mut role,
            Statement::allow(crate::actions![
                "s3:GetReplicationConfiguration",
                "s3:ListBucket"
            ])
            .on(source.clone()),
            [
                Statement::allow(crate::actions![
                    "s3:GetObjectVersionAcl",
                    "s3:GetObjectVersionForReplication",
                    "s3:GetObjectVersionTagging"
                ])
                .on(objects_of(&source))
                .wildcards_because(OBJECTS_REASON),
                Statement::allow(crate::actions![
                    "s3:ReplicateDelete",
                    "s3:ReplicateObject",
                    "s3:ReplicateTags"
                ])
                .on(objects_of(&target))
                .wildcards_because(OBJECTS_REASON),
                Statement::allow(crate::actions!["kms:Decrypt"])
                    .on(key_in("${AWS::Region}"))
                    .condition(
                        ConditionOperator::StringEquals,
                        "kms:ViaService",
                        [through_s3_in("${AWS::Region}")],
                    )
                    .wildcards_because(keys_reason),
                Statement::allow(crate::actions!["kms:Encrypt", "kms:GenerateDataKey"])
                    .on(key_in(destination_region))
                    .condition(
                        ConditionOperator::StringEquals,
                        "kms:ViaService",
                        [through_s3_in(destination_region)],
                    )
                    .wildcards_because(keys_reason),
            ],
        );
        let replica_key = fns::sub(
            format!(
                "arn:${{AWS::Partition}}:kms:{destination_region}:${{AWS::AccountId}}:alias/aws/s3"
            ),
            no_variables,
        );
        let rule = ReplicationRule::new(
            ReplicationDestination::new(target)
                .encryption_configuration(EncryptionConfiguration::new(replica_key)),
            ReplicationRuleStatus::Enabled,
        )
        .id("Recovery")
        .priority(0)
        .filter(ReplicationRuleFilter::new().prefix(""))
        .delete_marker_replication(
            DeleteMarkerReplication::new().status(DeleteMarkerReplicationStatus::Enabled),
        )
        .source_selection_criteria(
            SourceSelectionCriteria::new().sse_kms_encrypted_objects(SseKmsEncryptedObjects::new(
                SseKmsEncryptedObjectsStatus::Enabled,
            )),
        );
        self.resource
            .set_replication_configuration(ReplicationConfiguration::new(role.arn(), vec![rule]));
        self.replication_role = Some(role);
        Ok(self)
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

/// How S3 Object Lock protects object versions during their retention period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectLockMode {
    /// Users with `s3:BypassGovernanceRetention` may still delete or shorten the retention.
    Governance,
    /// Nobody can delete a version or shorten its retention, not even the root user.
    Compliance,
}

impl ObjectLockMode {
    fn to_cfn(self) -> DefaultRetentionMode {
        match self {
            ObjectLockMode::Governance => DefaultRetentionMode::Governance,
            ObjectLockMode::Compliance => DefaultRetentionMode::Compliance,
        }
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
