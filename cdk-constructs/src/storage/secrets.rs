//! Secrets Manager secrets whose value is generated, never written in the template.

use cdk_core::kind::SecretArn;
use cdk_core::{RemovalPolicy, Resource, Val, Value};
use cdk_macros::Construct;

use crate::cfn::secretsmanager as cfn;
use crate::iam::value::{num, obj, raw, s};
use crate::iam::{actions, grant_all, Grant, Grantee, Statement};

const READ: &[&str] = &[
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
];

/// A secret with a generated 32-character value (no punctuation, so that it survives URLs and
/// shell quoting). Retained when removed from the stack.
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "storage::Secret")]
pub struct Secret {
    resource: cfn::Secret,
}

impl Default for Secret {
    fn default() -> Self {
        Self::generated()
    }
}

impl Secret {
    /// A secret with a generated string value.
    pub fn generated() -> Secret {
        let mut resource = cfn::Secret::new().removal_policy(RemovalPolicy::Retain);
        resource.core_mut().set(
            "GenerateSecretString",
            obj([
                ("PasswordLength", num(32)),
                ("ExcludePunctuation", Value::Bool(true)),
            ]),
        );
        Secret { resource }
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

    /// What happens to the secret when it leaves the stack (default: retained).
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Secret {
        self.resource = self.resource.removal_policy(policy);
        self
    }

    /// The secret's ARN (`Ref`).
    pub fn arn(&self) -> Val<SecretArn> {
        raw(self.resource.ref_())
    }

    /// Read: `secretsmanager:GetSecretValue`, `secretsmanager:DescribeSecret` on this secret.
    pub fn grant_read(&self, grantee: &mut (impl Grantee + ?Sized)) -> Grant {
        grant_all(grantee, Statement::allow(actions(READ)).on(self.arn()), [])
    }

    /// The resource.
    pub fn resource(&self) -> &cfn::Secret {
        &self.resource
    }
}
