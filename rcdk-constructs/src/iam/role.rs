//! IAM roles whose permissions come from typed grants, in one policy per role (an
//! `AWS::IAM::Policy` attached to it, which rule packs read) whose size is checked against IAM's
//! inline limit at synthesis; and managed policies for what does not fit.

use rcdk_core::kind::{PolicyArn, RoleArn, RoleName};
use rcdk_core::{fns, Annotation, NodeId, Resource, Tag, Val, Value};

use super::default_policy::{
    policy_name, record_wildcard_reasons, unexplained_annotations, DefaultPolicy,
    MANAGED_POLICY_RULES,
};
use super::grant::{CheckedStatement, Grant, Grantee};
use super::name::RoleNameText;
use super::policy::{ConditionOperator, PolicyDocument, Principal, Statement};
use crate::cfn::iam as cfn;
use crate::error::ConstructError;

/// IAM's limit on the combined size of a role's inline policies, in characters of JSON without
/// whitespace.
pub const INLINE_POLICY_LIMIT: usize = 10_240;

/// An IAM role. Permissions are added with [`Grantee::grant`] (usually through a typed call on
/// the shared resource, e.g. `bucket.grant_read(&mut role)`); they go into one
/// `AWS::IAM::Policy` attached to the role (child `DefaultPolicy`, resource `Resource`, named
/// [`super::DEFAULT_POLICY_NAME`]) created with the first grant.
#[derive(Debug, Clone, rcdk_macros::Construct)]
#[construct(type_name = "iam::Role", annotations = "Role::size_annotations")]
pub struct Role {
    resource: cfn::Role,
    #[construct(id = "DefaultPolicy")]
    policy: Option<DefaultPolicy>,
    #[construct(skip)]
    document: PolicyDocument,
    #[construct(skip)]
    managed: Vec<Val<PolicyArn>>,
    #[construct(skip)]
    name: Option<RoleNameText>,
    #[construct(skip)]
    policy_name: Option<Val<String>>,
}

impl Role {
    /// A role that the AWS service `service_principal` (e.g. `codebuild.amazonaws.com`) may
    /// assume, with no further condition.
    pub fn assumed_by_service(service_principal: &str) -> Role {
        Role::with_trust(
            Statement::allow([crate::action!("sts:AssumeRole")])
                .principal(Principal::Service(service_principal.to_string())),
        )
    }

    /// A role that `service_principal` may assume only on behalf of this account
    /// (`aws:SourceAccount`) and for resources matching `source_arn_like` (`aws:SourceArn`):
    /// the confused-deputy protection IAM recommends for service roles.
    pub fn assumed_by_service_for(
        service_principal: &str,
        source_arn_like: impl Into<Val<String>>,
    ) -> Role {
        Role::with_trust(
            Statement::allow([crate::action!("sts:AssumeRole")])
                .principal(Principal::Service(service_principal.to_string()))
                .condition(
                    ConditionOperator::StringEquals,
                    "aws:SourceAccount",
                    [rcdk_core::fns::account_id()],
                )
                .condition(
                    ConditionOperator::ArnLike,
                    "aws:SourceArn",
                    [source_arn_like],
                ),
        )
    }

    pub(crate) fn with_trust(trust: Statement) -> Role {
        let mut document = PolicyDocument::new();
        let _ = document.add_trusted(trust);
        Role {
            resource: cfn::Role::new(document.to_json_val()),
            policy: None,
            document: PolicyDocument::new(),
            managed: Vec::new(),
            name: None,
            policy_name: None,
        }
    }

    /// Gives the role a fixed name (deploying then needs `CAPABILITY_NAMED_IAM`). Literals are
    /// checked at compile time with `role_name!("...")`; computed names with
    /// [`RoleNameText::new`].
    pub fn named(mut self, name: RoleNameText) -> Role {
        self.resource.set_role_name(name.as_str());
        self.name = Some(name);
        self
    }

    /// Gives the role a name computed at deploy time (a parameter, `Fn::Sub`). It cannot be
    /// checked here; IAM checks it at deployment.
    pub fn named_at_deploy_time(mut self, name: impl Into<Val<String>>) -> Role {
        self.resource.set_role_name(name);
        self
    }

    /// Names the role's policy after `name` (e.g. a parameter): the policy is named `name`
    /// followed by [`super::POLICY_NAME_SUFFIX`] (default [`super::DEFAULT_POLICY_NAME`]).
    ///
    /// The suffix keeps the name apart from the one an earlier version gave the same grants
    /// (an `AWS::IAM::RolePolicy` named `name`): CloudFormation creates the new policy before
    /// deleting the old one, and deleting an inline policy of the same name would remove the
    /// new permissions. The result must still be at most 128 characters.
    pub fn inline_policy_name(mut self, name: impl Into<Val<String>>) -> Role {
        self.policy_name = Some(name.into());
        if let Some(policy) = &mut self.policy {
            policy.set_name(policy_name(self.policy_name.as_ref()));
        }
        self
    }

