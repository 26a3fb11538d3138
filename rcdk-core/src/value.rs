//! Untyped CloudFormation values ([`Value`]), intrinsic functions ([`Intrinsic`]) and the typed
//! wrapper [`Val`] that APIs use to ask for a value of one kind and refuse the others.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;

use crate::kind::{IdKind, Json, List, Map};
use crate::node::NodeId;

/// A CloudFormation value before synthesis: JSON data that may contain intrinsic functions.
///
/// References inside it point at construct-tree nodes ([`NodeId`]), not at logical ids: logical ids
/// are only known once the tree is complete, and a reference may cross stacks.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// JSON `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// A list.
    List(Vec<Value>),
    /// An object, in insertion order.
    Map(IndexMap<String, Value>),
    /// An intrinsic function or reference.
    Fn(Box<Intrinsic>),
}

/// What a `Ref` points at.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A resource, parameter or other node of the construct tree.
    Node(NodeId),
    /// A pseudo parameter such as `AWS::Region`.
    Pseudo(Pseudo),
    /// A logical id written out by hand (escape hatch; resolved after synthesis assigned ids).
    Name(String),
}

/// How a reference to a node of another stack is carried across.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CrossStackStrategy {
    /// `Outputs.Export` in the producer and `Fn::ImportValue` in the consumer (CloudFormation's
    /// native mechanism; the producer cannot change or remove the value while it is imported).
    #[default]
    Export,
    /// An `AWS::SSM::Parameter` written by the producer and read by the consumer through an
    /// `AWS::SSM::Parameter::Value<String>` parameter: no export lock, the consumer can stop using
    /// it at any time, at the cost of no referential integrity at deploy time.
    SsmParameter,
}

/// CloudFormation pseudo parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pseudo {
    /// `AWS::AccountId`
    AccountId,
    /// `AWS::NotificationARNs`
    NotificationArns,
    /// `AWS::NoValue`: removes the property where it is used.
    NoValue,
    /// `AWS::Partition`
    Partition,
    /// `AWS::Region`
    Region,
    /// `AWS::StackId`
    StackId,
    /// `AWS::StackName`
    StackName,
    /// `AWS::URLSuffix`
    UrlSuffix,
}

impl Pseudo {
    /// Every pseudo parameter.
    pub const ALL: [Pseudo; 8] = [
        Pseudo::AccountId,
        Pseudo::NotificationArns,
        Pseudo::NoValue,
        Pseudo::Partition,
        Pseudo::Region,
        Pseudo::StackId,
        Pseudo::StackName,
        Pseudo::UrlSuffix,
    ];

    /// The pseudo parameter `Ref` names `name` (`AWS::Region`), if it is one.
    pub fn from_name(name: &str) -> Option<Pseudo> {
        Pseudo::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The name used in `Ref`.
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
            Pseudo::NoValue => "AWS::NoValue",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::Region => "AWS::Region",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
        }
    }
}

