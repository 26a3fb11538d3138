//! Roles for workloads outside AWS that prove who they are with an OIDC token: the identity
//! provider ([`OidcProvider`], e.g. GitHub Actions'), a web-identity trust that always names
//! the subjects it admits ([`Role::assumed_by_web_identity`]), and [`GithubActionsRole`] for one
//! repository's workflows, so that CI deploys without stored access keys.

use rcdk_core::kind::RoleArn;
use rcdk_core::{fns, Val};
use rcdk_macros::Construct;

use super::grant::{CheckedStatement, Grant, Grantee};
use super::name::RoleNameText;
use super::policy::{ConditionOperator, Principal, Statement};
use super::role::Role;
use crate::cfn::iam as cfn;
use crate::error::ConstructError;

/// GitHub Actions' OIDC issuer.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The audience AWS's `configure-aws-credentials` action asks tokens for.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";

/// The longest session a CI role allows, in seconds: one hour, IAM's minimum maximum.
pub const CI_SESSION_SECONDS: i64 = 3_600;

/// What a web-identity role needs of its identity provider: its ARN and the issuer host that
/// prefixes the token's condition keys (`<host>:sub`, `<host>:aud`).
pub trait IOidcProvider {
    /// The provider's ARN.
    fn provider_arn(&self) -> Val<String>;
    /// The issuer URL without `https://`, e.g. `token.actions.githubusercontent.com`.
    fn issuer_host(&self) -> String;
}

/// An IAM OIDC identity provider (`AWS::IAM::OIDCProvider`). An account holds one provider per
/// issuer URL: when another stack or a person created GitHub's already, use
/// [`OidcProvider::existing_github_actions`] instead.
///
/// ```
/// use rcdk_constructs::iam::{GithubActionsRole, OidcProvider};
/// let provider = OidcProvider::github_actions();
/// let ci = GithubActionsRole::new(&provider, "acme/shop").branch("main").build()?;
/// # let _ = ci;
/// # Ok::<(), rcdk_constructs::error::ConstructError>(())
/// ```
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "iam::OidcProvider")]
pub struct OidcProvider {
    resource: cfn::OidcProvider,
    #[construct(skip)]
    host: String,
}

impl OidcProvider {
    /// GitHub Actions' provider: issuer [`GITHUB_ACTIONS_ISSUER`], audience [`STS_AUDIENCE`].
    /// No thumbprint: IAM verifies GitHub's certificate through its own trusted CAs.
    pub fn github_actions() -> OidcProvider {
        OidcProvider {
            resource: cfn::OidcProvider::new()
                .url(GITHUB_ACTIONS_ISSUER)
                .client_id_list(vec![STS_AUDIENCE]),
            host: host_of(GITHUB_ACTIONS_ISSUER),
        }
    }

    /// GitHub Actions' provider created outside this app, in this account (its ARN is
    /// `arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com`).
    pub fn existing_github_actions() -> ImportedOidcProvider {
        let host = host_of(GITHUB_ACTIONS_ISSUER);
        ImportedOidcProvider {
            arn: fns::sub_plain(format!(
                "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:oidc-provider/{host}"
            )),
            host,
        }
    }

    /// A provider that exists already, by ARN, for the issuer `issuer_url`
    /// (`https://...`).
    pub fn from_arn(
        arn: impl Into<Val<String>>,
        issuer_url: &str,
    ) -> Result<ImportedOidcProvider, ConstructError> {
        if !issuer_url.starts_with("https://") || issuer_url.len() <= "https://".len() {
            return Err(ConstructError::InvalidName {
                construct: "OidcProvider",
                what: "issuer URL",
                name: issuer_url.to_string(),
                rule: "it must start with `https://`, e.g. https://token.actions.githubusercontent.com",
            });
        }
        Ok(ImportedOidcProvider {
            arn: arn.into(),
            host: host_of(issuer_url),
        })
    }

    /// The provider resource.
    pub fn resource(&self) -> &cfn::OidcProvider {
        &self.resource
    }
}

impl IOidcProvider for OidcProvider {
    fn provider_arn(&self) -> Val<String> {
        self.resource.ref_()
    }
    fn issuer_host(&self) -> String {
        self.host.clone()
    }
}

/// An OIDC provider made outside this app ([`OidcProvider::from_arn`],
/// [`OidcProvider::existing_github_actions`]).
#[derive(Debug, Clone)]
pub struct ImportedOidcProvider {
    arn: Val<String>,
    host: String,
}

impl IOidcProvider for ImportedOidcProvider {
    fn provider_arn(&self) -> Val<String> {
        self.arn.clone()
    }
    fn issuer_host(&self) -> String {
        self.host.clone()
    }
}

fn host_of(url: &str) -> String {
    url.trim_start_matches("https://")
        .trim_end_matches('/')
        .to_string()
}

