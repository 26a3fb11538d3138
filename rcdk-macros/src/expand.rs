//! Code generation: the `Construct` impl, or on error a stub impl plus the errors.

use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{DeriveInput, GenericParam, Ident, Path, Type};

use crate::attr::Errors;
use crate::check::{self, Model};

/// The core crate path used when the struct does not name one.
#[derive(Clone, Copy)]
pub enum DefaultCrate {
    /// `::rcdk_core`, for crates that depend on the core directly.
    CdkCore,
    /// `::rcdk::core`, for users of the facade crate.
    Facade,
}

impl DefaultCrate {
    fn path(self) -> Path {
        match self {
            DefaultCrate::CdkCore => syn::parse_quote!(::rcdk_core),
            DefaultCrate::Facade => syn::parse_quote!(::rcdk::core),
        }
    }
}

/// Expands `#[derive(Construct)]` on `input`.
pub fn derive(input: &DeriveInput, default: DefaultCrate) -> TokenStream {
    let mut errors = Errors::default();
    let model = check::model(input, &mut errors);
    let krate = model.krate.clone().unwrap_or_else(|| default.path());
    match errors.into_error() {
        Some(e) => {
            // A stub impl keeps uses of the type from failing with "not a construct" on top of
            // the real errors.
            let stub = implementation(input, &krate, &model.type_name, TokenStream::new(), &[]);
            let errors = e.to_compile_error();
            quote!(#stub #errors)
        }
        None => {
            let mut methods = children_methods(&model, &krate);
            methods.extend(hook_methods(&model, &krate));
            let bounded: Vec<&Type> = model
                .children
                .iter()
                .map(|c| c.ty)
                .filter(|ty| mentions_type_param(ty, input))
                .collect();
            implementation(input, &krate, &model.type_name, methods, &bounded)
        }
    }
}

fn implementation(
    input: &DeriveInput,
    krate: &Path,
    type_name: &str,
    methods: TokenStream,
    bounded: &[&Type],
) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let mut predicates: Vec<TokenStream> = where_clause
        .map(|w| w.predicates.iter().map(ToTokens::to_token_stream).collect())
        .unwrap_or_default();
    // Fields whose type depends on a type parameter are children only for parameters that make
    // them constructs; other fields are checked where they are used, at their own span.
    for ty in bounded {
        predicates.push(quote_spanned!(ty.span()=> #ty: #krate::ConstructField));
    }
    let where_clause = if predicates.is_empty() {
        TokenStream::new()
    } else {
        quote!(where #(#predicates),*)
    };
    // `Any` needs `'static`, which a generic struct does not promise for every instantiation:
    // only structs without generics can be selected by type in aspects.
    let any_methods = if input.generics.params.is_empty() {
        quote! {
            fn as_any(&self) -> ::std::option::Option<&dyn ::std::any::Any> {
                ::std::option::Option::Some(self)
            }
            fn as_any_mut(&mut self) -> ::std::option::Option<&mut dyn ::std::any::Any> {
                ::std::option::Option::Some(self)
            }
        }
    } else {
        TokenStream::new()
    };
    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::Construct for #ident #ty_generics #where_clause {
            fn construct_type(&self) -> &str {
                #type_name
            }
            #methods
            #any_methods
        }
    }
}

fn children_methods(model: &Model<'_>, krate: &Path) -> TokenStream {
    if model.children.is_empty() {
        return TokenStream::new();
    }
    let mut shared = Vec::new();
    let mut exclusive = Vec::new();
    for child in &model.children {
        let ty = child.ty;
        let member = &child.member;
        let id = &child.id;
        // Spanned at the field's type: a type that is not a construct is reported there, with
        // the message of `ConstructField`'s `on_unimplemented`.
        let push = quote_spanned!(ty.span()=> <#ty as #krate::ConstructField>::push_children);
        let push_mut =
            quote_spanned!(ty.span()=> <#ty as #krate::ConstructField>::push_children_mut);
        shared.push(quote!(#push(&self.#member, #id, &mut out);));
        exclusive.push(quote!(#push_mut(&mut self.#member, #id, &mut out);));
    }
    quote! {
        fn children(&self) -> ::std::vec::Vec<#krate::Child<'_>> {
            let mut out = ::std::vec::Vec::new();
            #(#shared)*
            out
        }
        fn children_mut(&mut self) -> ::std::vec::Vec<#krate::ChildMut<'_>> {
            let mut out = ::std::vec::Vec::new();
            #(#exclusive)*
            out
        }
    }
}

/// `annotations` and `costs`, delegating to the functions the attributes name.
fn hook_methods(model: &Model<'_>, krate: &Path) -> TokenStream {
    let mut out = TokenStream::new();
    if let Some(f) = &model.annotations {
        let call = quote_spanned!(f.span()=> #f(self));
        out.extend(quote! {
            fn annotations(&self) -> ::std::vec::Vec<#krate::Annotation> {
                #call
            }
        });
    }
    if let Some(f) = &model.costs {
        let call = quote_spanned!(f.span()=> #f(self));
        out.extend(quote! {
            fn costs(&self) -> ::std::vec::Vec<#krate::CostItem> {
                #call
            }
        });
    }
    out
}

/// Whether `ty` names one of the struct's type parameters (then the impl needs a bound).
fn mentions_type_param(ty: &Type, input: &DeriveInput) -> bool {
    let params: Vec<&Ident> = input
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(&t.ident),
            _ => None,
        })
        .collect();
    fn scan(tokens: TokenStream, params: &[&Ident]) -> bool {
        tokens.into_iter().any(|t| match t {
            TokenTree::Ident(i) => params.iter().any(|p| **p == i),
            TokenTree::Group(g) => scan(g.stream(), params),
            _ => false,
        })
    }
    !params.is_empty() && scan(ty.to_token_stream(), &params)
}
