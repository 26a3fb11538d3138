//! Parameters, conditions, mappings and outputs as constructs.

use std::marker::PhantomData;

use indexmap::IndexMap;

use crate::construct::Construct;
use crate::element::{Element, ElementMut};
use crate::kind::{self, Cond, List};
use crate::node::NodeId;
use crate::resource::HasNode;
use crate::value::{Intrinsic, Target, Val, Value};

/// Kinds a [`Parameter`] can have, with the CloudFormation parameter type they map to.
pub trait ParameterKind {
    /// The `Type` of the parameter.
    const TYPE: &'static str;
    /// Whether the parameter holds a list.
    const LIST: bool = false;
}

macro_rules! parameter_kinds {
    ($($k:ty => $t:literal, $lt:literal;)*) => {$(
        impl ParameterKind for $k {
            const TYPE: &'static str = $t;
        }
        impl ParameterKind for List<$k> {
            const TYPE: &'static str = $lt;
            const LIST: bool = true;
        }
    )*};
}

parameter_kinds! {
    String => "String", "CommaDelimitedList";
    i64 => "Number", "List<Number>";
    kind::VpcId => "AWS::EC2::VPC::Id", "List<AWS::EC2::VPC::Id>";
    kind::SubnetId => "AWS::EC2::Subnet::Id", "List<AWS::EC2::Subnet::Id>";
    kind::SecurityGroupId => "AWS::EC2::SecurityGroup::Id", "List<AWS::EC2::SecurityGroup::Id>";
    kind::SecurityGroupName => "AWS::EC2::SecurityGroup::GroupName", "List<AWS::EC2::SecurityGroup::GroupName>";
    kind::AvailabilityZone => "AWS::EC2::AvailabilityZone::Name", "List<AWS::EC2::AvailabilityZone::Name>";
    kind::ImageId => "AWS::EC2::Image::Id", "List<AWS::EC2::Image::Id>";
    kind::InstanceId => "AWS::EC2::Instance::Id", "List<AWS::EC2::Instance::Id>";
    kind::KeyPairName => "AWS::EC2::KeyPair::KeyName", "List<AWS::EC2::KeyPair::KeyName>";
    kind::VolumeId => "AWS::EC2::Volume::Id", "List<AWS::EC2::Volume::Id>";
    kind::HostedZoneId => "AWS::Route53::HostedZone::Id", "List<AWS::Route53::HostedZone::Id>";
}

/// The template entry of a parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterDef {
    /// Node id.
    pub node: NodeId,
    /// Forced logical id.
    pub logical_id: Option<String>,
    /// `Type`.
    pub type_name: String,
    /// Whether the value is a list.
    pub list: bool,
    /// `Default`.
    pub default: Option<Value>,
    /// `Description`.
    pub description: Option<String>,
    /// `AllowedValues`.
    pub allowed_values: Vec<Value>,
    /// `AllowedPattern`.
    pub allowed_pattern: Option<String>,
    /// `ConstraintDescription`.
    pub constraint_description: Option<String>,
    /// `MinLength` / `MaxLength`.
    pub length: (Option<u64>, Option<u64>),
    /// `MinValue` / `MaxValue`.
    pub value_range: (Option<f64>, Option<f64>),
    /// `NoEcho`.
    pub no_echo: bool,
}

/// A template parameter of kind `K`: `Parameter::<VpcId>::new()` is an `AWS::EC2::VPC::Id`
/// parameter whose [`value`](Parameter::value) is accepted wherever a VPC id is.
pub struct Parameter<K: ?Sized> {
    def: ParameterDef,
    kind: PhantomData<fn() -> K>,
}

// By hand: derived impls would ask `K: Clone` / `K: Debug` of the kind, a marker type.
impl<K: ?Sized> Clone for Parameter<K> {
    fn clone(&self) -> Self {
        Parameter {
            def: self.def.clone(),
            kind: PhantomData,
        }
    }
}

impl<K: ?Sized> std::fmt::Debug for Parameter<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parameter").field("def", &self.def).finish()
    }
}

impl<K: ParameterKind + ?Sized> Parameter<K> {
    /// A parameter of the type that `K` maps to.
    pub fn new() -> Self {
        Self::with_type(K::TYPE.to_string(), K::LIST)
    }

    /// A parameter resolved from SSM Parameter Store at deploy time
    /// (`AWS::SSM::Parameter::Value<...>`), defaulting to `parameter_name`.
    pub fn from_ssm(parameter_name: impl Into<String>) -> Self {
        Self::with_type(format!("AWS::SSM::Parameter::Value<{}>", K::TYPE), K::LIST)
            .default(Value::String(parameter_name.into()))
    }
}

