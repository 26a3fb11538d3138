//! ECR repositories for the app's own images: private, scanned on push, immutable tags, KMS
//! encryption, typed lifecycle rules and grants; [`IRepository`] for repositories made here or
//! elsewhere.
//!
//! ```
//! use rcdk_constructs::ecr::{IRepository, LifecycleRule, Repository};
//! use rcdk_constructs::iam::Role;
//! use rcdk_core::Stack;
//!
//! let repository = Repository::new()
//!     .lifecycle([LifecycleRule::KeepLast(20), LifecycleRule::ExpireUntaggedAfterDays(7)])?;
//! let mut ci = Role::assumed_by_service("codebuild.amazonaws.com");
//! repository.grant_push(&mut ci); // push + pull on this repository, the token on `*`
//! let stack = Stack::new("Images").with("Repository", repository).with("Ci", ci);
//! # Ok::<(), rcdk_constructs::error::ConstructError>(())
//! ```

use rcdk_core::kind::{KmsKeyArn, RepositoryArn, RepositoryName};
use rcdk_core::{fns, RemovalPolicy, Resource, Val};
use rcdk_macros::Construct;

use crate::cfn::ecr as cfn;
use crate::error::ConstructError;
use crate::iam::{grant_all, Grant, Grantee, Statement};
use cfn::repository::{
    EncryptionConfiguration, EncryptionType, ImageScanningConfiguration, ImageTagMutability,
    LifecyclePolicy,
};

/// What other constructs need of a repository: its name, ARN and URI, and the grants built on
/// them. A grant writes the principal's policy only, so it works the same on a repository of
/// this app and on one imported with [`Repository::from_name`].
pub trait IRepository {
    /// The repository name.
    fn repository_name(&self) -> Val<RepositoryName>;
    /// The repository ARN.
    fn repository_arn(&self) -> Val<RepositoryArn>;
    /// The repository URI, `ACCOUNT.dkr.ecr.REGION.URL_SUFFIX/NAME` (an image is this, then
    /// `:TAG` or `@sha256:DIGEST`).
    fn repository_uri(&self) -> Val<String>;

    /// Pull: `ecr:BatchCheckLayerAvailability`, `ecr:BatchGetImage` and
    /// `ecr:GetDownloadUrlForLayer` on the repository, and `ecr:GetAuthorizationToken`.
    fn grant_pull(&self, grantee: &mut dyn Grantee) -> Grant {
        grant_all(
            grantee,
            Statement::allow(crate::actions![
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer"
            ])
            .on(self.repository_arn()),
            [token_statement()],
        )
    }

    /// Push (and pull): the pull actions and `ecr:CompleteLayerUpload`,
    /// `ecr:InitiateLayerUpload`, `ecr:PutImage`, `ecr:UploadLayerPart` on the repository, and
    /// `ecr:GetAuthorizationToken`.
    fn grant_push(&self, grantee: &mut dyn Grantee) -> Grant {
        grant_all(
            grantee,
            Statement::allow(push_actions()).on(self.repository_arn()),
            [token_statement()],
        )
    }
}

/// The actions that push an image to a repository (and pull it: a push checks which layers are
/// there), without the registry's authorization token.
pub(crate) fn push_actions() -> impl Iterator<Item = crate::iam::Action> {
    crate::actions![
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:CompleteLayerUpload",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
        "ecr:UploadLayerPart"
    ]
    .into_iter()
}

/// `ecr:GetAuthorizationToken` on `*`: the token is for the whole registry, and AWS accepts no
/// other resource for this action; what the token may then do is limited by the other
/// statements, which name the repository.
fn token_statement() -> Statement {
    crate::iam::ecr_authorization_token()
}

/// A typed rule of a repository's lifecycle policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleRule {
    /// Keep the newest `n` images (tagged or not), expiring older ones (`n` at least 1).
    KeepLast(u32),
    /// Expire untagged images `n` days after their push (`n` at least 1).
    ExpireUntaggedAfterDays(u32),
}

impl LifecycleRule {
    fn check(self) -> Result<(), ConstructError> {
        let (setting, value) = match self {
            LifecycleRule::KeepLast(n) => ("LifecycleRule::KeepLast", n),
            LifecycleRule::ExpireUntaggedAfterDays(n) => {
                ("LifecycleRule::ExpireUntaggedAfterDays", n)
            }
        };
        if value == 0 {
            return Err(ConstructError::OutOfRange {
                construct: "ecr::Repository",
                setting,
                value: 0,
                allowed: "1 and more (a rule for 0 would expire every image, including the \
                          ones running)",
            });
        }
        Ok(())
    }

