//! The variant the facade crate `rcdk` re-exports as `Construct` names `::rcdk::core`. This crate
//! stands in for the facade (`extern crate self as cdk` plus `pub use rcdk_core as core`, as
//! `cdk/src/lib.rs` does), so the test does not build the whole facade.
extern crate self as rcdk;

pub use rcdk_core as core;

use rcdk_core::{App, RawResource, Stack};
use rcdk_macros::FacadeConstruct as Construct;

#[derive(Construct)]
struct Queues {
    jobs: RawResource,
    #[construct(id = "DLQ")]
    dead_letters: RawResource,
}

fn main() {
    let mut app = App::new();
    app.add(Stack::new("S").with(
        "Queues",
        Queues {
            jobs: RawResource::new("AWS::SQS::Queue"),
            dead_letters: RawResource::new("AWS::SQS::Queue"),
        },
    ));
    let assembly = app.synth().expect("synthesizes");
    let paths: Vec<&String> = assembly.stacks[0].paths.values().collect();
    assert_eq!(paths, ["S/Queues/Jobs", "S/Queues/DLQ"]);
}