impl Role {
    /// A role that holders of a token from `provider` may assume
    /// (`sts:AssumeRoleWithWebIdentity`), only for `audience` and only when the token's
    /// subject matches one of `subjects` (`*` and `?` wildcards). Refuses an empty subject
    /// list and a subject that is only wildcards: a web-identity trust without a subject
    /// condition lets every identity of the issuer in (for GitHub, every repository on
    /// GitHub).
    pub fn assumed_by_web_identity(
        provider: &dyn IOidcProvider,
        audience: &str,
        subjects: &[String],
    ) -> Result<Role, ConstructError> {
        let refuse = |problem: &str| ConstructError::Conflict {
            construct: "web-identity role".to_string(),
            problem: problem.to_string(),
        };
        if subjects.is_empty() {
            return Err(refuse(
                "the trust names no subject (`sub`), so any identity of the issuer could assume \
                 the role: name the repositories, branches or environments allowed",
            ));
        }
        if subjects
            .iter()
            .any(|s| s.is_empty() || s.chars().all(|c| c == '*' || c == '?' || c == ':'))
        {
            return Err(refuse(
                "a subject of only wildcards admits any identity of the issuer: name the \
                 repository (and branch or environment) it stands for",
            ));
        }
        if audience.is_empty() {
            return Err(refuse(
                "the audience (`aud`) is empty: give e.g. sts.amazonaws.com",
            ));
        }
        let host = provider.issuer_host();
        let operator = if subjects.iter().any(|s| s.contains(['*', '?'])) {
            ConditionOperator::StringLike
        } else {
            ConditionOperator::StringEquals
        };
        let trust = Statement::allow([crate::action!("sts:AssumeRoleWithWebIdentity")])
            .principal(Principal::Federated(provider.provider_arn()))
            .condition(
                ConditionOperator::StringEquals,
                format!("{host}:aud"),
                [audience],
            )
            .condition(
                operator,
                format!("{host}:sub"),
                subjects.iter().map(String::as_str),
            );
        Ok(Role::with_trust(trust))
    }
}

/// What a GitHub Actions role admits: `repo:<owner>/<repo>:<this>`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Subject {
    Branch(String),
    Tag(String),
    Environment(String),
    PullRequest,
}

/// Builder of a [`GithubActionsRole`]; see [`GithubActionsRole::new`].
#[derive(Debug, Clone)]
pub struct GithubActionsRoleBuilder {
    provider_arn: Val<String>,
    host: String,
    repository: String,
    subjects: Vec<Subject>,
    name: Option<RoleNameText>,
}

/// What GitHub accepts as `owner/repository`.
fn check_repository(repository: &str) -> Result<(), String> {
    let Some((owner, repo)) = repository.split_once('/') else {
        return Err("it must be `owner/repository`, e.g. `acme/shop`".into());
    };
    let owner_ok = (1..=39).contains(&owner.len())
        && owner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !owner.starts_with('-')
        && !owner.ends_with('-');
    if !owner_ok {
        return Err(format!(
            "owner `{owner}` must be 1-39 letters, digits or `-`, not starting or ending with `-`"
        ));
    }
    let repo_ok = (1..=100).contains(&repo.len())
        && repo
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && repo != "."
        && repo != "..";
    if !repo_ok {
        return Err(format!(
            "repository `{repo}` must be 1-100 letters, digits, `-`, `_` or `.` (no wildcards: \
             one role per repository)"
        ));
    }
    Ok(())
}

/// What git accepts in a branch or tag name (`*` allowed as a wildcard).
fn check_ref(what: &str, name: &str) -> Result<(), String> {
    let bad = name.is_empty()
        || name.len() > 255
        || name.starts_with('/')
        || name.ends_with('/')
        || name.ends_with(".lock")
        || name.contains("..")
        || name.contains("//")
        || name
            .chars()
            .any(|c| c.is_control() || c == ' ' || "~^:?[\\".contains(c));
    if bad {
        return Err(format!(
            "{what} `{name}` is not a git ref name (no spaces, `..`, `~^:?[\\`, leading or \
             trailing `/`)"
        ));
    }
    Ok(())
}

impl GithubActionsRoleBuilder {
    /// Admits workflows running on `branch` (e.g. `main`; `release/*` with a wildcard).
    pub fn branch(mut self, branch: &str) -> Self {
        self.subjects.push(Subject::Branch(branch.to_string()));
        self
    }

    /// Admits workflows running for tag `tag` (e.g. `v*`).
    pub fn tag(mut self, tag: &str) -> Self {
        self.subjects.push(Subject::Tag(tag.to_string()));
        self
    }

    /// Admits jobs that use the deployment environment `environment` (e.g. `prod`; its
    /// protection rules in GitHub then gate the role).
    pub fn environment(mut self, environment: &str) -> Self {
        self.subjects
            .push(Subject::Environment(environment.to_string()));
        self
    }

