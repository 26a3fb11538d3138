//! Typed IAM policy documents: effect, validated actions, resources, condition operators, and a
//! document that merges statements deterministically without duplicates.
//!
//! Wildcards are never produced by accident: an action with `*` is refused by [`Action::new`]
//! and must be asked for with [`Action::wildcard_explicitly`]; a resource `*` is refused by
//! [`PolicyDocument::add`] unless the statement says [`Statement::on_any_resource_explicitly`].
//! A statement that allows a wildcard (an action pattern, `*`, or an ARN pattern such as the
//! objects of a bucket, `${Bucket.Arn}/*`) says why with [`Statement::wildcards_because`]: the
//! policy resource that holds it records that reason as the suppression of the rule packs'
//! wildcard findings (cdk-nag `AwsSolutions-IAM5`), and a wildcard without one is refused.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use rcdk_core::kind::Json;
use rcdk_core::{Intrinsic, Pseudo, Target, Val, Value};

use crate::error::ConstructError;

/// The policy language version every document uses.
pub const POLICY_VERSION: &str = "2012-10-17";

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// Grants the actions.
    Allow,
    /// Denies the actions, whatever else allows them.
    Deny,
}

impl Effect {
    /// The policy spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// An IAM action, `service:Name` (for example `s3:GetObject`), validated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Action(String);

impl Action {
    /// Parses `service:Name`. The service prefix is lower-case letters, digits and `-`; the name
    /// is letters and digits. `*` is refused: see [`Action::wildcard_explicitly`].
    pub fn new(action: &str) -> Result<Action, ConstructError> {
        Self::parse(action, false)
    }

    /// An action pattern with `*` (`s3:Get*`, `ssmmessages:*`). Named so that wildcards stand
    /// out in review; prefer listing the actions.
    pub fn wildcard_explicitly(pattern: &str) -> Result<Action, ConstructError> {
        Self::parse(pattern, true)
    }

    fn parse(action: &str, wildcard: bool) -> Result<Action, ConstructError> {
        let invalid = |reason: &'static str| ConstructError::InvalidAction {
            action: action.to_string(),
            reason,
        };
        if action == "*" {
            return if wildcard {
                Ok(Action(action.to_string()))
            } else {
                Err(invalid(
                    "`*` allows every action of every service; list the actions, or use \
                     Action::wildcard_explicitly if that is really meant",
                ))
            };
        }
        let (service, name) = action
            .split_once(':')
            .ok_or_else(|| invalid("an action is `service:Name`, e.g. `s3:GetObject`"))?;
        if service.is_empty()
            || !service
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(invalid(
                "the service prefix is lower-case letters, digits and `-`, e.g. `s3`",
            ));
        }
        // `-` occurs in one listed name (`vpc-lattice:AssociateViaAWSService-EventsAndStates`).
        if name.is_empty()
            || name.starts_with('-')
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '*' || c == '-')
        {
            return Err(invalid(
                "the action name is letters and digits, e.g. `GetObject`",
            ));
        }
        if name.contains('*') && !wildcard {
            return Err(invalid(
                "wildcard actions grant more than named; list the actions, or use \
                 Action::wildcard_explicitly",
            ));
        }
        Ok(Action(action.to_string()))
    }

    /// Used by [`action!`](crate::action) and [`actions!`](crate::actions) after their
    /// compile-time check against the IAM action list (which implies what [`Action::new`]
    /// checks).
    #[doc(hidden)]
    pub fn from_checked_literal(action: &'static str) -> Action {
        debug_assert!(
            Action::parse(action, false).is_ok(),
            "action! let through {action}"
        );
        Action(action.to_string())
    }

    /// `service:Name` of actions this crate writes itself (known good).
    pub(crate) fn known(action: &'static str) -> Action {
        debug_assert!(
            Action::parse(action, true).is_ok(),
            "bad built-in action {action}"
        );
        Action(action.to_string())
    }

    /// The action text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a wildcard pattern.
    pub fn is_wildcard(&self) -> bool {
        self.0.contains('*')
    }
}

