//! Core of the Rust CDK: template model, values and intrinsic functions, typed references,
//! construct tree, logical ids, synthesis, validation and the app's command line.

#![warn(missing_docs)]

pub mod app;
pub mod aspect;
pub mod assertions;
pub mod asset;
pub mod bootstrap;
pub mod cargo;
pub mod cli;
pub mod cloud_assembly;
pub mod construct;
pub mod context;
pub mod element;
pub mod error;
pub mod fns;
pub mod image;
pub mod kind;
pub mod node;
pub mod params;
pub mod resource;
pub mod stack;
pub mod suppression;
pub mod synth;
pub mod tag;
pub mod template;
pub mod value;

pub use app::App;
pub use aspect::{for_cfn_type, for_type, Aspect, AspectContext, AspectNode, Tags};
pub use construct::{
    Annotation, Child, ChildId, ChildMut, Construct, ConstructField, CostItem, Group, Level, Price,
    StackSingleton,
};
pub use element::{Element, ElementMut};
pub use error::{SynthError, SynthErrors};
pub use kind::{Cond, IdKind, Json, List, Map};
pub use node::NodeId;
pub use params::{Condition, Mapping, Output, Parameter, ParameterKind};
pub use resource::{
    Attributes, HasNode, RawResource, RemovalPolicy, Resource, ResourceCore, TagFormat,
};
pub use stack::Stack;
pub use suppression::Scanner;
pub use synth::{Assembly, Format, StackArtifact, SynthOptions};
pub use tag::{tag_subtree, Tag};
pub use value::{CrossStackStrategy, Intrinsic, Property, Props, Pseudo, Target, Val, Value};
