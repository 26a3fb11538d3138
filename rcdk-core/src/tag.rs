//! Tags: the shared `{Key, Value}` property type, and tagging of whole subtrees.

use crate::construct::Construct;
use crate::element::ElementMut;
use crate::resource::TagFormat;
use crate::value::{Property, Props, Val, Value};

/// A `{Key, Value}` tag, the property type every taggable resource shares.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    props: Props,
}

impl Tag {
    /// A tag.
    pub fn new(key: impl Into<Val<String>>, value: impl Into<Val<String>>) -> Tag {
        let mut props = Props::new();
        props.set("Key", key.into());
        props.set("Value", value.into());
        Tag { props }
    }
}

impl From<Tag> for Value {
    fn from(t: Tag) -> Value {
        t.props.into()
    }
}

impl Property for Tag {}

/// Adds tag `key = value` to every taggable resource in `construct`'s subtree (resources whose
/// type has no tags are left alone). A tag the resource already has with the same key is
/// replaced. Returns how many resources were tagged.
///
/// The value is a literal or any string-valued function (a parameter's `ref_()`, `fns::sub`,
/// ...): resource tags are properties, which CloudFormation evaluates.
pub fn tag_subtree(
    construct: &mut dyn Construct,
    key: &str,
    value: impl Into<Val<String>>,
) -> usize {
    tag_value(construct, key, &value.into().into_value())
}

pub(crate) fn tag_value(construct: &mut dyn Construct, key: &str, value: &Value) -> usize {
    let mut count = 0;
    if let Some(ElementMut::Resource(core)) = construct.element_mut() {
        let format = core.tag_format();
        if format != TagFormat::None {
            apply(&mut core.props, format, key, value);
            count += 1;
        }
    }
    for child in construct.children_mut() {
        count += tag_value(child.node, key, value);
    }
    count
}

fn apply(props: &mut Props, format: TagFormat, key: &str, value: &Value) {
    match format {
        TagFormat::List => {
            let mut tags = match props.remove("Tags") {
                Some(Value::List(items)) => items,
                Some(other) => vec![other],
                None => Vec::new(),
            };
            tags.retain(|t| {
                t.as_map()
                    .and_then(|m| m.get("Key"))
                    .and_then(Value::as_str)
                    != Some(key)
            });
            tags.push(Tag::new(key, Val::<String>::from_value_unchecked(value.clone())).into());
            props.set("Tags", Value::List(tags));
        }
        TagFormat::Map => {
            let mut tags = match props.remove("Tags") {
                Some(Value::Map(m)) => m,
                _ => Default::default(),
            };
            tags.insert(key.to_string(), value.clone());
            props.set("Tags", Value::Map(tags));
        }
        TagFormat::None => {}
    }
}
