//! `#[derive(Construct)]`: a user's struct becomes a node of the Rust CDK's construct tree, its
//! construct-typed fields its children.
//!
//! ```
//! use rcdk_core::{Construct, RawResource};
//! use rcdk_macros::Construct;
//!
//! #[derive(Construct)]
//! pub struct Worker {
//!     pub queue: RawResource,
//! }
//!
//! #[derive(Construct)]
//! #[construct(type_name = "OrderService")] // optional; the struct's name by default
//! pub struct Orders {
//!     pub topic: RawResource,          // child "Topic"
//!     #[construct(id = "Queue")]
//!     pub jobs: RawResource,           // child "Queue"
//!     pub replicas: Vec<Worker>,       // children "Replicas1", "Replicas2", ...
//!     pub cache: Option<RawResource>,  // child "Cache" when present
//!     #[construct(skip)]
//!     pub port: u16,                   // plain data, not a child
//! }
//!
//! let orders = Orders {
//!     topic: RawResource::new("AWS::SNS::Topic"),
//!     jobs: RawResource::new("AWS::SQS::Queue"),
//!     replicas: vec![Worker { queue: RawResource::new("AWS::SQS::Queue") }],
//!     cache: None,
//!     port: 8080,
//! };
//! assert_eq!(orders.construct_type(), "OrderService");
//! assert_eq!(orders.children().len(), 3);
//! ```
//!
//! On the struct, `#[construct(annotations = "Self::check")]` and
//! `#[construct(costs = "Self::costs")]` name functions `fn(&Self) -> Vec<Annotation>` and
//! `fn(&Self) -> Vec<CostItem>` that the impl's `annotations` and `costs` call. A field type
//! that needs to name its children itself (ids derived from peers) implements
//! `ConstructField` by hand; the derive calls it like any other.
//!
//! Ids of fields are their names in PascalCase (`jobs_queue` -> `JobsQueue`); fields of tuple
//! structs need an explicit `id`. An explicit id must be non-empty and made of ASCII letters,
//! digits, `-` and `_` (so no `/`, which separates path components).
//!
//! The generated impl names the core crate `::rcdk_core`. Users of the facade crate `rcdk` get the
//! derive through `rcdk::prelude::*`, which re-exports the variant that names `::rcdk::core`; any
//! other path is given with `#[construct(crate = "path::to::rcdk_core")]`.
//!
//! The function-like macros behind rcdk-constructs' `action!` and `actions!` check IAM action
//! literals against the IAM action list of the pinned cfn-lint, which rcdk-codegen writes to
//! `src/generated/iam_actions.txt`. Use them through `rcdk_constructs::action!` (or
//! `rcdk::prelude::*`): those wrappers pass the crate path the expansion needs.
//!
//! Layout as in serde and clap: `attr` parses the attributes, `check` validates them and
//! `expand` writes the impl. All errors are collected, and on error a stub impl is still
//! emitted so that uses of the type do not add unrelated errors.

#![warn(missing_docs)]

mod action;
mod attr;
mod check;
mod expand;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Implements `rcdk_core::Construct` for a struct whose fields are child constructs. See the
/// crate documentation for the attributes.
#[proc_macro_derive(Construct, attributes(construct))]
pub fn derive_construct(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input, expand::DefaultCrate::CdkCore).into()
}

/// The same derive, naming the core crate `::rcdk::core` by default: what the facade crate `rcdk`
/// re-exports as `Construct`.
#[doc(hidden)]
#[proc_macro_derive(FacadeConstruct, attributes(construct))]
pub fn derive_facade_construct(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input, expand::DefaultCrate::Facade).into()
}

/// Checks one IAM action literal and expands to a `rcdk_constructs::iam::Action`. The input is
/// `CRATE, "service:Action"`, `CRATE` being the path of rcdk-constructs: call it through
/// `rcdk_constructs::action!`, which passes that path.
#[doc(hidden)]
#[proc_macro]
pub fn checked_action(input: TokenStream) -> TokenStream {
    action::expand(input.into(), false).into()
}

/// As [`checked_action!`], for several literals: expands to `[Action; N]`. Called through
/// `rcdk_constructs::actions!`.
#[doc(hidden)]
#[proc_macro]
pub fn checked_actions(input: TokenStream) -> TokenStream {
    action::expand(input.into(), true).into()
}