    fn same_kind(self, other: LifecycleRule) -> bool {
        std::mem::discriminant(&self) == std::mem::discriminant(&other)
    }

    fn json(self, priority: u32) -> serde_json::Value {
        match self {
            LifecycleRule::ExpireUntaggedAfterDays(days) => serde_json::json!({
                "rulePriority": priority,
                "description": format!("Expire untagged images {days} days after their push"),
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": days
                },
                "action": { "type": "expire" }
            }),
            LifecycleRule::KeepLast(n) => serde_json::json!({
                "rulePriority": priority,
                "description": format!("Keep the newest {n} images"),
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": n
                },
                "action": { "type": "expire" }
            }),
        }
    }
}

/// The lifecycle policy text of `rules` (checked): untagged rules first, as ECR requires a
/// rule for any tag status to have the highest priority number.
pub fn lifecycle_policy_text(rules: &[LifecycleRule]) -> Result<String, ConstructError> {
    for (i, rule) in rules.iter().enumerate() {
        rule.check()?;
        if rules[..i].iter().any(|r| r.same_kind(*rule)) {
            return Err(ConstructError::Conflict {
                construct: "ecr::Repository".into(),
                problem: format!(
                    "the lifecycle has two rules of the same kind ({rules:?}): keep one of them"
                ),
            });
        }
    }
    let mut ordered: Vec<LifecycleRule> = rules.to_vec();
    ordered.sort_by_key(|r| matches!(r, LifecycleRule::KeepLast(_)));
    let json: Vec<serde_json::Value> = ordered
        .iter()
        .zip(1u32..)
        .map(|(rule, priority)| rule.json(priority))
        .collect();
    Ok(serde_json::json!({ "rules": json }).to_string())
}

/// How a repository's images are encrypted at rest.
#[derive(Debug, Clone, PartialEq)]
pub enum RepositoryEncryption {
    /// KMS with the AWS-managed key `aws/ecr` (the default: no key to manage or pay for).
    KmsAwsManaged,
    /// KMS with a customer-managed key (the key policy must let ECR use it).
    Kms(Val<KmsKeyArn>),
}

/// A private ECR repository: images scanned on push, tags immutable (a tag always names the
/// same image, so a deployment cannot change under a task), encrypted with KMS (the AWS-managed
/// key by default), with a lifecycle that expires untagged images after 7 days unless other
/// rules are given. Retained when removed from the stack, as the AWS CDK does: its images may
/// still run elsewhere.
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "ecr::Repository")]
pub struct Repository {
    resource: cfn::Repository,
}

impl Default for Repository {
    fn default() -> Self {
        Self::new()
    }
}

/// Days after which an untagged image expires by default (a failed or replaced push leaves
/// one; tags never move, so a tagged image never becomes untagged).
pub const DEFAULT_UNTAGGED_DAYS: u32 = 7;

impl Repository {
    /// A repository with a generated name.
    pub fn new() -> Repository {
        let lifecycle = lifecycle_policy_text(&[LifecycleRule::ExpireUntaggedAfterDays(
            DEFAULT_UNTAGGED_DAYS,
        )])
        .unwrap_or_default();
        let resource = cfn::Repository::new()
            .image_scanning_configuration(ImageScanningConfiguration::new().scan_on_push(true))
            .image_tag_mutability(ImageTagMutability::Immutable)
            .encryption_configuration(EncryptionConfiguration::new(EncryptionType::Kms))
            .lifecycle_policy(LifecyclePolicy::new().lifecycle_policy_text(lifecycle))
            .removal_policy(RemovalPolicy::Retain);
        Repository { resource }
    }

    /// A fixed name: 2-256 lower-case letters, digits and `._-/`, each `/`-separated part
    /// starting and ending with a letter or digit.
    pub fn named(mut self, name: &str) -> Result<Repository, ConstructError> {
        check_name(name)?;
        self.resource.set_repository_name(name);
        Ok(self)
    }

    /// Replaces the lifecycle rules (one to two rules, at most one of each kind; counts at
    /// least 1).
    pub fn lifecycle(
        mut self,
        rules: impl IntoIterator<Item = LifecycleRule>,
    ) -> Result<Repository, ConstructError> {
        let rules: Vec<LifecycleRule> = rules.into_iter().collect();
        if rules.is_empty() {
            // ECR refuses a lifecycle policy without rules.
            return Err(ConstructError::Conflict {
                construct: "ecr::Repository".into(),
                problem: "the lifecycle has no rules, which ECR refuses: give at least one \
                          rule, or keep the default (untagged images expire after 7 days)"
                    .into(),
            });
        }
        let text = lifecycle_policy_text(&rules)?;
        self.resource
            .set_lifecycle_policy(LifecyclePolicy::new().lifecycle_policy_text(text));
        Ok(self)
    }

