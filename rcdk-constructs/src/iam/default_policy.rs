//! The policy resource that holds a role's grants (`AWS::IAM::Policy` attached to the role, as
//! the AWS CDK's `DefaultPolicy`), and the suppressions every policy resource records for the
//! wildcards its statements explain.

use rcdk_core::kind::RoleName;
use rcdk_core::{fns, Annotation, NodeId, Resource, ResourceCore, Scanner, Val, Value};

use super::policy::{Action, PolicyDocument};
use crate::cfn::iam as cfn;

/// The name of the policy that holds a role's grants when the role does not name it
/// ([`super::Role::inline_policy_name`]).
///
/// Roles used to hold their grants in an `AWS::IAM::RolePolicy` named `grants`. CloudFormation
/// creates the new policy before it deletes the old one, and both write an inline policy of the
/// role by name: under the old name, deleting the old resource would remove what the new one
/// had just written, leaving the role without permissions. Hence a name of its own.
pub const DEFAULT_POLICY_NAME: &str = "DefaultPolicy";

/// What [`super::Role::inline_policy_name`] appends to the name it is given, for the same
/// reason as [`DEFAULT_POLICY_NAME`] differs from the old `grants`: that name was the old
/// policy's.
pub const POLICY_NAME_SUFFIX: &str = "-DefaultPolicy";

/// cdk-nag's rule on wildcard permissions.
const NAG_WILDCARDS: &str = "AwsSolutions-IAM5";

/// The Control Tower Guard rules on wildcard actions of one type of policy resource.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GuardWildcardRules {
    /// `*` on `*` (CT.IAM.PR.1 / PR.2).
    pub admin_access: &'static str,
    /// `service:*` or `*` (CT.IAM.PR.5 / PR.3).
    pub full_access: &'static str,
}

/// The rules for `AWS::IAM::Policy`.
pub(crate) const INLINE_POLICY_RULES: GuardWildcardRules = GuardWildcardRules {
    admin_access: "iam_inline_policy_no_statements_with_admin_access_check",
    full_access: "iam_inline_policy_no_statements_with_full_access_check",
};

/// The rules for `AWS::IAM::ManagedPolicy`.
pub(crate) const MANAGED_POLICY_RULES: GuardWildcardRules = GuardWildcardRules {
    admin_access: "iam_managed_policy_no_statements_with_admin_access_check",
    full_access: "iam_managed_policy_no_statements_with_full_access_check",
};

/// The name the policy of a role gets when the role's policy name is `configured`
/// ([`super::Role::inline_policy_name`]): [`DEFAULT_POLICY_NAME`], or the configured name
/// followed by [`POLICY_NAME_SUFFIX`] (joined at deployment for a parameter).
pub(crate) fn policy_name(configured: Option<&Val<String>>) -> Val<String> {
    match configured {
        None => Val::from(DEFAULT_POLICY_NAME),
        Some(name) => match name.value().as_str() {
            Some(text) => Val::from(format!("{text}{POLICY_NAME_SUFFIX}")),
            None => fns::join("", vec![name.clone(), Val::from(POLICY_NAME_SUFFIX)]),
        },
    }
}

/// The `AWS::IAM::Policy` holding a role's grants, attached to the role (`Roles: [Ref]`); the
/// child `DefaultPolicy` of [`super::Role`]. Its `Metadata` holds the suppressions of the
/// wildcard findings its statements explain.
#[derive(Debug, Clone, rcdk_macros::Construct)]
#[construct(
    type_name = "iam::DefaultPolicy",
    annotations = "DefaultPolicy::unexplained_annotations"
)]
pub struct DefaultPolicy {
    resource: cfn::Policy,
    #[construct(skip)]
    unexplained: Vec<String>,
}

impl DefaultPolicy {
    /// An empty policy named `name`, attached to the role `role`.
    pub(crate) fn new(name: Val<String>, role: Val<RoleName>) -> DefaultPolicy {
        let document = PolicyDocument::new();
        let resource = cfn::Policy::new(document.to_json_val(), name).roles(vec![role]);
        DefaultPolicy {
            resource,
            unexplained: Vec::new(),
        }
    }

    /// Writes `document` and the suppressions of its wildcards.
    pub(crate) fn set_document(&mut self, document: &PolicyDocument) {
        self.resource.set_policy_document(document.to_json_val());
        self.unexplained =
            record_wildcard_reasons(self.resource.core_mut(), document, INLINE_POLICY_RULES);
    }

