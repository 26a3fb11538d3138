//! Resources: the part every resource shares ([`ResourceCore`]), the [`Resource`] trait with the
//! resource attributes (DependsOn, DeletionPolicy, ...) and overrides, and [`RawResource`], the
//! escape hatch for any type name with free-form properties.

use std::borrow::Cow;

use indexmap::IndexMap;

use crate::construct::Construct;
use crate::node::NodeId;
use crate::params::Condition;
use crate::suppression::{self, Scanner};
use crate::value::{Intrinsic, Props, Target, Val, Value};

/// How a resource type carries tags, read from its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagFormat {
    /// The type cannot be tagged.
    None,
    /// `Tags` is a list of `{Key, Value}`.
    List,
    /// `Tags` is a map of string to string.
    Map,
}

/// `DeletionPolicy` / `UpdateReplacePolicy` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalPolicy {
    /// `Delete`: the resource is deleted with the stack.
    Delete,
    /// `Retain`: the resource is kept when removed from the stack.
    Retain,
    /// `RetainExceptOnCreate`: kept, unless the stack's creation failed.
    RetainExceptOnCreate,
    /// `Snapshot`: a final snapshot is taken (databases, volumes, caches).
    Snapshot,
}

impl RemovalPolicy {
    /// The CloudFormation spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RemovalPolicy::Delete => "Delete",
            RemovalPolicy::Retain => "Retain",
            RemovalPolicy::RetainExceptOnCreate => "RetainExceptOnCreate",
            RemovalPolicy::Snapshot => "Snapshot",
        }
    }
}

/// The resource attributes of CloudFormation (everything beside `Type` and `Properties`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes {
    /// `DependsOn`, as nodes (a node of another stack becomes a stack dependency).
    pub depends_on: Vec<NodeId>,
    /// `Condition`.
    pub condition: Option<Target>,
    /// `DeletionPolicy`.
    pub deletion_policy: Option<RemovalPolicy>,
    /// `UpdateReplacePolicy`.
    pub update_replace_policy: Option<RemovalPolicy>,
    /// `CreationPolicy`.
    pub creation_policy: Option<Value>,
    /// `UpdatePolicy`.
    pub update_policy: Option<Value>,
    /// `Metadata`.
    pub metadata: IndexMap<String, Value>,
}

/// What every resource holds: identity, type, properties, attributes and overrides.
#[derive(Debug, Clone)]
pub struct ResourceCore {
    node: NodeId,
    type_name: Cow<'static, str>,
    tag_format: TagFormat,
    /// The `Properties`, in the order they were set.
    pub props: Props,
    /// The resource attributes.
    pub attributes: Attributes,
    overrides: Vec<(String, Option<Value>)>,
    logical_id: Option<String>,
}

impl ResourceCore {
    /// A resource of `type_name` with no properties yet.
    pub fn new(type_name: impl Into<Cow<'static, str>>, tag_format: TagFormat) -> ResourceCore {
        ResourceCore {
            node: NodeId::fresh(),
            type_name: type_name.into(),
            tag_format,
            props: Props::new(),
            attributes: Attributes::default(),
            overrides: Vec::new(),
            logical_id: None,
        }
    }

    /// The node id.
    pub fn node(&self) -> NodeId {
        self.node
    }

    /// The CloudFormation type name, e.g. `AWS::EC2::VPC`.
    pub fn type_name(&self) -> &str {
        &self.type_name
    }

    /// How the type carries tags.
    pub fn tag_format(&self) -> TagFormat {
        self.tag_format
    }