/// An IAM action checked at compile time: `action!("sqs:ReceiveMessage")` is an [`Action`],
/// without a `Result`.
///
/// The action must be in the IAM action list that the pinned cfn-lint ships (regenerated by
/// `cargo run -p rcdk-codegen`). Names compare case-insensitively, as in IAM; the literal is kept
/// as written. An unknown service or action does not compile and the message names the closest
/// listed one; a wildcard (`s3:Get*`) does not compile either: use
/// [`Action::wildcard_explicitly`].
///
/// ```
/// use rcdk_constructs::iam::{Action, Statement};
/// use rcdk_constructs::{action, actions};
///
/// let receive: Action = action!("sqs:ReceiveMessage");
/// assert_eq!(receive.as_str(), "sqs:ReceiveMessage");
/// let read = Statement::allow(actions!["s3:GetObject", "s3:ListBucket"]);
/// assert_eq!(read.actions().len(), 2);
/// ```
///
/// ```compile_fail
/// let _ = rcdk_constructs::action!("sqs:RecieveMessage"); // did you mean `sqs:ReceiveMessage`?
/// ```
#[macro_export]
macro_rules! action {
    ($($action:tt)*) => {
        $crate::iam::__checked_action!($crate, $($action)*)
    };
}

/// Several IAM actions checked at compile time, as `[Action; N]`:
/// `Statement::allow(actions!["sqs:SendMessage", "sqs:GetQueueAttributes"])`. Each literal is
/// checked as by [`action!`](crate::action).
#[macro_export]
macro_rules! actions {
    ($($actions:tt)*) => {
        $crate::iam::__checked_actions!($crate, $($actions)*)
    };
}

/// Condition operators of the policy language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum ConditionOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateLessThan,
    DateGreaterThan,
    Bool,
    BoolIfExists,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnNotEquals,
    ArnLike,
    ArnNotLike,
    Null,
}

impl ConditionOperator {
    /// The policy spelling.
    pub fn as_str(self) -> &'static str {
        use ConditionOperator::*;
        match self {
            StringEquals => "StringEquals",
            StringNotEquals => "StringNotEquals",
            StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            StringLike => "StringLike",
            StringNotLike => "StringNotLike",
            NumericEquals => "NumericEquals",
            NumericNotEquals => "NumericNotEquals",
            NumericLessThan => "NumericLessThan",
            NumericLessThanEquals => "NumericLessThanEquals",
            NumericGreaterThan => "NumericGreaterThan",
            NumericGreaterThanEquals => "NumericGreaterThanEquals",
            DateEquals => "DateEquals",
            DateLessThan => "DateLessThan",
            DateGreaterThan => "DateGreaterThan",
            Bool => "Bool",
            BoolIfExists => "BoolIfExists",
            IpAddress => "IpAddress",
            NotIpAddress => "NotIpAddress",
            ArnEquals => "ArnEquals",
            ArnNotEquals => "ArnNotEquals",
            ArnLike => "ArnLike",
            ArnNotLike => "ArnNotLike",
            Null => "Null",
        }
    }
}

/// Who a trust policy statement lets in.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// An AWS service principal, e.g. `ecs-tasks.amazonaws.com`.
    Service(String),
    /// A service principal whose name depends on the deployment, e.g. the regional
    /// `logs.${AWS::Region}.amazonaws.com` that a KMS key policy names.
    RegionalService(Val<String>),
    /// An account or role ARN.
    Aws(Val<String>),
    /// One of two principals, chosen at deployment by a template condition (`Fn::If`); made
    /// with [`Principal::either`].
    Conditional(Val<Json>),
    /// An identity provider (OIDC or SAML) by ARN, for `sts:AssumeRoleWithWebIdentity`.
    Federated(Val<String>),
}

impl Principal {
    /// `then` where `condition` holds, else `otherwise` (e.g. a regional account in older
    /// regions and a service principal in newer ones). The template must hold `condition`.
    pub fn either(condition: &rcdk_core::Condition, then: Principal, otherwise: Principal) -> Self {
        let then: Val<Json> = Val::from_value_unchecked(then.to_value());
        let otherwise: Val<Json> = Val::from_value_unchecked(otherwise.to_value());
        Principal::Conditional(condition.select(then, otherwise))
    }

    /// The `Principal` element's value.
    fn to_value(&self) -> Value {
        match self {
            Principal::Service(s) => map([("Service", Value::str(s.clone()))]),
            Principal::RegionalService(s) => map([("Service", s.value().clone())]),
            Principal::Aws(a) => map([("AWS", a.value().clone())]),
            Principal::Conditional(v) => v.value().clone(),
            Principal::Federated(p) => map([("Federated", p.value().clone())]),
        }
    }
}