    /// How images are encrypted at rest (KMS with the AWS-managed key by default).
    pub fn encryption(mut self, encryption: RepositoryEncryption) -> Repository {
        let configuration = match encryption {
            RepositoryEncryption::KmsAwsManaged => {
                EncryptionConfiguration::new(EncryptionType::Kms)
            }
            RepositoryEncryption::Kms(key) => {
                EncryptionConfiguration::new(EncryptionType::Kms).kms_key(Val::<String>::from(key))
            }
        };
        self.resource.set_encryption_configuration(configuration);
        self
    }

    /// What happens to the repository when it leaves the stack (`Retain` by default). With
    /// `Delete` the repository is emptied first (CloudFormation cannot delete a repository
    /// holding images).
    pub fn removal_policy(mut self, policy: RemovalPolicy) -> Repository {
        let delete = policy == RemovalPolicy::Delete;
        self.resource = self.resource.removal_policy(policy);
        if delete {
            self.resource.set_empty_on_delete(true);
        }
        self
    }

    /// An existing repository of this account and region, by name (checked as in
    /// [`Repository::named`]).
    pub fn from_name(name: &str) -> Result<ImportedRepository, ConstructError> {
        check_name(name)?;
        Ok(ImportedRepository {
            name: name.to_string(),
        })
    }

    /// The repository ARN (`Fn::GetAtt Arn`).
    pub fn arn(&self) -> Val<RepositoryArn> {
        self.repository_arn()
    }

    /// The repository URI (`Fn::GetAtt RepositoryUri`).
    pub fn uri(&self) -> Val<String> {
        self.repository_uri()
    }

    /// The repository name (`Ref`).
    pub fn name(&self) -> Val<RepositoryName> {
        self.repository_name()
    }

    /// The repository resource.
    pub fn resource(&self) -> &cfn::Repository {
        &self.resource
    }

    /// The repository resource, mutably (properties this construct does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::Repository {
        &mut self.resource
    }
}

impl IRepository for Repository {
    fn repository_name(&self) -> Val<RepositoryName> {
        self.resource.ref_()
    }
    fn repository_arn(&self) -> Val<RepositoryArn> {
        self.resource.attr_arn()
    }
    fn repository_uri(&self) -> Val<String> {
        self.resource.attr_repository_uri()
    }
}

/// A repository made elsewhere, in this account and region (see [`Repository::from_name`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRepository {
    name: String,
}

impl IRepository for ImportedRepository {
    fn repository_name(&self) -> Val<RepositoryName> {
        Val::<String>::from(self.name.as_str()).cast()
    }
    fn repository_arn(&self) -> Val<RepositoryArn> {
        fns::sub(
            "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/${Name}",
            [("Name", Val::<String>::from(self.name.as_str()))],
        )
        .cast()
    }
    fn repository_uri(&self) -> Val<String> {
        fns::sub(
            "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/${Name}",
            [("Name", Val::<String>::from(self.name.as_str()))],
        )
    }
}

fn check_name(name: &str) -> Result<(), ConstructError> {
    if valid_repository_name(name) {
        return Ok(());
    }
    Err(ConstructError::InvalidName {
        construct: "ecr::Repository",
        what: "repository name",
        name: name.to_string(),
        rule: "it must be 2-256 lower-case letters, digits, `.`, `_`, `-` and `/`, each \
               `/`-separated part starting and ending with a letter or digit",
    })
}

fn valid_repository_name(name: &str) -> bool {
    let part = |p: &str| {
        let b = p.as_bytes();
        !b.is_empty()
            && b.first().is_some_and(u8::is_ascii_alphanumeric)
            && b.last().is_some_and(u8::is_ascii_alphanumeric)
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"._-".contains(c))
    };
    (2..=256).contains(&name.len()) && name.split('/').all(part)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(valid_repository_name("user-service"));
        assert!(valid_repository_name("team/user_service.v2"));
        assert!(!valid_repository_name("User"));
        assert!(!valid_repository_name("a"));
        assert!(!valid_repository_name("team//x"));
        assert!(!valid_repository_name("-x"));
    }
}