impl<K: ParameterKind + ?Sized> Default for Parameter<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: ?Sized> Parameter<K> {
    /// A parameter of a CloudFormation type that no kind maps to
    /// (`AWS::SSM::Parameter::Value<List<String>>`, say); the caller vouches that its values
    /// are of kind `K`.
    pub fn of_type(type_name: impl Into<String>) -> Self {
        let type_name = type_name.into();
        let list = type_name.starts_with("List<")
            || type_name == "CommaDelimitedList"
            || type_name.contains("<List<");
        Self::with_type(type_name, list)
    }

    fn with_type(type_name: String, list: bool) -> Self {
        Parameter {
            def: ParameterDef {
                node: NodeId::fresh(),
                logical_id: None,
                type_name,
                list,
                default: None,
                description: None,
                allowed_values: Vec::new(),
                allowed_pattern: None,
                constraint_description: None,
                length: (None, None),
                value_range: (None, None),
                no_echo: false,
            },
            kind: PhantomData,
        }
    }

    /// `Default`.
    pub fn default(mut self, value: impl Into<Value>) -> Self {
        self.def.default = Some(value.into());
        self
    }
    /// `Description`.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.def.description = Some(text.into());
        self
    }
    /// `AllowedValues`.
    pub fn allowed_values<V: Into<Value>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
        self.def.allowed_values = values.into_iter().map(Into::into).collect();
        self
    }
    /// `AllowedPattern`.
    pub fn allowed_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.def.allowed_pattern = Some(pattern.into());
        self
    }
    /// `ConstraintDescription`.
    pub fn constraint_description(mut self, text: impl Into<String>) -> Self {
        self.def.constraint_description = Some(text.into());
        self
    }
    /// `MinLength` and `MaxLength`.
    pub fn length(mut self, min: Option<u64>, max: Option<u64>) -> Self {
        self.def.length = (min, max);
        self
    }
    /// `MinValue` and `MaxValue`.
    pub fn value_range(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.def.value_range = (min, max);
        self
    }
    /// `NoEcho`.
    pub fn no_echo(mut self) -> Self {
        self.def.no_echo = true;
        self
    }
    /// Forces the logical id (the parameter name users pass at deploy time).
    pub fn logical_id(mut self, id: impl Into<String>) -> Self {
        self.def.logical_id = Some(id.into());
        self
    }

    /// `Ref` to the parameter: its value, of kind `K`.
    pub fn value(&self) -> Val<K> {
        Val::from_value_unchecked(Value::func(Intrinsic::Ref {
            target: Target::Node(self.def.node),
            list: self.def.list,
        }))
    }

    /// The template entry.
    pub fn def(&self) -> &ParameterDef {
        &self.def
    }
}

impl<K: ?Sized> HasNode for Parameter<K> {
    fn node(&self) -> NodeId {
        self.def.node
    }
}

impl<K: ?Sized> Construct for Parameter<K> {
    fn construct_type(&self) -> &str {
        "Parameter"
    }
    fn element(&self) -> Option<Element<'_>> {
        Some(Element::Parameter(&self.def))
    }
    fn element_mut(&mut self) -> Option<ElementMut<'_>> {
        Some(ElementMut::Parameter(&mut self.def))
    }
}

/// The template entry of a condition.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionDef {
    /// Node id.
    pub node: NodeId,
    /// Forced logical id.
    pub logical_id: Option<String>,
    /// The condition expression.
    pub expression: Value,
}

/// A named condition (`Conditions` section), used by `Fn::If` and by resources' `Condition`.
#[derive(Debug, Clone)]
pub struct Condition {
    def: ConditionDef,
}

impl Condition {
    /// A condition holding when `expression` is true (build it with [`crate::fns::equals`],
    /// [`crate::fns::and`], ...).
    pub fn new(expression: Val<Cond>) -> Condition {
        Condition {
            def: ConditionDef {
                node: NodeId::fresh(),
                logical_id: None,
                expression: expression.into_value(),
            },
        }
    }

    /// Forces the logical id.
    pub fn logical_id(mut self, id: impl Into<String>) -> Self {
        self.def.logical_id = Some(id.into());
        self
    }

    /// Node id.
    pub fn node(&self) -> NodeId {
        self.def.node
    }

    /// This condition inside another condition expression (`{"Condition": name}`).
    pub fn as_expression(&self) -> Val<Cond> {
        Val::from_value_unchecked(Value::func(Intrinsic::Condition(Target::Node(
            self.def.node,
        ))))
    }

