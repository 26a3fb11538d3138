//! IAM roles whose permissions come from typed grants, in one inline policy per role whose
//! size is checked against IAM's limit at synthesis; and managed policies for what does not fit.

use cdk_core::kind::RoleArn;
use cdk_core::{Annotation, NodeId, Resource, Val};

use super::grant::{CheckedStatement, Grant, Grantee};
use super::name::RoleNameText;
use super::policy::{Action, ConditionOperator, PolicyDocument, Principal, Statement};
use crate::cfn::iam as cfn;
use crate::error::ConstructError;

/// IAM's limit on the combined size of a role's inline policies, in characters of JSON without
/// whitespace.
pub const INLINE_POLICY_LIMIT: usize = 10_240;

/// The name of the inline policy that holds a role's grants.
pub const DEFAULT_POLICY_NAME: &str = "grants";

/// An IAM role. Permissions are added with [`Grantee::grant`] (usually through a typed call on
/// the shared resource, e.g. `bucket.grant_read(&mut role)`); they go into one
/// `AWS::IAM::RolePolicy` (child `DefaultPolicy`) created with the first grant.
#[derive(Debug, Clone, cdk_macros::Construct)]
#[construct(type_name = "iam::Role", annotations = "Role::size_annotations")]
pub struct Role {
    resource: cfn::Role,
    #[construct(id = "DefaultPolicy")]
    policy: Option<cfn::RolePolicy>,
    #[construct(skip)]
    document: PolicyDocument,
    #[construct(skip)]
    managed: Vec<Val<String>>,
    #[construct(skip)]
    name: Option<RoleNameText>,
    #[construct(skip)]
    policy_name: Val<String>,
}

impl Role {
    /// A role that the AWS service `service_principal` (e.g. `codebuild.amazonaws.com`) may
    /// assume, with no further condition.
    pub fn assumed_by_service(service_principal: &str) -> Role {
        Role::with_trust(
            Statement::allow([Action::known("sts:AssumeRole")])
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
            Statement::allow([Action::known("sts:AssumeRole")])
                .principal(Principal::Service(service_principal.to_string()))
                .condition(
                    ConditionOperator::StringEquals,
                    "aws:SourceAccount",
                    [cdk_core::fns::account_id()],
                )
                .condition(
                    ConditionOperator::ArnLike,
                    "aws:SourceArn",
                    [source_arn_like],
                ),
        )
    }

    fn with_trust(trust: Statement) -> Role {
        let mut document = PolicyDocument::new();
        let _ = document.add_trusted(trust);
        Role {
            resource: cfn::Role::new(document.to_json_val()),
            policy: None,
            document: PolicyDocument::new(),
            managed: Vec::new(),
            name: None,
            policy_name: Val::from(DEFAULT_POLICY_NAME),
        }
    }

    /// Gives the role a fixed name (deploying then needs `CAPABILITY_NAMED_IAM`). Literals are
    /// checked at compile time with `role_name!("...")`; computed names with
    /// [`RoleNameText::new`].
    pub fn named(mut self, name: RoleNameText) -> Role {
        self.resource.core_mut().set("RoleName", name.as_str());
        self.name = Some(name);
        self
    }

    /// Gives the role a name computed at deploy time (a parameter, `Fn::Sub`). It cannot be
    /// checked here; IAM checks it at deployment.
    pub fn named_at_deploy_time(mut self, name: impl Into<Val<String>>) -> Role {
        self.resource.core_mut().set("RoleName", name.into());
        self
    }

    /// Names the inline policy that holds the grants (default `grants`).
    pub fn inline_policy_name(mut self, name: impl Into<Val<String>>) -> Role {
        self.set_inline_policy_name(name);
        self
    }

    /// [`Role::inline_policy_name`] on a role already built (e.g. one of [`super::TaskRoles`]).
    pub fn set_inline_policy_name(&mut self, name: impl Into<Val<String>>) {
        self.policy_name = name.into();
        if let Some(policy) = &mut self.policy {
            policy
                .core_mut()
                .set("PolicyName", self.policy_name.clone());
        }
    }