/// One statement. Built with [`Statement::allow`] / [`Statement::deny`], then [`Statement::on`]
/// for each resource and [`Statement::condition`] for each condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    sid: Option<String>,
    effect: Effect,
    principal: Option<Principal>,
    actions: Vec<Action>,
    resources: Vec<Val<String>>,
    any_resource: bool,
    conditions: BTreeMap<ConditionOperator, BTreeMap<String, Vec<Value>>>,
    /// Why the statement needs its wildcards (see [`Statement::wildcards_because`]); not part
    /// of the policy text.
    reasons: Vec<String>,
}

impl Statement {
    fn with(effect: Effect, actions: impl IntoIterator<Item = Action>) -> Statement {
        let mut actions: Vec<Action> = actions.into_iter().collect();
        actions.sort();
        actions.dedup();
        Statement {
            sid: None,
            effect,
            principal: None,
            actions,
            resources: Vec::new(),
            any_resource: false,
            conditions: BTreeMap::new(),
            reasons: Vec::new(),
        }
    }

    /// Allows `actions` (on the resources added with [`Statement::on`]).
    pub fn allow(actions: impl IntoIterator<Item = Action>) -> Statement {
        Self::with(Effect::Allow, actions)
    }

    /// Denies `actions`.
    pub fn deny(actions: impl IntoIterator<Item = Action>) -> Statement {
        Self::with(Effect::Deny, actions)
    }

    /// Adds a resource (an ARN; typically a resource's `arn()` or a `fns::sub`).
    pub fn on(mut self, resource: impl Into<Val<String>>) -> Statement {
        let resource = resource.into();
        if !self.resources.contains(&resource) {
            self.resources.push(resource);
        }
        self
    }

    /// `Resource: "*"`: the statement applies to every resource. Named so that it stands out in
    /// review; some actions (e.g. `ecr:GetAuthorizationToken`) support nothing else.
    pub fn on_any_resource_explicitly(mut self) -> Statement {
        self.any_resource = true;
        self
    }

    /// Says why this statement needs its wildcards: a `*` resource
    /// ([`Statement::on_any_resource_explicitly`]), an ARN pattern (`${Bucket.Arn}/*`, the
    /// objects of one bucket) or an action pattern ([`Action::wildcard_explicitly`]). Required
    /// for an `Allow` statement with any of them; the policy that holds the statement records
    /// the reason as the suppression of the rule packs' wildcard findings, so write what a
    /// reviewer needs to accept it (e.g. "ecr:GetAuthorizationToken has no resource-level
    /// permissions"). A second call adds a second reason.
    pub fn wildcards_because(mut self, reason: impl Into<String>) -> Statement {
        let reason = reason.into();
        if !self.reasons.contains(&reason) {
            self.reasons.push(reason);
        }
        self
    }