    /// Adds a tag to the role (the value may be a parameter reference).
    pub fn add_tag(&mut self, key: &str, value: impl Into<Val<String>>) -> &mut Self {
        let mut tags = match self.resource.get_tags().map(Val::into_value) {
            Some(Value::List(items)) => items,
            _ => Vec::new(),
        };
        tags.push(Tag::new(key, value).into());
        self.resource
            .set_tags(Val::from_value_unchecked(Value::List(tags)));
        self
    }

    /// `Description`.
    pub fn description(mut self, text: impl Into<Val<String>>) -> Role {
        self.resource.set_description(text);
        self
    }

    /// Attaches a managed policy by ARN (its permissions do not count towards the inline
    /// limit). The role then waits for the policy at deployment.
    pub fn attach_managed_policy(&mut self, arn: impl Into<Val<PolicyArn>>) -> &mut Self {
        let arn = arn.into();
        if !self.managed.contains(&arn) {
            self.managed.push(arn);
        }
        self.resource.set_managed_policy_arns(self.managed.clone());
        self
    }

    /// Attaches the AWS managed policy `name` (its path and name after `policy/`, e.g.
    /// `service-role/AmazonRDSEnhancedMonitoringRole`) in the stack's partition. AWS changes
    /// these policies on its own schedule and they are usually broader than one app needs, so
    /// rule packs report them (cdk-nag `AwsSolutions-IAM4`): `reason` says why this one is the
    /// right grant, and is recorded as the suppression of that finding on the role.
    pub fn attach_aws_managed_policy(&mut self, name: &str, reason: &str) -> &mut Self {
        let arn = fns::sub_plain(format!("arn:${{AWS::Partition}}:iam::aws:policy/{name}"));
        self.resource.core_mut().suppress_cdk_nag_finding(
            "AwsSolutions-IAM4",
            "Policy",
            arn.value().clone(),
            reason,
        );
        self.attach_managed_policy(arn.cast())
    }

    /// The role's ARN.
    pub fn arn(&self) -> Val<RoleArn> {
        self.resource.attr_arn()
    }

    /// The role's name (`Ref`).
    pub fn role_name(&self) -> Val<rcdk_core::kind::RoleName> {
        self.resource.ref_()
    }

    /// The fixed name given with [`Role::named`], if any.
    pub fn fixed_name(&self) -> Option<&RoleNameText> {
        self.name.as_ref()
    }

    /// The permissions granted so far.
    pub fn policy_document(&self) -> &PolicyDocument {
        &self.document
    }

    /// The role resource.
    pub fn resource(&self) -> &cfn::Role {
        &self.resource
    }

    /// The role resource, mutably (escape hatch for properties this type does not cover).
    pub fn resource_mut(&mut self) -> &mut cfn::Role {
        &mut self.resource
    }

    /// The node of the role's policy, once something was granted: what resources that need the
    /// permissions at start-up (an ECS service) depend on.
    pub fn policy_node(&self) -> Option<NodeId> {
        self.policy.as_ref().map(DefaultPolicy::node)
    }

    /// The role's policy resource, once something was granted.
    pub fn default_policy(&self) -> Option<&DefaultPolicy> {
        self.policy.as_ref()
    }

    /// Replaces everything granted so far with `document` (for a role whose policy is
    /// recomputed as a whole, like [`super::SharedExecutionRole`]); returns the policy's node.
    pub(crate) fn replace_policy_document(&mut self, document: PolicyDocument) -> NodeId {
        self.document = document;
        let role_name = self.resource.ref_();
        let name = policy_name(self.policy_name.as_ref());
        let policy = self
            .policy
            .get_or_insert_with(|| DefaultPolicy::new(name, role_name));
        policy.set_document(&self.document);
        policy.node()
    }

    /// Checks the inline policy against IAM's 10,240-character limit (estimated; see
    /// [`PolicyDocument::estimated_size`]). Also run at synthesis.
    pub fn check_inline_policy_size(&self) -> Result<(), ConstructError> {
        let size = self.document.estimated_size();
        if size > INLINE_POLICY_LIMIT {
            return Err(ConstructError::InlinePolicyTooLarge {
                role: self
                    .name
                    .as_ref()
                    .map(|n| n.as_str().to_string())
                    .unwrap_or_else(|| "(unnamed)".to_string()),
                size,
                limit: INLINE_POLICY_LIMIT,
            });
        }
        Ok(())
    }
}

/// Adds `statement` to `document` and writes it into the role's policy (created on the first
/// grant as `policy_name` attached to `role_name`).
fn grant_inline(
    document: &mut PolicyDocument,
    policy: &mut Option<DefaultPolicy>,
    policy_name: Val<String>,
    role_name: Val<RoleName>,
    statement: CheckedStatement,
) -> Grant {
    let added = document.add_trusted(statement.0);
    let policy = policy.get_or_insert_with(|| DefaultPolicy::new(policy_name, role_name));
    policy.set_document(document);
    Grant {
        actions: added.actions,
        resources: added.resources,
        any_resource: added.any_resource,
        policy: policy.node(),
    }
}

