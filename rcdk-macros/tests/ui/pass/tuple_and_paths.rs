//! A tuple struct with explicit ids, a unit struct, and `crate = "..."` naming the core crate
//! through a re-export.
mod reexport {
    pub use rcdk_core as core;
}

use rcdk_core::{Construct, RawResource};
use rcdk_macros::Construct;

#[derive(Construct)]
#[construct(crate = "crate::reexport::core", type_name = "QueuePair")]
struct Pair(
    #[construct(id = "Primary")] RawResource,
    #[construct(id = "Secondary")] RawResource,
    #[construct(skip)] u32,
);

#[derive(Construct)]
struct Empty;

fn main() {
    let pair = Pair(RawResource::new("AWS::SQS::Queue"), RawResource::new("AWS::SQS::Queue"), 3);
    assert_eq!(pair.2, 3);
    assert_eq!(pair.construct_type(), "QueuePair");
    let ids: Vec<_> = pair.children().into_iter().map(|c| c.id).collect();
    assert_eq!(ids, ["Primary".into(), "Secondary".into()]);
    assert!(Empty.children().is_empty());
}