    /// Adds a condition `operator: { key: values }` (values of one key are OR-ed).
    pub fn condition<V: Into<Val<String>>>(
        mut self,
        operator: ConditionOperator,
        key: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Statement {
        let entry = self
            .conditions
            .entry(operator)
            .or_default()
            .entry(key.into())
            .or_default();
        for v in values {
            let v = v.into().into_value();
            if !entry.contains(&v) {
                entry.push(v);
            }
        }
        self
    }

    /// A statement id (letters and digits only; checked by [`PolicyDocument::add`]).
    pub fn sid(mut self, sid: impl Into<String>) -> Statement {
        self.sid = Some(sid.into());
        self
    }

    /// The principal (trust policies only).
    pub fn principal(mut self, principal: Principal) -> Statement {
        self.principal = Some(principal);
        self
    }

    /// The effect.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// The actions, sorted.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// The resources, in the order added (empty with `any_resource`).
    pub fn resources(&self) -> &[Val<String>] {
        &self.resources
    }

    /// Whether the statement applies to every resource.
    pub fn is_any_resource(&self) -> bool {
        self.any_resource
    }

    /// Why the statement needs its wildcards ([`Statement::wildcards_because`]).
    pub fn wildcard_reasons(&self) -> &[String] {
        &self.reasons
    }

    /// The action patterns the statement allows (`s3:Get*`), as rule packs report them.
    pub fn wildcard_actions(&self) -> Vec<&Action> {
        self.actions.iter().filter(|a| a.is_wildcard()).collect()
    }

    /// The resources that are wildcards as rule packs read them: `*`, and every ARN with a `*`
    /// in its text (`arn:...:log-group:/aws/app/*`, `${Bucket.Arn}/*`).
    pub fn wildcard_resources(&self) -> Vec<Value> {
        let mut out = Vec::new();
        if self.any_resource {
            out.push(Value::str("*"));
        }
        out.extend(
            self.resources
                .iter()
                .filter(|r| has_wildcard(r.value()))
                .map(|r| r.value().clone()),
        );
        out
    }

    /// Whether this is an identity policy statement (no principal) that allows a wildcard
    /// action or resource: what rule packs report, and what needs a reason.
    pub fn allows_wildcards(&self) -> bool {
        self.effect == Effect::Allow
            && self.principal.is_none()
            && (!self.wildcard_actions().is_empty() || !self.wildcard_resources().is_empty())
    }

    /// Checks what the policy language and this crate's rules require.
    pub fn check(&self) -> Result<(), ConstructError> {
        let bad = |reason: String| Err(ConstructError::InvalidStatement { reason });
        if self.actions.is_empty() {
            return bad("a statement needs at least one action".into());
        }
        if let Some(sid) = &self.sid {
            if sid.is_empty() || !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                return bad(format!("Sid `{sid}` must be letters and digits only"));
            }
        }
        if self.principal.is_none() && !self.any_resource && self.resources.is_empty() {
            return bad(format!(
                "the statement for {} names no resource; add one with .on(arn)",
                self.action_list()
            ));
        }
        for r in &self.resources {
            if let Some(text) = r.value().as_str() {
                if text == "*" || (text.contains('*') && !text.starts_with("arn:")) {
                    return bad(format!(
                        "resource `{text}` is a wildcard; name the ARN, or call \
                         .on_any_resource_explicitly() if every resource is really meant"
                    ));
                }
            }
        }
        if self.allows_wildcards() && self.reasons.is_empty() {
            return bad(format!(
                "the statement for {} allows a wildcard ({}); say why with \
                 .wildcards_because(\"...\") (the reason a reviewer reads beside the rule \
                 packs' wildcard finding), or name the resources",
                self.action_list(),
                self.wildcard_list()
            ));
        }
        Ok(())
    }

    /// The wildcards of the statement, for messages.
    fn wildcard_list(&self) -> String {
        let mut items: Vec<String> = self
            .wildcard_actions()
            .iter()
            .map(|a| format!("action `{}`", a.as_str()))
            .collect();
        for r in self.wildcard_resources() {
            items.push(match r.as_str() {
                Some(text) => format!("resource `{text}`"),
                None => "a resource pattern ending in `*`".to_string(),
            });
        }
        items.join(", ")
    }

    fn action_list(&self) -> String {
        let names: Vec<&str> = self.actions.iter().map(Action::as_str).collect();
        names.join(", ")
    }

    /// Whether `self` and `other` merge into one statement: their `merge_key`s
    /// are equal. Equal keys imply equal fields (`==`) but for the reasons, which are joined;
    /// so the cheap comparison rules out
    /// almost every pair and the keys are only built for the few that pass it.
    fn merges_with(&self, other: &Statement) -> bool {
        self.sid == other.sid
            && self.effect == other.effect
            && self.any_resource == other.any_resource
            && self.resources.len() == other.resources.len()
            && self.principal == other.principal
            && self.conditions == other.conditions
            && self.resources.iter().all(|r| other.resources.contains(r))
            && self.merge_key() == other.merge_key()
    }

    /// What two statements must share to be merged into one. `==` on values ignores the
    /// order of map entries and the sign of zero, which this text keeps.
    fn merge_key(&self) -> String {
        let mut resources: Vec<String> = self
            .resources
            .iter()
            .map(|r| format!("{:?}", r.value()))
            .collect();
        resources.sort();
        format!(
            "{:?}|{:?}|{:?}|{}|{:?}|{:?}",
            self.sid, self.effect, self.principal, self.any_resource, resources, self.conditions
        )
    }