    /// Renames the policy.
    pub(crate) fn set_name(&mut self, name: Val<String>) {
        self.resource.set_policy_name(name);
    }

    /// The node of the policy resource (what consumers of the permissions `DependsOn`).
    pub fn node(&self) -> NodeId {
        self.resource.core().node()
    }

    /// The policy resource.
    pub fn resource(&self) -> &cfn::Policy {
        &self.resource
    }

    fn unexplained_annotations(&self) -> Vec<Annotation> {
        unexplained_annotations(&self.unexplained)
    }
}

/// Errors for statements that allow wildcards without saying why.
pub(crate) fn unexplained_annotations(unexplained: &[String]) -> Vec<Annotation> {
    unexplained
        .iter()
        .map(|actions| {
            Annotation::error(format!(
                "the statement for {actions} allows a wildcard without a reason: say why with \
                 `Statement::wildcards_because`, or name the resources"
            ))
        })
        .collect()
}

/// Rewrites the suppressions of `core` for the wildcards of `document`: cdk-nag's
/// `AwsSolutions-IAM5` finding for each wildcard action and resource of an `Allow` statement,
/// and Guard's rules on service-wide actions, each with the reasons of the statements that hold
/// it. Returns the actions of the statements that allow a wildcard without a reason.
pub(crate) fn record_wildcard_reasons(
    core: &mut ResourceCore,
    document: &PolicyDocument,
    guard: GuardWildcardRules,
) -> Vec<String> {
    core.unsuppress_cdk_nag_findings(NAG_WILDCARDS);
    core.unsuppress(Scanner::Guard, guard.admin_access);
    core.unsuppress(Scanner::Guard, guard.full_access);
    // One finding may come from several statements: it gets all their reasons.
    let mut nag: Vec<(&'static str, Value, Vec<&str>)> = Vec::new();
    let mut admin: Vec<&str> = Vec::new();
    let mut full: Vec<&str> = Vec::new();
    let mut unexplained = Vec::new();
    for statement in document.statements() {
        if !statement.allows_wildcards() {
            continue;
        }
        let reasons: Vec<&str> = statement
            .wildcard_reasons()
            .iter()
            .map(String::as_str)
            .collect();
        if reasons.is_empty() {
            let names: Vec<&str> = statement.actions().iter().map(Action::as_str).collect();
            unexplained.push(names.join(", "));
            continue;
        }
        let actions = statement.wildcard_actions();
        let findings = actions
            .iter()
            .map(|a| ("Action", Value::str(a.as_str())))
            .chain(
                statement
                    .wildcard_resources()
                    .into_iter()
                    .map(|r| ("Resource", r)),
            );
        for (kind, subject) in findings {
            match nag.iter_mut().find(|(k, s, _)| *k == kind && *s == subject) {
                Some((_, _, known)) => add_all(known, &reasons),
                None => nag.push((kind, subject, reasons.clone())),
            }
        }
        if actions.iter().any(|a| is_service_wide(a.as_str())) {
            add_all(&mut full, &reasons);
        }
        if statement.is_any_resource() && actions.iter().any(|a| a.as_str() == "*") {
            add_all(&mut admin, &reasons);
        }
    }
    for (kind, subject, reasons) in nag {
        core.suppress_cdk_nag_finding(NAG_WILDCARDS, kind, subject, reasons.join(" / "));
    }
    if !full.is_empty() {
        core.suppress(Scanner::Guard, guard.full_access, full.join(" / "));
    }
    if !admin.is_empty() {
        core.suppress(Scanner::Guard, guard.admin_access, admin.join(" / "));
    }
    unexplained
}

fn add_all<'a>(into: &mut Vec<&'a str>, reasons: &[&'a str]) {
    for r in reasons {
        if !into.contains(r) {
            into.push(r);
        }
    }
}

/// Whether Guard's wildcard-action pattern `^[\w]*[:]*\*$` matches: `*` or `service:*`.
fn is_service_wide(action: &str) -> bool {
    let Some(head) = action.strip_suffix('*') else {
        return false;
    };
    let service = head.trim_end_matches(':');
    service
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_wide_actions_are_what_guard_matches() {
        for yes in ["*", "ssmmessages:*", "s3:*"] {
            assert!(is_service_wide(yes), "{yes}");
        }
        for no in ["s3:Get*", "vpc-lattice:*", "s3:GetObject"] {
            assert!(!is_service_wide(no), "{no}");
        }
    }
}
