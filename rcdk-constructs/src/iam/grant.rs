//! Grants: who receives permissions ([`Grantee`]) and the record of what was added ([`Grant`]).

use rcdk_core::{NodeId, Val};

use super::policy::{Action, Statement};
use crate::error::ConstructError;

/// A statement that passed [`Statement::check`]: the only thing a [`Grantee`] accepts, so that
/// unchecked wildcards cannot slip into a role.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedStatement(pub(crate) Statement);

impl Statement {
    /// Checks the statement (see [`Statement::check`]) so that it can be granted.
    pub fn checked(self) -> Result<CheckedStatement, ConstructError> {
        self.check()?;
        Ok(CheckedStatement(self))
    }
}

impl CheckedStatement {
    /// Statements this crate builds from typed grant calls: valid by construction.
    pub(crate) fn trusted(statement: Statement) -> CheckedStatement {
        debug_assert!(statement.check().is_ok(), "{:?}", statement.check());
        CheckedStatement(statement)
    }

    /// The statement.
    pub fn statement(&self) -> &Statement {
        &self.0
    }
}

/// Something permissions can be granted to: a role, the task role of a service, a managed
/// policy.
pub trait Grantee {
    /// Adds `statement` to the grantee's policy (merged with an equivalent statement).
    fn grant(&mut self, statement: CheckedStatement) -> Grant;
}

/// What a grant added, and where: returned by every grant call so that the caller can see (and
/// tests can assert) the exact actions and resources. The grant has happened when it is
/// returned: ignoring the record is fine.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// The actions granted, sorted.
    pub actions: Vec<Action>,
    /// The resources they were granted on (empty when `any_resource`).
    pub resources: Vec<Val<String>>,
    /// Whether the statement applies to every resource (an explicit wildcard).
    pub any_resource: bool,
    /// The resource holding the policy (an `AWS::IAM::Policy` or `ManagedPolicy`): what a
    /// consumer must `DependsOn` so that it never runs before the permission exists.
    pub policy: NodeId,
}

impl Grant {
    /// Combines two grants to the same grantee (a typed call that adds several statements, such
    /// as bucket read: `s3:ListBucket` on the bucket, `s3:GetObject` on its objects).
    pub fn and(mut self, other: Grant) -> Grant {
        for a in other.actions {
            if !self.actions.contains(&a) {
                self.actions.push(a);
            }
        }
        self.actions.sort();
        for r in other.resources {
            if !self.resources.contains(&r) {
                self.resources.push(r);
            }
        }
        self.any_resource |= other.any_resource;
        self
    }

    /// The action names, for assertions and messages.
    pub fn action_names(&self) -> Vec<&str> {
        self.actions.iter().map(Action::as_str).collect()
    }
}

/// Grants statements this crate built from a typed call, combined into one [`Grant`].
pub(crate) fn grant_all(
    grantee: &mut (impl Grantee + ?Sized),
    first: Statement,
    rest: impl IntoIterator<Item = Statement>,
) -> Grant {
    let mut grant = grantee.grant(CheckedStatement::trusted(first));
    for s in rest {
        grant = grant.and(grantee.grant(CheckedStatement::trusted(s)));
    }
    grant
}
