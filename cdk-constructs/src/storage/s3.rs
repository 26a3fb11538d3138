//! S3 buckets, private and encrypted, reachable over TLS only, with typed grants.

use cdk_core::kind::BucketName;
use cdk_core::{fns, RemovalPolicy, Resource, Val, Value};
use cdk_macros::Construct;

use crate::cfn::s3 as cfn;
use crate::iam::value::{list, obj, raw, s};
use crate::iam::{
    actions, grant_all, Action, ConditionOperator, Grant, Grantee, PolicyDocument, Principal,
    Statement,
};

const READ_OBJECTS: &[&str] = &["s3:GetObject"];
const LIST: &[&str] = &["s3:ListBucket"];
const WRITE_OBJECTS: &[&str] = &["s3:DeleteObject", "s3:PutObject"];

/// A bucket with public access blocked, server-side encryption (SSE-S3), object ownership
/// enforced (no ACLs), versioning on and a bucket policy denying any request without TLS.
/// Retained when removed from the stack.
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "storage::Bucket")]
pub struct Bucket {
    resource: cfn::Bucket,
    policy: cfn::BucketPolicy,
}

impl Default for Bucket {
    fn default() -> Self {
        Self::new()
    }
}

impl Bucket {
    /// A bucket with a generated name.
    pub fn new() -> Bucket {
        let mut resource = cfn::Bucket::new().removal_policy(RemovalPolicy::Retain);
        let core = resource.core_mut();
        core.set(
            "BucketEncryption",
            obj([(
                "ServerSideEncryptionConfiguration",
                list([obj([(
                    "ServerSideEncryptionByDefault",
                    obj([("SSEAlgorithm", s("AES256"))]),
                )])]),
            )]),
        );
        core.set(
            "PublicAccessBlockConfiguration",
            obj([
                ("BlockPublicAcls", Value::Bool(true)),
                ("BlockPublicPolicy", Value::Bool(true)),
                ("IgnorePublicAcls", Value::Bool(true)),
                ("RestrictPublicBuckets", Value::Bool(true)),
            ]),
        );
        core.set(
            "OwnershipControls",
            obj([(
                "Rules",
                list([obj([("ObjectOwnership", s("BucketOwnerEnforced"))])]),
            )]),
        );
        core.set("VersioningConfiguration", obj([("Status", s("Enabled"))]));
        let bucket_arn: Val<String> = raw(resource.attr_arn());
        let mut tls_only = PolicyDocument::new();
        let _ = tls_only.add_trusted(
            Statement::deny([Action::known("s3:*")])
                .principal(Principal::Aws("*".into()))
                .on(bucket_arn.clone())
                .on(objects_of(&bucket_arn))
                .condition(ConditionOperator::Bool, "aws:SecureTransport", ["false"]),
        );
        let policy = cfn::BucketPolicy::new(resource.ref_(), tls_only.to_json_val());
        Bucket { resource, policy }
    }

    /// A fixed bucket name (globally unique; prefer generated names).
    pub fn named(mut self, name: impl Into<Val<String>>) -> Bucket {
        self.resource.core_mut().set("BucketName", name.into());
        self
    }

    /// Turns versioning off (it is on by default: overwritten and deleted objects stay
    /// recoverable).
    pub fn without_versioning_explicitly(mut self) -> Bucket {
        self.resource
            .core_mut()
            .props
            .remove("VersioningConfiguration");
        self
    }

    /// What happens to the bucket when it leaves the stack (default: retained).
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Bucket {
        self.resource = self.resource.removal_policy(policy);
        self
    }

    /// The bucket name (`Ref`).
    pub fn bucket_name(&self) -> Val<BucketName> {
        raw(self.resource.ref_())
    }

    /// The bucket ARN.
    pub fn arn(&self) -> Val<String> {
        raw(self.resource.attr_arn())
    }

    /// The ARN of every object in the bucket (`<bucket ARN>/*`).
    pub fn objects_arn(&self) -> Val<String> {
        objects_of(&self.arn())
    }

    /// Read: `s3:ListBucket` on the bucket, `s3:GetObject` on its objects.
    pub fn grant_read(&self, grantee: &mut (impl Grantee + ?Sized)) -> Grant {
        grant_all(
            grantee,
            Statement::allow(actions(LIST)).on(self.arn()),
            [Statement::allow(actions(READ_OBJECTS)).on(self.objects_arn())],
        )
    }

    /// Write: `s3:PutObject` and `s3:DeleteObject` on its objects.
    pub fn grant_write(&self, grantee: &mut (impl Grantee + ?Sized)) -> Grant {
        grant_all(
            grantee,
            Statement::allow(actions(WRITE_OBJECTS)).on(self.objects_arn()),
            [],
        )
    }

    /// Read and write: both of the above (objects' actions merged in one statement).
    pub fn grant_read_write(&self, grantee: &mut (impl Grantee + ?Sized)) -> Grant {
        let mut objects: Vec<&str> = READ_OBJECTS.to_vec();
        objects.extend_from_slice(WRITE_OBJECTS);
        grant_all(
            grantee,
            Statement::allow(actions(LIST)).on(self.arn()),
            [Statement::allow(actions(&objects)).on(self.objects_arn())],
        )
    }

    /// The bucket resource.
    pub fn resource(&self) -> &cfn::Bucket {
        &self.resource
    }
}

fn objects_of(bucket_arn: &Val<String>) -> Val<String> {
    fns::join("", vec![bucket_arn.clone(), Val::from("/*")])
}