    /// Admits workflows triggered by pull requests (including from forks, when the repository
    /// runs their workflows: grant such a role read-only permissions).
    pub fn pull_request(mut self) -> Self {
        self.subjects.push(Subject::PullRequest);
        self
    }

    /// A fixed role name (checked with `role_name!`), e.g. for the workflow's `role-to-assume`.
    pub fn named(mut self, name: RoleNameText) -> Self {
        self.name = Some(name);
        self
    }

    /// Builds the role. Fails when the repository name is invalid, a branch, tag or
    /// environment is malformed, or nothing was admitted (a trust without a subject would let
    /// any repository on GitHub in).
    pub fn build(self) -> Result<GithubActionsRole, ConstructError> {
        let construct = format!("GithubActionsRole `{}`", self.repository);
        let conflict = |problem: String| ConstructError::Conflict {
            construct: construct.clone(),
            problem,
        };
        check_repository(&self.repository).map_err(&conflict)?;
        if self.subjects.is_empty() {
            return Err(conflict(
                "it admits no branch, tag, environment or pull request, and a web-identity \
                 trust without a subject (`sub`) condition would let any repository on GitHub \
                 assume the role: add .branch(\"main\"), .environment(\"prod\"), .tag(..) or \
                 .pull_request()"
                    .into(),
            ));
        }
        let mut subjects = Vec::new();
        for subject in &self.subjects {
            let tail = match subject {
                Subject::Branch(b) => {
                    check_ref("branch", b).map_err(&conflict)?;
                    format!("ref:refs/heads/{b}")
                }
                Subject::Tag(t) => {
                    check_ref("tag", t).map_err(&conflict)?;
                    format!("ref:refs/tags/{t}")
                }
                Subject::Environment(e) => {
                    let ok = !e.is_empty()
                        && e.len() <= 255
                        && !e.chars().any(|c| c.is_control() || c == ':' || c == '*');
                    if !ok {
                        return Err(conflict(format!(
                            "environment `{e}` must be 1-255 characters without `:` or `*`"
                        )));
                    }
                    format!("environment:{e}")
                }
                Subject::PullRequest => "pull_request".to_string(),
            };
            let full = format!("repo:{}:{tail}", self.repository);
            if !subjects.contains(&full) {
                subjects.push(full);
            }
        }
        let provider = ImportedOidcProvider {
            arn: self.provider_arn,
            host: self.host,
        };
        let mut role = Role::assumed_by_web_identity(&provider, STS_AUDIENCE, &subjects)
            .map_err(|e| conflict(e.to_string()))?
            .description(format!("GitHub Actions of {}", self.repository));
        if let Some(name) = self.name {
            role = role.named(name);
        }
        role.resource_mut()
            .set_max_session_duration(CI_SESSION_SECONDS);
        Ok(GithubActionsRole {
            role,
            repository: self.repository,
            subjects,
        })
    }
}

/// A role for the GitHub Actions workflows of one repository: trusted through the GitHub OIDC
/// provider, for audience `sts.amazonaws.com` and the subjects named (branches, tags,
/// environments, pull requests), with sessions of at most one hour and no permissions until
/// granted (`repository.grant_push(&mut ci)`, `bucket.grant_write(&mut ci)`). The workflow
/// needs `permissions: id-token: write` and `aws-actions/configure-aws-credentials` with
/// `role-to-assume` set to [`GithubActionsRole::arn`].
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "iam::GithubActionsRole")]
pub struct GithubActionsRole {
    role: Role,
    #[construct(skip)]
    repository: String,
    #[construct(skip)]
    subjects: Vec<String>,
}

impl GithubActionsRole {
    /// A role for repository `repository` (`owner/name`) trusted through `provider`; admit
    /// branches, tags, environments or pull requests on the builder.
    // `new` reads as the issue and the AWS CDK spell it; the checks need `build()`, so it
    // returns the builder.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(provider: &dyn IOidcProvider, repository: &str) -> GithubActionsRoleBuilder {
        GithubActionsRoleBuilder {
            provider_arn: provider.provider_arn(),
            host: provider.issuer_host(),
            repository: repository.to_string(),
            subjects: Vec::new(),
            name: None,
        }
    }

    /// The role's ARN (the workflow's `role-to-assume`).
    pub fn arn(&self) -> Val<RoleArn> {
        self.role.arn()
    }

    /// The repository, `owner/name`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The token subjects admitted, e.g. `repo:acme/shop:ref:refs/heads/main`.
    pub fn subjects(&self) -> &[String] {
        &self.subjects
    }

    /// The role.
    pub fn role(&self) -> &Role {
        &self.role
    }
}

impl Grantee for GithubActionsRole {
    fn grant(&mut self, statement: CheckedStatement) -> Grant {
        self.role.grant(statement)
    }
}