    fn to_value(&self) -> Value {
        let mut m = IndexMap::new();
        if let Some(sid) = &self.sid {
            m.insert("Sid".to_string(), Value::str(sid.clone()));
        }
        m.insert("Effect".to_string(), Value::str(self.effect.as_str()));
        if let Some(p) = &self.principal {
            m.insert("Principal".to_string(), p.to_value());
        }
        m.insert(
            "Action".to_string(),
            one_or_list(self.actions.iter().map(|a| Value::str(a.as_str()))),
        );
        if self.any_resource {
            m.insert("Resource".to_string(), Value::str("*"));
        } else if !self.resources.is_empty() {
            m.insert(
                "Resource".to_string(),
                one_or_list(self.resources.iter().map(|r| r.value().clone())),
            );
        }
        if !self.conditions.is_empty() {
            let conds = self
                .conditions
                .iter()
                .map(|(op, keys)| {
                    let keys = keys
                        .iter()
                        .map(|(k, vs)| (k.clone(), one_or_list(vs.iter().cloned())))
                        .collect();
                    (op.as_str().to_string(), Value::Map(keys))
                })
                .collect();
            m.insert("Condition".to_string(), Value::Map(conds));
        }
        Value::Map(m)
    }
}

/// Whether a resource's text has a `*` once deployed: a literal with one, or a `Fn::Sub` /
/// `Fn::Join` / `Fn::If` built from one (`${Bucket.Arn}/*`). References themselves (an ARN
/// attribute) count as no wildcard, as rule packs read them.
fn has_wildcard(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('*'),
        Value::List(items) => items.iter().any(has_wildcard),
        Value::Map(m) => m.values().any(has_wildcard),
        Value::Fn(f) => match &**f {
            Intrinsic::Sub {
                template,
                variables,
            } => template.contains('*') || variables.values().any(has_wildcard),
            Intrinsic::Join { values, .. } => has_wildcard(values),
            Intrinsic::If {
                then, otherwise, ..
            } => has_wildcard(then) || has_wildcard(otherwise),
            Intrinsic::CrossStack { value, .. } => has_wildcard(value),
            Intrinsic::Select { list, .. } => has_wildcard(list),
            _ => false,
        },
        _ => false,
    }
}

fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn one_or_list(items: impl Iterator<Item = Value>) -> Value {
    let mut items: Vec<Value> = items.collect();
    if items.len() == 1 {
        items.remove(0)
    } else {
        Value::List(items)
    }
}

/// What [`PolicyDocument::add`] changed: the actions and resources that are now granted by the
/// statement (new or merged).
#[derive(Debug, Clone, PartialEq)]
pub struct Added {
    /// The actions of the statement added.
    pub actions: Vec<Action>,
    /// Its resources (empty for `*`).
    pub resources: Vec<Val<String>>,
    /// Whether it applies to every resource.
    pub any_resource: bool,
    /// Whether it merged into an existing statement.
    pub merged: bool,
}

/// A policy document: statements merged so that two statements with the same effect,
/// principal, resources and conditions become one with the union of their actions (sorted).
/// Statement order is the order of first insertion, so output is deterministic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyDocument {
    statements: Vec<Statement>,
}

impl PolicyDocument {
    /// An empty document.
    pub fn new() -> PolicyDocument {
        PolicyDocument::default()
    }

    /// Checks and adds `statement`, merging it with an equivalent one.
    pub fn add(&mut self, statement: Statement) -> Result<Added, ConstructError> {
        statement.check()?;
        Ok(self.add_trusted(statement))
    }

    /// Adds a statement this crate built (known valid).
    pub(crate) fn add_trusted(&mut self, statement: Statement) -> Added {
        debug_assert!(statement.check().is_ok(), "{:?}", statement.check());
        let added = Added {
            actions: statement.actions.clone(),
            resources: statement.resources.clone(),
            any_resource: statement.any_resource,
            merged: false,
        };
        if let Some(existing) = self
            .statements
            .iter_mut()
            .find(|s| s.merges_with(&statement))
        {
            existing.actions.extend(statement.actions);
            existing.actions.sort();
            existing.actions.dedup();
            for reason in statement.reasons {
                if !existing.reasons.contains(&reason) {
                    existing.reasons.push(reason);
                }
            }
            return Added {
                merged: true,
                ..added
            };
        }
        self.statements.push(statement);
        added
    }

