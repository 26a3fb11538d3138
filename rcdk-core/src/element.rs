//! The template elements a construct-tree node can be: the leaves that synthesis turns into
//! entries of a template section.

use crate::asset::FileAssetDef;
use crate::image::ImageAssetDef;
use crate::node::NodeId;
use crate::params::{ConditionDef, MappingDef, OutputDef, ParameterDef};
use crate::resource::ResourceCore;

/// A template element, borrowed.
#[derive(Debug, Clone, Copy)]
pub enum Element<'a> {
    /// An entry of `Resources`.
    Resource(&'a ResourceCore),
    /// An entry of `Parameters`.
    Parameter(&'a ParameterDef),
    /// An entry of `Conditions`.
    Condition(&'a ConditionDef),
    /// An entry of `Mappings`.
    Mapping(&'a MappingDef),
    /// An entry of `Outputs`.
    Output(&'a OutputDef),
    /// A file asset: no template entry, listed in the stack's asset manifest.
    FileAsset(&'a FileAssetDef),
    /// A container-image asset: no template entry, listed in the stack's asset manifest.
    ImageAsset(&'a ImageAssetDef),
}

/// A template element, mutably borrowed (for aspects).
#[derive(Debug)]
pub enum ElementMut<'a> {
    /// An entry of `Resources`.
    Resource(&'a mut ResourceCore),
    /// An entry of `Parameters`.
    Parameter(&'a mut ParameterDef),
    /// An entry of `Conditions`.
    Condition(&'a mut ConditionDef),
    /// An entry of `Mappings`.
    Mapping(&'a mut MappingDef),
    /// An entry of `Outputs`.
    Output(&'a mut OutputDef),
    /// A file asset.
    FileAsset(&'a mut FileAssetDef),
    /// A container-image asset.
    ImageAsset(&'a mut ImageAssetDef),
}

impl Element<'_> {
    /// The node id of the element.
    pub fn node(&self) -> NodeId {
        match self {
            Element::Resource(r) => r.node(),
            Element::Parameter(p) => p.node,
            Element::Condition(c) => c.node,
            Element::Mapping(m) => m.node,
            Element::Output(o) => o.node,
            Element::FileAsset(a) => a.node,
            Element::ImageAsset(a) => a.node,
        }
    }

    /// The logical id the user forced, if any.
    pub fn logical_id_override(&self) -> Option<&str> {
        match self {
            Element::Resource(r) => r.logical_id_override(),
            Element::Parameter(p) => p.logical_id.as_deref(),
            Element::Condition(c) => c.logical_id.as_deref(),
            Element::Mapping(m) => m.logical_id.as_deref(),
            Element::Output(o) => o.logical_id.as_deref(),
            Element::FileAsset(_) | Element::ImageAsset(_) => None,
        }
    }

    /// Name of the template section the element goes into (`Assets` for file and image assets, which go
    /// into the asset manifest instead).
    pub fn section(&self) -> &'static str {
        match self {
            Element::Resource(_) => "Resources",
            Element::Parameter(_) => "Parameters",
            Element::Condition(_) => "Conditions",
            Element::Mapping(_) => "Mappings",
            Element::Output(_) => "Outputs",
            Element::FileAsset(_) | Element::ImageAsset(_) => "Assets",
        }
    }
}
