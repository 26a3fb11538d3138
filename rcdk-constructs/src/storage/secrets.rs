//! Secrets Manager secrets whose value is generated, never written in the template; [`ISecret`]
//! for secrets made here or elsewhere.

use rcdk_core::kind::{FunctionArn, KmsKeyArn, SecretArn};
use rcdk_core::{CostItem, RemovalPolicy, Resource, Scanner, Val};
use rcdk_macros::Construct;

use crate::cfn::secretsmanager as cfn;
use crate::error::ConstructError;
use crate::iam::{grant_all, Grant, Grantee, Statement};
use crate::pricing;

/// checkov: "secret encrypted by a customer-managed KMS key", met only with
/// [`Secret::encryption_key`].
const CUSTOMER_KEY_CHECK: &str = "CKV_AWS_149";

/// cdk-nag: "secret rotated automatically", met only with [`Secret::rotation`].
pub const ROTATION_RULE: &str = "AwsSolutions-SMG4";

/// Why a generated secret is not rotated by default.
const NO_ROTATION_REASON: &str = "Not rotated automatically: the generated value is also set \
     in the system that checks it (a database user's password, a cache's token), and rotating \
     it means changing it there too, which needs a rotation Lambda function written for that \
     system. Secret::rotation(function_arn, days) schedules one and lifts this suppression.";

/// What other constructs need of a secret: its ARN, its customer-managed key if any, and the
/// read grant (the principal's policy only, so it works on imported secrets too).
pub trait ISecret {
    /// The secret's ARN.
    fn secret_arn(&self) -> Val<SecretArn>;
    /// The customer-managed KMS key that encrypts it, if it has one.
    fn encryption_key_arn(&self) -> Option<Val<KmsKeyArn>>;

    /// Read: `secretsmanager:GetSecretValue`, `secretsmanager:DescribeSecret` on this secret,
    /// and `kms:Decrypt` on its customer-managed key if it has one.
    fn grant_read(&self, grantee: &mut dyn Grantee) -> Grant {
        let key = self
            .encryption_key_arn()
            .map(|k| Statement::allow(crate::actions!["kms:Decrypt"]).on(k));
        grant_all(
            grantee,
            Statement::allow(crate::actions![
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue"
            ])
            .on(self.secret_arn()),
            key,
        )
    }
}

/// The generated value: 32 characters without punctuation (it survives URLs and shell quoting).
fn generated_value() -> cfn::secret::GenerateSecretString {
    cfn::secret::GenerateSecretString::new()
        .password_length(32)
        .exclude_punctuation(true)
}

/// A secret with a generated 32-character value (no punctuation, so that it survives URLs and
/// shell quoting). Encrypted with the AWS managed key `aws/secretsmanager` unless
/// [`Secret::encryption_key`] names a customer-managed one. Retained when removed from the stack.
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "storage::Secret", costs = "Secret::costs")]
pub struct Secret {
    resource: cfn::Secret,
    rotation: Option<cfn::RotationSchedule>,
    #[construct(skip)]
    key: Option<Val<KmsKeyArn>>,
}

impl Default for Secret {
    fn default() -> Self {
        Self::generated()
    }
}

impl Secret {
    /// One secret a month (its customer-managed key, if any, is priced where it is made).
    fn costs(&self) -> Vec<CostItem> {
        vec![pricing::secrets(1)]
    }

    /// A secret with a generated string value.
    pub fn generated() -> Secret {
        let resource = cfn::Secret::new()
            .generate_secret_string(generated_value())
            .removal_policy(RemovalPolicy::Retain)
            .skip_check(
                CUSTOMER_KEY_CHECK,
                "Encrypted with the AWS managed key aws/secretsmanager; a customer-managed KMS \
                 key is opt-in (Secret::encryption_key) because it adds a key, its cost and KMS \
                 permissions for every reader.",
            )
            .suppress(Scanner::CdkNag, ROTATION_RULE, NO_ROTATION_REASON);
        Secret {
            resource,
            rotation: None,
            key: None,
        }
    }

