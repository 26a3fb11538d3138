//! Parsing of `#[construct(...)]` attributes on the struct and on its fields.

use proc_macro2::Span;
use syn::{Attribute, LitStr, Path};

/// Name of the helper attribute.
pub const CONSTRUCT: &str = "construct";
/// Field: the child's id.
pub const ID: &str = "id";
/// Field: not a child.
pub const SKIP: &str = "skip";
/// Struct: the type shown in the tree and graph.
pub const TYPE_NAME: &str = "type_name";
/// Struct: path of the core crate.
pub const CRATE: &str = "crate";
/// Struct: function giving the construct's annotations.
pub const ANNOTATIONS: &str = "annotations";
/// Struct: function giving the construct's fixed costs.
pub const COSTS: &str = "costs";

/// Collects every error found, so that one compilation shows them all.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds an error.
    pub fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    /// Adds an error at `span`.
    pub fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// The errors as one, if any.
    pub fn into_error(self) -> Option<syn::Error> {
        self.0
    }
}

/// Attributes of the struct.
#[derive(Default)]
pub struct Container {
    /// `type_name = "..."`.
    pub type_name: Option<LitStr>,
    /// `crate = "..."`.
    pub krate: Option<Path>,
    /// `annotations = "..."`: a function `fn(&Self) -> Vec<Annotation>`.
    pub annotations: Option<Path>,
    /// `costs = "..."`: a function `fn(&Self) -> Vec<CostItem>`.
    pub costs: Option<Path>,
}

/// Attributes of one field.
#[derive(Default)]
pub struct Field {
    /// `id = "..."`.
    pub id: Option<LitStr>,
    /// Where `skip` was written.
    pub skip: Option<Span>,
}

fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    meta: &syn::meta::ParseNestedMeta<'_>,
    name: &str,
) -> syn::Result<()> {
    if slot.is_some() {
        return Err(meta.error(format!("`{name}` is given twice; keep one")));
    }
    *slot = Some(value);
    Ok(())
}

/// A path given as a string literal, as serde does (`crate = "rcdk::core"`).
fn path_value(meta: &syn::meta::ParseNestedMeta<'_>, example: &str) -> syn::Result<Path> {
    let lit: LitStr = meta.value()?.parse()?;
    lit.parse().map_err(|_| {
        syn::Error::new(
            lit.span(),
            format!("expected a path in a string, e.g. {example}"),
        )
    })
}

/// Records a problem with one entry of an attribute and skips its value, so that the entries
/// after it are still checked.
fn recover(
    result: syn::Result<()>,
    meta: &syn::meta::ParseNestedMeta<'_>,
    errors: &mut Errors,
) -> syn::Result<()> {
    if let Err(e) = result {
        errors.push(e);
        if meta.input.peek(syn::Token![=]) {
            let _: syn::Expr = meta.value()?.parse()?;
        }
    }
    Ok(())
}

/// Parses the struct's `#[construct(...)]` attributes.
pub fn container(attrs: &[Attribute], errors: &mut Errors) -> Container {
    let mut c = Container::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident(CONSTRUCT)) {
        let r = attr.parse_nested_meta(|meta| {
            let mut one = || -> syn::Result<()> {
            if meta.path.is_ident(TYPE_NAME) {
                let lit: LitStr = meta.value()?.parse()?;
                if lit.value().trim().is_empty() {
                    return Err(syn::Error::new(lit.span(), "`type_name` must not be empty"));
                }
                set_once(&mut c.type_name, lit, &meta, TYPE_NAME)
            } else if meta.path.is_ident(CRATE) {
                let path = path_value(&meta, "\"rcdk::core\"")?;
                set_once(&mut c.krate, path, &meta, CRATE)
            } else if meta.path.is_ident(ANNOTATIONS) {
                let path = path_value(&meta, "\"Self::check\"")?;
                set_once(&mut c.annotations, path, &meta, ANNOTATIONS)
            } else if meta.path.is_ident(COSTS) {
                let path = path_value(&meta, "\"Self::costs\"")?;
                set_once(&mut c.costs, path, &meta, COSTS)
            } else if meta.path.is_ident(ID) || meta.path.is_ident(SKIP) {
                Err(meta.error(format!(
                    "`{}` belongs on a field, not on the struct",
                    meta.path.get_ident().map(ToString::to_string).unwrap_or_default()
                )))
            } else {
                Err(meta.error(format!(
                    "unknown struct attribute; expected `{TYPE_NAME}`, `{CRATE}`, `{ANNOTATIONS}` or `{COSTS}` (each `= \"...\"`)"
                )))
            }
            };
            recover(one(), &meta, errors)
        });
        if let Err(e) = r {
            errors.push(e);
        }
    }
    c
}

/// Parses one field's `#[construct(...)]` attributes.
pub fn field(attrs: &[Attribute], errors: &mut Errors) -> Field {
    let mut f = Field::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident(CONSTRUCT)) {
        let r = attr.parse_nested_meta(|meta| {
            let mut one = || -> syn::Result<()> {
                if meta.path.is_ident(ID) {
                    let lit: LitStr = meta.value()?.parse()?;
                    set_once(&mut f.id, lit, &meta, ID)
                } else if meta.path.is_ident(SKIP) {
                    set_once(
                        &mut f.skip,
                        meta.path
                            .get_ident()
                            .map_or(Span::call_site(), syn::Ident::span),
                        &meta,
                        SKIP,
                    )
                } else if [TYPE_NAME, CRATE, ANNOTATIONS, COSTS]
                    .iter()
                    .any(|name| meta.path.is_ident(name))
                {
                    Err(meta.error("this attribute belongs on the struct, not on a field"))
                } else {
                    Err(meta.error(format!(
                        "unknown field attribute; expected `{ID} = \"...\"` or `{SKIP}`"
                    )))
                }
            };
            recover(one(), &meta, errors)
        });
        if let Err(e) = r {
            errors.push(e);
        }
    }
    f
}
