//! Secrets Manager secrets whose value is generated, never written in the template.

use cdk_core::kind::SecretArn;
use cdk_core::{RemovalPolicy, Resource, Val, Value};
use cdk_macros::Construct;

use crate::cfn::secretsmanager as cfn;
use crate::iam::value::{num, obj, raw, s, unskip_check};
use crate::iam::{actions, grant_all, Grant, Grantee, Statement};

const READ: &[&str] = &[
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
];

/// checkov: "secret encrypted by a customer-managed KMS key", met only with
/// [`Secret::encryption_key`].
const CUSTOMER_KEY_CHECK: &str = "CKV_AWS_149";

/// A secret with a generated 32-character value (no punctuation, so that it survives URLs and
/// shell quoting). Encrypted with the AWS managed key `aws/secretsmanager` unless
/// [`Secret::encryption_key`] names a customer-managed one. Retained when removed from the stack.
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "storage::Secret")]
pub struct Secret {
    resource: cfn::Secret,
    #[construct(skip)]
    key: Option<Val<String>>,
}

impl Default for Secret {
    fn default() -> Self {
        Self::generated()
    }
}

impl Secret {
    /// A secret with a generated string value.
    pub fn generated() -> Secret {
        let mut resource = cfn::Secret::new()
            .removal_policy(RemovalPolicy::Retain)
            .skip_check(
            CUSTOMER_KEY_CHECK,
            "Encrypted with the AWS managed key aws/secretsmanager; a customer-managed KMS key \
                 is opt-in (Secret::encryption_key) because it adds a key, its cost and KMS \
                 permissions for every reader.",
        );
        resource.core_mut().set(
            "GenerateSecretString",
            obj([
                ("PasswordLength", num(32)),
                ("ExcludePunctuation", Value::Bool(true)),
            ]),
        );
        Secret {
            resource,
            key: None,
        }
    }

    /// A secret holding the JSON `template` (e.g. `{"username":"app"}`) with a generated value
    /// under `key`.
    pub fn generated_json(template: &str, key: &str) -> Secret {
        let mut secret = Secret::generated();
        secret.resource.core_mut().set(
            "GenerateSecretString",
            obj([
                ("SecretStringTemplate", s(template)),
                ("GenerateStringKey", s(key)),
                ("PasswordLength", num(32)),
                ("ExcludePunctuation", Value::Bool(true)),
            ]),
        );
        secret
    }

    /// `Name` (a path such as `orders/api-key`).
    pub fn named(mut self, name: impl Into<Val<String>>) -> Secret {
        self.resource.core_mut().set("Name", name.into());
        self
    }

    /// `Description`.
    pub fn description(mut self, text: impl Into<Val<String>>) -> Secret {
        self.resource.core_mut().set("Description", text.into());
        self
    }

    /// Encrypts the secret with the customer-managed KMS key `key_arn` (`KmsKeyId`); readers
    /// granted with [`Secret::grant_read`] then also get `kms:Decrypt` on that key.
    pub fn encryption_key(mut self, key_arn: impl Into<Val<String>>) -> Secret {
        let key_arn = key_arn.into();
        let core = self.resource.core_mut();
        core.set("KmsKeyId", key_arn.clone());
        unskip_check(core, CUSTOMER_KEY_CHECK);
        self.key = Some(key_arn);
        self
    }

    /// What happens to the secret when it leaves the stack (default: retained).
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Secret {
        self.resource = self.resource.removal_policy(policy);
        self
    }

    /// The secret's ARN (`Ref`).
    pub fn arn(&self) -> Val<SecretArn> {
        raw(self.resource.ref_())
    }

    /// Read: `secretsmanager:GetSecretValue`, `secretsmanager:DescribeSecret` on this secret,
    /// and `kms:Decrypt` on its customer-managed key if it has one.
    pub fn grant_read(&self, grantee: &mut (impl Grantee + ?Sized)) -> Grant {
        let key = self
            .key
            .iter()
            .map(|k| Statement::allow(actions(&["kms:Decrypt"])).on(k.clone()));
        grant_all(grantee, Statement::allow(actions(READ)).on(self.arn()), key)
    }

    /// The resource.
    pub fn resource(&self) -> &cfn::Secret {
        &self.resource
    }
}