    /// A secret holding the JSON `template` (e.g. `{"username":"app"}`) with a generated value
    /// under `key`.
    pub fn generated_json(template: &str, key: &str) -> Secret {
        let mut secret = Secret::generated();
        secret.resource.set_generate_secret_string(
            cfn::secret::GenerateSecretString::new()
                .secret_string_template(template)
                .generate_string_key(key)
                .password_length(32)
                .exclude_punctuation(true),
        );
        secret
    }

    /// A secret that exists already, by ARN.
    pub fn from_arn(arn: impl Into<Val<SecretArn>>) -> ImportedSecret {
        ImportedSecret {
            arn: arn.into(),
            key: None,
        }
    }

    /// `Name` (a path such as `orders/api-key`).
    pub fn named(mut self, name: impl Into<Val<String>>) -> Secret {
        self.resource.set_name(name);
        self
    }

    /// `Description`.
    pub fn description(mut self, text: impl Into<Val<String>>) -> Secret {
        self.resource.set_description(text);
        self
    }

    /// Encrypts the secret with the customer-managed KMS key `key_arn` (`KmsKeyId`); readers
    /// granted with [`ISecret::grant_read`] then also get `kms:Decrypt` on that key.
    pub fn encryption_key(mut self, key_arn: impl Into<Val<KmsKeyArn>>) -> Secret {
        let key_arn = key_arn.into();
        self.resource.set_kms_key_id(key_arn.clone());
        self.resource.core_mut().unskip_check(CUSTOMER_KEY_CHECK);
        self.key = Some(key_arn);
        self
    }

    /// Rotates the secret every `days` days (1-1000) with the rotation Lambda function
    /// `function_arn` (an `AWS::SecretsManager::RotationSchedule`). The function must let
    /// `secretsmanager.amazonaws.com` invoke it and know how to change the value where it is
    /// checked; Secrets Manager calls it once at deployment, then on the schedule.
    pub fn rotation(
        mut self,
        function_arn: impl Into<Val<FunctionArn>>,
        days: u16,
    ) -> Result<Secret, ConstructError> {
        if !(1..=1000).contains(&days) {
            return Err(ConstructError::OutOfRange {
                construct: "Secret",
                setting: "rotation days",
                value: days.into(),
                allowed: "1..=1000 days",
            });
        }
        let arn: Val<String> = function_arn.into().into();
        self.rotation = Some(
            cfn::RotationSchedule::new(self.resource.ref_())
                .rotation_lambda_arn(arn)
                .rotation_rules(
                    cfn::rotation_schedule::RotationRules::new()
                        .automatically_after_days(i64::from(days)),
                ),
        );
        self.resource
            .core_mut()
            .unsuppress(Scanner::CdkNag, ROTATION_RULE);
        Ok(self)
    }

    /// The rotation schedule, once [`Secret::rotation`] set one.
    pub fn rotation_schedule(&self) -> Option<&cfn::RotationSchedule> {
        self.rotation.as_ref()
    }

    /// What happens to the secret when it leaves the stack (default: retained).
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Secret {
        self.resource = self.resource.removal_policy(policy);
        self
    }

    /// The resource.
    pub fn resource(&self) -> &cfn::Secret {
        &self.resource
    }

    /// The resource, mutably (properties this construct does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::Secret {
        &mut self.resource
    }
}

impl ISecret for Secret {
    fn secret_arn(&self) -> Val<SecretArn> {
        self.resource.ref_()
    }
    fn encryption_key_arn(&self) -> Option<Val<KmsKeyArn>> {
        self.key.clone()
    }
}

/// A secret made outside this app ([`Secret::from_arn`]).
#[derive(Debug, Clone)]
pub struct ImportedSecret {
    arn: Val<SecretArn>,
    key: Option<Val<KmsKeyArn>>,
}

impl ImportedSecret {
    /// The customer-managed KMS key that encrypts the secret: readers also get `kms:Decrypt`
    /// on it.
    pub fn encryption_key(mut self, key_arn: impl Into<Val<KmsKeyArn>>) -> ImportedSecret {
        self.key = Some(key_arn.into());
        self
    }
}

impl ISecret for ImportedSecret {
    fn secret_arn(&self) -> Val<SecretArn> {
        self.arn.clone()
    }
    fn encryption_key_arn(&self) -> Option<Val<KmsKeyArn>> {
        self.key.clone()
    }
}