    /// The statements.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Whether there is no statement.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// The document as a CloudFormation value.
    pub fn to_value(&self) -> Value {
        map([
            ("Version", Value::str(POLICY_VERSION)),
            (
                "Statement",
                Value::List(self.statements.iter().map(Statement::to_value).collect()),
            ),
        ])
    }

    /// The document as a `Val<Json>` for a generated resource's policy property.
    pub fn to_json_val(&self) -> Val<Json> {
        Val::from_value_unchecked(self.to_value())
    }

    /// Estimated size in characters once deployed, as IAM counts it (JSON without whitespace).
    /// References are not resolved before deployment, so each is counted at the length of the
    /// longest value it can plausibly take (see [`estimated_len`]).
    pub fn estimated_size(&self) -> usize {
        estimated_len(&self.to_value())
    }
}

impl From<PolicyDocument> for Value {
    fn from(d: PolicyDocument) -> Value {
        d.to_value()
    }
}

impl From<PolicyDocument> for Val<Json> {
    fn from(d: PolicyDocument) -> Val<Json> {
        d.to_json_val()
    }
}

/// Characters a reference (`Ref`, `Fn::GetAtt`, `Fn::ImportValue`, a `${Var}` of `Fn::Sub`) is
/// counted at: long enough for the ARNs and names that policies hold (an SQS queue ARN is at
/// most about 120 characters, a bucket name 63).
pub const REFERENCE_ESTIMATE: usize = 100;

/// Length of `value` as compact JSON after CloudFormation resolves it, estimated: literals
/// count exactly, pseudo parameters at their longest value, references at
/// [`REFERENCE_ESTIMATE`].
pub fn estimated_len(value: &Value) -> usize {
    match value {
        Value::Null => 4,
        Value::Bool(b) => {
            if *b {
                4
            } else {
                5
            }
        }
        Value::Number(n) => n.to_string().len(),
        Value::String(s) => json_string_len(s),
        Value::List(items) => {
            2 + items.iter().map(estimated_len).sum::<usize>() + items.len().saturating_sub(1)
        }
        Value::Map(m) => {
            2 + m
                .iter()
                .map(|(k, v)| json_string_len(k) + 1 + estimated_len(v))
                .sum::<usize>()
                + m.len().saturating_sub(1)
        }
        Value::Fn(f) => 2 + resolved_len(f),
    }
}