    /// Adds a tag to the role (the value may be a parameter reference).
    pub fn add_tag(&mut self, key: &str, value: impl Into<Val<String>>) {
        let core = self.resource.core_mut();
        let mut tags = match core.props.remove("Tags") {
            Some(cdk_core::Value::List(items)) => items,
            _ => Vec::new(),
        };
        tags.push(cdk_core::Tag::new(key, value).into());
        core.set("Tags", cdk_core::Value::List(tags));
    }

    /// `Description`.
    pub fn description(mut self, text: impl Into<Val<String>>) -> Role {
        self.resource.core_mut().set("Description", text.into());
        self
    }

    /// Attaches a managed policy by ARN (its permissions do not count towards the inline
    /// limit). The role then waits for the policy at deployment.
    pub fn attach_managed_policy(&mut self, arn: impl Into<Val<String>>) {
        let arn = arn.into();
        if !self.managed.contains(&arn) {
            self.managed.push(arn);
        }
        let list: Vec<cdk_core::Value> = self.managed.iter().map(|a| a.value().clone()).collect();
        self.resource
            .core_mut()
            .set("ManagedPolicyArns", cdk_core::Value::List(list));
    }

    /// The role's ARN.
    pub fn arn(&self) -> Val<RoleArn> {
        self.resource.attr_arn().cast()
    }

    /// The role's name (`Ref`).
    pub fn role_name(&self) -> Val<cdk_core::kind::RoleName> {
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

    /// The node of the role's inline policy, once something was granted: what resources that
    /// need the permissions at start-up (an ECS service) depend on.
    pub fn policy_node(&self) -> Option<NodeId> {
        self.policy.as_ref().map(|p| p.core().node())
    }

    /// Replaces everything granted so far with `document` (for a role whose policy is
    /// recomputed as a whole, like [`super::SharedExecutionRole`]); returns the policy's node.
    pub(crate) fn replace_policy_document(&mut self, document: PolicyDocument) -> NodeId {
        self.document = document;
        let json = self.document.to_json_val();
        let role_name = self.resource.ref_();
        let policy_name = self.policy_name.clone();
        let policy = self
            .policy
            .get_or_insert_with(|| cfn::RolePolicy::new(policy_name, role_name));
        policy.core_mut().set("PolicyDocument", json);
        policy.core().node()
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

impl Grantee for Role {
    fn grant(&mut self, statement: CheckedStatement) -> Grant {
        let added = self.document.add_trusted(statement.0);
        let document = self.document.to_json_val();
        let role_name = self.resource.ref_();
        let policy_name = self.policy_name.clone();
        let policy = self
            .policy
            .get_or_insert_with(|| cfn::RolePolicy::new(policy_name, role_name));
        policy.core_mut().set("PolicyDocument", document);
        Grant {
            actions: added.actions,
            resources: added.resources,
            any_resource: added.any_resource,
            policy: policy.core().node(),
        }
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
#[derive(Debug, Clone, cdk_macros::Construct)]
#[construct(
    type_name = "iam::ManagedPolicy",
    annotations = "ManagedPolicy::empty_annotations"
)]
pub struct ManagedPolicy {
    resource: cfn::ManagedPolicy,
    #[construct(skip)]
    document: PolicyDocument,
}

impl ManagedPolicy {
    /// An empty policy; grant to it like to a role (`bucket.grant_read(&mut policy)`). A
    /// policy still empty at synthesis is an error (IAM refuses it).
    pub fn new() -> ManagedPolicy {
        let document = PolicyDocument::new();
        ManagedPolicy {
            resource: cfn::ManagedPolicy::new(document.to_json_val()),
            document,
        }
    }

    /// The policy's ARN (`Ref`).
    pub fn arn(&self) -> Val<String> {
        self.resource.ref_().into()
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
            .core_mut()
            .set("PolicyDocument", self.document.to_json_val());
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
        if self.document.is_empty() {
            vec![Annotation::error(
                "this managed policy grants nothing, which IAM refuses: grant something to it \
                 or remove it",
            )]
        } else {
            Vec::new()
        }
    }
}