    /// Sets property `name`.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        self.props.set(name, value);
    }

    /// `Ref` to this resource.
    pub fn ref_<K: ?Sized>(&self) -> Val<K> {
        Val::from_value_unchecked(Value::func(Intrinsic::Ref {
            target: Target::Node(self.node),
            list: false,
        }))
    }

    /// `Fn::GetAtt` of a scalar attribute.
    pub fn get_att<K: ?Sized>(&self, attribute: &str) -> Val<K> {
        self.att(attribute, false)
    }

    /// `Fn::GetAtt` of an attribute whose value is a list.
    pub fn get_att_list<K: ?Sized>(&self, attribute: &str) -> Val<K> {
        self.att(attribute, true)
    }

    fn att<K: ?Sized>(&self, attribute: &str, list: bool) -> Val<K> {
        Val::from_value_unchecked(Value::func(Intrinsic::GetAtt {
            target: Target::Node(self.node),
            attribute: attribute.to_string(),
            list,
        }))
    }

    /// Records an override of `path` (dot-separated, from the resource's top level, e.g.
    /// `Properties.VpcConfiguration.Subnets`), applied after everything else at synthesis.
    pub fn add_override(&mut self, path: impl Into<String>, value: impl Into<Value>) {
        self.overrides.push((path.into(), Some(value.into())));
    }

    /// Records the removal of `path` at synthesis.
    pub fn add_deletion_override(&mut self, path: impl Into<String>) {
        self.overrides.push((path.into(), None));
    }

    /// The overrides, in the order given.
    pub fn overrides(&self) -> &[(String, Option<Value>)] {
        &self.overrides
    }

    /// Forces the logical id instead of deriving it from the path.
    pub fn set_logical_id(&mut self, id: impl Into<String>) {
        self.logical_id = Some(id.into());
    }

    /// The forced logical id, if any.
    pub fn logical_id_override(&self) -> Option<&str> {
        self.logical_id.as_deref()
    }

    /// Records that security scanner check `id` (checkov, e.g. `CKV_AWS_260`) is deliberately
    /// not met by this resource, with the reason a reviewer reads: written to
    /// `Metadata.checkov.skip` as `{id, comment}`, where checkov reports it as skipped instead
    /// of failed. A second call with the same id replaces the reason.
    pub fn skip_check(&mut self, id: impl Into<String>, reason: impl Into<String>) {
        self.suppress(Scanner::Checkov, id, reason);
    }

    /// Undoes [`ResourceCore::skip_check`] for `id`: for constructs that skip a check by default
    /// and meet it once the user opts in (a customer key, access logs). Drops the `checkov`
    /// metadata entry when no skip is left.
    pub fn unskip_check(&mut self, id: &str) {
        self.unsuppress(Scanner::Checkov, id);
    }

    /// Records that `scanner`'s rule `id` is deliberately not met by this resource, with the
    /// reason, in the resource's `Metadata` where that scanner reads it (see
    /// [`crate::suppression`]). A second call with the same id replaces the reason.
    pub fn suppress(&mut self, scanner: Scanner, id: impl Into<String>, reason: impl Into<String>) {
        suppression::suppress(
            &mut self.attributes.metadata,
            scanner,
            &id.into(),
            &reason.into(),
        );
    }

    /// Undoes [`ResourceCore::suppress`] for `id`.
    pub fn unsuppress(&mut self, scanner: Scanner, id: &str) {
        suppression::unsuppress(&mut self.attributes.metadata, scanner, id);
    }

    /// Records that cdk-nag's finding of `rule` about `subject`, a value of this resource's
    /// properties (kind `Resource` or `Action`), is deliberately accepted, with the reason:
    /// written at synthesis as `rule[kind::text]` (see
    /// [`suppression::suppress_cdk_nag_finding`]).
    pub fn suppress_cdk_nag_finding(
        &mut self,
        rule: &str,
        kind: &str,
        subject: impl Into<Value>,
        reason: impl Into<String>,
    ) {
        suppression::suppress_cdk_nag_finding(
            &mut self.attributes.metadata,
            rule,
            kind,
            subject.into(),
            &reason.into(),
        );
    }

    /// Undoes every [`ResourceCore::suppress_cdk_nag_finding`] of `rule`.
    pub fn unsuppress_cdk_nag_findings(&mut self, rule: &str) {
        suppression::unsuppress_cdk_nag_findings(&mut self.attributes.metadata, rule);
    }

    /// Adds a `DependsOn` on another node.
    pub fn add_dependency(&mut self, node: NodeId) {
        if !self.attributes.depends_on.contains(&node) {
            self.attributes.depends_on.push(node);
        }
    }
}

/// Anything that is a template element with a node id (resources, parameters, ...), so that
/// `depends_on` and similar calls can take any of them.
pub trait HasNode {
    /// The node id.
    fn node(&self) -> NodeId;
}

/// A resource: a construct-tree leaf that becomes an entry of `Resources`.
///
/// The provided methods are builder-style and consume `self`; the `core_mut` ones work on a
/// resource already placed in a struct.
pub trait Resource: Construct {
    /// The shared part.
    fn core(&self) -> &ResourceCore;
    /// The shared part, mutably.
    fn core_mut(&mut self) -> &mut ResourceCore;

    /// `DependsOn` another resource (or any element).
    fn depends_on(mut self, other: &dyn HasNode) -> Self
    where
        Self: Sized,
    {
        self.core_mut().add_dependency(other.node());
        self
    }

    /// `DeletionPolicy`.
    fn deletion_policy(mut self, policy: RemovalPolicy) -> Self
    where
        Self: Sized,
    {
        self.core_mut().attributes.deletion_policy = Some(policy);
        self
    }

    /// `UpdateReplacePolicy`.
    fn update_replace_policy(mut self, policy: RemovalPolicy) -> Self
    where
        Self: Sized,
    {
        self.core_mut().attributes.update_replace_policy = Some(policy);
        self
    }

    /// Both `DeletionPolicy` and `UpdateReplacePolicy`, as the AWS CDK's `applyRemovalPolicy`.
    fn removal_policy(self, policy: RemovalPolicy) -> Self
    where
        Self: Sized,
    {
        self.deletion_policy(policy).update_replace_policy(policy)
    }

    /// `Condition`: the resource exists only when `condition` holds.
    fn condition(mut self, condition: &Condition) -> Self
    where
        Self: Sized,
    {
        self.core_mut().attributes.condition = Some(Target::Node(condition.node()));
        self
    }

