//! From a read template to the constructs of a [`CfnInclude`]: one element per entry, with its
//! logical id forced, and every reference by name turned into a reference to the element's node,
//! so that renames, new references and cross-stack references work as for any construct.

use std::collections::HashMap;

use rcdk_core::template::{map_targets, TemplateDoc, Use};
use rcdk_core::{
    Condition, Construct, ElementMut, Mapping, NodeId, Output, Parameter, Props, RawResource,
    Target, Val, Value,
};

use super::{entry, CfnInclude, Entry, Section};

/// Names of the template's elements, by what can reference them.
#[derive(Default)]
struct Names {
    refs: HashMap<String, NodeId>,
    conditions: HashMap<String, NodeId>,
    mappings: HashMap<String, NodeId>,
}

impl Names {
    fn bind(&self, v: &Value) -> Value {
        map_targets(v, &mut |use_, t| {
            let Target::Name(name) = t else {
                return t.clone();
            };
            let table = match use_ {
                Use::Ref | Use::GetAtt => &self.refs,
                Use::Condition => &self.conditions,
                Use::Mapping => &self.mappings,
            };
            table
                .get(name)
                .map_or_else(|| t.clone(), |n| Target::Node(*n))
        })
    }
}

fn node_of(c: &mut dyn Construct) -> NodeId {
    c.element().map_or_else(NodeId::fresh, |e| e.node())
}

pub(super) fn include(doc: &TemplateDoc) -> CfnInclude {
    let mut names = Names::default();
    let mut entries: Vec<Entry> = Vec::new();
    // Parameters, mappings and conditions first: their nodes are known before the values that
    // reference them are bound.
    for (id, p) in &doc.parameters {
        let mut param = Parameter::<String>::new();
        if let Some(ElementMut::Parameter(def)) = param.element_mut() {
            def.logical_id = Some(id.clone());
            def.type_name = p.type_name.clone();
            def.list = p.type_name.starts_with("List<") || p.type_name == "CommaDelimitedList";
            def.default = p.default.clone();
            def.description = p.description.clone();
            def.allowed_values = p.allowed_values.clone();
            def.allowed_pattern = p.allowed_pattern.clone();
            def.constraint_description = p.constraint_description.clone();
            def.length = p.length;
            def.value_range = p.value_range;
            def.no_echo = p.no_echo;
        }
        let mut b: Box<dyn Construct> = Box::new(param);
        names.refs.insert(id.clone(), node_of(b.as_mut()));
        entries.push(entry(id, Section::Parameter, b));
    }
    for (id, m) in &doc.mappings {
        let mut mapping = Mapping::new().logical_id(id.clone());
        if let Some(ElementMut::Mapping(def)) = mapping.element_mut() {
            def.entries = m.clone();
        }
        let mut b: Box<dyn Construct> = Box::new(mapping);
        names.mappings.insert(id.clone(), node_of(b.as_mut()));
        entries.push(entry(id, Section::Mapping, b));
    }
    let first_condition = entries.len();
    for id in doc.conditions.keys() {
        let mut b: Box<dyn Construct> =
            Box::new(Condition::new(Val::from_value_unchecked(Value::Null)).logical_id(id.clone()));
        names.conditions.insert(id.clone(), node_of(b.as_mut()));
        entries.push(entry(id, Section::Condition, b));
    }
    let first_resource = entries.len();
    for (id, r) in &doc.resources {
        let mut b = rcdk_constructs_cfn_empty(&r.type_name);
        names.refs.insert(id.clone(), node_of(b.as_mut()));
        entries.push(entry(id, Section::Resource, b));
    }
    // Now every name has a node: fill the values.
    for (e, expr) in entries[first_condition..first_resource]
        .iter_mut()
        .zip(doc.conditions.values())
    {
        if let Some(ElementMut::Condition(def)) = e.construct.element_mut() {
            def.expression = names.bind(expr);
        }
    }
    for (e, r) in entries[first_resource..]
        .iter_mut()
        .zip(doc.resources.values())
    {
        let Some(ElementMut::Resource(core)) = e.construct.element_mut() else {
            continue;
        };
        core.set_logical_id(e.id.clone());
        core.props = Props::from_map(
            r.properties
                .iter()
                .map(|(k, v)| (k.clone(), names.bind(v)))
                .collect(),
        );
        let a = &mut core.attributes;
        let mut unknown_dependency = false;
        for d in &r.depends_on {
            match names.refs.get(d) {
                Some(n) => a.depends_on.push(*n),
                None => unknown_dependency = true,
            }
        }
        a.condition = r.condition.as_ref().map(|c| {
            names
                .conditions
                .get(c)
                .map_or_else(|| Target::Name(c.clone()), |n| Target::Node(*n))
        });
        a.deletion_policy = r.deletion_policy;
        a.update_replace_policy = r.update_replace_policy;
        a.creation_policy = r.creation_policy.as_ref().map(|v| names.bind(v));
        a.update_policy = r.update_policy.as_ref().map(|v| names.bind(v));
        a.metadata = r
            .metadata
            .iter()
            .map(|(k, v)| (k.clone(), names.bind(v)))
            .collect();
        for (k, v) in &r.policy_functions {
            core.add_override(k.clone(), names.bind(v));
        }
        if unknown_dependency {
            // A name only a transform declares has no node: the list is kept as written.
            core.add_override(
                "DependsOn",
                Value::List(r.depends_on.iter().cloned().map(Value::String).collect()),
            );
        }
    }
    for (id, o) in &doc.outputs {
        let mut out = Output::new(names.bind(&o.value)).logical_id(id.clone());
        if let Some(ElementMut::Output(def)) = out.element_mut() {
            def.description = o.description.clone();
            def.export_name = o.export_name.as_ref().map(|v| names.bind(v));
            def.condition = o.condition.as_ref().map(|c| {
                names
                    .conditions
                    .get(c)
                    .map_or_else(|| Target::Name(c.clone()), |n| Target::Node(*n))
            });
        }
        entries.push(entry(id, Section::Output, Box::new(out)));
    }
    let index = entries
        .iter()
        .enumerate()
        .map(|(i, e)| ((e.section, e.id.clone()), i))
        .collect();
    CfnInclude {
        entries,
        index,
        description: doc.description.clone(),
        metadata: doc
            .metadata
            .iter()
            .map(|(k, v)| (k.clone(), rcdk_core::synth::format::to_json(v)))
            .collect(),
        transforms: doc.transforms.clone(),
        sections: doc
            .other_sections
            .iter()
            .map(|(k, v)| (k.clone(), rcdk_core::synth::format::to_json(v)))
            .collect(),
    }
}

/// The typed resource of `type_name`, or an untyped one for types the enabled features do not
/// generate (custom resources, registry types, disabled services).
fn rcdk_constructs_cfn_empty(type_name: &str) -> Box<dyn Construct> {
    crate::cfn::empty_resource(type_name)
        .unwrap_or_else(|| Box::new(RawResource::untaggable(type_name.to_string())))
}