/// An intrinsic function. Constructors with typed arguments live in [`crate::fns`].
#[derive(Debug, Clone, PartialEq)]
pub enum Intrinsic {
    /// `Ref`.
    Ref {
        /// What is referenced.
        target: Target,
        /// The referenced value is a list (matters across stacks).
        list: bool,
    },
    /// `Fn::GetAtt`.
    GetAtt {
        /// The resource.
        target: Target,
        /// The attribute name (`Arn`, `Endpoint.Address`, ...).
        attribute: String,
        /// The attribute's value is a list (matters across stacks).
        list: bool,
    },
    /// `Fn::Sub` with its variables.
    Sub {
        /// The template string with `${Name}` placeholders.
        template: String,
        /// Values of the placeholders that are not template names.
        variables: IndexMap<String, Value>,
    },
    /// `Fn::Join`.
    Join {
        /// Text between the values.
        delimiter: String,
        /// The list to join.
        values: Value,
    },
    /// `Fn::Select`.
    Select {
        /// Zero-based index.
        index: Value,
        /// The list to pick from.
        list: Value,
    },
    /// `Fn::Split`.
    Split {
        /// Where to split.
        delimiter: String,
        /// The string to split.
        source: Value,
    },
    /// `Fn::GetAZs`.
    GetAzs {
        /// The region; an empty string means the stack's region.
        region: Value,
    },
    /// `Fn::ImportValue`.
    ImportValue {
        /// The export name.
        name: Value,
    },
    /// `Fn::If` on a condition.
    If {
        /// The condition.
        condition: Target,
        /// Value when the condition holds.
        then: Value,
        /// Value otherwise.
        otherwise: Value,
    },
    /// `Fn::Equals` (a condition expression).
    Equals(Value, Value),
    /// `Fn::And` (a condition expression).
    And(Vec<Value>),
    /// `Fn::Or` (a condition expression).
    Or(Vec<Value>),
    /// `Fn::Not` (a condition expression).
    Not(Value),
    /// `Condition` (a reference to a named condition inside a condition expression).
    Condition(Target),
    /// `Fn::FindInMap`.
    FindInMap {
        /// The mapping.
        mapping: Target,
        /// First-level key.
        top_key: Value,
        /// Second-level key.
        second_key: Value,
    },
    /// `Fn::Base64`.
    Base64(Value),
    /// `Fn::Cidr`.
    Cidr {
        /// The block to divide.
        ip_block: Value,
        /// How many blocks.
        count: Value,
        /// Host bits per block.
        cidr_bits: Value,
    },
    /// Escape hatch for functions not modelled here: `{name: argument}`.
    Other {
        /// The function name, e.g. `Fn::Length`.
        name: String,
        /// Its argument.
        argument: Value,
    },
    /// A reference that asks for a specific cross-stack strategy if it crosses stacks.
    CrossStack {
        /// The reference.
        value: Value,
        /// How to carry it across stacks.
        strategy: CrossStackStrategy,
    },
    /// A literal that does not have the shape of the id kind it was converted into (a subnet id
    /// where a VPC id goes). Not a CloudFormation function: it is kept so that synthesis fails
    /// with the construct path and the property, instead of the conversion panicking.
    InvalidLiteral {
        /// The literal as written.
        literal: String,
        /// The kind it was meant to be (`VpcId`).
        kind: &'static str,
        /// The shape that kind expects, in words.
        expected: &'static str,
    },
}

impl Value {
    /// Wraps an intrinsic.
    pub fn func(intrinsic: Intrinsic) -> Value {
        Value::Fn(Box::new(intrinsic))
    }