    /// `CreationPolicy`.
    fn creation_policy(mut self, policy: impl Into<Value>) -> Self
    where
        Self: Sized,
    {
        self.core_mut().attributes.creation_policy = Some(policy.into());
        self
    }

    /// `UpdatePolicy`.
    fn update_policy(mut self, policy: impl Into<Value>) -> Self
    where
        Self: Sized,
    {
        self.core_mut().attributes.update_policy = Some(policy.into());
        self
    }

    /// One entry of `Metadata`.
    fn metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self
    where
        Self: Sized,
    {
        self.core_mut()
            .attributes
            .metadata
            .insert(key.into(), value.into());
        self
    }

    /// Marks checkov check `id` as deliberately not met, with the reason a reviewer reads
    /// (see [`ResourceCore::skip_check`]): `.skip_check("CKV_AWS_260", "public HTTP entry")`.
    fn skip_check(mut self, id: impl Into<String>, reason: impl Into<String>) -> Self
    where
        Self: Sized,
    {
        self.core_mut().skip_check(id, reason);
        self
    }

    /// Marks `scanner`'s rule `id` as deliberately not met, with the reason a reviewer reads
    /// (see [`ResourceCore::suppress`]):
    /// `.suppress(Scanner::CdkNag, "AwsSolutions-S1", "this bucket holds the access logs")`.
    fn suppress(
        mut self,
        scanner: Scanner,
        id: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self
    where
        Self: Sized,
    {
        self.core_mut().suppress(scanner, id, reason);
        self
    }

    /// Overrides any path of the synthesized resource, as the AWS CDK's `addOverride`
    /// (`"Properties.Foo.Bar"`, `"DependsOn"`, ...).
    fn add_override(mut self, path: impl Into<String>, value: impl Into<Value>) -> Self
    where
        Self: Sized,
    {
        self.core_mut().add_override(path, value);
        self
    }

    /// Forces the logical id.
    fn override_logical_id(mut self, id: impl Into<String>) -> Self
    where
        Self: Sized,
    {
        self.core_mut().set_logical_id(id);
        self
    }
}

impl<T: Resource> HasNode for T {
    fn node(&self) -> NodeId {
        self.core().node()
    }
}

/// Implements [`Resource`] and [`Construct`] for a struct with a field `core: ResourceCore`.
#[macro_export]
macro_rules! impl_resource {
    ($t:ty) => {
        impl $crate::Resource for $t {
            fn core(&self) -> &$crate::ResourceCore {
                &self.core
            }
            fn core_mut(&mut self) -> &mut $crate::ResourceCore {
                &mut self.core
            }
        }
        impl $crate::Construct for $t {
            fn construct_type(&self) -> &str {
                self.core.type_name()
            }
            fn element(&self) -> ::std::option::Option<$crate::Element<'_>> {
                ::std::option::Option::Some($crate::Element::Resource(&self.core))
            }
            fn element_mut(&mut self) -> ::std::option::Option<$crate::ElementMut<'_>> {
                ::std::option::Option::Some($crate::ElementMut::Resource(&mut self.core))
            }
            fn as_any(&self) -> ::std::option::Option<&dyn ::std::any::Any> {
                ::std::option::Option::Some(self)
            }
            fn as_any_mut(&mut self) -> ::std::option::Option<&mut dyn ::std::any::Any> {
                ::std::option::Option::Some(self)
            }
        }
    };
}

/// A resource of any type name with free-form properties: the escape hatch for types this crate
/// does not generate, or for properties newer than the pinned schemas.
#[derive(Debug, Clone)]
pub struct RawResource {
    core: ResourceCore,
}

impl_resource!(RawResource);

impl RawResource {
    /// A resource of `type_name` (e.g. `"AWS::SQS::Queue"`); tags are treated as a list.
    pub fn new(type_name: impl Into<String>) -> RawResource {
        RawResource {
            core: ResourceCore::new(type_name.into(), TagFormat::List),
        }
    }

    /// A resource that the tag aspect must leave alone.
    pub fn untaggable(type_name: impl Into<String>) -> RawResource {
        RawResource {
            core: ResourceCore::new(type_name.into(), TagFormat::None),
        }
    }

    /// Sets a property.
    pub fn prop(mut self, name: impl Into<String>, value: impl Into<Value>) -> RawResource {
        self.core.set(name, value);
        self
    }

    /// `Ref` to this resource, of the kind the caller names.
    pub fn ref_<K: ?Sized>(&self) -> Val<K> {
        self.core.ref_()
    }

    /// `Fn::GetAtt` of `attribute`, of the kind the caller names.
    pub fn get_att<K: ?Sized>(&self, attribute: &str) -> Val<K> {
        self.core.get_att(attribute)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(n.into())
    }
}
impl From<i32> for Value {
    fn from(n: i32) -> Value {
        Value::Number(n.into())
    }
}
impl From<serde_json::Value> for Value {
    fn from(j: serde_json::Value) -> Value {
        Value::from_json(j)
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Value {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}