    /// `Fn::If`: `then` when the condition holds, else `otherwise`.
    pub fn select<K: ?Sized>(
        &self,
        then: impl Into<Val<K>>,
        otherwise: impl Into<Val<K>>,
    ) -> Val<K> {
        Val::from_value_unchecked(Value::func(Intrinsic::If {
            condition: Target::Node(self.def.node),
            then: then.into().into_value(),
            otherwise: otherwise.into().into_value(),
        }))
    }
}

impl HasNode for Condition {
    fn node(&self) -> NodeId {
        self.def.node
    }
}

impl Construct for Condition {
    fn construct_type(&self) -> &str {
        "Condition"
    }
    fn element(&self) -> Option<Element<'_>> {
        Some(Element::Condition(&self.def))
    }
    fn element_mut(&mut self) -> Option<ElementMut<'_>> {
        Some(ElementMut::Condition(&mut self.def))
    }
}

/// The template entry of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct MappingDef {
    /// Node id.
    pub node: NodeId,
    /// Forced logical id.
    pub logical_id: Option<String>,
    /// Top-level key -> second-level key -> value.
    pub entries: IndexMap<String, IndexMap<String, Value>>,
}

/// A two-level lookup table (`Mappings` section), read with `Fn::FindInMap`.
#[derive(Debug, Clone)]
pub struct Mapping {
    def: MappingDef,
}

impl Default for Mapping {
    fn default() -> Self {
        Self::new()
    }
}

impl Mapping {
    /// An empty mapping.
    pub fn new() -> Mapping {
        Mapping {
            def: MappingDef {
                node: NodeId::fresh(),
                logical_id: None,
                entries: IndexMap::new(),
            },
        }
    }

    /// Adds `top_key.second_key = value`.
    pub fn entry(mut self, top_key: &str, second_key: &str, value: impl Into<Value>) -> Self {
        self.def
            .entries
            .entry(top_key.to_string())
            .or_default()
            .insert(second_key.to_string(), value.into());
        self
    }

    /// Forces the logical id.
    pub fn logical_id(mut self, id: impl Into<String>) -> Self {
        self.def.logical_id = Some(id.into());
        self
    }

    /// `Fn::FindInMap`, of the kind the caller names.
    pub fn find<K: ?Sized>(
        &self,
        top_key: impl Into<Val<String>>,
        second_key: impl Into<Val<String>>,
    ) -> Val<K> {
        Val::from_value_unchecked(Value::func(Intrinsic::FindInMap {
            mapping: Target::Node(self.def.node),
            top_key: top_key.into().into_value(),
            second_key: second_key.into().into_value(),
        }))
    }
}

impl Construct for Mapping {
    fn construct_type(&self) -> &str {
        "Mapping"
    }
    fn element(&self) -> Option<Element<'_>> {
        Some(Element::Mapping(&self.def))
    }
    fn element_mut(&mut self) -> Option<ElementMut<'_>> {
        Some(ElementMut::Mapping(&mut self.def))
    }
}

/// The template entry of an output.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputDef {
    /// Node id.
    pub node: NodeId,
    /// Forced logical id.
    pub logical_id: Option<String>,
    /// `Value`.
    pub value: Value,
    /// `Description`.
    pub description: Option<String>,
    /// `Export.Name`.
    pub export_name: Option<Value>,
    /// `Condition`.
    pub condition: Option<Target>,
}

/// A stack output, optionally exported.
#[derive(Debug, Clone)]
pub struct Output {
    def: OutputDef,
}

impl Output {
    /// An output of `value` (any kind).
    pub fn new(value: impl Into<Value>) -> Output {
        Output {
            def: OutputDef {
                node: NodeId::fresh(),
                logical_id: None,
                value: value.into(),
                description: None,
                export_name: None,
                condition: None,
            },
        }
    }
    /// `Description`.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.def.description = Some(text.into());
        self
    }
    /// `Export.Name`: other stacks can read the value with `Fn::ImportValue`.
    pub fn export(mut self, name: impl Into<Val<String>>) -> Self {
        self.def.export_name = Some(name.into().into_value());
        self
    }
    /// `Condition`.
    pub fn condition(mut self, condition: &Condition) -> Self {
        self.def.condition = Some(Target::Node(condition.node()));
        self
    }
    /// Forces the logical id.
    pub fn logical_id(mut self, id: impl Into<String>) -> Self {
        self.def.logical_id = Some(id.into());
        self
    }
}

impl Construct for Output {
    fn construct_type(&self) -> &str {
        "Output"
    }
    fn element(&self) -> Option<Element<'_>> {
        Some(Element::Output(&self.def))
    }
    fn element_mut(&mut self) -> Option<ElementMut<'_>> {
        Some(ElementMut::Output(&mut self.def))
    }
}
