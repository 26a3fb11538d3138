//! Validation: turns the parsed input into the list of children, reporting every problem at the
//! span of the offending struct, field or attribute.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Member, Path, Type};

use crate::attr::{self, Errors, CONSTRUCT, ID, SKIP};

/// A child field, validated.
pub struct Child<'a> {
    /// How the field is accessed (`self.name` or `self.0`).
    pub member: Member,
    /// Its type.
    pub ty: &'a Type,
    /// The child id (for a `Vec`, the prefix of the items' ids).
    pub id: String,
}

/// What the impl is generated from.
pub struct Model<'a> {
    /// The construct type shown in listings.
    pub type_name: String,
    /// The core crate path given by the user, if any.
    pub krate: Option<Path>,
    /// Function giving the annotations, if any.
    pub annotations: Option<Path>,
    /// Function giving the costs, if any.
    pub costs: Option<Path>,
    /// The children, in field order.
    pub children: Vec<Child<'a>>,
}

/// The rule for explicit ids: what synthesis accepts, minus characters that make logical ids
/// and paths hard to read. Returns what is wrong, if anything.
pub fn id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("a construct id must not be empty".into());
    }
    if id.contains('/') {
        return Some(format!(
            "invalid construct id `{id}`: `/` separates path components; use letters, digits, `-` and `_`"
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Some(format!(
            "invalid construct id `{id}`: {c:?} is not allowed; use ASCII letters, digits, `-` and `_`"
        ));
    }
    None
}

/// `jobs_queue` -> `JobsQueue`, `r#type` -> `Type`.
pub fn pascal_case(field: &str) -> String {
    let field = field.strip_prefix("r#").unwrap_or(field);
    let mut out = String::with_capacity(field.len());
    for part in field.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// Validates `input`, pushing every problem into `errors`.
pub fn model<'a>(input: &'a DeriveInput, errors: &mut Errors) -> Model<'a> {
    let container = attr::container(&input.attrs, errors);
    let type_name = container
        .type_name
        .as_ref()
        .map_or_else(|| input.ident.to_string(), syn::LitStr::value);
    let mut model = Model {
        type_name,
        krate: container.krate,
        annotations: container.annotations,
        costs: container.costs,
        children: Vec::new(),
    };
    let fields = match &input.data {
        Data::Struct(s) => &s.fields,
        Data::Enum(e) => {
            errors.at(
                e.enum_token.span,
                "#[derive(Construct)] works on structs only: a construct is a struct whose fields are its children; use a struct (an `Option` field holds a child that may be absent)",
            );
            return model;
        }
        Data::Union(u) => {
            errors.at(
                u.union_token.span,
                "#[derive(Construct)] works on structs only: a construct is a struct whose fields are its children; use a struct",
            );
            return model;
        }
    };
    let tuple = matches!(fields, Fields::Unnamed(_));
    // id -> name of the field that has it, to name the first one in duplicate errors.
    let mut seen: Vec<(String, String)> = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        let attrs = attr::field(&field.attrs, errors);
        let name = field
            .ident
            .as_ref()
            .map_or_else(|| index.to_string(), ToString::to_string);
        if let (Some(_), Some(id)) = (attrs.skip, &attrs.id) {
            errors.at(
                id.span(),
                format!("a skipped field is not a child and has no id; remove `{SKIP}` or `{ID}`"),
            );
            continue;
        }
        if attrs.skip.is_some() {
            continue;
        }
        let (id, span): (String, Span) = match (&attrs.id, &field.ident) {
            (Some(lit), _) => {
                if let Some(problem) = id_problem(&lit.value()) {
                    errors.at(lit.span(), problem);
                    continue;
                }
                (lit.value(), lit.span())
            }
            (None, Some(ident)) => (pascal_case(&ident.to_string()), ident.span()),
            (None, None) => {
                debug_assert!(tuple);
                errors.at(
                    field.span(),
                    format!("a field of a tuple struct has no name to take its id from: add `#[{CONSTRUCT}({ID} = \"...\")]`, or `#[{CONSTRUCT}({SKIP})]` if it is not a construct"),
                );
                continue;
            }
        };
        if let Some((_, first)) = seen.iter().find(|(seen_id, _)| *seen_id == id) {
            errors.at(
                span,
                format!("duplicate construct id `{id}`: field `{first}` has it already; give this field another id with `#[{CONSTRUCT}({ID} = \"...\")]`"),
            );
            continue;
        }
        seen.push((id.clone(), name));
        let member = match &field.ident {
            Some(ident) => Member::Named(ident.clone()),
            None => Member::Unnamed(syn::Index {
                index: index as u32,
                span: field.ty.span(),
            }),
        };
        model.children.push(Child {
            member,
            ty: &field.ty,
            id,
        });
    }
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_of_field_names() {
        assert_eq!(pascal_case("jobs_queue"), "JobsQueue");
        assert_eq!(pascal_case("queue"), "Queue");
        assert_eq!(pascal_case("r#type"), "Type");
        assert_eq!(pascal_case("_private__x"), "PrivateX");
        assert_eq!(pascal_case("queue_2"), "Queue2");
        assert_eq!(pascal_case("alreadyCamel"), "AlreadyCamel");
    }

    #[test]
    fn id_rule() {
        assert!(id_problem("Queue").is_none());
        assert!(id_problem("queue-1_b").is_none());
        assert!(id_problem("").unwrap().contains("empty"));
        assert!(id_problem("a/b").unwrap().contains("`/`"));
        assert!(id_problem("a b").unwrap().contains("' '"));
        assert!(id_problem("Ünï").unwrap().contains("'Ü'"));
    }
}