/// Length of `s` as a JSON string literal, quotes included, counted as serde_json writes it
/// (without building the text: this runs for every string of every role's policy).
fn json_string_len(s: &str) -> usize {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | 0x08 | 0x09 | 0x0a | 0x0c | 0x0d => 2,
            0x00..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

fn pseudo_len(p: Pseudo) -> usize {
    match p {
        Pseudo::AccountId => 12,
        Pseudo::Partition => "aws-iso-b".len().max("aws-us-gov".len()),
        Pseudo::Region => "ap-southeast-5".len(),
        Pseudo::UrlSuffix => "amazonaws.com.cn".len(),
        _ => REFERENCE_ESTIMATE,
    }
}

/// Length of the string an intrinsic resolves to (without quotes).
fn resolved_len(f: &Intrinsic) -> usize {
    match f {
        Intrinsic::Ref {
            target: Target::Pseudo(p),
            ..
        } => pseudo_len(*p),
        Intrinsic::Sub {
            template,
            variables,
        } => {
            let mut len = 0;
            let mut rest = template.as_str();
            while let Some(start) = rest.find("${") {
                len += rest[..start].len();
                let after = &rest[start + 2..];
                let Some(end) = after.find('}') else {
                    len += rest[start..].len();
                    rest = "";
                    break;
                };
                let name = &after[..end];
                len += match name {
                    "AWS::AccountId" => pseudo_len(Pseudo::AccountId),
                    "AWS::Partition" => pseudo_len(Pseudo::Partition),
                    "AWS::Region" => pseudo_len(Pseudo::Region),
                    "AWS::URLSuffix" => pseudo_len(Pseudo::UrlSuffix),
                    _ => match variables.get(name) {
                        Some(Value::String(s)) => s.len(),
                        Some(Value::Fn(inner)) => resolved_len(inner),
                        _ => REFERENCE_ESTIMATE,
                    },
                };
                rest = &after[end + 1..];
            }
            len + rest.len()
        }
        Intrinsic::Join {
            delimiter,
            values: Value::List(items),
        } => {
            items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.len(),
                    Value::Fn(inner) => resolved_len(inner),
                    _ => REFERENCE_ESTIMATE,
                })
                .sum::<usize>()
                + delimiter.len() * items.len().saturating_sub(1)
        }
        Intrinsic::CrossStack { value, .. } => match value {
            Value::Fn(inner) => resolved_len(inner),
            other => estimated_len(other).saturating_sub(2),
        },
        _ => REFERENCE_ESTIMATE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arn(i: usize) -> String {
        format!("arn:aws:s3:::bucket{i}/report.csv")
    }

    fn sub_with(vars: &[(&str, &str)]) -> Value {
        Value::func(Intrinsic::Sub {
            template: "arn:aws:s3:::${A}-${B}".into(),
            variables: vars
                .iter()
                .map(|(k, v)| (k.to_string(), Value::str(*v)))
                .collect(),
        })
    }

    fn allow(action: &'static str) -> Statement {
        Statement::allow([Action::known(action)])
    }

    #[test]
    fn action_macros_resolve_inside_this_crate() {
        // `$crate` is `crate` here: the crate's own grants can use the checked macros.
        let one = crate::action!("sqs:sendmessage");
        assert_eq!(one.as_str(), "sqs:sendmessage", "the spelling is kept");
        let [a, b] = crate::actions!["kms:Decrypt", "rds-db:connect"];
        assert_eq!((a.as_str(), b.as_str()), ("kms:Decrypt", "rds-db:connect"));
    }

    #[test]
    fn json_string_len_matches_serde_json() {
        for s in [
            "",
            "plain",
            "q\"uote",
            "back\\slash",
            "\u{8}\t\n\u{c}\r",
            "\u{0}\u{1f}\u{7f}",
            "é, ü and 日本",
        ] {
            let expected = serde_json::Value::String(s.to_string()).to_string().len();
            assert_eq!(json_string_len(s), expected, "{s:?}");
        }
    }

    #[test]
    fn resources_in_another_order_merge() {
        let mut doc = PolicyDocument::new();
        doc.add_trusted(allow("s3:GetObject").on(arn(1)).on(arn(2)));
        let added = doc.add_trusted(allow("s3:PutObject").on(arn(2)).on(arn(1)));
        assert!(added.merged);
        assert_eq!(doc.statements().len(), 1);
        assert_eq!(doc.statements()[0].actions().len(), 2);
    }

    #[test]
    fn other_resources_or_conditions_do_not_merge() {
        let mut doc = PolicyDocument::new();
        doc.add_trusted(allow("s3:GetObject").on(arn(1)));
        assert!(!doc.add_trusted(allow("s3:PutObject").on(arn(2))).merged);
        assert!(
            !doc.add_trusted(allow("s3:PutObject").on(arn(1)).on(arn(2)))
                .merged
        );
        let conditional = allow("s3:PutObject").on(arn(1)).condition(
            ConditionOperator::StringEquals,
            "aws:SourceAccount",
            ["123456789012"],
        );
        assert!(!doc.add_trusted(conditional).merged);
        assert_eq!(doc.statements().len(), 4);
    }

    #[test]
    fn equal_values_written_in_another_order_stay_apart() {
        // Merging has always compared the written form, in which the order of a `Fn::Sub`'s
        // variables shows; `==` on values ignores it. Keep the statements apart as before.
        let ab = sub_with(&[("A", "x"), ("B", "y")]);
        let ba = sub_with(&[("B", "y"), ("A", "x")]);
        assert_eq!(ab, ba);
        let mut doc = PolicyDocument::new();
        doc.add_trusted(allow("s3:GetObject").on(Val::<String>::from_value_unchecked(ab.clone())));
        let same =
            doc.add_trusted(allow("s3:PutObject").on(Val::<String>::from_value_unchecked(ab)));
        assert!(same.merged);
        let reordered =
            doc.add_trusted(allow("s3:ListBucket").on(Val::<String>::from_value_unchecked(ba)));
        assert!(!reordered.merged);
        assert_eq!(doc.statements().len(), 2);
    }
}