    /// A string value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// Converts plain JSON (no intrinsics are recognised: keys such as `Ref` stay data).
    pub fn from_json(json: serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(a) => {
                Value::List(a.into_iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(o) => Value::Map(
                o.into_iter()
                    .map(|(k, v)| (k, Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Calls `f` on every node id this value references (recursively).
    pub fn for_each_node(&self, f: &mut dyn FnMut(NodeId)) {
        match self {
            Value::List(items) => items.iter().for_each(|v| v.for_each_node(f)),
            Value::Map(map) => map.values().for_each(|v| v.for_each_node(f)),
            Value::Fn(i) => i.for_each_node(f),
            _ => {}
        }
    }

    /// Whether this is `Ref: AWS::NoValue`, which removes the property it is the value of.
    pub fn is_no_value(&self) -> bool {
        matches!(self, Value::Fn(f) if matches!(
            **f,
            Intrinsic::Ref {
                target: Target::Pseudo(Pseudo::NoValue),
                ..
            }
        ))
    }

    /// The string, if this is a literal string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The map, if this is a literal map.
    pub fn as_map(&self) -> Option<&IndexMap<String, Value>> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Whether the value is (or contains) no intrinsic. A literal of the wrong shape for its
    /// id kind is still a literal (synthesis reports its shape instead).
    pub fn is_literal(&self) -> bool {
        match self {
            Value::List(items) => items.iter().all(Value::is_literal),
            Value::Map(map) => map.values().all(Value::is_literal),
            Value::Fn(f) => matches!(**f, Intrinsic::InvalidLiteral { .. }),
            _ => true,
        }
    }
}

impl Intrinsic {
    /// Calls `f` on each value directly inside this function (its arguments).
    pub(crate) fn for_each_value<'a>(&'a self, f: &mut dyn FnMut(&'a Value)) {
        match self {
            Intrinsic::Ref { .. }
            | Intrinsic::GetAtt { .. }
            | Intrinsic::Condition(_)
            | Intrinsic::InvalidLiteral { .. } => {}
            Intrinsic::Sub { variables, .. } => variables.values().for_each(f),
            Intrinsic::Join { values: x, .. }
            | Intrinsic::Split { source: x, .. }
            | Intrinsic::GetAzs { region: x }
            | Intrinsic::ImportValue { name: x }
            | Intrinsic::Not(x)
            | Intrinsic::Base64(x)
            | Intrinsic::Other { argument: x, .. }
            | Intrinsic::CrossStack { value: x, .. } => f(x),
            Intrinsic::Select { index, list } => {
                f(index);
                f(list)
            }
            Intrinsic::If {
                then, otherwise, ..
            } => {
                f(then);
                f(otherwise)
            }
            Intrinsic::Equals(a, b) => {
                f(a);
                f(b)
            }
            Intrinsic::And(v) | Intrinsic::Or(v) => v.iter().for_each(f),
            Intrinsic::FindInMap {
                top_key,
                second_key,
                ..
            } => {
                f(top_key);
                f(second_key)
            }
            Intrinsic::Cidr {
                ip_block,
                count,
                cidr_bits,
            } => {
                f(ip_block);
                f(count);
                f(cidr_bits)
            }
        }
    }

    fn for_each_node(&self, f: &mut dyn FnMut(NodeId)) {
        let target = |t: &Target, f: &mut dyn FnMut(NodeId)| {
            if let Target::Node(n) = t {
                f(*n)
            }
        };
        match self {
            Intrinsic::Ref { target: t, .. } | Intrinsic::GetAtt { target: t, .. } => target(t, f),
            Intrinsic::Condition(t) => target(t, f),
            Intrinsic::Sub { variables, .. } => variables.values().for_each(|v| v.for_each_node(f)),
            Intrinsic::Join { values, .. } => values.for_each_node(f),
            Intrinsic::Select { index, list } => {
                index.for_each_node(f);
                list.for_each_node(f)
            }
            Intrinsic::Split { source, .. } => source.for_each_node(f),
            Intrinsic::GetAzs { region } => region.for_each_node(f),
            Intrinsic::ImportValue { name } => name.for_each_node(f),
            Intrinsic::If {
                condition,
                then,
                otherwise,
            } => {
                target(condition, f);
                then.for_each_node(f);
                otherwise.for_each_node(f)
            }
            Intrinsic::Equals(a, b) => {
                a.for_each_node(f);
                b.for_each_node(f)
            }
            Intrinsic::And(v) | Intrinsic::Or(v) => v.iter().for_each(|x| x.for_each_node(f)),
            Intrinsic::Not(v) | Intrinsic::Base64(v) => v.for_each_node(f),
            Intrinsic::FindInMap {
                mapping,
                top_key,
                second_key,
            } => {
                target(mapping, f);
                top_key.for_each_node(f);
                second_key.for_each_node(f)
            }
            Intrinsic::Cidr {
                ip_block,
                count,
                cidr_bits,
            } => {
                ip_block.for_each_node(f);
                count.for_each_node(f);
                cidr_bits.for_each_node(f)
            }
            Intrinsic::Other { argument, .. } => argument.for_each_node(f),
            Intrinsic::CrossStack { value, .. } => value.for_each_node(f),
            Intrinsic::InvalidLiteral { .. } => {}
        }
    }
}

/// A [`Value`] of a known kind `K`: an API that takes `impl Into<Val<VpcId>>` accepts a VPC's
/// `ref_()`, a `Parameter<VpcId>`, an import of a VPC id or a literal, and refuses a subnet id at
/// compile time.
pub struct Val<K: ?Sized> {
    value: Value,
    kind: PhantomData<fn() -> K>,
}

impl<K: ?Sized> Val<K> {
    /// Tags an untyped value with kind `K`. The caller vouches for the kind.
    pub fn from_value_unchecked(value: Value) -> Self {
        Val {
            value,
            kind: PhantomData,
        }
    }

    /// The untyped value.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// Consumes the wrapper, returning the untyped value.
    pub fn into_value(self) -> Value {
        self.value
    }

    /// Reinterprets the value as another kind (for example a string that the user knows is an
    /// ARN). Explicit, so that it stands out in review.
    pub fn cast<L: ?Sized>(self) -> Val<L> {
        Val::from_value_unchecked(self.value)
    }

    /// Asks that, if this value references a node of another stack, the reference is carried
    /// with `strategy` rather than the app's default. A stack in another environment (account
    /// or region) sees neither exports nor SSM parameters: such a reference always becomes an
    /// output of the producer and a parameter of the consumer, whatever the strategy.
    pub fn cross_stack(self, strategy: CrossStackStrategy) -> Self {
        Val::from_value_unchecked(Value::func(Intrinsic::CrossStack {
            value: self.value,
            strategy,
        }))
    }

    /// `Ref: AWS::NoValue`: the property is removed where this is used (typically inside `Fn::If`).
    pub fn no_value() -> Self {
        Val::from_value_unchecked(Value::func(Intrinsic::Ref {
            target: Target::Pseudo(Pseudo::NoValue),
            list: false,
        }))
    }

    /// `Fn::ImportValue` of an export of this kind.
    pub fn import(export_name: impl Into<Val<String>>) -> Self {
        Val::from_value_unchecked(Value::func(Intrinsic::ImportValue {
            name: export_name.into().into_value(),
        }))
    }
}

impl<K: ?Sized> Clone for Val<K> {
    fn clone(&self) -> Self {
        Val::from_value_unchecked(self.value.clone())
    }
}

impl<K: ?Sized> PartialEq for Val<K> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<K: ?Sized> fmt::Debug for Val<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<K: ?Sized> From<Val<K>> for Value {
    fn from(v: Val<K>) -> Value {
        v.value
    }
}

/// Marker for generated property structs and enums: each is a kind of itself, so a setter can ask
/// for `impl Into<Val<ContainerDefinition>>` and accept the struct or an intrinsic of that kind.
pub trait Property: Into<Value> {}

impl<T: Property> From<T> for Val<T> {
    fn from(t: T) -> Val<T> {
        Val::from_value_unchecked(t.into())
    }
}

impl From<&str> for Val<String> {
    fn from(s: &str) -> Self {
        Val::from_value_unchecked(Value::str(s))
    }
}
impl From<String> for Val<String> {
    fn from(s: String) -> Self {
        Val::from_value_unchecked(Value::String(s))
    }
}
impl From<&String> for Val<String> {
    fn from(s: &String) -> Self {
        Val::from_value_unchecked(Value::str(s.clone()))
    }
}
impl<K: IdKind> From<Val<K>> for Val<String> {
    fn from(v: Val<K>) -> Self {
        v.cast()
    }
}
impl<K: IdKind> Val<K> {
    /// A literal of kind `K`, checked against the kind's shape ([`IdKind::SHAPE`]). A literal of
    /// the wrong shape does not panic: it is recorded, and synthesis fails naming the construct
    /// path, the property and the shape expected. To pass a literal the check refuses on
    /// purpose, convert a plain string: `Val::<String>::from(text).cast::<K>()`.
    pub fn literal(text: impl Into<String>) -> Self {
        let literal = text.into();
        if K::SHAPE.matches(&literal) {
            Val::from_value_unchecked(Value::String(literal))
        } else {
            Val::from_value_unchecked(Value::func(Intrinsic::InvalidLiteral {
                literal,
                kind: K::NAME,
                expected: K::EXPECTED,
            }))
        }
    }
}
impl<K: IdKind> From<&str> for Val<K> {
    fn from(s: &str) -> Self {
        Val::literal(s)
    }
}
impl<K: IdKind> From<String> for Val<K> {
    fn from(s: String) -> Self {
        Val::literal(s)
    }
}

macro_rules! number_from {
    ($kind:ty: $($t:ty),*) => {$(
        impl From<$t> for Val<$kind> {
            fn from(n: $t) -> Self {
                Val::from_value_unchecked(Value::Number(serde_json::Number::from(n)))
            }
        }
    )*};
}
number_from!(i64: i32, i64, u8, u16, u32);

impl From<usize> for Val<i64> {
    fn from(n: usize) -> Self {
        Val::from_value_unchecked(Value::Number(serde_json::Number::from(n as u64)))
    }
}
impl From<f64> for Val<f64> {
    fn from(n: f64) -> Self {
        let number = serde_json::Number::from_f64(n).unwrap_or_else(|| serde_json::Number::from(0));
        Val::from_value_unchecked(Value::Number(number))
    }
}
impl From<i32> for Val<f64> {
    fn from(n: i32) -> Self {
        Val::from_value_unchecked(Value::Number(serde_json::Number::from(n)))
    }
}
impl From<Val<i64>> for Val<f64> {
    fn from(v: Val<i64>) -> Self {
        v.cast()
    }
}
impl From<bool> for Val<bool> {
    fn from(b: bool) -> Self {
        Val::from_value_unchecked(Value::Bool(b))
    }
}
impl From<serde_json::Value> for Val<Json> {
    fn from(j: serde_json::Value) -> Self {
        Val::from_value_unchecked(Value::from_json(j))
    }
}
impl From<Value> for Val<Json> {
    fn from(v: Value) -> Self {
        Val::from_value_unchecked(v)
    }
}

impl<K: ?Sized, T: Into<Val<K>>> From<Vec<T>> for Val<List<K>> {
    fn from(items: Vec<T>) -> Self {
        Val::from_value_unchecked(Value::List(
            items.into_iter().map(|t| t.into().into_value()).collect(),
        ))
    }
}
impl<K: ?Sized, T: Into<Val<K>>, const N: usize> From<[T; N]> for Val<List<K>> {
    fn from(items: [T; N]) -> Self {
        Val::from_value_unchecked(Value::List(
            items.into_iter().map(|t| t.into().into_value()).collect(),
        ))
    }
}
impl<K: IdKind> From<Val<List<K>>> for Val<List<String>> {
    fn from(v: Val<List<K>>) -> Self {
        v.cast()
    }
}

impl<K: ?Sized, S: Into<String>, T: Into<Val<K>>> From<IndexMap<S, T>> for Val<Map<K>> {
    fn from(items: IndexMap<S, T>) -> Self {
        Val::from_value_unchecked(Value::Map(
            items
                .into_iter()
                .map(|(k, v)| (k.into(), v.into().into_value()))
                .collect(),
        ))
    }
}
impl<K: ?Sized, S: Into<String>, T: Into<Val<K>>> From<BTreeMap<S, T>> for Val<Map<K>> {
    fn from(items: BTreeMap<S, T>) -> Self {
        Val::from_value_unchecked(Value::Map(
            items
                .into_iter()
                .map(|(k, v)| (k.into(), v.into().into_value()))
                .collect(),
        ))
    }
}
impl<K: ?Sized, S: Into<String>, T: Into<Val<K>>> From<Vec<(S, T)>> for Val<Map<K>> {
    fn from(items: Vec<(S, T)>) -> Self {
        Val::from_value_unchecked(Value::Map(
            items
                .into_iter()
                .map(|(k, v)| (k.into(), v.into().into_value()))
                .collect(),
        ))
    }
}
impl<K: ?Sized, S: Into<String>, T: Into<Val<K>>, const N: usize> From<[(S, T); N]>
    for Val<Map<K>>
{
    fn from(items: [(S, T); N]) -> Self {
        Val::from_value_unchecked(Value::Map(
            items
                .into_iter()
                .map(|(k, v)| (k.into(), v.into().into_value()))
                .collect(),
        ))
    }
}

/// An ordered set of properties: the body of a resource's `Properties` or of a nested property
/// struct. Setting a name twice keeps its first position and the last value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Props(IndexMap<String, Value>);

impl Props {
    /// An empty set.
    pub fn new() -> Props {
        Props::default()
    }

    /// Sets `name` to `value`. A plain `Ref: AWS::NoValue` ([`Val::no_value`]) removes the
    /// property instead: CloudFormation reads both the same, and the template stays clean; this
    /// is how the typed setters unset a property.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        let value = value.into();
        if value.is_no_value() {
            self.0.shift_remove(&name.into());
        } else {
            self.0.insert(name.into(), value);
        }
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// Mutable access to the value of `name`, if set.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.0.get_mut(name)
    }

    /// Removes `name`, keeping the order of the others.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.0.shift_remove(name)
    }

    /// The properties in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter()
    }

    /// Whether no property is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The underlying map.
    pub fn as_map(&self) -> &IndexMap<String, Value> {
        &self.0
    }

    /// Properties exactly as given, `Ref: AWS::NoValue` entries included: how an included
    /// template's properties are kept as written.
    pub fn from_map(map: IndexMap<String, Value>) -> Props {
        Props(map)
    }
}

impl From<Props> for Value {
    fn from(p: Props) -> Value {
        Value::Map(p.0)
    }
}