impl Grantee for Role {
    fn grant(&mut self, statement: CheckedStatement) -> Grant {
        grant_inline(
            &mut self.document,
            &mut self.policy,
            policy_name(self.policy_name.as_ref()),
            self.resource.ref_(),
            statement,
        )
    }
}

impl Role {
    fn size_annotations(&self) -> Vec<Annotation> {
        match self.check_inline_policy_size() {
            Ok(()) => Vec::new(),
            Err(e) => vec![Annotation::error(e.to_string())],
        }
    }
}

/// A customer-managed policy (`AWS::IAM::ManagedPolicy`): for permissions that do not fit in a
/// role's inline policy, or that several roles share. Attach it with
/// [`Role::attach_managed_policy`]`(policy.arn())`.
#[derive(Debug, Clone, rcdk_macros::Construct)]
#[construct(
    type_name = "iam::ManagedPolicy",
    annotations = "ManagedPolicy::empty_annotations"
)]
pub struct ManagedPolicy {
    resource: cfn::ManagedPolicy,
    #[construct(skip)]
    document: PolicyDocument,
    #[construct(skip)]
    unexplained: Vec<String>,
}

impl ManagedPolicy {
    /// An empty policy; grant to it like to a role (`bucket.grant_read(&mut policy)`). A
    /// policy still empty at synthesis is an error (IAM refuses it).
    pub fn new() -> ManagedPolicy {
        let document = PolicyDocument::new();
        ManagedPolicy {
            resource: cfn::ManagedPolicy::new(document.to_json_val()),
            document,
            unexplained: Vec::new(),
        }
    }

    /// The policy's ARN (`Ref`).
    pub fn arn(&self) -> Val<PolicyArn> {
        self.resource.ref_()
    }

    /// The permissions.
    pub fn policy_document(&self) -> &PolicyDocument {
        &self.document
    }
}

impl Grantee for ManagedPolicy {
    fn grant(&mut self, statement: CheckedStatement) -> Grant {
        let added = self.document.add_trusted(statement.0);
        self.resource
            .set_policy_document(self.document.to_json_val());
        self.unexplained = record_wildcard_reasons(
            self.resource.core_mut(),
            &self.document,
            MANAGED_POLICY_RULES,
        );
        Grant {
            actions: added.actions,
            resources: added.resources,
            any_resource: added.any_resource,
            policy: self.resource.core().node(),
        }
    }
}

impl Default for ManagedPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl ManagedPolicy {
    fn empty_annotations(&self) -> Vec<Annotation> {
        let mut out = unexplained_annotations(&self.unexplained);
        if self.document.is_empty() {
            out.push(Annotation::error(
                "this managed policy grants nothing, which IAM refuses: grant something to it \
                 or remove it",
            ));
        }
        out
    }
}

/// A role made outside this app ([`Role::from_arn`]). Granting to it writes an
/// `AWS::IAM::Policy` (child `Policy`, named [`super::DEFAULT_POLICY_NAME`]) attached to it by
/// name: only this app's side, the role's trust and other policies stay as they are.
#[derive(Debug, Clone, rcdk_macros::Construct)]
#[construct(type_name = "iam::ImportedRole")]
pub struct ImportedRole {
    policy: Option<DefaultPolicy>,
    #[construct(skip)]
    arn: Val<RoleArn>,
    #[construct(skip)]
    name: Val<RoleName>,
    #[construct(skip)]
    document: PolicyDocument,
}

impl Role {
    /// A role that exists already, by ARN. Its name is taken from the ARN (after the last `/`
    /// of a literal; for an ARN known only at deployment, the part after `role/`, so a role
    /// with a path needs a literal ARN).
    pub fn from_arn(arn: impl Into<Val<RoleArn>>) -> ImportedRole {
        let arn = arn.into();
        let name: Val<RoleName> = match arn.value().as_str() {
            Some(text) => Val::from_value_unchecked(Value::String(
                text.rsplit('/').next().unwrap_or(text).to_string(),
            )),
            None => fns::select(1, fns::split("/", Val::<String>::from(arn.clone()))).cast(),
        };
        ImportedRole {
            policy: None,
            arn,
            name,
            document: PolicyDocument::new(),
        }
    }
}

impl ImportedRole {
    /// The role's ARN.
    pub fn arn(&self) -> Val<RoleArn> {
        self.arn.clone()
    }

    /// The role's name.
    pub fn role_name(&self) -> Val<RoleName> {
        self.name.clone()
    }
}

impl Grantee for ImportedRole {
    fn grant(&mut self, statement: CheckedStatement) -> Grant {
        grant_inline(
            &mut self.document,
            &mut self.policy,
            policy_name(None),
            self.name.clone(),
            statement,
        )
    }
}
